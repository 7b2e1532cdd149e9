/* mixdown — the project's own fast loudness meter: ITU-R BS.1770-5 / EBU R 128.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What it measures (the same definitions as libebur128 and loudness.c):
 *  - K-weighting: the two biquads of BS.1770-5 (high shelf, RLB high-pass),
 *    coefficients derived for any rate from their analog prototypes
 *    (fastloud_dsp.c), run in double precision per channel;
 *  - channel weights of BS.1770-5 Table 3 in WAV/SMPTE order (LFE 0,
 *    surrounds 1.41; mxd_fl_channel_weights);
 *  - 10 ms blocks (rate*10/1000 frames): momentary (400 ms) and short-term
 *    (3 s) mean squares evaluated every 10 ms as exact window sums, windows
 *    reaching before the start counting silence (EBU Tech 3341 case 13);
 *  - 100 ms gating sub-blocks ((rate+5)/10 frames, as libebur128 counts
 *    them): 400 ms blocks with 75 % overlap, absolute gate -70 LUFS, relative
 *    gate -10 LU (BS.1770-5 §2) for the integrated loudness;
 *  - short-term values every 100 ms from 3 s on for the loudness range
 *    (EBU Tech 3342; mxd_lra in loudness.c does the gating and percentiles);
 *  - true peak per BS.1770-5 Annex 2: 4x polyphase interpolation (a 49-tap
 *    Hann-windowed sinc, 12 taps in each of the three fractional phases; the
 *    integer phase is the sample itself) at every rate; sample peak.
 *
 * Input is planar float: each channel's block x[c][0..n-1] must be preceded
 * by MXD_FL_HIST samples of that channel's previous input (zeros at the
 * start), which the true-peak interpolator reads. mxd_fl_add() takes
 * interleaved frames and keeps that history itself.
 *
 * Units: linear amplitudes, mean squares inside; LUFS/LU/dBTP/dBFS only in
 * the finished values. Ownership: the meter owns its buffers (mxd_fl_free).
 * Threads: one meter per thread, except that mxd_fl_peaks and mxd_fl_weigh
 * may run on two threads at once (they touch different members); the
 * kernels are pure.
 */
#ifndef MIXDOWN_ANALYSIS_FASTLOUD_H
#define MIXDOWN_ANALYSIS_FASTLOUD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MXD_FL_TP_TAPS 12     /* taps of each fractional interpolation phase */
#define MXD_FL_HIST 16        /* history samples before each planar block (>= MXD_FL_TP_TAPS - 1) */
#define MXD_FL_CHUNK 4096     /* frames per step of mxd_fl_add */
#define MXD_FL_M_BLOCKS 40    /* 10 ms blocks in the momentary window */
#define MXD_FL_S_BLOCKS 300   /* 10 ms blocks in the short-term window */

/* One biquad: y = b0 x + b1 x1 + b2 x2 - a1 y1 - a2 y2. */
typedef struct {
	double b0, b1, b2, a1, a2;
} mxd_fl_biquad;

/* K-weighting state of one channel (direct form I, the two stages share
 * the shelf output history). */
typedef struct {
	double x1, x2, u1, u2, v1, v2;
} mxd_fl_kstate;

/* The kernels, chosen once per meter for the CPU (fastloud_dsp.c). */
typedef struct {
	/* K-weight two channels (x1 may be NULL: one channel); returns the sums
	 * of squares of the weighted signals in s[0], s[1]. */
	void (*kw)(const mxd_fl_biquad *shelf, const mxd_fl_biquad *hp, mxd_fl_kstate *k0, mxd_fl_kstate *k1,
		   const float *x0, const float *x1, size_t n, double *s);
	/* Largest |interpolated sample| of phases 1..3 over x[0..n-1] (history
	 * before x); *sp = largest |x[i]| (the sample peak) from the same pass. */
	float (*tp)(const float *x, size_t n, const float (*h)[MXD_FL_TP_TAPS], float *sp);
	/* Largest |x[i]|. */
	float (*peak)(const float *x, size_t n);
	const char *name; /* "avx2+fma" or "generic" */
} mxd_fl_kernels;

void mxd_fl_kernels_pick(mxd_fl_kernels *k);
/* BS.1770-5 K-weighting at `rate` Hz (any rate above 2 * 1682 Hz). */
void mxd_fl_design_kw(double rate, mxd_fl_biquad *shelf, mxd_fl_biquad *hp);
/* The three fractional phases of the 4x interpolator (phase p = 1..3 in h[p - 1]). */
void mxd_fl_design_tp(float h[3][MXD_FL_TP_TAPS]);
/* BS.1770-5 Table 3 weights in WAV/SMPTE channel order (as loudness.c maps
 * them for libebur128): mono 1; 4 = L R Ls Rs; 5 = L R C Ls Rs;
 * 6/7 = L R C LFE Ls Rs (Cs); 8 = L R C LFE Lb Rb Ls Rs (back 1.0, side
 * 1.41); 10 = 5.1.4, 12 = 7.1.4 (spatial/layout.h, weights of
 * spatial/chanweight.h); other counts L R then C. A file whose channel map
 * names another layout gets that layout's weights (mxd_layout_from_sndfile). */
void mxd_fl_channel_weights(uint32_t channels, double *w);

typedef struct {
	double rate;
	uint32_t channels;
	bool true_peak;
	bool tp_prune;            /* only tp_max/sp_max wanted: skip stretches that cannot raise them */
	float tp_gain;            /* largest sum of |taps| of a phase (bound of |interpolated| / max |x|) */
	mxd_fl_kernels k;
	mxd_fl_biquad shelf, hp;
	float tp_h[3][MXD_FL_TP_TAPS];
	double *weight;           /* per channel */
	mxd_fl_kstate *ks;        /* per channel */
	float *store;             /* mxd_fl_add: per channel MXD_FL_HIST + MXD_FL_CHUNK */
	const float **ptr;        /* mxd_fl_add: the channels' blocks in store */
	double abs_gate;          /* -70 LUFS as a mean square */
	uint32_t step, n100;      /* frames per 10 ms block, per 100 ms gating sub-block */
	uint32_t fill10, fill100; /* frames in the open blocks */
	double *acc10, *acc100;   /* per channel sums of squares of the open blocks */
	double e100[4];           /* weighted sums of the last four 100 ms sub-blocks */
	uint64_t n100_done;
	uint64_t blocks;          /* completed 10 ms blocks */
	double ring[MXD_FL_S_BLOCKS]; /* 10 ms block mean squares, by block index modulo the length */
	double e10, m, s;         /* the last completed block: 10 ms, 400 ms, 3 s mean squares */
	double m_max, s_max;
	double *gate;             /* 400 ms block mean squares at or above -70 LUFS */
	size_t n_gate, cap_gate;
	double *st100;            /* short-term mean squares every 100 ms from 3 s on */
	size_t n_st100, cap_st100;
	float *tp_call, *sp_call; /* per channel peaks of the last mxd_fl_run / mxd_fl_add */
	double *tp_max, *sp_max;  /* per channel, whole input */
	bool failed;              /* out of memory in a list: results are incomplete */
} mxd_fl;

int mxd_fl_init(mxd_fl *m, double rate, uint32_t channels, const double *weights, bool true_peak);
void mxd_fl_free(mxd_fl *m);
/* Meter n planar frames (history before each x[c], see above). 0, or -1 on
 * no memory. */
int mxd_fl_run(mxd_fl *m, const float *const *x, size_t n);
/* The two halves of mxd_fl_run, for two threads: peaks (touches only
 * tp_call, sp_call, tp_max, sp_max) and K-weighting with the block
 * bookkeeping (everything else). Each half must see every block in order.
 * With tp_prune set, mxd_fl_peaks keeps only tp_max and sp_max (exactly)
 * and interpolates only where the true peak could grow. */
void mxd_fl_peaks(mxd_fl *m, const float *const *x, size_t n);
void mxd_fl_weigh(mxd_fl *m, const float *const *x, size_t n);
/* Meter n interleaved frames. */
int mxd_fl_add(mxd_fl *m, const float *x, size_t n);
/* Finished values (the meter can go on afterwards). -INFINITY = no signal. */
double mxd_fl_integrated(const mxd_fl *m); /* LUFS */
double mxd_fl_range(const mxd_fl *m);      /* LU; NAN on no memory */
double mxd_fl_true_peak(const mxd_fl *m);  /* linear, max over channels (>= sample peak) */
double mxd_fl_sample_peak(const mxd_fl *m); /* linear */

#endif
