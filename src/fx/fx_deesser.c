/* mixdown — `deesser`: split-band de-esser.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Parameters (session keys):
 *   frequency  Hz, [2000, 16000], default 6500, automatable (smoothed 20 ms on
 *              a log2 scale; the band-pass is redesigned every frame while it
 *              moves, so the split stays exact and the sweep is click-free):
 *              centre of the sibilance band.
 *   threshold  dB, [-60, 0], default -30, automatable (smoothed 20 ms): band
 *              level (sample peak) above which the band is reduced.
 *   range      dB, [0, 24], default 6, automatable (smoothed 20 ms): the
 *              largest reduction.
 *   listen     bool, default false: output the detector band (the sidechain
 *              band when a sidechain is routed, else the input's band) so the
 *              user hears what triggers the reduction.
 *
 * Split: band b = RBJ constant-0-dB-peak band-pass of the input at
 * `frequency`, Q = 1 (R. Bristow-Johnson, Audio EQ Cookbook; src/dsp/biquad.h),
 * the rest is x - b; output = (x - b) + g b = x + (g - 1) b in double
 * precision. With no reduction (g exactly 1) the output is the input, bit for
 * bit; only the band is ever turned down, the rest passes untouched.
 *
 * Detector: the same band-pass on the key (the sidechain when run() gets
 * one, else the input), linked over the channels (largest |band| sample),
 * level in dB, gain computer of D. Giannoulis, M. Massberg, J. D. Reiss,
 * "Digital Dynamic Range Compressor Design — A Tutorial and Analysis",
 * JAES 60(6), 2012 (eq. 4) with an infinite ratio and hard knee, capped at
 * `range`: reduction r = min(range, max(0, L_band - threshold)), i.e. the
 * band is held at the threshold until the cap. Smoothed by their smooth
 * decoupled peak detector in the log domain (eq. 17), attack 0.5 ms, release
 * 60 ms (63 % times of a step, alpha = exp(-1 / (tau fs)); the release stage
 * compensated as in src/dsp/dynamics.h). Gain g = 10^(-r / 20).
 *
 * Gain-reduction meter: fx/meter_gr.h (the band's reduction). Latency 0.
 * Robustness: non-finite key samples read as silence; the band filters clear
 * non-finite state themselves (biquad.h). Silence in gives zeros out.
 * Threads: see processor.h (run() is real-time safe).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/biquad.h"
#include "dsp/dynamics.h"
#include "dsp/smooth.h"
#include "fx/meter_gr.h"
#include "fx/processor.h"

#define CHUNK 256u
#define BAND_Q 1.0
#define ATTACK_MS 0.5
#define RELEASE_MS 60.0

enum { P_FREQUENCY, P_THRESHOLD, P_RANGE, P_LISTEN, N_SLOTS };

static const mxd_param params[] = {
	{ .name = "frequency", .kind = MXD_PARAM_NUMBER, .unit = "Hz", .min = 2000, .max = 16000,
	  .def = 6500, .automatable = true, .help = "Centre of the sibilance band (band-pass, Q 1)",
	  .first_slot = P_FREQUENCY },
	{ .name = "threshold", .kind = MXD_PARAM_NUMBER, .unit = "dB", .min = -60, .max = 0, .def = -30,
	  .automatable = true, .help = "Band level above which the band is reduced", .first_slot = P_THRESHOLD },
	{ .name = "range", .kind = MXD_PARAM_NUMBER, .unit = "dB", .min = 0, .max = 24, .def = 6,
	  .automatable = true, .help = "Largest reduction of the band", .first_slot = P_RANGE },
	{ .name = "listen", .kind = MXD_PARAM_BOOL, .unit = "", .min = 0, .max = 1, .def = 0,
	  .help = "Output the detector band (what triggers the reduction)", .first_slot = P_LISTEN },
};

typedef struct {
	mxd_fx base;
	mxd_gr_meter gr; /* must follow base: see fx/meter_gr.h */
	double v[N_SLOTS];
	double rate; /* 0 until activate() */
	uint32_t channels;
	mxd_smooth lf, thr, range; /* log2 Hz, dB, dB */
	double a_att, a_rel;
	mxd_biquad bp;
	mxd_bq_state ast[MXD_MAX_CHANNELS]; /* audio band */
	mxd_bq_state kst[MXD_MAX_CHANNELS]; /* key band (sidechain) */
	mxd_dyn_env env;
	float band[MXD_MAX_CHANNELS][CHUNK];
	float key[MXD_MAX_CHANNELS][CHUNK];
} deess_fx;

static void design(deess_fx *s)
{
	mxd_biquad_design(&s->bp, MXD_BQ_BANDPASS, s->rate, exp2(s->lf.cur), BAND_Q, 0.0);
}

static mxd_fx *deess_create(const mxd_fx_class *cls)
{
	deess_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	for (size_t i = 0; i < N_SLOTS; i++)
		s->v[i] = params[i].def;
	mxd_smooth_init(&s->lf, 0, MXD_SMOOTH_MS, log2(s->v[P_FREQUENCY]));
	mxd_smooth_init(&s->thr, 0, MXD_SMOOTH_MS, s->v[P_THRESHOLD]);
	mxd_smooth_init(&s->range, 0, MXD_SMOOTH_MS, s->v[P_RANGE]);
	return &s->base;
}

static void deess_reset(mxd_fx *fx)
{
	deess_fx *s = (deess_fx *)fx;
	memset(s->ast, 0, sizeof s->ast);
	memset(s->kst, 0, sizeof s->kst);
	memset(&s->env, 0, sizeof s->env);
	mxd_smooth_snap(&s->lf);
	mxd_smooth_snap(&s->thr);
	mxd_smooth_snap(&s->range);
	if (s->rate > 0)
		design(s);
	mxd_gr_meter_store(&s->gr, 0.0);
}

static int deess_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	deess_fx *s = (deess_fx *)fx;
	(void)max_block;
	s->rate = rate;
	s->channels = channels;
	mxd_smooth_init(&s->lf, rate, MXD_SMOOTH_MS, log2(s->v[P_FREQUENCY]));
	mxd_smooth_init(&s->thr, rate, MXD_SMOOTH_MS, s->v[P_THRESHOLD]);
	mxd_smooth_init(&s->range, rate, MXD_SMOOTH_MS, s->v[P_RANGE]);
	s->a_att = mxd_dyn_alpha(ATTACK_MS, rate);
	s->a_rel = mxd_dyn_alpha(mxd_dyn_decoupled_release_ms(ATTACK_MS, RELEASE_MS), rate);
	deess_reset(fx);
	return 0;
}

static void deess_set_param(mxd_fx *fx, size_t slot, double v)
{
	deess_fx *s = (deess_fx *)fx;
	if (slot >= N_SLOTS || isnan(v))
		return;
	const mxd_param *p = &params[slot];
	v = v < p->min ? p->min : v > p->max ? p->max : v;
	if (p->kind == MXD_PARAM_BOOL)
		v = v >= 0.5 ? 1.0 : 0.0;
	s->v[slot] = v;
	switch (slot) {
	case P_FREQUENCY: mxd_smooth_set(&s->lf, log2(v)); break;
	case P_THRESHOLD: mxd_smooth_set(&s->thr, v); break;
	case P_RANGE: mxd_smooth_set(&s->range, v); break;
	default: break;
	}
	if (s->rate <= 0) {
		mxd_smooth_snap(&s->lf);
		mxd_smooth_snap(&s->thr);
		mxd_smooth_snap(&s->range);
	}
}

/* Decaying filter tails: no subnormal numbers in the output. */
static void flush(float *x, uint32_t m)
{
	for (uint32_t i = 0; i < m; i++)
		if (fabsf(x[i]) < 1e-30f)
			x[i] = 0.0f;
}

/* Frames [0, m) of the chunk at io + pos (m <= CHUNK). */
static void process(deess_fx *s, float *const *io, const float *const *sc, uint32_t pos, uint32_t m)
{
	const uint32_t nch = s->channels;
	const bool listen = s->v[P_LISTEN] != 0;
	for (uint32_t c = 0; c < nch; c++) {
		memcpy(s->band[c], io[c] + pos, m * sizeof(float));
		mxd_biquad_process(&s->bp, &s->ast[c], s->band[c], m);
		flush(s->band[c], m);
		if (sc && sc[c]) {
			for (uint32_t i = 0; i < m; i++)
				s->key[c][i] = isfinite(sc[c][pos + i]) ? sc[c][pos + i] : 0.0f;
			mxd_biquad_process(&s->bp, &s->kst[c], s->key[c], m);
			flush(s->key[c], m);
		}
	}
	double y = s->env.y;
	for (uint32_t i = 0; i < m; i++) {
		double peak = 0;
		for (uint32_t c = 0; c < nch; c++) {
			double a = fabs((double)(sc && sc[c] ? s->key[c][i] : s->band[c][i]));
			peak = a > peak ? a : peak; /* NaN compares false: ignored */
		}
		double thr = mxd_smooth_at(&s->thr, i), range = mxd_smooth_at(&s->range, i);
		double xl = mxd_dyn_compress_gr(mxd_dyn_db(peak), thr, 1.0, 0.0);
		y = mxd_dyn_decoupled(&s->env, xl < range ? xl : range, s->a_att, s->a_rel);
		for (uint32_t c = 0; c < nch; c++) {
			float *x = &io[c][pos + i];
			if (listen)
				*x = sc && sc[c] ? s->key[c][i] : s->band[c][i];
			else if (y != 0.0)
				*x = (float)((double)*x + (mxd_dyn_gain(-y) - 1.0) * s->band[c][i]);
		}
	}
	mxd_gr_meter_store(&s->gr, y);
}

static void deess_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	deess_fx *s = (deess_fx *)fx;
	for (uint32_t pos = 0; pos < n;) {
		uint32_t m = n - pos < CHUNK ? n - pos : CHUNK;
		if (!mxd_smooth_settled(&s->lf)) { /* one frame at a time while it moves */
			m = 1;
			mxd_smooth_advance(&s->lf, 1);
			design(s);
		}
		process(s, io, sc, pos, m);
		mxd_smooth_advance(&s->thr, m);
		mxd_smooth_advance(&s->range, m);
		pos += m;
	}
}

static uint32_t deess_latency(const mxd_fx *fx)
{
	(void)fx;
	return 0;
}

static void deess_destroy(mxd_fx *fx)
{
	free(fx);
}

const mxd_fx_class mxd_fx_deesser_class = {
	.name = "deesser",
	.summary = "De-esser: split-band reduction of a sibilance band (band-pass), listen mode, sidechain",
	.params = params,
	.n_params = sizeof params / sizeof params[0],
	.n_slots = N_SLOTS,
	.wants_sidechain = true,
	.create = deess_create,
	.activate = deess_activate,
	.set_param = deess_set_param,
	.run = deess_run,
	.latency = deess_latency,
	.reset = deess_reset,
	.destroy = deess_destroy,
};
