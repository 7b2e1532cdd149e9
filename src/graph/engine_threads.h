/* mixdown — running a block's independent strips on several cores.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * With `threads` > 1 (mixdown_engine_set_threads()), the engine starts
 * threads - 1 workers. Each block, the thread calling mixdown_engine_process()
 * publishes a cycle number, wakes the workers and processes nodes with them:
 * a node runs as soon as every node it depends on (the sources of its audio
 * edges, sidechain keys and automation followers) is done. A node first sums
 * its incoming audio edges, in the order the single-thread run would have
 * added them, then runs its strip, so the output is bit-identical to the
 * single-thread path. The processing path neither allocates nor locks: work
 * is claimed from a lock-free ready list, workers are woken with sem_post()
 * and the calling thread waits for the block's last node by spinning.
 *
 * Ownership: the engine owns its mxd_threads (engine_internal.h). Threads:
 * mxd_threads_run() on the engine's processing thread (the caller of
 * mixdown_engine_process()); everything else on the control thread while no
 * process call runs.
 */
#ifndef MIXDOWN_GRAPH_ENGINE_THREADS_H
#define MIXDOWN_GRAPH_ENGINE_THREADS_H

#include <stdint.h>

#include "mixdown/mixdown.h"

typedef struct mxd_threads mxd_threads;

/* Run the nodes of one block of n frames (run_block in engine.c, after the
 * summing inputs are cleared and the batched tracks have run); returns the
 * first node error after the whole block is done. Allocates nothing. */
mixdown_status mxd_threads_run(mxd_threads *t, uint32_t n, mixdown_error *err);
/* Stop and join the workers and free everything; NULL-safe. */
void mxd_threads_free(mxd_threads *t);

/* Threads processing the engine's nodes (1 = no workers). */
unsigned mxd_engine_threads(const mixdown_engine *e);
/* Nodes run by the workers (not the processing thread) so far. */
uint64_t mxd_engine_threads_worker_nodes(const mixdown_engine *e);
/* Move the workers to SCHED_FIFO at `priority` (a host that learns its
 * audio thread's priority after building the engine, e.g. from
 * jack_client_real_time_priority() minus one); <= 0: leave them. Best effort:
 * returns how many workers run real-time now (0 without the permission). */
unsigned mxd_engine_threads_priority(mixdown_engine *e, int priority);

#endif
