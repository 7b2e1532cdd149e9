/* mixdown — reference matching (src/master/match*.c): a planted tonal difference is found and removed.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Test pair: a stereo "mix" of pink noise, mid M and an independent side S
 * (pink, highpassed at 150 Hz, 6 dB down: L and R partly correlated), and a
 * "reference" of the same kind of material (other noise seeds, 3 dB louder)
 * with EQ planted separately on mid (+6 dB low shelf at 150 Hz, -4 dB peak
 * at 3 kHz, Q 1) and side (+5 dB high shelf at 6 kHz). Noise is synthesized
 * in the frequency domain (one inverse FFT of 2^20 points, random Gaussian
 * bins shaped by the exact analytic magnitudes of the RBJ biquads), so the
 * planted EQ is known exactly.
 * Measurement: one-third-octave band levels of M and S (Welch, Hann 8192,
 * bins split across band edges in proportion to overlap), each file
 * normalized by its BS.1770 integrated loudness (libebur128), over the bands
 * with centres 40 Hz .. 16 kHz. Matching must remove >= 70 % of the mean
 * absolute band difference to the reference, for mid and for side (a mono
 * input: its band levels against the reference's per-speaker total M + S),
 * also with a 44.1 kHz reference for the 48 kHz input. Further: the designed
 * curve equals the planted EQ up to one offset; a reference lowpassed at
 * 11 kHz is not followed above it; amount 0.5 halves the curve in dB;
 * amount 0 is a bit-exact delayed copy; process() never allocates (malloc
 * interposed and counted); bad inputs give clear errors naming the file.
 * Units: dB, Hz, frames. Files go to a temporary directory.
 */
#include <ebur128.h>
#include <kiss_fftr.h>
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/biquad.h"
#include "harness.h"
#include "master/match.h"
#include "mixdown/mixdown.h"
#include "util.h"

#define SYN_N (1u << 20) /* samples per synthesized signal (21.8 s at 48 kHz) */
#define K_LO 3           /* band 39.8 Hz */
#define K_HI 29          /* band 15.8 kHz */

/* ------------------------------------------------------------ allocation count */
/* process() must not allocate: malloc and friends are interposed for the whole
 * program and forwarded to glibc's allocator; counting is on only around
 * process(). Not under sanitizers (they own malloc). */
#if defined(__SANITIZE_ADDRESS__)
#define COUNT_ALLOCS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define COUNT_ALLOCS 0
#endif
#endif
#ifndef COUNT_ALLOCS
#if defined(__GLIBC__)
#define COUNT_ALLOCS 1
#else
#define COUNT_ALLOCS 0
#endif
#endif

static volatile int count_on;
static volatile long n_allocs;

#if COUNT_ALLOCS
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);
void *malloc(size_t n)
{
	if (count_on)
		n_allocs++;
	return __libc_malloc(n);
}
void *calloc(size_t n, size_t m)
{
	if (count_on)
		n_allocs++;
	return __libc_calloc(n, m);
}
void *realloc(void *p, size_t n)
{
	if (count_on)
		n_allocs++;
	return __libc_realloc(p, n);
}
void free(void *p)
{
	if (count_on && p)
		n_allocs++;
	__libc_free(p);
}
#endif

/* ------------------------------------------------------------------ synthesis */

typedef struct {
	mxd_biquad bq[3];
	int n;
	bool hp150;       /* 2nd-order Butterworth highpass at 150 Hz (the side's lack of bass) */
	double cut;       /* Hz: nothing above (a lowpassed reference); 0 = none */
} shape;

static double shape_db(const shape *s, double rate, double f)
{
	double db = 0;
	for (int i = 0; i < s->n; i++) {
		double m;
		mxd_biquad_response(&s->bq[i], rate, f, &m, NULL);
		db += m;
	}
	if (s->hp150) {
		const double r = f / 150.0;
		db += 10.0 * log10(pow(r, 4) / (1.0 + pow(r, 4)));
	}
	return db;
}

static uint64_t rng_state;
static double urand(void)
{
	/* xorshift64* (Vigna 2016), 53 random bits in (0, 1). */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return ((double)((rng_state * 2685821657736338717ull) >> 11) + 0.5) / 9007199254740992.0;
}

/* Pink noise (power per Hz ~ 1/f from 20 Hz) shaped by `s`, SYN_N samples,
 * scaled by `gain` (linear), added into out. */
static void pink_add(float *out, double rate, uint32_t seed, const shape *s, double gain)
{
	const uint32_t n = SYN_N, bins = n / 2 + 1;
	kiss_fftr_cfg inv = kiss_fftr_alloc((int)n, 1, NULL, NULL);
	kiss_fft_cpx *X = calloc(bins, sizeof *X);
	float *t = malloc(n * sizeof *t);
	rng_state = 0x9E3779B97F4A7C15ull ^ ((uint64_t)seed * 0xD1B54A32D192ED03ull);
	for (int i = 0; i < 8; i++)
		urand();
	for (uint32_t k = 1; k < bins - 1; k++) {
		const double f = k * rate / n;
		if (f < 20.0 || (s->cut > 0 && f > s->cut))
			continue;
		const double a = sqrt(1.0 / f) * pow(10.0, shape_db(s, rate, f) / 20.0);
		/* Box-Muller: a complex Gaussian bin. */
		const double r = sqrt(-2.0 * log(urand())), ph = 2.0 * M_PI * urand();
		X[k].r = (float)(a * r * cos(ph));
		X[k].i = (float)(a * r * sin(ph));
	}
	kiss_fftri(inv, X, t);
	/* About -20 dBFS RMS for gain 1 (the unshaped pink's RMS is sqrt(sum a^2) * ...). */
	double ss = 0;
	for (uint32_t k = 1; k < bins - 1; k++)
		if (k * rate / n >= 20.0)
			ss += 1.0 / (k * rate / n);
	const double norm = 0.1 / sqrt(2.0 * ss);
	for (uint32_t i = 0; i < n; i++)
		out[i] += (float)(gain * norm * t[i]);
	kiss_fftr_free(inv);
	free(X);
	free(t);
}

typedef struct {
	float *ch[2];
	uint32_t channels;
	double rate;
	uint32_t frames;
} sig;

static void sig_free(sig *s)
{
	free(s->ch[0]);
	free(s->ch[1]);
	memset(s, 0, sizeof *s);
}

/* A stereo test signal from mid/side shapes (planted EQ). */
static sig make_pair_side(double rate, uint32_t seed, const shape *mid, const shape *side, double gain, bool mono)
{
	sig s = { { calloc(SYN_N, sizeof(float)), calloc(SYN_N, sizeof(float)) }, mono ? 1u : 2u, rate, SYN_N };
	float *m = s.ch[0], *x = s.ch[1];
	pink_add(m, rate, seed, mid, gain);
	if (mono)
		return s;
	pink_add(x, rate, seed + 1000, side, 0.5 * gain);
	for (uint32_t i = 0; i < SYN_N; i++) {
		const float a = m[i], b = x[i];
		m[i] = a + b;
		x[i] = a - b;
	}
	return s;
}

static void shapes(double rate, bool planted, shape *mid, shape *side)
{
	memset(mid, 0, sizeof *mid);
	memset(side, 0, sizeof *side);
	side->hp150 = true;
	if (!planted)
		return;
	mxd_biquad_design(&mid->bq[0], MXD_BQ_LOWSHELF, rate, 150.0, M_SQRT1_2, 6.0);
	mxd_biquad_design(&mid->bq[1], MXD_BQ_PEAK, rate, 3000.0, 1.0, -4.0);
	mid->n = 2;
	mxd_biquad_design(&side->bq[0], MXD_BQ_HIGHSHELF, rate, 6000.0, M_SQRT1_2, 5.0);
	side->n = 1;
}

static int write_sig(const char *path, const sig *s)
{
	float *il = malloc(sizeof(float) * s->frames * s->channels);
	for (uint32_t i = 0; i < s->frames; i++)
		for (uint32_t c = 0; c < s->channels; c++)
			il[i * s->channels + c] = s->ch[c][i];
	int r = mxt_write_audio(path, il, s->frames, (int)s->channels, (int)s->rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	free(il);
	return r;
}

/* ---------------------------------------------------------------- measurement */

typedef struct {
	double m[MIXDOWN_BANDS], s[MIXDOWN_BANDS]; /* dB re. the integrated loudness */
	double t[MIXDOWN_BANDS];                   /* per-speaker total M + S (= M for mono) */
	double lufs;
} bands;

static double loudness(const sig *s)
{
	ebur128_state *st = ebur128_init(s->channels, (unsigned long)s->rate, EBUR128_MODE_I);
	if (s->channels == 1)
		ebur128_set_channel(st, 0, EBUR128_DUAL_MONO); /* a mono file on both speakers */
	float *il = malloc(sizeof(float) * 4096 * s->channels);
	for (uint32_t i = 0; i < s->frames; i += 4096) {
		uint32_t k = s->frames - i < 4096 ? s->frames - i : 4096;
		for (uint32_t j = 0; j < k; j++)
			for (uint32_t c = 0; c < s->channels; c++)
				il[j * s->channels + c] = s->ch[c][i + j];
		ebur128_add_frames_float(st, il, k);
	}
	double l = -INFINITY;
	ebur128_loudness_global(st, &l);
	ebur128_destroy(&st);
	free(il);
	return l;
}

/* Power of one band from a one-sided PSD p (mean square per bin, bin k covering
 * [(k-1/2) df, (k+1/2) df]). */
static double band_power(const double *p, uint32_t bins, double df, double lo, double hi)
{
	double s = 0;
	for (uint32_t k = 0; k < bins; k++) {
		const double a = fmax((k - 0.5) * df, lo), b = fmin((k + 0.5) * df, hi);
		if (b > a)
			s += p[k] * (b - a) / df;
	}
	return s;
}

static bands measure(const sig *x)
{
	const uint32_t n = 8192, bins = n / 2 + 1;
	kiss_fftr_cfg fft = kiss_fftr_alloc((int)n, 0, NULL, NULL);
	float *t = malloc(n * sizeof *t), *w = malloc(n * sizeof *w);
	kiss_fft_cpx *X = malloc(bins * sizeof *X);
	double *pm = calloc(bins, sizeof *pm), *ps = calloc(bins, sizeof *ps), sw2 = 0;
	for (uint32_t i = 0; i < n; i++) {
		w[i] = (float)(0.5 - 0.5 * cos(2 * M_PI * i / n));
		sw2 += (double)w[i] * w[i];
	}
	uint32_t frames = 0;
	for (uint32_t pos = 0; pos + n <= x->frames; pos += n / 2, frames++) {
		for (int side = 0; side < (x->channels > 1 ? 2 : 1); side++) {
			for (uint32_t i = 0; i < n; i++) {
				const float l = x->ch[0][pos + i], r = x->channels > 1 ? x->ch[1][pos + i] : l;
				t[i] = w[i] * (side ? 0.5f * (l - r) : 0.5f * (l + r));
			}
			kiss_fftr(fft, t, X);
			double *p = side ? ps : pm;
			for (uint32_t k = 0; k < bins; k++)
				p[k] += (k == 0 || k == n / 2 ? 1.0 : 2.0) / (n * sw2) *
					((double)X[k].r * X[k].r + (double)X[k].i * X[k].i);
		}
	}
	bands b;
	b.lufs = loudness(x);
	const double df = x->rate / n;
	for (int k = 0; k < MIXDOWN_BANDS; k++) {
		const double fc = mixdown_band_centre((size_t)k), lo = fc * pow(10, -0.05), hi = fc * pow(10, 0.05);
		b.m[k] = 10 * log10(band_power(pm, bins, df, lo, hi) / frames) - b.lufs;
		b.s[k] = x->channels > 1 ? 10 * log10(band_power(ps, bins, df, lo, hi) / frames) - b.lufs : -INFINITY;
		b.t[k] = 10 * log10(pow(10, b.m[k] / 10) + (x->channels > 1 ? pow(10, b.s[k] / 10) : 0.0));
	}
	kiss_fftr_free(fft);
	free(t);
	free(w);
	free(X);
	free(pm);
	free(ps);
	return b;
}

/* Mean |a - b| over the bands 40 Hz .. 16 kHz. */
static double mean_diff(const double *a, const double *b)
{
	double s = 0;
	for (int k = K_LO; k <= K_HI; k++)
		s += fabs(a[k] - b[k]);
	return s / (K_HI - K_LO + 1);
}

/* Run the whole signal through m in uneven blocks; the output is aligned
 * (the latency dropped, the tail flushed with zeros). */
static sig run(mxd_match *m, const sig *in, long *allocs)
{
	const uint32_t ch = in->channels, lat = mxd_match_latency(m), total = in->frames + lat;
	sig out = { { calloc(total, sizeof(float)), ch > 1 ? calloc(total, sizeof(float)) : NULL }, ch, in->rate,
		    in->frames };
	float *zero = calloc(8192, sizeof(float)), *ibuf[2], *obuf[2];
	static const uint32_t sizes[] = { 1024, 37, 4096, 1, 3000, 8192, 555 };
	mxd_match_reset(m);
	long a = 0;
	uint32_t pos = 0;
	for (int s = 0; pos < total; s++) {
		uint32_t k = sizes[s % 7];
		if (k > total - pos)
			k = total - pos;
		for (uint32_t c = 0; c < ch; c++) {
			/* Inputs past the end read zeros (a whole block of them at most). */
			ibuf[c] = pos + k <= in->frames ? in->ch[c] + pos : zero;
			obuf[c] = out.ch[c] + pos;
		}
		if (pos < in->frames && pos + k > in->frames) { /* straddles the end: split */
			k = in->frames - pos;
			for (uint32_t c = 0; c < ch; c++)
				ibuf[c] = in->ch[c] + pos;
		}
		count_on = 1;
		n_allocs = 0;
		mxd_match_process(m, (const float *const *)ibuf, obuf, k);
		count_on = 0;
		a += n_allocs;
		pos += k;
	}
	for (uint32_t c = 0; c < ch; c++)
		memmove(out.ch[c], out.ch[c] + lat, in->frames * sizeof(float));
	free(zero);
	if (allocs)
		*allocs = a;
	return out;
}

/* ------------------------------------------------------------------- fixture */

typedef struct {
	char in_path[512], ref_path[512], ref44_path[512], mono_path[512];
	sig in, ref, ref44, mono;
	bands b_in, b_ref, b_ref44, b_mono;
	bool ready;
} fixture;
static fixture fx;

static void setup(void)
{
	if (fx.ready)
		return;
	const char *dir = mxt_tempdir();
	shape m0, s0, m1, s1;
	shapes(48000, false, &m0, &s0);
	fx.in = make_pair_side(48000, 1, &m0, &s0, 1.0, false);
	shapes(48000, true, &m1, &s1);
	fx.ref = make_pair_side(48000, 2, &m1, &s1, pow(10, 3 / 20.0), false);
	shapes(44100, true, &m1, &s1);
	fx.ref44 = make_pair_side(44100, 3, &m1, &s1, pow(10, 3 / 20.0), false);
	fx.mono = make_pair_side(48000, 4, &m0, &s0, 1.0, true);
	snprintf(fx.in_path, sizeof fx.in_path, "%s", mxt_path(dir, "mix.wav"));
	snprintf(fx.ref_path, sizeof fx.ref_path, "%s", mxt_path(dir, "ref.wav"));
	snprintf(fx.ref44_path, sizeof fx.ref44_path, "%s", mxt_path(dir, "ref44.wav"));
	snprintf(fx.mono_path, sizeof fx.mono_path, "%s", mxt_path(dir, "mono.wav"));
	CHECK(!write_sig(fx.in_path, &fx.in));
	CHECK(!write_sig(fx.ref_path, &fx.ref));
	CHECK(!write_sig(fx.ref44_path, &fx.ref44));
	CHECK(!write_sig(fx.mono_path, &fx.mono));
	fx.b_in = measure(&fx.in);
	fx.b_ref = measure(&fx.ref);
	fx.b_ref44 = measure(&fx.ref44);
	fx.b_mono = measure(&fx.mono);
	fx.ready = true;
}

/* Design, run, and check the band difference drops by >= 70 % (mid, and side unless mono). */
static void check_reduction(const char *in_path, const sig *in, const bands *b_in, const char *ref_path,
			    const bands *b_ref, const char *label)
{
	mxd_match *m = NULL;
	mixdown_error err;
	CHECK_INT(mxd_match_design(in_path, ref_path, 1.0, &m, &err), MIXDOWN_SUCCESS);
	if (!m) {
		printf("# %s\n", err.message);
		return;
	}
	CHECK_INT(mxd_match_channels(m), in->channels);
	long allocs = -1;
	sig out = run(m, in, &allocs);
	CHECK_INT(allocs, 0);
	bands b = measure(&out);
	/* A mono input is matched to the reference's per-speaker total M + S. */
	const bool mono = in->channels == 1;
	const double dm0 = mono ? mean_diff(b_in->t, b_ref->t) : mean_diff(b_in->m, b_ref->m);
	const double dm1 = mono ? mean_diff(b.t, b_ref->t) : mean_diff(b.m, b_ref->m);
	printf("# %s: %s mean |band diff| %.2f dB -> %.2f dB (%.0f %% removed)\n", label, mono ? "total" : "mid ",
	       dm0, dm1, 100 * (1 - dm1 / dm0));
	CHECK(dm0 > 1.5); /* the planted difference is there */
	CHECK(dm1 <= 0.3 * dm0);
	if (in->channels > 1) {
		const double ds0 = mean_diff(b_in->s, b_ref->s), ds1 = mean_diff(b.s, b_ref->s);
		printf("# %s: side mean |band diff| %.2f dB -> %.2f dB (%.0f %% removed)\n", label, ds0, ds1,
		       100 * (1 - ds1 / ds0));
		CHECK(ds0 > 0.8);
		CHECK(ds1 <= 0.3 * ds0);
	}
	/* The correction is loudness-neutral (normalized at its K-weighted mean). */
	printf("# %s: loudness %.2f -> %.2f LUFS\n", label, b_in->lufs, b.lufs);
	CHECK_NEAR(b.lufs, b_in->lufs, 0.3);
	sig_free(&out);
	mxd_match_free(m);
}

static void t_match_reduces_band_difference(void)
{
	setup();
	check_reduction(fx.in_path, &fx.in, &fx.b_in, fx.ref_path, &fx.b_ref, "48k ref");
}

static void t_match_reference_other_rate(void)
{
	setup();
	check_reduction(fx.in_path, &fx.in, &fx.b_in, fx.ref44_path, &fx.b_ref44, "44.1k ref");
}

static void t_match_mono_input(void)
{
	setup();
	check_reduction(fx.mono_path, &fx.mono, &fx.b_mono, fx.ref_path, &fx.b_ref, "mono in");
	mxd_match *m = NULL;
	CHECK_INT(mxd_match_design(fx.mono_path, fx.ref_path, 1.0, &m, NULL), MIXDOWN_SUCCESS);
	double cm[MIXDOWN_BANDS], cs[MIXDOWN_BANDS];
	mxd_match_curve(m, cm, cs);
	for (int k = 0; k < MIXDOWN_BANDS; k++)
		CHECK(cs[k] == 0.0);
	CHECK(cm[5] > 2.0); /* the reference's bass shelf (63 Hz) */
	mxd_match_free(m);
	/* Stereo input, mono reference: one curve on mid and side (width kept). */
	CHECK_INT(mxd_match_design(fx.in_path, fx.mono_path, 1.0, &m, NULL), MIXDOWN_SUCCESS);
	CHECK_INT(mxd_match_channels(m), 2);
	mxd_match_curve(m, cm, cs);
	for (int k = 0; k < MIXDOWN_BANDS; k++)
		CHECK(cm[k] == cs[k]);
	mxd_match_free(m);
}

/* A reference with nothing above 11 kHz: the correction fades out there
 * instead of cutting the input's top octave by the 12 dB limit. */
static void t_match_ignores_reference_lowpass(void)
{
	setup();
	shape ms, ss;
	shapes(48000, false, &ms, &ss);
	ms.cut = ss.cut = 11000.0;
	sig lp = make_pair_side(48000, 5, &ms, &ss, 1.0, false);
	char path[512];
	snprintf(path, sizeof path, "%s", mxt_path(mxt_tempdir(), "lowpassed.wav"));
	CHECK(!write_sig(path, &lp));
	mxd_match *m = NULL;
	CHECK_INT(mxd_match_design(fx.in_path, path, 1.0, &m, NULL), MIXDOWN_SUCCESS);
	double cm[MIXDOWN_BANDS], cs[MIXDOWN_BANDS];
	mxd_match_curve(m, cm, cs);
	printf("# lowpassed reference: mid 1 kHz %+.2f, 8 kHz %+.2f, 16 kHz %+.2f, 20 kHz %+.2f dB\n", cm[17], cm[26],
	       cm[29], cm[30]);
	for (int k = 3; k <= 25; k++) /* same material below the cut: (almost) flat */
		CHECK(fabs(cm[k] - cm[17]) < 0.6 && fabs(cs[k] - cm[17]) < 0.6);
	for (int k = 29; k <= 30; k++) /* 16 and 20 kHz: faded to the flat level, not cut */
		CHECK(fabs(cm[k] - cm[17]) < 0.6 && fabs(cs[k] - cm[17]) < 0.6);
	sig_free(&lp);
	mxd_match_free(m);
}

/* The designed curve follows the planted EQ (analytic): correction(f) =
 * EQ_X(f) - c, one constant for mid and side. */
static void t_match_curve_is_planted_eq(void)
{
	setup();
	mxd_match *m = NULL;
	CHECK_INT(mxd_match_design(fx.in_path, fx.ref_path, 1.0, &m, NULL), MIXDOWN_SUCCESS);
	if (!m)
		return;
	double cm[MIXDOWN_BANDS], cs[MIXDOWN_BANDS], em[MIXDOWN_BANDS], es[MIXDOWN_BANDS];
	mxd_match_curve(m, cm, cs);
	shape ms, ss;
	shapes(48000, true, &ms, &ss);
	ss.hp150 = false; /* on both sides of the ratio */
	double c = 0;
	for (int k = K_LO; k <= K_HI; k++) {
		em[k] = shape_db(&ms, 48000, mixdown_band_centre((size_t)k));
		es[k] = shape_db(&ss, 48000, mixdown_band_centre((size_t)k));
		c += (em[k] - cm[k]) + (es[k] - cs[k]);
	}
	c /= 2.0 * (K_HI - K_LO + 1);
	double worst = 0, sum = 0;
	for (int k = K_LO; k <= K_HI; k++) {
		const double dm = fabs(cm[k] - (em[k] - c)), ds = fabs(cs[k] - (es[k] - c));
		worst = fmax(worst, fmax(dm, ds));
		sum += dm + ds;
	}
	printf("# curve vs planted EQ: mean error %.2f dB, worst %.2f dB (offset %.2f dB)\n",
	       sum / (2.0 * (K_HI - K_LO + 1)), worst, c);
	printf("# mid  63 Hz %+.2f, 1 kHz %+.2f, 3.2 kHz %+.2f dB; side 1 kHz %+.2f, 10 kHz %+.2f dB\n", cm[5],
	       cm[17], cm[22], cs[17], cs[27]);
	CHECK(sum / (2.0 * (K_HI - K_LO + 1)) < 0.35);
	CHECK(worst < 1.0);
	mxd_match_free(m);
}

static void t_match_amount_half(void)
{
	setup();
	mxd_match *m1 = NULL, *mh = NULL;
	CHECK_INT(mxd_match_design(fx.in_path, fx.ref_path, 1.0, &m1, NULL), MIXDOWN_SUCCESS);
	CHECK_INT(mxd_match_design(fx.in_path, fx.ref_path, 0.5, &mh, NULL), MIXDOWN_SUCCESS);
	if (!m1 || !mh)
		return;
	/* Designed curves: half the shape in dB (the normalization offset may differ). */
	double m1c[MIXDOWN_BANDS], s1c[MIXDOWN_BANDS], mhc[MIXDOWN_BANDS], shc[MIXDOWN_BANDS];
	mxd_match_curve(m1, m1c, s1c);
	mxd_match_curve(mh, mhc, shc);
	double worst = 0;
	for (int k = K_LO; k <= K_HI; k++) {
		worst = fmax(worst, fabs((mhc[k] - mhc[17]) - 0.5 * (m1c[k] - m1c[17])));
		worst = fmax(worst, fabs((shc[k] - mhc[17]) - 0.5 * (s1c[k] - m1c[17])));
	}
	printf("# amount 0.5: designed curve within %.3f dB of half the full curve\n", worst);
	CHECK(worst < 0.1);
	/* Measured: the band change is about half of the full one, up to one
	 * level offset (each curve is normalized to its own loudness-weighted mean). */
	sig o1 = run(m1, &fx.in, NULL), oh = run(mh, &fx.in, NULL);
	bands b1 = measure(&o1), bh = measure(&oh);
	double dv[2][MIXDOWN_BANDS], off = 0, dev = 0, full = 0;
	const int nb = K_HI - K_LO + 1;
	for (int k = K_LO; k <= K_HI; k++) {
		dv[0][k] = (bh.m[k] - fx.b_in.m[k]) - 0.5 * (b1.m[k] - fx.b_in.m[k]);
		dv[1][k] = (bh.s[k] - fx.b_in.s[k]) - 0.5 * (b1.s[k] - fx.b_in.s[k]);
		off += (dv[0][k] + dv[1][k]) / (2.0 * nb);
		full += (fabs(b1.m[k] - fx.b_in.m[k]) + fabs(b1.s[k] - fx.b_in.s[k])) / (2.0 * nb);
	}
	for (int k = K_LO; k <= K_HI; k++)
		dev = fmax(dev, fmax(fabs(dv[0][k] - off), fabs(dv[1][k] - off)));
	printf("# amount 0.5: measured change within %.3f dB of half the full change (mean %.2f dB; offset %.2f dB)\n",
	       dev, full, off);
	CHECK(dev < 0.15);
	CHECK(fabs(off) < 0.3);
	sig_free(&o1);
	sig_free(&oh);
	mxd_match_free(m1);
	mxd_match_free(mh);
}

static void t_match_amount_zero_is_null(void)
{
	setup();
	mxd_match *m = NULL;
	CHECK_INT(mxd_match_design(fx.in_path, fx.ref_path, 0.0, &m, NULL), MIXDOWN_SUCCESS);
	if (!m)
		return;
	mxd_match *m1 = NULL;
	CHECK_INT(mxd_match_design(fx.in_path, fx.ref_path, 1.0, &m1, NULL), MIXDOWN_SUCCESS);
	const uint32_t lat = mxd_match_latency(m);
	CHECK_INT(lat, 6144);
	CHECK_INT(lat, mxd_match_latency(m1)); /* the same delay whatever the amount */
	double cm[MIXDOWN_BANDS], cs[MIXDOWN_BANDS];
	mxd_match_curve(m, cm, cs);
	for (int k = 0; k < MIXDOWN_BANDS; k++)
		CHECK(cm[k] == 0.0 && cs[k] == 0.0);
	long allocs = -1;
	sig out = run(m, &fx.in, &allocs); /* aligned: must be the input exactly */
	CHECK_INT(allocs, 0);
	for (uint32_t c = 0; c < 2; c++)
		CHECK(memcmp(out.ch[c], fx.in.ch[c], fx.in.frames * sizeof(float)) == 0);
	/* In place, and after a reset, still exact; the first `lat` frames are silence. */
	float *buf[2] = { malloc(20000 * sizeof(float)), malloc(20000 * sizeof(float)) };
	for (uint32_t c = 0; c < 2; c++)
		memcpy(buf[c], fx.in.ch[c], 20000 * sizeof(float));
	mxd_match_reset(m);
	mxd_match_process(m, (const float *const *)buf, buf, 20000);
	for (uint32_t c = 0; c < 2; c++) {
		bool zero = true;
		for (uint32_t i = 0; i < lat; i++)
			zero = zero && buf[c][i] == 0.0f;
		CHECK(zero);
		CHECK(memcmp(buf[c] + lat, fx.in.ch[c], (20000 - lat) * sizeof(float)) == 0);
	}
	free(buf[0]);
	free(buf[1]);
	sig_free(&out);
	mxd_match_free(m);
	mxd_match_free(m1);
}

/* Matching a file to itself: (almost) no correction; a delta goes through as a
 * delayed delta with the latency reported. */
static void t_match_self_and_latency(void)
{
	setup();
	mxd_match *m = NULL;
	CHECK_INT(mxd_match_design(fx.in_path, fx.in_path, 1.0, &m, NULL), MIXDOWN_SUCCESS);
	if (!m)
		return;
	double cm[MIXDOWN_BANDS], cs[MIXDOWN_BANDS], worst = 0;
	mxd_match_curve(m, cm, cs);
	for (int k = 0; k < MIXDOWN_BANDS; k++)
		worst = fmax(worst, fmax(fabs(cm[k]), fabs(cs[k])));
	CHECK(worst < 1e-6);
	const uint32_t lat = mxd_match_latency(m), n = lat + 100;
	float *l = calloc(n, sizeof(float)), *r = calloc(n, sizeof(float));
	l[0] = 1.0f;
	float *io[2] = { l, r };
	mxd_match_process(m, (const float *const *)io, io, n);
	uint32_t at = 0;
	for (uint32_t i = 1; i < n; i++)
		if (fabsf(l[i]) > fabsf(l[at]))
			at = i;
	CHECK_INT(at, lat);
	CHECK_NEAR(l[lat], 1.0, 1e-3);
	CHECK_NEAR(r[lat], 0.0, 1e-3);
	free(l);
	free(r);
	mxd_match_free(m);
}

/* The allocation counter used by run() sees an allocation made while counting. */
static void t_alloc_counter_works(void)
{
	if (!COUNT_ALLOCS) {
		SKIP("allocation counting needs glibc without sanitizers");
		return;
	}
	count_on = 1;
	n_allocs = 0;
	void *volatile p = malloc(64); /* volatile: the pair must not be optimized away */
	free(p);
	count_on = 0;
	CHECK_INT(n_allocs, 2);
}

static void t_match_bad_inputs(void)
{
	setup();
	const char *dir = mxt_tempdir();
	mixdown_error err;
	char buf[1500];
	mxd_match *m = (mxd_match *)&err; /* must be set to NULL on failure */
	const char *missing = mxt_path(dir, "no-such-ref.wav");
	CHECK_INT(mxd_match_design(fx.in_path, missing, 1.0, &m, &err), MIXDOWN_ERR_AUDIO);
	CHECK(m == NULL);
	mixdown_error_format(&err, buf, sizeof buf);
	CHECK_STR_CONTAINS(buf, "no-such-ref.wav");
	CHECK_STR_CONTAINS(buf, "reference");
	/* Silent reference and silent input: a clear error, not NaN. */
	float *z = calloc(2 * 48000, sizeof(float));
	char silent[512];
	snprintf(silent, sizeof silent, "%s", mxt_path(dir, "silent.wav"));
	CHECK(!mxt_write_audio(silent, z, 48000, 2, 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_16));
	CHECK_INT(mxd_match_design(fx.in_path, silent, 1.0, &m, &err), MIXDOWN_ERR_AUDIO);
	mixdown_error_format(&err, buf, sizeof buf);
	CHECK_STR_CONTAINS(buf, "silent.wav");
	CHECK_STR_CONTAINS(buf, "reference: silent");
	CHECK_INT(mxd_match_design(silent, fx.ref_path, 1.0, &m, &err), MIXDOWN_ERR_AUDIO);
	mixdown_error_format(&err, buf, sizeof buf);
	CHECK_STR_CONTAINS(buf, "input: silent");
	/* Three channels, a bad amount. */
	char three[512];
	snprintf(three, sizeof three, "%s", mxt_path(dir, "three.wav"));
	CHECK(!mxt_write_audio(three, z, 32000, 3, 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_16));
	CHECK_INT(mxd_match_design(fx.in_path, three, 1.0, &m, &err), MIXDOWN_ERR_AUDIO);
	CHECK_STR_CONTAINS(err.message, "3 channels");
	CHECK_INT(mxd_match_design(fx.in_path, fx.ref_path, 1.5, &m, &err), MIXDOWN_ERR_USAGE);
	CHECK_INT(mxd_match_design(fx.in_path, fx.ref_path, NAN, &m, &err), MIXDOWN_ERR_USAGE);
	CHECK(m == NULL);
	free(z);
	mxd_match_free(NULL);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_match_reduces_band_difference),
		MXT(t_match_reference_other_rate),
		MXT(t_match_mono_input),
		MXT(t_match_curve_is_planted_eq),
		MXT(t_match_ignores_reference_lowpass),
		MXT(t_match_amount_half),
		MXT(t_match_amount_zero_is_null),
		MXT(t_match_self_and_latency),
		MXT(t_match_bad_inputs),
		MXT(t_alloc_counter_works),
	};
	int r = MXT_RUN(cases);
	sig_free(&fx.in);
	sig_free(&fx.ref);
	sig_free(&fx.ref44);
	sig_free(&fx.mono);
	return r;
}
