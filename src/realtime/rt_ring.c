/* mixdown — SPSC ring of planar audio frames (see rt_ring.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "realtime/rt_ring.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int mxd_rt_ring_init(mxd_rt_ring *r, uint32_t channels, uint64_t cap_frames)
{
	memset(r, 0, sizeof *r);
	uint64_t cap = 1;
	while (cap < cap_frames)
		cap <<= 1;
	r->channels = channels;
	r->cap = cap;
	r->mask = cap - 1;
	for (uint32_t c = 0; c < channels; c++)
		if (!(r->buf[c] = calloc(cap, sizeof(float))))
			return -1;
	atomic_init(&r->wr, 0);
	atomic_init(&r->rd, 0);
	atomic_init(&r->gen, 0);
	return 0;
}

void mxd_rt_ring_free(mxd_rt_ring *r)
{
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		free(r->buf[c]);
	memset(r, 0, sizeof *r);
}

uint64_t mxd_rt_ring_space(const mxd_rt_ring *r)
{
	uint64_t rd = atomic_load_explicit(&r->rd, memory_order_acquire);
	uint64_t wr = atomic_load_explicit(&r->wr, memory_order_relaxed);
	return r->cap - (wr - rd);
}

uint64_t mxd_rt_ring_fill(const mxd_rt_ring *r)
{
	uint64_t wr = atomic_load_explicit(&r->wr, memory_order_acquire);
	uint64_t rd = atomic_load_explicit(&r->rd, memory_order_relaxed);
	return wr - rd;
}

/* Copy n frames between the ring at position pos and a linear buffer, in at
 * most two pieces (the ring wraps once at most). */
static void copy_ring(const mxd_rt_ring *r, uint64_t pos, uint32_t n, float *const *lin, bool to_ring)
{
	uint64_t at = pos & r->mask;
	uint64_t first = r->cap - at < n ? r->cap - at : n;
	for (uint32_t c = 0; c < r->channels; c++) {
		float *ring = r->buf[c];
		if (to_ring) {
			memcpy(ring + at, lin[c], first * sizeof(float));
			memcpy(ring, lin[c] + first, (n - first) * sizeof(float));
		} else {
			memcpy(lin[c], ring + at, first * sizeof(float));
			memcpy(lin[c] + first, ring, (n - first) * sizeof(float));
		}
	}
}

void mxd_rt_ring_write(mxd_rt_ring *r, const float *const *src, uint32_t n)
{
	uint64_t wr = atomic_load_explicit(&r->wr, memory_order_relaxed);
	copy_ring(r, wr, n, (float *const *)src, true);
	atomic_store_explicit(&r->wr, wr + n, memory_order_release);
}

void mxd_rt_ring_read(mxd_rt_ring *r, float *const *dst, uint32_t n)
{
	uint64_t rd = atomic_load_explicit(&r->rd, memory_order_relaxed);
	copy_ring(r, rd, n, dst, false);
	atomic_store_explicit(&r->rd, rd + n, memory_order_release);
}

void mxd_rt_ring_skip(mxd_rt_ring *r, uint64_t n)
{
	uint64_t rd = atomic_load_explicit(&r->rd, memory_order_relaxed);
	atomic_store_explicit(&r->rd, rd + n, memory_order_release);
}
