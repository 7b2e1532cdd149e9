/* mixdown — building and freeing a playback generation (see rt_gen.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Control thread only: everything here allocates, reads files or sleeps.
 */
#include "realtime/rt_gen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "graph/engine.h"
#include "realtime/rt_meters.h"
#include "session/model.h"

/* The strips' live state starts as the session's values. */
static mixdown_status init_strips(mxd_rt_gen *g)
{
	const mxd_session *s = g->s;
	g->n_strips = s->n_tracks + s->n_buses + 1;
	if (!(g->strips = calloc(g->n_strips, sizeof *g->strips)))
		return MIXDOWN_ERR_NOMEM;
	for (size_t i = 0; i < g->n_strips; i++) {
		const mxd_strip *st = i < s->n_tracks ? &s->tracks[i]
				      : i < s->n_tracks + s->n_buses ? &s->buses[i - s->n_tracks] : &s->master;
		mixdown_strip_state *ss = &g->strips[i];
		snprintf(ss->name, sizeof ss->name, "%s", st == &s->master ? "master" : st->name);
		ss->kind = i < s->n_tracks ? MIXDOWN_STRIP_TRACK
			   : i < s->n_tracks + s->n_buses ? MIXDOWN_STRIP_BUS : MIXDOWN_STRIP_MASTER;
		ss->gain_db = st->gain_db;
		ss->pan = st->pan;
		ss->mute = st->mute;
		ss->solo = st->solo;
		ss->width = st->width;
		ss->invert = st->invert;
	}
	return MIXDOWN_SUCCESS;
}

/* Run the engine over `frames` frames with its own clip reading and drop the
 * output: after it, the processors' state is that of continuous play. */
static mixdown_status warm_up(mxd_rt_gen *g, uint32_t max_block, int64_t frames, mixdown_error *err)
{
	float *buf[MXD_MAX_CHANNELS] = { 0 };
	mixdown_status st = MIXDOWN_SUCCESS;
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS && st == MIXDOWN_SUCCESS; c++)
		if (!(buf[c] = malloc(max_block * sizeof(float))))
			st = MIXDOWN_ERR_NOMEM;
	for (int64_t done = 0; done < frames && st == MIXDOWN_SUCCESS;) {
		uint32_t m = frames - done < max_block ? (uint32_t)(frames - done) : max_block;
		st = mixdown_engine_process(g->e, buf, m, err);
		done += m;
	}
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		free(buf[c]);
	return st;
}

mixdown_status mxd_rt_gen_create(const mixdown_session *s, bool own, uint32_t id, uint32_t max_block, int64_t at,
				 double warm_s, const mxd_rt_gen_hooks *hooks, mxd_rt_gen **out, mixdown_error *err)
{
	*out = NULL;
	mxd_rt_gen *g = calloc(1, sizeof *g);
	if (!g) {
		if (own)
			mixdown_session_free((mixdown_session *)s);
		return MIXDOWN_ERR_NOMEM;
	}
	g->id = id;
	g->host = hooks ? hooks->host : NULL;
	g->s = s;
	g->own = own ? (mixdown_session *)s : NULL;
	g->swap_at = at = at > 0 ? at : 0;
	mixdown_status st = init_strips(g);
	if (st != MIXDOWN_SUCCESS || (st = mixdown_engine_create(s, max_block, &g->e, err)) != MIXDOWN_SUCCESS)
		goto fail;
	g->end = llround(s->range_start * s->sample_rate) + (int64_t)mixdown_engine_length(g->e);
	if (hooks && hooks->prepare && (st = hooks->prepare(hooks->host, g, err)) != MIXDOWN_SUCCESS)
		goto fail;
	int64_t warm = warm_s > 0 ? llround(warm_s * s->sample_rate) : 0;
	int64_t from = at - warm > 0 ? at - warm : 0;
	mxd_engine_locate(g->e, from);
	if ((st = warm_up(g, max_block, at - from, err)) != MIXDOWN_SUCCESS)
		goto fail;
	/* A located engine first runs its latency from the frame it was located
	 * to (engine.h); after a warm-up that pre-roll is done and the graph's
	 * next input frame is at + latency. The disk stream starts there. */
	uint32_t latency = mixdown_engine_latency(g->e);
	g->stream = at > from ? at + latency : at;
	if ((st = mxd_rt_disk_create(s, g->e, g->stream, &g->disk, err)) != MIXDOWN_SUCCESS)
		goto fail;
	/* The engine reads its input `latency` frames ahead of its output, so
	 * the stream wraps that much after the loop's end (rt_transport.h). We
	 * are the disk reader's only consumer until the handover. */
	if (g->loop_end > g->loop_start && g->loop_end > at)
		mxd_rt_disk_seek_loop(g->disk, g->stream, g->loop_end + latency, g->loop_start);
	if (hooks && hooks->source)
		mxd_engine_set_track_source(g->e, hooks->source, g);
	else
		mxd_engine_set_track_source(g->e, mxd_rt_disk_source, g->disk);
	*out = g;
	return MIXDOWN_SUCCESS;
fail:
	mxd_rt_gen_free(g);
	return st;
}

bool mxd_rt_gen_wait_ready(mxd_rt_gen *g, double timeout_s)
{
	for (double waited = 0; waited < timeout_s; waited += 0.002) {
		if (mxd_rt_disk_ready(g->disk))
			return true;
		struct timespec ts = { 0, 2000000 };
		nanosleep(&ts, NULL);
	}
	return mxd_rt_disk_ready(g->disk);
}

void mxd_rt_gen_free(mxd_rt_gen *g)
{
	if (!g)
		return;
	mxd_rt_disk_free(g->disk); /* joins its thread before the engine goes */
	mixdown_engine_free(g->e);
	mixdown_session_free(g->own);
	mxd_rt_meters_free(g->meters); /* METERS */
	free(g->in_cursor);            /* TRANSPORT */
	free(g->strips);
	free(g);
}
