/* mixdown — `layout: binaural`: object tracks rendered straight through the
 * HRTF at their (automatable) direction instead of the pan matrix.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * With `layout: binaural` the master is stereo; every track with `object:`
 * gets its own binaural renderer (spatial/binaural.h, one source: the average
 * of the track's channels) at the object's azimuth, elevation and distance
 * (automation included, taken at the end of each block and interpolated
 * across it by the renderer). An object with a spread (static or automated)
 * is three virtual points: the source at its azimuth and two decorrelated
 * copies at azimuth -/+ spread/2, energy-preserving (strip_binaural.c);
 * `object: air:` switches on the renderer's air absorption. Other tracks and
 * buses pan to stereo as usual.
 *
 * Ownership: create (control thread, inside mixdown_engine_create) loads the
 * HRTF (the session's `hrtf:`, else libmysofa's default set) and allocates
 * everything; free releases. run() is real-time safe (no allocation, no
 * locks, no libmysofa calls) and may run on any thread that runs node i. */
#ifndef MIXDOWN_GRAPH_STRIP_BINAURAL_H
#define MIXDOWN_GRAPH_STRIP_BINAURAL_H

#include <stdbool.h>

#include "graph/engine.h"
#include "graph/engine_internal.h"

typedef struct mxd_strip_binaural mxd_strip_binaural;

/* *out = NULL when the session is not binaural or has no object track. */
mixdown_status mxd_strip_binaural_create(mixdown_engine *e, mxd_strip_binaural **out, mixdown_error *err);
void mxd_strip_binaural_free(mxd_strip_binaural *sb); /* NULL-safe */

/* Node i's pan stage when it is a binaural object: nd->in -> nd->out[0..1],
 * returns true; false (nothing done) for any other node. */
bool mxd_strip_binaural_run(mxd_strip_binaural *sb, size_t i, node_rt *nd, uint32_t n);

#endif
