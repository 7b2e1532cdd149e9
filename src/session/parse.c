/* mixdown — the session parser: YAML tree -> mxd_session (see docs/session-format.md).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Keys are looked up by name, so their order in a mapping never matters; the
 * top level is read in dependency order (tempo before anything holding a
 * bar:beat time, all strips before routing is checked). Every audio file's
 * header is opened with libsndfile to fill the clip's rate, channels and length.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "session/parse_internal.h"
#include "session/suggest.h"
#include "session/timeline.h"
#include "spatial/downmix.h"
#include "spatial/layout.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const top_keys[] = { "mixdown", "sample_rate", "channels", "layout", "tempo",
					"time_signature", "range", "tail", "timeline_origin", "tracks",
					"buses", "master", "export", "hrtf" };
static const char *const track_keys[] = { "name", "color", "group", "clips", "file", "input",
					  "gain", "mute", "solo", "invert", "pan",
					  "pan_law", "width", "output", "inserts", "sends", "automation",
					  "takes", "comp", "crossfade", "preset", "object", "surround", "lfe" };
static const char *const bus_keys[] = { "name", "color", "group", "gain", "mute",
					"solo", "solo_safe", "invert", "pan", "pan_law",
					"width", "output", "inserts", "sends", "automation", "lfe", "surround" };
static const char *const master_keys[] = { "gain", "inserts", "width", "invert", "automation", "target" };
static const char *const target_keys[] = { "preset", "loudness", "true_peak" };
static const char *const clip_keys[] = { "file", "at", "offset", "length", "gain",
					 "fade_in", "fade_out", "fade_curve", "fade_in_curve",
					 "fade_out_curve" };
static const char *const send_keys[] = { "to", "level", "pre" };
static const char *const object_keys[] = { "azimuth", "elevation", "distance", "spread", "air" };
static const char *const surround_keys[] = { "x", "y", "z" };
static const char *const tempo_keys[] = { "bar", "bpm", "meter" };
static const char *const range_keys[] = { "start", "end" };
static const char *const export_keys[] = { "file", "format", "bits", "sample_rate", "downmix" };
static const char *const curve_names[] = { "linear", "equal_power", "exp", "log", "scurve", NULL };
static const char *const format_names[] = { "wav", "flac", "aiff", "rf64", "ogg", "opus", "mp3", NULL };

/* ------------------------------------------------------------ tempo and meter */

static mixdown_status read_meter(mxd_pctx *c, const mxy_node *n, uint32_t *num, uint32_t *den)
{
	char got[96];
	unsigned a = 0, b = 0;
	int used = 0;
	if (n->kind != MXY_SCALAR || n->len > 16 || sscanf(n->str, "%u/%u%n", &a, &b, &used) != 2 ||
	    (size_t)used != n->len || n->str[0] < '0' || n->str[0] > '9')
		return px_fail(c, MIXDOWN_ERR_SESSION, n->loc, "expected a meter such as \"4/4\" or \"6/8\", got %s",
			       px_describe(n, got, sizeof got));
	if (a < 1 || a > 64)
		return px_fail(c, MIXDOWN_ERR_SESSION, n->loc, "%u beats per bar is out of range [1, 64]", a);
	if (b != 1 && b != 2 && b != 4 && b != 8 && b != 16 && b != 32)
		return px_fail(c, MIXDOWN_ERR_SESSION, n->loc,
			       "the beat unit of %s must be 1, 2, 4, 8, 16 or 32, got %u", n->str, b);
	*num = a;
	*den = b;
	return MIXDOWN_SUCCESS;
}

static mixdown_status read_tempo(mxd_pctx *c, const mxy_node *root)
{
	mxd_session *s = c->s;
	uint32_t num = 4, den = 4;
	const mxy_node *ts = mxy_get(root, "time_signature", NULL);
	if (ts) {
		size_t old = px_key(c, "time_signature");
		PX_TRY(read_meter(c, ts, &num, &den));
		px_pop(c, old);
	}
	const mxy_node *t = mxy_get(root, "tempo", NULL);
	if (!t)
		return MIXDOWN_SUCCESS;
	size_t old = px_key(c, "tempo");
	char got[96];
	if (t->kind == MXY_SCALAR) {
		double bpm;
		PX_TRY(px_number(c, t, "bpm", 10, 999, false, &bpm));
		if (!(s->tempo = calloc(1, sizeof *s->tempo)))
			return px_nomem(c);
		s->n_tempo = 1;
		s->tempo[0] = (mxd_tempo_section){ .bar_start = 1, .bpm = bpm, .beats_per_bar = num, .beat_unit = den };
	} else if (t->kind == MXY_SEQ && t->n > 0) {
		if (!(s->tempo = calloc(t->n, sizeof *s->tempo)))
			return px_nomem(c);
		for (size_t i = 0; i < t->n; i++) {
			const mxy_node *m = t->items[i];
			mxd_tempo_section *sec = &s->tempo[i];
			size_t o2 = px_index(c, i);
			PX_TRY(px_check_map(c, m, "a tempo section {bar, bpm, meter}", tempo_keys, N(tempo_keys)));
			const mxy_node *bar;
			PX_TRY(px_require(c, m, "bar", &bar));
			size_t o3 = px_key(c, "bar");
			PX_TRY(px_number(c, bar, "", 1, 1e6, true, &sec->bar_start));
			if (i == 0 && sec->bar_start != 1)
				return px_fail(c, MIXDOWN_ERR_SESSION, bar->loc,
					       "the first tempo section must start at bar 1, got %s", bar->str);
			if (i > 0 && sec->bar_start <= s->tempo[i - 1].bar_start)
				return px_fail(c, MIXDOWN_ERR_SESSION, bar->loc,
					       "tempo sections must be in increasing bar order: bar %s comes after bar %.0f",
					       bar->str, s->tempo[i - 1].bar_start);
			px_pop(c, o3);
			if (i == 0) {
				const mxy_node *bpm;
				PX_TRY(px_require(c, m, "bpm", &bpm));
			} else {
				sec->bpm = s->tempo[i - 1].bpm;
				num = s->tempo[i - 1].beats_per_bar;
				den = s->tempo[i - 1].beat_unit;
			}
			PX_TRY(px_opt_number(c, m, "bpm", "bpm", 10, 999, false, &sec->bpm));
			const mxy_node *meter = mxy_get(m, "meter", NULL);
			if (meter) {
				o3 = px_key(c, "meter");
				PX_TRY(read_meter(c, meter, &num, &den));
				px_pop(c, o3);
			}
			sec->beats_per_bar = num;
			sec->beat_unit = den;
			s->n_tempo = i + 1;
			px_pop(c, o2);
		}
	} else {
		return px_fail(c, MIXDOWN_ERR_SESSION, t->loc,
			       "expected a number in bpm or a list of {bar, bpm, meter} sections, got %s",
			       t->kind == MXY_SEQ ? "an empty list" : px_describe(t, got, sizeof got));
	}
	mxd_timeline_prepare(s->tempo, s->n_tempo);
	px_pop(c, old);
	return MIXDOWN_SUCCESS;
}

/* --------------------------------------------------------------------- clips */

static char *join_path(const char *dir, const char *file)
{
	if (file[0] == '/' || !dir || !*dir)
		return strdup(file);
	size_t ld = strlen(dir), lf = strlen(file);
	char *p = malloc(ld + lf + 2);
	if (p) {
		memcpy(p, dir, ld);
		size_t o = ld;
		if (dir[ld - 1] != '/')
			p[o++] = '/';
		memcpy(p + o, file, lf + 1);
	}
	return p;
}

mixdown_status px_audio_file(mxd_pctx *c, const mxy_node *n, char **written, char **resolved, SF_INFO *info)
{
	PX_TRY(px_string(c, n, written));
	if (!(*written)[0])
		return px_fail(c, MIXDOWN_ERR_SESSION, n->loc, "expected a file path, got an empty string");
	if (!(*resolved = join_path(c->s->dir, *written)))
		return px_nomem(c);
	const char *w = *written;
	int fd = open(*resolved, O_RDONLY);
	if (fd < 0)
		return px_fail(c, MIXDOWN_ERR_AUDIO, n->loc, "cannot open '%s': %s", w, strerror(errno));
	struct stat sb;
	int is_dir = fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode);
	close(fd);
	if (is_dir)
		return px_fail(c, MIXDOWN_ERR_AUDIO, n->loc, "cannot open '%s': %s", w, strerror(EISDIR));
	memset(info, 0, sizeof *info);
	SNDFILE *f = sf_open(*resolved, SFM_READ, info);
	if (!f) {
		char why[256];
		snprintf(why, sizeof why, "%s", sf_strerror(NULL));
		size_t l = strlen(why);
		while (l > 0 && (why[l - 1] == '.' || why[l - 1] == '\n' || why[l - 1] == ' '))
			why[--l] = '\0';
		return px_fail(c, MIXDOWN_ERR_AUDIO, n->loc, "cannot read '%s' as audio: %s", w, why);
	}
	sf_close(f);
	if (info->samplerate <= 0 || info->channels <= 0 || info->frames <= 0)
		return px_fail(c, MIXDOWN_ERR_AUDIO, n->loc, "'%s' contains no audio", w);
	return MIXDOWN_SUCCESS;
}

/* `n` is the file name node; its key path is current. */
static mixdown_status open_audio(mxd_pctx *c, const mxy_node *n, mxd_clip *clip)
{
	SF_INFO info;
	PX_TRY(px_audio_file(c, n, &clip->file_written, &clip->file, &info));
	clip->file_rate = info.samplerate;
	clip->file_channels = (uint32_t)info.channels;
	clip->file_frames = info.frames;
	return MIXDOWN_SUCCESS;
}

static mixdown_status read_curve(mxd_pctx *c, const mxy_node *m, const char *key, mxd_fade_curve *out)
{
	const mxy_node *v = mxy_get(m, key, NULL);
	if (!v)
		return MIXDOWN_SUCCESS;
	size_t old = px_key(c, key);
	int idx = 0;
	PX_TRY(px_enum(c, v, curve_names, &idx));
	*out = (mxd_fade_curve)idx;
	px_pop(c, old);
	return MIXDOWN_SUCCESS;
}

/* A clip mapping; or, with `shorthand`, the `file:` value of a track. */
static mixdown_status read_clip(mxd_pctx *c, const mxy_node *m, mxd_clip *clip, bool shorthand)
{
	clip->length = -1;
	clip->loc = m->loc;
	if (shorthand) {
		size_t old = px_key(c, "file");
		PX_TRY(open_audio(c, m, clip));
		px_pop(c, old);
		return MIXDOWN_SUCCESS;
	}
	PX_TRY(px_check_map(c, m, "a clip with `file:`", clip_keys, N(clip_keys)));
	const mxy_node *file;
	PX_TRY(px_require(c, m, "file", &file));
	size_t old = px_key(c, "file");
	PX_TRY(open_audio(c, file, clip));
	px_pop(c, old);
	double dur = (double)clip->file_frames / clip->file_rate;
	char a[32], b[32];

	/* `at: bwf`: from the file's time reference, after the offset is known. */
	const mxy_node *at = mxy_get(m, "at", NULL);
	bool at_bwf = at && at->kind == MXY_SCALAR && strcmp(at->str, "bwf") == 0;
	if (!at_bwf)
		PX_TRY(px_opt_time(c, m, "at", &clip->at));
	PX_TRY(px_opt_number(c, m, "offset", "s", 0, INFINITY, false, &clip->offset));
	const mxy_node *v = mxy_get(m, "offset", NULL);
	if (v && clip->offset >= dur) {
		px_key(c, "offset");
		return px_fail(c, MIXDOWN_ERR_SESSION, v->loc, "offset %s s is not inside '%s' (%s s long)",
			       px_num(clip->offset, a, sizeof a), clip->file_written, px_num(dur, b, sizeof b));
	}
	if (at_bwf)
		PX_TRY(px_clip_at_bwf(c, at, clip));
	if ((v = mxy_get(m, "length", NULL))) {
		old = px_key(c, "length");
		PX_TRY(px_number(c, v, "s", 0, INFINITY, false, &clip->length));
		if (clip->length <= 0)
			return px_fail(c, MIXDOWN_ERR_SESSION, v->loc,
				       "value %s is out of range (greater than 0 s)", v->str);
		if (clip->offset + clip->length > dur + 0.5 / clip->file_rate)
			return px_fail(c, MIXDOWN_ERR_SESSION, v->loc,
				       "the clip runs past the end of '%s': offset + length = %s s, the file is %s s long",
				       clip->file_written, px_num(clip->offset + clip->length, a, sizeof a),
				       px_num(dur, b, sizeof b));
		px_pop(c, old);
	}
	PX_TRY(px_opt_db(c, m, "gain", &clip->gain_db));
	PX_TRY(px_opt_number(c, m, "fade_in", "s", 0, INFINITY, false, &clip->fade_in));
	PX_TRY(px_opt_number(c, m, "fade_out", "s", 0, INFINITY, false, &clip->fade_out));
	double len = clip->length >= 0 ? clip->length : dur - clip->offset;
	if (clip->fade_in + clip->fade_out > len + 1e-9) {
		const char *key = mxy_get(m, "fade_out", NULL) ? "fade_out" : "fade_in";
		v = mxy_get(m, key, NULL);
		px_key(c, key);
		return px_fail(c, MIXDOWN_ERR_SESSION, v->loc,
			       "fade_in + fade_out = %s s is longer than the clip (%s s)",
			       px_num(clip->fade_in + clip->fade_out, a, sizeof a), px_num(len, b, sizeof b));
	}
	mxd_fade_curve both = MXD_FADE_LINEAR;
	PX_TRY(read_curve(c, m, "fade_curve", &both));
	clip->fade_in_curve = clip->fade_out_curve = both;
	PX_TRY(read_curve(c, m, "fade_in_curve", &clip->fade_in_curve));
	PX_TRY(read_curve(c, m, "fade_out_curve", &clip->fade_out_curve));
	return MIXDOWN_SUCCESS;
}

/* -------------------------------------------------------------------- strips */

static bool valid_color(const char *s)
{
	if (strlen(s) != 7 || s[0] != '#')
		return false;
	for (int i = 1; i < 7; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

/* A previous track or bus already named `name`: writes its key path into `where`. */
static bool name_taken(const mxd_session *s, const char *name, char *where, size_t size)
{
	for (size_t i = 0; i < s->n_tracks; i++)
		if (s->tracks[i].name && strcmp(s->tracks[i].name, name) == 0) {
			snprintf(where, size, "tracks[%zu]", i);
			return true;
		}
	for (size_t i = 0; i < s->n_buses; i++)
		if (s->buses[i].name && strcmp(s->buses[i].name, name) == 0) {
			snprintf(where, size, "buses[%zu]", i);
			return true;
		}
	return false;
}

static mixdown_status read_name(mxd_pctx *c, const mxy_node *m, mxd_strip *st)
{
	const mxy_node *v;
	PX_TRY(px_require(c, m, "name", &v));
	size_t old = px_key(c, "name");
	char *name = NULL;
	PX_TRY(px_string(c, v, &name));
	char where[48];
	mixdown_status r = MIXDOWN_SUCCESS;
	if (!*name)
		r = px_fail(c, MIXDOWN_ERR_SESSION, v->loc, "expected a name, got an empty string");
	else if (strcmp(name, "master") == 0)
		r = px_fail(c, MIXDOWN_ERR_SESSION, v->loc, "the name \"master\" is reserved for the master bus");
	else if (name_taken(c->s, name, where, sizeof where))
		r = px_fail(c, MIXDOWN_ERR_SESSION, v->loc, "duplicate name \"%s\" (already used by %s)", name, where);
	if (r != MIXDOWN_SUCCESS) {
		free(name);
		return r;
	}
	st->name = name;
	px_pop(c, old);
	return MIXDOWN_SUCCESS;
}

static mixdown_status read_sends(mxd_pctx *c, const mxy_node *list, mxd_strip *st)
{
	PX_TRY(px_check_list(c, list, NULL));
	if (mxy_is_null(list) || list->n == 0)
		return MIXDOWN_SUCCESS;
	if (!(st->sends = calloc(list->n, sizeof *st->sends)))
		return px_nomem(c);
	st->n_sends = list->n;
	for (size_t i = 0; i < list->n; i++) {
		const mxy_node *m = list->items[i];
		mxd_send *sd = &st->sends[i];
		size_t old = px_index(c, i);
		PX_TRY(px_check_map(c, m, "a send with `to:`", send_keys, N(send_keys)));
		const mxy_node *to;
		PX_TRY(px_require(c, m, "to", &to));
		size_t o2 = px_key(c, "to");
		PX_TRY(px_string(c, to, &sd->to));
		px_pop(c, o2);
		sd->loc = to->loc;
		PX_TRY(px_opt_db(c, m, "level", &sd->level_db));
		PX_TRY(px_opt_bool(c, m, "pre", &sd->pre_fader));
		px_pop(c, old);
	}
	return MIXDOWN_SUCCESS;
}

/* Settings every strip kind shares (the allowed keys were checked already). */
static mixdown_status read_automation(mxd_pctx *c, const mxy_node *m, mxd_strip *st)
{
	const mxy_node *v = mxy_get(m, "automation", NULL);
	if (!v)
		return MIXDOWN_SUCCESS;
	size_t old = px_key(c, "automation");
	PX_TRY(px_automation(c, v, st));
	px_pop(c, old);
	return MIXDOWN_SUCCESS;
}

static mixdown_status read_spatial(mxd_pctx *c, const mxy_node *m, mxd_strip *st);

static mixdown_status read_strip_common(mxd_pctx *c, const mxy_node *m, mxd_strip *st)
{
	char got[96];
	const mxy_node *v;
	if ((v = mxy_get(m, "color", NULL))) {
		size_t old = px_key(c, "color");
		if (v->kind == MXY_SCALAR && v->plain && v->len == 0)
			return px_fail(c, MIXDOWN_ERR_SESSION, v->loc,
				       "expected a color \"#rrggbb\", got an empty value (quote it: a bare # starts a comment)");
		if (v->kind != MXY_SCALAR || !valid_color(v->str))
			return px_fail(c, MIXDOWN_ERR_SESSION, v->loc, "expected a color \"#rrggbb\", got %s",
				       px_describe(v, got, sizeof got));
		PX_TRY(px_string(c, v, &st->color));
		px_pop(c, old);
	}
	PX_TRY(px_opt_string(c, m, "group", &st->group));
	PX_TRY(px_opt_db(c, m, "gain", &st->gain_db));
	PX_TRY(px_opt_bool(c, m, "mute", &st->mute));
	PX_TRY(px_opt_bool(c, m, "solo", &st->solo));
	PX_TRY(px_opt_bool(c, m, "invert", &st->invert));
	PX_TRY(px_opt_number(c, m, "pan", "", -1, 1, false, &st->pan));
	if ((v = mxy_get(m, "pan_law", NULL))) {
		size_t old = px_key(c, "pan_law");
		double law = 0;
		if (v->kind == MXY_SCALAR && (strcmp(v->str, "-4.5") == 0 || strcmp(v->str, "-3") == 0 ||
					      strcmp(v->str, "-6") == 0 || strcmp(v->str, "0") == 0 ||
					      strcmp(v->str, "-3.0") == 0 || strcmp(v->str, "-6.0") == 0 ||
					      strcmp(v->str, "0.0") == 0))
			law = strtod(v->str, NULL);
		else
			return px_fail(c, MIXDOWN_ERR_SESSION, v->loc, "expected 0, -3, -4.5 or -6 (dB), got %s",
				       px_describe(v, got, sizeof got));
		st->pan_law_db = law == 0 ? 0.0 : law;
		px_pop(c, old);
	}
	PX_TRY(px_opt_number(c, m, "width", "", 0, 2, false, &st->width));
	PX_TRY(read_spatial(c, m, st));
	if ((v = mxy_get(m, "output", NULL))) {
		size_t old = px_key(c, "output");
		PX_TRY(px_string(c, v, &st->output));
		st->output_loc = v->loc;
		if (strcmp(st->output, "master") == 0) {
			free(st->output);
			st->output = NULL;
		}
		px_pop(c, old);
	}
	if ((v = mxy_get(m, "inserts", NULL))) {
		size_t old = px_key(c, "inserts");
		PX_TRY(px_inserts(c, v, &st->inserts, &st->n_inserts));
		px_pop(c, old);
	}
	PX_TRY(px_preset(c, m, st)); /* tracks only (bus keys exclude `preset`) */
	if ((v = mxy_get(m, "sends", NULL))) {
		size_t old = px_key(c, "sends");
		PX_TRY(read_sends(c, v, st));
		px_pop(c, old);
	}
	return read_automation(c, m, st);
}

/* The layout objects, beds and the LFE send pan into: `layout:`, else the
 * one a plain channel count implies (docs/spatial.md). */
static const mxd_layout *pan_layout(const mxd_session *s)
{
	return s->layout ? s->layout : mxd_layout_for_channels(s->channels);
}

/* `object:` (tracks), `surround:` and `lfe:` (tracks and buses). Runs before
 * the strip's automation, whose spatial lanes need these settings. */
static mixdown_status read_spatial(mxd_pctx *c, const mxy_node *m, mxd_strip *st)
{
	const mxy_node *v, *key;
	const mxd_layout *lay = pan_layout(c->s);
	if ((v = mxy_get(m, "object", &key))) {
		size_t old = px_key(c, "object");
		if (!lay)
			return px_fail(c, MIXDOWN_ERR_SESSION, key->loc,
				       "an object needs a speaker layout: give `layout:` (%s) at the top level",
				       mxd_layout_names());
		if (mxy_get(m, "surround", NULL))
			return px_fail(c, MIXDOWN_ERR_SESSION, key->loc,
				       "a track is either an `object:` or a `surround:` bed, not both");
		PX_TRY(px_check_map(c, v, "{azimuth, elevation, distance, spread, air}", object_keys, N(object_keys)));
		st->object.on = true;
		PX_TRY(px_opt_number(c, v, "azimuth", "degrees", -180, 180, false, &st->object.azimuth_deg));
		PX_TRY(px_opt_number(c, v, "elevation", "degrees", -90, 90, false, &st->object.elevation_deg));
		PX_TRY(px_opt_number(c, v, "distance", "", 0.1, 100, false, &st->object.distance));
		PX_TRY(px_opt_number(c, v, "spread", "degrees", 0, 180, false, &st->object.spread_deg));
		PX_TRY(px_opt_bool(c, v, "air", &st->object.air));
		if (st->object.azimuth_deg == -180.0)
			st->object.azimuth_deg = 180.0;
		px_pop(c, old);
	}
	if ((v = mxy_get(m, "surround", &key))) {
		size_t old = px_key(c, "surround");
		if (!lay)
			return px_fail(c, MIXDOWN_ERR_SESSION, key->loc,
				       "a surround bed needs a speaker layout: give `layout:` (%s) at the top level",
				       mxd_layout_names());
		PX_TRY(px_check_map(c, v, "{x, y, z}", surround_keys, N(surround_keys)));
		st->surround.on = true;
		st->surround.y = 1.0; /* default: the front wall, like a plain pan */
		PX_TRY(px_opt_number(c, v, "x", "", -1, 1, false, &st->surround.x));
		PX_TRY(px_opt_number(c, v, "y", "", -1, 1, false, &st->surround.y));
		PX_TRY(px_opt_number(c, v, "z", "", 0, 1, false, &st->surround.z));
		px_pop(c, old);
	}
	if ((v = mxy_get(m, "lfe", &key))) {
		size_t old = px_key(c, "lfe");
		if (!lay || lay->lfe < 0)
			return px_fail(c, MIXDOWN_ERR_SESSION, key->loc,
				       "the session has no LFE channel (layout %s); `lfe:` needs 5.1, 7.1, 5.1.2, "
				       "5.1.4 or 7.1.4", lay ? lay->name : "none");
		PX_TRY(px_db(c, v, &st->lfe_db));
		px_pop(c, old);
	}
	return MIXDOWN_SUCCESS;
}

static void strip_defaults(mxd_strip *st, mxd_strip_kind kind, mxd_loc loc)
{
	st->kind = kind;
	st->pan_law_db = -3.0;
	st->width = 1.0;
	st->object.distance = 1.0;
	st->lfe_db = -INFINITY;
	st->loc = loc;
}

/* `input: N` or `input: [L, R]`: live inputs in_N of the player (1-based).
 * The value node `n`; its key path is current. */
static mixdown_status read_input(mxd_pctx *c, const mxy_node *n, mxd_strip *st)
{
	char got[96];
	double v;
	if (n->kind == MXY_SCALAR) {
		PX_TRY(px_number(c, n, "", 1, MXD_MAX_INPUT_PORT, true, &v));
		st->inputs[st->n_inputs++] = (uint32_t)v;
		return MIXDOWN_SUCCESS;
	}
	if (n->kind != MXY_SEQ || n->n < 1 || n->n > MXD_MAX_CHANNELS)
		return px_fail(c, MIXDOWN_ERR_SESSION, n->loc,
			       "expected an input number or a list of 1 to %d input numbers, got %s", MXD_MAX_CHANNELS,
			       px_describe(n, got, sizeof got));
	for (size_t i = 0; i < n->n; i++) {
		size_t old = px_index(c, i);
		PX_TRY(px_number(c, n->items[i], "", 1, MXD_MAX_INPUT_PORT, true, &v));
		st->inputs[st->n_inputs++] = (uint32_t)v;
		px_pop(c, old);
	}
	return MIXDOWN_SUCCESS;
}

static mixdown_status read_track(mxd_pctx *c, const mxy_node *m, mxd_strip *st)
{
	PX_TRY(px_check_map(c, m, "a track with `name:`", track_keys, N(track_keys)));
	strip_defaults(st, MXD_STRIP_TRACK, m->loc);
	PX_TRY(read_name(c, m, st));
	const mxy_node *file_key, *file = mxy_get(m, "file", &file_key);
	const mxy_node *clips = mxy_get(m, "clips", NULL);
	if (file && clips) {
		px_key(c, "file");
		return px_fail(c, MIXDOWN_ERR_SESSION, file_key->loc,
			       "a track has either `file:` or `clips:`, not both");
	}
	const mxy_node *input_key, *input = mxy_get(m, "input", &input_key);
	if (input && (file || clips)) {
		px_key(c, "input");
		return px_fail(c, MIXDOWN_ERR_SESSION, input_key->loc,
			       "a track plays either a live `input:` or `%s:`, not both", file ? "file" : "clips");
	}
	PX_TRY(px_takes(c, m, st));
	if (input) {
		size_t old = px_key(c, "input");
		PX_TRY(read_input(c, input, st));
		px_pop(c, old);
	}
	if (file) {
		if (!(st->clips = calloc(1, sizeof *st->clips)))
			return px_nomem(c);
		st->n_clips = 1;
		PX_TRY(read_clip(c, file, &st->clips[0], true));
	} else if (clips) {
		size_t old = px_key(c, "clips");
		PX_TRY(px_check_list(c, clips, NULL));
		if (!mxy_is_null(clips) && clips->n > 0) {
			if (!(st->clips = calloc(clips->n, sizeof *st->clips)))
				return px_nomem(c);
			st->n_clips = clips->n;
			for (size_t i = 0; i < clips->n; i++) {
				size_t o2 = px_index(c, i);
				PX_TRY(read_clip(c, clips->items[i], &st->clips[i], false));
				px_pop(c, o2);
			}
		}
		px_pop(c, old);
	}
	return read_strip_common(c, m, st);
}

static mixdown_status read_bus(mxd_pctx *c, const mxy_node *m, mxd_strip *st, bool *solo_safe_given)
{
	PX_TRY(px_check_map(c, m, "a bus with `name:`", bus_keys, N(bus_keys)));
	strip_defaults(st, MXD_STRIP_BUS, m->loc);
	PX_TRY(read_name(c, m, st));
	*solo_safe_given = mxy_get(m, "solo_safe", NULL) != NULL;
	PX_TRY(px_opt_bool(c, m, "solo_safe", &st->solo_safe));
	return read_strip_common(c, m, st);
}

/* master: target: { preset, loudness, true_peak }: the export is mastered. */
static mixdown_status read_master_target(mxd_pctx *c, const mxy_node *m)
{
	mxd_session *s = c->s;
	PX_TRY(px_check_map(c, m, "target", target_keys, N(target_keys)));
	s->master_target = true;
	s->master_loudness = s->master_true_peak = NAN;
	const mxy_node *p = mxy_get(m, "preset", NULL);
	if (p) {
		size_t old = px_key(c, "preset");
		PX_TRY(px_string(c, p, &s->master_preset));
		if (!mixdown_master_preset_find(s->master_preset)) {
			char list[512] = "";
			for (size_t k = 0; k < mixdown_master_preset_count(); k++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "",
					 mixdown_master_preset_get(k)->name);
			return px_fail(c, MIXDOWN_ERR_SESSION, p->loc, "unknown mastering preset \"%s\" (one of: %s)",
				       s->master_preset, list);
		}
		px_pop(c, old);
	}
	PX_TRY(px_opt_number(c, m, "loudness", "LUFS", -70, 0, false, &s->master_loudness));
	PX_TRY(px_opt_number(c, m, "true_peak", "dBTP", -30, 0, false, &s->master_true_peak));
	if (!p && !isfinite(s->master_loudness))
		return px_fail(c, MIXDOWN_ERR_SESSION, m->loc, "a master target needs a preset or a loudness");
	return MIXDOWN_SUCCESS;
}

static mixdown_status read_master(mxd_pctx *c, const mxy_node *m)
{
	mxd_strip *st = &c->s->master;
	if (mxy_is_null(m))
		return MIXDOWN_SUCCESS;
	PX_TRY(px_check_map(c, m, NULL, master_keys, N(master_keys)));
	st->loc = m->loc;
	PX_TRY(px_opt_db(c, m, "gain", &st->gain_db));
	PX_TRY(px_opt_number(c, m, "width", "", 0, 2, false, &st->width));
	PX_TRY(px_opt_bool(c, m, "invert", &st->invert));
	const mxy_node *v = mxy_get(m, "inserts", NULL);
	if (v) {
		size_t old = px_key(c, "inserts");
		PX_TRY(px_inserts(c, v, &st->inserts, &st->n_inserts));
		px_pop(c, old);
	}
	if ((v = mxy_get(m, "target", NULL))) {
		size_t old = px_key(c, "target");
		PX_TRY(read_master_target(c, v));
		px_pop(c, old);
	}
	return read_automation(c, m, st);
}

/* A list of strips under `key` of the root. */
static mixdown_status read_strips(mxd_pctx *c, const mxy_node *root, const char *key, bool **given)
{
	mxd_session *s = c->s;
	const mxy_node *list = mxy_get(root, key, NULL);
	if (!list)
		return MIXDOWN_SUCCESS;
	size_t old = px_key(c, key);
	PX_TRY(px_check_list(c, list, NULL));
	if (mxy_is_null(list) || list->n == 0)
		return MIXDOWN_SUCCESS;
	bool bus = strcmp(key, "buses") == 0;
	mxd_strip *arr = calloc(list->n, sizeof *arr);
	if (!arr)
		return px_nomem(c);
	if (bus) {
		s->buses = arr;
		if (!(*given = calloc(list->n, sizeof **given)))
			return px_nomem(c);
	} else {
		s->tracks = arr;
	}
	for (size_t i = 0; i < list->n; i++) {
		size_t o2 = px_index(c, i);
		/* Count the strip before reading it so that a partial one is freed. */
		if (bus)
			s->n_buses = i + 1;
		else
			s->n_tracks = i + 1;
		PX_TRY(bus ? read_bus(c, list->items[i], &arr[i], &(*given)[i])
			   : read_track(c, list->items[i], &arr[i]));
		px_pop(c, o2);
	}
	px_pop(c, old);
	return MIXDOWN_SUCCESS;
}

/* -------------------------------------------------------------------- export */

/* export: downmix: [5.1, stereo, mono] (or one name): the fold-downs written
 * next to the export, kept as the comma list `--downmix` takes. */
static mixdown_status read_export_downmix(mxd_pctx *c, const mxy_node *v)
{
	char got[96], list[64] = "";
	const mxy_node *one[1] = { v };
	const mxy_node *const *it = v->kind == MXY_SEQ ? (const mxy_node *const *)v->items : one;
	size_t n = v->kind == MXY_SEQ ? v->n : 1;
	if (n < 1 || n > 3)
		return px_fail(c, MIXDOWN_ERR_SESSION, v->loc, "expected 1 to 3 of 5.1, stereo, mono, got %s",
			       px_describe(v, got, sizeof got));
	for (size_t i = 0; i < n; i++) {
		if (it[i]->kind != MXY_SCALAR || !mxd_downmix_target(it[i]->str))
			return px_fail(c, MIXDOWN_ERR_SESSION, it[i]->loc,
				       "unknown fold-down %s (use 5.1, stereo or mono)",
				       px_describe(it[i], got, sizeof got));
		if (strstr(list, it[i]->str))
			return px_fail(c, MIXDOWN_ERR_SESSION, it[i]->loc, "fold-down %s given twice", it[i]->str);
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? "," : "", it[i]->str);
	}
	const mxd_layout *lay = pan_layout(c->s);
	if (!lay)
		return px_fail(c, MIXDOWN_ERR_SESSION, v->loc,
			       "the mix has %u channels and no speaker layout to fold down: give `layout:` (%s)",
			       c->s->channels, mxd_layout_names());
	free(c->s->export_downmix);
	if (!(c->s->export_downmix = strdup(list)))
		return MIXDOWN_ERR_NOMEM;
	return MIXDOWN_SUCCESS;
}

static mixdown_status read_export(mxd_pctx *c, const mxy_node *m)
{
	mxd_session *s = c->s;
	if (mxy_is_null(m))
		return MIXDOWN_SUCCESS;
	PX_TRY(px_check_map(c, m, NULL, export_keys, N(export_keys)));
	PX_TRY(px_opt_string(c, m, "file", &s->export_file));
	const mxy_node *v = mxy_get(m, "format", NULL);
	if (v) {
		size_t old = px_key(c, "format");
		int idx = 0;
		PX_TRY(px_enum(c, v, format_names, &idx));
		s->export_format = (mxd_format)(MXD_FORMAT_WAV + idx);
		px_pop(c, old);
	}
	if ((v = mxy_get(m, "bits", NULL))) {
		size_t old = px_key(c, "bits");
		char got[96];
		if (v->kind == MXY_SCALAR && strcmp(v->str, "16") == 0)
			s->export_bits = 16;
		else if (v->kind == MXY_SCALAR && strcmp(v->str, "24") == 0)
			s->export_bits = 24;
		else if (v->kind == MXY_SCALAR && (strcmp(v->str, "32") == 0 || strcmp(v->str, "32f") == 0))
			s->export_bits = 32;
		else
			return px_fail(c, MIXDOWN_ERR_SESSION, v->loc, "expected 16, 24 or 32f, got %s",
				       px_describe(v, got, sizeof got));
		px_pop(c, old);
	}
	if ((v = mxy_get(m, "downmix", NULL))) {
		size_t old = px_key(c, "downmix");
		PX_TRY(read_export_downmix(c, v));
		px_pop(c, old);
	}
	return px_opt_number(c, m, "sample_rate", "Hz", 8000, 384000, true, &s->export_rate);
}

/* ------------------------------------------------------------------- routing */

static const mxd_strip *find_bus(const mxd_session *s, const char *name)
{
	for (size_t i = 0; i < s->n_buses; i++)
		if (strcmp(s->buses[i].name, name) == 0)
			return &s->buses[i];
	return NULL;
}

static mixdown_status unknown_bus(mxd_pctx *c, mxd_loc loc, const char *name, bool output)
{
	const mxd_session *s = c->s;
	const char **names = calloc(s->n_buses + 2, sizeof *names);
	if (!names)
		return px_nomem(c);
	for (size_t i = 0; i < s->n_buses; i++)
		names[i] = s->buses[i].name;
	if (output)
		names[s->n_buses] = "master";
	const char *sug = mxd_suggest(name, names, s->n_buses + (output ? 1 : 0));
	char list[400] = "";
	size_t o = 0;
	for (size_t i = 0; i < s->n_buses && o < sizeof list; i++)
		o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", s->buses[i].name);
	mixdown_status st;
	if (sug)
		st = px_fail(c, MIXDOWN_ERR_SESSION, loc, "unknown bus \"%s\" (did you mean \"%s\"?)", name, sug);
	else if (s->n_buses == 0)
		st = px_fail(c, MIXDOWN_ERR_SESSION, loc, "unknown bus \"%s\" (the session has no buses)", name);
	else
		st = px_fail(c, MIXDOWN_ERR_SESSION, loc, "unknown bus \"%s\" (buses: %s)", name, list);
	free(names);
	return st;
}

static mixdown_status check_routing(mxd_pctx *c)
{
	const mxd_session *s = c->s;
	for (size_t k = 0; k < s->n_tracks + s->n_buses; k++) {
		bool bus = k >= s->n_tracks;
		size_t i = bus ? k - s->n_tracks : k;
		const mxd_strip *st = bus ? &s->buses[i] : &s->tracks[i];
		if (st->output) {
			snprintf(c->path, sizeof c->path, "%s[%zu].output", bus ? "buses" : "tracks", i);
			const mxd_strip *to = find_bus(s, st->output);
			if (!to)
				return unknown_bus(c, st->output_loc, st->output, true);
			if (to == st)
				return px_fail(c, MIXDOWN_ERR_SESSION, st->output_loc,
					       "bus \"%s\" cannot output to itself", st->name);
		}
		for (size_t j = 0; j < st->n_sends; j++) {
			const mxd_send *sd = &st->sends[j];
			snprintf(c->path, sizeof c->path, "%s[%zu].sends[%zu].to", bus ? "buses" : "tracks", i, j);
			if (strcmp(sd->to, "master") == 0)
				return px_fail(c, MIXDOWN_ERR_SESSION, sd->loc,
					       "sends feed buses, not the master (use `output: master`)");
			const mxd_strip *to = find_bus(s, sd->to);
			if (!to)
				return unknown_bus(c, sd->loc, sd->to, false);
			if (to == st)
				return px_fail(c, MIXDOWN_ERR_SESSION, sd->loc, "bus \"%s\" cannot send to itself",
					       st->name);
		}
	}
	c->path[0] = '\0';
	c->plen = 0;
	return MIXDOWN_SUCCESS;
}

/* Buses fed only by sends (effect returns) are solo-safe unless told otherwise. */
static void default_solo_safe(mxd_session *s, const bool *given)
{
	for (size_t b = 0; b < s->n_buses; b++) {
		if (given[b])
			continue;
		bool sent = false, routed = false;
		for (size_t k = 0; k < s->n_tracks + s->n_buses; k++) {
			const mxd_strip *st = k < s->n_tracks ? &s->tracks[k] : &s->buses[k - s->n_tracks];
			if (st->output && strcmp(st->output, s->buses[b].name) == 0)
				routed = true;
			for (size_t j = 0; j < st->n_sends; j++)
				if (strcmp(st->sends[j].to, s->buses[b].name) == 0)
					sent = true;
		}
		s->buses[b].solo_safe = sent && !routed;
	}
}

/* ----------------------------------------------------------------- top level */

/* `layout:` sets the master's channels; a `channels:` that disagrees is an
 * error. `binaural` is a stereo master whose objects go through the HRTF. */
static mixdown_status read_layout(mxd_pctx *c, const mxy_node *root)
{
	char got[96];
	const mxy_node *key, *v = mxy_get(root, "layout", &key);
	if (!v)
		return MIXDOWN_SUCCESS;
	size_t old = px_key(c, "layout");
	const mxd_layout *lay = v->kind == MXY_SCALAR ? mxd_layout_find(v->str) : NULL;
	if (v->kind == MXY_SCALAR && strcmp(v->str, "binaural") == 0) {
		lay = mxd_layout_get(MXD_LAYOUT_STEREO);
		c->s->binaural = true;
	}
	if (!lay)
		return px_fail(c, MIXDOWN_ERR_SESSION, v->loc, "unknown layout %s (known: %s, binaural)",
			       px_describe(v, got, sizeof got), mxd_layout_names());
	const mxy_node *chk, *ch = mxy_get(root, "channels", &chk);
	if (ch && c->s->channels != lay->channels) {
		px_pop(c, old);
		px_key(c, "channels");
		return px_fail(c, MIXDOWN_ERR_SESSION, ch->loc,
			       "channels: %u conflicts with layout %s (%u channels); give one of them", c->s->channels,
			       lay->name, lay->channels);
	}
	c->s->layout = lay;
	c->s->channels = lay->channels;
	px_pop(c, old);
	return MIXDOWN_SUCCESS;
}

/* `hrtf:` a SOFA file for `layout: binaural` and `render --binaural`
 * (docs/spatial.md, "Binaural"), resolved against the session folder. The
 * file is read when rendering; here only that it exists. */
static mixdown_status read_hrtf(mxd_pctx *c, const mxy_node *root)
{
	const mxy_node *v = mxy_get(root, "hrtf", NULL);
	if (!v)
		return MIXDOWN_SUCCESS;
	size_t old = px_key(c, "hrtf");
	char *written = NULL;
	PX_TRY(px_string(c, v, &written));
	c->s->hrtf_file = join_path(c->s->dir, written);
	free(written);
	if (!c->s->hrtf_file)
		return MIXDOWN_ERR_NOMEM;
	if (access(c->s->hrtf_file, R_OK) != 0)
		return px_fail(c, MIXDOWN_ERR_SESSION, v->loc, "HRTF file %s: %s", c->s->hrtf_file, strerror(errno));
	px_pop(c, old);
	return MIXDOWN_SUCCESS;
}

static mixdown_status read_session(mxd_pctx *c, const mxy_node *root, bool **given)
{
	mxd_session *s = c->s;
	char got[96];
	if (!root || mxy_is_null(root))
		return px_fail(c, MIXDOWN_ERR_SESSION, root ? root->loc : (mxd_loc){ 1, 1 },
			       "the session is empty (expected a mapping with `tracks:` and other settings)");
	if (root->kind != MXY_MAP)
		return px_fail(c, MIXDOWN_ERR_SESSION, root->loc,
			       "expected a mapping of session settings at the top level, got %s",
			       px_describe(root, got, sizeof got));
	PX_TRY(px_check_map(c, root, NULL, top_keys, N(top_keys)));

	const mxy_node *v = mxy_get(root, "mixdown", NULL);
	if (v) {
		size_t old = px_key(c, "mixdown");
		double ver = 0;
		if (px_number(c, v, "", -1e9, 1e9, false, &ver) != MIXDOWN_SUCCESS)
			return px_fail(c, MIXDOWN_ERR_SESSION, v->loc, "expected the format version 1, got %s",
				       px_describe(v, got, sizeof got));
		if (ver != 1)
			return px_fail(c, MIXDOWN_ERR_SESSION, v->loc,
				       "unsupported format version %s (this mixdown reads version 1)", v->str);
		px_pop(c, old);
	}
	PX_TRY(px_opt_number(c, root, "sample_rate", "Hz", 8000, 384000, true, &s->sample_rate));
	double ch = 2;
	PX_TRY(px_opt_number(c, root, "channels", "", 1, MXD_MAX_CHANNELS, true, &ch));
	s->channels = (uint32_t)ch;
	PX_TRY(read_layout(c, root));
	PX_TRY(read_hrtf(c, root));
	PX_TRY(read_tempo(c, root));
	PX_TRY(px_opt_number(c, root, "tail", "s", 0, INFINITY, false, &s->tail));
	PX_TRY(px_timeline_origin(c, root));
	if ((v = mxy_get(root, "range", NULL))) {
		size_t old = px_key(c, "range");
		PX_TRY(px_check_map(c, v, "{start, end}", range_keys, N(range_keys)));
		PX_TRY(px_opt_time(c, v, "start", &s->range_start));
		PX_TRY(px_opt_time(c, v, "end", &s->range_end));
		const mxy_node *end = mxy_get(v, "end", NULL);
		if (end && !(s->range_end > s->range_start)) {
			char a[32], b[32];
			px_key(c, "end");
			return px_fail(c, MIXDOWN_ERR_SESSION, end->loc,
				       "the range ends (%s s) before it starts (%s s)", px_num(s->range_end, a, sizeof a),
				       px_num(s->range_start, b, sizeof b));
		}
		px_pop(c, old);
	}
	PX_TRY(read_strips(c, root, "tracks", given));
	PX_TRY(read_strips(c, root, "buses", given));
	if ((v = mxy_get(root, "master", NULL))) {
		size_t old = px_key(c, "master");
		PX_TRY(read_master(c, v));
		px_pop(c, old);
	}
	if ((v = mxy_get(root, "export", NULL))) {
		size_t old = px_key(c, "export");
		PX_TRY(read_export(c, v));
		px_pop(c, old);
	}
	PX_TRY(check_routing(c));
	if (s->n_buses)
		default_solo_safe(s, *given);
	if (s->sample_rate == 0) {
		s->sample_rate = 48000;
		for (size_t i = 0; i < s->n_tracks; i++)
			if (s->tracks[i].n_clips) {
				s->sample_rate = s->tracks[i].clips[0].file_rate;
				break;
			}
	}
	return MIXDOWN_SUCCESS;
}

mixdown_status mxd_session_parse(const char *text, size_t len, const char *name,
				 const char *base_dir, mxd_session **out, mixdown_error *err)
{
	*out = NULL;
	if (!name)
		name = "<session>";
	mxy_doc doc;
	mixdown_status st = mxy_load(&doc, text, len, name, err);
	if (st != MIXDOWN_SUCCESS)
		return st;
	mxd_session *s = calloc(1, sizeof *s);
	mxd_pctx c = { .name = name, .err = err, .s = s };
	if (!s || !(s->path = strdup(name)) || !(s->dir = strdup(base_dir ? base_dir : ".")) ||
	    !(s->master.name = strdup("master"))) {
		mxy_free(&doc);
		mxd_session_free(s);
		return px_nomem(&c);
	}
	s->version = 1;
	s->channels = 2;
	s->range_end = -1;
	strip_defaults(&s->master, MXD_STRIP_MASTER, (mxd_loc){ 0, 0 });
	bool *given = NULL;
	st = read_session(&c, doc.root, &given);
	free(given);
	mxy_free(&doc);
	if (st != MIXDOWN_SUCCESS) {
		mxd_session_free(s);
		return st;
	}
	*out = s;
	return MIXDOWN_SUCCESS;
}
