/* mixdown — automix: the plan as an ordinary, commented session file.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every decision is written as a plain session key with its reason as a
 * comment line above it (docs/session-format.md); tracks in mix order, one
 * bus per group routed to the master, the master's delivery target. Output
 * is deterministic (numbers with fixed decimals, no dates) and written to a
 * temporary file renamed into place; an existing file is kept unless
 * `overwrite`, and a stem is never overwritten. Paths are relative to the
 * session's folder when the stems lie below it.
 * Control thread only.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "automix/automix.h"
#include "io/text_out.h"
#include "session/model.h"
#include "session/yaml_quote.h"

/* A comment line; the reason never contains a newline. */
static void comment(FILE *f, const char *indent, const char *text)
{
	if (text && text[0])
		fprintf(f, "%s# %s\n", indent, text);
}

static void write_track(FILE *f, const mxa_plan *p, const mxa_track *t, const char *sdir)
{
	mxa_group g = mxa_role_group(t->role);
	fprintf(f, "  - name: ");
	mxd_yaml_put_quoted(f, t->name);
	fprintf(f, "\n");
	comment(f, "    ", t->reason[MXA_D_ROLE]);
	comment(f, "    ", t->reason[MXA_D_BUS]);
	fprintf(f, "    color: \"%s\"\n    group: %s\n    output: %s\n", mxa_group_colour(g), mxa_group_name(g),
		mxa_group_name(g));
	fprintf(f, "    clips:\n      - file: ");
	mxd_yaml_put_quoted(f, mxd_path_relative_to(sdir, t->path));
	fprintf(f, "\n");
	comment(f, "        ", t->reason[MXA_D_CLIP_GAIN]);
	fprintf(f, "        gain: %.1f\n", t->clip_gain);
	if (t->offset > 0 || t->at > 0) {
		comment(f, "        ", t->reason[MXA_D_OFFSET]);
		if (t->offset > 0)
			fprintf(f, "        offset: %.6f\n", t->offset);
		if (t->at > 0)
			fprintf(f, "        at: %.6f\n", t->at);
	}
	comment(f, "    ", t->reason[MXA_D_FADER]);
	fprintf(f, "    gain: %.1f\n", t->fader);
	comment(f, "    ", t->reason[MXA_D_PAN]);
	fprintf(f, "    pan: %.2f\n", t->pan == 0.0 ? 0.0 : t->pan);
	if (t->channels == 2 && !t->dual_mono) {
		comment(f, "    ", t->reason[MXA_D_WIDTH]);
		fprintf(f, "    width: %.1f\n", t->width);
	}
	if (t->invert) {
		comment(f, "    ", t->reason[MXA_D_POLARITY]);
		fprintf(f, "    invert: true\n");
	}
	if (t->n_inserts) {
		fprintf(f, "    inserts:\n");
		for (size_t i = 0; i < t->n_inserts; i++) {
			comment(f, "      ", t->inserts[i].reason);
			fprintf(f, "      - %s\n", t->inserts[i].yaml);
		}
	}
	if (t->n_sends) {
		fprintf(f, "    sends:\n");
		for (size_t i = 0; i < t->n_sends; i++) {
			comment(f, "      ", t->sends[i].reason);
			fprintf(f, "      - { to: ");
			mxd_yaml_put_quoted(f, t->sends[i].to);
			fprintf(f, ", level: %.1f }\n", t->sends[i].level);
		}
	}
	(void)p;
}

static void write_all(FILE *f, const mxa_plan *p, const char *sdir, const char *base)
{
	fprintf(f, "# Written by mixdown automix (genre %s) from %zu stems: a starting mix, every decision\n"
		   "# commented with its reason (docs/automix.md). Change what you disagree with.\n",
		mxa_genre_name(p->genre), p->n + p->n_removed);
	if (p->lead != (size_t)-1)
		fprintf(f, "# Lead: \"%s\" (%s). Estimated mix before mastering: %.1f LUFS; left/right balance %+.2f.\n",
			p->t[p->lead].name, mxa_role_name(p->t[p->lead].role), p->mix_estimate, p->lr_balance);
	for (size_t i = 0; i < p->n_removed; i++)
		fprintf(f, "# Removed \"%s\" (%s): %s\n", p->removed[i].name, mxd_path_relative_to(sdir, p->removed[i].path),
			p->removed[i].reason);
	for (size_t i = 0; i < p->n_notes; i++)
		fprintf(f, "# Note: %s\n", p->notes[i]);
	fprintf(f, "mixdown: 1\nsample_rate: %.0f\n", p->rate);
	if (isfinite(p->tempo_bpm)) {
		comment(f, "", p->tempo_reason);
		fprintf(f, "tempo: %.1f\n", p->tempo_bpm);
	}
	fprintf(f, "tracks:\n");
	for (size_t i = 0; i < p->n; i++)
		write_track(f, p, &p->t[i], sdir);
	fprintf(f, "buses:\n");
	for (int g = 0; g < MXA_N_GROUPS; g++) {
		size_t k = 0;
		for (size_t i = 0; i < p->n; i++)
			k += mxa_role_group(p->t[i].role) == (mxa_group)g;
		if (!k)
			continue;
		fprintf(f, "  # group bus of %zu track%s, to the master\n", k, k == 1 ? "" : "s");
		fprintf(f, "  - name: %s\n    color: \"%s\"\n    gain: 0\n", mxa_group_name((mxa_group)g),
			mxa_group_colour((mxa_group)g));
		if (p->n_bus_inserts[g])
			fprintf(f, "    inserts:\n");
		for (size_t i = 0; i < p->n_bus_inserts[g]; i++) {
			comment(f, "      ", p->bus_inserts[g][i].reason);
			fprintf(f, "      - %s\n", p->bus_inserts[g][i].yaml);
		}
	}
	for (size_t i = 0; i < p->n_aux; i++) {
		comment(f, "  ", p->aux[i].reason);
		fprintf(f, "  - name: ");
		mxd_yaml_put_quoted(f, p->aux[i].name);
		fprintf(f, "\n    inserts: %s\n", p->aux[i].inserts_yaml);
	}
	fprintf(f, "master:\n  gain: 0\n");
	comment(f, "  ", p->master_reason);
	if (isfinite(p->master_loudness))
		fprintf(f, "  target: { preset: %s, loudness: %.1f }\n", p->master_preset, p->master_loudness);
	else
		fprintf(f, "  target: { preset: %s }\n", p->master_preset);
	fprintf(f, "export: { file: \"%s-mix.wav\", bits: 24 }\n", base);
}

mixdown_status mixdown_automix_write(const mixdown_automix *p, const char *session_path, bool overwrite,
				     mixdown_error *err)
{
	mxd_loc none = { 0, 0 };
	struct stat st_out;
	if (stat(session_path, &st_out) == 0) {
		for (size_t i = 0; i < p->n; i++) {
			struct stat st_in;
			if (stat(p->t[i].path, &st_in) == 0 && st_in.st_ino == st_out.st_ino && st_in.st_dev == st_out.st_dev)
				return mxd_fail(err, MIXDOWN_ERR_USAGE, session_path, none, NULL, "is one of the stems");
		}
		if (!overwrite)
			return mxd_fail(err, MIXDOWN_ERR_USAGE, session_path, none, NULL,
					"already exists (use --force to replace it)");
	}
	char *sdir = strdup(session_path);
	if (!sdir)
		return MIXDOWN_ERR_NOMEM;
	char *slash = strrchr(sdir, '/');
	if (slash)
		slash[slash == sdir ? 1 : 0] = '\0';
	char abs_sdir[PATH_MAX];
	if (!realpath(slash ? sdir : ".", abs_sdir)) {
		free(sdir);
		return mxd_fail(err, MIXDOWN_ERR_USAGE, session_path, none, NULL, "folder does not exist");
	}
	free(sdir);
	char base[256];
	const char *b = strrchr(session_path, '/');
	snprintf(base, sizeof base, "%s", b ? b + 1 : session_path);
	char *dot = strrchr(base, '.');
	if (dot && dot != base)
		*dot = '\0';

	char tmp[PATH_MAX + 32];
	FILE *f = mxd_text_out_open(session_path, tmp, sizeof tmp, err);
	if (!f)
		return MIXDOWN_ERR_IO;
	write_all(f, p, abs_sdir, base);
	return mxd_text_out_commit(f, tmp, session_path, true, err);
}
