/* mixdown — delivery check: what each platform's loudness normalization does.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Targets (see ../shared/docs/delivery-targets.md for the sources):
 *  - Spotify (normal): -14 LUFS; turns down, and up only as far as the true
 *    peak stays at or below -1 dBTP (Spotify's loudness-normalization page:
 *    "-20 LUFS with TP -5 dBFS is lifted only to -16 LUFS").
 *  - Apple Music (Sound Check): -16 LUFS, both ways (AES TD1008). Whether it
 *    limits a raise is not documented: we apply the full gain and report
 *    whether the true peak would then pass 0 dBTP.
 *  - YouTube: -14 LUFS, turns louder content down only.
 *  - Amazon Music, Tidal: -14 LUFS; Deezer: -15 LUFS. Direction not in our
 *    sources: assumed both ways without a limiter (worst case for clipping).
 *  - Podcast: -16 LUFS stereo / -19 LUFS mono, -1 dBTP, +/-1 LU (common
 *    practice; AES TD1008 speech -18 +/-2 is close). A delivery specification:
 *    nothing is normalized; we report the gain needed.
 *  - EBU R 128 (EBU Tech 3343): -23.0 LUFS +/-0.2 LU (post-produced
 *    programmes), true peak at most -1 dBTP. Delivery specification.
 *  - ATSC A/85 (CALM Act): -24 LKFS +/-2 LU, -2 dBTP. Delivery specification.
 * The true peak is the BS.1770-5 Annex 2 value (sample peak when not
 * measured). Units: LUFS, LU, dB, dBTP. Static tables; thread-safe.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"

enum { DOWN_AND_UP, DOWN_ONLY, NONE };

typedef struct {
	const char *name, *label;
	double target, max_tp, tolerance;
	int mode;
	bool raise_limited; /* a raise stops at max_tp */
} preset;

static const preset presets[] = {
	{ "spotify", "Spotify (normal)", -14.0, -1.0, 0.0, DOWN_AND_UP, true },
	{ "apple-music", "Apple Music (Sound Check)", -16.0, -1.0, 0.0, DOWN_AND_UP, false },
	{ "youtube", "YouTube", -14.0, -1.0, 0.0, DOWN_ONLY, false },
	{ "amazon", "Amazon Music", -14.0, -1.0, 0.0, DOWN_AND_UP, false },
	{ "tidal", "Tidal", -14.0, -1.0, 0.0, DOWN_AND_UP, false },
	{ "deezer", "Deezer", -15.0, -1.0, 0.0, DOWN_AND_UP, false },
	{ "podcast", "Podcast", -16.0, -1.0, 1.0, NONE, false },
	{ "ebu-r128", "EBU R 128 broadcast", -23.0, -1.0, 0.2, NONE, false },
	{ "atsc-a85", "ATSC A/85 (US TV)", -24.0, -2.0, 2.0, NONE, false },
};
#define N_PRESETS (sizeof presets / sizeof presets[0])

size_t mixdown_delivery_preset_count(void)
{
	return N_PRESETS;
}

const char *mixdown_delivery_preset_name(size_t i)
{
	return i < N_PRESETS ? presets[i].name : NULL;
}

int mxd_delivery_find(const char *name)
{
	for (size_t i = 0; i < N_PRESETS; i++)
		if (!strcmp(presets[i].name, name))
			return (int)i;
	return -1;
}

int mxd_delivery_check(mixdown_analysis *a, const char *only)
{
	size_t n = 0;
	mixdown_delivery_check *v = calloc(N_PRESETS, sizeof *v);
	if (!v)
		return -1;
	double I = a->loudness.integrated;
	double tp = isfinite(a->loudness.true_peak) ? a->loudness.true_peak : a->loudness.sample_peak;
	for (size_t i = 0; i < N_PRESETS; i++) {
		const preset *p = &presets[i];
		if (only && strcmp(only, p->name))
			continue;
		mixdown_delivery_check *d = &v[n++];
		d->platform = p->name;
		d->label = p->label;
		d->target = p->target;
		if (!strcmp(p->name, "podcast") && a->channels == 1)
			d->target = -19.0;
		d->max_true_peak = p->max_tp;
		d->tolerance = p->tolerance;
		d->normalizes = p->mode == DOWN_AND_UP ? "both" : p->mode == DOWN_ONLY ? "down" : "none";
		if (!isfinite(I)) { /* silence: nothing to normalize */
			d->gain = d->gain_to_target = 0;
			d->loudness_after = I;
			d->true_peak_after = tp;
			d->clips = false;
			d->ok = false;
			continue;
		}
		d->gain_to_target = d->target - I;
		double g = 0;
		if (p->mode == DOWN_AND_UP) {
			g = d->gain_to_target;
			if (g > 0 && p->raise_limited && isfinite(tp))
				g = fmax(0.0, fmin(g, p->max_tp - tp));
		} else if (p->mode == DOWN_ONLY) {
			g = fmin(0.0, d->gain_to_target);
		}
		d->gain = g;
		d->loudness_after = I + g;
		d->true_peak_after = tp + g;
		d->clips = d->true_peak_after > 0.0;
		bool peak_ok = !(d->true_peak_after > p->max_tp);
		if (p->mode == NONE)
			d->ok = peak_ok && fabs(I - d->target) <= p->tolerance + 1e-9;
		else
			d->ok = peak_ok;
	}
	a->n_delivery = n;
	a->delivery = v;
	return 0;
}
