/* mixdown — the spectrum section of `mixdown analyze` (src/analysis/spectrum*.c):
 * band levels of sines (power calibration), tilt and broad bands of white and
 * pink noise (analytic), per-band pan / correlation / mono fold of planted
 * stereo content, a planted resonance, planted sibilance bursts, short files
 * and the JSON member.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Signals are synthesized in memory and fed to the streaming analyzer
 * (mxd_analyzer_*) in 4800-frame pieces. Noise with a prescribed spectrum is
 * made in the frequency domain (unit magnitude times f^(slope/2), random phase,
 * one inverse real FFT of 2^20 points), so its long-term spectrum is exact.
 * Levels in dBFS (power: a full-scale sine reads -3.01), frequencies in Hz.
 */
#include <kiss_fftr.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "dsp/biquad.h"
#include "harness.h"
#include "mixdown/mixdown.h"
#include "util.h"

#define PIECE 4800
#define NOISE_LEN (1u << 20)
#define K_1K 17   /* band index of 1 kHz */
#define K_4K 23   /* 3981 Hz */
#define K_10K 27

static mixdown_analysis *analyze(const float *x, size_t frames, double rate, uint32_t ch)
{
	mxd_analyzer *z = NULL;
	mixdown_analysis *a = NULL;
	if (mxd_analyzer_new(rate, ch, NULL, &z, NULL) != MIXDOWN_SUCCESS)
		return NULL;
	for (size_t i = 0; i < frames; i += PIECE) {
		size_t k = frames - i < PIECE ? frames - i : PIECE;
		if (mxd_analyzer_feed(z, x + i * ch, k, NULL) != MIXDOWN_SUCCESS) {
			mxd_analyzer_free(z);
			return NULL;
		}
	}
	CHECK_INT(mxd_analyzer_finish(z, "synth", &a, NULL), MIXDOWN_SUCCESS);
	return a;
}

/* NOISE_LEN samples (periodic) with power density ~ f^slope between lo and hi
 * (slope 0 white, -1 pink), RMS 1. Caller frees. */
static float *shaped_noise(double rate, double slope, double lo, double hi, uint32_t seed)
{
	const uint32_t n = NOISE_LEN, bins = n / 2 + 1;
	kiss_fft_cpx *X = calloc(bins, sizeof *X);
	float *y = malloc(n * sizeof *y);
	kiss_fftr_cfg inv = kiss_fftr_alloc((int)n, 1, NULL, NULL);
	if (!X || !y || !inv) {
		free(X);
		free(y);
		kiss_fftr_free(inv);
		return NULL;
	}
	uint32_t s = seed;
	for (uint32_t k = 1; k < bins - 1; k++) {
		double f = k * rate / n;
		s = s * 1664525u + 1013904223u;
		double ph = 2.0 * M_PI * (s >> 8) / 16777216.0;
		double m = f >= lo && f <= hi ? pow(f, slope / 2.0) : 0.0;
		X[k].r = (float)(m * cos(ph));
		X[k].i = (float)(m * sin(ph));
	}
	kiss_fftri(inv, X, y);
	double ss = 0;
	for (uint32_t i = 0; i < n; i++)
		ss += (double)y[i] * y[i];
	float g = (float)(1.0 / sqrt(ss / n));
	for (uint32_t i = 0; i < n; i++)
		y[i] *= g;
	free(X);
	kiss_fftr_free(inv);
	return y;
}

/* Interleaved buffer of `frames` x ch with the noise (looped) times amp on every channel. */
static float *noise_on_all(const float *nz, size_t frames, uint32_t ch, double amp)
{
	float *x = malloc(frames * ch * sizeof *x);
	for (size_t i = 0; x && i < frames; i++)
		for (uint32_t c = 0; c < ch; c++)
			x[i * ch + c] = (float)(amp * nz[i % NOISE_LEN]);
	return x;
}

static void add_sine(float *x, size_t frames, uint32_t ch, uint32_t c, double rate, double f, double amp)
{
	for (size_t i = 0; i < frames; i++)
		x[i * ch + c] += (float)(amp * sin(2.0 * M_PI * f * (double)i / rate));
}

static double band_power_sum(const mixdown_analysis *a)
{
	double p = 0;
	for (size_t b = 0; b < MIXDOWN_BANDS; b++)
		if (isfinite(a->spectrum.level[b]))
			p += pow(10.0, a->spectrum.level[b] / 10.0);
	return 10.0 * log10(p);
}

/* A full-scale sine on every channel reads -3.01 dBFS in its band, at any rate and channel count. */
static void t_sine_calibration(void)
{
	static const double rates[] = { 8000, 44100, 48000, 96000, 384000 };
	for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
		for (uint32_t ch = 1; ch <= 2; ch++) {
			const double rate = rates[r];
			size_t n = (size_t)(1.5 * rate);
			float *x = calloc(n * ch, sizeof *x);
			for (uint32_t c = 0; c < ch; c++)
				add_sine(x, n, ch, c, rate, 1000.0, 1.0);
			mixdown_analysis *a = analyze(x, n, rate, ch);
			CHECK(a && a->spectrum.valid);
			if (a) {
				CHECK_NEAR(a->spectrum.level[K_1K], -3.0103, 0.02);
				CHECK(a->spectrum.level[K_1K - 3] < -60.0);
				CHECK(a->spectrum.level[K_1K + 3] < -60.0);
				CHECK_NEAR(band_power_sum(a), -3.0103, 0.02);
				CHECK_NEAR(a->spectrum.broad[1], 0.0, 0.01);
				CHECK_NEAR(a->spectrum.centroid, 1000.0, 1.0);
				for (size_t b = 0; b < MIXDOWN_BANDS; b++) {
					double lo, hi;
					mxd_band_edges(b, &lo, &hi);
					if (lo >= rate / 2)
						CHECK(a->spectrum.level[b] == -INFINITY);
				}
			}
			mixdown_analysis_free(a);
			/* 10 kHz at -20 dBFS peak where the rate allows it. */
			if (rate >= 44100) {
				memset(x, 0, n * ch * sizeof *x);
				for (uint32_t c = 0; c < ch; c++)
					add_sine(x, n, ch, c, rate, 10000.0, 0.1);
				a = analyze(x, n, rate, ch);
				if (a)
					CHECK_NEAR(a->spectrum.level[K_10K], -23.0103, 0.02);
				mixdown_analysis_free(a);
			}
			free(x);
		}
	}
	/* Pooling is the mean over channels (LFE not special): one channel of six carries the tone. */
	const double rate = 48000;
	size_t n = (size_t)rate;
	float *x = calloc(n * 6, sizeof *x);
	add_sine(x, n, 6, 3, rate, 1000.0, 1.0);
	mixdown_analysis *a = analyze(x, n, rate, 6);
	if (a)
		CHECK_NEAR(a->spectrum.level[K_1K], -3.0103 - 10.0 * log10(6.0), 0.02);
	mixdown_analysis_free(a);
	free(x);
}

/* White noise: one-third-octave band power grows with the bandwidth (+3.01 dB
 * per octave); broad bands hold their share of the bandwidth. Pink noise: flat. */
static void t_noise_balance(void)
{
	const double rate = 48000;
	const size_t n = (size_t)(20 * rate);
	float *x = malloc(n * 2 * sizeof *x);
	mxt_noise(x, (int64_t)n * 2, 0.5, 1234); /* uniform: mean square 0.25 / 3 */
	mixdown_analysis *a = analyze(x, n, rate, 2);
	CHECK(a != NULL);
	if (a) {
		printf("# white noise: tilt %.3f dB/oct, centroid %.0f Hz, broad %.2f %.2f %.2f %.2f dB\n",
		       a->spectrum.tilt, a->spectrum.centroid, a->spectrum.broad[0], a->spectrum.broad[1],
		       a->spectrum.broad[2], a->spectrum.broad[3]);
		CHECK_NEAR(a->spectrum.tilt, 10.0 * log10(2.0), 0.3);
		CHECK_NEAR(a->spectrum.tilt, 10.0 * log10(2.0), 0.05); /* what it measures */
		const double edge[5] = { 20, 250, 2000, 8000, 24000 };
		for (int b = 0; b < 4; b++)
			CHECK_NEAR(a->spectrum.broad[b], 10.0 * log10((edge[b + 1] - edge[b]) / (24000.0 - 20.0)), 0.1);
		CHECK_NEAR(a->spectrum.centroid, (20.0 + 24000.0) / 2, 60.0);
		double lo, hi;
		mxd_band_edges(K_1K, &lo, &hi);
		CHECK_NEAR(a->spectrum.level[K_1K], 10.0 * log10(0.25 / 3 * (hi - lo) / 24000.0), 0.2);
		CHECK_INT(a->spectrum.n_resonances, 0);
		CHECK_INT(a->spectrum.n_sibilance, 0);
		/* Independent channels: correlation near 0, 3 dB mono fold loss, centred. */
		CHECK(fabs(a->spectrum.correlation[K_1K]) < 0.05);
		CHECK_NEAR(a->spectrum.mono_drop[K_1K], 3.01, 0.25);
		CHECK(fabs(a->spectrum.pan[K_1K]) < 0.05);
	}
	mixdown_analysis_free(a);
	free(x);

	static const double prates[] = { 44100, 48000 };
	for (int r = 0; r < 2; r++) {
		float *nz = shaped_noise(prates[r], -1.0, 10.0, prates[r] / 2, 77);
		size_t m = (size_t)(15 * prates[r]);
		x = nz ? noise_on_all(nz, m, 2, 0.1) : NULL;
		a = x ? analyze(x, m, prates[r], 2) : NULL;
		CHECK(a != NULL);
		if (a) {
			printf("# pink noise at %.0f Hz: tilt %.3f dB/oct\n", prates[r], a->spectrum.tilt);
			CHECK_NEAR(a->spectrum.tilt, 0.0, 0.3);
			CHECK_NEAR(a->spectrum.tilt, 0.0, 0.1);
			double mn = INFINITY, mx = -INFINITY;
			for (size_t b = 4; b <= 29; b++) {
				mn = fmin(mn, a->spectrum.level[b]);
				mx = fmax(mx, a->spectrum.level[b]);
			}
			CHECK_MSG(mx - mn < 1.0, "pink band levels spread %.2f dB", mx - mn);
			CHECK_INT(a->spectrum.n_resonances, 0);
			CHECK_INT(a->spectrum.n_sibilance, 0);
			CHECK(a->spectrum.correlation[K_1K] > 0.999);
			CHECK_NEAR(a->spectrum.mono_drop[K_1K], 0.0, 0.01);
		}
		mixdown_analysis_free(a);
		free(x);
		free(nz);
	}
}

/* Pink noise in the centre, a 1 kHz tone hard left, a 4 kHz tone out of phase. */
static void t_stereo_bands(void)
{
	const double rate = 48000;
	const size_t n = (size_t)(10 * rate);
	float *nz = shaped_noise(rate, -1.0, 10.0, rate / 2, 5);
	float *x = nz ? noise_on_all(nz, n, 2, 0.05) : NULL;
	CHECK(x != NULL);
	if (!x) {
		free(nz);
		return;
	}
	add_sine(x, n, 2, 0, rate, 1000.0, 0.25);
	add_sine(x, n, 2, 0, rate, 4000.0, 0.25);
	add_sine(x, n, 2, 1, rate, 4000.0, -0.25);
	mixdown_analysis *a = analyze(x, n, rate, 2);
	CHECK(a != NULL);
	if (a) {
		printf("# left 1 kHz: pan %.3f, mono drop %.2f dB, corr %.3f; L = -R 4 kHz: corr %.3f, drop %.1f dB\n",
		       a->spectrum.pan[K_1K], a->spectrum.mono_drop[K_1K], a->spectrum.correlation[K_1K],
		       a->spectrum.correlation[K_4K], a->spectrum.mono_drop[K_4K]);
		CHECK(a->spectrum.pan[K_1K] < -0.95);
		CHECK_NEAR(a->spectrum.mono_drop[K_1K], 3.01, 0.1); /* one side only: half the power is lost */
		CHECK(a->spectrum.correlation[K_1K] < 0.2);
		CHECK(a->spectrum.correlation[K_4K] < -0.95);
		CHECK(a->spectrum.mono_drop[K_4K] > 20.0);
		CHECK(fabs(a->spectrum.pan[K_4K]) < 0.02); /* equal magnitudes: centred */
		for (size_t b = 4; b < MIXDOWN_BANDS - 1; b++) {
			if (b == K_1K || b == K_4K)
				continue;
			CHECK_MSG(fabs(a->spectrum.pan[b]) < 0.02, "band %zu pan %.3f", b, a->spectrum.pan[b]);
			CHECK_MSG(a->spectrum.correlation[b] > 0.98, "band %zu corr %.3f", b,
				  a->spectrum.correlation[b]);
			CHECK_MSG(a->spectrum.mono_drop[b] < 0.1, "band %zu drop %.3f", b, a->spectrum.mono_drop[b]);
		}
	}
	mixdown_analysis_free(a);
	/* The same tone hard right. */
	free(x);
	x = noise_on_all(nz, n, 2, 0.05);
	add_sine(x, n, 2, 1, rate, 1000.0, 0.25);
	a = analyze(x, n, rate, 2);
	if (a)
		CHECK(a->spectrum.pan[K_1K] > 0.95);
	mixdown_analysis_free(a);
	free(x);
	/* Mono: the stereo arrays are zeros. */
	x = noise_on_all(nz, n / 4, 1, 0.05);
	a = analyze(x, n / 4, rate, 1);
	if (a)
		for (size_t b = 0; b < MIXDOWN_BANDS; b++)
			CHECK(a->spectrum.pan[b] == 0 && a->spectrum.correlation[b] == 0 &&
			      a->spectrum.mono_drop[b] == 0);
	mixdown_analysis_free(a);
	free(x);
	free(nz);
}

/* -3 dB width of a filter's peak, from its analytic response: f0 / width. */
static double analytic_q(const mxd_biquad *bq, double rate, double f0)
{
	double top;
	mxd_biquad_response(bq, rate, f0, &top, NULL);
	double lo = f0, hi = f0, db;
	do {
		lo -= 0.05;
		mxd_biquad_response(bq, rate, lo, &db, NULL);
	} while (db > top - 3.0);
	do {
		hi += 0.05;
		mxd_biquad_response(bq, rate, hi, &db, NULL);
	} while (db > top - 3.0);
	return f0 / (hi - lo);
}

/* Pink noise through a +15 dB, Q 30 peak at 3150 Hz; pink noise alone has none. */
static void t_resonance(void)
{
	const double rate = 48000, f0 = 3150.0;
	const size_t n = (size_t)(20 * rate);
	float *nz = shaped_noise(rate, -1.0, 10.0, rate / 2, 99);
	float *x = nz ? noise_on_all(nz, n, 1, 0.05) : NULL;
	CHECK(x != NULL);
	if (!x) {
		free(nz);
		return;
	}
	mixdown_analysis *a = analyze(x, n, rate, 1);
	if (a)
		CHECK_INT(a->spectrum.n_resonances, 0);
	mixdown_analysis_free(a);

	mxd_biquad bq;
	mxd_biquad_design(&bq, MXD_BQ_PEAK, rate, f0, 30.0, 15.0);
	mxd_bq_state st = { 0, 0 };
	/* Run the filter over the loop twice so the measured part starts settled. */
	mxd_biquad_process(&bq, &st, x, (uint32_t)n);
	free(x);
	x = noise_on_all(nz, n, 1, 0.05);
	mxd_biquad_process(&bq, &st, x, (uint32_t)n);
	a = analyze(x, n, rate, 1);
	CHECK(a && a->spectrum.n_resonances >= 1);
	if (a && a->spectrum.n_resonances >= 1) {
		const mixdown_resonance *r = &a->spectrum.resonances[0];
		double qa = analytic_q(&bq, rate, f0);
		printf("# resonance %.1f Hz, prominence %.2f dB, q %.1f (filter's -3 dB q %.1f); %zu found\n", r->freq,
		       r->prominence, r->q, qa, a->spectrum.n_resonances);
		CHECK_NEAR(r->freq, f0, 0.02 * f0);
		CHECK_NEAR(r->freq, f0, 0.005 * f0);
		CHECK_NEAR(r->prominence, 15.0, 2.0);
		CHECK_MSG(r->q > 0.7 * qa && r->q < 1.3 * qa, "q %.1f vs %.1f", r->q, qa);
		CHECK_INT(a->spectrum.n_resonances, 1);
	}
	mixdown_analysis_free(a);
	free(x);

	/* A steady 440 Hz tone 25 dB over the noise in its bin: found, with the window's q. */
	x = noise_on_all(nz, n, 1, 0.05);
	add_sine(x, n, 1, 0, rate, 440.0, 0.05);
	a = analyze(x, n, rate, 1);
	CHECK(a && a->spectrum.n_resonances == 1);
	if (a && a->spectrum.n_resonances >= 1) {
		printf("# tone 440 Hz: %.2f Hz, prominence %.1f dB, q %.1f\n", a->spectrum.resonances[0].freq,
		       a->spectrum.resonances[0].prominence, a->spectrum.resonances[0].q);
		CHECK_NEAR(a->spectrum.resonances[0].freq, 440.0, 0.01 * 440.0);
		CHECK(a->spectrum.resonances[0].prominence > 15.0);
		CHECK(a->spectrum.resonances[0].q > 20.0);
	}
	mixdown_analysis_free(a);
	free(x);
	free(nz);
}

/* Pink noise with three 150 ms bursts of 5-10 kHz noise: found where planted. */
static void t_sibilance(void)
{
	const double rate = 48000, len = 0.15;
	const double at[3] = { 3.0, 8.5, 14.2 };
	const size_t n = (size_t)(20 * rate);
	float *nz = shaped_noise(rate, -1.0, 10.0, rate / 2, 11);
	float *hf = shaped_noise(rate, 0.0, 5000.0, 10000.0, 12);
	float *x = nz ? noise_on_all(nz, n, 2, 0.1) : NULL;
	CHECK(x && hf);
	if (!x || !hf) {
		free(nz);
		free(hf);
		free(x);
		return;
	}
	mixdown_analysis *a = analyze(x, n, rate, 2);
	if (a) {
		CHECK_INT(a->spectrum.n_sibilance, 0);
		for (size_t i = 0; i < a->problems.n_messages; i++)
			CHECK(!strstr(a->problems.messages[i], "sibilance"));
	}
	mixdown_analysis_free(a);
	/* Bursts of three times the noise's power, 5 ms raised-cosine edges. */
	const double amp = 0.1 * sqrt(3.0);
	const size_t ramp = (size_t)(0.005 * rate);
	for (int b = 0; b < 3; b++) {
		size_t s0 = (size_t)(at[b] * rate), m = (size_t)(len * rate);
		for (size_t i = 0; i < m; i++) {
			double g = i < ramp ? 0.5 - 0.5 * cos(M_PI * i / ramp)
					    : i >= m - ramp ? 0.5 - 0.5 * cos(M_PI * (m - i) / ramp) : 1.0;
			float v = (float)(amp * g * hf[(s0 + i) % NOISE_LEN]);
			x[(s0 + i) * 2] += v;
			x[(s0 + i) * 2 + 1] += v;
		}
	}
	a = analyze(x, n, rate, 2);
	CHECK(a && a->spectrum.n_sibilance == 3);
	if (a && a->spectrum.n_sibilance == 3) {
		for (int b = 0; b < 3; b++) {
			const mixdown_analysis_range *r = &a->spectrum.sibilance[b];
			printf("# burst %.3f-%.3f s: found %.3f-%.3f s, peak %+.1f dB\n", at[b], at[b] + len,
			       r->start, r->end, r->peak);
			CHECK_NEAR(r->start, at[b], 0.05);
			CHECK_NEAR(r->end, at[b] + len, 0.05);
			CHECK(r->peak >= 6.0 && r->peak < 11.0); /* the share cannot exceed 0 dB: ~10 dB over pink's */
		}
		bool msg = false;
		for (size_t i = 0; i < a->problems.n_messages; i++)
			msg |= strstr(a->problems.messages[i], "harsh sibilance: 3 stretches") != NULL;
		CHECK(msg);
	}
	mixdown_analysis_free(a);
	/* The same bursts 30 dB down in a fade-out are not counted: quieter than the
	 * loudest 5-10 kHz frames by more than 20 dB. */
	for (size_t i = (size_t)(12.0 * rate); i < n; i++)
		for (int c = 0; c < 2; c++)
			x[i * 2 + c] *= 0.0316f;
	a = analyze(x, n, rate, 2);
	CHECK(a && a->spectrum.n_sibilance == 2);
	mixdown_analysis_free(a);
	free(x);
	free(nz);
	free(hf);
}

/* Shorter than a frame: no spectrum. Exactly one frame: valid. Silence: valid, no levels. */
static void t_short_and_silent(void)
{
	const double rate = 48000;
	float *x = calloc(2 * 48000, sizeof *x);
	add_sine(x, 48000, 2, 0, rate, 1000.0, 0.5);
	add_sine(x, 48000, 2, 1, rate, 1000.0, 0.5);
	mixdown_analysis *a = analyze(x, 4095, rate, 2);
	CHECK(a && !a->spectrum.valid);
	if (a) {
		for (size_t b = 0; b < MIXDOWN_BANDS; b++)
			CHECK(a->spectrum.level[b] == -INFINITY);
		CHECK_INT(a->spectrum.n_resonances, 0);
		CHECK(isnan(a->spectrum.tilt));
	}
	mixdown_analysis_free(a);
	a = analyze(x, 4096, rate, 2);
	CHECK(a && a->spectrum.valid);
	if (a)
		CHECK_NEAR(a->spectrum.level[K_1K], -9.03, 0.05);
	mixdown_analysis_free(a);
	memset(x, 0, 2 * 48000 * sizeof *x);
	a = analyze(x, 48000, rate, 2);
	CHECK(a && a->spectrum.valid);
	if (a) {
		CHECK(a->spectrum.level[K_1K] == -INFINITY);
		CHECK(a->spectrum.broad[0] == -INFINITY);
		CHECK(isnan(a->spectrum.centroid));
		CHECK_INT(a->spectrum.n_resonances, 0);
		CHECK_INT(a->spectrum.n_sibilance, 0);
	}
	mixdown_analysis_free(a);
	free(x);
}

/* The JSON member: present, null stereo arrays for mono, resonances listed. */
static void t_json(void)
{
	const double rate = 48000;
	const size_t n = 3 * 48000;
	float *x = calloc(n, sizeof *x);
	mxt_noise(x, (int64_t)n, 0.1, 3);
	add_sine(x, n, 1, 0, rate, 2000.0, 0.5);
	mixdown_analysis *a = analyze(x, n, rate, 1);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (a && f) {
		CHECK_INT(mixdown_analysis_write_json(a, f), 0);
		fclose(f);
		CHECK_STR_CONTAINS(text, "\"spectrum\": {\"valid\": true,");
		CHECK_STR_CONTAINS(text, "\"bands_hz\": [19.95262, 25.11886,");
		CHECK_STR_CONTAINS(text, "\"pan\": null,");
		CHECK_STR_CONTAINS(text, "\"mono_drop\": null,");
		CHECK_STR_CONTAINS(text, "\"resonances\": [{\"freq\": ");
		CHECK(a->spectrum.n_resonances == 1 && fabs(a->spectrum.resonances[0].freq - 2000.0) < 1.0);
		CHECK_STR_CONTAINS(text, "\"sibilance\": []}");
	}
	free(text);
	mixdown_analysis_free(a);
	free(x);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_sine_calibration), MXT(t_noise_balance), MXT(t_stereo_bands), MXT(t_resonance),
		MXT(t_sibilance),        MXT(t_short_and_silent), MXT(t_json),
	};
	return MXT_RUN(cases);
}
