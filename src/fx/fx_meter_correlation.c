/* mixdown — `correlation_meter`: phase correlation, width and balance of channels 1 and 2.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The audio passes through untouched (run() never writes to io): bit-exact,
 * latency 0. The meter follows the mean squares LL, RR and the cross term LR
 * of channels 0 and 1 (the front pair of a surround strip; a mono strip is
 * read as the same signal on both sides) with one-pole averages of time
 * constant `integration` (exponential integration, 63 % of a step after
 * that time; coefficient 1 - exp(-1 / (tau fs))). Readings (fx/meter.h),
 * published at the end of every run(), with the definitions the file
 * analyzer uses (src/analysis/stereo.c, docs/analysis-json.md):
 *   correlation  LR / sqrt(LL RR), -1 .. +1: the zero-lag, unweighted phase
 *                correlation meter quantity (+1 mono, 0 unrelated, -1
 *                inverted); 0 when either side is silent.
 *   width        side/mid energy ratio S^2 / M^2 with M = (L+R)/2,
 *                S = (L-R)/2: 0 for mono, 1 for unrelated equal channels,
 *                INFINITY when the mid is exactly silent (an inverted pair),
 *                0 when both sides are silent.
 *   balance_db   dB, 10 log10(LL / RR): positive when the left is louder;
 *                +-INFINITY when one side is silent, 0 when both are.
 * "Silent" means a mean square below 1e-20 (-200 dBFS).
 *
 * Parameter: integration  ms, [10, 3000], default 300, not automatable (it
 * only shapes the readings; a change takes effect at the next run()).
 * Robustness: non-finite input samples are read as silence; averages below
 * 1e-30 are flushed to zero at the end of each run(), so silence leaves no
 * subnormals. Threads: see processor.h; readings from any thread.
 */
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "fx/meter.h"
#include "fx/processor.h"

enum { P_TIME, N_SLOTS };

#define SILENT 1e-20

static const mxd_param params[] = {
	{ .name = "integration", .kind = MXD_PARAM_NUMBER, .unit = "ms", .min = 10.0, .max = 3000.0, .def = 300.0,
	  .help = "Time constant of the exponential averaging", .first_slot = P_TIME },
};

typedef struct {
	mxd_fx base;
	mxd_meter_value corr, width, balance;
	double time_ms;
	double rate;     /* 0 until activate() */
	uint32_t channels;
	double k;        /* one-pole coefficient */
	double ll, rr, lr;
} corr_fx;

static const mxd_meter meters[] = {
	{ .name = "correlation", .unit = "", .help = "Phase correlation of channels 1 and 2, -1 .. +1 (0 when silent)",
	  .offset = offsetof(corr_fx, corr) },
	{ .name = "width", .unit = "", .help = "Side/mid energy ratio (0 mono, 1 unrelated channels)",
	  .offset = offsetof(corr_fx, width) },
	{ .name = "balance_db", .unit = "dB", .help = "Left over right energy (positive: left louder)",
	  .offset = offsetof(corr_fx, balance) },
};

static void publish(corr_fx *s)
{
	double ll = s->ll, rr = s->rr, lr = s->lr;
	bool lq = ll < SILENT, rq = rr < SILENT;
	double c = 0, w = 0, b = 0;
	if (!lq && !rq) {
		c = lr / sqrt(ll * rr);
		c = c > 1 ? 1 : c < -1 ? -1 : c;
		b = 10.0 * log10(ll / rr);
	} else if (!lq || !rq) {
		b = lq ? -INFINITY : INFINITY;
	}
	if (!lq || !rq) {
		double mid = 0.25 * (ll + rr + 2 * lr), side = 0.25 * (ll + rr - 2 * lr);
		if (side < 0)
			side = 0;
		w = mid > 0 ? side / mid : INFINITY;
	}
	mxd_meter_store(&s->corr, c);
	mxd_meter_store(&s->width, w);
	mxd_meter_store(&s->balance, b);
}

static void derive(corr_fx *s)
{
	if (s->rate > 0)
		s->k = 1.0 - exp(-1.0 / (s->time_ms * 1e-3 * s->rate));
}

static mxd_fx *corr_create(const mxd_fx_class *cls)
{
	corr_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	s->time_ms = params[P_TIME].def;
	publish(s);
	return &s->base;
}

static int corr_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	corr_fx *s = (corr_fx *)fx;
	(void)max_block;
	s->rate = rate;
	s->channels = channels;
	derive(s);
	s->ll = s->rr = s->lr = 0;
	publish(s);
	return 0;
}

static void corr_set_param(mxd_fx *fx, size_t slot, double v)
{
	corr_fx *s = (corr_fx *)fx;
	const mxd_param *p = &params[P_TIME];
	if (slot != P_TIME || isnan(v))
		return;
	s->time_ms = v < p->min ? p->min : v > p->max ? p->max : v;
	derive(s);
}

static inline double clean(float x)
{
	return fabsf(x) <= FLT_MAX ? x : 0.0; /* non-finite = silence */
}

static inline double flush(double x)
{
	return fabs(x) < 1e-30 ? 0.0 : x;
}

static void corr_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	corr_fx *s = (corr_fx *)fx;
	(void)sc;
	const float *L = io[0], *R = s->channels > 1 ? io[1] : io[0];
	double ll = s->ll, rr = s->rr, lr = s->lr, k = s->k;
	for (uint32_t i = 0; i < n; i++) {
		double l = clean(L[i]), r = clean(R[i]);
		ll += k * (l * l - ll);
		rr += k * (r * r - rr);
		lr += k * (l * r - lr);
	}
	s->ll = flush(ll);
	s->rr = flush(rr);
	s->lr = flush(lr);
	publish(s);
}

static uint32_t corr_latency(const mxd_fx *fx)
{
	(void)fx;
	return 0;
}

static void corr_reset(mxd_fx *fx)
{
	corr_fx *s = (corr_fx *)fx;
	s->ll = s->rr = s->lr = 0;
	publish(s);
}

static void corr_destroy(mxd_fx *fx)
{
	free(fx);
}

const mxd_fx_class mxd_fx_correlation_meter_class = {
	.name = "correlation_meter",
	.summary = "Stereo meter: phase correlation, width, balance; audio passes untouched",
	.params = params,
	.n_params = sizeof params / sizeof params[0],
	.n_slots = N_SLOTS,
	.meters = meters,
	.n_meters = sizeof meters / sizeof meters[0],
	.create = corr_create,
	.activate = corr_activate,
	.set_param = corr_set_param,
	.run = corr_run,
	.latency = corr_latency,
	.reset = corr_reset,
	.destroy = corr_destroy,
};
