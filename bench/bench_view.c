/*
 * bench_view: times the model without a terminal, for bench/run.
 *
 *   bench_view BIG LONGLINE
 *
 * BIG is a large text file of many lines, LONGLINE a file that is one long
 * line.  For each, opens the document and a 120x38 view and times the first
 * screen, G
 * (view_end), line scrolls and page moves near the end of the long line and
 * in the middle of the big file, each followed by view_screen() as the
 * screen would be drawn after every key; then a search for a word that is
 * not in the long line.  Prints one line per figure:
 *
 *   NAME <tab> MICROSECONDS PER OPERATION <tab> WARNING (usually empty)
 *
 * The figures of the search and the hash are for the whole long line.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gloss/doc.h"
#include "gloss/search.h"
#include "gloss/util.h"
#include "gloss/view.h"

#define BV_WIDTH 120
#define BV_HEIGHT 38
#define BV_REPEAT 5
#define BV_HASH_STEP (8u << 20) /* what the ui hashes between two looks at the keyboard */

static double bv_now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int bv_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double bv_median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, bv_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* What a key costs the model: the move, then the rows the screen shows. */
static void bv_screen(struct view *v)
{
	struct view_row rows[BV_HEIGHT];

	if (view_screen(v, rows, BV_HEIGHT) == 0)
		abort();
}

static struct doc *bv_open(const char *path, const char *label)
{
	struct doc *d;
	double t0 = bv_now_us();

	d = doc_open(path, NULL);
	if (!d) {
		fprintf(stderr, "bench_view: %s\n", util_errmsg());
		exit(1);
	}
	printf("open %s\t%.1f\t\n", label, bv_now_us() - t0);
	return d;
}

static struct view *bv_view(struct doc *d)
{
	struct view *v = view_new(doc_bytes(d), doc_size(d));

	view_resize(v, BV_WIDTH, BV_HEIGHT);
	return v;
}

/* The first screen as the ui makes it: title, binary check, the rows and the
 * percentage of a fresh view.  Median of BV_REPEAT. */
static void bv_first(struct doc *d, const char *label)
{
	double t[BV_REPEAT];

	for (int i = 0; i < BV_REPEAT; i++) {
		double t0 = bv_now_us();
		char *title = doc_title(d, 400);
		bool binary = doc_is_binary(d);
		struct view *v = bv_view(d);
		bv_screen(v);
		int pct = view_percent(v);
		t[i] = bv_now_us() - t0;
		if (binary || pct < 0)
			abort();
		free(title);
		view_free(v);
	}
	printf("first screen %s\t%.1f\t\n", label, bv_median(t, BV_REPEAT));
}

/* G on a fresh view each time (nothing laid out yet), median of BV_REPEAT. */
static void bv_end(struct doc *d, const char *label)
{
	double t[BV_REPEAT];

	for (int i = 0; i < BV_REPEAT; i++) {
		struct view *v = bv_view(d);
		double t0 = bv_now_us();
		view_end(v);
		bv_screen(v);
		t[i] = bv_now_us() - t0;
		view_free(v);
	}
	printf("G %s\t%.1f\t\n", label, bv_median(t, BV_REPEAT));
}

static void bv_scroll(struct view *v, const char *label, long step, int count)
{
	long moved = 0;
	double t0 = bv_now_us();

	for (int i = 0; i < count; i++) {
		moved += view_scroll(v, step) != 0;
		bv_screen(v);
	}
	printf("scroll %+ld x%d %s\t%.2f\t%s\n", step, count, label, (bv_now_us() - t0) / count,
	       moved < count ? "some steps did not move" : "");
}

static void bv_page(struct view *v, const char *label, long step, int count)
{
	long moved = 0;
	double t0 = bv_now_us();

	for (int i = 0; i < count; i++) {
		size_t top = view_top(v);
		view_page(v, step);
		bv_screen(v);
		moved += view_top(v) != top;
	}
	printf("page %+ld x%d %s\t%.2f\t%s\n", step, count, label, (bv_now_us() - t0) / count,
	       moved < count ? "some steps did not move" : "");
}

static void bv_search(struct doc *d, const char *label, const char *pattern)
{
	struct search *q = search_new(pattern);
	size_t ms, me;
	double t[BV_REPEAT];
	bool found = false;

	if (!q) {
		fprintf(stderr, "bench_view: %s\n", util_errmsg());
		exit(1);
	}
	for (int i = 0; i < BV_REPEAT; i++) {
		double t0 = bv_now_us();
		found |= search_find(q, doc_bytes(d), 0, doc_size(d), 0, false, &ms, &me, NULL, NULL);
		t[i] = bv_now_us() - t0;
	}
	double us = bv_median(t, BV_REPEAT);
	printf("search %s (%s) %s\t%.1f\t%s\n", pattern,
	       search_exact(q) ? "exact" : "folded", label, us,
	       found ? "FOUND (should not be)" : "");
	search_free(q);
}

/* SHA-256 of the whole document in the steps the ui takes while idle. */
static void bv_hash(const char *path, const char *label)
{
	struct doc *d = doc_open(path, NULL);
	double t0;

	if (!d) {
		fprintf(stderr, "bench_view: %s\n", util_errmsg());
		exit(1);
	}
	t0 = bv_now_us();
	while (!doc_hash_step(d, BV_HASH_STEP))
		;
	printf("sha256 %s\t%.1f\t\n", label, bv_now_us() - t0);
	doc_free(d);
}

int main(int argc, char **argv)
{
	struct doc *big, *line;
	struct view *v;

	if (argc != 3) {
		fprintf(stderr, "usage: bench_view BIG LONGLINE\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	big = bv_open(argv[1], "big");
	line = bv_open(argv[2], "line");

	bv_first(line, "line");
	bv_first(big, "big");
	bv_end(line, "line");
	bv_end(big, "big");

	/* Near the end of the long line: up first, as G leaves no room below. */
	v = bv_view(line);
	view_end(v);
	bv_screen(v);
	bv_page(v, "line", -BV_HEIGHT, 100);
	bv_scroll(v, "line", +1, 1000);
	bv_scroll(v, "line", -1, 1000);
	bv_page(v, "line", +BV_HEIGHT, 100);
	view_free(v);

	/* The middle of the big file. */
	v = bv_view(big);
	view_goto(v, doc_size(big) / 2, true);
	bv_screen(v);
	bv_scroll(v, "big", +1, 1000);
	bv_scroll(v, "big", -1, 1000);
	bv_page(v, "big", +BV_HEIGHT, 100);
	bv_page(v, "big", -BV_HEIGHT, 100);
	view_free(v);

	bv_search(line, "line", "qzjabsentword");
	bv_search(line, "line", "QzjAbsentWord");
	bv_hash(argv[2], "line");

	doc_free(big);
	doc_free(line);
	return 0;
}
