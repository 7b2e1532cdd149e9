/* mixdown — masking that a playback system brings into a mix: one-third-
 * octave bands of the mix that become inaudible under their neighbours.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Without stems the only masking that can be measured honestly is between
 * regions of the mix itself: a band whose content is covered by a louder
 * band nearby (e.g. a car's bass boost covering the low mids). Per frame,
 * with band powers P_j (one-third-octave bands of the mix, or of the mix
 * through the system):
 *  - each band j masks band k with the threshold P_j * 10^((SF(dz) - O)/10),
 *    dz = z_k - z_j on the Bark scale (E. Zwicker and E. Terhardt, JASA
 *    68(5), 1980: z = 13 atan(0.00076 f) + 3.5 atan((f / 7500)^2)), SF the
 *    spreading function of M. R. Schroeder, B. S. Atal and J. L. Hall (JASA
 *    66(6), 1979), SF = 15.81 + 7.5 (dz + 0.474) - 17.5 sqrt(1 + (dz +
 *    0.474)^2) dB, and O = 5.5 dB, the offset for a noise-like masker of
 *    J. D. Johnston (IEEE JSAC 6(2), 1988);
 *  - the thresholds of all other bands add as powers; band k is masked when
 *    its power is below that sum.
 * Counted per system over the frames where band k plays in the mix (within
 * 40 dB of the frame's loudest band, above -90 dBFS) and the system still
 * reproduces it (response at its centre >= -10 dB re. 1 kHz, else it is
 * filtered out rather than masked): frames masked in the mix, frames masked
 * through the system, and which band masks it most in the latter.
 * A simplification: long frames (170 ms), bands rather than instruments, no
 * absolute threshold (the playback level is unknown).
 *
 * Units: powers, Bark, dB. No allocation. Threads: the analysis's thread.
 */
#include <math.h>

#include "translate/translate.h"

#define OFFSET_DB 5.5
#define ACTIVE_REL 1e-4  /* -40 dB re. the loudest band */
#define ACTIVE_ABS 1e-9  /* -90 dBFS */
#define REPRODUCED_DB -10.0

static double bark(double f)
{
	return 13.0 * atan(0.00076 * f) + 3.5 * atan((f / 7500.0) * (f / 7500.0));
}

void mxd_tr_mask_init(mxd_tr_ana *a)
{
	for (size_t j = 0; j < MIXDOWN_BANDS; j++)
		for (size_t k = 0; k < MIXDOWN_BANDS; k++) {
			double dz = bark(mixdown_band_centre(k)) - bark(mixdown_band_centre(j)) + 0.474;
			double sf = 15.81 + 7.5 * dz - 17.5 * sqrt(1.0 + dz * dz);
			a->spread[j][k] = j == k ? 0.0 : pow(10.0, (sf - OFFSET_DB) / 10.0);
		}
}

/* Masked bands of p[] (band powers): bit k of the result; masker[k] the band
 * contributing most to band k's threshold. */
static uint64_t masked(const mxd_tr_ana *a, const double *p, int *masker)
{
	uint64_t m = 0;
	for (size_t k = 0; k < MIXDOWN_BANDS; k++) {
		if (!a->band_ok[k])
			continue;
		double thr = 0.0, best = -1.0;
		for (size_t j = 0; j < MIXDOWN_BANDS; j++) {
			double t = p[j] * a->spread[j][k];
			thr += t;
			if (t > best) {
				best = t;
				if (masker)
					masker[k] = (int)j;
			}
		}
		if (p[k] < thr)
			m |= 1ull << k;
	}
	return m;
}

void mxd_tr_mask_frame(mxd_tr_ana *a)
{
	double mix[MIXDOWN_BANDS], sys[MIXDOWN_BANDS], top = 0.0;
	for (size_t b = 0; b < MIXDOWN_BANDS; b++) {
		mix[b] = mxd_tr_band_power(a, a->pst, b);
		if (mix[b] > top)
			top = mix[b];
	}
	uint64_t active = 0;
	for (size_t b = 0; b < MIXDOWN_BANDS; b++)
		if (a->band_ok[b] && mix[b] >= ACTIVE_ABS && mix[b] >= ACTIVE_REL * top)
			active |= 1ull << b;
	if (!active)
		return;
	const uint64_t before = masked(a, mix, NULL);
	for (size_t s = 0; s < a->n_sys; s++) {
		const double *p = a->model[s]->mono ? a->pm : a->pst;
		for (uint32_t k = 0; k < a->bins; k++)
			a->work[k] = p[k] * a->h2[s][k];
		for (size_t b = 0; b < MIXDOWN_BANDS; b++)
			sys[b] = mxd_tr_band_power(a, a->work, b);
		int masker[MIXDOWN_BANDS] = { 0 };
		const uint64_t after = masked(a, sys, masker);
		mxd_tr_mask_count *c = &a->mask[s];
		for (size_t b = 0; b < MIXDOWN_BANDS; b++) {
			if (!(active >> b & 1) || a->band_h_db[s][b] < REPRODUCED_DB)
				continue;
			c->active[b]++;
			c->before[b] += (uint32_t)(before >> b & 1);
			if (after >> b & 1) {
				c->after[b]++;
				c->by[b][masker[b]]++;
			}
		}
	}
}
