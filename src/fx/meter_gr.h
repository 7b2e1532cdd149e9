/* mixdown — gain-reduction meter of dynamics processors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Convention: a dynamics processor's state struct begins with
 *     mxd_fx base; mxd_gr_meter gr;
 * (i.e. its first members are an mxd_fx_dyn_head), run() stores the current
 * gain reduction there at the end of every block, and the class is listed in
 * meter_gr.c. Today: compressor, gate, expander, deesser.
 *
 * The value is the gain reduction in dB as a positive number (6.0 means the
 * signal is turned down by 6 dB), the largest over the channels, at the last
 * frame of the most recent run() (0 before the first block and after reset()).
 * For a gate it is the current attenuation (range when closed).
 *
 * Threads: the audio thread writes it (relaxed atomic store); any thread may
 * read it at any time (meters, a user interface). The generic reading API of
 * fx/meter.h exposes it as the reading "gain_reduction_db" of these classes.
 */
#ifndef MIXDOWN_FX_METER_GR_H
#define MIXDOWN_FX_METER_GR_H

#include <stdatomic.h>
#include <stdbool.h>

#include "fx/processor.h"

typedef struct {
	_Atomic float db;
} mxd_gr_meter;

typedef struct {
	mxd_fx base;
	mxd_gr_meter gr;
} mxd_fx_dyn_head;

static inline void mxd_gr_meter_store(mxd_gr_meter *m, double db)
{
	atomic_store_explicit(&m->db, (float)db, memory_order_relaxed);
}

/* True if fx follows the convention above. */
bool mxd_fx_has_gain_reduction(const mxd_fx *fx);
/* The same for a class (fx/meter.c publishes "gain_reduction_db" for these). */
bool mxd_fx_class_has_gain_reduction(const mxd_fx_class *cls);

/* Current gain reduction of fx in dB (>= 0); 0 for processors without a meter
 * and for NULL. */
double mxd_fx_gain_reduction_db(const mxd_fx *fx);

#endif
