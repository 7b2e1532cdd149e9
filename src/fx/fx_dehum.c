/* mixdown — `dehum`: removes mains hum (50/60 Hz and harmonics) with a
 * cascade of narrow notches that follow the tracked fundamental.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Parameters (session keys; not automatable):
 *   frequency  enum auto | 50 | 60, default auto: the mains fundamental; auto
 *              tracks both series and notches the stronger (switching only
 *              when the other is 4 times (6 dB) stronger, starting at 50).
 *   harmonics  [1, 20], default 8: notches at f0, 2 f0, ... harmonics * f0
 *              (only those below 0.45 * rate).
 *   width      Hz, [0.5, 10], default 2: -3 dB bandwidth of every notch.
 *
 * Notches: RBJ notch biquads (R. Bristow-Johnson, Audio EQ Cookbook;
 * src/dsp/biquad.h), Q = k f0 / width, in double, cascaded.
 * Tracker (src/edit/repair_dsp.c, shared with mxd_hum_detect()): the input
 * (channel mean) is demodulated at the first 3 harmonics of an oscillator
 * at the current estimate, over Hann-windowed blocks of 0.2 s; the phase
 * advance of harmonic h between consecutive block centres is
 * 2 pi h (f_true - f_osc) T, so f_true = f_osc + dphi / (2 pi h T), averaged
 * over the harmonics weighted by their magnitudes, limited to +-0.6 Hz of
 * the nominal 50/60. It follows drift of a few tenths of a hertz within two
 * blocks and resolves a steady hum to well under 0.01 Hz, which a 2 Hz
 * notch needs for 40 dB of rejection. The notches are redesigned after each
 * block (once per 0.2 s). Latency 0.
 * Threads: see processor.h (run() is real-time safe).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/biquad.h"
#include "edit/repair_dsp.h"
#include "fx/processor.h"

#define MAX_HARMONICS 20
#define CHUNK 64u

enum { P_FREQUENCY, P_HARMONICS, P_WIDTH, N_SLOTS };
enum { F_AUTO, F_50, F_60 };

static const char *const freq_choices[] = { "auto", "50", "60", NULL };

static const mxd_param params[] = {
	{ .name = "frequency", .kind = MXD_PARAM_ENUM, .unit = "Hz", .min = 0, .max = 2, .def = F_AUTO,
	  .choices = freq_choices, .help = "Mains fundamental: auto, 50 or 60 (tracked +-0.5 Hz)",
	  .first_slot = P_FREQUENCY },
	{ .name = "harmonics", .kind = MXD_PARAM_NUMBER, .unit = "", .min = 1, .max = MAX_HARMONICS, .def = 8,
	  .integer = true, .help = "Number of notches (fundamental and harmonics)", .first_slot = P_HARMONICS },
	{ .name = "width", .kind = MXD_PARAM_NUMBER, .unit = "Hz", .min = 0.5, .max = 10, .def = 2,
	  .help = "-3 dB bandwidth of each notch", .first_slot = P_WIDTH },
};

typedef struct {
	mxd_fx base;
	double v[N_SLOTS];
	double rate;
	uint32_t channels, ns;
	mxd_hum_tracker trk[2]; /* 50 and 60 Hz series */
	int use;                /* which tracker drives the notches */
	mxd_biquad sec[MAX_HARMONICS];
	mxd_bq_state st[MXD_MAX_CHANNELS][MAX_HARMONICS];
} dehum_fx;

static void design(dehum_fx *s)
{
	if (!(s->rate > 0))
		return;
	double f0 = s->trk[s->use].f;
	uint32_t h = (uint32_t)s->v[P_HARMONICS];
	s->ns = 0;
	for (uint32_t k = 1; k <= h && k * f0 < 0.45 * s->rate; k++)
		mxd_biquad_design(&s->sec[s->ns++], MXD_BQ_NOTCH, s->rate, k * f0, k * f0 / s->v[P_WIDTH], 0.0);
}

static void start(dehum_fx *s)
{
	mxd_hum_tracker_init(&s->trk[0], s->rate, 50.0);
	mxd_hum_tracker_init(&s->trk[1], s->rate, 60.0);
	s->use = s->v[P_FREQUENCY] == F_60 ? 1 : 0;
	design(s);
}

static mxd_fx *dehum_create(const mxd_fx_class *cls)
{
	dehum_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	for (size_t i = 0; i < N_SLOTS; i++)
		s->v[i] = params[i].def;
	return &s->base;
}

static void dehum_destroy(mxd_fx *fx)
{
	free(fx);
}

static void dehum_reset(mxd_fx *fx)
{
	dehum_fx *s = (dehum_fx *)fx;
	memset(s->st, 0, sizeof s->st);
	if (s->rate > 0)
		start(s);
}

static int dehum_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	dehum_fx *s = (dehum_fx *)fx;
	(void)max_block;
	s->rate = rate;
	s->channels = channels;
	dehum_reset(fx);
	return 0;
}

static void dehum_set_param(mxd_fx *fx, size_t slot, double v)
{
	dehum_fx *s = (dehum_fx *)fx;
	if (slot >= N_SLOTS || isnan(v))
		return;
	v = v < params[slot].min ? params[slot].min : v > params[slot].max ? params[slot].max : v;
	if (params[slot].kind == MXD_PARAM_ENUM || params[slot].integer)
		v = round(v);
	s->v[slot] = v;
	if (slot == P_FREQUENCY && s->rate > 0)
		s->use = v == F_60 ? 1 : v == F_50 ? 0 : s->use;
	design(s);
}

/* Feeds the trackers with the channel mean of frames [pos, pos + m). */
static bool track(dehum_fx *s, float *const *io, uint32_t pos, uint32_t m)
{
	const int mode = (int)s->v[P_FREQUENCY];
	bool moved = false;
	for (uint32_t i = pos; i < pos + m; i++) {
		double x = 0;
		for (uint32_t c = 0; c < s->channels; c++)
			x += io[c][i];
		x /= s->channels;
		for (int t = 0; t < 2; t++)
			if (mode == F_AUTO || t == mode - 1)
				moved |= mxd_hum_tracker_feed(&s->trk[t], x);
	}
	if (moved && mode == F_AUTO) {
		int other = 1 - s->use;
		if (s->trk[other].power > 4.0 * s->trk[s->use].power)
			s->use = other;
	}
	return moved;
}

static void dehum_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	dehum_fx *s = (dehum_fx *)fx;
	(void)sc;
	for (uint32_t pos = 0; pos < n; pos += CHUNK) {
		uint32_t m = n - pos < CHUNK ? n - pos : CHUNK;
		if (track(s, io, pos, m))
			design(s);
		for (uint32_t c = 0; c < s->channels; c++)
			mxd_biquad_chain_process(s->sec, s->ns, s->st[c], io[c] + pos, m);
	}
}

static uint32_t dehum_latency(const mxd_fx *fx)
{
	(void)fx;
	return 0;
}

const mxd_fx_class mxd_fx_dehum_class = {
	.name = "dehum",
	.summary = "Hum removal: notches at a tracked 50/60 Hz fundamental and its harmonics",
	.params = params,
	.n_params = sizeof params / sizeof params[0],
	.n_slots = N_SLOTS,
	.create = dehum_create,
	.activate = dehum_activate,
	.set_param = dehum_set_param,
	.run = dehum_run,
	.latency = dehum_latency,
	.reset = dehum_reset,
	.destroy = dehum_destroy,
};
