/* mixdown — the spectrum section of the file analysis: long-term band levels,
 * tonal balance, per-band stereo image and sibilance, streamed.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Frames: n = the smallest power of two with rate / n <= 12 Hz (4096 at
 * 44.1/48 kHz, 8192 at 96 kHz, 1024 at 8 kHz), periodic Hann window, hop n/2
 * (50 % overlap), real FFT (kissfft). Welch's method (P. D. Welch, IEEE Trans.
 * Audio Electroacoust. 15(2), 1967): the power per bin is averaged over all
 * full frames; a tail shorter than the hop is not analyzed, and a file shorter
 * than one frame has no spectrum (valid = false).
 *
 * Scaling: bin k of a frame contributes c_k |X_k|^2 with c_k = 2 / (n sum w^2)
 * (1 / (n sum w^2) at DC and Nyquist). By Parseval the bins then sum to the
 * mean square of the frame; dividing by sum w^2 (= 3n/8 for Hann, the window's
 * power gain) instead of (sum w)^2 is what makes a band sum read power rather
 * than a peak: a full-scale sine reads 10 log10(0.5) = -3.01 dBFS in its band.
 * "All channels pooled" is the mean over channels of the per-channel power;
 * LFE is not special-cased (it counts like any channel).
 *
 * Bands: bin k stands for [(k - 1/2) df, (k + 1/2) df] (clipped to 0 ..
 * Nyquist); a bin straddling a band edge is split in proportion to the
 * overlap. Below ~100 Hz the one-third-octave bands are narrower than a bin, so
 * neighbouring low bands share bins (their levels are smoothed, not wrong on
 * average).
 *  - level[b]: dBFS of the band power; -INFINITY above Nyquist or silent.
 *  - broad[]: dB of each broad band (20-250-2k-8k-Nyquist) over the total
 *    power 20 Hz .. Nyquist (their powers add up to the total).
 *  - tilt: least-squares slope of level[b] over log2(centre), bands with
 *    centres 50 Hz .. 16 kHz and a finite level (dB/octave; pink noise 0,
 *    white noise +3.01: one-third-octave band power grows with bandwidth).
 *  - centroid: power-weighted mean frequency of the bins 20 Hz .. Nyquist.
 * Stereo (channels 0 and 1; zeros for mono), per band, sums over frames and
 * over the band's bins:
 *  - correlation = sum Re(X_L X_R*) / sqrt(sum |X_L|^2 sum |X_R|^2).
 *  - pan: Stereo Panning Spectrum of G. Tzanetakis, R. Jones, K. McNally,
 *    "Stereo Panning Features for Classifying Recording Production Style",
 *    ISMIR 2007: SPS = (1 - phi) sign, phi = 2|X_L X_R*| / (|X_L|^2 + |X_R|^2),
 *    sign = sign(|X_R| - |X_L|) (the paper's sign of the difference of the
 *    two similarity ratios, taken in the limit so a one-sided bin is +-1):
 *    -1 = left, +1 = right. Averaged with weight |X_L|^2 + |X_R|^2, for which
 *    the product is (|X_R| - |X_L|) * | |X_R| - |X_L| |.
 *  - mono_drop = 10 log10((P_L + P_R) / 2) - 10 log10(P of (L + R) / 2), i.e.
 *    stereo power against the fold played on both speakers, as the file-level
 *    stereo.mono_drop counts it: 0 dB for L = R, 3.01 dB for a band on one side
 *    only, 3.01 dB for uncorrelated equal sides, at most 60 dB (L = -R).
 * Sibilance: per frame, s = 10 log10(P(5-10 kHz) / P(20 Hz .. Nyquist)) and
 * v = 10 log10 P(5-10 kHz). A frame is harsh when s >= S + 6 dB, S being the
 * file's long-term share (ratio of the summed powers), and v >= V - 20 dB, V
 * the level of the loudest frames (90th percentile of the frames' total
 * levels, 0.5 dB histogram): the 5-10 kHz burst must be loud next to the
 * programme, so clicks on a bass or kick track with no treble to speak of,
 * quiet passages and noise tails do not count. A constant-spectrum noise keeps
 * s within about 1 dB of S and never fires. Each harsh frame stands for the
 * hop centred on its centre; only runs of at least two consecutive harsh
 * frames count (about 90 ms: sibilants are sustained, while the crack of a
 * snare fills one frame); stretches closer than 100 ms merge (mxd_ranges);
 * count = harsh frames, peak = the largest s - S. S and V are known only at
 * the end, so frames are pre-selected while streaming: every frame with
 * 5-10 kHz content during the first 10 s, later those with s >= (share so
 * far) + 3 dB; at most MXD_SPEC_MAX_CAND (32768, 384 KiB) are kept, later ones
 * are lost.
 *
 * Memory: a few arrays of n/2 + 1 doubles and one frame per channel, whatever
 * the file's length (plus the capped candidate list). Units: dBFS, dB, Hz,
 * seconds. Ownership: the resonance and sibilance arrays move into the
 * mixdown_analysis. Threads: one mxd_spec per thread.
 */
#include <kiss_fftr.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"

#define SIB_LO 5000.0
#define SIB_HI 10000.0
#define SIB_SHARE_DB 6.0   /* harsh: 5-10 kHz share this far above the file's */
#define SIB_LEVEL_DB 20.0  /* ... and 5-10 kHz level within this of the loudest frames' level */
#define SIB_LOUD_PCT 0.90  /* "the loudest frames": this percentile of the frame levels */
#define HIST_LO_DB -200.0
#define SIB_PRESELECT_DB 3.0
#define SIB_WARMUP_S 10.0
#define SIB_GAP_S 0.1
#define SIB_MIN_FRAMES 2   /* consecutive harsh frames (85 ms at 48 kHz); one is a drum hit's crack */
#define MONO_DROP_MAX 60.0 /* dB: L = -R folds to nothing */
#define RES_MIN_FRAMES 32  /* fewer frames: the per-bin average is too noisy for 6 dB peaks */
#define RES_MAX 8

mxd_bin_range mxd_bin_range_of(double lo, double hi, double df, uint32_t bins)
{
	const double nyq = df * (bins - 1);
	mxd_bin_range r = { 0, 0, 0.0, 0.0 };
	if (lo < 0)
		lo = 0;
	if (hi > nyq)
		hi = nyq;
	if (!(hi > lo))
		return r;
	/* Bin k covers [(k - 1/2) df, (k + 1/2) df] clipped to [0, nyq]. */
	uint32_t k0 = (uint32_t)floor(lo / df + 0.5), k1 = (uint32_t)floor(hi / df + 0.5);
	if (k1 > bins - 1)
		k1 = bins - 1;
	if (k0 > k1)
		k0 = k1;
	double a0 = fmax(0.0, (k0 - 0.5) * df), b0 = fmin(nyq, (k0 + 0.5) * df);
	double a1 = fmax(0.0, (k1 - 0.5) * df), b1 = fmin(nyq, (k1 + 0.5) * df);
	r.k0 = k0;
	r.k1 = k1;
	if (k0 == k1) {
		r.w0 = (hi - lo) / (b0 - a0);
	} else {
		r.w0 = (b0 - lo) / (b0 - a0);
		r.w1 = (hi - a1) / (b1 - a1);
	}
	return r;
}

double mxd_bin_range_sum(const mxd_bin_range *r, const double *p)
{
	if (r->w0 == 0 && r->w1 == 0)
		return 0.0;
	if (r->k0 == r->k1)
		return r->w0 * p[r->k0];
	double s = r->w0 * p[r->k0] + r->w1 * p[r->k1];
	for (uint32_t k = r->k0 + 1; k < r->k1; k++)
		s += p[k];
	return s;
}

int mxd_spec_init(mxd_spec *s, double rate, uint32_t channels)
{
	memset(s, 0, sizeof *s);
	s->channels = channels;
	s->rate = rate;
	uint32_t n = 16;
	while (rate / n > 12.0)
		n *= 2;
	s->n = n;
	s->hop = n / 2;
	s->bins = n / 2 + 1;
	s->df = rate / n;
	s->warmup = (uint64_t)ceil(SIB_WARMUP_S * rate / s->hop);
	s->fft = kiss_fftr_alloc((int)n, 0, NULL, NULL);
	s->win = malloc(n * sizeof *s->win);
	s->in = calloc((size_t)channels * n, sizeof *s->in);
	s->tmp = malloc(n * sizeof *s->tmp);
	s->X = malloc(3 * (size_t)s->bins * sizeof(kiss_fft_cpx));
	s->scale = malloc(s->bins * sizeof *s->scale);
	s->pw = calloc(s->bins, sizeof *s->pw);
	s->fp = calloc(s->bins, sizeof *s->fp);
	if (!s->fft || !s->win || !s->in || !s->tmp || !s->X || !s->scale || !s->pw || !s->fp)
		return -1;
	if (channels >= 2) {
		s->pl = calloc(s->bins, sizeof *s->pl);
		s->pr = calloc(s->bins, sizeof *s->pr);
		s->plr = calloc(s->bins, sizeof *s->plr);
		s->pan = calloc(s->bins, sizeof *s->pan);
		if (!s->pl || !s->pr || !s->plr || !s->pan)
			return -1;
	}
	double w2 = 0;
	for (uint32_t i = 0; i < n; i++) {
		double w = 0.5 - 0.5 * cos(2.0 * M_PI * i / n); /* periodic Hann */
		s->win[i] = (float)w;
		w2 += (double)s->win[i] * s->win[i];
	}
	for (uint32_t k = 0; k < s->bins; k++)
		s->scale[k] = (k == 0 || k == n / 2 ? 1.0 : 2.0) / ((double)n * w2);
	s->sib_r = mxd_bin_range_of(SIB_LO, SIB_HI, s->df, s->bins);
	s->tot_r = mxd_bin_range_of(20.0, rate / 2, s->df, s->bins);
	return 0;
}

static int sib_candidate(mxd_spec *s, double sib, double tot)
{
	s->sib_sum += sib;
	s->tot_sum += tot;
	if (tot > 0) {
		int b = (int)floor((10.0 * log10(tot) - HIST_LO_DB) * 2.0);
		s->lvl_hist[b < 0 ? 0 : b >= MXD_SPEC_HIST ? MXD_SPEC_HIST - 1 : b]++;
	}
	if (!(sib > 0 && tot > 0) || s->n_cand >= MXD_SPEC_MAX_CAND)
		return 0;
	double share = 10.0 * log10(sib / tot), level = 10.0 * log10(sib);
	if (s->frames >= s->warmup && share < 10.0 * log10(s->sib_sum / s->tot_sum) + SIB_PRESELECT_DB)
		return 0;
	if (s->n_cand == s->cap_cand) {
		size_t cap = s->cap_cand ? 2 * s->cap_cand : 64;
		mxd_spec_cand *c = realloc(s->cand, cap * sizeof *c);
		if (!c)
			return -1;
		s->cand = c;
		s->cap_cand = cap;
	}
	s->cand[s->n_cand++] = (mxd_spec_cand){ (uint32_t)s->frames, (float)share, (float)level };
	return 0;
}

static int frame(mxd_spec *s)
{
	const uint32_t ch = s->channels, nb = s->bins, n = s->n;
	kiss_fft_cpx *X = s->X;
	double *fp = s->fp;
	memset(fp, 0, nb * sizeof *fp);
	for (uint32_t c = 0; c < ch; c++) {
		const float *in = s->in + (size_t)c * n;
		for (uint32_t i = 0; i < n; i++)
			s->tmp[i] = in[i] * s->win[i];
		kiss_fft_cpx *y = X + (size_t)(c < 2 ? c : 2) * nb;
		kiss_fftr(s->fft, s->tmp, y);
		for (uint32_t k = 0; k < nb; k++)
			fp[k] += (double)y[k].r * y[k].r + (double)y[k].i * y[k].i;
	}
	const double inv = 1.0 / ch;
	for (uint32_t k = 0; k < nb; k++) {
		fp[k] *= s->scale[k] * inv;
		s->pw[k] += fp[k];
	}
	if (ch >= 2) {
		const kiss_fft_cpx *L = X, *R = X + nb;
		for (uint32_t k = 0; k < nb; k++) {
			const double c = s->scale[k];
			double l2 = c * ((double)L[k].r * L[k].r + (double)L[k].i * L[k].i);
			double r2 = c * ((double)R[k].r * R[k].r + (double)R[k].i * R[k].i);
			/* (|R| - |L|) * ||R| - |L|| with one square root. */
			double d2 = fmax(0.0, l2 + r2 - 2.0 * sqrt(l2 * r2));
			s->pl[k] += l2;
			s->pr[k] += r2;
			s->plr[k] += c * ((double)L[k].r * R[k].r + (double)L[k].i * R[k].i);
			s->pan[k] += r2 >= l2 ? d2 : -d2;
		}
	}
	int rc = sib_candidate(s, mxd_bin_range_sum(&s->sib_r, fp), mxd_bin_range_sum(&s->tot_r, fp));
	s->frames++;
	/* 50 % overlap: the second half becomes the first. */
	for (uint32_t c = 0; c < ch; c++) {
		float *in = s->in + (size_t)c * n;
		memmove(in, in + s->hop, (size_t)(n - s->hop) * sizeof *in);
	}
	s->fill = n - s->hop;
	return rc;
}

int mxd_spec_add(mxd_spec *s, const float *x, size_t frames)
{
	const uint32_t ch = s->channels, n = s->n;
	int rc = 0;
	while (frames > 0) {
		size_t k = n - s->fill;
		if (k > frames)
			k = frames;
		for (uint32_t c = 0; c < ch; c++) {
			float *d = s->in + (size_t)c * n + s->fill;
			const float *src = x + c;
			for (size_t i = 0; i < k; i++)
				d[i] = src[i * ch];
		}
		s->fill += (uint32_t)k;
		x += k * ch;
		frames -= k;
		if (s->fill == n)
			rc |= frame(s);
	}
	return rc;
}

static double db_or_inf(double p)
{
	return p > 0 ? 10.0 * log10(p) : -INFINITY;
}

static void bands(mxd_spec *s, mixdown_analysis *a, double inv)
{
	const double nyq = s->rate / 2;
	for (size_t b = 0; b < MIXDOWN_BANDS; b++) {
		double lo, hi;
		mxd_band_edges(b, &lo, &hi);
		if (lo >= nyq)
			continue; /* stays -INFINITY / 0 */
		mxd_bin_range r = mxd_bin_range_of(lo, hi, s->df, s->bins);
		a->spectrum.level[b] = db_or_inf(mxd_bin_range_sum(&r, s->pw) * inv);
		if (s->channels < 2)
			continue;
		double pl = mxd_bin_range_sum(&r, s->pl), pr = mxd_bin_range_sum(&r, s->pr);
		double lr = mxd_bin_range_sum(&r, s->plr), pan = mxd_bin_range_sum(&r, s->pan);
		a->spectrum.correlation[b] = mxd_correlation(pl, pr, lr);
		a->spectrum.pan[b] = pl + pr > 0 ? fmax(-1.0, fmin(1.0, pan / (pl + pr))) : 0.0;
		double st = 0.5 * (pl + pr), mono = 0.25 * (pl + pr + 2.0 * lr);
		double drop = st <= 0 ? 0.0 : mono > 0 ? 10.0 * log10(st / mono) : MONO_DROP_MAX;
		a->spectrum.mono_drop[b] = fmax(0.0, fmin(MONO_DROP_MAX, drop));
	}
	const double edge[MIXDOWN_BROAD_BANDS + 1] = { 20.0, 250.0, 2000.0, 8000.0, nyq };
	double total = mxd_bin_range_sum(&s->tot_r, s->pw);
	for (int b = 0; b < MIXDOWN_BROAD_BANDS; b++) {
		mxd_bin_range r = mxd_bin_range_of(edge[b], edge[b + 1], s->df, s->bins);
		double p = edge[b] < nyq ? mxd_bin_range_sum(&r, s->pw) : 0.0;
		a->spectrum.broad[b] = total > 0 && p > 0 ? 10.0 * log10(p / total) : -INFINITY;
	}
	/* Least-squares line through (log2 f, level), 50 Hz .. 16 kHz. */
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	int m = 0;
	for (size_t b = 0; b < MIXDOWN_BANDS; b++) {
		double f = mixdown_band_centre(b), y = a->spectrum.level[b];
		if (f < 50.0 || f > 16000.0 || !isfinite(y))
			continue;
		double x = log2(f);
		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
		m++;
	}
	double den = m * sxx - sx * sx;
	a->spectrum.tilt = m >= 2 && den > 0 ? (m * sxy - sx * sy) / den : NAN;
	/* Centroid over the bins 20 Hz .. Nyquist, edge bins weighted as in the sums. */
	double num = 0, sum = 0;
	const mxd_bin_range *t = &s->tot_r;
	for (uint32_t k = t->k0; k <= t->k1; k++) {
		double w = k == t->k0 ? t->w0 : k == t->k1 ? t->w1 : 1.0;
		num += w * s->pw[k] * k * s->df;
		sum += w * s->pw[k];
	}
	a->spectrum.centroid = sum > 0 ? num / sum : NAN;
}

static int sibilance(mxd_spec *s, mixdown_analysis *a)
{
	mxd_ranges r = { .gap = SIB_GAP_S };
	if (!(s->sib_sum > 0 && s->tot_sum > 0))
		return 0;
	uint64_t total = 0, acc = 0;
	for (int b = 0; b < MXD_SPEC_HIST; b++)
		total += s->lvl_hist[b];
	double V = HIST_LO_DB;
	for (int b = 0; b < MXD_SPEC_HIST; b++) {
		acc += s->lvl_hist[b];
		if ((double)acc >= SIB_LOUD_PCT * (double)total) {
			V = HIST_LO_DB + 0.5 * (b + 0.5);
			break;
		}
	}
	const double S = 10.0 * log10(s->sib_sum / s->tot_sum);
	const uint32_t mask = s->channels >= 32 ? 0xffffffffu : (1u << s->channels) - 1u;
	const double half = 0.5 * s->hop / s->rate;
	/* Runs of consecutive harsh frames; a run of one frame is a transient. */
	size_t i = 0;
	while (i < s->n_cand) {
		const mxd_spec_cand *c = &s->cand[i];
		if (c->share - S < SIB_SHARE_DB || c->level < V - SIB_LEVEL_DB) {
			i++;
			continue;
		}
		size_t j = i + 1;
		double peak = c->share - S;
		while (j < s->n_cand && s->cand[j].frame == s->cand[j - 1].frame + 1 &&
		       s->cand[j].share - S >= SIB_SHARE_DB && s->cand[j].level >= V - SIB_LEVEL_DB) {
			peak = fmax(peak, s->cand[j].share - S);
			j++;
		}
		if (j - i >= SIB_MIN_FRAMES) {
			double t0 = ((double)c->frame * s->hop + 0.5 * s->n) / s->rate - half;
			double t1 = ((double)s->cand[j - 1].frame * s->hop + 0.5 * s->n) / s->rate + half;
			if (mxd_ranges_add(&r, t0, t1, mask, j - i, peak, 1)) {
				free(r.v);
				return -1;
			}
		}
		i = j;
	}
	a->spectrum.sibilance = r.v;
	a->spectrum.n_sibilance = r.n;
	if (!r.n)
		return 0;
	size_t w = 0;
	for (size_t i = 1; i < r.n; i++)
		if (r.v[i].peak > r.v[w].peak)
			w = i;
	return mxd_prob_message(a, "harsh sibilance: %zu stretch%s, worst at %.1f s (%+.1f dB in 5-10 kHz)", r.n,
				r.n == 1 ? "" : "es", r.v[w].start, r.v[w].peak);
}

int mxd_spec_finish(mxd_spec *s, mixdown_analysis *a)
{
	for (size_t b = 0; b < MIXDOWN_BANDS; b++) {
		a->spectrum.level[b] = -INFINITY;
		a->spectrum.pan[b] = a->spectrum.correlation[b] = a->spectrum.mono_drop[b] = 0.0;
	}
	for (int b = 0; b < MIXDOWN_BROAD_BANDS; b++)
		a->spectrum.broad[b] = -INFINITY;
	a->spectrum.tilt = a->spectrum.centroid = NAN;
	a->spectrum.n_resonances = a->spectrum.n_sibilance = 0;
	a->spectrum.resonances = NULL;
	a->spectrum.sibilance = NULL;
	a->spectrum.valid = s->frames > 0;
	if (!a->spectrum.valid)
		return 0;
	const double inv = 1.0 / (double)s->frames;
	bands(s, a, inv);
	if (s->frames >= RES_MIN_FRAMES) {
		/* Reuse fp (scratch after the last frame) for the dB spectrum. */
		for (uint32_t k = 0; k < s->bins; k++)
			s->fp[k] = 10.0 * log10(fmax(s->pw[k] * inv, 1e-30));
		mixdown_resonance *res = malloc(RES_MAX * sizeof *res);
		if (!res)
			return -1;
		int n = mxd_spec_resonances(s->fp, s->bins, s->df, res, RES_MAX);
		if (n <= 0) {
			free(res);
			if (n < 0)
				return -1;
		} else {
			a->spectrum.resonances = res;
			a->spectrum.n_resonances = (size_t)n;
		}
	}
	return sibilance(s, a);
}

void mxd_spec_free(mxd_spec *s)
{
	if (s->fft)
		kiss_fftr_free(s->fft);
	free(s->win);
	free(s->in);
	free(s->tmp);
	free(s->X);
	free(s->scale);
	free(s->pw);
	free(s->fp);
	free(s->pl);
	free(s->pr);
	free(s->plr);
	free(s->pan);
	free(s->cand);
	memset(s, 0, sizeof *s);
}
