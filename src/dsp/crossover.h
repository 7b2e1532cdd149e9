/* mixdown — Linkwitz-Riley 4th-order (LR4) crossover networks, 2 to 5 bands.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An LR4 low-pass is two identical 2nd-order Butterworth low-passes in series
 * (Q = 1/sqrt(2)), the high-pass likewise (S. H. Linkwitz, "Active Crossover
 * Networks for Noncoincident Drivers", JAES 24(1), 1976; R. Riley's squared
 * Butterworth alignment). Both are -6.02 dB at the crossover frequency fc and
 * in phase at every frequency, and
 *     LP4(s) + HP4(s) = (s^2 - sqrt2 s + 1) / (s^2 + sqrt2 s + 1) = AP2(s),
 * the 2nd-order allpass of Q = 1/sqrt(2). Each section is the RBJ Audio EQ
 * Cookbook LPF/HPF/APF (bilinear transform prewarped at fc, src/dsp/biquad.h),
 * so the identity holds exactly in the digital domain too.
 *
 * N bands with crossovers f1 < f2 < ... < f(N-1) are split as a tree: at fi
 * the remaining upper signal is divided into LP4(fi) (band i) and HP4(fi)
 * (the rest). Band i is then passed through AP2(fj) for every j > i, so each
 * band carries the phase of the crossovers it did not go through and the sum
 * of all bands is AP2(f1) AP2(f2) ... AP2(f(N-1)): an allpass, flat in
 * magnitude (the standard allpass compensation of multi-way LR crossovers).
 *
 * Processing is per sample in double precision (transposed direct form II).
 * mxd_xover_check() clears a non-finite state (NaN/Inf input) and flushes
 * values below 1e-30 to zero; call it once per block.
 *
 * Units: Hz. Ownership: plain value types, nothing allocated. Threads:
 * mxd_xover_design may run on the audio thread (a few sin/cos per band); a
 * state belongs to one run() caller at a time.
 */
#ifndef MIXDOWN_DSP_CROSSOVER_H
#define MIXDOWN_DSP_CROSSOVER_H

#include <stdint.h>

#include "dsp/biquad.h"

#define MXD_XO_MAX_BANDS 5

typedef struct {
	uint32_t bands;                       /* 2..MXD_XO_MAX_BANDS */
	double fc[MXD_XO_MAX_BANDS - 1];      /* the frequencies used, ascending */
	mxd_biquad lp[MXD_XO_MAX_BANDS - 1];  /* used twice each (LR4) */
	mxd_biquad hp[MXD_XO_MAX_BANDS - 1];
	mxd_biquad ap[MXD_XO_MAX_BANDS - 1];
} mxd_xover;

/* State of one channel; zero = silence. */
typedef struct {
	mxd_bq_state lp[MXD_XO_MAX_BANDS - 1][2];
	mxd_bq_state hp[MXD_XO_MAX_BANDS - 1][2];
	mxd_bq_state ap[MXD_XO_MAX_BANDS][MXD_XO_MAX_BANDS - 1]; /* [band][crossover] */
} mxd_xover_state;

/* Design for `bands` (clamped to 2..5) bands; fc[0..bands-2] in Hz. Each
 * frequency is clamped to [10 Hz, 0.45 fs] and to at least 1.01 x the one
 * before it, so the crossovers are always ascending. */
void mxd_xover_design(mxd_xover *x, double sample_rate, uint32_t bands, const double *fc);

/* Split one sample into out[0..bands-1] (band 0 = lowest). */
void mxd_xover_split(const mxd_xover *x, mxd_xover_state *st, double in, double *out);

/* Clear a non-finite state, flush tiny values to 0. */
void mxd_xover_check(mxd_xover_state *st);

#endif
