/* mixdown — the render's loudness measurement on a second thread: blocks of
 * the mix (interleaved float, already free of NaN/Inf) are queued and fed to
 * the project's fast meter (analysis/fastloud.h, mxd_fl_add) there, in
 * order, exactly as the render loop would feed it inline. The meter gives
 * everything the report and the BWF bext loudness fields need in one pass:
 * integrated loudness, loudness range, momentary/short-term maxima and (when
 * the meter was initialised with true_peak) the true peak. On its own core
 * the measurement overlaps the engine.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Units: frames. Memory: MXR_METER_SLOTS blocks of max_block x channels
 * floats. Ownership: the queue does not own the meter; it must outlive
 * mxr_meter_finish(). Threads: start, push and finish from one thread (the
 * render's); the meter is touched only by the worker until finish returns.
 */
#ifndef MIXDOWN_API_RENDER_METER_H
#define MIXDOWN_API_RENDER_METER_H

#include <stdint.h>

#include "analysis/fastloud.h"

#define MXR_METER_SLOTS 16

typedef struct mxr_meter_queue mxr_meter_queue;

/* `meter` has `channels` channels. NULL when memory or a thread is not
 * available (then measure inline with mxd_fl_add). */
mxr_meter_queue *mxr_meter_start(mxd_fl *meter, uint32_t channels, uint32_t max_block);

/* Queue n <= max_block frames (copied); waits while the queue is full. */
void mxr_meter_push(mxr_meter_queue *q, const float *interleaved, uint32_t n);

/* Measure everything queued, stop the thread and free q (NULL-safe). The
 * meter then holds the whole input (meter->failed: a list ran out of memory). */
void mxr_meter_finish(mxr_meter_queue *q);

#endif
