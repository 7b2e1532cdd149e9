/* mixdown — tests of the master strip on a second thread (graph/engine_pipeline.h):
 * the pipelined engine gives the bits of the plain one for a master with a
 * lookahead limiter (latency: the first blocks run whole), automation and a
 * bus in between, at block sizes that vary; the render uses it and its file
 * equals the plain engine's samples; graphs where something else reads the
 * master within a block (stems, a sidechain key from a track) are refused.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/engine.h"
#include "graph/engine_pipeline.h"
#include "harness.h"
#include "mixdown/mixdown.h"
#include "util.h"

#define RATE 48000
#define FRAMES (RATE * 3 + 777)

static void write_input(const char *dir, const char *name, int ch, uint32_t seed)
{
	float *buf = malloc(sizeof(float) * FRAMES * (size_t)ch);
	mxt_noise(buf, (int64_t)FRAMES * ch, 0.6, seed);
	for (int64_t i = 0; i < FRAMES; i++) /* a level that moves, so the limiter works */
		for (int c = 0; c < ch; c++)
			buf[i * ch + c] *= (float)(0.3 + 0.7 * fabs(sin(i * 3e-4)));
	CHECK(mxt_write_audio(mxt_path(dir, name), buf, FRAMES, ch, RATE, SF_FORMAT_WAV | SF_FORMAT_PCM_24) == 0);
	free(buf);
}

static const char *session_text(void)
{
	return "mixdown: 1\n"
	       "sample_rate: 48000\n"
	       "buses:\n"
	       "  - name: Drums\n"
	       "    inserts: [ { type: compressor, threshold: -20, ratio: 3 } ]\n"
	       "tracks:\n"
	       "  - { name: A, file: a.wav, gain: 3, pan: -0.4, output: Drums }\n"
	       "  - { name: B, file: b.wav, gain: 2, output: Drums }\n"
	       "  - name: C\n"
	       "    file: c.wav\n"
	       "    pan: 0.5\n"
	       "    inserts: [ { type: eq, bands: [ { type: peak, freq: 900, gain: 4, q: 1 } ] } ]\n"
	       "master:\n"
	       "  gain: 2\n"
	       "  inserts: [ { type: limiter, ceiling: -1, lookahead: 2, release: 80 } ]\n"
	       "  automation:\n"
	       "    gain: [[0, 0], [1.2, 4, linear], [2.5, -3, linear]]\n";
}

static mixdown_engine *load_engine(const char *path, mixdown_session **s)
{
	mixdown_error err;
	mixdown_engine *e = NULL;
	CHECK_INT(mixdown_session_load(path, s, &err), MIXDOWN_SUCCESS);
	if (*s)
		CHECK_INT(mixdown_engine_create(*s, 1024, &e, &err), MIXDOWN_SUCCESS);
	return e;
}

/* The whole session, block sizes varying, pipelined or not; frames x 2. */
static int64_t run(const char *path, bool pipelined, float *out, int64_t cap)
{
	mixdown_session *s = NULL;
	mixdown_engine *e = load_engine(path, &s);
	if (!e) {
		mixdown_session_free(s);
		return -1;
	}
	if (pipelined)
		CHECK(mxd_engine_pipeline_start(e));
	CHECK(mixdown_engine_latency(e) > 0); /* the lookahead: the first blocks run whole */
	static const uint32_t sizes[] = { 1024, 1, 700, 64, 1024, 333 };
	float l[1024], r[1024];
	float *o[2] = { l, r };
	mixdown_error err;
	int64_t total = (int64_t)mixdown_engine_length(e), asked = 0, done = 0;
	for (int k = 0; done < total && done < cap; k++) {
		uint32_t n = sizes[k % 6];
		if ((int64_t)n > total - asked)
			n = (uint32_t)(total - asked);
		uint32_t got = n;
		if (pipelined)
			CHECK_INT(mxd_engine_process_pipelined(e, o, n, &got, &err), MIXDOWN_SUCCESS);
		else
			CHECK_INT(mixdown_engine_process(e, o, n, &err), MIXDOWN_SUCCESS);
		asked += n;
		for (uint32_t i = 0; i < got && done + i < cap; i++) {
			out[(done + i) * 2] = l[i];
			out[(done + i) * 2 + 1] = r[i];
		}
		done += got;
		if (n == 0 && got == 0)
			break; /* nothing more comes: a bug, caught by the caller's count */
	}
	mixdown_engine_free(e);
	mixdown_session_free(s);
	return done;
}

static void t_pipelined_equals_plain(void)
{
	const char *dir = mxt_tempdir();
	write_input(dir, "a.wav", 1, 1);
	write_input(dir, "b.wav", 2, 2);
	write_input(dir, "c.wav", 1, 3);
	char path[1024];
	snprintf(path, sizeof path, "%s", mxt_path(dir, "s.yaml"));
	CHECK(mxt_write_text(path, session_text()) == 0);
	const int64_t cap = FRAMES + RATE;
	float *ref = calloc((size_t)cap * 2, sizeof(float)), *x = calloc((size_t)cap * 2, sizeof(float));
	int64_t n_ref = run(path, false, ref, cap), n = run(path, true, x, cap);
	CHECK(n_ref >= FRAMES);
	CHECK_MSG(n == n_ref, "pipelined: %lld frames, plain %lld", (long long)n, (long long)n_ref);
	double peak = 0;
	int64_t diff = 0;
	for (int64_t i = 0; i < n_ref * 2; i++) {
		peak = fmax(peak, fabs(ref[i]));
		diff += memcmp(&ref[i], &x[i], sizeof(float)) != 0;
	}
	/* Driven into the limiter's -1 dB ceiling, then the fader's automation
	 * (after the inserts) adds up to 4 dB: at most 0.891 x 1.585. */
	CHECK_MSG(peak > 0.5 && peak < 1.413, "peak %g", peak);
	CHECK_MSG(diff == 0, "%lld samples differ between the pipelined and the plain engine", (long long)diff);

	/* The render takes the same path: its file holds the plain engine's
	 * samples (24-bit: compared after quantizing them the same way). */
	const char *wav = mxt_path(dir, "out.wav");
	CHECK_INT(mxt_run_cli("render %s -o %s -q --bits 32f", path, wav), 0);
	int64_t frames = 0;
	int ch = 0, rate = 0, format = 0;
	float *got = mxt_read_audio(wav, &frames, &ch, &rate, &format);
	CHECK(got != NULL && ch == 2 && frames == n_ref);
	int64_t diff_file = 0;
	for (int64_t i = 0; got && i < frames * 2 && i < n_ref * 2; i++)
		diff_file += memcmp(&ref[i], &got[i], sizeof(float)) != 0;
	CHECK_MSG(diff_file == 0, "%lld samples of the render differ from the plain engine", (long long)diff_file);
	free(got);
	free(ref);
	free(x);
}

/* Stems come from the block the engine just ran, a master keyed from a
 * track reads that track within the block: no pipeline for those, and no
 * pipelined processing without one. */
static void t_refused_where_the_master_is_read(void)
{
	const char *dir = mxt_tempdir();
	write_input(dir, "a.wav", 1, 4);
	char path[1024];
	snprintf(path, sizeof path, "%s", mxt_path(dir, "k.yaml"));
	CHECK(mxt_write_text(path, "mixdown: 1\nsample_rate: 48000\n"
				   "tracks: [ { name: A, file: a.wav }, { name: K, file: a.wav } ]\n"
				   "master:\n"
				   "  inserts: [ { type: compressor, threshold: -30, sidechain: K } ]\n") == 0);
	mixdown_session *s = NULL;
	mixdown_engine *e = load_engine(path, &s);
	if (e)
		CHECK(!mxd_engine_pipeline_start(e));
	float l[64], r[64];
	float *o[2] = { l, r };
	uint32_t got = 7;
	mixdown_error err;
	if (e)
		CHECK_INT(mxd_engine_process_pipelined(e, o, 64, &got, &err), MIXDOWN_ERR_USAGE);
	CHECK_INT((int)got, 0);
	mixdown_engine_free(e);
	mixdown_session_free(s);

	snprintf(path, sizeof path, "%s", mxt_path(dir, "t.yaml"));
	CHECK(mxt_write_text(path, "mixdown: 1\nsample_rate: 48000\ntracks: [ { name: A, file: a.wav } ]\n") == 0);
	s = NULL;
	e = load_engine(path, &s);
	if (e) {
		CHECK_INT(mxd_engine_enable_tap(e, 0), MIXDOWN_SUCCESS);
		CHECK(!mxd_engine_pipeline_start(e));
	}
	mixdown_engine_free(e);
	mixdown_session_free(s);
	s = NULL;
	e = load_engine(path, &s);
	if (e) {
		CHECK(mxd_engine_pipeline_start(e));
		CHECK(!mxd_engine_pipeline_start(e)); /* once */
	}
	mixdown_engine_free(e); /* joins the idle worker */
	mixdown_session_free(s);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_pipelined_equals_plain),
		MXT(t_refused_where_the_master_is_read),
	};
	return MXT_RUN(cases);
}
