/* mixdown — comparing an analysis with a reference file or a spectral target.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Both sides are loudness-normalized first: a band level counts relative to
 * the file's integrated loudness (dB re. LUFS), so two masters that differ
 * only in gain compare equal. BS.1770 weights every channel 1.0 and sums, so
 * a mono file measures 3.01 LU less than the same signal on two channels
 * while its per-channel band levels are the same; to compare mono and stereo
 * files fairly, a mono file's loudness is taken 3.01 LU higher, i.e. as
 * played on both speakers (MXD_MONO_OFFSET; the built-in targets assume two
 * channels, see target_model.c). Files with three or more channels are taken
 * as measured.
 *
 * A comparison holds, per one-third-octave band, the reference levels (for
 * a target its median, with p10/p90 as ref_low/ref_high) and delta = this
 * minus reference where both sides have the band (0 elsewhere). A band is
 * missing above a file's Nyquist frequency, and also when it lies more than
 * 60 dB below the programme loudness (MXD_BAND_FLOOR): such a band is
 * inaudible next to the programme, and comparing it only measures a lossy
 * reference's low-pass or a stem's empty range (a 100 dB "difference").
 * Broad bands (low < 250 Hz, low-mid 250 Hz-2 kHz, high-mid 2-8 kHz,
 * high > 8 kHz) sum the band powers of each side whose centre frequency
 * lies in the broad band (so the 2 kHz band, centre 1995 Hz, counts as
 * low-mid) over the bands both sides have, and
 * broad_delta is the difference of those sums. tilt_delta is the
 * least-squares slope (dB per octave) of delta over log2 f for the bands
 * with centres 50 Hz - 16 kHz, the range of mixdown_analysis.spectrum.tilt.
 * Loudness, LRA and PLR deltas are this minus reference (a target's medians,
 * 0 where it has none); width_delta compares side/mid ratios of two stereo
 * files (0 otherwise).
 *
 * Without a valid spectrum or a finite integrated loudness on this side the
 * comparison is still appended (so callers can list what was asked for) with
 * every delta 0; the reference side's levels are filled when it has them
 * (-INFINITY otherwise).
 *
 * Units: dB, LU, dB per octave. Ownership: a->compare is realloc'ed and owned
 * by the analysis. Threads: one analysis per thread; the reference/target is
 * only read.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"

double mxd_comparable_loudness(const mixdown_analysis *a)
{
	double I = a->loudness.integrated;
	return a->channels == 1 ? I + MXD_MONO_OFFSET : I;
}

int mxd_relative_levels(const mixdown_analysis *a, double rel[MIXDOWN_BANDS])
{
	const double I = mxd_comparable_loudness(a);
	if (!a->spectrum.valid || !isfinite(I))
		return -1;
	for (size_t k = 0; k < MIXDOWN_BANDS; k++)
		rel[k] = a->spectrum.level[k] - I; /* -inf stays -inf */
	return 0;
}

double mxd_broad_level(const double rel[MIXDOWN_BANDS], int b)
{
	double sum = 0;
	for (size_t k = 0; k < MIXDOWN_BANDS; k++)
		if (isfinite(rel[k]) && mxd_broad_band_of(mixdown_band_centre(k)) == b)
			sum += pow(10.0, rel[k] / 10.0);
	return sum > 0 ? 10.0 * log10(sum) : -INFINITY;
}

static double delta_or_0(double x, double y)
{
	return isfinite(x) && isfinite(y) ? x - y : 0.0;
}

/* Everything that follows from this side's relative levels `mine` and the
 * reference levels already in c->ref_level. */
static void fill_spectral(mixdown_comparison *c, const double mine[MIXDOWN_BANDS])
{
	double a_both[MIXDOWN_BANDS], r_both[MIXDOWN_BANDS];
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	int n = 0;
	for (size_t k = 0; k < MIXDOWN_BANDS; k++) {
		const bool both = mine[k] > MXD_BAND_FLOOR && c->ref_level[k] > MXD_BAND_FLOOR;
		c->delta[k] = both ? mine[k] - c->ref_level[k] : 0.0;
		a_both[k] = both ? mine[k] : -INFINITY;
		r_both[k] = both ? c->ref_level[k] : -INFINITY;
		const double f = mixdown_band_centre(k);
		if (both && f >= 49.0 && f <= 16500.0) {
			const double x = log2(f / 1000.0);
			sx += x;
			sy += c->delta[k];
			sxx += x * x;
			sxy += x * c->delta[k];
			n++;
		}
	}
	for (int b = 0; b < MIXDOWN_BROAD_BANDS; b++)
		c->broad_delta[b] = delta_or_0(mxd_broad_level(a_both, b), mxd_broad_level(r_both, b));
	const double den = n * sxx - sx * sx;
	c->tilt_delta = n >= 2 && den > 0 ? (n * sxy - sx * sy) / den : 0.0;
}

/* The name (a path may be longer) cut to fit, NUL-terminated. */
static void copy_name(char dst[256], const char *src)
{
	const size_t n = strnlen(src, 255);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static mixdown_comparison *append(mixdown_analysis *a)
{
	mixdown_comparison *v = realloc(a->compare, (a->n_compare + 1) * sizeof *v);
	if (!v)
		return NULL;
	a->compare = v;
	mixdown_comparison *c = &v[a->n_compare++];
	memset(c, 0, sizeof *c);
	for (size_t k = 0; k < MIXDOWN_BANDS; k++)
		c->ref_level[k] = c->ref_low[k] = c->ref_high[k] = -INFINITY;
	return c;
}

int mixdown_analysis_compare_file(mixdown_analysis *a, const mixdown_analysis *reference)
{
	if (!a || !reference)
		return -1;
	mixdown_comparison *c = append(a);
	if (!c)
		return -1;
	copy_name(c->name, reference->path);
	c->is_target = false;
	double ref[MIXDOWN_BANDS], mine[MIXDOWN_BANDS];
	if (mxd_relative_levels(reference, ref) == 0)
		for (size_t k = 0; k < MIXDOWN_BANDS; k++)
			c->ref_level[k] = c->ref_low[k] = c->ref_high[k] = ref[k];
	if (mxd_relative_levels(a, mine) != 0)
		return 0; /* nothing comparable on this side: all deltas stay 0 */
	fill_spectral(c, mine);
	c->loudness_delta = delta_or_0(mxd_comparable_loudness(a), mxd_comparable_loudness(reference));
	c->range_delta = delta_or_0(a->loudness.range, reference->loudness.range);
	c->plr_delta = delta_or_0(a->dynamics.plr, reference->dynamics.plr);
	if (a->stereo.valid && reference->stereo.valid)
		c->width_delta = delta_or_0(a->stereo.width, reference->stereo.width);
	return 0;
}

int mixdown_analysis_compare_target(mixdown_analysis *a, const mixdown_target *t)
{
	if (!a || !t)
		return -1;
	mixdown_comparison *c = append(a);
	if (!c)
		return -1;
	copy_name(c->name, t->name);
	c->is_target = true;
	for (size_t k = 0; k < MIXDOWN_BANDS; k++) {
		c->ref_level[k] = t->median[k];
		c->ref_low[k] = t->p10[k];
		c->ref_high[k] = t->p90[k];
	}
	double mine[MIXDOWN_BANDS];
	if (mxd_relative_levels(a, mine) != 0)
		return 0;
	fill_spectral(c, mine);
	c->loudness_delta = delta_or_0(mxd_comparable_loudness(a), t->loudness);
	c->range_delta = delta_or_0(a->loudness.range, t->range);
	c->plr_delta = delta_or_0(a->dynamics.plr, t->plr);
	c->width_delta = 0.0; /* targets carry no width */
	return 0;
}
