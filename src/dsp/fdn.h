/* mixdown — building blocks for delay-network effects (reverb, modulated delay).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *  - mxd_fdelay: a power-of-two ring buffer of floats with integer and
 *    linearly interpolated fractional reads (delay in samples, >= 0).
 *  - mxd_hadamard: the orthonormal Hadamard (Sylvester) matrix applied in place
 *    with the fast Walsh-Hadamard butterfly, N a power of two, scaled by
 *    1/sqrt(N) so it is lossless (the mixing matrix of a feedback delay network,
 *    J.-M. Jot and A. Chaigne, "Digital delay networks for designing artificial
 *    reverberators", AES 90th Convention, 1991, preprint 3030).
 *  - mxd_jot_gain: the per-line attenuation g = 10^(-3 d / (T60 fs)) that
 *    gives every mode of the network the decay time T60 (same paper).
 *  - mxd_absorb: a first-order absorption (shelving) filter with DC gain g0
 *    and Nyquist gain gpi (gpi <= g0), in the role of Jot's absorbent filters.
 *  - mxd_fdelay_allpass: fractional read by first-order allpass interpolation.
 *  - mxd_allpass: a Schroeder allpass (M. R. Schroeder, "Natural sounding
 *    artificial reverberation", JAES 10(3), 1962): y = -g x + v[n-M],
 *    v[n] = x + g v[n-M].
 * Denormals: writers flush |x| < 1e-25 to 0, so silent tails end in exact zeros.
 * Allocation only in mxd_fdelay_alloc (control thread); everything else is
 * real-time safe. One user thread at a time per object.
 */
#ifndef MIXDOWN_DSP_FDN_H
#define MIXDOWN_DSP_FDN_H

#include <math.h>
#include <stdint.h>

#define MXD_FDN_FLUSH 1e-25f

typedef struct {
	float *buf;    /* size = mask + 1 samples, owned */
	uint32_t mask;
	uint32_t w;    /* index of the next write */
} mxd_fdelay;

/* (Re)allocate for delays up to max_delay samples (fractional reads up to
 * max_delay - 1 past the integer part) and clear. 0 or -1. */
int mxd_fdelay_alloc(mxd_fdelay *d, uint32_t max_delay);
void mxd_fdelay_free(mxd_fdelay *d);
void mxd_fdelay_clear(mxd_fdelay *d);

static inline float mxd_flush(float x)
{
	return fabsf(x) < MXD_FDN_FLUSH ? 0.0f : x;
}

/* Write the next sample (flushed). */
static inline void mxd_fdelay_write(mxd_fdelay *d, float x)
{
	d->buf[d->w] = mxd_flush(x);
	d->w = (d->w + 1) & d->mask;
}

/* Write without flushing (a plain delay stays bit-exact). */
static inline void mxd_fdelay_put(mxd_fdelay *d, float x)
{
	d->buf[d->w] = x;
	d->w = (d->w + 1) & d->mask;
}

/* The sample written k writes ago counting the latest as k = 0. */
static inline float mxd_fdelay_at(const mxd_fdelay *d, uint32_t k)
{
	return d->buf[(d->w - 1u - k) & d->mask];
}

/* Fractional version of mxd_fdelay_at (k >= 0), linear interpolation;
 * exact (a plain read) at integer k. */
static inline float mxd_fdelay_frac(const mxd_fdelay *d, double k)
{
	double fl = floor(k);
	uint32_t i = (uint32_t)fl;
	float f = (float)(k - fl);
	float a = mxd_fdelay_at(d, i);
	if (f == 0.0f)
		return a;
	float b = mxd_fdelay_at(d, i + 1);
	return a + f * (b - a);
}

/* Orthonormal Hadamard transform of x[0..n), n a power of two (<= 64). */
static inline void mxd_hadamard(float *x, uint32_t n)
{
	for (uint32_t h = 1; h < n; h <<= 1)
		for (uint32_t i = 0; i < n; i += h << 1)
			for (uint32_t j = i; j < i + h; j++) {
				float a = x[j], b = x[j + h];
				x[j] = a + b;
				x[j + h] = a - b;
			}
	float s = 1.0f / sqrtf((float)n);
	for (uint32_t i = 0; i < n; i++)
		x[i] *= s;
}

/* Sign of entry (r, c) of the Sylvester Hadamard matrix: +1 or -1. */
static inline float mxd_hadamard_sign(uint32_t r, uint32_t c)
{
	return __builtin_popcount(r & c) & 1 ? -1.0f : 1.0f;
}

/* Per-line gain for a loop of d samples and decay time t60 seconds. */
static inline double mxd_jot_gain(double d, double t60, double fs)
{
	return pow(10.0, -3.0 * d / (t60 * fs));
}

typedef struct {
	double b0, b1, a1; /* y = b0 x + b1 x[n-1] - a1 y[n-1] */
	double x1, y1;
} mxd_absorb;

/* First-order shelf with gain g0 at DC, gpi at Nyquist (gpi <= g0) and its
 * pole at fc: the bilinear transform (prewarped at fc) of
 * H(s) = (gpi s/wc + g0) / (s/wc + 1). Jot & Chaigne's absorption filter
 * with the transition placed at fc instead of following the gain ratio. */
static inline void mxd_absorb_design(mxd_absorb *a, double g0, double gpi, double fc, double fs)
{
	if (gpi > g0)
		gpi = g0;
	double k = 1.0 / tan(M_PI * fc / fs);
	a->b0 = (gpi * k + g0) / (k + 1.0);
	a->b1 = (g0 - gpi * k) / (k + 1.0);
	a->a1 = (1.0 - k) / (k + 1.0);
}

static inline float mxd_absorb_tick(mxd_absorb *a, float x)
{
	double y = a->b0 * x + a->b1 * a->x1 - a->a1 * a->y1;
	a->x1 = x;
	a->y1 = fabs(y) < 1e-30 ? 0.0 : y;
	return (float)y;
}

/* Fractional read (k >= 0.5 writes ago, k = 0 the latest) through a
 * first-order allpass interpolator (unity magnitude at every frequency, so a
 * modulated line loses no energy; J. O. Smith, "Physical Audio Signal
 * Processing", allpass interpolation; the fractional part is kept in
 * [0.5, 1.5) where the allpass delay is accurate). *state is y[n-1]. */
static inline float mxd_fdelay_allpass(const mxd_fdelay *d, double k, float *state)
{
	double fl = floor(k - 0.5);
	uint32_t i = fl < 0 ? 0u : (uint32_t)fl;
	double frac = k - (double)i;
	float eta = (float)((1.0 - frac) / (1.0 + frac));
	float y = eta * mxd_fdelay_at(d, i) + mxd_fdelay_at(d, i + 1) - eta * *state;
	*state = mxd_flush(y);
	return y;
}

typedef struct {
	mxd_fdelay line;
	uint32_t len; /* M >= 1 */
} mxd_allpass;

static inline float mxd_allpass_tick(mxd_allpass *ap, float x, float g)
{
	float vd = mxd_fdelay_at(&ap->line, ap->len - 1u);
	float v = x + g * vd;
	mxd_fdelay_write(&ap->line, v);
	return vd - g * v;
}

/* Two-pole state-variable filter in the topology-preserving (trapezoidal)
 * form of V. Zavalishin, "The Art of VA Filter Design" (2012): stays smooth
 * when its corner moves every few samples (unlike direct forms). Q = 1/sqrt 2
 * gives the 2nd-order Butterworth low-/high-pass. */
typedef struct {
	double a1, a2, a3, k;
} mxd_svf_coef;

typedef struct {
	double ic1, ic2;
} mxd_svf;

static inline void mxd_svf_design(mxd_svf_coef *c, double fc, double q, double fs)
{
	if (fc > 0.49 * fs)
		fc = 0.49 * fs;
	double g = tan(M_PI * fc / fs);
	c->k = 1.0 / q;
	c->a1 = 1.0 / (1.0 + g * (g + c->k));
	c->a2 = g * c->a1;
	c->a3 = g * c->a2;
}

/* One sample; returns the low-pass, *hp receives the high-pass. */
static inline double mxd_svf_tick(const mxd_svf_coef *c, mxd_svf *s, double x, double *hp)
{
	double v3 = x - s->ic2;
	double v1 = c->a1 * s->ic1 + c->a2 * v3;
	double v2 = s->ic2 + c->a2 * s->ic1 + c->a3 * v3;
	s->ic1 = 2.0 * v1 - s->ic1;
	s->ic2 = 2.0 * v2 - s->ic2;
	if (fabs(s->ic1) < 1e-30)
		s->ic1 = 0;
	if (fabs(s->ic2) < 1e-30)
		s->ic2 = 0;
	if (hp)
		*hp = x - c->k * v1 - v2;
	return v2;
}

/* Smallest prime >= n (n >= 2). */
uint32_t mxd_next_prime(uint32_t n);

#endif
