/* mixdown — the master strip of each block on a second thread, overlapped
 * with the next block's tracks and buses (offline renders).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Nothing downstream of the master waits for it within a block, so while a
 * worker runs block k's master (its inserts, such as a true-peak limiter,
 * pan, fader), the engine's thread already runs block k + 1 everywhere else,
 * summing what reaches the master into a second set of input buffers; the
 * two sets are swapped between blocks. The output is the same, one call
 * later: mxd_engine_process_pipelined() returns the previous call's block.
 *
 * Only where nothing else reads the master within a block: no sidechain key
 * or automation follower feeds it, no stem tap or level meter runs, the
 * host does not supply the tracks, and the nodes run on one thread
 * (engine_threads.h). mxd_engine_pipeline_start() checks this.
 *
 * Units: frames. Ownership: the engine owns its pipeline (engine_internal.h:
 * e->pipeline), freed with it. Threads: the engine's thread; the worker
 * touches only the master node (and the engine's LFE filter, which only the
 * master uses) while a block is out.
 */
#ifndef MIXDOWN_GRAPH_ENGINE_PIPELINE_H
#define MIXDOWN_GRAPH_ENGINE_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "mixdown/mixdown.h"

typedef struct mxd_pipeline mxd_pipeline;
struct mixdown_engine;

/* Start the master's worker; false (the engine unchanged) when the graph
 * does not allow it (see above), memory or a thread is short, or it runs
 * already. Call after the last mxd_engine_enable_tap() and before the
 * first process call. Control thread. */
bool mxd_engine_pipeline_start(struct mixdown_engine *e);

/* With the pipeline started: run the next n frames (n <= max_block; 0 runs
 * nothing) and return the master's output of the previous call's block in
 * out[0..*got) (*got = 0 on the first call). Call with n = 0 once more after
 * the last block to receive it. Errors of the master's processing arrive
 * with the block that had them. */
mixdown_status mxd_engine_process_pipelined(struct mixdown_engine *e, float *const *out, uint32_t n, uint32_t *got,
					    mixdown_error *err);

/* engine.c's side: the buffers that collect the master's input while the
 * worker runs the previous block (NULL-safe: NULL without a pipeline). */
float *const *mxd_pipeline_stage(mxd_pipeline *p);
/* Wait for the block out (if any), copy its output to out, *got frames. */
mixdown_status mxd_pipeline_collect(mxd_pipeline *p, float *const *out, uint32_t *got, mixdown_error *err);
/* Hand the staged input of the n frames at timeline frame t to the worker. */
void mxd_pipeline_submit(mxd_pipeline *p, int64_t t, uint32_t n);
/* Stop and join the worker, free everything (NULL-safe). */
void mxd_pipeline_free(mxd_pipeline *p);

#endif
