/* mixdown — strips processed on several cores (src/graph/engine_threads.c):
 * a session with 24 tracks, 3 buses fed by outputs and sends (one bus sends
 * to another), a sidechained compressor, a follower lane, a lookahead insert
 * (latency compensation) and automation renders bit-identically with threads
 * 1, 2 and 4, in blocks of 1, 37, 64 and 512 frames, both with the engine
 * reading its clips (offline: read-ahead and batched tracks) and with a host
 * track source (the real-time player's path, every strip on its own); the
 * workers really take strips; 50 engines with 4 threads are built, run and
 * freed (ASan/LSan and TSan builds check for leaks and races).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * MXT_ASAN=1 shortens the renders. Threads: the test's main thread is the
 * control and processing thread.
 */
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph/engine.h"
#include "graph/engine_threads.h"
#include "harness.h"
#include "mixdown/mixdown.h"
#include "util.h"

#define RATE 48000
#define SECS 2
#define N_TRACKS 24

static bool short_run(void) { return getenv("MXT_ASAN") != NULL; }

static char session_path[1024];

/* Noise with a slow envelope, so compressors and the follower move. */
static void write_input(const char *dir, const char *name, int ch, uint32_t seed)
{
	int64_t n = (int64_t)RATE * SECS;
	float *buf = malloc(sizeof(float) * (size_t)(n * ch));
	mxt_noise(buf, n * ch, 0.3, seed);
	for (int64_t i = 0; i < n; i++) {
		double env = 0.5 + 0.5 * sin(2.0 * M_PI * (0.7 + seed % 4) * (double)i / RATE);
		for (int c = 0; c < ch; c++)
			buf[i * ch + c] = (float)(buf[i * ch + c] * env);
	}
	CHECK(mxt_write_audio(mxt_path(dir, name), buf, n, ch, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	free(buf);
}

/* The session: T0 (kick) keys T8's compressor; T0..T7 go to Drums; every
 * third track sends to Verb (T3 pre-fader, T6 with an automated level);
 * T12..T23 send to Echo; Drums sends to Verb; T20 ducks under T1
 * (follower); T5 has a lookahead compressor (latency); gain, pan and insert
 * lanes move. */
static const char *make_session(void)
{
	if (session_path[0])
		return session_path;
	const char *dir = mxt_tempdir();
	write_input(dir, "m0.wav", 1, 3);
	write_input(dir, "m1.wav", 1, 7);
	write_input(dir, "s0.wav", 2, 11);
	static char yaml[65536];
	int len = snprintf(yaml, sizeof yaml, "mixdown: 1\nsample_rate: %d\ntail: 0.5\ntracks:\n", RATE);
#define ADD(...) len += snprintf(yaml + len, sizeof yaml - (size_t)len, __VA_ARGS__)
	for (int i = 0; i < N_TRACKS; i++) {
		ADD("  - name: T%d\n    file: %s\n    gain: %.1f\n    pan: %.2f\n", i,
		    i % 3 == 2 ? "s0.wav" : i % 2 ? "m1.wav" : "m0.wav", -6.0 - (i % 5), (i % 9 - 4) * 0.2);
		if (i < 8)
			ADD("    output: Drums\n");
		ADD("    inserts:\n      - type: eq\n        bands:\n"
		    "          - { type: highpass, freq: %d, slope: 12 }\n"
		    "          - { type: peak, freq: %d, gain: %d, q: 1.2 }\n",
		    40 + 5 * i, 300 + 100 * i, i % 5 - 2);
		if (i == 8)
			ADD("      - { type: compressor, sidechain: T0, threshold: -30, ratio: 6, attack: 1, release: 80 }\n");
		else if (i == 5)
			ADD("      - { type: compressor, threshold: -24, ratio: 3, attack: 2, release: 100, lookahead: 3 }\n");
		else
			ADD("      - { type: compressor, threshold: %d, ratio: %d, attack: %d, release: %d }\n", -28 + i % 7,
			    2 + i % 3, 2 + i % 4, 50 + 10 * i);
		if (i % 3 == 0 || i >= 12) {
			ADD("    sends:\n");
			if (i % 3 == 0)
				ADD("      - { to: Verb, level: %d%s }\n", -10 - i % 4, i == 3 ? ", pre: true" : "");
			if (i >= 12)
				ADD("      - { to: Echo, level: -14 }\n");
		}
		if (i == 6)
			ADD("    automation:\n      sends.Verb.level: [[0, -30], [1.2, -6, linear], [1.6, -20, hold]]\n");
		else if (i == 10)
			ADD("    automation:\n      gain: [[0, -20], [0.8, -3, smooth], [1.7, -12]]\n"
			    "      pan: { lfo: { shape: sine, rate: 1.5, depth: 0.8 } }\n");
		else if (i == 14)
			ADD("    automation:\n      inserts.1.bands.2.gain: [[0, -6], [1.5, 6, linear]]\n");
		else if (i == 20)
			ADD("    automation:\n      gain: { follow: { source: T1, threshold: -35, range: -12, attack: 20, "
			    "release: 300 } }\n");
	}
	ADD("buses:\n"
	    "  - name: Drums\n    gain: -2\n"
	    "    inserts: [ { type: compressor, threshold: -20, ratio: 2, attack: 5, release: 120 } ]\n"
	    "    sends: [ { to: Verb, level: -18 } ]\n"
	    "  - name: Verb\n    inserts: [ { type: reverb, decay: 1.2, mix: 1 } ]\n"
	    "  - name: Echo\n    inserts: [ { type: delay, time: 120, feedback: 0.3, mix: 1 } ]\n"
	    "master:\n  gain: -3\n  inserts: [ { type: gain, gain: -1 } ]\n");
#undef ADD
	CHECK(len < (int)sizeof yaml);
	snprintf(session_path, sizeof session_path, "%s", mxt_path(dir, "threads.yaml"));
	CHECK(mxt_write_text(session_path, yaml) == 0);
	return session_path;
}

/* A host track source: deterministic noise per track and timeline frame. */
static void noise_source(void *user, size_t node, int64_t t, uint32_t n, float *const *dst, uint32_t channels)
{
	(void)user;
	for (uint32_t c = 0; c < channels; c++)
		for (uint32_t i = 0; i < n; i++) {
			uint64_t x = ((uint64_t)(t + i) * 0x9E3779B97F4A7C15u) ^ ((node * 16 + c + 1) * 0xBF58476D1CE4E5B9u);
			x ^= x >> 31;
			x *= 0x94D049BB133111EBu;
			x ^= x >> 29;
			dst[c][i] = (float)((double)(x >> 40) / (double)(1u << 24) - 0.5) * 0.4f;
		}
}

static uint64_t worker_nodes_total;

/* Render `frames` frames in blocks of `block` with `threads` into out
 * (frames x 2, interleaved). */
static void render(const mixdown_session *s, unsigned threads, uint32_t block, bool host_source, float *out,
		   int64_t frames)
{
	mixdown_engine *e = NULL;
	mixdown_error err;
	CHECK_INT(mixdown_engine_create(s, block, &e, &err), MIXDOWN_SUCCESS);
	if (!e)
		return;
	CHECK_INT(mixdown_engine_set_threads(e, threads, &err), MIXDOWN_SUCCESS);
	CHECK_INT(mxd_engine_threads(e), threads);
	if (host_source)
		mxd_engine_set_track_source(e, noise_source, NULL);
	float l[512], r[512];
	float *o[2] = { l, r };
	for (int64_t done = 0; done < frames;) {
		uint32_t n = (int64_t)block < frames - done ? block : (uint32_t)(frames - done);
		mixdown_status st = mixdown_engine_process(e, o, n, &err);
		if (st != MIXDOWN_SUCCESS) {
			CHECK_MSG(0, "process: %s", err.message);
			break;
		}
		for (uint32_t i = 0; i < n; i++) {
			out[(done + i) * 2] = l[i];
			out[(done + i) * 2 + 1] = r[i];
		}
		done += n;
	}
	worker_nodes_total += mxd_engine_threads_worker_nodes(e);
	mixdown_engine_free(e);
}

static void compare_threads(bool host_source)
{
	mixdown_session *s = NULL;
	mixdown_error err;
	CHECK_INT(mixdown_session_load(make_session(), &s, &err), MIXDOWN_SUCCESS);
	if (!s)
		return;
	static const uint32_t blocks[] = { 1, 37, 64, 512 };
	worker_nodes_total = 0;
	for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
		/* Block 1 costs a synchronisation per frame: a shorter stretch. */
		int64_t frames = blocks[b] == 1 ? RATE / 4 : (int64_t)RATE * SECS + RATE / 2;
		if (short_run())
			frames /= 8;
		float *ref = calloc((size_t)frames * 2, sizeof(float));
		float *got = calloc((size_t)frames * 2, sizeof(float));
		render(s, 1, blocks[b], host_source, ref, frames);
		double peak = 0;
		for (int64_t i = 0; i < frames * 2; i++)
			peak = fmax(peak, fabs(ref[i]));
		CHECK_MSG(peak > 0.05, "block %u: the reference is silent (peak %g)", blocks[b], peak);
		for (unsigned th = 2; th <= 4; th += 2) {
			memset(got, 0, (size_t)frames * 2 * sizeof(float));
			render(s, th, blocks[b], host_source, got, frames);
			int64_t diff = 0, first = -1;
			for (int64_t i = 0; i < frames * 2; i++)
				if (memcmp(&ref[i], &got[i], sizeof(float)) != 0) {
					diff++;
					first = first < 0 ? i / 2 : first;
				}
			CHECK_MSG(diff == 0, "block %u, %u threads: %lld samples differ from 1 thread (first at frame %lld)",
				  blocks[b], th, (long long)diff, (long long)first);
		}
		free(ref);
		free(got);
	}
	/* Some strips ran on workers (on a busy machine the calling thread
	 * may take most, but not all, of thousands of blocks). */
	CHECK_MSG(worker_nodes_total > 0, "no strip ran on a worker");
	fprintf(stderr, "# strips run by workers: %llu\n", (unsigned long long)worker_nodes_total);
	mixdown_session_free(s);
}

static void t_offline_identical(void) { compare_threads(false); }
static void t_host_source_identical(void) { compare_threads(true); }

/* 50 engines with workers built, run a few blocks, freed; threads changed
 * on a live engine; bad thread counts refused. */
static void t_create_free_repeated(void)
{
	mixdown_session *s = NULL;
	mixdown_error err;
	CHECK_INT(mixdown_session_load(make_session(), &s, &err), MIXDOWN_SUCCESS);
	if (!s)
		return;
	float l[64], r[64];
	float *o[2] = { l, r };
	for (int k = 0; k < 50; k++) {
		mixdown_engine *e = NULL;
		CHECK_INT(mixdown_engine_create(s, 64, &e, &err), MIXDOWN_SUCCESS);
		if (!e)
			break;
		CHECK_INT(mixdown_engine_set_threads(e, 4, &err), MIXDOWN_SUCCESS);
		if (k % 2)
			mxd_engine_set_track_source(e, noise_source, NULL);
		for (int b = 0; b < 3 + k % 4; b++)
			CHECK_INT(mixdown_engine_process(e, o, 64, &err), MIXDOWN_SUCCESS);
		if (k % 5 == 0) { /* change the count between blocks, then go back to one */
			CHECK_INT(mixdown_engine_set_threads(e, 2, &err), MIXDOWN_SUCCESS);
			CHECK_INT(mxd_engine_threads(e), 2);
			CHECK_INT(mixdown_engine_process(e, o, 64, &err), MIXDOWN_SUCCESS);
			CHECK_INT(mixdown_engine_set_threads(e, 1, &err), MIXDOWN_SUCCESS);
			CHECK_INT(mxd_engine_threads(e), 1);
			CHECK_INT(mixdown_engine_process(e, o, 64, &err), MIXDOWN_SUCCESS);
		}
		mixdown_engine_free(e);
	}
	mixdown_engine *e = NULL;
	CHECK_INT(mixdown_engine_create(s, 64, &e, &err), MIXDOWN_SUCCESS);
	if (e) {
		CHECK_INT(mixdown_engine_set_threads(e, 65, &err), MIXDOWN_ERR_USAGE);
		CHECK(strstr(err.message, "threads") != NULL);
		CHECK_INT(mxd_engine_threads(e), 1);
		CHECK_INT(mixdown_engine_set_threads(e, 0, &err), MIXDOWN_SUCCESS); /* auto */
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		CHECK_INT(mxd_engine_threads(e), cpus < 1 ? 1 : cpus > 8 ? 8 : cpus);
		/* Not real-time here: no worker was moved to SCHED_FIFO. */
		CHECK_INT(mxd_engine_threads_priority(e, 0), 0);
		mixdown_engine_free(e);
	}
	mixdown_session_free(s);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_offline_identical),
		MXT(t_host_source_identical),
		MXT(t_create_free_repeated),
	};
	return MXT_RUN(cases);
}
