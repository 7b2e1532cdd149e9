/* mixdown bench — mixeval: running mean, MAPE, silence trim, peak normalisation, metric names.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Definitions from the mix-evaluation suite (../shared/docs/mixing-knowledge.md §2.1):
 *  - running mean over the previous 40 frames, "valid" mode (n - 40 + 1 values);
 *  - MAPE as in scikit-learn's mean_absolute_percentage_error with the target as y_true:
 *    mean(|t - o| / max(|t|, DBL_EPSILON));
 *  - silence trim of the target as librosa.effects.trim(top_db = 45, frame 4096, hop 1024):
 *    RMS of the channel mean in centred, zero-padded frames; a frame is non-silent when its power
 *    is within 45 dB of the loudest frame; the kept range runs from the first non-silent frame's
 *    centre to the last one's centre + hop. The output mix is cut to the same sample range.
 *  - peak normalisation to -1 dBFS (pyloudnorm.normalize.peak) before spectral, panning, dynamics.
 * Units as in mixeval.h. Ownership: no allocation survives a call. Threads: any.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "mixeval.h"

static const struct {
	const char *name, *unit;
	int group;
} metric_info[MXE_N_METRICS] = {
	[MXE_LUFS] = { "lufs", "LUFS", MXE_G_LOUDNESS },
	[MXE_PEAK] = { "peak", "dBFS", MXE_G_LOUDNESS },
	[MXE_CENTROID] = { "centroid", "Hz", MXE_G_SPECTRAL },
	[MXE_BANDWIDTH] = { "bandwidth", "Hz", MXE_G_SPECTRAL },
	[MXE_CONTRAST_LOW] = { "contrast_lows", "dB", MXE_G_SPECTRAL },
	[MXE_CONTRAST_MID] = { "contrast_mids", "dB", MXE_G_SPECTRAL },
	[MXE_CONTRAST_HIGH] = { "contrast_highs", "dB", MXE_G_SPECTRAL },
	[MXE_ROLLOFF] = { "rolloff", "Hz", MXE_G_SPECTRAL },
	[MXE_FLATNESS] = { "flatness", "dB", MXE_G_SPECTRAL },
	[MXE_PAN_TOTAL] = { "panning_rms_total", "", MXE_G_PANNING },
	[MXE_PAN_LOW] = { "panning_rms_lows", "", MXE_G_PANNING },
	[MXE_PAN_MID] = { "panning_rms_mids", "", MXE_G_PANNING },
	[MXE_PAN_HIGH] = { "panning_rms_highs", "", MXE_G_PANNING },
	[MXE_RMS] = { "rms_level", "1-dB", MXE_G_DYNAMICS },
	[MXE_SPREAD] = { "dynamic_spread", "1-dB", MXE_G_DYNAMICS },
	[MXE_CREST] = { "crest_factor", "dB/dB", MXE_G_DYNAMICS },
};

static const char *const group_names[MXE_N_GROUPS] = { "loudness", "spectral", "panning", "dynamics" };

const char *mxe_metric_name(int metric) { return metric_info[metric].name; }
const char *mxe_metric_unit(int metric) { return metric_info[metric].unit; }
int mxe_metric_group(int metric) { return metric_info[metric].group; }
const char *mxe_group_name(int group) { return group_names[group]; }

double mxe_mean(const double *x, size_t n)
{
	if (n == 0)
		return NAN;
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += x[i];
	return s / (double)n;
}

size_t mxe_running_mean(const double *x, size_t n, size_t n_win, double *out)
{
	if (n == 0)
		return 0;
	if (n < n_win) { /* the suite would return nothing; one mean keeps short excerpts usable */
		out[0] = mxe_mean(x, n);
		return 1;
	}
	/* Direct sums per window (not a running cumsum) so equal inputs give bit-equal outputs. */
	size_t m = n - n_win + 1;
	for (size_t i = 0; i < m; i++) {
		double s = 0;
		for (size_t j = 0; j < n_win; j++)
			s += x[i + j];
		out[i] = s / (double)n_win;
	}
	return m;
}

double mxe_mape(const double *tar, const double *out, size_t n)
{
	if (n == 0)
		return NAN;
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += fabs(tar[i] - out[i]) / fmax(fabs(tar[i]), DBL_EPSILON);
	return s / (double)n;
}

double mxe_mape_running(const double *tar, const double *out, size_t n)
{
	if (n == 0)
		return NAN;
	double *mt = malloc(n * sizeof *mt), *mo = malloc(n * sizeof *mo);
	double r = NAN;
	if (mt && mo) {
		size_t m = mxe_running_mean(tar, n, MXE_RUNNING_N, mt);
		mxe_running_mean(out, n, MXE_RUNNING_N, mo);
		r = mxe_mape(mt, mo, m);
	}
	free(mt);
	free(mo);
	return r;
}

void mxe_trim_range(const mxe_audio *a, int64_t *start, int64_t *end)
{
	int64_t n = a->frames;
	*start = 0;
	*end = n;
	if (n <= 0)
		return;
	/* Prefix sums of the squared channel mean: each centred frame's energy in O(1). */
	double *cum = malloc((size_t)(n + 1) * sizeof *cum);
	if (!cum)
		return;
	cum[0] = 0;
	for (int64_t i = 0; i < n; i++) {
		double m = 0;
		for (int c = 0; c < a->channels; c++)
			m += a->x[i * a->channels + c];
		m /= a->channels;
		cum[i + 1] = cum[i] + m * m;
	}
	int64_t nf = 1 + n / MXE_TRIM_HOP;
	double *p = malloc((size_t)nf * sizeof *p);
	if (!p) {
		free(cum);
		return;
	}
	double pmax = 0;
	for (int64_t f = 0; f < nf; f++) {
		int64_t lo = f * MXE_TRIM_HOP - MXE_TRIM_FRAME / 2, hi = lo + MXE_TRIM_FRAME;
		lo = lo < 0 ? 0 : lo;
		hi = hi > n ? n : hi;
		p[f] = hi > lo ? (cum[hi] - cum[lo]) / MXE_TRIM_FRAME : 0; /* zero padding counts */
		pmax = fmax(pmax, p[f]);
	}
	/* power_to_db(ref = max, amin = 1e-10): both sides floored at 1e-10 before comparing. */
	double ref_db = 10.0 * log10(fmax(pmax, 1e-10));
	int64_t first = -1, last = -1;
	for (int64_t f = 0; f < nf; f++) {
		if (10.0 * log10(fmax(p[f], 1e-10)) - ref_db > -MXE_TRIM_TOP_DB) {
			if (first < 0)
				first = f;
			last = f;
		}
	}
	if (first >= 0 && pmax > 0) {
		*start = first * MXE_TRIM_HOP;
		*end = (last + 1) * MXE_TRIM_HOP < n ? (last + 1) * MXE_TRIM_HOP : n;
	}
	free(p);
	free(cum);
}

double mxe_peak_norm_gain(const mxe_audio *a)
{
	double peak = 0;
	int64_t n = a->frames * a->channels;
	for (int64_t i = 0; i < n; i++)
		peak = fmax(peak, fabs((double)a->x[i]));
	return peak > 0 ? pow(10.0, MXE_PEAK_NORM_DB / 20.0) / peak : 1.0;
}
