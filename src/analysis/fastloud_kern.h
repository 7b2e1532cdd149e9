/* mixdown — the inner loops of the fast loudness meter, as a template.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * fastloud_dsp.c includes this file once per instruction set with
 *   FL_NAME(x)       the function name for this instantiation,
 *   FL_TARGET        a function attribute (empty, or a target("...")),
 *   FL_MAC(a, b, c)  a * b + c (fused where the target has FMA),
 *   FL_MACF          the same for float,
 *   FL_MAC2          the same for fl_v2d (two doubles).
 * The loops are plain C written for the auto-vectorizers of gcc and clang
 * (restrict, constant trip counts, no float min/max reductions: peaks are
 * taken on the IEEE bit patterns of |x| as unsigned integers, which order
 * like the magnitudes and reduce without -ffast-math).
 *
 * Units: full-scale floats in, mean squares (sums) and linear peaks out.
 * Threads: pure functions apart from the caller's filter states.
 */

/* One DF1 K-weighting step of one channel: shelf u, then RLB high-pass v.
 * Written so that the recurrence through the newest output is a single
 * multiply-add (the rest is known one sample earlier). */
#define FL_KW_STEP(S, H, k, xin, acc)                                                        \
	do {                                                                                 \
		double x_ = (xin);                                                           \
		double t_ = FL_MAC((S)->b2, (k).x2, FL_MAC((S)->b1, (k).x1, (S)->b0 * x_));  \
		double u_ = FL_MAC(-(S)->a1, (k).u1, FL_MAC(-(S)->a2, (k).u2, t_));          \
		double w_ = (u_ - 2.0 * (k).u1) + (k).u2;                                    \
		double v_ = FL_MAC(-(H)->a1, (k).v1, FL_MAC(-(H)->a2, (k).v2, w_));          \
		(acc) = FL_MAC(v_, v_, (acc));                                               \
		(k).x2 = (k).x1;                                                             \
		(k).x1 = x_;                                                                 \
		(k).u2 = (k).u1;                                                             \
		(k).u1 = u_;                                                                 \
		(k).v2 = (k).v1;                                                             \
		(k).v1 = v_;                                                                 \
	} while (0)

/* The same step on a pair of channels, one in each lane of a two-double
 * vector (gcc/clang vector extension; lowered to scalar code where the
 * target has no such vectors). The same operations in the same order as
 * FL_KW_STEP: bit for bit its results. (Pipelining the two stages in a
 * four-double vector was tried: the lane shuffles made it twice as slow.) */
#define FL_KW_STEP2(xin)                                                                     \
	do {                                                                                 \
		fl_v2d x_ = (xin);                                                           \
		fl_v2d t_ = FL_MAC2(sb2, X2, FL_MAC2(sb1, X1, sb0 * x_));                    \
		fl_v2d u_ = FL_MAC2(sa1, U1, FL_MAC2(sa2, U2, t_));                          \
		fl_v2d w_ = (u_ - (U1 + U1)) + U2;                                           \
		fl_v2d v_ = FL_MAC2(ha1, V1, FL_MAC2(ha2, V2, w_));                          \
		acc = FL_MAC2(v_, v_, acc);                                                  \
		X2 = X1;                                                                     \
		X1 = x_;                                                                     \
		U2 = U1;                                                                     \
		U1 = u_;                                                                     \
		V2 = V1;                                                                     \
		V1 = v_;                                                                     \
	} while (0)

FL_TARGET static void FL_NAME(kw)(const mxd_fl_biquad *shelf, const mxd_fl_biquad *hp, mxd_fl_kstate *k0,
				  mxd_fl_kstate *k1, const float *x0, const float *x1, size_t n, double *s)
{
	if (!x1) {
		const mxd_fl_biquad S = *shelf, H = *hp;
		mxd_fl_kstate a = *k0;
		double sa = 0;
		for (size_t i = 0; i < n; i++)
			FL_KW_STEP(&S, &H, a, x0[i], sa);
		*k0 = a;
		s[0] = sa;
		s[1] = 0;
		return;
	}
	const fl_v2d sb0 = { shelf->b0, shelf->b0 }, sb1 = { shelf->b1, shelf->b1 }, sb2 = { shelf->b2, shelf->b2 };
	const fl_v2d sa1 = { -shelf->a1, -shelf->a1 }, sa2 = { -shelf->a2, -shelf->a2 };
	const fl_v2d ha1 = { -hp->a1, -hp->a1 }, ha2 = { -hp->a2, -hp->a2 };
	fl_v2d X1 = { k0->x1, k1->x1 }, X2 = { k0->x2, k1->x2 }, U1 = { k0->u1, k1->u1 }, U2 = { k0->u2, k1->u2 };
	fl_v2d V1 = { k0->v1, k1->v1 }, V2 = { k0->v2, k1->v2 }, acc = { 0, 0 };
	for (size_t i = 0; i < n; i++) {
		fl_v2d xi = { x0[i], x1[i] };
		FL_KW_STEP2(xi);
	}
	*k0 = (mxd_fl_kstate){ X1[0], X2[0], U1[0], U2[0], V1[0], V2[0] };
	*k1 = (mxd_fl_kstate){ X1[1], X2[1], U1[1], U2[1], V1[1], V2[1] };
	s[0] = acc[0];
	s[1] = acc[1];
}

static inline uint32_t FL_NAME(absbits)(float v)
{
	uint32_t u;
	memcpy(&u, &v, sizeof u);
	return u & 0x7fffffffu;
}

static inline float FL_NAME(bitsf)(uint32_t u)
{
	float v;
	memcpy(&v, &u, sizeof v);
	return v;
}

FL_TARGET static float FL_NAME(tp)(const float *restrict x, size_t n, const float (*restrict h)[MXD_FL_TP_TAPS],
				   float *sp)
{
	float h1[MXD_FL_TP_TAPS], h2[MXD_FL_TP_TAPS], h3[MXD_FL_TP_TAPS];
	memcpy(h1, h[0], sizeof h1);
	memcpy(h2, h[1], sizeof h2);
	memcpy(h3, h[2], sizeof h3);
	uint32_t m = 0, ms = 0;
	for (size_t i = 0; i < n; i++) {
		float y1 = 0, y2 = 0, y3 = 0;
		uint32_t u0 = FL_NAME(absbits)(x[i]);
		ms = u0 > ms ? u0 : ms;
#if defined(__clang__)
#pragma unroll
#elif defined(__GNUC__)
#pragma GCC unroll 12
#endif
		for (int t = 0; t < MXD_FL_TP_TAPS; t++) {
			float v = x[(ptrdiff_t)i - t];
			y1 = FL_MACF(h1[t], v, y1);
			y2 = FL_MACF(h2[t], v, y2);
			y3 = FL_MACF(h3[t], v, y3);
		}
		uint32_t u1 = FL_NAME(absbits)(y1), u2 = FL_NAME(absbits)(y2), u3 = FL_NAME(absbits)(y3);
		uint32_t u = u1 > u2 ? u1 : u2;
		u = u3 > u ? u3 : u;
		m = u > m ? u : m; /* one reduction per variable and iteration: clang recognizes it */
	}
	*sp = FL_NAME(bitsf)(ms);
	return FL_NAME(bitsf)(m);
}

FL_TARGET static float FL_NAME(peak)(const float *restrict x, size_t n)
{
	uint32_t m = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t u = FL_NAME(absbits)(x[i]);
		m = u > m ? u : m;
	}
	return FL_NAME(bitsf)(m);
}

#undef FL_KW_STEP
#undef FL_KW_STEP2
