/* mixdown — bench/automix/mixeval: the mix-evaluation metrics on signals with known answers.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The metric sources of the bench tool are compiled into this program (they are not part of
 * libmixdown). Checked: identical mixes score 0 everywhere; a mix 6.02 dB louder moves only the
 * loudness group, by 6.02 / |L| (MAPE of a constant shift); the stereo panning spectrum of a
 * centred source is 0, of a hard-left one -1 and of a hard-right one +1, and of a source at
 * gains (a, b) exactly (1 - 2ab / (a^2 + b^2)) sign(b - a); a centred output against a panned
 * target scores panning MAPE 1, a harder-panned one moves the mean the other way; the 45 dB
 * silence trim lands on the frame grid computed by hand; the stem balance of two noise stems,
 * one raised 6 dB, matches the power-sum arithmetic. Signals at 44.1 kHz (the suite's rate).
 */
#include <math.h>
#include <sndfile.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "util.h"

#include "../bench/automix/mxe_common.c"
#include "../bench/automix/mxe_dynamics.c"
#include "../bench/automix/mxe_eval.c"
#include "../bench/automix/mxe_io.c"
#include "../bench/automix/mxe_loudness.c"
#include "../bench/automix/mxe_panning.c"
#include "../bench/automix/mxe_spectral.c"
#include "../bench/automix/mxe_stems.c"
#include "../bench/automix/mxe_stft.c"

#define FS 44100

/* n frames of stereo: independent noise sources placed with per-channel gains. */
static float *panned_noise(int64_t n, int n_src, const double (*g)[2], uint32_t seed)
{
	float *x = calloc((size_t)n * 2, sizeof *x), *s = malloc((size_t)n * sizeof *s);
	for (int k = 0; k < n_src; k++) {
		mxt_noise(s, n, 0.25, seed + (uint32_t)k);
		for (int64_t i = 0; i < n; i++) {
			x[2 * i] += (float)(g[k][0] * s[i]);
			x[2 * i + 1] += (float)(g[k][1] * s[i]);
		}
	}
	free(s);
	return x;
}

static void t_identical_scores_zero(void)
{
	int64_t n = 12 * FS;
	const double g[3][2] = { { 0.9, 0.4 }, { 0.3, 1.0 }, { 0.7, 0.7 } };
	float *x = panned_noise(n, 3, g, 11);
	/* Some dynamics and a quiet start, so every feature moves over time and the trim has work. */
	for (int64_t i = 0; i < n; i++) {
		double env = i < FS / 2 ? 0.0 : 0.5 + 0.5 * sin(2 * M_PI * 0.7 * i / FS);
		x[2 * i] *= (float)env;
		x[2 * i + 1] *= (float)env;
	}
	float *y = malloc((size_t)n * 2 * sizeof *y);
	memcpy(y, x, (size_t)n * 2 * sizeof *y);
	mxe_audio a = { x, n, 2, FS }, b = { y, n, 2, FS };
	mxe_result r;
	CHECK_INT(mxe_evaluate(&b, &a, &r), 0);
	for (int m = 0; m < MXE_N_METRICS; m++) {
		CHECK_MSG(isfinite(r.m[m].mape) && r.m[m].mape == 0.0, "%s: MAPE %g", mxe_metric_name(m), r.m[m].mape);
		CHECK_MSG(isfinite(r.m[m].tar_mean), "%s: target mean undefined", mxe_metric_name(m));
	}
	for (int gi = 0; gi < MXE_N_GROUPS; gi++)
		CHECK_NEAR(r.group[gi], 0.0, 0.0);
	CHECK(r.trim_start > 0); /* the half second of silence was cut */
	free(x);
	free(y);
}

static void t_louder_6db(void)
{
	int64_t n = 12 * FS;
	float *x = malloc((size_t)n * 2 * sizeof *x), *y = malloc((size_t)n * 2 * sizeof *y);
	/* A stereo 997 Hz sine at -20 dBFS peak reads -20 LUFS (EBU Tech 3341: 1 kHz, both channels). */
	mxt_sine(x, n, 2, FS, 997.0, pow(10.0, -20.0 / 20.0), 0.0);
	double g = pow(10.0, 6.0 / 20.0);
	for (int64_t i = 0; i < 2 * n; i++)
		y[i] = (float)(g * x[i]);
	mxe_audio a = { x, n, 2, FS }, b = { y, n, 2, FS };
	mxe_result r;
	CHECK_INT(mxe_evaluate(&b, &a, &r), 0);
	CHECK_NEAR(r.m[MXE_LUFS].tar_mean, -20.0, 0.1);
	CHECK_NEAR(r.m[MXE_LUFS].out_mean - r.m[MXE_LUFS].tar_mean, 6.0, 1e-4);
	/* Every running mean is shifted by 6 dB: MAPE = 6 / |L| (L constant here). */
	CHECK_NEAR(r.m[MXE_LUFS].mape, 6.0 / fabs(r.m[MXE_LUFS].tar_mean), 1e-4);
	CHECK_NEAR(r.m[MXE_LUFS].mape, 0.3, 0.002);
	CHECK_NEAR(r.m[MXE_PEAK].tar_mean, -20.0, 0.01);
	CHECK_NEAR(r.m[MXE_PEAK].mape, 0.3, 0.001);
	CHECK_NEAR(r.group[MXE_G_LOUDNESS], 0.3, 0.002);
	/* The other groups see peak-normalised audio: a gain changes nothing but float rounding. The
	 * contrast valleys of a pure tone sit at the float FFT's rounding floor, hence their looser bound. */
	for (int m = MXE_CENTROID; m < MXE_N_METRICS; m++) {
		bool contrast = m >= MXE_CONTRAST_LOW && m <= MXE_CONTRAST_HIGH;
		if (mxe_metric_group(m) != MXE_G_PANNING)
			CHECK_MSG(r.m[m].mape < (contrast ? 2e-3 : 1e-4), "%s: MAPE %g after a pure gain",
				  mxe_metric_name(m), r.m[m].mape);
	}
	/* A centred target has no panning at all: the suite drops every frame, so it is undefined. */
	CHECK(isnan(r.m[MXE_PAN_TOTAL].mape));
	free(x);
	free(y);
}

static void t_sps_values(void)
{
	double l[4] = { 1, 1, 0, 0.8 }, rr[4] = { 1, 0, 1, 0.2 }, s[4];
	mxe_sps_frame(l, rr, 4, s);
	CHECK_NEAR(s[0], 0.0, 0);    /* centred */
	CHECK_NEAR(s[1], -1.0, 0);   /* hard left */
	CHECK_NEAR(s[2], 1.0, 0);    /* hard right */
	CHECK_NEAR(s[3], -(1.0 - 2 * 0.8 * 0.2 / (0.64 + 0.04)), 1e-12);

	/* Through the STFT: a centred (dual-mono) source is 0 in every band, a hard-left one 1 (RMS). */
	int64_t n = 2 * FS;
	const double centre[1][2] = { { 0.7, 0.7 } }, left[1][2] = { { 0.7, 0.0 } };
	float *c = panned_noise(n, 1, centre, 3), *h = panned_noise(n, 1, left, 3);
	mxe_audio ca = { c, n, 2, FS }, ha = { h, n, 2, FS };
	double *rc = NULL, *rh = NULL;
	size_t nc = 0, nh = 0;
	CHECK_INT(mxe_panning_frames(&ca, &rc, &nc), 0);
	CHECK_INT(mxe_panning_frames(&ha, &rh, &nh), 0);
	CHECK_INT(nc, 1 + (n - 4096) / 1024);
	double maxc = 0, minh = 1, maxh = 0;
	for (size_t i = 0; i < nc * 4; i++) {
		maxc = fmax(maxc, rc[i]);
		minh = fmin(minh, rh[i]);
		maxh = fmax(maxh, rh[i]);
	}
	CHECK_NEAR(maxc, 0.0, 0);
	CHECK_NEAR(minh, 1.0, 1e-12);
	CHECK_NEAR(maxh, 1.0, 1e-12);
	/* And the sign of the spectrum itself: every bin of the hard-left frame is -1. */
	mxe_stft *st = mxe_stft_new(4096);
	double ml[2049], mr[2049], sps[2049], smax = -2;
	mxe_stft_mag(st, h, 2, 1.0, ml);
	mxe_stft_mag(st, h + 1, 2, 1.0, mr);
	mxe_sps_frame(ml, mr, 2049, sps);
	for (int k = 0; k < 2049; k++)
		smax = fmax(smax, sps[k]);
	CHECK_NEAR(smax, -1.0, 0);
	mxe_stft_free(st);
	free(rc);
	free(rh);
	free(c);
	free(h);
}

static void t_panning_direction(void)
{
	int64_t n = 6 * FS;
	const double tar_g[1][2] = { { 0.8, 0.2 } }, cen_g[1][2] = { { 0.5, 0.5 } }, hard_g[1][2] = { { 0.8, 0.0 } };
	float *t = panned_noise(n, 1, tar_g, 5), *c = panned_noise(n, 1, cen_g, 5), *h = panned_noise(n, 1, hard_g, 5);
	mxe_audio ta = { t, n, 2, FS }, ca = { c, n, 2, FS }, ha = { h, n, 2, FS };
	mxe_result rc, rh;
	CHECK_INT(mxe_evaluate(&ca, &ta, &rc), 0);
	CHECK_INT(mxe_evaluate(&ha, &ta, &rh), 0);
	/* Gains (0.8, 0.2) in every bin: |SPS| = 1 - 2*0.16/0.68 = 9/17 in every band. */
	double want = 1.0 - 2 * 0.8 * 0.2 / (0.64 + 0.04);
	for (int m = MXE_PAN_TOTAL; m <= MXE_PAN_HIGH; m++) {
		CHECK_NEAR(rc.m[m].tar_mean, want, 1e-6);
		CHECK_NEAR(rc.m[m].out_mean, 0.0, 0);       /* centred output: no panning */
		CHECK_NEAR(rc.m[m].mape, 1.0, 1e-6);        /* |t - 0| / t */
		CHECK_NEAR(rh.m[m].out_mean, 1.0, 1e-6);    /* hard left: wider than the target */
		CHECK_NEAR(rh.m[m].mape, (1.0 - want) / want, 1e-5);
	}
	CHECK(rh.m[MXE_PAN_TOTAL].out_mean > rh.m[MXE_PAN_TOTAL].tar_mean);
	CHECK(rc.m[MXE_PAN_TOTAL].out_mean < rc.m[MXE_PAN_TOTAL].tar_mean);
	free(t);
	free(c);
	free(h);
}

static void t_trim_grid(void)
{
	/* 1 s silence, 5 s noise, 1 s silence. Centred 4096 frames at i*1024: any overlap with the noise
	 * is within 45 dB of the loudest frame, so the first kept frame is the first whose window
	 * reaches sample 44100 (i = 42, start 43008) and the last the last one starting before
	 * 264600 (i = 260, end (260 + 1) * 1024 = 267264). */
	int64_t n = 7 * FS;
	float *x = calloc((size_t)n * 2, sizeof *x);
	mxt_noise(x + 2 * FS, 2 * 5 * FS, 0.5, 9);
	mxe_audio a = { x, n, 2, FS };
	int64_t s, e;
	mxe_trim_range(&a, &s, &e);
	CHECK_INT(s, 43008);
	CHECK_INT(e, 267264);
	free(x);
}

static void t_running_mape(void)
{
	double x[50], y[50], m[50];
	for (int i = 0; i < 50; i++) {
		x[i] = -10.0 - i;
		y[i] = x[i] + 2.0;
	}
	CHECK_INT(mxe_running_mean(x, 50, 40, m), 11);
	CHECK_NEAR(m[0], -10.0 - 19.5, 1e-12);
	CHECK_NEAR(m[10], -20.0 - 19.5, 1e-12);
	/* MAPE of the running means: mean over i of 2 / (29.5 + i), i = 0..10. */
	double want = 0;
	for (int i = 0; i <= 10; i++)
		want += 2.0 / (29.5 + i) / 11.0;
	CHECK_NEAR(mxe_mape_running(x, y, 50), want, 1e-12);
	char nm[64];
	mxe_stem_name_normalise("/a/b/01 - Kick_In.wav", nm, sizeof nm);
	CHECK(!strcmp(nm, "kickin"));
}

static void t_stem_balance(void)
{
	const char *dir = mxt_tempdir();
	char od[512], rd[512];
	snprintf(od, sizeof od, "%s/out", dir);
	snprintf(rd, sizeof rd, "%s/ref", dir);
	CHECK_INT(mkdir(od, 0755), 0);
	CHECK_INT(mkdir(rd, 0755), 0);
	int64_t n = 10 * FS;
	float *a = malloc((size_t)n * sizeof *a), *b = malloc((size_t)n * sizeof *b);
	mxt_noise(a, n, 0.3, 21);
	mxt_noise(b, n, 0.3, 22);
	const int fmt = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
	CHECK_INT(mxt_write_audio(mxt_path(rd, "01_Guitar.wav"), a, n, 1, FS, fmt), 0);
	for (int64_t i = 0; i < n; i++)
		b[i] *= 0.5f; /* -6.02 dB in the reference */
	CHECK_INT(mxt_write_audio(mxt_path(rd, "02_Bass.wav"), b, n, 1, FS, fmt), 0);
	CHECK_INT(mxt_write_audio(mxt_path(od, "guitar.wav"), a, n, 1, FS, fmt), 0);
	for (int64_t i = 0; i < n; i++)
		b[i] *= 2.0f; /* level with the guitar in the output */
	CHECK_INT(mxt_write_audio(mxt_path(od, "bass.wav"), b, n, 1, FS, fmt), 0);
	mxe_stem_balance bal;
	char err[256] = "";
	CHECK_INT(mxe_stem_balance_dirs(od, rd, &bal, err, sizeof err), 0);
	CHECK_INT(bal.n, 2);
	/* Independent noises add in power. Reference: powers 1 and 1/4 -> sum 5/4; output: 1 and 1. */
	double p4 = 10 * log10(0.25), ref_g = -10 * log10(1.25), ref_b = p4 - 10 * log10(1.25), out = -10 * log10(2.0);
	for (size_t i = 0; i < bal.n; i++) {
		int is_bass = !strcmp(bal.stems[i].name, "bass");
		CHECK(is_bass || !strcmp(bal.stems[i].name, "guitar"));
		CHECK_NEAR(bal.stems[i].rel_ref, is_bass ? ref_b : ref_g, 0.03);
		CHECK_NEAR(bal.stems[i].rel_out, out, 0.03);
	}
	CHECK_NEAR(bal.mean_abs_err, ((out - ref_g) * -1 + (out - ref_b)) / 2.0, 0.03);
	CHECK(bal.unmatched[0] == 0);
	mxe_stem_balance_free(&bal);
	free(a);
	free(b);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_identical_scores_zero), MXT(t_louder_6db), MXT(t_sps_values), MXT(t_panning_direction),
		MXT(t_trim_grid), MXT(t_running_mape), MXT(t_stem_balance),
	};
	return MXT_RUN(cases);
}
