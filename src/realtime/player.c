/* mixdown — real-time playback through JACK (the public mixdown_player_* of
 * mixdown.h): the engine runs in the JACK process callback, fed by the disk
 * thread (rt_disk.h) and steered by commands from the control and OSC threads
 * through a lock-free queue (rt_cmdq.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Audio thread (process()): pops commands, applies them (live gain/pan/mute,
 * play/stop/locate), runs the engine in blocks of at most MAX_BLOCK frames
 * straight into the JACK port buffers and publishes position and peak through
 * atomics. It never allocates, locks, waits or does I/O: the engine's track
 * inputs come from the disk thread's rings (mxd_engine_set_track_source).
 * After a locate (and at start) it outputs silence until every ring holds its
 * prefill, then plays from exactly the located frame.
 * Everything else (open/close/play/stop/locate/set/status): control thread;
 * command producers (control and OSC thread) serialize on `qlock`, which the
 * audio thread never touches.
 */
#include <errno.h>
#include <jack/jack.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/engine.h"
#include "mixdown/mixdown.h"
#include "realtime/rt_cmdq.h"
#include "realtime/rt_disk.h"
#include "realtime/rt_osc.h"
#include "session/model.h"

#define MAX_BLOCK 1024u /* engine block; longer JACK periods run in several */

struct mixdown_player {
	const mxd_session *s;
	mixdown_engine *e;
	mxd_rt_disk *disk;
	mxd_rt_osc *osc;
	jack_client_t *client;
	jack_port_t *port[MXD_MAX_CHANNELS];
	uint32_t channels;
	double rate;
	int64_t end;                 /* timeline frame where the session ends */
	mxd_rt_cmdq q;
	pthread_mutex_t qlock;       /* producers only */
	/* audio thread */
	bool playing, waiting;
	int64_t pos;
	/* published by the audio thread */
	_Atomic int64_t pub_pos;
	_Atomic bool pub_playing, pub_waiting;
	_Atomic uint32_t peak_bits;  /* float bits of the peak since the last status */
	_Atomic uint64_t xruns;
	/* Control side: each strip's live state (session values until set;
	 * tracks, buses, master), written under qlock. */
	mixdown_strip_state *strips;
	size_t n_strips;
};

static uint32_t float_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	return u;
}

static float bits_float(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

static void apply(mixdown_player *p, const mxd_rt_cmd *c)
{
	switch (c->kind) {
	case MXD_RT_PLAY: p->playing = true; break;
	case MXD_RT_STOP: p->playing = false; break;
	case MXD_RT_LOCATE:
		p->pos = (int64_t)c->value;
		mxd_engine_locate(p->e, p->pos);
		mxd_rt_disk_seek(p->disk, p->pos);
		p->waiting = true;
		break;
	case MXD_RT_GAIN: mxd_engine_live_gain(p->e, c->node, c->value); break;
	case MXD_RT_PAN: mxd_engine_live_pan(p->e, c->node, c->value); break;
	case MXD_RT_MUTE: mxd_engine_live_mute(p->e, c->node, c->value >= 0.5); break;
	}
}

static void publish_peak(mixdown_player *p, float peak)
{
	uint32_t old = atomic_load_explicit(&p->peak_bits, memory_order_relaxed);
	while (peak > bits_float(old) &&
	       !atomic_compare_exchange_weak_explicit(&p->peak_bits, &old, float_bits(peak), memory_order_relaxed,
						      memory_order_relaxed))
		;
}

static int process(jack_nframes_t nframes, void *arg)
{
	mixdown_player *p = arg;
	mxd_rt_cmd c;
	while (mxd_rt_cmdq_pop(&p->q, &c))
		apply(p, &c);
	float *out[MXD_MAX_CHANNELS];
	for (uint32_t ch = 0; ch < p->channels; ch++)
		out[ch] = jack_port_get_buffer(p->port[ch], nframes);
	/* Checked even when stopped: it also drains stale rings after a locate,
	 * which the disk thread waits for before refilling. */
	if (p->waiting && mxd_rt_disk_ready(p->disk))
		p->waiting = false;
	if (!p->playing || p->waiting) {
		for (uint32_t ch = 0; ch < p->channels; ch++)
			memset(out[ch], 0, nframes * sizeof(float));
	} else {
		for (uint32_t off = 0; off < nframes;) {
			uint32_t m = nframes - off < MAX_BLOCK ? nframes - off : MAX_BLOCK;
			float *blk[MXD_MAX_CHANNELS];
			for (uint32_t ch = 0; ch < p->channels; ch++)
				blk[ch] = out[ch] + off;
			mixdown_engine_process(p->e, blk, m, NULL); /* fails only for m > max_block */
			off += m;
		}
		float peak = 0.0f;
		for (uint32_t ch = 0; ch < p->channels; ch++)
			for (uint32_t i = 0; i < nframes; i++)
				peak = fabsf(out[ch][i]) > peak ? fabsf(out[ch][i]) : peak;
		publish_peak(p, peak);
		p->pos += nframes;
	}
	atomic_store_explicit(&p->pub_pos, p->pos, memory_order_relaxed);
	atomic_store_explicit(&p->pub_playing, p->playing, memory_order_relaxed);
	atomic_store_explicit(&p->pub_waiting, p->waiting, memory_order_relaxed);
	return 0;
}

static int on_xrun(void *arg)
{
	mixdown_player *p = arg;
	atomic_fetch_add_explicit(&p->xruns, 1, memory_order_relaxed);
	return 0;
}

mixdown_player_options mixdown_player_options_init(void)
{
	return (mixdown_player_options){ .client_name = NULL, .connect = NULL, .osc_port = 0, .start_stopped = false };
}

static bool push(mixdown_player *p, mxd_rt_cmd c)
{
	pthread_mutex_lock(&p->qlock);
	bool ok = mxd_rt_cmdq_push(&p->q, c);
	pthread_mutex_unlock(&p->qlock);
	return ok;
}

void mixdown_player_play(mixdown_player *p) { push(p, (mxd_rt_cmd){ .kind = MXD_RT_PLAY }); }
void mixdown_player_stop(mixdown_player *p) { push(p, (mxd_rt_cmd){ .kind = MXD_RT_STOP }); }

void mixdown_player_locate(mixdown_player *p, double seconds)
{
	double f = seconds > 0 ? floor(seconds * p->rate + 0.5) : 0.0;
	push(p, (mxd_rt_cmd){ .kind = MXD_RT_LOCATE, .value = f });
}

bool mixdown_player_set(mixdown_player *p, const char *strip, const char *param, double value)
{
	if (!strip || !param || !isfinite(value))
		return false;
	size_t node = SIZE_MAX;
	for (size_t i = 0; i < p->s->n_tracks && node == SIZE_MAX; i++)
		if (!strcmp(p->s->tracks[i].name, strip))
			node = i;
	for (size_t i = 0; i < p->s->n_buses && node == SIZE_MAX; i++)
		if (!strcmp(p->s->buses[i].name, strip))
			node = p->s->n_tracks + i;
	if (node == SIZE_MAX)
		return false;
	mxd_rt_cmd c = { .node = (uint32_t)node, .value = value };
	if (!strcmp(param, "gain"))
		c.kind = MXD_RT_GAIN;
	else if (!strcmp(param, "pan"))
		c.kind = MXD_RT_PAN;
	else if (!strcmp(param, "mute"))
		c.kind = MXD_RT_MUTE;
	else
		return false;
	pthread_mutex_lock(&p->qlock);
	bool ok = mxd_rt_cmdq_push(&p->q, c);
	if (ok) {
		mixdown_strip_state *ss = &p->strips[node];
		if (c.kind == MXD_RT_GAIN)
			ss->gain_db = value < -144.0 ? -144.0 : value > 24.0 ? 24.0 : value;
		else if (c.kind == MXD_RT_PAN)
			ss->pan = value < -1.0 ? -1.0 : value > 1.0 ? 1.0 : value;
		else
			ss->mute = value >= 0.5;
	}
	pthread_mutex_unlock(&p->qlock);
	return ok;
}

/* The strips' live state starts as the session's values. */
static mixdown_status init_strips(mixdown_player *p)
{
	const mxd_session *s = p->s;
	p->n_strips = s->n_tracks + s->n_buses + 1;
	if (!(p->strips = calloc(p->n_strips, sizeof *p->strips)))
		return MIXDOWN_ERR_NOMEM;
	for (size_t i = 0; i < p->n_strips; i++) {
		const mxd_strip *st = i < s->n_tracks ? &s->tracks[i]
				      : i < s->n_tracks + s->n_buses ? &s->buses[i - s->n_tracks] : &s->master;
		mixdown_strip_state *ss = &p->strips[i];
		snprintf(ss->name, sizeof ss->name, "%s", st == &s->master ? "master" : st->name);
		ss->kind = i < s->n_tracks ? MIXDOWN_STRIP_TRACK
			   : i < s->n_tracks + s->n_buses ? MIXDOWN_STRIP_BUS : MIXDOWN_STRIP_MASTER;
		ss->gain_db = st->gain_db;
		ss->pan = st->pan;
		ss->mute = st->mute;
		ss->solo = st->solo;
	}
	return MIXDOWN_SUCCESS;
}

size_t mixdown_player_strips(mixdown_player *p, mixdown_strip_state *out, size_t max)
{
	pthread_mutex_lock(&p->qlock);
	for (size_t i = 0; i < p->n_strips && i < max; i++)
		out[i] = p->strips[i];
	size_t n = p->n_strips;
	pthread_mutex_unlock(&p->qlock);
	return n;
}

/* Connect output i to the i-th port of `list` (comma-separated) or, with NULL,
 * to the physical playback ports (a mono master feeds the first two). */
static mixdown_status connect_outputs(mixdown_player *p, const char *list, mixdown_error *err)
{
	if (list && !*list)
		return MIXDOWN_SUCCESS;
	if (!list) {
		const char **ports = jack_get_ports(p->client, NULL, JACK_DEFAULT_AUDIO_TYPE,
						    JackPortIsPhysical | JackPortIsInput);
		for (uint32_t i = 0; ports && ports[i]; i++) {
			if (i >= p->channels && !(p->channels == 1 && i == 1))
				break;
			jack_connect(p->client, jack_port_name(p->port[i < p->channels ? i : 0]), ports[i]);
		}
		jack_free(ports);
		return MIXDOWN_SUCCESS;
	}
	char name[512];
	uint32_t i = 0;
	for (const char *s = list; *s; i++) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		snprintf(name, sizeof name, "%.*s", (int)len, s);
		s += len + (end ? 1 : 0);
		int r = jack_connect(p->client, jack_port_name(p->port[i % p->channels]), name);
		if (r != 0 && r != EEXIST)
			return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL,
					"cannot connect %s to JACK port \"%s\"", jack_port_name(p->port[i % p->channels]),
					name);
	}
	return MIXDOWN_SUCCESS;
}

mixdown_status mixdown_player_open(const mixdown_session *session, const mixdown_player_options *opt,
				   mixdown_player **out, mixdown_error *err)
{
	*out = NULL;
	mixdown_player_options def = mixdown_player_options_init();
	if (!opt)
		opt = &def;
	mixdown_player *p = calloc(1, sizeof *p);
	if (!p)
		return MIXDOWN_ERR_NOMEM;
	p->s = session;
	p->rate = session->sample_rate;
	p->channels = session->channels;
	mxd_rt_cmdq_init(&p->q);
	pthread_mutex_init(&p->qlock, NULL);
	mixdown_status st = init_strips(p);
	if (st != MIXDOWN_SUCCESS || (st = mixdown_engine_create(session, MAX_BLOCK, &p->e, err)) != MIXDOWN_SUCCESS)
		goto fail;
	/* Start at the session's range start without pre-rolling the whole
	 * beginning inside the first callback. */
	int64_t start = llround(session->range_start * p->rate);
	p->end = start + (int64_t)mixdown_engine_length(p->e);
	mxd_engine_locate(p->e, start);
	p->pos = start;
	p->waiting = true;
	p->playing = false; /* until the outputs are connected (below) */
	atomic_init(&p->pub_pos, start);
	atomic_init(&p->pub_playing, p->playing);
	atomic_init(&p->pub_waiting, true);
	atomic_init(&p->peak_bits, 0);
	atomic_init(&p->xruns, 0);
	if ((st = mxd_rt_disk_create(session, p->e, start, &p->disk, err)) != MIXDOWN_SUCCESS)
		goto fail;
	mxd_engine_set_track_source(p->e, mxd_rt_disk_source, p->disk);

	jack_status_t js;
	p->client = jack_client_open(opt->client_name ? opt->client_name : "mixdown", JackNoStartServer, &js);
	if (!p->client) {
		st = mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, (mxd_loc){ 0, 0 }, NULL,
			      "cannot connect to a JACK server (status 0x%x); is one running?", (unsigned)js);
		goto fail;
	}
	double jrate = jack_get_sample_rate(p->client);
	if (jrate != p->rate) {
		st = mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, (mxd_loc){ 0, 0 }, NULL,
			      "the JACK server runs at %.0f Hz, the session at %.0f Hz", jrate, p->rate);
		goto fail;
	}
	for (uint32_t c = 0; c < p->channels; c++) {
		char name[32];
		snprintf(name, sizeof name, "out_%u", c + 1);
		if (!(p->port[c] = jack_port_register(p->client, name, JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0))) {
			st = mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, (mxd_loc){ 0, 0 }, NULL,
				      "cannot register JACK port %s", name);
			goto fail;
		}
	}
	jack_set_process_callback(p->client, process, p);
	jack_set_xrun_callback(p->client, on_xrun, p);
	if (opt->osc_port > 0 && (st = mxd_rt_osc_start(p, opt->osc_port, &p->osc, err)) != MIXDOWN_SUCCESS)
		goto fail;
	if (jack_activate(p->client) != 0) {
		st = mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, (mxd_loc){ 0, 0 }, NULL, "cannot activate the JACK client");
		goto fail;
	}
	if ((st = connect_outputs(p, opt->connect, err)) != MIXDOWN_SUCCESS)
		goto fail;
	/* Connections are made after activation; starting only now keeps the
	 * session's first frames from playing into unconnected ports. */
	if (!opt->start_stopped)
		mixdown_player_play(p);
	*out = p;
	return MIXDOWN_SUCCESS;
fail:
	mixdown_player_close(p);
	return st;
}

void mixdown_player_close(mixdown_player *p)
{
	if (!p)
		return;
	mxd_rt_osc_stop(p->osc); /* no more producers */
	if (p->client) {
		jack_deactivate(p->client);
		jack_client_close(p->client);
	}
	mxd_rt_disk_free(p->disk);
	mixdown_engine_free(p->e);
	pthread_mutex_destroy(&p->qlock);
	free(p->strips);
	free(p);
}

void mixdown_player_get_status(mixdown_player *p, mixdown_player_status *st)
{
	memset(st, 0, sizeof *st);
	st->sample_rate = p->rate;
	st->position = (double)atomic_load(&p->pub_pos) / p->rate;
	st->end = (double)p->end / p->rate;
	st->period = p->client ? jack_get_buffer_size(p->client) : 0;
	st->playing = atomic_load(&p->pub_playing);
	st->waiting = st->playing && atomic_load(&p->pub_waiting);
	float peak = bits_float(atomic_exchange(&p->peak_bits, 0));
	st->peak_dbfs = peak > 0.0f ? 20.0f * log10f(peak) : -INFINITY;
	st->underruns = mxd_rt_disk_underruns(p->disk);
	st->xruns = atomic_load(&p->xruns);
	mxd_rt_osc_counts(p->osc, &st->osc_messages, &st->osc_rejected);
	mxd_rt_disk_error(p->disk, st->error, sizeof st->error);
}
