/* mixdown — internal interface of the file analyzer (src/analysis/).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A streaming analyzer: feed interleaved float frames at any rate and channel
 * count, then finish into a public mixdown_analysis (mixdown/mixdown.h). The
 * modules keep only running sums plus a few values per 10 ms / 100 ms / 3 s,
 * so memory grows by well under 1 MB per hour of audio whatever the length.
 *
 * Time base: everything is evaluated on a 10 ms grid (rate*10/1000 frames,
 * as ebur128_loudness_window() counts them). Per 10 ms block the fast meter
 * (fastloud.h; agrees with libebur128 to rounding, tests/test_fastloud.c)
 * gives the K-weighted, channel-weighted mean square (ITU-R BS.1770-5);
 * momentary (400 ms) and short-term (3 s) loudness are exact sums of 40 / 300
 * such blocks, i.e. the meter is read at a 100 Hz cadence as EBU Tech 3341
 * case 13 requires; integrated loudness and true peak come from it too. The
 * loudness range follows EBU Tech 3342 from short-term values every 100 ms
 * (libebur128's own LRA uses a 1 s hop).
 *
 * Units: linear amplitudes and mean squares inside, dB/LUFS in the result.
 * Ownership: the analyzer owns its buffers; finish() hands the arrays over to
 * the mixdown_analysis it returns. Threads: one analyzer per thread.
 */
#ifndef MIXDOWN_ANALYSIS_ANALYSIS_H
#define MIXDOWN_ANALYSIS_ANALYSIS_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "analysis/fastloud.h"
#include "mixdown/mixdown.h"

#define MXD_ANA_MAX_RANGES 1000
#define MXD_ANA_ST_BLOCKS 300 /* 10 ms blocks in a 3 s short-term window */
#define MXD_ANA_M_BLOCKS 40 /* 10 ms blocks in a 400 ms momentary window */

/* A growable array of doubles. */
typedef struct {
	double *v;
	size_t n, cap;
} mxd_dvec;
int mxd_dvec_push(mxd_dvec *d, double x); /* 0 or -1 (no memory) */

/* A capped list of time ranges; a new event within `gap` s of the last range
 * extends it. */
typedef struct {
	mixdown_analysis_range *v;
	size_t n, cap;
	double gap;
} mxd_ranges;
int mxd_ranges_add(mxd_ranges *r, double start, double end, uint32_t mask, uint64_t count, double peak,
		   int peak_is_max);

/* loudness.c: the fast meter (fastloud.h), M/S/LRA/series/overs. */
typedef struct {
	mxd_fl fl;            /* the programme, BS.1770 channel weights */
	mxd_fl mono;          /* (L+R)/2 counted twice (both speakers), if has_mono */
	bool has_fl, has_mono;
	float *mono_buf;
	double rate;
	uint32_t channels, step; /* frames per 10 ms */
	bool true_peak;
	uint64_t blocks;      /* completed 10 ms blocks */
	double blk_peak;      /* peak of the block in progress (true or sample), linear */
	uint32_t blk_over_mask; /* channels whose true peak exceeded 0 dBTP in the block */
	double tp_ring[MXD_ANA_ST_BLOCKS]; /* block peaks (true or sample), linear */
	double m_max, s_max;  /* mean squares */
	double psr_min;       /* dB */
	mxd_dvec st100;       /* short-term mean squares every 100 ms from 3 s on */
	uint32_t series_blocks; /* blocks per series point */
	mxd_dvec ser_m, ser_s;  /* LUFS */
	mxd_ranges overs;
	uint64_t over_blocks;
} mxd_loud;

int mxd_loud_init(mxd_loud *l, double rate, uint32_t channels, bool true_peak, double series_interval);
/* BS.1770 channel weights (l->channels of them) other than the channel count's default, e.g. from a file's
 * channel map (spatial/chanweight.h). Before the first mxd_loud_add. */
void mxd_loud_set_weights(mxd_loud *l, const double *w);
int mxd_loud_add(mxd_loud *l, const float *x, size_t frames); /* within one 10 ms block */
int mxd_loud_block_end(mxd_loud *l);
void mxd_loud_finish(mxd_loud *l, mixdown_analysis *a); /* fills loudness, psr, series, overs */
void mxd_loud_free(mxd_loud *l);
/* EBU Tech 3342 loudness range of short-term mean squares (sorted in place). */
double mxd_lra(double *ms, size_t n);
double mxd_lufs(double mean_square); /* -0.691 + 10 log10(ms) */

/* dynamics.c: crest factor, DR meter blocks, gain-riding hints. */
typedef struct {
	uint32_t channels;
	double rate;
	uint64_t frames;
	double sumsq, peak;        /* all channels pooled */
	uint64_t block_len, block_pos; /* DR: 3 s blocks */
	double *blk_sumsq, *blk_peak;  /* per channel, current block */
	mxd_dvec *dr_rms2, *dr_peak;   /* per channel, finished blocks */
} mxd_dyn;
int mxd_dyn_init(mxd_dyn *d, double rate, uint32_t channels);
int mxd_dyn_add(mxd_dyn *d, const float *x, size_t frames);
int mxd_dyn_finish(mxd_dyn *d, const mxd_loud *l, mixdown_analysis *a); /* needs loudness filled */
void mxd_dyn_free(mxd_dyn *d);

/* vectorscope.c: the stereo-image density grid (mixdown_analysis.vectorscope),
 * one MIXDOWN_SCOPE^2 grid per candidate scale 2^-k, k = 0..MXD_SCOPE_LEVELS-1. */
#define MXD_SCOPE_LEVELS 8
typedef struct {
	uint32_t *grid;           /* MXD_SCOPE_LEVELS grids; allocated on the first frames */
	double peak;              /* largest max(|M|, |S|) counted */
	bool failed;              /* no memory: the analysis gets no vectorscope */
} mxd_scope;
void mxd_scope_add(mxd_scope *s, const float *x, size_t frames, uint32_t channels);
void mxd_scope_finish(mxd_scope *s, mixdown_analysis *a); /* hands the grid over */
void mxd_scope_free(mxd_scope *s);
void mxd_json_vectorscope(FILE *f, const mixdown_analysis *a); /* the "vectorscope" key line */

/* stereo.c: correlation, width, balance (channels 0 and 1). */
typedef struct {
	uint32_t channels;
	double ll, rr, lr;        /* whole file */
	double ill, irr, ilr;     /* current series interval */
	mxd_dvec ser_corr;
	mxd_scope scope;
} mxd_stereo;
void mxd_stereo_init(mxd_stereo *s, uint32_t channels);
void mxd_stereo_add(mxd_stereo *s, const float *x, size_t frames);
int mxd_stereo_interval_end(mxd_stereo *s);
void mxd_stereo_finish(mxd_stereo *s, const mxd_loud *l, mixdown_analysis *a);
void mxd_stereo_free(mxd_stereo *s);
double mxd_correlation(double ll, double rr, double lr);

/* problems.c: clips, DC offset, start/end silence, noise floor. */
#define MXD_NF_BINS 300 /* 0.5 dB bins from -140 dBFS */
typedef struct {
	uint32_t channels;
	double rate;
	uint64_t frames;
	double silence_lin;
	int64_t first_loud, last_loud;
	double *dc_sum;
	uint32_t *run;            /* per channel: consecutive samples at full scale */
	uint8_t *first_counted;   /* per channel: the run's first sample was over 1.0 */
	uint64_t clipped;
	mxd_ranges clips;
	uint64_t nf_len, nf_pos;  /* 50 ms blocks */
	double nf_sum;
	uint64_t nf_hist[MXD_NF_BINS];
} mxd_prob;
int mxd_prob_init(mxd_prob *p, double rate, uint32_t channels, double silence_dbfs);
int mxd_prob_add(mxd_prob *p, const float *x, size_t frames);
int mxd_prob_finish(mxd_prob *p, mixdown_analysis *a); /* needs loudness/stereo filled */
void mxd_prob_free(mxd_prob *p);
int mxd_prob_message(mixdown_analysis *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* spectrum.c: long-term spectrum (Welch, Hann, 50 % overlap), per-band stereo,
 * sibilance; spectrum_res.c: resonances; spectrum_json.c: the JSON member. */
#define MXD_SPEC_MAX_CAND 32768 /* sibilance candidate frames kept (bounded memory) */
#define MXD_SPEC_HIST 480       /* frame levels: 0.5 dB bins from -200 dBFS */
typedef struct {
	uint32_t frame;           /* analysis frame index */
	float share, level;       /* dB: 5-10 kHz share of the frame's power; 5-10 kHz level (dBFS) */
} mxd_spec_cand;
typedef struct {
	uint32_t k0, k1;          /* first and last bin touching a frequency range */
	double w0, w1;            /* share of bin k0 / k1 inside it (k0 == k1: w0 only) */
} mxd_bin_range;
typedef struct {
	uint32_t channels;
	double rate, df;          /* Hz; df = bin spacing */
	uint32_t n, hop, bins;    /* FFT length (power of two), n/2, n/2 + 1 */
	uint32_t fill;            /* samples of the frame in progress */
	uint64_t frames;          /* analysis frames done */
	struct kiss_fftr_state *fft;
	float *win, *in, *tmp;    /* n (Hann); channels x n; n */
	void *X;                  /* kiss_fft_cpx[3][bins]: L, R, any other channel */
	double *scale;            /* bins: |X|^2 -> mean-square contribution */
	double *pw;               /* bins: sum over frames of the channel-mean power */
	double *fp;               /* bins: the current frame's channel-mean power */
	double *pl, *pr, *plr, *pan; /* bins (stereo): sums of |L|^2, |R|^2, Re L R*, SPS x power */
	mxd_bin_range sib_r, tot_r; /* 5-10 kHz; 20 Hz .. Nyquist */
	double sib_sum, tot_sum;  /* sums over frames of the 5-10 kHz and total powers */
	uint64_t lvl_hist[MXD_SPEC_HIST]; /* frames by total level */
	uint64_t warmup;          /* frames during which every audible frame is a candidate */
	mxd_spec_cand *cand;
	size_t n_cand, cap_cand;
} mxd_spec;
int mxd_spec_init(mxd_spec *s, double rate, uint32_t channels);
int mxd_spec_add(mxd_spec *s, const float *x, size_t frames); /* 0 or -1 (no memory) */
int mxd_spec_finish(mxd_spec *s, mixdown_analysis *a); /* adds a problem message: after mxd_prob_finish */
void mxd_spec_free(mxd_spec *s);
mxd_bin_range mxd_bin_range_of(double lo, double hi, double df, uint32_t bins);
double mxd_bin_range_sum(const mxd_bin_range *r, const double *p);
/* Narrow peaks of a long-term spectrum `db` (dB per bin, spacing df Hz);
 * fills at most cap, strongest first. Returns the count, or -1 (no memory). */
int mxd_spec_resonances(const double *db, uint32_t bins, double df, mixdown_resonance *out, size_t cap);
void mxd_spec_write_json(FILE *f, const mixdown_analysis *a); /* "spectrum": {...},\n */

/* delivery.c: platform targets. Returns -1 for an unknown name. */
int mxd_delivery_find(const char *name);
int mxd_delivery_check(mixdown_analysis *a, const char *only);

/* json.c: helpers shared by the section writers. Non-finite numbers are
 * written as null; strings are escaped. */
void mxd_json_num(FILE *f, double v);
void mxd_json_key_num(FILE *f, const char *k, double v, const char *after);
void mxd_json_str(FILE *f, const char *s);

/* bands.c: the one-third-octave grid of mixdown.h (MIXDOWN_BANDS). */
void mxd_band_edges(size_t k, double *lo, double *hi); /* Hz */
int mxd_band_of(double hz);        /* band holding hz, or -1 outside 17.8 Hz .. 22.4 kHz */
int mxd_broad_band_of(double hz);  /* 0..3 (mixdown.h MIXDOWN_BROAD_BANDS) */

/* xtrack.c: alignment/polarity and masking between tracks fed side by side.
 * channels[] (per track, interleaved input) must outlive the instance. */
#define MXD_XT_MAX_TRACKS 64
typedef struct mxd_xtrack mxd_xtrack;
mxd_xtrack *mxd_xtrack_new(double rate, size_t n, const uint32_t *channels); /* NULL: no memory or n < 2 */
void mxd_xtrack_feed(mxd_xtrack *x, const float *const *tracks, size_t frames);
/* Fill m->alignment and m->masking (allocated here). 0, or -1 without memory. */
int mxd_xtrack_finish(mxd_xtrack *x, const char (*names)[128], mixdown_multitrack_analysis *m);
void mxd_xtrack_free(mxd_xtrack *x);

/* json.c / multitrack_json.c: a file object of the schema, and a feedback
 * array (indent: the items' indentation). */
void mxd_json_file_object(FILE *f, const mixdown_analysis *a);
void mxd_json_feedback(FILE *f, const mixdown_feedback *v, size_t n, const char *indent);

/* multitrack_feedback.c: (re)build m->feedback. 0, or -1 without memory. */
int mxd_multitrack_feedback(mixdown_multitrack_analysis *m);

/* compare.c, target_*.c, feedback*.c, compare_json.c: references, spectral
 * targets and the feedback list (mixdown.h "references and targets"). */
#define MXD_MONO_OFFSET 3.0103 /* dB: a mono file is compared as if played on two speakers */
#define MXD_BAND_FLOOR -60.0   /* dB re. LUFS: quieter bands count as empty in comparisons */
/* Band levels relative to the file's loudness (dB re. LUFS; mono files +3.01 dB
 * louder, see compare.c); 0, or -1 (rel untouched) without spectrum or loudness. */
int mxd_relative_levels(const mixdown_analysis *a, double rel[MIXDOWN_BANDS]);
double mxd_comparable_loudness(const mixdown_analysis *a); /* LUFS, the same convention */
/* Power sum of the finite rel[] whose centres lie in broad band b; -INFINITY if none. */
double mxd_broad_level(const double rel[MIXDOWN_BANDS], int b);
double mxd_kweight_db(double hz);  /* BS.1770 K-weighting gain at hz (dB) */
/* Loudness (LUFS) of a two-channel programme whose every channel has these band levels (dBFS). */
double mxd_band_lufs(const double level[MIXDOWN_BANDS]);
void mxd_json_compare(FILE *f, const mixdown_analysis *a); /* "compare" and "feedback" lines of a file object */
typedef struct {
	mixdown_feedback *v;
	double *size;             /* sort key within a priority: how far past its threshold */
	size_t n, cap;
	bool failed;
} mxd_fb_list;
void mxd_fb_add(mxd_fb_list *l, int priority, const char *topic, double size, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void mxd_fb_tone(mxd_fb_list *l, const mixdown_analysis *a); /* feedback_tone.c */
/* Sort (priority, then size) and hand the list over to *out (freeing the old
 * one). 0, or -1 when an add ran out of memory (the list is freed). */
int mxd_fb_finish(mxd_fb_list *l, mixdown_feedback **out, size_t *n_out);
const char *mxd_fmt_hz(char *buf, size_t n, double hz); /* "63 Hz", "3.1 kHz" */
/* target_builtin.c: the MUSDB18 per-stem average spectra (Sony FxNorm-automix
 * features, MIT; ../shared/docs/mixing-knowledge.md 2.2) in octave bands
 * 31.5 Hz .. 16 kHz (octave o = spectrum grid band 3o + 2), dB re. the 1 kHz
 * band; NAN out of range. Read-only data, any thread. */
typedef enum { MXD_STEM_VOCALS, MXD_STEM_DRUMS, MXD_STEM_BASS, MXD_STEM_OTHER } mxd_stem;
#define MXD_STEM_OCTAVES 10
double mxd_stem_octave_level(mxd_stem stem, size_t oct);
/* tempo.c: tempo (BPM, 60..200) of files played together, from the
 * periodicity of their summed onsets; NAN when no steady pulse (or on error,
 * then err is set). confidence (may be NULL): 0..1. Control thread. */
double mxd_tempo_estimate(const char *const *paths, size_t n, double *confidence, mixdown_error *err);
/* voice.c: pitch periodicity and movement of a file (a voice's pitch
 * wobbles and glides within a note, an instrument's stays put). */
typedef struct {
	double active_s;     /* s of frames within 40 dB of the loudest */
	double voiced;       /* share of the active frames that are pitched (80-1000 Hz), 0..1 */
	size_t notes;        /* notes of at least 100 ms */
	double wobble_cents; /* median over notes of the pitch's standard deviation within it; NAN without notes */
	double note_s;       /* median note length, s; NAN without notes */
} mxd_voice_stats;
mixdown_status mxd_voice_measure(const char *path, mxd_voice_stats *out, mixdown_error *err);

/* fastloud_file.c: mixdown_analyze_file with options.loudness_only; threads
 * 1 or 2, no_raw: always decode with sf_readf_float (tests). */
mixdown_status mxd_fl_analyze_file(const char *path, const mixdown_analysis_options *opt, int threads, bool no_raw,
				   mixdown_analysis **out, mixdown_error *err);

/* analyze.c: the streaming analyzer. */
typedef struct mxd_analyzer mxd_analyzer;
mixdown_status mxd_analyzer_new(double rate, uint32_t channels, const mixdown_analysis_options *opt,
				mxd_analyzer **out, mixdown_error *err);
mixdown_status mxd_analyzer_feed(mxd_analyzer *z, const float *interleaved, size_t frames,
				 mixdown_error *err);
/* Completes the analysis (path is copied into it) and frees z. */
mixdown_status mxd_analyzer_finish(mxd_analyzer *z, const char *path, mixdown_analysis **out,
				   mixdown_error *err);
void mxd_analyzer_free(mxd_analyzer *z);

#endif
