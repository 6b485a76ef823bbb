/*
 * fuzz_search: the input's first line (at most PATTERN_MAX bytes of it) is
 * the pattern, the rest the text; an input with no line feed uses its first
 * four bytes as the pattern and all of it as the text.
 *
 * search_new() must refuse exactly the empty and the ill-formed patterns.
 * Every match must lie in [lo, hi], start and end on code point boundaries,
 * hold well-formed UTF-8, and equal the pattern code point by code point,
 * each compared as its canonical decomposition (exact) or the decomposition
 * of its full case folding (otherwise).  And each answer, forward and
 * backward, over the whole text and over ranges, must be the one a slow
 * reference finds: at every code point boundary, compare code point by code
 * point (each document code point's form, from libunistring's u8_normalize
 * or u8_casefold, must fit the pattern's whole), a run of blanks and tabs in
 * the pattern meeting all the white space there (blank, tab, CR, LF,
 * U+00A0) up to the range's end, at least one, and never starting inside a
 * run of it.
 */
#include <string.h>
#include <unicase.h>
#include <uninorm.h>
#include <unistr.h>

#include "fuzz.h"
#include "gloss/search.h"

#define PATTERN_MAX 64
#define NONE ((size_t)-1)
#define WS 0xFFFFFFFFu /* in a folded pattern: a run of blanks */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_locale();
	return 0;
}

/* The canonical decomposition of s[0..n) (one code point), of its full case
 * folding unless exact, as code points; *len of them. */
static uint32_t *fold(const char *s, size_t n, bool exact, size_t *len)
{
	size_t flen = 0, ulen = 0;
	uint8_t *f = exact ? u8_normalize(UNINORM_NFD, (const uint8_t *)s, n, NULL, &flen)
			   : u8_casefold((const uint8_t *)s, n, NULL, UNINORM_NFD, NULL, &flen);
	uint32_t *u;

	CHECK(f || n == 0, "u8_casefold or u8_normalize failed");
	u = u8_to_u32(f, flen, NULL, &ulen);
	CHECK(u || flen == 0, "u8_to_u32 failed");
	free(f);
	*len = ulen;
	return u;
}

/* Is cp white space that a blank of a pattern meets? */
static bool ref_ws(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' || cp == 0xA0;
}

/* s[0..n) (well-formed) code point by code point through fold(): *len code
 * points; with blanks, each run of blanks and tabs becomes one WS. */
static uint32_t *fold_each_ws(const char *s, size_t n, bool exact, bool blanks, size_t *len);

static uint32_t *fold_each(const char *s, size_t n, bool exact, size_t *len)
{
	return fold_each_ws(s, n, exact, false, len);
}

static uint32_t *fold_each_ws(const char *s, size_t n, bool exact, bool blanks, size_t *len)
{
	uint32_t *all = NULL, cp;
	size_t nall = 0, i = 0;

	while (i < n) {
		size_t nf;
		int l = fuzz_utf8_one((const unsigned char *)s + i, n - i, &cp);
		uint32_t *f;

		CHECK(l > 0, "ill-formed bytes given to fold_each");
		if (blanks && (cp == ' ' || cp == '\t')) {
			if (nall == 0 || all[nall - 1] != WS) {
				all = realloc(all, (nall + 2) * sizeof *all);
				CHECK(all, "out of memory");
				all[nall++] = WS;
			}
			i += (size_t)l;
			continue;
		}
		f = fold(s + i, (size_t)l, exact, &nf);
		all = realloc(all, (nall + nf + 1) * sizeof *all);
		CHECK(all, "out of memory");
		memcpy(all + nall, f, nf * sizeof *f);
		nall += nf;
		free(f);
		i += (size_t)l;
	}
	*len = nall;
	return all;
}

/*
 * The end of the match the reference finds at boundary i of s[0..n), or
 * NONE: code point by code point, each well-formed, its form (fold) a whole
 * piece of pf.
 */
static size_t ref_match_at(const char *s, size_t n, size_t i, bool exact, const uint32_t *pf,
			   size_t npf)
{
	size_t k = 0;

	while (k < npf) {
		uint32_t cp, *f;
		size_t nf;
		int len;

		if (i >= n)
			return NONE;
		len = fuzz_utf8_one((const unsigned char *)s + i, n - i, &cp);
		if (!len)
			return NONE;
		if (pf[k] == WS) {
			if (!ref_ws(cp))
				return NONE;
			while (i < n && (len = fuzz_utf8_one((const unsigned char *)s + i, n - i, &cp)) > 0 &&
			       ref_ws(cp))
				i += (size_t)len;
			k++;
			continue;
		}
		f = fold(s + i, (size_t)len, exact, &nf);
		if (k + nf > npf || memcmp(f, pf + k, nf * sizeof *f) != 0) {
			free(f);
			return NONE;
		}
		free(f);
		k += nf;
		i += (size_t)len;
	}
	return i;
}

/* A boundary of s[0..n) at or before p. */
static size_t boundary_at(const char *s, size_t n, size_t p)
{
	return p >= n ? n : util_utf8_back(s, p);
}

/* The expected answer from the table of match ends (ends[i] for each start i). */
static bool ref_find(const size_t *ends, size_t lo, size_t hi, size_t from, bool backward,
		     size_t *ms, size_t *me)
{
	size_t i;

	if (!backward) {
		for (i = from > lo ? from : lo; i < hi; i++)
			if (ends[i] != NONE && ends[i] <= hi)
				return *ms = i, *me = ends[i], true;
		return false;
	}
	for (i = from < hi ? from : hi; i > lo; i--)
		if (ends[i - 1] != NONE && ends[i - 1] <= hi)
			return *ms = i - 1, *me = ends[i - 1], true;
	return false;
}

static bool no_cancel(void *arg)
{
	++*(unsigned long *)arg;
	return false;
}

/* Does white space end at i (lo < i), in the code point before it? */
static bool ref_ws_before(const char *s, size_t lo, size_t i)
{
	size_t b = util_utf8_back(s, i - 1);
	uint32_t cp;

	return b >= lo && fuzz_utf8_one((const unsigned char *)s + b, i - b, &cp) == (int)(i - b) &&
	       ref_ws(cp);
}

/* The reference's match ends for the range [lo, hi), by start: a run of
 * white space stops at hi, and a match opening with one starts where the
 * white space does (or at lo). */
static size_t *ref_ends(const char *s, size_t n, size_t lo, size_t hi, bool exact, const uint32_t *pf,
			size_t npf)
{
	size_t *ends = malloc((n + 1) * sizeof *ends), i;

	CHECK(ends, "out of memory");
	for (i = 0; i <= n; i++) {
		ends[i] = NONE;
		if (i < lo || i >= hi || !fuzz_boundary(s, n, i))
			continue;
		if (npf && pf[0] == WS && i > lo && ref_ws_before(s, lo, i))
			continue;
		ends[i] = ref_match_at(s, hi, i, exact, pf, npf);
	}
	return ends;
}

static void query(const struct search *q, const char *s, size_t n, const size_t *all_ends, size_t lo,
		  size_t hi, size_t from, bool backward, const uint32_t *pf, size_t npf)
{
	size_t ms = NONE, me = NONE, rs = NONE, re = NONE, mlen, nf, k;
	unsigned long calls = 0;
	bool got, want, blanks = false;
	const size_t *ends = all_ends;
	size_t *own = NULL;
	uint32_t *f;

	for (k = 0; k < npf; k++)
		blanks = blanks || pf[k] == WS;
	/* white space runs end at the range's end: the table is the range's own */
	if (blanks)
		ends = own = ref_ends(s, n, lo, hi, search_exact(q), pf, npf);
	got = search_find(q, s, lo, hi, from, backward, &ms, &me, backward ? NULL : no_cancel, &calls);
	want = ref_find(ends, lo, hi, from, backward, &rs, &re);
	free(own);
	CHECK(got == want && (!got || (ms == rs && me == re)),
	      "%s from %zu in [%zu, %zu): found %d [%zu, %zu), reference %d [%zu, %zu)",
	      backward ? "backward" : "forward", from, lo, hi, got, ms, me, want, rs, re);
	if (!got)
		return;
	CHECK(lo <= ms && ms < me && me <= hi, "match [%zu, %zu) outside [%zu, %zu)", ms, me, lo, hi);
	CHECK(backward ? ms < from : ms >= from, "match at %zu, from %zu %s", ms, from,
	      backward ? "backward" : "forward");
	CHECK(fuzz_boundary(s, n, ms) && fuzz_boundary(s, n, me), "match [%zu, %zu) off boundaries",
	      ms, me);
	mlen = me - ms;
	CHECK(fuzz_utf8_valid(s + ms, mlen), "match [%zu, %zu) holds ill-formed bytes", ms, me);
	if (blanks)
		return; /* the reference found the same: its white space is checked there */
	f = fold_each(s + ms, mlen, search_exact(q), &nf);
	CHECK(nf == npf && memcmp(f, pf, nf * sizeof *f) == 0,
	      "match [%zu, %zu) is another text than the pattern", ms, me);
	free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rng rng = fuzz_rng_of(data, size);
	const uint8_t *lf = size ? memchr(data, '\n', size) : NULL;
	size_t plen, tstart, n, i, npf = 0, *ends;
	char pat[PATTERN_MAX + 1], *s;
	struct search *q;
	uint32_t *pf;
	bool valid;

	if (lf) {
		plen = (size_t)(lf - data);
		tstart = plen + 1;
	} else {
		plen = size < 4 ? size : 4;
		tstart = 0;
	}
	if (plen > PATTERN_MAX)
		plen = PATTERN_MAX;
	memcpy(pat, data, plen);
	pat[plen] = '\0';
	plen = strlen(pat); /* the pattern is a C string: it ends at a NUL */
	valid = plen > 0 && fuzz_utf8_valid(pat, plen);

	q = search_new(pat);
	CHECK(!q == !valid, "search_new(\"%s\") %s", pat, q ? "accepted it" : util_errmsg());
	if (!q)
		return 0;
	CHECK(strcmp(search_pattern(q), pat) == 0, "search_pattern is \"%s\"", search_pattern(q));

	n = size - tstart;
	s = fuzz_copy(data + tstart, n);
	CHECK(!search_find(q, s, 0, 0, 0, false, &i, &i, NULL, NULL), "a match in an empty range");
	CHECK(!search_find(q, NULL, 0, 0, 0, true, &i, &i, NULL, NULL), "a match in no text");

	/* Every match the reference sees, by its start. */
	pf = fold_each_ws(pat, plen, search_exact(q), true, &npf);
	ends = malloc((n + 1) * sizeof *ends);
	CHECK(ends, "out of memory");
	for (i = 0; i <= n; i++)
		ends[i] = i < n && fuzz_boundary(s, n, i) ?
			ref_match_at(s, n, i, search_exact(q), pf, npf) : NONE;

	query(q, s, n, ends, 0, n, 0, false, pf, npf);
	query(q, s, n, ends, 0, n, n, true, pf, npf);
	for (i = 0; i < 12; i++) {
		size_t a = boundary_at(s, n, fuzz_upto(&rng, n));
		size_t b = boundary_at(s, n, fuzz_upto(&rng, n));
		size_t lo = i < 4 ? 0 : a < b ? a : b, hi = i < 4 ? n : a < b ? b : a;
		size_t from = fuzz_upto(&rng, n + 1);

		query(q, s, n, ends, lo, hi, from, i % 2, pf, npf);
	}
	free(ends);
	free(pf);
	free(s);
	search_free(q);
	return 0;
}
