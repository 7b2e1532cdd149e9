/* mixdown — the real-time player's control API (mixdown.h "real-time
 * playback"): transport requests, live values by strip name, saving them,
 * the strips' state, status and meters. Control thread (and the OSC thread,
 * which shares the producer lock `qlock`); nothing here runs on the audio
 * thread, which only sees the commands queued here.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "realtime/player_internal.h"

mixdown_player_options mixdown_player_options_init(void)
{
	return (mixdown_player_options){ .client_name = NULL, .connect = NULL, .osc_port = 0, .start_stopped = false,
					 .threads = 1 };
}

bool mxd_player_push(mixdown_player *p, mxd_rt_cmd c)
{
	pthread_mutex_lock(&p->qlock);
	c.gen = p->ctl->id;
	bool ok = mxd_rt_cmdq_push(&p->q, c);
	pthread_mutex_unlock(&p->qlock);
	return ok;
}

/* Following the JACK transport, the transport is moved and the player
 * follows it like every other client. */
void mixdown_player_play(mixdown_player *p)
{
	if (p->follow)
		jack_transport_start(p->client);
	else
		mxd_player_push(p, (mxd_rt_cmd){ .kind = MXD_RT_PLAY });
}

void mixdown_player_stop(mixdown_player *p)
{
	if (p->follow)
		jack_transport_stop(p->client);
	else
		mxd_player_push(p, (mxd_rt_cmd){ .kind = MXD_RT_STOP });
}

void mixdown_player_locate(mixdown_player *p, double seconds)
{
	double f = seconds > 0 ? floor(seconds * p->rate + 0.5) : 0.0;
	if (p->follow)
		jack_transport_locate(p->client, (jack_nframes_t)f);
	else
		mxd_player_push(p, (mxd_rt_cmd){ .kind = MXD_RT_LOCATE, .value = f });
}

bool mixdown_player_locate_bars(mixdown_player *p, const char *pos)
{
	double s;
	mixdown_error err;
	pthread_mutex_lock(&p->qlock); /* a reload may replace p->s */
	mixdown_status st = mixdown_session_position(p->s, pos, &s, &err);
	pthread_mutex_unlock(&p->qlock);
	if (st != MIXDOWN_SUCCESS)
		return false;
	mixdown_player_locate(p, s);
	return true;
}

void mixdown_player_loop(mixdown_player *p, double start_s, double end_s)
{
	if (!isfinite(start_s) || !isfinite(end_s))
		return;
	double a = start_s > 0 ? floor(start_s * p->rate + 0.5) : 0.0, b = end_s > 0 ? floor(end_s * p->rate + 0.5) : 0.0;
	pthread_mutex_lock(&p->qlock);
	/* Both in one critical section: the pair stays together in the queue. */
	if (mxd_rt_cmdq_push(&p->q, (mxd_rt_cmd){ .kind = MXD_RT_LOOP_START, .value = a }) &&
	    mxd_rt_cmdq_push(&p->q, (mxd_rt_cmd){ .kind = MXD_RT_LOOP_END, .value = b })) {
		p->loop_s[0] = a / p->rate;
		p->loop_s[1] = b > a ? b / p->rate : a / p->rate;
	}
	pthread_mutex_unlock(&p->qlock);
}

bool mixdown_player_set(mixdown_player *p, const char *strip, const char *param, double value)
{
	return mixdown_player_control(p, strip, param, value, NULL) == MIXDOWN_SUCCESS;
}

/* Under qlock: the live record of the control-side generation. */
static mxd_rt_live *live_of(mixdown_player *p)
{
	if (!p->live || p->live_gen != p->ctl->id) {
		mxd_rt_live_free(p->live);
		p->live = mxd_rt_live_new(p->s);
		p->live_gen = p->ctl->id;
	}
	return p->live;
}

mixdown_status mixdown_player_control(mixdown_player *p, const char *strip, const char *param, double value,
				      mixdown_error *err)
{
	/* Resolved and queued in one critical section: a reload switches p->s
	 * and the generation the node index is tagged with under the same lock. */
	pthread_mutex_lock(&p->qlock);
	mxd_rt_cmd c;
	mixdown_status st = mxd_rt_live_resolve(p->s, p->ctl->e, strip, param, value, &c, err);
	mxd_rt_live *l = st == MIXDOWN_SUCCESS ? live_of(p) : NULL;
	if (st == MIXDOWN_SUCCESS && !l)
		st = MIXDOWN_ERR_NOMEM;
	if (st == MIXDOWN_SUCCESS) {
		c.gen = p->ctl->id;
		if (mxd_rt_cmdq_push(&p->q, c))
			mxd_rt_live_record(l, p->s, p->strips, &c);
		else
			st = mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL,
				      "the command queue is full; try again");
	}
	pthread_mutex_unlock(&p->qlock);
	return st;
}

mixdown_status mixdown_player_save(mixdown_player *p, const char *path, mixdown_error *err)
{
	pthread_mutex_lock(&p->qlock);
	mxd_rt_live *l = live_of(p);
	mixdown_status st = l ? mxd_rt_live_save(l, p->s, p->strips, path, err) : MIXDOWN_ERR_NOMEM;
	pthread_mutex_unlock(&p->qlock);
	return st;
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

void mixdown_player_get_status(mixdown_player *p, mixdown_player_status *st)
{
	memset(st, 0, sizeof *st);
	st->sample_rate = p->rate;
	st->position = (double)atomic_load(&p->pub_pos) / p->rate;
	st->end = (double)atomic_load(&p->end) / p->rate;
	st->period = p->client ? jack_get_buffer_size(p->client) : mxd_player_alsa_period(p);
	snprintf(st->backend, sizeof st->backend, "%s", p->backend);
	st->playing = atomic_load(&p->pub_playing);
	st->waiting = st->playing && atomic_load(&p->pub_waiting);
	float peak = mxd_bits_float(atomic_exchange(&p->peak_bits, 0));
	st->peak_dbfs = peak > 0.0f ? 20.0f * log10f(peak) : -INFINITY;
	st->xruns = atomic_load(&p->xruns);
	mxd_rt_osc_counts(p->osc, &st->osc_messages, &st->osc_rejected);
	pthread_mutex_lock(&p->qlock); /* a reload frees the generation it replaced */
	st->underruns = p->underruns_before + mxd_rt_disk_underruns(p->ctl->disk);
	mxd_rt_disk_error(p->ctl->disk, st->error, sizeof st->error);
	if (!st->error[0])
		mxd_player_alsa_failure(p, st->error, sizeof st->error);
	st->reloads = p->reloads;
	snprintf(st->reload_error, sizeof st->reload_error, "%s", p->reload_error);
	st->loop_start = p->loop_s[0];
	st->loop_end = p->loop_s[1];
	pthread_mutex_unlock(&p->qlock);
	mxd_rt_load_get(&p->load, &st->dsp_load, &st->dsp_load_avg);
	mxd_rt_loudness_get(p->loud, &st->momentary_lufs, &st->short_term_lufs, &st->integrated_lufs, NULL);
	st->true_peak_dbtp = mxd_rt_loudness_true_peak(p->loud);
}

size_t mixdown_player_meters(mixdown_player *p, mixdown_strip_meter *out, size_t max)
{
	pthread_mutex_lock(&p->qlock); /* the bank goes with its generation */
	size_t n = mxd_rt_meters_read(p->ctl->meters, out, max);
	pthread_mutex_unlock(&p->qlock);
	return n;
}
