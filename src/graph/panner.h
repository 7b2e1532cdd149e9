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
 *  - with a speaker layout (mxd_pan_matrix_build_spatial, docs/spatial.md):
 *    objects by VBAP, beds by the surround panner (spatial/), and the `lfe:`
 *    send (the sum of the source channels times the send gain) into the LFE.
 * Control thread (when the graph is built) and the audio thread (automated
 * and live pan rebuild matrices; no allocation).
 */
#ifndef MIXDOWN_GRAPH_PANNER_H
#define MIXDOWN_GRAPH_PANNER_H

#include <stdbool.h>
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

struct mxd_vbap;
/* Everything a strip's matrix depends on (static values or automation's). */
typedef struct {
	double pan, law_db, width;
	bool object;          /* VBAP point/spread source */
	double azimuth, elevation, distance, spread;
	bool surround;        /* bed panner */
	double x, y, z;
	double lfe_gain;      /* linear `lfe:` send; 0 = none */
} mxd_pan_params;

/* The layout-aware matrix: without `vb` (no layout) or without object,
 * surround and LFE send it is mxd_pan_matrix_build(). Otherwise:
 *  - object, mono source: VBAP/MDAP gains × the distance gain;
 *    stereo source: L at azimuth - spread/2 and R at azimuth + spread/2, each
 *    a point (so spread 60 at azimuth 0 is L/R at ±30°, spread 0 sums both);
 *    more channels: their average panned as one source;
 *  - surround, mono: the bed gains at (x, y, z); stereo: L at x - 1 and R at
 *    x + 1 (clamped to the walls), so x = 0, y = 1 is L/R to L/R; more channels
 *    averaged;
 *  - the LFE row gets lfe_gain from every source channel (but the LFE
 *    itself, which a source with the layout's channels passes 1:1).
 * vb->layout->channels must equal out_channels. Real-time safe. */
void mxd_pan_matrix_build_spatial(mxd_pan_matrix *pm, const struct mxd_vbap *vb, uint32_t in_channels,
				  uint32_t out_channels, const mxd_pan_params *p);

/* out[o][0..n) = sum_i m[o][i] · in[i][0..n). Exact for unity entries (a term
 * with coefficient 1 is copied, zero coefficients are skipped). Real-time safe. */
void mxd_pan_matrix_apply(const mxd_pan_matrix *pm, const float *const *in, float *const *out, uint32_t n);

/* mxd_pan_matrix_apply() with every output scaled by a settled gain g (a
 * strip's pan and fader) in one pass: g is folded into the coefficients,
 * so each output sample costs one multiply per term. Within a float
 * rounding or two of scaling the panned output afterwards; exact for
 * g == 1. Real-time safe. */
void mxd_pan_matrix_apply_gain(const mxd_pan_matrix *pm, const float *const *in, float *const *out, uint32_t n,
			       double g);

/* The same while moving from matrix `from` to `to` (same shape): each
 * coefficient is interpolated linearly across the n frames, ending exactly at
 * `to` on the last frame (automated pan and width without zipper noise). */
void mxd_pan_matrix_apply_ramp(const mxd_pan_matrix *from, const mxd_pan_matrix *to, const float *const *in,
			       float *const *out, uint32_t n);

#endif
