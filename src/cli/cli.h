/* mixdown — the command line: shared declarations of the subcommands.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The command uses only the public API (mixdown/mixdown.h). Exit codes:
 * 0 success, 1 failure (I/O, rendering), 2 bad usage or invalid session. */
#ifndef MIXDOWN_CLI_H
#define MIXDOWN_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "mixdown/mixdown.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

extern const char *cli_prog;

int cli_render(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_fx(int argc, char **argv);
int cli_new(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_analyze(int argc, char **argv);
int cli_master(int argc, char **argv);
int cli_target(int argc, char **argv); /* cli_target.c: target build|list|show */
int cli_translate(int argc, char **argv); /* cli_translate.c */
int cli_automix(int argc, char **argv); /* cli_automix.c: the mix assistant */
int cli_play(int argc, char **argv); /* cli_play.c: real-time playback */
int cli_diff(int argc, char **argv); /* cli_diff.c: mix changes between two sessions */
int cli_serve(int argc, char **argv); /* cli_serve.c: the browser mixing console (docs/console.md) */
int cli_import(int argc, char **argv); /* cli_interop.c: DAWproject -> session */
int cli_export(int argc, char **argv); /* cli_interop.c: session -> DAWproject */
int cli_clean(int argc, char **argv); /* cli_clean.c: clean-up before the mix (docs/clean.md) */
int cli_comp(int argc, char **argv); /* cli_comp.c: takes side by side, --pick (comping) */
int cli_podcast(int argc, char **argv); /* cli_podcast.c: voices + bed -> episode (docs/podcast.md) */
/* cli_interop.c: `render` of a .dawproject: import into a new temporary folder
 * (tmpdir, cap >= 64), load the session; cleanup removes what import wrote. */
bool cli_is_dawproject(const char *path);
int cli_dawproject_load(const char *path, mixdown_session **s, char *tmpdir, size_t cap, bool quiet);
void cli_dawproject_cleanup(const char *tmpdir);

/* Print "mixdown: <formatted error>" to stderr and return the exit code for st. */
int cli_report_error(mixdown_status st, const mixdown_error *err);
/* Print a usage error and return EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Exit code for a status: load/usage problems are 2, others 1. */
int cli_exit_code(mixdown_status st);

/* cli_output.c: an output file written to PATH.tmp-XXXXXX and renamed into
 * place by cli_output_commit (which closes f; with ok false, or on a write
 * error, the temporary file is removed and the target left as it was).
 * open returns NULL after printing the reason; commit returns EXIT_OK or
 * EXIT_FAIL. tmp must hold strlen(path) + 12 bytes. */
bool cli_same_file(const char *a, const char *b); /* same inode (both exist) */
FILE *cli_output_open(const char *path, char *tmp, size_t cap);
int cli_output_commit(FILE *f, const char *tmp, const char *path, bool ok);

/* cli_output.c: `s` as a JSON string (quotes, escapes) on stdout. */
void cli_json_string(const char *s);

/* cli_analyze_report.c: text of comparisons + feedback, and of a multitrack analysis. */
void cli_print_comparisons(const mixdown_analysis *a);
void cli_print_multitrack(const mixdown_multitrack_analysis *m);

/* Render a loaded session; shared by `render` and `demo`. */
typedef struct {
	mixdown_render_options opt;
	bool json, quiet, verbose;
} cli_render_args;
int cli_do_render(const mixdown_session *s, cli_render_args *a, mixdown_render_report *rep);
void cli_print_json_report(const mixdown_render_report *rep);

#endif
