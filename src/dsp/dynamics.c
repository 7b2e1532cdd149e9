/* mixdown — dynamics building blocks (see dynamics.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dsp/dynamics.h"

#include <stdlib.h>
#include <string.h>

double mxd_dyn_alpha(double tau_ms, double sample_rate)
{
	if (!(tau_ms > 0.0) || !(sample_rate > 0.0))
		return 0.0;
	return exp(-1000.0 / (tau_ms * sample_rate));
}

/* Remaining fraction, t ms after a unit step down, of two one-poles in series
 * with time constants r and a (ms): (r e^{-t/r} - a e^{-t/a}) / (r - a). */
static double two_pole_left(double t, double r, double a)
{
	if (fabs(r - a) < 1e-9 * (r + a))
		return (1.0 + t / a) * exp(-t / a);
	return (r * exp(-t / r) - a * exp(-t / a)) / (r - a);
}

double mxd_dyn_decoupled_release_ms(double attack_ms, double release_ms)
{
	const double target = exp(-1.0), tiny = 1e-3;
	if (!(release_ms > 0.0))
		return tiny;
	if (!(attack_ms > 0.0))
		return release_ms;
	if (two_pole_left(release_ms, tiny, attack_ms) >= target)
		return tiny;
	/* The remaining fraction grows with r: bisect on log r in [tiny, release]. */
	double lo = log(tiny), hi = log(release_ms);
	for (int i = 0; i < 60; i++) {
		double mid = 0.5 * (lo + hi);
		if (two_pole_left(release_ms, exp(mid), attack_ms) > target)
			hi = mid;
		else
			lo = mid;
	}
	return exp(0.5 * (lo + hi));
}

int mxd_dyn_peakwin_alloc(mxd_dyn_peakwin *w, uint32_t max_len)
{
	mxd_dyn_peakwin_free(w);
	if (max_len < 1)
		max_len = 1;
	if (max_len >= UINT32_MAX / 2)
		return -1;
	w->val = calloc((size_t)max_len + 1, sizeof *w->val);
	w->pos = calloc((size_t)max_len + 1, sizeof *w->pos);
	if (!w->val || !w->pos) {
		mxd_dyn_peakwin_free(w);
		return -1;
	}
	w->cap = max_len + 1;
	return 0;
}

void mxd_dyn_peakwin_free(mxd_dyn_peakwin *w)
{
	if (!w)
		return;
	free(w->val);
	free(w->pos);
	memset(w, 0, sizeof *w);
}

void mxd_dyn_peakwin_clear(mxd_dyn_peakwin *w)
{
	w->head = w->count = w->t = 0;
}

float mxd_dyn_peakwin_push(mxd_dyn_peakwin *w, float v, uint32_t len)
{
	if (!w->val)
		return v;
	if (len < 1)
		len = 1;
	if (len > w->cap - 1)
		len = w->cap - 1;
	/* Drop entries from the back that the new value dominates. */
	while (w->count > 0) {
		uint32_t back = w->head + w->count - 1;
		if (back >= w->cap)
			back -= w->cap;
		if (w->val[back] > v)
			break;
		w->count--;
	}
	uint32_t at = w->head + w->count;
	if (at >= w->cap)
		at -= w->cap;
	w->val[at] = v;
	w->pos[at] = w->t;
	w->count++;
	/* Drop entries older than the window (the newest always stays). */
	while (w->count > 1 && w->t - w->pos[w->head] >= len) {
		w->head = w->head + 1 == w->cap ? 0 : w->head + 1;
		w->count--;
	}
	w->t++;
	return w->val[w->head];
}
