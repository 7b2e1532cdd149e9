/* mixdown — automix: panning and width.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Rules (docs/automix.md):
 *  - anchors (kick, snare, bass, lead vocal, dialogue) and music beds stay
 *    centred: low frequencies and the lead carry the mix's centre;
 *  - stereo sources stay stereo (balance 0) with a width by role: anchors
 *    narrowed to 0.5, pads 1.3, strings and room 1.2, the rest 1.0;
 *  - mono supporting parts (and stereo files holding one mono signal) are
 *    panned by role (|pan| from roles.c), the hi-hat to the left (drummer's
 *    view); loudest first, each goes opposite the most similar part already
 *    panned (same role, or one-third-octave spectra correlated >= 0.9), so
 *    similar sources move apart (panning both masked tracks was the preferred
 *    unmasking tool: Wakefield & Dewey, AES 138, 2015); otherwise to the side
 *    that brings the power-weighted sum of pans closer to 0 (left/right
 *    balance of the mix).
 * Pan and width change a stereo strip's loudness (the balance law is linear,
 * width scales the side signal), so the fader is corrected by
 * mxa_pan_loudness_change(); mono strips use the constant-power -3 dB law and
 * keep their loudness.
 * Control thread only.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "automix/automix.h"

#define SIMILAR 0.9

double mxa_pan_loudness_change(const mxa_track *t)
{
	if (t->channels != 2)
		return 0.0;
	double p = t->pan;
	double bl = p > 0 ? 1.0 - p : 1.0, br = p < 0 ? 1.0 + p : 1.0;
	double r = 0.0; /* side over mid energy */
	if (!t->dual_mono && t->a && t->a->stereo.valid && isfinite(t->a->stereo.width))
		r = t->a->stereo.width;
	double w = t->width;
	/* L' = bl (M + wS), R' = br (M - wS); the M.S cross term is ignored (balanced files). */
	double ratio = (bl * bl + br * br) * (1.0 + w * w * r) / (2.0 * (1.0 + r));
	return ratio > 0 ? 10.0 * log10(ratio) : -144.0;
}

/* Correlation of two spectra (dB per band, 40 Hz - 10 kHz). */
static double similarity(const mixdown_analysis *a, const mixdown_analysis *b)
{
	if (!a || !b || !a->spectrum.valid || !b->spectrum.valid)
		return 0.0;
	double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
	int n = 0;
	for (size_t k = 3; k <= 27 && k < MIXDOWN_BANDS; k++) {
		double x = a->spectrum.level[k], y = b->spectrum.level[k];
		x = isfinite(x) ? x - a->loudness.integrated : -120.0;
		y = isfinite(y) ? y - b->loudness.integrated : -120.0;
		sa += x, sb += y, saa += x * x, sbb += y * y, sab += x * y;
		n++;
	}
	double va = saa - sa * sa / n, vb = sbb - sb * sb / n;
	return va > 0 && vb > 0 ? (sab - sa * sb / n) / sqrt(va * vb) : 0.0;
}

static bool pans_as_mono(const mxa_track *t)
{
	return t->channels == 1 || t->dual_mono;
}

void mxa_stage_pan(mxa_plan *p)
{
	double total = 0, sum = 0;
	bool done[p->n ? p->n : 1];
	memset(done, 0, sizeof done);
	for (size_t i = 0; i < p->n; i++) {
		mxa_track *t = &p->t[i];
		total += pow(10.0, t->target_lu / 10.0);
		if (mxa_role_is_anchor(t->role) || t->role == MXA_MUSIC_BED) {
			t->pan = 0;
			snprintf(t->reason[MXA_D_PAN], MXA_REASON, "centred: %s anchors the centre", mxa_role_name(t->role));
			done[i] = true;
		} else if (!pans_as_mono(t)) {
			t->pan = 0;
			snprintf(t->reason[MXA_D_PAN], MXA_REASON, "balance centred: a stereo source keeps its own image");
			done[i] = true;
		} else if (t->role == MXA_HIHAT) {
			t->pan = -mxa_role_spread(t->role);
			sum += t->pan * pow(10.0, t->target_lu / 10.0);
			snprintf(t->reason[MXA_D_PAN], MXA_REASON, "pan %.2f: hi-hat left (drummer's view)", t->pan);
			done[i] = true;
		}
		if (t->channels == 2 && !t->dual_mono) {
			t->width = mxa_role_width(t->role);
			snprintf(t->reason[MXA_D_WIDTH], MXA_REASON, "width %.1f: stereo %s%s", t->width,
				 mxa_role_name(t->role),
				 t->width < 1 ? " kept focused (centre anchor)"
				 : t->width > 1 ? " widened (a background part)"
						: " at its recorded width");
		}
	}
	/* Supporting mono parts, loudest (intended) first, ties in track order. */
	for (;;) {
		size_t best = (size_t)-1;
		for (size_t i = 0; i < p->n; i++)
			if (!done[i] && (best == (size_t)-1 || p->t[i].target_lu > p->t[best].target_lu))
				best = i;
		if (best == (size_t)-1)
			break;
		mxa_track *t = &p->t[best];
		done[best] = true;
		double w = pow(10.0, t->target_lu / 10.0), m = mxa_role_spread(t->role);
		const mxa_track *near = NULL;
		double near_sim = SIMILAR;
		for (size_t j = 0; j < p->n; j++) {
			const mxa_track *u = &p->t[j];
			if (!done[j] || j == best || u->pan == 0.0 || !pans_as_mono(u))
				continue;
			double s = u->role == t->role ? 1.0 : similarity(t->a, u->a);
			if (s >= near_sim) {
				near_sim = s;
				near = u;
			}
		}
		double side;
		if (near)
			side = near->pan > 0 ? -1.0 : 1.0;
		else
			side = sum > 0 ? -1.0 : 1.0; /* balance; an even mix starts right (the hi-hat is left) */
		t->pan = mxa_round2(side * m);
		sum += t->pan * w;
		if (near)
			snprintf(t->reason[MXA_D_PAN], MXA_REASON, "pan %+.2f: %s, opposite the similar \"%s\"%s", t->pan,
				 mxa_role_name(t->role), near->name, near->role == t->role ? " (same role)" : " (similar spectrum)");
		else
			snprintf(t->reason[MXA_D_PAN], MXA_REASON, "pan %+.2f: %s spread to the side that balances the mix",
				 t->pan, mxa_role_name(t->role));
	}
	p->lr_balance = total > 0 ? sum / total : 0.0;
	/* Pan/width change a stereo strip's loudness: correct the fader. */
	for (size_t i = 0; i < p->n; i++) {
		mxa_track *t = &p->t[i];
		double c = mxa_pan_loudness_change(t);
		if (fabs(c) < 0.05)
			continue;
		t->fader = mxa_round1(t->fader - c);
		/* keep the leading "fader X dB" in step with the value */
		char rest[MXA_REASON];
		const char *colon = strchr(t->reason[MXA_D_FADER], ':');
		snprintf(rest, sizeof rest, "%s", colon ? colon : "");
		snprintf(t->reason[MXA_D_FADER], MXA_REASON, "fader %+.1f dB%.190s; %+.1f dB for pan/width", t->fader,
			 rest, -c);
	}
}
