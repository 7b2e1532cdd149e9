/* mixdown — the measures, notes, score and summary of `mixdown translate`
 * from a finished analysis (translate.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Long-term powers are the frame sums of translate_frames.c: the mix is the
 * pooled channels, a system's output is its input spectrum (pooled, or the
 * fold for mono systems) times |H|^2.
 *  - low_change: power below 120 Hz (bins from 20 Hz), output over mix, dB.
 *  - vocal balance: power 1-4 kHz over the power of everything else
 *    (20 Hz .. Nyquist), dB; vocal_change = system minus mix.
 *  - band_change: per one-third-octave band, output over mix (NAN when the
 *    mix's band is below -120 dBFS).
 *  - mono_band_drop (mono systems, stereo mix): pooled stereo power over the
 *    fold's, per band, at most 60 dB; the worst band is the largest drop
 *    among bands within 30 dB of the mix's loudest band.
 *  - bass verdict: NONE when a bass line plays in fewer than 10 % of the
 *    audible frames (or 3 frames); KEPT when at least half its frames keep
 *    the fundamental; HARMONICS when at least half are still heard
 *    (fundamental or harmonics); LOST otherwise.
 *  - masking: bands playing in at least 10 % of the audible frames whose
 *    masked share grows by 0.25 or more (for mono systems, not bands that
 *    cancel by 10 dB or more in the fold); the three largest increases.
 * Score (higher = worse translation; a heuristic, documented in
 * docs/translate.md):
 *    4 x (share of bass frames lost) + 1 x (share heard only through harmonics)
 *  + min(4, max(0, worst mono band drop - 3 dB) / 3) + min(2, max(0, mono_drop - 1 LU))
 *  + min(3, max(0, |vocal_change| - 3 dB) / 3)
 *  + min(2, 2 x sum of the masking increases)
 * (3 dB is what uncorrelated stereo content loses in the fold, so only real
 * cancellation counts; 3 dB of vocal-band shift is the smallest the notes
 * mention.) The system with the highest score is the worst translation.
 *
 * Threads: the caller's. No allocation.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "translate/translate.h"

#define SILENT 1e-12        /* -120 dB mean square */
#define MONO_CARRY 1e-3     /* bands within 30 dB of the loudest count for the worst mono drop */
#define MASK_MIN_SHARE 0.1
#define MASK_MIN_RISE 0.25

static double ratio_db(double num, double den)
{
	if (!(den > SILENT))
		return NAN;
	return num > 0 ? 10.0 * log10(num / den) : -INFINITY;
}

static const char *fmt_hz(char *b, size_t n, double hz)
{
	if (hz >= 1000.0)
		snprintf(b, n, "%.3g kHz", hz / 1000.0);
	else
		snprintf(b, n, "%.0f Hz", hz);
	return b;
}

static void note(mixdown_translate_system *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(mixdown_translate_system *o, const char *fmt, ...)
{
	if (o->n_notes >= MIXDOWN_TRANSLATE_MAX_NOTES)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->notes[o->n_notes++], sizeof o->notes[0], fmt, ap);
	va_end(ap);
}

static void bass(const mxd_tr_ana *a, size_t s, mixdown_translate_system *o)
{
	const mxd_tr_bass_count *c = &a->bass[s];
	o->bass = MIXDOWN_BASS_NONE;
	if (c->frames < 3 || c->frames < 0.1 * a->active_frames)
		return;
	double n = (double)c->frames;
	o->bass_kept = c->kept / n;
	o->bass_harmonics = c->harmonics / n;
	o->bass_lost = c->lost / n;
	o->bass = o->bass_kept >= 0.5 ? MIXDOWN_BASS_KEPT
		  : o->bass_kept + o->bass_harmonics >= 0.5 ? MIXDOWN_BASS_HARMONICS : MIXDOWN_BASS_LOST;
}

static void masking(const mxd_tr_ana *a, size_t s, mixdown_translate_system *o)
{
	const mxd_tr_mask_count *c = &a->mask[s];
	o->n_masking = 0;
	for (size_t b = 0; b < MIXDOWN_BANDS; b++) {
		if (c->active[b] < 3 || c->active[b] < MASK_MIN_SHARE * a->active_frames)
			continue;
		double before = (double)c->before[b] / c->active[b], after = (double)c->after[b] / c->active[b];
		if (after - before < MASK_MIN_RISE || (o->mono && o->mono_band_drop[b] >= 10.0))
			continue; /* (a band that cancels in the fold is reported as such, not as masked) */
		size_t by = 0;
		for (size_t j = 1; j < MIXDOWN_BANDS; j++)
			if (c->by[b][j] > c->by[b][by])
				by = j;
		mixdown_translate_masking m = { mixdown_band_centre(b), mixdown_band_centre(by), before, after };
		/* Insert by increase, largest first, keeping the three largest. */
		size_t at = o->n_masking;
		while (at > 0 && (o->masking[at - 1].share_after - o->masking[at - 1].share_before) < after - before)
			at--;
		if (at >= MIXDOWN_TRANSLATE_MAX_MASKING)
			continue;
		size_t last = o->n_masking < MIXDOWN_TRANSLATE_MAX_MASKING ? o->n_masking
								    : MIXDOWN_TRANSLATE_MAX_MASKING - 1;
		memmove(&o->masking[at + 1], &o->masking[at], (last - at) * sizeof m);
		o->masking[at] = m;
		if (o->n_masking < MIXDOWN_TRANSLATE_MAX_MASKING)
			o->n_masking++;
	}
}

static void mono(const double *mix_band, const double *fold_band, mixdown_translate_system *o)
{
	double top = 0.0;
	for (size_t b = 0; b < MIXDOWN_BANDS; b++)
		if (mix_band[b] > top)
			top = mix_band[b];
	o->mono_worst_hz = 0.0;
	o->mono_worst_drop = 0.0;
	for (size_t b = 0; b < MIXDOWN_BANDS; b++) {
		if (!(mix_band[b] > SILENT)) {
			o->mono_band_drop[b] = 0.0;
			continue;
		}
		double d = fold_band[b] > 0 ? 10.0 * log10(mix_band[b] / fold_band[b]) : 60.0;
		o->mono_band_drop[b] = d > 60.0 ? 60.0 : d;
		if (mix_band[b] >= MONO_CARRY * top && o->mono_band_drop[b] > o->mono_worst_drop) {
			o->mono_worst_drop = o->mono_band_drop[b];
			o->mono_worst_hz = mixdown_band_centre(b);
		}
	}
}

static double clampd(double v, double hi)
{
	return v < 0 ? 0 : v > hi ? hi : v;
}

static void score_and_notes(mixdown_translate_system *o)
{
	char h1[32], h2[32];
	double sc = 0.0;
	if (o->bass != MIXDOWN_BASS_NONE)
		sc += 4.0 * o->bass_lost + 1.0 * o->bass_harmonics;
	if (o->mono) {
		sc += clampd((o->mono_worst_drop - 3.0) / 3.0, 4.0);
		sc += clampd(o->mono_drop - 1.0, 2.0);
	}
	if (isfinite(o->vocal_change))
		sc += clampd((fabs(o->vocal_change) - 3.0) / 3.0, 3.0);
	double rise = 0.0;
	for (size_t i = 0; i < o->n_masking; i++)
		rise += o->masking[i].share_after - o->masking[i].share_before;
	sc += clampd(2.0 * rise, 2.0);
	o->score = sc;

	if (o->bass == MIXDOWN_BASS_LOST)
		note(o, "bass line lost: in %.0f%% of its frames neither the fundamental nor two harmonics are "
			"reproduced (below 120 Hz %+.0f dB)", 100.0 * o->bass_lost, o->low_change);
	else if (o->bass == MIXDOWN_BASS_HARMONICS)
		note(o, "bass fundamentals gone (below 120 Hz %+.0f dB); the line is still heard through its "
			"harmonics in %.0f%% of its frames", o->low_change, 100.0 * o->bass_harmonics);
	else if (isfinite(o->low_change) && fabs(o->low_change) >= 6.0)
		note(o, "below 120 Hz %+.0f dB%s", o->low_change,
		     o->low_change > 0 ? ": check that the low end does not boom"
					: ", but the bass fundamentals still sound");
	if (o->mono && o->mono_worst_drop >= 6.0)
		note(o, "mono fold-down: the %s band drops %.0f dB (side-only or out-of-phase content cancels)",
		     fmt_hz(h1, sizeof h1, o->mono_worst_hz), o->mono_worst_drop);
	if (o->mono && o->mono_drop >= 1.0)
		note(o, "mono fold-down alone loses %.1f LU", o->mono_drop);
	if (isfinite(o->vocal_change) && fabs(o->vocal_change) >= 3.0)
		note(o, "vocal band (1-4 kHz) %+.1f dB against the rest: %s", o->vocal_change,
		     o->vocal_change > 0 ? "vocals and upper mids jump forward" : "vocals recede behind the rest");
	for (size_t i = 0; i < o->n_masking; i++)
		note(o, "the %s band becomes masked by the %s band in %.0f%% of its frames (%.0f%% in the mix)",
		     fmt_hz(h1, sizeof h1, o->masking[i].hz), fmt_hz(h2, sizeof h2, o->masking[i].masker_hz),
		     100.0 * o->masking[i].share_after, 100.0 * o->masking[i].share_before);
	if (isfinite(o->loudness_change) && fabs(o->loudness_change) >= 3.0)
		note(o, "%.1f LU %s at the same volume setting", fabs(o->loudness_change),
		     o->loudness_change > 0 ? "louder" : "quieter");
}

static void summary(mixdown_translate_result *r)
{
	r->worst = 0;
	for (size_t s = 1; s < r->n_systems; s++)
		if (r->systems[s].score > r->systems[r->worst].score)
			r->worst = s;
	if (!r->n_systems)
		return;
	const mixdown_translate_system *w = &r->systems[r->worst];
	if (w->score < 0.5)
		snprintf(r->summary, sizeof r->summary,
			 "The mix translates well to every system (largest score %.1f, %s).", w->score, w->label);
	else
		snprintf(r->summary, sizeof r->summary, "Translates worst to: %s (score %.1f): %.190s%s%.190s.",
			 w->label, w->score, w->n_notes ? w->notes[0] : "several small changes",
			 w->n_notes > 1 ? "; " : "", w->n_notes > 1 ? w->notes[1] : "");
}

void mxd_tr_report(mxd_tr_ana *a, mixdown_translate_result *r)
{
	const double nyq = 0.5 * a->rate;
	double mix_band[MIXDOWN_BANDS], fold_band[MIXDOWN_BANDS];
	const double inv = a->frames ? 1.0 / (double)a->frames : 0.0;
	for (size_t b = 0; b < MIXDOWN_BANDS; b++) {
		mix_band[b] = inv * mxd_tr_band_power(a, a->sum_st, b);
		fold_band[b] = inv * mxd_tr_band_power(a, a->sum_m, b);
	}
	const double low_in = inv * mxd_tr_range_power(a, a->sum_st, 20.0, MXD_TR_LOW_HZ);
	const double v_in = inv * mxd_tr_range_power(a, a->sum_st, MXD_TR_VOCAL_LO, MXD_TR_VOCAL_HI);
	const double t_in = inv * mxd_tr_range_power(a, a->sum_st, 20.0, nyq + 1.0);
	r->vocal_balance = ratio_db(v_in, t_in - v_in);
	r->bass_seconds = (double)a->bass_frames * a->hop / a->rate;
	for (size_t s = 0; s < a->n_sys; s++) {
		mixdown_translate_system *o = &r->systems[s];
		const double *p = a->model[s]->mono ? a->sum_m : a->sum_st;
		for (uint32_t k = 0; k < a->bins; k++)
			a->work[k] = inv * p[k] * a->h2[s][k];
		double low = mxd_tr_range_power(a, a->work, 20.0, MXD_TR_LOW_HZ);
		double v = mxd_tr_range_power(a, a->work, MXD_TR_VOCAL_LO, MXD_TR_VOCAL_HI);
		double t = mxd_tr_range_power(a, a->work, 20.0, nyq + 1.0);
		o->low_change = ratio_db(low, low_in);
		o->vocal_balance = ratio_db(v, t - v);
		o->vocal_change = o->vocal_balance - r->vocal_balance;
		for (size_t b = 0; b < MIXDOWN_BANDS; b++)
			o->band_change[b] =
				a->band_ok[b] ? ratio_db(mxd_tr_band_power(a, a->work, b), mix_band[b]) : NAN;
		if (o->mono && a->channels == 2)
			mono(mix_band, fold_band, o);
		bass(a, s, o);
		masking(a, s, o);
		score_and_notes(o);
	}
	summary(r);
}
