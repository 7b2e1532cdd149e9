/* mixdown bench — mixeval: the whole comparison (trim, then the four metric groups).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Order as in the suite (../shared/docs/mixing-knowledge.md §2.1): both mixes cut to the common
 * length, the target's leading and trailing silence found (45 dB top-dB trim) and the same sample
 * range cut from the output; loudness on the raw levels; spectral, panning and dynamics each
 * peak-normalise their inputs to -1 dBFS. Group value = mean MAPE of its defined members.
 * Units as in mixeval.h. Ownership: views only, nothing kept. Threads: any.
 */
#include <math.h>
#include <string.h>

#include "mixeval.h"

int mxe_evaluate(const mxe_audio *out, const mxe_audio *tar, mxe_result *r)
{
	memset(r, 0, sizeof *r);
	if (out->channels != tar->channels || out->rate != tar->rate)
		return -1;
	int64_t len = out->frames < tar->frames ? out->frames : tar->frames;
	mxe_audio t = *tar, o = *out;
	t.frames = o.frames = len;
	int64_t s, e;
	mxe_trim_range(&t, &s, &e);
	t.x += s * t.channels;
	o.x += s * o.channels;
	t.frames = o.frames = e - s;
	r->trim_start = s;
	r->trim_end = e;
	r->rate = tar->rate;
	r->channels = tar->channels;
	if (mxe_eval_loudness(&o, &t, r) || mxe_eval_spectral(&o, &t, r) || mxe_eval_panning(&o, &t, r) ||
	    mxe_eval_dynamics(&o, &t, r))
		return -1;
	for (int g = 0; g < MXE_N_GROUPS; g++) {
		double sum = 0;
		int n = 0;
		for (int m = 0; m < MXE_N_METRICS; m++)
			if (mxe_metric_group(m) == g && isfinite(r->m[m].mape)) {
				sum += r->m[m].mape;
				n++;
			}
		r->group[g] = n ? sum / n : NAN;
	}
	return 0;
}
