/* mixdown — YAML double-quoted scalars for generated sessions (`mixdown new`,
 * `mixdown automix`, the mastering chain session).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "session/yaml_quote.h"

void mxd_yaml_put_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s < 32)
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

const char *mxd_path_relative_to(const char *from, const char *target)
{
	size_t n = strlen(from);
	if (strncmp(from, target, n) == 0 && target[n] == '/')
		return target + n + 1;
	if (strcmp(from, "/") == 0)
		return target + 1;
	return target;
}
