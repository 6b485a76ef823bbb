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

/*
 * Re-anchoring.  A document the store knows (the old text) has changed (the
 * new text): each annotation on the old version is placed in the new one,
 * or declared an orphan.  Nothing is ever placed on text that is not what
 * the annotation was on; when in doubt, the answer is ANCHOR_ORPHAN.
 *
 * Stages, the first that succeeds wins:
 *
 * ANCHOR_EXACT  new[start, end) is the quote.  (When the old text is known
 *               and the diff moves the whole quote, unchanged, somewhere
 *               else, the diff's place is taken instead, as ANCHOR_DIFF:
 *               the same bytes at the same offsets can be another copy.)
 * ANCHOR_DIFF   through a diff of the old text against the new one (lines
 *               and sentences first, then words inside changed hunks, with
 *               moved sentences found): each end of the span that lies in
 *               unchanged text maps to its new offset; an end inside a
 *               changed stretch between two unchanged ones maps to that
 *               stretch's new edge.  The mapped span is accepted when the
 *               quote's bytes kept in it, unchanged and inside it, are at
 *               least 60% of the longer of quote and new span (67% when
 *               one end was in a changed stretch, 75% when both were), and
 *               no other copy of that span in the new text is left
 *               unexplained by the diff (else the diff's pick would be a
 *               guess, and the fuzzy stage decides).  So a word changed
 *               inside a quote places it, the new quote being the new
 *               slice.  Needs old[start, end) == quote.
 * ANCHOR_FUZZY  an approximate search of the quote (bit-parallel edit
 *               distance), each candidate scored on quote similarity
 *               (0.6), similarity of the text before and after it to the
 *               prefix and suffix (0.3), and nearness to the old place
 *               mapped through the diff (0.1).  Accepted when the best
 *               quote similarity is at least 0.6, its score at least 0.65,
 *               and it beats the best candidate elsewhere by at least
 *               0.05; so two copies that neither context nor position
 *               tells apart give an orphan.  When the old text is known, a
 *               candidate that the diff shows to be the new place of other
 *               old text (another copy of a repeated sentence) is refused.
 * ANCHOR_ORPHAN otherwise; start = end = 0.
 *
 * Placed offsets lie in the new text, start <= end, on code point
 * boundaries (an ill-formed byte counts as one code point, as in util.h).
 *
 * Limits (each bounds time or memory; past one, that part of the texts is
 * left unmatched by the diff and its annotations go to the fuzzy stage):
 */
#define ANCHOR_UNIT_MAX 4096          /* bytes of a diff unit (line or sentence) */
#define ANCHOR_MYERS_N 8192           /* units or words of a range Myers' diff takes */
#define ANCHOR_MYERS_D 256            /* edit distance (units or words) it explores */
#define ANCHOR_DIFF_WORK 64           /* diff steps in all, per unit of both texts */
#define ANCHOR_HUNK_MAX (1 << 20)     /* bytes a side of a changed hunk refined by words */
#define ANCHOR_SCAN_ALL (1 << 20)     /* a new text up to this is searched whole ... */
#define ANCHOR_SCAN_WINDOW (256 << 10) /* ... else this either side of the old place,
				       * and exact copies of the quote anywhere */
#define ANCHOR_FUZZY_MAX 8192         /* a longer quote is only searched exactly */
/*
 * So building a map costs O(n) time and memory plus a bounded diff, and
 * placing one annotation O(log n) for the first two stages and
 * O(min(n, 2 * ANCHOR_SCAN_WINDOW) * (quote / 64 + 1)) for the fuzzy one.
 * Texts of 4 GiB or more are compared by common prefix and suffix only.
 */

/* What an annotation kept of the old version of its text.  Strings are
 * borrowed, with lengths (they may hold NUL bytes). */
struct anchor_old {
	size_t start, end;                     /* byte offsets in the old text */
	const char *quote;  size_t quote_len;
	const char *prefix; size_t prefix_len; /* up to ANCHOR_CONTEXT code points */
	const char *suffix; size_t suffix_len;
};

enum anchor_how { ANCHOR_ORPHAN, ANCHOR_EXACT, ANCHOR_DIFF, ANCHOR_FUZZY };

struct anchor_place {
	enum anchor_how how;
	size_t start, end; /* bytes in the new text; 0, 0 for an orphan */
};

/* The comparison of one old text with one new text. */
struct anchor_map;

/*
 * Compare old[0..oldn) with new_[0..newn).  old may be NULL (the old text
 * is unknown: an annotation imported before its document was seen); then
 * only the exact and fuzzy stages run.  The map borrows both texts: they
 * must stay unchanged until anchor_map_free.  Never returns NULL.
 */
struct anchor_map *anchor_map_new(const char *old, size_t oldn, const char *new_, size_t newn);
void anchor_map_free(struct anchor_map *m);

/*
 * Where a goes in the new text.  m is not changed: one map serves any
 * number of annotations, and threads may share it.
 */
struct anchor_place anchor_place(const struct anchor_map *m, const struct anchor_old *a);

#endif
