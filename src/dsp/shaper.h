/* mixdown — memoryless saturation curves (waveshapers) and their antiderivatives.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every curve has f(0) = 0 and f'(0) = 1 (unity gain for small signals):
 *   tape      f(u) = u / sqrt(1 + u^2)               symmetric, gentle knee,
 *             |f| < 1 (an algebraic sigmoid; odd harmonics only)
 *   tube      f(u) = tanh(u)          for u >= 0     asymmetric: the positive
 *             f(u) = 2 tanh(u / 2)    for u <  0     half saturates at +1, the
 *             negative half later and softer (-> -2); even and odd harmonics
 *             even without bias (f is C2 at 0: f''(0) = 0 on both sides)
 *   softclip  f(u) = tanh(u)                          symmetric (odd only)
 *   hardclip  f(u) = clamp(u, -1, 1)                  symmetric (odd only)
 * F(u) is an antiderivative of f (for antiderivative antialiasing, ADAA:
 * J. D. Parker, V. Zavalishin, E. Le Bivic, "Reducing the aliasing of
 * nonlinear waveshaping using continuous-time convolution", DAFx-16, 2016).
 * Threads: pure functions, any thread.
 */
#ifndef MIXDOWN_DSP_SHAPER_H
#define MIXDOWN_DSP_SHAPER_H

#include <math.h>

typedef enum { MXD_SHAPE_TAPE, MXD_SHAPE_TUBE, MXD_SHAPE_SOFTCLIP, MXD_SHAPE_HARDCLIP } mxd_shape;

static inline double mxd_shape_f(mxd_shape m, double u)
{
	switch (m) {
	case MXD_SHAPE_TAPE: return u / sqrt(1.0 + u * u);
	case MXD_SHAPE_TUBE: return u >= 0 ? tanh(u) : 2.0 * tanh(0.5 * u);
	case MXD_SHAPE_SOFTCLIP: return tanh(u);
	default: return u > 1.0 ? 1.0 : u < -1.0 ? -1.0 : u;
	}
}

/* Antiderivative of the hard clip: u^2 / 2 inside, |u| - 1/2 outside. */
static inline double mxd_hardclip_F(double u)
{
	double a = fabs(u);
	return a <= 1.0 ? 0.5 * u * u : a - 0.5;
}

/* First-order ADAA of the hard clip between consecutive inputs a, b:
 * (F(b) - F(a)) / (b - a), the mean of f over the segment; the midpoint
 * value when the segment is too short for the quotient to be accurate. */
static inline double mxd_hardclip_adaa(double a, double b)
{
	double d = b - a;
	if (fabs(d) < 1e-7)
		return mxd_shape_f(MXD_SHAPE_HARDCLIP, 0.5 * (a + b));
	return (mxd_hardclip_F(b) - mxd_hardclip_F(a)) / d;
}

#endif
