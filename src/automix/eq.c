/* mixdown — automix stage: EQ (issue 7, item 5): a high-pass per track from
 * its content and role, and small cross-adaptive cuts against masking.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * High-pass (our rules, docs/automix.md "EQ"): the lowest one-third-octave
 * band of the track's long-term spectrum within HP_RANGE_DB (24 dB) of its
 * strongest band is where its content starts; the corner goes half an octave
 * below that band's centre (a 12 dB/oct Butterworth there takes about 1 dB
 * off the band), then is clamped to the role's range (`hp_range`): vocals
 * 80-150 Hz, hi-hat 200-500 Hz, ...; kick and bass get only a subsonic filter
 * of 20-35 Hz, so their fundamental (>= 40 Hz for a 4-string bass's low E,
 * 41.2 Hz) is never cut. A corner under 25 Hz is left out (nothing to gain).
 *
 * Masking (cross-adaptive): mixdown_analyze_tracks() reports, per ordered pair
 * (masked, masker), the octave where the masker's band level exceeds the
 * masked track's most (`amount`, dB, measured on the raw stems) and its
 * centre `cut_hz`. The amount is corrected by the gain the plan gives both
 * tracks (clip gain + fader). When the masked track has the higher priority
 * (`priority`: lead > kick/bass > snare > backing vocals > melodic parts >
 * toms > cymbals/percussion > pads/room/beds > effects) and the corrected
 * amount is still >= 3 dB (the analysis' own reporting threshold), the masker
 * gets a peaking cut at cut_hz, Q 1.4 (about one octave wide, the region the
 * analysis reports), of amount/3 dB clamped to 2..4 dB: small cuts, since
 * listeners preferred panning over EQ for unmasking (Wakefield & Dewey, AES
 * 138, 2015) and the pan stage has already moved similar parts apart. At most
 * MAX_CUTS cuts per track, the largest masking first; cuts closer than a
 * third of an octave merge (the deeper one is kept). Kick and bass are never
 * cut below 200 Hz, their own range.
 *
 * Tonal target: then at most one more cut where the track's octave spectrum
 * stands out most above its role's typical spectrum (tonal.c); the fader makes
 * up the loudness that cut takes (K-weighted, on the measured spectrum).
 *
 * Units: Hz, dB. Control thread only (no allocation beyond the stack).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "automix/automix.h"

#define HP_RANGE_DB 24.0   /* content starts within this of the strongest band */
#define HP_MIN_HZ 25.0     /* no filter below this */
#define MASK_MIN_DB 3.0    /* = MXD_XT_REPORT_DB of the analysis */
#define CUT_Q 1.4
#define CUT_MIN_DB 2.0
#define CUT_MAX_DB 4.0
#define MAX_CUTS 2
#define TONAL_Q 1.0      /* tonal.c: about 1.4 octaves wide */
#define LOW_END_HZ 200.0 /* kick and bass are not cut below this */

/* High-pass corner range per role, Hz (our choice; common engineering
 * practice, docs/automix.md). */
static void hp_range(mxa_role r, double *lo, double *hi)
{
	static const double t[MXA_N_ROLES][2] = {
		[MXA_KICK] = { 20, 35 },         [MXA_SNARE] = { 60, 120 },     [MXA_TOMS] = { 40, 80 },
		[MXA_HIHAT] = { 200, 500 },      [MXA_OVERHEADS] = { 100, 250 }, [MXA_ROOM] = { 40, 100 },
		[MXA_PERCUSSION] = { 100, 300 }, [MXA_BASS] = { 20, 35 },       [MXA_EGUITAR] = { 70, 120 },
		[MXA_AGUITAR] = { 70, 150 },     [MXA_PIANO] = { 25, 60 },      [MXA_KEYS] = { 40, 100 },
		[MXA_SYNTH] = { 30, 100 },       [MXA_PAD] = { 60, 150 },       [MXA_STRINGS] = { 30, 80 },
		[MXA_BRASS] = { 50, 100 },       [MXA_LEAD_VOCAL] = { 80, 150 }, [MXA_BACKING_VOCALS] = { 100, 200 },
		[MXA_DIALOGUE] = { 70, 120 },    [MXA_MUSIC_BED] = { 30, 60 },  [MXA_EFFECTS] = { 20, 60 },
		[MXA_OTHER] = { 30, 60 },
	};
	unsigned k = (unsigned)r < MXA_N_ROLES ? (unsigned)r : MXA_OTHER;
	*lo = t[k][0];
	*hi = t[k][1];
}

/* Who wins when two tracks mask each other (higher = more important). */
static int priority(const mxa_track *t)
{
	if (t->is_lead)
		return 10;
	switch (t->role) {
	case MXA_LEAD_VOCAL:
	case MXA_DIALOGUE:
		return 10;
	case MXA_KICK:
	case MXA_BASS:
		return 8;
	case MXA_SNARE:
		return 7;
	case MXA_BACKING_VOCALS:
		return 6;
	case MXA_EGUITAR:
	case MXA_AGUITAR:
	case MXA_PIANO:
	case MXA_KEYS:
	case MXA_SYNTH:
	case MXA_STRINGS:
	case MXA_BRASS:
		return 5;
	case MXA_TOMS:
		return 4;
	case MXA_HIHAT:
	case MXA_OVERHEADS:
	case MXA_PERCUSSION:
		return 3;
	case MXA_PAD:
	case MXA_ROOM:
	case MXA_MUSIC_BED:
		return 2;
	default:
		return 1;
	}
}

typedef struct {
	double hz, gain, amount;
	char reason[MXA_REASON];
} cut;

/* Content-derived corner, Hz; 0 when the spectrum says nothing. */
static double content_corner(const mixdown_analysis *a, size_t *band)
{
	if (!a || !a->spectrum.valid)
		return 0.0;
	double top = -INFINITY;
	for (size_t k = 0; k < MIXDOWN_BANDS; k++)
		if (isfinite(a->spectrum.level[k]) && a->spectrum.level[k] > top)
			top = a->spectrum.level[k];
	if (!isfinite(top))
		return 0.0;
	for (size_t k = 0; k < MIXDOWN_BANDS; k++)
		if (isfinite(a->spectrum.level[k]) && a->spectrum.level[k] >= top - HP_RANGE_DB) {
			*band = k;
			return mixdown_band_centre(k) / sqrt(2.0);
		}
	return 0.0;
}

static double clampd(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

static const mxa_track *by_analysis_name(const mxa_plan *p, const char *name)
{
	if (!p->m)
		return NULL;
	for (size_t i = 0; i < p->n; i++)
		if (p->t[i].index < p->m->n_tracks && !strcmp(p->m->names[p->t[i].index], name))
			return &p->t[i];
	return NULL;
}

/* Masking cuts for track t (the masker), largest masking first. */
static size_t masking_cuts(const mxa_plan *p, const mxa_track *t, cut *out)
{
	size_t n = 0;
	if (!p->m)
		return 0;
	/* The analysis lists masking largest first (amount x overlap). */
	for (size_t i = 0; i < p->m->n_masking && n < MAX_CUTS; i++) {
		const mixdown_masking *mk = &p->m->masking[i];
		if (by_analysis_name(p, mk->masker) != t)
			continue;
		const mxa_track *m = by_analysis_name(p, mk->masked);
		if (!m || priority(m) <= priority(t))
			continue;
		/* Below 200 Hz is the kick's and bass's own range: there the other track's high-pass acts. */
		if ((t->role == MXA_KICK || t->role == MXA_BASS) && mk->cut_hz < LOW_END_HZ)
			continue;
		/* the levels the plan gives both tracks */
		double amount = mk->amount + (t->clip_gain + t->fader) - (m->clip_gain + m->fader);
		if (amount < MASK_MIN_DB || !(mk->cut_hz > 0))
			continue;
		double g = clampd(amount / 3.0, CUT_MIN_DB, CUT_MAX_DB);
		size_t j = 0;
		while (j < n && fabs(log2(out[j].hz / mk->cut_hz)) >= 1.0 / 3.0)
			j++;
		if (j < n) { /* merge: one cut per third of an octave, the deeper one */
			if (g <= -out[j].gain)
				continue;
		} else {
			n++;
		}
		out[j].hz = mk->cut_hz;
		out[j].gain = -mxa_round1(g);
		out[j].amount = amount;
		snprintf(out[j].reason, sizeof out[j].reason,
			 "cut %.1f dB at %.0f Hz: masks %s \"%s\" by %.1f dB in %.0f-%.0f Hz after the faders "
			 "(%s ranks below %s)",
			 out[j].gain, mk->cut_hz, mxa_role_name(m->role), m->name, amount, mk->low_hz, mk->high_hz,
			 mxa_role_name(t->role), m->is_lead ? "the lead" : mxa_role_name(m->role));
	}
	return n;
}

void mxa_stage_eq(mxa_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		mxa_track *t = &p->t[i];
		double lo, hi;
		hp_range(t->role, &lo, &hi);
		size_t band = 0;
		double c = content_corner(t->a, &band);
		double hz = c > 0 ? clampd(c, lo, hi) : lo;
		hz = hz >= 100 ? round(hz / 10.0) * 10.0 : round(hz);
		char yaml[480], reason[MXA_REASON];
		if (hz >= HP_MIN_HZ) {
			snprintf(yaml, sizeof yaml, "{ type: eq, bands: [ { type: highpass, freq: %.0f, slope: 12 } ] }", hz);
			if (t->role == MXA_KICK || t->role == MXA_BASS)
				snprintf(reason, sizeof reason, "high-pass %.0f Hz: subsonic only, below the %s's fundamental",
					 hz, mxa_role_name(t->role));
			else if (c > 0)
				snprintf(reason, sizeof reason,
					 "high-pass %.0f Hz: content starts in the %.0f Hz band (%s range %.0f-%.0f Hz)", hz,
					 mixdown_band_centre(band), mxa_role_name(t->role), lo, hi);
			else
				snprintf(reason, sizeof reason, "high-pass %.0f Hz: %s default (no spectrum)", hz,
					 mxa_role_name(t->role));
			mxa_track_add_insert(t, yaml, reason);
		}
		/* One insert per cut, so each carries its own reason. */
		cut cuts[MAX_CUTS];
		size_t nc = masking_cuts(p, t, cuts);
		for (size_t k = 0; k < nc; k++) {
			snprintf(yaml, sizeof yaml, "{ type: eq, bands: [ { type: peak, freq: %.0f, gain: %.1f, q: %.1f } ] }",
				 cuts[k].hz, cuts[k].gain, CUT_Q);
			mxa_track_add_insert(t, yaml, cuts[k].reason);
		}
		/* Toward the role's tonal target, unless a masking cut already
		 * works within two thirds of an octave of the same place. */
		double thz, tgain;
		if (mxa_tonal_cut(t, hz >= HP_MIN_HZ ? hz : 0.0, &thz, &tgain, reason, sizeof reason)) {
			bool near = false;
			for (size_t k = 0; k < nc; k++)
				near |= fabs(log2(cuts[k].hz / thz)) < 2.0 / 3.0;
			if (!near) {
				snprintf(yaml, sizeof yaml,
					 "{ type: eq, bands: [ { type: peak, freq: %.0f, gain: %.1f, q: %.1f } ] }", thz,
					 tgain, TONAL_Q);
				mxa_track_add_insert(t, yaml, reason);
				/* A broad cut lowers the track's loudness: the fader
				 * makes it up, so the balance stage's levels hold. */
				double dl = mxa_peak_loudness_change(t, p->rate > 0 ? p->rate : 48000.0, thz, tgain, TONAL_Q);
				if (dl < -0.05) {
					t->fader = mxa_round1(t->fader - dl);
					size_t used = strlen(t->reason[MXA_D_FADER]);
					snprintf(t->reason[MXA_D_FADER] + used, MXA_REASON - used,
						 " (+%.1f dB for the tonal cut)", -dl);
				}
			}
		}
	}
}
