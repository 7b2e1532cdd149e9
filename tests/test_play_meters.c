/* mixdown — the real-time player's meters against a real JACK server: strip
 * peak and RMS of a known sine, gain reduction of a compressor against its
 * static curve, the 2 s peak hold and clip indicator of a short full-scale
 * burst (and that reading does not reset anything), the master's integrated
 * loudness and true peak against `mixdown analyze` of the offline render, and a plausible
 * DSP load.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * jackd -d dummy (48 kHz, 256-frame periods, real time) under a unique
 * server name (tests/jack_util.h); the player runs in this process, its
 * outputs unconnected. Skips when jackd cannot start.
 */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "jack_util.h"
#include "mixdown/mixdown.h"
#include "util.h"

#define RATE 48000
#define LEN_S 6.0
#define A_SINE 0.5   /* -6.02 dBFS */
#define A_COMP 0.5
#define THRESH (-20.0)
#define RATIO 4.0

enum { S_SINE, S_COMP, S_HOT, S_MASTER, N_STRIPS };

static void write_tone(const char *path, double freq, double amp, double from, double to)
{
	int64_t n = (int64_t)(LEN_S * RATE);
	float *b = calloc((size_t)n * 2, sizeof *b);
	for (int64_t i = (int64_t)(from * RATE); i < (int64_t)(to * RATE) && i < n; i++)
		b[2 * i] = b[2 * i + 1] = (float)(amp * sin(2 * M_PI * freq * (double)i / RATE));
	CHECK(mxt_write_audio(path, b, n, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	free(b);
}

static void t_meters(void)
{
	const char *dir = mxt_tempdir();
	/* Sine: 1 kHz (48 samples a cycle: the sampled peak is the amplitude).
	 * Comp: 250 Hz into a hard-knee compressor; attack 1 ms and release 2 s
	 * make its peak detector sit at the sine's peak. Hot: 50 ms of a
	 * full-scale 1 kHz sine at 1.0 s, silence otherwise. */
	write_tone(mxt_path(dir, "sine.wav"), 1000.0, A_SINE, 0.0, LEN_S);
	write_tone(mxt_path(dir, "comp.wav"), 250.0, A_COMP, 0.0, LEN_S);
	write_tone(mxt_path(dir, "hot.wav"), 1000.0, 1.0, 1.0, 1.05);
	char yaml[1024];
	snprintf(yaml, sizeof yaml,
		 "mixdown: 1\nsample_rate: 48000\ntracks:\n"
		 "  - name: Sine\n    clips: [ { file: sine.wav } ]\n"
		 "  - name: Comp\n    clips: [ { file: comp.wav } ]\n"
		 "    inserts: [ { type: compressor, threshold: %g, ratio: %g, knee: 0, attack: 1, release: 2000 } ]\n"
		 "  - name: Hot\n    clips: [ { file: hot.wav } ]\n",
		 THRESH, RATIO);
	mixdown_render_options o = mixdown_render_options_init();
	o.output = mxt_path(dir, "offline.wav");
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	mixdown_error err;
	CHECK_INT(mxt_render_yaml(dir, yaml, &o, NULL, &err), MIXDOWN_SUCCESS);
	mixdown_analysis *an = NULL;
	mixdown_analysis_options ao = mixdown_analysis_options_init();
	ao.loudness_only = true;
	CHECK_INT(mixdown_analyze_file(mxt_path(dir, "offline.wav"), &ao, &an, &err), MIXDOWN_SUCCESS);
	double offline_i = an ? an->loudness.integrated : NAN;
	double offline_tp = an ? an->loudness.true_peak : NAN;
	mixdown_analysis_free(an);

	if (!mxt_jack_start()) {
		SKIP("jackd -d dummy could not start");
		return;
	}
	mixdown_session *s = NULL;
	CHECK_INT(mixdown_session_load(mxt_path(dir, "session.yaml"), &s, &err), MIXDOWN_SUCCESS);
	mixdown_player_options opt = mixdown_player_options_init();
	opt.connect = "";
	opt.client_name = "mxtmeters";
	mixdown_player *p = NULL;
	mixdown_status st = s ? mixdown_player_open(s, &opt, &p, &err) : MIXDOWN_ERR_USAGE;
	CHECK_MSG(st == MIXDOWN_SUCCESS, "player: %s", err.message);
	if (st != MIXDOWN_SUCCESS) {
		mixdown_session_free(s);
		return;
	}
	mixdown_strip_meter m[N_STRIPS + 1], m2[N_STRIPS];
	mixdown_player_status ps;
	CHECK_INT(mixdown_player_meters(p, m, N_STRIPS + 1), N_STRIPS);

	/* Readings while playing, by timeline position. */
	bool seen_burst = false, seen_after = false, seen_steady = false;
	double max_load = 0;
	int steady_reads = 0;
	for (double waited = 0; waited < LEN_S + 10.0; waited += 0.02) {
		mxt_sleep_s(0.02);
		mixdown_player_get_status(p, &ps);
		mixdown_player_meters(p, m, N_STRIPS);
		max_load = ps.dsp_load > max_load ? ps.dsp_load : max_load;
		double t = ps.position;
		if (t >= 1.3 && t < 2.9 && !seen_burst) {
			/* 250+ ms after the burst: gone from "peak now", held for 2 s. */
			seen_burst = true;
			printf("# t %.3f Hot: peak %.2f hold %.3f clip %d; master hold %.3f clip %d\n", t, m[S_HOT].peak_dbfs,
			       m[S_HOT].peak_hold_dbfs, m[S_HOT].clip, m[S_MASTER].peak_hold_dbfs, m[S_MASTER].clip);
			CHECK(m[S_HOT].clip);
			CHECK_NEAR(m[S_HOT].peak_hold_dbfs, 0.0, 0.01);
			CHECK(isinf(m[S_HOT].peak_dbfs) && m[S_HOT].peak_dbfs < 0);
			CHECK(m[S_MASTER].clip);
			/* A second reader sees the same: nothing was reset. */
			mixdown_player_meters(p, m2, N_STRIPS);
			CHECK(m2[S_HOT].clip && m2[S_HOT].peak_hold_dbfs == m[S_HOT].peak_hold_dbfs);
			CHECK_NEAR(m2[S_SINE].peak_dbfs, m[S_SINE].peak_dbfs, 1e-6);
		}
		if (t >= 3.3 && t < LEN_S - 0.5) {
			if (!seen_after) {
				/* The hold (2 s) has passed since the burst ended at 1.05 s. */
				seen_after = true;
				printf("# t %.3f Hot: hold %.2f clip %d\n", t, m[S_HOT].peak_hold_dbfs, m[S_HOT].clip);
				CHECK(!m[S_HOT].clip);
				CHECK(isinf(m[S_HOT].peak_hold_dbfs));
			}
			seen_steady = true;
			steady_reads++;
			double rms_ref = 20 * log10(A_SINE / sqrt(2.0));
			double gr_ref = (20 * log10(A_COMP) - THRESH) * (1.0 - 1.0 / RATIO);
			if (steady_reads == 1)
				printf("# t %.3f Sine: peak %.3f (%.3f) rms %.3f (%.3f); Comp: GR %.3f (%.3f) peak %.3f; "
				       "DSP load %.3f avg %.3f; M %.2f S %.2f\n",
				       t, m[S_SINE].peak_dbfs, 20 * log10(A_SINE), m[S_SINE].rms_dbfs, rms_ref,
				       m[S_COMP].gain_reduction_db, gr_ref, m[S_COMP].peak_dbfs, ps.dsp_load, ps.dsp_load_avg,
				       ps.momentary_lufs, ps.short_term_lufs);
			CHECK_NEAR(m[S_SINE].peak_dbfs, 20 * log10(A_SINE), 0.1);
			CHECK_NEAR(m[S_SINE].rms_dbfs, rms_ref, 0.2);
			CHECK_NEAR(m[S_SINE].peak_hold_dbfs, 20 * log10(A_SINE), 0.1);
			CHECK(!m[S_SINE].clip);
			CHECK_NEAR(m[S_SINE].gain_reduction_db, 0.0, 0.0);
			CHECK_NEAR(m[S_COMP].gain_reduction_db, gr_ref, 0.25);
			/* The compressor's output peak is its input's minus the reduction. */
			CHECK_NEAR(m[S_COMP].peak_dbfs, 20 * log10(A_COMP) - gr_ref, 0.3);
			/* Measured, not judged: preemption on a shared machine can push either above 1. */
			CHECK(ps.dsp_load > 0 && isfinite(ps.dsp_load));
			CHECK(ps.dsp_load_avg > 0 && isfinite(ps.dsp_load_avg));
			CHECK(isfinite(ps.momentary_lufs) && isfinite(ps.short_term_lufs));
		}
		if (ps.playing && t >= LEN_S + 0.2)
			break;
	}
	CHECK(seen_burst && seen_after && seen_steady);
	printf("# %d steady readings; highest DSP load %.3f\n", steady_reads, max_load);
	/* Let the meter thread drain the last periods. */
	mxt_sleep_s(0.2);
	mixdown_player_get_status(p, &ps);
	printf("# integrated: player %.3f LUFS, offline analyze %.3f LUFS\n", ps.integrated_lufs, offline_i);
	CHECK_NEAR(ps.integrated_lufs, offline_i, 0.3);
	/* The same oversampling on the same samples: the console's TP reading. */
	printf("# true peak: player %.3f dBTP, offline analyze %.3f dBTP\n", ps.true_peak_dbtp, offline_tp);
	CHECK_NEAR(ps.true_peak_dbtp, offline_tp, 0.1);
	printf("# xruns %llu\n", (unsigned long long)ps.xruns); /* not asserted: the machine is shared */
	mixdown_player_close(p);
	mixdown_session_free(s);
}

int main(void)
{
	static const mxt_case cases[] = { MXT(t_meters) };
	int rc = MXT_RUN(cases);
	mxt_jack_stop();
	return rc;
}
