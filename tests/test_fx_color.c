/* mixdown — tests of the `saturation` and `exciter` processors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Tones are bin-centred (coherent: whole periods in the analysis window, so
 * a rectangular window has no leakage); levels come from an exact DFT or a
 * kissfft spectrum. Expected harmonic levels are computed here from each
 * model's documented transfer curve (Fourier series of f(A sin t)). */
#include <stdint.h>

#include "fx/processor.h"
#include "fx_color_util.h"
#include "harness.h"
#include "util.h"

#define FS 48000.0

/* The curves as documented in src/dsp/shaper.h, written out again. */
static double curve(int model, double u)
{
	switch (model) {
	case 0: return u / sqrt(1 + u * u);
	case 1: return u >= 0 ? tanh(u) : 2 * tanh(u / 2);
	case 2: return tanh(u);
	default: return fmax(-1, fmin(1, u));
	}
}

/* Amplitude of harmonic k of f(a sin t + b) - f(b). */
static double expected_harmonic(int model, double a, double b, int k)
{
	const int m = 1 << 14;
	double re = 0, im = 0;
	for (int i = 0; i < m; i++) {
		double t = 2 * PI * i / m, y = curve(model, a * sin(t) + b) - curve(model, b);
		re += y * cos(k * t);
		im += y * sin(k * t);
	}
	return 2 * hypot(re, im) / m;
}

/* Sine through fx (mono), returns the output; analysis starts at `settle`. */
static float *run_sine(mxd_fx *fx, double f, double amp, size_t n)
{
	float *x = malloc(n * sizeof *x);
	for (size_t i = 0; i < n; i++)
		x[i] = (float)(amp * sin(2 * PI * f * (double)i / FS));
	fxu_run_mono(fx, x, n, 500);
	return x;
}

static const char *const model_kv[] = { "model=0", "model=1", "model=2", "model=3" };
static const char *const model_name[] = { "tape", "tube", "softclip", "hardclip" };

/* 1 kHz, 0.5, drive 12 dB: harmonic series against the curve. */
static void t_sat_harmonics(void)
{
	const double amp = 0.5, g = pow(10, 12.0 / 20);
	const size_t settle = 24000, len = 4800, n = settle + len;
	for (int m = 0; m < 4; m++)
		for (int biased = 0; biased < 2; biased++) {
			double bias = biased ? 0.3 : 0.0;
			mxd_fx *fx = MAKE("saturation", FS, 1, model_kv[m], "drive=12", biased ? "bias=0.3" : "bias=0");
			float *y = run_sine(fx, 1000, amp, n);
			double h[6];
			for (int k = 1; k <= 5; k++)
				h[k] = fxu_tone_amp(y + settle, len, FS, 1000.0 * k);
			double e1 = expected_harmonic(m, g * amp, bias, 1);
			double e2 = expected_harmonic(m, g * amp, bias, 2);
			double e3 = expected_harmonic(m, g * amp, bias, 3);
			double d1 = 20 * log10(h[1] / e1), d3 = 20 * log10(h[3] / e3);
			double rel2 = 20 * log10(h[2] / h[1] + 1e-30), rel4 = 20 * log10(h[4] / h[1] + 1e-30);
			printf("# %s bias %.1f: H1 %.2f dB (exp %.2f), H2 %.1f dBc (exp %.1f), H3 %.2f dBc (exp "
			       "%.2f), H4 %.1f dBc\n",
			       model_name[m], bias, 20 * log10(h[1]), 20 * log10(e1), rel2,
			       20 * log10(e2 / e1 + 1e-30), 20 * log10(h[3] / h[1]), 20 * log10(e3 / e1), rel4);
			CHECK_MSG(fabs(d1) < 0.1, "%s: fundamental off by %.3f dB", model_name[m], d1);
			CHECK_MSG(fabs(d3) < 0.5, "%s bias %g: 3rd harmonic off by %.3f dB", model_name[m], bias, d3);
			if (m != 1 && !biased) { /* symmetric curve: no even harmonics */
				CHECK_MSG(rel2 < -80 && rel4 < -80, "%s: even harmonics %.1f / %.1f dBc", model_name[m],
					  rel2, rel4);
			} else { /* asymmetric: 2nd harmonic present and as computed */
				CHECK_MSG(rel2 > -40, "%s bias %g: 2nd harmonic only %.1f dBc", model_name[m], bias, rel2);
				CHECK_NEAR(20 * log10(h[2] / e2), 0.0, 0.5);
			}
			free(y);
			fx->cls->destroy(fx);
		}
}

/* 15 kHz at 48 kHz driven 2x into the curve: every line other than DC and
 * 15 kHz is an alias; all >= 60 dB below the fundamental. */
static void t_sat_aliasing(void)
{
	const size_t settle = 24000, len = 4800, n = settle + len;
	for (int m = 0; m < 4; m++)
		for (int biased = 0; biased < 2; biased++) {
			mxd_fx *fx = MAKE("saturation", FS, 1, model_kv[m], "drive=12", biased ? "bias=0.3" : "bias=0");
			float *y = run_sine(fx, 15000, 0.5, n);
			double *amp = malloc((len / 2 + 1) * sizeof *amp);
			fxu_spectrum(y + settle, len, amp);
			size_t kf = 1500, worst_k = 0; /* 10 Hz bins */
			double worst = 0;
			for (size_t k = 1; k <= len / 2; k++)
				if (k != kf && amp[k] > worst)
					worst = amp[k], worst_k = k;
			double rel = 20 * log10(worst / amp[kf]);
			printf("# %s bias %.1f, 15 kHz: worst alias %.1f dBc at %zu Hz\n", model_name[m],
			       biased ? 0.3 : 0.0, rel, worst_k * 10);
			CHECK_MSG(rel < -60.0, "%s: alias at %.1f dBc", model_name[m], rel);
			free(amp);
			free(y);
			fx->cls->destroy(fx);
		}
}

/* mix 0: the input delayed by latency, exactly; mix 0.5 in the linear
 * region: still the delayed input (dry and wet aligned: no comb filter). */
static void t_sat_mix_latency(void)
{
	const size_t n = 20000;
	for (int m = 0; m < 4; m++) {
		mxd_fx *f0 = MAKE("saturation", FS, 1, model_kv[m], "drive=12", "mix=0");
		mxd_fx *f5 = MAKE("saturation", FS, 1, model_kv[m], "drive=0", "mix=0.5");
		uint32_t lat = f0->cls->latency(f0);
		CHECK_INT(lat, f5->cls->latency(f5));
		float *x = malloc(n * sizeof *x), *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
		for (size_t i = 0; i < n; i++)
			x[i] = (float)(0.5 * sin(2 * PI * 5000 * (double)i / FS) * (i > 1000 ? 1 : 0));
		memcpy(a, x, n * sizeof *x);
		fxu_run_mono(f0, a, n, 256);
		double e0 = 0;
		for (size_t i = lat; i < n; i++)
			e0 = fmax(e0, fabs(a[i] - x[i - lat]));
		CHECK_MSG(e0 == 0.0, "%s: mix 0 deviates by %g", model_name[m], e0);
		for (size_t i = 0; i < n; i++)
			b[i] = x[i] * 0.002f;
		memcpy(a, b, n * sizeof *b);
		fxu_run_mono(f5, a, n, 256);
		double e5 = 0;
		for (size_t i = 10000; i < n; i++)
			e5 = fmax(e5, fabs(a[i] - b[i - lat]));
		double rel = 20 * log10(e5 / 0.001 + 1e-30);
		printf("# %s: latency %u, mix 0.5 residual vs delayed input %.1f dB\n", model_name[m], lat, rel);
		CHECK_MSG(rel < -50.0, "%s: mix 0.5 residual %.1f dB", model_name[m], rel);
		free(x), free(a), free(b);
		f0->cls->destroy(f0);
		f5->cls->destroy(f5);
	}
}

/* ----------------------------------------------------------------- exciter */

static void t_exciter(void)
{
	const size_t settle = 24000, len = 4800, n = settle + len;
	/* 200 Hz: below frequency, passes with nothing added */
	mxd_fx *fx = MAKE("exciter", FS, 1, "frequency=3000", "amount=1", "drive=24");
	uint32_t lat = fx->cls->latency(fx);
	float *y = run_sine(fx, 200, 0.5, n);
	double res = 0;
	for (size_t i = settle; i < n; i++) {
		double x = 0.5 * sin(2 * PI * 200 * (double)(i - lat) / FS);
		res = fmax(res, fabs(y[i] - x));
	}
	double res_db = 20 * log10(res / 0.5 + 1e-30);
	printf("# exciter 200 Hz: max deviation from the delayed input %.1f dB\n", res_db);
	CHECK_MSG(res_db < -60, "200 Hz: %.1f dB added", res_db);
	free(y);
	fx->cls->destroy(fx);

	/* 5 kHz: above frequency, harmonics appear; the fundamental is unchanged */
	fx = MAKE("exciter", FS, 1, "frequency=3000", "amount=1", "drive=12");
	y = run_sine(fx, 5000, 0.5, n);
	double h1 = fxu_tone_amp(y + settle, len, FS, 5000), h2 = fxu_tone_amp(y + settle, len, FS, 10000),
	       h3 = fxu_tone_amp(y + settle, len, FS, 15000);
	printf("# exciter 5 kHz: H1 %.3f dB, H2 %.1f dBc, H3 %.1f dBc\n", 20 * log10(h1 / 0.5),
	       20 * log10(h2 / h1), 20 * log10(h3 / h1));
	CHECK_MSG(20 * log10(h2 / h1) > -40, "5 kHz: 2nd harmonic too weak");
	CHECK_MSG(20 * log10(h3 / h1) < -80, "5 kHz: odd harmonic from an even curve");
	CHECK_NEAR(20 * log10(h1 / 0.5), 0.0, 0.01); /* only harmonics are added */
	free(y);
	fx->cls->destroy(fx);

	/* amount 0: a null against the delayed input */
	fx = MAKE("exciter", FS, 1, "amount=0", "drive=24");
	float *x = malloc(n * sizeof *x);
	mxt_noise(x, (int64_t)n, 0.8, 5);
	y = malloc(n * sizeof *y);
	memcpy(y, x, n * sizeof *x);
	fxu_run_mono(fx, y, n, 300);
	double e = 0;
	for (size_t i = lat; i < n; i++)
		e = fmax(e, fabs(y[i] - x[i - lat]));
	CHECK_MSG(e == 0.0, "amount 0 deviates by %g", e);
	free(x), free(y);
	fx->cls->destroy(fx);
}

/* ------------------------------------------------- clicks, silence, NaN */

static bool no_click(const float *y, size_t fs, double *ratio)
{
	double before = fxu_d2max(y, fs * 3 / 10, fs / 2), after = fxu_d2max(y, fs * 8 / 10, fs);
	double during = fxu_d2max(y, fs / 2, fs * 8 / 10);
	*ratio = during / fmax(before, after);
	return during <= 1.5 * fmax(before, after) + 1e-4;
}

static void t_clicks(void)
{
	static const struct {
		const char *cls, *path;
		double to;
	} ch[] = {
		{ "saturation", "drive", 24 }, { "saturation", "drive", 0 },   { "saturation", "output", -12 },
		{ "saturation", "bias", 0.5 }, { "saturation", "mix", 0.2 },   { "exciter", "frequency", 1500 },
		{ "exciter", "amount", 1 },    { "exciter", "amount", 0 },     { "exciter", "drive", 24 },
	};
	const size_t fs = 48000, n = 48000;
	float *x = malloc(n * sizeof *x);
	double ratio;
	for (size_t i = 0; i < n; i++) /* the metric catches an unsmoothed 3 dB step */
		x[i] = (float)(0.5 * sin(2 * PI * 200 * (double)i / fs + 1) * (i < n / 2 ? 1.0 : 0.7079));
	CHECK(!no_click(x, fs, &ratio));
	for (size_t c = 0; c < sizeof ch / sizeof ch[0]; c++) {
		bool sat = strcmp(ch[c].cls, "saturation") == 0;
		mxd_fx *fx = sat ? MAKE("saturation", (double)fs, 1, "model=0", "drive=12")
				 : MAKE("exciter", (double)fs, 1, "frequency=3000", "amount=0.5");
		for (size_t i = 0; i < n; i++)
			x[i] = (float)(0.5 * sin(2 * PI * 200 * (double)i / fs + 1) +
				       (sat ? 0.0 : 0.05 * sin(2 * PI * 3500 * (double)i / fs)));
		fxu_run_mono(fx, x, n / 2, 256);
		fxu_set(fx, ch[c].path, ch[c].to);
		fxu_run_mono(fx, x + n / 2, n / 2, 256);
		CHECK_MSG(no_click(x, fs, &ratio), "%s %s -> %g: click ratio %.3f", ch[c].cls, ch[c].path,
			  ch[c].to, ratio);
		fx->cls->destroy(fx);
	}
	free(x);
}

static void t_silence_and_nan(void)
{
	static const struct {
		const char *cls;
		const char *kv[3];
	} cfg[] = {
		{ "saturation", { "model=0", "bias=0.5", "drive=24" } },
		{ "saturation", { "model=1", "bias=-0.3", "mix=0.5" } },
		{ "saturation", { "model=3", "bias=0.5", "drive=24" } },
		{ "exciter", { "amount=1", "drive=24", "frequency=1000" } },
	};
	enum { B = 256 };
	for (size_t c = 0; c < sizeof cfg / sizeof cfg[0]; c++) {
		mxd_fx *fx = fxu_make(cfg[c].cls, FS, 2, cfg[c].kv, 3);
		float a[B], b[B], ra[B], rb[B];
		float *io[2] = { a, b }, *rio[2] = { ra, rb };
		mxt_noise(a, B, 1.0, 1);
		mxt_noise(b, B, 1.0, 2);
		fx->cls->run(fx, io, NULL, B);
		double worst = 0;
		for (int k = 0; k < 600; k++) { /* 3.2 s: the 5 Hz DC blocker's tail */
			memset(a, 0, sizeof a);
			memset(b, 0, sizeof b);
			fx->cls->run(fx, io, NULL, B);
			if (k >= 500)
				for (int i = 0; i < B; i++)
					worst = fmax(worst, fmax(fabs(a[i]), fabs(b[i])));
		}
		CHECK_MSG(worst < 1e-20, "%s: %g after silence", cfg[c].cls, worst);
		fx->cls->destroy(fx);

		mxd_fx *f1 = fxu_make(cfg[c].cls, FS, 2, cfg[c].kv, 3);
		mxd_fx *f2 = fxu_make(cfg[c].cls, FS, 2, cfg[c].kv, 3);
		mxt_noise(a, B, 0.5, 71);
		mxt_noise(b, B, 0.5, 72);
		a[3] = NAN, b[100] = INFINITY, a[200] = -INFINITY;
		f1->cls->run(f1, io, NULL, B);
		int finite = 1;
		double diff = 0;
		for (int k = 0; k < 200; k++) {
			mxt_noise(a, B, 0.5, 100 + (uint32_t)k);
			mxt_noise(b, B, 0.5, 1000 + (uint32_t)k);
			memcpy(ra, a, sizeof a);
			memcpy(rb, b, sizeof b);
			f1->cls->run(f1, io, NULL, B);
			f2->cls->run(f2, rio, NULL, B);
			for (int i = 0; i < B; i++)
				finite &= isfinite(a[i]) && isfinite(b[i]);
			if (k == 199)
				for (int i = 0; i < B; i++)
					diff = fmax(diff, fmax(fabs(a[i] - ra[i]), fabs(b[i] - rb[i])));
		}
		CHECK_MSG(finite, "%s: non-finite output", cfg[c].cls);
		CHECK_MSG(diff < 1e-5, "%s: differs from a fresh instance by %g", cfg[c].cls, diff);
		f1->cls->destroy(f1);
		f2->cls->destroy(f2);
	}
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_sat_harmonics), MXT(t_sat_aliasing), MXT(t_sat_mix_latency),
		MXT(t_exciter),       MXT(t_clicks),       MXT(t_silence_and_nan),
	};
	return MXT_RUN(cases);
}
