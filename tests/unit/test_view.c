/* Unit tests for view: top and cursor over display rows, with no terminal. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gloss/view.h"
#include "t.h"

/* "line 00\nline 01\n..." : nlines lines of 8 bytes each. */
static char *lines(int nlines)
{
	char *s = malloc((size_t)nlines * 8 + 1);
	for (int i = 0; i < nlines; i++)
		snprintf(s + i * 8, 9, "line %02d\n", i);
	return s;
}

static void test_end_home_and_clamp(void)
{
	char *s = lines(50);
	size_t n = strlen(s);
	struct view *v = view_new(s, n);
	int r, c;

	view_resize(v, 20, 10);
	T_EQ_INT(view_top(v), 0);
	T_EQ_INT(view_percent(v), 20);
	view_end(v);
	T_EQ_INT(view_cursor(v), 49 * 8);
	T_EQ_INT(view_top(v), 40 * 8); /* the last line at the bottom, as less does */
	T_EQ_INT(view_percent(v), 100);
	T_ASSERT(view_cursor_cell(v, &r, &c));
	T_EQ_INT(r, 9);
	T_EQ_INT(c, 0);
	T_EQ_INT(view_scroll(v, 5), 0); /* cannot scroll past the end */
	view_home(v);
	T_EQ_INT(view_cursor(v), 0);
	T_EQ_INT(view_top(v), 0);
	T_EQ_INT(view_scroll(v, -3), 0);
	T_EQ_INT(view_scroll(v, 3), 3);
	T_EQ_INT(view_top(v), 24);
	T_EQ_INT(view_cursor(v), 24); /* the cursor stays on the screen */
	view_free(v);
	free(s);
}

static void test_rows_keep_column(void)
{
	const char *s = "a long first line\nab\nanother long line\n";
	struct view *v = view_new(s, strlen(s));
	int r, c;

	view_resize(v, 40, 5);
	view_goto(v, 10, false);
	view_rows(v, 1);
	T_EQ_INT(view_cursor(v), 19); /* "ab": the last glyph */
	view_rows(v, 1);
	T_EQ_INT(view_cursor(v), 21 + 10); /* back to column 10 */
	T_ASSERT(view_cursor_cell(v, &r, &c));
	T_EQ_INT(r, 2);
	T_EQ_INT(c, 10);
	view_rows(v, 100);
	T_EQ_INT(view_cursor(v), 31);
	view_rows(v, -100);
	T_EQ_INT(view_cursor(v), 10);
	view_free(v);
}

static void test_wrapped_rows(void)
{
	const char *s = "one two three four five six seven eight nine ten\n";
	struct view *v = view_new(s, strlen(s));
	struct view_row rows[10];
	int r, c;

	view_resize(v, 10, 3);
	size_t k = view_screen(v, rows, 10);
	T_EQ_INT(k, 3);
	T_EQ_INT(rows[0].layout->rows[rows[0].row].off, 0);
	T_EQ_INT(rows[1].row, 1);
	view_rows(v, 2);
	T_ASSERT(view_cursor_cell(v, &r, &c));
	T_EQ_INT(r, 2);
	view_rows(v, 1); /* below the screen: it scrolls one row */
	T_ASSERT(view_cursor_cell(v, &r, &c));
	T_EQ_INT(r, 2);
	T_ASSERT(view_top(v) > 0);
	long d = 0;
	size_t old = view_top(v);
	view_scroll(v, -1);
	T_ASSERT(view_rows_since(v, old, 10, &d));
	T_EQ_INT(d, -1);
	view_free(v);
}

static void test_step_by_grapheme_within_line(void)
{
	const char *s = "e\xcc\x81t\xe4\xb8\xad\nx\r\ny\n";
	struct view *v = view_new(s, strlen(s));

	view_resize(v, 20, 5);
	T_ASSERT(!view_step(v, -1));
	T_ASSERT(view_step(v, 1));
	T_EQ_INT(view_cursor(v), 3); /* past e + combining acute */
	T_ASSERT(view_step(v, 1));
	T_EQ_INT(view_cursor(v), 4);
	T_ASSERT(!view_step(v, 1)); /* the wide character is the last of its line */
	T_ASSERT(view_step(v, -1));
	T_EQ_INT(view_cursor(v), 3);
	view_rows(v, 1);
	T_EQ_INT(view_cursor(v), 8);
	T_ASSERT(!view_step(v, 1)); /* CRLF is not a place for the cursor */
	view_free(v);
}

/* A byte-order mark and zero-width spaces show as nothing: h and l step
 * over them, so that every step moves the cursor on the screen. */
static void test_step_over_hidden(void)
{
	/* BOM, "ab", ZWSP, "c", ZWSP ZWSP, line end; then ZWSP "d" */
	const char *s = "\xef\xbb\xbf"
			"ab\xe2\x80\x8b"
			"c\xe2\x80\x8b\xe2\x80\x8b\n"
			"\xe2\x80\x8b"
			"d\n";
	struct view *v = view_new(s, strlen(s));
	int row, col;

	view_resize(v, 20, 5);
	T_EQ_INT(view_cursor(v), 0);
	T_ASSERT(view_step(v, 1));
	T_EQ_INT(view_cursor(v), 4); /* b: the BOM showed on a */
	view_cursor_cell(v, &row, &col);
	T_EQ_INT(col, 1);
	T_ASSERT(view_step(v, 1));
	T_EQ_INT(view_cursor(v), 8); /* c, past the zero-width space */
	T_ASSERT(!view_step(v, 1)); /* only hidden glyphs are left on the line */
	T_EQ_INT(view_cursor(v), 8);
	T_ASSERT(view_step(v, -1));
	T_EQ_INT(view_cursor(v), 4);
	T_ASSERT(view_step(v, -1));
	T_EQ_INT(view_cursor(v), 3); /* a */
	T_ASSERT(!view_step(v, -1)); /* the BOM shows nowhere: no step back onto it */
	T_EQ_INT(view_cursor(v), 3);
	view_goto(v, 16, false); /* the hidden start of the next line */
	T_ASSERT(!view_step(v, -1));
	T_ASSERT(!view_step(v, 1)); /* d is the last glyph of its line */
	view_free(v);

	/* a run of 100,000 of them: one step stops inside it, at a bounded cost */
	size_t n = 1 + 100000 * 3 + 2;
	char *t = malloc(n + 1);
	t[0] = 'a';
	for (size_t i = 0; i < 100000; i++)
		memcpy(t + 1 + 3 * i, "\xe2\x80\x8b", 3);
	memcpy(t + n - 2, "b\n", 3);
	v = view_new(t, n);
	view_resize(v, 80, 5);
	T_ASSERT(view_step(v, 1));
	T_ASSERT(view_cursor(v) > 1 && view_cursor(v) < n - 2);
	T_ASSERT(view_step(v, -1));
	T_ASSERT(view_cursor(v) < n - 2);
	view_free(v);
	free(t);
}

static void test_page_and_resize(void)
{
	char *s = lines(100);
	struct view *v = view_new(s, strlen(s));
	int r, c;

	view_resize(v, 20, 10);
	view_rows(v, 3);
	view_page(v, 8);
	T_EQ_INT(view_top(v), 8 * 8);
	T_EQ_INT(view_cursor(v), 11 * 8); /* same screen row */
	view_page(v, -8);
	T_EQ_INT(view_top(v), 0);
	T_EQ_INT(view_cursor(v), 3 * 8);
	view_goto(v, 70 * 8 + 3, false);
	T_EQ_INT(view_cursor(v), 70 * 8 + 3);
	view_resize(v, 3, 4); /* "line 70" now wraps: the cursor stays on its text */
	T_EQ_INT(view_cursor(v), 70 * 8 + 3);
	T_ASSERT(view_cursor_cell(v, &r, &c));
	view_resize(v, 1, 1);
	T_ASSERT(view_cursor_cell(v, &r, &c));
	T_EQ_INT(r, 0);
	view_resize(v, 400, 120);
	T_EQ_INT(view_cursor(v), 70 * 8 + 3);
	view_page(v, 1000);
	T_EQ_INT(view_cursor(v), 99 * 8 + 3); /* the column is kept */
	view_set_fraction(v, 0.5);
	T_ASSERT(view_cursor_cell(v, &r, &c));
	T_EQ_INT(view_pos_at_cell(v, 0, 2), view_top(v) + 2);
	view_free(v);
	free(s);
}

static void test_empty_and_tiny_documents(void)
{
	struct view *v = view_new(NULL, 0);
	struct view_row rows[4];
	int r, c;

	view_resize(v, 10, 3);
	view_end(v);
	view_home(v);
	view_rows(v, 5);
	view_page(v, -5);
	T_ASSERT(!view_step(v, 1));
	T_EQ_INT(view_cursor(v), 0);
	T_EQ_INT(view_percent(v), 100);
	T_EQ_INT(view_screen(v, rows, 4), 1);
	T_ASSERT(view_cursor_cell(v, &r, &c));
	view_free(v);

	v = view_new("\n\n", 2);
	view_resize(v, 10, 3);
	view_end(v);
	T_EQ_INT(view_cursor(v), 1);
	view_free(v);
}

static void test_long_line_in_windows(void)
{
	size_t n = 32u << 20, i;
	char *s = malloc(n);
	for (i = 0; i < n; i++)
		s[i] = (i % 7 == 6) ? ' ' : 'a' + (char)(i % 7);
	struct view *v = view_new(s, n);
	int r, c;

	view_resize(v, 120, 38);
	view_end(v);
	T_ASSERT(view_cursor(v) > n - 200);
	T_EQ_INT(view_percent(v), 100);
	T_ASSERT(view_cursor_cell(v, &r, &c));
	T_EQ_INT(r, 37);
	T_EQ_INT(view_scroll(v, -1000), -1000);
	T_EQ_INT(view_scroll(v, 500), 500);
	view_set_fraction(v, 0.5);
	T_ASSERT(view_top(v) > n / 2 - 70000 && view_top(v) <= n / 2);
	view_home(v);
	T_EQ_INT(view_top(v), 0);
	view_free(v);
	free(s);
}

/* Rows of huge hanging runs: every layout of one screen stays alive. */
static void test_screen_of_huge_rows(void)
{
	/* lines a window long at most: one unit each */
	size_t run = LAYOUT_WINDOW - 2, line = 1 + run + 1, n = 30 * line, i, k;
	char *s = malloc(n);
	struct view_row rows[40];
	struct view *v;

	for (i = 0; i < 30; i++) {
		s[i * line] = 'a';
		memset(s + i * line + 1, ' ', run);
		s[i * line + line - 1] = '\n';
	}
	v = view_new(s, n);
	view_resize(v, 80, 23);
	k = view_screen(v, rows, 40);
	T_EQ_INT(k, 23);
	for (i = 0; i < k; i++)
		T_EQ_INT(rows[i].layout->start, i * line); /* freed memory would fail under ASan */
	view_free(v);
	free(s);
}

/* A motion counts though it lands where the cursor was; scrolling does not. */
static void test_moves_count_motions_onto_the_same_place(void)
{
	char *s = lines(50);
	struct view *v = view_new(s, strlen(s));
	unsigned long m;

	view_resize(v, 20, 10);
	m = view_moves(v);
	view_goto(v, 16, false);
	T_EQ_INT(view_moves(v), m + 1);
	view_goto(v, 16, false);
	T_EQ_INT(view_moves(v), m + 2);
	T_EQ_INT(view_cursor(v), 16);
	view_rows(v, 1);
	view_rows(v, -1);
	T_EQ_INT(view_cursor(v), 16);
	T_EQ_INT(view_moves(v), m + 4);
	view_home(v);
	view_step(v, -1); /* at the line's start: goes nowhere, still a key that moved */
	T_EQ_INT(view_moves(v), m + 6);
	view_page(v, 5);
	view_end(v);
	T_EQ_INT(view_moves(v), m + 8);
	view_scroll(v, -2);
	view_set_fraction(v, 0.5);
	T_EQ_INT(view_moves(v), m + 8);
	view_free(v);
	free(s);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	T_RUN(test_end_home_and_clamp);
	T_RUN(test_rows_keep_column);
	T_RUN(test_wrapped_rows);
	T_RUN(test_step_by_grapheme_within_line);
	T_RUN(test_step_over_hidden);
	T_RUN(test_page_and_resize);
	T_RUN(test_empty_and_tiny_documents);
	T_RUN(test_long_line_in_windows);
	T_RUN(test_screen_of_huge_rows);
	T_RUN(test_moves_count_motions_onto_the_same_place);
	T_DONE();
}
