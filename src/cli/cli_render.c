/* mixdown — `mixdown render` and `mixdown check`.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* The progress line: only on a terminal, rewritten in place. */
static bool show_progress(void *user, double done, double total, float peak_dbfs, uint64_t clipped)
{
	(void)user;
	char peak[32];
	if (isfinite(peak_dbfs))
		snprintf(peak, sizeof peak, "%+.1f dBFS", peak_dbfs);
	else
		snprintf(peak, sizeof peak, "silent");
	fprintf(stderr, "\rrendering %6.1f / %.1f s  %3.0f%%  peak %s%s", done, total,
		total > 0 ? 100.0 * done / total : 100.0, peak, peak_dbfs > 0 || clipped ? "  CLIP" : "    ");
	if (done >= total)
		fputc('\n', stderr);
	fflush(stderr);
	return true;
}

static void json_number(const char *key, double v, bool comma)
{
	if (isfinite(v))
		printf("  \"%s\": %.6g%s\n", key, v, comma ? "," : "");
	else
		printf("  \"%s\": null%s\n", key, comma ? "," : "");
}

void cli_print_json_report(const mixdown_render_report *rep)
{
	printf("{\n  \"files\": [");
	for (size_t i = 0; i < rep->n_files; i++) {
		if (i)
			printf(", ");
		cli_json_string(rep->files[i]);
	}
	printf("],\n");
	json_number("duration", rep->duration, true);
	printf("  \"frames\": %llu,\n", (unsigned long long)rep->frames);
	printf("  \"sample_rate\": %.0f,\n", rep->sample_rate);
	printf("  \"channels\": %u,\n", rep->channels);
	json_number("peak_dbfs", rep->peak_dbfs, true);
	printf("  \"clipped_samples\": %llu,\n", (unsigned long long)rep->clipped_samples);
	printf("  \"nonfinite_samples\": %llu,\n", (unsigned long long)rep->nonfinite_samples);
	printf("  \"latency_frames\": %u,\n", rep->latency);
	json_number("integrated_lufs", rep->integrated_lufs, rep->mastered); /* "master" follows */
	if (rep->mastered) {
		printf("  \"master\": {\"met\": %s, ", rep->master_met ? "true" : "false");
		printf("\"gain\": %.3f, \"true_peak\": %.3f, \"limiting_max\": %.3f, \"warning\": ", rep->master_gain,
		       rep->master_true_peak, rep->master_limiting);
		if (rep->master_warning[0])
			cli_json_string(rep->master_warning);
		else
			printf("null");
		printf("}\n");
	}
	printf("}\n");
}

int cli_do_render(const mixdown_session *s, cli_render_args *a, mixdown_render_report *rep)
{
	if (!a->quiet && !a->json && isatty(STDERR_FILENO)) {
		a->opt.progress = show_progress;
		a->opt.progress_user = NULL;
	}
	mixdown_error err;
	mixdown_status st = mixdown_render(s, &a->opt, rep, &err);
	if (st != MIXDOWN_SUCCESS)
		return cli_report_error(st, &err);
	if (a->json)
		cli_print_json_report(rep);
	if (rep->clipped_samples && !a->quiet)
		fprintf(stderr,
			"%s: warning: %llu samples clipped at integer conversion (mix peak %+.2f dBFS); "
			"lower the master gain by %.1f dB or render --bits 32f\n",
			cli_prog, (unsigned long long)rep->clipped_samples, rep->peak_dbfs, ceil(rep->peak_dbfs * 10) / 10);
	if (rep->silent_inputs && !a->quiet)
		fprintf(stderr, "%s: warning: %u track%s with a live `input:` rendered as silence (heard only in "
			"`mixdown play`)\n", cli_prog, rep->silent_inputs, rep->silent_inputs == 1 ? "" : "s");
	if (rep->nonfinite_samples && !a->quiet)
		fprintf(stderr, "%s: warning: %llu NaN/Inf samples were replaced by silence\n", cli_prog,
			(unsigned long long)rep->nonfinite_samples);
	return EXIT_OK;
}

static int parse_render_option(cli_render_args *a, int argc, char **argv, int *i)
{
	const char *o = argv[*i];
#define NEED_VALUE()                                                                  \
	do {                                                                          \
		if (*i + 1 >= argc)                                                   \
			return cli_usage_error("option %s needs a value", o);         \
	} while (0)
	if (!strcmp(o, "-o") || !strcmp(o, "--output")) {
		NEED_VALUE();
		a->opt.output = argv[++*i];
	} else if (!strcmp(o, "--format")) {
		NEED_VALUE();
		const char *v = argv[++*i];
		if (!strcmp(v, "wav"))
			a->opt.format = MIXDOWN_FORMAT_WAV;
		else if (!strcmp(v, "flac"))
			a->opt.format = MIXDOWN_FORMAT_FLAC;
		else if (!strcmp(v, "aiff") || !strcmp(v, "aif"))
			a->opt.format = MIXDOWN_FORMAT_AIFF;
		else if (!strcmp(v, "rf64"))
			a->opt.format = MIXDOWN_FORMAT_RF64;
		else if (!strcmp(v, "ogg") || !strcmp(v, "vorbis"))
			a->opt.format = MIXDOWN_FORMAT_OGG;
		else if (!strcmp(v, "opus"))
			a->opt.format = MIXDOWN_FORMAT_OPUS;
		else if (!strcmp(v, "mp3"))
			a->opt.format = MIXDOWN_FORMAT_MP3;
		else
			return cli_usage_error("--format must be wav, rf64, flac, aiff, ogg, opus or mp3, not '%s'", v);
	} else if (!strcmp(o, "--quality")) {
		NEED_VALUE();
		char *end;
		long q = strtol(argv[++*i], &end, 10);
		if (*end || q < 1 || q > 10)
			return cli_usage_error("--quality must be 1 (smallest) .. 10 (best), not '%s'", argv[*i]);
		a->opt.quality = (int)q;
	} else if (!strcmp(o, "--description")) {
		NEED_VALUE();
		a->opt.description = argv[++*i];
	} else if (!strcmp(o, "--no-bwf")) {
		a->opt.no_bwf = true;
	} else if (!strcmp(o, "--threads")) { /* cores for the tracks' inserts (mixdown_render_options.threads) */
		NEED_VALUE();
		const char *v = argv[++*i];
		char *end;
		long t = strtol(v, &end, 10);
		if (!strcmp(v, "auto"))
			a->opt.threads = 0;
		else if (*end || end == v || t < 1 || t > 64)
			return cli_usage_error("--threads needs a number of threads 1..64 or auto, not '%s'", v);
		else
			a->opt.threads = (unsigned)t;
	} else if (!strcmp(o, "--binaural")) {
		a->opt.binaural = true;
	} else if (!strcmp(o, "--hrtf")) {
		NEED_VALUE();
		a->opt.hrtf = argv[++*i];
	} else if (!strcmp(o, "--bits")) {
		NEED_VALUE();
		const char *v = argv[++*i];
		if (!strcmp(v, "16"))
			a->opt.sample_format = MIXDOWN_SAMPLE_INT16;
		else if (!strcmp(v, "24"))
			a->opt.sample_format = MIXDOWN_SAMPLE_INT24;
		else if (!strcmp(v, "32f") || !strcmp(v, "32"))
			a->opt.sample_format = MIXDOWN_SAMPLE_FLOAT32;
		else
			return cli_usage_error("--bits must be 16, 24 or 32f, not '%s'", v);
	} else if (!strcmp(o, "--range")) {
		NEED_VALUE();
		a->opt.range = argv[++*i];
	} else if (!strcmp(o, "--rate")) {
		NEED_VALUE();
		char *end;
		double r = strtod(argv[++*i], &end);
		if (*end || r < 8000 || r > 384000)
			return cli_usage_error("--rate must be a sample rate in Hz (8000..384000)");
		a->opt.sample_rate = r;
	} else if (!strcmp(o, "--dither")) {
		NEED_VALUE();
		const char *v = argv[++*i];
		if (!strcmp(v, "auto"))
			a->opt.dither = MIXDOWN_DITHER_AUTO;
		else if (!strcmp(v, "always") || !strcmp(v, "on"))
			a->opt.dither = MIXDOWN_DITHER_ALWAYS;
		else if (!strcmp(v, "off") || !strcmp(v, "none"))
			a->opt.dither = MIXDOWN_DITHER_OFF;
		else if (!strcmp(v, "shaped"))
			a->opt.dither = MIXDOWN_DITHER_SHAPED;
		else
			return cli_usage_error("--dither must be auto, always, shaped or off, not '%s'", v);
	} else if (!strcmp(o, "--stems")) {
		NEED_VALUE();
		a->opt.stems_dir = argv[++*i];
	} else if (!strcmp(o, "--downmix")) {
		NEED_VALUE();
		a->opt.downmix = argv[++*i];
	} else if (!strcmp(o, "--stem-tracks")) {
		a->opt.stems_tracks = true;
	} else if (!strcmp(o, "--json")) {
		a->json = true;
	} else if (!strcmp(o, "-q") || !strcmp(o, "--quiet")) {
		a->quiet = true;
	} else if (!strcmp(o, "-v") || !strcmp(o, "--verbose")) {
		a->verbose = true;
	} else {
		return cli_usage_error("unknown option '%s'", o);
	}
#undef NEED_VALUE
	return -1; /* handled */
}

static int load(const char *path, mixdown_session **s)
{
	mixdown_error err;
	mixdown_status st = mixdown_session_load(path, s, &err);
	if (st != MIXDOWN_SUCCESS) {
		/* A session that names a missing or broken file is an invalid
		 * session: exit 2 like every other session error. */
		cli_report_error(st, &err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int cli_render(int argc, char **argv)
{
	cli_render_args a = { .opt = mixdown_render_options_init() };
	const char *session_path = NULL;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1] != '\0') {
			int rc = parse_render_option(&a, argc, argv, &i);
			if (rc >= 0)
				return rc;
		} else if (!session_path) {
			session_path = argv[i];
		} else {
			return cli_usage_error("unexpected argument '%s'", argv[i]);
		}
	}
	if (!session_path)
		return cli_usage_error("render needs a SESSION file");
	if (a.opt.stems_tracks && !a.opt.stems_dir)
		return cli_usage_error("--stem-tracks needs --stems DIR");
	if (a.json && a.opt.output && !strcmp(a.opt.output, "-"))
		return cli_usage_error("--json and -o - both want standard output");
	mixdown_session *s = NULL;
	char dp_tmp[4096] = ""; /* a .dawproject is imported into a temporary folder first */
	int rc = cli_is_dawproject(session_path) ? cli_dawproject_load(session_path, &s, dp_tmp, sizeof dp_tmp, a.quiet)
						 : load(session_path, &s);
	if (rc != EXIT_OK) {
		cli_dawproject_cleanup(dp_tmp);
		return rc;
	}
	mixdown_render_report rep;
	rc = cli_do_render(s, &a, &rep);
	if (rc == EXIT_OK && !a.quiet && !a.json) {
		fprintf(stderr, "%s: wrote %s: %.2f s, %u ch, %.0f Hz, peak %+.2f dBFS, %.1f LUFS integrated\n", cli_prog,
			rep.files[0], rep.duration, rep.channels, rep.sample_rate, rep.peak_dbfs, rep.integrated_lufs);
		if (rep.mastered)
			fprintf(stderr, "%s: mastered: gain %+.2f dB, true peak %.2f dBTP, limiter %.1f dB at most%s\n",
				cli_prog, rep.master_gain, rep.master_true_peak, rep.master_limiting,
				rep.master_met ? "" : ", TARGET MISSED");
		if (rep.mastered && rep.master_warning[0])
			fprintf(stderr, "%s: warning: %s\n", cli_prog, rep.master_warning);
		if (a.verbose)
			for (size_t i = 1; i < rep.n_files; i++)
				fprintf(stderr, "%s: wrote stem %s\n", cli_prog, rep.files[i]);
	}
	mixdown_session_free(s);
	cli_dawproject_cleanup(dp_tmp);
	return rc;
}

int cli_check(int argc, char **argv)
{
	if (argc != 2)
		return cli_usage_error("usage: mixdown check SESSION");
	mixdown_session *s = NULL;
	int rc = load(argv[1], &s);
	if (rc != EXIT_OK)
		return rc;
	mixdown_engine *e = NULL;
	mixdown_error err;
	mixdown_status st = mixdown_engine_create(s, 1024, &e, &err);
	if (st != MIXDOWN_SUCCESS) {
		mixdown_session_free(s);
		return cli_report_error(st, &err);
	}
	printf("%s: ok: %zu tracks, %zu buses, %u channels at %.0f Hz, %.3f s, latency %u frames\n", argv[1],
	       mixdown_session_track_count(s), mixdown_session_bus_count(s), mixdown_engine_channels(e),
	       mixdown_engine_sample_rate(e), (double)mixdown_engine_length(e) / mixdown_engine_sample_rate(e),
	       mixdown_engine_latency(e));
	mixdown_engine_free(e);
	mixdown_session_free(s);
	return EXIT_OK;
}
