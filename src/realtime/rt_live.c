/* mixdown — live control values of real-time playback (see rt_live.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Send levels and insert values are kept flat per session: send_db holds
 * every strip's sends in node order, ins_val every running insert's value
 * slots (node order, insert order). Saving compares them, and the strip
 * table, with the session's values and patches only what differs.
 */
#include "realtime/rt_live.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/engine.h"
#include "graph/routing.h"
#include "session/session_patch.h"

struct mxd_rt_live {
	size_t n_nodes;
	size_t *send_first;   /* n_nodes + 1: first send of each node in send_db */
	double *send_db;
	size_t *ins_first;    /* per node: its first insert's index in ins_slot0 */
	size_t *ins_slot0;    /* per insert (flat): its first value in ins_val */
	double *ins_val;
	bool *ins_bypass;     /* per insert (flat, as ins_slot0): bypassed */
};

static const mxd_strip *node_strip(const mxd_session *s, size_t i)
{
	return i < s->n_tracks ? &s->tracks[i] : i < s->n_tracks + s->n_buses ? &s->buses[i - s->n_tracks] : &s->master;
}

mxd_rt_live *mxd_rt_live_new(const mxd_session *s)
{
	mxd_rt_live *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	size_t n = l->n_nodes = s->n_tracks + s->n_buses + 1, sends = 0, inserts = 0, vals = 0;
	for (size_t i = 0; i < n; i++) {
		const mxd_strip *st = node_strip(s, i);
		sends += st->n_sends;
		inserts += st->n_inserts;
		for (size_t k = 0; k < st->n_inserts; k++)
			vals += st->inserts[k].cls->n_slots;
	}
	l->send_first = calloc(n + 1, sizeof *l->send_first);
	l->send_db = calloc(sends + 1, sizeof *l->send_db);
	l->ins_first = calloc(n + 1, sizeof *l->ins_first);
	l->ins_slot0 = calloc(inserts + 1, sizeof *l->ins_slot0);
	l->ins_val = calloc(vals + 1, sizeof *l->ins_val);
	l->ins_bypass = calloc(inserts + 1, sizeof *l->ins_bypass);
	if (!l->send_first || !l->send_db || !l->ins_first || !l->ins_slot0 || !l->ins_val || !l->ins_bypass) {
		mxd_rt_live_free(l);
		return NULL;
	}
	size_t si = 0, ii = 0, vi = 0;
	for (size_t i = 0; i < n; i++) {
		const mxd_strip *st = node_strip(s, i);
		l->send_first[i] = si;
		for (size_t k = 0; k < st->n_sends; k++)
			l->send_db[si++] = st->sends[k].level_db;
		l->ins_first[i] = ii;
		for (size_t k = 0; k < st->n_inserts; k++) {
			const mxd_insert *ins = &st->inserts[k];
			l->ins_bypass[ii] = ins->bypass;
			l->ins_slot0[ii++] = vi;
			memcpy(l->ins_val + vi, ins->values, ins->cls->n_slots * sizeof *l->ins_val);
			vi += ins->cls->n_slots;
		}
	}
	l->send_first[n] = si;
	l->ins_first[n] = ii;
	return l;
}

void mxd_rt_live_free(mxd_rt_live *l)
{
	if (!l)
		return;
	free(l->send_first);
	free(l->send_db);
	free(l->ins_first);
	free(l->ins_slot0);
	free(l->ins_val);
	free(l->ins_bypass);
	free(l);
}

static size_t find_node(const mxd_session *s, const char *name)
{
	for (size_t i = 0; i < s->n_tracks; i++)
		if (!strcmp(s->tracks[i].name, name))
			return i;
	for (size_t i = 0; i < s->n_buses; i++)
		if (!strcmp(s->buses[i].name, name))
			return s->n_tracks + i;
	if (!strcmp(name, "master"))
		return s->n_tracks + s->n_buses;
	return SIZE_MAX;
}

static mixdown_status refuse(mixdown_error *err, const char *strip, const char *param, const char *fmt, const char *a)
{
	return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL, "%s %s: %s%s", strip, param, fmt, a);
}

mixdown_status mxd_rt_live_resolve(const mxd_session *s, const mixdown_engine *e, const char *strip,
				   const char *param, double value, mxd_rt_cmd *cmd, mixdown_error *err)
{
	if (!strip || !param)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL, "no strip or parameter");
	size_t node = find_node(s, strip);
	if (node == SIZE_MAX)
		return refuse(err, strip, param, "no track or bus of that name", "");
	if (!isfinite(value))
		return refuse(err, strip, param, "the value is not a finite number", "");
	bool master = node == s->n_tracks + s->n_buses;
	const mxd_strip *st = node_strip(s, node);
	*cmd = (mxd_rt_cmd){ .node = (uint32_t)node, .value = value };
	if (!strcmp(param, "gain")) {
		cmd->kind = MXD_RT_GAIN;
	} else if (!strcmp(param, "pan") || !strcmp(param, "mute") || !strcmp(param, "solo")) {
		if (master)
			return refuse(err, strip, param, "the master has gain and inserts only", "");
		cmd->kind = param[0] == 'p' ? MXD_RT_PAN : param[0] == 'm' ? MXD_RT_MUTE : MXD_RT_SOLO;
	} else if (!strcmp(param, "polarity") || !strcmp(param, "width")) {
		cmd->kind = param[0] == 'p' ? MXD_RT_POLARITY : MXD_RT_WIDTH;
	} else if (!strncmp(param, "send:", 5)) {
		const char *bus = param + 5;
		bool found = false;
		for (size_t k = 0; k < st->n_sends && !found; k++)
			found = !strcmp(st->sends[k].to, bus);
		if (!found)
			return refuse(err, strip, param, "no send to a bus named ", bus);
		cmd->kind = MXD_RT_SEND;
		cmd->index = (uint32_t)mxd_routing_find(s, bus);
	} else if (!strncmp(param, "insert:", 7)) {
		/* insert:<n or id>:<param>; an id may itself hold ':', a parameter not. */
		const char *ref = param + 7, *colon = strrchr(ref, ':');
		char refbuf[256], why[400];
		if (!colon || colon == ref || (size_t)(colon - ref) >= sizeof refbuf || !colon[1])
			return refuse(err, strip, param, "expected insert:<n or id>:<parameter>", "");
		memcpy(refbuf, ref, (size_t)(colon - ref));
		refbuf[colon - ref] = '\0';
		size_t ins = 0;
		if (!strcmp(colon + 1, "bypass")) { /* the slot's dry/wet, not a processor parameter */
			long k = mxd_engine_live_bypass_resolve(e, node, refbuf, why, sizeof why);
			if (k < 0)
				return refuse(err, strip, param, why, "");
			cmd->kind = MXD_RT_BYPASS;
			cmd->index = (uint32_t)k;
			return MIXDOWN_SUCCESS;
		}
		long slot = mxd_engine_live_insert_resolve(e, node, refbuf, colon + 1, &ins, why, sizeof why);
		if (slot < 0)
			return refuse(err, strip, param, why, "");
		cmd->kind = MXD_RT_INSERT;
		cmd->index = (uint32_t)ins;
		cmd->slot = (uint32_t)slot;
	} else {
		return refuse(err, strip, param,
			      "unknown parameter (gain, pan, mute, solo, polarity, width, send:<bus>, insert:<n>:<parameter>, "
			      "insert:<n>:bypass)", "");
	}
	return MIXDOWN_SUCCESS;
}

static double clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* The table entry of value slot `slot` of `cls`: a top-level parameter, or
 * sub-parameter *sub of list item *item (0-based) of *list. */
static const mxd_param *slot_param(const mxd_fx_class *cls, size_t slot, const mxd_param **list, size_t *item)
{
	*list = NULL;
	*item = 0;
	for (size_t i = 0; i < cls->n_params; i++) {
		const mxd_param *p = &cls->params[i];
		if (p->kind != MXD_PARAM_LIST) {
			if (p->first_slot == slot)
				return p;
		} else if (slot >= p->first_slot && slot < p->first_slot + p->max_items * p->n_sub) {
			*list = p;
			*item = (slot - p->first_slot) / p->n_sub;
			return &p->sub[(slot - p->first_slot) % p->n_sub];
		}
	}
	return NULL;
}

/* A value as the processor stores it: clamped, whole for enums and bools. */
static double param_value(const mxd_param *p, double v)
{
	if (p->kind == MXD_PARAM_BOOL)
		return v >= 0.5 ? 1.0 : 0.0;
	if (p->kind == MXD_PARAM_ENUM) {
		size_t n = 0;
		while (p->choices[n])
			n++;
		return clampd(floor(v + 0.5), 0, (double)n - 1);
	}
	v = clampd(v, p->min, p->max);
	return p->integer ? floor(v + 0.5) : v;
}

void mxd_rt_live_record(mxd_rt_live *l, const mxd_session *s, mixdown_strip_state *strips, const mxd_rt_cmd *cmd)
{
	size_t node = cmd->node;
	if (node >= l->n_nodes)
		return;
	const mxd_strip *st = node_strip(s, node);
	mixdown_strip_state *ss = &strips[node];
	switch (cmd->kind) {
	case MXD_RT_GAIN: ss->gain_db = clampd(cmd->value, -144.0, 24.0); break;
	case MXD_RT_PAN: ss->pan = clampd(cmd->value, -1.0, 1.0); break;
	case MXD_RT_MUTE: ss->mute = cmd->value >= 0.5; break;
	case MXD_RT_SOLO: ss->solo = cmd->value >= 0.5; break;
	case MXD_RT_POLARITY: ss->invert = cmd->value >= 0.5; break;
	case MXD_RT_WIDTH: ss->width = clampd(cmd->value, 0.0, 2.0); break;
	case MXD_RT_BYPASS:
		if (cmd->index < st->n_inserts)
			l->ins_bypass[l->ins_first[node] + cmd->index] = cmd->value >= 0.5;
		break;
	case MXD_RT_SEND: {
		const char *bus = node_strip(s, cmd->index)->name;
		for (size_t k = 0; k < st->n_sends; k++)
			if (!strcmp(st->sends[k].to, bus))
				l->send_db[l->send_first[node] + k] = clampd(cmd->value, -144.0, 24.0);
		break;
	}
	case MXD_RT_INSERT: {
		if (cmd->index >= st->n_inserts)
			break;
		const mxd_fx_class *cls = st->inserts[cmd->index].cls;
		const mxd_param *list = NULL;
		size_t item = 0;
		const mxd_param *p = slot_param(cls, cmd->slot, &list, &item);
		if (p)
			l->ins_val[l->ins_slot0[l->ins_first[node] + cmd->index] + cmd->slot] = param_value(p, cmd->value);
		break;
	}
	default: break;
	}
}

/* The changes being collected for the patch: paths and values are owned. */
typedef struct {
	mxd_patch_change *c;
	size_t n, cap;
	bool nomem;
} changes;

static void add(changes *ch, const char *prefix, const char *key, const char *value)
{
	if (ch->nomem)
		return;
	if (ch->n == ch->cap) {
		size_t cap = ch->cap ? 2 * ch->cap : 16;
		mxd_patch_change *c = realloc(ch->c, cap * sizeof *c);
		if (!c) {
			ch->nomem = true;
			return;
		}
		ch->c = c;
		ch->cap = cap;
	}
	size_t len = strlen(prefix) + strlen(key) + 2;
	char *path = malloc(len), *val = strdup(value);
	if (path)
		snprintf(path, len, "%s%s%s", prefix, *prefix ? "." : "", key);
	if (!path || !val) {
		free(path);
		free(val);
		ch->nomem = true;
		return;
	}
	ch->c[ch->n++] = (mxd_patch_change){ .path = path, .value = val };
}

static void db_text(double db, char *buf, size_t size)
{
	if (db <= -144.0)
		snprintf(buf, size, "-inf");
	else
		mxd_patch_number(db, buf, size);
}

/* A parameter's value as the session writes it. */
static void param_text(const mxd_param *p, double v, char *buf, size_t size)
{
	if (p->kind == MXD_PARAM_BOOL)
		snprintf(buf, size, "%s", v >= 0.5 ? "true" : "false");
	else if (p->kind == MXD_PARAM_ENUM)
		snprintf(buf, size, "%s", p->choices[(size_t)v]);
	else
		mxd_patch_number(v, buf, size);
}

static void strip_changes(const mxd_rt_live *l, const mxd_session *s, const mixdown_strip_state *strips, size_t i,
			  changes *ch)
{
	const mxd_strip *st = node_strip(s, i);
	const mixdown_strip_state *ss = &strips[i];
	bool master = st == &s->master;
	char prefix[300], v[64];
	if (master)
		snprintf(prefix, sizeof prefix, "master");
	else
		snprintf(prefix, sizeof prefix, "%s[name=%s]", st->kind == MXD_STRIP_TRACK ? "tracks" : "buses", st->name);
	if (ss->gain_db != st->gain_db) {
		db_text(ss->gain_db, v, sizeof v);
		add(ch, prefix, "gain", v);
	}
	if (!master && ss->pan != st->pan) {
		mxd_patch_number(ss->pan, v, sizeof v);
		add(ch, prefix, "pan", v);
	}
	if (!master && ss->mute != st->mute)
		add(ch, prefix, "mute", ss->mute ? "true" : "false");
	if (!master && ss->solo != st->solo)
		add(ch, prefix, "solo", ss->solo ? "true" : "false");
	if (ss->invert != st->invert)
		add(ch, prefix, "invert", ss->invert ? "true" : "false");
	if (ss->width != st->width) {
		mxd_patch_number(ss->width, v, sizeof v);
		add(ch, prefix, "width", v);
	}
	for (size_t k = 0; k < st->n_sends; k++) {
		double db = l->send_db[l->send_first[i] + k];
		if (db == st->sends[k].level_db)
			continue;
		char key[64];
		snprintf(key, sizeof key, "sends[%zu].level", k);
		db_text(db, v, sizeof v);
		add(ch, prefix, key, v);
	}
	for (size_t k = 0; k < st->n_inserts; k++) {
		const mxd_insert *ins = &st->inserts[k];
		const double *now = l->ins_val + l->ins_slot0[l->ins_first[i] + k];
		if (l->ins_bypass[l->ins_first[i] + k] != ins->bypass) {
			char key[64];
			snprintf(key, sizeof key, "inserts[%zu].bypass", k);
			add(ch, prefix, key, l->ins_bypass[l->ins_first[i] + k] ? "true" : "false");
		}
		for (size_t slot = 0; slot < ins->cls->n_slots; slot++) {
			if (now[slot] == ins->values[slot])
				continue;
			const mxd_param *list = NULL;
			size_t item = 0;
			const mxd_param *p = slot_param(ins->cls, slot, &list, &item);
			if (!p)
				continue;
			char key[256];
			if (list)
				snprintf(key, sizeof key, "inserts[%zu].%s[%zu].%s", k, list->name, item, p->name);
			else
				snprintf(key, sizeof key, "inserts[%zu].%s%s%s", k, ins->cls->params_map ? ins->cls->params_map : "",
					 ins->cls->params_map ? "." : "", p->name); /* LV2: under `params:` */
			param_text(p, now[slot], v, sizeof v);
			add(ch, prefix, key, v);
		}
	}
}

mixdown_status mxd_rt_live_save(const mxd_rt_live *l, const mxd_session *s, const mixdown_strip_state *strips,
				const char *path, mixdown_error *err)
{
	changes ch = { 0 };
	for (size_t i = 0; i < l->n_nodes; i++)
		strip_changes(l, s, strips, i, &ch);
	mixdown_status st = ch.nomem ? MIXDOWN_ERR_NOMEM
			    : ch.n    ? mxd_session_patch_file(path, ch.c, ch.n, err)
				      : MIXDOWN_SUCCESS;
	for (size_t i = 0; i < ch.n; i++) {
		free((char *)ch.c[i].path);
		free((char *)ch.c[i].value);
	}
	free(ch.c);
	return st;
}
