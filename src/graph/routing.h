/* mixdown — the routing graph of a session: who feeds whom, in what order.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Nodes are numbered tracks first [0, T), then buses [T, T+B), then the master
 * (T+B). Edges are a strip's output, its sends and the sidechains its inserts
 * take from other strips. The processing order is a
 * topological order of the nodes ending with the master; a cycle is refused
 * with an error that names the loop ("A -> B -> A") at the place in the
 * session file that closes it. Control thread only; pure computation.
 */
#ifndef MIXDOWN_GRAPH_ROUTING_H
#define MIXDOWN_GRAPH_ROUTING_H

#include <stddef.h>

#include "session/model.h"

/* An edge carries audio (a strip's output or a send) into a summing point, or,
 * when `key` is set, the key signal of a sidechain: the source's post-insert,
 * pre-fader signal into insert `key_insert` of the destination. Key edges
 * order the graph and can close loops like audio edges, but sum nothing. */
typedef struct {
	size_t src, dst;      /* node indices */
	const mxd_send *send; /* NULL for the strip's main output */
	const mxd_insert *key; /* non-NULL: a sidechain edge */
	size_t key_insert;    /* index of that insert on the destination strip */
	const mxd_lane *follow; /* non-NULL: an automation lane following the source's level */
} mxd_edge;

/* Edges that carry audio into a summing point (not keys or followers). */
static inline bool mxd_edge_is_audio(const mxd_edge *e)
{
	return !e->key && !e->follow;
}

typedef struct {
	size_t n_nodes;
	const mxd_strip **strips; /* n_nodes, borrowed from the session */
	mxd_edge *edges;
	size_t n_edges;
	size_t *order;            /* n_nodes, processing order, master last */
	bool *audible;            /* n_nodes: false = silenced by another strip's solo */
	bool *solo;               /* n_nodes: the solo switches audible follows (the strips' `solo` at build) */
	unsigned char *mark;      /* n_nodes: scratch of mxd_routing_solo() */
} mxd_routing;

/* Build the routing of `s`. On a loop or unknown destination returns
 * MIXDOWN_ERR_SESSION with `err` filled and leaves `r` empty. */
mixdown_status mxd_routing_build(const mxd_session *s, mxd_routing *r, mixdown_error *err);
void mxd_routing_free(mxd_routing *r); /* NULL-safe; r itself is caller storage */

/* Recompute `audible` from `solo` (solo-in-place, see routing.c); allocates
 * nothing, so a live host may call it on the audio thread after changing
 * `solo`. */
void mxd_routing_solo(mxd_routing *r);

/* Node index of the strip named `name` ("master" = the master), or (size_t)-1. */
size_t mxd_routing_find(const mxd_session *s, const char *name);

#endif
