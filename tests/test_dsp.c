/* mixdown — tests of src/dsp: biquad design/processing/response, smoothing, delay line.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Responses are measured by running a float sine through the processing path
 * (blocks of 512) and least-squares fitting a sine and a cosine at the test
 * frequency to the settled output: that yields gain and phase exactly for a
 * pure tone, whatever the number of cycles in the window. */
#include <complex.h>
#include <stdint.h>

#include "dsp/biquad.h"
#include "dsp/delay.h"
#include "dsp/smooth.h"
#include "graph/panner.h"
#include "harness.h"
#include "util.h"

#define PI 3.14159265358979323846
#define FS 48000.0
#define HALF_POWER_DB (-3.0102999566398120) /* 10 log10(1/2) */

/* ------------------------------------------------------------- measurement */

/* Fit y ~ a sin(wn) + b cos(wn) over y[from..to); returns gain (dB, relative to
 * amplitude amp) and phase (radians). */
static void fit_sine(const float *y, size_t from, size_t to, double w, double amp, double *mag_db,
		     double *phase)
{
	double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
	for (size_t n = from; n < to; n++) {
		double s = sin(w * (double)n), c = cos(w * (double)n);
		ss += s * s;
		cc += c * c;
		sc += s * c;
		ys += y[n] * s;
		yc += y[n] * c;
	}
	double det = ss * cc - sc * sc;
	double a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
	*mag_db = 20.0 * log10(hypot(a, b) / amp);
	*phase = atan2(b, a);
}

/* Run a sine of frequency f through cascade c at rate fs: 1 s settle, then fit
 * over about 0.5 s, a whole number of periods (so that the harmonics of the
 * float rounding of the input sine stay orthogonal to the fit). */
static void measure(const mxd_bq_cascade *c, double fs, double f, double *mag_db, double *phase)
{
	size_t settle = (size_t)fs;
	size_t len = settle + (size_t)floor(fmax(1.0, floor(0.5 * f)) * fs / f + 0.5);
	float *buf = malloc(len * sizeof *buf);
	double w = 2.0 * PI * f / fs, amp = 0.5;
	mxd_bq_state st[MXD_BQ_MAX_SECTIONS] = { 0 };
	for (size_t n = 0; n < len; n++)
		buf[n] = (float)(amp * sin(w * (double)n));
	for (size_t n = 0; n < len; n += 512)
		mxd_bq_cascade_process(c, st, buf + n, (uint32_t)(len - n < 512 ? len - n : 512));
	fit_sine(buf, settle, len, w, amp, mag_db, phase);
	free(buf);
}

static double wrap(double p)
{
	while (p > PI)
		p -= 2 * PI;
	while (p <= -PI)
		p += 2 * PI;
	return p;
}

/* ------------------------------------------------ analog RBJ prototypes */

typedef struct {
	mxd_bq_type type;
	double f0, q, gain;
	const char *name;
} design_case;

static const design_case rbj_cases[] = {
	{ MXD_BQ_LOWPASS, 1000, 0.7071, 0, "lowpass" },
	{ MXD_BQ_LOWPASS, 3000, 4.0, 0, "lowpass q4" },
	{ MXD_BQ_HIGHPASS, 1000, 0.7071, 0, "highpass" },
	{ MXD_BQ_HIGHPASS, 200, 2.0, 0, "highpass q2" },
	{ MXD_BQ_BANDPASS, 1000, 2.0, 0, "bandpass" },
	{ MXD_BQ_NOTCH, 1000, 2.0, 0, "notch" },
	{ MXD_BQ_PEAK, 1000, 1.0, 6.0, "peak +6" },
	{ MXD_BQ_PEAK, 5000, 8.0, -15.0, "peak -15" },
	{ MXD_BQ_LOWSHELF, 300, 0.7071, 9.0, "lowshelf +9" },
	{ MXD_BQ_HIGHSHELF, 4000, 1.2, -6.0, "highshelf -6" },
	{ MXD_BQ_LOWPASS1, 1000, 0, 0, "lowpass1" },
	{ MXD_BQ_HIGHPASS1, 1000, 0, 0, "highpass1" },
};

static const double test_freqs[] = { 20, 63, 250, 700, 1000, 1414, 3000, 8000, 15000, 21000 };

/* The cookbook's analog prototype H(s), s normalised to the corner. */
static double complex analog_h(const design_case *d, double complex s)
{
	double A = pow(10.0, d->gain / 40.0), q = d->q, sa = sqrt(A);
	switch (d->type) {
	case MXD_BQ_LOWPASS: return 1.0 / (s * s + s / q + 1.0);
	case MXD_BQ_HIGHPASS: return s * s / (s * s + s / q + 1.0);
	case MXD_BQ_BANDPASS: return (s / q) / (s * s + s / q + 1.0);
	case MXD_BQ_NOTCH: return (s * s + 1.0) / (s * s + s / q + 1.0);
	case MXD_BQ_PEAK: return (s * s + s * (A / q) + 1.0) / (s * s + s / (A * q) + 1.0);
	case MXD_BQ_LOWSHELF:
		return A * (s * s + (sa / q) * s + A) / (A * s * s + (sa / q) * s + 1.0);
	case MXD_BQ_HIGHSHELF:
		return A * (A * s * s + (sa / q) * s + 1.0) / (s * s + (sa / q) * s + A);
	case MXD_BQ_LOWPASS1: return 1.0 / (s + 1.0);
	case MXD_BQ_HIGHPASS1: return s / (s + 1.0);
	}
	return 1.0;
}

/* Bilinear transform prewarped at f0 maps digital f to analog
 * s = j tan(pi f / fs) / tan(pi f0 / fs). */
static double complex warped_s(double f, double f0, double fs)
{
	return I * tan(PI * f / fs) / tan(PI * f0 / fs);
}

/* Digital response from the designed coefficients equals the analog
 * prototype on the warped axis: checks every coefficient formula. */
static void t_rbj_matches_analog_prototype(void)
{
	for (size_t i = 0; i < sizeof rbj_cases / sizeof rbj_cases[0]; i++) {
		const design_case *d = &rbj_cases[i];
		mxd_biquad c;
		mxd_biquad_design(&c, d->type, FS, d->f0, d->q, d->gain);
		for (size_t k = 0; k < sizeof test_freqs / sizeof test_freqs[0]; k++) {
			double f = test_freqs[k], mag, ph;
			mxd_biquad_response(&c, FS, f, &mag, &ph);
			double complex h = analog_h(d, warped_s(f, d->f0, FS));
			double want = 20 * log10(cabs(h));
			if (cabs(h) == 0) { /* the notch's zero: -inf analytically */
				CHECK_MSG(mag < -200, "%s at %g Hz: %.3f dB", d->name, f, mag);
				continue;
			}
			CHECK_MSG(fabs(mag - want) < 1e-6, "%s at %g Hz: %.9f dB, prototype %.9f dB",
				  d->name, f, mag, want);
			CHECK_MSG(fabs(wrap(ph - carg(h))) < 1e-6, "%s at %g Hz: phase %.9f, prototype %.9f",
				  d->name, f, ph, carg(h));
		}
	}
}

/* The float processing path produces the evaluated response. */
static void t_rbj_measured_matches_eval(void)
{
	for (size_t i = 0; i < sizeof rbj_cases / sizeof rbj_cases[0]; i++) {
		const design_case *d = &rbj_cases[i];
		mxd_bq_cascade c;
		mxd_biquad sec;
		mxd_biquad_design(&sec, d->type, FS, d->f0, d->q, d->gain);
		mxd_bq_cascade_single(&c, &sec);
		for (size_t k = 0; k < sizeof test_freqs / sizeof test_freqs[0]; k++) {
			double f = test_freqs[k], mag, ph, emag, eph;
			mxd_bq_cascade_response(&c, FS, f, &emag, &eph);
			if (emag < -100)
				continue; /* below what a float sine can resolve to 0.01 dB */
			measure(&c, FS, f, &mag, &ph);
			CHECK_MSG(fabs(mag - emag) < 0.01, "%s at %g Hz: measured %.4f dB, eval %.4f dB",
				  d->name, f, mag, emag);
			CHECK_MSG(fabs(wrap(ph - eph)) < 1e-3, "%s at %g Hz: measured phase %.5f, eval %.5f",
				  d->name, f, ph, eph);
		}
	}
}

static double measured_db(mxd_bq_type type, double f0, double q, double gain, double f)
{
	mxd_bq_cascade c;
	mxd_biquad sec;
	double mag, ph;
	mxd_biquad_design(&sec, type, FS, f0, q, gain);
	mxd_bq_cascade_single(&c, &sec);
	measure(&c, FS, f, &mag, &ph);
	return mag;
}

static void t_peak_gain_at_f0(void)
{
	CHECK_NEAR(measured_db(MXD_BQ_PEAK, 1000, 1.0, 6.0, 1000), 6.0, 0.01);
	CHECK_NEAR(measured_db(MXD_BQ_PEAK, 250, 4.0, -12.0, 250), -12.0, 0.01);
	CHECK_NEAR(measured_db(MXD_BQ_PEAK, 12000, 0.5, 18.0, 12000), 18.0, 0.01);
	/* Far away a peak is flat. */
	CHECK_NEAR(measured_db(MXD_BQ_PEAK, 1000, 4.0, 12.0, 20), 0.0, 0.02);
}

static void t_shelf_half_gain(void)
{
	/* RBJ shelves pass gain/2 (dB) at f0 and reach the full gain on the plateau. */
	CHECK_NEAR(measured_db(MXD_BQ_LOWSHELF, 500, 0.7071, 12.0, 500), 6.0, 0.01);
	CHECK_NEAR(measured_db(MXD_BQ_LOWSHELF, 500, 0.7071, 12.0, 20), 12.0, 0.05);
	CHECK_NEAR(measured_db(MXD_BQ_LOWSHELF, 500, 0.7071, 12.0, 20000), 0.0, 0.05);
	CHECK_NEAR(measured_db(MXD_BQ_HIGHSHELF, 2000, 0.7071, -8.0, 2000), -4.0, 0.01);
	CHECK_NEAR(measured_db(MXD_BQ_HIGHSHELF, 2000, 0.7071, -8.0, 22000), -8.0, 0.05);
	CHECK_NEAR(measured_db(MXD_BQ_HIGHSHELF, 2000, 0.7071, -8.0, 30), 0.0, 0.05);
}

static void t_shelf_slope_form(void)
{
	/* S = 1 is Q = 1/sqrt(2) for any gain; S = 1 never overshoots. */
	mxd_biquad a, b;
	mxd_biquad_design_shelf_slope(&a, MXD_BQ_LOWSHELF, FS, 800, 1.0, 10.0);
	mxd_biquad_design(&b, MXD_BQ_LOWSHELF, FS, 800, sqrt(0.5), 10.0);
	CHECK_NEAR(a.b0, b.b0, 1e-12);
	CHECK_NEAR(a.b1, b.b1, 1e-12);
	CHECK_NEAR(a.b2, b.b2, 1e-12);
	CHECK_NEAR(a.a1, b.a1, 1e-12);
	CHECK_NEAR(a.a2, b.a2, 1e-12);
	CHECK_NEAR(mxd_biquad_shelf_q(1.0, 10.0), sqrt(0.5), 1e-12);
	/* 1/Q = sqrt((A + 1/A)(1/S - 1) + 2) at S = 0.5, +12 dB: A = 10^(12/40). */
	double A = pow(10, 12.0 / 40);
	CHECK_NEAR(mxd_biquad_shelf_q(0.5, 12.0), 1.0 / sqrt(A + 1 / A + 2), 1e-12);
	mxd_biquad_design_shelf_slope(&a, MXD_BQ_HIGHSHELF, FS, 800, 1.0, 10.0);
	for (double f = 20; f < 23000; f *= 1.25) {
		double m;
		mxd_biquad_response(&a, FS, f, &m, NULL);
		CHECK_MSG(m >= -1e-9 && m <= 10.0 + 1e-9, "S=1 highshelf overshoots at %g Hz: %g dB", f, m);
	}
	mxd_biquad_response(&a, FS, 800, &A, NULL);
	CHECK_NEAR(A, 5.0, 1e-9);
}

static void t_notch_depth(void)
{
	double d = measured_db(MXD_BQ_NOTCH, 1000, 2.0, 0, 1000);
	CHECK_MSG(d < -80.0, "notch depth at f0 only %.2f dB", d);
	mxd_biquad c;
	double m;
	mxd_biquad_design(&c, MXD_BQ_NOTCH, FS, 1000, 2.0, 0);
	mxd_biquad_response(&c, FS, 1000, &m, NULL);
	CHECK_MSG(m < -200.0, "analytic notch depth %.2f dB", m);
	/* Q = f0 / bandwidth between the -3.01 dB points (arithmetic in the
	 * analog domain): at s = j x with x - 1/x = 1/Q the notch is -3.01 dB. */
	double x = (1.0 / 2.0 + sqrt(1.0 / 4.0 + 4.0)) / 2.0; /* root of x^2 - x/Q - 1, Q = 2 */
	double f = FS / PI * atan(x * tan(PI * 1000 / FS));
	CHECK_NEAR(measured_db(MXD_BQ_NOTCH, 1000, 2.0, 0, f), HALF_POWER_DB, 0.01);
}

static void t_bandpass_unity_peak(void)
{
	CHECK_NEAR(measured_db(MXD_BQ_BANDPASS, 2000, 3.0, 0, 2000), 0.0, 0.01);
	CHECK_NEAR(measured_db(MXD_BQ_BANDPASS, 300, 0.5, 0, 300), 0.0, 0.01);
	/* Skirt one decade below: |H(jx)| = (x/Q) / |1 - x^2 + jx/Q| (warped x). */
	double x = tan(PI * 200 / FS) / tan(PI * 2000 / FS);
	double want = 20 * log10((x / 3.0) / hypot(1 - x * x, x / 3.0));
	CHECK_NEAR(measured_db(MXD_BQ_BANDPASS, 2000, 3.0, 0, 200), want, 0.01);
	CHECK(want < -29.0);
}

/* ------------------------------------------------------------ Butterworth */

static const int slopes[] = { 6, 12, 18, 24, 36, 48 };

static void t_butterworth_orders(void)
{
	for (int i = 0; i < 6; i++)
		CHECK_INT(mxd_butterworth_order(slopes[i]), slopes[i] / 6);
	CHECK_INT(mxd_butterworth_order(20), 3);
	CHECK_INT(mxd_butterworth_order(21), 3); /* tie -> gentler */
	CHECK_INT(mxd_butterworth_order(30), 4);
	CHECK_INT(mxd_butterworth_order(42), 6);
	CHECK_INT(mxd_butterworth_order(100), 8);
	CHECK_INT(mxd_butterworth_order(0), 1);
	CHECK_INT(mxd_butterworth_order(NAN), 2);
	mxd_bq_cascade c;
	for (int n = 1; n <= 8; n++) {
		mxd_butterworth_design(&c, false, FS, 1000, n);
		CHECK_INT(c.n, (n + 1) / 2);
	}
}

/* Butterworth |H|^2 = 1 / (1 + x^(2N)) on the warped axis: -3.01 dB at the
 * cutoff, maximally flat, and the exact curve everywhere. */
static void t_butterworth_cutoff(void)
{
	static const double fr[] = { 125, 250, 500, 707, 1414, 2000, 4000, 8000 };
	for (int i = 0; i < 6; i++) {
		int n = slopes[i] / 6;
		for (int hp = 0; hp < 2; hp++) {
			mxd_bq_cascade c;
			double mag, ph;
			mxd_butterworth_design(&c, hp, FS, 1000, n);
			mxd_bq_cascade_response(&c, FS, 1000, &mag, NULL);
			CHECK_MSG(fabs(mag - HALF_POWER_DB) < 1e-9, "%s %d dB/oct: eval %.6f dB at fc",
				  hp ? "HP" : "LP", slopes[i], mag);
			measure(&c, FS, 1000, &mag, &ph);
			CHECK_MSG(fabs(mag - HALF_POWER_DB) < 0.01, "%s %d dB/oct: measured %.4f dB at fc",
				  hp ? "HP" : "LP", slopes[i], mag);
			for (size_t k = 0; k < sizeof fr / sizeof fr[0]; k++) {
				double x = tan(PI * fr[k] / FS) / tan(PI * 1000 / FS);
				if (hp)
					x = 1 / x;
				double want = -10 * log10(1 + pow(x, 2 * n));
				mxd_bq_cascade_response(&c, FS, fr[k], &mag, NULL);
				CHECK_MSG(fabs(mag - want) < 1e-6, "%s order %d at %g Hz: %.6f dB, want %.6f",
					  hp ? "HP" : "LP", n, fr[k], mag, want);
			}
		}
	}
}

/* The stopband falls by 6.02 dB/oct per order. */
static void t_butterworth_asymptotic_slope(void)
{
	for (int i = 0; i < 6; i++) {
		int n = slopes[i] / 6;
		mxd_bq_cascade c;
		double a, b, ph, ea, eb;
		/* Highpass at 1 kHz, octave 62.5 -> 125 Hz (warping negligible). */
		mxd_butterworth_design(&c, true, FS, 1000, n);
		measure(&c, FS, 62.5, &a, &ph);
		measure(&c, FS, 125, &b, &ph);
		mxd_bq_cascade_response(&c, FS, 62.5, &ea, NULL);
		mxd_bq_cascade_response(&c, FS, 125, &eb, NULL);
		CHECK_MSG(fabs((b - a) - 6.0206 * n) < 0.1, "HP order %d: %.3f dB/oct, want %.3f", n,
			  b - a, 6.0206 * n);
		CHECK_NEAR(a, ea, 0.01);
		CHECK_NEAR(b, eb, 0.01);
		/* Lowpass at 100 Hz, octave 800 -> 1600 Hz. The bilinear transform
		 * compresses the axis toward Nyquist, which steepens this octave by
		 * up to 0.19 dB at order 8. */
		mxd_butterworth_design(&c, false, FS, 100, n);
		measure(&c, FS, 800, &a, &ph);
		measure(&c, FS, 1600, &b, &ph);
		CHECK_MSG(fabs((a - b) - 6.0206 * n) < 0.25, "LP order %d: %.3f dB/oct, want %.3f", n,
			  a - b, 6.0206 * n);
		mxd_bq_cascade_response(&c, FS, 800, &ea, NULL);
		mxd_bq_cascade_response(&c, FS, 1600, &eb, NULL);
		CHECK_NEAR(a, ea, 0.01);
		CHECK_NEAR(b, eb, 0.01);
	}
}

/* Low corner frequencies in the float path (double state). */
static void t_lowfreq_accuracy(void)
{
	static const double rates[] = { 48000, 96000, 192000 };
	for (int r = 0; r < 3; r++) {
		for (int n = 2; n <= 8; n += 2) {
			mxd_bq_cascade c;
			double mag, ph;
			mxd_butterworth_design(&c, true, rates[r], 20, n);
			measure(&c, rates[r], 20, &mag, &ph);
			CHECK_MSG(fabs(mag - HALF_POWER_DB) < 0.05, "20 Hz HP order %d at %g Hz: %.4f dB", n,
				  rates[r], mag);
			measure(&c, rates[r], 200, &mag, &ph);
			CHECK_MSG(fabs(mag) < 0.01, "20 Hz HP order %d at %g Hz: passband %.4f dB", n,
				  rates[r], mag);
		}
	}
	/* A 20 Hz peak, where 1 - cos(w0) is tiny. */
	mxd_bq_cascade c;
	mxd_biquad s;
	double mag, ph;
	mxd_biquad_design(&s, MXD_BQ_PEAK, 192000, 20, 2.0, 9.0);
	mxd_bq_cascade_single(&c, &s);
	measure(&c, 192000, 20, &mag, &ph);
	CHECK_NEAR(mag, 9.0, 0.02);
}

/* ------------------------------------------------------------- robustness */

static void t_nan_recovery(void)
{
	mxd_bq_cascade c;
	mxd_butterworth_design(&c, true, FS, 100, 8);
	mxd_bq_state st[MXD_BQ_MAX_SECTIONS] = { 0 }, ref[MXD_BQ_MAX_SECTIONS] = { 0 };
	enum { N = 48000 };
	float *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
	mxt_noise(x, N, 0.5, 7);
	float bad[256];
	memcpy(bad, x, sizeof bad);
	bad[10] = NAN;
	bad[200] = INFINITY;
	mxd_bq_cascade_process(&c, st, bad, 256);
	memcpy(y, x, N * sizeof *y);
	mxd_bq_cascade_process(&c, st, y, N);
	mxd_bq_cascade_process(&c, ref, x, N);
	int finite = 1;
	for (int i = 0; i < N; i++)
		finite &= isfinite(y[i]);
	CHECK(finite);
	/* The recovered filter converges to a fresh one's output. */
	double err = 0;
	for (int i = N - 1000; i < N; i++)
		err = fmax(err, fabs(y[i] - x[i]));
	CHECK_MSG(err < 1e-6, "recovered filter differs by %g", err);
	free(x);
	free(y);
}

static void t_denormal_flush(void)
{
	mxd_bq_cascade c;
	mxd_butterworth_design(&c, false, FS, 20, 4); /* slow decay */
	mxd_bq_state st[MXD_BQ_MAX_SECTIONS] = { 0 };
	enum { N = 480000 };
	float *x = calloc(N, sizeof *x);
	x[0] = 1.0f;
	mxd_bq_cascade_process(&c, st, x, N);
	int subnormal = 0;
	for (int i = 0; i < N; i++)
		subnormal += fpclassify(x[i]) == FP_SUBNORMAL;
	CHECK_INT(subnormal, 0);
	CHECK(x[N - 1] == 0.0f);
	for (uint32_t k = 0; k < c.n; k++)
		CHECK(st[k].s1 == 0.0 && st[k].s2 == 0.0);
	free(x);
}

static void t_zero_length_and_clamps(void)
{
	mxd_biquad c;
	mxd_bq_state st = { 0 };
	mxd_biquad_design(&c, MXD_BQ_PEAK, FS, 1000, 1, 6);
	mxd_biquad_process(&c, &st, NULL, 0);
	CHECK(st.s1 == 0 && st.s2 == 0);
	/* Out-of-range designs stay finite and stable (poles inside |z| = 1). */
	const double bad_f[] = { 0, -5, 30000, 1e9, NAN };
	for (int i = 0; i < 5; i++)
		for (int t = MXD_BQ_LOWPASS; t <= MXD_BQ_HIGHPASS1; t++) {
			mxd_biquad_design(&c, (mxd_bq_type)t, FS, bad_f[i], 0, 6);
			CHECK(isfinite(c.b0) && isfinite(c.b1) && isfinite(c.b2));
			CHECK(fabs(c.a2) < 1.0 && fabs(c.a1) < 1.0 + c.a2);
		}
	mxd_biquad_identity(&c);
	float x[3] = { 0.25f, -1.0f, 3.0f };
	mxd_biquad_process(&c, &st, x, 3);
	CHECK(x[0] == 0.25f && x[1] == -1.0f && x[2] == 3.0f);
}

/* ------------------------------------------------------------------ smooth */

static void t_smooth_ramp(void)
{
	mxd_smooth s;
	mxd_smooth_init(&s, 48000, 20, 1.0);
	CHECK_INT(s.len, 960);
	CHECK(mxd_smooth_settled(&s));
	mxd_smooth_set(&s, 0.0);
	CHECK(!mxd_smooth_settled(&s));
	CHECK_NEAR(mxd_smooth_at(&s, 0), 1.0 - 1.0 / 960, 1e-15);
	CHECK_NEAR(mxd_smooth_at(&s, 479), 0.5, 1e-12);
	CHECK(mxd_smooth_at(&s, 959) == 0.0);
	CHECK_NEAR(mxd_smooth_advance(&s, 480), 0.5, 1e-12);
	CHECK(!mxd_smooth_settled(&s));
	mxd_smooth_advance(&s, 479);
	CHECK(!mxd_smooth_settled(&s));
	CHECK(mxd_smooth_advance(&s, 1) == 0.0); /* exactly the target */
	CHECK(mxd_smooth_settled(&s));
	/* Retarget mid-ramp: continues from where it is, full length again. */
	mxd_smooth_set(&s, 1.0);
	mxd_smooth_advance(&s, 100);
	mxd_smooth_set(&s, -1.0);
	CHECK_INT(s.left, 960);
	CHECK_NEAR(mxd_smooth_at(&s, 959), -1.0, 0);
	mxd_smooth_snap(&s);
	CHECK(s.cur == -1.0 && mxd_smooth_settled(&s));
	/* apply_gain: settled at 1 leaves samples untouched. */
	float a[4] = { 1e-30f, 1.0f, -2.0f, 0.1f }, b[4];
	float *io[1] = { b };
	memcpy(b, a, sizeof a);
	mxd_smooth_init(&s, 48000, 20, 1.0);
	mxd_smooth_apply_gain(&s, io, 1, 4);
	CHECK(memcmp(a, b, sizeof a) == 0);
}

/* ------------------------------------------------------------------- delay */

static void t_delay_line(void)
{
	mxd_delay d = MXD_DELAY_INIT;
	CHECK_INT(mxd_delay_capacity(&d), 0);
	CHECK_INT(mxd_delay_alloc(&d, 100), 0);
	CHECK_INT(mxd_delay_capacity(&d), 100);
	float x[300] = { 0 };
	x[0] = 1.0f;
	x[5] = 0.5f;
	for (int i = 0; i < 300; i += 10)
		mxd_delay_process(&d, x + i, 10, 37);
	for (int i = 0; i < 300; i++) {
		float want = i == 37 ? 1.0f : i == 42 ? 0.5f : 0.0f;
		CHECK_MSG(x[i] == want, "delay output[%d] = %g, want %g", i, x[i], want);
	}
	/* Full capacity, and a second tap read after the same write. */
	mxd_delay_clear(&d);
	float y = 0, tap = 0;
	for (int i = 0; i <= 100; i++) {
		y = mxd_delay_tick(&d, (float)i, 100);
		tap = mxd_delay_read(&d, 3);
	}
	CHECK(y == 0.0f);
	CHECK(tap == 97.0f);
	float z[2] = { 7, 8 };
	mxd_delay_process(&d, z, 2, 0);
	CHECK(z[0] == 7 && z[1] == 8);
	mxd_delay_free(&d);
	mxd_delay_free(&d);
	CHECK(d.buf == NULL);
}

/* A strip's pan and settled fader in one pass (the gain folded into the
 * coefficients): within three float roundings of the exact sum of terms
 * times the gain, computed in double (coefficient, product, sum), for mono
 * and stereo sources with and without cross terms (width), a row with no
 * term, and gains of -1, 0 and others; bit for bit the plain matrix at
 * gain 1. */
static void t_pan_fader_fused(void)
{
	enum { N = 515 };
	static float a[N], b[N], one0[N], one1[N], got0[N], got1[N];
	uint32_t seed = 5;
	for (int k = 0; k < N; k++) {
		seed = seed * 1664525u + 1013904223u;
		a[k] = (float)((int32_t)seed / 2147483648.0) * 1.37f;
		b[k] = k % 7 == 0 ? -0.0f : (float)sin(k * 0.37) * 0.91f;
	}
	const float *in[2] = { a, b };
	float *one[2] = { one0, one1 }, *got[2] = { got0, got1 };
	static const double gains[] = { 1.0, -1.0, 0.0, 0.501187233627, 1.7782794, -0.316227766 };
	static const double widths[] = { 1.0, 0.37, 0.0 };
	const double u = 1.0 / 16777216.0; /* 2^-24, half a float ulp at 1 */
	int cases = 0, outside = 0, unity_differ = 0;
	double worst = 0;
	for (uint32_t ch = 1; ch <= 2; ch++)
		for (int w = 0; w < 3; w++)
			for (int p = -2; p <= 2; p++) {
				mxd_pan_matrix pm;
				mxd_pan_matrix_build(&pm, ch, 2, p * 0.5, -3.0, widths[w]);
				if (p == 2 && ch == 2)
					pm.m[1][0] = pm.m[1][1] = 0.0f; /* an output with no term */
				for (size_t g = 0; g < sizeof gains / sizeof gains[0]; g++) {
					mxd_pan_matrix_apply_gain(&pm, in, got, N, gains[g]);
					for (uint32_t o = 0; o < 2; o++)
						for (int k = 0; k < N; k++) {
							double exact = 0, mag = 0;
							for (uint32_t i = 0; i < ch; i++) {
								exact += (double)pm.m[o][i] * in[i][k] * gains[g];
								mag += fabs((double)pm.m[o][i] * in[i][k] * gains[g]);
							}
							double e = fabs(got[o][k] - exact);
							outside += e > 3.0 * u * mag * 1.0000001;
							worst = mag > 0 && e / mag > worst ? e / mag : worst;
						}
					if (gains[g] == 1.0) {
						mxd_pan_matrix_apply(&pm, in, one, N);
						unity_differ += memcmp(one0, got0, sizeof one0) != 0 ||
								memcmp(one1, got1, sizeof one1) != 0;
					}
					cases++;
				}
			}
	CHECK_INT(cases, 180);
	CHECK_MSG(outside == 0, "%d samples off by more than 3 roundings (worst %.3g of the terms)", outside, worst);
	CHECK_INT(unity_differ, 0);
	printf("# pan x fader in one pass: worst error %.2f float roundings of the terms\n", worst / u);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_rbj_matches_analog_prototype),
		MXT(t_rbj_measured_matches_eval),
		MXT(t_peak_gain_at_f0),
		MXT(t_shelf_half_gain),
		MXT(t_shelf_slope_form),
		MXT(t_notch_depth),
		MXT(t_bandpass_unity_peak),
		MXT(t_butterworth_orders),
		MXT(t_butterworth_cutoff),
		MXT(t_butterworth_asymptotic_slope),
		MXT(t_lowfreq_accuracy),
		MXT(t_nan_recovery),
		MXT(t_denormal_flush),
		MXT(t_zero_length_and_clamps),
		MXT(t_smooth_ramp),
		MXT(t_delay_line),
		MXT(t_pan_fader_fused),
	};
	return MXT_RUN(cases);
}
