/* mixdown — second-order IIR sections: design, processing, analytic response.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Design follows R. Bristow-Johnson, "Cookbook formulae for audio EQ biquad
 * filter coefficients" (the RBJ Audio EQ Cookbook; also W3C Audio EQ Cookbook
 * note): each analog prototype is mapped with the bilinear transform,
 * prewarped so that f0 lands exactly where requested. First-order sections
 * use the same prewarped bilinear transform (K = tan(pi f0 / fs)).
 * Butterworth filters of order N are cascades of those sections, one per
 * conjugate pole pair plus one first-order section for odd N (S. Butterworth,
 * "On the Theory of Filter Amplifiers", Wireless Engineer 7, 1930: the poles
 * lie evenly spaced on the left half of the unit circle).
 *
 * Units: frequencies in Hz, sample rates in Hz, gains in dB, phase in radians.
 * Coefficients are normalised so that a0 == 1:
 *     y[n] = b0 x[n] + b1 x[n-1] + b2 x[n-2] - a1 y[n-1] - a2 y[n-2]
 * Design functions clamp f0 to [1 Hz, 0.49 fs], Q to [0.01, 1000], S to
 * [0.01, 1] and treat a non-finite gain as 0 dB, so any input yields a stable
 * filter. They may be called on the audio
 * thread (no allocation, a handful of sin/cos/pow/tan calls).
 *
 * Processing uses transposed direct form II with double-precision state and
 * float input/output, in place. Every 64 samples the state is checked: a
 * non-finite state (NaN/Inf input) is cleared, and state below 1e-30 is flushed
 * to zero so decaying tails never reach denormal range.
 *
 * Ownership: all types are plain values; nothing is allocated.
 * Threads: a state belongs to one run() caller at a time.
 */
#ifndef MIXDOWN_DSP_BIQUAD_H
#define MIXDOWN_DSP_BIQUAD_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
	MXD_BQ_LOWPASS,    /* RBJ LPF, Q */
	MXD_BQ_HIGHPASS,   /* RBJ HPF, Q */
	MXD_BQ_BANDPASS,   /* RBJ BPF, constant 0 dB peak gain, Q */
	MXD_BQ_NOTCH,      /* RBJ notch, Q */
	MXD_BQ_PEAK,       /* RBJ peakingEQ, Q, gain */
	MXD_BQ_LOWSHELF,   /* RBJ lowShelf, Q (or slope S), gain; gain/2 at f0 */
	MXD_BQ_HIGHSHELF,  /* RBJ highShelf, Q (or slope S), gain; gain/2 at f0 */
	MXD_BQ_LOWPASS1,   /* first order, -3.01 dB at f0 */
	MXD_BQ_HIGHPASS1,  /* first order, -3.01 dB at f0 */
} mxd_bq_type;

typedef struct {
	double b0, b1, b2, a1, a2;
} mxd_biquad;

/* TDF-II memory of one section on one channel. Zero = silence. */
typedef struct {
	double s1, s2;
} mxd_bq_state;

/* Butterworth orders 1..8 need at most 4 sections. */
#define MXD_BQ_MAX_SECTIONS 4

typedef struct {
	mxd_biquad sec[MXD_BQ_MAX_SECTIONS];
	uint32_t n; /* sections in use, 0..MXD_BQ_MAX_SECTIONS (0 = identity) */
} mxd_bq_cascade;

/* y = x. */
void mxd_biquad_identity(mxd_biquad *c);

/* Design one section. `q` is ignored by the first-order types, `gain_db` by
 * every type except PEAK and the shelves. */
void mxd_biquad_design(mxd_biquad *c, mxd_bq_type type, double sample_rate, double f0, double q,
		       double gain_db);

/* RBJ allpass (APF): |H| = 1, phase -pi at f0. */
void mxd_biquad_design_allpass(mxd_biquad *c, double sample_rate, double f0, double q);

/* First-order tilt: -gain/2 dB at DC, +gain/2 dB towards Nyquist, 0 dB at
 * f0; the prewarped bilinear transform of
 *     H(s) = (g s + 1) / (s + g),  g = 10^(gain/40),  s normalised to w0
 * (a first-order high shelf of +gain dB with its transition centred on f0,
 * lowered by gain/2 dB). b2 = a2 = 0. */
void mxd_biquad_design_tilt(mxd_biquad *c, double sample_rate, double f0, double gain_db);

/* Shelves parameterised by the cookbook's shelf slope S (S = 1: steepest
 * monotonic shelf; equivalent to Q = 1/sqrt(2)). `type` must be a shelf. */
void mxd_biquad_design_shelf_slope(mxd_biquad *c, mxd_bq_type type, double sample_rate, double f0,
				   double slope_s, double gain_db);

/* Q of the cookbook shelf with slope S and gain (the conversion the cookbook
 * gives: 1/Q = sqrt((A + 1/A)(1/S - 1) + 2), A = 10^(gain/40)). */
double mxd_biquad_shelf_q(double slope_s, double gain_db);

/* Butterworth order for a slope in dB/octave: 6, 12, 18, 24, 36, 48 map to
 * 1, 2, 3, 4, 6, 8; any other value takes the nearest allowed slope (ties go
 * to the gentler one). Non-finite -> 12. */
int mxd_butterworth_order(double slope_db_oct);

/* Butterworth low/high-pass of order 1..8 (clamped), -3.01 dB at f0. */
void mxd_butterworth_design(mxd_bq_cascade *c, bool highpass, double sample_rate, double f0,
			    int order);

/* Butterworth low/high-pass with a resonance: the Q of the pole pair with the
 * highest Q (the one closest to the j axis, section 0) is multiplied by `res`
 * (res = 1: exact Butterworth; res > 1 adds a peak near f0, res < 1 rounds
 * the knee). Order 2 with res = q * sqrt(2) is the cookbook LPF/HPF of that Q.
 * Order 1 has no pole pair and ignores res. res is clamped to [0.05, 100]. */
void mxd_butterworth_design_res(mxd_bq_cascade *c, bool highpass, double sample_rate, double f0,
				int order, double res);

/* A cascade holding one section. */
void mxd_bq_cascade_single(mxd_bq_cascade *c, const mxd_biquad *sec);

/* In-place processing of n samples (n may be 0). st[] has one element per
 * section (c->n). */
void mxd_biquad_process(const mxd_biquad *c, mxd_bq_state *st, float *io, uint32_t n);
void mxd_bq_cascade_process(const mxd_bq_cascade *c, mxd_bq_state *st, float *io, uint32_t n);
/* The same for any number of sections (sec[ns], st[ns]): sample by sample
 * through the whole chain in double, states checked every 64 frames. */
void mxd_biquad_chain_process(const mxd_biquad *sec, uint32_t ns, mxd_bq_state *st, float *io, uint32_t n);

/* The same with the coefficients moving linearly, sample by sample, from
 * `from` (used for the first sample) toward `to` (reached after the last
 * sample: sample i uses from + (to - from) (i + 1) / n). Both cascades must
 * have the same number of sections. Smooth parameter sweeps use this between
 * designs a few dozen samples apart, so the coefficients never step. */
void mxd_bq_cascade_process_ramp(const mxd_bq_cascade *from, const mxd_bq_cascade *to,
				 mxd_bq_state *st, float *io, uint32_t n);

/* Analytic response H(e^{j 2 pi f / fs}): magnitude in dB (-inf at an exact
 * zero) and phase in radians in (-pi, pi]. Either out pointer may be NULL. */
void mxd_biquad_response(const mxd_biquad *c, double sample_rate, double f, double *mag_db,
			 double *phase_rad);
void mxd_bq_cascade_response(const mxd_bq_cascade *c, double sample_rate, double f,
			     double *mag_db, double *phase_rad);

#endif
