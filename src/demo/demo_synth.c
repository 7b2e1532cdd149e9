/* mixdown — demo synthesizer: PRNG, oscillators, filter, envelopes and the
 * instrument voices the demo song is played with.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Units: seconds, Hz, linear amplitude. Every voice adds ("+=") one note into
 * a caller-owned buffer (mono, or interleaved stereo for the *2 voices) and
 * never writes outside [0, frames). Each voice starts and ends at exactly zero
 * amplitude (shaped attack, release to 0, end fade), so notes never click.
 * Plain double arithmetic and libm only: the output is identical on every run.
 */
#include <math.h>
#include <stdint.h>

#include "demo/demo_internal.h"

#define PI 3.14159265358979323846
#define TWO_PI (2.0 * PI)
#define SR ((double)MXD_DEMO_RATE)

/* ------------------------------------------------------------------ PRNG */

void mxd_demo_rng_seed(mxd_demo_rng *r, uint32_t seed)
{
	/* Scramble the seed so neighbouring seeds give unrelated streams. */
	uint32_t x = seed * 2654435761u + 0x9e3779b9u;
	x ^= x >> 16;
	r->s = x ? x : 1;
}

static uint32_t rng_next(mxd_demo_rng *r)
{
	uint32_t x = r->s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	r->s = x;
	return x;
}

double mxd_demo_rng_uni(mxd_demo_rng *r)
{
	return (double)rng_next(r) / 4294967296.0;
}

double mxd_demo_rng_bi(mxd_demo_rng *r)
{
	return 2.0 * mxd_demo_rng_uni(r) - 1.0;
}

double mxd_demo_mtof(double note)
{
	return 440.0 * pow(2.0, (note - 69.0) / 12.0);
}

/* ----------------------------------------------------------- primitives */

/* Frame range [*i0, *i1) of a voice starting at t0 lasting dur seconds,
 * clipped to the buffer. Returns the unclipped start frame. */
static int64_t span(double t0, double dur, int64_t frames, int64_t *i0, int64_t *i1)
{
	int64_t start = (int64_t)llround(t0 * SR);
	int64_t end = start + (int64_t)ceil(dur * SR);
	*i0 = start < 0 ? 0 : start;
	*i1 = end > frames ? frames : end;
	return start;
}

/* Raised-cosine ramp 0 -> 1 over [0, len]. */
static double ramp(double t, double len)
{
	if (t <= 0.0)
		return 0.0;
	if (t >= len)
		return 1.0;
	return 0.5 - 0.5 * cos(PI * t / len);
}

/* Percussion shaping: attack ramp at the start, fade to 0 at `dur`. */
static double edges(double t, double dur, double attack, double fade)
{
	return ramp(t, attack) * ramp(dur - t, fade);
}

/* ADSR: raised-cosine attack a, exponential decay (time constant d) toward
 * sustain s, and after the gate the held level falls to exactly 0 over r
 * along (1 - x)^2. Continuous everywhere (no steps). */
static double adsr(double t, double gate, double a, double d, double s, double r)
{
	double th = t < gate ? t : gate;
	double lv = th < a ? ramp(th, a) : s + (1.0 - s) * exp(-(th - a) / d);
	if (t > gate) {
		double x = (t - gate) / r;
		if (x >= 1.0)
			return 0.0;
		lv *= (1.0 - x) * (1.0 - x);
	}
	return lv;
}

/* PolyBLEP residual for a unit step at phase 0 (phase in [0,1), increment dt). */
static double blep(double ph, double dt)
{
	if (ph < dt) {
		double x = ph / dt;
		return x + x - x * x - 1.0;
	}
	if (ph > 1.0 - dt) {
		double x = (ph - 1.0) / dt;
		return x * x + x + x + 1.0;
	}
	return 0.0;
}

static double saw(double ph, double dt)
{
	return 2.0 * ph - 1.0 - blep(ph, dt);
}

static double square(double ph, double dt)
{
	double ph2 = ph + 0.5;
	if (ph2 >= 1.0)
		ph2 -= 1.0;
	return (ph < 0.5 ? 1.0 : -1.0) + blep(ph, dt) - blep(ph2, dt);
}

static double wrap(double ph)
{
	return ph - floor(ph);
}

/* Topology-preserving-transform state-variable filter (2-pole, 12 dB/oct). */
typedef struct {
	double ic1, ic2, a1, a2, a3, k;
} svf;

static void svf_set(svf *f, double fc, double q)
{
	if (fc > 0.45 * SR)
		fc = 0.45 * SR;
	if (fc < 10.0)
		fc = 10.0;
	double g = tan(PI * fc / SR);
	f->k = 1.0 / q;
	f->a1 = 1.0 / (1.0 + g * (g + f->k));
	f->a2 = g * f->a1;
	f->a3 = g * f->a2;
}

static void svf_init(svf *f, double fc, double q)
{
	f->ic1 = f->ic2 = 0.0;
	svf_set(f, fc, q);
}

/* One sample; outputs low-, band- and high-pass (any pointer may be NULL). */
static void svf_tick(svf *f, double v0, double *lp, double *bp, double *hp)
{
	double v3 = v0 - f->ic2;
	double v1 = f->a1 * f->ic1 + f->a2 * v3;
	double v2 = f->ic2 + f->a2 * f->ic1 + f->a3 * v3;
	f->ic1 = 2.0 * v1 - f->ic1;
	f->ic2 = 2.0 * v2 - f->ic2;
	if (lp)
		*lp = v2;
	if (bp)
		*bp = v1;
	if (hp)
		*hp = v0 - f->k * v1 - v2;
}

/* --------------------------------------------------------------- drums */

/* Pitch-swept sine kick: 154 Hz falling to 44 Hz in ~0.1 s, soft-saturated,
 * with a faint band-passed beater click. */
void mxd_demo_kick(float *buf, int64_t frames, const mxd_demo_note *n)
{
	const double dur = 0.5, f_end = 44.0, f_sweep = 110.0, tau = 0.045;
	int64_t i0, i1, s = span(n->t0, dur, frames, &i0, &i1);
	mxd_demo_rng rng;
	mxd_demo_rng_seed(&rng, n->seed);
	svf click;
	svf_init(&click, 2500.0, 0.8);
	const double sat = 1.8, norm = 1.0 / tanh(sat);
	for (int64_t i = i0; i < i1; i++) {
		double t = (double)(i - s) / SR;
		double ph = TWO_PI * (f_end * t + f_sweep * tau * (1.0 - exp(-t / tau)));
		double body = tanh(sat * sin(ph)) * norm * exp(-t / 0.2);
		double bp;
		svf_tick(&click, mxd_demo_rng_bi(&rng), NULL, &bp, NULL);
		double v = body + 0.12 * bp * exp(-t / 0.004);
		buf[i] += (float)(n->vel * v * edges(t, dur, 0.001, 0.04));
	}
}

/* Snare: a short pitch-dropping sine body plus band- and high-passed noise. */
void mxd_demo_snare(float *buf, int64_t frames, const mxd_demo_note *n)
{
	const double dur = 0.32;
	int64_t i0, i1, s = span(n->t0, dur, frames, &i0, &i1);
	mxd_demo_rng rng;
	mxd_demo_rng_seed(&rng, n->seed);
	svf bpf, hpf;
	svf_init(&bpf, 2000.0, 0.7);
	svf_init(&hpf, 5000.0, 0.7);
	for (int64_t i = i0; i < i1; i++) {
		double t = (double)(i - s) / SR;
		double ph = TWO_PI * (185.0 * t + 70.0 * 0.012 * (1.0 - exp(-t / 0.012)));
		double body = 0.55 * sin(ph) * exp(-t / 0.045);
		double w = mxd_demo_rng_bi(&rng), bp, hp;
		svf_tick(&bpf, w, NULL, &bp, NULL);
		svf_tick(&hpf, w, NULL, NULL, &hp);
		double noise = (0.9 * bp + 0.45 * hp) * exp(-t / 0.075);
		buf[i] += (float)(n->vel * (body + noise) * edges(t, dur, 0.0007, 0.03));
	}
}

/* Hi-hat: high-passed noise with a bright band-pass edge. `n->gate` is the
 * total length (an open hat is choked before the next hit); `decay_s` the
 * exponential time constant. */
void mxd_demo_hat(float *buf, int64_t frames, const mxd_demo_note *n, double decay_s)
{
	const double dur = n->gate;
	int64_t i0, i1, s = span(n->t0, dur, frames, &i0, &i1);
	mxd_demo_rng rng;
	mxd_demo_rng_seed(&rng, n->seed);
	svf hpf, bpf;
	svf_init(&hpf, 7000.0, 0.8);
	svf_init(&bpf, 10500.0, 1.5);
	for (int64_t i = i0; i < i1; i++) {
		double t = (double)(i - s) / SR;
		double w = mxd_demo_rng_bi(&rng), hp, bp;
		svf_tick(&hpf, w, NULL, NULL, &hp);
		svf_tick(&bpf, hp, NULL, &bp, NULL);
		double v = (0.7 * hp + 0.6 * bp) * exp(-t / decay_s);
		buf[i] += (float)(n->vel * v * edges(t, dur, 0.0003, dur * 0.2));
	}
}

/* Crash cymbal: long high-passed noise wash; `n->gate` is the total length. */
void mxd_demo_crash(float *buf, int64_t frames, const mxd_demo_note *n)
{
	const double dur = n->gate;
	int64_t i0, i1, s = span(n->t0, dur, frames, &i0, &i1);
	mxd_demo_rng rng;
	mxd_demo_rng_seed(&rng, n->seed);
	svf hpf, bpf;
	svf_init(&hpf, 3500.0, 0.7);
	svf_init(&bpf, 6000.0, 0.9);
	for (int64_t i = i0; i < i1; i++) {
		double t = (double)(i - s) / SR;
		double w = mxd_demo_rng_bi(&rng), hp, bp;
		svf_tick(&hpf, w, NULL, NULL, &hp);
		svf_tick(&bpf, hp, NULL, &bp, NULL);
		double v = (0.6 * hp + 0.5 * bp) * exp(-t / 0.7);
		buf[i] += (float)(n->vel * v * edges(t, dur, 0.001, 0.5));
	}
}

/* ---------------------------------------------------------- pitched voices */

/* Bass: polyBLEP saw plus a sine sub through a resonant low-pass whose
 * cutoff snaps open with velocity and closes over ~90 ms. Mono. */
void mxd_demo_bass(float *buf, int64_t frames, const mxd_demo_note *n)
{
	const double rel = 0.05;
	int64_t i0, i1, s = span(n->t0, n->gate + rel, frames, &i0, &i1);
	double dt = n->freq / SR, ph = 0.0;
	svf lp;
	svf_init(&lp, 1000.0, 0.9);
	for (int64_t i = i0; i < i1; i++) {
		double t = (double)(i - s) / SR;
		if (((i - s) & 15) == 0)
			svf_set(&lp, 140.0 + 1100.0 * n->vel * exp(-t / 0.09), 0.9);
		double osc = 0.55 * saw(ph, dt) + 0.6 * sin(TWO_PI * ph);
		double y;
		svf_tick(&lp, osc, &y, NULL, NULL);
		double env = adsr(t, n->gate, 0.004, 0.25, 0.75, rel);
		buf[i] += (float)(n->vel * tanh(1.3 * y) * env);
		ph = wrap(ph + dt);
	}
}

/* Electric piano: two-operator FM (1:1, index decaying with time) plus a
 * short 14:1 "tine" partial, constant-power panned, with a tempo-synced
 * auto-pan (tremolo in opposite phase on L and R). Interleaved stereo. */
void mxd_demo_epiano(float *buf2, int64_t frames, const mxd_demo_note *n)
{
	const double rel = 0.3, trem_hz = MXD_DEMO_BPM / 60.0 * 2.0; /* 8th notes */
	int64_t i0, i1, s = span(n->t0, n->gate + rel, frames, &i0, &i1);
	double th = (n->pan + 1.0) * PI / 4.0, gl = cos(th), gr = sin(th);
	for (int64_t i = i0; i < i1; i++) {
		double t = (double)(i - s) / SR, tabs = (double)i / SR;
		double index = n->vel * (1.6 * exp(-t / 0.5) + 0.25);
		double pc = TWO_PI * n->freq * t;
		double v = sin(pc + index * sin(pc));
		v += 0.12 * n->vel * sin(14.0 * pc) * exp(-t / 0.025);
		v *= n->vel * adsr(t, n->gate, 0.002, 1.1, 0.15, rel);
		double trem = 0.22 * sin(TWO_PI * trem_hz * tabs);
		buf2[2 * i] += (float)(v * gl * (1.0 + trem));
		buf2[2 * i + 1] += (float)(v * gr * (1.0 - trem));
	}
}

/* Pad: three detuned polyBLEP saws per side (different detunes on L and R
 * give the width), each side through a slowly swept low-pass; slow attack,
 * long release. Interleaved stereo. */
void mxd_demo_pad(float *buf2, int64_t frames, const mxd_demo_note *n)
{
	static const double cents[2][3] = { { -11.0, -2.0, 7.0 }, { -7.0, 3.0, 12.0 } };
	const double att = 0.9, rel = 1.3;
	int64_t i0, i1, s = span(n->t0, n->gate + rel, frames, &i0, &i1);
	mxd_demo_rng rng;
	mxd_demo_rng_seed(&rng, n->seed);
	double ph[2][3], dt[2][3];
	svf lp[2];
	for (int c = 0; c < 2; c++) {
		for (int k = 0; k < 3; k++) {
			ph[c][k] = mxd_demo_rng_uni(&rng);
			dt[c][k] = n->freq * pow(2.0, cents[c][k] / 1200.0) / SR;
		}
		svf_init(&lp[c], 1500.0, 0.8);
	}
	for (int64_t i = i0; i < i1; i++) {
		double t = (double)(i - s) / SR, tabs = (double)i / SR;
		double env = n->vel * adsr(t, n->gate, att, 1.0, 1.0, rel) / 3.0;
		for (int c = 0; c < 2; c++) {
			if (((i - s) & 31) == 0)
				svf_set(&lp[c], 1500.0 + 600.0 * sin(TWO_PI * 0.11 * tabs + 1.7 * c), 0.8);
			double x = 0.0;
			for (int k = 0; k < 3; k++) {
				x += saw(ph[c][k], dt[c][k]);
				ph[c][k] = wrap(ph[c][k] + dt[c][k]);
			}
			double y;
			svf_tick(&lp[c], x, &y, NULL, NULL);
			buf2[2 * i + c] += (float)(y * env);
		}
	}
}

/* Lead: square + saw (shared phase) through an envelope-swept low-pass that
 * tracks the pitch; delayed vibrato (0.45 %, 5.3 Hz) only on notes held
 * >= 0.8 s, starting 0.35 s into the note. Mono. */
void mxd_demo_lead(float *buf, int64_t frames, const mxd_demo_note *n)
{
	const double rel = 0.12;
	int64_t i0, i1, s = span(n->t0, n->gate + rel, frames, &i0, &i1);
	double ph = 0.0;
	int vib = n->gate >= 0.8;
	svf lp;
	svf_init(&lp, n->freq * 7.5, 0.9);
	for (int64_t i = i0; i < i1; i++) {
		double t = (double)(i - s) / SR;
		double f = n->freq;
		if (vib)
			f *= 1.0 + 0.0045 * ramp(t - 0.35, 0.3) * sin(TWO_PI * 5.3 * t);
		double dt = f / SR;
		if (((i - s) & 15) == 0)
			svf_set(&lp, n->freq * (2.5 + 5.0 * exp(-t / 0.18)), 0.9);
		double osc = 0.6 * square(ph, dt) + 0.35 * saw(ph, dt);
		double y;
		svf_tick(&lp, osc, &y, NULL, NULL);
		buf[i] += (float)(n->vel * y * adsr(t, n->gate, 0.006, 0.35, 0.7, rel));
		ph = wrap(ph + dt);
	}
}
