/* mixdown — the OSC address space against a real JACK server: mute, pan and
 * solo reach the captured output within one period plus the 10 ms ramp (the
 * frames where each change starts and completes are measured against offline
 * renders of the changed session), an EQ band gain changes the level at its
 * frequency by the set dB, a send level opens the reverb return, meter
 * subscriptions stream at the requested rate with plausible readings, and
 * --save-on-exit writes the live values back into the session file.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Starts `jackd -d dummy` (48 kHz, 256-frame periods) under a unique server
 * name and runs the built `mixdown play` into this process's capture ports;
 * skips when jackd cannot start.
 */
#include <jack/jack.h>
#include <lo/lo.h>
#include <math.h>
#include <signal.h>
#include <sndfile.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "jack_util.h"
#include "mixdown/mixdown.h"
#include "util.h"

#define RATE 48000
#define PERIOD 256
#define SOUND_S 11.0
#define CAP_FRAMES (RATE * 16)
#define RAMP 480 /* 10 ms */

static float *cap[2];
static _Atomic int64_t cap_n;
static jack_port_t *cap_port[2];
/* The server's xruns during the current try, by captured frame. */
#define MAX_XRUNS 256
static _Atomic int xruns;
static int64_t xrun_at[MAX_XRUNS];

static int on_xrun(void *arg)
{
	(void)arg;
	int k = atomic_fetch_add(&xruns, 1);
	if (k < MAX_XRUNS)
		xrun_at[k] = atomic_load(&cap_n);
	return 0;
}

/* xruns once the sound had started (those while clients connect do not
 * touch the capture compared). */
static int xruns_after(int64_t frame)
{
	int n = atomic_load(&xruns), k = 0;
	for (int i = 0; i < n && i < MAX_XRUNS; i++)
		k += xrun_at[i] >= frame;
	return k;
}

static int cap_process(jack_nframes_t n, void *arg)
{
	(void)arg;
	int64_t at = atomic_load(&cap_n);
	if (at + n > CAP_FRAMES)
		return 0;
	for (int c = 0; c < 2; c++)
		memcpy(cap[c] + at, jack_port_get_buffer(cap_port[c], n), n * sizeof(float));
	atomic_store(&cap_n, at + n);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The session, with what differs per reference rendering. */
static char *session_text(const char *sine_extra, const char *other_extra)
{
	static char buf[2048];
	snprintf(buf, sizeof buf,
		 "mixdown: 1\nsample_rate: 48000\ntracks:\n"
		 "  # a 1 kHz tone through an EQ; its send opens live\n"
		 "  - name: Sine\n%s"
		 "    clips: [ { file: sine.wav } ]\n"
		 "    inserts:\n"
		 "      - { type: eq, bands: [ { type: peak, freq: 1000, gain: 0, q: 1 } ] }\n"
		 "    sends: [ { to: Verb, level: -inf } ]\n"
		 "  - name: Other\n%s"
		 "    clips: [ { file: other.wav } ]\n"
		 "buses:\n"
		 "  - name: Verb   # effect return: solo-safe\n"
		 "    inserts: [ { type: reverb, mix: 1 } ]\n",
		 sine_extra, other_extra);
	return buf;
}

static float *render_ref(const char *dir, const char *name, const char *sine_extra, const char *other_extra,
			 int64_t *frames)
{
	mixdown_render_options o = mixdown_render_options_init();
	o.output = mxt_path(dir, name);
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	mixdown_error err;
	if (mxt_render_yaml(dir, session_text(sine_extra, other_extra), &o, NULL, &err) != MIXDOWN_SUCCESS)
		return NULL;
	int ch = 0, rate = 0, fmt = 0;
	float *r = mxt_read_audio(o.output, frames, &ch, &rate, &fmt);
	if (r && ch != 2) {
		free(r);
		return NULL;
	}
	return r;
}

/* Captured frames relative to the first sound; refs interleaved stereo. */
static int64_t c0, n_cap, n_ref;

/* Where a change sent at frame `sent` begins (first difference from `before`)
 * and completes (from then on equal to `after` until `until`); -1 if never. */
static void change_frames(const float *before, const float *after, int64_t sent, int64_t until, int64_t *start,
			  int64_t *done)
{
	*start = *done = -1;
	for (int64_t f = sent - 4 * PERIOD; f < until && c0 + f < n_cap && f < n_ref; f++) {
		bool changed = false, equal = true;
		for (int c = 0; c < 2; c++) {
			double x = cap[c][c0 + f];
			changed |= fabs(x - before[2 * f + c]) > 1e-6;
			equal &= fabs(x - after[2 * f + c]) <= 1e-5;
		}
		if (changed && *start < 0)
			*start = f;
		if (!equal)
			*done = -1;
		else if (*done < 0)
			*done = f;
	}
	if (*start >= 0)
		*start -= sent;
	if (*done >= 0)
		*done -= sent;
}

/* Amplitude of `hz` in captured channel c over [from, from + n) (a whole
 * number of cycles of every tone used: least squares = a DFT bin). */
static double tone_amp(int c, int64_t from, int64_t n, double hz)
{
	double re = 0, im = 0;
	for (int64_t i = 0; i < n; i++) {
		double w = 2 * M_PI * hz * (double)i / RATE, x = cap[c][c0 + from + i];
		re += x * cos(w);
		im += x * sin(w);
	}
	return 2 * hypot(re, im) / (double)n;
}

/* Meter messages received by this process. */
static int n_meter_other, n_loudness;
static double first_t, last_t;
static float other_peak, other_rms;

static int on_meter(const char *path, const char *types, lo_arg **argv, int argc, lo_message m, void *user)
{
	(void)m, (void)user;
	if (!strcmp(path, "/meter/Other") && argc == 4 && !strcmp(types, "ffff")) {
		double t = now_s();
		if (!n_meter_other++)
			first_t = t;
		last_t = t;
		memcpy(&other_peak, argv[0], sizeof other_peak); /* liblo's args are 4-byte aligned only */
		memcpy(&other_rms, argv[1], sizeof other_rms);
	} else if (!strcmp(path, "/meter/master/loudness") && argc == 3) {
		n_loudness++;
	}
	return 0;
}

/* One try; false when a JACK xrun (a period dropped by the overloaded
 * machine, which shifts the capture against the references) happened and
 * another try is due. */
static bool osc_once(bool last_try)
{
	bool done = true;
	const char *dir = mxt_tempdir();
	int64_t nf = (int64_t)(SOUND_S * RATE);
	float *a = malloc(sizeof(float) * (size_t)nf), *b = malloc(sizeof(float) * (size_t)nf);
	for (int64_t i = 0; i < nf; i++) {
		a[i] = (float)(0.25 * sin(2 * M_PI * 1000.0 * (double)i / RATE + 0.5));
		b[i] = (float)(0.2 * sin(2 * M_PI * 3000.0 * (double)i / RATE + 0.3));
	}
	CHECK(mxt_write_audio(mxt_path(dir, "sine.wav"), a, nf, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	CHECK(mxt_write_audio(mxt_path(dir, "other.wav"), b, nf, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	free(a);
	free(b);
	/* References: as written, Sine muted, Sine panned right, and that with
	 * Other soloed. */
	int64_t n0 = 0, n1 = 0, n3 = 0, n4 = 0;
	float *ref0 = render_ref(dir, "r0.wav", "", "", &n0);
	float *ref1 = render_ref(dir, "r1.wav", "    mute: true\n", "", &n1);
	float *ref3 = render_ref(dir, "r3.wav", "    pan: 1\n", "", &n3);
	float *ref4 = render_ref(dir, "r4.wav", "    pan: 1\n", "    solo: true\n", &n4);
	CHECK(ref0 && ref1 && ref3 && ref4);
	const char *session = mxt_path(dir, "session.yaml");
	CHECK(mxt_write_text(session, session_text("", "")) == 0);
	n_ref = n0;
	n_ref = n1 < n_ref ? n1 : n_ref;
	n_ref = n3 < n_ref ? n3 : n_ref;
	n_ref = n4 < n_ref ? n4 : n_ref;
	if (!ref0 || !ref1 || !ref3 || !ref4)
		goto out_refs;

	jack_client_t *client = mxt_jackd_spawn("mxt-osc", PERIOD, "mxtcap");
	if (!client) {
		mxt_jackd_kill();
		SKIP("jackd -d dummy could not start");
		goto out_refs;
	}
	cap[0] = calloc(CAP_FRAMES, sizeof(float));
	cap[1] = calloc(CAP_FRAMES, sizeof(float));
	atomic_store(&cap_n, 0);
	cap_port[0] = jack_port_register(client, "in_1", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
	cap_port[1] = jack_port_register(client, "in_2", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
	jack_set_process_callback(client, cap_process, NULL);
	jack_set_xrun_callback(client, on_xrun, NULL);
	atomic_store(&xruns, 0);
	n_meter_other = n_loudness = 0; /* the meter feed of this try only */
	CHECK(jack_activate(client) == 0);

	int osc_port = 20000 + (int)((getpid() * 7) % 20000);
	char port_s[16];
	snprintf(port_s, sizeof port_s, "%d", osc_port);
	/* Wall-clock time to play; a sanitized build starts slower. */
	const char *duration = getenv("MXT_ASAN") ? "14" : "10.3";
	pid_t player = fork();
	if (player == 0) {
		execl(MIXDOWN_BIN, MIXDOWN_BIN, "play", session, "--connect", "mxtcap:in_1,mxtcap:in_2", "--osc-port",
		      port_s, "--osc-bind", "127.0.0.1", "--duration", duration, "--name", "mxtosc", "--no-watch",
		      "--save-on-exit", "-q", (char *)NULL);
		_exit(127);
	}
	lo_server meter_srv = lo_server_new(NULL, NULL);
	lo_server_add_method(meter_srv, NULL, NULL, on_meter, NULL);
	lo_address addr = lo_address_new("127.0.0.1", port_s);
	/* Events: (seconds of sound, address, value); sent when the capture has
	 * that much sound. */
	static const struct {
		double at;
		const char *path;
		float v;
	} ev[] = {
		{ 2.0, "/track/Sine/mute", 1 },	       { 3.0, "/track/Sine/mute", 0 },
		{ 4.0, "/track/Sine/pan", 1 },	       { 5.0, "/track/Other/solo", 1 },
		{ 6.0, "/track/Other/solo", 0 },     { 6.5, "/track/Sine/insert/1/bands.1.gain", 6 },
		{ 7.5, "/track/Sine/send/Verb/level", 0 },
	};
	enum { N_EV = sizeof ev / sizeof ev[0] };
	int64_t sent[N_EV];
	for (int i = 0; i < N_EV; i++)
		sent[i] = -1;
	c0 = -1;
	int next = 0;
	bool subscribed = false, unsubscribed = false;
	int meters_at_unsub = 0;
	double t_unsub = 0, t_sub = 0;
	for (double t = now_s(), t_end = t + 20.0; now_s() < t_end;) {
		mxt_sleep_s(0.002);
		while (lo_server_recv_noblock(meter_srv, 0) > 0)
			;
		int64_t n = atomic_load(&cap_n);
		if (c0 < 0) {
			for (int64_t i = 0; i < n && c0 < 0; i++)
				if (cap[0][i] != 0.0f || cap[1][i] != 0.0f)
					c0 = i;
			continue;
		}
		double played = (double)(n - c0) / RATE;
		if (!subscribed && played >= 0.5) {
			lo_send_from(addr, meter_srv, LO_TT_IMMEDIATE, "/meters/subscribe", "f", 20.0f);
			subscribed = true;
			t_sub = now_s();
		}
		if (!unsubscribed && played >= 3.5) {
			lo_send_from(addr, meter_srv, LO_TT_IMMEDIATE, "/meters/unsubscribe", "");
			unsubscribed = true;
			t_unsub = now_s();
		}
		if (unsubscribed && !meters_at_unsub && now_s() - t_unsub > 0.3)
			meters_at_unsub = n_meter_other;
		if (next < N_EV && played >= ev[next].at) {
			sent[next] = atomic_load(&cap_n) - c0;
			lo_send(addr, ev[next].path, "f", ev[next].v);
			next++;
		}
		if (waitpid(player, NULL, WNOHANG) == player) {
			player = -1;
			break;
		}
	}
	int status = 0;
	if (player > 0)
		waitpid(player, &status, 0);
	n_cap = atomic_load(&cap_n);
	mxt_sleep_s(0.3);
	while (lo_server_recv_noblock(meter_srv, 0) > 0)
		;
	int meters_end = n_meter_other;
	lo_address_free(addr);
	lo_server_free(meter_srv);
	jack_deactivate(client);
	jack_client_close(client);
	mxt_jackd_kill();
	int xr = c0 >= 0 ? xruns_after(c0) : 0;
	if (xr > 0) {
		printf("# %d JACK xruns during the capture (dropped periods shift it)%s\n", xr,
		       last_try ? "" : ": again");
		if (last_try)
			SKIP("JACK xruns during every try: this machine cannot keep real time now");
		done = last_try;
		goto out;
	}
	CHECK_MSG(player < 0 || (WIFEXITED(status) && WEXITSTATUS(status) == 0), "mixdown play: status %d", status);
	CHECK_MSG(c0 >= 0 && next == N_EV, "no sound captured, or the events were not all sent (%d)", next);
	if (c0 < 0 || next < N_EV)
		goto out;

	/* Before any change the capture is the offline render (as test_play
	 * checks); if not, the frame measurements below cannot hold. */
	int64_t pre_diff = 0;
	for (int64_t f = 0; f < sent[0] - 4 * PERIOD && c0 + f < n_cap && f < n_ref; f++)
		pre_diff += fabs(cap[0][c0 + f] - ref0[2 * f]) > 1e-6 || fabs(cap[1][c0 + f] - ref0[2 * f + 1]) > 1e-6;
	CHECK_MSG(pre_diff == 0, "%lld frames differ from the offline render before any change (a disk underrun "
		  "or a playback bug, see test_play)", (long long)pre_diff);
	/* Mute, unmute, pan, solo, unsolo: each starts within a period (plus
	 * the one the send fell in) and is complete a ramp later. */
	const float *before[5] = { ref0, ref1, ref0, ref3, ref4 }, *after[5] = { ref1, ref0, ref3, ref4, ref3 };
	const char *what[5] = { "mute", "unmute", "pan", "solo", "unsolo" };
	for (int i = 0; i < 5; i++) {
		int64_t s = -1, d = -1;
		change_frames(before[i], after[i], sent[i], sent[i + 1], &s, &d);
		printf("# %-6s: began %lld frames after the send, complete after %lld\n", what[i], (long long)s,
		       (long long)d);
		CHECK_MSG(s >= 0 && s <= 2 * PERIOD, "%s began at %lld", what[i], (long long)s);
		CHECK_MSG(d >= 0 && d <= 2 * PERIOD + RAMP, "%s complete at %lld", what[i], (long long)d);
	}
	if (getenv("MXT_OSC_DEBUG"))
		for (int64_t k = 0; k < 6; k++) {
			int64_t f = sent[2] + 4000 + k;
			printf("# %lld cap %.7f %.7f ref3 %.7f %.7f ref0 %.7f %.7f\n", (long long)f, cap[0][c0 + f],
			       cap[1][c0 + f], ref3[2 * f], ref3[2 * f + 1], ref0[2 * f], ref0[2 * f + 1]);
		}
	/* Solo silenced Sine (right channel: only Other's centre share). */
	CHECK(tone_amp(1, sent[3] + RATE / 4, 9600, 1000.0) < 1e-5);
	CHECK_NEAR(tone_amp(1, sent[3] + RATE / 4, 9600, 3000.0), 0.2 * pow(10.0, -3.0 / 20.0), 1e-3);

	/* EQ band gain +6 dB at 1 kHz: Sine alone is in the right channel. */
	double g0 = tone_amp(1, sent[5] - 12000, 9600, 1000.0), g1 = tone_amp(1, sent[5] + 4800, 9600, 1000.0);
	double eq_db = 20 * log10(g1 / g0);
	printf("# EQ: 1 kHz %.4f -> %.4f (%+.2f dB)\n", g0, g1, eq_db);
	CHECK_NEAR(eq_db, 6.0, 0.5);
	/* The send opens the reverb return: 1 kHz appears in the left channel
	 * (Sine itself is panned hard right). */
	double l0 = tone_amp(0, sent[6] - 12000, 9600, 1000.0), l1 = tone_amp(0, sent[6] + 12000, 9600, 1000.0);
	printf("# send: left 1 kHz %.2g -> %.2g\n", l0, l1);
	CHECK(l0 < 1e-5);
	CHECK(l1 > 1e-3);

	/* Meters: 20 Hz (+-20 %) while subscribed, none after unsubscribing;
	 * Other's peak: 0.2 at the centre with the -3 dB pan law. */
	double rate = n_meter_other > 1 ? (n_meter_other - 1) / (last_t - first_t) : 0;
	printf("# meters: %d messages for Other at %.1f Hz, %d loudness; peak %.2f dBFS, rms %.2f dBFS\n",
	       n_meter_other, rate, n_loudness, other_peak, other_rms);
	CHECK_NEAR(rate, 20.0, 4.0);
	double want = 20.0 * (t_unsub - t_sub); /* while subscribed, wall-clock */
	CHECK_NEAR(n_meter_other, want, 0.2 * want + 1);
	CHECK_NEAR(n_loudness, want, 0.2 * want + 1);
	CHECK_INT(meters_end, meters_at_unsub);
	CHECK_NEAR(other_peak, 20 * log10(0.2 * pow(10.0, -3.0 / 20.0)), 1.0);
	CHECK_NEAR(other_rms, 20 * log10(0.2 * pow(10.0, -3.0 / 20.0) / sqrt(2.0)), 1.5);

	/* --save-on-exit: the live values are in the file, the rest as it was. */
	mixdown_session *s = NULL;
	mixdown_error err;
	CHECK_INT(mixdown_session_load(session, &s, &err), MIXDOWN_SUCCESS);
	FILE *f = fopen(session, "rb");
	char text[4096] = "";
	size_t tn = f ? fread(text, 1, sizeof text - 1, f) : 0;
	if (f)
		fclose(f);
	text[tn] = '\0';
	printf("# saved session:\n%s", text);
	CHECK_STR_CONTAINS(text, "  - name: Sine\n    pan: 1\n    clips:");
	CHECK_STR_CONTAINS(text, "bands: [ { type: peak, freq: 1000, gain: 6, q: 1 } ]");
	CHECK_STR_CONTAINS(text, "sends: [ { to: Verb, level: 0 } ]");
	CHECK_STR_CONTAINS(text, "  - name: Verb   # effect return: solo-safe\n");
	CHECK(!strstr(text, "mute:") && !strstr(text, "solo:"));
	mixdown_session_free(s);
out:
	free(cap[0]);
	free(cap[1]);
out_refs:
	free(ref0);
	free(ref1);
	free(ref3);
	free(ref4);
	return done;
}

static void t_osc(void)
{
	for (int k = 0; k < 3 && !osc_once(k == 2); k++)
		;
}

int main(void)
{
	static const mxt_case cases[] = { MXT(t_osc) };
	int rc = MXT_RUN(cases);
	mxt_jackd_kill();
	return rc;
}
