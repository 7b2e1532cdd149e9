/* mixdown — TAP test harness implementation.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "harness.h"

int mxt_failures;
char mxt_skip_why[256];

void mxt_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	mxt_failures++;
	fprintf(stdout, "#   %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

void mxt_skip(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(mxt_skip_why, sizeof mxt_skip_why, fmt, ap);
	va_end(ap);
}

int mxt_run(const mxt_case *cases, size_t n)
{
	const char *only = getenv("MXT_ONLY"); /* run one case by name */
	int failed = 0;
	printf("1..%zu\n", n);
	for (size_t i = 0; i < n; i++) {
		if (only && strcmp(only, cases[i].name) != 0) {
			printf("ok %zu - %s # SKIP not selected\n", i + 1, cases[i].name);
			continue;
		}
		mxt_failures = 0;
		mxt_skip_why[0] = '\0';
		fflush(stdout);
		cases[i].fn();
		if (mxt_failures) {
			failed++;
			printf("not ok %zu - %s\n", i + 1, cases[i].name);
		} else if (mxt_skip_why[0]) {
			printf("ok %zu - %s # SKIP %s\n", i + 1, cases[i].name, mxt_skip_why);
		} else {
			printf("ok %zu - %s\n", i + 1, cases[i].name);
		}
		fflush(stdout);
	}
	return failed ? 1 : 0;
}
