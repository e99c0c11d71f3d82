/* SPDX-License-Identifier: MIT */
/*
 * The unit tests' assertion helper, with no framework behind it: CHECK and CHECKF count a pass
 * or a failure and print each failure with its file, line and expression; CHECK_STR compares
 * strings and shows both. check_summary prints the line "NAME: N passed, N failed" that
 * tests/run-all.sh sums, and gives the exit status (1 when anything failed).
 */
#ifndef BPFH_TEST_CHECK_H
#define BPFH_TEST_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bpfhost/log.h"

struct check_counts {
	unsigned passed, failed;
};

static inline struct check_counts *check_counts(void)
{
	static struct check_counts c;

	return &c;
}

BPFH_PRINTF(5, 6)
static inline int check_report(int ok, const char *file, int line, const char *expr,
			       const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		check_counts()->passed++;
		return 1;
	}
	check_counts()->failed++;
	printf("FAIL %s:%d: %s", file, line, expr);
	if (fmt && fmt[0]) {
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
	return 0;
}

/* Each evaluates to 1 when the check passed, so a test can stop early: if (!CHECK(p)) return. */
#define CHECK(cond) check_report(!!(cond), __FILE__, __LINE__, #cond, "%s", "")
#define CHECKF(cond, ...) check_report(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)
#define CHECK_STR(got, want)                                                              \
	check_report(!strcmp((got), (want)), __FILE__, __LINE__, #got " == " #want,         \
		     "got \"%s\", want \"%s\"", (got), (want))

static inline int check_summary(const char *name)
{
	printf("%s: %u passed, %u failed\n", name, check_counts()->passed, check_counts()->failed);
	return check_counts()->failed ? 1 : 0;
}

#endif
