/* mixdown — the OSC control server of real-time playback (docs/osc.md).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A UDP socket bound to an IPv4 address (127.0.0.1 unless told otherwise) and
 * a thread that receives datagrams, decodes them with liblo
 * (lo_message_deserialise) and turns the address space into player calls:
 *   /track/<name>/gain f (dB), /pan f (-1..+1), /mute, /solo (i|f|T|F),
 *   /track/<name>/send/<bus>/level f (dB),
 *   /track/<name>/insert/<n or id>/<param> f (the parameter's unit),
 *   the same under /bus/<name>/..., /master/gain, /master/insert/...,
 *   /transport/play, /transport/stop, /transport/locate f (seconds),
 *   /meters/subscribe f (Hz, 1..60), /meters/unsubscribe.
 * Control calls only push commands on the player's lock-free queue, so the
 * audio thread never waits for this thread. The same thread sends meter
 * streams to subscribers (/meter/<strip> ffff, /meter/master/loudness fff)
 * from the same socket, reading the player's meters (never from the audio
 * thread). Bundles are not decoded.
 * Ownership: start/stop on the control thread (stop joins the thread).
 */
#ifndef MIXDOWN_REALTIME_RT_OSC_H
#define MIXDOWN_REALTIME_RT_OSC_H

#include <stdint.h>

#include "mixdown/mixdown.h"

typedef struct mxd_rt_osc mxd_rt_osc;

/* bind: dotted IPv4 address, NULL = "127.0.0.1". MIXDOWN_ERR_USAGE when the
 * address is not one or the port cannot be bound. */
mixdown_status mxd_rt_osc_start(mixdown_player *p, int port, const char *bind, mxd_rt_osc **out,
				mixdown_error *err);
void mxd_rt_osc_stop(mxd_rt_osc *o);
void mxd_rt_osc_counts(const mxd_rt_osc *o, uint64_t *messages, uint64_t *rejected);

/* Apply one decoded control message to the player; false if the address or
 * the arguments are not understood (exposed for tests). Meter subscriptions
 * need the sender and are handled by the server itself. */
bool mxd_rt_osc_dispatch(mixdown_player *p, const char *path, const char *types, double value);

#endif
