/*
 * anchor: what an annotation keeps of its text so that it can be found
 * again: the exact quote and up to ANCHOR_CONTEXT code points of text
 * before and after it; and re-anchoring: finding it in a changed text.
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
 * The map is a diff of the two texts: units (lines, cut after sentence
 * ends) compared whole; a unit whose text (spaces around it aside) occurs
 * once in each text and moved is paired by identity; then the words of
 * each changed stretch.  A run of units none of which occurs once in each
 * text is not trusted to pair the right copies of a repeated sentence,
 * and goes to the word level.  Stages, the first that succeeds wins:
 *
 * ANCHOR_EXACT  new[start, end) is the quote (bytes, on code point
 *               boundaries).  When the old text is known and the diff
 *               moves the whole quote, unchanged, elsewhere, the diff's
 *               place is taken instead, as ANCHOR_DIFF: the same bytes at
 *               the same offsets can be another copy.
 * ANCHOR_DIFF   each end of the span in unchanged text maps through it; an
 *               end inside a changed stretch between two unchanged ones
 *               maps to that stretch's new edge, but not past the edge of
 *               the sentence that holds the quote's unchanged text there
 *               when the old quote kept within that sentence (a line or a
 *               sentence added beside an edited first or last word is not
 *               taken; an end on punctuation alone just after a changed
 *               stretch counts as one inside it).  The mapped span is kept
 *               when the quote's bytes found unchanged inside it are more
 *               than half of the longer of quote and new span (two thirds
 *               when one end was in a changed stretch, three quarters when
 *               both were), and so are more than half of its words.  So a
 *               word changed inside a quote places it, the new quote being
 *               the new slice.  Needs old[start, end) == quote.
 * ANCHOR_FUZZY  an approximate search of the quote (bit-parallel edit
 *               distance over bytes), each candidate's edges then moved to
 *               nearby word edges when quote and context together need
 *               fewer edits there.  Candidates are scored by code points:
 *               0.9 * similarity + 0.1 * nearness to the old place (mapped
 *               through the diff), where similarity weighs the quote's by
 *               quote / (quote + 32 bytes) against that of the text around
 *               it to prefix and suffix (the better side counting twice):
 *               a short quote is found by chance, so its context must
 *               agree.  A candidate must hold more than half of the
 *               quote's words, in order, and (old text known) must not be
 *               text the diff gives to other old text.  Accepted when the
 *               best has a quote similarity of at least 0.5, a score of at
 *               least 0.6, and beats every candidate elsewhere by at least
 *               0.05: copies that neither context nor position tells apart
 *               give an orphan.
 * ANCHOR_ORPHAN otherwise; start = end = 0.
 *
 * Last, with the old text known, a placement is refused when another copy
 * of the quote in the old text has surroundings more like those of the
 * placed span than the annotation's own (clearly more, for a diff placement
 * with 16 bytes or more of unchanged text beside it; as much, for a search's
 * or a copy right beside the quote): the span is that copy's text.  A diff
 * placement through units found once in each text is not doubted.
 *
 * Placed offsets lie in the new text, start <= end, on code point
 * boundaries (an ill-formed byte counts as one code point, as in util.h);
 * a placed span that moved does not end before a combining mark.
 *
 * Limits (each bounds time or memory; past one, that part of the texts is
 * left unmatched by the diff and its annotations go to the fuzzy stage):
 */
#define ANCHOR_UNIT_MAX 4096          /* bytes of a diff unit (line or sentence) */
#define ANCHOR_MYERS_N 8192           /* units or words of a range Myers' diff takes */
#define ANCHOR_MYERS_D 256            /* edit distance (units or words) it explores */
#define ANCHOR_DIFF_WORK 64           /* diff steps in all, per unit or word compared */
#define ANCHOR_HUNK_MAX (1 << 20)     /* bytes a side of a changed stretch refined by words */
#define ANCHOR_SCAN_ALL (1 << 20)     /* a new text up to this is searched whole ... */
#define ANCHOR_SCAN_WINDOW (256 << 10) /* ... else this either side of the old place,
				       * and exact copies of the quote anywhere */
#define ANCHOR_COPIES 256             /* copies of a quote looked at, per search */
#define ANCHOR_FUZZY_MAX 8192         /* a longer quote is only searched exactly */
/*
 * So building a map costs O(n) time and memory plus a bounded diff.
 * Placing one annotation costs O(log n + quote) for the first two stages
 * and O(min(n, 2 * ANCHOR_SCAN_WINDOW) * (quote / 64 + 1)) for the fuzzy
 * one, plus, with the old text known, a search of as much old text for
 * copies of the quote.  Texts of 4 GiB or more are compared by common
 * prefix and suffix only.
 */

/* What an annotation kept of the old version of its text.  Strings are
 * borrowed, with lengths (they may hold NUL bytes).  start = end =
 * SIZE_MAX says the old place is unknown (no old text to say where the
 * offsets were): nearness then counts for nothing, and a new text over
 * ANCHOR_SCAN_ALL is searched for exact copies only.  Offsets that are
 * not where the quote was in the old text only skip the diff stage. */
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
