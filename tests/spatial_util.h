/* mixdown — helpers shared by the spatial test programs: a tone file, a
 * session rendered through the engine into planar buffers, level/step
 * measures of the result and a check of a session's load error. Needs RATE defined by the includer.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef MIXDOWN_TESTS_SPATIAL_UTIL_H
#define MIXDOWN_TESTS_SPATIAL_UTIL_H

#include <math.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>

#include "fx/processor.h"
#include "harness.h"
#include "mixdown/mixdown.h"
#include "util.h"

/* `yaml` must fail to load with a session error whose text names `where`
 * (file:line:column) and `what`. */
static inline void parse_error(const char *yaml, const char *where, const char *what)
{
	mixdown_session *s = NULL;
	mixdown_error err;
	memset(&err, 0, sizeof err);
	mixdown_status st = mixdown_session_load_string(yaml, strlen(yaml), "s.yaml", NULL, &s, &err);
	CHECK_INT(st, MIXDOWN_ERR_SESSION);
	char msg[1400];
	mixdown_error_format(&err, msg, sizeof msg);
	CHECK_STR_CONTAINS(msg, where);
	CHECK_STR_CONTAINS(msg, what);
	mixdown_session_free(s);
}

/* A mono tone file in dir. */
static inline void tone_file(const char *dir, const char *name, double freq, double amp, double seconds)
{
	int64_t n = (int64_t)(seconds * RATE);
	float *b = malloc((size_t)n * sizeof *b);
	mxt_sine(b, n, 1, RATE, freq, amp, 0);
	CHECK_INT(mxt_write_audio(mxt_path(dir, name), b, n, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	free(b);
}

/* Load `yaml` (written to dir) and run the engine for `frames`; returns the
 * master output planar [channel][frame] (free with release()), or NULL. */
static inline float **render(const char *dir, const char *yaml, int64_t frames, uint32_t *channels)
{
	const char *path = mxt_path(dir, "session.yaml");
	CHECK_INT(mxt_write_text(path, yaml), 0);
	mixdown_session *s = NULL;
	mixdown_error err;
	if (mixdown_session_load(path, &s, &err) != MIXDOWN_SUCCESS) {
		char msg[1200];
		mixdown_error_format(&err, msg, sizeof msg);
		mxt_fail(__FILE__, __LINE__, "load: %s", msg);
		return NULL;
	}
	mixdown_engine *e = NULL;
	if (mixdown_engine_create(s, 512, &e, &err) != MIXDOWN_SUCCESS) {
		mxt_fail(__FILE__, __LINE__, "engine: %s", err.message);
		mixdown_session_free(s);
		return NULL;
	}
	uint32_t nc = mixdown_engine_channels(e);
	*channels = nc;
	float **out = calloc(MXD_MAX_CHANNELS, sizeof *out);
	float *all = calloc((size_t)frames * nc, sizeof *all);
	for (uint32_t c = 0; c < nc; c++)
		out[c] = all + (size_t)c * (size_t)frames;
	for (int64_t t = 0; t < frames; t += 512) {
		uint32_t n = frames - t < 512 ? (uint32_t)(frames - t) : 512;
		float *o[MXD_MAX_CHANNELS];
		for (uint32_t c = 0; c < nc; c++)
			o[c] = out[c] + t;
		CHECK_INT(mixdown_engine_process(e, o, n, &err), MIXDOWN_SUCCESS);
	}
	mixdown_engine_free(e);
	mixdown_session_free(s);
	return out;
}

static inline void release(float **o)
{
	if (o)
		free(o[0]);
	free(o);
}

static inline double peak(const float *x, int64_t n)
{
	double p = 0;
	for (int64_t i = 0; i < n; i++)
		p = fmax(p, fabs(x[i]));
	return p;
}

static inline double rms_db(const float *x, int64_t from, int64_t n)
{
	double s = 0;
	for (int64_t i = from; i < from + n; i++)
		s += (double)x[i] * x[i];
	return 10 * log10(s / n + 1e-30);
}

static inline double max_diff(const float *x, int64_t n)
{
	double d = 0;
	for (int64_t i = 1; i < n; i++)
		d = fmax(d, fabs((double)x[i] - x[i - 1]));
	return d;
}

#endif
