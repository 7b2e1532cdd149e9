/* mixdown — automix: the plan as a report (`mixdown automix --explain`).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A table of the decisions (role, bus, clip gain, fader, pan, width,
 * polarity, offset in ms) followed by every reason, the removed stems and
 * the master. Plain text, deterministic. Control thread only.
 */
#include <math.h>
#include <stdio.h>

#include "automix/automix.h"

int mixdown_automix_explain(const mixdown_automix *p, FILE *f)
{
	fprintf(f, "automix: %zu tracks, genre %s", p->n, mxa_genre_name(p->genre));
	if (p->lead != (size_t)-1)
		fprintf(f, ", lead \"%s\" (%s)", p->t[p->lead].name, mxa_role_name(p->t[p->lead].role));
	fprintf(f, "\n\n%-24s %-16s %-10s %7s %7s %6s %5s %4s %8s\n", "track", "role", "bus", "clip", "fader", "pan",
		"width", "pol", "shift ms");
	for (size_t i = 0; i < p->n; i++) {
		const mxa_track *t = &p->t[i];
		fprintf(f, "%-24.24s %-15.15s%c %-10s %+7.1f %+7.1f %+6.2f %5.1f %4s %+8.2f\n", t->name,
			mxa_role_name(t->role), t->role_from_audio ? '*' : ' ', mxa_group_name(mxa_role_group(t->role)),
			t->clip_gain, t->fader, t->pan, t->width, t->invert ? "inv" : "", 1000.0 * (t->offset - t->at));
	}
	fprintf(f, "(* role recognized from the audio)\n\nWhy:\n");
	for (size_t i = 0; i < p->n; i++) {
		const mxa_track *t = &p->t[i];
		fprintf(f, "  %s\n", t->name);
		for (int d = 0; d < MXA_D_COUNT; d++)
			if (t->reason[d][0])
				fprintf(f, "    - %s\n", t->reason[d]);
		for (size_t k = 0; k < t->n_inserts; k++)
			fprintf(f, "    - insert %s: %s\n", t->inserts[k].yaml, t->inserts[k].reason);
		for (size_t k = 0; k < t->n_sends; k++)
			fprintf(f, "    - send to %s at %.1f dB: %s\n", t->sends[k].to, t->sends[k].level,
				t->sends[k].reason);
	}
	if (p->n_removed) {
		fprintf(f, "\nRemoved:\n");
		for (size_t i = 0; i < p->n_removed; i++)
			fprintf(f, "  %s: %s\n", p->removed[i].name, p->removed[i].reason);
	}
	for (int g = 0; g < MXA_N_GROUPS; g++)
		for (size_t i = 0; i < p->n_bus_inserts[g]; i++)
			fprintf(f, "\nBus %s insert %s: %s\n", mxa_group_name((mxa_group)g), p->bus_inserts[g][i].yaml,
				p->bus_inserts[g][i].reason);
	for (size_t i = 0; i < p->n_aux; i++)
		fprintf(f, "\nAux bus %s: %s\n", p->aux[i].name, p->aux[i].reason);
	fprintf(f, "\nMix: estimated %.1f LUFS before mastering, left/right balance %+.2f (power-weighted pan)\n",
		p->mix_estimate, p->lr_balance);
	fprintf(f, "Master: %s\n", p->master_reason);
	for (size_t i = 0; i < p->n_notes; i++)
		fprintf(f, "Note: %s\n", p->notes[i]);
	return ferror(f) ? -1 : 0;
}
