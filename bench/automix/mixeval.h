/* mixdown bench — mixeval: objective comparison of an output mix with a target (reference) mix.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Implements the metrics of the open mix-evaluation suite used by FxNorm-Automix and the
 * automix-toolkit (Steinmetz, Martinez-Ramirez et al.; `automix/evaluation/utils_evaluation.py`),
 * as described in ../shared/docs/mixing-knowledge.md §2.1: every feature is computed frame by frame
 * on the output and on the target, smoothed by a running mean over 40 frames, and compared by the
 * mean absolute percentage error (MAPE, target as the true value: mean |t - o| / max(|t|, eps)).
 * A MAPE of 0 means identical features; 1 means "off by 100 % of the target value".
 *
 * Groups (each a separate file): loudness (mxe_loudness.c), spectral (mxe_spectral.c), panning
 * (mxe_panning.c), dynamics (mxe_dynamics.c); the silence trim, running mean and MAPE are in
 * mxe_common.c, the sqrt-Hann STFT in mxe_stft.c, the per-stem loudness balance in mxe_stems.c.
 *
 * Units: samples are float, full scale 1.0, interleaved; rates in Hz; levels in dB/LUFS.
 * Ownership: mxe_audio returned by mxe_read_audio is owned by the caller (mxe_audio_free); the
 * metric functions take non-owning views and allocate only their scratch (freed before return).
 * Threads: every function is reentrant; nothing here is meant for an audio thread.
 */
#ifndef MIXDOWN_BENCH_MIXEVAL_H
#define MIXDOWN_BENCH_MIXEVAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Interleaved audio, or a view into it. */
typedef struct {
	float *x;
	int64_t frames;
	int channels;
	double rate;
} mxe_audio;

enum {
	MXE_LUFS,          /* per-frame BS.1770 loudness, LUFS */
	MXE_PEAK,          /* per-frame sample peak, dBFS */
	MXE_CENTROID,      /* spectral centroid, Hz (+1 Hz, as coded by the suite) */
	MXE_BANDWIDTH,     /* spectral bandwidth p = 2, Hz (+1 Hz) */
	MXE_CONTRAST_LOW,  /* spectral contrast 0-250 Hz, dB */
	MXE_CONTRAST_MID,  /* spectral contrast 250-2000 Hz (mean of three octaves), dB */
	MXE_CONTRAST_HIGH, /* spectral contrast above 2000 Hz, dB */
	MXE_ROLLOFF,       /* 85 % roll-off frequency, Hz (+1 Hz) */
	MXE_FLATNESS,      /* spectral flatness, dB */
	MXE_PAN_TOTAL,     /* RMS of the stereo panning spectrum over [0, fs/2] */
	MXE_PAN_LOW,       /* ... over [0, 250] Hz */
	MXE_PAN_MID,       /* ... over [250, 2500] Hz */
	MXE_PAN_HIGH,      /* ... over [2500, fs/2] Hz */
	MXE_RMS,           /* per-4096-frame RMS, as 1 - dB (the suite's shift away from 0) */
	MXE_SPREAD,        /* dynamic spread, as 1 - dB */
	MXE_CREST,         /* crest = peak dB / RMS dB (a ratio of dB values, as coded) */
	MXE_N_METRICS
};

enum { MXE_G_LOUDNESS, MXE_G_SPECTRAL, MXE_G_PANNING, MXE_G_DYNAMICS, MXE_N_GROUPS };

typedef struct {
	double mape;     /* MAPE of the running means; NAN when undefined (e.g. panning of mono) */
	double tar_mean; /* mean of the target's per-frame feature (for the direction of an error) */
	double out_mean; /* mean of the output's per-frame feature */
} mxe_metric;

typedef struct {
	mxe_metric m[MXE_N_METRICS];
	double group[MXE_N_GROUPS]; /* mean MAPE of each group (NAN members skipped) */
	int64_t trim_start, trim_end; /* kept sample range of both mixes after the target's trim */
	double rate;
	int channels;
} mxe_result;

/* Constants of the suite (at 44.1 kHz where a duration is meant; scaled by the rate). */
#define MXE_RUNNING_N 40        /* running-mean window, frames */
#define MXE_TRIM_TOP_DB 45.0    /* silence trim threshold below the loudest frame */
#define MXE_TRIM_FRAME 4096
#define MXE_TRIM_HOP 1024
#define MXE_STFT_SIZE 4096
#define MXE_STFT_HOP 1024
#define MXE_LOUD_FRAME_S 0.4    /* 17 640 samples at 44.1 kHz */
#define MXE_LOUD_HOP_S 0.2      /* 8 820 samples at 44.1 kHz */
#define MXE_PEAK_NORM_DB (-1.0) /* spectral, panning and dynamics see peak-normalised audio */

const char *mxe_metric_name(int metric);   /* "lufs", "peak", "centroid", ... */
const char *mxe_metric_unit(int metric);
int mxe_metric_group(int metric);
const char *mxe_group_name(int group);     /* "loudness", "spectral", "panning", "dynamics" */

/* --- mxe_common.c --- */
/* Running mean over n_win consecutive values ("valid" mode: n - n_win + 1 outputs; a series shorter
 * than the window gives one value, its mean). Returns the number written to out (capacity n). */
size_t mxe_running_mean(const double *x, size_t n, size_t n_win, double *out);
/* MAPE of running means of tar and out (both n long); NAN for n == 0 or allocation failure. */
double mxe_mape_running(const double *tar, const double *out, size_t n);
/* MAPE of two equal-length series, target first (sklearn's definition). */
double mxe_mape(const double *tar, const double *out, size_t n);
double mxe_mean(const double *x, size_t n);
/* The suite's silence trim of the target: frames of 4096 (hop 1024, centred, zero-padded) of the
 * channel mean; frames more than 45 dB below the loudest are silent; leading and trailing silent
 * frames are cut. Writes the kept range [start, end). All-silent input keeps everything. */
void mxe_trim_range(const mxe_audio *a, int64_t *start, int64_t *end);
/* Gain that brings the sample peak of a to -1 dBFS (1 for silence). */
double mxe_peak_norm_gain(const mxe_audio *a);

/* --- mxe_stft.c: magnitude STFT, periodic sqrt-Hann window, no centring (frames fully inside) --- */
typedef struct mxe_stft mxe_stft;
mxe_stft *mxe_stft_new(int size);
void mxe_stft_free(mxe_stft *s);
/* Frames of `size` with hop `hop` in `frames` samples (0 when shorter than one frame). */
size_t mxe_stft_count(int64_t frames, int size, int hop);
/* |X[k]|, k = 0..size/2, of size samples starting at x with the given stride, scaled by gain. */
void mxe_stft_mag(mxe_stft *s, const float *x, int stride, double gain, double *mag);

/* --- one function per group: fill r->m[...] of that group; 0 ok, -1 allocation failure --- */
int mxe_eval_loudness(const mxe_audio *out, const mxe_audio *tar, mxe_result *r);
int mxe_eval_spectral(const mxe_audio *out, const mxe_audio *tar, mxe_result *r);
int mxe_eval_panning(const mxe_audio *out, const mxe_audio *tar, mxe_result *r);
int mxe_eval_dynamics(const mxe_audio *out, const mxe_audio *tar, mxe_result *r);

/* Per-frame features of one signal, for tests and the report (arrays malloc'd, caller frees). */
int mxe_loudness_frames(const mxe_audio *a, double **lufs, double **peak, size_t *n);
/* Stereo panning spectrum of one STFT frame: sps[k] in [-1, 1], negative = left, k = 0..size/2
 * (Tzanetakis, Jones & McNally, ISMIR 2007, with the suite's sign convention). */
void mxe_sps_frame(const double *mag_l, const double *mag_r, size_t bins, double *sps);
/* Per-frame SPS RMS in the four bands (n x 4, row-major) of a stereo signal (peak-normalised here). */
int mxe_panning_frames(const mxe_audio *a, double **rms4, size_t *n);

/* --- mxe_eval.c: trim, then all four groups; out and tar must share rate and channel count --- */
int mxe_evaluate(const mxe_audio *out, const mxe_audio *tar, mxe_result *r);

/* --- mxe_stems.c: per-stem loudness balance --- */
typedef struct {
	char name[128];   /* matched (normalised) stem name */
	double rel_out;   /* stem loudness minus loudness of the sum of the output stems, LU */
	double rel_ref;   /* the same in the reference; NAN when a stem is below the -70 LUFS gate */
	double err;       /* rel_out - rel_ref, LU */
} mxe_stem;

typedef struct {
	mxe_stem *stems;
	size_t n;
	double mean_abs_err; /* mean |err| over stems with a defined error, LU; NAN if none */
	char unmatched[1024]; /* names found on one side only, comma separated */
} mxe_stem_balance;

/* Match the audio files of two folders by normalised name (lower case, extension and leading
 * digits/separators removed, letters and digits only) and compute the balance. 0 ok, -1 error
 * (message in err). */
int mxe_stem_balance_dirs(const char *out_dir, const char *ref_dir, mxe_stem_balance *b, char *err,
			  size_t errlen);
void mxe_stem_balance_free(mxe_stem_balance *b);
/* Integrated loudness (BS.1770, gated) of interleaved audio; -INFINITY when all gated. */
double mxe_integrated_lufs(const float *x, int64_t frames, int channels, double rate);
void mxe_stem_name_normalise(const char *file_name, char *out, size_t outlen);

/* --- mxe_io.c --- */
int mxe_read_audio(const char *path, mxe_audio *a, char *err, size_t errlen);
void mxe_audio_free(mxe_audio *a);

/* --- mxe_report.c --- */
void mxe_print_table(FILE *f, const mxe_result *r, const mxe_stem_balance *b);
void mxe_print_json(FILE *f, const char *out_path, const char *tar_path, const mxe_result *r,
		    const mxe_stem_balance *b);

#endif
