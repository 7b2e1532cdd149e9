/* mixdown — loudness of a streamed file: ITU-R BS.1770-5 / EBU R 128.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The fast meter (fastloud.h) does the K-weighting, channel weighting,
 * gating (integrated loudness, BS.1770-5 §2: 400 ms blocks, 75 % overlap,
 * -70 LUFS absolute and -10 LU relative gates) and true peak (BS.1770-5
 * Annex 2, 4x oversampling at every rate: from 96 kHz on libebur128 drops to
 * 2x, which under-reads a fs/4 burst by up to 0.5 dB, the bound
 * 20 log10(cos(pi f_norm / n)) of the Annex); it agrees with libebur128 to
 * rounding (tests/test_fastloud.c) at a fraction of its cost. On top of it,
 * every 10 ms this module reads the mean squares of the last 10 ms, 400 ms
 * and 3 s, so:
 *  - momentary loudness (400 ms) and short-term loudness (3 s) are evaluated
 *    every 10 ms as exact window sums (EBU Tech 3341: "M", "S"; case 13 needs
 *    this 100 Hz cadence); windows reaching before the start count silence;
 *  - the loudness range follows EBU Tech 3342: short-term values every 100 ms
 *    (from 3 s on), absolute gate -70 LUFS, relative gate -20 LU below the
 *    power mean of the absolute-gated values, LRA = P95 - P10 with the index
 *    round((n-1)*p/100 + 1) of the sorted list;
 *  - the peak of every 10 ms block locates inter-sample overs (> 0 dBTP) and
 *    gives the PSR (peak of the last 3 s minus short-term loudness).
 * Channel weights (BS.1770-5 Table 3, mxd_fl_channel_weights, or a file's
 * layout through mxd_loud_set_weights): LFE unused, speakers at ear height
 * and 60-120 degrees weighted 1.41 (+1.5 dB).
 *
 * Units: mean squares inside; LUFS/LU/dBTP/dBFS in the result. Ownership: the
 * series and range arrays move into the mixdown_analysis. Threads: one state
 * per thread.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"

int mxd_dvec_push(mxd_dvec *d, double x)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 256;
		double *v = realloc(d->v, cap * sizeof *v);
		if (!v)
			return -1;
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n++] = x;
	return 0;
}

int mxd_ranges_add(mxd_ranges *r, double start, double end, uint32_t mask, uint64_t count, double peak,
		   int peak_is_max)
{
	if (r->n > 0) {
		mixdown_analysis_range *last = &r->v[r->n - 1];
		if (start - last->end <= r->gap) {
			if (end > last->end)
				last->end = end;
			last->channel_mask |= mask;
			last->count += count;
			if (peak_is_max && peak > last->peak)
				last->peak = peak;
			return 0;
		}
	}
	if (r->n >= MXD_ANA_MAX_RANGES)
		return 0; /* capped: the totals still count every event */
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		mixdown_analysis_range *v = realloc(r->v, cap * sizeof *v);
		if (!v)
			return -1;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = (mixdown_analysis_range){ start, end, mask, count, peak };
	return 0;
}

double mxd_lufs(double ms)
{
	return ms > 0 ? -0.691 + 10.0 * log10(ms) : -INFINITY;
}

int mxd_loud_init(mxd_loud *l, double rate, uint32_t channels, bool true_peak, double series_interval)
{
	memset(l, 0, sizeof *l);
	l->rate = rate;
	l->channels = channels;
	l->true_peak = true_peak;
	l->step = (uint32_t)((unsigned long)rate * 10UL / 1000UL); /* as ebur128_loudness_window counts */
	if (l->step == 0)
		return -1;
	l->psr_min = INFINITY;
	l->overs.gap = 0.1;
	double sb = floor(series_interval / 0.01 + 0.5);
	l->series_blocks = sb < 1 ? 1 : (uint32_t)sb;
	if (mxd_fl_init(&l->fl, rate, channels, NULL, true_peak))
		return -1;
	l->has_fl = true;
	if (channels >= 2) {
		static const double dual_mono = 2.0; /* the fold on both speakers (libebur128's DUAL_MONO) */
		l->mono_buf = malloc(l->step * sizeof *l->mono_buf);
		if (!l->mono_buf || mxd_fl_init(&l->mono, rate, 1, &dual_mono, false))
			return -1;
		l->has_mono = true;
	}
	return 0;
}

void mxd_loud_set_weights(mxd_loud *l, const double *w)
{
	memcpy(l->fl.weight, w, l->channels * sizeof *l->fl.weight);
}

int mxd_loud_add(mxd_loud *l, const float *x, size_t frames)
{
	if (mxd_fl_add(&l->fl, x, frames))
		return -1;
	for (uint32_t c = 0; c < l->channels; c++) {
		double p = l->fl.sp_call[c];
		if (l->true_peak && l->fl.tp_call[c] > p)
			p = l->fl.tp_call[c];
		if (p > l->blk_peak)
			l->blk_peak = p;
		if (l->true_peak && p > 1.0)
			l->blk_over_mask |= 1u << (c < 31 ? c : 31);
	}
	if (l->has_mono) {
		const uint32_t ch = l->channels;
		for (size_t i = 0; i < frames; i++)
			l->mono_buf[i] = 0.5f * (x[i * ch] + x[i * ch + 1]);
		if (mxd_fl_add(&l->mono, l->mono_buf, frames))
			return -1;
	}
	return 0;
}

int mxd_loud_block_end(mxd_loud *l)
{
	/* The fast meter closed the same 10 ms block in the last add. */
	if (l->fl.blocks != l->blocks + 1)
		return -1;
	size_t slot = l->blocks % MXD_ANA_ST_BLOCKS;
	l->tp_ring[slot] = l->blk_peak;
	l->blocks++;
	double m = l->fl.m, s = l->fl.s;
	if (m > l->m_max)
		l->m_max = m;
	if (s > l->s_max)
		l->s_max = s;
	double t1 = (double)l->blocks * l->step / l->rate;
	if (l->blk_over_mask &&
	    mxd_ranges_add(&l->overs, t1 - l->step / l->rate, t1, l->blk_over_mask, 1, 20.0 * log10(l->blk_peak), 1))
		return -1;
	if (l->blk_over_mask)
		l->over_blocks++;
	if (l->blocks % 10 == 0 && l->blocks >= MXD_ANA_ST_BLOCKS) {
		if (mxd_dvec_push(&l->st100, s))
			return -1;
		double sl = mxd_lufs(s);
		if (sl > -70.0) {
			double pk = 0;
			for (size_t k = 0; k < MXD_ANA_ST_BLOCKS; k++)
				if (l->tp_ring[k] > pk)
					pk = l->tp_ring[k];
			double psr = 20.0 * log10(pk) - sl;
			if (psr < l->psr_min)
				l->psr_min = psr;
		}
	}
	if (l->blocks % l->series_blocks == 0)
		if (mxd_dvec_push(&l->ser_m, mxd_lufs(m)) || mxd_dvec_push(&l->ser_s, mxd_lufs(s)))
			return -1;
	l->blk_peak = 0;
	l->blk_over_mask = 0;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double mxd_lra(double *ms, size_t n)
{
	/* EBU Tech 3342: absolute gate -70 LUFS, relative gate -20 LU. */
	const double abs_gate = pow(10.0, (-70.0 + 0.691) / 10.0);
	size_t k = 0;
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		if (ms[i] >= abs_gate) {
			ms[k++] = ms[i];
			sum += ms[i];
		}
	if (k == 0)
		return 0.0;
	double rel_gate = sum / (double)k * pow(10.0, -20.0 / 10.0);
	size_t m = 0;
	for (size_t i = 0; i < k; i++)
		if (ms[i] >= rel_gate)
			ms[m++] = ms[i];
	if (m == 0)
		return 0.0;
	qsort(ms, m, sizeof *ms, cmp_double);
	/* 1-based index round((n-1)*p/100 + 1). */
	size_t i10 = (size_t)floor((double)(m - 1) * 0.10 + 1.0 + 0.5) - 1;
	size_t i95 = (size_t)floor((double)(m - 1) * 0.95 + 1.0 + 0.5) - 1;
	return mxd_lufs(ms[i95]) - mxd_lufs(ms[i10]);
}

void mxd_loud_finish(mxd_loud *l, mixdown_analysis *a)
{
	a->loudness.integrated = mxd_fl_integrated(&l->fl);
	double *tmp = l->st100.n ? malloc(l->st100.n * sizeof *tmp) : NULL;
	a->loudness.range = 0.0;
	if (tmp) {
		memcpy(tmp, l->st100.v, l->st100.n * sizeof *tmp);
		a->loudness.range = mxd_lra(tmp, l->st100.n);
		free(tmp);
	}
	a->loudness.momentary_max = mxd_lufs(l->m_max);
	a->loudness.short_term_max = mxd_lufs(l->s_max);
	double tp = mxd_fl_true_peak(&l->fl), sp = mxd_fl_sample_peak(&l->fl);
	a->loudness.true_peak = l->true_peak && tp > 0 ? 20.0 * log10(tp) : -INFINITY;
	a->loudness.sample_peak = sp > 0 ? 20.0 * log10(sp) : -INFINITY;
	a->dynamics.psr_min = isfinite(l->psr_min) ? l->psr_min : -INFINITY;
	a->series.interval = l->series_blocks * (double)l->step / l->rate;
	a->series.n = l->ser_m.n;
	a->series.momentary = l->ser_m.v;
	a->series.short_term = l->ser_s.v;
	l->ser_m = (mxd_dvec){ 0 };
	l->ser_s = (mxd_dvec){ 0 };
	a->problems.overs = l->over_blocks;
	a->problems.n_overs = l->overs.n;
	a->problems.overs_at = l->overs.v;
	l->overs.v = NULL;
	l->overs.n = l->overs.cap = 0;
	a->stereo.mono_loudness = -INFINITY;
	if (l->has_mono)
		a->stereo.mono_loudness = mxd_fl_integrated(&l->mono);
}

void mxd_loud_free(mxd_loud *l)
{
	if (l->has_fl)
		mxd_fl_free(&l->fl);
	if (l->has_mono)
		mxd_fl_free(&l->mono);
	free(l->mono_buf);
	free(l->st100.v);
	free(l->ser_m.v);
	free(l->ser_s.v);
	free(l->overs.v);
	memset(l, 0, sizeof *l);
}
