/* mixdown — one insert on a strip: the processor plus what every insert
 * offers regardless of its type.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Around the processor the slot provides:
 *   - `channels: mid | side | left | right` on a stereo strip: the processor
 *     sees one channel (M = (L+R)/2, S = (L-R)/2, or L or R) and its change is
 *     added back as a difference (L += dM, R += dM for mid; L += dS, R -= dS for
 *     side), so a processor that changes nothing leaves the strip bit-exact.
 *     On a mono strip mid/left/right process the channel and side does nothing
 *     (a mono signal has no side); on more than two channels the modes act on
 *     channels 1 and 2 (L, R).
 *   - `mix: 0..1` dry/wet: the dry signal is delayed by the processor's latency
 *     so the blend never comb-filters; the amount is smoothed (20 ms).
 *   - a sidechain input (the key signal, already latency-aligned by the engine),
 *     mapped to the processor's channel count: a mono key feeds every channel,
 *     several key channels feed a one-channel processor as their mean.
 *   - a NaN/Inf guard: non-finite samples entering the processor are replaced by
 *     0, and if the processor outputs any, the block becomes silence (or dry)
 *     and the processor is reset. Both are counted for the render report.
 *
 * Ownership: the slot owns the processor and its buffers. Threads: init/free on
 * the control thread; mxd_insert_slot_run on the audio thread (no allocation).
 */
#ifndef MIXDOWN_GRAPH_INSERT_SLOT_H
#define MIXDOWN_GRAPH_INSERT_SLOT_H

#include <stdint.h>

#include "dsp/delay.h"
#include "dsp/smooth.h"
#include "fx/processor.h"
#include "session/model.h"

typedef struct {
	mxd_fx *fx;
	const mxd_insert *ins;
	mxd_insert_channels mode;   /* effective mode for this strip (see above) */
	uint32_t strip_ch, fx_ch;
	uint32_t latency;           /* frames, the processor's report */
	mxd_smooth mix;             /* wet amount 0..1 */
	bool keep_dry;              /* dry copies are needed (mode or mix) */
	mxd_delay dry_line[MXD_MAX_CHANNELS];
	float *dry[MXD_MAX_CHANNELS];  /* strip_ch, the delayed input */
	float *work[MXD_MAX_CHANNELS]; /* fx_ch, when the processor does not run on the strip's buffers */
	float *key[MXD_MAX_CHANNELS];  /* fx_ch, the mapped sidechain */
	uint64_t nonfinite;         /* samples replaced (input or output) */
} mxd_insert_slot;

/* Instantiate `ins` for a strip of `strip_ch` channels. `mix_moves`: the mix
 * will be changed while running (bypass automation: the slot keeps a dry path
 * and starts at mix 0 when the insert is bypassed). Returns 0, or -1 with a
 * reason in why (processor activation, a FILE parameter, memory). */
int mxd_insert_slot_init(mxd_insert_slot *slot, const mxd_insert *ins, double rate, uint32_t max_block,
			 uint32_t strip_ch, bool mix_moves, char *why, size_t why_size);
void mxd_insert_slot_free(mxd_insert_slot *slot); /* NULL-safe on a zeroed slot */

/* Process io[0..strip_ch-1] in place. key: NULL or key_ch channels of sidechain
 * signal for the same frames. n <= max_block. */
void mxd_insert_slot_run(mxd_insert_slot *slot, float *const *io, const float *const *key, uint32_t key_ch,
			 uint32_t n);

#endif
