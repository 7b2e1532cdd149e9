/* mixdown — clip reading one block ahead on a worker thread (see engine_prefetch.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "graph/engine_prefetch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "graph/engine.h"
#include "graph/engine_internal.h"

enum { IDLE, BUSY, DONE };

struct mxd_prefetch {
	mixdown_engine *e;
	size_t *track;                       /* nodes that read clips */
	size_t n_track;
	float *(*next)[MXD_MAX_CHANNELS];    /* [n_track][channel]: max_block frames */
	float *scratch[MXD_MAX_CHANNELS];    /* the worker's clip scratch */
	int state;
	bool started, quit, failed;
	int64_t req_t;                       /* the block asked for */
	uint32_t req_n;
	mixdown_status status;               /* of the read, when DONE */
	mixdown_error err;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
};

static mixdown_status read_all(mxd_prefetch *p, int64_t t, uint32_t n, mixdown_error *err)
{
	for (size_t k = 0; k < p->n_track; k++) {
		mixdown_status st = mxd_engine_read_clips(p->e, &p->e->nodes[p->track[k]], t, n, p->next[k],
							  p->scratch, err);
		if (st != MIXDOWN_SUCCESS)
			return st;
	}
	return MIXDOWN_SUCCESS;
}

static void *worker(void *arg)
{
	mxd_prefetch *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->state != BUSY && !p->quit)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->quit)
			break;
		int64_t t = p->req_t;
		uint32_t n = p->req_n;
		pthread_mutex_unlock(&p->mu);
		mixdown_error err;
		memset(&err, 0, sizeof err);
		mixdown_status st = read_all(p, t, n, &err);
		pthread_mutex_lock(&p->mu);
		p->status = st;
		p->err = err;
		p->state = DONE;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

mxd_prefetch *mxd_prefetch_create(mixdown_engine *e)
{
	size_t n = 0;
	for (size_t i = 0; i < e->n_nodes; i++)
		n += e->nodes[i].strip->kind == MXD_STRIP_TRACK && e->nodes[i].n_clips > 0;
	if (n == 0)
		return NULL;
	mxd_prefetch *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->e = e;
	p->track = calloc(n, sizeof *p->track);
	p->next = calloc(n, sizeof *p->next);
	bool ok = p->track && p->next && pthread_mutex_init(&p->mu, NULL) == 0;
	if (ok && pthread_cond_init(&p->cv, NULL) != 0) {
		pthread_mutex_destroy(&p->mu);
		ok = false;
	}
	if (!ok) {
		free(p->track);
		free(p->next);
		free(p);
		return NULL;
	}
	for (size_t i = 0; i < e->n_nodes; i++)
		if (e->nodes[i].strip->kind == MXD_STRIP_TRACK && e->nodes[i].n_clips > 0) {
			size_t k = p->n_track++;
			p->track[k] = i;
			for (uint32_t c = 0; c < e->nodes[i].in_ch; c++)
				ok = ok && (p->next[k][c] = calloc(e->max_block, sizeof(float))) != NULL;
		}
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		ok = ok && (p->scratch[c] = calloc(e->max_block, sizeof(float))) != NULL;
	if (!ok) {
		mxd_prefetch_free(p);
		return NULL;
	}
	return p;
}

void mxd_prefetch_idle(mxd_prefetch *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	while (p->state == BUSY)
		pthread_cond_wait(&p->cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

void mxd_prefetch_free(mxd_prefetch *p)
{
	if (!p)
		return;
	if (p->started) {
		pthread_mutex_lock(&p->mu);
		p->quit = true;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->thread, NULL);
	}
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	for (size_t k = 0; k < p->n_track; k++)
		for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
			free(p->next[k][c]);
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		free(p->scratch[c]);
	free(p->next);
	free(p->track);
	free(p);
}

mixdown_status mxd_prefetch_tracks(mixdown_engine *e, mxd_prefetch *p, uint32_t n, mixdown_error *err)
{
	mixdown_status st = MIXDOWN_SUCCESS;
	pthread_mutex_lock(&p->mu);
	while (p->state == BUSY)
		pthread_cond_wait(&p->cv, &p->mu);
	bool hit = p->state == DONE && p->req_t == e->t && n <= p->req_n;
	if (hit && p->status != MIXDOWN_SUCCESS) {
		st = p->status;
		if (err)
			*err = p->err;
	}
	p->state = IDLE;
	pthread_mutex_unlock(&p->mu);
	if (st != MIXDOWN_SUCCESS)
		return st;
	for (size_t k = 0; k < p->n_track; k++) {
		node_rt *nd = &e->nodes[p->track[k]];
		if (hit) /* the read-ahead buffers become the inputs, the inputs the next read's buffers: no copy */
			for (uint32_t c = 0; c < nd->in_ch; c++) {
				float *spare = nd->in[c];
				nd->in[c] = p->next[k][c];
				p->next[k][c] = spare;
			}
		else if ((st = mxd_engine_read_clips(e, nd, e->t, n, nd->in, e->scratch, err)) != MIXDOWN_SUCCESS)
			return st;
		nd->in_ready = true;
	}
	if (!p->started && !p->failed) {
		p->failed = pthread_create(&p->thread, NULL, worker, p) != 0;
		p->started = !p->failed;
	}
	if (p->started) {
		pthread_mutex_lock(&p->mu);
		p->req_t = e->t + n;
		p->req_n = e->max_block;
		p->state = BUSY;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	return MIXDOWN_SUCCESS;
}
