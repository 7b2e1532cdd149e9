/* mixdown bench — mixeval: the spectral group (centroid, bandwidth, contrast, roll-off, flatness).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Suite definition (../shared/docs/mixing-knowledge.md §2.1), each per channel on both mixes
 * peak-normalised to -1 dBFS, from the magnitude STFT S[k] (4096 points, hop 1024, sqrt-Hann; the
 * features follow librosa's definitions, which the suite calls):
 *  - centroid  c = sum f_k S_k / sum S_k (Hz);
 *  - bandwidth (p = 2) = sqrt(sum (S_k / sum S) (f_k - c)^2) (Hz);
 *  - contrast (Jiang et al., "Music type classification by spectral contrast feature", ICME 2002,
 *    as in librosa with fmin 250 Hz, 4 octave bands, quantile 0.02): bands [0,250], [250,500],
 *    [500,1000], [1000,2000], [2000, fs/2]; every band but the first also takes the bin just below
 *    it, and every band but the last drops its top bin; with q = max(1, round(0.02 * bins)), peak
 *    and valley are the means of the q largest and q smallest magnitudes; contrast = 10 log10(peak)
 *    - 10 log10(valley) (magnitudes floored at 1e-10; each of the peak and valley dB arrays of a
 *    channel floored at its own maximum - 80 dB, librosa's power_to_db top_db). lows = band 0,
 *    mids = mean of bands 1-3, highs = band 4;
 *  - roll-off: lowest f_k whose cumulative magnitude reaches 85 % of the frame's total (Hz);
 *  - flatness (Dubnov 2004, power spectrum floored at 1e-10): geometric / arithmetic mean of S^2,
 *    reported in dB (10 log10).
 * The suite adds 1 Hz to centroid, bandwidth and roll-off before averaging (so silent frames do not
 * divide by zero); kept. Per channel: MAPE of the 40-frame running means; then the channel mean.
 * Ownership: scratch only. Threads: any.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mixeval.h"

enum { F_CENT, F_BW, F_C0, F_C1, F_C2, F_C3, F_C4, F_ROLL, F_FLAT, N_F };
#define N_BANDS 5 /* contrast: 4 octaves above 250 Hz plus the band below */

typedef struct {
	size_t lo, hi;   /* bins [lo, hi] entering the sort */
	size_t count;    /* bins counted for the quantile (includes the dropped top bin) */
} band;

static void contrast_bands(double rate, int nfft, band *b)
{
	const size_t bins = (size_t)nfft / 2 + 1;
	double edge[N_BANDS + 1] = { 0, 250, 500, 1000, 2000, 4000 };
	for (int k = 0; k < N_BANDS; k++) {
		size_t first = bins, last = 0;
		for (size_t j = 0; j < bins; j++) {
			double f = j * rate / nfft;
			if (f >= edge[k] && f <= edge[k + 1]) {
				first = first == bins ? j : first;
				last = j;
			}
		}
		if (k > 0 && first > 0)
			first--;
		if (k == N_BANDS - 1)
			last = bins - 1;
		b[k].count = last - first + 1;
		b[k].lo = first;
		b[k].hi = k < N_BANDS - 1 && last > first ? last - 1 : last;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Frame features of one channel (feat[i] arrays of nf values; raw contrast peak/valley in pk/vl). */
static void frame_features(const double *S, size_t bins, double rate, int nfft, const band *bd, double *tmp,
			   double *feat, double *pk, double *vl)
{
	double sum = 0, fsum = 0;
	for (size_t k = 0; k < bins; k++) {
		sum += S[k];
		fsum += S[k] * (k * rate / nfft);
	}
	double c = sum > 0 ? fsum / sum : 0, bw = 0;
	if (sum > 0)
		for (size_t k = 0; k < bins; k++) {
			double d = k * rate / nfft - c;
			bw += S[k] / sum * d * d;
		}
	double cum = 0, roll = 0;
	for (size_t k = 0; k < bins; k++) {
		cum += S[k];
		if (cum >= 0.85 * sum) {
			roll = k * rate / nfft;
			break;
		}
	}
	double lg = 0, ar = 0;
	for (size_t k = 0; k < bins; k++) {
		double p = fmax(S[k] * S[k], 1e-10);
		lg += log(p);
		ar += p;
	}
	feat[F_CENT] = c + 1.0;
	feat[F_BW] = sqrt(bw) + 1.0;
	feat[F_ROLL] = roll + 1.0;
	feat[F_FLAT] = 10.0 * log10(exp(lg / (double)bins) / (ar / (double)bins));
	for (int b = 0; b < N_BANDS; b++) {
		size_t m = bd[b].hi - bd[b].lo + 1;
		memcpy(tmp, S + bd[b].lo, m * sizeof *tmp);
		qsort(tmp, m, sizeof *tmp, cmp_double);
		size_t q = (size_t)fmax(1.0, nearbyint(0.02 * (double)bd[b].count));
		q = q > m ? m : q;
		double v = 0, p = 0;
		for (size_t i = 0; i < q; i++) {
			v += tmp[i];
			p += tmp[m - 1 - i];
		}
		pk[b] = p / (double)q;
		vl[b] = v / (double)q;
	}
}

/* All frames of one channel: feat is N_F arrays of nf values (row f * N_F + i). */
static int channel_features(const mxe_audio *a, int ch, double *feat, size_t nf)
{
	const size_t bins = MXE_STFT_SIZE / 2 + 1;
	double gain = mxe_peak_norm_gain(a);
	band bd[N_BANDS];
	contrast_bands(a->rate, MXE_STFT_SIZE, bd);
	mxe_stft *st = mxe_stft_new(MXE_STFT_SIZE);
	double *S = malloc(bins * sizeof *S), *tmp = malloc(bins * sizeof *tmp);
	double *pk = malloc(nf * N_BANDS * sizeof *pk), *vl = malloc(nf * N_BANDS * sizeof *vl);
	int rc = -1;
	if (!st || !S || !tmp || !pk || !vl)
		goto done;
	double pmax = -HUGE_VAL, vmax = -HUGE_VAL;
	for (size_t f = 0; f < nf; f++) {
		mxe_stft_mag(st, a->x + (int64_t)f * MXE_STFT_HOP * a->channels + ch, a->channels, gain, S);
		frame_features(S, bins, a->rate, MXE_STFT_SIZE, bd, tmp, feat + f * N_F, pk + f * N_BANDS,
			       vl + f * N_BANDS);
		for (int b = 0; b < N_BANDS; b++) {
			pk[f * N_BANDS + b] = 10.0 * log10(fmax(pk[f * N_BANDS + b], 1e-10));
			vl[f * N_BANDS + b] = 10.0 * log10(fmax(vl[f * N_BANDS + b], 1e-10));
			pmax = fmax(pmax, pk[f * N_BANDS + b]);
			vmax = fmax(vmax, vl[f * N_BANDS + b]);
		}
	}
	for (size_t f = 0; f < nf; f++)
		for (int b = 0; b < N_BANDS; b++)
			feat[f * N_F + F_C0 + b] = fmax(pk[f * N_BANDS + b], pmax - 80.0) -
						   fmax(vl[f * N_BANDS + b], vmax - 80.0);
	rc = 0;
done:
	mxe_stft_free(st);
	free(S);
	free(tmp);
	free(pk);
	free(vl);
	return rc;
}

/* Series of metric m from a frame-feature table (contrast mids: mean of bands 1-3). */
static void series(const double *feat, size_t nf, int m, double *out)
{
	for (size_t f = 0; f < nf; f++) {
		const double *r = feat + f * N_F;
		switch (m) {
		case MXE_CENTROID: out[f] = r[F_CENT]; break;
		case MXE_BANDWIDTH: out[f] = r[F_BW]; break;
		case MXE_CONTRAST_LOW: out[f] = r[F_C0]; break;
		case MXE_CONTRAST_MID: out[f] = (r[F_C1] + r[F_C2] + r[F_C3]) / 3.0; break;
		case MXE_CONTRAST_HIGH: out[f] = r[F_C4]; break;
		case MXE_ROLLOFF: out[f] = r[F_ROLL]; break;
		default: out[f] = r[F_FLAT]; break;
		}
	}
}

int mxe_eval_spectral(const mxe_audio *out, const mxe_audio *tar, mxe_result *r)
{
	int64_t len = out->frames < tar->frames ? out->frames : tar->frames;
	size_t nf = mxe_stft_count(len, MXE_STFT_SIZE, MXE_STFT_HOP);
	for (int m = MXE_CENTROID; m <= MXE_FLATNESS; m++)
		r->m[m] = (mxe_metric){ 0, 0, 0 };
	if (nf == 0) {
		for (int m = MXE_CENTROID; m <= MXE_FLATNESS; m++)
			r->m[m] = (mxe_metric){ NAN, NAN, NAN };
		return 0;
	}
	double *fo = malloc(nf * N_F * sizeof *fo), *ft = malloc(nf * N_F * sizeof *ft);
	double *so = malloc(nf * sizeof *so), *stt = malloc(nf * sizeof *stt);
	int rc = -1;
	if (!fo || !ft || !so || !stt)
		goto done;
	for (int ch = 0; ch < tar->channels; ch++) {
		if (channel_features(out, ch, fo, nf) || channel_features(tar, ch, ft, nf))
			goto done;
		for (int m = MXE_CENTROID; m <= MXE_FLATNESS; m++) {
			series(fo, nf, m, so);
			series(ft, nf, m, stt);
			r->m[m].mape += mxe_mape_running(stt, so, nf) / tar->channels;
			r->m[m].tar_mean += mxe_mean(stt, nf) / tar->channels;
			r->m[m].out_mean += mxe_mean(so, nf) / tar->channels;
		}
	}
	rc = 0;
done:
	free(fo);
	free(ft);
	free(so);
	free(stt);
	return rc;
}
