/*
 * layout: how one unit of a document wraps at a width, as display rows of
 * glyphs, and the mapping between byte positions and cells.  No terminal is
 * involved; tests assert on the cells.
 *
 * A unit is a line (up to and including its line end), or, for a line longer
 * than LAYOUT_WINDOW bytes, a window of it.  Only LF ends a line; the CR of a
 * CRLF belongs to the line end, and a lone CR is shown as ^M inside a line.
 * Window cuts depend only on the bytes near them, so any place of a 32 MB
 * line is laid out without reading the rest of it: a cut is placed near every
 * multiple k * LAYOUT_WINDOW (k >= 1) whose surroundings (LAYOUT_WINDOW bytes
 * either side) hold no LF: after the first ASCII space that follows '.', '!'
 * or '?' (with up to two closing quotes or brackets between: " ' ) ] U+2019
 * U+201D) in the 1024 bytes from k * LAYOUT_WINDOW, so that the row ending
 * early there ends a sentence; else after the first ASCII space in the 256
 * bytes from there; else at the first code point boundary from there.  A
 * line shorter than LAYOUT_WINDOW is never cut, and no unit is longer than
 * about three windows, so offsets inside a unit fit 32 bits.  The window
 * is small enough that laying one out is quick (the first screen of a
 * huge line waits for it), large enough that only very long lines are cut.
 *
 * Wrapping uses libunistring's line break opportunities (UAX #14) and breaks
 * a row at the last opportunity that fits; a grapheme wider than what is
 * left of a row (a wide character at the edge) moves whole to the next row;
 * a word longer than the width is cut at a grapheme boundary.  Spaces at a
 * row's end hang past the edge and take no cells.  Tabs expand to the next
 * multiple of 8 cells from the row's start; one at a row's end is cut to
 * what fits (or hangs).  What each code point shows as comes from
 * doc_show_cp(); a grapheme is as wide as its first code point, except that
 * a flag (two regional indicators) takes two cells, an invisible format
 * character (U+200B, U+FEFF, U+2060..U+2064, U+180E) takes none, and any
 * other grapheme starting with a zero-width code point (a combining mark
 * with no base) takes one cell and is drawn on U+25CC DOTTED CIRCLE.  Controls, ill-formed
 * bytes and tabs are glyphs of their own.  A glyph wider than the whole row
 * (a wide character at width 1, "<U+202E>" at width 5) gets a row of its own,
 * its width cut to the row's: its ASCII form is clipped, a wide character is
 * drawn as "?".
 */
#ifndef GLOSS_LAYOUT_H
#define GLOSS_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LAYOUT_WINDOW 8192

/*
 * The unit holding pos (0 <= pos <= n) of the document s[0..n): [*start, *end).
 * pos == n, or pos on the final line end, gives the last unit.  An empty
 * document has one empty unit [0, 0).  Units tile the document: the next
 * unit starts at *end, until *end == n.
 */
void layout_unit(const char *s, size_t n, size_t pos, size_t *start, size_t *end);

struct layout_glyph {
	uint32_t off;   /* byte offset from the unit's start */
	uint16_t len;   /* bytes of the document it covers (a whole grapheme; one over 1 KB is split) */
	uint16_t col;   /* first cell in its row (a hanging space: may be the width) */
	uint8_t width;  /* cells it takes (a hanging space or tab: 0) */
	uint8_t kind;   /* enum doc_show_kind of its first code point */
};

struct layout_row {
	uint32_t off;   /* byte offset from the unit's start of the row's first byte */
	uint32_t glyph; /* index of its first glyph */
	uint32_t nglyph;
};

/*
 * A laid-out unit.  Read-only for users.  rows[] holds at least one row (an
 * empty line is one row of no glyphs).  The line end takes no glyph.  Owned
 * by whoever made it (layout_make) or by the cache (layout_cache_get).
 */
struct layout {
	size_t start, end;   /* the unit in the document */
	int width;           /* cells per row, >= 1 */
	size_t nrow;
	struct layout_row *rows;
	size_t nglyph;
	struct layout_glyph *glyphs;
};

/*
 * Lay out the unit [start, end) of s at width cells (clamped to 1..65535).
 * [start, end) should be a unit from layout_unit(); it must be shorter than
 * 4 GB.  The caller owns the result and frees it with layout_free().
 */
struct layout *layout_make(const char *s, size_t start, size_t end, int width);
void layout_free(struct layout *l);

/*
 * Positions are the document's (not relative to the unit) and are clamped
 * into [l->start, l->end].  A position inside a grapheme maps to its glyph;
 * one on the line end maps past the last row's last glyph.
 */
/* The row holding document position pos. */
size_t layout_row_at(const struct layout *l, size_t pos);
/* The glyph holding pos, or the row's end (nglyph of that row past its first) when none. */
size_t layout_glyph_at(const struct layout *l, size_t pos);
/*
 * The document position of the glyph covering cell col of row (row clamped
 * to the last); past the row's end (or a hanging space), its last glyph; before
 * its start, its first glyph; an empty row gives the row's start.
 */
size_t layout_pos_at(const struct layout *l, size_t row, int col);
/*
 * The cell at which position pos is drawn; on the line end, the cell after the
 * last glyph.  May be l->width (a hanging space, or the line end of a full
 * row): a caller that shows a cursor there clamps it.
 */
int layout_col_at(const struct layout *l, size_t pos);

/*
 * True when glyph g of l (laid out from s) shows as nothing: an invisible
 * format character such as a byte-order mark or a zero-width space.  A
 * hanging space or tab, which also takes no cells, is not hidden.
 */
bool layout_glyph_hidden(const char *s, const struct layout *l, const struct layout_glyph *g);

/*
 * The text to draw for glyph g of l, a NUL-terminated UTF-8 string of
 * g->width cells (spaces for a tab, "" for a hanging space), written to buf
 * (size at least 64) and returned.  A grapheme of more code points than fit
 * is cut after its first.  It never holds a control character.
 */
const char *layout_glyph_text(const char *s, const struct layout *l,
			      const struct layout_glyph *g, char *buf, size_t size);

/*
 * A cache of laid-out units of one document at one width: the layouts of
 * what a pane shows are kept, so drawing a screen does not wrap it again.
 * The cache owns every layout it returns; a returned layout stays valid until
 * max_units further layout_cache_get() calls, or layout_cache_clear(), on the
 * same cache, or until the layouts got after it hold more than
 * LAYOUT_CACHE_BYTES of memory (least recently used layouts are dropped
 * first).  A screen's worth of layouts is far below that budget.
 */
#define LAYOUT_CACHE_BYTES (16u << 20)
struct layout_cache;
struct layout_cache *layout_cache_new(size_t max_units);
void layout_cache_free(struct layout_cache *c);
/*
 * The layout of the unit starting at start at width.  A start inside a unit
 * gives that unit.  A held layout is returned without reading s again, so the
 * cache belongs to one unchanging text: clear it if the text changes.
 */
const struct layout *layout_cache_get(struct layout_cache *c, const char *s, size_t n,
				      size_t start, int width);
void layout_cache_clear(struct layout_cache *c);
/*
 * Begin a screen: the layouts got from now on are spared by the byte budget
 * (only max_units further gets drop them), so a screen of huge rows (a row of
 * 65,000 hanging spaces holds that many glyphs) keeps every layout it shows.
 */
void layout_cache_mark(struct layout_cache *c);
/* The memory the cached layouts hold, in bytes. */
size_t layout_cache_bytes(const struct layout_cache *c);

#endif
