/* mixdown — strip silence (see silence.h): envelope, hysteresis, minimum
 * lengths, rolls. SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The envelope is built from 1 ms power sums, so memory is frames / (rate /
 * 1000) doubles whatever the file's length; a 10 ms window (ten hops, centred)
 * follows syllables while averaging out single cycles down to 100 Hz. Control
 * thread; allocates.
 */
#include "edit/silence.h"

#include <math.h>
#include <stdlib.h>

#define HOP_S 0.001
#define WIN_HOPS 10

mxd_silence_params mxd_silence_defaults(void)
{
	return (mxd_silence_params){ .open_db = -40.0,
				     .close_db = -48.0,
				     .min_silence = 0.25,
				     .min_keep = 0.05,
				     .pre_roll = 0.02,
				     .post_roll = 0.05,
				     .fade = 0.01 };
}

double mxd_silence_removed(const mxd_region *r, size_t n, double length)
{
	double kept = 0.0;
	for (size_t i = 0; i < n; i++)
		kept += fmin(r[i].end, length) - fmax(r[i].start, 0.0);
	return length > kept ? length - kept : 0.0;
}

/* Append [s, e) to the list, merging with the last region when they touch. */
static int push(mxd_region **r, size_t *n, size_t *cap, double s, double e)
{
	if (*n && s <= (*r)[*n - 1].end) {
		if (e > (*r)[*n - 1].end)
			(*r)[*n - 1].end = e;
		return 0;
	}
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 16;
		mxd_region *a = realloc(*r, c * sizeof *a);
		if (!a)
			return -1;
		*r = a;
		*cap = c;
	}
	(*r)[(*n)++] = (mxd_region){ s, e };
	return 0;
}

int mxd_silence_find(const float *const *ch, uint32_t channels, int64_t frames, double rate,
		     const mxd_silence_params *p, mxd_region **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!(p->close_db <= p->open_db) || p->min_silence < 0 || p->min_keep < 0 || p->pre_roll < 0 ||
	    p->post_roll < 0 || !(rate > 0) || channels == 0)
		return -1;
	if (frames <= 0)
		return 0;
	int64_t hop = (int64_t)lround(rate * HOP_S);
	if (hop < 1)
		hop = 1;
	size_t hops = (size_t)((frames + hop - 1) / hop);
	double *pw = calloc(hops, sizeof *pw);
	if (!pw)
		return -1;
	for (size_t j = 0; j < hops; j++) {
		int64_t a = (int64_t)j * hop, b = a + hop < frames ? a + hop : frames;
		double s = 0.0;
		for (uint32_t c = 0; c < channels; c++)
			for (int64_t i = a; i < b; i++)
				s += (double)ch[c][i] * ch[c][i];
		pw[j] = s / channels;
	}
	const double open = pow(10.0, p->open_db / 10.0), close = pow(10.0, p->close_db / 10.0);
	const double len = (double)frames / rate;
	/* Sounds (hysteresis): times of the hop centres where the state changes. */
	mxd_region *snd = NULL, *keep = NULL;
	size_t ns = 0, cs = 0, nk = 0, ck = 0;
	int fail = 0;
	double win = 0.0;
	size_t lo = 0, hi = 0; /* the window covers hops [lo, hi) */
	int on = 0;
	double t_on = 0.0;
	for (size_t j = 0; j < hops && !fail; j++) {
		size_t want_lo = j >= WIN_HOPS / 2 ? j - WIN_HOPS / 2 : 0;
		size_t want_hi = j + WIN_HOPS / 2 < hops ? j + WIN_HOPS / 2 : hops;
		while (hi < want_hi)
			win += pw[hi++];
		while (lo < want_lo)
			win -= pw[lo++];
		if (win < 0.0)
			win = 0.0; /* rounding of the running sum */
		double ms = win / ((double)(hi - lo) * hop);
		double t = (double)j * hop / rate;
		if (!on && ms >= open) {
			on = 1;
			t_on = t;
		} else if (on && ms < close) {
			on = 0;
			fail = push(&snd, &ns, &cs, t_on, t);
		}
	}
	if (on && !fail)
		fail = push(&snd, &ns, &cs, t_on, len);
	free(pw);
	/* Bridge short silences, then drop short sounds, then add the rolls. */
	size_t m = 0;
	for (size_t i = 0; i < ns && !fail; i++) {
		if (m && snd[i].start - snd[m - 1].end < p->min_silence)
			snd[m - 1].end = snd[i].end;
		else
			snd[m++] = snd[i];
	}
	for (size_t i = 0; i < m && !fail; i++) {
		if (snd[i].end - snd[i].start < p->min_keep)
			continue;
		double s = fmax(0.0, snd[i].start - p->pre_roll), e = fmin(len, snd[i].end + p->post_roll);
		fail = push(&keep, &nk, &ck, s, e);
	}
	free(snd);
	if (fail) {
		free(keep);
		return -1;
	}
	/* A gap left shorter than min_silence by the rolls is not worth a cut. */
	m = 0;
	for (size_t i = 0; i < nk; i++) {
		if (m && keep[i].start - keep[m - 1].end < p->min_silence)
			keep[m - 1].end = keep[i].end;
		else
			keep[m++] = keep[i];
	}
	*out = keep;
	*n = m;
	return 0;
}
