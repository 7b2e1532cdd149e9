/* mixdown — clip playback with offset, length, gain and fades.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "graph/clip_player.h"

#include <math.h>
#include <string.h>

double mxd_fade_gain(mxd_fade_curve curve, double x)
{
	if (x <= 0.0)
		return 0.0;
	if (x >= 1.0)
		return 1.0;
	switch (curve) {
	case MXD_FADE_EQUAL_POWER: return sin(x * M_PI / 2.0);
	case MXD_FADE_EXP: return x * x;
	case MXD_FADE_LOG: return 1.0 - (1.0 - x) * (1.0 - x);
	case MXD_FADE_SCURVE: return (1.0 - cos(x * M_PI)) / 2.0;
	case MXD_FADE_LINEAR:
	default: return x;
	}
}

void mxd_clip_player_init(mxd_clip_player *p, const mxd_clip *clip, double rate, uint32_t max_block)
{
	memset(p, 0, sizeof *p);
	p->clip = clip;
	p->rate = rate;
	p->max_block = max_block;
	p->start = llround(clip->at * rate);
	p->file_start = llround(clip->offset * clip->file_rate);
	if (p->file_start > clip->file_frames)
		p->file_start = clip->file_frames;
	if (clip->length >= 0)
		p->length = llround(clip->length * rate);
	else
		p->length = llround((double)(clip->file_frames - p->file_start) * rate / clip->file_rate);
	p->fade_in = llround(clip->fade_in * rate);
	p->fade_out = llround(clip->fade_out * rate);
	p->gain = (float)pow(10.0, clip->gain_db / 20.0);
}

static mixdown_status open_at(mxd_clip_player *p, int64_t clip_frame, mixdown_error *err)
{
	if (p->reader) {
		p->nonfinite += mxd_reader_nonfinite(p->reader);
		mxd_reader_close(p->reader);
		p->reader = NULL;
	}
	/* Position in the file's own frames; resampled clips start on the
	 * nearest file frame (sub-sample starts are not needed for playback). */
	int64_t file_frame = p->file_start + llround((double)clip_frame * p->clip->file_rate / p->rate);
	mixdown_status st = mxd_reader_open(p->clip->file, p->rate, file_frame, p->max_block, &p->reader, err);
	if (st == MIXDOWN_SUCCESS)
		p->reader_pos = clip_frame;
	return st;
}

/* The clip's part of timeline frames [t, t + n): clip frame *k0, *count
 * frames from *off into the block; false when it has none there (and the
 * file is closed once the clip is over). */
static bool clip_region(mxd_clip_player *p, int64_t t, uint32_t n, int64_t *k0, uint32_t *count, uint32_t *off)
{
	int64_t from = t > p->start ? t : p->start;
	int64_t to = t + n < p->start + p->length ? t + n : p->start + p->length;
	if (from >= to) {
		if (t >= p->start + p->length)
			mxd_clip_player_close(p); /* done: free the file */
		return false;
	}
	*k0 = from - p->start;
	*count = (uint32_t)(to - from);
	*off = (uint32_t)(from - t);
	return true;
}

/* The reader open at clip frame k0. */
static mixdown_status ensure_open(mxd_clip_player *p, int64_t k0, mixdown_error *err)
{
	return p->reader && p->reader_pos == k0 ? MIXDOWN_SUCCESS : open_at(p, k0, err);
}

/* count frames of the clip from clip frame k0 into buf[0..channels) (the
 * file's channels), with the clip's gain and fades; closes the file at the
 * clip's end. */
static mixdown_status read_region(mxd_clip_player *p, int64_t k0, uint32_t count, float *const *buf, mixdown_error *err)
{
	mixdown_status st = ensure_open(p, k0, err);
	if (st != MIXDOWN_SUCCESS)
		return st;
	uint32_t nch = mxd_reader_channels(p->reader), got = 0;
	if ((st = mxd_reader_read(p->reader, buf, count, &got, err)) != MIXDOWN_SUCCESS)
		return st;
	/* The file may end before the clip's length: the rest is silence. */
	for (uint32_t c = 0; c < nch; c++)
		memset(buf[c] + got, 0, (count - got) * sizeof(float));
	p->reader_pos += count;

	bool fading = k0 < p->fade_in || k0 + count > p->length - p->fade_out;
	if (fading || p->gain != 1.0f) {
		for (uint32_t i = 0; i < count; i++) {
			int64_t k = k0 + i;
			double g = p->gain;
			if (k < p->fade_in)
				g *= mxd_fade_gain(p->clip->fade_in_curve, (double)k / (double)p->fade_in);
			if (k >= p->length - p->fade_out)
				g *= mxd_fade_gain(p->clip->fade_out_curve, (double)(p->length - 1 - k) / (double)p->fade_out);
			for (uint32_t c = 0; c < nch; c++)
				buf[c][i] = (float)(buf[c][i] * g);
		}
	}
	if (k0 + count == p->length)
		mxd_clip_player_close(p);
	return MIXDOWN_SUCCESS;
}

mixdown_status mxd_clip_player_mix(mxd_clip_player *p, int64_t t, uint32_t n, float *const *dst,
				   uint32_t dst_channels, float *const *scratch, mixdown_error *err)
{
	int64_t k0;
	uint32_t count, off;
	if (!clip_region(p, t, n, &k0, &count, &off))
		return MIXDOWN_SUCCESS;
	mixdown_status st = ensure_open(p, k0, err);
	if (st != MIXDOWN_SUCCESS)
		return st;
	const uint32_t nch = mxd_reader_channels(p->reader);
	if ((st = read_region(p, k0, count, scratch, err)) != MIXDOWN_SUCCESS)
		return st;
	for (uint32_t c = 0; c < dst_channels; c++) {
		const float *src = scratch[nch == 1 ? 0 : c];
		if (nch != 1 && c >= nch)
			break;
		float *d = dst[c] + off;
		for (uint32_t i = 0; i < count; i++)
			d[i] += src[i];
	}
	return MIXDOWN_SUCCESS;
}

mixdown_status mxd_clip_player_write(mxd_clip_player *p, int64_t t, uint32_t n, float *const *dst,
				     uint32_t dst_channels, float *const *scratch, mixdown_error *err)
{
	int64_t k0 = 0;
	uint32_t count = 0, off = 0;
	const bool some = clip_region(p, t, n, &k0, &count, &off);
	/* Silence around the clip's part (all of it when it has none here). */
	for (uint32_t c = 0; c < dst_channels; c++) {
		memset(dst[c], 0, off * sizeof(float));
		memset(dst[c] + off + count, 0, (n - off - count) * sizeof(float));
	}
	if (!some)
		return MIXDOWN_SUCCESS;
	mixdown_status st = ensure_open(p, k0, err);
	if (st != MIXDOWN_SUCCESS)
		return st;
	const uint32_t nch = mxd_reader_channels(p->reader);
	if (nch != 1 && nch != dst_channels) { /* the channels do not map one to one: as mix() */
		for (uint32_t c = 0; c < dst_channels; c++)
			memset(dst[c] + off, 0, count * sizeof(float));
		return mxd_clip_player_mix(p, t, n, dst, dst_channels, scratch, err);
	}
	/* Straight into the block: the same samples mix() adds to silence,
	 * without the adding (which would also turn -0 into +0). */
	float *at[MXD_MAX_CHANNELS];
	for (uint32_t c = 0; c < nch; c++)
		at[c] = dst[c] + off;
	if ((st = read_region(p, k0, count, at, err)) != MIXDOWN_SUCCESS)
		return st;
	for (uint32_t c = 1; c < dst_channels && nch == 1; c++) /* mono to every channel */
		memcpy(dst[c] + off, dst[0] + off, count * sizeof(float));
	return MIXDOWN_SUCCESS;
}

void mxd_clip_player_close(mxd_clip_player *p)
{
	if (p->reader) {
		p->nonfinite += mxd_reader_nonfinite(p->reader);
		mxd_reader_close(p->reader);
		p->reader = NULL;
	}
}
