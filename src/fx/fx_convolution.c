/* mixdown — `convolution`: convolution with an impulse response file.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Parameters:
 *   ir         file (MXD_PARAM_FILE): the impulse response, any format
 *              libsndfile reads, 1, 2 or 4 channels, at most 60 s. Read in
 *              set_file() (control thread). At activate() it is resampled to
 *              the session rate with libsoxr (soxr_oneshot, SOXR_VHQ) when
 *              its rate differs, so its duration is kept (a 44.1 kHz IR of
 *              N samples becomes ~N x 48000/44100 samples at 48 kHz). Without
 *              an `ir` the response is a unit impulse (the wet signal is the
 *              input, delayed by the latency).
 *   trim       dB, [-48, 24], default 0, automatable: gain of the wet signal.
 *   predelay   ms, [0, 500], default 0, automatable: delay of the wet signal
 *              (rounded to whole samples; a change crossfades from the old to
 *              the new delay over 20 ms).
 *   mix        [0, 1], default 1, automatable: share of the wet signal; the
 *              dry signal is delayed by the latency so the blend is aligned.
 *   normalize  bool, default false, automatable (crossfaded): scales the IR
 *              so the output channel with the most IR energy has unit energy
 *              gain (sum of h^2 = 1: white noise keeps its level).
 * trim, mix and the normalize scale ramp linearly over 20 ms.
 *
 * Channel mapping (C strip channels, k IR channels):
 *   k = 1: the same IR on every channel.
 *   k = 2: channel c uses IR channel c mod 2 (L for L, R for R); a mono strip
 *          uses the mean of the two.
 *   k = 4: true stereo on a stereo strip: IR channels are, in order,
 *          L->L, L->R, R->L, R->R (out L = L*h1 + R*h3, out R = L*h2 + R*h4).
 *          A mono strip uses the mean of the four responses seen from a mono
 *          source, (h1 + h2 + h3 + h4) / 2; strips with more channels use
 *          h1 on even and h4 on odd channels (direct paths only).
 *
 * Engine: uniformly partitioned overlap-save FFT convolution with a
 * frequency-domain delay line (src/dsp/convolver.h), partition 256 samples,
 * kissfft. The partition spectra are computed in activate(); run() never
 * allocates and takes any n <= max_block (it buffers internally).
 * Latency: 256 samples (the partition), reported by latency().
 * Non-finite input samples are replaced by 0 before they reach any state.
 * Threads: as src/fx/processor.h.
 */
#include <math.h>
#include <sndfile.h>
#include <soxr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/convolver.h"
#include "dsp/smooth.h"
#include "fx/processor.h"

#define PARTITION 256u
#define MAX_IR_SECONDS 60.0
#define MAX_PREDELAY_MS 500.0
#define FLUSH 1e-30f

enum { P_IR, P_TRIM, P_PREDELAY, P_MIX, P_NORMALIZE, N_PARAMS };

static const mxd_param params[N_PARAMS] = {
	{ .name = "ir", .kind = MXD_PARAM_FILE, .unit = "", .help = "Impulse response (1, 2 or 4 channels)",
	  .first_slot = P_IR },
	{ .name = "trim", .kind = MXD_PARAM_NUMBER, .unit = "dB", .min = -48, .max = 24, .def = 0,
	  .automatable = true, .help = "Gain of the wet signal", .first_slot = P_TRIM },
	{ .name = "predelay", .kind = MXD_PARAM_NUMBER, .unit = "ms", .min = 0, .max = MAX_PREDELAY_MS,
	  .def = 0, .automatable = true, .help = "Delay of the wet signal", .first_slot = P_PREDELAY },
	{ .name = "mix", .kind = MXD_PARAM_NUMBER, .unit = "", .min = 0, .max = 1, .def = 1,
	  .automatable = true, .help = "Wet share (dry is latency-compensated)", .first_slot = P_MIX },
	{ .name = "normalize", .kind = MXD_PARAM_BOOL, .unit = "", .def = 0,
	  .help = "Scale the IR to unit energy", .first_slot = P_NORMALIZE },
};

typedef struct {
	mxd_fx base;
	/* As loaded (interleaved), owned. */
	float *ir;
	size_t ir_frames;
	uint32_t ir_ch;
	double ir_rate;
	double v[N_PARAMS];
	/* Activated state. */
	double rate;
	uint32_t channels, max_block;
	mxd_convolver *conv;
	double norm_scale;
	mxd_smooth wet_gain, mix;
	float **pre;      /* channels x pre_size ring */
	uint32_t pre_size, pre_w;
	uint32_t d_cur, d_next, d_pending, xf_pos, xf_len;
	float **dry;      /* channels x PARTITION ring */
	uint32_t dry_pos;
	float **wet_in, **wet_out; /* channels x max_block */
} conv_fx;

static void free_rows(float **r, uint32_t n)
{
	if (!r)
		return;
	for (uint32_t i = 0; i < n; i++)
		free(r[i]);
	free(r);
}

static float **alloc_rows(uint32_t n, size_t len)
{
	float **r = calloc(n, sizeof *r);
	if (!r)
		return NULL;
	for (uint32_t i = 0; i < n; i++)
		if (!(r[i] = calloc(len, sizeof(float)))) {
			free_rows(r, n);
			return NULL;
		}
	return r;
}

static void release(conv_fx *s)
{
	mxd_convolver_free(s->conv);
	s->conv = NULL;
	free_rows(s->pre, s->channels);
	free_rows(s->dry, s->channels);
	free_rows(s->wet_in, s->channels);
	free_rows(s->wet_out, s->channels);
	s->pre = s->dry = s->wet_in = s->wet_out = NULL;
}

static mxd_fx *conv_create(const mxd_fx_class *cls)
{
	conv_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	for (int i = 0; i < N_PARAMS; i++)
		s->v[i] = params[i].def;
	s->norm_scale = 1.0;
	return &s->base;
}

static int conv_set_file(mxd_fx *fx, size_t slot, const char *path, char *err, size_t err_size)
{
	conv_fx *s = (conv_fx *)fx;
	if (slot != P_IR) {
		snprintf(err, err_size, "convolution: parameter slot %zu is not a file", slot);
		return -1;
	}
	SF_INFO info = { 0 };
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	if (!f) {
		snprintf(err, err_size, "ir: not an audio file: %s (%s)", path, sf_strerror(NULL));
		return -1;
	}
	int rc = -1;
	float *buf = NULL;
	if (info.channels != 1 && info.channels != 2 && info.channels != 4) {
		snprintf(err, err_size,
			 "ir: %s has %d channels; an impulse response has 1 (mono), 2 (stereo) or 4 "
			 "(true stereo: LL, LR, RL, RR)",
			 path, info.channels);
	} else if (info.frames <= 0 || info.samplerate <= 0) {
		snprintf(err, err_size, "ir: %s holds no samples", path);
	} else if ((double)info.frames > MAX_IR_SECONDS * info.samplerate) {
		snprintf(err, err_size, "ir: %s is longer than %.0f s", path, MAX_IR_SECONDS);
	} else if (!(buf = malloc((size_t)info.frames * (size_t)info.channels * sizeof *buf))) {
		snprintf(err, err_size, "ir: out of memory reading %s", path);
	} else if (sf_readf_float(f, buf, info.frames) != info.frames) {
		snprintf(err, err_size, "ir: cannot read %s (%s)", path, sf_strerror(f));
	} else {
		rc = 0;
		for (size_t i = 0; i < (size_t)info.frames * (size_t)info.channels; i++)
			if (!isfinite(buf[i])) {
				snprintf(err, err_size, "ir: %s contains non-finite samples", path);
				rc = -1;
				break;
			} else if (fabsf(buf[i]) < FLUSH) {
				buf[i] = 0.0f;
			}
	}
	sf_close(f);
	if (rc != 0) {
		free(buf);
		return -1;
	}
	free(s->ir);
	s->ir = buf;
	s->ir_frames = (size_t)info.frames;
	s->ir_ch = (uint32_t)info.channels;
	s->ir_rate = info.samplerate;
	return 0;
}

static uint32_t predelay_samples(const conv_fx *s)
{
	return (uint32_t)floor(s->v[P_PREDELAY] * s->rate / 1000.0 + 0.5);
}

static double wet_target(const conv_fx *s)
{
	return pow(10.0, s->v[P_TRIM] / 20.0) * (s->v[P_NORMALIZE] != 0 ? s->norm_scale : 1.0);
}

static void conv_reset(mxd_fx *fx)
{
	conv_fx *s = (conv_fx *)fx;
	if (!s->conv)
		return;
	mxd_convolver_reset(s->conv);
	for (uint32_t c = 0; c < s->channels; c++) {
		memset(s->pre[c], 0, s->pre_size * sizeof(float));
		memset(s->dry[c], 0, PARTITION * sizeof(float));
	}
	s->pre_w = s->dry_pos = 0;
	s->d_cur = s->d_next = s->d_pending = predelay_samples(s);
	s->xf_pos = 0;
	mxd_smooth_snap(&s->wet_gain);
	mxd_smooth_snap(&s->mix);
}

/* Planar IR at the session rate (resampled if needed); NULL on failure. */
static float **planar_ir(conv_fx *s, size_t *len_out, uint32_t *ch_out)
{
	static const float unit = 1.0f;
	const float *src = s->ir ? s->ir : &unit;
	size_t frames = s->ir ? s->ir_frames : 1;
	uint32_t k = s->ir ? s->ir_ch : 1;
	float *res = NULL;
	if (s->ir && s->ir_rate != s->rate) {
		size_t olen = (size_t)ceil((double)frames * s->rate / s->ir_rate);
		res = calloc(olen * k, sizeof *res);
		if (!res)
			return NULL;
		soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
		soxr_quality_spec_t q = soxr_quality_spec(SOXR_VHQ, 0);
		size_t odone = 0;
		soxr_error_t e = soxr_oneshot(s->ir_rate, s->rate, k, src, frames, NULL, res, olen, &odone,
					      &io, &q, NULL);
		if (e || odone == 0) {
			free(res);
			return NULL;
		}
		src = res;
		frames = odone;
	}
	float **p = alloc_rows(k, frames);
	if (p)
		for (uint32_t c = 0; c < k; c++)
			for (size_t i = 0; i < frames; i++) {
				float v = src[i * k + c];
				p[c][i] = fabsf(v) < FLUSH || !isfinite(v) ? 0.0f : v;
			}
	free(res);
	*len_out = frames;
	*ch_out = k;
	return p;
}

static int conv_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	conv_fx *s = (conv_fx *)fx;
	release(s);
	s->rate = rate;
	s->channels = channels;
	s->max_block = max_block ? max_block : 1;
	size_t len = 0;
	uint32_t k = 0;
	float **ir = planar_ir(s, &len, &k);
	if (!ir)
		return -1;
	mxd_conv_path paths[MXD_MAX_CHANNELS * 4];
	uint32_t np = 0;
#define PATH(i, o, h, g) (paths[np++] = (mxd_conv_path){ (i), (o), ir[h], len, (g) })
	if (k == 1) {
		for (uint32_t c = 0; c < channels; c++)
			PATH(c, c, 0, 1.0);
	} else if (channels == 1) {
		for (uint32_t h = 0; h < k; h++)
			PATH(0, 0, h, 0.5); /* mean of 2; (h1+h2+h3+h4)/2 for 4 */
	} else if (k == 2) {
		for (uint32_t c = 0; c < channels; c++)
			PATH(c, c, c % 2, 1.0);
	} else { /* k == 4 */
		PATH(0, 0, 0, 1.0);
		PATH(0, 1, 1, 1.0);
		PATH(1, 0, 2, 1.0);
		PATH(1, 1, 3, 1.0);
		for (uint32_t c = 2; c < channels; c++)
			PATH(c, c, c % 2 ? 3 : 0, 1.0);
	}
#undef PATH
	/* Normalisation: unit energy gain for the loudest output. */
	double emax = 0.0;
	for (uint32_t o = 0; o < channels; o++) {
		double e = 0.0;
		for (uint32_t p = 0; p < np; p++)
			if (paths[p].out == o)
				for (size_t i = 0; i < len; i++)
					e += paths[p].gain * paths[p].gain * (double)paths[p].ir[i] * paths[p].ir[i];
		emax = fmax(emax, e);
	}
	s->norm_scale = emax > 0.0 ? 1.0 / sqrt(emax) : 1.0;
	s->conv = mxd_convolver_new(PARTITION, channels, channels, paths, np);
	free_rows(ir, k);
	double max_pre = ceil(MAX_PREDELAY_MS * rate / 1000.0) + 2.0;
	s->pre_size = 1;
	while (s->pre_size < max_pre)
		s->pre_size <<= 1;
	s->pre = alloc_rows(channels, s->pre_size);
	s->dry = alloc_rows(channels, PARTITION);
	s->wet_in = alloc_rows(channels, s->max_block);
	s->wet_out = alloc_rows(channels, s->max_block);
	if (!s->conv || !s->pre || !s->dry || !s->wet_in || !s->wet_out) {
		release(s);
		return -1;
	}
	mxd_smooth_init(&s->wet_gain, rate, MXD_SMOOTH_MS, wet_target(s));
	mxd_smooth_init(&s->mix, rate, MXD_SMOOTH_MS, s->v[P_MIX]);
	s->xf_len = (uint32_t)floor(rate * MXD_SMOOTH_MS / 1000.0 + 0.5);
	if (s->xf_len < 1)
		s->xf_len = 1;
	conv_reset(fx);
	return 0;
}

static void conv_set_param(mxd_fx *fx, size_t slot, double v)
{
	conv_fx *s = (conv_fx *)fx;
	if (slot >= N_PARAMS || slot == P_IR || isnan(v))
		return;
	const mxd_param *p = &params[slot];
	if (p->kind == MXD_PARAM_BOOL)
		v = v != 0 ? 1.0 : 0.0;
	else
		v = v < p->min ? p->min : v > p->max ? p->max : v;
	s->v[slot] = v;
	if (!s->conv)
		return;
	switch (slot) {
	case P_TRIM:
	case P_NORMALIZE: mxd_smooth_set(&s->wet_gain, wet_target(s)); break;
	case P_MIX: mxd_smooth_set(&s->mix, v); break;
	case P_PREDELAY: s->d_pending = predelay_samples(s); break;
	default: break;
	}
}

static void conv_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	conv_fx *s = (conv_fx *)fx;
	(void)sc;
	if (!s->conv)
		return;
	const uint32_t nch = s->channels, mask = s->pre_size - 1;
	while (n > 0) {
		uint32_t m = n < s->max_block ? n : s->max_block;
		/* Predelay (with crossfade between taps) into wet_in; dry ring. */
		uint32_t w = s->pre_w, dp = s->dry_pos;
		for (uint32_t i = 0; i < m; i++) {
			if (s->xf_pos == 0 && s->d_pending != s->d_cur)
				s->d_next = s->d_pending, s->xf_pos = 1;
			double a = 0.0;
			if (s->xf_pos)
				a = (double)s->xf_pos / (double)s->xf_len;
			for (uint32_t c = 0; c < nch; c++) {
				float x = io[c][i];
				if (!isfinite(x))
					x = 0.0f;
				s->pre[c][w] = x;
				float y = s->pre[c][(w - s->d_cur) & mask];
				if (s->xf_pos)
					y = (float)((1.0 - a) * y + a * s->pre[c][(w - s->d_next) & mask]);
				s->wet_in[c][i] = y;
				float d = s->dry[c][dp];
				s->dry[c][dp] = x;
				io[c][i] = d; /* io now holds the aligned dry signal */
			}
			if (s->xf_pos && ++s->xf_pos > s->xf_len)
				s->d_cur = s->d_next, s->xf_pos = 0;
			w = (w + 1) & mask;
			dp = dp + 1 == PARTITION ? 0 : dp + 1;
		}
		s->pre_w = w;
		s->dry_pos = dp;
		mxd_convolver_process(s->conv, (const float *const *)s->wet_in, s->wet_out, m);
		for (uint32_t i = 0; i < m; i++) {
			double g = mxd_smooth_advance(&s->wet_gain, 1);
			double mx = mxd_smooth_advance(&s->mix, 1);
			for (uint32_t c = 0; c < nch; c++) {
				double y = mx * g * s->wet_out[c][i];
				if (mx < 1.0)
					y += (1.0 - mx) * io[c][i];
				float f = (float)y;
				io[c][i] = fabsf(f) < FLUSH ? 0.0f : f;
			}
		}
		n -= m;
		if (n == 0)
			break;
		/* More than max_block samples: not expected, but handled. */
		float *next[MXD_MAX_CHANNELS];
		for (uint32_t c = 0; c < nch; c++)
			next[c] = io[c] + m;
		io = next;
	}
}

static uint32_t conv_latency(const mxd_fx *fx)
{
	const conv_fx *s = (const conv_fx *)fx;
	return s->conv ? mxd_convolver_latency(s->conv) : PARTITION;
}

static void conv_destroy(mxd_fx *fx)
{
	conv_fx *s = (conv_fx *)fx;
	if (!s)
		return;
	release(s);
	free(s->ir);
	free(s);
}

const mxd_fx_class mxd_fx_convolution_class = {
	.name = "convolution",
	.summary = "Convolution with an impulse response file (partitioned FFT, 256 samples latency)",
	.params = params,
	.n_params = N_PARAMS,
	.n_slots = N_PARAMS,
	.create = conv_create,
	.activate = conv_activate,
	.set_param = conv_set_param,
	.set_file = conv_set_file,
	.run = conv_run,
	.latency = conv_latency,
	.reset = conv_reset,
	.destroy = conv_destroy,
};
