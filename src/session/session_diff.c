/* mixdown — the mix changes between two sessions (see session_diff.h):
 * session settings, tracks and buses (added, removed, renamed), faders,
 * pans, mutes, routing, sends, clips, the master and its target; the JSON
 * form of the list.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "session/session_diff.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ output */

void mxd_diff_add(mxd_diff_ctx *c, mixdown_diff_kind kind, const char *strip, const char *sep, const char *what,
		  const char *from, const char *to, const char *unit, const char *tail_text)
{
	if (c->nomem)
		return;
	mixdown_diff *d = c->d;
	if (d->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		mixdown_diff_change *bigger = realloc(d->changes, cap * sizeof *bigger);
		if (!bigger) {
			c->nomem = true;
			return;
		}
		d->changes = bigger;
		c->cap = cap;
	}
	mixdown_diff_change *ch = &d->changes[d->n++];
	memset(ch, 0, sizeof *ch);
	ch->kind = kind;
	unit = unit ? unit : "";
	snprintf(ch->strip, sizeof ch->strip, "%s", strip ? strip : "");
	snprintf(ch->what, sizeof ch->what, "%s", what);
	if (from && *from)
		snprintf(ch->from, sizeof ch->from, "%s%s", from, unit);
	if (to && *to)
		snprintf(ch->to, sizeof ch->to, "%s%s", to, unit);
	const char *lead = strip && *strip ? strip : "";
	const char *gap = strip && *strip ? sep : "";
	if (tail_text)
		snprintf(ch->text, sizeof ch->text, "%s%s%s %s", lead, gap, what, tail_text);
	else if (kind == MIXDOWN_DIFF_CHANGED)
		snprintf(ch->text, sizeof ch->text, "%s%s%s %s -> %s%s", lead, gap, what, from, to, unit);
	else
		snprintf(ch->text, sizeof ch->text, "%s%s%s %s", lead, gap, what,
			 kind == MIXDOWN_DIFF_ADDED ? "added" : "removed");
}

const char *mxd_diff_num(double v, const char *fmt, char *buf, size_t size)
{
	if (isinf(v))
		snprintf(buf, size, "%sinf", v < 0 ? "-" : "");
	else
		snprintf(buf, size, fmt, v == 0 ? 0.0 : v); /* no "-0.0" */
	return buf;
}

const char *mxd_diff_a_name(const mxd_diff_ctx *c, const char *b_name)
{
	if (!b_name)
		return NULL;
	for (size_t i = 0; i < c->n_renamed; i++)
		if (!strcmp(c->renamed_to[i], b_name))
			return c->renamed_from[i];
	return b_name;
}

/* A changed number: "<strip> <what> <a> -> <b><unit>". */
static void num(mxd_diff_ctx *c, const char *strip, const char *what, double a, double b, const char *fmt,
		const char *unit)
{
	if (a == b || (isnan(a) && isnan(b)))
		return;
	char x[48], y[48];
	mxd_diff_num(a, fmt, x, sizeof x);
	mxd_diff_num(b, fmt, y, sizeof y);
	if (strcmp(x, y) == 0) /* equal at the printed precision: not a mix change worth a line */
		return;
	mxd_diff_add(c, MIXDOWN_DIFF_CHANGED, strip, " ", what, x, y, unit, NULL);
}

static void str(mxd_diff_ctx *c, const char *strip, const char *what, const char *a, const char *b,
		const char *none)
{
	a = a ? a : none;
	b = b ? b : none;
	if (strcmp(a, b) != 0)
		mxd_diff_add(c, MIXDOWN_DIFF_CHANGED, strip, " ", what, a, b, NULL, NULL);
}

/* A switch: "<strip> muted" / "<strip> unmuted". */
static void flag(mxd_diff_ctx *c, const char *strip, const char *what, bool a, bool b, const char *on,
		 const char *off)
{
	if (a == b)
		return;
	mxd_diff_add(c, MIXDOWN_DIFF_CHANGED, strip, " ", what, a ? "on" : "off", b ? "on" : "off", NULL, NULL);
	if (!c->nomem) /* the line reads "Snare muted", not "Snare mute muted" */
		snprintf(c->d->changes[c->d->n - 1].text, sizeof c->d->changes[0].text, "%s %s", strip, b ? on : off);
}

static const char *pan_text(double p, char *buf, size_t size)
{
	long pct = lround(fabs(p) * 100);
	if (pct == 0)
		snprintf(buf, size, "C");
	else
		snprintf(buf, size, "%s%ld", p < 0 ? "L" : "R", pct);
	return buf;
}

/* ------------------------------------------------------------------- clips */

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* "clip vox.wav", or "clip vox.wav #2" for the second clip of the same file. */
static void clip_label(const mxd_strip *st, size_t k, char *buf, size_t size)
{
	size_t nth = 1, total = 0;
	for (size_t i = 0; i < st->n_clips; i++)
		if (!strcmp(st->clips[i].file_written, st->clips[k].file_written)) {
			total++;
			nth += i < k;
		}
	if (total > 1)
		snprintf(buf, size, "clip %s #%zu", base_name(st->clips[k].file_written), nth);
	else
		snprintf(buf, size, "clip %s", base_name(st->clips[k].file_written));
}

static void diff_clip(mxd_diff_ctx *c, const char *strip, const char *label, const mxd_clip *a, const mxd_clip *b)
{
	char what[320];
	snprintf(what, sizeof what, "%s position", label);
	num(c, strip, what, a->at, b->at, "%.3f", " s");
	snprintf(what, sizeof what, "%s start in file", label);
	num(c, strip, what, a->offset, b->offset, "%.3f", " s");
	double la = a->length >= 0 ? a->length : (double)a->file_frames / a->file_rate - a->offset;
	double lb = b->length >= 0 ? b->length : (double)b->file_frames / b->file_rate - b->offset;
	snprintf(what, sizeof what, "%s length", label);
	num(c, strip, what, la, lb, "%.3f", " s");
	snprintf(what, sizeof what, "%s gain", label);
	num(c, strip, what, a->gain_db, b->gain_db, "%.1f", " dB");
	snprintf(what, sizeof what, "%s fade in", label);
	num(c, strip, what, a->fade_in, b->fade_in, "%.3f", " s");
	snprintf(what, sizeof what, "%s fade out", label);
	num(c, strip, what, a->fade_out, b->fade_out, "%.3f", " s");
	static const char *const curves[] = { "linear", "equal_power", "exp", "log", "scurve" };
	snprintf(what, sizeof what, "%s fade-in curve", label);
	str(c, strip, what, curves[a->fade_in_curve], curves[b->fade_in_curve], "");
	snprintf(what, sizeof what, "%s fade-out curve", label);
	str(c, strip, what, curves[a->fade_out_curve], curves[b->fade_out_curve], "");
}

/* Clips pair by file (as written), in order. */
static void diff_clips(mxd_diff_ctx *c, const char *strip, const mxd_strip *a, const mxd_strip *b)
{
	bool *used = calloc(a->n_clips + 1, sizeof *used);
	if (!used) {
		c->nomem = true;
		return;
	}
	char label[256], tail[320], t[32];
	for (size_t k = 0; k < b->n_clips; k++) {
		size_t j = 0;
		while (j < a->n_clips && (used[j] || strcmp(a->clips[j].file_written, b->clips[k].file_written) != 0))
			j++;
		clip_label(b, k, label, sizeof label);
		if (j == a->n_clips) {
			snprintf(tail, sizeof tail, "added at %s s", mxd_diff_num(b->clips[k].at, "%.3f", t, sizeof t));
			mxd_diff_add(c, MIXDOWN_DIFF_ADDED, strip, " ", label, NULL, NULL, NULL, tail);
			continue;
		}
		used[j] = true;
		diff_clip(c, strip, label, &a->clips[j], &b->clips[k]);
	}
	for (size_t j = 0; j < a->n_clips; j++)
		if (!used[j]) {
			clip_label(a, j, label, sizeof label);
			snprintf(tail, sizeof tail, "removed (was at %s s)", mxd_diff_num(a->clips[j].at, "%.3f", t, sizeof t));
			mxd_diff_add(c, MIXDOWN_DIFF_REMOVED, strip, " ", label, NULL, NULL, NULL, tail);
		}
	free(used);
}

/* ------------------------------------------------------------------- sends */

static const char *send_desc(const mxd_send *s, char *buf, size_t size)
{
	char l[32];
	snprintf(buf, size, "%s dB %s", mxd_diff_num(s->level_db, "%.1f", l, sizeof l),
		 s->pre_fader ? "pre-fader" : "post-fader");
	return buf;
}

/* "Plate send from Snare added (-14.0 dB post-fader)": sends pair by destination, in order. */
static void diff_sends(mxd_diff_ctx *c, const char *strip, const mxd_strip *a, const mxd_strip *b)
{
	bool *used = calloc(a->n_sends + 1, sizeof *used);
	if (!used) {
		c->nomem = true;
		return;
	}
	char what[320], tail[128], d[64];
	for (size_t k = 0; k < b->n_sends; k++) {
		const char *to = mxd_diff_a_name(c, b->sends[k].to);
		size_t j = 0;
		while (j < a->n_sends && (used[j] || strcmp(a->sends[j].to, to) != 0))
			j++;
		snprintf(what, sizeof what, "send from %s", strip);
		if (j == a->n_sends) {
			snprintf(tail, sizeof tail, "added (%s)", send_desc(&b->sends[k], d, sizeof d));
			mxd_diff_add(c, MIXDOWN_DIFF_ADDED, b->sends[k].to, " ", what, NULL, NULL, NULL, tail);
			continue;
		}
		used[j] = true;
		num(c, b->sends[k].to, what, a->sends[j].level_db, b->sends[k].level_db, "%.1f", " dB");
		if (a->sends[j].pre_fader != b->sends[k].pre_fader)
			mxd_diff_add(c, MIXDOWN_DIFF_CHANGED, b->sends[k].to, " ", what,
				     a->sends[j].pre_fader ? "pre-fader" : "post-fader",
				     b->sends[k].pre_fader ? "pre-fader" : "post-fader", NULL, NULL);
	}
	for (size_t j = 0; j < a->n_sends; j++)
		if (!used[j]) {
			snprintf(what, sizeof what, "send from %s", strip);
			mxd_diff_add(c, MIXDOWN_DIFF_REMOVED, a->sends[j].to, " ", what, NULL, NULL, NULL, NULL);
		}
	free(used);
}

/* ------------------------------------------------------------------ strips */

static void diff_strip(mxd_diff_ctx *c, const mxd_strip *a, const mxd_strip *b)
{
	const char *n = b->name;
	char x[32], y[32];
	num(c, n, "fader", a->gain_db, b->gain_db, "%.1f", " dB");
	if (b->kind != MXD_STRIP_MASTER) {
		pan_text(a->pan, x, sizeof x);
		pan_text(b->pan, y, sizeof y);
		if (strcmp(x, y))
			mxd_diff_add(c, MIXDOWN_DIFF_CHANGED, n, " ", "pan", x, y, NULL, NULL);
		num(c, n, "pan law", a->pan_law_db, b->pan_law_db, "%.1f", " dB");
		flag(c, n, "mute", a->mute, b->mute, "muted", "unmuted");
		flag(c, n, "solo", a->solo, b->solo, "soloed", "unsoloed");
		if (b->kind == MXD_STRIP_BUS)
			flag(c, n, "solo safe", a->solo_safe, b->solo_safe, "solo-safe", "not solo-safe");
		str(c, n, "output", a->output, mxd_diff_a_name(c, b->output), "master");
		str(c, n, "group", a->group, b->group, "none");
		str(c, n, "color", a->color, b->color, "none");
	}
	num(c, n, "width", a->width * 100, b->width * 100, "%.0f", "%");
	if (a->invert != b->invert)
		mxd_diff_add(c, MIXDOWN_DIFF_CHANGED, n, " ", "polarity", a->invert ? "inverted" : "normal",
			     b->invert ? "inverted" : "normal", NULL, b->invert ? "inverted" : "back to normal");
	if (b->kind == MXD_STRIP_TRACK)
		diff_clips(c, n, a, b);
	mxd_diff_inserts(c, n, a, b);
	diff_sends(c, n, a, b);
	mxd_diff_lanes(c, n, a, b);
}

static const mxd_strip *find(const mxd_strip *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i].name, name))
			return &list[i];
	return NULL;
}

/* Same clips (files, positions): the same track under another name. */
static bool same_clips(const mxd_strip *a, const mxd_strip *b)
{
	if (a->n_clips == 0 || a->n_clips != b->n_clips)
		return false;
	for (size_t i = 0; i < a->n_clips; i++)
		if (strcmp(a->clips[i].file_written, b->clips[i].file_written) || a->clips[i].at != b->clips[i].at)
			return false;
	return true;
}

/* Strips of one kind: b's in order (matched by name, else renamed, else
 * added), then a's that are gone. `partner[i]` is filled for b's strips. */
static void match_strips(mxd_diff_ctx *c, const mxd_strip *a, size_t na, const mxd_strip *b, size_t nb,
			 const mxd_strip **partner)
{
	bool track = na ? a[0].kind == MXD_STRIP_TRACK : nb ? b[0].kind == MXD_STRIP_TRACK : true;
	for (size_t i = 0; i < nb; i++) {
		partner[i] = find(a, na, b[i].name);
	}
	/* Renames: an a strip not in b and a b strip not in a, paired by their
	 * clips (tracks) or their place in the list (buses). */
	for (size_t i = 0; i < nb; i++) {
		if (partner[i])
			continue;
		for (size_t j = 0; j < na; j++) {
			if (find(b, nb, a[j].name))
				continue;
			bool taken = false;
			for (size_t k = 0; k < nb; k++)
				taken |= partner[k] == &a[j];
			if (taken)
				continue;
			if (track ? same_clips(&a[j], &b[i]) : j == i) {
				partner[i] = &a[j];
				break;
			}
		}
	}
	for (size_t i = 0; i < nb; i++)
		if (partner[i] && strcmp(partner[i]->name, b[i].name) != 0 && !track) {
			const char **f = realloc(c->renamed_from, (c->n_renamed + 1) * sizeof *f);
			const char **t = f ? realloc(c->renamed_to, (c->n_renamed + 1) * sizeof *t) : NULL;
			if (f)
				c->renamed_from = f;
			if (!t) {
				c->nomem = true;
				return;
			}
			c->renamed_to = t;
			c->renamed_from[c->n_renamed] = partner[i]->name;
			c->renamed_to[c->n_renamed++] = b[i].name;
		}
}

static void diff_strips(mxd_diff_ctx *c, const mxd_strip *a, size_t na, const mxd_strip *b, size_t nb,
			const mxd_strip **partner, const char *kind)
{
	char tail[256];
	for (size_t i = 0; i < nb; i++) {
		if (!partner[i]) {
			snprintf(tail, sizeof tail, "added");
			mxd_diff_add(c, MIXDOWN_DIFF_ADDED, b[i].name, " ", kind, NULL, NULL, NULL, NULL);
			continue;
		}
		if (strcmp(partner[i]->name, b[i].name)) {
			snprintf(tail, sizeof tail, "renamed to %s", b[i].name);
			mxd_diff_add(c, MIXDOWN_DIFF_CHANGED, partner[i]->name, " ", kind, partner[i]->name, b[i].name, NULL,
				     tail);
		}
		diff_strip(c, partner[i], &b[i]);
	}
	for (size_t j = 0; j < na; j++) {
		bool kept = false;
		for (size_t i = 0; i < nb; i++)
			kept |= partner[i] == &a[j];
		if (!kept)
			mxd_diff_add(c, MIXDOWN_DIFF_REMOVED, a[j].name, " ", kind, NULL, NULL, NULL, NULL);
	}
}

/* ----------------------------------------------------------------- session */

static void diff_tempo(mxd_diff_ctx *c, const mxd_session *a, const mxd_session *b)
{
	char x[64], y[64];
	if (a->n_tempo <= 1 && b->n_tempo <= 1) {
		if (a->n_tempo && b->n_tempo)
			num(c, "", "tempo", a->tempo[0].bpm, b->tempo[0].bpm, "%.6g", " bpm");
		else if (a->n_tempo != b->n_tempo)
			str(c, "", "tempo", a->n_tempo ? mxd_diff_num(a->tempo[0].bpm, "%.6g bpm", x, sizeof x) : NULL,
			    b->n_tempo ? mxd_diff_num(b->tempo[0].bpm, "%.6g bpm", y, sizeof y) : NULL, "none");
		if (a->n_tempo && b->n_tempo) {
			snprintf(x, sizeof x, "%u/%u", a->tempo[0].beats_per_bar, a->tempo[0].beat_unit);
			snprintf(y, sizeof y, "%u/%u", b->tempo[0].beats_per_bar, b->tempo[0].beat_unit);
			str(c, "", "time signature", x, y, "");
		}
		return;
	}
	bool same = a->n_tempo == b->n_tempo;
	for (size_t i = 0; same && i < a->n_tempo; i++)
		same = a->tempo[i].bar_start == b->tempo[i].bar_start && a->tempo[i].bpm == b->tempo[i].bpm &&
		       a->tempo[i].beats_per_bar == b->tempo[i].beats_per_bar && a->tempo[i].beat_unit == b->tempo[i].beat_unit;
	if (!same) {
		snprintf(x, sizeof x, "%zu sections", a->n_tempo);
		snprintf(y, sizeof y, "%zu sections", b->n_tempo);
		mxd_diff_add(c, MIXDOWN_DIFF_CHANGED, "", " ", "tempo map", x, y, NULL, NULL);
	}
}

static void diff_session(mxd_diff_ctx *c, const mxd_session *a, const mxd_session *b)
{
	num(c, "", "sample rate", a->sample_rate, b->sample_rate, "%.0f", " Hz");
	num(c, "", "channels", a->channels, b->channels, "%.0f", "");
	diff_tempo(c, a, b);
	num(c, "", "range start", a->range_start, b->range_start, "%.3f", " s");
	char x[32], y[32];
	str(c, "", "range end", a->range_end >= 0 ? mxd_diff_num(a->range_end, "%.3f s", x, sizeof x) : NULL,
	    b->range_end >= 0 ? mxd_diff_num(b->range_end, "%.3f s", y, sizeof y) : NULL, "end of the last clip");
	num(c, "", "tail", a->tail, b->tail, "%.3f", " s");
	num(c, "", "timeline origin", a->timeline_origin, b->timeline_origin, "%.3f", " s");
	str(c, "", "export file", a->export_file, b->export_file, "none");
	str(c, "", "export downmix", a->export_downmix, b->export_downmix, "none");
	static const char *const fmts[] = { "auto", "wav", "flac", "aiff", "rf64", "ogg", "opus", "mp3" };
	str(c, "", "export format", fmts[a->export_format], fmts[b->export_format], "");
	num(c, "", "export bits", a->export_bits ? a->export_bits : 24, b->export_bits ? b->export_bits : 24, "%.0f",
	    "");
	num(c, "", "export sample rate", a->export_rate, b->export_rate, "%.0f", " Hz");
}

static const char *target_desc(const mxd_session *s, char *buf, size_t size)
{
	char l[32] = "", t[32] = "";
	if (isfinite(s->master_loudness))
		snprintf(l, sizeof l, "%s%.1f LUFS", s->master_preset ? ", " : "", s->master_loudness);
	if (isfinite(s->master_true_peak))
		snprintf(t, sizeof t, ", %.1f dBTP", s->master_true_peak);
	snprintf(buf, size, "%s%s%s", s->master_preset ? s->master_preset : "", l, t);
	return buf;
}

static void diff_target(mxd_diff_ctx *c, const mxd_session *a, const mxd_session *b)
{
	char x[128], tail[160];
	if (!a->master_target && !b->master_target)
		return;
	if (!a->master_target || !b->master_target) {
		snprintf(tail, sizeof tail, "%s (%s)", b->master_target ? "added" : "removed",
			 target_desc(b->master_target ? b : a, x, sizeof x));
		mxd_diff_add(c, b->master_target ? MIXDOWN_DIFF_ADDED : MIXDOWN_DIFF_REMOVED, "master", " ", "target",
			     NULL, NULL, NULL, tail);
		return;
	}
	str(c, "master", "target preset", a->master_preset, b->master_preset, "none");
	char y[32];
	str(c, "master", "target loudness",
	    isfinite(a->master_loudness) ? mxd_diff_num(a->master_loudness, "%.1f LUFS", x, sizeof x) : NULL,
	    isfinite(b->master_loudness) ? mxd_diff_num(b->master_loudness, "%.1f LUFS", y, sizeof y) : NULL,
	    "the preset's");
	str(c, "master", "target true peak",
	    isfinite(a->master_true_peak) ? mxd_diff_num(a->master_true_peak, "%.1f dBTP", x, sizeof x) : NULL,
	    isfinite(b->master_true_peak) ? mxd_diff_num(b->master_true_peak, "%.1f dBTP", y, sizeof y) : NULL,
	    "the preset's");
}

mixdown_status mixdown_session_diff(const mixdown_session *a, const mixdown_session *b, mixdown_diff **out,
				    mixdown_error *err)
{
	if (out)
		*out = NULL;
	if (!a || !b || !out)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL, "two sessions are needed");
	mxd_diff_ctx c = { .a = a, .b = b };
	if (!(c.d = calloc(1, sizeof *c.d)))
		return MIXDOWN_ERR_NOMEM;
	const mxd_strip **pt = calloc(b->n_tracks + 1, sizeof *pt), **pb = calloc(b->n_buses + 1, sizeof *pb);
	if (pt && pb) {
		/* Buses first: their renames are needed to compare outputs and sends. */
		match_strips(&c, a->buses, a->n_buses, b->buses, b->n_buses, pb);
		match_strips(&c, a->tracks, a->n_tracks, b->tracks, b->n_tracks, pt);
		diff_session(&c, a, b);
		diff_strips(&c, a->tracks, a->n_tracks, b->tracks, b->n_tracks, pt, "track");
		diff_strips(&c, a->buses, a->n_buses, b->buses, b->n_buses, pb, "bus");
		diff_strip(&c, &a->master, &b->master);
		diff_target(&c, a, b);
	} else {
		c.nomem = true;
	}
	free(pt);
	free(pb);
	free(c.renamed_from);
	free(c.renamed_to);
	if (c.nomem) {
		mixdown_diff_free(c.d);
		return MIXDOWN_ERR_NOMEM;
	}
	*out = c.d;
	return MIXDOWN_SUCCESS;
}

void mixdown_diff_free(mixdown_diff *d)
{
	if (!d)
		return;
	free(d->changes);
	free(d);
}

/* ---------------------------------------------------------------------- JSON */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 32)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

int mixdown_diff_write_json(const mixdown_diff *d, FILE *f)
{
	static const char *const kinds[] = { "added", "removed", "changed" };
	fprintf(f, "{\n  \"schema\": \"mixdown-diff/1\",\n  \"identical\": %s,\n  \"changes\": [", d->n ? "false" : "true");
	for (size_t i = 0; i < d->n; i++) {
		const mixdown_diff_change *ch = &d->changes[i];
		fprintf(f, "%s\n    {\"kind\": \"%s\", \"strip\": ", i ? "," : "", kinds[ch->kind]);
		json_str(f, ch->strip);
		fputs(", \"what\": ", f);
		json_str(f, ch->what);
		fputs(", \"from\": ", f);
		if (ch->from[0])
			json_str(f, ch->from);
		else
			fputs("null", f);
		fputs(", \"to\": ", f);
		if (ch->to[0])
			json_str(f, ch->to);
		else
			fputs("null", f);
		fputs(", \"text\": ", f);
		json_str(f, ch->text);
		fputc('}', f);
	}
	fprintf(f, "%s]\n}\n", d->n ? "\n  " : "");
	return ferror(f) ? -1 : 0;
}
