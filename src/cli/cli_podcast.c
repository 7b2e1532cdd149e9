/* mixdown — `mixdown podcast VOICE... [--music BED] -o EPISODE [--session FILE] [--target PRESET]`:
 * a leveled, ducked, mastered episode from voice recordings and a music bed (docs/podcast.md).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Prints what it did: each voice's speech loudness and gain, the leveling
 * ride's range, the bed's gain and ducking depth, the episode's loudness and
 * true peak. Public API only; main thread. Exit 0 ok, 1 failure, 2 bad usage.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] = "podcast VOICE.wav... [--music BED.wav] -o EPISODE.wav [--session FILE.yaml] "
			    "[--target PRESET] [-q]";

int cli_podcast(int argc, char **argv)
{
	const char *voices[MIXDOWN_PODCAST_MAX_VOICES];
	mixdown_podcast_options o = { .voices = voices };
	bool quiet = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_arg = i + 1 < argc;
		if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && has_arg)
			o.output = argv[++i];
		else if (!strcmp(a, "--music") && has_arg)
			o.music = argv[++i];
		else if (!strcmp(a, "--session") && has_arg)
			o.session_path = argv[++i];
		else if (!strcmp(a, "--target") && has_arg)
			o.target = argv[++i];
		else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
			quiet = true;
		else if (a[0] == '-' && a[1] != '\0')
			return cli_usage_error("podcast: unknown option or missing value '%s' (usage: mixdown %s)", a,
					usage);
		else if (o.n_voices == MIXDOWN_PODCAST_MAX_VOICES)
			return cli_usage_error("podcast: at most %d voices", MIXDOWN_PODCAST_MAX_VOICES);
		else
			voices[o.n_voices++] = a;
	}
	if (!o.n_voices || !o.output)
		return cli_usage_error("podcast: %s (usage: mixdown %s)",
				o.n_voices ? "missing -o EPISODE" : "no voice files",
				       usage);
	if (o.target && !mixdown_master_preset_find(o.target))
		return cli_usage_error("podcast: unknown target '%s' (see mixdown master --help)", o.target);
	mixdown_podcast_report rep;
	mixdown_error err;
	mixdown_status st = mixdown_podcast(&o, &rep, &err);
	if (st != MIXDOWN_SUCCESS)
		return cli_report_error(st, &err);
	if (quiet)
		return EXIT_OK;
	for (size_t i = 0; i < rep.n_voices; i++)
		printf("voice %-24s speech %6.1f LUFS  gain %+5.1f dB  leveling ride %+5.1f..%+5.1f dB (%zu points)\n",
		       voices[i], rep.voice_lufs[i], rep.voice_gain_db[i], rep.ride_min_db[i], rep.ride_max_db[i],
		       rep.ride_points[i]);
	if (o.music)
		printf("music %-24s %6.1f LUFS  gain %+5.1f dB  ducked %.0f dB under the voices\n", o.music,
				rep.music_lufs,
		       rep.music_gain_db, rep.duck_db);
	if (o.session_path)
		printf("session %s\n", o.session_path);
	const mixdown_render_report *r = &rep.render;
	printf("episode %s: %.1f s, %.1f LUFS, %.1f dBTP%s\n", o.output, r->duration, r->integrated_lufs,
	       r->master_true_peak, r->mastered ? (r->master_met ? " (target met)" : " (target not met)") : "");
	if (r->master_warning[0])
		printf("warning: %s\n", r->master_warning);
	return EXIT_OK;
}
