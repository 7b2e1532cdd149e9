/* mixdown — internal interface of `mixdown translate` (src/translate/).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The mix is read once to measure (and a second time to write loudness-
 * matched listening files). Loudness is measured on the filtered signals
 * themselves (libebur128); everything spectral is measured on the input's
 * short-time spectra (frames of translate_frames.c), each system's output
 * spectrum being the input spectrum (both channels pooled, or the mono fold
 * for mono systems) times the system's |H(f)|^2. For these linear,
 * time-invariant models that is the output's spectrum up to the window's
 * leakage (the same frames would be seen after the filter), and it lets one
 * FFT per channel serve every system.
 *
 * Units: powers are mean squares (a full-scale sine: 0.5), levels dB or
 * dBFS, frequencies Hz. Memory: a few arrays of n/2 + 1 doubles per system
 * whatever the file's length. Threads: one analysis per thread.
 */
#ifndef MIXDOWN_TRANSLATE_TRANSLATE_H
#define MIXDOWN_TRANSLATE_TRANSLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mixdown/mixdown.h"
#include "translate/systems.h"

#define MXD_TR_MAX_SYS 8
#define MXD_TR_LOW_HZ 120.0      /* "the bass": below this */
#define MXD_TR_VOCAL_LO 1000.0   /* the vocal band */
#define MXD_TR_VOCAL_HI 4000.0

/* Bass-line bookkeeping (translate_bass.c), per system. */
typedef struct {
	uint64_t frames;                /* frames where a bass line plays (its input variant) */
	uint64_t kept, harmonics, lost; /* of those, per verdict */
} mxd_tr_bass_count;

/* Masking bookkeeping (translate_mask.c), per system and band. */
typedef struct {
	uint32_t active[MIXDOWN_BANDS];   /* frames where the band plays in the mix */
	uint32_t before[MIXDOWN_BANDS];   /* ... and is masked in the mix */
	uint32_t after[MIXDOWN_BANDS];    /* ... and is masked through the system */
	uint32_t by[MIXDOWN_BANDS][MIXDOWN_BANDS]; /* [masked][masker]: frames masked after, strongest masker */
} mxd_tr_mask_count;

/* Frequency-domain analysis of the input, shared by all systems. */
typedef struct {
	double rate, df;                /* Hz; bin spacing */
	uint32_t channels;              /* 1 or 2 */
	uint32_t n, hop, bins;          /* FFT length, n/2, n/2 + 1 */
	uint32_t fill;                  /* samples in the frame buffer */
	uint64_t frames;
	void *fft;                      /* kiss_fftr_cfg */
	float *win, *in[2], *tmp;       /* n each */
	void *X[2];                     /* kiss_fft_cpx[bins] */
	double *scale;                  /* bins: |X|^2 -> mean-square contribution */
	double *pst, *pm;               /* bins, this frame: channels pooled; mono fold (L+R)/2 */
	double *sum_st, *sum_m;         /* bins: sums over frames */
	uint32_t band_k0[MIXDOWN_BANDS], band_k1[MIXDOWN_BANDS]; /* bins touching each band */
	double band_w0[MIXDOWN_BANDS], band_w1[MIXDOWN_BANDS];   /* share of the edge bins inside it */
	bool band_ok[MIXDOWN_BANDS];    /* below Nyquist */
	size_t n_sys;
	const mxd_tr_model *model[MXD_TR_MAX_SYS];
	double *h2[MXD_TR_MAX_SYS];     /* bins: |H|^2 of each system */
	double ref_h2[MXD_TR_MAX_SYS];  /* |H(1 kHz)|^2 */
	double band_h_db[MXD_TR_MAX_SYS][MIXDOWN_BANDS]; /* response at band centres re. 1 kHz */
	uint64_t active_frames;         /* frames above -70 dBFS */
	uint64_t bass_frames;           /* active frames where a bass line plays (channels pooled) */
	double *work;                   /* bins: scratch */
	double spread[MIXDOWN_BANDS][MIXDOWN_BANDS]; /* [masker][maskee]: power ratio of the masking threshold */
	mxd_tr_bass_count bass[MXD_TR_MAX_SYS];
	mxd_tr_mask_count *mask;        /* n_sys entries */
} mxd_tr_ana;

/* translate_frames.c */
int mxd_tr_ana_init(mxd_tr_ana *a, double rate, uint32_t channels, size_t n_sys, const mxd_tr_model *const *model,
		    const mxd_tr_filter *filt); /* 0, or -1 without memory */
void mxd_tr_ana_add(mxd_tr_ana *a, const float *const *in, uint32_t n); /* planar, channels */
void mxd_tr_ana_free(mxd_tr_ana *a);
double mxd_tr_band_power(const mxd_tr_ana *a, const double *p, size_t band);
/* Sum of p over the bins whose centre lies in [lo, hi) Hz. */
double mxd_tr_range_power(const mxd_tr_ana *a, const double *p, double lo, double hi);

/* translate_bass.c: one frame (pst/pm filled). */
void mxd_tr_bass_frame(mxd_tr_ana *a);
/* translate_mask.c: the spreading table (at init), then one frame. */
void mxd_tr_mask_init(mxd_tr_ana *a);
void mxd_tr_mask_frame(mxd_tr_ana *a);

/* translate_report.c: the per-system measures from the analysis, the notes,
 * the score and the summary. Loudness fields must already be filled. */
void mxd_tr_report(mxd_tr_ana *a, mixdown_translate_result *r); /* uses a->work */

#endif
