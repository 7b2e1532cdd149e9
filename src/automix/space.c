/* mixdown — automix stage: space (issue 7, item 7): a reverb and a delay
 * return bus, and sends by role and genre.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two effect returns (buses fed by sends only, 100 % wet), each followed by
 * an EQ high-pass on the return (reverb 250 Hz, delay 300 Hz) so the effects
 * do not thicken the low end that kick and bass own:
 *  - "Reverb": model and decay by genre (pop plate 1.8 s, rock plate 1.5 s,
 *    hip-hop room 0.8 s, electronic hall 2.5 s, acoustic hall 2.2 s,
 *    classical hall 2.6 s), pre-delay 20 ms (keeps the source's attack
 *    clear of the tail);
 *  - "Delay": a dotted eighth note at the song's tempo (0.75 beat: the
 *    repeats fall between the beats, on the groove) — the tempo estimated
 *    from the rhythm stems (kick, snare, hi-hat, toms, overheads,
 *    percussion, bass; all stems when there are none; analysis.h
 *    mxd_tempo_estimate), also written as the session's `tempo:`; 250 ms
 *    when no steady pulse is found; rock: a 110 ms slap-back whatever the
 *    tempo (a slap-back is a fixed short echo by convention). Feedback 0.25,
 *    repeats darkened (high-cut 5 kHz in the loop) and thinned (low-cut
 *    300 Hz).
 * Sends (post-fader, dB) by role, plus a genre offset: lead vocal -16,
 * backing vocals -13, snare -20, toms -22, overheads -24, percussion -20,
 * guitars -20/-18 (electric/acoustic), piano -18, keys/synth -20, pad -24,
 * strings -14, brass -16, other -22; none on kick, bass, hi-hat, room mics
 * (already the room), dialogue, music beds and effects (the low end stays
 * dry and centred; a room mic is itself reverb). Genre offset: pop 0, rock
 * -2, hip-hop -8 and no reverb on the lead vocal (dry, up-front vocals),
 * electronic 0, acoustic +3 and classical +4 (roomy ballads and acoustic
 * ensembles). Delay sends only from the lead: pop -20, rock -22, hip-hop -16
 * (delay throws instead of reverb), electronic -18, acoustic -24, classical
 * none. Podcasts get no space at all (dry, intelligible speech). Our
 * numbers, as common engineering practice; docs/automix.md.
 * Control thread only.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "analysis/analysis.h"
#include "automix/automix.h"

#define NONE -INFINITY

static double role_send(mxa_role r)
{
	switch (r) {
	case MXA_LEAD_VOCAL:
		return -16;
	case MXA_BACKING_VOCALS:
		return -13;
	case MXA_SNARE:
		return -20;
	case MXA_TOMS:
		return -22;
	case MXA_OVERHEADS:
		return -24;
	case MXA_PERCUSSION:
		return -20;
	case MXA_EGUITAR:
		return -20;
	case MXA_AGUITAR:
		return -18;
	case MXA_PIANO:
		return -18;
	case MXA_KEYS:
	case MXA_SYNTH:
		return -20;
	case MXA_PAD:
		return -24;
	case MXA_STRINGS:
		return -14;
	case MXA_BRASS:
		return -16;
	case MXA_OTHER:
		return -22;
	default: /* kick, bass, hi-hat, room, dialogue, music bed, effects */
		return NONE;
	}
}

static const struct {
	const char *model;
	double decay;
	double send_delta;   /* dB added to every reverb send */
	double delay_send;   /* lead's delay send, dB */
	double delay_ms;
} genre_space[MXA_N_GENRES] = {
	[MXA_POP] = { "plate", 1.8, 0, -20, 250 },
	[MXA_ROCK] = { "plate", 1.5, -2, -22, 110 },
	[MXA_HIPHOP] = { "room", 0.8, -8, -16, 250 },
	[MXA_ELECTRONIC] = { "hall", 2.5, 0, -18, 250 },
	[MXA_ACOUSTIC] = { "hall", 2.2, 3, -24, 250 },
	[MXA_CLASSICAL] = { "hall", 2.6, 4, NONE, 250 },
	[MXA_PODCAST] = { "room", 0.5, NONE, NONE, 250 },
};

/* A bus name no track or group bus uses. */
static void unique_name(const mxa_plan *p, const char *base, char *out, size_t cap)
{
	snprintf(out, cap, "%s", base);
	for (int k = 2; k < 100; k++) {
		bool clash = false;
		for (size_t i = 0; i < p->n && !clash; i++)
			clash = !strcasecmp(p->t[i].name, out);
		for (int g = 0; g < MXA_N_GROUPS && !clash; g++)
			clash = !strcasecmp(mxa_group_name((mxa_group)g), out);
		for (size_t i = 0; i < p->n_aux && !clash; i++)
			clash = !strcasecmp(p->aux[i].name, out);
		if (!clash)
			return;
		snprintf(out, cap, "%s %d", base, k);
	}
}

/* The song's tempo from its rhythm stems (all stems when none has a
 * rhythm role) into p->tempo_bpm; false when no steady pulse was found. */
static bool estimate_tempo(mxa_plan *p)
{
	const char *paths[64];
	size_t n = 0;
	for (int pass = 0; pass < 2 && n == 0; pass++)
		for (size_t i = 0; i < p->n && n < 64; i++) {
			mxa_role r = p->t[i].role;
			bool rhythm = r == MXA_KICK || r == MXA_SNARE || r == MXA_HIHAT || r == MXA_TOMS ||
				      r == MXA_OVERHEADS || r == MXA_PERCUSSION || r == MXA_BASS;
			if (rhythm || pass == 1)
				paths[n++] = p->t[i].path;
		}
	double conf = 0.0;
	double bpm = n ? mxd_tempo_estimate(paths, n, &conf, NULL) : NAN;
	if (!isfinite(bpm))
		return false;
	p->tempo_bpm = mxa_round1(bpm);
	snprintf(p->tempo_reason, sizeof p->tempo_reason,
		 "tempo %.1f bpm: estimated from the onsets of %zu stem%s (confidence %.2f)", p->tempo_bpm, n,
		 n == 1 ? "" : "s", conf);
	return true;
}

void mxa_stage_space(mxa_plan *p)
{
	if (p->genre == MXA_PODCAST || (unsigned)p->genre >= MXA_N_GENRES)
		return; /* speech stays dry */
	const char *genre = mxa_genre_name(p->genre);
	const double delta = genre_space[p->genre].send_delta;
	char verb[64], echo[64], yaml[960], reason[MXA_REASON];
	size_t n_verb = 0, n_echo = 0;
	for (size_t i = 0; i < p->n; i++) {
		double s = role_send(p->t[i].role);
		n_verb += isfinite(s) && !(p->genre == MXA_HIPHOP && p->t[i].role == MXA_LEAD_VOCAL);
		n_echo += p->t[i].is_lead && isfinite(genre_space[p->genre].delay_send);
	}
	if (n_verb) {
		unique_name(p, "Reverb", verb, sizeof verb);
		snprintf(yaml, sizeof yaml,
			 "[ { type: reverb, model: %s, decay: %.1f, predelay: 20, mix: 1 }, "
			 "{ type: eq, bands: [ { type: highpass, freq: 250, slope: 12 } ] } ]",
			 genre_space[p->genre].model, genre_space[p->genre].decay);
		snprintf(reason, sizeof reason,
			 "reverb return: %s %.1f s for %s, 100 %% wet; high-passed at 250 Hz so the low end stays dry",
			 genre_space[p->genre].model, genre_space[p->genre].decay, genre);
		mxa_plan_add_aux(p, verb, yaml, reason);
	}
	if (n_echo) {
		unique_name(p, "Delay", echo, sizeof echo);
		double ms = genre_space[p->genre].delay_ms;
		char timing[160];
		if (p->genre == MXA_ROCK)
			snprintf(timing, sizeof timing, "%.0f ms slap-back", ms);
		else if (estimate_tempo(p)) {
			ms = 45000.0 / p->tempo_bpm; /* 0.75 beat */
			snprintf(timing, sizeof timing, "%.1f ms, a dotted 1/8 at %.1f bpm", ms, p->tempo_bpm);
		} else
			snprintf(timing, sizeof timing, "%.0f ms (no steady pulse found in the stems: not tempo-synced)", ms);
		snprintf(yaml, sizeof yaml,
			 "[ { type: delay, time: %.1f, feedback: 0.25, low_cut: 300, high_cut: 5000, mix: 1 }, "
			 "{ type: eq, bands: [ { type: highpass, freq: 300, slope: 12 } ] } ]",
			 ms);
		snprintf(reason, sizeof reason, "delay return: %s, darkened repeats, high-passed at 300 Hz", timing);
		mxa_plan_add_aux(p, echo, yaml, reason);
	}
	for (size_t i = 0; i < p->n; i++) {
		mxa_track *t = &p->t[i];
		double s = role_send(t->role);
		if (n_verb && isfinite(s) && !(p->genre == MXA_HIPHOP && t->role == MXA_LEAD_VOCAL)) {
			double lvl = s + delta;
			snprintf(reason, sizeof reason, "reverb send %.1f dB: %s %.0f dB, %+.0f dB for %s", lvl,
				 mxa_role_name(t->role), s, delta, genre);
			mxa_track_add_send(t, verb, lvl, reason);
		}
		if (n_echo && t->is_lead && isfinite(genre_space[p->genre].delay_send)) {
			double lvl = genre_space[p->genre].delay_send;
			snprintf(reason, sizeof reason, "delay send %.1f dB: the lead gets the echo (%s)%s", lvl, genre,
				 p->genre == MXA_HIPHOP ? "; dry of reverb, delay throws instead" : "");
			mxa_track_add_send(t, echo, lvl, reason);
		}
	}
}
