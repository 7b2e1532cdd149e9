/* mixdown — `mixdown serve`: the session played through JACK like `mixdown
 * play`, with a mixing console page served from the same process
 * (src/serve, docs/console.md). Runs until SIGINT/SIGTERM/SIGHUP; the
 * session file is watched (edits on disk reach the page) unless --no-watch.
 * Exit codes: 0 after a signal, 1 when JACK or the server cannot start,
 * 2 bad usage or session (also in builds without libwebsockets).
 * Control thread only: the server's event loop runs on it.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#ifdef MIXDOWN_HAVE_SERVE
#include "../serve/serve.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}
#endif

int cli_serve(int argc, char **argv)
{
#ifndef MIXDOWN_HAVE_SERVE
	(void)argc;
	(void)argv;
	fprintf(stderr, "%s: this mixdown was built without the console (needs JACK, liblo and libwebsockets)\n",
		cli_prog);
	return EXIT_USAGE;
#else
	static const char usage[] = "usage: mixdown serve SESSION [--port N] [--bind ADDR] "
				    "[--connect PORTS|--no-connect] [--osc-port N] [--no-watch] [--stopped] [--name CLIENT]";
	const char *path = NULL;
	serve_options so = { .bind = "127.0.0.1", .port = 8080 };
	mixdown_player_options opt = mixdown_player_options_init();
	bool watch = true;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--port") || !strcmp(a, "--osc-port")) {
			char *end = NULL;
			long v = ++i < argc ? strtol(argv[i], &end, 10) : -1;
			bool osc = a[2] == 'o';
			if (!end || *end || v < (osc ? 1 : 0) || v > 65535)
				return cli_usage_error("%s needs a port number %d..65535", a, osc ? 1 : 0);
			*(osc ? &opt.osc_port : &so.port) = (int)v;
		} else if (!strcmp(a, "--bind")) {
			if (++i >= argc)
				return cli_usage_error("--bind needs an address (0.0.0.0 = every interface; needs the token)");
			so.bind = argv[i];
		} else if (!strcmp(a, "--connect")) {
			if (++i >= argc)
				return cli_usage_error("--connect needs a comma-separated list of ports");
			opt.connect = argv[i];
		} else if (!strcmp(a, "--no-connect")) {
			opt.connect = "";
		} else if (!strcmp(a, "--name")) {
			if (++i >= argc)
				return cli_usage_error("--name needs a JACK client name");
			opt.client_name = argv[i];
		} else if (!strcmp(a, "--stopped")) {
			opt.start_stopped = true;
		} else if (!strcmp(a, "--no-watch")) {
			watch = false;
		} else if (a[0] == '-') {
			return cli_usage_error("unknown option '%s'\n%s", a, usage);
		} else if (!path) {
			path = a;
		} else {
			return cli_usage_error("unexpected argument '%s'", a);
		}
	}
	if (!path)
		return cli_usage_error("%s", usage);
	so.session_path = path;
	so.watching = watch;
	mixdown_error err;
	mixdown_session *s = NULL;
	mixdown_status st = mixdown_session_load(path, &s, &err);
	if (st != MIXDOWN_SUCCESS)
		return cli_report_error(st, &err);
	if (watch) /* saving the file in an editor swaps the edit in; the page follows */
		opt.watch_path = path;
	mixdown_player *p = NULL;
	if ((st = mixdown_player_open(s, &opt, &p, &err)) != MIXDOWN_SUCCESS) {
		mixdown_session_free(s);
		return cli_report_error(st, &err);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN); /* a browser closing mid-write */
	int rc = serve_run(p, s, &so, &stop_requested) ? EXIT_FAIL : EXIT_OK;
	mixdown_player_close(p);
	mixdown_session_free(s);
	return rc;
#endif
}
