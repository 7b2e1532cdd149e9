/* mixdown — uniformly partitioned FFT convolution (overlap-save with a
 * frequency-domain delay line), several inputs/outputs, any block size.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Method (e.g. F. Wefers, "Partitioned convolution algorithms for real-time
 * auralization", PhD thesis, RWTH Aachen 2015, ch. 5, "UPOLS"; also
 * A. Torger, A. Farina, "Real-time partitioned convolution for Ambiophonics
 * surround sound", IEEE WASPAA 2001): the impulse response h is cut into K
 * partitions of B samples; partition k, zero-padded to 2B, is transformed
 * once at creation: H_k = FFT_2B([h(kB .. kB+B-1), 0 ... 0]). Every B input
 * samples the last 2B inputs are transformed, X_t = FFT_2B(x(tB-B .. tB+B-1)),
 * and stored in a ring of the last K spectra (the frequency-domain delay
 * line). The output block is the last B samples of
 *     IFFT_2B( sum_k X_{t-k} H_k )
 * (overlap-save: the first B samples hold circular wrap-around and are
 * discarded). The output is therefore exactly the linear convolution delayed
 * by B samples: latency B. FFTs are kissfft real transforms (float); the
 * spectral sums are accumulated in double.
 *
 * Routing: a list of paths (input channel, output channel, IR, gain); every
 * output is the sum of its paths (a diagonal list gives per-channel IRs, a
 * full 2x2 list true stereo).
 *
 * Ownership: mxd_convolver_new() allocates everything (control thread) and
 * copies what it needs from the IRs; mxd_convolver_free() releases it.
 * Threads: mxd_convolver_process/reset on one thread at a time; process()
 * never allocates and accepts any n (it buffers internally).
 */
#ifndef MIXDOWN_DSP_CONVOLVER_H
#define MIXDOWN_DSP_CONVOLVER_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	uint32_t in, out;  /* channel indices */
	const float *ir;   /* len samples, contiguous */
	size_t len;
	double gain;       /* linear factor applied to this path */
} mxd_conv_path;

typedef struct mxd_convolver mxd_convolver;

/* partition: B, even, >= 16. Returns NULL on allocation failure or bad
 * arguments (no paths, a channel index out of range, len 0). */
mxd_convolver *mxd_convolver_new(uint32_t partition, uint32_t n_in, uint32_t n_out,
				 const mxd_conv_path *paths, uint32_t n_paths);
void mxd_convolver_free(mxd_convolver *c); /* NULL-safe */

/* Added delay in samples (= the partition size). */
uint32_t mxd_convolver_latency(const mxd_convolver *c);

/* in[0..n_in-1][0..n-1] -> out[0..n_out-1][0..n-1]; in and out must not
 * alias. Inputs must be finite. */
void mxd_convolver_process(mxd_convolver *c, const float *const *in, float *const *out, uint32_t n);

/* Silence every delay line and buffer. */
void mxd_convolver_reset(mxd_convolver *c);

#endif
