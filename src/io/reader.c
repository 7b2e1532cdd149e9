/* mixdown — streaming audio file reader with sample-rate conversion.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "io/reader.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <sndfile.h>
#include <soxr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/simd_clone.h"
#include "io/pcm24.h"
#include "session/model.h"

struct mxd_reader {
	char *path;
	SNDFILE *file;
	uint32_t channels;
	double file_rate, out_rate;
	soxr_t soxr;          /* NULL when the rates match */
	float *in_buf;        /* interleaved, in_cap frames */
	size_t in_cap;
	size_t in_pos, in_len; /* pending input frames not yet taken by soxr */
	float *out_buf;       /* interleaved, max_block frames (resampled path) */
	uint32_t max_block;
	int64_t in_left;      /* file frames not yet read */
	int64_t out_total;    /* frames this reader delivers in all */
	int64_t out_done;
	bool input_ended;     /* soxr has been told the input ended */
	uint64_t nonfinite;
	uint8_t *raw;         /* 24-bit WAV read raw (io/pcm24.h): raw_cap frames of bytes; NULL: libsndfile converts */
	size_t raw_cap, raw_pos, raw_len; /* frames: capacity, next to convert, read from the file */
};

/* Frames fetched per read() of a raw 24-bit file: large reads, few system
 * calls (a block-sized read per clip per block cost more kernel time than
 * the decoding); 48 kB per mono file, held only while its clip plays. */
#define RAW_FRAMES 16384

/* Whether the file's samples can be read raw and converted by pcm24.h:
 * 24-bit PCM in a little-endian RIFF container, and checked, not assumed:
 * the first frames decoded both ways must be identical (else libsndfile
 * keeps converting). The position is start_frame again afterwards. */
static bool raw24_ok(mxd_reader *r, const SF_INFO *info, int64_t start_frame)
{
	int type = info->format & SF_FORMAT_TYPEMASK, end = info->format & SF_FORMAT_ENDMASK;
	if ((info->format & SF_FORMAT_SUBMASK) != SF_FORMAT_PCM_24 ||
	    (type != SF_FORMAT_WAV && type != SF_FORMAT_WAVEX && type != SF_FORMAT_RF64) ||
	    (end != SF_ENDIAN_FILE && end != SF_ENDIAN_LITTLE) || r->in_left <= 0)
		return false;
	enum { PROBE = 64 };
	float lib[PROBE * MXD_MAX_CHANNELS], own[PROBE * MXD_MAX_CHANNELS];
	uint8_t bytes[PROBE * MXD_MAX_CHANNELS * 3];
	sf_count_t n = r->in_left < PROBE ? r->in_left : PROBE;
	size_t samples = (size_t)n * r->channels;
	bool same = sf_readf_float(r->file, lib, n) == n && sf_seek(r->file, start_frame, SEEK_SET) == start_frame &&
		    sf_read_raw(r->file, bytes, (sf_count_t)(samples * 3)) == (sf_count_t)(samples * 3);
	if (same) {
		mxd_pcm24le_to_float(bytes, own, samples);
		same = memcmp(lib, own, samples * sizeof(float)) == 0;
	}
	return sf_seek(r->file, start_frame, SEEK_SET) == start_frame && same;
}

static mixdown_status audio_fail(mixdown_error *err, const char *path, const char *fmt, const char *why)
{
	return mxd_fail(err, MIXDOWN_ERR_AUDIO, path, (mxd_loc){ 0, 0 }, NULL, fmt, why);
}

mixdown_status mxd_reader_open(const char *path, double out_rate, int64_t start_frame,
			       uint32_t max_block, mxd_reader **out, mixdown_error *err)
{
	*out = NULL;
	mxd_reader *r = calloc(1, sizeof *r);
	if (!r)
		return MIXDOWN_ERR_NOMEM;
	SF_INFO info = { 0 };
	r->file = sf_open(path, SFM_READ, &info);
	if (!r->file) {
		free(r);
		return audio_fail(err, path, "cannot read audio: %s", sf_strerror(NULL));
	}
	r->path = strdup(path);
	r->channels = (uint32_t)info.channels;
	r->file_rate = info.samplerate;
	r->out_rate = out_rate;
	r->max_block = max_block;
	if (info.channels < 1 || info.channels > MXD_MAX_CHANNELS) {
		mxd_reader_close(r);
		return audio_fail(err, path, "%s", "unsupported channel count (1..16 supported)");
	}
	if (start_frame < 0)
		start_frame = 0;
	if (start_frame > info.frames)
		start_frame = info.frames;
	if (start_frame > 0 && sf_seek(r->file, start_frame, SEEK_SET) < 0) {
		mxd_reader_close(r);
		return audio_fail(err, path, "cannot seek: %s", "file is not seekable");
	}
	r->in_left = info.frames - start_frame;
	/* Reading ints as float must not be scaled by the file's peak chunk. */
	sf_command(r->file, SFC_SET_NORM_FLOAT, NULL, SF_TRUE);

	double ratio = out_rate / r->file_rate;
	if (r->file_rate != out_rate) {
		soxr_error_t e = NULL;
		soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
		soxr_quality_spec_t q = soxr_quality_spec(SOXR_VHQ, 0);
		r->soxr = soxr_create(r->file_rate, out_rate, r->channels, &e, &io, &q, NULL);
		if (!r->soxr) {
			mxd_reader_close(r);
			return audio_fail(err, path, "cannot resample: %s", e ? e : "soxr failed");
		}
		r->out_total = (int64_t)llround((double)r->in_left * ratio);
		/* Input block sized so one read feeds about one output block. */
		r->in_cap = (size_t)ceil(max_block / ratio) + 16;
		r->out_buf = malloc(sizeof(float) * max_block * r->channels);
	} else {
		r->out_total = r->in_left;
		r->in_cap = max_block;
	}
	r->in_buf = malloc(sizeof(float) * r->in_cap * r->channels);
	if (raw24_ok(r, &info, start_frame)) {
		r->raw_cap = r->in_cap > RAW_FRAMES ? r->in_cap : RAW_FRAMES;
		r->raw = malloc(r->raw_cap * r->channels * 3); /* NULL: the slow path, still right */
	}
	if (!r->in_buf || (r->soxr && !r->out_buf) || !r->path) {
		mxd_reader_close(r);
		return MIXDOWN_ERR_NOMEM;
	}
	*out = r;
	return MIXDOWN_SUCCESS;
}

uint32_t mxd_reader_channels(const mxd_reader *r) { return r->channels; }
double mxd_reader_file_rate(const mxd_reader *r) { return r->file_rate; }
int64_t mxd_reader_length(const mxd_reader *r) { return r->out_total; }
uint64_t mxd_reader_nonfinite(const mxd_reader *r) { return r->nonfinite; }
bool mxd_reader_fast_pcm24(const mxd_reader *r) { return r->raw != NULL; }

/* One channel of interleaved src (stride nc) into dst, NaN/Inf replaced by
 * 0; returns how many were replaced. Branch-free, so it vectorizes
 * (|v| <= FLT_MAX is false for Inf and NaN); nc == 1 gets its own copy of
 * the loop, a contiguous one. */
MXD_CLONES static uint64_t scrub_channel(float *restrict dst, const float *restrict src, uint32_t nc, size_t frames)
{
	uint64_t bad = 0;
	if (nc == 1)
		for (size_t i = 0; i < frames; i++) {
			float v = src[i];
			bool ok = fabsf(v) <= FLT_MAX;
			bad += !ok;
			dst[i] = ok ? v : 0.0f;
		}
	else
		for (size_t i = 0; i < frames; i++) {
			float v = src[i * nc];
			bool ok = fabsf(v) <= FLT_MAX;
			bad += !ok;
			dst[i] = ok ? v : 0.0f;
		}
	return bad;
}

/* Deinterleave into planar outputs at `offset`, scrubbing NaN/Inf. */
static void deinterleave(mxd_reader *r, const float *src, float *const *out, uint32_t offset, size_t frames)
{
	for (uint32_t c = 0; c < r->channels; c++)
		r->nonfinite += scrub_channel(out[c] + offset, src + c, r->channels, frames);
}

/* The raw 24-bit path of read_file(): up to `want` frames (<= in_left) from
 * the byte buffer, refilled with one large read when empty, converted into
 * dst (interleaved). */
static mixdown_status read_raw(mxd_reader *r, size_t want, float *dst, size_t *got, mixdown_error *err)
{
	const size_t frame_bytes = (size_t)r->channels * 3;
	if (r->raw_pos == r->raw_len) {
		size_t fetch = r->raw_cap < (size_t)r->in_left ? r->raw_cap : (size_t)r->in_left;
		sf_count_t bytes = sf_read_raw(r->file, r->raw, (sf_count_t)(fetch * frame_bytes));
		r->raw_pos = 0;
		r->raw_len = bytes > 0 ? (size_t)bytes / frame_bytes : 0;
		if (r->raw_len < fetch) {
			if (bytes < 0 || sf_error(r->file) != SF_ERR_NO_ERROR)
				return audio_fail(err, r->path, "read error: %s", sf_strerror(r->file));
			r->in_left = (int64_t)r->raw_len; /* shorter than its header claims: ends there */
		}
	}
	size_t n = r->raw_len - r->raw_pos < want ? r->raw_len - r->raw_pos : want;
	mxd_pcm24le_to_float(r->raw + r->raw_pos * frame_bytes, dst, n * r->channels);
	r->raw_pos += n;
	r->in_left -= (int64_t)n;
	*got = n;
	return MIXDOWN_SUCCESS;
}

/* Up to `want` frames (interleaved): libsndfile's into r->in_buf, the raw
 * 24-bit path's into raw_dst (r->in_buf, or the output of a mono file). */
static mixdown_status read_file(mxd_reader *r, size_t want, float *raw_dst, size_t *got, mixdown_error *err)
{
	if ((int64_t)want > r->in_left)
		want = (size_t)r->in_left;
	if (want && r->raw)
		return read_raw(r, want, raw_dst, got, err);
	sf_count_t n = want ? sf_readf_float(r->file, r->in_buf, (sf_count_t)want) : 0;
	if (n < 0 || (size_t)n != want) {
		if (sf_error(r->file) != SF_ERR_NO_ERROR)
			return audio_fail(err, r->path, "read error: %s", sf_strerror(r->file));
		/* A file shorter than its header claims: treat as ended. */
		r->in_left = 0;
		*got = n > 0 ? (size_t)n : 0;
		return MIXDOWN_SUCCESS;
	}
	r->in_left -= n;
	*got = (size_t)n;
	return MIXDOWN_SUCCESS;
}

mixdown_status mxd_reader_read(mxd_reader *r, float *const *out, uint32_t n, uint32_t *got,
			       mixdown_error *err)
{
	*got = 0;
	if (n > r->max_block)
		n = r->max_block;
	int64_t remaining = r->out_total - r->out_done;
	if ((int64_t)n > remaining)
		n = (uint32_t)(remaining > 0 ? remaining : 0);
	uint32_t done = 0;
	mixdown_status st;
	if (!r->soxr) {
		/* 24-bit mono converts straight into the output: there is
		 * nothing to deinterleave, and integers hold no NaN/Inf. */
		const bool direct = r->raw && r->channels == 1;
		while (done < n) {
			size_t g = 0;
			if ((st = read_file(r, n - done, direct ? out[0] + done : r->in_buf, &g, err)) != MIXDOWN_SUCCESS)
				return st;
			if (g == 0)
				break;
			if (!direct)
				deinterleave(r, r->in_buf, out, done, g);
			done += (uint32_t)g;
		}
	} else {
		/* Pull from soxr until n frames are out or it has drained. Input
		 * soxr did not take yet stays pending in in_buf[in_pos..in_len). */
		while (done < n) {
			if (r->in_pos == r->in_len && !r->input_ended) {
				size_t g = 0;
				if ((st = read_file(r, r->in_cap, r->in_buf, &g, err)) != MIXDOWN_SUCCESS)
					return st;
				r->in_pos = 0;
				r->in_len = g;
				if (g == 0)
					r->input_ended = true;
			}
			size_t avail = r->in_len - r->in_pos, used = 0, produced = 0;
			/* A NULL input tells soxr the stream ended, so it flushes its tail. */
			const float *in = avail ? r->in_buf + r->in_pos * r->channels : NULL;
			soxr_error_t e = soxr_process(r->soxr, in, avail, &used, r->out_buf, n - done, &produced);
			if (e)
				return audio_fail(err, r->path, "resampling failed: %s", e);
			r->in_pos += used;
			deinterleave(r, r->out_buf, out, done, produced);
			done += (uint32_t)produced;
			if (r->input_ended && produced == 0)
				break; /* fully drained */
		}
	}
	r->out_done += done;
	*got = done;
	return MIXDOWN_SUCCESS;
}

void mxd_reader_close(mxd_reader *r)
{
	if (!r)
		return;
	if (r->file)
		sf_close(r->file);
	if (r->soxr)
		soxr_delete(r->soxr);
	free(r->in_buf);
	free(r->raw);
	free(r->out_buf);
	free(r->path);
	free(r);
}
