/* mixdown — command line entry: dispatch to subcommands, help, version.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

const char *cli_prog = "mixdown";

static const char usage_text[] =
	"usage: mixdown COMMAND [ARGS]\n"
	"\n"
	"Commands:\n"
	"  render SESSION [-o OUT] [options]   render a session to a mix file (and stems)\n"
	"  check SESSION                       validate a session without rendering\n"
	"  new DIR -o SESSION [--force]        write a starting session from a folder of stems\n"
	"  demo [DIR]                          synthesize a demo song, its session, and render it\n"
	"  analyze FILE... [--json] [--target PRESET] [--loudness]\n"
	"                                      loudness, dynamics, stereo, problems, delivery\n"
	"  master IN -o OUT [--target PRESET | --loudness LUFS] [--true-peak DBTP]\n"
	"         [--reference REF [--amount PCT]] [--chain FILE] [--album] [--deliver LIST]\n"
	"                                      loudness-targeted, true-peak-limited master\n"
	"  target build DIR -o TARGET.json [--name NAME]\n"
	"                                      a spectral target from reference tracks\n"
	"  target list | show NAME|FILE        the built-in genre targets; a target's bands\n"
	"  automix STEMS...|DIR -o SESSION [--genre G] [--reference REF] [--render MIX] [--explain]\n"
	"                                      a balanced, commented starting session from raw stems\n"
	"  translate MIX [-o DIR] [--json] [--html REPORT.html]\n"
	"                                      how the mix sounds on phone, car, earbuds, mono, ...\n"
	"  play SESSION [--connect PORTS|--no-connect] [--osc-port N] [--duration S] [--binaural [--hrtf F]]\n"
	"                                      play through JACK, controllable over OSC (docs/osc.md)\n"
	"  serve SESSION [--port N] [--bind ADDR] [--connect PORTS|--no-connect]\n"
	"                                      play through JACK with a mixing console in the browser\n"
	"  import PROJECT.dawproject -o SESSION [--force] [--json]\n"
	"                                      a session from a DAWproject (docs/dawproject.md)\n"
	"  export SESSION -o PROJECT.dawproject [--force] [--validate Project.xsd]\n"
	"                                      the session as a DAWproject\n"
	"  diff A B [--json]                   the mix changes from session A to B (exit 1 when any)\n"
	"  clean SESSION [TRACK...] [--apply] [--strip-silence] [--declick] [--declip] [--denoise]\n"
	"        [--dehum] [--dc] [--align REF] [--json]\n"
	"                                      strip silence, DC, alignment, repairs (docs/clean.md)\n"
	"  comp SESSION TRACK [--section S] [--pick TAKE:FROM-TO]\n"
	"                                      a comped track's takes side by side; pick a take for a range\n"
	"  podcast VOICE... [--music BED] -o EPISODE [--session FILE] [--target PRESET]\n"
	"                                      leveled, ducked, -16 LUFS episode (docs/podcast.md)\n"
	"  fx list                             list the processors\n"
	"  fx info NAME                        print a processor's parameter table\n"
	"\n"
	"Render options:\n"
	"  -o, --output FILE     output file (.wav .rf64 .flac .aiff .ogg .opus .mp3); '-' writes WAV to stdout\n"
	"  --format FMT          wav | rf64 | flac | aiff | ogg | opus | mp3 (default: from the extension)\n"
	"  --quality Q           ogg, opus, mp3: 1 (smallest) .. 10 (best), default 7\n"
	"  --description TEXT    WAV: the BWF description (default: the session's name)\n"
	"  --no-bwf              WAV: no BWF bext chunk\n"
	"  --binaural            headphone version: the layout through virtual speakers and an HRTF\n"
	"  --hrtf FILE.sofa      HRTF for --binaural / layout: binaural (default: libmysofa's MIT KEMAR)\n"
	"  --bits B              16 | 24 | 32f (default: session export, else 24)\n"
	"  --rate HZ             output sample rate (default: the session's)\n"
	"  --range START-END     render a section (seconds or bar:beat, e.g. 17:1-25:1)\n"
	"  --dither MODE         auto (TPDF unless already on the grid) | always | shaped | off\n"
	"  --stems DIR           also write every bus, aligned with the mix\n"
	"  --stem-tracks         with --stems: every track as well\n"
	"  --downmix LIST        also OUT.5.1.wav / OUT.stereo.wav / OUT.mono.wav (ITU-R BS.775 fold-downs)\n"
	"  --threads N|auto      cores for the tracks' eq/compressor chains (default auto; same output for any N)\n"
	"  --json                print a machine-readable summary on stdout\n"
	"  -q, --quiet           print nothing but errors\n"
	"  -v, --verbose         print more detail\n"
	"\n"
	"Exit status: 0 success, 1 failure (reading, rendering or writing),\n"
	"2 bad usage or invalid session (messages name file:line:column and the key).\n"
	"See mixdown(1) and docs/session-format.md.\n";

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", cli_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'mixdown --help'.\n");
	return EXIT_USAGE;
}

int cli_exit_code(mixdown_status st)
{
	switch (st) {
	case MIXDOWN_SUCCESS: return EXIT_OK;
	case MIXDOWN_ERR_USAGE:
	case MIXDOWN_ERR_SESSION: return EXIT_USAGE;
	default: return EXIT_FAIL;
	}
}

int cli_report_error(mixdown_status st, const mixdown_error *err)
{
	char msg[2048];
	mixdown_error_format(err, msg, sizeof msg);
	fprintf(stderr, "%s: %s\n", cli_prog, msg[0] ? msg : mixdown_strerror(st));
	return cli_exit_code(st);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("missing command");
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("mixdown %s\n", MIXDOWN_VERSION_STRING);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "render"))
		return cli_render(argc - 1, argv + 1);
	if (!strcmp(cmd, "check"))
		return cli_check(argc - 1, argv + 1);
	if (!strcmp(cmd, "fx"))
		return cli_fx(argc - 1, argv + 1);
	if (!strcmp(cmd, "new"))
		return cli_new(argc - 1, argv + 1);
	if (!strcmp(cmd, "master"))
		return cli_master(argc - 1, argv + 1);
	if (!strcmp(cmd, "analyze"))
		return cli_analyze(argc - 1, argv + 1);
	if (!strcmp(cmd, "demo"))
		return cli_demo(argc - 1, argv + 1);
	if (!strcmp(cmd, "target"))
		return cli_target(argc - 1, argv + 1);
	if (!strcmp(cmd, "automix"))
		return cli_automix(argc - 1, argv + 1);
	if (!strcmp(cmd, "translate"))
		return cli_translate(argc - 1, argv + 1);
	if (!strcmp(cmd, "play"))
		return cli_play(argc - 1, argv + 1);
	if (!strcmp(cmd, "diff"))
		return cli_diff(argc - 1, argv + 1);
	if (!strcmp(cmd, "serve"))
		return cli_serve(argc - 1, argv + 1);
	if (!strcmp(cmd, "import"))
		return cli_import(argc - 1, argv + 1);
	if (!strcmp(cmd, "export"))
		return cli_export(argc - 1, argv + 1);
	if (!strcmp(cmd, "clean"))
		return cli_clean(argc - 1, argv + 1);
	if (!strcmp(cmd, "comp"))
		return cli_comp(argc - 1, argv + 1);
	if (!strcmp(cmd, "podcast"))
		return cli_podcast(argc - 1, argv + 1);
	return cli_usage_error("unknown command '%s'", cmd);
}
