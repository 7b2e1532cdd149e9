/* mixdown — integer-sample delay line.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dsp/delay.h"

#include <stdlib.h>
#include <string.h>

int mxd_delay_alloc(mxd_delay *d, uint32_t max_delay)
{
	mxd_delay_free(d);
	if (max_delay >= UINT32_MAX - 1)
		return -1;
	d->buf = calloc((size_t)max_delay + 1, sizeof *d->buf);
	if (!d->buf)
		return -1;
	d->size = max_delay + 1;
	return 0;
}

void mxd_delay_free(mxd_delay *d)
{
	if (!d)
		return;
	free(d->buf);
	d->buf = NULL;
	d->size = 0;
	d->w = 0;
}

void mxd_delay_clear(mxd_delay *d)
{
	if (d->buf)
		memset(d->buf, 0, (size_t)d->size * sizeof *d->buf);
	d->w = 0;
}

uint32_t mxd_delay_capacity(const mxd_delay *d)
{
	return d->buf ? d->size - 1 : 0;
}

void mxd_delay_process(mxd_delay *d, float *io, uint32_t n, uint32_t delay)
{
	uint32_t cap = mxd_delay_capacity(d);
	if (delay > cap)
		delay = cap;
	for (uint32_t i = 0; i < n; i++)
		io[i] = mxd_delay_tick(d, io[i], delay);
}
