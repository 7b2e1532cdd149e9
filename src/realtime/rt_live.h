/* mixdown — live control values of real-time playback: turning
 * mixdown_player_set()'s (strip, parameter, value) into an audio-thread
 * command, remembering what was set, and writing it back to the session file.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Parameters (docs/osc.md): "gain" (dB), "pan" (-1..+1), "mute", "solo"
 * (>= 0.5 = on), "send:<bus>" (dB, every send of the strip to that bus),
 * "insert:<n>:<param>" (n: 1-based insert position or its `id:`; param: the
 * processor's parameter path, e.g. "threshold" or "bands.2.gain", in its own
 * unit), "insert:<n>:bypass" (>= 0.5 = bypassed; a 20 ms crossfade), "polarity"
 * (>= 0.5 = inverted), "width" (0..2). The master takes "gain", "polarity",
 * "width" and "insert:..." only.
 * Node numbering as the engine's: tracks, buses, master.
 * Ownership: an mxd_rt_live belongs to one session (one player generation)
 * and borrows it. Threads: control thread only; the caller serializes
 * (the player's qlock). The audio thread applies the commands with the
 * engine's live setters (graph/engine.h).
 */
#ifndef MIXDOWN_REALTIME_RT_LIVE_H
#define MIXDOWN_REALTIME_RT_LIVE_H

#include "mixdown/mixdown.h"
#include "realtime/rt_cmdq.h"
#include "session/model.h"

typedef struct mxd_rt_live mxd_rt_live;

/* The session's own send levels and insert values; NULL without memory. */
mxd_rt_live *mxd_rt_live_new(const mxd_session *s);
void mxd_rt_live_free(mxd_rt_live *l); /* NULL-safe */

/* Resolve a change into *cmd (nothing is queued). MIXDOWN_ERR_USAGE with the
 * reason in err: no such strip or parameter, a value that is not finite, an
 * insert parameter that cannot change while playing. */
mixdown_status mxd_rt_live_resolve(const mxd_session *s, const mixdown_engine *e, const char *strip,
				   const char *param, double value, mxd_rt_cmd *cmd, mixdown_error *err);

/* Remember a queued command: gain/pan/mute/solo into strips[cmd->node]
 * (tracks, buses, master), send levels and insert values into `l`, clamped
 * as the audio thread clamps them. */
void mxd_rt_live_record(mxd_rt_live *l, const mxd_session *s, mixdown_strip_state *strips, const mxd_rt_cmd *cmd);

/* Write every value that differs from the session into the session file at
 * `path` (session_patch.h: only those scalars change). Nothing to write
 * leaves the file untouched. */
mixdown_status mxd_rt_live_save(const mxd_rt_live *l, const mxd_session *s, const mixdown_strip_state *strips,
				const char *path, mixdown_error *err);

#endif
