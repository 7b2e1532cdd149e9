/* mixdown — internals of reference matching (match.h), shared by match*.c.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * match_spectrum.c: gated Welch M/S power spectrum of a whole file.
 * match_curve.c:    the correction curve (dB per FFT bin) from two spectra.
 * match_fir.c:      linear-phase FIR from a zero-phase magnitude curve.
 * match.c:          the public object (design, process, curve).
 *
 * Units: powers are mean squares (full-scale sine = 0.5), levels dB, Hz.
 * Ownership: each function documents what it allocates. Threads: control
 * thread only (they allocate and read files).
 */
#ifndef MIXDOWN_MASTER_MATCH_INTERNAL_H
#define MIXDOWN_MASTER_MATCH_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "mixdown/mixdown.h"

/* Design parameters; mxd_match_params_default() is what mxd_match_design()
 * uses. The others exist so tests and experiments can measure alternatives. */
/* How frames are averaged per bin (the estimator the ratio is taken of). */
typedef enum {
	MXD_MATCH_AVG_POWER,     /* Welch: mean of |X|^2 */
	MXD_MATCH_AVG_MAGNITUDE, /* (mean of |X|)^2, as Matchering averages |STFT| */
	MXD_MATCH_AVG_LOG,       /* exp(mean of ln |X|^2): geometric mean */
} mxd_match_avg;

typedef struct {
	double smooth_oct;  /* equivalent (rectangular) width of the log-frequency smoothing, octaves: 1/3 */
	double max_db;      /* limit of the correction before amount and normalization, dB: 12 */
	double gate_lu;     /* relative gate below the gated mean frame loudness, LU: 10 */
	bool ratio_first;   /* smooth the dB ratio instead of the two spectra (Matchering's order) */
	mxd_match_avg avg;  /* averaging over frames */
} mxd_match_params;

mxd_match_params mxd_match_params_default(void);

struct mxd_match;
/* mxd_match_design() with explicit parameters. */
mixdown_status mxd_match_design_ex(const char *input_path, const char *reference_path, double amount,
				   const mxd_match_params *params, struct mxd_match **out, mixdown_error *err);

/* FFT length used at `rate` Hz (analysis frames and FIR taps). */
uint32_t mxd_match_fft_len(double rate);

/* BS.1770-5 K-weighting as a power gain at hz (|H|^2 of its two stages). */
double mxd_match_kweight(double hz);

/* The gated long-term spectrum of one file's mid and side. */
typedef struct {
	double rate;        /* Hz: the rate the file was analysed at (resampled if needed) */
	uint32_t n, bins;   /* FFT length, n/2 + 1 */
	uint32_t file_channels;
	double *pm, *ps;    /* bins each: mean square per bin of M and S over the gated frames (ps all 0 for mono) */
	double *qm, *qs;    /* bins each: the same averaged as params->avg says, in mean-square units */
	double kms;         /* gated mean over frames of the K-weighted mean square of M plus that of S */
	uint64_t frames, frames_used; /* analysis frames: all, and those passing both gates */
} mxd_match_spec;

/* Read `path` at `rate` (resampled with libsoxr when it differs) and fill
 * `out` (allocates pm, ps, qm, qs). `what` ("input", "reference") goes into
 * messages. Errors: MIXDOWN_ERR_AUDIO with err->file = path (unreadable,
 * more than 2 channels, silent), MIXDOWN_ERR_NOMEM. */
mixdown_status mxd_match_spec_read(const char *path, const char *what, double rate, uint32_t n,
				   const mxd_match_params *p, mxd_match_spec *out, mixdown_error *err);
void mxd_match_spec_free(mxd_match_spec *s);

/* Correction in dB (amplitude: |H| = 10^(c/20)) per FFT bin for mid (cm)
 * and side (cs), bins each, for an input of `in_channels` channels. Both
 * spectra must share rate and n. Returns 0, or -1 without memory. */
int mxd_match_curve_design(const mxd_match_spec *in, uint32_t in_channels, const mxd_match_spec *ref, double amount,
			   const mxd_match_params *p, double *cm, double *cs);

/* Linear-phase FIR of n taps (n even) with the zero-phase magnitude
 * 10^(c_db[k]/20) at bin k (k = 0..n/2): h has its centre at n/2 (delay n/2
 * frames) and h[0] = 0; its DFT magnitude is the curve smoothed by
 * (1/4, 1/2, 1/4) over neighbouring bins (the periodic Hann window).
 * Returns 0, or -1 without memory. */
int mxd_match_fir(const double *c_db, uint32_t n, float *h);

#endif
