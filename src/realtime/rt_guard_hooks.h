/* mixdown — hooks for the real-time guard of the test build (tests/rt_guard.c):
 * when that library is preloaded, the player brackets its JACK process callback
 * with the guard's enter/leave so every allocation, lock or I/O call made on the
 * audio thread is counted; otherwise the hooks are NULL and cost one branch.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Looked up once in the global symbol scope (dlopen(NULL): the program, its
 * libraries and preloaded ones) on the control thread (player open); called on
 * the audio thread.
 */
#ifndef MIXDOWN_REALTIME_RT_GUARD_HOOKS_H
#define MIXDOWN_REALTIME_RT_GUARD_HOOKS_H

#include <dlfcn.h>
#include <string.h>

typedef struct {
	void (*enter)(void);
	void (*leave)(void);
} mxd_rt_guard_hooks;

static inline void mxd_rt_guard_hooks_find(mxd_rt_guard_hooks *h)
{
	/* dlsym returns a data pointer; copying its bytes into a function
	 * pointer is the POSIX-sanctioned conversion. */
	memset(h, 0, sizeof *h);
	void *self = dlopen(NULL, RTLD_LAZY);
	if (!self)
		return;
	void *enter = dlsym(self, "mxd_rt_guard_enter");
	void *leave = dlsym(self, "mxd_rt_guard_leave");
	dlclose(self);
	if (enter && leave) {
		memcpy(&h->enter, &enter, sizeof enter);
		memcpy(&h->leave, &leave, sizeof leave);
	}
}

#endif
