/* mixdown — the fast loudness meter: blocks, windows, gating, peaks.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Definitions are in fastloud.h (and ../shared/docs/loudness-conformance.md):
 * ITU-R BS.1770-5 for K-weighting, channel weights, gating and true peak,
 * EBU Tech 3341 for M/S (10 ms cadence), EBU Tech 3342 for the range. The
 * block bookkeeping follows libebur128 where it makes a difference to the
 * numbers (100 ms = (rate + 5) / 10 frames; the first gating block ends at
 * 400 ms; an incomplete final block is dropped; blocks at or above -70 LUFS
 * are kept; the relative gate keeps blocks at or above it), so the two
 * agree to rounding (tests/test_fastloud.c).
 *
 * Cost per sample and channel: the K-weighting recurrence (double), one
 * sample-peak compare and 36 multiply-adds of the interpolator, all in the
 * kernels of fastloud_dsp.c; per 10 ms block a few hundred additions.
 *
 * Memory: fixed buffers plus one double per 100 ms (gating blocks and
 * short-term values): about 0.6 MB per hour. Ownership: the meter's arrays
 * belong to it. Threads: one meter per thread.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/fastloud.h"

static int push(double **v, size_t *n, size_t *cap, double x)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 1024;
		double *p = realloc(*v, c * sizeof *p);
		if (!p)
			return -1;
		*v = p;
		*cap = c;
	}
	(*v)[(*n)++] = x;
	return 0;
}

int mxd_fl_init(mxd_fl *m, double rate, uint32_t channels, const double *weights, bool true_peak)
{
	memset(m, 0, sizeof *m);
	if (!(rate >= 100.0 && rate <= 1e7) || channels == 0)
		return -1;
	m->rate = rate;
	m->channels = channels;
	m->true_peak = true_peak;
	mxd_fl_kernels_pick(&m->k);
	mxd_fl_design_kw(rate, &m->shelf, &m->hp);
	mxd_fl_design_tp(m->tp_h);
	for (int p = 0; p < 3; p++) {
		double g = 0;
		for (int t = 0; t < MXD_FL_TP_TAPS; t++)
			g += fabs(m->tp_h[p][t]);
		if (g > m->tp_gain)
			m->tp_gain = (float)g;
	}
	m->tp_gain *= 1.001f; /* margin for the rounding of the interpolator's sums */
	m->step = (uint32_t)((unsigned long)rate * 10UL / 1000UL);
	m->n100 = (uint32_t)(((unsigned long)rate + 5UL) / 10UL);
	m->abs_gate = pow(10.0, (-70.0 + 0.691) / 10.0);
	m->weight = calloc(channels, sizeof *m->weight);
	m->ks = calloc(channels, sizeof *m->ks);
	m->acc10 = calloc(channels, sizeof *m->acc10);
	m->acc100 = calloc(channels, sizeof *m->acc100);
	m->tp_call = calloc(channels, sizeof *m->tp_call);
	m->sp_call = calloc(channels, sizeof *m->sp_call);
	m->tp_max = calloc(channels, sizeof *m->tp_max);
	m->sp_max = calloc(channels, sizeof *m->sp_max);
	m->store = calloc((size_t)channels * (MXD_FL_HIST + MXD_FL_CHUNK), sizeof *m->store);
	m->ptr = calloc(channels, sizeof *m->ptr);
	if (!m->weight || !m->ks || !m->acc10 || !m->acc100 || !m->tp_call || !m->sp_call || !m->tp_max ||
	    !m->sp_max || !m->store || !m->ptr || m->step == 0) {
		mxd_fl_free(m);
		return -1;
	}
	if (weights)
		memcpy(m->weight, weights, channels * sizeof *m->weight);
	else
		mxd_fl_channel_weights(channels, m->weight);
	return 0;
}

void mxd_fl_free(mxd_fl *m)
{
	free(m->weight);
	free(m->ks);
	free(m->acc10);
	free(m->acc100);
	free(m->tp_call);
	free(m->sp_call);
	free(m->tp_max);
	free(m->sp_max);
	free(m->store);
	free(m->ptr);
	free(m->gate);
	free(m->st100);
	memset(m, 0, sizeof *m);
}

/* Sum of v[0..n-1] in four partial sums so the additions overlap; exact
 * zero for silence (the values are never negative). */
static double sum4(const double *v, size_t n)
{
	double a = 0, b = 0, c = 0, d = 0;
	size_t i = 0;
	for (; i + 4 <= n; i += 4) {
		a += v[i];
		b += v[i + 1];
		c += v[i + 2];
		d += v[i + 3];
	}
	for (; i < n; i++)
		a += v[i];
	return (a + b) + (c + d);
}

/* Sum of the ring entries of blocks first .. first + n - 1. */
static double ring_sum(const double *ring, uint64_t first, uint32_t n)
{
	size_t i0 = (size_t)(first % MXD_FL_S_BLOCKS), n1 = MXD_FL_S_BLOCKS - i0;
	if (n1 >= n)
		return sum4(ring + i0, n);
	return sum4(ring + i0, n1) + sum4(ring, n - n1);
}

static void block10_end(mxd_fl *m)
{
	double e = 0;
	for (uint32_t c = 0; c < m->channels; c++) {
		e += m->weight[c] * m->acc10[c];
		m->acc10[c] = 0;
	}
	e /= m->step;
	uint64_t j = m->blocks++;
	m->ring[j % MXD_FL_S_BLOCKS] = e;
	/* Windows reaching before the start count silence: divide by the full length. */
	uint32_t nm = j + 1 < MXD_FL_M_BLOCKS ? (uint32_t)(j + 1) : MXD_FL_M_BLOCKS;
	uint32_t ns = j + 1 < MXD_FL_S_BLOCKS ? (uint32_t)(j + 1) : MXD_FL_S_BLOCKS;
	m->e10 = e;
	m->m = ring_sum(m->ring, j + 1 - nm, nm) / MXD_FL_M_BLOCKS;
	m->s = ring_sum(m->ring, j + 1 - ns, ns) / MXD_FL_S_BLOCKS;
	if (m->m > m->m_max)
		m->m_max = m->m;
	if (m->s > m->s_max)
		m->s_max = m->s;
	/* Tech 3342: a short-term value every 100 ms once a full window exists. */
	if (m->blocks % 10 == 0 && m->blocks >= MXD_FL_S_BLOCKS && push(&m->st100, &m->n_st100, &m->cap_st100, m->s))
		m->failed = true;
}

static void block100_end(mxd_fl *m)
{
	/* BS.1770-5 §2: gating blocks of 400 ms, a new one every 100 ms. */
	double e = 0;
	for (uint32_t c = 0; c < m->channels; c++) {
		e += m->weight[c] * m->acc100[c];
		m->acc100[c] = 0;
	}
	m->e100[m->n100_done++ % 4] = e;
	if (m->n100_done < 4)
		return;
	double z = ((m->e100[0] + m->e100[1]) + (m->e100[2] + m->e100[3])) / (4.0 * m->n100);
	if (z >= m->abs_gate && push(&m->gate, &m->n_gate, &m->cap_gate, z))
		m->failed = true;
}

void mxd_fl_weigh(mxd_fl *m, const float *const *x, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t seg = n - i;
		if (seg > m->step - m->fill10)
			seg = m->step - m->fill10;
		if (seg > m->n100 - m->fill100)
			seg = m->n100 - m->fill100;
		/* Channels in pairs (two recurrences in flight); weight-0 channels (LFE) skipped. */
		uint32_t c = 0;
		while (c < m->channels) {
			if (m->weight[c] == 0) {
				c++;
				continue;
			}
			uint32_t d = c + 1;
			while (d < m->channels && m->weight[d] == 0)
				d++;
			bool pair = d < m->channels;
			double s[2];
			m->k.kw(&m->shelf, &m->hp, &m->ks[c], pair ? &m->ks[d] : NULL, x[c] + i, pair ? x[d] + i : NULL,
				seg, s);
			m->acc10[c] += s[0];
			m->acc100[c] += s[0];
			if (pair) {
				m->acc10[d] += s[1];
				m->acc100[d] += s[1];
			}
			c = pair ? d + 1 : d;
		}
		i += seg;
		m->fill10 += (uint32_t)seg;
		m->fill100 += (uint32_t)seg;
		if (m->fill10 == m->step) {
			m->fill10 = 0;
			block10_end(m);
		}
		if (m->fill100 == m->n100) {
			m->fill100 = 0;
			block100_end(m);
		}
	}
	/* Decaying states would end up subnormal (slow) after long silences;
	 * below 1e-30 they contribute nothing measurable. */
	for (uint32_t c = 0; c < m->channels; c++) {
		double *v = &m->ks[c].x1;
		for (int k = 0; k < 6; k++)
			if (fabs(v[k]) < 1e-30)
				v[k] = 0.0;
	}
}

/* With only the whole-file maxima wanted (tp_prune), a stretch of B samples
 * is interpolated only if it could raise the true peak: no interpolated
 * value exceeds tp_gain times the largest |x| of the stretch and its
 * MXD_FL_TP_TAPS - 1 predecessors. Exact (the bound has a rounding margin);
 * typical programme material has few stretches near its peak. */
#define MXD_FL_PRUNE_B 256

static void peaks_pruned(mxd_fl *m, uint32_t c, const float *x, size_t n)
{
	const float(*h)[MXD_FL_TP_TAPS] = (const float(*)[MXD_FL_TP_TAPS])m->tp_h;
	for (size_t i = 0; i < n; i += MXD_FL_PRUNE_B) {
		size_t k = n - i < MXD_FL_PRUNE_B ? n - i : MXD_FL_PRUNE_B;
		/* The history samples were counted before (or are the zeros of the start). */
		float w = m->k.peak(x + i - (MXD_FL_TP_TAPS - 1), k + MXD_FL_TP_TAPS - 1);
		if (w > m->sp_max[c])
			m->sp_max[c] = w;
		if (w * m->tp_gain > m->tp_max[c]) {
			float sp, tp = m->k.tp(x + i, k, h, &sp);
			if (tp > m->tp_max[c])
				m->tp_max[c] = tp;
		}
	}
}

void mxd_fl_peaks(mxd_fl *m, const float *const *x, size_t n)
{
	for (uint32_t c = 0; c < m->channels; c++) {
		if (m->true_peak && m->tp_prune) {
			peaks_pruned(m, c, x[c], n);
			continue;
		}
		float sp, tp = 0.0f;
		if (m->true_peak)
			tp = m->k.tp(x[c], n, (const float(*)[MXD_FL_TP_TAPS])m->tp_h, &sp);
		else
			sp = m->k.peak(x[c], n);
		if (sp > m->sp_call[c])
			m->sp_call[c] = sp;
		if (tp > m->tp_call[c])
			m->tp_call[c] = tp;
		if (sp > m->sp_max[c])
			m->sp_max[c] = sp;
		if (tp > m->tp_max[c])
			m->tp_max[c] = tp;
	}
}

int mxd_fl_run(mxd_fl *m, const float *const *x, size_t n)
{
	memset(m->tp_call, 0, m->channels * sizeof *m->tp_call);
	memset(m->sp_call, 0, m->channels * sizeof *m->sp_call);
	mxd_fl_peaks(m, x, n);
	mxd_fl_weigh(m, x, n);
	return m->failed ? -1 : 0;
}

int mxd_fl_add(mxd_fl *m, const float *x, size_t n)
{
	const uint32_t ch = m->channels;
	memset(m->tp_call, 0, ch * sizeof *m->tp_call);
	memset(m->sp_call, 0, ch * sizeof *m->sp_call);
	while (n > 0) {
		size_t k = n < MXD_FL_CHUNK ? n : MXD_FL_CHUNK;
		for (uint32_t c = 0; c < ch; c++) {
			float *d = m->store + (size_t)c * (MXD_FL_HIST + MXD_FL_CHUNK) + MXD_FL_HIST;
			for (size_t i = 0; i < k; i++)
				d[i] = x[i * ch + c];
			m->ptr[c] = d;
		}
		mxd_fl_peaks(m, m->ptr, k);
		mxd_fl_weigh(m, m->ptr, k);
		/* Keep the last MXD_FL_HIST samples in front of the next block. */
		for (uint32_t c = 0; c < ch; c++) {
			float *d = m->store + (size_t)c * (MXD_FL_HIST + MXD_FL_CHUNK);
			memmove(d, d + k, MXD_FL_HIST * sizeof *d);
		}
		x += k * ch;
		n -= k;
	}
	return m->failed ? -1 : 0;
}

double mxd_fl_integrated(const mxd_fl *m)
{
	if (m->n_gate == 0)
		return -INFINITY;
	double sum = 0;
	for (size_t i = 0; i < m->n_gate; i++)
		sum += m->gate[i];
	double rel = sum / (double)m->n_gate * 0.1; /* -10 LU */
	double g = 0;
	size_t k = 0;
	for (size_t i = 0; i < m->n_gate; i++)
		if (m->gate[i] >= rel) {
			g += m->gate[i];
			k++;
		}
	return k ? mxd_lufs(g / (double)k) : -INFINITY;
}

double mxd_fl_range(const mxd_fl *m)
{
	if (m->n_st100 == 0)
		return 0.0;
	double *tmp = malloc(m->n_st100 * sizeof *tmp);
	if (!tmp)
		return NAN;
	memcpy(tmp, m->st100, m->n_st100 * sizeof *tmp);
	double r = mxd_lra(tmp, m->n_st100);
	free(tmp);
	return r;
}

double mxd_fl_true_peak(const mxd_fl *m)
{
	double p = 0;
	for (uint32_t c = 0; c < m->channels; c++) {
		if (m->tp_max[c] > p)
			p = m->tp_max[c];
		if (m->sp_max[c] > p)
			p = m->sp_max[c];
	}
	return p;
}

double mxd_fl_sample_peak(const mxd_fl *m)
{
	double p = 0;
	for (uint32_t c = 0; c < m->channels; c++)
		if (m->sp_max[c] > p)
			p = m->sp_max[c];
	return p;
}
