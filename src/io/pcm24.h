/* mixdown — a fast path for the most common input of a mix: 24-bit PCM
 * WAV. libsndfile's conversion to float is a byte-at-a-time loop that costs
 * more than the rest of reading; this one unpacks four samples per SSSE3
 * shuffle (AVX2 machines) or one at a time (others) and gives exactly
 * libsndfile's values: the three bytes as the top of an int32, times 2^-31
 * (both steps exact in float).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Units: n samples (not frames). Threads: any; pure functions.
 */
#ifndef MIXDOWN_IO_PCM24_H
#define MIXDOWN_IO_PCM24_H

#include <stddef.h>
#include <stdint.h>

/* src: 3 n bytes of little-endian 24-bit samples; dst: n floats. */
void mxd_pcm24le_to_float(const uint8_t *src, float *dst, size_t n);
/* The same, one sample at a time (the reference the tests compare with). */
void mxd_pcm24le_to_float_scalar(const uint8_t *src, float *dst, size_t n);

#endif
