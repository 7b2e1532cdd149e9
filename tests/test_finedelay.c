/* mixdown — tests of the `finedelay` processor (src/fx/fx_finedelay.c) and of
 * sub-sample alignment applied by `mixdown clean --align --apply`.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Checks: the frequency response against the ideal fractional delay (phase
 * delay 16 + samples, flat magnitude) up to 0.4 fs for several fractions; the
 * reported latency; `samples: 0` is a bit-exact 16-frame delay and, through
 * PDC, a bit-exact strip; block-size independence; end to end, a planted
 * 12.25-sample offset between two copies of noise band-limited to 0.45 fs is
 * aligned (move 13, finedelay 0.75) so that the rendered sum's error against
 * the ideal sum is at least 20 dB below that of whole-sample alignment
 * (measured: -13.9 dB whole-sample, -53.0 dB with finedelay); a second run
 * proposes nothing new.
 */
#include <kiss_fftr.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx/processor.h"
#include "harness.h"
#include "mixdown/mixdown.h"
#include "util.h"

#define RATE 48000
#define LAT 16
/* Band edge of the planted noise (of the rate): the alignment weights up to
 * 0.45 (align.c BAND_HI_FRAC); a reference empty between its edge and 0.45
 * biases the GCC-PHAT measurement (0.4: 12.215 for 12.25). */
#define EDGE 0.45

static mxd_fx *make_fd(double frac, uint32_t channels, uint32_t max_block)
{
	const mxd_fx_class *cls = mxd_fx_class_find("finedelay");
	CHECK(cls != NULL);
	if (!cls)
		return NULL;
	double v[1] = { frac };
	CHECK_INT((int)cls->n_slots, 1);
	return mxd_fx_instantiate(cls, v, RATE, max_block, channels);
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s;
}

static double rnd(uint32_t *s)
{
	return (double)(lcg(s) >> 8) / (double)(1u << 24) * 2.0 - 1.0;
}

/* Phase delay (samples) and magnitude (dB) of the impulse response at f (cycles/sample). */
static void response(const float *h, int n, double f, double *delay, double *mag_db)
{
	double re = 0, im = 0, w = 2 * M_PI * f;
	for (int k = 0; k < n; k++) {
		re += h[k] * cos(w * k);
		im -= h[k] * sin(w * k);
	}
	double ph = atan2(im, re); /* = -w * delay, unwrapped against the expected value below */
	*mag_db = 10 * log10(re * re + im * im);
	*delay = -ph / w;
}

static void t_response(void)
{
	static const double fracs[] = { 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95 };
	static const double freqs[] = { 0.001, 0.05, 0.1, 0.2, 0.3, 0.35, 0.4 };
	double worst_d = 0, worst_m = 0;
	for (size_t i = 0; i < sizeof fracs / sizeof fracs[0]; i++) {
		mxd_fx *fx = make_fd(fracs[i], 1, 256);
		if (!fx)
			return;
		CHECK_INT((int)fx->cls->latency(fx), LAT);
		float h[128] = { 0 };
		h[0] = 1.0f;
		float *io[1] = { h };
		fx->cls->run(fx, io, NULL, 128);
		for (size_t j = 0; j < sizeof freqs / sizeof freqs[0]; j++) {
			double d, m, want = LAT + fracs[i];
			response(h, 128, freqs[j], &d, &m);
			/* unwrap: the phase is known modulo 2 pi, the delay modulo 1/f */
			double period = 1.0 / freqs[j];
			d += period * round((want - d) / period);
			worst_d = fmax(worst_d, fabs(d - want));
			worst_m = fmax(worst_m, fabs(m));
			CHECK_MSG(fabs(d - want) < 0.002, "frac %.2f at %.3f fs: phase delay %.5f, want %.5f", fracs[i],
				  freqs[j], d, want);
			CHECK_MSG(fabs(m) < 0.005, "frac %.2f at %.3f fs: magnitude %.4f dB", fracs[i], freqs[j], m);
		}
		fx->cls->destroy(fx);
	}
	printf("# worst phase-delay error %.2e samples, magnitude %.2e dB (0..0.4 fs)\n", worst_d, worst_m);
}

/* samples: 0 is a pure 16-frame delay, bit for bit, whatever the block sizes. */
static void t_zero_exact(void)
{
	const int n = 4000;
	float *x = malloc(2 * n * sizeof *x), *y = malloc(2 * n * sizeof *y);
	uint32_t s = 3;
	for (int i = 0; i < 2 * n; i++)
		x[i] = y[i] = (float)rnd(&s);
	mxd_fx *fx = make_fd(0.0, 2, 700);
	if (!fx)
		return;
	CHECK_INT((int)fx->cls->latency(fx), LAT);
	static const int blocks[] = { 1, 100, 700, 3, 517 };
	for (int pos = 0, b = 0; pos < n; b++) {
		int m = blocks[b % 5] < n - pos ? blocks[b % 5] : n - pos;
		float *io[2] = { y + pos, y + n + pos };
		fx->cls->run(fx, io, NULL, (uint32_t)m);
		pos += m;
	}
	size_t diff = 0;
	for (int c = 0; c < 2; c++)
		for (int i = 0; i < n; i++)
			diff += y[c * n + i] != (i < LAT ? 0.0f : x[c * n + i - LAT]);
	CHECK_MSG(diff == 0, "%zu samples differ from the 16-frame delay", diff);
	fx->cls->destroy(fx);
	free(x);
	free(y);
}

/* The output does not depend on how the stream is cut into blocks; reset clears it. */
static void t_blocks(void)
{
	const int n = 3000;
	float *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
	uint32_t s = 5;
	for (int i = 0; i < n; i++)
		a[i] = b[i] = (float)rnd(&s);
	mxd_fx *f1 = make_fd(0.37, 1, 4096), *f2 = make_fd(0.37, 1, 64);
	if (!f1 || !f2)
		return;
	float *io[1] = { a };
	f1->cls->run(f1, io, NULL, (uint32_t)n);
	for (int pos = 0; pos < n; pos += 37) {
		io[0] = b + pos;
		f2->cls->run(f2, io, NULL, (uint32_t)(n - pos < 37 ? n - pos : 37));
	}
	size_t diff = 0;
	for (int i = 0; i < n; i++)
		diff += a[i] != b[i];
	CHECK_MSG(diff == 0, "%zu samples differ between block sizes", diff);
	f1->cls->reset(f1);
	float z[64] = { 0 };
	io[0] = z;
	f1->cls->run(f1, io, NULL, 64);
	double e = 0;
	for (int i = 0; i < 64; i++)
		e += fabs(z[i]);
	CHECK_MSG(e == 0, "history left after reset: %g", e);
	f1->cls->destroy(f1);
	f2->cls->destroy(f2);
	free(a);
	free(b);
}

/* White noise band-limited to EDGE (ref) and the same delayed by d samples
 * (x), circularly, in the frequency domain: x is exactly ref(t - d). */
static void planted(float *ref, float *x, int n, double d)
{
	uint32_t s = 11;
	for (int i = 0; i < n; i++)
		ref[i] = (float)(0.25 * rnd(&s));
	kiss_fftr_cfg f = kiss_fftr_alloc(n, 0, NULL, NULL), inv = kiss_fftr_alloc(n, 1, NULL, NULL);
	kiss_fft_cpx *sp = malloc(((size_t)n / 2 + 1) * sizeof *sp), *sx = malloc(((size_t)n / 2 + 1) * sizeof *sx);
	kiss_fftr(f, ref, sp);
	for (int k = 0; k <= n / 2; k++) {
		if (k > EDGE * n || k < 0.0005 * n) /* band edge; no DC / subsonic */
			sp[k].r = sp[k].i = 0;
		sp[k].r /= (float)n;
		sp[k].i /= (float)n;
		double w = -2 * M_PI * k * d / n, c = cos(w), si = sin(w);
		sx[k].r = (float)(sp[k].r * c - sp[k].i * si);
		sx[k].i = (float)(sp[k].r * si + sp[k].i * c);
	}
	kiss_fftri(inv, sp, ref);
	kiss_fftri(inv, sx, x);
	kiss_fftr_free(f);
	kiss_fftr_free(inv);
	free(sp);
	free(sx);
}

static float *render(const char *dir, const char *ses, int64_t *frames)
{
	mixdown_session *s = NULL;
	mixdown_error err = { 0 };
	CHECK_INT(mixdown_session_load(ses, &s, &err), MIXDOWN_SUCCESS);
	if (!s)
		return NULL;
	mixdown_render_options o = mixdown_render_options_init();
	o.output = mxt_path(dir, "o.wav");
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	mixdown_status st = mixdown_render(s, &o, NULL, &err);
	mixdown_session_free(s);
	CHECK_INT(st, MIXDOWN_SUCCESS);
	int ch = 0;
	float *y = mxt_read_audio(mxt_path(dir, "o.wav"), frames, &ch, NULL, NULL);
	CHECK_INT(ch, 2);
	return y;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *b = calloc(1, 1 << 16);
	if (b)
		CHECK(fread(b, 1, (1 << 16) - 1, f) > 0);
	fclose(f);
	return b;
}

/* Error energy (dB) of y against the ideal over [a, b) frames, left channel, relative to the ideal. */
static double err_db(const float *y, const float *ideal, int64_t a, int64_t b)
{
	double e = 0, p = 0;
	for (int64_t i = a; i < b; i++) {
		double d = (double)y[2 * i] - ideal[2 * i];
		e += d * d;
		p += (double)ideal[2 * i] * ideal[2 * i];
	}
	return 10 * log10(e / p);
}

static void t_clean_apply(void)
{
	const int n = getenv("MXT_ASAN") ? 32768 : 65536;
	float *ref = malloc(n * sizeof *ref), *x = malloc(n * sizeof *x);
	planted(ref, x, n, 12.25);
	const char *dir = mxt_tempdir();
	char ses[512];
	snprintf(ses, sizeof ses, "%s", mxt_path(dir, "S.yaml"));
	CHECK_INT(mxt_write_audio(mxt_path(dir, "close.wav"), ref, n, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	CHECK_INT(mxt_write_audio(mxt_path(dir, "room.wav"), x, n, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	free(ref);
	free(x);
	int64_t fi = 0, fw = 0, ff = 0;
	/* The ideal: the reference twice. */
	CHECK_INT(mxt_write_text(ses, "mixdown: 1\nsample_rate: 48000\ntracks:\n  - { name: Close, file: close.wav }\n"
				      "  - { name: Room, file: close.wav }\n"),
		  0);
	float *ideal = render(dir, ses, &fi);
	/* Whole-sample alignment only (the behaviour before finedelay): 12 samples. */
	char yaml[1024];
	snprintf(yaml, sizeof yaml,
		 "mixdown: 1\nsample_rate: 48000\ntracks:\n  - { name: Close, file: close.wav }\n"
		 "  - name: Room\n    clips: [ { file: room.wav, at: 0, offset: %.9f } ]\n",
		 12.0 / RATE);
	CHECK_INT(mxt_write_text(ses, yaml), 0);
	float *whole = render(dir, ses, &fw);
	/* clean --apply on the planted pair. */
	CHECK_INT(mxt_write_text(ses, "mixdown: 1\nsample_rate: 48000\ntracks:\n  - { name: Close, file: close.wav }\n"
				      "  - name: Room\n    file: room.wav\n"),
		  0);
	CHECK_INT(mxt_run_cli("clean '%s' Room --align Close --apply --json", ses), 0);
	printf("# %s", mxt_cli_out);
	CHECK_STR_CONTAINS(mxt_cli_out, "\"shift_samples\": 13");
	CHECK_STR_CONTAINS(mxt_cli_out, "\"finedelay_change\": true");
	char *t = slurp(ses);
	printf("# %s\n", t ? t : "");
	const char *fd = t ? strstr(t, "{ type: finedelay, id: clean-align, samples: ") : NULL;
	double fs = -1;
	CHECK(fd && sscanf(fd, "{ type: finedelay, id: clean-align, samples: %lf", &fs) == 1);
	CHECK_MSG(fabs(fs - 0.75) < 0.01, "finedelay samples %.3f, planted fraction 0.75 (13 - 12.25)", fs);
	free(t);
	float *fine = render(dir, ses, &ff);
	if (ideal && whole && fine && fi == fw && fi == ff && fi > 4096) {
		int64_t a = 2048, b = fi - 2048; /* away from the clips' ends */
		double ew = err_db(whole, ideal, a, b), ef = err_db(fine, ideal, a, b);
		printf("# error vs the ideal sum: whole-sample %.1f dB, with finedelay %.1f dB (%.1f dB better)\n", ew,
		       ef, ew - ef);
		CHECK_MSG(ew > -20 && ew < -10, "whole-sample error %.1f dB (0.25 sample residual)", ew);
		CHECK_MSG(ef < -45, "finedelay error %.1f dB", ef);
		CHECK_MSG(ef < ew - 20, "finedelay error %.1f dB is not 20 dB below %.1f dB", ef, ew);
	} else {
		CHECK_MSG(0, "renders failed or differ in length: %lld %lld %lld", (long long)fi, (long long)fw,
			  (long long)ff);
	}
	free(ideal);
	free(whole);
	free(fine);
	/* A second run proposes nothing new. */
	CHECK_INT(mxt_run_cli("clean '%s' Room --align Close --json", ses), 0);
	printf("# %s", mxt_cli_out);
	CHECK_STR_CONTAINS(mxt_cli_out, "\"shift_samples\": 0");
	CHECK_STR_CONTAINS(mxt_cli_out, "\"finedelay_change\": false");
	CHECK_INT(mxt_run_cli("clean '%s' Room --align Close", ses), 0);
	CHECK_STR_CONTAINS(mxt_cli_out, "nothing to change");
	/* An outdated clean-align value is updated in place, not duplicated. */
	t = slurp(ses);
	char *v = t ? strstr(t, "samples: 0.750 }") : NULL;
	CHECK(v != NULL);
	if (v) {
		memcpy(v, "samples: 0.300 }", 16);
		CHECK_INT(mxt_write_text(ses, t), 0);
		CHECK_INT(mxt_run_cli("clean '%s' Room --align Close --apply", ses), 0);
		printf("# %s", mxt_cli_out);
		CHECK_STR_CONTAINS(mxt_cli_out, "finedelay clean-align set to 0.750 samples");
		free(t);
		t = slurp(ses);
		const char *a = t ? strstr(t, "type: finedelay") : NULL;
		CHECK(a && !strstr(a + 1, "type: finedelay"));
		CHECK_STR_CONTAINS(t, "{ type: finedelay, id: clean-align, samples: 0.750 }");
		CHECK_STR_CONTAINS(t, "clips:\n      - { file: room.wav, at: 0, offset: 0.000271, length: ");
	}
	free(t);
}

/* Through PDC, samples: 0 leaves a strip bit-exact against one without the insert. */
static void t_zero_in_session(void)
{
	const int n = 20000;
	float *x = malloc(n * sizeof *x);
	uint32_t s = 8;
	for (int i = 0; i < n; i++)
		x[i] = (float)(0.3 * rnd(&s));
	const char *dir = mxt_tempdir();
	char ses[512];
	snprintf(ses, sizeof ses, "%s", mxt_path(dir, "S.yaml"));
	CHECK_INT(mxt_write_audio(mxt_path(dir, "a.wav"), x, n, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	free(x);
	int64_t f0 = 0, f1 = 0;
	CHECK_INT(mxt_write_text(ses, "mixdown: 1\ntracks:\n  - { name: A, file: a.wav }\n  - { name: B, file: a.wav }\n"),
		  0);
	float *y0 = render(dir, ses, &f0);
	CHECK_INT(mxt_write_text(ses, "mixdown: 1\ntracks:\n  - { name: A, file: a.wav }\n"
				      "  - { name: B, file: a.wav, inserts: [ { type: finedelay, samples: 0 } ] }\n"),
		  0);
	float *y1 = render(dir, ses, &f1);
	CHECK_INT((int)f1, (int)f0);
	if (y0 && y1 && f0 == f1) {
		size_t diff = 0;
		for (int64_t i = 0; i < 2 * f0; i++)
			diff += y0[i] != y1[i];
		CHECK_MSG(diff == 0, "%zu samples differ", diff);
	}
	free(y0);
	free(y1);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_response), MXT(t_zero_exact), MXT(t_blocks), MXT(t_zero_in_session), MXT(t_clean_apply),
	};
	return mxt_run(cases, sizeof cases / sizeof cases[0]);
}
