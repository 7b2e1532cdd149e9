/* mixdown — `mixdown play`: the session in real time through JACK, with OSC
 * control (docs/osc.md), a full-screen meter view with keys on a terminal
 * (play_view.h, play_term.h) or a status line.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Runs until the session's end (or --duration seconds of wall time, or
 * SIGINT/SIGTERM/SIGHUP, or q in the view), then closes the client. The view
 * is used when stdout is a terminal and -q is not given; keys need stdin to
 * be one too. Otherwise a status line goes to stderr when that is a terminal.
 * Control thread only; the audio work happens inside the library's JACK
 * callback.
 */
#include <math.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "play_term.h"
#include "play_view.h"

static volatile sig_atomic_t stop_requested;
static bool follow_transport; /* --follow-transport: the session's end does not stop */

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Stop conditions shared by both loops: an audio error ends with failure;
 * the session's end or the --duration ends with success. -1 = go on. */
static int finished(const mixdown_player_status *ps, double t0, double duration)
{
	if (ps->error[0])
		return EXIT_FAIL;
	/* A loop or the JACK transport may keep it going past the end. */
	bool open_ended = follow_transport || ps->loop_end > ps->loop_start;
	if (duration > 0 ? now_s() - t0 >= duration : ps->position >= ps->end && !open_ended)
		return EXIT_OK;
	return -1;
}

/* A reload (the session file was saved) or a rejected edit, once per change,
 * on its own line: the old session keeps playing after an error. */
static void note_reload(const mixdown_player_status *ps, uint64_t *seen, char *last, size_t cap, bool tty)
{
	if (ps->reloads != *seen && !ps->reload_error[0])
		fprintf(stderr, "%s%s: reloaded the session\n", tty ? "\n" : "", cli_prog);
	else if (ps->reload_error[0] && strcmp(ps->reload_error, last))
		fprintf(stderr, "%s%s: %s (still playing the previous version)\n", tty ? "\n" : "", cli_prog,
			ps->reload_error);
	*seen = ps->reloads;
	snprintf(last, cap, "%s", ps->reload_error);
}

static int run_status_line(mixdown_player *p, double duration, bool quiet)
{
	uint64_t reloads = 0;
	char reload_error[sizeof ((mixdown_player_status *)0)->reload_error] = "";
	bool tty = !quiet && isatty(STDERR_FILENO);
	double t0 = now_s();
	mixdown_player_status ps;
	int rc = EXIT_OK;
	while (!stop_requested) {
		usleep(50000);
		mixdown_player_get_status(p, &ps);
		if (tty)
			fprintf(stderr, "\r%s %7.2f / %.2f s  peak %6.1f dBFS  M %6.1f LUFS  DSP %3.0f%%  underruns %llu  "
					"xruns %llu  ",
				ps.waiting ? "buffering" : ps.playing ? "playing  " : "stopped  ", ps.position, ps.end,
				isfinite(ps.peak_dbfs) ? ps.peak_dbfs : -99.9,
				isfinite(ps.momentary_lufs) ? ps.momentary_lufs : -99.9, ps.dsp_load * 100.0,
				(unsigned long long)ps.underruns, (unsigned long long)ps.xruns);
		if (!quiet)
			note_reload(&ps, &reloads, reload_error, sizeof reload_error, tty);
		if ((rc = finished(&ps, t0, duration)) >= 0)
			break;
		rc = EXIT_OK;
	}
	if (tty)
		fputc('\n', stderr);
	if (ps.error[0])
		fprintf(stderr, "%s: %s\n", cli_prog, ps.error);
	return rc;
}

/* Bar and beat at `t` s on the session's tempo map, through the public
 * mixdown_session_position(): the last bar whose first beat is at or before
 * t (bars start at 1), then the last beat of it. false without a tempo. */
static bool bar_beat(const mixdown_session *s, double t, int *bar, int *beat)
{
	double at;
	char txt[32];
	if (mixdown_session_position(s, "1:1", &at, NULL) != MIXDOWN_SUCCESS)
		return false;
	int lo = 1, hi = 2; /* pos(lo:1) <= t; find hi with pos(hi:1) > t */
	for (;;) {
		snprintf(txt, sizeof txt, "%d:1", hi);
		if (mixdown_session_position(s, txt, &at, NULL) != MIXDOWN_SUCCESS || at > t || hi > (1 << 20))
			break;
		lo = hi;
		hi *= 2;
	}
	while (hi - lo > 1) {
		int mid = lo + (hi - lo) / 2;
		snprintf(txt, sizeof txt, "%d:1", mid);
		if (mixdown_session_position(s, txt, &at, NULL) == MIXDOWN_SUCCESS && at <= t)
			lo = mid;
		else
			hi = mid;
	}
	double next = INFINITY;
	snprintf(txt, sizeof txt, "%d:1", lo + 1);
	mixdown_session_position(s, txt, &next, NULL);
	int b = 1;
	for (; b < 64; b++) {
		snprintf(txt, sizeof txt, "%d:%d", lo, b + 1);
		if (mixdown_session_position(s, txt, &at, NULL) != MIXDOWN_SUCCESS || at > t || at >= next)
			break;
	}
	*bar = lo;
	*beat = b;
	return true;
}

/* The view's state between frames. */
typedef struct {
	mixdown_player *p;
	const mixdown_session *s;
	mixdown_player_status st;
	mixdown_strip_state *strips;
	mixdown_strip_meter *meters;
	size_t n, cap;
	size_t selected;
	double loop_in, loop_out;    /* the range `l` loops; [ and ] set it */
	char message[128];
	double message_until;
	bool quit;
} view_state;

static void note(view_state *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(view_state *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->message, sizeof v->message, fmt, ap);
	va_end(ap);
	v->message_until = now_s() + 3.0;
}

/* Strips and meters of this frame (the count can change on a reload). */
static bool snapshot(view_state *v)
{
	mixdown_player_get_status(v->p, &v->st);
	size_t n = mixdown_player_strips(v->p, NULL, 0);
	if (n > v->cap) {
		mixdown_strip_state *a = realloc(v->strips, n * sizeof *a);
		if (a)
			v->strips = a;
		mixdown_strip_meter *b = realloc(v->meters, n * sizeof *b);
		if (b)
			v->meters = b;
		if (!a || !b)
			return false;
		v->cap = n;
	}
	v->n = mixdown_player_strips(v->p, v->strips, v->cap);
	size_t nm = mixdown_player_meters(v->p, v->meters, v->cap);
	v->n = v->n < v->cap ? v->n : v->cap;
	if (nm < v->n) /* a reload between the two calls: shown next frame */
		v->n = nm;
	if (v->selected >= v->n)
		v->selected = v->n ? v->n - 1 : 0;
	return true;
}

static void key(view_state *v, play_key k)
{
	const mixdown_strip_state *ss = v->selected < v->n ? &v->strips[v->selected] : NULL;
	switch (k.kind) {
	case PLAY_KEY_UP: v->selected = v->selected ? v->selected - 1 : 0; return;
	case PLAY_KEY_DOWN: v->selected = v->selected + 1 < v->n ? v->selected + 1 : v->selected; return;
	case PLAY_KEY_LEFT: mixdown_player_locate(v->p, v->st.position > 5.0 ? v->st.position - 5.0 : 0.0); return;
	case PLAY_KEY_RIGHT: mixdown_player_locate(v->p, v->st.position + 5.0); return;
	case PLAY_KEY_HOME: mixdown_player_locate(v->p, 0.0); return;
	case PLAY_KEY_NONE: return;
	case PLAY_KEY_CHAR: break;
	}
	switch (k.ch) {
	case 'q': case 'Q': v->quit = true; break;
	case ' ':
		if (v->st.playing)
			mixdown_player_stop(v->p);
		else
			mixdown_player_play(v->p);
		break;
	case '0': mixdown_player_locate(v->p, 0.0); break;
	case 'm': case 's': case '+': case '=': case '-': {
		if (!ss)
			break;
		bool ok = k.ch == 'm'   ? mixdown_player_set(v->p, ss->name, "mute", !ss->mute)
			  : k.ch == 's' ? mixdown_player_set(v->p, ss->name, "solo", !ss->solo)
					: mixdown_player_set(v->p, ss->name, "gain", ss->gain_db + (k.ch == '-' ? -0.5 : 0.5));
		if (!ok && k.ch == 's')
			note(v, "solo not available for %s", ss->name);
		else if (!ok)
			note(v, "%s cannot be changed live", ss->name);
		break;
	}
	case '[': v->loop_in = v->st.position; note(v, "loop start %.3f s", v->loop_in); break;
	case ']': v->loop_out = v->st.position; note(v, "loop end %.3f s", v->loop_out); break;
	case 'l':
		if (v->st.loop_end > v->st.loop_start) { /* off; l again brings this loop back */
			v->loop_in = v->st.loop_start;
			v->loop_out = v->st.loop_end;
			mixdown_player_loop(v->p, 0.0, 0.0);
		} else {
			double a = v->loop_in, b = v->loop_out > v->loop_in ? v->loop_out : v->st.end;
			if (b > a)
				mixdown_player_loop(v->p, a, b);
			else
				note(v, "set a loop with [ and ] first");
		}
		break;
	default: break;
	}
}

static int run_view(mixdown_player *p, const mixdown_session *s, double duration)
{
	view_state v = { .p = p, .s = s };
	bool keys = play_term_enter();
	size_t cap = 0;
	char *buf = NULL;
	double t0 = now_s(), target = mixdown_session_target_loudness(s);
	int rc = EXIT_OK;
	while (!stop_requested && !v.quit) {
		if (!snapshot(&v)) {
			rc = EXIT_FAIL;
			break;
		}
		if ((rc = finished(&v.st, t0, duration)) >= 0)
			break;
		rc = EXIT_OK;
		int cols, rows;
		play_term_size(&cols, &rows);
		play_view pv = { .st = &v.st, .strips = v.strips, .meters = v.meters, .n_strips = v.n,
				 .selected = v.selected, .target_lufs = target, .width = cols, .rows = rows, .ansi = true,
				 .loop_on = v.st.loop_end > v.st.loop_start };
		char reload[600] = "";
		if (v.st.reload_error[0])
			snprintf(reload, sizeof reload, "%.590s", v.st.reload_error);
		else if (v.st.reloads)
			snprintf(reload, sizeof reload, "ok (%llu)", (unsigned long long)v.st.reloads);
		pv.reload = reload;
		pv.message = now_s() < v.message_until ? v.message : (keys ? NULL : "(stdin is not a terminal: no keys)");
		if (!bar_beat(s, v.st.position, &pv.bar, &pv.beat))
			pv.bar = 0;
		size_t need = play_view_render(&pv, buf, cap) + 1;
		if (need > cap) {
			char *nb = realloc(buf, need * 2);
			if (!nb) {
				rc = EXIT_FAIL;
				break;
			}
			buf = nb;
			cap = need * 2;
			play_view_render(&pv, buf, cap);
		}
		fwrite(buf, 1, strlen(buf), stdout);
		fflush(stdout);
		/* About 15 frames a second; keys are handled as they come. */
		double next = now_s() + 1.0 / 15.0;
		for (double left; (left = next - now_s()) > 0 && !v.quit && !stop_requested;) {
			if (!keys) {
				usleep((useconds_t)(left * 1e6));
				break;
			}
			play_key k = play_term_key((int)(left * 1000.0) + 1);
			if (k.kind != PLAY_KEY_NONE) {
				key(&v, k);
				break; /* redraw at once */
			}
		}
	}
	play_term_restore();
	free(buf);
	if (v.st.error[0])
		fprintf(stderr, "%s: %s\n", cli_prog, v.st.error);
	free(v.strips);
	free(v.meters);
	return rc;
}

int cli_play(int argc, char **argv)
{
	const char *path = NULL;
	mixdown_player_options opt = mixdown_player_options_init();
	double duration = -1.0;
	bool quiet = false, watch = true, save = false;
	const char *loop = NULL, *start = NULL; /* positions as text: bar:beat needs the session's tempo */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--connect")) {
			if (++i >= argc)
				return cli_usage_error("--connect needs a comma-separated list of ports");
			opt.connect = argv[i];
		} else if (!strcmp(a, "--no-connect")) {
			opt.connect = "";
		} else if (!strcmp(a, "--osc-port")) {
			char *end = NULL;
			long v = ++i < argc ? strtol(argv[i], &end, 10) : 0;
			if (!end || *end || v < 1 || v > 65535)
				return cli_usage_error("--osc-port needs a UDP port number 1..65535");
			opt.osc_port = (int)v;
		} else if (!strcmp(a, "--osc-bind")) {
			if (++i >= argc)
				return cli_usage_error("--osc-bind needs an IPv4 address (0.0.0.0 = every interface)");
			opt.osc_bind = argv[i];
		} else if (!strcmp(a, "--save-on-exit")) {
			save = true;
		} else if (!strcmp(a, "--duration")) {
			char *end = NULL;
			duration = ++i < argc ? strtod(argv[i], &end) : -1.0;
			if (!end || *end || !(duration > 0))
				return cli_usage_error("--duration needs a positive number of seconds");
		} else if (!strcmp(a, "--name")) {
			if (++i >= argc)
				return cli_usage_error("--name needs a JACK client name");
			opt.client_name = argv[i];
		} else if (!strcmp(a, "--stopped")) {
			opt.start_stopped = true;
		} else if (!strcmp(a, "--binaural")) { /* headphones: docs/spatial.md, "Binaural" */
			opt.binaural = true;
		} else if (!strcmp(a, "--hrtf")) {
			if (++i >= argc)
				return cli_usage_error("--hrtf needs a SOFA file");
			opt.hrtf = argv[i];
		} else if (!strcmp(a, "--connect-inputs")) { /* transport options: docs/playback.md */
			if (++i >= argc)
				return cli_usage_error("--connect-inputs needs a comma-separated list of ports");
			opt.connect_inputs = argv[i];
		} else if (!strcmp(a, "--follow-transport")) {
			opt.follow_transport = follow_transport = true;
		} else if (!strcmp(a, "--bus-outputs")) {
			opt.bus_outputs = true;
		} else if (!strcmp(a, "--threads")) { /* strips on several cores: docs/playback.md */
			char *end = NULL;
			long v = ++i < argc ? (!strcmp(argv[i], "auto") ? 0 : strtol(argv[i], &end, 10)) : -1;
			if (v < 0 || v > 64 || (end && *end) || (v == 0 && strcmp(argv[i], "auto")))
				return cli_usage_error("--threads needs a number of threads 1..64 or auto");
			opt.threads = (unsigned)v;
		} else if (!strcmp(a, "--loop") || !strcmp(a, "--start")) {
			if (++i >= argc)
				return cli_usage_error("%s needs %s", a, a[2] == 'l' ? "START-END" : "a position");
			*(a[2] == 'l' ? &loop : &start) = argv[i];
		} else if (!strcmp(a, "--backend")) { /* the ALSA fallback: docs/playback.md */
			if (++i >= argc || (strcmp(argv[i], "jack") && strcmp(argv[i], "alsa")))
				return cli_usage_error("--backend needs jack or alsa");
			opt.backend = argv[i];
		} else if (!strcmp(a, "--device")) {
			if (++i >= argc)
				return cli_usage_error("--device needs an ALSA PCM name (aplay -L lists them)");
			opt.device = argv[i];
		} else if (!strcmp(a, "--period")) {
			char *end = NULL;
			long v = ++i < argc ? strtol(argv[i], &end, 10) : 0;
			if (!end || *end || v < 16 || v > 8192)
				return cli_usage_error("--period needs a number of frames 16..8192");
			opt.period = (uint32_t)v;
		} else if (!strcmp(a, "--no-watch")) {
			watch = false;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			quiet = true;
		} else if (a[0] == '-') {
			return cli_usage_error("unknown option '%s'", a);
		} else if (!path) {
			path = a;
		} else {
			return cli_usage_error("unexpected argument '%s'", a);
		}
	}
	if (!path)
		return cli_usage_error("usage: mixdown play SESSION [--connect PORTS|--no-connect] [--osc-port N] "
				       "[--osc-bind ADDR] [--save-on-exit] [--duration S] [--name CLIENT] [--stopped] [--no-watch] [-q] "
				       "[--loop START-END] [--start POS] [--follow-transport] [--bus-outputs] "
				       "[--connect-inputs PORTS] [--backend jack|alsa] [--device NAME] [--period FRAMES] "
				       "[--threads N|auto]");
	mixdown_error err;
	mixdown_session *s = NULL;
	mixdown_status st = mixdown_session_load(path, &s, &err);
	if (st != MIXDOWN_SUCCESS)
		return cli_report_error(st, &err);
	double pos[3] = { 0, 0, 0 }; /* --start, --loop start, end */
	char text[2][64] = { "", "" };
	if (loop)
		sscanf(loop, "%63[^-]-%63s", text[0], text[1]);
	if ((start && (st = mixdown_session_position(s, start, &pos[0], &err)) != MIXDOWN_SUCCESS) ||
	    (loop && ((st = mixdown_session_position(s, text[0], &pos[1], &err)) != MIXDOWN_SUCCESS ||
		      (st = mixdown_session_position(s, text[1], &pos[2], &err)) != MIXDOWN_SUCCESS))) {
		mixdown_session_free(s);
		return cli_report_error(st, &err);
	}
	/* After the locate, not before; the JACK transport starts a follower. */
	bool play_now = !opt.start_stopped && !opt.follow_transport && (loop || start);
	opt.start_stopped = opt.start_stopped || play_now;
	mixdown_player *p = NULL;
	if (watch) /* saving the file swaps the edit in (docs/osc.md, "Live reload") */
		opt.watch_path = path;
	if ((st = mixdown_player_open(s, &opt, &p, &err)) != MIXDOWN_SUCCESS) {
		mixdown_session_free(s);
		return cli_report_error(st, &err);
	}
	mixdown_player_status ps0;
	mixdown_player_get_status(p, &ps0);
	if (!quiet && !strncmp(ps0.backend, "alsa", 4)) /* the fallback, and how it runs */
		fprintf(stderr, "%s: playing through %s\n", cli_prog, ps0.backend);
	if (loop)
		mixdown_player_loop(p, pos[1], pos[2]);
	if (start)
		mixdown_player_locate(p, pos[0]);
	if (play_now)
		mixdown_player_play(p);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	int rc = !quiet && isatty(STDOUT_FILENO) ? run_view(p, s, duration) : run_status_line(p, duration, quiet);
	/* Live changes back into the file: only the changed values (docs/osc.md). */
	if (save && (st = mixdown_player_save(p, path, &err)) != MIXDOWN_SUCCESS)
		rc = cli_report_error(st, &err);
	mixdown_player_close(p);
	mixdown_session_free(s);
	return rc;
}
