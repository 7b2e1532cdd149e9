/* mixdown — changing values in a session file's text in place (see
 * session_patch.h). SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The text is parsed with libyaml's event API (not the session tree) because
 * the events carry the start and end mark of every node, its quoting style and
 * its anchor. libyaml counts marks in characters (a CRLF is two, a UTF-8 BOM
 * none), so they are mapped to byte offsets before slicing. Changes are
 * applied one at a time, each on a fresh parse of the text so far, so two
 * changes that add keys to the same new mapping (master.gain, master.width)
 * see each other's result. Any thread; allocates.
 */
#include "session/session_patch.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "session/model.h"

#define MAX_DEPTH 64

enum { PN_SCALAR, PN_SEQ, PN_MAP, PN_ALIAS };

typedef struct pnode pnode;
struct pnode {
	int kind;
	size_t start, end;         /* byte offsets of the node's text (quotes, brackets included) */
	mxd_loc loc;               /* 1-based line, column in characters */
	bool flow;                 /* collections written [ ] / { } */
	yaml_scalar_style_t style; /* scalars */
	char *value;               /* scalars: the decoded text */
	char *anchor;              /* &name on this node, or NULL */
	char *alias;               /* PN_ALIAS: the anchor it refers to */
	pnode **items;             /* SEQ: items; MAP: key, value, key, value... */
	size_t n, cap;
};

typedef struct {
	const char *text;
	size_t len;
	const char *name;
	size_t *byte_of;           /* character index -> byte offset */
	size_t n_chars;
	pnode *root;
	pnode **all;
	size_t n_all, cap_all;
} pdoc;

static void doc_free(pdoc *d)
{
	for (size_t i = 0; i < d->n_all; i++) {
		free(d->all[i]->value);
		free(d->all[i]->anchor);
		free(d->all[i]->alias);
		free(d->all[i]->items);
		free(d->all[i]);
	}
	free(d->all);
	free(d->byte_of);
	memset(d, 0, sizeof *d);
}

static size_t byte_at(const pdoc *d, size_t index)
{
	return index < d->n_chars ? d->byte_of[index] : d->len;
}

static char *dup_str(const unsigned char *s)
{
	return s ? strdup((const char *)s) : NULL;
}

static pnode *new_node(pdoc *d, int kind, const yaml_event_t *ev)
{
	if (d->n_all == d->cap_all) {
		size_t cap = d->cap_all ? 2 * d->cap_all : 64;
		pnode **a = realloc(d->all, cap * sizeof *a);
		if (!a)
			return NULL;
		d->all = a;
		d->cap_all = cap;
	}
	pnode *nd = calloc(1, sizeof *nd);
	if (!nd)
		return NULL;
	d->all[d->n_all++] = nd;
	nd->kind = kind;
	nd->start = byte_at(d, ev->start_mark.index);
	nd->end = byte_at(d, ev->end_mark.index);
	nd->loc = (mxd_loc){ (uint32_t)ev->start_mark.line + 1, (uint32_t)ev->start_mark.column + 1 };
	return nd;
}

static bool add_item(pnode *parent, pnode *child)
{
	if (parent->n == parent->cap) {
		size_t cap = parent->cap ? 2 * parent->cap : 8;
		pnode **a = realloc(parent->items, cap * sizeof *a);
		if (!a)
			return false;
		parent->items = a;
		parent->cap = cap;
	}
	parent->items[parent->n++] = child;
	return true;
}

/* Parse d->text into the node tree. */
static mixdown_status doc_load(pdoc *d, mixdown_error *err)
{
	const unsigned char *t = (const unsigned char *)d->text;
	size_t base = d->len >= 3 && t[0] == 0xEF && t[1] == 0xBB && t[2] == 0xBF ? 3 : 0;
	if (!(d->byte_of = malloc((d->len + 1) * sizeof *d->byte_of)))
		return MIXDOWN_ERR_NOMEM;
	for (size_t b = base; b < d->len; b++)
		if ((t[b] & 0xC0) != 0x80)
			d->byte_of[d->n_chars++] = b;

	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		return MIXDOWN_ERR_NOMEM;
	yaml_parser_set_input_string(&parser, t, d->len);
	pnode *stack[MAX_DEPTH];
	size_t depth = 0, docs = 0;
	mixdown_status st = MIXDOWN_SUCCESS;
	for (bool done = false; !done && st == MIXDOWN_SUCCESS;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			mxd_loc loc = { (uint32_t)parser.problem_mark.line + 1, (uint32_t)parser.problem_mark.column + 1 };
			st = mxd_fail(err, MIXDOWN_ERR_SESSION, d->name, loc, NULL, "YAML syntax error: %s%s%s",
				      parser.problem ? parser.problem : "unreadable", parser.context ? " " : "",
				      parser.context ? parser.context : "");
			break;
		}
		pnode *nd = NULL;
		mxd_loc here = { (uint32_t)ev.start_mark.line + 1, (uint32_t)ev.start_mark.column + 1 };
		switch (ev.type) {
		case YAML_STREAM_END_EVENT: done = true; break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				st = mxd_fail(err, MIXDOWN_ERR_SESSION, d->name, here, NULL,
					      "a session file holds one YAML document, this is the second");
			break;
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT: {
			bool map = ev.type == YAML_MAPPING_START_EVENT;
			if (depth == MAX_DEPTH) {
				st = mxd_fail(err, MIXDOWN_ERR_SESSION, d->name, here, NULL, "nested deeper than %d levels",
					      MAX_DEPTH);
				break;
			}
			if (!(nd = new_node(d, map ? PN_MAP : PN_SEQ, &ev))) {
				st = MIXDOWN_ERR_NOMEM;
				break;
			}
			nd->flow = map ? ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
				       : ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
			const unsigned char *a = map ? ev.data.mapping_start.anchor : ev.data.sequence_start.anchor;
			if (a && !(nd->anchor = dup_str(a)))
				st = MIXDOWN_ERR_NOMEM;
			break;
		}
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			if (depth > 0)
				stack[--depth]->end = byte_at(d, ev.end_mark.index);
			break;
		case YAML_SCALAR_EVENT:
			if (!(nd = new_node(d, PN_SCALAR, &ev)) || !(nd->value = dup_str(ev.data.scalar.value)) ||
			    (ev.data.scalar.anchor && !(nd->anchor = dup_str(ev.data.scalar.anchor)))) {
				st = MIXDOWN_ERR_NOMEM;
				break;
			}
			nd->style = ev.data.scalar.style;
			break;
		case YAML_ALIAS_EVENT:
			if (!(nd = new_node(d, PN_ALIAS, &ev)) || !(nd->alias = dup_str(ev.data.alias.anchor)))
				st = MIXDOWN_ERR_NOMEM;
			break;
		default: break;
		}
		if (nd && st == MIXDOWN_SUCCESS) {
			if (depth == 0 && !d->root)
				d->root = nd;
			else if (depth > 0 && !add_item(stack[depth - 1], nd))
				st = MIXDOWN_ERR_NOMEM;
			if (nd->kind == PN_MAP || nd->kind == PN_SEQ)
				stack[depth++] = nd;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return st;
}

/* ------------------------------------------------------------- rendering */

static bool safe_plain(const char *v)
{
	if (!*v)
		return false;
	for (const char *c = v; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '.' ||
		      *c == '_' || *c == '+' || *c == '-'))
			return false;
	return true;
}

/* Append `v` written in `style` (plain when safe, else double-quoted) to f. */
static void put_value(FILE *f, const char *v, yaml_scalar_style_t style)
{
	if (style == YAML_SINGLE_QUOTED_SCALAR_STYLE) {
		fputc('\'', f);
		for (const char *c = v; *c; c++)
			fputs(*c == '\'' ? "''" : (char[]){ *c, 0 }, f);
		fputc('\'', f);
		return;
	}
	if (style != YAML_DOUBLE_QUOTED_SCALAR_STYLE && safe_plain(v)) {
		fputs(v, f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(f, "\\%c", *c);
		else if (*c < 0x20 || *c == 0x7f)
			fprintf(f, "\\x%02X", *c);
		else
			fputc(*c, f);
	}
	fputc('"', f);
}

void mxd_patch_number(double v, char *buf, size_t size)
{
	if (isnan(v)) {
		snprintf(buf, size, ".nan");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, size, v < 0 ? "-inf" : "inf");
		return;
	}
	if (v == 0.0)
		v = 0.0; /* no "-0" */
	/* The shortest text that reads back as the same single-precision value:
	 * fixed notation for ordinary magnitudes (12000, not 1.2e+04), else %g. */
	if (fabs(v) >= 1e-4 && fabs(v) < 1e15)
		for (int d = 0; d <= 9; d++) {
			snprintf(buf, size, "%.*f", d, v);
			if ((float)strtod(buf, NULL) == (float)v)
				return;
		}
	for (int p = 1; p <= 17; p++) {
		snprintf(buf, size, "%.*g", p, v);
		if ((float)strtod(buf, NULL) == (float)v)
			return;
	}
}

/* ------------------------------------------------------------------ paths */

typedef struct {
	size_t at, end; /* replace text[at, end) */
	char *with;     /* malloc'd */
} edit;

static bool alias_used(const pdoc *d, const char *anchor)
{
	for (size_t i = 0; i < d->n_all; i++)
		if (d->all[i]->kind == PN_ALIAS && !strcmp(d->all[i]->alias, anchor))
			return true;
	return false;
}

static mixdown_status not_shared(const pdoc *d, const pnode *nd, const char *path, mixdown_error *err)
{
	if (nd->kind == PN_ALIAS)
		return mxd_fail(err, MIXDOWN_ERR_SESSION, d->name, nd->loc, path,
				"the path goes through the alias *%s, which other places share; change the anchored "
				"original (&%s) instead",
				nd->alias, nd->alias);
	if (nd->anchor && alias_used(d, nd->anchor))
		return mxd_fail(err, MIXDOWN_ERR_SESSION, d->name, nd->loc, path,
				"this value is shared through the anchor &%s (used as *%s elsewhere); changing it here "
				"would change those places too",
				nd->anchor, nd->anchor);
	return MIXDOWN_SUCCESS;
}

/* The value of `key` in a mapping (its key node in *key_out), or NULL. */
static pnode *map_get(const pnode *map, const char *key, size_t keylen, pnode **key_out)
{
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		pnode *k = map->items[i];
		if (k->kind == PN_SCALAR && strlen(k->value) == keylen && !memcmp(k->value, key, keylen)) {
			if (key_out)
				*key_out = k;
			return map->items[i + 1];
		}
	}
	return NULL;
}

static const char *kind_name(const pnode *nd)
{
	return nd->kind == PN_MAP ? "a mapping" : nd->kind == PN_SEQ ? "a list" : nd->kind == PN_ALIAS ? "an alias"
									       : "a value";
}

/* Text for a new key (and the plain keys below it) holding `value`. Block:
 * one line per key, from indentation `ind` (2 more per level); flow: nested
 * `{ }`. keys: '.'-separated. */
static char *new_key_text(const char *keys, const char *value, bool flow, size_t ind, bool comma, bool empty_flow)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	if (!f)
		return NULL;
	size_t levels = 0;
	if (flow)
		fputs(comma ? ", " : empty_flow ? " " : "", f);
	for (const char *k = keys;;) {
		const char *dot = strchr(k, '.');
		size_t len = dot ? (size_t)(dot - k) : strlen(k);
		if (flow) {
			fprintf(f, "%.*s: %s", (int)len, k, dot ? "{ " : "");
		} else {
			fprintf(f, "%*s%.*s:%s", (int)(ind + 2 * levels), "", (int)len, k, dot ? "\n" : " ");
		}
		if (!dot)
			break;
		levels++;
		k = dot + 1;
	}
	put_value(f, value, YAML_PLAIN_SCALAR_STYLE);
	for (size_t l = 0; flow && l < levels; l++)
		fputs(" }", f);
	fputs(flow ? (empty_flow ? " " : "") : "\n", f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* A missing `keys` (first one missing in `map`; plain keys after it) added to
 * a mapping: see session_patch.h for where. */
static mixdown_status add_key(const pdoc *d, const pnode *map, const char *keys, const mxd_patch_change *c,
			      edit *ed, mixdown_error *err)
{
	if (map->flow) {
		ed->at = map->n ? map->items[map->n - 1]->end : map->start + 1;
		ed->end = ed->at;
		ed->with = new_key_text(keys, c->value, true, 0, map->n > 0, map->n == 0);
		return ed->with ? MIXDOWN_SUCCESS : MIXDOWN_ERR_NOMEM;
	}
	const pnode *after = NULL, *key = NULL;
	if (map == d->root) {
		key = map->n ? map->items[0] : NULL;
	} else {
		/* The `name:` pair, else the first pair with a scalar value. */
		for (int pass = 0; pass < 2 && !after; pass++)
			for (size_t i = 0; i + 1 < map->n && !after; i += 2) {
				const pnode *k = map->items[i], *v = map->items[i + 1];
				bool scalar = v->kind == PN_SCALAR || v->kind == PN_ALIAS;
				if (scalar && k->kind == PN_SCALAR && (pass == 1 || !strcmp(k->value, "name")))
					after = v, key = k;
			}
		if (!after)
			return mxd_fail(err, MIXDOWN_ERR_SESSION, d->name, map->loc, c->path,
					"cannot place a new key in this mapping (it has no one-line `key: value` pair); "
					"add it to the file by hand");
	}
	size_t ind = key ? key->loc.column - 1 : 0;
	bool nl_first = false;
	if (!after) {
		ed->at = d->len; /* the top level: at the end of the file */
		nl_first = d->len > 0 && d->text[d->len - 1] != '\n';
	} else {
		const char *eol = memchr(d->text + after->end, '\n', d->len - after->end);
		ed->at = eol ? (size_t)(eol - d->text) + 1 : d->len;
		nl_first = !eol;
	}
	ed->end = ed->at;
	char *line = new_key_text(keys, c->value, false, ind, false, false);
	if (!line)
		return MIXDOWN_ERR_NOMEM;
	if (nl_first) {
		size_t n = strlen(line);
		char *l2 = malloc(n + 2);
		if (!l2) {
			free(line);
			return MIXDOWN_ERR_NOMEM;
		}
		l2[0] = '\n';
		memcpy(l2 + 1, line, n + 1);
		free(line);
		line = l2;
	}
	ed->with = line;
	return MIXDOWN_SUCCESS;
}

/* Resolve one change on a parsed document into one edit. */
static mixdown_status plan(const pdoc *d, const mxd_patch_change *c, edit *ed, mixdown_error *err)
{
	const char *path = c->path;
	const pnode *cur = d->root;
	if (!cur || cur->kind != PN_MAP)
		return mxd_fail(err, MIXDOWN_ERR_SESSION, d->name, cur ? cur->loc : (mxd_loc){ 1, 1 }, path,
				"the session is not a mapping of keys");
	const char *p = path;
	for (;;) {
		size_t klen = strcspn(p, ".[");
		if (klen == 0)
			return mxd_fail(err, MIXDOWN_ERR_USAGE, d->name, (mxd_loc){ 0, 0 }, path, "malformed path");
		if (cur->kind != PN_MAP)
			return mxd_fail(err, MIXDOWN_ERR_SESSION, d->name, cur->loc, path, "expected a mapping here, found %s",
					kind_name(cur));
		mixdown_status st = not_shared(d, cur, path, err);
		if (st != MIXDOWN_SUCCESS)
			return st;
		const pnode *v = map_get(cur, p, klen, NULL);
		if (!v) {
			/* Missing: only plain keys may follow. */
			if (strchr(p, '['))
				return mxd_fail(err, MIXDOWN_ERR_SESSION, d->name, cur->loc, path, "no key \"%.*s\" here",
						(int)klen, p);
			return add_key(d, cur, p, c, ed, err);
		}
		p += klen;
		cur = v;
		while (*p == '[') {
			/* The selector ends at the first ']' followed by '.', '[' or the end. */
			const char *q = p + 1, *close = NULL;
			for (const char *r = q; (r = strchr(r, ']')); r++)
				if (r[1] == '\0' || r[1] == '.' || r[1] == '[') {
					close = r;
					break;
				}
			if (!close || close == q)
				return mxd_fail(err, MIXDOWN_ERR_USAGE, d->name, (mxd_loc){ 0, 0 }, path, "malformed selector");
			if ((st = not_shared(d, cur, path, err)) != MIXDOWN_SUCCESS)
				return st;
			if (cur->kind != PN_SEQ)
				return mxd_fail(err, MIXDOWN_ERR_SESSION, d->name, cur->loc, path,
						"expected a list here, found %s", kind_name(cur));
			const char *eq = memchr(q, '=', (size_t)(close - q));
			const pnode *item = NULL;
			if (!eq) {
				char *end = NULL;
				unsigned long idx = strtoul(q, &end, 10);
				if (end != close)
					return mxd_fail(err, MIXDOWN_ERR_USAGE, d->name, (mxd_loc){ 0, 0 }, path,
							"malformed selector");
				if (idx >= cur->n)
					return mxd_fail(err, MIXDOWN_ERR_SESSION, d->name, cur->loc, path,
							"the list has %zu items, no item %lu (counting from 0)", cur->n, idx);
				item = cur->items[idx];
			} else {
				size_t vlen = (size_t)(close - eq - 1);
				for (size_t i = 0; i < cur->n && !item; i++) {
					const pnode *it = cur->items[i];
					const pnode *kv = it->kind == PN_MAP ? map_get(it, q, (size_t)(eq - q), NULL) : NULL;
					if (kv && kv->kind == PN_SCALAR && strlen(kv->value) == vlen &&
					    !memcmp(kv->value, eq + 1, vlen))
						item = it;
				}
				if (!item)
					return mxd_fail(err, MIXDOWN_ERR_SESSION, d->name, cur->loc, path,
							"no item with %.*s: %.*s in this list", (int)(eq - q), q, (int)vlen,
							eq + 1);
			}
			cur = item;
			p = close + 1;
		}
		if (*p == '.') {
			p++;
			if (cur->kind == PN_ALIAS)
				return not_shared(d, cur, path, err);
			continue;
		}
		break; /* the end of the path */
	}
	/* The value: a scalar (or an alias, replaced by the value itself). */
	if (cur->kind == PN_MAP || cur->kind == PN_SEQ)
		return mxd_fail(err, MIXDOWN_ERR_SESSION, d->name, cur->loc, path, "names %s, not a value",
				kind_name(cur));
	yaml_scalar_style_t style = YAML_PLAIN_SCALAR_STYLE;
	size_t at = cur->start;
	if (cur->kind == PN_SCALAR) {
		mixdown_status st = not_shared(d, cur, path, err);
		if (st != MIXDOWN_SUCCESS)
			return st;
		if (cur->style == YAML_LITERAL_SCALAR_STYLE || cur->style == YAML_FOLDED_SCALAR_STYLE)
			return mxd_fail(err, MIXDOWN_ERR_SESSION, d->name, cur->loc, path,
					"the value is a block scalar (| or >); write it on one line to change it");
		style = cur->style;
		/* Keep an (unused) anchor or a tag in front of the value. */
		while (at < cur->end && (d->text[at] == '&' || d->text[at] == '!')) {
			while (at < cur->end && d->text[at] != ' ' && d->text[at] != '\t')
				at++;
			while (at < cur->end && (d->text[at] == ' ' || d->text[at] == '\t'))
				at++;
		}
		if (cur->end == cur->start) /* an empty value (`gain:`): nothing to replace, write after the colon */
			style = YAML_PLAIN_SCALAR_STYLE;
	}
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	if (!f)
		return MIXDOWN_ERR_NOMEM;
	if (cur->end == cur->start && at > 0 && d->text[at - 1] == ':')
		fputc(' ', f);
	put_value(f, c->value, style);
	if (fclose(f) != 0) {
		free(buf);
		return MIXDOWN_ERR_NOMEM;
	}
	ed->at = at;
	ed->end = cur->end;
	ed->with = buf;
	return MIXDOWN_SUCCESS;
}

mixdown_status mxd_session_patch(const char *text, size_t len, const char *name, const mxd_patch_change *changes,
				 size_t n, char **out, size_t *out_len, mixdown_error *err)
{
	*out = NULL;
	*out_len = 0;
	if (!name)
		name = "<session>";
	char *cur = malloc(len + 1);
	if (!cur)
		return MIXDOWN_ERR_NOMEM;
	memcpy(cur, text, len);
	cur[len] = '\0';
	size_t cur_len = len;
	mixdown_status st = MIXDOWN_SUCCESS;
	/* One change at a time on a fresh parse (see the top of this file); a
	 * last parse checks the result is still one valid YAML document. */
	for (size_t i = 0; i <= n && st == MIXDOWN_SUCCESS; i++) {
		pdoc d = { .text = cur, .len = cur_len, .name = name };
		st = doc_load(&d, err);
		if (st == MIXDOWN_SUCCESS && i < n) {
			if (!changes[i].path || !changes[i].value) {
				st = mxd_fail(err, MIXDOWN_ERR_USAGE, name, (mxd_loc){ 0, 0 }, NULL, "a change without a path or value");
			} else {
				edit ed = { 0 };
				st = plan(&d, &changes[i], &ed, err);
				if (st == MIXDOWN_SUCCESS) {
					size_t wl = strlen(ed.with), nl = cur_len - (ed.end - ed.at) + wl;
					char *next = malloc(nl + 1);
					if (!next) {
						st = MIXDOWN_ERR_NOMEM;
					} else {
						memcpy(next, cur, ed.at);
						memcpy(next + ed.at, ed.with, wl);
						memcpy(next + ed.at + wl, cur + ed.end, cur_len - ed.end);
						next[nl] = '\0';
						free(cur);
						cur = next;
						cur_len = nl;
					}
				}
				free(ed.with);
			}
		}
		doc_free(&d);
	}
	if (st != MIXDOWN_SUCCESS) {
		free(cur);
		return st;
	}
	*out = cur;
	*out_len = cur_len;
	return MIXDOWN_SUCCESS;
}

/* ------------------------------------------------------------------ files */

static mixdown_status read_all(const char *path, char **text, size_t *len, mixdown_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return mxd_fail(err, MIXDOWN_ERR_IO, path, (mxd_loc){ 0, 0 }, NULL, "cannot open: %s", strerror(errno));
	char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			char *b = realloc(buf, cap + 1);
			if (!b) {
				free(buf);
				fclose(f);
				return MIXDOWN_ERR_NOMEM;
			}
			buf = b;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return mxd_fail(err, MIXDOWN_ERR_IO, path, (mxd_loc){ 0, 0 }, NULL, "read failed");
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return MIXDOWN_SUCCESS;
}

mixdown_status mxd_session_patch_file(const char *path, const mxd_patch_change *changes, size_t n,
				      mixdown_error *err)
{
	/* Write next to the real file, so a symbolic link stays a link. */
	char real[PATH_MAX];
	const char *target = realpath(path, real) ? real : path;
	char *text = NULL, *out = NULL;
	size_t len = 0, out_len = 0;
	mixdown_status st = read_all(target, &text, &len, err);
	if (st != MIXDOWN_SUCCESS)
		return st;
	st = mxd_session_patch(text, len, path, changes, n, &out, &out_len, err);
	free(text);
	if (st != MIXDOWN_SUCCESS)
		return st;
	char tmp[PATH_MAX + 16];
	if (snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", target) >= (int)sizeof tmp) {
		free(out);
		return mxd_fail(err, MIXDOWN_ERR_IO, path, (mxd_loc){ 0, 0 }, NULL, "path too long");
	}
	int fd = mkstemp(tmp);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!f) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(out);
		return mxd_fail(err, MIXDOWN_ERR_IO, path, (mxd_loc){ 0, 0 }, NULL, "cannot create a temporary file: %s",
				strerror(e));
	}
	struct stat sb;
	if (stat(target, &sb) == 0)
		fchmod(fd, sb.st_mode & 07777); /* keep the session's permissions */
	bool ok = fwrite(out, 1, out_len, f) == out_len;
	ok &= fflush(f) == 0;
	int e = errno;
	ok &= fclose(f) == 0;
	free(out);
	if (!ok || rename(tmp, target) != 0) {
		if (ok)
			e = errno;
		unlink(tmp);
		return mxd_fail(err, MIXDOWN_ERR_IO, path, (mxd_loc){ 0, 0 }, NULL, "cannot write: %s", strerror(e));
	}
	return MIXDOWN_SUCCESS;
}

/* ------------------------------------------------- lists (mixdown clean) */

/* Where a node's own text ends: block collections end where their last item
 * does (libyaml's end mark of a block collection is the next token, past any
 * comments and blank lines, which must stay). */
static size_t content_end(const pnode *nd)
{
	if ((nd->kind == PN_MAP || nd->kind == PN_SEQ) && !nd->flow && nd->n)
		return content_end(nd->items[nd->n - 1]);
	return nd->end;
}

/* The node a path of keys and selectors names (every part must exist). */
static mixdown_status resolve(const pdoc *d, const char *path, const pnode **out, mixdown_error *err)
{
	const pnode *cur = d->root;
	for (const char *p = path; *p;) {
		size_t klen = strcspn(p, ".[");
		const pnode *v = cur && cur->kind == PN_MAP && klen ? map_get(cur, p, klen, NULL) : NULL;
		if (!v)
			return mxd_fail(err, MIXDOWN_ERR_SESSION, d->name, cur ? cur->loc : (mxd_loc){ 1, 1 }, path,
					"no key \"%.*s\" here", (int)klen, p);
		cur = v;
		p += klen;
		while (*p == '[') {
			const char *q = p + 1, *close = strchr(q, ']'), *eq = close ? memchr(q, '=', (size_t)(close - q)) : NULL;
			if (!close || cur->kind != PN_SEQ)
				return mxd_fail(err, MIXDOWN_ERR_SESSION, d->name, cur->loc, path, "expected a list here");
			const pnode *item = NULL;
			for (size_t i = 0; i < cur->n && !item; i++) {
				const pnode *it = cur->items[i];
				const pnode *kv = eq && it->kind == PN_MAP ? map_get(it, q, (size_t)(eq - q), NULL) : NULL;
				size_t vlen = eq ? (size_t)(close - eq - 1) : 0;
				if (eq ? kv && kv->kind == PN_SCALAR && strlen(kv->value) == vlen && !memcmp(kv->value, eq + 1, vlen)
				       : i == strtoul(q, NULL, 10))
					item = it;
			}
			if (!item)
				return mxd_fail(err, MIXDOWN_ERR_SESSION, d->name, cur->loc, path, "no such item in this list");
			cur = item;
			p = close + 1;
		}
		if (*p == '.')
			p++;
	}
	*out = cur;
	return MIXDOWN_SUCCESS;
}

/* "- a\n<ind>- b" (block) or "a, b" (flow) from the items. */
static void put_items(FILE *f, const char *const *items, size_t n, bool flow, size_t ind, bool lead)
{
	for (size_t i = 0; i < n; i++) {
		if (flow)
			fprintf(f, "%s%s", i || lead ? ", " : "", items[i]);
		else
			fprintf(f, "%s%*s- %s", i || lead ? "\n" : "", i || lead ? (int)ind : 0, "", items[i]);
	}
}

mixdown_status mxd_session_patch_list(const char *text, size_t len, const char *name, const char *map_path,
				      const char *key, const char *alt_key, const char *const *items, size_t n_items,
				      bool append, char **out, size_t *out_len, mixdown_error *err)
{
	*out = NULL;
	*out_len = 0;
	if (!name)
		name = "<session>";
	pdoc d = { .text = text, .len = len, .name = name };
	const pnode *map = NULL;
	mixdown_status st = doc_load(&d, err);
	if (st == MIXDOWN_SUCCESS)
		st = resolve(&d, map_path, &map, err);
	if (st == MIXDOWN_SUCCESS && map->kind != PN_MAP)
		st = mxd_fail(err, MIXDOWN_ERR_SESSION, name, map->loc, map_path, "names %s, not a mapping", kind_name(map));
	if (st == MIXDOWN_SUCCESS)
		st = not_shared(&d, map, map_path, err);
	pnode *kn = NULL, *akn = NULL;
	const pnode *v = st == MIXDOWN_SUCCESS ? map_get(map, key, strlen(key), &kn) : NULL;
	const pnode *av = st == MIXDOWN_SUCCESS && !v && alt_key ? map_get(map, alt_key, strlen(alt_key), &akn) : NULL;
	char *buf = NULL;
	size_t size = 0, at = 0, end = 0;
	FILE *f = st == MIXDOWN_SUCCESS ? open_memstream(&buf, &size) : NULL;
	if (st == MIXDOWN_SUCCESS && !f)
		st = MIXDOWN_ERR_NOMEM;
	if (st == MIXDOWN_SUCCESS && v) {
		if (v->kind != PN_SEQ || (st = not_shared(&d, v, key, err)) != MIXDOWN_SUCCESS) {
			if (st == MIXDOWN_SUCCESS)
				st = mxd_fail(err, MIXDOWN_ERR_SESSION, name, v->loc, key, "expected a list, found %s",
					      kind_name(v));
		} else if (v->flow) {
			if (append && v->n) {
				at = end = v->items[v->n - 1]->end;
				put_items(f, items, n_items, true, 0, true);
			} else {
				at = v->start;
				end = v->end;
				fputs("[ ", f);
				put_items(f, items, n_items, true, 0, false);
				fputs(" ]", f);
			}
		} else {
			size_t ind = v->loc.column - 1;
			at = append ? content_end(v) : v->start;
			end = content_end(v);
			put_items(f, items, n_items, false, ind, append);
		}
	} else if (st == MIXDOWN_SUCCESS) {
		size_t ind = map->flow ? 0 : (akn ? akn->loc.column - 1 : map->n ? map->items[0]->loc.column - 1 : 0);
		if (av && !append) {
			at = akn->start;
			end = av->end;
		} else if (map->flow) {
			at = end = map->n ? map->items[map->n - 1]->end : map->start + 1;
			fputs(map->n ? ", " : " ", f);
		} else {
			/* A new key after the line of `name:` (else the mapping's first line). */
			const pnode *after = map->n ? map->items[0] : NULL;
			for (size_t i = 0; i + 1 < map->n; i += 2)
				if (map->items[i]->kind == PN_SCALAR && !strcmp(map->items[i]->value, "name"))
					after = map->items[i + 1];
			const char *eol = after ? memchr(text + after->end, '\n', len - after->end) : NULL;
			at = end = eol ? (size_t)(eol - text) + 1 : len;
			if (!eol && len && text[len - 1] != '\n')
				fputc('\n', f);
			fprintf(f, "%*s", (int)ind, "");
		}
		if (map->flow) {
			fprintf(f, "%s: [ ", key);
			put_items(f, items, n_items, true, 0, false);
			fputs(" ]", f);
		} else {
			fprintf(f, "%s:\n%*s", key, (int)ind + 2, "");
			put_items(f, items, n_items, false, ind + 2, false);
			if (!(av && !append))
				fputc('\n', f);
		}
	}
	if (f && fclose(f) != 0 && st == MIXDOWN_SUCCESS)
		st = MIXDOWN_ERR_NOMEM;
	char *res = NULL;
	if (st == MIXDOWN_SUCCESS) {
		size_t wl = strlen(buf), nl = len - (end - at) + wl;
		if (!(res = malloc(nl + 1))) {
			st = MIXDOWN_ERR_NOMEM;
		} else {
			memcpy(res, text, at);
			memcpy(res + at, buf, wl);
			memcpy(res + at + wl, text + end, len - end);
			res[nl] = '\0';
			*out_len = nl;
		}
	}
	free(buf);
	doc_free(&d);
	/* The result must still be one valid YAML document. */
	if (st == MIXDOWN_SUCCESS) {
		pdoc chk = { .text = res, .len = *out_len, .name = name };
		st = doc_load(&chk, err);
		doc_free(&chk);
	}
	if (st != MIXDOWN_SUCCESS) {
		free(res);
		*out_len = 0;
		return st;
	}
	*out = res;
	return MIXDOWN_SUCCESS;
}
