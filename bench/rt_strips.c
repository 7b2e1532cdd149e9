/* mixdown — benchmark (not a test): how many full channel strips the engine
 * runs in real time. A full strip is a track playing a stereo clip through a
 * 4-band EQ (high-pass 24 dB/oct, low shelf, peak, high shelf) and a
 * compressor, with two post-fader sends to two buses (a hall reverb and a
 * feedback delay), fader and pan. bench/rt_strips.sh drives it.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   rt_strips offline WORKDIR PERIOD SECONDS N...
 *     The engine alone on this thread (mixdown_engine_process in blocks of
 *     PERIOD frames over SECONDS of the session): µs of this thread's CPU
 *     time per block (CLOCK_THREAD_CPUTIME_ID: other processes on a shared
 *     machine do not count; the wall time is printed too), µs per strip per
 *     block (the slope between the smallest and largest N), and the strips
 *     that fit in 70 % of one core at 48 kHz. With --threads N > 1 the
 *     strips run on N threads (mixdown_engine_set_threads()) and the fit is
 *     computed from the wall time per block instead (the CPU time of this
 *     thread no longer covers the work; on a busy machine the wall time
 *     includes preemption by other processes).
 *   rt_strips jack WORKDIR SECONDS N...
 *     For each N, `mixdown play`'s engine (mixdown_player_open, outputs not
 *     connected) on the JACK server of JACK_DEFAULT_SERVER for SECONDS; the
 *     player's own DSP load (its callback timed with jack_get_time()) read
 *     every 100 ms after the first second: average and highest, and xruns.
 *     --threads N: the player's engines use N threads (options.threads).
 *
 * Each N gets a session WORKDIR/sN.yaml over one 40 s stereo noise file
 * (WORKDIR/src.wav, written once). One line of results per N on stdout.
 * Control thread only.
 */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mixdown/mixdown.h"

#define RATE 48000
#define SRC_S 40

static unsigned threads = 1; /* --threads N (0 = auto) */

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double now_s(void) { return clock_s(CLOCK_MONOTONIC); }

/* Pink-ish stereo noise (white through a one-pole low-pass), -18 dBFS RMS-ish. */
static int write_source(const char *path)
{
	if (access(path, R_OK) == 0)
		return 0;
	SF_INFO info = { .samplerate = RATE, .channels = 2, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_24 };
	SNDFILE *f = sf_open(path, SFM_WRITE, &info);
	if (!f)
		return -1;
	float buf[2 * 4096];
	uint32_t seed = 12345u;
	double lp[2] = { 0, 0 };
	for (int64_t done = 0; done < (int64_t)SRC_S * RATE; done += 4096) {
		for (int i = 0; i < 4096; i++)
			for (int c = 0; c < 2; c++) {
				seed = seed * 1664525u + 1013904223u;
				double w = (double)seed / 4294967296.0 * 2.0 - 1.0;
				lp[c] += 0.2 * (w - lp[c]);
				buf[2 * i + c] = (float)(lp[c] * 0.5);
			}
		sf_writef_float(f, buf, 4096);
	}
	return sf_close(f);
}

static int write_session(const char *path, int n)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "mixdown: 1\nsample_rate: %d\ntracks:\n", RATE);
	for (int i = 0; i < n; i++)
		fprintf(f,
			"  - name: T%d\n    clips: [ { file: src.wav, offset: %.3f } ]\n    gain: -24\n    pan: %.2f\n"
			"    inserts:\n"
			"      - { type: eq, bands: [ { type: highpass, freq: 80, slope: 24 },"
			" { type: lowshelf, freq: 200, gain: -2 }, { type: peak, freq: 2500, gain: 3, q: 1.2 },"
			" { type: highshelf, freq: 8000, gain: 2 } ] }\n"
			"      - { type: compressor, threshold: -30, ratio: 3, attack: 8, release: 120, knee: 6 }\n"
			"    sends: [ { to: Verb, level: -18 }, { to: Echo, level: -22 } ]\n",
			i + 1, (double)(i % 7) * 0.31, ((i % 9) - 4) / 5.0);
	fprintf(f, "buses:\n"
		   "  - { name: Verb, inserts: [ { type: reverb, model: hall, decay: 2.0, mix: 1 } ] }\n"
		   "  - { name: Echo, inserts: [ { type: delay, time: 375, feedback: 0.35 } ] }\n");
	return fclose(f);
}

static mixdown_session *load(const char *dir, int n)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/s%d.yaml", dir, n);
	if (write_session(path, n) != 0) {
		fprintf(stderr, "rt_strips: cannot write %s\n", path);
		return NULL;
	}
	mixdown_session *s = NULL;
	mixdown_error err;
	if (mixdown_session_load(path, &s, &err) != MIXDOWN_SUCCESS) {
		fprintf(stderr, "rt_strips: %s:%d:%d: %s\n", err.file, err.line, err.column, err.message);
		return NULL;
	}
	return s;
}

static int offline(const char *dir, uint32_t period, double secs, int argc, char **argv)
{
	printf("# offline: engine only, %u thread(s), %u-frame blocks, %.0f s per N\n", threads, period, secs);
	printf("%6s %12s %10s %12s\n", "strips", "cpu us/blk", "load", "wall us/blk");
	double first_n = 0, first_us = 0, last_n = 0, last_us = 0;
	static float l[8192], r[8192];
	float *out[2] = { l, r };
	for (int k = 0; k < argc; k++) {
		int n = atoi(argv[k]);
		mixdown_session *s = load(dir, n);
		mixdown_engine *e = NULL;
		mixdown_error err;
		if (!s || mixdown_engine_create(s, period, &e, &err) != MIXDOWN_SUCCESS ||
		    mixdown_engine_set_threads(e, threads, &err) != MIXDOWN_SUCCESS) {
			mixdown_engine_free(e);
			mixdown_session_free(s);
			return 1;
		}
		uint64_t blocks = (uint64_t)(secs * RATE / period);
		for (int i = 0; i < 200; i++) /* warm: files open, caches */
			mixdown_engine_process(e, out, period, NULL);
		double t0 = now_s(), c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
		for (uint64_t b = 0; b < blocks; b++)
			mixdown_engine_process(e, out, period, NULL);
		double us = (clock_s(CLOCK_THREAD_CPUTIME_ID) - c0) / (double)blocks * 1e6;
		double wall = (now_s() - t0) / (double)blocks * 1e6;
		double period_us = period * 1e6 / RATE;
		printf("%6d %12.1f %9.1f%% %12.1f\n", n, us, 100.0 * us / period_us, wall);
		fflush(stdout);
		if (threads != 1)
			us = wall; /* the work is spread over threads: fit by elapsed time */
		if (k == 0) {
			first_n = n;
			first_us = us;
		}
		last_n = n;
		last_us = us;
		mixdown_engine_free(e);
		mixdown_session_free(s);
	}
	if (last_n > first_n) {
		double per = (last_us - first_us) / (last_n - first_n), base = first_us - per * first_n;
		double period_us = period * 1e6 / RATE;
		printf("# per strip: %.2f us per %u-frame block (%.3f us per frame); buses and master: %.1f us\n", per,
		       period, per / period, base);
		printf("# strips under 70%% of %s at %u frames: %d\n", threads == 1 ? "one core" : "the period (wall time)",
		       period, (int)floor((0.7 * period_us - base) / per));
	}
	return 0;
}

static int jack(const char *dir, double secs, int argc, char **argv)
{
	printf("# jack: mixdown player on server \"%s\", %.0f s per N; DSP load = callback time / period\n",
	       getenv("JACK_DEFAULT_SERVER") ? getenv("JACK_DEFAULT_SERVER") : "default", secs);
	printf("%6s %7s %9s %9s %7s %9s\n", "strips", "period", "load avg", "load max", "xruns", "underruns");
	for (int k = 0; k < argc; k++) {
		int n = atoi(argv[k]);
		mixdown_session *s = load(dir, n);
		if (!s)
			return 1;
		mixdown_player_options opt = mixdown_player_options_init();
		opt.connect = "";
		opt.client_name = "rt_strips";
		opt.threads = threads;
		mixdown_player *p = NULL;
		mixdown_error err;
		if (mixdown_player_open(s, &opt, &p, &err) != MIXDOWN_SUCCESS) {
			fprintf(stderr, "rt_strips: %s\n", err.message);
			mixdown_session_free(s);
			return 1;
		}
		mixdown_player_status st;
		double sum = 0, max = 0;
		int reads = 0;
		uint64_t x0 = 0;
		for (double t0 = now_s(); now_s() - t0 < secs + 1.0;) {
			usleep(100000);
			mixdown_player_get_status(p, &st);
			if (st.waiting || !st.playing || now_s() - t0 < 1.0) {
				x0 = st.xruns;
				continue;
			}
			sum += st.dsp_load_avg;
			max = st.dsp_load > max ? st.dsp_load : max;
			reads++;
		}
		printf("%6d %7u %8.1f%% %8.1f%% %7llu %9llu\n", n, st.period, reads ? 100.0 * sum / reads : 0.0, 100.0 * max,
		       (unsigned long long)(st.xruns - x0), (unsigned long long)st.underruns);
		fflush(stdout);
		mixdown_player_close(p);
		mixdown_session_free(s);
	}
	return 0;
}

int main(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i++) /* --threads N|auto anywhere: taken out of argv */
		if (!strcmp(argv[i], "--threads")) {
			threads = strcmp(argv[i + 1], "auto") ? (unsigned)atoi(argv[i + 1]) : 0;
			memmove(&argv[i], &argv[i + 2], (size_t)(argc - i - 1) * sizeof *argv); /* keeps argv[argc] */
			argc -= 2;
			break;
		}
	if (argc >= 6 && !strcmp(argv[1], "offline")) {
		char src[1024];
		snprintf(src, sizeof src, "%s/src.wav", argv[2]);
		if (write_source(src) != 0)
			return 1;
		return offline(argv[2], (uint32_t)atoi(argv[3]), atof(argv[4]), argc - 5, argv + 5);
	}
	if (argc >= 5 && !strcmp(argv[1], "jack")) {
		char src[1024];
		snprintf(src, sizeof src, "%s/src.wav", argv[2]);
		if (write_source(src) != 0)
			return 1;
		return jack(argv[2], atof(argv[3]), argc - 4, argv + 4);
	}
	fprintf(stderr, "usage: rt_strips [--threads N|auto] offline WORKDIR PERIOD SECONDS N... | "
			"rt_strips [--threads N|auto] jack WORKDIR SECONDS N...\n");
	return 2;
}
