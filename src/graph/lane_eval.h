/* mixdown — evaluating one automation lane on the audio thread.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * value(t) = clamp(points(t) + lfo(t) + follower(t), min, max) in the target's
 * unit, where points(t) interpolates the lane's breakpoints with the curve of
 * the segment's first point (the static setting when there are none), lfo(t)
 * is a pure function of the timeline time (so any section evaluates exactly
 * like the full timeline), and the follower tracks another strip's level.
 *
 * Breakpoints are exact to the sample: frame f has the value at time f / rate.
 * Ownership: the state points into the session's lane (borrowed). Threads:
 * init on the control thread; fill/at on the audio thread (no allocation).
 */
#ifndef MIXDOWN_GRAPH_LANE_EVAL_H
#define MIXDOWN_GRAPH_LANE_EVAL_H

#include <stdint.h>

#include "session/model.h"

typedef struct {
	const mxd_lane *lane;
	double rate;
	size_t seg;            /* cursor: last point at or before the last time asked */
	double follow_amount;  /* 0..1 */
	double follow_level;   /* peak detector of the source, linear */
	double a_att, a_rel, a_peak;
	double threshold;      /* linear */
	double square_k;       /* slope factor of the LFO square's 5 ms edges */
} mxd_lane_eval;

void mxd_lane_eval_init(mxd_lane_eval *ev, const mxd_lane *lane, double rate);

/* The points' value at timeline time t (s), without modulation. */
double mxd_lane_points_at(mxd_lane_eval *ev, double t);

/* The LFO's contribution at time t with `extra` cycles of phase. */
double mxd_lane_lfo_at(const mxd_lane_eval *ev, double t, double extra);

/* Values for timeline frames t0 .. t0+n-1 into out[n]. src: the followed
 * strip's channels (src_ch of them) for the same frames, or NULL. */
void mxd_lane_eval_fill(mxd_lane_eval *ev, int64_t t0, uint32_t n, const float *const *src, uint32_t src_ch,
			double *out);

#endif
