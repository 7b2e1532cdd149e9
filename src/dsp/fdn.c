/* mixdown — delay-network building blocks (see fdn.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dsp/fdn.h"

#include <stdlib.h>
#include <string.h>

int mxd_fdelay_alloc(mxd_fdelay *d, uint32_t max_delay)
{
	mxd_fdelay_free(d);
	if (max_delay > (1u << 30))
		return -1;
	uint32_t size = 4;
	while (size < max_delay + 2u)
		size <<= 1;
	d->buf = calloc(size, sizeof *d->buf);
	if (!d->buf)
		return -1;
	d->mask = size - 1;
	d->w = 0;
	return 0;
}

void mxd_fdelay_free(mxd_fdelay *d)
{
	if (!d)
		return;
	free(d->buf);
	d->buf = NULL;
	d->mask = 0;
	d->w = 0;
}

void mxd_fdelay_clear(mxd_fdelay *d)
{
	if (d->buf)
		memset(d->buf, 0, ((size_t)d->mask + 1) * sizeof *d->buf);
	d->w = 0;
}

uint32_t mxd_next_prime(uint32_t n)
{
	if (n <= 2)
		return 2;
	if (!(n & 1))
		n++;
	for (;; n += 2) {
		int prime = 1;
		for (uint32_t k = 3; (uint64_t)k * k <= n; k += 2)
			if (n % k == 0) {
				prime = 0;
				break;
			}
		if (prime)
			return n;
	}
}
