/* mixdown — what graph/strip_batch.c needs to run the `eq` and `compressor`
 * processors of many strips together (structure of arrays, one SIMD lane per
 * channel): each processor describes the work its next run() would do, with
 * pointers to its own state, so the batch reads and writes that state in place
 * and gives bit-identical results to run().
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Units: dB, linear one-pole coefficients, as in the processors.
 * Ownership: the pointers returned point into the processor; valid until it is
 * destroyed. Threads: the thread that calls run(), between run() calls.
 */
#ifndef MIXDOWN_FX_FX_BATCH_H
#define MIXDOWN_FX_FX_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "dsp/biquad.h"
#include "dsp/dynamics.h"
#include "fx/meter_gr.h"
#include "fx/processor.h"

extern const mxd_fx_class mxd_fx_eq_class;
extern const mxd_fx_class mxd_fx_compressor_class;

/* The biquad sections the EQ's next run() applies to channel `ch`, in order, at
 * most `max`: coefficients, a pointer to each section's state, and whether the
 * section ends a band (run() rounds to float there). A band that run() would
 * skip (settled at 0 dB with silent memory) is given as identity sections
 * (y = x exactly). Returns the count, or -1 while a band ramps (or more than
 * `max` sections): then only run() may process. */
int mxd_fx_eq_sections(mxd_fx *fx, uint32_t ch, mxd_biquad *sec, mxd_bq_state **st, bool *band_end, uint32_t max);

/* A compressor whose next run() is the plain case: peak detector, no
 * auto_release, no lookahead, no key filter, every smoothed parameter settled. */
typedef struct {
	double thr, slope, knee, link, makeup; /* makeup includes auto_makeup */
	double a_att, a_rel;
	uint32_t channels;
	mxd_dyn_env *env;                      /* [channels] */
	mxd_gr_meter *gr;
} mxd_comp_plan;

/* true and *p filled when the next run() is that plain case. */
bool mxd_fx_compressor_plan(mxd_fx *fx, mxd_comp_plan *p);

#endif
