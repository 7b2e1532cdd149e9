/* mixdown — a small YAML document tree with source positions (libyaml events).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "session/yaml_tree.h"

typedef struct {
	char *name;
	mxy_node *node;
} anchor;

typedef struct {
	mxy_doc *doc;
	const char *name;
	mixdown_error *err;
	anchor *anchors;
	size_t n_anchors, cap_anchors;
	mxy_node *stack[MXY_MAX_DEPTH + 1];
	char *stack_anchor[MXY_MAX_DEPTH + 1];
	size_t depth;
} builder;

static mxd_loc mark_loc(yaml_mark_t m)
{
	return (mxd_loc){ (uint32_t)(m.line + 1), (uint32_t)(m.column + 1) };
}

static mixdown_status nomem(builder *b)
{
	return mxd_fail(b->err, MIXDOWN_ERR_NOMEM, b->name, (mxd_loc){ 0, 0 }, NULL, "out of memory");
}

static mxy_node *new_node(builder *b, mxy_kind kind, yaml_mark_t m)
{
	mxy_doc *d = b->doc;
	if (d->n_all == d->cap_all) {
		size_t cap = d->cap_all ? d->cap_all * 2 : 64;
		mxy_node **all = realloc(d->all, cap * sizeof *all);
		if (!all)
			return NULL;
		d->all = all;
		d->cap_all = cap;
	}
	mxy_node *n = calloc(1, sizeof *n);
	if (!n)
		return NULL;
	n->kind = kind;
	n->loc = mark_loc(m);
	n->weight = 1;
	d->all[d->n_all++] = n;
	return n;
}

static bool push_item(mxy_node *parent, mxy_node *child)
{
	if (parent->n == parent->cap) {
		size_t cap = parent->cap ? parent->cap * 2 : 8;
		mxy_node **items = realloc(parent->items, cap * sizeof *items);
		if (!items)
			return false;
		parent->items = items;
		parent->cap = cap;
	}
	parent->items[parent->n++] = child;
	return true;
}

static bool add_anchor(builder *b, const char *name, mxy_node *node)
{
	if (!name)
		return true;
	/* A later anchor of the same name replaces the earlier one (YAML 1.2). */
	for (size_t i = 0; i < b->n_anchors; i++)
		if (strcmp(b->anchors[i].name, name) == 0) {
			b->anchors[i].node = node;
			return true;
		}
	if (b->n_anchors == b->cap_anchors) {
		size_t cap = b->cap_anchors ? b->cap_anchors * 2 : 8;
		anchor *a = realloc(b->anchors, cap * sizeof *a);
		if (!a)
			return false;
		b->anchors = a;
		b->cap_anchors = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return false;
	b->anchors[b->n_anchors++] = (anchor){ copy, node };
	return true;
}

/* Attach a finished node to the open collection (or make it the root). */
static mixdown_status attach(builder *b, mxy_node *node)
{
	if (b->depth == 0) {
		b->doc->root = node;
		return MIXDOWN_SUCCESS;
	}
	mxy_node *parent = b->stack[b->depth - 1];
	if (!push_item(parent, node))
		return nomem(b);
	size_t w = parent->weight + node->weight;
	parent->weight = w > MXY_MAX_WEIGHT ? MXY_MAX_WEIGHT + 1 : w;
	return MIXDOWN_SUCCESS;
}

static mixdown_status too_large(builder *b, mxd_loc loc)
{
	return mxd_fail(b->err, MIXDOWN_ERR_SESSION, b->name, loc, NULL,
			"the document is too large (more than %d nodes after expanding aliases)",
			MXY_MAX_WEIGHT);
}

/* Line:column of a byte offset (for reader errors, which carry no mark). */
static mxd_loc offset_loc(const char *text, size_t len, size_t off)
{
	mxd_loc l = { 1, 1 };
	for (size_t i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			l.line++;
			l.column = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			l.column++;
		}
	}
	return l;
}

static mixdown_status syntax_error(builder *b, const yaml_parser_t *p, const char *text, size_t len)
{
	if (p->error == YAML_MEMORY_ERROR)
		return nomem(b);
	const char *problem = p->problem ? p->problem : "unknown error";
	if (p->error == YAML_READER_ERROR) {
		mxd_loc loc = offset_loc(text, len, p->problem_offset);
		if (p->problem_value >= 0)
			return mxd_fail(b->err, MIXDOWN_ERR_SESSION, b->name, loc, NULL,
					"YAML syntax error: %s (#%X)", problem, (unsigned)p->problem_value);
		return mxd_fail(b->err, MIXDOWN_ERR_SESSION, b->name, loc, NULL, "YAML syntax error: %s",
				problem);
	}
	mxd_loc loc = mark_loc(p->problem_mark);
	if (p->context)
		return mxd_fail(b->err, MIXDOWN_ERR_SESSION, b->name, loc, NULL,
				"YAML syntax error: %s (%s at line %zu, column %zu)", problem, p->context,
				p->context_mark.line + 1, p->context_mark.column + 1);
	return mxd_fail(b->err, MIXDOWN_ERR_SESSION, b->name, loc, NULL, "YAML syntax error: %s", problem);
}

static mixdown_status on_event(builder *b, yaml_event_t *ev, int *docs)
{
	mxd_loc loc = mark_loc(ev->start_mark);
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++*docs > 1)
			return mxd_fail(b->err, MIXDOWN_ERR_SESSION, b->name, loc, NULL,
					"a session file holds one YAML document, found a second one");
		return MIXDOWN_SUCCESS;
	case YAML_SCALAR_EVENT: {
		mxy_node *n = new_node(b, MXY_SCALAR, ev->start_mark);
		if (!n)
			return nomem(b);
		n->len = ev->data.scalar.length;
		n->str = malloc(n->len + 1);
		if (!n->str)
			return nomem(b);
		memcpy(n->str, ev->data.scalar.value, n->len);
		n->str[n->len] = '\0';
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (!add_anchor(b, (const char *)ev->data.scalar.anchor, n))
			return nomem(b);
		return attach(b, n);
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		if (b->depth >= MXY_MAX_DEPTH)
			return mxd_fail(b->err, MIXDOWN_ERR_SESSION, b->name, loc, NULL,
					"the document is nested too deeply (more than %d levels)", MXY_MAX_DEPTH);
		bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
		mxy_node *n = new_node(b, seq ? MXY_SEQ : MXY_MAP, ev->start_mark);
		if (!n)
			return nomem(b);
		const char *a = (const char *)(seq ? ev->data.sequence_start.anchor
						   : ev->data.mapping_start.anchor);
		char *copy = NULL;
		if (a && !(copy = strdup(a)))
			return nomem(b);
		b->stack_anchor[b->depth] = copy;
		b->stack[b->depth++] = n;
		return MIXDOWN_SUCCESS;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: {
		if (b->depth == 0)
			return MIXDOWN_SUCCESS; /* cannot happen with a valid event stream */
		mxy_node *n = b->stack[--b->depth];
		char *a = b->stack_anchor[b->depth];
		b->stack_anchor[b->depth] = NULL;
		bool ok = add_anchor(b, a, n);
		free(a);
		if (!ok)
			return nomem(b);
		if (n->weight > MXY_MAX_WEIGHT)
			return too_large(b, n->loc);
		return attach(b, n);
	}
	case YAML_ALIAS_EVENT: {
		const char *a = (const char *)ev->data.alias.anchor;
		for (size_t i = b->n_anchors; i-- > 0;)
			if (strcmp(b->anchors[i].name, a) == 0)
				return attach(b, b->anchors[i].node);
		return mxd_fail(b->err, MIXDOWN_ERR_SESSION, b->name, loc, NULL,
				"alias *%s does not name an earlier, complete anchor", a);
	}
	default:
		return MIXDOWN_SUCCESS;
	}
}

mixdown_status mxy_load(mxy_doc *doc, const char *text, size_t len, const char *name,
			mixdown_error *err)
{
	memset(doc, 0, sizeof *doc);
	builder b = { .doc = doc, .name = name, .err = err };
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		return nomem(&b);
	yaml_parser_set_input_string(&p, (const unsigned char *)(text ? text : ""), text ? len : 0);
	mixdown_status st = MIXDOWN_SUCCESS;
	int docs = 0;
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			st = syntax_error(&b, &p, text ? text : "", text ? len : 0);
			break;
		}
		bool end = ev.type == YAML_STREAM_END_EVENT;
		st = on_event(&b, &ev, &docs);
		yaml_event_delete(&ev);
		if (st != MIXDOWN_SUCCESS || end)
			break;
	}
	yaml_parser_delete(&p);
	for (size_t i = 0; i < b.depth; i++)
		free(b.stack_anchor[i]);
	for (size_t i = 0; i < b.n_anchors; i++)
		free(b.anchors[i].name);
	free(b.anchors);
	if (st == MIXDOWN_SUCCESS && doc->root && doc->root->weight > MXY_MAX_WEIGHT)
		st = too_large(&b, doc->root->loc);
	if (st != MIXDOWN_SUCCESS)
		mxy_free(doc);
	return st;
}

void mxy_free(mxy_doc *doc)
{
	if (!doc)
		return;
	for (size_t i = 0; i < doc->n_all; i++) {
		free(doc->all[i]->str);
		free(doc->all[i]->items);
		free(doc->all[i]);
	}
	free(doc->all);
	memset(doc, 0, sizeof *doc);
}

const mxy_node *mxy_get(const mxy_node *map, const char *key, const mxy_node **key_out)
{
	if (key_out)
		*key_out = NULL;
	if (!map || map->kind != MXY_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const mxy_node *k = map->items[i];
		if (k->kind == MXY_SCALAR && strcmp(k->str, key) == 0) {
			if (key_out)
				*key_out = k;
			return map->items[i + 1];
		}
	}
	return NULL;
}

bool mxy_is_null(const mxy_node *n)
{
	return n && n->kind == MXY_SCALAR && n->plain &&
	       (n->len == 0 || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0 ||
		strcmp(n->str, "Null") == 0 || strcmp(n->str, "NULL") == 0);
}
