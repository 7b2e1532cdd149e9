/* mixdown — OSC server for real-time playback (see rt_osc.h, docs/osc.md).
 * OSC 1.0 messages (opensoundcontrol.org/spec-1_0) decoded and encoded by
 * liblo; the socket is our own so the sender's address of every datagram is
 * known (meter subscriptions answer to it) and replies leave from the port
 * clients talk to.
 * Threads: one OSC thread per server, started and joined by the control
 * thread. It waits in poll() at most until the next meter message is due, so
 * streams keep their rate while control messages are handled in between.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "realtime/rt_osc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <lo/lo.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "session/model.h"

#define MAX_SUBS 16          /* meter subscribers at a time */
#define SUB_LIFETIME_S 60.0  /* a subscription not renewed expires */
#define RATE_MIN 1.0         /* Hz */
#define RATE_MAX 60.0
#define IDLE_POLL_MS 50      /* how often `running` is checked */

typedef struct {
	struct sockaddr_in addr;
	double period;           /* s */
	double due;              /* monotonic s of the next message */
	double expires;
} meter_sub;

struct mxd_rt_osc {
	mixdown_player *player;
	int fd;
	pthread_t thread;
	_Atomic bool running;
	_Atomic uint64_t messages, rejected;
	/* OSC thread only */
	meter_sub subs[MAX_SUBS];
	size_t n_subs;
	mixdown_strip_state *strips;
	mixdown_strip_meter *meters;
	size_t cap;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* rest = "<name>/<param...>": split into the strip name and the player's
 * parameter ("gain", "send:<bus>", "insert:<n>:<param>"). Names may hold '/';
 * the known endings are matched from the right. */
static bool split_strip(const char *rest, char *name, size_t name_size, char *param, size_t param_size)
{
	size_t len = strlen(rest);
	const char *last = strrchr(rest, '/');
	if (!last || last == rest)
		return false;
	const char *name_end = last;
	/* <name>/send/<bus>/level */
	if (!strcmp(last, "/level")) {
		for (const char *q = last; q > rest; q--)
			if (*q == '/' && !strncmp(q, "/send/", 6) && q + 6 < last) {
				if (snprintf(param, param_size, "send:%.*s", (int)(last - q - 6), q + 6) >= (int)param_size)
					return false;
				name_end = q;
				break;
			}
	}
	/* <name>/insert/<n>/<param> */
	if (name_end == last) {
		const char *prev = last;
		while (prev > rest && prev[-1] != '/')
			prev--;
		/* prev: start of <n>; before it must be "/insert/". */
		if (prev - rest >= 8 && !strncmp(prev - 8, "/insert/", 8) && prev < last) {
			if (snprintf(param, param_size, "insert:%.*s:%s", (int)(last - prev), prev, last + 1) >=
			    (int)param_size)
				return false;
			name_end = prev - 8;
		}
	}
	if (name_end == last && snprintf(param, param_size, "%s", last + 1) >= (int)param_size)
		return false;
	size_t n = (size_t)(name_end - rest);
	if (n == 0 || n >= name_size || n > len)
		return false;
	memcpy(name, rest, n);
	name[n] = '\0';
	return true;
}

bool mxd_rt_osc_dispatch(mixdown_player *p, const char *path, const char *types, double value)
{
	bool has_arg = types && types[0];
	if (!strcmp(path, "/transport/play")) {
		mixdown_player_play(p);
		return true;
	}
	if (!strcmp(path, "/transport/stop")) {
		mixdown_player_stop(p);
		return true;
	}
	if (!strcmp(path, "/transport/locate")) {
		if (!has_arg)
			return false;
		mixdown_player_locate(p, value);
		return true;
	}
	char name[256], param[320];
	if (!strncmp(path, "/master/", 8)) {
		/* "master" is reserved: no track or bus has that name. */
		char rest[600];
		snprintf(rest, sizeof rest, "master/%s", path + 8);
		if (!has_arg || !split_strip(rest, name, sizeof name, param, sizeof param))
			return false;
		return mixdown_player_set(p, name, param, value);
	}
	/* /track/<name>/... or /bus/<name>/... (one namespace: names are unique) */
	const char *rest = NULL;
	if (!strncmp(path, "/track/", 7))
		rest = path + 7;
	else if (!strncmp(path, "/bus/", 5))
		rest = path + 5;
	if (!rest || !has_arg || !split_strip(rest, name, sizeof name, param, sizeof param))
		return false;
	return mixdown_player_set(p, name, param, value);
}

/* The first argument as a number (T/F as 1/0); NAN if none or not numeric. */
static double first_value(lo_message m, const char *types)
{
	if (!types || !types[0])
		return NAN;
	/* liblo's argument pointers point into the packed message (4-byte
	 * aligned only): copy instead of dereferencing the union. */
	lo_arg **argv = lo_message_get_argv(m);
	float f;
	double d;
	int32_t i;
	int64_t h;
	switch (types[0]) {
	case LO_FLOAT: return memcpy(&f, argv[0], sizeof f), f;
	case LO_DOUBLE: return memcpy(&d, argv[0], sizeof d), d;
	case LO_INT32: return memcpy(&i, argv[0], sizeof i), i;
	case LO_INT64: return memcpy(&h, argv[0], sizeof h), (double)h;
	case LO_TRUE: return 1.0;
	case LO_FALSE: return 0.0;
	default: return NAN;
	}
}

static bool same_addr(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_addr.s_addr == b->sin_addr.s_addr && a->sin_port == b->sin_port;
}

/* /meters/subscribe [rate] and /meters/unsubscribe from `from`. */
static bool subscription(mxd_rt_osc *o, const char *path, bool has_rate, double rate, const struct sockaddr_in *from)
{
	size_t i = 0;
	while (i < o->n_subs && !same_addr(&o->subs[i].addr, from))
		i++;
	if (!strcmp(path, "/meters/unsubscribe")) {
		if (i < o->n_subs)
			o->subs[i] = o->subs[--o->n_subs];
		return true;
	}
	if (has_rate && !isfinite(rate))
		return false;
	if (i == o->n_subs) {
		if (o->n_subs == MAX_SUBS)
			return false;
		o->n_subs++;
		o->subs[i] = (meter_sub){ .addr = *from, .due = now_s() };
	}
	rate = !has_rate ? 10.0 : rate < RATE_MIN ? RATE_MIN : rate > RATE_MAX ? RATE_MAX : rate;
	o->subs[i].period = 1.0 / rate;
	o->subs[i].expires = now_s() + SUB_LIFETIME_S;
	return true;
}

/* /transport/locate s "17:1" (bar:beat or seconds as text) and /transport/loop
 * START END (seconds; none or END <= START: off). Docs: docs/playback.md. */
static bool transport_args(mixdown_player *p, const char *path, lo_message m, const char *types)
{
	lo_arg **a = lo_message_get_argv(m);
	if (!strcmp(path, "/transport/locate") && types && !strcmp(types, "s"))
		return mixdown_player_locate_bars(p, &a[0]->s);
	if (strcmp(path, "/transport/loop") || (types && types[0] && strlen(types) != 2))
		return false;
	double v[2] = { 0, 0 };
	for (int i = 0; types && types[0] && i < 2; i++) {
		if (!strchr("fdih", types[i]))
			return false;
		v[i] = (double)lo_hires_val((lo_type)types[i], a[i]);
	}
	mixdown_player_loop(p, v[0], v[1]);
	return true;
}

static void handle(mxd_rt_osc *o, char *buf, ssize_t len, const struct sockaddr_in *from)
{
	atomic_fetch_add(&o->messages, 1);
	int result = 0;
	const char *path = len > 0 ? lo_get_path(buf, len) : NULL;
	lo_message m = path ? lo_message_deserialise(buf, (size_t)len, &result) : NULL;
	bool ok = false;
	if (m) {
		const char *types = lo_message_get_types(m);
		double v = first_value(m, types);
		bool numeric = types && types[0] && v == v;
		if (!strncmp(path, "/transport/", 11) && transport_args(o->player, path, m, types))
			ok = true;
		else if (!strncmp(path, "/meters/", 8))
			ok = (!types || !types[0] || numeric) && subscription(o, path, numeric, v, from);
		else if (!types || !types[0] || numeric) /* no argument, or a numeric one */
			ok = mxd_rt_osc_dispatch(o->player, path, numeric ? types : "", v);
		lo_message_free(m);
	}
	if (!ok)
		atomic_fetch_add(&o->rejected, 1);
}

/* Silence and "not measured yet" are sent as -144 (some clients reject inf). */
static float finite_db(double v)
{
	return isfinite(v) && v > -144.0 ? (float)v : -144.0f;
}

static void send_msg(mxd_rt_osc *o, const meter_sub *s, const char *path, const float *v, int n)
{
	lo_message m = lo_message_new();
	if (!m)
		return;
	for (int i = 0; i < n; i++)
		lo_message_add_float(m, v[i]);
	char buf[1024];
	size_t len = lo_message_length(m, path);
	if (len <= sizeof buf && lo_message_serialise(m, path, buf, &len))
		sendto(o->fd, buf, len, MSG_DONTWAIT, (const struct sockaddr *)&s->addr, sizeof s->addr);
	lo_message_free(m);
}

/* One round of meter messages to subscriber `s`. */
static void send_meters(mxd_rt_osc *o, const meter_sub *s, size_t n, const mixdown_player_status *st)
{
	char path[300];
	for (size_t i = 0; i < n; i++) {
		const mixdown_strip_meter *m = &o->meters[i];
		float v[4] = { finite_db(m->peak_dbfs), finite_db(m->rms_dbfs), (float)m->gain_reduction_db,
			       m->clip ? 1.0f : 0.0f };
		snprintf(path, sizeof path, "/meter/%s", o->strips[i].name);
		send_msg(o, s, path, v, 4);
	}
	float l[3] = { finite_db(st->momentary_lufs), finite_db(st->short_term_lufs), finite_db(st->integrated_lufs) };
	send_msg(o, s, "/meter/master/loudness", l, 3);
}

/* Send what is due; returns ms until the next message is (capped). */
static int meter_round(mxd_rt_osc *o)
{
	double t = now_s();
	for (size_t i = 0; i < o->n_subs;)
		if (t >= o->subs[i].expires)
			o->subs[i] = o->subs[--o->n_subs];
		else
			i++;
	bool due = false;
	for (size_t i = 0; i < o->n_subs; i++)
		due |= t >= o->subs[i].due;
	if (due) {
		/* Strips (names) and readings; the table may grow after a reload. */
		size_t n = mixdown_player_strips(o->player, NULL, 0);
		if (n > o->cap) {
			mixdown_strip_state *s = realloc(o->strips, n * sizeof *s);
			if (s)
				o->strips = s;
			mixdown_strip_meter *m = s ? realloc(o->meters, n * sizeof *m) : NULL;
			if (m) {
				o->meters = m;
				o->cap = n;
			}
		}
		n = n > o->cap ? o->cap : n;
		size_t ns = mixdown_player_strips(o->player, o->strips, n);
		size_t nm = mixdown_player_meters(o->player, o->meters, n);
		n = ns < n ? ns : n;
		n = nm < n ? nm : n;
		mixdown_player_status st;
		mixdown_player_get_status(o->player, &st);
		for (size_t i = 0; i < o->n_subs; i++) {
			meter_sub *s = &o->subs[i];
			if (t < s->due)
				continue;
			send_meters(o, s, n, &st);
			/* Keep the rate on average; after a stall start afresh. */
			s->due += s->period;
			if (s->due < t)
				s->due = t + s->period;
		}
	}
	double wait = IDLE_POLL_MS / 1000.0;
	for (size_t i = 0; i < o->n_subs; i++)
		if (o->subs[i].due - t < wait)
			wait = o->subs[i].due - t;
	return wait > 0 ? (int)ceil(wait * 1000.0) : 0;
}

static void *osc_main(void *arg)
{
	mxd_rt_osc *o = arg;
	char buf[4096];
	while (atomic_load(&o->running)) {
		struct pollfd pf = { .fd = o->fd, .events = POLLIN };
		int timeout = meter_round(o);
		if (poll(&pf, 1, timeout) <= 0)
			continue;
		struct sockaddr_in from;
		socklen_t fl = sizeof from;
		ssize_t n = recvfrom(o->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
		if (n > 0)
			handle(o, buf, n, &from);
	}
	return NULL;
}

mixdown_status mxd_rt_osc_start(mixdown_player *p, int port, const char *bind_addr, mxd_rt_osc **out,
				mixdown_error *err)
{
	*out = NULL;
	const char *host = bind_addr ? bind_addr : "127.0.0.1";
	/* Loopback unless told otherwise: control from other machines is an
	 * explicit choice (there is no authentication in OSC 1.0). */
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL,
				"OSC bind address \"%s\" is not an IPv4 address (e.g. 127.0.0.1 or 0.0.0.0)", host);
	mxd_rt_osc *o = calloc(1, sizeof *o);
	if (!o)
		return MIXDOWN_ERR_NOMEM;
	o->player = p;
	o->fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (o->fd < 0 || bind(o->fd, (struct sockaddr *)&a, sizeof a) != 0) {
		int e = errno;
		if (o->fd >= 0)
			close(o->fd);
		free(o);
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL,
				"cannot listen for OSC on %s:%d: %s", host, port, strerror(e));
	}
	atomic_init(&o->running, true);
	atomic_init(&o->messages, 0);
	atomic_init(&o->rejected, 0);
	if (pthread_create(&o->thread, NULL, osc_main, o) != 0) {
		close(o->fd);
		free(o);
		return mxd_fail(err, MIXDOWN_ERR_INTERNAL, NULL, (mxd_loc){ 0, 0 }, NULL, "cannot start the OSC thread");
	}
	*out = o;
	return MIXDOWN_SUCCESS;
}

void mxd_rt_osc_stop(mxd_rt_osc *o)
{
	if (!o)
		return;
	atomic_store(&o->running, false);
	pthread_join(o->thread, NULL);
	close(o->fd);
	free(o->strips);
	free(o->meters);
	free(o);
}

void mxd_rt_osc_counts(const mxd_rt_osc *o, uint64_t *messages, uint64_t *rejected)
{
	*messages = o ? atomic_load(&((mxd_rt_osc *)o)->messages) : 0;
	*rejected = o ? atomic_load(&((mxd_rt_osc *)o)->rejected) : 0;
}
