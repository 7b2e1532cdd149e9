/* mixdown — writing a command's output file safely: into a temporary file
 * next to the target, renamed into place only when complete, never over one
 * of the command's inputs; and the JSON string writer of the commands' --json.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Main thread only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

bool cli_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

FILE *cli_output_open(const char *path, char *tmp, size_t cap)
{
	if (snprintf(tmp, cap, "%s.tmp-XXXXXX", path) >= (int)cap) {
		fprintf(stderr, "%s: %s: path too long\n", cli_prog, path);
		return NULL;
	}
	int fd = mkstemp(tmp);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		fprintf(stderr, "%s: %s: cannot create: %s\n", cli_prog, path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return NULL;
	}
	/* mkstemp makes 0600; an output is an ordinary file (umask applies). */
	mode_t mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	return f;
}

int cli_output_commit(FILE *f, const char *tmp, const char *path, bool ok)
{
	bool failed = !ok || ferror(f);
	failed |= fclose(f) != 0;
	if (!failed && rename(tmp, path) == 0)
		return EXIT_OK;
	if (ok)
		fprintf(stderr, "%s: %s: cannot write: %s\n", cli_prog, path, strerror(errno));
	unlink(tmp);
	return EXIT_FAIL;
}

void cli_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 32)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}
