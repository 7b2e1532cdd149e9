/* mixdown — conformance on real recordings from ../shared/testdata (skipped
 * when that folder is absent): the LMMS "CapDan-ReggaeTry" stems summed at
 * unity, and 22.05 kHz Dagstuhl ChoirSet microphones in a 48 kHz session.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "mixdown/mixdown.h"
#include "util.h"

static const char *testdata(const char *sub)
{
	static char path[1024];
	const char *env = getenv("MIXDOWN_TESTDATA");
	snprintf(path, sizeof path, "%s/%s", env ? env : MIXDOWN_SOURCE_DIR "/../shared/testdata", sub);
	return access(path, R_OK) == 0 ? path : NULL;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static size_t list_wavs(const char *dir, char **names, size_t cap)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)) && n < cap)
		if (strstr(de->d_name, ".wav"))
			names[n++] = strdup(de->d_name);
	if (d)
		closedir(d);
	qsort(names, n, sizeof *names, cmp);
	return n;
}

/* The unity mix of the stems equals their plain sum (float output keeps the
 * +5.4 dBFS peak), computed here independently in double. */
static void t_lmms_unity_sum(void)
{
	const char *stems = testdata("lmms-capdan-reggaetry/stems");
	if (!stems) {
		SKIP("../shared/testdata/lmms-capdan-reggaetry absent");
		return;
	}
	char stems_dir[1024];
	snprintf(stems_dir, sizeof stems_dir, "%s", stems);
	char *names[32];
	size_t n = list_wavs(stems_dir, names, 32);
	CHECK(n == 9);
	const char *dir = mxt_tempdir();
	char yaml[8192];
	size_t len = (size_t)snprintf(yaml, sizeof yaml, "mixdown: 1\ntracks:\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(yaml + len, sizeof yaml - len, "  - { name: \"t%zu\", file: \"%s/%s\" }\n", i,
					stems_dir, names[i]);
	CHECK(mxt_write_text(mxt_path(dir, "s.yaml"), yaml) == 0);
	mixdown_session *s = NULL;
	mixdown_error err;
	CHECK_INT(mixdown_session_load(mxt_path(dir, "s.yaml"), &s, &err), MIXDOWN_SUCCESS);
	if (!s)
		return;
	mixdown_render_options o = mixdown_render_options_init();
	o.output = mxt_path(dir, "mix.wav");
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	mixdown_render_report rep;
	CHECK_INT(mixdown_render(s, &o, &rep, &err), MIXDOWN_SUCCESS);
	mixdown_session_free(s);
	int64_t fm = 0;
	int cm = 0;
	float *mix = mxt_read_audio(mxt_path(dir, "mix.wav"), &fm, &cm, NULL, NULL);
	CHECK(mix && cm == 2);
	double *sum = calloc((size_t)(fm > 0 ? fm : 1) * 2, sizeof(double));
	for (size_t i = 0; i < n && mix; i++) {
		int64_t f = 0;
		int c = 0;
		float *x = mxt_read_audio(mxt_path(stems_dir, names[i]), &f, &c, NULL, NULL);
		CHECK(x && c == 2 && f <= fm);
		for (int64_t k = 0; x && k < f * 2 && k < fm * 2; k++)
			sum[k] += x[k];
		free(x);
	}
	double maxerr = 0, peak = 0;
	for (int64_t k = 0; mix && k < fm * 2; k++) {
		maxerr = fmax(maxerr, fabs(mix[k] - sum[k]));
		peak = fmax(peak, fabs(sum[k]));
	}
	/* float32 summing of 9 stems: a few ulps of the peak */
	CHECK_MSG(maxerr < 2e-6, "unity mix differs from the sum of stems by %g", maxerr);
	CHECK_NEAR(20 * log10(peak), rep.peak_dbfs, 1e-4);
	CHECK_MSG(rep.peak_dbfs > 5.0, "expected the documented +5.4 dBFS peak, got %.2f", rep.peak_dbfs);
	CHECK_INT(rep.clipped_samples, 0);
	free(sum);
	free(mix);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
}

/* 22.05 kHz mono choir mics in a 48 kHz session: the right length, the
 * level preserved (RMS within 0.05 dB of the source, band-limited material). */
static void t_choirset_resampled(void)
{
	const char *src = testdata("dagstuhl-choirset");
	if (!src) {
		SKIP("../shared/testdata/dagstuhl-choirset absent");
		return;
	}
	char srcdir[1024];
	snprintf(srcdir, sizeof srcdir, "%s", src);
	char *names[32];
	size_t n = list_wavs(srcdir, names, 32);
	CHECK(n >= 12);
	const char *dir = mxt_tempdir();
	char yaml[16384];
	size_t len = (size_t)snprintf(yaml, sizeof yaml, "mixdown: 1\nsample_rate: 48000\nchannels: 1\ntracks:\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(yaml + len, sizeof yaml - len,
					"  - { name: \"m%zu\", file: \"%s/%s\", mute: %s }\n", i, srcdir, names[i],
					i == 0 ? "false" : "true");
	CHECK(mxt_write_text(mxt_path(dir, "s.yaml"), yaml) == 0);
	mixdown_session *s = NULL;
	mixdown_error err;
	CHECK_INT(mixdown_session_load(mxt_path(dir, "s.yaml"), &s, &err), MIXDOWN_SUCCESS);
	if (!s)
		return;
	mixdown_render_options o = mixdown_render_options_init();
	o.output = mxt_path(dir, "mix.wav");
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	CHECK_INT(mixdown_render(s, &o, NULL, &err), MIXDOWN_SUCCESS);
	mixdown_session_free(s);
	int64_t fi = 0, fo = 0;
	int ri = 0, ro = 0;
	float *in = mxt_read_audio(mxt_path(srcdir, names[0]), &fi, NULL, &ri, NULL);
	float *out = mxt_read_audio(mxt_path(dir, "mix.wav"), &fo, NULL, &ro, NULL);
	CHECK_INT(ri, 22050);
	CHECK_INT(ro, 48000);
	CHECK_INT(fo, llround((double)fi * 48000.0 / 22050.0));
	if (in && out && fi > 4000) {
		double a = mxt_rms_db(in, 1, 0, 1000, fi - 2000);
		double b = mxt_rms_db(out, 1, 0, llround(1000 * 48000.0 / 22050), llround((fi - 2000) * 48000.0 / 22050));
		CHECK_NEAR(b, a, 0.05);
	}
	free(in);
	free(out);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_lmms_unity_sum),
		MXT(t_choirset_resampled),
	};
	return MXT_RUN(cases);
}
