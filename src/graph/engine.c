/* mixdown — the mix engine: builds the graph of a session (strips, inserts,
 * sends, plugin-delay compensation) and runs it block by block.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Per block, in routing order, every strip: takes its input (clips for a
 * track, the summed contributions of its sources for a bus or the master),
 * inverts polarity if asked, evaluates its automation lanes, runs its inserts
 * (with their sidechain keys, see insert_slot.h), applies the channel matrix
 * (pan/balance/width), taps pre-fader sends, applies the fader, and adds its
 * output and post-fader sends into their destinations. Every contribution into a
 * summing point passes a compensation delay so that all paths arrive with the
 * same latency (PDC). Summing is at unity gain; nothing is normalized.
 *
 * Allocation happens in mixdown_engine_create() only; run_block() and what it
 * calls (except clip reading, which is file I/O by nature) allocate nothing.
 * A real-time host replaces clip reading with its own track source (engine.h:
 * mxd_engine_set_track_source), which makes the whole run real-time safe.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/simd_clone.h"
#include "graph/engine.h"
#include "graph/engine_internal.h"
#include "graph/engine_pipeline.h"
#include "graph/engine_prefetch.h"
#include "graph/engine_threads.h"
#include "graph/strip_batch.h"
#include "graph/strip_binaural.h"
#include "spatial/layout.h"
#include "spatial/vbap.h"

#define MXD_LFE_HZ 120.0 /* LFE low-pass crossover (docs/spatial.md) */

/* ---------------------------------------------------------------- helpers */

static float *alloc_buf(uint32_t n)
{
	return calloc(n ? n : 1, sizeof(float));
}

static int pdc_init(pdc_line *l, uint32_t channels, uint32_t delay)
{
	memset(l, 0, sizeof *l);
	l->channels = channels;
	l->delay = delay;
	for (uint32_t c = 0; delay && c < channels; c++)
		if (mxd_delay_alloc(&l->line[c], delay) != 0)
			return -1;
	return 0;
}

static void pdc_free(pdc_line *l)
{
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		mxd_delay_free(&l->line[c]);
}

/* out = in delayed by l->delay frames (in place allowed). */
static void pdc_process(pdc_line *l, float *const *in, float *const *out, uint32_t n)
{
	for (uint32_t c = 0; c < l->channels; c++) {
		if (out[c] != in[c])
			memcpy(out[c], in[c], n * sizeof(float));
		if (l->delay)
			mxd_delay_process(&l->line[c], out[c], n, l->delay);
	}
}

/* ------------------------------------------------------------------ build */

static uint32_t track_channels(const mxd_strip *st)
{
	uint32_t ch = st->n_inputs ? st->n_inputs : 1; /* a live track: one channel per input */
	for (size_t i = 0; i < st->n_clips; i++)
		if (st->clips[i].file_channels > ch)
			ch = st->clips[i].file_channels;
	return ch;
}

/* The layout's panner and the LFE low-pass (docs/spatial.md). The layout is
 * `layout:`, else the one the channel count implies; the LFE channel is
 * low-passed with an explicit layout or when a strip sends to it (a
 * discrete `channels: 6` session without sends stays untouched). */
static mixdown_status init_spatial(mixdown_engine *e, mixdown_error *err)
{
	const mxd_session *s = e->s;
	const mxd_layout *lay = s->layout ? s->layout : mxd_layout_for_channels(e->channels);
	e->lfe = -1;
	if (!lay || lay->channels != e->channels)
		return MIXDOWN_SUCCESS;
	if (!(e->vbap = malloc(sizeof *e->vbap)))
		return MIXDOWN_ERR_NOMEM;
	if (mxd_vbap_init(e->vbap, lay) != 0)
		return mxd_fail(err, MIXDOWN_ERR_INTERNAL, s->path, (mxd_loc){ 0, 0 }, "layout",
				"cannot triangulate layout %s", lay->name);
	bool sends = false;
	for (size_t k = 0; k < e->n_nodes; k++) {
		const mxd_strip *st = e->routing.strips[k];
		sends |= st->lfe_db > -144.0;
		for (size_t l = 0; l < st->n_lanes; l++)
			sends |= st->lanes[l].target == MXD_TARGET_LFE;
	}
	if (lay->lfe >= 0 && (s->layout || sends)) {
		/* Linkwitz-Riley: two cascaded 2nd-order Butterworth sections, -6 dB at
		 * the crossover (S. Linkwitz, "Active crossover networks for
		 * non-coincident drivers", JAES 24(1), 1976). */
		mxd_bq_cascade bw;
		mxd_butterworth_design(&bw, false, e->rate, MXD_LFE_HZ, 2);
		e->lfe_lp.sec[0] = e->lfe_lp.sec[1] = bw.sec[0];
		e->lfe_lp.n = 2;
		e->lfe = lay->lfe;
	}
	return MIXDOWN_SUCCESS;
}

static mixdown_status build_node(mixdown_engine *e, size_t i, mixdown_error *err)
{
	node_rt *nd = &e->nodes[i];
	const mxd_strip *st = e->routing.strips[i];
	nd->strip = st;
	nd->out_ch = e->channels;
	nd->in_ch = st->kind == MXD_STRIP_TRACK ? track_channels(st) : e->channels;
	for (uint32_t c = 0; c < nd->in_ch; c++)
		if (!(nd->in[c] = alloc_buf(e->max_block)))
			return MIXDOWN_ERR_NOMEM;
	for (uint32_t c = 0; c < nd->out_ch; c++)
		if (!(nd->out[c] = alloc_buf(e->max_block)))
			return MIXDOWN_ERR_NOMEM;
	for (size_t k = 0; k < st->n_sends; k++)
		nd->has_pre |= st->sends[k].pre_fader;
	if (nd->has_pre)
		for (uint32_t c = 0; c < nd->out_ch; c++)
			if (!(nd->pre[c] = alloc_buf(e->max_block)))
				return MIXDOWN_ERR_NOMEM;

	nd->slots = calloc(st->n_inserts ? st->n_inserts : 1, sizeof *nd->slots);
	nd->key_of = calloc(st->n_inserts ? st->n_inserts : 1, sizeof *nd->key_of);
	if (!nd->slots || !nd->key_of)
		return MIXDOWN_ERR_NOMEM;
	nd->n_slots = st->n_inserts;
	for (size_t k = 0; k < st->n_inserts; k++) {
		const mxd_insert *ins = &st->inserts[k];
		bool bypass_moves = false;
		for (size_t l = 0; l < st->n_lanes; l++)
			bypass_moves |= st->lanes[l].target == MXD_TARGET_BYPASS && st->lanes[l].index == k;
		if (ins->bypass && !bypass_moves)
			continue;
		char why[256] = "";
		if (mxd_insert_slot_init(&nd->slots[k], ins, e->rate, e->max_block, nd->in_ch, bypass_moves, why,
					 sizeof why) != 0)
			return mxd_fail(err, ins->files ? MIXDOWN_ERR_AUDIO : MIXDOWN_ERR_INTERNAL, e->s->path, ins->loc,
					"inserts", "processor \"%s\" on \"%s\" failed to start: %s", ins->cls->name,
					st->name, why);
		nd->own_latency += nd->slots[k].latency;
	}

	if (mxd_strip_auto_init(&nd->autom, st, e->rate, e->max_block, nd->in_ch, nd->out_ch) != 0)
		return MIXDOWN_ERR_NOMEM;
	nd->autom.vbap = e->vbap;
	mxd_pan_params pp;
	mxd_strip_auto_params(&nd->autom, -1, &pp);
	mxd_pan_matrix_build_spatial(&nd->pan, e->vbap, nd->in_ch, nd->out_ch, &pp);
	nd->on = e->routing.audible[i] ? 1.0 : 0.0;
	bool on = e->routing.audible[i] && !st->mute;
	mxd_smooth_init(&nd->fader, e->rate, SMOOTH_MS, on ? mxd_db_to_gain(st->gain_db) : 0.0);
	mxd_smooth_init(&nd->pre_gain, e->rate, SMOOTH_MS, on ? 1.0 : 0.0);
	nd->live_gain_db = st->gain_db;
	nd->live_mute = st->mute;

	if (st->kind == MXD_STRIP_TRACK) {
		nd->clips = calloc(st->n_clips ? st->n_clips : 1, sizeof *nd->clips);
		if (!nd->clips)
			return MIXDOWN_ERR_NOMEM;
		nd->n_clips = st->n_clips;
		for (size_t k = 0; k < st->n_clips; k++)
			mxd_clip_player_init(&nd->clips[k], &st->clips[k], e->rate, e->max_block);
	}
	return MIXDOWN_SUCCESS;
}

/* Latency added by the inserts before insert k of a node. */
static uint32_t prefix_latency(const node_rt *nd, size_t k)
{
	uint32_t sum = 0;
	for (size_t j = 0; j < k; j++)
		sum += nd->slots[j].latency;
	return sum;
}

/* Latency of every node's output and the compensation delay of every edge:
 * a summing point waits for its latest input, earlier inputs are delayed. A
 * sidechain must reach its insert together with the audio that insert sees,
 * so a late key delays the strip's input instead. */
static mixdown_status compute_pdc(mixdown_engine *e)
{
	for (size_t k = 0; k < e->n_nodes; k++) {
		size_t i = e->routing.order[k];
		node_rt *nd = &e->nodes[i];
		int64_t arrival = 0;
		for (size_t j = 0; j < e->n_edges; j++) {
			const edge_rt *ed = &e->edges[j];
			if (ed->dst != i || ed->follow)
				continue; /* a follower's small lag is not compensated */
			int64_t t = e->nodes[ed->src].latency_out;
			if (ed->key)
				t -= prefix_latency(nd, ed->key_insert);
			if (t > arrival)
				arrival = t;
		}
		for (size_t j = 0; j < e->n_edges; j++) {
			edge_rt *ed = &e->edges[j];
			if (ed->dst != i || ed->follow)
				continue;
			const node_rt *src = &e->nodes[ed->src];
			int64_t delay = arrival - src->latency_out;
			uint32_t ch = e->channels;
			if (ed->key) {
				delay += prefix_latency(nd, ed->key_insert);
				ch = src->in_ch;
				for (uint32_t c = 0; c < ch; c++)
					if (!(ed->key_buf[c] = alloc_buf(e->max_block)))
						return MIXDOWN_ERR_NOMEM;
				nd->key_of[ed->key_insert] = ed;
			}
			if (pdc_init(&ed->pdc, ch, (uint32_t)delay) != 0)
				return MIXDOWN_ERR_NOMEM;
		}
		nd->latency_out = (uint32_t)arrival + nd->own_latency;
	}
	e->latency = e->nodes[e->n_nodes - 1].latency_out;
	return MIXDOWN_SUCCESS;
}

static void compute_range(mixdown_engine *e, double start_s, double end_s)
{
	const mxd_session *s = e->s;
	e->start = llround(start_s * e->rate);
	int64_t end = 0;
	if (end_s >= 0) {
		end = llround(end_s * e->rate);
	} else {
		for (size_t i = 0; i < e->n_nodes; i++)
			for (size_t k = 0; k < e->nodes[i].n_clips; k++) {
				const mxd_clip_player *p = &e->nodes[i].clips[k];
				if (p->start + p->length > end)
					end = p->start + p->length;
			}
		end += llround(s->tail * e->rate);
	}
	e->length = end > e->start ? end - e->start : 0;
	/* Start at the timeline's beginning and run up to the range silently:
	 * reverb tails, compressor envelopes and followers then enter the range
	 * exactly as they would in a full render. */
	e->t = 0;
	e->preroll_left = e->latency + e->start;
}

void mxd_engine_set_range(mixdown_engine *e, double start_s, double end_s)
{
	compute_range(e, start_s, end_s);
}

mixdown_status mixdown_engine_create(const mixdown_session *session, uint32_t max_block,
				     mixdown_engine **out, mixdown_error *err)
{
	*out = NULL;
	if (!session || max_block == 0 || max_block > 65536)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL,
				"max_block must be 1..65536");
	mixdown_engine *e = calloc(1, sizeof *e);
	if (!e)
		return MIXDOWN_ERR_NOMEM;
	e->s = session;
	e->rate = session->sample_rate;
	e->channels = session->channels;
	e->max_block = max_block;
	mixdown_status st = mxd_routing_build(session, &e->routing, err);
	if (st != MIXDOWN_SUCCESS) {
		free(e);
		return st;
	}
	e->n_nodes = e->routing.n_nodes;
	e->n_edges = e->routing.n_edges;
	e->nodes = calloc(e->n_nodes, sizeof *e->nodes);
	e->edges = calloc(e->n_edges ? e->n_edges : 1, sizeof *e->edges);
	if (!e->nodes || !e->edges) {
		mixdown_engine_free(e);
		return MIXDOWN_ERR_NOMEM;
	}
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		if (!(e->scratch[c] = alloc_buf(max_block)) || !(e->tmp[c] = alloc_buf(max_block))) {
			mixdown_engine_free(e);
			return MIXDOWN_ERR_NOMEM;
		}
	if (!(e->send_gain = calloc(max_block, sizeof *e->send_gain))) {
		mixdown_engine_free(e);
		return MIXDOWN_ERR_NOMEM;
	}
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++) { /* the calling thread's node scratch */
		e->ws.scratch[c] = e->scratch[c];
		e->ws.tmp[c] = e->tmp[c];
	}
	e->ws.send_gain = e->send_gain;
	if ((st = init_spatial(e, err)) != MIXDOWN_SUCCESS) {
		mixdown_engine_free(e);
		return st;
	}
	for (size_t i = 0; i < e->n_nodes; i++)
		if ((st = build_node(e, i, err)) != MIXDOWN_SUCCESS) {
			mixdown_engine_free(e);
			return st;
		}
	/* Hook: `layout: binaural` object tracks through the HRTF (strip_binaural.h). */
	if ((st = mxd_strip_binaural_create(e, &e->binaural, err)) != MIXDOWN_SUCCESS) {
		mixdown_engine_free(e);
		return st;
	}
	for (size_t j = 0; j < e->n_edges; j++) {
		const mxd_edge *re = &e->routing.edges[j];
		edge_rt *ed = &e->edges[j];
		ed->src = re->src;
		ed->dst = re->dst;
		ed->send = re->send;
		ed->key = re->key;
		ed->key_insert = re->key_insert;
		ed->follow = re->follow;
		ed->level_lane = -1;
		if (re->send)
			ed->level_lane = mxd_strip_auto_find(&e->nodes[re->src].autom, MXD_TARGET_SEND,
							     (size_t)(re->send - e->routing.strips[re->src]->sends));
		if (re->follow) {
			node_rt *dst = &e->nodes[re->dst];
			size_t lane = (size_t)(re->follow - dst->strip->lanes);
			mxd_strip_auto_follow(&dst->autom, lane, (const float *const *)e->nodes[re->src].in,
					      e->nodes[re->src].in_ch);
		}
		mxd_smooth_init(&ed->level, e->rate, SMOOTH_MS, re->send ? mxd_db_to_gain(re->send->level_db) : 1.0);
	}
	if ((st = compute_pdc(e)) != MIXDOWN_SUCCESS) {
		mixdown_engine_free(e);
		return st;
	}
	compute_range(e, session->range_start, session->range_end);
	e->batch = mxd_strip_batch_create(e); /* NULL: nothing to batch */
	e->prefetch = mxd_prefetch_create(e); /* NULL: clips are read inline */
	*out = e;
	return MIXDOWN_SUCCESS;
}

void mixdown_engine_free(mixdown_engine *e)
{
	if (!e)
		return;
	mxd_prefetch_free(e->prefetch); /* first: its worker may be reading clips */
	mxd_pipeline_free(e->pipeline); /* joins the master's worker (engine_pipeline.h) */
	mxd_threads_free(e->threads);   /* joins the processing workers (engine_threads.h) */
	free(e->vbap);
	mxd_strip_binaural_free(e->binaural);
	for (size_t i = 0; e->nodes && i < e->n_nodes; i++) {
		node_rt *nd = &e->nodes[i];
		for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++) {
			free(nd->in[c]);
			free(nd->out[c]);
			free(nd->pre[c]);
			free(nd->tap[c]);
		}
		for (size_t k = 0; nd->slots && k < nd->n_slots; k++)
			mxd_insert_slot_free(&nd->slots[k]);
		mxd_strip_auto_free(&nd->autom);
		free(nd->slots);
		free(nd->key_of);
		for (size_t k = 0; k < nd->n_clips; k++)
			mxd_clip_player_close(&nd->clips[k]);
		free(nd->clips);
		pdc_free(&nd->tap_line);
	}
	for (size_t j = 0; e->edges && j < e->n_edges; j++) {
		pdc_free(&e->edges[j].pdc);
		for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
			free(e->edges[j].key_buf[c]);
	}
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++) {
		free(e->scratch[c]);
		free(e->tmp[c]);
	}
	free(e->send_gain);
	mxd_strip_batch_free(e->batch);
	free(e->nodes);
	free(e->edges);
	mxd_routing_free(&e->routing);
	free(e);
}

uint32_t mixdown_engine_channels(const mixdown_engine *e) { return e->channels; }
double mixdown_engine_sample_rate(const mixdown_engine *e) { return e->rate; }
uint64_t mixdown_engine_length(const mixdown_engine *e) { return (uint64_t)e->length; }
uint32_t mixdown_engine_latency(const mixdown_engine *e) { return e->latency; }

uint64_t mxd_engine_input_nonfinite(const mixdown_engine *e)
{
	uint64_t n = e->nonfinite;
	mxd_prefetch_idle(e->prefetch); /* the clip players' counters are stable */
	for (size_t i = 0; i < e->n_nodes; i++) {
		for (size_t k = 0; k < e->nodes[i].n_clips; k++)
			n += e->nodes[i].clips[k].nonfinite;
		for (size_t k = 0; k < e->nodes[i].n_slots; k++)
			n += e->nodes[i].slots[k].nonfinite;
	}
	return n;
}

mixdown_status mxd_engine_enable_tap(mixdown_engine *e, size_t node)
{
	if (node + 1 >= e->n_nodes)
		return MIXDOWN_ERR_USAGE;
	node_rt *nd = &e->nodes[node];
	if (nd->tap_enabled)
		return MIXDOWN_SUCCESS;
	for (uint32_t c = 0; c < nd->out_ch; c++)
		if (!(nd->tap[c] = alloc_buf(e->max_block)))
			return MIXDOWN_ERR_NOMEM;
	if (pdc_init(&nd->tap_line, nd->out_ch, e->latency - nd->latency_out) != 0)
		return MIXDOWN_ERR_NOMEM;
	nd->tap_enabled = true;
	return MIXDOWN_SUCCESS;
}

const float *const *mxd_engine_tap(const mixdown_engine *e, size_t node)
{
	return (const float *const *)e->nodes[node].tap;
}

/* -------------------------------------------------------------------- run */

/* dst->in += src * level, through the edge's compensation delay. */
/* d += s: the summing of every edge. */
MXD_CLONES static void add_into(float *restrict d, const float *restrict s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		d[i] += s[i];
}

void mxd_engine_feed_edge(mixdown_engine *e, mxd_node_scratch *ws, edge_rt *ed, uint32_t n)
{
	node_rt *dst = &e->nodes[ed->dst], *sn = &e->nodes[ed->src];
	/* The pipelined master's input is staged while it runs the last block. */
	float *const *din = e->master_deferred && ed->dst == e->n_nodes - 1 ? mxd_pipeline_stage(e->pipeline) : dst->in;
	float *const *src = ed->send && ed->send->pre_fader ? sn->pre : sn->out;
	float *const *x = src;
	bool plain = ed->level_lane < 0 && mxd_smooth_settled(&ed->level) && ed->level.cur == 1.0 &&
		     ed->pdc.delay == 0;
	if (!plain) {
		for (uint32_t c = 0; c < dst->in_ch; c++)
			memcpy(ws->tmp[c], src[c], n * sizeof(float));
		if (ed->level_lane >= 0) {
			/* Automated send level: per sample, exact at breakpoints. */
			const double *db = e->nodes[ed->src].autom.vals[ed->level_lane];
			for (uint32_t i = 0; i < n; i++)
				ws->send_gain[i] = db[i] <= -144.0 ? 0.0 : pow(10.0, db[i] / 20.0);
			for (uint32_t c = 0; c < dst->in_ch; c++)
				for (uint32_t i = 0; i < n; i++)
					ws->tmp[c][i] = (float)(ws->tmp[c][i] * ws->send_gain[i]);
		} else {
			mxd_smooth_apply_gain(&ed->level, ws->tmp, dst->in_ch, n);
		}
		pdc_process(&ed->pdc, ws->tmp, ws->tmp, n);
		x = ws->tmp;
	}
	for (uint32_t c = 0; c < dst->in_ch; c++)
		add_into(din[c], x[c], n);
}

static void apply_gains(float *const *x, uint32_t ch, const double *g, uint32_t n)
{
	for (uint32_t c = 0; c < ch; c++)
		for (uint32_t i = 0; i < n; i++)
			x[c][i] = (float)(x[c][i] * g[i]);
}

/* A node's inserts over frames [from, from + m) of the block. */
static void run_slots(node_rt *nd, uint32_t from, uint32_t m)
{
	float *io[MXD_MAX_CHANNELS];
	for (uint32_t c = 0; c < nd->in_ch; c++)
		io[c] = nd->in[c] + from;
	for (size_t f = 0; f < nd->n_slots; f++) {
		const edge_rt *key = nd->key_of[f];
		if (key) {
			const float *k[MXD_MAX_CHANNELS];
			for (uint32_t c = 0; c < key->pdc.channels; c++)
				k[c] = key->key_buf[c] + from;
			mxd_insert_slot_run(&nd->slots[f], io, k, key->pdc.channels, m);
		} else {
			mxd_insert_slot_run(&nd->slots[f], io, NULL, 0, m);
		}
	}
}

/* Keys are aligned for the whole block first; automated insert parameters
 * are handed over every MXD_AUTO_SUB frames. */
static void run_inserts(mixdown_engine *e, node_rt *nd, uint32_t n)
{
	for (size_t f = 0; f < nd->n_slots; f++) {
		edge_rt *key = nd->key_of[f];
		if (key)
			pdc_process(&key->pdc, e->nodes[key->src].in, key->key_buf, n);
	}
	mxd_strip_auto *au = &nd->autom;
	if (!au->inserts_move) {
		run_slots(nd, 0, n);
		return;
	}
	for (uint32_t j = 0; j < n; j += MXD_AUTO_SUB) {
		uint32_t m = n - j < MXD_AUTO_SUB ? n - j : MXD_AUTO_SUB;
		for (size_t k = 0; k < au->n; k++) {
			const mxd_lane *ln = &nd->strip->lanes[k];
			mxd_insert_slot *slot = &nd->slots[ln->index];
			if (!slot->fx)
				continue;
			double v = au->vals[k][j];
			/* Only changes reach the processor: a set_param may redesign
			 * filters, which a held value must not cost. */
			if (ln->target == MXD_TARGET_INSERT && v != au->sent[k]) {
				slot->fx->cls->set_param(slot->fx, ln->slot, v);
				au->sent[k] = v;
			}
			else if (ln->target == MXD_TARGET_BYPASS && (v >= 0.5 ? 0.0 : slot->ins->mix) != slot->mix.target)
				mxd_smooth_set(&slot->mix, v >= 0.5 ? 0.0 : slot->ins->mix); /* 20 ms crossfade */
		}
		run_slots(nd, j, m);
	}
}

/* Fader x mute x solo on the output and mute x solo on the pre-fader tap:
 * per sample when automated, else the smoothed static gains. */
static void apply_fader(node_rt *nd, int64_t t, uint32_t n)
{
	mxd_strip_auto *au = &nd->autom;
	if (!au->fader_moves) {
		mxd_smooth_apply_gain(&nd->fader, nd->out, nd->out_ch, n);
		if (nd->has_pre)
			mxd_smooth_apply_gain(&nd->pre_gain, nd->pre, nd->out_ch, n);
		return;
	}
	mxd_strip_auto_fader(au, t, n, nd->on);
	if (au->gain_buf_r) {
		apply_gains(nd->out, 1, au->gain_buf, n);
		apply_gains(nd->out + 1, 1, au->gain_buf_r, n);
	} else {
		apply_gains(nd->out, nd->out_ch, au->gain_buf, n);
	}
	if (nd->has_pre)
		apply_gains(nd->pre, nd->out_ch, au->pre_buf, n);
}

mixdown_status mxd_engine_read_clips(mixdown_engine *e, node_rt *nd, int64_t t, uint32_t n, float *const *dst,
				     float *const *scratch, mixdown_error *err)
{
	(void)e;
	if (nd->n_clips == 1) { /* the usual track: its clip written straight into the block */
		mixdown_status rs = mxd_clip_player_write(&nd->clips[0], t, n, dst, nd->in_ch, scratch, err);
		if (rs != MIXDOWN_SUCCESS)
			return rs;
	} else {
		for (uint32_t c = 0; c < nd->in_ch; c++)
			memset(dst[c], 0, n * sizeof(float));
		for (size_t c = 0; c < nd->n_clips; c++) {
			mixdown_status rs = mxd_clip_player_mix(&nd->clips[c], t, n, dst, nd->in_ch, scratch, err);
			if (rs != MIXDOWN_SUCCESS)
				return rs;
		}
	}
	if (nd->strip->invert)
		for (uint32_t c = 0; c < nd->in_ch; c++)
			for (uint32_t j = 0; j < n; j++)
				dst[c][j] = -dst[c][j];
	return MIXDOWN_SUCCESS;
}

mixdown_status mxd_engine_read_track(mixdown_engine *e, node_rt *nd, uint32_t n, mixdown_error *err)
{
	mixdown_status st = mxd_engine_read_clips(e, nd, e->t, n, nd->in, e->scratch, err);
	nd->in_ready = st == MIXDOWN_SUCCESS;
	return st;
}

void mxd_engine_source_track(mixdown_engine *e, size_t i, uint32_t n)
{
	node_rt *nd = &e->nodes[i];
	e->source(e->source_user, i, e->t, n, nd->in, nd->in_ch);
	if (nd->strip->invert)
		for (uint32_t c = 0; c < nd->in_ch; c++)
			for (uint32_t j = 0; j < n; j++)
				nd->in[c][j] = -nd->in[c][j];
	nd->in_ready = true;
}

static mixdown_status run_block(mixdown_engine *e, uint32_t n, mixdown_error *err)
{
	const size_t master = e->n_nodes - 1;
	for (size_t i = 0; i < e->n_nodes; i++)
		if (e->nodes[i].strip->kind != MXD_STRIP_TRACK) {
			float *const *in = e->master_deferred && i == master ? mxd_pipeline_stage(e->pipeline)
									     : e->nodes[i].in;
			for (uint32_t c = 0; c < e->nodes[i].in_ch; c++)
				memset(in[c], 0, n * sizeof(float));
		}
	/* Offline, the tracks' clips were read ahead (engine_prefetch.h; not
	 * with a host's track source). Tracks with the same insert layout run
	 * first, together (strip_batch.h): offline and in real time, where a
	 * strip whose inserts change live leaves the batch for that block. */
	if (e->prefetch && !e->source) {
		mixdown_status rs = mxd_prefetch_tracks(e, e->prefetch, n, err);
		if (rs != MIXDOWN_SUCCESS)
			return rs;
	}
	if (e->batch) {
		mixdown_status rs = mxd_strip_batch_run(e, e->batch, n, err);
		if (rs != MIXDOWN_SUCCESS)
			return rs;
	}
	if (e->threads) { /* several cores: the same nodes, in dependency order (engine_threads.h) */
		mixdown_status rs = mxd_threads_run(e->threads, n, err);
		if (rs != MIXDOWN_SUCCESS)
			return rs;
		e->t += n;
		return MIXDOWN_SUCCESS;
	}
	for (size_t k = 0; k < e->n_nodes; k++) {
		size_t i = e->routing.order[k];
		if (e->master_deferred && i == master)
			continue; /* engine_pipeline.c runs it */
		mixdown_status rs = mxd_engine_run_node(e, &e->ws, i, n, err);
		if (rs != MIXDOWN_SUCCESS)
			return rs;
		for (size_t j = 0; j < e->n_edges; j++) {
			edge_rt *ed = &e->edges[j];
			if (ed->src == i && !ed->key && !ed->follow)
				mxd_engine_feed_edge(e, &e->ws, ed, n);
		}
	}
	e->t += n;
	return MIXDOWN_SUCCESS;
}

/* One node's block once its inputs are summed: input, automation, inserts,
 * matrix, fader, tap and meter; everything but feeding its destinations. */
bool mxd_engine_pan_fader_plain(const mixdown_engine *e, const node_rt *nd)
{
	return !e->binaural && nd->autom.n == 0 && !nd->pan_pending && !nd->has_pre && mxd_smooth_settled(&nd->fader);
}

mixdown_status mxd_engine_run_node(mixdown_engine *e, mxd_node_scratch *ws, size_t i, uint32_t n, mixdown_error *err)
{
	return mxd_engine_run_node_at(e, ws, i, e->t, n, err);
}

mixdown_status mxd_engine_run_node_at(mixdown_engine *e, mxd_node_scratch *ws, size_t i, int64_t t, uint32_t n,
				      mixdown_error *err)
{
	node_rt *nd = &e->nodes[i];
	const mxd_strip *st = nd->strip;
	if (nd->in_ready) {
		/* read (and maybe processed) by strip_batch.c */
	} else if (st->kind == MXD_STRIP_TRACK && e->source) {
		mxd_engine_source_track(e, i, n);
	} else if (st->kind == MXD_STRIP_TRACK) {
		mixdown_status rs = mxd_engine_read_clips(e, nd, t, n, nd->in, ws->scratch, err);
		if (rs != MIXDOWN_SUCCESS)
			return rs;
	} else if (st->invert) {
		for (uint32_t c = 0; c < nd->in_ch; c++)
			for (uint32_t j = 0; j < n; j++)
				nd->in[c][j] = -nd->in[c][j];
	}
	mxd_strip_auto *au = &nd->autom;
	if (au->n)
		mxd_strip_auto_fill(au, t, n);
	if (!nd->inserts_done)
		run_inserts(e, nd, n);
	nd->in_ready = nd->inserts_done = false;
	bool fader_done = nd->out_done;
	nd->out_done = false;
	if (fader_done) {
		/* panned and faded by strip_batch.c, on whichever thread ran the group */
	} else if (mxd_strip_binaural_run(e->binaural, i, nd, n)) {
		/* hook: a binaural object track, panned by its HRTF renderer (strip_binaural.h) */
	} else if (au->matrix_moves) {
		mxd_strip_auto_matrix(au, &nd->pan, (const float *const *)nd->in, nd->out, n);
	} else if (nd->pan_pending) {
		mxd_pan_matrix_apply_ramp(&nd->pan, &nd->pan_to, (const float *const *)nd->in, nd->out, n);
		nd->pan = nd->pan_to;
		nd->pan_pending = false;
	} else if (!nd->has_pre && !au->fader_moves && mxd_smooth_settled(&nd->fader)) {
		/* pan and a settled fader in one pass (nothing taps between) */
		mxd_pan_matrix_apply_gain(&nd->pan, (const float *const *)nd->in, nd->out, n, nd->fader.cur);
		fader_done = true;
	} else
		mxd_pan_matrix_apply(&nd->pan, (const float *const *)nd->in, nd->out, n);
	if (nd->has_pre)
		for (uint32_t c = 0; c < nd->out_ch; c++)
			memcpy(nd->pre[c], nd->out[c], n * sizeof(float));
	if (!fader_done)
		apply_fader(nd, t, n);
	if (e->lfe >= 0 && i == e->n_nodes - 1) /* the master's LFE channel */
		mxd_bq_cascade_process(&e->lfe_lp, e->lfe_state, nd->out[e->lfe], n);
	if (nd->tap_enabled)
		pdc_process(&nd->tap_line, nd->out, nd->tap, n);
	if (e->metering)
		mxd_engine_meter_accumulate(nd, n);
	return MIXDOWN_SUCCESS;
}

/* The first process call runs the graph for its latency and drops that
 * output, so frame 0 of the output is frame 0 of the timeline. */
static mixdown_status run_preroll(mixdown_engine *e, mixdown_error *err)
{
	while (e->preroll_left > 0) {
		uint32_t m = e->preroll_left < e->max_block ? (uint32_t)e->preroll_left : e->max_block;
		mixdown_status st = run_block(e, m, err);
		if (st != MIXDOWN_SUCCESS)
			return st;
		e->preroll_left -= m;
	}
	return MIXDOWN_SUCCESS;
}

mixdown_status mixdown_engine_process(mixdown_engine *e, float *const *out, uint32_t n, mixdown_error *err)
{
	if (n > e->max_block)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL,
				"block of %u frames exceeds max_block %u", n, e->max_block);
	mixdown_status st = run_preroll(e, err);
	if (st == MIXDOWN_SUCCESS)
		st = run_block(e, n, err);
	if (st != MIXDOWN_SUCCESS)
		return st;
	node_rt *master = &e->nodes[e->n_nodes - 1];
	for (uint32_t c = 0; c < e->channels; c++)
		memcpy(out[c], master->out[c], n * sizeof(float));
	return MIXDOWN_SUCCESS;
}

mixdown_status mxd_engine_process_pipelined(mixdown_engine *e, float *const *out, uint32_t n, uint32_t *got,
					    mixdown_error *err)
{
	*got = 0;
	if (!e->pipeline || n > e->max_block)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL,
				"pipelined block of %u frames without a pipeline or over max_block %u", n, e->max_block);
	/* The latency's first blocks run whole, their output dropped; the
	 * pipeline starts after. */
	mixdown_status st = run_preroll(e, err);
	if (st != MIXDOWN_SUCCESS)
		return st;
	if (n == 0)
		return mxd_pipeline_collect(e->pipeline, out, got, err);
	const int64_t t = e->t;
	e->master_deferred = true;
	st = run_block(e, n, err); /* all but the master, while it runs the last block */
	e->master_deferred = false;
	if (st == MIXDOWN_SUCCESS)
		st = mxd_pipeline_collect(e->pipeline, out, got, err);
	if (st == MIXDOWN_SUCCESS)
		mxd_pipeline_submit(e->pipeline, t, n);
	return st;
}

/* ------------------------------------------------------- real-time hooks */

void mxd_engine_set_track_source(mixdown_engine *e, mxd_track_source_fn fn, void *user)
{
	e->source = fn;
	e->source_user = user;
}

uint32_t mxd_engine_node_channels(const mixdown_engine *e, size_t node)
{
	return node < e->n_nodes ? e->nodes[node].in_ch : 0;
}

void mxd_engine_locate(mixdown_engine *e, int64_t frame)
{
	/* The graph at frame t outputs timeline frame t - latency: run the
	 * latency silently again, as the first process call does. */
	e->t = frame > 0 ? frame : 0;
	e->preroll_left = e->latency;
	memset(e->lfe_state, 0, sizeof e->lfe_state); /* no LFE tail from before the jump */
	for (size_t i = 0; i < e->n_nodes; i++)
		e->nodes[i].autom.matrix_fresh = true;
}
