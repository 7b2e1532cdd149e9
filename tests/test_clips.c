/* mixdown — tests of the clip player's two ways into a track's block
 * (graph/clip_player.h): writing a track's only clip straight into the block
 * gives the samples of clearing the block and mixing the clip in, for every
 * window (before, across and after the clip, its fades, its gain, a file
 * that ends early), mono spread to two channels and stereo to stereo, bit
 * for bit but for the sign of zeros: writing keeps a -0 sample -0, which
 * adding to silence would not.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>

#include "graph/clip_player.h"
#include "harness.h"
#include "util.h"

#define RATE 48000
#define FILE_FRAMES 5000
#define BLOCK 512

static mxd_clip make_clip(char *path, int ch, double gain_db, double fade_in, double fade_out, double length)
{
	mxd_clip c;
	memset(&c, 0, sizeof c);
	c.file = path;
	c.file_written = path;
	c.at = 1000.0 / RATE; /* starts 1000 frames into the timeline */
	c.offset = 100.0 / RATE;
	c.length = length;
	c.gain_db = gain_db;
	c.fade_in = fade_in;
	c.fade_out = fade_out;
	c.fade_in_curve = MXD_FADE_EQUAL_POWER;
	c.fade_out_curve = MXD_FADE_SCURVE;
	c.file_rate = RATE;
	c.file_channels = (uint32_t)ch;
	c.file_frames = FILE_FRAMES;
	return c;
}

/* Play the clip over timeline frames [0, total) in blocks of varied size,
 * written (write) or cleared and mixed; out: total x dst_ch, planar. */
static void play(const mxd_clip *clip, bool write, uint32_t dst_ch, float *out, int64_t total)
{
	mxd_clip_player p;
	mxd_clip_player_init(&p, clip, RATE, BLOCK);
	static float scratch_bufs[8][BLOCK], dst_bufs[2][BLOCK];
	float *scratch[8], *dst[2] = { dst_bufs[0], dst_bufs[1] };
	for (int c = 0; c < 8; c++)
		scratch[c] = scratch_bufs[c];
	static const uint32_t sizes[] = { 512, 333, 1, 100, 512, 77 };
	mixdown_error err;
	int64_t t = 0;
	for (int k = 0; t < total; k++) {
		uint32_t n = sizes[k % 6];
		if (n > total - t)
			n = (uint32_t)(total - t);
		for (uint32_t c = 0; c < dst_ch; c++) /* stale values a write must replace */
			for (uint32_t i = 0; i < n; i++)
				dst[c][i] = 1234.5f;
		if (write) {
			CHECK_INT(mxd_clip_player_write(&p, t, n, dst, dst_ch, scratch, &err), MIXDOWN_SUCCESS);
		} else {
			for (uint32_t c = 0; c < dst_ch; c++)
				memset(dst[c], 0, n * sizeof(float));
			CHECK_INT(mxd_clip_player_mix(&p, t, n, dst, dst_ch, scratch, &err), MIXDOWN_SUCCESS);
		}
		for (uint32_t c = 0; c < dst_ch; c++)
			memcpy(out + c * total + t, dst[c], n * sizeof(float));
		t += n;
	}
	mxd_clip_player_close(&p);
}

static void t_write_equals_clear_and_mix(void)
{
	const char *dir = mxt_tempdir();
	float *buf = malloc(sizeof(float) * FILE_FRAMES * 2);
	mxt_noise(buf, FILE_FRAMES * 2, 0.7, 9);
	char mono[1024], stereo[1024];
	snprintf(mono, sizeof mono, "%s", mxt_path(dir, "m.wav"));
	snprintf(stereo, sizeof stereo, "%s", mxt_path(dir, "s.wav"));
	CHECK(mxt_write_audio(mono, buf, FILE_FRAMES, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	CHECK(mxt_write_audio(stereo, buf, FILE_FRAMES, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	const int64_t total = 7000; /* past the clip's end */
	float *a = malloc(sizeof(float) * 2 * total), *b = malloc(sizeof(float) * 2 * total);
	static const struct {
		double gain_db, fade_in, fade_out, length;
	} cases[] = {
		{ 0, 0, 0, -1 },                  /* to the file's end */
		{ -6, 0, 0, 2000.0 / RATE },      /* clip gain, cut short */
		{ 0, 300.0 / RATE, 700.0 / RATE, 3000.0 / RATE }, /* fades */
		{ 3, 0, 0, 6000.0 / RATE },       /* longer than the file: silence after */
	};
	int compared = 0, differ = 0;
	double energy = 0;
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
		for (int ch = 1; ch <= 2; ch++) {
			mxd_clip clip = make_clip(ch == 1 ? mono : stereo, ch, cases[k].gain_db, cases[k].fade_in,
						  cases[k].fade_out, cases[k].length);
			play(&clip, false, 2, a, total);
			play(&clip, true, 2, b, total);
			for (int64_t i = 0; i < 2 * total; i++) {
				/* bit for bit, but for the sign of a zero (a fade's
				 * silent first frame times a negative sample) */
				differ += memcmp(&a[i], &b[i], sizeof(float)) != 0 && !(a[i] == 0.0f && b[i] == 0.0f);
				energy += (double)a[i] * a[i];
			}
			compared++;
		}
	CHECK_INT(compared, 8);
	CHECK(energy > 100.0); /* the clips sounded */
	CHECK_MSG(differ == 0, "%d samples differ between writing and clearing + mixing", differ);
	free(a);
	free(b);
	free(buf);
}

static void t_write_keeps_negative_zero(void)
{
	const char *dir = mxt_tempdir();
	float buf[FILE_FRAMES];
	for (int i = 0; i < FILE_FRAMES; i++)
		buf[i] = i % 2 ? -0.0f : 0.25f;
	char path[1024];
	snprintf(path, sizeof path, "%s", mxt_path(dir, "z.wav"));
	CHECK(mxt_write_audio(path, buf, FILE_FRAMES, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	mxd_clip clip = make_clip(path, 1, 0, 0, 0, -1);
	const int64_t total = 3000;
	float *a = malloc(sizeof(float) * 2 * total);
	play(&clip, true, 1, a, total);
	int neg = 0;
	for (int64_t i = 1000; i < total; i++)
		neg += a[i] == 0.0f && signbit(a[i]);
	CHECK_INT(neg, 1000); /* every other frame of the 2000 after the clip's start */
	free(a);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_write_equals_clear_and_mix),
		MXT(t_write_keeps_negative_zero),
	};
	return MXT_RUN(cases);
}
