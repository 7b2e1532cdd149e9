/* mixdown — `mixdown new` and `mixdown demo`.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_new(int argc, char **argv)
{
	const char *dir = NULL, *out = NULL;
	bool force = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
			if (++i >= argc)
				return cli_usage_error("-o needs a value");
			out = argv[i];
		} else if (!strcmp(argv[i], "--force")) {
			force = true;
		} else if (argv[i][0] == '-') {
			return cli_usage_error("unknown option '%s'", argv[i]);
		} else if (!dir) {
			dir = argv[i];
		} else {
			return cli_usage_error("unexpected argument '%s'", argv[i]);
		}
	}
	if (!dir || !out)
		return cli_usage_error("usage: mixdown new DIR-OF-STEMS -o SESSION [--force]");
	mixdown_error err;
	mixdown_status st = mixdown_session_write_from_folder(dir, out, force, &err);
	if (st != MIXDOWN_SUCCESS)
		return cli_report_error(st, &err);
	fprintf(stderr, "%s: wrote %s\n", cli_prog, out);
	return EXIT_OK;
}

int cli_demo(int argc, char **argv)
{
	const char *dir = "mixdown-demo";
	cli_render_args a = { .opt = mixdown_render_options_init() };
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			a.json = true;
		else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			a.quiet = true;
		else if (argv[i][0] == '-')
			return cli_usage_error("unknown option '%s'", argv[i]);
		else
			dir = argv[i];
	}
	mixdown_error err;
	mixdown_status st = mixdown_demo_write(dir, &err);
	if (st != MIXDOWN_SUCCESS)
		return cli_report_error(st, &err);
	char session_path[1024], mix_path[1024], stems_path[1024];
	snprintf(session_path, sizeof session_path, "%s/session.yaml", dir);
	snprintf(mix_path, sizeof mix_path, "%s/mix.wav", dir);
	snprintf(stems_path, sizeof stems_path, "%s/bus-stems", dir);
	mixdown_session *s = NULL;
	if ((st = mixdown_session_load(session_path, &s, &err)) != MIXDOWN_SUCCESS)
		return cli_report_error(st, &err);
	a.opt.output = mix_path;
	a.opt.stems_dir = stems_path;
	mixdown_render_report rep;
	int rc = cli_do_render(s, &a, &rep);
	if (rc == EXIT_OK && !a.json && !a.quiet) {
		printf("mixdown demo\n");
		printf("  stems and session: %s/ (session: %s)\n", dir, session_path);
		printf("  mix:               %s\n", mix_path);
		printf("  bus stems:         %s/\n\n", stems_path);
		printf("The demo song has %zu tracks on %zu buses and renders to %.1f s of %u-channel audio at %.0f Hz. "
		       "The mix peaks at %+.2f dBFS%s and measures %.1f LUFS integrated (ITU-R BS.1770); "
		       "%llu samples clipped. Edit %s and run 'mixdown render %s -o mix.wav' to hear your changes.\n",
		       mixdown_session_track_count(s), mixdown_session_bus_count(s), rep.duration, rep.channels,
		       rep.sample_rate, rep.peak_dbfs, rep.peak_dbfs > 0 ? " (over full scale)" : "",
		       rep.integrated_lufs, (unsigned long long)rep.clipped_samples, session_path, session_path);
	}
	mixdown_session_free(s);
	return rc;
}
