/*
 * search.c: smartcase search.  An exact ASCII pattern is found with memmem;
 * any other by walking the document one code point at a time, comparing each
 * one's canonical decomposition (NFD), case folded unless the search is
 * exact, with the pattern's.  ASCII takes a fast path.  Blanks in the
 * pattern match any run of white space, line ends included, so a phrase is
 * found across the line ends of wrapped text.
 */
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>

#include "gloss/search.h"
#include "gloss/util.h"

#define SEARCH_CANCEL_EVERY (4u << 20)
/* code points one code point can become: decomposed, then case folded and
 * decomposed again (U+1F82 gives four) */
#define SEARCH_FOLD_MAX 8
/* In the folded pattern: a run of blanks, which matches a run of white space
 * (never a code point's form: those are at most U+10FFFF) */
#define SEARCH_WS 0xFFFFFFFFu

/* The forms of the non-ASCII code points met last, by the code point's low
 * byte: a text in one script uses a few dozen, and asking libunistring for
 * each one every time cost ten times the walk. */
#define SEARCH_CACHE 256
struct search_cache {
	uint32_t cp[SEARCH_CACHE];  /* 0: empty (never a non-ASCII code point) */
	uint8_t n[SEARCH_CACHE];
	uint32_t f[SEARCH_CACHE][SEARCH_FOLD_MAX];
};

struct search {
	struct search_cache *cache; /* owned; filled while searching */
	char *pattern;
	size_t len;        /* bytes of pattern */
	bool exact;
	bool ascii;        /* exact and ASCII (but K ; `), no blank: memmem finds it */
	size_t lead;       /* exact ASCII: bytes before its first blank, which memmem
			    * finds where a match starts (0: none) */
	uint32_t *fold;    /* the pattern as search_fold_cp makes it, as code points,
			    * each run of blanks one SEARCH_WS */
	size_t nfold;
};

/* White space that a blank of the pattern matches: blank, tab, the line
 * ends, and the no-break space (two bytes); its length at s[i], or 0. */
static size_t search_ws_at(const char *s, size_t i, size_t hi)
{
	unsigned char c = (unsigned char)s[i];

	if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
		return 1;
	return c == 0xC2 && i + 1 < hi && (unsigned char)s[i + 1] == 0xA0 ? 2 : 0;
}

/*
 * What one code point is compared as: its canonical decomposition (so that
 * "é" and "e" + U+0301 are the same), with full case folding unless exact.
 * At most SEARCH_FOLD_MAX code points.
 */
static size_t search_fold_cp(uint32_t cp, bool exact, uint32_t out[SEARCH_FOLD_MAX])
{
	uint32_t buf[SEARCH_FOLD_MAX];
	size_t len = SEARCH_FOLD_MAX;
	uint32_t *r;

	if (cp < 0x80) {
		out[0] = (!exact && cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
		return 1;
	}
	if (exact)
		r = u32_normalize(UNINORM_NFD, &cp, 1, buf, &len);
	else
		r = u32_casefold(&cp, 1, NULL, UNINORM_NFD, buf, &len);
	if (!r || len == 0 || len > SEARCH_FOLD_MAX) {
		if (r && r != buf)
			free(r);
		out[0] = cp;
		return 1;
	}
	memcpy(out, r, len * sizeof *r);
	if (r != buf)
		free(r);
	return len;
}

/* search_fold_cp for q, through its cache; the form stays in the cache. */
static const uint32_t *search_form(const struct search *q, uint32_t cp, size_t *n)
{
	struct search_cache *c = q->cache;
	size_t slot = cp % SEARCH_CACHE;

	if (c->cp[slot] != cp) {
		c->n[slot] = (uint8_t)search_fold_cp(cp, q->exact, c->f[slot]);
		c->cp[slot] = cp;
	}
	*n = c->n[slot];
	return c->f[slot];
}

struct search *search_new(const char *pattern)
{
	struct search *q;
	size_t n = strlen(pattern), i;
	uint32_t cp, f[SEARCH_FOLD_MAX];
	int valid;

	if (n == 0) {
		util_error("empty search pattern");
		return NULL;
	}
	q = util_calloc(1, sizeof *q);
	q->cache = util_calloc(1, sizeof *q->cache);
	q->pattern = util_strdup(pattern);
	q->len = n;
	q->fold = util_malloc(SEARCH_FOLD_MAX * n * sizeof *q->fold);
	q->ascii = true;
	for (i = 0; i < n;) {
		i += (size_t)util_utf8_decode(pattern + i, n - i, &cp, &valid);
		if (!valid) {
			util_error("search pattern is not valid UTF-8");
			search_free(q);
			return NULL;
		}
		if (uc_is_upper(cp) || uc_tolower(cp) != cp)
			q->exact = true;
		q->ascii = q->ascii && cp < 0x80;
	}
	/* Three characters decompose to ASCII alone: U+212A KELVIN SIGN to K,
	 * U+037E GREEK QUESTION MARK to ';', U+1FEF to '`'; a pattern holding
	 * one of those is walked, so that it finds them too. */
	q->ascii = q->ascii && q->exact && !strpbrk(pattern, "K;`");
	if (q->ascii && strpbrk(pattern, " \t")) {
		q->ascii = false;
		q->lead = strcspn(pattern, " \t");
	}
	for (i = 0; i < n;) {
		i += (size_t)util_utf8_decode(pattern + i, n - i, &cp, &valid);
		if (cp == ' ' || cp == '\t') {
			if (q->nfold == 0 || q->fold[q->nfold - 1] != SEARCH_WS)
				q->fold[q->nfold++] = SEARCH_WS;
			continue;
		}
		size_t k = search_fold_cp(cp, q->exact, f);
		memcpy(q->fold + q->nfold, f, k * sizeof *f);
		q->nfold += k;
	}
	return q;
}

void search_free(struct search *q)
{
	if (!q)
		return;
	free(q->cache);
	free(q->pattern);
	free(q->fold);
	free(q);
}

const char *search_pattern(const struct search *q)
{
	return q->pattern;
}

bool search_exact(const struct search *q)
{
	return q->exact;
}

/* The end of a match walked code point by code point starting at i, or 0
 * when none starts there. */
static size_t search_match_at(const struct search *q, const char *s, size_t i, size_t hi)
{
	size_t k = 0;
	uint32_t cp;
	int valid;

	while (k < q->nfold) {
		if (i >= hi)
			return 0;
		if (q->fold[k] == SEARCH_WS) {
			/* all the white space there is, at least one */
			size_t w, start = i;
			while (i < hi && (w = search_ws_at(s, i, hi)) > 0)
				i += w;
			if (i == start)
				return 0;
			k++;
			continue;
		}
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			uint32_t lc = (!q->exact && c >= 'A' && c <= 'Z') ? c + 32u : c;
			if (lc != q->fold[k])
				return 0;
			k++;
			i++;
			continue;
		}
		int used = util_utf8_decode(s + i, hi - i, &cp, &valid);
		if (!valid)
			return 0;
		size_t nf;
		const uint32_t *f = search_form(q, cp, &nf);
		/* The match must not end inside one character's folding. */
		if (k + nf > q->nfold || memcmp(f, q->fold + k, nf * sizeof *f) != 0)
			return 0;
		k += nf;
		i += (size_t)used;
	}
	return i;
}

static bool search_is_cp_start(const char *s, size_t lo, size_t i)
{
	return i == lo || ((unsigned char)s[i] & 0xC0) != 0x80 || util_utf8_back(s, i) == i;
}

/* Is there white space right before i (lo < i)? */
static bool search_ws_before(const char *s, size_t lo, size_t i)
{
	return search_ws_at(s, i - 1, i) || (i - lo >= 2 && search_ws_at(s, i - 2, i) == 2);
}

static bool search_exact_ok(const struct search *q, const char *s, size_t lo, size_t hi, size_t i)
{
	return search_is_cp_start(s, lo, i) && (i + q->len >= hi || search_is_cp_start(s, lo, i + q->len));
}

/* The first match starting in [from, until) (until <= hi) within s[lo..hi). */
static bool search_forward(const struct search *q, const char *s, size_t lo, size_t hi,
			   size_t from, size_t until, size_t *ms, size_t *me,
			   bool (*cancel)(void *), void *arg)
{
	size_t i = from < lo ? lo : from;

	while (i < until) {
		size_t stop = until - i > SEARCH_CANCEL_EVERY ? i + SEARCH_CANCEL_EVERY : until;
		if (cancel && cancel(arg))
			return false;
		if (q->ascii) {
			/* Search a little past stop so a match across the seam is seen once. */
			size_t lim = stop + q->len - 1 < hi ? stop + q->len - 1 : hi;
			while (i < stop) {
				const char *p = memmem(s + i, lim - i, q->pattern, q->len);
				if (!p)
					break;
				size_t at = (size_t)(p - s);
				if (at >= stop)
					break;
				if (search_exact_ok(q, s, lo, hi, at)) {
					*ms = at;
					*me = at + q->len;
					return true;
				}
				i = at + 1;
			}
		} else if (q->lead) {
			/* the bytes before the first blank start every match */
			size_t lim = stop + q->lead - 1 < hi ? stop + q->lead - 1 : hi;
			while (i < stop) {
				const char *p = memmem(s + i, lim - i, q->pattern, q->lead);
				if (!p || (size_t)(p - s) >= stop)
					break;
				size_t at = (size_t)(p - s), e;
				if (search_is_cp_start(s, lo, at) && (e = search_match_at(q, s, at, hi))) {
					*ms = at;
					*me = e;
					return true;
				}
				i = at + 1;
			}
		} else {
			uint32_t first = q->fold[0];
			for (; i < stop; i++) {
				unsigned char c = (unsigned char)s[i];
				if (first == SEARCH_WS) {
					/* a match starts where the white space does */
					if (!search_ws_at(s, i, hi) || (i > lo && search_ws_before(s, lo, i)))
						continue;
				} else if (c < 0x80) {
					uint32_t lc = (!q->exact && c >= 'A' && c <= 'Z') ? c + 32u : c;
					if (lc != first)
						continue;
				} else if ((c & 0xC0) == 0x80) {
					continue;
				}
				size_t e = search_match_at(q, s, i, hi);
				if (e) {
					*ms = i;
					*me = e;
					return true;
				}
			}
		}
		i = stop;
	}
	return false;
}

static bool search_backward(const struct search *q, const char *s, size_t lo, size_t hi,
			    size_t from, size_t *ms, size_t *me, bool (*cancel)(void *), void *arg)
{
	size_t i = from > hi ? hi : from, looked = 0;

	while (i > lo) {
		i--;
		if (++looked >= SEARCH_CANCEL_EVERY) {
			looked = 0;
			if (cancel && cancel(arg))
				return false;
		}
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xC0) == 0x80)
			continue;
		if (q->ascii) {
			if (c == (unsigned char)q->pattern[0] && hi - i >= q->len &&
			    memcmp(s + i, q->pattern, q->len) == 0 && search_exact_ok(q, s, lo, hi, i)) {
				*ms = i;
				*me = i + q->len;
				return true;
			}
		} else if (q->fold[0] != SEARCH_WS || i == lo || !search_ws_before(s, lo, i)) {
			size_t e = search_match_at(q, s, i, hi);
			if (e) {
				*ms = i;
				*me = e;
				return true;
			}
		}
	}
	return false;
}

bool search_find(const struct search *q, const char *s, size_t lo, size_t hi,
		 size_t from, bool backward, size_t *mstart, size_t *mend,
		 bool (*cancel)(void *), void *arg)
{
	if (!s || lo >= hi)
		return false;
	if (backward)
		return search_backward(q, s, lo, hi, from, mstart, mend, cancel, arg);
	return search_forward(q, s, lo, hi, from, hi, mstart, mend, cancel, arg);
}

bool search_find_starting(const struct search *q, const char *s, size_t lo, size_t hi,
			  size_t from, size_t until, size_t *mstart, size_t *mend,
			  bool (*cancel)(void *), void *arg)
{
	if (!s || lo >= hi)
		return false;
	return search_forward(q, s, lo, hi, from, until < hi ? until : hi, mstart, mend, cancel, arg);
}
