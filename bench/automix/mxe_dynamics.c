/* mixdown bench — mixeval: the dynamics group (RMS level, dynamic spread, crest factor).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Features after Ma, Reiss & Black, "Intelligent multitrack dynamic range compression", JAES 63(6),
 * 2015, as the mix-evaluation suite codes them (../shared/docs/mixing-knowledge.md §2.1), per
 * channel of each mix peak-normalised to -1 dBFS, in frames of 4096 samples with a hop of 1024
 * (frames fully inside the signal), with dB(v) = 20 log10(v + 1e-30):
 *   rms    = dB(sqrt(sum x^2 / 4096))
 *   spread = sum (dB|x| - rms) / 4096
 *   crest  = dB(max |x|) / rms        (a ratio of two dB values, as coded; not peak-minus-RMS)
 * averaged over the channels per frame; rms and spread enter the MAPE as 1 - value (the suite's
 * shift that keeps the true values away from 0). MAPE of the 40-frame running means.
 * Ownership: scratch only. Threads: any.
 */
#include <math.h>
#include <stdlib.h>

#include "mixeval.h"

#define DYN_FRAME 4096
#define DYN_HOP 1024

static double db(double v) { return 20.0 * log10(v + 1e-30); }

/* rms, spread, crest series (each nf long, already channel-averaged and shifted). */
static void features(const mxe_audio *a, size_t nf, double *rms, double *spread, double *crest)
{
	double gain = mxe_peak_norm_gain(a);
	for (size_t f = 0; f < nf; f++) {
		rms[f] = spread[f] = crest[f] = 0;
		for (int c = 0; c < a->channels; c++) {
			const float *x = a->x + (int64_t)f * DYN_HOP * a->channels + c;
			double ss = 0, pk = 0, sdb = 0;
			for (int i = 0; i < DYN_FRAME; i++) {
				double v = fabs(gain * x[(size_t)i * (size_t)a->channels]);
				ss += v * v;
				pk = fmax(pk, v);
				sdb += db(v);
			}
			double r = db(sqrt(ss / DYN_FRAME));
			rms[f] += r / a->channels;
			spread[f] += (sdb - DYN_FRAME * r) / DYN_FRAME / a->channels;
			crest[f] += db(pk) / r / a->channels;
		}
		rms[f] = 1.0 - rms[f];
		spread[f] = 1.0 - spread[f];
	}
}

int mxe_eval_dynamics(const mxe_audio *out, const mxe_audio *tar, mxe_result *r)
{
	int64_t len = out->frames < tar->frames ? out->frames : tar->frames;
	size_t nf = mxe_stft_count(len, DYN_FRAME, DYN_HOP);
	double *v = malloc((nf ? nf : 1) * 6 * sizeof *v);
	if (!v)
		return -1;
	double *o[3] = { v, v + nf, v + 2 * nf }, *t[3] = { v + 3 * nf, v + 4 * nf, v + 5 * nf };
	features(out, nf, o[0], o[1], o[2]);
	features(tar, nf, t[0], t[1], t[2]);
	for (int i = 0; i < 3; i++)
		r->m[MXE_RMS + i] = (mxe_metric){ mxe_mape_running(t[i], o[i], nf), mxe_mean(t[i], nf), mxe_mean(o[i], nf) };
	free(v);
	return 0;
}
