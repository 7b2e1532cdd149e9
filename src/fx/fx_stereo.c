/* mixdown — `stereo`: width, mono bass, balance, swap and Haas delay of a stereo pair.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Works on channels 1 and 2 (L, R); other channels pass unchanged; on a mono
 * strip it does nothing. Order: swap -> width / mono_bass -> haas -> balance.
 *   width     [0, 2], default 1, automatable. Mid/side: M = (L+R)/2,
 *             S = width (L-R)/2, L = M + S, R = M - S (0 = mono, 2 = double side).
 *   mono_bass Hz, [0, 500], default 0 (off), automatable. A 4th-order
 *             Linkwitz-Riley crossover (two cascaded 2nd-order Butterworth
 *             sections, S. Linkwitz, "Active crossover networks for
 *             noncoincident drivers", JAES 24(1), 1976) at mono_bass: the
 *             side keeps only its high band, L/R lows are summed to mono.
 *             Equivalently M -> AP(M) (LP4 + HP4 of an LR4 pair is the 2nd-order
 *             allpass with the Butterworth poles) and S -> HP4(S), so L + R
 *             = 2 AP(M) has a flat magnitude. Turning it on or off crossfades
 *             over 20 ms; a corner change ramps on log2 Hz.
 *   balance   [-1, 1], default 0, automatable: the far side is scaled by 1 - |b|
 *             (the strip panner's stereo balance).
 *   swap      bool, default false: exchange L and R (crossfades over 20 ms).
 *   haas      ms, [0, 40], default 0, automatable: delays one side (haas_side,
 *             enum left|right, default right) for the precedence effect
 *             (H. Haas, "Über den Einfluss eines Einfachechos auf die
 *             Hörsamkeit von Sprache", Acustica 1, 1951). A change crossfades
 *             between the old and new tap over 20 ms. Not reported as latency.
 * With every parameter at its default the samples are not touched (bit-exact).
 * Continuous values ramp over 20 ms; filter state is double precision and
 * flushed (mxd_biquad), NaN/Inf in the filters is cleared by mxd_biquad, and
 * the Haas line holds input only (a NaN leaves it after `haas` ms).
 * Threads: create/activate/set_param/reset/destroy on the control thread,
 * run() on the audio thread.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/biquad.h"
#include "dsp/delay.h"
#include "dsp/smooth.h"
#include "fx/processor.h"

#define SUB 32u
#define HAAS_MAX 40.0

enum { P_WIDTH, P_MONO_BASS, P_BALANCE, P_SWAP, P_HAAS, P_HAAS_SIDE, N_SLOTS };

static const char *const side_names[] = { "left", "right", NULL };

static const mxd_param params[] = {
	{ .name = "width", .kind = MXD_PARAM_NUMBER, .unit = "", .min = 0, .max = 2, .def = 1,
	  .automatable = true, .help = "Stereo width: 0 mono, 1 unchanged, 2 double side", .first_slot = P_WIDTH },
	{ .name = "mono_bass", .kind = MXD_PARAM_NUMBER, .unit = "Hz", .min = 0, .max = 500, .def = 0,
	  .automatable = true, .help = "Make everything below this frequency mono (0 = off; LR4 crossover)",
	  .first_slot = P_MONO_BASS },
	{ .name = "balance", .kind = MXD_PARAM_NUMBER, .unit = "", .min = -1, .max = 1, .def = 0,
	  .automatable = true, .help = "Balance: -1 left only .. +1 right only", .first_slot = P_BALANCE },
	{ .name = "swap", .kind = MXD_PARAM_BOOL, .unit = "", .max = 1, .def = 0,
	  .help = "Exchange left and right", .first_slot = P_SWAP },
	{ .name = "haas", .kind = MXD_PARAM_NUMBER, .unit = "ms", .min = 0, .max = HAAS_MAX, .def = 0,
	  .automatable = true, .help = "Delay one side by this much (precedence-effect widening)",
	  .first_slot = P_HAAS },
	{ .name = "haas_side", .kind = MXD_PARAM_ENUM, .unit = "", .max = 1, .def = 1, .choices = side_names,
	  .help = "Which side the haas delay applies to", .first_slot = P_HAAS_SIDE },
};

typedef struct {
	mxd_delay line;
	uint32_t d, d_old;
	mxd_smooth xf;
} tap;

typedef struct {
	mxd_fx base;
	double v[N_SLOTS];
	double rate;
	uint32_t channels;
	mxd_smooth width, bal_l, bal_r, sw, en, lf; /* lf: log2 corner */
	mxd_bq_cascade hp;                           /* LR4 high-pass (2 sections) */
	mxd_biquad ap;                               /* matching allpass */
	mxd_bq_state st_hp[2], st_ap[1];
	tap t[2];
} stereo_fx;

static void design(stereo_fx *s)
{
	double f = exp2(s->lf.cur);
	mxd_biquad b;
	mxd_biquad_design(&b, MXD_BQ_HIGHPASS, s->rate, f, M_SQRT1_2, 0);
	s->hp.sec[0] = s->hp.sec[1] = b;
	s->hp.n = 2;
	s->ap = (mxd_biquad){ .b0 = b.a2, .b1 = b.a1, .b2 = 1.0, .a1 = b.a1, .a2 = b.a2 };
}

static uint32_t haas_frames(const stereo_fx *s, int side)
{
	if ((int)s->v[P_HAAS_SIDE] != side)
		return 0;
	return (uint32_t)floor(s->v[P_HAAS] * s->rate / 1000.0 + 0.5);
}

static void retap(stereo_fx *s, int side)
{
	tap *t = &s->t[side];
	uint32_t d = haas_frames(s, side);
	if (d == t->d)
		return;
	t->d_old = t->d;
	t->d = d;
	t->xf.cur = t->xf.target = 0.0;
	mxd_smooth_set(&t->xf, 1.0);
}

static void balance_targets(stereo_fx *s)
{
	double b = s->v[P_BALANCE];
	mxd_smooth_set(&s->bal_l, b > 0 ? 1.0 - b : 1.0);
	mxd_smooth_set(&s->bal_r, b < 0 ? 1.0 + b : 1.0);
}

static mxd_fx *stereo_create(const mxd_fx_class *cls)
{
	stereo_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	for (int k = 0; k < N_SLOTS; k++)
		s->v[k] = params[k].def;
	return &s->base;
}

static int stereo_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	stereo_fx *s = (stereo_fx *)fx;
	(void)max_block;
	s->rate = rate;
	s->channels = channels;
	mxd_smooth_init(&s->width, rate, MXD_SMOOTH_MS, s->v[P_WIDTH]);
	double b = s->v[P_BALANCE];
	mxd_smooth_init(&s->bal_l, rate, MXD_SMOOTH_MS, b > 0 ? 1.0 - b : 1.0);
	mxd_smooth_init(&s->bal_r, rate, MXD_SMOOTH_MS, b < 0 ? 1.0 + b : 1.0);
	mxd_smooth_init(&s->sw, rate, MXD_SMOOTH_MS, s->v[P_SWAP]);
	mxd_smooth_init(&s->en, rate, MXD_SMOOTH_MS, s->v[P_MONO_BASS] > 0 ? 1.0 : 0.0);
	mxd_smooth_init(&s->lf, rate, MXD_SMOOTH_MS, log2(s->v[P_MONO_BASS] > 0 ? s->v[P_MONO_BASS] : 100.0));
	design(s);
	memset(s->st_hp, 0, sizeof s->st_hp);
	memset(s->st_ap, 0, sizeof s->st_ap);
	for (int k = 0; k < 2; k++) {
		if (mxd_delay_alloc(&s->t[k].line, (uint32_t)ceil(HAAS_MAX * rate / 1000.0) + 1) != 0)
			return -1;
		s->t[k].d = s->t[k].d_old = haas_frames(s, k);
		mxd_smooth_init(&s->t[k].xf, rate, MXD_SMOOTH_MS, 1.0);
	}
	return 0;
}

static void stereo_set_param(mxd_fx *fx, size_t slot, double v)
{
	stereo_fx *s = (stereo_fx *)fx;
	if (slot >= N_SLOTS || isnan(v))
		return;
	const mxd_param *p = &params[slot];
	v = v < p->min ? p->min : v > p->max ? p->max : v;
	if (p->kind != MXD_PARAM_NUMBER)
		v = floor(v + 0.5);
	if (s->v[slot] == v)
		return;
	s->v[slot] = v;
	if (s->rate <= 0)
		return;
	switch (slot) {
	case P_WIDTH: mxd_smooth_set(&s->width, v); break;
	case P_BALANCE: balance_targets(s); break;
	case P_SWAP: mxd_smooth_set(&s->sw, v); break;
	case P_MONO_BASS:
		if (v > 0) {
			if (s->en.target == 0.0) { /* off -> on: start at the new corner */
				mxd_smooth_init(&s->lf, s->rate, MXD_SMOOTH_MS, log2(v));
				memset(s->st_hp, 0, sizeof s->st_hp);
				memset(s->st_ap, 0, sizeof s->st_ap);
				design(s);
			} else {
				mxd_smooth_set(&s->lf, log2(v));
			}
		}
		mxd_smooth_set(&s->en, v > 0 ? 1.0 : 0.0);
		break;
	case P_HAAS:
	case P_HAAS_SIDE:
		retap(s, 0);
		retap(s, 1);
		break;
	default: break;
	}
}

static bool tap_idle(const tap *t)
{
	return t->d == 0 && mxd_smooth_settled(&t->xf);
}

static void run_tap(tap *t, float *x, uint32_t n)
{
	if (mxd_smooth_settled(&t->xf)) {
		mxd_delay_process(&t->line, x, n, t->d);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		float b = mxd_delay_tick(&t->line, x[i], t->d);
		float a = mxd_delay_read(&t->line, t->d_old);
		x[i] = (float)(a + mxd_smooth_at(&t->xf, i) * (b - a));
	}
	mxd_smooth_advance(&t->xf, n);
	if (mxd_smooth_settled(&t->xf))
		t->d_old = t->d;
}

static void process(stereo_fx *s, float *l, float *r, uint32_t m)
{
	/* swap */
	if (mxd_smooth_settled(&s->sw) && s->sw.cur == 1.0) {
		for (uint32_t i = 0; i < m; i++) {
			float a = l[i];
			l[i] = r[i];
			r[i] = a;
		}
	} else if (!mxd_smooth_settled(&s->sw) || s->sw.cur != 0.0) {
		for (uint32_t i = 0; i < m; i++) {
			float g = (float)mxd_smooth_at(&s->sw, i), a = l[i], b = r[i];
			l[i] = a + g * (b - a);
			r[i] = b + g * (a - b);
		}
		mxd_smooth_advance(&s->sw, m);
	}
	/* width and mono bass, in mid/side */
	bool bass = !(mxd_smooth_settled(&s->en) && s->en.cur == 0.0);
	if (bass || !(mxd_smooth_settled(&s->width) && s->width.cur == 1.0)) {
		float mid[SUB], side[SUB], mf[SUB], sf[SUB];
		for (uint32_t i = 0; i < m; i++) {
			mid[i] = 0.5f * (l[i] + r[i]);
			side[i] = 0.5f * (l[i] - r[i]) * (float)mxd_smooth_at(&s->width, i);
		}
		mxd_smooth_advance(&s->width, m);
		if (bass) {
			if (!mxd_smooth_settled(&s->lf)) {
				mxd_smooth_advance(&s->lf, m);
				design(s);
			}
			memcpy(mf, mid, m * sizeof *mf);
			memcpy(sf, side, m * sizeof *sf);
			mxd_biquad_process(&s->ap, s->st_ap, mf, m);
			mxd_bq_cascade_process(&s->hp, s->st_hp, sf, m);
			if (mxd_smooth_settled(&s->en)) {
				memcpy(mid, mf, m * sizeof *mf);
				memcpy(side, sf, m * sizeof *sf);
			} else {
				for (uint32_t i = 0; i < m; i++) {
					float e = (float)mxd_smooth_at(&s->en, i);
					mid[i] += e * (mf[i] - mid[i]);
					side[i] += e * (sf[i] - side[i]);
				}
				mxd_smooth_advance(&s->en, m);
				if (mxd_smooth_settled(&s->en) && s->en.cur == 0.0) {
					memset(s->st_hp, 0, sizeof s->st_hp);
					memset(s->st_ap, 0, sizeof s->st_ap);
				}
			}
		}
		for (uint32_t i = 0; i < m; i++) {
			l[i] = mid[i] + side[i];
			r[i] = mid[i] - side[i];
		}
	}
	/* haas */
	if (!tap_idle(&s->t[0]))
		run_tap(&s->t[0], l, m);
	else
		mxd_delay_process(&s->t[0].line, l, m, 0);
	if (!tap_idle(&s->t[1]))
		run_tap(&s->t[1], r, m);
	else
		mxd_delay_process(&s->t[1].line, r, m, 0);
	/* balance */
	float *lr[2] = { l, r };
	mxd_smooth_apply_gain(&s->bal_l, lr, 1, m);
	mxd_smooth_apply_gain(&s->bal_r, lr + 1, 1, m);
}

static void stereo_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	stereo_fx *s = (stereo_fx *)fx;
	(void)sc;
	if (s->channels < 2)
		return;
	for (uint32_t pos = 0; pos < n;) {
		uint32_t m = n - pos < SUB ? n - pos : SUB;
		process(s, io[0] + pos, io[1] + pos, m);
		pos += m;
	}
}

static uint32_t stereo_latency(const mxd_fx *fx)
{
	(void)fx;
	return 0;
}

static void stereo_reset(mxd_fx *fx)
{
	stereo_fx *s = (stereo_fx *)fx;
	mxd_smooth *sm[] = { &s->width, &s->bal_l, &s->bal_r, &s->sw, &s->en, &s->lf };
	for (size_t i = 0; i < sizeof sm / sizeof sm[0]; i++)
		mxd_smooth_snap(sm[i]);
	memset(s->st_hp, 0, sizeof s->st_hp);
	memset(s->st_ap, 0, sizeof s->st_ap);
	if (s->rate > 0)
		design(s);
	for (int k = 0; k < 2; k++) {
		mxd_delay_clear(&s->t[k].line);
		mxd_smooth_snap(&s->t[k].xf);
		s->t[k].d_old = s->t[k].d;
	}
}

static void stereo_destroy(mxd_fx *fx)
{
	stereo_fx *s = (stereo_fx *)fx;
	if (!s)
		return;
	mxd_delay_free(&s->t[0].line);
	mxd_delay_free(&s->t[1].line);
	free(s);
}

const mxd_fx_class mxd_fx_stereo_class = {
	.name = "stereo",
	.summary = "Stereo width (M/S), mono bass (LR4), balance, swap and Haas delay",
	.params = params,
	.n_params = sizeof params / sizeof params[0],
	.n_slots = N_SLOTS,
	.create = stereo_create,
	.activate = stereo_activate,
	.set_param = stereo_set_param,
	.run = stereo_run,
	.latency = stereo_latency,
	.reset = stereo_reset,
	.destroy = stereo_destroy,
};
