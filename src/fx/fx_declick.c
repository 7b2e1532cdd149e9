/* mixdown — `declick`: finds impulsive clicks by the residual of a
 * linear-prediction (AR) model and repairs them by least-squares AR
 * interpolation across the click.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Parameters (session keys; not automatable: they change what counts as a
 * click, which is decided per analysis window):
 *   sensitivity  [0, 1], default 0.5: the residual threshold is
 *                12 - 8 * sensitivity robust standard deviations (8 at the
 *                default, 4 at 1: more clicks, more false ones).
 *   max_length   ms, [0.1, 5], default 1: longer events are left alone
 *                (transients of the music, not clicks).
 *
 * Method (S. Godsill, P. Rayner, "Digital Audio Restoration", Springer 1998,
 * ch. 5): per channel, windows of 1024 new samples with enough history and
 * lookahead around them (each MXD_CLICK_ORDER + max length + 16 samples)
 * get an AR(20) model (autocorrelation method, Hann window); samples whose
 * prediction residual exceeds the threshold start a click, the backward
 * residual finds its end; the click (one sample of margin each side) is
 * replaced by the least-squares AR interpolation (A. Janssen, R. Veldhuis,
 * L. Vries, IEEE Trans. ASSP 34(2), 1986). The detection core is shared with
 * mxd_click_scan() (src/edit/repair_dsp.c), which reports the same clicks.
 *
 * Latency: 1024 + 20 + ceil(5 ms * rate) + 16 frames (1300 at 48 kHz),
 * fixed per rate (independent of the parameters, so PDC never moves).
 * Without clicks the output is the input delayed, bit for bit.
 * Threads: see processor.h (run() is real-time safe; all memory comes from
 * activate()).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "edit/repair_dsp.h"
#include "fx/processor.h"

#define HOP 1024u
#define MARGIN 1u
#define MAX_SPANS 64

enum { P_SENSITIVITY, P_MAX_LENGTH, N_SLOTS };

static const mxd_param params[] = {
	{ .name = "sensitivity", .kind = MXD_PARAM_NUMBER, .unit = "", .min = 0, .max = 1, .def = 0.5,
	  .help = "Click threshold: 12 - 8 x sensitivity robust sigmas of the AR residual",
	  .first_slot = P_SENSITIVITY },
	{ .name = "max_length", .kind = MXD_PARAM_NUMBER, .unit = "ms", .min = 0.1, .max = MXD_CLICK_MAX_MS, .def = MXD_CLICK_DEFAULT_MS,
	  .help = "Longest event treated as a click", .first_slot = P_MAX_LENGTH },
};

typedef struct {
	mxd_fx base;
	double v[N_SLOTS];
	double rate;
	uint32_t ctx, max_len;
	mxd_rp_framer fr;
	mxd_ar_work ar;
	mxd_click_span spans[MAX_SPANS];
} declick_fx;

static uint32_t context_of(double rate)
{
	return MXD_CLICK_ORDER + (uint32_t)ceil(MXD_CLICK_MAX_MS * 1e-3 * rate) + 16;
}

static void update_len(declick_fx *s)
{
	if (s->rate > 0)
		s->max_len = (uint32_t)fmax(1.0, round(s->v[P_MAX_LENGTH] * 1e-3 * s->rate));
}

static mxd_fx *declick_create(const mxd_fx_class *cls)
{
	declick_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	for (size_t i = 0; i < N_SLOTS; i++)
		s->v[i] = params[i].def;
	return &s->base;
}

static void declick_destroy(mxd_fx *fx)
{
	declick_fx *s = (declick_fx *)fx;
	if (!s)
		return;
	mxd_rp_framer_free(&s->fr);
	mxd_ar_work_free(&s->ar);
	free(s);
}

static int declick_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	declick_fx *s = (declick_fx *)fx;
	(void)max_block;
	mxd_rp_framer_free(&s->fr);
	mxd_ar_work_free(&s->ar);
	s->rate = rate;
	s->ctx = context_of(rate);
	update_len(s);
	if (mxd_rp_framer_init(&s->fr, s->ctx, HOP, s->ctx, channels) != 0 ||
	    mxd_ar_work_init(&s->ar, s->fr.win, MXD_CLICK_ORDER, s->ctx) != 0)
		return -1;
	return 0;
}

static void declick_set_param(mxd_fx *fx, size_t slot, double v)
{
	declick_fx *s = (declick_fx *)fx;
	if (slot >= N_SLOTS || isnan(v))
		return;
	s->v[slot] = v < params[slot].min ? params[slot].min : v > params[slot].max ? params[slot].max : v;
	update_len(s);
}

static void repair_window(void *ctx, uint32_t ch, double *x, uint32_t n, uint32_t from, uint32_t to)
{
	declick_fx *s = ctx;
	(void)ch;
	size_t found = mxd_click_detect(&s->ar, x, n, from, to, mxd_click_k(s->v[P_SENSITIVITY]), s->max_len,
					s->spans, MAX_SPANS);
	for (size_t i = 0; i < found; i++) {
		uint32_t a = s->spans[i].start > MARGIN ? s->spans[i].start - MARGIN : 0;
		mxd_ar_interpolate(&s->ar, x, n, a, s->spans[i].len + 2 * MARGIN, NULL);
	}
}

static void declick_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	declick_fx *s = (declick_fx *)fx;
	(void)sc;
	mxd_rp_framer_run(&s->fr, io, n, repair_window, s);
}

static uint32_t declick_latency(const mxd_fx *fx)
{
	const declick_fx *s = (const declick_fx *)fx;
	return s->fr.hop + s->fr.post;
}

static void declick_reset(mxd_fx *fx)
{
	mxd_rp_framer_reset(&((declick_fx *)fx)->fr);
}

const mxd_fx_class mxd_fx_declick_class = {
	.name = "declick",
	.summary = "De-click: AR-residual click detection, least-squares AR interpolation (lookahead)",
	.params = params,
	.n_params = sizeof params / sizeof params[0],
	.n_slots = N_SLOTS,
	.create = declick_create,
	.activate = declick_activate,
	.set_param = declick_set_param,
	.run = declick_run,
	.latency = declick_latency,
	.reset = declick_reset,
	.destroy = declick_destroy,
};
