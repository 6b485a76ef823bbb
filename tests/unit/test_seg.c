/*
 * test_seg.c: grapheme, word, sentence and paragraph boundaries.
 *
 * The UAX #29 layer is checked against SentenceBreakTest.txt as Debian's
 * unicode-data package installs it (read at run time, never copied here);
 * the second layer, words, graphemes and paragraphs against our own texts.
 */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>

#include "gloss/seg.h"
#include "gloss/util.h"
#include "t.h"

#ifndef SB_TEST
#define SB_TEST "/usr/share/unicode/auxiliary/SentenceBreakTest.txt"
#endif
#define SB_CASES 502

/* The sentences of s as "first|second|...", walking with seg_sentence_next. */
static const char *sentences(const char *s)
{
	static char out[4096];
	size_t n = strlen(s), pos = 0, o = 0, a, b, last = (size_t)-1;
	int guard = 0;

	out[0] = '\0';
	while (pos < n && guard++ < 200) {
		seg_sentence_at(s, n, pos, &a, &b);
		if (b > a && a != last && o + (b - a) + 2 < sizeof out) {
			last = a;
			if (o)
				out[o++] = '|';
			memcpy(out + o, s + a, b - a);
			o += b - a;
			out[o] = '\0';
		}
		pos = seg_sentence_next(s, n, pos);
	}
	return out;
}

/* The words of s as "w1|w2|...", walking with seg_word_next, each without its trailing blanks. */
static const char *words(const char *s)
{
	static char out[4096];
	size_t n = strlen(s), pos = 0, o = 0, next, end;
	int guard = 0;

	out[0] = '\0';
	if (n && (s[0] == ' ' || s[0] == '\n'))
		pos = seg_word_next(s, n, 0);
	while (pos < n && guard++ < 500) {
		next = seg_word_next(s, n, pos);
		for (end = next; end > pos && strchr(" \t\r\n", s[end - 1]); end--)
			;
		if (o + (end - pos) + 2 >= sizeof out)
			break;
		if (o)
			out[o++] = '|';
		memcpy(out + o, s + pos, end - pos);
		o += end - pos;
		out[o] = '\0';
		pos = next;
	}
	return out;
}

/* The code point boundaries of s[0..n), as util_utf8_decode reads from the start. */
static char *boundaries(const char *s, size_t n)
{
	char *is = util_calloc(n + 1, 1);
	size_t i = 0;
	uint32_t cp;
	int valid;

	while (i < n) {
		is[i] = 1;
		i += (size_t)util_utf8_decode(s + i, n - i, &cp, &valid);
	}
	is[n] = 1;
	return is;
}

/* ---- UAX #29 against the Unicode test file ---- */

static void test_uax29_sentence_break_test(void)
{
	FILE *f = fopen(SB_TEST, "r");
	char line[4096], failed[300] = "";
	int lineno = 0, cases = 0, fails = 0;
	size_t flen = 0;

	if (!f)
		T_FAIL("cannot open '%s' (install the unicode-data package)", SB_TEST);
	while (fgets(line, sizeof line, f)) {
		uint32_t cp[64];
		char want[64], got[64];
		size_t len = 0, i;
		char *p = line, *hash = strchr(line, '#');

		lineno++;
		if (hash)
			*hash = '\0';
		/* "÷ 0001 × 0308 ÷": a mark, then (code point, mark) pairs. */
		while (*p && len < 64) {
			if (!strncmp(p, "\xc3\xb7", 2) || !strncmp(p, "\xc3\x97", 2)) {
				if (len > 0 && len < 64)
					want[len] = p[1] == '\xb7'; /* before the next code point */
				p += 2;
			} else if (strchr("0123456789abcdefABCDEF", *p)) {
				cp[len++] = (uint32_t)strtoul(p, &p, 16);
			} else {
				p++;
			}
		}
		if (len == 0)
			continue;
		if (len == 64)
			T_FAIL("line %d: too many code points for this test", lineno);
		cases++;
		seg_uax29_sentence_breaks(cp, len, got);
		for (i = 1; i < len; i++)
			if (got[i] != want[i])
				break;
		if (got[0] != 0 || i < len) {
			fails++;
			if (flen + 8 < sizeof failed)
				flen += (size_t)snprintf(failed + flen, sizeof failed - flen, " %d", lineno);
		}
	}
	fclose(f);
	if (fails)
		T_FAIL("%d of %d cases fail, at lines:%s", fails, cases, failed);
	if (cases < SB_CASES)
		T_FAIL("only %d cases ran, expected %d", cases, SB_CASES);
}

static void test_uax29_empty_and_extend(void)
{
	uint32_t cp[] = { 'a', '.', ' ', 'B', 0x0308 };
	char brk[5];

	seg_uax29_sentence_breaks(cp, 0, brk); /* no crash */
	seg_uax29_sentence_breaks(cp, 5, brk);
	T_EQ_INT(brk[0], 0);
	T_EQ_INT(brk[3], 1);
	T_EQ_INT(brk[4], 0);
}

/* ---- the second layer ---- */

static void test_sentence_titles(void)
{
	T_EQ_STR(sentences("Mr. Lind met Dr. Okafor at noon. Mrs. Lind and Ms. Ruiz came later."),
		"Mr. Lind met Dr. Okafor at noon.|Mrs. Lind and Ms. Ruiz came later.");
	T_EQ_STR(sentences("Gen. Halvorsen spoke. Sen. Park and Rep. Diaz left. Gov. Ames and Prof. Wu stayed."),
		"Gen. Halvorsen spoke.|Sen. Park and Rep. Diaz left.|Gov. Ames and Prof. Wu stayed.");
	T_EQ_STR(sentences("It was Smith vs. Jones. Jones won."), "It was Smith vs. Jones.|Jones won.");
}

static void test_sentence_dotted(void)
{
	T_EQ_STR(sentences("The U.S. Treasury sold bonds. Prices fell."),
		"The U.S. Treasury sold bonds.|Prices fell.");
	/* A common sentence starter after "U.S." opens a new sentence. */
	T_EQ_STR(sentences("She moved to the U.S. The next day she left."),
		"She moved to the U.S.|The next day she left.");
	T_EQ_STR(sentences("He flew to Washington, D.C. The U.N. Security Council met in the U.K. Parliament."),
		"He flew to Washington, D.C.|The U.N. Security Council met in the U.K. Parliament.");
	T_EQ_STR(sentences("Big cities, e.g. Lagos and Lima, grew; i.e. Quito did not."),
		"Big cities, e.g. Lagos and Lima, grew; i.e. Quito did not.");
	T_EQ_STR(sentences("The vote is about the U.S. election."), "The vote is about the U.S. election.");
	T_EQ_STR(sentences("Fraud in the U.S. election. It was denied."),
		"Fraud in the U.S. election.|It was denied.");
	T_EQ_STR(sentences("It was sent to the U.S. where it was read."),
		"It was sent to the U.S. where it was read.");
}

static void test_sentence_dates_numbers(void)
{
	T_EQ_STR(sentences("On Oct. 7 Ministers met. No. 5 Elm Road burned."),
		"On Oct. 7 Ministers met.|No. 5 Elm Road burned.");
	T_EQ_STR(sentences("The Jan. 6 panel met. It ended in Jan. The rest came in Feb. Nobody knew."),
		"The Jan. 6 panel met.|It ended in Jan.|The rest came in Feb. Nobody knew.");
	/* "May" is a word, not an abbreviation. */
	T_EQ_STR(sentences("It rained in May. Crops failed."), "It rained in May.|Crops failed.");
	T_EQ_STR(sentences("Version 2.0 shipped. It costs 3.50 euros. Sales hit 1.2 million."),
		"Version 2.0 shipped.|It costs 3.50 euros.|Sales hit 1.2 million.");
	T_EQ_STR(sentences("The year was 2016. Voters were tired."), "The year was 2016.|Voters were tired.");
	T_EQ_STR(sentences("  1. Anna Berg\n  2. Tom Ode"), "1. Anna Berg|2. Tom Ode");
}

static void test_sentence_initials(void)
{
	T_EQ_STR(sentences("A book by J. R. Smith sold well. George W. Bush read it."),
		"A book by J. R. Smith sold well.|George W. Bush read it.");
	T_EQ_STR(sentences("Ask J. A. Moss. He knows."), "Ask J. A. Moss.|He knows.");
	T_EQ_STR(sentences("They chose plan B. The rest agreed."), "They chose plan B.|The rest agreed.");
}

static void test_sentence_abbrevs(void)
{
	T_EQ_STR(sentences("Apples, pears, etc. are sold here. We sell bread, jam, etc. The shop shuts at six."),
		"Apples, pears, etc. are sold here.|We sell bread, jam, etc.|The shop shuts at six.");
	T_EQ_STR(sentences("Acme Inc. Chief Ada Lee quit. Acme Corp. It sued. Lee & Co. Partners won."),
		"Acme Inc. Chief Ada Lee quit.|Acme Corp.|It sued.|Lee & Co. Partners won.");
	T_EQ_STR(sentences("They live on Main St. Across town, St. Louis waits."),
		"They live on Main St. Across town, St. Louis waits.");
}

static void test_sentence_quotes_brackets(void)
{
	T_EQ_STR(sentences("He said, \xe2\x80\x9cIt is over.\xe2\x80\x9d Then he left."),
		"He said, \xe2\x80\x9cIt is over.\xe2\x80\x9d|Then he left.");
	T_EQ_STR(sentences("She wrote \xe2\x80\x98no.\xe2\x80\x99 He agreed."),
		"She wrote \xe2\x80\x98no.\xe2\x80\x99|He agreed.");
	T_EQ_STR(sentences("\"We won.\" The crowd cheered."), "\"We won.\"|The crowd cheered.");
	T_EQ_STR(sentences("The bill passed (narrowly.) Critics objected. [It was late.] Fine."),
		"The bill passed (narrowly.)|Critics objected.|[It was late.]|Fine.");
	/* A closing quote after an abbreviation ends the sentence. */
	T_EQ_STR(sentences("He said \xe2\x80\x9cU.S.\xe2\x80\x9d Nobody laughed."),
		"He said \xe2\x80\x9cU.S.\xe2\x80\x9d|Nobody laughed.");
}

static void test_sentence_question_exclaim(void)
{
	T_EQ_STR(sentences("Is it true? Yes! It is."), "Is it true?|Yes!|It is.");
	T_EQ_STR(sentences("\xe2\x80\x9cWhy?\xe2\x80\x9d he asked. \xe2\x80\x9cStop!\xe2\x80\x9d she said."),
		"\xe2\x80\x9cWhy?\xe2\x80\x9d he asked.|\xe2\x80\x9cStop!\xe2\x80\x9d she said.");
	T_EQ_STR(sentences("Watch https://example.org/watch?v=Ab12 now. Or later!?! Fine."),
		"Watch https://example.org/watch?v=Ab12 now.|Or later!?!|Fine.");
}

static void test_sentence_ellipsis(void)
{
	T_EQ_STR(sentences("She paused... Then she spoke. He waited... and waited."),
		"She paused...|Then she spoke.|He waited... and waited.");
	/* U+2026 is no terminator in UAX #29. */
	T_EQ_STR(sentences("Well\xe2\x80\xa6 maybe. Yes."), "Well\xe2\x80\xa6 maybe.|Yes.");
}

static void test_sentence_lines(void)
{
	T_EQ_STR(sentences("A line with no stop\nnext line starts lowercase."),
		"A line with no stop|next line starts lowercase.");
	T_EQ_STR(sentences("He lives in the U.S.\nSecretary Kim came.\r\nMr.\rLind left."),
		"He lives in the U.S.|Secretary Kim came.|Mr.|Lind left.");
	T_EQ_STR(sentences("One.\n\n   \n\tTwo.  \n"), "One.|Two.");
	T_EQ_STR(sentences("Line one\xe2\x80\xa8line two"), "Line one|line two");
	T_EQ_STR(sentences("\xe4\xbb\x8a\xe5\xa4\xa9\xe4\xb8\x8b\xe9\x9b\xa8\xe3\x80\x82\xe6\x88\x91\xe4\xbb\xac\xe5\x9c\xa8\xe5\xae\xb6\xe3\x80\x82"),
		"\xe4\xbb\x8a\xe5\xa4\xa9\xe4\xb8\x8b\xe9\x9b\xa8\xe3\x80\x82|\xe6\x88\x91\xe4\xbb\xac\xe5\x9c\xa8\xe5\xae\xb6\xe3\x80\x82");
}

/* Two lines of 60 that a wrapper made of one sentence, then a short one. */
#define WRAP_L1 "Officials said on Tuesday that the ministry had approved the"
#define WRAP_L2 "plan in March, according to two people briefed on the talks."

static void test_sentence_wrapped(void)
{
	const char *s = WRAP_L1 "\n" WRAP_L2 "\nThe minister denied it.\n";
	size_t n = strlen(s), a, b;

	/* the line end after a full line is a space */
	T_EQ_STR(sentences(s), WRAP_L1 "\n" WRAP_L2 "|The minister denied it.");
	T_EQ_STR(sentences(WRAP_L1 "\r\n" WRAP_L2 "\r\nThe minister denied it.\r\n"),
		 WRAP_L1 "\r\n" WRAP_L2 "|The minister denied it.");
	/* c on the second line takes the sentence from the first */
	seg_sentence_at(s, n, strlen(WRAP_L1) + 5, &a, &b);
	T_EQ_INT(a, 0);
	T_EQ_INT(b, 2 * strlen(WRAP_L1) + 1);
	seg_sentence_at(s, n, strlen(WRAP_L1), &a, &b); /* on the soft line end */
	T_EQ_INT(a, 0);
	T_EQ_INT(b, 2 * strlen(WRAP_L1) + 1);
	T_EQ_INT(seg_sentence_next(s, n, 3), 2 * strlen(WRAP_L1) + 2);
	T_EQ_INT(seg_sentence_prev(s, n, 2 * strlen(WRAP_L1) + 2), 0);
	T_EQ_INT(seg_sentence_prev(s, n, strlen(WRAP_L1) + 5), 0);

	/* a headline and a byline are short: their line ends stay */
	T_EQ_STR(sentences("Ministry approved plan, officials say\nBy Ana Lopez\n" WRAP_L1 "\n" WRAP_L2),
		 "Ministry approved plan, officials say|By Ana Lopez|" WRAP_L1 "\n" WRAP_L2);
	/* so does a line that the next word would have fitted on */
	T_EQ_STR(sentences(WRAP_L1 "\nthe plan\n" WRAP_L2),
		 WRAP_L1 "\nthe plan|" WRAP_L2);
	/* the same indent goes on; a deeper one starts a paragraph */
	T_EQ_STR(sentences("  " WRAP_L1 "\n  " WRAP_L2), WRAP_L1 "\n  " WRAP_L2);
	T_EQ_STR(sentences(WRAP_L1 "\n    " WRAP_L2), WRAP_L1 "|" WRAP_L2);
	/* a blank line ends it */
	T_EQ_STR(sentences(WRAP_L1 "\n\n" WRAP_L2), WRAP_L1 "|" WRAP_L2);
	/* near a line of more than 100 characters the text is not wrapped */
	T_EQ_STR(sentences(WRAP_L1 "\n" WRAP_L2 "\n" WRAP_L1 " " WRAP_L2),
		 WRAP_L1 "|" WRAP_L2 "|" WRAP_L1 " " WRAP_L2);
	/* nor is it when its lines are all short */
	T_EQ_STR(sentences("The plan was\napproved in March\nby the ministry."),
		 "The plan was|approved in March|by the ministry.");
}

/* What stays apart in wrapped text: lists, tables, mail quotes, datelines, headlines. */
/* sentences(text) is want; a helper, so that failures name the case */
static void t_sentences_are(const char *text, const char *want)
{
	const char *got = sentences(text);

	if (strcmp(got, want) != 0)
		T_FAIL("sentences: \"%.200s\"", got);
}

static void test_sentence_wrapped_kept_apart(void)
{
#define KEEP(text, want) do { t_sentences_are(text, want); if (t_failed_now) return; } while (0)
	KEEP("The government listed the main changes in the plan on Tuesday:\n"
	     "- The retirement age rises from 62 to 64 over the next six years\n"
	     "- Public-sector workers lose the special regimes they had so far\n"
	     "Unions said they would strike on Thursday across the whole country.",
	     "The government listed the main changes in the plan on Tuesday:|"
	     "- The retirement age rises from 62 to 64 over the next six years|"
	     "- Public-sector workers lose the special regimes they had so far|"
	     "Unions said they would strike on Thursday across the whole country.");
	/* an item goes on under its text; the next item and the text after stay apart */
	KEEP("The government listed the main changes in the plan on Tuesday, officials said:\n"
	     "  \xe2\x80\xa2 The retirement age rises from 62 to 64 over the next six years for\n"
	     "    all workers in the private sector, the plan says\n"
	     "  \xe2\x80\xa2 Public-sector workers lose the special regimes they had so far, and\n"
	     "    their pensions are counted as in the private sector from next year\n"
	     "Unions said they would strike on Thursday across the whole country.",
	     "The government listed the main changes in the plan on Tuesday, officials said:|"
	     "\xe2\x80\xa2 The retirement age rises from 62 to 64 over the next six years for\n"
	     "    all workers in the private sector, the plan says|"
	     "\xe2\x80\xa2 Public-sector workers lose the special regimes they had so far, and\n"
	     "    their pensions are counted as in the private sector from next year|"
	     "Unions said they would strike on Thursday across the whole country.");
	KEEP("Region           Jobs lost   Jobs created   Net change   Rate\n"
	     "North               12,400          9,800       -2,600   4.1%\n"
	     "South                8,100         11,300       +3,200   3.7%",
	     "Region           Jobs lost   Jobs created   Net change   Rate|"
	     "North               12,400          9,800       -2,600   4.1%|"
	     "South                8,100         11,300       +3,200   3.7%");
	KEEP("> I think the ministry should have consulted the unions before it put\n"
	     "> the plan to parliament, because now everyone is angry about it\n"
	     "I disagree with that: the unions were consulted for months, in fact.",
	     "> I think the ministry should have consulted the unions before it put\n"
	     "> the plan to parliament, because now everyone is angry about it|"
	     "I disagree with that: the unions were consulted for months, in fact.");
	KEEP("By Ana Lopez and Pedro Martinez, Reuters correspondents in Madrid\n"
	     "MADRID, March 4 (Reuters) - Spain's government approved a plan on\n"
	     "Tuesday to raise the retirement age, officials said, after months.",
	     "By Ana Lopez and Pedro Martinez, Reuters correspondents in Madrid|"
	     "MADRID, March 4 (Reuters) - Spain's government approved a plan on\n"
	     "Tuesday to raise the retirement age, officials said, after months.");
	KEEP("Officials said on Tuesday that the ministry had approved the plan in a\n"
	     "WASHINGTON \xe2\x80\x94 The State Department said on Monday it had no comment.",
	     "Officials said on Tuesday that the ministry had approved the plan in a|"
	     "WASHINGTON \xe2\x80\x94 The State Department said on Monday it had no comment.");
	/* capitals and a comma without a dash are text */
	KEEP("The surveillance images of the embassy were obtained this week and shown by\n"
	     "CNN, which said it had checked them with two former guards at the embassy.",
	     "The surveillance images of the embassy were obtained this week and shown by\n"
	     "CNN, which said it had checked them with two former guards at the embassy.");
	KEEP("Russian Government Hackers Penetrated DNC, Stole Opposition Research\n"
	     "Officials said on Tuesday that the ministry had approved the plan in\n"
	     "March, according to two people briefed on the talks, and that a vote.",
	     "Russian Government Hackers Penetrated DNC, Stole Opposition Research|"
	     "Officials said on Tuesday that the ministry had approved the plan in\n"
	     "March, according to two people briefed on the talks, and that a vote.");
#undef KEEP
}

/*
 * A CRLF-wrapped paragraph longer than the window: wherever the window's
 * ends fall, on a CR or an LF, the answers stay within the text.
 * The text is an exact-size allocation, so a read past it is caught under
 * the sanitizers.
 */
static void test_sentence_wrapped_crlf_window(void)
{
	size_t n = 0, cap = 12100, pos, a, b;
	char *t = util_malloc(cap);

	for (int i = 0; n + 70 < 12000; i++) {
		memcpy(t + n, i % 2 ? WRAP_L2 : WRAP_L1, 60);
		/* no full stop: one sentence through the whole paragraph */
		if (i % 2)
			t[n + 59] = ',';
		memcpy(t + n + 60, "\r\n", 2);
		n += 62;
	}
	memcpy(t + n, "end", 3);
	n += 3;
	t = util_realloc(t, n);
	for (pos = 0; pos <= n; pos++) {
		size_t next = seg_sentence_next(t, n, pos), prev = seg_sentence_prev(t, n, pos);
		seg_sentence_at(t, n, pos, &a, &b);
		if (!(a <= b && b <= n && prev <= pos && next >= (pos < n ? pos + 1 : n) && next <= n)) {
			free(t);
			T_FAIL("pos %zu: at [%zu, %zu) prev %zu next %zu, n %zu", pos, a, b, prev, next, n);
		}
	}
	free(t);
}

static void test_sentence_motion(void)
{
	const char *s = "  Ann ran. Bo sat.\n\nCy hid.  Di won.";
	size_t n = strlen(s), a, b;

	T_EQ_INT(seg_sentence_next(s, n, 0), 2);
	T_EQ_INT(seg_sentence_next(s, n, 2), 11);
	T_EQ_INT(seg_sentence_next(s, n, 11), 20);
	T_EQ_INT(seg_sentence_next(s, n, 20), 29);
	T_EQ_INT(seg_sentence_next(s, n, 29), n);
	T_EQ_INT(seg_sentence_next(s, n, n), n);
	T_EQ_INT(seg_sentence_prev(s, n, n), 29);
	T_EQ_INT(seg_sentence_prev(s, n, 29), 20);
	T_EQ_INT(seg_sentence_prev(s, n, 22), 20);
	T_EQ_INT(seg_sentence_prev(s, n, 20), 11);
	T_EQ_INT(seg_sentence_prev(s, n, 19), 11); /* on the blank line */
	T_EQ_INT(seg_sentence_prev(s, n, 11), 2);
	T_EQ_INT(seg_sentence_prev(s, n, 2), 0);
	T_EQ_INT(seg_sentence_prev(s, n, 0), 0);
	seg_sentence_at(s, n, 10, &a, &b); /* the space after "ran." */
	T_EQ_INT(a, 2);
	T_EQ_INT(b, 10);
	seg_sentence_at(s, n, 18, &a, &b); /* the line end */
	T_EQ_INT(a, 11);
	T_EQ_INT(b, 18);
	seg_sentence_at(s, n, 19, &a, &b); /* the blank line */
	T_EQ_INT(a, 19);
	T_EQ_INT(b, 19);
	seg_sentence_at(s, n, 0, &a, &b); /* leading blanks */
	T_EQ_INT(a, 2);
	T_EQ_INT(b, 10);
	seg_sentence_at(s, n, n, &a, &b);
	T_EQ_INT(a, 29);
	T_EQ_INT(b, n);
	seg_sentence_at("", 0, 0, &a, &b);
	T_EQ_INT(a, 0);
	T_EQ_INT(b, 0);
	T_EQ_INT(seg_sentence_next("", 0, 0), 0);
	T_EQ_INT(seg_sentence_prev("", 0, 0), 0);
}

/* ---- words ---- */

static void test_words_punct(void)
{
	T_EQ_STR(words("Hello, world! Wait... what?!"), "Hello|,|world|!|Wait|...|what|?!");
	T_EQ_STR(words("The U.S. sold 2.0 can't (ok)"), "The|U|.|S|.|sold|2|.|0|can|'|t|(|ok|)");
	T_EQ_STR(words("  snake_case\n\n\tx1 9z"), "snake_case|x1|9z");
}

static void test_words_non_ascii(void)
{
	/* "Müller-Maguhn", "café" with a combining accent, "Ελλάδα". */
	T_EQ_STR(words("Andy M\xc3\xbcller-Maguhn caf" "e\xcc\x81 \xce\x95\xce\xbb\xce\xbb\xce\xac\xce\xb4\xce\xb1."),
		"Andy|M\xc3\xbcller|-|Maguhn|cafe\xcc\x81|\xce\x95\xce\xbb\xce\xbb\xce\xac\xce\xb4\xce\xb1|.");
	/* CJK: each ideograph is a word (UAX #29); a katakana run is one. */
	T_EQ_STR(words("\xe6\x97\xa5\xe6\x9c\xac\xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88\xe3\x80\x82"),
		"\xe6\x97\xa5|\xe6\x9c\xac|\xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88|\xe3\x80\x82");
}

static void test_words_prev_end(void)
{
	const char *s = "one, two.  x\n  end";
	size_t n = strlen(s);

	/* b: start of this word if inside it, else of the previous one. */
	T_EQ_INT(seg_word_prev(s, n, n), 15);
	T_EQ_INT(seg_word_prev(s, n, 15), 11);
	T_EQ_INT(seg_word_prev(s, n, 11), 8);
	T_EQ_INT(seg_word_prev(s, n, 8), 5);
	T_EQ_INT(seg_word_prev(s, n, 7), 5);
	T_EQ_INT(seg_word_prev(s, n, 5), 3);
	T_EQ_INT(seg_word_prev(s, n, 3), 0);
	T_EQ_INT(seg_word_prev(s, n, 1), 0);
	T_EQ_INT(seg_word_prev(s, n, 0), 0);
	/* e: last grapheme of the word ending after pos. */
	T_EQ_INT(seg_word_end(s, n, 0), 2);
	T_EQ_INT(seg_word_end(s, n, 2), 3);
	T_EQ_INT(seg_word_end(s, n, 3), 7);
	T_EQ_INT(seg_word_end(s, n, 7), 8);
	T_EQ_INT(seg_word_end(s, n, 8), 11);
	T_EQ_INT(seg_word_end(s, n, 11), 17);
	T_EQ_INT(seg_word_end(s, n, 17), 17);
	T_EQ_INT(seg_word_end(s, n, n), 17);
	T_EQ_INT(seg_word_end("ab  ", 4, 1), 3); /* no word after: the last grapheme */
	{
		/* one grapheme longer than the window looked back over, at the end */
		char big[1 + 32 * 2 + 1];
		big[0] = 'e';
		for (int k = 0; k < 32; k++)
			memcpy(big + 1 + 2 * k, "\xcc\x81", 2);
		big[sizeof big - 1] = '\0';
		T_EQ_INT(seg_word_end(big, sizeof big - 1, sizeof big - 1), 0);
		T_EQ_INT(seg_word_end(big, sizeof big - 1, 0), 0);
	}
	T_EQ_INT(seg_word_end("", 0, 0), 0);
	T_EQ_INT(seg_word_next("", 0, 0), 0);
	T_EQ_INT(seg_word_prev("", 0, 0), 0);
	T_EQ_INT(seg_word_next(s, n, 11), 15);
	T_EQ_INT(seg_word_next(s, n, 15), n);
}

/* ---- graphemes ---- */

static void test_graphemes(void)
{
	/* e + combining acute, family (man ZWJ woman ZWJ girl), flags DE FR, CRLF, "x". */
	const char *s = "e\xcc\x81"
		"\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7"
		"\xf0\x9f\x87\xa9\xf0\x9f\x87\xaa\xf0\x9f\x87\xab\xf0\x9f\x87\xb7"
		"\r\nx";
	size_t n = strlen(s);
	size_t stops[] = { 0, 3, 21, 29, 37, 39, 40 };
	size_t i;

	T_EQ_INT(n, 40);
	for (i = 0; i + 1 < sizeof stops / sizeof stops[0]; i++) {
		T_EQ_INT(seg_grapheme_next(s, n, stops[i]), stops[i + 1]);
		T_EQ_INT(seg_grapheme_prev(s, n, stops[i + 1]), stops[i]);
	}
	T_EQ_INT(seg_grapheme_next(s, n, 1), 3);  /* inside a cluster */
	T_EQ_INT(seg_grapheme_prev(s, n, 10), 3);
	T_EQ_INT(seg_grapheme_next(s, n, n), n);
	T_EQ_INT(seg_grapheme_prev(s, n, 0), 0);
	T_EQ_INT(seg_grapheme_next("", 0, 0), 0);
	T_EQ_INT(seg_grapheme_prev("", 0, 0), 0);
}

/* ---- paragraphs ---- */

static void test_paragraphs(void)
{
	const char *s = "One.\n\n  \nTwo.\r\nThree.\r\n\r\nFour.";
	size_t n = strlen(s);

	T_EQ_INT(seg_para_next(s, n, 0), 9);
	T_EQ_INT(seg_para_next(s, n, 3), 9);
	T_EQ_INT(seg_para_next(s, n, 5), 9); /* from a blank line */
	T_EQ_INT(seg_para_next(s, n, 9), 15);
	T_EQ_INT(seg_para_next(s, n, 14), 15); /* from the LF of a CRLF */
	T_EQ_INT(seg_para_next(s, n, 15), 25);
	T_EQ_INT(seg_para_next(s, n, 25), n);
	T_EQ_INT(seg_para_next(s, n, n), n);
	T_EQ_INT(seg_para_prev(s, n, n), 25);
	T_EQ_INT(seg_para_prev(s, n, 25), 15);
	T_EQ_INT(seg_para_prev(s, n, 23), 15); /* from the blank line */
	T_EQ_INT(seg_para_prev(s, n, 17), 15);
	T_EQ_INT(seg_para_prev(s, n, 15), 9);
	T_EQ_INT(seg_para_prev(s, n, 14), 9); /* on the LF that ends "Two." */
	T_EQ_INT(seg_para_prev(s, n, 9), 0);
	T_EQ_INT(seg_para_prev(s, n, 7), 0);
	T_EQ_INT(seg_para_prev(s, n, 0), 0);
	T_EQ_INT(seg_para_next("\n\n\n", 3, 0), 3);
	T_EQ_INT(seg_para_prev("\n\n\n", 3, 3), 0);
	T_EQ_INT(seg_para_next("", 0, 0), 0);
	T_EQ_INT(seg_para_prev("", 0, 0), 0);
	T_EQ_INT(seg_para_next("a\rb", 3, 0), 2); /* a lone CR ends a line */
}

/* ---- robustness ---- */

/* Every function at every byte of s: in range, on boundaries, moving the right way. */
static void check_all(const char *s, size_t n, const char **why, size_t *where)
{
	char *is = boundaries(s, n);
	size_t pos, r, a, b;

	*why = NULL;
	for (pos = 0; pos <= n && !*why; pos++) {
#define CHECK(name, expr, ok) do { r = (expr); if (r > n || !is[r] || !(ok)) { *why = name; *where = pos; } } while (0)
		CHECK("grapheme_next", seg_grapheme_next(s, n, pos), pos == n ? r == n : r > pos);
		CHECK("grapheme_prev", seg_grapheme_prev(s, n, pos), pos == 0 ? r == 0 : r < pos);
		CHECK("word_next", seg_word_next(s, n, pos), pos == n ? r == n : r > pos);
		CHECK("word_prev", seg_word_prev(s, n, pos), pos == 0 ? r == 0 : r < pos);
		CHECK("word_end", seg_word_end(s, n, pos), n == 0 || r < n);
		CHECK("sentence_next", seg_sentence_next(s, n, pos), pos == n ? r == n : r > pos);
		CHECK("sentence_prev", seg_sentence_prev(s, n, pos), pos == 0 ? r == 0 : r < pos);
		CHECK("para_next", seg_para_next(s, n, pos), pos == n ? r == n : r > pos);
		CHECK("para_prev", seg_para_prev(s, n, pos), pos == 0 ? r == 0 : r < pos);
		seg_sentence_at(s, n, pos, &a, &b);
		CHECK("sentence_at", a, a <= b && b <= n && is[b]);
#undef CHECK
	}
	free(is);
}

static void test_invalid_bytes(void)
{
	static const char s[] = "Bad \xff\xfe bytes. \xe2\x82 cut\xc0\xaf. NUL \0 here. "
		"\xf0\x9f\x98 lone\x80\x80\x80\x80 tail\xed\xa0\x80. U.S.\x00 \xf4\x90\x80\x80 end\xe2";
	size_t n = sizeof s - 1;
	const char *why;
	size_t where;

	check_all(s, n, &why, &where);
	if (why)
		T_FAIL("%s misbehaves at byte %zu", why, where);
	check_all(s, 0, &why, &where);
	if (why)
		T_FAIL("%s misbehaves on an empty text", why);
}

static void test_every_position(void)
{
	static const char s[] = "\xef\xbb\xbf  Mr. J. Smith said \xe2\x80\x9cno.\xe2\x80\x9d\r\n\r\n"
		"Is it?! Yes\xe2\x80\xa6 e\xcc\x81 \xf0\x9f\x87\xa9\xf0\x9f\x87\xaa 2.0 etc.\n\n"
		"\xe6\x97\xa5\xe6\x9c\xac\xe3\x80\x82 x\r";
	const char *why;
	size_t where;

	check_all(s, sizeof s - 1, &why, &where);
	if (why)
		T_FAIL("%s misbehaves at byte %zu", why, where);
}

/* A 32 MiB line: answers near its middle and its end, from a bounded look. */
static void test_huge_line(void)
{
	const char unit[] = "Gr\xc3\xbc\xc3\x9f" "e, J\xc3\xbcrgen. "; /* 18 bytes */
	size_t u = sizeof unit - 1, n = (size_t)32 << 20, i, mid, r, a, b;
	char *s = util_malloc(n);

	for (i = 0; i < n; i++)
		s[i] = unit[i % u];
	mid = n / 2 - (n / 2) % u + 7; /* on the comma of a unit */

	r = seg_sentence_next(s, n, mid);
	T_EQ_INT(r, mid - 7 + u);
	r = seg_sentence_prev(s, n, mid);
	T_EQ_INT(r, mid - 7);
	seg_sentence_at(s, n, mid, &a, &b);
	T_EQ_INT(a, mid - 7);
	T_EQ_INT(b, mid - 7 + u - 1);
	T_EQ_INT(seg_word_next(s, n, mid), mid + 2);
	T_EQ_INT(seg_word_prev(s, n, mid), mid - 7);
	T_EQ_INT(seg_word_end(s, n, mid), mid + 8);
	T_EQ_INT(seg_grapheme_prev(s, n, mid), mid - 1);
	T_EQ_INT(seg_grapheme_prev(s, n, mid - 1), mid - 3); /* over "ß" */
	T_EQ_INT(seg_grapheme_next(s, n, mid), mid + 1);

	/* The end: the text stops inside a unit, after "Gr". */
	r = seg_sentence_next(s, n, n - 1);
	T_EQ_INT(r, n);
	r = seg_sentence_prev(s, n, n);
	T_ASSERT(r < n && r >= n - u);
	T_ASSERT(r == 0 || s[r - 1] == ' ');
	T_EQ_INT(seg_word_next(s, n, n - 1), n);
	T_ASSERT(seg_grapheme_prev(s, n, n) == n - 1 || seg_grapheme_prev(s, n, n) == n - 2);
	/* A paragraph key reads a bounded stretch, never the whole line. */
	r = seg_para_next(s, n, mid);
	T_ASSERT(r > mid && r <= mid + (1u << 20));
	T_EQ_INT(util_utf8_back(s, r), r);
	r = seg_para_prev(s, n, mid);
	T_ASSERT(r < mid && r + (1u << 20) + 4 >= mid);
	T_EQ_INT(util_utf8_back(s, r), r);
	T_EQ_INT(seg_para_next(s, n, n - 100), n);

	/* No sentence end at all: the window's bound stands in for one. */
	memset(s, 'a', n);
	r = seg_sentence_next(s, n, mid);
	T_ASSERT(r > mid && r < n);
	r = seg_sentence_prev(s, n, mid);
	T_ASSERT(r < mid);
	seg_sentence_at(s, n, mid, &a, &b);
	T_ASSERT(a <= mid && mid < b);
	r = seg_word_next(s, n, mid);
	T_ASSERT(r > mid && r <= n);
	T_EQ_INT(seg_grapheme_prev(s, n, mid), mid - 1);
	free(s);
}

/* A grapheme longer than the word window: e still moves forward. */
static void test_word_end_over_a_huge_grapheme(void)
{
	size_t n = 1 + 1100 * 2 + 3, i, pos, r;
	char *s = util_malloc(n);

	s[0] = 'e';
	for (i = 0; i < 1100; i++)
		memcpy(s + 1 + 2 * i, "\xcc\x81", 2);
	memcpy(s + n - 3, " x\n", 3);
	for (pos = 0; pos < n - 1; pos = r) {
		r = seg_word_end(s, n, pos);
		T_ASSERT(r > pos || r == seg_grapheme_prev(s, n, n));
		if (r <= pos)
			break;
	}
	free(s);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	T_RUN(test_uax29_sentence_break_test);
	T_RUN(test_uax29_empty_and_extend);
	T_RUN(test_sentence_titles);
	T_RUN(test_sentence_dotted);
	T_RUN(test_sentence_dates_numbers);
	T_RUN(test_sentence_initials);
	T_RUN(test_sentence_abbrevs);
	T_RUN(test_sentence_quotes_brackets);
	T_RUN(test_sentence_question_exclaim);
	T_RUN(test_sentence_ellipsis);
	T_RUN(test_sentence_lines);
	T_RUN(test_sentence_wrapped);
	T_RUN(test_sentence_wrapped_kept_apart);
	T_RUN(test_sentence_wrapped_crlf_window);
	T_RUN(test_sentence_motion);
	T_RUN(test_words_punct);
	T_RUN(test_words_non_ascii);
	T_RUN(test_words_prev_end);
	T_RUN(test_graphemes);
	T_RUN(test_paragraphs);
	T_RUN(test_invalid_bytes);
	T_RUN(test_every_position);
	T_RUN(test_huge_line);
	T_RUN(test_word_end_over_a_huge_grapheme);
	T_DONE();
}
