/* mixdown — `declip`: restores clipped samples by constrained least-squares
 * AR interpolation.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Parameters (session keys; not automatable):
 *   auto       bool, default true: find the clip level from the signal: the
 *              level of runs of >= 3 equal |x| that is also the largest |x|
 *              so far, per channel (a later, larger sample voids it). Until
 *              one is found nothing is changed.
 *   threshold  dBFS, [-30, 0], default -0.1: the clip level when auto is
 *              false; samples with |x| at or above it are clipped.
 *   max_run    ms, [0.1, 5], default 2: longer clipped runs are left alone
 *              (also at most 512 samples).
 *
 * Method: per channel, windows of 1024 new samples plus history and
 * lookahead (16 + ceil(5 ms * rate) + 16 samples each). An AR(16) model is
 * fitted by the covariance method to the unclipped samples only (the
 * prediction equations whose samples are all unclipped), each clipped run
 * is replaced by its least-squares AR interpolation (S. Godsill, P. Rayner,
 * "Digital Audio Restoration", Springer 1998, ch. 5; A. Janssen et al.,
 * IEEE Trans. ASSP 34(2), 1986) under the constraint that a restored sample
 * lies at or beyond the clip level with the clipped sample's sign (the
 * constrained LS declipping of A. Harvilla, R. Stern, "Least squares signal
 * declipping for robust speech recognition", Interspeech 2014), solved by an
 * active set: samples that come out inside the level are fixed at it and
 * the others solved again. Restored samples may exceed 0 dBFS (float).
 * Shared with mxd_clip_scan() (src/edit/repair_dsp.c: the clip tracker).
 *
 * Latency: 1024 + ceil(5 ms * rate) + 32 frames (1296 at 48 kHz). Without
 * clipping the output is the input delayed, bit for bit.
 * Threads: see processor.h (run() is real-time safe).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "edit/repair_dsp.h"
#include "fx/processor.h"

#define HOP 1024u

enum { P_AUTO, P_THRESHOLD, P_MAX_RUN, N_SLOTS };

static const mxd_param params[] = {
	{ .name = "auto", .kind = MXD_PARAM_BOOL, .unit = "", .min = 0, .max = 1, .def = 1,
	  .help = "Find the clip level (runs of >= 3 equal extreme samples)", .first_slot = P_AUTO },
	{ .name = "threshold", .kind = MXD_PARAM_NUMBER, .unit = "dBFS", .min = -30, .max = 0, .def = -0.1,
	  .help = "Clip level when auto is off", .first_slot = P_THRESHOLD },
	{ .name = "max_run", .kind = MXD_PARAM_NUMBER, .unit = "ms", .min = 0.1, .max = 5, .def = 2,
	  .help = "Longest clipped run that is restored", .first_slot = P_MAX_RUN },
};

typedef struct {
	mxd_fx base;
	double v[N_SLOTS];
	double rate;
	uint32_t max_run;
	mxd_rp_framer fr;
	mxd_ar_work ar;
	uint8_t *mask;
	mxd_clip_tracker trk[MXD_MAX_CHANNELS];
} declip_fx;

static void update_run(declip_fx *s)
{
	if (s->rate > 0)
		s->max_run = (uint32_t)fmax(1.0, round(s->v[P_MAX_RUN] * 1e-3 * s->rate));
}

static mxd_fx *declip_create(const mxd_fx_class *cls)
{
	declip_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	for (size_t i = 0; i < N_SLOTS; i++)
		s->v[i] = params[i].def;
	return &s->base;
}

static void declip_destroy(mxd_fx *fx)
{
	declip_fx *s = (declip_fx *)fx;
	if (!s)
		return;
	mxd_rp_framer_free(&s->fr);
	mxd_ar_work_free(&s->ar);
	free(s->mask);
	free(s);
}

static int declip_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	declip_fx *s = (declip_fx *)fx;
	(void)max_block;
	mxd_rp_framer_free(&s->fr);
	mxd_ar_work_free(&s->ar);
	free(s->mask);
	s->rate = rate;
	update_run(s);
	uint32_t gap = (uint32_t)ceil(5e-3 * rate) + 16, ctx = MXD_DECLIP_ORDER + gap;
	if (gap > 512)
		gap = 512;
	memset(s->trk, 0, sizeof s->trk);
	if (mxd_rp_framer_init(&s->fr, ctx, HOP, ctx, channels) != 0 ||
	    mxd_ar_work_init(&s->ar, s->fr.win, MXD_DECLIP_ORDER, gap) != 0 || !(s->mask = malloc(s->fr.win)))
		return -1;
	return 0;
}

static void declip_set_param(mxd_fx *fx, size_t slot, double v)
{
	declip_fx *s = (declip_fx *)fx;
	if (slot >= N_SLOTS || isnan(v))
		return;
	v = v < params[slot].min ? params[slot].min : v > params[slot].max ? params[slot].max : v;
	if (params[slot].kind == MXD_PARAM_BOOL)
		v = v >= 0.5 ? 1.0 : 0.0;
	s->v[slot] = v;
	update_run(s);
}

static void repair_window(void *ctx, uint32_t ch, double *x, uint32_t n, uint32_t from, uint32_t to)
{
	declip_fx *s = ctx;
	double level;
	if (s->v[P_AUTO] != 0) {
		/* The tracker sees each sample once, when it enters the lookahead. */
		for (uint32_t i = n - s->fr.hop; i < n; i++)
			mxd_clip_tracker_feed(&s->trk[ch], x[i]);
		level = s->trk[ch].level;
	} else {
		level = pow(10.0, s->v[P_THRESHOLD] / 20.0);
	}
	mxd_declip_window(&s->ar, x, s->mask, n, from, to, level, s->max_run);
}

static void declip_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	declip_fx *s = (declip_fx *)fx;
	(void)sc;
	mxd_rp_framer_run(&s->fr, io, n, repair_window, s);
}

static uint32_t declip_latency(const mxd_fx *fx)
{
	const declip_fx *s = (const declip_fx *)fx;
	return s->fr.hop + s->fr.post;
}

static void declip_reset(mxd_fx *fx)
{
	declip_fx *s = (declip_fx *)fx;
	mxd_rp_framer_reset(&s->fr);
	memset(s->trk, 0, sizeof s->trk);
}

const mxd_fx_class mxd_fx_declip_class = {
	.name = "declip",
	.summary = "De-clip: constrained least-squares AR restoration of clipped runs (auto clip level)",
	.params = params,
	.n_params = sizeof params / sizeof params[0],
	.n_slots = N_SLOTS,
	.create = declip_create,
	.activate = declip_activate,
	.set_param = declip_set_param,
	.run = declip_run,
	.latency = declip_latency,
	.reset = declip_reset,
	.destroy = declip_destroy,
};
