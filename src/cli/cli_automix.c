/* mixdown — `mixdown automix STEMS... | DIR -o SESSION [--genre G] [--reference REF]
 * [--render MIX] [--explain] [--force]`: a balanced, commented starting
 * session from raw stems (mixdown_automix_*, docs/automix.md).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Writes the session (temporary file renamed into place; an existing file
 * only with --force), prints the decisions with --explain, and with --render
 * loads the written session and renders it (mastered to the session's
 * target) to MIX. Exit 0 on success, 1 when reading, rendering or writing
 * fails, 2 for bad usage. Main thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help_text[] =
	"usage: mixdown automix STEMS... | DIR -o SESSION [--genre G] [--reference REF]\n"
	"                      [--render MIX] [--explain] [--force]\n"
	"\n"
	"Prepares and balances raw stems as an engineer would before mixing: names cleaned,\n"
	"roles recognized (from names, else from the audio), tracks ordered and grouped into\n"
	"buses, silent stems removed, multi-mic polarity and time offsets fixed, clip gains\n"
	"staged, faders set from measured loudness toward role/genre offsets, parts panned,\n"
	"the master set to the genre's delivery target. Every decision is a comment in the\n"
	"session written.\n"
	"\n"
	"  -o, --output SESSION  the session file to write\n"
	"  --genre G             pop (default), rock, hiphop, electronic, acoustic, classical, podcast\n"
	"  --reference REF       master to this record's loudness (tonal match: mixdown master --reference)\n"
	"  --render MIX          also render the session (mastered) to MIX\n"
	"  --explain             print the decisions and their reasons\n"
	"  --force               replace an existing SESSION\n"
	"\n"
	"Exit status: 0 success, 1 reading, rendering or writing failed, 2 bad usage.\n";

int cli_automix(int argc, char **argv)
{
	const char **inputs = calloc((size_t)argc, sizeof *inputs);
	if (!inputs)
		return EXIT_FAIL;
	size_t n = 0;
	const char *out = NULL, *render = NULL;
	bool explain = false, force = false;
	mixdown_automix_options opt = mixdown_automix_options_init();
	int rc = EXIT_OK;
	for (int i = 1; i < argc && rc == EXIT_OK; i++) {
		const char *o = argv[i];
		bool value = !strcmp(o, "-o") || !strcmp(o, "--output") || !strcmp(o, "--genre") ||
			     !strcmp(o, "--reference") || !strcmp(o, "--render");
		if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			fputs(help_text, stdout);
			free(inputs);
			return EXIT_OK;
		} else if (value && i + 1 >= argc) {
			rc = cli_usage_error("option %s needs a value", o);
		} else if (!strcmp(o, "-o") || !strcmp(o, "--output")) {
			out = argv[++i];
		} else if (!strcmp(o, "--genre")) {
			opt.genre = argv[++i];
		} else if (!strcmp(o, "--reference")) {
			opt.reference = argv[++i];
		} else if (!strcmp(o, "--render")) {
			render = argv[++i];
		} else if (!strcmp(o, "--explain")) {
			explain = true;
		} else if (!strcmp(o, "--force")) {
			force = true;
		} else if (o[0] == '-' && o[1]) {
			rc = cli_usage_error("automix: unknown option '%s'", o);
		} else {
			inputs[n++] = o;
		}
	}
	if (rc == EXIT_OK && !n)
		rc = cli_usage_error("automix: no stems given");
	if (rc == EXIT_OK && !out)
		rc = cli_usage_error("automix: -o SESSION is required");
	if (rc != EXIT_OK) {
		free(inputs);
		return rc;
	}
	mixdown_error err = { 0 };
	mixdown_automix *am = NULL;
	mixdown_status st = mixdown_automix_plan(inputs, n, &opt, &am, &err);
	free(inputs);
	if (st == MIXDOWN_SUCCESS)
		st = mixdown_automix_write(am, out, force, &err);
	if (st != MIXDOWN_SUCCESS) {
		mixdown_automix_free(am);
		return cli_report_error(st, &err);
	}
	if (explain && mixdown_automix_explain(am, stdout) != 0)
		rc = EXIT_FAIL;
	mixdown_automix_free(am);
	if (!explain)
		printf("wrote %s\n", out);
	if (!render || rc != EXIT_OK)
		return rc;
	mixdown_session *s = NULL;
	if ((st = mixdown_session_load(out, &s, &err)) != MIXDOWN_SUCCESS)
		return cli_report_error(st, &err);
	mixdown_render_options ro = mixdown_render_options_init();
	ro.output = render;
	mixdown_render_report rep;
	st = mixdown_render(s, &ro, &rep, &err);
	mixdown_session_free(s);
	if (st != MIXDOWN_SUCCESS)
		return cli_report_error(st, &err);
	printf("rendered %s: %.2f s, %.1f LUFS, peak %.1f dBFS%s\n", render, rep.duration, rep.integrated_lufs,
	       rep.peak_dbfs, rep.mastered ? (rep.master_met ? ", master meets its target" : ", master MISSED its target")
					   : "");
	if (rep.master_warning[0])
		printf("warning: %s\n", rep.master_warning);
	return EXIT_OK;
}
