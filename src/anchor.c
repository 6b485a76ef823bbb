/*
 * anchor.c: the quote and its context, counted in code points.
 */
#include <stdlib.h>
#include <string.h>

#include "gloss/anchor.h"
#include "gloss/util.h"

static char *anchor_copy(const char *s, size_t a, size_t b)
{
	char *r = util_malloc(b - a + 1);
	if (b > a)
		memcpy(r, s + a, b - a);
	r[b - a] = '\0';
	return r;
}

void anchor_make(const char *s, size_t n, size_t start, size_t end, struct anchor *a)
{
	size_t p, q, k;
	uint32_t cp;
	int valid;

	if (end > n)
		end = n;
	if (start > end)
		start = end;
	p = start;
	for (k = 0; k < ANCHOR_CONTEXT && p > 0; k++)
		p = util_utf8_back(s, p - 1);
	q = end;
	for (k = 0; k < ANCHOR_CONTEXT && q < n; k++)
		q += (size_t)util_utf8_decode(s + q, n - q, &cp, &valid);
	a->quote = anchor_copy(s, start, end);
	a->prefix = anchor_copy(s, p, start);
	a->suffix = anchor_copy(s, end, q);
	a->quote_len = end - start;
	a->prefix_len = start - p;
	a->suffix_len = q - end;
}

void anchor_release(struct anchor *a)
{
	free(a->quote);
	free(a->prefix);
	free(a->suffix);
	a->quote = a->prefix = a->suffix = NULL;
	a->quote_len = a->prefix_len = a->suffix_len = 0;
}
