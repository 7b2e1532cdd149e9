/* mixdown — a mastering report as JSON (docs/mastering.md).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Non-finite numbers are written as null (the analysis JSON helpers). Only reads the report; any thread.
 */
#include <math.h>
#include <stdio.h>

#include "analysis/analysis.h"

static void num(FILE *f, const char *key, double v, const char *after)
{
	mxd_json_key_num(f, key, v, after);
}

static void str(FILE *f, const char *key, const char *s, const char *after)
{
	fprintf(f, "\"%s\": ", key);
	mxd_json_str(f, s);
	fputs(after, f);
}

static void bands(FILE *f, const char *key, const double *v, const char *after)
{
	fprintf(f, "\"%s\": [", key);
	for (int k = 0; k < 31; k++)
		fprintf(f, k ? ", %.3g" : "%.3g", isfinite(v[k]) ? v[k] : 0.0);
	fprintf(f, "]%s", after);
}

int mixdown_master_report_write_json(const mixdown_master_report *r, FILE *f, const char *indent)
{
	fprintf(f, "{\n%s  ", indent);
	str(f, "output", r->output, ", ");
	num(f, "sample_rate", r->sample_rate, ", ");
	fprintf(f, "\"bits\": %d, \"frames\": %llu,\n%s  ", r->bits, (unsigned long long)r->frames, indent);
	num(f, "target_loudness", r->target_loudness, ", ");
	num(f, "ceiling", r->ceiling, ",\n");
	fprintf(f, "%s  ", indent);
	num(f, "input_loudness", r->in_loudness, ", ");
	num(f, "input_true_peak", r->in_true_peak, ", ");
	num(f, "gain", r->gain, ",\n");
	fprintf(f, "%s  ", indent);
	num(f, "loudness", r->loudness, ", ");
	num(f, "true_peak", r->true_peak, ", ");
	num(f, "sample_peak", r->sample_peak, ",\n");
	fprintf(f, "%s  ", indent);
	num(f, "limiting_max", r->limiting_max, ", ");
	num(f, "limiting_mean", r->limiting_mean, ", ");
	fprintf(f, "\"passes\": %d, \"met\": %s,\n%s  ", r->passes, r->met ? "true" : "false", indent);
	str(f, "steps", r->steps, ",\n");
	fprintf(f, "%s  ", indent);
	bands(f, "match_mid", r->match_mid, ", ");
	bands(f, "match_side", r->match_side, ",\n");
	fprintf(f, "%s  ", indent);
	if (r->warning[0])
		str(f, "warning", r->warning, "\n");
	else
		fputs("\"warning\": null\n", f);
	fprintf(f, "%s}", indent);
	return ferror(f) ? -1 : 0;
}
