/* mixdown — the render's loudness measurement on a second thread: blocks of
 * the mix (interleaved float, already free of NaN/Inf) are queued and fed to
 * libebur128 there, in order, with the same calls the render loop would make
 * (ebur128_add_frames_float, then mxr_bwf_track when the bext loudness is
 * wanted). Measuring costs as much as mixing on a long render with LRA and
 * true peak; on its own core it overlaps the engine.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Units: frames, dB (LUFS) for the maxima. Memory: MXR_METER_SLOTS blocks.
 * Ownership: the queue does not own the meter; it must outlive
 * mxr_meter_finish(). Threads: start, push and finish from one thread (the
 * render's); the meter is touched only by the worker until finish returns.
 */
#ifndef MIXDOWN_API_RENDER_METER_H
#define MIXDOWN_API_RENDER_METER_H

#include <ebur128.h>
#include <stdbool.h>
#include <stdint.h>

#define MXR_METER_SLOTS 16

typedef struct mxr_meter_queue mxr_meter_queue;

/* NULL when memory or a thread is not available (then measure inline). */
mxr_meter_queue *mxr_meter_start(ebur128_state *meter, uint32_t channels, uint32_t max_block, bool bwf);

/* Queue n <= max_block frames (copied); waits while the queue is full. */
void mxr_meter_push(mxr_meter_queue *q, const float *interleaved, uint32_t n);

/* Measure everything queued, stop the thread, free q (NULL-safe) and add the
 * maxima of momentary and short-term loudness seen (bwf only) into *max_m,
 * *max_s (each the larger of the two). */
void mxr_meter_finish(mxr_meter_queue *q, double *max_m, double *max_s);

#endif
