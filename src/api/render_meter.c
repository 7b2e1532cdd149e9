/* mixdown — the render's output worker: peak, loudness meter and main writer
 * of a render on a second thread (see render_meter.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "api/render_meter.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/bits.h"

int mxr_out_init(mxr_out *o, mxd_fl *meter, mxd_writer *w, uint32_t channels, uint32_t max_block)
{
	memset(o, 0, sizeof *o);
	o->meter = meter;
	o->w = w;
	o->channels = channels;
	o->st = MIXDOWN_SUCCESS;
	o->inter = malloc(sizeof(float) * max_block * channels);
	return o->inter ? 0 : -1;
}

void mxr_out_free(mxr_out *o)
{
	free(o->inter);
	o->inter = NULL;
}

mixdown_status mxr_out_block(mxr_out *o, const float *const *planes, uint32_t n)
{
	if (o->st != MIXDOWN_SUCCESS)
		return o->st; /* the render is failing: nothing more is written */
	uint32_t nc = o->channels;
	float peak = o->peak;
	for (uint32_t c = 0; c < nc; c++)
		for (uint32_t i = 0; i < n; i++) {
			float v = planes[c][i];
			float a = fabsf(v); /* NaN: a > peak is false, so NaN never enters; Inf does */
			if (a > peak)
				peak = a;
			/* The meter must not see NaN/Inf (the writer replaces them too). */
			o->inter[i * nc + c] = isfinite(v) ? v : 0.0f;
		}
	o->peak = peak;
	(void)mxd_fl_add(o->meter, o->inter, n); /* a failure stays in meter->failed */
	if (o->w)
		o->st = mxd_writer_write(o->w, planes, n, &o->err);
	return o->st;
}

struct mxr_meter_queue {
	mxr_out out;                       /* the worker's alone between start and finish */
	uint32_t max_block;
	float *buf;                        /* MXR_METER_SLOTS x channels x max_block (planar slots) */
	const float **planes;              /* MXR_METER_SLOTS x channels: the slots' channel pointers */
	uint32_t frames[MXR_METER_SLOTS];
	uint32_t head, count;              /* next slot to fill; slots filled or being worked on */
	bool stop;
	/* Published by the worker after each block, read by the render's thread. */
	_Atomic uint32_t peak_bits;        /* out.peak's bits: >= 0, so bit order = value order */
	_Atomic uint64_t clipped;
	_Atomic int status;                /* out.st */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
};

static float *slot_plane(const mxr_meter_queue *q, uint32_t slot, uint32_t c)
{
	return q->buf + ((size_t)slot * q->out.channels + c) * q->max_block;
}

static void *worker(void *arg)
{
	mxr_meter_queue *q = arg;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (q->count == 0 && !q->stop)
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->count == 0)
			break; /* stopped and drained */
		uint32_t slot = (q->head + MXR_METER_SLOTS - q->count) % MXR_METER_SLOTS;
		pthread_mutex_unlock(&q->mu);
		/* The producer never writes a filled slot: no lock while working. */
		mixdown_status st = mxr_out_block(&q->out, q->planes + (size_t)slot * q->out.channels, q->frames[slot]);
		atomic_store_explicit(&q->peak_bits, mxd_float_bits(q->out.peak), memory_order_relaxed);
		if (q->out.w)
			atomic_store_explicit(&q->clipped, mxd_writer_clipped(q->out.w), memory_order_relaxed);
		atomic_store_explicit(&q->status, (int)st, memory_order_relaxed);
		pthread_mutex_lock(&q->mu); /* orders the stores above before the producer sees count drop */
		q->count--;
		pthread_cond_broadcast(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

mxr_meter_queue *mxr_meter_start(mxd_fl *meter, mxd_writer *w, uint32_t channels, uint32_t max_block)
{
	mxr_meter_queue *q = calloc(1, sizeof *q);
	if (!q)
		return NULL;
	q->max_block = max_block;
	atomic_init(&q->peak_bits, 0u);
	atomic_init(&q->clipped, 0u);
	atomic_init(&q->status, (int)MIXDOWN_SUCCESS);
	if (mxr_out_init(&q->out, meter, w, channels, max_block) != 0)
		goto fail;
	q->buf = malloc(sizeof(float) * MXR_METER_SLOTS * max_block * channels);
	q->planes = malloc(sizeof *q->planes * MXR_METER_SLOTS * channels);
	if (!q->buf || !q->planes || pthread_mutex_init(&q->mu, NULL) != 0)
		goto fail;
	for (uint32_t slot = 0; slot < MXR_METER_SLOTS; slot++)
		for (uint32_t c = 0; c < channels; c++)
			q->planes[(size_t)slot * channels + c] = slot_plane(q, slot, c);
	if (pthread_cond_init(&q->cv, NULL) != 0) {
		pthread_mutex_destroy(&q->mu);
		goto fail;
	}
	if (pthread_create(&q->thread, NULL, worker, q) != 0) {
		pthread_cond_destroy(&q->cv);
		pthread_mutex_destroy(&q->mu);
		goto fail;
	}
	return q;
fail:
	mxr_out_free(&q->out);
	free(q->planes);
	free(q->buf);
	free(q);
	return NULL;
}

mixdown_status mxr_meter_push(mxr_meter_queue *q, const float *const *planes, uint32_t n)
{
	pthread_mutex_lock(&q->mu);
	while (q->count == MXR_METER_SLOTS)
		pthread_cond_wait(&q->cv, &q->mu);
	uint32_t slot = q->head;
	mixdown_status st = (mixdown_status)atomic_load_explicit(&q->status, memory_order_relaxed);
	pthread_mutex_unlock(&q->mu);
	if (st != MIXDOWN_SUCCESS)
		return st; /* the writer failed: the render stops, nothing more to queue */
	for (uint32_t c = 0; c < q->out.channels; c++)
		memcpy(slot_plane(q, slot, c), planes[c], sizeof(float) * n);
	q->frames[slot] = n;
	pthread_mutex_lock(&q->mu);
	q->head = (q->head + 1) % MXR_METER_SLOTS;
	q->count++;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return MIXDOWN_SUCCESS;
}

mixdown_status mxr_meter_wait(mxr_meter_queue *q)
{
	pthread_mutex_lock(&q->mu);
	while (q->count > 0)
		pthread_cond_wait(&q->cv, &q->mu);
	mixdown_status st = (mixdown_status)atomic_load_explicit(&q->status, memory_order_relaxed);
	pthread_mutex_unlock(&q->mu);
	return st;
}

float mxr_meter_peak(const mxr_meter_queue *q)
{
	return mxd_bits_float(atomic_load_explicit(&((mxr_meter_queue *)q)->peak_bits, memory_order_relaxed));
}

uint64_t mxr_meter_clipped(const mxr_meter_queue *q)
{
	return atomic_load_explicit(&((mxr_meter_queue *)q)->clipped, memory_order_relaxed);
}

mixdown_status mxr_meter_finish(mxr_meter_queue *q, float *peak, mixdown_error *err)
{
	if (!q)
		return MIXDOWN_SUCCESS;
	pthread_mutex_lock(&q->mu);
	q->stop = true;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL); /* after this the worker's state is ours */
	mixdown_status st = q->out.st;
	if (peak)
		*peak = q->out.peak;
	if (st != MIXDOWN_SUCCESS && err)
		*err = q->out.err;
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	mxr_out_free(&q->out);
	free(q->planes);
	free(q->buf);
	free(q);
	return st;
}
