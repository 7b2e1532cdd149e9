/* mixdown — tests of the multitrack analysis: alignment and polarity between
 * tracks of one source, frequency masking, silent tracks, a session analyzed
 * track by track, the JSON and the command line.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <kiss_fftr.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsp/biquad.h"
#include "harness.h"
#include "mixdown/mixdown.h"
#include "util.h"

#define CHOIR MIXDOWN_SOURCE_DIR "/../shared/testdata/dagstuhl-choirset/DCS_LI_QuartetB_Take04_"

/* Delay x (n samples, mono) by d samples (fractional allowed) with a
 * frequency-domain phase shift over a zero-padded FFT: an exact band-limited
 * delay, as a second microphone further away records it. */
static void fractional_delay(float *x, size_t n, double d)
{
	size_t N = 1;
	while (N < 2 * n + (size_t)ceil(d) + 16)
		N *= 2;
	kiss_fftr_cfg fwd = kiss_fftr_alloc((int)N, 0, NULL, NULL), inv = kiss_fftr_alloc((int)N, 1, NULL, NULL);
	kiss_fft_scalar *t = calloc(N, sizeof *t);
	kiss_fft_cpx *s = calloc(N / 2 + 1, sizeof *s);
	for (size_t i = 0; i < n; i++)
		t[i] = x[i];
	kiss_fftr(fwd, t, s);
	for (size_t k = 0; k <= N / 2; k++) {
		const double w = -2.0 * M_PI * (double)k * d / (double)N;
		const double re = s[k].r * cos(w) - s[k].i * sin(w), im = s[k].r * sin(w) + s[k].i * cos(w);
		s[k].r = (kiss_fft_scalar)re;
		s[k].i = (kiss_fft_scalar)im;
	}
	kiss_fftri(inv, s, t);
	for (size_t i = 0; i < n; i++)
		x[i] = (float)(t[i] / (double)N);
	free(t);
	free(s);
	kiss_fftr_free(fwd);
	kiss_fftr_free(inv);
}

static const mixdown_alignment *find_pair(const mixdown_multitrack_analysis *m, const char *a, const char *b)
{
	for (size_t i = 0; i < m->n_alignment; i++) {
		const mixdown_alignment *al = &m->alignment[i];
		if ((!strcmp(al->a, a) && !strcmp(al->b, b)) || (!strcmp(al->a, b) && !strcmp(al->b, a)))
			return al;
	}
	return NULL;
}

/* Offset of b against a, whichever order the pair was reported in. */
static double offset_of(const mixdown_alignment *al, const char *b)
{
	return !strcmp(al->b, b) ? al->offset_ms : -al->offset_ms;
}

static bool feedback_has(const mixdown_multitrack_analysis *m, int priority, const char *needle)
{
	for (size_t i = 0; i < m->n_feedback; i++)
		if (m->feedback[i].priority == priority && strstr(m->feedback[i].text, needle))
			return true;
	return false;
}

/* A close mic, the same mic polarity-inverted, a copy 1.3 ms later and an
 * unrelated track: the pairs are found with the right sign and offset. */
static void t_alignment_planted(void)
{
	const double rate = 48000;
	const size_t n = 4 * 48000;
	float *src = malloc(n * sizeof *src), *inv = malloc(n * sizeof *inv), *late = malloc(n * sizeof *late),
	      *other = malloc(n * sizeof *other), *hiss = malloc(n * sizeof *hiss);
	mxt_noise(src, (int64_t)n, 0.3, 1);
	mxt_noise(other, (int64_t)n, 0.3, 2);
	mxt_noise(hiss, (int64_t)n, 0.01, 3);
	/* Band-limit the source a little (a microphone is not white). */
	mxd_biquad lp;
	mxd_bq_state st = { 0, 0 };
	mxd_biquad_design(&lp, MXD_BQ_LOWPASS, rate, 9000, 0.707, 0);
	mxd_biquad_process(&lp, &st, src, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		inv[i] = -src[i] + hiss[i];
		late[i] = src[i];
	}
	fractional_delay(late, n, 1.3e-3 * rate); /* 62.4 samples */
	const char *dir = mxt_tempdir();
	char p[4][1024];
	const char *names[4] = { "close.wav", "flipped.wav", "late.wav", "other.wav" };
	const float *data[4] = { src, inv, late, other };
	for (int i = 0; i < 4; i++) {
		snprintf(p[i], sizeof p[i], "%s", mxt_path(dir, names[i]));
		CHECK_INT(mxt_write_audio(p[i], data[i], (int64_t)n, 1, (int)rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	}
	const char *paths[4] = { p[0], p[1], p[2], p[3] };
	mixdown_multitrack_analysis *m = NULL;
	mixdown_error err;
	CHECK_INT(mixdown_analyze_tracks(paths, 4, NULL, &m, &err), MIXDOWN_SUCCESS);
	if (m) {
		CHECK_INT((int)m->n_tracks, 4);
		CHECK(m->mix == NULL);
		const mixdown_alignment *a = find_pair(m, "close.wav", "flipped.wav");
		CHECK(a != NULL);
		if (a) {
			CHECK(a->inverted);
			CHECK(a->correlation > 0.95);
			CHECK_NEAR(a->offset_ms, 0.0, 0.02);
		}
		a = find_pair(m, "close.wav", "late.wav");
		CHECK(a != NULL);
		if (a) {
			CHECK(!a->inverted);
			CHECK(a->correlation > 0.95);
			CHECK_NEAR(offset_of(a, "late.wav"), 1.3, 0.02);
		}
		a = find_pair(m, "flipped.wav", "late.wav");
		CHECK(a != NULL);
		if (a) {
			CHECK(a->inverted);
			CHECK_NEAR(offset_of(a, "late.wav"), 1.3, 0.02);
		}
		CHECK(find_pair(m, "close.wav", "other.wav") == NULL);
		CHECK(find_pair(m, "late.wav", "other.wav") == NULL);
		CHECK(feedback_has(m, 1, "'flipped.wav' has the opposite polarity"));
		CHECK(feedback_has(m, 2, "'late.wav' is 1.30 ms later than 'close.wav'"));
		/* One source through three mics does not mask itself. */
		for (size_t i = 0; i < m->n_masking; i++)
			CHECK(strcmp(m->masking[i].masker, "other.wav") == 0 || strcmp(m->masking[i].masked, "other.wav") == 0);
	}
	mixdown_multitrack_analysis_free(m);
	free(src);
	free(inv);
	free(late);
	free(other);
	free(hiss);
}

/* Real multi-mic audio: the alto's dynamic mic, its polarity-inverted copy, a
 * copy 1.3 ms later (28.7 samples at 22.05 kHz), the alto's headset and
 * larynx mics and the middle room mic. */
static void t_alignment_choirset(void)
{
	int64_t n = 0;
	int ch = 0, rate = 0;
	float *dyn = mxt_read_audio(CHOIR "A2_DYN.wav", &n, &ch, &rate, NULL);
	if (!dyn) {
		mxt_skip("../shared/testdata/dagstuhl-choirset is absent");
		return;
	}
	CHECK_INT(ch, 1);
	float *inv = malloc((size_t)n * sizeof *inv), *late = malloc((size_t)n * sizeof *late);
	for (int64_t i = 0; i < n; i++) {
		inv[i] = -dyn[i];
		late[i] = dyn[i];
	}
	fractional_delay(late, (size_t)n, 1.3e-3 * rate);
	const char *dir = mxt_tempdir();
	char pi[1024], pl[1024];
	snprintf(pi, sizeof pi, "%s", mxt_path(dir, "A2_inverted.wav"));
	snprintf(pl, sizeof pl, "%s", mxt_path(dir, "A2_late.wav"));
	CHECK_INT(mxt_write_audio(pi, inv, n, 1, rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	CHECK_INT(mxt_write_audio(pl, late, n, 1, rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	const char *paths[] = { CHOIR "A2_DYN.wav", pi, pl, CHOIR "A2_HSM.wav", CHOIR "A2_LRX.wav",
				CHOIR "Stereo_STM.wav" };
	mixdown_multitrack_analysis *m = NULL;
	mixdown_error err;
	CHECK_INT(mixdown_analyze_tracks(paths, 6, NULL, &m, &err), MIXDOWN_SUCCESS);
	if (m) {
		const char *dyn_name = "DCS_LI_QuartetB_Take04_A2_DYN.wav";
		const mixdown_alignment *a = find_pair(m, dyn_name, "A2_inverted.wav");
		CHECK(a && a->inverted && a->correlation > 0.99 && fabs(a->offset_ms) < 0.02);
		a = find_pair(m, dyn_name, "A2_late.wav");
		CHECK(a && !a->inverted && a->correlation > 0.95);
		if (a)
			CHECK_NEAR(offset_of(a, "A2_late.wav"), 1.3, 0.05);
		/* The three close mics of one singer: found, and their offsets add up
		 * (HSM->LRX = HSM->DYN + DYN->LRX) within 0.1 ms. */
		const mixdown_alignment *hd = find_pair(m, dyn_name, "DCS_LI_QuartetB_Take04_A2_HSM.wav");
		const mixdown_alignment *ld = find_pair(m, dyn_name, "DCS_LI_QuartetB_Take04_A2_LRX.wav");
		const mixdown_alignment *lh =
			find_pair(m, "DCS_LI_QuartetB_Take04_A2_HSM.wav", "DCS_LI_QuartetB_Take04_A2_LRX.wav");
		CHECK(hd && ld && lh);
		if (hd && ld && lh) {
			double d_h = offset_of(hd, "DCS_LI_QuartetB_Take04_A2_HSM.wav");
			double d_l = offset_of(ld, "DCS_LI_QuartetB_Take04_A2_LRX.wav");
			double h_l = offset_of(lh, "DCS_LI_QuartetB_Take04_A2_LRX.wav");
			CHECK_NEAR(h_l, d_l - d_h, 0.1);
			CHECK(hd->correlation > 0.6 && ld->correlation > 0.6);
		}
		CHECK(feedback_has(m, 1, "'A2_inverted.wav' has the opposite polarity"));
	}
	mixdown_multitrack_analysis_free(m);
	free(dyn);
	free(inv);
	free(late);
}

static void filtered_noise(float *x, size_t n, double rate, uint32_t seed, double amp, mxd_bq_type t1, double f1,
			   double q1, mxd_bq_type t2, double f2, double q2)
{
	mxt_noise(x, (int64_t)n, amp, seed);
	mxd_biquad a, b;
	mxd_bq_state sa = { 0, 0 }, sb = { 0, 0 };
	mxd_biquad_design(&a, t1, rate, f1, q1, 0);
	mxd_biquad_design(&b, t2, rate, f2, q2, 0);
	mxd_biquad_process(&a, &sa, x, (uint32_t)n);
	mxd_biquad_process(&b, &sb, x, (uint32_t)n);
}

/* A vocal-like band (300 Hz - 5 kHz) and a guitar-like band around 3 kHz,
 * louder there: the vocal is masked by the guitar near 3 kHz, not the other
 * way round; panning the guitar hard left removes most of it. */
static void t_masking_planted(void)
{
	const double rate = 48000;
	const size_t n = 6 * 48000;
	float *voc = malloc(n * sizeof *voc), *gtr = malloc(n * sizeof *gtr), *st = malloc(2 * n * sizeof *st);
	filtered_noise(voc, n, rate, 5, 0.3, MXD_BQ_HIGHPASS, 300, 0.707, MXD_BQ_LOWPASS, 5000, 0.707);
	filtered_noise(gtr, n, rate, 6, 1.0, MXD_BQ_BANDPASS, 3000, 2.0, MXD_BQ_BANDPASS, 3000, 2.0);
	const char *dir = mxt_tempdir();
	char pv[1024], pg[1024], ps[1024];
	snprintf(pv, sizeof pv, "%s", mxt_path(dir, "vocal.wav"));
	snprintf(pg, sizeof pg, "%s", mxt_path(dir, "guitar.wav"));
	snprintf(ps, sizeof ps, "%s", mxt_path(dir, "guitar_left.wav"));
	CHECK_INT(mxt_write_audio(pv, voc, (int64_t)n, 1, (int)rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	CHECK_INT(mxt_write_audio(pg, gtr, (int64_t)n, 1, (int)rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	mixdown_multitrack_analysis *m = NULL;
	mixdown_error err;
	const char *paths[] = { pv, pg };
	CHECK_INT(mixdown_analyze_tracks(paths, 2, NULL, &m, &err), MIXDOWN_SUCCESS);
	double amount_centred = 0;
	if (m) {
		CHECK(m->n_masking >= 1);
		const mixdown_masking *k = m->n_masking ? &m->masking[0] : NULL;
		if (k) {
			CHECK(!strcmp(k->masked, "vocal.wav") && !strcmp(k->masker, "guitar.wav"));
			/* The cut goes where the guitar peaks: the 2.5, 3.15 or 4 kHz band. */
			CHECK(k->cut_hz > 2400 && k->cut_hz < 4100);
			CHECK(k->low_hz < 3000 && k->high_hz > 3000);
			CHECK(k->amount > 6);
			CHECK_NEAR(k->overlap, 1.0, 0.05);
			amount_centred = k->amount;
		}
		/* The vocal may cover the guitar's skirts, but not where the guitar
		 * is strong. */
		for (size_t i = 0; i < m->n_masking; i++)
			if (!strcmp(m->masking[i].masked, "guitar.wav"))
				CHECK_MSG(m->masking[i].high_hz < 3000 || m->masking[i].low_hz > 3000,
					  "guitar masked at %.0f-%.0f Hz", m->masking[i].low_hz, m->masking[i].high_hz);
		CHECK(feedback_has(m, 2, "'vocal.wav' is masked by 'guitar.wav' between"));
		CHECK(feedback_has(m, 2, "cut 'guitar.wav' around"));
	}
	mixdown_multitrack_analysis_free(m);
	/* The guitar hard left (stereo file, right channel silent) and the vocal
	 * centred: the right channel is clear, so the masking is gone. */
	for (size_t i = 0; i < n; i++) {
		st[2 * i] = gtr[i];
		st[2 * i + 1] = 0;
	}
	CHECK_INT(mxt_write_audio(ps, st, (int64_t)n, 2, (int)rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	const char *panned[] = { pv, ps };
	CHECK_INT(mixdown_analyze_tracks(panned, 2, NULL, &m, &err), MIXDOWN_SUCCESS);
	if (m) {
		for (size_t i = 0; i < m->n_masking; i++)
			CHECK_MSG(strcmp(m->masking[i].masked, "vocal.wav") != 0 || m->masking[i].amount < amount_centred - 6,
				  "panned masking %.1f dB vs centred %.1f dB", m->masking[i].amount, amount_centred);
	}
	mixdown_multitrack_analysis_free(m);
	free(voc);
	free(gtr);
	free(st);
}

/* A session analyzed track by track: a delayed copy through the mixer is
 * found with its offset, a silent track is flagged, buses and the mix are
 * analyzed, and the command line prints and writes JSON. */
static void t_session(void)
{
	const double rate = 48000;
	const size_t n = 3 * 48000;
	float *x = malloc(n * sizeof *x), *z = calloc(n, sizeof *z);
	mxt_noise(x, (int64_t)n, 0.2, 9);
	const char *dir = mxt_tempdir();
	CHECK_INT(mxt_write_audio(mxt_path(dir, "a.wav"), x, (int64_t)n, 1, (int)rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT),
		  0);
	CHECK_INT(mxt_write_audio(mxt_path(dir, "silence.wav"), z, (int64_t)n, 1, (int)rate,
				  SF_FORMAT_WAV | SF_FORMAT_FLOAT),
		  0);
	/* "Far" plays the same file 2.5 ms later (clip at 0.0025 s), with its
	 * polarity flipped by a polarity insert. */
	const char *yaml = "sample_rate: 48000\n"
			   "buses:\n  - name: Mics\n"
			   "tracks:\n"
			   "  - name: Near\n    clips: [{ file: a.wav, at: 0 }]\n    output: Mics\n"
			   "  - name: Far\n    clips: [{ file: a.wav, at: 0.0025 }]\n    output: Mics\n"
			   "    inserts: [{ type: polarity }]\n"
			   "  - name: Dead\n    clips: [{ file: silence.wav, at: 0 }]\n";
	CHECK_INT(mxt_write_text(mxt_path(dir, "session.yaml"), yaml), 0);
	char session[1024];
	snprintf(session, sizeof session, "%s", mxt_path(dir, "session.yaml"));
	mixdown_multitrack_analysis *m = NULL;
	mixdown_error err;
	mixdown_status st = mixdown_analyze_session(session, NULL, &m, &err);
	CHECK_MSG(st == MIXDOWN_SUCCESS, "%s", err.message);
	if (m) {
		CHECK(m->mix != NULL);
		CHECK_INT((int)m->n_tracks, 4);
		CHECK(!strcmp(m->names[0], "Near") && !strcmp(m->names[3], "Mics") && m->is_bus[3] && !m->is_bus[0]);
		const mixdown_alignment *a = find_pair(m, "Near", "Far");
		CHECK(a != NULL);
		if (a) {
			CHECK(a->inverted);
			CHECK_NEAR(offset_of(a, "Far"), 2.5, 0.02);
		}
		CHECK(feedback_has(m, 2, "Track 'Dead' is silent"));
		CHECK(feedback_has(m, 1, "'Far' has the opposite polarity of 'Near'"));
		/* The mix is the sum: its duration covers the late clip. */
		if (m->mix)
			CHECK_NEAR(m->mix->duration, 3.0025, 1e-3);
	}
	mixdown_multitrack_analysis_free(m);
	int rc = mxt_run_cli("analyze --json '%s'", session);
	CHECK_INT(rc, 0);
	CHECK(strstr(mxt_cli_out, "\"multitrack\"") != NULL);
	CHECK(strstr(mxt_cli_out, "\"kind\": \"bus\"") != NULL);
	CHECK(strstr(mxt_cli_out, "\"inverted\": true") != NULL);
	rc = mxt_run_cli("analyze '%s'", session);
	CHECK_INT(rc, 0);
	CHECK(strstr(mxt_cli_out, "INVERTED") != NULL);
	/* Bad usage: --tracks with one file, a session among files. */
	CHECK_INT(mxt_run_cli("analyze --tracks '%s'", mxt_path(dir, "a.wav")), 2);
	CHECK_INT(mxt_run_cli("analyze '%s' '%s'", session, mxt_path(dir, "a.wav")), 2);
	/* A broken session is a session error (exit 2) naming the file. */
	CHECK_INT(mxt_write_text(mxt_path(dir, "bad.yaml"), "tracks: [ { name: X, clips: 3 } ]\n"), 0);
	CHECK_INT(mxt_run_cli("analyze '%s'", mxt_path(dir, "bad.yaml")), 2);
	CHECK(strstr(mxt_cli_err, "bad.yaml") != NULL);
	free(x);
	free(z);
}

/* Files of different rates are not tracks of one mix. */
static void t_rate_mismatch(void)
{
	float x[4800];
	mxt_noise(x, 4800, 0.1, 4);
	const char *dir = mxt_tempdir();
	char a[1024], b[1024];
	snprintf(a, sizeof a, "%s", mxt_path(dir, "a48.wav"));
	snprintf(b, sizeof b, "%s", mxt_path(dir, "b44.wav"));
	CHECK_INT(mxt_write_audio(a, x, 4800, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_16), 0);
	CHECK_INT(mxt_write_audio(b, x, 4800, 1, 44100, SF_FORMAT_WAV | SF_FORMAT_PCM_16), 0);
	const char *paths[] = { a, b };
	mixdown_multitrack_analysis *m = NULL;
	mixdown_error err;
	CHECK_INT(mixdown_analyze_tracks(paths, 2, NULL, &m, &err), MIXDOWN_ERR_AUDIO);
	CHECK(m == NULL);
	CHECK(strstr(err.file, "b44.wav") != NULL);
	CHECK(strstr(err.message, "sample rate") != NULL);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_alignment_planted), MXT(t_alignment_choirset), MXT(t_masking_planted),
		MXT(t_session),           MXT(t_rate_mismatch),
	};
	return MXT_RUN(cases);
}
