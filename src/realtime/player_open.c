/* mixdown — opening and closing the real-time player: the JACK client, its
 * ports and connections, the first generation, the OSC server, the session
 * file's watcher and hot reload. Control thread only.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "graph/engine_threads.h"
#include "realtime/player_internal.h"

#include <jack/thread.h> /* jack_client_real_time_priority() */
#include "spatial/layout.h"

/* Connect output i to the i-th port of `list` (comma-separated) or, with NULL,
 * to the physical playback ports (a mono master feeds the first two). */
static mixdown_status connect_outputs(mixdown_player *p, const char *list, mixdown_error *err)
{
	uint32_t n_out = p->bin ? 2 : p->channels; /* --binaural: two ears */
	if (list && !*list)
		return MIXDOWN_SUCCESS;
	if (!list) {
		const char **ports = jack_get_ports(p->client, NULL, JACK_DEFAULT_AUDIO_TYPE,
						    JackPortIsPhysical | JackPortIsInput);
		for (uint32_t i = 0; ports && ports[i]; i++) {
			if (i >= n_out && !(n_out == 1 && i == 1))
				break;
			jack_connect(p->client, jack_port_name(p->port[i < n_out ? i : 0]), ports[i]);
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
		int r = jack_connect(p->client, jack_port_name(p->port[i % n_out]), name);
		if (r != 0 && r != EEXIST)
			return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL,
					"cannot connect %s to JACK port \"%s\"", jack_port_name(p->port[i % n_out]),
					name);
	}
	return MIXDOWN_SUCCESS;
}

/* Control thread, before the engine runs: the loop, the bus taps and the
 * live inputs' cursors. */
static mixdown_status open_transport(mixdown_player *p, const mixdown_player_options *opt, mixdown_error *err)
{
	const mxd_session *s = p->s;
	mxd_rt_loop_init(&p->loop, p->rate);
	p->follow = opt->follow_transport;
	for (size_t k = 0; k < s->n_tracks; k++)
		for (uint32_t c = 0; c < s->tracks[k].n_inputs; c++)
			p->n_in = s->tracks[k].inputs[c] > p->n_in ? s->tracks[k].inputs[c] : p->n_in;
	(void)err;
	if (!opt->bus_outputs || !s->n_buses)
		return MIXDOWN_SUCCESS;
	p->n_bus_ports = s->n_buses * p->channels;
	if (!(p->bus_port = calloc(p->n_bus_ports, sizeof *p->bus_port)) ||
	    !(p->bus_buf = calloc(p->n_bus_ports, sizeof *p->bus_buf)))
		return MIXDOWN_ERR_NOMEM;
	return MIXDOWN_SUCCESS;
}

/* ---- generations: what the player adds to each (control thread) */

/* After the engine is built, before it runs (rt_gen.h hooks). */
static mixdown_status prepare_gen(void *host, mxd_rt_gen *g, mixdown_error *err)
{
	mixdown_player *p = host;
	const mxd_session *s = g->s;
	/* METERS: the strip meter bank (one per generation: its node count) */
	mxd_engine_set_metering(g->e, true);
	/* THREADS: strips on several cores; workers just below JACK's priority */
	mixdown_status ts = mixdown_engine_set_threads(g->e, p->threads, err);
	if (ts != MIXDOWN_SUCCESS)
		return ts;
	mxd_engine_threads_priority(g->e, atomic_load(&p->worker_prio));
	if (mxd_engine_live_prepare(g->e) != MIXDOWN_SUCCESS) /* live insert bypass: dry paths */
		return MIXDOWN_ERR_NOMEM;
	if (!(g->meters = mxd_rt_meters_new(mxd_engine_node_count(g->e), p->rate)))
		return MIXDOWN_ERR_NOMEM;
	/* TRANSPORT: bus output taps for the buses that have ports, cursors
	 * for live inputs, and an armed loop the stream must wrap at. */
	for (size_t b = 0; p->channels && b < p->n_bus_ports / p->channels && b < s->n_buses; b++) {
		mixdown_status st = mxd_engine_enable_tap(g->e, s->n_tracks + b);
		if (st != MIXDOWN_SUCCESS)
			return mxd_fail(err, st, NULL, (mxd_loc){ 0, 0 }, NULL, "cannot tap bus %s", s->buses[b].name);
	}
	if (p->n_in && !(g->in_cursor = calloc(s->n_tracks ? s->n_tracks : 1, sizeof *g->in_cursor)))
		return MIXDOWN_ERR_NOMEM;
	pthread_mutex_lock(&p->qlock);
	g->loop_start = llround(p->loop_s[0] * p->rate);
	g->loop_end = llround(p->loop_s[1] * p->rate);
	pthread_mutex_unlock(&p->qlock);
	return MIXDOWN_SUCCESS;
}

/* The audio thread's last published state (rt_reload.h). */
static void snapshot(void *host, int64_t *pos, bool *sounding, uint64_t *locates)
{
	mixdown_player *p = host;
	*locates = atomic_load_explicit(&p->pub_locates, memory_order_acquire);
	*pos = atomic_load_explicit(&p->pub_pos, memory_order_relaxed);
	*sounding = atomic_load_explicit(&p->pub_playing, memory_order_relaxed) &&
		    !atomic_load_explicit(&p->pub_waiting, memory_order_relaxed);
}

/* The control side follows a completed reload: from now on commands are
 * resolved in the new session; its values are the truth (live overrides of
 * the old one are not carried over, docs/osc.md). */
static void set_view(mixdown_player *p, mxd_rt_gen *g)
{
	p->ctl = g;
	p->s = g->s;
	p->strips = g->strips;
	p->n_strips = g->n_strips;
	atomic_store(&p->end, g->end);
}

static void adopt(void *host, mxd_rt_gen *now, mxd_rt_gen *old)
{
	mixdown_player *p = host;
	pthread_mutex_lock(&p->qlock);
	p->underruns_before += mxd_rt_disk_underruns(old->disk);
	set_view(p, now);
	p->reloads++;
	p->reload_error[0] = '\0';
	pthread_mutex_unlock(&p->qlock);
}

mixdown_status mixdown_player_reload(mixdown_player *p, const char *path, mixdown_error *err)
{
	mixdown_error e;
	memset(&e, 0, sizeof e);
	mixdown_status st = mxd_rt_reload_run(&p->reload, path, &e);
	if (st != MIXDOWN_SUCCESS) {
		pthread_mutex_lock(&p->qlock);
		mixdown_error_format(&e, p->reload_error, sizeof p->reload_error);
		if (!p->reload_error[0])
			snprintf(p->reload_error, sizeof p->reload_error, "%s", mixdown_strerror(st));
		pthread_mutex_unlock(&p->qlock);
	}
	if (err)
		*err = e;
	return st;
}

/* The watcher thread's callback: the outcome shows in the status. */
static void on_saved(void *user, const char *path)
{
	mixdown_player_reload(user, path, NULL);
}

/* Control thread, before activation: the ports in_N and <bus>_N, and the
 * sync callback when following the transport. */
static mixdown_status register_transport(mixdown_player *p, const mixdown_player_options *opt, mixdown_error *err)
{
	(void)opt;
	char name[320];
	for (uint32_t i = 0; i < p->n_in; i++) {
		snprintf(name, sizeof name, "in_%u", i + 1);
		if (!(p->in_port[i] = jack_port_register(p->client, name, JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0)))
			return mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, (mxd_loc){ 0, 0 }, NULL,
					"cannot register JACK port %s", name);
	}
	for (size_t i = 0; i < p->n_bus_ports; i++) {
		snprintf(name, sizeof name, "%s_%u", p->s->buses[i / p->channels].name, (unsigned)(i % p->channels) + 1);
		if (!(p->bus_port[i] = jack_port_register(p->client, name, JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0)))
			return mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, (mxd_loc){ 0, 0 }, NULL,
					"cannot register JACK port \"%s\" for bus %s", name,
					p->s->buses[i / p->channels].name);
	}
	if (p->follow && jack_set_sync_callback(p->client, mxd_player_on_sync, p) != 0)
		return mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, (mxd_loc){ 0, 0 }, NULL,
				"cannot follow the JACK transport (no sync callback)");
	return MIXDOWN_SUCCESS;
}

/* Connect in_i from the i-th port of `list` (comma-separated) or, with NULL,
 * from the physical capture ports. */
static mixdown_status connect_inputs(mixdown_player *p, const char *list, mixdown_error *err)
{
	if (!p->n_in || (list && !*list))
		return MIXDOWN_SUCCESS;
	if (!list) {
		const char **ports = jack_get_ports(p->client, NULL, JACK_DEFAULT_AUDIO_TYPE,
						    JackPortIsPhysical | JackPortIsOutput);
		for (uint32_t i = 0; ports && ports[i] && i < p->n_in; i++)
			jack_connect(p->client, ports[i], jack_port_name(p->in_port[i]));
		jack_free(ports);
		return MIXDOWN_SUCCESS;
	}
	char name[512];
	uint32_t i = 0;
	for (const char *s = list; *s && i < p->n_in; i++) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		snprintf(name, sizeof name, "%.*s", (int)len, s);
		s += len + (end ? 1 : 0);
		int r = jack_connect(p->client, name, jack_port_name(p->in_port[i]));
		if (r != 0 && r != EEXIST)
			return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL,
					"cannot connect JACK port \"%s\" to %s", name, jack_port_name(p->in_port[i]));
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
	p->threads = opt->threads;
	atomic_init(&p->worker_prio, 0);
	mxd_rt_cmdq_init(&p->q);
	mxd_rt_guard_hooks_find(&p->guard);
	pthread_mutex_init(&p->qlock, NULL);
	p->reload = (mxd_rt_reload){ .host = p, .snapshot = snapshot, .adopt = adopt, .rate = p->rate,
				     .channels = p->channels, .max_block = MAX_BLOCK,
				     .hooks = { .host = p, .prepare = prepare_gen, .source = mxd_player_track_source } };
	mxd_rt_reload_init(&p->reload, 2); /* the open session is generation 1 */
	atomic_init(&p->end, 0);
	atomic_init(&p->pub_locates, 0);
	p->xf_len = (uint32_t)llround(XFADE_MS * 1e-3 * p->rate);
	p->xf_len = p->xf_len ? p->xf_len : 1;
	mixdown_status st = MIXDOWN_SUCCESS;
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		if (!(p->xf_buf[c] = calloc(MAX_BLOCK, sizeof(float))))
			st = MIXDOWN_ERR_NOMEM;
	if (st != MIXDOWN_SUCCESS || (st = open_transport(p, opt, err)) != MIXDOWN_SUCCESS)
		goto fail;
	/* Start at the session's range start without pre-rolling the whole
	 * beginning inside the first callback. */
	int64_t start = llround(session->range_start * p->rate);
	if ((st = mxd_rt_gen_create(session, false, 1, MAX_BLOCK, start, 0.0, &p->reload.hooks, &p->cur, err)) !=
	    MIXDOWN_SUCCESS)
		goto fail;
	set_view(p, p->cur);
	p->pos = start;
	p->waiting = true;
	p->playing = false; /* until the outputs are connected (below) */
	atomic_init(&p->pub_pos, start);
	atomic_init(&p->pub_playing, p->playing);
	atomic_init(&p->pub_waiting, true);
	atomic_init(&p->peak_bits, 0);
	atomic_init(&p->xruns, 0);
	mxd_rt_load_init(&p->load);
	if (!(p->loud = mxd_rt_loudness_new(p->channels, p->rate, session->layout))) {
		st = MIXDOWN_ERR_NOMEM;
		goto fail;
	}

	jack_status_t js = 0;
	bool want_alsa = opt->backend && !strcmp(opt->backend, "alsa");
	if (opt->backend && !want_alsa && strcmp(opt->backend, "jack")) {
		st = mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL,
			      "unknown audio backend \"%s\" (jack or alsa)", opt->backend);
		goto fail;
	}
	p->client = want_alsa ? NULL : jack_client_open(opt->client_name ? opt->client_name : "mixdown",
							  JackNoStartServer, &js);
	if (!p->client && opt->binaural) {
		st = mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, (mxd_loc){ 0, 0 }, NULL,
			      "--binaural plays through JACK only, and no JACK server runs (status 0x%x)", (unsigned)js);
		goto fail;
	}
	if (!p->client && (want_alsa || !opt->backend)) {
		/* No JACK server: the ALSA device directly (player_alsa.c). */
		if ((st = mxd_player_alsa_open(p, opt, err)) == MIXDOWN_SUCCESS)
			goto backend_ready;
		if (!want_alsa && err) {
			char why[sizeof err->message];
			snprintf(why, sizeof why, "%s", err->message);
			snprintf(err->message, sizeof err->message,
				 "no JACK server runs (status 0x%x) and the ALSA fallback failed: %.600s", (unsigned)js, why);
		}
		goto fail;
	}
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
	if (opt->binaural && (st = mxd_player_binaural_open(p, opt, err)) != MIXDOWN_SUCCESS)
		goto fail;
	for (uint32_t c = 0; c < (p->bin ? 2 : p->channels); c++) {
		char name[32];
		/* With `layout:` the ports carry its speaker labels (out_L, out_C, out_LFE, ...), in file order. */
		const struct mxd_layout_s *lay = p->s->layout;
		if (lay && lay->channels == p->channels)
			snprintf(name, sizeof name, "out_%s", lay->speakers[c].label);
		else
			snprintf(name, sizeof name, "out_%u", c + 1);
		if (!(p->port[c] = jack_port_register(p->client, name, JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0))) {
			st = mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, (mxd_loc){ 0, 0 }, NULL,
				      "cannot register JACK port %s", name);
			goto fail;
		}
	}
	jack_set_process_callback(p->client, mxd_player_process, p);
	jack_set_xrun_callback(p->client, mxd_player_on_xrun, p);
	if ((st = register_transport(p, opt, err)) != MIXDOWN_SUCCESS)
		goto fail;
	snprintf(p->backend, sizeof p->backend, "jack");
backend_ready:
	if (opt->osc_port > 0 && (st = mxd_rt_osc_start(p, opt->osc_port, opt->osc_bind, &p->osc, err)) != MIXDOWN_SUCCESS)
		goto fail;
	if (p->alsa && (st = mxd_player_alsa_start(p, err)) != MIXDOWN_SUCCESS)
		goto fail;
	if (p->client && jack_activate(p->client) != 0) {
		st = mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, (mxd_loc){ 0, 0 }, NULL, "cannot activate the JACK client");
		goto fail;
	}
	if (p->client && jack_is_realtime(p->client) && jack_client_real_time_priority(p->client) > 1) {
		/* Best effort (docs/playback.md): engines built later get it in prepare_gen(). */
		atomic_store(&p->worker_prio, jack_client_real_time_priority(p->client) - 1);
		mxd_engine_threads_priority(p->cur->e, atomic_load(&p->worker_prio));
	}
	if (p->client && ((st = connect_outputs(p, opt->connect, err)) != MIXDOWN_SUCCESS ||
			  (st = connect_inputs(p, opt->connect_inputs, err)) != MIXDOWN_SUCCESS))
		goto fail;
	if (opt->watch_path &&
	    (st = mxd_rt_watch_start(opt->watch_path, on_saved, p, &p->watch, err)) != MIXDOWN_SUCCESS)
		goto fail;
	/* Connections are made after activation; starting only now keeps the
	 * session's first frames from playing into unconnected ports. A player
	 * following the JACK transport waits for it instead. */
	if (!opt->start_stopped && !p->follow)
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
	atomic_store(&p->reload.closing, true); /* a reload in progress stops waiting */
	mxd_rt_watch_stop(p->watch);
	mxd_rt_osc_stop(p->osc); /* no more producers */
	if (p->client) {
		jack_deactivate(p->client);
		jack_client_close(p->client);
	}
	mxd_player_alsa_close(p); /* stops its audio thread */
	mxd_player_binaural_close(p);
	/* The audio thread is gone: every generation is the player's (p->ctl
	 * is one of these). */
	mxd_rt_gen_free(p->cur);
	mxd_rt_gen_free(p->next);
	mxd_rt_gen_free(p->fading);
	mxd_rt_reload_destroy(&p->reload);
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		free(p->xf_buf[c]);
	mxd_rt_loudness_free(p->loud);
	mxd_rt_live_free(p->live);
	pthread_mutex_destroy(&p->qlock);
	free(p->bus_port);
	free(p->bus_buf);
	free(p);
}
