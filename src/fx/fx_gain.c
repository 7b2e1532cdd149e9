/* mixdown — `gain`: a smoothed volume change.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * gain: dB, [-144, +24], default 0, automatable. The linear factor
 * 10^(dB/20) ramps linearly over MXD_SMOOTH_MS (20 ms) after every change.
 * Settled at 0 dB the processor does not touch the samples (bit-exact).
 * No signal state, so NaN/Inf input only affects the samples that carry it.
 */
#include <math.h>
#include <stdlib.h>

#include "dsp/smooth.h"
#include "fx/processor.h"

enum { P_GAIN, N_SLOTS };

static const mxd_param params[] = {
	{ .name = "gain", .kind = MXD_PARAM_NUMBER, .unit = "dB", .min = -144.0, .max = 24.0,
	  .def = 0.0, .automatable = true, .help = "Gain change in dB (smoothed over 20 ms)",
	  .first_slot = P_GAIN },
};

typedef struct {
	mxd_fx base;
	double gain_db;
	double rate;        /* 0 until activate() */
	uint32_t channels;
	mxd_smooth g;       /* linear gain */
} gain_fx;

static mxd_fx *gain_create(const mxd_fx_class *cls)
{
	gain_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	mxd_smooth_init(&s->g, 0, MXD_SMOOTH_MS, 1.0);
	return &s->base;
}

static int gain_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	gain_fx *s = (gain_fx *)fx;
	(void)max_block;
	s->rate = rate;
	s->channels = channels;
	mxd_smooth_init(&s->g, rate, MXD_SMOOTH_MS, pow(10.0, s->gain_db / 20.0));
	return 0;
}

static void gain_set_param(mxd_fx *fx, size_t slot, double v)
{
	gain_fx *s = (gain_fx *)fx;
	const mxd_param *p = &params[P_GAIN];
	if (slot != P_GAIN || isnan(v))
		return;
	s->gain_db = v < p->min ? p->min : v > p->max ? p->max : v;
	mxd_smooth_set(&s->g, pow(10.0, s->gain_db / 20.0));
	if (s->rate <= 0)
		mxd_smooth_snap(&s->g);
}

static void gain_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	gain_fx *s = (gain_fx *)fx;
	(void)sc;
	mxd_smooth_apply_gain(&s->g, io, s->channels, n);
}

static uint32_t gain_latency(const mxd_fx *fx)
{
	(void)fx;
	return 0;
}

static void gain_reset(mxd_fx *fx)
{
	mxd_smooth_snap(&((gain_fx *)fx)->g);
}

static void gain_destroy(mxd_fx *fx)
{
	free(fx);
}

const mxd_fx_class mxd_fx_gain_class = {
	.name = "gain",
	.summary = "Volume change in dB, smoothed",
	.params = params,
	.n_params = sizeof params / sizeof params[0],
	.n_slots = N_SLOTS,
	.create = gain_create,
	.activate = gain_activate,
	.set_param = gain_set_param,
	.run = gain_run,
	.latency = gain_latency,
	.reset = gain_reset,
	.destroy = gain_destroy,
};
