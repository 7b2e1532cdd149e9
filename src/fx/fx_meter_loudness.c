/* mixdown — `loudness_meter`: momentary, short-term and integrated loudness (ITU-R BS.1770-4).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The audio passes through untouched (run() never writes to io): bit-exact,
 * latency 0. No parameters. Readings (fx/meter.h), published at the end of
 * every run():
 *   momentary_lufs       LUFS, 400 ms window (EBU Tech 3341 "M")
 *   short_term_lufs      LUFS, 3 s window ("S")
 *   integrated_lufs      LUFS, gated mean since activate()/reset() ("I")
 *   momentary_max_lufs   LUFS, largest momentary value since activate()/reset()
 *   short_term_max_lufs  LUFS, largest short-term value since activate()/reset()
 *
 * Measurement (ITU-R BS.1770-4 Annex 1): every channel is K-weighted (a
 * high-shelf "pre-filter" then the "RLB" high-pass), squared, weighted by
 * its channel weight G_i (1.0 for L, R, C and mono, 1.41 for surrounds, 0 for
 * LFE; mxd_kweight_channel_weight()) and summed; loudness is
 * -0.691 + 10 log10 of the mean over the window. The filters are designed
 * for the actual rate from the analog prototypes whose bilinear transform
 * gives the standard's 48 kHz coefficients (Tables 1 and 2): a shelf with
 * f0 = 1681.9745 Hz, G = +3.99984 dB, Q = 0.70718 (mid-band gain
 * Vb = Vh^0.49967) and a high-pass with f0 = 38.1355 Hz, Q = 0.50033, both
 * prewarped (K = tan(pi f0 / fs)); these parameters are those of
 * S. Mansbridge, S. Finn, J. D. Reiss, "Implementation and Evaluation of
 * Autonomous Multi-track Fader Control", AES 132nd Convention, 2012, paper 8588.
 * As in Table 2, the high-pass numerator is (1, -2, 1), not normalised.
 *
 * Real-time structure: the weighted squares are summed per 10 ms sub-block
 * (mxd_meter_sub_frames(): round(fs / 100) frames) into a ring of the last
 * 300 sub-block mean squares; at each sub-block end the momentary and
 * short-term values are the means of the last 40 and 300 entries (the
 * readings refresh at 100 Hz, EBU Tech 3341 asks for >= 10 Hz), so run()
 * is O(n) plus O(340) per sub-block and never allocates. At rates that are
 * not a multiple of 100 Hz the windows are 40 / 300 x round(fs / 100) frames.
 * Before the first 400 ms / 3 s the windows are zero-filled (the readings rise,
 * as libebur128's do).
 * Integrated loudness gates the 400 ms blocks that start every 100 ms
 * (75 % overlap) as BS.1770-4 section 2.8 says: absolute gate -70 LUFS, then
 * relative gate 10 LU under the mean of the blocks above it. Blocks are
 * counted in a histogram of 0.01 LU bins from -70 to +30 LUFS (louder
 * blocks fall into the top bin) holding the count and the exact sum of the
 * block mean squares, so the only approximation is the bin straddling the
 * relative gate (taken whole when its centre is above the gate): the error
 * is below what 0.01 LU worth of blocks can make. It costs 120 KB per
 * instance (allocated in create()); memory does not grow with time.
 *
 * Robustness: non-finite input samples are read as silence; filter states
 * below 1e-30 are flushed at each sub-block so silence leaves no subnormals.
 * Threads: see processor.h; the readings may be read from any thread.
 */
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fx/meter.h"
#include "fx/processor.h"

#define M_SUBS 40               /* 400 ms */
#define S_SUBS 300              /* 3 s */
#define GATE_EVERY 10           /* a gating block every 100 ms */
#define HIST_LO (-70.0)         /* LUFS: absolute gate */
#define HIST_W 0.01             /* LU per bin */
#define HIST_N 10000            /* up to +30 LUFS */

typedef struct {
	double s1a, s2a, s1b, s2b; /* TDF-II states of the shelf and the high-pass */
} kw_state;

typedef struct {
	mxd_fx base;
	mxd_meter_value m_lufs, s_lufs, i_lufs, m_max_lufs, s_max_lufs;
	double rate;            /* 0 until activate() */
	uint32_t channels;
	mxd_biquad shelf, hp;
	double weight[MXD_MAX_CHANNELS];
	kw_state st[MXD_MAX_CHANNELS];
	unsigned sub_frames, sub_pos, ring_pos;
	uint64_t subs;          /* completed sub-blocks */
	double sub_sum;         /* weighted sum of squares in the sub-block */
	double ring[S_SUBS];    /* weighted mean squares of past sub-blocks */
	double m_ms, s_ms, m_max, s_max, i_ms; /* mean squares (i_ms < 0: none yet) */
	/* Gating histogram (see the header comment). */
	uint64_t abs_count;
	double abs_sum;
	long hi_bin;            /* highest bin in use, -1 if none */
	uint32_t hist_count[HIST_N];
	double hist_sum[HIST_N];
} loud_fx;

static const mxd_meter meters[] = {
	{ .name = "momentary_lufs", .unit = "LUFS", .help = "Momentary loudness, 400 ms window (BS.1770-4)",
	  .offset = offsetof(loud_fx, m_lufs) },
	{ .name = "short_term_lufs", .unit = "LUFS", .help = "Short-term loudness, 3 s window (BS.1770-4)",
	  .offset = offsetof(loud_fx, s_lufs) },
	{ .name = "integrated_lufs", .unit = "LUFS", .help = "Gated integrated loudness since the start or a reset",
	  .offset = offsetof(loud_fx, i_lufs) },
	{ .name = "momentary_max_lufs", .unit = "LUFS", .help = "Largest momentary loudness since the start or a reset",
	  .offset = offsetof(loud_fx, m_max_lufs) },
	{ .name = "short_term_max_lufs", .unit = "LUFS",
	  .help = "Largest short-term loudness since the start or a reset", .offset = offsetof(loud_fx, s_max_lufs) },
};

/* -0.691 + 10 log10(ms) (BS.1770-4 eq. 2); -INFINITY for silence. */
static double lufs(double ms)
{
	return ms > 0 ? -0.691 + 10.0 * log10(ms) : -INFINITY;
}

void mxd_kweight_design(double rate, mxd_biquad *shelf, mxd_biquad *highpass)
{
	/* Stage 1: bilinear transform of the high shelf
	 *   H(s) = (Vh s^2 + Vb s / Q + 1) / (s^2 + s / Q + 1),  s normalised to w0,
	 * unity at DC, Vh towards Nyquist. */
	const double f1 = 1681.974450955533, g1 = 3.999843853973347, q1 = 0.7071752369554196;
	double k = tan(M_PI * f1 / rate), vh = pow(10.0, g1 / 20.0), vb = pow(vh, 0.4996667741545416);
	double a0 = 1.0 + k / q1 + k * k;
	shelf->b0 = (vh + vb * k / q1 + k * k) / a0;
	shelf->b1 = 2.0 * (k * k - vh) / a0;
	shelf->b2 = (vh - vb * k / q1 + k * k) / a0;
	shelf->a1 = 2.0 * (k * k - 1.0) / a0;
	shelf->a2 = (1.0 - k / q1 + k * k) / a0;
	/* Stage 2: second-order high-pass s^2 / (s^2 + s / Q + 1); numerator kept
	 * at (1, -2, 1) as in BS.1770-4 Table 2. */
	const double f2 = 38.13547087602444, q2 = 0.5003270373238773;
	k = tan(M_PI * f2 / rate);
	a0 = 1.0 + k / q2 + k * k;
	highpass->b0 = 1.0;
	highpass->b1 = -2.0;
	highpass->b2 = 1.0;
	highpass->a1 = 2.0 * (k * k - 1.0) / a0;
	highpass->a2 = (1.0 - k / q2 + k * k) / a0;
}

double mxd_kweight_channel_weight(unsigned channels, unsigned c)
{
	/* BS.1770-4 Table 3: 1.41 for |azimuth| in [60, 120] degrees at low
	 * elevation, 1.0 elsewhere; LFE is not measured. WAV/SMPTE orders:
	 * 4 = L R Ls Rs; 5 = L R C Ls Rs; 6 = L R C LFE Ls Rs; 7 = ... + back
	 * centre; 8 = L R C LFE Lb Rb Ls Rs (backs at +-135, sides at +-90). */
	if (c >= channels)
		return 0.0;
	switch (channels) {
	case 4: return c >= 2 ? 1.41 : 1.0;
	case 5: return c >= 3 ? 1.41 : 1.0;
	case 6: return c == 3 ? 0.0 : c >= 4 ? 1.41 : 1.0;
	case 7: return c == 3 ? 0.0 : c == 4 || c == 5 ? 1.41 : 1.0;
	case 8: return c == 3 ? 0.0 : c >= 6 ? 1.41 : 1.0;
	default: return 1.0;
	}
}

static void publish(loud_fx *s)
{
	mxd_meter_store(&s->m_lufs, lufs(s->m_ms));
	mxd_meter_store(&s->s_lufs, lufs(s->s_ms));
	mxd_meter_store(&s->i_lufs, s->i_ms > 0 ? lufs(s->i_ms) : -INFINITY);
	mxd_meter_store(&s->m_max_lufs, lufs(s->m_max));
	mxd_meter_store(&s->s_max_lufs, lufs(s->s_max));
}

static void clear(loud_fx *s)
{
	memset(s->st, 0, sizeof s->st);
	s->sub_pos = s->ring_pos = 0;
	s->subs = 0;
	s->sub_sum = 0;
	memset(s->ring, 0, sizeof s->ring);
	s->m_ms = s->s_ms = s->m_max = s->s_max = 0;
	s->i_ms = -1;
	s->abs_count = 0;
	s->abs_sum = 0;
	s->hi_bin = -1;
	memset(s->hist_count, 0, sizeof s->hist_count);
	memset(s->hist_sum, 0, sizeof s->hist_sum);
	publish(s);
}

static mxd_fx *loud_create(const mxd_fx_class *cls)
{
	loud_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	clear(s);
	return &s->base;
}

static int loud_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	loud_fx *s = (loud_fx *)fx;
	(void)max_block;
	s->rate = rate;
	s->channels = channels;
	s->sub_frames = mxd_meter_sub_frames(rate);
	mxd_kweight_design(rate, &s->shelf, &s->hp);
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		s->weight[c] = mxd_kweight_channel_weight(channels, c);
	clear(s);
	return 0;
}

static void loud_set_param(mxd_fx *fx, size_t slot, double v)
{
	(void)fx, (void)slot, (void)v; /* no parameters */
}

/* A 400 ms gating block with mean square z enters the histogram. */
static void gate_add(loud_fx *s, double z)
{
	double l = lufs(z);
	if (!(l > HIST_LO))
		return;
	double b = floor((l - HIST_LO) / HIST_W);
	long bin = b >= HIST_N - 1 ? HIST_N - 1 : (long)b;
	s->hist_count[bin]++;
	s->hist_sum[bin] += z;
	s->abs_count++;
	s->abs_sum += z;
	if (bin > s->hi_bin)
		s->hi_bin = bin;
	/* Relative gate: 10 LU below the mean of the blocks above the absolute gate. */
	double gate = lufs(s->abs_sum / (double)s->abs_count) - 10.0;
	double gb = floor((gate - HIST_LO) / HIST_W);
	long g = gb < 0 ? 0 : (long)gb;
	uint64_t n = 0;
	double sum = 0;
	for (long k = g; k <= s->hi_bin; k++) {
		if (k == (long)gb && HIST_LO + (k + 0.5) * HIST_W <= gate)
			continue; /* the straddling bin lies mostly at or under the gate */
		n += s->hist_count[k];
		sum += s->hist_sum[k];
	}
	s->i_ms = n ? sum / (double)n : -1;
}

static inline double flush(double x)
{
	return fabs(x) < 1e-30 ? 0.0 : x;
}

static void sub_block_end(loud_fx *s)
{
	s->ring[s->ring_pos] = s->sub_sum / s->sub_frames;
	s->sub_sum = 0;
	double m = 0, st = 0;
	for (unsigned k = 0, j = s->ring_pos; k < S_SUBS; k++) {
		st += s->ring[j];
		if (k + 1 == M_SUBS)
			m = st;
		j = j ? j - 1 : S_SUBS - 1;
	}
	s->m_ms = m / M_SUBS;
	s->s_ms = st / S_SUBS;
	if (s->m_ms > s->m_max)
		s->m_max = s->m_ms;
	if (s->s_ms > s->s_max)
		s->s_max = s->s_ms;
	s->ring_pos = (s->ring_pos + 1) % S_SUBS;
	s->sub_pos = 0;
	s->subs++;
	if (s->subs >= M_SUBS && (s->subs - M_SUBS) % GATE_EVERY == 0)
		gate_add(s, s->m_ms);
	for (uint32_t c = 0; c < s->channels; c++) {
		kw_state *k = &s->st[c];
		k->s1a = flush(k->s1a);
		k->s2a = flush(k->s2a);
		k->s1b = flush(k->s1b);
		k->s2b = flush(k->s2b);
	}
}

static void loud_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	loud_fx *s = (loud_fx *)fx;
	(void)sc;
	const mxd_biquad a = s->shelf, b = s->hp;
	for (uint32_t off = 0; off < n;) {
		uint32_t m = n - off;
		if (m > s->sub_frames - s->sub_pos)
			m = s->sub_frames - s->sub_pos;
		for (uint32_t c = 0; c < s->channels; c++) {
			if (s->weight[c] == 0.0)
				continue;
			const float *x = io[c] + off;
			kw_state k = s->st[c];
			double acc = 0;
			for (uint32_t i = 0; i < m; i++) {
				double in = fabsf(x[i]) <= FLT_MAX ? x[i] : 0.0; /* non-finite = silence */
				double y = a.b0 * in + k.s1a;
				k.s1a = a.b1 * in - a.a1 * y + k.s2a;
				k.s2a = a.b2 * in - a.a2 * y;
				double z = b.b0 * y + k.s1b;
				k.s1b = b.b1 * y - b.a1 * z + k.s2b;
				k.s2b = b.b2 * y - b.a2 * z;
				acc += z * z;
			}
			s->st[c] = k;
			s->sub_sum += s->weight[c] * acc;
		}
		off += m;
		s->sub_pos += m;
		if (s->sub_pos == s->sub_frames)
			sub_block_end(s);
	}
	publish(s);
}

static uint32_t loud_latency(const mxd_fx *fx)
{
	(void)fx;
	return 0;
}

static void loud_reset(mxd_fx *fx)
{
	clear((loud_fx *)fx);
}

static void loud_destroy(mxd_fx *fx)
{
	free(fx);
}

const mxd_fx_class mxd_fx_loudness_meter_class = {
	.name = "loudness_meter",
	.summary = "Loudness meter (BS.1770-4): momentary, short-term, integrated; audio passes untouched",
	.params = NULL,
	.n_params = 0,
	.n_slots = 0,
	.meters = meters,
	.n_meters = sizeof meters / sizeof meters[0],
	.create = loud_create,
	.activate = loud_activate,
	.set_param = loud_set_param,
	.run = loud_run,
	.latency = loud_latency,
	.reset = loud_reset,
	.destroy = loud_destroy,
};
