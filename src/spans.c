/*
 * spans.c: the interval index of one document's annotations.
 *
 * The items are sorted once; the sorted array is itself the tree.  Index x
 * is a node of level k, where k is the number of trailing one bits of x:
 * leaves are the even indexes, node x of level k > 0 has children x - 2^(k-1)
 * and x + 2^(k-1), and its subtree is the in-order run
 * [x - (2^k - 1), x + (2^k - 1)].  The root is 2^K - 1 for the least K whose
 * full tree (2^(K+1) - 1 nodes) covers n.  Indexes at or past n are
 * imaginary nodes: they hold no item and no stored maximum, but their left
 * subtrees may hold real items, so a walk goes through them.  mx[x] is the
 * greatest end in the real part of x's subtree; a walk for "end > a" skips
 * every subtree whose mx is not above a.
 *
 * All queries restrict themselves to a prefix [0, p) of the order (the items
 * starting before some byte, found by binary search) and ask for end > a.
 */
#include <assert.h>
#include <stdlib.h>

#include "gloss/spans.h"
#include "gloss/util.h"

struct spans {
	size_t n;
	struct spans_item *item; /* sorted in the order of spans.h */
	size_t *mx;              /* mx[x]: greatest end in x's subtree */
	size_t root;
	unsigned height;         /* the root's level, K */
};

static int spans_cmp_items(const struct spans_item *p, const struct spans_item *q)
{
	if (p->start != q->start)
		return p->start < q->start ? -1 : 1;
	if (p->end != q->end)
		return p->end > q->end ? -1 : 1; /* longer first */
	if (p->id != q->id)
		return p->id < q->id ? -1 : 1;
	if (p->tag != q->tag)
		return p->tag < q->tag ? -1 : 1;
	return 0;
}

static int spans_cmp(const void *a, const void *b)
{
	return spans_cmp_items(a, b);
}

/* The greatest end below node y of level k, which may be imaginary. */
static size_t spans_sub_max(const struct spans *s, size_t y, unsigned k)
{
	/* An imaginary node's right subtree is imaginary too: only its left can hold items. */
	while (y >= s->n) {
		if (k == 0)
			return 0;
		y -= (size_t)1 << (k - 1);
		k--;
	}
	return s->mx[y];
}

struct spans *spans_new(const struct spans_item *items, size_t n)
{
	struct spans *s = util_calloc(1, sizeof *s);
	size_t i, x, half;
	unsigned k;

	s->n = n;
	if (n == 0)
		return s;
	s->item = util_malloc(n * sizeof *s->item);
	for (i = 0; i < n; i++) {
		s->item[i] = items[i];
		if (s->item[i].end < s->item[i].start)
			s->item[i].end = s->item[i].start;
	}
	qsort(s->item, n, sizeof *s->item, spans_cmp);

	while ((((size_t)2 << s->height) - 1) < n)
		s->height++;
	s->root = ((size_t)1 << s->height) - 1;

	/* Bottom up, a level at a time, so that both children are done first. */
	s->mx = util_malloc(n * sizeof *s->mx);
	for (k = 0; k <= s->height; k++) {
		half = k ? (size_t)1 << (k - 1) : 0;
		for (x = ((size_t)1 << k) - 1; x < n; x += (size_t)2 << k) {
			size_t m = s->item[x].end, c;

			if (k) {
				c = s->mx[x - half];
				m = c > m ? c : m;
				c = spans_sub_max(s, x + half, k - 1);
				m = c > m ? c : m;
			}
			s->mx[x] = m;
		}
	}
	return s;
}

void spans_free(struct spans *s)
{
	if (!s)
		return;
	free(s->item);
	free(s->mx);
	free(s);
}

size_t spans_count(const struct spans *s)
{
	return s->n;
}

const struct spans_item *spans_at(const struct spans *s, size_t i)
{
	return i < s->n ? &s->item[i] : NULL;
}

/* The first index whose start is > v (strict) or >= v (!strict); n when none. */
static size_t spans_bound(const struct spans *s, size_t v, int strict)
{
	size_t lo = 0, hi = s->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strict ? s->item[mid].start <= v : s->item[mid].start < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- the walk ---- */

enum spans_mode { SPANS_LIST, SPANS_COUNT, SPANS_INNERMOST };

struct spans_walk {
	const struct spans *s;
	enum spans_mode mode;
	size_t p;     /* only indexes < p */
	size_t a;     /* only items with end > a */
	size_t *out;
	size_t max;
	size_t total;
	long best;    /* SPANS_INNERMOST */
};

static void spans_found(struct spans_walk *w, size_t x)
{
	const struct spans_item *it = &w->s->item[x], *b;

	if (w->mode == SPANS_LIST && w->total < w->max)
		w->out[w->total] = x;
	w->total++;
	if (w->mode != SPANS_INNERMOST)
		return;
	if (w->best < 0) {
		w->best = (long)x;
		return;
	}
	b = &w->s->item[w->best];
	/* Visited in the order, so on a full tie the first one stays. */
	if (it->end - it->start < b->end - b->start ||
	    (it->end - it->start == b->end - b->start && it->start > b->start))
		w->best = (long)x;
}

/* In-order walk of node x of level k: visits answers in the order. */
static void spans_visit(struct spans_walk *w, size_t x, unsigned k)
{
	const struct spans *s = w->s;
	size_t half = k ? (size_t)1 << (k - 1) : 0;
	size_t lo = x - (((size_t)1 << k) - 1);

	if (lo >= w->p)
		return;
	if (x < s->n && s->mx[x] <= w->a)
		return;
	if (k)
		spans_visit(w, x - half, k - 1);
	if (x < w->p && s->item[x].end > w->a)
		spans_found(w, x);
	if (k && x + 1 < w->p)
		spans_visit(w, x + half, k - 1);
}

static void spans_walk(struct spans_walk *w)
{
	if (w->s->n && w->p)
		spans_visit(w, w->s->root, w->s->height);
}

size_t spans_overlapping(const struct spans *s, size_t a, size_t b, size_t *out, size_t max)
{
	struct spans_walk w = { s, SPANS_LIST, 0, a, out, out ? max : 0, 0, -1 };

	if (b < a)
		return 0;
	/* start < b, or start <= a for a point: end > a does the rest. */
	w.p = a == b ? spans_bound(s, a, 1) : spans_bound(s, b, 0);
	spans_walk(&w);
	return w.total;
}

size_t spans_depth(const struct spans *s, size_t pos)
{
	struct spans_walk w = { s, SPANS_COUNT, 0, pos, NULL, 0, 0, -1 };

	w.p = spans_bound(s, pos, 1);
	spans_walk(&w);
	return w.total;
}

long spans_innermost(const struct spans *s, size_t pos)
{
	struct spans_walk w = { s, SPANS_INNERMOST, 0, pos, NULL, 0, 0, -1 };

	w.p = spans_bound(s, pos, 1);
	spans_walk(&w);
	return w.best;
}

long spans_next(const struct spans *s, size_t pos, long current)
{
	size_t i;

	if (current >= 0)
		return (size_t)current + 1 < s->n ? current + 1 : -1;
	if (current != -1)
		return -1;
	i = spans_bound(s, pos, 1);
	return i < s->n ? (long)i : -1;
}

long spans_prev(const struct spans *s, size_t pos, long current)
{
	size_t i;

	if (current >= 0)
		return (size_t)current < s->n ? current - 1 : -1;
	if (current != -1)
		return -1;
	i = spans_bound(s, pos, 0);
	return i > 0 ? (long)i - 1 : -1;
}

long spans_find(const struct spans *s, size_t start, size_t end, int64_t id)
{
	struct spans_item key = { start, end, id, 0 };
	size_t lo = 0, hi = s->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		key.tag = s->item[mid].tag; /* the tag does not count */
		if (spans_cmp_items(&s->item[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->n && s->item[lo].start == start && s->item[lo].end == end && s->item[lo].id == id)
		return (long)lo;
	return -1;
}
