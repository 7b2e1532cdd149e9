/* mixdown — loudness channel weights of a loudspeaker layout (ITU-R BS.1770-4/-5).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * BS.1770-4 Table 3 (unchanged in -5): a channel's mean square is weighted by
 * G = 1.41 (+1.5 dB) when the speaker is at ear height (elevation < 30°) and
 * 60° <= |azimuth| <= 120°, G = 1.0 otherwise; the LFE channel is not
 * measured (G = 0). With mixdown's layouts (spatial/layout.h) this gives:
 * 5.1 Ls/Rs (±110°) 1.41; 7.1 side pair (±90°) 1.41, rear pair (±135°) 1.0;
 * the height layer (elevation 30°) 1.0.
 *
 * The same weights drive libebur128 (ebur128_set_channel) and the project's
 * fast meter (analysis/fastloud.h), so both meters agree.
 *
 * Constant data and pure functions: any thread (mxd_layout_from_sndfile
 * queries an open file: the thread that owns it).
 */
#ifndef MIXDOWN_SPATIAL_CHANWEIGHT_H
#define MIXDOWN_SPATIAL_CHANWEIGHT_H

#include <ebur128.h>
#include <sndfile.h>
#include <stdint.h>

#include "spatial/layout.h"

/* G of BS.1770-4 Table 3 for one speaker (0 for the LFE). */
double mxd_bs1770_weight(const mxd_speaker *s);
/* The libebur128 channel for a speaker: its ITU label (M+110, U+030, ...) when
 * libebur128 has one, else a label of the same weight; EBUR128_UNUSED for the LFE. */
int mxd_bs1770_ebur128_channel(const mxd_speaker *s);
/* Weights of `layout`'s channels into w[0..layout->channels-1]. */
void mxd_bs1770_weights(const mxd_layout *layout, double *w);
/* ebur128_set_channel for every channel of `layout` (st has layout->channels channels). */
void mxd_bs1770_set_ebur128(ebur128_state *st, const mxd_layout *layout);
/* The layout an open file names in its channel map (SFC_GET_CHANNEL_MAP_INFO,
 * WAVE_FORMAT_EXTENSIBLE / CAF / ...), matched by speaker set; when the file
 * has no map, the one its channel count implies (mxd_layout_for_channels) for
 * more than 2 channels; NULL otherwise. */
const mxd_layout *mxd_layout_from_sndfile(SNDFILE *f, uint32_t channels);

#endif
