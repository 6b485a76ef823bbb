/*
 * test_show.c: doc_show_cp(), how one code point shows on a terminal.
 */
#include <locale.h>
#include <stdint.h>

#include "gloss/doc.h"
#include "gloss/util.h"
#include "t.h"

/* Show the code point at the start of s (of n bytes). */
static struct doc_show show(const char *s, size_t n, int *used)
{
	struct doc_show sh;
	*used = doc_show_cp(s, n, &sh);
	return sh;
}

/* Show code point cp, encoded here. */
static struct doc_show show_cp(uint32_t cp, int *used)
{
	char b[4];
	return show(b, (size_t)util_utf8_encode(cp, b), used);
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

static void test_ascii(void)
{
	int used;
	struct doc_show sh = show("a", 1, &used);
	T_EQ_INT(used, 1);
	T_EQ_INT(sh.kind, DOC_SHOW_TEXT);
	T_EQ_INT(sh.width, 1);
	T_EQ_STR(sh.text, "a");
	sh = show("~x", 2, &used);
	T_EQ_INT(used, 1);
	T_EQ_STR(sh.text, "~");
	sh = show(" ", 1, &used);
	T_EQ_INT(sh.kind, DOC_SHOW_TEXT);
	T_EQ_STR(sh.text, " ");
}

static void test_c0(void)
{
	int used;
	struct doc_show sh = show("\0x", 2, &used);
	T_EQ_INT(used, 1);
	T_EQ_INT(sh.kind, DOC_SHOW_CONTROL);
	T_EQ_INT(sh.width, 2);
	T_EQ_STR(sh.text, "^@");
	sh = show("\x1b[31m", 5, &used);
	T_EQ_INT(used, 1);
	T_EQ_INT(sh.kind, DOC_SHOW_CONTROL);
	T_EQ_STR(sh.text, "^[");
	sh = show("\x7f", 1, &used);
	T_EQ_INT(sh.kind, DOC_SHOW_CONTROL);
	T_EQ_INT(sh.width, 2);
	T_EQ_STR(sh.text, "^?");
	sh = show("\n", 1, &used);
	T_EQ_STR(sh.text, "^J");
	sh = show("\r", 1, &used);
	T_EQ_STR(sh.text, "^M");
	sh = show("\x01", 1, &used);
	T_EQ_STR(sh.text, "^A");
	sh = show("\x1f", 1, &used);
	T_EQ_STR(sh.text, "^_");
	sh = show("\x07", 1, &used);
	T_EQ_STR(sh.text, "^G");
}

static void test_tab(void)
{
	int used;
	struct doc_show sh = show("\t", 1, &used);
	T_EQ_INT(used, 1);
	T_EQ_INT(sh.kind, DOC_SHOW_TAB);
	T_ASSERT(text_is_safe(sh.text));
}

static void test_c1(void)
{
	int used;
	struct doc_show sh = show("\xc2\x9b" "31m", 5, &used);
	T_EQ_INT(used, 2);
	T_EQ_INT(sh.kind, DOC_SHOW_CONTROL);
	T_EQ_INT(sh.width, 4);
	T_EQ_STR(sh.text, "<9B>");
	sh = show_cp(0x80, &used);
	T_EQ_STR(sh.text, "<80>");
	sh = show_cp(0x85, &used);
	T_EQ_STR(sh.text, "<85>");
	sh = show_cp(0x9F, &used);
	T_EQ_STR(sh.text, "<9F>");
	/* The first code point after the C1 block is text. */
	sh = show_cp(0xA0, &used);
	T_EQ_INT(sh.kind, DOC_SHOW_TEXT);
	T_EQ_INT(sh.width, 1);
}

static void test_bidi_and_separators(void)
{
	static const uint32_t cps[] = { 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066,
		0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C, 0x2028, 0x2029 };
	char want[16];
	size_t i;
	int used;
	struct doc_show sh;

	for (i = 0; i < sizeof cps / sizeof *cps; i++) {
		sh = show_cp(cps[i], &used);
		snprintf(want, sizeof want, "<U+%04X>", (unsigned)cps[i]);
		T_EQ_INT(sh.kind, DOC_SHOW_CONTROL);
		T_EQ_STR(sh.text, want);
		T_EQ_INT(sh.width, 8);
	}
	sh = show("\xe2\x80\xae" "abc", 6, &used);
	T_EQ_INT(used, 3);
	T_EQ_STR(sh.text, "<U+202E>");
	/* Neighbours of the bidi block stay text. */
	sh = show_cp(0x2010, &used); /* HYPHEN */
	T_EQ_INT(sh.kind, DOC_SHOW_TEXT);
	sh = show_cp(0x2030, &used); /* PER MILLE SIGN */
	T_EQ_INT(sh.kind, DOC_SHOW_TEXT);
}

static void test_invalid(void)
{
	int used;
	struct doc_show sh = show("\xff", 1, &used);
	T_EQ_INT(used, 1);
	T_EQ_INT(sh.kind, DOC_SHOW_INVALID);
	T_EQ_INT(sh.width, 1);
	T_EQ_STR(sh.text, "\xEF\xBF\xBD");
	/* A truncated sequence is consumed as one maximal subpart. */
	sh = show("\xe2\x82x", 3, &used);
	T_EQ_INT(used, 2);
	T_EQ_INT(sh.kind, DOC_SHOW_INVALID);
	/* An overlong lead stands alone. */
	sh = show("\xc0\xaf", 2, &used);
	T_EQ_INT(used, 1);
	T_EQ_INT(sh.kind, DOC_SHOW_INVALID);
	/* A surrogate. */
	sh = show("\xed\xa0\x80", 3, &used);
	T_EQ_INT(used, 1);
	T_EQ_INT(sh.kind, DOC_SHOW_INVALID);
	/* The end of the buffer cuts a sequence. */
	sh = show("\xf0\x9f\x98\x80", 3, &used);
	T_EQ_INT(used, 3);
	T_EQ_INT(sh.kind, DOC_SHOW_INVALID);
	/* A valid U+FFFD in the document is text. */
	sh = show("\xef\xbf\xbd", 3, &used);
	T_EQ_INT(used, 3);
	T_EQ_INT(sh.kind, DOC_SHOW_TEXT);
}

static void test_widths(void)
{
	int used;
	struct doc_show sh = show("\xe4\xb8\x80", 3, &used); /* U+4E00 */
	T_EQ_INT(used, 3);
	T_EQ_INT(sh.kind, DOC_SHOW_TEXT);
	T_EQ_INT(sh.width, 2);
	T_EQ_STR(sh.text, "\xe4\xb8\x80");
	sh = show("\xf0\x9f\x98\x80", 4, &used); /* U+1F600 */
	T_EQ_INT(used, 4);
	T_EQ_INT(sh.width, 2);
	sh = show("\xcc\x81", 2, &used); /* U+0301 COMBINING ACUTE */
	T_EQ_INT(sh.kind, DOC_SHOW_TEXT);
	T_EQ_INT(sh.width, 0);
	T_EQ_STR(sh.text, "\xcc\x81");
	sh = show("\xc3\xa9", 2, &used); /* U+00E9 */
	T_EQ_INT(sh.width, 1);
	T_EQ_STR(sh.text, "\xc3\xa9");
	sh = show_cp(0x3000, &used); /* IDEOGRAPHIC SPACE */
	T_EQ_INT(sh.width, 2);
}

static void test_unassigned(void)
{
	int used;
	struct doc_show sh = show_cp(0x0378, &used); /* unassigned */
	T_EQ_INT(used, 2);
	T_EQ_INT(sh.kind, DOC_SHOW_CONTROL);
	T_EQ_INT(sh.width, 1);
	T_EQ_STR(sh.text, "\xEF\xBF\xBD");
	sh = show_cp(0xFFFF, &used); /* noncharacter */
	T_EQ_INT(sh.width, 1);
	T_EQ_STR(sh.text, "\xEF\xBF\xBD");
}

/* Every code point and every lone byte shows as something safe and sized. */
static void test_everything_safe(void)
{
	uint32_t cp;
	unsigned b;
	int used;
	struct doc_show sh;
	char one[1];

	for (cp = 0; cp <= 0x10FFFF; cp++) {
		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		sh = show_cp(cp, &used);
		if (!text_is_safe(sh.text))
			T_FAIL("U+%04X shows as unsafe text", (unsigned)cp);
		if (sh.width < 0 || sh.width > 8)
			T_FAIL("U+%04X has width %d", (unsigned)cp, sh.width);
		if (sh.text[0] == '\0')
			T_FAIL("U+%04X shows as nothing", (unsigned)cp);
	}
	for (b = 0; b < 256; b++) {
		one[0] = (char)b;
		sh = show(one, 1, &used);
		T_EQ_INT(used, 1);
		if (!text_is_safe(sh.text))
			T_FAIL("byte %02X shows as unsafe text", b);
	}
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	T_RUN(test_ascii);
	T_RUN(test_c0);
	T_RUN(test_tab);
	T_RUN(test_c1);
	T_RUN(test_bidi_and_separators);
	T_RUN(test_invalid);
	T_RUN(test_widths);
	T_RUN(test_unassigned);
	T_RUN(test_everything_safe);
	T_DONE();
}
