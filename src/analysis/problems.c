/* mixdown — single-file problems: clipping, DC offset, silence, noise floor.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *  - Clipped samples: |x| >= 0.99996 (the largest 16-bit code, 32767/32768,
 *    and above) in runs of three or more consecutive samples of one channel
 *    on one rail
 *    (two full-scale samples in a row also occur in an unclipped fs/4 sine at
 *    45 degrees), or any sample beyond 1.0 (float files). Stretches closer than 50 ms merge;
 *    each stretch has its start/end time (s), channels, sample count and
 *    peak (dBFS). At most 1000 stretches are listed; the count is complete.
 *  - Inter-sample overs (true peak > 0 dBTP per 10 ms block) come from
 *    loudness.c (BS.1770-5 Annex 2 true peak).
 *  - DC offset: per-channel mean; flagged above -50 dBFS.
 *  - Silence at start/end: time before the first / after the last sample at
 *    or above options.silence_dbfs (default -60 dBFS) in any channel;
 *    flagged when longer than 0.5 s (start) or 1 s (end).
 *  - Noise floor: 10 log10 of the mean square (all channels) of 50 ms blocks,
 *    histogram in 0.5 dB bins from -140 dBFS; digital silence (below -140)
 *    is excluded; the floor is the 2nd percentile. Flagged when it is above
 *    -60 dBFS and at least 20 dB under the integrated loudness (so the quiet
 *    passages really are pauses: hiss or hum rather than quiet music).
 *  - Phase: flagged when the overall correlation is below -0.3 or the mono
 *    fold loses more than 4.5 LU (uncorrelated channels lose about 3).
 *
 * Units: seconds, dBFS; linear inside. Ownership: the range, dc_offset and
 * message arrays move into the mixdown_analysis. One thread.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"

#define CLIP_LEVEL 0.99996f

int mxd_prob_init(mxd_prob *p, double rate, uint32_t channels, double silence_dbfs)
{
	memset(p, 0, sizeof *p);
	p->channels = channels;
	p->rate = rate;
	p->silence_lin = pow(10.0, silence_dbfs / 20.0);
	p->first_loud = p->last_loud = -1;
	p->clips.gap = 0.05;
	p->nf_len = (uint64_t)(0.05 * rate + 0.5);
	if (p->nf_len == 0)
		p->nf_len = 1;
	p->dc_sum = calloc(channels, sizeof *p->dc_sum);
	p->run = calloc(channels, sizeof *p->run);
	p->first_counted = calloc(channels, 1);
	return p->dc_sum && p->run && p->first_counted ? 0 : -1;
}

int mxd_prob_add(mxd_prob *p, const float *x, size_t frames)
{
	const uint32_t ch = p->channels;
	for (size_t i = 0; i < frames; i++) {
		int64_t idx = (int64_t)(p->frames + i);
		double ms = 0;
		bool loud = false;
		for (uint32_t c = 0; c < ch; c++) {
			float v = x[i * ch + c], a = fabsf(v);
			p->dc_sum[c] += v;
			ms += (double)v * v;
			if (a >= p->silence_lin)
				loud = true;
			if (a < CLIP_LEVEL) {
				p->run[c] = 0;
				continue;
			}
			uint64_t add = 0;
			uint8_t neg = v < 0 ? 4 : 0; /* bit 2: the run's sign (a clipped run stays on one rail) */
			if (p->run[c] && (p->first_counted[c] & 4) != neg)
				p->run[c] = 0;
			uint32_t r = ++p->run[c];
			if (r == 1) {
				p->first_counted[c] = (uint8_t)((a > 1.0f) | neg); /* bit 0: first sample counted */
				add = a > 1.0f;
			} else if (r == 2) {
				add = a > 1.0f; /* only true overs until the run is 3 long */
				p->first_counted[c] |= (uint8_t)(add << 1);
			} else {
				add = 1;
				if (r == 3) /* count the run's first two samples now */
					add += (uint64_t)!(p->first_counted[c] & 1) + (uint64_t)!(p->first_counted[c] & 2);
			}
			if (!add)
				continue;
			p->clipped += add;
			double t = (double)idx / p->rate;
			double t0 = r == 3 ? t - 2.0 / p->rate : t;
			if (mxd_ranges_add(&p->clips, t0, t + 1.0 / p->rate, 1u << (c < 31 ? c : 31), add,
					   20.0 * log10(a), 1))
				return -1;
		}
		if (loud) {
			if (p->first_loud < 0)
				p->first_loud = idx;
			p->last_loud = idx;
		}
		p->nf_sum += ms;
		if (++p->nf_pos == p->nf_len) {
			double m = p->nf_sum / ((double)p->nf_len * ch);
			double db = m > 0 ? 10.0 * log10(m) : -INFINITY;
			if (db >= -140.0) {
				int bin = (int)((db + 140.0) / 0.5);
				p->nf_hist[bin < 0 ? 0 : bin >= MXD_NF_BINS ? MXD_NF_BINS - 1 : bin]++;
			}
			p->nf_pos = 0;
			p->nf_sum = 0;
		}
	}
	p->frames += frames;
	return 0;
}

int mxd_prob_message(mixdown_analysis *a, const char *fmt, ...)
{
	char(*m)[256] = realloc(a->problems.messages, (a->problems.n_messages + 1) * sizeof *m);
	if (!m)
		return -1;
	a->problems.messages = m;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m[a->problems.n_messages], sizeof m[0], fmt, ap);
	va_end(ap);
	a->problems.n_messages++;
	return 0;
}

int mxd_prob_finish(mxd_prob *p, mixdown_analysis *a)
{
	double dur = (double)p->frames / p->rate;
	a->problems.clipped_samples = p->clipped;
	a->problems.n_clips = p->clips.n;
	a->problems.clips = p->clips.v;
	p->clips.v = NULL;
	p->clips.n = p->clips.cap = 0;
	double dcmax = 0;
	for (uint32_t c = 0; c < p->channels; c++) {
		p->dc_sum[c] = p->frames ? p->dc_sum[c] / (double)p->frames : 0.0;
		if (fabs(p->dc_sum[c]) > dcmax)
			dcmax = fabs(p->dc_sum[c]);
	}
	a->problems.dc_offset = p->dc_sum;
	p->dc_sum = NULL;
	a->problems.dc_offset_max_dbfs = dcmax > 0 ? 20.0 * log10(dcmax) : -INFINITY;
	if (p->first_loud < 0) {
		a->problems.leading_silence = a->problems.trailing_silence = dur;
	} else {
		a->problems.leading_silence = (double)p->first_loud / p->rate;
		a->problems.trailing_silence = (double)((int64_t)p->frames - 1 - p->last_loud) / p->rate;
	}
	uint64_t total = 0;
	for (int b = 0; b < MXD_NF_BINS; b++)
		total += p->nf_hist[b];
	a->problems.noise_floor = -INFINITY;
	if (total) {
		uint64_t want = (uint64_t)ceil(0.02 * (double)total), acc = 0;
		for (int b = 0; b < MXD_NF_BINS; b++) {
			acc += p->nf_hist[b];
			if (acc >= want) {
				a->problems.noise_floor = -140.0 + 0.5 * (b + 0.5);
				break;
			}
		}
	}

	/* Human-readable list. */
	int rc = 0;
	if (p->clipped)
		rc |= mxd_prob_message(a, "clipping: %llu samples in %zu stretch(es), first at %.3f s",
				       (unsigned long long)p->clipped, a->problems.n_clips,
				       a->problems.n_clips ? a->problems.clips[0].start : 0.0);
	if (a->problems.overs)
		rc |= mxd_prob_message(a, "inter-sample overs: true peak %+.2f dBTP, %llu x 10 ms blocks over 0 dBTP, first at %.2f s",
				       a->loudness.true_peak, (unsigned long long)a->problems.overs,
				       a->problems.n_overs ? a->problems.overs_at[0].start : 0.0);
	for (uint32_t c = 0; c < p->channels; c++) {
		double v = a->problems.dc_offset[c];
		if (v != 0 && 20.0 * log10(fabs(v)) > -50.0)
			rc |= mxd_prob_message(a, "DC offset: channel %u mean %+.5f (%.1f dBFS)", c + 1, v,
					       20.0 * log10(fabs(v)));
	}
	if (p->first_loud < 0) {
		rc |= mxd_prob_message(a, "silent: no sample reaches the silence threshold");
	} else {
		if (a->problems.leading_silence > 0.5)
			rc |= mxd_prob_message(a, "silence at start: %.3f s", a->problems.leading_silence);
		if (a->problems.trailing_silence > 1.0)
			rc |= mxd_prob_message(a, "silence at end: %.3f s", a->problems.trailing_silence);
	}
	double nf = a->problems.noise_floor, I = a->loudness.integrated;
	if (isfinite(nf) && nf > -60.0 && isfinite(I) && nf <= I - 20.0)
		rc |= mxd_prob_message(a, "noise floor: quiet passages at %.1f dBFS (hiss or hum)", nf);
	if (a->stereo.valid && isfinite(I) && (a->stereo.correlation < -0.3 || a->stereo.mono_drop > 4.5))
		rc |= mxd_prob_message(a, "phase: correlation %+.2f, mono fold loses %.1f LU",
				       a->stereo.correlation, a->stereo.mono_drop);
	return rc ? -1 : 0;
}

void mxd_prob_free(mxd_prob *p)
{
	free(p->dc_sum);
	free(p->run);
	free(p->first_counted);
	free(p->clips.v);
	memset(p, 0, sizeof *p);
}
