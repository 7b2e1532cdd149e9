/* mixdown — automix: gain staging, static balance and the master target.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Gain staging: every clip's gain brings its sample peak to -9 dBFS, the
 * middle of the -12..-6 dBFS window where tracks enter the processors with
 * headroom and comparable levels (clamped to the session's +-24 dB).
 * Static balance (BS.1770 integrated loudness, the energy measure listeners
 * preferred in AES e-lib 17928): the lead is the lead vocal, else the
 * dialogue, else the loudest melodic part. Every track gets an intended
 * loudness relative to the lead from its role and the genre (roles.c); n
 * tracks of one role share that loudness (-10 log10 n each, so their sum
 * reaches it). The lead's own level is chosen so the estimated sum of all
 * tracks (power sum of the intended loudnesses) is -20 LUFS, leaving the
 * master stage about 6 dB of headroom to its streaming targets. Then
 * fader = intended loudness - (measured loudness + clip gain), rounded to
 * 0.1 dB; the pan stage later corrects it for what pan/width change.
 * Master: the genre's delivery preset; with a reference, its loudness.
 * Units: dB, LUFS, LU. Control thread only.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "automix/automix.h"

#define STAGE_PEAK_DBFS -9.0
#define MIX_LUFS -20.0
#define MAX_GAIN 24.0

static double clampd(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

void mxa_stage_gain(mxa_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		mxa_track *t = &p->t[i];
		t->clip_gain = mxa_round1(clampd(STAGE_PEAK_DBFS - t->peak, -MAX_GAIN, MAX_GAIN));
		snprintf(t->reason[MXA_D_CLIP_GAIN], MXA_REASON,
			 "clip gain %+.1f dB: peak %.1f dBFS to %.1f dBFS (staging: peaks -12..-6 dBFS)", t->clip_gain,
			 t->peak, t->peak + t->clip_gain);
	}
}

static size_t pick_lead(const mxa_plan *p, const char **why)
{
	size_t best = (size_t)-1;
	for (int pass = 0; pass < 3 && best == (size_t)-1; pass++)
		for (size_t i = 0; i < p->n; i++) {
			const mxa_track *t = &p->t[i];
			bool ok = pass == 0 ? t->role == MXA_LEAD_VOCAL
				: pass == 1 ? t->role == MXA_DIALOGUE
					    : mxa_role_is_melodic(t->role);
			if (ok && (best == (size_t)-1 || t->loudness > p->t[best].loudness))
				best = i;
			*why = pass == 0 ? "the lead vocal" : pass == 1 ? "the dialogue" : "the loudest melodic part (no vocal)";
		}
	if (best == (size_t)-1) { /* drums only, say: the loudest track */
		for (size_t i = 0; i < p->n; i++)
			if (best == (size_t)-1 || p->t[i].loudness > p->t[best].loudness)
				best = i;
		*why = "the loudest track (no vocal or melodic part)";
	}
	return best;
}

void mxa_stage_balance(mxa_plan *p)
{
	const char *why = "";
	p->lead = pick_lead(p, &why);
	mxa_track *lead = &p->t[p->lead];
	lead->is_lead = true;
	size_t count[MXA_N_ROLES] = { 0 };
	for (size_t i = 0; i < p->n; i++)
		count[p->t[i].role]++;
	double sum = 0;
	for (size_t i = 0; i < p->n; i++) {
		mxa_track *t = &p->t[i];
		double base = t->role == lead->role ? 0.0 : mxa_role_offset(t->role, p->genre);
		t->target_lu = base - 10.0 * log10((double)count[t->role]);
		sum += pow(10.0, t->target_lu / 10.0);
	}
	double lead_lufs = MIX_LUFS - 10.0 * log10(sum);
	p->mix_estimate = MIX_LUFS;
	const char *genre = mxa_genre_name(p->genre);
	for (size_t i = 0; i < p->n; i++) {
		mxa_track *t = &p->t[i];
		double staged = t->loudness + t->clip_gain;
		t->fader = mxa_round1(clampd(lead_lufs + t->target_lu - staged, -144.0, MAX_GAIN));
		char rel[128];
		if (t->is_lead)
			snprintf(rel, sizeof rel, "the lead (%s) at %.1f LUFS", why, lead_lufs + t->target_lu);
		else if (t->role == lead->role)
			snprintf(rel, sizeof rel, "%s, with the lead", mxa_role_name(t->role));
		else
			snprintf(rel, sizeof rel, "%s %.1f LU %s the lead (%s)", mxa_role_name(t->role),
				 fabs(mxa_role_offset(t->role, p->genre)),
				 mxa_role_offset(t->role, p->genre) <= 0 ? "under" : "over", genre);
		char share[64] = "";
		if (count[t->role] > 1)
			snprintf(share, sizeof share, ", shared by %zu %s tracks", count[t->role], mxa_role_name(t->role));
		/* A reason longer than MXA_REASON is cut: a comment, not data. */
		if (snprintf(t->reason[MXA_D_FADER], MXA_REASON, "fader %+.1f dB: %s%s; measured %.1f LUFS after clip gain",
			     t->fader, rel, share, staged) >= MXA_REASON)
			t->reason[MXA_D_FADER][MXA_REASON - 1] = '\0';
	}
}

void mxa_stage_master(mxa_plan *p)
{
	snprintf(p->master_preset, sizeof p->master_preset, "%s", mxa_genre_preset(p->genre));
	const mixdown_master_preset *mp = mixdown_master_preset_find(p->master_preset);
	snprintf(p->master_reason, sizeof p->master_reason, "master target %s (%s, %.0f LUFS, %.0f dBTP): delivery for %s",
		 p->master_preset, mp ? mp->label : "?", mp ? mp->loudness : NAN, mp ? mp->true_peak : NAN,
		 mxa_genre_name(p->genre));
	if (!p->reference[0])
		return;
	mixdown_analysis *ra = NULL;
	mixdown_analysis_options o = mixdown_analysis_options_init();
	if (mixdown_analyze_file(p->reference, &o, &ra, NULL) == MIXDOWN_SUCCESS && isfinite(ra->loudness.integrated)) {
		p->reference_lufs = ra->loudness.integrated;
		p->master_loudness = mxa_round1(clampd(ra->loudness.integrated, -40.0, -5.0));
		snprintf(p->master_reason, sizeof p->master_reason,
			 "master target %.1f LUFS: the loudness of the reference %.120s (ceiling of preset %s); for its tonal "
			 "balance run `mixdown master MIX --reference %.120s`",
			 p->master_loudness, p->reference, p->master_preset, p->reference);
	} else {
		mxa_note(p, "reference %.160s could not be measured: the genre's target is kept", p->reference);
	}
	mixdown_analysis_free(ra);
}
