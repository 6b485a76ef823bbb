/*
 * edit: the text of one note while it is being written, and a cursor in it.
 * No terminal: the note editor in ui/ turns keys into these calls and draws
 * edit_text() around edit_cursor(), wrapped as the layout module wraps.
 *
 * Invariants:
 *   - the text is NUL-terminated and holds no NUL byte;
 *   - the cursor is a byte offset in [0, edit_len()] that is a grapheme
 *     boundary as seg_grapheme_next()/seg_grapheme_prev() see them, hence
 *     never inside a code point, not even inside an ill-formed sequence
 *     (which counts as one U+FFFD); only inside a grapheme of more than
 *     512 bytes (which seg cuts too) may it stand between code points;
 *   - what is inserted is well-formed UTF-8 without controls other than
 *     LF and tab; the initial text is kept byte for byte as it came.
 *
 * Lines are separated by LF.  A CR just before an LF belongs to the line end
 * (CRLF is one grapheme); any other control shows as the document view
 * shows it.  Columns are terminal cells counted from the start of a line as
 * the layout counts them: a grapheme is as wide as its first code point
 * (doc_show_cp(), so wcwidth() in the current locale), one that starts with
 * a zero-width code point takes one cell, and a tab reaches the next
 * multiple of 8.
 *
 * An edit that joins the text on both sides of the cursor into one grapheme
 * (typing a combining mark or ZWJ before a letter, deleting a line end that
 * stood before a combining mark, deleting between two regional indicators)
 * moves the cursor to the end of that grapheme, or to its start after
 * edit_delete(), so the invariant holds.
 *
 * Costs: a grapheme step or edit looks at a bounded window around the
 * cursor (plus a memmove of the rest of the note); line motions and column
 * work cost the lines they touch; edit_line() and edit_cursor_line() count
 * line ends from the start.  A note is small; 100 KB is a long one.
 */
#ifndef GLOSS_EDIT_H
#define GLOSS_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct edit;

/*
 * A buffer holding a copy of text (NULL for an empty one; a text with NUL
 * bytes stops at the first), the cursor at its end.  The caller owns the
 * result and releases it with edit_free().  Never NULL.
 */
struct edit *edit_new(const char *text);
void edit_free(struct edit *e); /* e may be NULL */

/* The text, NUL-terminated; owned by e, valid until the next change. */
const char *edit_text(const struct edit *e);
size_t edit_len(const struct edit *e);

/* The cursor, a byte offset. */
size_t edit_cursor(const struct edit *e);
/* Put the cursor at the start of the grapheme holding pos (pos > len: the end). */
void edit_set_cursor(struct edit *e, size_t pos);

/*
 * Insert one code point at the cursor and move past it.  Refused (false,
 * nothing changes) for C0 controls other than LF and tab, DEL, C1 controls,
 * surrogates and anything above U+10FFFF.
 */
bool edit_insert(struct edit *e, uint32_t cp);

/*
 * Insert a string at the cursor and move past it (a paste).  CRLF and a lone
 * CR become LF, since terminals paste line ends as CR; each ill-formed
 * sequence becomes U+FFFD; code points edit_insert() refuses are dropped.
 * Returns false when something was dropped or replaced (the rest is still
 * inserted).
 */
bool edit_insert_str(struct edit *e, const char *s); /* s: not NULL */

/* Delete the grapheme before / after the cursor; false at the start / end. */
bool edit_backspace(struct edit *e);
bool edit_delete(struct edit *e);

/*
 * Motions; each returns false when the cursor did not move.  left and right
 * go by grapheme and cross line ends.  home and end go to the start and end
 * of the cursor's line.  up and down go to the previous and next line at the
 * wanted column: the cursor's column when a run of up and down began, or
 * "the end of the line" after edit_end(), as in vim; they land on the
 * grapheme that covers that column, or at the end of a shorter line.  Any
 * other motion or edit forgets the wanted column.  up on the first line and
 * down on the last do nothing.
 */
bool edit_left(struct edit *e);
bool edit_right(struct edit *e);
bool edit_home(struct edit *e);
bool edit_end(struct edit *e);
bool edit_up(struct edit *e);
bool edit_down(struct edit *e);

/* Put the cursor on line (0-based) at column col, as edit_down() would land; false when there is no such line. */
bool edit_goto(struct edit *e, size_t line, int col);

/* For drawing. */
size_t edit_line_count(const struct edit *e); /* at least 1: LF count + 1 */
/* Line (0-based) as bytes [*start, *end), the line end excluded; false past the last line.  O(line). */
bool edit_line(const struct edit *e, size_t line, size_t *start, size_t *end);
/* The cursor's line (0-based); *col (when not NULL) gets its column in cells. */
size_t edit_cursor_line(const struct edit *e, int *col);
/* The column in cells of pos (a grapheme boundary) within its line. */
int edit_column(const struct edit *e, size_t pos);

#endif
