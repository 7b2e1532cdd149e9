/* mixdown — tests of the space/stereo processors: reverb, delay (echo), stereo, pan.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Reverb: RT60 by Schroeder backward integration (M. R. Schroeder, "New method
 * of measuring reverberation time", JASA 37, 1965), T20 fit over -5..-25 dB
 * (ISO 3382-1 evaluation range) x 3; normalised echo density (J. S. Abel and
 * P. Huang, "A simple, robust measure of reverberation echo density", AES 121st
 * Convention, 2006): the fraction of samples of a window outside one standard
 * deviation over erfc(1/sqrt 2), 1 for Gaussian noise; interaural
 * cross-correlation (max over +-1 ms of the normalised cross-correlation). */
#include <stdint.h>

#include "dsp/biquad.h"
#include "fx/processor.h"
#include "harness.h"
#include "util.h"

#include "fx_testutil.h"

/* |DFT| of x[from, from+len) at f. */
static double dft_mag(const float *x, size_t from, size_t len, double f, double fs)
{
	double re = 0, im = 0, w = 2 * PI * f / fs;
	for (size_t n = 0; n < len; n++) {
		re += x[from + n] * cos(w * (double)n);
		im -= x[from + n] * sin(w * (double)n);
	}
	return hypot(re, im);
}

/* Click metric (as in test_fx_all.c, on every channel): a 200 Hz sine at 0.5
 * runs through `fx` (2 channels); after 100 blocks `path` jumps to `to`. The
 * largest sample step in the 200 ms after the change over twice the largest
 * step before/after (+2e-3). > 1 means a click. */
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

/* Splatter: peak of the 4th-order 5 kHz high-passed output in the 300 ms after
 * the change (both channels). A 200 Hz sine through a linear processor has
 * none; a parameter jump without smoothing puts a broadband step there. */
static double hf_peak(const float *x, size_t from, size_t to)
{
	size_t n = to - from;
	float *b = malloc(n * sizeof *b);
	memcpy(b, x + from, n * sizeof *b);
	mxd_bq_cascade c;
	mxd_bq_state st[4] = { 0 };
	mxd_butterworth_design(&c, true, FS, 5000, 4);
	mxd_bq_cascade_process(&c, st, b, (uint32_t)n);
	double m = 0;
	for (size_t i = n / 10; i < n; i++) /* skip the filter's own start */
		m = fmax(m, fabs(b[i]));
	free(b);
	return m;
}

static double splatter(mxd_fx *fx, const char *path, double to, double *before)
{
	size_t n = 200 * BLOCK, change = 100 * BLOCK, win = (size_t)(0.3 * FS);
	float **ch = alloc_ch(2, n);
	mxt_sine(ch[0], (int64_t)n, 1, FS, 200, 0.5, 0);
	memcpy(ch[1], ch[0], n * sizeof(float));
	run(fx, ch, 2, change, BLOCK);
	set(fx, path, to);
	float *rest[2] = { ch[0] + change, ch[1] + change };
	run(fx, rest, 2, n - change, BLOCK);
	double after = 0;
	*before = 0;
	for (int c = 0; c < 2; c++) {
		after = fmax(after, hf_peak(ch[c], change - win / 10, change + win));
		*before = fmax(*before, hf_peak(ch[c], change - win - win / 10, change));
	}
	free_ch(ch, 2);
	return after;
}

/* The splatter detector sees an unsmoothed 1 dB gain jump. */
static void t_splatter_detector(void)
{
	size_t n = 200 * BLOCK, change = 100 * BLOCK + 37;
	float *y = malloc(n * sizeof *y);
	mxt_sine(y, (int64_t)n, 1, FS, 200, 0.5, 0);
	for (size_t i = change; i < n; i++)
		y[i] *= 0.891f;
	double jump = hf_peak(y, change - 3000, change + 10000), clean = hf_peak(y, 0, change);
	printf("# splatter of an unsmoothed 1 dB jump %.2e, of the clean sine %.2e\n", jump, clean);
	CHECK(jump > 1e-3 && clean < 1e-5);
	free(y);
}

/* Silence after a noise burst: the output reaches < 1e-20 (counting exact
 * zeros) within `tail_s` and never holds a subnormal. */
static void check_silence(mxd_fx *fx, double tail_s, const char *what)
{
	size_t nb = (size_t)(FS / 4);
	float **ch = alloc_ch(2, nb);
	/* Straight silence first: exact zeros. */
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
	CHECK_MSG(last < 1e-20, "%s: tail at %g after %.0f s", what, last, tail_s);
	printf("# %s: last block of the tail max %g%s\n", what, last, last == 0 ? " (exact zeros)" : "");
	free_ch(ch, 2);
}

/* A NaN/Inf burst in the middle of a sine, without reset(): the output is
 * finite again within `within_s` after the burst. */
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

/* ------------------------------------------------------------------ reverb */

/* Impulse response of a reverb (both channels driven), n frames. */
static float **reverb_ir(mxd_fx *fx, size_t n)
{
	float **ch = alloc_ch(2, n);
	ch[0][0] = ch[1][0] = 1.0f;
	run(fx, ch, 2, n, BLOCK);
	return ch;
}

/* RT60 from the Schroeder integral: T20 (-5..-25 dB) x 3 by least squares. */
static double schroeder_rt60(const float *h, size_t n, double fs)
{
	double *edc = malloc(n * sizeof *edc), acc = 0;
	for (size_t i = n; i-- > 0;) {
		acc += (double)h[i] * h[i];
		edc[i] = acc;
	}
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		double db = 10 * log10(edc[i] / edc[0] + 1e-300);
		if (db > -5 || db < -25)
			continue;
		double t = (double)i / fs;
		sx += t, sy += db, sxx += t * t, sxy += t * db, k++;
	}
	free(edc);
	if (k < 10)
		return NAN;
	double slope = (k * sxy - sx * sy) / (k * sxx - sx * sx);
	return -60.0 / slope;
}

static void t_reverb_rt60(void)
{
	static const struct {
		const char *model;
		double decay;
	} cases[] = {
		{ "0", 0.3 }, { "0", 1 }, { "0", 2.5 }, { "0", 5 },   /* room */
		{ "2", 0.3 }, { "2", 1 }, { "2", 2.5 }, { "2", 5 },   /* plate */
		{ "1", 1 },   { "1", 2.5 }, { "1", 5 },               /* hall */
		{ "3", 0.3 }, { "3", 2.5 },                           /* chamber */
	};
	static const char *const names[] = { "room", "hall", "plate", "chamber" };
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		char m[32], d[32];
		snprintf(m, sizeof m, "model=%s", cases[k].model);
		snprintf(d, sizeof d, "decay=%g", cases[k].decay);
		mxd_fx *fx = MAKE("reverb", FS, 2, m, d, "damping=0", "mix=1", "predelay=0", "low_cut=10",
				  "high_cut=20000");
		if (!fx)
			continue;
		size_t n = (size_t)(FS * (cases[k].decay * 0.8 + 0.3));
		float **h = reverb_ir(fx, n);
		double t_l = schroeder_rt60(h[0], n, FS), t_r = schroeder_rt60(h[1], n, FS);
		printf("# reverb %s decay %.1f s: measured T20x3 L %.3f s, R %.3f s (%+.1f %%, %+.1f %%)\n",
		       names[atoi(cases[k].model)], cases[k].decay, t_l, t_r, 100 * (t_l / cases[k].decay - 1),
		       100 * (t_r / cases[k].decay - 1));
		CHECK_MSG(fabs(t_l / cases[k].decay - 1) < 0.05 && fabs(t_r / cases[k].decay - 1) < 0.05,
			  "%s decay %g: RT60 L %.3f R %.3f", names[atoi(cases[k].model)], cases[k].decay, t_l, t_r);
		free_ch(h, 2);
		fx->cls->destroy(fx);
	}
}

/* Damping shortens the high-frequency decay: RT60 in the octave around
 * 10 kHz (4th-order band-pass) is below that around 500 Hz. */
static double band_rt60(const float *h, size_t n, double f)
{
	float *b = malloc(n * sizeof *b);
	memcpy(b, h, n * sizeof *b);
	mxd_bq_cascade c;
	mxd_bq_state st[4] = { 0 };
	mxd_butterworth_design(&c, true, FS, f / sqrt(2), 4);
	mxd_bq_cascade_process(&c, st, b, (uint32_t)n);
	memset(st, 0, sizeof st);
	mxd_butterworth_design(&c, false, FS, f * sqrt(2), 4);
	mxd_bq_cascade_process(&c, st, b, (uint32_t)n);
	double t = schroeder_rt60(b, n, FS);
	free(b);
	return t;
}

static void t_reverb_damping(void)
{
	mxd_fx *fx = MAKE("reverb", FS, 2, "model=1", "decay=2", "damping=1", "mix=1", "predelay=0",
			  "high_cut=20000");
	size_t n = (size_t)(FS * 2.2);
	float **h = reverb_ir(fx, n);
	double lo = band_rt60(h[0], n, 500), hi = band_rt60(h[0], n, 10000);
	printf("# damping 1: RT60 500 Hz octave %.3f s, 10 kHz octave %.3f s\n", lo, hi);
	CHECK_MSG(fabs(lo / 2.0 - 1) < 0.15, "500 Hz RT60 %.3f, want 2 s", lo);
	CHECK_MSG(hi < 0.6 * lo, "10 kHz RT60 %.3f not well below 500 Hz %.3f", hi, lo);
	free_ch(h, 2);
	fx->cls->destroy(fx);
}

static double ned(const float *h, size_t from, size_t len)
{
	double e = 0;
	for (size_t i = from; i < from + len; i++)
		e += (double)h[i] * h[i];
	double sigma = sqrt(e / (double)len);
	size_t out = 0;
	for (size_t i = from; i < from + len; i++)
		out += fabs(h[i]) > sigma;
	return (double)out / (double)len / erfc(1 / sqrt(2.0));
}

static void t_reverb_echo_density(void)
{
	static const char *const models[] = { "model=0", "model=1", "model=2", "model=3" };
	size_t win = (size_t)(0.02 * FS);
	for (int m = 0; m < 4; m++) {
		mxd_fx *fx = MAKE("reverb", FS, 2, models[m], "decay=2", "mix=1", "predelay=0");
		size_t n = (size_t)(FS * 0.6);
		float **h = reverb_ir(fx, n);
		double lo = 9, sum = 0;
		int k = 0;
		for (size_t t = (size_t)(0.1 * FS); t + win <= (size_t)(0.5 * FS); t += win / 2, k++) {
			double v = ned(h[0], t, win);
			lo = fmin(lo, v);
			sum += v;
		}
		printf("# %s: normalised echo density 100..500 ms: mean %.3f, min %.3f\n", models[m], sum / k, lo);
		CHECK_MSG(sum / k > 0.9 && sum / k < 1.1 && lo > 0.75, "%s: NED mean %.3f min %.3f", models[m],
			  sum / k, lo);
		free_ch(h, 2);
		fx->cls->destroy(fx);
	}
	/* The measure can fail: a feedback echo (sparse impulses) scores near 0. */
	mxd_fx *fx = MAKE("delay", FS, 2, "time=7", "feedback=0.9");
	size_t n = (size_t)(FS * 0.6);
	float **h = alloc_ch(2, n);
	h[0][0] = h[1][0] = 1;
	run(fx, h, 2, n, BLOCK);
	double sparse = ned(h[0], (size_t)(0.2 * FS), win);
	CHECK_MSG(sparse < 0.2, "NED of a sparse echo train %.3f", sparse);
	free_ch(h, 2);
	fx->cls->destroy(fx);
}

static void t_reverb_dc_and_stereo(void)
{
	mxd_fx *fx = MAKE("reverb", FS, 2, "mix=1", "decay=1.5");
	size_t n = (size_t)(FS * 2.5);
	float **h = reverb_ir(fx, n);
	double sum = 0, e = 0, tail = 0, tail_e = 0;
	for (size_t i = 0; i < n; i++) {
		sum += h[0][i];
		e += (double)h[0][i] * h[0][i];
		if (i >= (size_t)(0.3 * FS) && i < (size_t)(1.3 * FS))
			tail += h[0][i], tail_e += (double)h[0][i] * h[0][i];
	}
	/* DC gain (sum of the IR) against the IR's energy gain; tail mean vs RMS. */
	double tail_n = FS;
	printf("# DC gain %.2e (energy gain %.3f), tail mean / RMS %.2e\n", fabs(sum), sqrt(e),
	       fabs(tail / tail_n) / sqrt(tail_e / tail_n));
	CHECK_MSG(fabs(sum) < 1e-3, "DC gain %g", fabs(sum));
	CHECK_MSG(fabs(tail / tail_n) < 0.01 * sqrt(tail_e / tail_n), "tail mean %g", tail / tail_n);
	/* Interaural cross-correlation, max over +-1 ms. */
	double iacc = 0, ll = 0, rr = 0;
	for (size_t i = 0; i < n; i++)
		ll += (double)h[0][i] * h[0][i], rr += (double)h[1][i] * h[1][i];
	for (int lag = -48; lag <= 48; lag++) {
		double lr = 0;
		for (size_t i = 48; i + 48 < n; i++)
			lr += (double)h[0][i] * h[1][(size_t)((long)i + lag)];
		iacc = fmax(iacc, fabs(lr) / sqrt(ll * rr));
	}
	double diff = 0, peak = 0;
	for (size_t i = 0; i < n; i++)
		diff = fmax(diff, fabs(h[0][i] - h[1][i])), peak = fmax(peak, fabs(h[0][i]));
	printf("# width 1: IACC %.3f; max |L - R| %.3f of peak %.3f\n", iacc, diff, peak);
	CHECK_MSG(iacc < 0.3, "IACC %.3f", iacc);
	CHECK_MSG(diff > 0.1 * peak, "mono in: L and R hardly differ (%g)", diff);
	free_ch(h, 2);
	fx->cls->destroy(fx);
	/* width 0: the two channels are identical (the measure sees 1). */
	fx = MAKE("reverb", FS, 2, "mix=1", "width=0");
	h = reverb_ir(fx, (size_t)FS);
	double d0 = 0;
	for (size_t i = 0; i < (size_t)FS; i++)
		d0 = fmax(d0, fabs(h[0][i] - h[1][i]));
	CHECK_MSG(d0 < 1e-7, "width 0: max |L - R| %g", d0);
	free_ch(h, 2);
	fx->cls->destroy(fx);
	/* One channel and six channels work; six give six different outputs. */
	fx = MAKE("reverb", FS, 1, "mix=1");
	float **m = alloc_ch(1, (size_t)FS);
	m[0][0] = 1;
	run(fx, m, 1, (size_t)FS, BLOCK);
	double em = 0;
	for (size_t i = 0; i < (size_t)FS; i++)
		em += (double)m[0][i] * m[0][i];
	CHECK_MSG(em > 0.01 && isfinite(em), "mono reverb energy %g", em);
	free_ch(m, 1);
	fx->cls->destroy(fx);
	fx = MAKE("reverb", FS, 6, "mix=1");
	m = alloc_ch(6, (size_t)FS / 2);
	for (int c = 0; c < 6; c++)
		m[c][0] = 1;
	run(fx, m, 6, (size_t)FS / 2, BLOCK);
	for (int a = 0; a < 6; a++)
		for (int b = a + 1; b < 6; b++)
			CHECK_MSG(memcmp(m[a], m[b], (size_t)FS / 2 * sizeof(float)) != 0, "channels %d, %d equal", a, b);
	free_ch(m, 6);
	fx->cls->destroy(fx);
}

/* Predelay: the first output of the wet arrives after predelay (+ the
 * shortest path through the network). */
static void t_reverb_predelay(void)
{
	mxd_fx *a = MAKE("reverb", FS, 2, "mix=1", "predelay=0");
	mxd_fx *b = MAKE("reverb", FS, 2, "mix=1", "predelay=100");
	size_t n = (size_t)(FS / 2);
	float **ha = reverb_ir(a, n), **hb = reverb_ir(b, n);
	size_t sh = (size_t)(0.1 * FS), bad = 0;
	for (size_t i = 0; i < sh; i++)
		bad += hb[0][i] != 0.0f;
	double err = 0;
	for (size_t i = sh; i < n; i++)
		err = fmax(err, fabs(hb[0][i] - ha[0][i - sh]));
	CHECK_MSG(bad == 0, "%zu nonzero samples before the predelay", bad);
	CHECK_MSG(err < 0.05, "predelayed IR differs from the shifted one by %g", err);
	free_ch(ha, 2);
	free_ch(hb, 2);
	a->cls->destroy(a);
	b->cls->destroy(b);
}

static void t_reverb_robust(void)
{
	static const struct {
		const char *path;
		double to;
	} moves[] = { { "decay", 8 },     { "size", 0.9 },  { "size", 0.05 }, { "predelay", 120 },
		      { "damping", 0.9 }, { "diffusion", 0.1 }, { "width", 0 }, { "low_cut", 300 },
		      { "high_cut", 2000 }, { "mix", 1 }, { "model", 2 } };
	for (size_t k = 0; k < sizeof moves / sizeof moves[0]; k++) {
		mxd_fx *fx = MAKE("reverb", FS, 2, "mix=0.5");
		double r = click_ratio(fx, moves[k].path, moves[k].to);
		fx->cls->destroy(fx);
		fx = MAKE("reverb", FS, 2, "mix=0.5");
		double before, sp = splatter(fx, moves[k].path, moves[k].to, &before);
		printf("# reverb %s -> %g: click ratio %.3f, splatter %.2e (before %.2e)\n", moves[k].path,
		       moves[k].to, r, sp, before);
		CHECK_MSG(r <= 1.0 && sp < 1.5 * before + 3e-4, "reverb %s -> %g clicks (%.2f, %.2e)",
			  moves[k].path, moves[k].to, r, sp);
		fx->cls->destroy(fx);
	}
	mxd_fx *fx = MAKE("reverb", FS, 2, "decay=1");
	check_silence(fx, 25, "reverb decay 1");
	fx->cls->destroy(fx);
	fx = MAKE("reverb", FS, 2, "decay=2");
	check_nan(fx, 0.0, "reverb");
	fx->cls->destroy(fx);
}

/* ------------------------------------------------------------------- delay */

static void t_delay_time_exact(void)
{
	static const struct {
		double rate, ms;
	} cases[] = { { 48000, 375 }, { 44100, 375 }, { 48000, 1 }, { 44100, 10.5 }, { 96000, 333.3 }, { 48000, 250 } };
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		char t[32];
		snprintf(t, sizeof t, "time=%g", cases[k].ms);
		mxd_fx *fx = MAKE("delay", cases[k].rate, 1, t);
		size_t at = (size_t)floor(cases[k].ms * cases[k].rate / 1000.0 + 0.5);
		size_t n = at + 1000;
		float **x = alloc_ch(1, n);
		x[0][0] = 1.0f;
		run(fx, x, 1, n, 100);
		size_t wrong = 0;
		for (size_t i = 0; i < n; i++)
			wrong += x[0][i] != (i == at ? 1.0f : 0.0f);
		CHECK_MSG(wrong == 0, "%g ms at %g Hz: impulse not exactly at %zu", cases[k].ms, cases[k].rate, at);
		free_ch(x, 1);
		fx->cls->destroy(fx);
	}
}

static void t_delay_feedback(void)
{
	const double fbs[] = { 0.3, 0.6, 0.95 };
	for (int k = 0; k < 3; k++) {
		char f[32];
		snprintf(f, sizeof f, "feedback=%g", fbs[k]);
		mxd_fx *fx = MAKE("delay", FS, 1, "time=10", f);
		size_t d = 480, n = d * 8 + 10;
		float **x = alloc_ch(1, n);
		x[0][0] = 1.0f;
		run(fx, x, 1, n, 64);
		double worst = 0;
		for (int e = 1; e < 7; e++) {
			double r = x[0][(e + 1) * d] / x[0][e * d];
			worst = fmax(worst, fabs(r / fbs[k] - 1));
		}
		CHECK_MSG(x[0][d] == 1.0f, "first echo %g", x[0][d]);
		CHECK_MSG(worst < 0.01, "feedback %g: echo ratio off by %.3g", fbs[k], worst);
		free_ch(x, 1);
		fx->cls->destroy(fx);
	}
}

static void t_delay_pingpong(void)
{
	mxd_fx *fx = MAKE("delay", FS, 2, "time=5", "feedback=0.5", "pingpong=1");
	size_t d = 240, n = d * 7;
	float **x = alloc_ch(2, n);
	x[0][0] = 1.0f; /* left only: (L+R)/2 = 0.5 enters the left line */
	run(fx, x, 2, n, 64);
	for (int e = 1; e <= 6; e++) {
		int on = (e - 1) % 2, off = 1 - on;
		double want = 0.5 * pow(0.5, e - 1);
		CHECK_MSG(fabs(x[on][e * d] - want) < 1e-7 && x[off][e * d] == 0.0f,
			  "echo %d: L %g R %g, want %g on %s", e, x[0][e * d], x[1][e * d], want, on ? "R" : "L");
	}
	double other = 0;
	for (size_t i = 0; i < n; i++)
		if (i % d)
			other = fmax(other, fmax(fabs(x[0][i]), fabs(x[1][i])));
	CHECK_MSG(other == 0, "output between echoes %g", other);
	free_ch(x, 2);
	fx->cls->destroy(fx);
}

/* Repeat k has passed the loop low-pass k times: its response at 8 kHz is k
 * times the analytic biquad response (plus (k-1) x feedback), at 200 Hz ~0 dB. */
static void t_delay_loop_filter(void)
{
	mxd_fx *fx = MAKE("delay", FS, 1, "time=20", "feedback=0.7", "high_cut=2000");
	size_t d = 960, n = d * 5;
	float **x = alloc_ch(1, n);
	x[0][0] = 1.0f;
	run(fx, x, 1, n, 64);
	mxd_biquad lp;
	mxd_biquad_design(&lp, MXD_BQ_LOWPASS, FS, 2000, M_SQRT1_2, 0);
	double h8, h02;
	mxd_biquad_response(&lp, FS, 8000, &h8, NULL);
	mxd_biquad_response(&lp, FS, 200, &h02, NULL);
	double prev = 1e9;
	for (int k = 1; k <= 4; k++) {
		double fbdb = (k - 1) * 20 * log10(0.7);
		double m8 = 20 * log10(dft_mag(x[0], k * d, d, 8000, FS)) - fbdb;
		double m02 = 20 * log10(dft_mag(x[0], k * d, d, 200, FS)) - fbdb;
		printf("# repeat %d: 8 kHz %.2f dB (analytic %.2f), 200 Hz %.3f dB (analytic %.3f)\n", k, m8, k * h8,
		       m02, k * h02);
		CHECK_NEAR(m8, k * h8, 0.3);
		CHECK_NEAR(m02, k * h02, 0.05);
		CHECK(m8 < prev - 10);
		prev = m8;
	}
	free_ch(x, 1);
	fx->cls->destroy(fx);
	/* low_cut the same way at 50 Hz against the analytic high-pass. */
	fx = MAKE("delay", FS, 1, "time=100", "feedback=0.5", "low_cut=500");
	d = 4800, n = d * 3;
	x = alloc_ch(1, n);
	x[0][0] = 1.0f;
	run(fx, x, 1, n, 64);
	mxd_biquad hp;
	mxd_biquad_design(&hp, MXD_BQ_HIGHPASS, FS, 500, M_SQRT1_2, 0);
	double h50;
	mxd_biquad_response(&hp, FS, 50, &h50, NULL);
	for (int k = 1; k <= 2; k++) {
		double m50 = 20 * log10(dft_mag(x[0], k * d, d, 50, FS)) - (k - 1) * 20 * log10(0.5);
		CHECK_NEAR(m50, k * h50, 0.3);
	}
	free_ch(x, 1);
	fx->cls->destroy(fx);
}

/* Modulation moves the echo around time (the tap lies in [d, d + depth]). */
static void t_delay_modulation(void)
{
	mxd_fx *fx = MAKE("delay", FS, 1, "time=10", "mod_depth=2", "mod_rate=5");
	size_t n = (size_t)FS;
	float **x = alloc_ch(1, n);
	mxt_sine(x[0], (int64_t)n, 1, FS, 1000, 0.5, 0);
	run(fx, x, 1, n, 64);
	/* Doppler: a 1 kHz tone through a moving tap is spread around 1 kHz; a
	 * static delay would keep all of it at 1 kHz. */
	double at = sine_amp(x[0], (size_t)(0.2 * FS), n, 1000, FS);
	CHECK_MSG(at < 0.45, "modulated 1 kHz still at %.3f", at);
	double peak = 0;
	for (size_t i = (size_t)(0.2 * FS); i < n; i++)
		peak = fmax(peak, fabs(x[0][i]));
	CHECK_MSG(peak < 0.51 && peak > 0.45, "modulated tone peak %.3f", peak);
	free_ch(x, 1);
	fx->cls->destroy(fx);
}

static void t_delay_mix_and_latency(void)
{
	/* Dry/wet: mix 0.25 = 0.75 x + 0.25 x delayed. */
	mxd_fx *fx = MAKE("delay", FS, 1, "samples=10", "mix=0.25");
	float **x = alloc_ch(1, 100);
	x[0][0] = 1.0f;
	run(fx, x, 1, 100, 7);
	CHECK_NEAR(x[0][0], 0.75, 1e-7);
	CHECK_NEAR(x[0][10], 0.25, 1e-7);
	fx->cls->destroy(fx);
	/* Reported latency delays the dry as well: any mix is the input delayed. */
	fx = MAKE("delay", FS, 1, "samples=10", "mix=0.25", "latency_report=1");
	CHECK_INT(fx->cls->latency(fx), 10);
	memset(x[0], 0, 100 * sizeof(float));
	x[0][0] = 1.0f;
	run(fx, x, 1, 100, 7);
	CHECK(x[0][0] == 0.0f && x[0][10] == 1.0f);
	free_ch(x, 1);
	fx->cls->destroy(fx);
}

static void t_delay_robust(void)
{
	static const struct {
		const char *path;
		double to;
	} moves[] = { { "feedback", 0.8 }, { "low_cut", 800 }, { "high_cut", 1500 }, { "mod_depth", 5 },
		      { "mod_rate", 4 },    { "mix", 0.2 },     { "time", 30 },        { "pingpong", 1 } };
	for (size_t k = 0; k < sizeof moves / sizeof moves[0]; k++) {
		mxd_fx *fx = MAKE("delay", FS, 2, "time=50", "feedback=0.4", "mix=0.5");
		double r = click_ratio(fx, moves[k].path, moves[k].to);
		fx->cls->destroy(fx);
		fx = MAKE("delay", FS, 2, "time=50", "feedback=0.4", "mix=0.5");
		double before, sp = splatter(fx, moves[k].path, moves[k].to, &before);
		printf("# delay %s -> %g: click ratio %.3f, splatter %.2e (before %.2e)\n", moves[k].path, moves[k].to,
		       r, sp, before);
		CHECK_MSG(r <= 1.0 && sp < 3e-4, "delay %s -> %g clicks (%.2f, %.2e)", moves[k].path, moves[k].to,
			  r, sp);
		fx->cls->destroy(fx);
	}
	mxd_fx *fx = MAKE("delay", FS, 2, "time=30", "feedback=0.9", "high_cut=5000", "low_cut=100", "mod_depth=1");
	check_silence(fx, 15, "delay feedback 0.9");
	fx->cls->destroy(fx);
	fx = MAKE("delay", FS, 2, "time=30", "feedback=0.95", "pingpong=1", "mix=0.5");
	check_nan(fx, 0.05, "delay feedback 0.95");
	fx->cls->destroy(fx);
}

/* ------------------------------------------------------------------ stereo */

static void t_stereo_width(void)
{
	size_t n = 4096;
	float **x = alloc_ch(2, n), **r = alloc_ch(2, n);
	mxt_noise(r[0], (int64_t)n, 0.7, 5);
	mxt_noise(r[1], (int64_t)n, 0.7, 6);
	/* Defaults: bit-exact. */
	mxd_fx *fx = MAKE("stereo", FS, 2, "width=1");
	for (int c = 0; c < 2; c++)
		memcpy(x[c], r[c], n * sizeof(float));
	run(fx, x, 2, n, 100);
	CHECK(memcmp(x[0], r[0], n * sizeof(float)) == 0 && memcmp(x[1], r[1], n * sizeof(float)) == 0);
	fx->cls->destroy(fx);
	/* width 0: L == R == (L+R)/2 */
	fx = MAKE("stereo", FS, 2, "width=0");
	for (int c = 0; c < 2; c++)
		memcpy(x[c], r[c], n * sizeof(float));
	run(fx, x, 2, n, 100);
	size_t bad = 0;
	for (size_t i = 0; i < n; i++)
		bad += x[0][i] != x[1][i] || fabsf(x[0][i] - 0.5f * (r[0][i] + r[1][i])) > 1e-7f;
	CHECK_MSG(bad == 0, "width 0: %zu frames not mono (L+R)/2", bad);
	fx->cls->destroy(fx);
	/* width 2: side doubled, mid kept. */
	fx = MAKE("stereo", FS, 2, "width=2");
	for (int c = 0; c < 2; c++)
		memcpy(x[c], r[c], n * sizeof(float));
	run(fx, x, 2, n, 100);
	double es = 0, em = 0;
	for (size_t i = 0; i < n; i++) {
		es = fmax(es, fabs((x[0][i] - x[1][i]) / 2 - (r[0][i] - r[1][i])));
		em = fmax(em, fabs((x[0][i] + x[1][i]) / 2 - (r[0][i] + r[1][i]) / 2));
	}
	CHECK_MSG(es < 1e-6 && em < 1e-6, "width 2: side error %g, mid error %g", es, em);
	fx->cls->destroy(fx);
	/* balance 0.5: L x 0.5, R unchanged; swap; haas 10 ms on the right. */
	fx = MAKE("stereo", FS, 2, "balance=0.5");
	for (int c = 0; c < 2; c++)
		memcpy(x[c], r[c], n * sizeof(float));
	run(fx, x, 2, n, 100);
	CHECK(x[0][77] == (float)(0.5 * r[0][77]) && x[1][77] == r[1][77]);
	fx->cls->destroy(fx);
	fx = MAKE("stereo", FS, 2, "swap=1");
	for (int c = 0; c < 2; c++)
		memcpy(x[c], r[c], n * sizeof(float));
	run(fx, x, 2, n, 100);
	CHECK(memcmp(x[0], r[1], n * sizeof(float)) == 0 && memcmp(x[1], r[0], n * sizeof(float)) == 0);
	fx->cls->destroy(fx);
	fx = MAKE("stereo", FS, 2, "haas=10", "haas_side=1");
	for (int c = 0; c < 2; c++)
		memcpy(x[c], r[c], n * sizeof(float));
	run(fx, x, 2, n, 100);
	CHECK(memcmp(x[0], r[0], n * sizeof(float)) == 0);
	CHECK(memcmp(x[1] + 480, r[1], (n - 480) * sizeof(float)) == 0 && x[1][479] == 0.0f);
	CHECK_INT(fx->cls->latency(fx), 0);
	fx->cls->destroy(fx);
	/* One channel: untouched whatever the settings. */
	fx = MAKE("stereo", FS, 1, "width=0", "balance=1", "mono_bass=200");
	memcpy(x[0], r[0], n * sizeof(float));
	run(fx, x, 1, n, 100);
	CHECK(memcmp(x[0], r[0], n * sizeof(float)) == 0);
	fx->cls->destroy(fx);
	free_ch(x, 2);
	free_ch(r, 2);
}

static void t_stereo_mono_bass(void)
{
	size_t n = (size_t)FS, settle = (size_t)(FS / 2);
	float **x = alloc_ch(2, n);
	/* Side-only sine: L = s, R = -s. */
	const double f_side[] = { 40, 2000 };
	double side_db[2];
	for (int k = 0; k < 2; k++) {
		mxd_fx *fx = MAKE("stereo", FS, 2, "mono_bass=120");
		mxt_sine(x[0], (int64_t)n, 1, FS, f_side[k], 0.5, 0);
		for (size_t i = 0; i < n; i++)
			x[1][i] = -x[0][i];
		run(fx, x, 2, n, 256);
		for (size_t i = 0; i < n; i++)
			x[0][i] = 0.5f * (x[0][i] - x[1][i]);
		side_db[k] = 20 * log10(sine_amp(x[0], settle, n, f_side[k], FS) / 0.5);
		fx->cls->destroy(fx);
	}
	printf("# mono_bass 120 Hz: side at 40 Hz %.1f dB, at 2 kHz %.4f dB\n", side_db[0], side_db[1]);
	CHECK_MSG(side_db[0] < -30, "side at 40 Hz only %.1f dB down", side_db[0]);
	CHECK_NEAR(side_db[1], 0.0, 0.1);
	/* L + R flat: a left-only sine at several frequencies. */
	const double fr[] = { 20, 50, 90, 120, 160, 300, 1000, 8000 };
	double worst = 0;
	for (size_t k = 0; k < sizeof fr / sizeof fr[0]; k++) {
		mxd_fx *fx = MAKE("stereo", FS, 2, "mono_bass=120");
		mxt_sine(x[0], (int64_t)n, 1, FS, fr[k], 0.5, 0);
		memset(x[1], 0, n * sizeof(float));
		run(fx, x, 2, n, 256);
		for (size_t i = 0; i < n; i++)
			x[0][i] += x[1][i];
		double db = 20 * log10(sine_amp(x[0], settle, n, fr[k], FS) / 0.5);
		worst = fmax(worst, fabs(db));
		fx->cls->destroy(fx);
	}
	printf("# mono_bass 120 Hz: L+R deviation from flat %.4f dB (20 Hz .. 8 kHz)\n", worst);
	CHECK_MSG(worst < 0.05, "L+R not flat: %.4f dB", worst);
	free_ch(x, 2);
}

static void t_stereo_robust(void)
{
	static const struct {
		const char *path;
		double to;
	} moves[] = { { "width", 0 }, { "width", 2 }, { "mono_bass", 150 }, { "balance", -0.7 },
		      { "haas", 15 }, { "swap", 1 },  { "haas_side", 0 } };
	for (size_t k = 0; k < sizeof moves / sizeof moves[0]; k++) {
		mxd_fx *fx = MAKE("stereo", FS, 2, "haas=5");
		double r = click_ratio(fx, moves[k].path, moves[k].to);
		fx->cls->destroy(fx);
		fx = MAKE("stereo", FS, 2, "haas=5");
		double before, sp = splatter(fx, moves[k].path, moves[k].to, &before);
		printf("# stereo %s -> %g: click ratio %.3f, splatter %.2e (before %.2e)\n", moves[k].path,
		       moves[k].to, r, sp, before);
		CHECK_MSG(r <= 1.0 && sp < 3e-4, "stereo %s -> %g clicks (%.2f, %.2e)", moves[k].path, moves[k].to,
			  r, sp);
		fx->cls->destroy(fx);
	}
	/* mono_bass on -> a different corner -> off */
	mxd_fx *fx = MAKE("stereo", FS, 2, "mono_bass=80");
	double r = click_ratio(fx, "mono_bass", 0);
	CHECK_MSG(r <= 1.0, "mono_bass off clicks (%.2f)", r);
	fx->cls->destroy(fx);
	fx = MAKE("stereo", FS, 2, "mono_bass=200", "width=1.5", "haas=10");
	check_silence(fx, 1, "stereo");
	fx->cls->destroy(fx);
	fx = MAKE("stereo", FS, 2, "mono_bass=200", "width=1.5", "haas=10");
	check_nan(fx, 0.05, "stereo");
	fx->cls->destroy(fx);
}

/* --------------------------------------------------------------------- pan */

static void law_gains(double p, double law, double *gl, double *gr)
{
	double th = (p + 1) * PI / 4;
	if (law == 0) {
		*gl = p > 0 ? 1 - p : 1;
		*gr = p < 0 ? 1 + p : 1;
	} else if (law == -3) {
		*gl = cos(th), *gr = sin(th);
	} else if (law == -4.5) {
		*gl = sqrt(cos(th) * (1 - p) / 2), *gr = sqrt(sin(th) * (1 + p) / 2);
	} else {
		*gl = (1 - p) / 2, *gr = (1 + p) / 2;
	}
}

static void t_pan_gains(void)
{
	const double laws[] = { 0, -3, -4.5, -6 }, pans[] = { -1, -0.5, 0, 0.5, 1 };
	for (int l = 0; l < 4; l++)
		for (int k = 0; k < 5; k++) {
			char ps[32], ls[32];
			snprintf(ps, sizeof ps, "pan=%g", pans[k]);
			snprintf(ls, sizeof ls, "law=%d", l);
			double gl, gr, cl, cr;
			law_gains(pans[k], laws[l], &gl, &gr);
			law_gains(0, laws[l], &cl, &cr);
			mxd_fx *fx = MAKE("pan", FS, 2, ps, ls);
			float **x = alloc_ch(2, 64);
			for (int i = 0; i < 64; i++)
				x[0][i] = x[1][i] = 1.0f;
			run(fx, x, 2, 64, 64);
			CHECK_MSG(fabs(x[0][63] - gl / cl) < 1e-6 && fabs(x[1][63] - gr / cr) < 1e-6,
				  "law %g pan %g: L %.7f R %.7f, want %.7f %.7f", laws[l], pans[k], x[0][63], x[1][63],
				  gl / cl, gr / cr);
			fx->cls->destroy(fx);
			fx = MAKE("pan", FS, 1, ps, ls);
			x[0][0] = 1.0f;
			run(fx, x, 1, 1, 1);
			double want = (gl + gr) / (cl + cr);
			CHECK_MSG(fabs(x[0][0] - want) < 1e-6, "mono law %g pan %g: %.7f, want %.7f", laws[l], pans[k],
				  x[0][0], want);
			free_ch(x, 2);
			fx->cls->destroy(fx);
		}
	/* pan 0 is bit-exact on any law. */
	size_t n = 2048;
	float **x = alloc_ch(2, n), **r = alloc_ch(2, n);
	mxt_noise(r[0], (int64_t)n, 1, 8);
	mxt_noise(r[1], (int64_t)n, 1, 9);
	for (int l = 0; l < 4; l++) {
		char ls[32];
		snprintf(ls, sizeof ls, "law=%d", l);
		mxd_fx *fx = MAKE("pan", FS, 2, ls);
		for (int c = 0; c < 2; c++)
			memcpy(x[c], r[c], n * sizeof(float));
		run(fx, x, 2, n, 100);
		CHECK(memcmp(x[0], r[0], n * sizeof(float)) == 0 && memcmp(x[1], r[1], n * sizeof(float)) == 0);
		fx->cls->destroy(fx);
	}
	free_ch(x, 2);
	free_ch(r, 2);
}

static void t_pan_robust(void)
{
	const double to[] = { -1, 0.6, 1 };
	for (int k = 0; k < 3; k++) {
		mxd_fx *fx = MAKE("pan", FS, 2, "pan=0");
		double r = click_ratio(fx, "pan", to[k]);
		fx->cls->destroy(fx);
		fx = MAKE("pan", FS, 2, "pan=0");
		double before, sp = splatter(fx, "pan", to[k], &before);
		printf("# pan 0 -> %g: click ratio %.3f, splatter %.2e\n", to[k], r, sp);
		CHECK_MSG(r <= 1.0 && sp < 3e-4, "pan 0 -> %g clicks (%.2f, %.2e)", to[k], r, sp);
		fx->cls->destroy(fx);
	}
	mxd_fx *fx = MAKE("pan", FS, 2, "pan=0.5");
	double r = click_ratio(fx, "law", 3);
	CHECK_MSG(r <= 1.0, "law change clicks (%.2f)", r);
	fx->cls->destroy(fx);
	fx = MAKE("pan", FS, 2, "pan=0.3");
	check_silence(fx, 0.5, "pan");
	fx->cls->destroy(fx);
	fx = MAKE("pan", FS, 2, "pan=0.3");
	check_nan(fx, 0.0, "pan");
	fx->cls->destroy(fx);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_reverb_rt60),        MXT(t_reverb_damping),    MXT(t_reverb_echo_density),
		MXT(t_reverb_dc_and_stereo), MXT(t_reverb_predelay),  MXT(t_reverb_robust),
		MXT(t_delay_time_exact),   MXT(t_delay_feedback),    MXT(t_delay_pingpong),
		MXT(t_delay_loop_filter),  MXT(t_delay_modulation),  MXT(t_delay_mix_and_latency),
		MXT(t_delay_robust),       MXT(t_stereo_width),      MXT(t_stereo_mono_bass),
		MXT(t_stereo_robust),      MXT(t_pan_gains),         MXT(t_pan_robust),
		MXT(t_splatter_detector),
	};
	return MXT_RUN(cases);
}
