/* mixdown — fitting a cascade of peaking filters to a measured curve (the
 * earbud model of `mixdown translate`).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One RBJ peaking section per curve point, as in a graphic equalizer whose
 * bands sit at the points. Neighbouring sections overlap, so the gains are
 * not the curve's values: they are solved with the interaction between
 * bands taken into account, as in the "accurate cascade graphic equalizer"
 * of V. Valimaki and J. Liski (IEEE Signal Processing Letters 24(2), 2017),
 * here by Gauss-Newton iterations on the exact digital responses instead of
 * their one-shot least squares with a fixed interaction matrix: the dB
 * response of a cascade is the sum of its sections' dB responses, so the
 * Jacobian entry (i, j) is the slope of section j's response at point i with
 * respect to its own gain. Each section's bandwidth is the mean distance (in
 * octaves) to its neighbouring points, converted to Q with the cookbook's
 * 1/Q = 2 sinh(ln(2)/2 * BW).
 *
 * Units: Hz, dB. No allocation (at most MXD_FIT_MAX points; about 13 KB of stack).
 * Threads: any (pure function of its arguments).
 */
#include <math.h>

#include "translate/systems.h"

#define MXD_FIT_MAX 40
#define MXD_FIT_ITER 12
#define MXD_FIT_STEP 0.1 /* dB: gain step of the numerical derivative */

static double q_of(const double *hz, uint32_t n, uint32_t i)
{
	double lo = i > 0 ? log2(hz[i] / hz[i - 1]) : -1.0;
	double hi = i + 1 < n ? log2(hz[i + 1] / hz[i]) : -1.0;
	double bw = lo > 0 && hi > 0 ? 0.5 * (lo + hi) : lo > 0 ? lo : hi > 0 ? hi : 1.0;
	return 1.0 / (2.0 * sinh(0.5 * log(2.0) * bw));
}

static double peak_db(double rate, double hz, double q, double gain, double at)
{
	mxd_biquad b;
	double db;
	mxd_biquad_design(&b, MXD_BQ_PEAK, rate, hz, q, gain);
	mxd_biquad_response(&b, rate, at, &db, NULL);
	return db;
}

/* Solve a x = b (n x n, row-major, destroyed) by Gaussian elimination with
 * partial pivoting. Returns -1 when singular. */
static int solve(double *a, double *b, uint32_t n)
{
	for (uint32_t c = 0; c < n; c++) {
		uint32_t p = c;
		for (uint32_t r = c + 1; r < n; r++)
			if (fabs(a[r * n + c]) > fabs(a[p * n + c]))
				p = r;
		if (fabs(a[p * n + c]) < 1e-9)
			return -1;
		if (p != c) {
			for (uint32_t k = 0; k < n; k++) {
				double t = a[c * n + k];
				a[c * n + k] = a[p * n + k];
				a[p * n + k] = t;
			}
			double t = b[c];
			b[c] = b[p];
			b[p] = t;
		}
		for (uint32_t r = c + 1; r < n; r++) {
			double f = a[r * n + c] / a[c * n + c];
			for (uint32_t k = c; k < n; k++)
				a[r * n + k] -= f * a[c * n + k];
			b[r] -= f * b[c];
		}
	}
	for (uint32_t c = n; c-- > 0;) {
		double s = b[c];
		for (uint32_t k = c + 1; k < n; k++)
			s -= a[c * n + k] * b[k];
		b[c] = s / a[c * n + c];
	}
	return 0;
}

double mxd_tr_fit_peaks(const mxd_biquad *pre, uint32_t np, const double *hz, const double *db, uint32_t n,
			double rate, mxd_biquad *out)
{
	if (n > MXD_FIT_MAX)
		n = MXD_FIT_MAX;
	double q[MXD_FIT_MAX], g[MXD_FIT_MAX], base[MXD_FIT_MAX], err[MXD_FIT_MAX];
	double jac[MXD_FIT_MAX * MXD_FIT_MAX]; /* 12.8 KB */
	for (uint32_t i = 0; i < n; i++) {
		q[i] = q_of(hz, n, i);
		base[i] = 0.0;
		for (uint32_t s = 0; s < np; s++) {
			double d;
			mxd_biquad_response(&pre[s], rate, hz[i], &d, NULL);
			base[i] += d;
		}
		g[i] = db[i] - base[i]; /* first guess: no interaction */
	}
	double worst = INFINITY;
	for (int it = 0; it <= MXD_FIT_ITER; it++) {
		worst = 0.0;
		for (uint32_t i = 0; i < n; i++) {
			double r = base[i];
			for (uint32_t j = 0; j < n; j++)
				r += peak_db(rate, hz[j], q[j], g[j], hz[i]);
			err[i] = db[i] - r;
			if (fabs(err[i]) > worst)
				worst = fabs(err[i]);
		}
		if (worst < 0.002 || it == MXD_FIT_ITER)
			break;
		for (uint32_t j = 0; j < n; j++)
			for (uint32_t i = 0; i < n; i++)
				jac[i * n + j] = (peak_db(rate, hz[j], q[j], g[j] + MXD_FIT_STEP, hz[i]) -
						  peak_db(rate, hz[j], q[j], g[j], hz[i])) / MXD_FIT_STEP;
		if (solve(jac, err, n))
			break;
		for (uint32_t j = 0; j < n; j++)
			g[j] += err[j];
	}
	for (uint32_t j = 0; j < n; j++)
		mxd_biquad_design(&out[j], MXD_BQ_PEAK, rate, hz[j], q[j], g[j]);
	return worst;
}
