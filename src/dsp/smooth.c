/* mixdown — applying a smoothed gain to planar buffers.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dsp/smooth.h"

#include "dsp/simd_clone.h"

MXD_CLONES static void scale(float *const *io, uint32_t channels, uint32_t from, uint32_t to, double g)
{
	if (g == 1.0)
		return;
	for (uint32_t c = 0; c < channels; c++) {
		float *x = io[c];
		if (g == -1.0)
			for (uint32_t i = from; i < to; i++)
				x[i] = -x[i];
		else
			for (uint32_t i = from; i < to; i++)
				x[i] = (float)((double)x[i] * g);
	}
}

void mxd_smooth_apply_gain(mxd_smooth *s, float *const *io, uint32_t channels, uint32_t n)
{
	uint32_t m = s->left < n ? s->left : n;
	/* Ramp part: the same per-sample value on every channel. */
	for (uint32_t c = 0; c < channels && m > 0; c++) {
		float *x = io[c];
		for (uint32_t i = 0; i < m; i++)
			x[i] = (float)((double)x[i] * mxd_smooth_at(s, i));
	}
	mxd_smooth_advance(s, m);
	scale(io, channels, m, n, s->cur);
}
