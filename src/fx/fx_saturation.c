/* mixdown — `saturation`: oversampled waveshaping (tape, tube, softclip, hardclip).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Parameters:
 *   model   enum {tape, tube, softclip, hardclip}, default tape. Curves in
 *           src/dsp/shaper.h. Not automatable (switches at once).
 *   drive   dB, [0, 36], default 6, automatable: gain into the curve.
 *   output  dB, [-36, 12], default 0, automatable: gain of the saturated
 *           (wet) signal.
 *   bias    [-1, 1], default 0, automatable: offset added to the driven signal
 *           before the curve, which makes it asymmetric -> even harmonics.
 *   mix     [0, 1], default 1, automatable: wet share; the dry signal is
 *           delayed by the latency so the blend never comb-filters.
 * Automatable values ramp over 20 ms (src/dsp/smooth.h).
 *
 * Signal path per channel: x -> 8x up (src/dsp/oversample.h, linear phase,
 * 110 dB stopband, passband to 0.45 fs) -> u = drive * x + bias ->
 * y = f(u) - f(bias) (removes the static offset bias creates) -> 8x down ->
 * 5 Hz first-order DC blocker (removes the signal-dependent DC that bias or
 * the tube curve leave) -> * output -> mix with the delayed dry signal.
 * The curve runs one high-rate sample late: the hard clip uses first-order
 * antiderivative antialiasing (Parker et al., DAFx-16; see shaper.h) averaged
 * over two consecutive segments, which centres it on a whole sample (linear
 * part (1, 2, 1)/4: -0.23 dB at 20 kHz at 48 kHz); the smooth curves are
 * simply delayed by one high-rate sample. The oversampler pads that to a
 * whole number of base frames: latency() = mxd_os_latency() (83 frames at
 * any rate: the design is relative to the rate).
 *
 * Aliasing: harmonics above 4 fs fold back; with 8x oversampling they are
 * > 60 dB below the fundamental for a 15 kHz tone driven 2x into the curve
 * (tests/test_fx_color.c measures it; the hard clip needs the ADAA for it).
 * Non-finite input samples are replaced by 0. Silence in gives exact zeros.
 * Threads: see processor.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/delay.h"
#include "dsp/oversample.h"
#include "dsp/shaper.h"
#include "dsp/smooth.h"
#include "fx/processor.h"

#define OS_FACTOR 8u
#define DC_HZ 5.0

enum { P_MODEL, P_DRIVE, P_OUTPUT, P_BIAS, P_MIX, N_SLOTS };

static const char *const model_names[] = { "tape", "tube", "softclip", "hardclip", NULL };

static const mxd_param params[] = {
	{ .name = "model", .kind = MXD_PARAM_ENUM, .unit = "", .min = 0, .max = 3, .def = 0,
	  .choices = model_names, .help = "Curve: tape, tube (asymmetric), softclip (tanh), hardclip",
	  .first_slot = P_MODEL },
	{ .name = "drive", .kind = MXD_PARAM_NUMBER, .unit = "dB", .min = 0, .max = 36, .def = 6,
	  .automatable = true, .help = "Gain into the curve", .first_slot = P_DRIVE },
	{ .name = "output", .kind = MXD_PARAM_NUMBER, .unit = "dB", .min = -36, .max = 12, .def = 0,
	  .automatable = true, .help = "Gain of the saturated signal", .first_slot = P_OUTPUT },
	{ .name = "bias", .kind = MXD_PARAM_NUMBER, .unit = "", .min = -1, .max = 1, .def = 0,
	  .automatable = true, .help = "Offset before the curve: adds even harmonics",
	  .first_slot = P_BIAS },
	{ .name = "mix", .kind = MXD_PARAM_NUMBER, .unit = "", .min = 0, .max = 1, .def = 1,
	  .automatable = true, .help = "Wet share (dry is latency-compensated)", .first_slot = P_MIX },
};

typedef struct {
	double u1, a1; /* previous curve input, previous ADAA segment value */
	double dc_x, dc_y;
} chan_state;

typedef struct {
	mxd_fx base;
	double v[N_SLOTS];
	double rate;
	uint32_t channels, lat;
	mxd_smooth drive, output, bias, mix;
	mxd_os os;
	mxd_delay dry[MXD_MAX_CHANNELS];
	chan_state cs[MXD_MAX_CHANNELS];
	float *in, *hi, *wet; /* MXD_OS_BLOCK, x8, MXD_OS_BLOCK */
	double dc_r;
} sat_fx;

static double db_to_lin(double db)
{
	return pow(10.0, db / 20.0);
}

static void init_smooth(sat_fx *s, double rate)
{
	mxd_smooth_init(&s->drive, rate, MXD_SMOOTH_MS, db_to_lin(s->v[P_DRIVE]));
	mxd_smooth_init(&s->output, rate, MXD_SMOOTH_MS, db_to_lin(s->v[P_OUTPUT]));
	mxd_smooth_init(&s->bias, rate, MXD_SMOOTH_MS, s->v[P_BIAS]);
	mxd_smooth_init(&s->mix, rate, MXD_SMOOTH_MS, s->v[P_MIX]);
}

static void free_state(sat_fx *s)
{
	mxd_os_free(&s->os);
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		mxd_delay_free(&s->dry[c]);
	free(s->in);
	free(s->hi);
	free(s->wet);
	s->in = s->hi = s->wet = NULL;
}

static void clear_state(sat_fx *s)
{
	mxd_os_reset(&s->os);
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++) {
		mxd_delay_clear(&s->dry[c]);
		s->cs[c].u1 = s->v[P_BIAS];
		s->cs[c].a1 = mxd_shape_f((mxd_shape)s->v[P_MODEL], s->v[P_BIAS]);
		s->cs[c].dc_x = s->cs[c].dc_y = 0;
	}
	mxd_smooth_snap(&s->drive);
	mxd_smooth_snap(&s->output);
	mxd_smooth_snap(&s->bias);
	mxd_smooth_snap(&s->mix);
}

static mxd_fx *sat_create(const mxd_fx_class *cls)
{
	sat_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	for (int i = 0; i < N_SLOTS; i++)
		s->v[i] = params[i].def;
	init_smooth(s, 0);
	return &s->base;
}

static int sat_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	sat_fx *s = (sat_fx *)fx;
	(void)max_block;
	free_state(s);
	s->rate = rate;
	s->channels = channels;
	if (mxd_os_init(&s->os, OS_FACTOR, channels, 110.0, 0.45, 1) != 0)
		return -1;
	s->lat = mxd_os_latency(&s->os);
	for (uint32_t c = 0; c < channels; c++)
		if (mxd_delay_alloc(&s->dry[c], s->lat) != 0)
			return -1;
	s->in = calloc(MXD_OS_BLOCK, sizeof *s->in);
	s->hi = calloc((size_t)OS_FACTOR * MXD_OS_BLOCK, sizeof *s->hi);
	s->wet = calloc(MXD_OS_BLOCK, sizeof *s->wet);
	if (!s->in || !s->hi || !s->wet)
		return -1;
	s->dc_r = exp(-2.0 * 3.14159265358979323846 * DC_HZ / rate);
	init_smooth(s, rate);
	clear_state(s);
	return 0;
}

static void sat_set_param(mxd_fx *fx, size_t slot, double v)
{
	sat_fx *s = (sat_fx *)fx;
	if (slot >= N_SLOTS || isnan(v))
		return;
	const mxd_param *p = &params[slot];
	v = v < p->min ? p->min : v > p->max ? p->max : v;
	if (slot == P_MODEL)
		v = floor(v + 0.5);
	s->v[slot] = v;
	switch (slot) {
	case P_DRIVE: mxd_smooth_set(&s->drive, db_to_lin(v)); break;
	case P_OUTPUT: mxd_smooth_set(&s->output, db_to_lin(v)); break;
	case P_BIAS: mxd_smooth_set(&s->bias, v); break;
	case P_MIX: mxd_smooth_set(&s->mix, v); break;
	default: break;
	}
	if (s->rate <= 0)
		init_smooth(s, 0);
}

static void sat_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	sat_fx *s = (sat_fx *)fx;
	(void)sc;
	const mxd_shape model = (mxd_shape)s->v[P_MODEL];
	for (uint32_t pos = 0; pos < n;) {
		uint32_t m = n - pos < MXD_OS_BLOCK ? n - pos : MXD_OS_BLOCK;
		for (uint32_t c = 0; c < s->channels; c++) {
			float *x = io[c] + pos;
			chan_state *cs = &s->cs[c];
			for (uint32_t i = 0; i < m; i++)
				s->in[i] = isfinite(x[i]) ? x[i] : 0.0f;
			mxd_os_up(&s->os, c, s->in, s->hi, m);
			for (uint32_t i = 0; i < m; i++) {
				double g = mxd_smooth_at(&s->drive, i), b = mxd_smooth_at(&s->bias, i);
				double f0 = mxd_shape_f(model, b);
				float *h = s->hi + (size_t)i * OS_FACTOR;
				for (uint32_t j = 0; j < OS_FACTOR; j++) {
					double u = g * h[j] + b, y;
					if (model == MXD_SHAPE_HARDCLIP) {
						double a = mxd_hardclip_adaa(cs->u1, u);
						y = 0.5 * (a + cs->a1);
						cs->a1 = a;
					} else {
						y = mxd_shape_f(model, cs->u1);
					}
					cs->u1 = u;
					h[j] = (float)(y - f0);
				}
			}
			mxd_os_down(&s->os, c, s->hi, s->wet, m);
			for (uint32_t i = 0; i < m; i++) {
				double w = s->wet[i];
				double y = w - cs->dc_x + s->dc_r * cs->dc_y; /* DC blocker */
				cs->dc_x = w;
				cs->dc_y = fabs(y) < 1e-30 ? 0.0 : y;
				double mix = mxd_smooth_at(&s->mix, i);
				float dry = mxd_delay_tick(&s->dry[c], s->in[i], s->lat);
				x[i] = (float)(mix * y * mxd_smooth_at(&s->output, i) + (1.0 - mix) * dry);
			}
		}
		mxd_smooth_advance(&s->drive, m);
		mxd_smooth_advance(&s->bias, m);
		mxd_smooth_advance(&s->mix, m);
		mxd_smooth_advance(&s->output, m);
		pos += m;
	}
}

static uint32_t sat_latency(const mxd_fx *fx)
{
	return ((const sat_fx *)fx)->lat;
}

static void sat_reset(mxd_fx *fx)
{
	sat_fx *s = (sat_fx *)fx;
	if (s->rate > 0)
		clear_state(s);
}

static void sat_destroy(mxd_fx *fx)
{
	if (!fx)
		return;
	free_state((sat_fx *)fx);
	free(fx);
}

const mxd_fx_class mxd_fx_saturation_class = {
	.name = "saturation",
	.summary = "Oversampled (8x) saturation: tape, tube, softclip, hardclip curves",
	.params = params,
	.n_params = sizeof params / sizeof params[0],
	.n_slots = N_SLOTS,
	.create = sat_create,
	.activate = sat_activate,
	.set_param = sat_set_param,
	.run = sat_run,
	.latency = sat_latency,
	.reset = sat_reset,
	.destroy = sat_destroy,
};
