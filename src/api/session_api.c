/* mixdown — public session functions: load from file or text, accessors.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/routing.h"
#include "session/model.h"

/* Parse, then build the routing once so loops are reported at load time. */
static mixdown_status load_checked(const char *text, size_t len, const char *name, const char *base_dir,
				   mixdown_session **out, mixdown_error *err)
{
	mixdown_status st = mxd_session_parse(text, len, name, base_dir, out, err);
	if (st != MIXDOWN_SUCCESS)
		return st;
	mxd_routing r;
	st = mxd_routing_build(*out, &r, err);
	mxd_routing_free(&r);
	if (st != MIXDOWN_SUCCESS) {
		mxd_session_free(*out);
		*out = NULL;
	}
	return st;
}

mixdown_status mixdown_session_load(const char *path, mixdown_session **out, mixdown_error *err)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return mxd_fail(err, MIXDOWN_ERR_SESSION, path, (mxd_loc){ 0, 0 }, NULL, "cannot open session: %s",
				strerror(errno));
	size_t cap = 65536, len = 0;
	char *text = malloc(cap);
	while (text) {
		size_t r = fread(text + len, 1, cap - len, f);
		len += r;
		if (len < cap)
			break;
		char *bigger = realloc(text, cap *= 2);
		if (!bigger) {
			free(text);
			text = NULL;
		}
		text = bigger;
	}
	int read_error = ferror(f);
	fclose(f);
	if (!text)
		return MIXDOWN_ERR_NOMEM;
	if (read_error) {
		free(text);
		return mxd_fail(err, MIXDOWN_ERR_SESSION, path, (mxd_loc){ 0, 0 }, NULL, "cannot read session");
	}
	/* Relative audio paths are relative to the session file. */
	char *dir = strdup(path);
	if (!dir) {
		free(text);
		return MIXDOWN_ERR_NOMEM;
	}
	char *slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir ? 1 : 0] = '\0';
	else
		strcpy(dir, ".");
	mixdown_status st = load_checked(text, len, path, dir, out, err);
	free(dir);
	free(text);
	return st;
}

mixdown_status mixdown_session_load_string(const char *text, size_t len, const char *name,
					   const char *base_dir, mixdown_session **out, mixdown_error *err)
{
	*out = NULL;
	return load_checked(text, len, name ? name : "<string>", base_dir ? base_dir : ".", out, err);
}

void mixdown_session_free(mixdown_session *s) { mxd_session_free(s); }
double mixdown_session_sample_rate(const mixdown_session *s) { return s->sample_rate; }
uint32_t mixdown_session_channels(const mixdown_session *s) { return s->channels; }
size_t mixdown_session_track_count(const mixdown_session *s) { return s->n_tracks; }
size_t mixdown_session_bus_count(const mixdown_session *s) { return s->n_buses; }

const char *mixdown_session_track_name(const mixdown_session *s, size_t i)
{
	return i < s->n_tracks ? s->tracks[i].name : NULL;
}

const char *mixdown_session_bus_name(const mixdown_session *s, size_t i)
{
	return i < s->n_buses ? s->buses[i].name : NULL;
}

const char *mixdown_session_export_file(const mixdown_session *s) { return s->export_file; }

double mixdown_session_target_loudness(const mixdown_session *s)
{
	if (!s->master_target)
		return NAN;
	if (!isnan(s->master_loudness))
		return s->master_loudness;
	const mixdown_master_preset *p = s->master_preset ? mixdown_master_preset_find(s->master_preset) : NULL;
	return p ? p->loudness : NAN;
}

mixdown_status mixdown_session_position(const mixdown_session *s, const char *text, double *seconds,
					mixdown_error *err)
{
	if (!text)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL, "no position given");
	mixdown_error e;
	if (mxd_session_time(s, text, "position", seconds, &e) != MIXDOWN_SUCCESS) /* a usage error, not the file's */
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL, "%s", e.message);
	return MIXDOWN_SUCCESS;
}
