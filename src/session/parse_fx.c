/* mixdown — reading `inserts:` through the processors' parameter tables.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx/fx_lv2.h"
#include "session/parse_internal.h"
#include "session/suggest.h"

/* One parameter value (NUMBER, ENUM or BOOL) of table entry p into *slot. */
static mixdown_status read_value(mxd_pctx *c, const mxd_param *p, const mxy_node *v, double *slot)
{
	switch (p->kind) {
	case MXD_PARAM_NUMBER:
		if (p->unit && strcmp(p->unit, "dB") == 0 && p->min <= -144.0 && v->kind == MXY_SCALAR &&
		    (strcmp(v->str, "-inf") == 0 || strcmp(v->str, "-.inf") == 0)) {
			*slot = p->min;
			return MIXDOWN_SUCCESS;
		}
		if (p->unit && strcmp(p->unit, "ms") == 0 && !p->integer)
			return px_ms_or_note(c, v, p->min, p->max, slot);
		return px_number(c, v, p->unit, p->min, p->max, p->integer, slot);
	case MXD_PARAM_ENUM: {
		int idx = 0;
		PX_TRY(px_enum(c, v, p->choices, &idx));
		*slot = idx;
		return MIXDOWN_SUCCESS;
	}
	case MXD_PARAM_BOOL: {
		bool b = false;
		PX_TRY(px_bool(c, v, &b));
		*slot = b ? 1.0 : 0.0;
		return MIXDOWN_SUCCESS;
	}
	case MXD_PARAM_LIST:
	case MXD_PARAM_FILE:
		break;
	}
	return px_fail(c, MIXDOWN_ERR_INTERNAL, v->loc, "parameter table entry has no value kind");
}

static const char **names_of(const mxd_param *table, size_t n, size_t extra)
{
	const char **names = calloc(n + extra + 1, sizeof *names);
	if (names)
		for (size_t i = 0; i < n; i++)
			names[extra + i] = table[i].name;
	return names;
}

/* A LIST parameter: a YAML list of mappings keyed by the sub-parameters. */
static mixdown_status read_list(mxd_pctx *c, const mxd_param *p, const mxy_node *list, double *values)
{
	PX_TRY(px_check_list(c, list, NULL));
	if (mxy_is_null(list))
		return MIXDOWN_SUCCESS;
	if (list->n > p->max_items)
		return px_fail(c, MIXDOWN_ERR_SESSION, list->loc, "too many items: %zu (at most %zu)", list->n,
			       p->max_items);
	const char **names = names_of(p->sub, p->n_sub, 0);
	if (!names)
		return px_nomem(c);
	mixdown_status st = MIXDOWN_SUCCESS;
	for (size_t item = 0; item < list->n && st == MIXDOWN_SUCCESS; item++) {
		const mxy_node *m = list->items[item];
		size_t old = px_index(c, item);
		st = px_check_map(c, m, NULL, names, p->n_sub);
		for (size_t k = 0; k < p->n_sub && st == MIXDOWN_SUCCESS; k++) {
			const mxd_param *sub = &p->sub[k];
			const mxy_node *v = mxy_get(m, sub->name, NULL);
			if (!v) {
				/* An item's `type` says what it is: never implied. */
				if (strcmp(sub->name, "type") == 0)
					st = px_fail(c, MIXDOWN_ERR_SESSION, m->loc, "missing required key \"type\"");
				continue;
			}
			size_t o2 = px_key(c, sub->name);
			st = read_value(c, sub, v, &values[mxd_param_slot(p, item, k)]);
			if (st == MIXDOWN_SUCCESS)
				px_pop(c, o2);
		}
		if (st == MIXDOWN_SUCCESS)
			px_pop(c, old);
	}
	free(names);
	return st;
}

/* `type: lv2`: the class of the plugin named by `uri:` (fx/fx_lv2.h). */
static mixdown_status lv2_class_of(mxd_pctx *c, const mxy_node *m, const mxd_fx_class **out)
{
	const mxy_node *un;
	PX_TRY(px_require(c, m, "uri", &un));
	size_t old = px_key(c, "uri");
	char *uri = NULL, why[1024];
	PX_TRY(px_string(c, un, &uri));
	*out = mxd_lv2_class(uri, why, sizeof why);
	free(uri);
	if (!*out)
		return px_fail(c, MIXDOWN_ERR_SESSION, un->loc, "%s", why);
	px_pop(c, old);
	return MIXDOWN_SUCCESS;
}

/* An LV2 insert's `state:` file: resolved against the session folder; the port
 * values it stores become the insert's values (its `params:` then override them). */
static mixdown_status lv2_state(mxd_pctx *c, const mxd_param *p, const mxy_node *v, mxd_insert *ins)
{
	char *written = NULL, why[1024];
	PX_TRY(px_string(c, v, &written));
	size_t n = strlen(c->s->dir) + strlen(written) + 2;
	char *path = written[0] == '/' ? strdup(written) : malloc(n);
	if (path && written[0] != '/')
		snprintf(path, n, "%s/%s", c->s->dir, written);
	free(written);
	if (!path || (!ins->files && !(ins->files = calloc(ins->cls->n_slots, sizeof *ins->files)))) {
		free(path);
		return px_nomem(c);
	}
	ins->files[p->first_slot] = path;
	if (mxd_lv2_state_values(ins->cls, path, ins->values, why, sizeof why) != 0)
		return px_fail(c, MIXDOWN_ERR_SESSION, v->loc, "%s", why);
	return MIXDOWN_SUCCESS;
}

static mixdown_status read_insert(mxd_pctx *c, const mxy_node *m, mxd_insert *ins)
{
	char got[96];
	ins->loc = m->loc;
	if (m->kind != MXY_MAP)
		return px_fail(c, MIXDOWN_ERR_SESSION, m->loc, "expected a mapping (an insert with `type:`), got %s",
			       px_describe(m, got, sizeof got));
	const mxy_node *tn;
	PX_TRY(px_require(c, m, "type", &tn));
	size_t old = px_key(c, "type");
	if (tn->kind != MXY_SCALAR || mxy_is_null(tn))
		return px_fail(c, MIXDOWN_ERR_SESSION, tn->loc, "expected a processor type name, got %s",
			       px_describe(tn, got, sizeof got));
	if (strcmp(tn->str, "lv2") == 0)
		PX_TRY(lv2_class_of(c, m, &ins->cls));
	else
		ins->cls = mxd_fx_class_find(tn->str);
	if (!ins->cls) {
		size_t n = mxd_fx_class_count();
		const char **names = calloc(n + 1, sizeof *names);
		if (!names)
			return px_nomem(c);
		char list[400];
		size_t o = 0;
		for (size_t i = 0; i < n; i++) {
			names[i] = mxd_fx_class_at(i)->name;
			if (o < sizeof list)
				o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", names[i]);
		}
		const char *sug = mxd_suggest(tn->str, names, n);
		mixdown_status st =
			sug ? px_fail(c, MIXDOWN_ERR_SESSION, tn->loc,
				      "unknown insert type %s (did you mean \"%s\"?)", px_describe(tn, got, sizeof got), sug)
			    : px_fail(c, MIXDOWN_ERR_SESSION, tn->loc, "unknown insert type %s (available: %s)",
				      px_describe(tn, got, sizeof got), list);
		free(names);
		return st;
	}
	px_pop(c, old);
	const mxd_fx_class *cls = ins->cls;

	/* Keys every insert takes, then the class's parameters. A class with
	 * its own `mix` parameter (delay, reverb, ...) owns that key. */
	bool own_mix = !cls->params_map && mxd_fx_param_find(cls, "mix") != NULL;
	const char *common[] = { "type", "id", "bypass", "channels", "sidechain", "mix" };
	size_t n_common = sizeof common / sizeof common[0] - (own_mix ? 1 : 0);
	const char **keys = names_of(cls->params, cls->n_params, n_common + (cls->params_map ? 2 : 0));
	if (!keys)
		return px_nomem(c);
	memcpy(keys, common, n_common * sizeof *keys);
	size_t n_keys = cls->n_params + n_common;
	if (cls->params_map) { /* LV2: `uri`, the parameters' mapping and the FILE parameters */
		n_keys = n_common;
		keys[n_keys++] = "uri";
		keys[n_keys++] = cls->params_map;
		for (size_t i = 0; i < cls->n_params; i++)
			if (cls->params[i].kind == MXD_PARAM_FILE)
				keys[n_keys++] = cls->params[i].name;
	}
	mixdown_status st = px_check_map(c, m, NULL, keys, n_keys);
	free(keys);
	PX_TRY(st);
	const mxy_node *pm = cls->params_map ? mxy_get(m, cls->params_map, NULL) : NULL;
	size_t o_pm = 0;
	if (pm) {
		o_pm = px_key(c, cls->params_map);
		const char **pk = calloc(cls->n_params + 1, sizeof *pk);
		size_t n_pk = 0;
		for (size_t i = 0; pk && i < cls->n_params; i++)
			if (cls->params[i].kind != MXD_PARAM_FILE)
				pk[n_pk++] = cls->params[i].name;
		st = pk ? px_check_map(c, pm, "parameter: value", pk, n_pk) : px_nomem(c);
		free(pk);
		PX_TRY(st);
		px_pop(c, o_pm);
	}

	PX_TRY(px_opt_string(c, m, "id", &ins->id));
	PX_TRY(px_opt_bool(c, m, "bypass", &ins->bypass));
	ins->mix = 1.0;
	if (!own_mix)
		PX_TRY(px_opt_number(c, m, "mix", "", 0.0, 1.0, false, &ins->mix));
	const mxy_node *chn = mxy_get(m, "channels", NULL);
	if (chn) {
		static const char *const parts[] = { "all", "mid", "side", "left", "right", NULL };
		int idx = 0;
		size_t o = px_key(c, "channels");
		PX_TRY(px_enum(c, chn, parts, &idx));
		ins->channels = (mxd_insert_channels)idx;
		px_pop(c, o);
	}
	const mxy_node *scn = mxy_get(m, "sidechain", NULL);
	if (scn) {
		size_t o = px_key(c, "sidechain");
		PX_TRY(px_string(c, scn, &ins->sidechain));
		ins->sidechain_loc = scn->loc;
		px_pop(c, o);
	}
	ins->values = malloc((cls->n_slots ? cls->n_slots : 1) * sizeof *ins->values);
	if (!ins->values)
		return px_nomem(c);
	mxd_fx_defaults(cls, ins->values);
	for (size_t i = 0; cls->params_map && i < cls->n_params; i++) /* state files first: params override */
		if (cls->params[i].kind == MXD_PARAM_FILE && mxy_get(m, cls->params[i].name, NULL)) {
			size_t o2 = px_key(c, cls->params[i].name);
			PX_TRY(lv2_state(c, &cls->params[i], mxy_get(m, cls->params[i].name, NULL), ins));
			px_pop(c, o2);
		}
	for (size_t i = 0; i < cls->n_params; i++) {
		const mxd_param *p = &cls->params[i];
		bool in_map = cls->params_map && p->kind != MXD_PARAM_FILE;
		if (cls->params_map && !in_map)
			continue; /* read above */
		const mxy_node *v = mxy_get(in_map ? pm : m, p->name, NULL);
		if (!v)
			continue;
		size_t o_map = in_map ? px_key(c, cls->params_map) : 0;
		size_t o2 = px_key(c, p->name);
		if (p->kind == MXD_PARAM_FILE) {
			if (!ins->files && !(ins->files = calloc(cls->n_slots, sizeof *ins->files)))
				return px_nomem(c);
			char *written = NULL;
			SF_INFO info;
			st = px_audio_file(c, v, &written, &ins->files[p->first_slot], &info);
			free(written);
			PX_TRY(st);
		} else {
			PX_TRY(p->kind == MXD_PARAM_LIST ? read_list(c, p, v, ins->values)
							 : read_value(c, p, v, &ins->values[p->first_slot]));
		}
		px_pop(c, o2);
		if (in_map)
			px_pop(c, o_map);
	}
	return MIXDOWN_SUCCESS;
}

mixdown_status px_inserts(mxd_pctx *c, const mxy_node *list, mxd_insert **out, size_t *n_out)
{
	PX_TRY(px_check_list(c, list, NULL));
	if (mxy_is_null(list) || list->n == 0)
		return MIXDOWN_SUCCESS;
	*out = calloc(list->n, sizeof **out);
	if (!*out)
		return px_nomem(c);
	*n_out = list->n;
	for (size_t i = 0; i < list->n; i++) {
		size_t old = px_index(c, i);
		PX_TRY(read_insert(c, list->items[i], &(*out)[i]));
		/* Ids name inserts for automation: unique within the strip. */
		for (size_t j = 0; j < i && (*out)[i].id; j++)
			if ((*out)[j].id && strcmp((*out)[j].id, (*out)[i].id) == 0) {
				const mxy_node *idn = mxy_get(list->items[i], "id", NULL);
				px_key(c, "id");
				return px_fail(c, MIXDOWN_ERR_SESSION, idn->loc,
					       "duplicate insert id \"%s\" (also used by inserts[%zu])", (*out)[i].id, j);
			}
		px_pop(c, old);
	}
	return MIXDOWN_SUCCESS;
}
