/* mixdown — a multitrack mixing engine. Public API.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Conventions
 *  - Every name is prefixed mixdown_ / MIXDOWN_. Handles are opaque.
 *  - Functions that can fail return mixdown_status; results are written through
 *    out-pointers. mixdown_strerror() names every status.
 *  - Functions taking a mixdown_error * fill it (when non-NULL) with the file,
 *    line, column, key path and message of the first problem found.
 *  - Every *_free() accepts NULL.
 *  - Units: levels in dB (dBFS for peaks), times in seconds, rates in Hz,
 *    loudness in LUFS (ITU-R BS.1770).
 *  - Threads: none of these functions may be called on a real-time audio thread
 *    (they read files, allocate and may block). A handle may be used from one
 *    thread at a time; distinct handles are independent.
 *  - The library never prints; messages reach the caller through mixdown_error
 *    and the render report.
 */
#ifndef MIXDOWN_MIXDOWN_H
#define MIXDOWN_MIXDOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h> /* FILE, for mixdown_analysis_write_json */

#ifdef __cplusplus
extern "C" {
#endif

#define MIXDOWN_VERSION_STRING "0.1.0"

typedef enum {
	MIXDOWN_SUCCESS = 0,
	MIXDOWN_ERR_NOMEM,      /* allocation failed */
	MIXDOWN_ERR_USAGE,      /* invalid argument or option combination */
	MIXDOWN_ERR_SESSION,    /* session text invalid (syntax, key, type, range, routing) */
	MIXDOWN_ERR_AUDIO,      /* an audio file is missing, unreadable or unsupported */
	MIXDOWN_ERR_IO,         /* writing an output failed (disk full, permission, ...) */
	MIXDOWN_ERR_INTERNAL,   /* a processor failed to activate, resampler failure, ... */
	MIXDOWN_ERR_CANCELLED,  /* the progress callback asked to stop */
} mixdown_status;

/* A static English description of `st`; never NULL. */
const char *mixdown_strerror(mixdown_status st);

/* Where and why something failed. `file` is empty and line/column are 0 when the
 * problem has no place in a session file. `key` is a key path such as
 * "tracks[2].clips[0].gain" (empty when not applicable). */
typedef struct {
	char file[512];
	uint32_t line, column;   /* 1-based */
	char key[256];
	char message[768];
} mixdown_error;

/* Format `err` the way the command line prints it:
 * "file:line:column: key: message" (parts that are empty are left out). */
void mixdown_error_format(const mixdown_error *err, char *buf, size_t size);

/* ------------------------------------------------------------------ sessions */

typedef struct mixdown_session mixdown_session;

/* Parse and validate a session file. Relative audio paths are resolved against
 * the session file's directory; every referenced file is opened to read its
 * header (so missing or unreadable audio is reported here, with the clip's
 * line:column). On failure *out is NULL and MIXDOWN_ERR_SESSION or
 * MIXDOWN_ERR_AUDIO is returned. */
mixdown_status mixdown_session_load(const char *path, mixdown_session **out, mixdown_error *err);

/* The same from text in memory. `name` is used in messages (e.g. "<stdin>");
 * `base_dir` resolves relative paths (NULL = current directory). */
mixdown_status mixdown_session_load_string(const char *text, size_t len, const char *name,
					   const char *base_dir, mixdown_session **out,
					   mixdown_error *err);

void mixdown_session_free(mixdown_session *session);

double mixdown_session_sample_rate(const mixdown_session *session);  /* Hz */
uint32_t mixdown_session_channels(const mixdown_session *session);   /* master channels */
size_t mixdown_session_track_count(const mixdown_session *session);
const char *mixdown_session_track_name(const mixdown_session *session, size_t i);
size_t mixdown_session_bus_count(const mixdown_session *session);
const char *mixdown_session_bus_name(const mixdown_session *session, size_t i);
/* The export file named in the session (resolved), or NULL. */
const char *mixdown_session_export_file(const mixdown_session *session);
/* The integrated loudness the session's `master: target:` aims at (LUFS; the
 * preset's when only a preset is named), or NAN without a target. */
double mixdown_session_target_loudness(const mixdown_session *session);
/* A timeline position written as in the session: seconds ("62.5") or
 * bar:beat[:tick] ("17:1", "17:1:240") on the session's tempo map, in
 * seconds. MIXDOWN_ERR_USAGE (err names `text`) when it is not one. */
mixdown_status mixdown_session_position(const mixdown_session *session, const char *text, double *seconds,
					mixdown_error *err);

/* -------------------------------------------------------------------- engine */

/* A built, running mix graph: tracks -> buses -> master with plugin-delay
 * compensation. It streams its clips from disk and produces the master output
 * block by block, already aligned (the graph's latency is skipped). */
typedef struct mixdown_engine mixdown_engine;

/* max_block: largest n passed to mixdown_engine_process(), 1..65536. */
mixdown_status mixdown_engine_create(const mixdown_session *session, uint32_t max_block,
				     mixdown_engine **out, mixdown_error *err);
void mixdown_engine_free(mixdown_engine *engine);

uint32_t mixdown_engine_channels(const mixdown_engine *engine);
double mixdown_engine_sample_rate(const mixdown_engine *engine);
/* Frames in the render range (from range start to range end or last clip + tail). */
uint64_t mixdown_engine_length(const mixdown_engine *engine);
/* Total latency of the graph in frames (compensated internally). */
uint32_t mixdown_engine_latency(const mixdown_engine *engine);

/* Render the next n frames of the master into out[0..channels-1] (planar,
 * caller-owned, n <= max_block). Past the end the output is silence.
 * May read files; not real-time safe in this release. */
mixdown_status mixdown_engine_process(mixdown_engine *engine, float *const *out, uint32_t n,
				      mixdown_error *err);
/* Process independent strips on several cores: `threads` 1 (the default) is
 * the single-thread path; 0 = auto, the online CPUs (at most 8); at most 64.
 * threads - 1 worker threads are started here (stopped by set_threads(1) or
 * mixdown_engine_free()); the thread calling mixdown_engine_process() works
 * too. A strip runs once everything it depends on is done (tracks before the
 * buses they feed, sends, sidechain keys) and sums its inputs in the same
 * order as the single-thread path: the output is bit-identical for any
 * number. Processing neither allocates nor locks (workers are woken with
 * sem_post(), the caller spins for the block's last strip). When the calling
 * thread is real-time, the workers get SCHED_FIFO one priority below it (best
 * effort: without the permission they keep the normal policy). Control
 * thread, between process calls. MIXDOWN_ERR_USAGE for threads > 64. */
mixdown_status mixdown_engine_set_threads(mixdown_engine *engine, unsigned threads, mixdown_error *err);

/* -------------------------------------------------------------------- render */

typedef enum {
	MIXDOWN_FORMAT_AUTO = 0, /* from the output file's extension (WAV for "-") */
	MIXDOWN_FORMAT_WAV,
	MIXDOWN_FORMAT_FLAC,
	MIXDOWN_FORMAT_AIFF,
	MIXDOWN_FORMAT_RF64,     /* RF64 (EBU Tech 3306) even when small; WAV becomes RF64 by itself over 4 GB */
	MIXDOWN_FORMAT_OGG,      /* Ogg Vorbis (lossy preview; `quality`) */
	MIXDOWN_FORMAT_OPUS,     /* Ogg Opus (lossy preview; 8/12/16/24/48 kHz, other rates resampled to 48 kHz) */
	MIXDOWN_FORMAT_MP3,      /* MPEG-1/2 Layer III (lossy preview; 1-2 channels, <= 48 kHz, else resampled) */
} mixdown_format;

typedef enum {
	MIXDOWN_SAMPLE_AUTO = 0, /* session export setting, else 24-bit */
	MIXDOWN_SAMPLE_INT16,
	MIXDOWN_SAMPLE_INT24,
	MIXDOWN_SAMPLE_FLOAT32,
} mixdown_sample_format;

typedef enum {
	/* TPDF dither on every sample that is not already on the output grid:
	 * unity paths of integer sources (and digital silence) stay bit-exact. */
	MIXDOWN_DITHER_AUTO = 0,
	MIXDOWN_DITHER_ALWAYS, /* TPDF on every sample of integer output */
	MIXDOWN_DITHER_OFF,    /* plain rounding */
	/* TPDF plus error-feedback noise shaping with the 9-tap E-weighted
	 * filter of Lipshitz, Vanderkooy & Wannamaker ("Minimally audible noise
	 * shaping", JAES 39(11), 1991): the noise moves out of 2-5 kHz, where
	 * hearing is most sensitive, to above 15 kHz. Designed for 44.1 kHz;
	 * for 16-bit masters at 44.1/48 kHz. */
	MIXDOWN_DITHER_SHAPED,
} mixdown_dither;

/* Called about ten times a second of wall time and at the end. Return false to
 * cancel (the render fails with MIXDOWN_ERR_CANCELLED and writes nothing). */
typedef bool (*mixdown_progress_fn)(void *user, double done_seconds, double total_seconds,
				    float peak_dbfs, uint64_t clipped_samples);

typedef struct {
	const char *output;          /* path; "-" = WAV on standard output; NULL = session export */
	mixdown_format format;
	mixdown_sample_format sample_format;
	double sample_rate;          /* output rate; 0 = session rate (else resampled, soxr VHQ) */
	mixdown_dither dither;
	const char *stems_dir;       /* also write every bus as DIR/<bus>.<ext>; NULL = none */
	bool stems_tracks;           /* with stems_dir: every track as well */
	mixdown_progress_fn progress;
	void *progress_user;
	/* A section to render instead of the session's range: "START-END",
	 * "START-" or "-END", times in seconds or bar:beat[:tick] ("17:1-25:1").
	 * Everything before START is still processed (silently), so effect tails,
	 * envelopes and automation are exactly as in a full render. NULL = none. */
	const char *range;
	/* Lossy formats (ogg, opus, mp3): 1 (smallest file) .. 10 (best); 0 = 7. */
	int quality;
	/* WAV/RF64 outputs carry a BWF `bext` chunk (EBU Tech 3285 v2): this
	 * description (NULL = the session file's name), originator "mixdown", the
	 * date and time, the time reference (the render start on the session's
	 * timeline, `timeline_origin` included, in output samples) and the
	 * loudness of the mix. no_bwf: plain WAV without the chunk. */
	const char *description;
	bool no_bwf;
	/* Fold-downs written from the same render, comma-separated: "5.1", "stereo",
	 * "mono" (ITU-R BS.775-3, docs/spatial.md): OUT.wav also gives OUT.5.1.wav,
	 * OUT.stereo.wav, OUT.mono.wav. Needs a mix with a layout (or 6/8/10/12
	 * channels); not with `master: target:` or standard output. NULL = none. */
	const char *downmix;
	/* Headphone version: the master's layout (`layout:`, else implied by its
	 * channel count) is rendered to 2 channels through virtual speakers and
	 * an HRTF (docs/spatial.md, "Binaural"). hrtf: a SOFA file; NULL = the
	 * session's `hrtf:`, else libmysofa's installed MIT KEMAR set. */
	bool binaural;
	const char *hrtf;
	/* Cores for the tracks' insert chains (tracks with the same eq and
	 * compressor layout are processed together, in SIMD lanes, and the
	 * groups shared between threads): 0 = the online CPUs (the default, at
	 * most 8), 1 = the rendering thread only. Bit-identical for any number.
	 * Whatever the number, the clips are read ahead, the master strip runs
	 * a block behind the rest of the graph and the file is written on
	 * threads of their own. */
	unsigned threads;
} mixdown_render_options;

/* Defaults for every field (so new fields get defaults in old callers). */
mixdown_render_options mixdown_render_options_init(void);

#define MIXDOWN_MAX_REPORT_FILES 256

typedef struct {
	double duration;             /* s of audio written */
	uint64_t frames;
	uint32_t channels;
	double sample_rate;
	double peak_dbfs;            /* sample peak of the mix before conversion; -inf if silent */
	uint64_t clipped_samples;    /* samples (all files) limited at integer conversion */
	uint64_t nonfinite_samples;  /* NaN/Inf replaced by 0 before writing */
	double integrated_lufs;      /* BS.1770 of the mix; -inf for silence */
	uint32_t latency;            /* compensated graph latency, frames */
	size_t n_files;
	char files[MIXDOWN_MAX_REPORT_FILES][512]; /* every file written, mix first */
	/* With the session's `master: target:` the mix was mastered (mixdown_master_file): */
	bool mastered;
	double master_gain;          /* dB before the limiter */
	double master_true_peak;     /* dBTP of the written file (integrated_lufs is its loudness) */
	double master_limiting;      /* dB, the limiter's largest gain reduction */
	bool master_met;             /* within 0.1 LU of the target, at or below the ceiling */
	char master_warning[512];
	uint32_t silent_inputs;      /* tracks with a live `input:` (real-time only): rendered as silence */
} mixdown_render_report;

/* Render the session to files. Outputs are written to temporary files next to
 * their targets and renamed into place only when everything succeeded; an
 * output path that is one of the session's inputs is refused
 * (MIXDOWN_ERR_USAGE). `report` may be NULL. */
mixdown_status mixdown_render(const mixdown_session *session, const mixdown_render_options *opt,
			      mixdown_render_report *report, mixdown_error *err);

/* ------------------------------------------------------------ session files */

/* Write a starting session for every audio file in `stems_dir` (sorted by
 * name; any rate, bit depth, length or channel count; track names are the
 * file names cleaned of numbering, extension and export words such as
 * "(Bounce)" or "Stem", made unique; faders at 0 dB, centred, all to the
 * master; the session rate is the most common rate; files with differing
 * BWF time references are placed `at: bwf`) to `session_path` (temporary
 * file + rename).
 * Paths in the session are relative to the session file's folder. Refuses to
 * overwrite an existing file unless `overwrite`. */
mixdown_status mixdown_session_write_from_folder(const char *stems_dir, const char *session_path,
						 bool overwrite, mixdown_error *err);

/* The mix changes between two sessions, in mixing terms (`mixdown diff`;
 * docs/session-format.md, "Sessions in version control"). Tracks and buses
 * are matched by name (a track whose name changed but whose clips did not,
 * or a bus at the same place whose settings did not, is "renamed"); sends by
 * destination; inserts by `id`, else by type in order; clips by file in
 * order; automation lanes by target. Values carry their units. */
typedef enum { MIXDOWN_DIFF_ADDED, MIXDOWN_DIFF_REMOVED, MIXDOWN_DIFF_CHANGED } mixdown_diff_kind;

typedef struct {
	mixdown_diff_kind kind;
	char strip[128];      /* the track or bus ("master"; "" for session settings) */
	char what[192];       /* "fader", "send to Plate", "compressor ratio", "clip vox.wav position", ... */
	char from[96], to[96]; /* values with units ("-4.0 dB"); "" where there is none */
	char text[512];       /* the whole line: "Lead Vocal fader -4.0 -> -2.5 dB" */
} mixdown_diff_change;

typedef struct {
	size_t n;             /* 0: the sessions mix the same */
	mixdown_diff_change *changes; /* session settings, then tracks and buses in b's order, removed strips, master */
} mixdown_diff;

/* Compare session a (before) with b (after). On failure *out is NULL. */
mixdown_status mixdown_session_diff(const mixdown_session *a, const mixdown_session *b, mixdown_diff **out,
				    mixdown_error *err);
void mixdown_diff_free(mixdown_diff *d);
/* {"schema": "mixdown-diff/1", "identical": ..., "changes": [...]}. 0, or -1 on a write error. */
int mixdown_diff_write_json(const mixdown_diff *d, FILE *f);

/* Synthesize the demo song (drums, bass, keys, pad, lead; about 35 s, 48 kHz,
 * deterministic) as stems plus `session.yaml` into `dir` (created if needed). */
mixdown_status mixdown_demo_write(const char *dir, mixdown_error *err);

/* ---------------------------------------------------------------- processors */

typedef struct {
	const char *name;         /* e.g. "freq", or "bands.*.freq" for list items */
	const char *unit;
	const char *kind;         /* "number", "enum", "bool", "list" */
	double min, max, def;
	const char *const *choices; /* enum only */
	const char *help;
	bool automatable;
} mixdown_param_info;

size_t mixdown_fx_count(void);
const char *mixdown_fx_name(size_t i);
const char *mixdown_fx_summary(size_t i);
/* Flattened parameter table of processor i (list sub-parameters appear as
 * "list.*.sub"). Returns the number of entries; fills at most `cap`. */
size_t mixdown_fx_params(size_t i, mixdown_param_info *out, size_t cap);
/* LV2 plugins (`type: lv2` inserts, docs/effects.md): write every installed plugin
 * (URI, name, audio ins/outs, latency, control ports) / one plugin as mixdown hosts
 * it (its parameters and readings) to `out`. 0, or -1 with a message on `err`
 * (unknown URI, a plugin that cannot be hosted, mixdown built without LV2). */
int mixdown_lv2_list(FILE *out, FILE *err);
int mixdown_lv2_info(const char *uri, FILE *out, FILE *err);

/* ------------------------------------------------------------------ analysis */
/* Analysis of finished audio files (`mixdown analyze`): loudness per ITU-R
 * BS.1770-5 / EBU R 128 (the project's fast meter, src/analysis/fastloud.c,
 * checked against libebur128), dynamics, stereo image, single-file
 * problems and a delivery check against platform loudness targets.
 * Files are streamed in blocks at their own rate (memory: blocks plus a few
 * doubles per 100 ms of audio, about 0.5 MB per hour); any channel count.
 * Channel order is WAV/SMPTE: 1 = mono, 2 = L R, 3 = L R C, 4 = L R Ls Rs,
 * 5 = L R C Ls Rs, 6 = L R C LFE Ls Rs, 8 = 7.1; LFE is excluded and
 * surrounds are weighted +1.5 dB as BS.1770 specifies.
 * Units: LUFS, LU, dBTP, dBFS, dB, seconds. -INFINITY means "no signal" (the
 * JSON writes null). Thread-safe for distinct results. */

typedef struct {
	const char *target;       /* delivery preset to check (mixdown_delivery_preset_name); NULL = all */
	double series_interval;   /* s between points of the over-time series; rounded to 10 ms; default 1 */
	double silence_dbfs;      /* start/end silence: samples below this level; default -60 dBFS */
	bool true_peak;           /* measure true peak (4x oversampled at every rate); default true */
	bool loudness_only;       /* mixdown_analyze_file: only the `loudness` values (integrated, range, M/S
				     maxima, true and sample peak; fast meter, two threads); the result's other
				     sections stay empty and its loudness_only is set; default false */
} mixdown_analysis_options;

mixdown_analysis_options mixdown_analysis_options_init(void);

/* A stretch of time where something happens. */
typedef struct {
	double start, end;        /* s from the start of the file */
	uint32_t channel_mask;    /* bit c set: channel c involved (channels >= 32 fold into bit 31) */
	uint64_t count;           /* samples (clips) or 10 ms blocks (overs) in the stretch */
	double peak;              /* dBFS (clips) or dBTP (overs); LU against integrated (ride hints) */
} mixdown_analysis_range;

typedef struct {
	const char *platform;     /* preset name, e.g. "spotify" */
	const char *label;        /* human name, e.g. "Spotify (normal)" */
	double target;            /* LUFS */
	double max_true_peak;     /* dBTP ceiling the platform asks for */
	double tolerance;         /* LU (delivery specifications), 0 for normalizing players */
	const char *normalizes;   /* "both", "down" or "none" (a delivery specification) */
	double gain;              /* dB the platform applies (0 for "none") */
	double gain_to_target;    /* dB to reach the target exactly */
	double loudness_after;    /* LUFS after the platform's gain */
	double true_peak_after;   /* dBTP after the platform's gain */
	bool clips;               /* true_peak_after > 0 dBTP */
	bool ok;                  /* meets target (within tolerance, if any) and ceiling after gain */
} mixdown_delivery_check;

/* Spectrum bands: 31 one-third-octave bands with the base-10 exact centres of
 * IEC 61260-1, f_k = 1000 * 10^((k - 17) / 10) Hz for k = 0..30 (nominal
 * 20 Hz ... 20 kHz), edges at f_k * 10^(+-1/20). Bands above the Nyquist
 * frequency hold -INFINITY. */
#define MIXDOWN_BANDS 31
/* The four broad bands of tonal-balance meters: low < 250 Hz, low-mid
 * 250 Hz - 2 kHz, high-mid 2 - 8 kHz, high > 8 kHz. */
#define MIXDOWN_BROAD_BANDS 4
/* Vectorscope grid: cells per side of the stereo-image density map. */
#define MIXDOWN_SCOPE 48

/* Centre frequency (Hz) of spectrum band k (0..MIXDOWN_BANDS-1). */
double mixdown_band_centre(size_t k);

/* A narrow spectral peak standing out of the smoothed long-term spectrum. */
typedef struct {
	double freq;              /* Hz */
	double prominence;        /* dB above the spectrum smoothed over 1/3 octave */
	double q;                 /* centre frequency over the -3 dB width */
} mixdown_resonance;

/* This analysis compared with a reference file or a spectral target; both
 * sides loudness-normalized first (band levels relative to the integrated
 * loudness). Positive deltas: this mix has more than the reference. */
typedef struct {
	char name[256];           /* reference path or target name */
	bool is_target;           /* a target (median and 10th/90th percentile) rather than one file */
	double ref_level[MIXDOWN_BANDS]; /* dB rel. integrated loudness: the reference, or the target median */
	double ref_low[MIXDOWN_BANDS], ref_high[MIXDOWN_BANDS]; /* target 10th/90th percentile (= ref_level for files) */
	double delta[MIXDOWN_BANDS];     /* dB: this minus ref_level (0 outside both spectra) */
	double broad_delta[MIXDOWN_BROAD_BANDS]; /* dB, the same for the broad bands */
	double tilt_delta;        /* dB per octave */
	double loudness_delta;    /* LU: integrated loudness, this minus reference (0 for targets without one) */
	double range_delta;       /* LU: loudness range */
	double plr_delta;         /* dB */
	double width_delta;       /* side/mid energy ratio difference (0 when either is mono) */
} mixdown_comparison;

/* One suggestion in an engineer's words, tied to a measurement. */
typedef struct {
	int priority;             /* 1 = fix before release, 2 = worth fixing, 3 = consider */
	char topic[24];           /* "loudness", "dynamics", "tone", "stereo", "problem", "masking", "alignment", "delivery" */
	char text[400];
} mixdown_feedback;

typedef struct {
	char path[1024];
	double sample_rate;       /* Hz */
	uint32_t channels;
	uint64_t frames;
	double duration;          /* s */
	bool loudness_only;       /* only `loudness` was measured (options.loudness_only) */
	struct {
		double integrated, range;           /* LUFS, LU (EBU Tech 3342) */
		double momentary_max, short_term_max; /* LUFS, evaluated every 10 ms */
		double true_peak, sample_peak;      /* dBTP (-INFINITY if not measured), dBFS */
	} loudness;
	struct {
		double crest_factor;  /* dB: sample peak over RMS (all channels pooled) */
		double plr;           /* dB: true peak (sample peak if not measured) - integrated */
		double psr_min;       /* dB: smallest (peak of last 3 s - short-term loudness) */
		double dr;            /* DR-meter value (dB, unrounded); -INFINITY if undefined */
		size_t n_ride;        /* gain-riding hints: short-term far above/below integrated */
		mixdown_analysis_range *ride; /* peak = mean short-term - integrated (LU) */
	} dynamics;
	struct {
		bool valid;           /* two or more channels (channels 0 and 1 are used) */
		double correlation;   /* -1..1; NAN-free: 0 when a side is silent */
		double width;         /* side/mid energy ratio (0 = mono); INFINITY when mid is silent */
		double balance;       /* dB, L over R energy (positive: left louder) */
		double mono_loudness; /* LUFS of (L+R)/2 on both speakers */
		double mono_drop;     /* LU: integrated - mono_loudness (mono floored at -70 LUFS) */
	} stereo;
	struct {
		uint64_t clipped_samples;  /* samples at/over full scale in runs of 3+, or over 1.0 */
		size_t n_clips; mixdown_analysis_range *clips; /* at most 1000 stretches */
		uint64_t overs;            /* 10 ms blocks with true peak > 0 dBTP */
		size_t n_overs; mixdown_analysis_range *overs_at; /* at most 1000 stretches */
		double *dc_offset;         /* per channel, linear mean (-1..1) */
		double dc_offset_max_dbfs; /* largest |mean| in dBFS */
		double leading_silence, trailing_silence; /* s below options.silence_dbfs */
		double noise_floor;        /* dBFS RMS of the quietest 2% of 50 ms blocks (digital silence excluded) */
		size_t n_messages; char (*messages)[256]; /* human-readable problem list */
	} problems;
	struct {
		double interval;      /* s */
		size_t n;
		double *momentary, *short_term; /* LUFS at t = (i+1)*interval */
		double *correlation;  /* over each interval; NULL for mono */
	} series;
	size_t n_delivery;
	mixdown_delivery_check *delivery;
	struct {
		bool valid;           /* false when the file is shorter than one analysis frame */
		double level[MIXDOWN_BANDS];      /* dBFS: long-term average power per band, all channels pooled
						     (a full-scale sine in band k on every channel reads -3.01) */
		double broad[MIXDOWN_BROAD_BANDS]; /* dB relative to the total power */
		double tilt;          /* dB per octave: least-squares slope of level over log2 f, 50 Hz - 16 kHz */
		double centroid;      /* Hz: power-weighted mean frequency */
		/* Per band, channels 0 and 1 (zeros for mono): */
		double pan[MIXDOWN_BANDS];         /* -1 left .. +1 right: Stereo Panning Spectrum (Tzanetakis et al.,
						      ISMIR 2007), power-weighted mean over frames */
		double correlation[MIXDOWN_BANDS]; /* -1..1 */
		double mono_drop[MIXDOWN_BANDS];   /* dB: stereo band level minus that of (L+R)/2 on both speakers
						      (positive: the band loses level in mono) */
		size_t n_resonances;  /* strongest first, at most 8 */
		mixdown_resonance *resonances;
		size_t n_sibilance;   /* stretches of harsh sibilance; peak = dB of 5-10 kHz above the mix's average */
		mixdown_analysis_range *sibilance;
	} spectrum;
	/* Stereo image density: counts of frames (channels 0 and 1) in a
	 * MIXDOWN_SCOPE^2 grid, row-major counts[y * MIXDOWN_SCOPE + x], with
	 * x = cell of side S = (L-R)/2 and y = cell of mid M = (L+R)/2, each
	 * floor((v / vectorscope_scale + 1) * MIXDOWN_SCOPE / 2) clamped to
	 * 0..MIXDOWN_SCOPE-1: x grows with S (towards L), y with M; 0 falls in
	 * cell MIXDOWN_SCOPE/2, so L = R fills column 24, L = -R row 24 and a
	 * left-only signal the diagonal x = y. Frames with L = R = 0 are not
	 * counted. NULL for mono or no audio. */
	uint32_t *vectorscope;
	double vectorscope_scale; /* full scale units: the grid's half-width, the smallest 2^-k (k = 0..7)
				     at or above the file's largest |M| or |S| (1 when louder) */
	size_t n_compare;         /* references and targets compared (mixdown_analysis_compare*) */
	mixdown_comparison *compare;
	size_t n_feedback;        /* prioritized, most important first (mixdown_analysis_feedback) */
	mixdown_feedback *feedback;
} mixdown_analysis;

/* Delivery presets (targets from docs and platform documentation). */
size_t mixdown_delivery_preset_count(void);
const char *mixdown_delivery_preset_name(size_t i);

/* Analyze one file. On failure *out is NULL; MIXDOWN_ERR_AUDIO names the file,
 * MIXDOWN_ERR_USAGE an unknown opts->target. `opts` may be NULL. */
mixdown_status mixdown_analyze_file(const char *path, const mixdown_analysis_options *opts,
				    mixdown_analysis **out, mixdown_error *err);
void mixdown_analysis_free(mixdown_analysis *a);

/* Write one analysis as the versioned JSON document of docs/analysis-json.md
 * ({"schema": "mixdown-analysis/1", "files": [...]}). Returns 0, or -1 on a
 * write error. */
int mixdown_analysis_write_json(const mixdown_analysis *a, FILE *f);
/* The same for several files: one object per file under "files", in order. */
int mixdown_analysis_write_json_many(const mixdown_analysis *const *a, size_t n, FILE *f);

/* ---------------------------------------------------- references and targets */
/* A spectral target: the band levels a style of mix tends to have, relative
 * to its integrated loudness (dB re. LUFS), as median and 10th/90th
 * percentile. Built-in genre targets document their sources in
 * docs/targets.md; mixdown_target_build() makes one from reference analyses. */
typedef struct {
	char name[128];
	char source[512];         /* where the numbers come from */
	size_t n_files;           /* analyses it was built from (0 for a built-in model) */
	double median[MIXDOWN_BANDS], p10[MIXDOWN_BANDS], p90[MIXDOWN_BANDS]; /* dB rel. integrated loudness;
									    -INFINITY = no data */
	double loudness, range, plr; /* medians: LUFS, LU, dB; NAN when not part of the target */
} mixdown_target;

size_t mixdown_target_builtin_count(void);
const mixdown_target *mixdown_target_builtin(size_t i);
const mixdown_target *mixdown_target_find(const char *name); /* built-in by name, or NULL */
/* Read a target written by mixdown_target_write (JSON, schema
 * "mixdown-target/1"). MIXDOWN_ERR_AUDIO-free: errors are MIXDOWN_ERR_SESSION
 * naming the file and the key. */
mixdown_status mixdown_target_load(const char *path, mixdown_target *out, mixdown_error *err);
int mixdown_target_write(const mixdown_target *t, FILE *f); /* 0, or -1 on a write error */
/* Median and 10th/90th percentile per band over n >= 1 analyses with a valid
 * spectrum and a finite integrated loudness. */
mixdown_status mixdown_target_build(const mixdown_analysis *const *a, size_t n, const char *name,
				    mixdown_target *out, mixdown_error *err);
/* Append a comparison to a->compare. Return 0, or -1 when out of memory. */
int mixdown_analysis_compare_file(mixdown_analysis *a, const mixdown_analysis *reference);
int mixdown_analysis_compare_target(mixdown_analysis *a, const mixdown_target *t);
/* (Re)build a->feedback from the measurements, comparisons and delivery
 * checks in `a`. Return 0, or -1 when out of memory. */
int mixdown_analysis_feedback(mixdown_analysis *a);

/* ------------------------------------------------------ multitrack analysis */
/* Two tracks that carry the same source (multi-mic recordings, duplicated
 * parts): b relative to a. */
typedef struct {
	char a[128], b[128];      /* track names */
	double correlation;       /* 0..1: peak of the normalized cross-correlation, magnitude */
	double offset_ms;         /* b lags a by this (negative: b is early); sub-sample precision */
	bool inverted;            /* the peak is negative: b's polarity is opposite to a's */
} mixdown_alignment;

/* Track `masker` covers track `masked` in a frequency region. */
typedef struct {
	char masked[128], masker[128];
	double low_hz, high_hz;   /* the region (one-third-octave band edges) */
	double amount;            /* dB: masker band level above the masked track's, mean over frames where both play */
	double cut_hz;            /* where to cut the masker */
	double overlap;           /* 0..1: share of the masked track's active time that both play */
} mixdown_masking;

typedef struct {
	char path[1024];          /* session file, or "" for a set of files */
	mixdown_analysis *mix;    /* the session's master output; NULL for a set of files */
	size_t n_tracks;          /* tracks and buses of the session, or the files */
	char (*names)[128];
	bool *is_bus;
	mixdown_analysis **tracks;
	size_t n_alignment;
	mixdown_alignment *alignment;
	size_t n_masking;         /* largest first */
	mixdown_masking *masking;
	size_t n_feedback;        /* multitrack suggestions (empty tracks, masking, alignment) */
	mixdown_feedback *feedback;
} mixdown_multitrack_analysis;

/* Render a session (as mixdown_render would, without writing files) and
 * analyze the mix and every track and bus (post-fader, aligned with the mix),
 * plus alignment and masking between tracks. */
mixdown_status mixdown_analyze_session(const char *session_path, const mixdown_analysis_options *opts,
				       mixdown_multitrack_analysis **out, mixdown_error *err);
/* Analyze files as the tracks of one mix (same rate; read side by side from
 * their starts): each file, plus alignment and masking between them. */
mixdown_status mixdown_analyze_tracks(const char *const *paths, size_t n, const mixdown_analysis_options *opts,
				      mixdown_multitrack_analysis **out, mixdown_error *err);
void mixdown_multitrack_analysis_free(mixdown_multitrack_analysis *m);
/* The analysis as JSON: "files" (the mix first, then every track and bus) and
 * "multitrack" (docs/analysis-json.md). Returns 0, or -1 on a write error. */
int mixdown_multitrack_write_json(const mixdown_multitrack_analysis *m, FILE *f);

/* Self-contained HTML report (inline SVG, no script or network): loudness
 * over time, spectrum against references and targets, correlation over time,
 * vectorscope, and with `m` per-track levels and the masking map. `m` may be
 * NULL. Returns 0, or -1 on a write error. */
int mixdown_analysis_write_html(const mixdown_analysis *const *a, size_t n, const mixdown_multitrack_analysis *m,
				FILE *f);

/* ---------------------------------------------------------------- mastering */
/* Mastering presets (docs/mastering.md): integrated loudness target and
 * true-peak ceiling of a platform or delivery specification. */
typedef struct {
	const char *name;         /* "spotify", "ebu", ... */
	const char *label;
	double loudness;          /* LUFS */
	double loudness_mono;     /* LUFS for mono files (podcast -19), else = loudness */
	double true_peak;         /* dBTP ceiling */
	const char *source;
} mixdown_master_preset;
size_t mixdown_master_preset_count(void);
const mixdown_master_preset *mixdown_master_preset_get(size_t i);
const mixdown_master_preset *mixdown_master_preset_find(const char *name); /* NULL if unknown */

typedef struct {
	const char *preset;       /* a preset name, or NULL (then loudness must be set) */
	double loudness;          /* LUFS; NAN = the preset's (or the reference's with `reference`) */
	double true_peak;         /* dBTP ceiling; NAN = the preset's, else -1 */
	const char *reference;    /* match this record's loudness and tonal balance; NULL = none */
	double match_amount;      /* 0..1 of the tonal correction; default 1 */
	const char *chain;        /* file with a master chain in the session syntax (docs/mastering.md); NULL = none */
	double warn_limiting;     /* dB: warn when the limiter takes more than this at its peak; default 3 */
	mixdown_format format;    /* AUTO = from the output's extension */
	mixdown_sample_format sample; /* AUTO = 24-bit */
	mixdown_dither dither;    /* for integer output; AUTO = TPDF where needed */
	double sample_rate;       /* Hz of the output; 0 = the input's */
	double fixed_gain;        /* dB: apply this gain in one pass instead of targeting (pre-masters); NAN = target */
	bool no_limiter;          /* gain only (pre-masters for a mastering engineer) */
} mixdown_master_options;
mixdown_master_options mixdown_master_options_init(void);

typedef struct {
	char output[1024];
	double target_loudness, ceiling;   /* LUFS, dBTP actually aimed at */
	double in_loudness, in_true_peak;  /* the input after the chain and matching, before gain */
	double gain;                       /* dB applied before the limiter */
	double loudness, true_peak, sample_peak; /* of the written file, measured from it */
	double limiting_max, limiting_mean; /* dB of gain reduction: largest, and mean over the audible blocks */
	int passes;                         /* renders until the target was met */
	bool met;                           /* within 0.1 LU and at or below the ceiling */
	double sample_rate;                 /* Hz of the file */
	int bits;                           /* 16, 24 or 32 (float) */
	uint64_t frames;
	char steps[512];                    /* the chain that ran, e.g. "chain (eq, multiband) > match 100% > gain > limiter" */
	double match_mid[31], match_side[31]; /* dB per one-third-octave band of the tonal correction (0 without) */
	char warning[512];                  /* "" or why the result needs a look */
} mixdown_master_report;

/* Master one file into `output` (temp file + rename; never over the input or
 * the reference). Measures, applies a gain, true-peak-limits to the ceiling,
 * measures the written file again and corrects until the integrated loudness
 * is within 0.1 LU of the target and the true peak at or below the ceiling
 * (at most 10 renders; report->met says whether it got there). */
mixdown_status mixdown_master_file(const char *input, const char *output, const mixdown_master_options *opt,
				   mixdown_master_report *report, mixdown_error *err);
/* Album mode: one gain for every song (the album's integrated loudness, all
 * songs measured as one programme, reaches the target), each song limited to
 * the ceiling and corrected so the loudness differences between songs stay
 * as they were. Writes out_dir/<input name>.<ext>; reports[n]. */
mixdown_status mixdown_master_album(const char *const *inputs, size_t n, const char *out_dir,
				    const mixdown_master_options *opt, mixdown_master_report *reports,
				    mixdown_error *err);
/* Deliverables in one go: `what` is a comma-separated list of "streaming"
 * (24-bit at the input rate, the options' target), "cd" (16-bit 44.1 kHz
 * TPDF-dithered, the same target) and "mastering-engineer" (24-bit at the
 * input rate, no limiting, true peak at -6 dBTP when the mix is louder).
 * Writes out_dir/<input name>.<deliverable>.wav; fills reports[0..2]. */
mixdown_status mixdown_master_deliver(const char *input, const char *out_dir, const char *what,
				      const mixdown_master_options *opt, mixdown_master_report *reports,
				      size_t *n_reports, mixdown_error *err);
/* The report as a JSON object (docs/mastering.md). 0, or -1 on a write error. */
int mixdown_master_report_write_json(const mixdown_master_report *r, FILE *f, const char *indent);

/* ----------------------------------------------------------------- translate */
/* How a mix translates to other playback systems (`mixdown translate`): the
 * mix goes through a model of each system (phone, laptop, earbuds, car, TV,
 * club PA, mono Bluetooth speaker; docs/translate.md lists every model's
 * filters, documented curve and sources, and which are approximations), a
 * loudness-matched listening file per system can be written, and what
 * changes is measured: loudness, the bass below 120 Hz and whether the bass
 * line is still heard (its fundamentals, or two or more of its harmonics),
 * the 1-4 kHz vocal band against the rest, one-third-octave bands that
 * become masked, and for mono systems what cancels in the fold-down. Mono
 * and stereo files at any rate, streamed. Units: LUFS, LU, dB, Hz. */
#define MIXDOWN_TRANSLATE_MAX_CURVE 32
#define MIXDOWN_TRANSLATE_MAX_MASKING 3
#define MIXDOWN_TRANSLATE_MAX_NOTES 6

typedef enum {
	MIXDOWN_BASS_NONE = 0,     /* no bass line in the mix (or too little of one to judge) */
	MIXDOWN_BASS_KEPT,         /* at least half of the bass frames keep their fundamental */
	MIXDOWN_BASS_HARMONICS,    /* else at least half are heard, most through two or more harmonics */
	MIXDOWN_BASS_LOST,         /* else: more than half keep neither */
} mixdown_bass_verdict;

typedef struct {
	double hz;                 /* centre of the band that becomes masked */
	double masker_hz;          /* centre of the band masking it most often */
	double share_before;       /* 0..1: frames (where the band plays) in which it is masked in the mix */
	double share_after;        /* 0..1: the same through the system */
} mixdown_translate_masking;

typedef struct {
	char name[24];             /* "phone", "laptop", "earbuds", "car", "tv", "club", "mono-speaker" */
	char label[64];
	char source[256];
	bool mono;                 /* played as (L+R)/2 */
	bool approximation;        /* a parametric approximation rather than a measured curve */
	size_t n_curve;            /* the documented curve the model reproduces */
	double curve_hz[MIXDOWN_TRANSLATE_MAX_CURVE], curve_db[MIXDOWN_TRANSLATE_MAX_CURVE];
	double response[MIXDOWN_BANDS]; /* dB at the band centres at the file's rate (-INFINITY above Nyquist) */
	char file[1024];           /* listening file written, or "" */
	double file_gain;          /* dB applied to the listening file (loudness match, peak <= -1 dBFS) */
	double loudness;           /* LUFS through the system (mono systems: on both speakers) */
	double loudness_change;    /* LU: loudness minus the mix's */
	double low_change;         /* dB: power below 120 Hz, system minus mix (NAN: no bass in the mix) */
	mixdown_bass_verdict bass;
	double bass_kept, bass_harmonics, bass_lost; /* 0..1: shares of the frames where a bass line plays */
	double vocal_balance;      /* dB: 1-4 kHz power over the rest, through the system */
	double vocal_change;       /* dB: vocal_balance minus the mix's */
	double band_change[MIXDOWN_BANDS]; /* dB: band level through the system minus the mix's (NAN: silent band) */
	double mono_drop;          /* LU: (mono systems, stereo mix) loudness lost by the fold-down alone; else 0 */
	double mono_band_drop[MIXDOWN_BANDS]; /* dB: per band, stereo level minus the fold's (0 for stereo systems) */
	double mono_worst_hz;      /* band with the largest drop among those carrying the mix (0: none) */
	double mono_worst_drop;    /* dB */
	size_t n_masking;          /* bands that become masked, largest increase first */
	mixdown_translate_masking masking[MIXDOWN_TRANSLATE_MAX_MASKING];
	double score;              /* how badly the mix translates (docs/translate.md), 0 = nothing lost */
	size_t n_notes;            /* what changes, in words, most important first */
	char notes[MIXDOWN_TRANSLATE_MAX_NOTES][256];
} mixdown_translate_system;

typedef struct {
	char path[1024];
	double sample_rate;        /* Hz */
	uint32_t channels;
	uint64_t frames;
	double duration;           /* s */
	double loudness;           /* LUFS of the mix (BS.1770) */
	double vocal_balance;      /* dB: the mix's 1-4 kHz power over the rest */
	double bass_seconds;       /* s during which a bass line plays */
	size_t n_systems;
	mixdown_translate_system *systems;
	size_t worst;              /* index of the system the mix translates worst to */
	char summary[512];         /* one line naming it and why */
} mixdown_translate_result;

/* Measure how the mix at mix_path translates. With out_dir (an existing
 * directory) each listening file is written as out_dir/<mix name>.<system>.wav
 * (24-bit WAV at the mix's rate, via a temporary file renamed into place);
 * an output that is the input is refused (MIXDOWN_ERR_USAGE). out_dir NULL:
 * no files. On failure *out is NULL; an unreadable file or one with more
 * than two channels is MIXDOWN_ERR_AUDIO. */
mixdown_status mixdown_translate(const char *mix_path, const char *out_dir, mixdown_translate_result **out,
				 mixdown_error *err);
void mixdown_translate_free(mixdown_translate_result *r);
/* The result as JSON ({"schema": "mixdown-translate/1", ...}, docs/translate.md). 0, or -1 on a write error. */
int mixdown_translate_write_json(const mixdown_translate_result *r, FILE *f);
/* A self-contained HTML report (inline SVG, no script or network): every
 * model's response and the per-system changes. 0, or -1 on a write error. */
int mixdown_translate_write_html(const mixdown_translate_result *r, FILE *f);

/* --------------------------------------------------------- real-time playback */

/* The session played in real time through a JACK client (src/realtime):
 * clips stream from a disk thread through lock-free ring buffers, the engine
 * runs in the JACK process callback (no allocation, lock or I/O there), and
 * gain/pan/mute/transport can be changed live, also over OSC (docs/osc.md).
 * Only in builds with JACK and liblo; otherwise open fails with
 * MIXDOWN_ERR_USAGE. All functions: control thread. */
typedef struct mixdown_player mixdown_player;

typedef struct {
	const char *client_name; /* JACK client name; NULL = "mixdown" */
	/* Comma-separated ports the master outputs connect to, in order (output
	 * i to port i); NULL = the system's physical playback ports; "" = none. */
	const char *connect;
	int osc_port;            /* UDP port for OSC (docs/osc.md); 0 = no OSC */
	/* IPv4 address the OSC port is bound to; NULL = "127.0.0.1" (this
	 * machine only). "0.0.0.0" accepts control from any machine. */
	const char *osc_bind;
	bool start_stopped;      /* wait for play instead of playing at once */
	/* Session file to watch: when it is saved, it is parsed, validated and
	 * built off the audio thread and swapped in with a crossfade; an invalid
	 * edit is reported (mixdown_player_status.reload_error) and the old
	 * session keeps playing. NULL = no watching. */
	const char *watch_path;
	/* Live inputs in_1..in_N exist when tracks use `input:` (N = the highest
	 * number): comma-separated ports connected to in_1, in_2... in order;
	 * NULL = the system's physical capture ports; "" = none. */
	const char *connect_inputs;
	/* Start, stop and locate with the JACK transport (JACK frame = session
	 * timeline frame); play/stop/locate then move the JACK transport. */
	bool follow_transport;
	/* A post-fader output port per bus, "<bus>_1".."<bus>_N" (N = master
	 * channels), aligned sample for sample with the master outputs. */
	bool bus_outputs;
	/* "jack", "alsa" or NULL (auto: JACK, and ALSA when no JACK server
	 * runs). ALSA plays the master only: no live inputs (`input:` tracks are
	 * silent), no bus outputs, no transport following (docs/playback.md). */
	const char *backend;
	const char *device;      /* ALSA PCM name (aplay -L); NULL = "default" */
	uint32_t period;         /* ALSA period, frames; 0 = 256 (JACK sets its own) */
	/* Cores that process independent strips (mixdown_engine_set_threads():
	 * 1 = one, the default of options_init; 0 = auto; workers get SCHED_FIFO
	 * one priority below JACK's real-time priority when JACK runs real-time). */
	unsigned threads;
	/* Headphone version of the master (JACK only): two ports get the layout
	 * rendered through virtual speakers and an HRTF (docs/spatial.md,
	 * "Binaural"); hrtf: a SOFA file, NULL = the session's `hrtf:`, else
	 * libmysofa's installed MIT KEMAR set. */
	bool binaural;
	const char *hrtf;
} mixdown_player_options;

mixdown_player_options mixdown_player_options_init(void);

/* The session must outlive the player. Fails (MIXDOWN_ERR_AUDIO) when no
 * JACK server runs and the ALSA device cannot be opened (or with backend
 * "jack", when none runs), or the rate differs from the session's. */
mixdown_status mixdown_player_open(const mixdown_session *session, const mixdown_player_options *opt,
				   mixdown_player **out, mixdown_error *err);
void mixdown_player_close(mixdown_player *p);

void mixdown_player_play(mixdown_player *p);
void mixdown_player_stop(mixdown_player *p);
void mixdown_player_locate(mixdown_player *p, double seconds); /* session timeline */
/* Locate to a position as mixdown_session_position() reads it ("17:1",
 * "17:1:240", "62.5"); false (nothing done) when `pos` is not one. */
bool mixdown_player_locate_bars(mixdown_player *p, const char *pos);
/* Loop [start_s, end_s) of the session timeline (end_s <= start_s: off).
 * The wrap is seamless (the disk thread reads across it) with a 5 ms fade-out
 * and fade-in; effect tails carry over (docs/playback.md). Setting it
 * re-buffers from the current position, like a locate. */
void mixdown_player_loop(mixdown_player *p, double start_s, double end_s);
/* Live fader (dB), pan (-1..+1), mute of a track or bus by name; false if
 * no such strip. Smoothed on the audio thread (10 ms). */
bool mixdown_player_set(mixdown_player *p, const char *strip, const char *param, double value);
/* mixdown_player_set() with the reason for a refusal. `strip`: a track or bus
 * name, or "master". `param`: "gain" (dB), "pan" (-1..+1), "mute", "solo"
 * (>= 0.5 = on; solo-in-place as in the session), "send:<bus>" (dB, the
 * strip's send to that bus), "insert:<n>:<param>" (n: the insert's 1-based
 * position on the strip or its `id:`; param: the processor's parameter, e.g.
 * "threshold" or "bands.2.gain", in its unit; automatable parameters only),
 * "insert:<n>:bypass" (>= 0.5 = bypassed; 20 ms crossfade; not for inserts
 * bypassed in the session file), "polarity" (>= 0.5 = inverted; 10 ms fade),
 * "width" (0..2). The master takes gain, polarity, width and insert ones. Values where an automation
 * lane drives the same target are ignored. MIXDOWN_ERR_USAGE with err saying
 * why (no such strip/parameter, not changeable live, the queue full). */
mixdown_status mixdown_player_control(mixdown_player *p, const char *strip, const char *param, double value,
				      mixdown_error *err);
/* Write the live values that differ from the session (faders, pans, mutes,
 * solos, send levels, insert parameters) into the session file at `path`
 * (normally the file it was loaded from). Only those values change in the
 * text: comments, layout and everything else stay byte for byte; a missing
 * key is added on its own line. Temp file + rename; on any error the file is
 * untouched (MIXDOWN_ERR_IO, or MIXDOWN_ERR_SESSION when the file's text
 * cannot take a value, e.g. one shared through a YAML anchor). */
mixdown_status mixdown_player_save(mixdown_player *p, const char *path, mixdown_error *err);

typedef struct {
	double position;      /* s, timeline frame of the next output */
	double end;           /* s, end of the session (last clip + tail) */
	double sample_rate;
	uint32_t period;      /* frames per cycle (JACK's or the ALSA device's) */
	bool playing;
	bool waiting;         /* playing, but the disk thread is still filling after a locate */
	float peak_dbfs;      /* master sample peak since the previous call; -inf if silent */
	uint64_t underruns;   /* track blocks the disk stream could not deliver in time */
	uint64_t xruns;       /* JACK xruns */
	uint64_t osc_messages, osc_rejected;
	char error[256];      /* the disk thread's first error (unreadable file), or "" */
	/* 0..1+: share of a period spent in the process callback (timed with
	 * jack_get_time()): the highest of the last 0.5-1 s (reading does not
	 * reset it) and an average with a 1 s time constant. */
	double dsp_load, dsp_load_avg;
	double momentary_lufs, short_term_lufs, integrated_lufs; /* master, BS.1770; -inf until measured */
	uint64_t reloads;     /* sessions swapped in from watch_path */
	char reload_error[512]; /* the last rejected edit ("file:line:column: ..."), "" after a good one */
	double loop_start, loop_end; /* s; loop_end <= loop_start: no loop */
	char backend[192];    /* "jack" or "alsa \"DEVICE\", FORMAT, PERIODS x FRAMES frames, priority" */
	/* dBTP of the master (ITU-R BS.1770-4 Annex 2, 4x oversampled), the
	 * highest since playback started; -inf until measured. */
	double true_peak_dbtp;
} mixdown_player_status;

void mixdown_player_get_status(mixdown_player *p, mixdown_player_status *st);

/* Reload the session from `path` now (what watching does on a save): parse,
 * validate, build and pre-roll it off the audio thread, then swap it in at a
 * block boundary with a short crossfade. On failure the old session keeps
 * playing and err says why (file:line:column for session errors). */
mixdown_status mixdown_player_reload(mixdown_player *p, const char *path, mixdown_error *err);

/* A strip's live state: the session's values until changed live. */
typedef enum { MIXDOWN_STRIP_TRACK, MIXDOWN_STRIP_BUS, MIXDOWN_STRIP_MASTER } mixdown_strip_kind;

typedef struct {
	char name[64];
	mixdown_strip_kind kind;
	double gain_db;        /* fader */
	double pan;            /* -1..+1 */
	bool mute, solo;
	double width;          /* 0..2 (the session's `width:`) */
	bool invert;           /* polarity inverted (the session's `invert:`) */
} mixdown_strip_state;

/* Fills up to `max` strips (tracks, buses, then the master) and returns how
 * many the session has. */
size_t mixdown_player_strips(mixdown_player *p, mixdown_strip_state *out, size_t max);

/* A strip's meters, as the audio thread measured its post-fader output. */
typedef struct {
	/* Readings are not reset by reading: any number of readers (terminal,
	 * OSC, console) see the same values. */
	float peak_dbfs;        /* sample peak of the last 100-150 ms; -inf if silent */
	float rms_dbfs;         /* RMS, one-pole over 300 ms (time constant); -inf if silent */
	float peak_hold_dbfs;   /* highest peak of the last 2 s */
	bool clip;              /* a sample reached 0 dBFS within the last 2 s */
	float gain_reduction_db;/* deepest gain reduction of its dynamics inserts now, >= 0 */
} mixdown_strip_meter;

/* Same order as mixdown_player_strips(); returns the strip count. */
size_t mixdown_player_meters(mixdown_player *p, mixdown_strip_meter *out, size_t max);

/* The strips as the browser console (`mixdown serve`, docs/console.md) shows
 * them beyond mixdown_player_strips(): a JSON array, tracks, buses, then the
 * master, of {name, kind, colour, group, invert, sends: [{bus, level (dB;
 * -1e999 for -inf), pre}], inserts: [{n, id, type, bypass, params: {path:
 * value}}]} with each insert's automatable parameters ("threshold",
 * "bands.2.gain"; EQ band types by name; bands left at their defaults out).
 * malloc'd text (free() it); NULL when out of memory. Any thread. */
char *mixdown_session_strips_json(const mixdown_session *session);

/* ------------------------------------------------------------------ automix */
/* The mix assistant (`mixdown automix`, docs/automix.md): stems in, a plan
 * of decisions out (role, bus, order, colour, clip gain, fader, pan, width,
 * polarity, time offset, master target), each with its reason, written as
 * an ordinary commented session. Deterministic. Control thread only. */
typedef struct mixdown_automix mixdown_automix;

typedef struct {
	const char *genre;        /* pop (default), rock, hiphop, electronic, acoustic, classical, podcast */
	const char *reference;    /* a record whose loudness the master aims at; NULL = none */
} mixdown_automix_options;
mixdown_automix_options mixdown_automix_options_init(void);

/* Analyze the stems (files, or folders of audio files) and decide. */
mixdown_status mixdown_automix_plan(const char *const *inputs, size_t n, const mixdown_automix_options *opt,
				    mixdown_automix **out, mixdown_error *err);
/* Write the plan as a session (temp file + rename; refuses an existing file
 * unless `overwrite`, and never writes over a stem). */
mixdown_status mixdown_automix_write(const mixdown_automix *am, const char *session_path, bool overwrite,
				     mixdown_error *err);
/* The decisions and their reasons as a text report. 0, or -1 on a write error. */
int mixdown_automix_explain(const mixdown_automix *am, FILE *f);
void mixdown_automix_free(mixdown_automix *am);

/* ---------------------------------------------------------------- DAWproject */
/* Import and export of DAWproject 1.0 (the open exchange format of Bitwig,
 * Studio One, Cubase; a zip holding project.xml, metadata.xml and audio/),
 * docs/dawproject.md. Only in builds with libxml2 and libzip; otherwise every
 * function fails with MIXDOWN_ERR_USAGE. Control thread only. */
#define MIXDOWN_DAWPROJECT_MAX_NOTES 64

typedef struct {
	size_t n_tracks, n_buses, n_clips, n_lanes, n_inserts; /* what was carried over */
	/* Audio files the project names but does not contain (import: those clips are left out,
	 * the session says so in comments). */
	size_t n_missing;
	char missing[MIXDOWN_DAWPROJECT_MAX_NOTES][256];
	/* Plugins that cannot be hosted, kept as bypassed placeholders ("Track: Vst3Plugin Name"). */
	size_t n_placeholders;
	char placeholders[MIXDOWN_DAWPROJECT_MAX_NOTES][256];
	/* What could not be carried over, one line each ("Bass: 1 note clip (MIDI) left out"). */
	size_t n_lost;
	char lost[MIXDOWN_DAWPROJECT_MAX_NOTES][256];
	char audio_dir[1024];   /* import: folder the audio was extracted to ("" when none) */
} mixdown_dawproject_report;

/* Convert `project` (a .dawproject zip, or a bare project.xml whose audio paths are
 * relative to its folder) into a session at `session_path` (temp file + rename; an
 * existing file is kept unless `overwrite`). Audio is extracted to
 * SESSION_DIR/<session name>-audio/. The written session is loaded once to validate
 * it. Errors in the XML name the project file, the XML line and the element
 * (MIXDOWN_ERR_SESSION); missing audio is not an error (listed in the report). */
mixdown_status mixdown_dawproject_import(const char *project, const char *session_path, bool overwrite,
					 mixdown_dawproject_report *report, mixdown_error *err);
/* Write the session as a .dawproject (temp file + rename; refuses an output that is one
 * of the session's inputs; an existing file is kept unless `overwrite`). Clip audio is
 * copied into the zip's audio/ folder. What DAWproject cannot express is listed. */
mixdown_status mixdown_dawproject_export(const mixdown_session *session, const char *project, bool overwrite,
					 mixdown_dawproject_report *report, mixdown_error *err);
/* Validate the project.xml of `project` (zip or bare XML) against the XML schema at
 * `xsd_path` (Project.xsd). MIXDOWN_ERR_SESSION with the first problem's line. */
mixdown_status mixdown_dawproject_validate(const char *project, const char *xsd_path, mixdown_error *err);

/* ---------------------------------------------- clean-up before the mix */

/* `mixdown clean` (docs/clean.md): strip silence, DC, alignment, repair proposals. */
typedef struct {
	const char *const *tracks; /* the tracks to clean; NULL or n_tracks 0 = every clip track */
	size_t n_tracks;
	bool strip_silence, declick, declip, denoise, dehum, dc; /* the detectors to run */
	const char *align_ref;     /* align the chosen tracks to this track (time, polarity); NULL = no */
	bool apply;                /* write the proposals into the session file (temp + rename) */
	bool json;                 /* the report as JSON instead of text */
} mixdown_clean_options;
mixdown_clean_options mixdown_clean_options_init(void); /* every detector but align; report only */
/* Analyse the tracks' clips of the session at `session_path`, write what was found and
 * what is proposed to `report`, and with opt->apply write the proposals into the session
 * file (comments and layout kept; audio files are never written). MIXDOWN_ERR_USAGE for
 * an unknown track name; load errors as mixdown_session_load; MIXDOWN_ERR_AUDIO/IO for
 * reading audio or writing the session. Deterministic. Control thread. */
mixdown_status mixdown_clean(const char *session_path, const mixdown_clean_options *opt, FILE *report,
			     mixdown_error *err);

/* `mixdown comp` (docs/session-format.md, "Comping"): a comped track's takes
 * side by side. Sections are the comp's ranges, or with section_s > 0
 * consecutive sections of that many seconds over the takes' extent. */
#define MIXDOWN_COMP_MAX_TAKES 16
typedef struct {
	double start, end;                          /* s on the timeline */
	double rms_db[MIXDOWN_COMP_MAX_TAKES];      /* RMS level of each take over the section, dBFS; -inf if silent or absent */
	double peak_db[MIXDOWN_COMP_MAX_TAKES];     /* sample peak, dBFS */
	int chosen;                                 /* index of the take the comp plays there (the longest share), -1 = none */
} mixdown_comp_section;
typedef struct {
	size_t n_takes;
	char take_names[MIXDOWN_COMP_MAX_TAKES][64];
	size_t n_sections;
	mixdown_comp_section *sections;             /* owned; free with mixdown_comp_table_free */
} mixdown_comp_table;
mixdown_status mixdown_comp_table_build(const mixdown_session *session, const char *track, double section_s,
					mixdown_comp_table *out, mixdown_error *err);
void mixdown_comp_table_free(mixdown_comp_table *t);
/* Rewrite the `comp:` of `track` in the session file so that take `take` plays
 * over [from, to) s (the other ranges are cut around it; comments elsewhere are
 * kept; temp file + rename). MIXDOWN_ERR_USAGE for an unknown track or take. */
mixdown_status mixdown_comp_pick(const char *session_path, const char *track, const char *take, double from,
				 double to, mixdown_error *err);

/* `mixdown podcast` (docs/podcast.md): voices + music bed -> a session and a mastered episode. */
#define MIXDOWN_PODCAST_MAX_VOICES 16
typedef struct {
	const char *const *voices;  /* one file per speaker, 1..MIXDOWN_PODCAST_MAX_VOICES */
	size_t n_voices;
	const char *music;          /* the music bed, or NULL */
	const char *output;         /* the episode file */
	const char *session_path;   /* also write the built session there; NULL = none */
	const char *target;         /* mastering preset; NULL = "podcast" (-16 LUFS, -1 dBTP) */
	const char *stems_dir;      /* also render every track and bus there (checks); NULL = none */
} mixdown_podcast_options;
typedef struct {
	size_t n_voices;
	double voice_lufs[MIXDOWN_PODCAST_MAX_VOICES];  /* speech loudness as recorded (gated), LUFS */
	double voice_gain_db[MIXDOWN_PODCAST_MAX_VOICES]; /* static clip gain to the common level */
	double ride_min_db[MIXDOWN_PODCAST_MAX_VOICES], ride_max_db[MIXDOWN_PODCAST_MAX_VOICES]; /* trim lane */
	size_t ride_points[MIXDOWN_PODCAST_MAX_VOICES];
	double music_lufs, music_gain_db;               /* the bed as recorded; its clip gain */
	double duck_db;                                 /* ducking depth under speech (negative dB) */
	mixdown_render_report render;                   /* loudness and true peak of the episode */
} mixdown_podcast_report;
/* Build the session, write it when asked, render the episode. The same inputs
 * always give the same session and the same file. Errors as mixdown_render;
 * MIXDOWN_ERR_AUDIO names an unreadable input. Control thread. */
mixdown_status mixdown_podcast(const mixdown_podcast_options *opt, mixdown_podcast_report *rep, mixdown_error *err);

#ifdef __cplusplus
}
#endif
#endif
