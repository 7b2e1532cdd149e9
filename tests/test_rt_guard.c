/* mixdown — the audio thread never allocates, locks, waits or does I/O:
 * a play against a real JACK server with OSC traffic, live changes, a locate
 * and session reloads, with tests/rt_guard.c preloaded to count every such
 * call made inside the player's process callback. The count must stay zero.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The program re-executes itself with LD_PRELOAD set to the guard library
 * (its path comes from the build) when the guard is not loaded yet. A first
 * case proves the guard counts (an allocation inside a guarded region is
 * seen), so a zero later means something. Built only without sanitizers
 * (AddressSanitizer interposes the same calls).
 */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <lo/lo.h>
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "jack_util.h"
#include "mixdown/mixdown.h"
#include "rt_guard.h"
#include "util.h"

typedef struct {
	void (*enter)(void);
	void (*leave)(void);
	uint64_t (*count)(mxd_rt_guard_kind);
	uint64_t (*entries)(void);
} guard_api;

static guard_api guard;

static bool find_guard(void)
{
	void *self = dlopen(NULL, RTLD_LAZY);
	if (!self)
		return false;
	void *e = dlsym(self, "mxd_rt_guard_enter"), *l = dlsym(self, "mxd_rt_guard_leave");
	void *c = dlsym(self, "mxd_rt_guard_count"), *n = dlsym(self, "mxd_rt_guard_entries");
	dlclose(self);
	if (!e || !l || !c || !n)
		return false;
	memcpy(&guard.enter, &e, sizeof e);
	memcpy(&guard.leave, &l, sizeof l);
	memcpy(&guard.count, &c, sizeof c);
	memcpy(&guard.entries, &n, sizeof n);
	return true;
}

static uint64_t violations(void)
{
	return guard.count(MXD_RT_GUARD_ALLOC) + guard.count(MXD_RT_GUARD_LOCK) + guard.count(MXD_RT_GUARD_IO);
}

/* Called through a volatile pointer so the compiler cannot drop the pair. */
static void *(*volatile alloc_fn)(size_t) = malloc;
static void (*volatile free_fn)(void *) = free;

static void t_guard_counts(void)
{
	uint64_t a0 = guard.count(MXD_RT_GUARD_ALLOC), e0 = guard.entries();
	void *outside = alloc_fn(64);
	free_fn(outside);
	CHECK(guard.count(MXD_RT_GUARD_ALLOC) == a0); /* not in a guarded region */
	guard.enter();
	void *inside = alloc_fn(64);
	free_fn(inside);
	guard.leave();
	CHECK(guard.count(MXD_RT_GUARD_ALLOC) == a0 + 2);
	CHECK(guard.entries() == e0 + 1);
}

static void write_session(const char *path, double gain_db, bool extra_track)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "mixdown: 1\nsample_rate: 48000\n"
		   "buses:\n  - name: verb\n    inserts: [ { type: reverb } ]\n"
		   "tracks:\n"
		   "  - name: A\n    gain: %.1f\n    pan: -0.3\n"
		   "    inserts:\n      - { type: eq, bands: [ { type: highpass, freq: 80 }, { type: peak, freq: 1000, "
		   "gain: 3, q: 1 } ] }\n"
		   "      - { type: compressor, threshold: -24, ratio: 4, attack: 5, release: 80 }\n"
		   "    sends: [ { to: verb, level: -12 } ]\n"
		   "    clips: [ { file: a.wav } ]\n"
		   /* the same chain: A and C run together (graph/strip_batch.c) */
		   "  - name: C\n    pan: 0.4\n"
		   "    inserts:\n      - { type: eq, bands: [ { type: highpass, freq: 100 }, { type: peak, freq: 2000, "
		   "gain: -2, q: 1 } ] }\n"
		   "      - { type: compressor, threshold: -20, ratio: 3, attack: 10, release: 100 }\n"
		   "    clips: [ { file: a.wav, at: 0.1 } ]\n",
		gain_db);
	if (extra_track)
		fprintf(f, "  - name: B\n    gain: -6\n    clips: [ { file: a.wav, at: 0.25 } ]\n");
	fclose(f);
}

static void t_play_is_realtime_safe(void)
{
	const char *dir = mxt_tempdir();
	int scale = getenv("MXT_ASAN") ? 2 : 1;
	int64_t frames = (int64_t)(30.0 / scale * MXT_JACK_RATE);
	float *a = malloc(sizeof(float) * (size_t)frames * 2);
	mxt_noise(a, frames * 2, 0.3, 11u);
	CHECK(mxt_write_audio(mxt_path(dir, "a.wav"), a, frames, 2, MXT_JACK_RATE, SF_FORMAT_WAV | SF_FORMAT_PCM_24) == 0);
	free(a);
	char session[1024];
	snprintf(session, sizeof session, "%s", mxt_path(dir, "session.yaml"));
	write_session(session, -6.0, false);
	if (!mxt_jack_start()) {
		SKIP("jackd -d dummy could not start");
		return;
	}
	mixdown_error err;
	mixdown_session *s = NULL;
	CHECK_INT(mixdown_session_load(session, &s, &err), MIXDOWN_SUCCESS);
	if (!s)
		return;
	mixdown_player_options opt = mixdown_player_options_init();
	opt.client_name = "mxtguard";
	opt.connect = "mxtcap:in_1,mxtcap:in_2";
	opt.osc_port = 21000 + (int)(getpid() % 20000);
	opt.threads = 2; /* strips on a worker too: it is guarded like the audio thread (engine_threads.c) */
	mixdown_player *p = NULL;
	mxt_jack_arm(true);
	CHECK_INT(mixdown_player_open(s, &opt, &p, &err), MIXDOWN_SUCCESS);
	if (!p) {
		mixdown_session_free(s);
		return;
	}
	uint64_t e0 = guard.entries(), v0 = violations(), a0 = guard.count(MXD_RT_GUARD_ALLOC);
	char port[16];
	snprintf(port, sizeof port, "%d", opt.osc_port);
	lo_address addr = lo_address_new("127.0.0.1", port);
	double t = 0.0, step = 0.05, total = 8.0 / scale;
	int reloads = 0;
	for (int i = 0; t < total; i++, t += step) {
		/* OSC and API traffic all the time: faders, pans, mutes. */
		lo_send(addr, "/track/A/gain", "f", (float)(-6.0 - (i % 7)));
		lo_send(addr, "/track/A/pan", "f", (float)((i % 5) * 0.2 - 0.4));
		lo_send(addr, "/bus/verb/mute", "i", i % 11 == 0);
		mixdown_player_set(p, "A", "gain", -8.0 + (i % 3));
		if (i == 20)
			mixdown_player_locate(p, 3.0);
		/* Reloads: a value change, a structural change, an invalid edit. */
		if (i == 40 || i == 80 || i == 120) {
			if (i == 120) {
				FILE *f = fopen(session, "a");
				if (f) {
					fputs("  - name: [broken\n", f);
					fclose(f);
				}
			} else {
				write_session(session, i == 40 ? -9.0 : -7.0, i == 80);
			}
			mixdown_status rs = mixdown_player_reload(p, session, &err);
			reloads += rs == MIXDOWN_SUCCESS;
			if (i == 120)
				CHECK(rs != MIXDOWN_SUCCESS);
		}
		mixdown_player_status st;
		mixdown_player_get_status(p, &st);
		mxt_sleep_s(step);
	}
	lo_address_free(addr);
	mixdown_player_status st;
	mixdown_player_get_status(p, &st);
	uint64_t cycles = guard.entries() - e0;
	mixdown_player_close(p);
	mixdown_session_free(s);
	int64_t n = atomic_load(&mxt_jack_cap_n);
	mxt_jack_arm(false);
	fprintf(stderr, "# %llu process cycles guarded, %d reloads, %lld frames captured; on the audio thread: "
			"%llu allocations, %llu lock/wait/sleep calls, %llu I/O calls\n",
		(unsigned long long)cycles, reloads, (long long)n,
		(unsigned long long)(guard.count(MXD_RT_GUARD_ALLOC) - a0), (unsigned long long)guard.count(MXD_RT_GUARD_LOCK),
		(unsigned long long)guard.count(MXD_RT_GUARD_IO));
	/* 187.5 periods per second: the guard saw the callback run throughout. */
	CHECK(cycles > (uint64_t)(0.8 * total * MXT_JACK_RATE / MXT_JACK_PERIOD));
	CHECK_INT(reloads, 2);
	CHECK(st.reloads >= 2);
	CHECK(mxt_jack_first_sound(n) >= 0);
	CHECK(violations() == v0);
	void *(*site)(mxd_rt_guard_kind, unsigned) = NULL;
	void *self = dlopen(NULL, RTLD_LAZY), *sym = self ? dlsym(self, "mxd_rt_guard_site") : NULL;
	memcpy(&site, &sym, sizeof sym);
	for (unsigned i = (unsigned)a0; site && site(MXD_RT_GUARD_ALLOC, i); i++) {
		Dl_info info;
		void *at = site(MXD_RT_GUARD_ALLOC, i);
		if (dladdr(at, &info) && info.dli_fname)
			fprintf(stderr, "#   allocation called from %s+0x%lx (%s)\n", info.dli_fname,
				(unsigned long)((char *)at - (char *)info.dli_fbase), info.dli_sname ? info.dli_sname : "?");
	}
	if (self)
		dlclose(self);
}

int main(int argc, char **argv)
{
	(void)argc;
	if (!find_guard()) {
		/* Not preloaded yet: run again with the guard. */
		if (getenv("MXT_RT_GUARD_CHILD")) {
			printf("1..1\nnot ok 1 - the guard library %s did not load\n", MXT_RT_GUARD_LIB);
			return 1;
		}
		setenv("MXT_RT_GUARD_CHILD", "1", 1);
		setenv("LD_PRELOAD", MXT_RT_GUARD_LIB, 1);
		execv("/proc/self/exe", argv);
		printf("1..1\nnot ok 1 - cannot re-execute with the guard preloaded\n");
		return 1;
	}
	static const mxt_case cases[] = { MXT(t_guard_counts), MXT(t_play_is_realtime_safe) };
	int rc = MXT_RUN(cases);
	mxt_jack_stop();
	return rc;
}
