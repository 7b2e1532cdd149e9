/* mixdown — linear-phase FIR from a zero-phase magnitude curve (window method), for reference matching.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Frequency sampling + window (e.g. A. V. Oppenheim, R. W. Schafer,
 * "Discrete-Time Signal Processing", 3rd ed., sec. 7.5-7.6): the real,
 * zero-phase spectrum A_k = 10^(c_k/20), k = 0..n/2, is inverse-transformed
 * (kissfft, real), rotated by n/2 so the impulse is centred at tap n/2, and
 * multiplied by the periodic Hann window of length n (w[0] = 0, w[n/2] = 1).
 * The taps are symmetric about n/2 (linear phase, delay n/2 frames). On the
 * DFT grid the rotation is a factor (-1)^k and the window a circular
 * convolution with (-1/4, 1/2, -1/4), so the response is exactly
 * (A_{k-1} + 2 A_k + A_{k+1}) / 4 with linear phase: a mild smoothing of an
 * already smooth curve, and no time aliasing since the windowed impulse
 * fits in n taps.
 *
 * Threads: control thread (allocates scratch).
 */
#include <kiss_fftr.h>
#include <math.h>
#include <stdlib.h>

#include "master/match_internal.h"

int mxd_match_fir(const double *c_db, uint32_t n, float *h)
{
	const uint32_t bins = n / 2 + 1;
	kiss_fftr_cfg inv = kiss_fftr_alloc((int)n, 1, NULL, NULL);
	kiss_fft_cpx *spec = malloc(bins * sizeof *spec);
	float *t = malloc(n * sizeof *t);
	if (!inv || !spec || !t) {
		kiss_fftr_free(inv);
		free(spec);
		free(t);
		return -1;
	}
	for (uint32_t k = 0; k < bins; k++) {
		spec[k].r = (float)pow(10.0, c_db[k] / 20.0);
		spec[k].i = 0.0f;
	}
	kiss_fftri(inv, spec, t); /* unscaled: n times the inverse DFT */
	for (uint32_t j = 0; j < n; j++) {
		const double w = 0.5 - 0.5 * cos(2.0 * M_PI * j / n);
		h[j] = (float)(t[(j + n / 2) % n] / (double)n * w);
	}
	h[0] = 0.0f; /* w[0] = 0 exactly (cos rounding aside) */
	kiss_fftr_free(inv);
	free(spec);
	free(t);
	return 0;
}
