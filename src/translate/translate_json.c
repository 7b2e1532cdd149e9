/* mixdown — mixdown_translate_write_json(): the translate result as the
 * versioned JSON document "mixdown-translate/1" (docs/translate.md).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Non-finite numbers are written as null (mxd_json_num). Units as in
 * mixdown.h: LUFS, LU, dB, Hz, seconds, shares 0..1. Any thread (writes only
 * to f).
 */
#include <math.h>
#include <stdio.h>

#include "analysis/analysis.h"
#include "translate/translate.h"

static const char *verdict(mixdown_bass_verdict v)
{
	switch (v) {
	case MIXDOWN_BASS_KEPT: return "kept";
	case MIXDOWN_BASS_HARMONICS: return "harmonics";
	case MIXDOWN_BASS_LOST: return "lost";
	default: return "none";
	}
}

static void array(FILE *f, const double *v, size_t n)
{
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		mxd_json_num(f, v[i]);
	}
	fputc(']', f);
}

static void system_json(FILE *f, const mixdown_translate_system *o)
{
	fputs("    {\n      \"name\": ", f);
	mxd_json_str(f, o->name);
	fputs(", \"label\": ", f);
	mxd_json_str(f, o->label);
	fprintf(f, ", \"mono\": %s, \"approximation\": %s,\n      \"source\": ", o->mono ? "true" : "false",
		o->approximation ? "true" : "false");
	mxd_json_str(f, o->source);
	fputs(",\n      \"curve\": [", f);
	for (size_t i = 0; i < o->n_curve; i++) {
		fprintf(f, "%s[", i ? ", " : "");
		mxd_json_num(f, o->curve_hz[i]);
		fputs(", ", f);
		mxd_json_num(f, o->curve_db[i]);
		fputc(']', f);
	}
	fputs("],\n      \"response\": ", f);
	array(f, o->response, MIXDOWN_BANDS);
	fputs(",\n      \"file\": ", f);
	if (o->file[0])
		mxd_json_str(f, o->file);
	else
		fputs("null", f);
	fputs(", ", f);
	mxd_json_key_num(f, "file_gain", o->file[0] ? o->file_gain : NAN, ",\n      ");
	mxd_json_key_num(f, "loudness", o->loudness, ", ");
	mxd_json_key_num(f, "loudness_change", o->loudness_change, ", ");
	mxd_json_key_num(f, "low_change", o->low_change, ",\n      ");
	fprintf(f, "\"bass\": {\"verdict\": \"%s\", ", verdict(o->bass));
	mxd_json_key_num(f, "kept", o->bass_kept, ", ");
	mxd_json_key_num(f, "harmonics", o->bass_harmonics, ", ");
	mxd_json_key_num(f, "lost", o->bass_lost, "},\n      ");
	mxd_json_key_num(f, "vocal_balance", o->vocal_balance, ", ");
	mxd_json_key_num(f, "vocal_change", o->vocal_change, ",\n      ");
	fputs("\"band_change\": ", f);
	array(f, o->band_change, MIXDOWN_BANDS);
	fputs(",\n      \"mono_fold\": ", f);
	if (o->mono) {
		fputc('{', f);
		mxd_json_key_num(f, "drop", o->mono_drop, ", ");
		mxd_json_key_num(f, "worst_hz", o->mono_worst_hz > 0 ? o->mono_worst_hz : NAN, ", ");
		mxd_json_key_num(f, "worst_drop", o->mono_worst_drop, ", \"band_drop\": ");
		array(f, o->mono_band_drop, MIXDOWN_BANDS);
		fputc('}', f);
	} else {
		fputs("null", f);
	}
	fputs(",\n      \"masking\": [", f);
	for (size_t i = 0; i < o->n_masking; i++) {
		const mixdown_translate_masking *m = &o->masking[i];
		fprintf(f, "%s{", i ? ", " : "");
		mxd_json_key_num(f, "hz", m->hz, ", ");
		mxd_json_key_num(f, "masker_hz", m->masker_hz, ", ");
		mxd_json_key_num(f, "share_before", m->share_before, ", ");
		mxd_json_key_num(f, "share_after", m->share_after, "}");
	}
	fputs("],\n      ", f);
	mxd_json_key_num(f, "score", o->score, ",\n      \"notes\": [");
	for (size_t i = 0; i < o->n_notes; i++) {
		if (i)
			fputs(", ", f);
		mxd_json_str(f, o->notes[i]);
	}
	fputs("]\n    }", f);
}

int mixdown_translate_write_json(const mixdown_translate_result *r, FILE *f)
{
	if (!r || !f)
		return -1;
	fputs("{\n  \"schema\": \"mixdown-translate/1\",\n  \"file\": {\"path\": ", f);
	mxd_json_str(f, r->path);
	fputs(", ", f);
	mxd_json_key_num(f, "sample_rate", r->sample_rate, ", ");
	fprintf(f, "\"channels\": %u, \"frames\": %llu, ", r->channels, (unsigned long long)r->frames);
	mxd_json_key_num(f, "duration", r->duration, ",\n    ");
	mxd_json_key_num(f, "loudness", r->loudness, ", ");
	mxd_json_key_num(f, "vocal_balance", r->vocal_balance, ", ");
	mxd_json_key_num(f, "bass_seconds", r->bass_seconds, "},\n  \"bands\": [");
	for (size_t b = 0; b < MIXDOWN_BANDS; b++) {
		if (b)
			fputs(", ", f);
		mxd_json_num(f, mixdown_band_centre(b));
	}
	fputs("],\n  \"systems\": [\n", f);
	for (size_t s = 0; s < r->n_systems; s++) {
		system_json(f, &r->systems[s]);
		fputs(s + 1 < r->n_systems ? ",\n" : "\n", f);
	}
	fputs("  ],\n  \"worst\": ", f);
	mxd_json_str(f, r->n_systems ? r->systems[r->worst].name : "");
	fputs(",\n  \"summary\": ", f);
	mxd_json_str(f, r->summary);
	fputs("\n}\n", f);
	return ferror(f) ? -1 : 0;
}
