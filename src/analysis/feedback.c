/* mixdown — feedback on one analysis: a prioritized list of concrete
 * suggestions, each citing the measurement it comes from.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Priorities (mixdown_feedback): 1 = fix before release (clipping, overs,
 * phase cancellation, a failed delivery specification, silence), 2 = worth
 * fixing, 3 = consider. Within a priority, larger problems (how far past
 * their threshold, in dB or LU) come first. This file covers loudness and
 * delivery, peaks, single-file problems, dynamics and stereo;
 * feedback_tone.c adds tone (comparisons, resonances, sibilance).
 *
 * Thresholds and the facts they rest on:
 *  - Normalizing players (delivery.c, ../shared/docs/delivery-targets.md):
 *    a master more than 1 dB over the platform target with PLR < 9 dB is
 *    turned down by the platform; the limiting that made it loud then only
 *    costs transients. A master the platform cannot raise to its target
 *    (Spotify stops at -1 dBTP; YouTube never raises) plays quieter.
 *  - True peak above -1 dBTP: the ceiling Spotify, EBU R 128 (Tech 3343) and
 *    the other presets ask for; above 0 dBTP (inter-sample overs) distorts in
 *    converters and lossy encoders: priority 1.
 *  - Clipped samples, correlation < 0, a silent channel: priority 1.
 *  - DC offset above -50 dBFS, silence > 0.5 s at the start / > 1 s at the
 *    end, mono fold losing > 4.5 LU: the thresholds of problems.c.
 *  - L/R balance beyond 1.5 dB; PLR below 8 dB (heavily limited) or above
 *    20 dB; loudness range above 15 LU or below 2 LU (files of a minute or
 *    more): engineering rules of thumb, given as priority 2/3 suggestions.
 * Texts stay under 400 bytes (mixdown_feedback.text) and carry units.
 *
 * Ownership: a->feedback is replaced (freed and reallocated). Threads: one
 * analysis per thread.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"

void mxd_fb_add(mxd_fb_list *l, int priority, const char *topic, double size, const char *fmt, ...)
{
	if (l->failed)
		return;
	if (l->n == l->cap) {
		const size_t cap = l->cap ? 2 * l->cap : 16;
		mixdown_feedback *v = realloc(l->v, cap * sizeof *v);
		if (v)
			l->v = v;
		double *s = v ? realloc(l->size, cap * sizeof *s) : NULL;
		if (!v || !s) {
			l->failed = true;
			return;
		}
		l->size = s;
		l->cap = cap;
	}
	mixdown_feedback *f = &l->v[l->n];
	memset(f, 0, sizeof *f);
	f->priority = priority;
	snprintf(f->topic, sizeof f->topic, "%s", topic);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof f->text, fmt, ap);
	va_end(ap);
	l->size[l->n++] = isfinite(size) ? size : 0.0;
}

const char *mxd_fmt_hz(char *buf, size_t n, double hz)
{
	if (hz < 1000.0)
		snprintf(buf, n, "%.0f Hz", hz);
	else if (hz < 10000.0)
		snprintf(buf, n, "%.1f kHz", hz / 1000.0);
	else
		snprintf(buf, n, "%.0f kHz", hz / 1000.0);
	return buf;
}

/* A platform's label without its parenthesis: "Spotify (normal)" -> "Spotify". */
static const char *short_label(char *buf, size_t n, const char *label)
{
	snprintf(buf, n, "%s", label ? label : "");
	char *p = strstr(buf, " (");
	if (p)
		*p = '\0';
	return buf;
}

static bool normalizes(const mixdown_delivery_check *d)
{
	return d->normalizes && strcmp(d->normalizes, "none") != 0;
}

/* Spotify if it was checked, else the first normalizing platform passing `want`. */
static const mixdown_delivery_check *pick(const mixdown_analysis *a, bool (*want)(const mixdown_delivery_check *))
{
	for (size_t i = 0; i < a->n_delivery; i++)
		if (a->delivery[i].platform && !strcmp(a->delivery[i].platform, "spotify"))
			return want(&a->delivery[i]) ? &a->delivery[i] : NULL;
	for (size_t i = 0; i < a->n_delivery; i++)
		if (normalizes(&a->delivery[i]) && want(&a->delivery[i]))
			return &a->delivery[i];
	return NULL;
}

static bool turned_down(const mixdown_delivery_check *d)
{
	return normalizes(d) && d->gain <= -1.0;
}

static bool plays_quiet(const mixdown_delivery_check *d)
{
	return normalizes(d) && isfinite(d->loudness_after) && d->target - d->loudness_after >= 2.0;
}

/* Returns true when the "turned down, limiting buys nothing" item was added. */
static bool loudness_items(mxd_fb_list *l, const mixdown_analysis *a)
{
	char b1[64], b2[64];
	const double I = a->loudness.integrated, plr = a->dynamics.plr;
	bool squashed = false;
	const mixdown_delivery_check *d = pick(a, turned_down);
	if (d && isfinite(plr) && plr < 9.0) {
		char others[160] = "";
		size_t n_others = 0;
		for (size_t i = 0; i < a->n_delivery && n_others < 2; i++) {
			const mixdown_delivery_check *o = &a->delivery[i];
			if (o != d && turned_down(o) && fabs(o->gain - d->gain) >= 0.05) {
				snprintf(others + strlen(others), sizeof others - strlen(others), "%s%s %+.1f dB",
					 n_others ? ", " : "; ", short_label(b2, sizeof b2, o->label), o->gain);
				n_others++;
			}
		}
		mxd_fb_add(l, 2, "loudness", -d->gain,
			   "Integrated %.1f LUFS with PLR %.1f dB: %s turns it down by %.1f dB (%+.1f dB, to %.0f "
			   "LUFS)%s. The loudness bought with limiting is taken back and only the lost punch remains: "
			   "peaking at -1 dBTP with a PLR of 10-12 dB (about -11 to -13 LUFS) plays as loud there and "
			   "hits harder.",
			   I, plr, short_label(b1, sizeof b1, d->label), -d->gain, d->gain, d->loudness_after, others);
		squashed = true;
	}
	d = pick(a, plays_quiet);
	if (d) {
		const double deficit = d->target - d->loudness_after;
		const double tp = isfinite(a->loudness.true_peak) ? a->loudness.true_peak : a->loudness.sample_peak;
		if (d->gain > 0.05 || !strcmp(d->normalizes, "both"))
			mxd_fb_add(l, deficit >= 4.0 ? 2 : 3, "loudness", deficit,
				   "Integrated %.1f LUFS with true peak %+.1f dBTP: %s raises it only %+.1f dB (it "
				   "keeps the true peak at %.0f dBTP), so it plays %.1f dB quieter than tracks at its "
				   "%.0f LUFS. If that matters for this release, about %.0f dB of transparent peak "
				   "limiting closes the gap.",
				   I, tp, short_label(b1, sizeof b1, d->label), d->gain, d->max_true_peak, deficit,
				   d->target, ceil(deficit));
		else
			mxd_fb_add(l, deficit >= 4.0 ? 2 : 3, "loudness", deficit,
				   "Integrated %.1f LUFS: %s does not turn quiet tracks up, so it plays %.1f dB below "
				   "its %.0f LUFS reference level. If that matters for this release, about %.0f dB "
				   "more loudness (with peak limiting) closes the gap.",
				   I, short_label(b1, sizeof b1, d->label), deficit, d->target, ceil(deficit));
	}
	/* Clipping (or, for the one platform asked for, passing its ceiling) after normalization. */
	char list[300] = "";
	size_t n_list = 0;
	double worst = -INFINITY, worst_ceiling = 0;
	for (size_t i = 0; i < a->n_delivery; i++) {
		const mixdown_delivery_check *o = &a->delivery[i];
		const bool bad =
			o->clips || (a->n_delivery == 1 && normalizes(o) && o->true_peak_after > o->max_true_peak);
		if (!normalizes(o) || !bad || !isfinite(o->true_peak_after))
			continue;
		if (n_list < 3)
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s %+.1f dB -> %+.1f dBTP",
				 n_list ? ", " : "", short_label(b1, sizeof b1, o->label), o->gain, o->true_peak_after);
		n_list++;
		if (o->true_peak_after > worst) {
			worst = o->true_peak_after;
			worst_ceiling = a->n_delivery == 1 ? o->max_true_peak : 0.0;
		}
	}
	if (n_list)
		mxd_fb_add(l, 2, "delivery", worst - worst_ceiling,
			   "After loudness normalization the true peak passes %.0f dBTP: %s%s. Those players will "
			   "clip it (or limit it their way). Taking the peaks down %.1f dB with a true-peak limiter, "
			   "or making the master louder with the same peaks, avoids it.",
			   worst_ceiling, list, n_list > 3 ? " and more" : "", worst - worst_ceiling);
	/* A delivery specification asked for explicitly (--target ebu-r128, podcast, ...). */
	if (a->n_delivery == 1 && !normalizes(&a->delivery[0]) && !a->delivery[0].ok) {
		const mixdown_delivery_check *s = &a->delivery[0];
		const double tp = isfinite(a->loudness.true_peak) ? a->loudness.true_peak : a->loudness.sample_peak;
		const double tp_after = tp + s->gain_to_target;
		mxd_fb_add(l, 1, "delivery", fabs(s->gain_to_target) + fmax(0.0, tp_after - s->max_true_peak),
			   "%s asks for %.1f LUFS +/-%.1f LU with true peak at most %.1f dBTP: this measures %.1f "
			   "LUFS, so apply %+.1f dB; the true peak then is %+.1f dBTP%s.",
			   s->label, s->target, s->tolerance, s->max_true_peak, I, s->gain_to_target, tp_after,
			   tp_after > s->max_true_peak ? ", over the ceiling: limit the peaks first"
						       : " (within the ceiling)");
	}
	return squashed;
}

static void peak_items(mxd_fb_list *l, const mixdown_analysis *a)
{
	const bool tp_measured = isfinite(a->loudness.true_peak);
	const double tp = tp_measured ? a->loudness.true_peak : a->loudness.sample_peak;
	const char *what = tp_measured ? "True peak" : "Sample peak", *unit = tp_measured ? "dBTP" : "dBFS";
	if (a->problems.overs > 0 && a->problems.n_overs > 0) {
		const mixdown_analysis_range *o = &a->problems.overs_at[0];
		mxd_fb_add(l, 1, "problem", 1.0 + tp,
			   "True peak %+.2f dBTP: %llu 10 ms blocks have inter-sample overs above 0 dBTP, the first "
			   "at %.2f s (%+.2f dBTP). They distort in D/A converters and lossy encoders: put the final "
			   "limiter in true-peak mode with a -1 dBTP ceiling.",
			   tp, (unsigned long long)a->problems.overs, o->start, o->peak);
	} else if (tp > 0.0) {
		mxd_fb_add(l, 1, "problem", 1.0 + tp,
			   "%s %+.2f %s is above full scale: it distorts in D/A converters and lossy encoders. Put the "
			   "final limiter in true-peak mode with a -1 dBTP ceiling.",
			   what, tp, unit);
	} else if (tp > -1.0) {
		mxd_fb_add(l, 2, "loudness", 1.0 + tp,
			   "%s %+.2f %s is above the -1 dBTP ceiling streaming platforms and EBU R 128 ask for: lossy "
			   "encoding (AAC, Ogg, MP3) can push it past 0 dBTP. Set the final limiter's true-peak "
			   "ceiling to -1 dBTP.",
			   what, tp, unit);
	}
	if (a->problems.clipped_samples > 0) {
		char ch[16] = "?", at[96] = "";
		if (a->problems.n_clips > 0) {
			const mixdown_analysis_range *c = &a->problems.clips[0];
			for (uint32_t b = 0; b < 32; b++)
				if (c->channel_mask & (1u << b)) {
					snprintf(ch, sizeof ch, "%u", b + 1);
					break;
				}
			snprintf(at, sizeof at, ", the first at %.3f s (channel %s, %+.2f dBFS)", c->start, ch,
				 c->peak);
		}
		mxd_fb_add(l, 1, "problem", 10.0 + log10((double)a->problems.clipped_samples),
			   "%llu clipped samples in %zu stretch%s%s. Find the stage that overloads (a track, a bus or "
			   "the final conversion) and lower it, or let a limiter do that job; clipped source "
			   "recordings need a declipper.",
			   (unsigned long long)a->problems.clipped_samples, a->problems.n_clips,
			   a->problems.n_clips == 1 ? "" : "es", at);
	}
}

static void problem_items(mxd_fb_list *l, const mixdown_analysis *a)
{
	const double dc = a->problems.dc_offset_max_dbfs;
	if (isfinite(dc) && dc > -50.0 && a->problems.dc_offset) {
		uint32_t worst = 0;
		for (uint32_t c = 1; c < a->channels; c++)
			if (fabs(a->problems.dc_offset[c]) > fabs(a->problems.dc_offset[worst]))
				worst = c;
		mxd_fb_add(l, dc > -30.0 ? 2 : 3, "problem", dc + 50.0,
			   "DC offset %.1f dBFS on channel %u (mean %+.5f): it wastes headroom and clicks at edits and "
			   "fades. A high-pass at 10-20 Hz (or a DC filter) on the track that carries it removes it.",
			   dc, worst + 1, a->problems.dc_offset[worst]);
	}
	if (a->problems.leading_silence > 0.5)
		mxd_fb_add(l, 3, "problem", a->problems.leading_silence,
			   "%.2f s of silence before the first sound: trim it to a short pre-roll unless the gap is "
			   "intended (players start the track with it).",
			   a->problems.leading_silence);
	if (a->problems.trailing_silence > 1.0)
		mxd_fb_add(l, 3, "problem", a->problems.trailing_silence,
			   "%.2f s of silence after the last sound: trim it (end on the fade) unless the gap is "
			   "intended.",
			   a->problems.trailing_silence);
}

static void dynamics_items(mxd_fb_list *l, const mixdown_analysis *a, bool squashed)
{
	const double plr = a->dynamics.plr, lra = a->loudness.range;
	if (isfinite(plr) && plr < 8.0 && !squashed)
		mxd_fb_add(l, 2, "dynamics", 8.0 - plr,
			   "PLR %.1f dB (the true peak only %.1f dB above the integrated loudness): the mix is "
			   "heavily limited and its transients are flattened. Back the limiter or clipper off until "
			   "PLR is 9 dB or more, unless this density is the sound you want.",
			   plr, plr);
	if (isfinite(plr) && plr > 20.0 && isfinite(a->loudness.integrated))
		mxd_fb_add(l, 3, "dynamics", plr - 20.0,
			   "PLR %.1f dB: a few peaks stand far above the body of the mix, so normalizing players "
			   "cannot raise it (Spotify keeps the true peak at -1 dBTP). If it should sit level with "
			   "other masters, 3-6 dB of transparent peak limiting costs little.",
			   plr);
	if (isfinite(lra) && lra > 15.0)
		mxd_fb_add(l, 3, "dynamics", lra - 15.0,
			   "Loudness range %.1f LU: the quiet passages sit far below the loud ones and get lost in "
			   "cars and on earbuds. Ride the quiet sections up or compress gently, if the music allows "
			   "it.",
			   lra);
	else if (isfinite(lra) && lra < 2.0 && a->duration >= 60.0 && isfinite(a->loudness.integrated))
		mxd_fb_add(l, 3, "dynamics", 2.0 - lra,
			   "Loudness range %.1f LU over %.0f s: every section is equally loud. If verses and choruses "
			   "should contrast, let the quieter parts drop a few LU.",
			   lra, a->duration);
}

static void stereo_items(mxd_fb_list *l, const mixdown_analysis *a)
{
	if (!a->stereo.valid || !isfinite(a->loudness.integrated))
		return;
	const double corr = a->stereo.correlation, drop = a->stereo.mono_drop, bal = a->stereo.balance;
	if (isinf(bal)) {
		mxd_fb_add(l, 1, "stereo", 20.0, "The %s channel is silent while the %s carries the mix: check the "
						 "routing, or deliver a mono file if that is intended.",
			   bal > 0 ? "right" : "left", bal > 0 ? "left" : "right");
		return;
	}
	/* The band that loses most in mono, when the spectrum has per-band values. */
	char where[80] = "";
	if (a->spectrum.valid) {
		int worst = -1;
		for (int k = 0; k < MIXDOWN_BANDS; k++)
			if (isfinite(a->spectrum.mono_drop[k]) && isfinite(a->spectrum.level[k]) &&
			    a->spectrum.level[k] > a->loudness.integrated - 30.0 &&
			    (worst < 0 || a->spectrum.mono_drop[k] > a->spectrum.mono_drop[worst]))
				worst = k;
		char hz[32];
		if (worst >= 0 && a->spectrum.mono_drop[worst] > 3.0)
			snprintf(where, sizeof where, ", most around %s: %.1f dB",
				 mxd_fmt_hz(hz, sizeof hz, mixdown_band_centre((size_t)worst)),
				 a->spectrum.mono_drop[worst]);
	}
	if (corr < 0.0)
		mxd_fb_add(l, 1, "stereo", 10.0 * -corr + drop,
			   "Correlation %+.2f: left and right are largely out of phase, so the mix thins out in mono "
			   "(the fold loses %.1f LU%s). Look for a polarity-flipped channel, an extreme widener or "
			   "mis-aligned stereo mics.",
			   corr, drop, where);
	else if (drop > 4.5)
		mxd_fb_add(l, 2, "stereo", drop - 4.5,
			   "The mono fold loses %.1f LU (uncorrelated stereo loses about 3)%s: parts of the mix "
			   "cancel in mono. Check wideners, chorus and phase on the widest elements.",
			   drop, where);
	if (isfinite(bal) && fabs(bal) > 1.5)
		mxd_fb_add(l, 2, "stereo", fabs(bal) - 1.5,
			   "The %s channel is %.1f dB louder than the %s over the whole mix: check the panning of the "
			   "lead elements and the master balance.",
			   bal > 0 ? "left" : "right", fabs(bal), bal > 0 ? "right" : "left");
}

int mixdown_analysis_feedback(mixdown_analysis *a)
{
	if (!a)
		return -1;
	mxd_fb_list l = { 0 };
	if (!isfinite(a->loudness.integrated)) {
		mxd_fb_add(&l, 1, "problem", 100.0,
			   "No measurable loudness: the file is silent or stays below the -70 LUFS gate of BS.1770.");
	} else {
		const bool squashed = loudness_items(&l, a);
		dynamics_items(&l, a, squashed);
	}
	peak_items(&l, a);
	problem_items(&l, a);
	stereo_items(&l, a);
	mxd_fb_tone(&l, a);
	return mxd_fb_finish(&l, &a->feedback, &a->n_feedback);
}

int mxd_fb_finish(mxd_fb_list *l, mixdown_feedback **out, size_t *n_out)
{
	if (l->failed) {
		free(l->v);
		free(l->size);
		return -1;
	}
	/* Stable insertion sort: priority ascending, then size descending. */
	for (size_t i = 1; i < l->n; i++) {
		mixdown_feedback f = l->v[i];
		double s = l->size[i];
		size_t j = i;
		while (j > 0 && (l->v[j - 1].priority > f.priority ||
				 (l->v[j - 1].priority == f.priority && l->size[j - 1] < s))) {
			l->v[j] = l->v[j - 1];
			l->size[j] = l->size[j - 1];
			j--;
		}
		l->v[j] = f;
		l->size[j] = s;
	}
	free(l->size);
	free(*out);
	*out = l->v;
	*n_out = l->n;
	return 0;
}
