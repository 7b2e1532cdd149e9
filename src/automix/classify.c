/* mixdown — automix: a role from the audio when the name says nothing.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A small decision list over the measurements of mixdown_analyze_file():
 *  - low share: power below 250 Hz over the total (spectrum.broad[0]);
 *  - top share: power above 2 kHz (broad[2] + broad[3]);
 *  - spectral centroid (Hz);
 *  - order: a peaky part with a noisy top (20..60% above 2 kHz) is a snare
 *    even with a strong body; then low parts (wide ones first), cymbals,
 *    other hits, pads;
 *  - PLR, true (or sample) peak over integrated loudness (dB): the loudness
 *    is gated (BS.1770), so pauses between notes do not count and a high PLR
 *    means short transients over a quiet body (drums), a low one sustained
 *    notes;
 *  - stereo width (side/mid energy): a wide low part is low strings or a
 *    low pad, never a bass or kick (those are centred in every mix).
 * The thresholds were set on the demo song's synthesized stems and checked
 * on the LMMS stems of ../shared/testdata (docs/automix.md lists them); they
 * are our choice, not a published classifier. A voice is recognized by its
 * pitch (voice.c: pitched, centred, and the pitch moving by >= 15 cents
 * within its notes, which a keyboard's or synth's does not): mostly pitched
 * (>= 70 %, held vowels) is a lead vocal, less (consonants, pauses) dialogue;
 * lead and backing vocals are not told apart. Pure function; any thread.
 */
#include <math.h>
#include <stdio.h>

#include "automix/automix.h"

#define LOW_SHARE 0.6     /* mostly below 250 Hz: kick or bass */
#define KICK_PLR 12.7     /* dB: a low part this peaky is a drum (demo kick 14.1, bass 11.3) */
#define KICK_CENTROID 95.0 /* Hz: ... or one centred this low (demo kick 82, LMMS kick 68; basses 122, 191) */
#define KICK_PLR_LOW 10.5 /* dB: ... with this much punch (LMMS kick 11.9) */
#define TOP_SHARE 0.6     /* mostly above 2 kHz ... */
#define TOP_CENTROID 5000.0 /* ... and centred above 5 kHz: cymbals */
#define HAT_PLR 10.0
#define SNARE_PLR 15.0    /* a hit with a noisy top: snare (demo snare 18.7 dB, 34% above 2 kHz) */
#define SNARE_TOP 0.2
#define PAD_WIDTH 0.3     /* side/mid energy of a wide, sustained source */
#define PAD_PLR 14.0
#define KEYS_CENTROID 1500.0
#define VOICE_VOICED 0.5  /* share of the active frames pitched (voice.c) */
#define VOICE_NOTES 3
#define VOICE_WOBBLE 15.0 /* cents: a voice's pitch moves within a note (vibrato, scoops, drift) ... */
#define VOICE_LOW 0.3     /* ... and it is not a bass */
#define VOICE_WIDTH 0.15  /* ... and centred */
#define SUNG_VOICED 0.7   /* singing holds its vowels; speech's consonants and pauses leave less pitched */

static double share(double db)
{
	return isfinite(db) ? pow(10.0, db / 10.0) : 0.0;
}

mxa_role mxa_role_from_audio(const mixdown_analysis *a, const mxd_voice_stats *v, char *why, size_t cap)
{
	if (!a || !a->spectrum.valid || !isfinite(a->loudness.integrated)) {
		snprintf(why, cap, "no usable audio measurements");
		return MXA_OTHER;
	}
	double low = share(a->spectrum.broad[0]);
	double top = share(a->spectrum.broad[2]) + share(a->spectrum.broad[3]);
	double cen = a->spectrum.centroid;
	double plr = a->dynamics.plr;
	double width = a->stereo.valid && isfinite(a->stereo.width) ? a->stereo.width : 0.0;
	const char *fmt = "%s: %.0f%% of the power below 250 Hz, %.0f%% above 2 kHz, centroid %.0f Hz, PLR %.1f dB";
	mxa_role r;
	const char *what;
	if (plr >= SNARE_PLR && top >= SNARE_TOP && top < TOP_SHARE) {
		r = cen >= 800.0 && cen <= 8000.0 ? MXA_SNARE : MXA_PERCUSSION;
		what = "a hit with a noisy top";
	} else if (low >= LOW_SHARE && width >= PAD_WIDTH && plr < PAD_PLR) {
		r = MXA_STRINGS;
		what = "low, wide and sustained (a bass is centred)";
	} else if (low >= LOW_SHARE) {
		/* A kick's energy sits below ~90 Hz (its body and pitch drop); a
		 * bass's harmonics pull its centroid higher, so a very low part
		 * with some punch is a kick even with a long, boomy tail. */
		bool kick = plr >= KICK_PLR || (cen < KICK_CENTROID && plr >= KICK_PLR_LOW);
		r = kick ? MXA_KICK : MXA_BASS;
		what = !kick ? "low and sustained" : plr >= KICK_PLR ? "low and percussive" : "very low and punchy";
	} else if (top >= TOP_SHARE && cen >= TOP_CENTROID) {
		r = plr >= HAT_PLR ? MXA_HIHAT : MXA_OVERHEADS;
		what = r == MXA_HIHAT ? "bright and percussive" : "bright and sustained";
	} else if (plr >= SNARE_PLR && low < 0.4) {
		r = cen >= 800.0 && cen <= 5000.0 ? MXA_SNARE : MXA_PERCUSSION;
		what = "a mid-range hit";
	} else if (width >= PAD_WIDTH && plr < PAD_PLR) {
		r = MXA_PAD;
		what = "wide and sustained";
	} else if (v && v->voiced >= VOICE_VOICED && v->notes >= VOICE_NOTES && v->wobble_cents >= VOICE_WOBBLE &&
		   low < VOICE_LOW && width < VOICE_WIDTH) {
		/* pitched, centred, and its pitch moves within each note */
		bool sung = v->voiced >= SUNG_VOICED;
		r = sung ? MXA_LEAD_VOCAL : MXA_DIALOGUE;
		snprintf(why, cap,
			 "%s: %.0f%% of it pitched, the pitch moving %.0f cents within its notes, centroid %.0f Hz",
			 sung ? "a singing voice" : "a speaking voice", 100.0 * v->voiced, v->wobble_cents, cen);
		return r;
	} else if (cen < KEYS_CENTROID) {
		r = MXA_KEYS;
		what = "tonal, warm";
	} else {
		r = MXA_SYNTH;
		what = "tonal, bright";
	}
	snprintf(why, cap, fmt, what, 100.0 * low, 100.0 * top, cen, plr);
	return r;
}
