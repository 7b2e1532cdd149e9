/* mixdown — the readable text of `mixdown analyze` beyond the single-file
 * measurements: comparisons with references and targets, feedback, and the
 * multitrack part (per-track levels, alignment, masking).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Units as in mixdown.h: LUFS, LU, dBTP, dB, ms, Hz. Main thread only.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *const broad_names[MIXDOWN_BROAD_BANDS] = { "low <250", "low-mid", "high-mid", "high >8k" };

static void print_feedback(const mixdown_feedback *v, size_t n)
{
	static const char *const label[] = { "", "FIX", "improve", "consider" };
	for (size_t i = 0; i < n; i++)
		printf("  %-9s %s\n", v[i].priority >= 1 && v[i].priority <= 3 ? label[v[i].priority] : "note", v[i].text);
}

void cli_print_comparisons(const mixdown_analysis *a)
{
	for (size_t i = 0; i < a->n_compare; i++) {
		const mixdown_comparison *c = &a->compare[i];
		printf("  vs %s %s (loudness-normalized)\n", c->is_target ? "target" : "reference", c->name);
		printf("    broad  ");
		for (size_t b = 0; b < MIXDOWN_BROAD_BANDS; b++)
			printf(" %s %+.1f dB", broad_names[b], c->broad_delta[b]);
		printf("   tilt %+.2f dB/oct\n", c->tilt_delta);
		if (!c->is_target)
			printf("    loudness %+.1f LU   range %+.1f LU   PLR %+.1f dB   width %+.2f\n", c->loudness_delta,
			       c->range_delta, c->plr_delta, c->width_delta);
	}
	if (a->n_feedback) {
		printf("  feedback\n");
		print_feedback(a->feedback, a->n_feedback);
	}
}

void cli_print_multitrack(const mixdown_multitrack_analysis *m)
{
	printf("\n%s\n", m->path[0] ? m->path : "tracks");
	printf("  %-28s %10s %10s %10s\n", "track", "LUFS", "dBTP", "S max");
	for (size_t i = 0; i < m->n_tracks; i++) {
		const mixdown_analysis *a = m->tracks[i];
		char name[40];
		snprintf(name, sizeof name, "%s%s", m->is_bus[i] ? "bus " : "", m->names[i]);
		printf("  %-28s %10.1f %10.1f %10.1f\n", name, a->loudness.integrated, a->loudness.true_peak,
		       a->loudness.short_term_max);
	}
	for (size_t i = 0; i < m->n_alignment; i++) {
		const mixdown_alignment *al = &m->alignment[i];
		printf("  aligned    '%s' vs '%s': correlation %s%.2f, offset %+.2f ms%s\n", al->b, al->a,
		       al->inverted ? "-" : "", al->correlation, al->offset_ms, al->inverted ? ", INVERTED" : "");
	}
	for (size_t i = 0; i < m->n_masking; i++) {
		const mixdown_masking *k = &m->masking[i];
		printf("  masking    '%s' by '%s': %.0f-%.0f Hz, %+.1f dB, %.0f%% of the time\n", k->masked, k->masker,
		       k->low_hz, k->high_hz, k->amount, 100 * k->overlap);
	}
	if (m->n_feedback) {
		printf("  feedback\n");
		print_feedback(m->feedback, m->n_feedback);
	}
	if (!m->n_alignment && !m->n_masking && !m->n_feedback)
		printf("  between tracks: nothing to report\n");
}
