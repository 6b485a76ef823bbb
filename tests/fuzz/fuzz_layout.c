/*
 * fuzz_layout: the input is a document.  Its units must tile it; each unit,
 * laid out at a few widths, must keep the promises of layout.h (rows and
 * glyphs tile the unit, cells stay in the row, drawn text is safe, the
 * position <-> cell mapping stays in range and agrees with the glyphs); the
 * layout cache must give what layout_make gives; and a view driven by a
 * sequence of operations taken from the input must keep its cursor on the
 * text and on the screen.
 *
 * Input bytes 0..2 choose the widths and the view's size, byte 3 (when it is
 * 31 mod 32) repeats the input past one layout window so that a long line
 * is cut into windows, and the first 32 bytes choose the view's operations.
 * The whole input is the document, so plain text seeds work.
 */
#include <limits.h>
#include <string.h>
#include <wchar.h>

#include "fuzz.h"
#include "gloss/doc.h"
#include "gloss/layout.h"
#include "gloss/view.h"

#define WIN ((size_t)LAYOUT_WINDOW)
#define TEXT_BUF 64 /* the size layout_glyph_text() asks for, exactly */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_locale();
	return 0;
}

/* ------------------------------------------------------------------ units */

/* Walk the units from 0; returns their starts (count + 1 entries, the last n). */
static size_t *units_walk(const char *s, size_t n, size_t *count)
{
	size_t cap = 16, k = 0, pos = 0, st, en;
	size_t *u = malloc(cap * sizeof *u);

	CHECK(u, "out of memory");
	for (;;) {
		layout_unit(s, n, pos, &st, &en);
		CHECK(st == pos, "unit of %zu starts at %zu", pos, st);
		CHECK(en <= n, "unit [%zu, %zu) past n %zu", st, en, n);
		CHECK(en > st || n == 0, "empty unit at %zu of %zu", st, n);
		CHECK(en - st <= 3 * WIN, "unit [%zu, %zu) longer than three windows", st, en);
		CHECK(fuzz_boundary(s, n, st), "unit starts inside a code point at %zu", st);
		/* A unit holds a line feed only as its last byte. */
		CHECK(en - st < 2 || !memchr(s + st, '\n', en - st - 1),
		      "unit [%zu, %zu) holds a line feed before its end", st, en);
		if (en < n && s[en - 1] != '\n') {
			/* A cut: only a line of at least a window is cut. */
			size_t a = st, b = en;
			while (a > 0 && s[a - 1] != '\n')
				a--;
			while (b < n && s[b] != '\n')
				b++;
			CHECK(b - a >= WIN, "line [%zu, %zu) of %zu bytes cut at %zu", a, b, b - a, en);
		}
		if (k + 2 > cap) {
			cap *= 2;
			u = realloc(u, cap * sizeof *u);
			CHECK(u, "out of memory");
		}
		u[k++] = st;
		if (en >= n)
			break;
		pos = en;
	}
	u[k] = n;
	*count = k;
	/* pos == n gives the last unit. */
	layout_unit(s, n, n, &st, &en);
	CHECK(st == u[k - 1] && en == n, "unit of n %zu is [%zu, %zu), not the last", n, st, en);
	return u;
}

/* The unit holding pos, by bisection over the walked starts. */
static size_t units_find(const size_t *u, size_t count, size_t pos)
{
	size_t lo = 0, hi = count - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		if (u[mid] <= pos)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

static void units_check_sample(const char *s, size_t n, const size_t *u, size_t count,
			       struct fuzz_rng *rng)
{
	size_t i, tries = n < 256 ? n + 1 : 256;

	for (i = 0; i < tries; i++) {
		size_t pos = n < 256 ? i : fuzz_upto(rng, n), st, en, k;

		layout_unit(s, n, pos, &st, &en);
		k = units_find(u, count, pos < n ? pos : (n ? n - 1 : 0));
		CHECK(st == u[k] && en == u[k + 1], "unit of %zu is [%zu, %zu), walked [%zu, %zu)",
		      pos, st, en, u[k], u[k + 1]);
	}
}

/* ----------------------------------------------------------------- layout */

/* The content (without the line end) of the unit [st, en), relative. */
static size_t content_len(const char *s, size_t st, size_t en)
{
	size_t ce = en - st;

	if (ce > 0 && s[st + ce - 1] == '\n') {
		ce--;
		if (ce > 0 && s[st + ce - 1] == '\r')
			ce--;
	}
	return ce;
}

static bool is_bidi_or_sep(uint32_t cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x200E || cp == 0x200F || cp == 0x061C || cp == 0x2028 || cp == 0x2029;
}

/* Cells of a safe UTF-8 string by the terminal's tables; -1 if unknown. */
static int text_cells(const char *t, uint32_t *first)
{
	size_t i = 0, n = strlen(t);
	int cells = 0;
	uint32_t cp;

	*first = 0;
	while (i < n) {
		int len = fuzz_utf8_one((const unsigned char *)t + i, n - i, &cp), w;
		if (i == 0)
			*first = cp;
		w = wcwidth((wchar_t)cp);
		if (w < 0)
			return -1;
		cells += w;
		i += (size_t)len;
	}
	return cells;
}

static bool is_regional(uint32_t cp)
{
	return cp >= 0x1F1E6 && cp <= 0x1F1FF;
}

/*
 * The cells a text grapheme s[0..len) takes before any clipping: its first
 * code point's width (doc_show_cp), except that one starting with a
 * zero-width code point takes one cell (drawn on a dotted circle), or none
 * when that code point is an invisible format character (U+200B, U+FEFF,
 * U+2060..U+2064, U+180E); and a flag (two regional indicators) takes two.
 * The last two exceptions are newer than layout.h's text, which still says
 * "as wide as its first code point".
 */
static int natural_width(const char *s, size_t len, const struct doc_show *sh)
{
	uint32_t first, cp;
	int n1 = fuzz_utf8_one((const unsigned char *)s, len, &first), n2;

	if (n1 && is_regional(first) && (size_t)n1 < len &&
	    (n2 = fuzz_utf8_one((const unsigned char *)s + n1, len - (size_t)n1, &cp)) && is_regional(cp))
		return 2;
	if (sh->width == 0)
		return n1 && (first == 0x200B || first == 0xFEFF || (first >= 0x2060 && first <= 0x2064) ||
			      first == 0x180E) ? 0 : 1;
	return sh->width;
}

static void check_glyph_text(const char *s, const struct layout *l, size_t gi, char *buf)
{
	const struct layout_glyph *g = &l->glyphs[gi];
	const char *t;
	size_t len, bad, i = 0;
	uint32_t first, cp;
	int cells;

	memset(buf, 'X', TEXT_BUF);
	t = layout_glyph_text(s, l, g, buf, TEXT_BUF);
	CHECK(t == buf, "glyph %zu: text not written to buf", gi);
	len = strnlen(buf, TEXT_BUF);
	CHECK(len < TEXT_BUF, "glyph %zu: text not terminated", gi);
	bad = fuzz_unsafe_at(buf, len);
	CHECK(bad == (size_t)-1, "glyph %zu (off %u len %u): unsafe text byte 0x%02X at %zu",
	      gi, (unsigned)g->off, (unsigned)g->len, (unsigned char)buf[bad], bad);
	while (i < len) {
		i += (size_t)fuzz_utf8_one((const unsigned char *)buf + i, len - i, &cp);
		CHECK(!is_bidi_or_sep(cp), "glyph %zu: text holds U+%04X", gi, (unsigned)cp);
	}
	if (g->width == 0) {
		CHECK(len == 0, "glyph %zu: zero width, text \"%s\"", gi, buf);
		return;
	}
	cells = text_cells(buf, &first);
	if (g->kind == DOC_SHOW_TEXT) {
		struct doc_show sh;
		int nat;

		doc_show_cp(s + l->start + g->off, g->len, &sh);
		nat = natural_width(s + l->start + g->off, g->len, &sh);
		if (nat > g->width) {
			/* Cut to a narrow row: drawn as '?' in each cell. */
			CHECK(strspn(buf, "?") == len && len == g->width,
			      "glyph %zu of %d cells cut to %u: text \"%s\"", gi, nat,
			      (unsigned)g->width, buf);
		} else if (is_regional(first)) {
			CHECK(g->width == 2 || nat == 1, "flag glyph %zu: width %u", gi, (unsigned)g->width);
		} else {
			/* Otherwise as wide as its first code point (or the dotted circle). */
			CHECK(wcwidth((wchar_t)first) == g->width, "glyph %zu: width %u, text \"%s\"", gi,
			      (unsigned)g->width, buf);
		}
	} else {
		CHECK(cells == g->width, "glyph %zu kind %u: width %u, text \"%s\" of %d cells", gi,
		      (unsigned)g->kind, (unsigned)g->width, buf, cells);
	}
}

/*
 * layout_pos_at(l, r, col) must give glyph want of row r (clamped), or the
 * row's start when it is empty.
 */
static void check_pos_at(const struct layout *l, size_t r, int col, size_t want)
{
	size_t rr = r < l->nrow ? r : l->nrow - 1, p;
	const struct layout_row *R = &l->rows[rr];

	p = layout_pos_at(l, r, col);
	CHECK(p >= l->start && p <= l->end, "pos_at(%zu, %d) = %zu outside [%zu, %zu]", r, col, p,
	      l->start, l->end);
	if (R->nglyph == 0) {
		CHECK(p == l->start + R->off, "pos_at(%zu, %d) of an empty row = %zu", r, col, p);
		return;
	}
	CHECK(p == l->start + l->glyphs[want].off, "pos_at(%zu, %d) = %zu, want glyph %zu at %zu",
	      r, col, p, want, l->start + l->glyphs[want].off);
}

static void check_layout(const char *s, size_t n, size_t st, size_t en, int width,
			 struct fuzz_rng *rng)
{
	struct layout *l = layout_make(s, st, en, width);
	int W = width < 1 ? 1 : width > 65535 ? 65535 : width;
	size_t ce = content_len(s, st, en), off = 0, r, g, i, *rowof, *owner, npos;
	char *buf = malloc(TEXT_BUF);

	(void)n;
	CHECK(buf, "out of memory");
	CHECK(l->start == st && l->end == en, "layout of [%zu, %zu) says [%zu, %zu)", st, en,
	      l->start, l->end);
	CHECK(l->width == W, "width %d laid out as %d", width, l->width);
	CHECK(l->nrow >= 1, "no rows");

	/* Glyphs tile the content: in order, no gap, no overlap. */
	owner = malloc((ce ? ce : 1) * sizeof *owner);
	rowof = malloc((l->nglyph ? l->nglyph : 1) * sizeof *rowof);
	CHECK(owner && rowof, "out of memory");
	for (g = 0; g < l->nglyph; g++) {
		const struct layout_glyph *G = &l->glyphs[g];
		CHECK(G->off == off, "glyph %zu at %u, want %zu", g, (unsigned)G->off, off);
		CHECK(G->len > 0, "glyph %zu is empty", g);
		CHECK(off + G->len <= ce, "glyph %zu [%zu, %zu) past the content %zu", g, off,
		      off + G->len, ce);
		CHECK(fuzz_boundary(s, n, st + off), "glyph %zu starts inside a code point", g);
		for (i = off; i < off + G->len; i++)
			owner[i] = g;
		off += G->len;
	}
	CHECK(off == ce, "glyphs cover %zu bytes of %zu", off, ce);

	/* Rows take the glyphs in order, each its own run. */
	g = 0;
	for (r = 0; r < l->nrow; r++) {
		const struct layout_row *R = &l->rows[r];
		int col = 0;

		CHECK(R->glyph == g, "row %zu starts at glyph %u, want %zu", r, (unsigned)R->glyph, g);
		CHECK(R->nglyph > 0 || l->nglyph == 0, "row %zu of %zu is empty", r, l->nrow);
		CHECK(R->glyph + (size_t)R->nglyph <= l->nglyph, "row %zu past the glyphs", r);
		CHECK(R->off == (R->nglyph ? l->glyphs[R->glyph].off : 0u),
		      "row %zu off %u, first glyph at %u", r, (unsigned)R->off,
		      R->nglyph ? (unsigned)l->glyphs[R->glyph].off : 0u);
		for (i = R->glyph; i < R->glyph + R->nglyph; i++) {
			const struct layout_glyph *G = &l->glyphs[i];
			const char *p = s + st + G->off;
			struct doc_show sh;
			int nat;

			rowof[i] = r;
			CHECK(G->col == col, "row %zu glyph %zu at col %u, want %d", r, i,
			      (unsigned)G->col, col);
			CHECK((int)G->col + G->width <= W, "row %zu glyph %zu: col %u + width %u > %d",
			      r, i, (unsigned)G->col, (unsigned)G->width, W);
			doc_show_cp(p, G->len, &sh);
			CHECK(G->kind == sh.kind, "glyph %zu kind %u, its first code point's %u", i,
			      (unsigned)G->kind, (unsigned)sh.kind);
			if (sh.kind == DOC_SHOW_TAB) {
				int stop = 8 - col % 8;
				int want = stop < W - col ? stop : W - col;
				CHECK(G->width == want, "tab at col %d of %d: width %u, want %d", col, W,
				      (unsigned)G->width, want);
			} else if (G->len == 1 && *p == ' ') {
				CHECK(G->width == (col < W ? 1 : 0), "space at col %d of %d: width %u",
				      col, W, (unsigned)G->width);
			} else {
				nat = sh.kind == DOC_SHOW_TEXT ? natural_width(p, G->len, &sh) : sh.width;
				if (nat > W) {
					/* Wider than the row: a row of its own, cut to it. */
					CHECK(R->nglyph == 1 && G->col == 0 && G->width == W,
					      "glyph %zu of width %d on a row of %d: row holds %u, col %u width %u",
					      i, nat, W, (unsigned)R->nglyph, (unsigned)G->col,
					      (unsigned)G->width);
				} else {
					CHECK(G->width == nat, "glyph %zu: width %u, natural %d", i,
					      (unsigned)G->width, nat);
				}
			}
			col += G->width;
			check_glyph_text(s, l, i, buf);
		}
		g += R->nglyph;
	}
	CHECK(g == l->nglyph, "rows hold %zu glyphs of %zu", g, l->nglyph);

	/* Position -> row, glyph, cell. */
	npos = en - st + 1;
	for (i = 0; i < (npos <= 4096 ? npos : 2048); i++) {
		size_t rel = npos <= 4096 ? i : fuzz_upto(rng, en - st), pos = st + rel, gi, ri;
		int c;

		ri = layout_row_at(l, pos);
		gi = layout_glyph_at(l, pos);
		c = layout_col_at(l, pos);
		CHECK(ri < l->nrow, "row_at(%zu) = %zu of %zu", pos, ri, l->nrow);
		CHECK(gi >= l->rows[ri].glyph && gi <= l->rows[ri].glyph + l->rows[ri].nglyph,
		      "glyph_at(%zu) = %zu outside its row %zu", pos, gi, ri);
		CHECK(c >= 0 && c <= W, "col_at(%zu) = %d of width %d", pos, c, W);
		if (rel < ce) {
			CHECK(gi == owner[rel], "glyph_at(%zu) = %zu, covered by %zu", pos, gi, owner[rel]);
			CHECK(ri == rowof[gi], "row_at(%zu) = %zu, its glyph is on %zu", pos, ri, rowof[gi]);
			CHECK(c == l->glyphs[gi].col, "col_at(%zu) = %d, its glyph at %u", pos, c,
			      (unsigned)l->glyphs[gi].col);
		} else {
			const struct layout_row *R = &l->rows[l->nrow - 1];
			int want = 0;
			if (R->nglyph) {
				const struct layout_glyph *G = &l->glyphs[R->glyph + R->nglyph - 1];
				want = G->col + G->width;
			}
			CHECK(ri == l->nrow - 1, "line end %zu on row %zu of %zu", pos, ri, l->nrow);
			CHECK(gi == l->nglyph, "line end %zu: glyph %zu of %zu", pos, gi, l->nglyph);
			CHECK(c == want, "line end %zu: col %d, want %d", pos, c, want);
		}
	}
	/* Positions outside the unit are clamped. */
	CHECK(layout_row_at(l, 0) == layout_row_at(l, st), "row_at(0) not clamped");
	CHECK(layout_row_at(l, SIZE_MAX) == layout_row_at(l, en), "row_at(SIZE_MAX) not clamped");
	CHECK(layout_glyph_at(l, SIZE_MAX) == layout_glyph_at(l, en), "glyph_at(SIZE_MAX) not clamped");
	CHECK(layout_col_at(l, 0) == layout_col_at(l, st), "col_at(0) not clamped");

	/*
	 * Cell -> position: every cell of every glyph (cells are contiguous, as
	 * checked above), and beyond either edge: the first glyph before the
	 * row, the last one past its end or on a hanging space.
	 */
	for (r = 0; r < l->nrow; r++) {
		const struct layout_row *R = &l->rows[r];
		size_t first = R->glyph, last = R->nglyph ? R->glyph + R->nglyph - 1 : R->glyph;
		int end = 0;

		for (i = R->glyph; i < R->glyph + R->nglyph; i++) {
			const struct layout_glyph *G = &l->glyphs[i];
			if (G->width) {
				check_pos_at(l, r, G->col, i);
				check_pos_at(l, r, G->col + G->width - 1, i);
			}
			end = G->col + G->width;
		}
		check_pos_at(l, r, -1, first);
		check_pos_at(l, r, INT_MIN, first);
		check_pos_at(l, r, INT_MAX, last);
		check_pos_at(l, r, end, last);
		check_pos_at(l, r, W, last);
	}
	{
		const struct layout_row *R = &l->rows[l->nrow - 1];
		size_t last = R->nglyph ? R->glyph + R->nglyph - 1 : R->glyph;
		check_pos_at(l, l->nrow, INT_MAX, last);
		check_pos_at(l, SIZE_MAX, INT_MAX, last);
	}

	free(rowof);
	free(owner);
	free(buf);
	layout_free(l);
}

/* The cache gives what layout_make gives, for a start anywhere in the unit. */
static void check_cache(struct layout_cache *c, const char *s, size_t n, size_t st, size_t en,
			int width, struct fuzz_rng *rng)
{
	size_t at = st + fuzz_upto(rng, en > st ? en - st - 1 : 0), i;
	const struct layout *a = layout_cache_get(c, s, n, at, width);
	struct layout *b = layout_make(s, st, en, width);

	CHECK(a->start == b->start && a->end == b->end && a->width == b->width,
	      "cache at %zu: [%zu, %zu) w %d, made [%zu, %zu) w %d", at, a->start, a->end, a->width,
	      b->start, b->end, b->width);
	CHECK(a->nrow == b->nrow && a->nglyph == b->nglyph, "cache: %zu rows %zu glyphs, made %zu %zu",
	      a->nrow, a->nglyph, b->nrow, b->nglyph);
	for (i = 0; i < a->nrow; i++)
		CHECK(a->rows[i].off == b->rows[i].off && a->rows[i].glyph == b->rows[i].glyph &&
		      a->rows[i].nglyph == b->rows[i].nglyph, "cache: row %zu differs", i);
	for (i = 0; i < a->nglyph; i++) {
		const struct layout_glyph *x = &a->glyphs[i], *y = &b->glyphs[i];
		CHECK(x->off == y->off && x->len == y->len && x->col == y->col &&
		      x->width == y->width && x->kind == y->kind, "cache: glyph %zu differs", i);
	}
	layout_free(b);
}

/* ------------------------------------------------------------------- view */

#define SCREEN_MAX 64

static void check_view(struct view *v, const char *s, size_t n, bool must_show, const char *op)
{
	struct view_row rows[SCREEN_MAX];
	size_t cur = view_cursor(v), top = view_top(v), k, i;
	int w = view_width(v), h = view_height(v), row = -1, col = -1, pct;
	bool shown;

	(void)s;
	CHECK(cur <= n, "%s: cursor %zu past n %zu", op, cur, n);
	CHECK(top <= n, "%s: top %zu past n %zu", op, top, n);
	CHECK(top <= cur || !must_show, "%s: top %zu below the cursor %zu", op, top, cur);
	pct = view_percent(v);
	CHECK(pct >= 0 && pct <= 100, "%s: percent %d", op, pct);
	shown = view_cursor_cell(v, &row, &col);
	if (shown)
		CHECK(row >= 0 && row < h && col >= 0 && col < w,
		      "%s: cursor cell (%d, %d) outside %dx%d", op, row, col, w, h);
	CHECK(shown || !must_show, "%s: cursor %zu off the screen (top %zu)", op, cur, top);

	k = view_screen(v, rows, SCREEN_MAX);
	CHECK(k >= 1 && k <= (size_t)h, "%s: %zu rows on a screen of %d", op, k, h);
	CHECK(rows[0].layout->start + rows[0].layout->rows[rows[0].row].off == top,
	      "%s: first screen row does not start at the top %zu", op, top);
	for (i = 0; i < k; i++) {
		const struct layout *L = rows[i].layout;
		CHECK(L->width == w, "%s: screen row %zu laid out at %d, view is %d wide", op, i,
		      L->width, w);
		CHECK(rows[i].row < L->nrow, "%s: screen row %zu: row %zu of %zu", op, i, rows[i].row,
		      L->nrow);
		if (i > 0) {
			/* Consecutive display rows. */
			const struct layout *P = rows[i - 1].layout;
			CHECK(L->start == P->start ? rows[i].row == rows[i - 1].row + 1
						   : L->start == P->end && rows[i].row == 0 &&
							     rows[i - 1].row + 1 == P->nrow,
			      "%s: screen rows %zu, %zu not consecutive", op, i - 1, i);
		}
	}
	/* The last row of the document never rises above the bottom. */
	CHECK(k == (size_t)h || top == 0, "%s: %zu rows of %d shown with top %zu", op, k, h, top);
	if (shown) {
		const struct layout *L = rows[row].layout;
		const struct layout_row *R = &L->rows[rows[row].row];
		size_t gi;

		CHECK(cur >= L->start && cur <= L->end && layout_row_at(L, cur) == rows[row].row,
		      "%s: cursor %zu not on screen row %d", op, cur, row);
		/* On the start of a glyph, or of an empty line. */
		if (R->nglyph == 0) {
			CHECK(cur == L->start + R->off, "%s: cursor %zu on an empty row at %zu", op, cur,
			      L->start + R->off);
		} else {
			gi = layout_glyph_at(L, cur);
			CHECK(gi < R->glyph + R->nglyph && L->start + L->glyphs[gi].off == cur,
			      "%s: cursor %zu not on a glyph start", op, cur);
			CHECK(col == (L->glyphs[gi].col < w ? L->glyphs[gi].col : w - 1),
			      "%s: cursor cell col %d, its glyph at %u", op, col,
			      (unsigned)L->glyphs[gi].col);
		}
	}
}

static void drive_view(const char *s, size_t n, const uint8_t *ops, size_t nops,
		       struct fuzz_rng *rng)
{
	struct view *v = view_new(s, n);
	size_t i;

	CHECK(view_width(v) == 1 && view_height(v) == 1, "a new view is %dx%d", view_width(v),
	      view_height(v));
	check_view(v, s, n, true, "new");
	view_resize(v, 1 + (nops > 1 ? ops[1] % 90 : 0), 1 + (nops > 2 ? ops[2] % 30 : 0));
	check_view(v, s, n, true, "resize");
	for (i = 0; i < nops; i++) {
		int op = ops[i] % 12, arg = ops[i] / 12, h = view_height(v);
		size_t t0 = view_top(v), pos;
		long done, since = 0;
		bool must_show = true;
		const char *name = "?";

		switch (op) {
		case 0:
			name = "rows";
			view_rows(v, arg - 10);
			break;
		case 1:
			name = "step right";
			view_step(v, 1);
			break;
		case 2:
			name = "step left";
			view_step(v, -1);
			break;
		case 3:
			name = "scroll";
			done = view_scroll(v, arg - 10);
			CHECK(done == 0 || (done > 0) == (arg - 10 > 0), "scroll %d went %ld", arg - 10, done);
			CHECK(labs(done) <= labs(arg - 10), "scroll %d went %ld", arg - 10, done);
			CHECK(view_rows_since(v, t0, 64, &since) && since == done,
			      "scroll %d went %ld, rows_since says %ld", arg - 10, done, since);
			break;
		case 4:
			name = "page";
			view_page(v, arg & 1 ? (arg & 2 ? h : -h) : (arg & 2 ? h / 2 : -(h / 2)));
			break;
		case 5:
			name = "home";
			view_home(v);
			CHECK(view_cursor(v) == 0 && view_top(v) == 0, "home: cursor %zu top %zu",
			      view_cursor(v), view_top(v));
			break;
		case 6:
			name = "end";
			view_end(v);
			break;
		case 7:
			name = "goto";
			pos = fuzz_upto(rng, n);
			view_goto(v, pos, arg & 1);
			break;
		case 8:
			name = "fraction";
			view_set_fraction(v, arg / 21.0);
			break;
		case 9:
			name = "resize";
			view_resize(v, 1 + (int)fuzz_upto(rng, 99), 1 + (int)fuzz_upto(rng, 39));
			break;
		case 10:
			name = "pos at cell";
			pos = view_pos_at_cell(v, (int)fuzz_upto(rng, 50) - 5, (int)fuzz_upto(rng, 120) - 5);
			CHECK(pos <= n, "pos_at_cell = %zu past n %zu", pos, n);
			break;
		default:
			name = "goto center";
			view_goto(v, fuzz_upto(rng, n), true);
			break;
		}
		check_view(v, s, n, must_show, name);
	}
	view_free(v);
}

/* -------------------------------------------------------------------- run */

static const int widths[] = {1, 2, 3, 7, 40, 80, 65535, 100000};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rng rng = fuzz_rng_of(data, size);
	size_t n = size, count, k, w;
	char *s;
	size_t *u;
	int ws[3];
	bool big = size >= 4 && data[3] % 32 == 31;
	struct layout_cache *cache;

	if (big) {
		/* Past one window, so that a long line is cut. */
		n = WIN + 1 + (size_t)data[0] * 256 + data[1];
		s = malloc(n);
		CHECK(s, "out of memory");
		for (k = 0; k < n; k++)
			s[k] = (char)data[k % size];
	} else {
		s = fuzz_copy(data, size);
	}
	ws[0] = 1 + (size ? data[0] % 8 : 0);
	ws[1] = 1 + (size > 1 ? data[1] : 79);
	ws[2] = widths[size > 2 ? data[2] % 8 : 5];

	u = units_walk(s, n, &count);
	units_check_sample(s, n, u, count, &rng);
	cache = layout_cache_new(1 + fuzz_upto(&rng, 3));
	if (big) {
		/* Costly: one unit, at one width. */
		k = fuzz_upto(&rng, count - 1);
		check_layout(s, n, u[k], u[k + 1], ws[0], &rng);
		check_cache(cache, s, n, u[k], u[k + 1], ws[0], &rng);
	} else {
		for (w = 0; w < 3; w++) {
			for (k = 0; k < count; k++) {
				check_layout(s, n, u[k], u[k + 1], ws[w], &rng);
				check_cache(cache, s, n, u[k], u[k + 1], ws[w], &rng);
			}
		}
	}
	layout_cache_free(cache);
	drive_view(s, n, data, size < 32 ? size : 32, &rng);
	free(u);
	free(s);
	return 0;
}
