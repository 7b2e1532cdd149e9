/* mixdown — references and spectral targets: the K-weighted loudness of a
 * band spectrum, the built-in genre targets, comparisons (hand-made analyses
 * with planted differences, and real files when the spectrum module is
 * built), target percentiles, the "mixdown-target/1" JSON round trip, broken
 * target files, and `mixdown target build|list|show`.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Levels in dB relative to integrated loudness (dB re. LUFS); loudness LUFS.
 * Expected values are analytic (BS.1770 constants, percentile definition,
 * planted offsets), or exact properties of the documented models. */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/analysis.h"
#include "harness.h"
#include "mixdown/mixdown.h"
#include "util.h"

/* A hand-made analysis: band levels rel[] relative to loudness I (mono files
 * carry the +3.01 dB convention of compare.c). */
static mixdown_analysis *hand(double I, const double *rel, uint32_t channels)
{
	mixdown_analysis *a = calloc(1, sizeof *a);
	snprintf(a->path, sizeof a->path, "/some/dir/hand-%u.wav", channels);
	a->channels = channels;
	a->sample_rate = 48000;
	a->loudness.integrated = I;
	a->loudness.range = 6;
	a->dynamics.plr = 10;
	a->stereo.valid = channels >= 2;
	a->stereo.width = 0.3;
	a->spectrum.valid = true;
	for (size_t k = 0; k < MIXDOWN_BANDS; k++)
		a->spectrum.level[k] = rel[k] + I + (channels == 1 ? MXD_MONO_OFFSET : 0.0);
	return a;
}

static void flat(double *v, double x)
{
	for (size_t k = 0; k < MIXDOWN_BANDS; k++)
		v[k] = x;
}

/* ------------------------------------------------------------------ model */

static void t_kweight_and_band_loudness(void)
{
	/* The -0.691 of BS.1770 cancels the K gain at 1 kHz (eq. 2). */
	CHECK_NEAR(mxd_kweight_db(1000.0), 0.691, 0.01);
	/* High shelf of stage 1: about +4 dB well above 2 kHz. */
	CHECK(mxd_kweight_db(10000.0) > 3.5 && mxd_kweight_db(10000.0) < 4.3);
	/* RLB high-pass: far down at 20 Hz, flat by 1 kHz. */
	CHECK(mxd_kweight_db(20.0) < -10.0);
	/* A stereo 1 kHz sine of -20 dBFS peak: per-channel mean square -23.01 dBFS,
	 * integrated loudness -20.0 LUFS (EBU Tech 3341 case 1 at -20 instead of -23). */
	double lv[MIXDOWN_BANDS];
	for (size_t k = 0; k < MIXDOWN_BANDS; k++)
		lv[k] = -INFINITY;
	lv[17] = -20.0 - 3.0103;
	CHECK_NEAR(mxd_band_lufs(lv), -20.0, 0.01);
	lv[18] = lv[17] - mxd_kweight_db(mixdown_band_centre(18)) + mxd_kweight_db(1000.0); /* same K-weighted power */
	CHECK_NEAR(mxd_band_lufs(lv), -20.0 + 3.0103, 0.01);
	flat(lv, -INFINITY);
	CHECK(isinf(mxd_band_lufs(lv)));
}

static void t_builtin_targets(void)
{
	static const char *const names[] = { "pop", "rock", "hip-hop", "electronic", "classical", "podcast" };
	CHECK_INT(mixdown_target_builtin_count(), 6);
	CHECK(mixdown_target_builtin(6) == NULL);
	for (size_t i = 0; i < 6; i++) {
		const mixdown_target *t = mixdown_target_builtin(i);
		CHECK(t && !strcmp(t->name, names[i]));
		if (!t)
			continue;
		CHECK(mixdown_target_find(names[i]) == t);
		CHECK(strstr(t->source, "MODEL") || strstr(t->source, "STATED SHAPE"));
		CHECK(strlen(t->source) < sizeof t->source - 1); /* not cut off */
		CHECK_INT(t->n_files, 0);
		/* Levels are relative to loudness: a stereo programme with them reads 0 LUFS. */
		CHECK_NEAR(mxd_band_lufs(t->median), 0.0, 1e-9);
		/* Documented spread: 3 dB from 125 Hz to 4 kHz, +0.5 dB per band outside. */
		CHECK_NEAR(t->p90[17] - t->median[17], 3.0, 1e-12);
		CHECK_NEAR(t->median[17] - t->p10[17], 3.0, 1e-12);
		CHECK_NEAR(t->p90[0] - t->median[0], 7.0, 1e-12);
		CHECK_NEAR(t->median[30] - t->p10[30], 6.5, 1e-12);
		for (size_t k = 0; k < MIXDOWN_BANDS; k++)
			CHECK(isfinite(t->median[k]) && t->p10[k] < t->median[k] && t->median[k] < t->p90[k]);
		CHECK(isnan(t->range) && isnan(t->plr));
	}
	CHECK(mixdown_target_find("speech") == mixdown_target_find("podcast"));
	CHECK(mixdown_target_find("polka") == NULL);
	CHECK(mixdown_target_find(NULL) == NULL);
	const mixdown_target *pod = mixdown_target_find("podcast"), *pop = mixdown_target_find("pop");
	CHECK_NEAR(pod->loudness, -16.0, 1e-12);
	CHECK(isnan(pop->loudness));
	/* Speech: ANSI S3.5 spectrum levels plus 10 log10(bandwidth): 160 -> 200 Hz
	 * is 34.48 - 32.41 + 1.0 dB; below 160 Hz -4 dB per band. */
	CHECK_NEAR(pod->median[10] - pod->median[9], 34.48 - 32.41 + 1.0, 1e-9);
	CHECK_NEAR(pod->median[26] - pod->median[25], 1.13 - 2.59 + 1.0, 1e-9);
	CHECK_NEAR(pod->median[8] - pod->median[9], -4.0, 1e-9);
	CHECK_NEAR(pod->median[27] - pod->median[26], -4.0, 1e-9);
	/* Classical: flat 160-630 Hz, -5 dB/octave above, -6 dB/octave below. */
	const mixdown_target *cl = mixdown_target_find("classical");
	CHECK_NEAR(cl->median[15] - cl->median[9], 0.0, 1e-9);
	CHECK_NEAR(cl->median[18] - cl->median[15], -5.0, 1e-9);
	CHECK_NEAR(cl->median[0] - cl->median[9], -18.0, 1e-9);
	/* Hip-hop raises the bass stem: more low end, less top than pop, at equal loudness. */
	const mixdown_target *hh = mixdown_target_find("hip-hop");
	CHECK(hh->median[5] - pop->median[5] > 1.0);
	CHECK(hh->median[26] - pop->median[26] < -1.0);
	/* Pop peaks in the low end (the bass and drum stems) and falls towards 16 kHz. */
	CHECK(pop->median[8] > pop->median[17] + 3.0 && pop->median[17] > pop->median[29] + 10.0);
}

/* ------------------------------------------------------------- comparisons */

static void t_compare_planted(void)
{
	double ref[MIXDOWN_BANDS], mine[MIXDOWN_BANDS];
	flat(ref, -15.0);
	for (size_t k = 0; k < MIXDOWN_BANDS; k++)
		mine[k] = ref[k] + 0.5 * log2(mixdown_band_centre(k) / 1000.0); /* a 0.5 dB/octave tilt */
	mine[30] = -INFINITY; /* e.g. above this file's Nyquist frequency */
	mixdown_analysis *r = hand(-20.0, ref, 2), *a = hand(-9.0, mine, 2);
	r->loudness.range = 4.0;
	a->loudness.range = 7.5;
	r->dynamics.plr = 12.0;
	a->dynamics.plr = 8.0;
	a->stereo.width = 0.5;
	CHECK_INT(mixdown_analysis_compare_file(a, r), 0);
	CHECK_INT(a->n_compare, 1);
	const mixdown_comparison *c = &a->compare[0];
	CHECK(!c->is_target);
	CHECK(!strcmp(c->name, r->path));
	for (size_t k = 0; k < 30; k++) {
		CHECK_NEAR(c->delta[k], 0.5 * log2(mixdown_band_centre(k) / 1000.0), 1e-9);
		CHECK_NEAR(c->ref_level[k], -15.0, 1e-9);
		CHECK_NEAR(c->ref_low[k], -15.0, 1e-9);
	}
	CHECK_NEAR(c->delta[30], 0.0, 0);
	CHECK_NEAR(c->tilt_delta, 0.5, 1e-9);
	CHECK_NEAR(c->loudness_delta, 11.0, 1e-9);
	CHECK_NEAR(c->range_delta, 3.5, 1e-9);
	CHECK_NEAR(c->plr_delta, -4.0, 1e-9);
	CHECK_NEAR(c->width_delta, 0.2, 1e-9);

	/* Broad bands by centre frequency: +2 dB on 2.5-8 kHz moves only the high mids;
	 * +2 dB on the 2 kHz band (centre 1995 Hz) only the low mids. */
	flat(mine, -15.0);
	for (size_t k = 21; k <= 26; k++)
		mine[k] += 2.0;
	mixdown_analysis *b = hand(-14.0, mine, 2);
	CHECK_INT(mixdown_analysis_compare_file(b, r), 0);
	CHECK_NEAR(b->compare[0].broad_delta[2], 2.0, 1e-9);
	CHECK_NEAR(b->compare[0].broad_delta[0], 0.0, 1e-9);
	CHECK_NEAR(b->compare[0].broad_delta[1], 0.0, 1e-9);
	CHECK_NEAR(b->compare[0].broad_delta[3], 0.0, 1e-9);
	flat(mine, -15.0);
	mine[20] += 2.0;
	mixdown_analysis *b2 = hand(-14.0, mine, 2);
	CHECK_INT(mixdown_analysis_compare_file(b2, r), 0);
	/* low mids: 10 bands of equal power, one of them +2 dB */
	CHECK_NEAR(b2->compare[0].broad_delta[1], 10.0 * log10((9.0 + pow(10.0, 0.2)) / 10.0), 1e-9);
	CHECK_NEAR(b2->compare[0].broad_delta[2], 0.0, 1e-9);

	/* A band more than 60 dB under the loudness on one side (a lossy reference's
	 * top band, a stem's empty range) counts as empty: delta 0, not 70 dB. */
	flat(mine, -15.0);
	mine[29] = -85.0;
	mixdown_analysis *lp = hand(-14.0, mine, 2);
	CHECK_INT(mixdown_analysis_compare_file(b2, lp), 0);
	CHECK_NEAR(b2->compare[1].delta[29], 0.0, 0);
	CHECK_NEAR(b2->compare[1].ref_level[29], -85.0, 1e-9); /* still reported */
	CHECK_NEAR(b2->compare[1].broad_delta[3], 0.0, 1e-9);
	CHECK_NEAR(b2->compare[1].tilt_delta, b2->compare[0].tilt_delta, 1e-2);
	mixdown_analysis_free(lp);

	/* A mono file compares as if on two speakers: the same per-channel content
	 * measures 3.01 LU less, and still matches. */
	mixdown_analysis *m = hand(-23.0, ref, 1), *s = hand(-20.0, ref, 2);
	m->spectrum.level[0] = s->spectrum.level[0]; /* identical per-channel spectra */
	for (size_t k = 0; k < MIXDOWN_BANDS; k++)
		m->spectrum.level[k] = s->spectrum.level[k];
	m->loudness.integrated = -20.0 - MXD_MONO_OFFSET;
	CHECK_INT(mixdown_analysis_compare_file(m, s), 0);
	for (size_t k = 0; k < MIXDOWN_BANDS; k++)
		CHECK_NEAR(m->compare[0].delta[k], 0.0, 1e-9);
	CHECK_NEAR(m->compare[0].loudness_delta, 0.0, 1e-9);
	CHECK_NEAR(m->compare[0].width_delta, 0.0, 0); /* mono: no width comparison */

	/* No spectrum on this side: appended, all deltas 0, reference levels kept. */
	mixdown_analysis *z = hand(-14.0, mine, 2);
	z->spectrum.valid = false;
	CHECK_INT(mixdown_analysis_compare_file(z, r), 0);
	CHECK_INT(mixdown_analysis_compare_file(z, r), 0);
	CHECK_INT(z->n_compare, 2);
	CHECK_NEAR(z->compare[1].delta[10], 0.0, 0);
	CHECK_NEAR(z->compare[1].loudness_delta, 0.0, 0);
	CHECK_NEAR(z->compare[1].ref_level[10], -15.0, 1e-9);
	/* Silent reference: no reference levels (-inf), deltas 0. */
	r->loudness.integrated = -INFINITY;
	CHECK_INT(mixdown_analysis_compare_file(b, r), 0);
	CHECK(isinf(b->compare[1].ref_level[5]) && b->compare[1].delta[5] == 0.0);
	CHECK_NEAR(b->compare[1].loudness_delta, 0.0, 0);

	mixdown_analysis_free(r);
	mixdown_analysis_free(a);
	mixdown_analysis_free(b);
	mixdown_analysis_free(b2);
	mixdown_analysis_free(m);
	mixdown_analysis_free(s);
	mixdown_analysis_free(z);
}

static void t_compare_target(void)
{
	const mixdown_target *pop = mixdown_target_find("pop"), *pod = mixdown_target_find("podcast");
	mixdown_analysis *a = hand(-11.0, pop->median, 2);
	CHECK_INT(mixdown_analysis_compare_target(a, pop), 0);
	const mixdown_comparison *c = &a->compare[0];
	CHECK(c->is_target && !strcmp(c->name, "pop"));
	for (size_t k = 0; k < MIXDOWN_BANDS; k++) {
		CHECK_NEAR(c->delta[k], 0.0, 1e-9);
		CHECK_NEAR(c->ref_low[k], pop->p10[k], 0);
		CHECK_NEAR(c->ref_high[k], pop->p90[k], 0);
	}
	for (size_t b = 0; b < MIXDOWN_BROAD_BANDS; b++)
		CHECK_NEAR(c->broad_delta[b], 0.0, 1e-9);
	CHECK_NEAR(c->tilt_delta, 0.0, 1e-9);
	CHECK_NEAR(c->loudness_delta, 0.0, 0); /* pop has no loudness */
	/* Podcast target: -16 LUFS; a mono file at -19 LUFS is the same thing. */
	mixdown_analysis *m = hand(-19.0, pod->median, 1);
	CHECK_INT(mixdown_analysis_compare_target(m, pod), 0);
	CHECK_NEAR(m->compare[0].loudness_delta, 0.0103, 1e-9); /* -19 + 3.0103 vs -16 */
	CHECK_NEAR(m->compare[0].delta[15], 0.0, 1e-9);
	mixdown_analysis_free(a);
	mixdown_analysis_free(m);
}

/* ------------------------------------------------------------------ build */

static void t_build_percentiles(void)
{
	mixdown_analysis *a[13];
	double rel[MIXDOWN_BANDS];
	for (int i = 0; i < 10; i++) {
		flat(rel, (double)i);
		if (i >= 5)
			rel[30] = -INFINITY; /* band 30 only in analyses 0..4 */
		a[i] = hand(-20.0 + i, rel, i == 3 ? 1 : 2); /* a mono one too: same relative levels */
		a[i]->loudness.range = 10.0 - i;
		a[i]->dynamics.plr = 2.0 * i;
	}
	flat(rel, 100.0);
	a[10] = hand(-14.0, rel, 2);
	a[10]->spectrum.valid = false; /* left out */
	a[11] = hand(-INFINITY, rel, 2); /* silent: left out */
	a[12] = NULL;                    /* tolerated */
	mixdown_target t;
	mixdown_error err;
	CHECK_INT(mixdown_target_build((const mixdown_analysis *const *)a, 13, "mine", &t, &err), MIXDOWN_SUCCESS);
	CHECK(!strcmp(t.name, "mine"));
	CHECK_INT(t.n_files, 10);
	CHECK(strstr(t.source, "10 reference files") != NULL);
	for (size_t k = 0; k < 30; k++) {
		CHECK_NEAR(t.median[k], 4.5, 1e-9);
		CHECK_NEAR(t.p10[k], 0.9, 1e-9);
		CHECK_NEAR(t.p90[k], 8.1, 1e-9);
	}
	/* 0..4: h = 4 p -> 0.4, 2, 3.6 */
	CHECK_NEAR(t.p10[30], 0.4, 1e-9);
	CHECK_NEAR(t.median[30], 2.0, 1e-9);
	CHECK_NEAR(t.p90[30], 3.6, 1e-9);
	/* Loudness: -20..-11 LUFS, the mono one (-17) counted +3.01 LU: sorted -20 -19 -18 -16
	 * -15 | -14 -13.99 -13 -12 -11, median (-15 - 14) / 2. */
	CHECK_NEAR(t.loudness, -14.5, 1e-9);
	CHECK_NEAR(t.range, 5.5, 1e-9);
	CHECK_NEAR(t.plr, 9.0, 1e-9);

	/* One analysis: everything equals it. */
	CHECK_INT(mixdown_target_build((const mixdown_analysis *const *)&a[7], 1, NULL, &t, &err), MIXDOWN_SUCCESS);
	CHECK_NEAR(t.median[3], 7.0, 1e-9);
	CHECK_NEAR(t.p10[3], 7.0, 1e-9);
	CHECK(isinf(t.median[30]) && t.median[30] < 0);
	CHECK(!strcmp(t.name, "custom"));
	/* None usable: an error. */
	CHECK_INT(mixdown_target_build((const mixdown_analysis *const *)&a[10], 3, "x", &t, &err), MIXDOWN_ERR_USAGE);
	CHECK_STR_CONTAINS(err.message, "no analysis");
	CHECK_INT(mixdown_target_build(NULL, 0, "x", &t, &err), MIXDOWN_ERR_USAGE);
	for (int i = 0; i < 12; i++)
		mixdown_analysis_free(a[i]);
}

/* ------------------------------------------------------------------- JSON */

__attribute__((noinline)) static char *write_to_string(const mixdown_target *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	CHECK_INT(mixdown_target_write(t, f), 0);
	fclose(f);
	return text;
}

static void t_json_roundtrip(void)
{
	const char *dir = mxt_tempdir();
	mixdown_target t = *mixdown_target_find("podcast");
	t.median[30] = t.p10[30] = t.p90[30] = -INFINITY; /* no data -> null */
	t.plr = 7.25;
	snprintf(t.name, sizeof t.name, "quo\"te \\ \xc3\xa9"); /* escapes and UTF-8 survive */
	char *text = write_to_string(&t);
	CHECK_STR_CONTAINS(text, "\"schema\": \"mixdown-target/1\"");
	CHECK_STR_CONTAINS(text, "\"range\": null");
	CHECK_INT(mxt_write_text(mxt_path(dir, "t.json"), text), 0);
	mixdown_target u;
	mixdown_error err;
	CHECK_INT(mixdown_target_load(mxt_path(dir, "t.json"), &u, &err), MIXDOWN_SUCCESS);
	CHECK(!strcmp(u.name, t.name));
	CHECK(!strcmp(u.source, t.source));
	CHECK_INT(u.n_files, 0);
	for (size_t k = 0; k < 30; k++) {
		CHECK_NEAR(u.median[k], t.median[k], 1e-5);
		CHECK_NEAR(u.p10[k], t.p10[k], 1e-5);
		CHECK_NEAR(u.p90[k], t.p90[k], 1e-5);
	}
	CHECK(isinf(u.median[30]) && u.median[30] < 0 && isinf(u.p90[30]));
	CHECK_NEAR(u.loudness, -16.0, 1e-9);
	CHECK(isnan(u.range));
	CHECK_NEAR(u.plr, 7.25, 1e-9);
	/* Nominal band frequencies and \u escapes are accepted. */
	char *alt = strdup(text);
	char *p = strstr(alt, "\"bands_hz\": [");
	CHECK(p != NULL);
	static const char nominal[] = "\"bands_hz\": [20, 25, 31.5, 40, 50, 63, 80, 100, 125, 160, 200, 250, 315, 400, "
				      "500, 630, 800, 1000, 1250, 1600, 2000, 2500, 3150, 4000, 5000, 6300, 8000, "
				      "10000, 12500, 16000, 20000],";
	if (p) {
		char *end = strstr(p, "],") + 2;
		char buf[8192];
		snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - alt), alt, nominal, end);
		char *q = strstr(buf, "\"source\": \"");
		if (q)
			memcpy(q + 11, "\\u00e9\\ud83c\\udfb5", 18); /* overwrite the first 18 source bytes */
		CHECK_INT(mxt_write_text(mxt_path(dir, "nominal.json"), buf), 0);
		CHECK_INT(mixdown_target_load(mxt_path(dir, "nominal.json"), &u, &err), MIXDOWN_SUCCESS);
		CHECK(!strncmp(u.source, "\xc3\xa9\xf0\x9f\x8e\xb5", 6));
	}
	free(alt);
	free(text);
}

/* Load `text` from a file; expect MIXDOWN_ERR_SESSION naming file, line:column and key. */
static void expect_error(const char *text, uint32_t line, uint32_t column, const char *key, const char *msg)
{
	const char *path = mxt_path(mxt_tempdir(), "broken.json");
	CHECK_INT(mxt_write_text(path, text), 0);
	mixdown_target t;
	mixdown_error err;
	memset(&err, 0, sizeof err);
	CHECK_INT(mixdown_target_load(path, &t, &err), MIXDOWN_ERR_SESSION);
	CHECK(!strcmp(err.file, path));
	CHECK_MSG(err.line == line && err.column == column, "%s: at %u:%u, expected %u:%u (%s)", key, err.line,
		  err.column, line, column, err.message);
	CHECK_MSG(!strcmp(err.key, key), "key \"%s\", expected \"%s\" (%s)", err.key, key, err.message);
	CHECK_STR_CONTAINS(err.message, msg);
}

/* Replace the first occurrence of `from` in text by `to` (static result). */
static const char *replace(const char *text, const char *from, const char *to)
{
	static char buf[16384];
	const char *p = strstr(text, from);
	CHECK_MSG(p != NULL, "\"%s\" not in the text", from);
	if (!p)
		return text;
	snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
	return buf;
}

static void t_load_broken(void)
{
	mixdown_target t = *mixdown_target_find("pop");
	t.loudness = -9.5;
	char *good = write_to_string(&t);
	/* The writer's layout: line 1 "{", 2 schema, 3 name, 4 source, 5 n_files,
	 * 6-9 bands_hz, 10-13 median, 14-17 p10, 18-21 p90, 22 loudness, 23 range,
	 * 24 plr, 25 "}"; values start after '"key": '. Errors point at the start
	 * of the offending token or value (or at the end of a truncated file). */
	expect_error("hello", 1, 1, "", "expected '{'");
	expect_error("", 1, 1, "", "end of the file");
	expect_error("[1, 2]", 1, 1, "", "expected '{'");
	/* Truncated in the middle of the median array. */
	char half[8192];
	const char *cut = strstr(good, "\"p10\"");
	snprintf(half, sizeof half, "%.*s", (int)(cut - good), good);
	expect_error(half, 14, 3, "", "expected a key (a string), found the end of the file");
	snprintf(half, sizeof half, "%.*s", (int)(strstr(good, "\"median\"") - good + 30), good);
	/* ... after "median": [-25.62786, -23.4576 (median[1] complete, then the end) */
	expect_error(half, 10, 33, "median[1]", "expected ',' or ']', found the end of the file");
	expect_error(replace(good, "\"name\": \"pop\"", "\"name\": 5"), 3, 11, "name", "expected name (a string)");
	expect_error(replace(good, "\"n_files\": 0", "\"n_files\": 1.5"), 5, 14, "n_files", "whole number");
	expect_error(replace(good, "\"loudness\": -9.5", "\"loudness\": \"loud\""), 22, 15, "loudness",
		     "expected a number");
	expect_error(replace(good, "\"loudness\": -9.5", "\"loudness\": NaN"), 22, 15, "loudness", "expected a number");
	/* Wrong band count: one value removed from p90. */
	const char *p90 = strstr(good, "\"p90\": [");
	char fewer[16384];
	const char *comma = strchr(p90, ',');
	snprintf(fewer, sizeof fewer, "%.*s%s", (int)(p90 + 8 - good), good, comma + 2);
	expect_error(fewer, 18, 10, "p90", "expected 31 values (one per band, 20 Hz .. 19953 Hz), found 30");
	expect_error(replace(good, "\"median\": [", "\"median\": [1, "), 10, 13, "median", "found 32");
	expect_error(replace(good, "\"median\": [", "\"median\": [abc, "), 10, 14, "median[0]",
		     "expected a number or null");
	expect_error(replace(good, "\"bands_hz\": [", "\"bands_hz\": [null, "), 6, 16, "bands_hz[0]",
		     "expected a number, found null");
	expect_error(replace(good, "\"bands_hz\": [19.95262", "\"bands_hz\": [18"), 6, 16, "bands_hz[0]",
		     "not band 0 of the one-third-octave grid");
	expect_error(replace(good, "\"schema\": \"mixdown-target/1\"", "\"schema\": \"mixdown-target/2\""), 2, 13,
		     "schema", "unsupported schema");
	expect_error(replace(good, "\"n_files\"", "\"files\""), 5, 3, "files", "unknown key");
	expect_error(replace(good, "\"n_files\": 0,", "\"n_files\": 0, \"n_files\": 0,"), 5, 17, "n_files",
		     "duplicate key");
	expect_error(replace(good, ",\n  \"plr\": null", ""), 24, 1, "plr", "missing key");
	expect_error(replace(good, "\n}\n", "\n} x\n"), 25, 3, "", "unexpected 'x' after the target object");
	expect_error(replace(good, "\"source\": \"", "\"source\": \"\\q"), 4, 14, "source", "invalid escape");
	expect_error(replace(good, "\"source\": \"", "\"source\": \"\\ud800x"), 4, 14, "source", "lone UTF-16");
	expect_error(replace(good, "\"plr\": null", "\"plr\": 01"), 24, 11, "plr", "expected ',' or '}'");
	expect_error(replace(good, "\"plr\": null", "\"plr\": 1e999"), 24, 10, "plr", "out of range");
	/* Consistency: p10 above the median at band 0; a band null only in p90. */
	char v[64];
	snprintf(v, sizeof v, "\"p10\": [%.7g", t.median[0] + 1.0);
	char key[64];
	snprintf(key, sizeof key, "\"p10\": [%.7g", t.p10[0]);
	expect_error(replace(good, key, v), 10, 14, "median[0]", "p10 <= median <= p90");
	snprintf(key, sizeof key, "\"p90\": [%.7g", t.p90[0]);
	expect_error(replace(good, key, "\"p90\": [null"), 10, 14, "median[0]", "must be null in median, p10 and p90");
	/* A missing file. */
	mixdown_target u;
	mixdown_error err;
	CHECK_INT(mixdown_target_load(mxt_path(mxt_tempdir(), "nowhere.json"), &u, &err), MIXDOWN_ERR_SESSION);
	CHECK_STR_CONTAINS(err.file, "nowhere.json");
	CHECK_STR_CONTAINS(err.message, "cannot open");
	/* The formatted error reads file:line:column: key: message. */
	const char *path = mxt_path(mxt_tempdir(), "k.json");
	mxt_write_text(path, replace(good, "\"name\": \"pop\"", "\"name\": 5"));
	CHECK_INT(mixdown_target_load(path, &u, &err), MIXDOWN_ERR_SESSION);
	char buf[2048], want[1200];
	mixdown_error_format(&err, buf, sizeof buf);
	snprintf(want, sizeof want, "%s:3:11: name: ", path);
	CHECK_STR_CONTAINS(buf, want);
	free(good);
}

/* ------------------------------------------------------------ real files */

static void write_noise(const char *path, double secs, double amp, uint32_t seed, double tone_hz, double tone_amp)
{
	const int rate = 44100;
	const int64_t n = (int64_t)(secs * rate);
	float *x = malloc((size_t)n * 2 * sizeof *x);
	mxt_noise(x, n * 2, amp, seed);
	for (int64_t i = 0; i < n && tone_amp > 0; i++) {
		const float s = (float)(tone_amp * sin(2.0 * M_PI * tone_hz * (double)i / rate));
		x[2 * i] += s;
		x[2 * i + 1] += s;
	}
	CHECK_INT(mxt_write_audio(path, x, n, 2, rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	free(x);
}

static void t_compare_files(void)
{
	const char *dir = mxt_tempdir();
	char a_path[1024], b_path[1024], c_path[1024];
	snprintf(a_path, sizeof a_path, "%s", mxt_path(dir, "a.wav"));
	snprintf(b_path, sizeof b_path, "%s", mxt_path(dir, "b.wav"));
	snprintf(c_path, sizeof c_path, "%s", mxt_path(dir, "c.wav"));
	write_noise(a_path, 6, 0.1, 7, 0, 0);
	write_noise(b_path, 6, 0.2, 7, 0, 0);          /* the same noise, +6.02 dB */
	write_noise(c_path, 6, 0.1, 7, 1000.0, 0.2); /* plus a loud 1 kHz tone */
	mixdown_analysis *a = NULL, *b = NULL, *c = NULL;
	CHECK_INT(mixdown_analyze_file(a_path, NULL, &a, NULL), MIXDOWN_SUCCESS);
	CHECK_INT(mixdown_analyze_file(b_path, NULL, &b, NULL), MIXDOWN_SUCCESS);
	CHECK_INT(mixdown_analyze_file(c_path, NULL, &c, NULL), MIXDOWN_SUCCESS);
	if (!a || !b || !c || !a->spectrum.valid) {
		SKIP("the spectrum module is not built yet (spectrum.valid false)");
		goto done;
	}
	/* Loudness normalization: a gain change compares equal, band by band. */
	CHECK_INT(mixdown_analysis_compare_file(b, a), 0);
	for (size_t k = 0; k < MIXDOWN_BANDS; k++)
		CHECK_NEAR(b->compare[0].delta[k], 0.0, 0.01);
	CHECK_NEAR(b->compare[0].loudness_delta, 20.0 * log10(2.0), 0.01);
	CHECK_NEAR(b->compare[0].tilt_delta, 0.0, 0.01);
	/* The tone lands in the 1 kHz band and nowhere else goes up. */
	CHECK_INT(mixdown_analysis_compare_file(c, a), 0);
	int top = 0;
	for (int k = 1; k < MIXDOWN_BANDS; k++)
		if (c->compare[0].delta[k] > c->compare[0].delta[top])
			top = k;
	CHECK_INT(top, 17);
	CHECK(c->compare[0].delta[17] > 10.0);
	CHECK(c->compare[0].broad_delta[1] > 3.0 && c->compare[0].broad_delta[3] < 0.0);
	/* Feedback names the region around 1 kHz. */
	CHECK_INT(mixdown_analysis_feedback(c), 0);
	bool found = false;
	for (size_t i = 0; i < c->n_feedback; i++)
		found |= !strcmp(c->feedback[i].topic, "tone") && strstr(c->feedback[i].text, "around 1 kHz") &&
			 strstr(c->feedback[i].text, "above the reference (a.wav)");
	CHECK_MSG(found, "no tone item around 1 kHz");
	for (size_t i = 0; !found && i < c->n_feedback; i++)
		printf("# [%d %s] %s\n", c->feedback[i].priority, c->feedback[i].topic, c->feedback[i].text);
	/* A target built from a and b equals a's relative levels. */
	const mixdown_analysis *ab[2] = { a, b };
	mixdown_target t;
	CHECK_INT(mixdown_target_build(ab, 2, "noise", &t, NULL), MIXDOWN_SUCCESS);
	double rel[MIXDOWN_BANDS];
	CHECK_INT(mxd_relative_levels(a, rel), 0);
	for (size_t k = 0; k < MIXDOWN_BANDS; k++)
		CHECK_NEAR(t.median[k], rel[k], 0.01);
done:
	mixdown_analysis_free(a);
	mixdown_analysis_free(b);
	mixdown_analysis_free(c);
}

/* ------------------------------------------------------------------- CLI */

static void t_cli(void)
{
	const char *dir = mxt_tempdir();
	char refs[1024], out[1200], wav0[1200];
	snprintf(refs, sizeof refs, "%s/refs", dir);
	mkdir(refs, 0755);
	char p[1200];
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s/%d-song.wav", refs, i);
		write_noise(p, 4, 0.05 * (i + 1), 11 + (uint32_t)i, 250.0 * (i + 1), 0.05);
	}
	snprintf(wav0, sizeof wav0, "%s/0-song.wav", refs);
	snprintf(p, sizeof p, "%s/notes.txt", refs);
	mxt_write_text(p, "not audio\n");
	snprintf(out, sizeof out, "%s/mine.json", dir);

	int rc = mxt_run_cli("target build '%s' -o '%s' --name mine", refs, out);
	CHECK_INT(rc, 0);
	CHECK_STR_CONTAINS(mxt_cli_err, "skipping");
	CHECK_STR_CONTAINS(mxt_cli_err, "notes.txt");
	CHECK_STR_CONTAINS(mxt_cli_err, "from 3 files");
	mixdown_target t;
	mixdown_error err;
	CHECK_INT(mixdown_target_load(out, &t, &err), MIXDOWN_SUCCESS);
	CHECK(!strcmp(t.name, "mine"));
	CHECK_INT(t.n_files, 3);
	/* The same numbers as building in-process from the three analyses. */
	mixdown_analysis *a[3] = { 0 };
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s/%d-song.wav", refs, i);
		CHECK_INT(mixdown_analyze_file(p, NULL, &a[i], NULL), MIXDOWN_SUCCESS);
	}
	mixdown_target u;
	mixdown_status st = mixdown_target_build((const mixdown_analysis *const *)a, 3, "mine", &u, &err);
	if (a[0] && a[0]->spectrum.valid) {
		CHECK_INT(st, MIXDOWN_SUCCESS);
		for (size_t k = 0; k < MIXDOWN_BANDS; k++)
			CHECK_NEAR(t.median[k], u.median[k], 1e-4);
		CHECK_NEAR(t.loudness, u.loudness, 1e-4);
	} else {
		mxt_skip("spectrum not built: CLI numbers not compared");
	}
	for (int i = 0; i < 3; i++)
		mixdown_analysis_free(a[i]);

	/* Never over an input; nothing changed. */
	struct stat before, after;
	stat(wav0, &before);
	CHECK_INT(mxt_run_cli("target build '%s' -o '%s'", refs, wav0), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "over an input");
	stat(wav0, &after);
	CHECK(before.st_size == after.st_size && before.st_mtime == after.st_mtime);
	/* Default name: the folder's. Re-running over a non-audio output in DIR is fine. */
	char inside[1300];
	snprintf(inside, sizeof inside, "%s/target.json", refs);
	CHECK_INT(mxt_run_cli("target build '%s/' -o '%s'", refs, inside), 0);
	CHECK_INT(mxt_run_cli("target build '%s' -o '%s'", refs, inside), 0);
	CHECK_INT(mixdown_target_load(inside, &u, &err), MIXDOWN_SUCCESS);
	CHECK(!strcmp(u.name, "refs"));
	/* Usage errors. */
	char empty[1100];
	snprintf(empty, sizeof empty, "%s/empty", dir);
	mkdir(empty, 0755);
	CHECK_INT(mxt_run_cli("target build '%s' -o '%s/x.json'", empty, dir), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "no readable audio files");
	CHECK_INT(mxt_run_cli("target build '%s/missing' -o '%s/x.json'", dir, dir), 2);
	CHECK_INT(mxt_run_cli("target build '%s'", refs), 2);
	CHECK_INT(mxt_run_cli("target"), 2);
	CHECK_INT(mxt_run_cli("target frobnicate"), 2);
	/* An output folder that does not exist: a failure to write (1). */
	CHECK_INT(mxt_run_cli("target build '%s' -o '%s/no/such/dir/t.json'", refs, dir), 1);

	/* list and show */
	CHECK_INT(mxt_run_cli("target list"), 0);
	CHECK_STR_CONTAINS(mxt_cli_out, "hip-hop");
	CHECK_STR_CONTAINS(mxt_cli_out, "classical");
	CHECK_STR_CONTAINS(mxt_cli_out, "podcast");
	CHECK_INT(mxt_run_cli("target show rock"), 0);
	CHECK_STR_CONTAINS(mxt_cli_out, "MODEL");
	char line[128];
	const mixdown_target *rock = mixdown_target_find("rock");
	snprintf(line, sizeof line, "1000 %8.1f %8.1f %8.1f", rock->p10[17], rock->median[17], rock->p90[17]);
	CHECK_STR_CONTAINS(mxt_cli_out, line);
	CHECK_INT(mxt_run_cli("target show '%s'", out), 0);
	CHECK_STR_CONTAINS(mxt_cli_out, "files     3");
	CHECK_INT(mxt_run_cli("target show speech --json"), 0);
	CHECK_STR_CONTAINS(mxt_cli_out, "\"name\": \"podcast\"");
	CHECK_INT(mxt_run_cli("target show polka"), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "neither a built-in target");
	snprintf(p, sizeof p, "%s/bad.json", dir);
	mxt_write_text(p, "{\"schema\": 3}");
	CHECK_INT(mxt_run_cli("target show '%s'", p), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "bad.json:1:12: schema: ");
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_kweight_and_band_loudness), MXT(t_builtin_targets), MXT(t_compare_planted),
		MXT(t_compare_target),           MXT(t_build_percentiles), MXT(t_json_roundtrip),
		MXT(t_load_broken),              MXT(t_compare_files),     MXT(t_cli),
	};
	return MXT_RUN(cases);
}
