/* mixdown — the per-file plots of the HTML report: loudness over time,
 * spectrum against references and targets, correlation over time and the
 * vectorscope.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *  - Loudness: momentary (400 ms) and short-term (3 s) loudness of
 *    mixdown_analysis.series (LUFS at t = (i+1) * interval, EBU Tech 3341)
 *    and the integrated loudness (BS.1770-5) as a dashed line.
 *  - Spectrum: the 31 one-third-octave band levels (IEC 61260-1 centres)
 *    minus the integrated loudness, so that a file, a reference and a genre
 *    target line up whatever their loudness (the comparison module stores
 *    ref_level the same way); targets add their 10th..90th percentile band.
 *  - Correlation: the zero-lag L/R correlation per series interval, -1..+1.
 *  - Vectorscope: the side/mid density grid of vectorscope.c as cells whose
 *    opacity follows log(1 + count) (the counts span decades), drawn with the
 *    left channel on the left: x = side is mirrored (see mixdown.h), so a
 *    left-only signal shows on the upper-left diagonal as on a goniometer.
 * Writes straight to the FILE (no allocation; fixed stack arrays of 31
 * bands). Any thread.
 */
#include <math.h>
#include <stdio.h>

#include "analysis/report_html.h"

/* Loudness axis: from the loudest value with a little headroom down to the
 * quietest one shown, at most 48 LU below so that fades and silence do not
 * flatten the music; a multiple of 6 LU on both ends. */
static void loudness_range(const mixdown_analysis *a, double *lo, double *hi)
{
	double mx = a->loudness.integrated, mn = a->loudness.integrated;
	const double *s[2] = { a->series.momentary, a->series.short_term };
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; s[k] && i < a->series.n; i++) {
			const double v = s[k][i];
			if (!isfinite(v))
				continue;
			if (!isfinite(mx) || v > mx)
				mx = v;
			if (!isfinite(mn) || v < mn)
				mn = v;
		}
	*hi = ceil((mx + 2.0) / 6.0) * 6.0;
	if (!isfinite(mn) || mn < *hi - 48.0)
		mn = *hi - 48.0;
	*lo = floor(mn / 6.0) * 6.0;
	if (*hi - *lo < 18.0)
		*lo = *hi - 18.0;
}

void mxr_file_loudness(FILE *f, const mixdown_analysis *a)
{
	fputs("<section class=\"loudness\"><h3>Loudness over time</h3>\n", f);
	bool any = false;
	for (size_t i = 0; i < a->series.n && !any; i++)
		any = (a->series.momentary && isfinite(a->series.momentary[i])) ||
		      (a->series.short_term && isfinite(a->series.short_term[i]));
	if (!any) {
		fputs("<p class=\"note\">Nothing to plot: the file is silent or shorter than one series point.</p>"
		      "</section>\n",
		      f);
		return;
	}
	double lo, hi;
	loudness_range(a, &lo, &hi);
	const double dt = a->series.interval, end = fmax(a->duration, dt * (double)a->series.n);
	mxr_plot p;
	mxr_plot_begin(&p, f, "loudness-plot", "Momentary, short-term and integrated loudness over time", 1000, 300,
		       0.0, end > 0 ? end : 1.0, false, lo, hi);
	mxr_axis_y(&p, hi - lo > 36 ? 6.0 : 3.0, 0, "LUFS");
	mxr_axis_time(&p);
	mxr_line(&p, NULL, dt, dt, a->series.momentary, a->series.n, "m");
	mxr_line(&p, NULL, dt, dt, a->series.short_term, a->series.n, "s");
	/* The integrated value goes in the legend: inside the plot the curves run through any label. */
	mxr_hline(&p, a->loudness.integrated, "i", NULL);
	mxr_plot_end(&p);
	fputs("<ul class=\"legend\"><li class=\"m\">momentary (400 ms)</li><li class=\"s\">short-term (3 s)</li>"
	      "<li class=\"i\">integrated ",
	      f);
	mxr_num(f, a->loudness.integrated, 1, "LUFS", "(no signal above the gate)");
	fputs("</li></ul>\n<p class=\"note\">Highest momentary ", f);
	mxr_num(f, a->loudness.momentary_max, 1, "LUFS", NULL);
	fputs(", highest short-term ", f);
	mxr_num(f, a->loudness.short_term_max, 1, "LUFS", NULL);
	fprintf(f, "; one point every %g s (EBU Tech 3341 meter, BS.1770-5 weighting).</p>\n</section>\n", dt);
}

static const char *const broad_names[MIXDOWN_BROAD_BANDS] = { "low", "low-mid", "high-mid", "high" };

static void comparison_table(FILE *f, const mixdown_analysis *a)
{
	fputs("<table class=\"compare\"><thead><tr><th>Compared with</th>", f);
	for (int b = 0; b < MIXDOWN_BROAD_BANDS; b++)
		fprintf(f, "<th class=\"num\">%s</th>", broad_names[b]);
	fputs("<th class=\"num\">tilt</th><th class=\"num\">loudness</th><th class=\"num\">range</th>"
	      "<th class=\"num\">PLR</th><th class=\"num\">width</th></tr></thead>\n<tbody>\n",
	      f);
	for (size_t i = 0; i < a->n_compare; i++) {
		const mixdown_comparison *c = &a->compare[i];
		fputs("<tr><td>", f);
		mxr_esc(f, c->is_target ? c->name : mxr_basename(c->name));
		fputs(c->is_target ? " <span class=\"topic\">target</span>" : " <span class=\"topic\">reference</span>",
		      f);
		fputs("</td>", f);
		for (int b = 0; b < MIXDOWN_BROAD_BANDS; b++) {
			fputs("<td class=\"num\">", f);
			mxr_num(f, c->broad_delta[b], 1, "dB", NULL);
			fputs("</td>", f);
		}
		fputs("<td class=\"num\">", f);
		mxr_num(f, c->tilt_delta, 2, "dB/oct", NULL);
		fputs("</td><td class=\"num\">", f);
		mxr_num(f, c->loudness_delta, 1, "LU", NULL);
		fputs("</td><td class=\"num\">", f);
		mxr_num(f, c->range_delta, 1, "LU", NULL);
		fputs("</td><td class=\"num\">", f);
		mxr_num(f, c->plr_delta, 1, "dB", NULL);
		fputs("</td><td class=\"num\">", f);
		mxr_num(f, c->width_delta, 2, NULL, NULL);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n<p class=\"note\">Differences: this file minus the reference (positive: this file has "
	      "more), both loudness-normalized.</p>\n",
	      f);
}

void mxr_file_spectrum(FILE *f, const mixdown_analysis *a)
{
	fputs("<section class=\"spectrum\"><h3>Spectrum</h3>\n", f);
	const double I = a->loudness.integrated;
	if (!a->spectrum.valid || !isfinite(I)) {
		if (!a->spectrum.valid)
			fputs("<p class=\"note\">No spectrum: not measured, or the file is shorter than one analysis "
			      "frame.</p>\n</section>\n",
			      f);
		else
			fputs("<p class=\"note\">No spectrum to show: the file has no measurable loudness.</p>\n"
			      "</section>\n",
			      f);
		return;
	}
	double x[MIXDOWN_BANDS], rel[MIXDOWN_BANDS];
	double mx = -INFINITY, mn = INFINITY;
	for (size_t k = 0; k < MIXDOWN_BANDS; k++) {
		x[k] = mixdown_band_centre(k);
		rel[k] = a->spectrum.level[k] - I;
		if (isfinite(rel[k])) {
			mx = fmax(mx, rel[k]);
			mn = fmin(mn, rel[k]);
		}
		for (size_t i = 0; i < a->n_compare; i++) {
			const mixdown_comparison *c = &a->compare[i];
			const double r[3] = { c->ref_level[k], c->ref_low[k], c->ref_high[k] };
			for (int j = 0; j < 3; j++)
				if (isfinite(r[j])) {
					mx = fmax(mx, r[j]);
					mn = fmin(mn, r[j]);
				}
		}
	}
	if (!isfinite(mx)) {
		fputs("<p class=\"note\">No band has any level.</p>\n</section>\n", f);
		return;
	}
	double hi = ceil((mx + 3.0) / 6.0) * 6.0, lo = floor(mn / 6.0) * 6.0;
	if (lo < hi - 72.0)
		lo = hi - 72.0;
	if (hi - lo < 24.0)
		lo = hi - 24.0;
	/* The axis spans the outer band edges, 10^(-1/20) below band 0 and above band 30. */
	const double edge = pow(10.0, 0.05);
	mxr_plot p;
	mxr_plot_begin(&p, f, "spectrum-plot", "One-third-octave spectrum relative to the integrated loudness", 1000,
		       320, x[0] / edge, x[MIXDOWN_BANDS - 1] * edge, true, lo, hi);
	mxr_axis_y(&p, hi - lo > 48 ? 12.0 : 6.0, 0, "dB re. integrated loudness");
	mxr_axis_freq(&p);
	char cls[8];
	for (size_t i = 0; i < a->n_compare; i++) {
		const mixdown_comparison *c = &a->compare[i];
		if (c->is_target) {
			snprintf(cls, sizeof cls, "b%zu", i % 4);
			mxr_band(&p, x, c->ref_low, c->ref_high, MIXDOWN_BANDS, cls);
		}
	}
	for (size_t i = 0; i < a->n_compare; i++) {
		snprintf(cls, sizeof cls, "r%zu", i % 4);
		mxr_line(&p, x, 0, 0, a->compare[i].ref_level, MIXDOWN_BANDS, cls);
	}
	mxr_line(&p, x, 0, 0, rel, MIXDOWN_BANDS, "mix");
	mxr_dots(&p, x, rel, MIXDOWN_BANDS, "dot");
	mxr_plot_end(&p);
	fputs("<ul class=\"legend\"><li class=\"s\">this file</li>", f);
	for (size_t i = 0; i < a->n_compare; i++) {
		const mixdown_comparison *c = &a->compare[i];
		fprintf(f, "<li class=\"r%zu\">", i % 4);
		mxr_esc(f, c->is_target ? c->name : mxr_basename(c->name));
		fputs(c->is_target ? " (target median, shaded: 10th&#8211;90th percentile)" : " (reference)", f);
		fputs("</li>", f);
	}
	fputs("</ul>\n<p class=\"note\">Tilt ", f);
	mxr_num(f, a->spectrum.tilt, 2, "dB/octave", NULL);
	fputs(" (50 Hz&#8211;16 kHz), centroid ", f);
	if (isfinite(a->spectrum.centroid) && a->spectrum.centroid >= 1000)
		mxr_num(f, a->spectrum.centroid / 1000.0, 2, "kHz", NULL);
	else
		mxr_num(f, a->spectrum.centroid, 0, "Hz", NULL);
	fputs(".", f);
	if (a->spectrum.n_resonances && a->spectrum.resonances) {
		fputs(" Resonances: ", f);
		for (size_t i = 0; i < a->spectrum.n_resonances; i++) {
			const mixdown_resonance *r = &a->spectrum.resonances[i];
			fputs(i ? ", " : "", f);
			mxr_num(f, r->freq, 0, "Hz", NULL);
			fputs(" (+", f);
			mxr_num(f, r->prominence, 1, "dB", NULL);
			fputs(", Q ", f);
			mxr_num(f, r->q, 0, NULL, NULL);
			fputs(")", f);
		}
		fputs(".", f);
	}
	fputs("</p>\n", f);
	if (a->n_compare)
		comparison_table(f, a);
	fputs("</section>\n", f);
}

void mxr_file_correlation(FILE *f, const mixdown_analysis *a)
{
	fputs("<section class=\"correlation\"><h3>Correlation over time</h3>\n", f);
	if (!a->stereo.valid || !a->series.correlation || a->series.n == 0) {
		fputs(a->stereo.valid ? "<p class=\"note\">Too short for a correlation series.</p>\n</section>\n"
				      : "<p class=\"note\">Mono file: no stereo correlation.</p>\n</section>\n",
		      f);
		return;
	}
	const double dt = a->series.interval, end = fmax(a->duration, dt * (double)a->series.n);
	mxr_plot p;
	mxr_plot_begin(&p, f, "correlation-plot", "Left/right correlation over time", 700, 330, 0.0,
		       end > 0 ? end : 1.0, false, -1.0, 1.0);
	mxr_rect(&p, 0.0, p.x1, -1.0, 0.0, "neg");
	mxr_axis_y(&p, 0.5, 1, "correlation");
	mxr_axis_time(&p);
	mxr_line(&p, NULL, dt, dt, a->series.correlation, a->series.n, "c");
	mxr_plot_end(&p);
	fputs("<p class=\"note\">Whole file ", f);
	mxr_num(f, a->stereo.correlation, 2, NULL, NULL);
	fputs("; mono fold ", f);
	mxr_num(f, -a->stereo.mono_drop, 1, "LU", NULL);
	fputs(". +1: mono, 0: unrelated channels, below 0 (shaded): L and R cancel when summed to mono.</p>\n"
	      "</section>\n",
	      f);
}

void mxr_file_vectorscope(FILE *f, const mixdown_analysis *a)
{
	enum { N = MIXDOWN_SCOPE, CELL = 6, OFF = 22, LEVELS = 12 };
	const int size = N * CELL, mid = OFF + size / 2;
	fputs("<section class=\"scope\"><h3>Stereo image</h3>\n", f);
	if (!a->vectorscope) {
		fputs("<p class=\"note\">Mono file: no stereo image.</p>\n</section>\n", f);
		return;
	}
	uint32_t max = 0;
	for (size_t i = 0; i < (size_t)N * N; i++)
		max = a->vectorscope[i] > max ? a->vectorscope[i] : max;
	fprintf(f,
		"<svg class=\"plot scope\" id=\"vectorscope\" viewBox=\"0 0 %d %d\" role=\"img\" "
		"aria-label=\"Vectorscope: density of side (across) against mid (up)\">\n"
		"<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
		size + 2 * OFF, size + 2 * OFF, OFF, OFF, size, size);
	/* Opacity in LEVELS steps of log(1 + count) / log(1 + max): one path per step. */
	const double lmax = log1p((double)max);
	for (int lv = 1; max > 0 && lv <= LEVELS; lv++) {
		bool open = false;
		for (int y = 0; y < N; y++)
			for (int x = 0; x < N; x++) {
				const uint32_t c = a->vectorscope[(size_t)y * N + (size_t)x];
				if (!c)
					continue;
				int q = (int)ceil(log1p((double)c) / lmax * LEVELS);
				if ((q < 1 ? 1 : q) != lv)
					continue;
				if (!open) {
					fprintf(f, "<path class=\"cell\" fill-opacity=\"%.2f\" d=\"",
						0.1 + 0.9 * (double)lv / LEVELS);
					open = true;
				}
				/* Mirrored x (left channel to the left), mid upwards. */
				fprintf(f, "M%d %dh%dv%dh-%dz", OFF + (N - 1 - x) * CELL, OFF + (N - 1 - y) * CELL,
					CELL, CELL, CELL);
			}
		if (open)
			fputs("\"/>\n", f);
	}
	fprintf(f,
		"<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n"
		"<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n"
		"<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n"
		"<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
		mid, OFF, mid, OFF + size, OFF, mid, OFF + size, mid, OFF, OFF, OFF + size, OFF + size, OFF + size, OFF,
		OFF, OFF + size);
	fprintf(f,
		"<text class=\"lab\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">M (mono)</text>\n"
		"<text class=\"lab\" x=\"%d\" y=\"%d\">L</text>\n"
		"<text class=\"lab\" x=\"%d\" y=\"%d\" text-anchor=\"end\">R</text>\n"
		"<text x=\"%d\" y=\"%d\">anti-phase</text>\n",
		mid, OFF - 7, OFF - 14, OFF - 6, OFF + size + 14, OFF - 6, OFF + 4, mid - 5);
	fputs("</svg>\n<p class=\"note\">Mid up, side across (left channel to the left); cells darker with more "
	      "frames (log scale). Grid edges at ",
	      f);
	mxr_num(f, 20.0 * log10(a->vectorscope_scale), 0, "dBFS", NULL);
	fputs(". Width ", f);
	mxr_num(f, a->stereo.width, 2, NULL, "&#8734;");
	fputs(" (side/mid energy), balance ", f);
	mxr_num(f, a->stereo.balance, 1, "dB", NULL);
	fputs(" (positive: left louder).</p>\n</section>\n", f);
}
