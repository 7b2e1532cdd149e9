/* mixdown — what strip_batch.c and strip_batch_share.c share: the groups
 * of tracks with one insert layout, their lane arrays, and the workers that
 * claim groups (see strip_batch.h). Private to those two files.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Units: frames; lanes (one per channel of a strip: lane c * S + s).
 * Ownership: the batch owns its groups, their arrays and its workers.
 * Threads: a group is touched by one thread at a time (the one that
 * claimed it for the block); everything else by the engine's thread.
 */
#ifndef MIXDOWN_GRAPH_STRIP_BATCH_INTERNAL_H
#define MIXDOWN_GRAPH_STRIP_BATCH_INTERNAL_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "dsp/biquad.h"
#include "dsp/dynamics.h"
#include "fx/meter_gr.h"
#include "graph/engine_internal.h"

#define SUB 64u          /* frames per inner pass; equals the biquads' state-check period */
#define MAX_INS 8u       /* inserts per batched chain */
#define MAX_SEC 64u      /* biquad sections per EQ (16 bands x 4) */
#define MAX_THREADS 8u   /* threads sharing the groups (mxd_strip_batch_threads()) */

enum { K_EQ, K_COMP };
enum { CP_THR, CP_SLOPE, CP_KNEE, CP_LINK, CP_MAKEUP, CP_ATT, CP_REL, CP_N };

typedef void (*eq_fn)(double *restrict, uint32_t, uint32_t, const double *restrict, double *restrict,
		      double *restrict, bool);
typedef void (*eq2_fn)(double *restrict, uint32_t, uint32_t, const double *restrict, double *restrict, bool, bool);
/* load and store return whether every value they moved is finite. */
typedef bool (*load_fn)(double *restrict, uint32_t, uint32_t, const float *const *);
typedef bool (*store_fn)(float *const *, uint32_t, const double *restrict, uint32_t, uint32_t);
typedef void (*comp_fn)(double *restrict, uint32_t, uint32_t, uint32_t, const double *restrict, double *restrict,
			double *restrict, double *restrict, double *restrict);

/* The shape a chain must have to join a group. */
typedef struct {
	uint32_t ch, n_ins;
	uint8_t kind[MAX_INS];
	uint32_t ns[MAX_INS];             /* EQ: sections */
	bool band_end[MAX_INS][MAX_SEC];
} layout;

typedef struct {
	layout lay;
	uint32_t S, L;          /* strips; lanes L = ch * S, lane c * S + s */
	size_t *node;           /* [S] */
	uint32_t *slot;         /* [S * n_ins]: the node's slot of each insert */
	bool *on, *bad;         /* [S]: batched this block; produced a non-finite sample */
	uint32_t sec_total, n_comp;
	double *x;              /* [SUB * L] */
	float **out;            /* [L]: each lane's output, max_block floats (traded with nd->in at commit) */
	double *coef, *st;      /* [sec_total][5 | 2][L] */
	mxd_bq_state **stp;     /* [sec_total * L] */
	double *cpar;           /* [n_comp][CP_N][S] */
	double *env;            /* [n_comp][2][L]: y1, y */
	mxd_dyn_env **envp;     /* [n_comp * L] */
	mxd_gr_meter **gr;      /* [n_comp * S] */
	double *lvl, *lk;       /* [SUB L], [S]: the compressor kernels' scratch */
	double *fin;            /* [L]: non-finite detector (check_finite) */
	const float **src;      /* [L]: each lane's input for the current SUB frames */
	uint64_t committed;     /* strip-blocks run here and written back (tests) */
} group;

/* A worker: woken through `go` once per block, claims groups until none is
 * left. */
typedef struct {
	struct mxd_strip_batch *b;
	pthread_t tid;
	sem_t go;
	bool started, sem_ok;
} worker;

struct mxd_strip_batch {
	group *g;
	size_t n;
	eq_fn eq;
	eq2_fn eq2; /* two consecutive sections */
	comp_fn comp;
	load_fn load;
	store_fn store;
	worker wk[MAX_THREADS - 1];
	uint32_t n_workers;
	/* The block being run: job_e and job_n are written before `ticket`
	 * (epoch << 32 | next group to claim) is released with a new epoch;
	 * `finished` counts the groups done in this epoch. */
	mixdown_engine *job_e;
	uint32_t job_n;
	uint32_t epoch;
	_Atomic uint64_t ticket;
	_Atomic uint32_t finished;
	_Atomic bool quit;
};

/* Groups of the tracks of each layout, split into up to `parts` groups of
 * equal size, at least four strips each (0 or 1: one group per layout);
 * NULL when there are none
 * or memory is short. Control thread. */
mxd_strip_batch *mxd_batch_build(mixdown_engine *e, uint32_t parts);
/* Group g's inserts for the next n frames (inputs read), on whichever thread
 * claimed it. */
void mxd_batch_run_group(mixdown_engine *e, mxd_strip_batch *b, group *g, uint32_t n);
/* strip_batch_share.c: every group of the block, on this thread and the
 * workers; returns when all are done. */
void mxd_batch_run_shared(mixdown_engine *e, mxd_strip_batch *b, uint32_t n);
/* strip_batch_share.c: stop and join the workers (before freeing b). */
void mxd_batch_stop_workers(mxd_strip_batch *b);

#endif
