/* Unit tests for anchor: quote and context in code points. */
#include <string.h>

#include "gloss/anchor.h"
#include "t.h"

static void test_context_in_code_points(void)
{
	/* 40 two-byte letters, a quote, 40 more. */
	char s[512] = "";
	struct anchor a;
	for (int i = 0; i < 40; i++)
		strcat(s, "\xc3\xa9");
	size_t start = strlen(s);
	strcat(s, "the claim");
	size_t end = strlen(s);
	for (int i = 0; i < 40; i++)
		strcat(s, "\xe2\x80\x9c");
	anchor_make(s, strlen(s), start, end, &a);
	T_EQ_STR(a.quote, "the claim");
	T_EQ_INT(strlen(a.prefix), 64); /* 32 code points of 2 bytes */
	T_EQ_INT(strlen(a.suffix), 96); /* 32 of 3 bytes */
	anchor_release(&a);
	T_ASSERT(a.quote == NULL);
}

static void test_edges_and_bad_bytes(void)
{
	struct anchor a;
	anchor_make("abc", 3, 0, 3, &a);
	T_EQ_STR(a.prefix, "");
	T_EQ_STR(a.suffix, "");
	T_EQ_STR(a.quote, "abc");
	anchor_release(&a);
	anchor_make("ab\xff\xfe" "cd", 6, 4, 5, &a);
	T_EQ_STR(a.prefix, "ab\xff\xfe");
	T_EQ_STR(a.suffix, "d");
	anchor_release(&a);
	anchor_make("xyz", 3, 5, 9, &a); /* clamped */
	T_EQ_STR(a.quote, "");
	T_EQ_STR(a.prefix, "xyz");
	anchor_release(&a);
	/* The prefix never starts inside a code point. */
	anchor_make("\xe4\xb8\xad" "a", 4, 3, 4, &a);
	T_EQ_STR(a.prefix, "\xe4\xb8\xad");
	anchor_release(&a);
}

int main(void)
{
	T_RUN(test_context_in_code_points);
	T_RUN(test_edges_and_bad_bytes);
	T_DONE();
}
