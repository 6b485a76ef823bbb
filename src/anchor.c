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

/* ------------------------------------------------------------------------
 * Re-anchoring.  The map is a list of segments: byte ranges of the old text
 * found unchanged in the new one, disjoint in both.  They come from a diff
 * in two levels: units (lines, cut after sentence ends and at most
 * ANCHOR_UNIT_MAX bytes long) compared whole, then the words of each
 * changed hunk.  Both levels use one sequence diff (Myers' O(ND) for small
 * ranges, patience anchors on unique elements to cut big ones) under a
 * work budget.  Units moved elsewhere are paired by identity, and their
 * changed neighbours word by word.
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
			    (c >= 0x80 && anchor_cjk_stop(u, p, i)) ||
			    (c == ' ' && i - p >= 1024 && (word & 7) == 0)) {
				end = i + 1;
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

/* Cut s[lo..hi) (lo and hi boundaries) into word tokens. */
static void anchor_words(const char *s, size_t lo, size_t hi, struct anchor_seq *q)
{
	size_t p = lo;
	uint32_t cp;
	int valid;

	while (p < hi) {
		size_t e = p + (size_t)util_utf8_decode(s + p, hi - p, &cp, &valid);
		int c0 = anchor_class(cp, valid);

		if (c0 == ANCHOR_C_MARK)
			c0 = ANCHOR_C_WORD;
		while (e < hi && e - p < 4096) {
			int k = util_utf8_decode(s + e, hi - e, &cp, &valid);
			int c = anchor_class(cp, valid);
			if (c == ANCHOR_C_MARK || (c == c0 && c0 != ANCHOR_C_ONE))
				e += (size_t)k;
			else
				break;
		}
		anchor_seq_push(q, p, e - p);
		p = e;
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
	d->trace = util_malloc((size_t)(ANCHOR_MYERS_D + 1) * (ANCHOR_MYERS_D + 1) * sizeof *d->trace);
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
		if (found < 0)
			memcpy(d->trace + (size_t)dd * (size_t)dd, v - dd, (size_t)(2 * dd + 1) * sizeof *v);
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
		if (size <= ANCHOR_MYERS_N &&
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
	struct anchor_intern in;
	struct anchor_differ df;
	struct anchor_seq ua, ub; /* units of the changed middles */
	struct anchor_seq ta, tb; /* words of the hunk being refined */
	size_t *cum_a, *cum_b;    /* their byte counts, summed */
	size_t cumcap;
	size_t cap;
};

static void anchor_add_seg(struct anchor_build *b, size_t o, size_t n, size_t len)
{
	struct anchor_map *m = b->m;

	if (!len)
		return;
	if (m->nseg && m->seg[m->nseg - 1].o + m->seg[m->nseg - 1].len == o &&
	    m->seg[m->nseg - 1].n + m->seg[m->nseg - 1].len == n) {
		m->seg[m->nseg - 1].len += len;
		return;
	}
	if (m->nseg == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 256;
		m->seg = util_realloc(m->seg, b->cap * sizeof *m->seg);
	}
	m->seg[m->nseg++] = (struct anchor_seg){o, n, len};
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
	while (suf < la - pre && suf < lb - pre) {
		size_t at = util_utf8_back(m->old, oa + la - suf - 1);
		size_t k = oa + la - suf - at;
		if (at < oa + pre || k > lb - pre - suf ||
		    memcmp(m->old + at, m->new_ + ob + lb - suf - k, k) ||
		    !anchor_boundary(m->new_, m->newn, ob + lb - suf - k))
			break;
		suf += k;
	}
	anchor_add_seg(b, oa, ob, pre);
	anchor_add_seg(b, oa + la - suf, ob + lb - suf, suf);
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
	anchor_seq_intern(&b->ta, m->old, &b->in);
	anchor_seq_intern(&b->tb, m->new_, &b->in);
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

	anchor_diff(d, b->ta.id, b->ta.n, b->tb.id, b->tb.n, b->in.n);
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
					       b->ta.len[run[r].i + t]);
			pa = run[r].i + run[r].count;
			pb = run[r].j + run[r].count;
		}
	}
	free(run);
	return kept;
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
	unsigned char *sa, *sb;
	uint32_t *ha, *hb, *mate_a, *mate_b, *work;
	size_t nw = 0, h;

	anchor_units(m->old, lo, ohi, ua);
	anchor_units(m->new_, lo, nhi, ub);
	anchor_seq_intern(ua, m->old, &b->in);
	anchor_seq_intern(ub, m->new_, &b->in);
	d->work = ANCHOR_DIFF_WORK * (ua->n + ub->n) + (1u << 20);
	anchor_diff(d, ua->id, ua->n, ub->id, ub->n, b->in.n);

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
		anchor_add_seg(b, ua->off[d->pair[p].i], ub->off[d->pair[p].j], ua->len[d->pair[p].i]);

	/* Moves: a unit left over on both sides, once each. */
	anchor_differ_ids(d, b->in.n);
	for (size_t i = 0; i < ua->n; i++)
		if (!sa[i])
			d->cnt_a[ua->id[i]]++;
	for (size_t j = 0; j < ub->n; j++) {
		if (!sb[j]) {
			d->cnt_b[ub->id[j]]++;
			d->pos_b[ub->id[j]] = (uint32_t)j;
		}
	}
	for (size_t i = 0; i < ua->n; i++) {
		uint32_t id = ua->id[i];
		if (sa[i] || d->cnt_a[id] != 1 || d->cnt_b[id] != 1 ||
		    !anchor_unit_movable(m->old, ua->off[i], ua->len[i]))
			continue;
		size_t j = d->pos_b[id];
		sa[i] = sb[j] = ANCHOR_U_MOVED;
		mate_a[i] = (uint32_t)j;
		mate_b[j] = (uint32_t)i;
		work[nw++] = (uint32_t)i;
	}
	for (size_t i = 0; i < ua->n; i++)
		d->cnt_a[ua->id[i]] = 0;
	for (size_t j = 0; j < ub->n; j++)
		d->cnt_b[ub->id[j]] = 0;
	for (size_t w = 0; w < nw; w++) {
		size_t i = work[w];
		anchor_add_seg(b, ua->off[i], ub->off[mate_a[i]], ua->len[i]);
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
 * end: after a line feed, else a space, else (far in) at a boundary.
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
	if (space != SIZE_MAX)
		return space;
	return lim && p < n ? util_utf8_back(s, p) : lim ? p : 0;
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
		/* And let the middle end at a line end inside the common suffix. */
		for (size_t k = 0; k < suf && k < ANCHOR_UNIT_MAX; k++) {
			if (old[oldn - suf + k] == '\n') {
				suf -= k + 1;
				break;
			}
		}
	}
	anchor_add_seg(&b, 0, 0, pre);
	if ((pre < oldn - suf || pre < newn - suf) && oldn < UINT32_MAX && newn < UINT32_MAX) {
		anchor_differ_init(&b.df, 0);
		anchor_build_middle(&b, pre, oldn - suf, newn - suf);
		anchor_differ_release(&b.df);
	}
	anchor_add_seg(&b, oldn - suf, newn - suf, suf);

	if (m->nseg > 1)
		qsort(m->seg, m->nseg, sizeof *m->seg, anchor_seg_cmp);
	size_t k = 0;
	for (size_t i = 0; i < m->nseg; i++) {
		if (k && m->seg[k - 1].o + m->seg[k - 1].len == m->seg[i].o &&
		    m->seg[k - 1].n + m->seg[k - 1].len == m->seg[i].n)
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

/* Search s[lo..hi): the ends of matches within k edits, one per local minimum. */
static void anchor_bv_search(struct anchor_bv *bv, const char *s, size_t lo, size_t hi, size_t k,
			     size_t want, struct anchor_hits *hs)
{
	long score = (long)bv->m, prev = score + 1, prev2 = score + 1; /* above any k */

	anchor_bv_reset(bv);
	for (size_t j = lo; j < hi; j++) {
		score += anchor_bv_step(bv, (unsigned char)s[j], 0);
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
 * (*in = 0).  Returns 0 when x cannot be mapped.
 */
static int anchor_map_end(const struct anchor_map *m, size_t x, int end, size_t *out, int *in)
{
	size_t i = anchor_seg_le(m->seg, m->nseg, end ? x - 1 : x, 0), f;
	const struct anchor_seg *p = i == SIZE_MAX ? NULL : &m->seg[i];
	size_t gs, ge;

	if (p && (end ? x <= p->o + p->len : x < p->o + p->len)) {
		*out = p->n + (x - p->o);
		*in = 1;
		return 1;
	}
	f = i == SIZE_MAX ? 0 : i + 1;
	gs = p ? p->n + p->len : 0;
	ge = f < m->nseg ? m->seg[f].n : m->newn;
	if (!anchor_new_free(m, gs, ge))
		return 0;
	*out = end ? ge : gs;
	*in = 0;
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

/*
 * Another copy of new[s, e) that the diff does not give to other old text:
 * then the diff's choice between the copies is a guess, which the fuzzy
 * stage checks on context and position.  (Searched where the fuzzy stage
 * searches.)
 */
static int anchor_other_copy(const struct anchor_map *m, size_t s, size_t e, size_t os, size_t oe)
{
	size_t len = e - s, lo = 0, hi = m->newn;
	const char *t = m->new_, *p;

	if (m->newn > ANCHOR_SCAN_ALL) {
		lo = s > ANCHOR_SCAN_WINDOW ? s - ANCHOR_SCAN_WINDOW : 0;
		hi = m->newn - e > ANCHOR_SCAN_WINDOW ? e + ANCHOR_SCAN_WINDOW : m->newn;
	}
	for (p = t + lo; (p = memmem(p, hi - (size_t)(p - t), t + s, len)) != NULL; p++) {
		size_t at = (size_t)(p - t);
		if ((at + len <= s || at >= e) && 2 * anchor_claimed(m, at, at + len, os, oe) <= len)
			return 1;
	}
	return 0;
}

/* The diff moves the whole quote, unchanged, away from its old offsets. */
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

/* Stage 2: map both ends through the diff, and keep the span if it is
 * still mostly the quote's own text (see anchor.h for the shares). */
static int anchor_diff_place(const struct anchor_map *m, const struct anchor_old *a, struct anchor_place *r)
{
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
	need = in_s && in_e ? 60 : in_s || in_e ? 67 : 75;
	if (!kept || kept * 100 < need * longer)
		return 0;
	ne = anchor_past_marks(m, ne);
	if (!anchor_span_ok(m, ns, ne) || anchor_other_copy(m, ns, ne, a->start, a->end))
		return 0;
	*r = (struct anchor_place){ANCHOR_DIFF, ns, ne};
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
#define ANCHOR_W_QUOTE 0.6
#define ANCHOR_W_CONTEXT 0.3
#define ANCHOR_W_NEAR 0.1
#define ANCHOR_NEAR_BYTES 256.0 /* nearness halves at this distance */
#define ANCHOR_QUOTE_MIN 0.6
#define ANCHOR_SCORE_MIN 0.65
#define ANCHOR_MARGIN 0.05
#define ANCHOR_CONTEXT_BYTES 64 /* of prefix and suffix, nearest the quote */

struct anchor_cand {
	size_t s, e;
	double q, score;
};

struct anchor_fuzzy {
	const struct anchor_map *m;
	const struct anchor_old *a;
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

/* How much the text before s (after e) is like the prefix (suffix): 0..1. */
static double anchor_context(const struct anchor_map *m, struct anchor_bv *bv, size_t at, int back)
{
	size_t len, room = back ? at : m->newn - at, ed;

	if (!bv->m)
		return room ? 0.5 : 1.0;
	ed = anchor_bv_anchored(bv, m->new_, at, room < bv->m + 16 ? room : bv->m + 16, back, &len);
	return 1.0 - (double)ed / (double)bv->m;
}

/* Stage 3: see anchor.h. */
static int anchor_fuzzy_place(const struct anchor_map *m, const struct anchor_old *a, size_t exp, int own,
			      struct anchor_place *r)
{
	const char *t = m->new_, *q = a->quote;
	size_t n = m->newn, qn = a->quote_len, lo = 0, hi = n;
	struct anchor_fuzzy z = {m, a, NULL, 0, 0};
	struct anchor_bv bq = {0}, br = {0}, bp, bs;
	struct anchor_hits hs;
	size_t best = SIZE_MAX, second = SIZE_MAX, len;
	int approx = qn <= ANCHOR_FUZZY_MAX;

	if (!qn || !n)
		return 0;
	if (n > ANCHOR_SCAN_ALL) {
		lo = exp > ANCHOR_SCAN_WINDOW ? exp - ANCHOR_SCAN_WINDOW : 0;
		hi = n - exp > ANCHOR_SCAN_WINDOW + qn ? exp + ANCHOR_SCAN_WINDOW + qn : n;
	}
	if (approx) {
		size_t hq = qn < 64 ? qn : 64, k = (2 * hq + 4) / 5, kq = (2 * qn + 4) / 5;
		struct anchor_bv bh;

		anchor_bv_init(&bq, q, qn, 0);
		anchor_bv_init(&br, q, qn, 1);
		/* The head of the quote (all of it, up to 64 bytes). */
		anchor_bv_init(&bh, q, hq, 0);
		hs.n = 0;
		anchor_bv_search(&bh, t, lo, hi, k, exp + hq, &hs);
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
			anchor_bv_search(&bt, t, lo, hi, k, exp + qn, &hs);
			anchor_bv_release(&bt);
			for (size_t i = 0; i < hs.n; i++) {
				anchor_bv_anchored(&br, t, hs.pos[i], hs.pos[i] < qn + kq ? hs.pos[i] : qn + kq, 1, &len);
				anchor_cand_add(&z, hs.pos[i] - len, hs.pos[i]);
			}
		}
	}
	if (lo > 0 || hi < n || !approx) {
		/* Out of the window: exact copies, the nearest few. */
		const char *p = t;
		hs.n = 0;
		while ((p = memmem(p, n - (size_t)(p - t), q, qn)) != NULL) {
			anchor_hits_add(&hs, (size_t)(p - t), 0, exp);
			p++;
		}
		for (size_t i = 0; i < hs.n; i++)
			anchor_cand_add(&z, hs.pos[i], hs.pos[i] + qn);
	}

	/* Score each distinct candidate. */
	size_t pl = a->prefix_len < ANCHOR_CONTEXT_BYTES ? a->prefix_len : ANCHOR_CONTEXT_BYTES;
	size_t sl = a->suffix_len < ANCHOR_CONTEXT_BYTES ? a->suffix_len : ANCHOR_CONTEXT_BYTES;
	anchor_bv_init(&bp, pl ? a->prefix + a->prefix_len - pl : "", pl, 1);
	anchor_bv_init(&bs, sl ? a->suffix : "", sl, 0);
	if (z.n > 1)
		qsort(z.c, z.n, sizeof *z.c, anchor_cand_cmp);
	for (size_t i = 0; i < z.n; i++) {
		struct anchor_cand *c = &z.c[i];
		size_t span = c->e - c->s, ed;
		if (i && c->s == z.c[i - 1].s && c->e == z.c[i - 1].e) {
			c->score = -1;
			continue;
		}
		if (own && 2 * anchor_claimed(m, c->s, c->e, a->start, a->end) > span) {
			c->score = -1; /* the new place of other old text */
			continue;
		}
		if (approx)
			ed = anchor_bv_ed(&bq, t + c->s, span);
		else
			ed = span == qn && memcmp(t + c->s, q, qn) == 0 ? 0 : qn + span;
		c->q = 1.0 - (double)ed / (double)(span > qn ? span : qn);
		double ctx = (anchor_context(m, &bp, c->s, 1) + anchor_context(m, &bs, c->e, 0)) / 2;
		double near = 1.0 / (1.0 + (double)anchor_absdiff(c->s, exp) / ANCHOR_NEAR_BYTES);
		c->score = ANCHOR_W_QUOTE * c->q + ANCHOR_W_CONTEXT * ctx + ANCHOR_W_NEAR * near;
		if (best == SIZE_MAX || c->score > z.c[best].score)
			best = i;
	}
	if (best != SIZE_MAX) {
		const struct anchor_cand *b = &z.c[best];
		for (size_t i = 0; i < z.n; i++) {
			const struct anchor_cand *c = &z.c[i];
			if (c->score < 0 || (c->s < b->e && b->s < c->e))
				continue;
			if (second == SIZE_MAX || c->score > z.c[second].score)
				second = i;
		}
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
	}
	free(z.c);
	return ok;
}

struct anchor_place anchor_place(const struct anchor_map *m, const struct anchor_old *a)
{
	struct anchor_place r = {ANCHOR_ORPHAN, 0, 0};
	size_t qn = a->quote_len;
	int own = m->old && a->start <= a->end && a->end <= m->oldn && a->end - a->start == qn &&
		  (!qn || memcmp(m->old + a->start, a->quote, qn) == 0);

	if (a->start <= a->end && a->end <= m->newn && a->end - a->start == qn &&
	    (!qn || memcmp(m->new_ + a->start, a->quote, qn) == 0) && anchor_span_ok(m, a->start, a->end)) {
		if (own && qn && anchor_moved(m, a, &r))
			return r;
		return (struct anchor_place){ANCHOR_EXACT, a->start, a->end};
	}
	if (!qn)
		return r;
	if (own && anchor_diff_place(m, a, &r))
		return r;
	if (anchor_fuzzy_place(m, a, anchor_expect(m, a->start), own, &r))
		return r;
	return (struct anchor_place){ANCHOR_ORPHAN, 0, 0};
}
