/*
 * view: one pane's window onto a document, with no terminal: which display
 * row is at the top, where the cursor is, and the rows the screen shows.
 *
 * The top is a display row (a unit and a row in its layout); the cursor is
 * a byte position on the start of a glyph (or of an empty line).  Every
 * operation costs what the screen shows: rows are walked from the top or
 * from the cursor, never from the start of the document.  The view keeps
 * the last row of the document from rising above the bottom of the screen,
 * as less does.
 */
#ifndef GLOSS_VIEW_H
#define GLOSS_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "gloss/layout.h"

struct view;

/* A display row: the layout of its unit (owned by the view's cache, valid
 * until the view is next moved, resized or asked for its screen) and its
 * row index in that layout. */
struct view_row {
	const struct layout *layout;
	size_t row;
};

/* A view of s[0..n), which must outlive it.  Width and height start at 1.
 * The caller owns the result (view_free). */
struct view *view_new(const char *s, size_t n);
void view_free(struct view *v);

/* Text area in cells; keeps the top row and the cursor on the same text. */
void view_resize(struct view *v, int width, int height);
int view_width(const struct view *v);
int view_height(const struct view *v);

size_t view_cursor(const struct view *v);
/* Where the cursor shows on the screen; false when it is not on it. */
bool view_cursor_cell(struct view *v, int *row, int *col);

/* Move the cursor to the glyph holding pos and scroll as little as needed
 * to show it; with center, a cursor that was off the screen comes to the
 * middle of it. */
void view_goto(struct view *v, size_t pos, bool center);
/* Cursor by display rows (j, k), keeping the column it had. */
void view_rows(struct view *v, long rows);
/* Cursor by one grapheme within its line (h, l); false at the line's edge. */
bool view_step(struct view *v, int dir);
/* Scroll by rows (negative: up), keeping the cursor on screen; returns the
 * rows scrolled. */
long view_scroll(struct view *v, long rows);
/* Page and half page: scroll and move the cursor by the same rows. */
void view_page(struct view *v, long rows);
/* Start and end of the document (g, G). */
void view_home(struct view *v);
void view_end(struct view *v);

/* How many times view_goto, view_rows, view_step, view_page, view_home
 * or view_end has placed the cursor, onto where it was too: whether a key
 * moved it since, though it may have come back (view_scroll and
 * view_set_fraction move the screen, and the cursor only to keep it on it). */
unsigned long view_moves(const struct view *v);

/* Put the top near fraction f (0..1) of the document (synchronized
 * scrolling after a jump); the cursor follows onto the screen. */
void view_set_fraction(struct view *v, double f);
/* The byte position of the top row's start. */
size_t view_top(struct view *v);
/* Display rows from the row holding byte old_top down (positive) or up
 * (negative) to the current top, when within limit rows; else false. */
bool view_rows_since(struct view *v, size_t old_top, long limit, long *rows);
/* How far through the document the bottom of the screen is, 0..100. */
int view_percent(struct view *v);

/* The rows on screen, from the top: at most max, at most the height. */
size_t view_screen(struct view *v, struct view_row *out, size_t max);
/* The position shown at a cell of the screen (a mouse click). */
size_t view_pos_at_cell(struct view *v, int row, int col);

#endif
