/* mixdown — `polarity`: invert the signal.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * invert: bool, default true, automatable. Settled, the output is exactly -x
 * (inverted) or exactly x (not inverted). A change during a render ramps the
 * factor linearly between +1 and -1 over MXD_SMOOTH_MS (20 ms) instead of
 * jumping, so toggling never clicks.
 */
#include <math.h>
#include <stdlib.h>

#include "dsp/smooth.h"
#include "fx/processor.h"

enum { P_INVERT, N_SLOTS };

static const mxd_param params[] = {
	{ .name = "invert", .kind = MXD_PARAM_BOOL, .def = 1.0, .max = 1.0, .unit = "",
	  .automatable = true, .help = "Invert the polarity of every channel",
	  .first_slot = P_INVERT },
};

typedef struct {
	mxd_fx base;
	bool invert;
	double rate; /* 0 until activate() */
	uint32_t channels;
	mxd_smooth g; /* +1 or -1 */
} polarity_fx;

static mxd_fx *polarity_create(const mxd_fx_class *cls)
{
	polarity_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	s->invert = true;
	mxd_smooth_init(&s->g, 0, MXD_SMOOTH_MS, -1.0);
	return &s->base;
}

static int polarity_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	polarity_fx *s = (polarity_fx *)fx;
	(void)max_block;
	s->rate = rate;
	s->channels = channels;
	mxd_smooth_init(&s->g, rate, MXD_SMOOTH_MS, s->invert ? -1.0 : 1.0);
	return 0;
}

static void polarity_set_param(mxd_fx *fx, size_t slot, double v)
{
	polarity_fx *s = (polarity_fx *)fx;
	if (slot != P_INVERT || isnan(v))
		return;
	s->invert = v >= 0.5;
	mxd_smooth_set(&s->g, s->invert ? -1.0 : 1.0);
	if (s->rate <= 0)
		mxd_smooth_snap(&s->g);
}

static void polarity_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	polarity_fx *s = (polarity_fx *)fx;
	(void)sc;
	mxd_smooth_apply_gain(&s->g, io, s->channels, n);
}

static uint32_t polarity_latency(const mxd_fx *fx)
{
	(void)fx;
	return 0;
}

static void polarity_reset(mxd_fx *fx)
{
	mxd_smooth_snap(&((polarity_fx *)fx)->g);
}

static void polarity_destroy(mxd_fx *fx)
{
	free(fx);
}

const mxd_fx_class mxd_fx_polarity_class = {
	.name = "polarity",
	.summary = "Polarity (phase) inversion",
	.params = params,
	.n_params = sizeof params / sizeof params[0],
	.n_slots = N_SLOTS,
	.create = polarity_create,
	.activate = polarity_activate,
	.set_param = polarity_set_param,
	.run = polarity_run,
	.latency = polarity_latency,
	.reset = polarity_reset,
	.destroy = polarity_destroy,
};
