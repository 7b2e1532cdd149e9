/* mixdown — suggestions about the relations between tracks: silent tracks,
 * polarity and time offsets between tracks of one source, masking.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Thresholds, and why:
 *  - silent: sample peak below -60 dBFS (below any usable level in a mix;
 *    the same floor as the start/end silence default of mixdown_analysis).
 *  - inverted polarity: |correlation| >= 0.5 with a negative peak; below
 *    that the sign of a weak correlation is not a reliable finding.
 *  - time offset: 0.1 to 5 ms between correlated tracks is the range where
 *    summing them makes an audible comb filter (first notch at 1/(2 dt):
 *    5 kHz for 0.1 ms, 100 Hz for 5 ms); longer offsets are room or
 *    distance mics, reported with a lower priority.
 *  - masking: the strongest pairs (amount x overlap), at most 6.
 * Threads: pure function of the analysis; any thread.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"

typedef struct {
	mixdown_feedback *v;
	size_t n, cap;
} fb_list;

static int add(fb_list *l, int priority, const char *topic, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int add(fb_list *l, int priority, const char *topic, const char *fmt, ...)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		mixdown_feedback *v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	mixdown_feedback *f = &l->v[l->n++];
	memset(f, 0, sizeof *f);
	f->priority = priority;
	snprintf(f->topic, sizeof f->topic, "%s", topic);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof f->text, fmt, ap);
	va_end(ap);
	return 0;
}

static int by_priority(const void *a, const void *b)
{
	const mixdown_feedback *x = a, *y = b;
	return (x->priority > y->priority) - (x->priority < y->priority);
}

static double freq_for_text(double hz, const char **unit)
{
	*unit = hz >= 1000 ? "kHz" : "Hz";
	return hz >= 1000 ? hz / 1000 : hz;
}

static int silent_tracks(const mixdown_multitrack_analysis *m, fb_list *l)
{
	for (size_t i = 0; i < m->n_tracks; i++) {
		const mixdown_analysis *a = m->tracks[i];
		if (!a || a->loudness.sample_peak >= -60.0)
			continue;
		int rc = isfinite(a->loudness.sample_peak)
				 ? add(l, 2, "problem",
				       "%s '%s' is near-silent (peak %.1f dBFS): check its routing, mute and fader, or "
				       "remove it",
				       m->is_bus[i] ? "Bus" : "Track", m->names[i], a->loudness.sample_peak)
				 : add(l, 2, "problem",
				       "%s '%s' is silent (no signal at all): check its routing, mute and fader, or "
				       "remove it",
				       m->is_bus[i] ? "Bus" : "Track", m->names[i]);
		if (rc)
			return -1;
	}
	return 0;
}

static int alignment(const mixdown_multitrack_analysis *m, fb_list *l)
{
	for (size_t i = 0; i < m->n_alignment; i++) {
		const mixdown_alignment *al = &m->alignment[i];
		const double dt = fabs(al->offset_ms);
		const char *late = al->offset_ms >= 0 ? al->b : al->a, *early = al->offset_ms >= 0 ? al->a : al->b;
		if (al->inverted && al->correlation >= 0.5) {
			if (add(l, 1, "alignment",
				"'%s' has the opposite polarity of '%s' (correlation -%.2f%s%.2f ms): flip the polarity of "
				"'%s' (a polarity insert), or the low end cancels when both play",
				al->b, al->a, al->correlation, dt >= 0.1 ? ", offset " : "", dt >= 0.1 ? dt : 0.0, al->b))
				return -1;
		}
		if (dt >= 0.1 && dt <= 5.0) {
			const double notch = 1.0 / (2.0 * dt * 1e-3);
			const char *unit;
			const double f = freq_for_text(notch, &unit);
			if (add(l, 2, "alignment",
				"'%s' is %.2f ms later than '%s' (correlation %.2f): together they comb-filter (first notch "
				"near %.3g %s); delay '%s' by %.2f ms or move '%s' %.2f ms earlier",
				late, dt, early, al->correlation, f, unit, early, dt, late, dt))
				return -1;
		} else if (dt > 5.0) {
			if (add(l, 3, "alignment",
				"'%s' is %.1f ms later than '%s' (correlation %.2f): expected for a room or distant mic; "
				"align it if the sound should be tighter",
				late, dt, early, al->correlation))
				return -1;
		}
	}
	return 0;
}

static int masking(const mixdown_multitrack_analysis *m, fb_list *l)
{
	for (size_t i = 0; i < m->n_masking && i < 6; i++) {
		const mixdown_masking *k = &m->masking[i];
		const char *u_lo, *u_hi, *u_cut;
		const double lo = freq_for_text(k->low_hz, &u_lo), hi = freq_for_text(k->high_hz, &u_hi);
		const double cut = freq_for_text(k->cut_hz, &u_cut);
		/* Cut about half the excess, 2-6 dB: enough to uncover, not to hollow out. */
		const double c_lo = fmax(2.0, fmin(6.0, floor(k->amount / 2.0))), c_hi = fmin(c_lo + 1.0, 6.0);
		if (add(l, k->amount >= 6.0 ? 2 : 3, "masking",
			"'%s' is masked by '%s' between %.3g %s and %.3g %s by %.1f dB (%.0f%% of the time both play): "
			"cut '%s' around %.3g %s by %.0f-%.0f dB, or pan them apart",
			k->masked, k->masker, lo, u_lo, hi, u_hi, k->amount, 100.0 * k->overlap, k->masker, cut, u_cut,
			c_lo, c_hi))
			return -1;
	}
	return 0;
}

int mxd_multitrack_feedback(mixdown_multitrack_analysis *m)
{
	fb_list l = { 0 };
	if (silent_tracks(m, &l) || alignment(m, &l) || masking(m, &l)) {
		free(l.v);
		return -1;
	}
	/* Stable within a priority: the order above is already by size. */
	for (size_t i = 1; i < l.n; i++)
		for (size_t j = i; j > 0 && by_priority(&l.v[j - 1], &l.v[j]) > 0; j--) {
			mixdown_feedback t = l.v[j];
			l.v[j] = l.v[j - 1];
			l.v[j - 1] = t;
		}
	free(m->feedback);
	m->feedback = l.v;
	m->n_feedback = l.n;
	return 0;
}
