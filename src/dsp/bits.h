/* mixdown — the IEEE 754 binary32 bits of a float and back (memcpy: no
 * aliasing questions, compiled to a register move). Used by the fast level
 * and gain functions (dsp/dynamics.h) and to keep floats in atomic uint32
 * (realtime/player*.c).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Threads: any; pure.
 */
#ifndef MIXDOWN_DSP_BITS_H
#define MIXDOWN_DSP_BITS_H

#include <stdint.h>
#include <string.h>

static inline uint32_t mxd_float_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	return u;
}

static inline float mxd_bits_float(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

#endif
