/* mixdown — `mixdown serve` end to end against `jackd -d dummy`: the HTTP
 * side (page, assets, 404, the token when bound beyond loopback, the Origin
 * check on WebSocket upgrades), the WebSocket protocol from a minimal RFC 6455
 * client written here (session message with every strip, a fader move that
 * lowers the captured level by the set dB, the "changed" broadcast to a
 * second client, refusals of malformed and oversized messages while playback
 * goes on), a live file edit reaching the clients, and headless Chromium
 * driving the page's own controls (fader, solo, mute, save through the
 * functions its buttons call) with the result checked in the captured output
 * and the saved file; a screenshot is left in tests/artifacts/console.png;
 * and headless Firefox moving a fader through the same page.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Skips when jackd cannot start; the browser parts skip when
 * /usr/bin/chromium or /usr/bin/firefox-esr is absent (scripts/setup.sh
 * --test installs them).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sndfile.h>
#include <stdint.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "jack_util.h"
#include "mixdown/mixdown.h"
#include "util.h"
/* The protocol's JSON reader is part of the program, not the library: its
 * source is compiled in here for the unit checks of t_json. */
#include "serve/json_read.c"

#define RATE MXT_JACK_RATE
#define TONE_S 90.0

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------ the server */

typedef struct {
	pid_t pid;
	int port;
	char url[256], token[64], out[512];
} server;

/* `mixdown serve` with args (NULL-terminated after the session); waits for
 * the URL line it prints. */
static bool server_start(server *s, const char *session, const char *const *args)
{
	memset(s, 0, sizeof *s);
	snprintf(s->out, sizeof s->out, "%s/serve-%d-%ld.out", mxt_tempdir(), (int)getpid(), (long)random());
	s->pid = fork();
	if (s->pid == 0) {
		if (!freopen(s->out, "w", stdout))
			_exit(127);
		const char *argv[32] = { MIXDOWN_BIN, "serve", session, "--port", "0" };
		int n = 5;
		for (; args[n - 5] && n < 31; n++)
			argv[n] = args[n - 5];
		argv[n] = NULL;
		execv(MIXDOWN_BIN, (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 200 && s->pid > 0; i++) {
		mxt_sleep_s(0.05);
		FILE *f = fopen(s->out, "r");
		char line[512] = "";
		if (f) {
			if (!fgets(line, sizeof line, f))
				line[0] = '\0';
			fclose(f);
		}
		char *u = strstr(line, "http://");
		if (u && strchr(u, '\n')) {
			*strchr(u, '\n') = '\0';
			snprintf(s->url, sizeof s->url, "%s", u);
			char *colon = strchr(u + 7, ':');
			s->port = colon ? atoi(colon + 1) : 0;
			char *t = strstr(u, "token=");
			if (t)
				snprintf(s->token, sizeof s->token, "%s", t + 6);
			return s->port > 0;
		}
		if (waitpid(s->pid, NULL, WNOHANG) == s->pid)
			s->pid = -1;
	}
	return false;
}

static int server_stop(server *s)
{
	int status = -1;
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		for (int i = 0; i < 100 && waitpid(s->pid, &status, WNOHANG) == 0; i++)
			mxt_sleep_s(0.05);
		if (!WIFEXITED(status)) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
		}
		s->pid = -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ------------------------------------------------- HTTP and WebSocket client */

static int tcp_connect(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	struct timeval tv = { 0, 200000 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return fd;
}

static bool send_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t k = send(fd, c, n, MSG_NOSIGNAL);
		if (k <= 0)
			return false;
		c += k;
		n -= (size_t)k;
	}
	return true;
}

/* GET path; the status code, body in *body (malloc'd, may be NULL). */
static int http_get(int port, const char *path, const char *extra, char **body)
{
	int fd = tcp_connect(port);
	if (fd < 0)
		return -1;
	char req[1024];
	snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%sConnection: close\r\n\r\n", path, port,
		 extra ? extra : "");
	send_all(fd, req, strlen(req));
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	for (double end = now_s() + 5.0; now_s() < end;) {
		if (n + 4096 > cap)
			buf = realloc(buf, cap *= 2);
		ssize_t k = recv(fd, buf + n, cap - n - 1, 0);
		if (k == 0)
			break;
		if (k > 0)
			n += (size_t)k;
	}
	close(fd);
	buf[n] = '\0';
	int code = -1;
	sscanf(buf, "HTTP/1.1 %d", &code);
	char *b = strstr(buf, "\r\n\r\n");
	if (body)
		*body = b ? strdup(b + 4) : NULL;
	free(buf);
	return code;
}

/* The upgrade (RFC 6455 section 4.1) with an optional Origin and query;
 * the connected socket, or -1 when the server did not answer 101. */
static int ws_open(int port, const char *query, const char *origin)
{
	int fd = tcp_connect(port);
	if (fd < 0)
		return -1;
	char req[1024], o[300] = "";
	if (origin)
		snprintf(o, sizeof o, "Origin: %s\r\n", origin);
	snprintf(req, sizeof req,
		 "GET /ws%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n%s\r\n",
		 query ? query : "", port, o);
	send_all(fd, req, strlen(req));
	char resp[2048];
	size_t n = 0;
	for (double end = now_s() + 5.0; now_s() < end && n < sizeof resp - 1;) {
		ssize_t k = recv(fd, resp + n, 1, 0); /* byte by byte: frames may follow at once */
		if (k == 0)
			break;
		if (k > 0 && (++n >= 4 && !memcmp(resp + n - 4, "\r\n\r\n", 4)))
			break;
	}
	resp[n] = '\0';
	if (strncmp(resp, "HTTP/1.1 101", 12)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A masked client frame (RFC 6455 section 5.3) of text. */
static bool ws_send(int fd, const char *text, size_t n)
{
	unsigned char h[14];
	size_t k = 0;
	h[k++] = 0x81;
	if (n < 126) {
		h[k++] = (unsigned char)(0x80 | n);
	} else if (n < 65536) {
		h[k++] = 0x80 | 126;
		h[k++] = (unsigned char)(n >> 8);
		h[k++] = (unsigned char)n;
	} else {
		return false;
	}
	const unsigned char mask[4] = { 0x12, 0x34, 0x56, 0x78 };
	memcpy(h + k, mask, 4);
	k += 4;
	char *m = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		m[i] = (char)(text[i] ^ mask[i % 4]);
	bool ok = send_all(fd, h, k) && send_all(fd, m, n);
	free(m);
	return ok;
}

static bool ws_sendf(int fd, const char *text)
{
	return ws_send(fd, text, strlen(text));
}

static bool read_exact(int fd, void *p, size_t n, double end)
{
	char *c = p;
	while (n) {
		ssize_t k = recv(fd, c, n, 0);
		if (k == 0 || (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			return false;
		if (k > 0) {
			c += k;
			n -= (size_t)k;
		} else if (now_s() > end + 5.0) { /* mid-frame: give the rest a little longer */
			return false;
		}
	}
	return true;
}

/* The next text message (malloc'd), or NULL after `timeout` s. */
static char *ws_next(int fd, double timeout)
{
	double end = now_s() + timeout;
	while (now_s() < end) {
		struct pollfd pf = { fd, POLLIN, 0 };
		if (poll(&pf, 1, 100) <= 0)
			continue;
		unsigned char h[2];
		if (!read_exact(fd, h, 2, end))
			return NULL;
		uint64_t len = h[1] & 0x7F;
		if (len == 126) {
			unsigned char e[2];
			if (!read_exact(fd, e, 2, end))
				return NULL;
			len = (uint64_t)e[0] << 8 | e[1];
		} else if (len == 127) {
			unsigned char e[8];
			if (!read_exact(fd, e, 8, end))
				return NULL;
			len = 0;
			for (int i = 0; i < 8; i++)
				len = len << 8 | e[i];
		}
		if (len > (1u << 24))
			return NULL;
		char *m = malloc(len + 1);
		if (!read_exact(fd, m, len, end)) {
			free(m);
			return NULL;
		}
		m[len] = '\0';
		if ((h[0] & 0x0F) == 1)
			return m;
		free(m); /* ping, pong, close: not expected here */
		if ((h[0] & 0x0F) == 8)
			return NULL;
	}
	return NULL;
}

/* The next message containing `needle` (others skipped), or NULL. */
static char *ws_wait(int fd, const char *needle, double timeout)
{
	double end = now_s() + timeout;
	for (double left; (left = end - now_s()) > 0;) {
		char *m = ws_next(fd, left);
		if (!m)
			return NULL;
		if (strstr(m, needle))
			return m;
		free(m);
	}
	return NULL;
}

/* The number after "key": in a JSON text (after `from` when given). */
static double json_num_after(const char *text, const char *from, const char *key)
{
	const char *p = from ? strstr(text, from) : text;
	char k[64];
	snprintf(k, sizeof k, "\"%s\":", key);
	p = p ? strstr(p, k) : NULL;
	return p ? strtod(p + strlen(k), NULL) : NAN;
}

/* ---------------------------------------------------------------- the audio */

/* Amplitude of hz in captured channel c over [from, from + n) (whole cycles). */
static double tone_amp(int c, double hz, int64_t from, int64_t n)
{
	double re = 0, im = 0;
	for (int64_t i = 0; i < n; i++) {
		double w = 2 * M_PI * hz * (double)i / RATE, x = mxt_jack_cap[c][from + i];
		re += x * cos(w);
		im += x * sin(w);
	}
	return 2 * hypot(re, im) / (double)n;
}

/* Record 0.1 s to let a change's 10 ms ramp pass, then four 0.1 s windows;
 * the 1 kHz level on the left (Sine) and 3 kHz on the right (Other) in dB
 * re full-scale amplitude, the highest window of each (a disk underrun or
 * xrun on a loaded machine only lowers a window). Waits for frames, not wall
 * time: jackd's dummy driver may run late under load. */
static void measure(double *sine_db, double *other_db)
{
	enum { SETTLE = RATE / 10, WIN = RATE / 10, N_WIN = 4 };
	mxt_jack_arm(true);
	for (double end = now_s() + 10.0; atomic_load(&mxt_jack_cap_n) < SETTLE + N_WIN * WIN && now_s() < end;)
		mxt_sleep_s(0.01);
	mxt_jack_arm(false);
	double a = 0, b = 0;
	if (atomic_load(&mxt_jack_cap_n) >= SETTLE + N_WIN * WIN)
		for (int k = 0; k < N_WIN; k++) {
			a = fmax(a, tone_amp(0, 1000.0, SETTLE + k * WIN, WIN));
			b = fmax(b, tone_amp(1, 3000.0, SETTLE + k * WIN, WIN));
		}
	*sine_db = 20 * log10(a + 1e-12);
	*other_db = 20 * log10(b + 1e-12);
}

static const char *session_text(const char *sine_gain)
{
	static char buf[1024];
	snprintf(buf, sizeof buf,
		 "mixdown: 1\nsample_rate: 48000\n"
		 "# the console test's session: comments must survive a save\n"
		 "tracks:\n"
		 "  - name: Sine      # 1 kHz, left\n"
		 "    gain: %s\n"
		 "    pan: -1\n"
		 "    clips: [ { file: sine.wav } ]\n"
		 "  - name: Other     # 3 kHz, right\n"
		 "    pan: 1\n"
		 "    clips: [ { file: other.wav } ]\n"
		 "    sends: [ { to: Verb, level: -inf } ]\n"
		 "buses:\n"
		 "  - name: Verb\n"
		 "    inserts: [ { type: reverb, mix: 1 } ]\n",
		 sine_gain);
	return buf;
}

/* ---------------------------------------------------------------- the cases */

static void t_json(void)
{
	json_flat o;
	char why[96];
	const char *ok = " {\"type\" : \"set\", \"strip\":\"Vo\\u00e9 \\\"x\\\"\\ud83c\\udfb8\",\"value\":-1.5e1,"
			 "\"on\":true,\"off\":false,\"n\":null} ";
	CHECK(json_flat_parse(ok, strlen(ok), &o, why, sizeof why));
	CHECK_INT(o.n, 6);
	const json_field *f = json_flat_get(&o, "strip");
	CHECK(f && f->kind == JSON_STRING && !strcmp(f->str, "Vo\xc3\xa9 \"x\"\xf0\x9f\x8e\xb8"));
	f = json_flat_get(&o, "value");
	CHECK(f && f->kind == JSON_NUMBER);
	CHECK_NEAR(f ? f->num : 0, -15.0, 0);
	CHECK(json_flat_get(&o, "on")->num == 1.0 && json_flat_get(&o, "off")->num == 0.0);
	CHECK(json_flat_get(&o, "n")->kind == JSON_NULL);
	static const char *const bad[] = {
		"", "{", "[]", "{\"a\":1,}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}", "{\"a\":.5}", "{\"a\":1e}",
		"{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\u0000\"}", "{\"a\":{}}", "{\"a\":[1]}",
		"{\"a\":1,\"a\":2}", "{\"a\":tru}", "{\"a\":1} {}", "{a:1}", "{\"a\":\"tab\there\"}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_MSG(!json_flat_parse(bad[i], strlen(bad[i]), &o, why, sizeof why), "accepted %s", bad[i]);
	/* Bounds: 17 keys, a 300-byte string, a 40-byte key. */
	char big[1024] = "{";
	for (int i = 0; i < 17; i++)
		snprintf(big + strlen(big), sizeof big - strlen(big), "%s\"k%d\":%d", i ? "," : "", i, i);
	strcat(big, "}");
	CHECK(!json_flat_parse(big, strlen(big), &o, why, sizeof why));
	CHECK_STR_CONTAINS(why, "too many keys");
	snprintf(big, sizeof big, "{\"a\":\"%0300d\"}", 0);
	CHECK(!json_flat_parse(big, strlen(big), &o, why, sizeof why));
	snprintf(big, sizeof big, "{\"%040d\":1}", 0);
	CHECK(!json_flat_parse(big, strlen(big), &o, why, sizeof why));
	/* The length is the message's: a NUL inside is not an end. */
	CHECK(!json_flat_parse("{}\0{}", 5, &o, why, sizeof why));
}

static char dir[512], session[600];
static server srv;
static bool up;

static void t_setup(void)
{
	snprintf(dir, sizeof dir, "%s", mxt_tempdir());
	snprintf(session, sizeof session, "%s/session.yaml", dir);
	int64_t nf = (int64_t)(TONE_S * RATE);
	float *a = malloc(sizeof(float) * (size_t)nf), *b = malloc(sizeof(float) * (size_t)nf);
	for (int64_t i = 0; i < nf; i++) {
		a[i] = (float)(0.25 * sin(2 * M_PI * 1000.0 * (double)i / RATE));
		b[i] = (float)(0.2 * sin(2 * M_PI * 3000.0 * (double)i / RATE));
	}
	CHECK(mxt_write_audio(mxt_path(dir, "sine.wav"), a, nf, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	CHECK(mxt_write_audio(mxt_path(dir, "other.wav"), b, nf, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	free(a);
	free(b);
	CHECK(mxt_write_text(session, session_text("0")) == 0);
	if (!mxt_jack_start()) {
		SKIP("jackd -d dummy could not start");
		return;
	}
	static const char *const args[] = { "--connect", "mxtcap:in_1,mxtcap:in_2", "--name", "mxtserve", NULL };
	up = server_start(&srv, session, args);
	CHECK_MSG(up, "mixdown serve did not print its URL");
	printf("# serving %s\n", srv.url);
	CHECK_STR_CONTAINS(srv.url, "http://127.0.0.1:");
	CHECK(srv.token[0] == '\0'); /* loopback: no token */
}

static void t_http(void)
{
	if (!up) {
		SKIP("no server");
		return;
	}
	char *body = NULL;
	CHECK_INT(http_get(srv.port, "/", NULL, &body), 200);
	CHECK(body && strstr(body, "<script src=\"/app.js\""));
	free(body);
	CHECK_INT(http_get(srv.port, "/app.js", NULL, &body), 200);
	CHECK(body && strstr(body, "window.mixdown") && strlen(body) > 5000);
	free(body);
	CHECK_INT(http_get(srv.port, "/app.css", NULL, NULL), 200);
	CHECK_INT(http_get(srv.port, "/secret.yaml", NULL, NULL), 404);
	CHECK_INT(http_get(srv.port, "/../session.yaml", NULL, NULL), 404);
	/* A page elsewhere must not drive the console through the browser. */
	int fd = ws_open(srv.port, NULL, "http://evil.example");
	CHECK_MSG(fd < 0, "a WebSocket from a foreign Origin was accepted");
	if (fd >= 0)
		close(fd);
	char own[64];
	snprintf(own, sizeof own, "http://127.0.0.1:%d", srv.port);
	fd = ws_open(srv.port, NULL, own);
	CHECK_MSG(fd >= 0, "a WebSocket from the page's own origin was refused");
	if (fd >= 0)
		close(fd);
}

static void t_token(void)
{
	if (!up) {
		SKIP("no server");
		return;
	}
	server s2;
	static const char *const args[] = { "--bind", "0.0.0.0", "--no-connect", "--name", "mxtserve2", "--no-watch",
					    NULL };
	bool ok = server_start(&s2, session, args);
	CHECK_MSG(ok, "the second server did not start");
	if (!ok) {
		server_stop(&s2);
		return;
	}
	printf("# second server: %s\n", s2.url);
	CHECK_INT(strlen(s2.token), 32);
	CHECK_INT(http_get(s2.port, "/", NULL, NULL), 403);
	CHECK_INT(http_get(s2.port, "/app.js", NULL, NULL), 403);
	char path[128], bad[128], cookie[160];
	snprintf(path, sizeof path, "/?token=%s", s2.token);
	CHECK_INT(http_get(s2.port, path, NULL, NULL), 200);
	snprintf(bad, sizeof bad, "/?token=%.31s0", s2.token);
	if (!strcmp(bad + 8, s2.token))
		bad[8 + 31] = '1';
	CHECK_INT(http_get(s2.port, bad, NULL, NULL), 403);
	snprintf(cookie, sizeof cookie, "Cookie: mixdown_token=%s\r\n", s2.token);
	CHECK_INT(http_get(s2.port, "/app.js", cookie, NULL), 200);
	int fd = ws_open(s2.port, NULL, NULL);
	CHECK_MSG(fd < 0, "a WebSocket without the token was accepted");
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof path, "?token=%s", s2.token);
	fd = ws_open(s2.port, path, NULL);
	CHECK_MSG(fd >= 0, "a WebSocket with the token was refused");
	char *m = fd >= 0 ? ws_wait(fd, "\"type\":\"session\"", 5.0) : NULL;
	CHECK(m != NULL);
	free(m);
	if (fd >= 0)
		close(fd);
	CHECK_INT(server_stop(&s2), 0);
}

static int ws1 = -1, ws2 = -1, id1;
static double sine0 = NAN; /* Sine's level at 0 dB gain, dB */

static void t_ws_session_and_gain(void)
{
	if (!up) {
		SKIP("no server");
		return;
	}
	ws1 = ws_open(srv.port, NULL, NULL);
	ws2 = ws_open(srv.port, NULL, NULL);
	CHECK(ws1 >= 0 && ws2 >= 0);
	if (ws1 < 0 || ws2 < 0)
		return;
	char *hello = ws_wait(ws1, "\"type\":\"hello\"", 5.0);
	id1 = hello ? (int)json_num_after(hello, NULL, "id") : 0;
	free(hello);
	char *m = ws_wait(ws1, "\"type\":\"session\"", 5.0);
	CHECK(m != NULL);
	if (m) {
		CHECK_STR_CONTAINS(m, "{\"name\":\"Sine\",\"kind\":\"track\"");
		CHECK_STR_CONTAINS(m, "{\"name\":\"Other\",\"kind\":\"track\"");
		CHECK_STR_CONTAINS(m, "{\"name\":\"Verb\",\"kind\":\"bus\"");
		CHECK_STR_CONTAINS(m, "{\"name\":\"master\",\"kind\":\"master\"");
		CHECK_NEAR(json_num_after(m, "\"Sine\"", "pan"), -1.0, 1e-9);
		/* The description: Other's send to Verb (-inf, kept as -144), Verb's reverb insert. */
		CHECK_STR_CONTAINS(m, "\"sends\":[{\"bus\":\"Verb\",\"level\":-144,\"pre\":false}]");
		CHECK_STR_CONTAINS(m, "\"inserts\":[{\"n\":1,\"id\":null,\"type\":\"reverb\",\"bypass\":false");
	}
	free(m);
	/* Meters stream at about 30 per second. */
	double t0 = now_s();
	int frames = 0;
	char *last = NULL;
	while (now_s() - t0 < 1.0) {
		char *x = ws_wait(ws1, "\"type\":\"meters\"", 1.0);
		if (!x)
			break;
		frames++;
		free(last);
		last = x;
	}
	printf("# %d meter frames in 1 s\n", frames);
	CHECK_MSG(frames >= 20 && frames <= 40, "%d meter frames in a second", frames);
	CHECK(last && strstr(last, "\"playing\":true"));
	free(last);
	double s0, o0, s1, o1;
	measure(&s0, &o0);
	sine0 = s0;
	CHECK_NEAR(s0, 20 * log10(0.25), 0.5); /* hard left at 0 dB: the tone as written */
	CHECK(ws_sendf(ws1, "{\"type\":\"set\",\"strip\":\"Sine\",\"param\":\"gain\",\"value\":-12}"));
	char *c2 = ws_wait(ws2, "\"type\":\"changed\"", 5.0);
	CHECK(c2 != NULL);
	if (c2) {
		CHECK_STR_CONTAINS(c2, "\"strip\":\"Sine\",\"param\":\"gain\",\"value\":-12");
		CHECK_INT((int)json_num_after(c2, NULL, "by"), id1);
	}
	free(c2);
	mxt_sleep_s(0.1);
	measure(&s1, &o1);
	printf("# Sine %.2f -> %.2f dB (set -12), Other %.2f -> %.2f dB\n", s0, s1, o0, o1);
	CHECK_NEAR(s1 - s0, -12.0, 0.5);
	CHECK_NEAR(o1 - o0, 0.0, 0.5);
}

static void t_ws_refusals(void)
{
	if (ws1 < 0) {
		SKIP("no connection");
		return;
	}
	static const char *const bad[] = {
		"{bad", "[1,2]", "{\"type\":\"set\",\"strip\":\"Sine\",\"param\":\"gain\",\"value\":{\"x\":1}}",
		"{\"type\":\"set\",\"strip\":\"Sine\",\"param\":\"gain\"}", "{\"type\":\"set\",\"type\":\"save\"}",
		"{\"type\":\"set\",\"strip\":\"Nope\",\"param\":\"gain\",\"value\":0}", "{\"type\":\"launch\"}",
		"{\"type\":\"set\",\"strip\":\"Sine\",\"param\":\"gain\",\"value\":-1} x",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(ws_sendf(ws1, bad[i]));
		char *e = ws_wait(ws1, "\"type\":\"error\"", 5.0);
		CHECK_MSG(e != NULL, "no error reply to %s", bad[i]);
		if (i == 0 && e)
			printf("# reply to {bad: %s\n", e);
		free(e);
	}
	size_t n = 6000;
	char *big = malloc(n + 1);
	memset(big, ' ', n);
	memcpy(big, "{\"type\":\"save\",\"pad\":\"", 22);
	memcpy(big + n - 2, "\"}", 2);
	big[n] = '\0';
	CHECK(ws_send(ws1, big, n));
	free(big);
	char *e = ws_wait(ws1, "\"type\":\"error\"", 5.0);
	CHECK(e && strstr(e, "too large"));
	free(e);
	/* Playback went on at the value set before. */
	double s, o;
	measure(&s, &o);
	CHECK_NEAR(s, sine0 - 12.0, 0.5);
	CHECK(o > -30.0);
	/* A send level: broadcast, and handed to clients that connect later. */
	CHECK(ws_sendf(ws1, "{\"type\":\"set\",\"strip\":\"Other\",\"param\":\"send:Verb\",\"value\":-10}"));
	e = ws_wait(ws2, "\"param\":\"send:Verb\",\"value\":-10", 5.0);
	CHECK(e != NULL);
	free(e);
	int fd = ws_open(srv.port, NULL, NULL); /* the server still accepts */
	CHECK(fd >= 0);
	char *m = fd >= 0 ? ws_wait(fd, "\"type\":\"session\"", 5.0) : NULL;
	CHECK(m && strstr(m, "\"overrides\":[{\"strip\":\"Other\",\"param\":\"send:Verb\",\"value\":-10}]"));
	free(m);
	if (fd >= 0)
		close(fd);
	CHECK(ws_sendf(ws1, "{\"type\":\"set\",\"strip\":\"Other\",\"param\":\"send:Verb\",\"value\":-144}"));
}

static char *slurp_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strdup(buf);
}

static int run_chromium(const char *what, const char *fragment, const char *out_png, const char *dom)
{
	char profile[700], cmd[4096];
	snprintf(profile, sizeof profile, "%s/chromium-%s", dir, what);
	mkdir(profile, 0700);
	snprintf(cmd, sizeof cmd,
		 "/usr/bin/chromium --headless=new --no-sandbox --disable-gpu --no-first-run --disable-extensions "
		 "--disable-background-networking --disable-dev-shm-usage --hide-scrollbars --user-data-dir=%s "
		 "--window-size=1600,900 --virtual-time-budget=4000 %s%s%s '%s%s' %s%s 2>/dev/null",
		 profile, out_png ? "--screenshot=" : "", out_png ? out_png : "", dom ? "--dump-dom" : "", srv.url,
		 fragment, dom ? "> " : "", dom ? dom : "");
	return system(cmd);
}

static void t_chromium(void)
{
	if (ws1 < 0) {
		SKIP("no connection");
		return;
	}
	if (access("/usr/bin/chromium", X_OK) != 0) {
		SKIP("chromium is not installed (scripts/setup.sh --test installs it)");
		return;
	}
	/* 1: the page's fader to -6 dB on Sine, solo on Other, save. */
	char dom[700];
	snprintf(dom, sizeof dom, "%s/dom.html", dir);
	double t0 = now_s();
	CHECK_INT(run_chromium("a", "#do=fader:Sine:-6,solo:Other,save", NULL, dom), 0);
	printf("# chromium (DOM) in %.1f s\n", now_s() - t0);
	char *d = slurp_file(dom);
	CHECK(d != NULL);
	if (d) {
		CHECK_STR_CONTAINS(d, "data-name=\"Sine\"");
		CHECK_STR_CONTAINS(d, "data-name=\"Other\"");
		CHECK_STR_CONTAINS(d, "data-name=\"Verb\"");
		CHECK_STR_CONTAINS(d, "data-name=\"master\"");
		CHECK_STR_CONTAINS(d, "data-script=\"done\"");
		CHECK_STR_CONTAINS(d, "class=\"send\"");
		CHECK_STR_CONTAINS(d, "class=\"insert\"");
		int strips = 0;
		for (const char *p = d; (p = strstr(p, "class=\"strip ")); p++)
			strips++;
		CHECK_INT(strips, 4);
	}
	free(d);
	/* The browser's changes reached this client as broadcasts. */
	char *c = ws_wait(ws1, "\"param\":\"gain\",\"value\":-6", 5.0);
	CHECK_MSG(c != NULL, "no broadcast of the page's fader move");
	CHECK(c && (int)json_num_after(c, NULL, "by") != id1);
	free(c);
	c = ws_wait(ws1, "\"type\":\"saved\"", 5.0);
	CHECK_MSG(c != NULL, "no broadcast of the page's save");
	free(c);
	/* The save changed the watched file: its reload comes back as a session. */
	c = ws_wait(ws1, "\"type\":\"session\"", 15.0);
	CHECK_MSG(c != NULL, "no reload after the save");
	free(c);
	double s, o;
	measure(&s, &o);
	printf("# solo Other: Sine %.1f dB, Other %.1f dB\n", s, o);
	CHECK(s < -80.0);
	CHECK(o > -30.0);
	char *text = slurp_file(session);
	CHECK(text && strstr(text, "# the console test's session: comments must survive a save"));
	CHECK(text && strstr(text, "  - name: Sine      # 1 kHz, left\n    gain: -6\n"));
	CHECK(text && strstr(text, "solo: true"));
	free(text);

	/* 2: solo off and mute on Other, save; the screenshot is the artifact. */
	char png[700];
	snprintf(png, sizeof png, "%s/tests/artifacts", MIXDOWN_BUILD_DIR);
	mkdir(png, 0755);
	snprintf(png, sizeof png, "%s/tests/artifacts/console.png", MIXDOWN_BUILD_DIR);
	remove(png);
	CHECK_INT(run_chromium("b", "#do=solo:Other,mute:Other,save", png, NULL), 0);
	struct stat stt;
	CHECK(stat(png, &stt) == 0 && stt.st_size > 10000);
	printf("# screenshot: %s (%lld bytes)\n", png, (long long)stt.st_size);
	c = ws_wait(ws1, "\"param\":\"mute\",\"value\":true", 5.0);
	CHECK_MSG(c != NULL, "no broadcast of the page's mute");
	free(c);
	c = ws_wait(ws1, "\"type\":\"saved\"", 5.0);
	free(c);
	mxt_sleep_s(0.1);
	measure(&s, &o);
	printf("# Other muted: Sine %.1f dB, Other %.1f dB\n", s, o);
	CHECK_NEAR(s, sine0 - 6.0, 0.5);
	CHECK(o < -80.0);
	text = slurp_file(session);
	CHECK(text && strstr(text, "mute: true"));
	CHECK(text && !strstr(text, "solo: true"));
	CHECK(text && strstr(text, "# 3 kHz, right"));
	free(text);
}

/* The same page in Firefox (the console must work in Chromium and Firefox):
 * headless Firefox opens the page with a fragment that moves Sine's fader;
 * the move arrives at this test's own WebSocket client as a broadcast and is
 * heard in the engine's output. Firefox runs until then and is killed. */
static void t_firefox(void)
{
	const char *ff = "/usr/bin/firefox-esr";
	if (ws1 < 0) {
		SKIP("no connection");
		return;
	}
	if (access(ff, X_OK) != 0) {
		SKIP("firefox-esr is not installed (scripts/setup.sh --test installs it)");
		return;
	}
	char profile[700], url[900];
	snprintf(profile, sizeof profile, "%s/firefox", dir);
	mkdir(profile, 0700);
	snprintf(url, sizeof url, "%s#do=fader:Sine:-9", srv.url);
	double t0 = now_s();
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		setenv("HOME", profile, 1); /* nothing of the user's Firefox is touched */
		execl(ff, ff, "--headless", "--no-remote", "--profile", profile, "--window-size", "1600,900", url,
		      (char *)NULL);
		_exit(127);
	}
	CHECK(pid > 0);
	char *c = pid > 0 ? ws_wait(ws1, "\"param\":\"gain\",\"value\":-9", 60.0) : NULL;
	CHECK_MSG(c != NULL, "no broadcast of the Firefox page's fader move");
	free(c);
	printf("# firefox moved the fader after %.1f s\n", now_s() - t0);
	if (pid > 0) {
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	double s, o;
	mxt_sleep_s(0.1);
	measure(&s, &o);
	printf("# Firefox's fader: Sine %.1f dB\n", s);
	CHECK_NEAR(s, sine0 - 9.0, 0.5);
}

/* An edit of the file on disk reaches every client as a new session message. */
static void t_reload(void)
{
	if (ws1 < 0) {
		SKIP("no connection");
		return;
	}
	mxt_sleep_s(1.2); /* the saves above were reloads too: let them settle */
	CHECK(mxt_write_text(session, session_text("-20")) == 0);
	char *m = NULL;
	for (double end = now_s() + 15.0; now_s() < end;) {
		free(m);
		m = ws_wait(ws2, "\"type\":\"session\"", end - now_s());
		if (!m || fabs(json_num_after(m, "\"Sine\"", "gain") + 20.0) < 1e-6)
			break;
	}
	CHECK_MSG(m != NULL, "no session message after the file changed");
	if (m)
		CHECK_NEAR(json_num_after(m, "\"Sine\"", "gain"), -20.0, 1e-9);
	free(m);
	double s, o;
	mxt_sleep_s(0.3);
	measure(&s, &o);
	printf("# after the edit: Sine %.1f dB, Other %.1f dB\n", s, o);
	CHECK_NEAR(s, sine0 - 20.0, 0.5);
}

static void t_cleanup(void)
{
	if (ws1 >= 0)
		close(ws1);
	if (ws2 >= 0)
		close(ws2);
	if (up)
		CHECK_INT(server_stop(&srv), 0);
	mxt_jack_stop();
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_json),	MXT(t_setup),	MXT(t_http),	MXT(t_token),  MXT(t_ws_session_and_gain),
		MXT(t_ws_refusals), MXT(t_chromium), MXT(t_firefox), MXT(t_reload), MXT(t_cleanup),
	};
	return MXT_RUN(cases);
}
