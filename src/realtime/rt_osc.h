/* mixdown — the OSC control server of real-time playback (docs/osc.md).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A UDP socket bound to 127.0.0.1:port and a thread that receives datagrams,
 * decodes them with liblo (lo_message_deserialise) and turns the address
 * space into player calls:
 *   /track/<name>/gain f (dB), /track/<name>/pan f (-1..+1),
 *   /track/<name>/mute i|f|T|F, the same under /bus/<name>/...,
 *   /transport/play, /transport/stop, /transport/locate f (seconds).
 * Those calls only push commands on the player's lock-free queue, so the
 * audio thread never waits for this thread. Bundles are not decoded.
 * Ownership: start/stop on the control thread (stop joins the thread).
 */
#ifndef MIXDOWN_REALTIME_RT_OSC_H
#define MIXDOWN_REALTIME_RT_OSC_H

#include <stdint.h>

#include "mixdown/mixdown.h"

typedef struct mxd_rt_osc mxd_rt_osc;

mixdown_status mxd_rt_osc_start(mixdown_player *p, int port, mxd_rt_osc **out, mixdown_error *err);
void mxd_rt_osc_stop(mxd_rt_osc *o);
void mxd_rt_osc_counts(const mxd_rt_osc *o, uint64_t *messages, uint64_t *rejected);

/* Apply one decoded message to the player; false if the address or the
 * arguments are not understood (exposed for tests). */
bool mxd_rt_osc_dispatch(mixdown_player *p, const char *path, const char *types, double value);

#endif
