/* mixdown — LR4 crossover networks with allpass compensation (see crossover.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dsp/crossover.h"

#include <math.h>

#define BUTTERWORTH_Q 0.70710678118654752
#define FLUSH_LEVEL 1e-30

void mxd_xover_design(mxd_xover *x, double sample_rate, uint32_t bands, const double *fc)
{
	if (bands < 2)
		bands = 2;
	if (bands > MXD_XO_MAX_BANDS)
		bands = MXD_XO_MAX_BANDS;
	x->bands = bands;
	double prev = 0.0, hi = 0.45 * sample_rate;
	for (uint32_t i = 0; i + 1 < bands; i++) {
		double f = fc[i];
		if (!(f >= 10.0)) /* also NaN */
			f = 10.0;
		if (f < 1.01 * prev)
			f = 1.01 * prev;
		if (f > hi)
			f = hi;
		x->fc[i] = prev = f;
		mxd_biquad_design(&x->lp[i], MXD_BQ_LOWPASS, sample_rate, f, BUTTERWORTH_Q, 0.0);
		mxd_biquad_design(&x->hp[i], MXD_BQ_HIGHPASS, sample_rate, f, BUTTERWORTH_Q, 0.0);
		mxd_biquad_design_allpass(&x->ap[i], sample_rate, f, BUTTERWORTH_Q);
	}
}

static inline double sec(const mxd_biquad *k, mxd_bq_state *s, double x)
{
	double y = k->b0 * x + s->s1;
	s->s1 = k->b1 * x - k->a1 * y + s->s2;
	s->s2 = k->b2 * x - k->a2 * y;
	return y;
}

void mxd_xover_split(const mxd_xover *x, mxd_xover_state *st, double in, double *out)
{
	const uint32_t nb = x->bands;
	double rest = in;
	for (uint32_t i = 0; i + 1 < nb; i++) {
		double lo = sec(&x->lp[i], &st->lp[i][0], rest);
		out[i] = sec(&x->lp[i], &st->lp[i][1], lo);
		double h = sec(&x->hp[i], &st->hp[i][0], rest);
		rest = sec(&x->hp[i], &st->hp[i][1], h);
	}
	out[nb - 1] = rest;
	for (uint32_t b = 0; b + 2 < nb; b++)
		for (uint32_t j = b + 1; j + 1 < nb; j++)
			out[b] = sec(&x->ap[j], &st->ap[b][j], out[b]);
}

static void check(mxd_bq_state *s, int *bad)
{
	if (!isfinite(s->s1) || !isfinite(s->s2))
		*bad = 1;
	if (fabs(s->s1) < FLUSH_LEVEL)
		s->s1 = 0.0;
	if (fabs(s->s2) < FLUSH_LEVEL)
		s->s2 = 0.0;
}

void mxd_xover_check(mxd_xover_state *st)
{
	int bad = 0;
	for (int i = 0; i < MXD_XO_MAX_BANDS - 1; i++) {
		check(&st->lp[i][0], &bad);
		check(&st->lp[i][1], &bad);
		check(&st->hp[i][0], &bad);
		check(&st->hp[i][1], &bad);
	}
	for (int b = 0; b < MXD_XO_MAX_BANDS; b++)
		for (int j = 0; j < MXD_XO_MAX_BANDS - 1; j++)
			check(&st->ap[b][j], &bad);
	if (bad) /* one NaN anywhere poisons the sum: start the whole network clean */
		*st = (mxd_xover_state){ 0 };
}
