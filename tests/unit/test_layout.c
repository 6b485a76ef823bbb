/*
 * test_layout.c: units, wrapping, glyph text, position <-> cell mapping, and
 * the layout cache.  No terminal: a layout is rendered into rows of text,
 * each padded to the width, and whole rows are compared.
 */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gloss/doc.h"
#include "gloss/layout.h"
#include "gloss/util.h"
#include "t.h"

#define WIN ((size_t)LAYOUT_WINDOW)
/* The distance after k*WIN within which a cut follows a space (layout.c). */
#define CUT_SEEK 256
/* ... and before that, a space after a sentence's end */
#define CUT_SENTENCE 1024

/* What the last render found wrong with the layout, or "". */
static char bad[256];
static char out[1 << 16];

static void set_bad(const char *what, size_t at)
{
	if (!bad[0])
		snprintf(bad, sizeof bad, "%s (at %zu)", what, at);
}

/* No byte below 0x20, no DEL, no C1 control as UTF-8 (C2 80..C2 9F). */
static int text_is_safe(const char *t)
{
	const unsigned char *p = (const unsigned char *)t;
	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7F)
			return 0;
		if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
			return 0;
	}
	return 1;
}

static void put(size_t *o, const char *t)
{
	size_t len = strlen(t);
	if (*o + len + 1 < sizeof out) {
		memcpy(out + *o, t, len);
		*o += len;
	}
	out[*o] = '\0';
}

/*
 * Append the rows of l to out, each padded to the width, separated by '|',
 * and check what every layout must hold: glyphs tile the unit's text up to
 * its line end, rows hold consecutive glyphs, columns follow each other, no
 * row is wider than the width, and no glyph text holds a control byte.
 */
static void render_into(const char *s, const struct layout *l, size_t *o)
{
	size_t r, g, next_glyph = 0, ce = l->end - l->start;
	uint32_t off = 0;
	char buf[64];
	const char *u = s + l->start;

	if (ce > 0 && u[ce - 1] == '\n') {
		ce--;
		if (ce > 0 && u[ce - 1] == '\r')
			ce--;
	}
	if (l->nrow < 1)
		set_bad("no rows", 0);
	for (r = 0; r < l->nrow; r++) {
		const struct layout_row *R = &l->rows[r];
		int col = 0;

		if (r)
			put(o, "|");
		if (R->glyph != next_glyph)
			set_bad("rows not consecutive", r);
		if (R->nglyph == 0 && l->nrow > 1)
			set_bad("empty row in a non-empty unit", r);
		if (R->nglyph && R->off != l->glyphs[R->glyph].off)
			set_bad("row offset is not its first glyph's", r);
		for (g = R->glyph; g < R->glyph + R->nglyph; g++) {
			const struct layout_glyph *G = &l->glyphs[g];
			const char *t = layout_glyph_text(s, l, G, buf, sizeof buf);

			if (G->off != off)
				set_bad("glyphs do not tile the text", g);
			if (G->len == 0)
				set_bad("empty glyph", g);
			if (G->col != col)
				set_bad("column does not follow", g);
			if (!text_is_safe(t))
				set_bad("control byte in glyph text", g);
			if (G->width > 0 && !t[0])
				set_bad("no text for a visible glyph", g);
			off += G->len;
			col += G->width;
			put(o, t);
		}
		next_glyph = R->glyph + R->nglyph;
		if (col > l->width)
			set_bad("row wider than the width", r);
		for (; col < l->width; col++)
			put(o, " ");
	}
	if (next_glyph != l->nglyph)
		set_bad("glyphs left outside rows", next_glyph);
	if (off != ce)
		set_bad("glyphs end before the line end", off);
}

/* Render every unit of s[0..n) at width, units separated by '/'. */
static const char *render_doc(const char *s, size_t n, int width)
{
	size_t o = 0, pos = 0, st, en;

	bad[0] = '\0';
	out[0] = '\0';
	do {
		struct layout *l;

		layout_unit(s, n, pos, &st, &en);
		if (st != pos)
			set_bad("units do not tile", pos);
		if (pos)
			put(&o, "/");
		l = layout_make(s, st, en, width);
		render_into(s, l, &o);
		layout_free(l);
		pos = en;
	} while (pos < n);
	return out;
}

/* Compare the rendering of a string literal (which may hold NUL bytes). */
#define T_ROWS(text, width, want) do { \
	T_EQ_STR(render_doc(text, sizeof(text) - 1, width), want); \
	T_EQ_STR(bad, ""); } while (0)

static struct layout *make_all(const char *s, size_t n, int width)
{
	return layout_make(s, 0, n, width);
}

/* ------------------------------------------------------------- wrapping */

static void test_plain_wrap(void)
{
	T_ROWS("the quick brown fox jumps", 10, "the quick |brown fox |jumps     ");
	T_ROWS("the quick brown fox jumps", 80,
	       "the quick brown fox jumps                                                       ");
	T_ROWS("well-known fact", 6, "well- |known |fact  ");
	T_ROWS("a b", 3, "a b");
	/* no break between a full stop or comma and a letter (Unicode's LB29) */
	T_ROWS("in the U.S. election", 10, "in the    |U.S.      |election  ");
	T_ROWS("see e.g. this", 6, "see   |e.g.  |this  ");
	T_ROWS("caf\xc3\xa9,\xc3\xa9t\xc3\xa9 x", 6, "caf\xc3\xa9,\xc3\xa9|t\xc3\xa9 x  ");
	/* a break after them stays where a space or a digit follows */
	T_ROWS("end. Next one", 6, "end.  |Next  |one   ");
}

static void test_long_word(void)
{
	T_ROWS("abcdefghij", 4, "abcd|efgh|ij  ");
	T_ROWS("hi abcdefghij", 4, "hi  |abcd|efgh|ij  ");
}

static void test_hanging_spaces(void)
{
	struct layout *l;
	const char *s = "hello world";

	T_ROWS("hello world", 5, "hello|world");
	T_ROWS("a    b", 3, "a  |b  ");
	T_ROWS("ab   ", 2, "ab");
	l = make_all(s, strlen(s), 5);
	T_EQ_INT(l->nrow, 2);
	T_EQ_INT(l->glyphs[5].width, 0);
	T_EQ_INT(l->glyphs[5].col, 5);
	T_EQ_INT(l->rows[1].off, 6);
	layout_free(l);
}

static void test_tabs(void)
{
	T_ROWS("a\tb", 20, "a       b           ");
	T_ROWS("\tx", 10, "        x ");
	T_ROWS("12345678\tx", 20, "12345678        x   ");
	/* A tab at a row's end is cut to what fits, or hangs. */
	T_ROWS("abcdef\tx", 7, "abcdef |x      ");
	T_ROWS("abcdefg\tx", 7, "abcdefg|x      ");
	/* Tab stops count from the row's start, not the line's. */
	T_ROWS("aaaa bbbbbb\tc", 8, "aaaa    |bbbbbb  |c       ");
}

static void test_line_ends(void)
{
	struct layout *l;
	const char *s = "ab\r\n";

	T_ROWS("ab\r\ncd\r\n", 4, "ab  /cd  ");
	T_ROWS("ab\ncd\n", 4, "ab  /cd  ");
	T_ROWS("a\n\nb", 3, "a  /   /b  ");
	/* The final line without a line end. */
	T_ROWS("ab\ncd", 3, "ab /cd ");
	/* The line end takes no glyph. */
	l = make_all(s, strlen(s), 10);
	T_EQ_INT(l->nglyph, 2);
	T_EQ_INT(l->nrow, 1);
	layout_free(l);
}

static void test_lone_cr(void)
{
	T_ROWS("a\rb", 6, "a^Mb  ");
	/* A CR not followed by LF does not end the line; a row may break after it. */
	T_ROWS("abc\rdef", 5, "abc^M|def  ");
	T_ROWS("a\r\rb\n", 8, "a^M^Mb  ");
}

static void test_controls(void)
{
	size_t i;

	T_ROWS("a\0b", 6, "a^@b  ");
	T_ROWS("\x1b[1mbold\x1b[0m", 16, "^[[1mbold^[[0m  ");
	for (i = 0; out[i]; i++)
		T_ASSERT(out[i] != 0x1b);
	T_ROWS("\x1b]0;title\x07", 12, "^[]0;title^G");
	T_ROWS("a\x7f", 4, "a^? ");
	T_ROWS("a\xc2\x9b" "1m", 10, "a<9B>1m   ");
	T_ROWS("a\xc2\x85z", 7, "a<85>z ");
	/* A line or paragraph separator shows, and a row may break after it. */
	T_ROWS("ab\xe2\x80\xa8" "cd", 10, "ab<U+2028>|cd        ");
	T_ROWS("\xe2\x80\xae" "abc", 12, "<U+202E>abc ");
}

static void test_invalid(void)
{
	struct layout *l;
	const char *s = "a\xff\xfe" "b";

	T_ROWS("a\xff\xfe" "b", 6, "a\xEF\xBF\xBD\xEF\xBF\xBD" "b  ");
	l = make_all(s, strlen(s), 6);
	T_EQ_INT(l->nglyph, 4);
	T_EQ_INT(l->glyphs[1].kind, DOC_SHOW_INVALID);
	T_EQ_INT(l->glyphs[1].width, 1);
	layout_free(l);
	/* One U+FFFD per maximal subpart. */
	T_ROWS("\xe0\x80" "z", 4, "\xEF\xBF\xBD\xEF\xBF\xBD" "z ");
	T_ROWS("\xe2\x82" "z", 4, "\xEF\xBF\xBD" "z  ");
	T_ROWS("\xf0\x9f\x98" "z", 4, "\xEF\xBF\xBD" "z  ");
	T_ROWS("x\xf0\x9f\x98", 4, "x\xEF\xBF\xBD  ");
	T_ROWS("\xed\xa0\x80", 4, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD ");
	/* A combining mark after an invalid byte does not join it. */
	T_ROWS("\xff\xcc\x81", 3, "\xEF\xBF\xBD\xE2\x97\x8C\xCC\x81 ");
	/* Stray continuation bytes, each one glyph. */
	T_ROWS("\x80\x80\x80\x80\x80", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD ");
}

static void test_wide(void)
{
	/* U+4E00.. take two cells; never split at the edge. */
	T_ROWS("\xe4\xb8\x80\xe4\xba\x8c\xe4\xb8\x89\xe5\x9b\x9b\xe4\xba\x94", 5,
	       "\xe4\xb8\x80\xe4\xba\x8c |\xe4\xb8\x89\xe5\x9b\x9b |\xe4\xba\x94   ");
	T_ROWS("\xe4\xb8\x80\xe4\xba\x8c\xe4\xb8\x89", 6,
	       "\xe4\xb8\x80\xe4\xba\x8c\xe4\xb8\x89");
	T_ROWS("a\xe4\xb8\x80\xe4\xba\x8c", 4, "a\xe4\xb8\x80 |\xe4\xba\x8c  ");
	/* Emoji. */
	T_ROWS("\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 5,
	       "\xf0\x9f\x98\x80\xf0\x9f\x98\x80 |\xf0\x9f\x98\x80   ");
	/* No break opportunity before U+FF01: the wide glyph still moves whole. */
	T_ROWS("abcd\xef\xbc\x81", 5, "abcd |\xef\xbc\x81   ");
	T_ROWS("abc\xef\xbc\x81", 5, "abc\xef\xbc\x81");
}

static void test_combining(void)
{
	struct layout *l;
	const char *s = "abcde\xcc\x81" "f";

	T_ROWS("e\xcc\x81", 2, "e\xcc\x81 ");
	T_ROWS("abcde\xcc\x81" "f", 5, "abcde\xcc\x81|f    ");
	l = make_all(s, strlen(s), 5);
	T_EQ_INT(l->nglyph, 6);
	T_EQ_INT(l->glyphs[4].len, 3);
	T_EQ_INT(l->glyphs[4].width, 1);
	layout_free(l);
	/* A mark with no base is drawn on a dotted circle, one cell. */
	T_ROWS("\xcc\x81x", 4, "\xe2\x97\x8c\xcc\x81x  ");
	T_ROWS("\x01\xcc\x81", 4, "^A\xe2\x97\x8c\xcc\x81 ");
	/* Several marks. */
	T_ROWS("a\xcc\x81\xcc\xa3z", 3, "a\xcc\x81\xcc\xa3z ");
}

static void test_zwj_emoji(void)
{
	/* MAN ZWJ WOMAN ZWJ GIRL: one glyph, two cells. */
	static const char fam[] = "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7";
	struct layout *l = make_all(fam, strlen(fam), 4);
	char buf[64];

	T_EQ_INT(l->nglyph, 1);
	T_EQ_INT(l->glyphs[0].width, 2);
	T_EQ_INT(l->glyphs[0].len, strlen(fam));
	T_EQ_STR(layout_glyph_text(fam, l, &l->glyphs[0], buf, sizeof buf), fam);
	layout_free(l);
	T_ROWS("ab\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7", 3,
	       "ab |\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7 ");
}

static void test_long_grapheme(void)
{
	char s[2 + 2 * 40 + 2 * 700];
	char buf[64];
	size_t i, n = 0;
	struct layout *l;

	/* A base with 40 marks is longer than the text buffer: cut after the base. */
	s[n++] = 'a';
	for (i = 0; i < 40; i++) {
		s[n++] = '\xcc';
		s[n++] = '\x81';
	}
	l = make_all(s, n, 4);
	T_EQ_INT(l->nglyph, 1);
	T_EQ_STR(layout_glyph_text(s, l, &l->glyphs[0], buf, sizeof buf), "a");
	layout_free(l);
	/* Hundreds of marks: split into bounded glyphs that still tile. */
	for (i = 0; i < 700; i++) {
		s[n++] = '\xcc';
		s[n++] = '\x81';
	}
	render_doc(s, n, 3);
	T_EQ_STR(bad, "");
	l = make_all(s, n, 3);
	T_ASSERT(l->nglyph > 1);
	for (i = 0; i < l->nglyph; i++)
		T_ASSERT(l->glyphs[i].len <= 1024 && l->glyphs[i].width == 1);
	layout_free(l);
}

static void test_narrow(void)
{
	T_ROWS("ab \xe4\xb8\x80", 1, "a|b|?");
	T_ROWS("ab \xe4\xb8\x80", 2, "ab|\xe4\xb8\x80");
	T_ROWS("abc", 1, "a|b|c");
	/* A visible form wider than the row is clipped on a row of its own. */
	T_ROWS("a\x1b", 1, "a|^");
	T_ROWS("ab\xe2\x80\xa8" "cd", 5, "ab   |<U+20|cd   ");
	T_ROWS("\t\t", 1, " ");
	T_ROWS("a\xc2\x9b", 3, "a  |<9B");
	/* A width below 1 is taken as 1. */
	T_ROWS("ab", 0, "a|b");
	T_ROWS("ab", -5, "a|b");
}

static void test_empty(void)
{
	size_t st = 99, en = 99;
	struct layout *l;

	layout_unit("", 0, 0, &st, &en);
	T_EQ_INT(st, 0);
	T_EQ_INT(en, 0);
	l = layout_make("", 0, 0, 3);
	T_EQ_INT(l->nrow, 1);
	T_EQ_INT(l->nglyph, 0);
	T_EQ_INT(l->rows[0].nglyph, 0);
	T_EQ_INT(layout_row_at(l, 0), 0);
	T_EQ_INT(layout_glyph_at(l, 0), 0);
	T_EQ_INT(layout_col_at(l, 0), 0);
	T_EQ_INT(layout_pos_at(l, 0, 5), 0);
	layout_free(l);
	T_ROWS("", 3, "   ");
	T_ROWS("\n", 3, "   ");
	T_ROWS("\r\n", 3, "   ");
}

/* ----------------------------------------------------------------- units */

static void test_units_short(void)
{
	const char *s = "ab\ncd\r\n\nlast";
	size_t n = strlen(s), st, en, pos;
	static const size_t want[][2] = {
		{0, 3}, {0, 3}, {0, 3}, {3, 7}, {3, 7}, {3, 7}, {3, 7},
		{7, 8}, {8, 12}, {8, 12}, {8, 12}, {8, 12}, {8, 12},
	};

	for (pos = 0; pos <= n; pos++) {
		layout_unit(s, n, pos, &st, &en);
		T_EQ_INT(st, want[pos][0]);
		T_EQ_INT(en, want[pos][1]);
	}
	/* pos == n after a final line end: the last unit. */
	layout_unit("ab\n", 3, 3, &st, &en);
	T_EQ_INT(st, 0);
	T_EQ_INT(en, 3);
	layout_unit("ab\n", 3, 2, &st, &en);
	T_EQ_INT(st, 0);
	T_EQ_INT(en, 3);
}

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/*
 * The unit boundaries by the rule of layout.h, found the slow way over the
 * whole document: 0, after every line feed, and a cut near each k*WIN whose
 * surroundings hold no line feed (after the first space that ends a sentence
 * within CUT_SENTENCE bytes, else after the first space within CUT_SEEK
 * bytes, else at the first code point boundary at or after k*WIN).
 * Returns the count; b[count] = n.
 */
static size_t ref_bounds(const char *s, size_t n, size_t *b)
{
	char *isb = util_calloc(n + 1, 1), *cpb = util_calloc(n + 1, 1);
	size_t *lfs = util_calloc(n + 1, sizeof *lfs);
	size_t i, k, nb = 0;
	uint32_t cp;
	int valid;

	for (i = 0; i < n; i += (size_t)util_utf8_decode(s + i, n - i, &cp, &valid))
		cpb[i] = 1;
	for (i = 0; i < n; i++)
		lfs[i + 1] = lfs[i] + (s[i] == '\n');
	isb[0] = 1;
	for (i = 1; i < n; i++)
		if (s[i - 1] == '\n')
			isb[i] = 1;
	for (k = 1; k * WIN < n; k++) {
		size_t kw = k * WIN, hi = kw + WIN < n ? kw + WIN : n, c = 0;

		if (lfs[hi] != lfs[kw - WIN])
			continue;
		for (i = kw; i < n && i < kw + CUT_SENTENCE && !c; i++) {
			size_t j = i;
			if (s[i] != ' ')
				continue;
			/* back over up to two closing quotes or brackets */
			for (int q = 0; q < 2 && j > kw; q++) {
				if (s[j - 1] && strchr("\"')]", s[j - 1])) {
					j--;
				} else if (j >= kw + 3 && !memcmp(s + j - 3, "\xe2\x80", 2) &&
					   (s[j - 1] == '\x99' || s[j - 1] == '\x9d')) {
					j -= 3;
				} else {
					break;
				}
			}
			if (j > kw && s[j - 1] && strchr(".!?", s[j - 1]))
				c = i + 1;
		}
		for (i = kw; !c && i < n && i < kw + CUT_SEEK; i++)
			if (s[i] == ' ') {
				c = i + 1;
				break;
			}
		if (!c)
			for (c = kw; !cpb[c]; c++)
				;
		if (c < n)
			isb[c] = 1;
	}
	for (i = 0; i < n; i++)
		if (isb[i])
			b[nb++] = i;
	b[nb] = n;
	free(isb);
	free(cpb);
	free(lfs);
	return nb;
}

/* Check layout_unit against the reference at unit edges and at samples. */
static void check_units(const char *s, size_t n, size_t step, size_t max_unit)
{
	size_t *b = util_malloc((n + 2) * sizeof *b);
	size_t nb = ref_bounds(s, n, b), i, pos, st, en, walked = 0, nunits = 0;

	/* Walking unit by unit from 0 reaches n along the reference boundaries. */
	pos = 0;
	do {
		layout_unit(s, n, pos, &st, &en);
		if (st != pos || en <= st || en > n)
			T_FAIL("walk: unit of %zu is [%zu, %zu)", pos, st, en);
		if (nunits >= nb || b[nunits] != st || b[nunits + 1] != en)
			T_FAIL("walk: unit [%zu, %zu) is not the reference's", st, en);
		if (en - st > max_unit)
			T_FAIL("unit [%zu, %zu) longer than %zu", st, en, max_unit);
		walked += en - st;
		nunits++;
		pos = en;
	} while (pos < n);
	T_EQ_INT(walked, n);
	T_EQ_INT(nunits, nb);
	/* Every unit is found from its first and last byte and from samples. */
	for (i = 0; i < nb; i++) {
		size_t a = b[i], z = b[i + 1];
		size_t probe[4] = { a, z - 1, a + (z - a) / 2, a + rng() % (z - a) };
		size_t j;
		for (j = 0; j < 4; j++) {
			layout_unit(s, n, probe[j], &st, &en);
			if (st != a || en != z)
				T_FAIL("unit of %zu is [%zu, %zu), expected [%zu, %zu)",
				       probe[j], st, en, a, z);
		}
	}
	for (pos = 0; pos < n; pos += step) {
		layout_unit(s, n, pos, &st, &en);
		if (!(st <= pos && pos < en))
			T_FAIL("unit of %zu is [%zu, %zu)", pos, st, en);
	}
	layout_unit(s, n, n, &st, &en);
	T_EQ_INT(st, b[nb - 1]);
	T_EQ_INT(en, n);
	free(b);
}

static char *make_words(size_t n)
{
	char *s = util_malloc(n);
	size_t i = 0;

	while (i < n) {
		size_t w = 1 + rng() % 12;
		for (; w && i < n; w--)
			s[i++] = (char)('a' + rng() % 26);
		if (i < n)
			s[i++] = ' ';
	}
	return s;
}

/* Words, and now and then the end of a sentence: ". ", "! ", "?\" ",
 * ".\u201d ", ".') ", or a full stop that ends a token without a space. */
static char *make_prose(size_t n)
{
	static const char *const ends[] = { ". ", "! ", "?\" ", ".\xe2\x80\x9d ", ".') ", ".x " };
	char *s = make_words(n);

	for (size_t i = 0; i + 8 < n; i += 1 + rng() % 700) {
		const char *e = ends[rng() % (sizeof ends / sizeof *ends)];
		memcpy(s + i, e, strlen(e));
	}
	return s;
}

static void test_window_cuts_sentences(void)
{
	size_t n = 3u << 20, st, en, kw = 3 * WIN;
	char *s = make_prose(n);

	check_units(s, n, 4093, 3 * WIN + CUT_SENTENCE + 4);
	free(s);
	/* The space after a sentence's end within its reach, not the first one. */
	s = make_words(n);
	memcpy(s + kw + 500, "end.\xe2\x80\x9d Next", 11);
	layout_unit(s, n, kw + 600, &st, &en);
	T_EQ_INT(st, kw + 508);
	/* Beyond its reach: the first space. */
	memcpy(s + kw + 500, "end.\xe2\x80\x9dxNext", 11);
	memcpy(s + kw + CUT_SENTENCE + 10, "end. Next", 9);
	layout_unit(s, n, kw + 600, &st, &en);
	T_ASSERT(st > kw && st <= kw + 14 && s[st - 1] == ' ');
	free(s);
}

static void test_window_cuts_words(void)
{
	size_t n = 5u << 20, st, en;
	char *s = make_words(n);

	check_units(s, n, 4093, 3 * WIN + CUT_SEEK + 4);
	/* A line shorter than a window is not cut, nor one of just over one. */
	layout_unit(s, WIN - 1, 100, &st, &en);
	T_EQ_INT(st, 0);
	T_EQ_INT(en, WIN - 1);
	/* Cuts follow a space. */
	layout_unit(s, n, 3 * WIN + CUT_SEEK + 10, &st, &en);
	T_ASSERT(st >= 3 * WIN && st <= 3 * WIN + CUT_SEEK);
	T_ASSERT(s[st - 1] == ' ');
	free(s);
}

static void test_window_cuts_no_spaces(void)
{
	/* Multi-byte code points, stray continuation bytes, no space, no LF. */
	static const char *pieces[] = { "\xc3\xa9", "\xe4\xb8\x80", "a", "\xf0\x9f\x98\x80",
		"\x80", "\xe2\x82", "\xcc\x81" };
	size_t n = 3u << 20, i = 0, st, en;
	char *s = util_malloc(n);

	while (i < n) {
		const char *p = pieces[rng() % 7];
		size_t len = strlen(p);
		if (i + len > n)
			len = n - i;
		memcpy(s + i, p, len);
		i += len;
	}
	check_units(s, n, 3001, 3 * WIN + CUT_SEEK + 4);
	/* Cuts fall on code point boundaries. */
	for (i = 1; i < n / WIN; i++) {
		layout_unit(s, n, i * WIN + 5, &st, &en);
		T_EQ_INT(util_utf8_back(s, st), st);
	}
	free(s);
}

static void test_window_cuts_mixed(void)
{
	/* Long lines, short lines and line feeds near multiples of the window. */
	size_t n = 4u << 20, i, st, en;
	char *s = make_words(n);

	for (i = 0; i < n; ) {
		uint32_t r = rng() % 8;
		size_t gap = r < 3 ? 1 + rng() % 200 : r < 5 ? rng() % (2 * WIN)
			: r < 7 ? WIN + rng() % (4 * WIN) : 5 * WIN + rng() % (WIN / 2);
		i += gap;
		if (i < n)
			s[i] = '\n';
	}
	s[2 * WIN - 1] = '\n';
	s[3 * WIN] = '\n';
	s[n - 1] = 'x';
	check_units(s, n, 997, 3 * WIN + CUT_SEEK + 4);
	/* A document that is one line ending just after a window. */
	layout_unit(s, WIN + 10, 5, &st, &en);
	T_ASSERT(en <= WIN + 10);
	free(s);
}

/* -------------------------------------------------------------- mapping */

/* Check the mapping functions against the glyphs of l, for every position. */
static int check_mapping(const char *s, const struct layout *l)
{
	size_t pos, r, g;
	int c;

	for (pos = l->start; pos <= l->end; pos++) {
		size_t row = layout_row_at(l, pos);
		const struct layout_row *R = &l->rows[row];

		g = layout_glyph_at(l, pos);
		if (g < R->glyph || g > R->glyph + R->nglyph)
			return set_bad("glyph outside its row", pos), 0;
		if (g < R->glyph + R->nglyph) {
			const struct layout_glyph *G = &l->glyphs[g];
			if (!(l->start + G->off <= pos && pos < l->start + G->off + G->len))
				return set_bad("glyph_at gives a glyph not holding pos", pos), 0;
			if (layout_col_at(l, pos) != G->col)
				return set_bad("col_at is not the glyph's column", pos), 0;
			for (c = G->col; c < G->col + G->width; c++)
				if (layout_pos_at(l, row, c) != l->start + G->off)
					return set_bad("pos_at does not give the glyph back", pos), 0;
		} else {
			/* Only the line end lies past a row's glyphs. */
			const struct layout_glyph *last = R->nglyph ? &l->glyphs[g - 1] : NULL;
			if (row != l->nrow - 1)
				return set_bad("row end reached in a row not the last", pos), 0;
			if (last && pos < l->start + last->off + last->len)
				return set_bad("row end before the last glyph's end", pos), 0;
			if (layout_col_at(l, pos) != (last ? last->col + last->width : 0))
				return set_bad("col_at of the line end", pos), 0;
		}
	}
	(void)s;
	for (r = 0; r < l->nrow; r++) {
		const struct layout_row *R = &l->rows[r];
		size_t first = R->nglyph ? l->start + l->glyphs[R->glyph].off : l->start + R->off;
		size_t lastp = R->nglyph ? l->start + l->glyphs[R->glyph + R->nglyph - 1].off : first;
		if (layout_pos_at(l, r, -3) != first || layout_pos_at(l, r, 1000) != lastp)
			return set_bad("pos_at outside the row", r), 0;
		if (layout_row_at(l, l->start + R->off) != r)
			return set_bad("row_at of a row's start", r), 0;
	}
	return 1;
}

static void test_mapping(void)
{
	static const char text[] = "ab\tc \xe4\xb8\x80\xe4\xba\x8c e\xcc\x81 \x1b!\xff"
		"word\xf0\x9f\x98\x80 x   y\r\n";
	size_t n = sizeof text - 1;
	int width;

	for (width = 1; width <= 14; width++) {
		struct layout *l = layout_make(text, 0, n, width);

		render_doc(text, n, width);
		T_EQ_STR(bad, "");
		check_mapping(text, l);
		T_EQ_STR(bad, "");
		layout_free(l);
	}
}

/* Random text of awkward pieces at random widths keeps every invariant. */
static void test_random_text(void)
{
	static const char *pieces[] = { "a", "b", " ", "  ", "\t", "\n", "\r", "\r\n", "\0",
		"\x1b", "\x7f", "\xc2\x9b", "\xe2\x80\xae", "\xe2\x80\xa8", "\xff", "\x80",
		"\xe2\x82", "\xf0\x9f\x98", "\xcc\x81", "\xe2\x80\x8d", "\xe4\xb8\x80",
		"\xf0\x9f\x98\x80", "\xf0\x9f\x87\xab", "\xef\xbc\x81", "-", ",", "\xc3\xa9",
		"\xe1\x84\x80", "\xe1\x85\xa1", "\xd8\x80", "word", "\xef\xb8\x8f",
		"\xe2\x80\x8b", "\xc2\xad", "(", ")", "\"", "\xe3\x80\x82" };
	char s[400];
	size_t it;

	for (it = 0; it < 4000; it++) {
		size_t n = 0, k = rng() % 40, pos;
		int width = 1 + (int)(rng() % 20);

		while (k--) {
			const char *p = pieces[rng() % (sizeof pieces / sizeof *pieces)];
			size_t len = p[0] ? strlen(p) : 1;
			memcpy(s + n, p, len);
			n += len;
		}
		render_doc(s, n, width);
		if (bad[0])
			T_FAIL("text %zu at width %d: %s", it, width, bad);
		for (pos = 0; pos < n || pos == 0; ) {
			size_t st, en;
			struct layout *l;

			layout_unit(s, n, pos, &st, &en);
			l = layout_make(s, st, en, width);
			check_mapping(s, l);
			layout_free(l);
			if (bad[0])
				T_FAIL("text %zu at width %d: %s", it, width, bad);
			pos = en > pos ? en : pos + 1;
		}
	}
}

static void test_mapping_details(void)
{
	const char *s = "hello world\n";
	struct layout *l = layout_make(s, 0, strlen(s), 5);

	/* Rows: "hello" + hanging space, "world". */
	T_EQ_INT(l->nrow, 2);
	T_EQ_INT(layout_row_at(l, 5), 0);
	T_EQ_INT(layout_col_at(l, 5), 5);
	T_EQ_INT(layout_row_at(l, 6), 1);
	T_EQ_INT(layout_col_at(l, 6), 0);
	/* The line end: past the last glyph of the last row. */
	T_EQ_INT(layout_row_at(l, 11), 1);
	T_EQ_INT(layout_glyph_at(l, 11), l->nglyph);
	T_EQ_INT(layout_col_at(l, 11), 5);
	T_EQ_INT(layout_col_at(l, 12), 5);
	/* Clamped into the unit. */
	T_EQ_INT(layout_row_at(l, 500), 1);
	T_EQ_INT(layout_pos_at(l, 9, 2), 8);
	T_EQ_INT(layout_pos_at(l, 0, 4), 4);
	T_EQ_INT(layout_pos_at(l, 0, 9), 5);
	layout_free(l);

	/* A unit that does not start at 0: positions are the document's. */
	s = "xx\nab \xe4\xb8\x80z";
	l = layout_make(s, 3, strlen(s), 4);
	T_EQ_INT(l->nrow, 2);
	T_EQ_INT(layout_row_at(l, 6), 1);
	T_EQ_INT(layout_col_at(l, 6), 0);
	T_EQ_INT(layout_col_at(l, 7), 0); /* inside the wide character */
	T_EQ_INT(layout_col_at(l, 9), 2);
	T_EQ_INT(layout_pos_at(l, 1, 1), 6);
	T_EQ_INT(layout_pos_at(l, 1, 2), 9);
	T_EQ_INT(layout_row_at(l, 0), 0);
	layout_free(l);
}

static void test_glyph_text(void)
{
	const char *s = "a\tb\xc3\xa9";
	struct layout *l = layout_make(s, 0, strlen(s), 20);
	char buf[64], small[2];

	T_EQ_STR(layout_glyph_text(s, l, &l->glyphs[0], buf, sizeof buf), "a");
	T_EQ_STR(layout_glyph_text(s, l, &l->glyphs[1], buf, sizeof buf), "       ");
	T_EQ_STR(layout_glyph_text(s, l, &l->glyphs[3], buf, sizeof buf), "\xc3\xa9");
	/* Too small a buffer: nothing is cut inside a code point. */
	T_EQ_STR(layout_glyph_text(s, l, &l->glyphs[3], small, sizeof small), "");
	layout_free(l);
}

/* ---------------------------------------------------------------- speed */

static void test_big_window_layout(void)
{
	/* A whole window of words wraps and renders consistently. */
	size_t n = 3 * WIN, st, en, o = 0;
	char *s = make_words(n);
	struct layout *l;

	layout_unit(s, n, WIN + 7, &st, &en);
	l = layout_make(s, st, en, 80);
	T_ASSERT(l->nrow > WIN / 80 / 2);
	bad[0] = '\0';
	render_into(s, l, &o);
	T_EQ_STR(bad, "");
	layout_free(l);
	free(s);
}

/* ---------------------------------------------------------------- cache */

static void test_cache_hits(void)
{
	const char *s = "one two\nthree\n";
	size_t n = strlen(s);
	struct layout_cache *c = layout_cache_new(4);
	const struct layout *a = layout_cache_get(c, s, n, 0, 10);
	const struct layout *b = layout_cache_get(c, s, n, 8, 10);

	T_EQ_INT(a->start, 0);
	T_EQ_INT(a->end, 8);
	T_EQ_INT(b->start, 8);
	T_EQ_INT(b->end, n);
	T_ASSERT(layout_cache_get(c, s, n, 0, 10) == a);
	T_ASSERT(layout_cache_get(c, s, n, 8, 10) == b);
	/* Another width is another layout. */
	T_EQ_INT(layout_cache_get(c, s, n, 0, 3)->nrow, 2);
	/* A position inside a unit gives its unit. */
	T_ASSERT(layout_cache_get(c, s, n, 10, 10) == b);
	layout_cache_free(c);
	layout_cache_free(NULL);
}

/*
 * The cache never reads the text again for a layout it holds, so changing
 * the text shows whether a get was a hit (old rows) or a miss (new rows).
 */
static void test_cache_eviction(void)
{
	char s[] = "aa bb\ncc dd\nee ff\ngg hh\n";
	size_t n = strlen(s), i;
	struct layout_cache *c = layout_cache_new(2);

	T_EQ_INT(layout_cache_get(c, s, n, 0, 2)->nrow, 2);
	T_EQ_INT(layout_cache_get(c, s, n, 6, 2)->nrow, 2);
	for (i = 0; i < n; i++)
		if (s[i] == ' ')
			s[i] = 'x'; /* now every line wraps into 3 rows */
	T_EQ_INT(layout_cache_get(c, s, n, 0, 2)->nrow, 2);  /* hit; 6 is now the oldest */
	T_EQ_INT(layout_cache_get(c, s, n, 12, 2)->nrow, 3); /* miss, drops 6 */
	T_EQ_INT(layout_cache_get(c, s, n, 0, 2)->nrow, 2);  /* hit */
	T_EQ_INT(layout_cache_get(c, s, n, 6, 2)->nrow, 3);  /* miss, drops 12 */
	T_EQ_INT(layout_cache_get(c, s, n, 0, 2)->nrow, 2);  /* still held */
	T_EQ_INT(layout_cache_get(c, s, n, 18, 2)->nrow, 3); /* drops 6 */
	T_EQ_INT(layout_cache_get(c, s, n, 12, 2)->nrow, 3); /* drops 0 */
	T_EQ_INT(layout_cache_get(c, s, n, 0, 2)->nrow, 3);  /* a miss: it was dropped */
	layout_cache_clear(c);
	for (i = 0; i < n; i++)
		if (s[i] == 'x')
			s[i] = ' ';
	T_EQ_INT(layout_cache_get(c, s, n, 0, 2)->nrow, 2);
	layout_cache_free(c);

	/* One entry. */
	c = layout_cache_new(1);
	T_EQ_INT(layout_cache_get(c, s, n, 0, 2)->nrow, 2);
	s[2] = 'x';
	T_EQ_INT(layout_cache_get(c, s, n, 0, 2)->nrow, 2);
	T_EQ_INT(layout_cache_get(c, s, n, 6, 2)->nrow, 2);
	T_EQ_INT(layout_cache_get(c, s, n, 0, 2)->nrow, 3);
	layout_cache_free(c);
	/* Zero is taken as one. */
	c = layout_cache_new(0);
	T_EQ_INT(layout_cache_get(c, s, n, 0, 2)->start, 0);
	layout_cache_free(c);
}

/* Many keys through a small cache: every answer is for the key asked. */
static void test_cache_stress(void)
{
	size_t n = 0, i, nline = 300;
	char *s = util_malloc(nline * 8);
	size_t starts[300];
	struct layout_cache *c = layout_cache_new(16);

	for (i = 0; i < nline; i++) {
		starts[i] = n;
		n += (size_t)snprintf(s + n, 8, "l%04zu\n", i);
	}
	for (i = 0; i < 20000; i++) {
		size_t u = rng() % (i % 3 ? 20 : nline);
		int width = 1 + (int)(rng() % 3);
		const struct layout *l = layout_cache_get(c, s, n, starts[u], width);
		if (l->start != starts[u] || l->end != starts[u] + 6 || l->width != width)
			T_FAIL("get %zu: wrong layout for (%zu, %d)", i, starts[u], width);
		if ((int)l->nrow != (5 + width - 1) / width)
			T_FAIL("get %zu: %zu rows at width %d", i, l->nrow, width);
	}
	layout_cache_free(c);
	free(s);
}

/* A cache starts small and grows to its size: what it took while growing
 * stays found, and past its size the oldest goes. */
static void test_cache_grows(void)
{
	size_t n = 0, i, nline = 300, max = 100;
	char *s = util_malloc(nline * 8);
	size_t starts[300];
	const struct layout *got[300];
	struct layout_cache *c = layout_cache_new(max);

	for (i = 0; i < nline; i++) {
		starts[i] = n;
		n += (size_t)snprintf(s + n, 8, "l%04zu\n", i);
	}
	for (i = 0; i < max; i++) {
		got[i] = layout_cache_get(c, s, n, starts[i], 4);
		T_EQ_INT(got[i]->start, starts[i]);
	}
	/* every one a hit, newest first, so that the order stays as taken */
	for (i = max; i-- > 0;)
		if (layout_cache_get(c, s, n, starts[i], 4) != got[i])
			T_FAIL("line %zu was not kept", i);
	/* a hundred more: the first hundred go, oldest (the last) first */
	for (i = max; i < 2 * max; i++)
		T_EQ_INT(layout_cache_get(c, s, n, starts[i], 4)->start, starts[i]);
	for (i = 2 * max; i-- > max;)
		if (layout_cache_get(c, s, n, starts[i], 4)->start != starts[i])
			T_FAIL("line %zu: wrong layout", i);
	T_EQ_INT(layout_cache_get(c, s, n, starts[250], 4)->start, starts[250]);
	layout_cache_free(c);
	free(s);
}

/* Windows of a huge line are costly: the cache keeps within its byte budget. */
static void test_cache_byte_budget(void)
{
	size_t n = 8u << 20, i, start = 0, st, en, got = 0;
	char *s = malloc(n);
	struct layout_cache *c = layout_cache_new(1000);
	const struct layout *prev = NULL;

	T_ASSERT(s);
	for (i = 0; i < n; i++)
		s[i] = (i % 9 == 8) ? ' ' : 'a' + (char)(i % 9);
	while (start < n) {
		const struct layout *l = layout_cache_get(c, s, n, start, 80);
		layout_unit(s, n, start, &st, &en);
		T_EQ_INT(l->start, st);
		/* The one got just before is still there (a screen spans two units). */
		if (prev)
			T_ASSERT(layout_cache_get(c, s, n, prev->start, 80) == prev);
		T_ASSERT(layout_cache_bytes(c) <= LAYOUT_CACHE_BYTES + (4u << 20));
		prev = layout_cache_get(c, s, n, start, 80);
		start = en;
		got++;
	}
	T_ASSERT(got > 100);
	layout_cache_clear(c);
	T_EQ_INT(layout_cache_bytes(c), 0);
	layout_cache_free(c);
	free(s);
}

/* A flag is two cells: on a row of one it is cut to "?", like a wide character. */
static void test_flag_on_a_narrow_row(void)
{
	const char *s = "h\xf0\x9f\x87\xa9\xf0\x9f\x87\xaa\n";
	struct layout *l = layout_make(s, 0, strlen(s), 1);
	char buf[64];
	size_t g;

	for (g = 0; g < l->nglyph; g++)
		if (l->glyphs[g].off == 1)
			break;
	T_ASSERT(g < l->nglyph);
	T_EQ_INT(l->glyphs[g].width, 1);
	T_EQ_STR(layout_glyph_text(s, l, &l->glyphs[g], buf, sizeof buf), "?");
	layout_free(l);
	l = layout_make(s, 0, strlen(s), 10);
	T_EQ_INT(l->glyphs[1].width, 2);
	T_EQ_STR(layout_glyph_text(s, l, &l->glyphs[1], buf, sizeof buf), "\xf0\x9f\x87\xa9\xf0\x9f\x87\xaa");
	layout_free(l);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	T_RUN(test_plain_wrap);
	T_RUN(test_long_word);
	T_RUN(test_hanging_spaces);
	T_RUN(test_tabs);
	T_RUN(test_line_ends);
	T_RUN(test_lone_cr);
	T_RUN(test_controls);
	T_RUN(test_invalid);
	T_RUN(test_wide);
	T_RUN(test_combining);
	T_RUN(test_zwj_emoji);
	T_RUN(test_long_grapheme);
	T_RUN(test_narrow);
	T_RUN(test_empty);
	T_RUN(test_units_short);
	T_RUN(test_window_cuts_words);
	T_RUN(test_window_cuts_sentences);
	T_RUN(test_window_cuts_no_spaces);
	T_RUN(test_window_cuts_mixed);
	T_RUN(test_mapping);
	T_RUN(test_random_text);
	T_RUN(test_mapping_details);
	T_RUN(test_glyph_text);
	T_RUN(test_big_window_layout);
	T_RUN(test_cache_hits);
	T_RUN(test_cache_eviction);
	T_RUN(test_cache_stress);
	T_RUN(test_cache_grows);
	T_RUN(test_cache_byte_budget);
	T_RUN(test_flag_on_a_narrow_row);
	T_DONE();
}
