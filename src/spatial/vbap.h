/* mixdown — vector base amplitude panning (VBAP) of point and spread sources
 * onto a loudspeaker layout.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Method: V. Pulkki, "Virtual sound source positioning using vector base
 * amplitude panning", JAES 45(6), 1997. A direction p (unit vector) is
 * reproduced by the two (2-D) or three (3-D) speakers whose base L contains it:
 * g = p^T L^-1 with every g >= 0, then the gains are scaled to unit energy
 * (sum of squares = 1).
 *
 * Directions use mixdown's convention (spatial/layout.h): azimuth in degrees,
 * 0 = front, POSITIVE TO THE RIGHT; elevation in degrees, 0 = ear height, +90 =
 * up. The LFE speaker is never a panning target (its gain is always 0).
 *
 * Choices (docs/spatial.md):
 *  - Layouts with a height layer (5.1.2, 5.1.4, 7.1.4): 3-D VBAP over the
 *    convex hull of the speaker directions plus two virtual speakers, one at
 *    elevation +90 ("voice of god") and one at -90. The top one's gain is
 *    spread equally over the top-layer speakers with its energy preserved
 *    (each gets g/sqrt(n_top)), the common practice for layouts without a
 *    ceiling speaker (Pulkki's virtual speaker idea, as in the IEM and
 *    Spat toolboxes; ITU-R BS.2127 uses the same virtual "imaginary" speakers).
 *    So a source between the layers pans between ear height and the top
 *    layer, and above the top layer it moves on toward an even spread over the
 *    whole top layer instead of sticking at the top speakers (a clamp would make
 *    every elevation above 30° sound the same). A hull face with four or more
 *    speakers in one plane (a left/right-symmetric pair of pairs always is,
 *    e.g. Ls Rs Ltr Rtr behind the listener) gets a virtual speaker at its
 *    centre, spread equally over the face's corners, and is split into
 *    triangles around it, so the panning stays left/right symmetric (any
 *    diagonal split would not be). Sources below ear height are
 *    folded to elevation 0 (there are no speakers below), so the -90 virtual
 *    speaker only closes the hull and never receives gain.
 *  - Layouts without a height layer (5.1, 7.1): 2-D VBAP on the horizontal
 *    ring; the elevation is dropped (the direction is projected onto the
 *    horizontal plane, i.e. the azimuth is used as it is).
 *  - stereo: sources behind the listener fold to the front half (azimuth
 *    a > 90 becomes 180 - a, a < -90 becomes -180 - a), then pan by 2-D VBAP
 *    between L and R; beyond ±30° the source stays in the nearer speaker.
 *  - mono: everything goes to C.
 *  - Spread (source size): MDAP, V. Pulkki, "Uniform spreading of amplitude
 *    panned virtual sources", IEEE WASPAA 1999: the gains of the source
 *    direction and of rings of directions around it (3-D: 3 rings of 12 at
 *    angles a/3, 2a/3, a with a = spread/2, weighted by sin of the ring angle
 *    for an even spread over the cap; 2-D: 17 directions evenly across the arc
 *    az ± a, end points weighted 1/2) are summed, then renormalized to unit
 *    energy.
 *  - Distance: an overall gain 1 / max(distance, 1): the inverse distance law
 *    (-6.02 dB per doubling) beyond the speaker radius, no near-field boost
 *    inside it (so a source moving inward never clips).
 *
 * Ownership: mxd_vbap is a plain value filled by mxd_vbap_init (no heap).
 * Threads: init on the control thread; the gain functions are real-time safe
 * (no allocation; a few hundred flops per direction) and may run on any thread.
 */
#ifndef MIXDOWN_SPATIAL_VBAP_H
#define MIXDOWN_SPATIAL_VBAP_H

#include <stdbool.h>
#include <stdint.h>

#include "spatial/layout.h"

#define MXD_VBAP_MAX_SPK 28   /* real speakers (at most 12) + virtual ones */
#define MXD_VBAP_MAX_SETS 48  /* triangles (3-D) or pairs (2-D) */

typedef struct mxd_vbap {
	const mxd_layout *layout;
	uint32_t dim;          /* 0 = mono (all to C), 2 = ring, 3 = sphere */
	uint32_t n_spk;        /* real non-LFE speakers */
	uint32_t ch[MXD_VBAP_MAX_SPK];    /* speaker -> layout channel */
	uint32_t n_pts;        /* real + virtual speakers (3-D: n_spk = top, n_spk + 1 = bottom, then quad centres) */
	double dir[MXD_VBAP_MAX_SPK][3];  /* unit vectors of all of them */
	uint32_t n_top;        /* top-layer speakers (3-D) */
	uint32_t n_members[MXD_VBAP_MAX_SPK]; /* virtual speakers: the speakers their gain is spread over */
	uint8_t members[MXD_VBAP_MAX_SPK][MXD_VBAP_MAX_SPK];
	uint32_t n_sets;
	uint32_t set[MXD_VBAP_MAX_SETS][3]; /* speaker indices of each triangle / pair */
	double inv[MXD_VBAP_MAX_SETS][3][3]; /* inverse of each base (rows = speakers) */
	bool stereo;           /* fold the rear half to the front */
} mxd_vbap;

/* Triangulate the layout (control thread). Returns 0, or -1 when the layout
 * cannot be triangulated (not the case for any built-in layout). */
int mxd_vbap_init(mxd_vbap *v, const mxd_layout *layout);

/* Unit-energy gains of a point source, one per layout channel (gains[0 ..
 * layout->channels)); the LFE's is 0. */
void mxd_vbap_point(const mxd_vbap *v, double az_deg, double el_deg, double *gains);

/* The same for a source of size spread_deg (0..360; objects use 0..180),
 * by MDAP. spread 0 equals mxd_vbap_point. */
void mxd_vbap_spread(const mxd_vbap *v, double az_deg, double el_deg, double spread_deg, double *gains);

/* Overall gain of a source at `distance` (1 = on the speakers). */
double mxd_vbap_distance_gain(double distance);

/* Elevation of the layout's top layer in degrees (0 without one). */
double mxd_vbap_top_elevation(const mxd_vbap *v);

#endif
