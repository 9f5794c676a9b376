#ifndef RB_TAP_H
#define RB_TAP_H

/*
 * A tiny TAP producer for unit tests: plan, ok, is_int, is_str, diag, bail.
 * Header-only so each test is one .c file; prove reads the output.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static inline void
plan(int n)
{
	printf("1..%d\n", n);
}

static inline void
done_testing(void)
{
	printf("1..%d\n", tap_n);
}

static inline void diag(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static inline void
diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static inline int ok(int cond, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline int
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

#define is_int(got, want, ...) \
	do { \
		long long g_ = (long long)(got), w_ = (long long)(want); \
		if (!ok(g_ == w_, __VA_ARGS__)) \
			diag("got %lld, want %lld", g_, w_); \
	} while (0)

#define is_str(got, want, ...) \
	do { \
		const char *g_ = (got), *w_ = (want); \
		int eq_ = g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_; \
		if (!ok(eq_, __VA_ARGS__)) \
			diag("got '%s', want '%s'", g_ ? g_ : "(null)", \
			    w_ ? w_ : "(null)"); \
	} while (0)

static inline void
bail(const char *why)
{
	printf("Bail out! %s\n", why);
	exit(255);
}

static inline int
exit_status(void)
{
	return tap_failed ? 1 : 0;
}

#endif
