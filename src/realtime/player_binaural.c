/* mixdown — `mixdown play --binaural`: the engine renders the master's
 * speaker feeds into scratch buffers and the two JACK ports get the headphone
 * version (virtual speakers through the HRTF, spatial/binaural.h; the LFE to
 * both ears at +0 dB, as `render --binaural`).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Ownership: open (control thread) loads the HRTF and allocates scratch for
 * MXD_PLAYER_BIN_FRAMES frames per channel; close releases. process runs on
 * the JACK thread and only does arithmetic: a period longer than the scratch
 * (JACK allows up to 8192 frames; the scratch is 16384) plays silence. */
#include "realtime/player_internal.h"

#include "spatial/binaural.h"
#include "spatial/hrtf.h"
#include "spatial/layout.h"

#define MXD_PLAYER_BIN_FRAMES 16384

struct mxd_player_binaural {
	mxd_hrtf *hrtf;
	mxd_binaural *r;
	float *buf[MXD_MAX_CHANNELS];
	uint32_t channels;
};

void mxd_player_binaural_close(mixdown_player *p)
{
	mxd_player_binaural *b = p->bin;
	if (!b)
		return;
	p->bin = NULL;
	mxd_binaural_free(b->r);
	mxd_hrtf_free(b->hrtf);
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		free(b->buf[c]);
	free(b);
}

mixdown_status mxd_player_binaural_open(mixdown_player *p, const mixdown_player_options *opt, mixdown_error *err)
{
	const mxd_session *s = p->s;
	const mxd_layout *lay = s->layout && s->layout->channels == p->channels ? s->layout
										: mxd_layout_for_channels(p->channels);
	if (s->binaural || !lay)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, s->path, (mxd_loc){ 0, 0 }, NULL,
				s->binaural ? "--binaural: the session is already binaural (`layout: binaural`)"
					    : "--binaural needs a speaker layout; give `layout:` in the session");
	mxd_player_binaural *b = calloc(1, sizeof *b);
	if (!b)
		return MIXDOWN_ERR_NOMEM;
	p->bin = b;
	b->channels = p->channels;
	mixdown_status st = mxd_hrtf_load(opt->hrtf ? opt->hrtf : s->hrtf_file, p->rate, &b->hrtf, err);
	if (st != MIXDOWN_SUCCESS) {
		mxd_player_binaural_close(p);
		return st;
	}
	bool ok = (b->r = mxd_binaural_new_layout(b->hrtf, lay, MXD_BINAURAL_BLOCK, 1.0)) != NULL;
	for (uint32_t c = 0; ok && c < p->channels; c++)
		ok = (b->buf[c] = calloc(MXD_PLAYER_BIN_FRAMES, sizeof(float))) != NULL;
	if (!ok) {
		mxd_player_binaural_close(p);
		return MIXDOWN_ERR_NOMEM;
	}
	return MIXDOWN_SUCCESS;
}

void mxd_player_binaural_process(mixdown_player *p, uint32_t nframes)
{
	mxd_player_binaural *b = p->bin;
	float *l = jack_port_get_buffer(p->port[0], nframes), *r = jack_port_get_buffer(p->port[1], nframes);
	if (nframes > MXD_PLAYER_BIN_FRAMES) {
		memset(l, 0, sizeof(float) * nframes);
		memset(r, 0, sizeof(float) * nframes);
		return;
	}
	mxd_player_cycle(p, b->buf, nframes);
	mxd_binaural_process(b->r, (const float *const *)b->buf, l, r, nframes);
}
