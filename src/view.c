/*
 * view.c: a pane's top row and cursor over a document, walking display rows
 * through the layout cache.
 */
#include <stdlib.h>

#include "gloss/layout.h"
#include "gloss/util.h"
#include "gloss/view.h"

/* A screen of 400 rows touches at most 400 units; keep a few screens. */
#define VIEW_CACHE_UNITS 2048

struct view_pos {
	size_t unit; /* the unit's start */
	size_t row;
};

struct view {
	const char *s;
	size_t n;
	int width, height;
	struct layout_cache *lc;
	struct view_pos top;
	size_t cursor;
	int want_col; /* the column j and k keep; -1: take the cursor's */
	bool sized;   /* resized once: before that nothing is laid out */
	unsigned long moves; /* see view_moves */
};

static const struct layout *view_layout(struct view *v, size_t unit)
{
	return layout_cache_get(v->lc, v->s, v->n, unit, v->width);
}

static size_t view_unit_of(const struct view *v, size_t pos)
{
	size_t st, en;
	layout_unit(v->s, v->n, pos, &st, &en);
	return st;
}

static struct view_pos view_pos_of(struct view *v, size_t pos)
{
	struct view_pos p;
	p.unit = view_unit_of(v, pos);
	p.row = layout_row_at(view_layout(v, p.unit), pos);
	return p;
}

static int view_pos_cmp(struct view_pos a, struct view_pos b)
{
	if (a.unit != b.unit)
		return a.unit < b.unit ? -1 : 1;
	return a.row < b.row ? -1 : a.row > b.row;
}

static bool view_row_next(struct view *v, struct view_pos *p)
{
	const struct layout *l = view_layout(v, p->unit);
	if (p->row + 1 < l->nrow) {
		p->row++;
		return true;
	}
	if (l->end >= v->n)
		return false;
	p->unit = l->end;
	p->row = 0;
	return true;
}

static bool view_row_prev(struct view *v, struct view_pos *p)
{
	if (p->row > 0) {
		p->row--;
		return true;
	}
	if (p->unit == 0)
		return false;
	p->unit = view_unit_of(v, p->unit - 1);
	p->row = view_layout(v, p->unit)->nrow - 1;
	return true;
}

/* Move p by d rows; returns the rows actually moved (signed). */
static long view_row_walk(struct view *v, struct view_pos *p, long d)
{
	long done = 0;
	while (d > 0 && view_row_next(v, p)) {
		d--;
		done++;
	}
	while (d < 0 && view_row_prev(v, p)) {
		d++;
		done--;
	}
	return done;
}

/* The glyph start nearest to column col in a row; an empty row's start. */
static size_t view_row_col_pos(struct view *v, struct view_pos p, int col)
{
	const struct layout *l = view_layout(v, p.unit);
	const struct layout_row *r = &l->rows[p.row];
	size_t i, best;

	if (r->nglyph == 0)
		return l->start + r->off;
	best = r->glyph;
	for (i = r->glyph; i < r->glyph + r->nglyph; i++) {
		const struct layout_glyph *g = &l->glyphs[i];
		if (g->col > col)
			break;
		best = i;
	}
	return l->start + l->glyphs[best].off;
}

/* The glyph holding pos (the last glyph of its row when pos is on a line
 * end), in *lp's layout; NULL for an empty row, whose start is then *start. */
static const struct layout_glyph *view_glyph(struct view *v, size_t pos, const struct layout **lp,
					     size_t *start)
{
	struct view_pos p;
	const struct layout *l;
	const struct layout_row *r;
	size_t lo, hi, rel;

	if (pos > v->n)
		pos = v->n;
	p = view_pos_of(v, pos);
	l = *lp = view_layout(v, p.unit);
	r = &l->rows[p.row];
	*start = l->start + r->off;
	if (r->nglyph == 0)
		return NULL;
	rel = pos - l->start;
	lo = r->glyph;
	hi = r->glyph + r->nglyph; /* the last glyph with off <= rel */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->glyphs[mid].off <= rel)
			lo = mid;
		else
			hi = mid;
	}
	*start = l->start + l->glyphs[lo].off;
	return &l->glyphs[lo];
}

/* The glyph start holding pos (the last glyph of its row when pos is on a line end). */
static size_t view_snap(struct view *v, size_t pos)
{
	const struct layout *l;
	size_t start;

	view_glyph(v, pos, &l, &start);
	return start;
}

/* The glyph at pos shows as nothing (a byte-order mark, a zero-width space). */
static bool view_hidden(struct view *v, size_t pos)
{
	const struct layout *l;
	size_t start;
	const struct layout_glyph *g = view_glyph(v, pos, &l, &start);

	return g && layout_glyph_hidden(v->s, l, g);
}

static int view_col_of(struct view *v, size_t pos)
{
	struct view_pos p = view_pos_of(v, pos);
	return layout_col_at(view_layout(v, p.unit), pos);
}

/* The highest top that still fills the screen. */
static struct view_pos view_max_top(struct view *v)
{
	struct view_pos p;
	p.unit = view_unit_of(v, v->n);
	p.row = view_layout(v, p.unit)->nrow - 1;
	view_row_walk(v, &p, -(long)(v->height - 1));
	return p;
}

static void view_clamp_top(struct view *v)
{
	struct view_pos p = v->top, m;

	/* Usually the screen fills from the top: then the end need not be laid out. */
	if (view_row_walk(v, &p, v->height - 1) == v->height - 1)
		return;
	m = view_max_top(v);
	if (view_pos_cmp(v->top, m) > 0)
		v->top = m;
}

/* Rows from the top to p: 0..height-1 when on screen, -1 above, height below. */
static long view_screen_row(struct view *v, struct view_pos p)
{
	struct view_pos q = v->top;
	long i;

	if (view_pos_cmp(p, q) < 0)
		return -1;
	for (i = 0; i < v->height; i++) {
		if (view_pos_cmp(p, q) == 0)
			return i;
		if (!view_row_next(v, &q))
			break;
	}
	return v->height;
}

/* Scroll so that the cursor shows; far moves may center it. */
static void view_show_cursor(struct view *v, bool center)
{
	struct view_pos c = view_pos_of(v, v->cursor);
	long r = view_screen_row(v, c);

	if (r >= 0 && r < v->height)
		return;
	v->top = c;
	if (center)
		view_row_walk(v, &v->top, -(long)(v->height / 2));
	else if (r >= v->height)
		view_row_walk(v, &v->top, -(long)(v->height - 1));
	view_clamp_top(v);
}

struct view *view_new(const char *s, size_t n)
{
	struct view *v = util_calloc(1, sizeof *v);
	v->s = s;
	v->n = n;
	v->width = 1;
	v->height = 1;
	v->lc = layout_cache_new(VIEW_CACHE_UNITS);
	v->want_col = -1;
	return v;
}

void view_free(struct view *v)
{
	if (!v)
		return;
	layout_cache_free(v->lc);
	free(v);
}

void view_resize(struct view *v, int width, int height)
{
	size_t top = v->sized ? view_top(v) : 0;

	if (width < 1)
		width = 1;
	if (height < 1)
		height = 1;
	if (width != v->width)
		layout_cache_clear(v->lc);
	v->width = width;
	v->height = height;
	v->sized = true;
	v->top = view_pos_of(v, top);
	v->cursor = view_snap(v, v->cursor);
	view_clamp_top(v);
	view_show_cursor(v, false);
	v->want_col = -1;
}

int view_width(const struct view *v)
{
	return v->width;
}

int view_height(const struct view *v)
{
	return v->height;
}

size_t view_cursor(const struct view *v)
{
	return v->cursor;
}

bool view_cursor_cell(struct view *v, int *row, int *col)
{
	long r = view_screen_row(v, view_pos_of(v, v->cursor));
	if (r < 0 || r >= v->height)
		return false;
	*row = (int)r;
	*col = view_col_of(v, v->cursor);
	if (*col >= v->width)
		*col = v->width - 1;
	return true;
}

unsigned long view_moves(const struct view *v)
{
	return v->moves;
}

void view_goto(struct view *v, size_t pos, bool center)
{
	v->moves++;
	v->cursor = view_snap(v, pos);
	v->want_col = -1;
	view_show_cursor(v, center);
}

void view_rows(struct view *v, long rows)
{
	struct view_pos p = view_pos_of(v, v->cursor);

	v->moves++;
	if (v->want_col < 0)
		v->want_col = view_col_of(v, v->cursor);
	view_row_walk(v, &p, rows);
	v->cursor = view_row_col_pos(v, p, v->want_col);
	view_show_cursor(v, false);
}

static bool view_is_line_end(const char *s, size_t n, size_t pos)
{
	return pos >= n || s[pos] == '\n' || (s[pos] == '\r' && pos + 1 < n && s[pos + 1] == '\n');
}

/* The first glyph start past the glyph at c, or the line end after it. */
static size_t view_next_glyph(struct view *v, size_t c)
{
	size_t p = c;

	do {
		p++;
	} while (p < v->n && view_snap(v, p) == c && !view_is_line_end(v->s, v->n, p));
	return view_is_line_end(v->s, v->n, p) ? p : view_snap(v, p);
}

/* Glyphs that show as nothing are stepped over: a cursor on one shows on
 * the glyph after it, so stopping there would not move it on the screen.
 * A run longer than VIEW_HIDDEN_RUN is not a text anyone reads: a step
 * stops inside it, so that a key never costs more than that many. */
#define VIEW_HIDDEN_RUN 256
bool view_step(struct view *v, int dir)
{
	size_t c = v->cursor, p;
	const char *s = v->s;

	v->moves++;
	if (dir > 0) {
		if (view_is_line_end(s, v->n, c))
			return false;
		int run = 0;
		p = c;
		while (run++ < VIEW_HIDDEN_RUN && view_hidden(v, p) && !view_is_line_end(s, v->n, p))
			p = view_next_glyph(v, p);
		if (view_is_line_end(s, v->n, p))
			return false;
		p = view_next_glyph(v, p);
		while (run++ < 2 * VIEW_HIDDEN_RUN && !view_is_line_end(s, v->n, p) && view_hidden(v, p))
			p = view_next_glyph(v, p);
		if (view_is_line_end(s, v->n, p))
			return false;
		v->cursor = p;
	} else {
		int run = 0;
		if (c == 0 || s[c - 1] == '\n')
			return false;
		p = view_snap(v, c - 1);
		while (run++ < VIEW_HIDDEN_RUN && view_hidden(v, p) && p > 0 && s[p - 1] != '\n')
			p = view_snap(v, p - 1);
		if (view_hidden(v, p) && run <= VIEW_HIDDEN_RUN)
			return false;
		v->cursor = p;
	}
	v->want_col = -1;
	view_show_cursor(v, false);
	return true;
}

/* After the top moved: a cursor now off the screen goes to its nearest
 * edge, in the column it wants. */
static void view_keep_cursor(struct view *v)
{
	long r = view_screen_row(v, view_pos_of(v, v->cursor));
	struct view_pos c = v->top;
	int want;

	if (r >= 0 && r < v->height)
		return;
	if (v->want_col < 0)
		v->want_col = view_col_of(v, v->cursor);
	if (r >= v->height)
		view_row_walk(v, &c, v->height - 1);
	want = v->want_col;
	v->cursor = view_row_col_pos(v, c, want);
	v->want_col = want;
}

long view_scroll(struct view *v, long rows)
{
	long done = 0;

	if (rows > 0) {
		/* As far as rows remain below the bottom row: no need to lay out the end. */
		struct view_pos p = v->top;
		long below = view_row_walk(v, &p, v->height - 1 + rows) - (v->height - 1);
		if (below > 0)
			done = view_row_walk(v, &v->top, below < rows ? below : rows);
	} else {
		done = view_row_walk(v, &v->top, rows);
	}
	view_keep_cursor(v);
	return done;
}

void view_page(struct view *v, long rows)
{
	struct view_pos c = view_pos_of(v, v->cursor);
	int want;

	v->moves++;
	if (v->want_col < 0)
		v->want_col = view_col_of(v, v->cursor);
	view_scroll(v, rows);
	/* Where the view could not move, the cursor goes the rest of the way. */
	view_row_walk(v, &c, rows);
	want = v->want_col;
	v->cursor = view_row_col_pos(v, c, want);
	view_show_cursor(v, false);
	v->want_col = want;
}

void view_home(struct view *v)
{
	view_goto(v, 0, false);
}

void view_end(struct view *v)
{
	struct view_pos p;

	v->moves++;
	p.unit = view_unit_of(v, v->n);
	p.row = view_layout(v, p.unit)->nrow - 1;
	v->cursor = view_row_col_pos(v, p, 0);
	v->want_col = -1;
	view_show_cursor(v, false);
}

void view_set_fraction(struct view *v, double f)
{
	if (f < 0)
		f = 0;
	if (f > 1)
		f = 1;
	v->top = view_pos_of(v, (size_t)(f * (double)v->n));
	view_clamp_top(v);
	view_keep_cursor(v);
}

size_t view_top(struct view *v)
{
	const struct layout *l = view_layout(v, v->top.unit);
	if (v->top.row < l->nrow)
		return l->start + l->rows[v->top.row].off;
	return l->start;
}

bool view_rows_since(struct view *v, size_t old_top, long limit, long *rows)
{
	struct view_pos p = view_pos_of(v, old_top);
	int dir = view_pos_cmp(p, v->top);
	long i;

	for (i = 0; i <= limit; i++) {
		if (view_pos_cmp(p, v->top) == 0) {
			*rows = dir < 0 ? i : -i;
			return true;
		}
		if (dir < 0 ? !view_row_next(v, &p) : !view_row_prev(v, &p))
			return false;
	}
	return false;
}

int view_percent(struct view *v)
{
	struct view_pos p = v->top;
	const struct layout *l;
	size_t end;

	if (v->n == 0)
		return 100;
	view_row_walk(v, &p, v->height - 1);
	l = view_layout(v, p.unit);
	end = p.row + 1 < l->nrow ? l->start + l->rows[p.row + 1].off : l->end;
	return (int)((double)end * 100.0 / (double)v->n);
}

size_t view_screen(struct view *v, struct view_row *out, size_t max)
{
	struct view_pos p = v->top;
	size_t i = 0;

	layout_cache_mark(v->lc);
	while (i < max && i < (size_t)v->height) {
		out[i].layout = view_layout(v, p.unit);
		out[i].row = p.row;
		i++;
		if (!view_row_next(v, &p))
			break;
	}
	return i;
}

size_t view_pos_at_cell(struct view *v, int row, int col)
{
	struct view_pos p = v->top;
	view_row_walk(v, &p, row < 0 ? 0 : row);
	return view_row_col_pos(v, p, col);
}
