/* mixdown — SOFA HRTF set -> direction grid of HRIR pairs (see hrtf.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Loading (control thread) is the only place libmysofa is called; without
 * libmysofa (MIXDOWN_HAVE_MYSOFA undefined) loading fails with a clear error
 * and the rest is never reached. */
#include "spatial/hrtf.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "session/model.h"

#ifdef MIXDOWN_HAVE_MYSOFA
#include <mysofa.h>
#endif

#define N_AZ (360 / MXD_HRTF_GRID_STEP)     /* 0, 5, ..., 355 */
#define N_EL (180 / MXD_HRTF_GRID_STEP + 1) /* -90, -85, ..., 90 */

struct mxd_hrtf {
	double rate;
	uint32_t len;
	double max_delay;
	float *ir;      /* N_EL x N_AZ x 2 ears x len */
	double *delay;  /* N_EL x N_AZ x 2 ears, samples */
};

static mxd_loc noloc(void) { return (mxd_loc){ 0, 0 }; }

void mxd_hrtf_free(mxd_hrtf *h)
{
	if (!h)
		return;
	free(h->ir);
	free(h->delay);
	free(h);
}

uint32_t mxd_hrtf_length(const mxd_hrtf *h) { return h->len; }
double mxd_hrtf_rate(const mxd_hrtf *h) { return h->rate; }
double mxd_hrtf_max_delay(const mxd_hrtf *h) { return h->max_delay; }

#ifdef MIXDOWN_HAVE_MYSOFA
static const char *sofa_reason(int e)
{
	switch (e) {
	case MYSOFA_INVALID_FORMAT: return "not a SOFA (HDF5) file or corrupt";
	case MYSOFA_UNSUPPORTED_FORMAT: return "unsupported HDF5 feature in the file";
	case MYSOFA_NO_MEMORY: return "out of memory";
	case MYSOFA_READ_ERROR: return "read error";
	case MYSOFA_INVALID_ATTRIBUTES: return "missing or invalid SOFA attributes (not SimpleFreeFieldHRIR?)";
	case MYSOFA_INVALID_DIMENSIONS:
	case MYSOFA_INVALID_DIMENSION_LIST: return "invalid SOFA dimensions";
	case MYSOFA_INVALID_COORDINATE_TYPE: return "invalid coordinate type";
	case MYSOFA_ONLY_EMITTER_WITH_ECI_SUPPORTED: return "only one emitter is supported";
	case MYSOFA_ONLY_DELAYS_WITH_IR_OR_MR_SUPPORTED: return "unsupported Data.Delay dimensions";
	case MYSOFA_ONLY_THE_SAME_SAMPLING_RATE_SUPPORTED: return "measurements with differing sample rates";
	case MYSOFA_RECEIVERS_WITH_RCI_SUPPORTED:
	case MYSOFA_RECEIVERS_WITH_CARTESIAN_SUPPORTED:
	case MYSOFA_INVALID_RECEIVER_POSITIONS: return "needs exactly two receivers (ears)";
	case MYSOFA_ONLY_SOURCES_WITH_MC_SUPPORTED: return "unsupported source positions";
	default: return e > 0 && e < 10000 ? strerror(e) : "libmysofa could not open it";
	}
}

mixdown_status mxd_hrtf_load(const char *path, double rate, mxd_hrtf **out, mixdown_error *err)
{
	*out = NULL;
	if (!path)
		path = MXD_HRTF_DEFAULT_FILE;
	if (!(rate >= 8000.0 && rate <= 384000.0))
		return mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, noloc(), NULL, "HRTF file %s: unsupported sample rate %g Hz",
				path, rate);
	/* libmysofa's reader reports a missing file only as a generic error. */
	if (access(path, R_OK) != 0)
		return mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, noloc(), NULL, "HRTF file %s: %s", path, strerror(errno));
	int len = 0, e = 0;
	struct MYSOFA_EASY *easy = mysofa_open(path, (float)rate, &len, &e);
	if (!easy || e != MYSOFA_OK)
		return mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, noloc(), NULL, "HRTF file %s: %s", path, sofa_reason(e));
	/* mysofa_open resamples to `rate`; make sure it did. */
	const struct MYSOFA_ARRAY *sr = &easy->hrtf->DataSamplingRate;
	if (sr->elements < 1 || fabs(sr->values[0] - rate) > 0.5 || len <= 0 || len > 65536) {
		mysofa_close(easy);
		return mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, noloc(), NULL,
				"HRTF file %s: could not resample the set to %g Hz", path, rate);
	}
	mxd_hrtf *h = calloc(1, sizeof *h);
	size_t pts = (size_t)N_EL * N_AZ;
	if (h) {
		h->rate = rate;
		h->len = (uint32_t)len;
		h->ir = malloc(sizeof(float) * pts * 2 * (size_t)len);
		h->delay = malloc(sizeof(double) * pts * 2);
	}
	if (!h || !h->ir || !h->delay) {
		mysofa_close(easy);
		mxd_hrtf_free(h);
		return mxd_fail(err, MIXDOWN_ERR_NOMEM, NULL, noloc(), NULL, "HRTF file %s: out of memory", path);
	}
	for (int ie = 0; ie < N_EL; ie++)
		for (int ia = 0; ia < N_AZ; ia++) {
			size_t p = (size_t)ie * N_AZ + (size_t)ia;
			/* SOFA spherical: azimuth counter-clockwise (negate ours), elevation, radius. */
			float c[3] = { -(float)(ia * MXD_HRTF_GRID_STEP), (float)(ie * MXD_HRTF_GRID_STEP - 90), 1.0f };
			mysofa_s2c(c);
			float dl = 0.0f, dr = 0.0f;
			mysofa_getfilter_float(easy, c[0], c[1], c[2], h->ir + (p * 2) * (size_t)len,
					       h->ir + (p * 2 + 1) * (size_t)len, &dl, &dr);
			/* getfilter returns the delays in seconds. */
			h->delay[p * 2] = isfinite(dl) && dl > 0 ? dl * rate : 0.0;
			h->delay[p * 2 + 1] = isfinite(dr) && dr > 0 ? dr * rate : 0.0;
			h->max_delay = fmax(h->max_delay, fmax(h->delay[p * 2], h->delay[p * 2 + 1]));
		}
	mysofa_close(easy);
	size_t n = pts * 2 * (size_t)len;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(h->ir[i])) {
			mxd_hrtf_free(h);
			return mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, noloc(), NULL,
					"HRTF file %s: the impulse responses contain NaN or infinity", path);
		}
	*out = h;
	return MIXDOWN_SUCCESS;
}
#else
mixdown_status mxd_hrtf_load(const char *path, double rate, mxd_hrtf **out, mixdown_error *err)
{
	(void)rate;
	*out = NULL;
	if (!path)
		path = MXD_HRTF_DEFAULT_FILE;
	return mxd_fail(err, MIXDOWN_ERR_AUDIO, NULL, (mxd_loc){ 0, 0 }, NULL,
			"HRTF file %s: this mixdown was built without libmysofa (install libmysofa-dev and rebuild)",
			path);
}
#endif

void mxd_hrtf_lookup(const mxd_hrtf *h, double azimuth_deg, double elevation_deg, float *ir_l, float *ir_r,
		     double *delay_l, double *delay_r)
{
	double az = fmod(azimuth_deg, 360.0);
	if (!isfinite(az))
		az = 0.0;
	if (az < 0.0)
		az += 360.0;
	double el = isfinite(elevation_deg) ? fmin(90.0, fmax(-90.0, elevation_deg)) : 0.0;
	double fa = az / MXD_HRTF_GRID_STEP, fe = (el + 90.0) / MXD_HRTF_GRID_STEP;
	int a0 = (int)floor(fa), e0 = (int)floor(fe);
	double wa = fa - a0, we = fe - e0;
	if (e0 >= N_EL - 1) {
		e0 = N_EL - 2;
		we = 1.0;
	}
	a0 %= N_AZ;
	int a1 = (a0 + 1) % N_AZ;
	size_t p[4] = { (size_t)e0 * N_AZ + (size_t)a0, (size_t)e0 * N_AZ + (size_t)a1,
			(size_t)(e0 + 1) * N_AZ + (size_t)a0, (size_t)(e0 + 1) * N_AZ + (size_t)a1 };
	float w[4] = { (float)((1 - wa) * (1 - we)), (float)(wa * (1 - we)), (float)((1 - wa) * we),
		       (float)(wa * we) };
	size_t len = h->len;
	for (int ear = 0; ear < 2; ear++) {
		float *dst = ear ? ir_r : ir_l;
		const float *s0 = h->ir + (p[0] * 2 + (size_t)ear) * len, *s1 = h->ir + (p[1] * 2 + (size_t)ear) * len;
		const float *s2 = h->ir + (p[2] * 2 + (size_t)ear) * len, *s3 = h->ir + (p[3] * 2 + (size_t)ear) * len;
		for (size_t i = 0; i < len; i++)
			dst[i] = w[0] * s0[i] + w[1] * s1[i] + w[2] * s2[i] + w[3] * s3[i];
		double d = 0.0;
		for (int k = 0; k < 4; k++)
			d += w[k] * h->delay[p[k] * 2 + (size_t)ear];
		if (ear ? (delay_r != NULL) : (delay_l != NULL))
			*(ear ? delay_r : delay_l) = d;
	}
}
