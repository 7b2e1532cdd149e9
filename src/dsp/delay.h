/* mixdown — an integer-sample delay line (one channel).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A ring buffer of float samples. The buffer is allocated by
 * mxd_delay_alloc() (control thread, e.g. from activate()) for a maximum delay
 * in samples; processing never allocates. A new line is silent, so a delay of
 * d samples outputs d zeros first.
 *
 * Samples are stored as given: a NaN/Inf written into the line comes out again
 * d samples later and then leaves it (a delay has no feedback, so it cannot
 * poison itself for longer than its length; mxd_delay_clear() empties it).
 *
 * Ownership: the caller owns the mxd_delay struct; the line owns its buffer
 * (mxd_delay_free releases it). Threads: one user at a time; alloc/free on the
 * control thread only.
 */
#ifndef MIXDOWN_DSP_DELAY_H
#define MIXDOWN_DSP_DELAY_H

#include <stdint.h>

typedef struct {
	float *buf;      /* size samples, owned */
	uint32_t size;   /* capacity + 1 */
	uint32_t w;      /* index the next sample is written to */
} mxd_delay;

/* Zero-initialised struct = no buffer (capacity 0, only delay 0 possible). */
#define MXD_DELAY_INIT { 0 }

/* (Re)allocate for delays up to max_delay samples and clear. Returns 0, or -1
 * on allocation failure / max_delay too large (the line is then empty). */
int mxd_delay_alloc(mxd_delay *d, uint32_t max_delay);
void mxd_delay_free(mxd_delay *d);            /* NULL-safe, leaves an empty line */
void mxd_delay_clear(mxd_delay *d);           /* silence, keeps the buffer */
uint32_t mxd_delay_capacity(const mxd_delay *d); /* largest usable delay */

/* Write one sample, then read the sample written `delay` samples before it
 * (delay 0 returns x). delay must be <= capacity. */
static inline float mxd_delay_tick(mxd_delay *d, float x, uint32_t delay)
{
	if (!d->buf)
		return delay == 0 ? x : 0.0f;
	uint32_t w = d->w;
	d->buf[w] = x;
	uint32_t r = w >= delay ? w - delay : w + d->size - delay;
	d->w = w + 1 == d->size ? 0 : w + 1;
	return d->buf[r];
}

/* After a tick: the sample written `delay` samples before the latest one
 * (delay <= capacity). Lets one write feed several taps. */
static inline float mxd_delay_read(const mxd_delay *d, uint32_t delay)
{
	if (!d->buf)
		return 0.0f;
	uint32_t last = d->w == 0 ? d->size - 1 : d->w - 1;
	return d->buf[last >= delay ? last - delay : last + d->size - delay];
}

/* Delay n samples of io in place by `delay` (clamped to the capacity). */
void mxd_delay_process(mxd_delay *d, float *io, uint32_t n, uint32_t delay);

#endif
