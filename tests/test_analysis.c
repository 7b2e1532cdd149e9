/* mixdown — `mixdown analyze`: EBU Tech 3341 / 3342 conformance on signals
 * synthesized here from ../shared/docs/loudness-conformance.md (the EBU audio
 * may not be redistributed), agreement with libebur128 on the pyloudnorm-eval
 * files (skipped when ../shared/testdata is absent), planted problems, stereo
 * measures, the JSON schema (parsed back) and the command line.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Signals are fed straight into the streaming analyzer (src/analysis), in
 * 4800-frame pieces, so no test file is written except for the CLI/file
 * cases. Levels: dBFS peak per channel; loudness LUFS; tolerances from
 * Tech 3341 (+/-0.1 LU, true peak +0.2/-0.4 dB) and Tech 3342 (+/-1 LU). */
#include <ctype.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "harness.h"
#include "mixdown/mixdown.h"
#include "util.h"

static const double rates[] = { 44100, 48000, 96000 };
#define N_RATES 3
#define PIECE 4800

typedef struct {
	mxd_analyzer *z;
	double rate;
	int ch;
	double phase; /* radians, kept continuous across segments */
	float buf[PIECE * 8];
} gen;

static void gen_start(gen *g, double rate, int ch, bool tp, double interval)
{
	mixdown_analysis_options o = mixdown_analysis_options_init();
	o.true_peak = tp;
	o.series_interval = interval;
	g->rate = rate;
	g->ch = ch;
	g->phase = 0;
	g->z = NULL;
	CHECK_INT(mxd_analyzer_new(rate, (uint32_t)ch, &o, &g->z, NULL), MIXDOWN_SUCCESS);
}

/* `secs` of a sine at `freq` with per-channel peak levels (dBFS; -INFINITY = silent). */
static void gen_tone(gen *g, double freq, double secs, const double *db)
{
	int64_t n = (int64_t)llround(secs * g->rate);
	double amp[8];
	for (int c = 0; c < g->ch; c++)
		amp[c] = isfinite(db[c]) ? pow(10.0, db[c] / 20.0) : 0.0;
	double w = 2.0 * M_PI * freq / g->rate;
	while (n > 0 && g->z) {
		int k = n > PIECE ? PIECE : (int)n;
		/* A rotating phasor, restarted from sin/cos of the phase every piece. */
		double re = cos(g->phase), im = sin(g->phase), cr = cos(w), ci = sin(w);
		for (int i = 0; i < k; i++) {
			for (int c = 0; c < g->ch; c++)
				g->buf[i * g->ch + c] = (float)(amp[c] * im);
			double nr = re * cr - im * ci;
			im = re * ci + im * cr;
			re = nr;
		}
		g->phase = fmod(g->phase + w * k, 2 * M_PI);
		mxd_analyzer_feed(g->z, g->buf, (size_t)k, NULL);
		n -= k;
	}
}

/* Stereo (or mono) 1 kHz tone at one level on every channel. */
static void gen_level(gen *g, double secs, double db)
{
	double d[8];
	for (int c = 0; c < 8; c++)
		d[c] = db;
	gen_tone(g, 1000.0, secs, d);
}

static void gen_silence(gen *g, double secs)
{
	gen_level(g, secs, -INFINITY);
}

static mixdown_analysis *gen_finish(gen *g)
{
	mixdown_analysis *a = NULL;
	if (g->z)
		CHECK_INT(mxd_analyzer_finish(g->z, "synth", &a, NULL), MIXDOWN_SUCCESS);
	g->z = NULL;
	return a;
}

/* ------------------------------------------------------ EBU Tech 3341 */

/* Cases 1 and 2: M, S and I of a steady tone. Plus a mono tone: a mono
 * channel has weight 1, so -20 dBFS reads -23.01 LUFS (BS.1770-5). */
static void t_3341_1_2_steady(void)
{
	for (int r = 0; r < N_RATES; r++) {
		const double lv[2] = { -23.0, -33.0 };
		for (int k = 0; k < 2; k++) {
			gen g;
			gen_start(&g, rates[r], 2, r == 1, 1.0);
			gen_level(&g, 20.0, lv[k]);
			mixdown_analysis *a = gen_finish(&g);
			if (!a)
				continue;
			CHECK_NEAR(a->loudness.integrated, lv[k], 0.1);
			CHECK_NEAR(a->loudness.momentary_max, lv[k], 0.1);
			CHECK_NEAR(a->loudness.short_term_max, lv[k], 0.1);
			/* every series point after the first 3 s */
			for (size_t i = 3; i < a->series.n; i++) {
				CHECK_NEAR(a->series.momentary[i], lv[k], 0.1);
				CHECK_NEAR(a->series.short_term[i], lv[k], 0.1);
			}
			printf("# 3341-%d @%.0f: I %.4f M %.4f S %.4f\n", k + 1, rates[r], a->loudness.integrated,
			       a->loudness.momentary_max, a->loudness.short_term_max);
			mixdown_analysis_free(a);
		}
		gen g;
		gen_start(&g, rates[r], 1, false, 1.0);
		gen_level(&g, 5.0, -20.0);
		mixdown_analysis *a = gen_finish(&g);
		if (a)
			CHECK_NEAR(a->loudness.integrated, -23.01, 0.1);
		mixdown_analysis_free(a);
	}
}

/* Cases 3, 4, 5: gating. */
static void t_3341_3_4_5_gating(void)
{
	for (int r = 0; r < N_RATES; r++) {
		gen g;
		gen_start(&g, rates[r], 2, false, 1.0);
		gen_level(&g, 10, -36);
		gen_level(&g, 60, -23);
		gen_level(&g, 10, -36);
		mixdown_analysis *a = gen_finish(&g);
		if (a)
			CHECK_NEAR(a->loudness.integrated, -23.0, 0.1);
		double i3 = a ? a->loudness.integrated : 0;
		mixdown_analysis_free(a);

		gen_start(&g, rates[r], 2, false, 1.0);
		gen_level(&g, 10, -72);
		gen_level(&g, 10, -36);
		gen_level(&g, 60, -23);
		gen_level(&g, 10, -36);
		gen_level(&g, 10, -72);
		a = gen_finish(&g);
		if (a)
			CHECK_NEAR(a->loudness.integrated, -23.0, 0.1);
		double i4 = a ? a->loudness.integrated : 0;
		mixdown_analysis_free(a);

		gen_start(&g, rates[r], 2, false, 1.0);
		gen_level(&g, 20, -26);
		gen_level(&g, 20.1, -20);
		gen_level(&g, 20, -26);
		a = gen_finish(&g);
		if (a)
			CHECK_NEAR(a->loudness.integrated, -23.0, 0.1);
		printf("# 3341-3/4/5 @%.0f: I %.4f %.4f %.4f\n", rates[r], i3, i4, a ? a->loudness.integrated : 0);
		mixdown_analysis_free(a);
	}
}

/* Case 6 (5.0) and the same with an LFE channel carrying a loud tone (5.1):
 * surrounds weighted 1.41, LFE excluded. */
static void t_3341_6_surround(void)
{
	for (int r = 0; r < N_RATES; r++) {
		const double d50[5] = { -28, -28, -24, -30, -30 };
		const double d51[6] = { -28, -28, -24, -6, -30, -30 };
		gen g;
		gen_start(&g, rates[r], 5, false, 1.0);
		gen_tone(&g, 1000.0, 20.0, d50);
		mixdown_analysis *a = gen_finish(&g);
		if (a)
			CHECK_NEAR(a->loudness.integrated, -23.0, 0.1);
		double i5 = a ? a->loudness.integrated : 0;
		mixdown_analysis_free(a);
		gen_start(&g, rates[r], 6, false, 1.0);
		gen_tone(&g, 1000.0, 20.0, d51);
		a = gen_finish(&g);
		if (a)
			CHECK_NEAR(a->loudness.integrated, -23.0, 0.1);
		printf("# 3341-6 @%.0f: 5.0 I %.4f, 5.1 I %.4f\n", rates[r], i5, a ? a->loudness.integrated : 0);
		mixdown_analysis_free(a);
	}
}

/* Case 9: S = -23 and constant after 3 s; case 12: M = -23 and constant after
 * 1 s (the series at a 10 ms cadence is checked point by point). */
static void t_3341_9_12_constant(void)
{
	for (int r = 0; r < N_RATES; r++) {
		gen g;
		gen_start(&g, rates[r], 2, false, 0.01);
		for (int k = 0; k < 5; k++) {
			gen_level(&g, 1.34, -20);
			gen_level(&g, 1.66, -30);
		}
		mixdown_analysis *a = gen_finish(&g);
		double lo = 0, hi = -100;
		for (size_t i = 0; a && i < a->series.n; i++) {
			if ((double)(i + 1) * a->series.interval < 3.0 - 1e-9)
				continue;
			lo = fmin(lo, a->series.short_term[i]);
			hi = fmax(hi, a->series.short_term[i]);
		}
		CHECK_NEAR(lo, -23.0, 0.1);
		CHECK_NEAR(hi, -23.0, 0.1);
		printf("# 3341-9 @%.0f: S after 3 s in [%.4f, %.4f]\n", rates[r], lo, hi);
		mixdown_analysis_free(a);

		gen_start(&g, rates[r], 2, false, 0.01);
		for (int k = 0; k < 25; k++) {
			gen_level(&g, 0.18, -20);
			gen_level(&g, 0.22, -30);
		}
		a = gen_finish(&g);
		lo = 0, hi = -100;
		for (size_t i = 0; a && i < a->series.n; i++) {
			if ((double)(i + 1) * a->series.interval < 1.0 - 1e-9)
				continue;
			lo = fmin(lo, a->series.momentary[i]);
			hi = fmax(hi, a->series.momentary[i]);
		}
		CHECK_NEAR(lo, -23.0, 0.1);
		CHECK_NEAR(hi, -23.0, 0.1);
		printf("# 3341-12 @%.0f: M after 1 s in [%.4f, %.4f]\n", rates[r], lo, hi);
		mixdown_analysis_free(a);
	}
}

/* Cases 10 and 13 (file meters): 20 files each, max S / max M = -23.0. */
static void t_3341_10_13_files(void)
{
	for (int r = 0; r < N_RATES; r++) {
		double w10 = 0, w13 = 0;
		for (int i = 0; i < 20; i++) {
			gen g;
			gen_start(&g, rates[r], 2, false, 1.0);
			gen_silence(&g, i * 0.15);
			gen_level(&g, 3.0, -23);
			gen_silence(&g, 1.0);
			mixdown_analysis *a = gen_finish(&g);
			if (a) {
				CHECK_NEAR(a->loudness.short_term_max, -23.0, 0.1);
				w10 = fmax(w10, fabs(a->loudness.short_term_max + 23.0));
			}
			mixdown_analysis_free(a);
			gen_start(&g, rates[r], 2, false, 1.0);
			gen_silence(&g, i * 0.02);
			gen_level(&g, 0.4, -23);
			gen_silence(&g, 1.0);
			a = gen_finish(&g);
			if (a) {
				CHECK_NEAR(a->loudness.momentary_max, -23.0, 0.1);
				w13 = fmax(w13, fabs(a->loudness.momentary_max + 23.0));
			}
			mixdown_analysis_free(a);
		}
		printf("# 3341-10/13 @%.0f: worst |max S + 23| %.4f, |max M + 23| %.4f\n", rates[r], w10, w13);
	}
}

/* Cases 11 and 14 (live meters): one stream of 20 tones; the maximum of S
 * (M) within each tone's slot is -38 + i. */
static void t_3341_11_14_live(void)
{
	for (int r = 0; r < N_RATES; r++) {
		for (int cs = 0; cs < 2; cs++) {
			double tone = cs ? 0.4 : 3.0, step = cs ? 0.02 : 0.15;
			gen g;
			gen_start(&g, rates[r], 2, false, 0.01);
			for (int i = 0; i < 20; i++) {
				gen_silence(&g, i * step);
				gen_level(&g, tone, -38.0 + i);
				gen_silence(&g, tone - i * step);
			}
			mixdown_analysis *a = gen_finish(&g);
			double worst = 0;
			for (int i = 0; a && i < 20; i++) {
				double mx = -INFINITY;
				for (size_t k = 0; k < a->series.n; k++) {
					double t = (double)(k + 1) * a->series.interval;
					if (t > i * 2 * tone + 1e-9 && t <= (i + 1) * 2 * tone + 1e-9)
						mx = fmax(mx, cs ? a->series.momentary[k] : a->series.short_term[k]);
				}
				CHECK_NEAR(mx, -38.0 + i, 0.1);
				worst = fmax(worst, fabs(mx - (-38.0 + i)));
			}
			printf("# 3341-%d @%.0f: worst deviation %.4f LU\n", cs ? 14 : 11, rates[r], worst);
			mixdown_analysis_free(a);
		}
	}
}

/* Cases 15-19: true peak of sines at fs/4, fs/6, fs/8 with 10 ms fades. */
static double tp_sine(double rate, double div, double amp, double phase_deg)
{
	gen g;
	gen_start(&g, rate, 2, true, 1.0);
	int64_t n = (int64_t)(0.5 * rate), fade = (int64_t)(0.01 * rate);
	float *x = malloc((size_t)n * 2 * sizeof *x);
	for (int64_t i = 0; i < n; i++) {
		double env = i < fade ? (double)i / fade : i >= n - fade ? (double)(n - 1 - i) / fade : 1.0;
		double v = env * amp * sin(2 * M_PI * (double)i / div + phase_deg * M_PI / 180.0);
		x[2 * i] = x[2 * i + 1] = (float)v;
	}
	if (g.z)
		mxd_analyzer_feed(g.z, x, (size_t)n, NULL);
	free(x);
	mixdown_analysis *a = gen_finish(&g);
	double tp = a ? a->loudness.true_peak : NAN;
	mixdown_analysis_free(a);
	return tp;
}

#define CHECK_TP(v, want)                                                              \
	do {                                                                           \
		double tp_ = (v);                                                      \
		CHECK_MSG(tp_ <= (want) + 0.2 && tp_ >= (want) - 0.4, "true peak %.3f, want %.1f +0.2/-0.4", tp_, \
			  (double)(want));                                             \
	} while (0)

static void t_3341_15_19_true_peak(void)
{
	for (int r = 0; r < N_RATES; r++) {
		double v[5] = { tp_sine(rates[r], 4, 0.5, 0), tp_sine(rates[r], 4, 0.5, 45), tp_sine(rates[r], 6, 0.5, 60),
				tp_sine(rates[r], 8, 0.5, 67.5), tp_sine(rates[r], 4, 1.41, 45) };
		for (int k = 0; k < 4; k++)
			CHECK_TP(v[k], -6.0);
		CHECK_TP(v[4], 3.0);
		printf("# 3341-15..19 @%.0f: %.3f %.3f %.3f %.3f %.3f dBTP\n", rates[r], v[0], v[1], v[2], v[3], v[4]);
	}
}

/* Cases 20-23: a fs/6 sine at 0.5 FS with one period of fs/4 at 1.0, phase
 * continuous, synthesized at 4 fs, low-passed (windowed sinc at fs/2) and
 * decimated with offsets 0..3: 0.0 dBTP. */
static void t_3341_20_23_true_peak(void)
{
	for (int r = 0; r < N_RATES; r++) {
		double fs = rates[r], fs4 = 4 * fs;
		int64_t n4 = (int64_t)(0.5 * fs4);
		double *hi = malloc((size_t)n4 * sizeof *hi), ph = 0;
		int64_t burst = n4 / 2, blen = 16; /* one period of fs/4 = 4 samples at fs = 16 at 4 fs */
		for (int64_t i = 0; i < n4; i++) {
			bool in = i >= burst && i < burst + blen;
			double env = fmin(1.0, fmin((double)i, (double)(n4 - 1 - i)) / (0.01 * fs4));
			hi[i] = env * (in ? 1.0 : 0.5) * sin(ph);
			ph += 2 * M_PI * (in ? fs / 4 : fs / 6) / fs4;
		}
		enum { TAPS = 511 };
		double h[TAPS], hs = 0;
		for (int k = 0; k < TAPS; k++) {
			double m = k - (TAPS - 1) / 2.0, fc = 0.5 / 4.0 * 0.95; /* cycles per sample at 4 fs */
			double s = m == 0 ? 2 * fc : sin(2 * M_PI * fc * m) / (M_PI * m);
			double w = 0.42 - 0.5 * cos(2 * M_PI * k / (TAPS - 1)) + 0.08 * cos(4 * M_PI * k / (TAPS - 1));
			h[k] = s * w;
			hs += h[k];
		}
		for (int off = 0; off < 4; off++) {
			int64_t n = n4 / 4 - 1;
			float *x = malloc((size_t)n * 2 * sizeof *x);
			for (int64_t j = 0; j < n; j++) {
				int64_t c = 4 * j + off;
				double acc = 0;
				for (int k = 0; k < TAPS; k++) {
					int64_t q = c - k + (TAPS - 1) / 2;
					if (q >= 0 && q < n4)
						acc += h[k] * hi[q];
				}
				x[2 * j] = x[2 * j + 1] = (float)(acc / hs);
			}
			gen g;
			gen_start(&g, fs, 2, true, 1.0);
			if (g.z)
				mxd_analyzer_feed(g.z, x, (size_t)n, NULL);
			free(x);
			mixdown_analysis *a = gen_finish(&g);
			if (a) {
				CHECK_TP(a->loudness.true_peak, 0.0);
				printf("# 3341-%d @%.0f: TP %.3f dBTP (sample peak %.3f)\n", 20 + off, fs, a->loudness.true_peak,
				       a->loudness.sample_peak);
			}
			mixdown_analysis_free(a);
		}
		free(hi);
	}
}

/* ------------------------------------------------------ EBU Tech 3342 */
static void t_3342_lra(void)
{
	static const double lv[4][5] = { { -20, -30 }, { -20, -15 }, { -40, -20 }, { -50, -35, -20, -35, -50 } };
	static const int nseg[4] = { 2, 2, 2, 5 };
	static const double want[4] = { 10, 5, 20, 15 };
	for (int r = 0; r < N_RATES; r++) {
		double got[4];
		for (int c = 0; c < 4; c++) {
			gen g;
			gen_start(&g, rates[r], 2, false, 1.0);
			for (int s = 0; s < nseg[c]; s++)
				gen_level(&g, 20.0, lv[c][s]);
			gen_silence(&g, 1.5); /* file meters append >= 1.5 s of silence */
			mixdown_analysis *a = gen_finish(&g);
			got[c] = a ? a->loudness.range : NAN;
			CHECK_NEAR(got[c], want[c], 1.0);
			mixdown_analysis_free(a);
		}
		printf("# 3342-1..4 @%.0f: LRA %.4f %.4f %.4f %.4f LU\n", rates[r], got[0], got[1], got[2], got[3]);
	}
}

/* ------------------------------------------------ pyloudnorm-eval files */

static const char *testdata(const char *sub)
{
	static char path[1024];
	const char *env = getenv("MIXDOWN_TESTDATA");
	snprintf(path, sizeof path, "%s/%s", env ? env : MIXDOWN_SOURCE_DIR "/../shared/testdata", sub);
	return access(path, R_OK) == 0 ? path : NULL;
}

/* Table 2 of pyloudnorm_preprint_tables.txt: the libebur128 column is the
 * 6th of the 9 numbers on each file's line. */
static void t_pyloudnorm_eval(void)
{
	static const char *const map[][2] = {
		{ "sine 16Hz", "sine_16Hz.wav" },         { "sine 1000Hz", "sine_1000Hz.wav" },
		{ "sine 1000Hz pad", "sine_1000Hz_padded.wav" }, { "sine 16000Hz", "sine_16000Hz.wav" },
		{ "sine 19000Hz", "sine_19000Hz.wav" },   { "multi-sines", "multi-sines.wav" },
		{ "hf-noise", "hf-noise.wav" },           { "chirp-150-190", "chirp-150-190.wav" },
		{ "our gating test", "our_gating_test.wav" }, { "piano-D6", "piano-D6.wav" },
		{ "soprano-E4", "soprano-E4.wav" },       { "vibraphone-C6", "vibraphone-C6.wav" },
		{ "violin-B3", "violin-B3.wav" },
	};
	const char *dir0 = testdata("pyloudnorm-eval/pyloudnorm_preprint_tables.txt");
	if (!dir0) {
		SKIP("../shared/testdata/pyloudnorm-eval absent");
		return;
	}
	char table[1024], dir[1024];
	snprintf(table, sizeof table, "%s", dir0);
	snprintf(dir, sizeof dir, "%s", testdata("pyloudnorm-eval"));
	FILE *f = fopen(table, "r");
	CHECK(f != NULL);
	char line[1024];
	int found = 0;
	while (f && fgets(line, sizeof line, f)) {
		char name[256] = "", *tok, *save = NULL;
		double nums[16];
		int nn = 0;
		for (tok = strtok_r(line, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
			char *end;
			double v = strtod(tok, &end);
			if (*end == '\0' && (isdigit((unsigned char)tok[0]) || tok[0] == '-') && nn < 16 &&
			    (nn > 0 || isdigit((unsigned char)tok[tok[0] == '-'])))
				nums[nn++] = v;
			else if (nn == 0)
				snprintf(name + strlen(name), sizeof name - strlen(name), "%s%s", name[0] ? " " : "", tok);
			else
				break;
		}
		if (nn != 9)
			continue;
		for (size_t m = 0; m < sizeof map / sizeof map[0]; m++) {
			if (strcmp(name, map[m][0]))
				continue;
			char path[2048];
			snprintf(path, sizeof path, "%s/%s", dir, map[m][1]);
			mixdown_analysis *a = NULL;
			mixdown_error err;
			CHECK_INT(mixdown_analyze_file(path, NULL, &a, &err), MIXDOWN_SUCCESS);
			if (a) {
				CHECK_NEAR(a->loudness.integrated, nums[5], 0.1);
				printf("# %-22s I %.3f LUFS (libebur128 column %.2f)\n", map[m][1], a->loudness.integrated,
				       nums[5]);
				found++;
			}
			mixdown_analysis_free(a);
		}
	}
	if (f)
		fclose(f);
	CHECK_INT(found, 13);
}

/* ------------------------------------------------------ planted problems */

static float *stereo_buf(double rate, double secs, int64_t *n)
{
	*n = (int64_t)llround(secs * rate);
	return calloc((size_t)*n * 2, sizeof(float));
}

static mixdown_analysis *analyze_buf(const float *x, int64_t n, int ch, double rate, double interval)
{
	gen g;
	gen_start(&g, rate, ch, true, interval);
	if (g.z)
		mxd_analyzer_feed(g.z, x, (size_t)n, NULL);
	return gen_finish(&g);
}

/* A 1 kHz sine at -6 dBFS, hard-clipped at 0.5 (then scaled up to full scale)
 * between 2.000 and 2.500 s; one clip stretch within 10 ms of that. */
static void t_clip_located(void)
{
	const double rate = 48000;
	int64_t n;
	float *x = stereo_buf(rate, 4.0, &n);
	for (int64_t i = 0; i < n; i++) {
		double t = (double)i / rate, v = 0.5 * sin(2 * M_PI * 1000 * t);
		if (t >= 2.0 && t < 2.5)
			v = fmax(-1.0, fmin(1.0, 2.5 * v)); /* gain into the rails */
		x[2 * i] = x[2 * i + 1] = (float)v;
	}
	mixdown_analysis *a = analyze_buf(x, n, 2, rate, 1.0);
	free(x);
	if (!a)
		return;
	CHECK_INT(a->problems.n_clips, 1);
	CHECK(a->problems.clipped_samples > 1000);
	if (a->problems.n_clips >= 1) {
		CHECK_NEAR(a->problems.clips[0].start, 2.0, 0.01);
		CHECK_NEAR(a->problems.clips[0].end, 2.5, 0.01);
		CHECK_INT(a->problems.clips[0].channel_mask, 3);
		printf("# clip found at %.4f-%.4f s, %llu samples\n", a->problems.clips[0].start, a->problems.clips[0].end,
		       (unsigned long long)a->problems.clipped_samples);
	}
	/* Unclipped -6 dBFS parts make no clip and no over. */
	CHECK(a->problems.n_messages >= 1);
	mixdown_analysis_free(a);
}

/* Inter-sample over: fs/4 sine, 45 degrees, samples at 0 dBFS: TP +3 dBTP,
 * located; no clipped sample. Between 1 and 2 s of a quiet tone. */
static void t_inter_sample_over(void)
{
	const double rate = 48000;
	int64_t n;
	float *x = stereo_buf(rate, 3.0, &n);
	for (int64_t i = 0; i < n; i++) {
		double t = (double)i / rate;
		double v = t >= 1.0 && t < 2.0 ? sqrt(2.0) * 0.99999 * sin(M_PI / 2 * (double)i + M_PI / 4)
					       : 0.1 * sin(2 * M_PI * 1000 * t);
		x[2 * i] = x[2 * i + 1] = (float)v;
	}
	mixdown_analysis *a = analyze_buf(x, n, 2, rate, 1.0);
	free(x);
	if (!a)
		return;
	CHECK_NEAR(a->loudness.sample_peak, 0.0, 0.01);
	CHECK_TP(a->loudness.true_peak, 3.0);
	CHECK_INT(a->problems.clipped_samples, 0);
	CHECK_INT(a->problems.n_overs, 1);
	if (a->problems.n_overs) {
		CHECK_NEAR(a->problems.overs_at[0].start, 1.0, 0.011);
		CHECK_NEAR(a->problems.overs_at[0].end, 2.0, 0.011);
		printf("# over at %.3f-%.3f s, TP %.3f dBTP, sample peak %.4f dBFS\n", a->problems.overs_at[0].start,
		       a->problems.overs_at[0].end, a->loudness.true_peak, a->loudness.sample_peak);
	}
	mixdown_analysis_free(a);
}

/* DC offset, leading 1.5 s and trailing 2.25 s of silence, noise floor of a
 * -50 dBFS (peak) white noise in the pauses of a tone. */
static void t_dc_silence_noise(void)
{
	const double rate = 44100;
	int64_t n;
	float *x = stereo_buf(rate, 6.0, &n);
	int64_t lead = (int64_t)(1.5 * rate), tail = (int64_t)(2.25 * rate);
	for (int64_t i = lead; i < n - tail; i++) {
		double t = (double)i / rate;
		x[2 * i] = (float)(0.5 * sin(2 * M_PI * 440 * t) + 0.01);
		x[2 * i + 1] = (float)(0.5 * sin(2 * M_PI * 440 * t));
	}
	mixdown_analysis *a = analyze_buf(x, n, 2, rate, 1.0);
	if (a) {
		CHECK_NEAR(a->problems.leading_silence, 1.5, 0.001);
		CHECK_NEAR(a->problems.trailing_silence, 2.25, 0.001);
		/* DC: 0.01 over 2.25 s of 6 s on the left. */
		CHECK_NEAR(a->problems.dc_offset[0], 0.01 * (n - lead - tail) / (double)n, 2e-4);
		CHECK_NEAR(a->problems.dc_offset[1], 0.0, 2e-4);
		int found = 0;
		for (size_t i = 0; i < a->problems.n_messages; i++)
			found |= (strstr(a->problems.messages[i], "DC offset") ? 1 : 0) |
				 (strstr(a->problems.messages[i], "silence at start") ? 2 : 0) |
				 (strstr(a->problems.messages[i], "silence at end") ? 4 : 0);
		CHECK_INT(found, 7);
		printf("# silence %.4f / %.4f s, DC %.5f (%.1f dBFS)\n", a->problems.leading_silence,
		       a->problems.trailing_silence, a->problems.dc_offset[0], a->problems.dc_offset_max_dbfs);
	}
	mixdown_analysis_free(a);
	/* Noise floor: uniform noise of peak 10^(-50/20) is -54.8 dB mean square. */
	mxt_noise(x, n * 2, pow(10.0, -50.0 / 20.0), 7);
	for (int64_t i = lead; i < n - tail; i++) {
		double s = 0.5 * sin(2 * M_PI * 440 * (double)i / rate);
		x[2 * i] += (float)s;
		x[2 * i + 1] += (float)s;
	}
	a = analyze_buf(x, n, 2, rate, 1.0);
	free(x);
	if (a) {
		double want = -50.0 - 10.0 * log10(3.0);
		CHECK_NEAR(a->problems.noise_floor, want, 1.0);
		CHECK_NEAR(a->problems.leading_silence, 0.0, 0.001); /* the noise is above -60 dBFS */
		int found = 0;
		for (size_t i = 0; i < a->problems.n_messages; i++)
			found |= strstr(a->problems.messages[i], "noise floor") != NULL;
		CHECK(found);
		printf("# noise floor %.2f dBFS (planted %.2f)\n", a->problems.noise_floor, want);
	}
	mixdown_analysis_free(a);
}

/* ---------------------------------------------------------------- stereo */
static void t_stereo(void)
{
	const double rate = 48000;
	int64_t n;
	float *x = stereo_buf(rate, 5.0, &n), *nz = malloc((size_t)n * 2 * sizeof *nz);
	mxt_noise(nz, n * 2, 0.3, 11);
	/* identical */
	for (int64_t i = 0; i < n; i++)
		x[2 * i] = x[2 * i + 1] = nz[2 * i];
	mixdown_analysis *a = analyze_buf(x, n, 2, rate, 1.0);
	if (a) {
		CHECK_NEAR(a->stereo.correlation, 1.0, 1e-6);
		CHECK_NEAR(a->stereo.width, 0.0, 1e-6);
		CHECK_NEAR(a->stereo.balance, 0.0, 1e-6);
		CHECK_NEAR(a->stereo.mono_drop, 0.0, 0.01);
		for (size_t i = 0; i < a->series.n; i++)
			CHECK_NEAR(a->series.correlation[i], 1.0, 1e-6);
		printf("# identical: corr %.6f, mono drop %.4f LU\n", a->stereo.correlation, a->stereo.mono_drop);
	}
	mixdown_analysis_free(a);
	/* inverted */
	for (int64_t i = 0; i < n; i++)
		x[2 * i + 1] = -x[2 * i];
	a = analyze_buf(x, n, 2, rate, 1.0);
	if (a) {
		CHECK_NEAR(a->stereo.correlation, -1.0, 1e-6);
		CHECK(a->stereo.mono_drop > 40.0);
		CHECK(!isfinite(a->stereo.width));
		int found = 0;
		for (size_t i = 0; i < a->problems.n_messages; i++)
			found |= strstr(a->problems.messages[i], "phase") != NULL;
		CHECK(found);
		printf("# inverted: corr %.6f, mono drop %.2f LU\n", a->stereo.correlation, a->stereo.mono_drop);
	}
	mixdown_analysis_free(a);
	/* independent noise, right 6 dB quieter: balance +6 dB, corr ~ 0 */
	for (int64_t i = 0; i < n; i++)
		x[2 * i + 1] = 0.5f * nz[2 * i + 1];
	a = analyze_buf(x, n, 2, rate, 1.0);
	if (a) {
		CHECK_NEAR(a->stereo.correlation, 0.0, 0.01);
		CHECK_NEAR(a->stereo.balance, 20.0 * log10(2.0), 0.05);
		printf("# independent: corr %.5f, balance %.3f dB, width %.3f, mono drop %.2f LU\n", a->stereo.correlation,
		       a->stereo.balance, a->stereo.width, a->stereo.mono_drop);
	}
	mixdown_analysis_free(a);
	free(x);
	free(nz);
}

/* ------------------------------------------------------ JSON and the CLI */

/* A minimal JSON reader: enough to check types and fetch values by path. */
typedef struct jnode {
	char type; /* 'o' 'a' 's' 'n' 'b' 'z' (null) */
	double num;
	char *str;
	size_t n;
	char **keys;
	struct jnode *kids;
} jnode;

static const char *jparse(const char *p, jnode *out);

static const char *jws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *jstring(const char *p, char **out)
{
	if (*p != '"')
		return NULL;
	p++;
	size_t cap = 64, n = 0;
	char *s = malloc(cap);
	while (*p && *p != '"') {
		char c = *p++;
		if (c == '\\') {
			c = *p++;
			if (c == 'u') {
				c = (char)strtol((char[]){ p[0], p[1], p[2], p[3], 0 }, NULL, 16);
				p += 4;
			} else if (c == 'n') {
				c = '\n';
			}
		}
		if (n + 2 > cap)
			s = realloc(s, cap *= 2);
		s[n++] = c;
	}
	s[n] = 0;
	*out = s;
	return *p == '"' ? p + 1 : NULL;
}

static const char *jparse(const char *p, jnode *o)
{
	memset(o, 0, sizeof *o);
	p = jws(p);
	if (*p == '{' || *p == '[') {
		bool obj = *p == '{';
		o->type = obj ? 'o' : 'a';
		p = jws(p + 1);
		if (*p == (obj ? '}' : ']'))
			return p + 1;
		for (;;) {
			o->kids = realloc(o->kids, (o->n + 1) * sizeof *o->kids);
			o->keys = realloc(o->keys, (o->n + 1) * sizeof *o->keys);
			o->keys[o->n] = NULL;
			if (obj) {
				p = jstring(jws(p), &o->keys[o->n]);
				if (!p || *(p = jws(p)) != ':')
					return NULL;
				p++;
			}
			p = jparse(p, &o->kids[o->n]);
			o->n++;
			if (!p)
				return NULL;
			p = jws(p);
			if (*p == ',') {
				p++;
				continue;
			}
			if (*p == (obj ? '}' : ']'))
				return p + 1;
			return NULL;
		}
	}
	if (*p == '"') {
		o->type = 's';
		return jstring(p, &o->str);
	}
	if (!strncmp(p, "null", 4)) {
		o->type = 'z';
		return p + 4;
	}
	if (!strncmp(p, "true", 4) || !strncmp(p, "false", 5)) {
		o->type = 'b';
		o->num = *p == 't';
		return p + (*p == 't' ? 4 : 5);
	}
	char *end;
	o->num = strtod(p, &end);
	if (end == p)
		return NULL;
	o->type = 'n';
	return end;
}

static void jfree(jnode *o)
{
	for (size_t i = 0; i < o->n; i++) {
		jfree(&o->kids[i]);
		free(o->keys[i]);
	}
	free(o->kids);
	free(o->keys);
	free(o->str);
}

/* Path like "files/0/loudness/integrated". */
static const jnode *jget(const jnode *o, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", path);
	char *save = NULL;
	for (char *t = strtok_r(buf, "/", &save); t && o; t = strtok_r(NULL, "/", &save)) {
		const jnode *next = NULL;
		if (o->type == 'a') {
			size_t i = (size_t)atoi(t);
			next = i < o->n ? &o->kids[i] : NULL;
		} else if (o->type == 'o') {
			for (size_t i = 0; i < o->n; i++)
				if (!strcmp(o->keys[i], t))
					next = &o->kids[i];
		}
		o = next;
	}
	return o;
}

static bool json_parse_all(const char *text, jnode *root)
{
	const char *e = jparse(text, root);
	return e && *jws(e) == '\0';
}

/* Every key the schema promises, with its type ("n" number, "N" number or null, ...). */
static void check_schema_file(const jnode *root, size_t idx, int channels)
{
	static const char *const keys[][2] = {
		{ "path", "s" }, { "sample_rate", "n" }, { "channels", "n" }, { "frames", "n" }, { "duration", "n" },
		{ "loudness/integrated", "N" }, { "loudness/range", "n" }, { "loudness/momentary_max", "N" },
		{ "loudness/short_term_max", "N" }, { "loudness/true_peak", "N" }, { "loudness/sample_peak", "N" },
		{ "dynamics/crest_factor", "N" }, { "dynamics/plr", "N" }, { "dynamics/psr_min", "N" },
		{ "dynamics/dr", "N" }, { "dynamics/ride", "a" }, { "problems/clipped_samples", "n" },
		{ "problems/clips", "a" }, { "problems/inter_sample_overs", "n" }, { "problems/overs", "a" },
		{ "problems/dc_offset", "a" }, { "problems/dc_offset_max", "N" }, { "problems/leading_silence", "n" },
		{ "problems/trailing_silence", "n" }, { "problems/noise_floor", "N" }, { "problems/messages", "a" },
		{ "delivery", "a" }, { "delivery/0/platform", "s" }, { "delivery/0/gain", "n" },
		{ "delivery/0/true_peak_after", "N" }, { "delivery/0/clips", "b" }, { "delivery/0/ok", "b" },
		{ "series/interval", "n" }, { "series/momentary", "a" }, { "series/short_term", "a" },
		{ "spectrum/valid", "b" }, { "spectrum/bands_hz", "a" }, { "spectrum/level", "a" },
		{ "spectrum/broad/low", "N" }, { "spectrum/broad/low_mid", "N" }, { "spectrum/broad/high_mid", "N" },
		{ "spectrum/broad/high", "N" }, { "spectrum/tilt", "N" }, { "spectrum/centroid", "N" },
		{ "spectrum/resonances", "a" }, { "spectrum/sibilance", "a" },
		{ "compare", "a" }, { "feedback", "a" },
	};
	char path[300];
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		snprintf(path, sizeof path, "files/%zu/%s", idx, keys[k][0]);
		const jnode *v = jget(root, path);
		char want = keys[k][1][0];
		bool ok = v && (want == 'N' ? (v->type == 'n' || v->type == 'z') : v->type == want);
		CHECK_MSG(ok, "key %s: missing or not of type %c", path, want);
	}
	snprintf(path, sizeof path, "files/%zu/stereo", idx);
	const jnode *st = jget(root, path);
	CHECK(st && st->type == (channels >= 2 ? 'o' : 'z'));
	if (channels >= 2) {
		snprintf(path, sizeof path, "files/%zu/stereo/correlation", idx);
		CHECK(jget(root, path) && jget(root, path)->type == 'n');
	}
	static const char *const per_band[] = { "pan", "correlation", "mono_drop" }; /* null for mono */
	for (int k = 0; k < 3; k++) {
		snprintf(path, sizeof path, "files/%zu/spectrum/%s", idx, per_band[k]);
		CHECK(jget(root, path) && jget(root, path)->type == (channels >= 2 ? 'a' : 'z'));
	}
}

static void t_json_roundtrip(void)
{
	const char *dir = mxt_tempdir();
	const double rate = 48000;
	int64_t n = (int64_t)(4 * rate);
	float *x = malloc((size_t)n * 2 * sizeof *x);
	mxt_sine(x, n, 2, rate, 1000, pow(10.0, -23.0 / 20.0), 0);
	CHECK_INT(mxt_write_audio(mxt_path(dir, "tone.wav"), x, n, 2, (int)rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	mxt_sine(x, n, 1, rate, 1000, 0.1, 0);
	CHECK_INT(mxt_write_audio(mxt_path(dir, "mono.wav"), x, n, 1, (int)rate, SF_FORMAT_WAV | SF_FORMAT_PCM_24), 0);
	for (int64_t i = 0; i < n * 2; i++)
		x[i] = 0;
	CHECK_INT(mxt_write_audio(mxt_path(dir, "silent.wav"), x, n, 2, (int)rate, SF_FORMAT_WAV | SF_FORMAT_PCM_16), 0);
	free(x);

	/* Library writer, parsed back. */
	mixdown_analysis *a = NULL;
	mixdown_error err;
	CHECK_INT(mixdown_analyze_file(mxt_path(dir, "tone.wav"), NULL, &a, &err), MIXDOWN_SUCCESS);
	char *text = NULL;
	size_t len = 0;
	FILE *mf = open_memstream(&text, &len);
	CHECK_INT(mixdown_analysis_write_json(a, mf), 0);
	fclose(mf);
	jnode root;
	CHECK(json_parse_all(text, &root));
	const jnode *sch = jget(&root, "schema");
	CHECK(sch && sch->type == 's' && !strcmp(sch->str, "mixdown-analysis/1"));
	check_schema_file(&root, 0, 2);
	const jnode *I = jget(&root, "files/0/loudness/integrated");
	CHECK(I && I->type == 'n');
	if (I && a)
		CHECK_NEAR(I->num, a->loudness.integrated, 1e-4);
	CHECK_NEAR(I ? I->num : 0, -23.0, 0.1);
	jfree(&root);
	free(text);
	mixdown_analysis_free(a);

	/* Through the command line: three files, stdout is only the document. */
	int rc = mxt_run_cli("analyze --json '%s' '%s' '%s'", mxt_path(dir, "tone.wav"), mxt_path(dir, "mono.wav"),
			     mxt_path(dir, "silent.wav"));
	CHECK_INT(rc, 0);
	CHECK(json_parse_all(mxt_cli_out, &root));
	const jnode *files = jget(&root, "files");
	CHECK(files && files->type == 'a' && files->n == 3);
	if (files && files->n == 3) {
		check_schema_file(&root, 0, 2);
		check_schema_file(&root, 1, 1);
		check_schema_file(&root, 2, 2);
		const jnode *si = jget(&root, "files/2/loudness/integrated");
		CHECK(si && si->type == 'z'); /* -inf is null */
		const jnode *mi = jget(&root, "files/1/loudness/integrated");
		CHECK(mi && mi->type == 'n');
		if (mi)
			CHECK_NEAR(mi->num, -20.0 - 3.01, 0.1);
	}
	jfree(&root);
	/* --target keeps one delivery entry. */
	rc = mxt_run_cli("analyze --json --target spotify '%s'", mxt_path(dir, "tone.wav"));
	CHECK_INT(rc, 0);
	CHECK(json_parse_all(mxt_cli_out, &root));
	const jnode *dl = jget(&root, "files/0/delivery");
	CHECK(dl && dl->n == 1);
	const jnode *g = jget(&root, "files/0/delivery/0/gain");
	CHECK(g && g->type == 'n');
	if (g)
		CHECK_NEAR(g->num, 9.0, 0.1); /* -23 -> -14, TP -23: enough headroom */
	jfree(&root);
	/* Text output. */
	rc = mxt_run_cli("analyze '%s'", mxt_path(dir, "tone.wav"));
	CHECK_INT(rc, 0);
	CHECK_STR_CONTAINS(mxt_cli_out, "integrated -23.0 LUFS");
	CHECK_STR_CONTAINS(mxt_cli_out, "Spotify");
}

static void t_cli_errors(void)
{
	const char *dir = mxt_tempdir();
	int rc = mxt_run_cli("analyze --json '%s'", mxt_path(dir, "missing-file.wav"));
	CHECK_INT(rc, 1);
	CHECK_STR_CONTAINS(mxt_cli_err, "missing-file.wav");
	CHECK(strstr(mxt_cli_out, "\"files\": [") != NULL); /* still a valid, empty document */
	CHECK_INT(mxt_run_cli("analyze"), 2);
	CHECK_INT(mxt_run_cli("analyze --bogus x.wav"), 2);
	CHECK_INT(mxt_run_cli("analyze --target nowhere x.wav"), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "nowhere");
	CHECK_INT(mxt_run_cli("analyze --target"), 2);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_3341_1_2_steady),     MXT(t_3341_3_4_5_gating),   MXT(t_3341_6_surround),
		MXT(t_3341_9_12_constant),  MXT(t_3341_10_13_files),    MXT(t_3341_11_14_live),
		MXT(t_3341_15_19_true_peak), MXT(t_3341_20_23_true_peak), MXT(t_3342_lra),
		MXT(t_pyloudnorm_eval),     MXT(t_clip_located),        MXT(t_inter_sample_over),
		MXT(t_dc_silence_noise),    MXT(t_stereo),              MXT(t_json_roundtrip),
		MXT(t_cli_errors),
	};
	return MXT_RUN(cases);
}
