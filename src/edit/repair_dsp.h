/* mixdown — the DSP shared by the repair processors (src/fx/fx_declick.c,
 * fx_declip.c, fx_denoise.c, fx_dehum.c) and the detectors of repair.h, so a
 * scan finds exactly what the processor would repair.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Contents:
 *   - AR (linear-prediction) modelling and least-squares AR interpolation of
 *     missing samples (S. Godsill, P. Rayner, "Digital Audio Restoration",
 *     Springer 1998, ch. 5; A. Janssen, R. Veldhuis, L. Vries, "Adaptive
 *     interpolation of discrete-time signals that can be modeled as
 *     autoregressive processes", IEEE Trans. ASSP 34(2), 1986);
 *   - click detection on the AR residual (Godsill & Rayner ch. 5.3);
 *   - clip-level tracking and constrained AR declipping;
 *   - the window framer both AR processors use (fixed lookahead latency);
 *   - the noise-profile bands and STFT geometry of `denoise`;
 *   - the mains-hum fundamental tracker of `dehum`.
 * Units: samples are linear full scale (1.0 = 0 dBFS), times in samples.
 * Threads: *_init / *_free allocate (control thread); everything else is
 * real-time safe (no allocation, bounded loops) and may run on the audio
 * thread. Objects are owned by the caller.
 */
#ifndef MIXDOWN_EDIT_REPAIR_DSP_H
#define MIXDOWN_EDIT_REPAIR_DSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------ AR model */

#define MXD_AR_MAX_ORDER 32

/* Scratch for AR estimation and interpolation of windows up to `win`
 * samples and gaps up to `max_gap` samples. */
typedef struct {
	uint32_t win, order, max_gap;
	double a[MXD_AR_MAX_ORDER + 1]; /* a[0] = 1; e[n] = sum_k a[k] x[n - k] */
	double *hann;                   /* win: analysis window of the estimate */
	double *tmp;                    /* win: windowed signal, residual magnitudes */
	double *res;                    /* win: forward residual */
	double *mat;                    /* max(max_gap, order)^2 */
	double *rhs;                    /* max(max_gap, order) */
	double *ek;                     /* max_gap + order */
	uint32_t *idx;                  /* max_gap: unknown positions */
} mxd_ar_work;

int mxd_ar_work_init(mxd_ar_work *w, uint32_t win, uint32_t order, uint32_t max_gap);
void mxd_ar_work_free(mxd_ar_work *w);

/* Autocorrelation method (Hann window, Levinson-Durbin) on x[0, n), n <= win.
 * Returns 0, or -1 for a silent window (w->a is then the identity). */
int mxd_ar_estimate(mxd_ar_work *w, const double *x, uint32_t n);

/* Covariance method using only the prediction equations whose samples are
 * all known (known[i] != 0): for declipping, where the clipped samples would
 * bias the estimate. Order `order` <= w->order. Returns 0 or -1 (too few
 * equations or singular). */
int mxd_ar_estimate_known(mxd_ar_work *w, const double *x, const uint8_t *known, uint32_t n, uint32_t order);

/* Least-squares AR interpolation (LSAR): replaces the samples of x[s, s+len)
 * flagged in unknown[0, len) (NULL = all of them) by the values minimising
 * the AR residual energy, the others kept. Needs s >= order and
 * s + len + order <= n and len <= max_gap; returns -1 (x untouched) if not. */
int mxd_ar_interpolate(mxd_ar_work *w, double *x, uint32_t n, uint32_t s, uint32_t len, const uint8_t *unknown);

/* Solves A u = b for symmetric positive definite A (m x m, row-major), in
 * place (u in b, A destroyed), with a relative diagonal load of 1e-9.
 * Returns 0, or -1 if A is not positive definite. */
int mxd_chol_solve(double *A, double *b, uint32_t m);

/* ------------------------------------------------------------- clicks */

#define MXD_CLICK_ORDER 20   /* AR order of the click detector */
#define MXD_CLICK_MAX_MS 5.0 /* longest click the detector can handle */
#define MXD_CLICK_DEFAULT_MS 1.0 /* `declick` max_length default; mxd_click_scan uses it */

typedef struct {
	uint32_t start, len;  /* in the window */
	double strength_db;   /* peak residual over the residual's robust sigma */
} mxd_click_span;

/* Residual threshold in robust standard deviations for sensitivity 0..1. */
double mxd_click_k(double sensitivity);

/* Finds clicks whose first sample lies in [from, to) of the window x[0, n):
 * AR model of the window, forward residual against k robust sigmas
 * (median |e| / 0.6745), start = first flagged residual, end = last flagged
 * backward residual of the same event; events longer than max_len are not
 * clicks. Writes at most `max` spans; returns how many it wrote. */
size_t mxd_click_detect(mxd_ar_work *w, const double *x, uint32_t n, uint32_t from, uint32_t to, double k,
			uint32_t max_len, mxd_click_span *out, size_t max);

/* ----------------------------------------------------------- clipping */

/* Follows the clip level of one channel: the level of runs of >= 3 equal
 * |x| that are also the largest |x| seen so far (a sample above it voids it). */
typedef struct {
	double peak, level, prev;
	uint32_t run;
} mxd_clip_tracker;

void mxd_clip_tracker_feed(mxd_clip_tracker *t, double x);

#define MXD_DECLIP_ORDER 16

/* Restores the clipped samples (|x| >= level) of runs starting in [from, to)
 * of x[0, n) that are at most max_run long: AR model of the unclipped
 * samples (covariance method), LSAR over each run, then the constraint
 * |restored| >= level by an active set: samples that came out below the
 * level are fixed at it and the rest re-solved. clipped[] is n bytes of
 * scratch. Returns the number of runs restored. */
size_t mxd_declip_window(mxd_ar_work *w, double *x, uint8_t *clipped, uint32_t n, uint32_t from, uint32_t to,
			 double level, uint32_t max_run);

/* ------------------------------------------------------------- framer */

/* Windowed lookahead processing: each window holds `pre` samples of
 * history, `hop` current and `post` future ones; a callback repairs the
 * window, then the `hop` current samples go out. Latency hop + post. */
typedef struct mxd_rp_framer mxd_rp_framer;
typedef void (*mxd_rp_window_fn)(void *ctx, uint32_t channel, double *win, uint32_t n, uint32_t from, uint32_t to);
struct mxd_rp_framer {
	uint32_t pre, hop, post, win, channels, k;
	double *buf[16]; /* win each */
	float *outq[16]; /* hop each */
};

int mxd_rp_framer_init(mxd_rp_framer *f, uint32_t pre, uint32_t hop, uint32_t post, uint32_t channels);
void mxd_rp_framer_free(mxd_rp_framer *f);
void mxd_rp_framer_reset(mxd_rp_framer *f);
void mxd_rp_framer_run(mxd_rp_framer *f, float *const *io, uint32_t n, mxd_rp_window_fn fn, void *ctx);

/* ------------------------------------------------------------ denoise */

/* STFT of `denoise` and of the profile learner: frame MXD_NZ_FFT samples,
 * Hann analysis and synthesis windows, hop a quarter frame. */
#define MXD_NZ_FFT 2048u
#define MXD_NZ_HOP 512u
#define MXD_NZ_BANDS 32

/* Centre of band b (0..31): 20 Hz * 1000^(b / 31), 20 Hz .. 20 kHz. */
double mxd_nz_band_centre(int b);

/* Sum of the squared analysis window (Hann: 3 N / 8). White noise of RMS
 * s gives mean |X_k|^2 = s^2 * this, so a band level in dBFS is
 * 10 log10(mean |X_k|^2 / this). */
double mxd_nz_window_power(void);

/* The Hann window value at n of MXD_NZ_FFT (periodic). */
double mxd_nz_window(uint32_t n);

/* Noise power per bin (|X_k|^2 scale) for bins 0..N/2 from band levels in
 * dBFS (linear interpolation in dB over log frequency between centres). */
void mxd_nz_bins_from_bands(const double *band_db, double rate, double offset_db, double *lambda);
/* The same for a Hann-windowed frame of n samples (bins 0..n/2): the
 * profile's meaning does not depend on the frame, so `denoise` may analyse
 * with a longer frame than the learner. */
void mxd_nz_bins_from_bands_n(const double *band_db, double rate, double offset_db, uint32_t n, double *lambda);

/* Band levels (dBFS) from mean bin powers (bins 0..N/2). */
void mxd_nz_bands_from_bins(const double *power, double rate, double *band_db);

/* Measurement hook of `denoise` (src/fx/fx_denoise.c; for tests): when on,
 * the gains computed for channel 0 are applied to every channel, so with
 * channel 0 = s + n, 1 = s and 2 = n the outputs 1 and 2 are exactly what
 * the processor did to the speech and to the noise ("shadow filtering").
 * No effect on other classes. Control thread, while not running. */
struct mxd_fx;
void mxd_denoise_shadow(struct mxd_fx *fx, bool on);

/* --------------------------------------------------------------- hum */

#define MXD_HUM_TRACK_HARMONICS 3
#define MXD_HUM_BLOCK_S 0.2

/* Tracks a mains fundamental near f_nom (+-0.6 Hz) from the phase advance
 * of the demodulated first harmonics between Hann-windowed blocks; the
 * next block's oscillator runs at the estimate extrapolated by the
 * measured drift to that block's centre (a second-order loop), so a
 * slowly drifting mains stays centred in the notches. */
typedef struct {
	double rate, f_nom, f, f_prev, ph;
	double est, slope; /* last measured frequency (at a block boundary), its drift in Hz/s */
	uint32_t block, pos;
	double zr[MXD_HUM_TRACK_HARMONICS], zi[MXD_HUM_TRACK_HARMONICS];
	double pr[MXD_HUM_TRACK_HARMONICS], pi[MXD_HUM_TRACK_HARMONICS];
	bool have_prev;
	double power; /* amplitude^2 sum of the tracked harmonics, last block */
	uint32_t blocks;
} mxd_hum_tracker;

void mxd_hum_tracker_init(mxd_hum_tracker *t, double rate, double f_nom);
/* Feeds one sample; returns true when a block ended (t->f may have moved). */
bool mxd_hum_tracker_feed(mxd_hum_tracker *t, double x);

#endif
