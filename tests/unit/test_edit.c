/*
 * test_edit.c: the note editor's buffer, without a terminal.
 *
 * Texts are written with \u escapes where the bytes matter.  Widths assume
 * the C.UTF-8 locale's wcwidth(): CJK and emoji take two cells, combining
 * marks none.
 */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>

#include "gloss/edit.h"
#include "gloss/seg.h"
#include "gloss/util.h"
#include "t.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static size_t rnd(size_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? (size_t)(rng_state % n) : 0;
}

/* A buffer over text with the cursor at byte pos. */
static struct edit *at(const char *text, size_t pos)
{
	struct edit *e = edit_new(text);

	edit_set_cursor(e, pos);
	return e;
}

static int col_of(const struct edit *e)
{
	int col = -1;

	edit_cursor_line(e, &col);
	return col;
}

static void t_empty(void)
{
	struct edit *e = edit_new(NULL);
	size_t a = 9, b = 9;
	int col = -1;

	T_EQ_STR(edit_text(e), "");
	T_EQ_INT(edit_len(e), 0);
	T_EQ_INT(edit_cursor(e), 0);
	T_ASSERT(!edit_backspace(e));
	T_ASSERT(!edit_delete(e));
	T_ASSERT(!edit_left(e));
	T_ASSERT(!edit_right(e));
	T_ASSERT(!edit_home(e));
	T_ASSERT(!edit_end(e));
	T_ASSERT(!edit_up(e));
	T_ASSERT(!edit_down(e));
	T_EQ_INT(edit_line_count(e), 1);
	T_ASSERT(edit_line(e, 0, &a, &b));
	T_EQ_INT(a, 0);
	T_EQ_INT(b, 0);
	T_ASSERT(!edit_line(e, 1, &a, &b));
	T_EQ_INT(edit_cursor_line(e, &col), 0);
	T_EQ_INT(col, 0);
	edit_free(e);

	e = edit_new("");
	T_ASSERT(edit_insert(e, 'x'));
	T_EQ_STR(edit_text(e), "x");
	T_ASSERT(edit_backspace(e));
	T_EQ_STR(edit_text(e), "");
	T_ASSERT(edit_insert_str(e, ""));
	T_EQ_INT(edit_cursor(e), 0);
	edit_free(e);
	edit_free(NULL);
}

static void t_insert(void)
{
	static const uint32_t typed[] = { 'H', 0xE9, 'l', 'l', 'o', ' ', 0x4E16, 0x754C, ' ', 0x1F600 };
	struct edit *e = edit_new(NULL);
	size_t i;

	for (i = 0; i < sizeof typed / sizeof typed[0]; i++)
		T_ASSERT(edit_insert(e, typed[i]));
	T_EQ_STR(edit_text(e), "H\u00e9llo \u4e16\u754c \U0001F600");
	T_EQ_INT(edit_cursor(e), edit_len(e));
	T_EQ_INT(col_of(e), 5 + 1 + 4 + 1 + 2);

	/* In the middle, and a decomposed accent typed after its letter. */
	edit_set_cursor(e, 1);
	T_ASSERT(edit_insert(e, 'e'));
	T_ASSERT(edit_insert(e, 0x301));
	T_EQ_STR(edit_text(e), "He\u0301\u00e9llo \u4e16\u754c \U0001F600");
	T_EQ_INT(edit_cursor(e), 4);
	T_EQ_INT(col_of(e), 2);

	/* A line end, and a tab. */
	T_ASSERT(edit_insert(e, '\n'));
	T_ASSERT(edit_insert(e, '\t'));
	T_EQ_INT(edit_cursor_line(e, NULL), 1);
	T_EQ_INT(col_of(e), 8);
	T_EQ_INT(edit_line_count(e), 2);

	/* A paste goes in whole, the cursor after it. */
	edit_set_cursor(e, 0);
	T_ASSERT(edit_insert_str(e, "\u00bb\U0001F1EB\U0001F1F7 "));
	T_EQ_INT(edit_cursor(e), 2 + 8 + 1);
	T_EQ_STR(edit_text(e), "\u00bb\U0001F1EB\U0001F1F7 He\u0301\n\t\u00e9llo \u4e16\u754c \U0001F600");
	edit_free(e);
}

static void t_controls_refused(void)
{
	static const uint32_t bad[] = { 0, 1, 0x08, 0x0B, 0x0D, 0x1B, 0x1F, 0x7F, 0x80, 0x85, 0x9B, 0x9F,
		0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0x110000, 0xFFFFFFFF };
	static const uint32_t good[] = { '\t', '\n', ' ', '~', 0xA0, 0xAD, 0x200D, 0xFFFD, 0xFEFF, 0x10FFFF };
	struct edit *e = edit_new("ab");
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		T_ASSERT(!edit_insert(e, bad[i]));
		T_EQ_STR(edit_text(e), "ab");
		T_EQ_INT(edit_cursor(e), 2);
	}
	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		T_ASSERT(edit_insert(e, good[i]));
	edit_free(e);

	/* A paste: controls dropped, line ends made LF, bad bytes made U+FFFD. */
	e = edit_new(NULL);
	T_ASSERT(!edit_insert_str(e, "a\x1b[31mb\r\nc\rd\x7f\xc2\x9b\x01\xff\xed\xa0\x80" "e"));
	T_EQ_STR(edit_text(e), "a[31mb\nc\nd\ufffd\ufffd\ufffd\ufffde");
	T_EQ_INT(edit_cursor(e), edit_len(e));
	T_ASSERT(edit_insert_str(e, "\r\n\t\u00e9\r"));
	T_EQ_STR(edit_text(e), "a[31mb\nc\nd\ufffd\ufffd\ufffd\ufffde\n\t\u00e9\n");
	edit_free(e);
}

#define FAMILY "\U0001F468\u200D\U0001F469\u200D\U0001F467"
#define FR "\U0001F1EB\U0001F1F7"
#define DE "\U0001F1E9\U0001F1EA"

static void t_backspace(void)
{
	struct edit *e = edit_new("ae\u0301");

	T_ASSERT(edit_backspace(e));
	T_EQ_STR(edit_text(e), "a");
	edit_free(e);

	e = edit_new("x" FAMILY);
	T_ASSERT(edit_backspace(e));
	T_EQ_STR(edit_text(e), "x");
	edit_free(e);

	e = edit_new(FR DE);
	T_ASSERT(edit_backspace(e));
	T_EQ_STR(edit_text(e), FR);
	T_ASSERT(edit_backspace(e));
	T_EQ_STR(edit_text(e), "");
	T_ASSERT(!edit_backspace(e));
	edit_free(e);

	/* Across a line end: the two lines join. */
	e = at("ab\ncd", 3);
	T_ASSERT(edit_backspace(e));
	T_EQ_STR(edit_text(e), "abcd");
	T_EQ_INT(edit_cursor(e), 2);
	edit_free(e);
	e = at("ab\r\ncd", 4);
	T_ASSERT(edit_backspace(e));
	T_EQ_STR(edit_text(e), "abcd");
	T_EQ_INT(edit_cursor(e), 2);
	edit_free(e);

	/* A keycap and a skin tone go whole too. */
	e = edit_new("1\u20e3" "\U0001F44D\U0001F3FD");
	T_ASSERT(edit_backspace(e));
	T_EQ_STR(edit_text(e), "1\u20e3");
	T_ASSERT(edit_backspace(e));
	T_EQ_STR(edit_text(e), "");
	edit_free(e);
}

static void t_delete(void)
{
	struct edit *e = at("e\u0301a", 0);

	T_ASSERT(edit_delete(e));
	T_EQ_STR(edit_text(e), "a");
	T_EQ_INT(edit_cursor(e), 0);
	edit_free(e);

	e = at(FAMILY "x", 0);
	T_ASSERT(edit_delete(e));
	T_EQ_STR(edit_text(e), "x");
	edit_free(e);

	e = at("a" FR DE, 1);
	T_ASSERT(edit_delete(e));
	T_EQ_STR(edit_text(e), "a" DE);
	T_ASSERT(edit_delete(e));
	T_EQ_STR(edit_text(e), "a");
	T_ASSERT(!edit_delete(e));
	T_EQ_INT(edit_cursor(e), 1);
	edit_free(e);

	e = at("ab\r\ncd", 2);
	T_ASSERT(edit_delete(e));
	T_EQ_STR(edit_text(e), "abcd");
	T_EQ_INT(edit_cursor(e), 2);
	edit_free(e);
	e = at("ab\ncd", 2);
	T_ASSERT(edit_delete(e));
	T_EQ_STR(edit_text(e), "abcd");
	edit_free(e);
}

/* Edits that glue the two sides of the cursor into one grapheme. */
static void t_joins(void)
{
	struct edit *e = at("e\n\u0301", 2);

	/* Backspace: the cursor goes to the end of the new grapheme. */
	T_ASSERT(edit_backspace(e));
	T_EQ_STR(edit_text(e), "e\u0301");
	T_EQ_INT(edit_cursor(e), 3);
	edit_free(e);

	/* Delete: to its start. */
	e = at("e\n\u0301", 1);
	T_ASSERT(edit_delete(e));
	T_EQ_STR(edit_text(e), "e\u0301");
	T_EQ_INT(edit_cursor(e), 0);
	edit_free(e);

	/* Two lone regional indicators become a flag. */
	e = at("\U0001F1EBx\U0001F1F7", 5);
	T_ASSERT(edit_backspace(e));
	T_EQ_STR(edit_text(e), FR);
	T_EQ_INT(edit_cursor(e), 8);
	edit_free(e);

	/* A ZWJ typed between two emoji joins them; the cursor ends after both. */
	e = at("\U0001F468\U0001F469", 4);
	T_ASSERT(edit_insert(e, 0x200D));
	T_EQ_INT(edit_cursor(e), 11);
	T_ASSERT(edit_left(e));
	T_EQ_INT(edit_cursor(e), 0);
	edit_free(e);

	/* Ill-formed bytes that become a code point once x goes. */
	e = at("\xE2x\x82\xAC!", 2);
	T_ASSERT(edit_backspace(e));
	T_EQ_STR(edit_text(e), "\u20ac!");
	T_EQ_INT(edit_cursor(e), 3);
	edit_free(e);
}

static void t_left_right(void)
{
	/* a, e + acute, a wide ideograph, a flag, a ZWJ family, then a line end. */
	static const char text[] = "ae\u0301\u4e16" FR FAMILY "\nz";
	static const size_t stops[] = { 0, 1, 4, 7, 15, 33, 34, 35 };
	struct edit *e = at(text, 0);
	size_t i;

	for (i = 1; i < sizeof stops / sizeof stops[0]; i++) {
		T_ASSERT(edit_right(e));
		T_EQ_INT(edit_cursor(e), stops[i]);
	}
	T_ASSERT(!edit_right(e));
	for (i = sizeof stops / sizeof stops[0] - 1; i > 0; i--) {
		T_ASSERT(edit_left(e));
		T_EQ_INT(edit_cursor(e), stops[i - 1]);
	}
	T_ASSERT(!edit_left(e));

	/* Columns along the way: 0 1 2 4 5 7 (a flag is as wide as wcwidth says its first half is). */
	edit_set_cursor(e, 33);
	T_EQ_INT(col_of(e), 7);
	edit_set_cursor(e, 15);
	T_EQ_INT(col_of(e), 5);
	edit_set_cursor(e, 2); /* inside e + acute: back to its start */
	T_EQ_INT(edit_cursor(e), 1);
	edit_set_cursor(e, 999);
	T_EQ_INT(edit_cursor(e), edit_len(e));
	T_EQ_INT(col_of(e), 1);
	edit_free(e);
}

static void t_home_end(void)
{
	struct edit *e = at("one\ntwo \u4e16\r\nthree", 6);

	T_ASSERT(edit_home(e));
	T_EQ_INT(edit_cursor(e), 4);
	T_ASSERT(!edit_home(e));
	T_ASSERT(edit_end(e));
	T_EQ_INT(edit_cursor(e), 11); /* before the CR of CRLF */
	T_EQ_INT(col_of(e), 6);
	T_ASSERT(!edit_end(e));
	T_ASSERT(edit_right(e));      /* CRLF is one step */
	T_EQ_INT(edit_cursor(e), 13);
	T_ASSERT(edit_end(e));
	T_EQ_INT(edit_cursor(e), 18);
	T_ASSERT(edit_home(e));
	T_EQ_INT(edit_cursor(e), 13);
	edit_set_cursor(e, 2);
	T_ASSERT(edit_end(e));
	T_EQ_INT(edit_cursor(e), 3);
	edit_free(e);
}

static void t_up_down(void)
{
	/*
	 * line 0 "ab\u4e16cd": a b at 0 1, the ideograph at cells 2-3, c d at 4 5
	 * line 1 "\u4e2d\u6587": cells 0-1 and 2-3, bytes 8 and 11
	 * line 2 "xyzuvw": from byte 15
	 */
	struct edit *e = at("ab\u4e16cd\n\u4e2d\u6587\nxyzuvw", 18);

	T_EQ_INT(col_of(e), 3);
	T_ASSERT(edit_up(e));
	T_EQ_INT(edit_cursor(e), 11); /* on the ideograph covering cell 3 */
	T_EQ_INT(col_of(e), 2);
	T_ASSERT(edit_up(e));
	T_EQ_INT(edit_cursor(e), 2);
	T_ASSERT(!edit_up(e));
	T_EQ_INT(edit_cursor(e), 2);
	T_ASSERT(edit_down(e));
	T_EQ_INT(edit_cursor(e), 11);
	T_ASSERT(edit_down(e));
	T_EQ_INT(edit_cursor(e), 18);  /* the wanted column, 3, again */
	T_ASSERT(!edit_down(e));
	/* A sideways step forgets it. */
	T_ASSERT(edit_left(e));
	T_ASSERT(edit_up(e));
	T_EQ_INT(edit_cursor(e), 11);
	T_ASSERT(edit_up(e));
	T_EQ_INT(edit_cursor(e), 2);
	edit_free(e);

	/* Across a short line, vim-like; then the end of every line after End. */
	e = at("abcdefgh\nab\nabcdefgh\nabcdefghijk", 6);
	T_ASSERT(edit_down(e));
	T_EQ_INT(edit_cursor(e), 11);
	T_ASSERT(edit_down(e));
	T_EQ_INT(edit_cursor(e), 18);
	T_ASSERT(edit_end(e));
	T_EQ_INT(edit_cursor(e), 20);
	T_ASSERT(edit_down(e));
	T_EQ_INT(edit_cursor(e), 32);
	T_ASSERT(edit_up(e));
	T_ASSERT(edit_up(e));
	T_EQ_INT(edit_cursor(e), 11);
	T_ASSERT(edit_up(e));
	T_EQ_INT(edit_cursor(e), 8);
	/* An edit forgets it too. */
	T_ASSERT(edit_backspace(e));
	T_ASSERT(edit_down(e));
	T_EQ_INT(col_of(e), 2);
	edit_free(e);

	/* Tabs count to the next multiple of 8; a line of combining marks. */
	e = at("\tx\n012345678\ne\u0301e\u0301e\u0301", 1);
	T_EQ_INT(col_of(e), 8);
	T_ASSERT(edit_down(e));
	T_EQ_INT(edit_cursor(e), 3 + 8);
	T_ASSERT(edit_right(e));
	T_ASSERT(edit_up(e));
	T_EQ_INT(edit_cursor(e), 2); /* column 9 is past the x: the end */
	edit_set_cursor(e, 5);
	T_ASSERT(edit_down(e));
	T_EQ_INT(edit_cursor(e), 19); /* the third e, at column 2 */
	edit_set_cursor(e, 6);
	T_ASSERT(edit_down(e));
	T_EQ_INT(edit_cursor(e), edit_len(e));
	T_EQ_INT(col_of(e), 3);
	edit_free(e);
}

static void t_lines(void)
{
	struct edit *e = at("first\n\nthird \u4e16\r\nlast", 0);
	size_t a, b;

	T_EQ_INT(edit_line_count(e), 4);
	T_ASSERT(edit_line(e, 0, &a, &b));
	T_EQ_INT(a, 0);
	T_EQ_INT(b, 5);
	T_ASSERT(edit_line(e, 1, &a, &b));
	T_EQ_INT(a, 6);
	T_EQ_INT(b, 6);
	T_ASSERT(edit_line(e, 2, &a, &b));
	T_EQ_INT(a, 7);
	T_EQ_INT(b, 16);
	T_ASSERT(edit_line(e, 3, &a, &b));
	T_EQ_INT(a, 18);
	T_EQ_INT(b, 22);
	T_ASSERT(!edit_line(e, 4, &a, &b));

	T_ASSERT(edit_goto(e, 2, 7));
	T_EQ_INT(edit_cursor(e), 13); /* the ideograph covers cells 6-7 */
	T_EQ_INT(edit_cursor_line(e, NULL), 2);
	T_EQ_INT(edit_column(e, 16), 8);
	T_ASSERT(edit_goto(e, 1, 5));
	T_EQ_INT(edit_cursor(e), 6);
	T_ASSERT(edit_goto(e, 3, -4));
	T_EQ_INT(edit_cursor(e), 18);
	T_ASSERT(!edit_goto(e, 9, 0));
	edit_free(e);
}

/* Is pos where decoding text from its start puts a code point? */
static int on_code_point(const char *s, size_t n, size_t pos)
{
	size_t i = 0;
	uint32_t cp;
	int valid;

	while (i < pos)
		i += (size_t)util_utf8_decode(s + i, n - i, &cp, &valid);
	return i == pos;
}

static void t_invalid_utf8(void)
{
	static const char *const texts[] = {
		/* \x62 is b, \x63 c, \x65 e: a letter right after a \x escape must be one too. */
		"a\xE2\x82\x62\xC3\x80\x80 \xF0\x9F\x98\x63\n\xED\xA0\x80z\xFF\xFE",
		"\x80\x81\x82\n\xC0\xAF\xE0\x80\xAF\n\xF4\x90\x80\x80\xF8\x88\x80\x80\x80",
		"\xE2\x65\xCC\x81\x82\xAC\n\xF0\x9F\x87\xAB\xF0\x9F\x87\n\xE2\x80\x8D\xE2\x80",
	};
	static const uint32_t ins[] = { 'x', 0x301, 0x200D, 0x1F1EB, '\n', 0x4E16, 0xAC };
	size_t t, k, n;
	const char *s;

	for (t = 0; t < sizeof texts / sizeof texts[0]; t++) {
		struct edit *e = edit_new(texts[t]);

		T_EQ_STR(edit_text(e), texts[t]); /* kept as it came */
		for (k = 0; k < 4000; k++) {
			switch (rnd(12)) {
			case 0: edit_left(e); break;
			case 1: edit_right(e); break;
			case 2: edit_up(e); break;
			case 3: edit_down(e); break;
			case 4: edit_home(e); break;
			case 5: edit_end(e); break;
			case 6: if (rnd(4) == 0) edit_backspace(e); break;
			case 7: if (rnd(4) == 0) edit_delete(e); break;
			case 8: if (rnd(3) == 0) edit_insert(e, ins[rnd(sizeof ins / sizeof ins[0])]); break;
			case 9: edit_set_cursor(e, rnd(edit_len(e) + 2)); break;
			case 10: edit_goto(e, rnd(4), (int)rnd(12)); break;
			default: col_of(e); break;
			}
			s = edit_text(e);
			n = edit_len(e);
			T_EQ_INT(strlen(s), n);
			T_ASSERT(edit_cursor(e) <= n);
			if (!on_code_point(s, n, edit_cursor(e)))
				T_FAIL("text %zu, step %zu: cursor %zu inside a code point", t, k, edit_cursor(e));
			if (edit_cursor(e) < n &&
			    seg_grapheme_prev(s, n, seg_grapheme_next(s, n, edit_cursor(e))) != edit_cursor(e))
				T_FAIL("text %zu, step %zu: cursor %zu inside a grapheme", t, k, edit_cursor(e));
			if (n > 200) { /* keep it small and dense */
				edit_free(e);
				e = edit_new(texts[t]);
			}
		}
		edit_free(e);
	}
}

/* A grapheme of 600 marks (1.2 KB): the cursor still never splits a code point. */
static void t_giant_grapheme(void)
{
	char text[1300];
	size_t n = 0, k, steps;
	struct edit *e;

	text[n++] = 'a';
	for (k = 0; k < 600; k++) {
		memcpy(text + n, "\u0301", 2);
		n += 2;
	}
	text[n++] = 'b';
	text[n] = '\0';
	e = edit_new(text);
	for (k = 0; k <= n; k++) {
		edit_set_cursor(e, k);
		/* Code points start at 0, at every odd byte, and the end is at n. */
		T_ASSERT(edit_cursor(e) <= k);
		T_ASSERT(edit_cursor(e) == 0 || edit_cursor(e) % 2 == 1 || edit_cursor(e) == n);
	}
	edit_set_cursor(e, 0);
	for (steps = 0; edit_right(e); steps++)
		T_ASSERT(edit_cursor(e) % 2 == 1 || edit_cursor(e) == n);
	T_EQ_INT(edit_cursor(e), n);
	T_ASSERT(steps >= 2 && steps < 10);
	for (steps = 0; edit_left(e); steps++)
		T_ASSERT(edit_cursor(e) % 2 == 1 || edit_cursor(e) == 0);
	T_ASSERT(steps >= 2 && steps < 10);
	edit_set_cursor(e, 501);
	T_ASSERT(edit_insert(e, 'x'));
	T_EQ_INT(edit_cursor(e) % 2, 0); /* after x, which is one byte */
	T_ASSERT(edit_backspace(e));
	T_EQ_STR(edit_text(e), text);
	T_EQ_INT(edit_column(e, n - 1), 1);
	edit_free(e);
}

/*
 * Columns from the chunked walk against widths added up piece by piece, on
 * one line of 4000 pieces (several of the walk's chunks).  Each piece is
 * whole graphemes, whatever comes before it.
 */
static void t_columns_long_lines(void)
{
	static const char *const pieces[] = { "a", " ", "e\u0301", "\u4e16", "\t", FR, FAMILY,
		"\x1b\u0301\u0301", "\xff", "\x1b", "\U0001F44D\U0001F3FD", "\u00e9" };
	static const int cells[] = { 1, 1, 1, 2, -1, 1, 2, 3, 1, 2, 2, 1 };
	char *text = malloc(32 * 4000 + 1);
	size_t *at_p = malloc(4001 * sizeof *at_p);
	int *col_p = malloc(4001 * sizeof *col_p);
	size_t n = 0, i, k, bad = 0;
	int col = 0, got = 0, want;
	struct edit *e;

	T_ASSERT(text && at_p && col_p);
	for (k = 0; k < 4000; k++) {
		i = rnd(sizeof pieces / sizeof pieces[0]);
		at_p[k] = n;
		col_p[k] = col;
		memcpy(text + n, pieces[i], strlen(pieces[i]));
		n += strlen(pieces[i]);
		col += cells[i] < 0 ? 8 - col % 8 : cells[i];
	}
	text[n] = '\0';
	at_p[k] = n;
	col_p[k] = col;
	e = edit_new(text);
	for (k = 0; k <= 4000 && !bad; k++) {
		/* seg must see a boundary there too, or the test is wrong. */
		if (at_p[k] < n && seg_grapheme_prev(text, n, seg_grapheme_next(text, n, at_p[k])) != at_p[k])
			bad = k + 1;
		else if ((got = edit_column(e, at_p[k])) != col_p[k])
			bad = k + 1;
	}
	edit_set_cursor(e, 0);
	edit_goto(e, 0, col_p[2000]);
	k = edit_cursor(e);
	col = col_of(e);
	edit_free(e);
	free(text);
	i = bad ? at_p[bad - 1] : 0;
	n = at_p[2000];
	want = col_p[bad ? bad - 1 : 2000];
	free(at_p);
	free(col_p);
	if (bad)
		T_FAIL("piece %zu at %zu: column %d, expected %d", bad - 1, i, got, want);
	T_EQ_INT(k, n);
	T_EQ_INT(col, want);
}

/* 100 KB of note, edited at its middle. */
static void t_long_note(void)
{
	enum { LINES = 3000 };
	static const char line[] = "line %04d: h\u00e9llo w\u00f6rld \u4e16\u754c e\u0301\n";
	char *text = malloc(LINES * 64), *want = malloc(LINES * 64 + 64);
	size_t n = 0, mid, ls, le;
	int k, col;
	struct edit *e;

	T_ASSERT(text && want);
	for (k = 0; k < LINES; k++)
		n += (size_t)sprintf(text + n, line, k);
	T_ASSERT(n > 100000);
	e = edit_new(text);
	T_EQ_INT(edit_line_count(e), LINES + 1);

	/* Line 1500, after "line 1500: " (11 bytes). */
	T_ASSERT(edit_line(e, LINES / 2, &ls, &le));
	mid = ls + 11;
	edit_set_cursor(e, mid);
	T_EQ_INT(edit_cursor_line(e, &col), LINES / 2);
	T_EQ_INT(col, 11);
	T_ASSERT(edit_insert_str(e, "\u00ab\u4e2d\u00bb "));
	T_ASSERT(edit_delete(e));      /* h */
	T_ASSERT(edit_delete(e));      /* e-acute, precomposed */
	T_ASSERT(edit_backspace(e));   /* the space just typed */
	memcpy(want, text, mid);
	strcpy(want + mid, "\u00ab\u4e2d\u00bbllo");
	strcpy(want + mid + strlen("\u00ab\u4e2d\u00bbllo"), text + mid + 1 + 2 + 3);
	T_EQ_STR(edit_text(e), want);
	T_EQ_INT(edit_cursor(e), mid + strlen("\u00ab\u4e2d\u00bb"));
	T_EQ_INT(col_of(e), 11 + 4);
	/* Down and up keep the column across the changed line. */
	T_ASSERT(edit_down(e));
	T_EQ_INT(col_of(e), 15);
	T_ASSERT(edit_up(e));
	T_EQ_INT(edit_cursor(e), mid + strlen("\u00ab\u4e2d\u00bb"));
	T_ASSERT(edit_end(e));
	T_ASSERT(edit_backspace(e));   /* e + combining acute, as one */
	T_ASSERT(edit_delete(e));      /* the line end: joins line 1501 */
	T_EQ_INT(edit_line_count(e), LINES);
	T_EQ_INT(edit_len(e), strlen(want) - 3 - 1);
	free(text);
	free(want);
	edit_free(e);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	T_RUN(t_empty);
	T_RUN(t_insert);
	T_RUN(t_controls_refused);
	T_RUN(t_backspace);
	T_RUN(t_delete);
	T_RUN(t_joins);
	T_RUN(t_left_right);
	T_RUN(t_home_end);
	T_RUN(t_up_down);
	T_RUN(t_lines);
	T_RUN(t_invalid_utf8);
	T_RUN(t_giant_grapheme);
	T_RUN(t_columns_long_lines);
	T_RUN(t_long_note);
	T_DONE();
}
