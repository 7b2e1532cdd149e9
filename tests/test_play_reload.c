/* mixdown — hot reload of the session while the player runs, against a real
 * JACK server: saving an edited session file swaps it in with a crossfade
 * (the level changes as edited, no sample-to-sample step larger than the
 * music's own), a structural edit brings in a new track and bus, an invalid
 * edit is reported with file:line:column and playback goes on unchanged, and
 * a reload while stopped plays exactly what the offline render of the edit
 * gives.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The player runs in this process (the public mixdown_player_* API, watching
 * the session file) and plays into the capture client of jack_util.h on a
 * `jackd -d dummy` server (48 kHz, 256-frame periods, real time). Skips when
 * jackd cannot start. Edits are saved as editors do: a new file renamed over
 * the old one. Levels are RMS over windows of steady signal, in dB.
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

#define RATE MXT_JACK_RATE
#define F1 200.0 /* Hz, the first track's sine */
#define F2 330.0 /* Hz, the second track's (structural edit) */

static double sound_s(void) { return getenv("MXT_ASAN") ? 6.0 : 9.0; } /* length of the test tones */
static double settle_s(void) { return 1.0; } /* s of steady play before and after an edit */
static double reload_limit_s(void) { return getenv("MXT_ASAN") ? 30.0 : 8.0; } /* longest wait for a reload */

static const char *v1 = "mixdown: 1\nsample_rate: 48000\ntracks:\n"
			"  - name: sine\n"
			"    gain: 0\n"
			"    clips: [ { file: sine.wav } ]\n"
			"    inserts: [ { type: compressor, threshold: -20, ratio: 3, attack: 5, release: 60 } ]\n";

/* v1 with the track's fader at -6 dB. */
static const char *v1_minus6 = "mixdown: 1\nsample_rate: 48000\ntracks:\n"
			       "  - name: sine\n"
			       "    gain: -6\n"
			       "    clips: [ { file: sine.wav } ]\n"
			       "    inserts: [ { type: compressor, threshold: -20, ratio: 3, attack: 5,"
			       " release: 60 } ]\n";

/* v1 plus a second track and a reverb bus it sends to. */
static const char *v2 = "mixdown: 1\nsample_rate: 48000\ntracks:\n"
			"  - name: sine\n"
			"    gain: 0\n"
			"    clips: [ { file: sine.wav } ]\n"
			"    inserts: [ { type: compressor, threshold: -20, ratio: 3, attack: 5, release: 60 } ]\n"
			"  - name: tone\n"
			"    gain: -3\n"
			"    pan: 0.3\n"
			"    clips: [ { file: tone.wav } ]\n"
			"    sends: [ { to: verb, level: -6 } ]\n"
			"buses:\n"
			"  - name: verb\n"
			"    inserts: [ { type: reverb, decay: 1.5, mix: 1 } ]\n";

static const char *broken_yaml = "mixdown: 1\nsample_rate: 48000\ntracks:\n"
				 "  - name: sine\n"
				 "    gain: [ -6\n"
				 "    clips: [ { file: sine.wav } ]\n";

static const char *unknown_key = "mixdown: 1\nsample_rate: 48000\ntracks:\n"
				 "  - name: sine\n"
				 "    gian: -6\n"
				 "    clips: [ { file: sine.wav } ]\n";

/* Save as an editor does: write a new file, rename it over the session. */
static void save(const char *dir, const char *text)
{
	char tmp[1024];
	snprintf(tmp, sizeof tmp, "%s", mxt_path(dir, ".session.yaml.swp"));
	CHECK(mxt_write_text(tmp, text) == 0);
	CHECK(rename(tmp, mxt_path(dir, "session.yaml")) == 0);
}

/* A sine of `seconds` at `dbfs` peak as a mono float WAV in dir. */
static void write_sine(const char *dir, const char *name, double freq, double dbfs, double seconds)
{
	int64_t n = (int64_t)(seconds * RATE);
	float *x = malloc(sizeof(float) * (size_t)n);
	mxt_sine(x, n, 1, RATE, freq, pow(10.0, dbfs / 20.0), 0.0);
	CHECK(mxt_write_audio(mxt_path(dir, name), x, n, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	free(x);
}

/* The player on the session in dir, watching it, into the capture client. */
static mixdown_player *open_player(const char *dir, bool stopped, mixdown_session **s)
{
	mixdown_error err;
	static char path[1024];
	snprintf(path, sizeof path, "%s", mxt_path(dir, "session.yaml"));
	if (mixdown_session_load(path, s, &err) != MIXDOWN_SUCCESS) {
		CHECK_MSG(0, "load: %s", err.message);
		return NULL;
	}
	mixdown_player_options o = mixdown_player_options_init();
	o.client_name = "mxtreload";
	o.connect = "mxtcap:in_1,mxtcap:in_2";
	o.start_stopped = stopped;
	o.watch_path = path;
	mixdown_player *p = NULL;
	mixdown_status st = mixdown_player_open(*s, &o, &p, &err);
	CHECK_MSG(st == MIXDOWN_SUCCESS, "open: %s", err.message);
	if (st != MIXDOWN_SUCCESS) {
		mixdown_session_free(*s);
		return NULL;
	}
	return p;
}

static void close_player(mixdown_player *p, mixdown_session *s)
{
	mixdown_player_close(p);
	mixdown_session_free(s);
}

/* Wait (up to `limit` s) until sound has been captured for `seconds`;
 * returns the frame count then, or -1. */
static int64_t wait_sound(int64_t *first, double seconds, double limit)
{
	for (double waited = 0; waited < limit; waited += 0.01) {
		mxt_sleep_s(0.01);
		int64_t n = atomic_load(&mxt_jack_cap_n);
		if (*first < 0)
			*first = mxt_jack_first_sound(n);
		if (*first >= 0 && n - *first >= (int64_t)(seconds * RATE))
			return n;
	}
	return -1;
}

/* Wait until the status says `reloads` reloads, or a reload error differing
 * from `old_error` (NULL: any) appears; false after `limit` s. */
static bool wait_status(mixdown_player *p, uint64_t reloads, const char *old_error, double limit,
			mixdown_player_status *ps)
{
	for (double waited = 0; waited < limit; waited += 0.01) {
		mxt_sleep_s(0.01);
		mixdown_player_get_status(p, ps);
		if (ps->reloads >= reloads && reloads > 0)
			return true;
		if (old_error && ps->reload_error[0] && strcmp(ps->reload_error, old_error))
			return true;
	}
	return false;
}

/* Capture while the player goes on for `seconds`; returns the frame count. */
static int64_t capture_more(double seconds)
{
	mxt_sleep_s(seconds);
	mxt_jack_arm(false);
	return atomic_load(&mxt_jack_cap_n);
}

static double rms_db(int c, int64_t from, int64_t n)
{
	double e = 0;
	for (int64_t i = from; i < from + n; i++)
		e += (double)mxt_jack_cap[c][i] * mxt_jack_cap[c][i];
	return 10.0 * log10(e / (double)n + 1e-30);
}

static double max_abs(int c, int64_t from, int64_t n)
{
	double m = 0;
	for (int64_t i = from; i < from + n; i++)
		m = fmax(m, fabs(mxt_jack_cap[c][i]));
	return m;
}

/* Largest |x[i+1] - x[i]| over both channels in [from, from + n). */
static double max_step(int64_t from, int64_t n)
{
	double m = 0;
	for (int c = 0; c < 2; c++)
		for (int64_t i = from; i + 1 < from + n; i++)
			m = fmax(m, fabs((double)mxt_jack_cap[c][i + 1] - mxt_jack_cap[c][i]));
	return m;
}

/* Amplitude of the `freq` component of channel c over [from, from + n)
 * (Goertzel's single-bin DFT; n a whole number of periods). */
static double tone_amp(int c, double freq, int64_t from, int64_t n)
{
	double w = 2 * M_PI * freq / RATE, re = 0, im = 0;
	for (int64_t i = 0; i < n; i++) {
		re += mxt_jack_cap[c][from + i] * cos(w * (double)i);
		im += mxt_jack_cap[c][from + i] * sin(w * (double)i);
	}
	return 2.0 * hypot(re, im) / (double)n;
}

/* The first 10 ms window from `from` whose level differs from `ref_db` by
 * more than `tol` dB (channel 0): where the swap shows; -1 if none. */
static int64_t level_change(int64_t from, int64_t to, double ref_db, double tol)
{
	int64_t win = RATE / 100;
	for (int64_t i = from; i + win <= to; i += win)
		if (fabs(rms_db(0, i, win) - ref_db) > tol)
			return i;
	return -1;
}

/* Whether the capture over [from, to) can be judged (1): not when the
 * server had an xrun then, a glitch of the overloaded machine rather than of
 * the player: try again (0), or after the last try skip the case (-1). */
static int judgeable(int64_t from, int64_t to, bool last)
{
	if (!mxt_jack_xrun_near(from, to, 2 * MXT_JACK_PERIOD))
		return 1;
	if (!last)
		return 0;
	SKIP("JACK xruns during every try: this machine cannot keep real time now");
	return -1;
}

static bool setup(const char **dir)
{
	if (!mxt_jack_start()) {
		SKIP("jackd -d dummy could not start");
		return false;
	}
	*dir = mxt_tempdir();
	write_sine(*dir, "sine.wav", F1, -12.0, sound_s());
	write_sine(*dir, "tone.wav", F2, -18.0, sound_s());
	return true;
}

/* (1) The fader edited to -6 dB: the output drops by 6.0 dB after the swap,
 * and around it no sample-to-sample step exceeds 1.2 x the sine's own
 * largest step (2 pi f / fs x its amplitude). */
static bool t_reload_gain_try(bool last)
{
	const char *dir;
	if (!setup(&dir))
		return true;
	save(dir, v1);
	mxt_jack_arm(true);
	mixdown_session *s = NULL;
	mixdown_player *p = open_player(dir, false, &s);
	if (!p)
		return true;
	int64_t c0 = -1, edit = wait_sound(&c0, settle_s(), 10.0);
	CHECK_MSG(edit > 0, "no sound");
	mixdown_player_status ps;
	mixdown_player_get_status(p, &ps);
	uint64_t xruns0 = ps.xruns;
	save(dir, v1_minus6);
	bool done = wait_status(p, 1, NULL, reload_limit_s(), &ps);
	int64_t n = capture_more(settle_s());
	close_player(p, s);
	CHECK_MSG(done, "no reload seen (error: %s)", ps.reload_error);
	CHECK_INT(ps.reloads, 1);
	CHECK(ps.reload_error[0] == '\0');
	if (edit <= 0 || !done)
		return true;
	int64_t w = (int64_t)(0.5 * RATE);
	double before = rms_db(0, edit - w, w), after = rms_db(0, n - w - RATE / 10, w);
	double a = max_abs(0, edit - w, w), a1 = max_abs(1, edit - w, w);
	double bound = 1.2 * 2 * M_PI * F1 / RATE * fmax(a, a1);
	/* The crossfade starts where the level starts to change (to 10 ms). */
	int64_t swap = level_change(edit, n, before, 0.05);
	int judge = judgeable(swap - RATE / 10, swap + RATE / 10, last);
	if (judge <= 0)
		return judge < 0;
	/* A server xrun drops captured periods: the window must still lie after the swap. */
	CHECK_MSG(swap > 0 && n - w - RATE / 10 >= swap + RATE / 20, "the level after the swap is not captured");
	double step = swap > 0 ? max_step(swap - RATE / 10, RATE / 5) : INFINITY;
	printf("# level %.2f -> %.2f dBFS (change %.3f dB); swap %.3f s after the save; max step within 0.1 s of it "
	       "%.5f, bound %.5f (sine alone %.5f); underruns %llu, xruns from the save on %llu\n",
	       before, after, after - before, swap >= 0 ? (double)(swap - edit) / RATE : -1.0, step, bound, bound / 1.2,
	       (unsigned long long)ps.underruns, (unsigned long long)(ps.xruns - xruns0));
	if (getenv("MXT_PLAY_DEBUG")) {
		for (int64_t i = edit - w; i + 1 < n; i++)
			if (fabs(mxt_jack_cap[0][i + 1] - mxt_jack_cap[0][i]) > bound)
				printf("# step at %lld (%.4f s after the save, swap at %+lld): %.5f -> %.5f\n",
				       (long long)i, (double)(i - edit) / RATE, (long long)(i - swap),
				       mxt_jack_cap[0][i], mxt_jack_cap[0][i + 1]);
	}
	CHECK_NEAR(after - before, -6.0, 0.1);
	CHECK(swap > edit);
	CHECK(step <= bound);
	return true;
}

static void t_reload_gain(void)
{
	for (int k = 0; k < 3 && !t_reload_gain_try(k == 2); k++)
		printf("# xruns near the measurement: again\n");
}

/* (2) A structural edit (a second track and a reverb bus): the new track is
 * in the output after the swap, the first one unchanged, and around the swap
 * no step exceeds 1.2 x the largest step of the steady signal on either side. */
static bool t_reload_structure_try(bool last)
{
	const char *dir;
	if (!setup(&dir))
		return true;
	save(dir, v1);
	mxt_jack_arm(true);
	mixdown_session *s = NULL;
	mixdown_player *p = open_player(dir, false, &s);
	if (!p)
		return true;
	int64_t c0 = -1, edit = wait_sound(&c0, settle_s(), 10.0);
	CHECK_MSG(edit > 0, "no sound");
	save(dir, v2);
	mixdown_player_status ps;
	bool done = wait_status(p, 1, NULL, reload_limit_s(), &ps);
	int64_t n = capture_more(settle_s());
	close_player(p, s);
	CHECK_MSG(done, "no reload seen (error: %s)", ps.reload_error);
	CHECK_INT(ps.reloads, 1);
	if (edit <= 0 || !done)
		return true;
	int64_t w = 24000; /* 0.5 s: whole periods of 200 and 330 Hz */
	int64_t b0 = edit - w, a0 = n - w - RATE / 10;
	double f1_before = 20 * log10(tone_amp(0, F1, b0, w)), f1_after = 20 * log10(tone_amp(0, F1, a0, w));
	double f2_before = 20 * log10(tone_amp(0, F2, b0, w) + 1e-12), f2_after = 20 * log10(tone_amp(0, F2, a0, w));
	int64_t swap = level_change(edit, n, rms_db(0, b0, w), 0.05);
	int judge = judgeable(swap - RATE / 10, swap + RATE / 10, last);
	if (judge <= 0)
		return judge < 0;
	double steady = fmax(max_step(b0, w), max_step(a0, w));
	double around = swap > 0 ? max_step(swap - RATE / 10, RATE / 5) : INFINITY;
	printf("# 200 Hz %.2f -> %.2f dB, 330 Hz %.1f -> %.1f dB; swap %.3f s after the save; max step within 0.1 s "
	       "of it %.5f, steady %.5f; xruns %llu\n",
	       f1_before, f1_after, f2_before, f2_after, swap >= 0 ? (double)(swap - edit) / RATE : -1.0, around,
	       steady, (unsigned long long)ps.xruns);
	CHECK(f2_before < -60.0);
	CHECK(f2_after > -40.0);
	CHECK_NEAR(f1_after, f1_before, 0.2);
	CHECK(swap > edit);
	CHECK(around <= 1.2 * steady);
	return true;
}

static void t_reload_structure(void)
{
	for (int k = 0; k < 3 && !t_reload_structure_try(k == 2); k++)
		printf("# xruns near the measurement: again\n");
}

/* file:line:column in a reload error: "<...>session.yaml:L:C: ..." */
static bool has_location(const char *msg, unsigned *line, unsigned *col)
{
	const char *at = strstr(msg, "session.yaml:");
	return at && sscanf(at, "session.yaml:%u:%u:", line, col) == 2 && *line > 0 && *col > 0;
}

/* (3) Invalid edits (broken YAML, an unknown key) are reported with
 * file:line:column; the old session plays on: no gap, level unchanged. */
static bool t_reload_invalid_try(bool last)
{
	const char *dir;
	if (!setup(&dir))
		return true;
	save(dir, v1);
	mxt_jack_arm(true);
	mixdown_session *s = NULL;
	mixdown_player *p = open_player(dir, false, &s);
	if (!p)
		return true;
	int64_t c0 = -1, edit = wait_sound(&c0, settle_s(), 10.0);
	CHECK_MSG(edit > 0, "no sound");
	mixdown_player_status ps;
	save(dir, broken_yaml);
	bool seen1 = wait_status(p, 0, "", 5.0, &ps);
	char err1[512];
	snprintf(err1, sizeof err1, "%s", ps.reload_error);
	save(dir, unknown_key);
	bool seen2 = wait_status(p, 0, err1, 5.0, &ps);
	char err2[512];
	snprintf(err2, sizeof err2, "%s", ps.reload_error);
	/* The same through the call, with the error's fields. */
	mixdown_error err;
	mixdown_status st = mixdown_player_reload(p, mxt_path(dir, "session.yaml"), &err);
	int64_t n = capture_more(settle_s());
	mixdown_player_get_status(p, &ps);
	close_player(p, s);
	(void)last;
	printf("# broken YAML: %s\n# unknown key: %s\n", err1, err2);
	CHECK(seen1 && seen2);
	unsigned l1 = 0, k1 = 0, l2 = 0, k2 = 0;
	CHECK_MSG(has_location(err1, &l1, &k1), "no file:line:column in \"%s\"", err1);
	CHECK_MSG(has_location(err2, &l2, &k2), "no file:line:column in \"%s\"", err2);
	CHECK(l1 >= 5 && l1 <= 7);
	CHECK_INT(l2, 5);
	CHECK_INT(k2, 5);
	CHECK_STR_CONTAINS(err2, "gian");
	CHECK_INT(st, MIXDOWN_ERR_SESSION);
	CHECK_INT(err.line, 5);
	CHECK_INT(ps.reloads, 0);
	if (edit <= 0)
		return true;
	/* Steady level in every 10 ms window from before the first save to the
	 * end (but those a server xrun may have cut), and no run of zeros
	 * longer than a few samples. */
	int64_t w = RATE / 100, from = edit - RATE / 2, judged = 0;
	double ref = rms_db(0, from, RATE / 2), worst = 0;
	for (int64_t i = from; i + w <= n; i += w)
		if (!mxt_jack_xrun_near(i, i + w, 2 * MXT_JACK_PERIOD)) {
			worst = fmax(worst, fabs(rms_db(0, i, w) - ref));
			judged += w;
		}
	int64_t run = 0, longest = 0;
	for (int64_t i = from; i < n; i++) {
		run = mxt_jack_cap[0][i] == 0.0f ? run + 1 : 0;
		longest = run > longest ? run : longest;
	}
	printf("# %.2f s captured after the first invalid save (%.2f s with the 0.5 s before judged; not near "
	       "xruns): level within %.3f dB of %.2f dBFS, longest zero run %lld samples\n",
	       (double)(n - edit) / RATE, (double)judged / RATE, worst, ref, (long long)longest);
	CHECK(n - edit > (int64_t)(settle_s() * RATE) / 2);
	if (judged <= (n - from) / 2)
		SKIP("JACK xruns during most of the capture: this machine cannot keep real time now");
	CHECK(worst < 0.1);
	CHECK(longest < 4);
	return true;
}

static void t_reload_invalid(void)
{
	for (int k = 0; k < 3 && !t_reload_invalid_try(k == 2); k++)
		printf("# xruns near the measurement: again\n");
}

/* (4) A reload while stopped swaps at once; then play gives exactly the
 * offline render of the edited session. */
static bool t_reload_stopped_try(bool last)
{
	const char *dir;
	if (!setup(&dir))
		return true;
	mixdown_render_options o = mixdown_render_options_init();
	o.output = mxt_path(dir, "offline.wav");
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	mixdown_error err;
	CHECK_INT(mxt_render_yaml(dir, v1_minus6, &o, NULL, &err), MIXDOWN_SUCCESS);
	int64_t rn = 0;
	int rch = 0;
	float *ref = mxt_read_audio(mxt_path(dir, "offline.wav"), &rn, &rch, NULL, NULL);
	CHECK(ref && rch == 2);
	if (!ref || rch != 2) {
		free(ref);
		return true;
	}
	save(dir, v1);
	mxt_jack_arm(true);
	mixdown_session *s = NULL;
	mixdown_player *p = open_player(dir, true, &s);
	if (!p) {
		free(ref);
		return true;
	}
	mxt_sleep_s(0.3);
	save(dir, v1_minus6);
	mixdown_player_status ps;
	bool done = wait_status(p, 1, NULL, reload_limit_s(), &ps);
	bool stopped = !ps.playing;
	mixdown_player_play(p);
	int64_t c0 = -1, n = wait_sound(&c0, 2.0, 10.0);
	mxt_jack_arm(false);
	close_player(p, s);
	CHECK_MSG(done, "no reload seen (error: %s)", ps.reload_error);
	CHECK(stopped);
	CHECK(n > 0 && c0 >= 0);
	if (n <= 0 || c0 < 0) {
		free(ref);
		return true;
	}
	/* Aligned at the first non-zero sample of each (the sine starts at 0). */
	int64_t r0 = 0;
	while (r0 < rn && ref[2 * r0] == 0.0f && ref[2 * r0 + 1] == 0.0f)
		r0++;
	int64_t cmp = (int64_t)(1.5 * RATE), diff = 0;
	int judge = judgeable(c0, c0 + cmp, last);
	if (judge <= 0) {
		free(ref);
		return judge < 0;
	}
	double max_diff = 0;
	for (int64_t i = 0; i < cmp && r0 + i < rn; i++)
		for (int c = 0; c < 2; c++) {
			double d = fabs((double)mxt_jack_cap[c][c0 + i] - ref[2 * (r0 + i) + c]);
			diff += d > 0;
			max_diff = fmax(max_diff, d);
		}
	printf("# after a reload while stopped: %lld of %lld samples differ from the offline render (max %.3g)\n",
	       (long long)diff, (long long)(2 * cmp), max_diff);
	CHECK_INT(diff, 0);
	free(ref);
	return true;
}

static void t_reload_stopped(void)
{
	for (int k = 0; k < 3 && !t_reload_stopped_try(k == 2); k++)
		printf("# xruns near the measurement: again\n");
}

int main(void)
{
	static const mxt_case cases[] = { MXT(t_reload_gain), MXT(t_reload_structure), MXT(t_reload_invalid),
					  MXT(t_reload_stopped) };
	int rc = MXT_RUN(cases);
	mxt_jack_stop();
	return rc;
}
