/* mixdown bench — mixeval: the loudness group (per-frame BS.1770 loudness and sample peak).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Suite definition (../shared/docs/mixing-knowledge.md §2.1): frames of 17 640 samples with a hop
 * of 8 820 at 44.1 kHz (0.4 s and 0.2 s; scaled by the rate here), each measured on its own as the
 * BS.1770 integrated loudness of that frame (one 400 ms gating block, filters starting at rest) and
 * its sample peak in dBFS over all channels; the metric is the MAPE of the 40-frame running means,
 * target as the true value. Levels are NOT normalised first, so this group sees gain differences.
 * Loudness per ITU-R BS.1770-4 via libebur128 (K-weighting, channel weights); a frame below the
 * -70 LUFS absolute gate has no loudness in BS.1770 and the suite's value would be -inf: it is
 * floored at -70 LUFS here (and a digital-silence peak at -120 dBFS) so the means stay finite.
 * Ownership: returned arrays are malloc'd for the caller. Threads: any.
 */
#include <ebur128.h>
#include <math.h>
#include <stdlib.h>

#include "mixeval.h"

#define LUFS_FLOOR (-70.0)
#define PEAK_FLOOR_DB (-120.0)

int mxe_loudness_frames(const mxe_audio *a, double **lufs, double **peak, size_t *n)
{
	int64_t len = (int64_t)lround(MXE_LOUD_FRAME_S * a->rate), hop = (int64_t)lround(MXE_LOUD_HOP_S * a->rate);
	size_t nf = a->frames < len ? 0 : (size_t)(1 + (a->frames - len) / hop);
	*lufs = malloc((nf ? nf : 1) * sizeof **lufs);
	*peak = malloc((nf ? nf : 1) * sizeof **peak);
	*n = nf;
	if (!*lufs || !*peak)
		goto fail;
	for (size_t f = 0; f < nf; f++) {
		const float *x = a->x + (int64_t)f * hop * a->channels;
		/* A fresh meter per frame: each frame is an independent measurement in the suite. */
		ebur128_state *st = ebur128_init((unsigned)a->channels, (unsigned long)a->rate, EBUR128_MODE_M);
		if (!st)
			goto fail;
		double l = -HUGE_VAL;
		if (ebur128_add_frames_float(st, x, (size_t)len) != EBUR128_SUCCESS ||
		    ebur128_loudness_momentary(st, &l) != EBUR128_SUCCESS)
			l = -HUGE_VAL;
		ebur128_destroy(&st);
		(*lufs)[f] = isfinite(l) && l > LUFS_FLOOR ? l : LUFS_FLOOR;
		double p = 0;
		for (int64_t i = 0; i < len * a->channels; i++)
			p = fmax(p, fabs((double)x[i]));
		(*peak)[f] = p > 0 ? fmax(20.0 * log10(p), PEAK_FLOOR_DB) : PEAK_FLOOR_DB;
	}
	return 0;
fail:
	free(*lufs);
	free(*peak);
	*lufs = *peak = NULL;
	*n = 0;
	return -1;
}

int mxe_eval_loudness(const mxe_audio *out, const mxe_audio *tar, mxe_result *r)
{
	double *lo = NULL, *po = NULL, *lt = NULL, *pt = NULL;
	size_t no = 0, nt = 0;
	int rc = -1;
	if (mxe_loudness_frames(out, &lo, &po, &no) || mxe_loudness_frames(tar, &lt, &pt, &nt))
		goto done;
	size_t n = no < nt ? no : nt;
	r->m[MXE_LUFS] = (mxe_metric){ mxe_mape_running(lt, lo, n), mxe_mean(lt, n), mxe_mean(lo, n) };
	r->m[MXE_PEAK] = (mxe_metric){ mxe_mape_running(pt, po, n), mxe_mean(pt, n), mxe_mean(po, n) };
	rc = 0;
done:
	free(lo);
	free(po);
	free(lt);
	free(pt);
	return rc;
}
