/* mixdown — test helpers.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "util.h"

#include <math.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char mxt_cli_out[65536];
char mxt_cli_err[65536];

static char tempdirs[64][256];
static int n_tempdirs;

static void remove_tempdirs(void)
{
	if (getenv("MXT_KEEP"))
		return;
	for (int i = 0; i < n_tempdirs; i++) {
		char cmd[300];
		if (snprintf(cmd, sizeof cmd, "rm -rf '%s'", tempdirs[i]) >= (int)sizeof cmd)
			continue;
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tempdirs[i]);
	}
}

const char *mxt_tempdir(void)
{
	const char *base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	if (n_tempdirs == 64)
		abort();
	char *slot = tempdirs[n_tempdirs];
	snprintf(slot, 256, "%s/mixdown-test-XXXXXX", base);
	if (!mkdtemp(slot))
		abort();
	if (n_tempdirs++ == 0)
		atexit(remove_tempdirs);
	return slot;
}

const char *mxt_path(const char *dir, const char *name)
{
	static char bufs[8][1024];
	static int next;
	char *b = bufs[next++ & 7];
	snprintf(b, 1024, "%s/%s", dir, name);
	return b;
}

int mxt_write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t n = strlen(text);
	int ok = fwrite(text, 1, n, f) == n;
	return (fclose(f) == 0 && ok) ? 0 : -1;
}

int mxt_write_audio(const char *path, const float *interleaved, int64_t frames, int channels,
		    int rate, int format)
{
	SF_INFO info = { .samplerate = rate, .channels = channels, .format = format };
	SNDFILE *f = sf_open(path, SFM_WRITE, &info);
	if (!f)
		return -1;
	/* Keep test signals exact: no clipping/normalisation surprises. */
	sf_command(f, SFC_SET_NORM_FLOAT, NULL, SF_TRUE);
	sf_count_t w = sf_writef_float(f, interleaved, frames);
	return (sf_close(f) == 0 && w == frames) ? 0 : -1;
}

float *mxt_read_audio(const char *path, int64_t *frames, int *channels, int *rate, int *format)
{
	SF_INFO info = { 0 };
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	if (!f)
		return NULL;
	float *buf = malloc(sizeof(float) * (size_t)(info.frames > 0 ? info.frames : 1) * (size_t)info.channels);
	sf_count_t r = buf ? sf_readf_float(f, buf, info.frames) : 0;
	sf_close(f);
	if (!buf || r != info.frames) {
		free(buf);
		return NULL;
	}
	if (frames)
		*frames = info.frames;
	if (channels)
		*channels = info.channels;
	if (rate)
		*rate = info.samplerate;
	if (format)
		*format = info.format;
	return buf;
}

int32_t *mxt_read_audio_int(const char *path, int64_t *frames, int *channels)
{
	SF_INFO info = { 0 };
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	if (!f)
		return NULL;
	int32_t *buf = malloc(sizeof(int32_t) * (size_t)(info.frames > 0 ? info.frames : 1) * (size_t)info.channels);
	sf_count_t r = buf ? sf_readf_int(f, buf, info.frames) : 0;
	sf_close(f);
	if (!buf || r != info.frames) {
		free(buf);
		return NULL;
	}
	if (frames)
		*frames = info.frames;
	if (channels)
		*channels = info.channels;
	return buf;
}

static void slurp(const char *path, char *dst, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0;
	if (f) {
		n = fread(dst, 1, cap - 1, f);
		fclose(f);
	}
	dst[n] = '\0';
}

int mxt_run_cli(const char *args_fmt, ...)
{
	char args[4096], cmd[8192], out_path[300], err_path[300];
	va_list ap;
	va_start(ap, args_fmt);
	vsnprintf(args, sizeof args, args_fmt, ap);
	va_end(ap);
	const char *dir = mxt_tempdir();
	snprintf(out_path, sizeof out_path, "%s/stdout", dir);
	snprintf(err_path, sizeof err_path, "%s/stderr", dir);
	snprintf(cmd, sizeof cmd, "'%s' %s >'%s' 2>'%s' </dev/null", MIXDOWN_BIN, args, out_path, err_path);
	int st = system(cmd);
	slurp(out_path, mxt_cli_out, sizeof mxt_cli_out);
	slurp(err_path, mxt_cli_err, sizeof mxt_cli_err);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

void mxt_sine(float *buf, int64_t frames, int channels, double rate, double freq, double amp,
	      double channel_phase)
{
	for (int64_t i = 0; i < frames; i++)
		for (int c = 0; c < channels; c++)
			buf[i * channels + c] =
				(float)(amp * sin(2.0 * M_PI * freq * (double)i / rate + c * channel_phase));
}

void mxt_noise(float *buf, int64_t n, double amp, uint32_t seed)
{
	uint32_t x = seed ? seed : 1;
	for (int64_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (float)(amp * ((double)x / 2147483648.0 - 1.0));
	}
}

double mxt_rms_db(const float *buf, int channels, int ch, int64_t start, int64_t count)
{
	double acc = 0;
	for (int64_t i = 0; i < count; i++) {
		double v = buf[(start + i) * channels + ch];
		acc += v * v;
	}
	return 10.0 * log10(acc / (double)count + 1e-300);
}

/* Load `yaml` written as dir/session.yaml and render it with `opt`. */
mixdown_status mxt_render_yaml(const char *dir, const char *yaml, mixdown_render_options *opt,
				  mixdown_render_report *rep, mixdown_error *err)
{
	const char *path = mxt_path(dir, "session.yaml");
	if (mxt_write_text(path, yaml) != 0)
		return MIXDOWN_ERR_IO;
	mixdown_session *s = NULL;
	mixdown_status st = mixdown_session_load(path, &s, err);
	if (st != MIXDOWN_SUCCESS) {
		char msg[1024];
		mixdown_error_format(err, msg, sizeof msg);
		printf("# load failed: %s\n", msg);
		return st;
	}
	st = mixdown_render(s, opt, rep, err);
	if (st != MIXDOWN_SUCCESS) {
		char msg[1024];
		mixdown_error_format(err, msg, sizeof msg);
		printf("# render failed: %s\n", msg);
	}
	mixdown_session_free(s);
	return st;
}
