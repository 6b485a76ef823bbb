/* Unit tests for search: smartcase, case folding, directions, seams, cancel. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "gloss/search.h"
#include "t.h"

static bool find(const char *pat, const char *text, size_t from, bool back, size_t *ms, size_t *me)
{
	struct search *q = search_new(pat);
	bool r;
	if (!q)
		return false;
	r = search_find(q, text, 0, strlen(text), from, back, ms, me, NULL, NULL);
	search_free(q);
	return r;
}

static void test_smartcase(void)
{
	size_t a, b;
	const char *t = "The MILLION liters, a Million more, one million.";
	T_ASSERT(find("million", t, 0, false, &a, &b));
	T_EQ_INT(a, 4);
	T_EQ_INT(b, 11);
	T_ASSERT(find("Million", t, 0, false, &a, &b));
	T_EQ_INT(a, 22);
	T_ASSERT(!find("MILLIONS", t, 0, false, &a, &b));
	struct search *q = search_new("abc");
	T_ASSERT(q && !search_exact(q));
	search_free(q);
	q = search_new("aBc");
	T_ASSERT(q && search_exact(q));
	T_EQ_STR(search_pattern(q), "aBc");
	search_free(q);
}

static void test_unicode_folding(void)
{
	size_t a, b;
	const char *t = "Frau M\xc3\x9cLLER wohnt in der Hauptstra\xc3\x9f" "e 5.";
	T_ASSERT(find("m\xc3\xbcller", t, 0, false, &a, &b)); /* müller finds MÜLLER */
	T_EQ_INT(a, 5);
	T_EQ_INT(b, 12);
	T_ASSERT(find("hauptstrasse", t, 0, false, &a, &b)); /* ß folds to ss */
	T_EQ_INT(a, 26);
	T_EQ_INT(b, 26 + 12);
	/* Greek final sigma and capital sigma fold alike. */
	T_ASSERT(find("\xcf\x83", "\xce\xa3\xce\x91", 0, false, &a, &b));
	T_EQ_INT(a, 0);
	/* A match never ends inside one character's folding. */
	T_ASSERT(!find("s", "\xc3\x9f", 0, false, &a, &b));
}

/* "é" (U+00E9) and "e" + U+0301 are one character written two ways: each
 * finds the other, folded or exact, both directions; "e" alone finds
 * neither's whole, and a decomposed pattern does not find a bare "e". */
static void test_canonical_equivalence(void)
{
	size_t a, b;
	const char *nfc = "Le caf\xc3\xa9 de Ren\xc3\xa9" "e, \xc3\x89lise.";
	const char *nfd = "Le cafe\xcc\x81 de Rene\xcc\x81" "e, E\xcc\x81lise.";

	T_ASSERT(find("caf\xc3\xa9", nfd, 0, false, &a, &b));
	T_EQ_INT(a, 3);
	T_EQ_INT(b, 9);
	T_ASSERT(find("cafe\xcc\x81", nfc, 0, false, &a, &b));
	T_EQ_INT(a, 3);
	T_EQ_INT(b, 8);
	/* exact (an uppercase letter), NFC pattern in NFD text and back */
	T_ASSERT(find("\xc3\x89lise", nfd, 0, false, &a, &b));
	T_EQ_INT(a, 22);
	T_EQ_INT(b, 29);
	T_ASSERT(find("E\xcc\x81lise", nfc, strlen(nfc), true, &a, &b));
	T_EQ_INT(a, 20);
	T_EQ_INT(b, 26);
	T_ASSERT(!find("\xc3\x89LISE", nfd, 0, false, &a, &b)); /* exact is exact */
	/* folded across the two forms: "renée" finds "Rene" + U+0301 + "e" */
	T_ASSERT(find("ren\xc3\xa9" "e", nfd, 0, false, &a, &b));
	T_EQ_INT(a, 13);
	/* a bare "e" is not the whole of "é" */
	T_ASSERT(!find("cafe ", nfc, 0, false, &a, &b));
	T_ASSERT(!find("cafe\xcc\x81", "cafe", 0, false, &a, &b));
	/* U+212A KELVIN SIGN is K: an exact ASCII pattern finds it too */
	T_ASSERT(find("5K", "at 5\xe2\x84\xaa.", 0, false, &a, &b));
	T_EQ_INT(a, 3);
	T_EQ_INT(b, 7);
	/* Hangul: a syllable and its jamo */
	T_ASSERT(find("\xea\xb0\x80", "x\xe1\x84\x80\xe1\x85\xa1y", 0, false, &a, &b));
	T_EQ_INT(a, 1);
	T_EQ_INT(b, 7);
}

static void test_directions_and_bounds(void)
{
	size_t a, b;
	const char *t = "cat dog cat dog cat";
	T_ASSERT(find("cat", t, 1, false, &a, &b));
	T_EQ_INT(a, 8);
	T_ASSERT(find("cat", t, 8, true, &a, &b));
	T_EQ_INT(a, 0);
	T_ASSERT(find("cat", t, 19, true, &a, &b));
	T_EQ_INT(a, 16);
	T_ASSERT(!find("cat", t, 17, false, &a, &b));
	T_ASSERT(find("CAT", "a CAT", 0, false, &a, &b));
	T_ASSERT(find("CAT", "a CAT", 5, true, &a, &b));
	T_EQ_INT(a, 2);
	/* lo and hi limit the search. */
	struct search *q = search_new("dog");
	T_ASSERT(!search_find(q, t, 0, 6, 0, false, &a, &b, NULL, NULL));
	T_ASSERT(search_find(q, t, 0, 7, 0, false, &a, &b, NULL, NULL));
	search_free(q);
}

static void test_bad_patterns_and_bytes(void)
{
	size_t a, b;
	T_ASSERT(search_new("") == NULL);
	T_ASSERT(search_new("\xff") == NULL);
	/* Ill-formed bytes in the document never match, and do not stop the search. */
	T_ASSERT(find("ab", "\xff\xfe" "ab", 0, false, &a, &b));
	T_EQ_INT(a, 2);
	T_ASSERT(find("x", "\xc3x", 0, false, &a, &b));
	T_EQ_INT(a, 1);
	/* An exact pattern matches on code point boundaries only. */
	T_ASSERT(!find("\xa9", "\xc3\xa9", 0, false, &a, &b)); /* refused as a pattern anyway */
}

static bool cancel_now(void *arg)
{
	(*(int *)arg)++;
	return true;
}

static void test_big_buffer_seams_and_cancel(void)
{
	size_t n = 10u << 20, a, b;
	char *s = malloc(n);
	T_ASSERT(s);
	memset(s, 'x', n);
	/* A pattern with a blank, found through memmem on "Foo", at the 4 MiB seam. */
	struct search *phrase = search_new("Foo bar");
	for (size_t at = (4u << 20) - 10; at < (4u << 20) + 4; at++) {
		memset(s + (4u << 20) - 20, 'x', 40);
		memcpy(s + at, "Foo \n  bar", 10);
		T_ASSERT(search_find(phrase, s, 0, n, 0, false, &a, &b, NULL, NULL));
		T_EQ_INT(a, at);
		T_EQ_INT(b, at + 10);
	}
	memset(s + (4u << 20) - 20, 'x', 40);
	search_free(phrase);
	/* Straddle the 4 MiB and 8 MiB steps in which the search looks at the text. */
	memcpy(s + (4u << 20) - 3, "NEEDLE", 6);
	memcpy(s + (8u << 20) - 2, "needle", 6);
	struct search *exact = search_new("NEEDLE"), *folded = search_new("needle");
	T_ASSERT(search_find(exact, s, 0, n, 0, false, &a, &b, NULL, NULL));
	T_EQ_INT(a, (4u << 20) - 3);
	T_ASSERT(search_find(folded, s, 0, n, a + 1, false, &a, &b, NULL, NULL));
	T_EQ_INT(a, (8u << 20) - 2);
	T_ASSERT(search_find(folded, s, 0, n, n, true, &a, &b, NULL, NULL));
	T_EQ_INT(a, (8u << 20) - 2);
	int calls = 0;
	T_ASSERT(!search_find(exact, s, 0, n, 0, false, &a, &b, cancel_now, &calls));
	T_ASSERT(calls == 1);
	search_free(exact);
	search_free(folded);
	free(s);
}

/* Blanks in a pattern match any run of white space, line ends and no-break
 * spaces included: a phrase is found across the line ends of wrapped text. */
static void test_blanks_match_white_space(void)
{
	size_t a, b;
	const char *t = "the ministry had approved the\nplan in March;  Approved\r\n\tthe\xc2\xa0plan";

	T_ASSERT(find("approved the plan", t, 0, false, &a, &b));
	T_EQ_INT(a, 17);
	T_EQ_INT(b, 34); /* across the line end */
	T_ASSERT(find("approved the plan", t, 18, false, &a, &b));
	T_EQ_INT(a, 46); /* CRLF and a tab, then a no-break space */
	T_EQ_INT(b, (long long)strlen(t));
	T_ASSERT(find("Approved   the plan", t, 0, false, &a, &b)); /* exact: through memmem */
	T_EQ_INT(a, 46);
	T_ASSERT(find("approved the plan", t, strlen(t), true, &a, &b));
	T_EQ_INT(a, 46);
	T_ASSERT(find("march; approved", t, 0, false, &a, &b)); /* two blanks in the text */
	T_EQ_INT(b, 54);
	/* a blank needs white space, and takes all of it */
	T_ASSERT(!find("theplan", t, 0, false, &a, &b));
	T_ASSERT(find("March; ", t, 0, false, &a, &b));
	T_EQ_INT(b, 46);
	/* one opening with a blank starts where the white space does: n does
	 * not stop at each blank of one run */
	T_ASSERT(find(" Approved", t, 0, false, &a, &b));
	T_EQ_INT(a, 44);
	T_ASSERT(!find(" Approved", t, 45, false, &a, &b));
	T_ASSERT(find(" Approved", t, strlen(t), true, &a, &b));
	T_EQ_INT(a, 44);
	/* a range's end stops the white space */
	struct search *q = search_new("March; ");
	T_ASSERT(search_find(q, t, 0, 45, 0, false, &a, &b, NULL, NULL));
	T_EQ_INT(b, 45);
	search_free(q);
	/* starts limited apart from ends: a match starting before until that
	 * white space takes past it */
	q = search_new("approved the plan");
	T_ASSERT(search_find_starting(q, t, 0, strlen(t), 0, 18, &a, &b, NULL, NULL));
	T_EQ_INT(a, 17);
	T_EQ_INT(b, 34);
	T_ASSERT(!search_find_starting(q, t, 0, strlen(t), 18, 46, &a, &b, NULL, NULL));
	T_ASSERT(search_find_starting(q, t, 0, strlen(t), 18, 47, &a, &b, NULL, NULL));
	T_EQ_INT(b, (long long)strlen(t));
	search_free(q);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	T_RUN(test_smartcase);
	T_RUN(test_unicode_folding);
	T_RUN(test_canonical_equivalence);
	T_RUN(test_directions_and_bounds);
	T_RUN(test_bad_patterns_and_bytes);
	T_RUN(test_big_buffer_seams_and_cancel);
	T_RUN(test_blanks_match_white_space);
	T_DONE();
}
