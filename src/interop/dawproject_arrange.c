/* mixdown — DAWproject reader: the Arrangement's clips and automation.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Lanes nest; each Lanes/Clips/Points element may set timeUnit (beats or
 * seconds; a beat is a quarter note at Transport/Tempo) and `track`, which its
 * children inherit. A Clip (time, duration in its parent's unit; playStart,
 * loopStart, loopEnd in contentTimeUnit; fadeInTime/fadeOutTime in
 * fadeTimeUnit) holds Audio, nested Clips or Warps; everything is flattened to
 * mixdown clips in seconds: `at` = where the audio plays, `offset` = the
 * position in the file, `length`. Loops repeat the loopStart..loopEnd part.
 * Warps that stretch time are played at the file's own speed (listed).
 * Points (Target parameter=ID) become automation lanes of the parameter's
 * strip; interpolation hold/linear maps to hold/linear. Control thread only.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "interop/dawproject_read.h"
#include "session/yaml_quote.h"

/* Where content time 0 of the element being flattened sits on the timeline
 * (s), the window the enclosing clips let through, and their fades. */
typedef struct {
	size_t strip;
	dp_unit unit; /* time unit of this level */
	double origin; /* s */
	double w0, w1; /* s */
	double fade_in, fade_in_at, fade_out, fade_out_end; /* s */
	const char *name;
} frame;

static double to_s(const dp_reader *r, dp_unit u, double v)
{
	return u == DP_UNIT_BEATS ? dp_beats_to_seconds(v, r->bpm) : v;
}

static dp_unit time_unit(dp_reader *r, const xmlNode *n, const char *attr, dp_unit inherited)
{
	const char *s = dp_attr(n, attr);
	if (!s)
		return inherited;
	dp_unit u = dp_unit_parse(s);
	if (u != DP_UNIT_BEATS && u != DP_UNIT_SECONDS) {
		dp_fail(r, n, "%s=\"%s\" is not a time unit (beats or seconds)", attr, s);
		return inherited;
	}
	return u;
}

/* The name a zip entry gets in the audio folder: no directories, no leading dot. */
static void local_name(const char *zip_name, char *out, size_t cap)
{
	const char *p = !strncmp(zip_name, "audio/", 6) ? zip_name + 6 : zip_name;
	snprintf(out, cap, "%s%s", p[0] == '.' ? "_" : "", p);
	for (char *c = out; *c; c++)
		if (*c == '/' || *c == '\\')
			*c = '_';
}

static void missing(dp_reader *r, const char *path)
{
	mixdown_dawproject_report *rep = r->ctx->rep;
	for (size_t i = 0; i < rep->n_missing; i++)
		if (!strcmp(rep->missing[i], path))
			return;
	dp_note(rep->missing, &rep->n_missing, "%s", path);
}

/* The session path of the audio file `path` (extracted once), or NULL when missing. */
static const char *audio_path(dp_reader *r, const xmlNode *file, char *buf, size_t cap)
{
	const char *path = dp_attr(file, "path");
	const char *ext = dp_attr(file, "external");
	if (!path) {
		dp_fail(r, file, "File needs a path");
		return NULL;
	}
	if (ext && !strcmp(ext, "true")) {
		/* An external file (fileReference/@external) is used where it is;
		 * only absolute paths can be found from a session elsewhere. */
		if (path[0] == '/' && access(path, R_OK) == 0) {
			snprintf(buf, cap, "%s", path);
			return buf;
		}
		missing(r, path);
		return NULL;
	}
	if (!dp_has_file(r->ctx->c, path)) {
		missing(r, path);
		return NULL;
	}
	char local[256];
	local_name(path, local, sizeof local);
	bool done = false;
	for (size_t i = 0; i < r->n_extracted; i++)
		done |= !strcmp(r->extracted[i], path);
	if (!done) {
		char dest[1400];
		snprintf(dest, sizeof dest, "%s/%s", r->ctx->audio_dir, local);
		if (dp_extract(r->ctx->c, path, dest, r->err) != MIXDOWN_SUCCESS) {
			r->st = MIXDOWN_ERR_AUDIO;
			return NULL;
		}
		if (r->n_extracted < MIXDOWN_DAWPROJECT_MAX_NOTES * 4)
			snprintf(r->extracted[r->n_extracted++], 256, "%s", path);
	}
	snprintf(buf, cap, "%s/%s", r->ctx->audio_rel, local);
	return buf;
}

static void emit_audio(dp_reader *r, const xmlNode *audio, const frame *fr)
{
	dp_strip *s = &r->strips[fr->strip];
	mixdown_dawproject_report *rep = r->ctx->rep;
	double dur = INFINITY, rate = 0;
	if (dp_attr_double(audio, "duration", &dur))
		dur = to_s(r, time_unit(r, audio, "timeUnit", fr->unit), dur);
	if (dp_attr_double(audio, "sampleRate", &rate) && r->sample_rate == 0)
		r->sample_rate = rate;
	const xmlNode *file = dp_child(audio, "File");
	if (!file) {
		dp_fail(r, audio, "Audio needs a File");
		return;
	}
	double at = fmax(fr->w0, fr->origin), end = fmin(fr->w1, fr->origin + dur);
	if (!(end > at + 1e-9))
		return;
	if (s->kind != DP_TRACK) {
		dp_note(rep->lost, &rep->n_lost, "%s: audio on a bus or the master left out", s->name);
		return;
	}
	char buf[1400];
	const char *path = audio_path(r, file, buf, sizeof buf);
	if (r->st != MIXDOWN_SUCCESS)
		return;
	FILE *f = s->clips.f;
	if (!path) {
		fprintf(f, "      # missing audio: %s (clip at %.6f s) left out\n", dp_attr(file, "path"), at);
		return;
	}
	fprintf(f, "      - { file: ");
	mxd_yaml_put_quoted(f, path);
	fprintf(f, ", at: ");
	dp_num(f, at);
	if (at - fr->origin > 1e-12) {
		fprintf(f, ", offset: ");
		dp_num(f, at - fr->origin);
	}
	/* A piece that plays to the end of the file leaves `length` out, so a
	 * declared duration that rounds past the file's end cannot fail. */
	bool to_end = !isfinite(dur) || end >= fr->origin + dur - 1e-9;
	if (!to_end) {
		fprintf(f, ", length: ");
		dp_num(f, end - at);
	}
	double len = end - at, fin = 0, fout = 0;
	if (fr->fade_in > 0 && fabs(at - fr->fade_in_at) < 1e-6)
		fin = fmin(fr->fade_in, len);
	if (fr->fade_out > 0 && fabs(end - fr->fade_out_end) < 1e-6)
		fout = fmin(fr->fade_out, len - fin);
	if (fin > 0) {
		fprintf(f, ", fade_in: ");
		dp_num(f, fin);
	}
	if (fout > 0) {
		fprintf(f, ", fade_out: ");
		dp_num(f, fout);
	}
	fprintf(f, " }\n");
	s->n_clips++;
}

static void content(dp_reader *r, const xmlNode *n, const frame *fr);

static void clip(dp_reader *r, const xmlNode *c, const frame *parent)
{
	mixdown_dawproject_report *rep = r->ctx->rep;
	double time, dur = INFINITY, ps = 0, ls = NAN, le = NAN, fi = 0, fo = 0;
	if (!dp_attr_double(c, "time", &time)) {
		dp_fail(r, c, "a Clip needs a time");
		return;
	}
	const char *en = dp_attr(c, "enable");
	if (en && !strcmp(en, "false")) {
		dp_note(rep->lost, &rep->n_lost, "%s: a disabled clip left out", r->strips[parent->strip].name);
		return;
	}
	if (dp_attr(c, "reference"))
		dp_note(rep->lost, &rep->n_lost, "%s: a clip referring to another (reference=) left out",
			r->strips[parent->strip].name);
	dp_unit cu = time_unit(r, c, "contentTimeUnit", parent->unit);
	dp_unit fu = time_unit(r, c, "fadeTimeUnit", parent->unit);
	if (r->st != MIXDOWN_SUCCESS)
		return;
	double t0 = parent->origin + to_s(r, parent->unit, time);
	if (dp_attr_double(c, "duration", &dur))
		dur = to_s(r, parent->unit, dur);
	if (dp_attr_double(c, "playStart", &ps))
		ps = to_s(r, cu, ps);
	bool loop = dp_attr_double(c, "loopStart", &ls) && dp_attr_double(c, "loopEnd", &le);
	if (loop)
		ls = to_s(r, cu, ls), le = to_s(r, cu, le);
	if (dp_attr_double(c, "fadeInTime", &fi))
		fi = to_s(r, fu, fi);
	if (dp_attr_double(c, "fadeOutTime", &fo))
		fo = to_s(r, fu, fo);
	frame fr = *parent;
	fr.unit = cu;
	fr.w0 = fmax(parent->w0, t0);
	fr.w1 = fmin(parent->w1, t0 + dur);
	if (fi > 0 || fo > 0) {
		fr.fade_in = fi, fr.fade_in_at = t0, fr.fade_out = fo, fr.fade_out_end = t0 + dur;
	}
	const xmlNode *body = NULL;
	for (const xmlNode *k = c->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE)
			body = k;
	if (!body)
		return;
	double first = loop && le > ls ? le - ps : INFINITY;
	if (!loop || !(le > ls) || !(dur > first + 1e-9)) {
		fr.origin = t0 - ps;
		content(r, body, &fr);
		return;
	}
	/* Looped: playStart..loopEnd once, then loopStart..loopEnd until the clip ends. */
	double start = t0, w1 = fr.w1;
	fr.origin = t0 - ps, fr.w1 = fmin(w1, t0 + first);
	content(r, body, &fr);
	for (start = t0 + first; start < w1 - 1e-9 && r->st == MIXDOWN_SUCCESS; start += le - ls) {
		fr.origin = start - ls, fr.w0 = fmax(parent->w0, start), fr.w1 = fmin(w1, start + (le - ls));
		content(r, body, &fr);
	}
}

static void warps(dp_reader *r, const xmlNode *w, const frame *parent)
{
	dp_unit tu = time_unit(r, w, "timeUnit", parent->unit);
	dp_unit cu = time_unit(r, w, "contentTimeUnit", parent->unit);
	double t[2] = {0, 0}, ct[2] = {0, 0};
	size_t n = 0;
	const xmlNode *body = NULL;
	for (const xmlNode *k = w->children; k; k = k->next) {
		if (dp_is(k, "Warp")) {
			double a, b;
			if (!dp_attr_double(k, "time", &a) || !dp_attr_double(k, "contentTime", &b)) {
				dp_fail(r, k, "a Warp needs time and contentTime");
				return;
			}
			size_t i = n < 2 ? n : 1;
			t[i] = to_s(r, tu, a), ct[i] = to_s(r, cu, b);
			n++;
		} else if (k->type == XML_ELEMENT_NODE && !body) {
			body = k;
		}
	}
	if (!body || r->st != MIXDOWN_SUCCESS)
		return;
	frame fr = *parent;
	fr.unit = cu;
	/* Content time ct[0] plays at timeline t[0]. */
	fr.origin = parent->origin + t[0] - ct[0];
	if (n >= 2 && fabs((t[1] - t[0]) - (ct[1] - ct[0])) > 1e-4 * fmax(1.0, fabs(t[1] - t[0]))) {
		mixdown_dawproject_report *rep = r->ctx->rep;
		dp_note(rep->lost, &rep->n_lost,
			"%s: time-stretched audio (Warps: %.3f s of audio over %.3f s) played at its own speed",
			r->strips[parent->strip].name, ct[1] - ct[0], t[1] - t[0]);
	}
	content(r, body, &fr);
}

static void content(dp_reader *r, const xmlNode *n, const frame *fr)
{
	mixdown_dawproject_report *rep = r->ctx->rep;
	if (r->st != MIXDOWN_SUCCESS)
		return;
	if (dp_is(n, "Audio")) {
		emit_audio(r, n, fr);
	} else if (dp_is(n, "Clips")) {
		frame f2 = *fr;
		f2.unit = time_unit(r, n, "timeUnit", fr->unit);
		for (const xmlNode *c = n->children; c && r->st == MIXDOWN_SUCCESS; c = c->next)
			if (dp_is(c, "Clip"))
				clip(r, c, &f2);
	} else if (dp_is(n, "Warps")) {
		warps(r, n, fr);
	} else if (dp_is(n, "Notes")) {
		dp_note(rep->lost, &rep->n_lost, "%s: note clip (MIDI) left out", r->strips[fr->strip].name);
	} else {
		dp_note(rep->lost, &rep->n_lost, "%s: %s in a clip left out", r->strips[fr->strip].name,
			(const char *)n->name);
	}
}

/* ------------------------------------------------------------- automation */

typedef struct {
	double t, v;
	bool hold;
} pt;

static int pt_cmp(const void *a, const void *b)
{
	double x = ((const pt *)a)->t, y = ((const pt *)b)->t;
	return x < y ? -1 : x > y;
}

static void points(dp_reader *r, const xmlNode *pts, dp_unit inherited)
{
	mixdown_dawproject_report *rep = r->ctx->rep;
	const xmlNode *target = dp_child(pts, "Target");
	const char *pid = target ? dp_attr(target, "parameter") : NULL;
	const dp_param *p = dp_param_find(r, pid);
	if (!p) {
		dp_note(rep->lost, &rep->n_lost, "automation of %s left out (no mixdown equivalent)",
			pid                                       ? pid
			: target && dp_attr(target, "expression") ? dp_attr(target, "expression")
								  : "?");
		return;
	}
	dp_strip *s = &r->strips[p->strip];
	for (size_t i = 0; i < s->n_lanes && i < 64; i++)
		if (!strcmp(s->lane_keys[i], p->key)) {
			dp_note(rep->lost, &rep->n_lost, "%s: a second %s lane left out", s->name, p->key);
			return;
		}
	dp_unit tu = time_unit(r, pts, "timeUnit", inherited);
	const char *us = dp_attr(pts, "unit");
	dp_unit vu = us ? dp_unit_parse(us) : p->unit;
	if (vu == DP_UNIT_UNKNOWN) {
		dp_fail(r, pts, "unknown unit \"%s\"", us);
		return;
	}
	size_t n = 0, cap = 0;
	pt *v = NULL;
	for (const xmlNode *k = pts->children; k && r->st == MIXDOWN_SUCCESS; k = k->next) {
		bool real = dp_is(k, "RealPoint"), boolean = dp_is(k, "BoolPoint");
		if (!real && !boolean)
			continue;
		double t, x;
		if (!dp_attr_double(k, "time", &t)) {
			dp_fail(r, k, "a point needs a time");
			break;
		}
		if (boolean) {
			const char *b = dp_attr(k, "value");
			x = b && (!strcmp(b, "true") || !strcmp(b, "1"));
		} else if (!dp_attr_double(k, "value", &x)) {
			dp_fail(r, k, "a point needs a numeric value");
			break;
		}
		if (dp_convert(r, k, p->conv, vu, p->min, p->max, x, &x) != MIXDOWN_SUCCESS)
			break;
		if (n == cap) {
			pt *b = realloc(v, (cap = cap ? 2 * cap : 64) * sizeof *v);
			if (!b) {
				r->st = MIXDOWN_ERR_NOMEM;
				break;
			}
			v = b;
		}
		const char *ip = dp_attr(k, "interpolation");
		v[n].t = to_s(r, tu, t);
		v[n].v = x < p->lo ? p->lo : x > p->hi ? p->hi : x;
		v[n].hold = boolean || (ip && !strcmp(ip, "hold"));
		n++;
	}
	if (r->st == MIXDOWN_SUCCESS && n) {
		/* Negative times (before the timeline starts) are held at 0. */
		qsort(v, n, sizeof *v, pt_cmp);
		FILE *f = s->autom.f;
		fprintf(f, "      ");
		mxd_yaml_put_quoted(f, p->key);
		fprintf(f, ": [");
		for (size_t i = 0; i < n; i++) {
			fprintf(f, "%s[", i ? ", " : "");
			dp_num(f, v[i].t < 0 ? 0 : v[i].t);
			fprintf(f, ", ");
			dp_num(f, v[i].v);
			fprintf(f, "%s]", v[i].hold ? ", hold" : "");
		}
		fprintf(f, "]\n");
		if (s->n_lanes < 64)
			snprintf(s->lane_keys[s->n_lanes], sizeof s->lane_keys[0], "%s", p->key);
		s->n_lanes++;
	}
	free(v);
}

static void lanes(dp_reader *r, const xmlNode *l, size_t strip, dp_unit unit)
{
	mixdown_dawproject_report *rep = r->ctx->rep;
	unit = time_unit(r, l, "timeUnit", unit);
	size_t si = dp_strip_by_track(r, dp_attr(l, "track"));
	if (si == (size_t)-1)
		si = strip;
	for (const xmlNode *k = l->children; k && r->st == MIXDOWN_SUCCESS; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (dp_is(k, "Lanes")) {
			lanes(r, k, si, unit);
		} else if (dp_is(k, "Points")) {
			points(r, k, unit);
		} else if (si == (size_t)-1) {
			dp_note(rep->lost, &rep->n_lost, "%s outside any track left out", (const char *)k->name);
		} else if (dp_is(k, "Clips") || dp_is(k, "Notes") || dp_is(k, "Audio") || dp_is(k, "Warps")) {
			size_t ks = dp_strip_by_track(r, dp_attr(k, "track"));
			frame fr = {.strip = ks == (size_t)-1 ? si : ks,
				    .unit = unit,
				    .origin = 0,
				    .w0 = 0,
				    .w1 = INFINITY};
			content(r, k, &fr);
		} else if (!dp_is(k, "markers") && !dp_is(k, "Markers")) {
			dp_note(rep->lost, &rep->n_lost, "%s: %s lane left out", r->strips[si].name,
				(const char *)k->name);
		}
	}
}

mixdown_status dp_read_arrangement(dp_reader *r, const xmlNode *arr)
{
	mixdown_dawproject_report *rep = r->ctx->rep;
	const xmlNode *l = dp_child(arr, "Lanes");
	if (l)
		lanes(r, l, (size_t)-1, DP_UNIT_BEATS);
	const xmlNode *ta = dp_child(arr, "TempoAutomation");
	size_t n = 0;
	for (const xmlNode *k = ta ? ta->children : NULL; k; k = k->next)
		n += dp_is(k, "RealPoint");
	if (n > 1)
		dp_note(rep->lost, &rep->n_lost, "tempo automation left out (times use the Transport tempo)");
	if (dp_child(arr, "TimeSignatureAutomation"))
		dp_note(rep->lost, &rep->n_lost, "time signature automation left out");
	return r->st;
}
