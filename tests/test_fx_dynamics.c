/* mixdown — tests of src/dsp/dynamics.c, src/dsp/gate_core.c and the
 * `compressor`, `gate`, `expander` and `deesser` processors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Compressor: static curve (hard and soft knee, peak and rms detector) from
 * the steady-state level of a 1 kHz sine against the GMR 2012 formula
 * computed here independently (0.25 dB); attack and release 63 % times of a
 * +20 dB level step and back (10 %); lookahead vs overshoot and latency;
 * auto makeup rule; sidechain ducking of a pad by kick-like key bursts;
 * stereo link. Gate: open/close levels on a slow ramp (hysteresis), hold
 * time (10 %), ducking depth. Expander: slope below threshold. De-esser:
 * exact pass-through below threshold, band reduction vs analytic split, the
 * low tone untouched (0.1 dB), listen output. For each processor: parameter
 * jumps mid-sine make no click, silence gives zeros, a NaN burst recovers.
 */
#include <stdint.h>

#include "dsp/biquad.h"
#include "dsp/dynamics.h"
#include "fx/meter_gr.h"
#include "fx/processor.h"
#include "harness.h"
#include "util.h"

#define PI 3.14159265358979323846
#define FS 48000.0
#define NFS 48000

/* ----------------------------------------------------------------- helpers */

static mxd_fx *make(const char *name, uint32_t channels, const char *const *kv, size_t n_kv)
{
	const mxd_fx_class *cls = mxd_fx_class_find(name);
	if (!cls) {
		mxt_fail(__FILE__, __LINE__, "no class %s", name);
		return NULL;
	}
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
		const mxd_param *p = NULL;
		mxd_fx_param_path(cls, key, &p);
		if (p->kind == MXD_PARAM_ENUM) {
			for (int k = 0; p->choices[k]; k++)
				if (strcmp(p->choices[k], eq + 1) == 0)
					v[slot] = k;
		} else if (strcmp(eq + 1, "true") == 0 || strcmp(eq + 1, "false") == 0) {
			v[slot] = eq[1] == 't';
		} else {
			v[slot] = atof(eq + 1);
		}
	}
	mxd_fx *fx = mxd_fx_instantiate(cls, v, FS, 512, channels);
	free(v);
	CHECK_MSG(fx != NULL, "instantiate %s", name);
	return fx;
}
#define MAKE(name, ch, ...)                                                                  \
	make(name, ch, (const char *const[]){ __VA_ARGS__ },                                  \
	     sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

static void set(mxd_fx *fx, const char *path, double v)
{
	long slot = mxd_fx_param_path(fx->cls, path, NULL);
	CHECK_MSG(slot >= 0, "path %s", path);
	if (slot >= 0)
		fx->cls->set_param(fx, (size_t)slot, v);
}

/* Run planar buffers x[c][0..n) (and key k[c], may be NULL) in blocks. */
static void run(mxd_fx *fx, float **x, float **k, uint32_t nch, size_t n, uint32_t block)
{
	for (size_t i = 0; i < n; i += block) {
		uint32_t m = (uint32_t)(n - i < block ? n - i : block);
		float *io[16];
		const float *sc[16];
		for (uint32_t c = 0; c < nch; c++) {
			io[c] = x[c] + i;
			sc[c] = k ? k[c] + i : NULL;
		}
		fx->cls->run(fx, io, k ? sc : NULL, m);
	}
}

static void run_mono(mxd_fx *fx, float *x, float *k, size_t n)
{
	run(fx, &x, k ? &k : NULL, 1, n, 256);
}

static float *sine(size_t n, double f, double amp)
{
	float *x = malloc(n * sizeof *x);
	for (size_t i = 0; i < n; i++)
		x[i] = (float)(amp * sin(2 * PI * f * (double)i / FS));
	return x;
}

static double rms_db(const float *x, size_t from, size_t count)
{
	return mxt_rms_db(x, 1, 0, (int64_t)from, (int64_t)count);
}

static double db(double a)
{
	return 20 * log10(a);
}

/* Amplitude of the f component of x[from, from+len) (least squares). */
static double tone_amp(const float *x, size_t from, size_t len, double f)
{
	double w = 2 * PI * f / FS, ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
	for (size_t n = from; n < from + len; n++) {
		double s = sin(w * (double)n), c = cos(w * (double)n);
		ss += s * s, cc += c * c, sc += s * c, ys += x[n] * s, yc += x[n] * c;
	}
	double det = ss * cc - sc * sc;
	return hypot((ys * cc - yc * sc) / det, (yc * ss - ys * sc) / det);
}

/* Reference formulas, written out here independently of src/dsp/dynamics.h:
 * GMR 2012 eq. 4, output level of a compressor (dB). */
static double ref_compressor_out(double x, double t, double r, double w)
{
	if (2 * (x - t) < -w)
		return x;
	if (w > 0 && 2 * fabs(x - t) <= w)
		return x + (1 / r - 1) * pow(x - t + w / 2, 2) / (2 * w);
	return t + (x - t) / r;
}

/* ---------------------------------------------------------- compressor */

static void static_curve(double knee, const char *detector, double max_err_allowed)
{
	const double thr = -20, ratio = 4;
	char kk[32];
	snprintf(kk, sizeof kk, "knee=%g", knee);
	char dd[32];
	snprintf(dd, sizeof dd, "detector=%s", detector);
	bool rms = strcmp(detector, "rms") == 0;
	mxd_fx *fx = MAKE("compressor", 1, "threshold=-20", "ratio=4", kk, dd, "attack=5", "release=200");
	if (!fx)
		return;
	size_t n = NFS / 2, tail = 4800; /* 0.5 s, measure the last 100 periods */
	double worst = 0;
	for (int L = -60; L <= 0; L += 2) {
		float *x = sine(n, 1000, pow(10, L / 20.0));
		fx->cls->reset(fx);
		run_mono(fx, x, NULL, n);
		/* peak detector: the curve maps sine peaks (RMS + 3.01 dB); rms: RMS levels */
		double in = rms ? L - 3.0103 : L;
		double out = rms_db(x, n - tail, tail) + (rms ? 0 : 3.0103);
		double want = ref_compressor_out(in, thr, ratio, knee);
		worst = fmax(worst, fabs(out - want));
		CHECK_MSG(fabs(out - want) <= max_err_allowed, "knee %g %s: in %d dB: out %.3f, formula %.3f", knee,
			  detector, L, out, want);
		if (L == 0 && !rms)
			CHECK_NEAR(mxd_fx_gain_reduction_db(fx), in - want, 0.3);
		free(x);
	}
	printf("# static curve knee %g (%s): worst error %.3f dB\n", knee, detector, worst);
	fx->cls->destroy(fx);
}

static void t_compressor_static_curve(void)
{
	static_curve(0, "peak", 0.25);
	static_curve(10, "peak", 0.25);
	static_curve(0, "rms", 0.25);
	static_curve(10, "rms", 0.25);
}

/* Gain reduction (dB) of a DC step response: in = level a, then b, then a. */
static void t_compressor_time_constants(void)
{
	const double att = 10, rel = 100;
	mxd_fx *fx = MAKE("compressor", 1, "threshold=-40", "ratio=100", "knee=0", "attack=10", "release=100");
	if (!fx)
		return;
	size_t seg = NFS; /* 1 s per level */
	float *x = malloc(3 * seg * sizeof *x), *in = malloc(3 * seg * sizeof *in);
	for (size_t i = 0; i < 3 * seg; i++)
		in[i] = x[i] = (float)pow(10, (i >= seg && i < 2 * seg ? -10 : -30) / 20.0);
	run_mono(fx, x, NULL, 3 * seg);
	/* infinite ratio: reduction 10 dB at -30, 30 dB at -10 */
	double lo = 10, hi = 30;
	size_t t_att = 0, t_rel = 0;
	for (size_t i = seg; i < 2 * seg && !t_att; i++)
		if (-db(x[i] / in[i]) >= lo + (1 - exp(-1)) * (hi - lo))
			t_att = i - seg;
	for (size_t i = 2 * seg; i < 3 * seg && !t_rel; i++)
		if (-db(x[i] / in[i]) <= hi - (1 - exp(-1)) * (hi - lo))
			t_rel = i - 2 * seg;
	double ms_att = 1000.0 * (double)t_att / FS, ms_rel = 1000.0 * (double)t_rel / FS;
	printf("# step +20 dB: attack %.2f ms (set %g), release %.2f ms (set %g)\n", ms_att, att, ms_rel, rel);
	CHECK_NEAR(ms_att, att, 0.1 * att);
	CHECK_NEAR(ms_rel, rel, 0.1 * rel);
	/* settled values */
	CHECK_NEAR(-db(x[2 * seg - 1] / in[2 * seg - 1]), hi, 0.01);
	CHECK_NEAR(-db(x[3 * seg - 1] / in[3 * seg - 1]), lo, 0.01);
	/* a shorter attack is measured shorter (the measurement can fail) */
	set(fx, "attack", 2);
	fx->cls->reset(fx);
	memcpy(x, in, 3 * seg * sizeof *x);
	run_mono(fx, x, NULL, 3 * seg);
	t_att = 0;
	for (size_t i = seg; i < 2 * seg && !t_att; i++)
		if (-db(x[i] / in[i]) >= lo + (1 - exp(-1)) * (hi - lo))
			t_att = i - seg;
	CHECK_NEAR(1000.0 * (double)t_att / FS, 2.0, 0.2);
	free(x), free(in);
	fx->cls->destroy(fx);
}

static double burst_peak(double lookahead, uint32_t *latency)
{
	char la[32];
	snprintf(la, sizeof la, "lookahead=%g", lookahead);
	mxd_fx *fx = MAKE("compressor", 1, "threshold=-20", "ratio=100", "knee=0", "attack=1", "release=100", la);
	if (!fx)
		return 0;
	*latency = fx->cls->latency(fx);
	size_t n = NFS / 2, on = NFS / 10;
	float *x = malloc(n * sizeof *x), *in = malloc(n * sizeof *in);
	for (size_t i = 0; i < n; i++) /* quiet tone (below threshold), then a full-scale burst */
		in[i] = x[i] = (float)((i < on ? 0.01 : 1.0) * sin(2 * PI * 1000 * (double)i / FS));
	run_mono(fx, x, NULL, n);
	double peak = 0;
	for (size_t i = 0; i < n; i++)
		peak = fmax(peak, fabs(x[i]));
	/* below threshold the signal is only delayed, exactly */
	double err = 0;
	for (size_t i = *latency; i < on; i++)
		err = fmax(err, fabs(x[i] - in[i - *latency]));
	CHECK_MSG(err == 0, "lookahead %g: quiet part differs from the delayed input by %g", lookahead, err);
	free(x), free(in);
	fx->cls->destroy(fx);
	return db(peak);
}

static void t_compressor_lookahead(void)
{
	uint32_t l0 = 99, l5 = 0;
	double p0 = burst_peak(0, &l0), p5 = burst_peak(5, &l5);
	printf("# burst to 0 dBFS, threshold -20, ratio inf, attack 1 ms: peak %.2f dB without, %.2f dB "
	       "with 5 ms lookahead (latency %u)\n", p0, p5, l5);
	CHECK_INT(l0, 0);
	CHECK_INT(l5, 240);
	/* without: the first peak (0.25 ms in) sees ~20(1 - e^-0.25) = 4.4 dB of reduction */
	CHECK(p0 > -8.0);
	/* with: 5 attack time constants before the burst arrives: ~ -19.9 dB */
	CHECK_NEAR(p5, -20.0, 0.5);
}

static void t_compressor_auto_makeup(void)
{
	/* Documented rule: makeup += reduction at 0 dBFS = -threshold (1 - 1/ratio)
	 * for a hard knee = 15 dB here. */
	static const struct { double in, makeup, want; } cases[] = {
		{ -10, 0, -10 - 7.5 + 15 }, /* 7.5 dB of reduction */
		{ 0, 0, 0 },                /* full scale stays full scale */
		{ -30, 0, -30 + 15 },       /* below threshold: only the makeup */
		{ -10, 2, -10 - 7.5 + 15 + 2 },
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		char mk[32];
		snprintf(mk, sizeof mk, "makeup=%g", cases[k].makeup);
		mxd_fx *fx = MAKE("compressor", 1, "threshold=-20", "ratio=4", "knee=0", "auto_makeup=true", mk,
				  "attack=5", "release=200");
		if (!fx)
			return;
		size_t n = NFS / 2;
		float *x = sine(n, 1000, pow(10, cases[k].in / 20));
		run_mono(fx, x, NULL, n);
		double out = rms_db(x, n - 4800, 4800) + 3.0103;
		CHECK_MSG(fabs(out - cases[k].want) < 0.25, "in %g dB makeup %g: out %.3f dB, rule %.3f dB",
			  cases[k].in, cases[k].makeup, out, cases[k].want);
		free(x);
		fx->cls->destroy(fx);
	}
}

static void t_compressor_sidechain(void)
{
	/* Pad: 220 Hz at -40 dB peak (below the threshold: alone it is not
	 * compressed). Key: 150 Hz bursts at -6 dB peak, 0.5..1.0 s. Threshold -30,
	 * ratio 4: reduction 0.75 x 24 = 18 dB while the key sounds. */
	mxd_fx *fx = MAKE("compressor", 2, "threshold=-30", "ratio=4", "knee=0", "attack=1", "release=300");
	if (!fx)
		return;
	size_t n = 3 * NFS;
	float *pad[2] = { sine(n, 220, 0.01), sine(n, 220, 0.01) }, *ref = sine(n, 220, 0.01);
	float *key[2] = { calloc(n, sizeof(float)), calloc(n, sizeof(float)) };
	for (size_t i = NFS / 2; i < NFS; i++)
		key[0][i] = key[1][i] = (float)(0.5 * sin(2 * PI * 150 * (double)i / FS));
	run(fx, pad, key, 2, n, 256);
	double before = rms_db(pad[0], NFS / 4, NFS / 4) - rms_db(ref, NFS / 4, NFS / 4);
	double during = rms_db(pad[0], NFS * 7 / 10, NFS * 3 / 10) - rms_db(ref, NFS * 7 / 10, NFS * 3 / 10);
	double after = rms_db(pad[0], n - NFS / 4, NFS / 4) - rms_db(ref, n - NFS / 4, NFS / 4);
	double right = rms_db(pad[1], NFS * 7 / 10, NFS * 3 / 10) - rms_db(ref, NFS * 7 / 10, NFS * 3 / 10);
	printf("# sidechain: pad change before %.3f, during key %.3f (want -18), 1.75 s after %.3f dB\n", before,
	       during, after);
	CHECK_NEAR(before, 0.0, 1e-6);
	CHECK_NEAR(during, -18.0, 0.5);
	CHECK_NEAR(right, during, 1e-6);
	CHECK_NEAR(after, 0.0, 0.1);
	/* Without the key the same pad passes unchanged. */
	fx->cls->reset(fx);
	float *pad2[2] = { sine(n, 220, 0.01), sine(n, 220, 0.01) };
	run(fx, pad2, NULL, 2, n, 256);
	double err = 0;
	for (size_t i = 0; i < n; i++)
		err = fmax(err, fabs(pad2[0][i] - ref[i]));
	CHECK_MSG(err == 0, "unkeyed pad changed by %g", err);
	for (int c = 0; c < 2; c++)
		free(pad[c]), free(pad2[c]), free(key[c]);
	free(ref);
	fx->cls->destroy(fx);
}

static void t_compressor_stereo_link(void)
{
	/* Left at 0 dB, right at -30 dB (below threshold -20). Linked: the right
	 * channel gets the left's 15 dB reduction (0 -> -15); unlinked: it passes. */
	for (int linked = 0; linked <= 1; linked++) {
		mxd_fx *fx = MAKE("compressor", 2, "threshold=-20", "ratio=4", "knee=0", linked ? "stereo_link=1" : "stereo_link=0");
		if (!fx)
			return;
		size_t n = NFS / 2;
		float *x[2] = { sine(n, 1000, 1.0), sine(n, 1000, pow(10, -30 / 20.0)) };
		run(fx, x, NULL, 2, n, 256);
		double l = rms_db(x[0], n - 4800, 4800) + 3.0103, r = rms_db(x[1], n - 4800, 4800) + 3.0103;
		CHECK_NEAR(l, -15.0, 0.25);
		CHECK_NEAR(r, linked ? -45.0 : -30.0, 0.25);
		free(x[0]), free(x[1]);
		fx->cls->destroy(fx);
	}
}

/* Recovery time (ms) to less than 1 dB of reduction after a DC burst of
 * `burst_ms` at -10 dB (threshold -40, ratio inf: 30 dB of reduction). */
static double recovery_ms(bool autorel, double burst_ms)
{
	mxd_fx *fx = MAKE("compressor", 1, "threshold=-40", "ratio=100", "knee=0", "attack=1", "release=100",
			  autorel ? "auto_release=true" : "auto_release=false");
	if (!fx)
		return 0;
	size_t on = (size_t)(burst_ms * FS / 1000), n = on + 3 * NFS;
	float *x = malloc(n * sizeof *x), *in = malloc(n * sizeof *in);
	for (size_t i = 0; i < n; i++)
		in[i] = x[i] = (float)(i < on ? 0.316 : 0.001); /* then -60 dB: below threshold */
	run_mono(fx, x, NULL, n);
	size_t t = 0;
	for (size_t i = on; i < n && !t; i++)
		if (-db(x[i] / in[i]) < 1.0)
			t = i - on;
	free(x), free(in);
	fx->cls->destroy(fx);
	return 1000.0 * (double)t / FS;
}

static void t_compressor_auto_release(void)
{
	/* Fixed release 100 ms: 30 dB -> 1 dB takes 100 ln 30 = 340 ms (plus the
	 * attack stage). auto_release: a lone 20 ms peak recovers faster, 2 s of
	 * compression recovers slower. */
	double fixed_short = recovery_ms(false, 20), fixed_long = recovery_ms(false, 2000);
	double auto_short = recovery_ms(true, 20), auto_long = recovery_ms(true, 2000);
	printf("# recovery to 1 dB: fixed %.0f / %.0f ms, auto_release %.0f / %.0f ms (20 ms / 2 s burst)\n",
	       fixed_short, fixed_long, auto_short, auto_long);
	CHECK_NEAR(fixed_long, 100 * log(30), 0.1 * 100 * log(30));
	CHECK(auto_short < 0.6 * fixed_short);
	CHECK(auto_long > 1.5 * fixed_long);
}

/* ------------------------------------------------------- gate, expander */

/* Gain (dB) of y against x where |x| is well above zero; NAN elsewhere. */
static double sample_gain_db(const float *y, const float *x, size_t i, double env)
{
	return fabs(x[i]) > 0.5 * env ? db(fabs(y[i] / x[i])) : NAN;
}

static void t_gate_hysteresis_ramp(void)
{
	/* 1 kHz tone whose peak level ramps -60 -> -10 dB over 2 s and back
	 * (25 dB/s). Threshold -30, hysteresis 6: opens at -30, closes at -36. */
	mxd_fx *fx = MAKE("gate", 1, "threshold=-30", "hysteresis=6", "range=60", "attack=0.2", "release=5",
			  "hold=10");
	if (!fx)
		return;
	size_t n = 4 * NFS;
	float *x = malloc(n * sizeof *x), *in = malloc(n * sizeof *in);
	double *env = malloc(n * sizeof *env);
	for (size_t i = 0; i < n; i++) {
		double t = (double)i / FS, lv = t < 2 ? -60 + 25 * t : -10 - 25 * (t - 2);
		env[i] = pow(10, lv / 20);
		in[i] = x[i] = (float)(env[i] * sin(2 * PI * 1000 * t));
	}
	run_mono(fx, x, NULL, n);
	size_t t_open = 0, t_close = 0;
	for (size_t i = 0; i < n; i++) {
		double g = sample_gain_db(x, in, i, env[i]);
		if (isnan(g))
			continue;
		if (!t_open && i < n / 2 && g > -57)
			t_open = i;
		if (t_open && !t_close && i > n / 2 && g < -3)
			t_close = i;
	}
	size_t hold = (size_t)(0.010 * FS);
	double open_db = db(env[t_open]), close_db = t_close > hold ? db(env[t_close - hold]) : 0;
	printf("# gate ramp: opens at %.2f dB (threshold -30), closes at %.2f dB (-36) after hold\n", open_db,
	       close_db);
	CHECK(t_open > 0 && t_close > 0);
	CHECK_NEAR(open_db, -30.0, 0.5);
	CHECK_NEAR(close_db, -36.0, 0.5);
	/* wide open in the middle: unity gain */
	CHECK_NEAR(rms_db(x, n / 2 - 4800, 9600), rms_db(in, n / 2 - 4800, 9600), 0.01);
	free(x), free(in), free(env);
	fx->cls->destroy(fx);
}

static void t_gate_hold(void)
{
	/* -10 dB burst for 0.3 s, then the tone continues at -60 dB (below the
	 * close level): the gate starts closing `hold` after the burst ends. */
	static const double holds[] = { 50, 200 };
	for (int k = 0; k < 2; k++) {
		char h[32];
		snprintf(h, sizeof h, "hold=%g", holds[k]);
		mxd_fx *fx = MAKE("gate", 1, "threshold=-30", "hysteresis=4", "range=40", "attack=0.2", "release=2", h);
		if (!fx)
			return;
		size_t n = NFS, end = NFS * 3 / 10;
		float *x = malloc(n * sizeof *x), *in = malloc(n * sizeof *in);
		double *env = malloc(n * sizeof *env);
		for (size_t i = 0; i < n; i++) {
			env[i] = pow(10, (i < end ? -10 : -60) / 20.0);
			in[i] = x[i] = (float)(env[i] * sin(2 * PI * 1000 * (double)i / FS));
		}
		run_mono(fx, x, NULL, n);
		/* last sample of the burst at or above the close level */
		size_t last = 0;
		for (size_t i = 0; i < end; i++)
			if (fabs(in[i]) >= pow(10, -34 / 20.0))
				last = i;
		size_t t_close = 0;
		for (size_t i = end; i < n && !t_close; i++) {
			double g = sample_gain_db(x, in, i, env[i]);
			if (!isnan(g) && g < -1)
				t_close = i;
		}
		double ms = 1000.0 * (double)(t_close - last) / FS;
		printf("# gate hold %g ms: closes %.2f ms after the key fell\n", holds[k], ms);
		CHECK(t_close > 0);
		CHECK_NEAR(ms, holds[k], 0.1 * holds[k]);
		/* before it closes the quiet tone passes at unity */
		double g_open = sample_gain_db(x, in, end + (size_t)(0.5 * holds[k] * FS / 1000), 0.0);
		CHECK_NEAR(g_open, 0.0, 0.01);
		/* closed: attenuated by range */
		CHECK_NEAR(rms_db(x, n - 4800, 4800) - rms_db(in, n - 4800, 4800), -40.0, 0.05);
		CHECK_NEAR(mxd_fx_gain_reduction_db(fx), 40.0, 0.01);
		free(x), free(in), free(env);
		fx->cls->destroy(fx);
	}
}

static void t_gate_duck(void)
{
	/* Pad 220 Hz at -20 dB; key: a 1 kHz burst at -10 dB, 0.5..1.0 s.
	 * duck: true, range 12 -> the pad drops 12 dB while the key sounds. */
	mxd_fx *fx = MAKE("gate", 1, "threshold=-30", "range=12", "attack=1", "release=50", "hold=20", "duck=true");
	if (!fx)
		return;
	size_t n = 2 * NFS;
	float *pad = sine(n, 220, 0.1), *ref = sine(n, 220, 0.1), *key = calloc(n, sizeof(float));
	for (size_t i = NFS / 2; i < NFS; i++)
		key[i] = (float)(0.316 * sin(2 * PI * 1000 * (double)i / FS));
	run_mono(fx, pad, key, n);
	double before = rms_db(pad, 0, NFS / 2) - rms_db(ref, 0, NFS / 2);
	double during = rms_db(pad, NFS * 6 / 10, NFS * 4 / 10) - rms_db(ref, NFS * 6 / 10, NFS * 4 / 10);
	double after = rms_db(pad, n - NFS / 2, NFS / 2) - rms_db(ref, n - NFS / 2, NFS / 2);
	printf("# duck: before %.3f, during %.3f (range 12), after %.3f dB\n", before, during, after);
	CHECK_NEAR(before, 0.0, 1e-9);
	CHECK_NEAR(during, -12.0, 0.1);
	CHECK_NEAR(after, 0.0, 0.01);
	free(pad), free(ref), free(key);
	fx->cls->destroy(fx);
}

static void t_expander_slope(void)
{
	const double thr = -30, ratio = 3;
	mxd_fx *fx = MAKE("expander", 1, "threshold=-30", "ratio=3", "range=80", "hysteresis=0", "attack=1",
			  "release=50");
	if (!fx)
		return;
	size_t n = NFS / 2;
	double out_at[2] = { 0, 0 };
	for (int L = -50; L <= -10; L += 2) {
		float *x = sine(n, 1000, pow(10, L / 20.0));
		fx->cls->reset(fx);
		run_mono(fx, x, NULL, n);
		double out = rms_db(x, n - 4800, 4800) + 3.0103;
		double want = L < thr ? thr + ratio * (L - thr) : L;
		CHECK_MSG(fabs(out - want) < 0.25, "expander in %d dB: out %.3f, want %.3f", L, out, want);
		if (L == -50)
			out_at[0] = out;
		if (L == -34)
			out_at[1] = out;
		free(x);
	}
	double slope = (out_at[1] - out_at[0]) / 16.0;
	printf("# expander: slope below threshold %.4f (ratio 3)\n", slope);
	CHECK_NEAR(slope * 16.0, ratio * 16.0, 0.25);
	fx->cls->destroy(fx);
}

/* ------------------------------------------------------------- de-esser */

static void t_deesser_transparent_below_threshold(void)
{
	mxd_fx *fx = MAKE("deesser", 2, "threshold=-30", "range=12");
	if (!fx)
		return;
	size_t n = NFS;
	float *x[2], *in[2];
	for (int c = 0; c < 2; c++) {
		x[c] = malloc(n * sizeof(float));
		in[c] = malloc(n * sizeof(float));
		for (size_t i = 0; i < n; i++) { /* loud low tone, quiet 7 kHz (band level < -30) */
			double fade = i < 480 ? 0.5 - 0.5 * cos(PI * (double)i / 480) : 1.0; /* no step at 0 */
			in[c][i] = x[c][i] = (float)(fade * (0.25 * sin(2 * PI * 300 * (double)i / FS + c) +
							     0.005 * sin(2 * PI * 7000 * (double)i / FS)));
		}
	}
	run(fx, x, NULL, 2, n, 256);
	double err = 0;
	for (int c = 0; c < 2; c++)
		for (size_t i = 0; i < n; i++)
			err = fmax(err, fabs(x[c][i] - in[c][i]));
	printf("# de-esser below threshold: max |out - in| = %g\n", err);
	CHECK(err < 1e-6);
	CHECK_NEAR(mxd_fx_gain_reduction_db(fx), 0.0, 0.0);
	for (int c = 0; c < 2; c++)
		free(x[c]), free(in[c]);
	fx->cls->destroy(fx);
}

static void t_deesser_reduces_band_only(void)
{
	/* 300 Hz at -12 dB throughout; a 7 kHz burst at -10 dB, 0.3..0.8 s.
	 * Band level ~ -10 dB > threshold -30 + range 12: the band is cut by 12 dB,
	 * so the 7 kHz tone changes by |1 + (g - 1) H(7k)|, g = -12 dB, with H the
	 * band-pass (6500 Hz, Q 1) response; the 300 Hz tone by |1 + (g-1) H(300)|. */
	mxd_fx *fx = MAKE("deesser", 1, "frequency=6500", "threshold=-30", "range=12");
	if (!fx)
		return;
	size_t n = NFS;
	float *x = malloc(n * sizeof *x), *low = malloc(n * sizeof *low);
	for (size_t i = 0; i < n; i++) {
		double t = (double)i / FS;
		low[i] = (float)(0.251 * sin(2 * PI * 300 * t));
		x[i] = low[i] + (float)(t >= 0.3 && t < 0.8 ? 0.316 * sin(2 * PI * 7000 * t) : 0.0);
	}
	run_mono(fx, x, NULL, n);
	mxd_biquad bp;
	mxd_biquad_design(&bp, MXD_BQ_BANDPASS, FS, 6500, 1.0, 0.0);
	double g = pow(10, -12 / 20.0), want7 = 0, want3 = 0;
	double fr[2] = { 7000, 300 }, *want[2] = { &want7, &want3 };
	for (int k = 0; k < 2; k++) {
		double m, ph;
		mxd_biquad_response(&bp, FS, fr[k], &m, &ph);
		double h = pow(10, m / 20);
		*want[k] = db(hypot(1 + (g - 1) * h * cos(ph), (g - 1) * h * sin(ph)));
	}
	size_t from = (size_t)(0.4 * FS), len = (size_t)(0.35 * FS);
	double got7 = db(tone_amp(x, from, len, 7000) / 0.316), got3 = db(tone_amp(x, from, len, 300) / 0.251);
	double got3_out = db(tone_amp(x, (size_t)(0.9 * FS), NFS / 10, 300) / 0.251);
	printf("# de-esser: 7 kHz %.3f dB (split formula %.3f), 300 Hz %.4f dB during (formula %.4f), %.5f after\n",
	       got7, want7, got3, want3, got3_out);
	CHECK_NEAR(got7, want7, 0.3);
	CHECK(got7 < -8.0); /* the sibilant tone is clearly reduced */
	CHECK_NEAR(got3, 0.0, 0.1);
	CHECK_NEAR(got3_out, 0.0, 0.01);
	free(x), free(low);
	fx->cls->destroy(fx);
}

static void t_deesser_listen(void)
{
	mxd_fx *fx = MAKE("deesser", 1, "listen=true");
	if (!fx)
		return;
	size_t n = NFS / 4;
	float *x = malloc(n * sizeof *x), *ref = malloc(n * sizeof *ref);
	mxt_noise(x, (int64_t)n, 0.5, 3);
	memcpy(ref, x, n * sizeof *x);
	run_mono(fx, x, NULL, n);
	mxd_biquad bp;
	mxd_bq_state st = { 0, 0 };
	mxd_biquad_design(&bp, MXD_BQ_BANDPASS, FS, 6500, 1.0, 0.0);
	mxd_biquad_process(&bp, &st, ref, (uint32_t)n);
	double err = 0;
	for (size_t i = 0; i < n; i++)
		err = fmax(err, fabs(x[i] - ref[i]));
	CHECK_MSG(err < 1e-6, "listen output differs from the band by %g", err);
	free(x), free(ref);
	fx->cls->destroy(fx);
}

/* ------------------------------------------ every processor: robustness */

typedef struct {
	const char *cls;
	const char *kv[8];
	double freq, amp;
	const char *param;
	double to;
	bool audible; /* the new value changes the steady-state output */
} jump_case;

/* Cases where the processor is working (compressing, gating...) and the
 * parameter moves the gain a lot. */
static const jump_case jumps[] = {
	{ "compressor", { "threshold=-10", "attack=1", "release=50" }, 1000, 0.5, "threshold", -40, true },
	{ "compressor", { "threshold=-30", "ratio=2", "attack=1" }, 1000, 0.5, "ratio", 100, true },
	{ "compressor", { "threshold=-6", "knee=0" }, 1000, 0.5, "knee", 24, true },
	{ "compressor", { "threshold=-30" }, 1000, 0.5, "makeup", 18, true },
	{ "compressor", { "threshold=-30", "attack=0.01" }, 1000, 0.5, "release", 5, false },
	{ "compressor", { "threshold=-30", "attack=100", "stereo_link=0" }, 1000, 0.5, "stereo_link", 1, false },
	{ "compressor", { "threshold=-30", "attack=1" }, 1000, 0.5, "sidechain_hpf", 2000, true },
	{ "gate", { "threshold=-20", "release=20" }, 1000, 0.5, "threshold", 0, true },
	{ "gate", { "threshold=-5" }, 1000, 0.5, "threshold", -40, true },
	{ "gate", { "threshold=-5" }, 1000, 0.5, "range", 10, true },
	{ "gate", { "threshold=-20" }, 1000, 0.5, "sidechain_hpf", 20000, true },
	{ "gate", { "threshold=-20" }, 1000, 0.5, "sidechain_lpf", 100, true },
	{ "gate", { "threshold=-20" }, 1000, 0.5, "attack", 500, false },
	{ "gate", { "threshold=-20" }, 1000, 0.5, "release", 1, false },
	{ "gate", { "threshold=-20" }, 1000, 0.5, "hold", 0, false },
	{ "gate", { "threshold=-20" }, 1000, 0.5, "hysteresis", 24, false },
	{ "expander", { "threshold=-10", "ratio=2", "attack=1" }, 1000, 0.1, "ratio", 10, true },
	{ "expander", { "threshold=-10", "ratio=2" }, 1000, 0.1, "sidechain_hpf", 5000, true },
	{ "expander", { "threshold=-10", "ratio=2" }, 1000, 0.1, "attack", 0.01, false },
	{ "expander", { "threshold=-10", "ratio=4" }, 1000, 0.1, "threshold", -40, true },
	{ "expander", { "threshold=-10", "ratio=4" }, 1000, 0.1, "range", 2, true },
	{ "deesser", { "threshold=-40", "range=3" }, 7000, 0.5, "range", 24, true },
	{ "deesser", { "threshold=-10", "range=12" }, 7000, 0.5, "threshold", -60, true },
	{ "deesser", { "threshold=-40", "range=12" }, 7000, 0.5, "frequency", 16000, true },
};

/* Residual of the sine recursion x[n+1] - 2 cos(w) x[n] + x[n-1]: exactly 0
 * for any pure sine of frequency w, about A dg for a gain step dg. */
static double max_residual(const float *y, size_t from, size_t to, double f)
{
	double c2 = 2 * cos(2 * PI * f / FS), m = 0;
	for (size_t i = from + 1; i + 1 < to; i++)
		m = fmax(m, fabs(y[i + 1] - c2 * y[i] + y[i - 1]));
	return m;
}

static void t_parameter_jumps_do_not_click(void)
{
	/* The detector: a 1 dB gain step on a 1 kHz sine (at a peak) reads as
	 * > 0.05 A; the limit is 0.01 A. */
	size_t n = NFS;
	float *t = sine(n, 1000, 0.5);
	for (size_t i = 12 + 48 * 400; i < n; i++)
		t[i] *= (float)pow(10, -1 / 20.0);
	double r_step = max_residual(t, 0, n, 1000) / 0.5;
	CHECK_MSG(r_step > 0.05, "detector misses a 1 dB step (%g)", r_step);
	free(t);
	for (size_t k = 0; k < sizeof jumps / sizeof jumps[0]; k++) {
		const jump_case *j = &jumps[k];
		size_t nkv = 0;
		while (nkv < 8 && j->kv[nkv])
			nkv++;
		mxd_fx *fx = make(j->cls, 1, j->kv, nkv);
		if (!fx)
			continue;
		float *x = sine(n, j->freq, j->amp);
		size_t at = NFS / 2 + 17;
		run_mono(fx, x, NULL, at);
		double g_before = mxd_fx_gain_reduction_db(fx);
		set(fx, j->param, j->to);
		run_mono(fx, x + at, NULL, n - at);
		double g_after = mxd_fx_gain_reduction_db(fx);
		double r = max_residual(x, NFS / 4, n, j->freq) / j->amp;
		double level_change = rms_db(x, n - 4800, 4800) - rms_db(x, at - 4800, 4800);
		printf("# %s %s -> %g: residual %.5f A, level change %.2f dB (GR %.2f -> %.2f)\n", j->cls, j->param,
		       j->to, r, level_change, g_before, g_after);
		CHECK_MSG(r < 0.01, "%s.%s -> %g clicks: residual %.4f A", j->cls, j->param, j->to, r);
		/* the jump did something audible (else the case tests nothing) */
		CHECK_MSG(!j->audible || fabs(level_change) > 1.0 || fabs(g_after - g_before) > 1.0,
			  "%s.%s -> %g changed nothing", j->cls, j->param, j->to);
		free(x);
		fx->cls->destroy(fx);
	}
}

static const char *const robust_cls[] = { "compressor", "gate", "expander", "deesser" };
static const char *const robust_kv[][6] = {
	{ "lookahead=5", "makeup=12", "auto_makeup=true", "detector=rms", "sidechain_hpf=100", "auto_release=true" },
	{ "sidechain_hpf=100", "sidechain_lpf=5000", "range=90" },
	{ "ratio=4", "range=60", "duck=true" },
	{ "threshold=-50", "range=24" },
};

static void t_silence_gives_zeros(void)
{
	for (int k = 0; k < 4; k++) {
		size_t nkv = 0;
		while (nkv < 6 && robust_kv[k][nkv])
			nkv++;
		mxd_fx *fx = make(robust_cls[k], 2, robust_kv[k], nkv);
		if (!fx)
			continue;
		size_t n = NFS;
		float *x[2] = { calloc(n, sizeof(float)), calloc(n, sizeof(float)) };
		run(fx, x, NULL, 2, n, 256);
		size_t nonzero = 0;
		for (int c = 0; c < 2; c++)
			for (size_t i = 0; i < n; i++)
				nonzero += x[c][i] != 0.0f;
		CHECK_MSG(nonzero == 0, "%s: %zu nonzero samples from silence", robust_cls[k], nonzero);
		/* noise burst, then 5 s of silence: exact zeros at the end, no subnormals */
		size_t m = 6 * NFS;
		float *y[2] = { calloc(m, sizeof(float)), calloc(m, sizeof(float)) };
		mxt_noise(y[0], NFS / 4, 0.5, 5);
		mxt_noise(y[1], NFS / 4, 0.5, 6);
		run(fx, y, NULL, 2, m, 256);
		size_t sub = 0;
		double last = 0;
		for (int c = 0; c < 2; c++)
			for (size_t i = 0; i < m; i++) {
				sub += y[c][i] != 0.0f && fabsf(y[c][i]) < 1.17549435e-38f;
				if (i >= m - NFS)
					last = fmax(last, fabs(y[c][i]));
			}
		CHECK_MSG(sub == 0 && last < 1e-20, "%s: %zu subnormals, tail %g", robust_cls[k], sub, last);
		CHECK_NEAR(mxd_fx_gain_reduction_db(fx), k == 1 ? 90.0 : 0.0, 1e-6);
		for (int c = 0; c < 2; c++)
			free(x[c]), free(y[c]);
		fx->cls->destroy(fx);
	}
}

static void t_nan_burst_recovers(void)
{
	/* A block of NaN/Inf in the middle of a sine, no reset(): the output is
	 * finite again within 0.1 s and back at its old level within 1 s. */
	for (int k = 0; k < 4; k++) {
		for (int keyed = 0; keyed <= 1; keyed++) {
			size_t nkv = 0;
			while (nkv < 6 && robust_kv[k][nkv])
				nkv++;
			mxd_fx *fx = make(robust_cls[k], 1, robust_kv[k], nkv);
			if (!fx)
				continue;
			size_t n = 3 * NFS, at = NFS;
			double f = k == 3 ? 7000 : 1000;
			float *x = sine(n, f, 0.3), *key = keyed ? sine(n, f, 0.3) : NULL;
			for (size_t i = at; i < at + 256; i++) {
				float bad = i % 3 == 0 ? NAN : i % 3 == 1 ? INFINITY : -INFINITY;
				x[i] = bad;
				if (key)
					key[i] = bad;
			}
			run_mono(fx, x, key, n);
			size_t bad = 0;
			for (size_t i = at + 256 + NFS / 10; i < n; i++)
				bad += !isfinite(x[i]);
			double before = rms_db(x, at - 9600, 9600), after = rms_db(x, n - 9600, 9600);
			CHECK_MSG(bad == 0, "%s%s: %zu non-finite samples after the burst", robust_cls[k],
				  keyed ? " (keyed)" : "", bad);
			CHECK_MSG(fabs(after - before) < 0.1, "%s%s: level %.2f dB before, %.2f after", robust_cls[k],
				  keyed ? " (keyed)" : "", before, after);
			CHECK(isfinite(mxd_fx_gain_reduction_db(fx)));
			free(x), free(key);
			fx->cls->destroy(fx);
		}
	}
}

/* ----------------------------------------------------------- dsp pieces */

static void t_dsp_gain_computers(void)
{
	/* hard knee, soft knee: continuity at the knee edges and the slopes */
	for (double w = 0; w <= 12; w += 6) {
		for (double x = -40; x <= 0; x += 0.5) {
			double want = x - ref_compressor_out(x, -20, 4, w);
			CHECK_NEAR(mxd_dyn_compress_gr(x, -20, 0.75, w), want, 1e-12);
		}
		CHECK_NEAR(mxd_dyn_expand_gr(-40, -20, 2, w), 40, 1e-12);
		CHECK_NEAR(mxd_dyn_expand_gr(-20 + w / 2 + 1e-9, -20, 2, w), 0, 1e-6);
		CHECK_NEAR(mxd_dyn_expand_gr(-20 - w / 2, -20, 2, w), w, 1e-9);
	}
	/* alpha: a one-pole reaches 1 - 1/e after tau */
	double a = mxd_dyn_alpha(10, FS);
	CHECK_NEAR(pow(a, 480), exp(-1), 1e-12);
	/* release compensation: the two-stage detector's 63 % time equals the request */
	mxd_dyn_env e = { 30, 30 };
	double aa = mxd_dyn_alpha(10, FS), ar = mxd_dyn_alpha(mxd_dyn_decoupled_release_ms(10, 100), FS);
	size_t i = 0;
	while (mxd_dyn_decoupled(&e, 0, aa, ar) > 30 * exp(-1))
		i++;
	CHECK_NEAR((double)i / 48.0, 100.0, 1.0);
	/* sliding maximum */
	mxd_dyn_peakwin w = { 0 };
	CHECK(mxd_dyn_peakwin_alloc(&w, 10) == 0);
	const float seq[] = { 1, 5, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0 };
	float got[14];
	for (int k = 0; k < 14; k++)
		got[k] = mxd_dyn_peakwin_push(&w, seq[k], 4);
	const float want[] = { 1, 5, 5, 5, 5, 3, 3, 0, 0, 0, 0, 0, 4, 4 };
	for (int k = 0; k < 14; k++)
		CHECK_MSG(got[k] == want[k], "window max at %d: %g, want %g", k, got[k], want[k]);
	mxd_dyn_peakwin_free(&w);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_dsp_gain_computers),
		MXT(t_compressor_static_curve),
		MXT(t_compressor_time_constants),
		MXT(t_compressor_lookahead),
		MXT(t_compressor_auto_makeup),
		MXT(t_compressor_sidechain),
		MXT(t_compressor_stereo_link),
		MXT(t_compressor_auto_release),
		MXT(t_gate_hysteresis_ramp),
		MXT(t_gate_hold),
		MXT(t_gate_duck),
		MXT(t_expander_slope),
		MXT(t_deesser_transparent_below_threshold),
		MXT(t_deesser_reduces_band_only),
		MXT(t_deesser_listen),
		MXT(t_parameter_jumps_do_not_click),
		MXT(t_silence_gives_zeros),
		MXT(t_nan_burst_recovers),
	};
	return MXT_RUN(cases);
}
