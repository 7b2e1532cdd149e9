/* mixdown — helpers shared by tests/test_fx_limiter.c and tests/test_fx_color.c:
 * instantiate a processor by name with "path=value" overrides, run buffers
 * through it, spectra (kissfft, coherent sampling, rectangular window), and
 * the click metric.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef MIXDOWN_TESTS_FX_COLOR_UTIL_H
#define MIXDOWN_TESTS_FX_COLOR_UTIL_H

#include <kiss_fftr.h>
#include <stdint.h>

#include "fx/processor.h"
#include "harness.h"

#define PI 3.14159265358979323846

static mxd_fx *fxu_make(const char *name, double rate, uint32_t channels, const char *const *kv,
			size_t n_kv)
{
	const mxd_fx_class *cls = mxd_fx_class_find(name);
	if (!cls)
		return NULL;
	double *v = malloc(cls->n_slots * sizeof *v);
	mxd_fx_defaults(cls, v);
	for (size_t i = 0; i < n_kv; i++) {
		char key[64];
		const char *eq = strchr(kv[i], '=');
		snprintf(key, sizeof key, "%.*s", (int)(eq - kv[i]), kv[i]);
		long slot = mxd_fx_param_path(cls, key, NULL);
		if (slot < 0) {
			mxt_fail(__FILE__, __LINE__, "unknown path %s", key);
			continue;
		}
		v[slot] = atof(eq + 1);
	}
	mxd_fx *fx = mxd_fx_instantiate(cls, v, rate, 1024, channels);
	free(v);
	return fx;
}
#define MAKE(name, rate, ch, ...)                                                            \
	fxu_make(name, rate, ch, (const char *const[]){ __VA_ARGS__ },                      \
		 sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

static void fxu_set(mxd_fx *fx, const char *path, double v)
{
	long slot = mxd_fx_param_path(fx->cls, path, NULL);
	CHECK_MSG(slot >= 0, "path %s", path);
	if (slot >= 0)
		fx->cls->set_param(fx, (size_t)slot, v);
}

/* Mono buffer through fx in blocks of `block` (channel count 1). */
static void fxu_run_mono(mxd_fx *fx, float *x, size_t n, uint32_t block)
{
	for (size_t i = 0; i < n; i += block) {
		float *io[1] = { x + i };
		fx->cls->run(fx, io, NULL, (uint32_t)(n - i < block ? n - i : block));
	}
}

/* Amplitude spectrum of x[0..n) (n even), rectangular window, scaled so a
 * bin-centred sine of amplitude A reads A. amp[0..n/2]. */
static void fxu_spectrum(const float *x, size_t n, double *amp)
{
	kiss_fftr_cfg cfg = kiss_fftr_alloc((int)n, 0, NULL, NULL);
	kiss_fft_scalar *in = malloc(n * sizeof *in);
	kiss_fft_cpx *out = malloc((n / 2 + 1) * sizeof *out);
	for (size_t i = 0; i < n; i++)
		in[i] = x[i];
	kiss_fftr(cfg, in, out);
	for (size_t k = 0; k <= n / 2; k++)
		amp[k] = hypot(out[k].r, out[k].i) * (k == 0 || k == n / 2 ? 1.0 : 2.0) / (double)n;
	free(in);
	free(out);
	kiss_fftr_free(cfg);
}

/* Exact DFT amplitude at frequency f (double precision, for bin-centred tones). */
static double fxu_tone_amp(const float *x, size_t n, double rate, double f)
{
	double re = 0, im = 0, w = 2 * PI * f / rate;
	for (size_t i = 0; i < n; i++) {
		re += x[i] * cos(w * (double)i);
		im += x[i] * sin(w * (double)i);
	}
	return 2.0 * hypot(re, im) / (double)n;
}

/* Largest |second difference| of x over [from, to). A click (a step or a
 * kink of the waveform) shows up as a second difference far above what a
 * smooth low-frequency signal has. */
static double fxu_d2max(const float *x, size_t from, size_t to)
{
	double m = 0;
	for (size_t i = from < 2 ? 2 : from; i < to; i++)
		m = fmax(m, fabs((double)x[i] - 2.0 * x[i - 1] + x[i - 2]));
	return m;
}

#endif
