/* mixdown — tests of src/dsp/oversample.c and the `limiter` processor.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Oversampler: the up -> down round trip of a sine equals the input delayed by
 * mxd_os_latency() within -100 dB; the upsampled spectrum of a bin-centred
 * sine has nothing but the tone above -100 dB (image rejection).
 * Limiter: 100 synthesized signals (programme-like and worst cases) driven
 * 6..20 dB over the ceiling: true peak per libebur128 (EBUR128_MODE_TRUE_PEAK)
 * <= ceiling + 0.1 dB with true_peak on; sample peak <= ceiling with it off.
 * Impulse delay == latency(); a signal below the ceiling passes unchanged.
 * Clicks on parameter changes, silence, NaN recovery.
 * Bit-exactness of the fast paths: mxd_os_up and mxd_os_down (vectorized)
 * equal mxd_os_up_plain and mxd_os_down_plain, and mxd_os_up_peak equals the
 * fold over that output, bit for bit, for every block size 1..MXD_OS_BLOCK;
 * the limiter's output does not depend on how the caller splits the signal
 * into blocks. */
#include <ebur128.h>
#include <stdint.h>

#include "dsp/oversample.h"
#include "fx/processor.h"
#include "fx_color_util.h"
#include "harness.h"
#include "util.h"

/* ------------------------------------------------------------ oversampler */

static void t_os_roundtrip(void)
{
	static const uint32_t factors[] = { 2, 4, 8 };
	for (size_t fi = 0; fi < 3; fi++) {
		mxd_os os = { 0 };
		CHECK(mxd_os_init(&os, factors[fi], 1, 110.0, 0.45, 0) == 0);
		uint32_t lat = mxd_os_latency(&os), f = factors[fi];
		/* the up path's fractional delay plus the down path's is the latency */
		CHECK_NEAR(2.0 * mxd_os_up_delay(&os) + (double)os.pad / f, (double)lat, 1e-12);
		size_t n = 48000;
		float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *hi = malloc(f * MXD_OS_BLOCK * sizeof *hi);
		for (size_t i = 0; i < n; i++)
			x[i] = (float)(0.9 * sin(2 * PI * 1000.0 * (double)i / 48000.0 + 0.3));
		for (size_t i = 0; i < n; i += MXD_OS_BLOCK) {
			uint32_t m = (uint32_t)(n - i < 200 ? n - i : 200); /* not a power of 2 */
			mxd_os_up(&os, 0, x + i, hi, m);
			mxd_os_down(&os, 0, hi, y + i, m);
			i -= MXD_OS_BLOCK - m;
		}
		double err = 0, err_off = 0;
		for (size_t i = 4800; i < n; i++) {
			err = fmax(err, fabs(y[i] - x[i - lat]));
			err_off = fmax(err_off, fabs(y[i] - x[i - lat - 1]));
		}
		double err_db = 20 * log10(err / 0.9 + 1e-30);
		printf("# os %ux: taps %u/%u/%u, latency %u, round-trip error %.1f dB\n", f,
		       mxd_os_stage_taps(&os, 0), mxd_os_stage_taps(&os, 1), mxd_os_stage_taps(&os, 2), lat,
		       err_db);
		CHECK_MSG(err_db < -100.0, "%ux round trip error %.1f dB", f, err_db);
		CHECK(20 * log10(err_off / 0.9) > -30.0); /* one frame off is clearly wrong */
		free(x), free(y), free(hi);
		mxd_os_free(&os);
	}
}

/* The vectorized up path (the AVX2 build where the CPU has it, and the
 * baseline build), its peak-only form and the plain reference on the same
 * noise (with full-scale steps, so every sum is non-trivial), block sizes 1, 2,
 * ..., MXD_OS_BLOCK, 1, ...: identical bits. */
static void t_os_up_exact(void)
{
	static const uint32_t factors[] = { 2, 4, 8 };
	for (size_t fi = 0; fi < 6; fi++) {
		uint32_t f = factors[fi % 3];
		mxd_os a = { 0 }, b = { 0 }, c = { 0 };
		CHECK(mxd_os_init(&a, f, 2, 100.0, 0.45, 0) == 0);
		CHECK(mxd_os_init(&b, f, 2, 100.0, 0.45, 0) == 0);
		CHECK(mxd_os_init(&c, f, 2, 100.0, 0.45, 0) == 0);
		if (fi >= 3) /* the baseline build */
			a.avx2 = c.avx2 = false;
		const char *isa = a.avx2 ? "avx2" : "baseline";
		uint32_t step = getenv("MXT_ASAN") ? 7 : 1; /* block sizes 1, 1 + step, ... up to MXD_OS_BLOCK */
		size_t total = 1000;
		for (uint32_t n = 1; n <= MXD_OS_BLOCK; n += step)
			total += n;
		float *x = malloc(total * sizeof *x), hv[8 * MXD_OS_BLOCK], hp[8 * MXD_OS_BLOCK];
		float pk[MXD_OS_BLOCK], pref[MXD_OS_BLOCK];
		mxt_noise(x, (int64_t)total, 0.7, 1234 + (uint32_t)f);
		for (size_t i = 0; i < total; i++)
			if ((i / 97) % 5 == 0)
				x[i] = (i / 97) % 2 ? 1.0f : -1.0f; /* steps: overshoot between samples */
		size_t bad_up = 0, bad_pk = 0, pos = 0;
		double energy = 0, top = 0;
		for (uint32_t n = 1; pos < total; n = n + step > MXD_OS_BLOCK ? 1 : n + step) {
			if (n > total - pos)
				n = (uint32_t)(total - pos);
			for (uint32_t ch = 0; ch < 2; ch++) {
				const float *in = x + pos; /* the second channel a few frames on */
				if (ch == 1 && pos + 7 + n <= total)
					in += 7;
				mxd_os_up(&a, ch, in, hv, n);
				mxd_os_up_plain(&b, ch, in, hp, n);
				if (memcmp(hv, hp, (size_t)n * f * sizeof *hv) != 0)
					bad_up++;
				for (uint32_t i = 0; i < n; i++) { /* the fold onto some prior values */
					pk[i] = pref[i] = (i % 3 == 0) ? 0.25f : 0.0f;
					for (uint32_t j = 0; j < f; j++) {
						float v = fabsf(hp[i * f + j]);
						pref[i] = v > pref[i] ? v : pref[i];
						energy += (double)v * v;
					}
					top = fmax(top, pref[i]);
				}
				mxd_os_up_peak(&c, ch, in, pk, n);
				if (memcmp(pk, pref, n * sizeof *pk) != 0)
					bad_pk++;
			}
			pos += n;
		}
		printf("# os %ux exact (%s): %zu frames, %zu/%zu blocks differ (up/peak), peak %.4f\n", f, isa, total,
		       bad_up, bad_pk, top);
		CHECK_INT((int)bad_up, 0);
		CHECK_INT((int)bad_pk, 0);
		CHECK(energy > 0.1 * (double)total && top > 1.0); /* real signal, inter-sample overs */
		free(x);
		mxd_os_free(&a);
		mxd_os_free(&b);
		mxd_os_free(&c);
	}
}

/* The vectorized down path (AVX2 where the CPU has it, and baseline) against
 * the plain reference on a shaped (saturation-like) up-sampled noise, block
 * sizes 1, 1 + step, ..., MXD_OS_BLOCK: identical bits. */
static void t_os_down_exact(void)
{
	static const uint32_t factors[] = { 2, 4, 8 };
	uint32_t step = getenv("MXT_ASAN") ? 7 : 1;
	for (size_t fi = 0; fi < 6; fi++) {
		uint32_t f = factors[fi % 3];
		mxd_os u = { 0 }, a = { 0 }, b = { 0 };
		CHECK(mxd_os_init(&u, f, 1, 110.0, 0.45, 1) == 0);
		CHECK(mxd_os_init(&a, f, 1, 110.0, 0.45, 1) == 0);
		CHECK(mxd_os_init(&b, f, 1, 110.0, 0.45, 1) == 0);
		if (fi >= 3)
			a.avx2 = false;
		float x[MXD_OS_BLOCK], hi[8 * MXD_OS_BLOCK], ya[MXD_OS_BLOCK], yb[MXD_OS_BLOCK];
		size_t bad = 0, blocks = 0;
		double energy = 0;
		for (uint32_t n = 1; n <= MXD_OS_BLOCK; n += step, blocks++) {
			mxt_noise(x, n, 0.9, 500 + n);
			mxd_os_up(&u, 0, x, hi, n);
			for (uint32_t i = 0; i < n * f; i++) /* a soft clipper: new content up high */
				hi[i] = hi[i] * 1.7f / (1.0f + fabsf(hi[i]));
			mxd_os_down(&a, 0, hi, ya, n);
			mxd_os_down_plain(&b, 0, hi, yb, n);
			bad += memcmp(ya, yb, n * sizeof *ya) != 0;
			for (uint32_t i = 0; i < n; i++)
				energy += (double)yb[i] * yb[i];
		}
		printf("# os %ux down exact (%s): %zu/%zu blocks differ\n", f, a.avx2 ? "avx2" : "baseline", bad,
		       blocks);
		CHECK_INT((int)bad, 0);
		CHECK(energy > 0.05 * (double)blocks); /* real signal through */
		mxd_os_free(&u);
		mxd_os_free(&a);
		mxd_os_free(&b);
	}
}

/* Upsampled spectrum of a bin-centred tone: every bin but the tone's is an
 * image or noise; all must be >= 100 dB down. */
static void t_os_image_rejection(void)
{
	static const uint32_t factors[] = { 2, 4, 8 };
	static const double tones[] = { 1000.0, 15000.0, 21000.0 };
	for (size_t fi = 0; fi < 3; fi++)
		for (size_t ti = 0; ti < 3; ti++) {
			uint32_t f = factors[fi];
			mxd_os os = { 0 };
			CHECK(mxd_os_init(&os, f, 1, 110.0, 0.45, 0) == 0);
			size_t n = 4800, warm = 2 * MXD_OS_BLOCK * 8; /* 10 Hz bins */
			size_t tot = warm + n;
			float *x = malloc(tot * sizeof *x), *hi = malloc(tot * f * sizeof *hi);
			for (size_t i = 0; i < tot; i++)
				x[i] = (float)(0.5 * sin(2 * PI * tones[ti] * (double)i / 48000.0));
			for (size_t i = 0; i < tot; i += MXD_OS_BLOCK) {
				uint32_t m = (uint32_t)(tot - i < MXD_OS_BLOCK ? tot - i : MXD_OS_BLOCK);
				mxd_os_up(&os, 0, x + i, hi + i * f, m);
			}
			size_t nh = n * f;
			double *amp = malloc((nh / 2 + 1) * sizeof *amp);
			fxu_spectrum(hi + warm * f, nh, amp);
			size_t kt = (size_t)(tones[ti] / 10.0 + 0.5);
			double worst = 0;
			for (size_t k = 0; k <= nh / 2; k++)
				if (k != kt)
					worst = fmax(worst, amp[k]);
			double rej = 20 * log10(worst / amp[kt]);
			printf("# os %ux, %.0f Hz: tone %.4f, worst other line %.1f dB\n", f, tones[ti], amp[kt], rej);
			CHECK_NEAR(amp[kt], 0.5, 0.5 * 1e-4);
			CHECK_MSG(rej < -100.0, "%ux %.0f Hz: image at %.1f dB", f, tones[ti], rej);
			free(amp), free(x), free(hi);
			mxd_os_free(&os);
		}
}

/* ----------------------------------------------------------------- signals */

static uint32_t rng_state = 12345;
static double urand(void) /* [0, 1) */
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return (double)rng_state / 4294967296.0;
}

enum { SIG_BURSTS, SIG_DRUMS, SIG_CHORD, SIG_WORST };

/* Fill x (2 channels planar, n frames) with signal `kind`, variant v. */
static void synth(float *l, float *r, size_t n, double fs, int kind, int v)
{
	float *ch[2] = { l, r };
	memset(l, 0, n * sizeof *l);
	memset(r, 0, n * sizeof *r);
	switch (kind) {
	case SIG_BURSTS: /* lowpassed noise bursts with random envelopes */
		for (int c = 0; c < 2; c++) {
			double lp = 0, env = 0, target = 0, k = 0.2 + 0.7 * urand();
			for (size_t i = 0; i < n; i++) {
				if (urand() < 20.0 / fs)
					target = urand();
				double rate = target > env ? 1.0 / (0.001 * fs) : 1.0 / (0.05 * fs);
				env += (target - env) * rate;
				lp += k * ((2 * urand() - 1) - lp);
				ch[c][i] = (float)(lp * env);
			}
		}
		break;
	case SIG_DRUMS: /* kicks (swept sine), snares (noise + tone), hats */
		for (size_t start = 0; start < n; start += (size_t)(fs * (0.06 + 0.15 * urand()))) {
			int type = (int)(urand() * 3);
			double f0 = 50 + 100 * urand(), ph = 0, amp = 0.3 + 0.7 * urand();
			for (size_t i = start; i < n && i < start + (size_t)(0.3 * fs); i++) {
				double t = (double)(i - start) / fs, s;
				if (type == 0) {
					ph += 2 * PI * f0 * (1 + 4 * exp(-t * 40)) / fs;
					s = sin(ph) * exp(-t * 12);
				} else if (type == 1) {
					s = (0.6 * (2 * urand() - 1) + 0.4 * sin(2 * PI * 190 * t)) * exp(-t * 25);
				} else {
					s = (2 * urand() - 1) * exp(-t * 80);
				}
				l[i] += (float)(amp * s);
				r[i] += (float)(amp * s * (0.7 + 0.3 * (type == 2 ? urand() : 1)));
			}
		}
		break;
	case SIG_CHORD: /* 3..6 sines with random phases */
	{
		int voices = 3 + (int)(urand() * 4);
		for (int vo = 0; vo < voices; vo++) {
			double f = 80 * pow(2, urand() * 6), p = 2 * PI * urand(), a = 0.3 + 0.7 * urand();
			for (int c = 0; c < 2; c++)
				for (size_t i = 0; i < n; i++)
					ch[c][i] += (float)(a * sin(2 * PI * f * (double)i / fs + p + c * 0.3));
		}
		break;
	}
	default: /* inter-sample worst cases */
		for (size_t i = 0; i < n; i++) {
			double s;
			switch (v % 4) {
			case 0: s = sin(PI / 2 * (double)i + PI / 4); break;      /* fs/4, 45 deg: +3 dB */
			case 1: s = sin(PI / 3 * (double)i + 0.5); break;         /* fs/6 */
			case 2: s = (i & 1) ? -1.0 : 1.0; break;                 /* alternating full scale */
			default: s = (i & 2) ? -1.0 : 1.0; break;                /* ++-- pairs (fs/4) */
			}
			/* gate the pattern on and off so attacks and releases are exercised */
			double g = ((i / (size_t)(0.05 * fs)) % 3) == 2 ? 0.0 : 1.0;
			l[i] = r[i] = (float)(s * g);
		}
		break;
	}
}

static double sample_peak(const float *x, size_t n)
{
	double m = 0;
	for (size_t i = 0; i < n; i++)
		m = fmax(m, fabs(x[i]));
	return m;
}

static double ebu_true_peak_db(const float *l, const float *r, size_t n, double fs)
{
	ebur128_state *st = ebur128_init(2, (unsigned long)fs, EBUR128_MODE_TRUE_PEAK);
	float *inter = malloc(2 * n * sizeof *inter);
	for (size_t i = 0; i < n; i++)
		inter[2 * i] = l[i], inter[2 * i + 1] = r[i];
	ebur128_add_frames_float(st, inter, n);
	double tp0 = 0, tp1 = 0;
	ebur128_true_peak(st, 0, &tp0);
	ebur128_true_peak(st, 1, &tp1);
	free(inter);
	ebur128_destroy(&st);
	return 20 * log10(fmax(tp0, tp1) + 1e-30);
}

/* 100 signals x {true peak, sample peak}. */
static void t_limiter_never_exceeds(void)
{
	const double ceiling_db = -1.0;
	const float ceil_lin = (float)pow(10.0, ceiling_db / 20.0);
	double worst_tp = -100, worst_sp = -100, min_out = 100;
	int fails_tp = 0, fails_sp = 0;
	rng_state = 2024;
	for (int s = 0; s < 100; s++) {
		double fs = (s / 4) % 2 ? 44100.0 : 48000.0;
		int kind = s % 4;
		size_t n = (size_t)(0.4 * fs);
		float *l = malloc(n * sizeof *l), *r = malloc(n * sizeof *r);
		float *ol = malloc(n * sizeof *ol), *orr = malloc(n * sizeof *orr);
		synth(l, r, n, fs, kind, s / 4);
		double drive = 6.0 + 14.0 * urand();
		double scale = pow(10.0, (ceiling_db + drive) / 20.0) / fmax(sample_peak(l, n), sample_peak(r, n));
		for (size_t i = 0; i < n; i++)
			l[i] = (float)(l[i] * scale), r[i] = (float)(r[i] * scale);
		for (int tp = 1; tp >= 0; tp--) {
			char la[32], rel[32], tps[16];
			snprintf(la, sizeof la, "lookahead=%g", 1.0 + 4.0 * urand());
			snprintf(rel, sizeof rel, "release=%g", 5.0 + 300.0 * urand());
			snprintf(tps, sizeof tps, "true_peak=%d", tp);
			mxd_fx *fx = MAKE("limiter", fs, 2, "ceiling=-1", tps, la, rel,
					  (s % 3) == 0 ? "auto_release=1" : "auto_release=0");
			CHECK(fx != NULL);
			if (!fx)
				continue;
			memcpy(ol, l, n * sizeof *l);
			memcpy(orr, r, n * sizeof *r);
			for (size_t i = 0; i < n; i += 300) {
				float *io[2] = { ol + i, orr + i };
				fx->cls->run(fx, io, NULL, (uint32_t)(n - i < 300 ? n - i : 300));
			}
			if (tp) {
				double t = ebu_true_peak_db(ol, orr, n, fs);
				worst_tp = fmax(worst_tp, t - ceiling_db);
				fails_tp += t > ceiling_db + 0.1;
				if (t > ceiling_db + 0.1)
					printf("# signal %d (kind %d, %.0f Hz, drive %.1f): true peak %.3f dBTP\n", s,
					       kind, fs, drive, t);
			} else {
				double sp = fmax(sample_peak(ol, n), sample_peak(orr, n));
				worst_sp = fmax(worst_sp, 20 * log10(sp) - ceiling_db);
				fails_sp += sp > ceil_lin;
				/* it limits, it does not mute: the output gets near the ceiling */
				min_out = fmin(min_out, 20 * log10(sp) - ceiling_db);
			}
			fx->cls->destroy(fx);
		}
		free(l), free(r), free(ol), free(orr);
	}
	printf("# 100 signals: worst true peak over ceiling %+.3f dB (true_peak on), worst sample peak "
	       "%+.6f dB (off), lowest output peak %+.2f dB re ceiling\n", worst_tp, worst_sp, min_out);
	CHECK_INT(fails_tp, 0);
	CHECK_INT(fails_sp, 0);
	CHECK(min_out > -3.0);
}

/* A steady sine 10 dB over: settles at the ceiling (gain not overdone). */
static void t_limiter_level(void)
{
	double fs = 48000;
	size_t n = 48000;
	float *x = malloc(n * sizeof *x);
	for (size_t i = 0; i < n; i++)
		x[i] = (float)(pow(10, 4.0 / 20) * sin(2 * PI * 997 * (double)i / fs));
	for (int tp = 0; tp < 2; tp++) {
		float *y = malloc(n * sizeof *y);
		memcpy(y, x, n * sizeof *x);
		mxd_fx *fx = MAKE("limiter", fs, 1, "ceiling=-6", tp ? "true_peak=1" : "true_peak=0");
		fxu_run_mono(fx, y, n, 512);
		double a = fxu_tone_amp(y + n / 2, n / 2, fs, 997);
		/* true-peak mode keeps a 0.5 dB detector margin */
		CHECK_NEAR(20 * log10(a), tp ? -6.5 : -6.0, 0.05);
		fx->cls->destroy(fx);
		free(y);
	}
	free(x);
}

static void t_limiter_latency(void)
{
	static const double rates[] = { 44100, 48000, 96000 };
	static const char *const la[] = { "lookahead=0.5", "lookahead=2", "lookahead=5" };
	for (int ri = 0; ri < 3; ri++)
		for (int li = 0; li < 3; li++)
			for (int tp = 0; tp < 2; tp++)
				for (int loud = 0; loud < 2; loud++) {
					mxd_fx *fx = MAKE("limiter", rates[ri], 1, la[li],
							  tp ? "true_peak=1" : "true_peak=0");
					uint32_t lat = fx->cls->latency(fx);
					size_t n = 4096;
					float *x = calloc(n, sizeof *x);
					x[100] = loud ? 2.0f : 0.5f;
					fxu_run_mono(fx, x, n, 64);
					size_t at = 0;
					for (size_t i = 0; i < n; i++)
						if (fabs(x[i]) > fabs(x[at]))
							at = i;
					CHECK_INT(at, 100 + lat);
					double want = loud ? pow(10, (tp ? -1.5 : -1.0) / 20) : 0.5;
					CHECK_NEAR(x[at], want, 1e-6);
					double expect_lat = floor(rates[ri] * (li == 0 ? 0.5 : li == 1 ? 2 : 5) / 1000 + 0.5);
					CHECK(lat >= expect_lat); /* lookahead is part of the latency */
					fx->cls->destroy(fx);
					free(x);
				}
}

/* Below the ceiling: y[n + latency] == x[n] within 1e-6. */
static void t_limiter_transparent(void)
{
	for (int tp = 0; tp < 2; tp++) {
		double fs = 48000;
		size_t n = 48000;
		float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
		mxt_noise(x, (int64_t)n, 0.35, 9);
		memcpy(y, x, n * sizeof *x);
		mxd_fx *fx = MAKE("limiter", fs, 1, tp ? "true_peak=1" : "true_peak=0", "ceiling=-1");
		uint32_t lat = fx->cls->latency(fx);
		fxu_run_mono(fx, y, n, 333);
		double err = 0;
		for (size_t i = lat; i < n; i++)
			err = fmax(err, fabs(y[i] - x[i - lat]));
		for (size_t i = 0; i < lat; i++)
			err = fmax(err, fabs(y[i]));
		CHECK_MSG(err <= 1e-6, "true_peak=%d: max deviation %g", tp, err);
		fx->cls->destroy(fx);
		free(x), free(y);
	}
}

/* Click metric: a limited 500 Hz sine; at 0.5 s a parameter changes. The
 * largest |second difference| in the 0.3 s after the change must stay within
 * 1.5x the larger of the steady states before and after (+1e-4). The same
 * metric on a sine whose amplitude steps by 3 dB must fail it. */
static bool no_click(const float *y, size_t fs, double *ratio)
{
	double before = fxu_d2max(y, fs * 3 / 10, fs / 2), after = fxu_d2max(y, fs * 8 / 10, fs);
	double during = fxu_d2max(y, fs / 2, fs * 8 / 10);
	*ratio = during / fmax(before, after);
	return during <= 1.5 * fmax(before, after) + 1e-4;
}

static void t_limiter_clicks(void)
{
	static const struct {
		const char *path;
		double to;
	} changes[] = {
		{ "ceiling", -12 }, { "ceiling", 0 }, { "gain", 12 }, { "gain", -12 }, { "release", 5 },
		{ "release", 1000 }, { "true_peak", 0 }, { "auto_release", 1 },
	};
	const size_t fs = 48000, n = 48000;
	float *x = malloc(n * sizeof *x);
	double ratio;
	/* the metric can fail: an unsmoothed 3 dB step */
	for (size_t i = 0; i < n; i++)
		x[i] = (float)(0.5 * sin(2 * PI * 500 * (double)i / fs + 1.0) * (i < n / 2 ? 1.0 : 0.7079));
	CHECK(!no_click(x, fs, &ratio));
	for (size_t c = 0; c < sizeof changes / sizeof changes[0]; c++) {
		mxd_fx *fx = MAKE("limiter", (double)fs, 1, "ceiling=-6", "release=50");
		for (size_t i = 0; i < n; i++)
			x[i] = (float)(1.0 * sin(2 * PI * 500 * (double)i / fs + 1.0));
		fxu_run_mono(fx, x, n / 2, 256);
		fxu_set(fx, changes[c].path, changes[c].to);
		fxu_run_mono(fx, x + n / 2, n / 2, 256);
		bool ok = no_click(x, fs, &ratio);
		CHECK_MSG(ok, "%s -> %g: click ratio %.3f", changes[c].path, changes[c].to, ratio);
		fx->cls->destroy(fx);
	}
	free(x);
}

static void t_limiter_silence_and_nan(void)
{
	/* silence in -> exact zeros out, also after a loud passage */
	mxd_fx *fx = MAKE("limiter", 48000, 2, "ceiling=-3", "gain=20");
	enum { B = 256 };
	float a[B], b[B];
	float *io[2] = { a, b };
	mxt_noise(a, B, 1.0, 1);
	mxt_noise(b, B, 1.0, 2);
	fx->cls->run(fx, io, NULL, B);
	double worst = 0;
	for (int k = 0; k < 40; k++) {
		memset(a, 0, sizeof a);
		memset(b, 0, sizeof b);
		fx->cls->run(fx, io, NULL, B);
		if (k >= 2)
			for (int i = 0; i < B; i++)
				worst = fmax(worst, fmax(fabs(a[i]), fabs(b[i])));
	}
	CHECK(worst == 0.0);
	fx->cls->destroy(fx);

	/* NaN/Inf burst: finite output right away, equal to a fresh instance later */
	mxd_fx *f1 = MAKE("limiter", 48000, 2, "ceiling=-1", "gain=6");
	mxd_fx *f2 = MAKE("limiter", 48000, 2, "ceiling=-1", "gain=6");
	float ra[B], rb[B];
	float *rio[2] = { ra, rb };
	mxt_noise(a, B, 0.5, 71);
	mxt_noise(b, B, 0.5, 72);
	a[3] = NAN, b[100] = INFINITY, a[200] = -INFINITY;
	f1->cls->run(f1, io, NULL, B);
	int finite = 1;
	for (int i = 0; i < B; i++)
		finite &= isfinite(a[i]) && isfinite(b[i]);
	double diff = 0;
	for (int k = 0; k < 200; k++) {
		mxt_noise(a, B, 0.9, 100 + (uint32_t)k);
		mxt_noise(b, B, 0.9, 1000 + (uint32_t)k);
		memcpy(ra, a, sizeof a);
		memcpy(rb, b, sizeof b);
		f1->cls->run(f1, io, NULL, B);
		f2->cls->run(f2, rio, NULL, B);
		for (int i = 0; i < B; i++)
			finite &= isfinite(a[i]) && isfinite(b[i]);
		if (k == 199)
			for (int i = 0; i < B; i++)
				diff = fmax(diff, fmax(fabs(a[i] - ra[i]), fabs(b[i] - rb[i])));
	}
	CHECK(finite);
	CHECK_MSG(diff < 1e-5, "differs from a fresh instance by %g", diff);
	f1->cls->destroy(f1);
	f2->cls->destroy(f2);
}

/* The same signal through two instances, one in 4096-frame calls and one in
 * irregular calls of 1..700 frames: the output must be the same bits (the
 * block-wise detector, delay lines, deque and ceiling paths carry their state
 * across calls exactly). Parameters stay fixed (a change would land at
 * different frames). */
static void t_limiter_block_invariance(void)
{
	static const char *const cfg[][3] = {
		{ "ceiling=-1", "true_peak=1", "gain=9" },
		{ "ceiling=-3", "true_peak=0", "gain=9" },
		{ "ceiling=-2", "auto_release=1", "gain=14" },
		{ "ceiling=-1", "lookahead=5", "release=20" },
	};
	size_t n = getenv("MXT_ASAN") ? 24000 : 96000;
	for (size_t k = 0; k < 4; k++) {
		uint32_t nch = k == 3 ? 6 : 2;
		mxd_fx *f1 = MAKE("limiter", 48000, nch, cfg[k][0], cfg[k][1], cfg[k][2]);
		mxd_fx *f2 = MAKE("limiter", 48000, nch, cfg[k][0], cfg[k][1], cfg[k][2]);
		float *a[6], *b[6];
		for (uint32_t c = 0; c < nch; c++) {
			a[c] = malloc(n * sizeof(float));
			b[c] = malloc(n * sizeof(float));
			mxt_noise(a[c], (int64_t)n, 0.3, 77 + (uint32_t)(k * 8 + c));
			for (size_t i = 0; i < n; i++) /* bursts: the gain moves and recovers */
				a[c][i] *= (float)(((i / 4000) % 3 == 1 ? 2.5 : 0.6) * (1.0 + 0.3 * c));
			memcpy(b[c], a[c], n * sizeof(float));
		}
		double in_pk = 0;
		for (uint32_t c = 0; c < nch; c++)
			in_pk = fmax(in_pk, sample_peak(a[c], n));
		for (size_t i = 0; i < n; i += 4096) {
			float *io[6];
			for (uint32_t c = 0; c < nch; c++)
				io[c] = a[c] + i;
			f1->cls->run(f1, io, NULL, (uint32_t)(n - i < 4096 ? n - i : 4096));
		}
		uint32_t step = 1;
		for (size_t i = 0; i < n; i += step) {
			step = 1 + (uint32_t)((i * 7919u) % 700u);
			if (step > n - i)
				step = (uint32_t)(n - i);
			float *io[6];
			for (uint32_t c = 0; c < nch; c++)
				io[c] = b[c] + i;
			f2->cls->run(f2, io, NULL, step);
		}
		size_t bad = 0;
		double out_pk = 0;
		for (uint32_t c = 0; c < nch; c++) {
			for (size_t i = 0; i < n; i++)
				bad += memcmp(&a[c][i], &b[c][i], sizeof(float)) != 0;
			out_pk = fmax(out_pk, sample_peak(a[c], n));
		}
		printf("# limiter %s %s %s: %zu samples differ, peak in %.4f out %.4f\n", cfg[k][0], cfg[k][1],
		       cfg[k][2], bad, in_pk, out_pk);
		CHECK_INT((int)bad, 0);
		CHECK(out_pk < 0.9 && out_pk > 0.3 && out_pk < in_pk); /* it limited, and passed signal */
		for (uint32_t c = 0; c < nch; c++)
			free(a[c]), free(b[c]);
		f1->cls->destroy(f1);
		f2->cls->destroy(f2);
	}
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_os_roundtrip),
		MXT(t_os_image_rejection),
		MXT(t_os_up_exact),
		MXT(t_os_down_exact),
		MXT(t_limiter_never_exceeds),
		MXT(t_limiter_level),
		MXT(t_limiter_latency),
		MXT(t_limiter_transparent),
		MXT(t_limiter_clicks),
		MXT(t_limiter_silence_and_nan),
		MXT(t_limiter_block_invariance),
	};
	return MXT_RUN(cases);
}
