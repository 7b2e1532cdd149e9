/* mixdown — mixdown_session_strips_json(): what the browser console
 * (`mixdown serve`, docs/console.md) shows of each strip beyond the player's
 * live state: colour, group, polarity, sends and inserts with their live-
 * changeable parameters. Part of the library (it reads the session model);
 * levels in dB, parameters in their processor's unit. Pure function of the
 * session; allocates the returned text; any thread.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx/processor.h"
#include "mixdown/mixdown.h"
#include "session/model.h"

static void str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	fputc('"', f);
}

static void num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.9g", v);
	else
		fputs(v < 0 ? "-1e999" : "null", f); /* -inf dB: JSON has no infinity; JS reads -1e999 as -Infinity */
}

/* One leaf parameter "path": value (enum choices by name). */
static void param(FILE *f, bool *first, const char *path, const mxd_param *p, double v)
{
	if (!p->automatable || p->kind == MXD_PARAM_FILE || p->kind == MXD_PARAM_LIST)
		return;
	fprintf(f, "%s", *first ? "" : ",");
	*first = false;
	str(f, path);
	fputc(':', f);
	if (p->kind == MXD_PARAM_ENUM && p->choices && v >= 0 && v <= p->max)
		str(f, p->choices[(size_t)v]);
	else
		num(f, v);
}

static void insert(FILE *f, const mxd_insert *in, size_t n)
{
	const mxd_fx_class *c = in->cls;
	fprintf(f, "{\"n\":%zu,\"id\":", n);
	str(f, in->id);
	fputs(",\"type\":", f);
	str(f, c->name);
	fprintf(f, ",\"bypass\":%s,\"params\":{", in->bypass ? "true" : "false");
	bool first = true;
	char path[160];
	for (size_t i = 0; i < c->n_params; i++) {
		const mxd_param *p = &c->params[i];
		if (p->kind != MXD_PARAM_LIST) {
			param(f, &first, p->name, p, in->values[p->first_slot]);
			continue;
		}
		for (size_t k = 0; k < p->max_items; k++) {
			/* Items left at every default were not written (EQ bands "off"). */
			bool used = false;
			for (size_t j = 0; j < p->n_sub; j++)
				used |= in->values[mxd_param_slot(p, k, j)] != p->sub[j].def;
			for (size_t j = 0; used && j < p->n_sub; j++) {
				snprintf(path, sizeof path, "%s.%zu.%s", p->name, k + 1, p->sub[j].name);
				/* The band type is not automatable but the page draws with it. */
				mxd_param shown = p->sub[j];
				shown.automatable = shown.automatable || shown.kind == MXD_PARAM_ENUM;
				param(f, &first, path, &shown, in->values[mxd_param_slot(p, k, j)]);
			}
		}
	}
	fputs("}}", f);
}

static void strip(FILE *f, const mxd_strip *s, bool comma)
{
	static const char *const kinds[] = { "track", "bus", "master" };
	fprintf(f, "%s{\"name\":", comma ? "," : "");
	str(f, s->name ? s->name : "master");
	fprintf(f, ",\"kind\":\"%s\",\"colour\":", kinds[s->kind]);
	str(f, s->color);
	fputs(",\"group\":", f);
	str(f, s->group);
	fprintf(f, ",\"invert\":%s,\"sends\":[", s->invert ? "true" : "false");
	for (size_t i = 0; i < s->n_sends; i++) {
		fprintf(f, "%s{\"bus\":", i ? "," : "");
		str(f, s->sends[i].to);
		fputs(",\"level\":", f);
		num(f, s->sends[i].level_db);
		fprintf(f, ",\"pre\":%s}", s->sends[i].pre_fader ? "true" : "false");
	}
	fputs("],\"inserts\":[", f);
	for (size_t i = 0; i < s->n_inserts; i++) {
		fputs(i ? "," : "", f);
		insert(f, &s->inserts[i], i + 1);
	}
	fputs("]}", f);
}

char *mixdown_session_strips_json(const mixdown_session *session)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	fputc('[', f);
	size_t k = 0;
	for (size_t i = 0; i < session->n_tracks; i++)
		strip(f, &session->tracks[i], k++);
	for (size_t i = 0; i < session->n_buses; i++)
		strip(f, &session->buses[i], k++);
	strip(f, &session->master, k++);
	fputc(']', f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
