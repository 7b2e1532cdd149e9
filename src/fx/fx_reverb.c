/* mixdown — `reverb`: an algorithmic reverb built on a 16-line feedback delay network.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Structure (per instance, shared by all channels):
 *   input channel c -> predelay -> 4 Schroeder allpass diffusers (lengths
 *   differ per channel) -> injected into the 16 lines with sign pattern b_c
 *   (a row of a Hadamard matrix times a fixed scramble) -> FDN: 16 delay
 *   lines of mutually prime lengths (primes spread geometrically over the
 *   model's range, scaled by `size`), each followed by Jot's first-order
 *   absorption filter, mixed by the orthonormal 16x16 Hadamard matrix and fed
 *   back. Output channel c taps the filtered lines with another orthogonal
 *   sign pattern, so the channels are decorrelated (a mono input gives two
 *   different outputs on a stereo instance; works for 1..16 channels).
 *   Wet: width (M/S about the channel mean), then a 2nd-order Butterworth
 *   high-pass (low_cut) and low-pass (high_cut) as state-variable filters
 *   (src/dsp/fdn.h), then the dry/wet mix.
 * Decay follows J.-M. Jot and A. Chaigne, "Digital delay networks for
 * designing artificial reverberators" (AES 1991): line i of length d_i gets
 * the gain g_i = 10^(-3 d_i / (T60 fs)), so every mode decays by 60 dB in T60;
 * each line's absorption filter (a first-order shelf, src/dsp/fdn.h) keeps that
 * gain at DC and gives the Nyquist gain of a T60 of decay * (1 - 0.9 damping),
 * with its transition at the model's damping corner (room 4 kHz, hall 3 kHz,
 * plate 6 kHz, chamber 4.5 kHz). Each line's length is slowly modulated
 * (0.15..0.5 ms, 0.2..1.3 Hz) against metallic ringing, read through an
 * allpass interpolator (no energy loss, so the decay stays exact); the gain
 * uses the mean length.
 *
 * Parameters (all automatable except model):
 *   model      enum room|hall|plate|chamber (line lengths, modulation, diffusion scale), default hall.
 *   decay      s, RT60, [0.1, 20], default 2.
 *   predelay   ms, [0, 500], default 10 (a change crossfades the taps over 20 ms).
 *   size       [0, 1], default 0.5: line lengths x (0.4 + 1.2 size); a change
 *              glides every length (at most 2 % pitch, at least 20 ms).
 *   damping    [0, 1], default 0.5: RT60 above the model's damping corner
 *              tends to decay * (1 - 0.9 damping).
 *   diffusion  [0, 1], default 0.7: allpass coefficient 0.75 * diffusion.
 *   width      [0, 2], default 1 (0 = mono wet).
 *   low_cut    Hz, [10, 1000], default 20 (high-pass on the wet; removes DC).
 *   high_cut   Hz, [1000, 20000], default 16000 (low-pass on the wet).
 *   mix        [0, 1], default 0.3 (1 = wet only).
 * Smoothing: every number ramps over 20 ms (filter corners on log2 Hz,
 * redesigned every 8 frames while ramping; line gains every 32 frames). Latency 0 (predelay is an effect).
 * Robustness: non-finite input samples enter the network as 0; a non-finite
 * network state (overflow) is cleared; values below 1e-25 are flushed to 0,
 * so silence gives exact zeros after the tail and no denormals.
 * Threads: create/activate/set_param/reset/destroy on the control thread,
 * run() on the audio thread (no allocation, locks or I/O).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/delay.h"
#include "dsp/fdn.h"
#include "dsp/smooth.h"
#include "fx/processor.h"

#define NL 16           /* lines */
#define NAP 4           /* input diffusers per channel */
#define SUB 32u         /* coefficient update interval */
#define PREDELAY_MAX 500.0
#define GLIDE_RATE 0.02 /* max change of a line length, samples per sample */

enum { M_ROOM, M_HALL, M_PLATE, M_CHAMBER };
enum { P_MODEL, P_DECAY, P_PREDELAY, P_SIZE, P_DAMPING, P_DIFFUSION, P_WIDTH, P_LOW_CUT, P_HIGH_CUT,
       P_MIX, N_SLOTS };

static const char *const model_names[] = { "room", "hall", "plate", "chamber", NULL };

static const mxd_param params[] = {
	{ .name = "model", .kind = MXD_PARAM_ENUM, .unit = "", .max = 3, .def = M_HALL, .choices = model_names,
	  .help = "Character: room, hall, plate or chamber", .first_slot = P_MODEL },
	{ .name = "decay", .kind = MXD_PARAM_NUMBER, .unit = "s", .min = 0.1, .max = 20, .def = 2,
	  .automatable = true, .help = "Decay time RT60 (time to fall by 60 dB)", .first_slot = P_DECAY },
	{ .name = "predelay", .kind = MXD_PARAM_NUMBER, .unit = "ms", .min = 0, .max = PREDELAY_MAX, .def = 10,
	  .automatable = true, .help = "Delay before the reverb starts", .first_slot = P_PREDELAY },
	{ .name = "size", .kind = MXD_PARAM_NUMBER, .unit = "", .min = 0, .max = 1, .def = 0.5,
	  .automatable = true, .help = "Room size (scales the delay lengths)", .first_slot = P_SIZE },
	{ .name = "damping", .kind = MXD_PARAM_NUMBER, .unit = "", .min = 0, .max = 1, .def = 0.5,
	  .automatable = true, .help = "High-frequency damping: HF decay = decay x (1 - 0.9 damping)",
	  .first_slot = P_DAMPING },
	{ .name = "diffusion", .kind = MXD_PARAM_NUMBER, .unit = "", .min = 0, .max = 1, .def = 0.7,
	  .automatable = true, .help = "Input diffusion (smears the attack)", .first_slot = P_DIFFUSION },
	{ .name = "width", .kind = MXD_PARAM_NUMBER, .unit = "", .min = 0, .max = 2, .def = 1,
	  .automatable = true, .help = "Stereo width of the reverb (0 mono, 1 natural, 2 extra wide)",
	  .first_slot = P_WIDTH },
	{ .name = "low_cut", .kind = MXD_PARAM_NUMBER, .unit = "Hz", .min = 10, .max = 1000, .def = 20,
	  .automatable = true, .help = "High-pass corner on the reverb (12 dB/oct)", .first_slot = P_LOW_CUT },
	{ .name = "high_cut", .kind = MXD_PARAM_NUMBER, .unit = "Hz", .min = 1000, .max = 20000, .def = 16000,
	  .automatable = true, .help = "Low-pass corner on the reverb (12 dB/oct)", .first_slot = P_HIGH_CUT },
	{ .name = "mix", .kind = MXD_PARAM_NUMBER, .unit = "", .min = 0, .max = 1, .def = 0.3,
	  .automatable = true, .help = "Dry/wet balance (1 = reverb only)", .first_slot = P_MIX },
};

/* Per model: line range (ms at size 0.5), modulation depth (ms), base rate
 * (Hz), diffuser coefficient scale. */
static const struct {
	double lo, hi, mod_ms, mod_hz, diff, damp_hz;
} models[] = {
	[M_ROOM] = { 7.0, 29.0, 0.15, 0.9, 1.0, 4000 },
	[M_HALL] = { 23.0, 97.0, 0.35, 0.5, 1.0, 3000 },
	[M_PLATE] = { 5.0, 33.0, 0.5, 1.1, 1.1, 6000 },
	[M_CHAMBER] = { 12.0, 47.0, 0.25, 0.7, 0.95, 4500 },
};
static const double ap_ms[NAP] = { 1.53, 2.71, 4.13, 6.37 };

typedef struct {
	mxd_fx base;
	double v[N_SLOTS];
	double rate; /* 0 until activate() */
	uint32_t channels;

	mxd_fdelay line[NL];
	double len[NL], len_tgt[NL], len_step[NL]; /* samples */
	uint32_t glide_left;
	mxd_absorb ab[NL];
	float ap_state[NL]; /* allpass interpolators */
	double phase[NL], dphase[NL]; /* radians */

	mxd_smooth decay, damping, diffusion, width, mix, lo, hi, size_s;
	float b_in[MXD_MAX_CHANNELS][NL], c_out[MXD_MAX_CHANNELS][NL];

	mxd_delay pre[MXD_MAX_CHANNELS];
	uint32_t pd, pd_old;
	mxd_smooth pxf;
	mxd_allpass ap[MXD_MAX_CHANNELS][NAP];

	mxd_smooth mdep;    /* modulation depth, samples */
	float g_ap;         /* diffuser coefficient reached */
	mxd_svf_coef f_lo, f_hi;
	mxd_svf st_lo[MXD_MAX_CHANNELS], st_hi[MXD_MAX_CHANNELS];
	float wet[MXD_MAX_CHANNELS][SUB];
} reverb_fx;

static void update_absorb(reverb_fx *s, mxd_absorb *tgt, mxd_absorb *step, uint32_t m);

static double clampp(size_t slot, double v)
{
	const mxd_param *p = &params[slot];
	return v < p->min ? p->min : v > p->max ? p->max : v;
}

/* Prime line lengths for the current model and size. */
static void target_lengths(const reverb_fx *s, double *out)
{
	int m = (int)s->v[P_MODEL];
	double scale = 0.4 + 1.2 * s->v[P_SIZE];
	double lo = models[m].lo * scale * s->rate / 1000.0, hi = models[m].hi * scale * s->rate / 1000.0;
	uint32_t prev = 1;
	for (int i = 0; i < NL; i++) {
		double want = lo * pow(hi / lo, (double)i / (NL - 1));
		uint32_t n = (uint32_t)floor(want + 0.5);
		if (n <= prev)
			n = prev + 1;
		prev = mxd_next_prime(n);
		out[i] = prev;
	}
}

static void start_glide(reverb_fx *s, bool snap)
{
	double tgt[NL], maxd = 0;
	target_lengths(s, tgt);
	for (int i = 0; i < NL; i++) {
		s->len_tgt[i] = tgt[i];
		maxd = fmax(maxd, fabs(tgt[i] - s->len[i]));
	}
	if (snap || maxd == 0) {
		memcpy(s->len, s->len_tgt, sizeof s->len);
		s->glide_left = 0;
		return;
	}
	double n = fmax(ceil(maxd / GLIDE_RATE), floor(s->rate * MXD_SMOOTH_MS / 1000.0));
	s->glide_left = (uint32_t)n;
	for (int i = 0; i < NL; i++)
		s->len_step[i] = (s->len_tgt[i] - s->len[i]) / n;
}

static void set_model_mod(reverb_fx *s)
{
	int m = (int)s->v[P_MODEL];
	mxd_smooth_set(&s->mdep, models[m].mod_ms * s->rate / 1000.0);
	for (int i = 0; i < NL; i++)
		s->dphase[i] = 2 * M_PI * models[m].mod_hz * (0.6 + 0.8 * i / (NL - 1.0)) / s->rate;
}

static uint32_t predelay_frames(const reverb_fx *s)
{
	return (uint32_t)floor(s->v[P_PREDELAY] * s->rate / 1000.0 + 0.5);
}

static void design_filters(reverb_fx *s)
{
	mxd_svf_design(&s->f_lo, exp2(s->lo.cur), M_SQRT1_2, s->rate);
	mxd_svf_design(&s->f_hi, exp2(s->hi.cur), M_SQRT1_2, s->rate);
}

static mxd_fx *reverb_create(const mxd_fx_class *cls)
{
	reverb_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	for (int k = 0; k < N_SLOTS; k++)
		s->v[k] = params[k].def;
	return &s->base;
}

static void init_smoothers(reverb_fx *s)
{
	double r = s->rate;
	mxd_smooth_init(&s->decay, r, MXD_SMOOTH_MS, s->v[P_DECAY]);
	mxd_smooth_init(&s->damping, r, MXD_SMOOTH_MS, s->v[P_DAMPING]);
	mxd_smooth_init(&s->diffusion, r, MXD_SMOOTH_MS, s->v[P_DIFFUSION]);
	mxd_smooth_init(&s->width, r, MXD_SMOOTH_MS, s->v[P_WIDTH]);
	mxd_smooth_init(&s->mix, r, MXD_SMOOTH_MS, s->v[P_MIX]);
	mxd_smooth_init(&s->lo, r, MXD_SMOOTH_MS, log2(s->v[P_LOW_CUT]));
	mxd_smooth_init(&s->hi, r, MXD_SMOOTH_MS, log2(s->v[P_HIGH_CUT]));
	mxd_smooth_init(&s->pxf, r, MXD_SMOOTH_MS, 1.0);
	mxd_smooth_init(&s->mdep, r, MXD_SMOOTH_MS, models[(int)s->v[P_MODEL]].mod_ms * r / 1000.0);
	s->g_ap = (float)(0.75 * models[(int)s->v[P_MODEL]].diff * s->v[P_DIFFUSION]);
}

static void clear_state(reverb_fx *s)
{
	for (int i = 0; i < NL; i++) {
		mxd_fdelay_clear(&s->line[i]);
		s->ab[i].x1 = s->ab[i].y1 = 0;
		s->ap_state[i] = 0;
	}
	for (uint32_t c = 0; c < s->channels; c++) {
		mxd_delay_clear(&s->pre[c]);
		for (int k = 0; k < NAP; k++)
			mxd_fdelay_clear(&s->ap[c][k].line);
	}
	memset(s->st_lo, 0, sizeof s->st_lo);
	memset(s->st_hi, 0, sizeof s->st_hi);
	for (int i = 0; i < NL; i++)
		s->ab[i].x1 = s->ab[i].y1 = 0;
}

static int reverb_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	reverb_fx *s = (reverb_fx *)fx;
	(void)max_block;
	s->rate = rate;
	s->channels = channels;
	/* Longest line: plate/hall maximum at size 1, plus modulation. */
	double maxlen = 0;
	for (int m = 0; m < 4; m++)
		maxlen = fmax(maxlen, (models[m].hi * 1.6 * 1.05 + 2 * models[m].mod_ms) * rate / 1000.0);
	for (int i = 0; i < NL; i++)
		if (mxd_fdelay_alloc(&s->line[i], (uint32_t)maxlen + 64) != 0)
			return -1;
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++) {
		for (int k = 0; k < NAP; k++)
			mxd_fdelay_free(&s->ap[c][k].line);
		mxd_delay_free(&s->pre[c]);
		if (c >= channels)
			continue;
		if (mxd_delay_alloc(&s->pre[c], (uint32_t)ceil(PREDELAY_MAX * rate / 1000.0) + 1) != 0)
			return -1;
		for (int k = 0; k < NAP; k++) {
			/* Lengths differ per channel by a few percent: decorrelated inputs. */
			double ms = ap_ms[k] * (1.0 + 0.083 * (double)((c * 5 + (uint32_t)k) % 7));
			uint32_t n = mxd_next_prime((uint32_t)floor(ms * rate / 1000.0 + 0.5) + 1);
			s->ap[c][k].len = n;
			if (mxd_fdelay_alloc(&s->ap[c][k].line, n) != 0)
				return -1;
		}
	}
	/* Input and output patterns: rows of a 16x16 Hadamard, scrambled. */
	static const uint16_t scr_in = 0x6b29, scr_out = 0x35c6;
	for (uint32_t c = 0; c < channels; c++)
		for (uint32_t i = 0; i < NL; i++) {
			float si = (scr_in >> i) & 1 ? -1.0f : 1.0f, so = (scr_out >> i) & 1 ? -1.0f : 1.0f;
			s->b_in[c][i] = 0.25f * si * mxd_hadamard_sign((c * 3 + 1) % NL, i);
			s->c_out[c][i] = 0.5f * so * mxd_hadamard_sign((c * 7 + 5) % NL, i);
		}
	init_smoothers(s);
	set_model_mod(s);
	for (int i = 0; i < NL; i++)
		s->phase[i] = 2 * M_PI * i / NL;
	start_glide(s, true);
	s->pd = s->pd_old = predelay_frames(s);
	design_filters(s);
	clear_state(s);
	mxd_absorb tgt[NL], step[NL];
	update_absorb(s, tgt, step, 1);
	memcpy(s->ab, tgt, sizeof s->ab);
	return 0;
}

static void reverb_set_param(mxd_fx *fx, size_t slot, double v)
{
	reverb_fx *s = (reverb_fx *)fx;
	if (slot >= N_SLOTS || isnan(v))
		return;
	v = clampp(slot, v);
	if (slot == P_MODEL)
		v = floor(v + 0.5);
	if (s->v[slot] == v)
		return;
	s->v[slot] = v;
	if (s->rate <= 0)
		return;
	switch (slot) {
	case P_MODEL:
		set_model_mod(s);
		start_glide(s, false);
		break;
	case P_SIZE: start_glide(s, false); break;
	case P_DECAY: mxd_smooth_set(&s->decay, v); break;
	case P_DAMPING: mxd_smooth_set(&s->damping, v); break;
	case P_DIFFUSION: mxd_smooth_set(&s->diffusion, v); break;
	case P_WIDTH: mxd_smooth_set(&s->width, v); break;
	case P_MIX: mxd_smooth_set(&s->mix, v); break;
	case P_LOW_CUT: mxd_smooth_set(&s->lo, log2(v)); break;
	case P_HIGH_CUT: mxd_smooth_set(&s->hi, log2(v)); break;
	case P_PREDELAY: {
		uint32_t d = predelay_frames(s);
		if (d == s->pd)
			break;
		s->pd_old = s->pd;
		s->pd = d;
		s->pxf.cur = s->pxf.target = 0.0;
		mxd_smooth_set(&s->pxf, 1.0);
		break;
	}
	default: break;
	}
}

/* Line gains and absorption filters for the lengths at the block's end;
 * step[i] receives the per-frame increments from the current coefficients. */
static void update_absorb(reverb_fx *s, mxd_absorb *tgt, mxd_absorb *step, uint32_t m)
{
	double t60 = s->decay.cur, ratio = 1.0 - 0.9 * s->damping.cur;
	for (int i = 0; i < NL; i++) {
		double d = s->len[i] + s->mdep.cur;
		tgt[i] = s->ab[i];
		mxd_absorb_design(&tgt[i], mxd_jot_gain(d, t60, s->rate), mxd_jot_gain(d, t60 * ratio, s->rate),
				  models[(int)s->v[P_MODEL]].damp_hz, s->rate);
		step[i].b0 = (tgt[i].b0 - s->ab[i].b0) / m;
		step[i].b1 = (tgt[i].b1 - s->ab[i].b1) / m;
		step[i].a1 = (tgt[i].a1 - s->ab[i].a1) / m;
	}
}

static void process_block(reverb_fx *s, float *const *io, uint32_t off, uint32_t m)
{
	uint32_t nch = s->channels;
	mxd_smooth_advance(&s->decay, m);
	mxd_smooth_advance(&s->damping, m);
	float g0 = s->g_ap;
	float g1 = (float)(0.75 * models[(int)s->v[P_MODEL]].diff * mxd_smooth_advance(&s->diffusion, m));
	if (g1 > 0.85f)
		g1 = 0.85f;
	float dg = (g1 - g0) / (float)m;
	s->g_ap = g1;
	/* Read positions at the block's start and end (glide + modulation). */
	double d0[NL], dd[NL];
	uint32_t glide = s->glide_left < m ? s->glide_left : m;
	double dep0 = s->mdep.cur, dep1 = mxd_smooth_advance(&s->mdep, m);
	for (int i = 0; i < NL; i++) {
		double a = s->len[i] + dep0 * (1.0 + sin(s->phase[i]));
		s->phase[i] += s->dphase[i] * m;
		if (s->phase[i] > 2 * M_PI)
			s->phase[i] -= 2 * M_PI;
		s->len[i] += s->len_step[i] * glide;
		double b = s->len[i] + dep1 * (1.0 + sin(s->phase[i]));
		d0[i] = a;
		dd[i] = (b - a) / m;
	}
	s->glide_left -= glide;
	if (s->glide_left == 0)
		memcpy(s->len, s->len_tgt, sizeof s->len);
	mxd_absorb tgt[NL], step[NL];
	update_absorb(s, tgt, step, m);

	float ok = 0.0f;
	for (uint32_t n = 0; n < m; n++) {
		float u[NL] = { 0 }, y[NL];
		for (uint32_t c = 0; c < nch; c++) {
			float x = io[c][off + n];
			if (!isfinite(x))
				x = 0.0f;
			float p = mxd_delay_tick(&s->pre[c], x, s->pd);
			if (!mxd_smooth_settled(&s->pxf)) {
				float q = mxd_delay_read(&s->pre[c], s->pd_old);
				p = q + (float)mxd_smooth_at(&s->pxf, n) * (p - q);
			}
			float g_ap = g0 + dg * (float)(n + 1);
			for (int k = 0; k < NAP; k++)
				p = mxd_allpass_tick(&s->ap[c][k], p, g_ap);
			for (int i = 0; i < NL; i++)
				u[i] += s->b_in[c][i] * p;
		}
		for (int i = 0; i < NL; i++) {
			s->ab[i].b0 += step[i].b0;
			s->ab[i].b1 += step[i].b1;
			s->ab[i].a1 += step[i].a1;
			/* Delay d: the sample written d frames before the coming write. */
			y[i] = mxd_absorb_tick(&s->ab[i],
					       mxd_fdelay_allpass(&s->line[i], d0[i] + dd[i] * n - 1.0, &s->ap_state[i]));
		}
		for (uint32_t c = 0; c < nch; c++) {
			float acc = 0;
			for (int i = 0; i < NL; i++)
				acc += s->c_out[c][i] * y[i];
			s->wet[c][n] = acc;
		}
		mxd_hadamard(y, NL);
		for (int i = 0; i < NL; i++) {
			float w = y[i] + u[i];
			ok += w;
			mxd_fdelay_write(&s->line[i], w);
		}
	}
	for (int i = 0; i < NL; i++) {
		s->ab[i].b0 = tgt[i].b0;
		s->ab[i].b1 = tgt[i].b1;
		s->ab[i].a1 = tgt[i].a1;
	}
	if (!mxd_smooth_settled(&s->pxf)) {
		mxd_smooth_advance(&s->pxf, m);
		if (mxd_smooth_settled(&s->pxf))
			s->pd_old = s->pd;
	}
	if (!isfinite(ok)) {
		clear_state(s);
		for (uint32_t c = 0; c < nch; c++)
			memset(s->wet[c], 0, sizeof s->wet[c]);
	}
	/* Width about the mean of the channels. */
	if (nch > 1 && !(mxd_smooth_settled(&s->width) && s->width.cur == 1.0)) {
		for (uint32_t n = 0; n < m; n++) {
			float w = (float)mxd_smooth_at(&s->width, n), mean = 0;
			for (uint32_t c = 0; c < nch; c++)
				mean += s->wet[c][n];
			mean /= (float)nch;
			for (uint32_t c = 0; c < nch; c++)
				s->wet[c][n] = mean + w * (s->wet[c][n] - mean);
		}
	}
	mxd_smooth_advance(&s->width, m);
	/* Wet filters; while a corner ramps they are redesigned every 8 frames. */
	bool ramp = !mxd_smooth_settled(&s->lo) || !mxd_smooth_settled(&s->hi);
	for (uint32_t seg = 0; seg < m; seg += 8) {
		uint32_t k = m - seg < 8 ? m - seg : 8;
		if (ramp) {
			mxd_smooth_advance(&s->lo, k);
			mxd_smooth_advance(&s->hi, k);
			design_filters(s);
		}
		for (uint32_t c = 0; c < nch; c++)
			for (uint32_t n = seg; n < seg + k; n++) {
				double hp;
				mxd_svf_tick(&s->f_lo, &s->st_lo[c], s->wet[c][n], &hp);
				s->wet[c][n] = (float)mxd_svf_tick(&s->f_hi, &s->st_hi[c], hp, NULL);
			}
	}
	for (uint32_t c = 0; c < nch; c++) {
		float *x = io[c] + off;
		for (uint32_t n = 0; n < m; n++) {
			float g = (float)mxd_smooth_at(&s->mix, n);
			x[n] = x[n] + g * (s->wet[c][n] - x[n]);
		}
	}
	mxd_smooth_advance(&s->mix, m);
}

static void reverb_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	reverb_fx *s = (reverb_fx *)fx;
	(void)sc;
	for (uint32_t pos = 0; pos < n;) {
		uint32_t m = n - pos < SUB ? n - pos : SUB;
		process_block(s, io, pos, m);
		pos += m;
	}
}

static uint32_t reverb_latency(const mxd_fx *fx)
{
	(void)fx;
	return 0;
}

static void reverb_reset(mxd_fx *fx)
{
	reverb_fx *s = (reverb_fx *)fx;
	mxd_smooth *sm[] = { &s->decay, &s->damping, &s->diffusion, &s->width, &s->mix, &s->lo, &s->hi, &s->pxf,
			     &s->mdep };
	for (size_t i = 0; i < sizeof sm / sizeof sm[0]; i++)
		mxd_smooth_snap(sm[i]);
	if (s->rate <= 0)
		return;
	s->pd_old = s->pd;
	s->g_ap = (float)(0.75 * models[(int)s->v[P_MODEL]].diff * s->v[P_DIFFUSION]);
	start_glide(s, true);
	design_filters(s);
	clear_state(s);
	mxd_absorb tgt[NL], step[NL];
	update_absorb(s, tgt, step, 1);
	memcpy(s->ab, tgt, sizeof s->ab);
}

static void reverb_destroy(mxd_fx *fx)
{
	reverb_fx *s = (reverb_fx *)fx;
	if (!s)
		return;
	for (int i = 0; i < NL; i++)
		mxd_fdelay_free(&s->line[i]);
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++) {
		mxd_delay_free(&s->pre[c]);
		for (int k = 0; k < NAP; k++)
			mxd_fdelay_free(&s->ap[c][k].line);
	}
	free(s);
}

const mxd_fx_class mxd_fx_reverb_class = {
	.name = "reverb",
	.summary = "Algorithmic reverb (16-line feedback delay network): room, hall, plate, chamber",
	.params = params,
	.n_params = sizeof params / sizeof params[0],
	.n_slots = N_SLOTS,
	.create = reverb_create,
	.activate = reverb_activate,
	.set_param = reverb_set_param,
	.run = reverb_run,
	.latency = reverb_latency,
	.reset = reverb_reset,
	.destroy = reverb_destroy,
};
