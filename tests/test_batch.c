/* mixdown — batched insert processing (src/graph/strip_batch.c): tracks with
 * the same eq/compressor layout processed together must give exactly the bits
 * of the strip-by-strip path, also when some strips cannot join (automation,
 * lookahead), when a block is short, and with stereo links; the fast
 * single-precision dB and gain functions of the compressor (dsp/dynamics.h)
 * stay within 4e-5 dB and 1e-6 (relative) of libm.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/dynamics.h"
#include "graph/engine.h"
#include "graph/strip_batch.h"
#include "harness.h"
#include "mixdown/mixdown.h"
#include "util.h"

#define RATE 48000
#define SECS 2

/* Noise with a slow envelope (the compressors move) into dir/name. */
static void write_input(const char *dir, const char *name, int ch, uint32_t seed, double amp)
{
	int64_t n = (int64_t)RATE * SECS;
	float *mono = malloc(sizeof(float) * (size_t)(n * ch));
	float *buf = malloc(sizeof(float) * (size_t)(n * ch));
	mxt_noise(mono, n * ch, amp, seed);
	for (int64_t i = 0; i < n; i++) {
		double env = 0.55 + 0.45 * sin(2.0 * M_PI * (1.3 + seed % 5) * (double)i / RATE);
		for (int c = 0; c < ch; c++)
			buf[i * ch + c] = (float)(mono[i * ch + c] * env);
	}
	CHECK(mxt_write_audio(mxt_path(dir, name), buf, n, ch, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	free(mono);
	free(buf);
}

static const char *chain(int i, const char *comp_extra)
{
	static char buf[8][768];
	char *b = buf[i % 8];
	snprintf(b, sizeof buf[0],
		 "    inserts:\n"
		 "      - type: eq\n"
		 "        bands:\n"
		 "          - { type: highpass, freq: %d, slope: 24 }\n"
		 "          - { type: peak, freq: %d, gain: %d, q: 1.1 }\n"
		 "          - { type: peak, freq: 2500, gain: 0, q: 2 }\n"
		 "          - { type: highshelf, freq: %d, gain: %d }\n"
		 "      - { type: compressor, threshold: %d, ratio: %d, attack: %d, release: %d, knee: %d%s }\n",
		 60 + 10 * i, 200 + 150 * i, (i % 5) - 2, 6000 + 500 * i, 3 - (i % 4), -30 + 2 * i, 2 + i % 4,
		 3 + i, 60 + 20 * i, (i % 3) * 3, comp_extra);
	return b;
}

enum { STRIPS, BATCH, BATCH_THREADS, BATCH_GENERIC, BATCH_LIVE };

/* Render the session through the engine into out (frames x 2): strip by
 * strip, batched, batched on three threads, batched with the plain C
 * kernels instead of the AVX2 ones, or batched in an engine prepared for
 * live changes as the player's are (every insert keeps a dry copy for a
 * bypass fade). *committed: the strip-blocks the batch ran. */
static void render(const char *path, int how, float *out, int64_t frames, size_t *batched, uint64_t *committed,
		   uint64_t *blocks)
{
	if (how == BATCH_GENERIC)
		setenv("MIXDOWN_BATCH_GENERIC", "1", 1);
	mixdown_session *s = NULL;
	mixdown_error err;
	CHECK_INT(mixdown_session_load(path, &s, &err), MIXDOWN_SUCCESS);
	if (!s)
		return;
	mixdown_engine *e = NULL;
	CHECK_INT(mixdown_engine_create(s, 1024, &e, &err), MIXDOWN_SUCCESS);
	unsetenv("MIXDOWN_BATCH_GENERIC");
	if (how == STRIPS)
		mxd_strip_batch_disable(e);
	if (how == BATCH_THREADS) {
		/* Shared, each layout in up to three equal groups of whole
		 * vectors of four strips: the 21 mono strips split into 8 + 8 +
		 * 5, the five stereo stay one group (two groups would hold less
		 * than a vector each). */
		CHECK_INT((int)mxd_strip_batch_groups(e), 2);
		CHECK_INT(mxd_strip_batch_threads(e, 3, &err), MIXDOWN_SUCCESS);
		CHECK_INT((int)mxd_strip_batch_groups(e), 4);
		CHECK_INT((int)mxd_strip_batch_workers(e), 2);
	}
	if (how == BATCH_LIVE)
		CHECK_INT(mxd_engine_live_prepare(e), MIXDOWN_SUCCESS);
	*batched = mxd_strip_batch_tracks(e);
	float l[1024], r[1024];
	float *o[2] = { l, r };
	/* Blocks of varied length, the last ones short. */
	static const uint32_t sizes[] = { 1024, 1000, 64, 1, 777, 1024 };
	int64_t done = 0;
	int k = 0;
	for (; done < frames; k++) {
		uint32_t n = sizes[k % 6];
		if ((int64_t)n > frames - done)
			n = (uint32_t)(frames - done);
		CHECK_INT(mixdown_engine_process(e, o, n, &err), MIXDOWN_SUCCESS);
		for (uint32_t i = 0; i < n; i++) {
			out[(done + i) * 2] = l[i];
			out[(done + i) * 2 + 1] = r[i];
		}
		done += n;
	}
	/* Per strip-block: the batch ran it, or fell back to the strip. */
	*committed = mxd_strip_batch_committed(e);
	*blocks = (uint64_t)k;
	mixdown_engine_free(e);
	mixdown_session_free(s);
}

static void t_batch_equals_strips(void)
{
	const char *dir = mxt_tempdir();
	char yaml[32768], mono[16], st[16];
	int len = snprintf(yaml, sizeof yaml, "mixdown: 1\nsample_rate: %d\ntracks:\n", RATE);
	/* Six mono and four stereo tracks with one layout; one stereo track
	 * half-linked, one with auto makeup; two that cannot join. */
	for (int i = 0; i < 10; i++) {
		int ch = i < 6 ? 1 : 2;
		snprintf(mono, sizeof mono, "in%d.wav", i);
		write_input(dir, mono, ch, 11u + (uint32_t)i, 0.2 + 0.07 * i);
		const char *extra = i == 7 ? ", stereo_link: 0.5" : i == 2 ? ", auto_makeup: true" : "";
		len += snprintf(yaml + len, sizeof yaml - (size_t)len, "  - name: T%d\n    file: %s\n    pan: %.2f\n%s", i,
				mono, (i - 5) * 0.15, chain(i, extra));
	}
	/* Fifteen more mono tracks on the same files and one more stereo: a
	 * group big enough to be split between threads, and groups of 21 and 5
	 * strips, which the vector kernels do not divide evenly. */
	len += snprintf(yaml + len, sizeof yaml - (size_t)len, "  - name: S10\n    file: in9.wav\n%s", chain(5, ""));
	for (int i = 10; i < 25; i++) {
		snprintf(mono, sizeof mono, "in%d.wav", i % 6);
		len += snprintf(yaml + len, sizeof yaml - (size_t)len, "  - name: M%d\n    file: %s\n    pan: %.2f\n%s", i,
				mono, (i - 17) * 0.1, chain(i % 10, ""));
	}
	snprintf(st, sizeof st, "in%d.wav", 10);
	write_input(dir, st, 1, 99u, 0.5);
	len += snprintf(yaml + len, sizeof yaml - (size_t)len,
			"  - name: Look\n    file: %s\n%s", st, chain(3, ", lookahead: 2"));
	len += snprintf(yaml + len, sizeof yaml - (size_t)len,
			"  - name: Moving\n    file: %s\n%s    automation:\n      inserts.1.bands.2.gain: [[0, -6], [1.5, 6, linear]]\n",
			st, chain(4, ""));
	char path[1024];
	snprintf(path, sizeof path, "%s", mxt_path(dir, "batch.yaml"));
	CHECK(mxt_write_text(path, yaml) == 0);
	int64_t frames = (int64_t)RATE * SECS + 5000;
	float *ref = calloc((size_t)frames * 2, sizeof(float)), *x = calloc((size_t)frames * 2, sizeof(float));
	size_t n_ref = 0;
	uint64_t committed = 0, blocks = 0;
	render(path, STRIPS, ref, frames, &n_ref, &committed, &blocks);
	CHECK_INT((int)n_ref, 0);
	double peak = 0;
	for (int64_t i = 0; i < frames * 2; i++)
		peak = fmax(peak, fabs(ref[i]));
	CHECK(peak > 0.1); /* a real signal went through */
	static const char *const names[] = { "strips", "batched", "batched, 3 threads", "batched, plain C kernels",
					     "batched, live engine" };
	for (int how = BATCH; how <= BATCH_LIVE; how++) {
		size_t n = 0;
		render(path, how, x, frames, &n, &committed, &blocks);
		/* 21 mono + five stereo; Look and Moving run alone; every
		 * block of those tracks runs batched, none falls back to the
		 * strip path (at least one per track and process call: the
		 * engine may split a call at automation points) */
		const size_t want = 26;
		CHECK_MSG(n == want, "%s: %zu tracks batched", names[how], n);
		CHECK_MSG(committed >= want * blocks, "%s: %llu strip-blocks batched in %llu process calls", names[how],
			  (unsigned long long)committed, (unsigned long long)blocks);
		int64_t diff = 0;
		for (int64_t i = 0; i < frames * 2; i++)
			diff += memcmp(&ref[i], &x[i], sizeof(float)) != 0;
		CHECK_MSG(diff == 0, "%s: %lld samples differ from the strip-by-strip render", names[how], (long long)diff);
	}
	free(ref);
	free(x);
}

/* A value that overflows inside the chain (finite in the file, Inf after
 * the EQ's gain) sends that strip's block back to the strip path, which
 * scrubs it as always: the output still equals the strip-by-strip render,
 * for the AVX2 and the plain kernels, and only those strip-blocks fall
 * back. Eight mono tracks with one chain, two of them carrying the spike. */
static void t_batch_overflow_falls_back(void)
{
	const char *dir = mxt_tempdir();
	int64_t n = (int64_t)RATE * SECS;
	float *buf = malloc(sizeof(float) * (size_t)n);
	mxt_noise(buf, n, 0.3, 77);
	buf[40000] = 3.0e38f;
	buf[40001] = -3.0e38f;
	CHECK(mxt_write_audio(mxt_path(dir, "hot.wav"), buf, n, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	write_input(dir, "calm.wav", 1, 5u, 0.3);
	char yaml[16384], path[1024];
	int len = snprintf(yaml, sizeof yaml, "mixdown: 1\nsample_rate: %d\ntracks:\n", RATE);
	for (int i = 0; i < 8; i++)
		len += snprintf(yaml + len, sizeof yaml - (size_t)len, "  - name: O%d\n    file: %s\n    gain: -60\n%s", i,
				i == 2 || i == 5 ? "hot.wav" : "calm.wav", chain(1, ""));
	snprintf(path, sizeof path, "%s", mxt_path(dir, "hot.yaml"));
	CHECK(mxt_write_text(path, yaml) == 0);
	int64_t frames = n + 3000;
	float *ref = calloc((size_t)frames * 2, sizeof(float)), *x = calloc((size_t)frames * 2, sizeof(float));
	size_t batched = 0;
	uint64_t committed = 0, blocks = 0;
	render(path, STRIPS, ref, frames, &batched, &committed, &blocks);
	static const int hows[] = { BATCH, BATCH_GENERIC };
	for (int k = 0; k < 2; k++) {
		const int how = hows[k];
		render(path, how, x, frames, &batched, &committed, &blocks);
		CHECK_INT((int)batched, 8);
		/* the two hot strips fall back for the block of the spike (and
		 * while their filters ring with Inf/NaN state: the strip path
		 * resets it), every other strip-block runs batched */
		CHECK_MSG(committed < 8 * blocks && committed >= 8 * blocks - 2 * 4, "%llu of %llu strip-blocks batched",
			  (unsigned long long)committed, (unsigned long long)(8 * blocks));
		int64_t diff = 0;
		for (int64_t i = 0; i < frames * 2; i++)
			diff += memcmp(&ref[i], &x[i], sizeof(float)) != 0;
		CHECK_MSG(diff == 0, "kernels %d: %lld samples differ from the strip-by-strip render", how, (long long)diff);
	}
	free(buf);
	free(ref);
	free(x);
}

static void t_fast_db_gain(void)
{
	double e_db = 0, e_gain = 0;
	for (double x = 1.00001e-10; x < 1e6; x *= 1.00037) {
		float xf = (float)x;
		double d = fabs(mxd_dyn_db_fastf(xf) - 20.0 * log10(xf));
		e_db = d > e_db ? d : e_db;
	}
	for (double g = -150; g < 60; g += 0.00731) { /* reductions to -150 dB, makeup to +60 */
		float gf = (float)g;
		double d = fabs(mxd_dyn_gain_fastf(gf) / exp(gf * 0.11512925464970229) - 1.0);
		e_gain = d > e_gain ? d : e_gain;
	}
	/* Single precision: the level within 4e-5 dB, the gain within 1e-6 (both
	 * mostly the rounding of e ln 2 and of db log2(10) / 20 to float). */
	CHECK_MSG(e_db < 4e-5, "dB error %g", e_db);
	CHECK_MSG(e_gain < 1e-6, "gain error %g (relative)", e_gain);
	printf("# largest errors: level %.3g dB, gain %.3g relative\n", e_db, e_gain);
	CHECK(mxd_dyn_db_fastf(0.0f) == (float)MXD_DYN_FLOOR_DB);
	CHECK(mxd_dyn_db_fastf(NAN) == (float)MXD_DYN_FLOOR_DB);
	CHECK(mxd_dyn_db_fastf(INFINITY) == (float)MXD_DYN_FLOOR_DB);
	CHECK(mxd_dyn_gain_fastf(0.0f) == 1.0f); /* the compressor relies on it: a * 1 = a */
	CHECK(mxd_dyn_db_fastf(1.0f) == 0.0f);
	CHECK(mxd_dyn_gain_fastf(-2000.0f) > 0.0f); /* clamped, not flushed to 0 or denormal */
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_batch_equals_strips),
		MXT(t_batch_overflow_falls_back),
		MXT(t_fast_db_gain),
	};
	return MXT_RUN(cases);
}
