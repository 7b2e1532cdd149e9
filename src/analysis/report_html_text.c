/* mixdown — the text sections of a file's card in the HTML report: summary
 * tiles, problems, feedback and the delivery table.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Colour cues of the tiles come from the delivery checks of the analysis
 * (delivery.c), never from taste:
 *  - integrated loudness: a check's loudness is met when a delivery
 *    specification (normalizes "none") is within its tolerance, or when a
 *    player's normalization lands within 1 LU of its target (it may not: a
 *    down-only player leaves a quiet master quiet, a peak-limited raise stops
 *    short). All met: good; some: warn; none: bad.
 *  - true peak: over 0 dBTP, or clipping after a platform's gain: bad; above
 *    a platform's ceiling after its gain: warn; else good. Without checks the
 *    common -1 dBTP ceiling (EBU R 128, AES TD1008) is used.
 *  - correlation below 0 over the whole file (L and R cancel in mono): bad.
 *  - delivery: share of checks that pass.
 * Units as in mixdown/mixdown.h. Writes straight to the FILE; any thread.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/report_html.h"

enum { MAX_LISTED = 12 }; /* clip / over stretches listed per file */

static void tile(FILE *f, const char *key, double v, int decimals, const char *unit, const char *none, mxr_cue cue,
		 const char *note)
{
	fprintf(f, "<div class=\"tile %s\"><div class=\"k\">%s</div><div class=\"v\">", mxr_cue_class(cue), key);
	mxr_num(f, v, decimals, unit, none);
	fputs("</div>", f);
	if (note && *note)
		fprintf(f, "<div class=\"n\">%s</div>", note);
	fputs("</div>\n", f);
}

static bool loudness_met(const mixdown_delivery_check *d, double integrated)
{
	if (!strcmp(d->normalizes, "none"))
		return fabs(integrated - d->target) <= d->tolerance + 1e-9;
	return fabs(d->loudness_after - d->target) <= 1.0;
}

static mxr_cue share_cue(size_t met, size_t n)
{
	return n == 0 ? MXR_PLAIN : met == n ? MXR_GOOD : met == 0 ? MXR_BAD : MXR_WARN;
}

void mxr_file_summary(FILE *f, const mixdown_analysis *a)
{
	const double I = a->loudness.integrated;
	const bool tp_measured = isfinite(a->loudness.true_peak);
	const double tp = tp_measured ? a->loudness.true_peak : a->loudness.sample_peak;
	size_t met = 0, ok = 0, clips = 0, over_ceiling = 0;
	for (size_t i = 0; i < a->n_delivery; i++) {
		const mixdown_delivery_check *d = &a->delivery[i];
		met += isfinite(I) && loudness_met(d, I);
		ok += d->ok;
		clips += d->clips;
		over_ceiling += d->true_peak_after > d->max_true_peak;
	}
	char note[160];
	fputs("<div class=\"tiles\">\n", f);
	if (a->n_delivery == 1)
		snprintf(note, sizeof note, "target %.0f LUFS (%s)", a->delivery[0].target, a->delivery[0].platform);
	else if (a->n_delivery)
		snprintf(note, sizeof note, "right for %zu of %zu targets", met, a->n_delivery);
	else
		snprintf(note, sizeof note, "BS.1770-5, gated");
	tile(f, "Integrated", I, 1, "LUFS", "silent", isfinite(I) ? share_cue(met, a->n_delivery) : MXR_BAD, note);
	tile(f, "Loudness range", a->loudness.range, 1, "LU", NULL, MXR_PLAIN, "EBU Tech 3342");
	mxr_cue tc = MXR_GOOD;
	if (!isfinite(tp))
		tc = MXR_PLAIN;
	else if (tp > 0.0 || clips > 0)
		tc = MXR_BAD;
	else if (a->n_delivery ? over_ceiling > 0 : tp > -1.0)
		tc = MXR_WARN;
	if (clips)
		snprintf(note, sizeof note, "clips after gain on %zu platform%s", clips, clips == 1 ? "" : "s");
	else if (over_ceiling)
		snprintf(note, sizeof note, "over the ceiling on %zu platform%s", over_ceiling,
			 over_ceiling == 1 ? "" : "s");
	else
		snprintf(note, sizeof note, "%s", tp_measured ? "4x oversampled" : "sample peak (not oversampled)");
	tile(f, tp_measured ? "True peak" : "Sample peak", tp, 1, tp_measured ? "dBTP" : "dBFS", NULL, tc, note);
	tile(f, "PLR", a->dynamics.plr, 1, "dB", NULL, MXR_PLAIN, "peak to loudness");
	tile(f, "DR", a->dynamics.dr, 1, "dB", NULL, MXR_PLAIN, "DR meter");
	if (a->stereo.valid) {
		tile(f, "Correlation", a->stereo.correlation, 2, NULL, NULL,
		     a->stereo.correlation < 0 ? MXR_BAD : MXR_PLAIN,
		     a->stereo.correlation < 0 ? "cancels in mono" : "+1 mono, 0 wide");
		tile(f, "Width", a->stereo.width, 2, NULL, "&#8734;", MXR_PLAIN, "side/mid energy");
		tile(f, "Mono fold", -a->stereo.mono_drop, 1, "LU", NULL, MXR_PLAIN, "level change in mono");
	} else {
		tile(f, "Correlation", NAN, 0, NULL, "mono", MXR_PLAIN, "one channel");
	}
	if (a->n_delivery) {
		/* "3 of 9" as the value: a count, not a measurement. */
		char v[48];
		snprintf(v, sizeof v, "%zu of %zu", ok, a->n_delivery);
		tile(f, "Delivery", NAN, 0, NULL, v, share_cue(ok, a->n_delivery), "platform checks pass");
	}
	fputs("</div>\n", f);
}

static void range_table(FILE *f, const char *title, const mixdown_analysis_range *r, size_t n, const char *count,
			const char *peak_unit)
{
	fprintf(f,
		"<h4>%s</h4>\n<table><thead><tr><th>from</th><th>to</th><th>channels</th><th class=\"num\">%s</th>"
		"<th class=\"num\">peak</th></tr></thead>\n<tbody>\n",
		title, count);
	for (size_t i = 0; i < n && i < MAX_LISTED; i++) {
		char t0[32], t1[32];
		mxr_time(t0, sizeof t0, r[i].start, true);
		mxr_time(t1, sizeof t1, r[i].end, true);
		fprintf(f, "<tr><td>%s</td><td>%s</td><td>", t0, t1);
		mxr_channels(f, r[i].channel_mask);
		fprintf(f, "</td><td class=\"num\">%llu</td><td class=\"num\">", (unsigned long long)r[i].count);
		mxr_num(f, r[i].peak, 1, peak_unit, NULL);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
	if (n > MAX_LISTED)
		fprintf(f, "<p class=\"note\">&#8230; and %zu more.</p>\n", n - MAX_LISTED);
}

void mxr_file_problems(FILE *f, const mixdown_analysis *a)
{
	fputs("<section class=\"problems\"><h3>Problems</h3>\n", f);
	if (a->problems.n_messages == 0 && a->problems.n_clips == 0 && a->problems.n_overs == 0)
		fputs("<p class=\"ok-text\">No problems found.</p>\n", f);
	if (a->problems.n_messages) {
		fputs("<ul class=\"probs\">\n", f);
		for (size_t i = 0; i < a->problems.n_messages; i++) {
			fputs("<li>", f);
			mxr_esc(f, a->problems.messages[i]);
			fputs("</li>\n", f);
		}
		fputs("</ul>\n", f);
	}
	if (a->problems.n_clips && a->problems.clips)
		range_table(f, "Clipping", a->problems.clips, a->problems.n_clips, "samples", "dBFS");
	if (a->problems.n_overs && a->problems.overs_at)
		range_table(f, "Inter-sample overs", a->problems.overs_at, a->problems.n_overs, "10 ms blocks", "dBTP");
	fputs("<p class=\"note\">Noise floor ", f);
	mxr_num(f, a->problems.noise_floor, 1, "dBFS", "none (digital silence)");
	fputs("; silence at start ", f);
	mxr_num(f, a->problems.leading_silence, 2, "s", NULL);
	fputs(", at end ", f);
	mxr_num(f, a->problems.trailing_silence, 2, "s", NULL);
	fputs("; largest DC offset ", f);
	mxr_num(f, a->problems.dc_offset_max_dbfs, 1, "dBFS", "none");
	fputs(".</p>\n</section>\n", f);
}

void mxr_feedback_list(FILE *f, const mixdown_feedback *fb, size_t n, const char *none)
{
	static const char *const label[] = { "fix", "worth fixing", "consider" };
	if (!fb || n == 0) {
		fputs("<p class=\"note\">", f);
		mxr_esc(f, none);
		fputs("</p>\n", f);
		return;
	}
	fputs("<ul class=\"fb\">\n", f);
	for (size_t i = 0; i < n; i++) {
		const int p = fb[i].priority < 1 ? 1 : fb[i].priority > 3 ? 3 : fb[i].priority;
		fprintf(f, "<li><span class=\"badge p%d\">%s</span><span class=\"topic\">", p, label[p - 1]);
		mxr_esc(f, fb[i].topic);
		fputs("</span>", f);
		mxr_esc(f, fb[i].text);
		fputs("</li>\n", f);
	}
	fputs("</ul>\n", f);
}

void mxr_file_delivery(FILE *f, const mixdown_analysis *a)
{
	if (a->n_delivery == 0 || !a->delivery)
		return;
	fputs("<section class=\"delivery\"><h3>Delivery</h3>\n<table><thead><tr><th>Platform</th>"
	      "<th class=\"num\">target</th><th class=\"num\">ceiling</th><th class=\"num\">gain applied</th>"
	      "<th class=\"num\">loudness after</th><th class=\"num\">true peak after</th>"
	      "<th>result</th></tr></thead>\n"
	      "<tbody>\n",
	      f);
	const double I = a->loudness.integrated;
	for (size_t i = 0; i < a->n_delivery; i++) {
		const mixdown_delivery_check *d = &a->delivery[i];
		fprintf(f, "<tr class=\"%s\"><td>", d->ok ? "good" : "bad");
		mxr_esc(f, d->label);
		fputs("</td><td class=\"num\">", f);
		mxr_num(f, d->target, 1, "LUFS", NULL);
		if (d->tolerance > 0)
			fprintf(f, " &#177;%.1f", d->tolerance);
		fputs("</td><td class=\"num\">", f);
		mxr_num(f, d->max_true_peak, 1, "dBTP", NULL);
		fputs("</td><td class=\"num\">", f);
		if (!strcmp(d->normalizes, "none")) {
			fputs("none (needs ", f);
			mxr_num(f, d->gain_to_target, 1, "dB", NULL);
			fputs(")", f);
		} else {
			mxr_num(f, d->gain, 1, "dB", NULL);
		}
		fputs("</td><td class=\"num\">", f);
		mxr_num(f, d->loudness_after, 1, "LUFS", NULL);
		fputs("</td><td class=\"num\">", f);
		mxr_num(f, d->true_peak_after, 1, "dBTP", NULL);
		fputs("</td><td class=\"ok\">", f);
		if (d->ok)
			fputs("&#10003; OK", f);
		else if (d->clips)
			fputs("&#10007; clips after gain", f);
		else if (d->true_peak_after > d->max_true_peak)
			fputs("&#10007; over the ceiling", f);
		else if (isfinite(I) && !loudness_met(d, I))
			fputs("&#10007; loudness off target", f);
		else
			fputs("&#10007; fails", f);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n</section>\n", f);
}
