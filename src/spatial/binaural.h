/* mixdown — streaming binaural renderer: K inputs (point sources at a
 * direction, possibly moving, or "direct" channels such as an LFE) -> 2 ears.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each source is convolved with the HRIR pair of its direction (spatial/hrtf.h)
 * by uniformly partitioned overlap-save convolution with a frequency-domain
 * delay line (F. Wefers, "Partitioned convolution algorithms for real-time
 * auralization", PhD thesis, RWTH Aachen 2015, ch. 5, UPOLS), partition = the
 * renderer's block B. Zero latency: a call that ends inside a block computes
 * that block with the missing input as zeros, which is exact for the samples
 * already received (the convolution is causal), and the block is recomputed
 * when the rest arrives.
 *
 * Moving sources: the direction is latched at every block start (linearly
 * interpolated across a process() call from the previous set_direction value
 * to the new one, azimuth the short way round). When it changed, the block is
 * filtered with both the old and the new HRIR pair, sharing the input spectra,
 * and the two outputs are crossfaded with complementary raised-cosine weights
 * over the block (the usual time-varying FIR switching: J.-M. Jot, V. Larcher,
 * O. Warusfel, "Digital signal processing issues in the context of binaural
 * and transaural stereophony", AES 98th Convention 1995, preprint 3980;
 * Wefers 2015, ch. 8). HRIRs between grid points are interpolated bilinearly.
 * The set's own per-ear delays (SOFA Data.Delay; zero for MIT KEMAR, whose ITD
 * is inside the IRs) are applied by a fractional delay line whose delay ramps
 * linearly over the block from the old to the new value.
 *
 * Distance cues (objects): gain 1/r (r relative to the speaker radius, so
 * r = 1 is unity; r clamped to >= 0.2, i.e. at most +14 dB), ramped over the
 * block; ON. Air absorption: a one-pole low-pass at fc = 100 kHz / r (a rough
 * fit to ISO 9613-1 at 20 C / 50 % RH for a 2 m speaker radius: about 3 dB at
 * 10 kHz at 20 m), OFF by default (mxd_binaural_set_air).
 *
 * Ownership: new/new_layout allocate everything (control thread) and keep a
 * pointer to the HRTF, which must outlive the renderer. Threads: set_* and
 * process on one thread at a time; none of them allocates, locks or calls
 * libmysofa, so the audio thread may call them.
 */
#ifndef MIXDOWN_SPATIAL_BINAURAL_H
#define MIXDOWN_SPATIAL_BINAURAL_H

#include <stdbool.h>
#include <stdint.h>

#include "spatial/hrtf.h"
#include "spatial/layout.h"

typedef struct mxd_binaural mxd_binaural;

#define MXD_BINAURAL_BLOCK 256 /* default partition / crossfade length, samples */

/* n_inputs sources, all at azimuth 0, elevation 0, distance 1; block: even,
 * 16..8192. NULL on allocation failure or bad arguments. */
mxd_binaural *mxd_binaural_new(const mxd_hrtf *h, uint32_t n_inputs, uint32_t block);
void mxd_binaural_free(mxd_binaural *b); /* NULL-safe */

/* Virtual loudspeakers: one input per channel of `layout`, each rendered from
 * its speaker direction at distance 1; the LFE channel goes to both ears
 * without HRTF at lfe_gain (linear). */
mxd_binaural *mxd_binaural_new_layout(const mxd_hrtf *h, const mxd_layout *layout, uint32_t block,
				      double lfe_gain);

/* Input `k` becomes a point source at this direction (degrees, mixdown
 * convention: azimuth positive to the right) and distance (> 0, relative to
 * the speaker radius). The move from the previous value is spread over the
 * next process() call. */
void mxd_binaural_set_direction(mxd_binaural *b, uint32_t k, double azimuth_deg, double elevation_deg,
				double distance);
/* Input `k` goes straight to both ears at a linear gain (no HRTF). */
void mxd_binaural_set_direct(mxd_binaural *b, uint32_t k, double gain);
/* Air-absorption low-pass for distant sources; off by default. */
void mxd_binaural_set_air(mxd_binaural *b, bool on);

/* in[0..n_inputs-1][0..n-1] -> left[0..n-1], right[0..n-1] (overwritten; the
 * sum over inputs). Any n. Inputs must be finite; outputs must not alias them. */
void mxd_binaural_process(mxd_binaural *b, const float *const *in, float *left, float *right, uint32_t n);

/* Silence all state; sources jump to their current directions. */
void mxd_binaural_reset(mxd_binaural *b);

uint32_t mxd_binaural_inputs(const mxd_binaural *b);

#endif
