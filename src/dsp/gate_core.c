/* mixdown — gate / expander engine (see gate_core.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dsp/gate_core.h"

#include <math.h>
#include <string.h>

static void update_times(mxd_gate_core *g)
{
	g->a_att = mxd_dyn_alpha(g->v[MXD_GC_ATTACK], g->rate);
	g->a_rel = mxd_dyn_alpha(g->v[MXD_GC_RELEASE], g->rate);
	double w = fmax(g->v[MXD_GC_HOLD], MXD_GATE_MIN_WINDOW_MS);
	double frames = floor(w * g->rate / 1000.0 + 0.5);
	g->window = frames < 1 ? 1u : (uint32_t)frames;
}

static void update_filters(mxd_gate_core *g)
{
	bool hp = g->v[MXD_GC_HPF] > 0 && g->rate > 0, lp = g->v[MXD_GC_LPF] > 0 && g->rate > 0;
	if (hp)
		mxd_butterworth_design(&g->hpf, true, g->rate, g->v[MXD_GC_HPF], 2);
	if (lp)
		mxd_butterworth_design(&g->lpf, false, g->rate, g->v[MXD_GC_LPF], 2);
	if (hp && !g->hpf_on)
		memset(g->hst, 0, sizeof g->hst);
	if (lp && !g->lpf_on)
		memset(g->lst, 0, sizeof g->lst);
	g->hpf_on = hp;
	g->lpf_on = lp;
}

static void init_smoothers(mxd_gate_core *g, double rate)
{
	mxd_smooth_init(&g->thr, rate, MXD_SMOOTH_MS, g->v[MXD_GC_THRESHOLD]);
	mxd_smooth_init(&g->range, rate, MXD_SMOOTH_MS, g->v[MXD_GC_RANGE]);
	mxd_smooth_init(&g->ratio, rate, MXD_SMOOTH_MS, g->v[MXD_GC_RATIO]);
	mxd_smooth_init(&g->hyst, rate, MXD_SMOOTH_MS, g->v[MXD_GC_HYSTERESIS]);
}

void mxd_gate_core_init(mxd_gate_core *g, bool expander)
{
	memset(g, 0, sizeof *g);
	g->expander = expander;
	g->v[MXD_GC_RATIO] = 1.0;
	init_smoothers(g, 0);
}

/* The reduction when nothing keys the processor: a closed gate. */
static double rest_reduction(const mxd_gate_core *g)
{
	return !g->expander && g->v[MXD_GC_DUCK] == 0 ? g->range.target : 0.0;
}

void mxd_gate_core_reset(mxd_gate_core *g)
{
	memset(g->hst, 0, sizeof g->hst);
	memset(g->lst, 0, sizeof g->lst);
	mxd_dyn_peakwin_clear(&g->win);
	mxd_smooth_snap(&g->thr);
	mxd_smooth_snap(&g->range);
	mxd_smooth_snap(&g->ratio);
	mxd_smooth_snap(&g->hyst);
	g->open = false;
	g->y = rest_reduction(g);
}

int mxd_gate_core_activate(mxd_gate_core *g, double rate, uint32_t channels)
{
	g->rate = rate;
	g->channels = channels > MXD_GATE_MAX_CH ? MXD_GATE_MAX_CH : channels;
	double cap = floor(fmax(MXD_GATE_MAX_HOLD_MS, MXD_GATE_MIN_WINDOW_MS) * rate / 1000.0 + 0.5);
	if (mxd_dyn_peakwin_alloc(&g->win, (uint32_t)cap) != 0)
		return -1;
	init_smoothers(g, rate);
	update_times(g);
	g->hpf_on = g->lpf_on = false;
	update_filters(g);
	mxd_gate_core_reset(g);
	return 0;
}

void mxd_gate_core_set(mxd_gate_core *g, mxd_gc_param p, double v)
{
	if ((unsigned)p >= MXD_GC_N || isnan(v))
		return;
	g->v[p] = v;
	switch (p) {
	case MXD_GC_THRESHOLD: mxd_smooth_set(&g->thr, v); break;
	case MXD_GC_RANGE: mxd_smooth_set(&g->range, v); break;
	case MXD_GC_RATIO: mxd_smooth_set(&g->ratio, v); break;
	case MXD_GC_HYSTERESIS: mxd_smooth_set(&g->hyst, v); break;
	case MXD_GC_ATTACK:
	case MXD_GC_HOLD:
	case MXD_GC_RELEASE:
		if (g->rate > 0)
			update_times(g);
		break;
	case MXD_GC_HPF:
	case MXD_GC_LPF: update_filters(g); break;
	default: break;
	}
	if (g->rate <= 0)
		mxd_gate_core_reset(g);
}

void mxd_gate_core_free(mxd_gate_core *g)
{
	mxd_dyn_peakwin_free(&g->win);
}

double mxd_gate_core_process(mxd_gate_core *g, float *const *io, const float *const *key, uint32_t n)
{
	const uint32_t nch = g->channels;
	const bool duck = g->v[MXD_GC_DUCK] != 0;
	/* Branching coefficients: a_up while the reduction grows. */
	const double a_up = duck ? g->a_att : g->a_rel, a_down = duck ? g->a_rel : g->a_att;
	for (uint32_t pos = 0; pos < n;) {
		uint32_t m = n - pos < MXD_GATE_CHUNK ? n - pos : MXD_GATE_CHUNK;
		for (uint32_t c = 0; c < nch; c++) {
			const float *k = (key && key[c] ? key[c] : io[c]) + pos;
			for (uint32_t i = 0; i < m; i++)
				g->det[c][i] = isfinite(k[i]) ? k[i] : 0.0f;
			if (g->hpf_on)
				mxd_bq_cascade_process(&g->hpf, g->hst[c], g->det[c], m);
			if (g->lpf_on)
				mxd_bq_cascade_process(&g->lpf, g->lst[c], g->det[c], m);
		}
		for (uint32_t i = 0; i < m; i++) {
			float peak = 0.0f;
			for (uint32_t c = 0; c < nch; c++) {
				float a = fabsf(g->det[c][i]);
				peak = a > peak ? a : peak;
			}
			double lv = mxd_dyn_db(mxd_dyn_peakwin_push(&g->win, peak, g->window));
			double thr = mxd_smooth_at(&g->thr, i), hyst = mxd_smooth_at(&g->hyst, i);
			double range = mxd_smooth_at(&g->range, i);
			if (!g->open && lv >= thr)
				g->open = true;
			else if (g->open && lv < thr - hyst)
				g->open = false;
			double r;
			if (!g->expander) {
				r = g->open != duck ? 0.0 : range;
			} else {
				double t = g->open ? thr - hyst : thr, e = mxd_smooth_at(&g->ratio, i) - 1.0;
				r = duck ? (lv > t ? e * (lv - t) : 0.0) : mxd_dyn_expand_gr(lv, t, e, 0.0);
				r = r > range ? range : r;
			}
			double y = mxd_dyn_branching(&g->y, r, a_up, a_down);
			if (y == 0.0)
				continue;
			double gain = mxd_dyn_gain(-y);
			for (uint32_t c = 0; c < nch; c++) {
				float o = (float)(io[c][pos + i] * gain);
				io[c][pos + i] = fabsf(o) < 1e-30f ? 0.0f : o; /* no subnormals */
			}
		}
		mxd_smooth_advance(&g->thr, m);
		mxd_smooth_advance(&g->range, m);
		mxd_smooth_advance(&g->ratio, m);
		mxd_smooth_advance(&g->hyst, m);
		pos += m;
	}
	return g->y;
}
