/* mixdown — a small YAML document tree with source positions (libyaml events).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The session parser works on this tree instead of libyaml's document API so
 * that every node keeps its 1-based line:column, duplicate keys can be
 * reported, and hostile input stays bounded: nesting depth and the size of the
 * document after alias expansion are limited, and the tree is built without
 * recursion. Aliases refer to the anchored node (shared, never copied); an
 * alias may only name a node that is already complete, so the tree is acyclic.
 */
#ifndef MIXDOWN_SESSION_YAML_TREE_H
#define MIXDOWN_SESSION_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "session/model.h"

typedef enum { MXY_SCALAR, MXY_SEQ, MXY_MAP } mxy_kind;

typedef struct mxy_node mxy_node;
struct mxy_node {
	mxy_kind kind;
	mxd_loc loc;          /* start of the node, 1-based */
	/* MXY_SCALAR: NUL-terminated text (may also contain NULs; len is exact). */
	char *str;
	size_t len;
	bool plain;           /* written without quotes (or block style) */
	/* MXY_SEQ: items[0..n-1]. MXY_MAP: key items[2i], value items[2i+1]; n counts
	 * items (twice the number of pairs). */
	mxy_node **items;
	size_t n;
	size_t cap;
	size_t weight;        /* nodes after alias expansion (saturating) */
};

typedef struct {
	mxy_node *root;       /* NULL for an empty document */
	mxy_node **all;       /* every node, for freeing */
	size_t n_all, cap_all;
} mxy_doc;

#define MXY_MAX_DEPTH 64          /* nested collections */
#define MXY_MAX_WEIGHT 1000000    /* nodes after alias expansion */

/* Parse `text`. On failure returns MIXDOWN_ERR_SESSION (syntax, several
 * documents, limits) or MIXDOWN_ERR_NOMEM with `err` filled; the document is
 * left empty. `name` is the file name for messages. */
mixdown_status mxy_load(mxy_doc *doc, const char *text, size_t len, const char *name,
			mixdown_error *err);
void mxy_free(mxy_doc *doc);

/* Map lookup by key text; NULL if absent. `key_out` (may be NULL) gets the key node. */
const mxy_node *mxy_get(const mxy_node *map, const char *key, const mxy_node **key_out);

/* True for an empty plain scalar or a plain null / ~ (YAML null). */
bool mxy_is_null(const mxy_node *n);

#endif
