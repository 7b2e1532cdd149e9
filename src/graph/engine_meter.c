/* mixdown — per-strip level metering of a running engine (engine.h,
 * "metering"): peak and sum of squares of every strip's post-fader output,
 * accumulated block by block on the audio thread and handed to a host (the
 * real-time player's meter bank), plus the strips' gain-reduction readings.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Nothing here allocates or blocks. The accumulators are plain fields of the
 * audio thread's node state: only the thread that runs the engine may take
 * them; gain reduction is read from the processors' atomic meters by anyone.
 */
#include <math.h>

#include "fx/meter_gr.h"
#include "graph/engine.h"
#include "graph/engine_internal.h"

void mxd_engine_meter_accumulate(node_rt *nd, uint32_t n)
{
	float peak = nd->meter_peak;
	double sumsq = 0.0;
	for (uint32_t c = 0; c < nd->out_ch; c++) {
		const float *x = nd->out[c];
		/* float partial sums per block are exact enough for a meter and
		 * let the loop vectorize; the running total is double. */
		float s = 0.0f;
		for (uint32_t i = 0; i < n; i++) {
			float a = fabsf(x[i]);
			peak = a > peak ? a : peak;
			s += x[i] * x[i];
		}
		sumsq += s;
	}
	nd->meter_peak = peak;
	nd->meter_sumsq += sumsq;
	nd->meter_frames += n;
}

size_t mxd_engine_node_count(const mixdown_engine *e) { return e->n_nodes; }

void mxd_engine_set_metering(mixdown_engine *e, bool on) { e->metering = on; }

void mxd_engine_node_meter_take(mixdown_engine *e, size_t node, float *peak, double *sumsq, uint64_t *frames)
{
	if (node >= e->n_nodes) {
		*peak = 0.0f;
		*sumsq = 0.0;
		*frames = 0;
		return;
	}
	node_rt *nd = &e->nodes[node];
	*peak = nd->meter_peak;
	*sumsq = nd->meter_sumsq;
	*frames = nd->meter_frames;
	nd->meter_peak = 0.0f;
	nd->meter_sumsq = 0.0;
	nd->meter_frames = 0;
}

uint32_t mxd_engine_node_out_channels(const mixdown_engine *e, size_t node)
{
	return node < e->n_nodes ? e->nodes[node].out_ch : 0;
}

double mxd_engine_node_gain_reduction_db(const mixdown_engine *e, size_t node)
{
	if (node >= e->n_nodes)
		return 0.0;
	const node_rt *nd = &e->nodes[node];
	double gr = 0.0;
	for (size_t k = 0; k < nd->n_slots; k++) {
		const mxd_fx *fx = nd->slots[k].fx;
		if (fx && mxd_fx_has_gain_reduction(fx)) {
			double g = mxd_fx_gain_reduction_db(fx);
			gr = g > gr ? g : gr;
		}
	}
	return gr;
}
