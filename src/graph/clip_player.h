/* mixdown — plays one clip onto a track: position, offset, length, clip gain
 * and fades, streaming from its file through mxd_reader.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Times are session frames. The file is opened when the clip first sounds and
 * closed after its last frame, so a session with many clips keeps only the
 * sounding ones open. Fades: over F frames, the fade-in gain at clip frame k
 * is curve(k / F) (the first frame is silent) and the fade-out gain at k is
 * curve((L - 1 - k) / F) (the last frame is silent); inside both, the gains
 * multiply. Not real-time safe (file I/O): the offline renderer calls it
 * outside the graph's run, the real-time host from its disk thread.
 */
#ifndef MIXDOWN_GRAPH_CLIP_PLAYER_H
#define MIXDOWN_GRAPH_CLIP_PLAYER_H

#include <stdint.h>

#include "io/reader.h"
#include "session/model.h"

typedef struct {
	const mxd_clip *clip;
	double rate;          /* session rate, Hz */
	int64_t start;        /* first timeline frame */
	int64_t length;       /* frames */
	int64_t fade_in, fade_out;
	float gain;           /* linear clip gain */
	int64_t file_start;   /* first file frame (offset), in the file's own rate */
	uint32_t max_block;
	mxd_reader *reader;   /* open while sounding */
	int64_t reader_pos;   /* clip frame the reader delivers next */
	uint64_t nonfinite;   /* NaN/Inf samples replaced by the reader */
} mxd_clip_player;

/* Gain of a fade curve at x in [0, 1] (0 = silent end, 1 = full level). */
double mxd_fade_gain(mxd_fade_curve curve, double x);

void mxd_clip_player_init(mxd_clip_player *p, const mxd_clip *clip, double rate, uint32_t max_block);

/* Add the clip's contribution to timeline frames [t, t + n) into dst. A clip
 * with fewer channels than dst is spread: mono to every channel, otherwise
 * channel i to i. `scratch` holds MXD_MAX_CHANNELS buffers of max_block. */
mixdown_status mxd_clip_player_mix(mxd_clip_player *p, int64_t t, uint32_t n, float *const *dst,
				   uint32_t dst_channels, float *const *scratch, mixdown_error *err);

/* The same into a dst that holds nothing yet (a track's only clip): the
 * clip's frames are written, not added, and the rest of the n frames
 * cleared, one pass fewer. Equal to clearing and mixing, except that a -0
 * sample stays -0. */
mixdown_status mxd_clip_player_write(mxd_clip_player *p, int64_t t, uint32_t n, float *const *dst,
				     uint32_t dst_channels, float *const *scratch, mixdown_error *err);

void mxd_clip_player_close(mxd_clip_player *p);

#endif
