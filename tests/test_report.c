/* mixdown — the HTML report (mixdown_analysis_write_html) and the vectorscope
 * grid it draws.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Vectorscope: signals whose side/mid position is known exactly (L = R,
 * L = -R, left only) must land in the documented column, row and diagonal,
 * at the documented power-of-two scale, also in the JSON document.
 * Report: analyses of synthesized WAV files plus a hand-made multitrack
 * analysis (two tracks, one masking entry) are written as HTML; the page
 * must hold every plot, no network reference, and escape a path made of
 * <&">. The SVG primitives are checked against their analytic mapping.
 * Then, when /usr/bin/chromium exists (scripts/setup.sh installs it), the
 * page is rendered headless: the DOM must keep the plots with their drawn
 * paths and rects, and a screenshot must be a PNG of real size.
 */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "analysis/report_html.h"
#include "harness.h"
#include "mixdown/mixdown.h"
#include "util.h"

#define RATE 48000
#define N MIXDOWN_SCOPE

/* A stereo sine, R = gr * L, written as float WAV and analyzed. */
static mixdown_analysis *analyze_pair(const char *dir, const char *name, double amp, double gr)
{
	const int64_t n = RATE; /* 1 s */
	float *x = malloc((size_t)n * 2 * sizeof *x);
	for (int64_t i = 0; i < n; i++) {
		const float l = (float)(amp * sin(2.0 * M_PI * 997.0 * (double)i / RATE));
		x[2 * i] = l;
		x[2 * i + 1] = (float)gr * l;
	}
	CHECK_INT(mxt_write_audio(mxt_path(dir, name), x, n, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	free(x);
	mixdown_analysis *a = NULL;
	CHECK_INT(mixdown_analyze_file(mxt_path(dir, name), NULL, &a, NULL), MIXDOWN_SUCCESS);
	return a;
}

static uint64_t scope_total(const mixdown_analysis *a)
{
	uint64_t t = 0;
	for (size_t i = 0; i < (size_t)N * N; i++)
		t += a->vectorscope[i];
	return t;
}

static void t_scope_mono_compatible(void)
{
	mixdown_analysis *a = analyze_pair(mxt_tempdir(), "same.wav", 0.5, 1.0);
	CHECK(a && a->vectorscope);
	if (!a || !a->vectorscope) {
		mixdown_analysis_free(a);
		return;
	}
	/* |M| <= 0.5 exactly (a float sine of peak 0.5), S = 0: scale 1/2, all in column 24. */
	CHECK_NEAR(a->vectorscope_scale, 0.5, 0);
	uint64_t col = 0;
	for (int y = 0; y < N; y++)
		col += a->vectorscope[y * N + N / 2];
	const uint64_t total = scope_total(a);
	CHECK_INT(col, total);
	CHECK(total > RATE - 100); /* only the sine's exact zeros are left out */
	/* The sine reaches both ends of the mid axis. */
	CHECK(a->vectorscope[0 * N + N / 2] > 0 && a->vectorscope[(N - 1) * N + N / 2] > 0);
	printf("# L = R: %llu of %d frames in column 24, scale %g\n", (unsigned long long)col, RATE,
	       a->vectorscope_scale);
	mixdown_analysis_free(a);
}

static void t_scope_anti_phase(void)
{
	mixdown_analysis *a = analyze_pair(mxt_tempdir(), "anti.wav", 0.5, -1.0);
	CHECK(a && a->vectorscope);
	if (!a || !a->vectorscope) {
		mixdown_analysis_free(a);
		return;
	}
	CHECK_NEAR(a->vectorscope_scale, 0.5, 0);
	uint64_t row = 0;
	for (int x = 0; x < N; x++)
		row += a->vectorscope[(N / 2) * N + x];
	CHECK_INT(row, scope_total(a));
	CHECK(row > RATE - 100);
	CHECK(a->vectorscope[(N / 2) * N + 0] > 0 && a->vectorscope[(N / 2) * N + N - 1] > 0);
	mixdown_analysis_free(a);
}

static void t_scope_hard_left(void)
{
	mixdown_analysis *a = analyze_pair(mxt_tempdir(), "left.wav", 0.5, 0.0);
	CHECK(a && a->vectorscope);
	if (!a || !a->vectorscope) {
		mixdown_analysis_free(a);
		return;
	}
	/* S = M = L/2, |.| <= 0.25: scale 1/4, diagonal x = y, both ends reached. */
	CHECK_NEAR(a->vectorscope_scale, 0.25, 0);
	uint64_t diag = 0;
	for (int i = 0; i < N; i++)
		diag += a->vectorscope[i * N + i];
	CHECK_INT(diag, scope_total(a));
	CHECK(diag > RATE - 100);
	CHECK(a->vectorscope[0] > 0 && a->vectorscope[(N - 1) * N + N - 1] > 0);
	mixdown_analysis_free(a);
}

static void t_scope_scale_json_mono(void)
{
	const char *dir = mxt_tempdir();
	/* Peak 0.01: the smallest power of two at or above it is 1/64. */
	mixdown_analysis *a = analyze_pair(dir, "quiet.wav", 0.01, 1.0);
	CHECK(a && a->vectorscope);
	if (a && a->vectorscope) {
		CHECK_NEAR(a->vectorscope_scale, 1.0 / 64.0, 0);
		char *text = NULL;
		size_t len = 0;
		FILE *mf = open_memstream(&text, &len);
		CHECK_INT(mixdown_analysis_write_json(a, mf), 0);
		fclose(mf);
		CHECK_STR_CONTAINS(text, "\"vectorscope\": {\"size\": 48, \"scale\": 0.015625, \"counts\": [");
		/* The counts as written: 48 x 48 numbers summing to the grid's total. */
		const char *c = text ? strstr(text, "\"counts\": [") : NULL;
		size_t cells = 0;
		unsigned long long sum = 0;
		for (const char *p = c ? c + 11 : NULL; p && *p && *p != ']'; p++)
			if (*p >= '0' && *p <= '9') {
				char *e;
				sum += strtoull(p, &e, 10);
				cells++;
				p = e - 1;
			}
		CHECK_INT(cells, N * N);
		CHECK_INT(sum, scope_total(a));
		free(text);
	}
	mixdown_analysis_free(a);

	float x[RATE];
	for (int i = 0; i < RATE; i++)
		x[i] = (float)(0.3 * sin(2.0 * M_PI * 440.0 * i / RATE));
	CHECK_INT(mxt_write_audio(mxt_path(dir, "mono.wav"), x, RATE, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_PCM_24), 0);
	a = NULL;
	CHECK_INT(mixdown_analyze_file(mxt_path(dir, "mono.wav"), NULL, &a, NULL), MIXDOWN_SUCCESS);
	CHECK(a && !a->vectorscope);
	mixdown_analysis_free(a);
}

/* ------------------------------------------------------------ SVG primitives */

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* "nan" / "inf" as a word (a printf of a non-finite number), any case. */
static bool printed_non_finite(const char *h)
{
	for (const char *p = h; p && *p; p++) {
		if (strncasecmp(p, "nan", 3) && strncasecmp(p, "inf", 3))
			continue;
		const bool before = p > h && isalpha((unsigned char)p[-1]), after = isalpha((unsigned char)p[3]);
		if (!before && !after)
			return true;
	}
	return false;
}

static void t_svg_primitives(void)
{
	size_t len = 0;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);
	mxr_plot p;
	/* viewBox 1000 x 300, margins 50/14 (x) and 20/28 (y): area 936 x 252 from (50, 20). */
	mxr_plot_begin(&p, f, "t", "test", 1000, 300, 0.0, 10.0, false, -30.0, -6.0);
	CHECK_NEAR(mxr_px(&p, 5.0), 50 + 0.5 * 936, 1e-9);
	CHECK_NEAR(mxr_py(&p, -18.0), 20 + 0.5 * 252, 1e-9);
	CHECK_NEAR(mxr_py(&p, -100.0), 20 + 252, 1e-9); /* clamped to the bottom edge */
	const double y[] = { -20, -10, NAN, -12, -14, -INFINITY, -8 };
	mxr_line(&p, NULL, 1.0, 1.0, y, 7, "s");
	mxr_plot_end(&p);
	/* Log axis: 20 Hz .. 20 kHz, 1 kHz is at half the width (3 decades, 1.5 in). */
	mxr_plot q;
	mxr_plot_begin(&q, f, "u", "test", 1000, 300, 20.0, 20000.0, true, -1, 1);
	CHECK_NEAR(mxr_px(&q, 632.455532), 50 + 0.5 * 936, 1e-6);
	mxr_plot_end(&q);
	mxr_esc(f, "<a&b \"c\" 'd'> \x01 \xC3\xA9 \xFF.");
	fclose(f);
	/* Three pieces: [-20, -10], [-12, -14], and the lone -8 (drawn as a dot). */
	const char *d = strstr(buf, "<path class=\"s\" d=\"");
	CHECK(d != NULL);
	if (d) {
		char piece[400];
		snprintf(piece, sizeof piece, "%.*s", (int)strcspn(d + 19, "\""), d + 19);
		CHECK_INT(count(piece, "M"), 3);
		CHECK_INT(count(piece, "L"), 2);
		CHECK_INT(count(piece, "h0.1"), 1);
		/* First point: t = 1 s -> x = 50 + 93.6; -20 is 10/24 up the range -> y = 20 + 252 * 14/24 = 167. */
		CHECK_STR_CONTAINS(piece, "M143.6 167.0L");
	}
	CHECK_STR_CONTAINS(buf, "&lt;a&amp;b &quot;c&quot; &#39;d&#39;&gt; \xEF\xBF\xBD \xC3\xA9 \xEF\xBF\xBD.");
	free(buf);
}

/* ------------------------------------------------------------------ report */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	size_t got = fread(s, 1, (size_t)n, f);
	s[got] = 0;
	fclose(f);
	if (len)
		*len = got;
	return s;
}

/* The test fixture: a stereo mix (with a path of HTML specials), a mono
 * file, comparisons and feedback filled in, and a multitrack analysis. */
typedef struct {
	char dir[256], report[300];
	mixdown_analysis *mix, *mono;
	char names[2][128];
	bool is_bus[2];
	mixdown_analysis *tracks[2];
	mixdown_masking masking[1];
	mixdown_alignment alignment[1];
	mixdown_feedback feedback[1];
	mixdown_multitrack_analysis m;
} fixture;

static fixture fx;
static bool fx_ready;

static void make_mix(const char *path)
{
	/* 8 s: 3 s quiet, 5 s loud; noise plus a 100 Hz tone, partly correlated sides. */
	const int64_t n = 8 * RATE;
	float *x = malloc((size_t)n * 2 * sizeof *x);
	float *nz = malloc((size_t)n * 2 * sizeof *nz);
	mxt_noise(nz, n * 2, 1.0, 7);
	for (int64_t i = 0; i < n; i++) {
		const double g = i < 3 * RATE ? 0.05 : 0.3;
		const double tone = 0.5 * sin(2.0 * M_PI * 100.0 * (double)i / RATE);
		const double common = nz[2 * i], other = nz[2 * i + 1];
		x[2 * i] = (float)(g * (tone + 0.6 * common + 0.4 * other));
		x[2 * i + 1] = (float)(g * (tone + 0.6 * common - 0.4 * other));
	}
	CHECK_INT(mxt_write_audio(path, x, n, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_PCM_24), 0);
	free(x);
	free(nz);
}

static void fixture_setup(void)
{
	if (fx_ready)
		return;
	/* realpath: no "//" from a TMPDIR ending in a slash (the page must have none). */
	char real[PATH_MAX];
	if (!realpath(mxt_tempdir(), real) || strlen(real) >= sizeof fx.dir) {
		CHECK(!"realpath of the temporary directory");
		return;
	}
	memcpy(fx.dir, real, strlen(real) + 1);
	char path[300];
	snprintf(path, sizeof path, "%s/mix <a&b> \"q\".wav", fx.dir);
	make_mix(path);
	CHECK_INT(mixdown_analyze_file(path, NULL, &fx.mix, NULL), MIXDOWN_SUCCESS);
	float x[2 * RATE];
	for (int i = 0; i < 2 * RATE; i++)
		x[i] = (float)(0.2 * sin(2.0 * M_PI * 220.0 * i / RATE));
	CHECK_INT(
		mxt_write_audio(mxt_path(fx.dir, "vocal.wav"), x, 2 * RATE, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_PCM_16),
		0);
	CHECK_INT(mixdown_analyze_file(mxt_path(fx.dir, "vocal.wav"), NULL, &fx.mono, NULL), MIXDOWN_SUCCESS);
	if (!fx.mix || !fx.mono)
		return;
	mixdown_analysis *a = fx.mix;
	if (!a->spectrum.valid) { /* the spectrum module may not have filled it: a -6 dB/octave slope */
		a->spectrum.valid = true;
		for (size_t k = 0; k < MIXDOWN_BANDS; k++)
			a->spectrum.level[k] = -20.0 - 2.0 * ((double)k - 17.0);
	}
	/* One reference and one target, drawn against the mix. */
	free(a->compare);
	a->compare = calloc(2, sizeof *a->compare);
	a->n_compare = 2;
	snprintf(a->compare[0].name, sizeof a->compare[0].name, "/refs/ref & co.wav");
	snprintf(a->compare[1].name, sizeof a->compare[1].name, "pop");
	a->compare[1].is_target = true;
	for (size_t k = 0; k < MIXDOWN_BANDS; k++) {
		a->compare[0].ref_level[k] = a->compare[0].ref_low[k] = a->compare[0].ref_high[k] = -10.0 - (double)k;
		a->compare[1].ref_level[k] = -12.0 - 0.8 * (double)k;
		a->compare[1].ref_low[k] = a->compare[1].ref_level[k] - 4.0;
		a->compare[1].ref_high[k] = a->compare[1].ref_level[k] + 3.0;
	}
	free(a->feedback);
	a->feedback = calloc(1, sizeof *a->feedback);
	a->n_feedback = 1;
	a->feedback[0].priority = 2;
	snprintf(a->feedback[0].topic, sizeof a->feedback[0].topic, "tone");
	snprintf(a->feedback[0].text, sizeof a->feedback[0].text, "Cut 3 dB <200 Hz & keep the \"air\"");

	snprintf(fx.names[0], sizeof fx.names[0], "Bass & Sub");
	snprintf(fx.names[1], sizeof fx.names[1], "Vocal");
	fx.is_bus[0] = true;
	fx.tracks[0] = fx.mix;
	fx.tracks[1] = fx.mono;
	fx.masking[0] =
		(mixdown_masking){ .low_hz = 178.0, .high_hz = 355.0, .amount = 7.5, .cut_hz = 250.0, .overlap = 0.8 };
	snprintf(fx.masking[0].masked, sizeof fx.masking[0].masked, "Vocal");
	snprintf(fx.masking[0].masker, sizeof fx.masking[0].masker, "Bass & Sub");
	fx.alignment[0] = (mixdown_alignment){ .correlation = 0.93, .offset_ms = 1.25, .inverted = true };
	snprintf(fx.alignment[0].a, sizeof fx.alignment[0].a, "Bass & Sub");
	snprintf(fx.alignment[0].b, sizeof fx.alignment[0].b, "Vocal");
	fx.feedback[0] = (mixdown_feedback){ .priority = 1 };
	snprintf(fx.feedback[0].topic, sizeof fx.feedback[0].topic, "masking");
	snprintf(fx.feedback[0].text, sizeof fx.feedback[0].text, "Vocal is buried by Bass <Sub> around 250 Hz.");
	fx.m = (mixdown_multitrack_analysis){ .n_tracks = 2,
					      .names = fx.names,
					      .is_bus = fx.is_bus,
					      .tracks = fx.tracks,
					      .n_alignment = 1,
					      .alignment = fx.alignment,
					      .n_masking = 1,
					      .masking = fx.masking,
					      .n_feedback = 1,
					      .feedback = fx.feedback };

	snprintf(fx.report, sizeof fx.report, "%s/report.html", fx.dir);
	FILE *f = fopen(fx.report, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	const mixdown_analysis *const list[2] = { fx.mix, fx.mono };
	CHECK_INT(mixdown_analysis_write_html(list, 2, &fx.m, f), 0);
	fclose(f);
	fx_ready = true;
}

static void t_report_content(void)
{
	fixture_setup();
	if (!fx_ready)
		return;
	size_t len = 0;
	char *h = slurp(fx.report, &len);
	CHECK(h != NULL);
	if (!h)
		return;
	printf("# report: %zu bytes\n", len);
	CHECK(!strncmp(h, "<!DOCTYPE html>", 15));
	static const char *const ids[] = { "loudness-plot", "spectrum-plot", "correlation-plot",
					   "vectorscope",   "track-levels",  "masking-map" };
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		char want[64];
		snprintf(want, sizeof want, "<svg class=\"plot%s\" id=\"%s\"",
			 !strcmp(ids[i], "vectorscope") ? " scope" : "", ids[i]);
		CHECK_STR_CONTAINS(h, want);
	}
	/* Self-contained: no URL, no fetched resource, no script. */
	static const char *const banned[] = { "http:", "https:", "//",      "<link", "<script",
					      "src=",  "url(",   "@import", "<img",  "<iframe" };
	for (size_t i = 0; i < sizeof banned / sizeof banned[0]; i++)
		CHECK_MSG(!strstr(h, banned[i]), "the report contains \"%s\"", banned[i]);
	/* Escaping: the raw specials never reach the page. */
	CHECK_STR_CONTAINS(h, "<h2>mix &lt;a&amp;b&gt; &quot;q&quot;.wav</h2>");
	CHECK(!strstr(h, "<a&b>") && !strstr(h, "\"q\".wav"));
	CHECK_STR_CONTAINS(h, "Cut 3 dB &lt;200 Hz &amp; keep the &quot;air&quot;");
	CHECK_STR_CONTAINS(h, "Bass &amp; Sub");
	CHECK_STR_CONTAINS(h, "Bass &lt;Sub&gt; around 250 Hz");
	CHECK_STR_CONTAINS(h, "ref &amp; co.wav");
	CHECK(!strstr(h, "Bass & Sub") && !strstr(h, "<Sub>"));
	/* Balanced structure. */
	CHECK_INT(count(h, "<svg"), count(h, "</svg>"));
	CHECK_INT(count(h, "<section"), count(h, "</section>"));
	CHECK_INT(count(h, "<article"), count(h, "</article>"));
	CHECK_INT(count(h, "<article"), 3); /* two files, one multitrack card */
	CHECK_INT(count(h, "<table"), count(h, "</table>"));
	/* Numbers as measured, with units. */
	char want[96];
	snprintf(want, sizeof want, "<div class=\"v\">%.1f&#160;LUFS</div>", fx.mix->loudness.integrated);
	CHECK_STR_CONTAINS(h, want);
	snprintf(want, sizeof want, "<li class=\"i\">integrated %.1f&#160;LUFS</li>", fx.mix->loudness.integrated);
	CHECK_STR_CONTAINS(h, want);
	/* The plots are drawn: series, target band, reference line, density cells, bars, masking cell. */
	CHECK_STR_CONTAINS(h, "<path class=\"s\" d=\"M");
	CHECK_STR_CONTAINS(h, "<path class=\"m\" d=\"M");
	CHECK_STR_CONTAINS(h, "<path class=\"c\" d=\"M");
	CHECK_STR_CONTAINS(h, "<line class=\"i\""); /* the integrated loudness */
	CHECK_STR_CONTAINS(h, "<path class=\"b1\" d=\"M");
	CHECK_STR_CONTAINS(h, "<path class=\"r0\" d=\"M");
	CHECK_STR_CONTAINS(h, "<path class=\"mix\" d=\"M");
	CHECK_STR_CONTAINS(h, "<path class=\"cell\"");
	CHECK_STR_CONTAINS(h, "<rect class=\"bar bus\"");
	CHECK_STR_CONTAINS(h, "<rect class=\"mask\"");
	CHECK_STR_CONTAINS(h, "Vocal: 7.5&#160;dB in 178&#160;Hz&#8211;355&#160;Hz");
	/* 8 series points (1 s apart) for the 8 s mix: 7 line segments in the short-term path. */
	const char *s = strstr(h, "<path class=\"s\" d=\"");
	if (s) {
		char piece[2000];
		snprintf(piece, sizeof piece, "%.*s", (int)strcspn(s + 19, "\""), s + 19);
		CHECK_INT(count(piece, "M") + count(piece, "L"), fx.mix->series.n);
	}
	CHECK(!printed_non_finite(h));
	/* The mono file: no stereo plots, said in words. */
	CHECK_STR_CONTAINS(h, "Mono file: no stereo image.");
	CHECK_STR_CONTAINS(h, "Mono file: no stereo correlation.");
	free(h);
}

/* Silent and very short files, no files at all, and a failing FILE. */
static void t_report_edges(void)
{
	const char *dir = mxt_tempdir();
	static float x[2 * RATE / 10];
	memset(x, 0, sizeof x);
	CHECK_INT(mxt_write_audio(mxt_path(dir, "silent.wav"), x, RATE / 10, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_PCM_16),
		  0);
	mixdown_analysis *a = NULL;
	CHECK_INT(mixdown_analyze_file(mxt_path(dir, "silent.wav"), NULL, &a, NULL), MIXDOWN_SUCCESS);
	if (!a)
		return;
	CHECK(a->vectorscope && scope_total(a) == 0); /* digital silence is not counted */
	char *h = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&h, &len);
	const mixdown_analysis *const one[1] = { a };
	CHECK_INT(mixdown_analysis_write_html(one, 1, NULL, f), 0);
	fclose(f);
	CHECK_STR_CONTAINS(h, "Nothing to plot");
	CHECK_STR_CONTAINS(h, "<div class=\"v\">silent</div>");
	CHECK(!strstr(h, "id=\"loudness-plot\""));
	CHECK(!printed_non_finite(h));
	CHECK_INT(count(h, "<section"), count(h, "</section>"));
	free(h);

	h = NULL;
	f = open_memstream(&h, &len);
	CHECK_INT(mixdown_analysis_write_html(NULL, 0, NULL, f), 0);
	fclose(f);
	CHECK_STR_CONTAINS(h, "Nothing was analyzed.");
	CHECK_STR_CONTAINS(h, "</html>");
	free(h);

	f = fopen("/dev/full", "w");
	if (f) {
		CHECK_INT(mixdown_analysis_write_html(one, 1, NULL, f), -1);
		fclose(f);
	}
	mixdown_analysis_free(a);
}

/* ------------------------------------------------------ headless Chromium */

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The <svg ...> element with id `id` in the DOM, or NULL; *end: its end. */
static const char *svg_of(const char *dom, const char *id, const char **end)
{
	char want[64];
	snprintf(want, sizeof want, "id=\"%s\"", id);
	const char *p = strstr(dom, want);
	if (!p)
		return NULL;
	while (p > dom && strncmp(p, "<svg", 4))
		p--;
	*end = strstr(p, "</svg>");
	return *end ? p : NULL;
}

static bool has_drawing(const char *from, const char *to)
{
	/* A <path> with a non-empty d, or a <rect> with a width. */
	for (const char *p = from; (p = strstr(p, "<path")) && p < to; p++) {
		const char *d = strstr(p, " d=\"");
		if (d && d < to && d[4] == 'M')
			return true;
	}
	for (const char *p = from; (p = strstr(p, "<rect class=\"")) && p < to; p++)
		if (strncmp(p, "<rect class=\"frame\"", 19))
			return true;
	return false;
}

static void t_chromium_renders(void)
{
	const char *chromium = "/usr/bin/chromium";
	if (access(chromium, X_OK) != 0) {
		SKIP("chromium is not installed (scripts/setup.sh installs it)");
		return;
	}
	fixture_setup();
	if (!fx_ready)
		return;
	char profile[300], dom[300], png[300], cmd[2048];
	snprintf(profile, sizeof profile, "%s/chromium-profile", fx.dir);
	snprintf(dom, sizeof dom, "%s/dom.html", fx.dir);
	snprintf(png, sizeof png, "%s/shot.png", fx.dir);
	mkdir(profile, 0700);
	const char *flags = "--headless --no-sandbox --disable-gpu --no-first-run --disable-extensions "
			    "--disable-background-networking --disable-dev-shm-usage --hide-scrollbars";
	/* One run does both (a browser start is most of the time): the DOM on
	 * stdout and a 1200 x 2400 screenshot. */
	double t0 = now();
	snprintf(cmd, sizeof cmd,
		 "timeout 40 %s %s --user-data-dir='%s' --window-size=1200,2400 --screenshot='%s' --dump-dom "
		 "'file://%s' >'%s' 2>/dev/null",
		 chromium, flags, profile, png, fx.report, dom);
	int rc = system(cmd);
	double t1 = now();
	CHECK_INT(rc, 0);
	char *d = slurp(dom, NULL);
	CHECK(d && strlen(d) > 1000);
	static const char *const ids[] = { "loudness-plot", "spectrum-plot", "correlation-plot",
					   "vectorscope",   "track-levels",  "masking-map" };
	for (size_t i = 0; d && i < sizeof ids / sizeof ids[0]; i++) {
		const char *end = NULL, *svg = svg_of(d, ids[i], &end);
		CHECK_MSG(svg != NULL, "the rendered DOM has no <svg id=\"%s\">", ids[i]);
		if (svg)
			CHECK_MSG(has_drawing(svg, end), "<svg id=\"%s\"> has no drawn path or rect", ids[i]);
	}
	if (d)
		CHECK_STR_CONTAINS(d, "mix &lt;a&amp;b&gt; \"q\".wav"); /* parsed as text, re-serialized */
	free(d);
	size_t len = 0;
	char *img = slurp(png, &len);
	CHECK(img && len > 8 && !memcmp(img, "\x89PNG\r\n\x1a\n", 8));
	CHECK_MSG(len > 20000, "screenshot only %zu bytes", len);
	if (img && len > 24) { /* IHDR: big-endian width and height at bytes 16 and 20 */
		const unsigned char *u = (const unsigned char *)img;
		CHECK_INT(((u[16] << 24) | (u[17] << 16) | (u[18] << 8) | u[19]), 1200);
		CHECK_INT(((u[20] << 24) | (u[21] << 16) | (u[22] << 8) | u[23]), 2400);
	}
	free(img);
	printf("# chromium: DOM and screenshot (%zu bytes) in %.1f s\n", len, t1 - t0);
}

static void t_cleanup(void)
{
	mixdown_analysis_free(fx.mix);
	mixdown_analysis_free(fx.mono);
	fx.mix = fx.mono = NULL;
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_scope_mono_compatible), MXT(t_scope_anti_phase), MXT(t_scope_hard_left),
		MXT(t_scope_scale_json_mono), MXT(t_svg_primitives),   MXT(t_report_content), MXT(t_report_edges),
		MXT(t_chromium_renders),      MXT(t_cleanup),
	};
	return MXT_RUN(cases);
}
