/* mixdown — hot reload: load, build and hand over a new generation (see
 * rt_reload.h for the protocol).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Control threads only (the caller of mixdown_player_reload, or the file
 * watcher); they take turns on r->lock. Waiting for the audio thread is by
 * polling every 2 ms: it makes no system call to wake anyone.
 */
#include "realtime/rt_reload.h"

#include <math.h>
#include <time.h>

#include "session/model.h"

#define MAX_TRIES 6      /* leads 0.3 .. 9.6 s */
#define READY_S 5.0      /* longest wait for a new disk reader's prefill */
#define TAKE_S 2.0       /* the audio thread takes a pending generation within a period */
#define RESOLVE_S 10.0   /* ... and resolves it within lead + this */

enum { UNKNOWN = 0, SWAPPED = 1, REJECTED = -1, NOT_TAKEN = -2, STUCK = -3 };

static void sleep_2ms(void)
{
	struct timespec ts = { 0, 2000000 };
	nanosleep(&ts, NULL);
}

void mxd_rt_reload_init(mxd_rt_reload *r, uint32_t first_id)
{
	atomic_init(&r->pending, NULL);
	atomic_init(&r->retired, NULL);
	atomic_init(&r->closing, false);
	pthread_mutex_init(&r->lock, NULL);
	r->next_id = first_id;
	r->inflight = NULL;
}

void mxd_rt_reload_destroy(mxd_rt_reload *r)
{
	mxd_rt_gen_free(atomic_exchange(&r->pending, NULL));
	mxd_rt_gen_free(atomic_exchange(&r->retired, NULL));
	pthread_mutex_destroy(&r->lock);
}

/* The outcome of the generation in flight: SWAPPED (the old one was adopted
 * and freed), REJECTED (it is back in *back) or UNKNOWN. */
static int collect(mxd_rt_reload *r, mxd_rt_gen **back)
{
	mxd_rt_gen *x = atomic_exchange_explicit(&r->retired, NULL, memory_order_acq_rel);
	if (!x)
		return UNKNOWN;
	mxd_rt_gen *g = r->inflight;
	r->inflight = NULL;
	if (x == g) {
		*back = g;
		return REJECTED;
	}
	r->adopt(r->host, g, x);
	mxd_rt_gen_free(x);
	return SWAPPED;
}

/* Hand g over and wait for the audio thread's verdict. */
static int hand_over(mxd_rt_reload *r, mxd_rt_gen *g, double lead_s, mxd_rt_gen **back)
{
	r->inflight = g;
	atomic_store_explicit(&r->pending, g, memory_order_release);
	for (double waited = 0;; waited += 0.002) {
		int o = collect(r, back);
		if (o != UNKNOWN)
			return o;
		bool closing = atomic_load(&r->closing);
		if (closing || waited > TAKE_S) {
			mxd_rt_gen *mine = atomic_exchange_explicit(&r->pending, NULL, memory_order_acq_rel);
			if (mine) {
				r->inflight = NULL;
				*back = mine;
				return NOT_TAKEN;
			}
			/* Taken: it resolves at its swap frame, unless the
			 * player closes (which then frees it) or stalls. */
			if (closing || waited > lead_s + RESOLVE_S)
				return STUCK;
		}
		sleep_2ms();
	}
}

static mixdown_status run_locked(mxd_rt_reload *r, const char *path, mixdown_error *err)
{
	mxd_rt_gen *back = NULL;
	if (r->inflight) { /* an earlier reload gave up waiting */
		int o = collect(r, &back);
		mxd_rt_gen_free(back);
		if (o == UNKNOWN)
			return mxd_fail(err, MIXDOWN_ERR_INTERNAL, NULL, (mxd_loc){ 0, 0 }, NULL,
					"the previous reload has not completed yet");
	}
	mixdown_session *s = NULL;
	mixdown_status st = mixdown_session_load(path, &s, err);
	if (st != MIXDOWN_SUCCESS)
		return st;
	/* The JACK ports and the server's rate are fixed while the client runs. */
	if (s->sample_rate != r->rate || s->channels != r->channels) {
		bool rate = s->sample_rate != r->rate;
		st = mxd_fail(err, MIXDOWN_ERR_SESSION, path, (mxd_loc){ 0, 0 }, rate ? "sample_rate" : "channels",
			      "changed from %.0f to %.0f while playing; restart mixdown play to change it",
			      rate ? r->rate : r->channels, rate ? s->sample_rate : s->channels);
		mixdown_session_free(s);
		return st;
	}
	double lead = MXD_RT_RELOAD_LEAD_S;
	for (int attempt = 0; attempt < MAX_TRIES && !atomic_load(&r->closing); attempt++) {
		int64_t pos;
		bool sounding;
		uint64_t locates;
		r->snapshot(r->host, &pos, &sounding, &locates);
		int64_t at = sounding ? pos + llround(lead * r->rate) : pos;
		mxd_rt_gen *g = NULL;
		st = mxd_rt_gen_create(s, false, r->next_id, r->max_block, at, MXD_RT_RELOAD_WARM_S, &r->hooks, &g,
				       err);
		if (st == MIXDOWN_SUCCESS && !mxd_rt_gen_wait_ready(g, READY_S))
			st = mxd_fail(err, MIXDOWN_ERR_AUDIO, path, (mxd_loc){ 0, 0 }, NULL,
				      "the disk thread could not read the session's files in time");
		if (st != MIXDOWN_SUCCESS) {
			mxd_rt_gen_free(g);
			mixdown_session_free(s);
			return st;
		}
		g->locates = locates;
		g->own = s; /* from here on the generation that plays owns the session */
		int o = hand_over(r, g, sounding ? lead : 0.0, &back);
		if (o == SWAPPED) {
			r->next_id = r->next_id == UINT32_MAX ? 1 : r->next_id + 1;
			return MIXDOWN_SUCCESS;
		}
		if (o == STUCK)
			return mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, (mxd_loc){ 0, 0 }, NULL,
					"the audio thread did not take the new session over in time");
		back->own = NULL;
		mxd_rt_gen_free(back);
		if (o == NOT_TAKEN) {
			mixdown_session_free(s);
			return mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, (mxd_loc){ 0, 0 }, NULL,
					"the audio thread does not run (did the JACK server stop?)");
		}
		/* Rejected: after a locate or stop the position moved (try again
		 * from there); otherwise the build took longer than the lead. */
		uint64_t asked = locates;
		r->snapshot(r->host, &pos, &sounding, &locates);
		if (locates == asked)
			lead *= 2.0;
	}
	mixdown_session_free(s);
	return mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, (mxd_loc){ 0, 0 }, NULL,
			"could not hand the new session over to the audio thread in time (the machine is too busy?)");
}

mixdown_status mxd_rt_reload_run(mxd_rt_reload *r, const char *path, mixdown_error *err)
{
	pthread_mutex_lock(&r->lock);
	mixdown_status st = run_locked(r, path, err);
	pthread_mutex_unlock(&r->lock);
	return st;
}
