/* mixdown — mxd_demo_write(): render every demo stem, normalise it to its
 * target peak, write it as 48 kHz 24-bit WAV, then write session.yaml.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One stem is held in memory at a time (frames * channels floats, ~15 MB for
 * a stereo stem), allocated and freed here. Control thread only.
 */
#include "demo/demo.h"

#include <errno.h>
#include <math.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "demo/demo_internal.h"

static int fail(char *errbuf, size_t errsize, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *errbuf, size_t errsize, const char *fmt, ...)
{
	if (errbuf && errsize) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(errbuf, errsize, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* mkdir -p: create `dir` and any missing parents. */
static int make_dirs(const char *dir, char *errbuf, size_t errsize)
{
	char path[4096];
	size_t len = strlen(dir);
	if (len == 0)
		return fail(errbuf, errsize, "demo: empty output directory name");
	if (len >= sizeof path)
		return fail(errbuf, errsize, "demo: output directory name too long");
	memcpy(path, dir, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		char saved = path[i];
		path[i] = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			return fail(errbuf, errsize, "demo: cannot create directory %s: %s", path,
				    strerror(errno));
		path[i] = saved;
	}
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return fail(errbuf, errsize, "demo: %s is not a directory", dir);
	return 0;
}

static int join(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* Scale to the stem's target sample peak (dBFS). */
static void normalise(float *buf, size_t n, double peak_db)
{
	double peak = 0.0;
	for (size_t i = 0; i < n; i++) {
		double a = fabs((double)buf[i]);
		if (a > peak)
			peak = a;
	}
	if (peak <= 0.0)
		return;
	double g = pow(10.0, peak_db / 20.0) / peak;
	for (size_t i = 0; i < n; i++)
		buf[i] = (float)(buf[i] * g);
}

static int write_wav(const char *path, const float *buf, int64_t frames, int channels,
		     char *errbuf, size_t errsize)
{
	SF_INFO info = { .samplerate = MXD_DEMO_RATE, .channels = channels,
			 .format = SF_FORMAT_WAV | SF_FORMAT_PCM_24 };
	SNDFILE *f = sf_open(path, SFM_WRITE, &info);
	if (!f)
		return fail(errbuf, errsize, "demo: cannot write %s: %s", path, sf_strerror(NULL));
	sf_count_t w = sf_writef_float(f, buf, frames);
	if (w != frames) {
		fail(errbuf, errsize, "demo: writing %s failed: %s", path, sf_strerror(f));
		sf_close(f);
		return -1;
	}
	if (sf_close(f) != 0)
		return fail(errbuf, errsize, "demo: closing %s failed", path);
	return 0;
}

int mxd_demo_write(const char *dir, char *errbuf, size_t errsize)
{
	char path[4096];
	if (errbuf && errsize)
		errbuf[0] = '\0';
	if (!dir)
		return fail(errbuf, errsize, "demo: no output directory");
	if (make_dirs(dir, errbuf, errsize) != 0)
		return -1;

	const int64_t frames = mxd_demo_frames();
	for (int s = 0; s < MXD_DEMO_N_STEMS; s++) {
		const mxd_demo_stem_info *info = &mxd_demo_stems[s];
		size_t n = (size_t)frames * (size_t)info->channels;
		if (join(path, sizeof path, dir, info->file) != 0)
			return fail(errbuf, errsize, "demo: path too long in %s", dir);
		float *buf = calloc(n, sizeof *buf);
		if (!buf)
			return fail(errbuf, errsize, "demo: out of memory");
		mxd_demo_render((mxd_demo_stem)s, buf, frames);
		normalise(buf, n, info->peak_db);
		int rc = write_wav(path, buf, frames, info->channels, errbuf, errsize);
		free(buf);
		if (rc != 0)
			return -1;
	}

	if (join(path, sizeof path, dir, "session.yaml") != 0)
		return fail(errbuf, errsize, "demo: path too long in %s", dir);
	FILE *f = fopen(path, "wb");
	if (!f)
		return fail(errbuf, errsize, "demo: cannot write %s: %s", path, strerror(errno));
	int rc = mxd_demo_write_session(f);
	if (fclose(f) != 0 || rc != 0)
		return fail(errbuf, errsize, "demo: writing %s failed", path);
	return 0;
}
