/* mixdown — tests of `eq` (all band types against the RBJ Audio EQ Cookbook,
 * Butterworth slopes, low-frequency precision, smoothing) and `multiband`
 * (LR4 crossovers summing to an allpass, solo, per-band compression).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The reference responses are computed here in double, from the cookbook's
 * formulas as published (not from src/dsp/biquad.c), and compared with the
 * processor's measured response: an impulse through the processor (float
 * I/O), then a DFT at 32 log-spaced frequencies. */
#include <complex.h>
#include <stdint.h>

#include "dsp/biquad.h"
#include "fx/processor.h"
#include "harness.h"
#include "util.h"

#include "fx_testutil.h"

/* |DTFT| in dB of x[0, n) at f (phasor recursion in double, renormalised). */
static double dtft_db(const float *x, size_t n, double f, double fs)
{
	double w = 2 * PI * f / fs, cr = cos(w), ci = -sin(w), pr = 1, pi_ = 0, re = 0, im = 0;
	for (size_t i = 0; i < n; i++) {
		re += x[i] * pr, im += x[i] * pi_;
		double t = pr * cr - pi_ * ci;
		pi_ = pr * ci + pi_ * cr, pr = t;
		if ((i & 1023) == 1023) {
			double m = hypot(pr, pi_);
			pr /= m, pi_ /= m;
		}
	}
	return 10 * log10(re * re + im * im + 1e-300);
}

/* Click metric (as test_fx_all.c): a 200 Hz sine at 0.5 on 2 channels; after
 * 100 blocks `path` jumps to `to`. Largest step in the 200 ms after the change
 * over twice the largest step before/after (+2e-3). > 1 means a click. */
static double max_step(const float *x, size_t from, size_t to)
{
	double m = 0;
	for (size_t i = from + 1; i < to; i++)
		m = fmax(m, fabs((double)x[i] - x[i - 1]));
	return m;
}

static double click_ratio(mxd_fx *fx, const char *path, double to)
{
	size_t blocks = 300, n = blocks * BLOCK, change = 100 * BLOCK, win = (size_t)FS / 20;
	float **ch = alloc_ch(2, n);
	mxt_sine(ch[0], (int64_t)n, 1, FS, 200, 0.5, 0);
	memcpy(ch[1], ch[0], n * sizeof(float));
	run(fx, ch, 2, change, BLOCK);
	set(fx, path, to);
	float *rest[2] = { ch[0] + change, ch[1] + change };
	run(fx, rest, 2, n - change, BLOCK);
	double worst = 0;
	for (int c = 0; c < 2; c++) {
		double before = max_step(ch[c], change - win, change);
		double after = max_step(ch[c], change + 4 * win, n);
		double during = max_step(ch[c], change - 1, change + 4 * win);
		worst = fmax(worst, during / (2.0 * fmax(before, after) + 2e-3));
	}
	free_ch(ch, 2);
	return worst;
}

/* Peak of the 4th-order 5 kHz high-passed x[from, to) (splatter of a change
 * on a 200 Hz sine; an unsmoothed 1 dB jump gives > 1e-3). */
static double hf_peak(const float *x, size_t from, size_t to)
{
	size_t n = to - from;
	float *b = malloc(n * sizeof *b);
	memcpy(b, x + from, n * sizeof *b);
	mxd_bq_cascade c;
	mxd_bq_state st[4] = { { 0, 0 } };
	mxd_butterworth_design(&c, true, FS, 5000, 4);
	mxd_bq_cascade_process(&c, st, b, (uint32_t)n);
	double m = 0;
	for (size_t i = n / 10; i < n; i++)
		m = fmax(m, fabs(b[i]));
	free(b);
	return m;
}

/* Silence gives exact zeros; after a noise burst the output is < 1e-20 within
 * tail_s and never subnormal. */
static void check_silence(mxd_fx *fx, double tail_s, const char *what)
{
	size_t nb = (size_t)(FS / 4);
	float **ch = alloc_ch(2, nb);
	run(fx, ch, 2, nb, BLOCK);
	size_t nonzero = 0;
	for (size_t i = 0; i < nb; i++)
		nonzero += ch[0][i] != 0.0f || ch[1][i] != 0.0f;
	CHECK_MSG(nonzero == 0, "%s: %zu nonzero samples from silence", what, nonzero);
	mxt_noise(ch[0], (int64_t)nb, 0.5, 3);
	mxt_noise(ch[1], (int64_t)nb, 0.5, 4);
	run(fx, ch, 2, nb, BLOCK);
	size_t subn = 0, steps = (size_t)(tail_s * 4);
	double last = 0;
	for (size_t k = 0; k < steps; k++) {
		memset(ch[0], 0, nb * sizeof(float));
		memset(ch[1], 0, nb * sizeof(float));
		run(fx, ch, 2, nb, BLOCK);
		for (int c = 0; c < 2; c++)
			for (size_t i = 0; i < nb; i++) {
				float v = fabsf(ch[c][i]);
				subn += v != 0.0f && v < 1.17549435e-38f;
				if (k == steps - 1)
					last = fmax(last, v);
			}
	}
	CHECK_MSG(subn == 0, "%s: %zu subnormal samples in the tail", what, subn);
	CHECK_MSG(last < 1e-20, "%s: tail at %g after %.1f s", what, last, tail_s);
	printf("# %s: last block of the tail max %g%s\n", what, last, last == 0 ? " (exact zeros)" : "");
	free_ch(ch, 2);
}

/* A NaN/Inf burst in a sine, without reset(): finite output again within
 * `within_s` after the burst, and not silent. */
static void check_nan(mxd_fx *fx, double within_s, const char *what)
{
	size_t n = (size_t)(FS * (within_s + 0.5)), burst = (size_t)(FS / 10);
	float **ch = alloc_ch(2, n);
	mxt_sine(ch[0], (int64_t)n, 1, FS, 300, 0.5, 0);
	memcpy(ch[1], ch[0], n * sizeof(float));
	for (size_t i = burst; i < burst + BLOCK; i++)
		ch[0][i] = ch[1][i] = i % 3 == 0 ? NAN : i % 3 == 1 ? INFINITY : -INFINITY;
	run(fx, ch, 2, n, BLOCK);
	size_t bad = 0, from = burst + BLOCK + (size_t)(within_s * FS);
	for (int c = 0; c < 2; c++)
		for (size_t i = from; i < n; i++)
			bad += !isfinite(ch[c][i]);
	CHECK_MSG(bad == 0, "%s: %zu non-finite samples %.2f s after the burst", what, bad, within_s);
	size_t any = 0;
	for (size_t i = from; i < n; i++)
		any += ch[0][i] != 0.0f;
	CHECK_MSG(any > 0, "%s: output silent after the burst", what);
	free_ch(ch, 2);
}

/* ---------------------------------------------------- cookbook reference */

typedef struct {
	double b0, b1, b2, a0, a1, a2;
} coefs;

enum { R_LPF, R_HPF, R_BPF, R_NOTCH, R_APF, R_PEAK, R_LSH, R_HSH };

/* RBJ cookbook, verbatim formulas. For shelves, q <= 0 means "use S = -q". */
static coefs rbj(int type, double fs, double f0, double q, double gain)
{
	double A = pow(10, gain / 40), w0 = 2 * PI * f0 / fs, c = cos(w0), s = sin(w0);
	double alpha = s / (2 * q);
	if ((type == R_LSH || type == R_HSH) && q <= 0) {
		double S = -q;
		alpha = s / 2 * sqrt((A + 1 / A) * (1 / S - 1) + 2);
	}
	double sa = 2 * sqrt(A) * alpha;
	switch (type) {
	case R_LPF: return (coefs){ (1 - c) / 2, 1 - c, (1 - c) / 2, 1 + alpha, -2 * c, 1 - alpha };
	case R_HPF: return (coefs){ (1 + c) / 2, -(1 + c), (1 + c) / 2, 1 + alpha, -2 * c, 1 - alpha };
	case R_BPF: return (coefs){ alpha, 0, -alpha, 1 + alpha, -2 * c, 1 - alpha };
	case R_NOTCH: return (coefs){ 1, -2 * c, 1, 1 + alpha, -2 * c, 1 - alpha };
	case R_APF: return (coefs){ 1 - alpha, -2 * c, 1 + alpha, 1 + alpha, -2 * c, 1 - alpha };
	case R_PEAK: return (coefs){ 1 + alpha * A, -2 * c, 1 - alpha * A, 1 + alpha / A, -2 * c, 1 - alpha / A };
	case R_LSH:
		return (coefs){ A * ((A + 1) - (A - 1) * c + sa), 2 * A * ((A - 1) - (A + 1) * c),
				A * ((A + 1) - (A - 1) * c - sa), (A + 1) + (A - 1) * c + sa,
				-2 * ((A - 1) + (A + 1) * c), (A + 1) + (A - 1) * c - sa };
	default: /* R_HSH */
		return (coefs){ A * ((A + 1) + (A - 1) * c + sa), -2 * A * ((A - 1) + (A + 1) * c),
				A * ((A + 1) + (A - 1) * c - sa), (A + 1) - (A - 1) * c + sa,
				2 * ((A - 1) - (A + 1) * c), (A + 1) - (A - 1) * c - sa };
	}
}

static double complex coefs_h(coefs k, double fs, double f)
{
	double complex z1 = cexp(-I * 2 * PI * f / fs), z2 = z1 * z1;
	return (k.b0 + k.b1 * z1 + k.b2 * z2) / (k.a0 + k.a1 * z1 + k.a2 * z2);
}

/* An analog prototype H(s) (s normalised to w0) seen through the bilinear
 * transform prewarped at f0: s = j tan(w/2) / tan(w0/2). */
static double complex bilinear_s(double fs, double f0, double f)
{
	return I * tan(PI * f / fs) / tan(PI * f0 / fs);
}

/* Reference response of one EQ band (dB). type: eq enum index. */
typedef struct {
	int type;
	double f0, q, gain, slope;
} band_cfg;

static double ref_db(band_cfg b, double fs, double f)
{
	double complex h = 1;
	switch (b.type) {
	case 1: /* highpass */
	case 2: { /* lowpass */
		int n = (int)(b.slope / 6 + 0.5);
		bool hp = b.type == 1;
		double res = fabs(b.q - 0.707) < 1e-9 ? 1 : b.q * sqrt(2);
		for (int k = 1; k <= n / 2; k++) {
			double qk = 1 / (2 * sin((2 * k - 1) * PI / (2 * n))); /* Butterworth pole pairs */
			if (k == 1)
				qk *= res;
			h *= coefs_h(rbj(hp ? R_HPF : R_LPF, fs, b.f0, qk, 0), fs, f);
		}
		if (n & 1) {
			double complex s = bilinear_s(fs, b.f0, f);
			h *= hp ? s / (s + 1) : 1 / (s + 1);
		}
		break;
	}
	case 3: h = coefs_h(rbj(R_LSH, fs, b.f0, b.slope <= 1 ? -b.slope : b.q, b.gain), fs, f); break;
	case 4: h = coefs_h(rbj(R_HSH, fs, b.f0, b.slope <= 1 ? -b.slope : b.q, b.gain), fs, f); break;
	case 5: h = coefs_h(rbj(R_PEAK, fs, b.f0, b.q, b.gain), fs, f); break;
	case 6: h = coefs_h(rbj(R_NOTCH, fs, b.f0, b.q, 0), fs, f); break;
	case 7: h = coefs_h(rbj(R_BPF, fs, b.f0, b.q, 0), fs, f); break;
	case 8: { /* tilt: (g s + 1)/(s + g), g = 10^(gain/40) */
		double g = pow(10, b.gain / 40);
		double complex s = bilinear_s(fs, b.f0, f);
		h = (g * s + 1) / (s + g);
		break;
	}
	default: break;
	}
	return 20 * log10(cabs(h) + 1e-300);
}

static mxd_fx *make_band(band_cfg b, double fs)
{
	char t[40], f[40], q[40], g[40], s[40];
	snprintf(t, sizeof t, "bands.1.type=%d", b.type);
	snprintf(f, sizeof f, "bands.1.freq=%.17g", b.f0);
	snprintf(q, sizeof q, "bands.1.q=%.17g", b.q);
	snprintf(g, sizeof g, "bands.1.gain=%.17g", b.gain);
	snprintf(s, sizeof s, "bands.1.slope=%.17g", b.slope);
	return MAKE("eq", fs, 1, t, f, q, g, s);
}

static float *impulse_response(mxd_fx *fx, size_t n)
{
	float **ch = alloc_ch(1, n);
	ch[0][0] = 1.0f;
	run(fx, ch, 1, n, BLOCK);
	float *h = ch[0];
	free(ch);
	return h;
}

static const char *const type_name[] = { "off", "highpass", "lowpass", "lowshelf", "highshelf",
					 "peak", "notch", "bandpass", "tilt" };

/* Every band type at 44.1/48/96 kHz, 32 log-spaced frequencies 20 Hz ..
 * 0.45 fs, within 0.1 dB of the cookbook wherever the reference is above
 * -60 dB (below that the float impulse response's rounding dominates). */
static void t_eq_matches_cookbook(void)
{
	static const band_cfg cfgs[] = {
		{ 5, 1000, 1.7, 9, 12 },    { 5, 150, 0.5, -12, 12 },  { 5, 12000, 4, 6, 12 },
		{ 3, 200, 0.707, 6, 12 },   { 3, 300, 0.707, -10, 0.5 }, { 4, 4000, 1.2, -8, 12 },
		{ 4, 6000, 0.707, 12, 1 },  { 6, 2000, 4, 0, 12 },     { 7, 800, 2, 0, 12 },
		{ 8, 1000, 0.707, 6, 12 },  { 8, 500, 0.707, -9, 12 }, { 1, 200, 3, 0, 12 },
		{ 2, 3000, 2, 0, 24 },      { 1, 120, 1.5, 0, 18 },    { 2, 5000, 0.5, 0, 48 },
		{ 1, 80, 0.707, 0, 6 },     { 1, 80, 0.707, 0, 12 },   { 1, 80, 0.707, 0, 18 },
		{ 1, 80, 0.707, 0, 24 },    { 1, 80, 0.707, 0, 36 },   { 1, 80, 0.707, 0, 48 },
		{ 2, 8000, 0.707, 0, 6 },   { 2, 8000, 0.707, 0, 12 }, { 2, 8000, 0.707, 0, 18 },
		{ 2, 8000, 0.707, 0, 24 },  { 2, 8000, 0.707, 0, 36 }, { 2, 8000, 0.707, 0, 48 },
	};
	static const double rates[] = { 44100, 48000, 96000 };
	double worst = 0;
	int compared = 0;
	for (size_t r = 0; r < 3; r++) {
		double fs = rates[r];
		size_t n = (size_t)(fs / 2);
		for (size_t k = 0; k < sizeof cfgs / sizeof cfgs[0]; k++) {
			mxd_fx *fx = make_band(cfgs[k], fs);
			if (!fx)
				continue;
			float *h = impulse_response(fx, n);
			for (int i = 0; i < 32; i++) {
				double f = 20 * pow(0.45 * fs / 20, i / 31.0);
				double want = ref_db(cfgs[k], fs, f);
				if (want < -60)
					continue;
				double got = dtft_db(h, n, f, fs);
				compared++;
				worst = fmax(worst, fabs(got - want));
				CHECK_MSG(fabs(got - want) < 0.1, "%s f0 %g q %g gain %g slope %g at %g Hz / %g: %.4f dB, cookbook %.4f",
					  type_name[cfgs[k].type], cfgs[k].f0, cfgs[k].q, cfgs[k].gain, cfgs[k].slope, f, fs,
					  got, want);
			}
			free(h);
			fx->cls->destroy(fx);
		}
	}
	printf("# %d points compared, worst deviation from the cookbook %.2e dB\n", compared, worst);
	CHECK(compared > 2000);
}

/* Butterworth: |H|^2 = 1 / (1 + W^(+-2n)), W the prewarped frequency ratio;
 * -3.01 dB at f0 for every slope (independent of the section split). */
static void t_eq_butterworth_magnitude(void)
{
	static const int slopes[] = { 6, 12, 18, 24, 36, 48 };
	double worst = 0;
	for (int i = 0; i < 6; i++)
		for (int hp = 0; hp < 2; hp++) {
			band_cfg b = { hp ? 1 : 2, hp ? 150 : 6000, 0.707, 0, slopes[i] };
			mxd_fx *fx = make_band(b, FS);
			float *h = impulse_response(fx, (size_t)FS / 2);
			int n = slopes[i] / 6;
			for (int k = 0; k < 32; k++) {
				double f = 20 * pow(0.45 * FS / 20, k / 31.0);
				double W = tan(PI * f / FS) / tan(PI * b.f0 / FS);
				double want = -10 * log10(1 + pow(W, hp ? -2 * n : 2 * n));
				if (want < -60)
					continue;
				double got = dtft_db(h, (size_t)FS / 2, f, FS);
				worst = fmax(worst, fabs(got - want));
				CHECK_MSG(fabs(got - want) < 0.1, "%s %d dB/oct at %g Hz: %.4f, want %.4f", hp ? "HP" : "LP",
					  slopes[i], f, got, want);
			}
			CHECK_NEAR(dtft_db(h, (size_t)FS / 2, b.f0, FS), -3.0103, 0.01);
			free(h);
			fx->cls->destroy(fx);
		}
	printf("# Butterworth magnitude: worst %.2e dB\n", worst);
}

static double sine_gain_db(mxd_fx *fx, double f, double fs)
{
	size_t settle = (size_t)(fs / 2), len = settle + (size_t)(fs / 2);
	float **ch = alloc_ch(1, len);
	mxt_sine(ch[0], (int64_t)len, 1, fs, f, 0.5, 0);
	fx->cls->reset(fx);
	run(fx, ch, 1, len, BLOCK);
	double a = sine_amp(ch[0], settle, len, f, fs);
	free_ch(ch, 1);
	return 20 * log10(a / 0.5);
}

/* Slopes measured with sines one octave apart deep in the stop band:
 * 6.02 n dB/oct within 0.5 dB. The octave is chosen per order so the
 * Butterworth curve is asymptotic there (HP at 48 kHz, corner 1 kHz; LP at
 * 96 kHz, corner 500 Hz, where the bilinear warping is < 0.01 octave). */
static void t_eq_slopes(void)
{
	static const int slopes[] = { 6, 12, 18, 24, 36, 48 };
	static const double octave[] = { 8, 8, 8, 4, 2, 2 }; /* f0 / octave and f0 / (2 octave) */
	for (int i = 0; i < 6; i++) {
		int n = slopes[i] / 6;
		band_cfg hp = { 1, 1000, 0.707, 0, slopes[i] };
		mxd_fx *fx = make_band(hp, FS);
		double a = sine_gain_db(fx, 1000 / octave[i], FS), b = sine_gain_db(fx, 500 / octave[i], FS);
		printf("# HP %d dB/oct: %.3f dB/oct (%.1f, %.1f dB)\n", slopes[i], a - b, a, b);
		CHECK_MSG(fabs((a - b) - 6.0206 * n) < 0.5, "HP %d: %.3f dB/oct", slopes[i], a - b);
		fx->cls->destroy(fx);
		band_cfg lp = { 2, 500, 0.707, 0, slopes[i] };
		fx = make_band(lp, 96000);
		a = sine_gain_db(fx, 500 * octave[i], 96000), b = sine_gain_db(fx, 1000 * octave[i], 96000);
		printf("# LP %d dB/oct: %.3f dB/oct (%.1f, %.1f dB)\n", slopes[i], a - b, a, b);
		CHECK_MSG(fabs((a - b) - 6.0206 * n) < 0.5, "LP %d: %.3f dB/oct", slopes[i], a - b);
		fx->cls->destroy(fx);
	}
}

/* Resonance: a 12 dB/oct highpass with q = 4 peaks at about
 * 20 log10(q^2 / sqrt(q^2 - 1/4)) = +12.0 dB just above f0 and is exactly
 * 20 log10(q) at f0 (the cookbook HPF). */
static void t_eq_resonance(void)
{
	band_cfg b = { 1, 1000, 4, 0, 12 };
	mxd_fx *fx = make_band(b, FS);
	CHECK_NEAR(sine_gain_db(fx, 1000, FS), 20 * log10(4.0), 0.02);
	fx->cls->destroy(fx);
	/* 48 dB/oct with q = 2: the default q stays flat below the corner (LP). */
	band_cfg l = { 2, 2000, 0.707, 0, 48 }, r = { 2, 2000, 2, 0, 48 };
	mxd_fx *f1 = make_band(l, FS), *f2 = make_band(r, FS);
	double g1 = sine_gain_db(f1, 1900, FS), g2 = sine_gain_db(f2, 1900, FS);
	printf("# LP 48 at 0.95 f0: q 0.707 %.2f dB, q 2 %.2f dB\n", g1, g2);
	CHECK(g2 > g1 + 6);
	f1->cls->destroy(f1);
	f2->cls->destroy(f2);
}

/* A 20 Hz highpass in float I/O: a DC offset of 0.5 plus a -100 dBFS 1 kHz
 * tone. After 2 s the output is the tone alone: the residual (output minus
 * the fitted tone) is below -140 dBFS, and with the tone off (pure DC) the
 * output is below -120 dBFS (in fact it decays to exact zeros): no drift, no
 * limit cycle. */
static void t_eq_lowfreq_precision(void)
{
	static const int slopes[] = { 12, 24, 48 };
	for (int k = 0; k < 3; k++) {
		band_cfg b = { 1, 20, 0.707, 0, slopes[k] };
		mxd_fx *fx = make_band(b, FS);
		size_t n = (size_t)(4 * FS), from = (size_t)(2 * FS);
		float **ch = alloc_ch(1, n);
		for (size_t i = 0; i < n; i++)
			ch[0][i] = (float)(0.5 + 1e-5 * sin(2 * PI * 1000 * (double)i / FS));
		run(fx, ch, 1, n, BLOCK);
		double amp = sine_amp(ch[0], from, n, 1000, FS), res = 0;
		/* residual after removing the least-squares tone (amplitude and phase) */
		double w = 2 * PI * 1000 / FS, ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
		for (size_t i = from; i < n; i++) {
			double s = sin(w * (double)i), c = cos(w * (double)i);
			ss += s * s, cc += c * c, sc += s * c, ys += ch[0][i] * s, yc += ch[0][i] * c;
		}
		double det = ss * cc - sc * sc, A = (ys * cc - yc * sc) / det, B = (yc * ss - ys * sc) / det;
		for (size_t i = from; i < n; i++) {
			double e = ch[0][i] - A * sin(w * (double)i) - B * cos(w * (double)i);
			res += e * e;
		}
		double res_db = 10 * log10(res / (double)(n - from) + 1e-300);
		printf("# HP 20 Hz %d dB/oct: tone %.4f dB re input, residual %.1f dBFS\n", slopes[k],
		       20 * log10(amp / 1e-5), res_db);
		CHECK_NEAR(20 * log10(amp / 1e-5), 0.0, 0.01);
		CHECK_MSG(res_db < -140, "residual %.1f dBFS", res_db);
		/* Pure DC. */
		for (size_t i = 0; i < n; i++)
			ch[0][i] = 0.5f;
		fx->cls->reset(fx);
		run(fx, ch, 1, n, BLOCK);
		double peak = 0;
		for (size_t i = from; i < n; i++)
			peak = fmax(peak, fabs(ch[0][i]));
		printf("# HP 20 Hz %d dB/oct on DC 0.5: peak after 2 s %g\n", slopes[k], peak);
		CHECK_MSG(peak < 1e-6, "DC residual %g", peak);
		/* A very low level signal, then silence: exact zeros (no limit cycle). */
		mxt_noise(ch[0], (int64_t)FS, 1e-7, 9);
		memset(ch[0] + (size_t)FS, 0, (n - (size_t)FS) * sizeof(float));
		run(fx, ch, 1, n, BLOCK);
		size_t nz = 0;
		for (size_t i = (size_t)(3.5 * FS); i < n; i++)
			nz += ch[0][i] != 0.0f;
		CHECK_MSG(nz == 0, "%zu nonzero samples 2.5 s after a -140 dB signal stopped", nz);
		free_ch(ch, 1);
		fx->cls->destroy(fx);
	}
}

/* Sweeping freq mid-run: a peak (+12 dB, q 2) moves 100 Hz -> 10 kHz in
 * steps, one set_param per block, while a 200 Hz sine plays; and jumps of
 * every automatable band parameter on every band type. No clicks (step
 * metric <= 1) and no splatter above 5 kHz beyond 1e-4 (an unsmoothed 1 dB
 * gain jump measures > 1e-3 with the same detector). */
static void t_eq_no_clicks(void)
{
	size_t n = 300 * BLOCK;
	float **ch = alloc_ch(2, n);
	mxt_sine(ch[0], (int64_t)n, 1, FS, 200, 0.5, 0);
	memcpy(ch[1], ch[0], n * sizeof(float));
	mxd_fx *fx = MAKE("eq", FS, 2, "bands.1.type=5", "bands.1.freq=100", "bands.1.gain=12", "bands.1.q=2",
			  "bands.2.type=1", "bands.2.freq=30", "bands.2.slope=24");
	for (size_t b = 0; b < 300; b++) {
		if (b >= 100 && b < 200)
			set(fx, "bands.1.freq", 100 * pow(100, (double)(b - 100) / 99));
		float *io[2] = { ch[0] + b * BLOCK, ch[1] + b * BLOCK };
		fx->cls->run(fx, io, NULL, BLOCK);
	}
	double sweep = hf_peak(ch[0], 90 * BLOCK, 220 * BLOCK), quiet = hf_peak(ch[0], 0, 90 * BLOCK);
	double steps = max_step(ch[0], 1, n);
	printf("# sweep 100 Hz -> 10 kHz: splatter %.2e (before %.2e), largest step %.4f\n", sweep, quiet, steps);
	CHECK(sweep < 1e-4);
	CHECK(steps < 4 * 2 * PI * 200 / FS * 0.5 * 1.2); /* +12 dB sine's own largest step, +20 % */
	fx->cls->destroy(fx);
	free_ch(ch, 2);
	static const struct {
		const char *type;
		const char *path;
		double to;
	} jumps[] = {
		{ "5", "freq", 3000 },  { "5", "gain", -18 }, { "5", "q", 8 },     { "3", "freq", 2000 },
		{ "3", "gain", 15 },    { "4", "gain", -15 }, { "4", "q", 0.3 },   { "6", "freq", 220 },
		{ "7", "freq", 5000 },  { "8", "gain", 12 },  { "8", "freq", 50 }, { "1", "freq", 1000 },
		{ "2", "freq", 300 },   { "1", "q", 4 },      { "2", "q", 3 },
	};
	for (size_t k = 0; k < sizeof jumps / sizeof jumps[0]; k++) {
		char t[32], p[32];
		snprintf(t, sizeof t, "bands.1.type=%s", jumps[k].type);
		snprintf(p, sizeof p, "bands.1.%s", jumps[k].path);
		mxd_fx *e = MAKE("eq", FS, 2, t, "bands.1.freq=400", "bands.1.gain=6", "bands.1.slope=24");
		double m = click_ratio(e, p, jumps[k].to);
		CHECK_MSG(m <= 1.0, "%s %s -> %g: click metric %.2f", type_name[atoi(jumps[k].type)], p, jumps[k].to, m);
		e->cls->destroy(e);
	}
}

static void t_eq_robust(void)
{
	mxd_fx *fx = MAKE("eq", FS, 2, "bands.1.type=1", "bands.1.freq=20", "bands.1.slope=48", "bands.2.type=5",
			  "bands.2.gain=12", "bands.2.q=10", "bands.3.type=8", "bands.3.gain=-6", "bands.4.type=4",
			  "bands.4.slope=0.5", "bands.4.gain=9");
	check_silence(fx, 2.0, "eq");
	check_nan(fx, 0.05, "eq");
	fx->cls->destroy(fx);
}

/* Shelf slope S: S = 1 equals Q = 1/sqrt(2); S = 0.5 is gentler (at f0 both
 * are gain/2; an octave above a low shelf's f0, S = 0.5 leaves more gain). */
static void t_eq_shelf_slope(void)
{
	mxd_fx *a = MAKE("eq", FS, 1, "bands.1.type=3", "bands.1.freq=500", "bands.1.gain=12", "bands.1.slope=1");
	mxd_fx *b = MAKE("eq", FS, 1, "bands.1.type=3", "bands.1.freq=500", "bands.1.gain=12",
			 "bands.1.q=0.70710678118654752");
	mxd_fx *c = MAKE("eq", FS, 1, "bands.1.type=3", "bands.1.freq=500", "bands.1.gain=12", "bands.1.slope=0.5");
	CHECK_NEAR(sine_gain_db(a, 1000, FS), sine_gain_db(b, 1000, FS), 1e-4);
	CHECK_NEAR(sine_gain_db(a, 500, FS), 6.0, 0.01);
	CHECK_NEAR(sine_gain_db(c, 500, FS), 6.0, 0.01);
	CHECK(sine_gain_db(c, 1000, FS) > sine_gain_db(a, 1000, FS) + 0.5);
	a->cls->destroy(a);
	b->cls->destroy(b);
	c->cls->destroy(c);
}

/* --------------------------------------------------------------- multiband */

static mxd_fx *make_mb(int bands, const double *xo, const char *extra1, const char *extra2)
{
	char b[32], x[4][40];
	snprintf(b, sizeof b, "bands=%d", bands);
	for (int i = 0; i < 4; i++)
		snprintf(x[i], sizeof x[i], "xover%d=%g", i + 1, i < bands - 1 ? xo[i] : 20000.0);
	return MAKE("multiband", FS, 1, b, x[0], x[1], x[2], x[3], extra1 ? extra1 : b,
		    extra2 ? extra2 : b);
}

/* All bands at unity: the sum is an allpass, flat within 0.05 dB from 20 Hz
 * to 20 kHz (40 log-spaced points, impulse + DFT), for 2, 3, 4 and 5 bands. */
static void t_mb_allpass_sum(void)
{
	static const double xo[4][4] = {
		{ 1000 }, { 200, 2000 }, { 120, 1000, 6000 }, { 100, 500, 2500, 10000 },
	};
	for (int nb = 2; nb <= 5; nb++) {
		mxd_fx *fx = make_mb(nb, xo[nb - 2], NULL, NULL);
		size_t n = (size_t)FS;
		float *h = impulse_response(fx, n);
		double worst = 0;
		for (int i = 0; i < 40; i++) {
			double f = 20 * pow(1000, i / 39.0);
			double g = dtft_db(h, n, f, FS);
			worst = fmax(worst, fabs(g));
		}
		printf("# %d bands: largest deviation from flat %.2e dB\n", nb, worst);
		CHECK_MSG(worst < 0.05, "%d bands: %.4f dB from flat", nb, worst);
		free(h);
		fx->cls->destroy(fx);
	}
}

/* Solo: the band alone is its LR4 band response. The split is a tree, so band
 * k is HP4 of every crossover below it times LP4 of the crossover above it
 * (allpass compensation has magnitude 1). With the bilinear transform,
 * |LP4| = 1/(1 + W^4) and |HP4| = W^4/(1 + W^4), W = tan(pi f/fs)/tan(pi
 * fc/fs): -6.02 dB at each of the band's own crossovers. */
static double lr4_db(double f, double fc, bool hp)
{
	double W4 = pow(tan(PI * f / FS) / tan(PI * fc / FS), 4);
	return 20 * log10((hp ? W4 : 1) / (1 + W4));
}

static void t_mb_solo(void)
{
	static const double xo[] = { 200, 2000, 8000 };
	for (int band = 1; band <= 4; band++) {
		char s[32];
		snprintf(s, sizeof s, "band.%d.solo=1", band);
		mxd_fx *fx = make_mb(4, xo, s, NULL);
		size_t n = (size_t)FS;
		float *h = impulse_response(fx, n);
		double worst = 0;
		for (int i = 0; i < 32; i++) {
			double f = 20 * pow(1000, i / 31.0), want = 0;
			for (int j = 0; j < band - 1; j++)
				want += lr4_db(f, xo[j], true);
			if (band < 4)
				want += lr4_db(f, xo[band - 1], false);
			if (want < -60)
				continue;
			double got = dtft_db(h, n, f, FS);
			worst = fmax(worst, fabs(got - want));
			CHECK_MSG(fabs(got - want) < 0.05, "solo band %d at %g Hz: %.3f dB, want %.3f", band, f, got, want);
		}
		if (band > 1) {
			double at = dtft_db(h, n, xo[band - 2], FS);
			CHECK_MSG(fabs(at + 6.02) < 0.2, "band %d at its lower crossover: %.3f dB", band, at);
		}
		if (band < 4) {
			double at = dtft_db(h, n, xo[band - 1], FS);
			CHECK_MSG(fabs(at + 6.02) < 0.2, "band %d at its upper crossover: %.3f dB", band, at);
		}
		printf("# solo band %d: worst deviation from LR4 %.2e dB\n", band, worst);
		free(h);
		fx->cls->destroy(fx);
	}
}

/* Three tones, one per band (50 Hz, 632 Hz, 8 kHz at 0.3 each; crossovers
 * 200 / 2000, the middle tone at the band's geometric centre). Compressing
 * band 2 (threshold -40, ratio 10) lowers the 632 Hz tone by > 15 dB and
 * leaves the other two within 0.1 dB; +6 dB makeup on band 3 (no
 * compression anywhere) raises only the 8 kHz tone (others within 0.1 dB);
 * bypass on the compressed band 2 restores unity. */
static void tone_levels(mxd_fx *fx, double *lv)
{
	static const double f[3] = { 50, 632, 8000 };
	size_t n = (size_t)(2 * FS);
	float **ch = alloc_ch(1, n);
	for (size_t i = 0; i < n; i++) {
		double t = (double)i / FS;
		ch[0][i] = (float)(0.3 * sin(2 * PI * f[0] * t) + 0.3 * sin(2 * PI * f[1] * t) +
				   0.3 * sin(2 * PI * f[2] * t));
	}
	fx->cls->reset(fx);
	run(fx, ch, 1, n, BLOCK);
	for (int k = 0; k < 3; k++)
		lv[k] = 20 * log10(sine_amp(ch[0], n / 2, n, f[k], FS) / 0.3);
	free_ch(ch, 1);
}

static void t_mb_band_compression(void)
{
	static const double xo[] = { 200, 2000 };
	double ref[3], comp[3], mk[3], byp[3];
	mxd_fx *fx = make_mb(3, xo, NULL, NULL);
	tone_levels(fx, ref);
	set(fx, "band.3.makeup", 6);
	tone_levels(fx, mk);
	fx->cls->destroy(fx);
	fx = make_mb(3, xo, "band.2.threshold=-40", "band.2.ratio=10");
	tone_levels(fx, comp);
	set(fx, "band.2.bypass", 1);
	tone_levels(fx, byp);
	fx->cls->destroy(fx);
	printf("# unity %.3f %.3f %.3f; band 2 compressed %.3f %.3f %.3f; +6 dB band 3 %.3f %.3f %.3f; "
	       "band 2 bypassed %.3f %.3f %.3f\n",
	       ref[0], ref[1], ref[2], comp[0], comp[1], comp[2], mk[0], mk[1], mk[2], byp[0], byp[1], byp[2]);
	for (int k = 0; k < 3; k++)
		CHECK_NEAR(ref[k], 0.0, 0.05);
	CHECK_NEAR(comp[0], ref[0], 0.1);
	CHECK_NEAR(comp[2], ref[2], 0.1);
	CHECK(comp[1] < ref[1] - 15);
	CHECK_NEAR(mk[0], ref[0], 0.1);
	CHECK_NEAR(mk[1], ref[1], 0.1);
	CHECK_NEAR(mk[2], ref[2] + 6, 0.1);
	for (int k = 0; k < 3; k++)
		CHECK_NEAR(byp[k], ref[k], 0.1);
}

/* Every automatable parameter of a band that is compressing, crossover
 * moves, solo and bypass switches: no clicks. */
static void t_mb_no_clicks(void)
{
	static const struct {
		const char *path;
		double to;
	} jumps[] = {
		{ "band.1.threshold", -50 }, { "band.1.ratio", 20 },   { "band.1.knee", 0 },
		{ "band.1.makeup", 12 },     { "band.1.attack", 0.1 }, { "band.1.release", 1 },
		{ "band.1.solo", 1 },        { "band.2.solo", 1 },     { "band.1.bypass", 1 },
		{ "xover1", 150 },           { "xover1", 2000 },       { "xover2", 300 },
	};
	for (size_t k = 0; k < sizeof jumps / sizeof jumps[0]; k++) {
		mxd_fx *fx = MAKE("multiband", FS, 2, "bands=3", "xover1=400", "xover2=3000", "band.1.threshold=-24",
				  "band.1.ratio=4", "band.1.attack=5", "band.1.release=80");
		double m = click_ratio(fx, jumps[k].path, jumps[k].to);
		CHECK_MSG(m <= 1.0, "multiband %s -> %g: click metric %.2f", jumps[k].path, jumps[k].to, m);
		fx->cls->destroy(fx);
	}
}

static void t_mb_robust(void)
{
	mxd_fx *fx = MAKE("multiband", FS, 2, "bands=5", "band.2.threshold=-30", "band.2.ratio=4",
			  "band.4.makeup=6");
	check_silence(fx, 2.0, "multiband");
	check_nan(fx, 0.05, "multiband");
	fx->cls->destroy(fx);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_eq_matches_cookbook), MXT(t_eq_butterworth_magnitude), MXT(t_eq_slopes),
		MXT(t_eq_resonance),        MXT(t_eq_shelf_slope),           MXT(t_eq_lowfreq_precision),
		MXT(t_eq_no_clicks),        MXT(t_eq_robust),                MXT(t_mb_allpass_sum),
		MXT(t_mb_solo),             MXT(t_mb_band_compression),      MXT(t_mb_no_clicks),
		MXT(t_mb_robust),
	};
	return MXT_RUN(cases);
}
