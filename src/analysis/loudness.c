/* mixdown — loudness of a streamed file: ITU-R BS.1770-5 / EBU R 128.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * libebur128 does the K-weighting, channel weighting, gating (integrated
 * loudness, BS.1770-5 §2: 400 ms blocks, 75 % overlap, -70 LUFS absolute and
 * -10 LU relative gates) and true peak (BS.1770-5 Annex 2; libebur128
 * oversamples 4x below 96 kHz, 2x below 192 kHz). On top of it, every 10 ms
 * this module reads the weighted mean square of the last 10 ms
 * (ebur128_loudness_window) and keeps the last 300 of them, so:
 *  - momentary loudness (400 ms) and short-term loudness (3 s) are evaluated
 *    every 10 ms as exact window sums (EBU Tech 3341: "M", "S"; case 13 needs
 *    this 100 Hz cadence); windows reaching before the start count silence;
 *  - the loudness range follows EBU Tech 3342: short-term values every 100 ms
 *    (from 3 s on), absolute gate -70 LUFS, relative gate -20 LU below the
 *    power mean of the absolute-gated values, LRA = P95 - P10 with the index
 *    round((n-1)*p/100 + 1) of the sorted list;
 *  - the peak of every 10 ms block locates inter-sample overs (> 0 dBTP) and
 *    gives the PSR (peak of the last 3 s minus short-term loudness).
 * True peak above 96 kHz: libebur128 oversamples only 2x from 96 kHz on,
 * which under-reads a fs/4 burst by up to 0.5 dB (BS.1770-5 Annex 2 gives the
 * bound 20 log10(cos(pi f_norm / n))); there this module interpolates 4x
 * itself with a 96-tap Hann-windowed sinc (24 taps per phase).
 * Channel map (BS.1770-5 Table 3 weights via libebur128): LFE unused,
 * surround channels weighted 1.41 (+1.5 dB).
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

static int set_channel_map(ebur128_state *st, uint32_t channels)
{
	/* WAV/SMPTE channel order. */
	static const int map5[] = { EBUR128_LEFT, EBUR128_RIGHT, EBUR128_CENTER, EBUR128_LEFT_SURROUND,
				    EBUR128_RIGHT_SURROUND };
	static const int map4[] = { EBUR128_LEFT, EBUR128_RIGHT, EBUR128_LEFT_SURROUND, EBUR128_RIGHT_SURROUND };
	static const int map8[] = { EBUR128_LEFT,  EBUR128_RIGHT, EBUR128_CENTER, EBUR128_UNUSED,
				    EBUR128_Mp135, EBUR128_Mm135, EBUR128_Mp090, EBUR128_Mm090 };
	for (uint32_t c = 0; c < channels; c++) {
		int v;
		if (channels == 1)
			v = EBUR128_CENTER; /* weight 1: a 0 dBFS 997 Hz sine reads -3.01 LKFS */
		else if (channels == 4)
			v = map4[c];
		else if (channels == 5)
			v = map5[c];
		else if (channels == 6 || channels == 7)
			v = c < 3 ? map5[c] : c == 3 ? EBUR128_UNUSED : c < 6 ? map5[c - 1] : EBUR128_Mp180;
		else if (channels == 8)
			v = map8[c];
		else
			v = c == 0 ? EBUR128_LEFT : c == 1 ? EBUR128_RIGHT : EBUR128_CENTER;
		if (ebur128_set_channel(st, c, v) != EBUR128_SUCCESS)
			return -1;
	}
	return 0;
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
	l->own_tp = true_peak && rate >= 96000.0;
	if (l->own_tp) {
		double sum = 0;
		for (int i = 0; i < MXD_TP_TAPS; i++) {
			double m = (i - (MXD_TP_TAPS - 1) / 2.0) / 4.0; /* in input samples */
			double sinc = m == 0 ? 1.0 : sin(M_PI * m) / (M_PI * m);
			double w = 0.5 - 0.5 * cos(2.0 * M_PI * (i + 0.5) / MXD_TP_TAPS);
			l->tp_h[i] = sinc * w;
			sum += l->tp_h[i];
		}
		for (int i = 0; i < MXD_TP_TAPS; i++)
			l->tp_h[i] *= 4.0 / sum;
		l->tp_hist = calloc((size_t)channels * MXD_TP_PHASE_TAPS, sizeof *l->tp_hist);
		l->tp_max = calloc(channels, sizeof *l->tp_max);
		if (!l->tp_hist || !l->tp_max)
			return -1;
	}
	int mode = EBUR128_MODE_I | EBUR128_MODE_SAMPLE_PEAK |
		   (true_peak && !l->own_tp ? EBUR128_MODE_TRUE_PEAK : 0);
	l->st = ebur128_init(channels, (unsigned long)rate, mode);
	if (!l->st || set_channel_map(l->st, channels))
		return -1;
	if (channels >= 2) {
		l->mono = ebur128_init(1, (unsigned long)rate, EBUR128_MODE_I);
		l->mono_buf = malloc(l->step * sizeof *l->mono_buf);
		if (!l->mono || !l->mono_buf || ebur128_set_channel(l->mono, 0, EBUR128_DUAL_MONO))
			return -1;
	}
	return 0;
}

/* Peak of the 4x interpolated signal of channel c over `frames` frames. */
static double own_true_peak(mxd_loud *l, uint32_t c, const float *x, size_t frames)
{
	float *h = l->tp_hist + (size_t)c * MXD_TP_PHASE_TAPS;
	double pk = 0;
	for (size_t i = 0; i < frames; i++) {
		memmove(h + 1, h, (MXD_TP_PHASE_TAPS - 1) * sizeof *h);
		h[0] = x[i * l->channels + c];
		for (int p = 0; p < 4; p++) {
			double y = 0;
			for (int k = 0; k < MXD_TP_PHASE_TAPS; k++)
				y += l->tp_h[p + 4 * k] * h[k];
			if (fabs(y) > pk)
				pk = fabs(y);
		}
	}
	if (pk > l->tp_max[c])
		l->tp_max[c] = pk;
	return pk;
}

int mxd_loud_add(mxd_loud *l, const float *x, size_t frames)
{
	if (ebur128_add_frames_float(l->st, x, frames) != EBUR128_SUCCESS)
		return -1;
	for (uint32_t c = 0; c < l->channels; c++) {
		double p = 0;
		if (l->own_tp)
			p = own_true_peak(l, c, x, frames);
		else if (l->true_peak)
			ebur128_prev_true_peak(l->st, c, &p);
		else
			ebur128_prev_sample_peak(l->st, c, &p);
		if (p > l->blk_peak)
			l->blk_peak = p;
		if (l->true_peak && p > 1.0)
			l->blk_over_mask |= 1u << (c < 31 ? c : 31);
	}
	if (l->mono) {
		const uint32_t ch = l->channels;
		for (size_t i = 0; i < frames; i++)
			l->mono_buf[i] = 0.5f * (x[i * ch] + x[i * ch + 1]);
		if (ebur128_add_frames_float(l->mono, l->mono_buf, frames) != EBUR128_SUCCESS)
			return -1;
	}
	return 0;
}

static double window_ms(const mxd_loud *l, uint32_t nblk)
{
	uint64_t have = l->blocks < nblk ? l->blocks : nblk;
	double sum = 0;
	for (uint64_t k = 1; k <= have; k++)
		sum += l->e_ring[(l->blocks - k) % MXD_ANA_ST_BLOCKS];
	return sum / nblk; /* a window reaching before the start counts silence */
}

int mxd_loud_block_end(mxd_loud *l)
{
	double L;
	if (ebur128_loudness_window(l->st, 10, &L) != EBUR128_SUCCESS)
		return -1;
	double e = isfinite(L) ? pow(10.0, (L + 0.691) / 10.0) : 0.0;
	size_t slot = l->blocks % MXD_ANA_ST_BLOCKS;
	l->e_ring[slot] = e;
	l->tp_ring[slot] = l->blk_peak;
	l->blocks++;
	double m = window_ms(l, MXD_ANA_M_BLOCKS), s = window_ms(l, MXD_ANA_ST_BLOCKS);
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
	double I = -HUGE_VAL;
	if (ebur128_loudness_global(l->st, &I) != EBUR128_SUCCESS)
		I = -HUGE_VAL;
	a->loudness.integrated = isfinite(I) ? I : -INFINITY;
	double *tmp = l->st100.n ? malloc(l->st100.n * sizeof *tmp) : NULL;
	a->loudness.range = 0.0;
	if (tmp) {
		memcpy(tmp, l->st100.v, l->st100.n * sizeof *tmp);
		a->loudness.range = mxd_lra(tmp, l->st100.n);
		free(tmp);
	}
	a->loudness.momentary_max = mxd_lufs(l->m_max);
	a->loudness.short_term_max = mxd_lufs(l->s_max);
	double tp = 0, sp = 0;
	for (uint32_t c = 0; c < l->channels; c++) {
		double v = 0;
		if (l->own_tp && l->tp_max[c] > tp)
			tp = l->tp_max[c];
		else if (l->true_peak && !l->own_tp && ebur128_true_peak(l->st, c, &v) == EBUR128_SUCCESS && v > tp)
			tp = v;
		if (ebur128_sample_peak(l->st, c, &v) == EBUR128_SUCCESS && v > sp)
			sp = v;
	}
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
	if (l->mono) {
		double mI = -HUGE_VAL;
		if (ebur128_loudness_global(l->mono, &mI) == EBUR128_SUCCESS && isfinite(mI))
			a->stereo.mono_loudness = mI;
	}
}

void mxd_loud_free(mxd_loud *l)
{
	if (l->st)
		ebur128_destroy(&l->st);
	if (l->mono)
		ebur128_destroy(&l->mono);
	free(l->mono_buf);
	free(l->tp_hist);
	free(l->tp_max);
	free(l->st100.v);
	free(l->ser_m.v);
	free(l->ser_s.v);
	free(l->overs.v);
	memset(l, 0, sizeof *l);
}
