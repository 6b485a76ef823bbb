/*
 * anchor.c: the quote and its context, counted in code points; re-anchoring.
 */
#include <stdlib.h>
#include <string.h>

#include "gloss/anchor.h"
#include "gloss/seg.h"
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

/* ------------------------------------------------------------------------
 * Re-anchoring.  The map is a list of segments: byte ranges of the old text
 * found unchanged in the new one, disjoint in both, each marked sure or
 * not.  They come from a diff in two levels: units (lines, cut after
 * sentence ends and at most ANCHOR_UNIT_MAX bytes long) compared whole,
 * then the words of each changed hunk.  Both levels use one sequence diff
 * (Myers' O(ND) for small ranges, patience anchors on unique elements to
 * cut big ones) under a work budget.  Unit matches anchored by a unit that
 * occurs once in each text are sure; so are units moved elsewhere, paired
 * by identity; their changed neighbours are then paired word by word.
 * Placing maps offsets through the segments (stage 2) or searches with
 * Myers' bit-vector edit distance (stage 3), and doubts what repeated text
 * may have confused.
 */

/* p is a code point boundary of s[0..n), as util.h counts them. */
static int anchor_boundary(const char *s, size_t n, size_t p)
{
	return p == 0 || p == n || (p < n && util_utf8_back(s, p) == p);
}

/* ---------------------------------------------------------------- interning */

/* Equal byte strings get equal ids, so sequences compare as integers. */
struct anchor_intern {
	uint32_t *slot; /* id + 1, or 0 when empty */
	size_t mask;
	uint64_t *hash;
	const char **ptr;
	uint32_t *len;
	size_t n, cap;
};

static uint64_t anchor_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3u;
	return h ^ (h >> 29);
}

static void anchor_intern_grow(struct anchor_intern *t)
{
	size_t size = t->mask ? 2 * (t->mask + 1) : 1024;

	free(t->slot);
	t->slot = util_calloc(size, sizeof *t->slot);
	t->mask = size - 1;
	for (size_t id = 0; id < t->n; id++) {
		size_t i = t->hash[id] & t->mask;
		while (t->slot[i])
			i = (i + 1) & t->mask;
		t->slot[i] = (uint32_t)id + 1;
	}
}

static uint32_t anchor_intern(struct anchor_intern *t, const char *s, size_t n)
{
	uint64_t h = anchor_hash(s, n);
	size_t i;

	if (2 * (t->n + 1) > t->mask + 1)
		anchor_intern_grow(t);
	for (i = h & t->mask; t->slot[i]; i = (i + 1) & t->mask) {
		uint32_t id = t->slot[i] - 1;
		if (t->hash[id] == h && t->len[id] == n && memcmp(t->ptr[id], s, n) == 0)
			return id;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 1024;
		t->hash = util_realloc(t->hash, t->cap * sizeof *t->hash);
		t->ptr = util_realloc(t->ptr, t->cap * sizeof *t->ptr);
		t->len = util_realloc(t->len, t->cap * sizeof *t->len);
	}
	t->hash[t->n] = h;
	t->ptr[t->n] = s;
	t->len[t->n] = (uint32_t)n;
	t->slot[i] = (uint32_t)t->n + 1;
	return (uint32_t)t->n++;
}

/* Empty t, keeping its memory: cost in what it holds, not its size. */
static void anchor_intern_clear(struct anchor_intern *t)
{
	for (size_t id = 0; id < t->n; id++) {
		size_t i = t->hash[id] & t->mask;
		while (t->slot[i] != id + 1)
			i = (i + 1) & t->mask;
		t->slot[i] = 0;
	}
	t->n = 0;
}

static void anchor_intern_release(struct anchor_intern *t)
{
	free(t->slot);
	free(t->hash);
	free(t->ptr);
	free(t->len);
}

/* ---------------------------------------------------------------- sequences */

/* Pieces of a text (units or words): offsets, lengths and interned ids. */
struct anchor_seq {
	size_t *off;
	uint32_t *len, *id;
	size_t n, cap;
};

static void anchor_seq_push(struct anchor_seq *q, size_t off, size_t len)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? 2 * q->cap : 256;
		q->off = util_realloc(q->off, q->cap * sizeof *q->off);
		q->len = util_realloc(q->len, q->cap * sizeof *q->len);
		q->id = util_realloc(q->id, q->cap * sizeof *q->id);
	}
	q->off[q->n] = off;
	q->len[q->n] = (uint32_t)len;
	q->id[q->n] = 0;
	q->n++;
}

static void anchor_seq_release(struct anchor_seq *q)
{
	free(q->off);
	free(q->len);
	free(q->id);
}

static void anchor_seq_intern(struct anchor_seq *q, const char *s, struct anchor_intern *t)
{
	for (size_t i = 0; i < q->n; i++)
		q->id[i] = anchor_intern(t, s + q->off[i], q->len[i]);
}

/* A unit ends after a sentence end and a space: ". ", ".\" ", "?) " and so on. */
static int anchor_sentence_space(const char *s, size_t lo, size_t i)
{
	size_t k = i;

	while (k > lo && (s[k - 1] == '"' || s[k - 1] == '\'' || s[k - 1] == ')') && i - k < 3)
		k--;
	return k > lo && (s[k - 1] == '.' || s[k - 1] == '!' || s[k - 1] == '?' || s[k - 1] == ';');
}

/* The ideographic full stop and the full-width ! and ? end a unit too. */
static int anchor_cjk_stop(const unsigned char *u, size_t lo, size_t i)
{
	if (i < lo + 2)
		return 0;
	return (u[i - 2] == 0xE3 && u[i - 1] == 0x80 && u[i] == 0x82) ||
	       (u[i - 2] == 0xEF && u[i - 1] == 0xBC && (u[i] == 0x81 || u[i] == 0x9F));
}

/*
 * Cut s[lo..hi) into units.  Every cut depends only on the bytes near it,
 * so equal text is cut the same way in both versions: after a line feed, a
 * sentence end and its space, after a space ending a word whose hash says
 * so once a unit passes 1 KiB, and at a boundary at ANCHOR_UNIT_MAX.
 */
static void anchor_units(const char *s, size_t lo, size_t hi, struct anchor_seq *q)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t p = lo;

	while (p < hi) {
		size_t i, end = hi;
		uint32_t word = 0;

		for (i = p; i < hi; i++) {
			unsigned char c = u[i];
			if (c == '\n' || (c == ' ' && anchor_sentence_space(s, p, i)) ||
			    (c == ' ' && i - p >= 1024 && (word & 7) == 0)) {
				end = i + 1;
				break;
			}
			if (c >= 0x80 && anchor_cjk_stop(u, p, i)) {
				/* With the spaces after it, as ". " has. */
				for (end = i + 1; end < hi && u[end] == ' '; end++)
					;
				break;
			}
			word = c == ' ' ? 0 : word * 31 + c;
			if (i + 1 - p >= ANCHOR_UNIT_MAX && i + 1 < hi) {
				end = util_utf8_back(s, i + 1);
				if (end <= p)
					end = i + 1;
				break;
			}
		}
		anchor_seq_push(q, p, end - p);
		p = end;
	}
}

enum { ANCHOR_C_WORD, ANCHOR_C_SPACE, ANCHOR_C_ONE, ANCHOR_C_MARK };

/*
 * Word tokens: letters and digits of any script run together; spaces run
 * together; punctuation, CJK, emoji and ill-formed bytes stand alone (CJK
 * has no spaces between words); combining marks, joiners and variation
 * selectors stay with what they follow.
 */
static int anchor_class(uint32_t cp, int valid)
{
	if (!valid)
		return ANCHOR_C_ONE;
	if (cp < 0x80) {
		if ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
		    cp == '_')
			return ANCHOR_C_WORD;
		if (cp == ' ' || (cp >= 9 && cp <= 13))
			return ANCHOR_C_SPACE;
		return ANCHOR_C_ONE;
	}
	if (cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
	    cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000)
		return ANCHOR_C_SPACE;
	if ((cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
	    (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
	    (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xFE20 && cp <= 0xFE2F) || cp == 0x200D ||
	    (cp >= 0x1F3FB && cp <= 0x1F3FF) || (cp >= 0xE0000 && cp <= 0xE01EF))
		return ANCHOR_C_MARK;
	if (cp < 0xC0 || cp == 0xD7 || cp == 0xF7 || (cp >= 0x2010 && cp <= 0x2BFF) || cp >= 0x2E80)
		return ANCHOR_C_ONE;
	return ANCHOR_C_WORD;
}

static int anchor_regional(uint32_t cp)
{
	return cp >= 0x1F1E6 && cp <= 0x1F1FF;
}

/*
 * The end of the word token at s[p] (hi a boundary); *space when it is
 * spaces.  An emoji sequence joined by U+200D, and a flag (two regional
 * indicators), are one token.
 */
static size_t anchor_token(const char *s, size_t p, size_t hi, int *space)
{
	uint32_t cp, prev;
	int valid;
	size_t e = p + (size_t)util_utf8_decode(s + p, hi - p, &cp, &valid);
	int c0 = anchor_class(cp, valid), flag = anchor_regional(cp);

	if (c0 == ANCHOR_C_MARK)
		c0 = ANCHOR_C_WORD;
	prev = cp;
	while (e < hi && e - p < 4096) {
		int k = util_utf8_decode(s + e, hi - e, &cp, &valid);
		int c = anchor_class(cp, valid);
		if (c == ANCHOR_C_MARK || (c == c0 && c0 != ANCHOR_C_ONE) || (prev == 0x200D && valid) ||
		    (flag == 1 && anchor_regional(cp))) {
			e += (size_t)k;
			flag = flag == 1 ? 2 : flag;
			prev = cp;
		} else {
			break;
		}
	}
	*space = c0 == ANCHOR_C_SPACE;
	return e;
}

/* Cut s[lo..hi) (lo and hi boundaries) into word tokens. */
static void anchor_words(const char *s, size_t lo, size_t hi, struct anchor_seq *q)
{
	int space;

	for (size_t p = lo, e; p < hi; p = e) {
		e = anchor_token(s, p, hi, &space);
		anchor_seq_push(q, p, e - p);
	}
}

/* ---------------------------------------------------------------- sequence diff */

struct anchor_pair {
	uint32_t i, j;
};

struct anchor_range {
	uint32_t a0, a1, b0, b1;
};

/* The diff of two id sequences: matched index pairs, found under a budget. */
struct anchor_differ {
	const uint32_t *a, *b;
	uint32_t *cnt_a, *cnt_b, *pos_a, *pos_b; /* scratch by id, zero between uses */
	size_t nid;
	int32_t *v, *trace; /* Myers: the frontier, and each round's copy of it */
	size_t tracecap;
	uint32_t *li, *lj, *ltail, *lprev; /* patience: unique pairs and their LIS */
	size_t lcap;
	struct anchor_range *stack;
	size_t nstack, capstack;
	struct anchor_pair *pair;
	size_t npair, cappair;
	size_t work; /* steps left */
};

static void anchor_differ_init(struct anchor_differ *d, size_t work)
{
	memset(d, 0, sizeof *d);
	d->v = util_malloc((2 * ANCHOR_MYERS_D + 3) * sizeof *d->v);
	d->work = work;
}

static void anchor_differ_release(struct anchor_differ *d)
{
	free(d->cnt_a);
	free(d->cnt_b);
	free(d->pos_a);
	free(d->pos_b);
	free(d->v);
	free(d->trace);
	free(d->li);
	free(d->lj);
	free(d->ltail);
	free(d->lprev);
	free(d->stack);
	free(d->pair);
}

/* Room for ids below nid in the scratch arrays. */
static void anchor_differ_ids(struct anchor_differ *d, size_t nid)
{
	if (nid <= d->nid)
		return;
	size_t n = nid + nid / 2 + 64;
	d->cnt_a = util_realloc(d->cnt_a, n * sizeof *d->cnt_a);
	d->cnt_b = util_realloc(d->cnt_b, n * sizeof *d->cnt_b);
	d->pos_a = util_realloc(d->pos_a, n * sizeof *d->pos_a);
	d->pos_b = util_realloc(d->pos_b, n * sizeof *d->pos_b);
	memset(d->cnt_a + d->nid, 0, (n - d->nid) * sizeof *d->cnt_a);
	memset(d->cnt_b + d->nid, 0, (n - d->nid) * sizeof *d->cnt_b);
	d->nid = n;
}

static void anchor_emit(struct anchor_differ *d, uint32_t i, uint32_t j)
{
	if (d->npair == d->cappair) {
		d->cappair = d->cappair ? 2 * d->cappair : 256;
		d->pair = util_realloc(d->pair, d->cappair * sizeof *d->pair);
	}
	d->pair[d->npair].i = i;
	d->pair[d->npair].j = j;
	d->npair++;
}

static void anchor_push_range(struct anchor_differ *d, uint32_t a0, uint32_t a1, uint32_t b0, uint32_t b1)
{
	if (a0 >= a1 || b0 >= b1)
		return;
	if (d->nstack == d->capstack) {
		d->capstack = d->capstack ? 2 * d->capstack : 64;
		d->stack = util_realloc(d->stack, d->capstack * sizeof *d->stack);
	}
	d->stack[d->nstack++] = (struct anchor_range){a0, a1, b0, b1};
}

/*
 * Myers' greedy diff of a[a0..a0+n) and b[b0..b0+m): the furthest reach on
 * each diagonal, round by round, each round kept for the walk back.
 * Returns -1, having matched nothing, past ANCHOR_MYERS_D rounds or the
 * budget.
 */
static int anchor_myers(struct anchor_differ *d, uint32_t a0, int32_t n, uint32_t b0, int32_t m)
{
	const uint32_t *a = d->a + a0, *b = d->b + b0;
	int32_t *v = d->v + ANCHOR_MYERS_D + 1;
	int32_t dd, k, x, y, found = -1;

	v[1] = 0;
	for (dd = 0; dd <= ANCHOR_MYERS_D && found < 0; dd++) {
		size_t steps = (size_t)dd + 1;
		for (k = -dd; k <= dd; k += 2) {
			if (k == -dd || (k != dd && v[k - 1] < v[k + 1]))
				x = v[k + 1];
			else
				x = v[k - 1] + 1;
			y = x - k;
			while (x < n && y < m && a[x] == b[y]) {
				x++;
				y++;
				steps++;
			}
			v[k] = x;
			if (x == n && y == m) {
				found = dd;
				break;
			}
		}
		if (found < 0) {
			/* Round dd takes (dd+1)^2 entries in all; grown as rounds come. */
			size_t need = (size_t)(dd + 1) * (size_t)(dd + 1);
			if (need > d->tracecap) {
				d->tracecap = need * 2;
				d->trace = util_realloc(d->trace, d->tracecap * sizeof *d->trace);
			}
			memcpy(d->trace + (size_t)dd * (size_t)dd, v - dd, (size_t)(2 * dd + 1) * sizeof *v);
		}
		if (steps > d->work)
			return -1;
		d->work -= steps;
	}
	if (found < 0)
		return -1;
	x = n;
	y = m;
	for (dd = found; dd > 0; dd--) {
		const int32_t *prev = d->trace + (size_t)(dd - 1) * (size_t)(dd - 1) + (dd - 1);
		int32_t pk, px, mx;
		k = x - y;
		if (k == -dd || (k != dd && prev[k - 1] < prev[k + 1]))
			pk = k + 1;
		else
			pk = k - 1;
		px = prev[pk];
		mx = pk == k + 1 ? px : px + 1;
		while (x > mx) {
			x--;
			y--;
			anchor_emit(d, a0 + (uint32_t)x, b0 + (uint32_t)y);
		}
		x = px;
		y = px - pk;
	}
	while (x > 0) {
		x--;
		y--;
		anchor_emit(d, a0 + (uint32_t)x, b0 + (uint32_t)y);
	}
	return 0;
}

/*
 * Patience: the elements that occur once in each side, their longest
 * common increasing run matched, the gaps between them queued.  Returns
 * the number of anchors (0: this range stays unmatched).
 */
static size_t anchor_patience(struct anchor_differ *d, const struct anchor_range *r)
{
	const uint32_t *a = d->a, *b = d->b;
	size_t k = 0, len = 0, t;
	uint32_t i, j;

	for (i = r->a0; i < r->a1; i++) {
		d->cnt_a[a[i]]++;
		d->pos_a[a[i]] = i;
	}
	for (j = r->b0; j < r->b1; j++) {
		d->cnt_b[b[j]]++;
		d->pos_b[b[j]] = j;
	}
	if (d->lcap < (size_t)(r->a1 - r->a0)) {
		d->lcap = r->a1 - r->a0;
		d->li = util_realloc(d->li, d->lcap * sizeof *d->li);
		d->lj = util_realloc(d->lj, d->lcap * sizeof *d->lj);
		d->ltail = util_realloc(d->ltail, d->lcap * sizeof *d->ltail);
		d->lprev = util_realloc(d->lprev, d->lcap * sizeof *d->lprev);
	}
	for (i = r->a0; i < r->a1; i++) {
		if (d->cnt_a[a[i]] == 1 && d->cnt_b[a[i]] == 1) {
			d->li[k] = i;
			d->lj[k] = d->pos_b[a[i]];
			k++;
		}
	}
	for (i = r->a0; i < r->a1; i++)
		d->cnt_a[a[i]] = 0;
	for (j = r->b0; j < r->b1; j++)
		d->cnt_b[b[j]] = 0;

	/* The longest increasing run of lj, by patience sorting. */
	for (t = 0; t < k; t++) {
		size_t lo = 0, hi = len;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (d->lj[d->ltail[mid]] < d->lj[t])
				lo = mid + 1;
			else
				hi = mid;
		}
		d->lprev[t] = lo ? d->ltail[lo - 1] : UINT32_MAX;
		d->ltail[lo] = (uint32_t)t;
		if (lo == len)
			len++;
	}
	if (len == 0)
		return 0;
	/* Walk the run back: queue the gap after each anchor, then match it. */
	uint32_t na1 = r->a1, nb1 = r->b1;
	for (uint32_t at = d->ltail[len - 1]; at != UINT32_MAX; at = d->lprev[at]) {
		anchor_push_range(d, d->li[at] + 1, na1, d->lj[at] + 1, nb1);
		anchor_emit(d, d->li[at], d->lj[at]);
		na1 = d->li[at];
		nb1 = d->lj[at];
	}
	anchor_push_range(d, r->a0, na1, r->b0, nb1);
	return len;
}

/*
 * How many elements the two sides of r could match at most (the sum over
 * ids of the lesser count): the edit distance is at least the sizes less
 * twice this, so a Myers run that cannot succeed is not started.
 */
static size_t anchor_common(struct anchor_differ *d, const struct anchor_range *r)
{
	size_t common = 0;
	uint32_t i, j;

	for (i = r->a0; i < r->a1; i++)
		d->cnt_a[d->a[i]]++;
	for (j = r->b0; j < r->b1; j++) {
		if (d->cnt_a[d->b[j]]) {
			d->cnt_a[d->b[j]]--;
			common++;
		}
	}
	for (i = r->a0; i < r->a1; i++)
		d->cnt_a[d->a[i]] = 0;
	return common;
}

static int anchor_pair_cmp(const void *x, const void *y)
{
	const struct anchor_pair *p = x, *q = y;
	return (p->i > q->i) - (p->i < q->i);
}

/* Diff a[0..na) with b[0..nb) (ids below nid): d->pair gets the matches, by i. */
static void anchor_diff(struct anchor_differ *d, const uint32_t *a, size_t na, const uint32_t *b,
			size_t nb, size_t nid)
{
	d->a = a;
	d->b = b;
	d->npair = 0;
	d->nstack = 0;
	anchor_differ_ids(d, nid);
	anchor_push_range(d, 0, (uint32_t)na, 0, (uint32_t)nb);
	while (d->nstack) {
		struct anchor_range r = d->stack[--d->nstack];
		while (r.a0 < r.a1 && r.b0 < r.b1 && a[r.a0] == b[r.b0])
			anchor_emit(d, r.a0++, r.b0++);
		while (r.a0 < r.a1 && r.b0 < r.b1 && a[r.a1 - 1] == b[r.b1 - 1])
			anchor_emit(d, --r.a1, --r.b1);
		if (r.a0 == r.a1 || r.b0 == r.b1)
			continue;
		size_t size = (size_t)(r.a1 - r.a0) + (r.b1 - r.b0);
		if (size > d->work)
			continue; /* the budget is spent: this range stays changed */
		d->work -= size;
		if (size <= ANCHOR_MYERS_N && anchor_common(d, &r) * 2 + ANCHOR_MYERS_D >= size &&
		    anchor_myers(d, r.a0, (int32_t)(r.a1 - r.a0), r.b0, (int32_t)(r.b1 - r.b0)) == 0)
			continue;
		anchor_patience(d, &r);
	}
	if (d->npair > 1)
		qsort(d->pair, d->npair, sizeof *d->pair, anchor_pair_cmp);
}

/* ---------------------------------------------------------------- the map */

struct anchor_seg {
	size_t o, n, len; /* old[o, o+len) == new[n, n+len) */
	int sure;         /* from the common ends, or units found once in each
			   * text (or next to one): no other copy to mistake */
};

struct anchor_map {
	const char *old, *new_;
	size_t oldn, newn;
	struct anchor_seg *seg; /* by o; disjoint in both texts */
	struct anchor_seg *by_new; /* the same, by n */
	size_t nseg;
};

struct anchor_build {
	struct anchor_map *m;
	struct anchor_intern in;   /* units */
	struct anchor_intern win;  /* words of one refinement, emptied after it */
	struct anchor_differ df;
	struct anchor_seq ua, ub; /* units of the changed middles */
	struct anchor_seq ta, tb; /* words of the hunk being refined */
	size_t *cum_a, *cum_b;    /* their byte counts, summed */
	size_t cumcap;
	size_t cap;
};

static void anchor_add_seg(struct anchor_build *b, size_t o, size_t n, size_t len, int sure)
{
	struct anchor_map *m = b->m;
	struct anchor_seg *last = m->nseg ? &m->seg[m->nseg - 1] : NULL;

	if (!len)
		return;
	if (last && last->o + last->len == o && last->n + last->len == n && last->sure == sure) {
		last->len += len;
		return;
	}
	if (m->nseg == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 256;
		m->seg = util_realloc(m->seg, b->cap * sizeof *m->seg);
	}
	m->seg[m->nseg++] = (struct anchor_seg){o, n, len, sure};
}

struct anchor_run {
	uint32_t i, j, count;
	int alive;
};

/*
 * Word runs matched by chance between rewritten sentences ("the", a comma)
 * would carry annotations onto unrelated text: drop each run no longer
 * than the change on both of its sides, until none is (the semantic
 * cleanup of diff-match-patch).
 */
static void anchor_cleanup(struct anchor_build *b, struct anchor_run *run, size_t nrun)
{
	const size_t *ca = b->cum_a, *cb = b->cum_b;
	int changed = 1;

	for (int pass = 0; changed && pass < 64; pass++) {
		size_t prev = SIZE_MAX;
		changed = 0;
		for (size_t r = 0; r < nrun; r++) {
			if (!run[r].alive)
				continue;
			size_t next = r + 1;
			while (next < nrun && !run[next].alive)
				next++;
			size_t len = ca[run[r].i + run[r].count] - ca[run[r].i];
			size_t pa = prev == SIZE_MAX ? 0 : run[prev].i + run[prev].count;
			size_t pb = prev == SIZE_MAX ? 0 : run[prev].j + run[prev].count;
			size_t na = next < nrun ? run[next].i : b->ta.n;
			size_t nb = next < nrun ? run[next].j : b->tb.n;
			size_t before_a = ca[run[r].i] - ca[pa], before_b = cb[run[r].j] - cb[pb];
			size_t after_a = ca[na] - ca[run[r].i + run[r].count];
			size_t after_b = cb[nb] - cb[run[r].j + run[r].count];
			size_t before = before_a > before_b ? before_a : before_b;
			size_t after = after_a > after_b ? after_a : after_b;
			if (len <= before && len <= after) {
				run[r].alive = 0;
				changed = 1;
			} else {
				prev = r;
			}
		}
	}
}

/*
 * A word replaced by a close one ("road" by "roads", "cafe" by "caf\u00e9"):
 * within a small changed stretch of contiguous words, the code points
 * both sides begin and end with are unchanged text too.
 */
/* s[p] (p < hi) starts a code point of a word: a letter or a digit. */
static int anchor_word_at(const char *s, size_t p, size_t hi)
{
	uint32_t cp;
	int valid;

	if (p >= hi)
		return 0;
	util_utf8_decode(s + p, hi - p, &cp, &valid);
	return anchor_class(cp, valid) == ANCHOR_C_WORD;
}

/* p splits a word of s[lo, hi): a letter or digit on either side of it. */
static int anchor_in_word(const char *s, size_t lo, size_t p, size_t hi)
{
	return p > lo && anchor_word_at(s, util_utf8_back(s, p - 1), hi) && anchor_word_at(s, p, hi);
}

static void anchor_stretch(struct anchor_build *b, size_t a0, size_t a1, size_t b0, size_t b1)
{
	const struct anchor_map *m = b->m;
	size_t oa, ob, la, lb, pre = 0, suf = 0;
	uint32_t cp;
	int valid;

	if (a0 >= a1 || b0 >= b1)
		return;
	oa = b->ta.off[a0];
	ob = b->tb.off[b0];
	la = b->ta.off[a1 - 1] + b->ta.len[a1 - 1] - oa;
	lb = b->tb.off[b1 - 1] + b->tb.len[b1 - 1] - ob;
	if (la > 64 || lb > 64 || la != b->cum_a[a1] - b->cum_a[a0] || lb != b->cum_b[b1] - b->cum_b[b0])
		return;
	while (pre < la && pre < lb) {
		int k = util_utf8_decode(m->old + oa + pre, la - pre, &cp, &valid);
		if ((size_t)k > lb - pre || memcmp(m->old + oa + pre, m->new_ + ob + pre, (size_t)k) ||
		    !anchor_boundary(m->new_, m->newn, ob + pre + (size_t)k))
			break;
		pre += (size_t)k;
	}
	/* A whole word of one text is not the start of a word of the other
	 * ("The reports" for "They"): back to that word's start. */
	if (pre && anchor_in_word(m->old, oa, oa + pre, oa + la) != anchor_in_word(m->new_, ob, ob + pre, ob + lb))
		while (pre && anchor_word_at(m->old, util_utf8_back(m->old, oa + pre - 1), oa + la))
			pre = util_utf8_back(m->old, oa + pre - 1) - oa;
	while (suf < la - pre && suf < lb - pre) {
		size_t at = util_utf8_back(m->old, oa + la - suf - 1);
		size_t k = oa + la - suf - at;
		if (at < oa + pre || k > lb - pre - suf ||
		    memcmp(m->old + at, m->new_ + ob + lb - suf - k, k) ||
		    !anchor_boundary(m->new_, m->newn, ob + lb - suf - k))
			break;
		suf += k;
	}
	/* nor the end of one ("rise" for "surprise") */
	if (suf && anchor_in_word(m->old, oa, oa + la - suf, oa + la) !=
		       anchor_in_word(m->new_, ob, ob + lb - suf, ob + lb))
		while (suf && anchor_word_at(m->old, oa + la - suf, oa + la))
			suf -= (size_t)seg_grapheme_next(m->old + oa + la - suf, suf, 0);
	anchor_add_seg(b, oa, ob, pre, 0);
	anchor_add_seg(b, oa + la - suf, ob + lb - suf, suf, 0);
}

/*
 * Word diff of the words now in b->ta and b->tb (already cut): the matches
 * left after cleanup become segments when they cover at least share
 * percent of the longer side.  Returns the bytes matched.
 */
static size_t anchor_refine(struct anchor_build *b, unsigned share)
{
	struct anchor_map *m = b->m;
	struct anchor_differ *d = &b->df;
	size_t need = (b->ta.n > b->tb.n ? b->ta.n : b->tb.n) + 1, nrun = 0, kept = 0;
	struct anchor_run *run;

	if (!b->ta.n || !b->tb.n)
		return 0;
	anchor_intern_clear(&b->win);
	anchor_seq_intern(&b->ta, m->old, &b->win);
	anchor_seq_intern(&b->tb, m->new_, &b->win);
	if (b->cumcap < need) {
		b->cumcap = need;
		b->cum_a = util_realloc(b->cum_a, need * sizeof *b->cum_a);
		b->cum_b = util_realloc(b->cum_b, need * sizeof *b->cum_b);
	}
	b->cum_a[0] = b->cum_b[0] = 0;
	for (size_t i = 0; i < b->ta.n; i++)
		b->cum_a[i + 1] = b->cum_a[i] + b->ta.len[i];
	for (size_t j = 0; j < b->tb.n; j++)
		b->cum_b[j + 1] = b->cum_b[j] + b->tb.len[j];

	anchor_diff(d, b->ta.id, b->ta.n, b->tb.id, b->tb.n, b->win.n);
	if (!d->npair)
		return 0;
	run = util_malloc(d->npair * sizeof *run);
	for (size_t p = 0; p < d->npair; p++) {
		if (nrun && run[nrun - 1].i + run[nrun - 1].count == d->pair[p].i &&
		    run[nrun - 1].j + run[nrun - 1].count == d->pair[p].j) {
			run[nrun - 1].count++;
			continue;
		}
		run[nrun++] = (struct anchor_run){d->pair[p].i, d->pair[p].j, 1, 1};
	}
	anchor_cleanup(b, run, nrun);
	for (size_t r = 0; r < nrun; r++)
		if (run[r].alive)
			kept += b->cum_a[run[r].i + run[r].count] - b->cum_a[run[r].i];
	size_t longer = b->cum_a[b->ta.n] > b->cum_b[b->tb.n] ? b->cum_a[b->ta.n] : b->cum_b[b->tb.n];
	if (kept * 100 < (size_t)share * longer) {
		kept = 0;
	} else {
		size_t pa = 0, pb = 0;
		for (size_t r = 0; r <= nrun; r++) {
			if (r < nrun && !run[r].alive)
				continue;
			size_t na = r < nrun ? run[r].i : b->ta.n, nb = r < nrun ? run[r].j : b->tb.n;
			anchor_stretch(b, pa, na, pb, nb);
			if (r == nrun)
				break;
			for (uint32_t t = 0; t < run[r].count; t++)
				anchor_add_seg(b, b->ta.off[run[r].i + t], b->tb.off[run[r].j + t],
					       b->ta.len[run[r].i + t], 0);
			pa = run[r].i + run[r].count;
			pb = run[r].j + run[r].count;
		}
	}
	free(run);
	return kept;
}

static int anchor_blank(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* s[0..n) without spaces and line ends around it: *lead bytes in, the length. */
static size_t anchor_core(const char *s, size_t n, size_t *lead)
{
	size_t k = 0;

	while (n && anchor_blank(s[n - 1]))
		n--;
	while (k < n && anchor_blank(s[k]))
		k++;
	*lead = k;
	return n - k;
}

/*
 * Which old units occur once in each text, counted without the spaces and
 * line ends around them ("It rained. " and "It rained.\n" are copies of
 * one sentence): uniq_a[i]; and d->pos_b[id of such a text] = its new unit.
 */
static void anchor_unique(struct anchor_build *b, unsigned char *uniq_a)
{
	struct anchor_differ *d = &b->df;
	const struct anchor_seq *ua = &b->ua, *ub = &b->ub;
	uint32_t *core_a = util_malloc((ua->n + 1) * sizeof *core_a);
	uint32_t *core_b = util_malloc((ub->n + 1) * sizeof *core_b);

	size_t lead, len;

	for (size_t i = 0; i < ua->n; i++) {
		len = anchor_core(b->m->old + ua->off[i], ua->len[i], &lead);
		core_a[i] = anchor_intern(&b->in, b->m->old + ua->off[i] + lead, len);
	}
	for (size_t j = 0; j < ub->n; j++) {
		len = anchor_core(b->m->new_ + ub->off[j], ub->len[j], &lead);
		core_b[j] = anchor_intern(&b->in, b->m->new_ + ub->off[j] + lead, len);
	}
	anchor_differ_ids(d, b->in.n);
	for (size_t i = 0; i < ua->n; i++)
		d->cnt_a[core_a[i]]++;
	for (size_t j = 0; j < ub->n; j++) {
		d->cnt_b[core_b[j]]++;
		d->pos_b[core_b[j]] = (uint32_t)j;
	}
	for (size_t i = 0; i < ua->n; i++)
		uniq_a[i] = d->cnt_a[core_a[i]] == 1 && d->cnt_b[core_a[i]] == 1;
	for (size_t i = 0; i < ua->n; i++)
		d->cnt_a[core_a[i]] = 0;
	for (size_t j = 0; j < ub->n; j++)
		d->cnt_b[core_b[j]] = 0;
	free(core_a);
	free(core_b);
}

/*
 * A run of matched units none of which occurs once in each text (a
 * repeated sentence, a blank line) may pair one copy with another when
 * text moved: such runs are dropped, to be found again from their
 * neighbours (or word by word in their hunk).
 */
static void anchor_prune(struct anchor_differ *d, const unsigned char *uniq_a)
{
	size_t kept = 0;

	for (size_t p = 0, q; p < d->npair; p = q) {
		int unique = 0;
		for (q = p + 1; q < d->npair && d->pair[q].i == d->pair[q - 1].i + 1 &&
				d->pair[q].j == d->pair[q - 1].j + 1; q++)
			;
		for (size_t k = p; k < q && !unique; k++)
			unique = uniq_a[d->pair[k].i];
		for (size_t k = p; k < q && unique; k++)
			d->pair[kept++] = d->pair[k];
	}
	d->npair = kept;
}

/* A unit worth pairing across the text by identity: some letters in it. */
static int anchor_unit_movable(const char *s, size_t off, size_t len)
{
	size_t letters = 0;

	for (size_t i = 0; i < len; i++)
		letters += ((unsigned char)s[off + i] | 0x20) >= 'a' && ((unsigned char)s[off + i] | 0x20) <= 'z';
	return len >= 12 && letters >= 6;
}

enum { ANCHOR_U_FREE, ANCHOR_U_MATCHED, ANCHOR_U_MOVED, ANCHOR_U_PAIRED };

/*
 * The unit diff of old[lo..ohi) and new[lo..nhi), then moves, then words.
 * A unit pair found by position next to a move is kept only when a word
 * diff finds a third of it unchanged.
 */
static void anchor_build_middle(struct anchor_build *b, size_t lo, size_t ohi, size_t nhi)
{
	struct anchor_map *m = b->m;
	struct anchor_seq *ua = &b->ua, *ub = &b->ub;
	struct anchor_differ *d = &b->df;
	unsigned char *sa, *sb, *uniq_a;
	uint32_t *ha, *hb, *mate_a, *mate_b, *work;
	size_t nw = 0, h;

	anchor_units(m->old, lo, ohi, ua);
	anchor_units(m->new_, lo, nhi, ub);
	anchor_seq_intern(ua, m->old, &b->in);
	anchor_seq_intern(ub, m->new_, &b->in);
	d->work = ANCHOR_DIFF_WORK * (ua->n + ub->n) + (1u << 20);
	anchor_diff(d, ua->id, ua->n, ub->id, ub->n, b->in.n);
	uniq_a = util_malloc(ua->n + 1);
	anchor_unique(b, uniq_a);
	anchor_prune(d, uniq_a);

	sa = util_calloc(ua->n + 1, 1);
	sb = util_calloc(ub->n + 1, 1);
	ha = util_malloc((ua->n + 1) * sizeof *ha); /* hunk: matches before the unit */
	hb = util_malloc((ub->n + 1) * sizeof *hb);
	mate_a = util_malloc((ua->n + 1) * sizeof *mate_a);
	mate_b = util_malloc((ub->n + 1) * sizeof *mate_b);
	work = util_malloc((ua->n + 1) * sizeof *work);
	for (size_t p = 0; p < d->npair; p++) {
		sa[d->pair[p].i] = sb[d->pair[p].j] = ANCHOR_U_MATCHED;
		mate_a[d->pair[p].i] = d->pair[p].j;
		mate_b[d->pair[p].j] = d->pair[p].i;
	}
	h = 0;
	for (size_t i = 0; i < ua->n; i++) {
		ha[i] = (uint32_t)h;
		h += sa[i] == ANCHOR_U_MATCHED;
	}
	h = 0;
	for (size_t j = 0; j < ub->n; j++) {
		hb[j] = (uint32_t)h;
		h += sb[j] == ANCHOR_U_MATCHED;
	}
	for (size_t p = 0; p < d->npair; p++)
		anchor_add_seg(b, ua->off[d->pair[p].i], ub->off[d->pair[p].j], ua->len[d->pair[p].i], 1);

	/* Moves: a unit left over on both sides whose text occurs once in
	 * each (its trailing space or line end may differ). */
	for (size_t i = 0; i < ua->n; i++) {
		if (sa[i] || !uniq_a[i] || !anchor_unit_movable(m->old, ua->off[i], ua->len[i]))
			continue;
		size_t la, lb, core = anchor_core(m->old + ua->off[i], ua->len[i], &la);
		size_t j = d->pos_b[anchor_intern(&b->in, m->old + ua->off[i] + la, core)];
		if (sb[j])
			continue;
		anchor_core(m->new_ + ub->off[j], ub->len[j], &lb);
		sa[i] = sb[j] = ANCHOR_U_MOVED;
		mate_a[i] = (uint32_t)j;
		mate_b[j] = (uint32_t)i;
		work[nw++] = (uint32_t)i;
		anchor_add_seg(b, ua->off[i] + la, ub->off[j] + lb, core, 1);
	}

	/* The changed neighbours of moved units, unit against unit. */
	for (size_t w = 0; w < nw; w++) {
		for (int dir = -1; dir <= 1; dir += 2) {
			size_t i = work[w], j = mate_a[i];
			for (;;) {
				if ((dir < 0 && (i == 0 || j == 0)) ||
				    (dir > 0 && (i + 1 >= ua->n || j + 1 >= ub->n)))
					break;
				i += (size_t)dir;
				j += (size_t)dir;
				if (sa[i] || sb[j] || ha[i] == hb[j])
					break;
				b->ta.n = b->tb.n = 0;
				anchor_words(m->old, ua->off[i], ua->off[i] + ua->len[i], &b->ta);
				anchor_words(m->new_, ub->off[j], ub->off[j] + ub->len[j], &b->tb);
				d->work = 64 * (b->ta.n + b->tb.n) + 4096;
				if (!anchor_refine(b, 34))
					break;
				sa[i] = sb[j] = ANCHOR_U_PAIRED;
			}
		}
	}

	/* Each hunk's remaining units, word by word. */
	size_t i = 0, j = 0;
	while (i < ua->n || j < ub->n) {
		size_t i1 = i, j1 = j, bytes_a = 0, bytes_b = 0;
		while (i1 < ua->n && sa[i1] != ANCHOR_U_MATCHED)
			i1++;
		while (j1 < ub->n && sb[j1] != ANCHOR_U_MATCHED)
			j1++;
		b->ta.n = b->tb.n = 0;
		for (size_t x = i; x < i1; x++)
			bytes_a += sa[x] ? 0 : ua->len[x];
		for (size_t y = j; y < j1; y++)
			bytes_b += sb[y] ? 0 : ub->len[y];
		if (bytes_a && bytes_b && bytes_a <= ANCHOR_HUNK_MAX && bytes_b <= ANCHOR_HUNK_MAX) {
			for (size_t x = i; x < i1; x++)
				if (!sa[x])
					anchor_words(m->old, ua->off[x], ua->off[x] + ua->len[x], &b->ta);
			for (size_t y = j; y < j1; y++)
				if (!sb[y])
					anchor_words(m->new_, ub->off[y], ub->off[y] + ub->len[y], &b->tb);
			d->work = ANCHOR_DIFF_WORK * (b->ta.n + b->tb.n) + 65536;
			anchor_refine(b, 0);
		}
		i = i1 + 1;
		j = j1 + 1;
	}
	free(sa);
	free(sb);
	free(ha);
	free(hb);
	free(mate_a);
	free(mate_b);
	free(work);
	free(uniq_a);
}

static int anchor_seg_cmp(const void *x, const void *y)
{
	const struct anchor_seg *p = x, *q = y;
	return (p->o > q->o) - (p->o < q->o);
}

static int anchor_by_new_cmp(const void *x, const void *y)
{
	const struct anchor_seg *p = x, *q = y;
	return (p->n > q->n) - (p->n < q->n);
}

/*
 * Where the common prefix s[0..p) of two texts, s[0..n) one of them, may
 * end: after a line feed; failing that, far in (past a unit's length),
 * after a space or at a boundary; else at 0, so that the first line is a
 * whole unit on both sides.
 */
static size_t anchor_cut_back(const char *s, size_t n, size_t p)
{
	size_t lim = p > ANCHOR_UNIT_MAX ? p - ANCHOR_UNIT_MAX : 0, space = SIZE_MAX;

	for (size_t i = p; i > lim; i--) {
		if (s[i - 1] == '\n')
			return i;
		if (s[i - 1] == ' ' && space == SIZE_MAX)
			space = i;
	}
	if (!lim)
		return 0;
	if (space != SIZE_MAX)
		return space;
	return p < n ? util_utf8_back(s, p) : p;
}

struct anchor_map *anchor_map_new(const char *old, size_t oldn, const char *new_, size_t newn)
{
	struct anchor_map *m = util_calloc(1, sizeof *m);
	struct anchor_build b;
	size_t pre = 0, suf = 0, lim;

	m->old = old;
	m->oldn = old ? oldn : 0;
	m->new_ = new_;
	m->newn = newn;
	if (!old)
		return m;
	memset(&b, 0, sizeof b);
	b.m = m;
	lim = oldn < newn ? oldn : newn;
	while (pre < lim && old[pre] == new_[pre])
		pre++;
	if (pre < oldn || pre < newn) {
		/* Cut where units begin, so that the changed middle starts whole. */
		pre = anchor_cut_back(old, oldn, pre);
		while (suf < lim - pre && old[oldn - 1 - suf] == new_[newn - 1 - suf])
			suf++;
		/* And let the middle end where a unit ends inside the common
		 * suffix: at a line end, or after a sentence end and its space.
		 * With none near, a short suffix is the end of a unit that
		 * differs: the middle takes it, to be compared whole, since the
		 * same words can end two different sentences ("...to the 2016
		 * election." after "...in the 2016 election." was cut). */
		size_t k, at = oldn - suf;
		for (k = 0; k < suf && k < ANCHOR_UNIT_MAX; k++)
			if (old[at + k] == '\n' || (old[at + k] == ' ' && k >= 1 &&
						    anchor_sentence_space(old, at, at + k)))
				break;
		if (k < suf && k < ANCHOR_UNIT_MAX)
			suf -= k + 1;
		else if (suf <= ANCHOR_UNIT_MAX)
			suf = 0;
	}
	anchor_add_seg(&b, 0, 0, pre, 1);
	if ((pre < oldn - suf || pre < newn - suf) && oldn < UINT32_MAX && newn < UINT32_MAX) {
		anchor_differ_init(&b.df, 0);
		anchor_build_middle(&b, pre, oldn - suf, newn - suf);
		anchor_differ_release(&b.df);
	}
	anchor_add_seg(&b, oldn - suf, newn - suf, suf, 1);

	if (m->nseg > 1)
		qsort(m->seg, m->nseg, sizeof *m->seg, anchor_seg_cmp);
	size_t k = 0;
	for (size_t i = 0; i < m->nseg; i++) {
		if (k && m->seg[k - 1].o + m->seg[k - 1].len == m->seg[i].o &&
		    m->seg[k - 1].n + m->seg[k - 1].len == m->seg[i].n && m->seg[k - 1].sure == m->seg[i].sure)
			m->seg[k - 1].len += m->seg[i].len;
		else
			m->seg[k++] = m->seg[i];
	}
	m->nseg = k;
	m->by_new = util_malloc((m->nseg + 1) * sizeof *m->by_new);
	if (m->nseg)
		memcpy(m->by_new, m->seg, m->nseg * sizeof *m->seg);
	if (m->nseg > 1)
		qsort(m->by_new, m->nseg, sizeof *m->by_new, anchor_by_new_cmp);

	anchor_intern_release(&b.in);
	anchor_intern_release(&b.win);
	anchor_seq_release(&b.ua);
	anchor_seq_release(&b.ub);
	anchor_seq_release(&b.ta);
	anchor_seq_release(&b.tb);
	free(b.cum_a);
	free(b.cum_b);
	return m;
}

void anchor_map_free(struct anchor_map *m)
{
	if (!m)
		return;
	free(m->seg);
	free(m->by_new);
	free(m);
}

/* ---------------------------------------------------------------- bit-parallel edit distance */

/*
 * Myers' bit-vector edit distance (1999) in 64-bit blocks: a column of the
 * dynamic-programming matrix per text byte, held as vertical deltas.  The
 * top row's step (hin) makes it a search (0: the match may start anywhere)
 * or an alignment anchored at the text's first byte (1).
 */
struct anchor_bv {
	uint64_t *peq; /* [byte * nb + block]: the rows holding that byte */
	uint64_t *pv, *mv;
	size_t m, nb;
	uint64_t last; /* the pattern's last row, in the last block */
};

static void anchor_bv_init(struct anchor_bv *bv, const char *p, size_t m, int reverse)
{
	bv->m = m;
	bv->nb = m ? (m + 63) / 64 : 1;
	bv->peq = util_calloc(256 * bv->nb, sizeof *bv->peq);
	bv->pv = util_malloc(bv->nb * sizeof *bv->pv);
	bv->mv = util_malloc(bv->nb * sizeof *bv->mv);
	for (size_t i = 0; i < m; i++) {
		unsigned char c = (unsigned char)p[reverse ? m - 1 - i : i];
		bv->peq[c * bv->nb + i / 64] |= (uint64_t)1 << (i % 64);
	}
	bv->last = (uint64_t)1 << ((m ? m - 1 : 0) % 64);
}

static void anchor_bv_release(struct anchor_bv *bv)
{
	free(bv->peq);
	free(bv->pv);
	free(bv->mv);
	bv->peq = bv->pv = bv->mv = NULL;
}

static void anchor_bv_reset(struct anchor_bv *bv)
{
	for (size_t b = 0; b < bv->nb; b++) {
		bv->pv[b] = ~(uint64_t)0;
		bv->mv[b] = 0;
	}
}

/* One text byte; returns the step of the last row (-1, 0 or 1). */
static int anchor_bv_step(struct anchor_bv *bv, unsigned char c, int hin)
{
	const uint64_t *eqs = bv->peq + (size_t)c * bv->nb;
	int h = hin;

	for (size_t b = 0; b < bv->nb; b++) {
		uint64_t eq = eqs[b], pv = bv->pv[b], mv = bv->mv[b];
		uint64_t high = b + 1 == bv->nb ? bv->last : (uint64_t)1 << 63;
		uint64_t xv = eq | mv, xh, ph, mh;
		int hout;

		if (h < 0)
			eq |= 1;
		xh = (((eq & pv) + pv) ^ pv) | eq;
		ph = mv | ~(xh | pv);
		mh = pv & xh;
		hout = (ph & high) ? 1 : (mh & high) ? -1 : 0;
		ph <<= 1;
		mh <<= 1;
		if (h < 0)
			mh |= 1;
		else if (h > 0)
			ph |= 1;
		bv->pv[b] = mh | ~(xv | ph);
		bv->mv[b] = ph & xv;
		h = hout;
	}
	return h;
}

/* The edit distance between the pattern and t[0..n). */
static size_t anchor_bv_ed(struct anchor_bv *bv, const char *t, size_t n)
{
	long score = (long)bv->m;

	anchor_bv_reset(bv);
	for (size_t j = 0; j < n; j++)
		score += anchor_bv_step(bv, (unsigned char)t[j], 1);
	return (size_t)score;
}

static size_t anchor_absdiff(size_t x, size_t y)
{
	return x > y ? x - y : y - x;
}

/*
 * The least edit distance between the pattern and a text of at most tmax
 * bytes that starts at s[at] (forward; bv of the pattern) or ends there
 * (back; bv of the reversed pattern).  *len gets that text's length; ties
 * go to the length nearest the pattern's.
 */
static size_t anchor_bv_anchored(struct anchor_bv *bv, const char *s, size_t at, size_t tmax, int back,
				 size_t *len)
{
	long score = (long)bv->m, best = score;
	size_t bt = 0;

	anchor_bv_reset(bv);
	for (size_t t = 1; t <= tmax; t++) {
		unsigned char c = (unsigned char)(back ? s[at - t] : s[at + t - 1]);
		score += anchor_bv_step(bv, c, 1);
		if (score < best || (score == best && anchor_absdiff(t, bv->m) < anchor_absdiff(bt, bv->m))) {
			best = score;
			bt = t;
		}
	}
	*len = bt;
	return (size_t)best;
}

/* The best few places a search found: by edit distance, then nearness. */
#define ANCHOR_HITS 32

struct anchor_hits {
	size_t pos[ANCHOR_HITS], ed[ANCHOR_HITS], dist[ANCHOR_HITS];
	size_t n, worst;
};

static int anchor_hit_worse(const struct anchor_hits *hs, size_t a, size_t ed, size_t dist)
{
	return hs->ed[a] > ed || (hs->ed[a] == ed && hs->dist[a] > dist);
}

static void anchor_hits_add(struct anchor_hits *hs, size_t pos, size_t ed, size_t want)
{
	size_t dist = anchor_absdiff(pos, want), k;

	if (hs->n < ANCHOR_HITS) {
		k = hs->n++;
	} else {
		if (!anchor_hit_worse(hs, hs->worst, ed, dist))
			return;
		k = hs->worst;
	}
	hs->pos[k] = pos;
	hs->ed[k] = ed;
	hs->dist[k] = dist;
	hs->worst = 0;
	for (size_t i = 1; i < hs->n; i++)
		if (anchor_hit_worse(hs, i, hs->ed[hs->worst], hs->dist[hs->worst]))
			hs->worst = i;
}

/*
 * Search s[lo..hi) for a pattern of at most 64 bytes: the ends of matches
 * within k edits, one per local minimum.  The step is written out for one
 * block: this loop is where the fuzzy stage spends its time.
 */
static void anchor_bv_search(const struct anchor_bv *bv, const char *s, size_t lo, size_t hi, size_t k,
			     size_t want, struct anchor_hits *hs)
{
	const unsigned char *u = (const unsigned char *)s;
	uint64_t pv = ~(uint64_t)0, mv = 0, high = bv->last;
	long score = (long)bv->m, prev = score + 1, prev2 = score + 1; /* above any k */

	for (size_t j = lo; j < hi; j++) {
		uint64_t eq = bv->peq[u[j]], xv = eq | mv;
		uint64_t xh = (((eq & pv) + pv) ^ pv) | eq;
		uint64_t ph = mv | ~(xh | pv), mh = pv & xh;
		score += (ph & high) ? 1 : (mh & high) ? -1 : 0;
		ph <<= 1;
		mh <<= 1;
		pv = mh | ~(xv | ph);
		mv = ph & xv;
		if (prev <= (long)k && prev <= prev2 && prev < score)
			anchor_hits_add(hs, j, (size_t)prev, want);
		prev2 = prev;
		prev = score;
	}
	if (prev <= (long)k && prev <= prev2)
		anchor_hits_add(hs, hi, (size_t)prev, want);
}

/* ---------------------------------------------------------------- placing */

/* The last segment whose old (or new) start is at most x, or SIZE_MAX. */
static size_t anchor_seg_le(const struct anchor_seg *seg, size_t nseg, size_t x, int by_new)
{
	size_t lo = 0, hi = nseg;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((by_new ? seg[mid].n : seg[mid].o) <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? lo - 1 : SIZE_MAX;
}

/* No segment holds a byte of new[gs, ge): it is all changed text. */
static int anchor_new_free(const struct anchor_map *m, size_t gs, size_t ge)
{
	size_t i, next;

	if (gs > ge)
		return 0;
	i = anchor_seg_le(m->by_new, m->nseg, gs, 1);
	if (i != SIZE_MAX && m->by_new[i].n + m->by_new[i].len > gs)
		return 0;
	next = i == SIZE_MAX ? 0 : i + 1;
	return next >= m->nseg || m->by_new[next].n >= ge;
}

/*
 * The new offset of old offset x as the start (end 0) or end (end 1) of a
 * span.  Inside a segment it maps through it (*in = 1); inside a changed
 * stretch whose new side is changed text too, to that side's start (or
 * end), so that a replaced word at the edge of a quote is taken with it
 * (*in = 0) -- but not past the edge of the sentence the quote's unchanged
 * text is in, when the quote kept within that sentence: text added there
 * ("Correction: ...\n" before "One security guard", for "A security
 * guard"; "race. A spokesman said nothing." for "election.") is not the
 * quote's.  Returns 0 when x cannot be mapped.
 */
/* s[lo, hi) holds a letter or a digit. */
static int anchor_has_word(const char *s, size_t lo, size_t hi)
{
	uint32_t cp;
	int valid;

	for (size_t p = lo; p < hi; p += (size_t)util_utf8_decode(s + p, hi - p, &cp, &valid))
		if (anchor_word_at(s, p, hi))
			return 1;
	return 0;
}

/* An end x of a quote in old text changed from gos on, the change's new
 * side from gs to lim: when the quote ended within the sentence of the
 * text before the change, *out is the end of that sentence in the new
 * text, if it lies inside the change; true then. */
static int anchor_end_in_sentence(const struct anchor_map *m, size_t x, size_t gos, size_t gs, size_t lim,
				  size_t *out)
{
	size_t s0, s1;

	if (gos == 0 || gs == 0)
		return 0;
	seg_sentence_at(m->old, m->oldn, gos - 1, &s0, &s1);
	if (x > s1)
		return 0;
	seg_sentence_at(m->new_, m->newn, gs - 1, &s0, &s1);
	if (s1 <= gs || s1 >= lim)
		return 0;
	*out = s1;
	return 1;
}

static int anchor_map_end(const struct anchor_map *m, size_t x, int end, size_t *out, int *in)
{
	size_t i = anchor_seg_le(m->seg, m->nseg, end ? x - 1 : x, 0), f;
	const struct anchor_seg *p = i == SIZE_MAX ? NULL : &m->seg[i];
	size_t gs, ge, gos, goe, s0, s1;

	if (p && (end ? x <= p->o + p->len : x < p->o + p->len)) {
		*out = p->n + (x - p->o);
		*in = 1;
		/* An end on punctuation alone after a change ("election." made
		 * "race. A spokesman did not respond.", the full stop kept) ends
		 * as one inside the change would: at the sentence's end. */
		const struct anchor_seg *q = i > 0 ? &m->seg[i - 1] : NULL;
		gos = q ? q->o + q->len : 0;
		gs = q ? q->n + q->len : 0;
		if (end && gs < p->n && !anchor_has_word(m->old, p->o, x) &&
		    anchor_end_in_sentence(m, x, gos, gs, p->n, out))
			*in = 0;
		return 1;
	}
	f = i == SIZE_MAX ? 0 : i + 1;
	gs = p ? p->n + p->len : 0;
	ge = f < m->nseg ? m->seg[f].n : m->newn;
	if (!anchor_new_free(m, gs, ge))
		return 0;
	*out = end ? ge : gs;
	*in = 0;
	gos = p ? p->o + p->len : 0;
	goe = f < m->nseg ? m->seg[f].o : m->oldn;
	if (!end && goe < m->oldn && ge < m->newn) {
		/* the quote starts in the sentence that the unchanged text after
		 * the change is in: so does the new one */
		seg_sentence_at(m->old, m->oldn, goe, &s0, &s1);
		if (s0 <= x) {
			seg_sentence_at(m->new_, m->newn, ge, &s0, &s1);
			if (s0 > gs && s0 <= ge)
				*out = s0;
		}
	} else if (end) {
		anchor_end_in_sentence(m, x, gos, gs, ge, out);
	}
	return 1;
}

static int anchor_span_ok(const struct anchor_map *m, size_t s, size_t e)
{
	return s <= e && e <= m->newn && anchor_boundary(m->new_, m->newn, s) &&
	       anchor_boundary(m->new_, m->newn, e);
}

/* Past the combining marks (and joiners) that follow e: a placed span
 * does not leave the accent of its last letter out. */
static size_t anchor_past_marks(const struct anchor_map *m, size_t e)
{
	uint32_t cp;
	int valid;

	while (e < m->newn) {
		int k = util_utf8_decode(m->new_ + e, m->newn - e, &cp, &valid);
		if (anchor_class(cp, valid) != ANCHOR_C_MARK)
			break;
		e += (size_t)k;
	}
	return e;
}

static size_t anchor_claimed(const struct anchor_map *m, size_t s, size_t e, size_t os, size_t oe);

/* Words (tokens other than spaces) of s[lo, hi). */
static size_t anchor_count_words(const char *s, size_t lo, size_t hi)
{
	size_t n = 0;
	int space;

	for (size_t p = lo; p < hi; p = anchor_token(s, p, hi, &space), n += !space)
		;
	return n;
}

/* Words of old[lo, hi) lying whole in segments whose new side is in [ns, ne). */
static size_t anchor_kept_words(const struct anchor_map *m, size_t lo, size_t hi, size_t ns, size_t ne)
{
	size_t n = 0, i = anchor_seg_le(m->seg, m->nseg, lo, 0), e;
	int space;

	if (i == SIZE_MAX)
		i = 0;
	for (size_t p = lo; p < hi; p = e) {
		e = anchor_token(m->old, p, hi, &space);
		while (i < m->nseg && m->seg[i].o + m->seg[i].len < e)
			i++;
		if (space || i >= m->nseg)
			continue;
		const struct anchor_seg *g = &m->seg[i];
		n += g->o <= p && e <= g->o + g->len && g->n + (p - g->o) >= ns && g->n + (e - g->o) <= ne;
	}
	return n;
}

/*
 * The diff moves the whole quote, unchanged, away from its old offsets:
 * the same bytes at the same offsets are another copy.
 */
static int anchor_moved(const struct anchor_map *m, const struct anchor_old *a, struct anchor_place *r)
{
	size_t i = anchor_seg_le(m->seg, m->nseg, a->start, 0), ns;

	if (i == SIZE_MAX || a->end > m->seg[i].o + m->seg[i].len)
		return 0;
	ns = m->seg[i].n + (a->start - m->seg[i].o);
	if (ns == a->start || !anchor_span_ok(m, ns, ns + a->quote_len))
		return 0;
	*r = (struct anchor_place){ANCHOR_DIFF, ns, ns + a->quote_len};
	return 1;
}

/*
 * Stage 2: map both ends through the diff, and keep the span if it is
 * still mostly the quote's own text (see anchor.h for the shares).
 */
static int anchor_diff_place(const struct anchor_map *m, const struct anchor_old *a, struct anchor_place *r,
			     int *strong)
{
	/* *strong: 2 sure, 1 distinctive text around it, 0 neither */
	size_t ns, ne, kept = 0, longer, i;
	int in_s, in_e;
	unsigned need;

	if (!m->nseg || !anchor_map_end(m, a->start, 0, &ns, &in_s) ||
	    !anchor_map_end(m, a->end, 1, &ne, &in_e) || ns >= ne)
		return 0;
	i = anchor_seg_le(m->seg, m->nseg, a->start, 0);
	for (i = i == SIZE_MAX ? 0 : i; i < m->nseg && m->seg[i].o < a->end; i++) {
		const struct anchor_seg *g = &m->seg[i];
		size_t lo = g->o > a->start ? g->o : a->start;
		size_t hi = g->o + g->len < a->end ? g->o + g->len : a->end;
		if (lo < hi && g->n + (lo - g->o) >= ns && g->n + (hi - g->o) <= ne)
			kept += hi - lo;
	}
	longer = a->quote_len > ne - ns ? a->quote_len : ne - ns;
	/* More than half with both ends unchanged, more with an end in a change. */
	need = in_s && in_e ? 51 : in_s || in_e ? 67 : 75;
	if (!kept || kept * 100 < need * longer)
		return 0;
	/* And more than half of the words, so that shared spaces and short
	 * words do not make a rewritten sentence look the same. */
	size_t words_q = anchor_count_words(m->old, a->start, a->end);
	size_t words_n = anchor_count_words(m->new_, ns, ne);
	if (2 * anchor_kept_words(m, a->start, a->end, ns, ne) <= (words_q > words_n ? words_q : words_n))
		return 0;
	if (kept == a->quote_len && ne - ns > kept) {
		/* Text inserted next to a repeated word can be aligned inside
		 * the span ("a b" + "b": "a [b] b"); the quote whole in the span
		 * says the insertion was beside it. */
		const char *p = memmem(m->new_ + ns, ne - ns, a->quote, a->quote_len);
		if (p && anchor_span_ok(m, (size_t)(p - m->new_), (size_t)(p - m->new_) + a->quote_len)) {
			ns = (size_t)(p - m->new_);
			ne = ns + a->quote_len;
		}
	}
	ne = anchor_past_marks(m, ne);
	/* The unchanged text the diff saw next to each end, up to 256 bytes. */
	size_t before = 0, after = 0, g;
	if (in_s) {
		g = anchor_seg_le(m->seg, m->nseg, a->start, 0);
		before = a->start - m->seg[g].o;
	}
	if (in_e) {
		g = anchor_seg_le(m->seg, m->nseg, a->end - 1, 0);
		after = m->seg[g].o + m->seg[g].len - a->end;
	}
	before = before < 256 ? before : 256;
	before = before < ns ? before : ns;
	after = after < 256 ? after : 256;
	after = after < m->newn - ne ? after : m->newn - ne;
	if (!anchor_span_ok(m, ns, ne))
		return 0;
	*r = (struct anchor_place){ANCHOR_DIFF, ns, ne};
	/* Both ends in text the diff is sure of: no copy to doubt. */
	if (in_s && in_e && m->seg[anchor_seg_le(m->seg, m->nseg, a->start, 0)].sure &&
	    m->seg[anchor_seg_le(m->seg, m->nseg, a->end - 1, 0)].sure) {
		*strong = 2;
		return 1;
	}
	/* Distinctive unchanged text around it makes a copy less likely. */
	*strong = before + after >= 16;
	return 1;
}

/* Where old offset x would be in the new text: through the diff when it
 * can be, else as it was. */
static size_t anchor_expect(const struct anchor_map *m, size_t x)
{
	size_t i, r;

	if (!m->nseg)
		return x < m->newn ? x : m->newn;
	i = anchor_seg_le(m->seg, m->nseg, x, 0);
	if (i == SIZE_MAX)
		r = m->seg[0].n > m->seg[0].o - x ? m->seg[0].n - (m->seg[0].o - x) : 0;
	else
		r = m->seg[i].n + (x - m->seg[i].o);
	return r < m->newn ? r : m->newn;
}

/* Bytes of new[s, e) that the diff gives to old text outside old[os, oe). */
static size_t anchor_claimed(const struct anchor_map *m, size_t s, size_t e, size_t os, size_t oe)
{
	size_t claimed = 0, i = anchor_seg_le(m->by_new, m->nseg, s, 1);

	for (i = i == SIZE_MAX ? 0 : i; i < m->nseg && m->by_new[i].n < e; i++) {
		const struct anchor_seg *g = &m->by_new[i];
		size_t lo = g->n > s ? g->n : s, hi = g->n + g->len < e ? g->n + g->len : e;
		if (lo >= hi)
			continue;
		size_t olo = g->o + (lo - g->n), ohi = g->o + (hi - g->n);
		size_t a = olo > os ? olo : os, b = ohi < oe ? ohi : oe;
		claimed += (hi - lo) - (a < b ? b - a : 0);
	}
	return claimed;
}

/* Weights and thresholds of the fuzzy stage (anchor.h says why). */
#define ANCHOR_QUOTE_HALF 32.0 /* a quote this long counts as much as its context */
#define ANCHOR_W_NEAR 0.1
#define ANCHOR_NEAR_BYTES 256.0 /* nearness halves at this distance */
#define ANCHOR_QUOTE_MIN 0.5
#define ANCHOR_SCORE_MIN 0.6
#define ANCHOR_MARGIN 0.05
#define ANCHOR_CONTEXT_SYMS 64 /* code points of prefix and suffix compared, nearest the quote */

struct anchor_cand {
	size_t s, e;
	double q, score;
};

/* The candidates of one search. */
struct anchor_fuzzy {
	const struct anchor_map *m;
	struct anchor_cand *c;
	size_t n, cap;
};

static void anchor_cand_add(struct anchor_fuzzy *z, size_t s, size_t e)
{
	const char *t = z->m->new_;
	size_t n = z->m->newn;

	if (s > e || e > n)
		return;
	if (!anchor_boundary(t, n, s))
		s = util_utf8_back(t, s);
	while (!anchor_boundary(t, n, e))
		e++;
	if (s == e)
		return;
	if (z->n == z->cap) {
		z->cap = z->cap ? 2 * z->cap : 64;
		z->c = util_realloc(z->c, z->cap * sizeof *z->c);
	}
	z->c[z->n++] = (struct anchor_cand){s, e, 0, 0};
}

static int anchor_cand_cmp(const void *x, const void *y)
{
	const struct anchor_cand *p = x, *q = y;
	if (p->s != q->s)
		return (p->s > q->s) - (p->s < q->s);
	return (p->e > q->e) - (p->e < q->e);
}

/*
 * Candidates are found by bytes but scored by code points: an emoji is one
 * edit, not eighteen, and two unrelated ideographs do not look alike for
 * sharing a lead byte.  A code point becomes one symbol: ASCII itself, any
 * other (or an ill-formed byte) a hash in 128..255.
 */
static unsigned char anchor_sym(uint32_t cp, int valid, unsigned char byte)
{
	if (!valid)
		return (unsigned char)(0x80 | byte);
	if (cp < 0x80)
		return (unsigned char)cp;
	return (unsigned char)(0x80 | ((cp * 2654435761u) >> 25));
}

/* The symbols of s[lo, hi) (lo a boundary of s[0..n)) into out: their count. */
static size_t anchor_syms(const char *s, size_t n, size_t lo, size_t hi, unsigned char *out)
{
	size_t k = 0;
	uint32_t cp;
	int valid;

	for (size_t p = lo; p < hi;) {
		int len = util_utf8_decode(s + p, n - p, &cp, &valid);
		out[k++] = anchor_sym(cp, valid, (unsigned char)s[p]);
		p += (size_t)len;
	}
	return k;
}

struct anchor_scorer {
	const struct anchor_map *m;
	const struct anchor_old *a;
	struct anchor_bv *bq, *bp, *bs; /* symbols of the quote (NULL: exact only), of the
					 * prefix's end reversed, of the suffix's start */
	size_t qsn;                     /* symbols of the quote */
	unsigned char *buf;             /* scratch */
	size_t cap;
	double wq;                      /* weight of the quote against the context */
	size_t exp;
	int own;
};

static unsigned char *anchor_scratch(struct anchor_scorer *sc, size_t n)
{
	if (n > sc->cap) {
		sc->cap = n + n / 2 + 64;
		sc->buf = util_realloc(sc->buf, sc->cap);
	}
	return sc->buf;
}

/* Edits between the quote and new[s, e), in code points; *len gets the span's. */
static size_t anchor_quote_ed(struct anchor_scorer *sc, size_t s, size_t e, size_t *len)
{
	unsigned char *u = anchor_scratch(sc, e - s + 1);

	*len = anchor_syms(sc->m->new_, sc->m->newn, s, e, u);
	return anchor_bv_ed(sc->bq, (const char *)u, *len);
}

/*
 * Edits between the prefix's end (suffix's start) and the text that ends
 * (starts) at at, in code points, the text's length free: SIZE_MAX when
 * the annotation kept no such context.
 */
static size_t anchor_context_ed(struct anchor_scorer *sc, struct anchor_bv *bv, size_t at, int back)
{
	const struct anchor_map *m = sc->m;
	size_t lo = at, hi = at, n, len;
	unsigned char *u;
	uint32_t cp;
	int valid;

	if (!bv->m)
		return SIZE_MAX;
	/* As many code points as the pattern has, and some to spare. */
	for (size_t k = 0; k < bv->m + 16; k++) {
		if (back && lo > 0)
			lo = util_utf8_back(m->new_, lo - 1);
		else if (!back && hi < m->newn)
			hi += (size_t)util_utf8_decode(m->new_ + hi, m->newn - hi, &cp, &valid);
		else
			break;
	}
	u = anchor_scratch(sc, hi - lo + 1);
	n = anchor_syms(m->new_, m->newn, lo, hi, u);
	for (size_t i = 0; back && i < n / 2; i++) {
		unsigned char x = u[i];
		u[i] = u[n - 1 - i];
		u[n - 1 - i] = x;
	}
	return anchor_bv_anchored(bv, (const char *)u, 0, n, 0, &len);
}

/*
 * How much the text before at (after it) is like the prefix (suffix): 0..1,
 * or -1 when there is no context to compare (the annotation kept none, or
 * its quote began the text and the candidate does not).
 */
static double anchor_context(struct anchor_scorer *sc, struct anchor_bv *bv, size_t at, int back)
{
	size_t ed = anchor_context_ed(sc, bv, at, back);

	if (ed == SIZE_MAX)
		return (back ? at : sc->m->newn - at) ? -1 : 1;
	return 1.0 - (double)ed / (double)bv->m;
}

#define ANCHOR_LCS_WORDS 256

/* The words (tokens other than spaces) of s[0..n), as hashes; at most max. */
static size_t anchor_word_hashes(const char *s, size_t n, uint64_t *h, size_t max)
{
	size_t k = 0;
	int space;

	for (size_t p = 0, e; p < n; p = e) {
		e = anchor_token(s, p, n, &space);
		if (space)
			continue;
		if (k == max)
			return max + 1;
		h[k++] = anchor_hash(s + p, e - p);
	}
	return k;
}

/*
 * More than half of the words of the longer of x and y are common to both,
 * in order: a span holding half a quote, however well placed, is not it.
 * (Quotes of more than ANCHOR_LCS_WORDS words pass.)
 */
static int anchor_most_words(const char *x, size_t xn, const char *y, size_t yn)
{
	uint64_t hx[ANCHOR_LCS_WORDS], hy[ANCHOR_LCS_WORDS];
	uint16_t row[ANCHOR_LCS_WORDS + 1];
	size_t nx = anchor_word_hashes(x, xn, hx, ANCHOR_LCS_WORDS);
	size_t ny = anchor_word_hashes(y, yn, hy, ANCHOR_LCS_WORDS);

	if (nx > ANCHOR_LCS_WORDS || ny > ANCHOR_LCS_WORDS)
		return 1;
	memset(row, 0, (ny + 1) * sizeof *row);
	for (size_t i = 0; i < nx; i++) {
		uint16_t diag = 0;
		for (size_t j = 0; j < ny; j++) {
			uint16_t up = row[j + 1];
			row[j + 1] = hx[i] == hy[j] ? diag + 1 : up > row[j] ? up : row[j];
			diag = up;
		}
	}
	return 2 * (size_t)row[ny] > (nx > ny ? nx : ny);
}

/* Score c: quote and context similarity, nearness; -1 when it is refused. */
static void anchor_score(struct anchor_scorer *sc, struct anchor_cand *c)
{
	const struct anchor_map *m = sc->m;
	const struct anchor_old *a = sc->a;
	size_t span = c->e - c->s, qn = a->quote_len, ed, len;
	double cp, cs, ctx, near;

	if (sc->own && 2 * anchor_claimed(m, c->s, c->e, a->start, a->end) > span) {
		c->score = -1; /* the new place of other old text */
		return;
	}
	if (sc->bq) {
		ed = anchor_quote_ed(sc, c->s, c->e, &len);
		c->q = 1.0 - (double)ed / (double)(len > sc->qsn ? len : sc->qsn);
	} else {
		ed = span == qn && memcmp(m->new_ + c->s, a->quote, qn) == 0 ? 0 : 1;
		c->q = ed ? 0 : 1;
	}
	if (ed && !anchor_most_words(a->quote, qn, m->new_ + c->s, span)) {
		c->score = -1;
		return;
	}
	/* An edit right beside a quote often spoils one side: the better
	 * side counts twice. */
	cp = anchor_context(sc, sc->bp, c->s, 1);
	cs = anchor_context(sc, sc->bs, c->e, 0);
	if (cp < 0 && cs < 0)
		ctx = c->q; /* nothing but the quote to go by */
	else if (cp < 0 || cs < 0)
		ctx = cp < 0 ? cs : cp;
	else
		ctx = cp > cs ? (2 * cp + cs) / 3 : (2 * cs + cp) / 3;
	near = sc->exp == SIZE_MAX ? 0 : 1.0 / (1.0 + (double)anchor_absdiff(c->s, sc->exp) / ANCHOR_NEAR_BYTES);
	c->score = (1 - ANCHOR_W_NEAR) * (sc->wq * c->q + (1 - sc->wq) * ctx) + ANCHOR_W_NEAR * near;
}

/* The best candidate, and the best one that does not overlap it. */
static size_t anchor_best(const struct anchor_fuzzy *z, size_t *second)
{
	size_t best = SIZE_MAX;

	*second = SIZE_MAX;
	for (size_t i = 0; i < z->n; i++)
		if (z->c[i].score >= 0 && (best == SIZE_MAX || z->c[i].score > z->c[best].score))
			best = i;
	if (best == SIZE_MAX)
		return best;
	for (size_t i = 0; i < z->n; i++) {
		const struct anchor_cand *c = &z->c[i], *b = &z->c[best];
		if (c->score < 0 || (c->s < b->e && b->s < c->e))
			continue;
		if (*second == SIZE_MAX || c->score > z->c[*second].score)
			*second = i;
	}
	return best;
}

/* Edits in quote and context when c's start (side 0) or end (1) is at edge. */
static size_t anchor_edge_cost(struct anchor_scorer *sc, const struct anchor_cand *c, int side, size_t edge)
{
	size_t len, cost = side ? anchor_quote_ed(sc, c->s, edge, &len) : anchor_quote_ed(sc, edge, c->e, &len);
	size_t ctx = anchor_context_ed(sc, side ? sc->bs : sc->bp, edge, !side);

	return ctx == SIZE_MAX ? cost : cost + ctx;
}

/*
 * The edit distance alone may start a changed quote inside a word
 * ("pokesperson about" for "façade new about"): try the word edges near
 * each end of c instead, the start first, and keep the one with the
 * fewest edits in quote and context on that side together.  Text
 * inserted between context and quote costs the same on either side of
 * the edge, so a tie keeps the edge the quote alone chose.
 */
static void anchor_edges(struct anchor_scorer *sc, struct anchor_cand *c)
{
	const struct anchor_map *m = sc->m;
	const char *t = m->new_;
	size_t w = 24 + sc->a->quote_len / 4;
	int space;

	/* An exact quote is already best: moving an edge k bytes costs the
	 * quote at least k edits and saves the context at most k. */
	if (!sc->bq || c->q >= 1)
		return;
	if (w > 64)
		w = 64;
	for (int side = 0; side < 2; side++) {
		size_t at = side ? c->e : c->s, best_at = at, best = anchor_edge_cost(sc, c, side, at);
		size_t lo = at > w ? util_utf8_back(t, at - w) : 0, hi = m->newn - at > w ? at + w : m->newn;
		while (!anchor_boundary(t, m->newn, hi))
			hi++;
		for (size_t p = lo, e; p < hi; p = e) {
			e = anchor_token(t, p, hi, &space);
			size_t edge = side ? e : p, cost;
			if (space || edge == at || (side ? edge <= c->s : edge >= c->e))
				continue;
			cost = anchor_edge_cost(sc, c, side, edge);
			if (cost < best) {
				best = cost;
				best_at = edge;
			}
		}
		if (side)
			c->e = best_at;
		else
			c->s = best_at;
	}
	anchor_score(sc, c);
}

/* Stage 3: see anchor.h. */
enum { ANCHOR_F_CLAIMS = 1, ANCHOR_F_NEAR = 2 };

/*
 * exp: where to search from (SIZE_MAX: nowhere in particular); flags:
 * refuse text the diff gives to other old text, count nearness to exp.
 */
static int anchor_fuzzy_place(const struct anchor_map *m, const struct anchor_old *a, size_t exp, int flags,
			      struct anchor_place *r)
{
	const char *t = m->new_, *q = a->quote;
	size_t n = m->newn, qn = a->quote_len, lo = 0, hi = n;
	struct anchor_fuzzy z = {m, NULL, 0, 0};
	struct anchor_bv bq = {0}, br = {0}, sq = {0}, bp, bs; /* quote by bytes, reversed; by symbols */
	struct anchor_hits hs;
	size_t best, second, len;
	int approx = qn <= ANCHOR_FUZZY_MAX;

	/* Without a place to start from, a big text is searched for copies only. */
	int scan = approx && (exp != SIZE_MAX || n <= ANCHOR_SCAN_ALL);
	size_t want = exp == SIZE_MAX ? 0 : exp;

	if (!qn || !n)
		return 0;
	if (n > ANCHOR_SCAN_ALL && scan) {
		lo = exp > ANCHOR_SCAN_WINDOW ? exp - ANCHOR_SCAN_WINDOW : 0;
		hi = n - exp > ANCHOR_SCAN_WINDOW + qn ? exp + ANCHOR_SCAN_WINDOW + qn : n;
	}
	if (approx) {
		anchor_bv_init(&bq, q, qn, 0);
		anchor_bv_init(&br, q, qn, 1);
	}
	if (scan) {
		size_t hq = qn < 64 ? qn : 64, k = (2 * hq + 4) / 5, kq = (2 * qn + 4) / 5;
		struct anchor_bv bh;

		/* The head of the quote (all of it, up to 64 bytes). */
		anchor_bv_init(&bh, q, hq, 0);
		hs.n = 0;
		anchor_bv_search(&bh, t, lo, hi, k, want + hq, &hs);
		anchor_bv_release(&bh);
		if (qn <= 64) {
			for (size_t i = 0; i < hs.n; i++) {
				anchor_bv_anchored(&br, t, hs.pos[i], hs.pos[i] < qn + kq ? hs.pos[i] : qn + kq, 1, &len);
				anchor_cand_add(&z, hs.pos[i] - len, hs.pos[i]);
			}
		} else {
			struct anchor_bv bhr, bt;
			anchor_bv_init(&bhr, q, hq, 1);
			for (size_t i = 0; i < hs.n; i++) {
				size_t e = hs.pos[i], s, room;
				anchor_bv_anchored(&bhr, t, e, e < hq + k ? e : hq + k, 1, &len);
				s = e - len;
				room = n - s < qn + kq ? n - s : qn + kq;
				anchor_bv_anchored(&bq, t, s, room, 0, &len);
				anchor_cand_add(&z, s, s + len);
			}
			anchor_bv_release(&bhr);
			/* And its tail, for an edit in the head. */
			anchor_bv_init(&bt, q + qn - 64, 64, 0);
			hs.n = 0;
			anchor_bv_search(&bt, t, lo, hi, k, want + qn, &hs);
			anchor_bv_release(&bt);
			for (size_t i = 0; i < hs.n; i++) {
				anchor_bv_anchored(&br, t, hs.pos[i], hs.pos[i] < qn + kq ? hs.pos[i] : qn + kq, 1, &len);
				anchor_cand_add(&z, hs.pos[i] - len, hs.pos[i]);
			}
		}
	}
	if (lo > 0 || hi < n || !scan) {
		/* Out of the window: exact copies, the nearest few. */
		const char *p = t;
		size_t seen = 0;
		hs.n = 0;
		while (seen++ < ANCHOR_COPIES && (p = memmem(p, n - (size_t)(p - t), q, qn)) != NULL) {
			anchor_hits_add(&hs, (size_t)(p - t), 0, want);
			p++;
		}
		for (size_t i = 0; i < hs.n; i++)
			anchor_cand_add(&z, hs.pos[i], hs.pos[i] + qn);
	}

	/* Score each distinct candidate; then move the edges of the best few
	 * to word edges nearby when quote and context agree better there. */
	struct anchor_scorer sc = {m, a, approx ? &sq : NULL, &bp, &bs, 0, NULL, 0, 0,
				   flags & ANCHOR_F_NEAR ? exp : SIZE_MAX, flags & ANCHOR_F_CLAIMS};
	unsigned char *u = util_malloc(qn + a->prefix_len + a->suffix_len + 1);
	size_t pn = anchor_syms(a->prefix, a->prefix_len, 0, a->prefix_len, u);
	size_t pl = pn < ANCHOR_CONTEXT_SYMS ? pn : ANCHOR_CONTEXT_SYMS;
	anchor_bv_init(&bp, (const char *)u + pn - pl, pl, 1);
	size_t sn = anchor_syms(a->suffix, a->suffix_len, 0, a->suffix_len, u);
	anchor_bv_init(&bs, (const char *)u, sn < ANCHOR_CONTEXT_SYMS ? sn : ANCHOR_CONTEXT_SYMS, 0);
	if (approx) {
		sc.qsn = anchor_syms(q, qn, 0, qn, u);
		anchor_bv_init(&sq, (const char *)u, sc.qsn, 0);
	}
	free(u);
	/* A short quote is found by chance in a long text: the longer the
	 * quote, the more it counts against its context. */
	sc.wq = (double)qn / (double)(qn + ANCHOR_QUOTE_HALF);
	if (z.n > 1)
		qsort(z.c, z.n, sizeof *z.c, anchor_cand_cmp);
	for (size_t i = 0; i < z.n; i++) {
		if (i && z.c[i].s == z.c[i - 1].s && z.c[i].e == z.c[i - 1].e)
			z.c[i].score = -1;
		else
			anchor_score(&sc, &z.c[i]);
	}
	best = anchor_best(&z, &second);
	if (best != SIZE_MAX) {
		double top = z.c[best].score;
		for (size_t i = 0, done = 0; i < z.n && done < 8; i++) {
			if (z.c[i].score >= 0 && z.c[i].score > top - 0.2) {
				anchor_edges(&sc, &z.c[i]);
				done++;
			}
		}
		best = anchor_best(&z, &second);
	}
	int ok = best != SIZE_MAX && z.c[best].q >= ANCHOR_QUOTE_MIN && z.c[best].score >= ANCHOR_SCORE_MIN &&
		 (second == SIZE_MAX || z.c[best].score - z.c[second].score >= ANCHOR_MARGIN) &&
		 anchor_span_ok(m, z.c[best].s, z.c[best].e);
	if (ok)
		*r = (struct anchor_place){ANCHOR_FUZZY, z.c[best].s, anchor_past_marks(m, z.c[best].e)};
	anchor_bv_release(&bp);
	anchor_bv_release(&bs);
	if (approx) {
		anchor_bv_release(&bq);
		anchor_bv_release(&br);
		anchor_bv_release(&sq);
	}
	free(sc.buf);
	free(z.c);
	return ok;
}

/* How much the text around new[s, e) is like prefix p and suffix q (0..1). */
static double anchor_ctx_like(const struct anchor_map *m, const char *p, size_t pn, const char *q, size_t qn,
			      size_t s, size_t e)
{
	struct anchor_bv bp, bs;
	struct anchor_scorer sc = {0};
	unsigned char *u = util_malloc(pn + qn + 1);
	size_t k = anchor_syms(p, pn, 0, pn, u), l;
	double cp, cs, r;

	sc.m = m;
	l = k < ANCHOR_CONTEXT_SYMS ? k : ANCHOR_CONTEXT_SYMS;
	anchor_bv_init(&bp, (const char *)u + k - l, l, 1);
	k = anchor_syms(q, qn, 0, qn, u);
	anchor_bv_init(&bs, (const char *)u, k < ANCHOR_CONTEXT_SYMS ? k : ANCHOR_CONTEXT_SYMS, 0);
	cp = anchor_context(&sc, &bp, s, 1);
	cs = anchor_context(&sc, &bs, e, 0);
	if (cp < 0 && cs < 0)
		r = 0;
	else if (cp < 0 || cs < 0)
		r = cp < 0 ? cs : cp;
	else
		r = cp > cs ? (2 * cp + cs) / 3 : (2 * cs + cp) / 3;
	anchor_bv_release(&bp);
	anchor_bv_release(&bs);
	free(sc.buf);
	free(u);
	return r;
}

/*
 * Another copy of the quote in the old text whose surroundings are clearly
 * more like those of new[s, e) than the annotation's own: the span is that
 * copy's text, whatever the diff paired (copies of a repeated sentence
 * can be paired crosswise when text moves).  Strict (and for a copy
 * close by): unless the annotation's own are clearly more like them than
 * any other copy's.
 */
static int anchor_owned_elsewhere(const struct anchor_map *m, const struct anchor_old *a, size_t s, size_t e,
				  int strict)
{
	const char *o = m->old, *p;
	size_t qn = a->quote_len, lo = 0, hi = m->oldn, seen = 0;
	double own = anchor_ctx_like(m, a->prefix, a->prefix_len, a->suffix, a->suffix_len, s, e);

	if (m->oldn > ANCHOR_SCAN_ALL) {
		lo = a->start > ANCHOR_SCAN_WINDOW ? a->start - ANCHOR_SCAN_WINDOW : 0;
		hi = m->oldn - a->end > ANCHOR_SCAN_WINDOW ? a->end + ANCHOR_SCAN_WINDOW : m->oldn;
	}
	for (p = o + lo; seen++ < ANCHOR_COPIES && (p = memmem(p, hi - (size_t)(p - o), a->quote, qn)) != NULL; p++) {
		size_t at = (size_t)(p - o), b = at, f = at + qn;
		if (at == a->start)
			continue;
		for (int k = 0; k < ANCHOR_CONTEXT && b > 0; k++)
			b = util_utf8_back(o, b - 1);
		for (int k = 0; k < ANCHOR_CONTEXT && f < m->oldn; k++) {
			uint32_t cp;
			int valid;
			f += (size_t)util_utf8_decode(o + f, m->oldn - f, &cp, &valid);
		}
		/* A twin right beside the quote ("X X" made "X") is the same text
		 * to any diff. */
		int twin = at + qn + 8 >= a->start && at <= a->end + 8;
		double other = anchor_ctx_like(m, o + b, at - b, o + at + qn, f - at - qn, s, e);
		if (strict || twin ? other > own - ANCHOR_MARGIN : other >= own + ANCHOR_MARGIN)
			return 1;
	}
	return 0;
}

struct anchor_place anchor_place(const struct anchor_map *m, const struct anchor_old *a)
{
	struct anchor_place r = {ANCHOR_ORPHAN, 0, 0};
	size_t qn = a->quote_len;
	int ok, own = m->old && a->start <= a->end && a->end <= m->oldn && a->end - a->start == qn &&
		  (!qn || memcmp(m->old + a->start, a->quote, qn) == 0);

	if (a->start <= a->end && a->end <= m->newn && a->end - a->start == qn &&
	    (!qn || memcmp(m->new_ + a->start, a->quote, qn) == 0) && anchor_span_ok(m, a->start, a->end)) {
		if (own && qn && anchor_moved(m, a, &r))
			return r;
		return (struct anchor_place){ANCHOR_EXACT, a->start, a->end};
	}
	if (!qn)
		return r;
	int strong = 0;
	if (own && anchor_diff_place(m, a, &r, &strong))
		ok = 1;
	else if (a->start == SIZE_MAX)
		ok = anchor_fuzzy_place(m, a, SIZE_MAX, 0, &r);
	else
		ok = anchor_fuzzy_place(m, a, anchor_expect(m, a->start), ANCHOR_F_NEAR | (own ? ANCHOR_F_CLAIMS : 0), &r);
	/* A pick of the diff with distinctive text around it is doubted less
	 * than a search's; one it is sure of, not at all. */
	if (ok && own && strong < 2 && anchor_owned_elsewhere(m, a, r.start, r.end, !strong))
		ok = 0;
	return ok ? r : (struct anchor_place){ANCHOR_ORPHAN, 0, 0};
}
