/* mixdown — the "spectrum" member of a file object in the analysis JSON
 * (docs/analysis-json.md, schema "mixdown-analysis/1").
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Arrays of MIXDOWN_BANDS numbers in band order (bands_hz gives the centres);
 * -INFINITY/NaN are written as null (mxd_json_num). pan, correlation and
 * mono_drop are null for mono files. Units: dBFS, dB, dB/octave, Hz, s.
 * Only reads the analysis; the caller owns the FILE. Any thread.
 */
#include <math.h>
#include <stdio.h>

#include "analysis/analysis.h"

static void band_array(FILE *f, const char *key, const double *v, const char *after)
{
	fprintf(f, "\"%s\": ", key);
	if (!v) {
		fprintf(f, "null%s", after);
		return;
	}
	fputc('[', f);
	for (size_t b = 0; b < MIXDOWN_BANDS; b++) {
		if (b)
			fputs(", ", f);
		mxd_json_num(f, v[b]);
	}
	fprintf(f, "]%s", after);
}

void mxd_spec_write_json(FILE *f, const mixdown_analysis *a)
{
	double centre[MIXDOWN_BANDS];
	for (size_t b = 0; b < MIXDOWN_BANDS; b++)
		centre[b] = mixdown_band_centre(b);
	const bool st = a->channels >= 2;
	fprintf(f, "      \"spectrum\": {\"valid\": %s,\n        ", a->spectrum.valid ? "true" : "false");
	band_array(f, "bands_hz", centre, ",\n        ");
	band_array(f, "level", a->spectrum.level, ",\n        ");
	fputs("\"broad\": {", f);
	mxd_json_key_num(f, "low", a->spectrum.broad[0], ", ");
	mxd_json_key_num(f, "low_mid", a->spectrum.broad[1], ", ");
	mxd_json_key_num(f, "high_mid", a->spectrum.broad[2], ", ");
	mxd_json_key_num(f, "high", a->spectrum.broad[3], "}, ");
	mxd_json_key_num(f, "tilt", a->spectrum.tilt, ", ");
	mxd_json_key_num(f, "centroid", a->spectrum.centroid, ",\n        ");
	band_array(f, "pan", st ? a->spectrum.pan : NULL, ",\n        ");
	band_array(f, "correlation", st ? a->spectrum.correlation : NULL, ",\n        ");
	band_array(f, "mono_drop", st ? a->spectrum.mono_drop : NULL, ",\n        \"resonances\": [");
	for (size_t i = 0; i < a->spectrum.n_resonances; i++) {
		const mixdown_resonance *r = &a->spectrum.resonances[i];
		fputs(i ? ", {" : "{", f);
		mxd_json_key_num(f, "freq", r->freq, ", ");
		mxd_json_key_num(f, "prominence", r->prominence, ", ");
		mxd_json_key_num(f, "q", r->q, "}");
	}
	fputs("],\n        \"sibilance\": [", f);
	for (size_t i = 0; i < a->spectrum.n_sibilance; i++) {
		const mixdown_analysis_range *r = &a->spectrum.sibilance[i];
		fputs(i ? ", {" : "{", f);
		mxd_json_key_num(f, "start", r->start, ", ");
		mxd_json_key_num(f, "end", r->end, ", ");
		mxd_json_key_num(f, "peak", r->peak, "}");
	}
	fputs("]},\n", f);
}
