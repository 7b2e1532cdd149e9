/* mixdown — reading the tracks' clips one block ahead on a second thread,
 * for engines that read their own clips (offline render): while the engine
 * mixes block k, the worker decodes block k + 1 of every track into spare
 * buffers; when the request matches, run_block trades them for the tracks'
 * input buffers (pointers swapped, nothing copied: a track's nd->in[c]
 * changes from block to block, so nothing may keep it across blocks), and
 * reads synchronously otherwise (first block, a locate, a shorter block).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Results do not change: the same clip players produce the same samples for
 * the same frames, only earlier. Clip players are touched by one thread at a
 * time (the worker while a request is out, else the engine's thread).
 * Units: timeline frames. Ownership: the engine owns the prefetcher
 * (engine_internal.h). Threads: every function on the engine's thread.
 */
#ifndef MIXDOWN_GRAPH_ENGINE_PREFETCH_H
#define MIXDOWN_GRAPH_ENGINE_PREFETCH_H

#include "mixdown/mixdown.h"

typedef struct mxd_prefetch mxd_prefetch;
struct mixdown_engine;

/* Buffers for every track with clips; the thread starts on first use. NULL
 * when there is nothing to read or memory is short (then reads are inline). */
mxd_prefetch *mxd_prefetch_create(struct mixdown_engine *e);
/* Stop the worker (waits for a read in flight) and free. NULL-safe. */
void mxd_prefetch_free(mxd_prefetch *p);
/* Wait until no read is in flight (before the engine's thread touches clip
 * players outside run_block). NULL-safe. */
void mxd_prefetch_idle(mxd_prefetch *p);

/* Every track's input for [e->t, e->t + n) into its node (in_ready set), then
 * ask for the next max_block frames. Errors are those of clip reading. */
mixdown_status mxd_prefetch_tracks(struct mixdown_engine *e, mxd_prefetch *p, uint32_t n, mixdown_error *err);

#endif
