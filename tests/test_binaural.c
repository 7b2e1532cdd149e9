/* mixdown — binaural rendering through a measured HRTF (src/spatial/hrtf.c,
 * binaural.c, `render --binaural`): interaural time and level differences of
 * a source at +90 degrees against the SOFA set's own data, exact partitioned
 * convolution, click-free motion, clear errors for missing and malformed SOFA
 * files, and the headphone render of a 5.1 mix.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Needs libmysofa and its installed MIT KEMAR set; skips with the reason
 * otherwise. MXT_ASAN=1 shortens the signals. */
#define _GNU_SOURCE /* dlsym of the preloaded guard */
#include <dlfcn.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef MIXDOWN_HAVE_MYSOFA
#include <mysofa.h>
#endif

#include "harness.h"
#ifdef MIXDOWN_HAVE_PLAY
#include "jack_util.h"
#endif
#include "mixdown/mixdown.h"
#include "spatial/binaural.h"
#include "spatial/hrtf.h"
#include "util.h"

#define RATE 48000.0
/* tests/rt_guard.c, built in builds without sanitizers: preloaded to count
 * allocations, locks and I/O on the audio path (as test_rt_guard does). */
#define GUARD_LIB MIXDOWN_BUILD_DIR "/tests/libmxt_rt_guard.so"

static bool short_run(void) { return getenv("MXT_ASAN") != NULL; }

/* The installed set at RATE, or NULL after SKIP with the reason. */
static mxd_hrtf *load_default(void)
{
	mxd_hrtf *h = NULL;
	mixdown_error err;
	if (access(MXD_HRTF_DEFAULT_FILE, R_OK) != 0) {
		SKIP("no SOFA set at %s (Debian: libmysofa1)", MXD_HRTF_DEFAULT_FILE);
		return NULL;
	}
	if (mxd_hrtf_load(NULL, RATE, &h, &err) != MIXDOWN_SUCCESS) {
		SKIP("cannot load the HRTF: %s", err.message);
		return NULL;
	}
	return h;
}

/* Lag tau (samples, parabolic-interpolated) maximising sum a[i] b[i - tau]:
 * a is b delayed by tau. */
static double xcorr_lag(const float *a, const float *b, int n, int maxlag)
{
	double best = -INFINITY, c[3] = { 0 };
	int at = 0;
	double *v = calloc((size_t)(2 * maxlag + 1), sizeof *v);
	for (int tau = -maxlag; tau <= maxlag; tau++) {
		double s = 0.0;
		for (int i = maxlag; i < n - maxlag; i++)
			s += (double)a[i] * b[i - tau];
		v[tau + maxlag] = s;
		if (s > best) {
			best = s;
			at = tau;
		}
	}
	double frac = 0.0;
	if (at > -maxlag && at < maxlag) {
		c[0] = v[at + maxlag - 1];
		c[1] = v[at + maxlag];
		c[2] = v[at + maxlag + 1];
		double den = c[0] - 2.0 * c[1] + c[2];
		if (den != 0.0)
			frac = 0.5 * (c[0] - c[2]) / den;
	}
	free(v);
	return at + frac;
}

static double energy(const float *x, int n)
{
	double e = 0.0;
	for (int i = 0; i < n; i++)
		e += (double)x[i] * x[i];
	return e;
}

/* Render input x (n samples) of one source at a fixed direction, in calls of
 * `call` samples. */
static void render_static(const mxd_hrtf *h, double az, double el, const float *x, float *l, float *r, int n, int call)
{
	mxd_binaural *b = mxd_binaural_new(h, 1, MXD_BINAURAL_BLOCK);
	mxd_binaural_set_direction(b, 0, az, el, 1.0);
	for (int done = 0; done < n;) {
		int m = n - done < call ? n - done : call;
		const float *in[1] = { x + done };
		mxd_binaural_process(b, in, l + done, r + done, (uint32_t)m);
		done += m;
	}
	mxd_binaural_free(b);
}

/* The ITD of the raw SOFA pair at mixdown azimuth az (SOFA azimuth -az), in
 * samples at RATE: the cross-correlation peak of the IRs plus the difference
 * of the set's delays. Also the level difference R - L in dB. */
static bool sofa_itd(double az, double *itd, double *ild_db)
{
#ifdef MIXDOWN_HAVE_MYSOFA
	int len = 0, e = 0;
	struct MYSOFA_EASY *easy = mysofa_open(MXD_HRTF_DEFAULT_FILE, (float)RATE, &len, &e);
	if (!easy)
		return false;
	float c[3] = { (float)-az, 0.0f, 1.0f };
	mysofa_s2c(c);
	float *hl = calloc((size_t)len, sizeof *hl), *hr = calloc((size_t)len, sizeof *hr), dl = 0, dr = 0;
	mysofa_getfilter_float_nointerp(easy, c[0], c[1], c[2], hl, hr, &dl, &dr);
	/* Pad so the correlation sees every lag. */
	int n = len + 200;
	float *pl = calloc((size_t)n, sizeof *pl), *pr = calloc((size_t)n, sizeof *pr);
	memcpy(pl + 100, hl, sizeof(float) * (size_t)len);
	memcpy(pr + 100, hr, sizeof(float) * (size_t)len);
	*itd = xcorr_lag(pl, pr, n, 96) + (dl - dr) * RATE;
	*ild_db = 10.0 * log10(energy(hr, len) / energy(hl, len));
	free(hl);
	free(hr);
	free(pl);
	free(pr);
	mysofa_close(easy);
	return true;
#else
	(void)az;
	(void)itd;
	(void)ild_db;
	return false;
#endif
}

static void check_side(double az)
{
	mxd_hrtf *h = load_default();
	if (!h)
		return;
	double itd_exp = 0.0, ild_exp = 0.0;
	CHECK(sofa_itd(az, &itd_exp, &ild_exp));
	int n = short_run() ? 12000 : 48000;
	float *x = malloc(sizeof(float) * (size_t)n), *l = malloc(sizeof(float) * (size_t)n),
	      *r = malloc(sizeof(float) * (size_t)n);
	mxt_noise(x, n, 0.5, 1234);
	render_static(h, az, 0.0, x, l, r, n, 300); /* calls that end inside blocks */
	double itd = xcorr_lag(l + 1000, r + 1000, n - 1000, 96);
	double ild = 10.0 * log10(energy(r + 1000, n - 1000) / energy(l + 1000, n - 1000));
	printf("# az %+.0f: ITD rendered %.4f ms, SOFA %.4f ms; ILD rendered %.2f dB, SOFA %.2f dB\n", az,
	       1000.0 * itd / RATE, 1000.0 * itd_exp / RATE, ild, ild_exp);
	CHECK_NEAR(1000.0 * itd / RATE, 1000.0 * itd_exp / RATE, 0.1);
	/* Right (+90) leads: the left ear is the later one, tau > 0; mirrored at -90. */
	CHECK(az > 0 ? itd > 0.4e-3 * RATE : itd < -0.4e-3 * RATE);
	CHECK(az > 0 ? ild > 6.0 : ild < -6.0);
	CHECK_NEAR(ild, ild_exp, 1.0); /* white noise: the ear energies' ratio is the IRs' */
	free(x);
	free(l);
	free(r);
	mxd_hrtf_free(h);
}

static void t_itd_ild_right(void) { check_side(90.0); }
static void t_itd_ild_left(void) { check_side(-90.0); }

/* A static source equals the direct (time-domain) convolution with the HRIR
 * pair of its direction, whatever the call sizes. */
static void t_exact_convolution(void)
{
	mxd_hrtf *h = load_default();
	if (!h)
		return;
	const double az = 37.0, el = 12.0;
	uint32_t len = mxd_hrtf_length(h);
	float *hl = malloc(sizeof(float) * len), *hr = malloc(sizeof(float) * len);
	mxd_hrtf_lookup(h, az, el, hl, hr, NULL, NULL);
	int n = 6000;
	float *x = malloc(sizeof(float) * (size_t)n), *l = calloc((size_t)n, sizeof(float)),
	      *r = calloc((size_t)n, sizeof(float));
	mxt_noise(x, n, 0.5, 99);
	mxd_binaural *b = mxd_binaural_new(h, 1, 128);
	mxd_binaural_set_direction(b, 0, az, el, 1.0);
	static const int calls[] = { 1, 7, 128, 300, 64, 1000, 33 };
	for (int done = 0, k = 0; done < n; k++) {
		int m = calls[k % 7] < n - done ? calls[k % 7] : n - done;
		const float *in[1] = { x + done };
		mxd_binaural_process(b, in, l + done, r + done, (uint32_t)m);
		done += m;
	}
	double err = 0.0, peak = 0.0;
	for (int i = 0; i < n; i++) {
		double el_ = 0.0, er_ = 0.0;
		for (uint32_t j = 0; j < len && j <= (uint32_t)i; j++) {
			el_ += (double)hl[j] * x[i - (int)j];
			er_ += (double)hr[j] * x[i - (int)j];
		}
		err = fmax(err, fmax(fabs(el_ - l[i]), fabs(er_ - r[i])));
		peak = fmax(peak, fmax(fabs(el_), fabs(er_)));
	}
	printf("# max error %.3g of peak %.3g\n", err, peak);
	CHECK(peak > 0.1);
	CHECK(err < 1e-5 * fmax(1.0, peak) * 10);
	mxd_binaural_free(b);
	free(x);
	free(l);
	free(r);
	free(hl);
	free(hr);
	mxd_hrtf_free(h);
}

/* Largest |second difference| of l and r from sample `from`: a click shows as
 * a spike far above a low tone's (2 pi f / fs)^2 * A. */
static double d2max(const float *l, const float *r, int from, int n)
{
	double m = 0.0;
	for (int i = from > 2 ? from : 2; i < n; i++) {
		m = fmax(m, fabs((double)l[i] - 2.0 * l[i - 1] + l[i - 2]));
		m = fmax(m, fabs((double)r[i] - 2.0 * r[i - 1] + r[i - 2]));
	}
	return m;
}

static double peakabs(const float *l, const float *r, int from, int n)
{
	double m = 0.0;
	for (int i = from; i < n; i++)
		m = fmax(m, fmax(fabs(l[i]), fabs(r[i])));
	return m;
}

/* A 200 Hz tone circling the head (360 degrees over 4 s): no step or peak
 * beyond what static renders at every grid azimuth produce. */
static void t_moving_no_clicks(void)
{
	mxd_hrtf *h = load_default();
	if (!h)
		return;
	int n = short_run() ? 48000 : 192000, warm = 2000;
	float *x = malloc(sizeof(float) * (size_t)n), *l = malloc(sizeof(float) * (size_t)n),
	      *r = malloc(sizeof(float) * (size_t)n);
	mxt_sine(x, n, 1, RATE, 200.0, 0.5, 0.0);
	/* Static references: every 5 degrees. */
	int ns = 12000;
	double s_d2 = 0.0, s_peak = 0.0;
	for (int a = 0; a < 360; a += 5) {
		render_static(h, a, 0.0, x, l, r, ns, 1024);
		s_d2 = fmax(s_d2, d2max(l, r, warm, ns));
		s_peak = fmax(s_peak, peakabs(l, r, warm, ns));
	}
	mxd_binaural *b = mxd_binaural_new(h, 1, MXD_BINAURAL_BLOCK);
	mxd_binaural_set_direction(b, 0, 0.0, 0.0, 1.0);
	const int call = 512;
	for (int done = 0; done < n; done += call) {
		int m = n - done < call ? n - done : call;
		mxd_binaural_set_direction(b, 0, 360.0 * (done + m) / n, 0.0, 1.0);
		const float *in[1] = { x + done };
		mxd_binaural_process(b, in, l + done, r + done, (uint32_t)m);
	}
	mxd_binaural_free(b);
	double m_d2 = d2max(l, r, warm, n), m_peak = peakabs(l, r, warm, n);
	printf("# moving: max 2nd difference %.3g (static %.3g), peak %.2f dB (static max %.2f dB)\n", m_d2, s_d2,
	       20 * log10(m_peak), 20 * log10(s_peak));
	CHECK(m_d2 <= 1.5 * s_d2);
	CHECK(20 * log10(m_peak) <= 20 * log10(s_peak) + 1.0);
	/* It really moved: at +90 (a quarter turn) the right ear dominates, at -90
	 * the left (200 Hz: the head shadow is small, a few dB). */
	int q = n / 4, w = 4800;
	double l1 = mxt_rms_db(l + q - w / 2, 1, 0, 0, w), r1 = mxt_rms_db(r + q - w / 2, 1, 0, 0, w);
	double l3 = mxt_rms_db(l + 3 * q - w / 2, 1, 0, 0, w), r3 = mxt_rms_db(r + 3 * q - w / 2, 1, 0, 0, w);
	printf("# at +90: L %.2f R %.2f dB; at -90: L %.2f R %.2f dB\n", l1, r1, l3, r3);
	CHECK(r1 > l1 + 2.0);
	CHECK(l3 > r3 + 2.0);
	free(x);
	free(l);
	free(r);
	mxd_hrtf_free(h);
}

/* A 60-degree jump: crossfaded over one block by the renderer, while a hard
 * filter switch (splicing the two static renders) makes the metric above
 * detect a click. */
static void t_jump_crossfaded(void)
{
	mxd_hrtf *h = load_default();
	if (!h)
		return;
	const int n = 24064, at = 12288; /* whole calls; the jump at a block boundary */
	float *x = malloc(sizeof(float) * n), *l = malloc(sizeof(float) * n), *r = malloc(sizeof(float) * n);
	float *l0 = malloc(sizeof(float) * n), *r0 = malloc(sizeof(float) * n);
	float *l1 = malloc(sizeof(float) * n), *r1 = malloc(sizeof(float) * n);
	mxt_sine(x, n, 1, RATE, 200.0, 0.5, 0.0);
	render_static(h, 0.0, 0.0, x, l0, r0, n, 256);
	render_static(h, 60.0, 0.0, x, l1, r1, n, 256);
	double s_d2 = fmax(d2max(l0, r0, 2000, n), d2max(l1, r1, 2000, n));
	mxd_binaural *b = mxd_binaural_new(h, 1, MXD_BINAURAL_BLOCK);
	mxd_binaural_set_direction(b, 0, 0.0, 0.0, 1.0);
	for (int done = 0; done < n; done += 256) {
		if (done == at)
			mxd_binaural_set_direction(b, 0, 60.0, 0.0, 1.0);
		const float *in[1] = { x + done };
		mxd_binaural_process(b, in, l + done, r + done, 256);
	}
	mxd_binaural_free(b);
	double x_d2 = d2max(l, r, 2000, n);
	memcpy(l0 + at, l1 + at, sizeof(float) * (size_t)(n - at));
	memcpy(r0 + at, r1 + at, sizeof(float) * (size_t)(n - at));
	double hard_d2 = d2max(l0, r0, 2000, n);
	printf("# jump: max 2nd difference crossfaded %.3g, hard switch %.3g, static %.3g\n", x_d2, hard_d2, s_d2);
	CHECK(x_d2 <= 1.5 * s_d2);
	CHECK(hard_d2 > 3.0 * s_d2);
	/* After the crossfade block the output is the new filter's exactly. */
	double diff = 0.0;
	for (int i = at + MXD_BINAURAL_BLOCK; i < n; i++)
		diff = fmax(diff, fmax(fabs(l[i] - l1[i]), fabs(r[i] - r1[i])));
	CHECK(diff < 1e-5);
	free(x);
	free(l);
	free(r);
	free(l0);
	free(r0);
	free(l1);
	free(r1);
	mxd_hrtf_free(h);
}

static void t_missing_and_malformed(void)
{
	mxd_hrtf *h = NULL;
	mixdown_error err;
	memset(&err, 0, sizeof err);
	CHECK_INT(mxd_hrtf_load("/nonexistent/kemar.sofa", RATE, &h, &err), MIXDOWN_ERR_AUDIO);
	CHECK(h == NULL);
	CHECK_STR_CONTAINS(err.message, "HRTF file /nonexistent/kemar.sofa: ");
#ifdef MIXDOWN_HAVE_MYSOFA
	CHECK_STR_CONTAINS(err.message, "No such file");
	const char *dir = mxt_tempdir();
	char bad[600];
	snprintf(bad, sizeof bad, "%s", mxt_path(dir, "bad.sofa"));
	CHECK_INT(mxt_write_text(bad, "\x89HDF garbage, not a SOFA file"), 0);
	memset(&err, 0, sizeof err);
	CHECK_INT(mxd_hrtf_load(bad, RATE, &h, &err), MIXDOWN_ERR_AUDIO);
	CHECK(h == NULL);
	CHECK_STR_CONTAINS(err.message, bad);
	CHECK_STR_CONTAINS(err.message, "not a SOFA");
	/* Through the command line: exit 1, the file named. */
	float tone[4800 * 6] = { 0 };
	mxt_write_audio(mxt_path(dir, "six.wav"), tone, 4800, 6, (int)RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	mxt_write_text(mxt_path(dir, "s.yaml"), "channels: 6\ntracks:\n  - { name: A, file: six.wav }\n");
	CHECK_INT(mxt_run_cli("render '%s/s.yaml' -o '%s/out.wav' --binaural --hrtf '%s'", dir, dir, bad), 1);
	CHECK_STR_CONTAINS(mxt_cli_err, "HRTF file");
	CHECK_STR_CONTAINS(mxt_cli_err, "bad.sofa");
	CHECK(access(mxt_path(dir, "out.wav"), F_OK) != 0);
#else
	SKIP("built without libmysofa: %s", err.message);
#endif
}

/* `render --binaural` of a 5.1 mix (L R C LFE Ls Rs) with a tone in one channel. */
static void render_51(int channel, double *l_db, double *r_db)
{
	const char *dir = mxt_tempdir();
	int n = 48000;
	float *buf = calloc((size_t)n * 6, sizeof(float)), *one = malloc(sizeof(float) * (size_t)n);
	mxt_sine(one, n, 1, RATE, 1000.0, 0.1, 0.0);
	for (int i = 0; i < n; i++)
		buf[i * 6 + channel] = one[i];
	mxt_write_audio(mxt_path(dir, "six.wav"), buf, n, 6, (int)RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	mxt_write_text(mxt_path(dir, "s.yaml"), "channels: 6\ntracks:\n  - { name: A, file: six.wav }\n");
	CHECK_INT(mxt_run_cli("render '%s/s.yaml' -o '%s/bin.wav' --binaural --bits 32f", dir, dir), 0);
	int64_t frames = 0;
	int ch = 0, rate = 0, fmt = 0;
	float *out = mxt_read_audio(mxt_path(dir, "bin.wav"), &frames, &ch, &rate, &fmt);
	CHECK(out != NULL);
	CHECK_INT(ch, 2);
	*l_db = *r_db = -INFINITY;
	if (out && ch == 2 && frames > 40000) {
		*l_db = mxt_rms_db(out, 2, 0, 4800, 38400);
		*r_db = mxt_rms_db(out, 2, 1, 4800, 38400);
	}
	free(out);
	free(buf);
	free(one);
}

static void t_cli_51(void)
{
	mxd_hrtf *h = load_default();
	if (!h)
		return;
	mxd_hrtf_free(h);
	double l = 0, r = 0;
	render_51(2, &l, &r); /* C */
	printf("# 5.1 C only: left %.2f dB, right %.2f dB\n", l, r);
	CHECK(l > -40.0);
	CHECK_NEAR(l, r, 0.5);
	render_51(1, &l, &r); /* R */
	printf("# 5.1 R only: left %.2f dB, right %.2f dB\n", l, r);
	CHECK(r > l + 3.0);
	render_51(4, &l, &r); /* Ls */
	printf("# 5.1 Ls only: left %.2f dB, right %.2f dB\n", l, r);
	CHECK(l > r + 3.0);
	render_51(3, &l, &r); /* LFE: both ears, HRTF-free, +0 dB */
	CHECK_NEAR(l, r, 0.01);
	CHECK_NEAR(l, 20 * log10(0.1 / sqrt(2.0)), 0.1);
}

/* Render a `layout: binaural` session (API) into *out (interleaved stereo). */
static int64_t render_session(const char *dir, const char *yaml, float **out)
{
	mixdown_render_options o = mixdown_render_options_init();
	o.output = mxt_path(dir, "obj.wav");
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	o.no_bwf = true;
	mixdown_error err;
	CHECK_INT(mxt_render_yaml(dir, yaml, &o, NULL, &err), MIXDOWN_SUCCESS);
	int64_t frames = 0;
	int ch = 0;
	*out = mxt_read_audio(mxt_path(dir, "obj.wav"), &frames, &ch, NULL, NULL);
	CHECK_INT(ch, 2);
	return *out && ch == 2 ? frames : 0;
}

/* `layout: binaural`: an object at +90 is rendered through the HRTF (the
 * set's ITD and a louder right ear), a plain track stays plain stereo, and
 * an automated object moves. */
static void t_session_objects(void)
{
	mxd_hrtf *h = load_default();
	if (!h)
		return;
	mxd_hrtf_free(h);
	double itd_exp = 0.0, ild_exp = 0.0;
	CHECK(sofa_itd(90.0, &itd_exp, &ild_exp));
	const char *dir = mxt_tempdir();
	int n = 48000;
	float *x = malloc(sizeof(float) * (size_t)n);
	mxt_noise(x, n, 0.3, 77);
	mxt_write_audio(mxt_path(dir, "n.wav"), x, n, 1, (int)RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	float *o = NULL;
	int64_t f = render_session(dir,
				   "layout: binaural\n"
				   "tracks:\n"
				   "  - { name: obj, file: n.wav, object: { azimuth: 90 } }\n",
				   &o);
	if (f >= n) {
		float *l = malloc(sizeof(float) * (size_t)f), *r = malloc(sizeof(float) * (size_t)f);
		for (int64_t i = 0; i < f; i++) {
			l[i] = o[2 * i];
			r[i] = o[2 * i + 1];
		}
		double itd = xcorr_lag(l + 1000, r + 1000, n - 2000, 96);
		double ild = 10.0 * log10(energy(r + 1000, n - 2000) / energy(l + 1000, n - 2000));
		printf("# session object at +90: ITD %.4f ms (SOFA %.4f), ILD %.2f dB (SOFA %.2f)\n", 1000 * itd / RATE,
		       1000 * itd_exp / RATE, ild, ild_exp);
		CHECK_NEAR(1000 * itd / RATE, 1000 * itd_exp / RATE, 0.1);
		CHECK_NEAR(ild, ild_exp, 1.0);
		free(l);
		free(r);
	}
	free(o);
	/* A plain centred track: identical ears, no HRTF. */
	f = render_session(dir,
			   "layout: binaural\n"
			   "tracks:\n"
			   "  - { name: plain, file: n.wav }\n",
			   &o);
	double d = 0.0, pk = 0.0;
	for (int64_t i = 0; i < f; i++) {
		d = fmax(d, fabs(o[2 * i] - o[2 * i + 1]));
		pk = fmax(pk, fabs(o[2 * i]));
	}
	CHECK(f >= n);
	CHECK(pk > 0.1);
	CHECK(d == 0.0);
	free(o);
	/* Automated: -90 -> +90 over the second: the left ear leads in the first
	 * quarter, the right one in the last. */
	f = render_session(dir,
			   "layout: binaural\n"
			   "tracks:\n"
			   "  - name: obj\n"
			   "    file: n.wav\n"
			   "    object: { azimuth: -90 }\n"
			   "    automation:\n"
			   "      object.azimuth: [[0, -90], [1, 90]]\n",
			   &o);
	if (f >= n) {
		double e[2][2] = { { 0 } };
		for (int64_t i = 0; i < n / 4; i++)
			for (int c = 0; c < 2; c++) {
				e[0][c] += (double)o[2 * i + c] * o[2 * i + c];
				e[1][c] += (double)o[2 * (i + 3 * n / 4) + c] * o[2 * (i + 3 * n / 4) + c];
			}
		printf("# automated object: first quarter R-L %.2f dB, last quarter %.2f dB\n",
		       10 * log10(e[0][1] / e[0][0]), 10 * log10(e[1][1] / e[1][0]));
		CHECK(10 * log10(e[0][1] / e[0][0]) < -4.0);
		CHECK(10 * log10(e[1][1] / e[1][0]) > 4.0);
	}
	free(o);
	free(x);
}

/* The audio path (direction changes, crossfades, the layout renderer) never
 * allocates, locks or does I/O: counted by the preloaded rt_guard library. */
static void t_realtime_safe(void)
{
	void *self = dlopen(NULL, RTLD_LAZY);
	void *e = self ? dlsym(self, "mxd_rt_guard_enter") : NULL, *l = self ? dlsym(self, "mxd_rt_guard_leave") : NULL;
	void *c = self ? dlsym(self, "mxd_rt_guard_count") : NULL;
	if (self)
		dlclose(self);
	if (!e || !l || !c) {
		SKIP("the rt_guard library is not preloaded (sanitizer build or not built)");
		return;
	}
	void (*enter)(void), (*leave)(void);
	uint64_t (*count)(int);
	memcpy(&enter, &e, sizeof e);
	memcpy(&leave, &l, sizeof l);
	memcpy(&count, &c, sizeof c);
	mxd_hrtf *h = load_default();
	if (!h)
		return;
	mxd_binaural *mv = mxd_binaural_new(h, 2, MXD_BINAURAL_BLOCK);
	mxd_binaural *lay = mxd_binaural_new_layout(h, mxd_layout_get(MXD_LAYOUT_7_1_4), MXD_BINAURAL_BLOCK, 1.0);
	enum { N = 4096 };
	static float x[12][N], lo[N], ro[N];
	mxt_noise(x[0], N, 0.5, 5);
	const float *in[12];
	for (int k = 0; k < 12; k++)
		in[k] = x[0];
	/* Probe: an allocation inside the bracket is counted. */
	uint64_t before = count(0);
	enter();
	void *volatile probe = malloc(16);
	leave();
	free(probe);
	CHECK(count(0) == before + 1);
	uint64_t v0 = count(0) + count(1) + count(2);
	enter();
	for (int i = 0; i < 40; i++) {
		mxd_binaural_set_direction(mv, 0, i * 9.0, (i % 7) * 10.0 - 30.0, 1.0 + 0.1 * i);
		mxd_binaural_set_direction(mv, 1, -i * 9.0, 0.0, 1.0);
		mxd_binaural_set_air(mv, i & 1);
		mxd_binaural_process(mv, in, lo, ro, (uint32_t)(64 + 97 * (i % 5)));
		mxd_binaural_process(lay, in, lo, ro, 256);
	}
	leave();
	uint64_t v1 = count(0) + count(1) + count(2);
	printf("# %llu allocation/lock/I/O calls on the audio path\n", (unsigned long long)(v1 - v0));
	CHECK(v1 == v0);
	mxd_binaural_free(mv);
	mxd_binaural_free(lay);
	mxd_hrtf_free(h);
}

#ifdef MIXDOWN_HAVE_PLAY
/* `play --binaural` against a real JACK server (jackd -d dummy): two ports,
 * a tone only in the C channel of a 5.1 master reaches both ears equally, at
 * the level of the offline render. */
static void t_play_binaural(void)
{
	mxd_hrtf *h = load_default();
	if (!h)
		return;
	mxd_hrtf_free(h);
	const char *dir = mxt_tempdir();
	int n = 4 * MXT_JACK_RATE;
	float *buf = calloc((size_t)n * 6, sizeof(float)), *one = malloc(sizeof(float) * (size_t)n);
	mxt_sine(one, n, 1, MXT_JACK_RATE, 1000.0, 0.1, 0.0);
	for (int i = 0; i < n; i++)
		buf[i * 6 + 2] = one[i];
	mxt_write_audio(mxt_path(dir, "six.wav"), buf, n, 6, MXT_JACK_RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	free(buf);
	free(one);
	char session[600];
	snprintf(session, sizeof session, "%s", mxt_path(dir, "p.yaml"));
	mxt_write_text(session, "channels: 6\ntracks:\n  - { name: A, file: six.wav }\n");
	if (!mxt_jack_start()) {
		SKIP("jackd -d dummy could not start");
		return;
	}
	mixdown_error err;
	mixdown_session *s = NULL;
	CHECK_INT(mixdown_session_load(session, &s, &err), MIXDOWN_SUCCESS);
	if (!s)
		return;
	mixdown_player_options opt = mixdown_player_options_init();
	opt.client_name = "mxtbin";
	opt.connect = "mxtcap:in_1,mxtcap:in_2";
	opt.binaural = true;
	mixdown_player *p = NULL;
	/* With the rt_guard library preloaded, the player brackets its process
	 * callback: count what happens inside (the binaural stage included). */
	void *self = dlopen(NULL, RTLD_LAZY), *cs = self ? dlsym(self, "mxd_rt_guard_count") : NULL;
	if (self)
		dlclose(self);
	uint64_t (*count)(int) = NULL;
	memcpy(&count, &cs, sizeof cs);
	uint64_t v0 = count ? count(0) + count(1) + count(2) : 0;
	mxt_jack_arm(true);
	CHECK_INT(mixdown_player_open(s, &opt, &p, &err), MIXDOWN_SUCCESS);
	if (p) {
		CHECK(jack_port_by_name(mxt_jack_client, "mxtbin:out_2") != NULL);
		CHECK(jack_port_by_name(mxt_jack_client, "mxtbin:out_3") == NULL); /* two ports, not six */
		mxt_sleep_s(2.0);
		if (count) {
			uint64_t v1 = count(0) + count(1) + count(2);
			printf("# %llu allocation/lock/I/O calls in the JACK callback\n", (unsigned long long)(v1 - v0));
			CHECK(v1 == v0);
		}
		mixdown_player_close(p);
	}
	mixdown_session_free(s);
	int64_t got = atomic_load(&mxt_jack_cap_n);
	mxt_jack_arm(false);
	int64_t first = mxt_jack_first_sound(got);
	CHECK(first >= 0 && got - first > 36000);
	if (first >= 0 && got - first > 36000) {
		double l = mxt_rms_db(mxt_jack_cap[0] + first + 4800, 1, 0, 0, 24000);
		double r = mxt_rms_db(mxt_jack_cap[1] + first + 4800, 1, 0, 0, 24000);
		printf("# play --binaural, C only: left %.2f dB, right %.2f dB\n", l, r);
		CHECK(l > -40.0);
		CHECK_NEAR(l, r, 0.5);
	}
}
#endif

int main(int argc, char **argv)
{
	(void)argc;
	/* Preload the rt_guard library when it was built (not in sanitizer builds). */
	if (!getenv("MXT_BINAURAL_CHILD") && access(GUARD_LIB, R_OK) == 0) {
		setenv("MXT_BINAURAL_CHILD", "1", 1);
		setenv("LD_PRELOAD", GUARD_LIB, 1);
		execv("/proc/self/exe", argv);
	}
	static const mxt_case cases[] = {
		MXT(t_itd_ild_right), MXT(t_itd_ild_left), MXT(t_exact_convolution), MXT(t_moving_no_clicks),
		MXT(t_jump_crossfaded), MXT(t_missing_and_malformed), MXT(t_cli_51), MXT(t_session_objects),
		MXT(t_realtime_safe),
#ifdef MIXDOWN_HAVE_PLAY
		MXT(t_play_binaural),
#endif
	};
	int rc = MXT_RUN(cases);
#ifdef MIXDOWN_HAVE_PLAY
	mxt_jack_stop();
#endif
	return rc;
}
