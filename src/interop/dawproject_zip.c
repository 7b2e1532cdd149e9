/* mixdown — the DAWproject container: project.xml and audio from a .dawproject
 * zip (libzip), or from a bare project.xml whose audio paths are relative to
 * its folder (the form the DAWproject repository's examples are published in).
 * Owns the XML bytes; extraction writes a temporary file and renames it into
 * place. Control thread only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "interop/dawproject.h"

struct dp_container {
	zip_t *zip; /* NULL for a bare XML file */
	char *dir; /* bare XML: its folder */
	char *xml;
	size_t len;
};

static const mxd_loc noloc = {0, 0};

static mixdown_status read_all(FILE *f, char **out, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		char *b = realloc(buf, (cap *= 2) + 1);
		if (!b)
			free(buf);
		buf = b;
	}
	if (!buf)
		return MIXDOWN_ERR_NOMEM;
	buf[n] = '\0';
	*out = buf, *len = n;
	return MIXDOWN_SUCCESS;
}

static mixdown_status open_bare(const char *path, dp_container *c, mixdown_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, path, noloc, NULL, "cannot open: %s", strerror(errno));
	mixdown_status st = read_all(f, &c->xml, &c->len);
	fclose(f);
	if (st != MIXDOWN_SUCCESS)
		return st;
	size_t i = 0;
	while (i < c->len && (c->xml[i] == ' ' || c->xml[i] == '\n' || c->xml[i] == '\r' || c->xml[i] == '\t'))
		i++;
	if (i >= c->len || c->xml[i] != '<')
		return mxd_fail(err, MIXDOWN_ERR_SESSION, path, noloc, NULL,
				"neither a DAWproject zip nor a project.xml file");
	char *d = strdup(path);
	if (!d)
		return MIXDOWN_ERR_NOMEM;
	char *slash = strrchr(d, '/');
	if (slash)
		slash[slash == d ? 1 : 0] = '\0';
	else
		strcpy(d, ".");
	c->dir = d;
	return MIXDOWN_SUCCESS;
}

mixdown_status dp_open(const char *path, dp_container **out, mixdown_error *err)
{
	*out = NULL;
	dp_container *c = calloc(1, sizeof *c);
	if (!c)
		return MIXDOWN_ERR_NOMEM;
	int ze = 0;
	c->zip = zip_open(path, ZIP_RDONLY, &ze);
	mixdown_status st = MIXDOWN_SUCCESS;
	if (!c->zip && ze == ZIP_ER_NOZIP) {
		st = open_bare(path, c, err);
	} else if (!c->zip) {
		zip_error_t e;
		zip_error_init_with_code(&e, ze);
		st = mxd_fail(err, ze == ZIP_ER_NOENT || ze == ZIP_ER_OPEN ? MIXDOWN_ERR_USAGE : MIXDOWN_ERR_SESSION,
			      path, noloc, NULL, "cannot open: %s", zip_error_strerror(&e));
		zip_error_fini(&e);
	} else {
		zip_stat_t zs;
		zip_file_t *zf = NULL;
		if (zip_stat(c->zip, "project.xml", 0, &zs) != 0 || !(zs.valid & ZIP_STAT_SIZE))
			st = mxd_fail(err, MIXDOWN_ERR_SESSION, path, noloc, NULL,
				      "not a DAWproject: the zip holds no project.xml");
		else if (zs.size > (zip_uint64_t)256 << 20)
			st = mxd_fail(err, MIXDOWN_ERR_SESSION, path, noloc, "project.xml", "larger than 256 MB");
		else if (!(c->xml = malloc((size_t)zs.size + 1)))
			st = MIXDOWN_ERR_NOMEM;
		else if (!(zf = zip_fopen(c->zip, "project.xml", 0)) ||
			 zip_fread(zf, c->xml, zs.size) != (zip_int64_t)zs.size)
			st = mxd_fail(err, MIXDOWN_ERR_SESSION, path, noloc, "project.xml", "cannot read: %s",
				      zip_strerror(c->zip));
		if (zf)
			zip_fclose(zf);
		if (st == MIXDOWN_SUCCESS) {
			c->len = (size_t)zs.size;
			c->xml[c->len] = '\0';
		}
	}
	if (st != MIXDOWN_SUCCESS) {
		dp_close(c);
		return st;
	}
	*out = c;
	return MIXDOWN_SUCCESS;
}

void dp_close(dp_container *c)
{
	if (!c)
		return;
	if (c->zip)
		zip_discard(c->zip);
	free(c->dir);
	free(c->xml);
	free(c);
}

const char *dp_project_xml(const dp_container *c, size_t *len)
{
	*len = c->len;
	return c->xml;
}

/* Bare XML: a path relative to the XML's folder (absolute paths as they are). */
static char *bare_path(const dp_container *c, const char *name)
{
	size_t n = strlen(c->dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", name[0] == '/' ? "" : c->dir, name[0] == '/' ? name + 1 : name);
	return p;
}

bool dp_has_file(const dp_container *c, const char *name)
{
	if (c->zip)
		return zip_name_locate(c->zip, name, 0) >= 0;
	char *p = bare_path(c, name);
	bool ok = p && access(p, R_OK) == 0;
	free(p);
	return ok;
}

mixdown_status dp_extract(const dp_container *c, const char *name, const char *dest, mixdown_error *err)
{
	size_t tn = strlen(dest) + 32;
	char *tmp = malloc(tn);
	if (!tmp)
		return MIXDOWN_ERR_NOMEM;
	snprintf(tmp, tn, "%s.%ld.part", dest, (long)getpid());
	mixdown_status st = MIXDOWN_SUCCESS;
	FILE *out = fopen(tmp, "wb");
	if (!out) {
		st = mxd_fail(err, MIXDOWN_ERR_IO, dest, noloc, NULL, "cannot write: %s", strerror(errno));
		free(tmp);
		return st;
	}
	char buf[65536];
	if (c->zip) {
		zip_file_t *zf = zip_fopen(c->zip, name, 0);
		zip_int64_t r = zf ? 0 : -1;
		while (zf && (r = zip_fread(zf, buf, sizeof buf)) > 0)
			if (fwrite(buf, 1, (size_t)r, out) != (size_t)r)
				break;
		if (r < 0)
			st = mxd_fail(err, MIXDOWN_ERR_AUDIO, name, noloc, NULL, "cannot read from the project: %s",
				      zip_strerror(c->zip));
		if (zf)
			zip_fclose(zf);
	} else {
		char *p = bare_path(c, name);
		FILE *in = p ? fopen(p, "rb") : NULL;
		if (!in)
			st = mxd_fail(err, MIXDOWN_ERR_AUDIO, p ? p : name, noloc, NULL, "cannot open: %s",
				      strerror(errno));
		size_t r;
		while (in && (r = fread(buf, 1, sizeof buf, in)) > 0)
			if (fwrite(buf, 1, r, out) != r)
				break;
		if (in)
			fclose(in);
		free(p);
	}
	if ((ferror(out) | (fclose(out) != 0)) && st == MIXDOWN_SUCCESS)
		st = mxd_fail(err, MIXDOWN_ERR_IO, dest, noloc, NULL, "write failed: %s", strerror(errno));
	if (st == MIXDOWN_SUCCESS && rename(tmp, dest) != 0)
		st = mxd_fail(err, MIXDOWN_ERR_IO, dest, noloc, NULL, "cannot rename into place: %s", strerror(errno));
	if (st != MIXDOWN_SUCCESS)
		unlink(tmp);
	free(tmp);
	return st;
}
