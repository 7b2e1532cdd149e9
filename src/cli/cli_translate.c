/* mixdown — `mixdown translate MIX [-o DIR] [--json] [--html REPORT.html]`:
 * how a mix translates to phone, laptop, earbuds, car, TV, club PA and a mono
 * Bluetooth speaker (mixdown_translate; models in docs/translate.md).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Prints a text summary on stdout (with --json only the document
 * "mixdown-translate/1"); -o DIR also writes one loudness-matched listening
 * file per system, DIR/<mix name>.<system>.wav (DIR is created if missing);
 * --html writes a self-contained report (temporary file renamed into place,
 * never over the mix). Exit 0 on success, 1 when reading or writing fails,
 * 2 for bad usage. Units in the text: LUFS, LU, dB, Hz. Main thread only.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static const char help_text[] =
	"usage: mixdown translate MIX [-o DIR] [--json] [--html REPORT.html]\n"
	"\n"
	"Plays the mix through models of a phone speaker, laptop speakers, earbuds, a car\n"
	"cabin, a TV, a club PA and a mono Bluetooth speaker, and reports what changes:\n"
	"loudness, the bass below 120 Hz and whether the bass line is still heard (directly or\n"
	"through its harmonics), the 1-4 kHz vocal band against the rest, masking that appears,\n"
	"and what cancels in mono. Names the system the mix translates worst to.\n"
	"\n"
	"  -o, --output DIR   write DIR/<mix>.<system>.wav per system (24-bit, loudness-matched)\n"
	"  --json             print the JSON document (docs/translate.md) instead of text\n"
	"  --html FILE        write a self-contained HTML report\n"
	"\n"
	"Exit status: 0 success, 1 reading or writing failed, 2 bad usage.\n";

typedef struct {
	const char *mix, *dir, *html;
	bool json;
} translate_args;

static int parse_args(int argc, char **argv, translate_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			fputs(help_text, stdout);
			return -1;
		} else if (!strcmp(o, "--json")) {
			a->json = true;
		} else if (!strcmp(o, "-o") || !strcmp(o, "--output") || !strcmp(o, "--html")) {
			if (i + 1 >= argc)
				return cli_usage_error("option %s needs a value", o);
			if (!strcmp(o, "--html"))
				a->html = argv[++i];
			else
				a->dir = argv[++i];
		} else if (o[0] == '-' && o[1]) {
			return cli_usage_error("translate: unknown option '%s'", o);
		} else if (a->mix) {
			return cli_usage_error("translate takes one mix file ('%s' and '%s' given)", a->mix, o);
		} else {
			a->mix = o;
		}
	}
	if (!a->mix)
		return cli_usage_error("translate: missing the mix file");
	if (a->html && (!strcmp(a->html, a->mix) || cli_same_file(a->html, a->mix)))
		return cli_usage_error("translate: the report '%s' would overwrite the mix", a->html);
	if (a->dir && (!strcmp(a->dir, a->mix) || cli_same_file(a->dir, a->mix)))
		return cli_usage_error("translate: -o needs a directory, not the mix itself ('%s')", a->dir);
	return EXIT_OK;
}

static const char *bass_word(mixdown_bass_verdict v)
{
	return v == MIXDOWN_BASS_KEPT ? "kept" : v == MIXDOWN_BASS_HARMONICS ? "harmonics only"
					     : v == MIXDOWN_BASS_LOST ? "LOST" : "no bass line";
}

/* v with `dec` decimals (sign shown when plus), "-" when not finite; no "-0.0". */
static const char *num(char *b, size_t n, int dec, bool plus, double v)
{
	if (!isfinite(v)) {
		snprintf(b, n, "%s", "-");
		return b;
	}
	double scale = pow(10.0, dec), r = round(v * scale) / scale;
	snprintf(b, n, plus ? "%+.*f" : "%.*f", dec, r == 0.0 ? 0.0 : r);
	return b;
}

static void print_text(const mixdown_translate_result *r)
{
	char b1[32], b2[32], b3[32], b4[48];
	printf("%s: %.0f Hz, %u ch, %.1f s, %s LUFS; vocal band (1-4 kHz) %s dB against the rest\n", r->path,
	       r->sample_rate, r->channels, r->duration, num(b1, sizeof b1, 1, false, r->loudness),
	       num(b2, sizeof b2, 1, true, r->vocal_balance));
	printf("  %-26s %12s %11s  %-14s %9s  %-18s %5s\n", "system", "loudness LU", "<120 Hz dB", "bass line",
	       "vocal dB", "mono worst band", "score");
	for (size_t s = 0; s < r->n_systems; s++) {
		const mixdown_translate_system *o = &r->systems[s];
		if (o->mono && o->mono_worst_hz > 0)
			snprintf(b4, sizeof b4, "%.1f dB at %.0f Hz", o->mono_worst_drop, o->mono_worst_hz);
		else
			snprintf(b4, sizeof b4, "%s", "-");
		printf("  %-26s %12s %11s  %-14s %9s  %-18s %5.1f\n", o->label,
		       num(b1, sizeof b1, 1, true, o->loudness_change), num(b2, sizeof b2, 0, true, o->low_change),
		       bass_word(o->bass), num(b3, sizeof b3, 1, true, o->vocal_change), b4, o->score);
	}
	for (size_t s = 0; s < r->n_systems; s++) {
		const mixdown_translate_system *o = &r->systems[s];
		if (!o->n_notes)
			continue;
		printf("  %s%s:\n", o->label, o->approximation ? " (approximate model)" : "");
		for (size_t i = 0; i < o->n_notes; i++)
			printf("    - %s\n", o->notes[i]);
	}
	printf("%s\n", r->summary);
	size_t files = 0;
	for (size_t s = 0; s < r->n_systems; s++)
		if (r->systems[s].file[0])
			printf("%s  %s (gain %+.1f dB)\n", files++ ? "" : "listening files (loudness-matched):\n",
			       r->systems[s].file, r->systems[s].file_gain);
}

static int ensure_dir(const char *dir)
{
	struct stat sd;
	if (stat(dir, &sd) == 0) {
		if (S_ISDIR(sd.st_mode))
			return EXIT_OK;
		fprintf(stderr, "%s: %s: not a directory\n", cli_prog, dir);
		return EXIT_FAIL;
	}
	if (mkdir(dir, 0777) != 0) {
		fprintf(stderr, "%s: %s: cannot create directory: %s\n", cli_prog, dir, strerror(errno));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int cli_translate(int argc, char **argv)
{
	translate_args a = { 0 };
	int rc = parse_args(argc, argv, &a);
	if (rc < 0)
		return EXIT_OK; /* --help */
	if (rc != EXIT_OK)
		return rc;
	if (a.dir && (rc = ensure_dir(a.dir)) != EXIT_OK)
		return rc;
	mixdown_translate_result *r = NULL;
	mixdown_error err;
	mixdown_status st = mixdown_translate(a.mix, a.dir, &r, &err);
	if (st != MIXDOWN_SUCCESS)
		return cli_report_error(st, &err);
	if (a.json)
		rc = mixdown_translate_write_json(r, stdout) ? EXIT_FAIL : EXIT_OK;
	else
		print_text(r);
	if (a.html && rc == EXIT_OK) {
		size_t cap = strlen(a.html) + 16;
		char *tmp = malloc(cap);
		FILE *f = tmp ? cli_output_open(a.html, tmp, cap) : NULL;
		rc = f ? cli_output_commit(f, tmp, a.html, mixdown_translate_write_html(r, f) == 0) : EXIT_FAIL;
		if (rc == EXIT_OK && !a.json)
			printf("report: %s\n", a.html);
		free(tmp);
	}
	mixdown_translate_free(r);
	if (fflush(stdout) != 0)
		rc = EXIT_FAIL;
	return rc;
}
