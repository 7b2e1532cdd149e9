/* mixdown — DC offset and GCC-PHAT alignment (see align.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * C. H. Knapp and G. C. Carter, "The generalized correlation method for
 * estimation of time delay", IEEE Trans. ASSP 24(4), 1976: the PHAT weight
 * 1/|G| keeps only the phase of the cross-spectrum G = X conj(R), whose
 * inverse transform is a peak at the delay for any common source spectrum.
 * Both signals are zero-padded to M >= n_ref + n_x so the correlation is
 * linear (no wrap-around). Sub-sample: the weighted spectrum is evaluated as
 * a band-limited function of the lag (a direct sum over the bins), every
 * 1/16 sample within +-1 sample of the integer peak; a parabola through the
 * best three points gives the fraction (its own error at 1/16 sample spacing
 * is below 1e-3 samples for the sinc-like peak). Which integer peak is the
 * direct path (first arrival, lag-0 crosstalk) is decided on the integer-lag
 * correlation, as documented in align.h and docs/clean.md. Control thread;
 * allocates.
 */
#include "edit/align.h"

#include <kiss_fftr.h>
#include <math.h>
#include <stdlib.h>

#define BAND_LO_HZ 40.0
#define BAND_HI_FRAC 0.45 /* of the rate: above, resampled or band-limited files hold no signal */
#define FINE_STEPS 16
/* First arrival: a peak earlier than the strongest one (nearer lag 0, same
 * side, same sign, at most FIRST_ARRIVAL_MS before it) is taken when it is at
 * least this fraction of the strongest. The window covers reflections off
 * the floor and nearby surfaces (1.2 ms in the Dagstuhl ChoirSet) and stays
 * short of the previous pitch period of a sustained voice (3 ms for an alto
 * at 330 Hz), which correlates as well as the direct path. */
#define FIRST_ARRIVAL_FRAC 0.7
#define FIRST_ARRIVAL_MS 1.5
/* Crosstalk (an electrical component common to both signals, coherent at lag
 * 0): lags within XT_GUARD_MS of 0 are set aside when the strongest peak lies
 * there, lag 0 holds at least XT_LAG0_FRAC of it (a true delay's side lobe at
 * 0 is a few per cent of its peak), and beyond the guard there is a peak of
 * at least XT_ALT_FRAC of it (0.24..0.5 in the Dagstuhl files; a clean aligned
 * pair's side lobes beyond 1 ms are below 0.01) and XT_MIN_CONTRAST times the
 * RMS there. Crosstalk that passed the converters' anti-aliasing and
 * resampling filters rings for a few samples either side of 0 (up to +-10
 * samples at 22.05 kHz in the Dagstuhl files), hence a guard, not one lag. */
#define XT_GUARD_MS 1.0
#define XT_LAG0_FRAC 0.5
#define XT_ALT_FRAC 0.15
#define XT_MIN_CONTRAST 5.0

void mxd_dc_measure(const float *const *ch, uint32_t channels, int64_t frames, double *dc)
{
	for (uint32_t c = 0; c < channels; c++) {
		double s = 0.0;
		for (int64_t i = 0; i < frames; i++)
			s += ch[c][i];
		dc[c] = frames > 0 ? s / (double)frames : 0.0;
	}
}

/* The weighted correlation at lag tau (samples), from bins [k0, k1]. */
static double corr_at(const double *wr, const double *wi, size_t k0, size_t k1, size_t m, double tau)
{
	double w = 2.0 * M_PI * tau / (double)m;
	double cr = cos(w), ci = sin(w);
	double zr = cos(w * (double)k0), zi = sin(w * (double)k0), s = 0.0;
	for (size_t k = k0; k <= k1; k++) {
		double a = (k == 0 || k == m / 2) ? 1.0 : 2.0;
		s += a * (wr[k] * zr - wi[k] * zi);
		double t = zr * cr - zi * ci;
		zi = zr * ci + zi * cr;
		zr = t;
		if ((k & 1023) == 1023) { /* re-anchor the rotation against rounding drift */
			zr = cos(w * (double)(k + 1));
			zi = sin(w * (double)(k + 1));
		}
	}
	return s;
}

static double at_lag(const kiss_fft_scalar *c, size_t m, int64_t l)
{
	return c[l >= 0 ? (size_t)l : m - (size_t)(-l)];
}

/* The integer lag of the direct path within +-lag, leaving out |l| < guard:
 * the strongest local maximum of |c|, or the earliest one (nearest 0 on the
 * same side, same sign, within `window` samples before it) of at least
 * FIRST_ARRIVAL_FRAC of its height (the
 * sign test keeps the strongest peak's own negative side lobes out). The direct sound
 * reaches a distant mic before its reflections (precedence); in a short
 * excerpt of a sustained vowel a reflection can correlate a few per cent
 * better than the direct path, but never arrives first. */
static int64_t pick_peak(const kiss_fft_scalar *c, size_t m, int64_t lag, double guard, double window)
{
	int64_t best = 0;
	double bv = -1.0;
	for (int64_t l = -lag; l <= lag; l++) {
		double v = fabs(at_lag(c, m, l));
		if (v > bv && fabs((double)l) >= guard) {
			bv = v;
			best = l;
		}
	}
	if (bv <= 0.0 || best == 0)
		return best;
	int64_t dir = best > 0 ? 1 : -1;
	bool neg = at_lag(c, m, best) < 0;
	int64_t from = best - dir * (int64_t)floor(window);
	if (from * dir <= 0)
		from = dir;
	for (int64_t l = from; l != best; l += dir) {
		if (fabs((double)l) < guard || llabs(l) >= lag)
			continue;
		if ((at_lag(c, m, l) < 0) != neg)
			continue;
		double v = fabs(at_lag(c, m, l));
		if (v >= FIRST_ARRIVAL_FRAC * bv && v >= fabs(at_lag(c, m, l - 1)) && v >= fabs(at_lag(c, m, l + 1)))
			return l;
	}
	return best;
}

int mxd_align_measure(const float *ref, int64_t n_ref, const float *x, int64_t n_x, double rate, double max_lag,
		      double min_lag, mxd_align_result *out)
{
	*out = (mxd_align_result){ 0 };
	if (n_ref <= 0 || n_x <= 0 || !(rate > 0))
		return -1;
	if (!(max_lag > 0))
		max_lag = MXD_ALIGN_MAX_MS * rate / 1000.0;
	size_t m = 2;
	while (m < (size_t)(n_ref + n_x))
		m *= 2;
	size_t bins = m / 2 + 1;
	int64_t lag = (int64_t)floor(max_lag);
	if (lag > (int64_t)(m / 2) - 2)
		lag = (int64_t)(m / 2) - 2;
	kiss_fft_scalar *buf = calloc(m, sizeof *buf);
	kiss_fft_cpx *fr = malloc(bins * sizeof *fr), *fx = malloc(bins * sizeof *fx);
	double *wr = calloc(bins, sizeof *wr), *wi = calloc(bins, sizeof *wi);
	kiss_fftr_cfg fwd = kiss_fftr_alloc((int)m, 0, NULL, NULL), inv = kiss_fftr_alloc((int)m, 1, NULL, NULL);
	int rc = -1;
	if (!buf || !fr || !fx || !wr || !wi || !fwd || !inv)
		goto done;
	for (int64_t i = 0; i < n_ref; i++)
		buf[i] = ref[i];
	kiss_fftr(fwd, buf, fr);
	for (size_t i = 0; i < m; i++)
		buf[i] = i < (size_t)n_x ? x[i] : 0.0f;
	kiss_fftr(fwd, buf, fx);
	size_t k0 = (size_t)ceil(BAND_LO_HZ * (double)m / rate), k1 = (size_t)floor(BAND_HI_FRAC * (double)m);
	if (k0 < 1)
		k0 = 1;
	if (k1 > m / 2)
		k1 = m / 2;
	double norm = 0.0;
	for (size_t k = k0; k <= k1; k++) {
		double gr = (double)fx[k].r * fr[k].r + (double)fx[k].i * fr[k].i;
		double gi = (double)fx[k].i * fr[k].r - (double)fx[k].r * fr[k].i;
		double mag = hypot(gr, gi);
		if (mag > 1e-30) {
			wr[k] = gr / mag;
			wi[k] = gi / mag;
			norm += k == m / 2 ? 1.0 : 2.0;
		}
	}
	if (norm == 0.0)
		goto done;
	/* The integer-lag correlation by the inverse transform. */
	for (size_t k = 0; k < bins; k++)
		fx[k] = (kiss_fft_cpx){ (kiss_fft_scalar)wr[k], (kiss_fft_scalar)wi[k] };
	kiss_fftri(inv, fx, buf);
	double ss = 0.0;
	for (int64_t l = -lag; l <= lag; l++)
		ss += at_lag(buf, m, l) * at_lag(buf, m, l);
	double rms = sqrt(ss / (double)(2 * lag + 1));
	double guard = min_lag > 0 ? min_lag : 0.0;
	int64_t best = pick_peak(buf, m, lag, guard, FIRST_ARRIVAL_MS * rate / 1000.0);
	double xt = XT_GUARD_MS * rate / 1000.0;
	if (min_lag == 0.0 && fabs((double)best) < xt &&
	    fabs(at_lag(buf, m, 0)) >= XT_LAG0_FRAC * fabs(at_lag(buf, m, best))) {
		/* The strongest peak may be electrical crosstalk (see align.h): look
		 * past its cluster; keep it unless a clear acoustic peak is there. */
		int64_t alt = pick_peak(buf, m, lag, xt, FIRST_ARRIVAL_MS * rate / 1000.0);
		double so = 0.0;
		int64_t no = 0;
		for (int64_t l = -lag; l <= lag; l++)
			if (fabs((double)l) >= xt) {
				so += at_lag(buf, m, l) * at_lag(buf, m, l);
				no++;
			}
		double rms_out = no > 0 ? sqrt(so / (double)no) : 0.0;
		double av = fabs(at_lag(buf, m, alt));
		if (rms_out > 0 && av / rms_out >= XT_MIN_CONTRAST && av >= XT_ALT_FRAC * fabs(at_lag(buf, m, best))) {
			best = alt;
			out->crosstalk = true;
			guard = xt;
			rms = rms_out;
		}
	}
	double bv = at_lag(buf, m, best);
	double min_fine = guard;
	double sign = bv < 0 ? -1.0 : 1.0;
	double fine[2 * FINE_STEPS + 1];
	int bi = FINE_STEPS;
	for (int i = 0; i <= 2 * FINE_STEPS; i++) {
		fine[i] = sign * corr_at(wr, wi, k0, k1, m, (double)best + (double)(i - FINE_STEPS) / FINE_STEPS);
		if (fine[i] > fine[bi] && fabs((double)best + (double)(i - FINE_STEPS) / FINE_STEPS) >= min_fine)
			bi = i;
	}
	double frac = 0.0;
	if (bi > 0 && bi < 2 * FINE_STEPS) {
		double a = fine[bi - 1], b = fine[bi], c = fine[bi + 1], den = a - 2.0 * b + c;
		if (den < 0.0)
			frac = 0.5 * (a - c) / den;
	}
	out->offset = (double)best + ((double)(bi - FINE_STEPS) + frac) / FINE_STEPS;
	out->inverted = sign < 0;
	out->peak = fine[bi] / norm;
	out->contrast = rms > 0 ? fabs(bv) / rms : 0.0;
	rc = 0;
done:
	free(buf);
	free(fr);
	free(fx);
	free(wr);
	free(wi);
	kiss_fftr_free(fwd);
	kiss_fftr_free(inv);
	return rc;
}
