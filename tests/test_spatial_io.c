/* mixdown — tests of multichannel files: WAVE_FORMAT_EXTENSIBLE channel masks
 * (5.1, 7.1.4; WAV, RF64, FLAC), the ITU-R BS.775-3 fold-downs and
 * `--downmix`, BS.1770-4 channel weights in every meter (EBU Tech 3341 case
 * 6, a 5.0 tone, after export and re-analysis), JACK ports named by the layout.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/fastloud.h"
#include "harness.h"
#include "io/writer.h"
#include "spatial/chanweight.h"
#include "spatial/downmix.h"
#include "spatial/layout.h"
#include "util.h"
#ifdef MIXDOWN_HAVE_PLAY
#include "jack_util.h"
#endif

#define RATE 48000
#define G3 0.70710678

/* The fmt chunk's format tag, channel count and (EXTENSIBLE only) channel
 * mask, parsed from the bytes (RIFF or RF64). 0 on success. */
static int read_fmt(const char *path, unsigned *tag, unsigned *channels, uint32_t *mask)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	unsigned char hdr[12], ck[8], fmt[40];
	int rc = -1;
	*mask = 0;
	if (fread(hdr, 1, 12, f) != 12 || (memcmp(hdr, "RIFF", 4) && memcmp(hdr, "RF64", 4)) || memcmp(hdr + 8, "WAVE", 4))
		goto out;
	while (fread(ck, 1, 8, f) == 8) {
		uint32_t size = ck[4] | ck[5] << 8 | ck[6] << 16 | (uint32_t)ck[7] << 24;
		if (!memcmp(ck, "fmt ", 4)) {
			size_t n = size < sizeof fmt ? size : sizeof fmt;
			if (fread(fmt, 1, n, f) != n || n < 16)
				goto out;
			*tag = fmt[0] | fmt[1] << 8;
			*channels = fmt[2] | fmt[3] << 8;
			if (*tag == 0xFFFE && n >= 24) /* cbSize, wValidBitsPerSample, dwChannelMask */
				*mask = fmt[20] | fmt[21] << 8 | fmt[22] << 16 | (uint32_t)fmt[23] << 24;
			rc = 0;
			goto out;
		}
		if (fseek(f, (long)(size + (size & 1)), SEEK_CUR) != 0)
			break;
	}
out:
	fclose(f);
	return rc;
}

/* ffprobe's channel_layout of the first stream into out ("" when no ffprobe). */
static void probe_layout(const char *path, char *out, size_t cap)
{
	out[0] = 0;
	if (system("command -v ffprobe >/dev/null 2>&1") != 0)
		return;
	char cmd[1200];
	snprintf(cmd, sizeof cmd,
		 "ffprobe -v error -select_streams a:0 -show_entries stream=channel_layout -of csv=p=0 '%s' 2>/dev/null",
		 path);
	FILE *p = popen(cmd, "r");
	if (!p)
		return;
	if (!fgets(out, (int)cap, p))
		out[0] = 0;
	pclose(p);
	out[strcspn(out, "\r\n")] = 0;
}

/* libsndfile's id for each mask bit (bit 0 = LEFT ...), what it reads back. */
static int sf_id(uint32_t bit)
{
	static const int ids[18] = {
		SF_CHANNEL_MAP_LEFT, SF_CHANNEL_MAP_RIGHT, SF_CHANNEL_MAP_CENTER, SF_CHANNEL_MAP_LFE,
		SF_CHANNEL_MAP_REAR_LEFT, SF_CHANNEL_MAP_REAR_RIGHT, SF_CHANNEL_MAP_FRONT_LEFT_OF_CENTER,
		SF_CHANNEL_MAP_FRONT_RIGHT_OF_CENTER, SF_CHANNEL_MAP_REAR_CENTER, SF_CHANNEL_MAP_SIDE_LEFT,
		SF_CHANNEL_MAP_SIDE_RIGHT, SF_CHANNEL_MAP_TOP_CENTER, SF_CHANNEL_MAP_TOP_FRONT_LEFT,
		SF_CHANNEL_MAP_TOP_FRONT_CENTER, SF_CHANNEL_MAP_TOP_FRONT_RIGHT, SF_CHANNEL_MAP_TOP_REAR_LEFT,
		SF_CHANNEL_MAP_TOP_REAR_CENTER, SF_CHANNEL_MAP_TOP_REAR_RIGHT,
	};
	for (int k = 0; k < 18; k++)
		if (bit == 1u << k)
			return ids[k];
	return -1;
}

/* Write `nc` channels, channel c a 0.01 * (c + 1) DC level (the order survives only if no channel
 * moves), through the writer with `layout`. */
static int write_with(const char *path, mixdown_format fmt, const mxd_layout *lay, uint32_t nc)
{
	enum { N = 4800 };
	mxd_writer_config cfg = { .format = fmt, .sample = MIXDOWN_SAMPLE_INT24, .dither = MIXDOWN_DITHER_OFF,
				  .in_rate = RATE, .out_rate = RATE, .channels = nc, .max_block = N, .seed = 1,
				  .layout = lay };
	mxd_writer *w = NULL;
	mixdown_error err;
	if (mxd_writer_open(path, &cfg, &w, &err) != MIXDOWN_SUCCESS) {
		printf("# %s\n", err.message);
		return -1;
	}
	float *bufs[16];
	for (uint32_t c = 0; c < nc; c++) {
		bufs[c] = malloc(sizeof(float) * N);
		for (int i = 0; i < N; i++)
			bufs[c][i] = 0.01f * (float)(c + 1);
	}
	int rc = mxd_writer_write(w, (const float *const *)bufs, N, &err) == MIXDOWN_SUCCESS &&
			 mxd_writer_commit(w, &err) == MIXDOWN_SUCCESS
		 ? 0
		 : -1;
	for (uint32_t c = 0; c < nc; c++)
		free(bufs[c]);
	return rc;
}

/* Mask bytes, libsndfile channel map and sample order of a file of `lay`. */
static void check_file(const char *path, const mxd_layout *lay, bool wav)
{
	if (wav) {
		unsigned tag = 0, ch = 0;
		uint32_t mask = 0;
		CHECK(read_fmt(path, &tag, &ch, &mask) == 0);
		CHECK_INT(tag, 0xFFFE);
		CHECK_INT(ch, lay->channels);
		CHECK_INT(mask, lay->wav_mask);
	}
	SF_INFO info;
	memset(&info, 0, sizeof info);
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_INT(info.channels, lay->channels);
	int map[16] = { 0 };
	if (wav) {
		CHECK(sf_command(f, SFC_GET_CHANNEL_MAP_INFO, map, (int)(sizeof(int) * lay->channels)) == SF_TRUE);
		for (uint32_t c = 0; c < lay->channels; c++)
			CHECK_INT(map[c], sf_id(lay->speakers[c].wav_mask_bit));
	}
	CHECK(mxd_layout_from_sndfile(f, lay->channels) == lay);
	float frame[16];
	CHECK(sf_readf_float(f, frame, 1) == 1);
	for (uint32_t c = 0; c < lay->channels; c++)
		CHECK_NEAR(frame[c], 0.01 * (c + 1), 1e-6);
	sf_close(f);
}

static void t_writer_masks(void)
{
	const char *dir = mxt_tempdir();
	const mxd_layout *l51 = mxd_layout_find("5.1"), *l714 = mxd_layout_find("7.1.4"),
			 *l512 = mxd_layout_find("5.1.2");
	/* The mask values of issue 11 follow from layout.c. */
	CHECK_INT(l51->wav_mask, 0x60F);
	CHECK_INT(l714->wav_mask, 0x2D63F);
	char layout[256];
	CHECK(write_with(mxt_path(dir, "a51.wav"), MIXDOWN_FORMAT_AUTO, l51, 6) == 0);
	check_file(mxt_path(dir, "a51.wav"), l51, true);
	probe_layout(mxt_path(dir, "a51.wav"), layout, sizeof layout);
	printf("# ffprobe 5.1 WAV: \"%s\"\n", layout);
	if (layout[0])
		CHECK_STR_CONTAINS(layout, "5.1(side)");
	CHECK(write_with(mxt_path(dir, "a714.wav"), MIXDOWN_FORMAT_AUTO, l714, 12) == 0);
	check_file(mxt_path(dir, "a714.wav"), l714, true);
	probe_layout(mxt_path(dir, "a714.wav"), layout, sizeof layout);
	printf("# ffprobe 7.1.4 WAV: \"%s\"\n", layout);
	if (layout[0] && !strstr(layout, "7.1.4"))
		CHECK_STR_CONTAINS(layout, "FL+FR+FC+LFE+BL+BR+SL+SR+TFL+TFR+TBL+TBR");
	/* No layout given: the one the channel count implies. */
	CHECK(write_with(mxt_path(dir, "n714.wav"), MIXDOWN_FORMAT_AUTO, NULL, 12) == 0);
	check_file(mxt_path(dir, "n714.wav"), l714, true);
	/* 5.1.2 has 8 channels like 7.1: the map tells them apart. */
	CHECK(write_with(mxt_path(dir, "a512.wav"), MIXDOWN_FORMAT_AUTO, l512, 8) == 0);
	check_file(mxt_path(dir, "a512.wav"), l512, true);
	/* RF64 carries the same fmt chunk. */
	CHECK(write_with(mxt_path(dir, "a714.rf64"), MIXDOWN_FORMAT_RF64, l714, 12) == 0);
	check_file(mxt_path(dir, "a714.rf64"), l714, true);
	/* FLAC: no mask, the channel count's default assignment (5.1 for 6). */
	CHECK(write_with(mxt_path(dir, "a51.flac"), MIXDOWN_FORMAT_FLAC, l51, 6) == 0);
	check_file(mxt_path(dir, "a51.flac"), l51, false);
	probe_layout(mxt_path(dir, "a51.flac"), layout, sizeof layout);
	if (layout[0])
		CHECK_STR_CONTAINS(layout, "5.1");
	/* Stereo stays a plain PCM WAV. */
	CHECK(write_with(mxt_path(dir, "st.wav"), MIXDOWN_FORMAT_AUTO, NULL, 2) == 0);
	unsigned tag = 0, ch = 0;
	uint32_t mask = 0;
	CHECK(read_fmt(mxt_path(dir, "st.wav"), &tag, &ch, &mask) == 0);
	CHECK_INT(tag, 1);
	CHECK_INT(ch, 2);
}

/* out[o] for a unit impulse on input i. */
static double coef(const mxd_downmix *d, uint32_t o, uint32_t i)
{
	float in[16][1] = { { 0 } }, out[6][1];
	const float *ip[16];
	float *op[6];
	for (uint32_t c = 0; c < 16; c++)
		ip[c] = in[c];
	for (uint32_t c = 0; c < 6; c++)
		op[c] = out[c];
	in[i][0] = 1.0f;
	mxd_downmix_run(d, ip, op, 1);
	return out[o][0];
}

static void t_downmix_matrix(void)
{
	const mxd_layout *l51 = mxd_layout_find("5.1"), *st = mxd_layout_find("stereo"), *mo = mxd_layout_find("mono"),
			 *l71 = mxd_layout_find("7.1"), *l714 = mxd_layout_find("7.1.4");
	mxd_downmix d;
	/* BS.775-3 Table 2, 3/2 -> 2/0: Lo = L + .7071 C + .7071 Ls, Ro = R + .7071 C + .7071 Rs; LFE dropped. */
	CHECK(mxd_downmix_init(&d, l51, st, -INFINITY) == 0);
	static const double lo[6] = { 1, 0, G3, 0, G3, 0 }, ro[6] = { 0, 1, G3, 0, 0, G3 };
	for (uint32_t i = 0; i < 6; i++) {
		CHECK_NEAR(coef(&d, 0, i), lo[i], 1e-6);
		CHECK_NEAR(coef(&d, 1, i), ro[i], 1e-6);
	}
	/* 3/2 -> 1/0: M = .7071 L + .7071 R + C + .5 Ls + .5 Rs. */
	CHECK(mxd_downmix_init(&d, l51, mo, -INFINITY) == 0);
	static const double m[6] = { G3, G3, 1, 0, 0.5, 0.5 };
	for (uint32_t i = 0; i < 6; i++)
		CHECK_NEAR(coef(&d, 0, i), m[i], 1e-6);
	/* lfe_db: the LFE into stereo at that gain. */
	CHECK(mxd_downmix_init(&d, l51, st, -6.0) == 0);
	CHECK_NEAR(coef(&d, 0, 3), pow(10, -6.0 / 20), 1e-6);
	CHECK_NEAR(coef(&d, 1, 3), pow(10, -6.0 / 20), 1e-6);
	/* 7.1 -> 5.1: rears and sides each .7071 into their side's surround; the rest 1:1. */
	CHECK(mxd_downmix_init(&d, l71, l51, -INFINITY) == 0);
	for (uint32_t i = 0; i < 4; i++)
		for (uint32_t o = 0; o < 6; o++)
			CHECK_NEAR(coef(&d, o, i), o == i ? 1.0 : 0.0, 1e-6);
	CHECK_NEAR(coef(&d, 4, 4), G3, 1e-6); /* Lrs -> Ls */
	CHECK_NEAR(coef(&d, 5, 5), G3, 1e-6); /* Rrs -> Rs */
	CHECK_NEAR(coef(&d, 4, 6), G3, 1e-6); /* Lss -> Ls */
	CHECK_NEAR(coef(&d, 5, 7), G3, 1e-6); /* Rss -> Rs */
	CHECK_NEAR(coef(&d, 5, 4), 0.0, 1e-6);
	/* 7.1.4 -> 5.1: a top into the ear-height speaker below it at .7071. */
	CHECK(mxd_downmix_init(&d, l714, l51, -INFINITY) == 0);
	CHECK_NEAR(coef(&d, 0, 8), G3, 1e-6);  /* Ltf -> L */
	CHECK_NEAR(coef(&d, 1, 9), G3, 1e-6);  /* Rtf -> R */
	CHECK_NEAR(coef(&d, 4, 10), G3, 1e-6); /* Ltr -> Ls */
	CHECK_NEAR(coef(&d, 5, 11), G3, 1e-6); /* Rtr -> Rs */
	CHECK_NEAR(coef(&d, 2, 8), 0.0, 1e-6);
	/* 7.1.4 -> stereo: the product, e.g. Lrs .7071 * .7071 = 0.5 into Lo, Ltf .7071. */
	CHECK(mxd_downmix_init(&d, l714, st, -INFINITY) == 0);
	CHECK_NEAR(coef(&d, 0, 4), 0.5, 1e-6);
	CHECK_NEAR(coef(&d, 0, 8), G3, 1e-6);
	CHECK_NEAR(coef(&d, 0, 10), 0.5, 1e-6);
	CHECK_NEAR(coef(&d, 1, 10), 0.0, 1e-6);
	CHECK_NEAR(coef(&d, 0, 3), 0.0, 1e-6);
	/* Stereo -> mono .7071 (L + R); mono -> stereo .7071 C. */
	CHECK(mxd_downmix_init(&d, st, mo, -INFINITY) == 0);
	CHECK_NEAR(coef(&d, 0, 0), G3, 1e-6);
	CHECK(mxd_downmix_init(&d, mo, st, -INFINITY) == 0);
	CHECK_NEAR(coef(&d, 1, 0), G3, 1e-6);
	/* Not a target. */
	CHECK(mxd_downmix_init(&d, l51, l71, -INFINITY) != 0);
	CHECK(mxd_downmix_target("7.1") == NULL);
}

static void t_weights(void)
{
	/* BS.1770-4 Table 3 on the 7.1.4 layout: sides (90) 1.41, rears (135) 1.0, tops 1.0, LFE 0. */
	static const double want[12] = { 1, 1, 1, 0, 1, 1, 1.41, 1.41, 1, 1, 1, 1 };
	double w[16], f[16];
	mxd_bs1770_weights(mxd_layout_find("7.1.4"), w);
	mxd_fl_channel_weights(12, f);
	for (int c = 0; c < 12; c++) {
		CHECK_NEAR(w[c], want[c], 0);
		CHECK_NEAR(f[c], want[c], 0);
	}
	mxd_fl_channel_weights(6, f);
	CHECK_NEAR(f[3], 0, 0);
	CHECK_NEAR(f[4], 1.41, 0);
	const mxd_layout *l51 = mxd_layout_find("5.1");
	CHECK_INT(mxd_bs1770_ebur128_channel(&l51->speakers[3]), EBUR128_UNUSED);
	CHECK_INT(mxd_bs1770_ebur128_channel(&l51->speakers[4]), EBUR128_LEFT_SURROUND);
	CHECK_INT(mxd_bs1770_ebur128_channel(&l51->speakers[5]), EBUR128_RIGHT_SURROUND);
	CHECK_INT(mxd_bs1770_ebur128_channel(&l51->speakers[0]), EBUR128_LEFT);
}

/* A 6-channel source file of `seconds` with a 1 kHz tone of peak dBFS lv[c] per channel (-inf: silent). */
static void tone_file(const char *path, const double lv[6], double seconds)
{
	int64_t n = (int64_t)(seconds * RATE);
	float *x = malloc(sizeof(float) * (size_t)n * 6);
	for (int64_t i = 0; i < n; i++) {
		double s = sin(2 * M_PI * 1000.0 * (double)i / RATE);
		for (int c = 0; c < 6; c++)
			x[i * 6 + c] = isfinite(lv[c]) ? (float)(pow(10, lv[c] / 20) * s) : 0.0f;
	}
	mxt_write_audio(path, x, n, 6, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	free(x);
}

/* EBU Tech 3341 case 6: 5.0 tone L,R -28, C -24, Ls,Rs -30 dBFS -> -23.0 LUFS,
 * rendered to a 5.1 WAV (LFE silent) and measured by the render (libebur128),
 * and by `mixdown analyze` with both meters (fast meter, full analysis). */
static void t_ebu_5_0(void)
{
	const char *dir = mxt_tempdir();
	static const double lv[6] = { -28, -28, -24, -INFINITY, -30, -30 };
	double secs = getenv("MXT_ASAN") ? 10.0 : 20.0;
	tone_file(mxt_path(dir, "t50.wav"), lv, secs);
	mixdown_render_options o = mixdown_render_options_init();
	char out[512];
	snprintf(out, sizeof out, "%s", mxt_path(dir, "out.wav"));
	o.output = out;
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	mixdown_render_report rep;
	mixdown_error err;
	mixdown_status st = mxt_render_yaml(dir, "mixdown: 1\nsample_rate: 48000\nlayout: 5.1\n"
					    "tracks:\n  - { name: T, file: t50.wav }\n",
					    &o, &rep, &err);
	CHECK_INT(st, MIXDOWN_SUCCESS);
	if (st != MIXDOWN_SUCCESS)
		return;
	printf("# render meter: %.3f LUFS\n", rep.integrated_lufs);
	CHECK_NEAR(rep.integrated_lufs, -23.0, 0.1);
	unsigned tag = 0, ch = 0;
	uint32_t mask = 0;
	CHECK(read_fmt(out, &tag, &ch, &mask) == 0);
	CHECK_INT(mask, 0x60F);
	/* The rendered channels are the source's (order kept). */
	int64_t fr = 0;
	int c6 = 0;
	float *y = mxt_read_audio(out, &fr, &c6, NULL, NULL);
	CHECK_INT(c6, 6);
	if (y && c6 == 6) {
		CHECK_NEAR(mxt_rms_db(y, 6, 2, RATE, RATE), -24 - 3.0103, 0.05);
		CHECK_NEAR(mxt_rms_db(y, 6, 4, RATE, RATE), -30 - 3.0103, 0.05);
		CHECK(mxt_rms_db(y, 6, 3, RATE, RATE) < -100);
	}
	free(y);
	mixdown_analysis_options ao = mixdown_analysis_options_init();
	ao.loudness_only = true;
	mixdown_analysis *a = NULL;
	CHECK_INT(mixdown_analyze_file(out, &ao, &a, &err), MIXDOWN_SUCCESS);
	double fast = a ? a->loudness.integrated : NAN;
	mixdown_analysis_free(a);
	a = NULL;
	ao.loudness_only = false;
	CHECK_INT(mixdown_analyze_file(out, &ao, &a, &err), MIXDOWN_SUCCESS);
	double full = a ? a->loudness.integrated : NAN;
	mixdown_analysis_free(a);
	printf("# analyze: fast meter %.3f LUFS, full analysis %.3f LUFS\n", fast, full);
	CHECK_NEAR(fast, -23.0, 0.1);
	CHECK_NEAR(full, -23.0, 0.1);
	CHECK_NEAR(fast, rep.integrated_lufs, 0.02);
	CHECK_NEAR(full, fast, 0.01);
	/* With Ls/Rs weighted 1.0 instead of 1.41 the case reads 0.38 LU lower (a stereo -23 dBFS
	 * tone reads -23.0, so a sum of per-channel powers P reads 10 log10(P) - 3.01): outside the tolerance. */
	double e = 2 * pow(10, -2.8) + pow(10, -2.4) + 2 * pow(10, -3.0);
	printf("# with unweighted surrounds it would read %.3f LUFS\n", 10 * log10(e) - 3.0103);
	CHECK(10 * log10(e) - 3.0103 < -23.3);
	/* The CLI prints the same. */
	CHECK_INT(mxt_run_cli("analyze --loudness '%s'", out), 0);
	printf("# mixdown analyze: %.200s\n", mxt_cli_out);
}

/* The weights follow the file's channel map, not only its channel count: a
 * 5.1.2 file (8 channels, like 7.1) with a -23 dBFS tone on its two tops
 * (weight 1.0) reads -23.0 LUFS; read as 7.1 (Lss/Rss, 1.41) it would be -21.5. */
static void t_map_weights(void)
{
	const char *dir = mxt_tempdir();
	const mxd_layout *l512 = mxd_layout_find("5.1.2");
	enum { N = 4800 };
	double secs = getenv("MXT_ASAN") ? 5.0 : 10.0;
	mxd_writer_config cfg = { .format = MIXDOWN_FORMAT_WAV, .sample = MIXDOWN_SAMPLE_FLOAT32, .in_rate = RATE,
				  .out_rate = RATE, .channels = 8, .max_block = N, .seed = 1, .layout = l512 };
	mxd_writer *w = NULL;
	mixdown_error err;
	char path[512];
	snprintf(path, sizeof path, "%s", mxt_path(dir, "tops.wav"));
	CHECK_INT(mxd_writer_open(path, &cfg, &w, &err), MIXDOWN_SUCCESS);
	if (!w)
		return;
	float *bufs[8];
	for (int c = 0; c < 8; c++)
		bufs[c] = calloc(N, sizeof(float));
	for (int64_t done = 0; done < (int64_t)(secs * RATE); done += N) {
		for (int i = 0; i < N; i++)
			bufs[6][i] = bufs[7][i] = (float)(pow(10, -23.0 / 20) * sin(2 * M_PI * 1000.0 * (double)(done + i) / RATE));
		CHECK_INT(mxd_writer_write(w, (const float *const *)bufs, N, &err), MIXDOWN_SUCCESS);
	}
	CHECK_INT(mxd_writer_commit(w, &err), MIXDOWN_SUCCESS);
	for (int c = 0; c < 8; c++)
		free(bufs[c]);
	mixdown_analysis_options ao = mixdown_analysis_options_init();
	ao.loudness_only = true;
	mixdown_analysis *a = NULL;
	CHECK_INT(mixdown_analyze_file(path, &ao, &a, &err), MIXDOWN_SUCCESS);
	double fast = a ? a->loudness.integrated : NAN;
	mixdown_analysis_free(a);
	a = NULL;
	ao.loudness_only = false;
	CHECK_INT(mixdown_analyze_file(path, &ao, &a, &err), MIXDOWN_SUCCESS);
	double full = a ? a->loudness.integrated : NAN;
	mixdown_analysis_free(a);
	printf("# 5.1.2 tops at -23 dBFS: fast meter %.3f LUFS, full analysis %.3f LUFS\n", fast, full);
	CHECK_NEAR(fast, -23.0, 0.1);
	CHECK_NEAR(full, -23.0, 0.1);
}

/* --downmix: one render, the fold-downs next to the mix with the BS.775 values. */
static void t_downmix_render(void)
{
	const char *dir = mxt_tempdir();
	/* A tone at a different level on every channel (the LFE too: it must not reach stereo/mono). */
	static const double lv[6] = { -20, -26, -14, -10, -32, -38 };
	tone_file(mxt_path(dir, "src.wav"), lv, 2.0);
	mxt_write_text(mxt_path(dir, "s.yaml"), "mixdown: 1\nsample_rate: 48000\nlayout: 5.1\n"
						"tracks:\n  - { name: T, file: src.wav }\n");
	int rc = mxt_run_cli("render '%s' -o '%s' --bits 32f --downmix 5.1,stereo,mono --stems '%s' --stem-tracks",
			     mxt_path(dir, "s.yaml"), mxt_path(dir, "mix.wav"), mxt_path(dir, "stems"));
	CHECK_INT(rc, 0);
	if (rc != 0) {
		printf("# %s\n", mxt_cli_err);
		return;
	}
	int64_t n = 0, n2 = 0, n1 = 0, n6 = 0;
	int c = 0, c2 = 0, c1 = 0, c6 = 0;
	float *x = mxt_read_audio(mxt_path(dir, "mix.wav"), &n, &c, NULL, NULL);
	float *s = mxt_read_audio(mxt_path(dir, "mix.stereo.wav"), &n2, &c2, NULL, NULL);
	float *m = mxt_read_audio(mxt_path(dir, "mix.mono.wav"), &n1, &c1, NULL, NULL);
	float *f = mxt_read_audio(mxt_path(dir, "mix.5.1.wav"), &n6, &c6, NULL, NULL);
	CHECK(x && s && m && f);
	CHECK_INT(c, 6);
	CHECK_INT(c2, 2);
	CHECK_INT(c1, 1);
	CHECK_INT(c6, 6);
	CHECK_INT(n2, n);
	CHECK_INT(n1, n);
	if (x && s && m && f && c == 6 && c2 == 2 && c1 == 1 && c6 == 6) {
		double worst = 0;
		for (int64_t i = 0; i < n; i++) {
			const float *v = x + i * 6;
			double lo = v[0] + G3 * v[2] + G3 * v[4], ro = v[1] + G3 * v[2] + G3 * v[5];
			double mono = G3 * (v[0] + v[1]) + v[2] + 0.5 * (v[4] + v[5]);
			worst = fmax(worst, fabs(s[i * 2] - lo));
			worst = fmax(worst, fabs(s[i * 2 + 1] - ro));
			worst = fmax(worst, fabs(m[i] - mono));
			for (int k = 0; k < 6; k++)
				worst = fmax(worst, fabs(f[i * 6 + k] - v[k]));
		}
		printf("# fold-downs vs BS.775 applied to the mix: max error %.3g\n", worst);
		CHECK(worst < 1e-5);
		CHECK(mxt_rms_db(x, 6, 3, 0, n) > -90); /* the LFE (low-passed) is not silent */
	}
	unsigned tag = 0, ch = 0;
	uint32_t mask = 0;
	CHECK(read_fmt(mxt_path(dir, "mix.5.1.wav"), &tag, &ch, &mask) == 0);
	CHECK_INT(mask, 0x60F);
	/* Stems carry the mix's mask too. */
	mask = 0;
	CHECK(read_fmt(mxt_path(dir, "stems/T.wav"), &tag, &ch, &mask) == 0);
	CHECK_INT(ch, 6);
	CHECK_INT(mask, 0x60F);
	CHECK(read_fmt(mxt_path(dir, "mix.stereo.wav"), &tag, &ch, &mask) == 0);
	CHECK_INT(tag, 3); /* stereo float: plain WAVE_FORMAT_IEEE_FLOAT */
	free(x);
	free(s);
	free(m);
	free(f);
	/* Bad lists are bad usage. */
	CHECK_INT(mxt_run_cli("render '%s' -o '%s' --downmix 7.1", mxt_path(dir, "s.yaml"), mxt_path(dir, "b.wav")), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "7.1");
}

#ifdef MIXDOWN_HAVE_PLAY
/* A 5.1 session plays on six ports named by the layout; a tone on C reaches only the third. */
static void t_jack_ports(void)
{
	if (!mxt_jack_start()) {
		SKIP("jackd -d dummy could not start");
		return;
	}
	const char *dir = mxt_tempdir();
	static const double lv[6] = { -INFINITY, -INFINITY, -12, -INFINITY, -INFINITY, -INFINITY };
	tone_file(mxt_path(dir, "c.wav"), lv, 4.0);
	mxt_write_text(mxt_path(dir, "session.yaml"), "mixdown: 1\nsample_rate: 48000\nlayout: 5.1\n"
						      "tracks:\n  - { name: T, file: c.wav }\n");
	mixdown_session *s = NULL;
	mixdown_error err;
	CHECK_INT(mixdown_session_load(mxt_path(dir, "session.yaml"), &s, &err), MIXDOWN_SUCCESS);
	if (!s)
		return;
	mixdown_player_options o = mixdown_player_options_init();
	o.client_name = "mxtsp";
	o.backend = "jack";
	/* Port 3 (out_C) to in_1, everything else to in_2. */
	o.connect = "mxtcap:in_2,mxtcap:in_2,mxtcap:in_1,mxtcap:in_2,mxtcap:in_2,mxtcap:in_2";
	o.start_stopped = true;
	mixdown_player *p = NULL;
	if (mixdown_player_open(s, &o, &p, &err) != MIXDOWN_SUCCESS) {
		mxt_fail(__FILE__, __LINE__, "player: %s", err.message);
		mixdown_session_free(s);
		return;
	}
	static const char *const names[6] = { "out_L", "out_R", "out_C", "out_LFE", "out_Ls", "out_Rs" };
	for (int k = 0; k < 6; k++) {
		char full[64];
		snprintf(full, sizeof full, "mxtsp:%s", names[k]);
		CHECK_MSG(jack_port_by_name(mxt_jack_client, full) != NULL, "no JACK port %s", full);
	}
	CHECK(jack_port_by_name(mxt_jack_client, "mxtsp:out_1") == NULL);
	mxt_jack_arm(true);
	mixdown_player_play(p);
	mxt_sleep_s(1.5);
	mxt_jack_arm(false);
	mixdown_player_close(p);
	mixdown_session_free(s);
	int64_t n = atomic_load(&mxt_jack_cap_n);
	double e1 = 0, e2 = 0;
	for (int64_t i = 0; i < n; i++) {
		e1 += (double)mxt_jack_cap[0][i] * mxt_jack_cap[0][i];
		e2 += (double)mxt_jack_cap[1][i] * mxt_jack_cap[1][i];
	}
	printf("# %lld frames captured: port 3 energy %.3g, the other five %.3g\n", (long long)n, e1, e2);
	CHECK(n > RATE / 2);
	CHECK(e1 > 1.0);
	CHECK(e2 == 0.0);
}
#endif

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_writer_masks), MXT(t_downmix_matrix), MXT(t_weights), MXT(t_ebu_5_0), MXT(t_map_weights),
		MXT(t_downmix_render),
#ifdef MIXDOWN_HAVE_PLAY
		MXT(t_jack_ports),
#endif
	};
	int rc = MXT_RUN(cases);
#ifdef MIXDOWN_HAVE_PLAY
	mxt_jack_stop();
#endif
	return rc;
}
