/* mixdown — internal interface of the file analyzer (src/analysis/).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A streaming analyzer: feed interleaved float frames at any rate and channel
 * count, then finish into a public mixdown_analysis (mixdown/mixdown.h). The
 * modules keep only running sums plus a few values per 10 ms / 100 ms / 3 s,
 * so memory grows by well under 1 MB per hour of audio whatever the length.
 *
 * Time base: everything is evaluated on a 10 ms grid (rate*10/1000 frames,
 * as ebur128_loudness_window() counts them). Per 10 ms block we take the
 * K-weighted, channel-weighted mean square from libebur128 (ITU-R BS.1770-5);
 * momentary (400 ms) and short-term (3 s) loudness are exact sums of 40 / 300
 * such blocks, i.e. the meter is read at a 100 Hz cadence as EBU Tech 3341
 * case 13 requires. Integrated loudness and true peak come from libebur128;
 * the loudness range follows EBU Tech 3342 from short-term values every
 * 100 ms (libebur128's own LRA uses a 1 s hop).
 *
 * Units: linear amplitudes and mean squares inside, dB/LUFS in the result.
 * Ownership: the analyzer owns its buffers; finish() hands the arrays over to
 * the mixdown_analysis it returns. Threads: one analyzer per thread.
 */
#ifndef MIXDOWN_ANALYSIS_ANALYSIS_H
#define MIXDOWN_ANALYSIS_ANALYSIS_H

#include <ebur128.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "mixdown/mixdown.h"

#define MXD_ANA_MAX_RANGES 1000
#define MXD_ANA_ST_BLOCKS 300 /* 10 ms blocks in a 3 s short-term window */
#define MXD_ANA_M_BLOCKS 40
#define MXD_TP_PHASE_TAPS 24 /* taps per phase of the own true-peak interpolator */
#define MXD_TP_TAPS (4 * MXD_TP_PHASE_TAPS)   /* 10 ms blocks in a 400 ms momentary window */

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

/* loudness.c: libebur128 states, 10 ms block energies, M/S/LRA/series/overs. */
typedef struct {
	ebur128_state *st;    /* the programme, BS.1770 channel map */
	ebur128_state *mono;  /* (L+R)/2 counted twice (both speakers); NULL if < 2 channels */
	float *mono_buf;
	double rate;
	uint32_t channels, step; /* frames per 10 ms */
	bool true_peak;
	uint64_t blocks;      /* completed 10 ms blocks */
	/* Own 4x true-peak interpolator for rates >= 96 kHz, where libebur128
	 * drops to 2x (its worst-case under-read at fs/4 would exceed the
	 * -0.4 dB of EBU Tech 3341). */
	bool own_tp;
	double tp_h[MXD_TP_TAPS];   /* prototype low-pass, 4 phases interleaved */
	float *tp_hist;             /* channels x MXD_TP_PHASE_TAPS, newest first */
	double *tp_max;             /* per channel, linear */
	double blk_peak;      /* peak of the block in progress (true or sample), linear */
	uint32_t blk_over_mask; /* channels whose true peak exceeded 0 dBTP in the block */
	double e_ring[MXD_ANA_ST_BLOCKS];  /* block mean squares */
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

/* stereo.c: correlation, width, balance (channels 0 and 1). */
typedef struct {
	uint32_t channels;
	double ll, rr, lr;        /* whole file */
	double ill, irr, ilr;     /* current series interval */
	mxd_dvec ser_corr;
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
