/* mixdown — building blocks of dynamics processors: level detection, static
 * gain computers and gain ballistics (compressor, gate, expander, de-esser).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Follows D. Giannoulis, M. Massberg, J. D. Reiss, "Digital Dynamic Range
 * Compressor Design — A Tutorial and Analysis", J. Audio Eng. Soc. 60(6),
 * 2012, pp. 399-408 (below "GMR"):
 *   - the static curve of the gain computer with the quadratic soft knee of
 *     width W around the threshold T (GMR eq. 4);
 *   - the level detector placed after the gain computer, in the log domain,
 *     smoothing the gain reduction x_L = x_G - y_G (dB, >= 0) (GMR sec. 3.3,
 *     "log domain" position, their recommended design);
 *   - the smooth decoupled peak detector (GMR eq. 17)
 *         y1[n] = max(x_L[n], aR y1[n-1] + (1 - aR) x_L[n])
 *         y_L[n] = aA y_L[n-1] + (1 - aA) y1[n]
 *     and the smooth branching peak detector (GMR eq. 16)
 *         y_L[n] = a y_L[n-1] + (1 - a) x_L[n],  a = aA if x_L[n] > y_L[n-1] else aR.
 *
 * Time constants: a time tau (ms) means the time a one-pole needs to cover
 * 1 - 1/e (63.2 %) of a step; the coefficient is a = exp(-1 / (tau fs))
 * (GMR eq. 7 with the 1 - 1/e definition). In the decoupled detector the
 * release passes through the attack smoother as well, so the release of the
 * whole detector is slower than aR alone; mxd_dyn_decoupled_release_ms()
 * returns the internal release time that makes the 63 % time of the whole
 * detector's step response equal the requested release time.
 *
 * Levels are in dB re full scale (|x| = 1 is 0 dB); silence and non-finite
 * values read as MXD_DYN_FLOOR_DB. Gain reductions are positive dB.
 *
 * Ownership: plain value types, except mxd_dyn_peakwin, which owns a buffer
 * allocated by mxd_dyn_peakwin_alloc() (control thread). Threads: everything
 * else may run on the audio thread (no allocation, bounded work).
 */
#ifndef MIXDOWN_DSP_DYNAMICS_H
#define MIXDOWN_DSP_DYNAMICS_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dsp/bits.h"

#define MXD_DYN_FLOOR_DB (-200.0) /* level of silence */
#define MXD_DYN_FLUSH_DB 1e-9     /* smaller gain reductions are exactly 0 */

/* One-pole coefficient for a 63 % time of tau_ms at sample_rate; 0 (instant)
 * for tau_ms <= 0. */
double mxd_dyn_alpha(double tau_ms, double sample_rate);

/* Level in dB of a magnitude (amplitude, |x|); floor for 0 and non-finite. */
static inline double mxd_dyn_db(double mag)
{
	if (!(mag > 1e-10) || !isfinite(mag))
		return MXD_DYN_FLOOR_DB;
	return 20.0 * log10(mag);
}

/* Level in dB of a mean square (power). */
static inline double mxd_dyn_power_db(double ms)
{
	if (!(ms > 1e-20) || !isfinite(ms))
		return MXD_DYN_FLOOR_DB;
	return 10.0 * log10(ms);
}

/* dB to a linear gain factor. */
static inline double mxd_dyn_gain(double db)
{
	return exp(db * 0.11512925464970229); /* ln(10) / 20 */
}

/* Fast, vectorizable versions of mxd_dyn_db() and mxd_dyn_gain() for per-sample
 * use (the compressor; graph/strip_batch.c runs the same operations across
 * tracks, eight lanes per AVX2 vector, so both give identical bits). Single
 * precision: the signal they measure and scale is float; the level is within
 * 4e-5 dB of 20 log10 |x| and the gain within 1e-6 (relative, |db| <= 150)
 * of 10^(db / 20) (tests/test_batch.c), below anything a compressor's
 * threshold or a listener resolves. Only +, *, /,
 * compares and bit operations on the IEEE 754 binary32 layout, no libm, no
 * branches, no fused multiply-add (ISO C: no contraction).
 * ln x = e ln 2 + ln m with x = m 2^e, m in [sqrt(1/2), sqrt(2)), and
 * ln m = 2 atanh(t) = 2 (t + t^3/3 + t^5/5 + t^7/7), t = (m - 1) / (m + 1),
 * |t| <= 0.1716: truncation error < 2 t^9 / 9 < 3e-8 (3e-7 dB).
 * 2^y = 2^k e^(f ln 2), k = rint(y), |f ln 2| <= 0.347, Taylor series to
 * degree 7: relative error < 6e-9, below float's 6e-8. */
/* Level in dB of a magnitude (mag >= 0); MXD_DYN_FLOOR_DB for silence
 * (<= 1e-10), Inf and NaN. */
static inline float mxd_dyn_db_fastf(float mag)
{
	const bool ok = mag > 1e-10f && mag < 1e30f; /* false for NaN, Inf and silence */
	const uint32_t u = mxd_float_bits(ok ? mag : 1.0f);
	float e = (float)((int32_t)(u >> 23) - 127); /* exact: |e| < 128 */
	float m = mxd_bits_float((u & 0x007FFFFFu) | 0x3F800000u);
	const bool big = m > 1.41421356f;
	m = big ? m * 0.5f : m;
	e = big ? e + 1.0f : e;
	const float t = (m - 1.0f) / (m + 1.0f), t2 = t * t;
	float p = 1.0f / 7.0f;
	p = p * t2 + 1.0f / 5.0f;
	p = p * t2 + 1.0f / 3.0f;
	p = p * t2 + 1.0f;
	const float ln = e * 0.693147181f + 2.0f * t * p;
	return ok ? ln * 8.68588964f /* 20 / ln 10 */ : (float)MXD_DYN_FLOOR_DB;
}

/* Gain factor of db (finite); clamped to 2^+-126 (+-758 dB). */
static inline float mxd_dyn_gain_fastf(float db)
{
	float y = db * 0.166096404f; /* log2(10) / 20 */
	y = y < -126.0f ? -126.0f : y > 126.0f ? 126.0f : y;
	/* Adding 1.5 2^23 rounds y to an integer k held in the low mantissa bits. */
	const float big = y + 12582912.0f;
	const float k = big - 12582912.0f;
	const float f = (y - k) * 0.693147181f;
	float p = 1.0f / 5040.0f;
	p = p * f + 1.0f / 720.0f;
	p = p * f + 1.0f / 120.0f;
	p = p * f + 1.0f / 24.0f;
	p = p * f + 1.0f / 6.0f;
	p = p * f + 0.5f;
	p = p * f + 1.0f;
	p = p * f + 1.0f;
	const uint32_t scale = (mxd_float_bits(big) - 0x4B400000u + 127u) << 23;
	return p * mxd_bits_float(scale);
}

/* Downward compressor gain computer (GMR eq. 4): the gain reduction
 * x_G - y_G >= 0 (dB) at input level x (dB), threshold t (dB), slope
 * s = 1 - 1/ratio (0 = no compression, 1 = infinite ratio) and knee width
 * w (dB, 0 = hard knee):
 *   2 (x - t) < -w:      0
 *   2 |x - t| <= w:      s (x - t + w/2)^2 / (2 w)
 *   2 (x - t) > w:       s (x - t)
 * The knee's 1 / (2 w) is a factor 0.5 / w, which graph/strip_batch.c
 * computes once per block instead of dividing per sample. */
static inline double mxd_dyn_compress_gr(double x, double t, double s, double w)
{
	double d = x - t;
	if (2.0 * d < -w)
		return 0.0;
	if (2.0 * d <= w && w > 0.0) {
		double k = d + 0.5 * w;
		return s * k * k * (0.5 / w);
	}
	return d > 0.0 ? s * d : 0.0;
}

/* Downward expander gain computer, the mirror image of the compressor's
 * (GMR sec. 2.2): reduction (dB, >= 0) at input level x below threshold t
 * with e = ratio - 1 (output falls `ratio` dB per dB of input below t):
 *   2 (x - t) > w:       0
 *   2 |x - t| <= w:      e (x - t - w/2)^2 / (2 w)
 *   2 (x - t) < -w:      e (t - x)                                      */
static inline double mxd_dyn_expand_gr(double x, double t, double e, double w)
{
	double d = x - t;
	if (2.0 * d > w)
		return 0.0;
	if (2.0 * d >= -w && w > 0.0) {
		double k = d - 0.5 * w;
		return e * k * k / (2.0 * w);
	}
	return d < 0.0 ? -e * d : 0.0;
}

/* Smooth decoupled peak detector state (GMR eq. 17); zero = at rest. */
typedef struct {
	double y1; /* instant-attack, released stage */
	double y;  /* output (attack-smoothed) */
} mxd_dyn_env;

/* One step; x >= 0 (a gain reduction, dB). Returns y_L. Values below
 * MXD_DYN_FLUSH_DB are flushed to 0, so at rest the output is exactly 0. */
static inline double mxd_dyn_decoupled(mxd_dyn_env *e, double x, double a_attack, double a_release)
{
	double r = a_release * e->y1 + (1.0 - a_release) * x;
	e->y1 = x > r ? x : r;
	e->y = a_attack * e->y + (1.0 - a_attack) * e->y1;
	if (e->y1 < MXD_DYN_FLUSH_DB)
		e->y1 = 0.0;
	if (e->y < MXD_DYN_FLUSH_DB)
		e->y = 0.0;
	return e->y;
}

/* Smooth branching peak detector (GMR eq. 16): one step of y toward x with
 * coefficient a_up while x > y, a_down otherwise. Values below
 * MXD_DYN_FLUSH_DB in magnitude are flushed to 0. */
static inline double mxd_dyn_branching(double *y, double x, double a_up, double a_down)
{
	double a = x > *y ? a_up : a_down;
	double v = a * *y + (1.0 - a) * x;
	*y = fabs(v) < MXD_DYN_FLUSH_DB ? 0.0 : v;
	return *y;
}

/* Internal release time (ms) of the decoupled detector such that its whole
 * step response (release stage followed by the attack smoother) covers 63 %
 * of a downward step after release_ms. For release_ms close to or below
 * attack_ms no such time exists (the attack smoother alone is slower); then
 * a tiny value is returned and the release is as fast as the attack allows.
 * Control thread (a few dozen exp() calls). */
double mxd_dyn_decoupled_release_ms(double attack_ms, double release_ms);

/* Exact sliding-window maximum of a non-negative signal (a monotonic queue),
 * used as the key level of gates and expanders: the level at sample n is the
 * largest |key| of the last `len` samples, so the key counts as "below" a
 * level only when no sample reached it for `len` samples (hold). */
typedef struct {
	float *val;     /* cap entries, owned */
	uint32_t *pos;  /* cap entries, owned */
	uint32_t cap;
	uint32_t head;  /* index of the oldest entry */
	uint32_t count;
	uint32_t t;     /* samples pushed (wraps; only differences are used) */
} mxd_dyn_peakwin;

/* (Re)allocate for windows up to max_len samples (>= 1) and clear. Returns
 * 0, or -1 on allocation failure. */
int mxd_dyn_peakwin_alloc(mxd_dyn_peakwin *w, uint32_t max_len);
void mxd_dyn_peakwin_free(mxd_dyn_peakwin *w); /* NULL-safe */
void mxd_dyn_peakwin_clear(mxd_dyn_peakwin *w);

/* Push v (>= 0) and return the maximum of the last len samples (len is
 * clamped to [1, max_len]). Amortised O(1); at most max_len steps. */
float mxd_dyn_peakwin_push(mxd_dyn_peakwin *w, float v, uint32_t len);

#endif
