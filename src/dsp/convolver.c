/* mixdown — uniformly partitioned overlap-save convolution (see convolver.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dsp/convolver.h"

#include <kiss_fftr.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	uint32_t in, out;
	uint32_t parts;   /* K of this path */
	kiss_fft_cpx *h;  /* parts x bins, scaled by gain / (2B) */
} path;

struct mxd_convolver {
	uint32_t B, bins, n_in, n_out, n_paths;
	uint32_t fdl_len;      /* ring length = max K */
	uint32_t head;         /* slot of the newest spectrum */
	uint32_t fill;         /* samples buffered in the current block */
	kiss_fftr_cfg fwd, inv;
	path *paths;
	float **win;           /* n_in x 2B: previous block, current block */
	kiss_fft_cpx **fdl;    /* n_in x (fdl_len * bins) */
	float **outblk;        /* n_out x B: the block being played */
	double *acc;           /* 2 x bins */
	kiss_fft_cpx *spec;    /* bins */
	float *time;           /* 2B */
};

static float **alloc_rows(uint32_t rows, size_t n, size_t size)
{
	float **r = calloc(rows ? rows : 1, sizeof *r);
	if (!r)
		return NULL;
	for (uint32_t i = 0; i < rows; i++)
		if (!(r[i] = calloc(n, size)))
			return r; /* caller frees; a NULL row marks the failure */
	return r;
}

static void free_rows(void *rows, uint32_t n)
{
	void **r = rows;
	if (!r)
		return;
	for (uint32_t i = 0; i < n; i++)
		free(r[i]);
	free(r);
}

static int rows_ok(void *rows, uint32_t n)
{
	void **r = rows;
	if (!r)
		return 0;
	for (uint32_t i = 0; i < n; i++)
		if (!r[i])
			return 0;
	return 1;
}

void mxd_convolver_free(mxd_convolver *c)
{
	if (!c)
		return;
	kiss_fftr_free(c->fwd);
	kiss_fftr_free(c->inv);
	for (uint32_t p = 0; c->paths && p < c->n_paths; p++)
		free(c->paths[p].h);
	free(c->paths);
	free_rows(c->win, c->n_in);
	free_rows(c->fdl, c->n_in);
	free_rows(c->outblk, c->n_out);
	free(c->acc);
	free(c->spec);
	free(c->time);
	free(c);
}

mxd_convolver *mxd_convolver_new(uint32_t partition, uint32_t n_in, uint32_t n_out,
				 const mxd_conv_path *paths, uint32_t n_paths)
{
	if (partition < 16 || (partition & 1) || !n_in || !n_out || !n_paths || !paths)
		return NULL;
	for (uint32_t p = 0; p < n_paths; p++)
		if (paths[p].in >= n_in || paths[p].out >= n_out || !paths[p].ir || !paths[p].len)
			return NULL;
	mxd_convolver *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	const uint32_t B = partition, N = 2 * partition;
	c->B = B;
	c->bins = B + 1;
	c->n_in = n_in;
	c->n_out = n_out;
	c->n_paths = n_paths;
	c->fwd = kiss_fftr_alloc((int)N, 0, NULL, NULL);
	c->inv = kiss_fftr_alloc((int)N, 1, NULL, NULL);
	c->paths = calloc(n_paths, sizeof *c->paths);
	c->acc = calloc(2 * (size_t)c->bins, sizeof *c->acc);
	c->spec = calloc(c->bins, sizeof *c->spec);
	c->time = calloc(N, sizeof *c->time);
	if (!c->fwd || !c->inv || !c->paths || !c->acc || !c->spec || !c->time)
		goto fail;
	/* Partition spectra. */
	for (uint32_t p = 0; p < n_paths; p++) {
		path *q = &c->paths[p];
		q->in = paths[p].in;
		q->out = paths[p].out;
		q->parts = (uint32_t)((paths[p].len + B - 1) / B);
		q->h = calloc((size_t)q->parts * c->bins, sizeof *q->h);
		if (!q->h)
			goto fail;
		if (q->parts > c->fdl_len)
			c->fdl_len = q->parts;
		float scale = (float)(paths[p].gain / (double)N);
		for (uint32_t k = 0; k < q->parts; k++) {
			size_t from = (size_t)k * B, m = paths[p].len - from;
			if (m > B)
				m = B;
			memset(c->time, 0, N * sizeof *c->time);
			for (size_t i = 0; i < m; i++)
				c->time[i] = paths[p].ir[from + i] * scale;
			kiss_fftr(c->fwd, c->time, q->h + (size_t)k * c->bins);
		}
	}
	c->win = alloc_rows(n_in, N, sizeof(float));
	c->fdl = (kiss_fft_cpx **)alloc_rows(n_in, (size_t)c->fdl_len * c->bins, sizeof(kiss_fft_cpx));
	c->outblk = alloc_rows(n_out, B, sizeof(float));
	if (!rows_ok(c->win, n_in) || !rows_ok(c->fdl, n_in) || !rows_ok(c->outblk, n_out))
		goto fail;
	return c;
fail:
	mxd_convolver_free(c);
	return NULL;
}

uint32_t mxd_convolver_latency(const mxd_convolver *c)
{
	return c ? c->B : 0;
}

void mxd_convolver_reset(mxd_convolver *c)
{
	if (!c)
		return;
	for (uint32_t i = 0; i < c->n_in; i++) {
		memset(c->win[i], 0, 2 * (size_t)c->B * sizeof(float));
		memset(c->fdl[i], 0, (size_t)c->fdl_len * c->bins * sizeof(kiss_fft_cpx));
	}
	for (uint32_t o = 0; o < c->n_out; o++)
		memset(c->outblk[o], 0, c->B * sizeof(float));
	c->head = 0;
	c->fill = 0;
}

/* One full input block is in win[][B..2B): transform, convolve, fill outblk. */
static void block(mxd_convolver *c)
{
	const uint32_t B = c->B, bins = c->bins, L = c->fdl_len;
	c->head = c->head + 1 == L ? 0 : c->head + 1;
	for (uint32_t i = 0; i < c->n_in; i++) {
		kiss_fftr(c->fwd, c->win[i], c->fdl[i] + (size_t)c->head * bins);
		memcpy(c->win[i], c->win[i] + B, B * sizeof(float));
	}
	for (uint32_t o = 0; o < c->n_out; o++) {
		double *acc = c->acc;
		memset(acc, 0, 2 * (size_t)bins * sizeof *acc);
		for (uint32_t p = 0; p < c->n_paths; p++) {
			const path *q = &c->paths[p];
			if (q->out != o)
				continue;
			uint32_t slot = c->head;
			for (uint32_t k = 0; k < q->parts; k++) {
				const kiss_fft_cpx *x = c->fdl[q->in] + (size_t)slot * bins;
				const kiss_fft_cpx *h = q->h + (size_t)k * bins;
				for (uint32_t b = 0; b < bins; b++) {
					double xr = x[b].r, xi = x[b].i, hr = h[b].r, hi = h[b].i;
					acc[2 * b] += xr * hr - xi * hi;
					acc[2 * b + 1] += xr * hi + xi * hr;
				}
				slot = slot == 0 ? L - 1 : slot - 1;
			}
		}
		for (uint32_t b = 0; b < bins; b++) {
			c->spec[b].r = (float)acc[2 * b];
			c->spec[b].i = (float)acc[2 * b + 1];
		}
		kiss_fftri(c->inv, c->spec, c->time);
		memcpy(c->outblk[o], c->time + B, B * sizeof(float));
	}
}

void mxd_convolver_process(mxd_convolver *c, const float *const *in, float *const *out, uint32_t n)
{
	const uint32_t B = c->B;
	uint32_t done = 0;
	while (done < n) {
		uint32_t m = B - c->fill;
		if (m > n - done)
			m = n - done;
		for (uint32_t i = 0; i < c->n_in; i++)
			memcpy(c->win[i] + B + c->fill, in[i] + done, m * sizeof(float));
		for (uint32_t o = 0; o < c->n_out; o++)
			memcpy(out[o] + done, c->outblk[o] + c->fill, m * sizeof(float));
		c->fill += m;
		done += m;
		if (c->fill == B) {
			block(c);
			c->fill = 0;
		}
	}
}
