/* mixdown — the "compare" and "feedback" keys of a file object in the
 * analysis JSON (schema "mixdown-analysis/1", docs/analysis-json.md).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Called by json.c's file object just before "series". Arrays of band values
 * follow the one-third-octave grid (MIXDOWN_BANDS, mixdown_band_centre);
 * non-finite numbers are written as null. Units: dB, LU, dB per octave. Only
 * reads the analysis; thread-safe for distinct FILEs.
 */
#include <stdio.h>

#include "analysis/analysis.h"

static void bands(FILE *f, const char *key, const double *v, const char *after)
{
	fprintf(f, "\"%s\": [", key);
	for (size_t k = 0; k < MIXDOWN_BANDS; k++) {
		if (k)
			fputs(", ", f);
		mxd_json_num(f, v[k]);
	}
	fprintf(f, "]%s", after);
}

void mxd_json_compare(FILE *f, const mixdown_analysis *a)
{
	fputs("      \"compare\": [", f);
	for (size_t i = 0; i < a->n_compare; i++) {
		const mixdown_comparison *c = &a->compare[i];
		fputs(i ? ",\n        {\"name\": " : "\n        {\"name\": ", f);
		mxd_json_str(f, c->name);
		fprintf(f, ", \"is_target\": %s,\n         ", c->is_target ? "true" : "false");
		bands(f, "delta", c->delta, ",\n         ");
		fputs("\"broad_delta\": {", f);
		mxd_json_key_num(f, "low", c->broad_delta[0], ", ");
		mxd_json_key_num(f, "low_mid", c->broad_delta[1], ", ");
		mxd_json_key_num(f, "high_mid", c->broad_delta[2], ", ");
		mxd_json_key_num(f, "high", c->broad_delta[3], "},\n         ");
		mxd_json_key_num(f, "tilt_delta", c->tilt_delta, ", ");
		mxd_json_key_num(f, "loudness_delta", c->loudness_delta, ", ");
		mxd_json_key_num(f, "range_delta", c->range_delta, ", ");
		mxd_json_key_num(f, "plr_delta", c->plr_delta, ", ");
		mxd_json_key_num(f, "width_delta", c->width_delta, ",\n         ");
		bands(f, "ref_level", c->ref_level, ",\n         ");
		bands(f, "ref_low", c->ref_low, ",\n         ");
		bands(f, "ref_high", c->ref_high, "}");
	}
	fputs(a->n_compare ? "\n      ],\n" : "],\n", f);
	fputs("      \"feedback\": ", f);
	mxd_json_feedback(f, a->feedback, a->n_feedback, "        "); /* multitrack_json.c */
	fputs(",\n", f);
}
