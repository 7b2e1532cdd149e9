/* mixdown — a minimal TAP test harness.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each test program lists its cases and calls mxt_run(); every case prints one
 * TAP line ("ok N - name", "not ok N - name", "ok N - name # SKIP why").
 * tests/run-tests.sh totals them into the final "N passed, N failed" line.
 *
 *   static void t_sum(void) { CHECK_NEAR(1.0 + 1.0, 2.0, 1e-12); }
 *   int main(void) { static const mxt_case cases[] = { MXT(t_sum) }; return MXT_RUN(cases); }
 */
#ifndef MIXDOWN_TESTS_HARNESS_H
#define MIXDOWN_TESTS_HARNESS_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	const char *name;
	void (*fn)(void);
} mxt_case;

#define MXT(fn) { #fn, fn }
#define MXT_RUN(cases) mxt_run(cases, sizeof(cases) / sizeof((cases)[0]))

extern int mxt_failures;      /* failures in the current case */
extern char mxt_skip_why[256];

void mxt_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void mxt_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int mxt_run(const mxt_case *cases, size_t n);

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond))                                                           \
			mxt_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);              \
	} while (0)

#define CHECK_MSG(cond, ...)                                                           \
	do {                                                                           \
		if (!(cond))                                                           \
			mxt_fail(__FILE__, __LINE__, __VA_ARGS__);                     \
	} while (0)

#define CHECK_NEAR(a, b, tol)                                                          \
	do {                                                                           \
		double mxt_a_ = (double)(a), mxt_b_ = (double)(b);                     \
		if (!(fabs(mxt_a_ - mxt_b_) <= (double)(tol)))                          \
			mxt_fail(__FILE__, __LINE__, "%s = %.9g, expected %s = %.9g (tol %g)", \
				 #a, mxt_a_, #b, mxt_b_, (double)(tol));               \
	} while (0)

#define CHECK_INT(a, b)                                                                \
	do {                                                                           \
		long long mxt_a_ = (long long)(a), mxt_b_ = (long long)(b);            \
		if (mxt_a_ != mxt_b_)                                                  \
			mxt_fail(__FILE__, __LINE__, "%s = %lld, expected %s = %lld", #a, \
				 mxt_a_, #b, mxt_b_);                                  \
	} while (0)

#define CHECK_STR_CONTAINS(hay, needle)                                                \
	do {                                                                           \
		const char *mxt_h_ = (hay), *mxt_n_ = (needle);                        \
		if (!mxt_h_ || !strstr(mxt_h_, mxt_n_))                                \
			mxt_fail(__FILE__, __LINE__, "expected \"%s\" in \"%s\"", mxt_n_, \
				 mxt_h_ ? mxt_h_ : "(null)");                          \
	} while (0)

/* Skip the rest of the current case (call then return). */
#define SKIP(...) mxt_skip(__VA_ARGS__)

#endif
