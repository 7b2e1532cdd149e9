/* mixdown — the control → audio thread command queue: a fixed-size lock-free
 * single-producer/single-consumer FIFO of small commands (header only).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Producers (the OSC thread, the control thread) serialize among themselves
 * with the player's producer mutex; the audio thread pops without locking.
 * A full queue drops the command (the producer is told; nothing blocks).
 * Lamport's SPSC ring with C11 acquire/release ordering; no allocation.
 */
#ifndef MIXDOWN_REALTIME_RT_CMDQ_H
#define MIXDOWN_REALTIME_RT_CMDQ_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum {
	MXD_RT_PLAY,
	MXD_RT_STOP,
	MXD_RT_LOCATE, /* value: timeline frame */
	MXD_RT_GAIN,   /* node, value: dB */
	MXD_RT_PAN,    /* node, value: -1..+1 */
	MXD_RT_MUTE,   /* node, value: 0 or 1 */
	MXD_RT_SOLO,   /* node, value: 0 or 1 */
	MXD_RT_SEND,   /* node, index: destination bus node, value: dB */
	MXD_RT_INSERT, /* node, index: insert, slot: parameter slot, value: the parameter's unit */
	MXD_RT_LOOP_START, /* value: timeline frame; waits for its MXD_RT_LOOP_END */
	MXD_RT_LOOP_END,   /* value: timeline frame; sets the loop (<= start: off) */
	MXD_RT_POLARITY,   /* node, value: 1 = inverted, 0 = as recorded */
	MXD_RT_BYPASS,     /* node, index: insert, value: 1 = bypassed */
	MXD_RT_WIDTH,      /* node, value: 0..2 */
} mxd_rt_cmd_kind;

typedef struct {
	mxd_rt_cmd_kind kind;
	uint32_t node;
	uint32_t index, slot; /* MXD_RT_SEND, MXD_RT_INSERT */
	uint32_t gen;         /* generation `node` was resolved in (rt_gen.h; player.c sets it); 0 = the current */
	double value;
} mxd_rt_cmd;

#define MXD_RT_CMDQ_SIZE 1024u /* power of two */

typedef struct {
	mxd_rt_cmd slot[MXD_RT_CMDQ_SIZE];
	_Atomic uint32_t head; /* next slot to write (producer) */
	_Atomic uint32_t tail; /* next slot to read (consumer) */
} mxd_rt_cmdq;

static inline void mxd_rt_cmdq_init(mxd_rt_cmdq *q)
{
	atomic_init(&q->head, 0);
	atomic_init(&q->tail, 0);
}

static inline bool mxd_rt_cmdq_push(mxd_rt_cmdq *q, mxd_rt_cmd c)
{
	uint32_t h = atomic_load_explicit(&q->head, memory_order_relaxed);
	uint32_t t = atomic_load_explicit(&q->tail, memory_order_acquire);
	if (h - t >= MXD_RT_CMDQ_SIZE)
		return false;
	q->slot[h & (MXD_RT_CMDQ_SIZE - 1)] = c;
	atomic_store_explicit(&q->head, h + 1, memory_order_release);
	return true;
}

static inline bool mxd_rt_cmdq_pop(mxd_rt_cmdq *q, mxd_rt_cmd *c)
{
	uint32_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
	uint32_t h = atomic_load_explicit(&q->head, memory_order_acquire);
	if (h == t)
		return false;
	*c = q->slot[t & (MXD_RT_CMDQ_SIZE - 1)];
	atomic_store_explicit(&q->tail, t + 1, memory_order_release);
	return true;
}

#endif
