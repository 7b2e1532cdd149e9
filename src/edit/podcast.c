/* mixdown — `mixdown podcast`: builds the session of an episode from voice files and a music bed, and renders it.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The session is ordinary session YAML (so the user can open and change it):
 *  - one track per voice: `preset: voice` (docs/podcast.md), a static clip
 *    gain that brings its speech loudness to VOICE_LUFS before the chain (so
 *    every speaker meets the compressor at the same level), and a `trim` lane
 *    that rides slow level changes (podcast_level.c); all voices go to the bus
 *    `Voices`;
 *  - the bed: a clip gain to BED_LUFS (unducked, BED_LUFS - VOICE_LUFS under
 *    the voices' level), cut 2 s after the last voice with a fade, and a
 *    `follow:` lane on its fader keyed by `Voices` that ducks it DUCK_DB while
 *    anyone speaks (attack 80 ms, release 1200 ms: it comes back in pauses
 *    between sentences, not between syllables);
 *  - `master: target:` the mastering preset (default `podcast`: -16 LUFS,
 *    -1 dBTP; src/master).
 * Control thread; reads the inputs, writes the session and the episode.
 */
#include "edit/podcast.h"

#include <ebur128.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/text_out.h"
#include "session/yaml_quote.h"

#define VOICE_LUFS -24.0   /* speech into the voice chain */
#define BED_LUFS -30.0     /* unducked bed */
#define DUCK_DB -12.0      /* bed under speech */
#define GAIN_LIMIT 24.0    /* clip gains stay within the session's range */

static double clamp_gain(double g)
{
	return fmin(GAIN_LIMIT, fmax(-GAIN_LIMIT, g));
}

/* Track name from the file name: the base name without its extension. */
static void track_name(const char *path, size_t i, char *out, size_t size, char names[][64], size_t n_names)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t len = strcspn(b, ".");
	if (len == 0 || len > 48)
		snprintf(out, size, "Voice %zu", i + 1);
	else
		snprintf(out, size, "%.*s", (int)len, b);
	bool clash = !strcmp(out, "master") || !strcmp(out, "Voices") || !strcmp(out, "Music");
	for (size_t k = 0; k < n_names; k++)
		clash |= !strcmp(out, names[k]);
	if (clash) {
		char tmp[64];
		snprintf(tmp, sizeof tmp, "%.40s %zu", out, i + 1);
		snprintf(out, size, "%s", tmp);
	}
}

/* Loudness (LUFS) of one voice through the voice chain: a one-track session
 * with its clip gain, rendered to memory and measured with libebur128. */
static mixdown_status chain_loudness(const char *path, double clip_gain, double *lufs, mixdown_error *err)
{
	char abs[PATH_MAX];
	if (!realpath(path, abs))
		snprintf(abs, sizeof abs, "%s", path);
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	if (!f)
		return MIXDOWN_ERR_NOMEM;
	fprintf(f, "mixdown: 1\ntracks:\n  - name: V\n    preset: voice\n    clips: [ { file: ");
	mxd_yaml_put_quoted(f, abs);
	fprintf(f, ", gain: %.2f } ]\n", clip_gain);
	if (fclose(f) != 0) {
		free(text);
		return MIXDOWN_ERR_NOMEM;
	}
	mixdown_session *s = NULL;
	mixdown_engine *e = NULL;
	mixdown_status st = mixdown_session_load_string(text, strlen(text), "<voice>", "/", &s, err);
	free(text);
	enum { BLOCK = 4096 };
	if (st == MIXDOWN_SUCCESS)
		st = mixdown_engine_create(s, BLOCK, &e, err);
	ebur128_state *m = NULL;
	float *buf = NULL, *inter = NULL;
	uint32_t ch = e ? mixdown_engine_channels(e) : 0;
	if (ch > MXD_MAX_CHANNELS)
		st = mxd_fail(err, MIXDOWN_ERR_INTERNAL, NULL, (mxd_loc){ 0, 0 }, NULL, "too many channels (%u)", ch);
	if (st == MIXDOWN_SUCCESS) {
		m = ebur128_init(ch, (unsigned long)mixdown_engine_sample_rate(e), EBUR128_MODE_I);
		buf = malloc(sizeof(float) * BLOCK * ch);
		inter = malloc(sizeof(float) * BLOCK * ch);
		if (!m || !buf || !inter)
			st = MIXDOWN_ERR_NOMEM;
	}
	for (uint64_t done = 0, total = e ? mixdown_engine_length(e) : 0; st == MIXDOWN_SUCCESS && done < total;) {
		uint32_t n = total - done < BLOCK ? (uint32_t)(total - done) : BLOCK;
		float *planes[MXD_MAX_CHANNELS];
		for (uint32_t c = 0; c < ch; c++)
			planes[c] = buf + (size_t)c * BLOCK;
		if ((st = mixdown_engine_process(e, planes, n, err)) != MIXDOWN_SUCCESS)
			break;
		for (uint32_t i = 0; i < n; i++)
			for (uint32_t c = 0; c < ch; c++)
				inter[(size_t)i * ch + c] = planes[c][i];
		ebur128_add_frames_float(m, inter, n);
		done += n;
	}
	*lufs = -HUGE_VAL;
	if (st == MIXDOWN_SUCCESS)
		ebur128_loudness_global(m, lufs);
	if (m)
		ebur128_destroy(&m);
	free(buf);
	free(inter);
	mixdown_engine_free(e);
	mixdown_session_free(s);
	return st;
}

static void put_path(FILE *f, const char *dir, const char *path)
{
	char abs[PATH_MAX];
	if (!realpath(path, abs))
		snprintf(abs, sizeof abs, "%s", path);
	mxd_yaml_put_quoted(f, dir ? mxd_path_relative_to(dir, abs) : abs);
}

mixdown_status mxd_podcast_session(const mixdown_podcast_options *opt, const char *session_dir, char **text,
				   mixdown_podcast_report *rep, mixdown_error *err)
{
	*text = NULL;
	if (!opt->n_voices || opt->n_voices > MIXDOWN_PODCAST_MAX_VOICES)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL, "1 to %d voice files are needed",
				MIXDOWN_PODCAST_MAX_VOICES);
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	if (!f)
		return MIXDOWN_ERR_NOMEM;
	char names[MIXDOWN_PODCAST_MAX_VOICES][64];
	double end = 0;
	mixdown_status st = MIXDOWN_SUCCESS;
	rep->n_voices = opt->n_voices;
	fprintf(f, "# An episode written by `mixdown podcast` (docs/podcast.md); edit it and render it again\n"
		   "# with `mixdown render`.\nmixdown: 1\n\ntracks:\n");
	for (size_t i = 0; i < opt->n_voices && st == MIXDOWN_SUCCESS; i++) {
		mxd_podcast_level lv;
		if ((st = mxd_podcast_measure(opt->voices[i], &lv, err)) != MIXDOWN_SUCCESS)
			break;
		track_name(opt->voices[i], i, names[i], sizeof names[i], names, i);
		double gain = isfinite(lv.lufs) ? clamp_gain(VOICE_LUFS - lv.lufs) : 0.0, fader = 0.0, out = -HUGE_VAL;
		/* The chain changes loudness differently per voice (spectrum, crest factor): the fader
		 * brings each voice's chain output to the same level. */
		if (isfinite(lv.lufs) && (st = chain_loudness(opt->voices[i], gain, &out, err)) != MIXDOWN_SUCCESS) {
			mxd_podcast_level_free(&lv);
			break;
		}
		if (isfinite(out))
			fader = clamp_gain(VOICE_LUFS - out);
		rep->voice_lufs[i] = lv.lufs;
		rep->voice_gain_db[i] = gain + fader;
		rep->ride_points[i] = lv.n_ride;
		rep->ride_min_db[i] = rep->ride_max_db[i] = 0;
		end = fmax(end, lv.duration);
		fprintf(f, "  - name: ");
		mxd_yaml_put_quoted(f, names[i]);
		fprintf(f, "\n    clips: [ { file: ");
		put_path(f, session_dir, opt->voices[i]);
		fprintf(f, ", gain: %.2f } ]   # speech at %.1f LUFS as recorded\n", gain, lv.lufs);
		fprintf(f, "    preset: voice\n    gain: %.2f   # the chain's output to %g LUFS\n    output: Voices\n",
				fader,
			VOICE_LUFS);
		if (lv.n_ride) {
			fprintf(f, "    automation:\n      # leveling: slow trim toward the speaker's own average "
				   "(+-10 dB, 1 s points)\n      trim: [");
			for (size_t k = 0; k < lv.n_ride; k++) {
				double v = round(lv.ride[k].db * 100.0) / 100.0;
				if (v == 0)
					v = 0; /* no "-0.00" */
				rep->ride_min_db[i] = fmin(rep->ride_min_db[i], v);
				rep->ride_max_db[i] = fmax(rep->ride_max_db[i], v);
				fprintf(f, "%s[%g, %.2f, smooth]", k ? (k % 6 ? ", " : ",\n        ") : " ",
						lv.ride[k].time,
					v);
			}
			fprintf(f, " ]\n");
		}
		mxd_podcast_level_free(&lv);
	}
	rep->duck_db = 0;
	rep->music_lufs = -INFINITY;
	rep->music_gain_db = 0;
	if (st == MIXDOWN_SUCCESS && opt->music) {
		mxd_podcast_level lv;
		if ((st = mxd_podcast_measure(opt->music, &lv, err)) == MIXDOWN_SUCCESS) {
			double gain = isfinite(lv.lufs) ? clamp_gain(BED_LUFS - lv.lufs) : 0.0;
			double len = fmin(lv.duration, end + 2.0), fade = fmin(2.0, len / 2.0);
			rep->music_lufs = lv.lufs;
			rep->music_gain_db = gain;
			rep->duck_db = DUCK_DB;
			fprintf(f, "  - name: Music\n    clips: [ { file: ");
			put_path(f, session_dir, opt->music);
			fprintf(f, ", gain: %.2f, length: %.3f, fade_out: %.3f } ]   # bed at %.1f LUFS as recorded\n",
				gain, len, fade, lv.lufs);
			fprintf(f, "    automation:\n      # ducked under the voices\n"
				   "      gain: { follow: { source: Voices, threshold: -40, range: %g, attack: 80, "
				   "release: 1200 } }\n",
				DUCK_DB);
			mxd_podcast_level_free(&lv);
		}
	}
	fprintf(f, "\nbuses:\n  - name: Voices\n\nmaster:\n  target: { preset: %s }\n",
		opt->target ? opt->target : "podcast");
	if (fclose(f) != 0) {
		free(buf);
		return st != MIXDOWN_SUCCESS ? st : MIXDOWN_ERR_NOMEM;
	}
	if (st != MIXDOWN_SUCCESS) {
		free(buf);
		return st;
	}
	*text = buf;
	return MIXDOWN_SUCCESS;
}

static mixdown_status write_file(const char *path, const char *text, mixdown_error *err)
{
	char tmp[PATH_MAX + 32];
	FILE *f = mxd_text_out_open(path, tmp, sizeof tmp, err);
	if (!f)
		return MIXDOWN_ERR_IO;
	bool ok = fputs(text, f) >= 0;
	return mxd_text_out_commit(f, tmp, path, ok, err);
}

mixdown_status mixdown_podcast(const mixdown_podcast_options *opt, mixdown_podcast_report *rep, mixdown_error *err)
{
	mixdown_podcast_report local;
	if (!rep)
		rep = &local;
	memset(rep, 0, sizeof *rep);
	if (!opt->output)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL, "no output file");
	if (opt->target && !mixdown_master_preset_find(opt->target))
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL,
				"unknown mastering preset \"%s\"",
				opt->target);
	/* Paths relative to the session's folder when a session is written. */
	char dir[PATH_MAX] = "", *dirp = NULL;
	if (opt->session_path) {
		snprintf(dir, sizeof dir, "%s", opt->session_path);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		else
			snprintf(dir, sizeof dir, ".");
		char abs[PATH_MAX];
		if (realpath(dir, abs)) {
			snprintf(dir, sizeof dir, "%s", abs);
			dirp = dir;
		}
	}
	char *text = NULL;
	mixdown_status st = mxd_podcast_session(opt, dirp, &text, rep, err);
	if (st != MIXDOWN_SUCCESS)
		return st;
	mixdown_session *s = NULL;
	st = mixdown_session_load_string(text, strlen(text), opt->session_path ? opt->session_path : "<podcast>",
					 dirp ? dirp : "/", &s, err);
	if (st == MIXDOWN_SUCCESS && opt->session_path)
		st = write_file(opt->session_path, text, err);
	free(text);
	if (st != MIXDOWN_SUCCESS) {
		mixdown_session_free(s);
		return st;
	}
	mixdown_render_options ro = mixdown_render_options_init();
	ro.output = opt->output;
	ro.stems_dir = opt->stems_dir;
	ro.stems_tracks = opt->stems_dir != NULL;
	ro.description = "mixdown podcast";
	st = mixdown_render(s, &ro, &rep->render, err);
	mixdown_session_free(s);
	return st;
}
