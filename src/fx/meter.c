/* mixdown — generic lookup of processor meter readings (see meter.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Readings are _Atomic floats inside the instance, found through the class's
 * table; the dynamics processors' gain-reduction meter (fx/meter_gr.h) is
 * published through a one-entry table of this file, so those classes need no
 * change. Threads: any (relaxed atomic loads only); no allocation.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "fx/meter.h"
#include "fx/meter_gr.h"

static const mxd_meter gr_table[] = {
	{ .name = "gain_reduction_db", .unit = "dB",
	  .help = "Current gain reduction (positive dB), largest over the channels",
	  .offset = offsetof(mxd_fx_dyn_head, gr.db) },
};

static const mxd_meter *table_of(const mxd_fx_class *cls, size_t *n)
{
	*n = 0;
	if (!cls)
		return NULL;
	if (cls->meters && cls->n_meters) {
		*n = cls->n_meters;
		return cls->meters;
	}
	if (mxd_fx_class_has_gain_reduction(cls)) {
		*n = sizeof gr_table / sizeof gr_table[0];
		return gr_table;
	}
	return NULL;
}

size_t mxd_fx_class_meter_count(const mxd_fx_class *cls)
{
	size_t n;
	table_of(cls, &n);
	return n;
}

const mxd_meter *mxd_fx_class_meter_at(const mxd_fx_class *cls, size_t i)
{
	size_t n;
	const mxd_meter *t = table_of(cls, &n);
	return i < n ? &t[i] : NULL;
}

long mxd_fx_class_meter_find(const mxd_fx_class *cls, const char *name)
{
	size_t n;
	const mxd_meter *t = table_of(cls, &n);
	for (size_t i = 0; name && i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return (long)i;
	return -1;
}

size_t mxd_fx_meter_count(const mxd_fx *fx)
{
	return fx ? mxd_fx_class_meter_count(fx->cls) : 0;
}

const char *mxd_fx_meter_name(const mxd_fx *fx, size_t i)
{
	const mxd_meter *m = fx ? mxd_fx_class_meter_at(fx->cls, i) : NULL;
	return m ? m->name : NULL;
}

long mxd_fx_meter_find(const mxd_fx *fx, const char *name)
{
	return fx ? mxd_fx_class_meter_find(fx->cls, name) : -1;
}

double mxd_fx_meter_read(const mxd_fx *fx, size_t i)
{
	const mxd_meter *m = fx ? mxd_fx_class_meter_at(fx->cls, i) : NULL;
	if (!m)
		return NAN;
	/* The reading is a member of the instance that `fx` begins. */
	const mxd_meter_value *v = (const mxd_meter_value *)(const void *)((const char *)fx + m->offset);
	return atomic_load_explicit(v, memory_order_relaxed);
}

double mxd_fx_meter_get(const mxd_fx *fx, const char *name)
{
	long i = mxd_fx_meter_find(fx, name);
	return i < 0 ? NAN : mxd_fx_meter_read(fx, (size_t)i);
}

unsigned mxd_meter_sub_frames(double rate)
{
	double f = floor(rate / MXD_METER_SUB_PER_S + 0.5);
	return f < 1 ? 1u : (unsigned)f;
}

double mxd_meter_amp_db(double a)
{
	return a > 0 ? 20.0 * log10(a) : -INFINITY;
}

double mxd_meter_pow_db(double p)
{
	return p > 0 ? 10.0 * log10(p) : -INFINITY;
}
