/* mixdown bench — mixeval: the panning group (stereo panning spectrum RMS in four bands).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Stereo Panning Spectrum after Tzanetakis, Jones & McNally, "Stereo panning features for
 * classifying recording production style", ISMIR 2007, as the mix-evaluation suite computes it
 * (../shared/docs/mixing-knowledge.md §2.1) from the STFT magnitudes a = |X_L|, b = |X_R| (4096
 * points, hop 1024, sqrt-Hann, both mixes peak-normalised to -1 dBFS):
 *   similarity phi = 2ab / (a^2 + b^2)            (1 = same level in both channels)
 *   sign = sign(ab/a^2 - ab/b^2) = sign(b^2 - a^2) (+ = right, - = left)
 *   SPS  = (1 - phi) sign                          (0 centred, -1 hard left, +1 hard right)
 * A bin with no energy in either channel counts as centred (the suite's 1e-20 offset gives phi = 1).
 * Per frame, the RMS of SPS over the bins floor(f1 N / fs) .. floor(f2 N / fs) - 1 of the bands
 * [0, fs/2], [0, 250], [250, 2500], [2500, fs/2] Hz. Frames whose target RMS over [0, fs/2] is 0 are
 * dropped from both series (as the suite does); then MAPE of the 40-frame running means per band.
 * Needs two channels: for mono mixes the group is undefined (NAN).
 * Ownership: rms arrays malloc'd for the caller. Threads: any.
 */
#include <math.h>
#include <stdlib.h>

#include "mixeval.h"

void mxe_sps_frame(const double *mag_l, const double *mag_r, size_t bins, double *sps)
{
	for (size_t k = 0; k < bins; k++) {
		double a = mag_l[k], b = mag_r[k], den = a * a + b * b;
		if (!(den > 0)) {
			sps[k] = 0;
			continue;
		}
		double phi = 2.0 * a * b / den, d = b * b - a * a;
		sps[k] = (1.0 - phi) * (double)((d > 0) - (d < 0));
	}
}

int mxe_panning_frames(const mxe_audio *a, double **rms4, size_t *n)
{
	const size_t bins = MXE_STFT_SIZE / 2 + 1;
	size_t nf = a->channels == 2 ? mxe_stft_count(a->frames, MXE_STFT_SIZE, MXE_STFT_HOP) : 0;
	*rms4 = malloc((nf ? nf : 1) * 4 * sizeof **rms4);
	*n = nf;
	mxe_stft *st = mxe_stft_new(MXE_STFT_SIZE);
	double *ml = malloc(bins * sizeof *ml), *mr = malloc(bins * sizeof *mr), *sps = malloc(bins * sizeof *sps);
	int rc = -1;
	if (!*rms4 || !st || !ml || !mr || !sps)
		goto done;
	/* Band edges in bins; fs/2 is the integer half of the rate, as the suite writes sr // 2. */
	double half = (double)((long)a->rate / 2), fr[4][2] = { { 0, half }, { 0, 250 }, { 250, 2500 }, { 2500, half } };
	size_t b1[4], b2[4];
	for (int i = 0; i < 4; i++) {
		b1[i] = (size_t)floor(fr[i][0] * MXE_STFT_SIZE / a->rate);
		b2[i] = (size_t)floor(fr[i][1] * MXE_STFT_SIZE / a->rate);
		b2[i] = b2[i] > bins ? bins : b2[i];
	}
	double gain = mxe_peak_norm_gain(a);
	for (size_t f = 0; f < nf; f++) {
		const float *x = a->x + (int64_t)f * MXE_STFT_HOP * 2;
		mxe_stft_mag(st, x, 2, gain, ml);
		mxe_stft_mag(st, x + 1, 2, gain, mr);
		mxe_sps_frame(ml, mr, bins, sps);
		for (int i = 0; i < 4; i++) {
			double s = 0;
			for (size_t k = b1[i]; k < b2[i]; k++)
				s += sps[k] * sps[k];
			(*rms4)[f * 4 + (size_t)i] = b2[i] > b1[i] ? sqrt(s / (double)(b2[i] - b1[i])) : 0;
		}
	}
	rc = 0;
done:
	mxe_stft_free(st);
	free(ml);
	free(mr);
	free(sps);
	if (rc) {
		free(*rms4);
		*rms4 = NULL;
		*n = 0;
	}
	return rc;
}

int mxe_eval_panning(const mxe_audio *out, const mxe_audio *tar, mxe_result *r)
{
	for (int m = MXE_PAN_TOTAL; m <= MXE_PAN_HIGH; m++)
		r->m[m] = (mxe_metric){ NAN, NAN, NAN };
	if (out->channels != 2 || tar->channels != 2)
		return 0;
	double *po = NULL, *pt = NULL, *so = NULL, *stt = NULL;
	size_t no = 0, nt = 0;
	int rc = -1;
	if (mxe_panning_frames(out, &po, &no) || mxe_panning_frames(tar, &pt, &nt))
		goto done;
	size_t n = no < nt ? no : nt;
	so = malloc((n ? n : 1) * sizeof *so);
	stt = malloc((n ? n : 1) * sizeof *stt);
	if (!so || !stt)
		goto done;
	for (int i = 0; i < 4; i++) {
		size_t k = 0;
		for (size_t f = 0; f < n; f++) {
			if (pt[f * 4] == 0.0) /* the suite drops frames with no panning in the target */
				continue;
			stt[k] = pt[f * 4 + (size_t)i];
			so[k++] = po[f * 4 + (size_t)i];
		}
		r->m[MXE_PAN_TOTAL + i] = (mxe_metric){ mxe_mape_running(stt, so, k), mxe_mean(stt, k), mxe_mean(so, k) };
	}
	rc = 0;
done:
	free(po);
	free(pt);
	free(so);
	free(stt);
	return rc;
}
