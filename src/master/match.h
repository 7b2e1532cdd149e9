/* mixdown — reference matching of tonal balance and stereo width (`mixdown master --reference REF`).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Designs, from two whole files, a linear-phase correction that gives the
 * input the reference's long-term spectrum, separately for mid M = (L+R)/2
 * and side S = (L-R)/2 (so the side/mid balance, i.e. stereo width per band,
 * follows the reference too), and applies it as a stream. Loudness is NOT
 * matched here: the correction is normalized so that it leaves the input's
 * K-weighted (ITU-R BS.1770) power unchanged; the mastering loop targets the
 * reference's integrated loudness itself.
 *
 * Starting point: the published pipeline of Matchering 2.0 (S. Grigoriev;
 * summarized in docs/mixing-knowledge.md of the shared notes: M/S split,
 * average spectra of the loud parts, ratio, log-frequency smoothing,
 * windowed inverse FFT to a linear-phase FIR, M/S back to L/R). What differs,
 * and why (match_spectrum.c and match_curve.c give the details):
 *  - spectra are Welch power averages (Hann, 50 % overlap; P. D. Welch,
 *    IEEE Trans. Audio Electroacoust. 15(2), 1967) rather than averages of
 *    |STFT| magnitudes: power is what band levels and loudness add up, and
 *    it measured best (below);
 *  - frames are selected by a loudness gate (BS.1770-style absolute -70 LUFS
 *    and relative -10 LU gates on the K-weighted frame power) instead of the
 *    loudest 15 s pieces: silence, fades and noise tails are left out at any
 *    file length, while the power average still weights loud passages most;
 *  - both spectra are smoothed on a log-frequency axis (1/3 octave) and the
 *    ratio is taken afterwards (fractional-octave smoothing of each response:
 *    P. D. Hatziantoniou, J. N. Mourjopoulos, "Generalized fractional-octave
 *    smoothing of audio and acoustic responses", JAES 48(4), 2000), so the
 *    correction is a ratio of band powers rather than a mean of per-bin dB
 *    ratios;
 *  - the correction is limited to +-12 dB, faded to 0 dB below 20 Hz, above
 *    ~18 kHz and wherever either spectrum is within reach of its noise floor
 *    (a band more than 70-90 dB under the file's total power), so
 *    noise floors and the reference's lowpass are never "matched";
 *  - amount a in 0..1 scales the correction in dB (C_a = a C);
 *  - the correction is normalized to 0 dB at its loudness-weighted mean: the
 *    same offset is subtracted from the mid and side curves so that
 *    sum_k K(f_k) (P_M(k) |H_M(k)|^2 + P_S(k) |H_S(k)|^2) equals
 *    sum_k K(f_k) (P_M(k) + P_S(k)) over the input's gated power spectrum,
 *    K being the BS.1770 K-weighting power gain. The output's integrated
 *    loudness therefore stays within a few tenths of a LU of the input's.
 *
 * Measured (48 kHz, 22 s pairs; mean |one-third-octave band power
 * difference| to the reference over 40 Hz - 16 kHz after matching, one level
 * offset removed, mid / side; the EQ of tests/test_match.c planted on the
 * reference): stationary pink noise (tests/test_match.c) 2.32 / 1.23 dB
 * before, 0.08 / 0.09 dB after. Music-like pairs (random 4-voice chords of
 * 16 partials every 0.5 s over pink noise, input in C major, reference in
 * F# major; mean of 3 pairs), noise 6 dB / 26 dB under the chords:
 *                                   dense         sparse
 *   before                          2.16 / 1.25   2.02 / 2.69
 *   this design                     0.18 / 0.14   0.74 / 0.80
 *   |X| averaged, ratio smoothed    0.24 / 0.18   1.06 / 0.85  (Matchering's choices)
 *   power averaged, ratio smoothed  0.19 / 0.16   0.84 / 0.71
 *   log-power (geometric) average   0.28 / 0.21   1.52 / 1.25
 * 1/6- or 2/3-octave smoothing instead of 1/3 changed the error of the
 * recovered curve against the planted EQ by < 0.05 dB.
 *
 * Filter: per channel (M, S) a linear-phase FIR of n taps, n = the power of
 * two nearest 8192 * rate / 48 kHz (8192 at 44.1 and 48 kHz, 16384 at 96 kHz),
 * run by the project's partitioned convolver (dsp/convolver.h, partition
 * n/4). Latency = n/2 (the FIR's centre) + n/4 (the partition): 6144 frames
 * at 44.1/48 kHz, the same whatever the amount.
 * Mono input or mono reference: one curve matches the per-speaker total
 * spectra P_M + P_S (the tone as heard: a mono file plays as L = R = M, a
 * stereo file has (P_L + P_R) / 2 = P_M + P_S); a mono input is corrected as
 * its mid only, a stereo input gets the curve on mid and side alike (width
 * kept: a mono file says nothing about width). The reference is resampled
 * to the input's rate (libsoxr VHQ, io/reader.h); the output is at the
 * input's rate.
 *
 * Units: dB, Hz, frames; samples are linear floats (1.0 = full scale).
 * Ownership: mxd_match_design() allocates everything; mxd_match_free()
 * releases it. Threads: design/free on a control thread (they read files and
 * allocate); process/reset on one thread at a time, never allocating or
 * locking, so they may run on an audio thread.
 */
#ifndef MIXDOWN_MASTER_MATCH_H
#define MIXDOWN_MASTER_MATCH_H

#include <stdint.h>

#include "mixdown/mixdown.h"

typedef struct mxd_match mxd_match;

/* Design the correction from two whole files (streamed; any length).
 * input_path: mono or stereo, any rate (the correction is designed at it).
 * reference_path: mono or stereo, any rate. amount: 0..1 (0 = an exact
 * null: the output is the input delayed by the latency, bit for bit).
 * Errors: MIXDOWN_ERR_USAGE (amount outside 0..1 or NaN, NULL paths),
 * MIXDOWN_ERR_AUDIO naming the file in err->file (missing or unreadable,
 * more than two channels, silent: no frame above -70 LUFS),
 * MIXDOWN_ERR_NOMEM. On failure *out is NULL. */
mixdown_status mxd_match_design(const char *input_path, const char *reference_path, double amount, mxd_match **out,
				mixdown_error *err);

uint32_t mxd_match_channels(const mxd_match *m); /* the input's: 1 or 2 */
double mxd_match_rate(const mxd_match *m);       /* Hz: the input's */
uint32_t mxd_match_latency(const mxd_match *m);  /* frames the output lags the input */

/* Planar in[0..channels-1][0..n-1] -> out[...]; any n (no maximum block).
 * out may be the same buffers as in (in place). Non-finite input samples are
 * treated as 0 by the filter (the amount-0 null passes them through).
 * Never allocates. */
void mxd_match_process(mxd_match *m, const float *const *in, float *const *out, uint32_t n);

/* Back to silence (delay lines and buffers), as after design. Never allocates. */
void mxd_match_reset(mxd_match *m);

/* The designed correction per one-third-octave band of mixdown.h
 * (MIXDOWN_BANDS = 31, centres 20 Hz .. 20 kHz), in dB for mid and side:
 * the power mean of the filter's response over the band's bins (the
 * response at the centre for bands narrower than a bin). 0 for bands whose
 * centre is above Nyquist and for the side of a mono input. */
void mxd_match_curve(const mxd_match *m, double mid_db[MIXDOWN_BANDS], double side_db[MIXDOWN_BANDS]);

void mxd_match_free(mxd_match *m); /* NULL-safe */

#endif
