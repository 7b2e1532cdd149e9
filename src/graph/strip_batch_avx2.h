/* mixdown — the compressor kernel of graph/strip_batch.c in AVX2 intrinsics
 * (the compiler does not vectorize its selects and bit operations by itself).
 * Included by strip_batch.c after strip_batch_kernels.h. Four lanes per
 * vector; the operations and their order are those of comp_block() and of
 * mxd_dyn_db_fast() / mxd_dyn_gain_fast() (dsp/dynamics.h), separate multiply
 * and add (no FMA), so the bits equal the scalar processor's.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Threads: the engine's thread; no allocation.
 */
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))

AVX2 static inline __m256d v_set(double v) { return _mm256_set1_pd(v); }

/* mxd_dyn_db_fast() on four lanes (mag >= 0). */
AVX2 static inline __m256d v_db_fast(__m256d mag)
{
	const __m256d ok = _mm256_and_pd(_mm256_cmp_pd(mag, v_set(1e-10), _CMP_GT_OQ),
					 _mm256_cmp_pd(mag, v_set(1e300), _CMP_LT_OQ));
	const __m256i u = _mm256_castpd_si256(_mm256_blendv_pd(v_set(1.0), mag, ok));
	__m256d e = _mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(u, 52),
							_mm256_set1_epi64x(0x4330000000000000ll)));
	e = _mm256_sub_pd(_mm256_sub_pd(e, v_set(4503599627370496.0)), v_set(1023.0));
	__m256d m = _mm256_castsi256_pd(_mm256_or_si256(_mm256_and_si256(u, _mm256_set1_epi64x(0x000FFFFFFFFFFFFFll)),
							_mm256_set1_epi64x(0x3FF0000000000000ll)));
	const __m256d big = _mm256_cmp_pd(m, v_set(1.4142135623730951), _CMP_GT_OQ);
	m = _mm256_blendv_pd(m, _mm256_mul_pd(m, v_set(0.5)), big);
	e = _mm256_blendv_pd(e, _mm256_add_pd(e, v_set(1.0)), big);
	const __m256d t = _mm256_div_pd(_mm256_sub_pd(m, v_set(1.0)), _mm256_add_pd(m, v_set(1.0)));
	const __m256d t2 = _mm256_mul_pd(t, t);
	__m256d p = v_set(1.0 / 9.0);
	p = _mm256_add_pd(_mm256_mul_pd(p, t2), v_set(1.0 / 7.0));
	p = _mm256_add_pd(_mm256_mul_pd(p, t2), v_set(1.0 / 5.0));
	p = _mm256_add_pd(_mm256_mul_pd(p, t2), v_set(1.0 / 3.0));
	p = _mm256_add_pd(_mm256_mul_pd(p, t2), v_set(1.0));
	const __m256d ln = _mm256_add_pd(_mm256_mul_pd(e, v_set(0.6931471805599453)),
					 _mm256_mul_pd(_mm256_mul_pd(v_set(2.0), t), p));
	return _mm256_blendv_pd(v_set(MXD_DYN_FLOOR_DB), _mm256_mul_pd(ln, v_set(8.685889638065037)), ok);
}

/* mxd_dyn_gain_fast() on four lanes (finite db). */
AVX2 static inline __m256d v_gain_fast(__m256d db)
{
	__m256d y = _mm256_mul_pd(db, v_set(0.16609640474436813));
	y = _mm256_min_pd(_mm256_max_pd(y, v_set(-1000.0)), v_set(1000.0));
	const __m256d big = _mm256_add_pd(y, v_set(6755399441055744.0));
	const __m256d k = _mm256_sub_pd(big, v_set(6755399441055744.0));
	const __m256d f = _mm256_mul_pd(_mm256_sub_pd(y, k), v_set(0.6931471805599453));
	static const double c[] = { 1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0,
				    1.0 / 6.0,     0.5,          1.0,          1.0 };
	__m256d p = v_set(1.0 / 362880.0);
	for (int i = 0; i < 9; i++)
		p = _mm256_add_pd(_mm256_mul_pd(p, f), v_set(c[i]));
	__m256i sb = _mm256_sub_epi64(_mm256_castpd_si256(big), _mm256_set1_epi64x(0x4338000000000000ll));
	sb = _mm256_slli_epi64(_mm256_add_epi64(sb, _mm256_set1_epi64x(1023)), 52);
	return _mm256_mul_pd(p, _mm256_castsi256_pd(sb));
}

/* comp_block() with four lanes per step; the remainder of each row of S
 * strips goes through the scalar expressions. */
AVX2 static void comp_block_avx2i(double *restrict x, uint32_t S, uint32_t C, uint32_t m, const double *restrict p,
				  double *restrict y1, double *restrict y, double *restrict lvl, double *restrict lk)
{
	const uint32_t L = S * C;
	const double *thr = p + CP_THR * S, *slope = p + CP_SLOPE * S, *knee = p + CP_KNEE * S;
	const double *link = p + CP_LINK * S, *mk = p + CP_MAKEUP * S, *aa = p + CP_ATT * S, *ar = p + CP_REL * S;
	const __m256d sign = v_set(-0.0), one = v_set(1.0), zero = _mm256_setzero_pd();
	const __m256d flush = v_set(MXD_DYN_FLUSH_DB);
	for (uint32_t i = 0; i < m; i++) {
		double *restrict xi = x + (size_t)i * L;
		uint32_t l = 0;
		for (; l + 4 <= L; l += 4)
			_mm256_storeu_pd(lvl + l, v_db_fast(_mm256_andnot_pd(sign, _mm256_loadu_pd(xi + l))));
		for (; l < L; l++)
			lvl[l] = mxd_dyn_db_fast(fabs(xi[l]));
		for (uint32_t s = 0; s < S; s++)
			lk[s] = MXD_DYN_FLOOR_DB;
		for (uint32_t c = 0; c < C; c++)
			for (uint32_t s = 0; s < S; s++)
				lk[s] = lvl[c * S + s] > lk[s] ? lvl[c * S + s] : lk[s];
		for (uint32_t c = 0; c < C; c++) {
			uint32_t s = 0;
			for (; s + 4 <= S; s += 4) {
				const uint32_t q = c * S + s;
				const __m256d lnk = _mm256_loadu_pd(link + s), w = _mm256_loadu_pd(knee + s);
				const __m256d sl = _mm256_loadu_pd(slope + s);
				const __m256d lv = _mm256_add_pd(_mm256_mul_pd(lnk, _mm256_loadu_pd(lk + s)),
								 _mm256_mul_pd(_mm256_sub_pd(one, lnk), _mm256_loadu_pd(lvl + q)));
				const __m256d d = _mm256_sub_pd(lv, _mm256_loadu_pd(thr + s));
				const __m256d kk = _mm256_add_pd(d, _mm256_mul_pd(v_set(0.5), w));
				const __m256d hard = _mm256_and_pd(_mm256_cmp_pd(d, zero, _CMP_GT_OQ), _mm256_mul_pd(sl, d));
				const __m256d d2 = _mm256_mul_pd(v_set(2.0), d), nw = _mm256_xor_pd(w, sign);
				const __m256d in_knee = _mm256_and_pd(_mm256_cmp_pd(d2, w, _CMP_LE_OQ),
								      _mm256_cmp_pd(w, zero, _CMP_GT_OQ));
				__m256d xl = hard;
				if (_mm256_movemask_pd(in_knee)) /* the division only when a lane is in the knee */
					xl = _mm256_blendv_pd(hard, _mm256_div_pd(_mm256_mul_pd(_mm256_mul_pd(sl, kk), kk),
										  _mm256_mul_pd(v_set(2.0), w)),
							      in_knee);
				xl = _mm256_andnot_pd(_mm256_cmp_pd(d2, nw, _CMP_LT_OQ), xl);
				const __m256d a_r = _mm256_loadu_pd(ar + s), a_a = _mm256_loadu_pd(aa + s);
				const __m256d r = _mm256_add_pd(_mm256_mul_pd(a_r, _mm256_loadu_pd(y1 + q)),
								_mm256_mul_pd(_mm256_sub_pd(one, a_r), xl));
				const __m256d a1 = _mm256_blendv_pd(r, xl, _mm256_cmp_pd(xl, r, _CMP_GT_OQ));
				const __m256d e = _mm256_add_pd(_mm256_mul_pd(a_a, _mm256_loadu_pd(y + q)),
								_mm256_mul_pd(_mm256_sub_pd(one, a_a), a1));
				_mm256_storeu_pd(y1 + q, _mm256_andnot_pd(_mm256_cmp_pd(a1, flush, _CMP_LT_OQ), a1));
				const __m256d ye = _mm256_andnot_pd(_mm256_cmp_pd(e, flush, _CMP_LT_OQ), e);
				_mm256_storeu_pd(y + q, ye);
				const __m256d g = _mm256_sub_pd(_mm256_loadu_pd(mk + s), ye);
				const __m256d a = _mm256_cvtps_pd(_mm256_cvtpd_ps(_mm256_loadu_pd(xi + q)));
				const __m256d out = _mm256_cvtps_pd(_mm256_cvtpd_ps(_mm256_mul_pd(a, v_gain_fast(g))));
				_mm256_storeu_pd(xi + q, _mm256_blendv_pd(out, a, _mm256_cmp_pd(g, zero, _CMP_EQ_OQ)));
			}
			for (; s < S; s++) {
				const uint32_t q = c * S + s;
				double lv = link[s] * lk[s] + (1.0 - link[s]) * lvl[q];
				double xl = mxd_dyn_compress_gr(lv, thr[s], slope[s], knee[s]);
				mxd_dyn_env en = { y1[q], y[q] };
				double ye = mxd_dyn_decoupled(&en, xl, aa[s], ar[s]);
				y1[q] = en.y1;
				y[q] = en.y;
				double g = mk[s] - ye;
				float a = (float)xi[q];
				xi[q] = g == 0.0 ? (double)a : (double)(float)(a * mxd_dyn_gain_fast(g));
			}
		}
	}
}
