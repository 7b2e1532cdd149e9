/* mixdown — `mixdown play`: the session in real time through JACK, with OSC
 * control (docs/osc.md) and a status line on a terminal.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Runs until the session's end (or --duration seconds of wall time, or
 * SIGINT/SIGTERM), then closes the client. Control thread only; the audio
 * work happens inside the library's JACK callback.
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int cli_play(int argc, char **argv)
{
	const char *path = NULL;
	mixdown_player_options opt = mixdown_player_options_init();
	double duration = -1.0;
	bool quiet = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--connect")) {
			if (++i >= argc)
				return cli_usage_error("--connect needs a comma-separated list of ports");
			opt.connect = argv[i];
		} else if (!strcmp(a, "--no-connect")) {
			opt.connect = "";
		} else if (!strcmp(a, "--osc-port")) {
			char *end = NULL;
			long v = ++i < argc ? strtol(argv[i], &end, 10) : 0;
			if (!end || *end || v < 1 || v > 65535)
				return cli_usage_error("--osc-port needs a UDP port number 1..65535");
			opt.osc_port = (int)v;
		} else if (!strcmp(a, "--duration")) {
			char *end = NULL;
			duration = ++i < argc ? strtod(argv[i], &end) : -1.0;
			if (!end || *end || !(duration > 0))
				return cli_usage_error("--duration needs a positive number of seconds");
		} else if (!strcmp(a, "--name")) {
			if (++i >= argc)
				return cli_usage_error("--name needs a JACK client name");
			opt.client_name = argv[i];
		} else if (!strcmp(a, "--stopped")) {
			opt.start_stopped = true;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			quiet = true;
		} else if (a[0] == '-') {
			return cli_usage_error("unknown option '%s'", a);
		} else if (!path) {
			path = a;
		} else {
			return cli_usage_error("unexpected argument '%s'", a);
		}
	}
	if (!path)
		return cli_usage_error("usage: mixdown play SESSION [--connect PORTS|--no-connect] [--osc-port N] "
				       "[--duration S] [--name CLIENT] [--stopped] [-q]");
	mixdown_error err;
	mixdown_session *s = NULL;
	mixdown_status st = mixdown_session_load(path, &s, &err);
	if (st != MIXDOWN_SUCCESS)
		return cli_report_error(st, &err);
	mixdown_player *p = NULL;
	if ((st = mixdown_player_open(s, &opt, &p, &err)) != MIXDOWN_SUCCESS) {
		mixdown_session_free(s);
		return cli_report_error(st, &err);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	bool tty = !quiet && isatty(STDERR_FILENO);
	double t0 = now_s();
	mixdown_player_status ps;
	int rc = EXIT_OK;
	while (!stop_requested) {
		usleep(50000);
		mixdown_player_get_status(p, &ps);
		if (ps.error[0]) {
			fprintf(stderr, "\n%s: %s\n", cli_prog, ps.error);
			rc = EXIT_FAIL;
			break;
		}
		if (tty)
			fprintf(stderr, "\r%s %7.2f / %.2f s  peak %6.1f dBFS  underruns %llu  xruns %llu  ",
				ps.waiting ? "buffering" : ps.playing ? "playing  " : "stopped  ", ps.position, ps.end,
				isfinite(ps.peak_dbfs) ? ps.peak_dbfs : -99.9, (unsigned long long)ps.underruns,
				(unsigned long long)ps.xruns);
		if (duration > 0 ? now_s() - t0 >= duration : ps.position >= ps.end)
			break;
	}
	if (tty)
		fputc('\n', stderr);
	mixdown_player_close(p);
	mixdown_session_free(s);
	return rc;
}
