/* mixdown — live console controls on the engine, offline (no JACK): polarity,
 * insert bypass and width set between process calls exactly as the real-time
 * player's audio thread sets them (graph/engine.h "real-time host hooks").
 * Each case runs the same session twice, untouched and with the change, and
 * compares sample by sample: the change ends where its ramp says (polarity
 * 10 ms, bypass 20 ms, width one block) and nothing jumps on the way.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/engine.h"
#include "harness.h"
#include "mixdown/mixdown.h"
#include "util.h"

#define RATE 48000
#define FRAMES 24576 /* 0.512 s, whole blocks */
#define BLOCK 256
#define AT 4096      /* frame (a block boundary) where the change is made */

typedef enum { CH_NONE, CH_POLARITY, CH_BYPASS, CH_WIDTH } change;

/* Render the session `yaml` (input x.wav written by the caller into dir) in
 * blocks; before frame AT apply `what`. out: planar 2 x FRAMES. */
static int render(const char *dir, const char *yaml, change what, bool prepare, float *out[2])
{
	CHECK(mxt_write_text(mxt_path(dir, "s.yaml"), yaml) == 0);
	mixdown_session *s = NULL;
	mixdown_engine *e = NULL;
	mixdown_error err;
	if (mixdown_session_load(mxt_path(dir, "s.yaml"), &s, &err) != MIXDOWN_SUCCESS ||
	    mixdown_engine_create(s, BLOCK, &e, &err) != MIXDOWN_SUCCESS) {
		CHECK_MSG(0, "session: %s", err.message);
		mixdown_session_free(s);
		return -1;
	}
	if (prepare)
		CHECK_INT(mxd_engine_live_prepare(e), MIXDOWN_SUCCESS);
	char why[400] = "";
	if (what == CH_BYPASS)
		CHECK_INT(mxd_engine_live_bypass_resolve(e, 0, "1", why, sizeof why), 0);
	for (uint32_t off = 0; off < FRAMES; off += BLOCK) {
		if (off == AT && what == CH_POLARITY)
			mxd_engine_live_polarity(e, 0, true);
		if (off == AT && what == CH_BYPASS)
			mxd_engine_live_bypass(e, 0, 0, true);
		if (off == AT && what == CH_WIDTH)
			mxd_engine_live_width(e, 0, 0.0);
		float *blk[2] = { out[0] + off, out[1] + off };
		CHECK_INT(mixdown_engine_process(e, blk, BLOCK, &err), MIXDOWN_SUCCESS);
	}
	mixdown_engine_free(e);
	mixdown_session_free(s);
	return 0;
}

/* A stereo input whose channels differ (two tones), at -6 dBFS. */
static const char *stereo_input(void)
{
	const char *dir = mxt_tempdir();
	float *x = malloc(sizeof(float) * 2 * FRAMES);
	for (int i = 0; i < FRAMES; i++) {
		x[2 * i] = (float)(0.5 * sin(2 * M_PI * 440.0 * i / RATE));
		x[2 * i + 1] = (float)(0.5 * sin(2 * M_PI * 660.0 * i / RATE + 1.0));
	}
	CHECK(mxt_write_audio(mxt_path(dir, "x.wav"), x, FRAMES, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	free(x);
	return dir;
}

static float *buf[4][2];

static void alloc_bufs(void)
{
	for (int k = 0; k < 4; k++)
		for (int c = 0; c < 2; c++)
			if (!buf[k][c])
				buf[k][c] = calloc(FRAMES, sizeof(float));
}

/* Largest sample-to-sample step of a channel over [a, b). */
static double max_step(const float *x, int a, int b)
{
	double m = 0;
	for (int i = a + 1; i < b; i++)
		m = fmax(m, fabs((double)x[i] - x[i - 1]));
	return m;
}

static void t_polarity_flips_without_click(void)
{
	alloc_bufs();
	const char *dir = stereo_input();
	const char *yaml = "mixdown: 1\nsample_rate: 48000\ntracks:\n  - { name: T, file: x.wav, gain: -3 }\n";
	CHECK(render(dir, yaml, CH_NONE, false, buf[0]) == 0);
	CHECK(render(dir, yaml, CH_POLARITY, false, buf[1]) == 0);
	int fade = RATE / 100; /* 10 ms */
	double before = 0, after = 0, max_ref = 0;
	for (int c = 0; c < 2; c++) {
		for (int i = 0; i < AT; i++)
			before = fmax(before, fabs((double)buf[1][c][i] - buf[0][c][i]));
		for (int i = AT + fade; i < FRAMES; i++)
			after = fmax(after, fabs((double)buf[1][c][i] + buf[0][c][i]));
		for (int i = 0; i < FRAMES; i++)
			max_ref = fmax(max_ref, fabs(buf[0][c][i]));
	}
	CHECK_NEAR(before, 0.0, 0.0);     /* untouched until the change */
	CHECK_NEAR(after, 0.0, 1e-7);     /* then exactly the inverse */
	CHECK(max_ref > 0.3);             /* there was something to invert */
	/* The fade: at its middle the output is near silence, and no step
	 * exceeds the signal's own plus the gain ramp's (2 x peak / fade). */
	for (int c = 0; c < 2; c++) {
		double step = max_step(buf[1][c], AT - 1, AT + fade + 1), bound = max_step(buf[0][c], AT - 1, AT + fade + 1);
		CHECK_MSG(step <= bound + 2.0 * max_ref / fade + 1e-6, "ch %d: step %g, bound %g", c, step,
			  bound + 2.0 * max_ref / fade);
		CHECK(fabs(buf[1][c][AT + fade / 2]) <= 2.0 * max_ref / fade + 1e-6);
	}
	printf("# polarity: |out + ref| after 10 ms %.3g; max step during the fade %.4g (untouched %.4g)\n", after,
	       max_step(buf[1][0], AT - 1, AT + fade + 1), max_step(buf[0][0], AT - 1, AT + fade + 1));
}

static void t_bypass_crossfades_to_dry(void)
{
	alloc_bufs();
	const char *dir = stereo_input();
	/* processed = dry x 0.25 (-12.04 dB); the dry reference is the same
	 * strip without the insert. */
	const char *wet = "mixdown: 1\nsample_rate: 48000\ntracks:\n"
			  "  - { name: T, file: x.wav, inserts: [ { type: gain, gain: -12.041199827 } ] }\n";
	const char *dry = "mixdown: 1\nsample_rate: 48000\ntracks:\n  - { name: T, file: x.wav }\n";
	CHECK(render(dir, wet, CH_NONE, false, buf[0]) == 0);
	CHECK(render(dir, dry, CH_NONE, false, buf[2]) == 0);
	CHECK(render(dir, wet, CH_BYPASS, true, buf[1]) == 0);
	int fade = RATE / 50; /* the slot's 20 ms mix ramp */
	double before = 0, after = 0, worst_mid = 0;
	for (int c = 0; c < 2; c++) {
		for (int i = 0; i < AT; i++) /* the dry path costs nothing audible */
			before = fmax(before, fabs((double)buf[1][c][i] - buf[0][c][i]));
		for (int i = AT + fade; i < FRAMES; i++)
			after = fmax(after, fabs((double)buf[1][c][i] - buf[2][c][i]));
		/* Mid-fade: a linear blend of the two by the ramp's position. */
		for (int k = 1; k < fade; k += 97) {
			int i = AT + k - 1;
			double m = 1.0 - (double)k / fade; /* the wet amount after k samples */
			double want = buf[2][c][i] + m * ((double)buf[0][c][i] - buf[2][c][i]);
			worst_mid = fmax(worst_mid, fabs(buf[1][c][i] - want));
		}
	}
	CHECK_NEAR(before, 0.0, 1e-7);
	CHECK_NEAR(after, 0.0, 1e-6);
	CHECK_NEAR(worst_mid, 0.0, 1e-5);
	/* The level really moved: processed 12 dB below dry. */
	CHECK_NEAR(mxt_rms_db(buf[1][0], 1, 0, AT + fade, FRAMES - AT - fade) - mxt_rms_db(buf[1][0], 1, 0, 0, AT), 12.04,
		   0.1);
	printf("# bypass: |out - dry| after 20 ms %.3g; mid-fade deviation from the linear blend %.3g\n", after,
	       worst_mid);
}

static void t_bypass_refusals(void)
{
	const char *dir = stereo_input();
	CHECK(mxt_write_text(mxt_path(dir, "s.yaml"),
			     "mixdown: 1\nsample_rate: 48000\ntracks:\n  - { name: T, file: x.wav, inserts: [\n"
			     "      { type: gain, gain: -6 }, { type: gain, gain: -6, bypass: true } ] }\n") == 0);
	mixdown_session *s = NULL;
	mixdown_engine *e = NULL;
	mixdown_error err;
	CHECK_INT(mixdown_session_load(mxt_path(dir, "s.yaml"), &s, &err), MIXDOWN_SUCCESS);
	CHECK_INT(mixdown_engine_create(s, BLOCK, &e, &err), MIXDOWN_SUCCESS);
	char why[400] = "";
	/* Without the dry paths a bypass could only cut: refused. */
	CHECK_INT(mxd_engine_live_bypass_resolve(e, 0, "1", why, sizeof why), -1);
	CHECK_STR_CONTAINS(why, "dry path");
	CHECK_INT(mxd_engine_live_prepare(e), MIXDOWN_SUCCESS);
	CHECK_INT(mxd_engine_live_bypass_resolve(e, 0, "1", why, sizeof why), 0);
	CHECK_INT(mxd_engine_live_bypass_resolve(e, 0, "2", why, sizeof why), -1);
	CHECK_STR_CONTAINS(why, "bypassed in the session");
	CHECK_INT(mxd_engine_live_bypass_resolve(e, 0, "3", why, sizeof why), -1);
	CHECK_STR_CONTAINS(why, "no insert");
	mixdown_engine_free(e);
	mixdown_session_free(s);
}

static void t_width_zero_is_mono(void)
{
	alloc_bufs();
	const char *dir = stereo_input();
	const char *yaml = "mixdown: 1\nsample_rate: 48000\ntracks:\n  - { name: T, file: x.wav }\n";
	CHECK(render(dir, yaml, CH_NONE, false, buf[0]) == 0);
	CHECK(render(dir, yaml, CH_WIDTH, false, buf[1]) == 0);
	double before = 0, lr = 0, diff0 = 0, step = 0;
	for (int i = 0; i < AT; i++)
		before = fmax(before, fabs((double)buf[1][0][i] - buf[0][0][i]));
	for (int i = AT + BLOCK; i < FRAMES; i++) {
		lr = fmax(lr, fabs((double)buf[1][0][i] - buf[1][1][i]));
		diff0 = fmax(diff0, fabs((double)buf[0][0][i] - buf[0][1][i]));
	}
	for (int c = 0; c < 2; c++)
		step = fmax(step, max_step(buf[1][c], AT - 1, AT + BLOCK + 1));
	CHECK_NEAR(before, 0.0, 0.0);
	CHECK_NEAR(lr, 0.0, 1e-6);  /* L == R after the one-block ramp */
	CHECK(diff0 > 0.3);         /* and they were different before */
	/* The ramp spreads the change over the block: no step beyond the
	 * signals' own (two tones at 0.5: 2 pi f / rate x 0.5 each). */
	CHECK_MSG(step < 0.05, "max step %g", step);
	printf("# width 0: max |L - R| after one block %.3g (was %.3f apart); max step %.4f\n", lr, diff0, step);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_polarity_flips_without_click),
		MXT(t_bypass_crossfades_to_dry),
		MXT(t_bypass_refusals),
		MXT(t_width_zero_is_mono),
	};
	int r = MXT_RUN(cases);
	for (int k = 0; k < 4; k++)
		for (int c = 0; c < 2; c++)
			free(buf[k][c]);
	return r;
}
