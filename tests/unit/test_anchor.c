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
	/* And the old text known, but rewritten around two new copies.  (Had
	 * it ended with the block as the old one did, the common end would
	 * have told which copy it was.) */
	snprintf(new_, sizeof new_, "A new start.\n%sA middle part.\n%sAn end.\n", block, block);
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

	/* No place at all, as the store says when it has no old text: the
	 * context picks the copy, and a big text is searched for copies. */
	const char *two = "Critics pointed out that the plan relies on hiring. The mayor said the plan was sound.";
	m = anchor_map_new(NULL, 0, two, strlen(two));
	a.start = a.end = SIZE_MAX;
	a.quote = "the plan";
	a.quote_len = 8;
	a.prefix = "The mayor said ";
	a.prefix_len = strlen(a.prefix);
	a.suffix = " was sound.";
	a.suffix_len = strlen(a.suffix);
	T_PLACED(anchor_place(m, &a), two, ANCHOR_FUZZY, "the plan", 1);
	a.prefix = "Critics pointed out that ";
	a.prefix_len = strlen(a.prefix);
	a.suffix = " relies on hiring";
	a.suffix_len = strlen(a.suffix);
	T_PLACED(anchor_place(m, &a), two, ANCHOR_FUZZY, "the plan", 0);
	anchor_map_free(m);
	{
		size_t n = 3u << 20;
		char *big = malloc(n);
		T_ASSERT(big);
		for (size_t i = 0; i < n; i++)
			big[i] = "abcdefgh \n"[i * 7 % 10];
		memcpy(big + n / 3, "Critics pointed out that the plan relies on hiring", 50);
		m = anchor_map_new(NULL, 0, big, n);
		p = anchor_place(m, &a);
		T_EQ_INT(p.how, ANCHOR_FUZZY);
		T_EQ_INT(p.start, n / 3 + 25);
		T_EQ_INT(p.end, n / 3 + 33);
		anchor_map_free(m);
		free(big);
	}
	a.prefix_len = a.suffix_len = 0;
	a.quote = "bus routes";
	a.quote_len = 10;

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

static void test_insert_beside_repeated_word(void)
{
	/* The new word could be aligned inside the span or beside it. */
	const char *old = "First. The council voted yes on Tuesday. Last.";
	const char *new_ = "First, then. The council voted voted yes on Tuesday. Last.";
	T_PLACED(t_place(old, new_, "council voted", 0, 0), new_, ANCHOR_DIFF, "council voted", 0);
	const char *old2 = "東京の市長は会議政府。次の文です。";
	const char *new2 = "速報：東京の市長は会議政府政府。次の文です。";
	T_PLACED(t_place(old2, new2, "会議政府", 0, 0), new2, ANCHOR_DIFF, "会議政府", 0);
}

static void test_fuzzy_edges_follow_words(void)
{
	/* The edit distance alone would start inside "spokesperson". */
	const char *old = "Intro text. They asked two fa\xc3\xa7" "ade new about analysts roads treasurer. End.";
	const char *new_ = "Some new intro text here. They asked two fa\xc3\xa7" "ade spokesperson about analysts roads "
			   "treasurer. End.";
	T_PLACED(t_place(old, new_, "fa\xc3\xa7" "ade new about analysts roads", 0, 1), new_, ANCHOR_FUZZY,
		 "fa\xc3\xa7" "ade spokesperson about analysts roads", 0);
	/* A word inserted right before a quote stays out of it. */
	const char *old2 = "Opening words. The council government mostly evidence according a found minister. End.";
	const char *new2 = "Opening words, more. The council government mostly evidence amendments according a found "
			   "minister. End.";
	T_PLACED(t_place(old2, new2, "according a found", 0, 1), new2, ANCHOR_FUZZY, "according a found", 0);
}

/* The last line deleted: the line before it now ends the text, and ends
 * with the same words as the deleted one.  Their common end is not the
 * deleted line's text: what was on it is orphaned. */
static void test_last_line_deleted(void)
{
	const char *old = "The embassy revoked his asylum in April.\n"
			  "He now faces charges unrelated to the 2016 election.\n"
			  "Clinton has blamed WikiLeaks for her defeat to Trump in the 2016 election.";
	const char *new_ = "The embassy revoked his asylum in April.\n"
			   "He now faces charges unrelated to the 2016 election.";

	T_ORPHAN(t_place(old, new_, "Trump in the 2016 election.", 0, 0));
	T_ORPHAN(t_place(old, new_, "Clinton has blamed WikiLeaks for her defeat to Trump in the 2016 election.", 0, 0));
	T_PLACED(t_place(old, new_, "He now faces charges unrelated to the 2016 election.", 0, 0), new_,
		 ANCHOR_EXACT, "He now faces charges unrelated to the 2016 election.", 0);
	T_PLACED(t_place(old, new_, "the 2016 election.", 0, 0), new_, ANCHOR_EXACT, "the 2016 election.", 0);

	/* A common end that starts whole sentences is kept: with one of two
	 * like sentences gone from the last line, a quote across the join is
	 * still placed where its one copy is. */
	const char *rep = "The office declined to comment.\n"
			  "The vote was delayed again. He now faces charges in the 2016 election. "
			  "He now faces charges in the 2016 election. Critics called it a mistake.";
	const char *once = "The office declined to comment.\n"
			   "The vote was delayed again. He now faces charges in the 2016 election. "
			   "Critics called it a mistake.";
	T_PLACED(t_place(rep, once, "the 2016 election. Critics called it", 0, 0), once, ANCHOR_DIFF,
		 "the 2016 election. Critics called it", 0);
}

/* A word edited at a quote's edge, with text added beside it: the quote
 * does not take in the added text, neither a sentence nor a line, nor a
 * word whose first letters the old word shares ("The reports" for "They"). */
static void test_edge_edit_beside_added_text(void)
{
	const char *old = "Intro line here.\n"
			  "A security guard at the embassy broke protocol in the summer of 2016.\n"
			  "They show that Assange ran the operations of the group from a room in the embassy for years.\n"
			  "Clinton has blamed WikiLeaks for her defeat in the 2016 election.\n"
			  "The end.\n";
	const char *new_ = "Correction: an earlier version misnamed the guard.\n"
			   "Intro line here.\n"
			   "Correction: an earlier version misnamed him.\nOne security guard at the embassy broke protocol in the summer of 2016.\n"
			   "The reports were leaked. They show, according to one firm, that Assange ran the operations of the group from a room in the embassy for years.\n"
			   "Clinton has blamed WikiLeaks for her defeat in the 2016 race. A spokesman did not respond.\n"
			   "The end.\n";

	T_PLACED(t_place(old, new_, "A security guard at the embassy broke protocol in the summer of 2016.", 0, 0),
		 new_, ANCHOR_DIFF, "One security guard at the embassy broke protocol in the summer of 2016.", 0);
	T_PLACED(t_place(old, new_, "They show that Assange ran the operations of the group from a room in the embassy for years.", 0, 0),
		 new_, ANCHOR_DIFF,
		 "They show, according to one firm, that Assange ran the operations of the group from a room in the embassy for years.", 0);
	/* and at the end: a sentence added after an edited last word, its full
	 * stop kept, is not taken in */
	T_PLACED(t_place(old, new_, "Clinton has blamed WikiLeaks for her defeat in the 2016 election.", 0, 0),
		 new_, ANCHOR_DIFF, "Clinton has blamed WikiLeaks for her defeat in the 2016 race.", 0);
	/* one word edited before the full stop: the quote keeps its end */
	T_PLACED(t_place("Intro.\nThe council approved the plan on Monday.\nEnd.\n",
			 "Intro.\nThe council approved the plan on Tuesday.\nEnd.\n",
			 "The council approved the plan on Monday.", 0, 0),
		 "Intro.\nThe council approved the plan on Tuesday.\nEnd.\n", ANCHOR_DIFF,
		 "The council approved the plan on Tuesday.", 0);
}

static void test_short_quote_chance_copy(void)
{
	/* A deleted two-word quote, the same two words elsewhere in new text. */
	const char *old = "The report came out. Officials were naive told the panel on Monday. Then it rained.";
	const char *new_ = "The report came out. Then it rained. A different story: the guide was naive told nobody.";
	T_ORPHAN(t_place(old, new_, "naive told", 0, 0));
	T_ORPHAN(t_place(old, new_, "naive told", 0, 1));
}

/* Text this repetitive has a copy of any quote everywhere: bounded, and no guess. */
static void test_repetitive_text(void)
{
	size_t n = 1u << 20, k = 0;
	char *old = malloc(n), *new_ = malloc(n + 64);
	T_ASSERT(old && new_);
	for (size_t i = 0; i < n; i += 2) {
		old[i] = 'a';
		old[i + 1] = ' ';
	}
	for (size_t i = 0; i < n; i++) {
		new_[k++] = old[i];
		if (i % 65537 == 7)
			new_[k++] = 'b';
	}
	struct anchor_map *m = anchor_map_new(old, n, new_, k);
	for (size_t at = 1000; at < n; at += n / 16) {
		struct anchor_old a = {0};
		a.start = at;
		a.end = at + 9;
		a.quote = old + at;
		a.quote_len = 9;
		a.prefix = old + at - 64;
		a.prefix_len = 64;
		a.suffix = old + at + 9;
		a.suffix_len = 64;
		struct anchor_place p = anchor_place(m, &a);
		T_ASSERT(p.start <= p.end && p.end <= k);
		if (p.how != ANCHOR_ORPHAN)
			T_ASSERT(p.end - p.start == 9 && !memcmp(new_ + p.start, old + at, 9));
	}
	anchor_map_free(m);
	free(old);
	free(new_);
}

static void test_exact_offsets_but_moved(void)
{
	/* The same bytes at the same offsets, but they are a new copy: the
	 * annotated sentence, with its context, is now further on. */
	const char *old = "Xylophone one. Quote text here. Yellow one.\n";
	const char *new_ = "Zebras go two. Quote text here. Walrus two.\nXylophone one. Quote text here. Yellow one.\n";
	T_PLACED(t_place(old, new_, "Quote text here", 0, 0), new_, ANCHOR_DIFF, "Quote text here", 1);
}

static void test_rewritten_sentence_shares_words(void)
{
	/* "the city" also ends up in the sentence that replaced this one: a
	 * chance match of two words, not the annotated text. */
	const char *old = "Opening. Officials said the city council voted on Friday. Closing.";
	const char *new_ = "Opening. Last night a storm hit the city and flooded roads. Closing.";
	T_ORPHAN(t_place(old, new_, "the city", 0, 0));
}

/*
 * Two copies of a sentence: X ends a paragraph, Y (in another) does not.
 * Then X's paragraph moves before Y's and gets a sentence after X, and a
 * word of Y's quote changes: X's new unit is now byte for byte what Y's
 * was, and a diff of units pairs them crosswise.
 */
static void test_repeated_copies_crossed(void)
{
	const char *S = "Officials said the bridge on Main Street would reopen in May after repairs.";
	const char *q = "Main Street would reopen in May";
	char old[1024], new_[1024];
	snprintf(old, sizeof old, "A lead paragraph opens the story.\n\nAlpha starts the first paragraph here. %s "
		 "Beta ends the first paragraph.\n\nGamma starts the second one. %s\n\nOmega is the last.\n", S, S);
	snprintf(new_, sizeof new_, "A lead paragraph opens the story.\n\nGamma starts the second one. %s Delta was "
		 "added after it.\n\nAlpha starts the first paragraph here. Officials said the bridge on Main Street "
		 "would reopen in June after repairs. Beta ends the first paragraph.\n\nOmega is the last.\n", S);
	struct anchor_place y = t_place(old, new_, q, 0, 0);
	T_ASSERT(y.how == ANCHOR_ORPHAN || y.start > (size_t)t_find(new_, "Alpha", 0));
	T_PLACED(t_place(old, new_, q, 1, 0), new_, ANCHOR_DIFF, q, 0);
}

static void test_deleted_quote_with_a_twin(void)
{
	/* The quote deleted from its sentence; the sentence's twin, moved and
	 * edited, still holds those words: they are the twin's, not its. */
	const char *S = "The mayor said the new budget was balanced and fair.";
	char old[1024], new_[1024];
	snprintf(old, sizeof old, "Opening words of the report today. %s Then came questions.\n\nLater on, another "
		 "part. %s The end of that part.\n", S, S);
	snprintf(new_, sizeof new_, "Later on, another part was moved up. A new sentence here. The mayor said the new "
		 "budget was balanced and very fair. The end of that part changed.\n\nOpening words of the report "
		 "today. The mayor said was balanced and fair. Then came questions.\n");
	T_ORPHAN(t_place(old, new_, "the new budget", 0, 0));
}

static void test_emoji_sequence_is_one_word(void)
{
	/* A family emoji (three emoji joined by U+200D) replaced by a word: one word changed. */
	const char *old = "First sentence here. They said repairs press \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9"
			  "\xe2\x80\x8d\xf0\x9f\x91\xa7 budget today. Last one.";
	const char *new_ = "First sentence, edited. They said repairs press transport budget today. Last one.";
	T_PLACED(t_place(old, new_, "repairs press \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f"
			 "\x91\xa7 budget", 0, 0), new_, ANCHOR_DIFF, "repairs press transport budget", 0);
}

static void test_context_compared_by_code_points(void)
{
	/* Context is compared by code points: the emoji put before the right
	 * copy is one edit of a few, not eighteen bytes' worth. */
	const char *old = "Intro. The city council voted that the bridge would reopen on Friday evening in the hall. Outro.";
	const char *new_ = "Intro, revised. The city cabinet voted that the bridge would reopen on Monday morning by the "
			   "city. Middle text goes here for a while. The city council voted that \xf0\x9f\x91\xa8\xe2\x80"
			   "\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7 the bridge would reopen on Friday evening in "
			   "the hall. Outro.";
	T_PLACED(t_place(old, new_, "the bridge would reopen", 0, 1), new_, ANCHOR_FUZZY, "the bridge would reopen", 1);
}

static void test_moved_lines_differing_by_a_number(void)
{
	/* Every line moved; each holds the quote's words, but only one is its line. */
	char old[4096], new_[4096];
	size_t n = 0, k = 0;
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(old + n, sizeof old - n, "Line %d of a text that is reversed in the new one.\n", i);
	for (int i = 39; i >= 0; i--)
		k += (size_t)snprintf(new_ + k, sizeof new_ - k, "Line %d of a text that is reversed in the new one.\n", i);
	for (int i = 0; i < 40; i += 7) {
		char line[64];
		snprintf(line, sizeof line, "Line %d of", i);
		long at = t_find(old, line, 0) + (long)strlen(line);
		struct anchor_place p = t_place_n(old, n, new_, k, (size_t)at, (size_t)at + 25, 0);
		T_EQ_INT(p.how, ANCHOR_DIFF);
		T_EQ_INT(p.start, t_find(new_, line, 0) + (long)strlen(line));
	}
}

static void test_half_a_quote_is_not_it(void)
{
	/* "hours 2019" deleted; the "hours" after it, with the quote's context
	 * on both sides, is half of it. */
	const char *old = "Intro. The meeting ran for hours 2019 hours after the vote. Next sentence.";
	const char *new_ = "Intro. The meeting ran for hours after the vote. Next sentence.";
	T_ORPHAN(t_place(old, new_, "hours 2019", 0, 0));
	T_ORPHAN(t_place(old, new_, "hours 2019", 0, 1));
}

static void test_deleted_words_left_elsewhere(void)
{
	/* The quote deleted; its last two words, with much the same context,
	 * are in a later sentence the edit left alone: that text is the later
	 * sentence's. */
	const char *old = "Yesterday the board for voted to approve the plan quietly. Later the board voted to approve the plan again.";
	const char *new_ = "Yesterday the board approve the plan quietly. Later the board voted to approve the plan again.";
	T_ORPHAN(t_place(old, new_, "for voted to", 0, 0));
}

static void test_twin_made_one(void)
{
	/* "X X" edited to "X": which of the two is left no text can say. */
	const char *old = "The first line opens the report. The inspectors said the budget audit budget audit found "
			  "nothing wrong at all. The last line closes it.";
	const char *new_ = "A new first line opens the report. The inspectors said the budget audit found nothing wrong "
			   "at all. The last line closes it now.";
	T_ORPHAN(t_place(old, new_, "budget audit", 0, 0));
	T_ORPHAN(t_place(old, new_, "budget audit", 1, 0));
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
	T_RUN(test_exact_offsets_but_moved);
	T_RUN(test_rewritten_sentence_shares_words);
	T_RUN(test_repeated_copies_crossed);
	T_RUN(test_deleted_quote_with_a_twin);
	T_RUN(test_emoji_sequence_is_one_word);
	T_RUN(test_context_compared_by_code_points);
	T_RUN(test_moved_lines_differing_by_a_number);
	T_RUN(test_half_a_quote_is_not_it);
	T_RUN(test_deleted_words_left_elsewhere);
	T_RUN(test_twin_made_one);
	T_RUN(test_insert_beside_repeated_word);
	T_RUN(test_fuzzy_edges_follow_words);
	T_RUN(test_last_line_deleted);
	T_RUN(test_edge_edit_beside_added_text);
	T_RUN(test_short_quote_chance_copy);
	T_RUN(test_repetitive_text);
	T_RUN(test_large);
	T_DONE();
}
