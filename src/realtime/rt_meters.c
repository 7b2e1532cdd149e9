/* mixdown — the real-time player's strip meter bank (rt_meters.h): windowed
 * peaks in rings of atomics, a one-pole RMS and gain reduction per strip.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The audio thread is the only writer of every atomic here; it publishes
 * with relaxed stores except the window counter (release), which readers
 * load with acquire before the window slots. A slot a reader is looking at
 * can only be overwritten by a newer window NWIN windows later, i.e. with a
 * more recent peak, which is harmless for a maximum.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "graph/engine.h"
#include "realtime/rt_meters.h"

#define WIN_S 0.05    /* peak window, s */
#define HOLD_WIN 40   /* 2 s of windows: the peak hold and clip hold */
#define NOW_WIN 3     /* the current and two previous windows: "the peak now" */
#define NWIN 64       /* ring of windows (power of two, > HOLD_WIN + 1) */
#define RMS_TAU 0.3   /* s, one-pole time constant of the mean square */

typedef struct {
	_Atomic float win[NWIN];  /* linear peak of each window; the current one grows */
	_Atomic float ms;         /* smoothed mean square */
	_Atomic float gr;         /* dB, >= 0 */
	/* audio thread only */
	float cur;                /* peak of the current window */
	double ms_state;
} strip_meter;

struct mxd_rt_meters {
	size_t n;
	double rate;
	uint32_t win_frames;
	/* audio thread only */
	uint32_t frames_in_win;
	uint64_t k;               /* index of the current window */
	_Atomic uint64_t pub_k;   /* published k (release) */
	strip_meter *s;
};

mxd_rt_meters *mxd_rt_meters_new(size_t n_strips, double rate)
{
	mxd_rt_meters *m = calloc(1, sizeof *m);
	if (!m || !(m->s = calloc(n_strips ? n_strips : 1, sizeof *m->s))) {
		free(m);
		return NULL;
	}
	m->n = n_strips;
	m->rate = rate;
	m->win_frames = (uint32_t)lround(rate * WIN_S);
	atomic_init(&m->pub_k, 0);
	for (size_t i = 0; i < n_strips; i++) {
		for (int w = 0; w < NWIN; w++)
			atomic_init(&m->s[i].win[w], 0.0f);
		atomic_init(&m->s[i].ms, 0.0f);
		atomic_init(&m->s[i].gr, 0.0f);
	}
	return m;
}

void mxd_rt_meters_free(mxd_rt_meters *m)
{
	if (!m)
		return;
	free(m->s);
	free(m);
}

void mxd_rt_meters_update(mxd_rt_meters *m, mixdown_engine *e, uint32_t nframes, bool ran)
{
	if (!nframes)
		return;
	/* One-pole coefficient for this period: exact for any period length. */
	double a = 1.0 - exp(-(double)nframes / (RMS_TAU * m->rate));
	uint32_t slot = (uint32_t)(m->k & (NWIN - 1));
	for (size_t i = 0; i < m->n; i++) {
		strip_meter *sm = &m->s[i];
		float peak = 0.0f;
		double sumsq = 0.0, ms = 0.0;
		uint64_t frames = 0;
		if (ran) {
			mxd_engine_node_meter_take(e, i, &peak, &sumsq, &frames);
			uint32_t ch = mxd_engine_node_out_channels(e, i);
			/* A node the engine skipped (off) measured nothing: silence. */
			if (frames && ch)
				ms = sumsq / ((double)frames * ch);
		}
		sm->cur = peak > sm->cur ? peak : sm->cur;
		sm->ms_state += a * (ms - sm->ms_state);
		atomic_store_explicit(&sm->win[slot], sm->cur, memory_order_relaxed);
		atomic_store_explicit(&sm->ms, (float)sm->ms_state, memory_order_relaxed);
		atomic_store_explicit(&sm->gr, (float)mxd_engine_node_gain_reduction_db(e, i), memory_order_relaxed);
	}
	m->frames_in_win += nframes;
	if (m->frames_in_win < m->win_frames)
		return;
	/* Next window: cleared before it is published as current. */
	m->frames_in_win = 0;
	m->k++;
	slot = (uint32_t)(m->k & (NWIN - 1));
	for (size_t i = 0; i < m->n; i++) {
		m->s[i].cur = 0.0f;
		atomic_store_explicit(&m->s[i].win[slot], 0.0f, memory_order_relaxed);
	}
	atomic_store_explicit(&m->pub_k, m->k, memory_order_release);
}

static float db(float lin) { return lin > 0.0f ? 20.0f * log10f(lin) : -INFINITY; }

size_t mxd_rt_meters_read(const mxd_rt_meters *m, mixdown_strip_meter *out, size_t max)
{
	uint64_t k = atomic_load_explicit(&m->pub_k, memory_order_acquire);
	for (size_t i = 0; i < m->n && i < max; i++) {
		const strip_meter *sm = &m->s[i];
		float now = 0.0f, hold = 0.0f;
		for (uint64_t j = 0; j <= HOLD_WIN && j <= k; j++) {
			float v = atomic_load_explicit(&sm->win[(k - j) & (NWIN - 1)], memory_order_relaxed);
			hold = v > hold ? v : hold;
			if (j < NOW_WIN)
				now = v > now ? v : now;
		}
		float ms = atomic_load_explicit(&sm->ms, memory_order_relaxed);
		out[i] = (mixdown_strip_meter){
			.peak_dbfs = db(now),
			/* 10 log10(ms) = 20 log10(rms); below -200 dB it is silence. */
			.rms_dbfs = ms > 1e-20f ? 10.0f * log10f(ms) : -INFINITY,
			.peak_hold_dbfs = db(hold),
			.clip = hold >= 1.0f,
			.gain_reduction_db = atomic_load_explicit(&sm->gr, memory_order_relaxed),
		};
	}
	return m->n;
}
