/* mixdown — automation: lanes evaluated sample-exactly, bar:beat across tempo
 * changes, smooth parameter sweeps, LFO and motion presets, the envelope
 * follower, mute crossfades, and section renders equal to the full render.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "mixdown/mixdown.h"
#include "util.h"

/* Render `yaml` (written in dir) to a float WAV; returns interleaved samples. */
static float *render(const char *dir, const char *yaml, const char *range, int64_t *frames, int *channels)
{
	mixdown_render_options o = mixdown_render_options_init();
	o.output = mxt_path(dir, "o.wav");
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	o.range = range;
	mixdown_error err;
	if (mxt_render_yaml(dir, yaml, &o, NULL, &err) != MIXDOWN_SUCCESS)
		return NULL;
	return mxt_read_audio(o.output, frames, channels, NULL, NULL);
}

static void write_const(const char *dir, const char *name, int64_t n, int rate, float v)
{
	float *x = malloc(sizeof(float) * (size_t)n);
	for (int64_t i = 0; i < n; i++)
		x[i] = v;
	CHECK(mxt_write_audio(mxt_path(dir, name), x, n, 1, rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	free(x);
}

/* The lane's value computed independently: linear (in dB), hold, smooth. */
static double expected_db(double t)
{
	if (t < 0.5)
		return -20 + (0 - -20) * (t / 0.5);           /* linear -20 -> 0 */
	if (t < 0.75)
		return 0;                                      /* hold */
	if (t < 1.0)
		return -6 * 0.5 * (1 - cos(M_PI * (t - 0.75) / 0.25)); /* smooth 0 -> -6 */
	return -6;
}

static void t_gain_lane_is_sample_exact(void)
{
	const char *dir = mxt_tempdir();
	write_const(dir, "dc.wav", 60000, 48000, 0.5f);
	const char *yaml = "channels: 1\ntracks:\n  - name: T\n    file: dc.wav\n"
			   "    automation:\n      gain: [ [0, -20], [0.5, 0, hold], [0.75, 0, smooth], [1.0, -6] ]\n";
	int64_t n = 0;
	float *y = render(dir, yaml, NULL, &n, NULL);
	CHECK_INT(n, 60000);
	double maxerr = 0;
	int64_t worst = 0;
	for (int64_t i = 0; y && i < n; i++) {
		double want = 0.5 * pow(10, expected_db((double)i / 48000) / 20);
		double e = fabs(y[i] - want);
		if (e > maxerr)
			maxerr = e, worst = i;
	}
	CHECK_MSG(maxerr < 2e-7, "gain lane off by %g at frame %lld", maxerr, (long long)worst);
	/* The breakpoints land on their frames: the hold starts at 24000. */
	if (y) {
		CHECK(y[24000] == 0.5f && y[35999] == 0.5f);
		CHECK(y[23999] < 0.5f);
	}
	free(y);
}

/* Tempo 120 for bars 1-2, 60 from bar 3 (4/4): bar 4 starts at 4 s + 4 s. */
static void t_bar_beat_across_tempo_change(void)
{
	const char *dir = mxt_tempdir();
	write_const(dir, "dc.wav", 8000 * 11, 8000, 0.5f);
	const char *yaml = "channels: 1\ntempo:\n  - { bar: 1, bpm: 120 }\n  - { bar: 3, bpm: 60 }\n"
			   "tracks:\n  - name: T\n    file: dc.wav\n"
			   "    automation: { gain: [ [0, -inf, hold], [\"4:1\", 0, hold], [\"4:3\", -inf] ] }\n";
	int64_t n = 0;
	float *y = render(dir, yaml, NULL, &n, NULL);
	CHECK_INT(n, 88000);
	if (y && n == 88000) {
		CHECK(y[63999] == 0.0f);
		CHECK(y[64000] == 0.5f);
		/* beat 3 of bar 4 is two 1 s beats later */
		CHECK(y[79999] == 0.5f);
		CHECK(y[80000] == 0.0f);
	}
	free(y);
}

/* Largest |second difference| of x over [a, b): a click is a spike in it. */
static double max_d2(const float *x, int ch, int c, int64_t a, int64_t b)
{
	double m = 0;
	for (int64_t i = a + 2; i < b; i++)
		m = fmax(m, fabs((double)x[i * ch + c] - 2.0 * x[(i - 1) * ch + c] + x[(i - 2) * ch + c]));
	return m;
}

static double max_abs(const float *x, int ch, int c, int64_t a, int64_t b)
{
	double m = 0;
	for (int64_t i = a; i < b; i++)
		m = fmax(m, fabs((double)x[i * ch + c]));
	return m;
}

/* Sweeping an EQ band's frequency and gain across their range under a sine
 * never steps: the second difference stays within that of a sine at the
 * largest amplitude reached (A w^2), with 50 % margin. */
static void t_eq_sweep_does_not_click(void)
{
	const char *dir = mxt_tempdir();
	int64_t n = 96000;
	float *x = malloc(sizeof(float) * (size_t)n);
	mxt_sine(x, n, 1, 48000, 1000, 0.25, 0);
	CHECK(mxt_write_audio(mxt_path(dir, "s.wav"), x, n, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	free(x);
	const char *yaml =
		"channels: 1\ntracks:\n  - name: T\n    file: s.wav\n"
		"    inserts: [ { type: eq, id: tone, bands: [ { type: peak, freq: 100, gain: 12, q: 2 } ] } ]\n"
		"    automation:\n"
		"      \"inserts.tone.bands.1.freq\": [ [0.2, 100, exp], [1.2, 10000, hold], [1.3, 1000, hold] ]\n"
		"      \"inserts.tone.bands.1.gain\": [ [1.5, 12], [1.6, -12, linear], [1.7, 12] ]\n";
	int64_t frames = 0;
	float *y = render(dir, yaml, NULL, &frames, NULL);
	if (y) {
		double w = 2 * M_PI * 1000 / 48000.0;
		double a = max_abs(y, 1, 0, 0, frames);
		double d2 = max_d2(y, 1, 0, 0, frames);
		CHECK_MSG(d2 <= 1.5 * a * w * w, "second difference %.5f, a sine of amplitude %.3f has %.5f", d2, a,
			  a * w * w);
		/* It did move: the 1 kHz level differs between 100 Hz and 1 kHz
		 * centres (a held jump to 1 kHz at 1.3 s, smoothed by the EQ). */
		CHECK(mxt_rms_db(y, 1, 0, 0, 4800) < mxt_rms_db(y, 1, 0, 64800, 4800) - 6);
	}
	free(y);
}

/* Pan LFO: a sine at `rate` Hz with depth 1 moves a mono source between the
 * sides; counted through the sign changes of the L-R level difference. */
static int pan_crossings(const float *y, int64_t n, int64_t hop, double *swing_db)
{
	int crossings = 0, last = 0;
	double lo = 0, hi = 0;
	for (int64_t s = 0; s + hop <= n; s += hop) {
		double l = mxt_rms_db(y, 2, 0, s, hop), r = mxt_rms_db(y, 2, 1, s, hop);
		double d = fmax(fmin(l - r, 60), -60);
		lo = fmin(lo, d), hi = fmax(hi, d);
		int sign = d > 1 ? 1 : d < -1 ? -1 : 0;
		if (sign && last && sign != last)
			crossings++;
		if (sign)
			last = sign;
	}
	*swing_db = hi - lo;
	return crossings;
}

static void t_lfo_pan(void)
{
	const char *dir = mxt_tempdir();
	int64_t n = 48000 * 2;
	float *x = malloc(sizeof(float) * (size_t)n);
	mxt_sine(x, n, 1, 48000, 440, 0.5, 0);
	CHECK(mxt_write_audio(mxt_path(dir, "s.wav"), x, n, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	free(x);
	/* 2 Hz in Hz, and as a tempo note (a quarter at 120 bpm = 2 Hz). */
	const char *rates[] = { "2", "\"1/4\"" };
	for (int k = 0; k < 2; k++) {
		char yaml[512];
		snprintf(yaml, sizeof yaml,
			 "tempo: 120\ntracks:\n  - name: T\n    file: s.wav\n"
			 "    automation: { pan: { lfo: { shape: sine, rate: %s, depth: 1 } } }\n",
			 rates[k]);
		int64_t frames = 0;
		int ch = 0;
		float *y = render(dir, yaml, NULL, &frames, &ch);
		CHECK_INT(ch, 2);
		if (y && ch == 2) {
			double swing = 0;
			int c = pan_crossings(y, frames, 480, &swing);
			/* 2 s at 2 Hz: 4 cycles, 8 side changes (the first starts centred). */
			CHECK_MSG(c >= 7 && c <= 8, "rate %s: %d side changes", rates[k], c);
			CHECK_MSG(swing > 60, "depth 1 should swing fully, got %.1f dB", swing);
			/* At t = 0.125 s the LFO is at +1: hard right (R at unity), L silent. */
			CHECK(mxt_rms_db(y, 2, 0, 6000 - 24, 48) < -60);
			CHECK_NEAR(max_abs(y, 2, 1, 5760, 6240), 0.5, 0.005);
		}
		free(y);
	}
	/* `motion: micro` drifts by a few percent: small, slow, never a side. */
	const char *micro = "tracks:\n  - name: T\n    file: s.wav\n    automation: { pan: { motion: micro } }\n";
	int64_t frames = 0;
	float *y = render(dir, micro, NULL, &frames, NULL);
	if (y) {
		double worst = 0;
		for (int64_t s = 0; s + 4800 <= frames; s += 4800)
			worst = fmax(worst, fabs(mxt_rms_db(y, 2, 0, s, 4800) - mxt_rms_db(y, 2, 1, s, 4800)));
		CHECK_MSG(worst > 0.01 && worst < 2.0, "micro motion moved %.3f dB between the sides", worst);
	}
	free(y);
}

/* A gain LFO with a stereo offset of half a cycle is an auto-panner: when
 * the left channel is at +depth the right one is at -depth. */
static void t_lfo_stereo_offset(void)
{
	const char *dir = mxt_tempdir();
	write_const(dir, "dc.wav", 48000, 48000, 0.5f);
	const char *yaml = "tracks:\n  - name: T\n    file: dc.wav\n    pan_law: -6\n"
			   "    automation: { gain: { lfo: { rate: 2, depth: 6, stereo_offset: 0.5 } } }\n";
	int64_t frames = 0;
	int ch = 0;
	float *y = render(dir, yaml, NULL, &frames, &ch);
	CHECK_INT(ch, 2);
	if (y && ch == 2) {
		/* t = 0.125 s: left +6 dB, right -6 dB (0.25 = 0.5 at the -6 dB law). */
		CHECK_NEAR(20 * log10(y[6000 * 2] / 0.25), 6.0, 1e-4);
		CHECK_NEAR(20 * log10(y[6000 * 2 + 1] / 0.25), -6.0, 1e-4);
		/* t = 0.375 s: the other way round. */
		CHECK_NEAR(20 * log10(y[18000 * 2] / 0.25), -6.0, 1e-4);
		CHECK_NEAR(20 * log10(y[18000 * 2 + 1] / 0.25), 6.0, 1e-4);
	}
	free(y);
	CHECK(mxt_write_text(mxt_path(dir, "e.yaml"),
			     "tracks:\n  - { name: T, file: dc.wav, automation: { pan: { lfo: { stereo_offset: 0.5 } } } }\n") == 0);
	CHECK_INT(mxt_run_cli("check '%s/e.yaml'", dir), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "stereo_offset applies to gain and trim lanes");
}

/* A music bed ducks under a voice by the set range, then recovers after the
 * release. */
static void t_follower_ducks_a_bed(void)
{
	const char *dir = mxt_tempdir();
	int64_t n = 48000 * 4;
	float *bed = malloc(sizeof(float) * (size_t)n), *voice = calloc((size_t)n, sizeof(float));
	mxt_sine(bed, n, 1, 48000, 220, 0.25, 0);
	for (int64_t i = 48000; i < 96000; i++)
		voice[i] = (float)(0.3 * sin(2 * M_PI * 1000 * i / 48000.0));
	CHECK(mxt_write_audio(mxt_path(dir, "bed.wav"), bed, n, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	CHECK(mxt_write_audio(mxt_path(dir, "voice.wav"), voice, n, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	free(bed);
	free(voice);
	/* The voice is keyed pre-fader: its fader at -inf leaves only the bed. */
	const char *yaml =
		"channels: 1\ntracks:\n"
		"  - { name: Voice, file: voice.wav, gain: -inf }\n"
		"  - name: Bed\n    file: bed.wav\n"
		"    automation: { gain: { follow: { source: Voice, range: -10, attack: 10, release: 200, "
		"threshold: -30 } } }\n";
	int64_t frames = 0;
	float *y = render(dir, yaml, NULL, &frames, NULL);
	if (y) {
		double base = 20 * log10(0.25 / sqrt(2));
		CHECK_NEAR(mxt_rms_db(y, 1, 0, 24000, 4800), base, 0.01);
		CHECK_NEAR(mxt_rms_db(y, 1, 0, 48000 + 9600, 28800), base - 10, 0.1);
		/* 1.5 s after the voice stops (7.5 release constants): back. */
		CHECK_NEAR(mxt_rms_db(y, 1, 0, 96000 + 72000, 9600), base, 0.05);
		/* Halfway between: attack took about 10 ms, not an instant step. */
		double d2 = max_d2(y, 1, 0, 47000, 50000), w = 2 * M_PI * 220 / 48000;
		CHECK(d2 <= 1.5 * 0.25 * w * w);
	}
	free(y);
}

/* A mute lane switches with a 10 ms ramp. */
static void t_mute_crossfades(void)
{
	const char *dir = mxt_tempdir();
	write_const(dir, "dc.wav", 48000, 48000, 0.5f);
	const char *yaml = "channels: 1\ntracks:\n  - name: T\n    file: dc.wav\n"
			   "    automation: { mute: [ [0, false], [0.5, true] ] }\n";
	int64_t frames = 0;
	float *y = render(dir, yaml, NULL, &frames, NULL);
	if (y) {
		CHECK(y[23999] == 0.5f);
		CHECK_NEAR(y[24000 + 239], 0.25, 0.01); /* halfway through 480 frames */
		CHECK(y[24000 + 480] == 0.0f);
		double steps = 0;
		for (int i = 24000; i < 24500; i++)
			steps = fmax(steps, fabs(y[i] - y[i - 1]));
		CHECK_MSG(steps < 0.5 / 400, "largest step %g", steps);
	}
	free(y);
}

/* A bypass lane crossfades the insert's wet and dry signals over 20 ms. */
static void t_bypass_crossfades(void)
{
	const char *dir = mxt_tempdir();
	write_const(dir, "dc.wav", 48000, 48000, 0.5f);
	const char *yaml = "channels: 1\ntracks:\n  - name: T\n    file: dc.wav\n"
			   "    inserts: [ { type: gain, id: kill, gain: -inf } ]\n"
			   "    automation: { \"inserts.kill.bypass\": [ [0, false], [0.5, true] ] }\n";
	int64_t frames = 0;
	float *y = render(dir, yaml, NULL, &frames, NULL);
	if (y && frames == 48000) {
		CHECK(fabsf(y[23999]) < 1e-6f); /* the gain's floor is -144 dB */
		CHECK_NEAR(y[24000 + 479], 0.25, 0.01); /* halfway through 960 frames */
		CHECK(y[24000 + 960] == 0.5f);           /* fully dry: exact */
		double steps = 0;
		for (int i = 24000; i < 25000; i++)
			steps = fmax(steps, fabs(y[i] - y[i - 1]));
		CHECK_MSG(steps < 0.5 / 800, "largest step %g", steps);
	}
	free(y);
}

/* A section render equals the same frames of the full render: a latent,
 * echoing path (send to a delayed aux), a reverb tail entering the section,
 * and automation and an LFO in play. */
static void t_section_equals_full_render(void)
{
	const char *dir = mxt_tempdir();
	int64_t n = 48000 * 3;
	float *x = calloc((size_t)n, sizeof(float));
	mxt_noise(x, 48000, 0.5, 5); /* noise in the first second only */
	CHECK(mxt_write_audio(mxt_path(dir, "x.wav"), x, n, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	free(x);
	const char *yaml =
		"tempo: 120\n"
		"buses:\n  - { name: Echo, inserts: [ { type: delay, time: 700 } ] }\n"
		"  - { name: Hall, inserts: [ { type: reverb, decay: 2.5, mix: 1 } ] }\n"
		"tracks:\n  - name: T\n    file: x.wav\n    sends: [ { to: Echo, level: -6 }, { to: Hall, level: -6 } ]\n"
		"    inserts: [ { type: delay, samples: 64, latency_report: true } ]\n"
		"    automation: { gain: [[0, 0], [2.5, -12]], pan: { lfo: { rate: 1.3, depth: 0.5 } } }\n";
	int64_t nf = 0, ns = 0;
	int cf = 0, cs = 0;
	float *full = render(dir, yaml, NULL, &nf, &cf);
	float *sec = render(dir, yaml, "1.5-2:3", &ns, &cs); /* 1.5 s to bar 2 beat 3 = 3.0 s */
	CHECK_INT(ns, 72000);
	if (full && sec && cf == 2 && cs == 2 && ns == 72000 && nf >= 144000) {
		double e = 0, peak = 0;
		for (int64_t i = 0; i < ns * 2; i++) {
			e = fmax(e, fabs(sec[i] - full[72000 * 2 + i]));
			peak = fmax(peak, fabs(sec[i]));
		}
		CHECK_MSG(e <= 1e-6, "section differs from the full render by %g", e);
		CHECK_MSG(peak > 0.01, "the echo entering the section is missing (peak %g)", peak);
	}
	free(full);
	free(sec);
	CHECK_INT(mxt_run_cli("render '%s/session.yaml' -o '%s/r.wav' --range 3-2", dir, dir), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "before it starts");
}

static void t_lane_errors(void)
{
	const char *dir = mxt_tempdir();
	write_const(dir, "dc.wav", 4800, 48000, 0.5f);
	struct {
		const char *lanes, *expect;
	} cases[] = {
		{ "{ gian: [[0, 0]] }", "cannot automate \"gian\" (valid: gain, trim, width, pan, mute" },
		{ "{ pan: [[0, 2]] }", "out of range" },
		{ "{ gain: [[1, 0], [0.5, -3]] }", "time order" },
		{ "{ gain: [[0, 0, wobble]] }", "wobble" },
		{ "{ \"inserts.1.gain\": [[0, 0]] }", "cannot automate" },
		{ "{ gain: { follow: { source: Nobody } } }", "no track or bus named \"Nobody\"" },
		{ "{ pan: { motion: macro, lfo: {} } }", "not both" },
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		char yaml[512];
		snprintf(yaml, sizeof yaml, "tracks:\n  - name: T\n    file: dc.wav\n    automation: %s\n",
			 cases[k].lanes);
		CHECK(mxt_write_text(mxt_path(dir, "e.yaml"), yaml) == 0);
		CHECK_INT(mxt_run_cli("check '%s/e.yaml'", dir), 2);
		CHECK_STR_CONTAINS(mxt_cli_err, "e.yaml:4:");
		CHECK_STR_CONTAINS(mxt_cli_err, cases[k].expect);
	}
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_gain_lane_is_sample_exact),
		MXT(t_bar_beat_across_tempo_change),
		MXT(t_eq_sweep_does_not_click),
		MXT(t_lfo_pan),
		MXT(t_lfo_stereo_offset),
		MXT(t_follower_ducks_a_bed),
		MXT(t_mute_crossfades),
		MXT(t_bypass_crossfades),
		MXT(t_section_equals_full_render),
		MXT(t_lane_errors),
	};
	return MXT_RUN(cases);
}
