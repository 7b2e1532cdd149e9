/* mixdown — the compressor kernel of graph/strip_batch.c in AVX2 intrinsics
 * (the compiler does not vectorize its selects and bit operations by itself).
 * Included by strip_batch.c after strip_batch_kernels.h. The level and the
 * gain (mxd_dyn_db_fastf() / mxd_dyn_gain_fastf(), dsp/dynamics.h) run in
 * single precision on eight lanes per vector, the gain computer and the
 * envelope in double on four; the operations and their order are those of
 * comp_block(), separate multiply and add (no FMA), so the bits equal the
 * scalar processor's.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Threads: the engine's thread; no allocation.
 */
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))

AVX2 static inline __m256d v_set(double v) { return _mm256_set1_pd(v); }
AVX2 static inline __m256 vf_set(float v) { return _mm256_set1_ps(v); }
AVX2 static inline __m256i vi_set(int32_t v) { return _mm256_set1_epi32(v); }

/* Eight doubles (float-valued) as floats, and back. */
AVX2 static inline __m256 v_load8(const double *p)
{
	return _mm256_set_m128(_mm256_cvtpd_ps(_mm256_loadu_pd(p + 4)), _mm256_cvtpd_ps(_mm256_loadu_pd(p)));
}

AVX2 static inline void v_store8(double *p, __m256 v)
{
	_mm256_storeu_pd(p, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
	_mm256_storeu_pd(p + 4, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
}

/* mxd_dyn_db_fastf() on eight lanes (mag >= 0). */
AVX2 static inline __m256 v_db_fastf(__m256 mag)
{
	const __m256 one = vf_set(1.0f);
	const __m256 ok = _mm256_and_ps(_mm256_cmp_ps(mag, vf_set(1e-10f), _CMP_GT_OQ),
					_mm256_cmp_ps(mag, vf_set(1e30f), _CMP_LT_OQ));
	const __m256i u = _mm256_castps_si256(_mm256_blendv_ps(one, mag, ok));
	__m256 e = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(u, 23), vi_set(127)));
	__m256 m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(u, vi_set(0x007FFFFF)), vi_set(0x3F800000)));
	const __m256 big = _mm256_cmp_ps(m, vf_set(1.41421356f), _CMP_GT_OQ);
	m = _mm256_blendv_ps(m, _mm256_mul_ps(m, vf_set(0.5f)), big);
	e = _mm256_blendv_ps(e, _mm256_add_ps(e, one), big);
	const __m256 t = _mm256_div_ps(_mm256_sub_ps(m, one), _mm256_add_ps(m, one));
	const __m256 t2 = _mm256_mul_ps(t, t);
	__m256 p = vf_set(1.0f / 7.0f);
	p = _mm256_add_ps(_mm256_mul_ps(p, t2), vf_set(1.0f / 5.0f));
	p = _mm256_add_ps(_mm256_mul_ps(p, t2), vf_set(1.0f / 3.0f));
	p = _mm256_add_ps(_mm256_mul_ps(p, t2), one);
	const __m256 ln = _mm256_add_ps(_mm256_mul_ps(e, vf_set(0.693147181f)),
					_mm256_mul_ps(_mm256_mul_ps(vf_set(2.0f), t), p));
	return _mm256_blendv_ps(vf_set((float)MXD_DYN_FLOOR_DB), _mm256_mul_ps(ln, vf_set(8.68588964f)), ok);
}

/* mxd_dyn_gain_fastf() on eight lanes (finite db). */
AVX2 static inline __m256 v_gain_fastf(__m256 db)
{
	__m256 y = _mm256_mul_ps(db, vf_set(0.166096404f));
	y = _mm256_min_ps(_mm256_max_ps(y, vf_set(-126.0f)), vf_set(126.0f));
	const __m256 big = _mm256_add_ps(y, vf_set(12582912.0f));
	const __m256 k = _mm256_sub_ps(big, vf_set(12582912.0f));
	const __m256 f = _mm256_mul_ps(_mm256_sub_ps(y, k), vf_set(0.693147181f));
	static const float c[] = { 1.0f / 720.0f, 1.0f / 120.0f, 1.0f / 24.0f, 1.0f / 6.0f, 0.5f, 1.0f, 1.0f };
	__m256 p = vf_set(1.0f / 5040.0f);
	for (int i = 0; i < 7; i++)
		p = _mm256_add_ps(_mm256_mul_ps(p, f), vf_set(c[i]));
	__m256i sb = _mm256_sub_epi32(_mm256_castps_si256(big), vi_set(0x4B400000));
	sb = _mm256_slli_epi32(_mm256_add_epi32(sb, vi_set(127)), 23);
	return _mm256_mul_ps(p, _mm256_castsi256_ps(sb));
}

/* Finiteness on the way: v - v is 0 for a finite v and NaN for Inf or NaN,
 * and a NaN stays in a running sum, so one sum per call tells whether
 * every value moved was finite. */
AVX2 static inline __m128 fin_acc(__m128 acc, __m128 r0, __m128 r1, __m128 r2, __m128 r3)
{
	const __m128 a = _mm_add_ps(_mm_sub_ps(r0, r0), _mm_sub_ps(r1, r1));
	const __m128 b = _mm_add_ps(_mm_sub_ps(r2, r2), _mm_sub_ps(r3, r3));
	return _mm_add_ps(acc, _mm_add_ps(a, b));
}

AVX2 static inline bool fin_ok(__m128 acc, float tail)
{
	return _mm_movemask_ps(_mm_cmpunord_ps(acc, acc)) == 0 && tail == tail;
}

/* load_lanes() four lanes by four frames at a time: a 4 x 4 transpose of
 * floats, each row widened to doubles (exact); true when all are finite. */
AVX2 static bool load_lanes_avx2i(double *restrict x, uint32_t L, uint32_t m, const float *const *src)
{
	__m128 acc = _mm_setzero_ps();
	float tail = 0.0f;
	uint32_t l = 0;
	for (; l + 4 <= L; l += 4) {
		const float *s0 = src[l], *s1 = src[l + 1], *s2 = src[l + 2], *s3 = src[l + 3];
		uint32_t i = 0;
		for (; i + 4 <= m; i += 4) {
			__m128 r0 = _mm_loadu_ps(s0 + i), r1 = _mm_loadu_ps(s1 + i);
			__m128 r2 = _mm_loadu_ps(s2 + i), r3 = _mm_loadu_ps(s3 + i);
			acc = fin_acc(acc, r0, r1, r2, r3);
			_MM_TRANSPOSE4_PS(r0, r1, r2, r3); /* now r_k: frame i + k of the four lanes */
			double *xi = x + (size_t)i * L + l;
			_mm256_storeu_pd(xi, _mm256_cvtps_pd(r0));
			_mm256_storeu_pd(xi + L, _mm256_cvtps_pd(r1));
			_mm256_storeu_pd(xi + 2 * (size_t)L, _mm256_cvtps_pd(r2));
			_mm256_storeu_pd(xi + 3 * (size_t)L, _mm256_cvtps_pd(r3));
		}
		for (; i < m; i++)
			for (uint32_t k = 0; k < 4; k++) {
				const float v = src[l + k][i];
				tail += v - v;
				x[(size_t)i * L + l + k] = v;
			}
	}
	for (; l < L; l++) {
		load_lane_base(x, L, l, m, src[l]);
		for (uint32_t i = 0; i < m; i++)
			tail += src[l][i] - src[l][i];
	}
	return fin_ok(acc, tail);
}

/* store_lanes() the same way back: four frames of four lanes narrowed to
 * float, transposed, one 4-float store per lane; true when all are finite. */
AVX2 static bool store_lanes_avx2i(float *const *out, uint32_t pos, const double *restrict x, uint32_t L, uint32_t m)
{
	__m128 acc = _mm_setzero_ps();
	float tail = 0.0f;
	uint32_t l = 0;
	for (; l + 4 <= L; l += 4) {
		float *o0 = out[l] + pos, *o1 = out[l + 1] + pos, *o2 = out[l + 2] + pos, *o3 = out[l + 3] + pos;
		uint32_t i = 0;
		for (; i + 4 <= m; i += 4) {
			const double *xi = x + (size_t)i * L + l;
			__m128 r0 = _mm256_cvtpd_ps(_mm256_loadu_pd(xi));
			__m128 r1 = _mm256_cvtpd_ps(_mm256_loadu_pd(xi + L));
			__m128 r2 = _mm256_cvtpd_ps(_mm256_loadu_pd(xi + 2 * (size_t)L));
			__m128 r3 = _mm256_cvtpd_ps(_mm256_loadu_pd(xi + 3 * (size_t)L));
			acc = fin_acc(acc, r0, r1, r2, r3);
			_MM_TRANSPOSE4_PS(r0, r1, r2, r3); /* now r_k: lane l + k, frames i..i+3 */
			_mm_storeu_ps(o0 + i, r0);
			_mm_storeu_ps(o1 + i, r1);
			_mm_storeu_ps(o2 + i, r2);
			_mm_storeu_ps(o3 + i, r3);
		}
		for (; i < m; i++)
			for (uint32_t k = 0; k < 4; k++) {
				const float v = (float)x[(size_t)i * L + l + k];
				tail += v - v;
				out[l + k][pos + i] = v;
			}
	}
	for (; l < L; l++) {
		store_lane_base(out[l] + pos, x, L, l, m);
		for (uint32_t i = 0; i < m; i++)
			tail += out[l][pos + i] - out[l][pos + i];
	}
	return fin_ok(acc, tail);
}

/* One step of the section on four lanes. */
#define EQ_STEP(v, y, b0, b1, b2, a1, a2, z1, z2)                                                   \
	do {                                                                                      \
		y = _mm256_add_pd(_mm256_mul_pd(b0, v), z1);                                      \
		z1 = _mm256_add_pd(_mm256_sub_pd(_mm256_mul_pd(b1, v), _mm256_mul_pd(a1, y)), z2); \
		z2 = _mm256_sub_pd(_mm256_mul_pd(b2, v), _mm256_mul_pd(a2, y));                   \
	} while (0)

AVX2 static inline __m256d v_round(__m256d y, bool round)
{
	return round ? _mm256_cvtps_pd(_mm256_cvtpd_ps(y)) : y;
}

/* eq_section() with the coefficients and state in registers for the m
 * frames: eight lanes per step (two independent recursions hide each
 * other's latency), then four, then the last lanes as eq_section_base(). */
AVX2 static void eq_section_avx2i(double *restrict x, uint32_t L, uint32_t m, const double *restrict k,
				  double *restrict s1, double *restrict s2, bool round)
{
	uint32_t l = 0;
	for (; l + 8 <= L; l += 8) {
		const double *c = k + l;
		const __m256d b0 = _mm256_loadu_pd(c), b1 = _mm256_loadu_pd(c + L), b2 = _mm256_loadu_pd(c + 2 * L);
		const __m256d a1 = _mm256_loadu_pd(c + 3 * L), a2 = _mm256_loadu_pd(c + 4 * L);
		const __m256d d0 = _mm256_loadu_pd(c + 4), d1 = _mm256_loadu_pd(c + L + 4);
		const __m256d d2 = _mm256_loadu_pd(c + 2 * L + 4), e1 = _mm256_loadu_pd(c + 3 * L + 4);
		const __m256d e2 = _mm256_loadu_pd(c + 4 * L + 4);
		__m256d z1 = _mm256_loadu_pd(s1 + l), z2 = _mm256_loadu_pd(s2 + l);
		__m256d w1 = _mm256_loadu_pd(s1 + l + 4), w2 = _mm256_loadu_pd(s2 + l + 4);
		double *xi = x + l;
		for (uint32_t i = 0; i < m; i++, xi += L) {
			__m256d y, u;
			const __m256d v = _mm256_loadu_pd(xi), q = _mm256_loadu_pd(xi + 4);
			EQ_STEP(v, y, b0, b1, b2, a1, a2, z1, z2);
			EQ_STEP(q, u, d0, d1, d2, e1, e2, w1, w2);
			_mm256_storeu_pd(xi, v_round(y, round));
			_mm256_storeu_pd(xi + 4, v_round(u, round));
		}
		_mm256_storeu_pd(s1 + l, z1);
		_mm256_storeu_pd(s2 + l, z2);
		_mm256_storeu_pd(s1 + l + 4, w1);
		_mm256_storeu_pd(s2 + l + 4, w2);
	}
	for (; l + 4 <= L; l += 4) {
		const double *c = k + l;
		const __m256d b0 = _mm256_loadu_pd(c), b1 = _mm256_loadu_pd(c + L), b2 = _mm256_loadu_pd(c + 2 * L);
		const __m256d a1 = _mm256_loadu_pd(c + 3 * L), a2 = _mm256_loadu_pd(c + 4 * L);
		__m256d z1 = _mm256_loadu_pd(s1 + l), z2 = _mm256_loadu_pd(s2 + l);
		double *xi = x + l;
		for (uint32_t i = 0; i < m; i++, xi += L) {
			__m256d y;
			const __m256d v = _mm256_loadu_pd(xi);
			EQ_STEP(v, y, b0, b1, b2, a1, a2, z1, z2);
			_mm256_storeu_pd(xi, v_round(y, round));
		}
		_mm256_storeu_pd(s1 + l, z1);
		_mm256_storeu_pd(s2 + l, z2);
	}
	for (; l < L; l++) /* the last lanes: the same expressions, one at a time */
		eq_lane_base(x, L, l, m, k, s1, s2, round);
}

/* eq_pair() with the second section one frame behind the first: while the
 * first filters frame i, the second filters the first's output of frame
 * i - 1, so four recursions of four lanes are in flight per step (each
 * section's recursion is the latency of a multiply and three adds per
 * frame; alone they leave the processor waiting). Every lane sees the
 * operations of eq_section() for each section, in the same order. */
AVX2 static void eq_pair_avx2i(double *restrict x, uint32_t L, uint32_t m, const double *restrict k,
			       double *restrict s, bool round_a, bool round_b)
{
	const double *kb = k + 5 * (size_t)L;
	double *s1 = s, *s2 = s + L, *t1 = s + 2 * (size_t)L, *t2 = s + 3 * (size_t)L;
	uint32_t l = 0;
	for (; m > 0 && l + 8 <= L; l += 8) {
#define EQ_LOAD4(p, o) _mm256_loadu_pd((p) + (o))
		const __m256d a0 = EQ_LOAD4(k, l), a1 = EQ_LOAD4(k + L, l), a2 = EQ_LOAD4(k + 2 * L, l);
		const __m256d a3 = EQ_LOAD4(k + 3 * L, l), a4 = EQ_LOAD4(k + 4 * L, l);
		const __m256d c0 = EQ_LOAD4(k, l + 4), c1 = EQ_LOAD4(k + L, l + 4), c2 = EQ_LOAD4(k + 2 * L, l + 4);
		const __m256d c3 = EQ_LOAD4(k + 3 * L, l + 4), c4 = EQ_LOAD4(k + 4 * L, l + 4);
		const __m256d b0 = EQ_LOAD4(kb, l), b1 = EQ_LOAD4(kb + L, l), b2 = EQ_LOAD4(kb + 2 * L, l);
		const __m256d b3 = EQ_LOAD4(kb + 3 * L, l), b4 = EQ_LOAD4(kb + 4 * L, l);
		const __m256d d0 = EQ_LOAD4(kb, l + 4), d1 = EQ_LOAD4(kb + L, l + 4), d2 = EQ_LOAD4(kb + 2 * L, l + 4);
		const __m256d d3 = EQ_LOAD4(kb + 3 * L, l + 4), d4 = EQ_LOAD4(kb + 4 * L, l + 4);
		__m256d za1 = EQ_LOAD4(s1, l), za2 = EQ_LOAD4(s2, l), zc1 = EQ_LOAD4(s1, l + 4), zc2 = EQ_LOAD4(s2, l + 4);
		__m256d zb1 = EQ_LOAD4(t1, l), zb2 = EQ_LOAD4(t2, l), zd1 = EQ_LOAD4(t1, l + 4), zd2 = EQ_LOAD4(t2, l + 4);
#undef EQ_LOAD4
		double *xi = x + l;
		__m256d ya, yc, yb, yd;
		EQ_STEP(_mm256_loadu_pd(xi), ya, a0, a1, a2, a3, a4, za1, za2);
		EQ_STEP(_mm256_loadu_pd(xi + 4), yc, c0, c1, c2, c3, c4, zc1, zc2);
		__m256d pa = v_round(ya, round_a), pc = v_round(yc, round_a); /* the first's output, one frame back */
		for (uint32_t i = 1; i < m; i++) {
			double *xn = xi + L;
			EQ_STEP(_mm256_loadu_pd(xn), ya, a0, a1, a2, a3, a4, za1, za2);
			EQ_STEP(_mm256_loadu_pd(xn + 4), yc, c0, c1, c2, c3, c4, zc1, zc2);
			EQ_STEP(pa, yb, b0, b1, b2, b3, b4, zb1, zb2);
			EQ_STEP(pc, yd, d0, d1, d2, d3, d4, zd1, zd2);
			_mm256_storeu_pd(xi, v_round(yb, round_b));
			_mm256_storeu_pd(xi + 4, v_round(yd, round_b));
			pa = v_round(ya, round_a);
			pc = v_round(yc, round_a);
			xi = xn;
		}
		EQ_STEP(pa, yb, b0, b1, b2, b3, b4, zb1, zb2);
		EQ_STEP(pc, yd, d0, d1, d2, d3, d4, zd1, zd2);
		_mm256_storeu_pd(xi, v_round(yb, round_b));
		_mm256_storeu_pd(xi + 4, v_round(yd, round_b));
		_mm256_storeu_pd(s1 + l, za1);
		_mm256_storeu_pd(s2 + l, za2);
		_mm256_storeu_pd(s1 + l + 4, zc1);
		_mm256_storeu_pd(s2 + l + 4, zc2);
		_mm256_storeu_pd(t1 + l, zb1);
		_mm256_storeu_pd(t2 + l, zb2);
		_mm256_storeu_pd(t1 + l + 4, zd1);
		_mm256_storeu_pd(t2 + l + 4, zd2);
	}
	for (; m > 0 && l + 4 <= L; l += 4) { /* four lanes: two recursions in flight */
		const __m256d a0 = _mm256_loadu_pd(k + l), a1 = _mm256_loadu_pd(k + L + l);
		const __m256d a2 = _mm256_loadu_pd(k + 2 * L + l), a3 = _mm256_loadu_pd(k + 3 * L + l);
		const __m256d a4 = _mm256_loadu_pd(k + 4 * L + l);
		const __m256d b0 = _mm256_loadu_pd(kb + l), b1 = _mm256_loadu_pd(kb + L + l);
		const __m256d b2 = _mm256_loadu_pd(kb + 2 * L + l), b3 = _mm256_loadu_pd(kb + 3 * L + l);
		const __m256d b4 = _mm256_loadu_pd(kb + 4 * L + l);
		__m256d za1 = _mm256_loadu_pd(s1 + l), za2 = _mm256_loadu_pd(s2 + l);
		__m256d zb1 = _mm256_loadu_pd(t1 + l), zb2 = _mm256_loadu_pd(t2 + l);
		double *xi = x + l;
		__m256d ya, yb;
		EQ_STEP(_mm256_loadu_pd(xi), ya, a0, a1, a2, a3, a4, za1, za2);
		__m256d pa = v_round(ya, round_a);
		for (uint32_t i = 1; i < m; i++) {
			double *xn = xi + L;
			EQ_STEP(_mm256_loadu_pd(xn), ya, a0, a1, a2, a3, a4, za1, za2);
			EQ_STEP(pa, yb, b0, b1, b2, b3, b4, zb1, zb2);
			_mm256_storeu_pd(xi, v_round(yb, round_b));
			pa = v_round(ya, round_a);
			xi = xn;
		}
		EQ_STEP(pa, yb, b0, b1, b2, b3, b4, zb1, zb2);
		_mm256_storeu_pd(xi, v_round(yb, round_b));
		_mm256_storeu_pd(s1 + l, za1);
		_mm256_storeu_pd(s2 + l, za2);
		_mm256_storeu_pd(t1 + l, zb1);
		_mm256_storeu_pd(t2 + l, zb2);
	}
	for (; l < L; l++) { /* the last lanes: the same expressions, one at a time */
		eq_lane_base(x, L, l, m, k, s1, s2, round_a);
		eq_lane_base(x, L, l, m, kb, t1, t2, round_b);
	}
}

/* The parameters of four strips' gain computer and envelope (lanes of one
 * channel), loaded once per block. */
typedef struct {
	__m256d lnk, own, w, nw, half_w, inv_w2, soft_on, sl, th, a_r, n_ar, a_a, n_aa, mk;
} comp4;

AVX2 static inline __attribute__((always_inline)) comp4 comp4_load(const double *restrict p, uint32_t S, uint32_t s)
{
	const __m256d one = v_set(1.0);
	comp4 k;
	k.lnk = _mm256_loadu_pd(p + CP_LINK * S + s);
	k.own = _mm256_sub_pd(one, k.lnk);
	k.w = _mm256_loadu_pd(p + CP_KNEE * S + s);
	k.nw = _mm256_xor_pd(k.w, v_set(-0.0));
	k.half_w = _mm256_mul_pd(v_set(0.5), k.w);
	k.inv_w2 = _mm256_div_pd(v_set(0.5), k.w); /* the knee's 1 / (2 w), as mxd_dyn_compress_gr() */
	k.soft_on = _mm256_cmp_pd(k.w, _mm256_setzero_pd(), _CMP_GT_OQ);
	k.sl = _mm256_loadu_pd(p + CP_SLOPE * S + s);
	k.th = _mm256_loadu_pd(p + CP_THR * S + s);
	k.a_r = _mm256_loadu_pd(p + CP_REL * S + s);
	k.n_ar = _mm256_sub_pd(one, k.a_r);
	k.a_a = _mm256_loadu_pd(p + CP_ATT * S + s);
	k.n_aa = _mm256_sub_pd(one, k.a_a);
	k.mk = _mm256_loadu_pd(p + CP_MAKEUP * S + s);
	return k;
}

/* One frame of four lanes: the gain computer on the level lv (the link
 * already applied), then the envelope (y1, y kept by the caller, in
 * registers across the frames); returns the gain in dB, makeup - y. The
 * recursion runs through y1 and y only; everything before it depends on the
 * frame's level alone, so the processor overlaps it with earlier frames. */
AVX2 static inline __attribute__((always_inline)) __m256d comp4_step(const comp4 *k, __m256d lv, __m256d *y1,
								     __m256d *y)
{
	const __m256d zero = _mm256_setzero_pd(), flush = v_set(MXD_DYN_FLUSH_DB);
	/* mxd_dyn_compress_gr(), every branch computed, one selected */
	const __m256d d = _mm256_sub_pd(lv, k->th);
	const __m256d hard = _mm256_and_pd(_mm256_cmp_pd(d, zero, _CMP_GT_OQ), _mm256_mul_pd(k->sl, d));
	const __m256d d2 = _mm256_mul_pd(v_set(2.0), d);
	const __m256d in_knee = _mm256_and_pd(_mm256_cmp_pd(d2, k->w, _CMP_LE_OQ), k->soft_on);
	const __m256d kk = _mm256_add_pd(d, k->half_w);
	__m256d xl = _mm256_blendv_pd(hard, _mm256_mul_pd(_mm256_mul_pd(_mm256_mul_pd(k->sl, kk), kk), k->inv_w2),
				      in_knee);
	xl = _mm256_andnot_pd(_mm256_cmp_pd(d2, k->nw, _CMP_LT_OQ), xl);
	/* mxd_dyn_decoupled(). maxpd(a, b) is exactly a > b ? a : b (NaN and
	 * equal zeros give b), the scalar select. */
	const __m256d r = _mm256_add_pd(_mm256_mul_pd(k->a_r, *y1), _mm256_mul_pd(k->n_ar, xl));
	const __m256d a1 = _mm256_max_pd(xl, r);
	const __m256d e = _mm256_add_pd(_mm256_mul_pd(k->a_a, *y), _mm256_mul_pd(k->n_aa, a1));
	*y1 = _mm256_andnot_pd(_mm256_cmp_pd(a1, flush, _CMP_LT_OQ), a1);
	*y = _mm256_andnot_pd(_mm256_cmp_pd(e, flush, _CMP_LT_OQ), e);
	return _mm256_sub_pd(k->mk, *y);
}

/* Four lanes of the float levels, as doubles (exact); the gain in dB back
 * as float, as the gain pass would round it. */
AVX2 static inline __m256d lvl_get(const float *p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
AVX2 static inline void lvl_put(float *p, __m256d v) { _mm_storeu_ps(p, _mm256_cvtpd_ps(v)); }

/* Mono strips s..s+7 over the m frames: two independent recursions of four
 * lanes in flight, so each hides the other's latency. lv = link lk + (1 -
 * link) lvl with lk = max(lvl, floor) as in comp_block(): not simply lvl in
 * floating point, so it is computed as there. */
AVX2 static void comp_mono8(float *restrict lvl, uint32_t S, uint32_t m, uint32_t s, const double *restrict p,
			    double *restrict y1, double *restrict y)
{
	const comp4 ka = comp4_load(p, S, s), kb = comp4_load(p, S, s + 4);
	const __m256d floor_db = v_set(MXD_DYN_FLOOR_DB);
	__m256d y1a = _mm256_loadu_pd(y1 + s), ya = _mm256_loadu_pd(y + s);
	__m256d y1b = _mm256_loadu_pd(y1 + s + 4), yb = _mm256_loadu_pd(y + s + 4);
	for (uint32_t i = 0; i < m; i++) {
		float *li = lvl + (size_t)i * S + s;
		const __m256d la = lvl_get(li), lb = lvl_get(li + 4);
		const __m256d lva = _mm256_add_pd(_mm256_mul_pd(ka.lnk, _mm256_max_pd(la, floor_db)),
						  _mm256_mul_pd(ka.own, la));
		const __m256d lvb = _mm256_add_pd(_mm256_mul_pd(kb.lnk, _mm256_max_pd(lb, floor_db)),
						  _mm256_mul_pd(kb.own, lb));
		const __m256d ga = comp4_step(&ka, lva, &y1a, &ya);
		const __m256d gb = comp4_step(&kb, lvb, &y1b, &yb);
		lvl_put(li, ga);
		lvl_put(li + 4, gb);
	}
	_mm256_storeu_pd(y1 + s, y1a);
	_mm256_storeu_pd(y + s, ya);
	_mm256_storeu_pd(y1 + s + 4, y1b);
	_mm256_storeu_pd(y + s + 4, yb);
}

/* Strips s..s+3 of C channels over the m frames: the link level (the loudest
 * channel; max over channels in any order gives the same value), then each
 * channel's recursion; with C == 2 (inlined with C a constant) both
 * channels' state stays in registers, two recursions in flight. */
AVX2 static inline __attribute__((always_inline)) void comp_strips4(float *restrict lvl, uint32_t S, uint32_t C,
								   uint32_t m, uint32_t s, const double *restrict p,
								   double *restrict y1, double *restrict y)
{
	const uint32_t L = S * C;
	const comp4 k = comp4_load(p, S, s);
	__m256d st1[2], st[2];
	for (uint32_t c = 0; c < C && c < 2; c++) {
		st1[c] = _mm256_loadu_pd(y1 + c * S + s);
		st[c] = _mm256_loadu_pd(y + c * S + s);
	}
	for (uint32_t i = 0; i < m; i++) {
		float *li = lvl + (size_t)i * L;
		__m256d lkv = v_set(MXD_DYN_FLOOR_DB);
		for (uint32_t c = 0; c < C; c++)
			lkv = _mm256_max_pd(lvl_get(li + c * S + s), lkv);
		const __m256d lk_part = _mm256_mul_pd(k.lnk, lkv);
		for (uint32_t c = 0; c < C; c++) {
			const uint32_t q = c * S + s;
			const __m256d lv = _mm256_add_pd(lk_part, _mm256_mul_pd(k.own, lvl_get(li + q)));
			if (c < 2) {
				lvl_put(li + q, comp4_step(&k, lv, &st1[c], &st[c]));
			} else {
				__m256d a = _mm256_loadu_pd(y1 + q), b = _mm256_loadu_pd(y + q);
				lvl_put(li + q, comp4_step(&k, lv, &a, &b));
				_mm256_storeu_pd(y1 + q, a);
				_mm256_storeu_pd(y + q, b);
			}
		}
	}
	for (uint32_t c = 0; c < C && c < 2; c++) {
		_mm256_storeu_pd(y1 + c * S + s, st1[c]);
		_mm256_storeu_pd(y + c * S + s, st[c]);
	}
}

/* comp_block() in three passes over the whole m x L block (x and the levels
 * are contiguous): every level (eight lanes at a time, kept as float: the
 * levels are float values), then per four or eight strips the frames in
 * order with the parameters and the envelopes in registers: link level,
 * gain computer and envelope (four lanes, double; the gain in dB, rounded
 * to float as the gain pass rounds it, replaces the level), then every gain
 * applied (eight lanes). Each lane sees exactly the operations of
 * comp_block(), in the same order. Lanes past the last full vector take the
 * scalar expressions. g == 0 needs no select: mxd_dyn_gain_fastf(0) is
 * exactly 1, so a * 1 = a as comp_block() keeps it. lvl: m L doubles of
 * scratch, used as m L floats. */
AVX2 static void comp_block_avx2i(double *restrict x, uint32_t S, uint32_t C, uint32_t m, const double *restrict p,
				  double *restrict y1, double *restrict y, double *restrict lvl_scratch,
				  double *restrict lk)
{
	const uint32_t L = S * C;
	const size_t n = (size_t)m * L;
	const double *thr = p + CP_THR * S, *slope = p + CP_SLOPE * S, *knee = p + CP_KNEE * S;
	const double *link = p + CP_LINK * S, *mk = p + CP_MAKEUP * S, *aa = p + CP_ATT * S, *ar = p + CP_REL * S;
	float *restrict lvl = (float *)lvl_scratch;
	(void)lk; /* the link level stays in registers */
	size_t k = 0;
	for (; k + 8 <= n; k += 8)
		_mm256_storeu_ps(lvl + k, v_db_fastf(_mm256_andnot_ps(vf_set(-0.0f), v_load8(x + k))));
	for (; k < n; k++)
		lvl[k] = mxd_dyn_db_fastf(fabsf((float)x[k]));
	uint32_t s = 0;
	if (C == 1)
		for (; s + 8 <= S; s += 8)
			comp_mono8(lvl, S, m, s, p, y1, y);
	for (; s + 4 <= S; s += 4) {
		if (C == 1)
			comp_strips4(lvl, S, 1, m, s, p, y1, y);
		else if (C == 2)
			comp_strips4(lvl, S, 2, m, s, p, y1, y);
		else
			comp_strips4(lvl, S, C, m, s, p, y1, y);
	}
	for (; s < S; s++)
		for (uint32_t i = 0; i < m; i++) {
			float *li = lvl + (size_t)i * L;
			double lks = MXD_DYN_FLOOR_DB;
			for (uint32_t c = 0; c < C; c++)
				lks = li[c * S + s] > lks ? li[c * S + s] : lks;
			for (uint32_t c = 0; c < C; c++) {
				const uint32_t q = c * S + s;
				double lv = link[s] * lks + (1.0 - link[s]) * li[q];
				double xl = mxd_dyn_compress_gr(lv, thr[s], slope[s], knee[s]);
				mxd_dyn_env en = { y1[q], y[q] };
				double ye = mxd_dyn_decoupled(&en, xl, aa[s], ar[s]);
				y1[q] = en.y1;
				y[q] = en.y;
				li[q] = (float)(mk[s] - ye);
			}
		}
	for (k = 0; k + 8 <= n; k += 8)
		v_store8(x + k, _mm256_mul_ps(v_load8(x + k), v_gain_fastf(_mm256_loadu_ps(lvl + k))));
	for (; k < n; k++)
		x[k] = (double)((float)x[k] * mxd_dyn_gain_fastf(lvl[k]));
}
