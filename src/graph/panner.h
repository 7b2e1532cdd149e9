/* mixdown — the static channel matrix of a strip: pan, balance, width and
 * fold-down from a source's channels to its destination's channels.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Definitions (p = pan in [-1, +1], θ = (p + 1)·π/4):
 *  - mono → stereo, pan law at centre (gain of each side at p = 0):
 *      -3 dB  : gL = cos θ, gR = sin θ                   (constant power)
 *      -6 dB  : gL = (1 - p)/2, gR = (1 + p)/2           (constant amplitude)
 *      -4.5 dB: gL = sqrt(cos θ · (1 - p)/2), likewise R (geometric mean of the two)
 *       0 dB  : gL = min(1, 1 - p), gR = min(1, 1 + p)    (near side unity)
 *  - stereo → stereo: width w by mid/side (M = (L+R)/2, S = w·(L-R)/2,
 *    L' = M + S, R' = M - S; w = 1 is the identity), then balance: the
 *    opposite side is scaled by 1 - |p|, the near side stays at unity, so a
 *    centred stereo source passes unchanged.
 *  - more than two source channels into stereo: L R C LFE Ls Rs Lb Rb order
 *    (WAV/SMPTE) folded with ITU-R BS.775 coefficients (C, surrounds at
 *    -3 dB, LFE dropped), then balance.
 *  - into mono: the average of the source channels.
 *  - equal channel counts above two: channel i to channel i.
 * Control thread only (computed once when the graph is built).
 */
#ifndef MIXDOWN_GRAPH_PANNER_H
#define MIXDOWN_GRAPH_PANNER_H

#include <stdint.h>

#include "fx/processor.h"

typedef struct {
	uint32_t in_channels, out_channels;
	float m[MXD_MAX_CHANNELS][MXD_MAX_CHANNELS]; /* [out][in] */
} mxd_pan_matrix;

/* Pan-law gains of a mono source into stereo. law_db: 0, -3, -4.5 or -6. */
void mxd_pan_gains(double pan, double law_db, double *gl, double *gr);

void mxd_pan_matrix_build(mxd_pan_matrix *pm, uint32_t in_channels, uint32_t out_channels, double pan,
			  double law_db, double width);

/* out[o][0..n) = sum_i m[o][i] · in[i][0..n). Exact for unity entries (a term
 * with coefficient 1 is copied, zero coefficients are skipped). Real-time safe. */
void mxd_pan_matrix_apply(const mxd_pan_matrix *pm, const float *const *in, float *const *out, uint32_t n);

/* The same while moving from matrix `from` to `to` (same shape): each
 * coefficient is interpolated linearly across the n frames, ending exactly at
 * `to` on the last frame (automated pan and width without zipper noise). */
void mxd_pan_matrix_apply_ramp(const mxd_pan_matrix *from, const mxd_pan_matrix *to, const float *const *in,
			       float *const *out, uint32_t n);

#endif
