/* mixdown — hot reload of the session while the player runs: the handover of
 * a new generation (rt_gen.h) from a control thread to the audio thread.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Protocol (frames are timeline frames at the session rate):
 *  1. A control thread (mixdown_player_reload or the file watcher) loads and
 *     validates the edited session, then picks the swap frame F: while
 *     playing, the position plus a lead (0.3 s, doubled after every try that
 *     came too late); while silent (stopped, or waiting for the disk after a
 *     locate), the position itself.
 *  2. It builds the generation off the audio thread: engine, warm-up over the
 *     2 s before F (rt_gen.h), disk reader from F, and waits for the prefill.
 *  3. It stores the generation in `pending` (release). The audio thread takes
 *     it at the start of a cycle (acquire) and either rejects it (F already
 *     passed, or a locate/stop happened since F was picked: `locates`
 *     differs) or plays it from F: while playing, with a crossfade from the
 *     old generation; while silent, at once.
 *  4. The audio thread hands back through `retired` either the rejected
 *     generation or, once the crossfade is over, the old one. The control
 *     thread frees it there (the audio thread never frees) and, on success,
 *     lets the host switch its control-side view (strip table, command tags).
 * One reload runs at a time (`lock`), so each slot holds at most one
 * generation and the audio thread never finds `retired` occupied.
 *
 * Threads: init/destroy/run on control threads; take/retire on the audio
 * thread (lock-free, no allocation).
 */
#ifndef MIXDOWN_REALTIME_RT_RELOAD_H
#define MIXDOWN_REALTIME_RT_RELOAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "mixdown/mixdown.h"
#include "realtime/rt_gen.h"

#define MXD_RT_RELOAD_LEAD_S 0.3 /* first lead of the swap frame ahead of the position */
#define MXD_RT_RELOAD_WARM_S 2.0 /* warm-up before the swap frame */

typedef struct {
	/* What the reloader asks of the player (the host). */
	void *host;
	/* The audio thread's last published state: timeline position, whether
	 * it is producing sound (playing and not waiting for the disk), and its
	 * locate count. Any thread. */
	void (*snapshot)(void *host, int64_t *pos, bool *sounding, uint64_t *locates);
	/* `now` plays, `old` has been retired and is freed after this returns:
	 * switch the control-side view. Called on the reloading thread. */
	void (*adopt)(void *host, mxd_rt_gen *now, mxd_rt_gen *old);
	mxd_rt_gen_hooks hooks;         /* how the host builds a generation */
	double rate;
	uint32_t channels, max_block;
	/* Handover */
	_Atomic(mxd_rt_gen *) pending;  /* control -> audio */
	_Atomic(mxd_rt_gen *) retired;  /* audio -> control */
	_Atomic bool closing;           /* the player is closing: stop waiting */
	pthread_mutex_t lock;           /* one reload at a time; guards the fields below */
	uint32_t next_id;
	mxd_rt_gen *inflight;           /* taken by the audio thread, outcome not collected yet */
} mxd_rt_reload;

/* first_id: the id the next generation gets (the open session's is first_id - 1). */
void mxd_rt_reload_init(mxd_rt_reload *r, uint32_t first_id);
/* After the audio thread stopped: frees what is still in the slots. */
void mxd_rt_reload_destroy(mxd_rt_reload *r);

/* Load `path` and swap it in (steps 1-4). Blocks until the new session plays
 * (or, while stopped, is in place), typically lead + build time. On failure
 * the old session keeps playing and err says why (session errors carry
 * file:line:column). */
mixdown_status mxd_rt_reload_run(mxd_rt_reload *r, const char *path, mixdown_error *err);

/* Audio thread: the pending generation, if any (the caller owns it now). */
static inline mxd_rt_gen *mxd_rt_reload_take(mxd_rt_reload *r)
{
	if (!atomic_load_explicit(&r->pending, memory_order_relaxed))
		return NULL;
	return atomic_exchange_explicit(&r->pending, NULL, memory_order_acq_rel);
}

/* Audio thread: hand a generation back (rejected, or replaced). */
static inline void mxd_rt_reload_retire(mxd_rt_reload *r, mxd_rt_gen *g)
{
	atomic_store_explicit(&r->retired, g, memory_order_release);
}

#endif
