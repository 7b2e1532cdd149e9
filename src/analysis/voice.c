/* mixdown — does a file sound like a voice? Pitch periodicity and the way the
 * pitch moves (for automix's role recognition from audio; control thread).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The file's channels are summed, low-passed (two Butterworth sections at
 * 3.5 kHz) and decimated to about 16 kHz, then cut into 40 ms frames every
 * 20 ms. Per frame:
 *  - active: RMS within 40 dB of the loudest frame's;
 *  - voiced: the normalized cross-correlation of the frame with itself
 *    shifted by a lag of 1..12.5 ms (80..1000 Hz) peaks at >= VOICED_NCCF
 *    (a periodic, pitched sound; the NCCF pitch detector of Talkin's RAPT,
 *    "A Robust Algorithm for Pitch Tracking", 1995, without its dynamic
 *    programming), the pitch refined by a parabola through the peak.
 * Consecutive voiced frames whose pitch moves by less than 60 cents form a
 * note. What tells a voice from an instrument playing the same line is how
 * its pitch moves within a note: a singer's pitch wobbles and glides (vibrato
 * of +-30..100 cents at 5-7 Hz, scoops, drift; Sundberg, "The Science of the
 * Singing Voice", 1987), a keyboard's or a synth's stays put (or wobbles a
 * few cents with a synth vibrato). `wobble` is the median over notes of at
 * least 100 ms of the pitch's standard deviation within the note (cents);
 * `note_s` is the median note length (speech: short syllables with a
 * moving pitch; singing: held notes).
 * At most the first MAX_SECONDS are read. Allocates per call; frees all.
 */
#include <math.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "dsp/biquad.h"
#include "session/model.h"

#define MAX_SECONDS 90.0
#define TARGET_RATE 16000.0
#define FRAME_S 0.040
#define HOP_S 0.020
#define ACTIVE_DB 40.0
#define VOICED_NCCF 0.75
#define NOTE_JUMP_CENTS 60.0
#define MIN_NOTE_FRAMES 5 /* 100 ms: a syllable */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The file, summed to mono, low-passed and decimated; *rate_out its rate. */
static float *read_decimated(const char *path, size_t *n_out, double *rate_out, mixdown_status *st_out,
			     mixdown_error *err)
{
	SF_INFO info;
	memset(&info, 0, sizeof info);
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	if (!f) {
		*st_out = mxd_fail(err, MIXDOWN_ERR_AUDIO, path, (mxd_loc){ 0, 0 }, NULL, "cannot read: %s",
				   sf_strerror(NULL));
		return NULL;
	}
	int step = (int)floor(info.samplerate / TARGET_RATE);
	step = step < 1 ? 1 : step;
	*rate_out = (double)info.samplerate / step;
	sf_count_t max_in = (sf_count_t)(MAX_SECONDS * info.samplerate);
	if (info.frames > 0 && info.frames < max_in)
		max_in = info.frames;
	size_t cap = (size_t)(max_in / step) + 1, n = 0;
	float *out = malloc(cap * sizeof *out), *buf = malloc(sizeof(float) * 4096 * (size_t)info.channels);
	if (!out || !buf) {
		free(out);
		free(buf);
		sf_close(f);
		*st_out = mxd_fail(err, MIXDOWN_ERR_NOMEM, path, (mxd_loc){ 0, 0 }, NULL, "out of memory");
		return NULL;
	}
	/* anti-aliasing before keeping every step-th sample */
	mxd_bq_cascade lp;
	mxd_butterworth_design(&lp, false, info.samplerate, 3500.0, 4);
	mxd_bq_state st[MXD_BQ_MAX_SECTIONS];
	memset(st, 0, sizeof st);
	sf_count_t done = 0;
	long phase = 0;
	while (done < max_in) {
		sf_count_t want = max_in - done < 4096 ? max_in - done : 4096;
		sf_count_t got = sf_readf_float(f, buf, want);
		if (got <= 0)
			break;
		for (sf_count_t i = 0; i < got; i++) {
			float s = 0.0f;
			for (int c = 0; c < info.channels; c++)
				s += buf[i * info.channels + c];
			buf[i] = s;
		}
		mxd_bq_cascade_process(&lp, st, buf, (uint32_t)got);
		for (sf_count_t i = 0; i < got; i++, phase++)
			if (phase % step == 0 && n < cap)
				out[n++] = buf[i];
		done += got;
	}
	free(buf);
	sf_close(f);
	*n_out = n;
	return out;
}

/* Pitch of frame x[0..len) in Hz, or 0 when unvoiced. */
static double frame_pitch(const float *x, size_t len, size_t lag_min, size_t lag_max, double rate)
{
	double best = 0.0, r[2048];
	size_t at = 0;
	for (size_t l = lag_min - 1; l <= lag_max + 1 && l < len / 2 && l < 2048; l++) {
		double xy = 0.0, xx = 0.0, yy = 0.0;
		for (size_t i = 0; i + l < len; i++) {
			xy += (double)x[i] * x[i + l];
			xx += (double)x[i] * x[i];
			yy += (double)x[i + l] * x[i + l];
		}
		r[l] = xx > 0.0 && yy > 0.0 ? xy / sqrt(xx * yy) : 0.0;
		if (l >= lag_min && l <= lag_max && r[l] > best) {
			best = r[l];
			at = l;
		}
	}
	if (best < VOICED_NCCF || !at)
		return 0.0;
	double a = r[at - 1], b = r[at], c = r[at + 1], den = a - 2.0 * b + c;
	double d = den < 0.0 ? 0.5 * (a - c) / den : 0.0;
	return rate / ((double)at + d);
}

mixdown_status mxd_voice_measure(const char *path, mxd_voice_stats *out, mixdown_error *err)
{
	memset(out, 0, sizeof *out);
	out->wobble_cents = out->note_s = NAN;
	double rate = 0.0;
	size_t n = 0;
	mixdown_status st = MIXDOWN_SUCCESS;
	float *x = read_decimated(path, &n, &rate, &st, err);
	if (!x)
		return st;
	size_t len = (size_t)(FRAME_S * rate), hop = (size_t)(HOP_S * rate);
	size_t frames = n >= len ? (n - len) / hop + 1 : 0;
	double *rms = calloc(frames ? frames : 1, sizeof *rms), *cents = calloc(frames ? frames : 1, sizeof *cents);
	double *sd = calloc(frames ? frames : 1, sizeof *sd), *dur = calloc(frames ? frames : 1, sizeof *dur);
	if (!rms || !cents || !sd || !dur) {
		free(x);
		free(rms);
		free(cents);
		free(sd);
		free(dur);
		return mxd_fail(err, MIXDOWN_ERR_NOMEM, path, (mxd_loc){ 0, 0 }, NULL, "out of memory");
	}
	double loudest = 0.0;
	for (size_t k = 0; k < frames; k++) {
		double s = 0.0;
		for (size_t i = 0; i < len; i++)
			s += (double)x[k * hop + i] * x[k * hop + i];
		rms[k] = sqrt(s / (double)len);
		loudest = rms[k] > loudest ? rms[k] : loudest;
	}
	size_t lag_min = (size_t)floor(rate / 500.0), lag_max = (size_t)ceil(rate / 70.0);
	size_t active = 0, voiced = 0, notes = 0, run = 0;
	double floor_rms = loudest * pow(10.0, -ACTIVE_DB / 20.0);
	for (size_t k = 0; k <= frames; k++) {
		double f0 = 0.0;
		bool on = k < frames && loudest > 0.0 && rms[k] >= floor_rms;
		if (on) {
			active++;
			f0 = frame_pitch(x + k * hop, len, lag_min, lag_max, rate);
		}
		double c = f0 > 0.0 ? 1200.0 * log2(f0 / 440.0) : NAN;
		voiced += f0 > 0.0;
		/* a note continues while the pitch moves smoothly */
		if (f0 > 0.0 && run > 0 && fabs(c - cents[run - 1]) < NOTE_JUMP_CENTS) {
			cents[run++] = c;
			continue;
		}
		if (run >= MIN_NOTE_FRAMES) {
			double m = 0.0, v = 0.0;
			for (size_t i = 0; i < run; i++)
				m += cents[i];
			m /= (double)run;
			for (size_t i = 0; i < run; i++)
				v += (cents[i] - m) * (cents[i] - m);
			sd[notes] = sqrt(v / (double)run);
			dur[notes++] = (double)run * HOP_S;
		}
		run = 0;
		if (f0 > 0.0)
			cents[run++] = c;
	}
	out->active_s = (double)active * HOP_S;
	out->voiced = active ? (double)voiced / (double)active : 0.0;
	out->notes = notes;
	out->wobble_cents = median(sd, notes);
	out->note_s = median(dur, notes);
	free(x);
	free(rms);
	free(cents);
	free(sd);
	free(dur);
	return MIXDOWN_SUCCESS;
}
