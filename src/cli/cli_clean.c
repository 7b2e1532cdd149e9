/* mixdown — `mixdown clean SESSION [TRACK...] [--apply] [--strip-silence]
 * [--declick] [--declip] [--denoise] [--dehum] [--dc] [--align REF] [--json]`:
 * editing and clean-up before the mix, proposed and with --apply written into
 * the session (mixdown_clean, docs/clean.md). SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Without detector options every detector but alignment runs; naming one or
 * more runs only those. Exit 0 on success, 1 when reading audio or writing the
 * session fails, 2 for bad usage, an invalid session or an unknown track.
 * Main thread only.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help_text[] =
	"usage: mixdown clean SESSION [TRACK...] [--apply] [--strip-silence] [--declick] [--declip]\n"
	"                     [--denoise] [--dehum] [--dc] [--align REF] [--json]\n"
	"\n"
	"Finds what to clean on each track (all clip tracks, or the TRACKs named) and proposes\n"
	"non-destructive fixes: silent regions become clip gaps (with fades), DC offset a\n"
	"highpass insert, clicks/clipping/hum/noise the declick/declip/dehum/denoise inserts,\n"
	"time and polarity offsets against REF clip moves (plus a finedelay insert for the\n"
	"fraction of a sample) and `invert`. Audio files are\n"
	"never written.\n"
	"\n"
	"  --apply           write the proposals into SESSION (comments kept; temp file + rename)\n"
	"  --strip-silence --declick --declip --denoise --dehum --dc\n"
	"                    run only these detectors (default: all of them)\n"
	"  --align REF       align the tracks to track REF (time by cross-correlation, polarity)\n"
	"  --json            the report as JSON\n"
	"\n"
	"Exit status: 0 success, 1 reading or writing failed, 2 bad usage, invalid session or unknown track.\n";

int cli_clean(int argc, char **argv)
{
	const char **tracks = calloc((size_t)argc, sizeof *tracks);
	if (!tracks)
		return EXIT_FAIL;
	size_t n = 0;
	const char *session = NULL;
	mixdown_clean_options opt = mixdown_clean_options_init();
	mixdown_clean_options only = { 0 };
	bool some = false;
	int rc = EXIT_OK;
	for (int i = 1; i < argc && rc == EXIT_OK; i++) {
		const char *o = argv[i];
		if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			fputs(help_text, stdout);
			free(tracks);
			return EXIT_OK;
		} else if (!strcmp(o, "--apply")) {
			opt.apply = true;
		} else if (!strcmp(o, "--json")) {
			opt.json = true;
		} else if (!strcmp(o, "--align")) {
			if (i + 1 >= argc)
				rc = cli_usage_error("option --align needs a track name");
			else
				opt.align_ref = argv[++i];
		} else if (!strcmp(o, "--strip-silence")) {
			only.strip_silence = some = true;
		} else if (!strcmp(o, "--declick")) {
			only.declick = some = true;
		} else if (!strcmp(o, "--declip")) {
			only.declip = some = true;
		} else if (!strcmp(o, "--denoise")) {
			only.denoise = some = true;
		} else if (!strcmp(o, "--dehum")) {
			only.dehum = some = true;
		} else if (!strcmp(o, "--dc")) {
			only.dc = some = true;
		} else if (o[0] == '-' && o[1]) {
			rc = cli_usage_error("clean: unknown option '%s'", o);
		} else if (!session) {
			session = o;
		} else {
			tracks[n++] = o;
		}
	}
	if (rc == EXIT_OK && !session)
		rc = cli_usage_error("clean: no session given");
	if (rc != EXIT_OK) {
		free(tracks);
		return rc;
	}
	/* Naming detectors (or only --align) runs just those. */
	if (some || opt.align_ref) {
		opt.strip_silence = only.strip_silence;
		opt.declick = only.declick;
		opt.declip = only.declip;
		opt.denoise = only.denoise;
		opt.dehum = only.dehum;
		opt.dc = only.dc;
	}
	opt.tracks = tracks;
	opt.n_tracks = n;
	mixdown_error err = { 0 };
	mixdown_status st = mixdown_clean(session, &opt, stdout, &err);
	free(tracks);
	if (st != MIXDOWN_SUCCESS)
		return cli_report_error(st, &err);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}
