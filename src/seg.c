/*
 * seg.c: grapheme, word, sentence and paragraph boundaries.
 *
 * Every query decodes a bounded window of the text around pos into code
 * points (ill-formed bytes become U+FFFD, one per maximal subpart, exactly
 * as util_utf8_decode reads them), works on that array, and maps the answer
 * back to a byte offset.  Window edges that are not the ends of the text or
 * of a line count as boundaries, so a 32 MB line costs what a short one does.
 *
 * Graphemes and UAX #29 word breaks come from libunistring.  Sentence breaks
 * are our own: UAX #29 rules over the generated Sentence_Break table in
 * seg_sbprop.c, then a second layer that drops the false breaks of English
 * news text (its rules open the section "the second layer" below).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memrchr */
#endif
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <unictype.h>
#include <unigbrk.h>
#include <uniwbrk.h>

#include "gloss/seg.h"
#include "gloss/util.h"

/* How far each kind of query looks on either side of pos, in bytes. */
#define GRAPH_WIN 1024
#define WORD_WIN 2048
#define WORD_BACK 64   /* context before pos that word_next/word_end need */
#define SENT_WIN 4096  /* a longer sentence is cut at the window's edge */
#define BLANK_SKIP 8192 /* how much white space a jump to the next text crosses */

/* ---- the Sentence_Break property ---- */

/* The order tools/gen-sbprop.py gives the values in seg_sbprop.c. */
enum seg_sb {
	SB_Other, SB_CR, SB_LF, SB_Extend, SB_Sep, SB_Format, SB_Sp, SB_Lower,
	SB_Upper, SB_OLetter, SB_Numeric, SB_ATerm, SB_STerm, SB_Close,
	SB_SContinue
};

extern const uint32_t seg_sbprop_table[];
extern const size_t seg_sbprop_count;
extern const unsigned char seg_sbprop_low[0x800];

static unsigned char sb_prop(uint32_t cp)
{
	uint32_t key = cp << 5 | 31;
	size_t lo = 0, hi = seg_sbprop_count;

	if (cp < 0x800)
		return seg_sbprop_low[cp];
	if (cp > 0x10FFFF)
		return SB_Other;
	/* The last entry <= key; entry 0 starts at U+0000. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (seg_sbprop_table[mid] <= key)
			lo = mid;
		else
			hi = mid;
	}
	return (unsigned char)(seg_sbprop_table[lo] & 31);
}

static int sb_parasep(int p)
{
	return p == SB_Sep || p == SB_CR || p == SB_LF;
}

static int sb_term(int p)
{
	return p == SB_ATerm || p == SB_STerm;
}

static int sb_blank(int p)
{
	return p == SB_Sp || sb_parasep(p);
}

/* ---- windows: a stretch of text decoded to code points ---- */

struct win {
	size_t base;   /* byte offset of cp[0] */
	size_t len;    /* number of code points */
	uint32_t *cp;
	uint32_t *off; /* off[i] = byte offset of cp[i] - base; off[len] = end - base */
	char *brk;     /* per code point: a boundary before it */
	unsigned char *sb; /* per code point: Sentence_Break, for sentence windows */
};

/* The code point boundary at or before byte pos (pos <= n). */
static size_t align(const char *s, size_t n, size_t pos)
{
	return pos < n ? util_utf8_back(s, pos) : n;
}

static void win_load(struct win *w, const char *s, size_t from, size_t to)
{
	size_t cap = to - from + 1, i = from, k = 0;

	/* One block: the arrays live and die together. */
	w->base = from;
	w->cp = util_malloc(cap * (2 * sizeof(uint32_t) + 2));
	w->off = w->cp + cap;
	w->brk = (char *)(w->off + cap);
	w->sb = (unsigned char *)w->brk + cap;
	memset(w->brk, 0, cap);
	while (i < to) {
		int valid;
		w->off[k] = (uint32_t)(i - from);
		if ((unsigned char)s[i] < 0x80)
			w->cp[k] = (unsigned char)s[i++];
		else
			i += (size_t)util_utf8_decode(s + i, to - i, &w->cp[k], &valid);
		k++;
	}
	w->off[k] = (uint32_t)(to - from);
	w->len = k;
}

static void win_free(struct win *w)
{
	free(w->cp);
}

static size_t win_pos(const struct win *w, size_t i)
{
	return w->base + w->off[i];
}

/* Window [pos - back, pos + fwd) clipped to the text, on code point boundaries. */
static void win_around(struct win *w, const char *s, size_t n, size_t pos, size_t back, size_t fwd)
{
	size_t from = pos > back ? pos - back : 0;
	size_t to = n - pos > fwd ? pos + fwd : n;

	win_load(w, s, align(s, n, from), align(s, n, to));
}

/* ---- graphemes ---- */

size_t seg_grapheme_next(const char *s, size_t n, size_t pos)
{
	struct win w;
	size_t i, r;

	if (pos >= n)
		return n;
	win_around(&w, s, n, pos, GRAPH_WIN, GRAPH_WIN);
	u32_grapheme_breaks(w.cp, w.len, w.brk);
	r = win_pos(&w, w.len); /* the window's end counts as a boundary */
	for (i = 0; i < w.len; i++) {
		if (w.brk[i] && win_pos(&w, i) > pos) {
			r = win_pos(&w, i);
			break;
		}
	}
	win_free(&w);
	return r;
}

size_t seg_grapheme_prev(const char *s, size_t n, size_t pos)
{
	struct win w;
	size_t i, r;

	if (pos > n)
		pos = n;
	if (pos == 0)
		return 0;
	win_around(&w, s, n, pos, GRAPH_WIN, 16);
	u32_grapheme_breaks(w.cp, w.len, w.brk);
	r = w.base; /* the window's start counts as a boundary */
	for (i = 0; i < w.len && win_pos(&w, i) < pos; i++)
		if (w.brk[i])
			r = win_pos(&w, i);
	win_free(&w);
	return r;
}

/* ---- words ---- */

enum { WC_BLANK, WC_PUNCT, WC_WORD };

static int word_class(uint32_t cp)
{
	if (cp < 0x80 && cp > ' ')
		return (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') ||
			cp == '_' ? WC_WORD : WC_PUNCT;
	if (sb_blank(sb_prop(cp)))
		return WC_BLANK;
	if (uc_is_general_category_withtable(cp, UC_CATEGORY_MASK_L | UC_CATEGORY_MASK_N |
	    UC_CATEGORY_MASK_Pc | UC_CATEGORY_MASK_M))
		return WC_WORD;
	return WC_PUNCT;
}

/*
 * The graphemes of a window with their word marks.  A word starts at a
 * non-blank grapheme whose class differs from the previous grapheme's, or
 * where libunistring puts a UAX #29 word break inside a run of letters (so
 * each CJK ideograph is a word, as in UAX #29).
 */
struct words {
	struct win w;
	size_t count;
	size_t *at;       /* code point index of each grapheme */
	unsigned char *start, *last; /* a word starts / ends at this grapheme */
	unsigned char *cls; /* the grapheme's class, WC_* */
	char *wb;           /* per code point: a UAX #29 word break before it */
};

static void words_load(struct words *ws, const char *s, size_t n, size_t pos, size_t back, size_t fwd)
{
	struct win *w = &ws->w;
	unsigned char *cls;
	size_t i, k, cap;

	win_around(w, s, n, pos, back, fwd);
	cap = w->len + 1;
	ws->at = util_malloc(cap * (sizeof *ws->at + 4));
	ws->start = (unsigned char *)(ws->at + cap);
	ws->last = ws->start + cap;
	ws->cls = cls = ws->last + cap;
	ws->wb = (char *)cls + cap;
	memset(ws->start, 0, 2 * cap);
	u32_grapheme_breaks(w->cp, w->len, w->brk);
	u32_wordbreaks(w->cp, w->len, ws->wb);
	k = 0;
	for (i = 0; i < w->len; i++) {
		if (i == 0 || w->brk[i]) {
			ws->at[k] = i;
			cls[k] = (unsigned char)word_class(w->cp[i]);
			k++;
		}
	}
	ws->count = k;
	for (k = 0; k < ws->count; k++) {
		int c = cls[k];
		if (c == WC_BLANK)
			continue;
		ws->start[k] = k == 0 || cls[k - 1] != c || (c == WC_WORD && ws->wb[ws->at[k]]);
		ws->last[k] = k + 1 == ws->count || cls[k + 1] != c ||
			(c == WC_WORD && ws->wb[ws->at[k + 1]]);
	}
}

static void words_free(struct words *ws)
{
	win_free(&ws->w);
	free(ws->at);
}

static size_t words_pos(const struct words *ws, size_t k)
{
	return win_pos(&ws->w, ws->at[k]);
}

size_t seg_word_next(const char *s, size_t n, size_t pos)
{
	struct words ws;
	size_t k, r;

	if (pos >= n)
		return n;
	words_load(&ws, s, n, pos, WORD_BACK, WORD_WIN);
	r = win_pos(&ws.w, ws.w.len);
	for (k = 0; k < ws.count; k++) {
		if (ws.start[k] && words_pos(&ws, k) > pos) {
			r = words_pos(&ws, k);
			break;
		}
	}
	words_free(&ws);
	return r;
}

size_t seg_word_prev(const char *s, size_t n, size_t pos)
{
	struct words ws;
	size_t k, r;

	if (pos > n)
		pos = n;
	if (pos == 0)
		return 0;
	words_load(&ws, s, n, pos, WORD_WIN, 16);
	r = ws.w.base;
	for (k = 0; k < ws.count && words_pos(&ws, k) < pos; k++)
		if (ws.start[k])
			r = words_pos(&ws, k);
	words_free(&ws);
	return r;
}

size_t seg_word_end(const char *s, size_t n, size_t pos)
{
	struct words ws;
	size_t k, r;

	if (n == 0)
		return 0;
	if (pos > n)
		pos = n;
	words_load(&ws, s, n, pos, WORD_BACK, WORD_WIN);
	assert(ws.count > 0); /* n > 0, so the window holds a code point */
	r = words_pos(&ws, ws.count - 1); /* no word ends after pos: the last grapheme */
	for (k = 0; k < ws.count; k++) {
		if (ws.last[k] && words_pos(&ws, k) > pos) {
			r = words_pos(&ws, k);
			break;
		}
	}
	words_free(&ws);
	/* A grapheme longer than the window hides every word end: still go
	 * forward; at the end, the window may start inside the last grapheme,
	 * whose start is then before it. */
	if (r <= pos && pos < n) {
		r = seg_grapheme_next(s, n, pos);
		if (r >= n)
			r = seg_grapheme_prev(s, n, n);
	} else if (pos == n) {
		r = seg_grapheme_prev(s, n, n);
	}
	return r;
}

/* ---- sentences: UAX #29 ---- */

/* The first property at or after i that SB8 stops at. */
static int sb8_ahead(const unsigned char *p, size_t len, size_t i)
{
	for (; i < len; i++) {
		int q = p[i];
		if (q == SB_OLetter || q == SB_Upper || q == SB_Lower || sb_parasep(q) || sb_term(q))
			return q;
	}
	return -1;
}

/*
 * UAX #29 sentence rules over the properties p[0..len).  Extend and Format
 * attach to what precedes them (SB5) and are skipped; the rest is a small
 * state machine that remembers whether what came last matched
 * SATerm Close* Sp*, so each position is decided in constant time (SB8's
 * look-ahead runs only once per terminator).
 */
static void sent_rules(const unsigned char *p, size_t len, char *brk)
{
	int prev = -1, prev2 = -1; /* the last two elements after SB5 */
	int term = -1;             /* SB_ATerm or SB_STerm while in SATerm Close* Sp*, else -1 */
	int spaced = 0;            /* that match has reached its Sp* part */
	size_t i;

	for (i = 0; i < len; i++) {
		int c = p[i], b;

		brk[i] = 0;
		if (i > 0 && (c == SB_Extend || c == SB_Format) && !sb_parasep(prev))
			continue; /* SB5 */
		if (i == 0)
			b = 0;
		else if (prev == SB_CR && c == SB_LF)
			b = 0; /* SB3 */
		else if (sb_parasep(prev))
			b = 1; /* SB4 */
		else if (prev == SB_ATerm && c == SB_Numeric)
			b = 0; /* SB6 */
		else if ((prev2 == SB_Upper || prev2 == SB_Lower) && prev == SB_ATerm && c == SB_Upper)
			b = 0; /* SB7 */
		else if (term == SB_ATerm && !(c == SB_Sp || sb_parasep(c) || (c == SB_Close && !spaced)) &&
		    sb8_ahead(p, len, i) == SB_Lower)
			b = 0; /* SB8; where SB9 or SB10 hold, they say the same */
		else if (term >= 0 && (c == SB_SContinue || sb_term(c)))
			b = 0; /* SB8a */
		else if (term >= 0 && !spaced && (c == SB_Close || c == SB_Sp || sb_parasep(c)))
			b = 0; /* SB9 */
		else if (term >= 0 && (c == SB_Sp || sb_parasep(c)))
			b = 0; /* SB10 */
		else
			b = term >= 0; /* SB11, else SB998 */
		brk[i] = (char)b;

		if (sb_term(c)) {
			term = c;
			spaced = 0;
		} else if (c == SB_Close && term >= 0 && !spaced) {
			/* still SATerm Close* */
		} else if (c == SB_Sp && term >= 0) {
			spaced = 1;
		} else {
			term = -1;
		}
		prev2 = prev;
		prev = c;
	}
}

void seg_uax29_sentence_breaks(const uint32_t *cp, size_t len, char *brk)
{
	unsigned char *p;
	size_t i;

	if (len == 0)
		return;
	p = util_malloc(len);
	for (i = 0; i < len; i++)
		p[i] = sb_prop(cp[i]);
	sent_rules(p, len, brk);
	free(p);
}

/* ---- sentences: the second layer ---- */

/*
 * Rules of the second layer, applied to each UAX #29 break that follows a
 * terminator (breaks after a paragraph separator always stay):
 *
 * 1. "?v=", "end.The": a break right after an ASCII '.', '?' or '!' that is
 *    followed at once by a letter or digit is dropped (URLs, typos); CJK
 *    full stops, which take no space, keep theirs.
 * 2. "“Why?” he asked": after '?' or '!' a lowercase word goes on the sentence.
 * 3. After a full stop followed by white space (no closing quote or
 *    bracket: "the “U.S.” The" ends there), the token before the stop
 *    decides:
 *    - a title ("Mr.", "Dr.", "Gen.", "vs.", TITLES): never a break;
 *    - another listed abbreviation ("Inc.", "etc.", "Oct.", "No.", "St.",
 *      ABBREVS), a dotted abbreviation whose parts are 1 to 3 letters
 *      ("U.S.", "D.C.", "e.g.", "Ph.D."), or a single letter (an initial:
 *      "J. R. Smith", "George W. Bush"): a break only when the next word is
 *      a common sentence starter (STARTERS: "The", "He", "In", "But", ...)
 *      and not itself an initial.  So "in the U.S. The next day" breaks,
 *      "U.S. Secretary" and "Oct. 7" do not, and "in the U.S. Officials
 *      said" stays one sentence: the ambiguity is resolved towards
 *      keeping text together;
 *    - a number of at most three digits that opens its sentence is a list
 *      marker ("1. Anna Berg"): no break;
 *    - anything else, including "..." and "2016.": the break stays.
 * Decimals ("2.0") and a lowercase word after a full stop ("the U.S. where")
 * are already kept together by UAX #29 (SB6, SB8), and it puts closing
 * quotes and brackets after a terminator into the sentence they close.
 * "May" is no abbreviation; "…" (U+2026) is no terminator in UAX #29.
 *
 * The lists are in strcmp order, for bsearch.
 */
static const char *const TITLES[] = {
	"Adm", "Atty", "Brig", "Capt", "Cdr", "Cmdr", "Col", "Cpl", "Cpt", "Det",
	"Dr", "Drs", "Fr", "Gen", "Gov", "Govs", "Hon", "Insp", "Lt", "Maj",
	"Messrs", "Mlle", "Mme", "Mmes", "Mr", "Mrs", "Ms", "Msgr", "Mx", "Pres",
	"Prof", "Profs", "Pvt", "Rep", "Reps", "Rev", "Sen", "Sens", "Sgt",
	"Supt", "cf", "viz", "vs",
};

static const char *const ABBREVS[] = {
	"Ala", "Apr", "Ariz", "Ark", "Art", "Assn", "Aug", "Ave", "Blvd", "Bros",
	"Calif", "Ch", "Co", "Colo", "Conn", "Corp", "Cos", "Dec", "Del", "Dept",
	"Est", "Feb", "Fig", "Figs", "Fla", "Fri", "Ft", "Ga", "Govt", "Hwy",
	"Ill", "Inc", "Ind", "Jan", "Jr", "Jul", "Jun", "Kan", "Kans", "Ky", "La",
	"Ltd", "Mar", "Mass", "Md", "Mich", "Minn", "Miss", "Mo", "Mon", "Mont",
	"Mt", "Neb", "Nev", "No", "Nos", "Nov", "Nr", "Oct", "Okla", "Op", "Ore",
	"Pa", "Plc", "Pt", "Rd", "Sat", "Sec", "Sep", "Sept", "Sr", "St", "Ste",
	"Sun", "Tenn", "Tex", "Thu", "Thurs", "Tue", "Tues", "Univ", "Va", "Vol",
	"Vols", "Vt", "Wash", "Wed", "Wis", "Wyo", "al", "approx", "ca", "ed",
	"eds", "est", "etc", "pp",
};

static const char *const STARTERS[] = {
	"A", "According", "After", "All", "Also", "Although", "Among", "An", "And",
	"Another", "Are", "As", "At", "Because", "Before", "Both", "But", "By",
	"Can", "Could", "Despite", "Did", "Do", "Does", "During", "Each",
	"Earlier", "Even", "Every", "For", "From", "Furthermore", "Had", "Has",
	"Have", "He", "Her", "Here", "His", "How", "However", "I", "If", "In",
	"Indeed", "Instead", "Is", "It", "Its", "Just", "Last", "Later", "Many",
	"Meanwhile", "Moreover", "Most", "My", "Next", "No", "Nor", "Not", "Now",
	"Of", "On", "One", "Only", "Or", "Our", "She", "Should", "Since", "So",
	"Some", "Still", "Such", "That", "The", "Their", "Then", "There", "These",
	"They", "This", "Those", "Though", "Thus", "To", "Today", "Under",
	"Unlike", "Until", "Was", "We", "Were", "What", "When", "Where", "Which",
	"While", "Who", "Why", "Will", "With", "Would", "Yesterday", "Yet", "You",
	"Your",
};

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int listed(const char *const *list, size_t count, const char *word)
{
	return bsearch(&word, list, count, sizeof *list, cmp_str) != NULL;
}

static int is_letter(uint32_t cp)
{
	return uc_is_general_category_withtable(cp, UC_CATEGORY_MASK_L);
}

static int is_alnum(uint32_t cp)
{
	return uc_is_general_category_withtable(cp, UC_CATEGORY_MASK_L | UC_CATEGORY_MASK_N);
}

static int is_digit(uint32_t cp)
{
	return uc_is_general_category_withtable(cp, UC_CATEGORY_MASK_Nd);
}

/* cp[from..to) as ASCII into buf (size cap), or 0 when it is not short ASCII. */
static int ascii_word(const uint32_t *cp, size_t from, size_t to, char *buf, size_t cap)
{
	size_t i;

	if (to - from >= cap)
		return 0;
	for (i = from; i < to; i++) {
		if (cp[i] >= 0x80)
			return 0;
		buf[i - from] = (char)cp[i];
	}
	buf[to - from] = '\0';
	return 1;
}

/* Does the word at cp[i] (after opening quotes or brackets) open a sentence? */
static int starts_sentence(const struct win *w, const unsigned char *p, size_t i)
{
	char buf[16];
	size_t j;

	for (j = 0; i < w->len && j < 4 && p[i] == SB_Close; j++)
		i++;
	for (j = i; j < w->len && is_letter(w->cp[j]); j++)
		;
	if (j == i)
		return 0;
	if (j - i == 1 && j < w->len && w->cp[j] == '.')
		return 0; /* an initial: "J. A. Smith" */
	return ascii_word(w->cp, i, j, buf, sizeof buf) && listed(STARTERS, COUNT(STARTERS), buf);
}

/* Does the token cp[a..t) look like a dotted abbreviation ("U.S", "Ph.D")? */
static int dotted(const uint32_t *cp, size_t a, size_t t)
{
	size_t i, part = 0, dots = 0;

	for (i = a; i < t; i++) {
		if (cp[i] == '.') {
			if (part == 0 || part > 3)
				return 0;
			dots++;
			part = 0;
		} else if (is_letter(cp[i])) {
			part++;
		} else {
			return 0;
		}
	}
	return dots > 0 && part >= 1 && part <= 3;
}

/* Should the break before w->cp[i], after the full stop at t, stay? */
static int keep_after_stop(const struct win *w, const unsigned char *p, const char *brk, size_t t, size_t i)
{
	const uint32_t *cp = w->cp;
	char buf[16];
	size_t a, k;
	int digits = 1;

	if (t > 0 && cp[t - 1] == '.')
		return 1; /* an ellipsis */
	for (a = t; a > 0 && t - a < 32 && (is_alnum(cp[a - 1]) || cp[a - 1] == '.'); a--)
		if (cp[a - 1] == '.' || !is_digit(cp[a - 1]))
			digits = 0;
	if (a == t || t - a >= 32)
		return 1;
	if (ascii_word(cp, a, t, buf, sizeof buf)) {
		if (listed(TITLES, COUNT(TITLES), buf))
			return 0;
		if (listed(ABBREVS, COUNT(ABBREVS), buf))
			return starts_sentence(w, p, i);
	}
	if (dotted(cp, a, t) || (t - a == 1 && is_letter(cp[a])))
		return starts_sentence(w, p, i);
	if (digits && t - a <= 3) {
		/* A list marker opens its sentence: only blanks since the last break. */
		for (k = a; k > 0 && !brk[k] && sb_blank(p[k - 1]); k--)
			;
		if (k == 0 || brk[k])
			return 0;
	}
	return 1;
}

static void sent_fix(const struct win *w, const unsigned char *p, char *brk)
{
	const uint32_t *cp = w->cp;
	size_t i, t, spaces, closes;

	for (i = 1; i < w->len; i++) {
		if (!brk[i] || sb_parasep(p[i - 1]))
			continue;
		/* Back over SATerm Close* Sp*, skipping what SB5 attaches. */
		t = i;
		spaces = closes = 0;
		while (t > 0 && (p[t - 1] == SB_Sp || p[t - 1] == SB_Extend || p[t - 1] == SB_Format))
			spaces += p[--t] == SB_Sp;
		while (t > 0 && (p[t - 1] == SB_Close || p[t - 1] == SB_Extend || p[t - 1] == SB_Format))
			closes += p[--t] == SB_Close;
		while (t > 0 && (p[t - 1] == SB_Extend || p[t - 1] == SB_Format))
			t--;
		if (t == 0 || !sb_term(p[t - 1]))
			continue;
		t--;
		if (t + 1 == i && (cp[t] == '.' || cp[t] == '?' || cp[t] == '!') && is_alnum(cp[i]))
			brk[i] = 0; /* rule 1 */
		else if (p[t] == SB_STerm)
			brk[i] = !(p[i] == SB_Lower || uc_is_lower(cp[i])); /* rule 2 */
		else if (cp[t] == '.' && closes == 0 && spaces > 0)
			brk[i] = (char)keep_after_stop(w, p, brk, t, i); /* rule 3 */
	}
}

/*
 * The sentences of the line around pos, or of the window of SENT_WIN bytes
 * on either side of pos when the line is longer.  Each sentence is [a, b)
 * without leading or trailing white space; raw is where its span begins
 * (the break before it), so that white space between sentences belongs to
 * the sentence before it, as UAX #29 has it.
 */
struct sents {
	size_t from, to;        /* the window, bytes */
	int from_line, to_line; /* the window's ends are line ends, not bounds */
	size_t count;
	size_t *raw, *a, *b;
};

/* Line terminator search within [lo, hi): the first LF or CR, or NULL. */
static const char *find_eol(const char *s, size_t lo, size_t hi)
{
	const char *lf = memchr(s + lo, '\n', hi - lo);
	const char *cr = memchr(s + lo, '\r', (size_t)((lf ? lf : s + hi) - (s + lo)));
	return cr ? cr : lf;
}

/* The last LF or CR in [lo, hi), or NULL. */
static const char *find_eol_back(const char *s, size_t lo, size_t hi)
{
	const char *lf = memrchr(s + lo, '\n', hi - lo);
	size_t from = lf ? (size_t)(lf - s) + 1 : lo;
	const char *cr = memrchr(s + from, '\r', hi - from);
	return cr ? cr : lf;
}

/*
 * Text wrapped at a fixed width (mail, a web page dumped by a text browser,
 * the text of a PDF) ends its lines where the width ran out, not where a
 * sentence did.  Such a line end is a space to sentences: a soft line end.
 * It is one when
 *   - the line it ends is not blank, and the next line is neither blank nor
 *     indented deeper than it;
 *   - the lines around it in its paragraph (WRAP_LINES on either side, up to
 *     a blank line) are at most WRAP_MAX code points long, and the longest
 *     of them, the width W, is at least WRAP_MIN;
 *   - the line was full: the next line's first word would not have fitted
 *      on it within W, less a sixth for wrappers that even out their lines;
 *   - neither line is a row of a table (a tab or three blanks inside it),
 *     both are quoted as deep ("> " in mail), and the next line is not an
 *     item of a list ("- ", "* ", "+ ", "• ", "1. ", "a) ") after an item or
 *     a line ending in a colon, nor is this line an item followed by a line
 *     indented no deeper than it.
 * So a short headline, a byline, a date line or a list keeps its line ends,
 * and text with a paragraph a line (most articles) keeps all of them.  A
 * headline as long as the lines of text right under it is taken for one of
 * them.
 */
#define WRAP_MIN 40
#define WRAP_MAX 100
#define WRAP_LINES 6
#define WRAP_BYTES (4 * WRAP_MAX) /* a line longer than this is longer than WRAP_MAX */

/* Code points in [a, b), counted as their lead bytes. */
static size_t count_cp(const char *s, size_t a, size_t b)
{
	size_t k = 0;

	for (; a < b; a++)
		k += ((unsigned char)s[a] & 0xC0) != 0x80;
	return k;
}

/* Where the line end at at (its CR or LF) ends and the next line starts. */
static size_t eol_after(const char *s, size_t n, size_t at)
{
	return at + (s[at] == '\r' && at + 1 < n && s[at + 1] == '\n' ? 2 : 1);
}

static int wrap_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Width of the line [ls, le), or WRAP_MAX + 1 when it is longer; 0 for a
 * line of white space only.
 */
static size_t wrap_width(const char *s, size_t ls, size_t le)
{
	size_t i;

	if (le - ls > WRAP_BYTES)
		return WRAP_MAX + 1;
	for (i = ls; i < le && wrap_blank(s[i]); i++)
		;
	return i == le ? 0 : count_cp(s, ls, le);
}

/* Do most words of four ASCII letters or more in [a, b) start with a capital (three at least)? */
static bool wrap_title_case(const char *s, size_t a, size_t b)
{
	size_t words = 0, caps = 0, i = a;

	while (i < b) {
		size_t w = i, letters = 0;
		while (i < b && s[i] != ' ')
			letters += (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'), i++;
		if (letters >= 4) {
			words++;
			caps += s[w] >= 'A' && s[w] <= 'Z';
		}
		while (i < b && s[i] == ' ')
			i++;
	}
	return caps >= 3 && 10 * caps >= 7 * words;
}

/* Is there a dash between blanks (" - ", an en or em dash) at i? */
static bool wrap_dash_at(const char *s, size_t i, size_t b)
{
	if (i + 2 < b && s[i] == ' ' && s[i + 1] == '-' && s[i + 2] == ' ')
		return true;
	return i + 4 < b && s[i] == ' ' && !memcmp(s + i + 1, "\xe2\x80", 2) &&
	       ((unsigned char)s[i + 3] == 0x93 || (unsigned char)s[i + 3] == 0x94) && s[i + 4] == ' ';
}

/*
 * Does [a, b) open with a dateline: a word or two in capitals, then a dash
 * ("WASHINGTON — ") or a comma, a capital and a dash soon after ("MADRID,
 * March 4 (Reuters) - ")?  "NATO, which" and "CNN, the network" are text.
 */
static bool wrap_dateline(const char *s, size_t a, size_t b)
{
	size_t i = a, words = 0, j;

	while (i < b && words < 3) {
		size_t w = i;
		while (i < b && s[i] >= 'A' && s[i] <= 'Z')
			i++;
		if (i - w < 2)
			return false;
		words++;
		if (wrap_dash_at(s, i, b))
			return true;
		if (i + 2 < b && s[i] == ',' && s[i + 1] == ' ' && s[i + 2] >= 'A' && s[i + 2] <= 'Z') {
			for (j = i + 2; j < b && j < i + 40; j++)
				if (wrap_dash_at(s, j, b))
					return true;
			return false;
		}
		if (i < b && s[i] == ' ')
			i++;
		else
			return false;
	}
	return false;
}

/* What a line [ls, le) is, for soft_eol. */
struct wrap_line {
	size_t quote;  /* '>' marks at its start (blanks between them skipped) */
	bool item;     /* it opens with a list marker */
	bool table;    /* a tab or three blanks in a row after its first text */
	bool colon;    /* it ends with ':' (blanks after it aside) */
	size_t hang;   /* an item: characters from the line's start to its text */
	bool dateline; /* it opens with a word or two in capitals and a comma or a dash: "MADRID, " */
	bool title;    /* most of its words of four letters or more are capitalized, and no
			* punctuation ends it: a headline in title case */
};

static void wrap_line_kind(const char *s, size_t ls, size_t le, struct wrap_line *k)
{
	size_t i = ls, j, run = 0;

	memset(k, 0, sizeof *k);
	for (;; i++) {
		while (i < le && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= le || s[i] != '>')
			break;
		k->quote++;
	}
	/* "- ", "* ", "+ ", "• ", or one to three digits or one letter and ". " or ") " */
	if (i + 1 < le && (s[i] == '-' || s[i] == '*' || s[i] == '+') && s[i + 1] == ' ')
		k->item = true;
	else if (i + 3 < le && !memcmp(s + i, "\xe2\x80\xa2", 3) && s[i + 3] == ' ')
		k->item = true;
	for (j = i; j < le && j - i < 3 && s[j] >= '0' && s[j] <= '9'; j++)
		;
	if (j == i && i < le && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
		j = i + 1;
	if (j > i && j + 1 < le && (s[j] == '.' || s[j] == ')') && s[j + 1] == ' ')
		k->item = true;
	if (k->item) {
		for (j = i; j < le && s[j] != ' '; j++)
			;
		for (; j < le && s[j] == ' '; j++)
			;
		k->hang = count_cp(s, ls, j);
	}
	for (j = i; j < le; j++) {
		if (s[j] == '\t' || (s[j] == ' ' && ++run >= 3))
			k->table = true;
		if (s[j] != ' ')
			run = 0;
	}
	for (j = le; j > i && (s[j - 1] == ' ' || s[j - 1] == '\t'); j--)
		;
	k->colon = j > i && s[j - 1] == ':';
	k->title = j > i && !strchr(".,;:!?\"')", s[j - 1]) && (unsigned char)s[j - 1] < 0x80 &&
		   wrap_title_case(s, i, j);
	k->dateline = wrap_dateline(s, i, le);
}

/* pos, moved from the LF of a CRLF onto its CR, so that it is on the line the pair ends. */
static size_t on_line(const char *s, size_t n, size_t pos)
{
	if (pos > 0 && pos < n && s[pos] == '\n' && s[pos - 1] == '\r')
		return pos - 1;
	return pos;
}

/* Is the line end whose first byte is at (a CR or an LF) a soft one? */
static int soft_eol(const char *s, size_t n, size_t at)
{
	size_t next, ls, le, k, pw, ww, widest, w, i, this_start = 0, indent, next_indent;
	bool first = false;   /* the line is the first of its paragraph */
	bool in_item = false; /* it goes on under a list item's text above */
	struct wrap_line here, there, up;
	const char *e;

	at = on_line(s, n, at);
	next = eol_after(s, n, at);
	if (next >= n || s[next] == '\r' || s[next] == '\n')
		return 0;
	/* the line it ends, and the lines before it in its paragraph */
	indent = 0;
	le = at;
	widest = 0;
	pw = 0;
	for (k = 0; k < WRAP_LINES; k++) {
		size_t lo = le > WRAP_BYTES + 1 ? le - WRAP_BYTES - 1 : 0;
		e = find_eol_back(s, lo, le);
		if (!e && lo > 0)
			return 0; /* longer than WRAP_MAX */
		ls = e ? (size_t)(e - s) + 1 : 0;
		w = wrap_width(s, ls, le);
		if (w > WRAP_MAX)
			return 0;
		if (k == 0) {
			pw = w;
			this_start = ls;
			first = !e;
			while (ls + indent < le && (s[ls + indent] == ' ' || s[ls + indent] == '\t'))
				indent++;
		}
		if (w == 0) {
			first = k == 1;
			break;
		}
		if (k > 0 && indent > 0 && !in_item) {
			wrap_line_kind(s, ls, le, &up);
			in_item = up.item && up.hang == indent;
		}
		widest = w > widest ? w : widest;
		if (!e)
			break;
		le = on_line(s, n, (size_t)(e - s));
	}
	if (pw == 0)
		return 0;
	/* a next line indented deeper than this one starts a paragraph, unless
	 * it goes on under the text of this line's list item */
	wrap_line_kind(s, this_start, at, &here);
	for (i = next; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	next_indent = i - next;
	if (next_indent > indent && !(here.item && next_indent == here.hang))
		return 0;
	/* the text after a list item's last line, less indented */
	if (in_item && next_indent < indent)
		return 0;
	/* the next line's first word, and the lines after it */
	for (ls = i; i < n && i - ls <= WRAP_BYTES && !wrap_blank(s[i]); i++)
		;
	ww = count_cp(s, ls, i);
	ls = next;
	for (k = 0; k < WRAP_LINES && ls < n; k++) {
		size_t hi = n - ls > WRAP_BYTES + 1 ? ls + WRAP_BYTES + 1 : n;
		e = find_eol(s, ls, hi);
		if (!e && hi < n)
			return 0;
		le = e ? (size_t)(e - s) : n;
		if (k == 0) {
			/* tables, mail quotes and lists (an item after an item, after
			 * the lead-in to a list, or after the hanging rest of one) */
			wrap_line_kind(s, ls, le, &there);
			if (here.table || there.table || here.quote != there.quote)
				return 0;
			if (there.item && (here.item || here.colon || indent > next_indent))
				return 0;
			if (here.item && !there.item && s[ls] != ' ' && s[ls] != '\t')
				return 0;
			/* a headline over its text, a byline over a dateline */
			if ((first && here.title) || there.dateline)
				return 0;
		}
		w = wrap_width(s, ls, le);
		if (w > WRAP_MAX)
			return 0;
		if (w == 0)
			break;
		widest = w > widest ? w : widest;
		if (!e)
			break;
		ls = eol_after(s, n, le);
	}
	if (widest < WRAP_MIN)
		return 0;
	return pw + 1 + ww > widest - widest / 6;
}

static void sents_load(struct sents *ss, const char *s, size_t n, size_t pos)
{
	struct win w;
	unsigned char *p;
	const char *e;
	size_t lo, hi, i, k;

	pos = on_line(s, n, pos);
	lo = pos > SENT_WIN ? pos - SENT_WIN : 0;
	hi = n - pos > SENT_WIN ? pos + SENT_WIN : n;
	/* the line around pos, and the lines soft line ends join to it */
	e = find_eol_back(s, lo, pos);
	while (e && soft_eol(s, n, (size_t)(e - s))) {
		size_t at = (size_t)(e - s);
		/* on, not below lo: the CR of a CRLF may lie outside the window */
		if (e[0] == '\n' && at > lo && e[-1] == '\r')
			at--;
		e = at > lo ? find_eol_back(s, lo, at) : NULL;
	}
	ss->from = e ? (size_t)(e - s) + 1 : align(s, n, lo);
	ss->from_line = e || lo == 0;
	e = find_eol(s, pos, hi);
	while (e && soft_eol(s, n, (size_t)(e - s))) {
		/* the LF of a CRLF may be the window's last byte */
		size_t next = eol_after(s, n, (size_t)(e - s));
		e = next < hi ? find_eol(s, next, hi) : NULL;
	}
	ss->to = e ? (size_t)(e - s) : align(s, n, hi);
	ss->to_line = e || hi == n;

	win_load(&w, s, ss->from, ss->to);
	p = w.sb;
	for (i = 0; i < w.len; i++) {
		p[i] = sb_prop(w.cp[i]);
		/* every line end inside the window is a soft one */
		if (w.cp[i] == '\n' || w.cp[i] == '\r')
			p[i] = SB_Sp;
	}
	sent_rules(p, w.len, w.brk);
	sent_fix(&w, p, w.brk);

	for (i = 1, k = 1; i < w.len; i++)
		k += w.brk[i] != 0;
	ss->raw = util_malloc(3 * k * sizeof *ss->raw);
	ss->a = ss->raw + k;
	ss->b = ss->a + k;
	ss->count = 0;
	for (i = 0; i < w.len; i = k) {
		size_t a = i, b;
		for (k = i + 1; k < w.len && !w.brk[k]; k++)
			;
		while (a < k && sb_blank(p[a]))
			a++;
		if (a == k)
			continue; /* only white space: no sentence */
		for (b = k; b > a && sb_blank(p[b - 1]); b--)
			;
		ss->raw[ss->count] = win_pos(&w, i);
		ss->a[ss->count] = win_pos(&w, a);
		ss->b[ss->count] = win_pos(&w, b);
		ss->count++;
	}
	win_free(&w);
}

static void sents_free(struct sents *ss)
{
	free(ss->raw);
}

static int blank_at(const char *s, size_t n, size_t pos, size_t *len)
{
	uint32_t cp;
	int valid;

	*len = (size_t)util_utf8_decode(s + pos, n - pos, &cp, &valid);
	return sb_blank(sb_prop(cp));
}

/* The first non-blank code point at or after pos (line ends are blank), n, or the bound. */
static size_t skip_blank_fwd(const char *s, size_t n, size_t pos)
{
	size_t start = pos, len;

	while (pos < n && pos - start < BLANK_SKIP && blank_at(s, n, pos, &len))
		pos += len;
	return pos;
}

/* The start of the last non-blank code point before pos; 0 with *found = 0 if none. */
static size_t skip_blank_back(const char *s, size_t n, size_t pos, int *found)
{
	size_t start = pos, len;

	*found = 1;
	while (pos > 0) {
		size_t q = util_utf8_back(s, pos - 1);
		if (!blank_at(s, n, q, &len) || start - q >= BLANK_SKIP)
			return q;
		pos = q;
	}
	*found = 0;
	return 0;
}

size_t seg_sentence_next(const char *s, size_t n, size_t pos)
{
	struct sents ss;
	size_t k, r;

	if (pos >= n)
		return n;
	sents_load(&ss, s, n, pos);
	for (k = 0; k < ss.count; k++)
		if (ss.a[k] > pos)
			break;
	if (k < ss.count)
		r = ss.a[k];
	else if (!ss.to_line)
		r = ss.to; /* the bound starts the next one */
	else
		r = skip_blank_fwd(s, n, ss.to);
	sents_free(&ss);
	return r;
}

size_t seg_sentence_prev(const char *s, size_t n, size_t pos)
{
	struct sents ss;
	size_t k, r;
	int found;

	if (pos > n)
		pos = n;
	if (pos == 0)
		return 0;
	sents_load(&ss, s, n, pos);
	for (k = ss.count; k > 0 && ss.a[k - 1] >= pos; k--)
		;
	if (k > 0) {
		r = ss.a[k - 1];
	} else if (!ss.from_line) {
		r = ss.from;
	} else {
		/* The last sentence of the previous line that has one. */
		size_t q = skip_blank_back(s, n, ss.from, &found);
		r = q;
		if (found) {
			sents_free(&ss);
			sents_load(&ss, s, n, q);
			for (k = ss.count; k > 0 && ss.a[k - 1] > q; k--)
				;
			if (k > 0)
				r = ss.a[k - 1];
		}
	}
	sents_free(&ss);
	return r;
}

void seg_sentence_at(const char *s, size_t n, size_t pos, size_t *start, size_t *end)
{
	struct sents ss;
	size_t k;

	if (pos > n)
		pos = n;
	if (n == 0) {
		*start = *end = 0;
		return;
	}
	sents_load(&ss, s, n, pos);
	if (ss.count == 0) {
		*start = *end = align(s, n, pos);
	} else {
		for (k = 0; k + 1 < ss.count && ss.raw[k + 1] <= pos; k++)
			;
		*start = ss.a[k];
		*end = ss.b[k];
	}
	sents_free(&ss);
}

/* ---- paragraphs ---- */

/*
 * A paragraph key reads at most PARA_BOUND bytes to find a line end: in a
 * line longer than that (a 1 GB file with no newline), the bound is taken as
 * the paragraph's edge, so that { and } cost what a screen costs.
 */
#define PARA_BOUND (1u << 20)

/* The end (terminator or n) of the line holding pos; *cut when the bound stopped the search. */
static size_t line_end(const char *s, size_t n, size_t pos, int *cut)
{
	const char *e;
	size_t hi;

	pos = on_line(s, n, pos);
	hi = n - pos > PARA_BOUND ? pos + PARA_BOUND : n;
	e = pos < n ? find_eol(s, pos, hi) : NULL;
	*cut = !e && hi < n;
	return e ? (size_t)(e - s) : *cut ? util_utf8_back(s, hi) : n;
}

/* The start of the line holding pos; *cut as above. */
static size_t line_start(const char *s, size_t n, size_t pos, int *cut)
{
	const char *e;
	size_t lo;

	pos = on_line(s, n, pos);
	lo = pos > PARA_BOUND ? pos - PARA_BOUND : 0;
	e = pos > 0 ? find_eol_back(s, lo, pos) : NULL;
	*cut = !e && lo > 0;
	return e ? (size_t)(e - s) + 1 : *cut ? util_utf8_back(s, lo) : 0;
}

/* The start of the line after the one that ends at le (le < n). */
static size_t after_eol(const char *s, size_t n, size_t le)
{
	if (s[le] == '\r' && le + 1 < n && s[le + 1] == '\n')
		return le + 2;
	return le + 1;
}

/* Is [ls, le) only white space?  A line longer than the bound is not. */
static int line_blank(const char *s, size_t ls, size_t le)
{
	size_t len;

	while (ls < le) {
		if (!blank_at(s, le, ls, &len))
			return 0;
		ls += len;
		if (len == 0)
			break;
	}
	return ls >= le;
}

static int line_blank_bounded(const char *s, size_t ls, size_t le)
{
	return le - ls <= BLANK_SKIP && line_blank(s, ls, le);
}

size_t seg_para_next(const char *s, size_t n, size_t pos)
{
	size_t origin, le, ls;
	int cut;

	if (pos >= n)
		return n;
	le = line_end(s, n, pos, &cut);
	if (cut)
		return le;
	origin = le;
	while (le < n) {
		ls = after_eol(s, n, le);
		if (ls >= n)
			return n;
		le = line_end(s, n, ls, &cut);
		if (cut || !line_blank_bounded(s, ls, le) || ls - origin > BLANK_SKIP)
			return ls;
	}
	return n;
}

size_t seg_para_prev(const char *s, size_t n, size_t pos)
{
	size_t origin, ls, le;
	int cut;

	if (pos > n)
		pos = n;
	if (pos == 0)
		return 0;
	ls = line_start(s, n, pos, &cut);
	if (cut || (pos > ls && !line_blank_bounded(s, ls, line_end(s, n, ls, &cut))))
		return ls;
	origin = ls;
	while (ls > 0) {
		le = on_line(s, n, ls - 1);
		ls = line_start(s, n, le, &cut);
		if (cut || !line_blank_bounded(s, ls, le) || origin - ls > BLANK_SKIP)
			return ls;
	}
	return 0;
}
