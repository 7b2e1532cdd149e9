/* mixdown — loudness of a band spectrum: how many LUFS a programme with given
 * one-third-octave band levels would measure.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Used to put model spectra (the built-in targets) on the same footing as
 * measured ones, whose band levels are relative to the integrated loudness.
 * The K-weighting gain at a band centre is the magnitude response of the two
 * ITU-R BS.1770-5 filters (Annex 1, Tables 1 and 2: the "pre-filter" high
 * shelf and the RLB high-pass, both defined at 48 kHz), evaluated at that
 * frequency. A band's power is taken to sit at its centre: the K curve is
 * smooth (under 1 dB change across any band above 40 Hz), so the error is
 * small against the several-dB spreads of the targets.
 *
 * The loudness convention matches the spectrum module: level[k] is the mean
 * square per channel (dBFS), and the programme is two channels carrying that
 * spectrum each (BS.1770 weights 1.0), so
 *   L = -0.691 + 10 log10(2 * sum_k 10^((level[k] + K(f_k)) / 10)).
 * Gating is ignored (a steady spectrum). Pure functions; any thread.
 */
#include <complex.h>
#include <math.h>

#include "analysis/analysis.h"

/* |H(e^jw)| of b0 + b1 z^-1 + b2 z^-2 over 1 + a1 z^-1 + a2 z^-2. */
static double biquad_mag(const double b[3], const double a[2], double w)
{
	const double complex z1 = cexp(-I * w), z2 = z1 * z1;
	return cabs((b[0] + b[1] * z1 + b[2] * z2) / (1.0 + a[0] * z1 + a[1] * z2));
}

double mxd_kweight_db(double hz)
{
	/* BS.1770-5 Annex 1, Table 1 (stage 1) and Table 2 (stage 2), fs = 48 kHz. */
	static const double b1[3] = { 1.53512485958697, -2.69169618940638, 1.19839281085285 };
	static const double a1[2] = { -1.69065929318241, 0.73248077421585 };
	static const double b2[3] = { 1.0, -2.0, 1.0 };
	static const double a2[2] = { -1.99004745483398, 0.99007225036621 };
	const double w = 2.0 * M_PI * hz / 48000.0;
	return 20.0 * log10(biquad_mag(b1, a1, w) * biquad_mag(b2, a2, w));
}

double mxd_band_lufs(const double level[MIXDOWN_BANDS])
{
	double sum = 0;
	for (size_t k = 0; k < MIXDOWN_BANDS; k++)
		if (isfinite(level[k]))
			sum += pow(10.0, (level[k] + mxd_kweight_db(mixdown_band_centre(k))) / 10.0);
	return sum > 0 ? -0.691 + 10.0 * log10(2.0 * sum) : -INFINITY;
}
