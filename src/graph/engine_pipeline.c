/* mixdown — the master strip on a second thread (see engine_pipeline.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One block is out at a time. The engine's thread submits block k (swapping
 * the staged input in as the master's input) only after collecting block
 * k - 1, so the worker and the engine's thread never touch the same buffer:
 * the worker the master node, its input and output; the engine's thread
 * everything else and the stage. The semaphores order the hand-overs.
 */
#include "graph/engine_pipeline.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>

#include "graph/engine.h"
#include "graph/engine_internal.h"

struct mxd_pipeline {
	mixdown_engine *e;
	float *stage[MXD_MAX_CHANNELS]; /* the master's next input, max_block frames each */
	mxd_node_scratch ws;            /* the worker's node scratch */
	float *ws_bufs[2 * MXD_MAX_CHANNELS];
	pthread_t tid;
	sem_t go, done;
	bool sems, started, quit;
	/* The block out: set before `go`, read back after `done`. */
	int64_t t;
	uint32_t n;
	bool pending;
	mixdown_status status;
	mixdown_error err;
};

static void *master_main(void *arg)
{
	mxd_pipeline *p = arg;
	mixdown_engine *e = p->e;
	for (;;) {
		while (sem_wait(&p->go) != 0 && errno == EINTR)
			;
		if (p->quit)
			return NULL;
		p->status = mxd_engine_run_node_at(e, &p->ws, e->n_nodes - 1, p->t, p->n, &p->err);
		sem_post(&p->done);
	}
}

/* Whether anything besides the master's own strip reads it within a block. */
static bool pipeline_allowed(const mixdown_engine *e)
{
	if (e->threads || e->source || e->metering || e->pipeline || e->n_nodes == 0)
		return false;
	const size_t master = e->n_nodes - 1;
	for (size_t i = 0; i < e->n_nodes; i++)
		if (e->nodes[i].tap_enabled)
			return false; /* stems are written with the block the engine just ran */
	for (size_t j = 0; j < e->n_edges; j++) {
		const edge_rt *ed = &e->edges[j];
		if (ed->src == master || (ed->dst == master && (ed->key || ed->follow)))
			return false;
	}
	return true;
}

bool mxd_engine_pipeline_start(mixdown_engine *e)
{
	if (!pipeline_allowed(e))
		return false;
	mxd_pipeline *p = calloc(1, sizeof *p);
	if (!p)
		return false;
	p->e = e;
	bool ok = true;
	for (uint32_t c = 0; c < e->nodes[e->n_nodes - 1].in_ch; c++)
		ok = ok && (p->stage[c] = calloc(e->max_block, sizeof(float))) != NULL;
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++) {
		ok = ok && (p->ws.scratch[c] = p->ws_bufs[2 * c] = calloc(e->max_block, sizeof(float))) != NULL;
		ok = ok && (p->ws.tmp[c] = p->ws_bufs[2 * c + 1] = calloc(e->max_block, sizeof(float))) != NULL;
	}
	ok = ok && (p->ws.send_gain = calloc(e->max_block, sizeof(double))) != NULL;
	if (ok && sem_init(&p->go, 0, 0) == 0) {
		if (sem_init(&p->done, 0, 0) == 0)
			p->sems = true;
		else
			sem_destroy(&p->go);
	}
	p->started = ok && p->sems && pthread_create(&p->tid, NULL, master_main, p) == 0;
	if (!p->started) {
		mxd_pipeline_free(p);
		return false;
	}
	e->pipeline = p;
	return true;
}

float *const *mxd_pipeline_stage(mxd_pipeline *p)
{
	return p ? p->stage : NULL;
}

mixdown_status mxd_pipeline_collect(mxd_pipeline *p, float *const *out, uint32_t *got, mixdown_error *err)
{
	*got = 0;
	if (!p->pending)
		return MIXDOWN_SUCCESS;
	while (sem_wait(&p->done) != 0 && errno == EINTR)
		;
	p->pending = false;
	if (p->status != MIXDOWN_SUCCESS) {
		if (err)
			*err = p->err;
		return p->status;
	}
	const node_rt *m = &p->e->nodes[p->e->n_nodes - 1];
	for (uint32_t c = 0; c < p->e->channels; c++)
		memcpy(out[c], m->out[c], p->n * sizeof(float));
	*got = p->n;
	return MIXDOWN_SUCCESS;
}

void mxd_pipeline_submit(mxd_pipeline *p, int64_t t, uint32_t n)
{
	/* The worker is idle (collected): the staged input becomes the
	 * master's, the master's last input the next stage (cleared by
	 * run_block before anything is summed into it). */
	node_rt *m = &p->e->nodes[p->e->n_nodes - 1];
	for (uint32_t c = 0; c < m->in_ch; c++) {
		float *spare = m->in[c];
		m->in[c] = p->stage[c];
		p->stage[c] = spare;
	}
	p->t = t;
	p->n = n;
	p->pending = true;
	sem_post(&p->go);
}

void mxd_pipeline_free(mxd_pipeline *p)
{
	if (!p)
		return;
	if (p->started) {
		if (p->pending)
			while (sem_wait(&p->done) != 0 && errno == EINTR)
				;
		p->quit = true;
		sem_post(&p->go);
		pthread_join(p->tid, NULL);
	}
	if (p->sems) {
		sem_destroy(&p->go);
		sem_destroy(&p->done);
	}
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		free(p->stage[c]);
	for (uint32_t k = 0; k < 2 * MXD_MAX_CHANNELS; k++)
		free(p->ws_bufs[k]);
	free(p->ws.send_gain);
	free(p);
}
