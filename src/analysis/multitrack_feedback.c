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
 * Items are ordered as in mixdown_analysis_feedback (feedback.c).
 * Threads: pure function of the analysis; any thread.
 */
#include <math.h>
#include <stdio.h>

#include "analysis/analysis.h"

static void silent_tracks(const mixdown_multitrack_analysis *m, mxd_fb_list *l)
{
	for (size_t i = 0; i < m->n_tracks; i++) {
		const mixdown_analysis *a = m->tracks[i];
		if (!a || a->loudness.sample_peak >= -60.0)
			continue;
		const char *kind = m->is_bus[i] ? "Bus" : "Track";
		if (isfinite(a->loudness.sample_peak))
			mxd_fb_add(l, 2, "problem", -a->loudness.sample_peak,
				   "%s '%s' is near-silent (peak %.1f dBFS): check its routing, mute and fader, or remove it",
				   kind, m->names[i], a->loudness.sample_peak);
		else
			mxd_fb_add(l, 2, "problem", 200.0,
				   "%s '%s' is silent (no signal at all): check its routing, mute and fader, or remove it",
				   kind, m->names[i]);
	}
}

static void alignment(const mixdown_multitrack_analysis *m, mxd_fb_list *l)
{
	for (size_t i = 0; i < m->n_alignment; i++) {
		const mixdown_alignment *al = &m->alignment[i];
		const double dt = fabs(al->offset_ms);
		const char *late = al->offset_ms >= 0 ? al->b : al->a, *early = al->offset_ms >= 0 ? al->a : al->b;
		if (al->inverted && al->correlation >= 0.5)
			mxd_fb_add(l, 1, "alignment", al->correlation,
				   "'%s' has the opposite polarity of '%s' (correlation -%.2f%s%.2f ms): flip the polarity "
				   "of '%s' (a polarity insert), or the low end cancels when both play",
				   al->b, al->a, al->correlation, dt >= 0.1 ? ", offset " : "", dt >= 0.1 ? dt : 0.0, al->b);
		char notch[24];
		if (dt >= 0.1 && dt <= 5.0)
			mxd_fb_add(l, 2, "alignment", al->correlation,
				   "'%s' is %.2f ms later than '%s' (correlation %.2f): together they comb-filter (first "
				   "notch near %s); delay '%s' by %.2f ms or move '%s' %.2f ms earlier",
				   late, dt, early, al->correlation, mxd_fmt_hz(notch, sizeof notch, 1.0 / (2.0 * dt * 1e-3)),
				   early, dt, late, dt);
		else if (dt > 5.0)
			mxd_fb_add(l, 3, "alignment", al->correlation,
				   "'%s' is %.1f ms later than '%s' (correlation %.2f): expected for a room or distant mic; "
				   "align it if the sound should be tighter",
				   late, dt, early, al->correlation);
	}
}

static void masking(const mixdown_multitrack_analysis *m, mxd_fb_list *l)
{
	for (size_t i = 0; i < m->n_masking && i < 6; i++) {
		const mixdown_masking *k = &m->masking[i];
		char lo[24], hi[24], cut[24];
		/* Cut about half the excess, 2-6 dB: enough to uncover, not to hollow out. */
		const double c_lo = fmax(2.0, fmin(6.0, floor(k->amount / 2.0))), c_hi = fmin(c_lo + 1.0, 6.0);
		mxd_fb_add(l, k->amount >= 6.0 ? 2 : 3, "masking", k->amount * k->overlap,
			   "'%s' is masked by '%s' between %s and %s by %.1f dB (%.0f%% of the time both play): cut '%s' "
			   "around %s by %.0f-%.0f dB, or pan them apart",
			   k->masked, k->masker, mxd_fmt_hz(lo, sizeof lo, k->low_hz), mxd_fmt_hz(hi, sizeof hi, k->high_hz),
			   k->amount, 100.0 * k->overlap, k->masker, mxd_fmt_hz(cut, sizeof cut, k->cut_hz), c_lo, c_hi);
	}
}

int mxd_multitrack_feedback(mixdown_multitrack_analysis *m)
{
	mxd_fb_list l = { 0 };
	silent_tracks(m, &l);
	alignment(m, &l);
	masking(m, &l);
	return mxd_fb_finish(&l, &m->feedback, &m->n_feedback);
}
