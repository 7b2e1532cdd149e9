/* mixdown bench — mixeval: the result as a readable table and as JSON.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * JSON (one object): {"mixeval": 1, "output", "target", "rate", "channels", "trim": {start_s, end_s},
 * "metrics": {NAME: {group, unit, mape, target_mean, output_mean}}, "groups": {GROUP: mean MAPE},
 * "stem_balance": null | {mean_abs_error_lu, stems: [{name, rel_ref_lu, rel_out_lu, error_lu}],
 * unmatched: [..]}}. Undefined numbers (NAN) are written as null. MAPE is a fraction (0.1 = 10 %).
 * Ownership: nothing allocated. Threads: any (writes to the given stream).
 */
#include <math.h>
#include <string.h>

#include "mixeval.h"

static void jnum(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.6g", v);
	else
		fputs("null", f);
}

static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void mxe_print_json(FILE *f, const char *out_path, const char *tar_path, const mxe_result *r,
		    const mxe_stem_balance *b)
{
	fputs("{\n  \"mixeval\": 1,\n  \"output\": ", f);
	jstr(f, out_path);
	fputs(",\n  \"target\": ", f);
	jstr(f, tar_path);
	fprintf(f, ",\n  \"rate\": %g,\n  \"channels\": %d,\n", r->rate, r->channels);
	fprintf(f, "  \"trim\": { \"start_s\": %.3f, \"end_s\": %.3f },\n  \"metrics\": {\n",
		(double)r->trim_start / r->rate, (double)r->trim_end / r->rate);
	for (int m = 0; m < MXE_N_METRICS; m++) {
		fprintf(f, "    \"%s\": { \"group\": \"%s\", \"unit\": \"%s\", \"mape\": ", mxe_metric_name(m),
			mxe_group_name(mxe_metric_group(m)), mxe_metric_unit(m));
		jnum(f, r->m[m].mape);
		fputs(", \"target_mean\": ", f);
		jnum(f, r->m[m].tar_mean);
		fputs(", \"output_mean\": ", f);
		jnum(f, r->m[m].out_mean);
		fprintf(f, " }%s\n", m + 1 < MXE_N_METRICS ? "," : "");
	}
	fputs("  },\n  \"groups\": {", f);
	for (int g = 0; g < MXE_N_GROUPS; g++) {
		fprintf(f, "%s \"%s\": ", g ? "," : "", mxe_group_name(g));
		jnum(f, r->group[g]);
	}
	fputs(" },\n  \"stem_balance\": ", f);
	if (!b) {
		fputs("null\n}\n", f);
		return;
	}
	fputs("{\n    \"mean_abs_error_lu\": ", f);
	jnum(f, b->mean_abs_err);
	fputs(",\n    \"stems\": [", f);
	for (size_t i = 0; i < b->n; i++) {
		fputs(i ? ",\n      { \"name\": " : "\n      { \"name\": ", f);
		jstr(f, b->stems[i].name);
		fputs(", \"rel_ref_lu\": ", f);
		jnum(f, b->stems[i].rel_ref);
		fputs(", \"rel_out_lu\": ", f);
		jnum(f, b->stems[i].rel_out);
		fputs(", \"error_lu\": ", f);
		jnum(f, b->stems[i].err);
		fputs(" }", f);
	}
	fputs(" ],\n    \"unmatched\": [", f);
	/* b->unmatched is "side:name,side:name"; emit each as a string. */
	const char *p = b->unmatched;
	int first = 1;
	while (*p) {
		const char *q = strchr(p, ',');
		size_t len = q ? (size_t)(q - p) : strlen(p);
		char item[160];
		snprintf(item, sizeof item, "%.*s", (int)(len < sizeof item - 1 ? len : sizeof item - 1), p);
		fputs(first ? " " : ", ", f);
		jstr(f, item);
		first = 0;
		p += len + (q ? 1 : 0);
	}
	fputs(" ]\n  }\n}\n", f);
}

static void cell(FILE *f, double v, const char *fmt)
{
	if (isfinite(v))
		fprintf(f, fmt, v);
	else
		fprintf(f, "%12s", "n/a");
}

void mxe_print_table(FILE *f, const mxe_result *r, const mxe_stem_balance *b)
{
	fprintf(f, "kept %.2f-%.2f s after the target's silence trim; %g Hz, %d ch\n",
		(double)r->trim_start / r->rate, (double)r->trim_end / r->rate, r->rate, r->channels);
	fprintf(f, "%-9s %-18s %12s %12s %12s  %s\n", "group", "metric", "target", "output", "MAPE", "unit");
	for (int m = 0; m < MXE_N_METRICS; m++) {
		fprintf(f, "%-9s %-18s ", mxe_group_name(mxe_metric_group(m)), mxe_metric_name(m));
		cell(f, r->m[m].tar_mean, "%12.3f");
		fputc(' ', f);
		cell(f, r->m[m].out_mean, "%12.3f");
		fputc(' ', f);
		cell(f, r->m[m].mape, "%12.4f");
		fprintf(f, "  %s\n", mxe_metric_unit(m));
	}
	fputs("group mean MAPE:", f);
	for (int g = 0; g < MXE_N_GROUPS; g++) {
		fprintf(f, "  %s ", mxe_group_name(g));
		if (isfinite(r->group[g]))
			fprintf(f, "%.4f", r->group[g]);
		else
			fputs("n/a", f);
	}
	fputc('\n', f);
	if (!b)
		return;
	fprintf(f, "stem balance (stem loudness re. the sum of stems, LU):\n%-20s %10s %10s %10s\n", "stem",
		"reference", "output", "error");
	for (size_t i = 0; i < b->n; i++) {
		fprintf(f, "%-20s ", b->stems[i].name);
		cell(f, b->stems[i].rel_ref, "%10.2f");
		fputc(' ', f);
		cell(f, b->stems[i].rel_out, "%10.2f");
		fputc(' ', f);
		cell(f, b->stems[i].err, "%+10.2f");
		fputc('\n', f);
	}
	fprintf(f, "stem balance mean |error|: ");
	if (isfinite(b->mean_abs_err))
		fprintf(f, "%.2f LU over %zu stems\n", b->mean_abs_err, b->n);
	else
		fputs("n/a\n", f);
	if (b->unmatched[0])
		fprintf(f, "unmatched stems: %s\n", b->unmatched);
}
