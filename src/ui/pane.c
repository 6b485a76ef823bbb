/*
 * pane.c: drawing one pane: its title line and the display rows its view
 * shows, with control characters in their colour and search matches
 * highlighted.  Matches are looked for in the units on screen only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <wchar.h>

#include "gloss/doc.h"
#include "gloss/layout.h"
#include "gloss/search.h"
#include "gloss/spans.h"
#include "gloss/store.h"
#include "gloss/util.h"
#include "gloss/view.h"
#include "internal.h"

#define UI_MAX_ROWS 512
/* how far past the screen's text, and before it over white space, a match
 * that shows on it is looked for */
#define UI_MATCH_PAST (1u << 20)

struct ui_span {
	size_t start, end;
};

struct ui_spans {
	struct ui_span *v;
	size_t n, cap;
};

static void ui_spans_add(struct ui_spans *s, size_t a, size_t b)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 32;
		s->v = util_realloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n].start = a;
	s->v[s->n].end = b;
	s->n++;
}

/*
 * Every match that shows in the units on screen, in order.  The units are
 * one stretch of the document, looked through as one, so that a match
 * across a line end (blanks in a pattern match line ends) shows on both
 * rows.  Blanks match white space however long: a match may start above
 * the screen, across the white space before it and a pattern's length of
 * text, and end below it, up to UI_MATCH_PAST bytes on.
 */
static void ui_find_matches(struct ui *u, struct ui_pane *p, struct view_row *rows, size_t nrow,
			    struct ui_spans *out)
{
	const char *s = doc_bytes(p->doc);
	size_t n = doc_size(p->doc), from, ms, me, lo, end, hi, reach;

	if (!u->search || nrow == 0)
		return;
	lo = rows[0].layout->start;
	end = rows[nrow - 1].layout->end;
	hi = n - end > UI_MATCH_PAST ? end + UI_MATCH_PAST : n;
	/* back over the white space above, then a pattern's length (each of its
	 * bytes is met by at most 12 of the document's) */
	while (lo > 0 && rows[0].layout->start - lo < UI_MATCH_PAST &&
	       strchr(" \t\r\n", s[lo - 1]) && s[lo - 1])
		lo--;
	reach = 12 * strlen(search_pattern(u->search)) + 4;
	lo = lo > reach ? util_utf8_back(s, lo - reach) : 0;
	from = lo;
	while (search_find_starting(u->search, s, lo, hi, from, end, &ms, &me, NULL, NULL)) {
		ui_spans_add(out, ms, me);
		from = me > ms ? me : ms + 1;
	}
}

static bool ui_in_spans(const struct ui_spans *m, size_t *k, size_t pos)
{
	while (*k < m->n && m->v[*k].end <= pos)
		(*k)++;
	return *k < m->n && m->v[*k].start <= pos;
}

static void ui_put_cell(int y, int x, const wchar_t *wc, attr_t a)
{
	cchar_t cc;

	if (ui_painting())
		ui_paint_cell(y, x, wc, a);
	else if (setcchar(&cc, wc, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL) == OK)
		mvadd_wch(y, x, &cc);
}

/*
 * A grapheme as curses takes it: its first character and the combining ones
 * after it, in wc (0-terminated); returns how many.  A joiner ends it (the
 * terminal would show a joiner left at a cell's end on the next cell), so an
 * emoji sequence shows as its first emoji; a flag's two regional indicators
 * take a cell each, the second given in *flag (else 0).
 */
static int ui_glyph_chars(const char *text, wchar_t wc[CCHARW_MAX + 1], wchar_t *flag)
{
	size_t n;
	int nw = 0;

	*flag = 0;
	/* most glyphs of most text: one printable ASCII character */
	if ((unsigned char)text[0] >= 0x20 && (unsigned char)text[0] < 0x7F && !text[1]) {
		wc[0] = (wchar_t)text[0];
		wc[1] = 0;
		return 1;
	}
	/* the locale is UTF-8 (main sees to it), so a wchar_t is a code
	 * point: decoded here, at a fraction of what mbrtowc costs */
	n = strlen(text);
	while (n > 0 && nw < CCHARW_MAX) {
		uint32_t cp;
		int valid, k = util_utf8_decode(text, n, &cp, &valid);
		wchar_t c = (wchar_t)cp;
		if (!valid || cp == 0)
			break;
		if (nw > 0 && (wcwidth(c) != 0 || c == 0x200D)) {
			if (c >= 0x1F1E6 && c <= 0x1F1FF && wc[0] >= 0x1F1E6 && wc[0] <= 0x1F1FF)
				*flag = c;
			break;
		}
		wc[nw++] = c;
		text += k;
		n -= (size_t)k;
	}
	wc[nw] = 0;
	return nw;
}

/* A grapheme as ui_glyph_chars gave it, one call each for its cells. */
static void ui_draw_chars(int y, int x, const wchar_t *wc, wchar_t flag, attr_t a)
{
	if (flag) {
		wchar_t second[2] = { flag, 0 };
		ui_put_cell(y, x + 1, second, a);
	}
	ui_put_cell(y, x, wc, a);
}

void ui_draw_glyph(int y, int x, const char *text, attr_t a)
{
	wchar_t wc[CCHARW_MAX + 1], flag;

	if (ui_glyph_chars(text, wc, &flag) > 0)
		ui_draw_chars(y, x, wc, flag, a);
}

/*
 * Glyphs side by side on a row, given to curses in one call: it copies them
 * as they are, where a call per glyph would have it work out each one's
 * place again.  A wide one joins them where curses too gives it two
 * columns; a flag, and what is not text, go one by one.
 */
#define UI_CELLS_MAX 256

struct ui_cells {
	cchar_t cell[UI_CELLS_MAX];
	int y, x, n;
	int end; /* the column after the last cell: a wide character takes two */
};

static void ui_cells_flush(struct ui_cells *r)
{
	if (r->n > 0)
		mvadd_wchnstr(r->y, r->x, r->cell, r->n);
	r->n = 0;
}

/* One character of width columns (1, or 2 where curses agrees) at y, x,
 * kept to be added with the cells next to it in one call. */
static void ui_cells_add(struct ui_cells *r, int y, int x, const wchar_t *wc, attr_t a, int width)
{
	if (ui_painting()) {
		ui_paint_cell(y, x, wc, a);
		return;
	}
	if (r->n > 0 && (r->y != y || r->end != x || r->n == UI_CELLS_MAX))
		ui_cells_flush(r);
	if (r->n == 0) {
		r->y = y;
		r->x = x;
	}
	if (setcchar(&r->cell[r->n], wc, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL) == OK) {
		r->n++;
		r->end = x + width;
	}
}

static void ui_draw_title(struct ui_pane *p, bool focus, int y)
{
	attr_t a = ui_attr(focus ? UI_TITLE_FOCUS : UI_TITLE);
	char pct[96];
	int pw;

	ui_fill(y, p->x, p->w, a);
	/* The weak spots at a glance: claims, sources, claims with no source. */
	int pc = view_percent(p->view);
	if (!p->claims && !p->sources)
		snprintf(pct, sizeof pct, " %d%% ", pc);
	else if (snprintf(pct, sizeof pct, " %zu claim%s %zu source%s %zu unsourced %d%% ", p->claims,
			  p->claims == 1 ? "" : "s", p->sources, p->sources == 1 ? "" : "s",
			  p->unsourced, pc) + 12 > p->w)
		snprintf(pct, sizeof pct, " %zuc %zus %zu? %d%% ", p->claims, p->sources, p->unsourced, pc);
	pw = ui_text_width(pct);
	if (pw + 4 > p->w)
		pw = 0;
	ui_put(y, p->x + 1, p->w - pw - 1, p->title, a);
	if (pw)
		ui_put(y, p->x + p->w - pw, pw, pct, a);
}

/* The annotations a row may show: a few, looked through for each glyph
 * instead of two walks of the index per glyph. */
#define UI_ROW_SPANS 16

struct ui_row_spans {
	size_t idx[UI_ROW_SPANS];
	size_t n;
	bool all;            /* more than fit: ask the index for each glyph */
};

static void ui_row_spans(const struct spans *sp, size_t a, size_t last, struct ui_row_spans *r)
{
	r->n = spans_overlapping(sp, a, last + 1, r->idx, UI_ROW_SPANS);
	r->all = r->n > UI_ROW_SPANS;
}

/* spans_innermost and spans_depth for pos, from the row's candidates; the
 * same for the positions of the row from pos to *until. */
static long ui_row_innermost(const struct spans *sp, const struct ui_row_spans *r, size_t pos,
			     size_t *depth, size_t *until)
{
	long best = -1;

	if (r->all) {
		best = spans_innermost(sp, pos);
		*depth = best >= 0 ? spans_depth(sp, pos) : 0;
		*until = pos + 1;
		return best;
	}
	*depth = 0;
	*until = SIZE_MAX;
	for (size_t k = 0; k < r->n; k++) {
		const struct spans_item *it = spans_at(sp, r->idx[k]), *b;
		/* where this one begins or ends after pos, the answer may change */
		if (pos < it->start && it->start < *until)
			*until = it->start;
		else if (pos < it->end && it->end < *until)
			*until = it->end;
		if (!(it->start <= pos && pos < it->end))
			continue;
		(*depth)++;
		if (best < 0) {
			best = (long)r->idx[k];
			continue;
		}
		b = spans_at(sp, (size_t)best);
		if (it->end - it->start < b->end - b->start ||
		    (it->end - it->start == b->end - b->start && it->start > b->start))
			best = (long)r->idx[k];
	}
	return best;
}

/*
 * A sum of what a row of a pane shows: its place, its bytes, the number of
 * its glyphs, and where their attribute changes and to what.  A row whose
 * sum is the one drawn last is left as it is: curses then neither copies
 * nor compares it, which is most of a redraw that changes a few rows (a
 * tagging, a selection).  Every sum starts from a random seed, so that a
 * document cannot be made to give a row the sum of what the screen showed
 * there before.
 */
static uint64_t ui_sum_seed;

static uint64_t ui_sum_start(void)
{
	while (!ui_sum_seed) {
		uint64_t r = 0;
		if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
			struct timespec t;
			clock_gettime(CLOCK_MONOTONIC, &t);
			r = (uint64_t)t.tv_nsec * 0x9E3779B97F4A7C15u ^ (uint64_t)t.tv_sec ^
			    (uint64_t)(uintptr_t)&t;
		}
		ui_sum_seed = r;
	}
	return ui_sum_seed;
}

static uint64_t ui_sum(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x9E3779B97F4A7C15u;
	return h ^ (h >> 31);
}

static uint64_t ui_sum_bytes(uint64_t h, const char *p, size_t n)
{
	uint64_t v;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&v, p, 8);
		h = ui_sum(h, v);
	}
	v = n;
	memcpy(&v, p, n); /* the length stays in the bytes not copied over */
	return ui_sum(h, v ^ ((uint64_t)n << 56));
}

/* Room for pane p's sums of rows rows (at least one); all unknown when
 * they were not kept for that many. */
static void ui_sums_fit(struct ui_pane *p, size_t rows)
{
	if (p->nsum == rows)
		return;
	p->sums = util_realloc(p->sums, rows * sizeof *p->sums);
	memset(p->sums, 0, rows * sizeof *p->sums);
	p->nsum = rows;
}

/* The rows of p on screen are not known: the next drawing draws them all. */
static void ui_pane_forget_rows(struct ui_pane *p)
{
	if (p->nsum)
		memset(p->sums, 0, p->nsum * sizeof *p->sums);
}

/* The annotation the last glyphs were in, and its attribute: the glyphs
 * of one annotation follow each other, and the row's annotations are
 * looked through again only where one of them begins or ends. */
struct ui_attr_memo {
	size_t from, until; /* the positions of the row it holds for */
	long in;            /* its index in the pane's spans; -1: none */
	size_t depth;
	attr_t a;           /* its tag's attribute, for in >= 0 */
};

/* The attribute of glyph gl at pos, from its kind, annotations, matches
 * (m, k as ui_in_spans) and the selection [sa, sb). */
static attr_t ui_glyph_attr(struct ui *u, const struct ui_pane *p, const struct layout_glyph *gl,
			    size_t pos, const struct ui_row_spans *rs, struct ui_attr_memo *memo,
			    const struct ui_spans *m, size_t *k, bool sel, size_t sa, size_t sb)
{
	attr_t a = gl->kind == DOC_SHOW_CONTROL || gl->kind == DOC_SHOW_INVALID ? ui_attr(UI_CONTROL)
										: ui_attr(UI_TEXT);

	if ((rs->n || rs->all) && gl->kind == DOC_SHOW_TEXT) {
		if (!(memo->from <= pos && pos < memo->until)) {
			size_t depth;
			long in = ui_row_innermost(p->spans, rs, pos, &depth, &memo->until);
			memo->from = pos;
			if (in >= 0 && (in != memo->in || depth != memo->depth)) {
				const struct spans_item *it = spans_at(p->spans, (size_t)in);
				memo->a = ui_tag_attr(ui_tag_of(u, p->anns[it->id].tag), depth);
			}
			memo->in = in;
			memo->depth = depth;
		}
		if (memo->in >= 0)
			a = memo->a;
	}
	if (ui_in_spans(m, k, pos))
		a = ui_attr(UI_MATCH);
	if (sel && pos >= sa && pos < sb)
		a = ui_attr(UI_SELECTION);
	return a;
}

static void ui_row_glyph(const char *s, const struct layout *l, const struct layout_glyph *gl,
			 int y, int x, attr_t a, struct ui_cells *cells)
{
	size_t pos = l->start + gl->off;
	char buf[64];
	const char *t;

	if (gl->kind == DOC_SHOW_TEXT) {
		wchar_t wc[CCHARW_MAX + 1], flag = 0;
		unsigned char b = (unsigned char)s[pos];
		if (gl->len == 1 && b >= 0x20 && b < 0x7F) {
			wc[0] = b;
			wc[1] = 0;
		} else if (ui_glyph_chars(layout_glyph_text(s, l, gl, buf, sizeof buf), wc, &flag) == 0) {
			return;
		}
		/* a wide one only where curses gives it the same two columns:
		 * elsewhere the cells after it would land one column off */
		if (!flag && (gl->width == 1 || (gl->width == 2 && wcwidth(wc[0]) == 2))) {
			ui_cells_add(cells, y, x, wc, a, gl->width);
			return;
		}
		ui_cells_flush(cells);
		ui_draw_chars(y, x, wc, flag, a);
		return;
	}
	ui_cells_flush(cells);
	t = layout_glyph_text(s, l, gl, buf, sizeof buf);
	ui_put(y, x, gl->width, t, a);
}

/*
 * Where the rows of a pane moved to (a scroll): the rows shown at r + k
 * before show at r now.  A row of the new screen whose sum an old row had
 * at another place is copied from there within curses' picture, which is
 * cheaper than making its cells again; the rows are then drawn in an order
 * that reads each old row before it is drawn over (ui_pane_draw).  k is
 * the distance most changed rows moved, counting only rows whose sum one
 * old row alone had (blank rows are alike); 0 where none moved.
 */
static long ui_rows_shift(const uint64_t *old, const uint64_t *now, size_t n)
{
	size_t *votes = util_calloc(2 * n, sizeof *votes), best = 0;
	long k = 0;

	for (size_t r = 0; r < n; r++) {
		size_t found = 0, at = 0;
		if (old[r] == now[r])
			continue;
		for (size_t j = 0; j < n && found < 2; j++)
			if (old[j] == now[r])
				found++, at = j;
		if (found == 1 && ++votes[at + n - r] > best) {
			best = votes[at + n - r];
			k = (long)at - (long)r;
		}
	}
	free(votes);
	return k;
}

void ui_pane_rows_done(struct ui *u)
{
	bool any = false;

	for (size_t i = 0; i < u->npane; i++) {
		if (u->panes[i].rows_win) {
			delwin(u->panes[i].rows_win);
			u->panes[i].rows_win = NULL;
			any = true;
		}
	}
	/* delwin marks the whole of stdscr changed, which wnoutrefresh has
	 * just left with nothing to send */
	if (any)
		untouchwin(stdscr);
}

void ui_pane_draw(struct ui *u, size_t i, int top, int height, bool erased)
{
	struct ui_pane *p = &u->panes[i];
	struct view_row rows[UI_MAX_ROWS];
	struct ui_spans m = {0};
	const char *s = doc_bytes(p->doc);
	size_t nrow, r, k = 0, sa = 0, sb = 0, na = 0, nr;
	bool sel, painting = ui_painting();
	attr_t *attrs = NULL;
	size_t *aoff;
	uint64_t *now;
	struct ui_cells cells;
	struct ui_attr_memo memo = { .from = 0, .until = 0, .in = -1, .depth = 0, .a = 0 };

	cells.n = 0;
	if (height < 1 || p->w < 1)
		return;
	ui_draw_title(p, i == u->focus, top);
	if (height < 2)
		return;
	nr = (size_t)height - 1;
	nrow = view_screen(p->view, rows, nr < UI_MAX_ROWS ? nr : UI_MAX_ROWS);
	ui_find_matches(u, p, rows, nrow, &m);
	sel = ui_selection(u, i, &sa, &sb);
	ui_sums_fit(p, nr);
	if (erased || painting)
		ui_pane_forget_rows(p);
	now = util_calloc(nr, sizeof *now);
	aoff = util_calloc(nr + 1, sizeof *aoff);
	/* Each row's sum, and its glyphs' attributes (from aoff[r] on in attrs). */
	for (r = 0; r < nr; r++) {
		uint64_t sum = ui_sum(ui_sum(ui_sum_start(), (uint64_t)p->x), (uint64_t)p->w);
		const struct layout *l = r < nrow ? rows[r].layout : NULL;
		const struct layout_row *lr = l ? &l->rows[rows[r].row] : NULL;
		size_t g0 = lr ? lr->glyph : 0, ng = lr ? lr->nglyph : 0;
		struct ui_row_spans rs = { .n = 0, .all = false };
		/* the row's bytes: from its first glyph's to its last glyph's end */
		size_t lo = SIZE_MAX, hi = 0, to = 0;

		for (size_t g = g0; g < g0 + ng; g++) {
			const struct layout_glyph *gl = &l->glyphs[g];
			lo = gl->off < lo ? gl->off : lo;
			hi = gl->off > hi ? gl->off : hi;
			to = gl->off + gl->len > to ? gl->off + gl->len : to;
		}
		if (p->spans && ng)
			ui_row_spans(p->spans, l->start + lo, l->start + hi, &rs);
		/* what the last row's annotations said holds for that row alone */
		memo.from = memo.until = 0;
		aoff[r + 1] = aoff[r] + ng;
		if (aoff[r + 1] > na) {
			na = 2 * aoff[r + 1];
			attrs = util_realloc(attrs, na * sizeof *attrs);
		}
		attr_t *at = attrs + aoff[r];
		bool run = false;
		attr_t last = 0;
		for (size_t g = g0; g < g0 + ng; g++) {
			const struct layout_glyph *gl = &l->glyphs[g];
			if (gl->width == 0 || gl->col + gl->width > p->w)
				continue;
			at[g - g0] = ui_glyph_attr(u, p, gl, l->start + gl->off, &rs, &memo, &m, &k, sel, sa, sb);
			/* where the attribute changes, and to what */
			if (!run || at[g - g0] != last) {
				run = true;
				last = at[g - g0];
				sum = ui_sum(sum, (uint64_t)last ^ (uint64_t)gl->col << 32);
			}
		}
		/* The bytes the row shows, in one piece, and how they are laid
		 * out: the same bytes at the same width give the same glyphs. */
		if (to > lo)
			sum = ui_sum_bytes(sum, s + l->start + lo, to - lo);
		sum = ui_sum(sum, (uint64_t)ng ^ (uint64_t)(lr ? lr->off : 0) << 16);
		now[r] = sum | 1; /* 0 is "not known" */
	}
	/* (not where a box is drawn over the panes: the rows under it hold the box) */
	long shift = painting || !ui_panes_only(u->mode) ? 0 : ui_rows_shift(p->sums, now, nr);
	/* The pane's rows as a window of their own, sharing curses' picture:
	 * a row copied into it is marked changed in the pane's columns only
	 * (wsyncup), where a copy within stdscr would mark the screen's width.
	 * Let go after curses has taken the drawing (ui_pane_rows_done). */
	WINDOW *sub = NULL;
	if (shift && !p->rows_win)
		p->rows_win = derwin(stdscr, (int)nr, p->w, top + 1, p->x);
	if (shift)
		sub = p->rows_win;
	for (size_t n = 0; n < nr; n++) {
		/* rows that move up are drawn from the top, rows that move
		 * down from the bottom: an old row is read before it is drawn over */
		r = shift < 0 ? nr - 1 - n : n;
		int y = top + 1 + (int)r;
		const struct layout *l = r < nrow ? rows[r].layout : NULL;
		const struct layout_row *lr = l ? &l->rows[rows[r].row] : NULL;
		size_t g0 = lr ? lr->glyph : 0, ng = lr ? lr->nglyph : 0;
		long from = (long)r + shift;

		if (!painting) {
			if (p->sums[r] == now[r])
				continue;
			if (sub && from >= 0 && (size_t)from < nr && p->sums[from] == now[r] &&
			    copywin(stdscr, sub, top + 1 + (int)from, p->x, (int)r, 0, (int)r, p->w - 1,
				    FALSE) == OK)
				continue;
			if (!erased)
				mvhline(y, p->x, ' ', p->w);
		}
		for (size_t g = g0; g < g0 + ng; g++) {
			const struct layout_glyph *gl = &l->glyphs[g];
			if (gl->width == 0 || gl->col + gl->width > p->w)
				continue;
			ui_row_glyph(s, l, gl, y, p->x + gl->col, attrs[aoff[r] + g - g0], &cells);
		}
		ui_cells_flush(&cells);
	}
	if (sub) {
		wsyncup(sub);
		untouchwin(sub);
	}
	if (!painting)
		memcpy(p->sums, now, nr * sizeof *now);
	free(now);
	free(aoff);
	free(attrs);
	free(m.v);
}

bool ui_pane_cursor(struct ui *u, size_t i, int top, int *y, int *x)
{
	struct ui_pane *p = &u->panes[i];
	int r, c;

	if (p->w < 1 || u->rows < 3 || !view_cursor_cell(p->view, &r, &c))
		return false;
	*y = top + 1 + r;
	*x = p->x + c;
	return *y < u->rows - 1;
}
