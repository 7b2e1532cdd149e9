/* mixdown — JSON output of analyses, schema "mixdown-analysis/1".
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The schema is documented in docs/analysis-json.md. Numbers are JSON numbers
 * (up to 7 significant digits); -inf / inf / NaN are written as null. Units:
 * LUFS, LU, dBTP, dBFS, dB, seconds, as in mixdown/mixdown.h. The writer only
 * reads the analysis; the caller owns the FILE. Thread-safe for distinct FILEs.
 */
#include <math.h>
#include <stdio.h>

#include "analysis/analysis.h"

void mxd_json_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.7g", v);
	else
		fputs("null", f);
}

void mxd_json_key_num(FILE *f, const char *k, double v, const char *after)
{
	fprintf(f, "\"%s\": ", k);
	mxd_json_num(f, v);
	fputs(after, f);
}

void mxd_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 32)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void channels(FILE *f, uint32_t mask)
{
	fputc('[', f);
	int first = 1;
	for (uint32_t c = 0; c < 32; c++)
		if (mask & (1u << c)) {
			fprintf(f, first ? "%u" : ", %u", c + 1);
			first = 0;
		}
	fputc(']', f);
}

static void ranges(FILE *f, const mixdown_analysis_range *r, size_t n, const char *count_key, bool ride)
{
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n        {" : "\n        {", f);
		mxd_json_key_num(f, "start", r[i].start, ", ");
		mxd_json_key_num(f, "end", r[i].end, ", ");
		if (ride) {
			fprintf(f, "\"kind\": \"%s\", ", r[i].peak > 0 ? "loud" : "quiet");
			mxd_json_key_num(f, "relative", r[i].peak, "}");
			continue;
		}
		fputs("\"channels\": ", f);
		channels(f, r[i].channel_mask);
		fprintf(f, ", \"%s\": %llu, ", count_key, (unsigned long long)r[i].count);
		mxd_json_key_num(f, "peak", r[i].peak, "}");
	}
	fputs(n ? "\n      ]" : "]", f);
}

static void series(FILE *f, const char *k, const double *v, size_t n, bool last)
{
	fprintf(f, "      \"%s\": ", k);
	if (!v) {
		fputs(last ? "null\n" : "null,\n", f);
		return;
	}
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(i % 16 ? ", " : ",\n        ", f);
		mxd_json_num(f, v[i]);
	}
	fputs(last ? "]\n" : "],\n", f);
}

void mxd_json_file_object(FILE *f, const mixdown_analysis *a)
{
	fputs("    {\n      \"path\": ", f);
	mxd_json_str(f, a->path);
	fprintf(f, ",\n      \"sample_rate\": %.0f, \"channels\": %u, \"frames\": %llu, ", a->sample_rate, a->channels,
		(unsigned long long)a->frames);
	mxd_json_key_num(f, "duration", a->duration, ",\n");
	fputs("      \"loudness\": {", f);
	mxd_json_key_num(f, "integrated", a->loudness.integrated, ", ");
	mxd_json_key_num(f, "range", a->loudness.range, ", ");
	mxd_json_key_num(f, "momentary_max", a->loudness.momentary_max, ", ");
	mxd_json_key_num(f, "short_term_max", a->loudness.short_term_max, ", ");
	mxd_json_key_num(f, "true_peak", a->loudness.true_peak, ", ");
	mxd_json_key_num(f, "sample_peak", a->loudness.sample_peak, a->loudness_only ? "}\n    }" : "},\n");
	if (a->loudness_only)
		return; /* --loudness: nothing else was measured */
	fputs("      \"dynamics\": {", f);
	mxd_json_key_num(f, "crest_factor", a->dynamics.crest_factor, ", ");
	mxd_json_key_num(f, "plr", a->dynamics.plr, ", ");
	mxd_json_key_num(f, "psr_min", a->dynamics.psr_min, ", ");
	mxd_json_key_num(f, "dr", a->dynamics.dr, ", \"ride\": ");
	ranges(f, a->dynamics.ride, a->dynamics.n_ride, NULL, true);
	fputs("},\n      \"stereo\": ", f);
	if (a->stereo.valid) {
		fputc('{', f);
		mxd_json_key_num(f, "correlation", a->stereo.correlation, ", ");
		mxd_json_key_num(f, "width", a->stereo.width, ", ");
		mxd_json_key_num(f, "balance", a->stereo.balance, ", ");
		mxd_json_key_num(f, "mono_loudness", a->stereo.mono_loudness, ", ");
		mxd_json_key_num(f, "mono_drop", a->stereo.mono_drop, "},\n");
	} else {
		fputs("null,\n", f);
	}
	fprintf(f, "      \"problems\": {\"clipped_samples\": %llu, \"clips\": ",
		(unsigned long long)a->problems.clipped_samples);
	ranges(f, a->problems.clips, a->problems.n_clips, "samples", false);
	fprintf(f, ",\n        \"inter_sample_overs\": %llu, \"overs\": ", (unsigned long long)a->problems.overs);
	ranges(f, a->problems.overs_at, a->problems.n_overs, "blocks", false);
	fputs(",\n        \"dc_offset\": [", f);
	for (uint32_t c = 0; c < a->channels; c++) {
		if (c)
			fputs(", ", f);
		mxd_json_num(f, a->problems.dc_offset ? a->problems.dc_offset[c] : 0.0);
	}
	fputs("], ", f);
	mxd_json_key_num(f, "dc_offset_max", a->problems.dc_offset_max_dbfs, ",\n        ");
	mxd_json_key_num(f, "leading_silence", a->problems.leading_silence, ", ");
	mxd_json_key_num(f, "trailing_silence", a->problems.trailing_silence, ", ");
	mxd_json_key_num(f, "noise_floor", a->problems.noise_floor, ",\n        \"messages\": [");
	for (size_t i = 0; i < a->problems.n_messages; i++) {
		if (i)
			fputs(", ", f);
		mxd_json_str(f, a->problems.messages[i]);
	}
	fputs("]},\n      \"delivery\": [", f);
	for (size_t i = 0; i < a->n_delivery; i++) {
		const mixdown_delivery_check *d = &a->delivery[i];
		fputs(i ? ",\n        {\"platform\": " : "\n        {\"platform\": ", f);
		mxd_json_str(f, d->platform);
		fputs(", \"label\": ", f);
		mxd_json_str(f, d->label);
		fputs(", ", f);
		mxd_json_key_num(f, "target", d->target, ", ");
		mxd_json_key_num(f, "max_true_peak", d->max_true_peak, ", ");
		mxd_json_key_num(f, "tolerance", d->tolerance, ", ");
		fprintf(f, "\"normalizes\": \"%s\",\n         ", d->normalizes);
		mxd_json_key_num(f, "gain", d->gain, ", ");
		mxd_json_key_num(f, "gain_to_target", d->gain_to_target, ", ");
		mxd_json_key_num(f, "loudness_after", d->loudness_after, ", ");
		mxd_json_key_num(f, "true_peak_after", d->true_peak_after, ", ");
		fprintf(f, "\"clips\": %s, \"ok\": %s}", d->clips ? "true" : "false", d->ok ? "true" : "false");
	}
	fputs(a->n_delivery ? "\n      ],\n" : "],\n", f);
	mxd_json_vectorscope(f, a); /* vectorscope.c */
	mxd_spec_write_json(f, a); /* spectrum_json.c */
	mxd_json_compare(f, a); /* compare_json.c: "compare", "feedback" */
	fputs("      \"series\": {", f);
	mxd_json_key_num(f, "interval", a->series.interval, ",\n");
	series(f, "momentary", a->series.momentary ? a->series.momentary : (const double[]){ 0 }, a->series.n, false);
	series(f, "short_term", a->series.short_term ? a->series.short_term : (const double[]){ 0 }, a->series.n, false);
	series(f, "correlation", a->series.correlation, a->series.n, true);
	fputs("      }\n    }", f);
}

int mixdown_analysis_write_json_many(const mixdown_analysis *const *a, size_t n, FILE *f)
{
	fputs("{\n  \"schema\": \"mixdown-analysis/1\",\n  \"files\": [\n", f);
	for (size_t i = 0; i < n; i++) {
		mxd_json_file_object(f, a[i]);
		fputs(i + 1 < n ? ",\n" : "\n", f);
	}
	fputs("  ]\n}\n", f);
	return ferror(f) || fflush(f) ? -1 : 0;
}

int mixdown_analysis_write_json(const mixdown_analysis *a, FILE *f)
{
	return mixdown_analysis_write_json_many(&a, 1, f);
}
