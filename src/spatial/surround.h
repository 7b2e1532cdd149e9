/* mixdown — the bed ("surround") panner: a position in the room box to
 * unit-energy speaker gains.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Input: x -1 (left wall) .. +1 (right wall), y -1 (back wall) .. +1 (front
 * wall), z 0 (ear height) .. 1 (top layer). The position is mapped to a
 * direction and a size, and panned by VBAP with MDAP spreading (vbap.h):
 *  - r = max(|x|, |y|) (0 = centre of the room, 1 = on a wall); the point
 *    (x, y)/r on the box's wall gives the azimuth, walking the walls so that the
 *    front wall spans -30..+30 (the L/R speakers), the side walls ±30..±150
 *    (front corner to back corner, y = 0 at ±90) and the back wall ±150..180;
 *  - elevation = z × the layout's top-layer elevation (0 without a height
 *    layer): z = 1 is the top layer;
 *  - spread = (1 - r) × 180° (MDAP), and the result blended with weight
 *    1 - r toward the centre distribution (equal gains over the ear-height
 *    speakers weighted 1 - z and over the top layer weighted z), then
 *    renormalized: on a wall the bed is a point source; in the middle of the
 *    room it comes from everywhere, independent of the (there undefined)
 *    direction.
 * Gains are continuous in (x, y, z) and have a sum of squares of 1.
 *
 * Threads: any (real-time safe; no allocation). Ownership: none.
 */
#ifndef MIXDOWN_SPATIAL_SURROUND_H
#define MIXDOWN_SPATIAL_SURROUND_H

#include "spatial/vbap.h"

/* The direction and size the box position maps to (degrees). */
void mxd_surround_direction(const mxd_vbap *v, double x, double y, double z, double *az_deg, double *el_deg,
			    double *spread_deg);

/* Unit-energy gains, one per layout channel (the LFE's is 0). */
void mxd_surround_gains(const mxd_vbap *v, double x, double y, double z, double *gains);

#endif
