/* mixdown — the real-time guard: a preloaded shared library (LD_PRELOAD) for
 * the test build that counts what the audio thread must never do.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * It interposes the allocator (malloc, calloc, realloc, free, the aligned
 * allocators), the blocking synchronization calls (mutex lock/trylock, rwlock,
 * condition waits, semaphore waits) and file I/O and sleeping (open, read,
 * write, fopen, fread, fwrite, nanosleep, usleep). Every call is forwarded to
 * the C library; when it happens on a thread that is inside
 * mxd_rt_guard_enter() .. mxd_rt_guard_leave() (the player's JACK process
 * callback brackets itself with them: src/realtime/rt_guard_hooks.h), it is
 * counted by kind and the first few call sites are remembered.
 *
 * The forwarding uses glibc's __libc_* allocator entry points (so the
 * allocator works before dlsym is usable) and dlsym(RTLD_NEXT) for the rest.
 * Only direct calls are seen (the C library's internal calls, e.g. fopen's own
 * open, are not interposable), which is what the engine's code would make.
 * Not usable together with AddressSanitizer, which interposes the same calls.
 * Threads: any; the counters are atomics, the "inside" flag is thread-local.
 */
/* The interposed names must be the plain ones (meson builds with
 * _FILE_OFFSET_BITS=64, which would rename open to open64 here); open64 is
 * interposed separately below. */
#undef _FILE_OFFSET_BITS
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "rt_guard.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

static _Thread_local int inside;
static _Atomic uint64_t counts[MXD_RT_GUARD_KINDS];
static _Atomic uint64_t entries;

void mxd_rt_guard_enter(void)
{
	inside++;
	atomic_fetch_add_explicit(&entries, 1, memory_order_relaxed);
}

void mxd_rt_guard_leave(void) { inside--; }

uint64_t mxd_rt_guard_count(mxd_rt_guard_kind k) { return atomic_load(&counts[k]); }
uint64_t mxd_rt_guard_entries(void) { return atomic_load(&entries); }

#define N_SITES 8
static void *_Atomic sites[N_SITES];

/* Inlined into each interposer, so the return address is its caller's. */
#define note(k) \
	do { \
		if (inside > 0) { \
			uint64_t i_ = atomic_fetch_add_explicit(&counts[k], 1, memory_order_relaxed); \
			if (i_ < N_SITES) \
				atomic_store(&sites[i_], __builtin_return_address(0)); \
		} \
	} while (0)

void *mxd_rt_guard_site(mxd_rt_guard_kind k, unsigned i)
{
	return k == MXD_RT_GUARD_ALLOC && i < N_SITES ? atomic_load(&sites[i]) : NULL;
}

/* ------------------------------------------------------------ allocator */

void *malloc(size_t n)
{
	note(MXD_RT_GUARD_ALLOC);
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	note(MXD_RT_GUARD_ALLOC);
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	note(MXD_RT_GUARD_ALLOC);
	return __libc_realloc(p, n);
}

void free(void *p)
{
	if (p)
		note(MXD_RT_GUARD_ALLOC);
	__libc_free(p);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	note(MXD_RT_GUARD_ALLOC);
	void *p = __libc_memalign(align, n);
	if (!p)
		return 12; /* ENOMEM */
	*out = p;
	return 0;
}

void *aligned_alloc(size_t align, size_t n)
{
	note(MXD_RT_GUARD_ALLOC);
	return __libc_memalign(align, n);
}

/* ------------------------------------------------- locks, waits, sleeps */

#define NEXT(ret, name, params) \
	static ret(*next_##name) params; \
	if (!next_##name) \
		*(void **)&next_##name = dlsym(RTLD_NEXT, #name)

int pthread_mutex_lock(pthread_mutex_t *m)
{
	NEXT(int, pthread_mutex_lock, (pthread_mutex_t *));
	note(MXD_RT_GUARD_LOCK);
	return next_pthread_mutex_lock(m);
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
	NEXT(int, pthread_mutex_trylock, (pthread_mutex_t *));
	note(MXD_RT_GUARD_LOCK);
	return next_pthread_mutex_trylock(m);
}

int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
	NEXT(int, pthread_rwlock_rdlock, (pthread_rwlock_t *));
	note(MXD_RT_GUARD_LOCK);
	return next_pthread_rwlock_rdlock(l);
}

int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
	NEXT(int, pthread_rwlock_wrlock, (pthread_rwlock_t *));
	note(MXD_RT_GUARD_LOCK);
	return next_pthread_rwlock_wrlock(l);
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	NEXT(int, pthread_cond_wait, (pthread_cond_t *, pthread_mutex_t *));
	note(MXD_RT_GUARD_LOCK);
	return next_pthread_cond_wait(c, m);
}

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *t)
{
	NEXT(int, pthread_cond_timedwait, (pthread_cond_t *, pthread_mutex_t *, const struct timespec *));
	note(MXD_RT_GUARD_LOCK);
	return next_pthread_cond_timedwait(c, m, t);
}

int sem_wait(sem_t *s)
{
	NEXT(int, sem_wait, (sem_t *));
	note(MXD_RT_GUARD_LOCK);
	return next_sem_wait(s);
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	NEXT(int, nanosleep, (const struct timespec *, struct timespec *));
	note(MXD_RT_GUARD_LOCK);
	return next_nanosleep(req, rem);
}

int usleep(useconds_t us)
{
	NEXT(int, usleep, (useconds_t));
	note(MXD_RT_GUARD_LOCK);
	return next_usleep(us);
}

/* ------------------------------------------------------------------ I/O */

int open(const char *path, int flags, ...)
{
	NEXT(int, open, (const char *, int, ...));
	note(MXD_RT_GUARD_IO);
	mode_t mode = 0;
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return next_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	NEXT(int, open64, (const char *, int, ...));
	note(MXD_RT_GUARD_IO);
	mode_t mode = 0;
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return next_open64(path, flags, mode);
}

ssize_t read(int fd, void *buf, size_t n)
{
	NEXT(ssize_t, read, (int, void *, size_t));
	note(MXD_RT_GUARD_IO);
	return next_read(fd, buf, n);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	NEXT(ssize_t, write, (int, const void *, size_t));
	note(MXD_RT_GUARD_IO);
	return next_write(fd, buf, n);
}

FILE *fopen(const char *path, const char *mode)
{
	NEXT(FILE *, fopen, (const char *, const char *));
	note(MXD_RT_GUARD_IO);
	return next_fopen(path, mode);
}

size_t fread(void *p, size_t size, size_t n, FILE *f)
{
	NEXT(size_t, fread, (void *, size_t, size_t, FILE *));
	note(MXD_RT_GUARD_IO);
	return next_fread(p, size, n, f);
}

size_t fwrite(const void *p, size_t size, size_t n, FILE *f)
{
	NEXT(size_t, fwrite, (const void *, size_t, size_t, FILE *));
	note(MXD_RT_GUARD_IO);
	return next_fwrite(p, size, n, f);
}
