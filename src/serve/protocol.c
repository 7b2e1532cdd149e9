/* mixdown — the console's messages (protocol.h): JSON builders for what the
 * server sends and the handler of what clients send. Values: gains in dB,
 * pan -1..+1, mute/solo as booleans, positions in seconds; meter readings in
 * dBFS (null for silence), loudness in LUFS (ITU-R BS.1770-4, EBU R 128).
 * Event-loop (player control) thread only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "protocol.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"

void sb_init(sbuf *b, size_t pre)
{
	*b = (sbuf){ .pre = pre };
}

void sb_free(sbuf *b)
{
	free(b->mem);
	*b = (sbuf){ .pre = b->pre };
}

static bool reserve(sbuf *b, size_t more)
{
	if (b->oom)
		return false;
	size_t need = b->pre + b->len + more + 1;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 1024;
	while (cap < need)
		cap *= 2;
	char *m = realloc(b->mem, cap);
	if (!m) {
		b->oom = true;
		return false;
	}
	b->mem = m;
	b->cap = cap;
	return true;
}

char *sb_text(sbuf *b)
{
	if (!reserve(b, 0))
		return NULL;
	b->mem[b->pre + b->len] = '\0';
	return b->mem + b->pre;
}

void sb_printf(sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->mem + b->pre + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void sb_jstr(sbuf *b, const char *s)
{
	sb_printf(b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			sb_printf(b, "\\%c", *p);
		else if (*p < 0x20)
			sb_printf(b, "\\u%04x", *p);
		else
			sb_printf(b, "%c", *p);
	}
	sb_printf(b, "\"");
}

void sb_jnum(sbuf *b, double v)
{
	if (isfinite(v))
		sb_printf(b, "%.6g", v);
	else
		sb_printf(b, "null");
}

static const char *kind_name(mixdown_strip_kind k)
{
	return k == MIXDOWN_STRIP_TRACK ? "track" : k == MIXDOWN_STRIP_BUS ? "bus" : "master";
}

/* The player's strips in a malloc'd array (the count may change on reload). */
static size_t strips(const proto_ctx *c, mixdown_strip_state **out)
{
	size_t n = mixdown_player_strips(c->p, NULL, 0);
	*out = n ? calloc(n, sizeof **out) : NULL;
	if (!*out)
		return 0;
	size_t m = mixdown_player_strips(c->p, *out, n);
	return m < n ? m : n;
}

void proto_session(const proto_ctx *c, sbuf *b)
{
	mixdown_strip_state *st = NULL;
	size_t n = strips(c, &st);
	sb_printf(b, "{\"type\":\"session\",\"strips\":[");
	for (size_t i = 0; i < n; i++) {
		sb_printf(b, "%s{\"name\":", i ? "," : "");
		sb_jstr(b, st[i].name);
		sb_printf(b, ",\"kind\":\"%s\",\"gain\":", kind_name(st[i].kind));
		sb_jnum(b, st[i].gain_db);
		sb_printf(b, ",\"pan\":");
		sb_jnum(b, st[i].pan);
		sb_printf(b, ",\"width\":");
		sb_jnum(b, st[i].width);
		sb_printf(b, ",\"invert\":%s", st[i].invert ? "true" : "false");
		sb_printf(b, ",\"mute\":%s,\"solo\":%s}", st[i].mute ? "true" : "false", st[i].solo ? "true" : "false");
	}
	sb_printf(b, "],\"buses\":[");
	for (size_t i = 0, k = 0; i < n; i++)
		if (st[i].kind == MIXDOWN_STRIP_BUS) {
			sb_printf(b, "%s", k++ ? "," : "");
			sb_jstr(b, st[i].name);
		}
	mixdown_player_status ps;
	mixdown_player_get_status(c->p, &ps);
	sb_printf(b, "],\"master\":\"master\",\"target\":{\"lufs\":");
	sb_jnum(b, mixdown_session_target_loudness(c->s));
	/* Seconds per beat at the start, for the page's bar display between meter frames. */
	double b1 = 0, b2 = 0;
	bool tempo = mixdown_session_position(c->s, "1:1", &b1, NULL) == MIXDOWN_SUCCESS &&
		     mixdown_session_position(c->s, "1:2", &b2, NULL) == MIXDOWN_SUCCESS && b2 > b1;
	sb_printf(b, ",\"tp\":-1},\"tempo\":");
	sb_jnum(b, tempo ? 60.0 / (b2 - b1) : NAN);
	sb_printf(b, ",\"rate\":%.0f,\"end\":", ps.sample_rate);
	sb_jnum(b, ps.end);
	sb_printf(b, ",\"reloads\":%llu,\"details\":%s,\"overrides\":[", (unsigned long long)ps.reloads,
		  c->details ? c->details : "[]");
	for (size_t i = 0; i < c->n_ov; i++) {
		sb_printf(b, "%s{\"strip\":", i ? "," : "");
		sb_jstr(b, c->ov[i].strip);
		sb_printf(b, ",\"param\":");
		sb_jstr(b, c->ov[i].param);
		sb_printf(b, ",\"value\":");
		sb_jnum(b, c->ov[i].value);
		sb_printf(b, "}");
	}
	sb_printf(b, "]}");
	free(st);
}

bool proto_bar_beat(const mixdown_session *s, double t, int *bar, int *beat)
{
	char txt[32];
	double at;
	if (mixdown_session_position(s, "1:1", &at, NULL) != MIXDOWN_SUCCESS)
		return false;
	/* Bars start at 1: grow a bracket [lo, hi) around the bar holding t, halve it. */
	int lo = 1, hi = 2;
	for (; hi < (1 << 20); lo = hi, hi *= 2) {
		snprintf(txt, sizeof txt, "%d:1", hi);
		if (mixdown_session_position(s, txt, &at, NULL) != MIXDOWN_SUCCESS || at > t)
			break;
	}
	while (hi - lo > 1) {
		int mid = lo + (hi - lo) / 2;
		snprintf(txt, sizeof txt, "%d:1", mid);
		bool before = mixdown_session_position(s, txt, &at, NULL) == MIXDOWN_SUCCESS && at <= t;
		*(before ? &lo : &hi) = mid;
	}
	double next = INFINITY;
	snprintf(txt, sizeof txt, "%d:1", lo + 1);
	mixdown_session_position(s, txt, &next, NULL);
	int k = 1;
	for (; k < 64; k++) {
		snprintf(txt, sizeof txt, "%d:%d", lo, k + 1);
		if (mixdown_session_position(s, txt, &at, NULL) != MIXDOWN_SUCCESS || at > t || at >= next)
			break;
	}
	*bar = lo;
	*beat = k;
	return true;
}

void proto_meters(const proto_ctx *c, double t, sbuf *b)
{
	enum { MAXM = 256 };
	mixdown_strip_meter m[MAXM];
	size_t n = mixdown_player_meters(c->p, m, MAXM);
	n = n < MAXM ? n : MAXM;
	mixdown_player_status ps;
	mixdown_player_get_status(c->p, &ps);
	sb_printf(b, "{\"type\":\"meters\",\"t\":%.3f,\"strips\":[", t);
	for (size_t i = 0; i < n; i++) {
		sb_printf(b, "%s[", i ? "," : "");
		sb_jnum(b, m[i].peak_dbfs);
		sb_printf(b, ",");
		sb_jnum(b, m[i].rms_dbfs);
		sb_printf(b, ",");
		sb_jnum(b, m[i].peak_hold_dbfs);
		sb_printf(b, ",%d,", m[i].clip ? 1 : 0);
		sb_jnum(b, m[i].gain_reduction_db);
		sb_printf(b, "]");
	}
	sb_printf(b, "],\"master\":{\"m\":");
	sb_jnum(b, ps.momentary_lufs);
	sb_printf(b, ",\"s\":");
	sb_jnum(b, ps.short_term_lufs);
	sb_printf(b, ",\"i\":");
	sb_jnum(b, ps.integrated_lufs);
	sb_printf(b, ",\"tp\":");
	sb_jnum(b, ps.true_peak_dbtp);
	sb_printf(b, "},\"pos\":%.4f,\"bar\":", ps.position);
	int bar, beat;
	if (proto_bar_beat(c->s, ps.position, &bar, &beat))
		sb_printf(b, "\"%d:%d\"", bar, beat);
	else
		sb_printf(b, "null");
	sb_printf(b, ",\"playing\":%s,\"load\":", ps.playing ? "true" : "false");
	sb_jnum(b, ps.dsp_load);
	sb_printf(b, ",\"loop\":[");
	sb_jnum(b, ps.loop_start);
	sb_printf(b, ",");
	sb_jnum(b, ps.loop_end);
	sb_printf(b, "],\"xruns\":%llu,\"underruns\":%llu}", (unsigned long long)ps.xruns,
		  (unsigned long long)ps.underruns);
}

static void error_reply(sbuf *reply, const char *what)
{
	sb_printf(reply, "{\"type\":\"error\",\"message\":");
	sb_jstr(reply, what);
	sb_printf(reply, "}");
}

static bool get_num(const json_flat *o, const char *key, double *v)
{
	const json_field *f = json_flat_get(o, key);
	if (!f || (f->kind != JSON_NUMBER && f->kind != JSON_BOOL))
		return false;
	*v = f->num;
	return isfinite(*v);
}

static const char *get_str(const json_flat *o, const char *key)
{
	const json_field *f = json_flat_get(o, key);
	return f && f->kind == JSON_STRING ? f->str : NULL;
}

/* Set (strip, param) = v in the list ov[*n]; false when it is full. */
static bool remember(proto_override *ov, size_t *n, const char *strip, const char *param, double v)
{
	size_t i = 0;
	for (; i < *n && (strcmp(ov[i].strip, strip) || strcmp(ov[i].param, param)); i++)
		;
	if (i == *n) {
		if (i >= PROTO_MAX_OVERRIDES || strlen(strip) >= sizeof ov[i].strip || strlen(param) >= sizeof ov[i].param)
			return false;
		snprintf(ov[i].strip, sizeof ov[i].strip, "%s", strip);
		snprintf(ov[i].param, sizeof ov[i].param, "%s", param);
		(*n)++;
	}
	ov[i].value = v;
	return true;
}

void proto_refresh(proto_ctx *c)
{
	mixdown_session *s = NULL;
	mixdown_error err;
	/* The player validated this text already; if the file changed again in
	 * between, the next reload brings the description in line. */
	if (c->path && mixdown_session_load(c->path, &s, &err) == MIXDOWN_SUCCESS) {
		char *d = mixdown_session_strips_json(s);
		if (d) {
			free(c->details);
			c->details = d;
		}
		mixdown_session_free(s);
	}
	c->n_ov = 0;
	if (c->saved_reload_due) {
		for (size_t i = 0; i < c->n_since_save; i++) {
			const proto_override *o = &c->since_save[i];
			mixdown_player_control(c->p, o->strip, o->param, o->value, &err);
			if (strcmp(o->param, "gain") && strcmp(o->param, "pan") && strcmp(o->param, "mute") &&
			    strcmp(o->param, "solo"))
				remember(c->ov, &c->n_ov, o->strip, o->param, o->value);
		}
		c->saved_reload_due = false;
	}
}

static void handle_set(proto_ctx *c, const json_flat *o, int id, sbuf *reply, sbuf *broadcast)
{
	const char *strip = get_str(o, "strip"), *param = get_str(o, "param");
	double v;
	if (!strip || !param || !get_num(o, "value", &v)) {
		error_reply(reply, "set needs strip and param (strings) and a numeric value");
		return;
	}
	mixdown_error err;
	if (mixdown_player_control(c->p, strip, param, v, &err) != MIXDOWN_SUCCESS) {
		char msg[1024];
		mixdown_error_format(&err, msg, sizeof msg);
		error_reply(reply, msg);
		return;
	}
	bool flag = !strcmp(param, "mute") || !strcmp(param, "solo");
	if (!flag && strcmp(param, "gain") && strcmp(param, "pan"))
		remember(c->ov, &c->n_ov, strip, param, v); /* full: newcomers see the file's value (cosmetic) */
	if (!remember(c->since_save, &c->n_since_save, strip, param, v))
		c->saved_reload_due = false; /* too many to replay: let the reload win as it would anyway */
	sb_printf(broadcast, "{\"type\":\"changed\",\"strip\":");
	sb_jstr(broadcast, strip);
	sb_printf(broadcast, ",\"param\":");
	sb_jstr(broadcast, param);
	sb_printf(broadcast, ",\"value\":");
	if (flag)
		sb_printf(broadcast, "%s", v >= 0.5 ? "true" : "false");
	else
		sb_jnum(broadcast, v);
	sb_printf(broadcast, ",\"by\":%d}", id);
}

static void handle_transport(const proto_ctx *c, const json_flat *o, sbuf *reply)
{
	const char *op = get_str(o, "op");
	double a, b;
	if (!op) {
		error_reply(reply, "transport needs op: play, stop, locate or loop");
	} else if (!strcmp(op, "play")) {
		mixdown_player_play(c->p);
	} else if (!strcmp(op, "stop")) {
		mixdown_player_stop(c->p);
	} else if (!strcmp(op, "locate")) {
		const char *pos = get_str(o, "pos");
		if (pos ? !mixdown_player_locate_bars(c->p, pos) : !get_num(o, "pos", &a) || a < 0)
			error_reply(reply, "locate needs pos: seconds >= 0 or a position such as \"17:1\"");
		else if (!pos)
			mixdown_player_locate(c->p, a);
	} else if (!strcmp(op, "loop")) {
		if (!get_num(o, "start", &a) || !get_num(o, "end", &b) || a < 0)
			error_reply(reply, "loop needs start and end in seconds (end <= start: off)");
		else
			mixdown_player_loop(c->p, a, b);
	} else {
		error_reply(reply, "unknown transport op (play, stop, locate, loop)");
	}
}

void proto_handle(proto_ctx *c, const char *text, size_t len, int id, sbuf *reply, sbuf *broadcast)
{
	if (len > PROTO_MAX_MESSAGE) {
		error_reply(reply, "message too large (the limit is 4096 bytes)");
		return;
	}
	json_flat o;
	char why[96];
	if (!json_flat_parse(text, len, &o, why, sizeof why)) {
		char msg[160];
		snprintf(msg, sizeof msg, "malformed message: %s", why);
		error_reply(reply, msg);
		return;
	}
	const char *type = get_str(&o, "type");
	if (!type) {
		error_reply(reply, "message without a type");
	} else if (!strcmp(type, "set")) {
		handle_set(c, &o, id, reply, broadcast);
	} else if (!strcmp(type, "transport")) {
		handle_transport(c, &o, reply);
	} else if (!strcmp(type, "save")) {
		mixdown_error err;
		if (mixdown_player_save(c->p, c->path, &err) != MIXDOWN_SUCCESS) {
			char msg[1024];
			mixdown_error_format(&err, msg, sizeof msg);
			error_reply(reply, msg);
		} else {
			c->n_since_save = 0;
			c->saved_reload_due = c->watching;
			sb_printf(broadcast, "{\"type\":\"saved\",\"path\":");
			sb_jstr(broadcast, c->path);
			sb_printf(broadcast, ",\"by\":%d}", id);
		}
	} else if (!strcmp(type, "hello")) {
		/* the page's greeting: the session message follows on connect anyway */
	} else {
		error_reply(reply, "unknown message type (set, transport, save)");
	}
}
