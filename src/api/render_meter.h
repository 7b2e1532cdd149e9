/* mixdown — the render's output worker: blocks of the mix (planar float, as
 * the engine produced them) are queued and, on a second thread, in order,
 * each block's sample peak is taken, an interleaved NaN/Inf-free copy is fed
 * to the project's fast loudness meter (analysis/fastloud.h, mxd_fl_add) and
 * the block is written to the main output (io/writer.h: quantize, dither,
 * libsndfile) — exactly what the render loop would do inline (mxr_out_block is
 * that per-block work, used both here and by the inline fallback). The meter
 * gives everything the report and the BWF bext loudness fields need in one
 * pass: integrated loudness, loudness range, momentary/short-term maxima and
 * (when initialised with true_peak) the true peak. On its own core the
 * measurement and the writing overlap the engine.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Units: frames; peaks are linear |x| (0 .. +inf; Inf samples count, NaN never
 * does). Memory: MXR_METER_SLOTS blocks of max_block x channels floats.
 * Ownership: neither mxr_out nor the queue owns the meter or the writer; both
 * must outlive mxr_meter_finish().
 * Threads: start, push, wait, the accessors and finish from one thread (the
 * render's). Between start and finish the meter and the writer are touched
 * ONLY by the worker; the render's thread reads the progress values through
 * mxr_meter_peak/mxr_meter_clipped (atomics published after each block) and
 * may use the writer again (clipped count, loudness, commit/abort) only after
 * finish returned.
 */
#ifndef MIXDOWN_API_RENDER_METER_H
#define MIXDOWN_API_RENDER_METER_H

#include <stdint.h>

#include "analysis/fastloud.h"
#include "io/writer.h"
#include "mixdown/mixdown.h"

#define MXR_METER_SLOTS 16

/* The per-block output work and its state (one thread at a time). */
typedef struct {
	mxd_fl *meter;      /* not owned */
	mxd_writer *w;      /* not owned; NULL = no writing */
	uint32_t channels;
	float *inter;       /* owned: max_block x channels, the meter's interleaved copy */
	float peak;         /* running max |x| of every block so far */
	mixdown_status st;  /* the first writer failure; later blocks are skipped */
	mixdown_error err;  /* its message */
} mxr_out;

/* 0, or -1 without memory (then mxr_out_free is still safe). */
int mxr_out_init(mxr_out *o, mxd_fl *meter, mxd_writer *w, uint32_t channels, uint32_t max_block);
void mxr_out_free(mxr_out *o);
/* Peak, meter (a meter failure stays in meter->failed) and write of n <=
 * max_block frames of `channels` planes. Returns o->st. */
mixdown_status mxr_out_block(mxr_out *o, const float *const *planes, uint32_t n);

typedef struct mxr_meter_queue mxr_meter_queue;

/* `meter` and `w` (NULL = meter only) have `channels` channels. NULL when
 * memory or a thread is not available (then run mxr_out_block inline). */
mxr_meter_queue *mxr_meter_start(mxd_fl *meter, mxd_writer *w, uint32_t channels, uint32_t max_block);

/* Queue n <= max_block frames of `channels` planes (copied); waits while the
 * queue is full. Returns the worker's kept writer status: MIXDOWN_SUCCESS
 * while fine; after a failure nothing more is queued. */
mixdown_status mxr_meter_push(mxr_meter_queue *q, const float *const *planes, uint32_t n);

/* Wait until every queued block is done (so the accessors are up to date);
 * returns the kept status as push does. */
mixdown_status mxr_meter_wait(mxr_meter_queue *q);

/* As published after the last finished block: the running peak |x| and the
 * writer's clipped-sample count (0 without a writer). */
float mxr_meter_peak(const mxr_meter_queue *q);
uint64_t mxr_meter_clipped(const mxr_meter_queue *q);

/* Do everything queued, stop the thread and free q (NULL-safe: returns
 * MIXDOWN_SUCCESS). The meter then holds the whole input (meter->failed: a
 * list ran out of memory). *peak (if not NULL) gets the final peak; on a
 * writer failure its status is returned and its message copied to err (if
 * not NULL). */
mixdown_status mxr_meter_finish(mxr_meter_queue *q, float *peak, mixdown_error *err);

#endif
