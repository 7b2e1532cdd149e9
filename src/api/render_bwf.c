/* mixdown — Broadcast WAV metadata of a render (see render_bwf.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "api/render_bwf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mxr_bwf_fill(mxd_bwf *b, const mxd_session *s, const char *description, const char *strip, double start_s)
{
	memset(b, 0, sizeof *b);
	char name[256];
	if (description && *description) {
		snprintf(name, sizeof name, "%s", description);
	} else {
		const char *p = s->path ? s->path : "session";
		const char *slash = strrchr(p, '/');
		snprintf(name, sizeof name, "%s", slash ? slash + 1 : p);
		char *dot = strrchr(name, '.');
		if (dot && dot != name)
			*dot = '\0';
	}
	if (strip)
		snprintf(b->description, sizeof b->description, "%.200s: %.50s", name, strip);
	else
		snprintf(b->description, sizeof b->description, "%s", name);
	snprintf(b->originator_reference, sizeof b->originator_reference, "mixdown %s", MIXDOWN_VERSION_STRING);
	b->time_reference = s->timeline_origin + (start_s > 0 ? start_s : 0);
}

void mxr_bwf_track(ebur128_state *m, uint32_t frames, uint32_t *since, double *max_momentary,
		   double *max_short_term)
{
	*since += frames;
	if (*since < m->samplerate / 10)
		return;
	*since = 0;
	double v;
	if (ebur128_loudness_momentary(m, &v) == EBUR128_SUCCESS && isfinite(v) && v > *max_momentary)
		*max_momentary = v;
	if (ebur128_loudness_shortterm(m, &v) == EBUR128_SUCCESS && isfinite(v) && v > *max_short_term)
		*max_short_term = v;
}

int mxr_tp_init(mxr_true_peak *t, uint32_t channels)
{
	memset(t, 0, sizeof *t);
	t->channels = channels;
	if (mxd_os_init(&t->os, 4, channels, 60.0, 0.40, 0) != 0)
		return -1;
	if (!(t->hi = malloc(sizeof(float) * MXD_OS_BLOCK * 4))) {
		mxd_os_free(&t->os);
		return -1;
	}
	return 0;
}

void mxr_tp_add(mxr_true_peak *t, float *const *planar, uint32_t n)
{
	float peak = (float)t->peak;
	for (uint32_t c = 0; c < t->channels; c++)
		for (uint32_t off = 0; off < n; off += MXD_OS_BLOCK) {
			uint32_t k = n - off < MXD_OS_BLOCK ? n - off : MXD_OS_BLOCK;
			mxd_os_up(&t->os, c, planar[c] + off, t->hi, k);
			for (uint32_t i = 0; i < k * 4; i++) {
				float a = fabsf(t->hi[i]);
				if (a > peak) /* NaN compares false: skipped */
					peak = a;
			}
		}
	t->peak = peak;
}

void mxr_tp_free(mxr_true_peak *t)
{
	mxd_os_free(&t->os);
	free(t->hi);
	t->hi = NULL;
}

void mxr_bwf_loudness(ebur128_state *m, double max_momentary, double max_short_term, double true_peak,
		      mxd_bwf_loudness *out)
{
	out->integrated = out->range = out->max_true_peak = NAN;
	out->max_momentary = isfinite(max_momentary) ? max_momentary : NAN;
	out->max_short_term = isfinite(max_short_term) ? max_short_term : NAN;
	double v;
	if (ebur128_loudness_global(m, &v) == EBUR128_SUCCESS && isfinite(v))
		out->integrated = v;
	if (ebur128_loudness_range(m, &v) == EBUR128_SUCCESS && isfinite(v) && isfinite(out->integrated))
		out->range = v;
	if (true_peak > 0)
		out->max_true_peak = 20.0 * log10(true_peak);
}
