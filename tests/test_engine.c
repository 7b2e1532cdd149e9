/* mixdown — engine tests: null renders, summing, pan laws, resampling, PDC,
 * clip timing and fades, stems, formats, dither, clipping, NaN, the render's
 * output worker (progress numbers, write failures).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "api/render_meter.h"
#include "graph/clip_player.h"
#include "graph/panner.h"
#include "harness.h"
#include "io/writer.h"
#include "mixdown/mixdown.h"
#include "util.h"

static mixdown_render_options out_opts(const char *path, mixdown_sample_format fmt)
{
	mixdown_render_options o = mixdown_render_options_init();
	o.output = path;
	o.sample_format = fmt;
	return o;
}

/* Random integer-valued samples of `bits` as float (exactly representable). */
static float *int_noise(int64_t n, int bits, uint32_t seed)
{
	float *b = malloc(sizeof(float) * (size_t)n);
	uint32_t x = seed;
	double scale = bits == 16 ? 32768.0 : 8388608.0;
	for (int64_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		int32_t v = (int32_t)(x % (uint32_t)(2 * scale)) - (int32_t)scale;
		b[i] = (float)(v / scale);
	}
	return b;
}

static void null_case(int channels, int bits)
{
	const char *dir = mxt_tempdir();
	int64_t frames = 48000 + 123;
	float *in = int_noise(frames * channels, bits, 1234u + (uint32_t)(channels * bits));
	int fmt = SF_FORMAT_WAV | (bits == 16 ? SF_FORMAT_PCM_16 : SF_FORMAT_PCM_24);
	CHECK(mxt_write_audio(mxt_path(dir, "in.wav"), in, frames, channels, 48000, fmt) == 0);
	char yaml[512];
	snprintf(yaml, sizeof yaml,
		 "mixdown: 1\nchannels: %d\ntracks:\n  - name: T\n    clips: [ { file: in.wav } ]\n", channels);
	mixdown_render_options o = out_opts(mxt_path(dir, "out.wav"), bits == 16 ? MIXDOWN_SAMPLE_INT16 : MIXDOWN_SAMPLE_INT24);
	mixdown_render_report rep;
	mixdown_error err;
	CHECK_INT(mxt_render_yaml(dir, yaml, &o, &rep, &err), MIXDOWN_SUCCESS);
	int64_t fa = 0, fb = 0;
	int ca = 0, cb = 0;
	int32_t *a = mxt_read_audio_int(mxt_path(dir, "in.wav"), &fa, &ca);
	int32_t *b = mxt_read_audio_int(mxt_path(dir, "out.wav"), &fb, &cb);
	CHECK(a && b);
	CHECK_INT(fb, fa);
	CHECK_INT(cb, ca);
	if (a && b && fa == fb && ca == cb) {
		int64_t diff = 0;
		for (int64_t i = 0; i < fa * ca; i++)
			diff += a[i] != b[i];
		CHECK_INT(diff, 0);
	}
	CHECK_INT(rep.clipped_samples, 0);
	free(a);
	free(b);
	free(in);
}

static void t_null_mono_16(void) { null_case(1, 16); }
static void t_null_mono_24(void) { null_case(1, 24); }
static void t_null_stereo_16(void) { null_case(2, 16); }
static void t_null_stereo_24(void) { null_case(2, 24); }

/* Several tracks with gains and pans against sums computed here. */
static void t_summing(void)
{
	const char *dir = mxt_tempdir();
	const int64_t n = 4800;
	float *a = malloc(sizeof(float) * n), *c = malloc(sizeof(float) * n), *b = malloc(sizeof(float) * n * 2);
	mxt_noise(a, n, 0.5, 11);
	mxt_noise(b, n * 2, 0.5, 22);
	mxt_noise(c, n, 0.5, 33);
	CHECK(mxt_write_audio(mxt_path(dir, "a.wav"), a, n, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	CHECK(mxt_write_audio(mxt_path(dir, "b.wav"), b, n, 2, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	CHECK(mxt_write_audio(mxt_path(dir, "c.wav"), c, n, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	const char *yaml = "mixdown: 1\n"
			   "tracks:\n"
			   "  - { name: A, file: a.wav, gain: -6, pan: -0.5 }\n"
			   "  - { name: B, file: b.wav, gain: 2, pan: 0.3 }\n"
			   "  - { name: C, file: c.wav, gain: -3, pan: 1, pan_law: -6 }\n"
			   "  - { name: D, file: c.wav, gain: 0, pan: 0.25, pan_law: 0, invert: true }\n";
	mixdown_render_options o = out_opts(mxt_path(dir, "out.wav"), MIXDOWN_SAMPLE_FLOAT32);
	mixdown_render_report rep;
	mixdown_error err;
	CHECK_INT(mxt_render_yaml(dir, yaml, &o, &rep, &err), MIXDOWN_SUCCESS);
	int64_t fo = 0;
	int co = 0;
	float *out = mxt_read_audio(mxt_path(dir, "out.wav"), &fo, &co, NULL, NULL);
	CHECK(out && fo == n && co == 2);
	if (out && fo == n && co == 2) {
		/* Independent expectations: -3 dB law = cos/sin of (p+1)pi/4,
		 * balance scales the far side by 1-|p|, -6 dB law (1-p)/2,
		 * 0 dB law min(1, 1-p). */
		double ga = pow(10, -6 / 20.0), gb = pow(10, 2 / 20.0), gc = pow(10, -3 / 20.0);
		double th = (-0.5 + 1) * M_PI / 4;
		double maxerr = 0;
		for (int64_t i = 0; i < n; i++) {
			/* B balance at +0.3: left (far side) * 0.7, right unity. */
			double l = ga * cos(th) * a[i] + gb * 0.7 * b[2 * i] - 0.75 * c[i];
			double r = ga * sin(th) * a[i] + gb * b[2 * i + 1] + gc * c[i] - 1.0 * c[i];
			maxerr = fmax(maxerr, fabs(out[2 * i] - l));
			maxerr = fmax(maxerr, fabs(out[2 * i + 1] - r));
		}
		CHECK_MSG(maxerr < 2e-6, "max error %g", maxerr);
	}
	free(out);
	free(a);
	free(b);
	free(c);
}

/* Pan-law gains at -1, -0.5, 0, 0.5, 1 for every law. */
static void t_pan_laws(void)
{
	const double pans[5] = { -1, -0.5, 0, 0.5, 1 };
	/* Expected left gains, written out: cos((p+1)pi/4), (1-p)/2,
	 * sqrt of their product, min(1, 1-p). */
	const double l3[5] = { 1.0, 0.9238795325, 0.7071067812, 0.3826834324, 0.0 };
	const double l6[5] = { 1.0, 0.75, 0.5, 0.25, 0.0 };
	const double l0[5] = { 1.0, 1.0, 1.0, 0.5, 0.0 };
	for (int i = 0; i < 5; i++) {
		double gl, gr;
		mxd_pan_gains(pans[i], -3, &gl, &gr);
		CHECK_NEAR(gl, l3[i], 1e-9);
		CHECK_NEAR(gr, l3[4 - i], 1e-9);
		mxd_pan_gains(pans[i], -6, &gl, &gr);
		CHECK_NEAR(gl, l6[i], 1e-12);
		CHECK_NEAR(gr, l6[4 - i], 1e-12);
		mxd_pan_gains(pans[i], -4.5, &gl, &gr);
		CHECK_NEAR(gl, sqrt(l3[i] * l6[i]), 1e-9);
		CHECK_NEAR(gr, sqrt(l3[4 - i] * l6[4 - i]), 1e-9);
		mxd_pan_gains(pans[i], 0, &gl, &gr);
		CHECK_NEAR(gl, l0[i], 1e-12);
		CHECK_NEAR(gr, l0[4 - i], 1e-12);
	}
	/* Centre levels in dB are the law's name (-4.5 is the geometric mean,
	 * -4.515 dB). */
	double gl, gr;
	mxd_pan_gains(0, -3, &gl, &gr);
	CHECK_NEAR(20 * log10(gl), -3.0103, 1e-3);
	mxd_pan_gains(0, -4.5, &gl, &gr);
	CHECK_NEAR(20 * log10(gl), -4.5154, 1e-3);
	mxd_pan_gains(0, -6, &gl, &gr);
	CHECK_NEAR(20 * log10(gl), -6.0206, 1e-3);
}

/* The same through a render: a DC clip panned with each law. */
static void t_pan_laws_rendered(void)
{
	const char *dir = mxt_tempdir();
	float dc[480];
	for (int i = 0; i < 480; i++)
		dc[i] = 0.5f;
	CHECK(mxt_write_audio(mxt_path(dir, "dc.wav"), dc, 480, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	const double laws[4] = { 0, -3, -4.5, -6 };
	for (int l = 0; l < 4; l++) {
		for (int p = 0; p < 5; p++) {
			double pan = -1 + 0.5 * p;
			char yaml[256];
			snprintf(yaml, sizeof yaml, "tracks: [ { name: T, file: dc.wav, pan: %g, pan_law: %g } ]\n", pan,
				 laws[l]);
			mixdown_render_options o = out_opts(mxt_path(dir, "o.wav"), MIXDOWN_SAMPLE_FLOAT32);
			mixdown_error err;
			CHECK_INT(mxt_render_yaml(dir, yaml, &o, NULL, &err), MIXDOWN_SUCCESS);
			float *out = mxt_read_audio(mxt_path(dir, "o.wav"), NULL, NULL, NULL, NULL);
			double gl, gr;
			mxd_pan_gains(pan, laws[l], &gl, &gr);
			CHECK(out != NULL);
			if (out) {
				CHECK_NEAR(out[200], 0.5 * gl, 1e-7);
				CHECK_NEAR(out[201], 0.5 * gr, 1e-7);
			}
			free(out);
		}
	}
}

/* Frequency of a sine by least-squares phase slope: fit the phase of the
 * analytic signal against a reference at f0 (exactness to ~1e-6 Hz). */
static double measure_freq(const float *x, int64_t n, int stride, double rate, double f0)
{
	/* Split in two halves, measure phase of each against f0, infer df. */
	int64_t h = n / 2;
	double ph[2];
	for (int k = 0; k < 2; k++) {
		double re = 0, im = 0;
		for (int64_t i = 0; i < h; i++) {
			double t = (double)(k * h + i) / rate;
			double w = 0.5 - 0.5 * cos(2 * M_PI * (double)i / (double)h);
			re += w * x[(k * h + i) * stride] * cos(2 * M_PI * f0 * t);
			im -= w * x[(k * h + i) * stride] * sin(2 * M_PI * f0 * t);
		}
		ph[k] = atan2(im, re);
	}
	double d = ph[1] - ph[0];
	while (d > M_PI)
		d -= 2 * M_PI;
	while (d < -M_PI)
		d += 2 * M_PI;
	return f0 + d / (2 * M_PI * ((double)h / rate));
}

static void resample_case(int in_rate)
{
	const char *dir = mxt_tempdir();
	int64_t n = in_rate * 2 + 7; /* 2 s and a few frames */
	float *in = malloc(sizeof(float) * n);
	double amp = 0.5;
	mxt_sine(in, n, 1, in_rate, 1000.0, amp, 0);
	CHECK(mxt_write_audio(mxt_path(dir, "tone.wav"), in, n, 1, in_rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	const char *yaml = "sample_rate: 48000\nchannels: 1\ntracks: [ { name: Tone, file: tone.wav } ]\n";
	mixdown_render_options o = out_opts(mxt_path(dir, "o.wav"), MIXDOWN_SAMPLE_FLOAT32);
	mixdown_error err;
	CHECK_INT(mxt_render_yaml(dir, yaml, &o, NULL, &err), MIXDOWN_SUCCESS);
	int64_t fo = 0;
	int rate = 0;
	float *out = mxt_read_audio(mxt_path(dir, "o.wav"), &fo, NULL, &rate, NULL);
	CHECK(out != NULL);
	CHECK_INT(rate, 48000);
	CHECK_INT(fo, llround((double)n * 48000.0 / in_rate));
	if (out && fo > 48000) {
		/* Level: RMS over the steady middle vs amp/sqrt(2). */
		double rms_db = mxt_rms_db(out, 1, 0, 12000, 48000);
		CHECK_NEAR(rms_db, 20 * log10(amp / sqrt(2.0)), 0.01);
		double f = measure_freq(out + 12000, 48000, 1, 48000.0, 1000.0);
		CHECK_NEAR(f, 1000.0, 1e-4);
		/* Time alignment: the resampled tone keeps its phase (no delay). */
		double err_max = 0;
		for (int64_t i = 12000; i < 12000 + 480; i++)
			err_max = fmax(err_max, fabs(out[i] - amp * sin(2 * M_PI * 1000.0 * (double)i / 48000.0)));
		CHECK_MSG(err_max < 1e-3, "resampled tone deviates by %g from the ideal", err_max);
	}
	free(out);
	free(in);
}

static void t_resample_44k1(void) { resample_case(44100); }
static void t_resample_96k(void) { resample_case(96000); }

/* PDC: a send through a latent (reported) delay, inverted, nulls the dry path. */
static void pdc_case(bool report, double *max_abs)
{
	const char *dir = mxt_tempdir();
	int64_t n = 9600;
	float *x = malloc(sizeof(float) * n);
	mxt_noise(x, n, 0.5, 77);
	CHECK(mxt_write_audio(mxt_path(dir, "x.wav"), x, n, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	char yaml[1024];
	snprintf(yaml, sizeof yaml,
		 "channels: 1\n"
		 "tracks:\n"
		 "  - name: Dry\n    file: x.wav\n    sends: [ { to: Latent, level: 0 } ]\n"
		 "buses:\n"
		 "  - name: Latent\n"
		 "    inserts: [ { type: delay, samples: 333, latency_report: %s }, { type: polarity } ]\n",
		 report ? "true" : "false");
	mixdown_render_options o = out_opts(mxt_path(dir, "o.wav"), MIXDOWN_SAMPLE_FLOAT32);
	mixdown_render_report rep;
	mixdown_error err;
	CHECK_INT(mxt_render_yaml(dir, yaml, &o, &rep, &err), MIXDOWN_SUCCESS);
	CHECK_INT(rep.latency, report ? 333 : 0);
	int64_t fo = 0;
	float *out = mxt_read_audio(mxt_path(dir, "o.wav"), &fo, NULL, NULL, NULL);
	CHECK_INT(fo, n);
	*max_abs = 0;
	for (int64_t i = 0; out && i < fo; i++)
		*max_abs = fmax(*max_abs, fabs(out[i]));
	free(out);
	free(x);
}

static void t_pdc_send_nulls(void)
{
	double m = 1;
	pdc_case(true, &m);
	CHECK_MSG(m == 0.0, "compensated paths should null exactly, residual %g", m);
	/* Without the reported latency the paths are misaligned: the null
	 * must fail, or this test could not detect broken PDC. */
	pdc_case(false, &m);
	CHECK_MSG(m > 0.1, "uncompensated paths should not null, residual %g", m);
}

/* Sample values that encode their own index, to locate clip material. */
static float *index_ramp(int64_t n)
{
	float *b = malloc(sizeof(float) * n);
	for (int64_t i = 0; i < n; i++)
		b[i] = (float)(i + 1) / 65536.0f;
	return b;
}

static void t_clip_position_offset_length(void)
{
	const char *dir = mxt_tempdir();
	int64_t n = 48000;
	float *r = index_ramp(n);
	CHECK(mxt_write_audio(mxt_path(dir, "r.wav"), r, n, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	/* at 0.5 s, from 0.25 s into the file, 0.1 s long, then a second clip
	 * at 1.0 s until the end of the file from offset 0.9 s. */
	const char *yaml = "channels: 1\ntracks:\n  - name: T\n    clips:\n"
			   "      - { file: r.wav, at: 0.5, offset: 0.25, length: 0.1 }\n"
			   "      - { file: r.wav, at: 1.0, offset: 0.9 }\n";
	mixdown_render_options o = out_opts(mxt_path(dir, "o.wav"), MIXDOWN_SAMPLE_FLOAT32);
	mixdown_error err;
	CHECK_INT(mxt_render_yaml(dir, yaml, &o, NULL, &err), MIXDOWN_SUCCESS);
	int64_t fo = 0;
	float *out = mxt_read_audio(mxt_path(dir, "o.wav"), &fo, NULL, NULL, NULL);
	CHECK_INT(fo, 48000 + 4800); /* ends with the second clip: 1.0 s + 0.1 s */
	if (out && fo == 52800) {
		CHECK(out[23999] == 0.0f);
		CHECK(out[24000] == r[12000]);          /* first frame of clip 1 */
		CHECK(out[24000 + 4799] == r[12000 + 4799]);
		CHECK(out[24000 + 4800] == 0.0f);       /* clip 1 ended after 0.1 s */
		CHECK(out[48000] == r[43200]);          /* clip 2 at 1.0 s from 0.9 s */
		CHECK(out[52799] == r[47999]);
	}
	free(out);
	free(r);
}

static void t_fade_curves(void)
{
	const char *dir = mxt_tempdir();
	int64_t n = 4800;
	float *dc = malloc(sizeof(float) * n);
	for (int64_t i = 0; i < n; i++)
		dc[i] = 0.5f;
	CHECK(mxt_write_audio(mxt_path(dir, "dc.wav"), dc, n, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	const char *curves[5] = { "linear", "equal_power", "exp", "log", "scurve" };
	for (int c = 0; c < 5; c++) {
		char yaml[512];
		/* 480-frame fade in, 960-frame fade out, clip gain -6.0206 dB (x0.5). */
		snprintf(yaml, sizeof yaml,
			 "channels: 1\ntracks: [ { name: T, clips: [ { file: dc.wav, fade_in: 0.01, fade_out: 0.02, "
			 "fade_curve: %s, gain: -6.0206 } ] } ]\n", curves[c]);
		mixdown_render_options o = out_opts(mxt_path(dir, "o.wav"), MIXDOWN_SAMPLE_FLOAT32);
		mixdown_error err;
		CHECK_INT(mxt_render_yaml(dir, yaml, &o, NULL, &err), MIXDOWN_SUCCESS);
		float *out = mxt_read_audio(mxt_path(dir, "o.wav"), NULL, NULL, NULL, NULL);
		CHECK(out != NULL);
		if (!out)
			continue;
		const double g = pow(10, -6.0206 / 20);
		const int ks[4] = { 0, 120, 240, 360 };
		for (int k = 0; k < 4; k++) {
			double x = ks[k] / 480.0, e;
			switch (c) {
			case 0: e = x; break;
			case 1: e = sin(x * M_PI / 2); break;
			case 2: e = x * x; break;
			case 3: e = 1 - (1 - x) * (1 - x); break;
			default: e = 0.5 - 0.5 * cos(M_PI * x); break;
			}
			CHECK_NEAR(out[ks[k]], 0.5 * g * e, 1e-6);
			/* fade-out mirrors it: frame L-1-k' has x = k'/960 */
			double xo = ks[k] / 960.0, eo;
			switch (c) {
			case 0: eo = xo; break;
			case 1: eo = sin(xo * M_PI / 2); break;
			case 2: eo = xo * xo; break;
			case 3: eo = 1 - (1 - xo) * (1 - xo); break;
			default: eo = 0.5 - 0.5 * cos(M_PI * xo); break;
			}
			CHECK_NEAR(out[4799 - ks[k]], 0.5 * g * eo, 1e-6);
		}
		CHECK_NEAR(out[2400], 0.5 * g, 1e-7); /* unfaded middle */
		free(out);
	}
	free(dc);
}

static void t_bar_beat_positions(void)
{
	const char *dir = mxt_tempdir();
	float one[10] = { 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f };
	CHECK(mxt_write_audio(mxt_path(dir, "c.wav"), one, 10, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	/* 90 bpm in 4/4: a beat is 2/3 s, a bar 8/3 s. "2:3" = 1 bar + 2 beats = 4.0 s;
	 * "3:1:480" = 2 bars + half a beat = 16/3 + 1/3 = 5.666.. s. */
	const char *yaml = "channels: 1\ntempo: 90\ntracks:\n  - name: T\n    clips:\n"
			   "      - { file: c.wav, at: \"2:3\" }\n      - { file: c.wav, at: \"3:1:480\" }\n";
	mixdown_render_options o = out_opts(mxt_path(dir, "o.wav"), MIXDOWN_SAMPLE_FLOAT32);
	mixdown_error err;
	CHECK_INT(mxt_render_yaml(dir, yaml, &o, NULL, &err), MIXDOWN_SUCCESS);
	int64_t fo = 0;
	float *out = mxt_read_audio(mxt_path(dir, "o.wav"), &fo, NULL, NULL, NULL);
	CHECK_INT(fo, 272000 + 10);
	if (out && fo == 272010) {
		CHECK(out[191999] == 0.0f);
		CHECK(out[192000] == 0.25f);
		CHECK(out[192009] == 0.25f);
		CHECK(out[192010] == 0.0f);
		CHECK(out[271999] == 0.0f);
		CHECK(out[272000] == 0.25f);
	}
	free(out);
}

/* Bus stems (post-fader, aligned) sum back to the mix, even with a latent bus. */
static void t_stems_sum_to_mix(void)
{
	const char *dir = mxt_tempdir();
	int64_t n = 9600;
	float *a = malloc(sizeof(float) * n), *b = malloc(sizeof(float) * n);
	mxt_noise(a, n, 0.3, 5);
	mxt_noise(b, n, 0.3, 6);
	CHECK(mxt_write_audio(mxt_path(dir, "a.wav"), a, n, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	CHECK(mxt_write_audio(mxt_path(dir, "b.wav"), b, n, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	const char *yaml = "tracks:\n"
			   "  - { name: A, file: a.wav, pan: -0.4, output: Drums, sends: [ { to: FX, level: -6 } ] }\n"
			   "  - { name: B, file: b.wav, pan: 0.6, gain: -2, output: Music }\n"
			   "buses:\n"
			   "  - { name: Drums, gain: -1 }\n"
			   "  - { name: Music, inserts: [ { type: delay, samples: 64, latency_report: true } ] }\n"
			   "  - { name: FX, inserts: [ { type: delay, samples: 500 } ] }\n";
	mixdown_render_options o = out_opts(mxt_path(dir, "mix.wav"), MIXDOWN_SAMPLE_FLOAT32);
	o.stems_dir = mxt_path(dir, "stems");
	mixdown_render_report rep;
	mixdown_error err;
	CHECK_INT(mxt_render_yaml(dir, yaml, &o, &rep, &err), MIXDOWN_SUCCESS);
	CHECK_INT(rep.n_files, 4);
	CHECK_INT(rep.latency, 64);
	int64_t fm = 0, f1 = 0, f2 = 0, f3 = 0;
	float *mix = mxt_read_audio(mxt_path(dir, "mix.wav"), &fm, NULL, NULL, NULL);
	float *s1 = mxt_read_audio(mxt_path(dir, "stems/Drums.wav"), &f1, NULL, NULL, NULL);
	float *s2 = mxt_read_audio(mxt_path(dir, "stems/Music.wav"), &f2, NULL, NULL, NULL);
	float *s3 = mxt_read_audio(mxt_path(dir, "stems/FX.wav"), &f3, NULL, NULL, NULL);
	CHECK(mix && s1 && s2 && s3);
	CHECK(fm == n && f1 == n && f2 == n && f3 == n);
	if (mix && s1 && s2 && s3 && fm == n && f1 == n && f2 == n && f3 == n) {
		double maxerr = 0, energy = 0;
		for (int64_t i = 0; i < 2 * n; i++) {
			maxerr = fmax(maxerr, fabs((double)s1[i] + s2[i] + s3[i] - mix[i]));
			energy += s2[i] * s2[i];
		}
		CHECK_MSG(maxerr < 1e-6, "stems differ from the mix by %g", maxerr);
		CHECK(energy > 1.0);
		/* The Music stem is B panned and at -2 dB, aligned with the timeline
		 * (its 64-frame latency compensated): check one sample. */
		double th = (0.6 + 1) * M_PI / 4;
		CHECK_NEAR(s2[2 * 1000 + 1], pow(10, -2 / 20.0) * sin(th) * b[1000], 1e-6);
	}
	free(mix);
	free(s1);
	free(s2);
	free(s3);
	free(a);
	free(b);
}

static void t_formats_and_rate(void)
{
	const char *dir = mxt_tempdir();
	int64_t n = 48000;
	float *x = malloc(sizeof(float) * n * 2);
	mxt_sine(x, n, 2, 48000, 440, 0.5, 0.3);
	CHECK(mxt_write_audio(mxt_path(dir, "x.wav"), x, n, 2, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	const char *yaml = "tracks: [ { name: X, file: x.wav } ]\n";
	struct {
		const char *name;
		mixdown_sample_format fmt;
		int major, sub;
	} cases[] = {
		{ "o.flac", MIXDOWN_SAMPLE_INT16, SF_FORMAT_FLAC, SF_FORMAT_PCM_16 },
		{ "o.aiff", MIXDOWN_SAMPLE_INT24, SF_FORMAT_AIFF, SF_FORMAT_PCM_24 },
		{ "o.wav", MIXDOWN_SAMPLE_FLOAT32, SF_FORMAT_WAV, SF_FORMAT_FLOAT },
	};
	for (size_t i = 0; i < 3; i++) {
		mixdown_render_options o = out_opts(mxt_path(dir, cases[i].name), cases[i].fmt);
		mixdown_error err;
		CHECK_INT(mxt_render_yaml(dir, yaml, &o, NULL, &err), MIXDOWN_SUCCESS);
		int format = 0;
		int64_t fo = 0;
		float *out = mxt_read_audio(mxt_path(dir, cases[i].name), &fo, NULL, NULL, &format);
		CHECK_INT(format & SF_FORMAT_TYPEMASK, cases[i].major);
		CHECK_INT(format & SF_FORMAT_SUBMASK, cases[i].sub);
		CHECK_INT(fo, n);
		free(out);
	}
	/* --rate: 44.1 kHz output of a 48 kHz session, length rounded. */
	mixdown_render_options o = out_opts(mxt_path(dir, "r.wav"), MIXDOWN_SAMPLE_FLOAT32);
	o.sample_rate = 44100;
	mixdown_render_report rep;
	mixdown_error err;
	CHECK_INT(mxt_render_yaml(dir, yaml, &o, &rep, &err), MIXDOWN_SUCCESS);
	int64_t fo = 0;
	int rate = 0;
	float *out = mxt_read_audio(mxt_path(dir, "r.wav"), &fo, NULL, &rate, NULL);
	CHECK_INT(rate, 44100);
	CHECK_INT(fo, 44100);
	if (out && fo == 44100)
		CHECK_NEAR(mxt_rms_db(out, 2, 0, 10000, 22050), 20 * log10(0.5 / sqrt(2)), 0.01);
	free(out);
	free(x);
}

/* Quantizer: dither only off-grid samples, clip and count. */
static void t_quantize_dither_clip(void)
{
	float in[6] = { 0.5f, -1.0f, 1.0f, 1.5f, -2.0f, 0.25f + 0.3f / 32768.0f };
	int32_t out[6];
	uint32_t state = 1;
	uint64_t clipped = mxd_quantize(in, out, 6, 16, MIXDOWN_DITHER_AUTO, &state);
	CHECK_INT(out[0], 16384);
	CHECK_INT(out[1], -32768);
	CHECK_INT(out[2], 32767);
	CHECK_INT(out[3], 32767);
	CHECK_INT(out[4], -32768);
	CHECK_INT(clipped, 3);
	CHECK(out[5] == 8192 || out[5] == 8193 || out[5] == 8191);
	/* TPDF statistics on a constant off-grid value: mean error ~0 (dither
	 * is unbiased), error never beyond 1.5 LSB, variance 1/12 + 1/6 LSB². */
	enum { N = 200000 };
	static float x[N];
	static int32_t q[N];
	for (int i = 0; i < N; i++)
		x[i] = (float)(1000.3 / 32768.0);
	mxd_quantize(x, q, N, 16, MIXDOWN_DITHER_ALWAYS, &state);
	double mean = 0, var = 0;
	for (int i = 0; i < N; i++) {
		double e = q[i] - 1000.3;
		mean += e;
		var += e * e;
		CHECK(fabs(e) < 2.0);
	}
	mean /= N;
	var /= N;
	CHECK_NEAR(mean, 0.0, 0.01);
	/* total error power = rounding of (x + d): 1/12 + dither 1/6 = 0.25 */
	CHECK_NEAR(var, 0.25, 0.01);
	/* Without dither the error is the constant -0.3 LSB. */
	mxd_quantize(x, q, 10, 16, MIXDOWN_DITHER_OFF, &state);
	CHECK_INT(q[0], 1000);
}

static void t_clipping_counted_and_float_keeps_headroom(void)
{
	const char *dir = mxt_tempdir();
	float x[1000];
	for (int i = 0; i < 1000; i++)
		x[i] = 0.8f;
	CHECK(mxt_write_audio(mxt_path(dir, "x.wav"), x, 1000, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	/* Two tracks at 0.8 sum to 1.6: over full scale. */
	const char *yaml = "channels: 1\ntracks: [ { name: A, file: x.wav }, { name: B, file: x.wav } ]\n";
	mixdown_render_options o = out_opts(mxt_path(dir, "i.wav"), MIXDOWN_SAMPLE_INT16);
	mixdown_render_report rep;
	mixdown_error err;
	CHECK_INT(mxt_render_yaml(dir, yaml, &o, &rep, &err), MIXDOWN_SUCCESS);
	CHECK_INT(rep.clipped_samples, 1000);
	CHECK_NEAR(rep.peak_dbfs, 20 * log10(1.6), 1e-4);
	o = out_opts(mxt_path(dir, "f.wav"), MIXDOWN_SAMPLE_FLOAT32);
	CHECK_INT(mxt_render_yaml(dir, yaml, &o, &rep, &err), MIXDOWN_SUCCESS);
	CHECK_INT(rep.clipped_samples, 0);
	float *out = mxt_read_audio(mxt_path(dir, "f.wav"), NULL, NULL, NULL, NULL);
	CHECK(out && out[500] == 1.6f);
	free(out);
}

static void t_nonfinite_input_never_reaches_output(void)
{
	const char *dir = mxt_tempdir();
	float x[1000];
	for (int i = 0; i < 1000; i++)
		x[i] = (i % 100 == 0) ? NAN : (i % 150 == 0) ? INFINITY : 0.1f;
	CHECK(mxt_write_audio(mxt_path(dir, "x.wav"), x, 1000, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	const char *yaml = "channels: 1\ntracks: [ { name: A, file: x.wav, inserts: [ { type: eq, bands: "
			   "[ { type: peak, freq: 1000, gain: 6, q: 1 } ] } ] } ]\n";
	mixdown_render_options o = out_opts(mxt_path(dir, "f.wav"), MIXDOWN_SAMPLE_FLOAT32);
	mixdown_render_report rep;
	mixdown_error err;
	CHECK_INT(mxt_render_yaml(dir, yaml, &o, &rep, &err), MIXDOWN_SUCCESS);
	CHECK(rep.nonfinite_samples >= 13);
	int64_t fo = 0;
	float *out = mxt_read_audio(mxt_path(dir, "f.wav"), &fo, NULL, NULL, NULL);
	int bad = 0;
	for (int64_t i = 0; out && i < fo; i++)
		bad += !isfinite(out[i]);
	CHECK_INT(bad, 0);
	CHECK(isfinite(rep.integrated_lufs) || rep.integrated_lufs < 0);
	free(out);
}

static void t_solo_and_mute(void)
{
	const char *dir = mxt_tempdir();
	float a[100], b[100];
	for (int i = 0; i < 100; i++) {
		a[i] = 0.125f;
		b[i] = 0.25f;
	}
	CHECK(mxt_write_audio(mxt_path(dir, "a.wav"), a, 100, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	CHECK(mxt_write_audio(mxt_path(dir, "b.wav"), b, 100, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	/* A soloed into bus Grp: Grp stays audible (downstream of the solo);
	 * B is silenced; aux Verb (send-fed) is solo-safe by default. */
	const char *yaml = "channels: 1\n"
			   "tracks:\n"
			   "  - { name: A, file: a.wav, solo: true, output: Grp, sends: [ { to: Verb, level: 0 } ] }\n"
			   "  - { name: B, file: b.wav }\n"
			   "  - { name: C, file: b.wav, mute: true }\n"
			   "buses: [ { name: Grp }, { name: Verb } ]\n";
	mixdown_render_options o = out_opts(mxt_path(dir, "o.wav"), MIXDOWN_SAMPLE_FLOAT32);
	mixdown_error err;
	CHECK_INT(mxt_render_yaml(dir, yaml, &o, NULL, &err), MIXDOWN_SUCCESS);
	float *out = mxt_read_audio(mxt_path(dir, "o.wav"), NULL, NULL, NULL, NULL);
	CHECK(out != NULL);
	if (out)
		CHECK_NEAR(out[50], 0.25, 1e-7); /* A via Grp + A via Verb */
	free(out);
}

/* A cancelled render leaves the earlier file untouched and no temp files. */
static bool cancel_at_half(void *user, double done, double total, float peak, uint64_t clipped)
{
	(void)user;
	(void)peak;
	(void)clipped;
	return done < total / 2;
}

static void t_failed_render_keeps_old_output(void)
{
	const char *dir = mxt_tempdir();
	int64_t n = 48000 * 3;
	float *x = malloc(sizeof(float) * n);
	mxt_noise(x, n, 0.5, 9);
	CHECK(mxt_write_audio(mxt_path(dir, "x.wav"), x, n, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	CHECK(mxt_write_text(mxt_path(dir, "out.wav"), "precious earlier render") == 0);
	mixdown_render_options o = out_opts(mxt_path(dir, "out.wav"), MIXDOWN_SAMPLE_INT24);
	o.progress = cancel_at_half;
	o.stems_dir = mxt_path(dir, "stems");
	mixdown_error err;
	const char *yaml = "tracks: [ { name: X, file: x.wav } ]\nbuses: [ { name: Bus } ]\n";
	mixdown_status st = mxt_render_yaml(dir, yaml, &o, NULL, &err);
	CHECK_INT(st, MIXDOWN_ERR_CANCELLED);
	FILE *f = fopen(mxt_path(dir, "out.wav"), "rb");
	char buf[64] = "";
	if (f) {
		size_t r = fread(buf, 1, sizeof buf - 1, f);
		buf[r] = '\0';
		fclose(f);
	}
	CHECK(strcmp(buf, "precious earlier render") == 0);
	/* No temporary files left behind. */
	char cmd[600];
	snprintf(cmd, sizeof cmd, "ls -A '%s' '%s' | grep -c part", dir, mxt_path(dir, "stems"));
	FILE *p = popen(cmd, "r");
	int parts = -1;
	if (p) {
		if (fscanf(p, "%d", &parts) != 1)
			parts = -1;
		pclose(p);
	}
	CHECK_INT(parts, 0);
	free(x);
}

static void t_output_is_input_refused(void)
{
	const char *dir = mxt_tempdir();
	float x[480] = { 0.5f };
	CHECK(mxt_write_audio(mxt_path(dir, "x.wav"), x, 480, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_16) == 0);
	CHECK(mxt_write_text(mxt_path(dir, "s.yaml"), "tracks: [ { name: X, file: x.wav } ]\n") == 0);
	int64_t f0 = 0;
	int32_t *before = mxt_read_audio_int(mxt_path(dir, "x.wav"), &f0, NULL);
	int rc = mxt_run_cli("render '%s/s.yaml' -o '%s/./x.wav'", dir, dir);
	CHECK_INT(rc, 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "refusing to overwrite an input");
	int64_t f1 = 0;
	int32_t *after = mxt_read_audio_int(mxt_path(dir, "x.wav"), &f1, NULL);
	CHECK(before && after && f0 == f1 && memcmp(before, after, sizeof(int32_t) * (size_t)f0) == 0);
	rc = mxt_run_cli("render '%s/s.yaml' -o '%s/s.yaml'", dir, dir);
	CHECK_INT(rc, 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "session file");
	free(before);
	free(after);
}

static void t_cli_render_json_and_stdout(void)
{
	const char *dir = mxt_tempdir();
	float x[4800];
	mxt_sine(x, 4800, 1, 48000, 1000, 0.5, 0);
	CHECK(mxt_write_audio(mxt_path(dir, "x.wav"), x, 4800, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_24) == 0);
	CHECK(mxt_write_text(mxt_path(dir, "s.yaml"), "tracks: [ { name: X, file: x.wav } ]\n") == 0);
	int rc = mxt_run_cli("render '%s/s.yaml' -o '%s/o.wav' --json", dir, dir);
	CHECK_INT(rc, 0);
	CHECK_STR_CONTAINS(mxt_cli_out, "\"frames\": 4800");
	CHECK_STR_CONTAINS(mxt_cli_out, "\"clipped_samples\": 0");
	CHECK_STR_CONTAINS(mxt_cli_out, "\"integrated_lufs\": ");
	CHECK(strstr(mxt_cli_out, ",\n}") == NULL); /* valid JSON: no comma before the closing brace */
	CHECK_STR_CONTAINS(mxt_cli_out, "o.wav\"]");
	/* -3 dB pan law: 0.5 * 0.7071 peak = -9.03 dBFS */
	CHECK_STR_CONTAINS(mxt_cli_out, "\"peak_dbfs\": -9.03");
	CHECK(strstr(mxt_cli_err, "rendering") == NULL); /* no progress line off a terminal */
	rc = mxt_run_cli("render '%s/s.yaml' -o - --bits 16", dir);
	CHECK_INT(rc, 0);
	CHECK(memcmp(mxt_cli_out, "RIFF", 4) == 0 && memcmp(mxt_cli_out + 8, "WAVE", 4) == 0);
	rc = mxt_run_cli("render '%s/s.yaml' -o '%s/o.xyz'", dir, dir);
	CHECK_INT(rc, 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "extension");
	rc = mxt_run_cli("render '%s/s.yaml' --bits 12 -o x.wav", dir);
	CHECK_INT(rc, 2);
	rc = mxt_run_cli("render '%s/s.yaml' --threads 0 -o x.wav", dir); /* 1..64 or auto */
	CHECK_INT(rc, 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "--threads");
	rc = mxt_run_cli("render '%s/s.yaml' --threads 3 -o '%s/t3.wav'", dir, dir);
	CHECK_INT(rc, 0);
	rc = mxt_run_cli("frobnicate");
	CHECK_INT(rc, 2);
	rc = mxt_run_cli("--help");
	CHECK_INT(rc, 0);
	CHECK_STR_CONTAINS(mxt_cli_out, "Exit status");
}

/* Every session error class: message with file:line:column and exit 2. */
static void t_cli_session_errors(void)
{
	const char *dir = mxt_tempdir();
	float x[480] = { 0 };
	CHECK(mxt_write_audio(mxt_path(dir, "x.wav"), x, 480, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_16) == 0);
	CHECK(mxt_write_text(mxt_path(dir, "notaudio.wav"), "this is not audio\n") == 0);
	struct {
		const char *yaml;
		const char *expect; /* substring of the message, after file:line:col */
		const char *where;  /* ":line:col:" */
	} cases[] = {
		{ "tracks: [ { name: X, file: x.wav }\n", "", ":2:" },
		{ "tracks:\n  - name: X\n    file: x.wav\n    gian: 3\n", "did you mean \"gain\"", ":4:5:" },
		{ "tracks:\n  - name: X\n    file: x.wav\n    gain: loud\n", "expected", ":4:11:" },
		{ "tracks:\n  - name: X\n    file: x.wav\n    pan: 3\n", "range", ":4:10:" },
		{ "tracks:\n  - name: X\n    file: missing.wav\n", "missing.wav", ":3:11:" },
		{ "tracks:\n  - name: X\n    file: notaudio.wav\n", "notaudio.wav", ":3:11:" },
		{ "tracks:\n  - { name: X, file: x.wav, output: A }\nbuses:\n  - { name: A, output: B }\n"
		  "  - { name: B, output: A }\n",
		  "routing loop", ":" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char name[32];
		snprintf(name, sizeof name, "e%zu.yaml", i);
		CHECK(mxt_write_text(mxt_path(dir, name), cases[i].yaml) == 0);
		int rc = mxt_run_cli("check '%s/%s'", dir, name);
		CHECK_INT(rc, 2);
		char want[64];
		snprintf(want, sizeof want, "%s%s", name, cases[i].where);
		CHECK_STR_CONTAINS(mxt_cli_err, want);
		CHECK_STR_CONTAINS(mxt_cli_err, cases[i].expect);
		rc = mxt_run_cli("render '%s/%s' -o '%s/out.wav'", dir, name, dir);
		CHECK_INT(rc, 2);
	}
	/* The loop message names the loop. */
	mxt_run_cli("check '%s/e6.yaml'", dir);
	CHECK(strstr(mxt_cli_err, "A -> B -> A") || strstr(mxt_cli_err, "B -> A -> B"));
}

static void t_cli_new_and_fx(void)
{
	const char *dir = mxt_tempdir();
	float x[480] = { 0.1f };
	char stems[600];
	snprintf(stems, sizeof stems, "%s/stems", dir);
	CHECK(system(NULL) != 0);
	char cmd[700];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", stems);
	CHECK(system(cmd) == 0);
	CHECK(mxt_write_audio(mxt_path(stems, "Kick.wav"), x, 480, 1, 44100, SF_FORMAT_WAV | SF_FORMAT_PCM_16) == 0);
	CHECK(mxt_write_audio(mxt_path(stems, "Bass DI.flac"), x, 480, 1, 44100, SF_FORMAT_FLAC | SF_FORMAT_PCM_16) == 0);
	CHECK(mxt_write_text(mxt_path(stems, "notes.txt"), "not audio") == 0);
	int rc = mxt_run_cli("new '%s' -o '%s/song.yaml'", stems, dir);
	CHECK_INT(rc, 0);
	rc = mxt_run_cli("check '%s/song.yaml'", dir);
	CHECK_INT(rc, 0);
	CHECK_STR_CONTAINS(mxt_cli_out, "2 tracks");
	rc = mxt_run_cli("new '%s' -o '%s/song.yaml'", stems, dir);
	CHECK_INT(rc, 2); /* exists */
	rc = mxt_run_cli("fx list");
	CHECK_INT(rc, 0);
	CHECK_STR_CONTAINS(mxt_cli_out, "eq");
	rc = mxt_run_cli("fx info eq");
	CHECK_INT(rc, 0);
	CHECK_STR_CONTAINS(mxt_cli_out, "bands.*.freq");
	rc = mxt_run_cli("fx info nope");
	CHECK_INT(rc, 2);
}

/* A 60-minute, 32-track session renders in bounded memory: the clips are
 * streamed, so the process's peak RSS stays far below the 3.5 GB the audio
 * would take decoded. (8 kHz keeps the test quick; memory per track does not
 * depend on the rate.) */
static void t_long_session_bounded_memory(void)
{
	if (getenv("MXT_QUICK")) {
		SKIP("MXT_QUICK set");
		return;
	}
	const char *dir = mxt_tempdir();
	const int64_t n = 8000LL * 3600;
	SF_INFO info = { .samplerate = 8000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
	SNDFILE *f = sf_open(mxt_path(dir, "long.wav"), SFM_WRITE, &info);
	CHECK(f != NULL);
	if (!f)
		return;
	static short blk[8000];
	for (int64_t done = 0; done < n; done += 8000) {
		for (int i = 0; i < 8000; i++)
			blk[i] = (short)((i * 37 + done) % 2000 - 1000);
		sf_writef_short(f, blk, 8000);
	}
	sf_close(f);
	char yaml[8192];
	size_t len = (size_t)snprintf(yaml, sizeof yaml, "channels: 1\ntracks:\n");
	for (int t = 0; t < 32; t++)
		len += (size_t)snprintf(yaml + len, sizeof yaml - len, "  - { name: T%d, file: long.wav, gain: -30 }\n", t);
	CHECK(mxt_write_text(mxt_path(dir, "s.yaml"), yaml) == 0);
	int rc = mxt_run_cli("render '%s/s.yaml' -o '%s/o.wav' --bits 16 --json", dir, dir);
	CHECK_INT(rc, 0);
	CHECK_STR_CONTAINS(mxt_cli_out, "\"frames\": 28800000");
	struct rusage ru;
	getrusage(RUSAGE_CHILDREN, &ru);
	/* ru_maxrss is in KiB; ASan's shadow memory is included when built with it. */
	long limit_kib = getenv("MXT_ASAN") ? 600 * 1024 : 64 * 1024;
	CHECK_MSG(ru.ru_maxrss < limit_kib, "peak RSS %ld KiB (limit %ld)", ru.ru_maxrss, limit_kib);
	printf("# peak RSS of the 60-minute 32-track render: %ld KiB\n", ru.ru_maxrss);
}

/* ---- the render's output worker (api/render_meter.h): peak, meter and main writer on a second thread */

static int count_parts(const char *dir)
{
	DIR *d = opendir(dir);
	int parts = 0;
	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d));)
		parts += strstr(e->d_name, ".part") != NULL;
	closedir(d);
	return parts;
}

typedef struct {
	int calls;
	double done, total;
	float peak;
	uint64_t clipped;
	bool monotonic; /* peak and clipped never went down */
	bool cancel;
} progress_log;

static bool log_progress(void *user, double done, double total, float peak, uint64_t clipped)
{
	progress_log *l = user;
	if (l->calls > 0 && (peak < l->peak || clipped < l->clipped))
		l->monotonic = false;
	l->calls++;
	l->done = done;
	l->total = total;
	l->peak = peak;
	l->clipped = clipped;
	return !l->cancel;
}

/* The last progress call carries the final peak and clip count, though the
 * worker finishes the last blocks after main pushed them. Two tracks: 0.3
 * each (sum 0.6) for the first half, then 0.8 (1.6: every sample clips), and
 * 0.95 (1.9, the peak) only in the last 100 frames, i.e. the last block. */
static void t_progress_last_call_matches_report(void)
{
	const char *dir = mxt_tempdir();
	const int64_t n = 48000 * 10, half = n / 2;
	float *x = malloc(sizeof(float) * (size_t)n);
	for (int64_t i = 0; i < n; i++)
		x[i] = i < half ? 0.3f : i < n - 100 ? 0.8f : 0.95f;
	CHECK(mxt_write_audio(mxt_path(dir, "x.wav"), x, n, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	const char *yaml = "channels: 1\ntracks: [ { name: A, file: x.wav }, { name: B, file: x.wav } ]\n";
	for (int bits = 16; bits <= 24; bits += 8) {
		char out[1024];
		snprintf(out, sizeof out, "%s/hot%d.wav", dir, bits);
		mixdown_render_options o = out_opts(out, bits == 16 ? MIXDOWN_SAMPLE_INT16 : MIXDOWN_SAMPLE_INT24);
		progress_log l = { .monotonic = true };
		o.progress = log_progress;
		o.progress_user = &l;
		mixdown_render_report rep;
		mixdown_error err;
		CHECK_INT(mxt_render_yaml(dir, yaml, &o, &rep, &err), MIXDOWN_SUCCESS);
		CHECK(l.calls >= 1);
		CHECK(l.monotonic);
		CHECK_NEAR(l.done, 10.0, 1e-9);
		CHECK_NEAR(l.total, 10.0, 1e-9);
		CHECK_INT(rep.clipped_samples, n - half);
		CHECK_INT(l.clipped, rep.clipped_samples);
		CHECK_NEAR(rep.peak_dbfs, 20 * log10(1.9), 1e-4);
		CHECK(l.peak == (float)rep.peak_dbfs);
	}
	free(x);
}

/* A progress callback that cancels at once: the render fails, no file appears. */
static void t_cancel_at_first_call_writes_nothing(void)
{
	const char *dir = mxt_tempdir();
	float x[48000];
	mxt_noise(x, 48000, 0.5, 4);
	CHECK(mxt_write_audio(mxt_path(dir, "x.wav"), x, 48000, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	char out[1024];
	snprintf(out, sizeof out, "%s/never.wav", dir);
	mixdown_render_options o = out_opts(out, MIXDOWN_SAMPLE_INT24);
	progress_log l = { .cancel = true };
	o.progress = log_progress;
	o.progress_user = &l;
	mixdown_render_report rep;
	mixdown_error err;
	CHECK_INT(mxt_render_yaml(dir, "tracks: [ { name: X, file: x.wav } ]\n", &o, &rep, &err),
		  MIXDOWN_ERR_CANCELLED);
	CHECK_INT(l.calls, 1);
	CHECK_INT(rep.n_files, 0);
	CHECK(access(out, F_OK) != 0);
	CHECK_INT(count_parts(dir), 0);
}

/* Files may not grow past `bytes` (RLIMIT_FSIZE; with SIGXFSZ ignored, write()
 * fails with EFBIG): a real write failure part-way through a file. */
typedef struct {
	struct rlimit old;
	void (*old_handler)(int);
} fsize_limit;

static bool limit_file_size(fsize_limit *f, rlim_t bytes)
{
	if (getrlimit(RLIMIT_FSIZE, &f->old) != 0)
		return false;
	struct rlimit lim = f->old;
	lim.rlim_cur = bytes;
	f->old_handler = signal(SIGXFSZ, SIG_IGN);
	return setrlimit(RLIMIT_FSIZE, &lim) == 0;
}

static void unlimit_file_size(fsize_limit *f)
{
	(void)setrlimit(RLIMIT_FSIZE, &f->old);
	signal(SIGXFSZ, f->old_handler);
}

/* The mix's writer fails after ~200 kB of 1.4 MB: the render reports the
 * writer's error naming the file, and neither the file nor its temp remain. */
static void t_render_write_fails_midway(void)
{
	const char *dir = mxt_tempdir();
	const int64_t n = 48000 * 10;
	float *x = malloc(sizeof(float) * (size_t)n);
	mxt_noise(x, n, 0.5, 5);
	CHECK(mxt_write_audio(mxt_path(dir, "x.wav"), x, n, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	char out[1024];
	snprintf(out, sizeof out, "%s/full.wav", dir);
	mixdown_render_options o = out_opts(out, MIXDOWN_SAMPLE_INT24);
	progress_log l = { .monotonic = true };
	o.progress = log_progress;
	o.progress_user = &l;
	mixdown_render_report rep;
	mixdown_error err;
	memset(&err, 0, sizeof err);
	fsize_limit fl;
	CHECK(limit_file_size(&fl, 200000));
	mixdown_status st = mxt_render_yaml(dir, "channels: 1\ntracks: [ { name: X, file: x.wav } ]\n", &o, &rep, &err);
	unlimit_file_size(&fl);
	CHECK_INT(st, MIXDOWN_ERR_IO);
	CHECK(strcmp(err.file, out) == 0);
	CHECK_STR_CONTAINS(err.message, "write failed");
	CHECK(l.done < 10.0); /* stopped before the end */
	CHECK_INT(rep.n_files, 0);
	CHECK(access(out, F_OK) != 0);
	CHECK_INT(count_parts(dir), 0);
	free(x);
}

#define OW_BLOCK 1024
#define OW_BLOCKS 60

/* Block k of a stereo test signal: noise at 0.01, and k+1 / 256 (exact) at
 * one sample of the right channel, so the running peak tells which blocks
 * were processed. */
static void ow_block(float *l, float *r, int k)
{
	mxt_noise(l, OW_BLOCK, 0.01, 100 + (uint32_t)k);
	mxt_noise(r, OW_BLOCK, 0.01, 200 + (uint32_t)k);
	r[(k * 37) % OW_BLOCK] = (float)(k + 1) / 256.0f;
}

static mxd_writer *ow_open(const char *path)
{
	mxd_writer_config wc = {
		.format = MIXDOWN_FORMAT_WAV, .sample = MIXDOWN_SAMPLE_INT24, .dither = MIXDOWN_DITHER_AUTO,
		.in_rate = 48000, .out_rate = 48000, .channels = 2, .max_block = OW_BLOCK, .seed = 7,
	};
	mxd_writer *w = NULL;
	mixdown_error err;
	return mxd_writer_open(path, &wc, &w, &err) == MIXDOWN_SUCCESS ? w : NULL;
}

/* The queue and the inline mxr_out do the same work: the same file and
 * loudness. With the file limited to 100000 bytes (6144 bytes a block: block
 * 16 crosses it), the inline path fails exactly at block 16, the queue reports
 * it at a later push (the worker is at most MXR_METER_SLOTS behind) and at
 * finish with the writer's message; blocks after the failure are not
 * processed (peak 17/256). */
static void t_output_worker_write_failure(void)
{
	const char *dir = mxt_tempdir();
	float l[OW_BLOCK], r[OW_BLOCK];
	const float *planes[2] = { l, r };
	char pq[1024], pi[1024];
	snprintf(pq, sizeof pq, "%s/queue.wav", dir);
	snprintf(pi, sizeof pi, "%s/inline.wav", dir);

	/* Success: queue and inline give identical files, peaks and loudness. */
	mxd_fl mq_meter = { 0 }, mi_meter = { 0 };
	CHECK(mxd_fl_init(&mq_meter, 48000, 2, NULL, false) == 0);
	CHECK(mxd_fl_init(&mi_meter, 48000, 2, NULL, false) == 0);
	mxd_writer *wq = ow_open(pq), *wi = ow_open(pi);
	CHECK(wq && wi);
	mxr_meter_queue *q = mxr_meter_start(&mq_meter, wq, 2, OW_BLOCK);
	mxr_out io;
	CHECK(q != NULL);
	CHECK(mxr_out_init(&io, &mi_meter, wi, 2, OW_BLOCK) == 0);
	for (int k = 0; k < OW_BLOCKS && q && wi; k++) {
		ow_block(l, r, k);
		CHECK_INT(mxr_meter_push(q, planes, OW_BLOCK), MIXDOWN_SUCCESS);
		CHECK_INT(mxr_out_block(&io, planes, OW_BLOCK), MIXDOWN_SUCCESS);
	}
	CHECK_INT(mxr_meter_wait(q), MIXDOWN_SUCCESS);
	CHECK(mxr_meter_peak(q) == (float)OW_BLOCKS / 256.0f);
	uint64_t clipped_q = mxr_meter_clipped(q);
	float peak_q = -1;
	CHECK_INT(mxr_meter_finish(q, &peak_q, NULL), MIXDOWN_SUCCESS);
	CHECK(peak_q == io.peak && peak_q == (float)OW_BLOCKS / 256.0f);
	CHECK_INT(clipped_q, 0);
	CHECK(mxd_fl_integrated(&mq_meter) == mxd_fl_integrated(&mi_meter));
	CHECK(mxd_fl_integrated(&mq_meter) > -60 && mxd_fl_integrated(&mq_meter) < -20);
	mixdown_error err;
	CHECK_INT(mxd_writer_commit(wq, &err), MIXDOWN_SUCCESS);
	CHECK_INT(mxd_writer_commit(wi, &err), MIXDOWN_SUCCESS);
	mxr_out_free(&io);
	int64_t fq = 0, fi = 0;
	int32_t *a = mxt_read_audio_int(pq, &fq, NULL), *b = mxt_read_audio_int(pi, &fi, NULL);
	CHECK_INT(fq, (int64_t)OW_BLOCKS * OW_BLOCK);
	CHECK_INT(fi, fq);
	CHECK(a && b && memcmp(a, b, sizeof(int32_t) * 2 * (size_t)fq) == 0);
	free(a);
	free(b);
	mxd_fl_free(&mq_meter);
	mxd_fl_free(&mi_meter);

	/* Failure: the same through a file that may not grow past 100000 bytes. */
	CHECK(mxd_fl_init(&mq_meter, 48000, 2, NULL, false) == 0);
	CHECK(mxd_fl_init(&mi_meter, 48000, 2, NULL, false) == 0);
	wq = ow_open(pq);
	wi = ow_open(pi);
	CHECK(wq && wi);
	q = mxr_meter_start(&mq_meter, wq, 2, OW_BLOCK);
	CHECK(q != NULL);
	CHECK(mxr_out_init(&io, &mi_meter, wi, 2, OW_BLOCK) == 0);
	fsize_limit fl;
	CHECK(limit_file_size(&fl, 100000));
	int fail_inline = -1, fail_queue = -1;
	for (int k = 0; k < OW_BLOCKS && q && wi; k++) {
		ow_block(l, r, k);
		if (fail_queue < 0 && mxr_meter_push(q, planes, OW_BLOCK) != MIXDOWN_SUCCESS)
			fail_queue = k;
		if (fail_inline < 0 && mxr_out_block(&io, planes, OW_BLOCK) != MIXDOWN_SUCCESS)
			fail_inline = k;
	}
	CHECK_INT(mxr_meter_wait(q), MIXDOWN_ERR_IO);
	CHECK(mxr_meter_peak(q) == 17.0f / 256.0f);
	memset(&err, 0, sizeof err);
	peak_q = -1;
	CHECK_INT(mxr_meter_finish(q, &peak_q, &err), MIXDOWN_ERR_IO);
	unlimit_file_size(&fl);
	CHECK_INT(fail_inline, 16);
	CHECK(fail_queue > 16 && fail_queue <= 17 + MXR_METER_SLOTS);
	CHECK_INT(io.st, MIXDOWN_ERR_IO);
	CHECK(peak_q == 17.0f / 256.0f);
	CHECK(io.peak == 17.0f / 256.0f);
	CHECK(strcmp(err.file, pq) == 0);
	CHECK_STR_CONTAINS(err.message, "write failed");
	CHECK(strcmp(io.err.file, pi) == 0);
	mxd_writer_abort(wq);
	mxd_writer_abort(wi);
	mxr_out_free(&io);
	mxd_fl_free(&mq_meter);
	mxd_fl_free(&mi_meter);
	CHECK_INT(count_parts(dir), 0);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_null_mono_16),
		MXT(t_null_mono_24),
		MXT(t_null_stereo_16),
		MXT(t_null_stereo_24),
		MXT(t_summing),
		MXT(t_pan_laws),
		MXT(t_pan_laws_rendered),
		MXT(t_resample_44k1),
		MXT(t_resample_96k),
		MXT(t_pdc_send_nulls),
		MXT(t_clip_position_offset_length),
		MXT(t_fade_curves),
		MXT(t_bar_beat_positions),
		MXT(t_stems_sum_to_mix),
		MXT(t_formats_and_rate),
		MXT(t_quantize_dither_clip),
		MXT(t_clipping_counted_and_float_keeps_headroom),
		MXT(t_nonfinite_input_never_reaches_output),
		MXT(t_solo_and_mute),
		MXT(t_failed_render_keeps_old_output),
		MXT(t_output_is_input_refused),
		MXT(t_progress_last_call_matches_report),
		MXT(t_cancel_at_first_call_writes_nothing),
		MXT(t_render_write_fails_midway),
		MXT(t_output_worker_write_failure),
		MXT(t_cli_render_json_and_stdout),
		MXT(t_cli_session_errors),
		MXT(t_cli_new_and_fx),
		MXT(t_long_session_bounded_memory),
	};
	return MXT_RUN(cases);
}
