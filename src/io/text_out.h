/* mixdown — writing a text file (a session, a project file) safely: into
 * "<path>.<pid>.part" next to it, renamed onto the path only when complete;
 * on any error the temporary file is removed and the path left as it was.
 * A file that already exists keeps its permissions.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Control thread; errors name the target path and the reason (mxd_fail).
 * tmp must hold at least strlen(path) + 32 bytes.
 */
#ifndef MIXDOWN_IO_TEXT_OUT_H
#define MIXDOWN_IO_TEXT_OUT_H

#include <stdio.h>

#include "mixdown/mixdown.h"

/* Opens the temporary file (exclusive create); NULL with err set. */
FILE *mxd_text_out_open(const char *path, char *tmp, size_t cap, mixdown_error *err);
/* Closes f and renames tmp onto path (ok false: discard); the status. */
mixdown_status mxd_text_out_commit(FILE *f, const char *tmp, const char *path, bool ok, mixdown_error *err);

#endif
