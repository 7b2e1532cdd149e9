/* mixdown — DSP load of the real-time player: the share of each JACK period
 * spent in the process callback (0..1, above 1 when the callback overran),
 * as the maximum over the last 0.5 to 1 s and a smoothed average.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The audio thread times its callback (jack_get_time(), µs, at entry and
 * exit) and calls mxd_rt_load_add with the elapsed and the period duration.
 * Maximum: the larger of the current and the previous 0.5 s window of audio
 * time, so any number of readers see it without resetting it. Average: a
 * one-pole filter over the per-period loads with a 1 s time constant.
 *
 * Threads: init on the control thread before activation; add on the audio
 * thread only (no allocation or wait); get on any thread.
 */
#ifndef MIXDOWN_REALTIME_RT_LOAD_H
#define MIXDOWN_REALTIME_RT_LOAD_H

#include <math.h>
#include <stdatomic.h>

#define MXD_RT_LOAD_WIN_S 0.5 /* s, maximum window */
#define MXD_RT_LOAD_TAU_S 1.0 /* s, average time constant */

typedef struct {
	_Atomic double win[2];   /* maximum of the current and the previous window */
	_Atomic unsigned cur;    /* index of the current window in win[] */
	_Atomic double avg;
	/* audio thread only */
	double t_in_win;         /* s of audio time in the current window */
	double avg_state;
} mxd_rt_load;

static inline void mxd_rt_load_init(mxd_rt_load *l)
{
	atomic_init(&l->win[0], 0.0);
	atomic_init(&l->win[1], 0.0);
	atomic_init(&l->cur, 0);
	atomic_init(&l->avg, 0.0);
	l->t_in_win = 0.0;
	l->avg_state = 0.0;
}

/* elapsed and period in the same unit (µs); period > 0. */
static inline void mxd_rt_load_add(mxd_rt_load *l, double elapsed, double period, double period_s)
{
	double load = elapsed / period;
	unsigned c = atomic_load_explicit(&l->cur, memory_order_relaxed);
	if (l->t_in_win >= MXD_RT_LOAD_WIN_S) {
		/* The oldest window becomes the current one, emptied first. */
		c ^= 1u;
		atomic_store_explicit(&l->win[c], 0.0, memory_order_relaxed);
		atomic_store_explicit(&l->cur, c, memory_order_release);
		l->t_in_win = 0.0;
	}
	l->t_in_win += period_s;
	if (load > atomic_load_explicit(&l->win[c], memory_order_relaxed))
		atomic_store_explicit(&l->win[c], load, memory_order_relaxed);
	l->avg_state += (1.0 - exp(-period_s / MXD_RT_LOAD_TAU_S)) * (load - l->avg_state);
	atomic_store_explicit(&l->avg, l->avg_state, memory_order_relaxed);
}

static inline void mxd_rt_load_get(const mxd_rt_load *l, double *max, double *avg)
{
	double a = atomic_load_explicit(&l->win[0], memory_order_relaxed);
	double b = atomic_load_explicit(&l->win[1], memory_order_relaxed);
	*max = a > b ? a : b;
	*avg = atomic_load_explicit(&l->avg, memory_order_relaxed);
}

#endif
