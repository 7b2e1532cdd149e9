/* mixdown — `mixdown analyze FILE... [--json] [--target PRESET] [--loudness]`.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Analyzes each file (mixdown_analyze_file: loudness per ITU-R BS.1770-5 /
 * EBU R 128, dynamics, stereo, problems, delivery check) and prints a readable
 * report on stdout, or with --json only the document of docs/analysis-json.md
 * (messages go to stderr). --loudness measures only the loudness values
 * (the fast meter of src/analysis/fastloud*). Exit 0 when every file was
 * analyzed, 1 when one could not be read (the others are still reported), 2
 * for bad usage.
 * Units in the text: LUFS, LU, dBTP, dBFS, dB, seconds. Main thread only.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *db(char *buf, size_t n, double v, const char *fmt)
{
	if (isfinite(v))
		snprintf(buf, n, fmt, v);
	else
		snprintf(buf, n, "%s", v > 0 ? "inf" : "-inf");
	return buf;
}

/* Spectrum: broad bands, tilt, centroid; one-third-octave levels at the octave
 * centres 31.5 Hz .. 16 kHz (bands 2, 5, .., 29); resonances. */
static void print_spectrum(const mixdown_analysis *a)
{
	static const char *const oct[] = { "31", "63", "125", "250", "500", "1k", "2k", "4k", "8k", "16k" };
	char b[6][32];
	if (!a->spectrum.valid) {
		printf("  spectrum   none (shorter than one analysis frame)\n");
		return;
	}
	printf("  spectrum   low %s dB   low-mid %s dB   high-mid %s dB   high %s dB"
	       "   tilt %s dB/oct   centroid %s Hz\n",
	       db(b[0], sizeof b[0], a->spectrum.broad[0], "%.1f"), db(b[1], sizeof b[1], a->spectrum.broad[1], "%.1f"),
	       db(b[2], sizeof b[2], a->spectrum.broad[2], "%.1f"), db(b[3], sizeof b[3], a->spectrum.broad[3], "%.1f"),
	       isnan(a->spectrum.tilt) ? "-" : db(b[4], sizeof b[4], a->spectrum.tilt, "%+.1f"),
	       isnan(a->spectrum.centroid) ? "-" : db(b[5], sizeof b[5], a->spectrum.centroid, "%.0f"));
	printf("  bands      dBFS");
	for (int i = 0; i < 10; i++)
		printf(" %s:%s", oct[i], db(b[0], sizeof b[0], a->spectrum.level[2 + 3 * i], "%.0f"));
	printf("\n");
	for (size_t i = 0; i < a->spectrum.n_resonances; i++) /* four per line */
		printf("%s%.0f Hz %+.1f dB (Q %.0f)%s", i % 4 ? "   " : i ? "             " : "  resonance  ",
		       a->spectrum.resonances[i].freq, a->spectrum.resonances[i].prominence, a->spectrum.resonances[i].q,
		       i + 1 == a->spectrum.n_resonances || i % 4 == 3 ? "\n" : "");
}

static void print_text(const mixdown_analysis *a, const char *target)
{
	char b1[32], b2[32], b3[32], b4[32];
	printf("%s\n", a->path);
	printf("  %.0f Hz, %u ch, %.3f s\n", a->sample_rate, a->channels, a->duration);
	printf("  loudness   integrated %s LUFS   range %.1f LU   momentary max %s LUFS   short-term max %s LUFS\n",
	       db(b1, sizeof b1, a->loudness.integrated, "%.1f"), a->loudness.range,
	       db(b2, sizeof b2, a->loudness.momentary_max, "%.1f"),
	       db(b3, sizeof b3, a->loudness.short_term_max, "%.1f"));
	printf("  peaks      true peak %s dBTP   sample peak %s dBFS\n",
	       db(b1, sizeof b1, a->loudness.true_peak, "%+.2f"), db(b2, sizeof b2, a->loudness.sample_peak, "%+.2f"));
	if (a->loudness_only)
		return; /* --loudness */
	printf("  dynamics   crest %s dB   PLR %s dB   PSR min %s dB   DR %s\n",
	       db(b1, sizeof b1, a->dynamics.crest_factor, "%.1f"), db(b2, sizeof b2, a->dynamics.plr, "%.1f"),
	       db(b3, sizeof b3, a->dynamics.psr_min, "%.1f"), db(b4, sizeof b4, a->dynamics.dr, "%.1f"));
	for (size_t i = 0; i < a->dynamics.n_ride; i++)
		printf("  ride       %.1f-%.1f s is %+.1f LU from the integrated loudness (%s)\n", a->dynamics.ride[i].start,
		       a->dynamics.ride[i].end, a->dynamics.ride[i].peak,
		       a->dynamics.ride[i].peak > 0 ? "much louder" : "much quieter");
	if (a->stereo.valid)
		printf("  stereo     correlation %+.2f   width (S/M) %s   balance %s dB   mono fold %s LU\n",
		       a->stereo.correlation, db(b1, sizeof b1, a->stereo.width, "%.2f"),
		       db(b2, sizeof b2, a->stereo.balance, "%+.1f"), db(b3, sizeof b3, -a->stereo.mono_drop, "%+.1f"));
	print_spectrum(a);
	printf("  silence    start %.3f s   end %.3f s   noise floor %s dBFS   DC max %s dBFS\n",
	       a->problems.leading_silence, a->problems.trailing_silence,
	       db(b1, sizeof b1, a->problems.noise_floor, "%.1f"),
	       db(b2, sizeof b2, a->problems.dc_offset_max_dbfs, "%.1f"));
	for (size_t i = 0; i < a->problems.n_clips && i < 10; i++)
		printf("  clip       %.3f-%.3f s: %llu samples, peak %+.2f dBFS\n", a->problems.clips[i].start,
		       a->problems.clips[i].end, (unsigned long long)a->problems.clips[i].count, a->problems.clips[i].peak);
	for (size_t i = 0; i < a->problems.n_overs && i < 10; i++)
		printf("  over       %.2f-%.2f s: true peak %+.2f dBTP\n", a->problems.overs_at[i].start,
		       a->problems.overs_at[i].end, a->problems.overs_at[i].peak);
	for (size_t i = 0; i < a->problems.n_messages; i++)
		printf("  PROBLEM    %s\n", a->problems.messages[i]);
	if (!a->problems.n_messages)
		printf("  problems   none found\n");
	printf("  delivery%s\n", target ? "" : " (platform: gain it applies -> loudness, true peak after)");
	for (size_t i = 0; i < a->n_delivery; i++) {
		const mixdown_delivery_check *d = &a->delivery[i];
		if (!strcmp(d->normalizes, "none"))
			printf("    %-26s target %.0f LUFS: needs %s dB   %s\n", d->label, d->target,
			       db(b1, sizeof b1, d->gain_to_target, "%+.1f"),
			       d->ok ? "ok" : "FAILS (loudness or true peak)");
		else
			printf("    %-26s %s dB -> %s LUFS, %s dBTP   %s\n", d->label, db(b1, sizeof b1, d->gain, "%+.1f"),
			       db(b2, sizeof b2, d->loudness_after, "%.1f"), db(b3, sizeof b3, d->true_peak_after, "%+.1f"),
			       d->clips ? "CLIPS after normalization" : d->ok ? "ok" : "over the ceiling");
	}
}

/* --target: a delivery preset, a built-in spectral target, or a target file. */
typedef struct {
	const char *delivery;       /* preset name or NULL */
	const mixdown_target *spectral; /* NULL or the loaded/built-in target */
	mixdown_target loaded;
} target_choice;

static bool is_delivery_preset(const char *name)
{
	for (size_t k = 0; k < mixdown_delivery_preset_count(); k++)
		if (!strcmp(name, mixdown_delivery_preset_name(k)))
			return true;
	return false;
}

static int choose_target(const char *arg, target_choice *t)
{
	/* A name can be both (podcast: a delivery specification and a spectrum). */
	t->spectral = mixdown_target_find(arg);
	if (is_delivery_preset(arg))
		t->delivery = arg;
	if (t->delivery || t->spectral)
		return EXIT_OK;
	size_t len = strlen(arg);
	if (len > 5 && !strcmp(arg + len - 5, ".json")) {
		mixdown_error err;
		mixdown_status st = mixdown_target_load(arg, &t->loaded, &err);
		if (st != MIXDOWN_SUCCESS)
			return cli_report_error(st, &err);
		t->spectral = &t->loaded;
		return EXIT_OK;
	}
	char list[768] = "";
	for (size_t k = 0; k < mixdown_delivery_preset_count(); k++)
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "",
			 mixdown_delivery_preset_name(k));
	for (size_t k = 0; k < mixdown_target_builtin_count(); k++)
		snprintf(list + strlen(list), sizeof list - strlen(list), ", %s", mixdown_target_builtin(k)->name);
	return cli_usage_error("unknown --target '%s' (a delivery preset or genre: %s; or a target .json file)", arg,
			       list);
}

static bool is_session_path(const char *p)
{
	size_t n = strlen(p);
	return (n > 5 && !strcmp(p + n - 5, ".yaml")) || (n > 4 && !strcmp(p + n - 4, ".yml"));
}

typedef struct {
	mixdown_analysis_options opt;
	bool json, tracks;
	const char *html;
	target_choice target;
	const char **files, **refs;
	size_t n_files, n_refs;
} analyze_args;

static int parse_args(int argc, char **argv, analyze_args *a)
{
	a->opt = mixdown_analysis_options_init();
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const bool has_value = i + 1 < argc;
		if (!strcmp(o, "--json")) {
			a->json = true;
		} else if (!strcmp(o, "--tracks")) {
			a->tracks = true;
		} else if (!strcmp(o, "--no-true-peak")) {
			a->opt.true_peak = false;
		} else if (!strcmp(o, "--loudness")) {
			a->opt.loudness_only = true;
		} else if (!strcmp(o, "--target") || !strcmp(o, "--reference") || !strcmp(o, "--html")) {
			if (!has_value)
				return cli_usage_error("option %s needs a value", o);
			const char *v = argv[++i];
			if (!strcmp(o, "--reference")) {
				a->refs[a->n_refs++] = v;
			} else if (!strcmp(o, "--html")) {
				a->html = v;
			} else {
				int rc = choose_target(v, &a->target);
				if (rc != EXIT_OK)
					return rc;
			}
		} else if (o[0] == '-' && o[1] != '\0') {
			return cli_usage_error("unknown option '%s'", o);
		} else {
			a->files[a->n_files++] = o;
		}
	}
	a->opt.target = a->target.delivery;
	if (a->n_files == 0)
		return cli_usage_error("analyze needs at least one FILE or SESSION");
	bool session = a->n_files == 1 && is_session_path(a->files[0]);
	for (size_t i = 0; i < a->n_files; i++)
		if (is_session_path(a->files[i]) && !session)
			return cli_usage_error("a session (%s) is analyzed on its own, without other files", a->files[i]);
	if (session && a->tracks)
		return cli_usage_error("--tracks is for audio files; a session's tracks are analyzed anyway");
	if (a->opt.loudness_only && (session || a->tracks || a->n_refs || a->html || a->target.delivery ||
				     a->target.spectral))
		return cli_usage_error("--loudness measures loudness only: no session, --tracks, --reference, --target "
				       "or --html");
	if (a->tracks && a->n_files < 2)
		return cli_usage_error("--tracks needs at least two files");
	if (a->html)
		for (size_t i = 0; i < a->n_files + a->n_refs; i++) {
			const char *in = i < a->n_files ? a->files[i] : a->refs[i - a->n_files];
			if (cli_same_file(in, a->html))
				return cli_usage_error("refusing to write the report over an input (%s)", in);
		}
	return EXIT_OK;
}

/* Compare with the references and the spectral target, then build the feedback. */
static int add_comparisons(mixdown_analysis *a, mixdown_analysis *const *refs, size_t n_refs, const target_choice *t)
{
	for (size_t r = 0; r < n_refs; r++)
		if (mixdown_analysis_compare_file(a, refs[r]))
			return -1;
	if (t->spectral && mixdown_analysis_compare_target(a, t->spectral))
		return -1;
	return mixdown_analysis_feedback(a);
}

static int write_html(const char *path, mixdown_analysis *const *a, size_t n, const mixdown_multitrack_analysis *m)
{
	char tmp[1100];
	FILE *f = cli_output_open(path, tmp, sizeof tmp);
	if (!f)
		return EXIT_FAIL;
	bool ok = mixdown_analysis_write_html((const mixdown_analysis *const *)a, n, m, f) == 0;
	return cli_output_commit(f, tmp, path, ok);
}

int cli_analyze(int argc, char **argv)
{
	analyze_args a;
	memset(&a, 0, sizeof a);
	a.files = calloc((size_t)argc, sizeof *a.files);
	a.refs = calloc((size_t)argc, sizeof *a.refs);
	mixdown_analysis **refs = calloc((size_t)argc, sizeof *refs);
	mixdown_analysis **res = calloc((size_t)argc + 1, sizeof *res);
	mixdown_multitrack_analysis *multi = NULL;
	size_t n_res = 0, n_refs = 0;
	int rc = !a.files || !a.refs || !refs || !res ? EXIT_FAIL : parse_args(argc, argv, &a);
	if (rc != EXIT_OK)
		goto done;
	for (size_t i = 0; i < a.n_refs; i++) {
		mixdown_error err;
		mixdown_status st = mixdown_analyze_file(a.refs[i], &a.opt, &refs[n_refs], &err);
		if (st != MIXDOWN_SUCCESS) {
			rc = cli_report_error(st, &err);
			goto done;
		}
		n_refs++;
	}
	if (a.tracks || (a.n_files == 1 && is_session_path(a.files[0]))) {
		mixdown_error err;
		mixdown_status st = a.tracks ? mixdown_analyze_tracks(a.files, a.n_files, &a.opt, &multi, &err)
					     : mixdown_analyze_session(a.files[0], &a.opt, &multi, &err);
		if (st != MIXDOWN_SUCCESS) {
			rc = cli_report_error(st, &err);
			goto done;
		}
		/* The mix (or every file given as a track) gets comparisons and feedback. */
		if (multi->mix)
			res[n_res++] = multi->mix;
		else
			for (size_t i = 0; i < multi->n_tracks; i++)
				res[n_res++] = multi->tracks[i];
	} else {
		for (size_t i = 0; i < a.n_files; i++) {
			mixdown_error err;
			mixdown_status st = mixdown_analyze_file(a.files[i], &a.opt, &res[n_res], &err);
			if (st != MIXDOWN_SUCCESS) {
				cli_report_error(st, &err); /* the others are still reported */
				rc = EXIT_FAIL;
				continue;
			}
			n_res++;
		}
	}
	for (size_t i = 0; i < n_res && !a.opt.loudness_only; i++)
		if (add_comparisons(res[i], refs, n_refs, &a.target)) {
			fprintf(stderr, "%s: out of memory\n", cli_prog);
			rc = EXIT_FAIL;
			goto done;
		}
	if (a.json) {
		int w = multi ? mixdown_multitrack_write_json(multi, stdout)
			      : mixdown_analysis_write_json_many((const mixdown_analysis *const *)res, n_res, stdout);
		if (w) {
			fprintf(stderr, "%s: cannot write the JSON output\n", cli_prog);
			rc = EXIT_FAIL;
		}
	} else {
		for (size_t i = 0; i < n_res; i++) {
			if (i)
				putchar('\n');
			print_text(res[i], a.opt.target);
			if (!a.opt.loudness_only)
				cli_print_comparisons(res[i]);
		}
		if (multi)
			cli_print_multitrack(multi);
	}
	if (a.html && n_res) {
		int h = write_html(a.html, res, n_res, multi);
		if (h != EXIT_OK)
			rc = h;
		else if (!a.json)
			printf("\nreport written to %s\n", a.html);
	}
done:
	if (!multi)
		for (size_t i = 0; i < n_res; i++)
			mixdown_analysis_free(res[i]);
	mixdown_multitrack_analysis_free(multi);
	for (size_t i = 0; i < n_refs; i++)
		mixdown_analysis_free(refs[i]);
	free(refs);
	free(res);
	free(a.files);
	free(a.refs);
	return rc;
}
