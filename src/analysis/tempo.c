/* mixdown — tempo of stems played together, from the periodicity of their
 * onsets (for automix's tempo-synced delay; any caller on a control thread).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Method (the usual global tempo estimate of beat trackers, e.g. Ellis,
 * "Beat Tracking by Dynamic Programming", J. New Music Research 36(1), 2007,
 * section 3.1):
 *  1. Onset strength per file: the signal (channels summed) in frames of
 *     10 ms with a 5 ms hop (200 Hz envelope); the half-wave rectified rise
 *     of the frame's log energy (dB, floored at -80 dB re. full scale) from
 *     the previous frame. The files' strengths are summed, so every stem is a
 *     "band" of a spectral-flux-like detector.
 *  2. The summed envelope, smoothed (binomial, 5 ms), minus its 1 s moving
 *     average (only the pulse remains), autocorrelated over lags of
 *     40..240 BPM.
 *  3. The autocorrelation weighted by a log-Gaussian tempo preference centred
 *     on 120 BPM with a standard deviation of 1.4 octaves (Ellis's prior,
 *     from listeners' preferred tempi), its maximum between 60 and 200 BPM
 *     taken; the period is then refined on the 4th repetition of the pulse
 *     (the autocorrelation's peak near 4x the lag) with parabolic
 *     interpolation, a quarter of a frame's error becoming a sixteenth.
 * Confidence: the unweighted autocorrelation at the chosen lag over its value
 * at lag 0 (0..1); below 0.05 the result is NAN (no steady pulse).
 * Stems at different rates are summed frame by frame (their envelope rates
 * differ by under 0.3 %); the first file's envelope rate converts the lag.
 * At most the first MAX_SECONDS of each file are read; at least 3 s are
 * needed (two periods at 40 BPM), else NAN; files shorter than eight beats
 * refine on an earlier repetition.
 *
 * Units: BPM; Hz. Allocates the envelope (200 floats per second); frees it.
 */
#include <math.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "session/model.h"

#define ENV_HZ 200.0
#define MAX_SECONDS 180.0
#define MIN_CONFIDENCE 0.05
#define REFINE 4 /* the period is refined on the 4th repetition of the pulse (if the file is long enough) */

static double autocorr(const double *x, size_t n, size_t lag)
{
	double s = 0.0;
	for (size_t i = lag; i < n; i++)
		s += x[i] * x[i - lag];
	return s;
}

/* Adds file's onset strength to env[0..n_env); returns frames used or -1.
 * *env_hz: the envelope's exact rate (the file's rate over the whole-sample
 * hop, e.g. 44100 / 221 = 199.55 Hz). */
static long add_onsets(const char *path, float *env, size_t n_env, double *env_hz, mixdown_error *err)
{
	SF_INFO info;
	memset(&info, 0, sizeof info);
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	if (!f) {
		mxd_fail(err, MIXDOWN_ERR_AUDIO, path, (mxd_loc){ 0, 0 }, NULL, "cannot read: %s", sf_strerror(NULL));
		return -1;
	}
	double rate = info.samplerate;
	size_t hop = (size_t)lround(rate / ENV_HZ), win = 2 * hop, ch = (size_t)info.channels;
	*env_hz = rate / (double)hop;
	float *buf = malloc(sizeof(float) * hop * ch);
	double *mono = calloc(win, sizeof(double));
	if (!buf || !mono) {
		free(buf);
		free(mono);
		sf_close(f);
		mxd_fail(err, MIXDOWN_ERR_NOMEM, path, (mxd_loc){ 0, 0 }, NULL, "out of memory");
		return -1;
	}
	double prev = -80.0;
	size_t m = 0;
	/* The window is the previous hop and this one. */
	for (; m < n_env; m++) {
		sf_count_t got = sf_readf_float(f, buf, (sf_count_t)hop);
		if (got <= 0)
			break;
		memmove(mono, mono + hop, hop * sizeof(double));
		for (size_t i = 0; i < hop; i++) {
			double s = 0.0;
			for (size_t c = 0; c < ch && i < (size_t)got; c++)
				s += buf[i * ch + c];
			mono[hop + i] = i < (size_t)got ? s : 0.0;
		}
		double e = 0.0;
		for (size_t i = 0; i < win; i++)
			e += mono[i] * mono[i];
		double db = 10.0 * log10(e / (double)win + 1e-8); /* -80 dB floor */
		if (db > prev)
			env[m] += (float)(db - prev);
		prev = db;
	}
	free(buf);
	free(mono);
	sf_close(f);
	return (long)m;
}

double mxd_tempo_estimate(const char *const *paths, size_t n, double *confidence, mixdown_error *err)
{
	if (confidence)
		*confidence = 0.0;
	size_t cap = (size_t)(MAX_SECONDS * ENV_HZ);
	float *env = calloc(cap, sizeof(float));
	if (!env) {
		mxd_fail(err, MIXDOWN_ERR_NOMEM, NULL, (mxd_loc){ 0, 0 }, NULL, "out of memory");
		return NAN;
	}
	size_t len = 0;
	double env_hz = ENV_HZ, hz = ENV_HZ;
	for (size_t i = 0; i < n; i++) {
		long got = add_onsets(paths[i], env, cap, i == 0 ? &env_hz : &hz, err);
		if (got < 0) {
			free(env);
			return NAN;
		}
		len = (size_t)got > len ? (size_t)got : len;
	}
	/* Remove the 1 s moving average (running sums keep it linear). */
	size_t half = (size_t)(ENV_HZ / 2.0);
	double *hp = calloc(len ? len : 1, sizeof(double)), *pre = calloc(len + 1, sizeof(double));
	if (!hp || !pre) {
		free(env);
		free(hp);
		free(pre);
		mxd_fail(err, MIXDOWN_ERR_NOMEM, NULL, (mxd_loc){ 0, 0 }, NULL, "out of memory");
		return NAN;
	}
	for (size_t i = 0; i < len; i++)
		pre[i + 1] = pre[i] + env[i];
	for (size_t i = 0; i < len; i++) {
		size_t a = i > half ? i - half : 0, b = i + half < len ? i + half : len;
		/* binomial 1-4-6-4-1 smoothing (sigma 1 frame, 5 ms): onsets jitter
		 * by a frame when the beat is not a whole number of frames, and
		 * broad peaks let the parabola find the period between frames */
		double sm = 6.0 * env[i];
		sm += 4.0 * ((i >= 1 ? env[i - 1] : 0.0f) + (i + 1 < len ? env[i + 1] : 0.0f));
		sm += (i >= 2 ? env[i - 2] : 0.0f) + (i + 2 < len ? env[i + 2] : 0.0f);
		hp[i] = sm / 16.0 - (pre[b] - pre[a]) / (double)(b - a);
	}
	free(env);
	free(pre);
	size_t lag_min = (size_t)floor(60.0 * ENV_HZ / 240.0), lag_max = (size_t)ceil(60.0 * ENV_HZ / 40.0);
	double r0 = autocorr(hp, len, 0);
	if (!(r0 > 0.0) || len < 2 * lag_max) {
		free(hp);
		return NAN;
	}
	size_t best = 0;
	double best_w = -INFINITY, best_r = 0.0;
	for (size_t lag = lag_min + 1; lag <= lag_max; lag++) {
		double bpm = 60.0 * ENV_HZ / (double)lag;
		if (bpm < 60.0 || bpm > 200.0)
			continue;
		double oct = log2(bpm / 120.0) / 1.4, r = autocorr(hp, len, lag);
		double w = r * exp(-0.5 * oct * oct);
		if (w > best_w) {
			best_w = w;
			best = lag;
			best_r = r;
		}
	}
	if (!best || best_r / r0 < MIN_CONFIDENCE) {
		free(hp);
		return NAN;
	}
	/* A lag is only known to a frame (0.6 BPM at 130 BPM): the pulse's
	 * REFINE-th repetition, found near REFINE x lag, pins the period
	 * REFINE times finer; a parabola through its neighbours refines it
	 * further. */
	size_t refine = REFINE;
	while (refine > 1 && 2 * refine * best > len) /* short files: an earlier repetition */
		refine--;
	size_t far = refine * best, peak = far;
	double pr = -INFINITY;
	for (size_t lag = far - refine; lag <= far + refine; lag++) {
		double r = autocorr(hp, len, lag);
		if (r > pr) {
			pr = r;
			peak = lag;
		}
	}
	double a = autocorr(hp, len, peak - 1), c = autocorr(hp, len, peak + 1), den = a - 2.0 * pr + c;
	double d = den < 0.0 ? 0.5 * (a - c) / den : 0.0;
	d = d < -0.5 ? -0.5 : d > 0.5 ? 0.5 : d;
	free(hp);
	if (confidence)
		*confidence = best_r / r0;
	return 60.0 * env_hz * (double)refine / ((double)peak + d);
}
