/*
 * spans: an interval index over the annotations of one document, so that
 * drawing a screen, finding the annotation under the cursor and moving with
 * `]` and `[` cost what the answer holds, not what the document holds.
 *
 * An index is built once from a list of items and is then read-only; when
 * the annotations change the caller builds a new one (a few hundred per
 * document are typical, a million is the heavy case; building sorts them).
 *
 * Items are half-open byte ranges [start, end).  An empty item
 * (start == end) contains no position and is never "under" the cursor, but
 * it is listed in the order like any other, so `]` and `[` reach it.
 *
 * The order, used by every index below: start ascending, then end
 * descending (an item comes before the items nested in it that share its
 * start), then id ascending, then tag ascending.
 *
 * Costs: n items, k the number of items an answer holds.  A query walks an
 * implicit balanced tree laid over the sorted array, each node holding the
 * greatest end in its subtree, and stops at every subtree that cannot hold
 * an answer.  Items found next to one another in the order (those starting
 * inside the range asked for always are) cost O(1) each; an item starting
 * far before the range and reaching into it costs at most O(log n).  So
 * O(log n + k) on a screen's worth of annotations, O(log n + k log(n/k)) at
 * worst; never a scan.
 */
#ifndef GLOSS_SPANS_H
#define GLOSS_SPANS_H

#include <stddef.h>
#include <stdint.h>

struct spans_item {
	size_t start, end; /* bytes [start, end); start <= end */
	int64_t id;        /* the caller's key (the store's row id) */
	int tag;           /* the caller's, carried along untouched */
};

struct spans;

/*
 * Build an index over a copy of items[0..n) (items may be NULL when n is 0).
 * An item with end < start is taken as empty at start.  The caller owns the
 * result and releases it with spans_free(); items stays the caller's.
 * O(n log n); never NULL (allocation failure aborts).
 */
struct spans *spans_new(const struct spans_item *items, size_t n);
void spans_free(struct spans *s); /* s may be NULL */

size_t spans_count(const struct spans *s);

/* The i-th item in the order; owned by s.  NULL when i >= spans_count(s). */
const struct spans_item *spans_at(const struct spans *s, size_t i);

/*
 * The items with start < b && end > a, for a < b: those that share a byte
 * with [a, b), plus the empty ones strictly inside it (a < start < b), so
 * that a screen showing [a, b) can mark them.  For a == b: the items
 * containing a (start <= a < end).  Writes the indexes of the first
 * min(max, total) of them, in the order, to out (which may be NULL when max
 * is 0), and returns the total, which may exceed max.
 */
size_t spans_overlapping(const struct spans *s, size_t a, size_t b, size_t *out, size_t max);

/* How many items contain pos (start <= pos < end): for drawing overlaps. */
size_t spans_depth(const struct spans *s, size_t pos);

/*
 * "The annotation under the cursor": the index of the shortest item
 * containing pos; among equally short ones the one starting later, then the
 * first in the order.  -1 when no item contains pos.
 */
long spans_innermost(const struct spans *s, size_t pos);

/*
 * `]` and `[`.  current is the index that the last `]` or `[` reached, while
 * the cursor still stands at that item's start; otherwise (no such item, or
 * the cursor moved since) the caller passes -1 and the cursor's position pos.
 *
 *   spans_next: current >= 0: current + 1; current == -1: the first item
 *               whose start > pos.
 *   spans_prev: current >= 0: current - 1; current == -1: the last item
 *               whose start < pos.
 *
 * Each returns -1 past either end (and for a current that is neither -1 nor
 * a valid index).  Walking with current alone visits every item exactly
 * once in the order (spans_next) or in reverse (spans_prev): several items
 * starting at one byte, nested ones and empty ones included.  O(log n).
 */
long spans_next(const struct spans *s, size_t pos, long current);
long spans_prev(const struct spans *s, size_t pos, long current);

/*
 * The index of the item equal to (start, end, id), to find an annotation
 * again in a rebuilt index; -1 when there is none.  O(log n).
 */
long spans_find(const struct spans *s, size_t start, size_t end, int64_t id);

#endif
