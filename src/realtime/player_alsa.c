/* mixdown — the player's ALSA backend: where no JACK server runs (or with
 * backend "alsa"), the master outputs go straight to an ALSA PCM device and
 * the same audio-thread cycle as JACK's process callback (mxd_player_cycle,
 * player.c) runs on a thread of its own, one period at a time.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Units: frames at the session's rate; the period is the player option's
 * `period` (default 256 frames), three periods of buffer (two when the
 * device offers no more). Sample format: 32-bit float where the device takes
 * it, else signed 32 or 16 bit, converted here (round to nearest, clipped to
 * full scale; no dither). Live inputs and per-bus outputs exist only with JACK
 * (docs/playback.md "ALSA fallback").
 * Threads: open/start/close on the control thread; the audio thread (started
 * by mxd_player_alsa_start) runs the cycle and blocks only in snd_pcm_writei,
 * the one I/O call it makes, outside the real-time guard's bracket. It runs
 * with SCHED_FIFO when the system permits, else at normal priority (said in
 * the status's `backend`). An ALSA xrun (-EPIPE) or suspend (-ESTRPIPE) is
 * recovered with snd_pcm_recover() and counted in the status's xruns.
 * Ownership: the player owns its mxd_player_alsa (p->alsa).
 */
#include "graph/engine_threads.h"
#include "realtime/player_internal.h"

#ifdef MIXDOWN_HAVE_ALSA

#include <alsa/asoundlib.h>
#include <sched.h>
#include <time.h>

#define ALSA_PERIOD_DEFAULT 256u
#define ALSA_PERIODS 3u

struct mxd_player_alsa {
	snd_pcm_t *pcm;
	snd_pcm_format_t format;
	uint32_t period;             /* frames per cycle */
	snd_pcm_uframes_t buffer;    /* frames */
	size_t frame_bytes;
	void *ibuf;                  /* one period, interleaved, in `format` */
	float *plan[MXD_MAX_CHANNELS]; /* one period, planar: the cycle's output */
	pthread_t thread;
	bool started;
	_Atomic bool run;
	_Atomic bool failed;         /* the device broke (not an xrun); the thread ended */
	char failure[160];           /* written by the audio thread before `failed` */
};

/* alsa-lib prints its own errors to stderr; the player reports them itself. */
static void quiet(const char *file, int line, const char *function, int err, const char *fmt, ...)
{
	(void)file, (void)line, (void)function, (void)err, (void)fmt;
}

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec * 1e-3;
}

/* The period into ibuf in the device's format (audio thread). Floats pass
 * unchanged; integers are rounded to nearest and clipped (lrint: the current
 * rounding mode, nearest-even by default). */
static void interleave(mixdown_player *p, struct mxd_player_alsa *a)
{
	uint32_t ch = p->channels, n = a->period;
	if (a->format == SND_PCM_FORMAT_FLOAT) {
		float *o = a->ibuf;
		for (uint32_t c = 0; c < ch; c++)
			for (uint32_t i = 0; i < n; i++)
				o[i * ch + c] = a->plan[c][i];
	} else if (a->format == SND_PCM_FORMAT_S32) {
		int32_t *o = a->ibuf;
		for (uint32_t c = 0; c < ch; c++)
			for (uint32_t i = 0; i < n; i++) {
				double v = (double)a->plan[c][i] * 2147483648.0;
				v = v > 2147483647.0 ? 2147483647.0 : v < -2147483648.0 ? -2147483648.0 : v;
				o[i * ch + c] = (int32_t)lrint(isnan(v) ? 0.0 : v);
			}
	} else {
		int16_t *o = a->ibuf;
		for (uint32_t c = 0; c < ch; c++)
			for (uint32_t i = 0; i < n; i++) {
				float v = a->plan[c][i] * 32768.0f;
				v = v > 32767.0f ? 32767.0f : v < -32768.0f ? -32768.0f : v;
				o[i * ch + c] = (int16_t)lrintf(isnan(v) ? 0.0f : v);
			}
	}
}

/* Write the period, recovering from xruns (counted). False when the device
 * cannot go on. */
static bool write_period(mixdown_player *p, struct mxd_player_alsa *a)
{
	const char *buf = a->ibuf;
	snd_pcm_uframes_t left = a->period;
	while (left && atomic_load_explicit(&a->run, memory_order_relaxed)) {
		snd_pcm_sframes_t r = snd_pcm_writei(a->pcm, buf, left);
		if (r == -EAGAIN)
			continue;
		if (r < 0) {
			if (r == -EPIPE || r == -ESTRPIPE)
				atomic_fetch_add_explicit(&p->xruns, 1, memory_order_relaxed);
			int e = snd_pcm_recover(a->pcm, (int)r, 1);
			if (e < 0) {
				snprintf(a->failure, sizeof a->failure, "ALSA device stopped: %s", snd_strerror(e));
				return false;
			}
			continue;
		}
		buf += (size_t)r * a->frame_bytes;
		left -= (snd_pcm_uframes_t)r;
	}
	return true;
}

/* A device that takes data without a clock of its own (alsa-lib's null and
 * file plugins report a whole free buffer right after a write) would let the
 * thread run flat out: hold it to the period's duration on the system clock.
 * A real device blocks in snd_pcm_writei instead, and its own clock rules
 * (the deadline is re-anchored, so clock drift never accumulates). */
static void pace(struct mxd_player_alsa *a, double rate, struct timespec *next)
{
	snd_pcm_sframes_t av = snd_pcm_avail_update(a->pcm);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (av < 0 || (snd_pcm_uframes_t)av < a->buffer) {
		*next = now;
		return;
	}
	long ns = (long)llround(a->period / rate * 1e9);
	next->tv_nsec += ns;
	while (next->tv_nsec >= 1000000000L) {
		next->tv_nsec -= 1000000000L;
		next->tv_sec++;
	}
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL);
}

static void *alsa_thread(void *arg)
{
	mixdown_player *p = arg;
	struct mxd_player_alsa *a = p->alsa;
	double period_s = a->period / p->rate;
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (atomic_load_explicit(&a->run, memory_order_acquire)) {
		double t_in = now_us();
		if (p->guard.enter)
			p->guard.enter();
		mxd_player_cycle(p, a->plan, a->period);
		interleave(p, a);
		mxd_rt_load_add(&p->load, now_us() - t_in, period_s * 1e6, period_s);
		if (p->guard.leave)
			p->guard.leave();
		if (!write_period(p, a)) {
			atomic_store_explicit(&a->failed, true, memory_order_release);
			break;
		}
		pace(a, p->rate, &next);
	}
	return NULL;
}

static mixdown_status fail_pcm(mixdown_error *err, const char *device, const char *what, int e)
{
	return mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, (mxd_loc){ 0, 0 }, NULL, "ALSA device \"%s\": %s (%s)", device, what,
			snd_strerror(e));
}

/* Hardware parameters: interleaved, the session's channels and rate, the
 * first of float, S32, S16 the device takes, `period` frames, 3 periods. */
static mixdown_status set_hw(mixdown_player *p, struct mxd_player_alsa *a, const char *dev, mixdown_error *err)
{
	snd_pcm_hw_params_t *hw;
	snd_pcm_hw_params_alloca(&hw);
	int e = snd_pcm_hw_params_any(a->pcm, hw);
	if (e < 0)
		return fail_pcm(err, dev, "no configuration", e);
	snd_pcm_hw_params_set_rate_resample(a->pcm, hw, 1); /* plug devices may resample */
	if ((e = snd_pcm_hw_params_set_access(a->pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED)) < 0)
		return fail_pcm(err, dev, "no interleaved access", e);
	static const snd_pcm_format_t formats[] = { SND_PCM_FORMAT_FLOAT, SND_PCM_FORMAT_S32, SND_PCM_FORMAT_S16 };
	e = -EINVAL;
	for (size_t i = 0; i < 3 && e < 0; i++)
		if ((e = snd_pcm_hw_params_set_format(a->pcm, hw, formats[i])) == 0)
			a->format = formats[i];
	if (e < 0)
		return fail_pcm(err, dev, "takes none of float, S32, S16 (try a plughw: or the default device)", e);
	if ((e = snd_pcm_hw_params_set_channels(a->pcm, hw, p->channels)) < 0)
		return mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, (mxd_loc){ 0, 0 }, NULL,
				"ALSA device \"%s\" has no %u-channel mode (%s); try a plughw: or the default device", dev,
				p->channels, snd_strerror(e));
	unsigned rate = (unsigned)p->rate;
	if ((e = snd_pcm_hw_params_set_rate(a->pcm, hw, rate, 0)) < 0)
		return mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, (mxd_loc){ 0, 0 }, NULL,
				"ALSA device \"%s\" cannot run at the session's %u Hz (%s); try a plughw: or the "
				"default device, which resample",
				dev, rate, snd_strerror(e));
	snd_pcm_uframes_t period = a->period;
	int dir = 0;
	if ((e = snd_pcm_hw_params_set_period_size_near(a->pcm, hw, &period, &dir)) < 0)
		return fail_pcm(err, dev, "no period size near the one asked for", e);
	unsigned periods = ALSA_PERIODS;
	dir = 0;
	if (snd_pcm_hw_params_set_periods_near(a->pcm, hw, &periods, &dir) < 0 || periods < 2) {
		periods = 2;
		if ((e = snd_pcm_hw_params_set_periods(a->pcm, hw, 2, 0)) < 0)
			return fail_pcm(err, dev, "cannot hold two periods", e);
	}
	if ((e = snd_pcm_hw_params(a->pcm, hw)) < 0)
		return fail_pcm(err, dev, "cannot be configured", e);
	snd_pcm_hw_params_get_period_size(hw, &period, &dir);
	snd_pcm_hw_params_get_buffer_size(hw, &a->buffer);
	if (period == 0 || period > MAX_BLOCK * 8u)
		return fail_pcm(err, dev, "chose an unusable period", -EINVAL);
	a->period = (uint32_t)period;
	return MIXDOWN_SUCCESS;
}

mixdown_status mxd_player_alsa_open(mixdown_player *p, const mixdown_player_options *opt, mixdown_error *err)
{
	const char *dev = opt->device && *opt->device ? opt->device : "default";
	if (p->follow)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL,
				"following the JACK transport needs JACK (no server runs; the ALSA fallback has no "
				"transport)");
	if (opt->binaural)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL,
				"binaural playback needs JACK (the ALSA fallback plays the master's channels)");
	struct mxd_player_alsa *a = calloc(1, sizeof *a);
	if (!a)
		return MIXDOWN_ERR_NOMEM;
	p->alsa = a;
	atomic_init(&a->run, false);
	atomic_init(&a->failed, false);
	a->period = opt->period ? opt->period : ALSA_PERIOD_DEFAULT;
	snd_lib_error_set_handler(quiet);
	int e = snd_pcm_open(&a->pcm, dev, SND_PCM_STREAM_PLAYBACK, 0);
	if (e < 0) {
		a->pcm = NULL;
		return mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, (mxd_loc){ 0, 0 }, NULL,
				"cannot open ALSA device \"%s\": %s (aplay -L lists the devices)", dev, snd_strerror(e));
	}
	mixdown_status st = set_hw(p, a, dev, err);
	if (st != MIXDOWN_SUCCESS)
		return st;
	snd_pcm_sw_params_t *sw;
	snd_pcm_sw_params_alloca(&sw);
	/* Start when the buffer is full; wake when a period is free. */
	if ((e = snd_pcm_sw_params_current(a->pcm, sw)) < 0 ||
	    (e = snd_pcm_sw_params_set_start_threshold(a->pcm, sw, a->buffer)) < 0 ||
	    (e = snd_pcm_sw_params_set_avail_min(a->pcm, sw, a->period)) < 0 || (e = snd_pcm_sw_params(a->pcm, sw)) < 0)
		return fail_pcm(err, dev, "cannot set its start threshold", e);
	size_t sample = a->format == SND_PCM_FORMAT_FLOAT || a->format == SND_PCM_FORMAT_S32 ? 4 : 2;
	a->frame_bytes = sample * p->channels;
	if (!(a->ibuf = calloc(a->period, a->frame_bytes)))
		return MIXDOWN_ERR_NOMEM;
	for (uint32_t c = 0; c < p->channels; c++)
		if (!(a->plan[c] = calloc(a->period, sizeof(float))))
			return MIXDOWN_ERR_NOMEM;
	/* JACK-only features: no ports, so nothing is read or written there. */
	p->n_bus_ports = 0;
	p->in_frames = 0;
	snprintf(p->backend, sizeof p->backend, "alsa \"%s\", %s, %u x %u frames", dev, snd_pcm_format_name(a->format),
		 (unsigned)(a->buffer / a->period), a->period);
	return MIXDOWN_SUCCESS;
}

mixdown_status mxd_player_alsa_start(mixdown_player *p, mixdown_error *err)
{
	struct mxd_player_alsa *a = p->alsa;
	atomic_store_explicit(&a->run, true, memory_order_release);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	struct sched_param sp = { .sched_priority = sched_get_priority_min(SCHED_FIFO) + 60 };
	int maxp = sched_get_priority_max(SCHED_FIFO);
	sp.sched_priority = sp.sched_priority > maxp ? maxp : sp.sched_priority;
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
	pthread_attr_setschedparam(&attr, &sp);
	int e = pthread_create(&a->thread, &attr, alsa_thread, p);
	pthread_attr_destroy(&attr);
	size_t len = strlen(p->backend);
	if (e == 0) {
		snprintf(p->backend + len, sizeof p->backend - len, ", SCHED_FIFO %d", sp.sched_priority);
		/* The engine's strip workers just below, as under JACK (player_open.c). */
		if (sp.sched_priority > 1) {
			atomic_store(&p->worker_prio, sp.sched_priority - 1);
			mxd_engine_threads_priority(p->cur->e, sp.sched_priority - 1);
		}
	} else {
		/* Without CAP_SYS_NICE or an rtprio limit (limits.conf): normal priority. */
		snprintf(p->backend + len, sizeof p->backend - len, ", normal priority (SCHED_FIFO: %s)", strerror(e));
		e = pthread_create(&a->thread, NULL, alsa_thread, p);
	}
	if (e != 0) {
		atomic_store(&a->run, false);
		return mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, (mxd_loc){ 0, 0 }, NULL, "cannot start the audio thread: %s",
				strerror(e));
	}
	a->started = true;
	return MIXDOWN_SUCCESS;
}

void mxd_player_alsa_close(mixdown_player *p)
{
	struct mxd_player_alsa *a = p->alsa;
	if (!a)
		return;
	if (a->started) {
		atomic_store_explicit(&a->run, false, memory_order_release);
		pthread_join(a->thread, NULL);
	}
	if (a->pcm) {
		if (a->started && !atomic_load(&a->failed))
			snd_pcm_drain(a->pcm); /* what was written plays out */
		snd_pcm_close(a->pcm);
	}
	free(a->ibuf);
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		free(a->plan[c]);
	free(a);
	p->alsa = NULL;
}

uint32_t mxd_player_alsa_period(const mixdown_player *p)
{
	return p->alsa ? p->alsa->period : 0;
}

bool mxd_player_alsa_failure(const mixdown_player *p, char *buf, size_t size)
{
	if (!p->alsa || !atomic_load_explicit(&p->alsa->failed, memory_order_acquire))
		return false;
	snprintf(buf, size, "%s", p->alsa->failure);
	return true;
}

#else /* no ALSA in this build */

mixdown_status mxd_player_alsa_open(mixdown_player *p, const mixdown_player_options *opt, mixdown_error *err)
{
	(void)p, (void)opt;
	return mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, (mxd_loc){ 0, 0 }, NULL,
			"this build has no ALSA support (built without libasound2-dev)");
}

mixdown_status mxd_player_alsa_start(mixdown_player *p, mixdown_error *err)
{
	(void)p, (void)err;
	return MIXDOWN_ERR_AUDIO;
}

void mxd_player_alsa_close(mixdown_player *p)
{
	(void)p;
}

uint32_t mxd_player_alsa_period(const mixdown_player *p)
{
	(void)p;
	return 0;
}

bool mxd_player_alsa_failure(const mixdown_player *p, char *buf, size_t size)
{
	(void)p, (void)buf, (void)size;
	return false;
}

#endif
