/* mixdown — `mixdown clean --apply`: the proposals written into the session
 * file as clip lists, `invert` and inserts, through the comment-preserving
 * patcher (session/session_patch.h). SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Clips: a track that changes gets its whole clip list rewritten, one flow
 * mapping per clip (file as written, times in seconds to the microsecond;
 * `at: bwf` and bar:beat times become seconds). Strip silence splits a clip
 * into one clip per kept region with `fade` long fades at the cuts (the
 * clip's own fades stay at its original ends); alignment moves every clip of
 * the track by a whole number of samples at the session rate: earlier by
 * skipping into the file (`offset`) where `at` would go below 0, later by
 * `at`. The fraction of a sample that is left (when at least
 * MXD_CLEAN_FRAC_MIN) becomes `{ type: finedelay, id: clean-align, samples: F }`
 * (added, or its `samples` updated in place); clean.c plan_fine() rounds the
 * move up so that move - F is the measured offset. The new text is loaded
 * as a session before it replaces the file (temp file + rename); the audio
 * files are only read. Control thread.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "edit/clean.h"
#include "io/text_out.h"
#include "session/session_patch.h"
#include "session/yaml_quote.h"

/* v in seconds to the microsecond, no trailing zeros. */
static void num(char *buf, size_t size, double v)
{
	snprintf(buf, size, "%.6f", fabs(v) < 5e-7 ? 0.0 : v);
	char *e = buf + strlen(buf) - 1;
	while (*e == '0')
		*e-- = '\0';
	if (*e == '.')
		*e = '\0';
}

static const char *curve_name(mxd_fade_curve c)
{
	static const char *const names[] = { "linear", "equal_power", "exp", "log", "scurve" };
	return (unsigned)c < 5 ? names[c] : "linear";
}

static bool plain_ok(const char *s)
{
	if (!*s || strchr("-?:,[]{}#&*!|>'\"%@` ", s[0]))
		return false;
	for (const char *p = s; *p; p++)
		if (strchr(":#,[]{}\"'\\", *p) || (unsigned char)*p < 0x20)
			return false;
	return s[strlen(s) - 1] != ' ';
}

/* One clip as a flow mapping; has_len: write `length`. */
static char *clip_item(const mxd_clip *k, double at, double offset, double length, bool has_len, double fi, double fo)
{
	char *buf = NULL, v[64];
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	if (!f)
		return NULL;
	fputs("{ file: ", f);
	if (plain_ok(k->file_written))
		fputs(k->file_written, f);
	else
		mxd_yaml_put_quoted(f, k->file_written);
	num(v, sizeof v, at);
	fprintf(f, ", at: %s", v);
	if (offset > 0) {
		num(v, sizeof v, offset);
		fprintf(f, ", offset: %s", v);
	}
	if (has_len) {
		num(v, sizeof v, length);
		fprintf(f, ", length: %s", v);
	}
	if (k->gain_db != 0.0) {
		if (isinf(k->gain_db))
			fputs(", gain: -inf", f);
		else
			fprintf(f, ", gain: %.4g", k->gain_db);
	}
	if (fi > 0) {
		num(v, sizeof v, fi);
		fprintf(f, ", fade_in: %s", v);
		if (k->fade_in_curve != MXD_FADE_LINEAR)
			fprintf(f, ", fade_in_curve: %s", curve_name(k->fade_in_curve));
	}
	if (fo > 0) {
		num(v, sizeof v, fo);
		fprintf(f, ", fade_out: %s", v);
		if (k->fade_out_curve != MXD_FADE_LINEAR)
			fprintf(f, ", fade_out_curve: %s", curve_name(k->fade_out_curve));
	}
	fputs(" }", f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static bool add(char ***items, size_t *n, size_t *cap, char *it)
{
	if (!it)
		return false;
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 8;
		char **a = realloc(*items, c * sizeof *a);
		if (!a) {
			free(it);
			return false;
		}
		*items = a;
		*cap = c;
	}
	(*items)[(*n)++] = it;
	return true;
}

char **mxd_clean_clip_items(const mxd_clean *c, const mxd_clean_track *t, size_t *n)
{
	const mxd_strip *s = t->strip;
	double fade = mxd_silence_defaults().fade, shift = (double)t->shift / c->s->sample_rate;
	char **items = NULL;
	size_t cap = 0;
	bool ok = true;
	*n = 0;
	for (size_t i = 0; i < s->n_clips && ok; i++) {
		const mxd_clip *k = &s->clips[i];
		double len = k->length >= 0 ? k->length : (double)k->file_frames / k->file_rate - k->offset;
		mxd_region whole = { 0.0, len };
		const mxd_region *r = t->keep[i] ? t->keep[i] : &whole;
		size_t nr = t->keep[i] ? t->n_keep[i] : 1;
		for (size_t j = 0; j < nr && ok; j++) {
			double a = r[j].start, b = fmin(r[j].end, len);
			double at = k->at + a - shift, off = k->offset + a, l = b - a;
			if (at < 0) { /* moved before the timeline start: skip into the file instead */
				off -= at;
				l += at;
				at = 0;
			}
			if (l <= 0)
				continue;
			double fi = a > 0 ? fmin(fade, l / 2) : k->fade_in, fo = b < len ? fmin(fade, l / 2) : k->fade_out;
			if (fi + fo > l)
				fi = fo = l / 2;
			bool has_len = k->length >= 0 || b < len || a > 0 || off != k->offset;
			ok = add(&items, n, &cap, clip_item(k, at, off, l, has_len, fi, fo));
		}
	}
	if (!ok) {
		for (size_t i = 0; i < *n; i++)
			free(items[i]);
		free(items);
		*n = 0;
		return NULL;
	}
	if (!items) /* every clip went: an empty list */
		items = calloc(1, sizeof *items);
	return items;
}

size_t mxd_clean_inserts(const mxd_clean_track *t, char items[][MXD_CLEAN_ITEM])
{
	size_t n = 0;
	if (t->dc_fix)
		snprintf(items[n++], MXD_CLEAN_ITEM,
			 "{ type: eq, id: clean-dc, bands: [ { type: highpass, freq: %.0f, slope: 12 } ] }", MXD_CLEAN_DC_HP_HZ);
	if (t->clicks_run && t->n_clicks && !t->have_declick)
		snprintf(items[n++], MXD_CLEAN_ITEM, "{ type: declick, id: clean-declick }");
	if (t->clip_run && t->clip_runs && !t->have_declip)
		snprintf(items[n++], MXD_CLEAN_ITEM, "{ type: declip, id: clean-declip }");
	if (t->fine_fix && t->have_fine < 0)
		snprintf(items[n++], MXD_CLEAN_ITEM, "{ type: finedelay, id: clean-align, samples: %.3f }", t->fine);
	if (t->hum_hz > 0 && !t->have_dehum)
		snprintf(items[n++], MXD_CLEAN_ITEM, "{ type: dehum, id: clean-dehum, frequency: %d }",
			 t->hum_hz < 55 ? 50 : 60);
	if (t->denoise_db > 0 && !t->have_denoise) {
		/* The learned profile goes with it (profile_1..32, dBFS, fx_denoise.c). */
		int len = snprintf(items[n], MXD_CLEAN_ITEM, "{ type: denoise, id: clean-denoise, amount: %.0f", t->denoise_db);
		for (int b = 0; b < MXD_NOISE_BANDS && len > 0 && len < MXD_CLEAN_ITEM; b++)
			len += snprintf(items[n] + len, MXD_CLEAN_ITEM - (size_t)len, ", profile_%d: %.1f", b + 1,
					fmax(-150.0, fmin(0.0, t->noise_band[b])));
		if (len > 0 && len < MXD_CLEAN_ITEM)
			snprintf(items[n] + len, MXD_CLEAN_ITEM - (size_t)len, " }");
		n++;
	}
	return n;
}

static bool track_has(const mxd_strip *s, const char *id)
{
	for (size_t i = 0; i < s->n_inserts; i++)
		if (s->inserts[i].id && !strcmp(s->inserts[i].id, id))
			return true;
	return false;
}

/* text <- patched text *out (the old one freed); st is the patch's status.
 * (Called after the patch, not with it as an argument: argument evaluation
 * order would read *out before the patch wrote it.) */
static mixdown_status step(char **text, size_t *len, mixdown_status st, char **out, size_t *out_len)
{
	if (st != MIXDOWN_SUCCESS)
		return st;
	free(*text);
	*text = *out;
	*len = *out_len;
	*out = NULL;
	return st;
}

static mixdown_status read_text(const char *path, char **text, size_t *len, mixdown_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return mxd_fail(err, MIXDOWN_ERR_IO, path, (mxd_loc){ 0, 0 }, NULL, "cannot open the session");
	char *buf = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&buf, &size);
	char blk[65536];
	size_t got;
	while (m && (got = fread(blk, 1, sizeof blk, f)) > 0)
		fwrite(blk, 1, got, m);
	bool bad = ferror(f);
	fclose(f);
	if (!m || fclose(m) != 0 || bad) {
		free(buf);
		return mxd_fail(err, MIXDOWN_ERR_IO, path, (mxd_loc){ 0, 0 }, NULL, "cannot read the session");
	}
	*text = buf;
	*len = size;
	return MIXDOWN_SUCCESS;
}

mixdown_status mxd_clean_apply(const mxd_clean *c, mixdown_error *err)
{
	char *text = NULL, *out = NULL;
	size_t len = 0, out_len = 0;
	mixdown_status st = read_text(c->path, &text, &len, err);
	for (size_t i = 0; i < c->n && st == MIXDOWN_SUCCESS; i++) {
		const mxd_clean_track *t = &c->t[i];
		char sel[600];
		snprintf(sel, sizeof sel, "tracks[name=%s]", t->strip->name);
		if (t->split || t->shift) {
			size_t n = 0;
			char **items = mxd_clean_clip_items(c, t, &n);
			if (!items)
				st = MIXDOWN_ERR_NOMEM;
			else {
				st = mxd_session_patch_list(text, len, c->path, sel, "clips", "file", (const char *const *)items,
							    n, false, &out, &out_len, err);
				st = step(&text, &len, st, &out, &out_len);
			}
			for (size_t k = 0; items && k < n; k++)
				free(items[k]);
			free(items);
		}
		if (st == MIXDOWN_SUCCESS && t->flip) {
			char path[620];
			snprintf(path, sizeof path, "%s.invert", sel);
			mxd_patch_change ch = { .path = path, .value = t->strip->invert ? "false" : "true" };
			st = mxd_session_patch(text, len, c->path, &ch, 1, &out, &out_len, err);
			st = step(&text, &len, st, &out, &out_len);
		}
		if (st == MIXDOWN_SUCCESS && t->fine_fix && t->have_fine >= 0) {
			char path[640], v[32];
			snprintf(path, sizeof path, "%s.inserts[id=clean-align].samples", sel);
			snprintf(v, sizeof v, "%.3f", t->fine);
			mxd_patch_change ch = { .path = path, .value = v };
			st = mxd_session_patch(text, len, c->path, &ch, 1, &out, &out_len, err);
			st = step(&text, &len, st, &out, &out_len);
		}
		char ins[8][MXD_CLEAN_ITEM];
		const char *ip[8];
		size_t ni = 0, n = st == MIXDOWN_SUCCESS ? mxd_clean_inserts(t, ins) : 0;
		for (size_t k = 0; k < n; k++) {
			const char *id = strstr(ins[k], "id: ") + 4;
			char idb[32];
			snprintf(idb, sizeof idb, "%.*s", (int)strcspn(id, ",}"), id);
			if (!track_has(t->strip, idb))
				ip[ni++] = ins[k];
		}
		if (ni) {
			st = mxd_session_patch_list(text, len, c->path, sel, "inserts", NULL, ip, ni, true, &out, &out_len, err);
			st = step(&text, &len, st, &out, &out_len);
		}
	}
	/* The result must load as a session before it replaces the file. */
	if (st == MIXDOWN_SUCCESS) {
		mixdown_session *chk = NULL;
		st = mixdown_session_load_string(text, len, c->path, c->s->dir, &chk, err);
		mixdown_session_free(chk);
	}
	if (st == MIXDOWN_SUCCESS) {
		size_t cap = strlen(c->path) + 64;
		char *tmp = malloc(cap);
		FILE *f = tmp ? mxd_text_out_open(c->path, tmp, cap, err) : NULL;
		if (!tmp)
			st = MIXDOWN_ERR_NOMEM;
		else if (!f)
			st = MIXDOWN_ERR_IO;
		else
			st = mxd_text_out_commit(f, tmp, c->path, fwrite(text, 1, len, f) == len, err);
		free(tmp);
	}
	free(text);
	return st;
}
