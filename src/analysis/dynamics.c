/* mixdown — dynamics of a streamed file: crest factor, PLR, PSR, DR, riding hints.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *  - Crest factor (dB): sample peak over RMS, all channels pooled.
 *  - PLR (dB): true peak (dBTP, BS.1770-5 Annex 2) minus integrated loudness
 *    (LUFS); the sample peak stands in when true peak is not measured.
 *  - PSR (dB): peak of the last 3 s minus short-term loudness, every 100 ms
 *    (loudness.c); the smallest value is reported (the densest passage).
 *  - DR: the "DR meter" value as publicly described by the Pleasurize Music
 *    Foundation (TT Dynamic Range Meter) and re-implemented from that
 *    description, not from code: per channel, 3 s blocks (a final shorter
 *    block included); block RMS = sqrt(2 * mean(x^2)) (a full-scale sine
 *    reads 0 dB); Pk2 = second-highest block peak (highest if only one block);
 *    RMS_top = sqrt(mean of RMS^2 over the loudest 20 % of blocks, at least
 *    one); DR_ch = 20 log10(Pk2 / RMS_top); DR = mean over channels. The
 *    official meter rounds to an integer and its block alignment may differ,
 *    so expect agreement within about 1 dB; we report it unrounded.
 *  - Gain-riding hints: stretches of 3 s or more whose short-term loudness
 *    (every 100 ms) is 6 LU or more above, or 10 LU or more below, the
 *    integrated loudness (and above the -70 LUFS absolute gate).
 *
 * Units: linear inside, dB/LU out. Memory: two doubles per channel per 3 s.
 * Ownership: the ride array moves into the mixdown_analysis. One thread.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"

int mxd_dyn_init(mxd_dyn *d, double rate, uint32_t channels)
{
	memset(d, 0, sizeof *d);
	d->channels = channels;
	d->rate = rate;
	d->block_len = (uint64_t)(3.0 * rate + 0.5);
	d->blk_sumsq = calloc(channels, sizeof *d->blk_sumsq);
	d->blk_peak = calloc(channels, sizeof *d->blk_peak);
	d->dr_rms2 = calloc(channels, sizeof *d->dr_rms2);
	d->dr_peak = calloc(channels, sizeof *d->dr_peak);
	return d->blk_sumsq && d->blk_peak && d->dr_rms2 && d->dr_peak ? 0 : -1;
}

static int end_block(mxd_dyn *d)
{
	for (uint32_t c = 0; c < d->channels; c++) {
		if (mxd_dvec_push(&d->dr_rms2[c], 2.0 * d->blk_sumsq[c] / (double)d->block_pos) ||
		    mxd_dvec_push(&d->dr_peak[c], d->blk_peak[c]))
			return -1;
		d->blk_sumsq[c] = 0;
		d->blk_peak[c] = 0;
	}
	d->block_pos = 0;
	return 0;
}

int mxd_dyn_add(mxd_dyn *d, const float *x, size_t frames)
{
	const uint32_t ch = d->channels;
	for (size_t i = 0; i < frames; i++) {
		for (uint32_t c = 0; c < ch; c++) {
			double v = x[i * ch + c], a = fabs(v);
			d->blk_sumsq[c] += v * v;
			if (a > d->blk_peak[c])
				d->blk_peak[c] = a;
		}
		if (++d->block_pos == d->block_len) {
			for (uint32_t c = 0; c < ch; c++) {
				d->sumsq += d->blk_sumsq[c];
				if (d->blk_peak[c] > d->peak)
					d->peak = d->blk_peak[c];
			}
			if (end_block(d))
				return -1;
		}
	}
	d->frames += frames;
	return 0;
}

static int cmp_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x < y) - (x > y);
}

static double dr_channel(mxd_dvec *rms2, mxd_dvec *peak)
{
	size_t n = rms2->n;
	if (n == 0)
		return NAN;
	qsort(rms2->v, n, sizeof(double), cmp_desc);
	qsort(peak->v, n, sizeof(double), cmp_desc);
	size_t top = (size_t)(0.2 * (double)n + 0.5);
	if (top < 1)
		top = 1;
	double s = 0;
	for (size_t i = 0; i < top; i++)
		s += rms2->v[i];
	double rms_top = sqrt(s / (double)top);
	double pk2 = n >= 2 ? peak->v[1] : peak->v[0];
	if (rms_top <= 0 || pk2 <= 0)
		return NAN;
	return 20.0 * log10(pk2 / rms_top);
}

static int ride_hints(const mxd_loud *l, mixdown_analysis *a)
{
	double I = a->loudness.integrated;
	mxd_ranges r = { .gap = 0.0 };
	if (!isfinite(I))
		goto done;
	size_t i = 0, n = l->st100.n;
	while (i < n) {
		double s = mxd_lufs(l->st100.v[i]);
		int kind = s <= -70.0 ? 0 : s - I >= 6.0 ? 1 : s - I <= -10.0 ? -1 : 0;
		if (!kind) {
			i++;
			continue;
		}
		size_t j = i;
		double sum = 0;
		for (; j < n; j++) {
			double sj = mxd_lufs(l->st100.v[j]);
			int kj = sj <= -70.0 ? 0 : sj - I >= 6.0 ? 1 : sj - I <= -10.0 ? -1 : 0;
			if (kj != kind)
				break;
			sum += sj - I;
		}
		/* st100[k] is the 3 s window ending at 3.0 + 0.1 k s; report the
		 * centres of the first and last windows. */
		double t0 = 1.5 + 0.1 * (double)i, t1 = 1.5 + 0.1 * (double)(j - 1);
		if (t1 - t0 >= 3.0 &&
		    mxd_ranges_add(&r, t0, t1, (1u << (a->channels < 31 ? a->channels : 31)) - 1u, (uint64_t)(j - i),
				   sum / (double)(j - i), 0))
			return -1;
		i = j;
	}
done:
	a->dynamics.n_ride = r.n;
	a->dynamics.ride = r.v;
	return 0;
}

int mxd_dyn_finish(mxd_dyn *d, const mxd_loud *l, mixdown_analysis *a)
{
	if (d->block_pos > 0) {
		for (uint32_t c = 0; c < d->channels; c++) {
			d->sumsq += d->blk_sumsq[c];
			if (d->blk_peak[c] > d->peak)
				d->peak = d->blk_peak[c];
		}
		if (end_block(d))
			return -1;
	}
	double n = (double)d->frames * d->channels;
	double rms = n > 0 ? sqrt(d->sumsq / n) : 0;
	a->dynamics.crest_factor = rms > 0 && d->peak > 0 ? 20.0 * log10(d->peak / rms) : -INFINITY;
	double pk = isfinite(a->loudness.true_peak) ? a->loudness.true_peak : a->loudness.sample_peak;
	a->dynamics.plr = isfinite(pk) && isfinite(a->loudness.integrated) ? pk - a->loudness.integrated : -INFINITY;
	double sum = 0;
	int cnt = 0;
	for (uint32_t c = 0; c < d->channels; c++) {
		double v = dr_channel(&d->dr_rms2[c], &d->dr_peak[c]);
		if (isfinite(v)) {
			sum += v;
			cnt++;
		}
	}
	a->dynamics.dr = cnt ? sum / cnt : -INFINITY;
	return ride_hints(l, a);
}

void mxd_dyn_free(mxd_dyn *d)
{
	for (uint32_t c = 0; d->dr_rms2 && c < d->channels; c++)
		free(d->dr_rms2[c].v);
	for (uint32_t c = 0; d->dr_peak && c < d->channels; c++)
		free(d->dr_peak[c].v);
	free(d->dr_rms2);
	free(d->dr_peak);
	free(d->blk_sumsq);
	free(d->blk_peak);
	memset(d, 0, sizeof *d);
}
