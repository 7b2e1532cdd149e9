/* mixdown — routing graph: edges, topological order, loop errors, solo.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "graph/routing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t mxd_routing_find(const mxd_session *s, const char *name)
{
	if (!name || strcmp(name, "master") == 0)
		return s->n_tracks + s->n_buses;
	for (size_t i = 0; i < s->n_buses; i++)
		if (strcmp(s->buses[i].name, name) == 0)
			return s->n_tracks + i;
	return (size_t)-1;
}

/* A track or bus by name (sidechain sources), or (size_t)-1. */
static size_t find_strip(const mxd_session *s, const char *name)
{
	for (size_t i = 0; i < s->n_tracks; i++)
		if (strcmp(s->tracks[i].name, name) == 0)
			return i;
	for (size_t i = 0; i < s->n_buses; i++)
		if (strcmp(s->buses[i].name, name) == 0)
			return s->n_tracks + i;
	return (size_t)-1;
}

void mxd_routing_free(mxd_routing *r)
{
	if (!r)
		return;
	free(r->strips);
	free(r->edges);
	free(r->order);
	free(r->audible);
	free(r->solo);
	free(r->mark);
	memset(r, 0, sizeof *r);
}

enum { WHITE, GREY, BLACK };

typedef struct {
	const mxd_session *s;
	mxd_routing *r;
	unsigned char *color;
	size_t *stack;     /* current DFS path */
	size_t depth;
	size_t n_done;
	mixdown_error *err;
} dfs_ctx;

/* Depth-first post-order from the master's inputs: a node is placed after all
 * nodes that feed it. Visiting along reversed edges keeps the order stable
 * (session order) for independent nodes. */
static mixdown_status visit(dfs_ctx *c, size_t node)
{
	mxd_routing *r = c->r;
	c->color[node] = GREY;
	c->stack[c->depth++] = node;
	for (size_t e = 0; e < r->n_edges; e++) {
		if (r->edges[e].dst != node)
			continue;
		size_t src = r->edges[e].src;
		if (c->color[src] == GREY) {
			/* Loop: the path from src to node on the stack, closed by edge e. */
			char msg[600];
			size_t n = 0, first = 0;
			while (c->stack[first] != src)
				first++;
			/* The stack runs downstream→upstream; print in signal order. */
			for (size_t k = c->depth; k-- > first;) {
				n += (size_t)snprintf(msg + n, sizeof msg - n > 0 ? sizeof msg - n : 0, "%s -> ",
						      r->strips[c->stack[k]]->name);
				if (n >= sizeof msg)
					break;
			}
			const mxd_edge *ed = &r->edges[e];
			mxd_loc loc = ed->key	   ? ed->key->sidechain_loc
				      : ed->follow ? ed->follow->follow.source_loc
				      : ed->send   ? ed->send->loc
						   : r->strips[src]->output_loc;
			const char *key = ed->key ? "sidechain" : ed->follow ? "follow.source" : ed->send ? "sends" : "output";
			return mxd_fail(c->err, MIXDOWN_ERR_SESSION, c->s->path ? c->s->path : "<session>", loc,
					key, "routing loop: %s%s", msg, r->strips[node]->name);
		}
		if (c->color[src] == WHITE) {
			mixdown_status st = visit(c, src);
			if (st != MIXDOWN_SUCCESS)
				return st;
		}
	}
	c->depth--;
	c->color[node] = BLACK;
	r->order[c->n_done++] = node;
	return MIXDOWN_SUCCESS;
}

/* Solo-in-place: when anything is soloed, a strip stays audible if it is
 * soloed, solo-safe, feeds a soloed strip (its signal is part of it), or is
 * fed by one (the soloed signal passes through it). */
void mxd_routing_solo(mxd_routing *r)
{
	size_t n = r->n_nodes, master = n - 1;
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		r->audible[i] = true;
		any |= r->solo[i];
	}
	if (!any)
		return;
	unsigned char *mark = r->mark;
	for (size_t i = 0; i < n; i++)
		mark[i] = r->solo[i] ? 3 : 0; /* 1 = downstream of a solo, 2 = upstream of one */
	/* Propagate to a fixed point; graphs are small. */
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t e = 0; e < r->n_edges; e++) {
			if (!mxd_edge_is_audio(&r->edges[e]))
				continue; /* a key signal is not heard through its destination */
			size_t a = r->edges[e].src, b = r->edges[e].dst;
			if ((mark[a] & 1) && !(mark[b] & 1)) {
				mark[b] |= 1;
				changed = true;
			}
			if ((mark[b] & 2) && !(mark[a] & 2)) {
				mark[a] |= 2;
				changed = true;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		r->audible[i] = i == master || mark[i] || r->strips[i]->solo_safe;
}

mixdown_status mxd_routing_build(const mxd_session *s, mxd_routing *r, mixdown_error *err)
{
	memset(r, 0, sizeof *r);
	size_t n = s->n_tracks + s->n_buses + 1;
	size_t max_edges = 0;
	for (size_t i = 0; i < s->n_tracks; i++)
		max_edges += 1 + s->tracks[i].n_sends + s->tracks[i].n_inserts + s->tracks[i].n_lanes;
	for (size_t i = 0; i < s->n_buses; i++)
		max_edges += 1 + s->buses[i].n_sends + s->buses[i].n_inserts + s->buses[i].n_lanes;
	max_edges += s->master.n_inserts + s->master.n_lanes;
	r->n_nodes = n;
	r->strips = calloc(n, sizeof *r->strips);
	r->edges = calloc(max_edges ? max_edges : 1, sizeof *r->edges);
	r->order = calloc(n, sizeof *r->order);
	r->audible = calloc(n, sizeof *r->audible);
	r->solo = calloc(n, sizeof *r->solo);
	r->mark = calloc(n, sizeof *r->mark);
	dfs_ctx c = { .s = s, .r = r, .err = err };
	c.color = calloc(n, 1);
	c.stack = calloc(n, sizeof *c.stack);
	mixdown_status st = MIXDOWN_SUCCESS;
	if (!r->strips || !r->edges || !r->order || !r->audible || !r->solo || !r->mark || !c.color || !c.stack) {
		st = MIXDOWN_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < s->n_tracks; i++)
		r->strips[i] = &s->tracks[i];
	for (size_t i = 0; i < s->n_buses; i++)
		r->strips[s->n_tracks + i] = &s->buses[i];
	r->strips[n - 1] = &s->master;

	for (size_t i = 0; i < n; i++) {
		const mxd_strip *st_ = r->strips[i];
		for (size_t k = 0; k < st_->n_inserts; k++) {
			const mxd_insert *ins = &st_->inserts[k];
			if (!ins->sidechain || ins->bypass)
				continue;
			size_t from = find_strip(s, ins->sidechain);
			if (from == (size_t)-1 || from == i) {
				st = mxd_fail(err, MIXDOWN_ERR_SESSION, s->path ? s->path : "<session>", ins->sidechain_loc,
					      "sidechain",
					      from == i ? "an insert cannot key from its own strip \"%s\" (leave out "
							  "`sidechain:` to key from the input)"
							: "no track or bus named \"%s\"",
					      ins->sidechain);
				goto out;
			}
			r->edges[r->n_edges++] = (mxd_edge){ .src = from, .dst = i, .key = ins, .key_insert = k };
		}
		for (size_t k = 0; k < st_->n_lanes; k++) {
			const mxd_lane *ln = &st_->lanes[k];
			if (!ln->follow.on)
				continue;
			size_t from = find_strip(s, ln->follow.source);
			if (from == (size_t)-1 || from == i) {
				st = mxd_fail(err, MIXDOWN_ERR_SESSION, s->path ? s->path : "<session>", ln->follow.source_loc,
					      "follow.source",
					      from == i ? "a lane cannot follow its own strip \"%s\""
							: "no track or bus named \"%s\"",
					      ln->follow.source);
				goto out;
			}
			r->edges[r->n_edges++] = (mxd_edge){ .src = from, .dst = i, .follow = ln };
		}
		if (i == n - 1)
			break;
		size_t dst = mxd_routing_find(s, st_->output);
		if (dst == (size_t)-1 || dst == i) {
			st = mxd_fail(err, MIXDOWN_ERR_SESSION, s->path ? s->path : "<session>", st_->output_loc,
				      "output", dst == i ? "strip \"%s\" cannot output to itself"
							 : "no bus named \"%s\"", dst == i ? st_->name : st_->output);
			goto out;
		}
		r->edges[r->n_edges++] = (mxd_edge){ .src = i, .dst = dst, .send = NULL };
		for (size_t k = 0; k < st_->n_sends; k++) {
			const mxd_send *sd = &st_->sends[k];
			size_t to = mxd_routing_find(s, sd->to);
			if (to == (size_t)-1 || to == n - 1 || to == i) {
				st = mxd_fail(err, MIXDOWN_ERR_SESSION, s->path ? s->path : "<session>", sd->loc, "sends",
					      to == i ? "strip \"%s\" cannot send to itself" : "no bus named \"%s\"",
					      to == i ? st_->name : sd->to);
				goto out;
			}
			r->edges[r->n_edges++] = (mxd_edge){ .src = i, .dst = to, .send = sd };
		}
	}
	/* Visit from the master, then from every strip the master cannot reach
	 * (e.g. a bus nobody feeds), so every node is ordered exactly once. */
	st = visit(&c, n - 1);
	for (size_t i = 0; st == MIXDOWN_SUCCESS && i < n; i++)
		if (c.color[i] == WHITE)
			st = visit(&c, i);
	if (st == MIXDOWN_SUCCESS) {
		/* The master must run last: move it to the end if an unreachable
		 * node was ordered after it. */
		size_t pos = 0;
		while (r->order[pos] != n - 1)
			pos++;
		memmove(&r->order[pos], &r->order[pos + 1], (n - 1 - pos) * sizeof *r->order);
		r->order[n - 1] = n - 1;
		for (size_t i = 0; i < n; i++)
			r->solo[i] = r->strips[i]->solo;
		mxd_routing_solo(r);
	}
out:
	free(c.color);
	free(c.stack);
	if (st != MIXDOWN_SUCCESS)
		mxd_routing_free(r);
	return st;
}
