/* mixdown — integer-factor oversampling with polyphase half-band FIR stages.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See oversample.h. Notation for one stage with K: filter h[0..4K-2], centre
 * c = 2K - 1 (odd), h[c] = 1/2, h[c +- 2m] = 0 (m >= 1); the 2K non-zero side
 * taps are the even-index ones, stored as g[j] = h[2j], j = 0..2K-1.
 *   up   (x at rate r -> y at 2r, gain 2 for the zero stuffing):
 *        y[2i]   = 2 sum_j g[j] x[i-j]
 *        y[2i+1] = x[i-K+1]                 (centre branch: pure delay)
 *   down (v at 2r -> y at r), e[i] = v[2i], o[i] = v[2i+1]:
 *        y[i]    = sum_j g[j] e[i-j] + o[i-K] / 2
 * Both are h applied to the high-rate stream, so each adds c high-rate samples.
 */
#include "dsp/oversample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

/* Modified Bessel function of the first kind, order 0 (power series). */
static double bessel_i0(double x)
{
	double sum = 1.0, term = 1.0, q = x * x / 4.0;
	for (int k = 1; k < 200; k++) {
		term *= q / ((double)k * (double)k);
		sum += term;
		if (term < sum * 1e-17)
			break;
	}
	return sum;
}

/* Half-band Kaiser design for a stage whose high rate is `mult` x the base
 * rate. Returns K. */
static uint32_t design_k(double atten_db, double pass_frac, uint32_t mult)
{
	double p = pass_frac / (double)mult;       /* passband edge / high rate */
	double dw = 2.0 * PI * (0.5 - 2.0 * p);    /* transition width, rad/sample */
	double n = (atten_db - 7.95) / (2.285 * dw) + 1.0; /* taps */
	uint32_t k = (uint32_t)ceil((n + 1.0) / 4.0);
	return k < 2 ? 2 : k;
}

static void design_taps(float *g, uint32_t k, double atten_db)
{
	double beta = atten_db > 50 ? 0.1102 * (atten_db - 8.7)
				    : 0.5842 * pow(atten_db - 21, 0.4) + 0.07886 * (atten_db - 21);
	double c = 2.0 * k - 1.0, i0b = bessel_i0(beta), sum = 0;
	double tmp[2 * 64 * 8];
	uint32_t t = 2 * k;
	for (uint32_t j = 0; j < t; j++) {
		double d = 2.0 * j - c;                /* odd offset from the centre */
		double r = d / c;
		double w = bessel_i0(beta * sqrt(fmax(0.0, 1.0 - r * r))) / i0b;
		double x = d / 2.0;
		tmp[j] = 0.5 * sin(PI * x) / (PI * x) * w;
		sum += tmp[j];
	}
	for (uint32_t j = 0; j < t; j++)
		g[j] = (float)(tmp[j] * 0.5 / sum); /* DC gain exactly 1 (with h[c] = 1/2) */
}

void mxd_os_free(mxd_os *os)
{
	if (!os)
		return;
	for (uint32_t s = 0; s < MXD_OS_MAX_STAGES; s++)
		free(os->st[s].h);
	if (os->ch) {
		for (uint32_t c = 0; c < os->channels; c++) {
			for (uint32_t s = 0; s < MXD_OS_MAX_STAGES; s++) {
				free(os->ch[c].up_hist[s]);
				free(os->ch[c].dn_even[s]);
				free(os->ch[c].dn_odd[s]);
			}
			free(os->ch[c].pad);
		}
	}
	free(os->ch);
	free(os->scratch);
	memset(os, 0, sizeof *os);
}

int mxd_os_init(mxd_os *os, uint32_t factor, uint32_t channels, double atten_db, double pass_frac,
		uint32_t inner_delay)
{
	memset(os, 0, sizeof *os);
	uint32_t stages = factor == 2 ? 1 : factor == 4 ? 2 : factor == 8 ? 3 : 0;
	if (!stages || channels < 1 || !(atten_db >= 60 && atten_db <= 160) ||
	    !(pass_frac >= 0.3 && pass_frac <= 0.48) || inner_delay > 64)
		return -1;
	os->inner = inner_delay;
	os->factor = factor;
	os->n_stages = stages;
	os->channels = channels;
	uint64_t d_hi = inner_delay; /* round-trip delay, high-rate samples */
	for (uint32_t s = 0; s < stages; s++) {
		uint32_t k = design_k(atten_db, pass_frac, 2u << s);
		if (k > 64 * 4)
			goto fail;
		os->st[s].k = k;
		os->st[s].h = malloc(2 * k * sizeof *os->st[s].h);
		if (!os->st[s].h)
			goto fail;
		design_taps(os->st[s].h, k, atten_db);
		d_hi += 2ull * (2 * k - 1) * (factor / (2u << s));
	}
	os->pad = (uint32_t)((factor - d_hi % factor) % factor);
	os->ch = calloc(channels, sizeof *os->ch);
	os->scratch = calloc((size_t)factor * MXD_OS_BLOCK, sizeof *os->scratch);
	if (!os->ch || !os->scratch)
		goto fail;
	for (uint32_t c = 0; c < channels; c++) {
		mxd_os_chan *ch = &os->ch[c];
		for (uint32_t s = 0; s < stages; s++) {
			size_t k = os->st[s].k, blk = (size_t)MXD_OS_BLOCK << s;
			ch->up_hist[s] = calloc(2 * k - 1 + blk, sizeof(float));
			ch->dn_even[s] = calloc(2 * k - 1 + blk, sizeof(float));
			ch->dn_odd[s] = calloc(k + blk, sizeof(float));
			if (!ch->up_hist[s] || !ch->dn_even[s] || !ch->dn_odd[s])
				goto fail;
		}
		ch->pad = calloc(os->pad + (size_t)factor * MXD_OS_BLOCK, sizeof(float));
		if (!ch->pad)
			goto fail;
	}
	return 0;
fail:
	mxd_os_free(os);
	return -1;
}

void mxd_os_reset(mxd_os *os)
{
	for (uint32_t c = 0; os->ch && c < os->channels; c++) {
		mxd_os_chan *ch = &os->ch[c];
		for (uint32_t s = 0; s < os->n_stages; s++) {
			size_t k = os->st[s].k, blk = (size_t)MXD_OS_BLOCK << s;
			memset(ch->up_hist[s], 0, (2 * k - 1 + blk) * sizeof(float));
			memset(ch->dn_even[s], 0, (2 * k - 1 + blk) * sizeof(float));
			memset(ch->dn_odd[s], 0, (k + blk) * sizeof(float));
		}
		memset(ch->pad, 0, (os->pad + (size_t)os->factor * MXD_OS_BLOCK) * sizeof(float));
	}
}

/* One up stage: m input samples (read before any output is written, so in may
 * alias out) -> 2m outputs. Built twice, for the baseline instruction set and
 * for AVX2 (chosen when the program loads): eight lanes instead of four, the
 * same operations in the same order, so the same bits. */
#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target_clones("avx2", "default")))
#endif
static void up_stage(const mxd_os_stage *st, float *hist, const float *in, float *out, uint32_t m)
{
	const uint32_t t = 2 * st->k, hl = t - 1;
	const float *g = st->h;
	memcpy(hist + hl, in, m * sizeof *hist);
	/* Tap by tap over the whole block: the loop over outputs vectorizes, and
	 * each output still sums its taps in order j = 0, 1, ... (same bits as
	 * one output at a time). */
	float acc[MXD_OS_BLOCK << (MXD_OS_MAX_STAGES - 1)];
	for (uint32_t i = 0; i < m; i++)
		acc[i] = 0.0f;
	for (uint32_t j = 0; j < t; j++) {
		const float gj = g[j], *restrict x = hist + hl - j; /* x[i]: sample i - j */
		for (uint32_t i = 0; i < m; i++)
			acc[i] += gj * x[i];
	}
	for (uint32_t i = 0; i < m; i++) {
		out[2 * i] = 2.0f * acc[i];
		out[2 * i + 1] = hist[hl + i - (st->k - 1)];
	}
	memmove(hist, hist + m, hl * sizeof *hist);
}

/* One down stage: 2m inputs (copied first, so in may alias out) -> m outputs. */
static void down_stage(const mxd_os_stage *st, float *ev, float *od, const float *in, float *out,
		       uint32_t m)
{
	const uint32_t t = 2 * st->k, hl = t - 1, k = st->k;
	const float *g = st->h;
	for (uint32_t i = 0; i < m; i++) {
		ev[hl + i] = in[2 * i];
		od[k + i] = in[2 * i + 1];
	}
	for (uint32_t i = 0; i < m; i++) {
		const float *e = ev + hl + i;
		float acc = 0;
		for (uint32_t j = 0; j < t; j++)
			acc += g[j] * e[-(int32_t)j];
		out[i] = acc + 0.5f * od[i];
	}
	memmove(ev, ev + m, hl * sizeof *ev);
	memmove(od, od + m, k * sizeof *od);
}

void mxd_os_up(mxd_os *os, uint32_t c, const float *in, float *out, uint32_t n)
{
	if (n > MXD_OS_BLOCK)
		n = MXD_OS_BLOCK;
	mxd_os_chan *ch = &os->ch[c];
	const float *src = in;
	for (uint32_t s = 0; s < os->n_stages; s++) {
		up_stage(&os->st[s], ch->up_hist[s], src, out, n << s);
		src = out;
	}
}

void mxd_os_down(mxd_os *os, uint32_t c, const float *in, float *out, uint32_t n)
{
	if (n > MXD_OS_BLOCK)
		n = MXD_OS_BLOCK;
	mxd_os_chan *ch = &os->ch[c];
	uint32_t hi = n * os->factor, p = os->pad;
	memcpy(ch->pad + p, in, hi * sizeof(float));
	float *buf = os->scratch;
	const float *src = ch->pad;
	for (uint32_t s = os->n_stages; s-- > 0;) {
		uint32_t m = n << s;
		down_stage(&os->st[s], ch->dn_even[s], ch->dn_odd[s], src, s == 0 ? out : buf, m);
		src = buf;
	}
	memmove(ch->pad, ch->pad + hi, p * sizeof(float));
}

uint32_t mxd_os_latency(const mxd_os *os)
{
	uint64_t d = (uint64_t)os->pad + os->inner;
	for (uint32_t s = 0; s < os->n_stages; s++)
		d += 2ull * (2 * os->st[s].k - 1) * (os->factor / (2u << s));
	return (uint32_t)(d / os->factor);
}

double mxd_os_up_delay(const mxd_os *os)
{
	double d = 0;
	for (uint32_t s = 0; s < os->n_stages; s++)
		d += (2.0 * os->st[s].k - 1.0) / (double)(2u << s);
	return d;
}

uint32_t mxd_os_stage_taps(const mxd_os *os, uint32_t s)
{
	return s < os->n_stages ? 4 * os->st[s].k - 1 : 0;
}
