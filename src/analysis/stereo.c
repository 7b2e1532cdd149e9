/* mixdown — stereo image of a streamed file: correlation, width, balance, mono fold.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Uses channels 0 and 1 (L, R; the front pair of a surround file).
 *  - Correlation: sum(L R) / sqrt(sum(L^2) sum(R^2)), -1..+1 (the
 *    "phase correlation meter" quantity, unweighted, zero-lag), for the
 *    whole file and for every series interval (0 when a side is silent).
 *  - Width: side/mid energy ratio sum(S^2)/sum(M^2) with M = (L+R)/2,
 *    S = (L-R)/2: 0 for mono, 1 for uncorrelated equal channels, infinite
 *    for a pure out-of-phase pair.
 *  - Balance: 10 log10(sum(L^2)/sum(R^2)) dB, positive when left is louder.
 *  - Mono fold: the BS.1770 integrated loudness of (L+R)/2 played on both
 *    speakers (loudness.c keeps that libebur128 state); the drop is the
 *    programme's integrated loudness minus it, with a silent fold counted as
 *    -70 LUFS (the absolute gate), so the drop is a finite "at least" value.
 *  - Vectorscope: the (S, M) density grid, counted in vectorscope.c.
 *
 * Units: linear sums in double; dB/LU out. The correlation series moves into
 * the mixdown_analysis. One thread.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"

void mxd_stereo_init(mxd_stereo *s, uint32_t channels)
{
	memset(s, 0, sizeof *s);
	s->channels = channels;
}

void mxd_stereo_add(mxd_stereo *s, const float *x, size_t frames)
{
	const uint32_t ch = s->channels;
	if (ch < 2)
		return;
	mxd_scope_add(&s->scope, x, frames, ch);
	double ll = 0, rr = 0, lr = 0;
	for (size_t i = 0; i < frames; i++) {
		double l = x[i * ch], r = x[i * ch + 1];
		ll += l * l;
		rr += r * r;
		lr += l * r;
	}
	s->ill += ll;
	s->irr += rr;
	s->ilr += lr;
}

double mxd_correlation(double ll, double rr, double lr)
{
	if (ll <= 0 || rr <= 0)
		return 0.0;
	double c = lr / sqrt(ll * rr);
	return c > 1 ? 1 : c < -1 ? -1 : c;
}

int mxd_stereo_interval_end(mxd_stereo *s)
{
	if (s->channels < 2)
		return 0;
	s->ll += s->ill;
	s->rr += s->irr;
	s->lr += s->ilr;
	int rc = mxd_dvec_push(&s->ser_corr, mxd_correlation(s->ill, s->irr, s->ilr));
	s->ill = s->irr = s->ilr = 0;
	return rc;
}

void mxd_stereo_finish(mxd_stereo *s, const mxd_loud *l, mixdown_analysis *a)
{
	(void)l;
	a->stereo.valid = s->channels >= 2;
	mxd_scope_finish(&s->scope, a); /* vectorscope.c */
	if (!a->stereo.valid) {
		a->stereo.correlation = a->stereo.width = a->stereo.balance = a->stereo.mono_drop = 0;
		a->stereo.mono_loudness = -INFINITY;
		return;
	}
	/* The partial last interval counts in the totals but not in the series. */
	double ll = s->ll + s->ill, rr = s->rr + s->irr, lr = s->lr + s->ilr;
	a->stereo.correlation = mxd_correlation(ll, rr, lr);
	double mid = 0.25 * (ll + rr + 2 * lr), side = 0.25 * (ll + rr - 2 * lr);
	if (side < 0)
		side = 0;
	a->stereo.width = mid > 1e-300 ? side / mid : side > 0 ? INFINITY : 0.0;
	a->stereo.balance = ll > 0 && rr > 0 ? 10.0 * log10(ll / rr) : ll > 0 ? INFINITY : rr > 0 ? -INFINITY : 0.0;
	double I = a->loudness.integrated, mI = a->stereo.mono_loudness;
	a->stereo.mono_drop = isfinite(I) ? I - (isfinite(mI) && mI > -70.0 ? mI : -70.0) : 0.0;
	a->series.correlation = s->ser_corr.v;
	s->ser_corr = (mxd_dvec){ 0 };
}

void mxd_stereo_free(mxd_stereo *s)
{
	free(s->ser_corr.v);
	mxd_scope_free(&s->scope);
	memset(s, 0, sizeof *s);
}
