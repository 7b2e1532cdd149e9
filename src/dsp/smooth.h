/* mixdown — parameter smoothing: a linear ramp of fixed duration.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every continuous parameter a processor exposes moves toward a new target over
 * a fixed time (MXD_SMOOTH_MS by default) along a straight line in whatever
 * domain the caller chooses (linear gain, dB, log2 Hz, ...). A linear ramp
 * reaches its target exactly after the ramp time (unlike a one-pole, which only
 * approaches it), so a processor can tell cheaply when it is "settled" and fall
 * back to its fast path (e.g. skip a multiply at exact unity gain).
 *
 * The end value is assigned, not accumulated: once settled, `cur == target`
 * bit for bit.
 *
 * Ownership: plain value type embedded in the owner's state; no allocation.
 * Threads: mxd_smooth_init/set/snap on the control thread or between run()
 * calls; mxd_smooth_advance/at (O(1)) and mxd_smooth_apply_gain (O(n)) on the
 * audio thread.
 */
#ifndef MIXDOWN_DSP_SMOOTH_H
#define MIXDOWN_DSP_SMOOTH_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#define MXD_SMOOTH_MS 20.0 /* default ramp time, ms */

typedef struct {
	double cur;     /* value reached so far */
	double target;  /* value the ramp ends at */
	double step;    /* increment per sample while ramping */
	uint32_t left;  /* samples until cur == target (0 = settled) */
	uint32_t len;   /* ramp length in samples (>= 1) */
} mxd_smooth;

/* Ramp length from a sample rate (Hz, > 0) and a time (ms, >= 0); the smoother
 * starts settled at `value`. Before the rate is known pass rate 0 (length 1). */
static inline void mxd_smooth_init(mxd_smooth *s, double sample_rate, double ramp_ms, double value)
{
	double len = sample_rate > 0 ? floor(sample_rate * ramp_ms / 1000.0 + 0.5) : 1.0;
	s->len = len < 1.0 ? 1u : len > 1e9 ? 1000000000u : (uint32_t)len;
	s->cur = s->target = value;
	s->step = 0;
	s->left = 0;
}

static inline bool mxd_smooth_settled(const mxd_smooth *s)
{
	return s->left == 0;
}

/* Jump to the target (reset(), or a non-automatable change). */
static inline void mxd_smooth_snap(mxd_smooth *s)
{
	s->cur = s->target;
	s->step = 0;
	s->left = 0;
}

/* New target: ramps from the current value over the full ramp length. A target
 * equal to the current one (and nothing in flight) costs nothing. */
static inline void mxd_smooth_set(mxd_smooth *s, double target)
{
	if (target == s->target && s->left == 0)
		return;
	s->target = target;
	if (target == s->cur) {
		mxd_smooth_snap(s);
		return;
	}
	s->left = s->len;
	s->step = (target - s->cur) / (double)s->len;
}

/* Value i + 1 samples from now (i < left), without advancing. Lets a processor
 * apply the same ramp to several channels without per-sample state. */
static inline double mxd_smooth_at(const mxd_smooth *s, uint32_t i)
{
	return i + 1 >= s->left ? s->target : s->cur + s->step * (double)(i + 1);
}

/* Advance by n samples; returns the value reached. */
static inline double mxd_smooth_advance(mxd_smooth *s, uint32_t n)
{
	if (s->left == 0)
		return s->cur;
	if (n >= s->left) {
		mxd_smooth_snap(s);
	} else {
		s->left -= n;
		s->cur += s->step * (double)n;
	}
	return s->cur;
}

/* Multiply io[0..channels-1][0..n-1] by the smoothed value (a linear gain) and
 * advance by n. Settled at exactly +1 nothing is touched (bit-exact identity);
 * settled at exactly -1 the samples are negated (exact). */
void mxd_smooth_apply_gain(mxd_smooth *s, float *const *io, uint32_t channels, uint32_t n);

#endif
