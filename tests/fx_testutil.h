/* mixdown — helpers shared by the processor test programs: instantiate a
 * class with "path=value" settings, set parameters by path, run planar
 * buffers in blocks, and measure a sine's amplitude by least squares.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef MIXDOWN_TESTS_FX_TESTUTIL_H
#define MIXDOWN_TESTS_FX_TESTUTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx/processor.h"
#include "harness.h"

#define PI 3.14159265358979323846
#define FS 48000.0
#define BLOCK 256u

/* ----------------------------------------------------------------- helpers */

static inline mxd_fx *make(const char *name, double rate, uint32_t channels, const char *const *kv, size_t n_kv)
{
	const mxd_fx_class *cls = mxd_fx_class_find(name);
	CHECK_MSG(cls != NULL, "class %s", name);
	if (!cls)
		return NULL;
	double *v = malloc(cls->n_slots * sizeof *v);
	mxd_fx_defaults(cls, v);
	for (size_t i = 0; i < n_kv; i++) {
		char key[64];
		const char *eq = strchr(kv[i], '=');
		snprintf(key, sizeof key, "%.*s", (int)(eq - kv[i]), kv[i]);
		long slot = mxd_fx_param_path(cls, key, NULL);
		CHECK_MSG(slot >= 0, "unknown path %s", key);
		if (slot >= 0)
			v[slot] = atof(eq + 1);
	}
	mxd_fx *fx = mxd_fx_instantiate(cls, v, rate, 1024, channels);
	free(v);
	CHECK_MSG(fx != NULL, "instantiate %s", name);
	return fx;
}
#define MAKE(name, rate, ch, ...)                                                                    \
	make(name, rate, ch, (const char *const[]){ __VA_ARGS__ },                                   \
	     sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

static inline void set(mxd_fx *fx, const char *path, double v)
{
	long slot = mxd_fx_param_path(fx->cls, path, NULL);
	CHECK_MSG(slot >= 0, "path %s", path);
	if (slot >= 0)
		fx->cls->set_param(fx, (size_t)slot, v);
}

/* Run planar buffers ch[0..nch) of n frames through fx in blocks. */
static inline void run(mxd_fx *fx, float **ch, uint32_t nch, size_t n, uint32_t block)
{
	for (size_t i = 0; i < n; i += block) {
		float *io[MXD_MAX_CHANNELS];
		for (uint32_t c = 0; c < nch; c++)
			io[c] = ch[c] + i;
		fx->cls->run(fx, io, NULL, (uint32_t)(n - i < block ? n - i : block));
	}
}

static inline float **alloc_ch(uint32_t nch, size_t n)
{
	float **ch = calloc(nch, sizeof *ch);
	for (uint32_t c = 0; c < nch; c++)
		ch[c] = calloc(n, sizeof(float));
	return ch;
}

static inline void free_ch(float **ch, uint32_t nch)
{
	for (uint32_t c = 0; c < nch; c++)
		free(ch[c]);
	free(ch);
}

/* Least-squares amplitude of a sine of frequency f in x[from, to). */
static inline double sine_amp(const float *x, size_t from, size_t to, double f, double fs)
{
	double w = 2 * PI * f / fs, ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
	for (size_t n = from; n < to; n++) {
		double s = sin(w * (double)n), c = cos(w * (double)n);
		ss += s * s, cc += c * c, sc += s * c, ys += x[n] * s, yc += x[n] * c;
	}
	double det = ss * cc - sc * sc;
	return hypot((ys * cc - yc * sc) / det, (yc * ss - ys * sc) / det);
}

#endif
