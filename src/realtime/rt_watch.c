/* mixdown — polling file watcher (see rt_watch.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "realtime/rt_watch.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "session/model.h"

typedef struct {
	bool exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
} file_sig;

struct mxd_rt_watch {
	char *path;
	mxd_rt_watch_fn fn;
	void *user;
	file_sig seen;     /* the version last reported (or the one at start) */
	pthread_t thread;
	_Atomic bool running;
};

static file_sig sig_of(const char *path)
{
	struct stat st;
	file_sig s = { 0 };
	if (stat(path, &st) == 0) {
		s.exists = true;
		s.dev = st.st_dev;
		s.ino = st.st_ino;
		s.size = st.st_size;
		s.mtime = st.st_mtim;
	}
	return s;
}

static bool sig_eq(const file_sig *a, const file_sig *b)
{
	return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

static void *watch_main(void *arg)
{
	mxd_rt_watch *w = arg;
	file_sig changed = w->seen; /* the last different version seen, waiting to settle */
	bool unsettled = false;
	while (atomic_load(&w->running)) {
		struct timespec ts = { 0, MXD_RT_WATCH_PERIOD_MS * 1000000L };
		nanosleep(&ts, NULL);
		if (!atomic_load(&w->running))
			break;
		file_sig now = sig_of(w->path);
		if (unsettled && sig_eq(&now, &changed) && now.exists) {
			unsettled = false;
			w->seen = now;
			w->fn(w->user, w->path);
		} else if (!sig_eq(&now, unsettled ? &changed : &w->seen)) {
			changed = now;
			unsettled = true;
		}
	}
	return NULL;
}

mixdown_status mxd_rt_watch_start(const char *path, mxd_rt_watch_fn fn, void *user, mxd_rt_watch **out,
				  mixdown_error *err)
{
	*out = NULL;
	mxd_rt_watch *w = calloc(1, sizeof *w);
	if (!w || !(w->path = strdup(path))) {
		free(w);
		return MIXDOWN_ERR_NOMEM;
	}
	w->fn = fn;
	w->user = user;
	w->seen = sig_of(path);
	atomic_init(&w->running, true);
	if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
		free(w->path);
		free(w);
		return mxd_fail(err, MIXDOWN_ERR_INTERNAL, NULL, (mxd_loc){ 0, 0 }, NULL,
				"cannot start the thread watching %s", path);
	}
	*out = w;
	return MIXDOWN_SUCCESS;
}

void mxd_rt_watch_stop(mxd_rt_watch *w)
{
	if (!w)
		return;
	atomic_store(&w->running, false);
	pthread_join(w->thread, NULL);
	free(w->path);
	free(w);
}
