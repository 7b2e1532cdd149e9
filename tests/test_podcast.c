/* mixdown — comping from takes and podcast mixing (issue 12): sample-accurate, equal-power
 * crossfaded joins; parse errors with line:column; two speakers 10 dB apart leveled within 1 LU;
 * the bed ducked under speech; the episode at -16 LUFS / -1 dBTP (libebur128); deterministic.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * All signals are synthesized here. MXT_ASAN=1 shortens the episode.
 */
#include <ebur128.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "mixdown/mixdown.h"
#include "session/model.h"
#include "util.h"

#define RATE 48000

static bool short_run(void) { return getenv("MXT_ASAN") != NULL; }

static mixdown_render_options float_opts(const char *out)
{
	mixdown_render_options o = mixdown_render_options_init();
	o.output = out;
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	o.dither = MIXDOWN_DITHER_OFF;
	return o;
}

/* ------------------------------------------------------------------ comping */

static const char *const COMP_YAML = "mixdown: 1\n"
				     "sample_rate: 48000\n"
				     "tracks:\n"
				     "  - name: Lead\n"
				     "    pan_law: 0\n"
				     "    takes: [ { name: A, file: a.wav }, { name: B, file: b.wav } ]\n"
				     "    comp:\n"
				     "      - { take: A, from: 0, to: 0.75 }\n"
				     "      - { take: B, from: 0.75, to: 1.5 }\n"
				     "      - { take: A, from: 1.5, to: 2 }\n"
				     "    crossfade: 10\n";

static void write_takes(const char *dir, float *a, float *b, int64_t n)
{
	mxt_sine(a, n, 1, RATE, 440.0, 0.5, 0);
	mxt_sine(b, n, 1, RATE, 660.0, 0.5, 0);
	CHECK(mxt_write_audio(mxt_path(dir, "a.wav"), a, n, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	CHECK(mxt_write_audio(mxt_path(dir, "b.wav"), b, n, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
}

/* The render equals take A before each crossfade, take B after, exactly; inside, the equal-power
 * crossfade (sin/cos, as the clip fades define them) centred on the join. */
static void t_comp_splice(void)
{
	const char *dir = mxt_tempdir();
	const int64_t n = 2 * RATE;
	float *a = malloc(sizeof(float) * n), *b = malloc(sizeof(float) * n);
	write_takes(dir, a, b, n);
	mixdown_render_options o = float_opts(mxt_path(dir, "comp.wav"));
	mixdown_error err;
	CHECK_INT(mxt_render_yaml(dir, COMP_YAML, &o, NULL, &err), MIXDOWN_SUCCESS);
	int64_t fo = 0;
	int co = 0;
	float *out = mxt_read_audio(mxt_path(dir, "comp.wav"), &fo, &co, NULL, NULL);
	CHECK(out && fo == n && co == 2);
	if (out && fo == n && co == 2) {
		/* Expected splice: joins at 36000 and 72000 frames, crossfade X = 480 frames from J - 240. */
		const int64_t x = 480, h = 240, joins[2] = { 36000, 72000 };
		const float *from_take[3] = { a, b, a };
		double err_flat = 0, err_fade = 0;
		int64_t n_fade = 0;
		for (int64_t t = 0; t < n; t++) {
			int seg = t < joins[0] ? 0 : t < joins[1] ? 1 : 2;
			double expect = from_take[seg][t];
			bool fading = false;
			for (int j = 0; j < 2; j++) {
				int64_t s0 = joins[j] - h;
				if (t >= s0 && t < s0 + x) {
					/* Outgoing clip: fade-out g((L-1-k)/X); incoming: fade-in g(k/X). */
					double gin = sin((double)(t - s0) / (double)x * M_PI / 2.0);
					double gout = sin((double)(s0 + x - 1 - t) / (double)x * M_PI / 2.0);
					float o1 = (float)(from_take[j][t] * gout),
							o2 = (float)(from_take[j + 1][t] * gin);
					expect = (double)(o1 + o2);
					fading = true;
				}
			}
			double e = fabs(out[2 * t] - expect);
			if (fading) {
				err_fade = fmax(err_fade, e);
				n_fade++;
			} else {
				err_flat = fmax(err_flat, e);
			}
		}
		CHECK_INT(n_fade, 2 * x);
		CHECK_MSG(err_flat == 0.0, "outside the crossfades the render differs from the takes by %g", err_flat);
		CHECK_MSG(err_fade < 1e-6, "inside the crossfades the render differs from the splice by %g", err_fade);
		/* The join itself: the midpoint of the fade has both takes at sin(pi/4)-ish. */
		int64_t mid = joins[0];
		double ga = sin((double)(joins[0] - h + x - 1 - mid) / (double)x * M_PI / 2.0);
		CHECK_NEAR(ga, sqrt(0.5), 0.01);
	}
	free(out);
	free(a);
	free(b);
}

static void expect_error(const char *dir, const char *yaml, unsigned line, unsigned col, const char *key,
			 const char *words)
{
	mixdown_session *s = NULL;
	mixdown_error err;
	memset(&err, 0, sizeof err);
	mixdown_status st = mixdown_session_load_string(yaml, strlen(yaml), "comp.yaml", dir, &s, &err);
	CHECK_INT(st, MIXDOWN_ERR_SESSION);
	char msg[2048];
	mixdown_error_format(&err, msg, sizeof msg);
	printf("# %s\n", msg);
	CHECK_INT(err.line, line);
	CHECK_INT(err.column, col);
	CHECK_STR_CONTAINS(err.key, key);
	CHECK_STR_CONTAINS(err.message, words);
	mixdown_session_free(s);
}

static void t_comp_errors(void)
{
	const char *dir = mxt_tempdir();
	const int64_t n = 2 * RATE;
	float *a = malloc(sizeof(float) * n), *b = malloc(sizeof(float) * n);
	write_takes(dir, a, b, n);
	const char *head = "mixdown: 1\n"
			   "tracks:\n"
			   "  - name: Lead\n"
			   "    takes: [ { name: A, file: a.wav }, { name: B, file: b.wav } ]\n"
			   "    comp:\n";
	char y[2048];
	snprintf(y, sizeof y, "%s      - { take: A, from: 0, to: 1 }\n      - { take: C, from: 1, to: 2 }\n", head);
	expect_error(dir, y, 7, 17, "tracks[0].comp[1].take", "unknown take \"C\"");
	snprintf(y, sizeof y, "%s      - { take: A, from: 0, to: 1 }\n      - { take: B, from: 0.5, to: 2 }\n", head);
	expect_error(dir, y, 7, 26, "tracks[0].comp[1].from", "must not overlap");
	snprintf(y, sizeof y, "%s      - { take: A, from: 0, to: 2.5 }\n", head);
	expect_error(dir, y, 6, 33, "tracks[0].comp[0].to", "outside take A");
	snprintf(y, sizeof y,
			"mixdown: 1\ntracks:\n  - { name: Lead, file: a.wav, takes: [ { name: A, file: a.wav } ] }\n");
	expect_error(dir, y, 3, 32, "tracks[0].takes", "either `takes:` or `file:`");
	snprintf(y, sizeof y, "mixdown: 1\ntracks:\n  - { name: Lead, comp: [] }\n");
	expect_error(dir, y, 3, 19, "tracks[0].comp", "needs `takes:`");
	free(a);
	free(b);
}

/* `mixdown comp --pick`: the comp list rewritten, the rest of the file kept, the table printed. */
static void t_comp_pick(void)
{
	const char *dir = mxt_tempdir();
	const int64_t n = 2 * RATE;
	float *a = malloc(sizeof(float) * n), *b = malloc(sizeof(float) * n);
	write_takes(dir, a, b, n);
	const char *yaml = "mixdown: 1\n"
			   "# my lead\n"
			   "tracks:\n"
			   "  - name: Lead\n"
			   "    takes: [ { name: A, file: a.wav }, { name: B, file: b.wav } ]\n"
			   "    comp:   # best of\n"
			   "      - { take: A, from: 0, to: 1 }\n"
			   "      - { take: B, from: 1, to: 2 }\n"
			   "    crossfade: 10   # ms\n";
	const char *path = mxt_path(dir, "s.yaml");
	CHECK(mxt_write_text(path, yaml) == 0);
	CHECK_INT(mxt_run_cli("comp '%s' Lead --pick B:0.25-0.5", path), 0);
	/* Sections: the four new ranges; B is chosen for 0.25-0.5 and A's level of -9 dBFS (0.5 amplitude sine)
	 * shows. */
	CHECK_STR_CONTAINS(mxt_cli_out, "0.25 -     0.50  ");
	CHECK_STR_CONTAINS(mxt_cli_out, "*    -9.0    -6.0    B");
	for (char *line = strtok(mxt_cli_out, "\n"); line; line = strtok(NULL, "\n"))
		printf("# %s\n", line);
	FILE *f = fopen(path, "rb");
	char text[2048] = "";
	if (f) {
		size_t got = fread(text, 1, sizeof text - 1, f);
		text[got] = '\0';
		fclose(f);
	}
	CHECK_STR_CONTAINS(text, "# my lead\n");
	CHECK_STR_CONTAINS(text, "comp:   # best of\n");
	CHECK_STR_CONTAINS(text, "{ take: A, from: 0, to: 0.25 }");
	CHECK_STR_CONTAINS(text, "{ take: B, from: 0.25, to: 0.5 }");
	CHECK_STR_CONTAINS(text, "{ take: A, from: 0.5, to: 1 }");
	CHECK_STR_CONTAINS(text, "    crossfade: 10   # ms\n");
	/* An unknown take or a range outside the takes: status 2, the file unchanged. */
	CHECK_INT(mxt_run_cli("comp '%s' Lead --pick C:0.25-0.5", path), 2);
	CHECK_INT(mxt_run_cli("comp '%s' Lead --pick A:1.5-2.5", path), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "outside take A");
	free(a);
	free(b);
}

/* `preset: voice` expands into the documented chain before the track's own inserts. */
static void t_voice_preset(void)
{
	const char *dir = mxt_tempdir();
	const int64_t n = RATE / 2;
	float *a = malloc(sizeof(float) * n), *b = malloc(sizeof(float) * n);
	write_takes(dir, a, b, n);
	const char *yaml = "mixdown: 1\n"
			   "tracks:\n"
			   "  - name: Host\n"
			   "    file: a.wav\n"
			   "    preset: voice\n"
			   "    inserts: [ { type: gain, id: mine, gain: -3 } ]\n"
			   "    automation: { inserts.voice_comp.threshold: [[0, -20], [0.25, -25]] }\n";
	mixdown_session *s = NULL;
	mixdown_error err;
	CHECK_INT(mixdown_session_load_string(yaml, strlen(yaml), "v.yaml", dir, &s, &err), MIXDOWN_SUCCESS);
	if (s) {
		const mxd_strip *t = &s->tracks[0];
		CHECK_INT(t->n_inserts, 5);
		const char *ids[5] = { "voice_hp", "voice_deess", "voice_comp", "voice_presence", "mine" };
		const char *types[5] = { "eq", "deesser", "compressor", "eq", "gain" };
		for (size_t i = 0; i < 5 && i < t->n_inserts; i++) {
			CHECK(t->inserts[i].id && !strcmp(t->inserts[i].id, ids[i]));
			CHECK(!strcmp(t->inserts[i].cls->name, types[i]));
		}
		CHECK_INT(t->n_lanes, 1);
		if (t->n_lanes)
			CHECK_INT(t->lanes[0].index, 2);
	}
	mixdown_session_free(s);
	s = NULL;
	const char *bad = "mixdown: 1\ntracks:\n  - { name: Host, file: a.wav, preset: singer }\n";
	expect_error(dir, bad, 3, 40, "tracks[0].preset", "unknown preset \"singer\"");
	free(a);
	free(b);
}

/* ------------------------------------------------------------------ podcast */

/* Speech-like: a glottal pulse train at f0 through three formant resonators,
 * syllables of 120-260 ms with raised-cosine envelopes and 60-140 ms gaps,
 * phrases of ~2.5 s and 0.7 s pauses, between [t0, t1) s; amplitude `amp`. */
static void speech(float *out, int64_t n, double t0, double t1, double f0, double amp, uint32_t seed)
{
	static const double formants[4][3] = {
		{ 730, 1090, 2440 }, { 270, 2290, 3010 }, { 530, 1840, 2480 }, { 300, 870, 2240 }
	};
	uint32_t r = seed;
#define RND() ((r = r * 1664525u + 1013904223u) >> 8) / 16777216.0
	double y1[3] = { 0 }, y2[3] = { 0 }, phase = 0;
	int64_t i = (int64_t)(t0 * RATE), end = (int64_t)(t1 * RATE);
	double phrase_left = 2.5;
	while (i < end && i < n) {
		int64_t syl = (int64_t)((0.12 + 0.14 * RND()) * RATE), gap = (int64_t)((0.06 + 0.08 * RND()) * RATE);
		const double *fm = formants[(int)(RND() * 4) & 3];
		double bw = 80.0, c1[3], c2[3], g[3];
		for (int k = 0; k < 3; k++) {
			double rr = exp(-M_PI * bw * (k + 1) / RATE);
			c1[k] = 2 * rr * cos(2 * M_PI * fm[k] / RATE);
			c2[k] = -rr * rr;
			g[k] = (1 - rr) * (k == 0 ? 1.0 : k == 1 ? 0.6 : 0.35);
		}
		double f = f0 * (0.9 + 0.2 * RND()), level = 0.6 + 0.4 * RND();
		for (int64_t k = 0; k < syl && i < n && i < end; k++, i++) {
			phase += f / RATE;
			double pulse = 0;
			if (phase >= 1) {
				phase -= 1;
				pulse = 1;
			}
			double env = 0.5 - 0.5 * cos(2 * M_PI * (double)k / (double)syl);
			double s = 0;
			for (int q = 0; q < 3; q++) {
				double y = g[q] * pulse * 20 + c1[q] * y1[q] + c2[q] * y2[q];
				y2[q] = y1[q];
				y1[q] = y;
				s += y;
			}
			out[i] += (float)(amp * level * env * s);
		}
		i += gap;
		phrase_left -= (double)(syl + gap) / RATE;
		if (phrase_left <= 0) {
			i += (int64_t)(0.7 * RATE);
			phrase_left = 2.0 + RND();
		}
	}
#undef RND
}

static double lufs_of(const float *x, int64_t frames, int ch, double *true_peak)
{
	ebur128_state *st = ebur128_init((unsigned)ch, RATE, EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK);
	ebur128_add_frames_float(st, x, (size_t)frames);
	double l = -HUGE_VAL, tp = 0;
	ebur128_loudness_global(st, &l);
	if (true_peak) {
		*true_peak = 0;
		for (int c = 0; c < ch; c++) {
			ebur128_true_peak(st, (unsigned)c, &tp);
			*true_peak = fmax(*true_peak, tp);
		}
		*true_peak = 20 * log10(*true_peak);
	}
	ebur128_destroy(&st);
	return l;
}

static double stem_rms(const char *path, double from, double to)
{
	int64_t f = 0;
	int c = 0;
	float *x = mxt_read_audio(path, &f, &c, NULL, NULL);
	if (!x)
		return NAN;
	int64_t a = (int64_t)(from * RATE), b = (int64_t)(to * RATE);
	if (b > f)
		b = f;
	double r = mxt_rms_db(x, c, 0, a, b - a);
	free(x);
	return r;
}

static double stem_lufs(const char *path)
{
	int64_t f = 0;
	int c = 0;
	float *x = mxt_read_audio(path, &f, &c, NULL, NULL);
	if (!x)
		return NAN;
	double l = lufs_of(x, f, c, NULL);
	free(x);
	return l;
}

static void t_podcast(void)
{
	const char *dir = mxt_tempdir();
	const double len = short_run() ? 14.0 : 26.0;
	const int64_t n = (int64_t)(len * RATE);
	/* Host speaks first, the guest (10 dB quieter) after; 3 s without speech at both ends. */
	double mid = len / 2;
	float *host = calloc((size_t)n, sizeof(float)), *guest = calloc((size_t)n, sizeof(float));
	float *bed = malloc(sizeof(float) * (size_t)n * 2);
	speech(host, n, 3.0, mid, 115, 0.25, 7);
	speech(guest, n, mid + 0.5, len - 3.0, 190, 0.25 * pow(10, -10 / 20.0), 9);
	float *hiss = malloc(sizeof(float) * (size_t)n);
	mxt_noise(hiss, n, 3e-4, 5);
	for (int64_t i = 0; i < n; i++) {
		host[i] += hiss[i];
		guest[i] += 0.5f * hiss[n - 1 - i];
		double t = (double)i / RATE;
		double m = 0.1 * sin(2 * M_PI * 220 * t) + 0.08 * sin(2 * M_PI * 277.2 * t) +
			   0.07 * sin(2 * M_PI * 329.6 * t);
		bed[2 * i] = (float)m;
		bed[2 * i + 1] = (float)(m * 0.9);
	}
	/* The guest exactly 10 LU below the host (the voices' spectra differ, so equal amplitudes are not equal
	 * loudness). */
	double in_host = lufs_of(host, n, 1, NULL), in_guest = lufs_of(guest, n, 1, NULL);
	float k = (float)pow(10.0, (in_host - 10.0 - in_guest) / 20.0);
	for (int64_t i = 0; i < n; i++)
		guest[i] *= k;
	in_guest = lufs_of(guest, n, 1, NULL);
	printf("# input speech loudness: host %.2f LUFS, guest %.2f LUFS\n", in_host, in_guest);
	CHECK_NEAR(in_host - in_guest, 10.0, 0.05);
	CHECK(mxt_write_audio(mxt_path(dir, "host.wav"), host, n, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_PCM_24) == 0);
	CHECK(mxt_write_audio(mxt_path(dir, "guest.wav"), guest, n, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_PCM_24) == 0);
	CHECK(mxt_write_audio(mxt_path(dir, "bed.wav"), bed, n, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_PCM_24) == 0);
	free(host);
	free(guest);
	free(bed);
	free(hiss);

	char v0[1024], v1[1024], music[1024], stems[1024], ep[1024], sess[1024];
	snprintf(v0, sizeof v0, "%s", mxt_path(dir, "host.wav"));
	snprintf(v1, sizeof v1, "%s", mxt_path(dir, "guest.wav"));
	snprintf(music, sizeof music, "%s", mxt_path(dir, "bed.wav"));
	snprintf(stems, sizeof stems, "%s", mxt_path(dir, "stems"));
	snprintf(ep, sizeof ep, "%s", mxt_path(dir, "episode.wav"));
	snprintf(sess, sizeof sess, "%s", mxt_path(dir, "episode.yaml"));
	const char *voices[2] = { v0, v1 };
	mixdown_podcast_options o = { .voices = voices, .n_voices = 2, .music = music, .output = ep,
				      .session_path = sess, .stems_dir = stems };
	mixdown_podcast_report rep;
	mixdown_error err;
	mixdown_status st = mixdown_podcast(&o, &rep, &err);
	CHECK_INT(st, MIXDOWN_SUCCESS);
	if (st != MIXDOWN_SUCCESS) {
		char msg[2048];
		mixdown_error_format(&err, msg, sizeof msg);
		printf("# %s\n", msg);
		return;
	}
	printf("# gains: host %+.2f dB, guest %+.2f dB; ride host %.2f..%.2f, guest %.2f..%.2f dB; bed %+.2f dB, "
	       "duck %.0f dB\n",
	       rep.voice_gain_db[0], rep.voice_gain_db[1], rep.ride_min_db[0], rep.ride_max_db[0], rep.ride_min_db[1],
	       rep.ride_max_db[1], rep.music_gain_db, rep.duck_db);
	/* The guest gets more gain (not exactly 10 dB more: the chain's compression treats the voices differently). */
	CHECK(rep.voice_gain_db[1] - rep.voice_gain_db[0] > 7.0 && rep.voice_gain_db[1] - rep.voice_gain_db[0] < 13.0);
	CHECK(rep.ride_min_db[0] >= -10 && rep.ride_max_db[0] <= 10);

	/* Leveling: the speech-active (gated) loudness of each voice stem. */
	char p[1200];
	snprintf(p, sizeof p, "%s/host.wav", stems);
	double l_host = stem_lufs(p);
	snprintf(p, sizeof p, "%s/guest.wav", stems);
	double l_guest = stem_lufs(p);
	printf("# leveled speech loudness: host %.2f LUFS, guest %.2f LUFS (difference %.2f LU)\n", l_host, l_guest,
	       l_host - l_guest);
	CHECK_MSG(fabs(l_host - l_guest) <= 1.0, "speakers %.2f LU apart", l_host - l_guest);

	/* Ducking: the bed stem during speech against a speech-free stretch. */
	snprintf(p, sizeof p, "%s/Music.wav", stems);
	double free_db = stem_rms(p, 0.5, 2.5), duck_db = stem_rms(p, 4.0, mid - 0.5);
	printf("# bed: %.2f dBFS without speech, %.2f dBFS under speech (%.2f dB ducked)\n", free_db, duck_db,
	       free_db - duck_db);
	CHECK_MSG(free_db - duck_db >= 8.0, "bed ducked only %.2f dB", free_db - duck_db);

	/* Delivery: -16 LUFS +-0.5, true peak <= -1 dBTP (libebur128). */
	int64_t fe = 0;
	int ce = 0;
	float *x = mxt_read_audio(ep, &fe, &ce, NULL, NULL);
	CHECK(x != NULL);
	if (x) {
		double tp = 0, l = lufs_of(x, fe, ce, &tp);
		printf("# episode: %.2f LUFS, %.2f dBTP (report: %.2f LUFS, %.2f dBTP)\n", l, tp,
		       rep.render.integrated_lufs, rep.render.master_true_peak);
		CHECK_NEAR(l, -16.0, 0.5);
		CHECK_MSG(tp <= -1.0 + 0.05, "true peak %.2f dBTP", tp);
		free(x);
	}

	/* Same inputs -> the same session text and the same samples. */
	char ep2[1024], sess2[1024];
	snprintf(ep2, sizeof ep2, "%s", mxt_path(dir, "episode2.wav"));
	snprintf(sess2, sizeof sess2, "%s", mxt_path(dir, "episode2.yaml"));
	o.output = ep2;
	o.session_path = sess2;
	o.stems_dir = NULL;
	CHECK_INT(mixdown_podcast(&o, &rep, &err), MIXDOWN_SUCCESS);
	FILE *f1 = fopen(sess, "rb"), *f2 = fopen(sess2, "rb");
	CHECK(f1 && f2);
	if (f1 && f2) {
		int c1, c2;
		do {
			c1 = fgetc(f1);
			c2 = fgetc(f2);
		} while (c1 == c2 && c1 != EOF);
		CHECK_MSG(c1 == c2, "the two sessions differ");
	}
	if (f1)
		fclose(f1);
	if (f2)
		fclose(f2);
	int64_t n1 = 0, n2 = 0;
	int k1 = 0, k2 = 0;
	int32_t *s1 = mxt_read_audio_int(ep, &n1, &k1), *s2 = mxt_read_audio_int(ep2, &n2, &k2);
	CHECK(s1 && s2 && n1 == n2 && k1 == k2);
	if (s1 && s2 && n1 == n2 && k1 == k2)
		CHECK_MSG(memcmp(s1, s2, sizeof(int32_t) * (size_t)(n1 * k1)) == 0, "the two renders differ");
	free(s1);
	free(s2);

	/* The written session renders the same episode. */
	mixdown_session *s = NULL;
	CHECK_INT(mixdown_session_load(sess, &s, &err), MIXDOWN_SUCCESS);
	mixdown_session_free(s);
}

/* A comp render twice: byte-identical samples. */
static void t_comp_deterministic(void)
{
	const char *dir = mxt_tempdir();
	const int64_t n = 2 * RATE;
	float *a = malloc(sizeof(float) * n), *b = malloc(sizeof(float) * n);
	write_takes(dir, a, b, n);
	mixdown_error err;
	mixdown_render_options o = float_opts(mxt_path(dir, "c1.wav"));
	o.no_bwf = true;
	CHECK_INT(mxt_render_yaml(dir, COMP_YAML, &o, NULL, &err), MIXDOWN_SUCCESS);
	o.output = mxt_path(dir, "c2.wav");
	CHECK_INT(mxt_render_yaml(dir, COMP_YAML, &o, NULL, &err), MIXDOWN_SUCCESS);
	int64_t n1 = 0, n2 = 0;
	int k1 = 0, k2 = 0;
	int32_t *s1 = mxt_read_audio_int(mxt_path(dir, "c1.wav"), &n1, &k1);
	int32_t *s2 = mxt_read_audio_int(mxt_path(dir, "c2.wav"), &n2, &k2);
	CHECK(s1 && s2 && n1 == n2 && k1 == k2 && memcmp(s1, s2, sizeof(int32_t) * (size_t)(n1 * k1)) == 0);
	free(s1);
	free(s2);
	free(a);
	free(b);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_comp_splice),
		MXT(t_comp_errors),
		MXT(t_comp_deterministic),
		MXT(t_comp_pick),
		MXT(t_voice_preset),
		MXT(t_podcast),
	};
	return MXT_RUN(cases);
}
