/* mixdown — LV2 plugin hosting (`type: lv2` inserts) with Debian's packaged
 * plugins: swh-lv2 (amp), x42-plugins (fil4 EQ, nodelay, dpl limiter) and
 * lsp-plugins-lv2 (sidechain compressor). Each case skips when its plugin is not
 * installed (scripts/setup.sh --test installs them).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fx/fx_lv2.h"
#include "fx/meter.h"
#include "fx/processor.h"
#include "harness.h"
#include "mixdown/mixdown.h"
#include "util.h"

#define AMP "http://plugin.org.uk/swh-plugins/amp"
#define FIL4 "http://gareus.org/oss/lv2/fil4#stereo"
#define NODELAY "http://gareus.org/oss/lv2/nodelay"
#define DPL "http://gareus.org/oss/lv2/dpl#stereo"
#define SCCOMP "http://lsp-plug.in/plugins/lv2/sc_compressor_stereo"

enum { RATE = 48000, N = 48000 };

static mixdown_status load_text(const char *yaml, mixdown_error *err);

/* The plugin's class, or NULL after marking the case skipped. */
static const mxd_fx_class *need(const char *uri)
{
	char why[1024];
	const mxd_fx_class *cls = mxd_lv2_class(uri, why, sizeof why);
	if (!cls)
		mxt_skip("%s", why);
	return cls;
}

/* Render one stereo track of x (N frames, interleaved) with `inserts` (a YAML flow
 * list) plus extra track keys; returns the interleaved output or NULL. */
static float *render_with(const char *dir, const float *x, const char *inserts, const char *track_extra,
			  mixdown_render_report *rep)
{
	CHECK(mxt_write_audio(mxt_path(dir, "x.wav"), x, N, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	char yaml[4096];
	snprintf(yaml, sizeof yaml, "tracks:\n  - { name: T, file: x.wav, inserts: %s%s }\n", inserts,
		 track_extra ? track_extra : "");
	mixdown_render_options o = mixdown_render_options_init();
	o.output = mxt_path(dir, "o.wav");
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	mixdown_error err;
	if (mxt_render_yaml(dir, yaml, &o, rep, &err) != MIXDOWN_SUCCESS)
		return NULL;
	int64_t frames = 0;
	int ch = 0;
	float *y = mxt_read_audio(mxt_path(dir, "o.wav"), &frames, &ch, NULL, NULL);
	if (frames != N || ch != 2) {
		CHECK_INT(frames, N);
		free(y);
		return NULL;
	}
	return y;
}

static float *sine(double freq, double amp)
{
	float *x = malloc(sizeof(float) * 2 * N);
	mxt_sine(x, N, 2, RATE, freq, amp, 0.0);
	return x;
}

/* A gain plugin by its parameter: -6 dB is a factor 10^(-6/20) = 0.50119 on every sample
 * (swh amp is mono: the stereo strip runs two instances). */
static void t_amp_gain_exact(void)
{
	if (!need(AMP))
		return;
	const char *dir = mxt_tempdir();
	float *x = malloc(sizeof(float) * 2 * N);
	mxt_noise(x, 2 * N, 0.5, 7);
	float *y = render_with(dir, x, "[ { type: lv2, uri: \"" AMP "\", params: { gain: -6 } } ]", NULL, NULL);
	if (y) {
		double num = 0, den = 0, worst = 0, g = pow(10.0, -6.0 / 20.0);
		for (int i = 0; i < 2 * N; i++) {
			num += (double)y[i] * x[i], den += (double)x[i] * x[i];
			worst = fmax(worst, fabs(y[i] - g * x[i]));
		}
		CHECK_NEAR(num / den, 0.501, 0.001);
		CHECK_MSG(worst < 1e-5, "largest deviation from 0.50119 x: %g", worst);
	}
	free(x);
	free(y);
}

/* `state: FILE` (a preset in the state extension's Turtle): its port values become the
 * insert's values, and `params:` overrides them. */
static void t_state_file(void)
{
	if (!need(AMP))
		return;
	const char *dir = mxt_tempdir();
	mxt_write_text(mxt_path(dir, "amp.ttl"),
		       "@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n"
		       "@prefix pset: <http://lv2plug.in/ns/ext/presets#> .\n"
		       "<> a pset:Preset ; lv2:appliesTo <" AMP "> ;\n"
		       "  lv2:port [ lv2:symbol \"gain\" ; pset:value -12.0 ] .\n");
	float *x = sine(440, 0.5);
	const char *ins[] = { "[ { type: lv2, uri: \"" AMP "\", state: amp.ttl } ]",
			      "[ { type: lv2, uri: \"" AMP "\", state: amp.ttl, params: { gain: -6 } } ]" };
	double want[] = { -12, -6 };
	for (int k = 0; k < 2; k++) {
		float *y = render_with(dir, x, ins[k], NULL, NULL);
		if (y)
			CHECK_NEAR(mxt_rms_db(y, 2, 0, 0, N) - mxt_rms_db(x, 2, 0, 0, N), want[k], 0.001);
		free(y);
	}
	free(x);
	mixdown_error err;
	CHECK_INT(load_text("tracks:\n  - { name: T, inserts: [ { type: lv2, uri: \"" AMP "\", state: nope.ttl } ] }\n",
			    &err),
		  MIXDOWN_ERR_SESSION);
	CHECK_MSG(strstr(err.message, "nope.ttl") != NULL, "%s", err.message);
}

/* x42 fil4 with section 3 at 1 kHz, +6 dB (its q is a bandwidth: 0.3 is narrow): +6 dB at 1 kHz
 * (within 0.5 dB), ~0 dB two octaves below. */
static void t_eq_response(void)
{
	if (!need(FIL4))
		return;
	const char *dir = mxt_tempdir();
	const char *eq = "[ { type: lv2, uri: \"" FIL4 "\", params: { sec3: true, freq3: 1000, q3: 0.3, gain3: 6 } } ]";
	double freqs[] = { 1000, 250 }, want[] = { 6, 0 };
	for (int k = 0; k < 2; k++) {
		float *x = sine(freqs[k], 0.25);
		float *y = render_with(dir, x, eq, NULL, NULL);
		if (y) {
			double db = mxt_rms_db(y, 2, 0, N / 2, N / 2) - mxt_rms_db(x, 2, 0, N / 2, N / 2);
			CHECK_MSG(fabs(db - want[k]) < 0.5, "%g Hz: %.3f dB, expected %g", freqs[k], db, want[k]);
			double r = mxt_rms_db(y, 2, 1, N / 2, N / 2) - mxt_rms_db(x, 2, 1, N / 2, N / 2);
			CHECK_NEAR(r, db, 0.01); /* both channels alike */
		}
		free(x);
		free(y);
	}
}

/* Parallel paths: one track through a latent plugin, the same audio inverted on a
 * second track; PDC aligns them, so the mix nulls. */
static void null_test(const char *uri, const char *params, uint32_t want_latency)
{
	const char *dir = mxt_tempdir();
	float *x = malloc(sizeof(float) * 2 * N);
	mxt_noise(x, 2 * N, 0.05, 11); /* -26 dBFS peak: far below any limiter threshold */
	CHECK(mxt_write_audio(mxt_path(dir, "x.wav"), x, N, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	char yaml[2048];
	snprintf(yaml, sizeof yaml,
		 "tracks:\n"
		 "  - { name: A, file: x.wav, inserts: [ { type: lv2, uri: \"%s\", params: %s } ] }\n"
		 "  - { name: B, file: x.wav, inserts: [ { type: polarity } ] }\n",
		 uri, params);
	mixdown_render_options o = mixdown_render_options_init();
	o.output = mxt_path(dir, "o.wav");
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	mixdown_render_report rep;
	mixdown_error err;
	if (mxt_render_yaml(dir, yaml, &o, &rep, &err) == MIXDOWN_SUCCESS) {
		CHECK_INT(rep.latency, want_latency);
		int64_t frames = 0;
		int ch = 0;
		float *y = mxt_read_audio(o.output, &frames, &ch, NULL, NULL);
		CHECK_INT(frames, N);
		double peak = 0;
		/* The first 4096 frames may hold the plugin's start-up (parameter smoothing). */
		for (int64_t i = 2 * 4096; y && i < frames * ch; i++)
			peak = fmax(peak, fabs(y[i]));
		double db = 20 * log10(peak + 1e-30);
		CHECK_MSG(db < -80, "%s: residual %.1f dBFS", uri, db);
		printf("# %s: latency %u frames, residual %.1f dBFS\n", uri, rep.latency, db);
		free(y);
	} else {
		CHECK(0);
	}
	free(x);
}

static void t_latency_nodelay_null(void)
{
	if (need(NODELAY))
		null_test(NODELAY, "{ delay: 1000 }", 1000);
}

static void t_latency_limiter_null(void)
{
	if (need(DPL))
		null_test(DPL, "{ threshold: 0, gain: 0 }", 64); /* dpl's look-ahead at 48 kHz */
}

static mixdown_status load_text(const char *yaml, mixdown_error *err)
{
	const char *dir = mxt_tempdir();
	const char *path = mxt_path(dir, "s.yaml");
	mxt_write_text(path, yaml);
	mixdown_session *s = NULL;
	mixdown_status st = mixdown_session_load(path, &s, err);
	mixdown_session_free(s);
	return st;
}

/* An unknown URI is a session error at the uri's line:column naming it. */
static void t_unknown_uri(void)
{
	mixdown_error err;
	mixdown_status st = load_text("tracks:\n"
				      "  - name: T\n"
				      "    inserts:\n"
				      "      - type: lv2\n"
				      "        uri: http://example.org/no-such-plugin\n",
				      &err);
	CHECK_INT(st, MIXDOWN_ERR_SESSION);
	CHECK_INT(err.line, 5);
	CHECK_INT(err.column, 14);
	CHECK_MSG(strstr(err.message, "no LV2 plugin http://example.org/no-such-plugin is installed") != NULL, "%s",
		  err.message);
	CHECK(strstr(err.message, "mixdown fx list --lv2") != NULL);
	st = load_text("tracks:\n  - { name: T, inserts: [ { type: lv2 } ] }\n", &err);
	CHECK_INT(st, MIXDOWN_ERR_SESSION);
	CHECK_MSG(strstr(err.message, "uri") != NULL, "%s", err.message);
}

/* A misspelt parameter names the plugin's parameters; a value outside the port's range is refused. */
static void t_unknown_param(void)
{
	if (!need(AMP))
		return;
	mixdown_error err;
	mixdown_status st = load_text("tracks:\n  - { name: T, inserts: [ { type: lv2, uri: \"" AMP
				      "\", params: { gian: 3 } } ] }\n",
				      &err);
	CHECK_INT(st, MIXDOWN_ERR_SESSION);
	CHECK_MSG(strstr(err.message, "gian") && strstr(err.message, "gain"), "%s", err.message);
	CHECK_INT(err.line, 2);
	st = load_text("tracks:\n  - { name: T, inserts: [ { type: lv2, uri: \"" AMP "\", params: { gain: 90 } } ] }\n",
		       &err);
	CHECK_INT(st, MIXDOWN_ERR_SESSION);
	CHECK_MSG(strstr(err.message, "70") != NULL, "%s", err.message);
	/* Parameters belong under params: (a port symbol is not an insert key). */
	st = load_text("tracks:\n  - { name: T, inserts: [ { type: lv2, uri: \"" AMP "\", gain: 3 } ] }\n", &err);
	CHECK_INT(st, MIXDOWN_ERR_SESSION);
}

/* A lane on an LV2 parameter moves it: gain 0 dB for 0.4 s, then -20 dB. */
static void t_automation(void)
{
	if (!need(AMP))
		return;
	const char *dir = mxt_tempdir();
	float *x = sine(440, 0.3);
	float *y = render_with(dir, x, "[ { type: lv2, id: a, uri: \"" AMP "\" } ]",
			       ", automation: { \"inserts.a.gain\": [[0, 0, hold], [0.5, -20]] }", NULL);
	if (y) {
		double a = mxt_rms_db(y, 2, 0, 1000, 18000) - mxt_rms_db(x, 2, 0, 1000, 18000);
		double b = mxt_rms_db(y, 2, 0, 26000, 20000) - mxt_rms_db(x, 2, 0, 26000, 20000);
		CHECK_NEAR(a, 0.0, 0.01);
		CHECK_NEAR(b, -20.0, 0.01);
	}
	free(x);
	free(y);
}

/* The generic rules of test_fx_all on an instance (that program iterates the
 * registry; LV2 classes are made per URI and are not in it): latency stable,
 * silence in -> silence out, finite after a NaN burst and reset(), control
 * outputs readable as meters. */
static void t_generic_instance(void)
{
	const mxd_fx_class *cls = need(DPL);
	if (!cls)
		return;
	mxd_fx *fx = mxd_fx_instantiate(cls, NULL, RATE, 512, 2);
	CHECK(fx != NULL);
	if (!fx)
		return;
	uint32_t lat = cls->latency(fx);
	CHECK_INT(lat, 64);
	float l[512], r[512];
	float *io[2] = { l, r };
	for (int b = 0; b < 20; b++) {
		for (int i = 0; i < 512; i++)
			l[i] = r[i] = 0.9f * (float)sin(2 * M_PI * 1000.0 * (b * 512 + i) / RATE);
		cls->run(fx, io, NULL, 512);
	}
	CHECK_INT(cls->latency(fx), lat);
	double level = mxd_fx_meter_get(fx, "level");
	CHECK_MSG(isfinite(level), "level reading %g", level);
	long idx = mxd_fx_meter_find(fx, "latency");
	CHECK(idx >= 0);
	if (idx >= 0)
		CHECK_NEAR(mxd_fx_meter_read(fx, (size_t)idx), 64.0, 0.0);
	l[3] = NAN;
	r[5] = INFINITY;
	cls->run(fx, io, NULL, 512);
	cls->reset(fx);
	double peak = 0;
	for (int b = 0; b < 20; b++) {
		memset(l, 0, sizeof l);
		memset(r, 0, sizeof r);
		cls->run(fx, io, NULL, 512);
		for (int i = 0; i < 512; i++) {
			CHECK(isfinite(l[i]) && isfinite(r[i]));
			if (b >= 10)
				peak = fmax(peak, fmax(fabs(l[i]), fabs(r[i])));
		}
	}
	CHECK_MSG(peak == 0.0, "silence in, %g out", peak);
	cls->destroy(fx);
	/* A long block (over the 4096-frame pieces) goes through whole. */
	const mxd_fx_class *amp = mxd_lv2_class(AMP, NULL, 0);
	if (amp) {
		double v[2] = { -6.0, 0.0 };
		fx = mxd_fx_instantiate(amp, v, RATE, 10000, 1);
		float *big = malloc(10000 * sizeof *big);
		for (int i = 0; i < 10000; i++)
			big[i] = 1.0f;
		float *one[1] = { big };
		amp->run(fx, one, NULL, 10000);
		CHECK_NEAR(big[9999], 0.501187, 1e-5);
		CHECK_NEAR(big[5000], 0.501187, 1e-5);
		amp->destroy(fx);
		free(big);
	}
}

/* Sidechain ports (port groups' sideChainOf) are found and fed from `sidechain:`. */
static void t_sidechain(void)
{
	const mxd_fx_class *cls = need(SCCOMP);
	if (!cls)
		return;
	CHECK(cls->wants_sidechain);
	const char *dir = mxt_tempdir();
	float *x = sine(440, 0.1), *k = sine(100, 0.9);
	CHECK(mxt_write_audio(mxt_path(dir, "x.wav"), x, N, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	CHECK(mxt_write_audio(mxt_path(dir, "k.wav"), k, N, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	/* The key track is muted in the mix through a -inf fader; it still keys the compressor. */
	double out[2];
	for (int with = 0; with < 2; with++) {
		char yaml[2048];
		snprintf(yaml, sizeof yaml,
			 "tracks:\n"
			 "  - { name: K, file: k.wav, gain: -inf }\n"
			 "  - { name: T, file: x.wav, inserts: [ { type: lv2, uri: \"" SCCOMP "\", %s"
			 "params: { sct: External } } ] }\n",
			 with ? "sidechain: K, " : "");
		mixdown_render_options o = mixdown_render_options_init();
		o.output = mxt_path(dir, "o.wav");
		o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
		mixdown_error err;
		out[with] = NAN;
		if (mxt_render_yaml(dir, yaml, &o, NULL, &err) != MIXDOWN_SUCCESS) {
			CHECK_MSG(0, "%s", err.message);
			continue;
		}
		int64_t frames = 0;
		int ch = 0;
		float *y = mxt_read_audio(o.output, &frames, &ch, NULL, NULL);
		out[with] = y ? mxt_rms_db(y, 2, 0, N / 2, N / 2) : NAN;
		free(y);
	}
	/* A loud key compresses the quiet track; without it the track is left alone. */
	CHECK_MSG(out[1] < out[0] - 3.0, "with key %.2f dB, without %.2f dB", out[1], out[0]);
	free(x);
	free(k);
}

/* `mixdown fx list --lv2` and `mixdown fx info URI`. */
static void t_cli(void)
{
	if (!need(AMP))
		return;
	/* The whole list is long: the child sees only the amp's bundle (lilv honours
	 * LV2_PATH, a list of folders holding bundles). */
	char path[1024];
	snprintf(path, sizeof path, "%s/lv2", mxt_tempdir());
	mkdir(path, 0755);
	char *old = getenv("LV2_PATH") ? strdup(getenv("LV2_PATH")) : NULL;
	bool f = symlink("/usr/lib/lv2/amp-swh.lv2", mxt_path(path, "amp-swh.lv2")) == 0;
	if (f)
		setenv("LV2_PATH", path, 1);
	CHECK_INT(mxt_run_cli("fx list --lv2"), 0);
	if (old)
		setenv("LV2_PATH", old, 1);
	else
		unsetenv("LV2_PATH");
	free(old);
	CHECK(!f || strcmp(mxt_cli_out, AMP "\n  name: Simple amplifier\n  audio: 1 in, 1 out\n  gain: -70 .. 70, default 0\n") ==
			    0);
	CHECK_INT(mxt_run_cli("fx info %s", AMP), 0);
	CHECK(strstr(mxt_cli_out, "gain                 number  -70 .. 70, default 0") != NULL);
	CHECK_INT(mxt_run_cli("fx info http://example.org/nothing"), 1);
	CHECK(strstr(mxt_cli_err, "no LV2 plugin http://example.org/nothing") != NULL);
}

/* A plugin that aborts on instantiate is reported by URI and signal; the process lives on. */
static void t_crash_probe(void)
{
#ifdef MXT_LV2_CRASH
	mixdown_error err;
	mixdown_status st = load_text("tracks:\n  - { name: T, inserts: [ { type: lv2, uri: \"urn:mixdown:test:crash\" } ] }\n",
				      &err);
	CHECK_INT(st, MIXDOWN_ERR_SESSION);
	CHECK_MSG(strstr(err.message, "LV2 plugin urn:mixdown:test:crash crashed on instantiate (SIGABRT)") != NULL, "%s",
		  err.message);
	CHECK_INT(err.line, 2);
#else
	mxt_skip("the crashing test plugin was not built");
#endif
}

/* The test plugin's bundle, next to the installed ones (before lilv first reads LV2_PATH). */
static void add_crash_bundle(void)
{
#ifdef MXT_LV2_CRASH
	static char dir[512];
	snprintf(dir, sizeof dir, "%s/lv2-crash", mxt_tempdir());
	mkdir(dir, 0755);
	mkdir(mxt_path(dir, "crash.lv2"), 0755);
	char ttl[2048], path[1024];
	snprintf(ttl, sizeof ttl,
		 "@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n@prefix doap: <http://usefulinc.com/ns/doap#> .\n"
		 "<urn:mixdown:test:crash> a lv2:Plugin ; doap:name \"crash\" ; lv2:binary <file://%s> ;\n"
		 "  lv2:port [ a lv2:AudioPort, lv2:InputPort ; lv2:index 0 ; lv2:symbol \"in\" ; lv2:name \"In\" ] ,\n"
		 "    [ a lv2:AudioPort, lv2:OutputPort ; lv2:index 1 ; lv2:symbol \"out\" ; lv2:name \"Out\" ] .\n",
		 MXT_LV2_CRASH);
	snprintf(path, sizeof path, "%s/crash.lv2/manifest.ttl", dir);
	mxt_write_text(path, ttl);
	const char *home = getenv("HOME");
	char lv2_path[2048];
	snprintf(lv2_path, sizeof lv2_path, "%s:%s/.lv2:/usr/local/lib/lv2:/usr/lib/lv2", dir, home ? home : "/");
	setenv("LV2_PATH", lv2_path, 1);
#endif
}

int main(void)
{
	add_crash_bundle();
	static const mxt_case cases[] = {
		MXT(t_amp_gain_exact), MXT(t_eq_response),   MXT(t_latency_nodelay_null), MXT(t_latency_limiter_null),
		MXT(t_unknown_uri),    MXT(t_unknown_param), MXT(t_automation),           MXT(t_generic_instance),
		MXT(t_sidechain),      MXT(t_cli),             MXT(t_crash_probe), MXT(t_state_file),
	};
	return MXT_RUN(cases);
}
