/* mixdown — watching a file for saves: a thread that polls stat() and calls
 * back once a change has settled (hot reload of `mixdown play`).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every period (100 ms) the thread compares the file's device, inode, size
 * and modification time (nanoseconds) with the last seen ones; editors that
 * save by writing a new file and renaming it over the old one change the
 * inode. A change is reported once the file has then stayed the same for one
 * more poll, so a save written in several steps is read whole. A missing file
 * (between unlink and rename) counts as a change that has not settled.
 * Polling instead of inotify: portable, and a reload every 100-200 ms after a
 * save is fast enough for a person at an editor.
 *
 * Ownership: start/stop on the control thread; stop joins the thread (waiting
 * for a callback in progress). The callback runs on the watcher thread.
 */
#ifndef MIXDOWN_REALTIME_RT_WATCH_H
#define MIXDOWN_REALTIME_RT_WATCH_H

#include "mixdown/mixdown.h"

typedef struct mxd_rt_watch mxd_rt_watch;
typedef void (*mxd_rt_watch_fn)(void *user, const char *path);

#define MXD_RT_WATCH_PERIOD_MS 100

/* Copies `path`; changes after this call are reported. */
mixdown_status mxd_rt_watch_start(const char *path, mxd_rt_watch_fn fn, void *user, mxd_rt_watch **out,
				  mixdown_error *err);
void mxd_rt_watch_stop(mxd_rt_watch *w); /* NULL-safe */

#endif
