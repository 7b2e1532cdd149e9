/* mixdown — live control of a running engine (engine.h, "real-time host
 * hooks"): fader, mute, pan, width, polarity, solo, send-level, insert-bypass
 * and insert-parameter overrides
 * that a real-time host applies on the audio thread between process calls.
 * Nothing called on the audio thread allocates or blocks; the one resolver
 * (mxd_engine_live_insert_resolve) runs on the control thread and decides off
 * the audio thread which insert parameters may change live.
 * Units: dB for gains and send levels, -1..+1 for pan, 0..2 for width, a
 * parameter's own unit (its table entry) for insert parameters.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/engine.h"
#include "graph/engine_internal.h"

/* Fader x mute x solo x live polarity. A polarity flip is the fader's sign:
 * the 10 ms linear ramp from +g to -g passes through silence, a crossfade
 * from the signal to its inverse with no step (as a mute does). */
static void live_fader(node_rt *nd)
{
	bool on = nd->on > 0.0 && !nd->live_mute;
	double sign = nd->live_flip ? -1.0 : 1.0;
	mxd_smooth_set(&nd->fader, on ? sign * mxd_db_to_gain(nd->live_gain_db) : 0.0);
	mxd_smooth_set(&nd->pre_gain, on ? sign : 0.0);
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

/* New pan and/or width (NaN: keep): the pan matrix ramps to it over the
 * next block (engine.c), as automation's matrix does. */
static void live_pan_width(node_rt *nd, double pan, double width)
{
	const mxd_strip *st = nd->strip;
	if (!nd->live_pw) {
		nd->live_pan = st->pan;
		nd->live_width = st->width;
		nd->live_pw = true;
	}
	if (!isnan(pan))
		nd->live_pan = pan;
	if (!isnan(width))
		nd->live_width = width;
	/* Ramp from wherever a previous, unapplied change was heading. */
	if (nd->pan_pending)
		nd->pan = nd->pan_to;
	/* Through the layout-aware builder, so an object, bed or LFE send keeps
	 * its spatial panning while pan/width move. */
	mxd_pan_params pp;
	mxd_strip_auto_params(&nd->autom, -1, &pp);
	pp.pan = nd->live_pan;
	pp.width = nd->live_width;
	mxd_pan_matrix_build_spatial(&nd->pan_to, nd->autom.vbap, nd->in_ch, nd->out_ch, &pp);
	nd->pan_pending = true;
}

void mxd_engine_live_pan(mixdown_engine *e, size_t node, double pan)
{
	if (node >= e->n_nodes)
		return;
	live_pan_width(&e->nodes[node], pan < -1.0 ? -1.0 : pan > 1.0 ? 1.0 : pan, NAN);
}

void mxd_engine_live_width(mixdown_engine *e, size_t node, double width)
{
	if (node >= e->n_nodes)
		return;
	live_pan_width(&e->nodes[node], NAN, width < 0.0 ? 0.0 : width > 2.0 ? 2.0 : width);
}

void mxd_engine_live_polarity(mixdown_engine *e, size_t node, bool invert)
{
	if (node >= e->n_nodes)
		return;
	node_rt *nd = &e->nodes[node];
	nd->live_flip = invert != nd->strip->invert; /* the session's inversion acts on the input already */
	live_fader(nd);
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

/* Insert `ref` of a strip: its 1-based position or its `id:`, as automation
 * paths name it; SIZE_MAX with the reason in why. */
static size_t find_insert(const mxd_strip *st, const char *ref, char *why, size_t why_size)
{
	const char *sname = st->kind == MXD_STRIP_MASTER ? "master" : st->name;
	char *end = NULL;
	unsigned long pos = strtoul(ref, &end, 10);
	if (end != ref && !*end && pos >= 1 && pos <= st->n_inserts)
		return pos - 1;
	for (size_t i = 0; i < st->n_inserts; i++)
		if (st->inserts[i].id && !strcmp(st->inserts[i].id, ref))
			return i;
	snprintf(why, why_size, "\"%s\" has no insert \"%s\" (%zu inserts; give 1..%zu or an insert's id)", sname, ref,
		 st->n_inserts, st->n_inserts);
	return SIZE_MAX;
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
	size_t k = find_insert(st, ref, why, why_size);
	if (k == SIZE_MAX)
		return -1;
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

/* The automation lane switching insert `insert`'s bypass, or -1. */
static int bypass_lane(const node_rt *nd, size_t insert)
{
	for (size_t k = 0; k < nd->autom.n; k++) {
		const mxd_lane *ln = &nd->strip->lanes[k];
		if (ln->target == MXD_TARGET_BYPASS && ln->index == insert)
			return (int)k;
	}
	return -1;
}

long mxd_engine_live_bypass_resolve(const mixdown_engine *e, size_t node, const char *ref, char *why, size_t why_size)
{
	if (node >= e->n_nodes) {
		snprintf(why, why_size, "no such strip");
		return -1;
	}
	const node_rt *nd = &e->nodes[node];
	const mxd_strip *st = nd->strip;
	const char *sname = st->kind == MXD_STRIP_MASTER ? "master" : st->name;
	size_t k = find_insert(st, ref, why, why_size);
	if (k == SIZE_MAX)
		return -1;
	const mxd_insert_slot *slot = k < nd->n_slots ? &nd->slots[k] : NULL;
	if (!slot || !slot->fx) {
		snprintf(why, why_size,
			 "insert %zu (%s) of \"%s\" is bypassed in the session and was not started; "
			 "set bypass: false in the file (it reloads)",
			 k + 1, st->inserts[k].cls->name, sname);
		return -1;
	}
	if (!slot->keep_dry) {
		snprintf(why, why_size, "insert %zu of \"%s\" has no dry path (mxd_engine_live_prepare was not called)",
			 k + 1, sname);
		return -1;
	}
	if (bypass_lane(nd, k) >= 0) {
		snprintf(why, why_size, "the bypass of insert %zu on \"%s\" is driven by an automation lane", k + 1, sname);
		return -1;
	}
	return (long)k;
}

void mxd_engine_live_bypass(mixdown_engine *e, size_t node, size_t insert, bool bypass)
{
	if (node >= e->n_nodes || insert >= e->nodes[node].n_slots)
		return;
	node_rt *nd = &e->nodes[node];
	mxd_insert_slot *slot = &nd->slots[insert];
	if (!slot->fx || !slot->keep_dry || bypass_lane(nd, insert) >= 0)
		return;
	/* What a bypass lane does (engine.c run_inserts): the slot's dry/wet
	 * amount ramps (insert_slot.c, 20 ms) between the session's mix and 0,
	 * a crossfade between the processed and the latency-aligned dry signal. */
	mxd_smooth_set(&slot->mix, bypass ? 0.0 : slot->ins->mix);
}

mixdown_status mxd_engine_live_prepare(mixdown_engine *e)
{
	for (size_t i = 0; i < e->n_nodes; i++) {
		node_rt *nd = &e->nodes[i];
		for (size_t k = 0; k < nd->n_slots; k++) {
			mxd_insert_slot *slot = &nd->slots[k];
			if (!slot->fx || slot->keep_dry)
				continue;
			/* The dry copy (delayed by the processor's latency) that
			 * insert_slot.c keeps when the mix may move; fresh, as the
			 * engine has not run. */
			for (uint32_t c = 0; c < slot->strip_ch; c++) {
				if (!(slot->dry[c] = calloc(e->max_block ? e->max_block : 1, sizeof(float))))
					return MIXDOWN_ERR_NOMEM;
				if (slot->latency && mxd_delay_alloc(&slot->dry_line[c], slot->latency) != 0)
					return MIXDOWN_ERR_NOMEM;
			}
			slot->keep_dry = true;
		}
	}
	return MIXDOWN_SUCCESS;
}
