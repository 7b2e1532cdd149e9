/* mixdown — `delay`: echo / feedback delay with ping-pong, loop filters and
 * modulation; also a plain integer-sample delay, optionally reported as latency.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * time: ms, [0, 10000], default 0 (session files may write tempo notes such
 *   as "1/8." — the parser converts them to ms). samples: integer, [0, 1e6],
 *   default 0. The delay is d = samples + round(time * rate / 1000) frames: an
 *   impulse comes out exactly d frames later. Neither is automatable: the line
 *   is allocated in activate() for the delay configured then, and a later
 *   change is limited to that capacity (re-activate to grow it). A change after
 *   activate() crossfades from the old tap to the new one over 10 ms.
 * latency_report: bool, default false. When true latency() returns d, so the
 *   graph's plugin-delay compensation cancels it, and the dry part of `mix` is
 *   delayed by d as well; when false latency() is 0 and the delay is audible.
 * feedback: [0, 0.99], default 0, automatable: gain of each repeat (echo k
 *   has amplitude feedback^(k-1) with the filters off).
 * pingpong: bool, default false: on 2+ channels the input (L+R)/2 enters the
 *   left line and the lines feed each other, so repeats alternate L, R, L...
 *   (channels 3+ echo on their own). Switching crossfades the routing over 20 ms.
 * low_cut: Hz, [0, 5000], default 0 (off); high_cut: Hz, [200, 20000],
 *   default 20000 (off). 2nd-order Butterworth high-/low-pass (RBJ cookbook
 *   biquads) on the signal entering the line, so repeat k is filtered k times.
 *   Automatable; switching on/off crossfades over 20 ms, corners ramp on log2 Hz.
 * mod_depth: ms, [0, 20], default 0; mod_rate: Hz, [0.05, 10], default 0.5.
 *   The read tap moves by depth * (1 - cos(2 pi rate t)) / 2 (linear
 *   interpolation; the right channel's LFO is 90 degrees ahead). Depth ramps
 *   over 100 ms, rate over 20 ms.
 * mix: [0, 1], default 1 (wet only), automatable, ramps over 20 ms.
 * With the defaults (mix 1, feedback 0, filters off, depth 0) the output is
 * the input delayed by d, bit for bit (the pure-latency mode tests use).
 * Robustness: non-finite input enters the loop as 0 (it never poisons the
 * feedback); the loop gain is < 1; feedback terms below 1e-25 and filter
 * states below 1e-30 are flushed, so echoes end in exact zeros.
 * Threads: create/activate/set_param/reset/destroy on the control thread,
 * run() on the audio thread (no allocation, locks or I/O).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/biquad.h"
#include "dsp/fdn.h"
#include "dsp/smooth.h"
#include "fx/processor.h"

#define XFADE_MS 10.0
#define MOD_MAX_MS 20.0
#define MOD_SMOOTH_MS 100.0
#define HC_OFF 20000.0
#define SUB 32u

enum { P_TIME, P_SAMPLES, P_LATENCY_REPORT, P_FEEDBACK, P_PINGPONG, P_LOW_CUT, P_HIGH_CUT, P_MOD_DEPTH,
       P_MOD_RATE, P_MIX, N_SLOTS };

static const mxd_param params[] = {
	{ .name = "time", .kind = MXD_PARAM_NUMBER, .unit = "ms", .min = 0.0, .max = 10000.0,
	  .def = 0.0, .help = "Delay time in milliseconds (rounded to whole samples; tempo notes allowed)",
	  .first_slot = P_TIME },
	{ .name = "samples", .kind = MXD_PARAM_NUMBER, .unit = "samples", .min = 0.0, .max = 1e6,
	  .def = 0.0, .integer = true, .help = "Extra delay in samples, added to time",
	  .first_slot = P_SAMPLES },
	{ .name = "latency_report", .kind = MXD_PARAM_BOOL, .unit = "", .min = 0.0, .max = 1.0,
	  .def = 0.0, .help = "Report the delay as latency so delay compensation removes it",
	  .first_slot = P_LATENCY_REPORT },
	{ .name = "feedback", .kind = MXD_PARAM_NUMBER, .unit = "", .min = 0.0, .max = 0.99, .def = 0.0,
	  .automatable = true, .help = "Level of each repeat relative to the previous one",
	  .first_slot = P_FEEDBACK },
	{ .name = "pingpong", .kind = MXD_PARAM_BOOL, .unit = "", .min = 0.0, .max = 1.0, .def = 0.0,
	  .help = "Repeats alternate between left and right", .first_slot = P_PINGPONG },
	{ .name = "low_cut", .kind = MXD_PARAM_NUMBER, .unit = "Hz", .min = 0.0, .max = 5000.0, .def = 0.0,
	  .automatable = true, .help = "High-pass in the feedback loop (0 = off)", .first_slot = P_LOW_CUT },
	{ .name = "high_cut", .kind = MXD_PARAM_NUMBER, .unit = "Hz", .min = 200.0, .max = HC_OFF, .def = HC_OFF,
	  .automatable = true, .help = "Low-pass in the feedback loop (20000 = off)", .first_slot = P_HIGH_CUT },
	{ .name = "mod_depth", .kind = MXD_PARAM_NUMBER, .unit = "ms", .min = 0.0, .max = MOD_MAX_MS, .def = 0.0,
	  .automatable = true, .help = "Depth of the delay-time modulation (chorus/tape wobble)",
	  .first_slot = P_MOD_DEPTH },
	{ .name = "mod_rate", .kind = MXD_PARAM_NUMBER, .unit = "Hz", .min = 0.05, .max = 10.0, .def = 0.5,
	  .automatable = true, .help = "Rate of the delay-time modulation", .first_slot = P_MOD_RATE },
	{ .name = "mix", .kind = MXD_PARAM_NUMBER, .unit = "", .min = 0.0, .max = 1.0, .def = 1.0,
	  .automatable = true, .help = "Dry/wet balance (1 = echoes only)", .first_slot = P_MIX },
};

typedef struct {
	mxd_biquad c;
	double s1, s2;
	mxd_smooth en, lf; /* enable 0..1, log2 corner */
} loop_filter;

typedef struct {
	mxd_fx base;
	double v[N_SLOTS];
	double rate;           /* 0 until activate() */
	uint32_t channels;
	uint32_t cap;          /* largest delay (configured at activate) */
	uint32_t d, d_old;     /* current delay; the one being faded out */
	mxd_smooth xf;         /* crossfade position 0 (old tap) .. 1 (new tap) */
	mxd_smooth fb, mix, depth, mrate, pp;
	double phase;
	loop_filter lc[MXD_MAX_CHANNELS], hc[MXD_MAX_CHANNELS];
	mxd_fdelay line[MXD_MAX_CHANNELS], dry[MXD_MAX_CHANNELS];
} delay_fx;

static uint32_t total_delay(const delay_fx *s)
{
	double d = s->v[P_SAMPLES] + floor(s->v[P_TIME] * s->rate / 1000.0 + 0.5);
	return d > (double)s->cap ? s->cap : (uint32_t)d;
}

static bool lc_on(const delay_fx *s)
{
	return s->v[P_LOW_CUT] > 0.0;
}

static bool hc_on(const delay_fx *s)
{
	return s->v[P_HIGH_CUT] < HC_OFF;
}

static void lf_design(loop_filter *f, bool high, double rate)
{
	mxd_biquad_design(&f->c, high ? MXD_BQ_HIGHPASS : MXD_BQ_LOWPASS, rate, exp2(f->lf.cur), M_SQRT1_2, 0);
}

static void lf_init(loop_filter *f, bool high, double rate, bool on, double hz)
{
	mxd_smooth_init(&f->en, rate, MXD_SMOOTH_MS, on ? 1.0 : 0.0);
	mxd_smooth_init(&f->lf, rate, MXD_SMOOTH_MS, log2(hz > 1.0 ? hz : 1.0));
	f->s1 = f->s2 = 0;
	lf_design(f, high, rate);
}

/* Turn on/off or move the corner (control thread). */
static void lf_set(loop_filter *f, bool high, double rate, bool on, double hz)
{
	if (on && f->en.target == 0.0) {
		mxd_smooth_init(&f->lf, rate, MXD_SMOOTH_MS, log2(hz));
		f->s1 = f->s2 = 0;
		lf_design(f, high, rate);
	} else if (on) {
		mxd_smooth_set(&f->lf, log2(hz));
	}
	mxd_smooth_set(&f->en, on ? 1.0 : 0.0);
}

static bool lf_active(const loop_filter *f)
{
	return !(mxd_smooth_settled(&f->en) && f->en.cur == 0.0);
}

static inline float lf_tick(loop_filter *f, float x, double e)
{
	const mxd_biquad *c = &f->c;
	double y = c->b0 * x + f->s1;
	f->s1 = c->b1 * x - c->a1 * y + f->s2;
	f->s2 = c->b2 * x - c->a2 * y;
	return (float)(x + e * (y - x));
}

/* Per sub-block: ramp corners, flush tiny or clear non-finite state. */
static void lf_block(loop_filter *f, bool high, double rate, uint32_t m)
{
	if (!mxd_smooth_settled(&f->lf)) {
		mxd_smooth_advance(&f->lf, m);
		lf_design(f, high, rate);
	}
	if (!isfinite(f->s1) || !isfinite(f->s2))
		f->s1 = f->s2 = 0;
	if (fabs(f->s1) < 1e-30)
		f->s1 = 0;
	if (fabs(f->s2) < 1e-30)
		f->s2 = 0;
}

static mxd_fx *delay_create(const mxd_fx_class *cls)
{
	delay_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	for (int k = 0; k < N_SLOTS; k++)
		s->v[k] = params[k].def;
	return &s->base;
}

static int delay_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	delay_fx *s = (delay_fx *)fx;
	(void)max_block;
	s->rate = rate;
	s->channels = channels;
	double want = s->v[P_SAMPLES] + floor(s->v[P_TIME] * rate / 1000.0 + 0.5);
	double head = ceil(MOD_MAX_MS * rate / 1000.0) + 4.0;
	if (!(want + head < 1e9))
		return -1;
	s->cap = (uint32_t)want;
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++) {
		mxd_fdelay_free(&s->line[c]);
		mxd_fdelay_free(&s->dry[c]);
		if (c >= channels)
			continue;
		if (mxd_fdelay_alloc(&s->line[c], (uint32_t)(want + head)) != 0 ||
		    mxd_fdelay_alloc(&s->dry[c], (uint32_t)want + 1) != 0)
			return -1;
		lf_init(&s->lc[c], true, rate, lc_on(s), s->v[P_LOW_CUT]);
		lf_init(&s->hc[c], false, rate, hc_on(s), s->v[P_HIGH_CUT]);
	}
	s->d = s->d_old = total_delay(s);
	mxd_smooth_init(&s->xf, rate, XFADE_MS, 1.0);
	mxd_smooth_init(&s->fb, rate, MXD_SMOOTH_MS, s->v[P_FEEDBACK]);
	mxd_smooth_init(&s->mix, rate, MXD_SMOOTH_MS, s->v[P_MIX]);
	mxd_smooth_init(&s->depth, rate, MOD_SMOOTH_MS, s->v[P_MOD_DEPTH] * rate / 1000.0);
	mxd_smooth_init(&s->mrate, rate, MXD_SMOOTH_MS, s->v[P_MOD_RATE]);
	mxd_smooth_init(&s->pp, rate, MXD_SMOOTH_MS, s->v[P_PINGPONG]);
	s->phase = 0;
	return 0;
}

static void delay_set_param(mxd_fx *fx, size_t slot, double v)
{
	delay_fx *s = (delay_fx *)fx;
	if (isnan(v) || slot >= N_SLOTS)
		return;
	const mxd_param *p = &params[slot];
	v = v < p->min ? p->min : v > p->max ? p->max : v;
	if (slot == P_SAMPLES || p->kind != MXD_PARAM_NUMBER)
		v = floor(v + 0.5);
	s->v[slot] = v;
	if (s->rate <= 0)
		return;
	switch (slot) {
	case P_TIME:
	case P_SAMPLES: {
		uint32_t d = total_delay(s);
		if (d == s->d)
			return;
		/* A change during a crossfade restarts it from the newest tap. */
		s->d_old = s->d;
		s->d = d;
		s->xf.cur = 0.0;
		s->xf.target = 0.0;
		mxd_smooth_set(&s->xf, 1.0);
		break;
	}
	case P_FEEDBACK: mxd_smooth_set(&s->fb, v); break;
	case P_MIX: mxd_smooth_set(&s->mix, v); break;
	case P_MOD_DEPTH: mxd_smooth_set(&s->depth, v * s->rate / 1000.0); break;
	case P_MOD_RATE: mxd_smooth_set(&s->mrate, v); break;
	case P_PINGPONG: mxd_smooth_set(&s->pp, v); break;
	case P_LOW_CUT:
		for (uint32_t c = 0; c < s->channels; c++)
			lf_set(&s->lc[c], true, s->rate, lc_on(s), v);
		break;
	case P_HIGH_CUT:
		for (uint32_t c = 0; c < s->channels; c++)
			lf_set(&s->hc[c], false, s->rate, hc_on(s), v);
		break;
	default: break;
	}
}

/* Crossfaded fractional read, k = 0 is the latest write. */
static inline float tap2(const mxd_fdelay *l, double k_old, double k_new, double g, bool fading)
{
	float b = mxd_fdelay_frac(l, k_new);
	if (!fading)
		return b;
	float a = mxd_fdelay_frac(l, k_old);
	return (float)(a + g * (b - a));
}

static void process(delay_fx *s, float *const *io, uint32_t off, uint32_t m)
{
	uint32_t nch = s->channels;
	bool lc_act = false, hc_act = false;
	for (uint32_t c = 0; c < nch; c++) {
		lc_act |= lf_active(&s->lc[c]);
		hc_act |= lf_active(&s->hc[c]);
		lf_block(&s->lc[c], true, s->rate, m);
		lf_block(&s->hc[c], false, s->rate, m);
	}
	bool fading = !mxd_smooth_settled(&s->xf);
	bool fb_on = !(mxd_smooth_settled(&s->fb) && s->fb.cur == 0.0);
	bool mod_on = !(mxd_smooth_settled(&s->depth) && s->depth.cur == 0.0);
	bool pp_on = nch >= 2 && !(mxd_smooth_settled(&s->pp) && s->pp.cur == 0.0);
	bool wet_only = mxd_smooth_settled(&s->mix) && s->mix.cur == 1.0;
	bool report = s->v[P_LATENCY_REPORT] >= 0.5;
	double w_rate = 2 * M_PI * mxd_smooth_advance(&s->mrate, m) / s->rate;
	for (uint32_t n = 0; n < m; n++) {
		double g = fading ? mxd_smooth_at(&s->xf, n) : 1.0;
		float yfb[MXD_MAX_CHANNELS] = { 0 };
		double mo[2] = { 0, 0 };
		if (mod_on) {
			double dep = mxd_smooth_at(&s->depth, n);
			mo[0] = dep * 0.5 * (1.0 - cos(s->phase));
			mo[1] = dep * 0.5 * (1.0 - cos(s->phase + M_PI / 2));
			s->phase += w_rate;
		}
		/* Feedback taps (read before this frame's write; at least 1 frame). */
		if (fb_on)
			for (uint32_t c = 0; c < nch; c++) {
				double o = mo[c == 1];
				yfb[c] = tap2(&s->line[c], fmax(s->d_old + o, 1.0) - 1.0, fmax(s->d + o, 1.0) - 1.0, g,
					      fading);
			}
		double fb = fb_on ? mxd_smooth_at(&s->fb, n) : 0.0;
		double p = pp_on ? mxd_smooth_at(&s->pp, n) : 0.0;
		float x0 = io[0][off + n], x1 = nch > 1 ? io[1][off + n] : 0.0f;
		if (!isfinite(x0))
			x0 = 0.0f;
		if (!isfinite(x1))
			x1 = 0.0f;
		for (uint32_t c = 0; c < nch; c++) {
			float x = io[c][off + n];
			float in = isfinite(x) ? x : 0.0f, src = yfb[c];
			if (pp_on && c < 2) {
				float other = yfb[1 - c];
				in = c == 0 ? (float)((1 - p) * x0 + p * 0.5 * (x0 + x1)) : (float)((1 - p) * x1);
				src = (float)((1 - p) * src + p * other);
			}
			float w = in;
			if (fb_on)
				w += mxd_flush((float)(fb * src));
			if (lc_act)
				w = lf_tick(&s->lc[c], w, mxd_smooth_at(&s->lc[c].en, n));
			if (hc_act)
				w = lf_tick(&s->hc[c], w, mxd_smooth_at(&s->hc[c].en, n));
			mxd_fdelay_put(&s->line[c], w);
			double o = mo[c == 1];
			float wet = tap2(&s->line[c], s->d_old + o, s->d + o, g, fading);
			float dry = x;
			mxd_fdelay_put(&s->dry[c], x);
			if (report)
				dry = tap2(&s->dry[c], s->d_old, s->d, g, fading);
			io[c][off + n] = wet_only ? wet : dry + (float)mxd_smooth_at(&s->mix, n) * (wet - dry);
		}
	}
	if (s->phase > 2 * M_PI)
		s->phase = fmod(s->phase, 2 * M_PI);
	mxd_smooth_advance(&s->fb, m);
	mxd_smooth_advance(&s->mix, m);
	mxd_smooth_advance(&s->depth, m);
	mxd_smooth_advance(&s->pp, m);
	for (uint32_t c = 0; c < nch; c++) {
		mxd_smooth_advance(&s->lc[c].en, m);
		mxd_smooth_advance(&s->hc[c].en, m);
	}
	if (fading) {
		mxd_smooth_advance(&s->xf, m);
		if (mxd_smooth_settled(&s->xf))
			s->d_old = s->d;
	}
}

static void delay_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	delay_fx *s = (delay_fx *)fx;
	(void)sc;
	for (uint32_t pos = 0; pos < n;) {
		uint32_t m = n - pos < SUB ? n - pos : SUB;
		process(s, io, pos, m);
		pos += m;
	}
}

static uint32_t delay_latency(const mxd_fx *fx)
{
	const delay_fx *s = (const delay_fx *)fx;
	return s->v[P_LATENCY_REPORT] >= 0.5 ? s->d : 0;
}

static void delay_reset(mxd_fx *fx)
{
	delay_fx *s = (delay_fx *)fx;
	for (uint32_t c = 0; c < s->channels; c++) {
		mxd_fdelay_clear(&s->line[c]);
		mxd_fdelay_clear(&s->dry[c]);
		loop_filter *f[2] = { &s->lc[c], &s->hc[c] };
		for (int k = 0; k < 2; k++) {
			f[k]->s1 = f[k]->s2 = 0;
			mxd_smooth_snap(&f[k]->en);
			mxd_smooth_snap(&f[k]->lf);
			lf_design(f[k], k == 0, s->rate);
		}
	}
	mxd_smooth *sm[] = { &s->xf, &s->fb, &s->mix, &s->depth, &s->mrate, &s->pp };
	for (size_t i = 0; i < sizeof sm / sizeof sm[0]; i++)
		mxd_smooth_snap(sm[i]);
	s->d_old = s->d;
}

static void delay_destroy(mxd_fx *fx)
{
	delay_fx *s = (delay_fx *)fx;
	if (!s)
		return;
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++) {
		mxd_fdelay_free(&s->line[c]);
		mxd_fdelay_free(&s->dry[c]);
	}
	free(s);
}

const mxd_fx_class mxd_fx_delay_class = {
	.name = "delay",
	.summary = "Echo: delay with feedback, ping-pong, loop filters and modulation; also a latency delay",
	.params = params,
	.n_params = sizeof params / sizeof params[0],
	.n_slots = N_SLOTS,
	.create = delay_create,
	.activate = delay_activate,
	.set_param = delay_set_param,
	.run = delay_run,
	.latency = delay_latency,
	.reset = delay_reset,
	.destroy = delay_destroy,
};
