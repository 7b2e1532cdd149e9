/* mixdown — is the bass line still heard through a playback system? One
 * analysis frame at a time (translate_frames.c), for every system.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A bass line plays in a frame when the strongest bin between 30 and 120 Hz
 * (its main lobe, three bins) is above -70 dBFS, holds at least -25 dB of
 * the frame's power, and stands 10 dB above the bins half a fundamental
 * below and above it (a pitched peak, not a broadband rumble). Its
 * fundamental f0 is refined by parabolic interpolation of the log power
 * (J. O. Smith, "Spectral Audio Signal Processing", quadratic interpolation
 * of spectral peaks). Harmonic h (2..10) is present when the largest bin
 * within one bin of h f0 stands 10 dB above the bins at (h -+ 1/2) f0 and its
 * lobe is within 40 dB of the fundamental's.
 *
 * Through system s (its gain g(f) = |H(f)|^2 relative to 1 kHz):
 *  - kept: g(f0) >= -15 dB, the fundamental still sounds;
 *  - harmonics: the fundamental is lost but two or more present harmonics
 *    pass (g >= -15 dB): two harmonics are enough for the pitch of the
 *    missing fundamental (A. J. M. Houtsma and J. L. Goldstein, JASA 51(2),
 *    1972); only harmonics up to the 10th, the resolved ones that carry that
 *    pitch (R. Plomp, JASA 36, 1964; R. J. Ritsma, JASA 42, 1967);
 *  - lost: neither.
 * Mono systems judge the fold (L+R)/2, stereo systems the pooled channels.
 *
 * Units: powers (mean squares), Hz, dB. No allocation. Threads: the
 * analysis's thread.
 */
#include <math.h>

#include "translate/translate.h"

#define F0_LO 30.0
#define F0_HI 120.0
#define MIN_POWER 1e-7      /* -70 dBFS */
#define MIN_SHARE 0.0031623 /* -25 dB of the frame */
#define SALIENCE 10.0       /* 10 dB over the half-way bins */
#define HARM_RANGE 1e-4     /* within 40 dB of the fundamental */
#define PASS 0.031623       /* -15 dB re. the system's 1 kHz gain */
#define MAX_HARM 10

typedef struct {
	bool plays;
	double f0;
	uint32_t n_harm;
	double harm_hz[MAX_HARM];
} bass_frame;

static double at(const mxd_tr_ana *a, const double *p, double hz)
{
	long k = lround(hz / a->df);
	if (k < 0)
		k = 0;
	if (k >= (long)a->bins)
		k = (long)a->bins - 1;
	return p[k];
}

static void detect(const mxd_tr_ana *a, const double *p, bass_frame *bf)
{
	bf->plays = false;
	bf->n_harm = 0;
	uint32_t k0 = (uint32_t)ceil(F0_LO / a->df), k1 = (uint32_t)floor(F0_HI / a->df);
	if (k0 < 2 || k1 + 2 >= a->bins)
		return;
	uint32_t kp = k0;
	for (uint32_t k = k0 + 1; k <= k1; k++)
		if (p[k] > p[kp])
			kp = k;
	double lobe = p[kp - 1] + p[kp] + p[kp + 1], total = 0.0;
	for (uint32_t k = 0; k < a->bins; k++)
		total += p[k];
	if (lobe < MIN_POWER || lobe < MIN_SHARE * total)
		return;
	double y0 = log(p[kp - 1] + 1e-30), y1 = log(p[kp] + 1e-30), y2 = log(p[kp + 1] + 1e-30);
	double den = y0 - 2.0 * y1 + y2, d = den < 0 ? 0.5 * (y0 - y2) / den : 0.0;
	if (d > 0.5 || d < -0.5)
		d = 0.0;
	double f0 = (kp + d) * a->df;
	double floor0 = 0.5 * (at(a, p, 0.5 * f0) + at(a, p, 1.5 * f0));
	if (p[kp] < SALIENCE * floor0)
		return;
	bf->plays = true;
	bf->f0 = f0;
	for (int h = 2; h <= MAX_HARM; h++) {
		double fh = h * f0;
		long kc = lround(fh / a->df);
		if (kc + 2 >= (long)a->bins || fh >= 0.45 * a->rate)
			break;
		long kh = kc;
		for (long k = kc - 1; k <= kc + 1; k++)
			if (p[k] > p[kh])
				kh = k;
		double fl = 0.5 * (at(a, p, (h - 0.5) * f0) + at(a, p, (h + 0.5) * f0));
		double hl = p[kh - 1] + p[kh] + p[kh + 1];
		if (p[kh] >= SALIENCE * fl && hl >= HARM_RANGE * lobe)
			bf->harm_hz[bf->n_harm++] = kh * a->df;
	}
}

static double gain(const mxd_tr_ana *a, size_t s, double hz)
{
	return at(a, a->h2[s], hz) / a->ref_h2[s];
}

void mxd_tr_bass_frame(mxd_tr_ana *a)
{
	bass_frame st, mono;
	detect(a, a->pst, &st);
	if (a->channels > 1)
		detect(a, a->pm, &mono);
	else
		mono = st;
	a->bass_frames += st.plays;
	for (size_t s = 0; s < a->n_sys; s++) {
		const bass_frame *bf = a->model[s]->mono ? &mono : &st;
		if (!bf->plays)
			continue;
		mxd_tr_bass_count *c = &a->bass[s];
		c->frames++;
		if (gain(a, s, bf->f0) >= PASS) {
			c->kept++;
			continue;
		}
		uint32_t pass = 0;
		for (uint32_t i = 0; i < bf->n_harm; i++)
			pass += gain(a, s, bf->harm_hz[i]) >= PASS;
		if (pass >= 2)
			c->harmonics++;
		else
			c->lost++;
	}
}
