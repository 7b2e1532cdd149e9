/* mixdown — the fast loudness meter (src/analysis/fastloud*) agrees with
 * libebur128: EBU Tech 3341 cases 1-6 and 9-23, Tech 3342 cases 1-4,
 * music-like signals at 44.1/48/96 kHz in mono, stereo, 5.1 and 7.1, and the
 * pyloudnorm-eval files (skipped when ../shared/testdata is absent); the
 * file reader gives the same numbers on one or two threads, through its raw
 * decoder or libsndfile's; `mixdown analyze --loudness` prints them.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The reference is libebur128 driven the way loudness.c drove it before the
 * fast meter: frames added in 10 ms pieces, ebur128_loudness_window(10) per
 * piece as the block mean square, M/S as exact 40/300-block window sums,
 * short-term values every 100 ms for the range (mxd_lra), integrated
 * loudness and sample/true peak from libebur128. libebur128 oversamples only
 * 2x from 96 kHz on; there the true-peak reference is the definition of the
 * fast meter's 4x interpolator evaluated naively in double precision (which
 * is also checked at every other rate). Tolerances: 0.05 LU for integrated,
 * range, maximum momentary and short-term loudness and for every 10 ms M/S
 * value; 0.05 dB for true peak; sample peaks exact.
 * Signals are synthesized here (the EBU files may not be redistributed);
 * MXT_ASAN=1 shortens them.
 */
#include <dirent.h>
#include <ebur128.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "analysis/fastloud.h"
#include "harness.h"
#include "mixdown/mixdown.h"
#include "util.h"

static const double rates[] = { 44100, 48000, 96000 };
#define N_RATES 3
#define TOL_LU 0.05
#define TOL_DB 0.05

static bool asan(void)
{
	return getenv("MXT_ASAN") != NULL;
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s;
}

static double urand(uint32_t *s) /* -1 .. 1 */
{
	return (double)(lcg(s) >> 8) / 8388608.0 - 1.0;
}

/* ------------------------------------------------------- the reference */

/* WAV/SMPTE channel order onto libebur128's channels (as loudness.c set it). */
static void ref_map(ebur128_state *st, uint32_t ch)
{
	static const int map5[] = { EBUR128_LEFT, EBUR128_RIGHT, EBUR128_CENTER, EBUR128_LEFT_SURROUND,
				    EBUR128_RIGHT_SURROUND };
	static const int map4[] = { EBUR128_LEFT, EBUR128_RIGHT, EBUR128_LEFT_SURROUND, EBUR128_RIGHT_SURROUND };
	static const int map8[] = { EBUR128_LEFT,  EBUR128_RIGHT, EBUR128_CENTER, EBUR128_UNUSED,
				    EBUR128_Mp135, EBUR128_Mm135, EBUR128_Mp090, EBUR128_Mm090 };
	for (uint32_t c = 0; c < ch; c++) {
		int v;
		if (ch == 1)
			v = EBUR128_CENTER;
		else if (ch == 4)
			v = map4[c];
		else if (ch == 5)
			v = map5[c];
		else if (ch == 6 || ch == 7)
			v = c < 3 ? map5[c] : c == 3 ? EBUR128_UNUSED : c < 6 ? map5[c - 1] : EBUR128_Mp180;
		else if (ch == 8)
			v = map8[c];
		else
			v = c == 0 ? EBUR128_LEFT : c == 1 ? EBUR128_RIGHT : EBUR128_CENTER;
		ebur128_set_channel(st, c, v);
	}
}

typedef struct {
	ebur128_state *st;
	double rate;
	uint32_t ch, step, fill;
	uint64_t blocks;
	double ring[300], m, s, m_max, s_max;
	double *st100;
	size_t n_st100, cap;
	double h[49];    /* the 4x interpolator's prototype, double */
	double *hist;    /* per channel: the last 12 input samples, newest first */
	double tp_naive; /* largest |x| and |interpolated| of the definition */
} ref_meter;

static void ref_start(ref_meter *r, double rate, uint32_t ch)
{
	memset(r, 0, sizeof *r);
	r->rate = rate;
	r->ch = ch;
	r->step = (uint32_t)((unsigned long)rate * 10UL / 1000UL);
	int mode = EBUR128_MODE_I | EBUR128_MODE_SAMPLE_PEAK | (rate < 96000 ? EBUR128_MODE_TRUE_PEAK : 0);
	r->st = ebur128_init(ch, (unsigned long)rate, mode);
	CHECK(r->st != NULL);
	if (r->st)
		ref_map(r->st, ch);
	/* h[j] = sinc((j - 24) / 4) * Hann over 49 taps (fastloud_dsp.c). */
	for (int j = 0; j < 49; j++) {
		double m = (j - 24) / 4.0;
		r->h[j] = (m == 0 ? 1.0 : sin(M_PI * m) / (M_PI * m)) * (0.5 - 0.5 * cos(2.0 * M_PI * j / 48.0));
	}
	r->hist = calloc((size_t)ch * 12, sizeof *r->hist);
}

static double ref_window(const ref_meter *r, uint32_t nblk)
{
	uint64_t have = r->blocks < nblk ? r->blocks : nblk;
	double sum = 0;
	for (uint64_t k = 1; k <= have; k++)
		sum += r->ring[(r->blocks - k) % 300];
	return sum / nblk;
}

/* Frames within one 10 ms block. */
static void ref_add(ref_meter *r, const float *x, size_t n)
{
	if (!r->st)
		return;
	ebur128_add_frames_float(r->st, x, n);
	for (size_t i = 0; i < n; i++)
		for (uint32_t c = 0; c < r->ch; c++) {
			double *h = r->hist + (size_t)c * 12;
			memmove(h + 1, h, 11 * sizeof *h);
			h[0] = x[i * r->ch + c];
			double pk = fabs(h[0]);
			for (int p = 1; p < 4; p++) {
				double y = 0;
				for (int t = 0; t < 12; t++)
					y += r->h[4 * t + p] * h[t];
				pk = fmax(pk, fabs(y));
			}
			r->tp_naive = fmax(r->tp_naive, pk);
		}
	r->fill += (uint32_t)n;
	if (r->fill < r->step)
		return;
	r->fill = 0;
	double L;
	ebur128_loudness_window(r->st, 10, &L);
	r->ring[r->blocks % 300] = isfinite(L) ? pow(10.0, (L + 0.691) / 10.0) : 0.0;
	r->blocks++;
	r->m = ref_window(r, 40);
	r->s = ref_window(r, 300);
	r->m_max = fmax(r->m_max, r->m);
	r->s_max = fmax(r->s_max, r->s);
	if (r->blocks % 10 == 0 && r->blocks >= 300) {
		if (r->n_st100 == r->cap) {
			r->cap = r->cap ? 2 * r->cap : 1024;
			r->st100 = realloc(r->st100, r->cap * sizeof *r->st100);
		}
		r->st100[r->n_st100++] = r->s;
	}
}

typedef struct {
	double I, lra, m, s, tp, sp; /* LUFS, LU, LUFS, LUFS, dBTP, dBFS */
	double tp_naive;             /* dBTP, the definition (reference only) */
} results;

static results ref_finish(ref_meter *r)
{
	results o = { -INFINITY, 0, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY };
	if (!r->st)
		return o;
	double I;
	if (ebur128_loudness_global(r->st, &I) == EBUR128_SUCCESS)
		o.I = isfinite(I) ? I : -INFINITY;
	if (r->n_st100)
		o.lra = mxd_lra(r->st100, r->n_st100);
	o.m = mxd_lufs(r->m_max);
	o.s = mxd_lufs(r->s_max);
	double tp = 0, sp = 0, v;
	for (uint32_t c = 0; c < r->ch; c++) {
		if (r->rate < 96000 && ebur128_true_peak(r->st, c, &v) == EBUR128_SUCCESS)
			tp = fmax(tp, v);
		if (ebur128_sample_peak(r->st, c, &v) == EBUR128_SUCCESS)
			sp = fmax(sp, v);
	}
	if (r->rate >= 96000)
		tp = r->tp_naive;
	o.tp = tp > 0 ? 20 * log10(tp) : -INFINITY;
	o.sp = sp > 0 ? 20 * log10(sp) : -INFINITY;
	o.tp_naive = r->tp_naive > 0 ? 20 * log10(r->tp_naive) : -INFINITY;
	ebur128_destroy(&r->st);
	free(r->st100);
	free(r->hist);
	return o;
}

/* ---------------------------------- both meters fed the same frames */

typedef struct {
	ref_meter r;
	mxd_fl f;
	bool ok;
	uint32_t seed;   /* random piece lengths for the fast meter */
	double worst_ms; /* LU: largest |M - M_ref|, |S - S_ref| over the 10 ms blocks */
	double phase;    /* tone generator: radians, continuous across segments */
	float *buf;
} pair;

/* Worst difference of every test program run, printed at the end. */
static double worst_all[5];

static void pair_start(pair *p, double rate, uint32_t ch)
{
	memset(p, 0, sizeof *p);
	ref_start(&p->r, rate, ch);
	p->ok = mxd_fl_init(&p->f, rate, ch, NULL, true) == 0;
	CHECK(p->ok);
	p->seed = 12345u + ch;
	p->buf = malloc(sizeof *p->buf * ch * 4800);
}

static double lu_diff(double a, double b)
{
	if (fmax(a, b) < 1e-9) /* both below -90 LUFS: not a reading anyone uses */
		return 0.0;
	return fabs(10.0 * log10((a + 1e-30) / (b + 1e-30)));
}

/* Split at the 10 ms grid; the fast meter gets random sub-pieces. After each
 * block both meters' M and S are compared. */
static void pair_feed(pair *p, const float *x, size_t n)
{
	const uint32_t ch = p->r.ch;
	while (n > 0 && p->ok) {
		size_t k = p->r.step - p->r.fill;
		if (k > n)
			k = n;
		ref_add(&p->r, x, k);
		size_t done = 0;
		while (done < k) {
			size_t piece = 1 + lcg(&p->seed) % 700;
			if (piece > k - done)
				piece = k - done;
			mxd_fl_add(&p->f, x + done * ch, piece);
			done += piece;
		}
		if (p->r.fill == 0) {
			p->worst_ms = fmax(p->worst_ms, lu_diff(p->f.m, p->r.m));
			p->worst_ms = fmax(p->worst_ms, lu_diff(p->f.s, p->r.s));
		}
		x += k * ch;
		n -= k;
	}
}

/* `secs` of a sine at `freq`, per-channel peak levels in dBFS (-INFINITY = silent). */
static void pair_tone(pair *p, double freq, double secs, const double *db)
{
	const uint32_t ch = p->r.ch;
	int64_t n = (int64_t)llround(secs * p->r.rate);
	double amp[8], w = 2.0 * M_PI * freq / p->r.rate;
	for (uint32_t c = 0; c < ch; c++)
		amp[c] = isfinite(db[c]) ? pow(10.0, db[c] / 20.0) : 0.0;
	while (n > 0 && p->buf) {
		int k = n > 4800 ? 4800 : (int)n;
		for (int i = 0; i < k; i++) {
			double v = sin(p->phase + w * i);
			for (uint32_t c = 0; c < ch; c++)
				p->buf[(size_t)i * ch + c] = (float)(amp[c] * v);
		}
		p->phase = fmod(p->phase + w * k, 2 * M_PI);
		pair_feed(p, p->buf, (size_t)k);
		n -= k;
	}
}

static void pair_level(pair *p, double secs, double db)
{
	const double d[8] = { db, db, db, db, db, db, db, db };
	pair_tone(p, 1000.0, secs, d);
}

static void pair_silence(pair *p, double secs)
{
	pair_level(p, secs, -INFINITY);
}

static results fast_results(const mxd_fl *f)
{
	double tp = mxd_fl_true_peak(f), sp = mxd_fl_sample_peak(f);
	return (results){ mxd_fl_integrated(f), mxd_fl_range(f), mxd_lufs(f->m_max), mxd_lufs(f->s_max),
			  tp > 0 ? 20 * log10(tp) : -INFINITY, sp > 0 ? 20 * log10(sp) : -INFINITY, NAN };
}

static double dd(double a, double b) /* difference of two readings, -inf == -inf */
{
	if (isinf(a) && isinf(b) && (a > 0) == (b > 0))
		return 0.0;
	return fabs(a - b);
}

/* Compare and print; returns the fast meter's results. */
static results pair_check(pair *p, const char *name)
{
	results f = p->ok ? fast_results(&p->f) : (results){ 0 };
	double worst = p->worst_ms;
	results r = ref_finish(&p->r);
	if (p->ok)
		mxd_fl_free(&p->f);
	free(p->buf);
	p->buf = NULL;
	CHECK_MSG(dd(f.I, r.I) <= TOL_LU, "%s: integrated %.4f, libebur128 %.4f", name, f.I, r.I);
	CHECK_MSG(dd(f.lra, r.lra) <= TOL_LU, "%s: range %.4f, reference %.4f", name, f.lra, r.lra);
	CHECK_MSG(dd(f.m, r.m) <= TOL_LU, "%s: max momentary %.4f, reference %.4f", name, f.m, r.m);
	CHECK_MSG(dd(f.s, r.s) <= TOL_LU, "%s: max short-term %.4f, reference %.4f", name, f.s, r.s);
	CHECK_MSG(worst <= TOL_LU, "%s: a 10 ms M/S value differs by %.4f LU", name, worst);
	CHECK_MSG(dd(f.tp, r.tp) <= TOL_DB, "%s: true peak %.4f, reference %.4f", name, f.tp, r.tp);
	CHECK_MSG(dd(f.tp, r.tp_naive) <= 0.01, "%s: true peak %.4f, definition %.4f", name, f.tp, r.tp_naive);
	CHECK_MSG(dd(f.sp, r.sp) <= 1e-6, "%s: sample peak %.6f, libebur128 %.6f", name, f.sp, r.sp);
	double w[5] = { dd(f.I, r.I), dd(f.lra, r.lra), fmax(fmax(dd(f.m, r.m), dd(f.s, r.s)), worst), dd(f.tp, r.tp),
			dd(f.sp, r.sp) };
	for (int k = 0; k < 5; k++)
		worst_all[k] = fmax(worst_all[k], w[k]);
	printf("# %-24s I %8.4f (%+.1e) LRA %7.4f (%+.1e) M %8.4f S %8.4f (M/S %.1e) TP %8.4f (%+.1e) SP %8.4f\n", name,
	       f.I, f.I - r.I, f.lra, f.lra - r.lra, f.m, f.s, fmax(dd(f.m, r.m), fmax(dd(f.s, r.s), worst)), f.tp,
	       f.tp - r.tp, f.sp);
	return f;
}

/* ------------------------------------------------------ design checks */

/* The 48 kHz K-weighting must be BS.1770-5's tabulated coefficients; the
 * channel weights BS.1770-5 Table 3's; each interpolator phase must pass DC
 * at unity gain (its sum) and the passband is printed. */
static void t_design(void)
{
	mxd_fl_biquad s, h;
	mxd_fl_design_kw(48000, &s, &h);
	CHECK_NEAR(s.b0, 1.53512485958697, 1e-8);
	CHECK_NEAR(s.b1, -2.69169618940638, 1e-8);
	CHECK_NEAR(s.b2, 1.19839281085285, 1e-8);
	CHECK_NEAR(s.a1, -1.69065929318241, 1e-8);
	CHECK_NEAR(s.a2, 0.73248077421585, 1e-8);
	CHECK_NEAR(h.a1, -1.99004745483398, 1e-8);
	CHECK_NEAR(h.a2, 0.99007225036621, 1e-8);
	CHECK(h.b0 == 1.0 && h.b1 == -2.0 && h.b2 == 1.0);
	double w[8];
	mxd_fl_channel_weights(6, w);
	const double w6[6] = { 1, 1, 1, 0, 1.41, 1.41 };
	for (int c = 0; c < 6; c++)
		CHECK_NEAR(w[c], w6[c], 0);
	mxd_fl_channel_weights(8, w);
	const double w8[8] = { 1, 1, 1, 0, 1, 1, 1.41, 1.41 };
	for (int c = 0; c < 8; c++)
		CHECK_NEAR(w[c], w8[c], 0);
	mxd_fl_channel_weights(1, w);
	CHECK_NEAR(w[0], 1.0, 0);
	float tp[3][MXD_FL_TP_TAPS];
	mxd_fl_design_tp(tp);
	for (int p = 0; p < 3; p++) {
		double sum = 0;
		for (int t = 0; t < MXD_FL_TP_TAPS; t++)
			sum += tp[p][t];
		CHECK_NEAR(sum, 1.0, 1e-3);
	}
	/* Magnitude of phase 2 (half-sample delay: the weakest) against f / fs. */
	printf("# interpolator phase 2 gain:");
	for (double fn = 0.1; fn < 0.49; fn += 0.05) {
		double re = 0, im = 0;
		for (int t = 0; t < MXD_FL_TP_TAPS; t++) {
			re += tp[1][t] * cos(2 * M_PI * fn * t);
			im -= tp[1][t] * sin(2 * M_PI * fn * t);
		}
		printf(" %.2f fs %+.2f dB%s", fn, 20 * log10(hypot(re, im)), fn < 0.44 ? "," : "\n");
		if (fn < 0.36)
			CHECK_MSG(fabs(20 * log10(hypot(re, im))) < 0.5, "passband at %.2f fs", fn);
	}
	mxd_fl_kernels k;
	mxd_fl_kernels_pick(&k);
	printf("# kernels: %s\n", k.name);
}

/* ------------------------------------------------------ EBU Tech 3341 */

static void t_3341_1_6(void)
{
	char name[64];
	for (int r = 0; r < N_RATES; r++) {
		const double lv[2] = { -23.0, -33.0 };
		for (int k = 0; k < 2; k++) {
			pair p;
			pair_start(&p, rates[r], 2);
			pair_level(&p, 20.0, lv[k]);
			snprintf(name, sizeof name, "3341-%d @%.0f", k + 1, rates[r]);
			results f = pair_check(&p, name);
			CHECK_NEAR(f.I, lv[k], 0.1);
		}
		pair p;
		pair_start(&p, rates[r], 2);
		pair_level(&p, 10, -36);
		pair_level(&p, 60, -23);
		pair_level(&p, 10, -36);
		snprintf(name, sizeof name, "3341-3 @%.0f", rates[r]);
		CHECK_NEAR(pair_check(&p, name).I, -23.0, 0.1);
		if (!asan()) {
			pair_start(&p, rates[r], 2);
			pair_level(&p, 10, -72);
			pair_level(&p, 10, -36);
			pair_level(&p, 60, -23);
			pair_level(&p, 10, -36);
			pair_level(&p, 10, -72);
			snprintf(name, sizeof name, "3341-4 @%.0f", rates[r]);
			CHECK_NEAR(pair_check(&p, name).I, -23.0, 0.1);
		}
		pair_start(&p, rates[r], 2);
		pair_level(&p, 20, -26);
		pair_level(&p, 20.1, -20);
		pair_level(&p, 20, -26);
		snprintf(name, sizeof name, "3341-5 @%.0f", rates[r]);
		CHECK_NEAR(pair_check(&p, name).I, -23.0, 0.1);
		const double d50[5] = { -28, -28, -24, -30, -30 };
		const double d51[6] = { -28, -28, -24, -6, -30, -30 }; /* a loud LFE: excluded */
		pair_start(&p, rates[r], 5);
		pair_tone(&p, 1000.0, 20.0, d50);
		snprintf(name, sizeof name, "3341-6 5.0 @%.0f", rates[r]);
		CHECK_NEAR(pair_check(&p, name).I, -23.0, 0.1);
		pair_start(&p, rates[r], 6);
		pair_tone(&p, 1000.0, 20.0, d51);
		snprintf(name, sizeof name, "3341-6 5.1 @%.0f", rates[r]);
		CHECK_NEAR(pair_check(&p, name).I, -23.0, 0.1);
	}
}

/* Cases 9-14: M and S at the 10 ms cadence (every block compared). */
static void t_3341_9_14(void)
{
	char name[64];
	for (int r = 0; r < N_RATES; r++) {
		pair p;
		pair_start(&p, rates[r], 2);
		for (int k = 0; k < 5; k++) {
			pair_level(&p, 1.34, -20);
			pair_level(&p, 1.66, -30);
		}
		snprintf(name, sizeof name, "3341-9 @%.0f", rates[r]);
		pair_check(&p, name);
		pair_start(&p, rates[r], 2);
		for (int k = 0; k < 25; k++) {
			pair_level(&p, 0.18, -20);
			pair_level(&p, 0.22, -30);
		}
		snprintf(name, sizeof name, "3341-12 @%.0f", rates[r]);
		pair_check(&p, name);
		/* Cases 10 and 13 (file meters): 20 files each; max S / max M = -23. */
		for (int i = 0; i < 20; i += asan() ? 7 : 1) {
			pair_start(&p, rates[r], 2);
			pair_silence(&p, i * 0.15);
			pair_level(&p, 3.0, -23);
			pair_silence(&p, 1.0);
			snprintf(name, sizeof name, "3341-10.%d @%.0f", i, rates[r]);
			CHECK_NEAR(pair_check(&p, name).s, -23.0, 0.1);
			pair_start(&p, rates[r], 2);
			pair_silence(&p, i * 0.02);
			pair_level(&p, 0.4, -23);
			pair_silence(&p, 1.0);
			snprintf(name, sizeof name, "3341-13.%d @%.0f", i, rates[r]);
			CHECK_NEAR(pair_check(&p, name).m, -23.0, 0.1);
		}
		/* Cases 11 and 14 (live): one stream of 20 tones at -38 + i. */
		for (int cs = 0; cs < 2; cs++) {
			double tone = cs ? 0.4 : 3.0, step = cs ? 0.02 : 0.15;
			pair_start(&p, rates[r], 2);
			for (int i = 0; i < 20; i++) {
				pair_silence(&p, i * step);
				pair_level(&p, tone, -38.0 + i);
				pair_silence(&p, tone - i * step);
			}
			snprintf(name, sizeof name, "3341-%d @%.0f", cs ? 14 : 11, rates[r]);
			pair_check(&p, name);
		}
	}
}

/* Cases 15-19: sines at fs/4, fs/6, fs/8 with 10 ms fades. */
static void t_3341_15_19(void)
{
	static const double div[5] = { 4, 4, 6, 8, 4 }, amp[5] = { 0.5, 0.5, 0.5, 0.5, 1.41 };
	static const double ph[5] = { 0, 45, 60, 67.5, 45 }, want[5] = { -6, -6, -6, -6, 3 };
	char name[64];
	for (int r = 0; r < N_RATES; r++)
		for (int k = 0; k < 5; k++) {
			double rate = rates[r];
			int64_t n = (int64_t)(0.5 * rate), fade = (int64_t)(0.01 * rate);
			float *x = malloc((size_t)n * 2 * sizeof *x);
			for (int64_t i = 0; i < n; i++) {
				double env = i < fade ? (double)i / fade : 1.0;
				if (i >= n - fade)
					env = (double)(n - 1 - i) / fade;
				double v = env * amp[k] * sin(2 * M_PI * (double)i / div[k] + ph[k] * M_PI / 180);
				x[2 * i] = x[2 * i + 1] = (float)v;
			}
			pair p;
			pair_start(&p, rate, 2);
			pair_feed(&p, x, (size_t)n);
			free(x);
			snprintf(name, sizeof name, "3341-%d @%.0f", 15 + k, rate);
			results f = pair_check(&p, name);
			CHECK_MSG(f.tp <= want[k] + 0.2 && f.tp >= want[k] - 0.4, "%s: %.3f dBTP", name, f.tp);
		}
}

/* Cases 20-23: a fs/6 sine at 0.5 with one period of fs/4 at 1.0, made at
 * 4 fs, low-passed and decimated with offsets 0..3: 0.0 dBTP. */
static void t_3341_20_23(void)
{
	char name[64];
	for (int r = 0; r < N_RATES; r++) {
		double fs = rates[r], fs4 = 4 * fs;
		int64_t n4 = (int64_t)(0.5 * fs4);
		double *hi = malloc((size_t)n4 * sizeof *hi), ph = 0;
		int64_t burst = n4 / 2, blen = 16;
		for (int64_t i = 0; i < n4; i++) {
			bool in = i >= burst && i < burst + blen;
			double env = fmin(1.0, fmin((double)i, (double)(n4 - 1 - i)) / (0.01 * fs4));
			hi[i] = env * (in ? 1.0 : 0.5) * sin(ph);
			ph += 2 * M_PI * (in ? fs / 4 : fs / 6) / fs4;
		}
		enum { TAPS = 511 };
		double h[TAPS], hs = 0;
		for (int k = 0; k < TAPS; k++) {
			double m = k - (TAPS - 1) / 2.0, fc = 0.5 / 4.0 * 0.95;
			double s = m == 0 ? 2 * fc : sin(2 * M_PI * fc * m) / (M_PI * m);
			double w = 0.42 - 0.5 * cos(2 * M_PI * k / (TAPS - 1)) + 0.08 * cos(4 * M_PI * k / (TAPS - 1));
			h[k] = s * w;
			hs += h[k];
		}
		for (int off = 0; off < 4; off++) {
			int64_t n = n4 / 4 - 1;
			float *x = malloc((size_t)n * 2 * sizeof *x);
			for (int64_t j = 0; j < n; j++) {
				int64_t c = 4 * j + off;
				double acc = 0;
				for (int k = 0; k < TAPS; k++) {
					int64_t q = c - k + (TAPS - 1) / 2;
					if (q >= 0 && q < n4)
						acc += h[k] * hi[q];
				}
				x[2 * j] = x[2 * j + 1] = (float)(acc / hs);
			}
			pair p;
			pair_start(&p, fs, 2);
			pair_feed(&p, x, (size_t)n);
			free(x);
			snprintf(name, sizeof name, "3341-%d @%.0f", 20 + off, fs);
			results f = pair_check(&p, name);
			CHECK_MSG(f.tp <= 0.2 && f.tp >= -0.4, "%s: %.3f dBTP", name, f.tp);
		}
		free(hi);
	}
}

/* ------------------------------------------------------ EBU Tech 3342 */
static void t_3342(void)
{
	static const double lv[4][5] = { { -20, -30 }, { -20, -15 }, { -40, -20 }, { -50, -35, -20, -35, -50 } };
	static const int nseg[4] = { 2, 2, 2, 5 };
	static const double want[4] = { 10, 5, 20, 15 };
	char name[64];
	for (int r = 0; r < N_RATES; r++)
		for (int c = 0; c < 4; c++) {
			pair p;
			pair_start(&p, rates[r], 2);
			for (int s = 0; s < nseg[c]; s++)
				pair_level(&p, asan() ? 8.0 : 20.0, lv[c][s]);
			pair_silence(&p, 1.5);
			snprintf(name, sizeof name, "3342-%d @%.0f", c + 1, rates[r]);
			double lra = pair_check(&p, name).lra;
			if (!asan()) /* the shortened segments change case 4's range */
				CHECK_NEAR(lra, want[c], 1.0);
		}
}

/* ------------------------------------------- music-like random signals */

/* Sections of different levels (gates and range at work), a bass line, kick
 * and hat bursts, a noise pad; channels decorrelated; the LFE channel (index
 * 3 of 5.1/7.1) loud and low; one channel driven into hard clipping for a
 * while (inter-sample overs). Interleaved, caller frees. */
static float *music(double rate, uint32_t ch, double secs, uint32_t seed, int64_t *frames)
{
	static const double sect_db[] = { -6, -16, -3, -30, -10, -45, -8, -20 };
	int64_t n = (int64_t)(secs * rate);
	float *x = calloc((size_t)n * ch, sizeof *x);
	for (uint32_t c = 0; c < ch && x; c++) {
		uint32_t s = seed * 7919u + c * 104729u;
		double lp = 0, lp2 = 0, hp_prev = 0, kick_env = 0, hat_env = 0, kick_ph = 0;
		bool lfe = (ch == 6 || ch == 8) && c == 3;
		for (int64_t i = 0; i < n; i++) {
			double t = (double)i / rate;
			double g = pow(10.0, sect_db[(int)(t / 4.0) % 8] / 20.0);
			if (i % (int64_t)(0.5 * rate) == 0) {
				kick_env = 1.0;
				kick_ph = 0;
			}
			if (i % (int64_t)(0.125 * rate) == 0)
				hat_env = 0.5 + 0.5 * fabs(urand(&s));
			kick_env *= exp(-1.0 / (0.08 * rate));
			hat_env *= exp(-1.0 / (0.02 * rate));
			kick_ph += 2 * M_PI * (50.0 + 90.0 * kick_env) / rate;
			double wn = urand(&s);
			lp += (wn - lp) * 0.02;
			lp2 += (lp - lp2) * 0.05;
			double hp = wn - hp_prev;
			hp_prev = wn;
			double bass = 0.3 * sin(2 * M_PI * (55.0 + 3.0 * sin(2 * M_PI * 0.3 * t)) * t);
			double v = lfe ? 0.5 * sin(2 * M_PI * 40.0 * t)
				       : g * (bass + 0.6 * kick_env * sin(kick_ph) + 0.15 * hat_env * hp + 1.5 * lp2 +
					      0.05 * sin(2 * M_PI * (440.0 + 110.0 * c) * t));
			if (c == 0 && t > 8.5 && t < 9.5)
				v = fmax(-0.99, fmin(0.99, 4.0 * v)); /* clipped: overs between the samples */
			x[(size_t)i * ch + c] = (float)v;
		}
	}
	*frames = n;
	return x;
}

static void t_music(void)
{
	static const struct {
		double rate;
		uint32_t ch;
	} cfg[] = { { 44100, 1 }, { 44100, 2 }, { 48000, 2 }, { 96000, 2 }, { 48000, 6 }, { 44100, 8 }, { 96000, 1 } };
	double secs = asan() ? 9.0 : 33.0;
	char name[64];
	for (size_t k = 0; k < sizeof cfg / sizeof cfg[0]; k++) {
		int64_t n;
		float *x = music(cfg[k].rate, cfg[k].ch, secs, (uint32_t)k + 1, &n);
		pair p;
		pair_start(&p, cfg[k].rate, cfg[k].ch);
		pair_feed(&p, x, (size_t)n);
		free(x);
		snprintf(name, sizeof name, "music %uch @%.0f", cfg[k].ch, cfg[k].rate);
		results f = pair_check(&p, name);
		CHECK(f.lra > 5.0); /* the sections are meant to spread it */
		CHECK(isfinite(f.I));
	}
}

/* The plain C kernels and the vector ones (where the CPU has them) agree. */
static void t_kernels(void)
{
	int64_t n;
	float *x = music(48000, 2, asan() ? 5.0 : 20.0, 99, &n);
	results r[2];
	for (int g = 0; g < 2; g++) {
		if (g)
			setenv("MIXDOWN_FL_GENERIC", "1", 1);
		mxd_fl f;
		CHECK_INT(mxd_fl_init(&f, 48000, 2, NULL, true), 0);
		if (g)
			CHECK(!strcmp(f.k.name, "generic"));
		mxd_fl_add(&f, x, (size_t)n);
		r[g] = fast_results(&f);
		mxd_fl_free(&f);
	}
	unsetenv("MIXDOWN_FL_GENERIC");
	free(x);
	CHECK_NEAR(r[0].I, r[1].I, 1e-6);
	CHECK_NEAR(r[0].lra, r[1].lra, 1e-6);
	CHECK_NEAR(r[0].m, r[1].m, 1e-6);
	CHECK_NEAR(r[0].tp, r[1].tp, 1e-4);
	CHECK_NEAR(r[0].sp, r[1].sp, 0);
	printf("# kernels differ by I %.1e LU, TP %.1e dB\n", fabs(r[0].I - r[1].I), fabs(r[0].tp - r[1].tp));
}

/* ------------------------------------------------ pyloudnorm-eval files */

static const char *testdata(const char *sub)
{
	static char path[1024];
	const char *env = getenv("MIXDOWN_TESTDATA");
	snprintf(path, sizeof path, "%s/%s", env ? env : MIXDOWN_SOURCE_DIR "/../shared/testdata", sub);
	return access(path, R_OK) == 0 ? path : NULL;
}

static void t_pyloudnorm_eval(void)
{
	const char *d0 = testdata("pyloudnorm-eval");
	if (!d0) {
		SKIP("../shared/testdata/pyloudnorm-eval absent");
		return;
	}
	char dir[1024];
	snprintf(dir, sizeof dir, "%s", d0);
	DIR *d = opendir(dir);
	CHECK(d != NULL);
	int files = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".wav"))
			continue;
		char path[2048];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		int64_t n;
		int ch, rate;
		float *x = mxt_read_audio(path, &n, &ch, &rate, NULL);
		CHECK(x != NULL);
		if (!x)
			continue;
		pair p;
		pair_start(&p, rate, (uint32_t)ch);
		pair_feed(&p, x, (size_t)n);
		free(x);
		results f = pair_check(&p, e->d_name);
		/* The file reader (raw decoder, two threads) reads the same. */
		mixdown_analysis *a = NULL;
		CHECK_INT(mxd_fl_analyze_file(path, NULL, 2, false, &a, NULL), MIXDOWN_SUCCESS);
		if (a) {
			CHECK(dd(a->loudness.integrated, f.I) < 1e-6);
			CHECK(dd(a->loudness.true_peak, f.tp) < 1e-6);
			CHECK(dd(a->loudness.short_term_max, f.s) < 1e-6);
		}
		mixdown_analysis_free(a);
		files++;
	}
	if (d)
		closedir(d);
	CHECK(files >= 13);
}

/* ------------------------------------------------------- the file path */

static results of_analysis(const mixdown_analysis *a)
{
	return (results){ a->loudness.integrated,     a->loudness.range,     a->loudness.momentary_max,
			  a->loudness.short_term_max, a->loudness.true_peak, a->loudness.sample_peak, NAN };
}

static bool same(results a, results b, double tol)
{
	return dd(a.I, b.I) <= tol && dd(a.lra, b.lra) <= tol && dd(a.m, b.m) <= tol && dd(a.s, b.s) <= tol &&
	       dd(a.tp, b.tp) <= tol && dd(a.sp, b.sp) <= tol;
}

/* 16/24/32-bit and float WAV, 24-bit AIFF (big-endian: libsndfile path) and
 * FLAC: one or two threads, raw or libsndfile decoding, give identical
 * numbers, equal to the meter fed the decoded samples; NaN/Inf read as 0. */
static void t_file_paths(void)
{
	static const struct {
		const char *name;
		int format;
	} fmt[] = {
		{ "s16.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16 },   { "s24.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24 },
		{ "s32.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_32 },   { "f32.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT },
		{ "s24.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_24 }, { "s24.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_24 },
		{ "s24.w64", SF_FORMAT_W64 | SF_FORMAT_PCM_24 },
	};
	const char *dir = mxt_tempdir();
	int64_t n;
	float *x = music(48000, 2, asan() ? 6.0 : 12.0, 7, &n);
	x[1000] = NAN; /* float file only: the integer formats clip them */
	x[2001] = INFINITY;
	for (size_t k = 0; k < sizeof fmt / sizeof fmt[0] && x; k++) {
		const char *path = mxt_path(dir, fmt[k].name);
		bool is_float = (fmt[k].format & SF_FORMAT_SUBMASK) == SF_FORMAT_FLOAT;
		if (!is_float) {
			x[1000] = 0.1f;
			x[2001] = 0.1f;
		}
		CHECK_INT(mxt_write_audio(path, x, n, 2, 48000, fmt[k].format), 0);
		/* The decoded samples through mxd_fl_add. */
		int64_t m;
		float *y = mxt_read_audio(path, &m, NULL, NULL, NULL);
		CHECK(y != NULL && m == n);
		if (!y)
			continue;
		for (int64_t i = 0; i < 2 * m; i++)
			if (!isfinite(y[i]))
				y[i] = 0.0f;
		mxd_fl f;
		mxd_fl_init(&f, 48000, 2, NULL, true);
		mxd_fl_add(&f, y, (size_t)m);
		results want = fast_results(&f);
		mxd_fl_free(&f);
		free(y);
		results got[3];
		for (int v = 0; v < 3; v++) {
			mixdown_analysis *a = NULL;
			CHECK_INT(mxd_fl_analyze_file(path, NULL, v == 0 ? 1 : 2, v == 2, &a, NULL), MIXDOWN_SUCCESS);
			got[v] = a ? of_analysis(a) : (results){ 0 };
			if (a) {
				CHECK(a->loudness_only);
				CHECK_INT(a->frames, n);
			}
			mixdown_analysis_free(a);
		}
		CHECK_MSG(same(got[0], got[1], 0) && same(got[1], got[2], 0), "%s: thread/decoder variants differ",
			  fmt[k].name);
		CHECK_MSG(same(got[1], want, 1e-9), "%s: I %.9f vs %.9f", fmt[k].name, got[1].I, want.I);
		printf("# %-8s I %.4f LRA %.4f M %.4f S %.4f TP %.4f SP %.4f\n", fmt[k].name, got[1].I, got[1].lra,
		       got[1].m, got[1].s, got[1].tp, got[1].sp);
	}
	free(x);
	mixdown_analysis *a = NULL;
	CHECK_INT(mxd_fl_analyze_file(mxt_path(dir, "missing.wav"), NULL, 2, false, &a, NULL), MIXDOWN_ERR_AUDIO);
	CHECK(a == NULL);
}

/* mixdown_analyze_file with loudness_only against the full analysis (the
 * same meter since loudness.c uses it: equal to rounding); the
 * command line prints the same keys, nothing else, and refuses the options
 * that need more than loudness. */
static void t_api_cli(void)
{
	const char *dir = mxt_tempdir();
	const char *path = mxt_path(dir, "mix.wav");
	int64_t n;
	float *x = music(44100, 2, asan() ? 6.0 : 16.0, 3, &n);
	CHECK_INT(mxt_write_audio(path, x, n, 2, 44100, SF_FORMAT_WAV | SF_FORMAT_PCM_24), 0);
	free(x);
	mixdown_analysis_options o = mixdown_analysis_options_init();
	CHECK(!o.loudness_only);
	mixdown_analysis *full = NULL, *fast = NULL;
	CHECK_INT(mixdown_analyze_file(path, &o, &full, NULL), MIXDOWN_SUCCESS);
	o.loudness_only = true;
	CHECK_INT(mixdown_analyze_file(path, &o, &fast, NULL), MIXDOWN_SUCCESS);
	if (full && fast) {
		CHECK(!full->loudness_only && fast->loudness_only);
		results a = of_analysis(full), b = of_analysis(fast);
		CHECK_MSG(same(a, b, 1e-6), "full I %.4f LRA %.4f M %.4f S %.4f TP %.4f; fast %.4f %.4f %.4f %.4f %.4f",
			  a.I, a.lra, a.m, a.s, a.tp, b.I, b.lra, b.m, b.s, b.tp);
		CHECK_NEAR(a.sp, b.sp, 1e-9);
		CHECK_INT(fast->frames, full->frames);
	}
	o.true_peak = false;
	mixdown_analysis *ntp = NULL;
	CHECK_INT(mixdown_analyze_file(path, &o, &ntp, NULL), MIXDOWN_SUCCESS);
	if (ntp && fast) {
		CHECK(isinf(ntp->loudness.true_peak) && ntp->loudness.true_peak < 0);
		CHECK_NEAR(ntp->loudness.integrated, fast->loudness.integrated, 0);
	}
	mixdown_analysis_free(ntp);
	CHECK_INT(mxt_run_cli("analyze --loudness --json '%s'", path), 0);
	CHECK_STR_CONTAINS(mxt_cli_out, "\"loudness\": {\"integrated\": ");
	CHECK_STR_CONTAINS(mxt_cli_out, "\"sample_peak\": ");
	CHECK(strstr(mxt_cli_out, "\"dynamics\"") == NULL && strstr(mxt_cli_out, "\"spectrum\"") == NULL);
	const char *iv = strstr(mxt_cli_out, "\"integrated\": ");
	if (iv && fast)
		CHECK_NEAR(strtod(iv + 14, NULL), fast->loudness.integrated, 1e-5);
	CHECK_INT(mxt_run_cli("analyze --loudness '%s'", path), 0);
	CHECK_STR_CONTAINS(mxt_cli_out, "integrated");
	CHECK_STR_CONTAINS(mxt_cli_out, "true peak");
	CHECK(strstr(mxt_cli_out, "spectrum") == NULL && strstr(mxt_cli_out, "delivery") == NULL);
	CHECK_INT(mxt_run_cli("analyze --loudness --html '%s' '%s'", mxt_path(dir, "r.html"), path), 2);
	CHECK_INT(mxt_run_cli("analyze --loudness --reference '%s' '%s'", path, path), 2);
	CHECK_INT(mxt_run_cli("analyze --loudness --tracks '%s' '%s'", path, path), 2);
	CHECK_INT(mxt_run_cli("analyze --loudness --json '%s'", mxt_path(dir, "missing.wav")), 1);
	mixdown_analysis_free(full);
	mixdown_analysis_free(fast);
}

static void t_summary(void)
{
	printf("# worst over all cases: I %.1e LU, LRA %.1e LU, M/S %.1e LU, TP %.1e dB, SP %.1e dB\n", worst_all[0],
	       worst_all[1], worst_all[2], worst_all[3], worst_all[4]);
	CHECK(worst_all[0] <= TOL_LU && worst_all[3] <= TOL_DB);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_design),	   MXT(t_3341_1_6),	     MXT(t_3341_9_14), MXT(t_3341_15_19), MXT(t_3341_20_23),
		MXT(t_3342),	   MXT(t_music),	     MXT(t_kernels),   MXT(t_pyloudnorm_eval),
		MXT(t_file_paths), MXT(t_api_cli),	     MXT(t_summary),
	};
	return MXT_RUN(cases);
}
