/* mixdown — key paths, messages and value readers of the session parser.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/parse_internal.h"
#include "session/suggest.h"
#include "session/timeline.h"

/* ------------------------------------------------------------------ key paths */

static size_t path_append(mxd_pctx *c, const char *fmt, const char *s, size_t i)
{
	size_t old = c->plen;
	int w = s ? snprintf(c->path + c->plen, sizeof c->path - c->plen, fmt, s)
		  : snprintf(c->path + c->plen, sizeof c->path - c->plen, fmt, i);
	if (w > 0)
		c->plen = c->plen + (size_t)w >= sizeof c->path ? sizeof c->path - 1 : c->plen + (size_t)w;
	return old;
}

size_t px_key(mxd_pctx *c, const char *key)
{
	return path_append(c, c->plen ? ".%s" : "%s", key, 0);
}

size_t px_index(mxd_pctx *c, size_t i)
{
	return path_append(c, "[%zu]", NULL, i);
}

void px_pop(mxd_pctx *c, size_t old)
{
	c->plen = old;
	c->path[old] = '\0';
}

/* ------------------------------------------------------------------- messages */

mixdown_status px_fail(mxd_pctx *c, mixdown_status st, mxd_loc loc, const char *fmt, ...)
{
	char msg[sizeof c->err->message];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return mxd_fail(c->err, st, c->name, loc, c->path, "%s", msg);
}

mixdown_status px_nomem(mxd_pctx *c)
{
	return mxd_fail(c->err, MIXDOWN_ERR_NOMEM, c->name, (mxd_loc){ 0, 0 }, NULL, "out of memory");
}

const char *px_describe(const mxy_node *n, char *buf, size_t size)
{
	if (!n)
		snprintf(buf, size, "nothing");
	else if (n->kind == MXY_SEQ)
		snprintf(buf, size, "a list");
	else if (n->kind == MXY_MAP)
		snprintf(buf, size, "a mapping");
	else if (n->plain && n->len == 0)
		snprintf(buf, size, "an empty value");
	else if (mxy_is_null(n))
		snprintf(buf, size, "null");
	else {
		/* "text", with control characters escaped and long text shortened. */
		size_t o = 0, max = size < 8 ? 0 : size - 6;
		if (size < 8) {
			snprintf(buf, size, "?");
			return buf;
		}
		buf[o++] = '"';
		for (size_t i = 0; i < n->len && o < max; i++) {
			unsigned char ch = (unsigned char)n->str[i];
			if (i >= 40) {
				o += (size_t)snprintf(buf + o, size - o, "...");
				break;
			}
			if (ch == '"' || ch == '\\') {
				if (o + 2 >= max)
					break;
				buf[o++] = '\\';
				buf[o++] = (char)ch;
			} else if (ch < 0x20 || ch == 0x7f) {
				if (o + 4 >= max)
					break;
				o += (size_t)snprintf(buf + o, size - o, "\\x%02x", ch);
			} else {
				buf[o++] = (char)ch;
			}
		}
		buf[o++] = '"';
		buf[o] = '\0';
	}
	return buf;
}

const char *px_num(double v, char *buf, size_t size)
{
	if (isinf(v))
		snprintf(buf, size, v < 0 ? "-inf" : "inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, size, "%.0f", v == 0 ? 0.0 : v);
	else
		snprintf(buf, size, "%g", v);
	return buf;
}

/* ------------------------------------------------------------------ structure */

mixdown_status px_check_map(mxd_pctx *c, const mxy_node *map, const char *what,
			    const char *const *allowed, size_t n)
{
	char got[96];
	if (!map || map->kind != MXY_MAP) {
		if (what)
			return px_fail(c, MIXDOWN_ERR_SESSION, map ? map->loc : (mxd_loc){ 0, 0 },
				       "expected a mapping (%s), got %s", what, px_describe(map, got, sizeof got));
		return px_fail(c, MIXDOWN_ERR_SESSION, map ? map->loc : (mxd_loc){ 0, 0 },
			       "expected a mapping, got %s", px_describe(map, got, sizeof got));
	}
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const mxy_node *k = map->items[i];
		if (k->kind != MXY_SCALAR || (k->plain && k->len == 0))
			return px_fail(c, MIXDOWN_ERR_SESSION, k->loc, "expected a key name, got %s",
				       px_describe(k, got, sizeof got));
		size_t old = px_key(c, k->str);
		for (size_t j = 0; j < i; j += 2) {
			const mxy_node *p = map->items[j];
			if (p->kind == MXY_SCALAR && p->len == k->len && memcmp(p->str, k->str, k->len) == 0)
				return px_fail(c, MIXDOWN_ERR_SESSION, k->loc,
					       "duplicate key %s (first given at line %u, column %u)",
					       px_describe(k, got, sizeof got), p->loc.line, p->loc.column);
		}
		bool known = false;
		for (size_t a = 0; a < n && !known; a++)
			known = strlen(allowed[a]) == k->len && strcmp(allowed[a], k->str) == 0;
		if (!known) {
			const char *sug = mxd_suggest(k->str, allowed, n);
			if (sug)
				return px_fail(c, MIXDOWN_ERR_SESSION, k->loc,
					       "unknown key %s (did you mean \"%s\"?)",
					       px_describe(k, got, sizeof got), sug);
			char list[512];
			size_t o = 0;
			for (size_t a = 0; a < n && o < sizeof list; a++)
				o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", a ? ", " : "", allowed[a]);
			return px_fail(c, MIXDOWN_ERR_SESSION, k->loc, "unknown key %s (valid keys: %s)",
				       px_describe(k, got, sizeof got), list);
		}
		px_pop(c, old);
	}
	return MIXDOWN_SUCCESS;
}

mixdown_status px_check_list(mxd_pctx *c, const mxy_node *n, const char *what)
{
	if (mxy_is_null(n) || (n && n->kind == MXY_SEQ))
		return MIXDOWN_SUCCESS;
	char got[96];
	return px_fail(c, MIXDOWN_ERR_SESSION, n ? n->loc : (mxd_loc){ 0, 0 },
		       "expected a list%s%s%s, got %s", what ? " (" : "", what ? what : "", what ? ")" : "",
		       px_describe(n, got, sizeof got));
}

mixdown_status px_require(mxd_pctx *c, const mxy_node *map, const char *key, const mxy_node **out)
{
	*out = mxy_get(map, key, NULL);
	if (*out)
		return MIXDOWN_SUCCESS;
	return px_fail(c, MIXDOWN_ERR_SESSION, map->loc, "missing required key \"%s\"", key);
}

/* ---------------------------------------------------------------------- values */

/* A decimal number: [+-] digits [. digits] [e [+-] digits], at least one digit. */
static bool parse_decimal(const char *s, size_t len, double *out)
{
	size_t i = 0, digits = 0;
	if (len == 0 || len > 64 || strlen(s) != len)
		return false;
	if (s[i] == '+' || s[i] == '-')
		i++;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++, digits++;
	}
	if (!digits)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t e = 0;
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++, e++;
		if (!e)
			return false;
	}
	if (i != len)
		return false;
	*out = strtod(s, NULL);
	return isfinite(*out);
}

static bool is_neg_inf(const mxy_node *n)
{
	return n->kind == MXY_SCALAR && (strcmp(n->str, "-inf") == 0 || strcmp(n->str, "-.inf") == 0 ||
					 strcmp(n->str, "-Inf") == 0 || strcmp(n->str, "-.Inf") == 0 ||
					 strcmp(n->str, "-INF") == 0 || strcmp(n->str, "-.INF") == 0);
}

static mixdown_status range_error(mxd_pctx *c, const mxy_node *n, const char *unit, double min,
				  double max)
{
	char a[32], b[32];
	const char *sp = unit && *unit ? " " : "", *u = unit ? unit : "";
	if (isinf(max))
		return px_fail(c, MIXDOWN_ERR_SESSION, n->loc, "value %s is out of range (at least %s%s%s)",
			       n->str, px_num(min, a, sizeof a), sp, u);
	return px_fail(c, MIXDOWN_ERR_SESSION, n->loc, "value %s is out of range [%s, %s]%s%s", n->str,
		       px_num(min, a, sizeof a), px_num(max, b, sizeof b), sp, u);
}

static const char *unit_words(const char *unit)
{
	if (!unit || !*unit)
		return "";
	if (strcmp(unit, "s") == 0)
		return " in seconds";
	if (strcmp(unit, "ms") == 0)
		return " in milliseconds";
	static _Thread_local char buf[48];
	snprintf(buf, sizeof buf, " in %s", unit);
	return buf;
}

mixdown_status px_number(mxd_pctx *c, const mxy_node *n, const char *unit, double min,
			 double max, bool integer, double *out)
{
	char got[96];
	double v;
	if (n->kind != MXY_SCALAR || !parse_decimal(n->str, n->len, &v))
		return px_fail(c, MIXDOWN_ERR_SESSION, n->loc, "expected a %snumber%s, got %s",
			       integer ? "whole " : "", unit_words(unit), px_describe(n, got, sizeof got));
	if (integer && v != floor(v))
		return px_fail(c, MIXDOWN_ERR_SESSION, n->loc, "expected a whole number%s, got %s",
			       unit_words(unit), n->str);
	if (!(v >= min && v <= max))
		return range_error(c, n, unit, min, max);
	*out = v == 0 ? 0.0 : v; /* no -0 */
	return MIXDOWN_SUCCESS;
}

mixdown_status px_db(mxd_pctx *c, const mxy_node *n, double *out)
{
	if (is_neg_inf(n)) {
		*out = -144.0;
		return MIXDOWN_SUCCESS;
	}
	return px_number(c, n, "dB", -144.0, 24.0, false, out);
}

mixdown_status px_bool(mxd_pctx *c, const mxy_node *n, bool *out)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON" };
	static const char *const no[] = { "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF" };
	if (n->kind == MXY_SCALAR) {
		for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
			if (strcmp(n->str, yes[i]) == 0) {
				*out = true;
				return MIXDOWN_SUCCESS;
			}
			if (strcmp(n->str, no[i]) == 0) {
				*out = false;
				return MIXDOWN_SUCCESS;
			}
		}
	}
	char got[96];
	return px_fail(c, MIXDOWN_ERR_SESSION, n->loc, "expected true or false, got %s",
		       px_describe(n, got, sizeof got));
}

mixdown_status px_string(mxd_pctx *c, const mxy_node *n, char **out)
{
	char got[96];
	if (n->kind != MXY_SCALAR || mxy_is_null(n))
		return px_fail(c, MIXDOWN_ERR_SESSION, n->loc, "expected a string, got %s",
			       px_describe(n, got, sizeof got));
	char *s = strdup(n->str);
	if (!s)
		return px_nomem(c);
	free(*out);
	*out = s;
	return MIXDOWN_SUCCESS;
}

mixdown_status px_enum(mxd_pctx *c, const mxy_node *n, const char *const *names, int *out)
{
	size_t count = 0;
	while (names[count])
		count++;
	if (n->kind == MXY_SCALAR) {
		for (size_t i = 0; i < count; i++)
			if (strlen(names[i]) == n->len && strcmp(names[i], n->str) == 0) {
				*out = (int)i;
				return MIXDOWN_SUCCESS;
			}
	}
	char list[400], got[96];
	size_t o = 0;
	for (size_t i = 0; i < count && o < sizeof list; i++)
		o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i == 0 ? "" : i + 1 == count ? " or " : ", ",
				      names[i]);
	const char *sug = n->kind == MXY_SCALAR ? mxd_suggest(n->str, names, count) : NULL;
	if (sug)
		return px_fail(c, MIXDOWN_ERR_SESSION, n->loc, "expected %s, got %s (did you mean \"%s\"?)",
			       list, px_describe(n, got, sizeof got), sug);
	return px_fail(c, MIXDOWN_ERR_SESSION, n->loc, "expected %s, got %s", list,
		       px_describe(n, got, sizeof got));
}

/* Parse up to 9 digits; false if empty, not all digits or too long. */
static bool parse_uint(const char *s, size_t len, long *out)
{
	if (len == 0 || len > 9)
		return false;
	long v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

mixdown_status px_time(mxd_pctx *c, const mxy_node *n, double *out)
{
	char got[96];
	const mxd_session *s = c->s;
	if (n->kind == MXY_SCALAR && memchr(n->str, ':', n->len)) {
		const char *t = n->str, *c1 = memchr(t, ':', n->len);
		const char *c2 = memchr(c1 + 1, ':', n->len - (size_t)(c1 + 1 - t));
		const char *end = t + n->len;
		long bar = 0, tick = 0;
		double beat = 0;
		char beat_text[72];
		size_t beat_len = (size_t)((c2 ? c2 : end) - (c1 + 1));
		bool ok = parse_uint(t, (size_t)(c1 - t), &bar) && beat_len > 0 && beat_len < sizeof beat_text;
		if (ok) {
			memcpy(beat_text, c1 + 1, beat_len);
			beat_text[beat_len] = '\0';
			ok = beat_text[0] >= '0' && beat_text[0] <= '9' && !strpbrk(beat_text, "eE") &&
			     parse_decimal(beat_text, beat_len, &beat);
		}
		if (ok && c2)
			ok = parse_uint(c2 + 1, (size_t)(end - c2 - 1), &tick);
		if (!ok)
			return px_fail(c, MIXDOWN_ERR_SESSION, n->loc,
				       "expected a time in seconds or \"bar:beat[:tick]\", got %s",
				       px_describe(n, got, sizeof got));
		if (s->n_tempo == 0)
			return px_fail(c, MIXDOWN_ERR_SESSION, n->loc,
				       "the bar:beat time %s needs a tempo (set `tempo:` at the top level)",
				       px_describe(n, got, sizeof got));
		if (bar < 1)
			return px_fail(c, MIXDOWN_ERR_SESSION, n->loc, "bar %ld does not exist (bars count from 1)",
				       bar);
		if (beat < 1)
			return px_fail(c, MIXDOWN_ERR_SESSION, n->loc,
				       "beat %s does not exist (beats count from 1)", beat_text);
		if (tick > 959)
			return px_fail(c, MIXDOWN_ERR_SESSION, n->loc, "tick %ld is out of range [0, 959]", tick);
		const mxd_tempo_section *sec = mxd_timeline_section(s->tempo, s->n_tempo, (double)bar);
		if (beat + (double)tick / 960.0 >= sec->beats_per_bar + 1.0)
			return px_fail(c, MIXDOWN_ERR_SESSION, n->loc,
				       "beat %s%s%.*s is past the end of bar %ld (a bar of %u/%u has %u beats)",
				       beat_text, c2 ? ":" : "", c2 ? (int)(end - c2 - 1) : 0, c2 ? c2 + 1 : "",
				       bar, sec->beats_per_bar, sec->beat_unit, sec->beats_per_bar);
		*out = mxd_timeline_seconds(s->tempo, s->n_tempo, (double)bar, beat + (double)tick / 960.0);
		return MIXDOWN_SUCCESS;
	}
	double v;
	if (n->kind != MXY_SCALAR || !parse_decimal(n->str, n->len, &v))
		return px_fail(c, MIXDOWN_ERR_SESSION, n->loc,
			       "expected a time in seconds or \"bar:beat[:tick]\", got %s",
			       px_describe(n, got, sizeof got));
	if (v < 0)
		return range_error(c, n, "s", 0, INFINITY);
	*out = v == 0 ? 0.0 : v;
	return MIXDOWN_SUCCESS;
}

/* ------------------------------------------------------------- optional keys */

#define OPT_WRAP(call)                                                                 \
	const mxy_node *v = mxy_get(map, key, NULL);                                   \
	if (!v)                                                                        \
		return MIXDOWN_SUCCESS;                                                \
	size_t old = px_key(c, key);                                                   \
	mixdown_status st = (call);                                                    \
	if (st == MIXDOWN_SUCCESS)                                                     \
		px_pop(c, old);                                                        \
	return st

mixdown_status px_opt_number(mxd_pctx *c, const mxy_node *map, const char *key, const char *unit,
			     double min, double max, bool integer, double *out)
{
	OPT_WRAP(px_number(c, v, unit, min, max, integer, out));
}

mixdown_status px_opt_db(mxd_pctx *c, const mxy_node *map, const char *key, double *out)
{
	OPT_WRAP(px_db(c, v, out));
}

mixdown_status px_opt_bool(mxd_pctx *c, const mxy_node *map, const char *key, bool *out)
{
	OPT_WRAP(px_bool(c, v, out));
}

mixdown_status px_opt_string(mxd_pctx *c, const mxy_node *map, const char *key, char **out)
{
	OPT_WRAP(px_string(c, v, out));
}

mixdown_status px_opt_time(mxd_pctx *c, const mxy_node *map, const char *key, double *out)
{
	OPT_WRAP(px_time(c, v, out));
}

/* "N/D" with an optional "." (dotted, x1.5) or "t" (triplet, x2/3): a note
 * value as a fraction of a whole note. Returns false for anything else. */
static bool parse_note(const char *str, double *whole_notes)
{
	unsigned num = 0, den = 0;
	int used = 0;
	if (sscanf(str, "%u/%u%n", &num, &den, &used) != 2 || num == 0 || num > 64 || den == 0 || den > 256)
		return false;
	double f = (double)num / (double)den;
	const char *rest = str + used;
	if (*rest == '.')
		f *= 1.5, rest++;
	else if (*rest == 't' || *rest == 'T')
		f *= 2.0 / 3.0, rest++;
	if (*rest)
		return false;
	*whole_notes = f;
	return true;
}

/* A note value or a plain number in `unit`: *out gets the number (in unit)
 * or, for a note, its length in seconds at the session's starting tempo (a
 * beat is the meter's denominator note; docs/session-format.md, "Tempo and
 * bar:beat times"); *is_note says which. */
static mixdown_status number_or_note(mxd_pctx *c, const mxy_node *n, const char *unit, double min, double max,
				     double *out, bool *is_note)
{
	double whole;
	*is_note = n->kind == MXY_SCALAR && parse_note(n->str, &whole);
	if (!*is_note)
		return px_number(c, n, unit, min, max, false, out);
	if (c->s->n_tempo == 0)
		return px_fail(c, MIXDOWN_ERR_SESSION, n->loc,
			       "the note value \"%s\" needs a tempo (set `tempo:` at the top level)", n->str);
	const mxd_tempo_section *t = &c->s->tempo[0];
	*out = whole * t->beat_unit * 60.0 / t->bpm;
	return MIXDOWN_SUCCESS;
}

static mixdown_status note_in_range(mxd_pctx *c, const mxy_node *n, double v, const char *unit, double min,
				    double max, double *out)
{
	if (!(v >= min && v <= max))
		return px_fail(c, MIXDOWN_ERR_SESSION, n->loc,
			       "the note value \"%s\" is %.4g %s at %g bpm, out of range [%g, %g] %s", n->str, v, unit,
			       c->s->tempo[0].bpm, min, max, unit);
	*out = v;
	return MIXDOWN_SUCCESS;
}

mixdown_status px_ms_or_note(mxd_pctx *c, const mxy_node *n, double min, double max, double *out)
{
	bool note;
	double v;
	PX_TRY(number_or_note(c, n, "ms", min, max, &v, &note));
	if (!note) {
		*out = v;
		return MIXDOWN_SUCCESS;
	}
	return note_in_range(c, n, v * 1000.0, "ms", min, max, out);
}

mixdown_status px_hz_or_note(mxd_pctx *c, const mxy_node *n, double min, double max, double *out)
{
	bool note;
	double v;
	PX_TRY(number_or_note(c, n, "Hz", min, max, &v, &note));
	if (!note) {
		*out = v;
		return MIXDOWN_SUCCESS;
	}
	return note_in_range(c, n, 1.0 / v, "Hz", min, max, out); /* one cycle per note */
}

mixdown_status mxd_session_time(const mxd_session *s, const char *text, const char *what, double *out,
				mixdown_error *err)
{
	mxy_node n = { .kind = MXY_SCALAR, .str = (char *)text, .len = strlen(text), .plain = true };
	mxd_pctx c = { .name = what, .err = err, .s = (mxd_session *)s };
	return px_time(&c, &n, out);
}
