/* mixdown — batched insert processing across tracks (see strip_batch.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Per group and block: read every track's input, ask each processor for its
 * plain-case description (fx/fx_batch.h), gather coefficients and state into
 * lane arrays, run the chain SUB frames at a time (the biquads check their
 * state every 64 frames, as mxd_biquad_chain_process() does), then write the
 * state and the output back for every strip whose block stayed finite.
 * Sharing the groups between threads: strip_batch_share.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fx/fx_batch.h"
#include "graph/engine.h"
#include "graph/engine_internal.h"
#include "graph/strip_batch.h"
#include "graph/strip_batch_internal.h"

#define FLUSH_LEVEL 1e-30 /* as src/dsp/biquad.c */

#define KATTR
#define KSFX(name) name##_base
#include "graph/strip_batch_kernels.h"
#undef KATTR
#undef KSFX
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_AVX2_KERNELS 1
#define KATTR __attribute__((target("avx2"), unused)) /* the *_avx2i kernels replace these */
#define KSFX(name) name##_avx2
#include "graph/strip_batch_kernels.h"
#undef KATTR
#undef KSFX
#include "graph/strip_batch_avx2.h"
#endif

/* ------------------------------------------------------------------ build */

/* A slot whose next block is the processor alone: whole signal, mix settled
 * at 1, no key. A dry copy (keep_dry: live engines keep one for a later
 * bypass fade) is then only read while the mix moves or after a non-finite
 * block, both left to insert_slot.c; with no latency it carries nothing from
 * one block to the next, so the batch may leave it unwritten. */
static bool slot_plain(const node_rt *nd, size_t f)
{
	const mxd_insert_slot *sl = &nd->slots[f];
	return sl->mode == MXD_INSERT_ALL && (!sl->keep_dry || sl->latency == 0) && !nd->key_of[f] &&
	       mxd_smooth_settled(&sl->mix) && sl->mix.cur == 1.0 &&
	       (sl->fx->cls == &mxd_fx_eq_class || sl->fx->cls == &mxd_fx_compressor_class);
}

/* The layout of a track's chain now; false if it cannot be batched. */
static bool layout_of(const node_rt *nd, layout *lay)
{
	memset(lay, 0, sizeof *lay);
	lay->ch = nd->in_ch;
	if (nd->strip->kind != MXD_STRIP_TRACK || nd->autom.inserts_move)
		return false;
	for (size_t f = 0; f < nd->n_slots; f++) {
		if (!nd->slots[f].fx)
			continue; /* bypassed: never runs */
		if (!slot_plain(nd, f) || lay->n_ins == MAX_INS)
			return false;
		mxd_fx *fx = nd->slots[f].fx;
		uint32_t j = lay->n_ins++;
		if (fx->cls == &mxd_fx_eq_class) {
			mxd_biquad sec[MAX_SEC];
			mxd_bq_state *st[MAX_SEC];
			int ns = mxd_fx_eq_sections(fx, 0, sec, st, lay->band_end[j], MAX_SEC);
			if (ns < 0)
				return false;
			lay->kind[j] = K_EQ;
			lay->ns[j] = (uint32_t)ns;
		} else {
			mxd_comp_plan p;
			if (!mxd_fx_compressor_plan(fx, &p) || p.channels != nd->in_ch)
				return false;
			lay->kind[j] = K_COMP;
		}
	}
	return lay->n_ins > 0;
}

static bool same_layout(const layout *a, const layout *b)
{
	if (a->ch != b->ch || a->n_ins != b->n_ins)
		return false;
	for (uint32_t j = 0; j < a->n_ins; j++) {
		if (a->kind[j] != b->kind[j] || a->ns[j] != b->ns[j])
			return false;
		for (uint32_t k = 0; k < a->ns[j]; k++)
			if (a->band_end[j][k] != b->band_end[j][k])
				return false;
	}
	return true;
}

static void group_free(group *g)
{
	free(g->node);
	free(g->slot);
	free(g->on);
	free(g->bad);
	free(g->x);
	for (uint32_t l = 0; g->out && l < g->L; l++)
		free(g->out[l]);
	free(g->out);
	free(g->coef);
	free(g->st);
	free(g->stp);
	free(g->cpar);
	free(g->env);
	free(g->envp);
	free(g->gr);
	free(g->lvl);
	free(g->lk);
	free(g->fin);
	free(g->src);
}

static bool group_alloc(group *g, uint32_t max_block)
{
	const uint32_t S = g->S, L = g->L, n_ins = g->lay.n_ins;
	for (uint32_t j = 0; j < n_ins; j++) {
		g->sec_total += g->lay.kind[j] == K_EQ ? g->lay.ns[j] : 0;
		g->n_comp += g->lay.kind[j] == K_COMP;
	}
	size_t secs = g->sec_total ? g->sec_total : 1, comps = g->n_comp ? g->n_comp : 1;
	g->slot = calloc((size_t)S * n_ins, sizeof *g->slot);
	g->on = calloc(S, sizeof *g->on);
	g->bad = calloc(S, sizeof *g->bad);
	g->x = calloc((size_t)SUB * L, sizeof *g->x);
	bool lanes_ok = (g->out = calloc(L, sizeof *g->out)) != NULL;
	for (uint32_t l = 0; lanes_ok && l < L; l++)
		lanes_ok = (g->out[l] = calloc(max_block, sizeof(float))) != NULL;
	g->coef = calloc(secs * 5 * L, sizeof *g->coef);
	g->st = calloc(secs * 2 * L, sizeof *g->st);
	g->stp = calloc(secs * L, sizeof *g->stp);
	g->cpar = calloc(comps * CP_N * S, sizeof *g->cpar);
	g->env = calloc(comps * 2 * L, sizeof *g->env);
	g->envp = calloc(comps * L, sizeof *g->envp);
	g->gr = calloc(comps * S, sizeof *g->gr);
	g->lvl = calloc((size_t)SUB * L, sizeof *g->lvl);
	g->lk = calloc(S, sizeof *g->lk);
	g->fin = calloc(L, sizeof *g->fin);
	g->src = calloc(L, sizeof *g->src);
	return g->slot && g->on && g->bad && g->x && lanes_ok && g->coef && g->st && g->stp && g->cpar && g->env &&
	       g->envp && g->gr && g->lvl && g->lk && g->fin && g->src;
}

mxd_strip_batch *mxd_batch_build(mixdown_engine *e, uint32_t parts)
{
	layout *lay = calloc(e->n_nodes ? e->n_nodes : 1, sizeof *lay);
	bool *ok = calloc(e->n_nodes ? e->n_nodes : 1, sizeof *ok), *taken = calloc(e->n_nodes ? e->n_nodes : 1, 1);
	mxd_strip_batch *b = calloc(1, sizeof *b);
	if (!lay || !ok || !taken || !b)
		goto fail;
	for (size_t i = 0; i < e->n_nodes; i++)
		ok[i] = layout_of(&e->nodes[i], &lay[i]);
	for (size_t i = 0; i < e->n_nodes; i++) {
		if (!ok[i] || taken[i])
			continue;
		uint32_t S = 0, total = 0;
		for (size_t k = 0; k < e->n_nodes; k++)
			if (ok[k] && same_layout(&lay[i], &lay[k])) {
				total++;
				S += k >= i && !taken[k];
			}
		if (S < 2)
			continue;
		if (parts > 1) {
			/* One group per thread where each gets at least a vector of
			 * four strips (smaller groups fall to the kernels' scalar
			 * path), sizes rounded up to whole vectors. */
			uint32_t groups = total / 4 < parts ? total / 4 : parts;
			if (groups > 1) {
				uint32_t per = ((total + groups - 1) / groups + 3) & ~3u;
				S = S < per ? S : per;
			}
		}
		group *gs = realloc(b->g, (b->n + 1) * sizeof *gs);
		if (!gs)
			goto fail;
		b->g = gs;
		group *g = &b->g[b->n++];
		memset(g, 0, sizeof *g);
		g->lay = lay[i];
		g->S = S;
		g->L = S * lay[i].ch;
		if (!(g->node = calloc(S, sizeof *g->node)) || !group_alloc(g, e->max_block))
			goto fail;
		uint32_t s = 0;
		for (size_t k = i; k < e->n_nodes && s < S; k++) {
			if (!ok[k] || taken[k] || !same_layout(&lay[i], &lay[k]))
				continue;
			taken[k] = true;
			g->node[s] = k;
			uint32_t j = 0;
			for (size_t f = 0; f < e->nodes[k].n_slots; f++)
				if (e->nodes[k].slots[f].fx)
					g->slot[s * g->lay.n_ins + j++] = (uint32_t)f;
			s++;
		}
	}
	free(lay);
	free(ok);
	free(taken);
	if (b->n == 0) {
		mxd_strip_batch_free(b);
		return NULL;
	}
	b->eq = eq_section_base;
	b->eq2 = eq_pair_base;
	b->comp = comp_block_base;
	b->load = load_lanes_base;
	b->store = store_lanes_base;
#ifdef HAVE_AVX2_KERNELS
	/* MIXDOWN_BATCH_GENERIC=1: the plain C kernels (tests, benchmarks). */
	const char *generic = getenv("MIXDOWN_BATCH_GENERIC");
	__builtin_cpu_init();
	if ((!generic || strcmp(generic, "1")) && __builtin_cpu_supports("avx2")) {
		b->eq = eq_section_avx2i;
		b->eq2 = eq_pair_avx2i;
		b->comp = comp_block_avx2i;
		b->load = load_lanes_avx2i;
		b->store = store_lanes_avx2i;
	}
#endif
	return b;
fail:
	free(lay);
	free(ok);
	free(taken);
	mxd_strip_batch_free(b);
	return NULL;
}

mxd_strip_batch *mxd_strip_batch_create(mixdown_engine *e)
{
	return mxd_batch_build(e, 0);
}

void mxd_strip_batch_free(mxd_strip_batch *b)
{
	if (!b)
		return;
	mxd_batch_stop_workers(b);
	for (size_t i = 0; i < b->n; i++)
		group_free(&b->g[i]);
	free(b->g);
	free(b);
}

/* -------------------------------------------------------------------- run */

/* Lanes of strip s with neutral parameters (an "off" strip computes nothing
 * that is kept). */
static void neutral(group *g, uint32_t s)
{
	const uint32_t S = g->S, L = g->L;
	for (uint32_t c = 0; c < g->lay.ch; c++) {
		uint32_t l = c * S + s;
		for (uint32_t k = 0; k < g->sec_total; k++) {
			double *co = g->coef + (size_t)k * 5 * L;
			co[l] = 1.0;
			co[L + l] = co[2 * L + l] = co[3 * L + l] = co[4 * L + l] = 0.0;
			g->st[(size_t)k * 2 * L + l] = g->st[(size_t)k * 2 * L + L + l] = 0.0;
		}
		for (uint32_t j = 0; j < g->n_comp; j++)
			g->env[(size_t)j * 2 * L + l] = g->env[(size_t)j * 2 * L + L + l] = 0.0;
	}
	for (uint32_t j = 0; j < g->n_comp; j++) {
		double *p = g->cpar + (size_t)j * CP_N * S;
		p[CP_THR * S + s] = 0.0;
		p[CP_SLOPE * S + s] = 0.0;
		p[CP_KNEE * S + s] = 0.0;
		p[CP_LINK * S + s] = 1.0;
		p[CP_MAKEUP * S + s] = 0.0;
		p[CP_ATT * S + s] = p[CP_REL * S + s] = 0.0;
	}
}

/* Gather strip s's coefficients and state; false if it is not in its plain
 * state this block. */
static bool gather(mixdown_engine *e, group *g, uint32_t s)
{
	const uint32_t S = g->S, L = g->L;
	node_rt *nd = &e->nodes[g->node[s]];
	uint32_t k0 = 0, jc = 0;
	for (uint32_t j = 0; j < g->lay.n_ins; j++) {
		uint32_t f = g->slot[s * g->lay.n_ins + j];
		if (!slot_plain(nd, f))
			return false;
		mxd_fx *fx = nd->slots[f].fx;
		if (g->lay.kind[j] == K_EQ) {
			const uint32_t ns = g->lay.ns[j];
			for (uint32_t c = 0; c < g->lay.ch; c++) {
				mxd_biquad sec[MAX_SEC];
				mxd_bq_state *st[MAX_SEC];
				bool be[MAX_SEC];
				if (mxd_fx_eq_sections(fx, c, sec, st, be, MAX_SEC) != (int)ns)
					return false;
				const uint32_t l = c * S + s;
				for (uint32_t k = 0; k < ns; k++) {
					if (be[k] != g->lay.band_end[j][k])
						return false;
					double *co = g->coef + (size_t)(k0 + k) * 5 * L;
					co[l] = sec[k].b0;
					co[L + l] = sec[k].b1;
					co[2 * L + l] = sec[k].b2;
					co[3 * L + l] = sec[k].a1;
					co[4 * L + l] = sec[k].a2;
					g->st[(size_t)(k0 + k) * 2 * L + l] = st[k]->s1;
					g->st[(size_t)(k0 + k) * 2 * L + L + l] = st[k]->s2;
					g->stp[(size_t)(k0 + k) * L + l] = st[k];
				}
			}
			k0 += ns;
		} else {
			mxd_comp_plan p;
			if (!mxd_fx_compressor_plan(fx, &p) || p.channels != g->lay.ch)
				return false;
			double *cp = g->cpar + (size_t)jc * CP_N * S;
			cp[CP_THR * S + s] = p.thr;
			cp[CP_SLOPE * S + s] = p.slope;
			cp[CP_KNEE * S + s] = p.knee;
			cp[CP_LINK * S + s] = p.link;
			cp[CP_MAKEUP * S + s] = p.makeup;
			cp[CP_ATT * S + s] = p.a_att;
			cp[CP_REL * S + s] = p.a_rel;
			for (uint32_t c = 0; c < g->lay.ch; c++) {
				const uint32_t l = c * S + s;
				g->env[(size_t)jc * 2 * L + l] = p.env[c].y1;
				g->env[(size_t)jc * 2 * L + L + l] = p.env[c].y;
				g->envp[(size_t)jc * L + l] = &p.env[c];
			}
			g->gr[(size_t)jc * S + s] = p.gr;
			jc++;
		}
	}
	return true;
}

/* Accumulate x - x per lane: 0 while every value is finite, NaN from the
 * first Inf or NaN on (and then for ever: NaN + v = NaN). Only when a load
 * or store found something: it tells which strips. */
static void flag_nonfinite_lanes(group *g, uint32_t m)
{
	double *restrict acc = g->fin;
	const double *restrict x = g->x;
	for (uint32_t i = 0; i < m; i++)
		for (uint32_t l = 0; l < g->L; l++)
			acc[l] += x[(size_t)i * g->L + l] - x[(size_t)i * g->L + l];
}

/* As check_state() in src/dsp/biquad.c, on every lane of every section. */
static void check_states(group *g)
{
	const uint32_t L = g->L;
	for (uint32_t k = 0; k < g->sec_total; k++) {
		double *s1 = g->st + (size_t)k * 2 * L, *s2 = s1 + L;
		for (uint32_t l = 0; l < L; l++) {
			if (!isfinite(s1[l]) || !isfinite(s2[l])) {
				s1[l] = s2[l] = 0.0;
				continue;
			}
			if (fabs(s1[l]) < FLUSH_LEVEL)
				s1[l] = 0.0;
			if (fabs(s2[l]) < FLUSH_LEVEL)
				s2[l] = 0.0;
		}
	}
}

/* Write back state and output of strip s, and where the strip's pan and
 * fader are one settled step, apply them here too: it spreads that work
 * over the threads sharing the groups (the same call run_node makes). */
static void commit(mixdown_engine *e, group *g, uint32_t s, uint32_t n)
{
	const uint32_t S = g->S, L = g->L;
	node_rt *nd = &e->nodes[g->node[s]];
	for (uint32_t c = 0; c < g->lay.ch; c++) {
		const uint32_t l = c * S + s;
		for (uint32_t k = 0; k < g->sec_total; k++) {
			mxd_bq_state *st = g->stp[(size_t)k * L + l];
			st->s1 = g->st[(size_t)k * 2 * L + l];
			st->s2 = g->st[(size_t)k * 2 * L + L + l];
		}
		for (uint32_t j = 0; j < g->n_comp; j++) {
			mxd_dyn_env *en = g->envp[(size_t)j * L + l];
			en->y1 = g->env[(size_t)j * 2 * L + l];
			en->y = g->env[(size_t)j * 2 * L + L + l];
		}
		/* The lane's output becomes the strip's input buffer and the
		 * input buffer the lane's next output: traded, not copied
		 * (both max_block floats from calloc; nothing keeps nd->in
		 * pointers across blocks). */
		float *spare = nd->in[c];
		nd->in[c] = g->out[l];
		g->out[l] = spare;
	}
	g->committed++;
	/* The gain-reduction meter shows the largest channel's reduction at the
	 * block's last frame, as comp_run() leaves it. */
	for (uint32_t j = 0; j < g->n_comp; j++) {
		double gr = 0;
		for (uint32_t c = 0; c < g->lay.ch; c++) {
			double y = g->env[(size_t)j * 2 * L + L + c * S + s];
			gr = y > gr ? y : gr;
		}
		mxd_gr_meter_store(g->gr[(size_t)j * S + s], gr);
	}
	nd->inserts_done = true;
	if (mxd_engine_pan_fader_plain(e, nd)) {
		mxd_pan_matrix_apply_gain(&nd->pan, (const float *const *)nd->in, nd->out, n, nd->fader.cur);
		nd->out_done = true;
	}
}

void mxd_batch_run_group(mixdown_engine *e, mxd_strip_batch *b, group *g, uint32_t n)
{
	const uint32_t S = g->S, L = g->L, C = g->lay.ch;
	uint32_t active = 0;
	for (uint32_t s = 0; s < S; s++) {
		g->bad[s] = false;
		g->on[s] = gather(e, g, s);
		if (!g->on[s])
			neutral(g, s);
		active += g->on[s];
	}
	if (active == 0)
		return;
	memset(g->fin, 0, L * sizeof *g->fin);
	for (uint32_t pos = 0; pos < n; pos += SUB) {
		const uint32_t m = n - pos < SUB ? n - pos : SUB;
		static const float silence[SUB];
		for (uint32_t s = 0; s < S; s++)
			for (uint32_t c = 0; c < C; c++)
				g->src[c * S + s] = g->on[s] ? e->nodes[g->node[s]].in[c] + pos : silence;
		if (!b->load(g->x, L, m, g->src))
			flag_nonfinite_lanes(g, m); /* the input scrub of insert_slot.c must find nothing */
		uint32_t k0 = 0, jc = 0;
		for (uint32_t j = 0; j < g->lay.n_ins; j++) {
			if (g->lay.kind[j] == K_EQ) {
				/* Sections two at a time where there are two: the
				 * kernels can run both recursions side by side. */
				const bool *end = g->lay.band_end[j];
				uint32_t k = 0;
				for (; k + 2 <= g->lay.ns[j]; k += 2, k0 += 2)
					b->eq2(g->x, L, m, g->coef + (size_t)k0 * 5 * L, g->st + (size_t)k0 * 2 * L, end[k],
					       end[k + 1]);
				for (; k < g->lay.ns[j]; k++, k0++)
					b->eq(g->x, L, m, g->coef + (size_t)k0 * 5 * L, g->st + (size_t)k0 * 2 * L,
					      g->st + (size_t)k0 * 2 * L + L, end[k]);
			} else {
				b->comp(g->x, S, C, m, g->cpar + (size_t)jc * CP_N * S, g->env + (size_t)jc * 2 * L,
					g->env + (size_t)jc * 2 * L + L, g->lvl, g->lk);
				jc++;
			}
		}
		/* Nor the output scrub after each insert. One check at the end
		 * suffices: from a finite input, a value that overflows to Inf or
		 * NaN inside the chain stays non-finite to its end (a biquad passes
		 * its input on through b0 x and its state; the compressor multiplies
		 * by a gain >= 2^-126; Inf * finite and NaN * anything stay
		 * non-finite). A non-finite block goes back to the strip. The
		 * store checks what it stores. */
		check_states(g);
		if (!b->store(g->out, pos, g->x, L, m))
			flag_nonfinite_lanes(g, m);
	}
	for (uint32_t l = 0; l < L; l++)
		if (g->fin[l] != 0.0)
			g->bad[l % S] = true;
	for (uint32_t s = 0; s < S; s++)
		if (g->on[s] && !g->bad[s])
			commit(e, g, s, n);
}

mixdown_status mxd_strip_batch_run(mixdown_engine *e, mxd_strip_batch *b, uint32_t n, mixdown_error *err)
{
	/* Every input first, on this thread (clip reading and the host's
	 * source are not shared). */
	for (size_t i = 0; i < b->n; i++) {
		group *g = &b->g[i];
		for (uint32_t s = 0; s < g->S; s++) {
			node_rt *nd = &e->nodes[g->node[s]];
			if (nd->in_ready)
				continue;
			if (e->source) { /* real time: the host's input */
				mxd_engine_source_track(e, g->node[s], n);
				continue;
			}
			mixdown_status st = mxd_engine_read_track(e, nd, n, err);
			if (st != MIXDOWN_SUCCESS)
				return st;
		}
	}
	if (n == 0)
		return MIXDOWN_SUCCESS;
	if (b->n_workers == 0) {
		for (size_t i = 0; i < b->n; i++)
			mxd_batch_run_group(e, b, &b->g[i], n);
		return MIXDOWN_SUCCESS;
	}
	mxd_batch_run_shared(e, b, n);
	return MIXDOWN_SUCCESS;
}

size_t mxd_strip_batch_tracks(const mixdown_engine *e)
{
	size_t n = 0;
	for (size_t i = 0; e->batch && i < e->batch->n; i++)
		n += e->batch->g[i].S;
	return n;
}

uint64_t mxd_strip_batch_committed(const mixdown_engine *e)
{
	uint64_t n = 0;
	for (size_t i = 0; e->batch && i < e->batch->n; i++)
		n += e->batch->g[i].committed;
	return n;
}

size_t mxd_strip_batch_groups(const mixdown_engine *e)
{
	return e->batch ? e->batch->n : 0;
}

void mxd_strip_batch_disable(mixdown_engine *e)
{
	mxd_strip_batch_free(e->batch);
	e->batch = NULL;
}
