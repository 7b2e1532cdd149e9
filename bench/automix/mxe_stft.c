/* mixdown bench — mixeval: magnitude STFT with a periodic sqrt-Hann window (kissfft).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * As the mix-evaluation suite frames its STFTs (../shared/docs/mixing-knowledge.md §2.1): window
 * sqrt(0.5 - 0.5 cos(2 pi n / N)), n = 0..N-1 (the periodic Hann, i.e. a Hann of N + 1 points
 * without its last), frames fully inside the signal (no centring or padding), so a signal of L
 * samples gives 1 + (L - N) / hop frames. Magnitudes are unnormalised |sum x[n] w[n] e^-j2pikn/N|.
 * Ownership: mxe_stft owns its FFT plan and buffers. Threads: one mxe_stft per thread.
 */
#include <kiss_fftr.h>
#include <math.h>
#include <stdlib.h>

#include "mixeval.h"

struct mxe_stft {
	int size;
	kiss_fftr_cfg fft;
	float *win;
	kiss_fft_scalar *in;
	kiss_fft_cpx *out;
};

void mxe_stft_free(mxe_stft *s)
{
	if (!s)
		return;
	kiss_fftr_free(s->fft);
	free(s->win);
	free(s->in);
	free(s->out);
	free(s);
}

mxe_stft *mxe_stft_new(int size)
{
	mxe_stft *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->size = size;
	s->fft = kiss_fftr_alloc(size, 0, NULL, NULL);
	s->win = malloc((size_t)size * sizeof *s->win);
	s->in = malloc((size_t)size * sizeof *s->in);
	s->out = malloc(((size_t)size / 2 + 1) * sizeof *s->out);
	if (!s->fft || !s->win || !s->in || !s->out) {
		mxe_stft_free(s);
		return NULL;
	}
	for (int i = 0; i < size; i++)
		s->win[i] = (float)sqrt(0.5 - 0.5 * cos(2.0 * M_PI * i / size));
	return s;
}

size_t mxe_stft_count(int64_t frames, int size, int hop)
{
	return frames < size ? 0 : (size_t)(1 + (frames - size) / hop);
}

void mxe_stft_mag(mxe_stft *s, const float *x, int stride, double gain, double *mag)
{
	for (int i = 0; i < s->size; i++)
		s->in[i] = (kiss_fft_scalar)(gain * x[(size_t)i * (size_t)stride] * s->win[i]);
	kiss_fftr(s->fft, s->in, s->out);
	for (int k = 0; k <= s->size / 2; k++)
		mag[k] = hypot(s->out[k].r, s->out[k].i);
}
