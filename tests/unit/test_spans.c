/*
 * test_spans.c: the interval index against a brute-force reference.
 *
 * The reference sorts with its own comparator and answers every query by
 * looking at every item; random sets (nested, duplicated, empty, identical
 * ranges with different ids) are checked at every position and every range.
 */
#include <stdint.h>
#include <stdlib.h>

#include "gloss/spans.h"
#include "t.h"

/* A small deterministic generator, so a failure can be replayed. */
static uint64_t rng_state = 88172645463325252u;

static size_t rnd(size_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? (size_t)(rng_state % n) : 0;
}

static int ref_cmp(const void *pa, const void *pb)
{
	const struct spans_item *p = pa, *q = pb;

	if (p->start != q->start)
		return p->start < q->start ? -1 : 1;
	if (p->end != q->end)
		return p->end < q->end ? 1 : -1;
	if (p->id != q->id)
		return p->id < q->id ? -1 : 1;
	return (p->tag > q->tag) - (p->tag < q->tag);
}

static int same_item(const struct spans_item *p, const struct spans_item *q)
{
	return p->start == q->start && p->end == q->end && p->id == q->id && p->tag == q->tag;
}

static int ref_contains(const struct spans_item *it, size_t pos)
{
	return it->start <= pos && pos < it->end;
}

static long ref_innermost(const struct spans_item *v, size_t n, size_t pos)
{
	long best = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!ref_contains(&v[i], pos))
			continue;
		if (best < 0 || v[i].end - v[i].start < v[best].end - v[best].start ||
		    (v[i].end - v[i].start == v[best].end - v[best].start && v[i].start > v[best].start))
			best = (long)i;
	}
	return best;
}

/* Random items over [0, len): nested, duplicated, empty and same-range ones. */
static size_t make_items(struct spans_item *v, size_t n, size_t len)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		v[i].id = (int64_t)rnd(1000) - 500;
		v[i].tag = (int)rnd(3);
		switch (rnd(6)) {
		case 0: /* empty */
			v[i].start = v[i].end = rnd(len + 1);
			break;
		case 1: /* the very same item again */
			if (i) {
				v[i] = v[rnd(i)];
				break;
			}
			/* fall through */
		case 2: /* the same range, another id */
			if (i) {
				j = rnd(i);
				v[i].start = v[j].start;
				v[i].end = v[j].end;
				break;
			}
			/* fall through */
		case 3: /* nested in an earlier one */
			j = i ? rnd(i) : 0;
			if (i && v[j].end > v[j].start) {
				v[i].start = v[j].start + rnd(v[j].end - v[j].start);
				v[i].end = v[i].start + rnd(v[j].end - v[i].start + 1);
				break;
			}
			/* fall through */
		default:
			v[i].start = rnd(len);
			v[i].end = v[i].start + rnd(len - v[i].start + 1);
			break;
		}
	}
	return n;
}

static void t_empty_index(void)
{
	struct spans *s = spans_new(NULL, 0);
	size_t out[4];

	T_EQ_INT(spans_count(s), 0);
	T_ASSERT(spans_at(s, 0) == NULL);
	T_EQ_INT(spans_overlapping(s, 0, 100, out, 4), 0);
	T_EQ_INT(spans_depth(s, 3), 0);
	T_EQ_INT(spans_innermost(s, 3), -1);
	T_EQ_INT(spans_next(s, 0, -1), -1);
	T_EQ_INT(spans_prev(s, 10, -1), -1);
	T_EQ_INT(spans_find(s, 0, 0, 1), -1);
	spans_free(s);
	spans_free(NULL);
}

/* A worked example, the one in the header's terms. */
static void t_example(void)
{
	/* "The claim, according to the source, was false." */
	static const struct spans_item in[] = {
		{ 4, 9, 30, 1 },   /* "claim" */
		{ 0, 47, 10, 0 },  /* the sentence */
		{ 11, 35, 20, 2 }, /* "according to the source" */
		{ 28, 34, 40, 2 }, /* "source" */
		{ 28, 34, 41, 3 }, /* "source" again, by someone else */
		{ 20, 20, 50, 0 }, /* empty, inside */
		{ 0, 3, 60, 1 },   /* "The" */
	};
	struct spans *s = spans_new(in, sizeof in / sizeof in[0]);
	size_t out[8], i;
	long cur;
	static const int64_t order[] = { 10, 60, 30, 20, 50, 40, 41 };

	T_EQ_INT(spans_count(s), 7);
	for (i = 0; i < 7; i++)
		T_EQ_INT(spans_at(s, i)->id, order[i]);
	T_ASSERT(spans_at(s, 7) == NULL);

	T_EQ_INT(spans_innermost(s, 30), 5);  /* "source": the first of two */
	T_EQ_INT(spans_depth(s, 30), 4);
	T_EQ_INT(spans_innermost(s, 20), 3);  /* the empty item holds nothing */
	T_EQ_INT(spans_depth(s, 20), 2);
	T_EQ_INT(spans_innermost(s, 47), -1);
	T_EQ_INT(spans_innermost(s, 3), 0);

	/* A point: items containing it.  A range: the empty one inside counts. */
	T_EQ_INT(spans_overlapping(s, 20, 20, out, 8), 2);
	T_EQ_INT(out[0], 0);
	T_EQ_INT(out[1], 3);
	T_EQ_INT(spans_overlapping(s, 19, 21, out, 8), 3);
	T_EQ_INT(out[2], 4);
	T_EQ_INT(spans_overlapping(s, 8, 30, out, 2), 6); /* only two written */
	T_EQ_INT(out[0], 0);
	T_EQ_INT(out[1], 2);
	T_EQ_INT(spans_overlapping(s, 8, 30, NULL, 0), 6);
	T_EQ_INT(spans_overlapping(s, 30, 20, out, 8), 0);

	/* `]` from the cursor at 0 skips what starts at 0, then walks the order. */
	T_EQ_INT(spans_next(s, 0, -1), 2);
	T_EQ_INT(spans_next(s, 28, -1), -1);
	T_EQ_INT(spans_prev(s, 28, -1), 4);
	T_EQ_INT(spans_prev(s, 29, -1), 6);
	T_EQ_INT(spans_prev(s, 0, -1), -1);
	T_EQ_INT(spans_next(s, 0, 5), 6);
	T_EQ_INT(spans_next(s, 0, 6), -1);
	T_EQ_INT(spans_prev(s, 0, 0), -1);
	T_EQ_INT(spans_next(s, 0, 7), -1);
	T_EQ_INT(spans_next(s, 0, -2), -1);
	for (cur = spans_prev(s, 1000, -1), i = 7; cur >= 0; cur = spans_prev(s, 0, cur))
		T_EQ_INT(cur, (long)--i);
	T_EQ_INT(i, 0);

	T_EQ_INT(spans_find(s, 28, 34, 41), 6);
	T_EQ_INT(spans_find(s, 28, 34, 42), -1);
	T_EQ_INT(spans_find(s, 20, 20, 50), 4);
	spans_free(s);
}

/* One random set, every query at every position against the reference. */
static int check_set(size_t n, size_t len, char *why, size_t whylen)
{
	struct spans_item *v = malloc((n + 1) * sizeof *v), *ref = malloc((n + 1) * sizeof *ref);
	size_t *out = malloc((n + 1) * sizeof *out), *exp = malloc((n + 1) * sizeof *exp);
	struct spans *s;
	size_t a, b, i, k, got, cap;
	long cur, want;
	int bad = 0;

	make_items(v, n, len);
	memcpy(ref, v, n * sizeof *v);
	qsort(ref, n, sizeof *ref, ref_cmp);
	s = spans_new(v, n);
	for (i = 0; i < n; i++)
		v[i].start = v[i].end = 7; /* the index holds its own copy */
	free(v);
	for (i = 0; i < n; i++)
		if (!same_item(&ref[i], spans_at(s, i))) {
			bad = snprintf(why, whylen, "n=%zu: item %zu out of order", n, i);
			goto done;
		}
	if (spans_at(s, n) != NULL) {
		bad = snprintf(why, whylen, "n=%zu: an item past the end", n);
		goto done;
	}

	for (a = 0; a <= len + 1; a++) {
		size_t depth = 0;

		for (i = 0; i < n; i++)
			depth += ref_contains(&ref[i], a);
		if (spans_depth(s, a) != depth) {
			bad = snprintf(why, whylen, "n=%zu: depth at %zu", n, a);
			goto done;
		}
		if (spans_innermost(s, a) != ref_innermost(ref, n, a)) {
			bad = snprintf(why, whylen, "n=%zu: innermost at %zu", n, a);
			goto done;
		}
		for (want = -1, i = 0; i < n && want < 0; i++)
			if (ref[i].start > a)
				want = (long)i;
		if (spans_next(s, a, -1) != want) {
			bad = snprintf(why, whylen, "n=%zu: next at %zu", n, a);
			goto done;
		}
		for (want = -1, i = n; i > 0 && want < 0; i--)
			if (ref[i - 1].start < a)
				want = (long)i - 1;
		if (spans_prev(s, a, -1) != want) {
			bad = snprintf(why, whylen, "n=%zu: prev at %zu", n, a);
			goto done;
		}
		for (b = a; b <= len + 1; b++) {
			for (k = 0, i = 0; i < n; i++)
				if (a == b ? ref_contains(&ref[i], a) : ref[i].start < b && ref[i].end > a)
					exp[k++] = i;
			cap = rnd(2) ? n + 1 : rnd(k + 1); /* sometimes too small */
			got = spans_overlapping(s, a, b, out, cap);
			if (got != k) {
				bad = snprintf(why, whylen, "n=%zu: [%zu,%zu) gave %zu, expected %zu", n, a, b, got, k);
				goto done;
			}
			for (i = 0; i < k && i < cap; i++)
				if (out[i] != exp[i]) {
					bad = snprintf(why, whylen, "n=%zu: [%zu,%zu) item %zu", n, a, b, i);
					goto done;
				}
		}
	}
	/* Walking with current alone reaches every item once, both ways. */
	for (i = 0, cur = n ? 0 : -1; cur >= 0; cur = spans_next(s, 0, cur), i++)
		if (cur != (long)i)
			break;
	if (i != n) {
		bad = snprintf(why, whylen, "n=%zu: ] walk stopped at %zu", n, i);
		goto done;
	}
	for (i = n, cur = spans_prev(s, len + 1, -1); cur >= 0; cur = spans_prev(s, len + 1, cur))
		if (cur != (long)--i)
			break;
	if (i != 0 || cur != -1)
		bad = snprintf(why, whylen, "n=%zu: [ walk stopped at %zu", n, i);
done:
	spans_free(s);
	free(ref);
	free(out);
	free(exp);
	return bad;
}

static void t_random_sets(void)
{
	static const size_t sizes[] = { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129 };
	char why[200];
	size_t i, round;

	for (round = 0; round < 8; round++)
		for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
			/* Short texts crowd the items; longer ones spread them. */
			size_t len = round % 2 ? 12 : 48;

			if (check_set(sizes[i], len, why, sizeof why))
				T_FAIL("%s", why);
		}
}

/* From -1 at a position before every start, `]` visits everything in order. */
static void t_walk_from_cursor(void)
{
	struct spans_item v[200];
	struct spans *s;
	size_t i, round;
	long cur;

	for (round = 0; round < 20; round++) {
		make_items(v, 200, 40);
		for (i = 0; i < 200; i++) {
			v[i].start += 1;
			v[i].end += 1;
		}
		s = spans_new(v, 200);
		for (i = 0, cur = spans_next(s, 0, -1); cur >= 0; cur = spans_next(s, 0, cur), i++)
			T_EQ_INT(cur, (long)i);
		T_EQ_INT(i, 200);
		for (i = 200, cur = spans_prev(s, 42, -1); cur >= 0; cur = spans_prev(s, 42, cur))
			T_EQ_INT(cur, (long)--i);
		T_EQ_INT(i, 0);
		spans_free(s);
	}
}

/*
 * A million items: item j is [j, j + 1 + j % 7) with id j, handed over
 * shuffled, plus one item over everything.  Queries in the middle against
 * answers computed from that rule.
 */
static void t_million(void)
{
	enum { N = 1000000 };
	struct spans_item *v = malloc((N + 1) * sizeof *v), tmp;
	struct spans *s;
	size_t out[64], i, j, m = N / 2, k;
	long x, want;

	T_ASSERT(v != NULL);
	for (i = 0; i < N; i++) {
		v[i].start = i;
		v[i].end = i + 1 + i % 7;
		v[i].id = (int64_t)i;
		v[i].tag = 0;
	}
	for (i = N - 1; i > 0; i--) {
		j = rnd(i + 1);
		tmp = v[i];
		v[i] = v[j];
		v[j] = tmp;
	}
	v[N].start = 0;
	v[N].end = 2 * (size_t)N;
	v[N].id = -1;
	v[N].tag = 1;
	s = spans_new(v, N + 1);
	free(v);
	T_EQ_INT(spans_count(s), N + 1);
	T_EQ_INT(spans_at(s, 0)->id, -1); /* the long one comes first */
	T_EQ_INT(spans_at(s, 1)->id, 0);
	T_EQ_INT(spans_at(s, m + 1)->id, (int64_t)m);

	/* Containing m: the big one, and every j <= m with j + 1 + j % 7 > m. */
	for (k = 1, j = m >= 6 ? m - 6 : 0; j <= m; j++)
		k += j + 1 + j % 7 > m;
	T_EQ_INT(spans_depth(s, m), k);
	T_EQ_INT(spans_overlapping(s, m, m, out, 64), k);
	T_EQ_INT(out[0], 0);
	T_EQ_INT(spans_at(s, out[k - 1])->id, (int64_t)m);
	/* The shortest of them (no two of the same length start together here). */
	for (want = -1, j = m - 6; j <= m; j++)
		if (j + 1 + j % 7 > m && (want < 0 || 1 + j % 7 <= 1 + (size_t)want % 7))
			want = (long)j;
	x = spans_innermost(s, m);
	T_ASSERT(x >= 0);
	T_EQ_INT(spans_at(s, (size_t)x)->id, want);

	/* A screen's worth: [m, m + 40). */
	for (k = 1, j = m - 6; j < m + 40; j++)
		k += j + 1 + j % 7 > m;
	T_EQ_INT(spans_overlapping(s, m, m + 40, out, 64), k);
	for (i = 1; i < k; i++)
		T_ASSERT(out[i] > out[i - 1]);
	T_EQ_INT(spans_at(s, out[k - 1])->id, (int64_t)(m + 39));

	T_EQ_INT(spans_next(s, m, -1), (long)(m + 2));
	T_EQ_INT(spans_prev(s, m, -1), (long)m);
	T_EQ_INT(spans_find(s, m, m + 1 + m % 7, (int64_t)m), (long)(m + 1));
	T_EQ_INT(spans_innermost(s, 2 * (size_t)N - 1), 0);
	T_EQ_INT(spans_depth(s, 2 * (size_t)N), 0);
	spans_free(s);
}

int main(void)
{
	T_RUN(t_empty_index);
	T_RUN(t_example);
	T_RUN(t_random_sets);
	T_RUN(t_walk_from_cursor);
	T_RUN(t_million);
	T_DONE();
}
