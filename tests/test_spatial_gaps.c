/* mixdown — tests of the spatial follow-ups of issue 11: `surround:` beds on
 * buses, the session's `export: downmix:` fold-downs, layout-aware BS.1770
 * weights in the mastering pass and the player's meter, binaural `spread`
 * and the binaural distance cues.
 * Units: linear sample values, dB, LUFS; 48 kHz test signals.
 * Single-threaded test program (tests/harness.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <ebur128.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fx/processor.h"
#include "harness.h"
#include "mixdown/mixdown.h"
#include "realtime/rt_loudness.h"
#include "spatial/hrtf.h"
#include "spatial/layout.h"
#include "util.h"

#define RATE 48000

#include "spatial_util.h"

/* ------------------------------------------------------------ beds on buses */

/* A track panned hard left into a 5.1 bus placed as a bed on the side walls
 * (y = -1/3 is ±110°, Ls/Rs): the bus's left lands in Ls alone. Collapsing
 * the bus to one point (the old mono fold) would light up Rs and the fronts. */
static void t_bus_surround_bed(void)
{
	const char *dir = mxt_tempdir();
	tone_file(dir, "tone.wav", 440, 0.5, 0.25);
	uint32_t nc = 0;
	float **o = render(dir,
			   "layout: 5.1\n"
			   "tracks:\n"
			   "  - name: bv1\n"
			   "    file: tone.wav\n"
			   "    pan: -1\n"
			   "    output: bvs\n"
			   "buses:\n"
			   "  - name: bvs\n"
			   "    surround: { x: 0, y: -0.3333333333333333 }\n",
			   RATE / 4, &nc);
	if (!o)
		return;
	CHECK_INT(nc, 6);
	for (uint32_t c = 0; c < nc; c++)
		printf("# bus bed: channel %u peak %.6f\n", c, peak(o[c], RATE / 4));
	CHECK_NEAR(peak(o[4], RATE / 4), 0.5, 1e-3);
	for (uint32_t c = 0; c < nc; c++)
		if (c != 4)
			CHECK_MSG(peak(o[c], RATE / 4) < 1e-3, "channel %u peak %g", c, peak(o[c], RATE / 4));
	release(o);
}


/* ---------------------------------------------------- export: downmix: */

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Render the session in dir/session.yaml with `downmix` (NULL = the session's). */
static mixdown_status render_file(const char *dir, const char *yaml, const char *downmix, mixdown_render_report *rep)
{
	CHECK_INT(mxt_write_text(mxt_path(dir, "session.yaml"), yaml), 0);
	mixdown_session *s = NULL;
	mixdown_error err;
	mixdown_status st = mixdown_session_load(mxt_path(dir, "session.yaml"), &s, &err);
	CHECK_INT(st, MIXDOWN_SUCCESS);
	if (st != MIXDOWN_SUCCESS)
		return st;
	mixdown_render_options o = mixdown_render_options_init();
	char out[1024];
	snprintf(out, sizeof out, "%s", mxt_path(dir, "mix.wav"));
	o.output = out;
	o.downmix = downmix;
	st = mixdown_render(s, &o, rep, &err);
	if (st != MIXDOWN_SUCCESS)
		printf("# render: %s\n", err.message);
	mixdown_session_free(s);
	return st;
}

/* Integrated loudness of a file (BS.1770, libebur128 default weights: fine
 * for stereo and mono). */
static double file_lufs(const char *path)
{
	int64_t n = 0;
	int ch = 0, rate = 0, fmt = 0;
	float *x = mxt_read_audio(path, &n, &ch, &rate, &fmt);
	if (!x)
		return NAN;
	ebur128_state *m = ebur128_init((unsigned)ch, (unsigned long)rate, EBUR128_MODE_I);
	double l = NAN;
	if (ch == 1)
		ebur128_set_channel(m, 0, EBUR128_DUAL_MONO);
	ebur128_add_frames_float(m, x, (size_t)n);
	ebur128_loudness_global(m, &l);
	ebur128_destroy(&m);
	free(x);
	return l;
}

static const char *downmix_session = "layout: 5.1\n"
				     "tracks:\n"
				     "  - name: a\n"
				     "    file: tone.wav\n"
				     "    pan: -1\n"
				     "export:\n"
				     "  downmix: [stereo, mono]\n";

/* The session's fold-downs are written next to the mix; --downmix replaces them. */
static void t_export_downmix(void)
{
	const char *dir = mxt_tempdir();
	tone_file(dir, "tone.wav", 440, 0.5, 1.0);
	mixdown_render_report rep;
	CHECK_INT(render_file(dir, downmix_session, NULL, &rep), MIXDOWN_SUCCESS);
	CHECK_INT(rep.n_files, 3);
	CHECK(exists(mxt_path(dir, "mix.stereo.wav")));
	CHECK(exists(mxt_path(dir, "mix.mono.wav")));
	int64_t n = 0;
	int ch = 0, rate = 0, fmt = 0;
	float *x = mxt_read_audio(mxt_path(dir, "mix.stereo.wav"), &n, &ch, &rate, &fmt);
	CHECK_INT(ch, 2);
	double pl = 0, pr = 0;
	for (int64_t i = 0; x && i < n; i++)
		pl = fmax(pl, fabs(x[2 * i])), pr = fmax(pr, fabs(x[2 * i + 1]));
	CHECK_NEAR(pl, 0.5, 2e-3); /* L passes at 1.0 (BS.775 Lo = L + ...) */
	CHECK(pr < 1e-4);
	free(x);
	x = mxt_read_audio(mxt_path(dir, "mix.mono.wav"), &n, &ch, &rate, &fmt);
	CHECK_INT(ch, 1);
	double pm = 0;
	for (int64_t i = 0; x && i < n; i++)
		pm = fmax(pm, fabs(x[i]));
	CHECK_NEAR(pm, 0.5 * M_SQRT1_2, 2e-3); /* M = 0.7071 L + ... */
	free(x);
	/* the command line overrides the session */
	unlink(mxt_path(dir, "mix.stereo.wav"));
	unlink(mxt_path(dir, "mix.mono.wav"));
	CHECK_INT(render_file(dir, downmix_session, "mono", &rep), MIXDOWN_SUCCESS);
	CHECK_INT(rep.n_files, 2);
	CHECK(!exists(mxt_path(dir, "mix.stereo.wav")));
	CHECK(exists(mxt_path(dir, "mix.mono.wav")));
	/* errors name the place */
	parse_error("layout: 5.1\nexport:\n  downmix: [stereo, 7.1]\n", "s.yaml:3:21", "7.1");
	parse_error("layout: 5.1\nexport:\n  downmix: [stereo, stereo]\n", "s.yaml:3:21", "twice");
	parse_error("channels: 3\nexport:\n  downmix: mono\n", "s.yaml:3:", "layout");
}

/* master: target: with fold-downs: every deliverable is mastered to the target. */
static void t_mastered_downmix(void)
{
	const char *dir = mxt_tempdir();
	tone_file(dir, "tone.wav", 997, 0.25, 4.0);
	char yaml[1024];
	snprintf(yaml, sizeof yaml, "%smaster:\n  target: { loudness: -20, true_peak: -1 }\n", downmix_session);
	mixdown_render_report rep;
	CHECK_INT(render_file(dir, yaml, "stereo,5.1", &rep), MIXDOWN_SUCCESS);
	CHECK(rep.mastered);
	CHECK_INT(rep.n_files, 3);
	CHECK(exists(mxt_path(dir, "mix.stereo.wav")));
	CHECK(exists(mxt_path(dir, "mix.5.1.wav")));
	CHECK(!exists(mxt_path(dir, "mix.mono.wav")));
	double l = file_lufs(mxt_path(dir, "mix.stereo.wav"));
	printf("# mastered stereo fold-down: %.2f LUFS (target -20)\n", l);
	CHECK_NEAR(l, -20.0, 0.3);
	CHECK_NEAR(file_lufs(mxt_path(dir, "mix.wav")), -20.0, 0.3); /* L only: no surround weights involved */
	/* no temporary left behind */
	char tmp[1100];
	snprintf(tmp, sizeof tmp, "%s", mxt_path(dir, ".mix.wav.unmastered.stereo.wav"));
	CHECK(!exists(tmp));
}


/* ------------------------------------------------ BS.1770 weights by layout */

/* Loudness of channel `ch` of a file alone at weight 1.0 (a height speaker's
 * BS.1770-4 Table 3 weight; a 7.1 side speaker would be 1.41). */
static double channel_lufs(const char *path, int ch_want)
{
	int64_t n = 0;
	int ch = 0, rate = 0, fmt = 0;
	float *x = mxt_read_audio(path, &n, &ch, &rate, &fmt);
	if (!x || ch_want >= ch) {
		free(x);
		return NAN;
	}
	float *m = malloc((size_t)n * sizeof *m);
	for (int64_t i = 0; i < n; i++)
		m[i] = x[i * ch + ch_want];
	ebur128_state *st = ebur128_init(1, (unsigned long)rate, EBUR128_MODE_I);
	double l = NAN;
	ebur128_add_frames_float(st, m, (size_t)n);
	ebur128_loudness_global(st, &l);
	ebur128_destroy(&st);
	free(m);
	free(x);
	return l;
}

/* A 5.1.2 mix with everything in Ltf (channel 7 of 8, a height speaker,
 * weight 1.0): mastered to -20 LUFS it measures -20 at weight 1.0. Taken for a
 * 7.1 (channel 7 = Lss at -90°, weight 1.41) it would come out at -21.5. */
static void t_mastered_512_weights(void)
{
	const char *dir = mxt_tempdir();
	tone_file(dir, "tone.wav", 997, 0.25, 4.0);
	mixdown_render_report rep;
	CHECK_INT(render_file(dir,
			      "layout: 5.1.2\n"
			      "tracks:\n"
			      "  - name: a\n"
			      "    file: tone.wav\n"
			      "    object: { azimuth: -30, elevation: 30 }\n"
			      "master:\n"
			      "  target: { loudness: -20, true_peak: -1 }\n",
			      NULL, &rep),
		  MIXDOWN_SUCCESS);
	double l = channel_lufs(mxt_path(dir, "mix.wav"), 6);
	printf("# mastered 5.1.2, Ltf alone at weight 1.0: %.2f LUFS (target -20; -21.5 if taken for 7.1)\n", l);
	CHECK_NEAR(l, -20.0, 0.3);
	CHECK_NEAR(rep.integrated_lufs, -20.0, 0.3);
}

#ifdef MIXDOWN_HAVE_PLAY
/* The player's meter: the same Ltf-only signal reads 1.5 dB lower with the
 * 5.1.2 layout than by channel count (7.1). */
static double rt_meter(const mxd_layout *lay, const float *x, int64_t n)
{
	mxd_rt_loudness *l = mxd_rt_loudness_new(8, RATE, lay);
	CHECK(l != NULL);
	if (!l)
		return NAN;
	static float zero[512];
	for (int64_t t = 0; t < n; t += 512) {
		const float *ch[8] = { zero, zero, zero, zero, zero, zero, x + t, zero };
		mxd_rt_loudness_push(l, ch, n - t < 512 ? (uint32_t)(n - t) : 512);
		usleep(2000); /* about 4x real time: the 1.4 s ring never fills */
	}
	double m, st, in = -INFINITY;
	uint64_t dropped = 0;
	for (int k = 0; k < 200 && !isfinite(in); k++) {
		usleep(20000);
		mxd_rt_loudness_get(l, &m, &st, &in, &dropped);
	}
	usleep(100000); /* let the meter drain the ring */
	mxd_rt_loudness_get(l, &m, &st, &in, &dropped);
	CHECK_INT((int)dropped, 0);
	mxd_rt_loudness_free(l);
	return in;
}

static void t_player_meter_layout(void)
{
	const int64_t n = 2 * RATE;
	float *x = malloc((size_t)n * sizeof *x);
	mxt_sine(x, n, 1, RATE, 997, 0.25, 0);
	ebur128_state *st = ebur128_init(1, RATE, EBUR128_MODE_I);
	double want = NAN;
	ebur128_add_frames_float(st, x, (size_t)n);
	ebur128_loudness_global(st, &want);
	ebur128_destroy(&st);
	double by_layout = rt_meter(mxd_layout_find("5.1.2"), x, n);
	double by_count = rt_meter(NULL, x, n);
	printf("# player meter, Ltf alone: %.2f LUFS with 5.1.2, %.2f by channel count (weight 1.0: %.2f)\n",
	       by_layout, by_count, want);
	CHECK_NEAR(by_layout, want, 0.2); /* histogram mode: 0.1 LU bins */
	CHECK_NEAR(by_count - by_layout, 1.5, 0.2);
	free(x);
}
#endif


/* ------------------------------------------------------ binaural spread, air */

static bool have_hrtf(void)
{
	if (access(MXD_HRTF_DEFAULT_FILE, R_OK) != 0) {
		SKIP("no SOFA set at %s (Debian: libmysofa1)", MXD_HRTF_DEFAULT_FILE);
		return false;
	}
	return true;
}

/* Interaural coherence: the largest |normalized cross-correlation| of the
 * ears within +-1 ms (the usual IACC definition, ISO 3382-1 Annex A). */
static double coherence(const float *l, const float *r, int64_t from, int64_t n)
{
	double el = 0, er = 0, best = 0;
	for (int64_t i = from; i < from + n; i++)
		el += (double)l[i] * l[i], er += (double)r[i] * r[i];
	for (int lag = -RATE / 1000; lag <= RATE / 1000; lag++) {
		double x = 0;
		for (int64_t i = from; i < from + n; i++)
			x += (double)l[i] * r[i + lag];
		best = fmax(best, fabs(x) / sqrt(el * er + 1e-30));
	}
	return best;
}

static double energy_db(const float *x, int64_t from, int64_t n)
{
	double e = 0;
	for (int64_t i = from; i < from + n; i++)
		e += (double)x[i] * x[i];
	return 10 * log10(e / n + 1e-30);
}

/* A binaural noise object at the front: the wider its spread, the lower the
 * interaural coherence; the loudness stays put (energy-preserving split). */
static void t_binaural_spread(void)
{
	if (!have_hrtf())
		return;
	const char *dir = mxt_tempdir();
	const int64_t n = RATE / 2;
	float *x = malloc((size_t)n * sizeof *x);
	mxt_noise(x, n, 0.25, 7);
	CHECK_INT(mxt_write_audio(mxt_path(dir, "noise.wav"), x, n, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	free(x);
	static const double spreads[] = { 0, 40, 90, 180 };
	double ic[4], lev[4];
	for (int k = 0; k < 4; k++) {
		char yaml[512];
		snprintf(yaml, sizeof yaml,
			 "layout: binaural\n"
			 "tracks:\n"
			 "  - name: n\n"
			 "    file: noise.wav\n"
			 "    object: { azimuth: 0, spread: %g }\n",
			 spreads[k]);
		uint32_t nc = 0;
		float **o = render(dir, yaml, n, &nc);
		if (!o)
			return;
		CHECK_INT(nc, 2);
		ic[k] = coherence(o[0], o[1], RATE / 20, n - RATE / 10);
		lev[k] = 10 * log10((pow(10, energy_db(o[0], RATE / 20, n - RATE / 10) / 10) +
				     pow(10, energy_db(o[1], RATE / 20, n - RATE / 10) / 10)) / 2);
		printf("# binaural spread %3g deg: interaural coherence %.3f, level %.2f dB\n", spreads[k], ic[k],
		       lev[k]);
		release(o);
	}
	CHECK(ic[0] > 0.9);        /* a frontal point: both ears nearly alike */
	CHECK(ic[1] < ic[0] - 0.2);  /* measured 1.000, 0.576, 0.429, 0.286 */
	CHECK(ic[2] < ic[1] - 0.05);
	CHECK(ic[3] < ic[2] - 0.05);
	CHECK(ic[3] < 0.4);
	for (int k = 1; k < 4; k++)
		CHECK_NEAR(lev[k], lev[0], 2.0); /* HRTF colouring of the side points differs; no big level jump */
	/* an automated spread ramps without clicks: 0 -> 180 over the file, on a
	 * 200 Hz tone (its own largest step is 0.026 x amplitude) */
	tone_file(dir, "low.wav", 200, 0.25, 0.5);
	uint32_t nc = 0;
	float **o = render(dir,
			   "layout: binaural\n"
			   "tracks:\n"
			   "  - name: n\n"
			   "    file: low.wav\n"
			   "    object: { azimuth: 30 }\n"
			   "    automation:\n"
			   "      object.spread: [[0, 0], [0.5, 180]]\n",
			   n, &nc);
	if (o) {
		double d = 0;
		for (int64_t i = 1; i < n; i++)
			d = fmax(d, fabs((double)o[0][i] - o[0][i - 1]));
		printf("# automated spread on a 200 Hz tone: largest sample step %.4f\n", d);
		CHECK(d < 0.03);
		release(o);
	}
}

/* Distance: 1/r (distance 10 is -20 dB); `air: true` darkens a distant object
 * (one-pole at fc = 100 kHz / r, spatial/binaural.h: at r = 10 and 48 kHz,
 * a = 1 - exp(-2 pi fc / fs) = 0.730 and |H(12 kHz)| = a / |1 + j (1 - a)| =
 * 0.705, -3.0 dB). */
static void t_binaural_distance_air(void)
{
	if (!have_hrtf())
		return;
	const char *dir = mxt_tempdir();
	tone_file(dir, "hf.wav", 12000, 0.25, 0.5);
	double lv[3];
	static const char *const objs[3] = { "{ azimuth: 0 }", "{ azimuth: 0, distance: 10 }",
					     "{ azimuth: 0, distance: 10, air: true }" };
	for (int k = 0; k < 3; k++) {
		char yaml[512];
		snprintf(yaml, sizeof yaml,
			 "layout: binaural\ntracks:\n  - name: t\n    file: hf.wav\n    object: %s\n", objs[k]);
		uint32_t nc = 0;
		float **o = render(dir, yaml, RATE / 2, &nc);
		if (!o)
			return;
		lv[k] = energy_db(o[0], RATE / 10, RATE / 4);
		release(o);
	}
	printf("# binaural 12 kHz: r=1 %.2f dB, r=10 %.2f dB, r=10 with air %.2f dB\n", lv[0], lv[1], lv[2]);
	CHECK_NEAR(lv[1] - lv[0], -20.0, 0.1);
	CHECK_NEAR(lv[2] - lv[1], -3.0, 0.2);
	parse_error("layout: binaural\ntracks:\n  - name: t\n    object: { air: 3 }\n", "s.yaml:4:", "air");
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_bus_surround_bed),
		MXT(t_export_downmix),
		MXT(t_mastered_downmix),
		MXT(t_mastered_512_weights),
		MXT(t_binaural_spread),
		MXT(t_binaural_distance_air),
#ifdef MIXDOWN_HAVE_PLAY
		MXT(t_player_meter_layout),
#endif
	};
	return MXT_RUN(cases);
}
