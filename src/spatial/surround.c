/* mixdown — the bed panner: room-box position to direction + size, then VBAP
 * (see surround.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "spatial/surround.h"

#include <math.h>

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void mxd_surround_direction(const mxd_vbap *v, double x, double y, double z, double *az_deg, double *el_deg,
			    double *spread_deg)
{
	x = clamp(x, -1, 1), y = clamp(y, -1, 1), z = clamp(z, 0, 1);
	double r = fmax(fabs(x), fabs(y));
	double az = 0.0;
	if (r > 0) {
		double wx = x / r, wy = y / r; /* on the wall */
		if (wy >= 1.0 - 1e-12 && fabs(wx) <= 1.0)
			az = 30.0 * wx;                               /* front wall */
		else if (wy <= -1.0 + 1e-12)
			az = copysign(150.0 + 30.0 * (1.0 - fabs(wx)), wx >= 0 ? 1.0 : -1.0); /* back wall */
		else
			az = copysign(30.0 + 60.0 * (1.0 - wy), wx); /* side walls */
		if (az > 180.0)
			az = 180.0;
	}
	*az_deg = az;
	*el_deg = z * mxd_vbap_top_elevation(v);
	*spread_deg = (1.0 - r) * 180.0;
}

void mxd_surround_gains(const mxd_vbap *v, double x, double y, double z, double *gains)
{
	double az, el, spread;
	mxd_surround_direction(v, x, y, z, &az, &el, &spread);
	mxd_vbap_spread(v, az, el, spread, gains);
	/* Blend toward the room's centre distribution, which has no direction
	 * (the azimuth of a point near the centre is arbitrary). */
	const mxd_layout *l = v->layout;
	double r = fmax(fabs(clamp(x, -1, 1)), fabs(clamp(y, -1, 1)));
	if (r >= 1.0)
		return;
	z = clamp(z, 0, 1);
	uint32_t n_ring = 0, n_top = 0;
	for (uint32_t c = 0; c < l->channels; c++)
		if ((int)c != l->lfe)
			l->speakers[c].role == MXD_SPK_TOP ? n_top++ : n_ring++;
	double ring = n_top ? 1.0 - z : 1.0, top = z;
	double e = 0;
	for (uint32_t c = 0; c < l->channels; c++) {
		double w = 0;
		if ((int)c != l->lfe)
			w = l->speakers[c].role == MXD_SPK_TOP ? top / sqrt((double)n_top)
								 : ring / sqrt((double)n_ring);
		gains[c] = r * gains[c] + (1.0 - r) * w;
		e += gains[c] * gains[c];
	}
	for (uint32_t c = 0; e > 0 && c < l->channels; c++)
		gains[c] /= sqrt(e);
}
