/* mixdown — one "generation" of real-time playback: everything that belongs to
 * one loaded session (the session, its engine, its disk reader, its strip
 * table), built together and freed together, so a session can be swapped for
 * an edited one while the player runs (hot reload, rt_reload.c).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Frames are session timeline frames at the session rate. A generation is
 * built on a control thread (create, wait_ready), handed to the audio thread
 * through the player's atomic `pending` pointer, used there (engine, disk
 * source) and handed back through `retired` to be freed on a control thread:
 * never freed on the audio thread. `id` is unique per player (1, 2, ...);
 * commands carry the id of the generation their node index was resolved in.
 */
#ifndef MIXDOWN_REALTIME_RT_GEN_H
#define MIXDOWN_REALTIME_RT_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "graph/engine.h"
#include "mixdown/mixdown.h"
#include "realtime/rt_disk.h"

struct mxd_rt_meters;

typedef struct mxd_rt_gen {
	uint32_t id;
	void *host;                  /* the player (its track source reads through the generation) */
	const mixdown_session *s;
	mixdown_session *own;        /* s when the generation owns it (reloads); NULL for the caller's */
	mixdown_engine *e;
	mxd_rt_disk *disk;
	int64_t stream;              /* the disk stream's first frame (the engine's next input frame) */
	int64_t end;                 /* timeline frame where the session ends */
	/* A loop the disk stream wraps at, set by the prepare hook: after output
	 * frame loop_end comes loop_start (rt_transport.h); loop_end <= loop_start
	 * or loop_end <= the start frame: none. */
	int64_t loop_start, loop_end;
	/* Control side: each strip's live state (tracks, buses, master), the
	 * session's values until set; the player guards it with its qlock. */
	mixdown_strip_state *strips;
	size_t n_strips;
	/* Per-generation state other parts of the player attach (made by the
	 * prepare hook, freed in mxd_rt_gen_free). */
	struct mxd_rt_meters *meters; /* METERS: the strip meter bank (rt_meters.h), engine's node count */
	uint32_t *in_cursor;         /* TRANSPORT: per track, frames of this cycle's live inputs read */
	/* Handover (rt_reload.c <-> the audio thread). */
	int64_t swap_at;             /* first timeline frame this generation plays */
	uint64_t locates;            /* the audio thread's locate count when swap_at was chosen */
	bool rejected;               /* the audio thread refused it (too late, or a locate/stop) */
} mxd_rt_gen;

/* What the player adds to every generation it builds. */
typedef struct {
	void *host;
	/* After the engine is built, before it runs: meters, taps, ... */
	mixdown_status (*prepare)(void *host, mxd_rt_gen *g, mixdown_error *err);
	/* The engine's track source once it plays in real time (user: the
	 * generation); NULL = the disk reader's (mxd_rt_disk_source). */
	mxd_track_source_fn source;
} mxd_rt_gen_hooks;

/* Build a generation for `s` (own = true: freed with it) that plays from
 * timeline frame `at`: an engine of max_block, located so its next output is
 * frame `at`, prepared by hooks->prepare (may be NULL) right after the engine
 * is built. warm_s > 0 first runs the engine over [at - warm_s, at) with its
 * own file reading, output discarded, so compressor envelopes, reverb tails and
 * delay lines hold what they would after playing up to `at`; then the disk
 * reader starts streaming from where the engine continues. On failure `s` is
 * freed when own is true. Control thread; reads files, allocates. */
mixdown_status mxd_rt_gen_create(const mixdown_session *s, bool own, uint32_t id, uint32_t max_block, int64_t at,
				 double warm_s, const mxd_rt_gen_hooks *hooks, mxd_rt_gen **out, mixdown_error *err);

/* Wait until the disk reader's rings hold their prefill (before handing the
 * generation to the audio thread); false after timeout_s. Control thread,
 * only while the audio thread does not use the generation. */
bool mxd_rt_gen_wait_ready(mxd_rt_gen *g, double timeout_s);

/* Control thread; the audio thread must no longer use it. NULL-safe. */
void mxd_rt_gen_free(mxd_rt_gen *g);

#endif
