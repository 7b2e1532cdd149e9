/* mixdown — `exciter`: adds harmonics of the content above a frequency.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Parameters (all automatable, ramped over 20 ms):
 *   frequency  Hz, [1000, 16000], default 3000: only content above it is
 *              excited (clamped to 0.45 x the sample rate).
 *   amount     [0, 1], default 0.5: level of the added harmonics (linear;
 *              0 = output is the input delayed by the latency, bit-exact).
 *   drive      dB, [0, 24], default 12: gain into the curve (more and higher
 *              harmonics).
 *
 * Path (the classic "aural exciter" structure, e.g. U. Zölzer (ed.), "DAFX",
 * 2nd ed., 2011, ch. 4, "Exciters and enhancers"): h = HP(x), a 4th-order
 * Butterworth high-pass at `frequency` (src/dsp/biquad.h); 4x oversampled
 * (src/dsp/oversample.h) d = (f(k h) + f(-k h)) / (2 k), the even part of
 * the asymmetric `tube` curve f of src/dsp/shaper.h (for u >= 0:
 * (tanh(u) - 2 tanh(u/2)) / 2, about -u^3/8 for small u), k = 10^(drive/20).
 * An even curve has no linear part: for a tone it makes DC and the even
 * harmonics (2nd, 4th, ...) only, never a component at the tone itself, so
 * the level of what is already there does not change. Down-sampled;
 * high-passed again at `frequency` (removes the DC and the difference tones
 * below it); out = x delayed by latency + amount * d. The dry path
 * carries the input itself (delayed by the oversampler's whole-frame round
 * trip), so the exciter only ever adds energy at harmonic frequencies and
 * nothing can comb-filter. Latency: mxd_os_latency() frames.
 *
 * While `frequency` ramps the filters are redesigned every 32 samples (log2
 * scale). Non-finite input is replaced by 0; the biquads clear non-finite
 * state and flush tiny state to zero. Silence in gives exact zeros out.
 * Threads: see processor.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/biquad.h"
#include "dsp/delay.h"
#include "dsp/oversample.h"
#include "dsp/shaper.h"
#include "dsp/smooth.h"
#include "fx/processor.h"

#define OS_FACTOR 4u
#define SUB_BLOCK 32u
#define HP_ORDER 4

enum { P_FREQUENCY, P_AMOUNT, P_DRIVE, N_SLOTS };

static const mxd_param params[] = {
	{ .name = "frequency", .kind = MXD_PARAM_NUMBER, .unit = "Hz", .min = 1000, .max = 16000,
	  .def = 3000, .automatable = true, .help = "Only content above this is excited",
	  .first_slot = P_FREQUENCY },
	{ .name = "amount", .kind = MXD_PARAM_NUMBER, .unit = "", .min = 0, .max = 1, .def = 0.5,
	  .automatable = true, .help = "Level of the added harmonics (0 = off)",
	  .first_slot = P_AMOUNT },
	{ .name = "drive", .kind = MXD_PARAM_NUMBER, .unit = "dB", .min = 0, .max = 24, .def = 12,
	  .automatable = true, .help = "Gain into the saturation curve", .first_slot = P_DRIVE },
};

typedef struct {
	mxd_fx base;
	double v[N_SLOTS];
	double rate;
	uint32_t channels, lat;
	mxd_smooth lf, amount, drive;
	mxd_bq_cascade hp;
	mxd_bq_state st1[MXD_MAX_CHANNELS][MXD_BQ_MAX_SECTIONS];
	mxd_bq_state st2[MXD_MAX_CHANNELS][MXD_BQ_MAX_SECTIONS];
	mxd_os os;
	mxd_delay dry[MXD_MAX_CHANNELS];
	float *in, *h, *hi; /* SUB_BLOCK, SUB_BLOCK, x4 */
} exciter_fx;

static void design(exciter_fx *s)
{
	double f = fmin(exp2(s->lf.cur), 0.45 * s->rate);
	mxd_butterworth_design(&s->hp, true, s->rate, f, HP_ORDER);
}

static void init_smooth(exciter_fx *s, double rate)
{
	mxd_smooth_init(&s->lf, rate, MXD_SMOOTH_MS, log2(s->v[P_FREQUENCY]));
	mxd_smooth_init(&s->amount, rate, MXD_SMOOTH_MS, s->v[P_AMOUNT]);
	mxd_smooth_init(&s->drive, rate, MXD_SMOOTH_MS, pow(10.0, s->v[P_DRIVE] / 20.0));
}

static void free_state(exciter_fx *s)
{
	mxd_os_free(&s->os);
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		mxd_delay_free(&s->dry[c]);
	free(s->in);
	free(s->h);
	free(s->hi);
	s->in = s->h = s->hi = NULL;
}

static void clear_state(exciter_fx *s)
{
	mxd_os_reset(&s->os);
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		mxd_delay_clear(&s->dry[c]);
	memset(s->st1, 0, sizeof s->st1);
	memset(s->st2, 0, sizeof s->st2);
	mxd_smooth_snap(&s->lf);
	mxd_smooth_snap(&s->amount);
	mxd_smooth_snap(&s->drive);
	design(s);
}

static mxd_fx *exc_create(const mxd_fx_class *cls)
{
	exciter_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	for (int i = 0; i < N_SLOTS; i++)
		s->v[i] = params[i].def;
	init_smooth(s, 0);
	return &s->base;
}

static int exc_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	exciter_fx *s = (exciter_fx *)fx;
	(void)max_block;
	free_state(s);
	s->rate = rate;
	s->channels = channels;
	if (mxd_os_init(&s->os, OS_FACTOR, channels, 110.0, 0.45, 0) != 0)
		return -1;
	s->lat = mxd_os_latency(&s->os);
	for (uint32_t c = 0; c < channels; c++)
		if (mxd_delay_alloc(&s->dry[c], s->lat) != 0)
			return -1;
	s->in = calloc(SUB_BLOCK, sizeof *s->in);
	s->h = calloc(SUB_BLOCK, sizeof *s->h);
	s->hi = calloc((size_t)OS_FACTOR * SUB_BLOCK, sizeof *s->hi);
	if (!s->in || !s->h || !s->hi)
		return -1;
	init_smooth(s, rate);
	clear_state(s);
	return 0;
}

static void exc_set_param(mxd_fx *fx, size_t slot, double v)
{
	exciter_fx *s = (exciter_fx *)fx;
	if (slot >= N_SLOTS || isnan(v))
		return;
	const mxd_param *p = &params[slot];
	v = v < p->min ? p->min : v > p->max ? p->max : v;
	s->v[slot] = v;
	switch (slot) {
	case P_FREQUENCY: mxd_smooth_set(&s->lf, log2(v)); break;
	case P_AMOUNT: mxd_smooth_set(&s->amount, v); break;
	default: mxd_smooth_set(&s->drive, pow(10.0, v / 20.0)); break;
	}
	if (s->rate <= 0)
		init_smooth(s, 0);
}

static void exc_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	exciter_fx *s = (exciter_fx *)fx;
	(void)sc;
	for (uint32_t pos = 0; pos < n;) {
		uint32_t m = n - pos < SUB_BLOCK ? n - pos : SUB_BLOCK;
		if (!mxd_smooth_settled(&s->lf)) {
			mxd_smooth_advance(&s->lf, m);
			design(s);
		}
		for (uint32_t c = 0; c < s->channels; c++) {
			float *x = io[c] + pos;
			for (uint32_t i = 0; i < m; i++)
				s->in[i] = s->h[i] = isfinite(x[i]) ? x[i] : 0.0f;
			mxd_bq_cascade_process(&s->hp, s->st1[c], s->h, m);
			mxd_os_up(&s->os, c, s->h, s->hi, m);
			for (uint32_t i = 0; i < m; i++) {
				double k = mxd_smooth_at(&s->drive, i);
				float *v = s->hi + (size_t)i * OS_FACTOR;
				for (uint32_t j = 0; j < OS_FACTOR; j++) {
					double u = k * v[j]; /* even part of the tube curve */
					v[j] = (float)(0.5 * (mxd_shape_f(MXD_SHAPE_TUBE, u) +
							      mxd_shape_f(MXD_SHAPE_TUBE, -u)) / k);
				}
			}
			mxd_os_down(&s->os, c, s->hi, s->h, m);
			mxd_bq_cascade_process(&s->hp, s->st2[c], s->h, m);
			for (uint32_t i = 0; i < m; i++) {
				float dry = mxd_delay_tick(&s->dry[c], s->in[i], s->lat);
				double a = mxd_smooth_at(&s->amount, i);
				x[i] = a == 0.0 ? dry : (float)(dry + a * s->h[i]);
			}
		}
		mxd_smooth_advance(&s->amount, m);
		mxd_smooth_advance(&s->drive, m);
		pos += m;
	}
}

static uint32_t exc_latency(const mxd_fx *fx)
{
	return ((const exciter_fx *)fx)->lat;
}

static void exc_reset(mxd_fx *fx)
{
	exciter_fx *s = (exciter_fx *)fx;
	if (s->rate > 0)
		clear_state(s);
}

static void exc_destroy(mxd_fx *fx)
{
	if (!fx)
		return;
	free_state((exciter_fx *)fx);
	free(fx);
}

const mxd_fx_class mxd_fx_exciter_class = {
	.name = "exciter",
	.summary = "Adds harmonics of the content above a frequency (oversampled)",
	.params = params,
	.n_params = sizeof params / sizeof params[0],
	.n_slots = N_SLOTS,
	.create = exc_create,
	.activate = exc_activate,
	.set_param = exc_set_param,
	.run = exc_run,
	.latency = exc_latency,
	.reset = exc_reset,
	.destroy = exc_destroy,
};
