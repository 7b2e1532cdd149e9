/* mixdown — writing YAML scalars and file paths for generated sessions.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef MIXDOWN_SESSION_YAML_QUOTE_H
#define MIXDOWN_SESSION_YAML_QUOTE_H

#include <stdio.h>

/* s as a YAML double-quoted scalar: backslash and quote escaped, control
 * characters as \xNN. Any thread (writes only to f). */
void mxd_yaml_put_quoted(FILE *f, const char *s);

/* A file path as a session names it: `target` relative to the directory
 * `from` when it lies below it, else `target` itself (both absolute and
 * normalized). Returns a pointer into `target`. */
const char *mxd_path_relative_to(const char *from, const char *target);

#endif
