/* mixdown — `mixdown analyze FILE... [--json] [--target PRESET]`.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Analyzes each file (mixdown_analyze_file: loudness per ITU-R BS.1770-5 /
 * EBU R 128, dynamics, stereo, problems, delivery check) and prints a readable
 * report on stdout, or with --json only the document of docs/analysis-json.md
 * (messages go to stderr). Exit 0 when every file was analyzed, 1 when one
 * could not be read (the others are still reported), 2 for bad usage.
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

int cli_analyze(int argc, char **argv)
{
	mixdown_analysis_options opt = mixdown_analysis_options_init();
	bool json = false;
	char **files = calloc((size_t)argc, sizeof *files);
	size_t n = 0;
	if (!files)
		return EXIT_FAIL;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		if (!strcmp(o, "--json")) {
			json = true;
		} else if (!strcmp(o, "--target")) {
			if (i + 1 >= argc) {
				free(files);
				return cli_usage_error("option --target needs a value");
			}
			opt.target = argv[++i];
			bool known = false;
			for (size_t k = 0; k < mixdown_delivery_preset_count(); k++)
				known |= !strcmp(opt.target, mixdown_delivery_preset_name(k));
			if (!known) {
				char list[512] = "";
				for (size_t k = 0; k < mixdown_delivery_preset_count(); k++)
					snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "",
						 mixdown_delivery_preset_name(k));
				free(files);
				return cli_usage_error("unknown --target '%s' (one of: %s)", opt.target, list);
			}
		} else if (!strcmp(o, "--no-true-peak")) {
			opt.true_peak = false;
		} else if (o[0] == '-' && o[1] != '\0') {
			free(files);
			return cli_usage_error("unknown option '%s'", o);
		} else {
			files[n++] = argv[i];
		}
	}
	if (n == 0) {
		free(files);
		return cli_usage_error("analyze needs at least one FILE");
	}
	mixdown_analysis **res = calloc(n, sizeof *res);
	if (!res) {
		free(files);
		return EXIT_FAIL;
	}
	int rc = EXIT_OK;
	size_t ok = 0;
	for (size_t i = 0; i < n; i++) {
		mixdown_error err;
		mixdown_analysis *a = NULL;
		mixdown_status st = mixdown_analyze_file(files[i], &opt, &a, &err);
		if (st != MIXDOWN_SUCCESS) {
			cli_report_error(st, &err);
			rc = EXIT_FAIL;
			continue;
		}
		res[ok++] = a;
		if (!json) {
			if (ok > 1)
				putchar('\n');
			print_text(a, opt.target);
		}
	}
	if (json && mixdown_analysis_write_json_many((const mixdown_analysis *const *)res, ok, stdout)) {
		fprintf(stderr, "%s: cannot write the JSON output\n", cli_prog);
		rc = EXIT_FAIL;
	}
	for (size_t i = 0; i < ok; i++)
		mixdown_analysis_free(res[i]);
	free(res);
	free(files);
	return rc;
}
