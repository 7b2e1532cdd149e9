/* mixdown — the built-in genre targets: pop, rock, hip-hop, electronic,
 * classical, podcast (speech).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * None of these is a measurement of a genre's commercial releases (no such
 * open data was at hand); each is a documented model, derived here at first
 * use from published numbers, and docs/targets.md prints the results:
 *  - pop, rock, hip-hop, electronic: the MUSDB18 per-stem average spectra
 *    of Sony's FxNorm-automix (MIT; octave bands, dB re. the 1 kHz band;
 *    ../shared/docs/mixing-knowledge.md section 2.2). Each stem is brought to
 *    the same loudness (0 LUFS by target_model.c), the stems are summed as
 *    uncorrelated powers with per-genre stem gains (pop: all 0 dB; rock:
 *    "other" = guitars/keys +3 dB; hip-hop: bass +6 dB; electronic: bass
 *    +4 dB, drums +3 dB); the gains are our assumption, not data.
 *  - podcast: the ANSI S3.5-1997 (R2017) Table 3 standard speech spectrum,
 *    normal vocal effort (spectrum levels, dB/Hz, 160 Hz - 8 kHz), made band
 *    levels by adding 10 log10(bandwidth); below 160 Hz and above 8 kHz it
 *    falls 12 dB per octave (an assumption: voice fundamentals and the usual
 *    80 Hz high-pass; little speech energy above 10 kHz).
 *  - classical: a stated shape, not data: flat one-third-octave levels from
 *    160 to 630 Hz, falling 5 dB per octave above and 6 dB per octave below.
 * Octave values sit on the grid's bands 31.6 Hz, 63.1 Hz, ... (every third
 * band); bands between are linear in dB over log frequency, bands beyond
 * the ends continue the outermost slope. Every model is then scaled so that
 * a stereo programme with it measures 0 LUFS (mxd_band_lufs), i.e. levels
 * are dB re. integrated loudness like measured spectra. p10/p90 are the
 * median -/+ an assumed spread: 3 dB from 125 Hz to 4 kHz, 0.5 dB more per
 * band outside (7 dB at 20 Hz, 6.5 dB at 20 kHz), since references differ
 * most in sub-bass and air. Loudness: -16 LUFS for podcast (common practice,
 * ../shared/docs/delivery-targets.md); NAN elsewhere (no source).
 *
 * The table is computed once (pthread_once) and read-only afterwards, so the
 * returned pointers may be used from any thread.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "analysis/analysis.h"

#define N_OCT MXD_STEM_OCTAVES /* octave bands 31.5 Hz .. 16 kHz = grid bands 2, 5, ..., 29 */
enum { VOCALS = MXD_STEM_VOCALS, DRUMS = MXD_STEM_DRUMS, BASS = MXD_STEM_BASS, OTHER = MXD_STEM_OTHER, N_STEMS };

/* FxNorm-automix features_MUSDB18, octave-band summary, dB re. the 1 kHz band. */
static const double stem_oct[N_STEMS][N_OCT] = {
	{ -25.4, -19.1, -10.5, -2.5, 1.2, 0, -3.5, -7.0, -11.2, -20.2 }, /* vocals */
	{ 4.6, 10.6, 12.0, 8.2, 3.6, 0, -0.3, 2.0, 1.3, -4.9 },         /* drums */
	{ 12.3, 19.8, 22.9, 17.1, 5.8, 0, -1.6, -7.1, -22.5, -26.2 },    /* bass */
	{ -12.9, -8.6, -2.7, 2.1, 1.8, 0, -0.2, -4.5, -16.8, -26.4 },    /* other */
};

double mxd_stem_octave_level(mxd_stem stem, size_t oct)
{
	return (unsigned)stem < N_STEMS && oct < N_OCT ? stem_oct[stem][oct] : NAN;
}

/* ANSI S3.5-1997 Table 3, standard speech spectrum level, normal effort (dB/Hz),
 * one-third-octave bands 160 Hz .. 8 kHz = grid bands 9 .. 26. */
#define SPEECH_FIRST 9
static const double speech_ssl[18] = { 32.41, 34.48, 34.75, 33.98, 34.59, 34.27, 32.06, 28.30, 25.01,
				       23.00, 20.15, 17.32, 13.18, 11.55, 9.33,  5.31,  2.59,  1.13 };

static const char src_musdb[] =
	"MODEL, not a measurement: MUSDB18 per-stem average spectra (Sony FxNorm-automix features, MIT; octave bands) "
	"with the four stems at equal loudness, summed as powers";
static const char src_spread[] = "; p10/p90 = median -/+ an assumed spread (3 dB 125 Hz-4 kHz, +0.5 dB per band "
				 "outside). See docs/targets.md.";

typedef struct {
	const char *name;
	const char *recipe;       /* appended to the source text */
	double stem_gain[N_STEMS]; /* dB */
	int kind;                 /* 0 MUSDB mix model, 1 speech, 2 stated slope */
	double loudness;
} recipe;

static const recipe recipes[] = {
	{ "pop", " (all stems 0 dB)", { 0, 0, 0, 0 }, 0, NAN },
	{ "rock", "; 'other' stem (guitars, keys) +3 dB, an assumption", { 0, 0, 0, 3 }, 0, NAN },
	{ "hip-hop", "; bass stem +6 dB, an assumption", { 0, 0, 6, 0 }, 0, NAN },
	{ "electronic", "; bass stem +4 dB and drums +3 dB, an assumption", { 0, 3, 4, 0 }, 0, NAN },
	{ "classical", NULL, { 0 }, 2, NAN },
	{ "podcast", NULL, { 0 }, 1, -16.0 },
};
#define N_BUILTIN (sizeof recipes / sizeof recipes[0])

static mixdown_target table[N_BUILTIN];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Fill out[] from values at some bands (NAN elsewhere): linear between known
 * bands; beyond the ends `slope` dB per band, or the outermost segment's slope
 * when slope is NAN. */
static void interpolate(double out[MIXDOWN_BANDS], double slope)
{
	int first = -1, last = -1;
	for (int k = 0; k < MIXDOWN_BANDS; k++)
		if (!isnan(out[k])) {
			if (first < 0)
				first = k;
			else
				for (int j = last + 1; j < k; j++)
					out[j] = out[last] + (out[k] - out[last]) * (j - last) / (k - last);
			last = k;
		}
	int second = first + 1, before_last = last - 1;
	while (isnan(out[second]))
		second++;
	while (isnan(out[before_last]))
		before_last--;
	const double lo = isnan(slope) ? (out[second] - out[first]) / (second - first) : -slope;
	const double hi = isnan(slope) ? (out[last] - out[before_last]) / (last - before_last) : slope;
	for (int j = 0; j < first; j++)
		out[j] = out[first] - lo * (first - j);
	for (int j = last + 1; j < MIXDOWN_BANDS; j++)
		out[j] = out[last] + hi * (j - last);
}

static void shift_to_0_lufs(double v[MIXDOWN_BANDS])
{
	const double L = mxd_band_lufs(v);
	for (size_t k = 0; k < MIXDOWN_BANDS; k++)
		v[k] -= L;
}

static void musdb_model(const double gain[N_STEMS], double out[MIXDOWN_BANDS])
{
	double power[MIXDOWN_BANDS] = { 0 };
	for (int s = 0; s < N_STEMS; s++) {
		double v[MIXDOWN_BANDS];
		for (int k = 0; k < MIXDOWN_BANDS; k++)
			v[k] = NAN;
		for (int j = 0; j < N_OCT; j++)
			v[2 + 3 * j] = stem_oct[s][j];
		interpolate(v, NAN);
		shift_to_0_lufs(v); /* equal loudness per stem */
		for (int k = 0; k < MIXDOWN_BANDS; k++)
			power[k] += pow(10.0, (v[k] + gain[s]) / 10.0);
	}
	for (int k = 0; k < MIXDOWN_BANDS; k++)
		out[k] = 10.0 * log10(power[k]);
}

static void speech_model(double out[MIXDOWN_BANDS])
{
	for (int k = 0; k < MIXDOWN_BANDS; k++)
		out[k] = NAN;
	for (int j = 0; j < 18; j++) {
		double lo, hi;
		mxd_band_edges((size_t)(SPEECH_FIRST + j), &lo, &hi);
		out[SPEECH_FIRST + j] = speech_ssl[j] + 10.0 * log10(hi - lo);
	}
	interpolate(out, -4.0); /* -12 dB per octave beyond 160 Hz .. 8 kHz */
}

static void classical_model(double out[MIXDOWN_BANDS])
{
	const int flat_lo = 9, flat_hi = 15; /* 160 Hz .. 630 Hz */
	for (int k = 0; k < MIXDOWN_BANDS; k++)
		out[k] = k < flat_lo ? -2.0 * (flat_lo - k) : k > flat_hi ? -5.0 / 3.0 * (k - flat_hi) : 0.0;
}

static double spread(int k)
{
	const int lo = 8, hi = 23; /* 125 Hz .. 4 kHz */
	return 3.0 + 0.5 * (k < lo ? lo - k : k > hi ? k - hi : 0);
}

static void build_all(void)
{
	for (size_t i = 0; i < N_BUILTIN; i++) {
		const recipe *r = &recipes[i];
		mixdown_target *t = &table[i];
		memset(t, 0, sizeof *t);
		snprintf(t->name, sizeof t->name, "%s", r->name);
		if (r->kind == 0) {
			musdb_model(r->stem_gain, t->median);
			snprintf(t->source, sizeof t->source, "%s%s%s", src_musdb, r->recipe, src_spread);
		} else if (r->kind == 1) {
			speech_model(t->median);
			snprintf(t->source, sizeof t->source,
				 "MODEL: ANSI S3.5-1997 Table 3 standard speech spectrum, normal vocal effort, 160 "
				 "Hz-8 kHz; beyond, an assumed -12 dB/octave; loudness -16 LUFS (common podcast "
				 "practice)%s",
				 src_spread);
		} else {
			classical_model(t->median);
			snprintf(t->source, sizeof t->source,
				 "STATED SHAPE, not a measurement: flat 160-630 Hz, -5 dB/octave above, -6 dB/octave "
				 "below%s",
				 src_spread);
		}
		shift_to_0_lufs(t->median);
		for (int k = 0; k < MIXDOWN_BANDS; k++) {
			t->p10[k] = t->median[k] - spread(k);
			t->p90[k] = t->median[k] + spread(k);
		}
		t->n_files = 0;
		t->loudness = r->loudness;
		t->range = t->plr = NAN;
	}
}

size_t mixdown_target_builtin_count(void)
{
	return N_BUILTIN;
}

const mixdown_target *mixdown_target_builtin(size_t i)
{
	if (i >= N_BUILTIN)
		return NULL;
	pthread_once(&once, build_all);
	return &table[i];
}

const mixdown_target *mixdown_target_find(const char *name)
{
	if (!name)
		return NULL;
	if (!strcmp(name, "speech")) /* alias: "podcast" is also a delivery preset name */
		name = "podcast";
	for (size_t i = 0; i < N_BUILTIN; i++)
		if (!strcmp(recipes[i].name, name))
			return mixdown_target_builtin(i);
	return NULL;
}
