/* mixdown — `pan`: pan / balance as an insert.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * pan: [-1, 1] (-1 hard left), default 0, automatable.
 * law: enum "0", "-3", "-4.5", "-6" (dB at the centre), default "-3". The
 *      law gains gL(p), gR(p) are those of the strip panner
 *      (src/graph/panner.h, mxd_pan_gains):
 *        -3 dB  : gL = cos θ, gR = sin θ, θ = (p + 1) π/4 (constant power)
 *        -6 dB  : gL = (1 - p)/2, gR = (1 + p)/2 (constant amplitude)
 *        -4.5 dB: gL = sqrt(cos θ (1 - p)/2), likewise R
 *         0 dB  : gL = min(1, 1 - p), gR = min(1, 1 + p)
 * An insert sees the strip's channels, so it can only re-weight them:
 *   2 (or more) channels: balance of the stereo pair (channels 1 and 2) by
 *      the law normalised to unity at the centre: L *= gL(p)/gL(0),
 *      R *= gR(p)/gR(0). With law 0 this is the strip's balance (near side
 *      unity, far side 1 - |p|). Other channels pass unchanged.
 *   1 channel: the level the source would have in a mono fold-down (L + R)
 *      of the pan, relative to the centre: x *= (gL(p) + gR(p))/(gL(0) + gR(0)).
 *      (Constant for the -6 dB law; -3 dB at the sides for the -3 dB law.)
 * Gains ramp linearly over 20 ms after a change (pan or law); settled at
 * unity a channel is not touched (bit-exact at pan 0). No state, latency 0;
 * NaN/Inf only affect the samples that carry them.
 * Threads: set_param/reset on the control thread, run() on the audio thread.
 */
#include <math.h>
#include <stdlib.h>

#include "dsp/smooth.h"
#include "fx/processor.h"
#include "graph/panner.h"

enum { P_PAN, P_LAW, N_SLOTS };

static const char *const law_names[] = { "0", "-3", "-4.5", "-6", NULL };
static const double law_db[] = { 0.0, -3.0, -4.5, -6.0 };

static const mxd_param params[] = {
	{ .name = "pan", .kind = MXD_PARAM_NUMBER, .unit = "", .min = -1, .max = 1, .def = 0,
	  .automatable = true, .help = "Position from -1 (left) to +1 (right)", .first_slot = P_PAN },
	{ .name = "law", .kind = MXD_PARAM_ENUM, .unit = "dB", .max = 3, .def = 1, .choices = law_names,
	  .help = "Pan law: level at the centre, 0, -3, -4.5 or -6 dB", .first_slot = P_LAW },
};

typedef struct {
	mxd_fx base;
	double pan;
	int law;
	double rate;
	uint32_t channels;
	mxd_smooth gl, gr;
} pan_fx;

/* Insert gains for (pan, law) on `channels` channels (see the header). */
static void insert_gains(double pan, int law, uint32_t channels, double *l, double *r)
{
	double gl, gr, cl, cr;
	mxd_pan_gains(pan, law_db[law], &gl, &gr);
	mxd_pan_gains(0.0, law_db[law], &cl, &cr);
	if (channels >= 2) {
		*l = gl / cl;
		*r = gr / cr;
	} else {
		*l = *r = (gl + gr) / (cl + cr);
	}
	if (pan == 0.0)
		*l = *r = 1.0;
}

static void retarget(pan_fx *s)
{
	double l, r;
	insert_gains(s->pan, s->law, s->channels, &l, &r);
	mxd_smooth_set(&s->gl, l);
	mxd_smooth_set(&s->gr, r);
	if (s->rate <= 0) {
		mxd_smooth_snap(&s->gl);
		mxd_smooth_snap(&s->gr);
	}
}

static mxd_fx *pan_create(const mxd_fx_class *cls)
{
	pan_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	s->law = 1;
	s->channels = 2;
	mxd_smooth_init(&s->gl, 0, MXD_SMOOTH_MS, 1.0);
	mxd_smooth_init(&s->gr, 0, MXD_SMOOTH_MS, 1.0);
	return &s->base;
}

static int pan_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	pan_fx *s = (pan_fx *)fx;
	(void)max_block;
	s->rate = rate;
	s->channels = channels;
	double l, r;
	insert_gains(s->pan, s->law, channels, &l, &r);
	mxd_smooth_init(&s->gl, rate, MXD_SMOOTH_MS, l);
	mxd_smooth_init(&s->gr, rate, MXD_SMOOTH_MS, r);
	return 0;
}

static void pan_set_param(mxd_fx *fx, size_t slot, double v)
{
	pan_fx *s = (pan_fx *)fx;
	if (slot >= N_SLOTS || isnan(v))
		return;
	const mxd_param *p = &params[slot];
	v = v < p->min ? p->min : v > p->max ? p->max : v;
	if (slot == P_PAN)
		s->pan = v;
	else
		s->law = (int)floor(v + 0.5);
	retarget(s);
}

static void pan_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	pan_fx *s = (pan_fx *)fx;
	(void)sc;
	if (s->channels == 1) {
		mxd_smooth_apply_gain(&s->gl, io, 1, n);
		mxd_smooth_advance(&s->gr, n);
		return;
	}
	mxd_smooth_apply_gain(&s->gl, io, 1, n);
	mxd_smooth_apply_gain(&s->gr, io + 1, 1, n);
}

static uint32_t pan_latency(const mxd_fx *fx)
{
	(void)fx;
	return 0;
}

static void pan_reset(mxd_fx *fx)
{
	pan_fx *s = (pan_fx *)fx;
	mxd_smooth_snap(&s->gl);
	mxd_smooth_snap(&s->gr);
}

static void pan_destroy(mxd_fx *fx)
{
	free(fx);
}

const mxd_fx_class mxd_fx_pan_class = {
	.name = "pan",
	.summary = "Pan / balance with a selectable pan law (0, -3, -4.5, -6 dB)",
	.params = params,
	.n_params = sizeof params / sizeof params[0],
	.n_slots = N_SLOTS,
	.create = pan_create,
	.activate = pan_activate,
	.set_param = pan_set_param,
	.run = pan_run,
	.latency = pan_latency,
	.reset = pan_reset,
	.destroy = pan_destroy,
};
