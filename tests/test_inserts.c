/* mixdown — what every insert offers whatever its type: `channels:` (mid,
 * side, left, right), `mix:` (latency-compensated dry/wet), `sidechain:`
 * routing and alignment, the NaN/Inf guard, tempo-note times.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx/processor.h"
#include "graph/insert_slot.h"
#include "harness.h"
#include "mixdown/mixdown.h"
#include "util.h"

enum { RATE = 48000, N = 24000 };

/* Stereo noise, interleaved, values on a 2^-20 grid (exact sums/halves). */
static float *stereo_noise(uint32_t seed)
{
	float *x = malloc(sizeof(float) * 2 * N);
	uint32_t s = seed;
	for (int i = 0; i < 2 * N; i++) {
		s = s * 1664525u + 1013904223u;
		x[i] = (float)((int32_t)(s >> 12) - (1 << 19)) / (float)(1 << 20);
	}
	return x;
}

/* Render `inserts` (a YAML flow list) on one stereo track of x; returns the
 * interleaved float output (N frames) or NULL. */
static float *render_with(const char *dir, const float *x, const char *inserts, const char *extra)
{
	CHECK(mxt_write_audio(mxt_path(dir, "x.wav"), x, N, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	char yaml[2048];
	snprintf(yaml, sizeof yaml, "%stracks:\n  - { name: T, file: x.wav, inserts: %s }\n", extra ? extra : "",
		 inserts);
	mixdown_render_options o = mixdown_render_options_init();
	o.output = mxt_path(dir, "o.wav");
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	mixdown_error err;
	if (mxt_render_yaml(dir, yaml, &o, NULL, &err) != MIXDOWN_SUCCESS)
		return NULL;
	int64_t frames = 0;
	int ch = 0;
	float *y = mxt_read_audio(mxt_path(dir, "o.wav"), &frames, &ch, NULL, NULL);
	CHECK_INT(frames, N);
	CHECK_INT(ch, 2);
	if (frames != N || ch != 2) {
		free(y);
		return NULL;
	}
	return y;
}

/* A latent processor on the mid channel only: the side is delayed with it and
 * PDC removes the delay, so the strip is bit-exact. */
static void t_mid_latent_is_bit_exact(void)
{
	const char *dir = mxt_tempdir();
	float *x = stereo_noise(1);
	float *y = render_with(dir, x, "[ { type: delay, samples: 317, latency_report: true, channels: mid } ]", NULL);
	if (y) {
		size_t diff = 0;
		for (int i = 0; i < 2 * N; i++)
			diff += x[i] != y[i];
		CHECK_MSG(diff == 0, "%zu samples differ", diff);
	}
	free(y);
	free(x);
}

static void t_side_only(void)
{
	const char *dir = mxt_tempdir();
	float *x = stereo_noise(2);
	/* Side removed: both channels become the mid. */
	float *y = render_with(dir, x, "[ { type: gain, gain: -inf, channels: side } ]", NULL);
	if (y) {
		double e = 0;
		for (int i = 0; i < N; i++) {
			double m = (x[2 * i] + x[2 * i + 1]) * 0.5;
			e = fmax(e, fmax(fabs(y[2 * i] - m), fabs(y[2 * i + 1] - m)));
		}
		CHECK_MSG(e < 1e-7, "side -inf: max error %g", e);
	}
	free(y);
	/* Side doubled, mid untouched. */
	y = render_with(dir, x, "[ { type: gain, gain: 6.020599913, channels: side } ]", NULL);
	if (y) {
		double em = 0, es = 0;
		for (int i = 0; i < N; i++) {
			double m = (x[2 * i] + x[2 * i + 1]) * 0.5, s = (x[2 * i] - x[2 * i + 1]) * 0.5;
			double m2 = (y[2 * i] + y[2 * i + 1]) * 0.5, s2 = (y[2 * i] - y[2 * i + 1]) * 0.5;
			em = fmax(em, fabs(m2 - m));
			es = fmax(es, fabs(s2 - 2 * s));
		}
		CHECK_MSG(em < 1e-6 && es < 1e-6, "side +6 dB: mid error %g, side error %g", em, es);
	}
	free(y);
	free(x);
}

static void t_left_only(void)
{
	const char *dir = mxt_tempdir();
	float *x = stereo_noise(3);
	float *y = render_with(dir, x, "[ { type: gain, gain: -6.020599913, channels: left } ]", NULL);
	if (y) {
		double el = 0;
		size_t rdiff = 0;
		for (int i = 0; i < N; i++) {
			el = fmax(el, fabs(y[2 * i] - x[2 * i] * 0.5));
			rdiff += y[2 * i + 1] != x[2 * i + 1];
		}
		CHECK_MSG(el < 1e-7, "left halved: error %g", el);
		CHECK_MSG(rdiff == 0, "right touched: %zu samples", rdiff);
	}
	free(y);
	free(x);
}

static void t_mix_is_compensated(void)
{
	const char *dir = mxt_tempdir();
	float *x = stereo_noise(4);
	float *y = render_with(dir, x, "[ { type: gain, gain: -inf, mix: 0.25 } ]", NULL);
	if (y) {
		double e = 0;
		for (int i = 0; i < 2 * N; i++)
			e = fmax(e, fabs(y[i] - 0.75 * x[i]));
		CHECK_MSG(e < 1e-7, "mix 0.25 of silence: error %g", e);
	}
	free(y);
	/* Wet = input delayed by the reported latency; the dry is delayed too, so
	 * any blend equals the input (after PDC). Uncompensated it would comb. */
	y = render_with(dir, x, "[ { type: delay, samples: 50, latency_report: true, mix: 0.5 } ]", NULL);
	if (y) {
		double e = 0;
		for (int i = 0; i < 2 * N; i++)
			e = fmax(e, fabs(y[i] - x[i]));
		CHECK_MSG(e < 1e-7, "latent wet + dry: error %g", e);
	}
	free(y);
	free(x);
}

/* ---- test doubles registered at run time ---- */

static const mxd_param no_params[] = { { .name = "unused", .kind = MXD_PARAM_NUMBER, .unit = "", .max = 1,
					 .help = "unused", .first_slot = 0 } };

typedef struct {
	mxd_fx base;
	uint32_t ch;
	int resets;
} dbl_fx;

static int resets_seen;

static mxd_fx *dbl_create(const mxd_fx_class *cls)
{
	dbl_fx *d = calloc(1, sizeof *d);
	d->base.cls = cls;
	return &d->base;
}
static int dbl_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t ch)
{
	(void)rate, (void)max_block;
	((dbl_fx *)fx)->ch = ch;
	return 0;
}
static void dbl_set(mxd_fx *fx, size_t slot, double v) { (void)fx, (void)slot, (void)v; }
static void dbl_reset(mxd_fx *fx) { (void)fx, resets_seen++; }
static void dbl_destroy(mxd_fx *fx) { free(fx); }

/* Outputs its key (the sidechain) instead of its input. */
static void keycopy_run(mxd_fx *fx, float *const *io, const float *const *key, uint32_t n)
{
	for (uint32_t c = 0; key && c < ((dbl_fx *)fx)->ch; c++)
		memcpy(io[c], key[c], n * sizeof(float));
}

/* Passes its input, but answers any sample above 0.5 with NaN (a bug). */
static void poison_run(mxd_fx *fx, float *const *io, const float *const *key, uint32_t n)
{
	(void)key;
	for (uint32_t c = 0; c < ((dbl_fx *)fx)->ch; c++)
		for (uint32_t i = 0; i < n; i++)
			if (io[c][i] > 0.5f)
				io[c][i] = NAN;
}

static const mxd_fx_class keycopy_class = {
	.name = "test_keycopy", .summary = "test double", .params = no_params, .n_params = 1, .n_slots = 1,
	.wants_sidechain = true, .create = dbl_create, .activate = dbl_activate, .set_param = dbl_set,
	.run = keycopy_run, .reset = dbl_reset, .destroy = dbl_destroy,
};
static const mxd_fx_class poison_class = {
	.name = "test_poison", .summary = "test double", .params = no_params, .n_params = 1, .n_slots = 1,
	.create = dbl_create, .activate = dbl_activate, .set_param = dbl_set, .run = poison_run,
	.reset = dbl_reset, .destroy = dbl_destroy,
};

/* The key reaches its insert aligned with the audio the insert sees, through
 * latent inserts on both strips and a latent bus. */
static void t_sidechain_alignment(void)
{
	const char *dir = mxt_tempdir();
	float *imp = calloc(N, sizeof(float));
	imp[12000] = 0.5f;
	CHECK(mxt_write_audio(mxt_path(dir, "imp.wav"), imp, N, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	free(imp);
	float *zero = calloc(N, sizeof(float));
	CHECK(mxt_write_audio(mxt_path(dir, "zero.wav"), zero, N, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	free(zero);
	/* Kick feeds a latent bus whose fader is off (keys are taken pre-fader,
	 * so only the pad is heard); the pad's own latent insert comes before
	 * the key-copying one. */
	const char *yaml =
		"channels: 1\n"
		"buses:\n"
		"  - { name: KB, gain: -inf, inserts: [ { type: delay, samples: 211, latency_report: true } ] }\n"
		"tracks:\n"
		"  - { name: Kick, file: imp.wav, output: KB,\n"
		"      inserts: [ { type: delay, samples: 37, latency_report: true } ] }\n"
		"  - { name: Pad, file: zero.wav, inserts: [ { type: delay, samples: 5, latency_report: true },\n"
		"                                            { type: test_keycopy, sidechain: %s } ] }\n";
	const char *sources[] = { "Kick", "KB" };
	for (int k = 0; k < 2; k++) {
		char y[1024];
		snprintf(y, sizeof y, yaml, sources[k]);
		mixdown_render_options o = mixdown_render_options_init();
		o.output = mxt_path(dir, "o.wav");
		o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
		mixdown_render_report rep;
		mixdown_error err;
		CHECK_INT(mxt_render_yaml(dir, y, &o, &rep, &err), MIXDOWN_SUCCESS);
		int64_t frames = 0;
		float *out = mxt_read_audio(o.output, &frames, NULL, NULL, NULL);
		int64_t at = -1, count = 0;
		for (int64_t i = 0; out && i < frames; i++)
			if (out[i] != 0.0f)
				at = i, count++;
		CHECK_MSG(count == 1 && at == 12000, "key from %s: %lld nonzero samples, last at %lld (want 12000)",
			  sources[k], (long long)count, (long long)at);
		/* -3 dB pan law does not apply to a mono master: the impulse keeps 0.5. */
		if (at >= 0)
			CHECK_NEAR(out[at], 0.5, 1e-7);
		free(out);
	}
}

/* A compressor on a pad keyed from a kick: the pad ducks while the kick
 * hits and comes back between hits (the kick's fader is off; keys are taken
 * pre-fader, so only the pad is heard). */
static void t_sidechain_ducks_pad_with_kick(void)
{
	if (!mxd_fx_class_find("compressor")) {
		SKIP("no compressor in this build");
		return;
	}
	const char *dir = mxt_tempdir();
	int64_t n = RATE * 2;
	float *kick = calloc((size_t)n, sizeof(float)), *pad = malloc(sizeof(float) * (size_t)n);
	for (int hit = 0; hit < 4; hit++)
		for (int64_t i = 0; i < RATE / 20; i++) /* 50 ms of 100 Hz every 0.5 s */
			kick[hit * RATE / 2 + i] = (float)(0.8 * sin(2 * M_PI * 100 * i / RATE));
	mxt_sine(pad, n, 1, RATE, 440, 0.25, 0);
	CHECK(mxt_write_audio(mxt_path(dir, "kick.wav"), kick, n, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	CHECK(mxt_write_audio(mxt_path(dir, "pad.wav"), pad, n, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	free(kick);
	free(pad);
	const char *yaml = "channels: 1\ntracks:\n"
			   "  - { name: Kick, file: kick.wav, gain: -inf }\n"
			   "  - name: Pad\n    file: pad.wav\n"
			   "    inserts: [ { type: compressor, sidechain: Kick, threshold: -30, ratio: 10, knee: 0,\n"
			   "                 attack: 1, release: 40 } ]\n";
	mixdown_render_options o = mixdown_render_options_init();
	o.output = mxt_path(dir, "o.wav");
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	mixdown_error err;
	CHECK_INT(mxt_render_yaml(dir, yaml, &o, NULL, &err), MIXDOWN_SUCCESS);
	int64_t frames = 0;
	float *y = mxt_read_audio(o.output, &frames, NULL, NULL, NULL);
	if (y && frames == n) {
		double base = 20 * log10(0.25 / sqrt(2));
		for (int hit = 1; hit < 4; hit++) {
			int64_t at = hit * RATE / 2;
			double during = mxt_rms_db(y, 1, 0, at + RATE / 50, RATE / 40); /* 20-45 ms into the hit */
			double between = mxt_rms_db(y, 1, 0, at + RATE * 3 / 10, RATE / 10); /* 300-400 ms after */
			CHECK_MSG(during < base - 15, "hit %d: pad at %.1f dB during the kick (free: %.1f)", hit, during, base);
			CHECK_NEAR(between, base, 0.5);
		}
	}
	free(y);
}

static void t_sidechain_errors(void)
{
	const char *dir = mxt_tempdir();
	float x[480] = { 0 };
	CHECK(mxt_write_audio(mxt_path(dir, "x.wav"), x, 480, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_PCM_16) == 0);
	CHECK(mxt_write_text(mxt_path(dir, "a.yaml"),
			     "tracks:\n  - { name: Pad, file: x.wav, inserts: [ { type: gain, sidechain: Kik } ] }\n"
			     "  - { name: Kick, file: x.wav }\n") == 0);
	CHECK_INT(mxt_run_cli("check '%s/a.yaml'", dir), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "a.yaml:2:67:");
	CHECK_STR_CONTAINS(mxt_cli_err, "no track or bus named \"Kik\"");
	/* Pad feeds bus B, and an insert on Pad keys from B: a loop. */
	CHECK(mxt_write_text(mxt_path(dir, "b.yaml"),
			     "buses: [ { name: B } ]\n"
			     "tracks:\n  - { name: Pad, file: x.wav, output: B,\n"
			     "      inserts: [ { type: gain, sidechain: B } ] }\n") == 0);
	CHECK_INT(mxt_run_cli("check '%s/b.yaml'", dir), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "b.yaml:4:43:");
	CHECK_STR_CONTAINS(mxt_cli_err, "routing loop: ");
	CHECK(strstr(mxt_cli_err, "Pad -> B -> Pad") || strstr(mxt_cli_err, "B -> Pad -> B"));
	CHECK(mxt_write_text(mxt_path(dir, "c.yaml"),
			     "tracks:\n  - { name: Pad, file: x.wav, inserts: [ { type: gain, channels: middle } ] }\n") == 0);
	CHECK_INT(mxt_run_cli("check '%s/c.yaml'", dir), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "channels");
	CHECK_STR_CONTAINS(mxt_cli_err, "mid");
}

/* A processor that outputs NaN is reset, its block falls back to the dry
 * signal (mix < 1) or silence, and the samples are counted. */
static void t_nan_guard(void)
{
	mxd_insert ins = { .cls = &poison_class, .mix = 1.0 };
	double v = 0;
	ins.values = &v;
	mxd_insert_slot slot;
	char why[128];
	CHECK_INT(mxd_insert_slot_init(&slot, &ins, RATE, 64, 1, false, why, sizeof why), 0);
	float buf[64];
	float *io[1] = { buf };
	int before = resets_seen;
	for (int i = 0; i < 64; i++)
		buf[i] = i == 10 ? 0.9f : 0.1f;
	mxd_insert_slot_run(&slot, io, NULL, 0, 64);
	int finite = 1;
	for (int i = 0; i < 64; i++)
		finite &= isfinite(buf[i]) && buf[i] == 0.0f;
	CHECK_MSG(finite, "a poisoned block must become silence");
	CHECK_INT(slot.nonfinite, 1);
	CHECK_INT(resets_seen - before, 1);
	/* Input NaN is scrubbed before the processor sees it. */
	for (int i = 0; i < 64; i++)
		buf[i] = i == 3 ? INFINITY : 0.25f;
	mxd_insert_slot_run(&slot, io, NULL, 0, 64);
	CHECK(buf[3] == 0.0f && buf[4] == 0.25f);
	CHECK_INT(slot.nonfinite, 2);
	mxd_insert_slot_free(&slot);

	/* With mix < 1 the dry signal survives the poisoned block. */
	ins.mix = 0.5;
	CHECK_INT(mxd_insert_slot_init(&slot, &ins, RATE, 64, 1, false, why, sizeof why), 0);
	for (int i = 0; i < 64; i++)
		buf[i] = i == 10 ? 0.9f : 0.1f;
	mxd_insert_slot_run(&slot, io, NULL, 0, 64);
	CHECK_NEAR(buf[20], 0.1, 1e-7);
	CHECK_NEAR(buf[10], 0.9, 1e-7);
	mxd_insert_slot_free(&slot);
}

/* Tempo notes in ms parameters: 1/8. at 120 bpm in 4/4 = 375 ms; 1/4t in 6/8
 * at 90 bpm (eighth-note beats) = 2/3 of two beats = 888.9 ms. */
static void t_tempo_note_times(void)
{
	const char *dir = mxt_tempdir();
	float *imp = calloc(RATE * 2, sizeof(float));
	imp[0] = 0.5f;
	CHECK(mxt_write_audio(mxt_path(dir, "imp.wav"), imp, RATE * 2, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	free(imp);
	struct {
		const char *head, *note;
		int64_t expect;
	} cases[] = {
		{ "tempo: 120\n", "1/8.", 18000 },
		{ "tempo: 90\ntime_signature: 6/8\n", "1/4t", 42667 },
	};
	for (size_t k = 0; k < 2; k++) {
		char y[512];
		snprintf(y, sizeof y,
			 "%schannels: 1\ntracks:\n  - { name: T, file: imp.wav, inserts: [ { type: delay, time: \"%s\" } ] }\n",
			 cases[k].head, cases[k].note);
		mixdown_render_options o = mixdown_render_options_init();
		o.output = mxt_path(dir, "o.wav");
		o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
		mixdown_error err;
		CHECK_INT(mxt_render_yaml(dir, y, &o, NULL, &err), MIXDOWN_SUCCESS);
		int64_t frames = 0;
		float *out = mxt_read_audio(o.output, &frames, NULL, NULL, NULL);
		int64_t at = -1;
		for (int64_t i = 0; out && i < frames && at < 0; i++)
			if (fabsf(out[i]) > 0.25f)
				at = i;
		CHECK_MSG(at == cases[k].expect, "%s: echo at %lld, want %lld", cases[k].note, (long long)at,
			  (long long)cases[k].expect);
		free(out);
	}
	CHECK(mxt_write_text(mxt_path(dir, "n.yaml"),
			     "tracks:\n  - { name: T, file: imp.wav, inserts: [ { type: delay, time: 1/8 } ] }\n") == 0);
	CHECK_INT(mxt_run_cli("check '%s/n.yaml'", dir), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "needs a tempo");
}

int main(void)
{
	if (mxd_fx_class_register(&keycopy_class) != 0 || mxd_fx_class_register(&poison_class) != 0)
		return 1;
	CHECK(mxd_fx_class_register(&keycopy_class) != 0); /* names are unique */
	static const mxt_case cases[] = {
		MXT(t_mid_latent_is_bit_exact),
		MXT(t_side_only),
		MXT(t_left_only),
		MXT(t_mix_is_compensated),
		MXT(t_sidechain_alignment),
		MXT(t_sidechain_ducks_pad_with_kick),
		MXT(t_sidechain_errors),
		MXT(t_nan_guard),
		MXT(t_tempo_note_times),
	};
	return MXT_RUN(cases);
}
