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
 * Implementation: each stage works in passes over blocks of up to
 * MXD_OS_BLOCK frames (detector peaks straight from the up-sampler,
 * mxd_os_up_peak; the gains each frame needs; the gain computer; delay and
 * gain), every frame with the float operations, in the order, of the
 * frame-by-frame description above, so the output is the same bits whatever
 * the block split (tests/test_fx_limiter.c). While nothing is limited (window
 * minimum, envelope and boxcar all exactly 1) the gain computer only counts
 * frames: the recurrences above then leave every value unchanged.
 * Threads: see processor.h (run() is real-time safe).
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/oversample.h"
#include "dsp/simd_clone.h"
#include "dsp/smooth.h"
#include "fx/processor.h"

#define HOLD 8u           /* frames of flat gain either side of a peak */
#define TP_FACTOR 4u      /* true-peak detector oversampling */
#define SUM_REFRESH 4096u /* recompute the boxcar sum this often (frames) */
#define DQ_SLACK 1024u    /* deque room beyond the window: one move of <= win entries per >= DQ_SLACK frames */
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
	double *dq_v;          /* running-min deque: entries [dq_head, dq_head + dq_len) */
	uint64_t *dq_i;        /* of arrays of win + DQ_SLACK, moved down when full */
	uint32_t dq_head, dq_len;
	double *box;           /* boxcar ring of W envelope values */
	uint32_t box_w, refresh;
	uint32_t ones;         /* trailing envelope values == 1 (saturates at W: the box is all ones) */
	double box_sum, env, slow;
	uint64_t frame;
} gaincomp;

/* One limiting stage: gained input -> delay line -> gain. The delay lines are
 * linear: lat (cdelay) samples of history, then the block being processed;
 * sample i of the block leaves as line[i], and the history is moved down once
 * per block (cheaper than a ring index per sample). */
typedef struct {
	mxd_os os;                           /* 4x true-peak detector */
	float *line[MXD_MAX_CHANNELS];       /* lat + MXD_OS_BLOCK per channel */
	float *ceil_line;                    /* ceiling used at detection, to the output: cdelay + block */
	gaincomp gc;
	uint32_t det_delay, lat;
	float prev_pk;                       /* detected peak of the last frame */
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
	float *pk;             /* 1 + MXD_OS_BLOCK: per-frame peak (max over channels) after the previous one */
	double *gbuf;          /* MXD_OS_BLOCK: input gains, then needed gains r, then applied gains */
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
	g->dq_v = calloc((size_t)g->win + DQ_SLACK, sizeof *g->dq_v);
	g->dq_i = calloc((size_t)g->win + DQ_SLACK, sizeof *g->dq_i);
	g->box = calloc(w, sizeof *g->box);
	return g->dq_v && g->dq_i && g->box ? 0 : -1;
}

static void gc_clear(gaincomp *g)
{
	g->dq_head = g->dq_len = 0;
	for (uint32_t i = 0; g->box && i < g->w; i++)
		g->box[i] = 1.0;
	g->box_w = g->refresh = 0;
	g->ones = g->w;
	g->box_sum = g->w;
	g->frame = 0;
	g->env = g->slow = 1.0;
}

/* For each of m frames: push rg[i] (the gain that frame needs) and replace it
 * by the gain for the frame at the centre of the window, W - 1 + H frames
 * ago. The state lives in locals over the block (the stores into the double
 * rings could otherwise alias it, forcing a reload per frame); the operations
 * per frame are those of the one-frame-at-a-time form. */
static inline void gc_run(gaincomp *g, double *rg, uint32_t m, bool autorel, double a_rel, double a_slow)
{
	const uint32_t size = g->win + DQ_SLACK, win = g->win, w = g->w;
	double *restrict dv = g->dq_v, *restrict box = g->box;
	uint64_t *restrict di = g->dq_i;
	uint32_t head = g->dq_head, len = g->dq_len, bw = g->box_w, refresh = g->refresh, ones = g->ones;
	double sum = g->box_sum, env = g->env, slow = g->slow;
	const double wd = (double)w;
	uint64_t k = g->frame;
	for (uint32_t i = 0; i < m; i++, k++) {
		const double r = rg[i];
		if (r == 1.0 && len == 1 && dv[head] == 1.0 && env == 1.0 && (!autorel || slow == 1.0) && ones >= w) {
			/* Idle: nothing to limit in the window, envelope and box all at 1.
			 * Each frame of a run of r == 1 would replace the deque's one entry
			 * by (1, k), leave env (and slow) at exactly 1 (1 + 0 a), add
			 * 1 - 1 = 0 to the sum and store 1 in the box: only the counters
			 * move, and the gain is sum / W until a refresh makes the sum
			 * exactly W (a sum of ones). Same values, no per-frame work. */
			uint32_t run = 1;
			for (; i + run + 8 <= m; run += 8) { /* eight at a time: one vector compare */
				bool all = true;
				for (uint32_t t = 0; t < 8; t++)
					all &= rg[i + run + t] == 1.0;
				if (!all)
					break;
			}
			while (i + run < m && rg[i + run] == 1.0)
				run++;
			double gain = sum / wd;
			gain = gain > 1.0 - 1e-12 ? 1.0 : gain;
			uint32_t until = SUM_REFRESH - refresh; /* the until-th frame refreshes */
			if (run >= until) {
				for (uint32_t t = 0; t < until - 1; t++)
					rg[i + t] = gain;
				for (uint32_t t = until - 1; t < run; t++)
					rg[i + t] = 1.0; /* W / W */
				sum = wd;
				refresh = run - until;
			} else {
				for (uint32_t t = 0; t < run; t++)
					rg[i + t] = gain;
				refresh += run;
			}
			bw = (bw + run) % w;
			di[head] = k + run - 1;
			i += run - 1; /* and the loop's increments */
			k += run - 1;
			continue;
		}
		if (len && di[head] + win <= k) { /* expired front */
			head++;
			len--;
		}
		while (len && !(dv[head + len - 1] < r)) /* drop back entries >= r */
			len--;
		if (head + len == size) { /* at the end: move down (len <= win) */
			memmove(dv, dv + head, len * sizeof *dv);
			memmove(di, di + head, len * sizeof *di);
			head = 0;
		}
		dv[head + len] = r;
		di[head + len] = k;
		len++;
		const double mn = dv[head];
		/* slow, env: never NaN (r is in [0, 1]), so a compare is fmax */
		double target = autorel ? (slow > env ? slow : env) : 1.0;
		if (autorel) {
			slow += (mn - slow) * a_slow;
			if (1.0 - slow < 1e-12)
				slow = 1.0;
		}
		double e = env + (target - env) * a_rel;
		if (1.0 - e < 1e-12)
			e = 1.0;
		env = e < mn ? e : mn;
		ones = env == 1.0 ? (ones < w ? ones + 1 : w) : 0;
		sum += env - box[bw];
		box[bw] = env;
		bw = bw + 1 == w ? 0 : bw + 1;
		if (++refresh >= SUM_REFRESH) { /* drop the rounding the running sum gathered */
			double t = 0;
			for (uint32_t j = 0; j < w; j++)
				t += box[j];
			sum = t;
			refresh = 0;
		}
		double gain = sum / wd;
		rg[i] = gain > 1.0 - 1e-12 ? 1.0 : gain;
	}
	g->dq_head = head;
	g->dq_len = len;
	g->box_w = bw;
	g->refresh = refresh;
	g->ones = ones;
	g->box_sum = sum;
	g->env = env;
	g->slow = slow;
	g->frame = k;
}

static void stage_free(stage *st)
{
	mxd_os_free(&st->os);
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++) {
		free(st->line[c]);
		st->line[c] = NULL;
	}
	free(st->ceil_line);
	st->ceil_line = NULL;
	gc_free(&st->gc);
}

static int stage_alloc(stage *st, uint32_t w, uint32_t channels)
{
	if (mxd_os_init(&st->os, TP_FACTOR, channels, 100.0, 0.45, 0) != 0 || gc_alloc(&st->gc, w) != 0)
		return -1;
	st->det_delay = (uint32_t)ceil(mxd_os_up_delay(&st->os));
	st->lat = w - 1 + HOLD + st->det_delay;
	for (uint32_t c = 0; c < channels; c++)
		if (!(st->line[c] = calloc((size_t)st->lat + MXD_OS_BLOCK, sizeof(float))))
			return -1;
	st->ceil_line = calloc((size_t)st->lat + MXD_OS_BLOCK, sizeof(float));
	return st->ceil_line ? 0 : -1;
}

static void stage_clear(stage *st)
{
	mxd_os_reset(&st->os);
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		if (st->line[c])
			memset(st->line[c], 0, ((size_t)st->lat + MXD_OS_BLOCK) * sizeof(float));
	if (st->ceil_line)
		memset(st->ceil_line, 0, ((size_t)st->lat + MXD_OS_BLOCK) * sizeof(float));
	gc_clear(&st->gc);
	st->prev_pk = 0;
}

static void free_state(limiter_fx *s)
{
	stage_free(&s->st[0]);
	stage_free(&s->st[1]);
	free(s->work);
	free(s->cbuf);
	free(s->pk);
	free(s->gbuf);
	s->work = s->cbuf = s->pk = NULL;
	s->gbuf = NULL;
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
	s->pk = calloc(1 + MXD_OS_BLOCK, sizeof *s->pk);
	s->gbuf = calloc(MXD_OS_BLOCK, sizeof *s->gbuf);
	if (!s->work || !s->cbuf || !s->pk || !s->gbuf)
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

/* c ? a : b through bit masks: GCC will not turn a ?: into a vector blend
 * when an arm might trap (a division, a conversion), even when computed
 * beforehand; the chosen value is the same either way. */
static inline double pick_d(bool c, double a, double b)
{
	uint64_t ab, bb, mk = -(uint64_t)c;
	memcpy(&ab, &a, sizeof ab);
	memcpy(&bb, &b, sizeof bb);
	ab = (ab & mk) | (bb & ~mk);
	memcpy(&a, &ab, sizeof a);
	return a;
}

static inline float keep_f(bool c, float a) /* c ? a : +0 */
{
	uint32_t ab, mk = -(uint32_t)c;
	memcpy(&ab, &a, sizeof ab);
	ab &= mk;
	memcpy(&a, &ab, sizeof a);
	return a;
}

/* The gain each frame needs from its true peak pk[i] (pk[-1]: the frame
 * before) and ceiling cb[i], with the margin. Built for the baseline and for
 * AVX2 (vectorized over frames; the same operations, so the same bits). The
 * cloned helpers carry a lim_ prefix: Clang makes their resolvers global. */
MXD_CLONES
static void lim_need_tp(double *gb, const float *pk, const float *cb, uint32_t m)
{
	const float *pp = pk - 1; /* pp[i]: the frame before frame i */
	for (uint32_t i = 0; i < m; i++) {
		double cl = cb[i], p = (pk[i] > pp[i] ? pk[i] : pp[i]) * TP_MARGIN;
		gb[i] = pick_d(p > cl, cl / p, 1.0); /* p > cl ? cl / p : 1.0 */
	}
}

/* w = x x g, a non-finite sample replaced by 0 (as above, two builds). */
MXD_CLONES
static void lim_gain_in(float *w, const float *x, const double *g, uint32_t m)
{
	for (uint32_t i = 0; i < m; i++)
		w[i] = keep_f(fabsf(x[i]) <= FLT_MAX, (float)(x[i] * g[i])); /* isfinite(x) ? x g : 0 */
}

/* y = x g, clipped to +-co when co is not NULL (two builds, as above). */
MXD_CLONES
static void lim_apply_gain(float *restrict y, const float *restrict x, const double *restrict g,
			   const float *restrict co, uint32_t m)
{
	if (co)
		for (uint32_t i = 0; i < m; i++) {
			float v = (float)(x[i] * g[i]);
			y[i] = v > co[i] ? co[i] : v < -co[i] ? -co[i] : v;
		}
	else
		for (uint32_t i = 0; i < m; i++)
			y[i] = (float)(x[i] * g[i]);
}

/* Run stage st over m frames of s->work (in place), ceilings in s->cbuf (in
 * place: replaced by the ceiling attached to each output frame). In passes
 * over the block (detect, gain computer, apply), each frame's arithmetic the
 * same as one frame at a time. */
static void stage_run(limiter_fx *s, stage *st, uint32_t m, bool tp, bool autorel, double a_rel,
		      double a_slow, bool clip)
{
	const uint32_t ch = s->channels, lat = st->lat, cdelay = st->lat - st->det_delay;
	float *pk = s->pk + 1, *cb = s->cbuf, *cl_line = st->ceil_line; /* pk[-1]: the previous frame's */
	double *gb = s->gbuf;
	for (uint32_t i = 0; i < m; i++)
		pk[i] = 0;
	for (uint32_t c = 0; c < ch; c++) { /* always run: warm when switched on */
		const float *x = s->work + c * MXD_OS_BLOCK;
		mxd_os_up_peak(&st->os, c, x, pk, m);
		memcpy(st->line[c] + lat, x, m * sizeof *x);
	}
	/* the gain each frame needs */
	if (tp) {
		pk[-1] = st->prev_pk;
		lim_need_tp(gb, pk, cb, m);
	} else {
		for (uint32_t i = 0; i < m; i++) {
			double cl = cb[i], p = 0;
			for (uint32_t c = 0; c < ch; c++) {
				/* a compare, not fmax(): p is never NaN, so a NaN sample is ignored as fmax would */
				double v = fabsf(st->line[c][lat - st->det_delay + i]);
				p = v > p ? v : p;
			}
			gb[i] = p > cl ? cl / p : 1.0;
		}
	}
	st->prev_pk = pk[m - 1];
	/* the ceiling that goes with each output frame (before the detector has
	 * filled the line: the current one) */
	memcpy(cl_line + cdelay, cb, m * sizeof *cb);
	uint64_t f0 = st->gc.frame; /* frames before f0 + i0 keep their own ceiling */
	uint32_t i0 = f0 >= cdelay ? 0 : cdelay - f0 < m ? (uint32_t)(cdelay - f0) : m;
	memcpy(cb + i0, cl_line + i0, (m - i0) * sizeof *cb);
	memmove(cl_line, cl_line + m, cdelay * sizeof *cl_line);
	if (autorel)
		gc_run(&st->gc, gb, m, true, a_rel, a_slow);
	else
		gc_run(&st->gc, gb, m, false, a_rel, a_slow);
	for (uint32_t c = 0; c < ch; c++) {
		float *dl = st->line[c];
		lim_apply_gain(s->work + c * MXD_OS_BLOCK, dl, gb, clip ? cb : NULL, m);
		memmove(dl, dl + m, lat * sizeof *dl);
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
		if (mxd_smooth_settled(&s->gain_s) && mxd_smooth_settled(&s->ceil_s)) { /* the usual case */
			const double g = s->gain_s.target;
			const float cl = (float)s->ceil_s.target;
			for (uint32_t i = 0; i < m; i++)
				s->gbuf[i] = g, s->cbuf[i] = cl;
		} else {
			for (uint32_t i = 0; i < m; i++) {
				s->gbuf[i] = mxd_smooth_at(&s->gain_s, i);
				s->cbuf[i] = (float)mxd_smooth_at(&s->ceil_s, i);
			}
		}
		for (uint32_t c = 0; c < ch; c++) /* gained, sanitised input */
			lim_gain_in(s->work + c * MXD_OS_BLOCK, io[c] + pos, s->gbuf, m);
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
