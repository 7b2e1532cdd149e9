/* mixdown — the LV2 worker extension (http://lv2plug.in/ns/ext/worker): a thread
 * per plugin instance that does the plugin's non-real-time work.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two single-producer single-consumer byte rings carry messages ([uint32 size]
 * [size bytes]): requests from run() (audio thread, via schedule_work) to the
 * worker thread, and responses from the worker thread back to run(), which
 * hands them to work_response() at the end of its block (lv2w_deliver), then
 * calls end_run() if the plugin has one. The audio side never allocates, locks
 * or waits: it writes into the ring and posts a semaphore (sem_post is
 * async-signal-safe and does not block). A message that does not fit is refused
 * with LV2_WORKER_ERR_NO_SPACE, as the spec allows.
 *
 * Work is asynchronous, so in an offline render its result arrives some blocks
 * after it was scheduled, as it would in real time.
 * Threads: new/start/free on the control thread; schedule on the audio thread
 * (or inside work(), for a response: the worker thread); deliver on the audio thread.
 */
#include <stdlib.h>
#include <string.h>

#include "fx/fx_lv2_internal.h"

#define RING_SIZE 65536u /* bytes, a power of two */

typedef struct {
	unsigned char *buf;
	_Atomic uint32_t head, tail; /* written by producer / consumer; free-running */
} ring;

struct lv2_worker {
	ring req, resp;
	sem_t wake;
	atomic_bool stop;
	bool started;
	pthread_t thread;
	LV2_Handle handle;
	const LV2_Worker_Interface *iface;
	unsigned char *scratch_worker, *scratch_audio; /* one message, each side its own */
};

static uint32_t ring_space(const ring *r)
{
	return RING_SIZE - (atomic_load_explicit(&r->head, memory_order_relaxed) -
			    atomic_load_explicit(&r->tail, memory_order_acquire));
}

static void copy_in(ring *r, uint32_t at, const void *src, uint32_t n)
{
	uint32_t i = at & (RING_SIZE - 1), first = n < RING_SIZE - i ? n : RING_SIZE - i;
	memcpy(r->buf + i, src, first);
	memcpy(r->buf, (const unsigned char *)src + first, n - first);
}

static void copy_out(const ring *r, uint32_t at, void *dst, uint32_t n)
{
	uint32_t i = at & (RING_SIZE - 1), first = n < RING_SIZE - i ? n : RING_SIZE - i;
	memcpy(dst, r->buf + i, first);
	memcpy((unsigned char *)dst + first, r->buf, n - first);
}

static bool ring_write(ring *r, uint32_t size, const void *data)
{
	if (size > RING_SIZE / 2 || ring_space(r) < size + sizeof size)
		return false;
	uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
	copy_in(r, h, &size, sizeof size);
	copy_in(r, h + sizeof size, data, size);
	atomic_store_explicit(&r->head, h + (uint32_t)sizeof size + size, memory_order_release);
	return true;
}

/* The next message into out (at least RING_SIZE / 2 bytes); its size, or -1 if none. */
static long ring_read(ring *r, unsigned char *out)
{
	uint32_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	if (atomic_load_explicit(&r->head, memory_order_acquire) == t)
		return -1;
	uint32_t size;
	copy_out(r, t, &size, sizeof size);
	copy_out(r, t + sizeof size, out, size);
	atomic_store_explicit(&r->tail, t + (uint32_t)sizeof size + size, memory_order_release);
	return size;
}

static LV2_Worker_Status respond(LV2_Worker_Respond_Handle h, uint32_t size, const void *data)
{
	lv2_worker *w = h;
	return ring_write(&w->resp, size, data) ? LV2_WORKER_SUCCESS : LV2_WORKER_ERR_NO_SPACE;
}

static void *worker_main(void *arg)
{
	lv2_worker *w = arg;
	for (;;) {
		sem_wait(&w->wake);
		long n;
		while ((n = ring_read(&w->req, w->scratch_worker)) >= 0)
			w->iface->work(w->handle, respond, w, (uint32_t)n, w->scratch_worker);
		if (atomic_load(&w->stop))
			return NULL;
	}
}

lv2_worker *lv2w_new(void)
{
	lv2_worker *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->req.buf = malloc(RING_SIZE);
	w->resp.buf = malloc(RING_SIZE);
	w->scratch_worker = malloc(RING_SIZE / 2);
	w->scratch_audio = malloc(RING_SIZE / 2);
	if (!w->req.buf || !w->resp.buf || !w->scratch_worker || !w->scratch_audio || sem_init(&w->wake, 0, 0) != 0) {
		free(w->req.buf), free(w->resp.buf), free(w->scratch_worker), free(w->scratch_audio);
		free(w);
		return NULL;
	}
	return w;
}

int lv2w_start(lv2_worker *w, LV2_Handle handle, const LV2_Worker_Interface *iface)
{
	if (!iface->work)
		return -1;
	w->handle = handle;
	w->iface = iface;
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
		return -1;
	w->started = true;
	return 0;
}

void lv2w_free(lv2_worker *w)
{
	if (!w)
		return;
	if (w->started) {
		atomic_store(&w->stop, true);
		sem_post(&w->wake);
		pthread_join(w->thread, NULL);
	}
	sem_destroy(&w->wake);
	free(w->req.buf), free(w->resp.buf), free(w->scratch_worker), free(w->scratch_audio);
	free(w);
}

LV2_Worker_Status lv2w_schedule(LV2_Worker_Schedule_Handle h, uint32_t size, const void *data)
{
	lv2_worker *w = h;
	if (!w->started)
		return LV2_WORKER_ERR_UNKNOWN;
	if (!ring_write(&w->req, size, data))
		return LV2_WORKER_ERR_NO_SPACE;
	sem_post(&w->wake);
	return LV2_WORKER_SUCCESS;
}

void lv2w_deliver(lv2_worker *w)
{
	if (!w->started)
		return;
	long n;
	while ((n = ring_read(&w->resp, w->scratch_audio)) >= 0)
		if (w->iface->work_response)
			w->iface->work_response(w->handle, (uint32_t)n, w->scratch_audio);
	if (w->iface->end_run)
		w->iface->end_run(w->handle);
}
