/* mixdown — tests of the spatial follow-ups of issue 11: `surround:` beds on
 * buses, the session's `export: downmix:` fold-downs, layout-aware BS.1770
 * weights in the mastering pass and the player's meter, binaural `spread`
 * and the binaural distance cues.
 * Units: linear sample values, dB, LUFS; 48 kHz test signals.
 * Single-threaded test program (tests/harness.h).
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
#include "util.h"

#define RATE 48000

/* A mono tone file in dir. */
static void tone_file(const char *dir, const char *name, double freq, double amp, double seconds)
{
	int64_t n = (int64_t)(seconds * RATE);
	float *b = malloc((size_t)n * sizeof *b);
	mxt_sine(b, n, 1, RATE, freq, amp, 0);
	CHECK_INT(mxt_write_audio(mxt_path(dir, name), b, n, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	free(b);
}

/* Load `yaml` (written to dir) and run the engine for `frames`; returns the
 * master output planar [channel][frame] (free with release()), or NULL. */
static float **render(const char *dir, const char *yaml, int64_t frames, uint32_t *channels)
{
	const char *path = mxt_path(dir, "session.yaml");
	CHECK_INT(mxt_write_text(path, yaml), 0);
	mixdown_session *s = NULL;
	mixdown_error err;
	if (mixdown_session_load(path, &s, &err) != MIXDOWN_SUCCESS) {
		char msg[1200];
		mixdown_error_format(&err, msg, sizeof msg);
		mxt_fail(__FILE__, __LINE__, "load: %s", msg);
		return NULL;
	}
	mixdown_engine *e = NULL;
	if (mixdown_engine_create(s, 512, &e, &err) != MIXDOWN_SUCCESS) {
		mxt_fail(__FILE__, __LINE__, "engine: %s", err.message);
		mixdown_session_free(s);
		return NULL;
	}
	uint32_t nc = mixdown_engine_channels(e);
	*channels = nc;
	float **out = calloc(MXD_MAX_CHANNELS, sizeof *out);
	float *all = calloc((size_t)frames * nc, sizeof *all);
	for (uint32_t c = 0; c < nc; c++)
		out[c] = all + (size_t)c * (size_t)frames;
	for (int64_t t = 0; t < frames; t += 512) {
		uint32_t n = frames - t < 512 ? (uint32_t)(frames - t) : 512;
		float *o[MXD_MAX_CHANNELS];
		for (uint32_t c = 0; c < nc; c++)
			o[c] = out[c] + t;
		CHECK_INT(mixdown_engine_process(e, o, n, &err), MIXDOWN_SUCCESS);
	}
	mixdown_engine_free(e);
	mixdown_session_free(s);
	return out;
}

static void release(float **o)
{
	if (o)
		free(o[0]);
	free(o);
}

static double peak(const float *x, int64_t n)
{
	double p = 0;
	for (int64_t i = 0; i < n; i++)
		p = fmax(p, fabs(x[i]));
	return p;
}

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

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_bus_surround_bed),
	};
	return MXT_RUN(cases);
}
