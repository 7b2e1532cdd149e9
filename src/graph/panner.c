/* mixdown — pan laws, balance, width and fold-down matrices.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "graph/panner.h"

#include <math.h>
#include <string.h>

#include "dsp/simd_clone.h"
#include "spatial/downmix.h"
#include "spatial/surround.h"
#include "spatial/vbap.h"

void mxd_pan_gains(double pan, double law_db, double *gl, double *gr)
{
	if (pan < -1.0)
		pan = -1.0;
	if (pan > 1.0)
		pan = 1.0;
	double theta = (pan + 1.0) * M_PI / 4.0;
	double cl = cos(theta), cr = sin(theta);
	double ll = (1.0 - pan) / 2.0, lr = (1.0 + pan) / 2.0;
	if (law_db == 0.0) {
		*gl = fmin(1.0, 1.0 - pan);
		*gr = fmin(1.0, 1.0 + pan);
	} else if (law_db == -6.0) {
		*gl = ll;
		*gr = lr;
	} else if (law_db == -4.5) {
		*gl = sqrt(cl * ll);
		*gr = sqrt(cr * lr);
	} else { /* -3 dB, the default */
		*gl = cl;
		*gr = cr;
	}
	/* cos(pi/2) is 6e-17, not 0: make hard pans exact. */
	if (pan == -1.0)
		*gr = 0.0;
	if (pan == 1.0)
		*gl = 0.0;
}

/* BS.775 fold-down of the first channels of a 3..8-channel source into L/R. */
static void fold_to_stereo(double m[2][MXD_MAX_CHANNELS], uint32_t nin)
{
	const double h = M_SQRT1_2;
	/* Channel roles by count, following the WAV default channel masks. */
	static const char *roles[9] = { "", "", "", "LRC", "LRlr", "LRClr", "LRCFlr", "LRCFlrc", "LRCFlrLR" };
	const char *r = nin <= 8 ? roles[nin] : NULL;
	for (uint32_t i = 0; i < nin; i++) {
		char role = r ? r[i] : (i % 2 ? 'R' : 'L');
		switch (role) {
		case 'L': m[0][i] = 1.0; break;
		case 'R': m[1][i] = 1.0; break;
		case 'C': m[0][i] = h; m[1][i] = h; break;
		case 'l': m[0][i] = h; break;
		case 'r': m[1][i] = h; break;
		case 'c': m[0][i] = 0.5; m[1][i] = 0.5; break; /* back centre: -3 dB into each surround */
		default: break;                              /* 'F': LFE is not folded */
		}
	}
}

void mxd_pan_matrix_build(mxd_pan_matrix *pm, uint32_t nin, uint32_t nout, double pan, double law_db,
			  double width)
{
	double m[MXD_MAX_CHANNELS][MXD_MAX_CHANNELS];
	memset(m, 0, sizeof m);
	pm->in_channels = nin;
	pm->out_channels = nout;
	if (nout == 1) {
		for (uint32_t i = 0; i < nin; i++)
			m[0][i] = 1.0 / nin;
	} else if (nin == 1) {
		double gl, gr;
		mxd_pan_gains(pan, law_db, &gl, &gr);
		m[0][0] = gl;
		m[1][0] = gr;
	} else if (nout == 2 || nin == 2) {
		double fold[2][MXD_MAX_CHANNELS];
		memset(fold, 0, sizeof fold);
		if (nin == 2) {
			/* width by mid/side, folded into the matrix */
			fold[0][0] = (1.0 + width) / 2.0;
			fold[0][1] = (1.0 - width) / 2.0;
			fold[1][0] = (1.0 - width) / 2.0;
			fold[1][1] = (1.0 + width) / 2.0;
		} else {
			fold_to_stereo(fold, nin);
		}
		double bl = pan > 0.0 ? 1.0 - pan : 1.0;
		double br = pan < 0.0 ? 1.0 + pan : 1.0;
		for (uint32_t i = 0; i < nin; i++) {
			m[0][i] = bl * fold[0][i];
			m[1][i] = br * fold[1][i];
		}
	} else {
		for (uint32_t i = 0; i < nin && i < nout; i++)
			m[i][i] = 1.0;
	}
	for (uint32_t o = 0; o < MXD_MAX_CHANNELS; o++)
		for (uint32_t i = 0; i < MXD_MAX_CHANNELS; i++)
			pm->m[o][i] = (float)m[o][i];
}

/* Multiversioned (dsp/simd_clone.h) as a static function: clang builds the
 * variants only where the function is called. */
MXD_CLONES static void apply_matrix(const mxd_pan_matrix *pm, const float *const *in, float *const *out, uint32_t n)
{
	for (uint32_t o = 0; o < pm->out_channels; o++) {
		float *restrict dst = out[o];
		bool first = true;
		for (uint32_t i = 0; i < pm->in_channels; i++) {
			const float g = pm->m[o][i];
			if (g == 0.0f)
				continue;
			const float *restrict src = in[i];
			if (first && g == 1.0f)
				memcpy(dst, src, n * sizeof *dst);
			else if (first)
				for (uint32_t k = 0; k < n; k++)
					dst[k] = g * src[k];
			else
				for (uint32_t k = 0; k < n; k++)
					dst[k] += g * src[k];
			first = false;
		}
		if (first)
			memset(dst, 0, n * sizeof *dst);
	}
}

void mxd_pan_matrix_apply(const mxd_pan_matrix *pm, const float *const *in, float *const *out, uint32_t n)
{
	apply_matrix(pm, in, out, n);
}

void mxd_pan_matrix_apply_gain(const mxd_pan_matrix *pm, const float *const *in, float *const *out, uint32_t n,
			       double g)
{
	if (g == 1.0) {
		apply_matrix(pm, in, out, n);
		return;
	}
	/* The gain folded into the coefficients: one multiply per sample. */
	mxd_pan_matrix scaled = *pm;
	for (uint32_t o = 0; o < pm->out_channels; o++)
		for (uint32_t i = 0; i < pm->in_channels; i++)
			scaled.m[o][i] = (float)(pm->m[o][i] * g);
	apply_matrix(&scaled, in, out, n);
}

void mxd_pan_matrix_apply_ramp(const mxd_pan_matrix *from, const mxd_pan_matrix *to, const float *const *in,
			       float *const *out, uint32_t n)
{
	for (uint32_t o = 0; o < to->out_channels; o++) {
		float *restrict y = out[o];
		for (uint32_t i = 0; i < n; i++)
			y[i] = 0.0f;
		for (uint32_t c = 0; c < to->in_channels; c++) {
			float a = from->m[o][c], b = to->m[o][c];
			if (a == 0.0f && b == 0.0f)
				continue;
			const float *restrict x = in[c];
			float step = (b - a) / (float)n;
			for (uint32_t i = 0; i < n; i++)
				y[i] += (i + 1 == n ? b : a + step * (float)(i + 1)) * x[i];
		}
	}
}

static double clamp1(double v)
{
	return v < -1.0 ? -1.0 : v > 1.0 ? 1.0 : v;
}

void mxd_pan_matrix_build_spatial(mxd_pan_matrix *pm, const struct mxd_vbap *vb, uint32_t nin, uint32_t nout,
				  const mxd_pan_params *p)
{
	if (!vb || vb->layout->channels != nout || (!p->object && !p->surround && p->lfe_gain == 0.0)) {
		mxd_pan_matrix_build(pm, nin, nout, p->pan, p->law_db, p->width);
		return;
	}
	if (p->object || p->surround) {
		double g[2][MXD_MAX_CHANNELS];
		uint32_t ng = nin == 2 ? 2 : 1;
		double scale = nin > 2 ? 1.0 / nin : 1.0;
		if (p->object) {
			scale *= mxd_vbap_distance_gain(p->distance);
			if (ng == 2) {
				mxd_vbap_point(vb, p->azimuth - p->spread / 2, p->elevation, g[0]);
				mxd_vbap_point(vb, p->azimuth + p->spread / 2, p->elevation, g[1]);
			} else {
				mxd_vbap_spread(vb, p->azimuth, p->elevation, p->spread, g[0]);
			}
		} else if (ng == 2 || nin > 2) {
			mxd_surround_gains(vb, clamp1(p->x - 1.0), p->y, p->z, g[0]);
			mxd_surround_gains(vb, clamp1(p->x + 1.0), p->y, p->z, g[1]);
			if (nin > 2) {
				/* A multichannel bed (a bus, a 5.1 file): fold it to L/R by BS.775
				 * and place that pair like a stereo bed, so its image survives
				 * instead of collapsing to one point (docs/spatial.md). */
				double f[2][MXD_MAX_CHANNELS];
				memset(f, 0, sizeof f);
				mxd_downmix dm;
				if (nin == nout && mxd_downmix_init(&dm, vb->layout, mxd_downmix_target("stereo"),
								    -INFINITY) == 0) {
					for (uint32_t i = 0; i < nin; i++)
						f[0][i] = dm.m[0][i], f[1][i] = dm.m[1][i];
				} else {
					fold_to_stereo(f, nin);
				}
				pm->in_channels = nin;
				pm->out_channels = nout;
				memset(pm->m, 0, sizeof pm->m);
				for (uint32_t o = 0; o < nout; o++)
					for (uint32_t i = 0; i < nin; i++)
						pm->m[o][i] = (float)(g[0][o] * f[0][i] + g[1][o] * f[1][i]);
				goto lfe_send;
			}
		} else {
			mxd_surround_gains(vb, p->x, p->y, p->z, g[0]);
		}
		pm->in_channels = nin;
		pm->out_channels = nout;
		memset(pm->m, 0, sizeof pm->m);
		for (uint32_t o = 0; o < nout; o++)
			for (uint32_t i = 0; i < nin; i++)
				pm->m[o][i] = (float)(g[ng == 2 ? i : 0][o] * scale);
	} else {
		mxd_pan_matrix_build(pm, nin, nout, p->pan, p->law_db, p->width);
	}
lfe_send:;
	int lfe = vb->layout->lfe;
	if (lfe >= 0 && p->lfe_gain != 0.0)
		for (uint32_t i = 0; i < nin; i++)
			if (!(nin == nout && i == (uint32_t)lfe))
				pm->m[lfe][i] += (float)p->lfe_gain;
}
