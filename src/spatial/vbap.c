/* mixdown — VBAP: triangulation of a layout and gains for a direction (see
 * vbap.h for the method, conventions and the documented choices).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "spatial/vbap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEG (M_PI / 180.0)
#define EPS 1e-9

static void unit(double az_deg, double el_deg, double d[3])
{
	/* x right, y front, z up (azimuth positive to the right) */
	double a = az_deg * DEG, e = el_deg * DEG;
	d[0] = sin(a) * cos(e);
	d[1] = cos(a) * cos(e);
	d[2] = sin(e);
}

static void cross(const double a[3], const double b[3], double out[3])
{
	out[0] = a[1] * b[2] - a[2] * b[1];
	out[1] = a[2] * b[0] - a[0] * b[2];
	out[2] = a[0] * b[1] - a[1] * b[0];
}

static double dot(const double a[3], const double b[3])
{
	return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/* Inverse of the 3x3 matrix with rows a, b, c; false when singular. */
static bool invert3(const double a[3], const double b[3], const double c[3], double inv[3][3])
{
	double bc[3], ca[3], ab[3];
	cross(b, c, bc);
	cross(c, a, ca);
	cross(a, b, ab);
	double det = dot(a, bc);
	if (fabs(det) < 1e-12)
		return false;
	/* L^-1 = [bc ca ab] / det as columns */
	for (int i = 0; i < 3; i++) {
		inv[i][0] = bc[i] / det;
		inv[i][1] = ca[i] / det;
		inv[i][2] = ab[i] / det;
	}
	return true;
}

static int add_set(mxd_vbap *v, uint32_t a, uint32_t b, uint32_t c)
{
	if (v->n_sets >= MXD_VBAP_MAX_SETS || !invert3(v->dir[a], v->dir[b], v->dir[c], v->inv[v->n_sets]))
		return -1;
	v->set[v->n_sets][0] = a, v->set[v->n_sets][1] = b, v->set[v->n_sets][2] = c;
	v->n_sets++;
	return 0;
}

/* A hull face whose plane holds more than three speakers (a symmetric pair
 * of pairs is always coplanar): a virtual speaker at its centre direction,
 * spread over the corners, and one triangle per polygon edge around it. */
static int add_face(mxd_vbap *v, const uint32_t *idx, uint32_t n, const double nrm[3])
{
	if (n == 3)
		return add_set(v, idx[0], idx[1], idx[2]);
	if (v->n_pts >= MXD_VBAP_MAX_SPK)
		return -1;
	double cen[3] = { 0, 0, 0 };
	for (uint32_t k = 0; k < n; k++)
		for (int i = 0; i < 3; i++)
			cen[i] += v->dir[idx[k]][i] / n;
	double e1[3], e2[3];
	for (int i = 0; i < 3; i++)
		e1[i] = v->dir[idx[0]][i] - cen[i];
	cross(nrm, e1, e2);
	double ang[MXD_VBAP_MAX_SPK];
	uint32_t ord[MXD_VBAP_MAX_SPK];
	for (uint32_t k = 0; k < n; k++) {
		double d[3] = { v->dir[idx[k]][0] - cen[0], v->dir[idx[k]][1] - cen[1], v->dir[idx[k]][2] - cen[2] };
		ang[k] = atan2(dot(d, e2), dot(d, e1));
		if (ang[k] < -1e-12)
			ang[k] += 2 * M_PI;
		ord[k] = k;
	}
	for (uint32_t k = 1; k < n; k++) /* insertion sort by angle */
		for (uint32_t j = k; j > 0 && ang[ord[j]] < ang[ord[j - 1]]; j--) {
			uint32_t t = ord[j];
			ord[j] = ord[j - 1], ord[j - 1] = t;
		}
	uint32_t ctr = v->n_pts++;
	double len = sqrt(dot(cen, cen));
	for (int i = 0; i < 3; i++)
		v->dir[ctr][i] = cen[i] / len;
	v->n_members[ctr] = n;
	for (uint32_t k = 0; k < n; k++)
		v->members[ctr][k] = (uint8_t)idx[k];
	for (uint32_t k = 0; k < n; k++)
		if (add_set(v, ctr, idx[ord[k]], idx[ord[(k + 1) % n]]) != 0)
			return -1;
	return 0;
}

/* Convex hull by brute force (at most 14 points, once per engine): a triple
 * spans a face when no point lies outside its plane. */
static int hull(mxd_vbap *v, uint32_t np)
{
	uint32_t seen[MXD_VBAP_MAX_SETS * 2];
	uint32_t n_seen = 0;
	for (uint32_t i = 0; i < np; i++)
		for (uint32_t j = i + 1; j < np; j++)
			for (uint32_t k = j + 1; k < np; k++) {
				double ab[3], ac[3], nrm[3];
				for (int q = 0; q < 3; q++) {
					ab[q] = v->dir[j][q] - v->dir[i][q];
					ac[q] = v->dir[k][q] - v->dir[i][q];
				}
				cross(ab, ac, nrm);
				double len = sqrt(dot(nrm, nrm));
				if (len < 1e-9)
					continue;
				for (int q = 0; q < 3; q++)
					nrm[q] /= len;
				if (dot(nrm, v->dir[i]) < 0)
					for (int q = 0; q < 3; q++)
						nrm[q] = -nrm[q];
				double off = dot(nrm, v->dir[i]);
				uint32_t mask = 0, idx[MXD_VBAP_MAX_SPK], n = 0;
				bool face = true;
				for (uint32_t p = 0; p < np && face; p++) {
					double s = dot(nrm, v->dir[p]) - off;
					if (s > 1e-9)
						face = false;
					else if (s > -1e-9)
						mask |= 1u << p, idx[n++] = p;
				}
				if (!face)
					continue;
				bool dup = false;
				for (uint32_t s = 0; s < n_seen; s++)
					dup |= seen[s] == mask;
				if (dup)
					continue;
				if (n_seen >= MXD_VBAP_MAX_SETS * 2)
					return -1;
				seen[n_seen++] = mask;
				if (add_face(v, idx, n, nrm) != 0)
					return -1;
			}
	return v->n_sets ? 0 : -1;
}

/* Adjacent pairs of the horizontal ring (sorted by azimuth); a pair spanning
 * 180° or more has no base. Stored in the 3x3 slots with a z row. */
static int ring(mxd_vbap *v)
{
	uint32_t ord[MXD_VBAP_MAX_SPK];
	double az[MXD_VBAP_MAX_SPK];
	for (uint32_t k = 0; k < v->n_spk; k++) {
		az[k] = atan2(v->dir[k][0], v->dir[k][1]);
		ord[k] = k;
	}
	for (uint32_t k = 1; k < v->n_spk; k++)
		for (uint32_t j = k; j > 0 && az[ord[j]] < az[ord[j - 1]]; j--) {
			uint32_t t = ord[j];
			ord[j] = ord[j - 1], ord[j - 1] = t;
		}
	for (uint32_t k = 0; k < v->n_spk; k++) {
		uint32_t a = ord[k], b = ord[(k + 1) % v->n_spk];
		double gap = az[b] - az[a];
		if (gap <= 0)
			gap += 2 * M_PI;
		if (gap >= M_PI - 1e-9 || v->n_sets >= MXD_VBAP_MAX_SETS)
			continue;
		double det = v->dir[a][0] * v->dir[b][1] - v->dir[a][1] * v->dir[b][0];
		double (*inv)[3] = v->inv[v->n_sets];
		memset(inv, 0, sizeof v->inv[0]);
		/* rows a, b: [ax ay; bx by]^-1 */
		inv[0][0] = v->dir[b][1] / det, inv[0][1] = -v->dir[a][1] / det;
		inv[1][0] = -v->dir[b][0] / det, inv[1][1] = v->dir[a][0] / det;
		v->set[v->n_sets][0] = a, v->set[v->n_sets][1] = b, v->set[v->n_sets][2] = a;
		v->n_sets++;
	}
	return v->n_sets ? 0 : -1;
}

int mxd_vbap_init(mxd_vbap *v, const mxd_layout *layout)
{
	memset(v, 0, sizeof *v);
	v->layout = layout;
	if (!layout || layout->channels > MXD_VBAP_MAX_SPK - 2)
		return -1;
	bool height = false;
	uint32_t top[MXD_VBAP_MAX_SPK];
	for (uint32_t c = 0; c < layout->channels; c++) {
		const mxd_speaker *s = &layout->speakers[c];
		if ((int)c == layout->lfe)
			continue;
		if (s->role == MXD_SPK_TOP)
			top[v->n_top++] = v->n_spk, height = true;
		v->ch[v->n_spk] = c;
		unit(s->azimuth_deg, height && s->role == MXD_SPK_TOP ? s->elevation_deg : 0.0, v->dir[v->n_spk]);
		v->n_spk++;
	}
	if (v->n_spk == 1) {
		v->dim = 0;
		return 0;
	}
	if (!height) {
		v->dim = 2;
		v->stereo = v->n_spk == 2;
		return ring(v);
	}
	v->dim = 3;
	unit(0, 90, v->dir[v->n_spk]);
	unit(0, -90, v->dir[v->n_spk + 1]);
	v->n_members[v->n_spk] = v->n_top; /* voice of god: over the top layer */
	for (uint32_t t = 0; t < v->n_top; t++)
		v->members[v->n_spk][t] = (uint8_t)top[t];
	v->n_pts = v->n_spk + 2;           /* the bottom one has no members */
	return hull(v, v->n_pts);
}

double mxd_vbap_top_elevation(const mxd_vbap *v)
{
	if (v->dim != 3 || !v->n_top)
		return 0.0;
	return asin(v->dir[v->members[v->n_spk][0]][2]) / DEG;
}

double mxd_vbap_distance_gain(double distance)
{
	return distance > 1.0 ? 1.0 / distance : 1.0;
}

/* Wrap to (-180, 180]. */
static double wrap180(double a)
{
	a = fmod(a, 360.0);
	if (a > 180.0)
		a -= 360.0;
	else if (a <= -180.0)
		a += 360.0;
	return a;
}

/* A (virtual) speaker's gain into the real speakers: a virtual one spreads
 * it equally over its members with the energy kept (g / sqrt(n)); the
 * bottom one has none (it only closes the hull). */
static void distribute(const mxd_vbap *v, uint32_t spk, double g, double *vg, int depth)
{
	if (spk < v->n_spk) {
		vg[spk] += g;
		return;
	}
	uint32_t n = v->n_members[spk];
	for (uint32_t k = 0; k < n && depth < 3; k++)
		distribute(v, v->members[spk][k], g / sqrt((double)n), vg, depth + 1);
}

/* Unnormalized, non-negative gains of a point source added to acc[] with weight w. */
static void point_acc(const mxd_vbap *v, double az, double el, double w, double *acc)
{
	const mxd_layout *l = v->layout;
	if (v->dim == 0) {
		acc[v->ch[0]] += w;
		return;
	}
	az = wrap180(az);
	if (v->dim == 2) {
		el = 0.0;
		if (v->stereo) {
			if (az > 90.0)
				az = 180.0 - az;
			else if (az < -90.0)
				az = -180.0 - az;
			double lim = fabs(l->speakers[v->ch[0]].azimuth_deg);
			az = az > lim ? lim : az < -lim ? -lim : az;
		}
	} else if (el < 0.0) {
		el = 0.0; /* no speakers below ear height: fold to the ring */
	} else if (el > 90.0) {
		el = 90.0;
	}
	double p[3];
	unit(az, el, p);
	int best = -1;
	double best_min = -INFINITY, bg[3] = { 0, 0, 0 };
	for (uint32_t s = 0; s < v->n_sets; s++) {
		double gs[3];
		for (int j = 0; j < 3; j++)
			gs[j] = p[0] * v->inv[s][0][j] + p[1] * v->inv[s][1][j] + p[2] * v->inv[s][2][j];
		double mn = fmin(gs[0], gs[1]);
		if (v->dim == 3)
			mn = fmin(mn, gs[2]);
		if (mn > best_min) {
			best_min = mn, best = (int)s;
			memcpy(bg, gs, sizeof bg);
			if (mn >= 0)
				break; /* inside this base: the gains are unique up to shared edges */
		}
	}
	if (best < 0)
		return;
	/* Normalize this direction to unit energy before weighting (MDAP sums
	 * unit-energy virtual sources). */
	double vg[MXD_VBAP_MAX_SPK] = { 0 };
	uint32_t nj = v->dim == 3 ? 3 : 2;
	for (uint32_t j = 0; j < nj; j++)
		distribute(v, v->set[best][j], bg[j] > 0 ? bg[j] : 0.0, vg, 0);
	double e = 0;
	for (uint32_t k = 0; k < v->n_spk; k++)
		e += vg[k] * vg[k];
	if (e <= 0)
		return;
	double s = w / sqrt(e);
	for (uint32_t k = 0; k < v->n_spk; k++)
		acc[v->ch[k]] += vg[k] * s;
}

static void normalize(const mxd_layout *l, double *gains)
{
	double e = 0;
	for (uint32_t c = 0; c < l->channels; c++)
		e += gains[c] * gains[c];
	if (e <= 0)
		return;
	double s = 1.0 / sqrt(e);
	for (uint32_t c = 0; c < l->channels; c++)
		gains[c] *= s;
}

void mxd_vbap_point(const mxd_vbap *v, double az_deg, double el_deg, double *gains)
{
	for (uint32_t c = 0; c < v->layout->channels; c++)
		gains[c] = 0.0;
	point_acc(v, az_deg, el_deg, 1.0, gains);
	normalize(v->layout, gains);
}

#define ARC_HALF 8    /* 2-D: 2 * ARC_HALF + 1 directions across the arc */
#define RINGS 3       /* 3-D: rings at a/3, 2a/3, a */
#define RING_POINTS 12

void mxd_vbap_spread(const mxd_vbap *v, double az_deg, double el_deg, double spread_deg, double *gains)
{
	if (!(spread_deg > 1e-6) || v->dim == 0) {
		mxd_vbap_point(v, az_deg, el_deg, gains);
		return;
	}
	if (spread_deg > 360.0)
		spread_deg = 360.0;
	double a = spread_deg / 2.0;
	for (uint32_t c = 0; c < v->layout->channels; c++)
		gains[c] = 0.0;
	if (v->dim == 2) {
		for (int k = -ARC_HALF; k <= ARC_HALF; k++)
			point_acc(v, az_deg + a * k / ARC_HALF, 0.0, abs(k) == ARC_HALF ? 0.5 : 1.0, gains);
		normalize(v->layout, gains);
		return;
	}
	double p[3], u[3], w[3];
	double az = az_deg * DEG, el = el_deg * DEG;
	unit(az_deg, el_deg, p);
	/* tangents along azimuth and elevation: continuous in (az, el) */
	u[0] = cos(az), u[1] = -sin(az), u[2] = 0;
	w[0] = -sin(az) * sin(el), w[1] = -cos(az) * sin(el), w[2] = cos(el);
	point_acc(v, az_deg, el_deg, 1.0, gains);
	for (int r = 1; r <= RINGS; r++) {
		double th = a * r / RINGS * DEG;
		double wt = sin(th);
		if (wt < 1e-9)
			continue;
		for (int k = 0; k < RING_POINTS; k++) {
			double ph = 2 * M_PI * k / RING_POINTS, d[3];
			for (int q = 0; q < 3; q++)
				d[q] = cos(th) * p[q] + sin(th) * (cos(ph) * u[q] + sin(ph) * w[q]);
			double daz = atan2(d[0], d[1]) / DEG;
			double del = asin(d[2] > 1 ? 1 : d[2] < -1 ? -1 : d[2]) / DEG;
			point_acc(v, daz, del, wt, gains);
		}
	}
	normalize(v->layout, gains);
}
