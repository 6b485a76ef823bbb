/*
 * layout.c: the units of a document (lines, and windows of very long lines),
 * greedy wrapping of one unit into rows of glyphs, the mapping between byte
 * positions and cells, and an LRU cache of layouts.
 *
 * Finding a unit reads a few windows around the position, never the whole
 * line, so a 1 GB line costs what a short one does.  Wrapping reads only its
 * unit: break opportunities come from libunistring (UAX #14), grapheme
 * clusters from libunistring (UAX #29), widths from doc_show_cp().
 */
#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unigbrk.h>
#include <unictype.h>
#include <unilbrk.h>

#include "gloss/doc.h"
#include "gloss/layout.h"
#include "gloss/util.h"

#define WIN ((size_t)LAYOUT_WINDOW)
/* How far past a multiple of the window a cut looks for a space to follow. */
#define CUT_SEEK 256
/* How far it looks first for the space after a sentence's end, where a row
 * that ends early reads as a pause of the text. */
#define CUT_SENTENCE 1024
/* A cut stays inside its window, which layout_unit's search relies on. */
_Static_assert(CUT_SENTENCE < LAYOUT_WINDOW && CUT_SEEK < LAYOUT_WINDOW, "a cut within its window");
/* A grapheme longer than this (a base with thousands of marks) is split, so
 * that glyph lengths stay in 16 bits and one glyph stays cheap to draw. */
#define GRAPHEME_MAX 1024
#define TAB_STOP 8
/* Glyph columns are 16 bits. */
#define WIDTH_MAX 65535
#define NONE ((size_t)-1)
/* Nodes a cache starts with (see cache_grow). */
#define LAYOUT_CACHE_FIRST 32

/* ------------------------------------------------------------------ units */

static bool has_lf(const char *s, size_t a, size_t b)
{
	return b > a && memchr(s + a, '\n', b - a) != NULL;
}

/*
 * The last line feed in s[a, b), or NULL.  Lines are mostly short, so look
 * byte by byte first, then with memchr() over blocks from the end.
 */
static const char *last_lf(const char *s, size_t a, size_t b)
{
	size_t stop = b - a > 256 ? b - 256 : a;

	for (; b > stop; b--)
		if (s[b - 1] == '\n')
			return s + b - 1;
	while (b > a) {
		size_t from = b - a > 4096 ? b - 4096 : a;
		const char *p = memchr(s + from, '\n', b - from), *q;

		if (p) {
			while ((q = memchr(p + 1, '\n', (size_t)(s + b - p - 1))) != NULL)
				p = q;
			return p;
		}
		b = from;
	}
	return NULL;
}

/* Closing punctuation that may stand between a sentence's end and the
 * space after it: ASCII quotes and brackets, and the closing quotes
 * U+2019 and U+201D as their last byte after E2 80. */
static bool closes_sentence(const char *s, size_t from, size_t *i)
{
	unsigned char c = (unsigned char)s[*i - 1];

	if (c == '"' || c == '\'' || c == ')' || c == ']') {
		(*i)--;
		return true;
	}
	if ((c == 0x99 || c == 0x9D) && *i >= from + 3 && (unsigned char)s[*i - 2] == 0x80 &&
	    (unsigned char)s[*i - 3] == 0xE2) {
		*i -= 3;
		return true;
	}
	return false;
}

/* The first space in s[from, lim) after '.', '!' or '?' (closing quotes
 * or brackets may come between, all within [from, lim)), or NULL. */
static const char *sentence_space(const char *s, size_t from, size_t lim)
{
	const char *sp = s + from;

	while ((sp = memchr(sp, ' ', (size_t)(s + lim - sp))) != NULL) {
		size_t i = (size_t)(sp - s);
		for (int k = 0; k < 2 && i > from && closes_sentence(s, from, &i); k++)
			;
		if (i > from && (s[i - 1] == '.' || s[i - 1] == '!' || s[i - 1] == '?'))
			return sp;
		sp++;
	}
	return NULL;
}

/*
 * The cut near k*WIN, or 0 when there is none.  It exists when no line end
 * lies within WIN bytes either side of k*WIN, and it depends on those bytes
 * only, so every caller finds the same cuts wherever it starts from.
 */
static size_t unit_cut(const char *s, size_t n, size_t k)
{
	size_t kw, hi, lim, cut, p;
	const char *sp;
	uint32_t cp;
	int valid;

	if (k == 0 || k > (n - 1) / WIN)
		return 0;
	kw = k * WIN;
	hi = n - kw > WIN ? kw + WIN : n;
	if (has_lf(s, kw - WIN, hi))
		return 0;
	sp = sentence_space(s, kw, n - kw > CUT_SENTENCE ? kw + CUT_SENTENCE : n);
	lim = n - kw > CUT_SEEK ? kw + CUT_SEEK : n;
	if (!sp)
		sp = memchr(s + kw, ' ', lim - kw);
	if (sp) {
		cut = (size_t)(sp - s) + 1;
	} else {
		/* Not inside a code point: the next boundary at or after kw. */
		p = util_utf8_back(s, kw);
		cut = p == kw ? kw : p + (size_t)util_utf8_decode(s + p, n - p, &cp, &valid);
	}
	return cut < n ? cut : 0;
}

/*
 * Unit boundaries are 0, n, every byte after a line end, and every cut.  The
 * unit of pos runs from the last boundary <= pos to the first one > pos.
 * With k0 = pos / WIN, a line end is found within [(k0-2)WIN, pos) unless the
 * cut of k0-1 exists (its surroundings are line-end free), and one within
 * [pos, (k0+3)WIN) unless the cut of k0+2 exists; so five windows suffice.
 */
void layout_unit(const char *s, size_t n, size_t pos, size_t *start, size_t *end)
{
	size_t k0, lo, hi, st, en, c, k;
	bool st_line, en_line;
	const char *p;

	if (n == 0) {
		*start = *end = 0;
		return;
	}
	if (pos >= n)
		pos = n - 1;
	k0 = pos / WIN;
	lo = k0 >= 2 ? (k0 - 2) * WIN : 0;
	p = last_lf(s, lo, pos);
	st = p ? (size_t)(p - s) + 1 : 0;
	st_line = p || lo == 0;
	hi = (n - pos) / WIN >= 3 ? (k0 + 3) * WIN : n;
	p = memchr(s + pos, '\n', hi - pos);
	en = p ? (size_t)(p - s) + 1 : n;
	en_line = p || hi == n;

	/* A line no longer than a window is never cut (see layout.h). */
	if (!(st_line && en_line && en - st <= WIN)) {
		for (k = k0 ? k0 - 1 : 0; k <= k0 + 2; k++) {
			c = unit_cut(s, n, k);
			if (!c)
				continue;
			if (c <= pos && c > st)
				st = c;
			else if (c > pos && c < en)
				en = c;
		}
	}
	assert(st_line || st > lo);
	assert(en_line || en < hi);
	*start = st;
	*end = en;
}

/* ----------------------------------------------------------------- layout */

static bool is_break_before(const char *lb, const struct layout_glyph *gl, size_t g)
{
	char b = lb[gl[g].off];

	if (b == UC_BREAK_POSSIBLE || b == UC_BREAK_HYPHENATION)
		return true;
	/*
	 * Only a line feed ends a line, and it ends the unit; a line break
	 * character inside (a lone CR, VT, FF, NEL, U+2028) is shown as a
	 * control, and a row may break after it.
	 */
	return g > 0 && lb[gl[g - 1].off] == UC_BREAK_MANDATORY;
}

/*
 * Grapheme boundaries, as u8_grapheme_breaks() gives them, but asking it only
 * about runs of non-ASCII bytes (with the ASCII character either side, which
 * a mark may join or a prepended character may precede): between two ASCII
 * characters there is always a boundary, and the rules that look further
 * back (emoji sequences, regional indicator pairs) only cross non-ASCII
 * characters.  This halves the cost for mostly ASCII text.
 */
static void grapheme_breaks(const char *u, size_t ce, char *gb)
{
	size_t i = 0;

	memset(gb, 1, ce);
	while (i < ce) {
		size_t a, b;
		char keep;

		if ((unsigned char)u[i] < 0x80) {
			i++;
			continue;
		}
		a = i;
		while (i < ce && (unsigned char)u[i] >= 0x80)
			i++;
		b = i < ce ? i + 1 : i;
		if (a > 0)
			a--;
		keep = gb[a]; /* its own boundary was decided by what precedes it */
		u8_grapheme_breaks((const uint8_t *)u + a, b - a, gb + a);
		gb[a] = keep;
	}
}

/* Invisible format characters (a byte-order mark, zero-width space, word
 * joiner...): shown as nothing, not as a mark on a dotted circle. */
static bool layout_invisible(const char *p, size_t n)
{
	uint32_t cp;
	int valid;

	util_utf8_decode(p, n, &cp, &valid);
	return valid && (cp == 0x200B || cp == 0xFEFF || (cp >= 0x2060 && cp <= 0x2064) || cp == 0x180E);
}

static bool layout_regional(const char *p, size_t n)
{
	uint32_t cp;
	int valid;

	util_utf8_decode(p, n, &cp, &valid);
	return valid && cp >= 0x1F1E6 && cp <= 0x1F1FF;
}

/*
 * Unicode's rule LB29 (no break between infix punctuation and a letter,
 * as in "e.g."), which libunistring 1.0 does not apply: without it "the
 * U.S. election" may wrap after "U.".  lb is u8_possible_linebreaks' answer
 * for u[0..n).
 */
static void keep_infix_letters(const char *u, size_t n, char *lb)
{
	for (size_t i = 1; i < n; i++) {
		uint32_t cp;
		int valid;
		char c = u[i - 1];

		if (lb[i] != UC_BREAK_POSSIBLE || (c != '.' && c != ',' && c != ':' && c != ';'))
			continue;
		util_utf8_decode(u + i, n - i, &cp, &valid);
		if (valid && uc_is_alpha(cp))
			lb[i] = UC_BREAK_PROHIBITED;
	}
}

/*
 * Split the content into glyphs (one per grapheme), with natural widths, into
 * *glp of *capp entries, grown when stray continuation bytes (a glyph each)
 * outnumber the estimate.
 */
static size_t layout_graphemes(const char *u, size_t ce, const char *gb,
			       struct layout_glyph **glp, size_t *capp)
{
	size_t i = 0, ng = 0;
	bool prev_text = false;
	struct doc_show sh;
	struct layout_glyph *gl = *glp;

	while (i < ce) {
		unsigned char c = (unsigned char)u[i];
		enum doc_show_kind kind;
		int len, w;

		if (c >= 0x20 && c < 0x7F) { /* the common case, without wcwidth() */
			kind = DOC_SHOW_TEXT;
			w = 1;
			len = 1;
		} else {
			len = doc_show_cp(u + i, ce - i, &sh);
			kind = sh.kind;
			w = sh.width;
		}
		/*
		 * Anything not shown as itself is a glyph of its own: libunistring
		 * may group ill-formed bytes differently from util_utf8_decode().
		 */
		if (ng == 0 || gb[i] || kind != DOC_SHOW_TEXT || !prev_text ||
		    i + (size_t)len - gl[ng - 1].off > GRAPHEME_MAX) {
			if (ng == *capp) {
				*capp = *capp * 2 + 16;
				gl = *glp = util_realloc(gl, *capp * sizeof *gl);
			}
			gl[ng].off = (uint32_t)i;
			gl[ng].len = (uint16_t)len;
			gl[ng].col = 0;
			/* A lone combining mark is drawn on a dotted circle of its own. */
			gl[ng].width = (uint8_t)(w == 0 && !layout_invisible(u + i, ce - i) ? 1 : w);
			gl[ng].kind = (uint8_t)kind;
			ng++;
		} else {
			/* A flag, two regional indicators, takes two cells: both are drawn. */
			if (layout_regional(u + gl[ng - 1].off, ce - gl[ng - 1].off) &&
			    layout_regional(u + i, ce - i))
				gl[ng - 1].width = 2;
			gl[ng - 1].len = (uint16_t)(gl[ng - 1].len + len);
		}
		prev_text = kind == DOC_SHOW_TEXT;
		i += (size_t)len;
	}
	return ng;
}

static bool glyph_hangs(const char *u, const struct layout_glyph *g)
{
	return g->kind == DOC_SHOW_TAB || (g->len == 1 && u[g->off] == ' ');
}

struct layout *layout_make(const char *s, size_t start, size_t end, int width)
{
	struct layout *l = util_calloc(1, sizeof *l);
	const char *u = s + start;
	size_t n, ce, ncp = 0, gcap, ng, g, i, nrow = 0, cap;
	struct layout_glyph *gl;
	struct layout_row *rows;
	char *lb = NULL, *gb = NULL;

	assert(start <= end && end - start <= UINT32_MAX);
	width = width < 1 ? 1 : width > WIDTH_MAX ? WIDTH_MAX : width;
	n = end - start;
	/* The line end takes no glyph. */
	ce = n;
	if (ce > 0 && u[ce - 1] == '\n') {
		ce--;
		if (ce > 0 && u[ce - 1] == '\r')
			ce--;
	}
	/* About one glyph per code point: size the array once. */
	for (i = 0; i < ce; i++)
		ncp += ((unsigned char)u[i] & 0xC0) != 0x80;
	gcap = ncp ? ncp : 1;
	gl = util_malloc(gcap * sizeof *gl);
	if (ce > 0) {
		lb = util_malloc(2 * ce);
		gb = lb + ce;
		u8_possible_linebreaks((const uint8_t *)u, ce, "UTF-8", lb);
		keep_infix_letters(u, ce, lb);
		grapheme_breaks(u, ce, gb);
	}
	ng = layout_graphemes(u, ce, gb, &gl, &gcap);

	/*
	 * Greedy: fill a row; on overflow, end it at the last break opportunity
	 * in it (the glyphs after it are laid again on the next row), else before
	 * the glyph that overflows, else (a glyph wider than the whole row) after
	 * that glyph, clipped.  A glyph's width stays its natural width until it
	 * is clipped, which is final; spaces and tabs get theirs from the column.
	 */
	cap = ncp / (size_t)width + 4;
	rows = util_malloc(cap * sizeof *rows);
	g = 0;
	do {
		size_t r0 = g, brk = NONE;
		int col = 0;

		for (; g < ng; g++) {
			struct layout_glyph *G = &gl[g];
			int w;

			if (g > r0 && is_break_before(lb, gl, g))
				brk = g;
			if (glyph_hangs(u, G)) {
				/* Spaces and tabs never wrap: what does not fit hangs. */
				w = G->kind == DOC_SHOW_TAB ? TAB_STOP - col % TAB_STOP : 1;
				if (w > width - col)
					w = width - col;
				G->col = (uint16_t)col;
				G->width = (uint8_t)w;
				col += w;
				continue;
			}
			w = G->width;
			if (col + w <= width) {
				G->col = (uint16_t)col;
				col += w;
				continue;
			}
			if (brk != NONE) {
				g = brk;
			} else if (g == r0) {
				G->col = 0;
				G->width = (uint8_t)width; /* < the natural width, <= 8 */
				g++;
			}
			break;
		}
		if (nrow == cap) {
			cap *= 2;
			rows = util_realloc(rows, cap * sizeof *rows);
		}
		rows[nrow].off = r0 < ng ? gl[r0].off : 0;
		rows[nrow].glyph = (uint32_t)r0;
		rows[nrow].nglyph = (uint32_t)(g - r0);
		nrow++;
	} while (g < ng);
	free(lb);

	l->start = start;
	l->end = end;
	l->width = width;
	l->nrow = nrow;
	l->rows = rows;
	l->nglyph = ng;
	/* Only many combining marks leave much unused. */
	l->glyphs = ng < gcap / 2 ? util_realloc(gl, (ng ? ng : 1) * sizeof *gl) : gl;
	return l;
}

void layout_free(struct layout *l)
{
	if (!l)
		return;
	free(l->rows);
	free(l->glyphs);
	free(l);
}

/* ---------------------------------------------------------------- mapping */

static uint32_t layout_rel(const struct layout *l, size_t pos)
{
	if (pos < l->start)
		pos = l->start;
	if (pos > l->end)
		pos = l->end;
	return (uint32_t)(pos - l->start);
}

size_t layout_row_at(const struct layout *l, size_t pos)
{
	uint32_t rel = layout_rel(l, pos);
	size_t lo = 0, hi = l->nrow - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		if (l->rows[mid].off <= rel)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

size_t layout_glyph_at(const struct layout *l, size_t pos)
{
	uint32_t rel = layout_rel(l, pos);
	const struct layout_row *r = &l->rows[layout_row_at(l, pos)];
	size_t lo = r->glyph, hi, g;

	if (r->nglyph == 0)
		return r->glyph;
	hi = r->glyph + r->nglyph - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		if (l->glyphs[mid].off <= rel)
			lo = mid;
		else
			hi = mid - 1;
	}
	g = lo;
	/* Past the last glyph: the line end. */
	if (rel >= l->glyphs[g].off + (uint32_t)l->glyphs[g].len)
		return g + 1;
	return g;
}

size_t layout_pos_at(const struct layout *l, size_t row, int col)
{
	const struct layout_row *r;
	size_t lo, hi;

	if (row >= l->nrow)
		row = l->nrow - 1;
	r = &l->rows[row];
	if (r->nglyph == 0)
		return l->start + r->off;
	lo = r->glyph;
	hi = r->glyph + r->nglyph - 1;
	/* The last glyph starting at or before col; columns never decrease. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		if ((int)l->glyphs[mid].col <= col)
			lo = mid;
		else
			hi = mid - 1;
	}
	return l->start + l->glyphs[lo].off;
}

int layout_col_at(const struct layout *l, size_t pos)
{
	const struct layout_row *r = &l->rows[layout_row_at(l, pos)];
	size_t g = layout_glyph_at(l, pos);
	const struct layout_glyph *last;

	if (g < r->glyph + r->nglyph)
		return l->glyphs[g].col;
	if (r->nglyph == 0)
		return 0;
	last = &l->glyphs[g - 1];
	return last->col + last->width;
}

/* ------------------------------------------------------------------- text */

/* Append len bytes when they fit with the terminating NUL. */
static bool text_put(char *buf, size_t size, size_t *o, const char *t, size_t len)
{
	if (*o + len >= size)
		return false;
	memcpy(buf + *o, t, len);
	*o += len;
	return true;
}

bool layout_glyph_hidden(const char *s, const struct layout *l, const struct layout_glyph *g)
{
	return g->width == 0 && !glyph_hangs(s + l->start, g);
}

const char *layout_glyph_text(const char *s, const struct layout *l,
			      const struct layout_glyph *g, char *buf, size_t size)
{
	const char *p = s + l->start + g->off;
	struct doc_show sh;
	size_t o = 0, i, len, tw;
	int n1;
	bool all_text = true;

	assert(size >= 1);
	buf[0] = '\0';
	if (g->width == 0 || g->len == 0)
		return buf; /* a hanging space or tab */
	if (g->kind == DOC_SHOW_TAB) {
		for (i = 0; i < g->width; i++)
			text_put(buf, size, &o, " ", 1);
		buf[o] = '\0';
		return buf;
	}
	n1 = doc_show_cp(p, g->len, &sh);
	tw = (size_t)(sh.width == 0 ? 1 : sh.width);
	/* A flag is two cells: on a row of one it is cut like any wide glyph. */
	if (n1 < g->len && layout_regional(p, g->len) && layout_regional(p + n1, g->len - (size_t)n1))
		tw = 2;
	if (sh.kind != DOC_SHOW_TEXT) {
		/* The visible forms are ASCII, except U+FFFD (one cell). */
		len = strlen(sh.text);
		if (tw > g->width && len == tw)
			len = g->width;
		text_put(buf, size, &o, sh.text, len);
	} else if (tw > g->width) {
		/* A wide character on a row too narrow for it. */
		for (i = 0; i < g->width; i++)
			text_put(buf, size, &o, "?", 1);
	} else {
		if (sh.width == 0)
			text_put(buf, size, &o, "\xE2\x97\x8C", 3); /* U+25CC DOTTED CIRCLE */
		/* Every code point of the grapheme, when they fit and are all text. */
		for (i = (size_t)n1; i < g->len && all_text; ) {
			struct doc_show sh2;
			i += (size_t)doc_show_cp(p + i, g->len - i, &sh2);
			all_text = sh2.kind == DOC_SHOW_TEXT;
		}
		if (!all_text || !text_put(buf, size, &o, p, g->len))
			text_put(buf, size, &o, p, (size_t)n1);
	}
	buf[o] = '\0';
	return buf;
}

/* ------------------------------------------------------------------ cache */

/*
 * Nodes live in one array of up to max entries, linked from most to least
 * recently used; an open-addressing table (linear probing, deletion by
 * backward shift) maps (start, width) to a node.  Slots hold node index + 1.
 * Both start small and double as nodes are taken: a view that shows a few
 * screens never touches the memory of a full cache (every page of it would
 * be a page fault at the start).
 */
struct cache_node {
	size_t start;
	int width;
	struct layout *l;
	size_t prev, next;
	uint64_t used;     /* when last got */
};

struct layout_cache {
	size_t max, count;
	size_t bytes;      /* memory held by the cached layouts */
	size_t free;       /* first free node, linked through next; NONE when none */
	uint64_t tick, mark; /* the byte budget spares what was got since the mark */
	struct cache_node *nodes;
	size_t nodes_cap;  /* allocated nodes, at most max */
	size_t *slots;
	size_t mask;       /* slots - 1: at least twice nodes_cap */
	size_t head, tail; /* most and least recently used */
};

static size_t cache_hash(size_t start, int width)
{
	uint64_t h = (uint64_t)start * 0x9E3779B97F4A7C15u ^ (uint64_t)(unsigned)width * 0xC2B2AE3D27D4EB4Fu;
	return (size_t)(h ^ (h >> 29));
}

struct layout_cache *layout_cache_new(size_t max_units)
{
	struct layout_cache *c = util_calloc(1, sizeof *c);
	size_t cap = 8;

	c->max = max_units ? max_units : 1;
	c->nodes_cap = c->max < LAYOUT_CACHE_FIRST ? c->max : LAYOUT_CACHE_FIRST;
	while (cap < 2 * c->nodes_cap)
		cap *= 2;
	c->nodes = util_calloc(c->nodes_cap, sizeof *c->nodes);
	c->slots = util_calloc(cap, sizeof *c->slots);
	c->mask = cap - 1;
	c->head = c->tail = c->free = NONE;
	return c;
}

void layout_cache_clear(struct layout_cache *c)
{
	size_t i;

	for (i = 0; i < c->count; i++) {
		layout_free(c->nodes[i].l);
		c->nodes[i].l = NULL;
	}
	memset(c->slots, 0, (c->mask + 1) * sizeof *c->slots);
	c->count = 0;
	c->bytes = 0;
	c->head = c->tail = c->free = NONE;
}

size_t layout_cache_bytes(const struct layout_cache *c)
{
	return c->bytes;
}

static size_t cache_cost(const struct layout *l)
{
	return sizeof *l + l->nrow * sizeof *l->rows + l->nglyph * sizeof *l->glyphs;
}

void layout_cache_free(struct layout_cache *c)
{
	if (!c)
		return;
	layout_cache_clear(c);
	free(c->nodes);
	free(c->slots);
	free(c);
}

/* The slot of (start, width), or of the empty slot where it would go. */
static size_t cache_slot(const struct layout_cache *c, size_t start, int width)
{
	size_t i = cache_hash(start, width) & c->mask;

	while (c->slots[i]) {
		const struct cache_node *nd = &c->nodes[c->slots[i] - 1];
		if (nd->start == start && nd->width == width)
			break;
		i = (i + 1) & c->mask;
	}
	return i;
}

static void cache_unlink(struct layout_cache *c, size_t x)
{
	struct cache_node *nd = &c->nodes[x];

	if (nd->prev != NONE)
		c->nodes[nd->prev].next = nd->next;
	else
		c->head = nd->next;
	if (nd->next != NONE)
		c->nodes[nd->next].prev = nd->prev;
	else
		c->tail = nd->prev;
}

static void cache_push_front(struct layout_cache *c, size_t x)
{
	struct cache_node *nd = &c->nodes[x];

	nd->prev = NONE;
	nd->next = c->head;
	if (c->head != NONE)
		c->nodes[c->head].prev = x;
	c->head = x;
	if (c->tail == NONE)
		c->tail = x;
}

/* Empty slot i, moving later entries of its probe run back into the gap. */
static void cache_slot_delete(struct layout_cache *c, size_t i)
{
	size_t j = i, k;

	c->slots[i] = 0;
	for (;;) {
		const struct cache_node *nd;

		j = (j + 1) & c->mask;
		if (!c->slots[j])
			return;
		nd = &c->nodes[c->slots[j] - 1];
		k = cache_hash(nd->start, nd->width) & c->mask;
		/* It stays when its home lies cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		c->slots[i] = c->slots[j];
		c->slots[j] = 0;
		i = j;
	}
}

void layout_cache_mark(struct layout_cache *c)
{
	c->mark = ++c->tick;
}

static const struct layout *cache_hit(struct layout_cache *c, size_t slot)
{
	size_t x = c->slots[slot] - 1;

	c->nodes[x].used = ++c->tick;
	if (c->head != x) {
		cache_unlink(c, x);
		cache_push_front(c, x);
	}
	return c->nodes[x].l;
}

/* Forget node x: its slot, its place in the order and its layout. */
static void cache_drop(struct layout_cache *c, size_t x)
{
	struct cache_node *nd = &c->nodes[x];

	cache_slot_delete(c, cache_slot(c, nd->start, nd->width));
	cache_unlink(c, x);
	c->bytes -= cache_cost(nd->l);
	layout_free(nd->l);
	nd->l = NULL;
}

/* Room for twice the nodes (at most max), the table rebuilt to match. */
static void cache_grow(struct layout_cache *c)
{
	size_t ncap = c->nodes_cap * 2 < c->max ? c->nodes_cap * 2 : c->max, cap = c->mask + 1;
	size_t *old = c->slots, oldcap = c->mask + 1;

	c->nodes = util_realloc(c->nodes, ncap * sizeof *c->nodes);
	memset(c->nodes + c->nodes_cap, 0, (ncap - c->nodes_cap) * sizeof *c->nodes);
	c->nodes_cap = ncap;
	while (cap < 2 * ncap)
		cap *= 2;
	if (cap == oldcap)
		return;
	c->slots = util_calloc(cap, sizeof *c->slots);
	c->mask = cap - 1;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i]) {
			const struct cache_node *nd = &c->nodes[old[i] - 1];
			c->slots[cache_slot(c, nd->start, nd->width)] = old[i];
		}
	free(old);
}

const struct layout *layout_cache_get(struct layout_cache *c, const char *s, size_t n,
				      size_t start, int width)
{
	size_t slot, st, en, x;
	struct cache_node *nd;

	width = width < 1 ? 1 : width > WIDTH_MAX ? WIDTH_MAX : width;
	slot = cache_slot(c, start, width);
	if (c->slots[slot])
		return cache_hit(c, slot);
	/* Not a unit start: key by the start of its unit. */
	layout_unit(s, n, start, &st, &en);
	if (st != start) {
		slot = cache_slot(c, st, width);
		if (c->slots[slot])
			return cache_hit(c, slot);
	}
	if (c->free != NONE) {
		x = c->free;
		c->free = c->nodes[x].next;
	} else if (c->count < c->max) {
		if (c->count == c->nodes_cap) {
			cache_grow(c);
			slot = cache_slot(c, st, width); /* the table may have been rebuilt */
		}
		x = c->count++;
	} else {
		x = c->tail;
		cache_drop(c, x);
		slot = cache_slot(c, st, width); /* the deletion may have moved it */
	}
	nd = &c->nodes[x];
	nd->start = st;
	nd->width = width;
	nd->l = layout_make(s, st, en, width);
	nd->used = ++c->tick;
	c->bytes += cache_cost(nd->l);
	c->slots[slot] = x + 1;
	cache_push_front(c, x);
	/* Huge windows are costly: past the budget, drop the oldest but this one. */
	while (c->bytes > LAYOUT_CACHE_BYTES && c->tail != x &&
	       (c->mark == 0 || c->nodes[c->tail].used < c->mark)) {
		size_t t = c->tail;
		cache_drop(c, t);
		c->nodes[t].next = c->free;
		c->free = t;
	}
	return nd->l;
}
