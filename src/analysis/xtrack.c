/* mixdown — relations between the tracks of one mix: time alignment and
 * polarity of tracks that carry the same source, and frequency masking.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The tracks are fed side by side (same rate, same timeline). Each track is
 * cut into Hann-windowed frames of L samples (L = the power of two >= 0.17 s,
 * 4096 at 22.05 kHz, 8192 at 44.1/48 kHz), hop L/2, zero-padded to 2L so the
 * spectrum products below are linear, not circular, correlations.
 *
 * Alignment: per pair the cross-spectrum conj(A)B and the two power spectra
 * are summed over frames (Welch's method) between 40 Hz and 8 kHz (the band
 * where multi-mic bleed is coherent; it also bounds the work per pair). The
 * inverse FFT gives sum_n a(n) b(n + tau); dividing by the window's own
 * autocorrelation at tau and by sqrt(Paa Pbb) gives the normalized
 * cross-correlation rho(tau). Its largest |rho| within +-min(L/2, 100 ms)
 * gives the offset (parabolic interpolation between lags) and the polarity
 * (sign). Pairs with |rho| >= MXD_XT_MIN_CORR are reported.
 *
 * Masking: per frame and one-third-octave band (bands.c) the band power of
 * every track per channel (channels 0 and 1; a mono track counts for both).
 * For an ordered pair (masked M, masker K), a band counts in a frame when both
 * tracks play (frame power above -55 dBFS) and the band carries M's content
 * (within 20 dB of M's strongest band in that frame). Its excess is K's band
 * level over M's in the channel where K's lead is smaller (the listener hears
 * the better side, so panning apart reduces masking: Wakefield & Dewey, AES
 * 138, 2015), clamped to +-30 dB. The reported region is the octave (three
 * adjacent bands) with the largest mean excess among bands that count in at
 * least 30% of the frames both tracks play.
 *
 * Memory: per pair one spectrum of L/2 doubles-pairs at most (8 kHz band),
 * per ordered pair 2 x MIXDOWN_BANDS doubles; independent of length.
 * Threads: one instance per thread; not for the audio thread (allocates).
 */
#include <kiss_fftr.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"

#define MXD_XT_MIN_CORR 0.3     /* report pairs at least this correlated */
#define MXD_XT_ACTIVE_DB -55.0  /* frame power (dBFS, mean square) for "plays" */
#define MXD_XT_PRESENT_DB 20.0  /* band within this of the frame's strongest band */
#define MXD_XT_MIN_SHARE 0.3    /* band counts in at least this share of co-active frames */
#define MXD_XT_REPORT_DB 3.0    /* masking reported from this excess on */
#define MXD_XT_MIN_OVERLAP 0.2  /* ... when both play at least this share of the masked track's time */
#define MXD_XT_MAX_MASKING 64
#define MXD_XT_SAME_SOURCE 0.5  /* pairs this correlated are one source: no masking between them */

typedef struct {
	double *cross_re, *cross_im; /* bins lo..hi of sum conj(A) B */
	double paa, pbb;             /* band-limited energies */
} xt_pair;

typedef struct {
	double sum[MIXDOWN_BANDS];
	uint32_t cnt[MIXDOWN_BANDS];
	uint64_t coactive;
} xt_mask;

struct mxd_xtrack {
	size_t n;              /* tracks */
	const uint32_t *ch;    /* channels per track (borrowed from the caller for the lifetime) */
	double rate;
	size_t L, N, bins;     /* frame, FFT size (2L), bins (N/2+1) */
	size_t lo, hi;         /* correlated bin range [lo, hi) */
	size_t fill;           /* samples in the frame buffers */
	double *win;           /* L */
	float **frame;         /* per track x (2 channels + mono) x L: sliding input */
	kiss_fftr_cfg fwd, inv;
	kiss_fft_scalar *time; /* N */
	kiss_fft_cpx **spec;   /* per track: mono spectrum, bins */
	kiss_fft_cpx *cspec;   /* scratch, one channel */
	double *bandp;         /* per track x 2 channels x bands: this frame */
	double *frame_pow;     /* per track: this frame's mean square */
	uint64_t *active;      /* per track: frames it plays */
	xt_pair *pairs;        /* n(n-1)/2, i < j */
	xt_mask *mask;         /* n x n, [masked * n + masker] */
	int *band_of_bin;      /* bins: band index or -1 */
	double *wac;           /* L/2+1: window autocorrelation, 1 at lag 0 */
	uint64_t frames;
};

static void frame_fft(mxd_xtrack *x, const float *s, kiss_fft_cpx *out);
static int window_autocorrelation(mxd_xtrack *x);

static size_t pair_index(size_t n, size_t i, size_t j) /* i < j */
{
	return i * n - i * (i + 1) / 2 + (j - i - 1);
}

void mxd_xtrack_free(mxd_xtrack *x)
{
	if (!x)
		return;
	if (x->pairs)
		for (size_t p = 0; p < x->n * (x->n - 1) / 2; p++) {
			free(x->pairs[p].cross_re);
			free(x->pairs[p].cross_im);
		}
	if (x->frame)
		for (size_t t = 0; t < x->n; t++)
			free(x->frame[t]);
	if (x->spec)
		for (size_t t = 0; t < x->n; t++)
			free(x->spec[t]);
	free(x->pairs);
	free(x->mask);
	free(x->frame);
	free(x->spec);
	free(x->cspec);
	free(x->win);
	free(x->time);
	free(x->bandp);
	free(x->frame_pow);
	free(x->active);
	free(x->band_of_bin);
	free(x->wac);
	kiss_fftr_free(x->fwd);
	kiss_fftr_free(x->inv);
	free(x);
}

mxd_xtrack *mxd_xtrack_new(double rate, size_t n, const uint32_t *channels)
{
	if (n < 2 || n > MXD_XT_MAX_TRACKS || !(rate > 0))
		return NULL;
	mxd_xtrack *x = calloc(1, sizeof *x);
	if (!x)
		return NULL;
	x->n = n;
	x->ch = channels;
	x->rate = rate;
	x->L = 1024;
	while ((double)x->L < 0.17 * rate)
		x->L *= 2;
	x->N = 2 * x->L;
	x->bins = x->N / 2 + 1;
	x->lo = (size_t)ceil(40.0 * (double)x->N / rate);
	x->hi = (size_t)floor(fmin(8000.0, rate / 2) * (double)x->N / rate) + 1;
	if (x->hi > x->bins)
		x->hi = x->bins;
	if (x->lo >= x->hi)
		x->lo = 1;
	const size_t np = n * (n - 1) / 2, nb = x->hi - x->lo;
	x->win = malloc(x->L * sizeof *x->win);
	x->frame = calloc(n, sizeof *x->frame);
	x->spec = calloc(n, sizeof *x->spec);
	x->cspec = malloc(x->bins * sizeof *x->cspec);
	x->time = calloc(x->N, sizeof *x->time);
	x->bandp = calloc(n * 2 * MIXDOWN_BANDS, sizeof *x->bandp);
	x->frame_pow = calloc(n, sizeof *x->frame_pow);
	x->active = calloc(n, sizeof *x->active);
	x->pairs = calloc(np, sizeof *x->pairs);
	x->mask = calloc(n * n, sizeof *x->mask);
	x->band_of_bin = malloc(x->bins * sizeof *x->band_of_bin);
	x->fwd = kiss_fftr_alloc((int)x->N, 0, NULL, NULL);
	x->inv = kiss_fftr_alloc((int)x->N, 1, NULL, NULL);
	bool ok = x->win && x->frame && x->spec && x->cspec && x->time && x->bandp && x->frame_pow && x->active &&
		  x->pairs && x->mask && x->band_of_bin && x->fwd && x->inv;
	for (size_t t = 0; ok && t < n; t++) {
		x->frame[t] = calloc(3 * x->L, sizeof **x->frame);
		x->spec[t] = malloc(x->bins * sizeof **x->spec);
		ok = x->frame[t] && x->spec[t];
	}
	for (size_t p = 0; ok && p < np; p++) {
		x->pairs[p].cross_re = calloc(nb, sizeof(double));
		x->pairs[p].cross_im = calloc(nb, sizeof(double));
		ok = x->pairs[p].cross_re && x->pairs[p].cross_im;
	}
	if (!ok) {
		mxd_xtrack_free(x);
		return NULL;
	}
	for (size_t i = 0; i < x->L; i++)
		x->win[i] = 0.5 - 0.5 * cos(2.0 * M_PI * (double)i / (double)x->L);
	for (size_t k = 0; k < x->bins; k++)
		x->band_of_bin[k] = k == 0 ? -1 : mxd_band_of((double)k * rate / (double)x->N);
	if (window_autocorrelation(x)) {
		mxd_xtrack_free(x);
		return NULL;
	}
	return x;
}

/* Windowed, zero-padded FFT of L samples into out. */
static void frame_fft(mxd_xtrack *x, const float *s, kiss_fft_cpx *out)
{
	for (size_t i = 0; i < x->L; i++)
		x->time[i] = (kiss_fft_scalar)(s ? s[i] * x->win[i] : x->win[i]);
	memset(x->time + x->L, 0, x->L * sizeof *x->time);
	kiss_fftr(x->fwd, x->time, out);
}

static void band_powers(const mxd_xtrack *x, const kiss_fft_cpx *s, double *bands)
{
	memset(bands, 0, MIXDOWN_BANDS * sizeof *bands);
	for (size_t k = 1; k < x->bins; k++) {
		const int b = x->band_of_bin[k];
		if (b >= 0)
			bands[b] += (double)s[k].r * s[k].r + (double)s[k].i * s[k].i;
	}
}

static double db10(double p)
{
	return 10.0 * log10(p + 1e-30);
}

static void accumulate_masking(mxd_xtrack *x)
{
	for (size_t m = 0; m < x->n; m++) {
		if (x->frame_pow[m] < pow(10.0, MXD_XT_ACTIVE_DB / 10.0))
			continue;
		x->active[m]++;
		const double *pm = x->bandp + m * 2 * MIXDOWN_BANDS;
		double sum_m[MIXDOWN_BANDS], top = 0;
		for (size_t b = 0; b < MIXDOWN_BANDS; b++) {
			sum_m[b] = pm[b] + pm[MIXDOWN_BANDS + b];
			if (sum_m[b] > top)
				top = sum_m[b];
		}
		for (size_t k = 0; k < x->n; k++) {
			if (k == m || x->frame_pow[k] < pow(10.0, MXD_XT_ACTIVE_DB / 10.0))
				continue;
			xt_mask *mk = &x->mask[m * x->n + k];
			const double *pk = x->bandp + k * 2 * MIXDOWN_BANDS;
			mk->coactive++;
			for (size_t b = 0; b < MIXDOWN_BANDS; b++) {
				if (sum_m[b] <= 0 || db10(sum_m[b]) < db10(top) - MXD_XT_PRESENT_DB)
					continue;
				double e0 = db10(pk[b]) - db10(pm[b]);
				double e1 = db10(pk[MIXDOWN_BANDS + b]) - db10(pm[MIXDOWN_BANDS + b]);
				double e = fmin(e0, e1);
				mk->sum[b] += fmax(-30.0, fmin(30.0, e));
				mk->cnt[b]++;
			}
		}
	}
}

static void accumulate_alignment(mxd_xtrack *x)
{
	for (size_t i = 0; i < x->n; i++)
		for (size_t j = i + 1; j < x->n; j++) {
			xt_pair *p = &x->pairs[pair_index(x->n, i, j)];
			const kiss_fft_cpx *a = x->spec[i], *b = x->spec[j];
			for (size_t k = x->lo; k < x->hi; k++) {
				/* conj(A) B */
				p->cross_re[k - x->lo] += (double)a[k].r * b[k].r + (double)a[k].i * b[k].i;
				p->cross_im[k - x->lo] += (double)a[k].r * b[k].i - (double)a[k].i * b[k].r;
			}
		}
	for (size_t t = 0; t < x->n; t++) {
		double e = 0;
		for (size_t k = x->lo; k < x->hi; k++)
			e += (double)x->spec[t][k].r * x->spec[t][k].r + (double)x->spec[t][k].i * x->spec[t][k].i;
		for (size_t j = 0; j < x->n; j++) {
			if (j == t)
				continue;
			xt_pair *p = &x->pairs[t < j ? pair_index(x->n, t, j) : pair_index(x->n, j, t)];
			if (t < j)
				p->paa += e;
			else
				p->pbb += e;
		}
	}
}

static void process_frame(mxd_xtrack *x)
{
	for (size_t t = 0; t < x->n; t++) {
		const uint32_t nc = x->ch[t] >= 2 ? 2 : 1;
		double *bp = x->bandp + t * 2 * MIXDOWN_BANDS;
		double ms = 0;
		for (uint32_t c = 0; c < nc; c++) {
			const float *s = x->frame[t] + c * x->L;
			for (size_t i = 0; i < x->L; i++)
				ms += (double)s[i] * s[i];
			frame_fft(x, s, x->cspec);
			band_powers(x, x->cspec, bp + c * MIXDOWN_BANDS);
		}
		if (nc == 1)
			memcpy(bp + MIXDOWN_BANDS, bp, MIXDOWN_BANDS * sizeof *bp);
		x->frame_pow[t] = ms / (double)(x->L * nc);
		frame_fft(x, x->frame[t] + 2 * x->L, x->spec[t]); /* the mono sum */
	}
	accumulate_alignment(x);
	accumulate_masking(x);
	x->frames++;
}

void mxd_xtrack_feed(mxd_xtrack *x, const float *const *tracks, size_t frames)
{
	size_t done = 0;
	while (done < frames) {
		size_t k = x->L - x->fill;
		if (k > frames - done)
			k = frames - done;
		for (size_t t = 0; t < x->n; t++) {
			const uint32_t nc = x->ch[t];
			const float *in = tracks[t] + done * nc;
			float *l = x->frame[t] + x->fill, *r = l + x->L, *mono = r + x->L;
			for (size_t i = 0; i < k; i++) {
				const float *f = in + i * nc;
				double sum = 0;
				for (uint32_t c = 0; c < nc; c++)
					sum += f[c];
				l[i] = f[0];
				r[i] = nc >= 2 ? f[1] : f[0];
				mono[i] = (float)(sum / nc);
			}
		}
		x->fill += k;
		done += k;
		if (x->fill == x->L) {
			process_frame(x);
			/* Hop L/2: keep the second half of each buffer. */
			const size_t h = x->L / 2;
			for (size_t t = 0; t < x->n; t++)
				for (int c = 0; c < 3; c++)
					memmove(x->frame[t] + c * x->L, x->frame[t] + c * x->L + h, h * sizeof(float));
			x->fill = h;
		}
	}
}

/* Sum over n of w(n) w(n + tau) for the Hann window, normalized to tau = 0
 * (computed once, through the FFT: the inverse of |W|^2). */
static int window_autocorrelation(mxd_xtrack *x)
{
	x->wac = malloc((x->L / 2 + 1) * sizeof *x->wac);
	if (!x->wac)
		return -1;
	frame_fft(x, (const float *)NULL, x->cspec);
	for (size_t k = 0; k < x->bins; k++) {
		x->cspec[k].r = x->cspec[k].r * x->cspec[k].r + x->cspec[k].i * x->cspec[k].i;
		x->cspec[k].i = 0;
	}
	kiss_fftri(x->inv, x->cspec, x->time);
	for (size_t t = 0; t <= x->L / 2; t++)
		x->wac[t] = x->time[t] / x->time[0];
	return 0;
}

static double window_overlap(const mxd_xtrack *x, size_t tau)
{
	return x->wac[tau];
}

static size_t lag_index(const mxd_xtrack *x, long lag)
{
	return lag >= 0 ? (size_t)lag : x->N - (size_t)(-lag);
}

/* Inverse FFT of the pair's cross-spectrum into x->time, each bin weighted by
 * 1/|C|^beta (beta 0: plain cross-correlation; 1: the phase transform). */
static void cross_correlate(mxd_xtrack *x, const xt_pair *p, double beta)
{
	kiss_fft_cpx *c = x->cspec;
	memset(c, 0, x->bins * sizeof *c);
	for (size_t k = x->lo; k < x->hi; k++) {
		const double re = p->cross_re[k - x->lo], im = p->cross_im[k - x->lo];
		const double mag = hypot(re, im);
		const double w = beta == 0 ? 1.0 : mag > 0 ? pow(mag, -beta) : 0.0;
		c[k].r = (kiss_fft_scalar)(re * w);
		c[k].i = (kiss_fft_scalar)(im * w);
	}
	kiss_fftri(x->inv, c, x->time);
}

static int find_alignment(mxd_xtrack *x, size_t i, size_t j, mixdown_alignment *out)
{
	const xt_pair *p = &x->pairs[pair_index(x->n, i, j)];
	if (!(p->paa > 0 && p->pbb > 0))
		return 0;
	long max_lag = (long)(x->L / 2);
	if ((double)max_lag > 0.1 * x->rate)
		max_lag = (long)(0.1 * x->rate);
	/* The lag comes from the phase transform (GCC-PHAT, Knapp & Carter,
	 * IEEE Trans. ASSP 24(4), 1976): it whitens the spectrum, so a sung
	 * note's pitch period does not put a second, equal peak beside the true
	 * one as it does in the plain cross-correlation. */
	cross_correlate(x, p, 1.0);
	long lag_p = 0;
	double best_p = 0;
	for (long lag = -max_lag; lag <= max_lag; lag++) {
		const double v = fabs(x->time[lag_index(x, lag)]) / window_overlap(x, (size_t)labs(lag));
		if (v > best_p) {
			best_p = v;
			lag_p = lag;
		}
	}
	double frac = 0;
	if (labs(lag_p) < max_lag) {
		double v[3];
		for (int d = -1; d <= 1; d++)
			v[d + 1] = fabs(x->time[lag_index(x, lag_p + d)]);
		const double den = v[0] - 2 * v[1] + v[2];
		if (den < 0)
			frac = 0.5 * (v[0] - v[2]) / den;
	}
	/* Strength and polarity come from the plain normalized correlation at
	 * that lag (its peak is broader: take the largest within +-2 samples).
	 * The inverse FFT of sum|X|^2 at lag 0 counts every in-band bin twice, so
	 * the energies carry a factor 2. */
	cross_correlate(x, p, 0.0);
	const double norm = 2.0 * sqrt(p->paa * p->pbb);
	double best = 0;
	for (long lag = lag_p - 2; lag <= lag_p + 2; lag++) {
		if (labs(lag) > max_lag)
			continue;
		const double r = x->time[lag_index(x, lag)] / norm / window_overlap(x, (size_t)labs(lag));
		if (fabs(r) > fabs(best))
			best = r;
	}
	if (fabs(best) < MXD_XT_MIN_CORR)
		return 0;
	out->correlation = fmin(1.0, fabs(best));
	out->inverted = best < 0;
	out->offset_ms = ((double)lag_p + frac) * 1000.0 / x->rate;
	return 1;
}

static int by_masking(const void *a, const void *b)
{
	const mixdown_masking *x = a, *y = b;
	double ka = x->amount * x->overlap, kb = y->amount * y->overlap;
	return ka < kb ? 1 : ka > kb ? -1 : 0;
}

static void find_masking(const mxd_xtrack *x, size_t m, size_t k, mixdown_masking *out, bool *found)
{
	const xt_mask *mk = &x->mask[m * x->n + k];
	*found = false;
	if (!x->active[m] || !mk->coactive)
		return;
	double mean[MIXDOWN_BANDS];
	bool use[MIXDOWN_BANDS];
	for (size_t b = 0; b < MIXDOWN_BANDS; b++) {
		use[b] = mk->cnt[b] >= MXD_XT_MIN_SHARE * (double)mk->coactive && mk->cnt[b] > 0;
		mean[b] = use[b] ? mk->sum[b] / mk->cnt[b] : 0;
	}
	double best = -INFINITY;
	size_t best_b = 0;
	for (size_t b = 1; b + 1 < MIXDOWN_BANDS; b++) {
		double s = 0;
		int n = 0;
		for (size_t d = b - 1; d <= b + 1; d++)
			if (use[d]) {
				s += mean[d];
				n++;
			}
		/* An octave needs the middle band and one neighbour to count. */
		if (!use[b] || n < 2)
			continue;
		if (s / n > best) {
			best = s / n;
			best_b = b;
		}
	}
	const double overlap = (double)mk->coactive / (double)x->active[m];
	if (!(best >= MXD_XT_REPORT_DB) || overlap < MXD_XT_MIN_OVERLAP)
		return;
	double lo, hi, unused;
	mxd_band_edges(best_b - 1, &lo, &unused);
	mxd_band_edges(best_b + 1, &unused, &hi);
	out->low_hz = lo;
	out->high_hz = hi;
	out->cut_hz = mixdown_band_centre(best_b);
	out->amount = best;
	out->overlap = overlap;
	*found = true;
}

int mxd_xtrack_finish(mxd_xtrack *x, const char (*names)[128], mixdown_multitrack_analysis *m)
{
	/* A frame still holding unseen samples is analyzed zero-padded. */
	if (x->fill > x->L / 2 || (x->frames == 0 && x->fill > 0)) {
		for (size_t t = 0; t < x->n; t++)
			for (int c = 0; c < 3; c++)
				memset(x->frame[t] + c * x->L + x->fill, 0, (x->L - x->fill) * sizeof(float));
		process_frame(x);
	}
	const size_t np = x->n * (x->n - 1) / 2;
	m->alignment = calloc(np ? np : 1, sizeof *m->alignment);
	m->masking = calloc(x->n * x->n, sizeof *m->masking);
	if (!m->alignment || !m->masking)
		return -1;
	bool *same_source = calloc(np ? np : 1, sizeof *same_source);
	if (!same_source)
		return -1;
	for (size_t i = 0; i < x->n; i++)
		for (size_t j = i + 1; j < x->n; j++) {
			mixdown_alignment *al = &m->alignment[m->n_alignment];
			if (find_alignment(x, i, j, al)) {
				snprintf(al->a, sizeof al->a, "%s", names[i]);
				snprintf(al->b, sizeof al->b, "%s", names[j]);
				m->n_alignment++;
				same_source[pair_index(x->n, i, j)] = al->correlation >= MXD_XT_SAME_SOURCE;
			}
		}
	for (size_t a = 0; a < x->n; a++)
		for (size_t k = 0; k < x->n; k++) {
			/* Two mics of one source are one sound: they do not mask each other. */
			if (a == k || same_source[a < k ? pair_index(x->n, a, k) : pair_index(x->n, k, a)])
				continue;
			mixdown_masking *mk = &m->masking[m->n_masking];
			bool found;
			find_masking(x, a, k, mk, &found);
			if (found) {
				snprintf(mk->masked, sizeof mk->masked, "%s", names[a]);
				snprintf(mk->masker, sizeof mk->masker, "%s", names[k]);
				m->n_masking++;
			}
		}
	free(same_source);
	qsort(m->masking, m->n_masking, sizeof *m->masking, by_masking);
	if (m->n_masking > MXD_XT_MAX_MASKING)
		m->n_masking = MXD_XT_MAX_MASKING;
	return 0;
}
