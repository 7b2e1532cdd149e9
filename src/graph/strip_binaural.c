/* mixdown — binaural object tracks (see strip_binaural.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "graph/strip_binaural.h"

#include <stdlib.h>
#include <string.h>

#include "spatial/binaural.h"
#include "spatial/hrtf.h"

struct mxd_strip_binaural {
	mxd_hrtf *hrtf;
	size_t n;               /* nodes */
	mxd_binaural **r;       /* per node, NULL = not an object */
	float **mono;           /* per object node: max_block (nodes may run on several threads) */
};

void mxd_strip_binaural_free(mxd_strip_binaural *sb)
{
	if (!sb)
		return;
	for (size_t i = 0; sb->r && i < sb->n; i++)
		mxd_binaural_free(sb->r[i]);
	for (size_t i = 0; sb->mono && i < sb->n; i++)
		free(sb->mono[i]);
	free(sb->r);
	free(sb->mono);
	mxd_hrtf_free(sb->hrtf);
	free(sb);
}

mixdown_status mxd_strip_binaural_create(mixdown_engine *e, mxd_strip_binaural **out, mixdown_error *err)
{
	*out = NULL;
	if (!e->s->binaural || e->channels != 2)
		return MIXDOWN_SUCCESS;
	bool any = false;
	for (size_t i = 0; i < e->n_nodes; i++)
		any |= e->nodes[i].strip->kind == MXD_STRIP_TRACK && e->nodes[i].strip->object.on;
	if (!any)
		return MIXDOWN_SUCCESS;
	mxd_strip_binaural *sb = calloc(1, sizeof *sb);
	if (!sb)
		return MIXDOWN_ERR_NOMEM;
	mixdown_status st = mxd_hrtf_load(e->s->hrtf_file, e->rate, &sb->hrtf, err);
	if (st != MIXDOWN_SUCCESS) {
		free(sb);
		return st;
	}
	sb->n = e->n_nodes;
	sb->r = calloc(sb->n, sizeof *sb->r);
	sb->mono = calloc(sb->n, sizeof *sb->mono);
	bool ok = sb->r && sb->mono;
	for (size_t i = 0; ok && i < sb->n; i++) {
		const mxd_strip *s = e->nodes[i].strip;
		if (s->kind != MXD_STRIP_TRACK || !s->object.on)
			continue;
		sb->mono[i] = malloc(sizeof(float) * e->max_block);
		ok = (sb->r[i] = mxd_binaural_new(sb->hrtf, 1, MXD_BINAURAL_BLOCK)) != NULL && sb->mono[i];
		if (ok) {
			/* Start at the static position, so the first block does not sweep. */
			mxd_pan_params pp;
			mxd_strip_auto_params(&e->nodes[i].autom, -1, &pp);
			mxd_binaural_set_direction(sb->r[i], 0, pp.azimuth, pp.elevation, pp.distance);
			mxd_binaural_reset(sb->r[i]);
		}
	}
	if (!ok) {
		mxd_strip_binaural_free(sb);
		return MIXDOWN_ERR_NOMEM;
	}
	*out = sb;
	return MIXDOWN_SUCCESS;
}

bool mxd_strip_binaural_run(mxd_strip_binaural *sb, size_t i, node_rt *nd, uint32_t n)
{
	if (!sb || i >= sb->n || !sb->r[i] || nd->out_ch != 2)
		return false;
	mxd_pan_params pp;
	mxd_strip_auto_params(&nd->autom, nd->autom.matrix_moves && n ? (int64_t)n - 1 : -1, &pp);
	mxd_binaural_set_direction(sb->r[i], 0, pp.azimuth, pp.elevation, pp.distance);
	/* Several channels: their average is the source (as the VBAP panner does). */
	const float *src = nd->in[0];
	if (nd->in_ch > 1) {
		float k = 1.0f / (float)nd->in_ch;
		for (uint32_t j = 0; j < n; j++) {
			float v = 0.0f;
			for (uint32_t c = 0; c < nd->in_ch; c++)
				v += nd->in[c][j];
			sb->mono[i][j] = v * k;
		}
		src = sb->mono[i];
	}
	const float *in[1] = { src };
	mxd_binaural_process(sb->r[i], in, nd->out[0], nd->out[1], n);
	return true;
}
