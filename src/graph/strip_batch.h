/* mixdown — batched insert processing: tracks whose insert chains have the
 * same layout (eq and compressor processors, in the same order, with the same
 * channel count) run those inserts together, one SIMD lane per channel
 * (structure of arrays), instead of one processor call per strip.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The result is bit-identical to running each strip's inserts one by one
 * (src/graph/insert_slot.c): every lane computes exactly the operations the
 * processor's run() computes, in double where it does, rounded to float where
 * it does; processor state is read from and written back to the processors
 * (fx/fx_batch.h), so nothing else sees a difference. A strip whose processors
 * are not in their plain state for a block (a parameter ramps, say), or whose
 * block produced a non-finite sample, is left to the per-strip path for that
 * block, which handles it as always.
 *
 * Ownership: the engine owns the batch (created in mixdown_engine_create(),
 * freed with the engine). Threads: mxd_strip_batch_run() on the thread that
 * runs the engine; it allocates nothing. It reads the batched tracks' inputs
 * first: offline their clips (file I/O, unless read ahead), in real time
 * the host's track source (no I/O, no lock: the real-time path). Workers
 * (mxd_strip_batch_threads()) are for offline renders only: the engine's
 * thread waits for them.
 */
#ifndef MIXDOWN_GRAPH_STRIP_BATCH_H
#define MIXDOWN_GRAPH_STRIP_BATCH_H

#include "mixdown/mixdown.h"

typedef struct mxd_strip_batch mxd_strip_batch;
struct mixdown_engine;

/* Groups of at least two eligible tracks of the built engine; NULL when there
 * are none (or memory is short: batching is only an optimisation). */
mxd_strip_batch *mxd_strip_batch_create(struct mixdown_engine *e);
void mxd_strip_batch_free(mxd_strip_batch *b); /* NULL-safe */

/* For the next n frames: read the inputs of every batched track (clips,
 * polarity), run their inserts where possible and mark the nodes (node_rt
 * in_ready, inserts_done). Errors are those of clip reading. */
mixdown_status mxd_strip_batch_run(struct mixdown_engine *e, mxd_strip_batch *b, uint32_t n, mixdown_error *err);

/* Share the groups between `threads` threads (0 = the online CPUs, at most
 * 8; 1 = this thread only): each layout's tracks are regrouped into up to
 * `threads` groups of equal size, each of whole vectors of four strips, and
 * threads - 1 workers are started. Each block, mxd_strip_batch_run()
 * wakes them (sem_post) and every thread claims groups from an atomic
 * counter until none is left; the engine's thread then waits (spinning,
 * then yielding: an offline path, as all of batching) for the groups still
 * running. The output is bit-identical for any number. Control thread,
 * between process calls. */
mixdown_status mxd_strip_batch_threads(struct mixdown_engine *e, unsigned threads, mixdown_error *err);

/* Tests: the number of tracks in groups, and switching batching off (the
 * engine then runs every insert strip by strip; results must not change). */
size_t mxd_strip_batch_tracks(const struct mixdown_engine *e);
/* Tests: the strip-blocks the batch ran and wrote back so far; the groups,
 * and the workers running (mxd_strip_batch_threads()). Control thread,
 * between process calls. */
uint64_t mxd_strip_batch_committed(const struct mixdown_engine *e);
size_t mxd_strip_batch_groups(const struct mixdown_engine *e);
unsigned mxd_strip_batch_workers(const struct mixdown_engine *e);
void mxd_strip_batch_disable(struct mixdown_engine *e);

#endif
