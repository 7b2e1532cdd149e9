/* mixdown — OSC server for real-time playback (see rt_osc.h, docs/osc.md).
 * OSC 1.0 messages (opensoundcontrol.org/spec-1_0) decoded by liblo.
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
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "session/model.h"

struct mxd_rt_osc {
	mixdown_player *player;
	int fd;
	pthread_t thread;
	_Atomic bool running;
	_Atomic uint64_t messages, rejected;
};

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
	/* /track/<name>/<param> or /bus/<name>/<param> */
	const char *rest = NULL;
	if (!strncmp(path, "/track/", 7))
		rest = path + 7;
	else if (!strncmp(path, "/bus/", 5))
		rest = path + 5;
	const char *slash = rest ? strrchr(rest, '/') : NULL;
	if (!slash || slash == rest || !has_arg)
		return false;
	char name[256];
	size_t len = (size_t)(slash - rest);
	if (len >= sizeof name)
		return false;
	memcpy(name, rest, len);
	name[len] = '\0';
	return mixdown_player_set(p, name, slash + 1, value);
}

/* The first argument as a number (T/F as 1/0); NAN if none or not numeric. */
static double first_value(lo_message m, const char *types)
{
	if (!types || !types[0])
		return NAN;
	lo_arg **argv = lo_message_get_argv(m);
	switch (types[0]) {
	case LO_FLOAT: return argv[0]->f;
	case LO_DOUBLE: return argv[0]->d;
	case LO_INT32: return argv[0]->i;
	case LO_INT64: return (double)argv[0]->h;
	case LO_TRUE: return 1.0;
	case LO_FALSE: return 0.0;
	default: return NAN;
	}
}

static void handle(mxd_rt_osc *o, char *buf, ssize_t len)
{
	atomic_fetch_add(&o->messages, 1);
	int result = 0;
	const char *path = len > 0 ? lo_get_path(buf, len) : NULL;
	lo_message m = path ? lo_message_deserialise(buf, (size_t)len, &result) : NULL;
	bool ok = false;
	if (m) {
		const char *types = lo_message_get_types(m);
		double v = first_value(m, types);
		if (!types || !types[0] || v == v) /* no argument, or a numeric one */
			ok = mxd_rt_osc_dispatch(o->player, path, types && v == v ? types : "", v);
		lo_message_free(m);
	}
	if (!ok)
		atomic_fetch_add(&o->rejected, 1);
}

static void *osc_main(void *arg)
{
	mxd_rt_osc *o = arg;
	char buf[4096];
	while (atomic_load(&o->running)) {
		struct pollfd pf = { .fd = o->fd, .events = POLLIN };
		if (poll(&pf, 1, 50) <= 0)
			continue;
		ssize_t n = recv(o->fd, buf, sizeof buf, 0);
		if (n > 0)
			handle(o, buf, n);
	}
	return NULL;
}

mixdown_status mxd_rt_osc_start(mixdown_player *p, int port, mxd_rt_osc **out, mixdown_error *err)
{
	*out = NULL;
	mxd_rt_osc *o = calloc(1, sizeof *o);
	if (!o)
		return MIXDOWN_ERR_NOMEM;
	o->player = p;
	o->fd = socket(AF_INET, SOCK_DGRAM, 0);
	/* Loopback only: control from other machines is a later, explicit option. */
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (o->fd < 0 || bind(o->fd, (struct sockaddr *)&a, sizeof a) != 0) {
		int e = errno;
		if (o->fd >= 0)
			close(o->fd);
		free(o);
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL,
				"cannot listen for OSC on 127.0.0.1:%d: %s", port, strerror(e));
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
	free(o);
}

void mxd_rt_osc_counts(const mxd_rt_osc *o, uint64_t *messages, uint64_t *rejected)
{
	*messages = o ? atomic_load(&((mxd_rt_osc *)o)->messages) : 0;
	*rejected = o ? atomic_load(&((mxd_rt_osc *)o)->rejected) : 0;
}
