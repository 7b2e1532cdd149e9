/* mixdown — `mixdown master`: loudness-targeted, true-peak-limited masters,
 * album mode and deliverables.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   master IN -o OUT [--target PRESET | --loudness LUFS] [--true-peak DBTP]
 *          [--reference REF [--amount PCT]] [--chain FILE] [--bits 16|24|32f]
 *          [--rate HZ] [--dither auto|always|shaped|off] [--warn-limiting DB] [--json]
 *   master IN... --album -o DIR [same options]
 *   master IN --deliver streaming,cd,mastering-engineer -o DIR [same options]
 * Prints a report per file (text, or JSON with --json); the deliverables and
 * album modes also write DIR/manifest.json. Exit 0 when every master met its
 * target, 1 on failure or a missed target, 2 for bad usage.
 * Main thread only.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

typedef struct {
	mixdown_master_options opt;
	const char **inputs;
	size_t n_inputs;
	const char *output, *deliver;
	bool album, json;
} master_args;

static int parse_number(const char *opt, const char *v, double lo, double hi, double *out)
{
	char *end;
	double x = strtod(v, &end);
	if (end == v || *end || !(x >= lo && x <= hi))
		return cli_usage_error("%s needs a number from %g to %g, not '%s'", opt, lo, hi, v);
	*out = x;
	return EXIT_OK;
}

static int parse_value(master_args *a, const char *o, const char *v)
{
	mixdown_master_options *m = &a->opt;
	if (!strcmp(o, "--target")) {
		if (!mixdown_master_preset_find(v)) {
			char list[512] = "";
			for (size_t k = 0; k < mixdown_master_preset_count(); k++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "",
					 mixdown_master_preset_get(k)->name);
			return cli_usage_error("unknown --target '%s' (one of: %s)", v, list);
		}
		m->preset = v;
		return EXIT_OK;
	}
	if (!strcmp(o, "--loudness"))
		return parse_number(o, v, -70, 0, &m->loudness);
	if (!strcmp(o, "--true-peak"))
		return parse_number(o, v, -30, 0, &m->true_peak);
	if (!strcmp(o, "--warn-limiting"))
		return parse_number(o, v, 0, 60, &m->warn_limiting);
	if (!strcmp(o, "--rate"))
		return parse_number(o, v, 8000, 384000, &m->sample_rate);
	if (!strcmp(o, "--amount")) {
		int rc = parse_number(o, v, 0, 100, &m->match_amount);
		m->match_amount /= 100.0;
		return rc;
	}
	if (!strcmp(o, "--reference")) {
		m->reference = v;
		return EXIT_OK;
	}
	if (!strcmp(o, "--chain")) {
		m->chain = v;
		return EXIT_OK;
	}
	if (!strcmp(o, "-o") || !strcmp(o, "--output")) {
		a->output = v;
		return EXIT_OK;
	}
	if (!strcmp(o, "--deliver")) {
		a->deliver = v;
		return EXIT_OK;
	}
	if (!strcmp(o, "--bits")) {
		m->sample = !strcmp(v, "16") ? MIXDOWN_SAMPLE_INT16
			  : !strcmp(v, "24") ? MIXDOWN_SAMPLE_INT24
			  : !strcmp(v, "32f") || !strcmp(v, "32") ? MIXDOWN_SAMPLE_FLOAT32
								 : MIXDOWN_SAMPLE_AUTO;
		return m->sample == MIXDOWN_SAMPLE_AUTO ? cli_usage_error("--bits is 16, 24 or 32f, not '%s'", v) : EXIT_OK;
	}
	if (!strcmp(o, "--dither")) {
		m->dither = !strcmp(v, "auto") ? MIXDOWN_DITHER_AUTO
			  : !strcmp(v, "always") ? MIXDOWN_DITHER_ALWAYS
			  : !strcmp(v, "off") ? MIXDOWN_DITHER_OFF
			  : !strcmp(v, "shaped") ? MIXDOWN_DITHER_SHAPED
						 : (mixdown_dither)-1;
		return (int)m->dither < 0 ? cli_usage_error("--dither is auto, always, shaped or off, not '%s'", v)
					  : EXIT_OK;
	}
	return cli_usage_error("unknown option '%s'", o);
}

static int parse(int argc, char **argv, master_args *a)
{
	static const char *const with_value[] = { "--target", "--loudness", "--true-peak", "--warn-limiting", "--rate",
						  "--amount", "--reference", "--chain", "-o", "--output",
						  "--deliver", "--bits", "--dither" };
	a->opt = mixdown_master_options_init();
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		bool takes = false;
		for (size_t k = 0; k < sizeof with_value / sizeof *with_value; k++)
			takes |= !strcmp(o, with_value[k]);
		if (takes) {
			if (i + 1 >= argc)
				return cli_usage_error("option %s needs a value", o);
			int rc = parse_value(a, o, argv[++i]);
			if (rc != EXIT_OK)
				return rc;
		} else if (!strcmp(o, "--album")) {
			a->album = true;
		} else if (!strcmp(o, "--json")) {
			a->json = true;
		} else if (o[0] == '-' && o[1]) {
			return cli_usage_error("unknown option '%s'", o);
		} else {
			a->inputs[a->n_inputs++] = o;
		}
	}
	if (!a->n_inputs)
		return cli_usage_error("master needs an input file");
	if (!a->output)
		return cli_usage_error("master needs -o OUT (a file; a folder with --album or --deliver)");
	if (a->album && a->deliver)
		return cli_usage_error("--album and --deliver cannot be combined");
	if (!a->album && a->n_inputs > 1)
		return cli_usage_error("several inputs need --album");
	if (!a->opt.preset && !isfinite(a->opt.loudness) && !a->opt.reference)
		a->opt.preset = "spotify";
	return EXIT_OK;
}

static void print_report(const mixdown_master_report *r)
{
	printf("%s\n", r->output);
	printf("  steps      %s\n", r->steps);
	printf("  input      %.2f LUFS, %.2f dBTP\n", r->in_loudness, r->in_true_peak);
	printf("  target     %.1f LUFS, ceiling %.1f dBTP\n", r->target_loudness, r->ceiling);
	printf("  master     %.2f LUFS, %.2f dBTP (sample peak %.2f dBFS) after gain %+.2f dB, %d render%s\n",
	       r->loudness, r->true_peak, r->sample_peak, r->gain, r->passes, r->passes == 1 ? "" : "s");
	printf("  limiter    %.1f dB at most, %.1f dB on average\n", r->limiting_max, r->limiting_mean);
	printf("  file       %.0f Hz, %d-%s, %.2f s\n", r->sample_rate, r->bits == 32 ? 32 : r->bits,
	       r->bits == 32 ? "bit float" : "bit", r->sample_rate > 0 ? (double)r->frames / r->sample_rate : 0);
	printf("  %s\n", r->met ? "target met" : "TARGET MISSED");
	if (r->warning[0])
		printf("  WARNING    %s\n", r->warning);
}

static int write_manifest(const char *dir, const mixdown_master_report *r, size_t n)
{
	char path[1100], tmp[1200];
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	FILE *f = cli_output_open(path, tmp, sizeof tmp);
	if (!f)
		return EXIT_FAIL;
	fputs("{\n  \"schema\": \"mixdown-master/1\",\n  \"files\": [\n    ", f);
	bool ok = true;
	for (size_t i = 0; i < n; i++) {
		ok &= mixdown_master_report_write_json(&r[i], f, "    ") == 0;
		fputs(i + 1 < n ? ",\n    " : "\n", f);
	}
	fputs("  ]\n}\n", f);
	return cli_output_commit(f, tmp, path, ok);
}

int cli_master(int argc, char **argv)
{
	master_args a;
	memset(&a, 0, sizeof a);
	a.inputs = calloc((size_t)argc, sizeof *a.inputs);
	mixdown_master_report *reps = calloc((size_t)argc + 3, sizeof *reps);
	size_t n_reps = 0;
	int rc = a.inputs && reps ? parse(argc, argv, &a) : EXIT_FAIL;
	if (rc != EXIT_OK)
		goto done;
	mixdown_error err;
	mixdown_status st;
	if (a.album || a.deliver) {
		mkdir(a.output, 0777); /* an existing folder is fine; a failure shows when writing */
		st = a.album ? mixdown_master_album(a.inputs, a.n_inputs, a.output, &a.opt, reps, &err)
			     : mixdown_master_deliver(a.inputs[0], a.output, a.deliver, &a.opt, reps, &n_reps, &err);
		if (a.album)
			n_reps = st == MIXDOWN_SUCCESS ? a.n_inputs : 0;
	} else {
		st = mixdown_master_file(a.inputs[0], a.output, &a.opt, &reps[0], &err);
		n_reps = st == MIXDOWN_SUCCESS ? 1 : 0;
	}
	if (st != MIXDOWN_SUCCESS) {
		rc = cli_report_error(st, &err);
		goto done;
	}
	if (a.json) {
		fputs("{\n  \"schema\": \"mixdown-master/1\",\n  \"files\": [\n    ", stdout);
		for (size_t i = 0; i < n_reps; i++) {
			mixdown_master_report_write_json(&reps[i], stdout, "    ");
			fputs(i + 1 < n_reps ? ",\n    " : "\n", stdout);
		}
		fputs("  ]\n}\n", stdout);
	} else {
		for (size_t i = 0; i < n_reps; i++) {
			if (i)
				putchar('\n');
			print_report(&reps[i]);
		}
	}
	if ((a.album || a.deliver) && (rc = write_manifest(a.output, reps, n_reps)) != EXIT_OK)
		goto done;
	for (size_t i = 0; i < n_reps; i++)
		if (!reps[i].met)
			rc = EXIT_FAIL;
done:
	free(a.inputs);
	free(reps);
	return rc;
}
