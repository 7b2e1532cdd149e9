/* mixdown — helpers for tests against a real JACK server (header only, for
 * the test programs built with JACK): start `jackd -d dummy` under a unique
 * server name and record what reaches a two-port capture client.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The dummy driver runs in real time at 48 kHz with 256-frame periods. The
 * server name goes into JACK_DEFAULT_SERVER, so every client this process
 * opens afterwards (also a mixdown_player) connects to it. mxt_jack_stop()
 * must run at the end whatever happened (call it from main).
 * Capture: mxt_jack_cap[0..1] hold up to MXT_JACK_CAP_FRAMES frames recorded
 * while armed (mxt_jack_arm); mxt_jack_cap_n is the count, written by the
 * capture client's process thread. Frames are in JACK's order: the capture
 * client runs after the clients connected to it within the same period.
 * Xruns: the server's xruns are noted with the capture frame count at the
 * time (mxt_jack_xrun_near), so a test can tell a glitch of an overloaded
 * machine (jackd runs without real-time priority here) from its own.
 */
#ifndef MIXDOWN_TESTS_JACK_UTIL_H
#define MIXDOWN_TESTS_JACK_UTIL_H

#include <jack/jack.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MXT_JACK_RATE 48000
#define MXT_JACK_PERIOD 256
#define MXT_JACK_CAP_FRAMES (MXT_JACK_RATE * 30)

static pid_t mxt_jackd_pid = -1;
static char mxt_jack_server[64];
static float *mxt_jack_cap[2];
static _Atomic int64_t mxt_jack_cap_n;
static _Atomic bool mxt_jack_armed;
static jack_port_t *mxt_jack_port[2];
static jack_client_t *mxt_jack_client;
#define MXT_JACK_MAX_XRUNS 256
static int64_t mxt_jack_xrun_at[MXT_JACK_MAX_XRUNS];
static _Atomic int mxt_jack_n_xruns;

static inline void mxt_sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - floor(s)) * 1e9) };
	nanosleep(&ts, NULL);
}

static inline int mxt_jack_process(jack_nframes_t n, void *arg)
{
	(void)arg;
	if (!atomic_load(&mxt_jack_armed))
		return 0;
	int64_t at = atomic_load(&mxt_jack_cap_n);
	if (at + n > MXT_JACK_CAP_FRAMES)
		return 0;
	for (int c = 0; c < 2; c++)
		memcpy(mxt_jack_cap[c] + at, jack_port_get_buffer(mxt_jack_port[c], n), n * sizeof(float));
	atomic_store(&mxt_jack_cap_n, at + n);
	return 0;
}

static inline int mxt_jack_on_xrun(void *arg)
{
	(void)arg;
	int k = atomic_load(&mxt_jack_n_xruns);
	if (k < MXT_JACK_MAX_XRUNS) {
		mxt_jack_xrun_at[k] = atomic_load(&mxt_jack_cap_n);
		atomic_store(&mxt_jack_n_xruns, k + 1);
	}
	return 0;
}

/* Whether an xrun was noted while the capture was within `margin` frames of
 * [from, to) (since the last arm). */
static inline bool mxt_jack_xrun_near(int64_t from, int64_t to, int64_t margin)
{
	int k = atomic_load(&mxt_jack_n_xruns);
	for (int i = 0; i < k; i++)
		if (mxt_jack_xrun_at[i] >= from - margin && mxt_jack_xrun_at[i] < to + margin)
			return true;
	return false;
}

static inline void mxt_jack_quiet(const char *msg)
{
	(void)msg; /* jack_client_open's complaints while jackd is still starting */
}

/* Stops the test's own jackd (if any) after closing its clients. */
static inline void mxt_jackd_kill(void)
{
	if (mxt_jackd_pid > 0) {
		kill(mxt_jackd_pid, SIGTERM);
		for (int i = 0; i < 50 && waitpid(mxt_jackd_pid, NULL, WNOHANG) == 0; i++)
			mxt_sleep_s(0.05);
		kill(mxt_jackd_pid, SIGKILL);
		waitpid(mxt_jackd_pid, NULL, 0);
		mxt_jackd_pid = -1;
	}
}

static inline void mxt_jack_stop(void)
{
	if (mxt_jack_client) {
		jack_deactivate(mxt_jack_client);
		jack_client_close(mxt_jack_client);
		mxt_jack_client = NULL;
	}
	mxt_jackd_kill();
	free(mxt_jack_cap[0]);
	free(mxt_jack_cap[1]);
	mxt_jack_cap[0] = mxt_jack_cap[1] = NULL;
}

/* `jackd -d dummy` at 48 kHz with `period`-frame periods in the background,
 * under the server name "<tag>-<pid>" (also put into JACK_DEFAULT_SERVER),
 * and a client called `client` opened on it; NULL if jackd did not start. */
static inline jack_client_t *mxt_jackd_spawn(const char *tag, int period, const char *client)
{
	jack_set_error_function(mxt_jack_quiet);
	jack_set_info_function(mxt_jack_quiet);
	snprintf(mxt_jack_server, sizeof mxt_jack_server, "%s-%d", tag, (int)getpid());
	setenv("JACK_DEFAULT_SERVER", mxt_jack_server, 1);
	setenv("JACK_NO_AUDIO_RESERVATION", "1", 1);
	char p[16];
	snprintf(p, sizeof p, "%d", period);
	/* the child's freopen would flush a copy of what is buffered */
	fflush(stdout);
	fflush(stderr);
	mxt_jackd_pid = fork();
	if (mxt_jackd_pid == 0) {
		if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
			_exit(127);
		execlp("jackd", "jackd", "-n", mxt_jack_server, "-r", "-d", "dummy", "-r", "48000", "-p", p,
		       (char *)NULL);
		_exit(127);
	}
	if (mxt_jackd_pid < 0)
		return NULL;
	for (int i = 0; i < 100; i++) {
		mxt_sleep_s(0.05);
		if (waitpid(mxt_jackd_pid, NULL, WNOHANG) != 0) {
			mxt_jackd_pid = -1;
			return NULL;
		}
		jack_status_t st;
		jack_client_t *c = jack_client_open(client, JackNoStartServer | JackServerName, &st, mxt_jack_server);
		if (c)
			return c;
	}
	return NULL;
}

/* jackd in the background and the capture client "mxtcap" (ports in_1,
 * in_2) active on it; false if jackd could not start. Idempotent. */
static inline bool mxt_jack_start(void)
{
	if (mxt_jack_client)
		return true;
	if (!(mxt_jack_client = mxt_jackd_spawn("mxt", MXT_JACK_PERIOD, "mxtcap")))
		return false;
	mxt_jack_cap[0] = calloc(MXT_JACK_CAP_FRAMES, sizeof(float));
	mxt_jack_cap[1] = calloc(MXT_JACK_CAP_FRAMES, sizeof(float));
	mxt_jack_port[0] = jack_port_register(mxt_jack_client, "in_1", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
	mxt_jack_port[1] = jack_port_register(mxt_jack_client, "in_2", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
	jack_set_process_callback(mxt_jack_client, mxt_jack_process, NULL);
	jack_set_xrun_callback(mxt_jack_client, mxt_jack_on_xrun, NULL);
	return mxt_jack_cap[0] && mxt_jack_cap[1] && mxt_jack_port[0] && mxt_jack_port[1] &&
	       jack_activate(mxt_jack_client) == 0;
}

/* Start recording from frame 0 again (arm) or stop (disarm). */
static inline void mxt_jack_arm(bool on)
{
	if (on) {
		atomic_store(&mxt_jack_cap_n, 0);
		atomic_store(&mxt_jack_n_xruns, 0);
	}
	atomic_store(&mxt_jack_armed, on);
}

/* First captured frame where either channel is not zero, or -1. */
static inline int64_t mxt_jack_first_sound(int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		if (mxt_jack_cap[0][i] != 0.0f || mxt_jack_cap[1][i] != 0.0f)
			return i;
	return -1;
}

#endif
