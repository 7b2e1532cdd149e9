/* mixdown — filter design and kernel selection of the fast loudness meter.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * K-weighting (ITU-R BS.1770-5 §2, Table 1/2 give the 48 kHz coefficients
 * only and ask for "the same frequency response" at other rates). Both
 * stages are bilinear transforms, prewarped at f0 (K = tan(pi f0 / fs)), of
 * second-order analog prototypes:
 *   shelf  H(s) = (Vh s^2 + Vb (w0/Q) s + w0^2) / (s^2 + (w0/Q) s + w0^2)
 *   RLB    H(s) = s^2 / (s^2 + (w0/Q) s + w0^2), numerator kept as 1, -2, 1
 *                 as BS.1770 tabulates it.
 * The prototype parameters that reproduce the tabulated 48 kHz coefficients
 * to about 1e-8 are those published with libebur128 (MIT; jiixyj/libebur128,
 * ebur128_init_filter) and used by pyloudnorm (B. De Man, "Evaluation of
 * implementations of the EBU R128 loudness measurement", AES 145th
 * Convention, 2018): shelf f0 = 1681.974450955533 Hz, G = 3.999843853973347
 * dB (Vh = 10^(G/20), Vb = Vh^0.4996667741545416), Q = 0.7071752369554196;
 * high-pass f0 = 38.13547087602444 Hz, Q = 0.5003270373238773.
 *
 * True-peak interpolator (BS.1770-5 Annex 2: 4x oversampling, then the
 * largest absolute value). Prototype: a 49-tap windowed sinc at 4x the input
 * rate, h[j] = sinc((j - 24) / 4) * (0.5 - 0.5 cos(2 pi j / 48)), cut-off at
 * the input Nyquist frequency, unity gain per phase within 0.1 %. The end
 * taps are zero and every fourth tap through the centre is a zero of the
 * sinc, so phase 0 is the input sample itself (the sample peak) and phases
 * 1..3 have 12 taps each - the same length as the Annex's 48-tap example and
 * the same design as libebur128, so readings agree with it. Passband of the
 * half-sample phase (tests/test_fastloud.c prints it): within 0.1 dB up to
 * 0.35 fs, -0.9 dB at 0.40 fs, -5.1 dB at 0.45 fs; so content near Nyquist
 * reads low, on top of the Annex's own bound for 4x sampling. Largest sum of
 * |taps| of a phase: the bound mxd_fl_peaks uses to skip stretches.
 *
 * Kernels: fastloud_kern.h instantiated twice - plain C for any CPU, and on
 * x86-64 a copy compiled for AVX2 + FMA, picked at run time with
 * __builtin_cpu_supports (the same code, wider vectors and fused
 * multiply-adds).
 *
 * Threads: design functions are pure; mxd_fl_kernels_pick reads CPU flags.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/fastloud.h"

/* Two doubles, one channel in each lane (the K-weighting of a pair). */
typedef double fl_v2d __attribute__((vector_size(16)));

/* Generic instantiation: separate multiply and add (ISO C, no contraction). */
#define FL_NAME(x) fl_generic_##x
#define FL_TARGET
#define FL_MAC(a, b, c) ((a) * (b) + (c))
#define FL_MACF(a, b, c) ((a) * (b) + (c))
#define FL_MAC2(a, b, c) ((a) * (b) + (c))
#include "analysis/fastloud_kern.h"
#undef FL_NAME
#undef FL_TARGET
#undef FL_MAC
#undef FL_MACF
#undef FL_MAC2

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define FL_HAVE_AVX2 1
#define FL_NAME(x) fl_avx2_##x
#define FL_TARGET __attribute__((target("avx2,fma")))
#define FL_MAC(a, b, c) __builtin_fma((a), (b), (c))
#define FL_MACF(a, b, c) __builtin_fmaf((a), (b), (c))
#define FL_MAC2(a, b, c) ((fl_v2d)_mm_fmadd_pd((a), (b), (c)))
#include "analysis/fastloud_kern.h"
#undef FL_NAME
#undef FL_TARGET
#undef FL_MAC
#undef FL_MACF
#undef FL_MAC2
#endif

void mxd_fl_kernels_pick(mxd_fl_kernels *k)
{
	*k = (mxd_fl_kernels){ fl_generic_kw, fl_generic_tp, fl_generic_peak, "generic" };
#ifdef FL_HAVE_AVX2
	/* MIXDOWN_FL_GENERIC=1 forces the plain C kernels (tests, benchmarks). */
	const char *g = getenv("MIXDOWN_FL_GENERIC");
	if ((!g || strcmp(g, "1")) && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		*k = (mxd_fl_kernels){ fl_avx2_kw, fl_avx2_tp, fl_avx2_peak, "avx2+fma" };
#endif
}

void mxd_fl_design_kw(double rate, mxd_fl_biquad *shelf, mxd_fl_biquad *hp)
{
	double f0 = 1681.974450955533, G = 3.999843853973347, Q = 0.7071752369554196;
	double K = tan(M_PI * f0 / rate), Vh = pow(10.0, G / 20.0), Vb = pow(Vh, 0.4996667741545416);
	double a0 = 1.0 + K / Q + K * K;
	shelf->b0 = (Vh + Vb * K / Q + K * K) / a0;
	shelf->b1 = 2.0 * (K * K - Vh) / a0;
	shelf->b2 = (Vh - Vb * K / Q + K * K) / a0;
	shelf->a1 = 2.0 * (K * K - 1.0) / a0;
	shelf->a2 = (1.0 - K / Q + K * K) / a0;
	f0 = 38.13547087602444;
	Q = 0.5003270373238773;
	K = tan(M_PI * f0 / rate);
	a0 = 1.0 + K / Q + K * K;
	hp->b0 = 1.0;
	hp->b1 = -2.0;
	hp->b2 = 1.0;
	hp->a1 = 2.0 * (K * K - 1.0) / a0;
	hp->a2 = (1.0 - K / Q + K * K) / a0;
}

void mxd_fl_design_tp(float h[3][MXD_FL_TP_TAPS])
{
	for (int p = 1; p <= 3; p++)
		for (int t = 0; t < MXD_FL_TP_TAPS; t++) {
			int j = 4 * t + p;
			double m = (j - 24) / 4.0; /* in input samples; never 0 for p = 1..3 */
			double sinc = sin(M_PI * m) / (M_PI * m);
			double w = 0.5 - 0.5 * cos(2.0 * M_PI * j / 48.0);
			h[p - 1][t] = (float)(sinc * w);
		}
}

void mxd_fl_channel_weights(uint32_t channels, double *w)
{
	for (uint32_t c = 0; c < channels; c++) {
		double v = 1.0;
		if (channels == 4)
			v = c >= 2 ? 1.41 : 1.0;
		else if (channels == 5)
			v = c >= 3 ? 1.41 : 1.0;
		else if (channels == 6 || channels == 7)
			v = c == 3 ? 0.0 : (c == 4 || c == 5) ? 1.41 : 1.0;
		else if (channels == 8)
			v = c == 3 ? 0.0 : c >= 6 ? 1.41 : 1.0;
		w[c] = v;
	}
}
