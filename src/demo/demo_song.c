/* mixdown — the demo song: chords, drum/bass/keys patterns, the melody and
 * the arrangement, rendered one stem at a time.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * 108 bpm, 4/4, A minor: Am - F - C - G (vi-IV-I-V of C major) four times,
 * then a final Am bar. Positions are 16th-note steps within 1-based bars.
 *
 *   bars  1-4   intro      pad + keys; hats come in at bar 3
 *   bars  5-8   verse      full band, lead melody enters (crash on 5)
 *   bars  9-10  break      drums and bass drop out; pad, keys, lead; snare fill into 11
 *   bars 11-16  chorus     full band, busier hats (crash on 11), fill in 16
 *   bar  17     ending     held Am with kick, crash, bass, keys, pad, lead
 *
 * Buffers are caller-owned (see demo_internal.h); this file only adds notes.
 */
#include <math.h>
#include <stdint.h>

#include "demo/demo_internal.h"

const mxd_demo_stem_info mxd_demo_stems[MXD_DEMO_N_STEMS] = {
	[MXD_DEMO_KICK] = { "kick.wav", 1, -3.5 },
	[MXD_DEMO_SNARE] = { "snare.wav", 1, -4.5 },
	[MXD_DEMO_HATS] = { "hats.wav", 1, -6.0 },
	[MXD_DEMO_BASS] = { "bass.wav", 1, -4.0 },
	[MXD_DEMO_KEYS] = { "keys.wav", 2, -5.0 },
	[MXD_DEMO_PAD] = { "pad.wav", 2, -6.0 },
	[MXD_DEMO_LEAD] = { "lead.wav", 1, -4.5 },
};

int64_t mxd_demo_frames(void)
{
	return (int64_t)llround((MXD_DEMO_BARS * MXD_DEMO_BAR_S + MXD_DEMO_TAIL) * MXD_DEMO_RATE);
}

double mxd_demo_bar_time(int bar)
{
	return (bar - 1) * MXD_DEMO_BAR_S;
}

static double step_time(int bar, double step)
{
	return mxd_demo_bar_time(bar) + step * MXD_DEMO_STEP_S;
}

/* Chord of bar `bar` (1-based): 0 = Am, 1 = F, 2 = C, 3 = G. Bar 17 is Am. */
static int chord_of(int bar)
{
	return (bar - 1) % 4;
}

/* Seeds: distinct per stem, bar and step so every hit sounds slightly different
 * yet the same on every run. */
static uint32_t seed_of(int stem, int bar, int step, int voice)
{
	return (uint32_t)(stem * 1000003 + bar * 4099 + step * 131 + voice * 7 + 1);
}

static int in_range(int bar, int first, int last)
{
	return bar >= first && bar <= last;
}

/* Bars where the groove (kick, snare, bass) plays. */
static int groove_bar(int bar)
{
	return in_range(bar, 5, 8) || in_range(bar, 11, 16);
}

/* ------------------------------------------------------------------ drums */

static void render_kick(float *buf, int64_t frames)
{
	static const struct { int step; double vel; } pat[] = { { 0, 1.0 }, { 8, 0.95 }, { 10, 0.7 } };
	for (int bar = 1; bar <= MXD_DEMO_BARS; bar++) {
		if (bar == MXD_DEMO_BARS) {
			mxd_demo_note n = { .t0 = step_time(bar, 0), .vel = 1.0, .seed = seed_of(0, bar, 0, 0) };
			mxd_demo_kick(buf, frames, &n);
			continue;
		}
		if (!groove_bar(bar))
			continue;
		for (size_t k = 0; k < sizeof pat / sizeof pat[0]; k++) {
			mxd_demo_note n = { .t0 = step_time(bar, pat[k].step), .vel = pat[k].vel,
					    .seed = seed_of(0, bar, pat[k].step, 0) };
			mxd_demo_kick(buf, frames, &n);
		}
		if (bar == 8 || bar == 16) { /* push into the next section */
			mxd_demo_note n = { .t0 = step_time(bar, 14), .vel = 0.6, .seed = seed_of(0, bar, 14, 0) };
			mxd_demo_kick(buf, frames, &n);
		}
	}
}

static void snare_hit(float *buf, int64_t frames, int bar, int step, double vel)
{
	mxd_demo_note n = { .t0 = step_time(bar, step), .vel = vel, .seed = seed_of(1, bar, step, 0) };
	mxd_demo_snare(buf, frames, &n);
}

static void render_snare(float *buf, int64_t frames)
{
	for (int bar = 1; bar < MXD_DEMO_BARS; bar++) {
		if (bar == 10) { /* fill out of the break */
			for (int st = 12; st < 16; st++)
				snare_hit(buf, frames, bar, st, 0.4 + 0.15 * (st - 12));
			continue;
		}
		if (!groove_bar(bar))
			continue;
		if (bar == 16) {
			static const struct { int step; double vel; } fill[] = {
				{ 4, 0.9 }, { 10, 0.5 }, { 12, 0.65 }, { 13, 0.75 }, { 14, 0.85 }, { 15, 0.95 },
			};
			for (size_t k = 0; k < sizeof fill / sizeof fill[0]; k++)
				snare_hit(buf, frames, bar, fill[k].step, fill[k].vel);
			continue;
		}
		snare_hit(buf, frames, bar, 4, 0.9);
		snare_hit(buf, frames, bar, 12, 0.9);
		if (bar == 8)
			snare_hit(buf, frames, bar, 15, 0.35); /* ghost note */
	}
}

static void render_hats(float *buf, int64_t frames)
{
	mxd_demo_rng rng;
	mxd_demo_rng_seed(&rng, 0x4a75);
	for (int bar = 1; bar <= MXD_DEMO_BARS; bar++) {
		if (bar == 5 || bar == 11 || bar == MXD_DEMO_BARS) {
			mxd_demo_note c = { .t0 = step_time(bar, 0), .gate = 2.2, .vel = 0.8,
					    .seed = seed_of(2, bar, 0, 1) };
			mxd_demo_crash(buf, frames, &c);
		}
		if (!(in_range(bar, 3, 8) || in_range(bar, 11, 16)))
			continue;
		int sixteenths = bar >= 11;
		for (int st = 0; st < 16; st++) {
			int open = st == 14 && bar % 4 == 0;
			double vel;
			if (st % 4 == 2)
				vel = 0.8;        /* off-beat 8ths lead the groove */
			else if (st % 2 == 0)
				vel = 0.55;
			else if (sixteenths)
				vel = 0.3;        /* ghost 16ths in the chorus */
			else
				continue;
			if (st == 15 && bar % 4 == 0)
				continue;         /* the open hat rings here */
			vel *= 1.0 + 0.08 * mxd_demo_rng_bi(&rng); /* human velocity */
			mxd_demo_note n = { .t0 = step_time(bar, st), .vel = vel,
					    .gate = open ? 2.0 * MXD_DEMO_STEP_S - 0.01 : 0.15,
					    .seed = seed_of(2, bar, st, 0) };
			mxd_demo_hat(buf, frames, &n, open ? 0.2 : 0.028);
		}
	}
}

/* ------------------------------------------------------------------- bass */

static void render_bass(float *buf, int64_t frames)
{
	static const int roots[4] = { 33, 29, 36, 31 }; /* A1 F1 C2 G1 */
	static const struct { int step, len, interval; double vel; } pat[] = {
		{ 0, 3, 0, 1.0 }, { 3, 3, 0, 0.8 }, { 6, 2, 12, 0.85 },
		{ 8, 3, 0, 0.95 }, { 11, 3, 0, 0.8 }, { 14, 2, 7, 0.75 },
	};
	for (int bar = 1; bar <= MXD_DEMO_BARS; bar++) {
		int root = roots[chord_of(bar)];
		if (bar == MXD_DEMO_BARS) {
			mxd_demo_note n = { .t0 = step_time(bar, 0), .gate = 1.6,
					    .freq = mxd_demo_mtof(root), .vel = 1.0 };
			mxd_demo_bass(buf, frames, &n);
			continue;
		}
		if (!groove_bar(bar))
			continue;
		for (size_t k = 0; k < sizeof pat / sizeof pat[0]; k++) {
			mxd_demo_note n = { .t0 = step_time(bar, pat[k].step),
					    .gate = pat[k].len * MXD_DEMO_STEP_S - 0.03,
					    .freq = mxd_demo_mtof(root + pat[k].interval),
					    .vel = pat[k].vel };
			mxd_demo_bass(buf, frames, &n);
		}
	}
}

/* ------------------------------------------------------------ keys and pad */

static void render_keys(float *buf2, int64_t frames)
{
	/* Close voicings that move by step: A3 C4 E4 / A3 C4 F4 / G3 C4 E4 / G3 B3 D4. */
	static const int voicing[4][3] = { { 57, 60, 64 }, { 57, 60, 65 }, { 55, 60, 64 }, { 55, 59, 62 } };
	static const double pans[3] = { -0.35, 0.0, 0.35 };
	static const struct { int step, len; double vel; } comp[] = {
		{ 0, 5, 0.9 }, { 6, 3, 0.7 }, { 10, 5, 0.8 },
	};
	static const struct { int step, len; double vel; } whole[] = { { 0, 15, 0.75 } };
	for (int bar = 1; bar <= MXD_DEMO_BARS; bar++) {
		const int *v = voicing[chord_of(bar)];
		int held = in_range(bar, 9, 10) || bar == MXD_DEMO_BARS;
		size_t nh = held ? 1 : 3;
		for (size_t h = 0; h < nh; h++) {
			int step = held ? whole[0].step : comp[h].step;
			double len = held ? (bar == MXD_DEMO_BARS ? 10 : whole[0].len) : comp[h].len;
			double vel = held ? whole[0].vel : comp[h].vel;
			for (int k = 0; k < 3; k++) {
				mxd_demo_note n = { .t0 = step_time(bar, step) + 0.006 * k, /* slight strum */
						    .gate = len * MXD_DEMO_STEP_S - 0.02,
						    .freq = mxd_demo_mtof(v[k]),
						    .vel = vel * (k == 0 ? 0.9 : 1.0), .pan = pans[k] };
				mxd_demo_epiano(buf2, frames, &n);
			}
		}
	}
}

static void render_pad(float *buf2, int64_t frames)
{
	static const int voicing[4][3] = { { 64, 69, 72 }, { 65, 69, 72 }, { 64, 67, 72 }, { 62, 67, 71 } };
	for (int bar = 1; bar <= MXD_DEMO_BARS; bar++) {
		if (!(in_range(bar, 1, 4) || bar >= 9))
			continue;
		const int *v = voicing[chord_of(bar)];
		double gate = bar == MXD_DEMO_BARS ? 1.2 : MXD_DEMO_BAR_S;
		for (int k = 0; k < 3; k++) {
			mxd_demo_note n = { .t0 = step_time(bar, 0), .gate = gate,
					    .freq = mxd_demo_mtof(v[k]), .vel = 0.8,
					    .seed = seed_of(5, bar, 0, k) };
			mxd_demo_pad(buf2, frames, &n);
		}
	}
}

/* ------------------------------------------------------------------- lead */

typedef struct {
	int bar, step, len, note;
} melody_note;

/* The melody: bars 5-8 statement, 9-12 longer answer over the break, 13-16
 * restatement turning upward, landing on A5 in bar 17. */
static const melody_note melody[] = {
	{ 5, 0, 4, 76 }, { 5, 4, 2, 72 }, { 5, 6, 2, 74 }, { 5, 8, 4, 76 }, { 5, 12, 4, 79 },
	{ 6, 0, 6, 81 }, { 6, 6, 2, 79 }, { 6, 8, 4, 77 }, { 6, 12, 4, 76 },
	{ 7, 0, 4, 76 }, { 7, 4, 2, 74 }, { 7, 6, 2, 72 }, { 7, 8, 6, 79 }, { 7, 14, 2, 76 },
	{ 8, 0, 8, 74 }, { 8, 8, 4, 71 }, { 8, 12, 4, 74 },
	{ 9, 0, 12, 81 }, { 9, 12, 4, 84 },
	{ 10, 0, 8, 81 }, { 10, 8, 8, 77 },
	{ 11, 0, 4, 79 }, { 11, 4, 4, 76 }, { 11, 8, 4, 79 }, { 11, 12, 4, 84 },
	{ 12, 0, 8, 83 }, { 12, 8, 4, 81 }, { 12, 12, 4, 79 },
	{ 13, 0, 4, 76 }, { 13, 4, 2, 72 }, { 13, 6, 2, 74 }, { 13, 8, 4, 76 }, { 13, 12, 4, 79 },
	{ 14, 0, 6, 81 }, { 14, 6, 2, 79 }, { 14, 8, 4, 77 }, { 14, 12, 4, 76 },
	{ 15, 0, 4, 76 }, { 15, 4, 2, 74 }, { 15, 6, 2, 72 }, { 15, 8, 6, 79 }, { 15, 14, 2, 76 },
	{ 16, 0, 6, 74 }, { 16, 6, 2, 76 }, { 16, 8, 6, 79 }, { 16, 14, 2, 83 },
	{ 17, 0, 10, 81 },
};

static void render_lead(float *buf, int64_t frames)
{
	for (size_t k = 0; k < sizeof melody / sizeof melody[0]; k++) {
		const melody_note *m = &melody[k];
		mxd_demo_note n = { .t0 = step_time(m->bar, m->step),
				    .gate = m->len * MXD_DEMO_STEP_S - 0.04,
				    .freq = mxd_demo_mtof(m->note),
				    .vel = m->step % 4 == 0 ? 0.9 : 0.8 };
		mxd_demo_lead(buf, frames, &n);
	}
}

int mxd_demo_render(mxd_demo_stem stem, float *buf, int64_t frames)
{
	switch (stem) {
	case MXD_DEMO_KICK: render_kick(buf, frames); break;
	case MXD_DEMO_SNARE: render_snare(buf, frames); break;
	case MXD_DEMO_HATS: render_hats(buf, frames); break;
	case MXD_DEMO_BASS: render_bass(buf, frames); break;
	case MXD_DEMO_KEYS: render_keys(buf, frames); break;
	case MXD_DEMO_PAD: render_pad(buf, frames); break;
	case MXD_DEMO_LEAD: render_lead(buf, frames); break;
	default: break;
	}
	return 0;
}
