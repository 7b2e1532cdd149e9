/* mixdown — the short-time spectra `mixdown translate` measures on: frames,
 * per-bin powers of the mix and of its mono fold, band sums, and the systems'
 * |H(f)|^2 on the same bins.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Frames: n = the smallest power of two with rate / n <= 6 Hz (8192 at
 * 44.1/48 kHz), so that the harmonics of a 30 Hz bass are five bins apart;
 * periodic Hann window, hop n/2 (Welch, IEEE Trans. Audio Electroacoust.
 * 15(2), 1967). Bin k contributes c_k |X_k|^2 with c_k = 2 / (n sum w^2)
 * (half that at DC and Nyquist), so the bins of a frame sum to its mean
 * square (Parseval) and a full-scale sine reads 0.5 in its bins. Per frame:
 *   pst[k] = (c_k / C) sum_c |X_c,k|^2      (channels pooled, as played)
 *   pm[k]  = c_k |X_L,k + X_R,k|^2 / 4      (the fold (L+R)/2)
 * (pm = pst for a mono file). A tail shorter than a hop is not analyzed.
 * Bands: bin k stands for [(k - 1/2) df, (k + 1/2) df]; a bin straddling a
 * band edge counts with the share inside the band.
 *
 * Ownership: init allocates, free releases (NULL-safe members).
 * Threads: one analysis per thread; control thread (allocates in init).
 */
#include <kiss_fftr.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "translate/translate.h"

#define PI 3.14159265358979323846
#define ACTIVE_MS 1e-7 /* -70 dBFS: a frame quieter than this is not "playing" */

static void band_bins(mxd_tr_ana *a)
{
	const double half = pow(10.0, 0.05);
	for (size_t b = 0; b < MIXDOWN_BANDS; b++) {
		double c = mixdown_band_centre(b), lo = c / half, hi = c * half;
		a->band_ok[b] = c < 0.5 * a->rate;
		if (hi > 0.5 * a->rate)
			hi = 0.5 * a->rate;
		if (!a->band_ok[b] || hi <= lo) {
			a->band_ok[b] = false;
			continue;
		}
		double x0 = lo / a->df + 0.5, x1 = hi / a->df + 0.5; /* in bin-edge units */
		uint32_t k0 = (uint32_t)floor(x0), k1 = (uint32_t)floor(x1);
		if (k1 >= a->bins)
			k1 = a->bins - 1;
		a->band_k0[b] = k0;
		a->band_k1[b] = k1;
		if (k0 == k1) {
			a->band_w0[b] = x1 - x0;
			a->band_w1[b] = 0.0;
		} else {
			a->band_w0[b] = (double)(k0 + 1) - x0;
			a->band_w1[b] = x1 - (double)k1;
		}
	}
}

double mxd_tr_band_power(const mxd_tr_ana *a, const double *p, size_t b)
{
	if (!a->band_ok[b])
		return 0.0;
	uint32_t k0 = a->band_k0[b], k1 = a->band_k1[b];
	if (k0 == k1)
		return a->band_w0[b] * p[k0];
	double s = a->band_w0[b] * p[k0] + a->band_w1[b] * p[k1];
	for (uint32_t k = k0 + 1; k < k1; k++)
		s += p[k];
	return s;
}

double mxd_tr_range_power(const mxd_tr_ana *a, const double *p, double lo, double hi)
{
	double s = 0.0;
	for (uint32_t k = 1; k < a->bins; k++) {
		double f = k * a->df;
		if (f >= lo && f < hi)
			s += p[k];
	}
	return s;
}

int mxd_tr_ana_init(mxd_tr_ana *a, double rate, uint32_t channels, size_t n_sys, const mxd_tr_model *const *model,
		    const mxd_tr_filter *filt)
{
	memset(a, 0, sizeof *a);
	a->rate = rate;
	a->channels = channels;
	uint32_t n = 256;
	while (rate / n > 6.0 && n < (1u << 20))
		n *= 2;
	a->n = n;
	a->hop = n / 2;
	a->bins = n / 2 + 1;
	a->df = rate / n;
	a->n_sys = n_sys > MXD_TR_MAX_SYS ? MXD_TR_MAX_SYS : n_sys;
	a->fft = kiss_fftr_alloc((int)n, 0, NULL, NULL);
	a->win = malloc(n * sizeof *a->win);
	a->tmp = malloc(n * sizeof *a->tmp);
	a->mask = calloc(a->n_sys ? a->n_sys : 1, sizeof *a->mask);
	bool ok = a->fft && a->win && a->tmp && a->mask;
	for (uint32_t c = 0; c < 2; c++) {
		a->in[c] = calloc(n, sizeof *a->in[c]);
		a->X[c] = malloc(a->bins * sizeof(kiss_fft_cpx));
		ok = ok && a->in[c] && a->X[c];
	}
	double **arr[] = { &a->scale, &a->pst, &a->pm, &a->sum_st, &a->sum_m, &a->work };
	for (size_t i = 0; i < sizeof arr / sizeof arr[0]; i++)
		ok = ok && (*arr[i] = calloc(a->bins, sizeof(double)));
	for (size_t s = 0; s < a->n_sys; s++)
		ok = ok && (a->h2[s] = malloc(a->bins * sizeof(double)));
	if (!ok) {
		mxd_tr_ana_free(a);
		return -1;
	}
	double wsum2 = 0.0;
	for (uint32_t i = 0; i < n; i++) {
		double w = 0.5 - 0.5 * cos(2.0 * PI * i / n); /* periodic Hann */
		a->win[i] = (float)w;
		wsum2 += w * w;
	}
	for (uint32_t k = 0; k < a->bins; k++)
		a->scale[k] = (k == 0 || k == a->bins - 1 ? 1.0 : 2.0) / (n * wsum2);
	band_bins(a);
	mxd_tr_mask_init(a);
	for (size_t s = 0; s < a->n_sys; s++) {
		a->model[s] = model[s];
		double ref = mxd_tr_filter_response(&filt[s], 1000.0);
		a->ref_h2[s] = pow(10.0, ref / 10.0);
		for (uint32_t k = 0; k < a->bins; k++) {
			/* DC: half a bin up (a high-pass has a zero there). */
			double f = k == 0 ? 0.5 * a->df : k * a->df;
			double db = mxd_tr_filter_response(&filt[s], f);
			a->h2[s][k] = isfinite(db) ? pow(10.0, db / 10.0) : 0.0;
		}
		for (size_t b = 0; b < MIXDOWN_BANDS; b++) {
			double c = mixdown_band_centre(b);
			a->band_h_db[s][b] = a->band_ok[b] ? mxd_tr_filter_response(&filt[s], c) - ref : -INFINITY;
		}
	}
	return 0;
}

static void frame(mxd_tr_ana *a)
{
	const uint32_t n = a->n, nb = a->bins;
	for (uint32_t c = 0; c < a->channels; c++) {
		for (uint32_t i = 0; i < n; i++)
			a->tmp[i] = a->in[c][i] * a->win[i];
		kiss_fftr(a->fft, a->tmp, a->X[c]);
	}
	const kiss_fft_cpx *L = a->X[0], *R = a->channels > 1 ? a->X[1] : a->X[0];
	double total = 0.0;
	for (uint32_t k = 0; k < nb; k++) {
		double l2 = (double)L[k].r * L[k].r + (double)L[k].i * L[k].i;
		double r2 = (double)R[k].r * R[k].r + (double)R[k].i * R[k].i;
		double mr = 0.5 * ((double)L[k].r + R[k].r), mi = 0.5 * ((double)L[k].i + R[k].i);
		a->pst[k] = a->scale[k] * 0.5 * (l2 + r2);
		a->pm[k] = a->scale[k] * (mr * mr + mi * mi);
		a->sum_st[k] += a->pst[k];
		a->sum_m[k] += a->pm[k];
		total += a->pst[k];
	}
	a->frames++;
	if (total >= ACTIVE_MS) {
		a->active_frames++;
		mxd_tr_bass_frame(a);
		mxd_tr_mask_frame(a);
	}
	for (uint32_t c = 0; c < a->channels; c++)
		memmove(a->in[c], a->in[c] + a->hop, (size_t)(n - a->hop) * sizeof(float));
	a->fill = n - a->hop;
}

void mxd_tr_ana_add(mxd_tr_ana *a, const float *const *in, uint32_t n)
{
	uint32_t pos = 0;
	while (pos < n) {
		uint32_t k = a->n - a->fill;
		if (k > n - pos)
			k = n - pos;
		for (uint32_t c = 0; c < a->channels; c++)
			memcpy(a->in[c] + a->fill, in[c] + pos, k * sizeof(float));
		a->fill += k;
		pos += k;
		if (a->fill == a->n)
			frame(a);
	}
}

void mxd_tr_ana_free(mxd_tr_ana *a)
{
	if (a->fft)
		kiss_fftr_free(a->fft);
	free(a->win);
	free(a->tmp);
	free(a->mask);
	for (uint32_t c = 0; c < 2; c++) {
		free(a->in[c]);
		free(a->X[c]);
	}
	free(a->scale);
	free(a->pst);
	free(a->pm);
	free(a->sum_st);
	free(a->sum_m);
	free(a->work);
	for (size_t s = 0; s < MXD_TR_MAX_SYS; s++)
		free(a->h2[s]);
	memset(a, 0, sizeof *a);
}
