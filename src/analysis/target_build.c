/* mixdown — a spectral target from reference analyses (`mixdown target build`).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Uses the analyses with a valid spectrum and a finite integrated loudness;
 * each contributes its band levels relative to its loudness (compare.c's
 * convention, mono files as if on two speakers). Per band, over the finite
 * values: median, 10th and 90th percentile, each interpolated linearly
 * between order statistics at rank h = (n - 1) p (0-based; Hyndman & Fan
 * 1996, definition 7, the default of R and NumPy), so ten analyses with
 * levels 0..9 give p10 0.9, median 4.5, p90 8.1. A band no analysis covers
 * (above every file's Nyquist frequency) is -INFINITY. Loudness (stereo
 * equivalent, as above), LRA and PLR are the medians of their finite values
 * (NAN when none).
 *
 * Units: dB, LUFS, LU. Allocates a scratch array of n doubles; the caller
 * owns `out`. Any thread.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "session/model.h"

static int cmp_double(const void *x, const void *y)
{
	const double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

/* v[0..n-1] sorted ascending, n >= 1. */
static double percentile(const double *v, size_t n, double p)
{
	const double h = (double)(n - 1) * p;
	const size_t i = (size_t)floor(h);
	return i + 1 < n ? v[i] + (h - (double)i) * (v[i + 1] - v[i]) : v[n - 1];
}

/* Median of the finite values (sorted in place after compaction); NAN if none. */
static double median_of(double *v, size_t n)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]))
			v[m++] = v[i];
	if (!m)
		return NAN;
	qsort(v, m, sizeof *v, cmp_double);
	return percentile(v, m, 0.5);
}

mixdown_status mixdown_target_build(const mixdown_analysis *const *a, size_t n, const char *name,
				    mixdown_target *out, mixdown_error *err)
{
	const mxd_loc none = { 0, 0 };
	if (!out || (n && !a))
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, none, NULL, "no analyses or no place for the target");
	memset(out, 0, sizeof *out);
	double *v = malloc((n ? n : 1) * sizeof *v);
	const mixdown_analysis **use = malloc((n ? n : 1) * sizeof *use);
	if (!v || !use) {
		free(v);
		free(use);
		return mxd_fail(err, MIXDOWN_ERR_NOMEM, NULL, none, NULL, "out of memory");
	}
	size_t m = 0;
	double rel[MIXDOWN_BANDS];
	for (size_t i = 0; i < n; i++)
		if (a[i] && mxd_relative_levels(a[i], rel) == 0)
			use[m++] = a[i];
	if (!m) {
		free(v);
		free(use);
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, none, NULL,
				"no analysis with a spectrum and a measurable loudness among the %zu given", n);
	}
	snprintf(out->name, sizeof out->name, "%s", name && name[0] ? name : "custom");
	snprintf(out->source, sizeof out->source,
		 "built by mixdown from %zu reference file%s: per band median and 10th/90th percentile of the level "
		 "relative to integrated loudness",
		 m, m == 1 ? "" : "s");
	out->n_files = m;
	for (size_t k = 0; k < MIXDOWN_BANDS; k++) {
		size_t c = 0;
		for (size_t i = 0; i < m; i++) {
			mxd_relative_levels(use[i], rel);
			if (isfinite(rel[k]))
				v[c++] = rel[k];
		}
		if (!c) {
			out->median[k] = out->p10[k] = out->p90[k] = -INFINITY;
			continue;
		}
		qsort(v, c, sizeof *v, cmp_double);
		out->p10[k] = percentile(v, c, 0.1);
		out->median[k] = percentile(v, c, 0.5);
		out->p90[k] = percentile(v, c, 0.9);
	}
	for (size_t i = 0; i < m; i++)
		v[i] = mxd_comparable_loudness(use[i]);
	out->loudness = median_of(v, m);
	for (size_t i = 0; i < m; i++)
		v[i] = use[i]->loudness.range;
	out->range = median_of(v, m);
	for (size_t i = 0; i < m; i++)
		v[i] = use[i]->dynamics.plr;
	out->plr = median_of(v, m);
	free(v);
	free(use);
	return MIXDOWN_SUCCESS;
}
