/* mixdown — the multitrack card of the HTML report: per-track levels, the
 * masking map, alignment findings and the multitrack feedback.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *  - Track levels: one row per track or bus, a bar of its integrated loudness
 *    (LUFS) and a marker at its true peak (dBTP; sample peak in dBFS when not
 *    measured) on one -60..+3 dB axis, the values written beside them.
 *  - Masking map: a matrix of the tracks named in mixdown_multitrack_analysis.
 *    masking (rows: the masked track, columns: the masker; the first MAX_MAP
 *    names in order of appearance), each cell shaded by the largest amount
 *    (dB) between that pair, with the region in its tooltip; then the full
 *    list with region, amount, overlap and where to cut.
 *  - Alignment: the pairs of tracks carrying one source (offset, polarity).
 * No allocation: the matrix's name list is found again by scanning the
 * entries (O(n^2) in masking entries, which are few). Any thread.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/report_html.h"

enum { MAX_MAP = 16 }; /* tracks in the masking matrix */

static void track_levels(FILE *f, const mixdown_multitrack_analysis *m)
{
	fputs("<section class=\"levels\"><h3>Track levels</h3>\n", f);
	if (m->n_tracks == 0 || !m->tracks) {
		fputs("<p class=\"note\">No tracks.</p>\n</section>\n", f);
		return;
	}
	enum { ROW = 24, NAME = 190, W = 1000, TOP = 22 };
	const double lo = -60.0, hi = 3.0;
	const int vh = TOP + ROW * (int)m->n_tracks + 30;
	/* Names need a wider margin than mxr_plot_begin leaves: the frame and
	 * axis are laid out here, over [NAME, W - 180], values to the right. */
	mxr_plot p = { .f = f, .x0 = lo, .x1 = hi, .y1 = (double)m->n_tracks, .left = NAME, .top = TOP };
	p.w = W - NAME - 180;
	p.h = ROW * (double)m->n_tracks;
	fprintf(f,
		"<svg class=\"plot\" id=\"track-levels\" viewBox=\"0 0 %d %d\" role=\"img\" "
		"aria-label=\"Integrated loudness and true peak per track\">\n"
		"<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n",
		W, vh, p.left, p.top, p.w, p.h);
	for (double v = -60.0; v <= 0.0; v += 6.0) {
		const double x = mxr_px(&p, v);
		fprintf(f, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
			v == 0 ? "zero" : "grid", x, p.top, x, p.top + p.h);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.0f</text>\n", x, p.top + p.h + 16, v);
	}
	fprintf(f, "<text class=\"lab\" x=\"%.1f\" y=\"%.1f\">LUFS / dBTP</text>\n", p.left, p.top - 7);
	for (size_t i = 0; i < m->n_tracks; i++) {
		const mixdown_analysis *t = m->tracks[i];
		const double y = p.top + ROW * (double)i, cy = y + ROW / 2.0;
		const bool bus = m->is_bus && m->is_bus[i];
		fprintf(f, "<text class=\"lab\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">", NAME - 10, cy + 4);
		mxr_esc_n(f, m->names ? m->names[i] : t ? mxr_basename(t->path) : "?", 24);
		fputs(bus ? " (bus)</text>\n" : "</text>\n", f);
		if (!t) {
			fprintf(f, "<text x=\"%d\" y=\"%.1f\">not analyzed</text>\n", NAME + 6, cy + 4);
			continue;
		}
		const double I = t->loudness.integrated;
		const bool tpm = isfinite(t->loudness.true_peak);
		const double tp = tpm ? t->loudness.true_peak : t->loudness.sample_peak;
		if (isfinite(I)) {
			const double v = I < lo ? lo : I > hi ? hi : I, end = mxr_px(&p, v);
			fprintf(f, "<rect class=\"bar%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\"><title>",
				bus ? " bus" : "", p.left, y + 6, end - p.left, ROW - 12);
			mxr_num(f, I, 1, "LUFS", NULL);
			fputs(" integrated</title></rect>\n", f);
		}
		if (isfinite(tp)) {
			const double v = tp < lo ? lo : tp > hi ? hi : tp;
			fprintf(f, "<rect class=\"tp\" x=\"%.1f\" y=\"%.1f\" width=\"3\" height=\"%d\"><title>",
				mxr_px(&p, v) - 1.5, y + 3, ROW - 6);
			mxr_num(f, tp, 1, tpm ? "dBTP" : "dBFS", NULL);
			fputs(tpm ? " true peak</title></rect>\n" : " sample peak</title></rect>\n", f);
		}
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", p.left + p.w + 10, cy + 4);
		if (isfinite(I)) {
			mxr_num(f, I, 1, "LUFS", NULL);
			fputs(" &#183; ", f);
			mxr_num(f, tp, 1, tpm ? "dBTP" : "dBFS", NULL);
		} else {
			fputs("silent", f);
		}
		fputs("</text>\n", f);
	}
	mxr_plot_end(&p);
	fputs("<ul class=\"legend\"><li class=\"s\">integrated loudness</li><li class=\"tp\">true peak</li></ul>\n"
	      "</section>\n",
	      f);
}

/* The s-th distinct track name of the masking list (masked and masker of
 * each entry in order), or NULL. */
static const char *slot_name(const mixdown_multitrack_analysis *m, int s)
{
	int slot = 0;
	for (size_t e = 0; e < m->n_masking; e++) {
		const char *two[2] = { m->masking[e].masked, m->masking[e].masker };
		for (int k = 0; k < 2; k++) {
			bool seen = k == 1 && !strcmp(two[0], two[1]);
			for (size_t d = 0; d < e && !seen; d++)
				seen = !strcmp(m->masking[d].masked, two[k]) || !strcmp(m->masking[d].masker, two[k]);
			if (seen)
				continue;
			if (slot == s)
				return two[k];
			slot++;
		}
	}
	return NULL;
}

static void freq(FILE *f, double hz)
{
	if (isfinite(hz) && hz >= 1000)
		mxr_num(f, hz / 1000.0, hz >= 10000 ? 1 : 2, "kHz", NULL);
	else
		mxr_num(f, hz, 0, "Hz", NULL);
}

static void masking_matrix(FILE *f, const mixdown_multitrack_analysis *m)
{
	enum { CELL = 40, LEFT = 170, NAME_CHARS = 20 };
	int n = 0;
	size_t longest = 4;
	for (const char *s; n < MAX_MAP && (s = slot_name(m, n)); n++)
		longest = strlen(s) > longest ? strlen(s) : longest;
	double max = 0;
	for (size_t e = 0; e < m->n_masking; e++)
		max = isfinite(m->masking[e].amount) && m->masking[e].amount > max ? m->masking[e].amount : max;
	/* Column names run up and right at 45 degrees, about 7 px per character. */
	const int rise = (int)(0.71 * 7.0 * (double)(longest < NAME_CHARS ? longest : NAME_CHARS + 1));
	const int TOP = 24 + rise, vw = LEFT + CELL * n + rise + 10, vh = TOP + CELL * n + 10;
	fprintf(f,
		"<svg class=\"plot\" id=\"masking-map\" viewBox=\"0 0 %d %d\" style=\"max-width:%dpx\" role=\"img\" "
		"aria-label=\"Masking map: rows are masked tracks, columns the tracks masking them\">\n",
		vw, vh, vw);
	fprintf(f, "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n", LEFT, TOP, CELL * n,
		CELL * n);
	for (int s = 0; s < n; s++) {
		const char *name = slot_name(m, s);
		fprintf(f, "<text class=\"lab\" x=\"%d\" y=\"%d\" text-anchor=\"end\">", LEFT - 8,
			TOP + CELL * s + CELL / 2 + 4);
		mxr_esc_n(f, name, NAME_CHARS);
		const int cx = LEFT + CELL * s + CELL / 2 + 4, cy = TOP - 8;
		fprintf(f, "</text>\n<text class=\"lab\" x=\"%d\" y=\"%d\" transform=\"rotate(-45 %d %d)\">", cx, cy,
			cx, cy);
		mxr_esc_n(f, name, NAME_CHARS);
		fputs("</text>\n", f);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">masked &#8595;  masker &#8594;</text>\n", LEFT - 8,
		TOP - 8);
	for (int r = 0; r < n; r++)
		for (int c = 0; c < n; c++) {
			const char *masked = slot_name(m, r), *masker = slot_name(m, c);
			const mixdown_masking *best = NULL;
			size_t regions = 0;
			for (size_t e = 0; e < m->n_masking; e++) {
				const mixdown_masking *k = &m->masking[e];
				if (strcmp(k->masked, masked) || strcmp(k->masker, masker))
					continue;
				regions++;
				if (!best || k->amount > best->amount)
					best = k;
			}
			if (!best)
				continue;
			const double op =
				max > 0 && isfinite(best->amount) ? 0.15 + 0.85 * fmax(0.0, best->amount) / max : 0.15;
			const int x = LEFT + CELL * c, y = TOP + CELL * r;
			fprintf(f,
				"<rect class=\"mask\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
				"fill-opacity=\"%.2f\"><title>",
				x + 1, y + 1, CELL - 2, CELL - 2, op);
			mxr_esc(f, masker);
			fputs(" masks ", f);
			mxr_esc(f, masked);
			fputs(": ", f);
			mxr_num(f, best->amount, 1, "dB", NULL);
			fputs(" in ", f);
			freq(f, best->low_hz);
			fputs("&#8211;", f);
			freq(f, best->high_hz);
			if (regions > 1)
				fprintf(f, " (%zu regions)", regions);
			fprintf(f,
				"</title></rect>\n<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
				"style=\"fill:%s;stroke:none\">%.0f</text>\n",
				x + CELL / 2, y + CELL / 2 + 4, op > 0.55 ? "#fff" : "#1d232b", best->amount);
		}
	fputs("</svg>\n", f);
	if (slot_name(m, MAX_MAP))
		fprintf(f, "<p class=\"note\">The map shows the first %d tracks; the list has every finding.</p>\n",
			MAX_MAP);
}

static void masking(FILE *f, const mixdown_multitrack_analysis *m)
{
	fputs("<section class=\"masking\"><h3>Masking</h3>\n", f);
	if (m->n_masking == 0 || !m->masking) {
		fputs("<p class=\"ok-text\">No masking between tracks found.</p>\n</section>\n", f);
		return;
	}
	masking_matrix(f, m);
	fputs("<p class=\"note\">A cell: how far (dB) the column's track lies above the row's track in a band "
	      "where both play.</p>\n<table><thead><tr><th>masked</th><th>by</th><th class=\"num\">region</th>"
	      "<th class=\"num\">amount</th><th class=\"num\">overlap</th><th class=\"num\">cut masker at</th></tr>"
	      "</thead>\n<tbody>\n",
	      f);
	for (size_t e = 0; e < m->n_masking; e++) {
		const mixdown_masking *k = &m->masking[e];
		fputs("<tr><td>", f);
		mxr_esc(f, k->masked);
		fputs("</td><td>", f);
		mxr_esc(f, k->masker);
		fputs("</td><td class=\"num\">", f);
		freq(f, k->low_hz);
		fputs("&#8211;", f);
		freq(f, k->high_hz);
		fputs("</td><td class=\"num\">", f);
		mxr_num(f, k->amount, 1, "dB", NULL);
		fputs("</td><td class=\"num\">", f);
		mxr_num(f, 100.0 * k->overlap, 0, "%", NULL);
		fputs("</td><td class=\"num\">", f);
		freq(f, k->cut_hz);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n</section>\n", f);
}

static void alignment(FILE *f, const mixdown_multitrack_analysis *m)
{
	fputs("<section class=\"alignment\"><h3>Alignment and polarity</h3>\n", f);
	if (m->n_alignment == 0 || !m->alignment) {
		fputs("<p class=\"note\">No two tracks carry the same source.</p>\n</section>\n", f);
		return;
	}
	fputs("<table><thead><tr><th>track</th><th>against</th><th class=\"num\">similarity</th>"
	      "<th class=\"num\">offset</th><th>polarity</th></tr></thead>\n<tbody>\n",
	      f);
	for (size_t i = 0; i < m->n_alignment; i++) {
		const mixdown_alignment *al = &m->alignment[i];
		fprintf(f, "<tr class=\"%s\"><td>", al->inverted ? "bad" : "plain");
		mxr_esc(f, al->b);
		fputs("</td><td>", f);
		mxr_esc(f, al->a);
		fputs("</td><td class=\"num\">", f);
		mxr_num(f, al->correlation, 2, NULL, NULL);
		fputs("</td><td class=\"num\">", f);
		mxr_num(f, al->offset_ms, 2, "ms", NULL);
		fputs(al->offset_ms > 0 ? " late" : al->offset_ms < 0 ? " early" : "", f);
		fputs(al->inverted ? "</td><td>inverted</td></tr>\n" : "</td><td>same</td></tr>\n", f);
	}
	fputs("</tbody></table>\n</section>\n", f);
}

void mxr_multitrack(FILE *f, const mixdown_multitrack_analysis *m)
{
	fputs("<article class=\"card multi\" id=\"tracks\">\n<header><h2>Tracks</h2>\n<p class=\"path\">", f);
	if (m->path[0])
		mxr_esc(f, m->path);
	else
		fprintf(f, "%zu files analyzed as the tracks of one mix", m->n_tracks);
	fputs("</p></header>\n", f);
	track_levels(f, m);
	masking(f, m);
	fputs("<div class=\"half\">\n", f);
	alignment(f, m);
	fputs("<section class=\"feedback\"><h3>Feedback</h3>\n", f);
	mxr_feedback_list(f, m->feedback, m->n_feedback, "No multitrack suggestions.");
	fputs("</section>\n</div>\n</article>\n", f);
}
