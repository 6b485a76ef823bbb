/*
 * t.h: the unit test harness.  A test is a function; T_RUN runs it and prints
 * "ok - name" or "not ok - name: file:line: what failed".  tests/run counts
 * those lines.  A test stops at its first failed check.
 */
#ifndef GLOSS_T_H
#define GLOSS_T_H

#include <stdio.h>
#include <string.h>

static int t_failed_now;
static int t_skipped_now;
static int t_failures;
static char t_why[512];

#define T_FAIL(...) do { \
	int t_n_ = snprintf(t_why, sizeof t_why, "%s:%d: ", __FILE__, __LINE__); \
	if (t_n_ > 0 && (size_t)t_n_ < sizeof t_why) \
		snprintf(t_why + t_n_, sizeof t_why - (size_t)t_n_, __VA_ARGS__); \
	t_failed_now = 1; return; } while (0)
/* The machine cannot run the test: "skip - name: why", counted apart. */
#define T_SKIP(...) do { snprintf(t_why, sizeof t_why, __VA_ARGS__); t_skipped_now = 1; return; } while (0)
#define T_ASSERT(c) do { if (!(c)) T_FAIL("%s", #c); } while (0)
#define T_EQ_INT(a, b) do { long long t_a_ = (long long)(a), t_b_ = (long long)(b); \
	if (t_a_ != t_b_) T_FAIL("%s == %lld, expected %lld", #a, t_a_, t_b_); } while (0)
#define T_EQ_STR(a, b) do { const char *t_a_ = (a), *t_b_ = (b); \
	if (!t_a_ || !t_b_ || strcmp(t_a_, t_b_)) T_FAIL("%s == \"%s\", expected \"%s\"", #a, \
		t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)"); } while (0)

static void t_run(const char *name, void (*fn)(void))
{
	t_failed_now = t_skipped_now = 0;
	t_why[0] = '\0';
	fn();
	if (t_skipped_now) {
		printf("skip - %s: %s\n", name, t_why);
	} else if (t_failed_now) {
		t_failures++;
		printf("not ok - %s: %s\n", name, t_why);
	} else {
		printf("ok - %s\n", name);
	}
	fflush(stdout);
}

#define T_RUN(fn) t_run(#fn, fn)
#define T_DONE() return t_failures ? 1 : 0

#endif
