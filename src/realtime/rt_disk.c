/* mixdown — disk streaming thread for real-time playback (see rt_disk.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "realtime/rt_disk.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "graph/clip_player.h"
#include "graph/engine.h"
#include "realtime/rt_ring.h"
#include "session/model.h"

#define LOOP_SLOTS 8u

typedef struct {
	mxd_rt_ring ring;
	/* disk thread */
	mxd_clip_player *clips;
	size_t n_clips;
	int64_t t;            /* timeline frame the disk thread writes next */
	int64_t wrap_at, wrap_to; /* loop: after frame wrap_at - 1 comes wrap_to; wrap_at < 0 = none */
	/* audio thread */
	uint64_t skip;        /* frames owed from underruns, discarded on arrival */
} track_stream;

struct mxd_rt_disk {
	track_stream *tracks;
	size_t n_tracks;
	_Atomic uint64_t want;     /* frame << 16 | generation (16 bits) */
	uint32_t gen;              /* audio thread: the generation it asked for */
	/* The loop of each generation, by gen % LOOP_SLOTS, stored before `want`
	 * publishes the generation (a slot is reused only LOOP_SLOTS seeks later). */
	_Atomic int64_t wrap_at[LOOP_SLOTS], wrap_to[LOOP_SLOTS];
	_Atomic uint64_t underruns;
	_Atomic bool running;
	_Atomic bool failed;
	char error[256];           /* written once by the disk thread before `failed` */
	pthread_t thread;
	bool started;
	float *tmp[MXD_MAX_CHANNELS];     /* disk thread: one chunk */
	float *scratch[MXD_MAX_CHANNELS]; /* disk thread: clip player scratch */
};

#define GEN_BITS 16
#define GEN_MASK ((1u << GEN_BITS) - 1)

static uint64_t pack(int64_t frame, uint32_t gen)
{
	return ((uint64_t)frame << GEN_BITS) | (gen & GEN_MASK);
}

/* Disk thread: mix the clips of a track for frames [t, t + n) into tmp + off. */
static void mix_clips(mxd_rt_disk *d, track_stream *ts, uint32_t off, uint32_t n)
{
	uint32_t ch = ts->ring.channels;
	float *dst[MXD_MAX_CHANNELS];
	for (uint32_t c = 0; c < ch; c++)
		dst[c] = d->tmp[c] + off;
	for (size_t k = 0; k < ts->n_clips; k++) {
		mixdown_error err;
		if (mxd_clip_player_mix(&ts->clips[k], ts->t, n, dst, ch, d->scratch, &err) != MIXDOWN_SUCCESS &&
		    !atomic_load(&d->failed)) {
			size_t len = strnlen(err.message, sizeof d->error - 1); /* truncated on purpose */
			memcpy(d->error, err.message, len);
			d->error[len] = '\0';
			atomic_store(&d->failed, true);
		}
	}
	ts->t += n;
}

/* Disk thread: produce one chunk of a track at its position; a loop wrap
 * inside the chunk continues it from the loop start, so the audio thread
 * reads across the wrap without a gap. */
static void produce(mxd_rt_disk *d, track_stream *ts)
{
	for (uint32_t c = 0; c < ts->ring.channels; c++)
		memset(d->tmp[c], 0, MXD_RT_CHUNK * sizeof(float));
	for (uint32_t off = 0; off < MXD_RT_CHUNK;) {
		uint32_t n = MXD_RT_CHUNK - off;
		if (ts->wrap_at >= 0 && ts->t < ts->wrap_at && ts->wrap_at - ts->t < n)
			n = (uint32_t)(ts->wrap_at - ts->t);
		mix_clips(d, ts, off, n);
		off += n;
		if (ts->t == ts->wrap_at)
			ts->t = ts->wrap_to;
	}
	mxd_rt_ring_write(&ts->ring, (const float *const *)d->tmp, MXD_RT_CHUNK);
}

static void *disk_main(void *arg)
{
	mxd_rt_disk *d = arg;
	while (atomic_load_explicit(&d->running, memory_order_acquire)) {
		uint64_t want = atomic_load_explicit(&d->want, memory_order_acquire);
		uint32_t gen = (uint32_t)(want & GEN_MASK);
		int64_t frame = (int64_t)(want >> GEN_BITS);
		bool busy = false;
		for (size_t k = 0; k < d->n_tracks; k++) {
			track_stream *ts = &d->tracks[k];
			if (atomic_load_explicit(&ts->ring.gen, memory_order_relaxed) != gen) {
				/* Re-tag only once the audio thread has drained the old
				 * contents; the tag is published before any new frame. */
				if (mxd_rt_ring_fill(&ts->ring) != 0)
					continue;
				ts->t = frame;
				ts->wrap_at = atomic_load_explicit(&d->wrap_at[gen % LOOP_SLOTS], memory_order_relaxed);
				ts->wrap_to = atomic_load_explicit(&d->wrap_to[gen % LOOP_SLOTS], memory_order_relaxed);
				atomic_store_explicit(&ts->ring.gen, gen, memory_order_release);
			}
			if (mxd_rt_ring_space(&ts->ring) >= MXD_RT_CHUNK) {
				produce(d, ts);
				busy = true;
			}
		}
		if (!busy) {
			struct timespec ts = { 0, 2000000 };
			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

mixdown_status mxd_rt_disk_create(const mixdown_session *s, const mixdown_engine *e, int64_t start_frame,
				  mxd_rt_disk **out, mixdown_error *err)
{
	*out = NULL;
	mxd_rt_disk *d = calloc(1, sizeof *d);
	if (!d)
		return MIXDOWN_ERR_NOMEM;
	d->n_tracks = s->n_tracks;
	d->tracks = calloc(s->n_tracks ? s->n_tracks : 1, sizeof *d->tracks);
	if (!d->tracks)
		goto nomem;
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		if (!(d->tmp[c] = calloc(MXD_RT_CHUNK, sizeof(float))) ||
		    !(d->scratch[c] = calloc(MXD_RT_CHUNK, sizeof(float))))
			goto nomem;
	for (size_t k = 0; k < s->n_tracks; k++) {
		track_stream *ts = &d->tracks[k];
		const mxd_strip *st = &s->tracks[k];
		if (mxd_rt_ring_init(&ts->ring, mxd_engine_node_channels(e, k), MXD_RT_RING_FRAMES) != 0)
			goto nomem;
		ts->clips = calloc(st->n_clips ? st->n_clips : 1, sizeof *ts->clips);
		if (!ts->clips)
			goto nomem;
		ts->n_clips = st->n_clips;
		for (size_t c = 0; c < st->n_clips; c++)
			mxd_clip_player_init(&ts->clips[c], &st->clips[c], s->sample_rate, MXD_RT_CHUNK);
	}
	/* Rings start tagged 0; generation 1 makes the thread fill them. */
	d->gen = 1;
	for (uint32_t k = 0; k < LOOP_SLOTS; k++) {
		atomic_init(&d->wrap_at[k], -1);
		atomic_init(&d->wrap_to[k], 0);
	}
	atomic_init(&d->want, pack(start_frame, d->gen));
	atomic_init(&d->underruns, 0);
	atomic_init(&d->failed, false);
	atomic_init(&d->running, true);
	if (pthread_create(&d->thread, NULL, disk_main, d) != 0) {
		mxd_rt_disk_free(d);
		return mxd_fail(err, MIXDOWN_ERR_INTERNAL, NULL, (mxd_loc){ 0, 0 }, NULL,
				"cannot start the disk thread");
	}
	d->started = true;
	*out = d;
	return MIXDOWN_SUCCESS;
nomem:
	mxd_rt_disk_free(d);
	return MIXDOWN_ERR_NOMEM;
}

void mxd_rt_disk_free(mxd_rt_disk *d)
{
	if (!d)
		return;
	if (d->started) {
		atomic_store(&d->running, false);
		pthread_join(d->thread, NULL);
	}
	for (size_t k = 0; d->tracks && k < d->n_tracks; k++) {
		track_stream *ts = &d->tracks[k];
		for (size_t c = 0; c < ts->n_clips; c++)
			mxd_clip_player_close(&ts->clips[c]);
		free(ts->clips);
		mxd_rt_ring_free(&ts->ring);
	}
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++) {
		free(d->tmp[c]);
		free(d->scratch[c]);
	}
	free(d->tracks);
	free(d);
}

void mxd_rt_disk_seek_loop(mxd_rt_disk *d, int64_t frame, int64_t wrap_at, int64_t wrap_to)
{
	d->gen = (d->gen + 1) & GEN_MASK;
	for (size_t k = 0; k < d->n_tracks; k++)
		d->tracks[k].skip = 0;
	frame = frame < 0 ? 0 : frame;
	/* Only a loop ahead of the frame wraps, and only forward. */
	bool loop = wrap_at > frame && wrap_to >= 0 && wrap_to < wrap_at;
	atomic_store_explicit(&d->wrap_at[d->gen % LOOP_SLOTS], loop ? wrap_at : -1, memory_order_relaxed);
	atomic_store_explicit(&d->wrap_to[d->gen % LOOP_SLOTS], wrap_to, memory_order_relaxed);
	atomic_store_explicit(&d->want, pack(frame, d->gen), memory_order_release);
}

void mxd_rt_disk_seek(mxd_rt_disk *d, int64_t frame)
{
	mxd_rt_disk_seek_loop(d, frame, -1, 0);
}

bool mxd_rt_disk_ready(mxd_rt_disk *d)
{
	bool ready = true;
	for (size_t k = 0; k < d->n_tracks; k++) {
		mxd_rt_ring *r = &d->tracks[k].ring;
		/* Fill first, then the tag: a frame seen here was written after
		 * the tag it belongs to was published (rt_ring.h), so a ring
		 * tagged stale holds only stale frames up to `fill`. */
		uint64_t fill = mxd_rt_ring_fill(r);
		if (atomic_load_explicit(&r->gen, memory_order_acquire) != d->gen) {
			mxd_rt_ring_skip(r, fill);
			ready = false;
		} else if (fill < MXD_RT_PREFILL) {
			ready = false;
		}
	}
	return ready;
}

void mxd_rt_disk_source(void *user, size_t node, int64_t t, uint32_t n, float *const *dst, uint32_t channels)
{
	(void)t; /* the stream is sequential from the last seek */
	mxd_rt_disk *d = user;
	track_stream *ts = &d->tracks[node];
	mxd_rt_ring *r = &ts->ring;
	uint64_t fill = mxd_rt_ring_fill(r);
	if (atomic_load_explicit(&r->gen, memory_order_acquire) != d->gen)
		fill = 0;
	if (ts->skip && fill) {
		uint64_t k = ts->skip < fill ? ts->skip : fill;
		mxd_rt_ring_skip(r, k);
		ts->skip -= k;
		fill -= k;
	}
	uint32_t m = fill < n ? (uint32_t)fill : n;
	if (m)
		mxd_rt_ring_read(r, dst, m);
	if (m < n) {
		for (uint32_t c = 0; c < channels; c++)
			memset(dst[c] + m, 0, (n - m) * sizeof(float));
		ts->skip += n - m;
		atomic_fetch_add_explicit(&d->underruns, 1, memory_order_relaxed);
	}
}

uint64_t mxd_rt_disk_underruns(const mxd_rt_disk *d)
{
	return atomic_load_explicit(&d->underruns, memory_order_relaxed);
}

void mxd_rt_disk_error(mxd_rt_disk *d, char *buf, size_t cap)
{
	if (atomic_load(&d->failed))
		snprintf(buf, cap, "%s", d->error);
	else if (cap)
		buf[0] = '\0';
}
