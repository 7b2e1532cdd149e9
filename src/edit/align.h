/* mixdown — DC offset and the time/polarity alignment of two recordings of
 * one source (close and room mic, DI and amp).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Inputs are float sample arrays owned by the caller and only read. Control
 * thread (offline analysis); allocates. Deterministic.
 */
#ifndef MIXDOWN_EDIT_ALIGN_H
#define MIXDOWN_EDIT_ALIGN_H

#include <stdbool.h>
#include <stdint.h>

#define MXD_ALIGN_MAX_MS 50.0 /* default search range: +-50 ms (17 m of path difference) */

/* Mean of each channel (the DC offset, linear full scale) into dc[c]. */
void mxd_dc_measure(const float *const *ch, uint32_t channels, int64_t frames, double *dc);

typedef struct {
	double offset;   /* samples: x is later than ref by this much (negative: earlier); fractional */
	bool inverted;   /* x is ref with its polarity inverted */
	double peak;     /* height of the weighted correlation peak, 0..1 */
	double contrast; /* peak over the RMS of the correlation in the search range; < 5: unreliable */
	bool crosstalk;  /* a lag-0 peak (electrical crosstalk) was set aside for a later acoustic one */
} mxd_align_result;

/* Offset and polarity of x against ref (both mono, same rate), searched within
 * +-max_lag samples (<= 0: MXD_ALIGN_MAX_MS at `rate`). GCC-PHAT (Knapp &
 * Carter 1976): the cross-spectrum is whitened so the correlation is a sharp
 * peak even for reverberant, coloured signals; only 40 Hz..0.45 rate are
 * weighted.
 *
 * Peak choice. First arrival: of the local maxima of |correlation|, the one
 * nearest lag 0 on the side of the strongest, of its sign, at most 1.5 ms
 * before it and at least 0.7 of its height is taken (the direct sound
 * precedes its reflections; a floor reflection can correlate as well as the
 * direct path over a short sustained vowel).
 * Crosstalk (min_lag == 0): signals that share an electrical component are
 * coherent at lag 0 (with a few samples of filter ringing); when the strongest
 * peak is within 1 ms of 0, lag 0 holds at least half of it, and beyond 1 ms
 * (34 cm) a peak of at least 0.15 of it and contrast >= 5 lies, lags within
 * 1 ms are set aside and `crosstalk` is set; otherwise the peak near 0 stands
 * (a pair that is truly aligned). min_lag > 0: lags shorter than min_lag are
 * always left out (the acoustic path is known to be longer); min_lag < 0:
 * no crosstalk rule (the first-arrival rule still applies).
 *
 * The integer peak is refined on the band-limited correlation evaluated every
 * 1/16 sample around it, then by parabolic interpolation of that fine peak.
 * Returns 0, or -1 when out of memory or either signal is empty or silent. */
int mxd_align_measure(const float *ref, int64_t n_ref, const float *x, int64_t n_x, double rate, double max_lag,
		      double min_lag, mxd_align_result *out);

#endif
