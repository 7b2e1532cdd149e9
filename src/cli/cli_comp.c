/* mixdown — `mixdown comp SESSION TRACK [--section S] [--pick TAKE:FROM-TO]`: a comped track's
 * takes side by side (level and peak per section, the take the comp plays), and picking a take
 * for a range, written into the session (docs/session-format.md, "Comping").
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Times are seconds or bar:beat on the session's tempo map. Public API only;
 * main thread. Exit 0 ok, 1 failure, 2 bad usage or invalid session.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] = "comp SESSION TRACK [--section SECONDS] [--pick TAKE:FROM-TO]";

static void print_table(const mixdown_comp_table *t)
{
	printf("%-19s", "section (s)");
	for (size_t k = 0; k < t->n_takes; k++)
		printf("  %-8.8s rms/peak dB", t->take_names[k]);
	printf("  comp\n");
	for (size_t i = 0; i < t->n_sections; i++) {
		const mixdown_comp_section *s = &t->sections[i];
		printf("%8.2f - %8.2f", s->start, s->end);
		for (size_t k = 0; k < t->n_takes; k++) {
			char rms[16], pk[16];
			snprintf(rms, sizeof rms, isfinite(s->rms_db[k]) ? "%.1f" : "-", s->rms_db[k]);
			snprintf(pk, sizeof pk, isfinite(s->peak_db[k]) ? "%.1f" : "-", s->peak_db[k]);
			printf("  %c %7s %7s  ", (int)k == s->chosen ? '*' : ' ', rms, pk);
		}
		printf("  %s\n", s->chosen >= 0 ? t->take_names[s->chosen] : "(gap)");
	}
}

int cli_comp(int argc, char **argv)
{
	const char *path = NULL, *track = NULL, *pick = NULL;
	double section = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--section") && i + 1 < argc) {
			char *end = NULL;
			section = strtod(argv[++i], &end);
			if (!end || *end || !(section > 0))
				return cli_usage_error("comp: --section needs seconds > 0, got '%s'", argv[i]);
		} else if (!strcmp(a, "--pick") && i + 1 < argc) {
			pick = argv[++i];
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_usage_error("comp: unknown option or missing value '%s' (usage: mixdown %s)", a,
					usage);
		} else if (!path) {
			path = a;
		} else if (!track) {
			track = a;
		} else {
			return cli_usage_error("comp: too many arguments (usage: mixdown %s)", usage);
		}
	}
	if (!path || !track)
		return cli_usage_error("comp: missing SESSION or TRACK (usage: mixdown %s)", usage);
	mixdown_error err;
	mixdown_session *s = NULL;
	mixdown_status st = mixdown_session_load(path, &s, &err);
	if (st != MIXDOWN_SUCCESS)
		return cli_report_error(st, &err);
	if (pick) {
		/* TAKE:FROM-TO; the take name is everything before the last ':' that precedes the range. */
		char buf[512];
		snprintf(buf, sizeof buf, "%s", pick);
		char *dash = strrchr(buf, '-');
		char *colon = NULL;
		for (char *c = buf; dash && c < dash; c++)
			if (*c == ':') {
				colon = c;
				break;
			}
		if (!dash || !colon || colon == buf) {
			mixdown_session_free(s);
			return cli_usage_error("comp: --pick wants TAKE:FROM-TO, e.g. B:12.5-20, got '%s'", pick);
		}
		*colon = '\0';
		*dash = '\0';
		double from = 0, to = 0;
		if ((st = mixdown_session_position(s, colon + 1, &from, &err)) != MIXDOWN_SUCCESS ||
		    (st = mixdown_session_position(s, dash + 1, &to, &err)) != MIXDOWN_SUCCESS) {
			mixdown_session_free(s);
			return cli_report_error(st, &err);
		}
		mixdown_session_free(s);
		s = NULL;
		if ((st = mixdown_comp_pick(path, track, buf, from, to, &err)) != MIXDOWN_SUCCESS)
			return cli_report_error(st, &err);
		printf("%s: take %s plays %.3f-%.3f s\n", path, buf, from, to);
		if ((st = mixdown_session_load(path, &s, &err)) != MIXDOWN_SUCCESS)
			return cli_report_error(st, &err);
	}
	mixdown_comp_table t;
	st = mixdown_comp_table_build(s, track, section, &t, &err);
	mixdown_session_free(s);
	if (st != MIXDOWN_SUCCESS)
		return cli_report_error(st, &err);
	print_table(&t);
	mixdown_comp_table_free(&t);
	return EXIT_OK;
}
