/* mixdown — the insert and automation changes of one strip (session_diff.h):
 * inserts added, removed, reordered, bypassed, their parameters, mix,
 * channels and sidechain; automation lanes added, removed and changed.
 * Lines read "Snare: compressor ratio 3 -> 4" (the strip, a colon, the
 * insert). Control thread only; pure.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/session_diff.h"

/* "compressor", "compressor #2" (the second of its type), or "compressor vox-comp" (with an id). */
static void insert_label(const mxd_strip *st, size_t k, char *buf, size_t size)
{
	const mxd_insert *ins = &st->inserts[k];
	if (ins->id) {
		snprintf(buf, size, "%s %s", ins->cls->name, ins->id);
		return;
	}
	size_t nth = 1, total = 0;
	for (size_t i = 0; i < st->n_inserts; i++)
		if (st->inserts[i].cls == ins->cls) {
			total++;
			nth += i < k;
		}
	if (total > 1)
		snprintf(buf, size, "%s #%zu", ins->cls->name, nth);
	else
		snprintf(buf, size, "%s", ins->cls->name);
}

/* Index in a of b's insert k: same id, else the same type at the same
 * occurrence (the second eq pairs with the second eq); -1 when new. */
static long partner(const mxd_strip *a, const mxd_strip *b, size_t k)
{
	const mxd_insert *ins = &b->inserts[k];
	if (ins->id) {
		for (size_t j = 0; j < a->n_inserts; j++)
			if (a->inserts[j].id && !strcmp(a->inserts[j].id, ins->id) && a->inserts[j].cls == ins->cls)
				return (long)j;
		return -1;
	}
	size_t nth = 0;
	for (size_t i = 0; i < k; i++)
		nth += !b->inserts[i].id && b->inserts[i].cls == ins->cls;
	for (size_t j = 0; j < a->n_inserts; j++)
		if (!a->inserts[j].id && a->inserts[j].cls == ins->cls && nth-- == 0)
			return (long)j;
	return -1;
}

static const char *value_text(const mxd_param *p, double v, char *buf, size_t size)
{
	switch (p->kind) {
	case MXD_PARAM_ENUM: {
		size_t n = 0;
		while (p->choices[n])
			n++;
		size_t i = v >= 0 ? (size_t)v : 0;
		snprintf(buf, size, "%s", i < n ? p->choices[i] : "?");
		break;
	}
	case MXD_PARAM_BOOL: snprintf(buf, size, "%s", v != 0 ? "on" : "off"); break;
	default: mxd_diff_num(v, "%.6g", buf, size); break;
	}
	return buf;
}

static void one_param(mxd_diff_ctx *c, const char *strip, const char *label, const char *name, const mxd_param *p,
		      const mxd_insert *a, const mxd_insert *b, size_t slot)
{
	char what[320], x[96], y[96], unit[24] = "";
	snprintf(what, sizeof what, "%s %s", label, name);
	if (p->kind == MXD_PARAM_FILE) {
		const char *fa = a->files && a->files[slot] ? a->files[slot] : "none";
		const char *fb = b->files && b->files[slot] ? b->files[slot] : "none";
		if (strcmp(fa, fb))
			mxd_diff_add(c, MIXDOWN_DIFF_CHANGED, strip, ": ", what, fa, fb, NULL, NULL);
		return;
	}
	if (a->values[slot] == b->values[slot])
		return;
	value_text(p, a->values[slot], x, sizeof x);
	value_text(p, b->values[slot], y, sizeof y);
	if (!strcmp(x, y))
		return;
	if (p->kind == MXD_PARAM_NUMBER && p->unit && *p->unit)
		snprintf(unit, sizeof unit, " %s", p->unit);
	mxd_diff_add(c, MIXDOWN_DIFF_CHANGED, strip, ": ", what, x, y, unit, NULL);
}

static void diff_params(mxd_diff_ctx *c, const char *strip, const char *label, const mxd_insert *a,
			const mxd_insert *b)
{
	const mxd_fx_class *cls = b->cls;
	char name[160];
	for (size_t i = 0; i < cls->n_params; i++) {
		const mxd_param *p = &cls->params[i];
		if (p->kind != MXD_PARAM_LIST) {
			one_param(c, strip, label, p->name, p, a, b, mxd_param_slot(p, 0, 0));
			continue;
		}
		for (size_t item = 0; item < p->max_items; item++)
			for (size_t sub = 0; sub < p->n_sub; sub++) {
				snprintf(name, sizeof name, "%s.%zu.%s", p->name, item + 1, p->sub[sub].name);
				one_param(c, strip, label, name, &p->sub[sub], a, b, mxd_param_slot(p, item, sub));
			}
	}
}

static void diff_insert(mxd_diff_ctx *c, const char *strip, const char *label, const mxd_insert *a,
			const mxd_insert *b)
{
	char what[320], x[32], y[32];
	if (a->bypass != b->bypass) {
		snprintf(what, sizeof what, "%s", label);
		mxd_diff_add(c, MIXDOWN_DIFF_CHANGED, strip, ": ", what, a->bypass ? "bypassed" : "active",
			     b->bypass ? "bypassed" : "active", NULL, b->bypass ? "bypassed" : "back in (bypass off)");
	}
	diff_params(c, strip, label, a, b);
	if (a->mix != b->mix) {
		snprintf(what, sizeof what, "%s mix", label);
		mxd_diff_num(a->mix * 100, "%.0f", x, sizeof x);
		mxd_diff_num(b->mix * 100, "%.0f", y, sizeof y);
		if (strcmp(x, y))
			mxd_diff_add(c, MIXDOWN_DIFF_CHANGED, strip, ": ", what, x, y, "%", NULL);
	}
	static const char *const parts[] = { "all", "mid", "side", "left", "right" };
	if (a->channels != b->channels) {
		snprintf(what, sizeof what, "%s channels", label);
		mxd_diff_add(c, MIXDOWN_DIFF_CHANGED, strip, ": ", what, parts[a->channels], parts[b->channels], NULL,
			     NULL);
	}
	const char *sa = a->sidechain ? a->sidechain : "none";
	const char *sb = b->sidechain ? mxd_diff_a_name(c, b->sidechain) : "none";
	if (strcmp(sa, sb)) {
		snprintf(what, sizeof what, "%s sidechain", label);
		mxd_diff_add(c, MIXDOWN_DIFF_CHANGED, strip, ": ", what, sa, b->sidechain ? b->sidechain : "none", NULL,
			     NULL);
	}
}

void mxd_diff_inserts(mxd_diff_ctx *c, const char *strip, const mxd_strip *a, const mxd_strip *b)
{
	long *from = calloc(b->n_inserts + 1, sizeof *from);
	bool *kept = calloc(a->n_inserts + 1, sizeof *kept);
	if (!from || !kept) {
		free(from);
		free(kept);
		c->nomem = true;
		return;
	}
	char label[160], tail[96];
	for (size_t k = 0; k < b->n_inserts; k++) {
		from[k] = partner(a, b, k);
		insert_label(b, k, label, sizeof label);
		if (from[k] < 0) {
			snprintf(tail, sizeof tail, "added (insert %zu)", k + 1);
			mxd_diff_add(c, MIXDOWN_DIFF_ADDED, strip, ": ", label, NULL, NULL, NULL, tail);
			continue;
		}
		kept[from[k]] = true;
		diff_insert(c, strip, label, &a->inserts[from[k]], &b->inserts[k]);
	}
	for (size_t j = 0; j < a->n_inserts; j++)
		if (!kept[j]) {
			insert_label(a, j, label, sizeof label);
			mxd_diff_add(c, MIXDOWN_DIFF_REMOVED, strip, ": ", label, NULL, NULL, NULL, NULL);
		}
	/* Kept inserts in another order: the signal goes through them differently. */
	bool reordered = false;
	for (size_t k = 1, last = 0, seen = 0; k <= b->n_inserts; k++) {
		if (from[k - 1] < 0)
			continue;
		if (seen++ && (size_t)from[k - 1] < last)
			reordered = true;
		last = (size_t)from[k - 1];
	}
	if (reordered) {
		char x[256] = "", y[256] = "";
		for (size_t j = 0; j < a->n_inserts; j++)
			if (kept[j])
				snprintf(x + strlen(x), sizeof x - strlen(x), "%s%s", x[0] ? ", " : "", a->inserts[j].cls->name);
		for (size_t k = 0; k < b->n_inserts; k++)
			if (from[k] >= 0)
				snprintf(y + strlen(y), sizeof y - strlen(y), "%s%s", y[0] ? ", " : "", b->inserts[k].cls->name);
		mxd_diff_add(c, MIXDOWN_DIFF_CHANGED, strip, ": ", "insert order", x, y, NULL, NULL);
	}
	free(from);
	free(kept);
}

/* ---------------------------------------------------------------- automation */

static bool same_points(const mxd_lane *a, const mxd_lane *b)
{
	if (a->n_points != b->n_points)
		return false;
	for (size_t i = 0; i < a->n_points; i++)
		if (a->points[i].time != b->points[i].time || a->points[i].value != b->points[i].value ||
		    a->points[i].curve != b->points[i].curve)
			return false;
	return true;
}

static bool same_lfo(const mxd_lfo *a, const mxd_lfo *b)
{
	return a->on == b->on && (!a->on || (a->shape == b->shape && a->rate_hz == b->rate_hz && a->depth == b->depth &&
					     a->phase == b->phase && a->stereo_offset == b->stereo_offset &&
					     a->seed == b->seed));
}

static bool same_follow(const mxd_diff_ctx *c, const mxd_follow *a, const mxd_follow *b)
{
	if (a->on != b->on)
		return false;
	return !a->on || (!strcmp(a->source, mxd_diff_a_name(c, b->source)) && a->attack_ms == b->attack_ms &&
			  a->release_ms == b->release_ms && a->threshold_db == b->threshold_db && a->range == b->range);
}

static const char *lane_desc(const mxd_lane *l, char *buf, size_t size)
{
	snprintf(buf, size, "%zu point%s%s%s", l->n_points, l->n_points == 1 ? "" : "s", l->lfo.on ? ", LFO" : "",
		 l->follow.on ? ", follower" : "");
	return buf;
}

void mxd_diff_lanes(mxd_diff_ctx *c, const char *strip, const mxd_strip *a, const mxd_strip *b)
{
	char what[320], tail[160], x[64], y[64];
	for (size_t k = 0; k < b->n_lanes; k++) {
		const mxd_lane *lb = &b->lanes[k], *la = NULL;
		for (size_t j = 0; j < a->n_lanes && !la; j++)
			if (!strcmp(a->lanes[j].path, lb->path))
				la = &a->lanes[j];
		snprintf(what, sizeof what, "automation %s", lb->path);
		if (!la) {
			snprintf(tail, sizeof tail, "added (%s)", lane_desc(lb, x, sizeof x));
			mxd_diff_add(c, MIXDOWN_DIFF_ADDED, strip, " ", what, NULL, NULL, NULL, tail);
			continue;
		}
		if (la->n_points != lb->n_points) {
			snprintf(x, sizeof x, "%zu", la->n_points);
			snprintf(y, sizeof y, "%zu", lb->n_points);
			mxd_diff_add(c, MIXDOWN_DIFF_CHANGED, strip, " ", what, x, y, " points", NULL);
		} else if (!same_points(la, lb)) {
			snprintf(tail, sizeof tail, "points moved (%zu point%s)", lb->n_points, lb->n_points == 1 ? "" : "s");
			mxd_diff_add(c, MIXDOWN_DIFF_CHANGED, strip, " ", what, NULL, NULL, NULL, tail);
		}
		if (!same_lfo(&la->lfo, &lb->lfo))
			mxd_diff_add(c, MIXDOWN_DIFF_CHANGED, strip, " ", what, NULL, NULL, NULL,
				     !la->lfo.on ? "LFO added" : !lb->lfo.on ? "LFO removed" : "LFO changed");
		if (!same_follow(c, &la->follow, &lb->follow))
			mxd_diff_add(c, MIXDOWN_DIFF_CHANGED, strip, " ", what, NULL, NULL, NULL,
				     !la->follow.on	? "follower added"
				     : !lb->follow.on ? "follower removed"
						      : "follower changed");
	}
	for (size_t j = 0; j < a->n_lanes; j++) {
		bool kept = false;
		for (size_t k = 0; k < b->n_lanes && !kept; k++)
			kept = !strcmp(a->lanes[j].path, b->lanes[k].path);
		if (!kept) {
			snprintf(what, sizeof what, "automation %s", a->lanes[j].path);
			mxd_diff_add(c, MIXDOWN_DIFF_REMOVED, strip, " ", what, NULL, NULL, NULL, NULL);
		}
	}
}
