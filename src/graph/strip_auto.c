/* mixdown — a strip's automation at run time (see strip_auto.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graph/strip_auto.h"

#define MUTE_RAMP_MS 10.0

static double db_gain(double db)
{
	return db <= -144.0 ? 0.0 : pow(10.0, db / 20.0);
}

int mxd_strip_auto_init(mxd_strip_auto *sa, const mxd_strip *st, double rate, uint32_t max_block, uint32_t in_ch,
			uint32_t out_ch)
{
	memset(sa, 0, sizeof *sa);
	sa->strip = st;
	sa->gain = sa->trim = sa->mute = sa->pan = sa->width = sa->lfe = -1;
	for (int k = 0; k < 4; k++)
		sa->obj[k] = -1;
	for (int k = 0; k < 3; k++)
		sa->sur[k] = -1;
	sa->in_ch = in_ch, sa->out_ch = out_ch;
	sa->pan_law = st->pan_law_db;
	sa->matrix_fresh = true;
	if (st->n_lanes == 0)
		return 0;
	sa->n = st->n_lanes;
	sa->ev = calloc(sa->n, sizeof *sa->ev);
	sa->vals = calloc(sa->n, sizeof *sa->vals);
	sa->src = calloc(sa->n, sizeof *sa->src);
	sa->src_ch = calloc(sa->n, sizeof *sa->src_ch);
	sa->sent = malloc(sa->n * sizeof *sa->sent);
	if (!sa->sent)
		return -1;
	for (size_t k = 0; k < sa->n; k++)
		sa->sent[k] = NAN;
	sa->gain_buf = calloc(max_block, sizeof *sa->gain_buf);
	sa->pre_buf = calloc(max_block, sizeof *sa->pre_buf);
	if (!sa->ev || !sa->vals || !sa->src || !sa->src_ch || !sa->gain_buf || !sa->pre_buf)
		return -1;
	for (size_t k = 0; k < sa->n; k++) {
		const mxd_lane *ln = &st->lanes[k];
		bool fader = ln->target == MXD_TARGET_GAIN || ln->target == MXD_TARGET_TRIM;
		if (fader && ln->lfo.on && ln->lfo.stereo_offset != 0 && out_ch == 2 && !sa->gain_buf_r &&
		    !(sa->gain_buf_r = calloc(max_block, sizeof *sa->gain_buf_r)))
			return -1;
	}
	for (size_t k = 0; k < sa->n; k++) {
		const mxd_lane *ln = &st->lanes[k];
		mxd_lane_eval_init(&sa->ev[k], ln, rate);
		if (!(sa->vals[k] = calloc(max_block, sizeof **sa->vals)))
			return -1;
		int idx = (int)k;
		switch (ln->target) {
		case MXD_TARGET_GAIN: sa->gain = idx, sa->fader_moves = true; break;
		case MXD_TARGET_TRIM: sa->trim = idx, sa->fader_moves = true; break;
		case MXD_TARGET_MUTE: sa->mute = idx, sa->fader_moves = true; break;
		case MXD_TARGET_PAN: sa->pan = idx, sa->matrix_moves = true; break;
		case MXD_TARGET_WIDTH: sa->width = idx, sa->matrix_moves = true; break;
		case MXD_TARGET_INSERT:
		case MXD_TARGET_BYPASS: sa->inserts_move = true; break;
		case MXD_TARGET_SEND: break;
		case MXD_TARGET_OBJ_AZIMUTH:
		case MXD_TARGET_OBJ_ELEVATION:
		case MXD_TARGET_OBJ_DISTANCE:
		case MXD_TARGET_OBJ_SPREAD:
			sa->obj[ln->target - MXD_TARGET_OBJ_AZIMUTH] = idx, sa->matrix_moves = true;
			break;
		case MXD_TARGET_SUR_X:
		case MXD_TARGET_SUR_Y:
		case MXD_TARGET_SUR_Z: sa->sur[ln->target - MXD_TARGET_SUR_X] = idx, sa->matrix_moves = true; break;
		case MXD_TARGET_LFE: sa->lfe = idx, sa->matrix_moves = true; break;
		}
	}
	mxd_smooth_init(&sa->mute_ramp, rate, MUTE_RAMP_MS, st->mute ? 0.0 : 1.0);
	return 0;
}

void mxd_strip_auto_free(mxd_strip_auto *sa)
{
	for (size_t k = 0; sa->vals && k < sa->n; k++)
		free(sa->vals[k]);
	free(sa->vals);
	free(sa->ev);
	free(sa->src);
	free(sa->src_ch);
	free(sa->sent);
	free(sa->gain_buf);
	free(sa->gain_buf_r);
	free(sa->pre_buf);
	memset(sa, 0, sizeof *sa);
}

void mxd_strip_auto_follow(mxd_strip_auto *sa, size_t lane, const float *const *src, uint32_t src_ch)
{
	sa->src[lane] = src;
	sa->src_ch[lane] = src_ch;
}

int mxd_strip_auto_find(const mxd_strip_auto *sa, mxd_auto_target target, size_t index)
{
	for (size_t k = 0; k < sa->n; k++)
		if (sa->strip->lanes[k].target == target && sa->strip->lanes[k].index == index)
			return (int)k;
	return -1;
}

void mxd_strip_auto_fill(mxd_strip_auto *sa, int64_t t0, uint32_t n)
{
	for (size_t k = 0; k < sa->n; k++)
		mxd_lane_eval_fill(&sa->ev[k], t0, n, sa->src[k], sa->src_ch[k], sa->vals[k]);
}

/* dB to add to the right channel: its LFO phase leads by the stereo offset. */
static double right_offset_db(mxd_strip_auto *sa, int lane, int64_t t0, uint32_t i)
{
	if (lane < 0)
		return 0;
	const mxd_lfo *l = &sa->strip->lanes[lane].lfo;
	if (!l->on || l->stereo_offset == 0)
		return 0;
	double t = (double)(t0 + (int64_t)i) / sa->ev[lane].rate;
	return mxd_lane_lfo_at(&sa->ev[lane], t, l->stereo_offset) - mxd_lane_lfo_at(&sa->ev[lane], t, 0.0);
}

void mxd_strip_auto_fader(mxd_strip_auto *sa, int64_t t0, uint32_t n, double on)
{
	const mxd_strip *st = sa->strip;
	for (uint32_t i = 0; i < n; i++) {
		double db = sa->gain >= 0 ? sa->vals[sa->gain][i] : st->gain_db;
		if (sa->trim >= 0)
			db += sa->vals[sa->trim][i];
		if (sa->mute >= 0) {
			double goal = sa->vals[sa->mute][i] >= 0.5 ? 0.0 : 1.0;
			if (goal != sa->mute_ramp.target) /* a repeated set would restart the ramp */
				mxd_smooth_set(&sa->mute_ramp, goal);
		}
		double m = mxd_smooth_advance(&sa->mute_ramp, 1);
		sa->pre_buf[i] = m * on;
		sa->gain_buf[i] = db_gain(db) * m * on;
		if (sa->gain_buf_r) {
			/* The sum is clamped like the lane's own value would be. */
			double r = db + right_offset_db(sa, sa->gain, t0, i) + right_offset_db(sa, sa->trim, t0, i);
			sa->gain_buf_r[i] = db_gain(r < 24 ? r : 24) * m * on;
		}
	}
}

void mxd_strip_auto_params(const mxd_strip_auto *sa, int64_t i, mxd_pan_params *p)
{
	const mxd_strip *st = sa->strip;
#define LANE(idx, dflt) (i >= 0 && (idx) >= 0 ? sa->vals[idx][i] : (dflt))
	p->pan = LANE(sa->pan, st->pan);
	p->width = LANE(sa->width, st->width);
	p->law_db = sa->pan_law;
	p->object = st->object.on;
	p->azimuth = LANE(sa->obj[0], st->object.azimuth_deg);
	p->elevation = LANE(sa->obj[1], st->object.elevation_deg);
	p->distance = LANE(sa->obj[2], st->object.distance);
	p->spread = LANE(sa->obj[3], st->object.spread_deg);
	p->surround = st->surround.on;
	p->x = LANE(sa->sur[0], st->surround.x);
	p->y = LANE(sa->sur[1], st->surround.y);
	p->z = LANE(sa->sur[2], st->surround.z);
	p->lfe_gain = db_gain(LANE(sa->lfe, st->lfe_db));
#undef LANE
}

void mxd_strip_auto_matrix(mxd_strip_auto *sa, mxd_pan_matrix *cur, const float *const *in, float *const *out,
			   uint32_t n)
{
	if (sa->matrix_fresh && n) {
		mxd_pan_params p;
		mxd_strip_auto_params(sa, 0, &p);
		mxd_pan_matrix_build_spatial(cur, sa->vbap, sa->in_ch, sa->out_ch, &p);
		sa->matrix_fresh = false;
	}
	for (uint32_t j = 0; j < n; j += MXD_AUTO_SUB) {
		uint32_t m = n - j < MXD_AUTO_SUB ? n - j : MXD_AUTO_SUB;
		uint32_t last = j + m - 1;
		mxd_pan_params p;
		mxd_strip_auto_params(sa, last, &p);
		mxd_pan_matrix next;
		mxd_pan_matrix_build_spatial(&next, sa->vbap, sa->in_ch, sa->out_ch, &p);
		const float *x[MXD_MAX_CHANNELS];
		float *y[MXD_MAX_CHANNELS];
		for (uint32_t c = 0; c < sa->in_ch; c++)
			x[c] = in[c] + j;
		for (uint32_t c = 0; c < sa->out_ch; c++)
			y[c] = out[c] + j;
		mxd_pan_matrix_apply_ramp(cur, &next, x, y, m);
		*cur = next;
	}
}
