/* mixdown — public DAWproject functions: import (project -> session file and
 * extracted audio), export (session -> .dawproject zip) and schema validation.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every output is written to a temporary file next to its target and renamed
 * into place when complete. Control thread only.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "io/text_out.h"
#include "interop/dawproject_read.h"

static const mxd_loc noloc = {0, 0};

static bool same_file(const char *a, const char *b)
{
	struct stat x, y;
	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* Directory (absolute) and base name without extension of `path`. */
static mixdown_status split_path(const char *path, char *dir, char *base, mixdown_error *err)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof tmp, "%s", path);
	char *slash = strrchr(tmp, '/');
	const char *name = slash ? slash + 1 : tmp;
	if (snprintf(base, 200, "%s", name) >= 200)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, path, noloc, NULL, "file name too long");
	char *dot = strrchr(base, '.');
	if (dot && dot != base)
		*dot = '\0';
	if (slash)
		slash[slash == tmp ? 1 : 0] = '\0';
	if (!realpath(slash ? tmp : ".", dir))
		return mxd_fail(err, MIXDOWN_ERR_USAGE, path, noloc, NULL, "folder does not exist");
	return MIXDOWN_SUCCESS;
}

static mixdown_status write_text(const char *path, const char *text, size_t len, mixdown_error *err)
{
	char tmp[PATH_MAX + 32];
	FILE *f = mxd_text_out_open(path, tmp, sizeof tmp, err);
	if (!f)
		return MIXDOWN_ERR_IO;
	fwrite(text, 1, len, f);
	return mxd_text_out_commit(f, tmp, path, true, err);
}

mixdown_status mixdown_dawproject_import(const char *project, const char *session_path, bool overwrite,
					 mixdown_dawproject_report *report, mixdown_error *err)
{
	mixdown_dawproject_report local;
	mixdown_dawproject_report *rep = report ? report : &local;
	memset(rep, 0, sizeof *rep);
	if (err)
		memset(err, 0, sizeof *err);
	if (!project || !session_path)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, noloc, NULL, "import needs a project and a session path");
	if (same_file(project, session_path))
		return mxd_fail(err, MIXDOWN_ERR_USAGE, session_path, noloc, NULL, "is the project itself");
	if (!overwrite && access(session_path, F_OK) == 0)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, session_path, noloc, NULL,
				"already exists (use --force to replace it)");
	char sdir[PATH_MAX], base[200];
	mixdown_status st = split_path(session_path, sdir, base, err);
	if (st != MIXDOWN_SUCCESS)
		return st;
	dp_container *c = NULL;
	if ((st = dp_open(project, &c, err)) != MIXDOWN_SUCCESS)
		return st;
	char audio_rel[256];
	snprintf(audio_rel, sizeof audio_rel, "%s-audio", base);
	if (snprintf(rep->audio_dir, sizeof rep->audio_dir, "%s/%s", sdir, audio_rel) >= (int)sizeof rep->audio_dir) {
		dp_close(c);
		return mxd_fail(err, MIXDOWN_ERR_USAGE, session_path, noloc, NULL, "path too long");
	}
	bool made = mkdir(rep->audio_dir, 0777) == 0;
	if (!made && errno != EEXIST) {
		dp_close(c);
		return mxd_fail(err, MIXDOWN_ERR_IO, rep->audio_dir, noloc, NULL, "cannot create: %s", strerror(errno));
	}
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f) {
		dp_close(c);
		return MIXDOWN_ERR_NOMEM;
	}
	dp_read_ctx ctx = {.project = project, .c = c, .audio_dir = rep->audio_dir, .audio_rel = audio_rel, .rep = rep};
	st = dp_read_project(&ctx, f, err);
	fclose(f);
	dp_close(c);
	if (st == MIXDOWN_SUCCESS) {
		/* The normal parser validates what was generated (and opens every clip). */
		mxd_session *s = NULL;
		st = mxd_session_parse(text, len, session_path, sdir, &s, err);
		mxd_session_free(s);
		if (st != MIXDOWN_SUCCESS && err) {
			/* The message says where the generated text came from. */
			size_t n = strlen(err->message);
			if (snprintf(err->message + n, sizeof err->message - n, " (generated from %s)", project) < 0)
				err->message[n] = '\0';
		}
	}
	if (st == MIXDOWN_SUCCESS)
		st = write_text(session_path, text, len, err);
	free(text);
	if (made && rmdir(rep->audio_dir) == 0)
		rep->audio_dir[0] = '\0'; /* nothing was extracted */
	return st;
}

static void base_name(const char *path, char *out, size_t cap)
{
	const char *s = strrchr(path, '/');
	snprintf(out, cap, "%s", s ? s + 1 : path);
}

mixdown_status dp_audio_files(const mxd_session *s, dp_audio_list *out)
{
	memset(out, 0, sizeof *out);
	size_t cap = 0;
	for (size_t t = 0; t < s->n_tracks; t++)
		cap += s->tracks[t].n_clips;
	if (!cap)
		return MIXDOWN_SUCCESS;
	if (!(out->src = calloc(cap, sizeof *out->src)) || !(out->zip_name = calloc(cap, sizeof *out->zip_name)))
		return MIXDOWN_ERR_NOMEM;
	for (size_t t = 0; t < s->n_tracks; t++)
		for (size_t k = 0; k < s->tracks[t].n_clips; k++) {
			const char *src = s->tracks[t].clips[k].file;
			bool seen = false;
			for (size_t i = 0; i < out->n && !seen; i++)
				seen = !strcmp(out->src[i], src);
			if (seen)
				continue;
			char name[256], cand[300];
			base_name(src, name, sizeof name);
			snprintf(cand, sizeof cand, "audio/%s", name);
			/* The same name from two folders: "name-2.wav", ... */
			for (int n = 2;; n++) {
				bool taken = false;
				for (size_t i = 0; i < out->n; i++)
					taken |= !strcmp(out->zip_name[i], cand);
				if (!taken)
					break;
				char *dot = strrchr(name, '.');
				int stem = dot ? (int)(dot - name) : (int)strlen(name);
				snprintf(cand, sizeof cand, "audio/%.*s-%d%s", stem, name, n, dot ? dot : "");
			}
			if (!(out->src[out->n] = strdup(src)) || !(out->zip_name[out->n] = strdup(cand)))
				return MIXDOWN_ERR_NOMEM;
			out->n++;
		}
	return MIXDOWN_SUCCESS;
}

void dp_audio_list_free(dp_audio_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->src[i]);
		free(l->zip_name[i]);
	}
	free(l->src);
	free(l->zip_name);
	memset(l, 0, sizeof *l);
}

mixdown_status mixdown_dawproject_export(const mixdown_session *session, const char *project, bool overwrite,
					 mixdown_dawproject_report *report, mixdown_error *err)
{
	mixdown_dawproject_report local;
	mixdown_dawproject_report *rep = report ? report : &local;
	memset(rep, 0, sizeof *rep);
	if (err)
		memset(err, 0, sizeof *err);
	const mxd_session *s = session;
	if (!s || !project)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, noloc, NULL, "export needs a session and a project path");
	if (s->path && same_file(s->path, project))
		return mxd_fail(err, MIXDOWN_ERR_USAGE, project, noloc, NULL, "is the session itself");
	for (size_t t = 0; t < s->n_tracks; t++)
		for (size_t k = 0; k < s->tracks[t].n_clips; k++)
			if (same_file(s->tracks[t].clips[k].file, project))
				return mxd_fail(err, MIXDOWN_ERR_USAGE, project, noloc, NULL,
						"is one of the session's audio files");
	if (!overwrite && access(project, F_OK) == 0)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, project, noloc, NULL,
				"already exists (use --force to replace it)");
	dp_audio_list audio;
	mixdown_status st = dp_audio_files(s, &audio);
	char *xml = NULL;
	size_t len = 0;
	if (st == MIXDOWN_SUCCESS)
		st = dp_write_project(s, &audio, rep, &xml, &len, err);
	if (st != MIXDOWN_SUCCESS) {
		dp_audio_list_free(&audio);
		return st;
	}
	char tmp[PATH_MAX + 32];
	snprintf(tmp, sizeof tmp, "%s.%ld.part", project, (long)getpid());
	unlink(tmp);
	int ze = 0;
	zip_t *z = zip_open(tmp, ZIP_CREATE | ZIP_EXCL, &ze);
	if (!z) {
		free(xml);
		dp_audio_list_free(&audio);
		return mxd_fail(err, MIXDOWN_ERR_IO, project, noloc, NULL, "cannot write: %s", strerror(errno));
	}
	const char *meta = dp_metadata_xml();
	zip_source_t *px = zip_source_buffer(z, xml, len, 0), *pm = zip_source_buffer(z, meta, strlen(meta), 0);
	bool ok = px && zip_file_add(z, "project.xml", px, ZIP_FL_ENC_UTF_8) >= 0;
	if (!ok && px)
		zip_source_free(px);
	ok = ok && pm && zip_file_add(z, "metadata.xml", pm, ZIP_FL_ENC_UTF_8) >= 0;
	for (size_t i = 0; ok && i < audio.n; i++) {
		zip_source_t *src = zip_source_file(z, audio.src[i], 0, -1);
		zip_int64_t idx = src ? zip_file_add(z, audio.zip_name[i], src, ZIP_FL_ENC_UTF_8) : -1;
		if (idx < 0) {
			if (src)
				zip_source_free(src);
			ok = false;
			break;
		}
		/* Audio is stored, not deflated: it barely compresses and is read often. */
		zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
	}
	if (ok && zip_close(z) == 0) {
		if (rename(tmp, project) != 0)
			st = mxd_fail(err, MIXDOWN_ERR_IO, project, noloc, NULL, "cannot rename into place: %s",
				      strerror(errno));
	} else {
		st = mxd_fail(err, MIXDOWN_ERR_IO, project, noloc, NULL, "cannot write the zip: %s", zip_strerror(z));
		zip_discard(z);
	}
	if (st != MIXDOWN_SUCCESS)
		unlink(tmp);
	free(xml);
	dp_audio_list_free(&audio);
	return st;
}

/* The first schema error, with its line. */
typedef struct {
	mixdown_error *err;
	const char *file;
	bool failed;
} verr;

static void schema_error(void *user, const xmlError *e)
{
	verr *v = user;
	if (v->failed || !e)
		return;
	v->failed = true;
	char msg[600];
	snprintf(msg, sizeof msg, "%s", e->message ? e->message : "invalid");
	msg[strcspn(msg, "\n")] = '\0';
	mxd_fail(v->err, MIXDOWN_ERR_SESSION, v->file, (mxd_loc){(uint32_t)e->line, 0}, "project.xml",
		 "does not validate: %s", msg);
}

/* libxml2 2.9 declares the handler with a non-const xmlError *. */
static void schema_error_cb(void *user, xmlError *e)
{
	schema_error(user, e);
}

static void quiet(void *user, xmlError *e)
{
	(void)user, (void)e;
}

mixdown_status mixdown_dawproject_validate(const char *project, const char *xsd_path, mixdown_error *err)
{
	if (err)
		memset(err, 0, sizeof *err);
	dp_container *c = NULL;
	mixdown_status st = dp_open(project, &c, err);
	if (st != MIXDOWN_SUCCESS)
		return st;
	size_t len;
	const char *xml = dp_project_xml(c, &len);
	verr v = {.err = err, .file = project};
	xmlSetStructuredErrorFunc(NULL, quiet); /* a broken schema is reported below, not printed */
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(xsd_path);
	xmlSchemaPtr schema = pc ? xmlSchemaParse(pc) : NULL;
	xmlSetStructuredErrorFunc(NULL, NULL);
	xmlSchemaValidCtxtPtr vc = schema ? xmlSchemaNewValidCtxt(schema) : NULL;
	xmlDocPtr doc = NULL;
	mixdown_status pst = dp_parse_xml(xml, len, project, &doc, err);
	if (!vc) {
		st = mxd_fail(err, MIXDOWN_ERR_USAGE, xsd_path, noloc, NULL, "cannot read the XML schema");
	} else if (pst != MIXDOWN_SUCCESS) {
		st = pst;
	} else {
		xmlSchemaSetValidStructuredErrors(vc, schema_error_cb, &v);
		int rc = xmlSchemaValidateDoc(vc, doc);
		if (rc != 0 && !v.failed)
			mxd_fail(err, MIXDOWN_ERR_SESSION, project, noloc, "project.xml", "does not validate");
		st = rc == 0 ? MIXDOWN_SUCCESS : MIXDOWN_ERR_SESSION;
	}
	if (doc)
		xmlFreeDoc(doc);
	if (vc)
		xmlSchemaFreeValidCtxt(vc);
	if (schema)
		xmlSchemaFree(schema);
	if (pc)
		xmlSchemaFreeParserCtxt(pc);
	dp_close(c);
	return st;
}
