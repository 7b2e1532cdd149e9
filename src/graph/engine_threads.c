/* mixdown — running a block's independent strips on several cores (see
 * engine_threads.h for the model).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Per block (a "cycle", numbered from 1 since the workers started):
 *  1. the processing thread resets every node's dependency counter, puts the
 *     nodes without dependencies into the ready list, publishes the cycle
 *     number (C11 atomic, release) and sem_post()s every worker;
 *  2. every thread, the processing thread included, claims the next ready
 *     node (compare-and-swap on the list's head), sums its incoming audio
 *     edges, runs it, decrements its successors' counters and appends those
 *     that reach zero to the list (fetch-add on the tail);
 *  3. workers go back to sleep once every node of the cycle is claimed; the
 *     processing thread spins until the done counter covers the cycle.
 * Head, tail and done count nodes since the start, so they never go back:
 * cycle c owns list positions [(c - 1) * N, c * N), and a list entry carries
 * its cycle number, so a worker that wakes late for an old cycle sees its
 * positions all claimed and a worker never takes a stale entry (no ABA).
 *
 * Why waiting by spinning is acceptable here: the processing thread waits
 * only for nodes already claimed by a running worker, i.e. for DSP work of
 * this very block (bounded by the block's own computation, never by I/O:
 * track inputs come from a host's lock-free rings or were read ahead). A
 * futex or condition wait would add a wake-up latency of tens of microseconds
 * to every block, which at 64 frames (1.3 ms) is a large share. The spin
 * executes a pause instruction, and every SPIN_YIELD rounds sched_yield(),
 * a system call that never blocks but lets a preempted worker of the same
 * priority run (it matters on a machine with fewer free cores than threads).
 *
 * Waking: sem_post() never blocks the poster and is async-signal-safe
 * (POSIX.1-2017, System Interfaces, sem_post: "The sem_post() function is
 * async-signal-safe"), which is the property a real-time thread needs; in
 * glibc it is an atomic increment plus a futex wake only when a worker sleeps.
 *
 * Scheduling: workers run SCHED_FIFO one priority below the thread that
 * builds them when that thread is real-time (SCHED_FIFO or SCHED_RR), or
 * below a priority a host gives later (mxd_engine_threads_priority(); the
 * JACK player does so with jack_client_real_time_priority()). Best effort:
 * without the permission (RLIMIT_RTPRIO) they keep the normal policy.
 *
 * The test build's real-time guard (tests/rt_guard.c), when preloaded, counts
 * what a worker does while it processes a cycle, as for the audio thread.
 *
 * Ownership: the engine owns the mxd_threads; each worker owns its node
 * scratch. Threads: as engine_threads.h says.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph/engine.h"
#include "graph/engine_internal.h"
#include "graph/engine_threads.h"
#include "realtime/rt_guard_hooks.h"

#define MAX_THREADS 64u   /* what mixdown_engine_set_threads() accepts */
#define AUTO_MAX 8u       /* `auto`: the online CPUs, at most this many */
#define NODE_BITS 20u     /* list entry: cycle << NODE_BITS | node */
#define NODE_MASK ((UINT64_C(1) << NODE_BITS) - 1)
#define SPIN_YIELD 256u   /* pause rounds between sched_yield() calls */

typedef struct {
	struct mxd_threads *t;
	mxd_node_scratch ws;
	mixdown_status st;     /* first node error of this thread in the cycle */
	mixdown_error err;
	uint64_t nodes;        /* nodes this thread ran (read between process calls) */
	sem_t wake;
	pthread_t tid;
	bool started, sem_ok, realtime;
} worker;

struct mxd_threads {
	mixdown_engine *e;
	unsigned n_threads;       /* workers + the processing thread (w[0]) */
	worker *w;
	size_t n;                 /* nodes */
	uint32_t *n_deps;         /* edges of any kind into each node */
	size_t *succ_off, *succ;  /* each node's edges' destinations (CSR) */
	size_t *feed_off, *feed;  /* each node's incoming audio edges, in feeding order (CSR) */
	size_t *roots, n_roots;   /* nodes without dependencies */
	_Atomic uint32_t *pending; /* this cycle: dependencies not done yet */
	_Atomic uint64_t *list;   /* the ready list: cycle << NODE_BITS | node */
	_Atomic uint64_t cycle;
	_Atomic uint64_t head, tail, done;
	_Atomic uint32_t frames;  /* block size of the cycle */
	_Atomic bool failed, quit;
	mxd_rt_guard_hooks guard; /* the test build's guard, or NULLs */
};

static inline void cpu_pause(unsigned *spins)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
	if (++*spins % SPIN_YIELD == 0)
		sched_yield();
}

static void push_ready(mxd_threads *t, uint64_t c, size_t node)
{
	uint64_t p = atomic_fetch_add_explicit(&t->tail, 1, memory_order_relaxed);
	atomic_store_explicit(&t->list[p - (c - 1) * t->n], c << NODE_BITS | node, memory_order_release);
}

/* Node `i` of cycle c: sum its inputs in the single-thread order, run it,
 * release its successors. */
static void run_one(mxd_threads *t, worker *w, uint64_t c, size_t i)
{
	mixdown_engine *e = t->e;
	uint32_t n = atomic_load_explicit(&t->frames, memory_order_relaxed);
	for (size_t k = t->feed_off[i]; k < t->feed_off[i + 1]; k++)
		mxd_engine_feed_edge(e, &w->ws, &e->edges[t->feed[k]], n);
	mixdown_status st = mxd_engine_run_node(e, &w->ws, i, n, &w->err);
	w->nodes++;
	if (st != MIXDOWN_SUCCESS) {
		/* Finish the cycle anyway (the counters must add up); report later. */
		if (w->st == MIXDOWN_SUCCESS)
			w->st = st;
		atomic_store_explicit(&t->failed, true, memory_order_relaxed);
	}
	for (size_t k = t->succ_off[i]; k < t->succ_off[i + 1]; k++)
		if (atomic_fetch_sub_explicit(&t->pending[t->succ[k]], 1, memory_order_acq_rel) == 1)
			push_ready(t, c, t->succ[k]);
	atomic_fetch_add_explicit(&t->done, 1, memory_order_release);
}

/* Claim and run ready nodes of cycle c until all of them are claimed. */
static void work(mxd_threads *t, worker *w, uint64_t c)
{
	uint64_t base = (c - 1) * t->n, end = c * t->n;
	unsigned spins = 0;
	for (;;) {
		uint64_t h = atomic_load_explicit(&t->head, memory_order_acquire);
		if (h >= end)
			return;
		uint64_t v = atomic_load_explicit(&t->list[h - base], memory_order_acquire);
		if (v >> NODE_BITS != c) { /* not appended yet: its inputs are still running */
			cpu_pause(&spins);
			continue;
		}
		if (atomic_compare_exchange_weak_explicit(&t->head, &h, h + 1, memory_order_acq_rel,
							  memory_order_relaxed))
			run_one(t, w, c, (size_t)(v & NODE_MASK));
	}
}

static void *worker_main(void *arg)
{
	worker *w = arg;
	mxd_threads *t = w->t;
	uint64_t seen = 0;
	for (;;) {
		while (sem_wait(&w->wake) != 0 && errno == EINTR)
			;
		if (atomic_load_explicit(&t->quit, memory_order_acquire))
			return NULL;
		uint64_t c = atomic_load_explicit(&t->cycle, memory_order_acquire);
		if (c != seen) { /* an extra post (a late wake) finds nothing new */
			seen = c;
			if (t->guard.enter)
				t->guard.enter();
			work(t, w, c);
			if (t->guard.leave)
				t->guard.leave();
		}
	}
}

mixdown_status mxd_threads_run(mxd_threads *t, uint32_t n, mixdown_error *err)
{
	uint64_t c = atomic_load_explicit(&t->cycle, memory_order_relaxed) + 1;
	for (size_t i = 0; i < t->n; i++)
		atomic_store_explicit(&t->pending[i], t->n_deps[i], memory_order_relaxed);
	atomic_store_explicit(&t->frames, n, memory_order_relaxed);
	atomic_store_explicit(&t->failed, false, memory_order_relaxed);
	for (size_t r = 0; r < t->n_roots; r++)
		push_ready(t, c, t->roots[r]);
	atomic_store_explicit(&t->cycle, c, memory_order_release); /* publishes all of the above */
	for (unsigned k = 1; k < t->n_threads; k++)
		sem_post(&t->w[k].wake);
	work(t, &t->w[0], c);
	unsigned spins = 0;
	while (atomic_load_explicit(&t->done, memory_order_acquire) < c * t->n)
		cpu_pause(&spins);
	if (!atomic_load_explicit(&t->failed, memory_order_relaxed))
		return MIXDOWN_SUCCESS;
	mixdown_status st = MIXDOWN_SUCCESS;
	for (unsigned k = 0; k < t->n_threads; k++) {
		worker *w = &t->w[k];
		if (w->st != MIXDOWN_SUCCESS && st == MIXDOWN_SUCCESS) {
			st = w->st;
			if (err)
				*err = w->err;
		}
		w->st = MIXDOWN_SUCCESS;
	}
	return st;
}

void mxd_threads_free(mxd_threads *t)
{
	if (!t)
		return;
	atomic_store_explicit(&t->quit, true, memory_order_release);
	for (unsigned k = 1; t->w && k < t->n_threads; k++) {
		worker *w = &t->w[k];
		if (w->started) {
			sem_post(&w->wake);
			pthread_join(w->tid, NULL);
		}
		if (w->sem_ok)
			sem_destroy(&w->wake);
		for (uint32_t ch = 0; ch < MXD_MAX_CHANNELS; ch++) {
			free(w->ws.scratch[ch]);
			free(w->ws.tmp[ch]);
		}
		free(w->ws.send_gain);
	}
	free(t->w);
	free(t->n_deps);
	free(t->succ_off);
	free(t->succ);
	free(t->feed_off);
	free(t->feed);
	free(t->roots);
	free((void *)t->pending);
	free((void *)t->list);
	free(t);
}

/* The dependency graph: counts, successors, and each node's audio inputs in
 * the order run_block feeds them (sources in routing order, then edge
 * order), which keeps every sum's order and so its rounding. */
static int build_graph(mxd_threads *t)
{
	const mixdown_engine *e = t->e;
	size_t n = e->n_nodes, m = e->n_edges;
	t->n_deps = calloc(n, sizeof *t->n_deps);
	t->succ_off = calloc(n + 1, sizeof *t->succ_off);
	t->feed_off = calloc(n + 1, sizeof *t->feed_off);
	t->succ = calloc(m ? m : 1, sizeof *t->succ);
	t->feed = calloc(m ? m : 1, sizeof *t->feed);
	t->roots = calloc(n, sizeof *t->roots);
	t->pending = calloc(n, sizeof *t->pending);
	t->list = calloc(n, sizeof *t->list);
	size_t *fill = calloc(n + 1, sizeof *fill);
	if (!t->n_deps || !t->succ_off || !t->feed_off || !t->succ || !t->feed || !t->roots || !t->pending ||
	    !t->list || !fill) {
		free(fill);
		return -1;
	}
	for (size_t j = 0; j < m; j++) {
		t->n_deps[e->edges[j].dst]++;
		t->succ_off[e->edges[j].src + 1]++;
		if (!e->edges[j].key && !e->edges[j].follow)
			t->feed_off[e->edges[j].dst + 1]++;
	}
	for (size_t i = 0; i < n; i++) {
		t->succ_off[i + 1] += t->succ_off[i];
		t->feed_off[i + 1] += t->feed_off[i];
	}
	memcpy(fill, t->succ_off, (n + 1) * sizeof *fill);
	for (size_t j = 0; j < m; j++)
		t->succ[fill[e->edges[j].src]++] = e->edges[j].dst;
	memcpy(fill, t->feed_off, (n + 1) * sizeof *fill);
	for (size_t k = 0; k < n; k++) {
		size_t src = e->routing.order[k];
		for (size_t j = 0; j < m; j++) {
			const edge_rt *ed = &e->edges[j];
			if (ed->src == src && !ed->key && !ed->follow)
				t->feed[fill[ed->dst]++] = j;
		}
	}
	free(fill);
	for (size_t k = 0; k < n; k++) /* roots in routing order: the first nodes start first */
		if (!t->n_deps[e->routing.order[k]])
			t->roots[t->n_roots++] = e->routing.order[k];
	return 0;
}

static bool set_fifo(pthread_t tid, int priority)
{
	struct sched_param sp = { .sched_priority = priority };
	return priority > 0 && pthread_setschedparam(tid, SCHED_FIFO, &sp) == 0;
}

unsigned mxd_engine_threads_priority(mixdown_engine *e, int priority)
{
	unsigned rt = 0;
	mxd_threads *t = e->threads;
	for (unsigned k = 1; t && k < t->n_threads; k++) {
		if (priority > 0)
			t->w[k].realtime = set_fifo(t->w[k].tid, priority);
		rt += t->w[k].realtime;
	}
	return rt;
}

uint64_t mxd_engine_threads_worker_nodes(const mixdown_engine *e)
{
	uint64_t sum = 0;
	for (unsigned k = 1; e->threads && k < e->threads->n_threads; k++)
		sum += e->threads->w[k].nodes;
	return sum;
}

unsigned mxd_engine_threads(const mixdown_engine *e)
{
	return e->threads ? e->threads->n_threads : 1;
}

static mxd_threads *threads_create(mixdown_engine *e, unsigned n_threads)
{
	mxd_threads *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->e = e;
	t->n = e->n_nodes;
	t->n_threads = n_threads;
	atomic_init(&t->cycle, 0);
	atomic_init(&t->head, 0);
	atomic_init(&t->tail, 0);
	atomic_init(&t->done, 0);
	atomic_init(&t->quit, false);
	mxd_rt_guard_hooks_find(&t->guard);
	if (!(t->w = calloc(n_threads, sizeof *t->w)) || build_graph(t) != 0) {
		mxd_threads_free(t);
		return NULL;
	}
	t->w[0].t = t;
	t->w[0].ws = e->ws; /* the processing thread uses the engine's own scratch */
	int policy = SCHED_OTHER;
	struct sched_param self;
	bool rt = pthread_getschedparam(pthread_self(), &policy, &self) == 0 &&
		  (policy == SCHED_FIFO || policy == SCHED_RR) && self.sched_priority > 1;
	for (unsigned k = 1; k < n_threads; k++) {
		worker *w = &t->w[k];
		w->t = t;
		for (uint32_t ch = 0; ch < MXD_MAX_CHANNELS; ch++)
			if (!(w->ws.scratch[ch] = calloc(e->max_block, sizeof(float))) ||
			    !(w->ws.tmp[ch] = calloc(e->max_block, sizeof(float)))) {
				mxd_threads_free(t);
				return NULL;
			}
		if (!(w->ws.send_gain = calloc(e->max_block, sizeof(double))) || sem_init(&w->wake, 0, 0) != 0) {
			mxd_threads_free(t);
			return NULL;
		}
		w->sem_ok = true;
		if (pthread_create(&w->tid, NULL, worker_main, w) != 0) {
			mxd_threads_free(t);
			return NULL;
		}
		w->started = true;
		if (rt)
			w->realtime = set_fifo(w->tid, self.sched_priority - 1);
	}
	return t;
}

mixdown_status mixdown_engine_set_threads(mixdown_engine *e, unsigned threads, mixdown_error *err)
{
	if (threads > MAX_THREADS)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, "threads",
				"threads must be 0 (auto) or 1..%u, not %u", MAX_THREADS, threads);
	if (threads == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cpus < 1 ? 1u : cpus > (long)AUTO_MAX ? AUTO_MAX : (unsigned)cpus;
	}
	if (e->threads && e->threads->n_threads == threads)
		return MIXDOWN_SUCCESS;
	mxd_threads_free(e->threads);
	e->threads = NULL;
	if (threads <= 1)
		return MIXDOWN_SUCCESS; /* exactly the single-thread path */
	if (e->n_nodes > NODE_MASK)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, "threads",
				"too many strips (%zu) for threaded processing", e->n_nodes);
	if (!(e->threads = threads_create(e, threads)))
		return mxd_fail(err, MIXDOWN_ERR_NOMEM, NULL, (mxd_loc){ 0, 0 }, "threads",
				"cannot start %u processing threads", threads - 1);
	return MIXDOWN_SUCCESS;
}
