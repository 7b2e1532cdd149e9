/* mixdown — resonances: narrow peaks of a long-term spectrum.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Input: the long-term level per FFT bin in dB (spectrum.c), bin spacing df.
 * Reference: the same spectrum smoothed over one third of an octave, as the
 * running median of the dB values over [f / 2^(1/6), f * 2^(1/6)] (at least
 * +-4 bins, where a third of an octave is narrower than that). A median rather
 * than a mean so that the peak does not lift its own reference (a +15 dB
 * peaking filter of Q 30 at 3150 Hz on pink noise reads 13 dB: its 44 Hz wide
 * top is smoothed by the analysis window, not by the reference).
 * A resonance is a local maximum between 40 Hz and 16 kHz standing >= 6 dB
 * above the reference. The threshold: a Welch average of m frames of noise
 * scatters by about 4.34 / sqrt(m) dB per bin, under 0.8 dB for the 32 frames
 * spectrum.c requires, so 6 dB is far outside chance (the value is our
 * design choice, not taken from a standard). Per peak:
 *  - freq: parabolic interpolation of the dB values of the three bins around
 *    the maximum (J. O. Smith, "Spectral Audio Signal Processing", quadratic
 *    interpolation of spectral peaks, on the log magnitude);
 *  - prominence: interpolated peak level minus the reference (dB);
 *  - q: freq over the width between the points 3 dB under the peak, found by
 *    linear interpolation between bins (limited to the smoothing window). The
 *    window's own main lobe bounds q from above: a steady tone reads a width
 *    of about 1.2 bins (14 Hz at 48 kHz: q 31 at 440 Hz, 140 at 2 kHz).
 * Peaks inside the -3 dB span of a stronger one are dropped (ripple on the
 * same resonance). At most `cap`, strongest first.
 *
 * Units: Hz, dB. Scratch memory is allocated and freed here (not for an audio
 * thread). Pure function of its input; any thread.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "dsp/select.h"

#define RES_LO_HZ 40.0
#define RES_HI_HZ 16000.0
#define RES_MIN_DB 6.0
#define RES_MIN_HALF_BINS 4

typedef struct {
	double freq, prom, q, lo, hi; /* lo, hi: the -3 dB span (Hz) */
} peak;

static int by_prominence(const void *a, const void *b)
{
	double x = ((const peak *)a)->prom, y = ((const peak *)b)->prom;
	return x < y ? 1 : x > y ? -1 : 0;
}

int mxd_spec_resonances(const double *db, uint32_t bins, double df, mixdown_resonance *out, size_t cap)
{
	if (bins < 2 * RES_MIN_HALF_BINS + 3 || cap == 0)
		return 0;
	uint32_t k_lo = (uint32_t)ceil(RES_LO_HZ / df), k_hi = (uint32_t)floor(RES_HI_HZ / df);
	if (k_lo < 2)
		k_lo = 2;
	if (k_hi > bins - 3)
		k_hi = bins - 3;
	if (k_hi <= k_lo)
		return 0;
	const double sixth = pow(2.0, 1.0 / 6.0);
	double *ref = calloc(bins, sizeof *ref);
	double *win = malloc(bins * sizeof *win);
	peak *pk = malloc((k_hi - k_lo + 1) * sizeof *pk);
	if (!ref || !win || !pk) {
		free(ref);
		free(win);
		free(pk);
		return -1;
	}
	/* The smoothing window of bin k, clipped to bins 1 .. bins-1 (DC excluded). */
	for (uint32_t k = k_lo - 1; k <= k_hi + 1; k++) {
		uint32_t a = (uint32_t)floor(k / sixth), b = (uint32_t)ceil(k * sixth);
		a = k - a < RES_MIN_HALF_BINS ? (k > RES_MIN_HALF_BINS ? k - RES_MIN_HALF_BINS : 1) : a;
		b = b - k < RES_MIN_HALF_BINS ? k + RES_MIN_HALF_BINS : b;
		if (a < 1)
			a = 1;
		if (b > bins - 1)
			b = bins - 1;
		size_t n = b - a + 1;
		memcpy(win, db + a, n * sizeof *win);
		ref[k] = mxd_select_kth(win, n, n / 2);
	}
	size_t np = 0;
	for (uint32_t k = k_lo; k <= k_hi; k++) {
		if (!(db[k] > db[k - 1] && db[k] >= db[k + 1] && db[k] - ref[k] >= RES_MIN_DB))
			continue;
		double a = db[k - 1], b = db[k], c = db[k + 1], den = a - 2.0 * b + c;
		double p = den < 0 ? 0.5 * (a - c) / den : 0.0;
		double top = b - 0.25 * (a - c) * p, f = (k + p) * df;
		if (f < RES_LO_HZ || f > RES_HI_HZ)
			continue;
		/* -3 dB points, searched within the smoothing window. */
		double thr = top - 3.0;
		uint32_t lim = (uint32_t)ceil(k * sixth) - k + RES_MIN_HALF_BINS;
		uint32_t j = k;
		while (j > 1 && k - j < lim && db[j - 1] > thr)
			j--;
		double lo = db[j - 1] <= thr && db[j] > db[j - 1] ? (j - 1) + (thr - db[j - 1]) / (db[j] - db[j - 1])
								  : (double)(j - 1);
		j = k;
		while (j + 1 < bins - 1 && j - k < lim && db[j + 1] > thr)
			j++;
		double hi = db[j + 1] <= thr && db[j] > db[j + 1] ? j + (db[j] - thr) / (db[j] - db[j + 1])
								  : (double)(j + 1);
		pk[np++] = (peak){ f, top - ref[k], f / ((hi - lo) * df), lo * df, hi * df };
	}
	qsort(pk, np, sizeof *pk, by_prominence);
	size_t n = 0;
	for (size_t i = 0; i < np && n < cap; i++) {
		bool inside = false;
		for (size_t j = 0; j < i && !inside; j++)
			inside = pk[j].prom > 0 && pk[i].freq >= pk[j].lo && pk[i].freq <= pk[j].hi;
		if (inside) {
			pk[i].prom = -pk[i].prom; /* mark dropped so it shadows nothing */
			continue;
		}
		out[n++] = (mixdown_resonance){ pk[i].freq, pk[i].prom, pk[i].q };
	}
	free(ref);
	free(win);
	free(pk);
	return (int)n;
}
