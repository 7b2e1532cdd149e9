/* mixdown — mixdown_translate_write_html(): a self-contained HTML report of
 * `mixdown translate` (inline SVG and CSS; no script, fonts or network).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Contents: the summary; one chart of every model's magnitude response
 * (designed at the mix's rate, 20 Hz - 20 kHz on a log axis, -40..+20 dB,
 * the documented curve points as dots); a table of the per-system changes;
 * per system its notes and a bar chart of the change of each one-third-
 * octave band (dB, clipped to +-24). Any thread (writes only to f).
 */
#include <math.h>
#include <stdio.h>

#include "translate/translate.h"

#define W 760.0
#define H 300.0
#define ML 48.0
#define MR 12.0
#define MT 12.0
#define MB 30.0

static const char *const colours[] = { "#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
				       "#17becf" };

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static double xpos(double hz)
{
	return ML + (W - ML - MR) * log10(hz / 20.0) / 3.0; /* 20 Hz .. 20 kHz */
}

static double ypos(double db, double lo, double hi)
{
	if (db < lo)
		db = lo;
	if (db > hi)
		db = hi;
	return MT + (H - MT - MB) * (hi - db) / (hi - lo);
}

static void axes(FILE *f, double lo, double hi, double step)
{
	static const double ticks[] = { 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000 };
	fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#fff\" stroke=\"#999\"/>\n", ML,
		MT, W - ML - MR, H - MT - MB);
	for (size_t i = 0; i < sizeof ticks / sizeof ticks[0]; i++) {
		double x = xpos(ticks[i]);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#ddd\"/>", x, MT, x, H - MB);
		fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%g%s</text>\n", x, H - MB + 16,
			ticks[i] >= 1000 ? ticks[i] / 1000 : ticks[i], ticks[i] >= 1000 ? "k" : "");
	}
	for (double d = lo; d <= hi + 1e-9; d += step) {
		double y = ypos(d, lo, hi);
		fprintf(f, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"%s\"/>", ML, y, W - MR, y,
			fabs(d) < 1e-9 ? "#888" : "#eee");
		fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%+.0f</text>\n", ML - 4, y + 4, d);
	}
}

static void response_chart(FILE *f, const mixdown_translate_result *r)
{
	fprintf(f, "<svg viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" "
		   "aria-label=\"model responses\">\n", W, H, W, H);
	axes(f, -40.0, 20.0, 10.0);
	for (size_t s = 0; s < r->n_systems && s < mxd_tr_model_count(); s++) {
		mxd_tr_filter filt;
		if (mxd_tr_filter_design(&filt, mxd_tr_model_get(s), r->sample_rate))
			continue;
		const char *col = colours[s % (sizeof colours / sizeof colours[0])];
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" points=\"", col);
		for (int i = 0; i <= 120; i++) {
			double hz = 20.0 * pow(10.0, 3.0 * i / 120.0);
			if (hz >= 0.5 * r->sample_rate)
				break;
			fprintf(f, "%.1f,%.1f ", xpos(hz), ypos(mxd_tr_filter_response(&filt, hz), -40.0, 20.0));
		}
		fputs("\"/>\n", f);
		const mixdown_translate_system *o = &r->systems[s];
		for (size_t i = 0; i < o->n_curve; i++)
			if (o->curve_db[i] >= -40.0)
				fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>",
					xpos(o->curve_hz[i]), ypos(o->curve_db[i], -40.0, 20.0), col);
	}
	/* Legend in the empty lower-right corner (high frequencies, deep cuts). */
	const double lx = W - MR - 200, ly = H - MB - 10 - 14.0 * (double)r->n_systems;
	fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"192\" height=\"%.0f\" fill=\"#fff\" stroke=\"#ccc\"/>\n",
		lx - 6, ly - 12, 14.0 * (double)r->n_systems + 8);
	for (size_t s = 0; s < r->n_systems; s++) {
		const char *col = colours[s % (sizeof colours / sizeof colours[0])];
		double y = ly + 14.0 * (double)s;
		fprintf(f, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"%s\" stroke-width=\"3\"/>",
			lx, y - 4, lx + 18, y - 4, col);
		fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">", lx + 24, y);
		esc(f, r->systems[s].label);
		fputs("</text>\n", f);
	}
	fputs("</svg>\n", f);
}

/* Nominal one-third-octave centres (IEC 61260-1 / ISO 266) for the labels. */
static const char *const nominal[MIXDOWN_BANDS] = {
	"20", "25", "31.5", "40", "50", "63", "80", "100", "125", "160", "200", "250", "315", "400", "500", "630",
	"800", "1k", "1.25k", "1.6k", "2k", "2.5k", "3.15k", "4k", "5k", "6.3k", "8k", "10k", "12.5k", "16k", "20k",
};

static void bands_chart(FILE *f, const mixdown_translate_system *o)
{
	const double h = 160.0, lo = -24.0, hi = 24.0, bw = (W - ML - MR) / MIXDOWN_BANDS;
	fprintf(f, "<svg viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" "
		   "aria-label=\"band changes\">\n", W, h, W, h);
	double y0 = MT + (h - MT - 20.0) * hi / (hi - lo);
	fprintf(f, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#888\"/>", ML, y0, W - MR, y0);
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">+24</text><text x=\"%.0f\" y=\"%.0f\" "
		   "text-anchor=\"end\">-24</text>\n", ML - 4, MT + 4, ML - 4, h - 20.0);
	for (size_t b = 0; b < MIXDOWN_BANDS; b++) {
		double v = o->band_change[b];
		if (!isfinite(v))
			continue;
		if (v > hi)
			v = hi;
		if (v < lo)
			v = lo;
		double y = MT + (h - MT - 20.0) * (hi - v) / (hi - lo), x = ML + bw * (double)b;
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%.0f Hz: "
			   "%+.1f dB</title></rect>", x + 1, v >= 0 ? y : y0, bw - 2, fabs(y - y0),
			v >= 0 ? "#4a8" : "#c55", mixdown_band_centre(b), o->band_change[b]);
		if (b % 3 == 0)
			fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%s</text>", x + bw / 2, h - 4,
				nominal[b]);
	}
	fputs("\n</svg>\n", f);
}

static const char *bass_word(mixdown_bass_verdict v)
{
	return v == MIXDOWN_BASS_KEPT ? "kept" : v == MIXDOWN_BASS_HARMONICS ? "harmonics only"
					     : v == MIXDOWN_BASS_LOST ? "lost" : "no bass line";
}

static void num(FILE *f, const char *fmt, double v)
{
	if (isfinite(v))
		fprintf(f, fmt, v);
	else
		fputs("&ndash;", f);
}

int mixdown_translate_write_html(const mixdown_translate_result *r, FILE *f)
{
	if (!r || !f)
		return -1;
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>mixdown translate: ", f);
	esc(f, r->path);
	fputs("</title>\n<style>body{font:14px/1.4 sans-serif;margin:2em;max-width:60em;color:#222}"
	      "svg text{font:11px sans-serif;fill:#444}table{border-collapse:collapse}"
	      "td,th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child"
	      "{text-align:left}tr.worst{background:#fee}.src{color:#666;font-size:12px}</style>\n</head><body>\n"
	      "<h1>How the mix translates</h1>\n<p>",
	      f);
	esc(f, r->path);
	fprintf(f, ": %.0f Hz, %u ch, %.1f s, ", r->sample_rate, r->channels, r->duration);
	num(f, "%.1f LUFS", r->loudness);
	fputs("</p>\n<p><strong>", f);
	esc(f, r->summary);
	fputs("</strong></p>\n<h2>Models</h2>\n<p class=\"src\">Magnitude response of every model at this file's rate "
	      "(dB re. the input); dots: the documented curve it reproduces (docs/translate.md).</p>\n",
	      f);
	response_chart(f, r);
	fputs("<h2>What changes</h2>\n<table><tr><th>system</th><th>loudness (LU)</th><th>&lt;120 Hz (dB)</th>"
	      "<th>bass line</th><th>vocal band (dB)</th><th>mono worst band (dB)</th><th>masking</th>"
	      "<th>score</th></tr>\n",
	      f);
	for (size_t s = 0; s < r->n_systems; s++) {
		const mixdown_translate_system *o = &r->systems[s];
		fprintf(f, "<tr%s><td>", s == r->worst ? " class=\"worst\"" : "");
		esc(f, o->label);
		fputs("</td><td>", f);
		num(f, "%+.1f", o->loudness_change);
		fputs("</td><td>", f);
		num(f, "%+.1f", o->low_change);
		fprintf(f, "</td><td>%s</td><td>", bass_word(o->bass));
		num(f, "%+.1f", o->vocal_change);
		fputs("</td><td>", f);
		if (o->mono && o->mono_worst_hz > 0)
			fprintf(f, "%.1f at %.0f Hz", o->mono_worst_drop, o->mono_worst_hz);
		else
			fputs("&ndash;", f);
		fprintf(f, "</td><td>%zu</td><td>%.1f</td></tr>\n", o->n_masking, o->score);
	}
	fputs("</table>\n", f);
	for (size_t s = 0; s < r->n_systems; s++) {
		const mixdown_translate_system *o = &r->systems[s];
		fputs("<h3>", f);
		esc(f, o->label);
		fprintf(f, "%s</h3>\n<p class=\"src\">", o->approximation ? " (approximation)" : "");
		esc(f, o->source);
		if (o->file[0]) {
			fputs("<br>listening file: ", f);
			esc(f, o->file);
			fprintf(f, " (gain %+.1f dB)", o->file_gain);
		}
		fputs("</p>\n<ul>", f);
		for (size_t i = 0; i < o->n_notes; i++) {
			fputs("<li>", f);
			esc(f, o->notes[i]);
			fputs("</li>", f);
		}
		if (!o->n_notes)
			fputs("<li>nothing significant changes</li>", f);
		fputs("</ul>\n<p class=\"src\">Change of each one-third-octave band (dB, system minus mix):</p>\n", f);
		bands_chart(f, o);
	}
	fputs("</body></html>\n", f);
	return ferror(f) ? -1 : 0;
}
