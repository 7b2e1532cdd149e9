/* mixdown — the real-time guard's counters (tests/rt_guard.c, preloaded into
 * the test that checks the audio thread). A test finds these functions with
 * dlsym(RTLD_DEFAULT, ...) so it also runs (and skips) without the preload.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef MIXDOWN_TESTS_RT_GUARD_H
#define MIXDOWN_TESTS_RT_GUARD_H

#include <stdint.h>

typedef enum {
	MXD_RT_GUARD_ALLOC, /* malloc, calloc, realloc, free, aligned allocators */
	MXD_RT_GUARD_LOCK,  /* mutex/rwlock/condition/semaphore waits, sleeps */
	MXD_RT_GUARD_IO,    /* open, read, write, fopen, fread, fwrite */
	MXD_RT_GUARD_KINDS
} mxd_rt_guard_kind;

/* Bracket a region of a thread that must be real-time safe (nestable). */
void mxd_rt_guard_enter(void);
void mxd_rt_guard_leave(void);
/* Calls of kind k made inside a bracketed region, on any thread, so far. */
uint64_t mxd_rt_guard_count(mxd_rt_guard_kind k);
/* Return address of the i-th counted allocation call (i < 8), for
 * diagnostics (addr2line); NULL if none. */
void *mxd_rt_guard_site(mxd_rt_guard_kind k, unsigned i);
/* How many regions were entered (proves the hooks ran). */
uint64_t mxd_rt_guard_entries(void);

#endif
