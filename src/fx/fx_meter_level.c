/* mixdown — `meter`: level meter (sample peak with hold and fall, RMS, optional true peak).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The audio passes through untouched (run() never writes to io): bit-exact,
 * latency 0. Readings (fx/meter.h), each pooled over the channels as the
 * loudest channel, published at the end of every run():
 *   peak_db           dBFS: sample-peak programme meter. Instant attack on
 *                     |x| (no integration time: a digital sample PPM), then
 *                     the indication is held for `peak_hold` s after the last
 *                     sample that reached it, then falls linearly in dB at
 *                     `peak_fall` dB/s until the signal reaches it again.
 *                     IEC 60268-18 (digital audio peak level meter) asks for
 *                     a return of 20 dB in 1.7 s +- 0.3 s (about 12 dB/s)
 *                     and a held maximum of 1.0 s +- 0.5 s; the defaults
 *                     here (1.5 s, 20 dB/s) are the faster return of common
 *                     DAW meters; set peak_fall 11.8 for the IEC return time.
 *                     A fall is exact per frame: factor 10^(-fall / (20 fs)).
 *   peak_max_db       dBFS: largest sample peak since activate()/reset().
 *   rms_db            dBFS: RMS over a rectangular window of `rms_window` ms,
 *                     rounded to whole 10 ms sub-blocks (mxd_meter_sub_frames),
 *                     refreshed every sub-block; the largest channel. A sine
 *                     reads its peak - 3.01 dB. The window is zero-filled at
 *                     start, so the reading rises over the first window.
 *   true_peak_db      dBTP: like peak_db on the true (inter-sample) peak,
 *                     -INFINITY while `true_peak` is off.
 *   true_peak_max_db  dBTP: largest true peak since activate()/reset()
 *                     (or since true_peak was switched on).
 * True peak follows ITU-R BS.1770-4 Annex 2: the signal is oversampled 4x
 * (here by the linear-phase half-band cascade of src/dsp/oversample.h,
 * 70 dB stopband, passband to 0.45 fs, instead of the Annex's 48-tap
 * interpolator) and the peak of the oversampled signal is taken. It costs a
 * FIR per channel, so it is off by default; the readings then lag the audio
 * by the interpolator's group delay (a few frames).
 *
 * Parameters (none automatable: they only shape the readings; set_param()
 * takes effect at the next run()):
 *   peak_hold   s, [0, 30], default 1.5
 *   peak_fall   dB/s, [0.5, 300], default 20
 *   rms_window  ms, [10, 3000], default 300
 *   true_peak   bool, default false
 *
 * Robustness: non-finite input samples are read as silence (the audio still
 * carries them through unchanged). Indications below -200 dBFS snap to
 * silence, so a meter at rest holds no subnormal state.
 * Ownership: activate() allocates the oversampler (always, so true_peak can be
 * switched on later without allocating); everything else lives in the
 * instance. Threads: see processor.h; the readings may be read from any
 * thread (fx/meter.h).
 */
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/oversample.h"
#include "fx/meter.h"
#include "fx/processor.h"

enum { P_HOLD, P_FALL, P_WINDOW, P_TP, N_SLOTS };

#define CHUNK 256u            /* frames per inner pass (= MXD_OS_BLOCK) */
#define TP_FACTOR 4u
/* Stopband of the true-peak interpolator: images at -70 dB move a peak
 * reading by at most 20 log10(1 + 10^(-70/20)) = 0.003 dB, and the filters
 * are about 30 % shorter than the limiter's 100 dB ones. */
#define TP_ATTEN_DB 70.0
#define FLOOR_AMP 1e-10       /* -200 dBFS: the indication becomes silence */

static const mxd_param params[] = {
	{ .name = "peak_hold", .kind = MXD_PARAM_NUMBER, .unit = "s", .min = 0.0, .max = 30.0, .def = 1.5,
	  .help = "Time the peak indication is held before it falls", .first_slot = P_HOLD },
	{ .name = "peak_fall", .kind = MXD_PARAM_NUMBER, .unit = "dB/s", .min = 0.5, .max = 300.0, .def = 20.0,
	  .help = "Fall rate of the peak indication after the hold (IEC 60268-18: 11.8)", .first_slot = P_FALL },
	{ .name = "rms_window", .kind = MXD_PARAM_NUMBER, .unit = "ms", .min = 10.0, .max = 3000.0, .def = 300.0,
	  .help = "Length of the rectangular RMS window (whole 10 ms steps)", .first_slot = P_WINDOW },
	{ .name = "true_peak", .kind = MXD_PARAM_BOOL, .unit = "", .min = 0, .max = 1, .def = 0,
	  .help = "Also measure the true peak (4x oversampled, BS.1770-4 Annex 2)", .first_slot = P_TP },
};

typedef struct {
	double v;      /* current indication, linear */
	uint32_t hold; /* frames the indication still holds */
	double max;    /* largest value since reset, linear */
} ballistic;

typedef struct {
	mxd_fx base;
	mxd_meter_value peak_db, peak_max_db, rms_db, tp_db, tp_max_db;
	double hold_s, fall_dbs, window_ms;
	bool tp_on;
	double rate;             /* 0 until activate() */
	uint32_t channels;
	uint32_t hold_frames;
	double fall_k;           /* per-frame factor of the fall */
	unsigned sub_frames, sub_pos, win_subs, ring_pos;
	ballistic pk, tp;
	double sub_sum[MXD_MAX_CHANNELS];                     /* sum of x^2 in the sub-block */
	double ring[MXD_MAX_CHANNELS][MXD_METER_MAX_SUBS];    /* mean squares of past sub-blocks */
	double rms_ms;           /* mean square of the loudest channel over the window */
	float fmax[CHUNK], tpmax[CHUNK], clean[CHUNK], up[TP_FACTOR * CHUNK];
	mxd_os os;
} level_fx;

static const mxd_meter meters[] = {
	{ .name = "peak_db", .unit = "dBFS", .help = "Sample peak with hold and fall (loudest channel)",
	  .offset = offsetof(level_fx, peak_db) },
	{ .name = "peak_max_db", .unit = "dBFS", .help = "Largest sample peak since the start or a reset",
	  .offset = offsetof(level_fx, peak_max_db) },
	{ .name = "rms_db", .unit = "dBFS", .help = "RMS over rms_window (loudest channel; a sine reads peak - 3.01)",
	  .offset = offsetof(level_fx, rms_db) },
	{ .name = "true_peak_db", .unit = "dBTP", .help = "True peak with hold and fall (-inf when true_peak is off)",
	  .offset = offsetof(level_fx, tp_db) },
	{ .name = "true_peak_max_db", .unit = "dBTP", .help = "Largest true peak since the start or a reset",
	  .offset = offsetof(level_fx, tp_max_db) },
};

static void derive(level_fx *s)
{
	if (s->rate <= 0)
		return;
	s->hold_frames = (uint32_t)floor(s->hold_s * s->rate + 0.5);
	s->fall_k = pow(10.0, -s->fall_dbs / (20.0 * s->rate));
	double w = floor(s->window_ms * 1e-3 * s->rate / s->sub_frames + 0.5);
	s->win_subs = w < 1 ? 1u : w > MXD_METER_MAX_SUBS ? MXD_METER_MAX_SUBS : (unsigned)w;
}

static void publish(level_fx *s)
{
	mxd_meter_store(&s->peak_db, mxd_meter_amp_db(s->pk.v));
	mxd_meter_store(&s->peak_max_db, mxd_meter_amp_db(s->pk.max));
	mxd_meter_store(&s->rms_db, mxd_meter_pow_db(s->rms_ms));
	mxd_meter_store(&s->tp_db, s->tp_on ? mxd_meter_amp_db(s->tp.v) : -INFINITY);
	mxd_meter_store(&s->tp_max_db, s->tp_on ? mxd_meter_amp_db(s->tp.max) : -INFINITY);
}

static void clear(level_fx *s)
{
	s->pk = s->tp = (ballistic){ 0 };
	s->sub_pos = s->ring_pos = 0;
	s->rms_ms = 0;
	memset(s->sub_sum, 0, sizeof s->sub_sum);
	memset(s->ring, 0, sizeof s->ring);
	mxd_os_reset(&s->os);
	publish(s);
}

static mxd_fx *level_create(const mxd_fx_class *cls)
{
	level_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	s->hold_s = params[P_HOLD].def;
	s->fall_dbs = params[P_FALL].def;
	s->window_ms = params[P_WINDOW].def;
	clear(s);
	return &s->base;
}

static int level_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	level_fx *s = (level_fx *)fx;
	(void)max_block;
	mxd_os_free(&s->os);
	if (mxd_os_init(&s->os, TP_FACTOR, channels, TP_ATTEN_DB, 0.45, 0) != 0)
		return -1;
	s->rate = rate;
	s->channels = channels;
	s->sub_frames = mxd_meter_sub_frames(rate);
	derive(s);
	clear(s);
	return 0;
}

static void level_set_param(mxd_fx *fx, size_t slot, double v)
{
	level_fx *s = (level_fx *)fx;
	if (slot >= N_SLOTS || isnan(v))
		return;
	const mxd_param *p = &params[slot];
	if (p->kind == MXD_PARAM_NUMBER)
		v = v < p->min ? p->min : v > p->max ? p->max : v;
	switch (slot) {
	case P_HOLD: s->hold_s = v; break;
	case P_FALL: s->fall_dbs = v; break;
	case P_WINDOW: s->window_ms = v; break;
	case P_TP:
		if ((v != 0) != s->tp_on) {
			/* Start the true-peak readings afresh (set_param never runs
			 * concurrently with run(), so the histories may be cleared). */
			s->tp_on = v != 0;
			s->tp = (ballistic){ 0 };
			mxd_os_reset(&s->os);
		}
		break;
	}
	derive(s);
}

/* Peak-programme ballistics over m per-frame peaks (see the header comment). */
static void ballistics_run(ballistic *b, const float *a, uint32_t m, uint32_t hold, double fall_k)
{
	double v = b->v, mx = b->max;
	uint32_t h = b->hold;
	for (uint32_t i = 0; i < m; i++) {
		double x = a[i];
		if (x >= v) {
			v = x;
			h = hold;
			if (x > mx)
				mx = x;
		} else if (h) {
			h--;
		} else {
			v *= fall_k;
		}
	}
	b->v = v < FLOOR_AMP ? 0.0 : v;
	b->hold = h;
	b->max = mx;
}

/* |x| with non-finite samples read as silence. */
static inline float mag(float x)
{
	float a = fabsf(x);
	return a <= FLT_MAX ? a : 0.0f;
}

static void sub_block_end(level_fx *s)
{
	double best = 0;
	for (uint32_t c = 0; c < s->channels; c++) {
		s->ring[c][s->ring_pos] = s->sub_sum[c] / s->sub_frames;
		s->sub_sum[c] = 0;
		double sum = 0;
		for (unsigned k = 0, j = s->ring_pos; k < s->win_subs; k++) {
			sum += s->ring[c][j];
			j = j ? j - 1 : MXD_METER_MAX_SUBS - 1;
		}
		if (sum > best)
			best = sum;
	}
	s->rms_ms = best / s->win_subs;
	s->ring_pos = (s->ring_pos + 1) % MXD_METER_MAX_SUBS;
	s->sub_pos = 0;
}

static void level_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	level_fx *s = (level_fx *)fx;
	(void)sc;
	for (uint32_t off = 0; off < n;) {
		uint32_t m = n - off;
		if (m > CHUNK)
			m = CHUNK;
		if (m > s->sub_frames - s->sub_pos)
			m = s->sub_frames - s->sub_pos;
		memset(s->fmax, 0, m * sizeof(float));
		if (s->tp_on)
			memset(s->tpmax, 0, m * sizeof(float));
		for (uint32_t c = 0; c < s->channels; c++) {
			const float *x = io[c] + off;
			double sq = 0;
			for (uint32_t i = 0; i < m; i++) {
				float a = mag(x[i]);
				sq += (double)a * a;
				if (a > s->fmax[i])
					s->fmax[i] = a;
			}
			s->sub_sum[c] += sq;
			if (!s->tp_on)
				continue;
			/* The interpolator gets non-finite samples as silence too, so
			 * they never enter its FIR histories. */
			for (uint32_t i = 0; i < m; i++)
				s->clean[i] = mag(x[i]) == 0.0f ? 0.0f : x[i];
			mxd_os_up(&s->os, c, s->clean, s->up, m);
			for (uint32_t i = 0; i < m; i++)
				for (uint32_t k = 0; k < TP_FACTOR; k++) {
					float a = fabsf(s->up[i * TP_FACTOR + k]);
					if (a > s->tpmax[i])
						s->tpmax[i] = a;
				}
		}
		ballistics_run(&s->pk, s->fmax, m, s->hold_frames, s->fall_k);
		if (s->tp_on)
			ballistics_run(&s->tp, s->tpmax, m, s->hold_frames, s->fall_k);
		off += m;
		s->sub_pos += m;
		if (s->sub_pos == s->sub_frames)
			sub_block_end(s);
	}
	publish(s);
}

static uint32_t level_latency(const mxd_fx *fx)
{
	(void)fx;
	return 0;
}

static void level_reset(mxd_fx *fx)
{
	clear((level_fx *)fx);
}

static void level_destroy(mxd_fx *fx)
{
	if (!fx)
		return;
	mxd_os_free(&((level_fx *)fx)->os);
	free(fx);
}

const mxd_fx_class mxd_fx_meter_class = {
	.name = "meter",
	.summary = "Level meter: sample peak (hold, fall), RMS, true peak; audio passes untouched",
	.params = params,
	.n_params = sizeof params / sizeof params[0],
	.n_slots = N_SLOTS,
	.meters = meters,
	.n_meters = sizeof meters / sizeof meters[0],
	.create = level_create,
	.activate = level_activate,
	.set_param = level_set_param,
	.run = level_run,
	.latency = level_latency,
	.reset = level_reset,
	.destroy = level_destroy,
};
