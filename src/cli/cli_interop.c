/* mixdown — `mixdown import` and `mixdown export` (DAWproject), and the
 * loading of a .dawproject for `mixdown render` (imported into a temporary
 * folder that is removed after the render). Public API only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void json_list(const char *key, char (*list)[256], size_t n, bool comma)
{
	printf("  \"%s\": [", key);
	for (size_t i = 0; i < n; i++) {
		if (i)
			printf(", ");
		cli_json_string(list[i]);
	}
	printf("]%s\n", comma ? "," : "");
}

static void print_json(const mixdown_dawproject_report *r)
{
	printf("{\n  \"tracks\": %zu,\n  \"buses\": %zu,\n  \"clips\": %zu,\n  \"lanes\": %zu,\n  \"inserts\": %zu,\n",
	       r->n_tracks, r->n_buses, r->n_clips, r->n_lanes, r->n_inserts);
	printf("  \"audio_dir\": ");
	if (r->audio_dir[0])
		cli_json_string(r->audio_dir);
	else
		printf("null");
	printf(",\n");
	json_list("missing", (char(*)[256])r->missing, r->n_missing, true);
	json_list("placeholders", (char(*)[256])r->placeholders, r->n_placeholders, true);
	json_list("lost", (char(*)[256])r->lost, r->n_lost, false);
	printf("}\n");
}

static void print_notes(const mixdown_dawproject_report *r)
{
	for (size_t i = 0; i < r->n_missing; i++)
		fprintf(stderr, "%s: warning: missing audio: %s (its clips are left out)\n", cli_prog, r->missing[i]);
	for (size_t i = 0; i < r->n_placeholders; i++)
		fprintf(stderr, "%s: placeholder: %s\n", cli_prog, r->placeholders[i]);
	for (size_t i = 0; i < r->n_lost; i++)
		fprintf(stderr, "%s: not carried over: %s\n", cli_prog, r->lost[i]);
}

typedef struct {
	const char *in, *out, *xsd;
	bool force, json, quiet;
} args;

static int parse(int argc, char **argv, args *a, const char *what)
{
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		if (!strcmp(o, "-o") || !strcmp(o, "--output") || !strcmp(o, "--validate")) {
			if (i + 1 >= argc)
				return cli_usage_error("option %s needs a value", o);
			*(o[2] == 'v' ? &a->xsd : &a->out) = argv[++i];
		} else if (!strcmp(o, "--force")) {
			a->force = true;
		} else if (!strcmp(o, "--json")) {
			a->json = true;
		} else if (!strcmp(o, "-q") || !strcmp(o, "--quiet")) {
			a->quiet = true;
		} else if (o[0] == '-' && o[1]) {
			return cli_usage_error("unknown option '%s'", o);
		} else if (!a->in) {
			a->in = o;
		} else {
			return cli_usage_error("unexpected argument '%s'", o);
		}
	}
	if (!a->in || !a->out)
		return cli_usage_error("usage: %s", what);
	return -1;
}

int cli_import(int argc, char **argv)
{
	args a = {0};
	int rc = parse(argc, argv, &a, "mixdown import PROJECT.dawproject -o SESSION.yaml [--force] [--json]");
	if (rc >= 0)
		return rc;
	if (a.xsd)
		return cli_usage_error("--validate belongs to export");
	mixdown_dawproject_report *r = calloc(1, sizeof *r);
	if (!r)
		return EXIT_FAIL;
	mixdown_error err;
	mixdown_status st = mixdown_dawproject_import(a.in, a.out, a.force, r, &err);
	if (st != MIXDOWN_SUCCESS) {
		free(r);
		return cli_report_error(st, &err);
	}
	if (a.json)
		print_json(r);
	if (!a.quiet) {
		print_notes(r);
		fprintf(stderr,
			"%s: wrote %s: %zu tracks, %zu buses, %zu clips, %zu automation lanes, %zu inserts%s%s\n",
			cli_prog, a.out, r->n_tracks, r->n_buses, r->n_clips, r->n_lanes, r->n_inserts,
			r->audio_dir[0] ? "; audio in " : "", r->audio_dir);
	}
	free(r);
	return EXIT_OK;
}

int cli_export(int argc, char **argv)
{
	args a = {0};
	int rc = parse(argc, argv, &a,
		       "mixdown export SESSION -o PROJECT.dawproject [--force] [--validate Project.xsd] [--json]");
	if (rc >= 0)
		return rc;
	mixdown_session *s = NULL;
	mixdown_error err;
	mixdown_status st = mixdown_session_load(a.in, &s, &err);
	if (st != MIXDOWN_SUCCESS) {
		cli_report_error(st, &err);
		return EXIT_USAGE;
	}
	mixdown_dawproject_report *r = calloc(1, sizeof *r);
	if (!r) {
		mixdown_session_free(s);
		return EXIT_FAIL;
	}
	st = mixdown_dawproject_export(s, a.out, a.force, r, &err);
	mixdown_session_free(s);
	if (st == MIXDOWN_SUCCESS && a.xsd)
		st = mixdown_dawproject_validate(a.out, a.xsd, &err);
	if (st != MIXDOWN_SUCCESS) {
		free(r);
		rc = cli_report_error(st, &err);
		return st == MIXDOWN_ERR_SESSION ? EXIT_FAIL : rc; /* an invalid result is a failure, not bad input */
	}
	if (a.json)
		print_json(r);
	if (!a.quiet) {
		print_notes(r);
		fprintf(stderr, "%s: wrote %s: %zu tracks, %zu buses, %zu clips, %zu automation lanes, %zu devices%s\n",
			cli_prog, a.out, r->n_tracks, r->n_buses, r->n_clips, r->n_lanes, r->n_inserts,
			a.xsd ? "; validates" : "");
	}
	free(r);
	return EXIT_OK;
}

bool cli_is_dawproject(const char *path)
{
	size_t n = strlen(path);
	return n > 11 && !strcmp(path + n - 11, ".dawproject");
}

int cli_dawproject_load(const char *path, mixdown_session **s, char *tmpdir, size_t cap, bool quiet)
{
	*s = NULL;
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, cap, "%s/mixdown-dawproject-XXXXXX", base && base[0] ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		tmpdir[0] = '\0';
		fprintf(stderr, "%s: cannot create a temporary folder\n", cli_prog);
		return EXIT_FAIL;
	}
	char session[4200];
	snprintf(session, sizeof session, "%s/session.yaml", tmpdir);
	mixdown_dawproject_report *r = calloc(1, sizeof *r);
	if (!r)
		return EXIT_FAIL;
	mixdown_error err;
	mixdown_status st = mixdown_dawproject_import(path, session, true, r, &err);
	int rc = EXIT_OK;
	if (st != MIXDOWN_SUCCESS) {
		cli_report_error(st, &err);
		rc = EXIT_USAGE;
	} else if (r->n_missing) {
		/* A mix without some of its audio is not the mix: refuse, like a session naming a missing file. */
		for (size_t i = 0; i < r->n_missing; i++)
			fprintf(stderr, "%s: %s: missing audio: %s\n", cli_prog, path, r->missing[i]);
		rc = EXIT_USAGE;
	} else {
		if (!quiet)
			for (size_t i = 0; i < r->n_placeholders; i++)
				fprintf(stderr, "%s: warning: not hosted (bypassed): %s\n", cli_prog,
					r->placeholders[i]);
		if (!quiet)
			for (size_t i = 0; i < r->n_lost; i++)
				fprintf(stderr, "%s: warning: not carried over: %s\n", cli_prog, r->lost[i]);
		st = mixdown_session_load(session, s, &err);
		if (st != MIXDOWN_SUCCESS)
			cli_report_error(st, &err), rc = EXIT_USAGE;
	}
	free(r);
	return rc;
}

void cli_dawproject_cleanup(const char *tmpdir)
{
	if (!tmpdir[0])
		return;
	char p[4400];
	/* Only what import writes there: session.yaml and session-audio/. */
	snprintf(p, sizeof p, "%s/session-audio", tmpdir);
	DIR *d = opendir(p);
	for (struct dirent *e; d && (e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char f[4800];
		snprintf(f, sizeof f, "%s/%s", p, e->d_name);
		unlink(f);
	}
	if (d)
		closedir(d);
	rmdir(p);
	snprintf(p, sizeof p, "%s/session.yaml", tmpdir);
	unlink(p);
	rmdir(tmpdir);
}
