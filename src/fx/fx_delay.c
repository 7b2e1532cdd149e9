/* mixdown — `delay`: a plain integer-sample delay, optionally reported as latency.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * time: ms, [0, 10000], default 0. samples: integer, [0, 1e6], default 0.
 * The delay is samples + round(time * rate / 1000) frames; the first that
 * many output frames are silence. Neither is automatable: the line is
 * allocated in activate() for the delay configured then, and a later change
 * is limited to that capacity (re-activate to grow it). A change after
 * activate() crossfades from the old tap to the new one over 10 ms, so it does
 * not click.
 * latency_report: bool, default false. When true latency() returns the delay,
 * so the graph's plugin-delay compensation cancels it (this is how tests build
 * a "latent processor"); when false latency() is 0 and the delay is audible.
 *
 * NaN/Inf input is delayed like any sample and leaves the line after `delay`
 * frames (no feedback, nothing to poison).
 */
#include <math.h>
#include <stdlib.h>

#include "dsp/delay.h"
#include "dsp/smooth.h"
#include "fx/processor.h"

#define XFADE_MS 10.0

enum { P_TIME, P_SAMPLES, P_LATENCY_REPORT, N_SLOTS };

static const mxd_param params[] = {
	{ .name = "time", .kind = MXD_PARAM_NUMBER, .unit = "ms", .min = 0.0, .max = 10000.0,
	  .def = 0.0, .help = "Delay time in milliseconds (rounded to whole samples)",
	  .first_slot = P_TIME },
	{ .name = "samples", .kind = MXD_PARAM_NUMBER, .unit = "samples", .min = 0.0, .max = 1e6,
	  .def = 0.0, .integer = true, .help = "Extra delay in samples, added to time",
	  .first_slot = P_SAMPLES },
	{ .name = "latency_report", .kind = MXD_PARAM_BOOL, .unit = "", .min = 0.0, .max = 1.0,
	  .def = 0.0, .help = "Report the delay as latency so delay compensation removes it",
	  .first_slot = P_LATENCY_REPORT },
};

typedef struct {
	mxd_fx base;
	double time_ms, samples;
	bool report;
	double rate;           /* 0 until activate() */
	uint32_t channels;
	uint32_t d, d_old;     /* current delay; the one being faded out */
	mxd_smooth xf;         /* crossfade position 0 (old tap) .. 1 (new tap) */
	mxd_delay line[MXD_MAX_CHANNELS];
} delay_fx;

static uint32_t total_delay(const delay_fx *s)
{
	double d = s->samples + floor(s->time_ms * s->rate / 1000.0 + 0.5);
	uint32_t cap = mxd_delay_capacity(&s->line[0]);
	return d > (double)cap ? cap : (uint32_t)d;
}

static mxd_fx *delay_create(const mxd_fx_class *cls)
{
	delay_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	return &s->base;
}

static int delay_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	delay_fx *s = (delay_fx *)fx;
	(void)max_block;
	s->rate = rate;
	s->channels = channels;
	double want = s->samples + floor(s->time_ms * rate / 1000.0 + 0.5);
	if (!(want < 4e9))
		return -1;
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++) {
		if (c >= channels) {
			mxd_delay_free(&s->line[c]);
			continue;
		}
		if (mxd_delay_alloc(&s->line[c], (uint32_t)want) != 0)
			return -1;
	}
	s->d = s->d_old = total_delay(s);
	mxd_smooth_init(&s->xf, rate, XFADE_MS, 1.0);
	return 0;
}

static double clamp(const mxd_param *p, double v)
{
	return v < p->min ? p->min : v > p->max ? p->max : v;
}

static void delay_set_param(mxd_fx *fx, size_t slot, double v)
{
	delay_fx *s = (delay_fx *)fx;
	if (isnan(v) || slot >= N_SLOTS)
		return;
	v = clamp(&params[slot], v);
	switch (slot) {
	case P_TIME: s->time_ms = v; break;
	case P_SAMPLES: s->samples = floor(v + 0.5); break;
	default: s->report = v >= 0.5; return;
	}
	if (s->rate <= 0)
		return;
	uint32_t d = total_delay(s);
	if (d == s->d)
		return;
	/* A change during a crossfade restarts it from the newest tap. */
	s->d_old = s->d;
	s->d = d;
	s->xf.cur = 0.0;
	s->xf.target = 0.0;
	mxd_smooth_set(&s->xf, 1.0);
}

static void delay_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	delay_fx *s = (delay_fx *)fx;
	(void)sc;
	if (mxd_smooth_settled(&s->xf)) {
		for (uint32_t c = 0; c < s->channels; c++)
			mxd_delay_process(&s->line[c], io[c], n, s->d);
		return;
	}
	uint32_t m = s->xf.left < n ? s->xf.left : n;
	for (uint32_t c = 0; c < s->channels; c++) {
		mxd_delay *l = &s->line[c];
		float *x = io[c];
		for (uint32_t i = 0; i < m; i++) {
			double b = mxd_delay_tick(l, x[i], s->d);
			double a = mxd_delay_read(l, s->d_old);
			double g = mxd_smooth_at(&s->xf, i);
			x[i] = (float)(a + g * (b - a));
		}
		mxd_delay_process(l, x + m, n - m, s->d);
	}
	mxd_smooth_advance(&s->xf, m);
	if (mxd_smooth_settled(&s->xf))
		s->d_old = s->d;
}

static uint32_t delay_latency(const mxd_fx *fx)
{
	const delay_fx *s = (const delay_fx *)fx;
	return s->report ? s->d : 0;
}

static void delay_reset(mxd_fx *fx)
{
	delay_fx *s = (delay_fx *)fx;
	for (uint32_t c = 0; c < s->channels; c++)
		mxd_delay_clear(&s->line[c]);
	mxd_smooth_snap(&s->xf);
	s->d_old = s->d;
}

static void delay_destroy(mxd_fx *fx)
{
	delay_fx *s = (delay_fx *)fx;
	if (!s)
		return;
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		mxd_delay_free(&s->line[c]);
	free(s);
}

const mxd_fx_class mxd_fx_delay_class = {
	.name = "delay",
	.summary = "Integer-sample delay, optionally reported as latency",
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
