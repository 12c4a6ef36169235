/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check.h: the unit-test harness.  A test file defines test functions and a
 * main() that calls RUN(fn) for each; CHECK* macros record failures with
 * file:line and keep going; check_done() prints "N passed, N failed" and
 * returns the exit status.  AWSX_TEST_DATA is the tests/data folder.
 */
#ifndef AWSX_CHECK_H
#define AWSX_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures_total, check_pass_total, check_fail_total;
static int check_current_failed;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n",         \
				__FILE__, __LINE__, #cond);                  \
			check_current_failed = 1;                            \
			check_failures_total++;                              \
		}                                                            \
	} while (0)

#define CHECK_INT(a, b)                                                      \
	do {                                                                 \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
		if (check_a_ != check_b_) {                                  \
			fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n", \
				__FILE__, __LINE__, #a, check_a_, check_b_); \
			check_current_failed = 1;                            \
			check_failures_total++;                              \
		}                                                            \
	} while (0)

#define CHECK_STR(a, b)                                                      \
	do {                                                                 \
		const char *check_a_ = (a), *check_b_ = (b);                 \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_)) {  \
			fprintf(stderr,                                      \
				"%s:%d: %s\n  got:      '%s'\n  expected: '%s'\n", \
				__FILE__, __LINE__, #a,                      \
				check_a_ ? check_a_ : "(null)",              \
				check_b_ ? check_b_ : "(null)");             \
			check_current_failed = 1;                            \
			check_failures_total++;                              \
		}                                                            \
	} while (0)

#define RUN(fn)                                                              \
	do {                                                                 \
		check_current_failed = 0;                                    \
		fn();                                                        \
		if (check_current_failed) {                                  \
			fprintf(stderr, "FAIL %s\n", #fn);                   \
			check_fail_total++;                                  \
		} else {                                                     \
			check_pass_total++;                                  \
		}                                                            \
	} while (0)

/* Record a named sub-case outcome (e.g. one signing vector). */
#define RECORD(name, ok)                                                     \
	do {                                                                 \
		if (ok) {                                                    \
			check_pass_total++;                                  \
		} else {                                                     \
			fprintf(stderr, "FAIL %s\n", (name));                \
			check_fail_total++;                                  \
		}                                                            \
	} while (0)

static inline int check_done(void)
{
	printf("%d passed, %d failed\n", check_pass_total, check_fail_total);
	return check_fail_total ? 1 : 0;
}

#endif
