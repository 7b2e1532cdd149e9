/* mixdown — JSON output of a multitrack analysis (schema "mixdown-analysis/1",
 * documented in docs/analysis-json.md, section "Multitrack").
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * "files" holds the mix first (sessions only), then every track and bus, as
 * file objects of the single-file schema; "multitrack" says which is which
 * and carries alignment, masking and feedback. Only reads the analysis; the
 * caller owns the FILE. Thread-safe for distinct FILEs.
 */
#include <stdio.h>
#include <string.h>

#include "analysis/analysis.h"

static void alignment(FILE *f, const mixdown_multitrack_analysis *m)
{
	fputs("    \"alignment\": [", f);
	for (size_t i = 0; i < m->n_alignment; i++) {
		const mixdown_alignment *a = &m->alignment[i];
		fputs(i ? ",\n      {\"a\": " : "\n      {\"a\": ", f);
		mxd_json_str(f, a->a);
		fputs(", \"b\": ", f);
		mxd_json_str(f, a->b);
		fputs(", ", f);
		mxd_json_key_num(f, "correlation", a->correlation, ", ");
		mxd_json_key_num(f, "offset_ms", a->offset_ms, ", ");
		fprintf(f, "\"inverted\": %s}", a->inverted ? "true" : "false");
	}
	fputs(m->n_alignment ? "\n    ],\n" : "],\n", f);
}

static void masking(FILE *f, const mixdown_multitrack_analysis *m)
{
	fputs("    \"masking\": [", f);
	for (size_t i = 0; i < m->n_masking; i++) {
		const mixdown_masking *k = &m->masking[i];
		fputs(i ? ",\n      {\"masked\": " : "\n      {\"masked\": ", f);
		mxd_json_str(f, k->masked);
		fputs(", \"masker\": ", f);
		mxd_json_str(f, k->masker);
		fputs(", ", f);
		mxd_json_key_num(f, "low_hz", k->low_hz, ", ");
		mxd_json_key_num(f, "high_hz", k->high_hz, ", ");
		mxd_json_key_num(f, "amount", k->amount, ", ");
		mxd_json_key_num(f, "cut_hz", k->cut_hz, ", ");
		mxd_json_key_num(f, "overlap", k->overlap, "}");
	}
	fputs(m->n_masking ? "\n    ],\n" : "],\n", f);
}

void mxd_json_feedback(FILE *f, const mixdown_feedback *v, size_t n, const char *indent)
{
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s\n%s{\"priority\": %d, \"topic\": ", i ? "," : "", indent, v[i].priority);
		mxd_json_str(f, v[i].topic);
		fputs(", \"text\": ", f);
		mxd_json_str(f, v[i].text);
		fputc('}', f);
	}
	if (n)
		fprintf(f, "\n%.*s", (int)(strlen(indent) >= 2 ? strlen(indent) - 2 : 0), indent); /* closing bracket one level out */
	fputc(']', f);
}

int mixdown_multitrack_write_json(const mixdown_multitrack_analysis *m, FILE *f)
{
	const size_t first = m->mix ? 1 : 0;
	fputs("{\n  \"schema\": \"mixdown-analysis/1\",\n  \"files\": [\n", f);
	if (m->mix) {
		mxd_json_file_object(f, m->mix);
		fputs(m->n_tracks ? ",\n" : "\n", f);
	}
	for (size_t i = 0; i < m->n_tracks; i++) {
		mxd_json_file_object(f, m->tracks[i]);
		fputs(i + 1 < m->n_tracks ? ",\n" : "\n", f);
	}
	fputs("  ],\n  \"multitrack\": {\n    \"session\": ", f);
	if (m->path[0])
		mxd_json_str(f, m->path);
	else
		fputs("null", f);
	fprintf(f, ",\n    \"mix\": %s,\n    \"tracks\": [", m->mix ? "0" : "null");
	for (size_t i = 0; i < m->n_tracks; i++) {
		fputs(i ? ",\n      {\"name\": " : "\n      {\"name\": ", f);
		mxd_json_str(f, m->names[i]);
		fprintf(f, ", \"kind\": \"%s\", \"file\": %zu}", m->is_bus[i] ? "bus" : "track", first + i);
	}
	fputs(m->n_tracks ? "\n    ],\n" : "],\n", f);
	alignment(f, m);
	masking(f, m);
	fputs("    \"feedback\": ", f);
	mxd_json_feedback(f, m->feedback, m->n_feedback, "      ");
	fputs("\n  }\n}\n", f);
	return ferror(f) || fflush(f) ? -1 : 0;
}
