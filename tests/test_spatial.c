/* mixdown — tests of spatial panning: VBAP (speaker directions, energy on a
 * sphere grid, continuity, spread, distance, the virtual top speaker), the
 * surround bed panner, layout sessions rendered through the engine (objects,
 * automated and LFO-driven motion, the LFE send and its low-pass) and the
 * session errors of the spatial keys.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx/processor.h"
#include "harness.h"
#include "mixdown/mixdown.h"
#include "spatial/layout.h"
#include "spatial/surround.h"
#include "spatial/vbap.h"
#include "util.h"

#define RATE 48000
#define STEP_BOUND 0.01 /* largest gain change for a 0.1° move (measured max 0.0063, 5.1.4) */
#include "spatial_util.h" /* needs RATE */

static bool asan(void)
{
	const char *a = getenv("MXT_ASAN");
	return a && *a && strcmp(a, "0") != 0;
}

static double energy(const mxd_layout *l, const double *g)
{
	double e = 0;
	for (uint32_t c = 0; c < l->channels; c++)
		e += g[c] * g[c];
	return e;
}

/* ------------------------------------------------------------------- VBAP */

static void t_vbap_speaker_directions(void)
{
	for (int id = 0; id < MXD_LAYOUT_COUNT; id++) {
		const mxd_layout *l = mxd_layout_get((mxd_layout_id)id);
		mxd_vbap v;
		CHECK_INT(mxd_vbap_init(&v, l), 0);
		for (uint32_t c = 0; c < l->channels; c++) {
			if ((int)c == l->lfe)
				continue;
			double g[MXD_MAX_CHANNELS];
			mxd_vbap_point(&v, l->speakers[c].azimuth_deg, l->speakers[c].elevation_deg, g);
			CHECK_NEAR(g[c], 1.0, 1e-9);
			for (uint32_t o = 0; o < l->channels; o++)
				if (o != c)
					CHECK_MSG(fabs(g[o]) < 1e-6, "%s: source at %s leaks %g into %s", l->name,
						  l->speakers[c].label, g[o], l->speakers[o].label);
		}
	}
}

static void t_vbap_energy_grid(void)
{
	for (int id = 0; id < MXD_LAYOUT_COUNT; id++) {
		const mxd_layout *l = mxd_layout_get((mxd_layout_id)id);
		mxd_vbap v;
		CHECK_INT(mxd_vbap_init(&v, l), 0);
		double worst = 0, most_negative = 0, lfe_max = 0;
		for (int el = -90; el <= 90; el += 5)
			for (int az = -180; az <= 180; az += 5) {
				double g[MXD_MAX_CHANNELS];
				mxd_vbap_point(&v, az, el, g);
				worst = fmax(worst, fabs(energy(l, g) - 1.0));
				for (uint32_t c = 0; c < l->channels; c++)
					most_negative = fmin(most_negative, g[c]);
				if (l->lfe >= 0)
					lfe_max = fmax(lfe_max, fabs(g[l->lfe]));
			}
		CHECK_MSG(worst <= 1e-9, "%s: sum of squares off by %g", l->name, worst);
		CHECK(most_negative >= 0.0);
		CHECK(lfe_max == 0.0);
	}
}

/* Azimuth swept in 0.1° steps at every elevation (5° apart), and elevation
 * swept in 0.1° steps at every azimuth (15° apart): no gain jumps. */
static void t_vbap_moving_source_continuous(void)
{
	int el_step = asan() ? 15 : 5;
	for (int id = 0; id < MXD_LAYOUT_COUNT; id++) {
		const mxd_layout *l = mxd_layout_get((mxd_layout_id)id);
		mxd_vbap v;
		CHECK_INT(mxd_vbap_init(&v, l), 0);
		double worst = 0, prev[MXD_MAX_CHANNELS], g[MXD_MAX_CHANNELS];
		for (int el = -90; el <= 90; el += el_step) {
			mxd_vbap_point(&v, -180, el, prev);
			for (int k = 1; k <= 3600; k++) {
				mxd_vbap_point(&v, -180 + 0.1 * k, el, g);
				for (uint32_t c = 0; c < l->channels; c++) {
					worst = fmax(worst, fabs(g[c] - prev[c]));
					prev[c] = g[c];
				}
			}
		}
		for (int az = -180; az < 180; az += 15) {
			mxd_vbap_point(&v, az, -10, prev);
			for (int k = 1; k <= 1000; k++) {
				mxd_vbap_point(&v, az, -10 + 0.1 * k, g);
				for (uint32_t c = 0; c < l->channels; c++) {
					worst = fmax(worst, fabs(g[c] - prev[c]));
					prev[c] = g[c];
				}
			}
		}
		printf("# %s: largest gain step per 0.1 deg %.5f\n", l->name, worst);
		CHECK_MSG(worst < STEP_BOUND, "%s: gain step %g", l->name, worst);
	}
}

static void t_vbap_above_top_layer(void)
{
	const mxd_layout *l = mxd_layout_find("5.1.4");
	mxd_vbap v;
	CHECK_INT(mxd_vbap_init(&v, l), 0);
	double g[MXD_MAX_CHANNELS];
	/* straight up: the virtual top speaker, spread evenly over the four tops */
	mxd_vbap_point(&v, 37, 90, g);
	for (uint32_t c = 6; c < 10; c++)
		CHECK_NEAR(g[c], 0.5, 1e-9);
	for (uint32_t c = 0; c < 6; c++)
		CHECK(g[c] < 1e-9);
	/* between the top layer and the zenith: the tops only, the front pair louder */
	mxd_vbap_point(&v, 0, 60, g);
	CHECK(g[6] > g[8] + 0.1 && g[7] > g[9] + 0.1);
	CHECK_NEAR(g[6], g[7], 1e-12);
	CHECK(g[0] < 1e-9 && g[2] < 1e-9);
	/* between the layers at the front: C below, Ltf/Rtf above */
	mxd_vbap_point(&v, 0, 15, g);
	CHECK(g[2] > 0.5 && g[6] > 0.2 && g[7] > 0.2);
	/* below ear height folds to the ring */
	double h[MXD_MAX_CHANNELS];
	mxd_vbap_point(&v, 110, -40, g);
	mxd_vbap_point(&v, 110, 0, h);
	for (uint32_t c = 0; c < l->channels; c++)
		CHECK_NEAR(g[c], h[c], 1e-12);
	CHECK_NEAR(g[5], 1.0, 1e-9);
	/* left/right symmetry behind the listener (the coplanar Ls Rs Ltr Rtr face) */
	mxd_vbap_point(&v, 180, 15, g);
	CHECK_NEAR(g[4], g[5], 1e-12);
	CHECK_NEAR(g[8], g[9], 1e-12);
	CHECK(g[4] > 0.1 && g[8] > 0.1);
}

static void t_vbap_layouts_without_height(void)
{
	mxd_vbap v;
	double g[MXD_MAX_CHANNELS], h[MXD_MAX_CHANNELS];
	/* 5.1: elevation is dropped */
	CHECK_INT(mxd_vbap_init(&v, mxd_layout_find("5.1")), 0);
	mxd_vbap_point(&v, -70, 50, g);
	mxd_vbap_point(&v, -70, 0, h);
	for (int c = 0; c < 6; c++)
		CHECK_NEAR(g[c], h[c], 1e-12);
	CHECK(g[0] > 0.5 && g[4] > 0.5); /* between L (-30) and Ls (-110) */
	/* 5.1 behind: Ls/Rs share it */
	mxd_vbap_point(&v, 180, 0, g);
	CHECK_NEAR(g[4], M_SQRT1_2, 1e-9);
	CHECK_NEAR(g[5], M_SQRT1_2, 1e-9);
	/* stereo: the rear half folds to the front, beyond ±30° stays in one speaker */
	CHECK_INT(mxd_vbap_init(&v, mxd_layout_find("stereo")), 0);
	mxd_vbap_point(&v, 0, 0, g);
	CHECK_NEAR(g[0], M_SQRT1_2, 1e-12);
	CHECK_NEAR(g[1], M_SQRT1_2, 1e-12);
	mxd_vbap_point(&v, 165, 0, g);
	mxd_vbap_point(&v, 15, 0, h);
	CHECK_NEAR(g[0], h[0], 1e-12);
	CHECK_NEAR(g[1], h[1], 1e-12);
	CHECK(h[1] > h[0]);
	mxd_vbap_point(&v, -90, 0, g);
	CHECK_NEAR(g[0], 1.0, 1e-12);
	CHECK_NEAR(g[1], 0.0, 1e-12);
	/* mono: everything to C */
	CHECK_INT(mxd_vbap_init(&v, mxd_layout_find("mono")), 0);
	mxd_vbap_spread(&v, 123, 45, 90, g);
	CHECK_NEAR(g[0], 1.0, 1e-12);
}

static void t_vbap_spread(void)
{
	for (int id = 0; id < MXD_LAYOUT_COUNT; id++) {
		const mxd_layout *l = mxd_layout_get((mxd_layout_id)id);
		if (l->channels < 6)
			continue;
		mxd_vbap v;
		CHECK_INT(mxd_vbap_init(&v, l), 0);
		double p[MXD_MAX_CHANNELS], s0[MXD_MAX_CHANNELS], s60[MXD_MAX_CHANNELS], s180[MXD_MAX_CHANNELS];
		mxd_vbap_point(&v, 0, 0, p);
		mxd_vbap_spread(&v, 0, 0, 0, s0);
		mxd_vbap_spread(&v, 0, 0, 60, s60);
		mxd_vbap_spread(&v, 0, 0, 180, s180);
		for (uint32_t c = 0; c < l->channels; c++)
			CHECK_NEAR(s0[c], p[c], 1e-15); /* spread 0 is the point source */
		CHECK_NEAR(s0[2], 1.0, 1e-9);     /* C alone */
		CHECK_NEAR(energy(l, s60), 1.0, 1e-9);
		CHECK_NEAR(energy(l, s180), 1.0, 1e-9);
		/* a size: the neighbours L and R join, symmetrically; wider = more even */
		CHECK(s60[0] > 0.2 && s60[2] > s60[0]);
		CHECK_NEAR(s60[0], s60[1], 1e-9);
		CHECK(s180[2] < s60[2] - 0.02);
		if (l->lfe >= 0)
			CHECK(s180[l->lfe] == 0.0);
		/* energy on a coarse grid with spread 90 */
		double worst = 0;
		for (int el = -60; el <= 90; el += 30)
			for (int az = -180; az < 180; az += 30) {
				double g[MXD_MAX_CHANNELS];
				mxd_vbap_spread(&v, az, el, 90, g);
				worst = fmax(worst, fabs(energy(l, g) - 1.0));
			}
		CHECK(worst < 1e-9);
	}
}

static void t_vbap_distance_law(void)
{
	CHECK_NEAR(mxd_vbap_distance_gain(1.0), 1.0, 0);
	CHECK_NEAR(mxd_vbap_distance_gain(0.2), 1.0, 0); /* no near-field boost */
	CHECK_NEAR(20 * log10(mxd_vbap_distance_gain(2.0)), -6.0206, 1e-4);
	CHECK_NEAR(20 * log10(mxd_vbap_distance_gain(8.0)), -18.0618, 1e-4);
}

/* --------------------------------------------------------------- surround */

static void t_surround_bed(void)
{
	mxd_vbap v;
	double g[MXD_MAX_CHANNELS];
	CHECK_INT(mxd_vbap_init(&v, mxd_layout_find("5.1.4")), 0);
	const mxd_layout *l = v.layout;
	struct { double x, y, z; int only; } at[] = {
		{ 0, 1, 0, 2 },           /* front wall centre: C */
		{ -1, 1, 0, 0 },          /* front-left corner: L */
		{ 1, 1, 0, 1 },           /* R */
		{ 1, 1 - 80.0 / 60, 0, 5 }, /* right wall at 110°: Rs */
		{ -1, 1, 1, 6 },          /* up in the front-left corner: Ltf */
	};
	for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
		mxd_surround_gains(&v, at[k].x, at[k].y, at[k].z, g);
		for (uint32_t c = 0; c < l->channels; c++)
			CHECK_NEAR(g[c], (int)c == at[k].only ? 1.0 : 0.0, 1e-6);
	}
	/* the middle of the room at ear height: every ear-height speaker equally */
	mxd_surround_gains(&v, 0, 0, 0, g);
	for (uint32_t c = 0; c < 6; c++)
		if ((int)c != l->lfe)
			CHECK_NEAR(g[c], 1 / sqrt(5.0), 1e-9);
	for (uint32_t c = 6; c < 10; c++)
		CHECK(g[c] == 0.0);
	/* half way up: both layers, left/right symmetric */
	mxd_surround_gains(&v, 0, 0.5, 0.5, g);
	CHECK_NEAR(g[0], g[1], 1e-9);
	CHECK_NEAR(g[4], g[5], 1e-9);
	CHECK_NEAR(g[8], g[9], 1e-9);
	CHECK(g[2] > g[4] && g[6] > g[8] && g[8] > 0.05 && g[4] > 0.05);
	/* energy on a box grid, and continuity along x */
	double worst = 0, step = 0, prev[MXD_MAX_CHANNELS];
	for (int zi = 0; zi <= 2; zi++)
		for (int yi = -4; yi <= 4; yi++) {
			mxd_surround_gains(&v, -1, yi / 4.0, zi / 2.0, prev);
			for (int xi = 1; xi <= 200; xi++) {
				mxd_surround_gains(&v, -1 + xi / 100.0, yi / 4.0, zi / 2.0, g);
				worst = fmax(worst, fabs(energy(l, g) - 1.0));
				for (uint32_t c = 0; c < l->channels; c++) {
					step = fmax(step, fabs(g[c] - prev[c]));
					prev[c] = g[c];
				}
			}
		}
	printf("# surround: largest gain step per 0.01 of x %.4f\n", step);
	CHECK(worst < 1e-9);
	CHECK(step < 0.05);
}

/* ---------------------------------------------------------- rendered sessions */

static void t_object_at_rs_only(void)
{
	const char *dir = mxt_tempdir();
	tone_file(dir, "tone.wav", 440, 0.5, 0.5);
	uint32_t nc = 0;
	float **o = render(dir,
			   "layout: 5.1.4\n"
			   "tracks:\n"
			   "  - name: obj\n"
			   "    file: tone.wav\n"
			   "    object: { azimuth: 110, elevation: 0 }\n",
			   RATE / 2, &nc);
	if (!o)
		return;
	CHECK_INT(nc, 10);
	for (uint32_t c = 0; c < nc; c++)
		if (c != 5)
			CHECK_MSG(peak(o[c], RATE / 2) < 1e-6, "channel %u peak %g", c, peak(o[c], RATE / 2));
	CHECK_NEAR(peak(o[5], RATE / 2), 0.5, 1e-3); /* unity: the whole source in Rs */
	release(o);
}

/* Distance as an overall gain; a stereo object with spread 60 at azimuth 0
 * is a stereo track on L/R; a plain mono pan stays between L and R. */
static void t_layout_sources(void)
{
	const char *dir = mxt_tempdir();
	tone_file(dir, "tone.wav", 440, 0.5, 0.25);
	int64_t n = RATE / 4;
	float *st = malloc((size_t)n * 2 * sizeof *st);
	for (int64_t i = 0; i < n; i++) {
		st[2 * i] = (float)(0.4 * sin(2 * M_PI * 300 * i / RATE));
		st[2 * i + 1] = (float)(0.3 * sin(2 * M_PI * 500 * i / RATE));
	}
	CHECK_INT(mxt_write_audio(mxt_path(dir, "st.wav"), st, n, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	uint32_t nc = 0;
	float **far = render(dir,
			     "layout: 5.1.4\n"
			     "tracks:\n"
			     "  - { name: o, file: tone.wav, object: { azimuth: -110, distance: 2 } }\n",
			     n, &nc);
	float **so = render(dir,
			    "layout: 5.1\n"
			    "tracks:\n"
			    "  - { name: s, file: st.wav, object: { azimuth: 0, spread: 60 } }\n",
			    n, &nc);
	float **mp = render(dir,
			    "layout: 7.1.4\n"
			    "tracks:\n"
			    "  - { name: m, file: tone.wav, pan: -0.5 }\n",
			    n, &nc);
	if (far && so && mp) {
		CHECK_NEAR(peak(far[4], n), 0.25, 1e-3); /* Ls, -6 dB */
		for (int c = 0; c < 10; c++)
			if (c != 4)
				CHECK(peak(far[c], n) < 1e-6);
		double dl = 0, dr = 0;
		for (int64_t i = 0; i < n; i++) {
			dl = fmax(dl, fabs(so[0][i] - st[2 * i]));
			dr = fmax(dr, fabs(so[1][i] - st[2 * i + 1]));
		}
		CHECK(dl < 1e-6 && dr < 1e-6);
		for (int c = 2; c < 6; c++)
			CHECK(peak(so[c], n) < 1e-6);
		double gl = cos(0.25 * M_PI / 2), gr = sin(0.25 * M_PI / 2); /* -3 dB law at pan -0.5 */
		CHECK_NEAR(peak(mp[0], n), 0.5 * gl, 1e-3);
		CHECK_NEAR(peak(mp[1], n), 0.5 * gr, 1e-3);
		for (int c = 2; c < 12; c++)
			CHECK(peak(mp[c], n) < 1e-9);
	}
	free(st);
	release(far);
	release(so);
	release(mp);
}

/* The engine's per-block ramps: an object circling the listener (automation
 * points, each segment the short way round) is no harsher than a static one. */
static void t_object_circling_no_clicks(void)
{
	const char *dir = mxt_tempdir();
	double secs = asan() ? 1.0 : 2.0;
	tone_file(dir, "tone.wav", 100, 0.5, secs);
	int64_t n = (int64_t)(secs * RATE);
	char yaml[1024];
	uint32_t nc = 0;
	snprintf(yaml, sizeof yaml,
		 "layout: 7.1.4\n"
		 "tracks:\n"
		 "  - name: pad\n"
		 "    file: tone.wav\n"
		 "    object: { azimuth: 0, elevation: 10 }\n"
		 "    automation:\n"
		 "      object.azimuth: [[0, 0], [%g, 120], [%g, -120], [%g, 0]]\n",
		 secs / 3, 2 * secs / 3, secs);
	float **mv = render(dir, yaml, n, &nc);
	float **st = render(dir,
			    "layout: 7.1.4\n"
			    "tracks:\n"
			    "  - name: pad\n"
			    "    file: tone.wav\n"
			    "    object: { azimuth: 0, elevation: 0 }\n",
			    n, &nc);
	if (!mv || !st) {
		release(mv);
		release(st);
		return;
	}
	double dm = 0, ds = 0;
	for (uint32_t c = 0; c < nc; c++) {
		dm = fmax(dm, max_diff(mv[c], n));
		ds = fmax(ds, max_diff(st[c], n));
	}
	printf("# circling: max sample step %.6f (static %.6f)\n", dm, ds);
	CHECK(dm < 1.05 * ds);
	/* it went round: every ear-height speaker but the LFE carried it */
	for (uint32_t c = 0; c < 8; c++)
		if (c != 3)
			CHECK_MSG(peak(mv[c], n) > 0.2, "channel %u peak %g", c, peak(mv[c], n));
	release(mv);
	release(st);
}

/* 170 -> -170 goes through 180 (behind), not through the front. */
static void t_azimuth_wraps(void)
{
	const char *dir = mxt_tempdir();
	tone_file(dir, "tone.wav", 100, 0.5, 1.0);
	uint32_t nc = 0;
	float **o = render(dir,
			   "layout: 5.1\n"
			   "tracks:\n"
			   "  - name: a\n"
			   "    file: tone.wav\n"
			   "    object: { azimuth: 170 }\n"
			   "    automation:\n"
			   "      object.azimuth: [[0, 170], [1, -170]]\n",
			   RATE, &nc);
	if (!o)
		return;
	CHECK(peak(o[0], RATE) < 1e-6 && peak(o[1], RATE) < 1e-6 && peak(o[2], RATE) < 1e-6);
	/* half way: at 180, Ls and Rs equal */
	CHECK_NEAR(rms_db(o[4], RATE / 2 - 2400, 4800), rms_db(o[5], RATE / 2 - 2400, 4800), 0.3);
	release(o);
}

/* An LFO on the azimuth (depth 180) sweeps the full circle through the lane machinery. */
static void t_azimuth_lfo(void)
{
	const char *dir = mxt_tempdir();
	tone_file(dir, "tone.wav", 100, 0.5, 2.0);
	uint32_t nc = 0;
	int64_t n = 2 * RATE;
	float **o = render(dir,
			   "layout: 5.1\n"
			   "tracks:\n"
			   "  - name: a\n"
			   "    file: tone.wav\n"
			   "    object: { azimuth: 0 }\n"
			   "    automation:\n"
			   "      object.azimuth: { lfo: { shape: sine, rate: 0.5, depth: 180 } }\n",
			   n, &nc);
	if (!o)
		return;
	double d = 0;
	for (uint32_t c = 0; c < nc; c++) {
		d = fmax(d, max_diff(o[c], n));
		if (c != 3)
			CHECK_MSG(peak(o[c], n) > 0.3, "channel %u peak %g", c, peak(o[c], n));
	}
	CHECK(d < 1.05 * 2 * M_PI * 100 / RATE * 0.5);
	release(o);
}

/* A ramp LFO of depth 180 circles the listener continuously: the speakers
 * peak in clockwise order at the times the azimuth passes them, and the wrap
 * from +180 to -180 (at 2 s) is no jump. */
static void t_azimuth_ramp_circles(void)
{
	const char *dir = mxt_tempdir();
	tone_file(dir, "tone.wav", 100, 0.5, 3.0);
	uint32_t nc = 0;
	int64_t n = 3 * RATE;
	float **o = render(dir,
			   "layout: 5.1\n"
			   "tracks:\n"
			   "  - name: a\n"
			   "    file: tone.wav\n"
			   "    object: { azimuth: 0 }\n"
			   "    automation:\n"
			   "      object.azimuth: { lfo: { shape: ramp, rate: 0.5, depth: 180 } }\n",
			   n, &nc);
	if (!o)
		return;
	/* azimuth(t) = -180 + 360 t / 2 s: L R C Ls Rs at -30 30 0 -110 110 degrees. */
	const struct { uint32_t ch; double az; } spk[] = { { 4, -110 }, { 0, -30 }, { 2, 0 }, { 1, 30 }, { 5, 110 } };
	for (size_t k = 0; k < sizeof spk / sizeof spk[0]; k++) {
		int64_t at = (int64_t)((spk[k].az + 180.0) / 360.0 * 2.0 * RATE);
		double own = rms_db(o[spk[k].ch], at - 480, 960);
		for (uint32_t c = 0; c < nc; c++)
			if (c != spk[k].ch && c != 3)
				CHECK_MSG(rms_db(o[c], at - 480, 960) < own - 10, "at %.0f deg channel %u vs %u", spk[k].az,
					  c, spk[k].ch);
	}
	double d = 0;
	for (uint32_t c = 0; c < nc; c++)
		d = fmax(d, max_diff(o[c], n));
	printf("# ramp circling: max sample step %.6f\n", d);
	CHECK(d < 1.05 * 2 * M_PI * 100 / RATE * 0.5);
	release(o);
}

static void t_lfe_send_lowpassed(void)
{
	const char *dir = mxt_tempdir();
	tone_file(dir, "hi.wav", 1000, 0.5, 1.0);
	tone_file(dir, "lo.wav", 40, 0.5, 1.0);
	uint32_t nc = 0;
	float **hi = render(dir,
			    "layout: 5.1\n"
			    "tracks:\n"
			    "  - { name: hi, file: hi.wav, lfe: 0 }\n",
			    RATE, &nc);
	float **lo = render(dir,
			    "layout: 5.1\n"
			    "tracks:\n"
			    "  - { name: lo, file: lo.wav, lfe: -6 }\n",
			    RATE, &nc);
	if (!hi || !lo) {
		release(hi);
		release(lo);
		return;
	}
	double in_db = 20 * log10(0.5 / M_SQRT2);
	double hi_db = rms_db(hi[3], RATE / 2, RATE / 2), lo_db = rms_db(lo[3], RATE / 2, RATE / 2);
	printf("# LFE: 1 kHz at %.1f dB, 40 Hz at %.2f dB re the send\n", hi_db - in_db, lo_db - (in_db - 6));
	CHECK(hi_db - in_db < -40);
	CHECK_NEAR(lo_db - (in_db - 6), 0.0, 0.5);
	/* the track itself still pans centre-less between L and R */
	CHECK_NEAR(rms_db(lo[0], RATE / 2, RATE / 2), in_db - 3.01, 0.05);
	CHECK(peak(lo[2], RATE) < 1e-6);
	release(hi);
	release(lo);
}

/* ------------------------------------------------------------ session errors */

static void t_parse_errors(void)
{
	parse_error("layout: 9.1\n", "s.yaml:1:9", "unknown layout");
	parse_error("channels: 2\nlayout: 5.1\n", "s.yaml:1:11", "conflicts with layout 5.1");
	parse_error("layout: 5.1\ntracks:\n  - name: a\n    object: { azimuth: 200 }\n", "s.yaml:4:24", "azimuth");
	parse_error("layout: 5.1\ntracks:\n  - name: a\n    object: { height: 2 }\n", "s.yaml:4:", "height");
	parse_error("tracks:\n  - name: a\n    lfe: -6\n", "s.yaml:3:5", "no LFE");
	parse_error("channels: 3\ntracks:\n  - name: a\n    object: { azimuth: 20 }\n", "s.yaml:4:5",
		    "needs a speaker layout");
	parse_error("layout: 5.1\ntracks:\n  - name: a\n    surround: { x: 2 }\n", "s.yaml:4:", "x");
	parse_error("layout: 5.1\ntracks:\n  - name: a\n    automation:\n      object.azimuth: [[0, 10]]\n",
		    "s.yaml:5:7", "cannot automate");
	/* what does load */
	const char *ok = "layout: 7.1.4\n"
			 "tracks:\n"
			 "  - name: a\n"
			 "    object: { azimuth: -180, elevation: 45, distance: 2, spread: 30 }\n"
			 "    lfe: -10\n"
			 "  - name: b\n"
			 "    surround: { x: 0.5, y: -1, z: 1 }\n";
	mixdown_session *s = NULL;
	mixdown_error err;
	CHECK_INT(mixdown_session_load_string(ok, strlen(ok), "ok.yaml", NULL, &s, &err), MIXDOWN_SUCCESS);
	if (s)
		CHECK_INT(mixdown_session_channels(s), 12);
	mixdown_session_free(s);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_vbap_speaker_directions),
		MXT(t_vbap_energy_grid),
		MXT(t_vbap_moving_source_continuous),
		MXT(t_vbap_above_top_layer),
		MXT(t_vbap_layouts_without_height),
		MXT(t_vbap_spread),
		MXT(t_vbap_distance_law),
		MXT(t_surround_bed),
		MXT(t_object_at_rs_only),
		MXT(t_layout_sources),
		MXT(t_object_circling_no_clicks),
		MXT(t_azimuth_wraps),
		MXT(t_azimuth_lfo),
		MXT(t_azimuth_ramp_circles),
		MXT(t_lfe_send_lowpassed),
		MXT(t_parse_errors),
	};
	return MXT_RUN(cases);
}
