/* mixdown — automix: polarity and time alignment of multi-mic sources.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Input: the alignment pairs of mixdown_analyze_tracks() (peak of the
 * normalized cross-correlation between 40 Hz and 8 kHz, its lag and sign).
 * Only pairs that carry one source are touched: the same role with
 * |rho| >= 0.6, or the same group with |rho| >= 0.8 (bleed between, say,
 * snare and overheads is correlated too, but weakly). Pairs are taken from
 * the most correlated down; the first track of a pair not yet placed is the
 * reference and the other is aligned to it, so chains of mics (kick in, kick
 * out, sub kick) all end up aligned with one reference.
 * A late track is shifted earlier by skipping into its file (clip `offset`),
 * an early one later (clip `at`): both are exact to the sample and leave the
 * strip free of a delay insert. Polarity flips use the strip's `invert`.
 * Lags below 0.05 ms (2.4 samples at 48 kHz; 9 degrees of phase at 500 Hz)
 * are left alone: the analysis' own precision is of that order.
 * Control thread only.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "automix/automix.h"

#define SAME_ROLE_CORR 0.6
#define SAME_GROUP_CORR 0.8
#define MIN_SHIFT_MS 0.05

static mxa_track *by_index(mxa_plan *p, const char *name)
{
	if (!p->m)
		return NULL;
	for (size_t k = 0; k < p->m->n_tracks; k++)
		if (!strcmp(p->m->names[k], name)) {
			for (size_t i = 0; i < p->n; i++)
				if (p->t[i].index == k)
					return &p->t[i];
			return NULL; /* removed */
		}
	return NULL;
}

static int cmp_corr(const void *a, const void *b)
{
	const mixdown_alignment *x = *(const mixdown_alignment *const *)a, *y = *(const mixdown_alignment *const *)b;
	if (x->correlation != y->correlation)
		return x->correlation > y->correlation ? -1 : 1;
	int c = strcmp(x->a, y->a);
	return c ? c : strcmp(x->b, y->b);
}

/* Move `t` to shift_s (s; > 0 = skip into the file) and polarity `inv`. */
static void place(mxa_track *t, const mxa_track *ref, double shift_s, bool inv, const mixdown_alignment *al)
{
	t->invert = inv;
	double shift_ms = shift_s * 1000.0;
	if (fabs(shift_ms) >= MIN_SHIFT_MS) {
		if (shift_s > 0)
			t->offset = shift_s;
		else
			t->at = -shift_s;
		snprintf(t->reason[MXA_D_OFFSET], MXA_REASON,
			 "%s %.2f ms to line up with \"%s\" (same source: correlation %.2f)",
			 shift_s > 0 ? "moved earlier by" : "moved later by", fabs(shift_ms), ref->name, al->correlation);
	}
	if (inv)
		snprintf(t->reason[MXA_D_POLARITY], MXA_REASON,
			 "polarity inverted: opposite to \"%s\" (same source, correlation %.2f)", ref->name,
			 al->correlation);
}

void mxa_stage_align(mxa_plan *p)
{
	if (!p->m || !p->m->n_alignment)
		return;
	size_t n = p->m->n_alignment;
	const mixdown_alignment **v = malloc(n * sizeof *v);
	bool *fixed = calloc(p->n, sizeof *fixed);
	double *shift = calloc(p->n, sizeof *shift);
	if (!v || !fixed || !shift) {
		free(v);
		free(fixed);
		free(shift);
		mxa_note(p, "out of memory: polarity/offset not checked");
		return;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = &p->m->alignment[i];
	qsort(v, n, sizeof *v, cmp_corr);
	for (size_t i = 0; i < n; i++) {
		const mixdown_alignment *al = v[i];
		mxa_track *a = by_index(p, al->a), *b = by_index(p, al->b);
		if (!a || !b || a == b)
			continue;
		bool same_role = a->role == b->role;
		bool same_group = mxa_role_group(a->role) == mxa_role_group(b->role);
		if (!(same_role && al->correlation >= SAME_ROLE_CORR) && !(same_group && al->correlation >= SAME_GROUP_CORR))
			continue;
		size_t ia = (size_t)(a - p->t), ib = (size_t)(b - p->t);
		/* b's content comes offset_ms after a's. */
		double lag = al->offset_ms / 1000.0;
		if (fixed[ia] && fixed[ib])
			continue;
		if (!fixed[ia] && !fixed[ib])
			fixed[ia] = true; /* a becomes the reference, unchanged */
		if (fixed[ia]) {
			shift[ib] = shift[ia] + lag;
			place(b, a, shift[ib], a->invert != al->inverted, al);
			fixed[ib] = true;
		} else {
			shift[ia] = shift[ib] - lag;
			place(a, b, shift[ia], b->invert != al->inverted, al);
			fixed[ia] = true;
		}
	}
	free(v);
	free(fixed);
	free(shift);
}
