/* mixdown — comped tracks: `takes:`, `comp:` and `crossfade:` of a track become ordinary clips.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every take file starts at its `at` on the timeline (default 0 s), so all
 * takes share the timeline. Each `comp:` range { take, from, to } (timeline
 * seconds or bar:beat, sorted, not overlapping, inside its take) becomes one
 * clip of its take. Where one range ends exactly where the next one starts
 * (a join), both clips are extended so that an equal-power crossfade of
 * `crossfade` ms (default 10) is centred on the join: the outgoing clip runs
 * on for the second half with an equal_power fade-out, the incoming one
 * starts the first half earlier with an equal_power fade-in. Joins are placed
 * on whole frames of the session rate (the first take's rate when the
 * session gives none), so a comp is sample-accurate. Free range edges (the
 * start, the end, either side of a gap) are hard cuts; a gap is silence.
 * The engine needs no change: it only sees clips. Control thread (parser).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "session/parse_internal.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const take_keys[] = { "name", "file", "at" };
static const char *const range_keys[] = { "take", "from", "to" };

static mixdown_status read_takes(mxd_pctx *c, const mxy_node *list, mxd_strip *st)
{
	PX_TRY(px_check_list(c, list, NULL));
	if (mxy_is_null(list) || list->n == 0)
		return px_fail(c, MIXDOWN_ERR_SESSION, list->loc, "expected a list of at least one take");
	if (!(st->takes = calloc(list->n, sizeof *st->takes)))
		return px_nomem(c);
	for (size_t i = 0; i < list->n; i++) {
		const mxy_node *m = list->items[i], *v;
		mxd_take *t = &st->takes[i];
		size_t old = px_index(c, i);
		PX_TRY(px_check_map(c, m, "a take with `name:` and `file:`", take_keys, N(take_keys)));
		st->n_takes = i + 1;
		t->loc = m->loc;
		PX_TRY(px_require(c, m, "name", &v));
		size_t o2 = px_key(c, "name");
		PX_TRY(px_string(c, v, &t->name));
		if (!t->name[0])
			return px_fail(c, MIXDOWN_ERR_SESSION, v->loc, "expected a take name, got an empty string");
		for (size_t j = 0; j < i; j++)
			if (strcmp(st->takes[j].name, t->name) == 0)
				return px_fail(c, MIXDOWN_ERR_SESSION, v->loc,
						"duplicate take name \"%s\" (also takes[%zu])",
					       t->name, j);
		px_pop(c, o2);
		PX_TRY(px_require(c, m, "file", &v));
		o2 = px_key(c, "file");
		SF_INFO info;
		PX_TRY(px_audio_file(c, v, &t->file_written, &t->file, &info));
		t->file_rate = info.samplerate;
		t->file_frames = info.frames;
		t->file_channels = (uint32_t)info.channels;
		px_pop(c, o2);
		PX_TRY(px_opt_time(c, m, "at", &t->at));
		px_pop(c, old);
	}
	return MIXDOWN_SUCCESS;
}

static size_t find_take(const mxd_strip *st, const char *name)
{
	for (size_t i = 0; i < st->n_takes; i++)
		if (strcmp(st->takes[i].name, name) == 0)
			return i;
	return SIZE_MAX;
}

static mixdown_status read_comp(mxd_pctx *c, const mxy_node *list, mxd_strip *st)
{
	char a[32], b[32], c1[32];
	PX_TRY(px_check_list(c, list, NULL));
	if (mxy_is_null(list) || list->n == 0)
		return px_fail(c, MIXDOWN_ERR_SESSION, list->loc, "expected a list of at least one range");
	if (!(st->comp = calloc(list->n, sizeof *st->comp)))
		return px_nomem(c);
	for (size_t i = 0; i < list->n; i++) {
		const mxy_node *m = list->items[i], *tv, *fv, *ev;
		mxd_comp_range *r = &st->comp[i];
		size_t old = px_index(c, i);
		PX_TRY(px_check_map(c, m, "a range with `take:`, `from:` and `to:`", range_keys, N(range_keys)));
		r->loc = m->loc;
		PX_TRY(px_require(c, m, "take", &tv));
		PX_TRY(px_require(c, m, "from", &fv));
		PX_TRY(px_require(c, m, "to", &ev));
		size_t o2 = px_key(c, "take");
		char *name = NULL;
		PX_TRY(px_string(c, tv, &name));
		r->take = find_take(st, name);
		if (r->take == SIZE_MAX) {
			char list_s[256] = "";
			for (size_t k = 0; k < st->n_takes; k++)
				snprintf(list_s + strlen(list_s), sizeof list_s - strlen(list_s), "%s%s", k ? ", " : "",
					 st->takes[k].name);
			mixdown_status e = px_fail(c, MIXDOWN_ERR_SESSION, tv->loc, "unknown take \"%s\" (takes: %s)",
					name,
						   list_s);
			free(name);
			return e;
		}
		free(name);
		px_pop(c, o2);
		o2 = px_key(c, "from");
		PX_TRY(px_time(c, fv, &r->from));
		if (i > 0 && r->from < st->comp[i - 1].to - 1e-9)
			return px_fail(c, MIXDOWN_ERR_SESSION, fv->loc,
				       "range starts at %s s, before the previous range ends (%s s): ranges must be "
				       "sorted and must not overlap",
				       px_num(r->from, a, sizeof a), px_num(st->comp[i - 1].to, b, sizeof b));
		px_pop(c, o2);
		o2 = px_key(c, "to");
		PX_TRY(px_time(c, ev, &r->to));
		if (r->to <= r->from)
			return px_fail(c, MIXDOWN_ERR_SESSION, ev->loc,
					"range ends at %s s, not after its start (%s s)",
				       px_num(r->to, a, sizeof a), px_num(r->from, b, sizeof b));
		px_pop(c, o2);
		const mxd_take *t = &st->takes[r->take];
		double end = t->at + (double)t->file_frames / t->file_rate;
		if (r->from < t->at - 1e-9 || r->to > end + 1e-9) {
			bool early = r->from < t->at - 1e-9;
			px_key(c, early ? "from" : "to");
			return px_fail(c, MIXDOWN_ERR_SESSION, early ? fv->loc : ev->loc,
				       "range %s-%s s is outside take %s ('%s' covers %s-%s s on the timeline)",
				       px_num(r->from, a, sizeof a), px_num(r->to, b, sizeof b), t->name,
				       		t->file_written,
				       px_num(t->at, c1, sizeof c1), px_num(end, (char[32]){ 0 }, 32));
		}
		st->n_comp = i + 1;
		px_pop(c, old);
	}
	return MIXDOWN_SUCCESS;
}

/* The clips of the comp (see the top of the file). `list` is the `comp:`
 * node (for error positions), or NULL when the comp was defaulted. */
static mixdown_status make_clips(mxd_pctx *c, const mxy_node *list, mxd_strip *st)
{
	double rate = c->s->sample_rate > 0 ? c->s->sample_rate : st->takes[0].file_rate;
	int64_t x = llround(st->comp_crossfade * rate), h = x / 2;
	if (!(st->clips = calloc(st->n_comp, sizeof *st->clips)))
		return px_nomem(c);
	char a[32], b[32];
	for (size_t i = 0; i < st->n_comp; i++) {
		const mxd_comp_range *r = &st->comp[i];
		const mxd_take *t = &st->takes[r->take];
		int64_t f = llround(r->from * rate), e = llround(r->to * rate);
		bool jp = i > 0 && llround(st->comp[i - 1].to * rate) == f && x > 0;
		bool jn = i + 1 < st->n_comp && llround(st->comp[i + 1].from * rate) == e && x > 0;
		int64_t s0 = jp ? f - h : f, s1 = jn ? e - h + x : e;
		int64_t t0 = llround(t->at * rate);
		int64_t t1 = t0 + (int64_t)floor((double)t->file_frames * rate / t->file_rate + 1e-9);
		size_t old = list ? px_index(c, i) : c->plen;
		mxd_loc loc = r->loc;
		if ((jp || jn) && e - f < x)
			return px_fail(c, MIXDOWN_ERR_SESSION, loc,
					"range %s-%s s is shorter than the crossfade (%s ms)",
				       px_num(r->from, a, sizeof a), px_num(r->to, b, sizeof b),
				       px_num(st->comp_crossfade * 1000.0, (char[32]){ 0 }, 32));
		if (s0 < t0 || s1 > t1)
			return px_fail(c, MIXDOWN_ERR_SESSION, loc,
				       "the crossfade at %s s needs %s ms of take %s %s the range, past the end "
				       "of '%s'",
				       px_num((s0 < t0 ? r->from : r->to), a, sizeof a),
				       px_num(st->comp_crossfade * 500.0, b, sizeof b), t->name,
				       s0 < t0 ? "before" : "after", t->file_written);
		if (list)
			px_pop(c, old);
		mxd_clip *cl = &st->clips[i];
		if (!(cl->file = strdup(t->file)) || !(cl->file_written = strdup(t->file_written)))
			return px_nomem(c);
		st->n_clips = i + 1;
		cl->at = (double)s0 / rate;
		cl->offset = (double)(s0 - t0) / rate;
		cl->length = (double)(s1 - s0) / rate;
		cl->fade_in = jp ? (double)x / rate : 0.0;
		cl->fade_out = jn ? (double)x / rate : 0.0;
		cl->fade_in_curve = cl->fade_out_curve = MXD_FADE_EQUAL_POWER;
		cl->file_rate = t->file_rate;
		cl->file_frames = t->file_frames;
		cl->file_channels = t->file_channels;
		cl->loc = loc;
	}
	return MIXDOWN_SUCCESS;
}

mixdown_status px_takes(mxd_pctx *c, const mxy_node *m, mxd_strip *st)
{
	const mxy_node *tk, *takes = mxy_get(m, "takes", &tk);
	const mxy_node *ck, *comp = mxy_get(m, "comp", &ck);
	const mxy_node *xk, *xf = mxy_get(m, "crossfade", &xk);
	if (!takes) {
		if (comp || xf) {
			px_key(c, comp ? "comp" : "crossfade");
			return px_fail(c, MIXDOWN_ERR_SESSION, comp ? ck->loc : xk->loc, "`%s:` needs `takes:`",
				       comp ? "comp" : "crossfade");
		}
		return MIXDOWN_SUCCESS;
	}
	const char *other = mxy_get(m, "file", NULL) ? "file" : mxy_get(m, "clips", NULL) ? "clips"
								: mxy_get(m, "input", NULL) ? "input" : NULL;
	if (other) {
		px_key(c, "takes");
		return px_fail(c, MIXDOWN_ERR_SESSION, tk->loc, "a track has either `takes:` or `%s:`, not both",
				other);
	}
	size_t old = px_key(c, "takes");
	PX_TRY(read_takes(c, takes, st));
	px_pop(c, old);
	st->comp_crossfade = 0.010;
	if (xf) {
		old = px_key(c, "crossfade");
		double ms = 0;
		PX_TRY(px_number(c, xf, "ms", 0, 1000, false, &ms));
		st->comp_crossfade = ms / 1000.0;
		px_pop(c, old);
	}
	old = px_key(c, "comp");
	if (comp) {
		PX_TRY(read_comp(c, comp, st));
	} else {
		/* No comp yet: the whole first take. */
		if (!(st->comp = calloc(1, sizeof *st->comp)))
			return px_nomem(c);
		st->n_comp = 1;
		const mxd_take *t0 = &st->takes[0];
		st->comp[0] = (mxd_comp_range){ 0, t0->at, t0->at + (double)t0->file_frames / t0->file_rate, t0->loc };
	}
	PX_TRY(make_clips(c, comp, st));
	px_pop(c, old);
	return MIXDOWN_SUCCESS;
}
