/* mixdown — `render --binaural` stage (see render_binaural.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The LFE channel goes to both ears at +0 dB without HRTF (docs/spatial.md,
 * "Binaural"). The renderer has no latency, so the render loop needs no
 * compensation. */
#include "api/render_binaural.h"

#include <stdlib.h>
#include <string.h>

#include "spatial/binaural.h"
#include "spatial/hrtf.h"
#include "spatial/layout.h"

#define LFE_GAIN 1.0

struct mxr_binaural {
	mxd_hrtf *hrtf;
	mxd_binaural *r;
	float *l, *rt;
	uint32_t max;
};

void mxr_binaural_free(mxr_binaural *b)
{
	if (!b)
		return;
	mxd_binaural_free(b->r);
	mxd_hrtf_free(b->hrtf);
	free(b->l);
	free(b->rt);
	free(b);
}

mixdown_status mxr_binaural_open(const mxd_session *s, const mixdown_render_options *opt, uint32_t nc,
				 mxr_binaural **out, mixdown_error *err)
{
	*out = NULL;
	mxd_loc nl = { 0, 0 };
	const mxd_layout *lay = s->layout && s->layout->channels == nc ? s->layout : mxd_layout_for_channels(nc);
	if (s->binaural && nc == 2)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, s->path, nl, "layout",
				"--binaural: the session is already binaural (`layout: binaural`)");
	if (!lay)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, s->path, nl, NULL,
				"--binaural needs a speaker layout; the master has %u channels (give `layout:`)", nc);
	if (opt->downmix && *opt->downmix)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, s->path, nl, NULL, "--binaural and --downmix cannot be combined");
	mxr_binaural *b = calloc(1, sizeof *b);
	if (!b)
		return MIXDOWN_ERR_NOMEM;
	const char *file = opt->hrtf ? opt->hrtf : s->hrtf_file;
	mixdown_status st = mxd_hrtf_load(file, s->sample_rate, &b->hrtf, err);
	if (st != MIXDOWN_SUCCESS) {
		free(b);
		return st;
	}
	b->r = mxd_binaural_new_layout(b->hrtf, lay, MXD_BINAURAL_BLOCK, LFE_GAIN);
	b->max = 8192;
	b->l = malloc(sizeof(float) * b->max);
	b->rt = malloc(sizeof(float) * b->max);
	if (!b->r || !b->l || !b->rt) {
		mxr_binaural_free(b);
		return MIXDOWN_ERR_NOMEM;
	}
	*out = b;
	return MIXDOWN_SUCCESS;
}

void mxr_binaural_run(mxr_binaural *b, float **bufs, uint32_t n)
{
	for (uint32_t done = 0; done < n;) {
		uint32_t m = n - done < b->max ? n - done : b->max;
		const float *in[MXD_MAX_CHANNELS];
		for (uint32_t c = 0; c < mxd_binaural_inputs(b->r); c++)
			in[c] = bufs[c] + done;
		mxd_binaural_process(b->r, in, b->l, b->rt, m);
		memcpy(bufs[0] + done, b->l, sizeof(float) * m);
		memcpy(bufs[1] + done, b->rt, sizeof(float) * m);
		done += m;
	}
}
