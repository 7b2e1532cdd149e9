/* mixdown — tests of file formats: reading every format libsndfile reads as
 * clips, BWF time references placing clips, writing WAV/RF64/FLAC/AIFF and
 * the lossy previews, the BWF bext chunk of an export (its loudness fields
 * against libebur128 and the fast meter), the stems null test,
 * and `mixdown new` on a folder of mixed DAW exports. The RF64 write and read
 * of a file over 4 GB runs only with MIXDOWN_BIG_TESTS=1.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Units: samples are float full scale; rates Hz; levels dB. Single-threaded.
 */
#include <ebur128.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "analysis/fastloud.h"
#include "harness.h"
#include "io/writer.h"
#include "session/model.h"
#include "util.h"

#define RATE 48000

/* A two-tone stereo test signal: L 440 Hz + 3 kHz, R 660 Hz, -12 dBFS each tone. */
static float *tones(int64_t frames, double rate)
{
	float *x = malloc(sizeof(float) * (size_t)frames * 2);
	const double a = pow(10.0, -12.0 / 20.0);
	for (int64_t i = 0; i < frames; i++) {
		double t = (double)i / rate;
		x[2 * i] = (float)(a * sin(2 * M_PI * 440 * t) + a * sin(2 * M_PI * 3000 * t));
		x[2 * i + 1] = (float)(a * sin(2 * M_PI * 660 * t));
	}
	return x;
}

/* Largest normalized cross-correlation of channel c of a and b over lags
 * 0..max_lag (b delayed against a), over `n` frames; the lag in *lag. */
static double best_corr(const float *a, const float *b, int64_t n, int c, int max_lag, int *lag)
{
	double best = -1;
	for (int l = 0; l <= max_lag; l++) {
		double ab = 0, aa = 0, bb = 0;
		for (int64_t i = 0; i + l < n; i++) {
			double x = a[2 * i + c], y = b[2 * (i + l) + c];
			ab += x * y;
			aa += x * x;
			bb += y * y;
		}
		double r = aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 0;
		if (r > best) {
			best = r;
			*lag = l;
		}
	}
	return best;
}

/* Render `yaml` in dir to dir/out.wav as 32-bit float; returns the samples. */
static float *render32(const char *dir, const char *yaml, int64_t *frames)
{
	mixdown_render_options o = mixdown_render_options_init();
	o.output = mxt_path(dir, "out.wav");
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	mixdown_error err;
	if (mxt_render_yaml(dir, yaml, &o, NULL, &err) != MIXDOWN_SUCCESS)
		return NULL;
	int ch = 0;
	return mxt_read_audio(mxt_path(dir, "out.wav"), frames, &ch, NULL, NULL);
}

/* ------------------------------------------------------------------ reading */

static void t_read_lossless(void)
{
	const char *dir = mxt_tempdir();
	const int64_t n = RATE / 2;
	float *x = tones(n, RATE);
	static const struct {
		const char *file;
		int format;
	} f[] = {
		{ "a.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24 },   { "a.rf64", SF_FORMAT_RF64 | SF_FORMAT_PCM_24 },
		{ "a.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_24 }, { "a.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_24 },
		{ "f.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT },    { "a.caf", SF_FORMAT_CAF | SF_FORMAT_PCM_24 },
		{ "a.w64", SF_FORMAT_W64 | SF_FORMAT_PCM_24 },
	};
	for (size_t k = 0; k < sizeof f / sizeof *f; k++) {
		CHECK_INT(mxt_write_audio(mxt_path(dir, f[k].file), x, n, 2, RATE, f[k].format), 0);
		char yaml[512];
		snprintf(yaml, sizeof yaml,
			 "sample_rate: 48000\ntracks:\n  - { name: T, file: %s, pan_law: 0 }\n", f[k].file);
		int64_t got = 0;
		float *y = render32(dir, yaml, &got);
		CHECK_MSG(y && got == n, "%s: %lld frames", f[k].file, (long long)got);
		if (!y || got != n) {
			free(y);
			continue;
		}
		/* 24-bit storage: within one LSB (2^-23) of the float original. */
		double tol = (f[k].format & SF_FORMAT_SUBMASK) == SF_FORMAT_FLOAT ? 0 : 1.0 / 8388608.0;
		double worst = 0;
		for (int64_t i = 0; i < 2 * n; i++)
			worst = fmax(worst, fabs((double)y[i] - x[i]));
		CHECK_MSG(worst <= tol, "%s: max error %.3g > %.3g", f[k].file, worst, tol);
		free(y);
	}
	free(x);
}

/* Lossy clips: level within 0.5 dB and correlation above 0.99 after the
 * codec's delay; MP3 at 44.1 kHz is resampled to the session's 48 kHz. */
static void t_read_lossy(void)
{
	const char *dir = mxt_tempdir();
	static const struct {
		const char *file;
		int format, rate;
	} f[] = {
		{ "v.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 48000 },
		{ "o.opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 48000 },
		{ "m.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 44100 },
	};
	const int64_t n = RATE;
	float *ref = tones(n, RATE);
	for (size_t k = 0; k < sizeof f / sizeof *f; k++) {
		int64_t fn = f[k].rate; /* 1 s */
		float *x = tones(fn, f[k].rate);
		int wrc = mxt_write_audio(mxt_path(dir, f[k].file), x, fn, 2, f[k].rate, f[k].format);
		free(x);
		CHECK_MSG(wrc == 0, "%s: libsndfile cannot write it", f[k].file);
		if (wrc)
			continue;
		char yaml[512];
		snprintf(yaml, sizeof yaml,
			 "sample_rate: 48000\ntracks:\n  - { name: T, file: %s, pan_law: 0 }\n", f[k].file);
		int64_t got = 0;
		float *y = render32(dir, yaml, &got);
		CHECK_MSG(y && llabs(got - n) < 4800, "%s: %lld frames", f[k].file, (long long)got);
		if (!y) {
			continue;
		}
		int64_t m = (got < n ? got : n) - 4800;
		for (int c = 0; c < 2; c++) {
			int lag = 0;
			double r = best_corr(ref + 2 * 2400, y + 2 * 2400, m - 2400, c, 2400, &lag);
			CHECK_MSG(r > 0.99, "%s channel %d: correlation %.4f (lag %d)", f[k].file, c, r, lag);
			printf("# %s channel %d: correlation %.5f at lag %d\n", f[k].file, c, r, lag);
			double lx = mxt_rms_db(ref, 2, c, 4800, m - 4800), ly = mxt_rms_db(y, 2, c, 4800 + lag, m - 4800);
			CHECK_MSG(fabs(lx - ly) < 0.5, "%s channel %d: level %.2f dB, expected %.2f", f[k].file, c, ly, lx);
		}
		free(y);
	}
	free(ref);
}

/* ---------------------------------------------------------------------- BWF */

/* The bext chunk of a written file; false (and a failed check) without one. */
static bool read_bext(const char *path, SF_BROADCAST_INFO *b)
{
	SF_INFO info = { 0 };
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	CHECK(f != NULL);
	if (!f)
		return false;
	memset(b, 0, sizeof *b);
	int ok = sf_command(f, SFC_GET_BROADCAST_INFO, b, sizeof *b);
	CHECK_INT(ok, SF_TRUE);
	sf_close(f);
	return ok == SF_TRUE;
}

/* A mono file with a bext time reference and one impulse at frame `at`. */
static int write_bwf(const char *path, int rate, int64_t frames, int64_t at, uint64_t time_ref)
{
	SF_INFO info = { .samplerate = rate, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_24 };
	SNDFILE *f = sf_open(path, SFM_WRITE, &info);
	if (!f)
		return -1;
	SF_BROADCAST_INFO b;
	memset(&b, 0, sizeof b);
	snprintf(b.description, sizeof b.description, "field recorder take");
	b.time_reference_low = (uint32_t)time_ref;
	b.time_reference_high = (uint32_t)(time_ref >> 32);
	b.version = 1;
	sf_command(f, SFC_SET_BROADCAST_INFO, &b, sizeof b);
	float *x = calloc((size_t)frames, sizeof *x);
	x[at] = 0.5f;
	sf_count_t w = sf_writef_float(f, x, frames);
	free(x);
	return sf_close(f) == 0 && w == frames ? 0 : -1;
}

static int64_t first_nonzero(const float *x, int64_t frames, int channels)
{
	for (int64_t i = 0; i < frames; i++)
		if (x[i * channels] != 0.0f)
			return i;
	return -1;
}

static void t_bwf_places_clip(void)
{
	const char *dir = mxt_tempdir();
	/* Recorded at 10:00:02.5 (at 48 kHz), the impulse 10000 frames in. */
	uint64_t ref = (uint64_t)llround((10 * 3600 + 2.5) * RATE);
	CHECK_INT(write_bwf(mxt_path(dir, "take.wav"), RATE, RATE, 10000, ref), 0);
	/* The same take at 44.1 kHz, recorded at 10:00:01 with the impulse at 441. */
	CHECK_INT(write_bwf(mxt_path(dir, "take44.wav"), 44100, 44100, 441, 36001ull * 44100), 0);
	int64_t frames = 0;
	float *y = render32(dir,
			    "sample_rate: 48000\ntimeline_origin: \"10:00:00\"\ntracks:\n"
			    "  - { name: A, clips: [ { file: take.wav, at: bwf } ], pan_law: 0 }\n",
			    &frames);
	CHECK(y != NULL);
	if (y)
		CHECK_INT(first_nonzero(y, frames, 2), 2.5 * RATE + 10000);
	free(y);
	/* An offset trims the clip but keeps it in sync with its recording. */
	y = render32(dir,
		     "sample_rate: 48000\ntimeline_origin: 36000\ntracks:\n"
		     "  - { name: A, clips: [ { file: take.wav, at: bwf, offset: 0.1 } ], pan_law: 0 }\n",
		     &frames);
	if (y)
		CHECK_INT(first_nonzero(y, frames, 2), 2.5 * RATE + 10000);
	free(y);
	/* The parsed position, and a file at another rate (its reference is in its own samples). */
	const char *yaml = "sample_rate: 48000\ntimeline_origin: \"09:59:59.5\"\ntracks:\n"
			   "  - { name: A, clips: [ { file: take.wav, at: bwf } ] }\n"
			   "  - { name: B, clips: [ { file: take44.wav, at: bwf } ] }\n";
	mxd_session *s = NULL;
	mixdown_error err;
	CHECK_INT(mxd_session_parse(yaml, strlen(yaml), "bwf.yaml", dir, &s, &err), MIXDOWN_SUCCESS);
	if (s) {
		CHECK_NEAR(s->timeline_origin, 35999.5, 1e-9);
		CHECK_NEAR(s->tracks[0].clips[0].at, 3.0, 1e-9);
		CHECK(s->tracks[0].clips[0].at_bwf);
		CHECK_NEAR(s->tracks[1].clips[0].at, 1.5, 1e-9);
	}
	mxd_session_free(s);
}

static void t_bwf_errors(void)
{
	const char *dir = mxt_tempdir();
	float x[480] = { 0 };
	CHECK_INT(mxt_write_audio(mxt_path(dir, "plain.wav"), x, 480, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_PCM_16), 0);
	CHECK_INT(write_bwf(mxt_path(dir, "take.wav"), RATE, 4800, 0, 3600ull * RATE), 0);
	CHECK_INT(mxt_write_text(mxt_path(dir, "a.yaml"), "tracks:\n  - name: A\n    clips:\n"
							   "      - { file: plain.wav, at: bwf }\n"),
		  0);
	CHECK_INT(mxt_run_cli("check '%s/a.yaml'", dir), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "a.yaml:4:32: tracks[0].clips[0].at: 'plain.wav' has no BWF time reference");
	CHECK_INT(mxt_write_text(mxt_path(dir, "b.yaml"), "timeline_origin: \"02:00:00\"\ntracks:\n"
							   "  - { name: A, clips: [ { file: take.wav, at: bwf } ] }\n"),
		  0);
	CHECK_INT(mxt_run_cli("check '%s/b.yaml'", dir), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "starts at 01:00:00.000 (BWF time reference), before the timeline origin "
					"02:00:00.000");
	CHECK_INT(mxt_write_text(mxt_path(dir, "c.yaml"), "timeline_origin: \"25:00:00\"\ntracks: []\n"), 0);
	CHECK_INT(mxt_run_cli("check '%s/c.yaml'", dir), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "c.yaml:1:18: timeline_origin: expected a time of day");
}

/* ------------------------------------------------------------------ writing */

static const char *tone_session(const char *dir)
{
	const int64_t n = RATE;
	float *x = tones(n, RATE);
	mxt_write_audio(mxt_path(dir, "t.wav"), x, n, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
	free(x);
	return "sample_rate: 48000\ntimeline_origin: \"10:00:00\"\ntracks:\n  - { name: T, file: t.wav, pan_law: 0 }\n";
}

/* ffprobe's name of a file's format and codec ("wav pcm_s24le"), or "" without ffprobe. */
static const char *probe(const char *path)
{
	static char out[256];
	out[0] = '\0';
	char cmd[1200];
	snprintf(cmd, sizeof cmd,
		 "ffprobe -v error -show_entries format=format_name:stream=codec_name -of "
		 "default=noprint_wrappers=1:nokey=1 '%s' 2>/dev/null | tr '\\n' ' '",
		 path);
	FILE *p = popen(cmd, "r");
	if (!p)
		return out;
	size_t r = fread(out, 1, sizeof out - 1, p);
	out[r] = '\0';
	pclose(p);
	return out;
}

static bool have_ffprobe(void)
{
	return system("ffprobe -version >/dev/null 2>&1") == 0;
}

static void t_write_formats(void)
{
	const char *dir = mxt_tempdir();
	const char *yaml = tone_session(dir);
	static const struct {
		const char *out, *args;
		int major, sub, rate;
		const char *probe;
	} f[] = {
		{ "m.wav", "", SF_FORMAT_WAV, SF_FORMAT_PCM_24, 48000, "pcm_s24le wav" },
		{ "m.rf64", "", SF_FORMAT_RF64, SF_FORMAT_PCM_24, 48000, "pcm_s24le wav" },
		{ "m16.flac", "--bits 16", SF_FORMAT_FLAC, SF_FORMAT_PCM_16, 48000, "flac flac" },
		{ "m.aiff", "--bits 32f", SF_FORMAT_AIFF, SF_FORMAT_FLOAT, 48000, "pcm_f32be aiff" },
		{ "m.ogg", "--quality 3", SF_FORMAT_OGG, SF_FORMAT_VORBIS, 48000, "vorbis ogg" },
		{ "m.opus", "--rate 44100", SF_FORMAT_OGG, SF_FORMAT_OPUS, 48000, "opus ogg" },
		{ "m.bin", "--format mp3 --rate 96000", SF_FORMAT_MPEG, SF_FORMAT_MPEG_LAYER_III, 48000, "mp3 mp3" },
		{ "m44.mp3", "--rate 88200", SF_FORMAT_MPEG, SF_FORMAT_MPEG_LAYER_III, 44100, "mp3 mp3" },
	};
	CHECK_INT(mxt_write_text(mxt_path(dir, "s.yaml"), yaml), 0);
	bool ff = have_ffprobe();
	for (size_t k = 0; k < sizeof f / sizeof *f; k++) {
		const char *out = mxt_path(dir, f[k].out);
		int rc = mxt_run_cli("render '%s/s.yaml' -o '%s' %s --json", dir, out, f[k].args);
		CHECK_MSG(rc == 0, "%s: exit %d: %s", f[k].out, rc, mxt_cli_err);
		char want_rate[64];
		snprintf(want_rate, sizeof want_rate, "\"sample_rate\": %d", f[k].rate);
		CHECK_STR_CONTAINS(mxt_cli_out, want_rate);
		SF_INFO info = { 0 };
		SNDFILE *sf = sf_open(out, SFM_READ, &info);
		CHECK_MSG(sf != NULL, "%s does not open", f[k].out);
		if (!sf)
			continue;
		CHECK_MSG((info.format & SF_FORMAT_TYPEMASK) == f[k].major && (info.format & SF_FORMAT_SUBMASK) == f[k].sub,
			  "%s: format 0x%x", f[k].out, info.format);
		CHECK_INT(info.samplerate, f[k].rate);
		CHECK_INT(info.channels, 2);
		/* Length: exact for PCM, within the codecs' padding for lossy files. */
		double secs = (double)info.frames / info.samplerate;
		CHECK_MSG(fabs(secs - 1.0) < (f[k].major == SF_FORMAT_MPEG ? 0.06 : 1e-3), "%s: %.4f s", f[k].out, secs);
		sf_close(sf);
		if (ff) {
			const char *p = probe(out);
			const char *codec = f[k].probe, *space = strchr(codec, ' ');
			char c1[32], c2[32];
			snprintf(c1, sizeof c1, "%.*s", (int)(space - codec), codec);
			snprintf(c2, sizeof c2, "%s", space + 1);
			CHECK_MSG(strstr(p, c1) && strstr(p, c2), "%s: ffprobe says \"%s\", expected %s", f[k].out, p, codec);
		}
	}
	/* Usage errors. */
	CHECK_INT(mxt_run_cli("render '%s/s.yaml' -o '%s/x.wav' --quality 11", dir, dir), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "--quality must be 1");
	CHECK_INT(mxt_run_cli("render '%s/s.yaml' -o '%s/x.xyz'", dir, dir), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, ".opus, .mp3 or --format");
	if (!ff)
		SKIP("ffprobe not installed (scripts/setup.sh --test)");
}

/* Six channels cannot be MP3: refused before anything is rendered. */
static void t_mp3_channels(void)
{
	const char *dir = mxt_tempdir();
	float x[480] = { 0 };
	mxt_write_audio(mxt_path(dir, "s.wav"), x, 480, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
	mxt_write_text(mxt_path(dir, "s.yaml"), "channels: 6\ntracks:\n  - { name: A, file: s.wav }\n");
	CHECK_INT(mxt_run_cli("render '%s/s.yaml' -o '%s/x.mp3'", dir, dir), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "MP3 carries 1 or 2 channels, not 6");
	CHECK(access(mxt_path(dir, "x.mp3"), F_OK) != 0);
}

static void t_bwf_export(void)
{
	const char *dir = mxt_tempdir();
	const char *yaml = tone_session(dir);
	mixdown_render_options o = mixdown_render_options_init();
	o.output = mxt_path(dir, "mix.wav");
	o.range = "0.25-";
	o.description = "Song A, mix 3";
	mixdown_render_report rep;
	mixdown_error err;
	setenv("SOURCE_DATE_EPOCH", "1767225600", 1); /* 2026-01-01 00:00:00 UTC */
	CHECK_INT(mxt_render_yaml(dir, yaml, &o, &rep, &err), MIXDOWN_SUCCESS);
	unsetenv("SOURCE_DATE_EPOCH");
	SF_BROADCAST_INFO b;
	if (!read_bext(o.output, &b))
		return;
	CHECK(!strcmp(b.description, "Song A, mix 3"));
	CHECK(!strncmp(b.originator, "mixdown", 32));
	CHECK(!strncmp(b.origination_date, "2026-01-01", 10));
	CHECK(!strncmp(b.origination_time, "00:00:00", 8));
	/* 10:00:00 + 0.25 s at 48 kHz. */
	uint64_t ref = (uint64_t)b.time_reference_high << 32 | b.time_reference_low;
	CHECK_INT(ref, 36000ull * RATE + RATE / 4);
	CHECK_INT(b.version, 2);
	CHECK_STR_CONTAINS(b.coding_history, "A=PCM,F=48000,W=24,M=stereo,T=mixdown");
	/* Loudness in 0.01 units: the report's integrated loudness; two steady
	 * tones have (almost) no loudness range; the true peak is at least the
	 * sample peak and the momentary and short-term maxima near the integrated. */
	CHECK_NEAR(b.loudness_value, round(rep.integrated_lufs * 100), 1);
	CHECK(b.loudness_range >= 0 && b.loudness_range < 50);
	CHECK(b.max_true_peak_level >= round(rep.peak_dbfs * 100) - 1 && b.max_true_peak_level < 0);
	CHECK_NEAR(b.max_momentary_loudness, b.loudness_value, 60);
	CHECK(b.max_shortterm_loudness != 0x7fff && b.max_shortterm_loudness <= b.max_momentary_loudness);
	/* The description defaults to the session's name; --no-bwf writes none. */
	CHECK_INT(mxt_run_cli("render '%s/session.yaml' -o '%s/plain.wav' --no-bwf", dir, dir), 0);
	SF_INFO info = { 0 };
	SNDFILE *f = sf_open(mxt_path(dir, "plain.wav"), SFM_READ, &info);
	CHECK(f && sf_command(f, SFC_GET_BROADCAST_INFO, &b, sizeof b) == SF_FALSE);
	if (f)
		sf_close(f);
	CHECK_INT(mxt_run_cli("render '%s/session.yaml' -o '%s/named.wav' --stems '%s/st'", dir, dir, dir), 0);
	f = sf_open(mxt_path(dir, "named.wav"), SFM_READ, &info);
	CHECK(f && sf_command(f, SFC_GET_BROADCAST_INFO, &b, sizeof b) == SF_TRUE && !strcmp(b.description, "session"));
	if (f)
		sf_close(f);
}

/* 30 s of stereo (both channels alike) in steady sections, so the 100 ms
 * and libebur128's 1 s short-term grids give the same range: 1 kHz at -38,
 * then -28, then -18 dBFS (the range is the 20 dB between the first and the
 * last, the middle is the 10th..95th percentile's filler). A 0.6 s burst at
 * 14 s is a 12 kHz = fs/4 tone at 45 degrees of phase, -17 dBFS: its samples
 * are 3 dB below its crest, so the true peak (-17 dBTP) is 1 dB above the
 * sample peak (-18 dBFS, the loud section); it is the loudest momentary
 * reading (about +4 LU over the loud section, K-weighting adds 4 dB at
 * 12 kHz) but not the loudest short-term one (its 3 s windows are about
 * 2 LU below the loud section). */
static float *loud_sections(int64_t *frames)
{
	const int64_t n = 30 * RATE;
	float *x = malloc(sizeof(float) * (size_t)n * 2);
	for (int64_t i = 0; x && i < n; i++) {
		double t = (double)i / RATE, v;
		if (t >= 14.0 && t < 14.6)
			v = pow(10.0, -17.0 / 20.0) * sin(M_PI / 2 * (double)(i % 4) + M_PI / 4);
		else
			v = pow(10.0, (t < 10 ? -38.0 : t < 20 ? -28.0 : -18.0) / 20.0) * sin(2 * M_PI * 1000 * t);
		x[2 * i] = x[2 * i + 1] = (float)v;
	}
	*frames = n;
	return x;
}

/* The bext loudness fields and the report's integrated loudness against
 * independent measurements of the written (float) file: libebur128 (its
 * integrated loudness, range and 4x true peak; M and S read every 100 ms,
 * where the sections make them plateau) and the fast meter. */
static void t_bwf_loudness(void)
{
	const char *dir = mxt_tempdir();
	int64_t n = 0;
	float *x = loud_sections(&n);
	CHECK(x != NULL);
	if (!x)
		return;
	CHECK_INT(mxt_write_audio(mxt_path(dir, "l.wav"), x, n, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	free(x);
	mixdown_render_options o = mixdown_render_options_init();
	o.output = mxt_path(dir, "mix.wav");
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	mixdown_render_report rep;
	mixdown_error err;
	CHECK_INT(mxt_render_yaml(dir, "sample_rate: 48000\ntracks:\n  - { name: T, file: l.wav, pan_law: 0 }\n", &o,
				  &rep, &err),
		  MIXDOWN_SUCCESS);
	SF_BROADCAST_INFO b;
	if (!read_bext(o.output, &b))
		return;
	int ch = 0;
	float *y = mxt_read_audio(o.output, &n, &ch, NULL, NULL);
	CHECK(y && ch == 2 && n == 30 * RATE);
	if (!y || ch != 2) {
		free(y);
		return;
	}
	ebur128_state *st =
		ebur128_init(2, RATE, EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_S | EBUR128_MODE_TRUE_PEAK);
	mxd_fl fl;
	CHECK(st && mxd_fl_init(&fl, RATE, 2, NULL, false) == 0);
	if (!st) {
		free(y);
		return;
	}
	double m_max = -INFINITY, s_max = -INFINITY, v;
	for (int64_t i = 0; i < n; i += RATE / 10) {
		ebur128_add_frames_float(st, y + 2 * i, RATE / 10);
		if (ebur128_loudness_momentary(st, &v) == EBUR128_SUCCESS)
			m_max = fmax(m_max, v);
		if (ebur128_loudness_shortterm(st, &v) == EBUR128_SUCCESS)
			s_max = fmax(s_max, v);
	}
	mxd_fl_add(&fl, y, (size_t)n);
	double I = -INFINITY, lra = -1, tp = 0, sp = 0;
	ebur128_loudness_global(st, &I);
	ebur128_loudness_range(st, &lra);
	for (unsigned c = 0; c < 2; c++) {
		if (ebur128_true_peak(st, c, &v) == EBUR128_SUCCESS)
			tp = fmax(tp, v);
		if (ebur128_sample_peak(st, c, &v) == EBUR128_SUCCESS)
			sp = fmax(sp, v);
	}
	printf("# libebur128: I %.4f LUFS, LRA %.3f LU, M max %.3f, S max %.3f LUFS, TP %.3f dBTP, SP %.3f dBFS\n", I,
	       lra, m_max, s_max, 20 * log10(tp), 20 * log10(sp));
	printf("# bext: I %d, LRA %d, M %d, S %d, TP %d (0.01 units); report I %.4f\n", b.loudness_value,
	       b.loudness_range, b.max_momentary_loudness, b.max_shortterm_loudness, b.max_true_peak_level,
	       rep.integrated_lufs);
	/* The signal does what it is meant to: a 20 LU range, M max above S max, TP above SP. */
	CHECK_NEAR(lra, 20.0, 0.2);
	CHECK(m_max - s_max > 1.0);
	CHECK(20 * log10(tp / sp) > 0.5);
	/* Integrated: the report (the render's meter on the float mix) and bext (0.01 LU units, rounded). */
	CHECK_NEAR(rep.integrated_lufs, I, 0.01);
	CHECK_NEAR(rep.integrated_lufs, mxd_fl_integrated(&fl), 0.01);
	CHECK_NEAR(b.loudness_value / 100.0, I, 0.01);
	CHECK_NEAR(b.loudness_value / 100.0, mxd_fl_integrated(&fl), 0.01);
	CHECK_NEAR(b.loudness_range / 100.0, lra, 0.1);
	CHECK_NEAR(b.max_true_peak_level / 100.0, 20 * log10(tp), 0.1);
	CHECK_NEAR(b.max_momentary_loudness / 100.0, m_max, 0.1);
	CHECK_NEAR(b.max_shortterm_loudness / 100.0, s_max, 0.1);
	mxd_fl_free(&fl);
	ebur128_destroy(&st);
	free(y);
}

/* A WAV whose estimated size passes 4 GB starts as RF64 and, when it ends up
 * smaller, is turned back into a WAV on close (SFC_RF64_AUTO_DOWNGRADE). */
static void t_rf64_estimate(void)
{
	const char *dir = mxt_tempdir();
	mxd_writer_config wc = { .format = MIXDOWN_FORMAT_WAV, .sample = MIXDOWN_SAMPLE_INT24, .in_rate = RATE,
				 .out_rate = RATE, .channels = 2, .max_block = 1024, .seed = 1,
				 .expected_frames = 1000000000ull };
	mxd_writer *w = NULL;
	mixdown_error err;
	CHECK_INT(mxd_writer_open(mxt_path(dir, "x.wav"), &wc, &w, &err), MIXDOWN_SUCCESS);
	if (!w)
		return;
	CHECK_INT(mxd_writer_format(w), MIXDOWN_FORMAT_RF64);
	float l[1024], r[1024];
	for (int i = 0; i < 1024; i++)
		l[i] = r[i] = (float)(i - 512) / 1024.0f;
	const float *pl[2] = { l, r };
	CHECK_INT(mxd_writer_write(w, pl, 1024, &err), MIXDOWN_SUCCESS);
	CHECK_INT(mxd_writer_commit(w, &err), MIXDOWN_SUCCESS);
	int64_t frames = 0;
	int format = 0;
	float *y = mxt_read_audio(mxt_path(dir, "x.wav"), &frames, NULL, NULL, &format);
	CHECK_INT(frames, 1024);
	int major = format & SF_FORMAT_TYPEMASK;
	CHECK_MSG(major == SF_FORMAT_WAV || major == SF_FORMAT_WAVEX, "format 0x%x", format);
	if (y)
		CHECK_NEAR(y[2 * 1023], 511.0 / 1024.0, 1e-6);
	free(y);
}

/* MIXDOWN_BIG_TESTS=1: a WAV over 4 GiB (the 32-bit RIFF size limit) becomes RF64 and reads back. */
static void t_rf64_big(void)
{
	if (!getenv("MIXDOWN_BIG_TESTS") || strcmp(getenv("MIXDOWN_BIG_TESTS"), "1") != 0) {
		SKIP("set MIXDOWN_BIG_TESTS=1 to write a 4.4 GB file");
		return;
	}
	const char *dir = mxt_tempdir();
	struct statvfs vfs;
	if (statvfs(dir, &vfs) == 0 && (double)vfs.f_bavail * vfs.f_frsize < 4.8e9) {
		SKIP("less than 4.8 GB free in %s", dir);
		return;
	}
	/* 2 channels x 32-bit float: 4.4e9 bytes (4.1 GiB) = 550 M frames (3.2 h at 48 kHz). */
	const uint64_t frames = 550000000ull;
	const uint32_t block = 65536;
	mxd_writer_config wc = { .format = MIXDOWN_FORMAT_WAV, .sample = MIXDOWN_SAMPLE_FLOAT32, .in_rate = RATE,
				 .out_rate = RATE, .channels = 2, .max_block = block, .seed = 1,
				 .expected_frames = frames };
	mxd_writer *w = NULL;
	mixdown_error err;
	const char *path = mxt_path(dir, "big.wav");
	CHECK_INT(mxd_writer_open(path, &wc, &w, &err), MIXDOWN_SUCCESS);
	if (!w)
		return;
	float *l = calloc(block, sizeof *l), *r = calloc(block, sizeof *r);
	const float *pl[2] = { l, r };
	mixdown_status st = MIXDOWN_SUCCESS;
	for (uint64_t done = 0; done < frames && st == MIXDOWN_SUCCESS;) {
		uint32_t n = frames - done < block ? (uint32_t)(frames - done) : block;
		/* Markers: the first frame and the last three frames. */
		l[0] = done == 0 ? 0.5f : 0.0f;
		if (done + n == frames) {
			l[n - 1] = 0.25f;
			r[n - 1] = -0.75f;
			l[n - 2] = 0.125f;
		}
		st = mxd_writer_write(w, pl, n, &err);
		done += n;
	}
	CHECK_INT(st, MIXDOWN_SUCCESS);
	CHECK_INT(mxd_writer_commit(w, &err), MIXDOWN_SUCCESS);
	free(l);
	free(r);
	SF_INFO info = { 0 };
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	CHECK(f != NULL);
	if (f) {
		CHECK_INT(info.format & SF_FORMAT_TYPEMASK, SF_FORMAT_RF64);
		CHECK_INT(info.frames, (int64_t)frames);
		float first[2] = { 0 }, last[6] = { 0 };
		sf_readf_float(f, first, 1);
		CHECK_NEAR(first[0], 0.5, 0);
		CHECK(sf_seek(f, (sf_count_t)frames - 3, SEEK_SET) == (sf_count_t)frames - 3);
		CHECK_INT(sf_readf_float(f, last, 3), 3);
		CHECK_NEAR(last[0], 0.0, 0);
		CHECK_NEAR(last[2], 0.125, 0);
		CHECK_NEAR(last[4], 0.25, 0);
		CHECK_NEAR(last[5], -0.75, 0);
		sf_close(f);
	}
	unlink(path);
}

/* ------------------------------------------------------------------- stems */

/* The stems of the strips that feed the master sum to the mix (master at
 * 0 dB without inserts): tracks to buses, a track straight to the master,
 * a subgroup bus into another bus, sends into an effect return, inserts with
 * latency on buses (PDC). 32-bit float files, so only float rounding of the
 * sum differs. */
static void t_stems_null(void)
{
	const char *dir = mxt_tempdir();
	const int64_t n = RATE;
	float *x = malloc(sizeof(float) * (size_t)n * 2);
	const char *names[] = { "kick.wav", "snare.wav", "bass.wav", "vox.wav", "hat.wav" };
	for (int k = 0; k < 5; k++) {
		mxt_noise(x, n, 0.3, 11u + (uint32_t)k);
		mxt_write_audio(mxt_path(dir, names[k]), x, n, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	}
	free(x);
	const char *yaml =
		"sample_rate: 48000\n"
		"tail: 0.3\n"
		"tracks:\n"
		"  - { name: Kick, file: kick.wav, output: Drums, gain: -3 }\n"
		"  - { name: Snare, file: snare.wav, output: Drums, pan: 0.2,\n"
		"      sends: [ { to: Verb, level: -8 } ] }\n"
		"  - { name: Hat, file: hat.wav, output: Cymbals, pan: 0.5 }\n"
		"  - { name: Bass, file: bass.wav, pan: -0.3, gain: -2,\n"
		"      inserts: [ { type: compressor, threshold: -20, ratio: 3 } ] }\n"
		"  - { name: Vox, file: vox.wav, sends: [ { to: Verb, level: -12, pre: true } ] }\n"
		"buses:\n"
		"  - { name: Cymbals, output: Drums, gain: -4 }\n"
		"  - name: Drums\n"
		"    gain: -1.5\n"
		"    inserts: [ { type: eq, bands: [ { type: peak, freq: 200, gain: 3, q: 1 } ] },\n"
		"               { type: limiter, ceiling: -3 } ]\n"
		"  - name: Verb\n"
		"    inserts: [ { type: delay, time: 90, feedback: 0.3, mix: 1 } ]\n";
	mixdown_render_options o = mixdown_render_options_init();
	o.output = mxt_path(dir, "mix.wav");
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	o.stems_dir = mxt_path(dir, "stems");
	o.stems_tracks = true;
	mixdown_render_report rep;
	mixdown_error err;
	CHECK_INT(mxt_render_yaml(dir, yaml, &o, &rep, &err), MIXDOWN_SUCCESS);
	CHECK_INT(rep.n_files, 9); /* the mix, 5 tracks, 3 buses */
	CHECK(rep.latency > 0);    /* the limiter's look-ahead is compensated */
	int64_t frames = 0;
	float *mix = mxt_read_audio(o.output, &frames, NULL, NULL, NULL);
	CHECK(mix != NULL && frames > n);
	if (!mix)
		return;
	double *sum = calloc((size_t)frames * 2, sizeof *sum);
	/* The master's inputs: Bass and Vox (tracks to the master), Drums and Verb (buses to the master). */
	const char *feeders[] = { "Bass.wav", "Vox.wav", "Drums.wav", "Verb.wav" };
	for (int k = 0; k < 4; k++) {
		int64_t sf = 0;
		int ch = 0;
		float *s = mxt_read_audio(mxt_path(o.stems_dir, feeders[k]), &sf, &ch, NULL, NULL);
		CHECK_MSG(s && sf == frames && ch == 2, "%s: %lld frames", feeders[k], (long long)sf);
		for (int64_t i = 0; s && sf == frames && i < frames * 2; i++)
			sum[i] += s[i];
		free(s);
	}
	double worst = 0, peak = 0;
	for (int64_t i = 0; i < frames * 2; i++) {
		worst = fmax(worst, fabs(sum[i] - mix[i]));
		peak = fmax(peak, fabs(mix[i]));
	}
	printf("# stems of the master's inputs minus the mix: max |difference| %.3g (mix peak %.3f)\n", worst, peak);
	CHECK_MSG(worst <= 1e-6, "stems - mix: max %.3g", worst);
	CHECK(peak > 0.1); /* a mix that is there to null against */
	/* Not every stem: the Drums bus already holds Kick, Snare and the Cymbals subgroup. */
	int64_t kf = 0;
	float *kick = mxt_read_audio(mxt_path(o.stems_dir, "Kick.wav"), &kf, NULL, NULL, NULL);
	CHECK(kick && kf == frames);
	double with_kick = 0;
	for (int64_t i = 0; kick && kf == frames && i < frames * 2; i++)
		with_kick = fmax(with_kick, fabs(sum[i] + kick[i] - mix[i]));
	CHECK(with_kick > 0.01);
	free(kick);
	free(sum);
	free(mix);
}

/* ---------------------------------------------------------------- new DIR */

static void t_new_from_daw_export(void)
{
	const char *dir = mxt_tempdir();
	char stems[600];
	snprintf(stems, sizeof stems, "%s/export", dir);
	char cmd[700];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", stems);
	CHECK_INT(system(cmd), 0);
	float *x = malloc(sizeof(float) * 96000 * 2);
	mxt_sine(x, 44100, 1, 44100, 100, 0.5, 0);
	CHECK_INT(mxt_write_audio(mxt_path(stems, "01 Kick.wav"), x, 44100, 1, 44100, SF_FORMAT_WAV | SF_FORMAT_PCM_16), 0);
	mxt_sine(x, 96000, 2, 48000, 200, 0.5, 0.3);
	CHECK_INT(mxt_write_audio(mxt_path(stems, "02_Snare Top.wav"), x, 96000, 2, 48000,
				  SF_FORMAT_WAV | SF_FORMAT_PCM_24),
		  0);
	mxt_sine(x, 24000, 1, 48000, 300, 0.5, 0);
	CHECK_INT(mxt_write_audio(mxt_path(stems, "Kick In (Bounce).aif"), x, 24000, 1, 48000,
				  SF_FORMAT_AIFF | SF_FORMAT_FLOAT),
		  0);
	mxt_sine(x, 48000, 2, 48000, 55, 0.5, 0);
	CHECK_INT(mxt_write_audio(mxt_path(stems, "04 - Bass Stem.flac"), x, 48000, 2, 48000,
				  SF_FORMAT_FLAC | SF_FORMAT_PCM_24),
		  0);
	CHECK_INT(mxt_write_audio(mxt_path(stems, "05 Kick.wav"), x, 4800, 2, 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_16),
		  0);
	free(x);
	CHECK_INT(mxt_write_text(mxt_path(stems, "notes.txt"), "not audio\n"), 0);
	CHECK_INT(mxt_run_cli("new '%s' -o '%s/song.yaml'", stems, dir), 0);
	mixdown_session *s = NULL;
	mixdown_error err;
	CHECK_INT(mixdown_session_load(mxt_path(dir, "song.yaml"), &s, &err), MIXDOWN_SUCCESS);
	if (!s)
		return;
	static const char *const want[] = { "Kick", "Snare Top", "Bass", "Kick 2", "Kick In" };
	CHECK_INT(mixdown_session_track_count(s), 5);
	for (size_t i = 0; i < 5 && i < mixdown_session_track_count(s); i++)
		CHECK_MSG(!strcmp(mixdown_session_track_name(s, i), want[i]), "track %zu is \"%s\", expected \"%s\"", i,
			  mixdown_session_track_name(s, i), want[i]);
	/* Four of the five files are at 48 kHz. */
	CHECK_NEAR(mixdown_session_sample_rate(s), 48000, 0);
	mixdown_render_options o = mixdown_render_options_init();
	o.output = mxt_path(dir, "mix.wav");
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	mixdown_render_report rep;
	CHECK_INT(mixdown_render(s, &o, &rep, &err), MIXDOWN_SUCCESS);
	/* The longest file (2 s) sets the length; the 44.1 kHz kick is resampled. */
	CHECK_INT(rep.frames, 96000);
	mixdown_session_free(s);
	int64_t frames = 0;
	float *y = mxt_read_audio(o.output, &frames, NULL, NULL, NULL);
	/* After 1 s only the 2 s snare plays (200 Hz at -6 dBFS, L and R). */
	if (y)
		CHECK_NEAR(mxt_rms_db(y, 2, 0, 60000, 24000), 20 * log10(0.5 / sqrt(2)), 0.1);
	free(y);
	/* An empty folder is bad usage. */
	snprintf(cmd, sizeof cmd, "mkdir -p '%s/empty'", dir);
	CHECK_INT(system(cmd), 0);
	CHECK_INT(mxt_run_cli("new '%s/empty' -o '%s/e.yaml'", dir, dir), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "no audio files found");
}

/* Stems exported with BWF time references keep their relative placement. */
static void t_new_bwf(void)
{
	const char *dir = mxt_tempdir();
	char stems[600], cmd[700];
	snprintf(stems, sizeof stems, "%s/bwf", dir);
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", stems);
	CHECK_INT(system(cmd), 0);
	CHECK_INT(write_bwf(mxt_path(stems, "a.wav"), RATE, RATE, 0, 36000ull * RATE), 0);
	CHECK_INT(write_bwf(mxt_path(stems, "b.wav"), RATE, RATE, 0, 36002ull * RATE), 0);
	CHECK_INT(mxt_run_cli("new '%s' -o '%s/song.yaml'", stems, dir), 0);
	mxd_session *s = NULL;
	mixdown_error err;
	CHECK_INT(mixdown_session_load(mxt_path(dir, "song.yaml"), &s, &err), MIXDOWN_SUCCESS);
	if (!s)
		return;
	CHECK_NEAR(s->timeline_origin, 36000, 1e-6);
	CHECK_NEAR(s->tracks[0].clips[0].at, 0, 1e-6);
	CHECK_NEAR(s->tracks[1].clips[0].at, 2, 1e-6);
	mxd_session_free(s);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_read_lossless), MXT(t_read_lossy),     MXT(t_bwf_places_clip), MXT(t_bwf_errors),
		MXT(t_write_formats), MXT(t_mp3_channels),   MXT(t_bwf_export),      MXT(t_bwf_loudness), MXT(t_rf64_estimate),
		MXT(t_rf64_big),      MXT(t_stems_null),     MXT(t_new_from_daw_export), MXT(t_new_bwf),
	};
	return MXT_RUN(cases);
}
