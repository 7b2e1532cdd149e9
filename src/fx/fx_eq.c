/* mixdown — `eq`: parametric equaliser with up to 16 bands.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Parameter `bands` is a list (max 16 items) of:
 *   type   enum {off, highpass, lowpass, lowshelf, highshelf, peak, notch,
 *          bandpass, tilt}, default off. Not automatable: a change resets the
 *          band.
 *   freq   Hz, [10, 40000], default 1000, automatable. Designs clamp it to
 *          0.49 x the sample rate (just below Nyquist).
 *   gain   dB, [-36, 36], default 0, automatable (peak, shelves, tilt).
 *   q      [0.1, 40], default 0.707, automatable. Peak, shelves (cookbook Q
 *          form), notch, bandpass: the cookbook Q. Highpass/lowpass: the
 *          resonance (see below).
 *   slope  [0.1, 48], default 12, not automatable.
 *          Highpass/lowpass: dB/octave 6, 12, 18, 24, 36 or 48 (Butterworth
 *          order 1, 2, 3, 4, 6, 8; -3.01 dB at freq at the default q). Other
 *          values are rounded to the nearest allowed slope, ties to the
 *          gentler one (20 -> 18, 30 -> 24, anything below 9 -> 6). A change
 *          resets the band.
 *          Shelves: a value in [0.1, 1] is the cookbook shelf slope S and
 *          replaces q (S = 1: steepest shelf without overshoot); the default
 *          12 (any value > 1) means "use q".
 * Bands run in list order, each a cascade of biquads (src/dsp/biquad.h).
 *
 * Responses are those of R. Bristow-Johnson's Audio EQ Cookbook (bilinear
 * transform prewarped at freq). Highpass/lowpass are Butterworth cascades
 * (one cookbook HPF/LPF per pole pair, Q_k = -1 / (2 cos theta_k), plus a
 * prewarped first-order section for odd orders). Resonance: the Q of the
 * pole pair with the highest Q is multiplied by q / 0.7071 (q within 0.0005
 * of the default 0.707 counts as exactly 1/sqrt(2)), so at 12 dB/oct q is the
 * section's Q and at higher orders q > 0.707 puts a peak near freq; 6 dB/oct
 * has no resonance.
 * `tilt`: one first-order section, the prewarped bilinear transform of
 *     H(s) = (g s + w0) / (s + g w0),   g = 10^(gain / 40),
 * i.e. -gain/2 dB at DC, +gain/2 dB towards Nyquist, 0 dB at freq (a
 * first-order high shelf of +gain dB centred on freq, lowered by gain/2 dB).
 *
 * Smoothing: freq (on a log2 scale), gain (dB) and q (log2) ramp over 20 ms;
 * while a band ramps, its coefficients are redesigned every 32 samples and
 * interpolated linearly sample by sample in between (no coefficient steps:
 * no zipper noise), and held otherwise. All other design work happens in activate()/set_param().
 * Filter state is double precision (transposed direct form II), so a 20 Hz
 * highpass in float I/O has no drift or limit cycle.
 * A band that is off, or a peak/shelf/tilt settled at exactly 0 dB whose
 * filter memory has died away (< 1e-9), is skipped: bit-exact pass-through.
 * Latency 0. Threads: as src/fx/processor.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/biquad.h"
#include "dsp/smooth.h"
#include "fx/fx_batch.h"
#include "fx/processor.h"

#define MAX_BANDS 16
#define SUB_BLOCK 32u     /* coefficient update interval while ramping */
#define QUIET_STATE 1e-9  /* below this a settled identity band is dropped */

enum { T_OFF, T_HIGHPASS, T_LOWPASS, T_LOWSHELF, T_HIGHSHELF, T_PEAK, T_NOTCH, T_BANDPASS, T_TILT };
enum { S_TYPE, S_FREQ, S_GAIN, S_Q, S_SLOPE, N_SUB };

static const char *const type_names[] = { "off",   "highpass", "lowpass",  "lowshelf",
					  "highshelf", "peak", "notch", "bandpass", "tilt",
					  NULL };

/* first_slot of a sub-entry is its offset inside one item. */
static const mxd_param band_params[N_SUB] = {
	{ .name = "type", .kind = MXD_PARAM_ENUM, .unit = "", .min = 0, .max = 8, .def = T_OFF,
	  .choices = type_names, .help = "Filter type of the band", .first_slot = S_TYPE },
	{ .name = "freq", .kind = MXD_PARAM_NUMBER, .unit = "Hz", .min = 10, .max = 40000,
	  .def = 1000, .automatable = true, .help = "Centre, corner or cutoff frequency",
	  .first_slot = S_FREQ },
	{ .name = "gain", .kind = MXD_PARAM_NUMBER, .unit = "dB", .min = -36, .max = 36, .def = 0,
	  .automatable = true, .help = "Gain of peak, shelf and tilt bands (tilt: +gain/2 above freq, -gain/2 below)", .first_slot = S_GAIN },
	{ .name = "q", .kind = MXD_PARAM_NUMBER, .unit = "", .min = 0.1, .max = 40, .def = 0.707,
	  .automatable = true, .help = "Quality factor (peak, shelf, notch, bandpass); resonance of highpass/lowpass",
	  .first_slot = S_Q },
	{ .name = "slope", .kind = MXD_PARAM_NUMBER, .unit = "dB/oct", .min = 0.1, .max = 48,
	  .def = 12, .help = "Highpass/lowpass slope: 6, 12, 18, 24, 36 or 48; shelves: cookbook S if <= 1",
	  .first_slot = S_SLOPE },
};

static const mxd_param params[] = {
	{ .name = "bands", .kind = MXD_PARAM_LIST, .unit = "", .help = "EQ bands, applied in order",
	  .sub = band_params, .n_sub = N_SUB, .max_items = MAX_BANDS, .first_slot = 0 },
};

typedef struct {
	int type;
	double v[N_SUB];          /* clamped values as set */
	mxd_smooth lf, g, lq;     /* log2 Hz, dB, log2 Q */
	mxd_bq_cascade cas;
	mxd_bq_state st[MXD_MAX_CHANNELS][MXD_BQ_MAX_SECTIONS];
} band;

typedef struct {
	mxd_fx base;
	double rate; /* 0 until activate() */
	uint32_t channels;
	band b[MAX_BANDS];
} eq_fx;

static bool has_gain(int type)
{
	return type == T_PEAK || type == T_LOWSHELF || type == T_HIGHSHELF || type == T_TILT;
}

static bool ramping(const band *b)
{
	return !mxd_smooth_settled(&b->lf) || !mxd_smooth_settled(&b->g) ||
	       !mxd_smooth_settled(&b->lq);
}

/* Settled on a response that is exactly flat: nothing to compute. */
static bool identity(const band *b)
{
	return b->type == T_OFF || (has_gain(b->type) && b->g.cur == 0.0 && !ramping(b));
}

static void design(band *b, double rate)
{
	static const mxd_bq_type single[] = {
		[T_LOWSHELF] = MXD_BQ_LOWSHELF, [T_HIGHSHELF] = MXD_BQ_HIGHSHELF,
		[T_PEAK] = MXD_BQ_PEAK,         [T_NOTCH] = MXD_BQ_NOTCH,
		[T_BANDPASS] = MXD_BQ_BANDPASS,
	};
	double f = exp2(b->lf.cur), q = exp2(b->lq.cur);
	switch (b->type) {
	case T_OFF:
		b->cas.n = 0;
		break;
	case T_HIGHPASS:
	case T_LOWPASS: {
		double res = fabs(q - 0.707) < 0.0005 ? 1.0 : q * 1.4142135623730951;
		mxd_butterworth_design_res(&b->cas, b->type == T_HIGHPASS, rate, f,
					   mxd_butterworth_order(b->v[S_SLOPE]), res);
		break;
	}
	case T_LOWSHELF:
	case T_HIGHSHELF:
		if (b->v[S_SLOPE] <= 1.0)
			mxd_biquad_design_shelf_slope(&b->cas.sec[0], single[b->type], rate, f,
						      b->v[S_SLOPE], b->g.cur);
		else
			mxd_biquad_design(&b->cas.sec[0], single[b->type], rate, f, q, b->g.cur);
		b->cas.n = 1;
		break;
	case T_TILT:
		mxd_biquad_design_tilt(&b->cas.sec[0], rate, f, b->g.cur);
		b->cas.n = 1;
		break;
	default:
		mxd_biquad_design(&b->cas.sec[0], single[b->type], rate, f, q, b->g.cur);
		b->cas.n = 1;
		break;
	}
}

static void reset_band(band *b)
{
	memset(b->st, 0, sizeof b->st);
	mxd_smooth_snap(&b->lf);
	mxd_smooth_snap(&b->g);
	mxd_smooth_snap(&b->lq);
}

static void init_band(band *b, double rate)
{
	mxd_smooth_init(&b->lf, rate, MXD_SMOOTH_MS, log2(b->v[S_FREQ]));
	mxd_smooth_init(&b->g, rate, MXD_SMOOTH_MS, b->v[S_GAIN]);
	mxd_smooth_init(&b->lq, rate, MXD_SMOOTH_MS, log2(b->v[S_Q]));
}

static mxd_fx *eq_create(const mxd_fx_class *cls)
{
	eq_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	for (int i = 0; i < MAX_BANDS; i++) {
		for (int k = 0; k < N_SUB; k++)
			s->b[i].v[k] = band_params[k].def;
		s->b[i].type = T_OFF;
		init_band(&s->b[i], 0);
	}
	return &s->base;
}

static int eq_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	eq_fx *s = (eq_fx *)fx;
	(void)max_block;
	s->rate = rate;
	s->channels = channels;
	for (int i = 0; i < MAX_BANDS; i++) {
		init_band(&s->b[i], rate);
		reset_band(&s->b[i]);
		design(&s->b[i], rate);
	}
	return 0;
}

static void eq_set_param(mxd_fx *fx, size_t slot, double v)
{
	eq_fx *s = (eq_fx *)fx;
	if (slot >= (size_t)MAX_BANDS * N_SUB || isnan(v))
		return;
	band *b = &s->b[slot / N_SUB];
	size_t k = slot % N_SUB;
	const mxd_param *p = &band_params[k];
	v = v < p->min ? p->min : v > p->max ? p->max : v;
	switch (k) {
	case S_TYPE: v = floor(v + 0.5); break;
	default: break;
	}
	if (b->v[k] == v)
		return;
	b->v[k] = v;
	switch (k) {
	case S_TYPE:
		b->type = (int)v;
		break;
	case S_FREQ:
		mxd_smooth_set(&b->lf, log2(v));
		break;
	case S_GAIN:
		mxd_smooth_set(&b->g, v);
		break;
	case S_Q:
		mxd_smooth_set(&b->lq, log2(v));
		break;
	default:
		break;
	}
	if (s->rate <= 0)
		return;
	if (k == S_TYPE || (k == S_SLOPE && (b->type == T_HIGHPASS || b->type == T_LOWPASS))) {
		reset_band(b); /* structural change: start clean */
		design(b, s->rate);
	} else if (k == S_SLOPE && !ramping(b)) {
		design(b, s->rate); /* a shelf's S: same structure, new coefficients */
	}
}

/* All-zero memory after a settled identity band has rung out. */
static bool quiet(band *b, uint32_t channels)
{
	for (uint32_t c = 0; c < channels; c++)
		for (uint32_t k = 0; k < b->cas.n; k++)
			if (fabs(b->st[c][k].s1) >= QUIET_STATE || fabs(b->st[c][k].s2) >= QUIET_STATE)
				return false;
	memset(b->st, 0, sizeof b->st);
	return true;
}

static void eq_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	eq_fx *s = (eq_fx *)fx;
	(void)sc;
	for (int i = 0; i < MAX_BANDS; i++) {
		band *b = &s->b[i];
		if (b->type == T_OFF)
			continue;
		uint32_t pos = 0;
		while (pos < n) {
			uint32_t m = n - pos;
			if (ramping(b)) {
				m = m < SUB_BLOCK ? m : SUB_BLOCK;
				mxd_bq_cascade prev = b->cas;
				mxd_smooth_advance(&b->lf, m);
				mxd_smooth_advance(&b->g, m);
				mxd_smooth_advance(&b->lq, m);
				design(b, s->rate);
				for (uint32_t c = 0; c < s->channels; c++)
					mxd_bq_cascade_process_ramp(&prev, &b->cas, b->st[c], io[c] + pos, m);
				pos += m;
				continue;
			}
			if (identity(b) && quiet(b, s->channels))
				break;
			for (uint32_t c = 0; c < s->channels; c++)
				mxd_bq_cascade_process(&b->cas, b->st[c], io[c] + pos, m);
			pos += m;
		}
	}
}

static uint32_t eq_latency(const mxd_fx *fx)
{
	(void)fx;
	return 0;
}

static void eq_reset(mxd_fx *fx)
{
	eq_fx *s = (eq_fx *)fx;
	for (int i = 0; i < MAX_BANDS; i++) {
		reset_band(&s->b[i]);
		if (s->rate > 0)
			design(&s->b[i], s->rate);
	}
}

static void eq_destroy(mxd_fx *fx)
{
	free(fx);
}

const mxd_fx_class mxd_fx_eq_class = {
	.name = "eq",
	.summary = "Parametric EQ: up to 16 filter bands (RBJ biquads, Butterworth HP/LP)",
	.params = params,
	.n_params = sizeof params / sizeof params[0],
	.n_slots = (size_t)MAX_BANDS * N_SUB,
	.create = eq_create,
	.activate = eq_activate,
	.set_param = eq_set_param,
	.run = eq_run,
	.latency = eq_latency,
	.reset = eq_reset,
	.destroy = eq_destroy,
};

/* fx/fx_batch.h: the sections of the next run() for graph/strip_batch.c. */
int mxd_fx_eq_sections(mxd_fx *fx, uint32_t ch, mxd_biquad *sec, mxd_bq_state **st, bool *band_end, uint32_t max)
{
	eq_fx *s = (eq_fx *)fx;
	uint32_t k = 0;
	if (fx->cls != &mxd_fx_eq_class || ch >= s->channels)
		return -1;
	for (int i = 0; i < MAX_BANDS; i++) {
		band *b = &s->b[i];
		if (b->type == T_OFF)
			continue;
		if (ramping(b) || k + b->cas.n > max)
			return -1;
		/* run() skips such a band; an identity section on zeroed memory is exact too */
		bool skip = identity(b) && quiet(b, s->channels);
		for (uint32_t j = 0; j < b->cas.n; j++, k++) {
			if (skip)
				mxd_biquad_identity(&sec[k]);
			else
				sec[k] = b->cas.sec[j];
			st[k] = &b->st[ch][j];
			band_end[k] = j + 1 == b->cas.n;
		}
	}
	return (int)k;
}
