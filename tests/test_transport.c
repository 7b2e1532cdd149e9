/* mixdown — transport pieces that need no JACK server: positions written as
 * bar:beat (mixdown_session_position), the `input:` key of a track (parser,
 * engine channels, offline silence with a warning), the loop's block split,
 * fades and wrap (rt_transport.h) and the JACK-transport follow decisions.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/engine.h"
#include "harness.h"
#include "mixdown/mixdown.h"
#include "realtime/rt_transport.h"
#include "session/model.h"
#include "util.h"

static mixdown_session *load(const char *dir, const char *yaml, mixdown_error *err)
{
	mixdown_session *s = NULL;
	mixdown_session_load_string(yaml, strlen(yaml), "t.yaml", dir, &s, err);
	return s;
}

static void t_position_bar_beat(void)
{
	mixdown_error err;
	mixdown_session *s = load(".", "mixdown: 1\nsample_rate: 48000\ntempo: 120\n", &err);
	CHECK(s != NULL);
	if (!s)
		return;
	double v = -1;
	/* 120 BPM 4/4: a bar is 2 s, so bar 17 starts after 16 bars = 32 s. */
	CHECK_INT(mixdown_session_position(s, "17:1", &v, &err), MIXDOWN_SUCCESS);
	CHECK_NEAR(v, 32.0, 1e-12);
	CHECK_INT(mixdown_session_position(s, "17:3", &v, &err), MIXDOWN_SUCCESS);
	CHECK_NEAR(v, 33.0, 1e-12);
	CHECK_INT(mixdown_session_position(s, "17:1:240", &v, &err), MIXDOWN_SUCCESS);
	CHECK_NEAR(v, 32.125, 1e-12); /* 240 of 960 ticks of a 0.5 s beat */
	CHECK_INT(mixdown_session_position(s, "62.5", &v, &err), MIXDOWN_SUCCESS);
	CHECK_NEAR(v, 62.5, 0);
	CHECK_INT(mixdown_session_position(s, "17:5", &v, &err), MIXDOWN_ERR_USAGE);
	CHECK_STR_CONTAINS(err.message, "past the end of bar 17");
	CHECK_INT(mixdown_session_position(s, "soon", &v, &err), MIXDOWN_ERR_USAGE);
	CHECK_INT(mixdown_session_position(s, "0:1", &v, &err), MIXDOWN_ERR_USAGE);
	mixdown_session_free(s);

	/* A tempo map: 4 bars of 4/4 at 120 (8 s), then 3/4 at 90 (a bar = 2 s). */
	s = load(".",
		 "mixdown: 1\nsample_rate: 48000\ntempo: [ { bar: 1, bpm: 120 }, { bar: 5, bpm: 90, meter: 3/4 } ]\n",
		 &err);
	CHECK_MSG(s != NULL, "%s", err.message);
	if (s) {
		CHECK_INT(mixdown_session_position(s, "7:2", &v, &err), MIXDOWN_SUCCESS);
		CHECK_NEAR(v, 8.0 + 2 * 2.0 + 60.0 / 90.0, 1e-12);
		mixdown_session_free(s);
	}
	/* No tempo: bar:beat is refused with the reason. */
	s = load(".", "mixdown: 1\nsample_rate: 48000\n", &err);
	CHECK(s != NULL);
	if (s) {
		CHECK_INT(mixdown_session_position(s, "2:1", &v, &err), MIXDOWN_ERR_USAGE);
		CHECK_STR_CONTAINS(err.message, "needs a tempo");
		mixdown_session_free(s);
	}
}

static void t_input_key(void)
{
	const char *dir = mxt_tempdir();
	float tone[4800];
	mxt_sine(tone, 4800, 1, 48000, 440, 0.5, 0);
	CHECK(mxt_write_audio(mxt_path(dir, "a.wav"), tone, 4800, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	mixdown_error err;
	mixdown_session *s = load(dir,
				  "mixdown: 1\nsample_rate: 48000\ntracks:\n"
				  "  - { name: Mic, input: 3, gain: -6 }\n"
				  "  - { name: Keys, input: [1, 2], pan: 0.5 }\n"
				  "  - { name: A, file: a.wav }\n",
				  &err);
	CHECK_MSG(s != NULL, "%s", err.message);
	if (!s)
		return;
	const mxd_session *m = s;
	CHECK_INT(m->tracks[0].n_inputs, 1);
	CHECK_INT(m->tracks[0].inputs[0], 3);
	CHECK_INT(m->tracks[1].n_inputs, 2);
	CHECK_INT(m->tracks[1].inputs[0], 1);
	CHECK_INT(m->tracks[1].inputs[1], 2);
	CHECK_INT(m->tracks[2].n_inputs, 0);
	mixdown_engine *e = NULL;
	CHECK_INT(mixdown_engine_create(s, 256, &e, &err), MIXDOWN_SUCCESS);
	if (e) {
		/* One strip input channel per live input. */
		CHECK_INT(mxd_engine_node_channels(e, 0), 1);
		CHECK_INT(mxd_engine_node_channels(e, 1), 2);
		mixdown_engine_free(e);
	}
	/* Offline: the live tracks are silent and reported; the clip plays. */
	mixdown_render_options o = mixdown_render_options_init();
	o.output = mxt_path(dir, "mix.wav");
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	mixdown_render_report rep;
	CHECK_INT(mixdown_render(s, &o, &rep, &err), MIXDOWN_SUCCESS);
	CHECK_INT(rep.silent_inputs, 2);
	int64_t n = 0;
	int ch = 0;
	float *mix = mxt_read_audio(mxt_path(dir, "mix.wav"), &n, &ch, NULL, NULL);
	CHECK(mix && n == 4800 && ch == 2);
	if (mix && ch == 2) {
		/* Only A (centre, -3 dB pan law: sqrt(1/2)) is in the mix. */
		double d = 0;
		for (int64_t i = 0; i < n; i++)
			d = fmax(d, fabs(mix[2 * i] - tone[i] * sqrt(0.5)));
		CHECK_NEAR(d, 0, 1e-6);
	}
	free(mix);
	mixdown_session_free(s);
	/* The CLI says so. */
	CHECK(mxt_write_text(mxt_path(dir, "live.yaml"),
			     "mixdown: 1\nsample_rate: 48000\ntracks:\n  - { name: Mic, input: 1 }\n"
			     "  - { name: A, file: a.wav }\n") == 0);
	CHECK_INT(mxt_run_cli("render '%s' -o '%s'", mxt_path(dir, "live.yaml"), mxt_path(dir, "live.wav")), 0);
	CHECK_STR_CONTAINS(mxt_cli_err, "1 track with a live `input:` rendered as silence");

	/* Errors name the line, column and key. */
	static const struct {
		const char *yaml, *msg;
	} bad[] = {
		{ "  - { name: Mic, input: 1, file: a.wav }\n", "t.yaml:4:18: tracks[0].input: a track plays either a "
								 "live `input:` or `file:`, not both" },
		{ "  - name: Mic\n    clips: []\n    input: [1, 2]\n",
		  "t.yaml:6:5: tracks[0].input: a track plays either a live `input:` or `clips:`, not both" },
		{ "  - { name: Mic, input: 0 }\n", "t.yaml:4:25: tracks[0].input:" },
		{ "  - { name: Mic, input: 65 }\n", "t.yaml:4:25: tracks[0].input:" },
		{ "  - { name: Mic, input: [1, 2.5] }\n", "t.yaml:4:29: tracks[0].input[1]:" },
		{ "  - { name: Mic, input: [] }\n", "a list of 1 to 16 input numbers" },
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		char text[512], msg[2048];
		snprintf(text, sizeof text, "mixdown: 1\nsample_rate: 48000\ntracks:\n%s", bad[k].yaml);
		s = load(dir, text, &err);
		CHECK(s == NULL);
		mixdown_error_format(&err, msg, sizeof msg);
		CHECK_STR_CONTAINS(msg, bad[k].msg);
		mixdown_session_free(s);
	}
}

static void t_loop_logic(void)
{
	mxd_rt_loop l;
	mxd_rt_loop_init(&l, 48000);
	CHECK_INT(l.fade, 240); /* 5 ms */
	/* Off: no split, no fade, no wrap. */
	CHECK_INT(mxd_rt_loop_seek(&l, 0, 64), -1);
	CHECK_INT(mxd_rt_loop_span(&l, 47990, 256), 256);
	float g[1024];
	CHECK(!mxd_rt_loop_gains(&l, 47990, 256, g));
	int64_t pos = 96000;
	CHECK(!mxd_rt_loop_wrap(&l, &pos));

	/* 1.0 .. 2.0 s, sought from 0.5 s with 64 frames of graph latency: the
	 * stream wraps after input frame 96064 (the engine reads ahead). */
	mxd_rt_loop_set(&l, 48000, 96000);
	CHECK_INT(mxd_rt_loop_seek(&l, 24000, 64), 96064);
	CHECK_INT(mxd_rt_loop_span(&l, 95900, 256), 100);
	CHECK_INT(mxd_rt_loop_span(&l, 95000, 256), 256);
	CHECK(!mxd_rt_loop_gains(&l, 48000, 256, g)); /* first pass: no fade-in */
	CHECK(mxd_rt_loop_gains(&l, 95900, 100, g));
	CHECK_NEAR(g[99], 0.0, 0); /* the last frame before the wrap */
	CHECK_NEAR(g[99 - 60], 0.5 - 0.5 * cos(M_PI * 60 / 240.0), 1e-6);
	CHECK_NEAR(g[0], 0.5 - 0.5 * cos(M_PI * 99 / 240.0), 1e-6);
	CHECK(!mxd_rt_loop_gains(&l, 95760 - 256, 256, g)); /* ends where the fade-out begins */
	pos = 96000;
	CHECK(mxd_rt_loop_wrap(&l, &pos));
	CHECK_INT(pos, 48000);
	CHECK(mxd_rt_loop_gains(&l, 48000, 256, g));
	CHECK_NEAR(g[0], 0.0, 0);
	CHECK_NEAR(g[120], 0.5, 1e-6);
	CHECK_NEAR(g[240], 1.0, 0);
	CHECK(!mxd_rt_loop_gains(&l, 48256, 256, g)); /* fade-in done */
	/* Monotonic, bounded fades. */
	CHECK(mxd_rt_loop_gains(&l, 96000 - 240, 240, g));
	bool mono = true;
	for (int i = 1; i < 240; i++)
		mono = mono && g[i] <= g[i - 1] && g[i] >= 0;
	CHECK(mono);
	/* A seek past the end plays on: not armed, nothing wraps. */
	CHECK_INT(mxd_rt_loop_seek(&l, 96000, 64), -1);
	CHECK_INT(mxd_rt_loop_span(&l, 95990, 256), 256);
	pos = 96000;
	CHECK(!mxd_rt_loop_wrap(&l, &pos));
	/* A 4 ms loop gets 2 ms fades. */
	mxd_rt_loop_set(&l, 0, 192);
	CHECK_INT(mxd_rt_loop_seek(&l, 0, 0), 192);
	CHECK(mxd_rt_loop_gains(&l, 0, 192, g));
	CHECK_NEAR(g[95], 1.0, 0);
	CHECK_NEAR(g[191], 0.0, 0);
	/* Off again. */
	mxd_rt_loop_set(&l, 48000, 48000);
	CHECK_INT(mxd_rt_loop_seek(&l, 0, 0), -1);
}

static void t_follow_logic(void)
{
	/* Stopped transport, same place: nothing; elsewhere: locate there. */
	CHECK_INT(mxd_rt_follow(MXD_RT_TP_STOPPED, 4800, false, 4800), 0);
	CHECK_INT(mxd_rt_follow(MXD_RT_TP_STOPPED, 96000, false, 4800), MXD_RT_FOLLOW_LOCATE);
	/* Stopped while playing: stop (and go where the transport stopped). */
	CHECK_INT(mxd_rt_follow(MXD_RT_TP_STOPPED, 9600, true, 9600), MXD_RT_FOLLOW_STOP);
	CHECK_INT(mxd_rt_follow(MXD_RT_TP_STOPPED, 9600, true, 4800), MXD_RT_FOLLOW_STOP | MXD_RT_FOLLOW_LOCATE);
	/* Starting (a relocation while rolling): stop and locate. */
	CHECK_INT(mxd_rt_follow(MXD_RT_TP_STARTING, 1000, true, 9600), MXD_RT_FOLLOW_STOP | MXD_RT_FOLLOW_LOCATE);
	CHECK_INT(mxd_rt_follow(MXD_RT_TP_STARTING, 1000, false, 1000), 0);
	/* Rolling: play (from the transport's frame); while both roll, a loop
	 * may put the player elsewhere: no action. */
	CHECK_INT(mxd_rt_follow(MXD_RT_TP_ROLLING, 1000, false, 1000), MXD_RT_FOLLOW_PLAY);
	CHECK_INT(mxd_rt_follow(MXD_RT_TP_ROLLING, 1000, false, 0), MXD_RT_FOLLOW_PLAY | MXD_RT_FOLLOW_LOCATE);
	CHECK_INT(mxd_rt_follow(MXD_RT_TP_ROLLING, 200000, true, 50000), 0);
}

int main(void)
{
	static const mxt_case cases[] = { MXT(t_position_bar_beat), MXT(t_input_key), MXT(t_loop_logic),
					  MXT(t_follow_logic) };
	return MXT_RUN(cases);
}
