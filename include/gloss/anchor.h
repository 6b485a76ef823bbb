/*
 * anchor: what an annotation keeps of its text so that it can be found
 * again: the exact quote and up to ANCHOR_CONTEXT code points of text
 * before and after it.  (Re-anchoring a changed text will live here too.)
 */
#ifndef GLOSS_ANCHOR_H
#define GLOSS_ANCHOR_H

#include <stddef.h>

#define ANCHOR_CONTEXT 32

struct anchor {
	char *quote;  /* the bytes [start, end), NUL-terminated */
	char *prefix; /* up to ANCHOR_CONTEXT code points before start */
	char *suffix; /* up to ANCHOR_CONTEXT code points after end */
	/* Their lengths in bytes: a document may hold NUL bytes, so the
	 * terminating NUL need not be the first. */
	size_t quote_len, prefix_len, suffix_len;
};

/*
 * Fill a for the span [start, end) of s[0..n) (clamped into it).  Context
 * stops at the document's edges; an ill-formed byte counts as one code
 * point, so context never starts or ends inside a sequence.  The strings
 * are owned by a; release them with anchor_release.
 */
void anchor_make(const char *s, size_t n, size_t start, size_t end, struct anchor *a);
void anchor_release(struct anchor *a);

#endif
