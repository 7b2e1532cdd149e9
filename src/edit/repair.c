/* mixdown — the detectors of repair.h: clicks, clipping, hum and the noise
 * profile, each running the same DSP core as its processor
 * (src/edit/repair_dsp.c), so what a scan reports is what the processor
 * repairs.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Control thread; allocates; deterministic. Inputs are only read.
 */
#include "edit/repair.h"

#include <kiss_fftr.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "edit/repair_dsp.h"

_Static_assert(MXD_NOISE_BANDS == MXD_NZ_BANDS, "repair.h and repair_dsp.h agree on the bands");

/* ------------------------------------------------------------- clicks */

#define CLICK_HOP 1024u /* as fx_declick.c */

typedef struct {
	int64_t start;
	uint32_t len;
	double strength;
} found_click;

static int cmp_click(const void *a, const void *b)
{
	const found_click *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

size_t mxd_click_scan(const float *const *ch, uint32_t channels, int64_t frames, double rate, double sensitivity,
		      mxd_click *out, size_t max)
{
	if (!ch || channels == 0 || frames <= 0 || !(rate > 0))
		return 0;
	/* The geometry and default max_length of the declick processor at this
	 * rate: what is reported here is what `declick` repairs. */
	const uint32_t ctx = MXD_CLICK_ORDER + (uint32_t)ceil(MXD_CLICK_MAX_MS * 1e-3 * rate) + 16;
	const uint32_t win = ctx + CLICK_HOP + ctx;
	const uint32_t max_len = (uint32_t)fmax(1.0, round(MXD_CLICK_DEFAULT_MS * 1e-3 * rate));
	const double k = mxd_click_k(sensitivity);
	mxd_ar_work ar;
	double *x = malloc(win * sizeof *x);
	size_t cap = 256, n = 0;
	found_click *all = malloc(cap * sizeof *all);
	mxd_click_span spans[64];
	if (!x || !all || mxd_ar_work_init(&ar, win, MXD_CLICK_ORDER, ctx) != 0) {
		free(x);
		free(all);
		return 0;
	}
	for (uint32_t c = 0; c < channels; c++) {
		for (int64_t t0 = 0; t0 < frames; t0 += CLICK_HOP) {
			for (uint32_t i = 0; i < win; i++) {
				int64_t t = t0 - ctx + i;
				double v = t >= 0 && t < frames ? ch[c][t] : 0.0;
				x[i] = isfinite(v) ? v : 0.0;
			}
			size_t got = mxd_click_detect(&ar, x, win, ctx, ctx + CLICK_HOP, k, max_len, spans, 64);
			for (size_t i = 0; i < got; i++) {
				int64_t at = t0 - ctx + spans[i].start;
				if (at >= frames)
					continue;
				if (n == cap) {
					found_click *more = realloc(all, 2 * cap * sizeof *all);
					if (!more)
						break;
					all = more;
					cap *= 2;
				}
				all[n++] = (found_click){ at, spans[i].len, spans[i].strength_db };
			}
		}
	}
	mxd_ar_work_free(&ar);
	free(x);
	qsort(all, n, sizeof *all, cmp_click);
	/* One click per event: channels that clicked together (overlapping or
	 * within 1 ms) merge. */
	const int64_t join = (int64_t)ceil(1e-3 * rate);
	size_t total = 0;
	for (size_t i = 0; i < n;) {
		int64_t s = all[i].start, e = all[i].start + all[i].len;
		double str = all[i].strength;
		size_t j = i + 1;
		while (j < n && all[j].start <= e + join) {
			if (all[j].start + (int64_t)all[j].len > e)
				e = all[j].start + all[j].len;
			str = fmax(str, all[j].strength);
			j++;
		}
		if (out && total < max)
			out[total] = (mxd_click){ (double)s / rate, (double)(e - s) * 1e3 / rate, str };
		total++;
		i = j;
	}
	free(all);
	return total;
}

/* ----------------------------------------------------------- clipping */

size_t mxd_clip_scan(const float *const *ch, uint32_t channels, int64_t frames, double *clip_level)
{
	double level = 0;
	if (clip_level)
		*clip_level = 0;
	if (!ch || channels == 0 || frames <= 0)
		return 0;
	for (uint32_t c = 0; c < channels; c++) {
		mxd_clip_tracker t = { 0 };
		for (int64_t i = 0; i < frames; i++)
			mxd_clip_tracker_feed(&t, ch[c][i]);
		level = fmax(level, t.level);
	}
	if (!(level > 0))
		return 0;
	size_t runs = 0;
	const double thr = level * (1 - 1e-6);
	for (uint32_t c = 0; c < channels; c++) {
		int64_t run = 0;
		for (int64_t i = 0; i <= frames; i++) {
			if (i < frames && fabs((double)ch[c][i]) >= thr) {
				run++;
				continue;
			}
			runs += run >= 3;
			run = 0;
		}
	}
	if (clip_level)
		*clip_level = level;
	return runs;
}

/* --------------------------------------------------------------- hum */

double mxd_hum_detect(const float *const *ch, uint32_t channels, int64_t frames, double rate, double *level_db)
{
	if (level_db)
		*level_db = -INFINITY;
	if (!ch || channels == 0 || frames <= 0 || !(rate > 0))
		return 0;
	/* The dehum tracker on both series, and a reference series at 1.25 f0
	 * (its first 3 harmonics at least 12.5 Hz from any mains harmonic,
	 * outside the 0.2 s Hann window's main lobe) for what the spectrum
	 * holds anyway. */
	mxd_hum_tracker t[2], ref[2];
	double hum[2] = { 0, 0 }, off[2] = { 0, 0 }, ms = 0;
	for (int i = 0; i < 2; i++) {
		mxd_hum_tracker_init(&t[i], rate, i ? 60.0 : 50.0);
		mxd_hum_tracker_init(&ref[i], rate, i ? 75.0 : 62.5);
	}
	uint32_t blocks = 0;
	for (int64_t n = 0; n < frames; n++) {
		double x = 0;
		for (uint32_t c = 0; c < channels; c++)
			x += isfinite(ch[c][n]) ? ch[c][n] : 0.0f;
		x /= channels;
		ms += x * x;
		bool ended = false;
		for (int i = 0; i < 2; i++) {
			ended |= mxd_hum_tracker_feed(&t[i], x);
			ref[i].f = ref[i].f_nom; /* the reference does not track */
			mxd_hum_tracker_feed(&ref[i], x);
			ref[i].f = ref[i].f_nom;
		}
		if (ended && t[0].blocks > 1) { /* the first block only locks the phase */
			for (int i = 0; i < 2; i++) {
				hum[i] += t[i].power;
				off[i] += ref[i].power;
			}
			blocks++;
		}
	}
	if (blocks == 0 || !(ms > 0))
		return 0;
	int best = hum[1] > hum[0];
	/* A series counts as hum 10 dB above the off-series reference. */
	if (!(hum[best] > 10.0 * off[best]) || !(hum[best] > 0))
		return 0;
	/* power sums amplitude^2 of sines: a sine's mean square is A^2 / 2. */
	if (level_db)
		*level_db = 10 * log10(hum[best] / blocks / 2.0 / (ms / frames));
	return t[best].f;
}

/* ------------------------------------------------------- noise profile */

int mxd_noise_profile_learn(const float *const *ch, uint32_t channels, int64_t frames, double rate, int64_t from,
			    int64_t to, double profile_db[MXD_NOISE_BANDS])
{
	const uint32_t N = MXD_NZ_FFT, bins = N / 2 + 1, hop = N / 2;
	if (!ch || channels == 0 || !(rate > 0) || frames < (int64_t)N)
		return -1;
	bool region = from >= 0;
	if (region) {
		to = to > frames ? frames : to;
		if (to - from < (int64_t)N)
			return -1;
	} else {
		from = 0;
		to = frames;
	}
	int64_t n_frames = (to - from - N) / hop + 1;
	kiss_fftr_cfg fft = kiss_fftr_alloc((int)N, 0, NULL, NULL);
	float *tbuf = malloc(N * sizeof *tbuf), *win = malloc(N * sizeof *win);
	kiss_fft_cpx *spec = malloc(bins * sizeof *spec);
	double *pw = calloc((size_t)n_frames * bins, sizeof *pw), *energy = calloc((size_t)n_frames, sizeof *energy);
	double *mean = calloc(bins, sizeof *mean);
	int rc = -1;
	if (!fft || !tbuf || !win || !spec || !pw || !energy || !mean)
		goto done;
	for (uint32_t i = 0; i < N; i++)
		win[i] = (float)mxd_nz_window(i);
	for (int64_t f = 0; f < n_frames; f++) {
		int64_t at = from + f * hop;
		for (uint32_t c = 0; c < channels; c++) {
			for (uint32_t i = 0; i < N; i++) {
				float v = ch[c][at + i];
				tbuf[i] = (isfinite(v) ? v : 0.0f) * win[i];
			}
			kiss_fftr(fft, tbuf, spec);
			for (uint32_t k = 0; k < bins; k++) {
				double p = (double)spec[k].r * spec[k].r + (double)spec[k].i * spec[k].i;
				pw[(size_t)f * bins + k] += p / channels;
				energy[f] += p;
			}
		}
	}
	/* Automatic: the quietest 10 % of the frames (at least one) that are not
	 * digital silence: the noise floor between the phrases. */
	size_t used = 0;
	if (!region) {
		double *sorted = malloc((size_t)n_frames * sizeof *sorted);
		size_t live = 0;
		if (!sorted)
			goto done;
		for (int64_t f = 0; f < n_frames; f++)
			if (energy[f] > 0)
				sorted[live++] = energy[f];
		if (live == 0) {
			free(sorted);
			for (int b = 0; b < MXD_NOISE_BANDS; b++)
				profile_db[b] = -150.0;
			rc = 0;
			goto done;
		}
		for (size_t i = 1; i < live; i++) /* insertion sort: frames are few */
			for (size_t j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
				double tmp = sorted[j];
				sorted[j] = sorted[j - 1];
				sorted[j - 1] = tmp;
			}
		size_t take = live / 10 ? live / 10 : 1;
		double limit = sorted[take - 1];
		free(sorted);
		for (int64_t f = 0; f < n_frames; f++)
			if (energy[f] > 0 && energy[f] <= limit && used < take) {
				for (uint32_t k = 0; k < bins; k++)
					mean[k] += pw[(size_t)f * bins + k];
				used++;
			}
	} else {
		for (int64_t f = 0; f < n_frames; f++)
			for (uint32_t k = 0; k < bins; k++)
				mean[k] += pw[(size_t)f * bins + k];
		used = (size_t)n_frames;
	}
	for (uint32_t k = 0; k < bins; k++)
		mean[k] /= (double)used;
	mxd_nz_bands_from_bins(mean, rate, profile_db);
	rc = 0;
done:
	kiss_fftr_free(fft);
	free(tbuf);
	free(win);
	free(spec);
	free(pw);
	free(energy);
	free(mean);
	return rc;
}
