/* mixdown — reading a strip's `automation:` mapping into lanes.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   automation:
 *     gain: [ [0, -6], ["9:1", 0, smooth], [60, -inf, hold] ]   # points
 *     trim: [ [12.0, 0], [12.4, 3], [13.0, 0] ]                  # relative dB
 *     pan:  { motion: macro }                                     # preset LFO
 *     "sends.Plate.level": { points: [[0, -inf]], follow: { source: Vox, range: 6 } }
 *     "inserts.comp.threshold": { lfo: { shape: sine, rate: "1/1", depth: 6 } }
 *
 * Point times are seconds or bar:beat[:tick]; values are in the target's unit
 * and range; the optional third item is the curve of the segment that starts
 * at the point. Must run after the strip's inserts and sends are read (their
 * names and parameter tables resolve the paths). See docs/automation.md.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/parse_internal.h"
#include "session/suggest.h"
#include "spatial/layout.h"

static const char *const curve_keys[] = { "linear", "hold", "step", "smooth", "exp", NULL };
static const char *const lane_keys[] = { "points", "lfo", "follow", "motion" };
static const char *const lfo_keys[] = { "shape", "rate", "depth", "phase", "seed", "stereo_offset" };
static const char *const lfo_shapes[] = { "sine", "triangle", "square", "random", "ramp", NULL };
static const char *const follow_keys[] = { "source", "attack", "release", "threshold", "range" };
static const char *const motion_names[] = { "macro", "micro", NULL };

/* The static value of a target: what the lane moves away from. */
static bool resolve_target(mxd_pctx *c, const mxd_strip *st, const char *path, mxd_lane *ln)
{
	ln->min = -144.0, ln->max = 24.0;
	if (!strcmp(path, "gain")) {
		ln->target = MXD_TARGET_GAIN, ln->base = st->gain_db;
		return true;
	}
	if (!strcmp(path, "trim")) {
		ln->target = MXD_TARGET_TRIM, ln->base = 0.0;
		return true;
	}
	if (!strcmp(path, "pan") && st->kind != MXD_STRIP_MASTER) {
		ln->target = MXD_TARGET_PAN, ln->min = -1, ln->max = 1, ln->base = st->pan;
		return true;
	}
	if (!strcmp(path, "width")) {
		ln->target = MXD_TARGET_WIDTH, ln->min = 0, ln->max = 2, ln->base = st->width;
		return true;
	}
	/* Spatial lanes (docs/spatial.md): only where the static setting exists. */
	static const struct { const char *path; mxd_auto_target t; double min, max; } sp[] = {
		{ "object.azimuth", MXD_TARGET_OBJ_AZIMUTH, -180, 180 },
		{ "object.elevation", MXD_TARGET_OBJ_ELEVATION, -90, 90 },
		{ "object.distance", MXD_TARGET_OBJ_DISTANCE, 0.1, 100 },
		{ "object.spread", MXD_TARGET_OBJ_SPREAD, 0, 180 },
		{ "surround.x", MXD_TARGET_SUR_X, -1, 1 },
		{ "surround.y", MXD_TARGET_SUR_Y, -1, 1 },
		{ "surround.z", MXD_TARGET_SUR_Z, 0, 1 },
	};
	for (size_t i = 0; i < sizeof sp / sizeof sp[0]; i++)
		if (!strcmp(path, sp[i].path) && (path[0] == 'o' ? st->object.on : st->surround.on)) {
			const double base[] = { st->object.azimuth_deg, st->object.elevation_deg, st->object.distance,
						st->object.spread_deg, st->surround.x, st->surround.y, st->surround.z };
			ln->target = sp[i].t, ln->min = sp[i].min, ln->max = sp[i].max, ln->base = base[i];
			return true;
		}
	const mxd_layout *lay = c->s->layout ? c->s->layout : mxd_layout_for_channels(c->s->channels);
	if (!strcmp(path, "lfe") && st->kind != MXD_STRIP_MASTER && lay && lay->lfe >= 0) {
		ln->target = MXD_TARGET_LFE, ln->base = st->lfe_db;
		return true;
	}
	if (!strcmp(path, "mute") && st->kind != MXD_STRIP_MASTER) {
		ln->target = MXD_TARGET_MUTE, ln->min = 0, ln->max = 1, ln->base = st->mute;
		return true;
	}
	if (!strncmp(path, "sends.", 6)) {
		const char *name = path + 6, *dot = strrchr(name, '.');
		if (!dot || strcmp(dot, ".level") != 0)
			return false;
		size_t len = (size_t)(dot - name);
		for (size_t i = 0; i < st->n_sends; i++) {
			char num[24];
			snprintf(num, sizeof num, "%zu", i + 1);
			if ((strlen(st->sends[i].to) == len && !strncmp(st->sends[i].to, name, len)) ||
			    (strlen(num) == len && !strncmp(num, name, len))) {
				ln->target = MXD_TARGET_SEND, ln->index = i, ln->base = st->sends[i].level_db;
				return true;
			}
		}
		return false;
	}
	if (!strncmp(path, "inserts.", 8)) {
		const char *ref = path + 8, *dot = strchr(ref, '.');
		if (!dot)
			return false;
		size_t len = (size_t)(dot - ref);
		for (size_t i = 0; i < st->n_inserts; i++) {
			const mxd_insert *ins = &st->inserts[i];
			char num[24];
			snprintf(num, sizeof num, "%zu", i + 1);
			bool by_id = ins->id && strlen(ins->id) == len && !strncmp(ins->id, ref, len);
			bool by_num = strlen(num) == len && !strncmp(num, ref, len);
			if (!by_id && !by_num)
				continue;
			ln->index = i;
			if (!strcmp(dot + 1, "bypass")) {
				ln->target = MXD_TARGET_BYPASS, ln->min = 0, ln->max = 1, ln->base = ins->bypass;
				return true;
			}
			const mxd_param *p = NULL;
			long slot = mxd_fx_param_path(ins->cls, dot + 1, &p);
			if (slot < 0 || !p || p->kind == MXD_PARAM_FILE || p->kind == MXD_PARAM_LIST)
				return false;
			ln->target = MXD_TARGET_INSERT, ln->slot = (size_t)slot;
			ln->min = p->kind == MXD_PARAM_NUMBER ? p->min : 0;
			ln->max = p->kind == MXD_PARAM_NUMBER ? p->max : p->kind == MXD_PARAM_BOOL ? 1 : p->max;
			if (p->kind == MXD_PARAM_ENUM) {
				size_t n = 0;
				while (p->choices[n])
					n++;
				ln->max = (double)n - 1;
			}
			ln->base = ins->values[slot];
			return true;
		}
	}
	return false;
}

/* A value of the lane's target: a number in range; "-inf" for dB targets;
 * true/false for mute and bypass. */
static mixdown_status read_lane_value(mxd_pctx *c, const mxd_lane *ln, const mxy_node *v, double *out)
{
	if (ln->target == MXD_TARGET_MUTE || ln->target == MXD_TARGET_BYPASS) {
		bool b = false;
		if (v->kind == MXY_SCALAR && (!strcmp(v->str, "0") || !strcmp(v->str, "1"))) {
			*out = v->str[0] == '1';
			return MIXDOWN_SUCCESS;
		}
		PX_TRY(px_bool(c, v, &b));
		*out = b;
		return MIXDOWN_SUCCESS;
	}
	if (ln->target == MXD_TARGET_GAIN || ln->target == MXD_TARGET_TRIM || ln->target == MXD_TARGET_SEND ||
	    ln->target == MXD_TARGET_LFE)
		return px_db(c, v, out);
	return px_number(c, v, "", ln->min, ln->max, false, out);
}

static mixdown_status read_points(mxd_pctx *c, const mxy_node *list, mxd_lane *ln)
{
	PX_TRY(px_check_list(c, list, "a list of [time, value] or [time, value, curve] points"));
	if (mxy_is_null(list) || list->n == 0)
		return MIXDOWN_SUCCESS;
	if (!(ln->points = calloc(list->n, sizeof *ln->points)))
		return px_nomem(c);
	char got[96];
	for (size_t i = 0; i < list->n; i++) {
		const mxy_node *pt = list->items[i];
		size_t old = px_index(c, i);
		if (pt->kind != MXY_SEQ || pt->n < 2 || pt->n > 3)
			return px_fail(c, MIXDOWN_ERR_SESSION, pt->loc,
				       "expected a point [time, value] or [time, value, curve], got %s",
				       px_describe(pt, got, sizeof got));
		mxd_auto_point *p = &ln->points[i];
		PX_TRY(px_time(c, pt->items[0], &p->time));
		PX_TRY(read_lane_value(c, ln, pt->items[1], &p->value));
		p->curve = MXD_AUTO_LINEAR;
		if (ln->target == MXD_TARGET_MUTE || ln->target == MXD_TARGET_BYPASS)
			p->curve = MXD_AUTO_HOLD; /* a switch has no in-between */
		if (pt->n == 3) {
			int idx = 0;
			PX_TRY(px_enum(c, pt->items[2], curve_keys, &idx));
			static const mxd_auto_curve map[] = { MXD_AUTO_LINEAR, MXD_AUTO_HOLD, MXD_AUTO_HOLD,
							      MXD_AUTO_SMOOTH, MXD_AUTO_EXP };
			p->curve = map[idx];
		}
		if (i > 0 && p->time < ln->points[i - 1].time)
			return px_fail(c, MIXDOWN_ERR_SESSION, pt->items[0]->loc,
				       "points must be in time order: %.6g s comes after %.6g s", p->time,
				       ln->points[i - 1].time);
		ln->n_points++;
		px_pop(c, old);
	}
	return MIXDOWN_SUCCESS;
}

static mixdown_status read_lfo(mxd_pctx *c, const mxy_node *m, mxd_lane *ln)
{
	PX_TRY(px_check_map(c, m, "an LFO", lfo_keys, sizeof lfo_keys / sizeof lfo_keys[0]));
	mxd_lfo *l = &ln->lfo;
	l->on = true;
	l->rate_hz = 0.25;
	l->depth = (ln->max - ln->min) / 4;
	const mxy_node *v;
	if ((v = mxy_get(m, "shape", NULL))) {
		size_t o = px_key(c, "shape");
		int idx = 0;
		PX_TRY(px_enum(c, v, lfo_shapes, &idx));
		l->shape = (mxd_lfo_shape)idx;
		px_pop(c, o);
	}
	if ((v = mxy_get(m, "rate", NULL))) {
		size_t o = px_key(c, "rate");
		PX_TRY(px_hz_or_note(c, v, 0.001, 100.0, &l->rate_hz));
		px_pop(c, o);
	}
	double span = ln->max - ln->min;
	PX_TRY(px_opt_number(c, m, "depth", "", 0, span, false, &l->depth));
	PX_TRY(px_opt_number(c, m, "phase", "", 0, 1, false, &l->phase));
	const mxy_node *so = mxy_get(m, "stereo_offset", NULL);
	if (so && ln->target != MXD_TARGET_GAIN && ln->target != MXD_TARGET_TRIM) {
		px_key(c, "stereo_offset");
		return px_fail(c, MIXDOWN_ERR_SESSION, so->loc,
			       "stereo_offset applies to gain and trim lanes (one gain per channel)");
	}
	PX_TRY(px_opt_number(c, m, "stereo_offset", "", 0, 1, false, &l->stereo_offset));
	double seed = 1;
	PX_TRY(px_opt_number(c, m, "seed", "", 0, 4294967295.0, true, &seed));
	l->seed = (uint32_t)seed;
	return MIXDOWN_SUCCESS;
}

static mixdown_status read_follow(mxd_pctx *c, const mxy_node *m, mxd_lane *ln)
{
	PX_TRY(px_check_map(c, m, "an envelope follower", follow_keys, sizeof follow_keys / sizeof follow_keys[0]));
	mxd_follow *f = &ln->follow;
	f->on = true;
	f->attack_ms = 10, f->release_ms = 300, f->threshold_db = -40;
	f->range = ln->target == MXD_TARGET_GAIN || ln->target == MXD_TARGET_TRIM || ln->target == MXD_TARGET_SEND
			   ? -12.0
			   : (ln->max - ln->min) / 2;
	const mxy_node *src;
	PX_TRY(px_require(c, m, "source", &src));
	size_t o = px_key(c, "source");
	PX_TRY(px_string(c, src, &f->source));
	f->source_loc = src->loc;
	px_pop(c, o);
	PX_TRY(px_opt_number(c, m, "attack", "ms", 0, 10000, false, &f->attack_ms));
	PX_TRY(px_opt_number(c, m, "release", "ms", 0, 60000, false, &f->release_ms));
	PX_TRY(px_opt_number(c, m, "threshold", "dB", -144, 24, false, &f->threshold_db));
	double span = ln->max - ln->min;
	if (ln->target == MXD_TARGET_GAIN || ln->target == MXD_TARGET_TRIM || ln->target == MXD_TARGET_SEND)
		span = 144;
	PX_TRY(px_opt_number(c, m, "range", "", -span, span, false, &f->range));
	return MIXDOWN_SUCCESS;
}

/* Presets for motion: `macro` = large audible sweeps (a full cycle over four
 * bars, i.e. one side to the other in two; 8 s without a tempo) at 80 % of
 * the range's half; `micro` = a slow random drift (one new target about every
 * 14 s) of 8 % of the half range, felt rather than heard. */
static void motion_preset(const mxd_session *s, int which, mxd_lane *ln)
{
	double half = (ln->max - ln->min) / 2;
	mxd_lfo *l = &ln->lfo;
	l->on = true;
	if (which == 0) {
		l->shape = MXD_LFO_SINE;
		double bar_s = 8.0 / 4;
		if (s->n_tempo)
			bar_s = s->tempo[0].beats_per_bar * 60.0 / s->tempo[0].bpm;
		l->rate_hz = 1.0 / (4 * bar_s);
		l->depth = 0.8 * half;
	} else {
		l->shape = MXD_LFO_RANDOM;
		l->rate_hz = 0.07;
		l->depth = 0.08 * half;
		l->seed = 7;
	}
}

/* object.azimuth: each segment takes the shorter way round (170 -> -170
 * passes 180, not 0), so the points are unwrapped here and the lane's range
 * opened; the panner wraps the value back to (-180, 180]. A point 180° from
 * the previous one keeps the written sign of the step. */
static void unwrap_azimuth(mxd_lane *ln)
{
	if (ln->target != MXD_TARGET_OBJ_AZIMUTH)
		return;
	for (size_t i = 1; i < ln->n_points; i++) {
		double prev = ln->points[i - 1].value, v = ln->points[i].value;
		while (v - prev > 180.0)
			v -= 360.0;
		while (v - prev < -180.0)
			v += 360.0;
		ln->points[i].value = v;
	}
	ln->min = -1e6, ln->max = 1e6;
}

static mixdown_status read_lane(mxd_pctx *c, const mxd_strip *st, const mxy_node *key, const mxy_node *v,
				mxd_lane *ln)
{
	char got[96];
	ln->loc = key->loc;
	if (!(ln->path = strdup(key->str)))
		return px_nomem(c);
	if (!resolve_target(c, st, key->str, ln)) {
		char valid[640];
		const mxd_layout *lay = c->s->layout ? c->s->layout : mxd_layout_for_channels(c->s->channels);
		bool lfe_ok = lay && lay->lfe >= 0;
		size_t o = (size_t)snprintf(valid, sizeof valid, "gain, trim, width%s%s%s%s",
					    st->kind == MXD_STRIP_MASTER ? "" : ", pan, mute",
					    st->object.on
						    ? ", object.azimuth, object.elevation, object.distance, object.spread"
						    : "",
					    st->surround.on ? ", surround.x, surround.y, surround.z" : "",
					    lfe_ok && st->kind != MXD_STRIP_MASTER ? ", lfe" : "");
		for (size_t i = 0; i < st->n_sends && o < sizeof valid; i++)
			o += (size_t)snprintf(valid + o, sizeof valid - o, ", sends.%s.level", st->sends[i].to);
		for (size_t i = 0; i < st->n_inserts && o < sizeof valid; i++) {
			char ref[64]; /* an insert is named by its id, else by its number */
			if (st->inserts[i].id)
				snprintf(ref, sizeof ref, "%s", st->inserts[i].id);
			else
				snprintf(ref, sizeof ref, "%zu", i + 1);
			o += (size_t)snprintf(valid + o, sizeof valid - o, ", inserts.%s.<%s parameter>", ref,
					      st->inserts[i].cls->name);
		}
		return px_fail(c, MIXDOWN_ERR_SESSION, key->loc, "cannot automate \"%s\" (valid: %s)", key->str, valid);
	}
	if (v->kind == MXY_SEQ || mxy_is_null(v)) {
		PX_TRY(read_points(c, v, ln));
		unwrap_azimuth(ln);
		return MIXDOWN_SUCCESS;
	}
	if (v->kind != MXY_MAP)
		return px_fail(c, MIXDOWN_ERR_SESSION, v->loc,
			       "expected a list of points or a mapping with points/lfo/follow/motion, got %s",
			       px_describe(v, got, sizeof got));
	PX_TRY(px_check_map(c, v, NULL, lane_keys, sizeof lane_keys / sizeof lane_keys[0]));
	const mxy_node *x;
	if ((x = mxy_get(v, "points", NULL))) {
		size_t o = px_key(c, "points");
		PX_TRY(read_points(c, x, ln));
		px_pop(c, o);
	}
	const mxy_node *lfo = mxy_get(v, "lfo", NULL), *motion = mxy_get(v, "motion", NULL);
	if (lfo && motion) {
		px_key(c, "motion");
		return px_fail(c, MIXDOWN_ERR_SESSION, motion->loc, "give either `lfo:` or `motion:`, not both");
	}
	if (lfo) {
		size_t o = px_key(c, "lfo");
		PX_TRY(read_lfo(c, lfo, ln));
		px_pop(c, o);
	}
	if (motion) {
		size_t o = px_key(c, "motion");
		int idx = 0;
		PX_TRY(px_enum(c, motion, motion_names, &idx));
		motion_preset(c->s, idx, ln);
		px_pop(c, o);
	}
	if ((x = mxy_get(v, "follow", NULL))) {
		size_t o = px_key(c, "follow");
		PX_TRY(read_follow(c, x, ln));
		px_pop(c, o);
	}
	unwrap_azimuth(ln);
	return MIXDOWN_SUCCESS;
}

mixdown_status px_automation(mxd_pctx *c, const mxy_node *m, mxd_strip *st)
{
	char got[96];
	if (mxy_is_null(m))
		return MIXDOWN_SUCCESS;
	if (m->kind != MXY_MAP)
		return px_fail(c, MIXDOWN_ERR_SESSION, m->loc,
			       "expected a mapping of parameter lanes (gain: [...], pan: [...]), got %s",
			       px_describe(m, got, sizeof got));
	size_t pairs = m->n / 2;
	if (pairs == 0)
		return MIXDOWN_SUCCESS;
	if (!(st->lanes = calloc(pairs, sizeof *st->lanes)))
		return px_nomem(c);
	for (size_t i = 0; i < pairs; i++) {
		const mxy_node *key = m->items[2 * i], *v = m->items[2 * i + 1];
		if (key->kind != MXY_SCALAR)
			return px_fail(c, MIXDOWN_ERR_SESSION, key->loc, "expected a parameter name as the key");
		size_t old = px_key(c, key->str);
		st->n_lanes++;
		PX_TRY(read_lane(c, st, key, v, &st->lanes[i]));
		px_pop(c, old);
	}
	return MIXDOWN_SUCCESS;
}
