/* mixdown — DAWproject reader: project.xml (libxml2) -> session YAML text.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Generating session text (rather than filling the model directly) lets the
 * normal parser validate the result. This file reads Transport and Structure:
 * Track/Channel by mixer role (regular -> track, submix and effect -> bus,
 * master -> master; vca is not supported), Volume, Pan, Mute, solo, Sends,
 * destination; Devices are read in dawproject_devices.c, the Arrangement in
 * dawproject_arrange.c. Units: dawproject_units.c. Control thread only.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/globals.h>

#include "interop/dawproject_read.h"
#include "session/yaml_quote.h"

const char *dp_attr(const xmlNode *n, const char *name)
{
	for (const xmlAttr *a = n->properties; a; a = a->next)
		if (!strcmp((const char *)a->name, name) && a->children && a->children->type == XML_TEXT_NODE)
			return (const char *)a->children->content;
	return NULL;
}

bool dp_attr_double(const xmlNode *n, const char *name, double *v)
{
	const char *s = dp_attr(n, name);
	if (!s)
		return false;
	char *end;
	double d = strtod(s, &end);
	while (*end == ' ')
		end++;
	if (end == s || *end || !isfinite(d))
		return false;
	*v = d;
	return true;
}

bool dp_is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

xmlNode *dp_child(const xmlNode *n, const char *name)
{
	for (xmlNode *c = n->children; c; c = c->next)
		if (dp_is(c, name))
			return c;
	return NULL;
}

mixdown_status dp_fail(dp_reader *r, const xmlNode *n, const char *fmt, ...)
{
	if (r->st != MIXDOWN_SUCCESS)
		return r->st;
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	mxd_loc loc = {n ? (uint32_t)xmlGetLineNo(n) : 0, 0};
	r->st = mxd_fail(r->err, MIXDOWN_ERR_SESSION, r->ctx->project, loc, n ? (const char *)n->name : NULL, "%s",
			 msg);
	return r->st;
}

mixdown_status dp_convert(dp_reader *r, const xmlNode *where, dp_conv conv, dp_unit unit, double min, double max,
			  double v, double *out)
{
	bool ok = false;
	double x = 0;
	switch (conv) {
	case DP_CV_VOLUME: ok = dp_volume_db(unit, v, &x); break;
	case DP_CV_DB: ok = dp_level_db(unit, v, &x); break;
	case DP_CV_NEG_DB: ok = dp_level_db(unit, v, &x), x = fabs(x); break;
	case DP_CV_PAN: ok = dp_pan(unit, v, min, max, &x); break;
	case DP_CV_BOOL: ok = true, x = v != 0; break;
	case DP_CV_HZ: ok = dp_hertz(unit, v, &x); break;
	case DP_CV_LINEAR: ok = unit == DP_UNIT_LINEAR || unit == DP_UNIT_NONE, x = v; break;
	case DP_CV_MS: ok = dp_seconds(unit, v, r->bpm, &x), x *= 1000.0; break;
	case DP_CV_RATIO: ok = dp_ratio(unit, v, &x); break;
	}
	if (!ok)
		return dp_fail(r, where, "unit \"%s\" cannot express this value%s", dp_unit_name(unit),
			       unit == DP_UNIT_UNKNOWN ? " (not one of Project.xsd's units)" : "");
	*out = x;
	return MIXDOWN_SUCCESS;
}

mixdown_status dp_real(dp_reader *r, const xmlNode *p, dp_conv conv, double *out)
{
	double v, min = NAN, max = NAN;
	const char *us = dp_attr(p, "unit");
	dp_unit u = dp_unit_parse(us);
	if (u == DP_UNIT_UNKNOWN)
		return dp_fail(r, p,
			       "unknown unit \"%s\" (Project.xsd allows linear, normalized, percent, decibel, "
			       "hertz, semitones, seconds, beats, bpm)",
			       us);
	if (!dp_attr_double(p, "value", &v))
		return dp_fail(r, p, "missing or invalid value=\"%s\"", dp_attr(p, "value") ? dp_attr(p, "value") : "");
	dp_attr_double(p, "min", &min);
	dp_attr_double(p, "max", &max);
	return dp_convert(r, p, conv, u, min, max, v, out);
}

void dp_param_add(dp_reader *r, const xmlNode *p, size_t strip, const char *key, dp_conv conv, double lo, double hi)
{
	const char *id = dp_attr(p, "id");
	if (!id || r->n_params >= DP_MAX_PARAMS)
		return;
	dp_param *q = &r->params[r->n_params++];
	q->id = (const xmlChar *)id, q->strip = strip, q->conv = conv, q->lo = lo, q->hi = hi;
	snprintf(q->key, sizeof q->key, "%s", key);
	q->unit = dp_unit_parse(dp_attr(p, "unit"));
	q->min = q->max = NAN;
	dp_attr_double(p, "min", &q->min);
	dp_attr_double(p, "max", &q->max);
}

const dp_param *dp_param_find(const dp_reader *r, const char *id)
{
	for (size_t i = 0; id && i < r->n_params; i++)
		if (!strcmp((const char *)r->params[i].id, id))
			return &r->params[i];
	return NULL;
}

size_t dp_strip_by_channel(const dp_reader *r, const char *id)
{
	for (size_t i = 0; id && i < r->n_strips; i++)
		if (r->strips[i].channel_id && !strcmp((const char *)r->strips[i].channel_id, id))
			return i;
	return (size_t)-1;
}

size_t dp_strip_by_track(const dp_reader *r, const char *id)
{
	for (size_t i = 0; id && i < r->n_strips; i++)
		if ((r->strips[i].track_id && !strcmp((const char *)r->strips[i].track_id, id)) ||
		    (r->strips[i].channel_id && !strcmp((const char *)r->strips[i].channel_id, id)))
			return i;
	return (size_t)-1;
}

void dp_num(FILE *f, double v)
{
	if (v <= -144.0 && v < -143.9999)
		v = -144.0;
	fprintf(f, "%.12g", v == 0.0 ? 0.0 : v);
}

/* ---------------------------------------------------------------- structure */

static bool name_taken(const dp_reader *r, const char *name)
{
	if (!strcmp(name, "master"))
		return true;
	for (size_t i = 0; i < r->n_strips; i++)
		if (r->strips[i].kind != DP_MASTER && !strcmp(r->strips[i].name, name))
			return true;
	return false;
}

/* Pass 1: one strip per Channel (inside a Track or directly in Structure). */
static void collect(dp_reader *r, xmlNode *parent, const xmlNode *track)
{
	mixdown_dawproject_report *rep = r->ctx->rep;
	for (xmlNode *n = parent->children; n && r->st == MIXDOWN_SUCCESS; n = n->next) {
		if (dp_is(n, "Track")) {
			collect(r, n, n);
			continue;
		}
		if (!dp_is(n, "Channel") || r->n_strips >= DP_MAX_STRIPS)
			continue;
		const char *role = dp_attr(n, "role");
		const char *tname = track ? dp_attr(track, "name") : NULL;
		const char *label = tname ? tname : dp_attr(n, "name") ? dp_attr(n, "name") : "(unnamed)";
		dp_kind kind = DP_TRACK;
		if (role && (!strcmp(role, "submix") || !strcmp(role, "effect")))
			kind = DP_BUS;
		else if (role && !strcmp(role, "master"))
			kind = DP_MASTER;
		else if (role && strcmp(role, "regular") != 0) {
			dp_note(rep->lost, &rep->n_lost, "%s: channel role \"%s\" is not supported; left out", label,
				role);
			continue;
		}
		if (kind == DP_MASTER) {
			for (size_t i = 0; i < r->n_strips; i++)
				if (r->strips[i].kind == DP_MASTER)
					kind = DP_BUS; /* a second master becomes a bus */
		}
		dp_strip *s = &r->strips[r->n_strips];
		memset(s, 0, sizeof *s);
		s->kind = kind;
		s->channel = n;
		s->channel_id = (const xmlChar *)dp_attr(n, "id");
		s->track_id = track ? (const xmlChar *)dp_attr(track, "id") : NULL;
		s->dest_id = (const xmlChar *)dp_attr(n, "destination");
		char base[100];
		snprintf(base, sizeof base, "%s", kind == DP_MASTER ? "master" : label);
		snprintf(s->name, sizeof s->name, "%s", base);
		for (int k = 2; kind != DP_MASTER && name_taken(r, s->name); k++)
			snprintf(s->name, sizeof s->name, "%s %d", base, k);
		if (!(s->head.f = open_memstream(&s->head.buf, &s->head.len)) ||
		    !(s->clips.f = open_memstream(&s->clips.buf, &s->clips.len)) ||
		    !(s->autom.f = open_memstream(&s->autom.buf, &s->autom.len))) {
			r->st = MIXDOWN_ERR_NOMEM;
			return;
		}
		r->n_strips++;
		const char *color = track ? dp_attr(track, "color") : dp_attr(n, "color");
		if (color && color[0] == '#' && strlen(color) == 7 && kind != DP_MASTER) {
			fprintf(s->head.f, "    color: ");
			mxd_yaml_put_quoted(s->head.f, color);
			fputc('\n', s->head.f);
		}
	}
}

static mixdown_status read_sends(dp_reader *r, size_t si, const xmlNode *sends)
{
	dp_strip *s = &r->strips[si];
	mixdown_dawproject_report *rep = r->ctx->rep;
	bool any = false;
	for (xmlNode *n = sends->children; n; n = n->next) {
		if (!dp_is(n, "Send"))
			continue;
		size_t to = dp_strip_by_channel(r, dp_attr(n, "destination"));
		if (to == (size_t)-1 || r->strips[to].kind != DP_BUS || to == si) {
			dp_note(rep->lost, &rep->n_lost, "%s: a send to \"%s\" (not a bus) left out", s->name,
				dp_attr(n, "destination") ? dp_attr(n, "destination") : "");
			continue;
		}
		double db = 0, pan = 0;
		const xmlNode *vol = dp_child(n, "Volume"), *pn = dp_child(n, "Pan"), *en = dp_child(n, "Enable");
		if (vol && dp_real(r, vol, DP_CV_VOLUME, &db) != MIXDOWN_SUCCESS)
			return r->st;
		if (pn && dp_real(r, pn, DP_CV_PAN, &pan) != MIXDOWN_SUCCESS)
			return r->st;
		if (fabs(pan) > 1e-6)
			dp_note(rep->lost, &rep->n_lost, "%s: send pan to %s (%.2f) not supported; centred", s->name,
				r->strips[to].name, pan);
		if (en && dp_attr(en, "value") && !strcmp(dp_attr(en, "value"), "false"))
			db = -144.0; /* a disabled send: mixdown has no switch, so its level is off */
		if (!any)
			fprintf(s->head.f, "    sends:\n");
		any = true;
		const char *type = dp_attr(n, "type");
		fprintf(s->head.f, "      - { to: ");
		mxd_yaml_put_quoted(s->head.f, r->strips[to].name);
		fprintf(s->head.f, ", level: ");
		dp_num(s->head.f, db < -144 ? -144 : db > 24 ? 24 : db);
		fprintf(s->head.f, "%s }\n", type && !strcmp(type, "pre") ? ", pre: true" : "");
		s->n_sends++;
		char key[96];
		snprintf(key, sizeof key, "sends.%zu.level", s->n_sends);
		if (vol)
			dp_param_add(r, vol, si, key, DP_CV_VOLUME, -144, 24);
	}
	return MIXDOWN_SUCCESS;
}

/* Pass 2: a channel's mixer settings. */
static mixdown_status read_channel(dp_reader *r, size_t si)
{
	dp_strip *s = &r->strips[si];
	const xmlNode *ch = s->channel;
	mixdown_dawproject_report *rep = r->ctx->rep;
	FILE *f = s->head.f;
	const xmlNode *vol = dp_child(ch, "Volume"), *pan = dp_child(ch, "Pan"), *mute = dp_child(ch, "Mute");
	if (vol) {
		double db;
		if (dp_real(r, vol, DP_CV_VOLUME, &db) != MIXDOWN_SUCCESS)
			return r->st;
		if (db > 24)
			dp_note(rep->lost, &rep->n_lost, "%s: volume %+.1f dB limited to +24 dB", s->name, db);
		fprintf(f, "    gain: ");
		dp_num(f, db > 24 ? 24 : db);
		fputc('\n', f);
		dp_param_add(r, vol, si, "gain", DP_CV_VOLUME, -144, 24);
	}
	if (pan) {
		double p;
		if (dp_real(r, pan, DP_CV_PAN, &p) != MIXDOWN_SUCCESS)
			return r->st;
		if (s->kind != DP_MASTER) {
			fprintf(f, "    pan: ");
			dp_num(f, p);
			fputc('\n', f);
			dp_param_add(r, pan, si, "pan", DP_CV_PAN, -1, 1);
		} else if (fabs(p) > 1e-6) {
			dp_note(rep->lost, &rep->n_lost, "master: pan %.2f not supported", p);
		}
	}
	bool muted = mute && dp_attr(mute, "value") && !strcmp(dp_attr(mute, "value"), "true");
	if (s->kind != DP_MASTER) {
		if (muted)
			fprintf(f, "    mute: true\n");
		if (mute)
			dp_param_add(r, mute, si, "mute", DP_CV_BOOL, 0, 1);
		const char *solo = dp_attr(ch, "solo");
		if (solo && !strcmp(solo, "true"))
			fprintf(f, "    solo: true\n");
		size_t to = dp_strip_by_channel(r, (const char *)s->dest_id);
		if (to != (size_t)-1 && r->strips[to].kind == DP_BUS && to != si) {
			fprintf(f, "    output: ");
			mxd_yaml_put_quoted(f, r->strips[to].name);
			fputc('\n', f);
		} else if (s->dest_id && (to == (size_t)-1 || to == si)) {
			dp_note(rep->lost, &rep->n_lost, "%s: destination \"%s\" is not a bus; routed to the master",
				s->name, (const char *)s->dest_id);
		}
	} else if (muted) {
		dp_note(rep->lost, &rep->n_lost, "master: mute not supported");
	}
	const xmlNode *devices = dp_child(ch, "Devices");
	if (devices && dp_read_devices(r, si, devices) != MIXDOWN_SUCCESS)
		return r->st;
	const xmlNode *sends = dp_child(ch, "Sends");
	if (sends && s->kind != DP_MASTER && read_sends(r, si, sends) != MIXDOWN_SUCCESS)
		return r->st;
	return MIXDOWN_SUCCESS;
}

static mixdown_status read_transport(dp_reader *r, const xmlNode *root, FILE *out)
{
	mixdown_dawproject_report *rep = r->ctx->rep;
	r->bpm = 120.0;
	const xmlNode *tr = dp_child(root, "Transport");
	const xmlNode *tempo = tr ? dp_child(tr, "Tempo") : NULL, *ts = tr ? dp_child(tr, "TimeSignature") : NULL;
	if (tempo) {
		double v;
		dp_unit u = dp_unit_parse(dp_attr(tempo, "unit"));
		if (u != DP_UNIT_BPM)
			return dp_fail(r, tempo, "unit \"%s\" cannot express a tempo (expected bpm)",
				       dp_attr(tempo, "unit") ? dp_attr(tempo, "unit") : "");
		if (!dp_attr_double(tempo, "value", &v) || v < 1 || v > 2000)
			return dp_fail(r, tempo, "invalid tempo value");
		r->bpm = v;
	}
	long num = 4, den = 4;
	if (ts) {
		double a = 0, b = 0;
		if (!dp_attr_double(ts, "numerator", &a) || !dp_attr_double(ts, "denominator", &b))
			return dp_fail(r, ts, "needs numerator and denominator");
		num = (long)a, den = (long)b;
	}
	bool den_ok = den == 1 || den == 2 || den == 4 || den == 8 || den == 16 || den == 32;
	if (!den_ok || num < 1 || num > 64) {
		dp_note(rep->lost, &rep->n_lost, "time signature %ld/%ld not supported; 4/4 used", num, den);
		num = 4, den = 4;
	}
	/* mixdown's bpm counts the meter's beat unit, DAWproject's quarter notes. */
	double bpm = r->bpm * (double)den / 4.0;
	if (bpm >= 10 && bpm <= 999) {
		fprintf(out, "tempo: ");
		dp_num(out, bpm);
		fprintf(out, "\ntime_signature: %ld/%ld\n", num, den);
	}
	return MIXDOWN_SUCCESS;
}

static void put_buf(FILE *out, dp_buf *b)
{
	fflush(b->f);
	if (b->len)
		fwrite(b->buf, 1, b->len, out);
}

static void put_strip(FILE *out, dp_strip *s)
{
	fflush(s->head.f);
	fflush(s->autom.f);
	if (s->kind == DP_MASTER && !s->head.len && !s->autom.len)
		return; /* nothing to say: the defaults */
	if (s->kind == DP_MASTER)
		fprintf(out, "master:\n");
	else {
		fprintf(out, "  - name: ");
		mxd_yaml_put_quoted(out, s->name);
		fputc('\n', out);
	}
	/* The master's keys sit two spaces in like a list item's. */
	put_buf(out, &s->head);
	if (s->kind == DP_TRACK) {
		fflush(s->clips.f);
		if (s->clips.len) {
			fprintf(out, "    clips:\n");
			put_buf(out, &s->clips);
		}
	}
	fflush(s->autom.f);
	if (s->autom.len) {
		fprintf(out, "    automation:\n");
		put_buf(out, &s->autom);
	}
}

static void free_strips(dp_reader *r)
{
	for (size_t i = 0; i < r->n_strips; i++) {
		dp_buf *b[3] = {&r->strips[i].head, &r->strips[i].clips, &r->strips[i].autom};
		for (int k = 0; k < 3; k++) {
			if (b[k]->f)
				fclose(b[k]->f);
			free(b[k]->buf);
		}
	}
	free(r->strips);
	free(r->params);
	free(r->extracted);
}

/* The first XML error, kept instead of printed (the library never prints). */
typedef struct {
	bool set;
	int line, column;
	char msg[400];
} first_error;

static void keep_first(void *user, xmlError *e)
{
	first_error *fe = user;
	if (fe->set || !e || e->level < XML_ERR_ERROR)
		return;
	fe->set = true;
	fe->line = e->line, fe->column = e->int2;
	snprintf(fe->msg, sizeof fe->msg, "%s", e->message ? e->message : "");
	fe->msg[strcspn(fe->msg, "\n")] = '\0';
}

mixdown_status dp_parse_xml(const char *xml, size_t len, const char *file, xmlDoc **out, mixdown_error *err)
{
	first_error fe = {0};
	/* libxml2 keeps the handler per thread; it is restored right after. */
	xmlSetStructuredErrorFunc(&fe, keep_first);
	*out = xmlReadMemory(xml, (int)len, "project.xml", NULL,
			     XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (*out)
		return MIXDOWN_SUCCESS;
	mxd_loc loc = {(uint32_t)fe.line, (uint32_t)fe.column};
	return mxd_fail(err, MIXDOWN_ERR_SESSION, file, loc, "project.xml", "malformed XML: %s",
			fe.set ? fe.msg : "cannot parse");
}

static mixdown_status parse_xml(dp_reader *r)
{
	size_t len;
	const char *xml = dp_project_xml(r->ctx->c, &len);
	if ((r->st = dp_parse_xml(xml, len, r->ctx->project, &r->doc, r->err)) != MIXDOWN_SUCCESS)
		return r->st;
	xmlNode *root = xmlDocGetRootElement(r->doc);
	if (!dp_is(root, "Project"))
		return dp_fail(r, root, "the root element must be <Project> (DAWproject)");
	const char *ver = dp_attr(root, "version");
	if (!ver || strncmp(ver, "1.", 2) != 0)
		return dp_fail(r, root, "unsupported DAWproject version \"%s\" (1.x is read)", ver ? ver : "");
	return MIXDOWN_SUCCESS;
}

mixdown_status dp_read_project(dp_read_ctx *ctx, FILE *out, mixdown_error *err)
{
	dp_reader r = {.ctx = ctx, .err = err};
	if (!(r.strips = calloc(DP_MAX_STRIPS, sizeof *r.strips)) ||
	    !(r.params = calloc(DP_MAX_PARAMS, sizeof *r.params)) ||
	    !(r.extracted = calloc(MIXDOWN_DAWPROJECT_MAX_NOTES * 4, sizeof *r.extracted))) {
		free_strips(&r);
		return MIXDOWN_ERR_NOMEM;
	}
	if (parse_xml(&r) != MIXDOWN_SUCCESS)
		goto done;
	xmlNode *root = xmlDocGetRootElement(r.doc);
	const xmlNode *app = dp_child(root, "Application");
	fprintf(out, "# Imported by mixdown import from %s", ctx->project);
	if (app && dp_attr(app, "name"))
		fprintf(out, " (written by %s %s)", dp_attr(app, "name"),
			dp_attr(app, "version") ? dp_attr(app, "version") : "");
	fprintf(out, ".\n# The mapping and what it leaves out: docs/dawproject.md.\nmixdown: 1\n");
	if (read_transport(&r, root, out) != MIXDOWN_SUCCESS)
		goto done;
	xmlNode *structure = dp_child(root, "Structure");
	if (structure)
		collect(&r, structure, NULL);
	for (size_t i = 0; i < r.n_strips && r.st == MIXDOWN_SUCCESS; i++)
		read_channel(&r, i);
	xmlNode *arr = dp_child(root, "Arrangement");
	if (r.st == MIXDOWN_SUCCESS && arr)
		dp_read_arrangement(&r, arr);
	const xmlNode *scenes = dp_child(root, "Scenes");
	if (scenes && dp_child(scenes, "Scene"))
		dp_note(ctx->rep->lost, &ctx->rep->n_lost, "scenes (clip launcher) left out");
	if (r.st != MIXDOWN_SUCCESS)
		goto done;
	if (r.sample_rate >= 8000 && r.sample_rate <= 384000)
		fprintf(out, "sample_rate: %.0f\n", r.sample_rate);
	for (size_t i = 0; i < r.n_strips; i++)
		if (r.strips[i].kind == DP_MASTER && r.strips[i].channel) {
			double ch = 0;
			if (dp_attr_double(r.strips[i].channel, "audioChannels", &ch) && ch >= 1 && ch <= 16)
				fprintf(out, "channels: %.0f\n", ch);
		}
	for (int kind = DP_TRACK; kind <= DP_MASTER; kind++) {
		bool first = true;
		for (size_t i = 0; i < r.n_strips; i++) {
			if ((int)r.strips[i].kind != kind)
				continue;
			if (first && kind != DP_MASTER)
				fprintf(out, kind == DP_TRACK ? "tracks:\n" : "buses:\n");
			first = false;
			put_strip(out, &r.strips[i]);
			if (kind == DP_TRACK)
				ctx->rep->n_tracks++;
			else if (kind == DP_BUS)
				ctx->rep->n_buses++;
			ctx->rep->n_clips += r.strips[i].n_clips;
			ctx->rep->n_lanes += r.strips[i].n_lanes;
			ctx->rep->n_inserts += r.strips[i].n_inserts;
		}
	}
done:
	if (r.doc)
		xmlFreeDoc(r.doc);
	free_strips(&r);
	return r.st;
}
