/* mixdown — the 24-bit PCM fast path of the reader (src/io/pcm24.c): the
 * SIMD conversion equals the scalar one bit for bit on every length and on
 * the extreme codes, and a 24-bit WAV read through mxd_reader (fast path)
 * equals libsndfile's own float conversion, from the start and after a
 * seek, as does a big-endian AIFF (libsndfile path).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sndfile.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "io/pcm24.h"
#include "io/reader.h"
#include "util.h"

static uint32_t rng = 12345u;
static uint32_t next(void)
{
	rng = rng * 1664525u + 1013904223u;
	return rng;
}

static void t_simd_equals_scalar(void)
{
	enum { N = 4099 };
	uint8_t *b = malloc(3 * N);
	float *x = malloc(sizeof(float) * N), *y = malloc(sizeof(float) * N);
	for (size_t i = 0; i < 3 * N; i++)
		b[i] = (uint8_t)(next() >> 24);
	/* the extremes: -2^23, 2^23 - 1, -1, 0 */
	memcpy(b, "\x00\x00\x80\xff\xff\x7f\xff\xff\xff\x00\x00\x00", 12);
	size_t diff = 0;
	for (size_t n = 0; n <= N; n = n < 40 ? n + 1 : N) {
		memset(x, 0, sizeof(float) * N);
		memset(y, 0xff, sizeof(float) * N);
		mxd_pcm24le_to_float(b, x, n);
		mxd_pcm24le_to_float_scalar(b, y, n);
		diff += memcmp(x, y, n * sizeof(float)) != 0;
		if (n == N)
			break;
	}
	CHECK_MSG(diff == 0, "%zu lengths differ", diff);
	CHECK(x[0] == -1.0f && x[1] == 8388607.0f / 8388608.0f && x[2] == -1.0f / 8388608.0f && x[3] == 0.0f);
	free(b);
	free(x);
	free(y);
}

/* Read path with mxd_reader (blocks of 1000 frames from start) and with
 * sf_readf_float; count the samples that differ. */
static size_t compare_reader(const char *path, int64_t start, int ch, int64_t frames, bool *fast)
{
	SF_INFO info = { 0 };
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	if (!f)
		return (size_t)-1;
	sf_command(f, SFC_SET_NORM_FLOAT, NULL, SF_TRUE);
	sf_seek(f, start, SEEK_SET);
	float *ref = malloc(sizeof(float) * (size_t)(frames * ch));
	sf_count_t got_ref = sf_readf_float(f, ref, frames - start);
	sf_close(f);
	mxd_reader *r = NULL;
	mixdown_error err;
	size_t diff = 0;
	if (mxd_reader_open(path, 48000, start, 1000, &r, &err) != MIXDOWN_SUCCESS) {
		free(ref);
		return (size_t)-1;
	}
	*fast = mxd_reader_fast_pcm24(r);
	float bufs[8][1000];
	float *out[8];
	for (int c = 0; c < ch; c++)
		out[c] = bufs[c];
	int64_t pos = 0;
	for (;;) {
		uint32_t got = 0;
		if (mxd_reader_read(r, out, 1000, &got, &err) != MIXDOWN_SUCCESS || got == 0)
			break;
		for (uint32_t i = 0; i < got; i++)
			for (int c = 0; c < ch; c++)
				diff += pos + i >= got_ref || memcmp(&out[c][i], &ref[(pos + i) * ch + c], sizeof(float)) != 0;
		pos += got;
	}
	diff += pos != got_ref;
	mxd_reader_close(r);
	free(ref);
	return diff;
}

static void t_reader_equals_libsndfile(void)
{
	const char *dir = mxt_tempdir();
	enum { CH = 3, FRAMES = 12345 };
	int *pcm = malloc(sizeof(int) * FRAMES * CH);
	for (size_t i = 0; i < (size_t)FRAMES * CH; i++)
		pcm[i] = (int)(next() & 0xFFFFFF00u); /* 24 significant bits */
	pcm[0] = INT32_MIN;
	pcm[1] = 0x7FFFFF00;
	static const struct {
		const char *name;
		int format, ch, frames;
	} files[] = { { "w.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, CH, FRAMES },
		      { "x.wav", SF_FORMAT_WAVEX | SF_FORMAT_PCM_24, CH, FRAMES },
		      { "a.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_24, CH, FRAMES },
		      /* mono converts straight into the output; long enough for
		       * reads that straddle the reader's refills */
		      { "m.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 1, FRAMES * CH } };
	for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
		const char *path = mxt_path(dir, files[k].name);
		const int ch = files[k].ch;
		SF_INFO info = { .samplerate = 48000, .channels = ch, .format = files[k].format };
		SNDFILE *f = sf_open(path, SFM_WRITE, &info);
		CHECK(f != NULL);
		if (!f)
			continue;
		CHECK(sf_writef_int(f, pcm, files[k].frames) == files[k].frames);
		sf_close(f);
		bool fast0 = false, fast1 = false;
		size_t d0 = compare_reader(path, 0, ch, files[k].frames, &fast0);
		size_t d1 = compare_reader(path, 777, ch, files[k].frames, &fast1);
		CHECK_MSG(d0 == 0 && d1 == 0, "%s: %zu / %zu samples differ from libsndfile", files[k].name, d0, d1);
		/* RIFF files take the fast path, big-endian AIFF libsndfile's */
		bool riff = (files[k].format & SF_FORMAT_TYPEMASK) != SF_FORMAT_AIFF;
		CHECK_MSG(fast0 == riff && fast1 == riff, "%s: fast path %d %d", files[k].name, fast0, fast1);
	}
	/* A WAV cut short (its header claims more): the same frames as
	 * libsndfile, then the end, on the fast path too. */
	const char *cut = mxt_path(dir, "w.wav");
	FILE *f = fopen(cut, "r+b");
	CHECK(f != NULL);
	if (f) {
		CHECK(fseek(f, 0, SEEK_END) == 0);
		long size = ftell(f);
		CHECK(ftruncate(fileno(f), size - 3 * CH * 5000 - 4) == 0); /* mid-frame, too */
		fclose(f);
		bool fast = false;
		size_t d = compare_reader(cut, 0, CH, FRAMES, &fast);
		CHECK_MSG(d == 0 && fast, "truncated: %zu samples differ (fast path %d)", d, fast);
	}
	free(pcm);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_simd_equals_scalar),
		MXT(t_reader_equals_libsndfile),
	};
	return MXT_RUN(cases);
}
