/*
 * fuzz_anchor: the input is an old text, a form feed, and a new text.  A
 * few spans of the old text, drawn from the input's hash, are annotated as
 * the store does (anchor_make) and placed in the new text by a map that
 * knows the old text, and by one that does not.  An input with no form
 * feed is both texts, with the spans' offsets moved a little, so that the
 * search without an old text runs.  Some annotations carry a quote that
 * is not what their offsets hold, as a stale record would.
 *
 * Every placement must lie in the new text, start <= end, on code point
 * boundaries; an orphan is 0, 0; an exact one slices to the quote at the
 * old offsets.  When both texts are the same bytes, every annotation whose
 * offsets hold its quote on boundaries comes back exact.
 */
#include <string.h>

#include "fuzz.h"
#include "gloss/anchor.h"

#define SPANS 12
#define SPAN_MAX 200

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_locale();
	return 0;
}

static const char *how_name(enum anchor_how how)
{
	return how == ANCHOR_EXACT ? "exact" : how == ANCHOR_DIFF ? "diff" : how == ANCHOR_FUZZY ? "fuzzy" : "orphan";
}

static void check_place(const char *new_, size_t newn, const struct anchor_old *a, struct anchor_place p,
			bool knows_old)
{
	CHECK(p.how >= ANCHOR_ORPHAN && p.how <= ANCHOR_FUZZY, "how %d", (int)p.how);
	if (p.how == ANCHOR_ORPHAN) {
		CHECK(p.start == 0 && p.end == 0, "orphan at [%zu, %zu)", p.start, p.end);
		return;
	}
	CHECK(p.start <= p.end && p.end <= newn, "%s [%zu, %zu) outside %zu bytes", how_name(p.how), p.start,
	      p.end, newn);
	CHECK(fuzz_boundary(new_, newn, p.start) && fuzz_boundary(new_, newn, p.end),
	      "%s [%zu, %zu) inside a code point", how_name(p.how), p.start, p.end);
	if (p.how == ANCHOR_EXACT) {
		CHECK(p.start == a->start && p.end == a->end, "exact [%zu, %zu) moved from [%zu, %zu)", p.start,
		      p.end, a->start, a->end);
		CHECK(p.end - p.start == a->quote_len && !memcmp(new_ + p.start, a->quote, a->quote_len),
		      "exact [%zu, %zu) is not the quote", p.start, p.end);
	}
	CHECK(knows_old || p.how != ANCHOR_DIFF, "a diff placement without an old text");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rng rng = fuzz_rng_of(data, size);
	char *buf = fuzz_copy(data, size);
	const char *ff = memchr(buf, '\f', size);
	const char *old = buf, *new_;
	size_t oldn, newn;
	bool shift = !ff;

	if (ff) {
		oldn = (size_t)(ff - buf);
		new_ = ff + 1;
		newn = size - oldn - 1;
	} else {
		oldn = newn = size;
		new_ = buf;
	}
	/* Each text in its own block, so that ASan sees a read past either. */
	char *o = fuzz_copy((const uint8_t *)old, oldn), *n = fuzz_copy((const uint8_t *)new_, newn);
	struct anchor_map *with = anchor_map_new(o, oldn, n, newn), *without = anchor_map_new(NULL, 0, n, newn);
	bool same = oldn == newn && !memcmp(o, n, oldn);
	size_t count = 1 + fuzz_upto(&rng, SPANS - 1);

	for (size_t k = 0; k < count; k++) {
		size_t start = fuzz_upto(&rng, oldn), end, room = oldn - start;
		struct anchor an;
		struct anchor_old a;
		bool stale = fuzz_upto(&rng, 7) == 0;

		end = start + fuzz_upto(&rng, room < SPAN_MAX ? room : SPAN_MAX);
		if (fuzz_upto(&rng, 3)) { /* as the store makes them: on boundaries */
			while (!fuzz_boundary(o, oldn, start))
				start--;
			while (!fuzz_boundary(o, oldn, end))
				end++;
		}
		anchor_make(o, oldn, start, end, &an);
		a.start = start;
		a.end = end;
		a.quote = an.quote;
		a.quote_len = end - start;
		/* The context, with its length: the text may hold NUL bytes. */
		size_t cs = start, ce = end;
		for (int i = 0; i < ANCHOR_CONTEXT && cs > 0; i++)
			cs = util_utf8_back(o, cs - 1);
		for (int i = 0; i < ANCHOR_CONTEXT && ce < oldn; i++) {
			uint32_t cp;
			int valid;
			ce += (size_t)util_utf8_decode(o + ce, oldn - ce, &cp, &valid);
		}
		a.prefix = o + cs;
		a.prefix_len = start - cs;
		a.suffix = o + end;
		a.suffix_len = ce - end;
		CHECK(!memcmp(an.prefix, a.prefix, a.prefix_len) && !memcmp(an.suffix, a.suffix, a.suffix_len),
		      "anchor_make's context differs");
		if (stale && a.quote_len)
			an.quote[fuzz_upto(&rng, a.quote_len - 1)] ^= (char)(1 + fuzz_upto(&rng, 254));
		if (shift) {
			size_t d = fuzz_upto(&rng, 32);
			if (fuzz_upto(&rng, 1) && d <= a.start) {
				a.start -= d;
				a.end -= d;
			} else {
				a.start += d;
				a.end += d;
			}
		}
		struct anchor_place p = anchor_place(with, &a);
		check_place(n, newn, &a, p, true);
		if (same && !stale && !shift && fuzz_boundary(o, oldn, start) && fuzz_boundary(o, oldn, end))
			CHECK(p.how == ANCHOR_EXACT, "unchanged text, [%zu, %zu) placed %s", start, end,
			      how_name(p.how));
		check_place(n, newn, &a, anchor_place(without, &a), false);
		anchor_release(&an);
	}
	anchor_map_free(with);
	anchor_map_free(without);
	free(o);
	free(n);
	free(buf);
	return 0;
}
