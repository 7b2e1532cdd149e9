/* mixdown — fold-down of a loudspeaker layout to 5.1, stereo or mono
 * (ITU-R BS.775-3 coefficients).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A fold-down is a fixed matrix out[o] = sum_i m[o][i] * in[i], linear gains:
 *
 *  to 5.1 (documented choices; BS.775-3 defines no 7.1 or height formats):
 *    L, R, C, LFE, Ls, Rs pass at 1.0;
 *    a side/rear surround folds into Ls (azimuth < 0) or Rs (> 0); when a side
 *      has two surrounds (7.1 Lss + Lrs) each goes in at 0.7071 (-3 dB, equal
 *      power, the 7.1-to-5.1 practice of Dolby's and SMPTE RP 2096's
 *      "combine side and rear surround" downmix);
 *    a height speaker folds into the ear-height speaker below it at 0.7071:
 *      |azimuth| <= 60° into L/R, else into Ls/Rs (BS.775 has no heights;
 *      the -3 dB of a "top to ear level" fold as in Dolby Atmos renderer
 *      re-renders and ITU-R BS.2127's fall-back to the nearest loudspeaker).
 *  5.1 to stereo, BS.775-3 Table 2 (3/2 to 2/0):
 *    Lo = L + 0.7071 C + 0.7071 Ls,  Ro = R + 0.7071 C + 0.7071 Rs.
 *  5.1 to mono, BS.775-3 Table 2 (3/2 to 1/0):
 *    M = 0.7071 L + 0.7071 R + C + 0.5 Ls + 0.5 Rs.
 *  Any other layout to stereo/mono: first to 5.1, then the above (the
 *  product of the two matrices). Stereo to mono: 0.7071 (L + R); mono to
 *  stereo: 0.7071 C on each side.
 *  LFE: kept in a 5.1 target; dropped from stereo and mono (BS.775-3: the LFE
 *  is optional in a fold-down and usually omitted), unless lfe_db is finite:
 *  then added to every output of the stereo/mono fold at that gain.
 *
 * No normalization: a fold-down can exceed 0 dBFS; the writer counts and
 * reports clipped samples like any other.
 *
 * Ownership: mxd_downmix is a plain value the caller owns. Threads: init on
 * any thread; mxd_downmix_run touches only its arguments (real-time safe).
 */
#ifndef MIXDOWN_SPATIAL_DOWNMIX_H
#define MIXDOWN_SPATIAL_DOWNMIX_H

#include <stdint.h>

#include "spatial/layout.h"

#define MXD_DOWNMIX_MAX_IN 16
#define MXD_DOWNMIX_MAX_OUT 6

typedef struct {
	const mxd_layout *from, *to;
	float m[MXD_DOWNMIX_MAX_OUT][MXD_DOWNMIX_MAX_IN]; /* linear gain, out x in */
} mxd_downmix;

/* The fold-down targets by name: "5.1", "stereo", "mono"; NULL otherwise. */
const mxd_layout *mxd_downmix_target(const char *name);
/* Build the matrix from `from` to `to` (a target above). lfe_db: LFE gain into
 * stereo/mono, dB; -INFINITY = dropped. 0, or -1 when `to` is not a target or
 * `from` has too many channels. */
int mxd_downmix_init(mxd_downmix *d, const mxd_layout *from, const mxd_layout *to, double lfe_db);
/* out[o][0..n-1] = fold of in[i][0..n-1] (planar; from->channels in, to->channels out). */
void mxd_downmix_run(const mxd_downmix *d, const float *const *in, float *const *out, uint32_t n);

#endif
