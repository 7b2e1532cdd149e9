/* mixdown — the inner loops of graph/strip_batch.c, included there twice: once
 * for the baseline instruction set and once for AVX2 (KATTR, KSFX), chosen at
 * run time. Lanes are contiguous, so each loop over lanes vectorizes. AVX2
 * without FMA: every operation is the IEEE 754 double operation the scalar
 * processors perform (no contraction), so all versions give the same bits.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * x: m frames of L lanes, x[i * L + l], double holding the signal.
 * Threads: the engine's thread; no allocation.
 */

/* Lane l of x from src[l][0..m-1] (floats, exactly as double). */
KATTR static inline void KSFX(load_lane)(double *restrict x, uint32_t L, uint32_t l, uint32_t m, const float *src)
{
	for (uint32_t i = 0; i < m; i++)
		x[(size_t)i * L + l] = src[i];
}

/* Whether the n values of x are all finite: integer operations only (they
 * vectorize); an exponent field of all ones (Inf, NaN) plus one exponent
 * step carries into the sign bit. */
KATTR static bool KSFX(all_finite)(const double *restrict x, size_t n)
{
	const uint64_t exp_mask = 0x7FF0000000000000ull, exp_one = 0x0010000000000000ull;
	uint64_t carry = 0;
	for (size_t k = 0; k < n; k++) {
		uint64_t u;
		memcpy(&u, &x[k], sizeof u);
		carry |= (u & exp_mask) + exp_one;
	}
	return (carry >> 63) == 0;
}

KATTR static bool KSFX(load_lanes)(double *restrict x, uint32_t L, uint32_t m, const float *const *src)
{
	for (uint32_t l = 0; l < L; l++)
		KSFX(load_lane)(x, L, l, m, src[l]);
	return KSFX(all_finite)(x, (size_t)m * L);
}

/* Lane l of x, rounded to float, into o[0..m). */
KATTR static inline void KSFX(store_lane)(float *o, const double *restrict x, uint32_t L, uint32_t l, uint32_t m)
{
	for (uint32_t i = 0; i < m; i++)
		o[i] = (float)x[(size_t)i * L + l];
}

KATTR static bool KSFX(store_lanes)(float *const *out, uint32_t pos, const double *restrict x, uint32_t L, uint32_t m)
{
	for (uint32_t l = 0; l < L; l++)
		KSFX(store_lane)(out[l] + pos, x, L, l, m);
	return KSFX(all_finite)(x, (size_t)m * L);
}

/* One biquad section (TDF-II, double state) on lane l of x (frames of L
 * lanes); `round`: the section ends an EQ band, whose output run() stores
 * as float. Mirrors mxd_biquad_chain_process(), the state in registers for
 * the m frames. */
KATTR static inline void KSFX(eq_lane)(double *restrict x, uint32_t L, uint32_t l, uint32_t m,
					const double *restrict k, double *restrict s1, double *restrict s2, bool round)
{
	const double b0 = k[l], b1 = k[L + l], b2 = k[2 * L + l], a1 = k[3 * L + l], a2 = k[4 * L + l];
	double z1 = s1[l], z2 = s2[l];
	for (uint32_t i = 0; i < m; i++) {
		double *xi = x + (size_t)i * L + l;
		double v = *xi;
		double y = b0 * v + z1;
		z1 = b1 * v - a1 * y + z2;
		z2 = b2 * v - a2 * y;
		*xi = round ? (double)(float)y : y;
	}
	s1[l] = z1;
	s2[l] = z2;
}

/* The section on every lane. */
KATTR static void KSFX(eq_section)(double *restrict x, uint32_t L, uint32_t m, const double *restrict k,
				   double *restrict s1, double *restrict s2, bool round)
{
	for (uint32_t l = 0; l < L; l++)
		KSFX(eq_lane)(x, L, l, m, k, s1, s2, round);
}

/* Two consecutive sections (the second's coefficients and state follow the
 * first's: k + 5 L, s + 2 L) on every lane, one after the other. */
KATTR static void KSFX(eq_pair)(double *restrict x, uint32_t L, uint32_t m, const double *restrict k,
				double *restrict s, bool round_a, bool round_b)
{
	KSFX(eq_section)(x, L, m, k, s, s + L, round_a);
	KSFX(eq_section)(x, L, m, k + 5 * (size_t)L, s + 2 * (size_t)L, s + 3 * (size_t)L, round_b);
}

/* The compressor's plain case (fx_compressor.c comp_run with a peak detector)
 * on S strips of C channels, lane c * S + s. p: per-strip parameters (P_*
 * rows of S); y1, y: the decoupled detector of each lane; lvl: L scratch,
 * lk: S scratch. */
KATTR static void KSFX(comp_block)(double *restrict x, uint32_t S, uint32_t C, uint32_t m, const double *restrict p,
				   double *restrict y1, double *restrict y, double *restrict lvl, double *restrict lk)
{
	const uint32_t L = S * C;
	const double *thr = p + CP_THR * S, *slope = p + CP_SLOPE * S, *knee = p + CP_KNEE * S;
	const double *link = p + CP_LINK * S, *mk = p + CP_MAKEUP * S, *aa = p + CP_ATT * S, *ar = p + CP_REL * S;
	for (uint32_t i = 0; i < m; i++) {
		double *restrict xi = x + (size_t)i * L;
		for (uint32_t l = 0; l < L; l++)
			lvl[l] = mxd_dyn_db_fastf(fabsf((float)xi[l]));
		for (uint32_t s = 0; s < S; s++)
			lk[s] = MXD_DYN_FLOOR_DB;
		for (uint32_t c = 0; c < C; c++)
			for (uint32_t s = 0; s < S; s++)
				lk[s] = lvl[c * S + s] > lk[s] ? lvl[c * S + s] : lk[s];
		for (uint32_t c = 0; c < C; c++)
			for (uint32_t s = 0; s < S; s++) {
				const uint32_t l = c * S + s;
				/* mxd_dyn_compress_gr(), every branch computed, one selected */
				double lv = link[s] * lk[s] + (1.0 - link[s]) * lvl[l];
				double w = knee[s], d = lv - thr[s], kk = d + 0.5 * w;
				double soft = slope[s] * kk * kk * (0.5 / w), hard = d > 0.0 ? slope[s] * d : 0.0;
				double xl = 2.0 * d < -w ? 0.0 : (2.0 * d <= w && w > 0.0) ? soft : hard;
				/* mxd_dyn_decoupled() */
				double r = ar[s] * y1[l] + (1.0 - ar[s]) * xl;
				double a1 = xl > r ? xl : r;
				double e = aa[s] * y[l] + (1.0 - aa[s]) * a1;
				y1[l] = a1 < MXD_DYN_FLUSH_DB ? 0.0 : a1;
				y[l] = e < MXD_DYN_FLUSH_DB ? 0.0 : e;
				double g = mk[s] - y[l];
				float a = (float)xi[l];
				xi[l] = g == 0.0 ? (double)a : (double)(a * mxd_dyn_gain_fastf((float)g));
			}
	}
}
