/* mixdown — the DSP shared by the repair processors and detectors: AR
 * modelling, LSAR interpolation, click detection, clip tracking and
 * constrained declipping, the lookahead framer, the denoise bands and the
 * hum tracker. See repair_dsp.h for the methods, units and threads.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "edit/repair_dsp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/select.h"

#define PI 3.14159265358979323846

/* ------------------------------------------------------------ AR model */

int mxd_ar_work_init(mxd_ar_work *w, uint32_t win, uint32_t order, uint32_t max_gap)
{
	memset(w, 0, sizeof *w);
	if (order < 1 || order > MXD_AR_MAX_ORDER || win <= 2 * order || max_gap < 1)
		return -1;
	w->win = win;
	w->order = order;
	w->max_gap = max_gap;
	uint32_t m = max_gap > order ? max_gap : order;
	w->hann = malloc(win * sizeof *w->hann);
	w->tmp = malloc(win * sizeof *w->tmp);
	w->res = calloc(win, sizeof *w->res);
	w->mat = malloc((size_t)m * m * sizeof *w->mat);
	w->rhs = malloc(m * sizeof *w->rhs);
	w->ek = malloc((max_gap + order) * sizeof *w->ek);
	w->idx = malloc(max_gap * sizeof *w->idx);
	if (!w->hann || !w->tmp || !w->res || !w->mat || !w->rhs || !w->ek || !w->idx) {
		mxd_ar_work_free(w);
		return -1;
	}
	for (uint32_t i = 0; i < win; i++)
		w->hann[i] = 0.5 - 0.5 * cos(2 * PI * (i + 0.5) / win);
	w->a[0] = 1;
	return 0;
}

void mxd_ar_work_free(mxd_ar_work *w)
{
	free(w->hann);
	free(w->tmp);
	free(w->res);
	free(w->mat);
	free(w->rhs);
	free(w->ek);
	free(w->idx);
	memset(w, 0, sizeof *w);
}

int mxd_chol_solve(double *A, double *b, uint32_t m)
{
	double load = 0;
	for (uint32_t i = 0; i < m; i++)
		load += A[(size_t)i * m + i];
	load = load / m * 1e-9 + 1e-300;
	for (uint32_t j = 0; j < m; j++) { /* A = L L^T, L in the lower triangle */
		double d = A[(size_t)j * m + j] + load;
		for (uint32_t k = 0; k < j; k++)
			d -= A[(size_t)j * m + k] * A[(size_t)j * m + k];
		if (!(d > 0))
			return -1;
		d = sqrt(d);
		A[(size_t)j * m + j] = d;
		for (uint32_t i = j + 1; i < m; i++) {
			double s = A[(size_t)i * m + j];
			for (uint32_t k = 0; k < j; k++)
				s -= A[(size_t)i * m + k] * A[(size_t)j * m + k];
			A[(size_t)i * m + j] = s / d;
		}
	}
	for (uint32_t i = 0; i < m; i++) { /* L y = b */
		double s = b[i];
		for (uint32_t k = 0; k < i; k++)
			s -= A[(size_t)i * m + k] * b[k];
		b[i] = s / A[(size_t)i * m + i];
	}
	for (uint32_t i = m; i-- > 0;) { /* L^T u = y */
		double s = b[i];
		for (uint32_t k = i + 1; k < m; k++)
			s -= A[(size_t)k * m + i] * b[k];
		b[i] = s / A[(size_t)i * m + i];
	}
	return 0;
}

static void ar_identity(mxd_ar_work *w)
{
	memset(w->a, 0, sizeof w->a);
	w->a[0] = 1;
}

int mxd_ar_estimate(mxd_ar_work *w, const double *x, uint32_t n)
{
	const uint32_t p = w->order;
	ar_identity(w);
	if (n > w->win || n <= 2 * p)
		return -1;
	/* Hann over the window actually used (n may be below win). */
	for (uint32_t i = 0; i < n; i++)
		w->tmp[i] = x[i] * (n == w->win ? w->hann[i] : 0.5 - 0.5 * cos(2 * PI * (i + 0.5) / n));
	double r[MXD_AR_MAX_ORDER + 1];
	for (uint32_t k = 0; k <= p; k++) {
		double s = 0;
		for (uint32_t i = k; i < n; i++)
			s += w->tmp[i] * w->tmp[i - k];
		r[k] = s;
	}
	if (!(r[0] > 1e-30) || !isfinite(r[0]))
		return -1;
	r[0] *= 1.0 + 1e-9; /* white-noise correction: keeps the recursion stable */
	double err = r[0], prev[MXD_AR_MAX_ORDER + 1];
	for (uint32_t i = 1; i <= p; i++) { /* Levinson-Durbin */
		double acc = r[i];
		for (uint32_t j = 1; j < i; j++)
			acc += w->a[j] * r[i - j];
		double k = -acc / err;
		memcpy(prev, w->a, sizeof prev);
		for (uint32_t j = 1; j < i; j++)
			w->a[j] = prev[j] + k * prev[i - j];
		w->a[i] = k;
		err *= 1.0 - k * k;
		if (!(err > 0))
			break;
	}
	return 0;
}

int mxd_ar_estimate_known(mxd_ar_work *w, const double *x, const uint8_t *unknown, uint32_t n, uint32_t order)
{
	const uint32_t p = order;
	ar_identity(w);
	if (p < 1 || p > w->order || n <= p)
		return -1;
	double *A = w->mat, *b = w->rhs;
	memset(A, 0, (size_t)p * p * sizeof *A);
	memset(b, 0, p * sizeof *b);
	uint32_t run = 0, eqs = 0;
	for (uint32_t t = 0; t < n; t++) {
		run = unknown[t] ? 0 : run + 1;
		if (run < p + 1)
			continue;
		eqs++;
		for (uint32_t i = 1; i <= p; i++) {
			b[i - 1] += x[t] * x[t - i];
			for (uint32_t j = i; j <= p; j++)
				A[(size_t)(i - 1) * p + (j - 1)] += x[t - i] * x[t - j];
		}
	}
	if (eqs < 2 * p)
		return -1;
	for (uint32_t i = 0; i < p; i++) {
		for (uint32_t j = 0; j < i; j++)
			A[(size_t)i * p + j] = A[(size_t)j * p + i];
		b[i] = -b[i];
	}
	if (mxd_chol_solve(A, b, p) != 0)
		return -1;
	for (uint32_t i = 1; i <= p; i++)
		w->a[i] = isfinite(b[i - 1]) ? b[i - 1] : 0.0;
	return 0;
}

int mxd_ar_interpolate(mxd_ar_work *w, double *x, uint32_t n, uint32_t s, uint32_t len, const uint8_t *unknown)
{
	const uint32_t p = w->order;
	if (len == 0 || len > w->max_gap || s < p || (uint64_t)s + len + p > n)
		return -1;
	uint32_t m = 0;
	for (uint32_t i = 0; i < len; i++)
		if (!unknown || unknown[i])
			w->idx[m++] = s + i;
	if (m == 0)
		return 0;
	double ra[MXD_AR_MAX_ORDER + 1]; /* autocorrelation of the coefficients */
	for (uint32_t d = 0; d <= p; d++) {
		double acc = 0;
		for (uint32_t k = 0; k + d <= p; k++)
			acc += w->a[k] * w->a[k + d];
		ra[d] = acc;
	}
	/* T_ij = ra(|u_i - u_j|): the normal equations of min sum e[t]^2 over
	 * every t whose prediction involves an unknown (Janssen et al. 1986). */
	for (uint32_t i = 0; i < m; i++)
		for (uint32_t j = 0; j < m; j++) {
			uint32_t d = w->idx[i] > w->idx[j] ? w->idx[i] - w->idx[j] : w->idx[j] - w->idx[i];
			w->mat[(size_t)i * m + j] = d <= p ? ra[d] : 0.0;
		}
	for (uint32_t i = 0; i < m; i++) { /* keep the originals for a failure */
		w->tmp[i] = x[w->idx[i]];
		x[w->idx[i]] = 0;
	}
	for (uint32_t t = s; t < s + len + p; t++) { /* residual of the known part */
		double e = 0;
		for (uint32_t k = 0; k <= p; k++)
			e += w->a[k] * x[t - k];
		w->ek[t - s] = e;
	}
	for (uint32_t i = 0; i < m; i++) {
		double acc = 0;
		for (uint32_t k = 0; k <= p; k++)
			acc += w->a[k] * w->ek[w->idx[i] + k - s];
		w->rhs[i] = -acc;
	}
	if (mxd_chol_solve(w->mat, w->rhs, m) != 0) {
		for (uint32_t i = 0; i < m; i++)
			x[w->idx[i]] = w->tmp[i];
		return -1;
	}
	for (uint32_t i = 0; i < m; i++)
		x[w->idx[i]] = isfinite(w->rhs[i]) ? w->rhs[i] : w->tmp[i];
	return 0;
}

/* ------------------------------------------------------------- clicks */

double mxd_click_k(double sensitivity)
{
	double s = sensitivity < 0 ? 0 : sensitivity > 1 ? 1 : sensitivity;
	return 12.0 - 8.0 * s; /* 12 sigma at 0, 8 at the default 0.5, 4 at 1 */
}

size_t mxd_click_detect(mxd_ar_work *w, const double *x, uint32_t n, uint32_t from, uint32_t to, double k,
			uint32_t max_len, mxd_click_span *out, size_t max)
{
	const uint32_t p = w->order;
	if (n > w->win || n <= 2 * p || mxd_ar_estimate(w, x, n) != 0)
		return 0;
	double ms = 0;
	for (uint32_t i = 0; i < n; i++)
		ms += x[i] * x[i];
	for (uint32_t i = 0; i < n; i++) {
		double e = 0;
		if (i >= p)
			for (uint32_t j = 0; j <= p; j++)
				e += w->a[j] * x[i - j];
		w->res[i] = e;
		if (i >= p)
			w->tmp[i - p] = fabs(e);
	}
	double sigma = mxd_select_kth(w->tmp, n - p, (n - p) / 2) / 0.6745;
	sigma = fmax(sigma, fmax(1e-5 * sqrt(ms / n), 1e-9));
	const double thr = k * sigma;
	size_t count = 0;
	uint32_t i = from > p ? from : p, end = to < n ? to : n;
	while (i < end) {
		if (!(fabs(w->res[i]) > thr)) {
			i++;
			continue;
		}
		uint32_t s = i, f = i;
		double peak = fabs(w->res[i]);
		for (uint32_t j = i + 1; j < n && j - f <= p; j++)
			if (fabs(w->res[j]) > thr) {
				f = j;
				peak = fmax(peak, fabs(w->res[j]));
			}
		/* The forward residual smears a click over the p samples after
		 * it; the backward residual over the p before it. */
		uint32_t e = s;
		for (uint32_t j = s; j <= f && j + p < n; j++) {
			double b = 0;
			for (uint32_t q = 0; q <= p; q++)
				b += w->a[q] * x[j + q];
			if (fabs(b) > thr)
				e = j;
		}
		uint32_t len = e - s + 1;
		if (len <= max_len && count < max)
			out[count++] = (mxd_click_span){ s, len, 20 * log10(peak / sigma) };
		i = f + 1;
	}
	return count;
}

/* ----------------------------------------------------------- clipping */

void mxd_clip_tracker_feed(mxd_clip_tracker *t, double x)
{
	double a = fabs(x);
	if (!isfinite(a))
		return;
	if (a > t->peak)
		t->peak = a;
	if (t->level > 0 && t->peak > t->level)
		t->level = 0; /* something went above it: not a clip level */
	t->run = a == t->prev && a > 0 ? t->run + 1 : 1;
	t->prev = a;
	if (t->run >= 3 && a >= t->peak && a >= 1e-3) /* at least -60 dBFS */
		t->level = a;
}

size_t mxd_declip_window(mxd_ar_work *w, double *x, uint8_t *clipped, uint32_t n, uint32_t from, uint32_t to,
			 double level, uint32_t max_run)
{
	if (!(level > 0) || to > n)
		return 0;
	const double thr = level * (1 - 1e-6);
	bool any = false;
	for (uint32_t i = from; i < to && !any; i++)
		any = fabs(x[i]) >= thr;
	if (!any)
		return 0;
	for (uint32_t i = 0; i < n; i++)
		clipped[i] = fabs(x[i]) >= thr ? (x[i] > 0 ? 1 : 2) : 0;
	if (mxd_ar_estimate_known(w, x, clipped, n, w->order) != 0)
		return 0;
	size_t restored = 0;
	uint8_t mask[512];
	for (uint32_t i = from; i < to;) {
		if (!clipped[i]) {
			i++;
			continue;
		}
		uint32_t s = i;
		while (i < n && clipped[i])
			i++;
		uint32_t len = i - s;
		if ((s == from && s > 0 && clipped[s - 1]) || len > max_run || len > sizeof mask)
			continue; /* the previous window's run, or too long to be a clip */
		memset(mask, 1, len);
		/* Active set: a sample restored below the clip level cannot be
		 * right (it was clipped, so it was at least there); fix it at the
		 * level and solve again for the others. */
		bool ok = false;
		for (uint32_t it = 0; it <= len; it++) {
			if (mxd_ar_interpolate(w, x, n, s, len, mask) != 0)
				break;
			ok = true;
			uint32_t viol = 0, left = 0;
			for (uint32_t q = 0; q < len; q++) {
				double sg = clipped[s + q] == 1 ? 1.0 : -1.0;
				if (mask[q] && sg * x[s + q] < level) {
					x[s + q] = sg * level;
					mask[q] = 0;
					viol++;
				}
				left += mask[q];
			}
			if (!viol || !left)
				break;
		}
		if (!ok)
			for (uint32_t q = 0; q < len; q++)
				x[s + q] = clipped[s + q] == 1 ? level : -level;
		restored += ok;
	}
	return restored;
}

/* ------------------------------------------------------------- framer */

int mxd_rp_framer_init(mxd_rp_framer *f, uint32_t pre, uint32_t hop, uint32_t post, uint32_t channels)
{
	memset(f, 0, sizeof *f);
	if (channels < 1 || channels > 16 || hop < 1)
		return -1;
	f->pre = pre;
	f->hop = hop;
	f->post = post;
	f->win = pre + hop + post;
	f->channels = channels;
	for (uint32_t c = 0; c < channels; c++) {
		f->buf[c] = calloc(f->win, sizeof(double));
		f->outq[c] = calloc(hop, sizeof(float));
		if (!f->buf[c] || !f->outq[c]) {
			mxd_rp_framer_free(f);
			return -1;
		}
	}
	return 0;
}

void mxd_rp_framer_free(mxd_rp_framer *f)
{
	for (uint32_t c = 0; c < 16; c++) {
		free(f->buf[c]);
		free(f->outq[c]);
	}
	memset(f, 0, sizeof *f);
}

void mxd_rp_framer_reset(mxd_rp_framer *f)
{
	for (uint32_t c = 0; c < f->channels; c++) {
		memset(f->buf[c], 0, f->win * sizeof(double));
		memset(f->outq[c], 0, f->hop * sizeof(float));
	}
	f->k = 0;
}

void mxd_rp_framer_run(mxd_rp_framer *f, float *const *io, uint32_t n, mxd_rp_window_fn fn, void *ctx)
{
	const uint32_t first_new = f->pre + f->post;
	for (uint32_t i = 0; i < n;) {
		uint32_t m = f->hop - f->k < n - i ? f->hop - f->k : n - i;
		for (uint32_t c = 0; c < f->channels; c++) {
			float *x = io[c] + i;
			double *b = f->buf[c] + first_new + f->k;
			const float *q = f->outq[c] + f->k;
			for (uint32_t j = 0; j < m; j++) {
				b[j] = isfinite(x[j]) ? x[j] : 0.0;
				x[j] = q[j];
			}
		}
		f->k += m;
		i += m;
		if (f->k < f->hop)
			continue;
		for (uint32_t c = 0; c < f->channels; c++) {
			double *b = f->buf[c];
			fn(ctx, c, b, f->win, f->pre, f->pre + f->hop);
			for (uint32_t j = 0; j < f->hop; j++) {
				double v = b[f->pre + j];
				f->outq[c][j] = isfinite(v) ? (float)v : 0.0f;
			}
			memmove(b, b + f->hop, (size_t)(f->win - f->hop) * sizeof *b);
		}
		f->k = 0;
	}
}

/* ------------------------------------------------------------ denoise */

double mxd_nz_band_centre(int b)
{
	return 20.0 * pow(1000.0, b / (double)(MXD_NZ_BANDS - 1));
}

double mxd_nz_window_power(void)
{
	return 3.0 * MXD_NZ_FFT / 8.0;
}

double mxd_nz_window(uint32_t n)
{
	return 0.5 - 0.5 * cos(2 * PI * n / MXD_NZ_FFT);
}

void mxd_nz_bins_from_bands(const double *band_db, double rate, double offset_db, double *lambda)
{
	mxd_nz_bins_from_bands_n(band_db, rate, offset_db, MXD_NZ_FFT, lambda);
}

void mxd_nz_bins_from_bands_n(const double *band_db, double rate, double offset_db, uint32_t n, double *lambda)
{
	const double wp = 3.0 * n / 8.0; /* sum of the squared Hann window of n */
	for (uint32_t k = 0; k <= n / 2; k++) {
		double f = k * rate / n, L;
		if (f <= mxd_nz_band_centre(0)) {
			L = band_db[0];
		} else if (f >= mxd_nz_band_centre(MXD_NZ_BANDS - 1)) {
			L = band_db[MXD_NZ_BANDS - 1];
		} else {
			double pos = (MXD_NZ_BANDS - 1) * log10(f / 20.0) / 3.0;
			int b = (int)pos;
			if (b >= MXD_NZ_BANDS - 1)
				b = MXD_NZ_BANDS - 2;
			double t = pos - b;
			L = band_db[b] * (1 - t) + band_db[b + 1] * t;
		}
		lambda[k] = pow(10.0, (L + offset_db) / 10.0) * wp;
	}
}

void mxd_nz_bands_from_bins(const double *power, double rate, double *band_db)
{
	const double wp = mxd_nz_window_power(), half = pow(2.0, 1.0 / 6.0), df = rate / MXD_NZ_FFT;
	for (int b = 0; b < MXD_NZ_BANDS; b++) {
		double c = mxd_nz_band_centre(b), lo = c / half, hi = c * half, sum = 0;
		uint32_t cnt = 0;
		for (uint32_t k = (uint32_t)ceil(lo / df); k <= MXD_NZ_FFT / 2 && k * df < hi; k++) {
			sum += power[k];
			cnt++;
		}
		if (cnt == 0) { /* narrower than a bin: the nearest bin */
			uint32_t k = (uint32_t)lround(c / df);
			sum = power[k > MXD_NZ_FFT / 2 ? MXD_NZ_FFT / 2 : k];
			cnt = 1;
		}
		double v = sum / cnt / wp;
		band_db[b] = v > 1e-15 ? 10 * log10(v) : -150.0;
	}
}

/* --------------------------------------------------------------- hum */

void mxd_hum_tracker_init(mxd_hum_tracker *t, double rate, double f_nom)
{
	memset(t, 0, sizeof *t);
	t->rate = rate;
	t->f_nom = t->f = t->f_prev = f_nom;
	t->block = (uint32_t)lround(MXD_HUM_BLOCK_S * rate);
	if (t->block < 16)
		t->block = 16;
}

bool mxd_hum_tracker_feed(mxd_hum_tracker *t, double x)
{
	if (!isfinite(x))
		x = 0;
	double wv = 0.5 - 0.5 * cos(2 * PI * (t->pos + 0.5) / t->block) * 1.0;
	double cr = cos(2 * PI * t->ph), ci = -sin(2 * PI * t->ph), hr = 1, hi = 0;
	for (int k = 0; k < MXD_HUM_TRACK_HARMONICS; k++) {
		double r = hr * cr - hi * ci, i = hr * ci + hi * cr;
		hr = r;
		hi = i;
		t->zr[k] += wv * x * hr;
		t->zi[k] += wv * x * hi;
	}
	t->ph += t->f / t->rate;
	t->ph -= floor(t->ph);
	if (++t->pos < t->block)
		return false;
	const double T = t->block / t->rate, norm = 2.0 / (t->block * 0.5);
	double power = 0, num = 0, den = 0;
	for (int k = 0; k < MXD_HUM_TRACK_HARMONICS; k++) {
		double a2 = (t->zr[k] * t->zr[k] + t->zi[k] * t->zi[k]) * norm * norm;
		power += a2;
		if (!t->have_prev)
			continue;
		/* Phase advance of harmonic k+1 between the block centres, against
		 * the oscillator: 2 pi (k+1) (f_true - f_osc) T. */
		double re = t->zr[k] * t->pr[k] + t->zi[k] * t->pi[k];
		double im = t->zi[k] * t->pr[k] - t->zr[k] * t->pi[k];
		double wk = hypot(re, im);
		if (wk > 0) {
			num += wk * atan2(im, re) / (2 * PI * (k + 1) * T);
			den += wk;
		}
	}
	t->power = power;
	double f_osc = 0.5 * (t->f_prev + t->f);
	t->f_prev = t->f;
	if (den > 1e-30 && isfinite(num / den)) {
		/* The measurement is the mean frequency between the two block
		 * centres, i.e. at the boundary between them; the next block's
		 * centre is 1.5 blocks later. */
		double est = f_osc + num / den;
		if (t->blocks >= 2) {
			double sl = (est - t->est) / T;
			sl = sl < -0.5 ? -0.5 : sl > 0.5 ? 0.5 : sl;
			t->slope = 0.5 * t->slope + 0.5 * sl;
		}
		t->est = est;
		double f = est + t->slope * 1.5 * T;
		f = f < t->f_nom - 0.6 ? t->f_nom - 0.6 : f > t->f_nom + 0.6 ? t->f_nom + 0.6 : f;
		t->f = f;
	}
	memcpy(t->pr, t->zr, sizeof t->pr);
	memcpy(t->pi, t->zi, sizeof t->pi);
	memset(t->zr, 0, sizeof t->zr);
	memset(t->zi, 0, sizeof t->zi);
	t->have_prev = true;
	t->pos = 0;
	t->blocks++;
	return true;
}
