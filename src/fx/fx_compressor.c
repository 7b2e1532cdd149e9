/* mixdown — `compressor`: feed-forward downward compressor with soft knee,
 * log-domain smooth peak detector, lookahead, stereo link, key filter and
 * sidechain input.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Parameters (session keys):
 *   threshold     dB, [-60, 0], default -18, automatable (smoothed 20 ms).
 *   ratio         [1, 100], default 4, automatable (smoothed 20 ms, on the
 *                 slope 1 - 1/ratio). 100 means infinity (a limiter curve).
 *   knee          dB, [0, 24], default 6, automatable (smoothed 20 ms): width
 *                 of the quadratic soft knee centred on the threshold; 0 = hard.
 *   attack        ms, [0.01, 500], default 10, automatable.
 *   release       ms, [1, 5000], default 120, automatable.
 *   auto_release  bool, default false: programme-dependent release (below).
 *   makeup        dB, [-24, 36], default 0, automatable (smoothed 20 ms).
 *   auto_makeup   bool, default false: adds the rule below to `makeup`.
 *   detector      enum peak|rms, default peak.
 *   stereo_link   [0, 1], default 1, automatable (smoothed 20 ms): 1 = every
 *                 channel gets the same gain, computed from the largest
 *                 channel level (peak) or the mean channel power (rms); 0 =
 *                 each channel is compressed on its own; in between the
 *                 detected levels (dB) are blended.
 *   lookahead     ms, [0, 20], default 0, not automatable: the audio is
 *                 delayed by round(lookahead * fs / 1000) frames while the
 *                 detector sees the undelayed key, so the gain moves before the
 *                 transient arrives. latency() reports exactly that delay. A
 *                 change takes effect at the next activate().
 *   sidechain_hpf Hz, [0, 2000], default 0 (off), automatable: a 2nd-order
 *                 Butterworth high-pass on the detector signal only (so bass
 *                 does not pump the compressor).
 *
 * Signal flow, after D. Giannoulis, M. Massberg, J. D. Reiss, "Digital Dynamic
 * Range Compressor Design — A Tutorial and Analysis", JAES 60(6), 2012
 * ("GMR"), their recommended feed-forward log-domain design:
 *   key (the sidechain input when run() gets one, else the input itself)
 *   -> key high-pass -> level x_G in dB (peak: 20 log10 |x| per sample; rms:
 *      10 log10 of x^2 averaged by a one-pole of 10 ms) -> stereo link ->
 *   gain computer x_L = x_G - y_G (GMR eq. 4, src/dsp/dynamics.h) ->
 *   smooth decoupled peak detector on x_L (GMR eq. 17) -> y_L ->
 *   gain = 10^((makeup - y_L) / 20) applied to the (lookahead-delayed) input.
 * The peak level and the gain use mxd_dyn_db_fastf() and mxd_dyn_gain_fastf()
 * (dsp/dynamics.h: single-precision polynomials, within 4e-5 dB and 1e-6 of
 * libm, a fraction of the cost; the envelope stays in double); graph/strip_batch.c runs this plain peak path for
 * many tracks at once with the same arithmetic (mxd_fx_compressor_plan()).
 *
 * Time constants: attack and release are the times the gain reduction takes
 * to cover 1 - 1/e (63 %) of a step of the key level (+20 dB and back, say);
 * one-pole coefficients are alpha = exp(-1 / (tau fs)). The release of the
 * decoupled detector also passes through the attack stage, so the internal
 * release stage runs at the time mxd_dyn_decoupled_release_ms() computes,
 * which makes the measured 63 % release time equal `release` (possible
 * when release is longer than attack; otherwise the release is as fast as
 * the attack allows).
 *
 * auto_release: a slow envelope s follows x_L (branching one-pole: rising
 * with 10 x release, falling with 3 x release); the detector then releases
 * three times faster (release / 3) but not below s. An isolated peak barely
 * charges s and recovers fast; a second or more of compression charges s,
 * and the gain comes back slowly (less pumping on dense material).
 *
 * auto_makeup (GMR sec. 2.5): makeup += the gain computer's reduction for a
 * 0 dB input, x_L(0) (hard knee: -threshold (1 - 1/ratio)), so that a
 * full-scale level (peak 0 dBFS for the peak detector, RMS 0 dBFS for rms)
 * leaves the compressor at the level it entered.
 *
 * Smoothing: threshold, ratio, knee, makeup and stereo_link ramp over 20 ms.
 * attack, release and the key filter change at once: they act only on the
 * detector, whose output reaches the gain through the ballistics, so the
 * gain stays continuous. Bool/enum changes also only touch the detector.
 *
 * Gain-reduction meter: see fx/meter_gr.h (mxd_fx_gain_reduction_db).
 * Robustness: non-finite key samples are read as silence by the detector, so
 * NaN/Inf never enters its state; the delayed audio carries such samples
 * through for `lookahead` frames only. Silence in gives exact zeros out; all
 * envelopes flush to 0 below 1e-9 dB.
 * Threads: see processor.h (run() is real-time safe).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/biquad.h"
#include "dsp/delay.h"
#include "dsp/dynamics.h"
#include "dsp/smooth.h"
#include "fx/fx_batch.h"
#include "fx/meter_gr.h"
#include "fx/processor.h"

#define CHUNK 256u
#define RMS_MS 10.0
#define MAX_LOOKAHEAD_MS 20.0
#define AUTO_FAST 3.0    /* auto_release: fast stage release / 3, s falls with 3 x release */
#define AUTO_CHARGE 10.0 /* auto_release: s rises with 10 x release */

enum {
	P_THRESHOLD,
	P_RATIO,
	P_KNEE,
	P_ATTACK,
	P_RELEASE,
	P_AUTO_RELEASE,
	P_MAKEUP,
	P_AUTO_MAKEUP,
	P_DETECTOR,
	P_STEREO_LINK,
	P_LOOKAHEAD,
	P_SC_HPF,
	N_SLOTS
};
enum { DET_PEAK, DET_RMS };

static const char *const detector_names[] = { "peak", "rms", NULL };

static const mxd_param params[] = {
	{ .name = "threshold", .kind = MXD_PARAM_NUMBER, .unit = "dB", .min = -60, .max = 0, .def = -18,
	  .automatable = true, .help = "Level above which the gain is reduced", .first_slot = P_THRESHOLD },
	{ .name = "ratio", .kind = MXD_PARAM_NUMBER, .unit = "", .min = 1, .max = 100, .def = 4,
	  .automatable = true, .help = "Compression ratio above the threshold (100 = infinity)",
	  .first_slot = P_RATIO },
	{ .name = "knee", .kind = MXD_PARAM_NUMBER, .unit = "dB", .min = 0, .max = 24, .def = 6,
	  .automatable = true, .help = "Width of the soft knee around the threshold (0 = hard)",
	  .first_slot = P_KNEE },
	{ .name = "attack", .kind = MXD_PARAM_NUMBER, .unit = "ms", .min = 0.01, .max = 500, .def = 10,
	  .automatable = true, .help = "Time to 63 % of a gain-reduction increase", .first_slot = P_ATTACK },
	{ .name = "release", .kind = MXD_PARAM_NUMBER, .unit = "ms", .min = 1, .max = 5000, .def = 120,
	  .automatable = true, .help = "Time to 63 % of a gain-reduction decrease", .first_slot = P_RELEASE },
	{ .name = "auto_release", .kind = MXD_PARAM_BOOL, .unit = "", .min = 0, .max = 1, .def = 0,
	  .help = "Programme-dependent release (fast after peaks, slow after long compression)",
	  .first_slot = P_AUTO_RELEASE },
	{ .name = "makeup", .kind = MXD_PARAM_NUMBER, .unit = "dB", .min = -24, .max = 36, .def = 0,
	  .automatable = true, .help = "Gain after compression", .first_slot = P_MAKEUP },
	{ .name = "auto_makeup", .kind = MXD_PARAM_BOOL, .unit = "", .min = 0, .max = 1, .def = 0,
	  .help = "Add the reduction a 0 dBFS level gets, so full scale stays full scale",
	  .first_slot = P_AUTO_MAKEUP },
	{ .name = "detector", .kind = MXD_PARAM_ENUM, .unit = "", .min = 0, .max = 1, .def = DET_PEAK,
	  .choices = detector_names, .help = "Level detector: sample peak or RMS (10 ms)",
	  .first_slot = P_DETECTOR },
	{ .name = "stereo_link", .kind = MXD_PARAM_NUMBER, .unit = "", .min = 0, .max = 1, .def = 1,
	  .automatable = true, .help = "1 = same gain on all channels, 0 = independent channels",
	  .first_slot = P_STEREO_LINK },
	{ .name = "lookahead", .kind = MXD_PARAM_NUMBER, .unit = "ms", .min = 0, .max = MAX_LOOKAHEAD_MS,
	  .def = 0, .help = "Delay of the audio against the detector; sets the latency (not automatable)",
	  .first_slot = P_LOOKAHEAD },
	{ .name = "sidechain_hpf", .kind = MXD_PARAM_NUMBER, .unit = "Hz", .min = 0, .max = 2000, .def = 0,
	  .automatable = true, .help = "High-pass on the detector signal (0 = off)", .first_slot = P_SC_HPF },
};

typedef struct {
	mxd_fx base;
	mxd_gr_meter gr; /* must follow base: see fx/meter_gr.h */
	double v[N_SLOTS];
	double rate; /* 0 until activate() */
	uint32_t channels;
	uint32_t look; /* lookahead frames, fixed at activate() */
	mxd_smooth thr, slope, knee, makeup, link;
	double a_att, a_rel, a_fast, a_charge, a_slow, a_rms;
	bool hpf_on;
	mxd_bq_cascade hpf;
	mxd_bq_state hst[MXD_MAX_CHANNELS][MXD_BQ_MAX_SECTIONS];
	mxd_dyn_env env[MXD_MAX_CHANNELS];
	double slow[MXD_MAX_CHANNELS]; /* auto_release envelope, dB */
	double ms[MXD_MAX_CHANNELS];   /* rms detector mean square */
	mxd_delay line[MXD_MAX_CHANNELS];
	float det[MXD_MAX_CHANNELS][CHUNK];
} comp_fx;

static double slope_of(double ratio)
{
	return ratio >= 100.0 ? 1.0 : 1.0 - 1.0 / ratio;
}

static void update_times(comp_fx *s)
{
	double att = s->v[P_ATTACK], rel = s->v[P_RELEASE];
	s->a_att = mxd_dyn_alpha(att, s->rate);
	s->a_rel = mxd_dyn_alpha(mxd_dyn_decoupled_release_ms(att, rel), s->rate);
	s->a_fast = mxd_dyn_alpha(mxd_dyn_decoupled_release_ms(att, rel / AUTO_FAST), s->rate);
	s->a_charge = mxd_dyn_alpha(rel * AUTO_CHARGE, s->rate);
	s->a_slow = mxd_dyn_alpha(rel * AUTO_FAST, s->rate);
	s->a_rms = mxd_dyn_alpha(RMS_MS, s->rate);
}

static void update_hpf(comp_fx *s)
{
	bool on = s->v[P_SC_HPF] > 0 && s->rate > 0;
	if (on)
		mxd_butterworth_design(&s->hpf, true, s->rate, s->v[P_SC_HPF], 2);
	if (on && !s->hpf_on)
		memset(s->hst, 0, sizeof s->hst);
	s->hpf_on = on;
}

static void init_smoothers(comp_fx *s, double rate)
{
	mxd_smooth_init(&s->thr, rate, MXD_SMOOTH_MS, s->v[P_THRESHOLD]);
	mxd_smooth_init(&s->slope, rate, MXD_SMOOTH_MS, slope_of(s->v[P_RATIO]));
	mxd_smooth_init(&s->knee, rate, MXD_SMOOTH_MS, s->v[P_KNEE]);
	mxd_smooth_init(&s->makeup, rate, MXD_SMOOTH_MS, s->v[P_MAKEUP]);
	mxd_smooth_init(&s->link, rate, MXD_SMOOTH_MS, s->v[P_STEREO_LINK]);
}

static mxd_fx *comp_create(const mxd_fx_class *cls)
{
	comp_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	for (size_t i = 0; i < N_SLOTS; i++)
		s->v[i] = params[i].def;
	init_smoothers(s, 0);
	return &s->base;
}

static void comp_reset(mxd_fx *fx)
{
	comp_fx *s = (comp_fx *)fx;
	memset(s->hst, 0, sizeof s->hst);
	memset(s->env, 0, sizeof s->env);
	memset(s->slow, 0, sizeof s->slow);
	memset(s->ms, 0, sizeof s->ms);
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		mxd_delay_clear(&s->line[c]);
	mxd_smooth_snap(&s->thr);
	mxd_smooth_snap(&s->slope);
	mxd_smooth_snap(&s->knee);
	mxd_smooth_snap(&s->makeup);
	mxd_smooth_snap(&s->link);
	mxd_gr_meter_store(&s->gr, 0.0);
}

static int comp_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	comp_fx *s = (comp_fx *)fx;
	(void)max_block;
	s->rate = rate;
	s->channels = channels;
	s->look = (uint32_t)floor(s->v[P_LOOKAHEAD] * rate / 1000.0 + 0.5);
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		mxd_delay_free(&s->line[c]);
	for (uint32_t c = 0; s->look > 0 && c < channels; c++)
		if (mxd_delay_alloc(&s->line[c], s->look) != 0)
			return -1;
	init_smoothers(s, rate);
	update_times(s);
	s->hpf_on = false;
	update_hpf(s);
	comp_reset(fx);
	return 0;
}

static void comp_set_param(mxd_fx *fx, size_t slot, double v)
{
	comp_fx *s = (comp_fx *)fx;
	if (slot >= N_SLOTS || isnan(v))
		return;
	const mxd_param *p = &params[slot];
	double lo = p->kind == MXD_PARAM_NUMBER ? p->min : 0, hi = p->kind == MXD_PARAM_NUMBER ? p->max : 1;
	v = v < lo ? lo : v > hi ? hi : v;
	if (p->kind != MXD_PARAM_NUMBER)
		v = floor(v + 0.5);
	s->v[slot] = v;
	switch (slot) {
	case P_THRESHOLD: mxd_smooth_set(&s->thr, v); break;
	case P_RATIO: mxd_smooth_set(&s->slope, slope_of(v)); break;
	case P_KNEE: mxd_smooth_set(&s->knee, v); break;
	case P_MAKEUP: mxd_smooth_set(&s->makeup, v); break;
	case P_STEREO_LINK: mxd_smooth_set(&s->link, v); break;
	case P_ATTACK:
	case P_RELEASE:
		if (s->rate > 0)
			update_times(s);
		break;
	case P_SC_HPF: update_hpf(s); break;
	default: break; /* bools, detector: read in run(); lookahead: at activate() */
	}
	if (s->rate <= 0)
		comp_reset(fx);
}

static void comp_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	comp_fx *s = (comp_fx *)fx;
	const uint32_t nch = s->channels;
	const bool rms = s->v[P_DETECTOR] == DET_RMS, autorel = s->v[P_AUTO_RELEASE] != 0,
		   automk = s->v[P_AUTO_MAKEUP] != 0;
	double level[MXD_MAX_CHANNELS], y = 0;
	for (uint32_t pos = 0; pos < n;) {
		uint32_t m = n - pos < CHUNK ? n - pos : CHUNK;
		for (uint32_t c = 0; c < nch; c++) {
			const float *k = (sc && sc[c] ? sc[c] : io[c]) + pos;
			for (uint32_t i = 0; i < m; i++)
				s->det[c][i] = isfinite(k[i]) ? k[i] : 0.0f;
			if (s->hpf_on)
				mxd_bq_cascade_process(&s->hpf, s->hst[c], s->det[c], m);
		}
		for (uint32_t i = 0; i < m; i++) {
			double thr = mxd_smooth_at(&s->thr, i), slope = mxd_smooth_at(&s->slope, i);
			double knee = mxd_smooth_at(&s->knee, i), link = mxd_smooth_at(&s->link, i);
			double mk = mxd_smooth_at(&s->makeup, i);
			if (automk)
				mk += mxd_dyn_compress_gr(0.0, thr, slope, knee);
			double linked;
			if (rms) {
				double sum = 0;
				for (uint32_t c = 0; c < nch; c++) {
					double x = s->det[c][i];
					double ms = s->a_rms * s->ms[c] + (1.0 - s->a_rms) * x * x;
					s->ms[c] = ms < 1e-30 ? 0.0 : ms;
					sum += s->ms[c];
					level[c] = mxd_dyn_power_db(s->ms[c]);
				}
				linked = mxd_dyn_power_db(sum / nch);
			} else {
				linked = MXD_DYN_FLOOR_DB;
				for (uint32_t c = 0; c < nch; c++) {
					level[c] = mxd_dyn_db_fastf(fabsf(s->det[c][i]));
					linked = level[c] > linked ? level[c] : linked;
				}
			}
			double gr_max = 0;
			for (uint32_t c = 0; c < nch; c++) {
				double lv = link * linked + (1.0 - link) * level[c];
				double xl = mxd_dyn_compress_gr(lv, thr, slope, knee);
				if (autorel) {
					mxd_dyn_branching(&s->slow[c], xl, s->a_charge, s->a_slow);
					y = mxd_dyn_decoupled(&s->env[c], xl > s->slow[c] ? xl : s->slow[c], s->a_att,
							      s->a_fast);
				} else {
					y = mxd_dyn_decoupled(&s->env[c], xl, s->a_att, s->a_rel);
				}
				gr_max = y > gr_max ? y : gr_max;
				float a = mxd_delay_tick(&s->line[c], io[c][pos + i], s->look);
				double g = mk - y;
				io[c][pos + i] = g == 0.0 ? a : a * mxd_dyn_gain_fastf((float)g);
			}
			if (i + 1 == m)
				mxd_gr_meter_store(&s->gr, gr_max);
		}
		mxd_smooth_advance(&s->thr, m);
		mxd_smooth_advance(&s->slope, m);
		mxd_smooth_advance(&s->knee, m);
		mxd_smooth_advance(&s->makeup, m);
		mxd_smooth_advance(&s->link, m);
		pos += m;
	}
}

static uint32_t comp_latency(const mxd_fx *fx)
{
	return ((const comp_fx *)fx)->look;
}

static void comp_destroy(mxd_fx *fx)
{
	comp_fx *s = (comp_fx *)fx;
	if (!s)
		return;
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		mxd_delay_free(&s->line[c]);
	free(s);
}

const mxd_fx_class mxd_fx_compressor_class = {
	.name = "compressor",
	.summary = "Compressor: soft knee, log-domain peak/RMS detector, lookahead, stereo link, sidechain",
	.params = params,
	.n_params = sizeof params / sizeof params[0],
	.n_slots = N_SLOTS,
	.wants_sidechain = true,
	.create = comp_create,
	.activate = comp_activate,
	.set_param = comp_set_param,
	.run = comp_run,
	.latency = comp_latency,
	.reset = comp_reset,
	.destroy = comp_destroy,
};

/* fx/fx_batch.h: the plain case, for graph/strip_batch.c (which then computes
 * exactly what comp_run() computes, across many strips at once). */
bool mxd_fx_compressor_plan(mxd_fx *fx, mxd_comp_plan *p)
{
	comp_fx *s = (comp_fx *)fx;
	if (fx->cls != &mxd_fx_compressor_class || s->v[P_DETECTOR] != DET_PEAK || s->v[P_AUTO_RELEASE] != 0 ||
	    s->look != 0 || s->hpf_on || !mxd_smooth_settled(&s->thr) || !mxd_smooth_settled(&s->slope) ||
	    !mxd_smooth_settled(&s->knee) || !mxd_smooth_settled(&s->makeup) || !mxd_smooth_settled(&s->link))
		return false;
	p->thr = s->thr.target;
	p->slope = s->slope.target;
	p->knee = s->knee.target;
	p->link = s->link.target;
	p->makeup = s->makeup.target;
	if (s->v[P_AUTO_MAKEUP] != 0)
		p->makeup += mxd_dyn_compress_gr(0.0, p->thr, p->slope, p->knee);
	p->a_att = s->a_att;
	p->a_rel = s->a_rel;
	p->channels = s->channels;
	p->env = s->env;
	p->gr = &s->gr;
	return true;
}
