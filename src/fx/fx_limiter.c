/* mixdown — `limiter`: lookahead brickwall limiter (sample-peak or true-peak).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Parameters:
 *   ceiling       dB, [-30, 0], default -1, automatable: the output never exceeds it.
 *   true_peak     bool, default true: detect the true (inter-sample) peak by 4x
 *                 oversampling the detector, as ITU-R BS.1770-4 Annex 2 describes
 *                 (there with a 48-tap interpolator; here the linear-phase
 *                 half-band cascade of src/dsp/oversample.h, 100 dB stopband,
 *                 passband to 0.45 fs). Off: the sample peak is detected.
 *                 May change mid-run (the gain path smooths the change).
 *   lookahead     ms, [0.5, 20], default 2. Not automatable: it sets the
 *                 latency, so a change takes effect at the next activate().
 *   release       ms, [1, 2000], default 100, automatable (smoothed 20 ms).
 *   auto_release  bool, default false: programme-dependent release (below).
 *   gain          dB, [-24, 36], default 0, automatable (smoothed 20 ms):
 *                 input gain before the limiter (drives the signal into it).
 * All channels share one gain (linked), so the stereo image does not move.
 *
 * Gain computer (the feed-forward lookahead design of D. Giannoulis,
 * M. Massberg, J. D. Reiss, "Digital Dynamic Range Compressor Design — A
 * Tutorial and Analysis", JAES 60(6), 2012, with the lookahead delay of
 * U. Zölzer (ed.), "DAFX", 2nd ed., 2011, ch. 4 "Nonlinear processing",
 * limiter section): per frame k, with W = lookahead frames and H = 8:
 *   p[k]  peak of the (gained) input: max |x| over the 4x sub-samples of
 *         frames k-1 and k (true peak), or |x| of the aligned frame;
 *   r[k]  = min(1, ceiling / p[k])  the gain that frame needs;
 *   m[k]  = min of r over the last W + 2H frames (running minimum, O(1));
 *   e[k]  = min(m[k], e[k-1] + (t - e[k-1]) a)  instant attack, one-pole
 *         release toward t (1, or the slow envelope below), a from `release`;
 *   g[k]  = mean of e over the last W frames (boxcar).
 * Every term of that mean is <= r[j] for each j in a 2H + 1 window, so the
 * gain applied to the audio at the window centre — the input delayed by
 * latency = W - 1 + H + D frames (D = detector delay) — is <= what it
 * needs: the gain reaches its target exactly in time (linear ramp over W
 * frames, no overshoot) and is flat +-H frames around the peak, so the
 * reconstructed (inter-sample) signal between samples sees a steady gain.
 * A final clip at the ceiling catches float rounding (sample peak: it can
 * never act by more than rounding; true peak: the true peak >= sample peak).
 *
 * auto_release: a slow envelope s follows m with time constant `release`
 * (both ways); e releases 5x faster (release / 5) but only up to s. Short
 * peaks barely move s, so they recover fast; sustained limiting pulls s down
 * and the release becomes slow (less pumping and distortion on dense mixes).
 *
 * True-peak mode holds the detected true peak 0.5 dB (TP_MARGIN) under the
 * ceiling: BS.1770 meters with short interpolators (libebur128) read
 * broadband transients up to ~0.5 dB above the band-limited peak. A second,
 * identical stage with 0.5 ms lookahead/release then limits the output of
 * the first (it catches inter-sample overs that the gain modulation itself
 * creates; with sample peaks it never acts) and clips at the ceiling.
 *
 * Latency: sum over both stages of W - 1 + H + D frames, D = ceil(up-path
 * group delay of the 4x detector), the same with true_peak on or off (so it
 * can be switched).
 * Non-finite input samples are replaced by 0 at the input (a NaN/Inf cannot
 * enter the state). Silence in gives exact zeros out.
 * Threads: see processor.h (run() is real-time safe).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/delay.h"
#include "dsp/oversample.h"
#include "dsp/smooth.h"
#include "fx/processor.h"

#define HOLD 8u           /* frames of flat gain either side of a peak */
#define TP_FACTOR 4u      /* true-peak detector oversampling */
#define SUM_REFRESH 4096u /* recompute the boxcar sum this often (frames) */
/* True-peak mode keeps the detected true peak this far under the ceiling:
 * short BS.1770 interpolators (libebur128's, which the tests measure with) read
 * up to ~0.5 dB above the band-limited peak on broadband transients. */
#define TP_MARGIN 1.0592537251772889 /* +0.5 dB */
#define SAFETY_MS 0.5     /* lookahead and release of the inter-sample safety stage */

enum { P_CEILING, P_TRUE_PEAK, P_LOOKAHEAD, P_RELEASE, P_AUTO_RELEASE, P_GAIN, N_SLOTS };

static const mxd_param params[] = {
	{ .name = "ceiling", .kind = MXD_PARAM_NUMBER, .unit = "dB", .min = -30, .max = 0, .def = -1,
	  .automatable = true, .help = "Maximum output level (dBFS, sample or true peak)",
	  .first_slot = P_CEILING },
	{ .name = "true_peak", .kind = MXD_PARAM_BOOL, .unit = "", .min = 0, .max = 1, .def = 1,
	  .help = "Limit the true (inter-sample) peak, 4x oversampled detector (BS.1770-4)",
	  .first_slot = P_TRUE_PEAK },
	{ .name = "lookahead", .kind = MXD_PARAM_NUMBER, .unit = "ms", .min = 0.5, .max = 20, .def = 2,
	  .help = "Lookahead time; sets the latency (not automatable)", .first_slot = P_LOOKAHEAD },
	{ .name = "release", .kind = MXD_PARAM_NUMBER, .unit = "ms", .min = 1, .max = 2000, .def = 100,
	  .automatable = true, .help = "Release time constant", .first_slot = P_RELEASE },
	{ .name = "auto_release", .kind = MXD_PARAM_BOOL, .unit = "", .min = 0, .max = 1, .def = 0,
	  .help = "Programme-dependent release: fast after short peaks, slow when sustained",
	  .first_slot = P_AUTO_RELEASE },
	{ .name = "gain", .kind = MXD_PARAM_NUMBER, .unit = "dB", .min = -24, .max = 36, .def = 0,
	  .automatable = true, .help = "Input gain into the limiter", .first_slot = P_GAIN },
};

/* One gain computer: running minimum, release, boxcar (see the header). */
typedef struct {
	uint32_t w, win;       /* boxcar W, minimum window W + 2H */
	double *dq_v;          /* running-min deque (ring of win + 1) */
	uint64_t *dq_i;
	uint32_t dq_head, dq_len;
	double *box;           /* boxcar ring of W envelope values */
	uint32_t box_w, refresh;
	double box_sum, env, slow;
	uint64_t frame;
} gaincomp;

/* One limiting stage: gained input -> delay line -> gain. */
typedef struct {
	mxd_os os;                           /* 4x true-peak detector */
	mxd_delay line[MXD_MAX_CHANNELS];
	mxd_delay ceil_line;                 /* ceiling used at detection, to the output */
	gaincomp gc;
	uint32_t det_delay, lat;
	double prev_pk;
} stage;

typedef struct {
	mxd_fx base;
	double v[N_SLOTS];
	double rate; /* 0 until activate() */
	uint32_t channels;
	uint32_t lat;
	mxd_smooth ceil_s, gain_s, rel_s;
	stage st[2];           /* main stage, inter-sample safety stage */
	float *work;           /* channels x MXD_OS_BLOCK signal between steps */
	float *cbuf;           /* MXD_OS_BLOCK ceilings per frame */
	float *hi;             /* MXD_OS_BLOCK x TP_FACTOR */
	float *pk;             /* MXD_OS_BLOCK per-frame peak (max over channels) */
} limiter_fx;

static double db_to_lin(double db)
{
	return pow(10.0, db / 20.0);
}

static void gc_free(gaincomp *g)
{
	free(g->dq_v);
	free(g->dq_i);
	free(g->box);
	g->dq_v = g->box = NULL;
	g->dq_i = NULL;
}

static int gc_alloc(gaincomp *g, uint32_t w)
{
	g->w = w;
	g->win = w + 2 * HOLD;
	g->dq_v = calloc((size_t)g->win + 1, sizeof *g->dq_v);
	g->dq_i = calloc((size_t)g->win + 1, sizeof *g->dq_i);
	g->box = calloc(w, sizeof *g->box);
	return g->dq_v && g->dq_i && g->box ? 0 : -1;
}

static void gc_clear(gaincomp *g)
{
	g->dq_head = g->dq_len = 0;
	for (uint32_t i = 0; g->box && i < g->w; i++)
		g->box[i] = 1.0;
	g->box_w = g->refresh = 0;
	g->box_sum = g->w;
	g->frame = 0;
	g->env = g->slow = 1.0;
}

/* Push r (the gain frame `frame` needs); return the gain for the frame at the
 * centre of the window, W - 1 + H frames ago. */
/* i mod cap for i < 2 cap (head < cap, len <= cap): no integer division per sample. */
static inline uint32_t ring_wrap(uint32_t i, uint32_t cap)
{
	return i >= cap ? i - cap : i;
}

static double gc_step(gaincomp *g, double r, bool autorel, double a_rel, double a_slow)
{
	uint32_t cap = g->win + 1;
	uint64_t k = g->frame++;
	if (g->dq_len && g->dq_i[g->dq_head] + g->win <= k) { /* expired front */
		g->dq_head = g->dq_head + 1 == cap ? 0 : g->dq_head + 1;
		g->dq_len--;
	}
	while (g->dq_len) { /* drop back entries >= r */
		uint32_t back = ring_wrap(g->dq_head + g->dq_len - 1, cap);
		if (g->dq_v[back] < r)
			break;
		g->dq_len--;
	}
	uint32_t pos = ring_wrap(g->dq_head + g->dq_len, cap);
	g->dq_v[pos] = r;
	g->dq_i[pos] = k;
	g->dq_len++;
	double mn = g->dq_v[g->dq_head];
	double target = autorel ? fmax(g->slow, g->env) : 1.0;
	if (autorel) {
		g->slow += (mn - g->slow) * a_slow;
		if (1.0 - g->slow < 1e-12)
			g->slow = 1.0;
	}
	double e = g->env + (target - g->env) * a_rel;
	if (1.0 - e < 1e-12)
		e = 1.0;
	g->env = e < mn ? e : mn;
	g->box_sum += g->env - g->box[g->box_w];
	g->box[g->box_w] = g->env;
	g->box_w = g->box_w + 1 == g->w ? 0 : g->box_w + 1;
	if (++g->refresh >= SUM_REFRESH) {
		double sum = 0;
		for (uint32_t i = 0; i < g->w; i++)
			sum += g->box[i];
		g->box_sum = sum;
		g->refresh = 0;
	}
	double gain = g->box_sum / (double)g->w;
	return gain > 1.0 - 1e-12 ? 1.0 : gain;
}

static void stage_free(stage *st)
{
	mxd_os_free(&st->os);
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		mxd_delay_free(&st->line[c]);
	mxd_delay_free(&st->ceil_line);
	gc_free(&st->gc);
}

static int stage_alloc(stage *st, uint32_t w, uint32_t channels)
{
	if (mxd_os_init(&st->os, TP_FACTOR, channels, 100.0, 0.45, 0) != 0 || gc_alloc(&st->gc, w) != 0)
		return -1;
	st->det_delay = (uint32_t)ceil(mxd_os_up_delay(&st->os));
	st->lat = w - 1 + HOLD + st->det_delay;
	for (uint32_t c = 0; c < channels; c++)
		if (mxd_delay_alloc(&st->line[c], st->lat) != 0)
			return -1;
	return mxd_delay_alloc(&st->ceil_line, st->lat);
}

static void stage_clear(stage *st)
{
	mxd_os_reset(&st->os);
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		mxd_delay_clear(&st->line[c]);
	mxd_delay_clear(&st->ceil_line);
	gc_clear(&st->gc);
	st->prev_pk = 0;
}

static void free_state(limiter_fx *s)
{
	stage_free(&s->st[0]);
	stage_free(&s->st[1]);
	free(s->work);
	free(s->cbuf);
	free(s->hi);
	free(s->pk);
	s->work = s->cbuf = s->hi = s->pk = NULL;
}

static void clear_state(limiter_fx *s)
{
	stage_clear(&s->st[0]);
	stage_clear(&s->st[1]);
	mxd_smooth_snap(&s->ceil_s);
	mxd_smooth_snap(&s->gain_s);
	mxd_smooth_snap(&s->rel_s);
}

static mxd_fx *limiter_create(const mxd_fx_class *cls)
{
	limiter_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	for (int i = 0; i < N_SLOTS; i++)
		s->v[i] = params[i].def;
	mxd_smooth_init(&s->ceil_s, 0, MXD_SMOOTH_MS, db_to_lin(s->v[P_CEILING]));
	mxd_smooth_init(&s->gain_s, 0, MXD_SMOOTH_MS, db_to_lin(s->v[P_GAIN]));
	mxd_smooth_init(&s->rel_s, 0, MXD_SMOOTH_MS, s->v[P_RELEASE]);
	return &s->base;
}

static int limiter_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	limiter_fx *s = (limiter_fx *)fx;
	(void)max_block;
	free_state(s);
	s->rate = rate;
	s->channels = channels;
	double w = floor(s->v[P_LOOKAHEAD] * rate / 1000.0 + 0.5);
	double w2 = floor(SAFETY_MS * rate / 1000.0 + 0.5);
	if (stage_alloc(&s->st[0], w < 1 ? 1u : (uint32_t)w, channels) != 0 ||
	    stage_alloc(&s->st[1], w2 < 1 ? 1u : (uint32_t)w2, channels) != 0)
		return -1;
	s->lat = s->st[0].lat + s->st[1].lat;
	s->work = calloc((size_t)channels * MXD_OS_BLOCK, sizeof *s->work);
	s->cbuf = calloc(MXD_OS_BLOCK, sizeof *s->cbuf);
	s->hi = calloc((size_t)TP_FACTOR * MXD_OS_BLOCK, sizeof *s->hi);
	s->pk = calloc(MXD_OS_BLOCK, sizeof *s->pk);
	if (!s->work || !s->cbuf || !s->hi || !s->pk)
		return -1;
	mxd_smooth_init(&s->ceil_s, rate, MXD_SMOOTH_MS, db_to_lin(s->v[P_CEILING]));
	mxd_smooth_init(&s->gain_s, rate, MXD_SMOOTH_MS, db_to_lin(s->v[P_GAIN]));
	mxd_smooth_init(&s->rel_s, rate, MXD_SMOOTH_MS, s->v[P_RELEASE]);
	clear_state(s);
	return 0;
}

static void limiter_set_param(mxd_fx *fx, size_t slot, double v)
{
	limiter_fx *s = (limiter_fx *)fx;
	if (slot >= N_SLOTS || isnan(v))
		return;
	const mxd_param *p = &params[slot];
	v = v < p->min ? p->min : v > p->max ? p->max : v;
	if (p->kind == MXD_PARAM_BOOL)
		v = v >= 0.5 ? 1 : 0;
	s->v[slot] = v;
	switch (slot) {
	case P_CEILING: mxd_smooth_set(&s->ceil_s, db_to_lin(v)); break;
	case P_GAIN: mxd_smooth_set(&s->gain_s, db_to_lin(v)); break;
	case P_RELEASE: mxd_smooth_set(&s->rel_s, v); break;
	default: break; /* lookahead: next activate(); bools: read in run() */
	}
	if (s->rate <= 0) {
		mxd_smooth_snap(&s->ceil_s);
		mxd_smooth_snap(&s->gain_s);
		mxd_smooth_snap(&s->rel_s);
	}
}

/* Run stage st over m frames of s->work (in place), ceilings in s->cbuf (in
 * place: replaced by the ceiling attached to each output frame). */
static void stage_run(limiter_fx *s, stage *st, uint32_t m, bool tp, bool autorel, double a_rel,
		      double a_slow, bool clip)
{
	const uint32_t ch = s->channels;
	for (uint32_t i = 0; i < m; i++)
		s->pk[i] = 0;
	for (uint32_t c = 0; c < ch; c++) { /* always run: warm when switched on */
		mxd_os_up(&st->os, c, s->work + c * MXD_OS_BLOCK, s->hi, m);
		for (uint32_t i = 0; i < m; i++)
			for (uint32_t j = 0; j < TP_FACTOR; j++) {
				/* a compare, not fmaxf(): a libm call per sample; a NaN is ignored as fmaxf would */
				float v = fabsf(s->hi[i * TP_FACTOR + j]);
				s->pk[i] = v > s->pk[i] ? v : s->pk[i];
			}
	}
	const uint32_t cdelay = st->lat - st->det_delay;
	for (uint32_t i = 0; i < m; i++) {
		double cl = s->cbuf[i], p = 0;
		for (uint32_t c = 0; c < ch; c++) {
			mxd_delay_tick(&st->line[c], s->work[c * MXD_OS_BLOCK + i], 0);
			if (!tp)
				p = fmax(p, fabsf(mxd_delay_read(&st->line[c], st->det_delay)));
		}
		if (tp)
			p = (s->pk[i] > st->prev_pk ? s->pk[i] : st->prev_pk) * TP_MARGIN;
		st->prev_pk = s->pk[i];
		bool warm = st->gc.frame >= cdelay;
		double g = gc_step(&st->gc, p > cl ? cl / p : 1.0, autorel, a_rel, a_slow);
		float co = mxd_delay_tick(&st->ceil_line, (float)cl, cdelay);
		if (!warm)
			co = (float)cl;
		for (uint32_t c = 0; c < ch; c++) {
			float y = (float)(mxd_delay_read(&st->line[c], st->lat) * g);
			if (clip)
				y = y > co ? co : y < -co ? -co : y;
			s->work[c * MXD_OS_BLOCK + i] = y;
		}
		s->cbuf[i] = co;
	}
}

static void limiter_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	limiter_fx *s = (limiter_fx *)fx;
	(void)sc;
	const uint32_t ch = s->channels;
	const bool tp = s->v[P_TRUE_PEAK] >= 0.5, autorel = s->v[P_AUTO_RELEASE] >= 0.5;
	for (uint32_t pos = 0; pos < n;) {
		uint32_t m = n - pos < MXD_OS_BLOCK ? n - pos : MXD_OS_BLOCK;
		for (uint32_t i = 0; i < m; i++) { /* gained, sanitised input */
			double g = mxd_smooth_at(&s->gain_s, i);
			for (uint32_t c = 0; c < ch; c++) {
				float x = io[c][pos + i];
				s->work[c * MXD_OS_BLOCK + i] = isfinite(x) ? (float)(x * g) : 0.0f;
			}
			s->cbuf[i] = (float)mxd_smooth_at(&s->ceil_s, i);
		}
		mxd_smooth_advance(&s->gain_s, m);
		mxd_smooth_advance(&s->ceil_s, m);
		double rel_ms = mxd_smooth_advance(&s->rel_s, m);
		double a_rel = 1.0 - exp(-1000.0 / ((autorel ? rel_ms / 5.0 : rel_ms) * s->rate));
		double a_slow = 1.0 - exp(-1000.0 / (rel_ms * s->rate));
		double a_safe = 1.0 - exp(-1000.0 / (SAFETY_MS * s->rate));
		stage_run(s, &s->st[0], m, tp, autorel, a_rel, a_slow, false);
		stage_run(s, &s->st[1], m, tp, false, a_safe, a_safe, true);
		for (uint32_t c = 0; c < ch; c++)
			memcpy(io[c] + pos, s->work + c * MXD_OS_BLOCK, m * sizeof(float));
		pos += m;
	}
}

static uint32_t limiter_latency(const mxd_fx *fx)
{
	return ((const limiter_fx *)fx)->lat;
}

static void limiter_reset(mxd_fx *fx)
{
	limiter_fx *s = (limiter_fx *)fx;
	if (s->rate > 0)
		clear_state(s);
}

static void limiter_destroy(mxd_fx *fx)
{
	if (!fx)
		return;
	free_state((limiter_fx *)fx);
	free(fx);
}

const mxd_fx_class mxd_fx_limiter_class = {
	.name = "limiter",
	.summary = "Lookahead brickwall limiter, sample or true peak (BS.1770-4 4x detector)",
	.params = params,
	.n_params = sizeof params / sizeof params[0],
	.n_slots = N_SLOTS,
	.create = limiter_create,
	.activate = limiter_activate,
	.set_param = limiter_set_param,
	.run = limiter_run,
	.latency = limiter_latency,
	.reset = limiter_reset,
	.destroy = limiter_destroy,
};
