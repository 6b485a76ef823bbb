/* Unit tests for anchor: quote and context in code points. */
#include <stdlib.h>
#include <string.h>

#include "gloss/anchor.h"
#include "gloss/util.h"
#include "t.h"

static void test_context_in_code_points(void)
{
	/* 40 two-byte letters, a quote, 40 more. */
	char s[512] = "";
	struct anchor a;
	for (int i = 0; i < 40; i++)
		strcat(s, "\xc3\xa9");
	size_t start = strlen(s);
	strcat(s, "the claim");
	size_t end = strlen(s);
	for (int i = 0; i < 40; i++)
		strcat(s, "\xe2\x80\x9c");
	anchor_make(s, strlen(s), start, end, &a);
	T_EQ_STR(a.quote, "the claim");
	T_EQ_INT(strlen(a.prefix), 64); /* 32 code points of 2 bytes */
	T_EQ_INT(strlen(a.suffix), 96); /* 32 of 3 bytes */
	anchor_release(&a);
	T_ASSERT(a.quote == NULL);
}

static void test_edges_and_bad_bytes(void)
{
	struct anchor a;
	anchor_make("abc", 3, 0, 3, &a);
	T_EQ_STR(a.prefix, "");
	T_EQ_STR(a.suffix, "");
	T_EQ_STR(a.quote, "abc");
	anchor_release(&a);
	anchor_make("ab\xff\xfe" "cd", 6, 4, 5, &a);
	T_EQ_STR(a.prefix, "ab\xff\xfe");
	T_EQ_STR(a.suffix, "d");
	anchor_release(&a);
	anchor_make("xyz", 3, 5, 9, &a); /* clamped */
	T_EQ_STR(a.quote, "");
	T_EQ_STR(a.prefix, "xyz");
	anchor_release(&a);
	/* The prefix never starts inside a code point. */
	anchor_make("\xe4\xb8\xad" "a", 4, 3, 4, &a);
	T_EQ_STR(a.prefix, "\xe4\xb8\xad");
	anchor_release(&a);
}

/* ---------------------------------------------------------------- re-anchoring */

static const char *t_how[] = {"orphan", "exact", "diff", "fuzzy"};

/* Offset of the nth (0-based) copy of q in s, or -1. */
static long t_find(const char *s, const char *q, int nth)
{
	const char *p = s;
	for (;;) {
		p = strstr(p, q);
		if (!p)
			return -1;
		if (nth-- == 0)
			return p - s;
		p++;
	}
}

/*
 * Annotate old[start, end) as the store would (anchor_make), then place
 * it in new_, the map knowing old unless forget is set.
 */
static struct anchor_place t_place_n(const char *old, size_t oldn, const char *new_, size_t newn,
				     size_t start, size_t end, int forget)
{
	struct anchor an;
	struct anchor_old a;
	struct anchor_map *m;
	struct anchor_place p;

	anchor_make(old, oldn, start, end, &an);
	a.start = start;
	a.end = end;
	a.quote = an.quote;
	a.quote_len = end - start;
	a.prefix = an.prefix;
	a.prefix_len = strlen(an.prefix);
	a.suffix = an.suffix;
	a.suffix_len = strlen(an.suffix);
	m = anchor_map_new(forget ? NULL : old, oldn, new_, newn);
	p = anchor_place(m, &a);
	anchor_map_free(m);
	anchor_release(&an);
	return p;
}

/* The same for the nth copy of quote in NUL-terminated texts. */
static struct anchor_place t_place(const char *old, const char *new_, const char *quote, int nth, int forget)
{
	long at = t_find(old, quote, nth);
	if (at < 0)
		return (struct anchor_place){ANCHOR_ORPHAN, 1, 1}; /* a broken test, not an orphan */
	return t_place_n(old, strlen(old), new_, strlen(new_), (size_t)at, (size_t)at + strlen(quote), forget);
}

/* p is placed as how, on new_'s slice want (its nth copy when nth >= 0). */
#define T_PLACED(p, new_, how_, want, nth) do { \
	struct anchor_place t_p_ = (p); \
	long t_at_ = (nth) >= 0 ? t_find((new_), (want), (nth)) : -1; \
	if (t_p_.how != (how_)) \
		T_FAIL("placed %s [%zu, %zu), expected %s", t_how[t_p_.how], t_p_.start, t_p_.end, t_how[how_]); \
	if (t_p_.end - t_p_.start != strlen(want) || memcmp((new_) + t_p_.start, (want), strlen(want))) \
		T_FAIL("placed on \"%.*s\", expected \"%s\"", (int)(t_p_.end - t_p_.start), (new_) + t_p_.start, (want)); \
	if ((nth) >= 0 && (long)t_p_.start != t_at_) \
		T_FAIL("placed at %zu, expected copy %d at %ld", t_p_.start, (int)(nth), t_at_); \
} while (0)

#define T_ORPHAN(p) do { \
	struct anchor_place t_p_ = (p); \
	if (t_p_.how != ANCHOR_ORPHAN || t_p_.start || t_p_.end) \
		T_FAIL("placed %s [%zu, %zu), expected an orphan", t_how[t_p_.how], t_p_.start, t_p_.end); \
} while (0)

static const char T_OLD[] =
	"The city council met on Tuesday evening. Members voted seven to two to approve the new budget "
	"after a long debate. The mayor said the figures were conservative.\n\n"
	"Critics pointed out that the plan relies on hiring forty new staff. A spokesperson for the "
	"treasurer declined to comment on the report.\n\n"
	"Residents who spoke at the meeting mostly asked about bus routes and library hours.\n";

static void test_exact_when_only_later_text_changes(void)
{
	char new_[1024];
	snprintf(new_, sizeof new_, "%sA late addition at the end.\n", T_OLD);
	T_PLACED(t_place(T_OLD, new_, "voted seven to two", 0, 0), new_, ANCHOR_EXACT, "voted seven to two", 0);
	T_PLACED(t_place(T_OLD, T_OLD, "bus routes", 0, 0), T_OLD, ANCHOR_EXACT, "bus routes", 0);
	/* Without the old text too. */
	T_PLACED(t_place(T_OLD, new_, "bus routes", 0, 1), new_, ANCHOR_EXACT, "bus routes", 0);
}

static void test_diff_edits_before_and_after(void)
{
	char new_[1024];
	/* Inserted before, deleted after. */
	snprintf(new_, sizeof new_, "Breaking: %s", T_OLD);
	T_PLACED(t_place(T_OLD, new_, "the figures were conservative", 0, 0), new_, ANCHOR_DIFF,
		 "the figures were conservative", 0);
	/* Deleted before. */
	const char *cut = strstr(T_OLD, "Critics");
	T_PLACED(t_place(T_OLD, cut, "hiring forty new staff", 0, 0), cut, ANCHOR_DIFF, "hiring forty new staff", 0);
	/* Right up against the quote on both sides. */
	snprintf(new_, sizeof new_, "%.*sMOSTLY ASKED, %s", (int)t_find(T_OLD, "bus routes", 0), T_OLD,
		 strstr(T_OLD, "bus routes"));
	{
		char *p = strstr(new_, "bus routes") + strlen("bus routes");
		memmove(p + 9, p, strlen(p) + 1);
		memcpy(p, " (and 3)", 8);
		p[8] = ' ';
	}
	T_PLACED(t_place(T_OLD, new_, "bus routes", 0, 0), new_, ANCHOR_DIFF, "bus routes", 0);
}

static void test_diff_word_changed_inside(void)
{
	char new_[1024];
	/* Both ends unchanged: the new slice, with its new word. */
	snprintf(new_, sizeof new_, "Updated. %s", T_OLD);
	char *w = strstr(new_, "approve");
	memcpy(w, "endorse", 7);
	T_PLACED(t_place(T_OLD, new_, "voted seven to two to approve the new budget", 0, 0), new_, ANCHOR_DIFF,
		 "voted seven to two to endorse the new budget", 0);
	/* A longer and a shorter word, with nothing else changed. */
	const char *old2 = "One. The treasurer said spending on roads rose sharply last year. Two.";
	const char *new2 = "One. The treasurer said spending on highways rose sharply last year. Two.";
	const char *new3 = "One. The treasurer said spending on it rose sharply last year. Two.";
	T_PLACED(t_place(old2, new2, "said spending on roads rose sharply", 0, 0), new2, ANCHOR_DIFF,
		 "said spending on highways rose sharply", 0);
	T_PLACED(t_place(old2, new3, "said spending on roads rose sharply", 0, 0), new3, ANCHOR_DIFF,
		 "said spending on it rose sharply", 0);
	/* The last word of the quote replaced: the span takes the new word. */
	const char *new4 = "One. The treasurer said spending on roads fell sharply last year. Two.";
	T_PLACED(t_place(old2, new4, "The treasurer said spending on roads rose", 0, 0), new4, ANCHOR_DIFF,
		 "The treasurer said spending on roads fell", 0);
	/* A word inserted, one deleted. */
	const char *new5 = "One. The treasurer said that spending on roads rose sharply last year. Two.";
	const char *new6 = "One. The treasurer said spending on roads rose last year. Two.";
	T_PLACED(t_place(old2, new5, "treasurer said spending on roads", 0, 0), new5, ANCHOR_DIFF,
		 "treasurer said that spending on roads", 0);
	T_PLACED(t_place(old2, new6, "spending on roads rose sharply last year", 0, 0), new6, ANCHOR_DIFF,
		 "spending on roads rose last year", 0);
}

static void test_diff_moved_paragraphs(void)
{
	const char *p1 = strstr(T_OLD, "Critics"), *p2 = strstr(T_OLD, "Residents");
	char new_[1024];
	/* The third paragraph first, then the first, then the second. */
	snprintf(new_, sizeof new_, "%s\n%.*s%.*s", p2, (int)(p1 - T_OLD), T_OLD, (int)(p2 - p1), p1);
	T_PLACED(t_place(T_OLD, new_, "bus routes and library hours", 0, 0), new_, ANCHOR_DIFF,
		 "bus routes and library hours", 0);
	T_PLACED(t_place(T_OLD, new_, "The mayor said", 0, 0), new_, ANCHOR_DIFF, "The mayor said", 0);
	T_PLACED(t_place(T_OLD, new_, "declined to comment", 0, 0), new_, ANCHOR_DIFF, "declined to comment", 0);
}

static void test_fuzzy_without_old_text(void)
{
	char new_[1024];
	snprintf(new_, sizeof new_, "An introduction of some length comes first now.\n\n%s", T_OLD);
	T_PLACED(t_place(T_OLD, new_, "declined to comment", 0, 1), new_, ANCHOR_FUZZY, "declined to comment", 0);
	/* And a word changed inside the quote too. */
	char *w = strstr(new_, "forty");
	memcpy(w, "fifty", 5);
	T_PLACED(t_place(T_OLD, new_, "relies on hiring forty new staff", 0, 1), new_, ANCHOR_FUZZY,
		 "relies on hiring fifty new staff", 0);
}

static void test_fuzzy_when_the_diff_cannot(void)
{
	/* A sentence moved away on its own and changed on the way. */
	const char *old = "Alpha opens the story here. The mayor said the figures were conservative and fair. "
			  "Beta continues with details. Gamma ends it.";
	const char *new_ = "Alpha opens the story here. Beta continues with details. Gamma ends it. "
			   "The mayor stated the figures were conservative and fair.";
	T_PLACED(t_place(old, new_, "the figures were conservative and fair", 0, 0), new_, ANCHOR_FUZZY,
		 "the figures were conservative and fair", 0);
	T_PLACED(t_place(old, new_, "The mayor said the figures", 0, 0), new_, ANCHOR_FUZZY,
		 "The mayor stated the figures", 0);
}

static void test_repeated_sentence(void)
{
	const char *s = "Officials said the bridge would reopen in May.";
	char old[512], new_[1024];
	snprintf(old, sizeof old, "First, the news. %s Then something else happened entirely. %s Finally, the end.",
		 s, s);
	/* Text inserted before both copies: each annotation keeps its copy. */
	snprintf(new_, sizeof new_, "Added a lead sentence. %s", old);
	T_PLACED(t_place(old, new_, "the bridge would reopen", 0, 0), new_, ANCHOR_DIFF, "the bridge would reopen", 0);
	T_PLACED(t_place(old, new_, "the bridge would reopen", 1, 0), new_, ANCHOR_DIFF, "the bridge would reopen", 1);
	/* Without the old text: context tells them apart. */
	T_PLACED(t_place(old, new_, "the bridge would reopen", 0, 1), new_, ANCHOR_FUZZY, "the bridge would reopen", 0);
	T_PLACED(t_place(old, new_, "the bridge would reopen", 1, 1), new_, ANCHOR_FUZZY, "the bridge would reopen", 1);
	/* A copy annotated, then deleted: the other copy is not its text. */
	snprintf(new_, sizeof new_, "First, the news. Then something else happened entirely. %s Finally, the end.", s);
	T_ORPHAN(t_place(old, new_, "the bridge would reopen", 0, 0));
	T_PLACED(t_place(old, new_, "the bridge would reopen", 1, 0), new_, ANCHOR_DIFF, "the bridge would reopen", 0);
}

static void test_repeated_by_position(void)
{
	/* Two copies with the same context; only the old position tells. */
	const char *block = "== Officials said the bridge would reopen in May after repairs. ==\n";
	char old[4096], new_[4200];
	size_t n = 0;
	n += (size_t)snprintf(old + n, sizeof old - n, "%s", block);
	for (int i = 0; i < 20; i++)
		n += (size_t)snprintf(old + n, sizeof old - n, "Filler line %d of the report, about other things.\n", i);
	snprintf(old + n, sizeof old - n, "%s", block);
	snprintf(new_, sizeof new_, "Note.\n%s", old);
	T_PLACED(t_place(old, new_, "the bridge would reopen", 1, 1), new_, ANCHOR_FUZZY, "the bridge would reopen", 1);
	T_PLACED(t_place(old, new_, "the bridge would reopen", 0, 1), new_, ANCHOR_FUZZY, "the bridge would reopen", 0);
}

static void test_ambiguous_is_orphan(void)
{
	/* The old text is unknown, its offset far from both identical copies. */
	const char *block = "== Officials said the bridge would reopen in May after repairs. ==\n";
	char old[8192], new_[8192];
	size_t n = 0;
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(old + n, sizeof old - n, "Filler line %d of the report, about other things.\n", i);
	snprintf(old + n, sizeof old - n, "%s", block);
	snprintf(new_, sizeof new_, "%s%s", block, block);
	T_ORPHAN(t_place(old, new_, "the bridge would reopen", 0, 1));
	/* And the old text known, but rewritten around two new copies. */
	T_ORPHAN(t_place(old, new_, "the bridge would reopen", 0, 0));
}

static void test_deleted_and_shrunk(void)
{
	const char *old = "Alpha opens the story. The mayor said the figures were conservative. Gamma ends it.";
	const char *new_ = "Alpha opens the story. Gamma ends it.";
	T_ORPHAN(t_place(old, new_, "the figures were conservative", 0, 0));
	T_ORPHAN(t_place(old, new_, "the figures were conservative", 0, 1));
	/* Shrunk to nothing: everything is an orphan. */
	const char *quotes[] = {"voted seven to two", "bus routes", "T", "\n\n", "Residents who spoke"};
	for (size_t i = 0; i < sizeof quotes / sizeof *quotes; i++) {
		T_ORPHAN(t_place(T_OLD, "", quotes[i], 0, 0));
		T_ORPHAN(t_place(T_OLD, "", quotes[i], 0, 1));
	}
	/* Or to something else entirely. */
	T_ORPHAN(t_place(T_OLD, "Completely different words about another matter.", "bus routes", 0, 0));
	/* Most of the quote gone: not the same text any more. */
	const char *new2 = "Alpha opens the story. The mayor was conservative. Gamma ends it.";
	T_ORPHAN(t_place(old, new2, "The mayor said the figures were conservative", 0, 0));
}

static void test_unicode(void)
{
	const char *old = "東京の会議は火曜日に開かれた。市長は予算案を承認したと述べた。"
			  "Caf\xc3\xa9 owners \xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd were pleased; "
			  "the re\xcc\x81sume\xcc\x81 of e\xcc\x81vents follows. 最後の文です。";
	char new_[1024];
	snprintf(new_, sizeof new_, "速報：%s", old);
	T_PLACED(t_place(old, new_, "市長は予算案を承認した", 0, 0), new_, ANCHOR_DIFF, "市長は予算案を承認した", 0);
	T_PLACED(t_place(old, new_, "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd were", 0, 0), new_, ANCHOR_DIFF,
		 "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd were", 0);
	T_PLACED(t_place(old, new_, "re\xcc\x81sume\xcc\x81", 0, 1), new_, ANCHOR_FUZZY, "re\xcc\x81sume\xcc\x81", 0);
	/* One ideograph changed inside a CJK quote. */
	char *w = strstr(new_, "承認");
	memcpy(w, "否決", strlen("否決"));
	T_PLACED(t_place(old, new_, "市長は予算案を承認したと述べた", 0, 0), new_, ANCHOR_DIFF,
		 "市長は予算案を否決したと述べた", 0);
	T_PLACED(t_place(old, new_, "市長は予算案を承認したと述べた", 0, 1), new_, ANCHOR_FUZZY,
		 "市長は予算案を否決したと述べた", 0);
	/* A combining mark added to the last letter of a quote: the same bytes
	 * at the same offsets are still exact (code points, not clusters) ... */
	const char *old2 = "We met at the cafe on Main Street yesterday.";
	const char *new2 = "We met at the cafe\xcc\x81 on Main Street yesterday.";
	T_PLACED(t_place(old2, new2, "met at the cafe", 0, 0), new2, ANCHOR_EXACT, "met at the cafe", 0);
	/* ... but a span that moved takes the accent with it. */
	const char *new3 = "So we met at the cafe\xcc\x81 on Main Street yesterday.";
	T_PLACED(t_place(old2, new3, "met at the cafe", 0, 0), new3, ANCHOR_DIFF, "met at the cafe\xcc\x81", 0);
	T_PLACED(t_place(old2, new3, "met at the cafe", 0, 1), new3, ANCHOR_FUZZY, "met at the cafe\xcc\x81", 0);
}

/* Every placement of every span of old into new_ is in range and on boundaries. */
static int t_all_spans_sane(const char *old, size_t oldn, const char *new_, size_t newn)
{
	for (size_t s = 0; s < oldn; s++) {
		for (size_t e = s + 1; e <= oldn && e <= s + 12; e++) {
			for (int forget = 0; forget < 2; forget++) {
				struct anchor_place p = t_place_n(old, oldn, new_, newn, s, e, forget);
				if (p.start > p.end || p.end > newn)
					return 0;
				if (p.start && p.start < newn && util_utf8_back(new_, p.start) != p.start)
					return 0;
				if (p.end && p.end < newn && util_utf8_back(new_, p.end) != p.end)
					return 0;
				if (p.how == ANCHOR_EXACT && (p.end - p.start != e - s || memcmp(new_ + p.start, old + s, e - s)))
					return 0;
			}
		}
	}
	return 1;
}

static void test_invalid_utf8(void)
{
	const char old[] = "Bad bytes \xff\xfe here, a cut \xe2\x82 sequence and \xc3\xa9t\xc3\xa9 words.";
	const char new_[] = "New start. Bad bytes \xff\xfe here, a cut \xe2\x82 sequence and \xc3\xa9t\xc3\xa9 words.";
	T_PLACED(t_place(old, new_, "\xff\xfe here", 0, 0), new_, ANCHOR_DIFF, "\xff\xfe here", 0);
	T_PLACED(t_place(old, new_, "cut \xe2\x82 seq", 0, 1), new_, ANCHOR_FUZZY, "cut \xe2\x82 seq", 0);
	/* A stray continuation byte that the new text makes part of a character. */
	const char old2[] = "abc \x80\x80 def";
	const char new2[] = "abc\xe2\x80\x80 def";
	struct anchor_place p = t_place_n(old2, strlen(old2), new2, strlen(new2), 5, 6, 0);
	T_ASSERT(p.how == ANCHOR_ORPHAN || util_utf8_back(new2, p.start) == p.start);
	T_ASSERT(t_all_spans_sane(old, sizeof old - 1, new_, sizeof new_ - 1));
	T_ASSERT(t_all_spans_sane(old2, sizeof old2 - 1, new2, sizeof new2 - 1));
	T_ASSERT(t_all_spans_sane(new2, sizeof new2 - 1, old2, sizeof old2 - 1));
	/* NUL bytes are text like any other. */
	const char old3[] = "one\0two three\0four";
	const char new3[] = "zero\0one\0two three\0four";
	p = t_place_n(old3, sizeof old3 - 1, new3, sizeof new3 - 1, 4, 13, 0);
	T_EQ_INT(p.how, ANCHOR_DIFF);
	T_EQ_INT(p.start, 9);
	T_EQ_INT(p.end, 18);
}

static void test_old_text_unknown_or_inconsistent(void)
{
	struct anchor_map *m = anchor_map_new(NULL, 0, T_OLD, strlen(T_OLD));
	struct anchor_old a = {0};
	struct anchor_place p;

	/* Offsets out of range, no context: found by the quote alone. */
	a.start = 5000;
	a.end = 5010;
	a.quote = "bus routes";
	a.quote_len = 10;
	p = anchor_place(m, &a);
	T_PLACED(p, T_OLD, ANCHOR_FUZZY, "bus routes", 0);
	anchor_map_free(m);

	/* The old text known, but the offsets do not hold the quote there. */
	m = anchor_map_new(T_OLD, strlen(T_OLD), T_OLD, strlen(T_OLD));
	a.start = 3;
	a.end = 13;
	p = anchor_place(m, &a);
	T_PLACED(p, T_OLD, ANCHOR_FUZZY, "bus routes", 0);
	/* An empty quote is placed only where it was. */
	a.quote_len = 0;
	a.end = 3;
	p = anchor_place(m, &a);
	T_EQ_INT(p.how, ANCHOR_EXACT);
	a.start = a.end = 100000;
	T_ORPHAN(anchor_place(m, &a));
	anchor_map_free(m);
}

/* A big document with scattered edits; and two big unrelated texts. */
static void test_large(void)
{
	size_t cap = 4u << 20, n = 0, k = 0;
	char *old = malloc(cap), *new_ = malloc(cap + 65536);
	struct anchor_map *m;
	T_ASSERT(old && new_);
	for (int i = 0; n + 200 < cap; i++)
		n += (size_t)snprintf(old + n, cap - n, "Paragraph %d says the value %d was %s.\n", i, i * 7919 % 10007,
				      i % 3 ? "reported" : "disputed");
	/* Every 1000th line gets a word changed, every 997th a line inserted. */
	for (size_t i = 0, line = 0; i < n; line++) {
		const char *eol = memchr(old + i, '\n', n - i);
		size_t len = (size_t)(eol - (old + i)) + 1;
		if (line % 997 == 0)
			k += (size_t)sprintf(new_ + k, "An inserted line %zu.\n", line);
		memcpy(new_ + k, old + i, len);
		if (line % 1000 == 500) {
			char *w = memmem(new_ + k, len, "value", 5);
			memcpy(w, "VALUE", 5);
		}
		k += len;
		i += len;
	}
	m = anchor_map_new(old, n, new_, k);
	const char *probe[] = {"Paragraph 500 says the value", "Paragraph 41000 says", "Paragraph 79999 says the"};
	const char *want[] = {"Paragraph 500 says the VALUE", "Paragraph 41000 says", "Paragraph 79999 says the"};
	for (int i = 0; i < 3; i++) {
		char *at = memmem(old, n, probe[i], strlen(probe[i]));
		struct anchor_old a = {0};
		T_ASSERT(at);
		a.start = (size_t)(at - old);
		a.end = a.start + strlen(probe[i]);
		a.quote = probe[i];
		a.quote_len = strlen(probe[i]);
		struct anchor_place p = anchor_place(m, &a);
		T_EQ_INT(p.how, ANCHOR_DIFF);
		T_ASSERT(p.end - p.start == strlen(want[i]) && !memcmp(new_ + p.start, want[i], strlen(want[i])));
		T_ASSERT(memmem(new_, k, want[i], strlen(want[i])) == new_ + p.start);
	}
	anchor_map_free(m);
	/* Unrelated texts of 1 MB: nothing matches, and it ends. */
	for (size_t i = 0; i < (1u << 20); i++)
		new_[i] = "abcdefgh \n"[(i * 2654435761u >> 7) % 10];
	m = anchor_map_new(old, 1u << 20, new_, 1u << 20);
	struct anchor_old a = {0};
	a.start = 4000;
	a.end = 4030;
	a.quote = old + 4000;
	a.quote_len = 30;
	T_ORPHAN(anchor_place(m, &a));
	anchor_map_free(m);
	free(old);
	free(new_);
}

int main(void)
{
	T_RUN(test_context_in_code_points);
	T_RUN(test_edges_and_bad_bytes);
	T_RUN(test_exact_when_only_later_text_changes);
	T_RUN(test_diff_edits_before_and_after);
	T_RUN(test_diff_word_changed_inside);
	T_RUN(test_diff_moved_paragraphs);
	T_RUN(test_fuzzy_without_old_text);
	T_RUN(test_fuzzy_when_the_diff_cannot);
	T_RUN(test_repeated_sentence);
	T_RUN(test_repeated_by_position);
	T_RUN(test_ambiguous_is_orphan);
	T_RUN(test_deleted_and_shrunk);
	T_RUN(test_unicode);
	T_RUN(test_invalid_utf8);
	T_RUN(test_old_text_unknown_or_inconsistent);
	T_RUN(test_large);
	T_DONE();
}
