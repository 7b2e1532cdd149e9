/* mixdown — tone feedback: comparisons with references and targets,
 * resonances and sibilance (part of mixdown_analysis_feedback, feedback.c).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Per comparison in a->compare, candidates are every one-octave region
 * (three adjacent one-third-octave bands) and the four broad bands, each
 * taken as the power sum of its bands (levels relative to loudness), on
 * both sides. A candidate's excess is its distance outside the reference
 * range: for a reference file the plain difference, for a target the
 * distance beyond the power sums of its 10th / 90th percentiles (0 inside;
 * a band-wise percentile summed is an envelope, not the percentile of the
 * sum, which a target does not carry). Reported:
 * the largest candidate whose |excess| is over 3 dB (reference) or 1 dB
 * (target, beyond the spread), and a second one at least an octave away
 * from it, each
 * with a suggested correction of one half to two thirds of the difference
 * (references differ in arrangement, so the difference is not meant to be
 * EQ'd away completely): a bell of Q about 1.4 (one octave) for a region,
 * Q 0.7 for a broad band, shelves at the ends of the spectrum. Priority 2
 * from 6 dB (reference) / 3 dB past the spread (target), else 3. A tilt
 * difference of 1 dB per octave or more is mentioned at priority 3.
 * Bands more than 60 dB below the loudness on either side are left out
 * (MXD_BAND_FLOOR, see compare.c). Resonances of 6 dB or more with Q up to
 * 40 (the three strongest) get a narrow cut at their own Q, priority 2 from
 * 10 dB; narrower peaks are spectral lines (held notes, hum) and get one
 * combined priority-3 note; sibilance stretches a de-esser suggestion.
 *
 * Units: dB, Hz, dB per octave, seconds. Reads the analysis only; one thread.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"

/* IEC 61260-1 nominal centre frequencies of the grid's bands, for readable text. */
static const double nominal[MIXDOWN_BANDS] = { 20,   25,   31.5, 40,   50,   63,    80,    100,   125,  160, 200,
					       250,  315,  400,  500,  630,  800,   1000,  1250,  1600, 2000, 2500,
					       3150, 4000, 5000, 6300, 8000, 10000, 12500, 16000, 20000 };

static const char *const broad_name[MIXDOWN_BROAD_BANDS] = {
	"The low band (below 250 Hz)",
	"The low-mid band (250 Hz-2 kHz)",
	"The high-mid band (2-8 kHz)",
	"The high band (above 8 kHz)",
};

/* Peaks narrower than this are spectral lines, not resonances: a ringing drum
 * or room mode has a Q of a few to a few tens; a sine's line is as narrow as
 * the analysis window makes it. */
#define MAX_RESONANCE_Q 40.0

static const double broad_lo[MIXDOWN_BROAD_BANDS] = { 0, 250, 2000, 8000 };
static const double broad_hi[MIXDOWN_BROAD_BANDS] = { 250, 2000, 8000, 1e6 };

static const char *nominal_str(char *buf, size_t n, double hz)
{
	if (hz < 1000)
		snprintf(buf, n, "%g Hz", hz);
	else
		snprintf(buf, n, "%g kHz", hz / 1000);
	return buf;
}

static const char *range_str(char *buf, size_t n, double lo, double hi)
{
	char b[32];
	if (hi < 1000)
		snprintf(buf, n, "%g-%g Hz", lo, hi);
	else if (lo >= 1000)
		snprintf(buf, n, "%g-%g kHz", lo / 1000, hi / 1000);
	else
		snprintf(buf, n, "%g Hz-%s", lo, nominal_str(b, sizeof b, hi));
	return buf;
}

/* "2-3 dB": one half to two thirds of |d|, at least 1 dB wide. */
static void amount(double d, int *lo, int *hi)
{
	d = fabs(d);
	*lo = (int)floor(d / 2.0);
	if (*lo < 1)
		*lo = 1;
	*hi = (int)lround(2.0 * d / 3.0);
	if (*hi <= *lo)
		*hi = *lo + 1;
}

/* Octave level around band k: the power sum of bands k-1..k+1 (all finite). */
static double octave(const double *v, int k)
{
	return 10.0 * log10(pow(10.0, v[k - 1] / 10.0) + pow(10.0, v[k] / 10.0) + pow(10.0, v[k + 1] / 10.0));
}

static double excess_of(double mine, double low, double high)
{
	return mine > high ? mine - high : mine < low ? mine - low : 0.0;
}

typedef struct {
	double lo_hz, hi_hz;      /* range covered, for overlap tests */
	double d;                 /* vs reference / target median, dB */
	double e;                 /* excess beyond the reference range, dB */
	int k;                    /* centre band of a region, or -1 */
	int broad;                /* broad band, or -1 */
} cand;

static void describe(mxd_fb_list *l, const mixdown_comparison *c, const cand *x)
{
	char who[200], what[64], where[48], tail[160], b[32];
	if (c->is_target) {
		snprintf(who, sizeof who, "the %.100s target's median", c->name);
	} else {
		const char *base = strrchr(c->name, '/');
		snprintf(who, sizeof who, "the reference (%.60s)", base ? base + 1 : c->name);
	}
	const bool above = x->d > 0 || (x->d == 0 && x->e > 0);
	int lo, hi;
	amount(x->d, &lo, &hi);
	const char *move = above ? "cut" : "boost";
	double centre;
	if (x->broad >= 0) {
		snprintf(what, sizeof what, "%s", broad_name[x->broad]);
		centre = x->broad == 0 ? 250 : x->broad == 1 ? 700 : x->broad == 2 ? 4000 : 8000;
	} else {
		snprintf(what, sizeof what, "%s",
			 range_str(where, sizeof where, nominal[x->k - 1], nominal[x->k + 1]));
		centre = nominal[x->k];
	}
	if (centre <= 250 && (x->broad == 0 || centre <= 63))
		snprintf(tail, sizeof tail, "a low shelf %s of %d-%d dB below %s", move, lo, hi,
			 nominal_str(b, sizeof b, x->broad == 0 ? 250 : nominal[x->k + 1]));
	else if (centre >= 8000 && (x->broad == 3 || centre >= 10000))
		snprintf(tail, sizeof tail, "a high shelf %s of %d-%d dB above %s", move, lo, hi,
			 nominal_str(b, sizeof b, x->broad == 3 ? 8000 : nominal[x->k - 1]));
	else
		snprintf(tail, sizeof tail, "a broad %s of %d-%d dB around %s (bell, Q≈%s)", move, lo, hi,
			 nominal_str(b, sizeof b, centre), x->broad >= 0 ? "0.7" : "1.4");
	char beyond[96] = "";
	if (c->is_target)
		snprintf(beyond, sizeof beyond, ", %.1f dB past its %s percentile", fabs(x->e),
			 above ? "90th" : "10th");
	const int prio = c->is_target ? (fabs(x->e) >= 3.0 ? 2 : 3) : (fabs(x->e) >= 6.0 ? 2 : 3);
	mxd_fb_add(l, prio, "tone", fabs(x->e), "%s is %.1f dB %s %s%s: try %s on the mix bus/master.", what,
		   fabs(x->d), above ? "above" : "below", who, beyond, tail);
}

/* Closer than an octave to each other: the second item must be about something else. */
static bool near(const cand *a, const cand *b)
{
	return a->lo_hz / 2.0 < b->hi_hz && b->lo_hz / 2.0 < a->hi_hz;
}

static void tone_compare(mxd_fb_list *l, const mixdown_comparison *c, const double mine[MIXDOWN_BANDS])
{
	cand v[MIXDOWN_BANDS + MIXDOWN_BROAD_BANDS];
	size_t n = 0;
	bool ok[MIXDOWN_BANDS];
	for (int k = 0; k < MIXDOWN_BANDS; k++)
		ok[k] = mine[k] > MXD_BAND_FLOOR && c->ref_level[k] > MXD_BAND_FLOOR && isfinite(c->ref_low[k]) &&
			isfinite(c->ref_high[k]);
	for (int k = 1; k + 1 < MIXDOWN_BANDS; k++) {
		if (!ok[k - 1] || !ok[k] || !ok[k + 1])
			continue;
		cand x = { .k = k, .broad = -1 };
		const double m = octave(mine, k), r = octave(c->ref_level, k);
		x.d = m - r;
		x.e = excess_of(m, octave(c->ref_low, k), octave(c->ref_high, k));
		double dummy;
		mxd_band_edges((size_t)(k - 1), &x.lo_hz, &dummy);
		mxd_band_edges((size_t)(k + 1), &dummy, &x.hi_hz);
		v[n++] = x;
	}
	for (int b = 0; b < MIXDOWN_BROAD_BANDS; b++) {
		double m[MIXDOWN_BANDS], r[MIXDOWN_BANDS], rl[MIXDOWN_BANDS], rh[MIXDOWN_BANDS];
		for (int k = 0; k < MIXDOWN_BANDS; k++) {
			m[k] = ok[k] ? mine[k] : -INFINITY;
			r[k] = ok[k] ? c->ref_level[k] : -INFINITY;
			rl[k] = ok[k] ? c->ref_low[k] : -INFINITY;
			rh[k] = ok[k] ? c->ref_high[k] : -INFINITY;
		}
		const double bm = mxd_broad_level(m, b), br = mxd_broad_level(r, b);
		if (!isfinite(bm) || !isfinite(br))
			continue;
		v[n++] = (cand){ .lo_hz = broad_lo[b],
				 .hi_hz = broad_hi[b],
				 .d = bm - br,
				 .e = excess_of(bm, mxd_broad_level(rl, b), mxd_broad_level(rh, b)),
				 .k = -1,
				 .broad = b };
	}
	const double thr = c->is_target ? 1.0 : 3.0;
	const cand *first = NULL, *second = NULL;
	for (size_t i = 0; i < n; i++)
		if (fabs(v[i].e) > thr && (!first || fabs(v[i].e) > fabs(first->e)))
			first = &v[i];
	/* A narrow peak fills the three octave windows that hold its band about
	 * equally: of the windows within 1 dB of the largest, name the one whose
	 * centre band differs most, in the same direction. */
	if (first && first->k >= 0) {
		const cand *best = first;
		for (size_t i = 0; i < n; i++) {
			const cand *x = &v[i];
			if (x->k < 0 || abs(x->k - first->k) > 2 || fabs(x->e) < fabs(first->e) - 1.0 ||
			    x->e * first->e <= 0)
				continue;
			const double dx = mine[x->k] - c->ref_level[x->k], db = mine[best->k] - c->ref_level[best->k];
			if (first->e > 0 ? dx > db : dx < db)
				best = x;
		}
		first = best;
	}
	if (first)
		for (size_t i = 0; i < n; i++)
			if (fabs(v[i].e) > thr && !near(&v[i], first) && (!second || fabs(v[i].e) > fabs(second->e)))
				second = &v[i];
	if (first)
		describe(l, c, first);
	if (second)
		describe(l, c, second);
	if (fabs(c->tilt_delta) >= 1.0) {
		char who[200];
		const char *base = strrchr(c->name, '/');
		if (c->is_target)
			snprintf(who, sizeof who, "the %.100s target", c->name);
		else
			snprintf(who, sizeof who, "the reference (%.60s)", base ? base + 1 : c->name);
		mxd_fb_add(l, 3, "tone", fabs(c->tilt_delta),
			   "Overall the spectrum tilts %.1f dB/octave %s than %s (50 Hz-16 kHz): a tilt EQ pivoting "
			   "around 1 kHz by about %.1f dB/octave the other way evens it out.",
			   fabs(c->tilt_delta), c->tilt_delta > 0 ? "brighter" : "darker", who,
			   0.6 * fabs(c->tilt_delta));
	}
}

static void resonance_items(mxd_fb_list *l, const mixdown_analysis *a)
{
	char hz[32], lines[200] = "";
	size_t shown = 0, n_lines = 0;
	double worst_line = 0;
	for (size_t i = 0; i < a->spectrum.n_resonances; i++) {
		const mixdown_resonance *r = &a->spectrum.resonances[i];
		if (!(r->prominence >= 6.0) || !isfinite(r->freq))
			continue;
		const double q = isfinite(r->q) ? r->q : 8.0;
		if (q > MAX_RESONANCE_Q) { /* a spectral line: a held note, a whistle, hum */
			if (n_lines < 3)
				snprintf(lines + strlen(lines), sizeof lines - strlen(lines), "%s%s (%+.1f dB)",
					 n_lines ? ", " : "", mxd_fmt_hz(hz, sizeof hz, r->freq), r->prominence);
			n_lines++;
			worst_line = fmax(worst_line, r->prominence);
			continue;
		}
		if (shown == 3)
			continue;
		int lo, hi;
		amount(r->prominence, &lo, &hi);
		mxd_fb_add(l, r->prominence >= 10.0 ? 2 : 3, "tone", r->prominence - 6.0,
			   "Narrow resonance at %s, %+.1f dB above the smoothed spectrum: a narrow cut (Q≈%.0f) of "
			   "%d-%d dB there, best on the track that rings.",
			   mxd_fmt_hz(hz, sizeof hz, r->freq), r->prominence, q < 2.0 ? 2.0 : q, lo, hi);
		shown++;
	}
	if (n_lines)
		mxd_fb_add(l, 3, "tone", worst_line - 6.0,
			   "Very narrow peaks at %s%s stand out of the smoothed spectrum (Q above %.0f): steady tones "
			   "such as held notes, whistles or hum rather than resonances. If they are not part of the "
			   "music, notch them (Q≈30) on the source.",
			   lines, n_lines > 3 ? " and more" : "", MAX_RESONANCE_Q);
}

static void sibilance_items(mxd_fb_list *l, const mixdown_analysis *a)
{
	const size_t n = a->spectrum.n_sibilance;
	if (!n || !a->spectrum.sibilance)
		return;
	double worst = -INFINITY;
	for (size_t i = 0; i < n; i++)
		worst = fmax(worst, a->spectrum.sibilance[i].peak);
	if (!isfinite(worst))
		return;
	int lo, hi;
	amount(worst, &lo, &hi);
	mxd_fb_add(l, worst >= 10.0 || n >= 5 ? 2 : 3, "tone", worst,
		   "Sibilance: 5-10 kHz jumps up to %.1f dB above the mix's average in %zu stretch%s, the first at "
		   "%.2f s: a de-esser on the vocal (around 5-8 kHz) taking %d-%d dB off those moments.",
		   worst, n, n == 1 ? "" : "es", a->spectrum.sibilance[0].start, lo, hi);
}

void mxd_fb_tone(mxd_fb_list *l, const mixdown_analysis *a)
{
	double mine[MIXDOWN_BANDS];
	if (mxd_relative_levels(a, mine) == 0)
		for (size_t i = 0; i < a->n_compare; i++)
			tone_compare(l, &a->compare[i], mine);
	if (a->spectrum.valid) {
		resonance_items(l, a);
		sibilance_items(l, a);
	}
}
