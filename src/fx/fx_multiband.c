/* mixdown — `multiband`: 2 to 5 band compressor on LR4 crossovers.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The input is split by Linkwitz-Riley 4th-order crossovers with allpass
 * compensation (src/dsp/crossover.h): with every band at unity the bands sum
 * to an allpass (flat magnitude, the crossovers' phase). Each band has its own
 * feed-forward compressor in the log domain after D. Giannoulis, M. Massberg,
 * J. D. Reiss, "Digital Dynamic Range Compressor Design — A Tutorial and
 * Analysis", JAES 60(6), 2012 (src/dsp/dynamics.h): the band's sample peak
 * (the loudest channel: one gain for all channels), the static curve with a
 * quadratic soft knee (GMR eq. 4), and the gain reduction smoothed by the
 * smooth decoupled peak detector (GMR eq. 17), attack/release being 63 %
 * times. The band's gain is makeup - reduction (dB).
 *
 * Parameters (top level):
 *   bands   2..5 (integer), default 3, not automatable.
 *   xover1..xover4   Hz, [20, 20000], defaults 200, 2000, 6000, 12000,
 *           automatable (log2 domain, 50 ms ramp, crossovers redesigned every
 *           32 samples while moving). Only the first bands-1 are used; each is
 *           raised to at least 1.01 x the one below and limited to 0.45 fs.
 * `band` is a list (max 5 items; item k is band k from the lowest) of:
 *   threshold dB [-60, 0] default -20;  ratio [1, 20] default 1 (1 = no
 *   compression: the band passes unchanged); knee dB [0, 24] default 6;
 *   attack ms [0.1, 500] default 10; release ms [1, 5000] default 120;
 *   makeup dB [-24, 24] default 0 — all automatable (threshold, ratio as the
 *   slope 1 - 1/ratio, knee and makeup ramp over 20 ms; attack/release
 *   change the detector coefficients directly, which cannot click);
 *   solo (bool): when any band is soloed only soloed bands are heard;
 *   bypass (bool): the band passes at unity (no compression, no makeup).
 *   Solo and bypass crossfade over 20 ms.
 * Latency 0. Threads: as src/fx/processor.h; run() does not allocate.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/crossover.h"
#include "dsp/dynamics.h"
#include "dsp/smooth.h"
#include "fx/processor.h"

#define NB MXD_XO_MAX_BANDS
#define SUB_BLOCK 32u
#define XOVER_RAMP_MS 50.0 /* crossover moves: slower, the phase of the bands moves with them */

enum { P_BANDS, P_X1, P_X2, P_X3, P_X4, P_BAND, N_PARAMS };
enum { B_THRESH, B_RATIO, B_KNEE, B_ATTACK, B_RELEASE, B_MAKEUP, B_SOLO, B_BYPASS, N_SUB };
#define FIRST_BAND_SLOT 5u
#define N_SLOTS (FIRST_BAND_SLOT + NB * N_SUB)

static const mxd_param band_params[N_SUB] = {
	{ .name = "threshold", .kind = MXD_PARAM_NUMBER, .unit = "dB", .min = -60, .max = 0, .def = -20,
	  .automatable = true, .help = "Level above which the band is compressed", .first_slot = B_THRESH },
	{ .name = "ratio", .kind = MXD_PARAM_NUMBER, .unit = "", .min = 1, .max = 20, .def = 1,
	  .automatable = true, .help = "Compression ratio (1 = none)", .first_slot = B_RATIO },
	{ .name = "knee", .kind = MXD_PARAM_NUMBER, .unit = "dB", .min = 0, .max = 24, .def = 6,
	  .automatable = true, .help = "Soft knee width around the threshold", .first_slot = B_KNEE },
	{ .name = "attack", .kind = MXD_PARAM_NUMBER, .unit = "ms", .min = 0.1, .max = 500, .def = 10,
	  .automatable = true, .help = "Time to 63 % of a gain-reduction increase", .first_slot = B_ATTACK },
	{ .name = "release", .kind = MXD_PARAM_NUMBER, .unit = "ms", .min = 1, .max = 5000, .def = 120,
	  .automatable = true, .help = "Time to 63 % of a gain-reduction decrease", .first_slot = B_RELEASE },
	{ .name = "makeup", .kind = MXD_PARAM_NUMBER, .unit = "dB", .min = -24, .max = 24, .def = 0,
	  .automatable = true, .help = "Gain of the band after compression", .first_slot = B_MAKEUP },
	{ .name = "solo", .kind = MXD_PARAM_BOOL, .unit = "", .def = 0,
	  .help = "Hear only soloed bands", .first_slot = B_SOLO },
	{ .name = "bypass", .kind = MXD_PARAM_BOOL, .unit = "", .def = 0,
	  .help = "Band passes at unity (no compression, no makeup)", .first_slot = B_BYPASS },
};

#define XOVER(n, d)                                                                               \
	{ .name = "xover" #n, .kind = MXD_PARAM_NUMBER, .unit = "Hz", .min = 20, .max = 20000,         \
	  .def = d, .automatable = true, .help = "Crossover " #n " (between band " #n " and the next)",  \
	  .first_slot = P_X##n }

static const mxd_param params[N_PARAMS] = {
	{ .name = "bands", .kind = MXD_PARAM_NUMBER, .unit = "", .min = 2, .max = NB, .def = 3,
	  .integer = true, .help = "Number of bands (2..5)", .first_slot = P_BANDS },
	XOVER(1, 200),
	XOVER(2, 2000),
	XOVER(3, 6000),
	XOVER(4, 12000),
	{ .name = "band", .kind = MXD_PARAM_LIST, .unit = "",
	  .help = "Per-band compressor, lowest band first", .sub = band_params, .n_sub = N_SUB,
	  .max_items = NB, .first_slot = FIRST_BAND_SLOT },
};

typedef struct {
	double v[N_SUB];
	mxd_smooth thr, slope, knee, makeup; /* dB, 1 - 1/ratio, dB, dB */
	mxd_smooth amt;                      /* 0 bypassed .. 1 active */
	mxd_smooth audible;                  /* 0 muted by another band's solo .. 1 */
	double a_att, a_rel;
	mxd_dyn_env env;
} mb_band;

typedef struct {
	mxd_fx base;
	double rate; /* 0 until activate() */
	uint32_t channels;
	uint32_t bands;
	double xf[NB - 1];     /* xover values as set (Hz) */
	mxd_smooth lf[NB - 1]; /* log2 Hz */
	mxd_xover xo;
	mxd_xover_state st[MXD_MAX_CHANNELS];
	mb_band b[NB];
} mb_fx;

static double clampv(const mxd_param *p, double v)
{
	return v < p->min ? p->min : v > p->max ? p->max : v;
}

static void update_times(mb_fx *s, mb_band *b)
{
	if (s->rate <= 0)
		return;
	double att = b->v[B_ATTACK], rel = b->v[B_RELEASE];
	b->a_att = mxd_dyn_alpha(att, s->rate);
	b->a_rel = mxd_dyn_alpha(mxd_dyn_decoupled_release_ms(att, rel), s->rate);
}

static void update_audible(mb_fx *s)
{
	bool any = false;
	for (int k = 0; k < NB; k++)
		any = any || s->b[k].v[B_SOLO] != 0;
	for (int k = 0; k < NB; k++)
		mxd_smooth_set(&s->b[k].audible, !any || s->b[k].v[B_SOLO] != 0 ? 1.0 : 0.0);
}

static void redesign(mb_fx *s)
{
	double f[NB - 1];
	for (int i = 0; i < NB - 1; i++)
		f[i] = exp2(s->lf[i].cur);
	mxd_xover_design(&s->xo, s->rate, s->bands, f);
}

static void init_smoothers(mb_fx *s, double rate)
{
	for (int i = 0; i < NB - 1; i++)
		mxd_smooth_init(&s->lf[i], rate, XOVER_RAMP_MS, log2(s->xf[i]));
	for (int k = 0; k < NB; k++) {
		mb_band *b = &s->b[k];
		mxd_smooth_init(&b->thr, rate, MXD_SMOOTH_MS, b->v[B_THRESH]);
		mxd_smooth_init(&b->slope, rate, MXD_SMOOTH_MS, 1.0 - 1.0 / b->v[B_RATIO]);
		mxd_smooth_init(&b->knee, rate, MXD_SMOOTH_MS, b->v[B_KNEE]);
		mxd_smooth_init(&b->makeup, rate, MXD_SMOOTH_MS, b->v[B_MAKEUP]);
		mxd_smooth_init(&b->amt, rate, MXD_SMOOTH_MS, b->v[B_BYPASS] != 0 ? 0.0 : 1.0);
		mxd_smooth_init(&b->audible, rate, MXD_SMOOTH_MS, 1.0);
	}
	update_audible(s);
	for (int k = 0; k < NB; k++)
		mxd_smooth_snap(&s->b[k].audible);
}

static mxd_fx *mb_create(const mxd_fx_class *cls)
{
	mb_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	s->bands = (uint32_t)params[P_BANDS].def;
	for (int i = 0; i < NB - 1; i++)
		s->xf[i] = params[P_X1 + i].def;
	for (int k = 0; k < NB; k++)
		for (int j = 0; j < N_SUB; j++)
			s->b[k].v[j] = band_params[j].def;
	init_smoothers(s, 0);
	return &s->base;
}

static void mb_reset(mxd_fx *fx)
{
	mb_fx *s = (mb_fx *)fx;
	memset(s->st, 0, sizeof s->st);
	for (int i = 0; i < NB - 1; i++)
		mxd_smooth_snap(&s->lf[i]);
	for (int k = 0; k < NB; k++) {
		mb_band *b = &s->b[k];
		mxd_smooth_snap(&b->thr);
		mxd_smooth_snap(&b->slope);
		mxd_smooth_snap(&b->knee);
		mxd_smooth_snap(&b->makeup);
		mxd_smooth_snap(&b->amt);
		mxd_smooth_snap(&b->audible);
		b->env = (mxd_dyn_env){ 0 };
	}
	if (s->rate > 0)
		redesign(s);
}

static int mb_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	mb_fx *s = (mb_fx *)fx;
	(void)max_block;
	s->rate = rate;
	s->channels = channels;
	init_smoothers(s, rate);
	for (int k = 0; k < NB; k++)
		update_times(s, &s->b[k]);
	mb_reset(fx);
	return 0;
}

static void mb_set_param(mxd_fx *fx, size_t slot, double v)
{
	mb_fx *s = (mb_fx *)fx;
	if (slot >= N_SLOTS || isnan(v))
		return;
	if (slot < FIRST_BAND_SLOT) {
		v = clampv(&params[slot], v);
		if (slot == P_BANDS) {
			s->bands = (uint32_t)floor(v + 0.5);
			if (s->rate > 0)
				redesign(s);
		} else {
			s->xf[slot - P_X1] = v;
			mxd_smooth_set(&s->lf[slot - P_X1], log2(v));
		}
		return;
	}
	size_t k = (slot - FIRST_BAND_SLOT) / N_SUB, j = (slot - FIRST_BAND_SLOT) % N_SUB;
	mb_band *b = &s->b[k];
	if (band_params[j].kind == MXD_PARAM_BOOL)
		v = v != 0 ? 1.0 : 0.0;
	else
		v = clampv(&band_params[j], v);
	b->v[j] = v;
	switch (j) {
	case B_THRESH: mxd_smooth_set(&b->thr, v); break;
	case B_RATIO: mxd_smooth_set(&b->slope, 1.0 - 1.0 / v); break;
	case B_KNEE: mxd_smooth_set(&b->knee, v); break;
	case B_MAKEUP: mxd_smooth_set(&b->makeup, v); break;
	case B_ATTACK:
	case B_RELEASE: update_times(s, b); break;
	case B_SOLO: update_audible(s); break;
	case B_BYPASS: mxd_smooth_set(&b->amt, v != 0 ? 0.0 : 1.0); break;
	default: break;
	}
}

static bool xo_ramping(const mb_fx *s)
{
	for (int i = 0; i < NB - 1; i++)
		if (!mxd_smooth_settled(&s->lf[i]))
			return true;
	return false;
}

static void mb_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	mb_fx *s = (mb_fx *)fx;
	(void)sc;
	const uint32_t nch = s->channels, nb = s->bands;
	uint32_t pos = 0;
	while (pos < n) {
		uint32_t m = n - pos;
		if (xo_ramping(s)) {
			m = m < SUB_BLOCK ? m : SUB_BLOCK;
			for (int i = 0; i < NB - 1; i++)
				mxd_smooth_advance(&s->lf[i], m);
			redesign(s);
		}
		for (uint32_t i = pos; i < pos + m; i++) {
			double split[MXD_MAX_CHANNELS][NB];
			double peak[NB] = { 0 };
			for (uint32_t c = 0; c < nch; c++) {
				double x = io[c][i];
				if (!isfinite(x))
					x = 0.0;
				mxd_xover_split(&s->xo, &s->st[c], x, split[c]);
				for (uint32_t k = 0; k < nb; k++)
					peak[k] = fmax(peak[k], fabs(split[c][k]));
			}
			double g[NB];
			for (uint32_t k = 0; k < nb; k++) {
				mb_band *b = &s->b[k];
				double thr = mxd_smooth_advance(&b->thr, 1);
				double sl = mxd_smooth_advance(&b->slope, 1);
				double kn = mxd_smooth_advance(&b->knee, 1);
				double mk = mxd_smooth_advance(&b->makeup, 1);
				double amt = mxd_smooth_advance(&b->amt, 1);
				double aud = mxd_smooth_advance(&b->audible, 1);
				double gr = 0.0;
				if (sl > 0.0 || b->env.y > 0.0 || b->env.y1 > 0.0) {
					double x = mxd_dyn_compress_gr(mxd_dyn_db(peak[k]), thr, sl, kn);
					gr = mxd_dyn_decoupled(&b->env, x, b->a_att, b->a_rel);
				}
				double gdb = amt * (mk - gr);
				g[k] = (gdb == 0.0 ? 1.0 : mxd_dyn_gain(gdb)) * aud;
			}
			for (uint32_t c = 0; c < nch; c++) {
				double y = 0.0;
				for (uint32_t k = 0; k < nb; k++)
					y += g[k] * split[c][k];
				io[c][i] = (float)y;
			}
		}
		pos += m;
	}
	for (uint32_t c = 0; c < nch; c++)
		mxd_xover_check(&s->st[c]);
}

static uint32_t mb_latency(const mxd_fx *fx)
{
	(void)fx;
	return 0;
}

static void mb_destroy(mxd_fx *fx)
{
	free(fx);
}

const mxd_fx_class mxd_fx_multiband_class = {
	.name = "multiband",
	.summary = "Multiband compressor: 2-5 bands on Linkwitz-Riley LR4 crossovers (allpass-summing)",
	.params = params,
	.n_params = N_PARAMS,
	.n_slots = N_SLOTS,
	.create = mb_create,
	.activate = mb_activate,
	.set_param = mb_set_param,
	.run = mb_run,
	.latency = mb_latency,
	.reset = mb_reset,
	.destroy = mb_destroy,
};
