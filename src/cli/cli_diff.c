/* mixdown — `mixdown diff A B`: the mix changes between two sessions, one
 * per line in mixing terms, or as JSON.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Exit status like diff(1): 0 the sessions mix the same, 1 they differ,
 * 2 bad usage or an invalid session (file:line:column). A is "-" to read the
 * older session from standard input, its files resolved against B's folder:
 *   git show HEAD~1:song.yaml | mixdown diff - song.yaml
 * Uses the public API only; main thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The whole of standard input (caller frees); NULL on failure. */
static char *slurp_stdin(size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t r = fread(buf + n, 1, cap - n, stdin);
		n += r;
		if (r == 0)
			break;
		if (n == cap) {
			char *bigger = realloc(buf, cap *= 2);
			if (!bigger) {
				free(buf);
				return NULL;
			}
			buf = bigger;
		}
	}
	if (!buf || ferror(stdin)) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

static int load(const char *path, const char *other, mixdown_session **s)
{
	mixdown_error err;
	mixdown_status st;
	if (!strcmp(path, "-")) {
		size_t len = 0;
		char *text = slurp_stdin(&len);
		if (!text)
			return cli_usage_error("cannot read the session from standard input");
		char dir[1024];
		snprintf(dir, sizeof dir, "%s", other);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		st = mixdown_session_load_string(text, len, "<stdin>", slash ? dir : ".", s, &err);
		free(text);
	} else {
		st = mixdown_session_load(path, s, &err);
	}
	if (st != MIXDOWN_SUCCESS) {
		cli_report_error(st, &err);
		return EXIT_USAGE; /* an unreadable session is a bad session, like `check` */
	}
	return EXIT_OK;
}

int cli_diff(int argc, char **argv)
{
	const char *pa = NULL, *pb = NULL;
	bool json = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_usage_error("unknown option '%s'", argv[i]);
		else if (!pa)
			pa = argv[i];
		else if (!pb)
			pb = argv[i];
		else
			return cli_usage_error("unexpected argument '%s'", argv[i]);
	}
	if (!pa || !pb)
		return cli_usage_error("usage: mixdown diff A B [--json]");
	if (!strcmp(pb, "-"))
		return cli_usage_error("only the first session (A) can be read from standard input");
	mixdown_session *a = NULL, *b = NULL;
	int rc = load(pa, pb, &a);
	if (rc == EXIT_OK)
		rc = load(pb, pa, &b);
	if (rc != EXIT_OK) {
		mixdown_session_free(a);
		return rc;
	}
	mixdown_diff *d = NULL;
	mixdown_error err;
	mixdown_status st = mixdown_session_diff(a, b, &d, &err);
	if (st != MIXDOWN_SUCCESS) {
		cli_report_error(st, &err);
		rc = EXIT_USAGE; /* diff(1): trouble is 2 */
	} else {
		if (json)
			mixdown_diff_write_json(d, stdout);
		else
			for (size_t i = 0; i < d->n; i++)
				printf("%s\n", d->changes[i].text);
		rc = d->n ? EXIT_FAIL : EXIT_OK;
		if (fflush(stdout) != 0)
			rc = EXIT_USAGE;
	}
	mixdown_diff_free(d);
	mixdown_session_free(a);
	mixdown_session_free(b);
	return rc;
}
