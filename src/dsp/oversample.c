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
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

#if defined(__clang__)
/* Separate multiply and add everywhere (Clang may otherwise fuse them where
 * the target has FMA, and not alike in the vector and the plain code). GCC
 * does not contract in ISO C mode. */
#pragma STDC FP_CONTRACT OFF
#endif

static bool have_avx2(void); /* the up path's AVX2 build can run here (below) */

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
	os->avx2 = have_avx2();
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

/* One up stage, the reference form: m input samples (copied into the history
 * first, so in may alias out) -> 2m outputs, one output at a time, its taps
 * summed in order j = 0, 1, ... from 0. Every other form below performs the
 * same float operations in the same order per output, so gives the same bits
 * (tests/test_fx_limiter.c compares them). */
static void up_stage_plain(const mxd_os_stage *st, float *hist, const float *in, float *out, uint32_t m)
{
	const uint32_t t = 2 * st->k, hl = t - 1, d = st->k - 1;
	const float *g = st->h, *x = hist + hl, *xc = x - d; /* x[i - j]: input sample i - j */
	memcpy(hist + hl, in, m * sizeof *hist);
	for (uint32_t i = 0; i < m; i++) {
		float acc = 0.0f;
		for (uint32_t j = 0; j < t; j++)
			acc += g[j] * x[(int32_t)i - (int32_t)j];
		out[2 * i] = 2.0f * acc;
		out[2 * i + 1] = xc[i];
	}
	memmove(hist, hist + m, hl * sizeof *hist);
}

/* One down stage, the reference form: 2m inputs (copied first, so in may
 * alias out) -> m outputs, one at a time, taps summed in order from 0, then
 * the centre branch added (the vector forms below: the same bits). */
static void down_stage_plain(const mxd_os_stage *st, float *ev, float *od, const float *in, float *out,
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

/* Fold v into a running peak the way the limiter always has: v > p ? v : p.
 * p starts finite, so a NaN v never replaces it, and the result is the same
 * whatever the order the values come in (max of the non-NaN values). */
static inline float peak_fold(float p, float v)
{
	return v > p ? v : p;
}

#if defined(__GNUC__) || defined(__clang__)
/* GCC/Clang vector extensions: eight float lanes (two SSE registers in the
 * baseline build, one AVX register in the AVX2 one). Lane l of accumulator v
 * is output i + 8 v + l; each output still sums its taps in order from 0, so
 * the bits are those of up_stage_plain. A block keeps nv accumulators in
 * registers: 4 (32 outputs) for SSE's 16 registers, 8 (64 outputs) for AVX2,
 * whose 16 registers are twice as wide. */
typedef float v8sf __attribute__((vector_size(32)));
typedef int32_t v8si __attribute__((vector_size(32)));
#define OS_NVMAX 8u
#define INL static inline __attribute__((always_inline))
/* Vectors go through pointers (the helpers are inlined): a 32-byte vector
 * passed by value would change the calling convention of the baseline build
 * (-Wpsabi). */
#define SPLAT8(x) ((v8sf){ (x), (x), (x), (x), (x), (x), (x), (x) })

INL void ld8(v8sf *v, const float *p)
{
	memcpy(v, p, sizeof *v); /* unaligned load */
}

INL void st8(float *p, const v8sf *v)
{
	memcpy(p, v, sizeof *v);
}

/* *a = |*a| per lane (the sign bit cleared, as fabsf). */
INL void abs8(v8sf *a)
{
	*a = (v8sf)((v8si)*a & 0x7fffffff);
}

/* *a = *b if *b > *a or (nan_a and *a is NaN), else *a, per lane. nan_a: the
 * max of the non-NaN values (NaN only if both are); without: peak_fold. */
INL void max8(v8sf *a, const v8sf *b, bool nan_a)
{
	v8si take_b = *b > *a;
	if (nan_a)
		take_b |= *a != *a;
	*a = (v8sf)(((v8si)*b & take_b) | ((v8si)*a & ~take_b));
}

/* sum_j g[j] x[i - j] for 8 nv consecutive i at x[0..] (x[-j]: j samples
 * back) into a[0..nv), summed from 0 in order j = 0, 1, ..., taps two at a
 * time (t = 2K is even). */
INL void fir_block(const float *g, uint32_t t, const float *x, v8sf *a, const uint32_t nv)
{
	v8sf acc[OS_NVMAX], v;
	for (uint32_t l = 0; l < nv; l++)
		acc[l] = SPLAT8(0.0f);
	const float *p = x, *ge = g + t;
	for (; g < ge; g += 2, p -= 2) { /* pointers, not indices: fewer instructions per tap */
		const v8sf g0 = SPLAT8(g[0]), g1 = SPLAT8(g[1]);
		for (uint32_t l = 0; l < nv; l++)
			ld8(&v, p + 8 * l), acc[l] += g0 * v;
		for (uint32_t l = 0; l < nv; l++)
			ld8(&v, p - 1 + 8 * l), acc[l] += g1 * v;
	}
	for (uint32_t l = 0; l < nv; l++)
		a[l] = acc[l];
}

/* Even up outputs (2 x the sums: the zero stuffing's gain) of 8 nv inputs. */
INL void up_block(const float *g, uint32_t t, const float *x, v8sf *a, const uint32_t nv)
{
	fir_block(g, t, x, a, nv);
	const v8sf two = SPLAT8(2.0f);
	for (uint32_t l = 0; l < nv; l++)
		a[l] = two * a[l];
}

/* One output at a time (the block tail): the same sums as up_stage_plain. */
INL float up_one(const float *g, uint32_t t, const float *x)
{
	float acc = 0.0f;
	for (uint32_t j = 0; j < t; j++)
		acc += g[j] * x[-(int32_t)j];
	return 2.0f * acc;
}

/* Outputs 2i.. of 8 nv even outputs a[] and their centre branch xc[i..]. */
INL void up_emit(float *out, const v8sf *a, const float *xc, const uint32_t nv)
{
	for (uint32_t v = 0; v < nv; v++) {
		v8sf c, lo, hi;
		ld8(&c, xc + 8 * v);
		lo = __builtin_shufflevector(a[v], c, 0, 8, 1, 9, 2, 10, 3, 11);
		hi = __builtin_shufflevector(a[v], c, 4, 12, 5, 13, 6, 14, 7, 15);
		st8(out + 16 * v, &lo);
		st8(out + 16 * v + 8, &hi);
	}
}

/* One up stage (see up_stage_plain): 8 nv outputs at a time in registers, then
 * 8, then one at a time, interleaved with the centre branch (the delayed
 * input) on the way out. */
INL void up_body(const mxd_os_stage *st, float *hist, const float *in, float *out, uint32_t m, const uint32_t nv)
{
	const uint32_t t = 2 * st->k, hl = t - 1, d = st->k - 1;
	const float *g = st->h, *x = hist + hl, *xc = x - d; /* xc[i]: the centre branch of output i */
	memcpy(hist + hl, in, m * sizeof *hist);
	uint32_t i = 0;
	v8sf a[OS_NVMAX];
	for (; i + 8 * nv <= m; i += 8 * nv) {
		up_block(g, t, x + i, a, nv);
		up_emit(out + 2 * i, a, xc + i, nv);
	}
	for (; i + 8 <= m; i += 8) {
		up_block(g, t, x + i, a, 1);
		up_emit(out + 2 * i, a, xc + i, 1);
	}
	for (; i < m; i++) {
		out[2 * i] = up_one(g, t, x + i);
		out[2 * i + 1] = xc[i];
	}
	memmove(hist, hist + m, hl * sizeof *hist);
}

/* Fold a block of 8 nv inputs into the peaks of its 8 nv / per frames: e[]
 * their even outputs, xc[] their centre branch. per <= nv. */
INL void peak_block(float *pk, v8sf *e, const float *xc, uint32_t per, const uint32_t nv)
{
	for (uint32_t v = 0; v < nv; v++) { /* per input: its even and odd output */
		v8sf c;
		ld8(&c, xc + 8 * v);
		abs8(&e[v]);
		abs8(&c);
		max8(&e[v], &c, true);
	}
	uint32_t n = nv;
	for (uint32_t q = per; q > 1; q >>= 1, n >>= 1) /* pairs of inputs -> one lane */
		for (uint32_t v = 0; v < n / 2; v++) {
			v8sf ev = __builtin_shufflevector(e[2 * v], e[2 * v + 1], 0, 2, 4, 6, 8, 10, 12, 14);
			v8sf od = __builtin_shufflevector(e[2 * v], e[2 * v + 1], 1, 3, 5, 7, 9, 11, 13, 15);
			max8(&ev, &od, true);
			e[v] = ev;
		}
	for (uint32_t v = 0; v < n; v++) {
		v8sf p;
		ld8(&p, pk + 8 * v);
		max8(&p, &e[v], false);
		st8(pk + 8 * v, &p);
	}
}

/* The last up stage without its output: per base frame (`per` inputs of this
 * stage each), fold |y| of its 2 x per outputs into peak[]. */
INL void up_peak_body(const mxd_os_stage *st, float *hist, const float *in, float *peak, uint32_t m, uint32_t per,
		      const uint32_t nv)
{
	const uint32_t t = 2 * st->k, hl = t - 1, d = st->k - 1;
	const float *g = st->h, *x = hist + hl, *xc = x - d; /* xc[i]: the centre branch of output i */
	memcpy(hist + hl, in, m * sizeof *hist);
	uint32_t i = 0;
	v8sf e[OS_NVMAX];
	if (per <= nv) /* a block is whole frames */
		for (; i + 8 * nv <= m; i += 8 * nv) {
			up_block(g, t, x + i, e, nv);
			peak_block(peak + i / per, e, xc + i, per, nv);
		}
	if (nv > 4 && per <= 4)
		for (; i + 32 <= m; i += 32) {
			up_block(g, t, x + i, e, 4);
			peak_block(peak + i / per, e, xc + i, per, 4);
		}
	for (; i < m; i++) {
		float *pk = peak + i / per;
		float y = up_one(g, t, x + i);
		*pk = peak_fold(*pk, fabsf(y));
		*pk = peak_fold(*pk, fabsf(xc[i]));
	}
	memmove(hist, hist + m, hl * sizeof *hist);
}

/* One down stage (see down_stage_plain): 8 nv outputs at a time in registers,
 * then 8, then one at a time. */
INL void down_body(const mxd_os_stage *st, float *ev, float *od, const float *in, float *out, uint32_t m,
		   const uint32_t nv)
{
	const uint32_t t = 2 * st->k, hl = t - 1, k = st->k;
	const float *g = st->h, *e = ev + hl;
	for (uint32_t i = 0; i < m; i++) {
		ev[hl + i] = in[2 * i];
		od[k + i] = in[2 * i + 1];
	}
	uint32_t i = 0;
	v8sf a[OS_NVMAX], o;
	const v8sf half = SPLAT8(0.5f);
	for (; i + 8 * nv <= m; i += 8 * nv) {
		fir_block(g, t, e + i, a, nv);
		for (uint32_t v = 0; v < nv; v++) {
			ld8(&o, od + i + 8 * v);
			a[v] += half * o;
			st8(out + i + 8 * v, &a[v]);
		}
	}
	for (; i + 8 <= m; i += 8) {
		fir_block(g, t, e + i, a, 1);
		ld8(&o, od + i);
		a[0] += half * o;
		st8(out + i, &a[0]);
	}
	for (; i < m; i++) {
		const float *x = e + i;
		float acc = 0;
		for (uint32_t j = 0; j < t; j++)
			acc += g[j] * x[-(int32_t)j];
		out[i] = acc + 0.5f * od[i];
	}
	memmove(ev, ev + m, hl * sizeof *ev);
	memmove(od, od + m, k * sizeof *od);
}

/* The baseline build, and on x86-64 an AVX2 build chosen at run time (the
 * same operations in the same order: the same bits). */
static void up_stage_base(const mxd_os_stage *st, float *hist, const float *in, float *out, uint32_t m)
{
	up_body(st, hist, in, out, m, 4);
}

static void down_stage_base(const mxd_os_stage *st, float *ev, float *od, const float *in, float *out, uint32_t m)
{
	down_body(st, ev, od, in, out, m, 4);
}

static void up_stage_peak_base(const mxd_os_stage *st, float *hist, const float *in, float *peak, uint32_t m,
			       uint32_t per)
{
	up_peak_body(st, hist, in, peak, m, per, 4);
}

#if defined(__x86_64__) && defined(__linux__)
__attribute__((target("avx2"))) static void up_stage_avx2(const mxd_os_stage *st, float *hist, const float *in,
							 float *out, uint32_t m)
{
	up_body(st, hist, in, out, m, 8);
}

__attribute__((target("avx2"))) static void down_stage_avx2(const mxd_os_stage *st, float *ev, float *od,
							   const float *in, float *out, uint32_t m)
{
	down_body(st, ev, od, in, out, m, 8);
}

__attribute__((target("avx2"))) static void up_stage_peak_avx2(const mxd_os_stage *st, float *hist,
							      const float *in, float *peak, uint32_t m, uint32_t per)
{
	up_peak_body(st, hist, in, peak, m, per, 8);
}
static bool have_avx2(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2");
}
#else
#define up_stage_avx2 up_stage_base
#define up_stage_peak_avx2 up_stage_peak_base
#define down_stage_avx2 down_stage_base
static bool have_avx2(void)
{
	return false;
}
#endif

static void up_stage(bool avx2, const mxd_os_stage *st, float *hist, const float *in, float *out, uint32_t m)
{
	if (avx2)
		up_stage_avx2(st, hist, in, out, m);
	else
		up_stage_base(st, hist, in, out, m);
}

static void down_stage(bool avx2, const mxd_os_stage *st, float *ev, float *od, const float *in, float *out,
		       uint32_t m)
{
	if (avx2)
		down_stage_avx2(st, ev, od, in, out, m);
	else
		down_stage_base(st, ev, od, in, out, m);
}

static void up_stage_peak(bool avx2, const mxd_os_stage *st, float *hist, const float *in, float *peak,
			  uint32_t m, uint32_t per)
{
	if (avx2)
		up_stage_peak_avx2(st, hist, in, peak, m, per);
	else
		up_stage_peak_base(st, hist, in, peak, m, per);
}
#else
static bool have_avx2(void)
{
	return false;
}

static void up_stage(bool avx2, const mxd_os_stage *st, float *hist, const float *in, float *out, uint32_t m)
{
	(void)avx2;
	up_stage_plain(st, hist, in, out, m);
}

static void down_stage(bool avx2, const mxd_os_stage *st, float *ev, float *od, const float *in, float *out,
		       uint32_t m)
{
	(void)avx2;
	down_stage_plain(st, ev, od, in, out, m);
}

static void up_stage_peak(bool avx2, const mxd_os_stage *st, float *hist, const float *in, float *peak,
			  uint32_t m, uint32_t per)
{
	(void)avx2;
	const uint32_t t = 2 * st->k, hl = t - 1, d = st->k - 1;
	const float *g = st->h, *x = hist + hl, *xc = x - d; /* xc[i]: the centre branch of output i */
	memcpy(hist + hl, in, m * sizeof *hist);
	for (uint32_t i = 0; i < m; i++) {
		float acc = 0.0f, *pk = peak + i / per;
		for (uint32_t j = 0; j < t; j++)
			acc += g[j] * x[(int32_t)i - (int32_t)j];
		*pk = peak_fold(*pk, fabsf(2.0f * acc));
		*pk = peak_fold(*pk, fabsf(xc[i]));
	}
	memmove(hist, hist + m, hl * sizeof *hist);
}
#endif

/* The stages of channel c up (or down): the vector stages, or with `plain`
 * the one-output-at-a-time reference the tests compare them with. */
static void os_up(mxd_os *os, uint32_t c, const float *in, float *out, uint32_t n, bool plain)
{
	if (n > MXD_OS_BLOCK)
		n = MXD_OS_BLOCK;
	mxd_os_chan *ch = &os->ch[c];
	const float *src = in;
	for (uint32_t s = 0; s < os->n_stages; s++) {
		if (plain)
			up_stage_plain(&os->st[s], ch->up_hist[s], src, out, n << s);
		else
			up_stage(os->avx2, &os->st[s], ch->up_hist[s], src, out, n << s);
		src = out;
	}
}

static void os_down(mxd_os *os, uint32_t c, const float *in, float *out, uint32_t n, bool plain)
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
		if (plain)
			down_stage_plain(&os->st[s], ch->dn_even[s], ch->dn_odd[s], src, s == 0 ? out : buf, m);
		else
			down_stage(os->avx2, &os->st[s], ch->dn_even[s], ch->dn_odd[s], src, s == 0 ? out : buf, m);
		src = buf;
	}
	memmove(ch->pad, ch->pad + hi, p * sizeof(float));
}

void mxd_os_up(mxd_os *os, uint32_t c, const float *in, float *out, uint32_t n)
{
	os_up(os, c, in, out, n, false);
}

void mxd_os_up_peak(mxd_os *os, uint32_t c, const float *in, float *peak, uint32_t n)
{
	if (n > MXD_OS_BLOCK)
		n = MXD_OS_BLOCK;
	mxd_os_chan *ch = &os->ch[c];
	const float *src = in;
	uint32_t last = os->n_stages - 1;
	for (uint32_t s = 0; s < last; s++) {
		up_stage(os->avx2, &os->st[s], ch->up_hist[s], src, os->scratch, n << s);
		src = os->scratch;
	}
	up_stage_peak(os->avx2, &os->st[last], ch->up_hist[last], src, peak, n << last, 1u << last);
}

void mxd_os_up_plain(mxd_os *os, uint32_t c, const float *in, float *out, uint32_t n)
{
	os_up(os, c, in, out, n, true);
}

void mxd_os_down(mxd_os *os, uint32_t c, const float *in, float *out, uint32_t n)
{
	os_down(os, c, in, out, n, false);
}

void mxd_os_down_plain(mxd_os *os, uint32_t c, const float *in, float *out, uint32_t n)
{
	os_down(os, c, in, out, n, true);
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
