/* mixdown — filter design and kernel selection of the fast loudness meter.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * K-weighting: the project's one design, mxd_kweight_design (fx/meter.h:
 * ITU-R BS.1770-5 Table 1/2 from their analog prototypes at any rate), copied
 * into this meter's coefficient layout.
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
#include "fx/meter.h"
#include "spatial/chanweight.h"

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
	/* The one K-weighting design of the project (fx/meter.h), in this
	 * meter's own coefficient layout. */
	mxd_biquad s, h;
	mxd_kweight_design(rate, &s, &h);
	*shelf = (mxd_fl_biquad){ s.b0, s.b1, s.b2, s.a1, s.a2 };
	*hp = (mxd_fl_biquad){ h.b0, h.b1, h.b2, h.a1, h.a2 };
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
	/* A count that implies a layout (6 = 5.1, 8 = 7.1, 10 = 5.1.4, 12 = 7.1.4):
	 * its BS.1770-4 Table 3 weights, as libebur128 gets them (spatial/chanweight.h). */
	const mxd_layout *l = channels > 2 ? mxd_layout_for_channels(channels) : NULL;
	if (l && l->channels == channels) {
		mxd_bs1770_weights(l, w);
		return;
	}
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
