/* mixdown — live control of a running engine (engine.h, "real-time host
 * hooks"): fader, mute, pan, solo, send-level and insert-parameter overrides
 * that a real-time host applies on the audio thread between process calls.
 * Nothing called on the audio thread allocates or blocks; the one resolver
 * (mxd_engine_live_insert_resolve) runs on the control thread and decides off
 * the audio thread which insert parameters may change live.
 * Units: dB for gains and send levels, -1..+1 for pan, a parameter's own unit
 * (its table entry) for insert parameters.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/engine.h"
#include "graph/engine_internal.h"

static void live_fader(node_rt *nd)
{
	bool on = nd->on > 0.0 && !nd->live_mute;
	mxd_smooth_set(&nd->fader, on ? mxd_db_to_gain(nd->live_gain_db) : 0.0);
	mxd_smooth_set(&nd->pre_gain, on ? 1.0 : 0.0);
}

void mxd_engine_live_gain(mixdown_engine *e, size_t node, double gain_db)
{
	if (node >= e->n_nodes)
		return;
	e->nodes[node].live_gain_db = gain_db < -144.0 ? -144.0 : gain_db > 24.0 ? 24.0 : gain_db;
	live_fader(&e->nodes[node]);
}

void mxd_engine_live_mute(mixdown_engine *e, size_t node, bool mute)
{
	if (node >= e->n_nodes)
		return;
	e->nodes[node].live_mute = mute;
	live_fader(&e->nodes[node]);
}

void mxd_engine_live_pan(mixdown_engine *e, size_t node, double pan)
{
	if (node >= e->n_nodes)
		return;
	node_rt *nd = &e->nodes[node];
	const mxd_strip *st = nd->strip;
	pan = pan < -1.0 ? -1.0 : pan > 1.0 ? 1.0 : pan;
	/* Ramp from wherever a previous, unapplied change was heading. */
	if (nd->pan_pending)
		nd->pan = nd->pan_to;
	mxd_pan_matrix_build(&nd->pan_to, nd->in_ch, nd->out_ch, pan, st->pan_law_db, st->width);
	nd->pan_pending = true;
}

void mxd_engine_live_solo(mixdown_engine *e, size_t node, bool solo)
{
	if (node >= e->n_nodes || e->routing.solo[node] == solo)
		return;
	e->routing.solo[node] = solo;
	/* The build's own computation (routing.c), so live and offline agree. */
	mxd_routing_solo(&e->routing);
	for (size_t i = 0; i < e->n_nodes; i++) {
		node_rt *nd = &e->nodes[i];
		double on = e->routing.audible[i] ? 1.0 : 0.0;
		if (on != nd->on) {
			nd->on = on;
			live_fader(nd); /* a 10 ms ramp, like mute */
		}
	}
}

void mxd_engine_live_send(mixdown_engine *e, size_t node, size_t bus, double level_db)
{
	level_db = level_db < -144.0 ? -144.0 : level_db > 24.0 ? 24.0 : level_db;
	for (size_t j = 0; j < e->n_edges; j++) {
		edge_rt *ed = &e->edges[j];
		if (ed->src == node && ed->dst == bus && ed->send && ed->level_lane < 0)
			mxd_smooth_set(&ed->level, mxd_db_to_gain(level_db));
	}
}

/* The automation lane driving parameter `slot` of insert `insert`, or -1. */
static int insert_lane(const node_rt *nd, size_t insert, size_t slot)
{
	for (size_t k = 0; k < nd->autom.n; k++) {
		const mxd_lane *ln = &nd->strip->lanes[k];
		if (ln->target == MXD_TARGET_INSERT && ln->index == insert && ln->slot == slot)
			return (int)k;
	}
	return -1;
}

void mxd_engine_live_insert(mixdown_engine *e, size_t node, size_t insert, size_t slot, double value)
{
	if (node >= e->n_nodes || insert >= e->nodes[node].n_slots)
		return;
	node_rt *nd = &e->nodes[node];
	mxd_fx *fx = nd->slots[insert].fx;
	if (!fx || slot >= fx->cls->n_slots || insert_lane(nd, insert, slot) >= 0)
		return;
	/* What automation does (engine.c run_inserts); the resolver admitted
	 * only parameters whose set_param is real-time safe. */
	fx->cls->set_param(fx, slot, value);
}

long mxd_engine_live_insert_resolve(const mixdown_engine *e, size_t node, const char *ref, const char *param,
				    size_t *insert, char *why, size_t why_size)
{
	if (node >= e->n_nodes) {
		snprintf(why, why_size, "no such strip");
		return -1;
	}
	const node_rt *nd = &e->nodes[node];
	const mxd_strip *st = nd->strip;
	const char *sname = st->kind == MXD_STRIP_MASTER ? "master" : st->name;
	/* `ref`: 1-based position or the insert's `id:`, as automation paths. */
	size_t k = SIZE_MAX;
	char *end = NULL;
	unsigned long pos = strtoul(ref, &end, 10);
	if (end != ref && !*end && pos >= 1 && pos <= st->n_inserts)
		k = pos - 1;
	for (size_t i = 0; i < st->n_inserts && k == SIZE_MAX; i++)
		if (st->inserts[i].id && !strcmp(st->inserts[i].id, ref))
			k = i;
	if (k == SIZE_MAX) {
		snprintf(why, why_size, "\"%s\" has no insert \"%s\" (%zu inserts; give 1..%zu or an insert's id)", sname,
			 ref, st->n_inserts, st->n_inserts);
		return -1;
	}
	const mxd_insert *ins = &st->inserts[k];
	const mxd_fx *fx = k < nd->n_slots ? nd->slots[k].fx : NULL;
	if (!fx) {
		snprintf(why, why_size, "insert %zu (%s) of \"%s\" is bypassed in the session and does not run", k + 1,
			 ins->cls->name, sname);
		return -1;
	}
	const mxd_param *p = NULL;
	long slot = mxd_fx_param_path(ins->cls, param, &p);
	if (slot < 0 || !p) {
		const mxd_param *top = mxd_fx_param_find(ins->cls, param);
		if (top && top->kind == MXD_PARAM_LIST)
			snprintf(why, why_size, "\"%s\" of %s is a list: name one value, e.g. %s.1.%s", param,
				 ins->cls->name, param, top->n_sub > 1 ? top->sub[1].name : top->sub[0].name);
		else
			snprintf(why, why_size, "%s has no parameter \"%s\" (mixdown fx info %s)", ins->cls->name, param,
				 ins->cls->name);
		return -1;
	}
	/* Only automatable parameters: their set_param is checked to neither
	 * allocate nor click (tests/test_fx_all.c); the others may rebuild
	 * state (a file, a lookahead buffer, a filter structure). */
	if (p->kind == MXD_PARAM_FILE || p->kind == MXD_PARAM_LIST || !p->automatable) {
		snprintf(why, why_size,
			 "\"%s\" of %s cannot change while playing (%s); edit the session instead", param,
			 ins->cls->name, p->kind == MXD_PARAM_FILE ? "its file is loaded before playback" : "not automatable");
		return -1;
	}
	if (insert_lane(nd, k, (size_t)slot) >= 0) {
		snprintf(why, why_size, "\"%s\" of insert %zu on \"%s\" is driven by an automation lane", param, k + 1,
			 sname);
		return -1;
	}
	*insert = k;
	return slot;
}
