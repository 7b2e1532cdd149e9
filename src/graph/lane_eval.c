/* mixdown — evaluating one automation lane (see lane_eval.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>

#include "graph/lane_eval.h"

void mxd_lane_eval_init(mxd_lane_eval *ev, const mxd_lane *lane, double rate)
{
	*ev = (mxd_lane_eval){ .lane = lane, .rate = rate };
	const mxd_follow *f = &lane->follow;
	/* One-pole time constants: 63 % of a step after the given time. */
	ev->a_att = f->attack_ms > 0 ? exp(-1000.0 / (f->attack_ms * rate)) : 0.0;
	ev->a_rel = f->release_ms > 0 ? exp(-1000.0 / (f->release_ms * rate)) : 0.0;
	ev->a_peak = exp(-1000.0 / (50.0 * rate)); /* level detector: 50 ms release */
	ev->threshold = pow(10.0, f->threshold_db / 20.0);
	double edge = sin(2.0 * M_PI * lane->lfo.rate_hz * 0.0025);
	ev->square_k = edge > 1e-9 ? 1.0 / edge : 1e9;
}

static double segment(const mxd_auto_point *a, const mxd_auto_point *b, double t)
{
	double x = (t - a->time) / (b->time - a->time);
	double v0 = a->value, v1 = b->value;
	switch (a->curve) {
	case MXD_AUTO_HOLD: return v0;
	case MXD_AUTO_SMOOTH: return v0 + (v1 - v0) * 0.5 * (1.0 - cos(M_PI * x));
	case MXD_AUTO_EXP:
		if (v0 > 0 && v1 > 0)
			return v0 * pow(v1 / v0, x);
		return v0 + (v1 - v0) * x * x;
	case MXD_AUTO_LINEAR: break;
	}
	return v0 + (v1 - v0) * x;
}

double mxd_lane_points_at(mxd_lane_eval *ev, double t)
{
	const mxd_lane *ln = ev->lane;
	size_t n = ln->n_points;
	if (n == 0)
		return ln->base;
	const mxd_auto_point *p = ln->points;
	if (t < p[0].time)
		return p[0].value;
	if (t >= p[n - 1].time)
		return p[n - 1].value;
	/* Time runs forward almost always: move the cursor; after a jump back
	 * start over. */
	if (ev->seg >= n || p[ev->seg].time > t)
		ev->seg = 0;
	while (ev->seg + 1 < n && p[ev->seg + 1].time <= t)
		ev->seg++;
	return segment(&p[ev->seg], &p[ev->seg + 1], t);
}

/* A uniform value in [-1, 1] for cycle k of the random shape (a hash, so any
 * cycle can be evaluated without history). */
static double cycle_random(uint32_t seed, int64_t k)
{
	uint64_t x = (uint64_t)k * 0x9E3779B97F4A7C15ull ^ ((uint64_t)seed << 32 | seed);
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return (double)(x >> 11) / (double)(1ull << 52) - 1.0;
}

double mxd_lane_lfo_at(const mxd_lane_eval *ev, double t, double extra)
{
	const mxd_lfo *l = &ev->lane->lfo;
	double ph = l->phase + extra + l->rate_hz * t;
	double frac = ph - floor(ph);
	double v = 0;
	switch (l->shape) {
	case MXD_LFO_SINE: v = sin(2.0 * M_PI * frac); break;
	case MXD_LFO_TRIANGLE: v = 4.0 * fabs(fmod(frac + 0.75, 1.0) - 0.5) - 1.0; break;
	case MXD_LFO_SQUARE: {
		/* Edges ramp over about 5 ms: a true step would click. */
		v = sin(2.0 * M_PI * frac) * ev->square_k;
		v = v > 1 ? 1 : v < -1 ? -1 : v;
		break;
	}
	case MXD_LFO_RAMP: v = 2.0 * frac - 1.0; break;
	case MXD_LFO_RANDOM: {
		/* A new random target every cycle, reached along a cosine. */
		int64_t k = (int64_t)floor(ph);
		double a = cycle_random(l->seed, k), b = cycle_random(l->seed, k + 1);
		v = a + (b - a) * 0.5 * (1.0 - cos(M_PI * frac));
		break;
	}
	}
	return l->depth * v;
}

void mxd_lane_eval_fill(mxd_lane_eval *ev, int64_t t0, uint32_t n, const float *const *src, uint32_t src_ch,
			double *out)
{
	const mxd_lane *ln = ev->lane;
	for (uint32_t i = 0; i < n; i++) {
		double t = (double)(t0 + (int64_t)i) / ev->rate;
		double v = mxd_lane_points_at(ev, t);
		if (ln->lfo.on)
			v += mxd_lane_lfo_at(ev, t, 0.0);
		if (ln->follow.on) {
			double x = 0;
			for (uint32_t c = 0; src && c < src_ch; c++)
				x = fmax(x, fabs((double)src[c][i]));
			ev->follow_level = x > ev->follow_level ? x : x + ev->a_peak * (ev->follow_level - x);
			if (ev->follow_level < 1e-20)
				ev->follow_level = 0;
			double goal = ev->follow_level > ev->threshold ? 1.0 : 0.0;
			double a = goal > ev->follow_amount ? ev->a_att : ev->a_rel;
			ev->follow_amount = goal + a * (ev->follow_amount - goal);
			if (ev->follow_amount < 1e-12)
				ev->follow_amount = 0; /* no denormals in long silences */
			v += ln->follow.range * ev->follow_amount;
		}
		out[i] = v < ln->min ? ln->min : v > ln->max ? ln->max : v;
	}
}
