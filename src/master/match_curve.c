/* mixdown — the reference-matching correction curve (dB per FFT bin) from two gated M/S spectra.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Steps (per channel X = mid, side; see match.h for why they differ from
 * Matchering's):
 *  1. Smoothing: on a log-frequency grid (24 points per octave from 10 Hz to
 *     Nyquist) both power spectra are averaged with a Hann window on the
 *     log2 f axis of full width 2 p->smooth_oct octaves (equivalent
 *     rectangular width p->smooth_oct: 1/3 octave), each bin weighted by
 *     1/f so the average is per octave, not per Hz (fractional-octave
 *     smoothing: Hatziantoniou & Mourjopoulos, JAES 48(4), 2000). The
 *     window never gets narrower than 1.5 bins each side, so low-frequency
 *     points always average several bins.
 *  2. Ratio: C_X = 10 log10(R_X / I_X) - G dB, with G the ratio of the two
 *     files' K-weighted smoothed powers summed over mid and side where the
 *     weights of step 3 are not 0 (a level offset only: it keeps the +-12 dB
 *     limit about tone, not level, and makes the faded regions continue the
 *     level of the matched ones, whatever a reference lacks, e.g. above its
 *     lowpass).
 *     p->ratio_first instead averages the per-bin dB ratio (Matchering's
 *     order; kept for measurements, see match.h).
 *  3. Limit to +-p->max_db, then fade to 0 dB with raised-cosine weights on
 *     log f: below 20 Hz (0 at 10 Hz), above min(16 kHz, 0.8 Nyquist) (0 at
 *     min(20 kHz, 0.95 Nyquist)), and where the quieter of the two smoothed
 *     spectra, as a one-third-octave band level, is less than 70 dB under its
 *     file's total power (0 at 90 dB under): there only noise floors,
 *     dither or a lowpass would be "matched".
 *  4. Scale by the amount (in dB), interpolate linearly on log f to the FFT
 *     bins, and subtract the one offset o (the same for mid and side, so the
 *     side/mid balance keeps the reference's) that makes the correction 0 dB
 *     at its loudness-weighted mean:
 *       o = 10 log10( sum_k K_k (I_M(k) 10^(C_M(k)/10) + I_S(k) 10^(C_S(k)/10))
 *                     / sum_k K_k (I_M(k) + I_S(k)) )
 *     over the input's unsmoothed gated spectrum, K_k the BS.1770 K-weighting
 *     power gain: the corrected input has the input's K-weighted power.
 * Mono input or mono reference: one curve from the per-speaker totals
 * P_M + P_S of both files (a mono file on two speakers: L = R = M; a stereo
 * file: (P_L + P_R) / 2 = P_M + P_S), i.e. the overall tone as heard; a mono
 * input has only M to correct, a stereo input gets the curve on M and S
 * alike (its width is kept: a mono reference says nothing about width).
 *
 * Threads: control thread (allocates a small grid).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "master/match_internal.h"

#define F0 10.0       /* Hz: lowest grid point */
#define PER_OCT 24.0  /* grid points per octave */
#define FLOOR_LO (-90.0) /* dB under the file's total power: no correction */
#define FLOOR_HI (-70.0) /* full correction */

mxd_match_params mxd_match_params_default(void)
{
	return (mxd_match_params){ .smooth_oct = 1.0 / 3.0, .max_db = 12.0, .gate_lu = 10.0, .ratio_first = false,
				   .avg = MXD_MATCH_AVG_POWER };
}

uint32_t mxd_match_fft_len(double rate)
{
	/* 8192 taps at 48 kHz: 5.9 Hz bins, enough for 1/3-octave detail down
	 * to ~40 Hz; scaled with the rate so the resolution in Hz stays. */
	double e = round(log2(8192.0 * rate / 48000.0));
	if (!(e >= 10.0))
		e = 10.0;
	if (e > 16.0)
		e = 16.0;
	return 1u << (int)e;
}

static double biquad_pow(const double b[3], const double a[2], double w)
{
	/* |B(e^jw)|^2 / |A(e^jw)|^2 with real arithmetic. */
	const double c1 = cos(w), s1 = sin(w), c2 = cos(2 * w), s2 = sin(2 * w);
	const double br = b[0] + b[1] * c1 + b[2] * c2, bi = -(b[1] * s1 + b[2] * s2);
	const double ar = 1.0 + a[0] * c1 + a[1] * c2, ai = -(a[0] * s1 + a[1] * s2);
	return (br * br + bi * bi) / (ar * ar + ai * ai);
}

double mxd_match_kweight(double hz)
{
	/* ITU-R BS.1770-5 Annex 1, Tables 1 and 2 (stages 1 and 2 at 48 kHz).
	 * Above 20 kHz the shelf is flat; clamping keeps 48 kHz coefficients
	 * meaningful for any rate. */
	static const double b1[3] = { 1.53512485958697, -2.69169618940638, 1.19839281085285 };
	static const double a1[2] = { -1.69065929318241, 0.73248077421585 };
	static const double b2[3] = { 1.0, -2.0, 1.0 };
	static const double a2[2] = { -1.99004745483398, 0.99007225036621 };
	if (hz > 20000.0)
		hz = 20000.0;
	if (!(hz > 0.0))
		return 0.0;
	const double w = 2.0 * M_PI * hz / 48000.0;
	return biquad_pow(b1, a1, w) * biquad_pow(b2, a2, w);
}

/* Raised cosine from 0 at x <= 0 to 1 at x >= 1. */
static double rcos(double x)
{
	if (x <= 0.0)
		return 0.0;
	if (x >= 1.0)
		return 1.0;
	return 0.5 - 0.5 * cos(M_PI * x);
}

/* Smoothed values at grid frequency f: sm[0..n_sp-1] of the spectra sp[],
 * and (ratio-first) the smoothed dB ratio of sp[1] over sp[0]. */
static void smooth_at(double f, double df, uint32_t bins, double half_oct, const double *const *sp, int n_sp,
		      double *sm, bool ratio_first, double *ratio_db)
{
	double h = half_oct, hmin = log2(1.0 + 1.5 * df / f);
	if (h < hmin)
		h = hmin;
	long k0 = (long)ceil(f * exp2(-h) / df), k1 = (long)floor(f * exp2(h) / df);
	if (k0 < 1)
		k0 = 1;
	if (k1 > (long)bins - 1)
		k1 = (long)bins - 1;
	double wsum = 0, acc[4] = { 0 }, rsum = 0;
	for (long k = k0; k <= k1; k++) {
		const double fk = (double)k * df, d = log2(fk / f) / h;
		if (fabs(d) >= 1.0)
			continue;
		const double w = (0.5 + 0.5 * cos(M_PI * d)) / fk;
		wsum += w;
		for (int i = 0; i < n_sp; i++)
			acc[i] += w * sp[i][k];
		if (ratio_first)
			rsum += w * 10.0 * log10((sp[1][k] + 1e-30) / (sp[0][k] + 1e-30));
	}
	for (int i = 0; i < n_sp; i++)
		sm[i] = wsum > 0 ? acc[i] / wsum : 0.0;
	if (ratio_first)
		*ratio_db = wsum > 0 ? rsum / wsum : 0.0;
}

static double total(const double *p, uint32_t bins)
{
	double s = 0;
	for (uint32_t k = 0; k < bins; k++)
		s += p[k];
	return s;
}

/* One channel on the grid: smoothed powers, dB ratio and weight (0..1). */
typedef struct {
	double *si, *sr, *r, *w; /* n_grid each */
} chan_grid;

static void channel_grid(const double *pi, const double *pr, double tot_i, double tot_r, const mxd_match_params *p,
			 double rate, uint32_t n, chan_grid *cg, size_t n_grid)
{
	const double df = rate / n, nyq = rate / 2;
	const double hi1 = fmin(16000.0, 0.8 * nyq), hi2 = fmin(20000.0, 0.95 * nyq);
	const double *sp[2] = { pi, pr };
	for (size_t g = 0; g < n_grid; g++) {
		const double f = F0 * exp2((double)g / PER_OCT);
		double sm[2], rdb = 0;
		smooth_at(f, df, n / 2 + 1, p->smooth_oct, sp, 2, sm, p->ratio_first, &rdb);
		/* One-third-octave band level of each smoothed spectrum against its
		 * file's total power (0.2316 f = the band's width in Hz). */
		const double band = 0.2316 * f / df;
		const double li = sm[0] > 0 && tot_i > 0 ? 10.0 * log10(sm[0] * band / tot_i) : -INFINITY;
		const double lr = sm[1] > 0 && tot_r > 0 ? 10.0 * log10(sm[1] * band / tot_r) : -INFINITY;
		const double w_floor = rcos((fmin(li, lr) - FLOOR_LO) / (FLOOR_HI - FLOOR_LO));
		const double w_lo = rcos(log2(f / F0));
		const double w_hi = f >= hi2 ? 0.0 : f <= hi1 ? 1.0 : 1.0 - rcos(log2(f / hi1) / log2(hi2 / hi1));
		cg->si[g] = sm[0];
		cg->sr[g] = sm[1];
		cg->w[g] = w_floor * w_lo * w_hi;
		cg->r[g] = cg->w[g] > 0.0 ? (p->ratio_first ? rdb : 10.0 * log10(sm[1] / sm[0])) : 0.0;
	}
}

/* Accumulate the K-weighted smoothed powers where the correction acts (for
 * G): each grid point stands for a width proportional to f. */
static void g_sums(const chan_grid *cg, size_t n_grid, double *ki, double *kr)
{
	for (size_t g = 0; g < n_grid; g++) {
		const double f = F0 * exp2((double)g / PER_OCT), kw = cg->w[g] * mxd_match_kweight(f) * f;
		*ki += kw * cg->si[g];
		*kr += kw * cg->sr[g];
	}
}

static void grid_curve(const chan_grid *cg, size_t n_grid, double g_db, double max_db, double amount, double *grid)
{
	for (size_t g = 0; g < n_grid; g++) {
		double c = cg->r[g] - g_db;
		if (c > max_db)
			c = max_db;
		if (c < -max_db)
			c = -max_db;
		grid[g] = cg->w[g] > 0.0 ? c * cg->w[g] * amount : 0.0;
	}
}

/* Grid (log f) -> bins, linear in log2 f; held flat outside the grid. */
static void to_bins(const double *grid, size_t n_grid, double df, uint32_t bins, double *out)
{
	for (uint32_t k = 0; k < bins; k++) {
		const double f = k * df;
		if (f <= F0) {
			out[k] = grid[0];
			continue;
		}
		const double u = log2(f / F0) * PER_OCT;
		const size_t i = (size_t)u;
		if (i + 1 >= n_grid) {
			out[k] = grid[n_grid - 1];
			continue;
		}
		const double t = u - (double)i;
		out[k] = grid[i] + t * (grid[i + 1] - grid[i]);
	}
}

int mxd_match_curve_design(const mxd_match_spec *in, uint32_t in_channels, const mxd_match_spec *ref, double amount,
			   const mxd_match_params *p, double *cm, double *cs)
{
	const uint32_t n = in->n, bins = in->bins;
	const double rate = in->rate, df = rate / n;
	const bool stereo = in_channels > 1, both = stereo && ref->file_channels > 1;
	size_t n_grid = (size_t)floor(log2(rate / 2 / F0) * PER_OCT) + 1;
	if (n_grid < 2)
		n_grid = 2;
	double *mem = calloc(10 * n_grid + 2 * (size_t)bins, sizeof(double));
	if (!mem)
		return -1;
	chan_grid cg[2] = { { mem, mem + n_grid, mem + 2 * n_grid, mem + 3 * n_grid },
			    { mem + 4 * n_grid, mem + 5 * n_grid, mem + 6 * n_grid, mem + 7 * n_grid } };
	double *gm = mem + 8 * n_grid, *gs = mem + 9 * n_grid, *ti = mem + 10 * n_grid, *tr = ti + bins;
	const double tot_i = total(in->qm, bins) + total(in->qs, bins);
	const double tot_r = total(ref->qm, bins) + total(ref->qs, bins);
	if (both) {
		channel_grid(in->qm, ref->qm, tot_i, tot_r, p, rate, n, &cg[0], n_grid);
		channel_grid(in->qs, ref->qs, tot_i, tot_r, p, rate, n, &cg[1], n_grid);
	} else {
		/* Either file mono: match the per-speaker total P_M + P_S (what a
		 * listener hears of each file's tone) with one curve, for M and S. */
		for (uint32_t k = 0; k < bins; k++) {
			ti[k] = in->qm[k] + in->qs[k];
			tr[k] = ref->qm[k] + ref->qs[k];
		}
		channel_grid(ti, tr, tot_i, tot_r, p, rate, n, &cg[0], n_grid);
	}
	/* Level offset G: K-weighted power ratio over where the correction acts,
	 * mid and side together (so it does not depend on faded regions). */
	double ki = 0, kr = 0;
	g_sums(&cg[0], n_grid, &ki, &kr);
	if (both)
		g_sums(&cg[1], n_grid, &ki, &kr);
	const double g_db = ki > 0 && kr > 0 ? 10.0 * log10(kr / ki) : 0.0;
	grid_curve(&cg[0], n_grid, g_db, p->max_db, amount, gm);
	if (both)
		grid_curve(&cg[1], n_grid, g_db, p->max_db, amount, gs);
	else
		memcpy(gs, gm, n_grid * sizeof *gs);
	to_bins(gm, n_grid, df, bins, cm);
	to_bins(gs, n_grid, df, bins, cs);
	free(mem);
	/* Normalize to 0 dB at the loudness-weighted mean (see the header). */
	double num = 0, den = 0;
	for (uint32_t k = 0; k < bins; k++) {
		const double kw = mxd_match_kweight(k * df);
		num += kw * in->pm[k] * pow(10.0, cm[k] / 10.0);
		den += kw * in->pm[k];
		if (stereo) {
			num += kw * in->ps[k] * pow(10.0, cs[k] / 10.0);
			den += kw * in->ps[k];
		}
	}
	const double o = num > 0 && den > 0 ? 10.0 * log10(num / den) : 0.0;
	for (uint32_t k = 0; k < bins; k++) {
		cm[k] -= o;
		cs[k] = stereo ? cs[k] - o : 0.0;
	}
	return 0;
}
