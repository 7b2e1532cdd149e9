/* mixdown — `mixdown comp`: a comped track's takes side by side, and picking a take for a range.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The table reads each take over each section (times on the timeline; a take
 * file starts at its `at`): RMS level of all channels together and sample
 * peak, in dBFS. `chosen` is the take the comp plays for the largest part of
 * the section. Picking rewrites only the track's `comp:` list in the session
 * file (session/session_patch.h; the rest of the file byte for byte), through
 * a temporary file renamed into place. Control thread; reads files.
 */
#include <limits.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/text_out.h"
#include "session/model.h"
#include "session/session_patch.h"

static const mxd_strip *find_track(const mxd_session *s, const char *name, mixdown_error *err)
{
	for (size_t i = 0; i < s->n_tracks; i++)
		if (!strcmp(s->tracks[i].name, name)) {
			if (!s->tracks[i].n_takes) {
				mxd_fail(err, MIXDOWN_ERR_USAGE, s->path, (mxd_loc){ 0, 0 }, NULL,
					 "track \"%s\" has no `takes:`", name);
				return NULL;
			}
			return &s->tracks[i];
		}
	mxd_fail(err, MIXDOWN_ERR_USAGE, s->path, (mxd_loc){ 0, 0 }, NULL, "no track \"%s\" in the session", name);
	return NULL;
}

/* RMS and peak (dBFS) of take `t` over [from, to) s of the timeline. */
static mixdown_status measure(const mxd_take *t, double from, double to, double *rms_db, double *peak_db,
			      mixdown_error *err)
{
	*rms_db = *peak_db = -INFINITY;
	SF_INFO info = { 0 };
	SNDFILE *f = sf_open(t->file, SFM_READ, &info);
	if (!f)
		return mxd_fail(err, MIXDOWN_ERR_AUDIO, t->file_written, (mxd_loc){ 0, 0 }, NULL, "cannot read: %s",
				sf_strerror(NULL));
	sf_count_t a = (sf_count_t)llround((from - t->at) * info.samplerate);
	sf_count_t b = (sf_count_t)llround((to - t->at) * info.samplerate);
	if (a < 0)
		a = 0;
	if (b > info.frames)
		b = info.frames;
	double sum = 0, peak = 0;
	sf_count_t n = 0;
	float buf[4096];
	sf_count_t per = (sf_count_t)(4096 / info.channels);
	if (b > a && sf_seek(f, a, SEEK_SET) >= 0) {
		for (sf_count_t left = b - a; left > 0;) {
			sf_count_t got = sf_readf_float(f, buf, left < per ? left : per);
			if (got <= 0)
				break;
			for (sf_count_t i = 0; i < got * info.channels; i++) {
				sum += (double)buf[i] * buf[i];
				peak = fmax(peak, fabs((double)buf[i]));
			}
			n += got * info.channels;
			left -= got;
		}
	}
	sf_close(f);
	if (n > 0 && sum > 0)
		*rms_db = 10.0 * log10(sum / (double)n);
	if (peak > 0)
		*peak_db = 20.0 * log10(peak);
	return MIXDOWN_SUCCESS;
}

mixdown_status mixdown_comp_table_build(const mixdown_session *session, const char *track, double section_s,
					mixdown_comp_table *out, mixdown_error *err)
{
	memset(out, 0, sizeof *out);
	const mxd_strip *st = find_track(session, track, err);
	if (!st)
		return MIXDOWN_ERR_USAGE;
	out->n_takes = st->n_takes < MIXDOWN_COMP_MAX_TAKES ? st->n_takes : MIXDOWN_COMP_MAX_TAKES;
	double lo = INFINITY, hi = 0;
	for (size_t k = 0; k < out->n_takes; k++) {
		snprintf(out->take_names[k], sizeof out->take_names[k], "%s", st->takes[k].name);
		lo = fmin(lo, st->takes[k].at);
		hi = fmax(hi, st->takes[k].at + (double)st->takes[k].file_frames / st->takes[k].file_rate);
	}
	size_t n = section_s > 0 ? (size_t)ceil((hi - lo) / section_s - 1e-9) : st->n_comp;
	if (!n)
		return MIXDOWN_SUCCESS;
	if (!(out->sections = calloc(n, sizeof *out->sections)))
		return MIXDOWN_ERR_NOMEM;
	out->n_sections = n;
	for (size_t i = 0; i < n; i++) {
		mixdown_comp_section *sec = &out->sections[i];
		sec->start = section_s > 0 ? lo + (double)i * section_s : st->comp[i].from;
		sec->end = section_s > 0 ? fmin(hi, sec->start + section_s) : st->comp[i].to;
		double best = 0;
		sec->chosen = -1;
		for (size_t r = 0; r < st->n_comp; r++) {
			double ov = fmin(sec->end, st->comp[r].to) - fmax(sec->start, st->comp[r].from);
			if (ov > best + 1e-9) {
				best = ov;
				sec->chosen = (int)st->comp[r].take;
			}
		}
		for (size_t k = 0; k < out->n_takes; k++) {
			mixdown_status s = measure(&st->takes[k], sec->start, sec->end, &sec->rms_db[k],
					&sec->peak_db[k], err);
			if (s != MIXDOWN_SUCCESS) {
				mixdown_comp_table_free(out);
				return s;
			}
		}
	}
	return MIXDOWN_SUCCESS;
}

void mixdown_comp_table_free(mixdown_comp_table *t)
{
	if (!t)
		return;
	free(t->sections);
	t->sections = NULL;
	t->n_sections = 0;
}

static mixdown_status read_text(const char *path, char **text, size_t *len, mixdown_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return mxd_fail(err, MIXDOWN_ERR_IO, path, (mxd_loc){ 0, 0 }, NULL, "cannot open");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;
	do {
		if (n == cap) {
			char *b = realloc(buf, (cap = cap ? 2 * cap : 65536) + 1);
			if (!b) {
				free(buf);
				fclose(f);
				return MIXDOWN_ERR_NOMEM;
			}
			buf = b;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return MIXDOWN_SUCCESS;
}

/* Through the project's safe text writer, next to the real file (a symbolic
 * link stays a link). */
static mixdown_status write_text(const char *path, const char *text, size_t len, mixdown_error *err)
{
	char real[PATH_MAX], tmp[PATH_MAX + 32];
	const char *target = realpath(path, real) ? real : path;
	FILE *f = mxd_text_out_open(target, tmp, sizeof tmp, err);
	if (!f)
		return MIXDOWN_ERR_IO;
	bool ok = fwrite(text, 1, len, f) == len;
	return mxd_text_out_commit(f, tmp, target, ok, err);
}

mixdown_status mixdown_comp_pick(const char *session_path, const char *track, const char *take, double from,
				 double to, mixdown_error *err)
{
	if (!(to > from) || from < 0)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL,
				"the range must be FROM-TO with FROM < TO");
	mixdown_session *s = NULL;
	mixdown_status st = mixdown_session_load(session_path, &s, err);
	if (st != MIXDOWN_SUCCESS)
		return st;
	const mxd_strip *tr = find_track(s, track, err);
	size_t ti = SIZE_MAX;
	for (size_t k = 0; tr && k < tr->n_takes; k++)
		if (!strcmp(tr->takes[k].name, take))
			ti = k;
	if (tr && ti == SIZE_MAX)
		st = mxd_fail(err, MIXDOWN_ERR_USAGE, session_path, (mxd_loc){ 0, 0 }, NULL,
				"track \"%s\" has no take \"%s\"",
			      track, take);
	if (!tr)
		st = MIXDOWN_ERR_USAGE;
	/* The new ranges: every old range cut around [from, to), the pick, in time order. */
	size_t cap = tr ? 2 * tr->n_comp + 1 : 0, n = 0;
	mxd_comp_range *r = cap ? calloc(cap, sizeof *r) : NULL;
	if (st == MIXDOWN_SUCCESS && !r)
		st = MIXDOWN_ERR_NOMEM;
	if (st == MIXDOWN_SUCCESS) {
		bool placed = false;
		for (size_t i = 0; i < tr->n_comp; i++) {
			const mxd_comp_range *c = &tr->comp[i];
			if (c->from < from - 1e-9)
				r[n++] = (mxd_comp_range){ c->take, c->from, fmin(c->to, from), c->loc };
			if (!placed && c->to > from - 1e-9) {
				r[n++] = (mxd_comp_range){ ti, from, to, c->loc };
				placed = true;
			}
			if (c->to > to + 1e-9)
				r[n++] = (mxd_comp_range){ c->take, fmax(c->from, to), c->to, c->loc };
		}
		if (!placed)
			r[n++] = (mxd_comp_range){ ti, from, to, (mxd_loc){ 0, 0 } };
	}
	/* Neighbours from the same take that touch become one range. */
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && r[m - 1].take == r[i].take && fabs(r[m - 1].to - r[i].from) < 1e-9)
			r[m - 1].to = r[i].to;
		else
			r[m++] = r[i];
	}
	char **items = m ? calloc(m, sizeof *items) : NULL;
	for (size_t i = 0; st == MIXDOWN_SUCCESS && i < m; i++) {
		char a[40], b[40];
		mxd_patch_number(r[i].from, a, sizeof a);
		mxd_patch_number(r[i].to, b, sizeof b);
		size_t len = 320; /* the quoted name (< 200) and two numbers */
		if (!items || !(items[i] = malloc(len))) {
			st = MIXDOWN_ERR_NOMEM;
			break;
		}
		/* Take names are written double-quoted, quotes and backslashes escaped. */
		char q[200];
		size_t o = 0;
		q[o++] = '"';
		for (const char *c = tr->takes[r[i].take].name; *c && o < sizeof q - 3; c++) {
			if (*c == '"' || *c == '\\')
				q[o++] = '\\';
			q[o++] = *c;
		}
		q[o++] = '"';
		q[o] = '\0';
		const char *nm = tr->takes[r[i].take].name;
		if (strspn(nm, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == strlen(nm) &&
		    strlen(nm) < sizeof q && strcmp(nm, "true") && strcmp(nm, "false") && strcmp(nm, "null") &&
		    strspn(nm, "0123456789_") != strlen(nm))
			snprintf(q, sizeof q, "%s", nm); /* plain is safe: not a number, bool or null */
		snprintf(items[i], len, "{ take: %s, from: %s, to: %s }", q, a, b);
	}
	char *text = NULL, *out = NULL, path[600];
	size_t len = 0, out_len = 0;
	snprintf(path, sizeof path, "tracks[name=%s]", track);
	if (st == MIXDOWN_SUCCESS)
		st = read_text(session_path, &text, &len, err);
	if (st == MIXDOWN_SUCCESS)
		st = mxd_session_patch_list(text, len, session_path, path, "comp", NULL, (const char *const *)items, m,
				false,
					    &out, &out_len, err);
	/* Validate before writing: the new comp must load (ranges inside their takes, crossfades fit). */
	if (st == MIXDOWN_SUCCESS) {
		mixdown_session *chk = NULL;
		st = mixdown_session_load_string(out, out_len, session_path, s->dir, &chk, err);
		mixdown_session_free(chk);
	}
	if (st == MIXDOWN_SUCCESS)
		st = write_text(session_path, out, out_len, err);
	for (size_t i = 0; items && i < m; i++)
		free(items[i]);
	free(items);
	free(text);
	free(out);
	free(r);
	mixdown_session_free(s);
	return st;
}
