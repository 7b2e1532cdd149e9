/* mixdown — the groups of strip_batch.c shared between threads (offline
 * renders: mxd_strip_batch_threads(), see strip_batch.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each block the engine's thread publishes the job and a ticket (epoch and
 * next group), wakes the workers and claims groups itself; every thread
 * claims the next group with a compare-and-swap until none is left, so a
 * worker the scheduler wakes late simply gets fewer. Groups touch only their
 * own strips and scratch, so the output does not depend on who ran what.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "graph/engine.h"
#include "graph/strip_batch.h"
#include "graph/strip_batch_internal.h"

/* Claim and run groups of the current epoch until none is left. A thread
 * that comes late (the epoch moved on) claims nothing of the old block: the
 * compare-and-swap fails on the epoch, and it reads the new one. */
static void claim_groups(mxd_strip_batch *b)
{
	uint64_t t = atomic_load_explicit(&b->ticket, memory_order_acquire);
	for (;;) {
		if ((uint32_t)t >= b->n)
			return;
		if (!atomic_compare_exchange_weak_explicit(&b->ticket, &t, t + 1, memory_order_acq_rel,
							   memory_order_acquire))
			continue; /* t now holds the current ticket */
		/* The epoch cannot move on before this group is finished, so the
		 * job read here is this epoch's. */
		mxd_batch_run_group(b->job_e, b, &b->g[(uint32_t)t], b->job_n);
		atomic_fetch_add_explicit(&b->finished, 1, memory_order_release);
		t = atomic_load_explicit(&b->ticket, memory_order_acquire);
	}
}

static void *worker_main(void *arg)
{
	worker *w = arg;
	for (;;) {
		while (sem_wait(&w->go) != 0 && errno == EINTR)
			;
		if (atomic_load(&w->b->quit))
			return NULL;
		claim_groups(w->b);
	}
}

void mxd_batch_run_shared(mixdown_engine *e, mxd_strip_batch *b, uint32_t n)
{
	/* Groups touch only their own strips and scratch; the threads share the
	 * job and two counters. This thread claims groups too and, when none is
	 * left, waits only for the groups a worker is still running: a worker
	 * the scheduler has not woken yet costs nothing. */
	b->job_e = e;
	b->job_n = n;
	b->epoch++;
	atomic_store_explicit(&b->finished, 0, memory_order_relaxed);
	atomic_store_explicit(&b->ticket, (uint64_t)b->epoch << 32, memory_order_release);
	for (uint32_t k = 0; k < b->n_workers; k++)
		sem_post(&b->wk[k].go);
	claim_groups(b);
	for (unsigned spins = 0; atomic_load_explicit(&b->finished, memory_order_acquire) < b->n; spins++)
		if (spins > 64)
			sched_yield(); /* offline: let the worker have this core */
}

void mxd_batch_stop_workers(mxd_strip_batch *b)
{
	atomic_store(&b->quit, true);
	for (uint32_t k = 0; k < MAX_THREADS - 1; k++) {
		worker *w = &b->wk[k];
		if (w->started) {
			sem_post(&w->go);
			pthread_join(w->tid, NULL);
		}
		if (w->sem_ok)
			sem_destroy(&w->go);
	}
	b->n_workers = 0;
}

/* Largest groups first, so the last ones claimed are the small ones. */
static int by_lanes_desc(const void *a, const void *b)
{
	const group *x = a, *y = b;
	return (x->L < y->L) - (x->L > y->L);
}

mixdown_status mxd_strip_batch_threads(mixdown_engine *e, unsigned threads, mixdown_error *err)
{
	if (threads == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cpus > 1 ? (unsigned)cpus : 1;
	}
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	if (!e->batch)
		return MIXDOWN_SUCCESS; /* nothing batched: nothing to share */
	/* Rebuild with each layout's tracks in `threads` groups, so every
	 * thread gets an equal share (a thread that finishes early takes the
	 * next group), then start the workers. */
	mxd_strip_batch *b = mxd_batch_build(e, threads);
	if (!b)
		return mxd_fail(err, MIXDOWN_ERR_NOMEM, NULL, (mxd_loc){ 0, 0 }, "threads",
				"out of memory sharing the tracks between threads");
	qsort(b->g, b->n, sizeof *b->g, by_lanes_desc);
	uint32_t used = threads < b->n ? threads : (uint32_t)b->n;
	for (uint32_t k = 0; k + 1 < used; k++) {
		worker *w = &b->wk[k];
		w->b = b;
		if (!(w->sem_ok = sem_init(&w->go, 0, 0) == 0))
			break;
		b->n_workers = k + 1;
		if (!(w->started = pthread_create(&w->tid, NULL, worker_main, w) == 0))
			break;
	}
	if (b->n_workers && !b->wk[b->n_workers - 1].started)
		b->n_workers--; /* stop_workers() still destroys its semaphore */
	mxd_strip_batch_free(e->batch);
	e->batch = b;
	return MIXDOWN_SUCCESS;
}

unsigned mxd_strip_batch_workers(const mixdown_engine *e)
{
	return e->batch ? e->batch->n_workers : 0;
}

