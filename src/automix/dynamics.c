/* mixdown — automix stages: dynamics (issue 7, item 6): a gate where bleed is
 * measured, a compressor per track from its measured dynamics, a de-esser on
 * sibilant vocals and a glue compressor on the drum bus.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * All levels are "staged": the measured level plus the clip gain, i.e. what
 * the processors see (inserts come after the clip gain, before the fader).
 *
 * Gate (mxa_stage_gate, runs before the EQ so it keys on the full signal):
 * only on close drum mics (kick, snare, toms), only when bleed is measured:
 * the track's noise floor (RMS of its quietest 2 % of 50 ms blocks, digital
 * silence excluded) lies within BLEED_DB (35 dB) of its sample peak - a clean
 * or synthetic drum track decays to far below that. The gate opens at the
 * floor + 12 dB (noise's peaks sit ~10 dB over its RMS), and only when that is
 * still 20 dB under the hits; otherwise bleed and hits are not separable by
 * level and no gate is set (a note says so). Range 15 dB: bleed turned down,
 * not cut off. Attack 0.5 ms, hold 50 ms, release 150 ms (toms 300 ms: they
 * ring). Our rules.
 *
 * Compressor (mxa_stage_dynamics): time constants and ratio per stem class
 * from FxNorm-Automix (Martinez-Ramirez et al., ICASSP 2022; its effect
 * normalisation, ../shared/docs/mixing-knowledge.md): vocals 7.5 ms / 400 ms
 * ratio 4; drums 10 / 180 ms ratio 6; bass 10 / 500 ms ratio 5; everything
 * else 15 / 666 ms ratio 4. Whether and how much follows the measured
 * dynamics (crest factor, loudness range; Maddams et al. drive compressors by
 * loudness and loudness range, Moffat's autocomp by crest factor): a track
 * with crest factor < 10 dB and loudness range < 5 LU is already even and is
 * left alone; otherwise the wanted reduction on the peaks is
 * G = 2 + (crest - 10)/4 + max(0, LRA - 5)/4 dB, clamped to 2..5 dB, and the
 * threshold is set so the staged peak is reduced by G:
 * threshold = peak - G / (1 - 1/ratio); the comment gives it relative to the
 * track's loudness. Soft knee 6 dB, peak detector. Make-up = G/2 (half the
 * peak reduction is our estimate of the loudness lost), so the balance
 * stage's faders stay right within a fraction of a LU (measured in
 * test_automix). Music beds and effects are not compressed.
 *
 * De-esser: on lead/backing vocals and dialogue when the analysis measured
 * harsh sibilance (stretches where 5-10 kHz stands out). Band at 7 kHz (the
 * geometric middle of 5-10 kHz), threshold = the staged loudness (the band's
 * sample peak reaches the track's loudness only in strong sibilants; a
 * voice's 5-10 kHz band normally sits well under it), range 6 dB. Our rule.
 *
 * Drum bus: with two or more drum tracks, a glue compressor on the Drums bus:
 * ratio 2, attack 30 ms (lets the hits through), release 300 ms, knee 6 dB,
 * threshold 4 dB under the estimated bus peak (the loudest drum track's peak
 * after clip gain, fader and the -3 dB centre pan law of mono strips), so
 * the peaks lose about 2 dB; make-up 1 dB. Common engineering practice; our
 * numbers.
 *
 * Units: dB, dBFS, ms. Control thread only.
 */
#include <math.h>
#include <stdio.h>

#include "automix/automix.h"

#define BLEED_DB 35.0
#define GATE_OVER_FLOOR_DB 12.0
#define GATE_UNDER_HITS_DB 20.0
#define CREST_EVEN_DB 10.0
#define LRA_EVEN_LU 5.0

static double clampd(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

static bool is_close_drum(mxa_role r)
{
	return r == MXA_KICK || r == MXA_SNARE || r == MXA_TOMS;
}

void mxa_stage_gate(mxa_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		mxa_track *t = &p->t[i];
		if (!is_close_drum(t->role) || !t->a)
			continue;
		double floor = t->a->problems.noise_floor, peak = t->peak;
		if (!isfinite(floor) || !isfinite(peak) || floor < peak - BLEED_DB)
			continue; /* no bleed measured */
		double thr = mxa_round1(floor + GATE_OVER_FLOOR_DB + t->clip_gain);
		if (thr > peak + t->clip_gain - GATE_UNDER_HITS_DB) {
			mxa_note(p, "\"%.60s\": bleed %.1f dB under the hits is too close to separate; no gate", t->name,
				 peak - floor);
			continue;
		}
		double release = t->role == MXA_TOMS ? 300.0 : 150.0;
		char yaml[480], reason[MXA_REASON];
		snprintf(yaml, sizeof yaml,
			 "{ type: gate, threshold: %.1f, range: 15, attack: 0.5, hold: 50, release: %.0f, hysteresis: 4 }",
			 thr, release);
		snprintf(reason, sizeof reason,
			 "gate at %.1f dB: bleed measured (noise floor %.1f dBFS, only %.1f dB under the hits); opens 12 dB "
			 "over the floor, turns bleed down 15 dB",
			 thr, floor + t->clip_gain, peak - floor);
		mxa_track_add_insert(t, yaml, reason);
	}
}

typedef struct {
	const char *cls;
	double attack, release, ratio;
} comp_class;

/* FxNorm-Automix per-stem compressor settings (mixing-knowledge.md). */
static comp_class class_of(mxa_role r)
{
	switch (mxa_role_group(r)) {
	case MXA_G_VOCALS:
	case MXA_G_DIALOGUE:
		return (comp_class){ "vocals", 7.5, 400, 4 };
	case MXA_G_DRUMS:
		return (comp_class){ "drums", 10, 180, 6 };
	case MXA_G_BASS:
		return (comp_class){ "bass", 10, 500, 5 };
	default:
		return (comp_class){ "other", 15, 666, 4 };
	}
}

static void compressor(mxa_track *t)
{
	if (!t->a || t->role == MXA_MUSIC_BED || t->role == MXA_EFFECTS)
		return;
	double crest = t->a->dynamics.crest_factor, lra = t->a->loudness.range;
	if (!isfinite(crest))
		return;
	if (!isfinite(lra))
		lra = 0;
	if (crest < CREST_EVEN_DB && lra < LRA_EVEN_LU)
		return; /* already even */
	comp_class c = class_of(t->role);
	double g = clampd(2.0 + (crest - CREST_EVEN_DB) / 4.0 + fmax(0.0, lra - LRA_EVEN_LU) / 4.0, 2.0, 5.0);
	double peak = t->peak + t->clip_gain, loud = t->loudness + t->clip_gain;
	double thr = mxa_round1(clampd(peak - g / (1.0 - 1.0 / c.ratio), -60.0, 0.0));
	double makeup = mxa_round1(g / 2.0);
	char yaml[480], reason[MXA_REASON];
	snprintf(yaml, sizeof yaml,
		 "{ type: compressor, threshold: %.1f, ratio: %.0f, attack: %g, release: %.0f, knee: 6, makeup: %.1f }",
		 thr, c.ratio, c.attack, c.release, makeup);
	snprintf(reason, sizeof reason,
		 "compressor: crest factor %.1f dB, loudness range %.1f LU -> about %.1f dB off the peaks; threshold "
		 "%.1f dB (loudness %+.1f dB); %g/%.0f ms ratio %.0f: FxNorm %s settings",
		 crest, lra, g, thr, thr - loud, c.attack, c.release, c.ratio, c.cls);
	mxa_track_add_insert(t, yaml, reason);
}

static void deesser(mxa_track *t)
{
	mxa_group g = mxa_role_group(t->role);
	if (!t->a || (g != MXA_G_VOCALS && g != MXA_G_DIALOGUE) || t->a->spectrum.n_sibilance == 0)
		return;
	double worst = -INFINITY;
	for (size_t k = 0; k < t->a->spectrum.n_sibilance; k++)
		worst = fmax(worst, t->a->spectrum.sibilance[k].peak);
	double thr = mxa_round1(clampd(t->loudness + t->clip_gain, -60.0, 0.0));
	char yaml[480], reason[MXA_REASON];
	snprintf(yaml, sizeof yaml, "{ type: deesser, frequency: 7000, threshold: %.1f, range: 6 }", thr);
	snprintf(reason, sizeof reason,
		 "de-esser: harsh sibilance measured (%zu stretch%s, 5-10 kHz up to %+.1f dB); threshold at the "
		 "track's loudness",
		 t->a->spectrum.n_sibilance, t->a->spectrum.n_sibilance == 1 ? "" : "es", worst);
	mxa_track_add_insert(t, yaml, reason);
}

static void drum_bus(mxa_plan *p)
{
	size_t n = 0;
	double peak = -INFINITY;
	for (size_t i = 0; i < p->n; i++) {
		const mxa_track *t = &p->t[i];
		if (mxa_role_group(t->role) != MXA_G_DRUMS)
			continue;
		n++;
		double law = t->channels == 1 || t->dual_mono ? -3.0 : 0.0;
		peak = fmax(peak, t->peak + t->clip_gain + t->fader + law);
	}
	if (n < 2 || !isfinite(peak))
		return;
	double thr = mxa_round1(clampd(peak - 4.0, -60.0, 0.0));
	char yaml[480], reason[MXA_REASON];
	snprintf(yaml, sizeof yaml,
		 "{ type: compressor, threshold: %.1f, ratio: 2, attack: 30, release: 300, knee: 6, makeup: 1 }", thr);
	snprintf(reason, sizeof reason,
		 "glue: %zu drum tracks; threshold 4 dB under the estimated bus peak (%.1f dBFS), ratio 2, slow "
		 "attack lets the hits through: about 2 dB on the peaks",
		 n, peak);
	mxa_plan_add_bus_insert(p, MXA_G_DRUMS, yaml, reason);
}

void mxa_stage_dynamics(mxa_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		compressor(&p->t[i]);
		deesser(&p->t[i]);
	}
	drum_bus(p);
}
