/* mixdown — Broadcast WAV metadata of a render (see render_bwf.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "api/render_bwf.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/analysis.h"

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

void mxr_bwf_loudness(const mxd_fl *m, mxd_bwf_loudness *out)
{
	out->integrated = out->range = out->max_true_peak = out->max_momentary = out->max_short_term = NAN;
	double v = mxd_fl_integrated(m);
	if (isfinite(v)) {
		out->integrated = v;
		/* No range without an integrated loudness (all blocks gated away). */
		double r = mxd_fl_range(m);
		if (isfinite(r))
			out->range = r;
	}
	/* m_max, s_max: largest 400 ms / 3 s mean squares of the 10 ms grid (0 = silence). */
	if (m->m_max > 0)
		out->max_momentary = mxd_lufs(m->m_max);
	if (m->s_max > 0)
		out->max_short_term = mxd_lufs(m->s_max);
	double tp = m->true_peak ? mxd_fl_true_peak(m) : 0.0;
	if (tp > 0)
		out->max_true_peak = 20.0 * log10(tp);
}
