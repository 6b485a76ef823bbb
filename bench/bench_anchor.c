/*
 * bench_anchor: how well and how fast re-anchoring works, for bench/run.
 *
 *   bench_anchor [SIZE_KB...]      (default: 50 10240)
 *
 * For each size, from a fixed seed: a document of paragraphs of sentences
 * (English with accented names and emoji, and Japanese), a few sentences
 * repeated word for word elsewhere, and 200 annotations on spans of whole
 * words, none overlapping.  Then edits: words inserted and deleted right
 * against quotes, one word changed inside some quotes, some quotes deleted
 * (the words alone, or the whole sentence), paragraphs moved, sentences
 * inserted and deleted and words changed elsewhere.  Every word has an id,
 * so where each quote truly went (or that it is gone) is known by
 * construction.  The annotations are re-anchored with the old text known,
 * and (for the first size) without it.  Prints one line per figure:
 *
 *   LABEL <tab> VALUE <tab> WARNING (empty when the figure is as expected)
 *
 * "Wrong text": placed, but not overlapping the true place, or the quote
 * was deleted.  "Other bounds": on the true place, but not exactly its span.
 * With BENCH_ANCHOR_VERBOSE set, each annotation not placed exactly where
 * it went is shown on stderr; BENCH_ANCHOR_SEED changes the seed (for
 * trying many documents).  Exits 1 when one was placed on wrong text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gloss/anchor.h"
#include "gloss/util.h"

#define BA_ANNOTATIONS 200
#define BA_REPEAT 5

/* ---------------------------------------------------------------- words */

static const char *const ba_en[] = {
	"the", "council", "voted", "to", "approve", "a", "budget", "of", "million", "for", "coming",
	"year", "according", "treasurer", "report", "spending", "on", "roads", "rose", "by", "percent",
	"largest", "increase", "since", "mayor", "said", "figures", "were", "conservative", "would",
	"be", "revised", "in", "months", "residents", "who", "spoke", "at", "meeting", "mostly",
	"asked", "about", "bus", "routes", "library", "opening", "hours", "critics", "pointed", "out",
	"that", "plan", "relies", "new", "hires", "have", "not", "yet", "been", "found", "officials",
	"bridges", "inspected", "last", "needed", "repairs", "within", "years", "vote", "came",
	"after", "debate", "nearly", "during", "which", "two", "amendments", "withdrawn",
	"independent", "audit", "due", "is", "expected", "examine", "contracts", "worth",
	"spokesperson", "office", "described", "time", "stopgap", "previous", "passed", "smaller",
	"was", "and", "with", "from", "this", "week", "their", "public", "transport", "school",
	"water", "housing", "plans", "police", "statement", "minister", "press", "government",
	"election", "campaign", "court", "ruling", "judge", "evidence", "witness", "sources",
	"close", "investigation", "told", "reporters", "Tuesday", "Monday", "morning", "evening",
	"city", "state", "federal", "agency", "data", "showed", "survey", "analysts", "warned",
	"prices", "market", "2019", "2024", "3.5", "forty", "seven", "hundred",
};
static const char *const ba_latin[] = {
	"Gonz\u00e1lez", "caf\u00e9", "na\u00efve", "r\u00e9sum\u00e9", "S\u00e3o", "Z\u00fcrich",
	"\u00c6r\u00f8", "Krak\u00f3w", "se\u00f1or", "fa\u00e7ade", "Dvo\u0159\u00e1k", "M\u00fcller",
	"Jos\u00e9", "e\u0301le\u0300ve", "co\u00f6perate", "\u0141\u00f3d\u017a", "\u00c5ngstr\u00f6m",
};
static const char *const ba_emoji[] = {
	"\U0001F44D\U0001F3FD", "\U0001F1E9\U0001F1EA", "\u2764\uFE0F",
	"\U0001F468\u200D\U0001F469\u200D\U0001F467", "\U0001F389", "\U0001F4C8", "\U0001F68C",
};
static const char *const ba_cjk[] = {
	"東京", "会議", "市長", "予算", "承認", "報告", "道路", "橋", "図書館", "住民", "批判",
	"計画", "職員", "監査", "契約", "選挙", "政府", "記者", "調査", "市場", "は", "を", "に",
	"が", "の", "と", "した", "する", "です", "ました", "によると", "今年", "来年", "百万",
	"円", "서울", "시장", "예산", "火曜日", "委員会",
};

#define BA_LEN(a) (sizeof a / sizeof *a)

/* splitmix64, from a fixed seed: the same document every run. */
static unsigned long long ba_state = 20261122;

static unsigned ba_rand(unsigned bound)
{
	unsigned long long z = (ba_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return (unsigned)((z ^ (z >> 31)) % bound);
}

/* ---------------------------------------------------------------- the document */

struct ba_word {
	const char *t;
	long id;
	int ann; /* the annotation it is part of, or -1 */
};

struct ba_sent {
	struct ba_word *w;
	size_t n, cap;
	int cjk, gone;
};

struct ba_para {
	struct ba_sent **s;
	size_t n, cap;
};

struct ba_doc {
	struct ba_para **p;
	size_t n, cap;
	struct ba_sent **all; /* every sentence made, for lookups and freeing */
	size_t nall, capall;
	long next_id;
};

enum { BA_SAME, BA_CHANGED, BA_DELETED };

struct ba_ann {
	struct ba_sent *s;
	long first, last;
	int kind;
	size_t start, end; /* in the old text */
	struct anchor an;
};

static void *ba_grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? 2 * *cap : 8;
	return util_realloc(p, *cap * size);
}

static const char *ba_word_for(int cjk)
{
	unsigned r = ba_rand(100);
	if (cjk)
		return ba_cjk[ba_rand(BA_LEN(ba_cjk))];
	if (r < 8)
		return ba_latin[ba_rand(BA_LEN(ba_latin))];
	if (r < 10)
		return ba_emoji[ba_rand(BA_LEN(ba_emoji))];
	return ba_en[ba_rand(BA_LEN(ba_en))];
}

static void ba_insert_word(struct ba_doc *d, struct ba_sent *s, size_t at, const char *t)
{
	s->w = ba_grow(s->w, &s->cap, s->n, sizeof *s->w);
	memmove(s->w + at + 1, s->w + at, (s->n - at) * sizeof *s->w);
	s->w[at] = (struct ba_word){t, d->next_id++, -1};
	s->n++;
}

static struct ba_sent *ba_sentence(struct ba_doc *d, int cjk)
{
	struct ba_sent *s = util_calloc(1, sizeof *s);
	size_t n = cjk ? 6 + ba_rand(8) : 8 + ba_rand(10);

	s->cjk = cjk;
	for (size_t i = 0; i < n; i++)
		ba_insert_word(d, s, s->n, ba_word_for(cjk));
	d->all = ba_grow(d->all, &d->capall, d->nall, sizeof *d->all);
	d->all[d->nall++] = s;
	return s;
}

/* The same words as s, with new ids. */
static struct ba_sent *ba_copy(struct ba_doc *d, const struct ba_sent *s)
{
	struct ba_sent *c = util_calloc(1, sizeof *c);

	c->cjk = s->cjk;
	for (size_t i = 0; i < s->n; i++)
		ba_insert_word(d, c, c->n, s->w[i].t);
	d->all = ba_grow(d->all, &d->capall, d->nall, sizeof *d->all);
	d->all[d->nall++] = c;
	return c;
}

static void ba_para_insert(struct ba_para *p, size_t at, struct ba_sent *s)
{
	p->s = ba_grow(p->s, &p->cap, p->n, sizeof *p->s);
	memmove(p->s + at + 1, p->s + at, (p->n - at) * sizeof *p->s);
	p->s[at] = s;
	p->n++;
}

static void ba_generate(struct ba_doc *d, size_t bytes)
{
	size_t size = 0;

	while (size < bytes) {
		struct ba_para *p = util_calloc(1, sizeof *p);
		size_t n = 2 + ba_rand(5);
		for (size_t i = 0; i < n; i++) {
			struct ba_sent *s = ba_sentence(d, ba_rand(5) == 0);
			ba_para_insert(p, p->n, s);
			size += s->cjk ? 6 * s->n : 7 * s->n;
		}
		d->p = ba_grow(d->p, &d->cap, d->n, sizeof *d->p);
		d->p[d->n++] = p;
	}
	/* A few sentences said twice, word for word, in other paragraphs. */
	for (int i = 0; i < 12; i++) {
		struct ba_sent *s = d->all[ba_rand((unsigned)d->nall)];
		struct ba_para *p = d->p[ba_rand((unsigned)d->n)];
		ba_para_insert(p, ba_rand((unsigned)p->n + 1), ba_copy(d, s));
	}
}

/*
 * The text, and where each word (by id) is in it.  English words are
 * separated by spaces and end with ".", Japanese ones run together and end
 * with "。"; sentences are separated by a space, paragraphs by a blank line.
 */
static char *ba_render(const struct ba_doc *d, size_t *len, size_t *ws, size_t *we)
{
	size_t n = 0, cap = 1 << 16;
	char *b = util_malloc(cap);

#define BA_PUT(str) do { size_t l_ = strlen(str); \
	if (n + l_ + 1 > cap) { while (n + l_ + 1 > cap) cap *= 2; b = util_realloc(b, cap); } \
	memcpy(b + n, str, l_); n += l_; } while (0)
	for (size_t i = 0; i < d->n; i++) {
		if (i)
			BA_PUT("\n\n");
		for (size_t j = 0; j < d->p[i]->n; j++) {
			const struct ba_sent *s = d->p[i]->s[j];
			if (j)
				BA_PUT(" ");
			for (size_t k = 0; k < s->n; k++) {
				if (k && !s->cjk)
					BA_PUT(" ");
				ws[s->w[k].id] = n;
				BA_PUT(s->w[k].t);
				we[s->w[k].id] = n;
			}
			BA_PUT(s->cjk ? "。" : ".");
		}
	}
	BA_PUT("\n");
#undef BA_PUT
	*len = n;
	return b;
}

static size_t ba_find(const struct ba_sent *s, long id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->w[i].id == id)
			return i;
	return (size_t)-1;
}

/* 200 annotations of 2 to 8 words (Japanese: 2 to 6), none sharing a word. */
static void ba_annotate(struct ba_doc *d, struct ba_ann *ann)
{
	for (int a = 0; a < BA_ANNOTATIONS;) {
		struct ba_sent *s = d->all[ba_rand((unsigned)d->nall)];
		size_t len = 2 + ba_rand(s->cjk ? 5 : 7), at, k;
		if (len > s->n)
			continue;
		at = ba_rand((unsigned)(s->n - len + 1));
		for (k = 0; k < len && s->w[at + k].ann < 0; k++)
			;
		if (k < len)
			continue;
		for (k = 0; k < len; k++)
			s->w[at + k].ann = a;
		ann[a] = (struct ba_ann){s, s->w[at].id, s->w[at + len - 1].id, BA_SAME, 0, 0, {0}};
		a++;
	}
}

static void ba_delete_sentence(struct ba_doc *d, struct ba_sent *s, struct ba_ann *ann)
{
	for (size_t i = 0; i < d->n; i++) {
		struct ba_para *p = d->p[i];
		for (size_t j = 0; j < p->n; j++) {
			if (p->s[j] != s)
				continue;
			memmove(p->s + j, p->s + j + 1, (p->n - j - 1) * sizeof *p->s);
			p->n--;
			s->gone = 1;
			for (size_t k = 0; k < s->n; k++)
				if (s->w[k].ann >= 0)
					ann[s->w[k].ann].kind = BA_DELETED;
			return;
		}
	}
}

/* The edits; scale multiplies those made away from the annotations. */
static void ba_edit(struct ba_doc *d, struct ba_ann *ann, size_t scale)
{
	int order[BA_ANNOTATIONS];

	for (int i = 0; i < BA_ANNOTATIONS; i++)
		order[i] = i;
	for (int i = BA_ANNOTATIONS - 1; i > 0; i--) {
		int j = (int)ba_rand((unsigned)i + 1), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (int r = 0; r < BA_ANNOTATIONS; r++) {
		struct ba_ann *a = &ann[order[r]];
		struct ba_sent *s = a->s;
		if (a->kind == BA_DELETED)
			continue;
		size_t i0 = ba_find(s, a->first), i1 = ba_find(s, a->last);
		if (r < 25 && i1 - i0 >= 2) {
			/* One word changed inside the quote. */
			size_t at = i0 + 1 + ba_rand((unsigned)(i1 - i0 - 1));
			const char *t;
			do
				t = ba_word_for(s->cjk);
			while (!strcmp(t, s->w[at].t));
			s->w[at].t = t;
			s->w[at].id = d->next_id++;
			a->kind = BA_CHANGED;
		} else if (r >= 25 && r < 30) {
			/* The quote's words deleted. */
			memmove(s->w + i0, s->w + i1 + 1, (s->n - i1 - 1) * sizeof *s->w);
			s->n -= i1 - i0 + 1;
			a->kind = BA_DELETED;
			if (!s->n)
				ba_delete_sentence(d, s, ann);
		} else if (r >= 30 && r < 35) {
			ba_delete_sentence(d, s, ann);
		} else if (r >= 35 && r < 55) {
			ba_insert_word(d, s, i0, ba_word_for(s->cjk)); /* right before */
		} else if (r >= 55 && r < 75) {
			ba_insert_word(d, s, i1 + 1, ba_word_for(s->cjk)); /* right after */
		} else if (r >= 75 && r < 90) {
			/* The word right before (or after) deleted. */
			size_t at = r % 2 ? i0 - 1 : i1 + 1;
			if ((r % 2 ? i0 > 0 : i1 + 1 < s->n) && s->w[at].ann < 0) {
				memmove(s->w + at, s->w + at + 1, (s->n - at - 1) * sizeof *s->w);
				s->n--;
			}
		} else if (r >= 90 && r < 100) {
			/* Both: a word before, a sentence after. */
			ba_insert_word(d, s, i0, ba_word_for(s->cjk));
			for (size_t i = 0; i < d->n; i++)
				for (size_t j = 0; j < d->p[i]->n; j++)
					if (d->p[i]->s[j] == s) {
						ba_para_insert(d->p[i], j + 1, ba_sentence(d, s->cjk));
						i = d->n;
						break;
					}
		}
	}
	/* Paragraphs moved. */
	for (size_t k = 0; k < 3 + scale / 4; k++) {
		size_t from = ba_rand((unsigned)d->n), to = ba_rand((unsigned)d->n);
		struct ba_para *p = d->p[from];
		memmove(d->p + from, d->p + from + 1, (d->n - from - 1) * sizeof *d->p);
		memmove(d->p + to + 1, d->p + to, (d->n - 1 - to) * sizeof *d->p);
		d->p[to] = p;
	}
	/* Elsewhere: sentences inserted and deleted, words changed. */
	for (size_t k = 0; k < 30 * scale; k++) {
		struct ba_para *p = d->p[ba_rand((unsigned)d->n)];
		ba_para_insert(p, ba_rand((unsigned)p->n + 1), ba_sentence(d, ba_rand(5) == 0));
	}
	for (size_t k = 0; k < 20 * scale; k++) {
		struct ba_sent *s = d->all[ba_rand((unsigned)d->nall)];
		size_t i;
		for (i = 0; i < s->n && s->w[i].ann < 0; i++)
			;
		if (!s->gone && i == s->n)
			ba_delete_sentence(d, s, ann);
	}
	for (size_t k = 0; k < 30 * scale; k++) {
		struct ba_sent *s = d->all[ba_rand((unsigned)d->nall)];
		size_t at = s->n ? ba_rand((unsigned)s->n) : 0;
		if (s->n && s->w[at].ann < 0) {
			s->w[at].t = ba_word_for(s->cjk);
			s->w[at].id = d->next_id++;
		}
	}
}

/* ---------------------------------------------------------------- measuring */

static double ba_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int ba_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void ba_time(double s, char *out, size_t n)
{
	if (s < 0.01)
		snprintf(out, n, "%.2f ms", s * 1e3);
	else if (s < 1)
		snprintf(out, n, "%.1f ms", s * 1e3);
	else
		snprintf(out, n, "%.2f s", s);
}

static double ba_pct(size_t a, size_t b)
{
	return b ? 100.0 * (double)a / (double)b : 100.0;
}

/* With BENCH_ANCHOR_VERBOSE set: what went where, on stderr. */
static void ba_explain(const char *label, const struct ba_ann *a, struct anchor_place p, const char *old,
		       const char *new_, size_t ts, size_t te)
{
	static const char *const how[] = {"orphan", "exact", "diff", "fuzzy"};
	static const char *const kind[] = {"unchanged", "one word changed", "deleted"};

	fprintf(stderr, "%s: %s quote [%zu,%zu) \"%.*s\"\n  prefix \"%s\" suffix \"%s\"\n", label, kind[a->kind],
		a->start, a->end, (int)(a->end - a->start), old + a->start, a->an.prefix, a->an.suffix);
	if (a->kind != BA_DELETED)
		fprintf(stderr, "  truth [%zu,%zu) \"%.*s\"\n", ts, te, (int)(te - ts), new_ + ts);
	fprintf(stderr, "  placed %s [%zu,%zu) \"%.*s\"\n", how[p.how], p.start, p.end,
		(int)(p.end - p.start), new_ + p.start);
	if (a->kind != BA_DELETED)
		fprintf(stderr, "  around truth: \"%.*s\"\n", (int)(te + 60 - (ts > 60 ? ts - 60 : 0)),
			new_ + (ts > 60 ? ts - 60 : 0));
}

/* Place every annotation; print the figures under label.  Returns 0 when
 * nothing was placed on the wrong text. */
static int ba_measure(const char *label, const char *old, size_t oldn, const char *new_, size_t newn,
		      const struct ba_ann *ann, const size_t *ws, const size_t *we, int knows_old, int repeat)
{
	struct anchor_place place[BA_ANNOTATIONS];
	size_t how[4] = {0}, wrong = 0, off = 0, same = 0, same_ok = 0, same_right = 0, changed = 0;
	size_t changed_ok = 0;
	size_t deleted = 0, deleted_ok = 0;
	double t[BA_REPEAT];
	char buf[64];

	for (int r = 0; r < repeat; r++) {
		double t0 = ba_now();
		struct anchor_map *m = anchor_map_new(knows_old ? old : NULL, oldn, new_, newn);
		for (int i = 0; i < BA_ANNOTATIONS; i++) {
			const struct ba_ann *a = &ann[i];
			struct anchor_old o = {
				a->start, a->end, a->an.quote, a->end - a->start,
				a->an.prefix, strlen(a->an.prefix), a->an.suffix, strlen(a->an.suffix),
			};
			place[i] = anchor_place(m, &o);
		}
		anchor_map_free(m);
		t[r] = ba_now() - t0;
	}
	qsort(t, (size_t)repeat, sizeof *t, ba_cmp_double);

	for (int i = 0; i < BA_ANNOTATIONS; i++) {
		const struct ba_ann *a = &ann[i];
		struct anchor_place p = place[i];
		int placed = p.how != ANCHOR_ORPHAN, right = 0;
		how[p.how]++;
		if (a->kind == BA_DELETED) {
			deleted++;
			deleted_ok += !placed;
			wrong += placed;
			if (placed && getenv("BENCH_ANCHOR_VERBOSE"))
				ba_explain(label, a, p, old, new_, 0, 0);
			continue;
		}
		size_t ts = ws[a->first], te = we[a->last];
		if (placed) {
			right = p.start == ts && p.end == te;
			if (!right && p.start < te && ts < p.end)
				off++;
			else if (!right)
				wrong++;
		}
		if (getenv("BENCH_ANCHOR_VERBOSE") && (!right || (knows_old && a->kind == BA_SAME && p.how == ANCHOR_FUZZY)))
			ba_explain(label, a, p, old, new_, ts, te);
		if (a->kind == BA_SAME) {
			same++;
			same_ok += right && (p.how == ANCHOR_EXACT || p.how == ANCHOR_DIFF);
			same_right += right;
		} else {
			changed++;
			changed_ok += right;
		}
	}
	printf("%s: exact / diff / fuzzy / orphan\t%.1f%% / %.1f%% / %.1f%% / %.1f%%\t\n", label,
	       ba_pct(how[ANCHOR_EXACT], BA_ANNOTATIONS), ba_pct(how[ANCHOR_DIFF], BA_ANNOTATIONS),
	       ba_pct(how[ANCHOR_FUZZY], BA_ANNOTATIONS), ba_pct(how[ANCHOR_ORPHAN], BA_ANNOTATIONS));
	printf("%s: placed on the wrong text\t%zu\t%s\n", label, wrong, wrong ? "must be 0" : "");
	printf("%s: placed on the right text, other bounds\t%zu\t\n", label, off);
	if (knows_old)
		printf("%s: unchanged quotes placed exactly or by diff, right text\t%.1f%% (%zu of %zu)\t%s\n",
		       label, ba_pct(same_ok, same), same_ok, same, same_ok < same ? "expected 100%" : "");
	else
		printf("%s: unchanged quotes placed on the right text\t%.1f%% (%zu of %zu)\t\n", label,
		       ba_pct(same_right, same), same_right, same);
	printf("%s: one-word-changed quotes placed, right text\t%.1f%% (%zu of %zu)\t%s\n", label,
	       ba_pct(changed_ok, changed), changed_ok, changed,
	       ba_pct(changed_ok, changed) < 95 ? "expected >= 95%" : "");
	printf("%s: deleted quotes orphaned\t%.1f%% (%zu of %zu)\t\n", label, ba_pct(deleted_ok, deleted),
	       deleted_ok, deleted);
	ba_time(t[repeat / 2], buf, sizeof buf);
	printf("%s: time, map and %d placements (median of %d)\t%s\t\n", label, BA_ANNOTATIONS, repeat, buf);
	return wrong != 0;
}

static int ba_run(size_t kb, int without_old)
{
	struct ba_doc d = {0};
	struct ba_ann *ann = util_calloc(BA_ANNOTATIONS, sizeof *ann);
	size_t oldn, newn, *ws, *we, *ws2, *we2, cap;
	char *old, *new_, label[64];
	int bad = 0;

	ba_generate(&d, kb << 10);
	ba_annotate(&d, ann);
	cap = (size_t)d.next_id * 2 + 1024;
	ws = util_calloc(cap, sizeof *ws);
	we = util_calloc(cap, sizeof *we);
	old = ba_render(&d, &oldn, ws, we);
	for (int i = 0; i < BA_ANNOTATIONS; i++) {
		ann[i].start = ws[ann[i].first];
		ann[i].end = we[ann[i].last];
		anchor_make(old, oldn, ann[i].start, ann[i].end, &ann[i].an);
	}
	ba_edit(&d, ann, kb / 50 ? kb / 50 : 1);
	cap = (size_t)d.next_id + 1;
	ws2 = util_calloc(cap, sizeof *ws2);
	we2 = util_calloc(cap, sizeof *we2);
	new_ = ba_render(&d, &newn, ws2, we2);

	if (kb >= 1024)
		snprintf(label, sizeof label, "%zu MB, %d annotations", kb >> 10, BA_ANNOTATIONS);
	else
		snprintf(label, sizeof label, "%zu KB, %d annotations", kb, BA_ANNOTATIONS);
	bad |= ba_measure(label, old, oldn, new_, newn, ann, ws2, we2, 1, kb >= 1024 ? 3 : BA_REPEAT);
	if (without_old) {
		strcat(label, ", old text unknown");
		bad |= ba_measure(label, old, oldn, new_, newn, ann, ws2, we2, 0, BA_REPEAT);
	}

	for (int i = 0; i < BA_ANNOTATIONS; i++)
		anchor_release(&ann[i].an);
	for (size_t i = 0; i < d.nall; i++) {
		free(d.all[i]->w);
		free(d.all[i]);
	}
	for (size_t i = 0; i < d.n; i++) {
		free(d.p[i]->s);
		free(d.p[i]);
	}
	free(d.p);
	free(d.all);
	free(ann);
	free(ws);
	free(we);
	free(ws2);
	free(we2);
	free(old);
	free(new_);
	return bad;
}

int main(int argc, char **argv)
{
	int bad = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getenv("BENCH_ANCHOR_SEED"))
		ba_state = strtoull(getenv("BENCH_ANCHOR_SEED"), NULL, 10);
	if (argc < 2) {
		bad |= ba_run(50, 1);
		bad |= ba_run(10240, 0);
	}
	for (int i = 1; i < argc; i++) {
		long kb = strtol(argv[i], NULL, 10);
		if (kb <= 0) {
			fprintf(stderr, "usage: bench_anchor [SIZE_KB...]\n");
			return 2;
		}
		bad |= ba_run((size_t)kb, i == 1);
	}
	return bad;
}
