/* mixdown — the player's ALSA fallback without a sound card: alsa-lib's
 * `file` PCM plugin (over its `null` plugin) captures what the player writes
 * to a raw file, defined in an ALSA configuration of the test's own
 * (ALSA_CONFIG_PATH). Asserts: the capture equals the offline render of the
 * same session sample for sample (float, after aligning the start) until a
 * live gain change, which then takes effect at its level; S16 through a
 * device that takes no float (the conversion here, within 1 LSB); a device
 * that does not exist fails with a clear error and exit 1; with no JACK
 * server, `mixdown play` falls back to ALSA on its own; with the real-time
 * guard preloaded (tests/rt_guard.c, in a child process), the ALSA audio
 * thread allocates, locks and does I/O nothing over a play with live changes
 * and a reload.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dlfcn.h>
#include <lo/lo.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "mixdown/mixdown.h"
#include "rt_guard.h"
#include "util.h"

#define RATE 48000
#define SECONDS 1.5

static const char *dir;

static void sleep_s(double s)
{
	struct timespec t = { (time_t)s, (long)((s - floor(s)) * 1e9) };
	nanosleep(&t, NULL);
}

/* The session (a tone with an EQ, a second track panned) and its offline
 * render as float; the ALSA configuration defining pcm.cap (float capture)
 * and pcm.cap16 (a device taking integers only: alsa-lib's linear plugin,
 * whose slave is S16). */
static float *setup(int64_t *n)
{
	if (dir)
		goto render;
	dir = mxt_tempdir();
	int64_t frames = (int64_t)(SECONDS * RATE);
	float *a = malloc(sizeof(float) * (size_t)frames * 2), *b = malloc(sizeof(float) * (size_t)frames);
	for (int64_t i = 0; i < frames; i++) {
		/* Phase offsets: the first sample is not 0, which finds the start. */
		a[2 * i] = (float)(0.25 * sin(2 * M_PI * 440.0 * (double)i / RATE + 0.5));
		a[2 * i + 1] = (float)(0.25 * sin(2 * M_PI * 550.0 * (double)i / RATE + 1.0));
		b[i] = (float)(0.2 * sin(2 * M_PI * 330.0 * (double)i / RATE + 0.7));
	}
	CHECK(mxt_write_audio(mxt_path(dir, "a.wav"), a, frames, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	CHECK(mxt_write_audio(mxt_path(dir, "b.wav"), b, frames, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	free(a);
	free(b);
	char conf[2048];
	snprintf(conf, sizeof conf,
		 "pcm.cap { type file slave.pcm { type null } file \"%s\" format \"raw\" }\n"
		 "pcm.cap16raw { type file slave.pcm { type null } file \"%s\" format \"raw\" }\n"
		 "pcm.cap16 { type linear slave { pcm \"cap16raw\" format S16_LE } }\n",
		 mxt_path(dir, "cap.raw"), mxt_path(dir, "cap16.raw"));
	CHECK(mxt_write_text(mxt_path(dir, "asound.conf"), conf) == 0);
	setenv("ALSA_CONFIG_PATH", mxt_path(dir, "asound.conf"), 1);
render:;
	const char *yaml = "mixdown: 1\nsample_rate: 48000\ntracks:\n"
			   "  - name: A\n    gain: -2\n    pan: 0.2\n"
			   "    inserts: [ { type: eq, bands: [ { type: peak, freq: 500, gain: 4, q: 1 } ] } ]\n"
			   "    clips: [ { file: a.wav } ]\n"
			   "  - name: B\n    gain: -3\n    pan: -0.4\n    clips: [ { file: b.wav } ]\n";
	mixdown_render_options o = mixdown_render_options_init();
	o.output = mxt_path(dir, "offline.wav");
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	mixdown_error err;
	CHECK_INT(mxt_render_yaml(dir, yaml, &o, NULL, &err), MIXDOWN_SUCCESS);
	int ch = 0, rate = 0;
	float *ref = mxt_read_audio(mxt_path(dir, "offline.wav"), n, &ch, &rate, NULL);
	CHECK(ref && ch == 2 && rate == RATE);
	return ref;
}

/* Read a raw capture of 2-channel frames as float (format: 4 = float, 2 = S16). */
static float *read_raw(const char *path, int bytes, int64_t *frames)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	*frames = size / (2 * bytes);
	float *x = malloc(sizeof(float) * (size_t)(*frames * 2 + 1));
	for (int64_t i = 0; i < *frames * 2; i++) {
		if (bytes == 4) {
			if (fread(&x[i], 4, 1, f) != 1)
				x[i] = 0;
		} else {
			int16_t v = 0;
			if (fread(&v, 2, 1, f) != 1)
				v = 0;
			x[i] = v;
		}
	}
	fclose(f);
	return x;
}

static int64_t first_nonzero(const float *x, int64_t frames)
{
	for (int64_t i = 0; i < frames * 2; i++)
		if (x[i] != 0.0f)
			return i / 2;
	return -1;
}

/* Play through `device` until `until` s of the timeline; at `change_at` (if
 * > 0) set track A's fader to -20 dB. */
static mixdown_player *play(const char *device, double until, double change_at, mixdown_player_status *ps)
{
	mixdown_session *s = NULL;
	mixdown_error err;
	if (mixdown_session_load(mxt_path(dir, "session.yaml"), &s, &err) != MIXDOWN_SUCCESS) {
		CHECK_MSG(0, "%s", err.message);
		return NULL;
	}
	mixdown_player_options opt = mixdown_player_options_init();
	opt.backend = "alsa";
	opt.device = device;
	opt.period = 256;
	mixdown_player *p = NULL;
	mixdown_status st = mixdown_player_open(s, &opt, &p, &err);
	CHECK_MSG(st == MIXDOWN_SUCCESS, "open: %s", err.message);
	if (st != MIXDOWN_SUCCESS) {
		mixdown_session_free(s);
		return NULL;
	}
	bool changed = false;
	for (int k = 0; k < 1000; k++) {
		sleep_s(0.01);
		mixdown_player_get_status(p, ps);
		if (change_at > 0 && !changed && ps->position >= change_at) {
			CHECK_INT(mixdown_player_control(p, "A", "gain", -20.0, &err), MIXDOWN_SUCCESS);
			changed = true;
		}
		if (ps->position >= until)
			break;
	}
	mixdown_player_get_status(p, ps);
	mixdown_player_close(p);
	mixdown_session_free(s);
	return (mixdown_player *)1;
}

static void t_alsa_capture_equals_render_and_live_gain(void)
{
	int64_t rn = 0;
	float *ref = setup(&rn);
	if (!ref)
		return;
	mixdown_player_status ps;
	if (!play("cap", 1.2, 0.7, &ps)) {
		free(ref);
		return;
	}
	printf("# backend: %s; period %u; xruns %llu, underruns %llu, DSP load %.3f\n", ps.backend, ps.period,
	       (unsigned long long)ps.xruns, (unsigned long long)ps.underruns, ps.dsp_load);
	CHECK_STR_CONTAINS(ps.backend, "alsa \"cap\", FLOAT_LE");
	CHECK_INT(ps.period, 256);
	CHECK_INT(ps.underruns, 0);
	int64_t cn = 0;
	float *cap = read_raw(mxt_path(dir, "cap.raw"), 4, &cn);
	CHECK(cap && cn > RATE);
	if (!cap || cn <= RATE) {
		free(ref);
		free(cap);
		return;
	}
	int64_t c0 = first_nonzero(cap, cn), r0 = first_nonzero(ref, rn);
	CHECK(c0 >= 0 && r0 == 0);
	/* Equal until the change (made at >= 0.7 s), then different. */
	int64_t k = 0, len = cn - c0 < rn - r0 ? cn - c0 : rn - r0;
	double worst = 0;
	for (; k < len; k++) {
		double d = fmax(fabs((double)cap[2 * (c0 + k)] - ref[2 * (r0 + k)]),
				fabs((double)cap[2 * (c0 + k) + 1] - ref[2 * (r0 + k) + 1]));
		if (d > 1e-6)
			break;
		worst = fmax(worst, d);
	}
	printf("# capture (start at frame %lld) equals the render for %lld frames (%.3f s), max |diff| %.3g\n",
	       (long long)c0, (long long)k, (double)k / RATE, worst);
	CHECK_MSG(k >= (int64_t)(0.69 * RATE), "equal for only %lld frames", (long long)k);
	CHECK_MSG(k < (int64_t)(0.95 * RATE), "the live change came at %lld", (long long)k);
	/* After the 10 ms ramp: track A 18 dB lower. Its part is the difference
	 * of the render and the capture; with B the same in both, compare
	 * (ref - cap) to A's expected share, ref_A x (1 - 10^(-18/20)). */
	int64_t from = k + RATE / 100 + 256, to = from + RATE / 5;
	if (to <= len) {
		double num = 0, den = 0;
		for (int64_t i = from; i < to; i++)
			for (int c = 0; c < 2; c++) {
				double diff = (double)ref[2 * (r0 + i) + c] - cap[2 * (c0 + i) + c];
				num += diff * diff;
				den += (double)ref[2 * (r0 + i) + c] * ref[2 * (r0 + i) + c];
			}
		/* Rough: A dominates (0.25 x2 channels, EQ boost vs B at 0.2): the
		 * removed energy is most of the total. */
		double removed_db = 10 * log10(num / den);
		printf("# after the change: removed energy %.2f dB of the render's\n", removed_db);
		CHECK(removed_db > -3.0 && removed_db < 0.0);
	} else {
		CHECK_MSG(0, "capture too short after the change (%lld frames)", (long long)len);
	}
	free(cap);
	free(ref);
}

static void t_alsa_s16_device(void)
{
	int64_t rn = 0;
	float *ref = setup(&rn);
	if (!ref)
		return;
	mixdown_player_status ps;
	if (!play("cap16", 0.6, 0, &ps)) {
		free(ref);
		return;
	}
	printf("# backend: %s\n", ps.backend);
	CHECK_STR_CONTAINS(ps.backend, "S32_LE"); /* the linear plugin takes integers: ours, converted */
	int64_t cn = 0;
	float *cap = read_raw(mxt_path(dir, "cap16.raw"), 2, &cn);
	CHECK(cap && cn > RATE / 2);
	if (cap && cn > RATE / 2) {
		int64_t c0 = first_nonzero(cap, cn);
		/* The first non-zero S16 sample may round the render's first
		 * sample; align on the render's first sample above 1 LSB. */
		int64_t r0 = 0;
		while (r0 < rn && fabs(ref[2 * r0] * 32768.0) < 1.0 && fabs(ref[2 * r0 + 1] * 32768.0) < 1.0)
			r0++;
		int64_t len = cn - c0 < rn - r0 ? cn - c0 : rn - r0;
		len = len < RATE / 2 ? len : RATE / 2;
		double worst = 0;
		for (int64_t i = 0; i < len * 2; i++)
			worst = fmax(worst, fabs(cap[2 * c0 + i] - ref[2 * r0 + i] * 32768.0));
		printf("# S16 capture vs render x 32768: max |diff| %.3f LSB over %lld frames\n", worst, (long long)len);
		CHECK_MSG(worst <= 1.0, "max diff %.3f LSB", worst);
		CHECK(len > RATE / 4);
	}
	free(cap);
	free(ref);
}

static void t_alsa_errors_and_fallback(void)
{
	int64_t rn = 0;
	free(setup(&rn));
	const char *session = mxt_path(dir, "session.yaml");
	int rc = mxt_run_cli("play '%s' --backend alsa --device nonexistent -q --duration 1", session);
	CHECK_INT(rc, 1);
	CHECK_STR_CONTAINS(mxt_cli_err, "cannot open ALSA device \"nonexistent\"");
	rc = mxt_run_cli("play '%s' --backend oss -q", session);
	CHECK_INT(rc, 2);
	/* No JACK server of this name runs: the fallback plays through ALSA. */
	char server[64];
	snprintf(server, sizeof server, "mxt-none-%d", (int)getpid());
	setenv("JACK_DEFAULT_SERVER", server, 1);
	remove(mxt_path(dir, "cap.raw"));
	rc = mxt_run_cli("play '%s' --device cap --duration 0.4", session);
	CHECK_INT(rc, 0);
	CHECK_STR_CONTAINS(mxt_cli_err, "playing through alsa \"cap\"");
	int64_t cn = 0;
	float *cap = read_raw(mxt_path(dir, "cap.raw"), 4, &cn);
	CHECK(cap && cn >= RATE / 4);
	CHECK(cap && first_nonzero(cap, cn) >= 0);
	free(cap);
	/* Forcing JACK fails as before. */
	rc = mxt_run_cli("play '%s' --backend jack -q --duration 0.2", session);
	CHECK_INT(rc, 1);
	CHECK_STR_CONTAINS(mxt_cli_err, "JACK server");
	unsetenv("JACK_DEFAULT_SERVER");
}

/* Polarity, width and insert bypass set live are written back to the file
 * (mixdown_player_save, what --save-on-exit calls) and load again. */
static void t_live_console_values_saved(void)
{
	int64_t rn = 0;
	free(setup(&rn));
	const char *path = mxt_path(dir, "session.yaml");
	mixdown_session *s = NULL;
	mixdown_error err;
	CHECK_INT(mixdown_session_load(path, &s, &err), MIXDOWN_SUCCESS);
	mixdown_player_options opt = mixdown_player_options_init();
	opt.backend = "alsa";
	opt.device = "cap";
	opt.start_stopped = true;
	mixdown_player *p = NULL;
	CHECK_INT(mixdown_player_open(s, &opt, &p, &err), MIXDOWN_SUCCESS);
	if (!p) {
		mixdown_session_free(s);
		return;
	}
	CHECK_INT(mixdown_player_control(p, "B", "polarity", 1, &err), MIXDOWN_SUCCESS);
	CHECK_INT(mixdown_player_control(p, "A", "width", 0.5, &err), MIXDOWN_SUCCESS);
	CHECK_INT(mixdown_player_control(p, "A", "insert:1:bypass", 1, &err), MIXDOWN_SUCCESS);
	CHECK_INT(mixdown_player_control(p, "master", "polarity", 1, &err), MIXDOWN_SUCCESS);
	CHECK_INT(mixdown_player_control(p, "A", "insert:2:bypass", 1, &err), MIXDOWN_ERR_USAGE);
	CHECK_STR_CONTAINS(err.message, "no insert");
	mixdown_strip_state st[3];
	CHECK_INT(mixdown_player_strips(p, st, 3), 3);
	CHECK(st[1].invert && !st[0].invert && st[2].invert);
	CHECK_NEAR(st[0].width, 0.5, 0);
	CHECK_INT(mixdown_player_save(p, path, &err), MIXDOWN_SUCCESS);
	mixdown_player_close(p);
	mixdown_session_free(s);
	FILE *f = fopen(path, "r");
	char text[4096] = "";
	size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
	text[n] = '\0';
	if (f)
		fclose(f);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		printf("# saved: %s\n", line);
	f = fopen(path, "r");
	n = f ? fread(text, 1, sizeof text - 1, f) : 0;
	text[n] = '\0';
	if (f)
		fclose(f);
	CHECK_STR_CONTAINS(text, "invert: true");
	CHECK_STR_CONTAINS(text, "width: 0.5");
	CHECK_STR_CONTAINS(text, "bypass: true");
	CHECK_STR_CONTAINS(text, "type: peak, freq: 500"); /* the rest as it was */
	mixdown_session *s2 = NULL;
	CHECK_INT(mixdown_session_load(path, &s2, &err), MIXDOWN_SUCCESS);
	mixdown_session_free(s2);
}

/* The OSC addresses of the console controls (docs/osc.md) reach the player:
 * its strip state follows them (the engine's response is test_live.c's). */
static void t_osc_polarity_width_bypass(void)
{
	int64_t rn = 0;
	free(setup(&rn));
	mixdown_session *s = NULL;
	mixdown_error err;
	CHECK_INT(mixdown_session_load(mxt_path(dir, "session.yaml"), &s, &err), MIXDOWN_SUCCESS);
	mixdown_player_options opt = mixdown_player_options_init();
	opt.backend = "alsa";
	opt.device = "cap";
	opt.osc_port = 30000 + (int)(getpid() % 20000);
	mixdown_player *p = NULL;
	CHECK_INT(mixdown_player_open(s, &opt, &p, &err), MIXDOWN_SUCCESS);
	if (!p) {
		mixdown_session_free(s);
		return;
	}
	char port[16];
	snprintf(port, sizeof port, "%d", opt.osc_port);
	lo_address a = lo_address_new("127.0.0.1", port);
	lo_send(a, "/track/B/polarity", "T");
	lo_send(a, "/track/A/width", "f", 0.25f);
	lo_send(a, "/master/polarity", "i", 1);
	lo_send(a, "/track/A/insert/1/bypass", "T");
	lo_send(a, "/track/A/insert/9/bypass", "T"); /* no such insert: rejected */
	mixdown_player_status ps = { 0 };
	for (int k = 0; k < 200 && (ps.osc_messages < 5 || ps.osc_rejected < 1); k++) { /* the last one: all handled */
		sleep_s(0.01);
		mixdown_player_get_status(p, &ps);
	}
	CHECK_INT(ps.osc_messages, 5); /* received, the rejected one included */
	CHECK_INT(ps.osc_rejected, 1);
	mixdown_strip_state st[3];
	CHECK_INT(mixdown_player_strips(p, st, 3), 3);
	CHECK(st[1].invert && st[2].invert && !st[0].invert);
	CHECK_NEAR(st[0].width, 0.25, 0);
	CHECK_INT(mixdown_player_save(p, mxt_path(dir, "session.yaml"), &err), MIXDOWN_SUCCESS);
	lo_address_free(a);
	mixdown_player_close(p);
	mixdown_session_free(s);
	FILE *f = fopen(mxt_path(dir, "session.yaml"), "r");
	char text[4096] = "";
	size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
	text[n] = '\0';
	if (f)
		fclose(f);
	CHECK_STR_CONTAINS(text, "bypass: true"); /* the insert bypassed over OSC */
	CHECK_STR_CONTAINS(text, "width: 0.25");
}

/* Child (the guard preloaded): play with live changes and a reload; exit 0
 * when the audio thread was bracketed and did nothing forbidden. */
static int guard_child(void)
{
	void *self = dlopen(NULL, RTLD_LAZY);
	void *c = self ? dlsym(self, "mxd_rt_guard_count") : NULL, *n = self ? dlsym(self, "mxd_rt_guard_entries") : NULL;
	if (!c || !n) {
		printf("# the guard did not load\n");
		return 2;
	}
	uint64_t (*count)(mxd_rt_guard_kind);
	uint64_t (*entries)(void);
	memcpy(&count, &c, sizeof c);
	memcpy(&entries, &n, sizeof n);
	int64_t rn = 0;
	free(setup(&rn));
	mixdown_session *s = NULL;
	mixdown_error err;
	if (mixdown_session_load(mxt_path(dir, "session.yaml"), &s, &err) != MIXDOWN_SUCCESS)
		return 3;
	mixdown_player_options opt = mixdown_player_options_init();
	opt.backend = "alsa";
	opt.device = "cap";
	mixdown_player *p = NULL;
	if (mixdown_player_open(s, &opt, &p, &err) != MIXDOWN_SUCCESS) {
		printf("# open: %s\n", err.message);
		return 4;
	}
	for (int k = 0; k < 60; k++) {
		sleep_s(0.01);
		mixdown_player_control(p, "A", "gain", -(double)(k % 20), NULL);
		mixdown_player_control(p, "B", "pan", (k % 10) / 10.0, NULL);
		mixdown_player_control(p, "A", "insert:1:bypass", k % 2, NULL);
		mixdown_player_control(p, "B", "polarity", k % 3 == 0, NULL);
		mixdown_player_control(p, "A", "width", (k % 5) / 4.0, NULL);
		if (k == 20)
			mixdown_player_reload(p, mxt_path(dir, "session.yaml"), NULL);
		if (k == 40)
			mixdown_player_locate(p, 0.2);
	}
	mixdown_player_close(p);
	mixdown_session_free(s);
	uint64_t a = count(MXD_RT_GUARD_ALLOC), l = count(MXD_RT_GUARD_LOCK), io = count(MXD_RT_GUARD_IO);
	printf("# ALSA audio thread under the guard: %llu cycles; allocations %llu, locks %llu, I/O %llu\n",
	       (unsigned long long)entries(), (unsigned long long)a, (unsigned long long)l, (unsigned long long)io);
	return entries() > 50 && a + l + io == 0 ? 0 : 1;
}

static void t_alsa_audio_thread_guard(void)
{
	char lib[4096];
	snprintf(lib, sizeof lib, "%s/tests/libmxt_rt_guard.so", MIXDOWN_BUILD_DIR);
	if (access(lib, R_OK) != 0 || getenv("MXT_ASAN")) {
		SKIP("no real-time guard library in this build (sanitizer builds have none)");
		return;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		setenv("MXT_ALSA_GUARD_CHILD", "1", 1);
		setenv("LD_PRELOAD", lib, 1);
		execl("/proc/self/exe", "test_play_alsa", (char *)NULL);
		_exit(127);
	}
	int status = 0;
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "guard child: status 0x%x", status);
}

int main(void)
{
	if (getenv("MXT_ALSA_GUARD_CHILD"))
		return guard_child();
	static const mxt_case cases[] = {
		MXT(t_alsa_capture_equals_render_and_live_gain),
		MXT(t_alsa_s16_device),
		MXT(t_alsa_errors_and_fallback),
		MXT(t_live_console_values_saved),
		MXT(t_osc_polarity_width_bypass),
		MXT(t_alsa_audio_thread_guard),
	};
	return MXT_RUN(cases);
}
