/* mixdown — loudness measurement of a render on a worker thread (see render_meter.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "api/render_meter.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct mxr_meter_queue {
	mxd_fl *meter;
	uint32_t channels, max_block;
	float *buf;                        /* MXR_METER_SLOTS x max_block x channels */
	uint32_t frames[MXR_METER_SLOTS];
	uint32_t head, count;              /* next slot to fill; slots filled */
	bool stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
};

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
		/* The producer never writes a filled slot: no lock while measuring. A
		 * failure (no memory for the meter's lists) stays in meter->failed. */
		(void)mxd_fl_add(q->meter, q->buf + (size_t)slot * q->max_block * q->channels, q->frames[slot]);
		pthread_mutex_lock(&q->mu);
		q->count--;
		pthread_cond_broadcast(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

mxr_meter_queue *mxr_meter_start(mxd_fl *meter, uint32_t channels, uint32_t max_block)
{
	mxr_meter_queue *q = calloc(1, sizeof *q);
	if (!q)
		return NULL;
	q->meter = meter;
	q->channels = channels;
	q->max_block = max_block;
	q->buf = malloc(sizeof(float) * MXR_METER_SLOTS * max_block * channels);
	if (!q->buf || pthread_mutex_init(&q->mu, NULL) != 0) {
		free(q->buf);
		free(q);
		return NULL;
	}
	if (pthread_cond_init(&q->cv, NULL) != 0) {
		pthread_mutex_destroy(&q->mu);
		free(q->buf);
		free(q);
		return NULL;
	}
	if (pthread_create(&q->thread, NULL, worker, q) != 0) {
		pthread_cond_destroy(&q->cv);
		pthread_mutex_destroy(&q->mu);
		free(q->buf);
		free(q);
		return NULL;
	}
	return q;
}

void mxr_meter_push(mxr_meter_queue *q, const float *interleaved, uint32_t n)
{
	pthread_mutex_lock(&q->mu);
	while (q->count == MXR_METER_SLOTS)
		pthread_cond_wait(&q->cv, &q->mu);
	uint32_t slot = q->head;
	pthread_mutex_unlock(&q->mu);
	memcpy(q->buf + (size_t)slot * q->max_block * q->channels, interleaved, sizeof(float) * n * q->channels);
	q->frames[slot] = n;
	pthread_mutex_lock(&q->mu);
	q->head = (q->head + 1) % MXR_METER_SLOTS;
	q->count++;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

void mxr_meter_finish(mxr_meter_queue *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = true;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL);
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q->buf);
	free(q);
}
