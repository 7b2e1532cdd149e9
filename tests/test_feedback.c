/* mixdown — feedback (mixdown_analysis_feedback): planted situations in
 * hand-made analyses must produce the right suggestion, with the right
 * numbers and priority; a clean analysis produces none; the list is sorted;
 * the JSON carries "compare" and "feedback"; and a real clipped, over-loud
 * file analyzed end to end gets the clipping and Spotify items.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Units: LUFS, LU, dBTP, dBFS, dB, s. Delivery checks come from the real
 * delivery module (mxd_delivery_check), so the platform numbers in the texts
 * are the ones the analyzer would report. */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "harness.h"
#include "mixdown/mixdown.h"
#include "util.h"

/* A clean stereo master: -14.5 LUFS, -1.5 dBTP, healthy PLR and LRA, centred,
 * correlated, no problems, the pop target's spectrum. */
static mixdown_analysis *clean(void)
{
	mixdown_analysis *a = calloc(1, sizeof *a);
	snprintf(a->path, sizeof a->path, "mix.wav");
	a->sample_rate = 48000;
	a->channels = 2;
	a->duration = 200;
	a->frames = 200 * 48000;
	a->loudness.integrated = -14.5;
	a->loudness.range = 6.0;
	a->loudness.true_peak = -1.5;
	a->loudness.sample_peak = -1.7;
	a->dynamics.plr = 13.0;
	a->dynamics.psr_min = 8.0;
	a->stereo.valid = true;
	a->stereo.correlation = 0.4;
	a->stereo.width = 0.3;
	a->stereo.balance = 0.2;
	a->stereo.mono_drop = 1.5;
	a->problems.dc_offset = calloc(2, sizeof *a->problems.dc_offset);
	a->problems.dc_offset_max_dbfs = -INFINITY;
	a->problems.leading_silence = 0.1;
	a->problems.trailing_silence = 0.3;
	a->problems.noise_floor = -90;
	a->spectrum.valid = true;
	const mixdown_target *pop = mixdown_target_find("pop");
	for (size_t k = 0; k < MIXDOWN_BANDS; k++)
		a->spectrum.level[k] = pop->median[k] + a->loudness.integrated;
	return a;
}

/* Set loudness and true peak (PLR follows) and redo the delivery checks. */
static void set_level(mixdown_analysis *a, double I, double tp, const char *only)
{
	a->loudness.integrated = I;
	a->loudness.true_peak = tp;
	a->loudness.sample_peak = tp - 0.2;
	a->dynamics.plr = tp - I;
	free(a->delivery);
	a->delivery = NULL;
	CHECK_INT(mxd_delivery_check(a, only), 0);
}

static const mixdown_feedback *find(const mixdown_analysis *a, const char *topic, const char *needle)
{
	for (size_t i = 0; i < a->n_feedback; i++)
		if (!strcmp(a->feedback[i].topic, topic) && strstr(a->feedback[i].text, needle))
			return &a->feedback[i];
	return NULL;
}

/* The item of `topic` containing every needle, at the given priority. */
static void expect_item(const mixdown_analysis *a, int priority, const char *topic, const char *const *needles)
{
	const mixdown_feedback *f = find(a, topic, needles[0]);
	CHECK_MSG(f != NULL, "no %s item containing \"%s\" (%zu items)", topic, needles[0], a->n_feedback);
	if (!f) {
		for (size_t i = 0; i < a->n_feedback; i++)
			printf("# [%d %s] %s\n", a->feedback[i].priority, a->feedback[i].topic, a->feedback[i].text);
		return;
	}
	CHECK_MSG(f->priority == priority, "priority %d, expected %d: %s", f->priority, priority, f->text);
	for (size_t i = 1; needles[i]; i++)
		CHECK_STR_CONTAINS(f->text, needles[i]);
	CHECK(strlen(f->text) < sizeof f->text - 1); /* never cut off */
}

#define NEEDLES(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void check_sorted(const mixdown_analysis *a)
{
	for (size_t i = 1; i < a->n_feedback; i++)
		CHECK(a->feedback[i - 1].priority <= a->feedback[i].priority);
	for (size_t i = 0; i < a->n_feedback; i++) {
		CHECK(a->feedback[i].priority >= 1 && a->feedback[i].priority <= 3);
		CHECK(strlen(a->feedback[i].text) < sizeof a->feedback[i].text - 1);
	}
}

static void t_clean(void)
{
	mixdown_analysis *a = clean();
	set_level(a, -14.5, -1.5, NULL);
	CHECK_INT(mixdown_analysis_compare_target(a, mixdown_target_find("pop")), 0);
	CHECK_INT(mixdown_analysis_feedback(a), 0);
	for (size_t i = 0; i < a->n_feedback; i++)
		CHECK_MSG(a->feedback[i].priority != 1, "priority 1 on a clean mix: %s", a->feedback[i].text);
	CHECK_INT(a->n_feedback, 0);
	/* Rebuilding replaces the list. */
	CHECK_INT(mixdown_analysis_feedback(a), 0);
	CHECK_INT(a->n_feedback, 0);
	mixdown_analysis_free(a);
}

static void t_loud_and_squashed(void)
{
	/* The example: -8.9 LUFS with PLR 6 dB. Spotify: -14 - (-8.9) = -5.1 dB;
	 * Apple Music (-16 LUFS): -7.1 dB. */
	mixdown_analysis *a = clean();
	set_level(a, -8.9, -2.9, NULL);
	CHECK_INT(mixdown_analysis_feedback(a), 0);
	const mixdown_feedback *f = find(a, "loudness", "Spotify");
	CHECK(f != NULL);
	if (f) {
		CHECK(f->priority == 1 || f->priority == 2);
		CHECK_STR_CONTAINS(f->text, "-5.1 dB");
		CHECK_STR_CONTAINS(f->text, "Integrated -8.9 LUFS with PLR 6.0 dB");
		CHECK_STR_CONTAINS(f->text, "Apple Music -7.1 dB");
	}
	/* The PLR is said once, in that item, not again under dynamics. */
	CHECK(find(a, "dynamics", "PLR") == NULL);
	check_sorted(a);
	/* Only YouTube checked: the same item names YouTube. */
	set_level(a, -8.9, -2.9, "youtube");
	CHECK_INT(mixdown_analysis_feedback(a), 0);
	expect_item(a, 2, "loudness", NEEDLES("YouTube turns it down by 5.1 dB", "(-5.1 dB, to -14 LUFS)"));
	/* Loud but open (PLR 10): no loudness complaint. */
	set_level(a, -11.0, -1.0, NULL);
	CHECK_INT(mixdown_analysis_feedback(a), 0);
	CHECK(find(a, "loudness", "turns it down") == NULL);
	mixdown_analysis_free(a);
}

static void t_quiet_and_clipping_after_normalization(void)
{
	/* -20 LUFS with true peak -2 dBTP: Spotify raises only +1 dB (to -1 dBTP) -> -19 LUFS,
	 * 5 dB short. Apple Music raises +4 dB: true peak +2 dBTP, clipping. */
	mixdown_analysis *a = clean();
	set_level(a, -20.0, -2.0, NULL);
	CHECK_INT(mixdown_analysis_feedback(a), 0);
	expect_item(a, 2, "loudness",
		    NEEDLES("Spotify raises it only +1.0 dB", "plays 5.0 dB quieter", "Integrated -20.0 LUFS"));
	expect_item(a, 2, "delivery", NEEDLES("passes 0 dBTP", "Apple Music +4.0 dB -> +2.0 dBTP"));
	/* Amazon and Tidal (-14, both ways): +6 dB -> +4 dBTP, the worst: 4.0 dB to take off. */
	expect_item(a, 2, "delivery", NEEDLES("Amazon Music +6.0 dB -> +4.0 dBTP", "down 4.0 dB"));
	check_sorted(a);
	mixdown_analysis_free(a);
}

static void t_delivery_spec(void)
{
	/* EBU R 128 asked for explicitly: -18.3 LUFS needs -4.7 dB. */
	mixdown_analysis *a = clean();
	set_level(a, -18.3, -3.0, "ebu-r128");
	CHECK_INT(mixdown_analysis_feedback(a), 0);
	expect_item(a, 1, "delivery", NEEDLES("EBU R 128", "-23.0 LUFS", "apply -4.7 dB", "-7.7 dBTP"));
	/* Within tolerance: nothing. */
	set_level(a, -23.1, -8.0, "ebu-r128");
	CHECK_INT(mixdown_analysis_feedback(a), 0);
	CHECK(find(a, "delivery", "EBU") == NULL);
	mixdown_analysis_free(a);
}

static void t_peaks_and_clips(void)
{
	mixdown_analysis *a = clean();
	set_level(a, -10.0, 0.8, NULL);
	a->problems.overs = 37;
	a->problems.n_overs = 1;
	a->problems.overs_at = calloc(1, sizeof *a->problems.overs_at);
	a->problems.overs_at[0] = (mixdown_analysis_range){ .start = 12.34, .end = 12.5, .channel_mask = 1,
							    .count = 37, .peak = 0.8 };
	a->problems.clipped_samples = 120;
	a->problems.n_clips = 2;
	a->problems.clips = calloc(2, sizeof *a->problems.clips);
	a->problems.clips[0] = (mixdown_analysis_range){ .start = 3.5, .end = 3.6, .channel_mask = 2, .count = 100,
							 .peak = 0.0 };
	a->problems.clips[1] = (mixdown_analysis_range){ .start = 9.0, .end = 9.1, .channel_mask = 3, .count = 20 };
	CHECK_INT(mixdown_analysis_feedback(a), 0);
	expect_item(a, 1, "problem", NEEDLES("True peak +0.80 dBTP", "37 10 ms blocks", "first at 12.34 s"));
	expect_item(a, 1, "problem",
		    NEEDLES("120 clipped samples in 2 stretches", "first at 3.500 s (channel 2, +0.00 dBFS)"));
	check_sorted(a);
	/* Clipping ranks before the overs (both priority 1). */
	CHECK(a->n_feedback >= 2 && strstr(a->feedback[0].text, "clipped samples"));
	/* Just under 0 dBTP: priority 2. */
	mixdown_analysis *b = clean();
	set_level(b, -14.0, -0.4, NULL);
	CHECK_INT(mixdown_analysis_feedback(b), 0);
	expect_item(b, 2, "loudness", NEEDLES("True peak -0.40 dBTP", "-1 dBTP"));
	/* Without true peak: the sample peak, named so. */
	b->loudness.true_peak = -INFINITY;
	b->loudness.sample_peak = 0.3;
	CHECK_INT(mixdown_analysis_feedback(b), 0);
	expect_item(b, 1, "problem", NEEDLES("Sample peak +0.30 dBFS"));
	mixdown_analysis_free(a);
	mixdown_analysis_free(b);
}

static void t_problems_dynamics_stereo(void)
{
	mixdown_analysis *a = clean();
	set_level(a, -16.0, -10.0, NULL); /* PLR 6 dB at a modest level */
	a->problems.dc_offset[0] = 0.01;   /* -40 dBFS */
	a->problems.dc_offset_max_dbfs = 20.0 * log10(0.01);
	a->problems.leading_silence = 2.5;
	a->problems.trailing_silence = 4.25;
	a->loudness.range = 18.0;
	a->stereo.correlation = -0.3;
	a->stereo.mono_drop = 8.0;
	a->stereo.balance = 2.3;
	a->spectrum.mono_drop[12] = 9.5; /* 315 Hz loses most */
	CHECK_INT(mixdown_analysis_feedback(a), 0);
	expect_item(a, 3, "problem", NEEDLES("DC offset -40.0 dBFS on channel 1", "+0.01000", "high-pass"));
	expect_item(a, 3, "problem", NEEDLES("2.50 s of silence before the first sound"));
	expect_item(a, 3, "problem", NEEDLES("4.25 s of silence after the last sound"));
	expect_item(a, 2, "dynamics", NEEDLES("PLR 6.0 dB", "heavily limited"));
	expect_item(a, 3, "dynamics", NEEDLES("Loudness range 18.0 LU"));
	expect_item(
		a, 1, "stereo",
		NEEDLES("Correlation -0.30", "loses 8.0 LU", "(the fold loses 8.0 LU, most around 316 Hz: 9.5 dB)"));
	expect_item(a, 2, "stereo", NEEDLES("The left channel is 2.3 dB louder than the right"));
	check_sorted(a);
	CHECK_INT(a->feedback[0].priority, 1);
	/* Mono drop without negative correlation: priority 2; a silent side: priority 1. */
	a->stereo.correlation = 0.1;
	a->stereo.mono_drop = 5.5;
	a->stereo.balance = -INFINITY;
	CHECK_INT(mixdown_analysis_feedback(a), 0);
	expect_item(a, 1, "stereo", NEEDLES("The left channel is silent"));
	a->stereo.balance = 0.0;
	CHECK_INT(mixdown_analysis_feedback(a), 0);
	expect_item(a, 2, "stereo", NEEDLES("The mono fold loses 5.5 LU"));
	/* A big DC offset is priority 2; a silent file one priority-1 item. */
	a->problems.dc_offset[1] = -0.1;
	a->problems.dc_offset_max_dbfs = -20.0;
	CHECK_INT(mixdown_analysis_feedback(a), 0);
	expect_item(a, 2, "problem", NEEDLES("DC offset -20.0 dBFS on channel 2"));
	set_level(a, -INFINITY, -INFINITY, NULL);
	a->loudness.sample_peak = -INFINITY;
	CHECK_INT(mixdown_analysis_feedback(a), 0);
	expect_item(a, 1, "problem", NEEDLES("No measurable loudness"));
	mixdown_analysis_free(a);
}

static void t_tone(void)
{
	/* vs a reference: 2.5-4 kHz planted 4.5 dB higher -> the sentence. */
	mixdown_analysis *r = clean(), *a = clean();
	snprintf(r->path, sizeof r->path, "/refs/ref.wav");
	set_level(a, -14.5, -1.5, NULL);
	for (size_t k = 21; k <= 23; k++)
		a->spectrum.level[k] += 4.5;
	CHECK_INT(mixdown_analysis_compare_file(a, r), 0);
	CHECK_INT(mixdown_analysis_feedback(a), 0);
	expect_item(
		a, 3, "tone",
		NEEDLES("2.5-4 kHz is 4.5 dB above the reference (ref.wav)", "broad cut of 2-3 dB around 3.15 kHz"));
	/* 7 dB down in 63-100 Hz: priority 2, a boost. */
	mixdown_analysis *b = clean();
	set_level(b, -14.5, -1.5, NULL);
	for (size_t k = 5; k <= 7; k++)
		b->spectrum.level[k] -= 7.0;
	CHECK_INT(mixdown_analysis_compare_file(b, r), 0);
	CHECK_INT(mixdown_analysis_feedback(b), 0);
	expect_item(b, 2, "tone", NEEDLES("63-100 Hz is 7.0 dB below the reference", "boost of 3-5 dB around 80 Hz"));
	/* Below 3 dB vs a reference: nothing. */
	mixdown_analysis *c = clean();
	set_level(c, -14.5, -1.5, NULL);
	for (size_t k = 21; k <= 23; k++)
		c->spectrum.level[k] += 2.5;
	CHECK_INT(mixdown_analysis_compare_file(c, r), 0);
	CHECK_INT(mixdown_analysis_feedback(c), 0);
	CHECK(find(c, "tone", "reference") == NULL);

	/* vs the pop target: +6 dB on 63-100 Hz. The octave's 90th-percentile level is the
	 * power sum of the bands' p90 (spreads 4.5, 4 and 3.5 dB over the median). */
	mixdown_analysis *d = clean();
	set_level(d, -14.5, -1.5, NULL);
	for (size_t k = 5; k <= 7; k++)
		d->spectrum.level[k] += 6.0;
	CHECK_INT(mixdown_analysis_compare_target(d, mixdown_target_find("pop")), 0);
	CHECK_INT(mixdown_analysis_feedback(d), 0);
	const mixdown_target *pop = mixdown_target_find("pop");
	double med = 0, p90 = 0;
	for (size_t k = 5; k <= 7; k++) {
		med += pow(10.0, pop->median[k] / 10.0);
		p90 += pow(10.0, pop->p90[k] / 10.0);
	}
	const double past = 6.0 - 10.0 * log10(p90 / med);
	CHECK(past > 1.5 && past < 2.5);
	char want[160];
	snprintf(want, sizeof want,
		 "63-100 Hz is 6.0 dB above the pop target's median, %.1f dB past its 90th percentile", past);
	expect_item(d, 3, "tone", NEEDLES(want, "cut of 3-4 dB around 80 Hz"));
	/* Inside the spread: nothing. */
	mixdown_analysis *e = clean();
	set_level(e, -14.5, -1.5, NULL);
	for (size_t k = 16; k <= 18; k++)
		e->spectrum.level[k] -= 2.5;
	CHECK_INT(mixdown_analysis_compare_target(e, mixdown_target_find("pop")), 0);
	CHECK_INT(mixdown_analysis_feedback(e), 0);
	CHECK(find(e, "tone", "target") == NULL);
	/* A tilt of 1.5 dB/octave brighter than the reference. */
	mixdown_analysis *g = clean();
	set_level(g, -14.5, -1.5, NULL);
	for (size_t k = 0; k < MIXDOWN_BANDS; k++)
		g->spectrum.level[k] += 1.5 * log2(mixdown_band_centre(k) / 1000.0);
	CHECK_INT(mixdown_analysis_compare_file(g, r), 0);
	CHECK_INT(mixdown_analysis_feedback(g), 0);
	expect_item(g, 3, "tone", NEEDLES("tilts 1.5 dB/octave brighter than the reference (ref.wav)"));
	/* 1.5 dB/octave from 1 kHz: the largest differences are at the ends, about -8 dB
	 * at 20-31.5 Hz (a low shelf boost, priority 2) and +6 dB at 12.5-20 kHz (a high shelf cut). */
	expect_item(g, 2, "tone",
		    NEEDLES("20-31.5 Hz is 7.", "dB below the reference", "low shelf boost of 3-5 dB below 31.5 Hz"));
	expect_item(g, 3, "tone",
		    NEEDLES("12.5-20 kHz is 5.", "dB above the reference", "high shelf cut of 2-4 dB above 12.5 kHz"));
	mixdown_analysis_free(r);
	mixdown_analysis_free(a);
	mixdown_analysis_free(b);
	mixdown_analysis_free(c);
	mixdown_analysis_free(d);
	mixdown_analysis_free(e);
	mixdown_analysis_free(g);
}

static void t_resonance_sibilance(void)
{
	mixdown_analysis *a = clean();
	set_level(a, -14.5, -1.5, NULL);
	a->spectrum.n_resonances = 4;
	a->spectrum.resonances = calloc(4, sizeof *a->spectrum.resonances);
	a->spectrum.resonances[0] = (mixdown_resonance){ .freq = 440, .prominence = 25.0, .q = 150 }; /* a held note */
	a->spectrum.resonances[1] = (mixdown_resonance){ .freq = 3100, .prominence = 9.0, .q = 8.2 };
	a->spectrum.resonances[2] = (mixdown_resonance){ .freq = 60, .prominence = 12.0, .q = 300 };  /* hum */
	a->spectrum.resonances[3] = (mixdown_resonance){ .freq = 180, .prominence = 4.0, .q = 5 };    /* too small */
	a->spectrum.n_sibilance = 2;
	a->spectrum.sibilance = calloc(2, sizeof *a->spectrum.sibilance);
	a->spectrum.sibilance[0] = (mixdown_analysis_range){ .start = 21.25, .end = 21.4, .peak = 9.5 };
	a->spectrum.sibilance[1] = (mixdown_analysis_range){ .start = 40.0, .end = 40.2, .peak = 12.0 };
	CHECK_INT(mixdown_analysis_feedback(a), 0);
	expect_item(a, 3, "tone", NEEDLES("Narrow resonance at 3.1 kHz, +9.0 dB", "narrow cut (Q≈8) of 4-6 dB"));
	CHECK(find(a, "tone", "180 Hz") == NULL);
	expect_item(a, 3, "tone", NEEDLES("Very narrow peaks at 440 Hz (+25.0 dB), 60 Hz (+12.0 dB)", "hum"));
	CHECK(find(a, "tone", "Narrow resonance at 440 Hz") == NULL);
	expect_item(a, 2, "tone", NEEDLES("up to 12.0 dB", "2 stretches", "first at 21.25 s", "de-esser"));
	mixdown_analysis_free(a);
}

static void t_json(void)
{
	mixdown_analysis *a = clean();
	set_level(a, -8.9, -2.9, NULL);
	CHECK_INT(mixdown_analysis_compare_target(a, mixdown_target_find("rock")), 0);
	CHECK_INT(mixdown_analysis_feedback(a), 0);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	CHECK_INT(mixdown_analysis_write_json(a, f), 0);
	fclose(f);
	CHECK_STR_CONTAINS(text, "\"compare\": [\n        {\"name\": \"rock\", \"is_target\": true,");
	CHECK_STR_CONTAINS(text, "\"broad_delta\": {\"low\": ");
	CHECK_STR_CONTAINS(text, "\"ref_high\": [");
	CHECK_STR_CONTAINS(text, "\"feedback\": [");
	CHECK_STR_CONTAINS(text, "{\"priority\": 2, \"topic\": \"loudness\", \"text\": \"Integrated -8.9 LUFS");
	/* Brackets balance (strings hold none of them here). */
	int depth = 0, min_depth = 0;
	for (const char *p = text; *p; p++) {
		depth += (*p == '{' || *p == '[') - (*p == '}' || *p == ']');
		if (depth < min_depth)
			min_depth = depth;
	}
	CHECK_INT(depth, 0);
	CHECK_INT(min_depth, 0);
	free(text);
	mixdown_analysis_free(a);
}

/* End to end: a hard-clipped, over-loud file. */
static void t_file(void)
{
	const int rate = 44100;
	const int64_t n = 5 * rate;
	float *x = malloc((size_t)n * 2 * sizeof *x);
	mxt_noise(x, n * 2, 2.0, 5);
	for (int64_t i = 0; i < n * 2; i++)
		x[i] = x[i] > 1.0f ? 1.0f : x[i] < -1.0f ? -1.0f : x[i];
	const char *path = mxt_path(mxt_tempdir(), "loud.wav");
	CHECK_INT(mxt_write_audio(path, x, n, 2, rate, SF_FORMAT_WAV | SF_FORMAT_PCM_16), 0);
	free(x);
	mixdown_analysis *a = NULL;
	CHECK_INT(mixdown_analyze_file(path, NULL, &a, NULL), MIXDOWN_SUCCESS);
	if (!a)
		return;
	CHECK_INT(mixdown_analysis_feedback(a), 0);
	CHECK(a->n_feedback > 0 && a->feedback[0].priority == 1);
	char want[64];
	snprintf(want, sizeof want, "%llu clipped samples", (unsigned long long)a->problems.clipped_samples);
	expect_item(a, 1, "problem", NEEDLES(want));
	const mixdown_delivery_check *sp = NULL;
	for (size_t i = 0; i < a->n_delivery; i++)
		if (!strcmp(a->delivery[i].platform, "spotify"))
			sp = &a->delivery[i];
	CHECK(sp && sp->gain < -5.0);
	if (sp) {
		snprintf(want, sizeof want, "Spotify turns it down by %.1f dB", -sp->gain);
		expect_item(a, 2, "loudness", NEEDLES(want));
	}
	check_sorted(a);
	mixdown_analysis_free(a);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_clean),          MXT(t_loud_and_squashed), MXT(t_quiet_and_clipping_after_normalization),
		MXT(t_delivery_spec),  MXT(t_peaks_and_clips),   MXT(t_problems_dynamics_stereo),
		MXT(t_tone),           MXT(t_resonance_sibilance), MXT(t_json),
		MXT(t_file),
	};
	return MXT_RUN(cases);
}
