/* mixdown — live control of a running engine (engine.h, "real-time host
 * hooks"): fader, mute and pan overrides that a real-time host applies on the
 * audio thread between process calls. Nothing here allocates or blocks.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "graph/engine.h"
#include "graph/engine_internal.h"

static void live_fader(node_rt *nd)
{
	bool on = nd->on > 0.0 && !nd->live_mute;
	mxd_smooth_set(&nd->fader, on ? mxd_db_to_gain(nd->live_gain_db) : 0.0);
	mxd_smooth_set(&nd->pre_gain, on ? 1.0 : 0.0);
}

void mxd_engine_live_gain(mixdown_engine *e, size_t node, double gain_db)
{
	if (node >= e->n_nodes)
		return;
	e->nodes[node].live_gain_db = gain_db < -144.0 ? -144.0 : gain_db > 24.0 ? 24.0 : gain_db;
	live_fader(&e->nodes[node]);
}

void mxd_engine_live_mute(mixdown_engine *e, size_t node, bool mute)
{
	if (node >= e->n_nodes)
		return;
	e->nodes[node].live_mute = mute;
	live_fader(&e->nodes[node]);
}

void mxd_engine_live_pan(mixdown_engine *e, size_t node, double pan)
{
	if (node >= e->n_nodes)
		return;
	node_rt *nd = &e->nodes[node];
	const mxd_strip *st = nd->strip;
	pan = pan < -1.0 ? -1.0 : pan > 1.0 ? 1.0 : pan;
	/* Ramp from wherever a previous, unapplied change was heading. */
	if (nd->pan_pending)
		nd->pan = nd->pan_to;
	mxd_pan_matrix_build(&nd->pan_to, nd->in_ch, nd->out_ch, pan, st->pan_law_db, st->width);
	nd->pan_pending = true;
}
