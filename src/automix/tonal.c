/* mixdown — automix stage helper: a cut toward the role's tonal target
 * (issue 7, item 5: "... toward per-role tonal targets").
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Target: the MUSDB18 average spectrum of the stem the role belongs to
 * (vocals: lead and backing vocals, dialogue; bass; "other": guitars, piano,
 * keys, synths, pads, strings, brass), octave bands 31.5 Hz .. 16 kHz
 * (analysis.h mxd_stem_octave_level). Drum roles have no target of their own:
 * the drum stem's spectrum is a whole kit's, not a kick's or a hi-hat's.
 *
 * Rule (ours, docs/automix.md "EQ"): the track's octave levels (power sums of
 * the three one-third-octave bands around each octave centre) are compared
 * with the target's over the octaves from 125 Hz (and at least an octave
 * above the track's high-pass) to 8 kHz; the shape is aligned by the median
 * difference, so only the shape counts, not the level. The octave that
 * stands out most gets one peaking cut when it exceeds the target by at
 * least TONAL_MIN_DB: (excess - 3) / 2 dB, clamped to 1.5..3 dB, Q 1 (about
 * 1.4 octaves wide), so a track moves part of the way toward the typical
 * shape of its kind and keeps its character. Boosts are never made: a
 * missing octave is more often the part's nature than a fault.
 *
 * Units: Hz, dB. Control thread only; no allocation.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "analysis/analysis.h"
#include "automix/automix.h"
#include "dsp/biquad.h"

#define TONAL_MIN_DB 6.0
#define TONAL_CUT_MIN 1.5
#define TONAL_CUT_MAX 3.0
#define TONAL_LOW_HZ 125.0
#define TONAL_HIGH_HZ 8000.0

static int stem_of(mxa_role r)
{
	switch (r) {
	case MXA_LEAD_VOCAL:
	case MXA_BACKING_VOCALS:
	case MXA_DIALOGUE:
		return MXD_STEM_VOCALS;
	case MXA_BASS:
		return MXD_STEM_BASS;
	case MXA_EGUITAR:
	case MXA_AGUITAR:
	case MXA_PIANO:
	case MXA_KEYS:
	case MXA_SYNTH:
	case MXA_PAD:
	case MXA_STRINGS:
	case MXA_BRASS:
		return MXD_STEM_OTHER;
	default:
		return -1;
	}
}

static const char *stem_name(int stem)
{
	return stem == MXD_STEM_VOCALS ? "vocal" : stem == MXD_STEM_BASS ? "bass" : "instrument";
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

bool mxa_tonal_cut(const mxa_track *t, double hp_hz, double *hz, double *gain_db, char *reason, size_t len)
{
	int stem = stem_of(t->role);
	const mixdown_analysis *a = t->a;
	if (stem < 0 || !a || !a->spectrum.valid)
		return false;
	double diff[MXD_STEM_OCTAVES], sorted[MXD_STEM_OCTAVES];
	size_t used[MXD_STEM_OCTAVES], n = 0;
	for (size_t o = 0; o < MXD_STEM_OCTAVES; o++) {
		size_t k = 3 * o + 2;
		double c = mixdown_band_centre(k);
		if (c < TONAL_LOW_HZ || c < 2.0 * hp_hz || c > TONAL_HIGH_HZ)
			continue;
		double pw = 0.0;
		for (size_t j = k - 1; j <= k + 1 && j < MIXDOWN_BANDS; j++)
			if (isfinite(a->spectrum.level[j]))
				pw += pow(10.0, a->spectrum.level[j] / 10.0);
		if (!(pw > 0.0))
			continue;
		diff[n] = 10.0 * log10(pw) - mxd_stem_octave_level((mxd_stem)stem, o);
		sorted[n] = diff[n];
		used[n++] = o;
	}
	if (n < 3) /* too little spectrum to judge a shape */
		return false;
	qsort(sorted, n, sizeof *sorted, cmp_double);
	double median = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
	size_t best = 0;
	for (size_t i = 1; i < n; i++)
		if (diff[i] > diff[best])
			best = i;
	double excess = diff[best] - median;
	if (excess < TONAL_MIN_DB)
		return false;
	double g = (excess - 3.0) / 2.0;
	g = g < TONAL_CUT_MIN ? TONAL_CUT_MIN : g > TONAL_CUT_MAX ? TONAL_CUT_MAX : g;
	static const double nominal[MXD_STEM_OCTAVES] = { 31.5, 63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000 };
	*hz = nominal[used[best]];
	*gain_db = -mxa_round1(g);
	snprintf(reason, len,
		 "cut %.1f dB at %.0f Hz: the octave there stands %.1f dB above the typical %s spectrum "
		 "(MUSDB18 stem average, level-aligned)",
		 *gain_db, *hz, excess, stem_name(stem));
	return true;
}

double mxa_peak_loudness_change(const mxa_track *t, double rate, double hz, double gain_db, double q)
{
	const mixdown_analysis *a = t->a;
	if (!a || !a->spectrum.valid || !(rate > 0))
		return 0.0;
	mxd_biquad c;
	mxd_biquad_design(&c, MXD_BQ_PEAK, rate, hz, q, gain_db);
	/* BS.1770 loudness is K-weighted power: weigh every band by it, before
	 * and after the filter's response at the band's centre. */
	double before = 0.0, after = 0.0;
	for (size_t k = 0; k < MIXDOWN_BANDS; k++) {
		double f = mixdown_band_centre(k);
		if (!isfinite(a->spectrum.level[k]) || f >= 0.5 * rate)
			continue;
		double pw = pow(10.0, (a->spectrum.level[k] + mxd_kweight_db(f)) / 10.0), mag = 0.0;
		mxd_biquad_response(&c, rate, f, &mag, NULL);
		before += pw;
		after += pw * pow(10.0, mag / 10.0);
	}
	return before > 0.0 && after > 0.0 ? 10.0 * log10(after / before) : 0.0;
}
