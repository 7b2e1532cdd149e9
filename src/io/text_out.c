/* mixdown — writing a text file safely (see text_out.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/text_out.h"
#include "session/model.h"

FILE *mxd_text_out_open(const char *path, char *tmp, size_t cap, mixdown_error *err)
{
	if (snprintf(tmp, cap, "%s.%ld.part", path, (long)getpid()) >= (int)cap) {
		mxd_fail(err, MIXDOWN_ERR_IO, path, (mxd_loc){ 0, 0 }, NULL, "path too long");
		return NULL;
	}
	FILE *f = fopen(tmp, "wx");
	if (!f) {
		mxd_fail(err, MIXDOWN_ERR_IO, path, (mxd_loc){ 0, 0 }, NULL, "cannot write: %s", strerror(errno));
		return NULL;
	}
	struct stat sb;
	if (stat(path, &sb) == 0)
		fchmod(fileno(f), sb.st_mode & 07777); /* a rewritten file keeps its permissions */
	return f;
}

mixdown_status mxd_text_out_commit(FILE *f, const char *tmp, const char *path, bool ok, mixdown_error *err)
{
	mixdown_status st = MIXDOWN_SUCCESS;
	/* both always run: the stream is closed whatever ferror says */
	if (ferror(f) | (fclose(f) != 0))
		st = mxd_fail(err, MIXDOWN_ERR_IO, path, (mxd_loc){ 0, 0 }, NULL, "write failed: %s", strerror(errno));
	else if (ok && rename(tmp, path) != 0)
		st = mxd_fail(err, MIXDOWN_ERR_IO, path, (mxd_loc){ 0, 0 }, NULL, "cannot rename into place: %s",
			      strerror(errno));
	if (st != MIXDOWN_SUCCESS || !ok)
		unlink(tmp);
	return st;
}
