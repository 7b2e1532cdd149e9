/* mixdown — integer-factor oversampling (2x, 4x, 8x) with polyphase half-band FIR stages.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A factor F = 2^S oversampler is a cascade of S two-times stages, each a
 * LINEAR-PHASE half-band FIR used in polyphase form (upsampling: the zero
 * stuffed samples are never multiplied; downsampling: only kept outputs are
 * computed). Half-band filters (cutoff at a quarter of the stage's high rate)
 * have every second tap zero except the centre tap (= 1/2), so the "centre"
 * polyphase branch is a pure delay: the upsampled stream contains the input
 * samples exactly (delayed), which the true-peak limiter relies on.
 *
 * Design (at init, on the control thread): each stage is a windowed sinc with a
 * Kaiser window (J. F. Kaiser, "Nonrecursive digital filter design using the
 * I0-sinh window function", Proc. IEEE ISCAS 1974; the length/beta formulas as
 * given in Oppenheim & Schafer, "Discrete-Time Signal Processing", 3rd ed.,
 * sec. 7.6: beta = 0.1102 (A - 8.7) for A > 50 dB, N = (A - 7.95) /
 * (2.285 dw)). The passband edge is pass_frac x the base rate (e.g. 0.45: up
 * to 21.6 kHz at 48 kHz); stage s (high rate 2^s fs) stops from
 * 2^(s-1) fs - pass edge, which is what keeps images out of, and aliases off,
 * the base band [0, pass edge] through the whole cascade. Because a half-band
 * filter has equal pass- and stop-band ripple, a stopband of A dB also bounds
 * the passband ripple by 10^(-A/20).
 *
 * Delay: up and down paths are both linear phase. The round trip (down(up(x)))
 * is x delayed by exactly mxd_os_latency() base frames: the oversampler pads
 * the down path with 0..F-1 samples at the high rate so that the total is a
 * whole number of base frames. The up path alone has a (possibly fractional)
 * group delay of mxd_os_up_delay() base frames: the high-rate sample k of the
 * block for base frame n (k = 0..F-1) lies at base time n - up_delay + k / F.
 *
 * Non-finite input passes through the FIR histories and leaves them after the
 * filter length (FIR: no feedback), so state cannot be poisoned for longer.
 *
 * Speed: the up and down paths compute 32 (baseline x86-64) or 64 (AVX2,
 * chosen at init) outputs at a time with their sums in vector registers, each
 * output's taps still added in order from the first, so every build gives the
 * bits of the one-output-at-a-time references mxd_os_up_plain and
 * mxd_os_down_plain (no FMA: separate multiply and add, as ISO C without
 * contraction requires).
 *
 * Ownership: the caller owns the struct; mxd_os_init allocates everything the
 * processing needs (mxd_os_free releases it). Processing never allocates.
 * Threads: init/free/reset on the control thread; up/down on the audio thread,
 * one caller at a time.
 */
#ifndef MIXDOWN_DSP_OVERSAMPLE_H
#define MIXDOWN_DSP_OVERSAMPLE_H

#include <stdbool.h>
#include <stdint.h>

#define MXD_OS_MAX_STAGES 3   /* factor up to 8 */
#define MXD_OS_BLOCK 256u     /* base frames per up()/down() call, at most */

typedef struct {
	float *h;       /* 2K even-index taps h[0], h[2], ..., h[4K-2] */
	uint32_t k;     /* filter length 4K - 1, centre delay 2K - 1 high-rate samples */
} mxd_os_stage;

typedef struct {
	float *up_hist[MXD_OS_MAX_STAGES];   /* per stage: 2K - 1 history + block */
	float *dn_even[MXD_OS_MAX_STAGES];   /* per stage: 2K - 1 history + block */
	float *dn_odd[MXD_OS_MAX_STAGES];    /* per stage: K history + block */
	float *pad;                          /* pad history + F x block */
} mxd_os_chan;

typedef struct {
	uint32_t factor, n_stages, channels, pad, inner;
	mxd_os_stage st[MXD_OS_MAX_STAGES];
	mxd_os_chan *ch;
	float *scratch;                      /* F x MXD_OS_BLOCK */
	bool avx2;                           /* up/down paths: AVX2 build (set by init when the CPU has it;
					      * tests may clear it for the baseline build: same bits) */
} mxd_os;

/* Zero-initialised struct = not initialised (mxd_os_free is then a no-op). */

/* Design and allocate. factor 2, 4 or 8; channels >= 1; atten_db is the
 * stopband attenuation (>= 60, e.g. 110); pass_frac the passband edge as a
 * fraction of the base rate (0.3 .. 0.48, e.g. 0.45). inner_delay (0 .. 64) is
 * the delay in high-rate samples that the caller's processing between up() and
 * down() adds (e.g. 1 for a centred antiderivative antialiasing step); the pad
 * is chosen so that up + inner processing + down is a whole number of base
 * frames, mxd_os_latency(). Returns 0, or -1 on bad
 * arguments / allocation failure (the struct is then freed). */
int mxd_os_init(mxd_os *os, uint32_t factor, uint32_t channels, double atten_db, double pass_frac,
		uint32_t inner_delay);
void mxd_os_free(mxd_os *os);
void mxd_os_reset(mxd_os *os); /* clear all histories (silence) */

/* Upsample n <= MXD_OS_BLOCK base frames of channel c into out[n x factor]. */
void mxd_os_up(mxd_os *os, uint32_t c, const float *in, float *out, uint32_t n);

/* The same up path, but only its peak: for each base frame i < n, fold the
 * absolute value of its `factor` up-sampled samples into peak[i] as
 * peak[i] = v > peak[i] ? v : peak[i] (a NaN sample is ignored; peak[] must
 * hold finite values). Same bits as mxd_os_up followed by that fold (the
 * true-peak limiter's detector), without writing the samples. Advances the
 * channel's state exactly as mxd_os_up does. */
void mxd_os_up_peak(mxd_os *os, uint32_t c, const float *in, float *peak, uint32_t n);

/* mxd_os_up in plain C, one output at a time: the reference the vectorized
 * path must equal bit for bit (tests). */
void mxd_os_up_plain(mxd_os *os, uint32_t c, const float *in, float *out, uint32_t n);

/* Downsample in[n x factor] of channel c into out[n] (n <= MXD_OS_BLOCK).
 * out may alias in. */
void mxd_os_down(mxd_os *os, uint32_t c, const float *in, float *out, uint32_t n);

/* mxd_os_down in plain C, one output at a time: the reference (tests). */
void mxd_os_down_plain(mxd_os *os, uint32_t c, const float *in, float *out, uint32_t n);

/* Round-trip delay in base frames including inner_delay (a whole number by
 * construction). */
uint32_t mxd_os_latency(const mxd_os *os);

/* Group delay of the up path alone, in base frames (sum over stages of
 * (2K_s - 1) / 2^s). */
double mxd_os_up_delay(const mxd_os *os);

/* Filter length (taps) of stage s (0-based), for documentation and tests. */
uint32_t mxd_os_stage_taps(const mxd_os *os, uint32_t s);

#endif
