/* mixdown — fold-down matrices (ITU-R BS.775-3; see downmix.h for the
 * coefficients and the documented choices beyond BS.775).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "spatial/downmix.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#define M3DB 0.70710678f /* -3 dB, 1/sqrt(2): BS.775-3 Table 2 writes 0.7071 */

const mxd_layout *mxd_downmix_target(const char *name)
{
	const mxd_layout *l = mxd_layout_find(name);
	return l && (l->id == MXD_LAYOUT_5_1 || l->id == MXD_LAYOUT_STEREO || l->id == MXD_LAYOUT_MONO) ? l : NULL;
}

/* 5.1 channel indices (layout.h: L R C LFE Ls Rs). */
enum { L, R, C, LFE, LS, RS };

/* Column `i` of the matrix from `from` to 5.1. */
static void to_5_1(const mxd_layout *from, uint32_t i, float col[6])
{
	const mxd_speaker *s = &from->speakers[i];
	memset(col, 0, 6 * sizeof *col);
	if (s->role == MXD_SPK_LFE) {
		col[LFE] = 1.0f;
		return;
	}
	const bool left = s->azimuth_deg < 0, right = s->azimuth_deg > 0;
	if (s->role == MXD_SPK_FRONT) {
		col[left ? L : right ? R : C] = 1.0f;
		return;
	}
	if (s->role == MXD_SPK_TOP) {
		bool front = fabs(s->azimuth_deg) <= 60.0;
		if (left)
			col[front ? L : LS] = M3DB;
		else if (right)
			col[front ? R : RS] = M3DB;
		else if (front)
			col[C] = M3DB;
		else
			col[LS] = col[RS] = 0.5f; /* straight behind/above: equal power over both */
		return;
	}
	/* A surround: how many ear-height surrounds share its side? */
	uint32_t same = 0;
	for (uint32_t k = 0; k < from->channels; k++) {
		const mxd_speaker *o = &from->speakers[k];
		if (o->role == MXD_SPK_SURROUND && (o->azimuth_deg < 0) == left && (o->azimuth_deg > 0) == right)
			same++;
	}
	float g = same > 1 ? M3DB : 1.0f;
	if (left)
		col[LS] = g;
	else if (right)
		col[RS] = g;
	else
		col[LS] = col[RS] = g * M3DB;
}

int mxd_downmix_init(mxd_downmix *d, const mxd_layout *from, const mxd_layout *to, double lfe_db)
{
	memset(d, 0, sizeof *d);
	if (!from || !to || from->channels > MXD_DOWNMIX_MAX_IN || !mxd_downmix_target(to->name))
		return -1;
	d->from = from;
	d->to = to;
	const float lfe = isfinite(lfe_db) ? (float)pow(10.0, lfe_db / 20.0) : 0.0f;
	/* BS.775-3 Table 2 rows from 3/2 (+LFE) to the target. */
	static const float stereo[2][6] = {
		{ 1.0f, 0.0f, M3DB, 0.0f, M3DB, 0.0f },
		{ 0.0f, 1.0f, M3DB, 0.0f, 0.0f, M3DB },
	};
	static const float mono[1][6] = { { M3DB, M3DB, 1.0f, 0.0f, 0.5f, 0.5f } };
	for (uint32_t i = 0; i < from->channels; i++) {
		float col[6];
		/* Through 5.1: a stereo source gives mono 0.7071 (L + R), a mono
		 * source stereo 0.7071 C on each side (the C terms of Table 2). */
		to_5_1(from, i, col);
		if (to->id == MXD_LAYOUT_5_1) {
			for (int o = 0; o < 6; o++)
				d->m[o][i] = col[o];
			continue;
		}
		const float(*rows)[6] = to->id == MXD_LAYOUT_STEREO ? stereo : mono;
		for (uint32_t o = 0; o < to->channels; o++) {
			float v = 0.0f;
			for (int k = 0; k < 6; k++)
				v += rows[o][k] * col[k];
			d->m[o][i] = v + col[LFE] * lfe;
		}
	}
	return 0;
}

void mxd_downmix_run(const mxd_downmix *d, const float *const *in, float *const *out, uint32_t n)
{
	for (uint32_t o = 0; o < d->to->channels; o++) {
		float *y = out[o];
		memset(y, 0, n * sizeof *y);
		for (uint32_t i = 0; i < d->from->channels; i++) {
			const float g = d->m[o][i];
			if (g == 0.0f)
				continue;
			const float *x = in[i];
			for (uint32_t k = 0; k < n; k++)
				y[k] += g * x[k];
		}
	}
}
