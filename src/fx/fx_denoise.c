/* mixdown — `denoise`: spectral noise reduction with a noise profile.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Parameters (session keys; none automatable):
 *   profile_1 .. profile_32  dBFS, [-150, 0], default -150: the noise
 *              profile, the noise's level in band b = 1..32 centred on
 *              20 Hz * 1000^((b - 1) / 31) (20 Hz .. 20 kHz, a third of an
 *              octave apart), expressed as the RMS of white noise with the
 *              same spectral density (white noise of -60 dBFS RMS reads -60
 *              in every band). mxd_noise_profile_learn() (edit/repair.h)
 *              measures it; `mixdown clean` writes it. Between centres the
 *              profile is interpolated linearly in dB over log frequency.
 *              Scalar slots because a profile is a fixed-size vector: each
 *              value is addressable and diffable in the session.
 *   amount     dB, [0, 40], default 20: the largest reduction (the gain
 *              floor), i.e. how far pure noise is turned down.
 *   smoothing  [0, 0.995], default 0.98: the decision-directed weight of
 *              the a-priori SNR; higher = smoother gains over time, less
 *              musical noise, slower to open on onsets.
 *   floor      dB, [-20, 20], default 0: added to the profile (raise it to
 *              treat more as noise).
 *
 * Method: STFT with a frame that scales with the rate (frame_for_rate:
 * 2048 at 44.1/48 kHz, 4096 at 96 kHz), hop a quarter frame (75 %
 * overlap), Hann analysis and synthesis windows (Hann^2 overlaps to 1.5
 * at 75 %, so the output is scaled by 2/3: unity gains give the input back
 * up to rounding; Hann rather than sqrt-Hann analysis for its lower side
 * lobes, -31 dB falling 18 dB/octave, so strong harmonics do not hold the
 * gains open between them). Per bin k the parametric Wiener gain
 * G = xi / (beta + xi) with the a-priori SNR xi from the decision-directed
 * estimate of Y. Ephraim, D. Malah, "Speech enhancement using a minimum
 * mean-square error short-time spectral amplitude estimator", IEEE Trans.
 * ASSP 32(6), 1984, eq. 51:
 *   xi = a G_prev^2 |X_prev|^2 / lambda + (1 - a) max(|X|^2 / lambda - 1, 0),
 * lambda the profile's noise power in the bin; beta = 0.15 x the frame's
 * SNR (sum |X|^2 / sum lambda - 1) within [0.5, 100] (see BETA_PER_SNR);
 * G is limited below by 10^(-amount / 20) (the floor keeps residual noise
 * natural, O. Cappe 1994).
 * Measured in tests/test_repair.c (t_denoise_snr): +12.6 / 11.8 / 11.3 dB
 * SNR at 10 / 20 / 30 dB input SNR, speech loss <= 0.89 dB.
 * Latency: the frame (frame_for_rate), exactly.
 * The FFT is kissfft (real, float).
 * Threads: see processor.h (run() is real-time safe: FFT plans and buffers
 * come from activate()); mxd_denoise_shadow() (repair_dsp.h) is a
 * measurement hook for tests, control thread.
 */
#include <kiss_fftr.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit/repair_dsp.h"
#include "fx/processor.h"

/* The frame scales with the rate: the largest power of two of at most
 * 50 ms (the latency the mixer accepts of an insert, tests/test_fx.c), so
 * 2048 at 44.1 and 48 kHz, 4096 at 88.2 and 96 kHz, 1024 at 32 kHz: the
 * bins stay 21-31 Hz wide from 22.05 to 192 kHz. */
#define N_MAX 8192u
#define BINS_MAX (N_MAX / 2 + 1)

static uint32_t frame_for_rate(double rate)
{
	uint32_t n = 512;
	while (2 * n <= N_MAX && 2 * n <= 0.05 * rate)
		n *= 2;
	return n;
}

enum { P_PROFILE = 0, P_AMOUNT = MXD_NZ_BANDS, P_SMOOTHING, P_FLOOR, N_SLOTS };

#define PROFILE_ENTRY(i)                                                                                  \
	{ .name = "profile_" #i, .kind = MXD_PARAM_NUMBER, .unit = "dBFS", .min = -150, .max = 0, .def = -150, \
	  .help = "Noise level in band " #i " (white-noise-equivalent RMS)", .first_slot = (i) - 1 }

static const mxd_param params[] = {
	PROFILE_ENTRY(1),  PROFILE_ENTRY(2),  PROFILE_ENTRY(3),  PROFILE_ENTRY(4),  PROFILE_ENTRY(5),
	PROFILE_ENTRY(6),  PROFILE_ENTRY(7),  PROFILE_ENTRY(8),  PROFILE_ENTRY(9),  PROFILE_ENTRY(10),
	PROFILE_ENTRY(11), PROFILE_ENTRY(12), PROFILE_ENTRY(13), PROFILE_ENTRY(14), PROFILE_ENTRY(15),
	PROFILE_ENTRY(16), PROFILE_ENTRY(17), PROFILE_ENTRY(18), PROFILE_ENTRY(19), PROFILE_ENTRY(20),
	PROFILE_ENTRY(21), PROFILE_ENTRY(22), PROFILE_ENTRY(23), PROFILE_ENTRY(24), PROFILE_ENTRY(25),
	PROFILE_ENTRY(26), PROFILE_ENTRY(27), PROFILE_ENTRY(28), PROFILE_ENTRY(29), PROFILE_ENTRY(30),
	PROFILE_ENTRY(31), PROFILE_ENTRY(32),
	{ .name = "amount", .kind = MXD_PARAM_NUMBER, .unit = "dB", .min = 0, .max = 40, .def = 20,
	  .help = "Largest reduction (gain floor)", .first_slot = P_AMOUNT },
	{ .name = "smoothing", .kind = MXD_PARAM_NUMBER, .unit = "", .min = 0, .max = 0.995, .def = 0.98,
	  .help = "Decision-directed a-priori SNR weight (Ephraim-Malah): less musical noise",
	  .first_slot = P_SMOOTHING },
	{ .name = "floor", .kind = MXD_PARAM_NUMBER, .unit = "dB", .min = -20, .max = 20, .def = 0,
	  .help = "Offset added to the noise profile", .first_slot = P_FLOOR },
};

_Static_assert(sizeof params / sizeof params[0] == N_SLOTS, "one entry per slot");

typedef struct {
	float in[N_MAX];       /* the last n input samples */
	float ola[N_MAX];      /* overlap-add accumulator */
	float outq[N_MAX / 4]; /* finished samples going out */
	float prev[BINS_MAX];  /* G^2 |X|^2 of the previous frame */
} chan;

typedef struct {
	mxd_fx base;
	double v[N_SLOTS];
	double rate;
	uint32_t channels, k;
	uint32_t n, hop, bins; /* frame, hop (n / 4), bins (n / 2 + 1) at this rate */
	kiss_fftr_cfg fwd, inv;
	float win[N_MAX];
	float lambda[BINS_MAX];
	double lamd[BINS_MAX]; /* scratch of update_lambda */
	float time[N_MAX];
	kiss_fft_cpx spec[BINS_MAX];
	float pw[BINS_MAX];
	float g[BINS_MAX];  /* the gains of the last frame of channel 0 */
	bool shadow;        /* mxd_denoise_shadow(): channel 0's gains for all */
	chan *ch;
} denoise_fx;

static void update_lambda(denoise_fx *s)
{
	if (!(s->rate > 0))
		return;
	mxd_nz_bins_from_bands_n(&s->v[P_PROFILE], s->rate, s->v[P_FLOOR], s->n, s->lamd);
	for (uint32_t k = 0; k < s->bins; k++)
		s->lambda[k] = (float)s->lamd[k];
}

static mxd_fx *denoise_create(const mxd_fx_class *cls)
{
	denoise_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	for (size_t i = 0; i < N_SLOTS; i++)
		s->v[i] = params[i].def;
	return &s->base;
}

static void denoise_destroy(mxd_fx *fx)
{
	denoise_fx *s = (denoise_fx *)fx;
	if (!s)
		return;
	kiss_fftr_free(s->fwd);
	kiss_fftr_free(s->inv);
	free(s->ch);
	free(s);
}

static void denoise_reset(mxd_fx *fx)
{
	denoise_fx *s = (denoise_fx *)fx;
	if (s->ch)
		memset(s->ch, 0, s->channels * sizeof *s->ch);
	s->k = 0;
}

static int denoise_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	denoise_fx *s = (denoise_fx *)fx;
	(void)max_block;
	kiss_fftr_free(s->fwd);
	kiss_fftr_free(s->inv);
	free(s->ch);
	s->rate = rate;
	s->channels = channels;
	s->n = frame_for_rate(rate);
	s->hop = s->n / 4;
	s->bins = s->n / 2 + 1;
	s->fwd = kiss_fftr_alloc((int)s->n, 0, NULL, NULL);
	s->inv = kiss_fftr_alloc((int)s->n, 1, NULL, NULL);
	s->ch = calloc(channels, sizeof *s->ch);
	if (!s->fwd || !s->inv || !s->ch)
		return -1;
	for (uint32_t i = 0; i < s->n; i++)
		s->win[i] = (float)(0.5 - 0.5 * cos(2 * 3.14159265358979323846 * i / s->n));
	update_lambda(s);
	denoise_reset(fx);
	return 0;
}

static void denoise_set_param(mxd_fx *fx, size_t slot, double v)
{
	denoise_fx *s = (denoise_fx *)fx;
	if (slot >= N_SLOTS || isnan(v))
		return;
	s->v[slot] = v < params[slot].min ? params[slot].min : v > params[slot].max ? params[slot].max : v;
	if (slot < P_AMOUNT || slot == P_FLOOR)
		update_lambda(s);
}

/* The parametric Wiener gain xi / (beta + xi) (J. Lim, A. Oppenheim,
 * "Enhancement and bandwidth compression of noisy speech", Proc. IEEE
 * 67(12), 1979), beta rising with the frame's SNR: in a loud frame the
 * signal's energy sits in bins far above the noise, so bins with a
 * moderate a-priori SNR hold mostly noise and can be turned down at little
 * cost to the signal, while in a quiet frame beta < 1 keeps the weak parts
 * of the signal. */
#define BETA_PER_SNR 0.15f
#define BETA_MIN 0.5f
#define BETA_MAX 100.0f

/* One STFT frame of channel c: gains from the profile, overlap-add, the
 * next hop finished samples into outq. */
static void frame(denoise_fx *s, chan *c, bool reuse)
{
	const uint32_t nf = s->n, hop = s->hop, bins = s->bins;
	const float gmin = (float)pow(10.0, -s->v[P_AMOUNT] / 20.0), a = (float)s->v[P_SMOOTHING];
	for (uint32_t i = 0; i < nf; i++)
		s->time[i] = c->in[i] * s->win[i];
	kiss_fftr(s->fwd, s->time, s->spec);
	if (reuse) {
		for (uint32_t k = 0; k < bins; k++) {
			s->spec[k].r *= s->g[k];
			s->spec[k].i *= s->g[k];
		}
	} else {
		float sp = 0, sl = 0;
		for (uint32_t k = 0; k < bins; k++) {
			s->pw[k] = s->spec[k].r * s->spec[k].r + s->spec[k].i * s->spec[k].i;
			sp += s->pw[k];
			sl += s->lambda[k];
		}
		/* beta from the frame's SNR: 0.5 up to 5 dB, 1 at 8 dB, 100 (the
		 * cap) from 28 dB up. */
		float beta = (sp / sl - 1.0f) * BETA_PER_SNR;
		beta = beta > BETA_MIN ? beta < BETA_MAX ? beta : BETA_MAX : BETA_MIN;
		for (uint32_t k = 0; k < bins; k++) {
			float p = s->pw[k], lam = s->lambda[k];
			float post = p / lam - 1.0f;
			float xi = a * c->prev[k] / lam + (1.0f - a) * (post > 0 ? post : 0.0f);
			float g = xi / (beta + xi);
			g = g > gmin ? g : gmin;
			c->prev[k] = g * g * p;
			s->g[k] = g;
			s->spec[k].r *= g;
			s->spec[k].i *= g;
		}
	}
	kiss_fftri(s->inv, s->spec, s->time);
	const float scale = 1.0f / (1.5f * nf); /* kissfft's inverse is unnormalised; Hann^2 at 75 % sums to 1.5 */
	for (uint32_t i = 0; i < nf; i++)
		c->ola[i] += s->time[i] * s->win[i] * scale;
	memcpy(c->outq, c->ola, hop * sizeof(float));
	memmove(c->ola, c->ola + hop, (nf - hop) * sizeof(float));
	memset(c->ola + nf - hop, 0, hop * sizeof(float));
	memmove(c->in, c->in + hop, (nf - hop) * sizeof(float));
}

static void denoise_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	denoise_fx *s = (denoise_fx *)fx;
	const uint32_t nf = s->n, hop = s->hop;
	(void)sc;
	for (uint32_t i = 0; i < n;) {
		uint32_t m = hop - s->k < n - i ? hop - s->k : n - i;
		for (uint32_t c = 0; c < s->channels; c++) {
			chan *st = &s->ch[c];
			float *x = io[c] + i;
			for (uint32_t j = 0; j < m; j++) {
				st->in[nf - hop + s->k + j] = isfinite(x[j]) ? x[j] : 0.0f;
				x[j] = st->outq[s->k + j];
			}
		}
		s->k += m;
		i += m;
		if (s->k == hop) {
			for (uint32_t c = 0; c < s->channels; c++)
				frame(s, &s->ch[c], s->shadow && c > 0);
			s->k = 0;
		}
	}
}

extern const mxd_fx_class mxd_fx_denoise_class;

void mxd_denoise_shadow(struct mxd_fx *fx, bool on)
{
	if (fx && fx->cls == &mxd_fx_denoise_class)
		((denoise_fx *)fx)->shadow = on;
}

static uint32_t denoise_latency(const mxd_fx *fx)
{
	const denoise_fx *s = (const denoise_fx *)fx;
	return s->n ? s->n : frame_for_rate(48000);
}

const mxd_fx_class mxd_fx_denoise_class = {
	.name = "denoise",
	.summary = "Noise reduction: STFT Wiener gains from a noise profile, decision-directed smoothing",
	.params = params,
	.n_params = sizeof params / sizeof params[0],
	.n_slots = N_SLOTS,
	.create = denoise_create,
	.activate = denoise_activate,
	.set_param = denoise_set_param,
	.run = denoise_run,
	.latency = denoise_latency,
	.reset = denoise_reset,
	.destroy = denoise_destroy,
};
