/* mixdown — speech loudness and the leveling ride of one voice file (`mixdown podcast`).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The file is streamed through libebur128 (ITU-R BS.1770-4 K-weighting and
 * gating) in 100 ms hops; the momentary loudness (400 ms) of every hop is
 * kept (one double per 100 ms). The speech loudness is the gated integrated
 * loudness: the relative gate (-10 LU) drops pauses and breaths, so it is the
 * loudness of the speech-active part. The ride is a slow trim that evens out
 * the speaker's level over time without pumping:
 *  - a hop is speech-active when its momentary loudness is within 20 LU of the
 *    speech loudness (and above -70 LUFS);
 *  - one point per second; its local loudness is the power mean of the active
 *    hops in the 3 s around it, needing at least 0.5 s of speech, otherwise the
 *    previous value is held (pauses never raise the gain: no noise pumping);
 *  - the correction (speech loudness - local loudness) is bounded to +-10 dB and
 *    smoothed by a 3-point moving average; the lane's segments are `smooth`.
 * Control thread; allocates; deterministic.
 */
#include "edit/podcast.h"

#include <ebur128.h>
#include <math.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>

#define HOP_S 0.1
#define POINT_S 1.0
#define WINDOW_S 3.0
#define MIN_ACTIVE_S 0.5
#define ACTIVE_LU 20.0
#define RIDE_MAX_DB 10.0

mixdown_status mxd_podcast_measure(const char *path, mxd_podcast_level *out, mixdown_error *err)
{
	memset(out, 0, sizeof *out);
	SF_INFO info = { 0 };
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	if (!f)
		return mxd_fail(err, MIXDOWN_ERR_AUDIO, path, (mxd_loc){ 0, 0 }, NULL, "cannot read as audio: %s",
				sf_strerror(NULL));
	size_t hop = (size_t)llround(info.samplerate * HOP_S);
	ebur128_state *st = ebur128_init((unsigned)info.channels, (unsigned long)info.samplerate,
					 EBUR128_MODE_M | EBUR128_MODE_I);
	float *buf = malloc(hop * (size_t)info.channels * sizeof *buf);
	size_t cap = (size_t)(info.frames / (sf_count_t)hop) + 2;
	double *mom = malloc(cap * sizeof *mom);
	if (!st || !buf || !mom) {
		sf_close(f);
		free(buf);
		free(mom);
		if (st)
			ebur128_destroy(&st);
		return MIXDOWN_ERR_NOMEM;
	}
	size_t n = 0;
	double peak = 0;
	for (;;) {
		sf_count_t got = sf_readf_float(f, buf, (sf_count_t)hop);
		if (got <= 0)
			break;
		for (sf_count_t i = 0; i < got * info.channels; i++)
			if (fabsf(buf[i]) > peak)
				peak = fabsf(buf[i]);
		ebur128_add_frames_float(st, buf, (size_t)got);
		double m = -HUGE_VAL;
		ebur128_loudness_momentary(st, &m);
		if (n < cap) { /* the first hops do not fill the 400 ms window yet: not a level */
			mom[n] = n < 4 ? -HUGE_VAL : m;
			n++;
		}
	}
	sf_close(f);
	free(buf);
	double lufs = -HUGE_VAL;
	ebur128_loudness_global(st, &lufs);
	ebur128_destroy(&st);
	out->lufs = lufs;
	out->peak_db = peak > 0 ? 20.0 * log10(peak) : -HUGE_VAL;
	out->duration = (double)info.frames / info.samplerate;
	if (!isfinite(lufs)) { /* silence: nothing to level */
		free(mom);
		return MIXDOWN_SUCCESS;
	}
	/* The ride, one point per second. */
	size_t per_point = (size_t)llround(POINT_S / HOP_S), half = (size_t)llround(WINDOW_S / HOP_S / 2.0);
	size_t np = n / per_point + 1;
	double *raw = malloc(np * sizeof *raw);
	out->ride = malloc(np * sizeof *out->ride);
	if (!raw || !out->ride) {
		free(raw);
		free(mom);
		return MIXDOWN_ERR_NOMEM;
	}
	double held = 0.0;
	for (size_t k = 0; k < np; k++) {
		size_t c = k * per_point, lo = c > half ? c - half : 0, hi = c + half < n ? c + half : n;
		double sum = 0;
		size_t act = 0;
		for (size_t j = lo; j < hi; j++)
			if (isfinite(mom[j]) && mom[j] > -70.0 && mom[j] > lufs - ACTIVE_LU) {
				sum += pow(10.0, mom[j] / 10.0);
				act++;
			}
		if ((double)act * HOP_S >= MIN_ACTIVE_S) {
			double local = 10.0 * log10(sum / (double)act);
			held = fmin(RIDE_MAX_DB, fmax(-RIDE_MAX_DB, lufs - local));
		}
		raw[k] = held;
	}
	for (size_t k = 0; k < np; k++) {
		double s = raw[k];
		int cnt = 1;
		if (k > 0) {
			s += raw[k - 1];
			cnt++;
		}
		if (k + 1 < np) {
			s += raw[k + 1];
			cnt++;
		}
		out->ride[k].time = (double)k * POINT_S;
		out->ride[k].db = s / cnt;
	}
	out->n_ride = np;
	free(raw);
	free(mom);
	return MIXDOWN_SUCCESS;
}

void mxd_podcast_level_free(mxd_podcast_level *v)
{
	free(v->ride);
	v->ride = NULL;
	v->n_ride = 0;
}
