/* mixdown — the one-third-octave band grid shared by spectrum, comparison,
 * masking and the report.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Base-10 exact centres of IEC 61260-1:2014 (eq. 2, G = 10^(3/10)):
 * f_m = 1000 * 10^(x/10) Hz, here x = k - 17 for k = 0..30, i.e. nominal
 * 20 Hz ... 20 kHz; band edges f_m * 10^(-+1/20). Pure functions, any thread.
 */
#include <math.h>

#include "analysis/analysis.h"

double mixdown_band_centre(size_t k)
{
	return 1000.0 * pow(10.0, ((double)k - 17.0) / 10.0);
}

void mxd_band_edges(size_t k, double *lo, double *hi)
{
	const double c = mixdown_band_centre(k), half = pow(10.0, 0.05);
	*lo = c / half;
	*hi = c * half;
}

int mxd_band_of(double hz)
{
	if (!(hz > 0))
		return -1;
	/* x = 10 log10(f / 1000) is the band index offset; round to the nearest centre. */
	const double x = 10.0 * log10(hz / 1000.0) + 17.0;
	const long k = lround(x);
	return k >= 0 && k < MIXDOWN_BANDS ? (int)k : -1;
}

int mxd_broad_band_of(double hz)
{
	return hz < 250.0 ? 0 : hz < 2000.0 ? 1 : hz < 8000.0 ? 2 : 3;
}
