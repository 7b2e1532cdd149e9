/* mixdown — `expander`: downward expander with hold, hysteresis, key filter, ducking and sidechain.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Parameters (session keys; all automatable except duck):
 *   threshold      dB, [-90, 0], default -40: below this key level (sample
 *                  peak over the hold window) the signal is expanded down.
 *   range          dB, [0, 90], default 40: largest attenuation.
 *   ratio          [1, 20], default 2: below the threshold the output falls
 *                  `ratio` dB per dB of key level.
 *   attack         ms, [0.01, 500], default 2: time (63 %) of a decrease of
 *                  the attenuation.
 *   hold           ms, [0, 2000], default 20: window of the key level; a fall
 *                  registers after the key stayed lower this long (>= 10 ms).
 *   release        ms, [1, 5000], default 100: time (63 %) of an increase.
 *   hysteresis     dB, [0, 24], default 0: once the level has reached the
 *                  threshold, the expansion starts only below threshold -
 *                  hysteresis (until the level falls under it).
 *   sidechain_hpf  Hz, [0, 20000], default 0 (off): key high-pass (2nd order).
 *   sidechain_lpf  Hz, [0, 20000], default 0 (off): key low-pass (2nd order).
 *   duck           bool, default false: inverted: the key level above the
 *                  threshold attenuates by (ratio - 1) dB per dB, at most
 *                  range (ducking).
 *
 * The engine (key filters, hold window, hysteresis, gain computer and
 * ballistics) is shared with the other of gate/expander: src/dsp/gate_core.h
 * describes it; the gain computer and ballistics follow D. Giannoulis,
 * M. Massberg, J. D. Reiss, "Digital Dynamic Range Compressor Design — A
 * Tutorial and Analysis", JAES 60(6), 2012 (expander curve sec. 2.2, smooth
 * branching detector eq. 16, applied in the log domain). Time constants are
 * 63 % times of a step: alpha = exp(-1 / (tau fs)).
 * Sidechain: when run() gets a sidechain the detector keys from it.
 * Gain-reduction meter: fx/meter_gr.h. Latency 0.
 * Threads: see processor.h (run() is real-time safe).
 */
#include <math.h>
#include <stdlib.h>

#include "dsp/gate_core.h"
#include "fx/meter_gr.h"
#include "fx/processor.h"

static const mxd_param params[] = {
	{ .name = "threshold", .kind = MXD_PARAM_NUMBER, .unit = "dB", .min = -90, .max = 0, .def = -40,
	  .automatable = true, .help = "Key level (sample peak) at which it opens", .first_slot = 0 },
	{ .name = "range", .kind = MXD_PARAM_NUMBER, .unit = "dB", .min = 0, .max = 90, .def = 40,
	  .automatable = true, .help = "Largest attenuation (when closed / ducking)", .first_slot = 1 },
	{ .name = "ratio", .kind = MXD_PARAM_NUMBER, .unit = "", .min = 1, .max = 20, .def = 2,
	  .automatable = true, .help = "Expansion ratio below the threshold (dB out per dB in)", .first_slot = 2 },
	{ .name = "attack", .kind = MXD_PARAM_NUMBER, .unit = "ms", .min = 0.01, .max = 500, .def = 2,
	  .automatable = true, .help = "Time to 63 % of opening (of ducking with duck: true)", .first_slot = 3 },
	{ .name = "hold", .kind = MXD_PARAM_NUMBER, .unit = "ms", .min = 0, .max = 2000, .def = 20,
	  .automatable = true, .help = "Time the key must stay below the close level before closing (>= 10 ms)", .first_slot = 4 },
	{ .name = "release", .kind = MXD_PARAM_NUMBER, .unit = "ms", .min = 1, .max = 5000, .def = 100,
	  .automatable = true, .help = "Time to 63 % of closing (of recovering with duck: true)", .first_slot = 5 },
	{ .name = "hysteresis", .kind = MXD_PARAM_NUMBER, .unit = "dB", .min = 0, .max = 24, .def = 0,
	  .automatable = true, .help = "Opens at threshold, closes at threshold - hysteresis", .first_slot = 6 },
	{ .name = "sidechain_hpf", .kind = MXD_PARAM_NUMBER, .unit = "Hz", .min = 0, .max = 20000, .def = 0,
	  .automatable = true, .help = "Key filter: high-pass on the detector signal (0 = off)", .first_slot = 7 },
	{ .name = "sidechain_lpf", .kind = MXD_PARAM_NUMBER, .unit = "Hz", .min = 0, .max = 20000, .def = 0,
	  .automatable = true, .help = "Key filter: low-pass on the detector signal (0 = off)", .first_slot = 8 },
	{ .name = "duck", .kind = MXD_PARAM_BOOL, .unit = "", .min = 0, .max = 1, .def = 0,
	  .help = "Invert: a key above the threshold attenuates by range (ducking)", .first_slot = 9 },
};

#define N_PARAMS (sizeof params / sizeof params[0])

/* Session parameter index -> engine parameter. */
static mxd_gc_param core_param(size_t slot)
{
	static const mxd_gc_param map[] = { MXD_GC_THRESHOLD, MXD_GC_RANGE, MXD_GC_RATIO, MXD_GC_ATTACK,
						MXD_GC_HOLD, MXD_GC_RELEASE, MXD_GC_HYSTERESIS, MXD_GC_HPF,
						MXD_GC_LPF, MXD_GC_DUCK };
	return map[slot];
}

typedef struct {
	mxd_fx base;
	mxd_gr_meter gr; /* must follow base: see fx/meter_gr.h */
	mxd_gate_core core;
} dyn_fx;

static mxd_fx *dyn_create(const mxd_fx_class *cls)
{
	dyn_fx *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.cls = cls;
	mxd_gate_core_init(&s->core, true);
	for (size_t i = 0; i < N_PARAMS; i++)
		mxd_gate_core_set(&s->core, core_param(i), params[i].def);
	return &s->base;
}

static int dyn_activate(mxd_fx *fx, double rate, uint32_t max_block, uint32_t channels)
{
	dyn_fx *s = (dyn_fx *)fx;
	(void)max_block;
	if (mxd_gate_core_activate(&s->core, rate, channels) != 0)
		return -1;
	mxd_gr_meter_store(&s->gr, 0.0);
	return 0;
}

static void dyn_set_param(mxd_fx *fx, size_t slot, double v)
{
	dyn_fx *s = (dyn_fx *)fx;
	if (slot >= N_PARAMS || isnan(v))
		return;
	const mxd_param *p = &params[slot];
	v = v < p->min ? p->min : v > p->max ? p->max : v;
	if (p->kind == MXD_PARAM_BOOL)
		v = v >= 0.5 ? 1.0 : 0.0;
	mxd_gate_core_set(&s->core, core_param(slot), v);
}

static void dyn_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	dyn_fx *s = (dyn_fx *)fx;
	double y = mxd_gate_core_process(&s->core, io, sc, n);
	if (n > 0)
		mxd_gr_meter_store(&s->gr, y);
}

static uint32_t dyn_latency(const mxd_fx *fx)
{
	(void)fx;
	return 0;
}

static void dyn_reset(mxd_fx *fx)
{
	dyn_fx *s = (dyn_fx *)fx;
	mxd_gate_core_reset(&s->core);
	mxd_gr_meter_store(&s->gr, 0.0);
}

static void dyn_destroy(mxd_fx *fx)
{
	dyn_fx *s = (dyn_fx *)fx;
	if (!s)
		return;
	mxd_gate_core_free(&s->core);
	free(s);
}

const mxd_fx_class mxd_fx_expander_class = {
	.name = "expander",
	.summary = "Downward expander: ratio, range, hold, hysteresis, key filters, ducking, sidechain",
	.params = params,
	.n_params = N_PARAMS,
	.n_slots = N_PARAMS,
	.wants_sidechain = true,
	.create = dyn_create,
	.activate = dyn_activate,
	.set_param = dyn_set_param,
	.run = dyn_run,
	.latency = dyn_latency,
	.reset = dyn_reset,
	.destroy = dyn_destroy,
};
