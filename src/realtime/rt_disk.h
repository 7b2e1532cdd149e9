/* mixdown — disk streaming for real-time playback: a thread that reads every
 * track's clips ahead of the audio thread into one lock-free ring per track.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The audio thread installs mxd_rt_disk_source() as the engine's track source
 * (engine.h), so the engine never touches a file. Locate protocol (no locks):
 * the audio thread publishes a (generation, frame) pair in one atomic word;
 * while a ring's contents belong to an older generation the audio thread
 * discards them (drain); the disk thread waits until a ring is empty, re-tags
 * it with the new generation and refills it from the new frame. Playback
 * resumes when every ring holds MXD_RT_PREFILL frames (mxd_rt_disk_ready).
 * A ring that runs dry while playing gives silence for the missing frames,
 * counts an underrun, and skips those frames when they arrive, so tracks stay
 * aligned. The disk thread polls every 2 ms (no wake-up from the audio thread,
 * which therefore never makes a system call).
 *
 * Ownership: create/free on the control thread (free joins the thread; the
 * engine must no longer run). seek/ready/drain/source/underruns: audio thread
 * (the consumer; before a reader is handed to the audio thread, e.g. by a hot
 * reload, the control thread that built it is its consumer).
 */
#ifndef MIXDOWN_REALTIME_RT_DISK_H
#define MIXDOWN_REALTIME_RT_DISK_H

#include <stdbool.h>
#include <stdint.h>

#include "mixdown/mixdown.h"

#define MXD_RT_RING_FRAMES 65536u /* per track: 1.4 s at 48 kHz */
#define MXD_RT_PREFILL 16384u     /* frames buffered before playback (re)starts */
#define MXD_RT_CHUNK 2048u        /* frames read per disk step */

typedef struct mxd_rt_disk mxd_rt_disk;

/* Streams the tracks of `s` (channels per track from the engine). The
 * thread starts at once with generation 1 at `start_frame`. */
mixdown_status mxd_rt_disk_create(const mixdown_session *s, const mixdown_engine *e, int64_t start_frame,
				  mxd_rt_disk **out, mixdown_error *err);
void mxd_rt_disk_free(mxd_rt_disk *d);

/* Audio thread. */
void mxd_rt_disk_seek(mxd_rt_disk *d, int64_t frame);
/* The same, with a loop: the stream runs from `frame` and, after frame
 * wrap_at - 1, continues at wrap_to, every time (wrap_at <= frame or
 * wrap_to >= wrap_at: no loop). */
void mxd_rt_disk_seek_loop(mxd_rt_disk *d, int64_t frame, int64_t wrap_at, int64_t wrap_to);
bool mxd_rt_disk_ready(mxd_rt_disk *d); /* drains stale rings as a side effect */
void mxd_rt_disk_source(void *user, size_t node, int64_t t, uint32_t n, float *const *dst, uint32_t channels);
uint64_t mxd_rt_disk_underruns(const mxd_rt_disk *d);

/* Any thread: the disk thread's first error message, or "". */
void mxd_rt_disk_error(mxd_rt_disk *d, char *buf, size_t cap);

#endif
