/* mixdown — a lock-free single-producer/single-consumer ring of planar audio
 * frames (float samples, 1..MXD_MAX_CHANNELS channels).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The disk thread (producer) writes a track's input ahead of the audio thread
 * (consumer). Indices are free-running 64-bit frame counters (never wrap in
 * practice); the capacity is a power of two so a position maps to a slot
 * with a mask. Publication uses C11 acquire/release atomics: the producer's
 * samples are visible before its write index, the consumer's reads finish
 * before its read index moves (Lamport's SPSC queue, "Proving the correctness
 * of multiprocess programs", IEEE TSE 1977, with C11 memory ordering).
 *
 * `gen` tags which locate the ring's contents belong to (see rt_disk.h).
 * Ownership: init allocates (control thread); write/space on the producer,
 * read/skip/fill on the consumer; neither allocates nor blocks.
 */
#ifndef MIXDOWN_REALTIME_RT_RING_H
#define MIXDOWN_REALTIME_RT_RING_H

#include <stdatomic.h>
#include <stdint.h>

#include "fx/processor.h"

typedef struct {
	uint32_t channels;
	uint64_t cap, mask;            /* frames; cap is a power of two */
	float *buf[MXD_MAX_CHANNELS];
	_Atomic uint64_t wr;           /* frames written (producer) */
	_Atomic uint64_t rd;           /* frames consumed (consumer) */
	_Atomic uint32_t gen;          /* locate generation of the contents (producer) */
} mxd_rt_ring;

/* cap_frames is rounded up to a power of two. 0, or -1 on allocation failure. */
int mxd_rt_ring_init(mxd_rt_ring *r, uint32_t channels, uint64_t cap_frames);
void mxd_rt_ring_free(mxd_rt_ring *r);

/* Producer. */
uint64_t mxd_rt_ring_space(const mxd_rt_ring *r);
void mxd_rt_ring_write(mxd_rt_ring *r, const float *const *src, uint32_t n); /* n <= space */

/* Consumer. */
uint64_t mxd_rt_ring_fill(const mxd_rt_ring *r);
void mxd_rt_ring_read(mxd_rt_ring *r, float *const *dst, uint32_t n); /* n <= fill */
void mxd_rt_ring_skip(mxd_rt_ring *r, uint64_t n);                    /* n <= fill */

#endif
