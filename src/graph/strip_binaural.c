/* mixdown — binaural object tracks (see strip_binaural.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "graph/strip_binaural.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "spatial/binaural.h"
#include "spatial/hrtf.h"

/* Spread (docs/spatial.md, "Binaural"): an object with a spread is three
 * virtual points, the source at its azimuth and two decorrelated copies at
 * azimuth -/+ spread/2, so the image widens and the interaural coherence
 * drops. Each copy goes through its own cascade of Schroeder allpasses (flat
 * magnitude, scrambled phase: G. Kendall, "The decorrelation of audio signals
 * and its impact on spatial imagery", Computer Music Journal 19(4), 1995).
 * Delays: distinct primes, 2.4..7.8 ms at 48 kHz. */
enum { AP_STAGES = 3 };
static const uint32_t ap_delay[2][AP_STAGES] = { { 113, 199, 317 }, { 131, 241, 373 } };
#define AP_G 0.5f
/* The side points' share of the energy reaches 2/3 (three equal points) at
 * SPREAD_FULL degrees and stays there. */
#define SPREAD_FULL 90.0

typedef struct {
	float *line[2][AP_STAGES]; /* allpass delay lines, ap_delay[side][k] samples */
	uint32_t pos[2][AP_STAGES];
	float *side[2];            /* the decorrelated copies, max_block */
	float gc, gs;              /* centre and side gains at the end of the last block */
} spread_dec;

struct mxd_strip_binaural {
	mxd_hrtf *hrtf;
	size_t n;               /* nodes */
	mxd_binaural **r;       /* per node, NULL = not an object */
	float **mono;           /* per object node: max_block (nodes may run on several threads) */
	spread_dec **sp;        /* per object node with a spread (static or automated), else NULL */
};

static void spread_free(spread_dec *d)
{
	if (!d)
		return;
	for (int s = 0; s < 2; s++) {
		for (int k = 0; k < AP_STAGES; k++)
			free(d->line[s][k]);
		free(d->side[s]);
	}
	free(d);
}

static spread_dec *spread_new(uint32_t max_block)
{
	spread_dec *d = calloc(1, sizeof *d);
	bool ok = d != NULL;
	for (int s = 0; ok && s < 2; s++) {
		for (int k = 0; ok && k < AP_STAGES; k++)
			ok = (d->line[s][k] = calloc(ap_delay[s][k], sizeof(float))) != NULL;
		ok = ok && (d->side[s] = malloc(sizeof(float) * max_block)) != NULL;
	}
	if (!ok) {
		spread_free(d);
		return NULL;
	}
	d->gc = 1.0f;
	return d;
}

/* Energy split for a spread: gc^2 + 2 gs^2 = 1 (the points are decorrelated,
 * so their powers add). */
static void spread_gains(double spread, float *gc, float *gs)
{
	double f = (2.0 / 3.0) * fmin(fmax(spread, 0.0), SPREAD_FULL) / SPREAD_FULL;
	*gc = (float)sqrt(1.0 - f);
	*gs = (float)sqrt(f / 2.0);
}

/* x -> d->side[0..1] through each side's allpass cascade. */
static void decorrelate(spread_dec *d, const float *x, uint32_t n)
{
	for (int s = 0; s < 2; s++) {
		float *y = d->side[s];
		memcpy(y, x, sizeof(float) * n);
		for (int k = 0; k < AP_STAGES; k++) {
			float *line = d->line[s][k];
			uint32_t len = ap_delay[s][k], p = d->pos[s][k];
			for (uint32_t j = 0; j < n; j++) {
				/* v[n] = x[n] + g v[n-D]; y[n] = v[n-D] - g v[n] */
				float old = line[p], v = y[j] + AP_G * old;
				y[j] = old - AP_G * v;
				line[p] = v;
				if (++p == len)
					p = 0;
			}
			d->pos[s][k] = p;
		}
	}
}

static double wrap180(double a)
{
	while (a > 180.0)
		a -= 360.0;
	while (a <= -180.0)
		a += 360.0;
	return a;
}

/* Point the renderer's inputs at the object (and its spread points). */
static void set_points(mxd_binaural *r, const mxd_pan_params *pp, bool spread)
{
	mxd_binaural_set_direction(r, 0, pp->azimuth, pp->elevation, pp->distance);
	if (spread) {
		double h = fmin(fmax(pp->spread, 0.0), 180.0) / 2.0;
		mxd_binaural_set_direction(r, 1, wrap180(pp->azimuth - h), pp->elevation, pp->distance);
		mxd_binaural_set_direction(r, 2, wrap180(pp->azimuth + h), pp->elevation, pp->distance);
	}
}

void mxd_strip_binaural_free(mxd_strip_binaural *sb)
{
	if (!sb)
		return;
	for (size_t i = 0; sb->r && i < sb->n; i++)
		mxd_binaural_free(sb->r[i]);
	for (size_t i = 0; sb->mono && i < sb->n; i++)
		free(sb->mono[i]);
	for (size_t i = 0; sb->sp && i < sb->n; i++)
		spread_free(sb->sp[i]);
	free(sb->sp);
	free(sb->r);
	free(sb->mono);
	mxd_hrtf_free(sb->hrtf);
	free(sb);
}

mixdown_status mxd_strip_binaural_create(mixdown_engine *e, mxd_strip_binaural **out, mixdown_error *err)
{
	*out = NULL;
	if (!e->s->binaural || e->channels != 2)
		return MIXDOWN_SUCCESS;
	bool any = false;
	for (size_t i = 0; i < e->n_nodes; i++)
		any |= e->nodes[i].strip->kind == MXD_STRIP_TRACK && e->nodes[i].strip->object.on;
	if (!any)
		return MIXDOWN_SUCCESS;
	mxd_strip_binaural *sb = calloc(1, sizeof *sb);
	if (!sb)
		return MIXDOWN_ERR_NOMEM;
	mixdown_status st = mxd_hrtf_load(e->s->hrtf_file, e->rate, &sb->hrtf, err);
	if (st != MIXDOWN_SUCCESS) {
		free(sb);
		return st;
	}
	sb->n = e->n_nodes;
	sb->r = calloc(sb->n, sizeof *sb->r);
	sb->mono = calloc(sb->n, sizeof *sb->mono);
	sb->sp = calloc(sb->n, sizeof *sb->sp);
	bool ok = sb->r && sb->mono && sb->sp;
	for (size_t i = 0; ok && i < sb->n; i++) {
		const mxd_strip *s = e->nodes[i].strip;
		if (s->kind != MXD_STRIP_TRACK || !s->object.on)
			continue;
		/* Three points only when the spread can be non-zero: a point object
		 * costs one convolution, as before. */
		bool spread = s->object.spread_deg > 0.0 || e->nodes[i].autom.obj[3] >= 0;
		sb->mono[i] = malloc(sizeof(float) * e->max_block);
		ok = (sb->r[i] = mxd_binaural_new(sb->hrtf, spread ? 3 : 1, MXD_BINAURAL_BLOCK)) != NULL && sb->mono[i];
		if (ok && spread)
			ok = (sb->sp[i] = spread_new(e->max_block)) != NULL;
		if (ok) {
			/* Start at the static position, so the first block does not sweep. */
			mxd_pan_params pp;
			mxd_strip_auto_params(&e->nodes[i].autom, -1, &pp);
			set_points(sb->r[i], &pp, spread);
			if (spread)
				spread_gains(pp.spread, &sb->sp[i]->gc, &sb->sp[i]->gs);
			mxd_binaural_set_air(sb->r[i], s->object.air);
			mxd_binaural_reset(sb->r[i]);
		}
	}
	if (!ok) {
		mxd_strip_binaural_free(sb);
		return MIXDOWN_ERR_NOMEM;
	}
	*out = sb;
	return MIXDOWN_SUCCESS;
}

bool mxd_strip_binaural_run(mxd_strip_binaural *sb, size_t i, node_rt *nd, uint32_t n)
{
	if (!sb || i >= sb->n || !sb->r[i] || nd->out_ch != 2)
		return false;
	mxd_pan_params pp;
	mxd_strip_auto_params(&nd->autom, nd->autom.matrix_moves && n ? (int64_t)n - 1 : -1, &pp);
	spread_dec *d = sb->sp[i];
	set_points(sb->r[i], &pp, d != NULL);
	/* Several channels: their average is the source (as the VBAP panner does). */
	const float *src = nd->in[0];
	if (nd->in_ch > 1) {
		float k = 1.0f / (float)nd->in_ch;
		for (uint32_t j = 0; j < n; j++) {
			float v = 0.0f;
			for (uint32_t c = 0; c < nd->in_ch; c++)
				v += nd->in[c][j];
			sb->mono[i][j] = v * k;
		}
		src = sb->mono[i];
	}
	if (!d) {
		const float *in[1] = { src };
		mxd_binaural_process(sb->r[i], in, nd->out[0], nd->out[1], n);
		return true;
	}
	/* Spread: the centre point and the two decorrelated side points, their
	 * gains ramped over the block (the spread is taken at the block's end). */
	decorrelate(d, src, n);
	float gc, gs;
	spread_gains(pp.spread, &gc, &gs);
	const float dc = n ? (gc - d->gc) / (float)n : 0.0f, ds = n ? (gs - d->gs) / (float)n : 0.0f;
	float *centre = sb->mono[i];
	for (uint32_t j = 0; j < n; j++) {
		float c = d->gc + dc * (float)(j + 1), sd = d->gs + ds * (float)(j + 1);
		centre[j] = c * src[j]; /* src may be centre itself: read before write */
		d->side[0][j] *= sd;
		d->side[1][j] *= sd;
	}
	d->gc = gc;
	d->gs = gs;
	const float *in[3] = { centre, d->side[0], d->side[1] };
	mxd_binaural_process(sb->r[i], in, nd->out[0], nd->out[1], n);
	return true;
}
