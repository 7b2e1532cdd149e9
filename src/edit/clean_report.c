/* mixdown — the report of `mixdown clean`: one line per track of what was
 * found and proposed (text), or the same as JSON (docs/clean.md).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Times in seconds on the timeline, levels in dB; numbers printed with fixed
 * precision so the same session gives the same bytes. Control thread.
 */
#include <math.h>
#include <string.h>

#include "edit/clean.h"
#include "analysis/analysis.h"

static void sep(FILE *f, bool *first)
{
	fputs(*first ? ": " : "; ", f);
	*first = false;
}

static void text_track(const mxd_clean *c, const mxd_clean_track *t, FILE *f, bool applied)
{
	bool first = true;
	const char *will = applied ? "" : "would be ";
	fputs(t->strip->name, f);
	if (c->opt.strip_silence) {
		sep(f, &first);
		if (t->gaps)
			fprintf(f, "%zu silent region%s (%.1f s) %sremoved", t->gaps, t->gaps == 1 ? "" : "s", t->gap_seconds,
				will);
		else
			fputs("no silence to strip", f);
	}
	if (t->dc_run) {
		sep(f, &first);
		fprintf(f, "DC offset %+.4f", fabs(t->dc) < 5e-5 ? 0.0 : t->dc); /* no "-0.0000" */
		if (t->dc_fix)
			fprintf(f, " -> highpass %.0f Hz", MXD_CLEAN_DC_HP_HZ);
	}
	if (t->clicks_run) {
		sep(f, &first);
		if (!t->n_clicks)
			fputs("no clicks", f);
		else {
			fprintf(f, "%zu click%s at", t->n_clicks, t->n_clicks == 1 ? "" : "s");
			size_t shown = t->n_clicks < 8 ? t->n_clicks : 8;
			for (size_t i = 0; i < shown; i++)
				fprintf(f, "%s %.3f s", i ? "," : "", t->click_time[i]);
			fprintf(f, "%s%s", t->n_clicks > shown ? ", ..." : "",
				t->have_declick ? " (declick on the track)" : " -> declick");
		}
	}
	if (t->clip_run) {
		sep(f, &first);
		if (t->clip_runs)
			fprintf(f, "%zu clipped run%s at %.1f dBFS%s", t->clip_runs, t->clip_runs == 1 ? "" : "s",
				20.0 * log10(t->clip_level > 0 ? t->clip_level : 1e-15),
				t->have_declip ? " (declip on the track)" : " -> declip");
		else
			fputs("no clipping", f);
	}
	if (t->hum_run) {
		sep(f, &first);
		if (t->hum_hz > 0)
			fprintf(f, "hum %.1f Hz at %.0f dB%s", t->hum_hz, t->hum_db,
				t->have_dehum ? " (dehum on the track)" : " -> dehum");
		else
			fputs("no hum", f);
	}
	if (t->noise_run && t->noise_db > -300) {
		sep(f, &first);
		fprintf(f, "noise floor %.0f dBFS", t->noise_db);
		if (t->denoise_db > 0)
			fprintf(f, t->have_denoise ? " (denoise on the track)" : " -> denoise amount %.0f dB", t->denoise_db);
	}
	if (t->aligned) {
		sep(f, &first);
		if (!t->align_ok) {
			fputs(t->align_note, f);
		} else {
			double rate = c->s->sample_rate;
			fprintf(f, "%.3f ms %s than %s (%.2f samples at %.0f Hz)", fabs(t->al.offset) * 1000.0 / rate,
				t->al.offset >= 0 ? "later" : "earlier", c->ref, t->al.offset, rate);
			if (t->shift)
				fprintf(f, " -> %s %lld samples %s", applied ? "moved" : "move",
					(long long)(t->shift < 0 ? -t->shift : t->shift), t->shift > 0 ? "earlier" : "later");
			if (t->fine_fix)
				fprintf(f, "; %s %.3f samples", applied ? "finedelay clean-align set to" : "-> finedelay clean-align",
					t->fine);
			else if (t->have_fine >= 0)
				fprintf(f, "; finedelay clean-align %.3f samples on the track", t->have_fine);
			if (t->flip)
				fprintf(f, "; polarity inverted -> invert %s", t->strip->invert ? "off" : "on");
		}
	}
	fputc('\n', f);
}

static void json_track(const mxd_clean *c, const mxd_clean_track *t, FILE *f)
{
	fputs("    {\"name\": ", f);
	mxd_json_str(f, t->strip->name);
	if (c->opt.strip_silence) {
		fprintf(f, ", \"silence\": {\"regions\": %zu, \"seconds\": %.3f, \"kept\": [", t->gaps, t->gap_seconds);
		bool first = true;
		for (size_t i = 0; i < t->strip->n_clips; i++)
			for (size_t k = 0; t->keep[i] && k < t->n_keep[i]; k++) {
				double at = t->strip->clips[i].at;
				fprintf(f, "%s[%.4f, %.4f]", first ? "" : ", ", at + t->keep[i][k].start, at + t->keep[i][k].end);
				first = false;
			}
		fputs("]}", f);
	}
	if (t->dc_run)
		fprintf(f, ", \"dc\": {\"offset\": %.6f, \"fix\": %s}", t->dc, t->dc_fix ? "true" : "false");
	if (t->clicks_run) {
		fprintf(f, ", \"clicks\": {\"count\": %zu, \"times\": [", t->n_clicks);
		for (size_t i = 0; i < t->n_clicks && i < MXD_CLEAN_MAX_CLICKS; i++)
			fprintf(f, "%s%.4f", i ? ", " : "", t->click_time[i]);
		fputs("]}", f);
	}
	if (t->clip_run)
		fprintf(f, ", \"clipping\": {\"runs\": %zu, \"level\": %.4f}", t->clip_runs, t->clip_level);
	if (t->hum_run)
		fprintf(f, ", \"hum\": {\"freq\": %.2f, \"level_db\": %.1f}", t->hum_hz, t->hum_hz > 0 ? t->hum_db : -300.0);
	if (t->noise_run)
		fprintf(f, ", \"noise\": {\"floor_dbfs\": %.1f, \"denoise_db\": %.0f}", t->noise_db, t->denoise_db);
	if (t->aligned) {
		fputs(", \"align\": {\"reference\": ", f);
		mxd_json_str(f, c->ref);
		if (t->align_ok)
			fprintf(f, ", \"offset_samples\": %.3f, \"offset_ms\": %.4f, \"inverted\": %s, \"peak\": %.3f, "
				   "\"contrast\": %.1f, \"crosstalk\": %s, \"shift_samples\": %lld, \"fine_samples\": %.3f, "
				   "\"finedelay_change\": %s, \"invert\": %s}",
				t->al.offset, t->al.offset * 1000.0 / c->s->sample_rate, t->al.inverted ? "true" : "false",
				t->al.peak, t->al.contrast, t->al.crosstalk ? "true" : "false", (long long)t->shift, t->fine,
				t->fine_fix ? "true" : "false", t->flip ? "true" : "false");
		else {
			fputs(", \"note\": ", f);
			mxd_json_str(f, t->align_note);
			fputc('}', f);
		}
	}
	fputc('}', f);
}

void mxd_clean_report(const mxd_clean *c, FILE *f, bool applied)
{
	bool any = false;
	for (size_t i = 0; i < c->n; i++)
		any |= mxd_clean_has_changes(&c->t[i]);
	if (c->opt.json) {
		fputs("{\n  \"session\": ", f);
		mxd_json_str(f, c->path);
		fputs(",\n  \"tracks\": [\n", f);
		for (size_t i = 0; i < c->n; i++) {
			json_track(c, &c->t[i], f);
			fputs(i + 1 < c->n ? ",\n" : "\n", f);
		}
		fprintf(f, "  ],\n  \"changes\": %s,\n  \"applied\": %s\n}\n", any ? "true" : "false",
			applied ? "true" : "false");
		return;
	}
	for (size_t i = 0; i < c->n; i++)
		text_track(c, &c->t[i], f, applied);
	if (!c->n)
		fputs("no clip tracks to clean\n", f);
	if (applied)
		fprintf(f, "applied to %s (audio files untouched)\n", c->path);
	else if (any)
		fputs("nothing written: run with --apply to write these changes into the session\n", f);
	else
		fputs("nothing to change\n", f);
}
