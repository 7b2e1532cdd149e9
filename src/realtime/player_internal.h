/* mixdown — the real-time player's state, shared by its three files:
 * player.c (the audio thread: process callback, generations, transport),
 * player_control.c (the control API: transport requests, live values,
 * status and meters) and player_open.c (open/close, JACK ports and
 * connections, reload). Nothing outside src/realtime includes this.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads and ownership: as the comments on each field say; see player.c's
 * header for the design.
 */
#ifndef MIXDOWN_REALTIME_PLAYER_INTERNAL_H
#define MIXDOWN_REALTIME_PLAYER_INTERNAL_H

#include <errno.h>
#include <jack/jack.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/bits.h"
#include "graph/engine.h"
#include "mixdown/mixdown.h"
#include "realtime/rt_cmdq.h"
#include "realtime/rt_disk.h"
#include "realtime/rt_gen.h"
#include "realtime/rt_live.h"
#include "realtime/rt_guard_hooks.h"
#include "realtime/rt_load.h"
#include "realtime/rt_loudness.h"
#include "realtime/rt_meters.h"
#include "realtime/rt_osc.h"
#include "realtime/rt_reload.h"
#include "realtime/rt_transport.h"
#include "realtime/rt_watch.h"
#include "session/model.h"

#define MAX_BLOCK 1024u /* engine block; longer JACK periods run in several */
#define XFADE_MS 20.0   /* crossfade from a generation to the reloaded one */

struct mixdown_player {
	/* Control side, under qlock: the generation commands are resolved in
	 * (switched when a reload completes) and its session. */
	mxd_rt_gen *ctl;
	const mxd_session *s;        /* = ctl->s */
	mxd_rt_osc *osc;
	mxd_rt_watch *watch;         /* the session file's watcher, or NULL */
	mxd_rt_reload reload;        /* hot reload: building and handing over generations */
	jack_client_t *client;
	jack_port_t *port[MXD_MAX_CHANNELS];
	uint32_t channels;
	struct mxd_player_binaural *bin; /* --binaural: 2 ports get the ears (player_binaural.c), or NULL */
	double rate;
	_Atomic int64_t end;         /* timeline frame where the current session ends */
	mxd_rt_cmdq q;
	pthread_mutex_t qlock;       /* producers and the control-side view */
	/* audio thread */
	bool playing, waiting;
	int64_t pos;
	mxd_rt_gen *cur;             /* the generation playing */
	mxd_rt_gen *next;            /* accepted: plays from next->swap_at */
	mxd_rt_gen *fading;          /* during a crossfade: the previous generation */
	uint32_t xf_pos, xf_len;     /* crossfade frames done, in all */
	float *xf_buf[MXD_MAX_CHANNELS]; /* the fading generation's block (MAX_BLOCK frames) */
	uint64_t locates;            /* locates, stops, loop wraps: each voids a swap not yet done */
	/* published by the audio thread */
	_Atomic int64_t pub_pos;
	_Atomic bool pub_playing, pub_waiting;
	_Atomic uint64_t pub_locates; /* stored last (release) */
	_Atomic uint32_t peak_bits;  /* float bits of the peak since the last status */
	_Atomic uint64_t xruns;
	mxd_rt_guard_hooks guard;    /* test build only (tests/rt_guard.c) */
	/* METERS (rt_meters.h, rt_loudness.h, rt_load.h): the strip bank belongs
	 * to the engine's generation (mxd_rt_gen.meters); loudness and load to
	 * the player. */
	mxd_rt_loudness *loud;
	mxd_rt_load load;
	/* Control side: each strip's live state (session values until set;
	 * tracks, buses, master), written under qlock: = ctl->strips. */
	mixdown_strip_state *strips;
	size_t n_strips;
	mxd_rt_live *live;           /* under qlock: send/insert values set live (rt_live.h) */
	uint32_t live_gen;           /* the generation `live` belongs to (a reload starts afresh) */
	uint64_t underruns_before;   /* under qlock: of the generations retired so far */
	uint64_t reloads;            /* under qlock */
	char reload_error[512];      /* under qlock */
	/* TRANSPORT (rt_transport.h): loop, JACK transport follow, bus outputs
	 * and live inputs; audio thread unless noted. */
	mxd_rt_loop loop;
	bool follow;                 /* set at open */
	double loop_s[2];            /* control side: the loop as last set, s */
	float loop_gain[MAX_BLOCK];
	jack_port_t **bus_port;      /* n_buses * channels (bus-major), or NULL */
	float **bus_buf;             /* their buffers this cycle */
	size_t n_bus_ports;
	jack_port_t *in_port[MXD_MAX_INPUT_PORT]; /* in_1..in_N */
	uint32_t n_in;
	const float *in_buf[MXD_MAX_INPUT_PORT];  /* this cycle's input buffers */
	uint32_t in_frames;          /* (per track cursors: mxd_rt_gen.in_cursor) */
	/* ALSA fallback (player_alsa.c): the device and its audio thread, or
	 * NULL with JACK (then `client` is set). */
	struct mxd_player_alsa *alsa;
	char backend[192];           /* set at open: "jack ..." or the ALSA device and its setup */
	unsigned threads;            /* set at open: each engine's threads (mixdown_engine_set_threads) */
	_Atomic int worker_prio;     /* SCHED_FIFO priority of the engines' workers, 0 = normal (after activation) */
};


/* player.c: JACK callbacks (audio thread) and the generations' track source. */
int mxd_player_process(jack_nframes_t nframes, void *arg);
int mxd_player_on_xrun(void *arg);
int mxd_player_on_sync(jack_transport_state_t state, jack_position_t *jp, void *arg);
/* player.c: one audio-thread cycle of nframes into out (the master's
 * channels), for both backends: commands, transport, the engine, meters and
 * what is published. The caller times it (DSP load) and brackets it with the
 * real-time guard. */
void mxd_player_cycle(mixdown_player *p, float *const *out, uint32_t nframes);

/* player_alsa.c (control thread): open and configure the ALSA device
 * opt->device (NULL: "default") for the session's rate and channels; start
 * its audio thread; stop it and close the device (NULL-safe on p->alsa);
 * the period in frames (0 without ALSA); the device's failure, if it broke. */
mixdown_status mxd_player_alsa_open(mixdown_player *p, const mixdown_player_options *opt, mixdown_error *err);
mixdown_status mxd_player_alsa_start(mixdown_player *p, mixdown_error *err);
void mxd_player_alsa_close(mixdown_player *p);
uint32_t mxd_player_alsa_period(const mixdown_player *p);
bool mxd_player_alsa_failure(const mixdown_player *p, char *buf, size_t size);
void mxd_player_track_source(void *user, size_t node, int64_t t, uint32_t n, float *const *dst, uint32_t channels);

/* player_control.c: queue a command resolved in the control generation
 * (under qlock); false when the queue is full. */
bool mxd_player_push(mixdown_player *p, mxd_rt_cmd c);

/* player_binaural.c: `play --binaural` (JACK only). open/close on the control
 * thread (open sets p->bin); process is the JACK cycle with p->bin set. */
typedef struct mxd_player_binaural mxd_player_binaural;
mixdown_status mxd_player_binaural_open(mixdown_player *p, const mixdown_player_options *opt, mixdown_error *err);
void mxd_player_binaural_close(mixdown_player *p);
void mxd_player_binaural_process(mixdown_player *p, uint32_t nframes);

#endif
