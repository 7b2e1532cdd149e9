/* mixdown — the player's transport against a real JACK server: a seamless
 * loop (sample-compared with the offline render, fades checked sample by
 * sample), locate by bar:beat, following the JACK transport (every rolling
 * cycle equals the render at the transport's frame), per-bus outputs (equal
 * to `render --stems`) and a live `input:` track (a sine through the strip's
 * gain and pan, as the offline strip does it to the same sine as a clip).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Starts `jackd -d dummy` (48 kHz, 1024-frame periods) under a unique server
 * name, opens the player in this process (client "mxtplay") and two clients
 * of its own: "mxtsrc" plays a sine, "mxtcap" records four inputs with the
 * transport state of every cycle. Skips when jackd cannot start.
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
#define PERIOD 1024 /* long periods: few xruns on a loaded machine */
#define CAP_FRAMES (RATE * 12)
#define CAP_PORTS 4
#define FADE 240 /* 5 ms at 48 kHz */

static jack_client_t *cap_client, *src_client;
static jack_port_t *cap_port[CAP_PORTS], *src_port;
static float *cap[CAP_PORTS];
static _Atomic int64_t cap_n;
static _Atomic bool cap_on;
/* per captured cycle (PERIOD frames each) */
static jack_transport_state_t cyc_state[CAP_FRAMES / PERIOD];
static int64_t cyc_tframe[CAP_FRAMES / PERIOD];
static int64_t cyc_time[CAP_FRAMES / PERIOD];

static double src_value(int64_t t)
{
	return 0.25 * sin(2 * M_PI * 440.0 * (double)t / RATE);
}

static int src_process(jack_nframes_t n, void *arg)
{
	(void)arg;
	float *o = jack_port_get_buffer(src_port, n);
	int64_t t0 = jack_last_frame_time(src_client);
	for (jack_nframes_t i = 0; i < n; i++)
		o[i] = (float)src_value(t0 + (int64_t)i);
	return 0;
}

static int cap_process(jack_nframes_t n, void *arg)
{
	(void)arg;
	int64_t at = atomic_load(&cap_n);
	if (!atomic_load(&cap_on) || n != PERIOD || at + n > CAP_FRAMES)
		return 0;
	for (int c = 0; c < CAP_PORTS; c++)
		memcpy(cap[c] + at, jack_port_get_buffer(cap_port[c], n), n * sizeof(float));
	jack_position_t pos;
	cyc_state[at / PERIOD] = jack_transport_query(cap_client, &pos);
	cyc_tframe[at / PERIOD] = pos.frame;
	cyc_time[at / PERIOD] = jack_last_frame_time(cap_client);
	atomic_store(&cap_n, at + n);
	return 0;
}

static void stop_jackd(void)
{
	if (cap_client) {
		jack_deactivate(cap_client);
		jack_client_close(cap_client);
		cap_client = NULL;
	}
	if (src_client) {
		jack_deactivate(src_client);
		jack_client_close(src_client);
		src_client = NULL;
	}
	mxt_jackd_kill();
}

/* jackd and the two test clients; false if jackd did not start. */
static bool start_jackd(void)
{
	static bool tried, ok;
	if (tried)
		return ok;
	tried = true;
	cap_client = mxt_jackd_spawn("mxt-tr", PERIOD, "mxtcap");
	jack_status_t st;
	if (!cap_client ||
	    !(src_client = jack_client_open("mxtsrc", JackNoStartServer | JackServerName, &st, mxt_jack_server)))
		return false;
	for (int c = 0; c < CAP_PORTS; c++) {
		char name[16];
		snprintf(name, sizeof name, "in_%d", c + 1);
		cap_port[c] = jack_port_register(cap_client, name, JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
		cap[c] = calloc(CAP_FRAMES, sizeof(float));
	}
	src_port = jack_port_register(src_client, "out_1", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
	jack_set_process_callback(cap_client, cap_process, NULL);
	jack_set_process_callback(src_client, src_process, NULL);
	ok = jack_activate(cap_client) == 0 && jack_activate(src_client) == 0 &&
	     jack_get_buffer_size(cap_client) == PERIOD;
	return ok;
}

static void capture_start(void)
{
	atomic_store(&cap_on, false);
	mxt_sleep_s(0.02);
	for (int c = 0; c < CAP_PORTS; c++)
		memset(cap[c], 0, CAP_FRAMES * sizeof(float));
	atomic_store(&cap_n, 0);
	atomic_store(&cap_on, true);
}

static int64_t first_nonzero(const float *a, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		if (a[i] != 0.0f)
			return i;
	return -1;
}

/* Wait until `frames` have been captured after the first sound on in_1. */
static int64_t wait_sound(int64_t frames, double timeout)
{
	int64_t c0 = -1;
	for (double w = 0; w < timeout; w += 0.02) {
		mxt_sleep_s(0.02);
		int64_t n = atomic_load(&cap_n);
		if (c0 < 0)
			c0 = first_nonzero(cap[0], n);
		if (c0 >= 0 && n - c0 >= frames)
			break;
	}
	return c0;
}

static float *render(const char *dir, const char *yaml, const char *stems, int64_t *n)
{
	mixdown_render_options o = mixdown_render_options_init();
	o.output = mxt_path(dir, "offline.wav");
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	o.stems_dir = stems;
	mixdown_error err;
	if (mxt_render_yaml(dir, yaml, &o, NULL, &err) != MIXDOWN_SUCCESS)
		return NULL;
	int ch = 0;
	float *ref = mxt_read_audio(mxt_path(dir, "offline.wav"), n, &ch, NULL, NULL);
	if (ref && ch != 2) {
		free(ref);
		return NULL;
	}
	return ref;
}

static mixdown_player *open_player(const char *dir, mixdown_session **s, mixdown_player_options *o)
{
	mixdown_error err;
	if (mixdown_session_load(mxt_path(dir, "session.yaml"), s, &err) != MIXDOWN_SUCCESS) {
		mxt_fail(__FILE__, __LINE__, "%s", err.message);
		return NULL;
	}
	o->client_name = "mxtplay";
	if (!o->connect)
		o->connect = "mxtcap:in_1,mxtcap:in_2";
	mixdown_player *p = NULL;
	if (mixdown_player_open(*s, o, &p, &err) != MIXDOWN_SUCCESS) {
		mxt_fail(__FILE__, __LINE__, "player: %s", err.message);
		mixdown_session_free(*s);
		*s = NULL;
	}
	return p;
}

static void write_sources(const char *dir, double seconds)
{
	int64_t fa = (int64_t)(seconds * RATE);
	float *a = malloc(sizeof(float) * (size_t)fa * 2), *b = malloc(sizeof(float) * (size_t)fa);
	mxt_noise(a, fa * 2, 0.25, 4242u);
	for (int64_t i = 0; i < fa; i++)
		b[i] = (float)(0.1 * sin(2 * M_PI * 220.0 * (double)i / RATE) + 0.05 * (double)i / (double)fa);
	mxt_write_audio(mxt_path(dir, "a.wav"), a, fa, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	mxt_write_audio(mxt_path(dir, "b.wav"), b, fa, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	free(a);
	free(b);
}

static float rise(double x)
{
	return (float)(0.5 - 0.5 * cos(M_PI * x));
}

/* The player's output sample k (counted from its first sound) on channel c. */
typedef float (*expect_fn)(const void *ctx, int64_t k, int c);

/* Compares the capture of channels ch0, ch0 + 1 from c0 (the first sound,
 * a cycle start) with expect(k) cycle by cycle. A cycle that does not match
 * (a JACK xrun can drop or repeat one) is counted, and the next cycle is
 * re-synchronized to the expected stream within a few periods. Returns the
 * samples that matched exactly in matching cycles; *bad_cycles counts the
 * others, *fade_err the largest difference where expect() is not a plain
 * copy (tol_from..: ignored here, callers use exact streams). */
static int64_t compare_cycles(const void *ctx, expect_fn expect, int ch0, int64_t c0, int64_t n, int64_t total,
			      int64_t *bad_cycles, int64_t *good_cycles)
{
	int64_t k = 0, matched = 0;
	*bad_cycles = *good_cycles = 0;
	for (int64_t at = c0; at + PERIOD <= n && k < total; at += PERIOD) {
		int64_t found = -1;
		for (int j = 0; j <= 8 && found < 0; j++) {
			int64_t cand = k + (j % 2 ? -(j + 1) / 2 : j / 2) * PERIOD; /* k, k-P, k+P, k-2P... */
			if (cand < 0)
				continue;
			bool same = true;
			for (int64_t i = 0; i < PERIOD && same && cand + i < total; i++)
				for (int c = 0; c < 2 && same; c++)
					same = cap[ch0 + c][at + i] == expect(ctx, cand + i, c);
			if (same)
				found = cand;
		}
		if (found < 0) {
			++*bad_cycles;
			k += PERIOD;
			continue;
		}
		++*good_cycles;
		matched += 2 * (total - found < PERIOD ? total - found : PERIOD);
		k = found + PERIOD;
	}
	return matched;
}

typedef struct {
	const float *ref;
	int reps;
} loop_ctx;

/* Output sample k of the loop test: 0.5 s .. 2 s, then 1 .. 2 s again and
 * again, each frame the render's times the wrap fades. */
static float loop_expect(const void *ctx, int64_t k, int c)
{
	const loop_ctx *x = ctx;
	int64_t first = (int64_t)(1.5 * RATE);
	bool wrapped = k >= first;
	int64_t t = wrapped ? RATE + (k - first) % RATE : RATE / 2 + k;
	float g = 1.0f;
	if (t >= 2 * RATE - FADE)
		g = rise((double)(2 * RATE - t - 1) / FADE);
	if (wrapped && t < RATE + FADE)
		g *= rise((double)(t - RATE) / FADE);
	return g == 1.0f ? x->ref[2 * t + c] : x->ref[2 * t + c] * g;
}

static float plain_expect(const void *ctx, int64_t k, int c)
{
	return ((const float *)ctx)[2 * k + c];
}

/* Loop 1.0..2.0 s entered from 0.5 s ("1:2" at 120 bpm); track B's limiter
 * gives the graph latency, so the disk stream must wrap `latency` frames
 * after the output does. */
static void t_loop(void)
{
	if (!start_jackd()) {
		SKIP("jackd -d dummy could not start");
		return;
	}
	const char *dir = mxt_tempdir();
	write_sources(dir, 3.0);
	const char *yaml = "mixdown: 1\nsample_rate: 48000\ntempo: 120\ntracks:\n"
			   "  - { name: A, file: a.wav, gain: -2, pan: 0.3 }\n"
			   "  - name: B\n    file: b.wav\n    pan: -0.5\n"
			   "    inserts: [ { type: limiter, ceiling: 0, lookahead: 5 } ]\n";
	int64_t rn = 0;
	float *ref = render(dir, yaml, NULL, &rn);
	CHECK(ref != NULL);
	if (!ref)
		return;
	mixdown_session *s = NULL;
	mixdown_player_options o = mixdown_player_options_init();
	o.start_stopped = true;
	o.osc_port = 20000 + (int)(getpid() % 20000);
	char port_s[16];
	snprintf(port_s, sizeof port_s, "%d", o.osc_port);
	mixdown_player *p = open_player(dir, &s, &o);
	if (!p) {
		free(ref);
		return;
	}
	int reps = getenv("MXT_ASAN") ? 2 : 4;
	capture_start();
	/* Over OSC: the loop, a bar:beat locate (1:2 = 0.5 s at 120 bpm), play. */
	CHECK(!mixdown_player_locate_bars(p, "1:9"));
	lo_address addr = lo_address_new("127.0.0.1", port_s);
	lo_send(addr, "/transport/loop", "ff", 1.0f, 2.0f);
	lo_send(addr, "/transport/locate", "s", "1:2");
	lo_send(addr, "/transport/locate", "s", "nowhere"); /* rejected */
	lo_send(addr, "/transport/play", "");
	lo_address_free(addr);
	int64_t c0 = wait_sound((int64_t)(1.5 * RATE) + reps * RATE + PERIOD, 5.0 + reps);
	mixdown_player_status ps;
	mixdown_player_get_status(p, &ps);
	CHECK_NEAR(ps.loop_start, 1.0, 0);
	CHECK_NEAR(ps.loop_end, 2.0, 0);
	CHECK(ps.position >= 1.0 && ps.position < 2.0);
	CHECK_INT(ps.osc_messages, 4);
	CHECK_INT(ps.osc_rejected, 1);
	printf("# loop: %llu disk underruns, %llu xruns\n", (unsigned long long)ps.underruns,
	       (unsigned long long)ps.xruns);
	mixdown_player_close(p);
	mixdown_session_free(s);
	int64_t n = atomic_load(&cap_n);
	CHECK_MSG(c0 >= 0, "no sound captured");
	if (c0 < 0) {
		free(ref);
		return;
	}
	/* Every cycle from the first sound is the expected stream: the first
	 * pass, then the loop again and again, sample for sample, with the fades
	 * (ref * gain computed as the player does). A cycle may be lost to an
	 * xrun on a loaded machine; then at most two per xrun. */
	int64_t total = (int64_t)(1.5 * RATE) + reps * RATE, bad = 0, good = 0;
	loop_ctx x = { ref, reps };
	int64_t matched = compare_cycles(&x, loop_expect, 0, c0, n, total, &bad, &good);
	printf("# loop: %lld samples equal in %lld cycles (%.2f s of output, %d passes of the loop), %lld cycles "
	       "not (xruns %llu)\n",
	       (long long)matched, (long long)good, (double)matched / 2 / RATE, reps, (long long)bad,
	       (unsigned long long)ps.xruns);
	CHECK(bad <= 2 * (int64_t)ps.xruns);
	CHECK(matched >= 2 * (total - 2 * (int64_t)ps.xruns * PERIOD) - 2 * PERIOD);
	/* The fades themselves, on the wrap into the first repetition: zero at
	 * the wrap, rising as a raised cosine (checked exactly above). */
	CHECK_NEAR(loop_expect(&x, (int64_t)(1.5 * RATE), 0), 0, 0);
	CHECK_NEAR(loop_expect(&x, (int64_t)(1.5 * RATE) - 1, 0), 0, 0);
	free(ref);
}

/* Follow the JACK transport: every rolling cycle carries the render at the
 * transport's frame, from the first one; stopped cycles are silent; the
 * player's own locate moves the transport. */
static void t_follow_transport(void)
{
	if (!start_jackd()) {
		SKIP("jackd -d dummy could not start");
		return;
	}
	const char *dir = mxt_tempdir();
	write_sources(dir, 4.0);
	const char *yaml = "mixdown: 1\nsample_rate: 48000\ntempo: 120\ntracks:\n"
			   "  - { name: A, file: a.wav, gain: -2, pan: 0.3 }\n"
			   "  - { name: B, file: b.wav, pan: -0.5 }\n";
	int64_t rn = 0;
	float *ref = render(dir, yaml, NULL, &rn);
	CHECK(ref != NULL);
	if (!ref)
		return;
	mixdown_session *s = NULL;
	mixdown_player_options o = mixdown_player_options_init();
	o.follow_transport = true;
	jack_transport_stop(cap_client);
	jack_transport_locate(cap_client, 0);
	mixdown_player *p = open_player(dir, &s, &o);
	if (!p) {
		free(ref);
		return;
	}
	capture_start();
	mxt_sleep_s(0.3);
	mixdown_player_status ps;
	mixdown_player_get_status(p, &ps);
	CHECK(!ps.playing); /* the transport is stopped */
	jack_transport_locate(cap_client, RATE / 2);
	mxt_sleep_s(0.3);
	mixdown_player_get_status(p, &ps);
	CHECK_NEAR(ps.position, 0.5, 0);
	jack_transport_start(cap_client);
	mxt_sleep_s(1.0);
	mixdown_player_locate(p, 2.0); /* moves the JACK transport */
	mxt_sleep_s(0.8);
	jack_transport_stop(cap_client);
	mxt_sleep_s(0.3);
	mixdown_player_get_status(p, &ps);
	CHECK(!ps.playing);
	uint64_t xruns = ps.xruns;
	mixdown_player_close(p);
	mixdown_session_free(s);
	int64_t n = atomic_load(&cap_n);
	int64_t rolling = 0, bad = 0, after_locate = 0, stopped_loud = 0, first_roll = -1;
	for (int64_t cy = 0; cy < n / PERIOD; cy++) {
		int64_t f = cyc_tframe[cy];
		if (cyc_state[cy] != JackTransportRolling) {
			for (int64_t i = 0; i < PERIOD; i++)
				stopped_loud += cap[0][cy * PERIOD + i] != 0.0f;
			continue;
		}
		if (first_roll < 0)
			first_roll = f;
		if (f + PERIOD > rn)
			continue;
		rolling++;
		after_locate += f >= 2 * RATE;
		bool same = true;
		for (int64_t i = 0; i < PERIOD; i++)
			for (int c = 0; c < 2; c++)
				same = same && cap[c][cy * PERIOD + i] == ref[2 * (f + i) + c];
		bad += !same;
	}
	printf("# follow: %lld rolling cycles (%lld after the locate to 2 s), first at frame %lld; %lld cycles "
	       "differ from the render at the transport's frame (xruns %llu); %lld non-silent samples while not "
	       "rolling\n",
	       (long long)rolling, (long long)after_locate, (long long)first_roll, (long long)bad,
	       (unsigned long long)xruns, (long long)stopped_loud);
	CHECK_INT(first_roll, RATE / 2);
	CHECK(rolling > (int64_t)(1.5 * RATE / PERIOD));
	CHECK(after_locate > (int64_t)(0.5 * RATE / PERIOD));
	CHECK(bad <= 2 * (int64_t)xruns); /* 0 without xruns */
	CHECK(stopped_loud <= 2 * (int64_t)xruns * PERIOD);
	free(ref);
}

/* Per-bus outputs equal the offline bus stems; a live input track plays the
 * source client's sine through its strip. */
static void t_bus_outputs_and_input(void)
{
	if (!start_jackd()) {
		SKIP("jackd -d dummy could not start");
		return;
	}
	const char *dir = mxt_tempdir();
	write_sources(dir, 3.0);
	/* Offline, the Mic strip's gains are measured on the same sine as a clip. */
	float *sine = malloc(sizeof(float) * 3 * RATE);
	for (int64_t i = 0; i < 3 * RATE; i++)
		sine[i] = (float)src_value(i);
	mxt_write_audio(mxt_path(dir, "sine.wav"), sine, 3 * RATE, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	const char *strip = "    gain: -6\n    pan: -0.5\n    inserts: [ { type: eq, bands: [ { type: peak, freq: 440, "
			    "gain: 3, q: 1 } ] } ]\n";
	char yaml[2048];
	snprintf(yaml, sizeof yaml, "mixdown: 1\nsample_rate: 48000\ntracks:\n  - name: Mic\n    file: sine.wav\n%s",
		 strip);
	int64_t mn = 0;
	float *mic = render(dir, yaml, NULL, &mn);
	CHECK(mic != NULL);
	/* The bus session. */
	const char *bus_yaml = "mixdown: 1\nsample_rate: 48000\ntracks:\n"
			       "  - { name: A, file: a.wav, gain: -2, pan: 0.3, output: Drums }\n"
			       "  - { name: B, file: b.wav, pan: -0.5, output: Drums, sends: [ { to: Echo, level: -6 } ] }\n"
			       "buses:\n  - { name: Drums, gain: -3, pan: 0.2 }\n"
			       "  - name: Echo\n    inserts: [ { type: delay, time: 50, feedback: 0.3, mix: 1 } ]\n";
	int64_t rn = 0;
	float *ref = render(dir, bus_yaml, dir, &rn);
	int64_t sn = 0, en = 0;
	float *drums = mxt_read_audio(mxt_path(dir, "Drums.wav"), &sn, NULL, NULL, NULL);
	float *echo = mxt_read_audio(mxt_path(dir, "Echo.wav"), &en, NULL, NULL, NULL);
	CHECK(ref && drums && echo && sn == rn && en == rn);
	if (!ref || !drums || !echo || !mic)
		goto out;
	mixdown_session *s = NULL;
	mixdown_player_options o = mixdown_player_options_init();
	o.bus_outputs = true;
	o.start_stopped = true;
	mixdown_player *p = open_player(dir, &s, &o);
	if (!p)
		goto out;
	CHECK(jack_connect(cap_client, "mxtplay:Drums_1", "mxtcap:in_3") == 0);
	CHECK(jack_connect(cap_client, "mxtplay:Echo_2", "mxtcap:in_4") == 0);
	capture_start();
	mixdown_player_play(p);
	int64_t c0 = wait_sound(2 * RATE, 6.0);
	mixdown_player_status ps;
	mixdown_player_get_status(p, &ps);
	printf("# bus outputs: %llu disk underruns, %llu xruns\n", (unsigned long long)ps.underruns,
	       (unsigned long long)ps.xruns);
	mixdown_player_close(p);
	mixdown_session_free(s);
	int64_t n = atomic_load(&cap_n), bad = 0, good = 0, bbad = 0, bgood = 0;
	CHECK(c0 >= 0 && n - c0 >= 2 * RATE);
	/* Drums left and Echo right as one stream, as in_3 and in_4 carry them. */
	float *bus = malloc(sizeof(float) * 2 * (size_t)rn);
	for (int64_t i = 0; i < rn; i++) {
		bus[2 * i] = drums[2 * i];
		bus[2 * i + 1] = echo[2 * i + 1];
	}
	int64_t m = c0 >= 0 ? compare_cycles(ref, plain_expect, 0, c0, n, 2 * RATE, &bad, &good) : 0;
	int64_t mb = c0 >= 0 ? compare_cycles(bus, plain_expect, 2, c0, n, 2 * RATE, &bbad, &bgood) : 0;
	free(bus);
	printf("# bus outputs: master %lld samples equal to the render (%lld cycles not), bus ports %lld samples "
	       "equal to the stems (%lld cycles not); xruns %llu\n",
	       (long long)m, (long long)bad, (long long)mb, (long long)bbad, (unsigned long long)ps.xruns);
	CHECK(bad <= 2 * (int64_t)ps.xruns && bbad <= 2 * (int64_t)ps.xruns);
	CHECK(m >= 2 * (2 * RATE - 2 * (int64_t)ps.xruns * PERIOD) - 2 * PERIOD);
	CHECK(mb >= 2 * (2 * RATE - 2 * (int64_t)ps.xruns * PERIOD) - 2 * PERIOD);

	/* Live input: Mic takes in_1 from mxtsrc:out_1. */
	snprintf(yaml, sizeof yaml, "mixdown: 1\nsample_rate: 48000\ntracks:\n  - name: Mic\n    input: 1\n%s", strip);
	CHECK(mxt_write_text(mxt_path(dir, "session.yaml"), yaml) == 0);
	o = mixdown_player_options_init();
	o.connect_inputs = "mxtsrc:out_1";
	p = open_player(dir, &s, &o);
	if (!p)
		goto out;
	capture_start();
	int64_t l0 = wait_sound(2 * RATE, 5.0);
	mixdown_player_close(p);
	mixdown_session_free(s);
	n = atomic_load(&cap_n);
	CHECK(l0 >= 0);
	if (l0 < 0)
		goto out;
	/* The strip is linear and time-invariant after its first second: the
	 * capture at JACK frame time T is the offline output for the clip frame
	 * whose sine phase matches T (the sine repeats every 1200 frames at 440
	 * Hz, 48 kHz), give or take a period of graph order. */
	int64_t from = (l0 / PERIOD + RATE / PERIOD + 1) * PERIOD; /* a second in: the EQ has settled */
	double best = INFINITY;
	int64_t best_d = -1;
	for (int64_t d = 0; d <= 2 * PERIOD; d += PERIOD) {
		double err = 0;
		for (int64_t i = 0; i < 4 * PERIOD && from + i < n; i++) {
			int64_t T = cyc_time[(from + i) / PERIOD] + (from + i) % PERIOD - d;
			int64_t k = RATE + ((T % 1200) + 1200) % 1200; /* same phase, a second into the clip */
			for (int c = 0; c < 2; c++)
				err = fmax(err, fabs((double)cap[c][from + i] - mic[2 * k + c]));
		}
		if (err < best) {
			best = err;
			best_d = d;
		}
	}
	double l_rms = mxt_rms_db(cap[0], 1, 0, from, RATE / 4), r_rms = mxt_rms_db(cap[1], 1, 0, from, RATE / 4);
	printf("# live input: offset %lld frames, max difference from the offline strip %.3g; L %.2f dB, R %.2f dB\n",
	       (long long)best_d, best, l_rms, r_rms);
	CHECK(from + RATE / 4 <= n);
	CHECK(best < 1e-4);
	CHECK(l_rms > r_rms + 6); /* panned left */
out:
	free(sine);
	free(mic);
	free(ref);
	free(drums);
	free(echo);
}

int main(void)
{
	static const mxt_case cases[] = { MXT(t_loop), MXT(t_follow_transport), MXT(t_bus_outputs_and_input) };
	int rc = MXT_RUN(cases);
	stop_jackd();
	return rc;
}
