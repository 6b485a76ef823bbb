/*
 * note.c: the small editor for an annotation's note (i), in a box over the
 * panes, or over the whole screen when a box does not fit.  The text and its
 * editing by grapheme live in the edit module; this file draws it, wrapped
 * at the box's width by the layout module as the panes wrap a document, and
 * maps keys to it.  Enter saves, Ctrl-J (or Alt-Enter) starts a new line,
 * Tab types a tab, Esc cancels.
 */
#include <stdlib.h>

#include "gloss/doc.h"
#include "gloss/edit.h"
#include "gloss/layout.h"
#include "gloss/store.h"
#include "gloss/util.h"
#include "internal.h"

/* Where the editor is drawn: the box, and the text area inside it. */
struct ui_note_box {
	int y, x, h, w;
	bool title;         /* the first row says which keys do what */
	int ty, tx, th, tw; /* the text area: th >= 1, tw >= 1 */
};

void ui_note_open(struct ui *u, int64_t ann, const char *text)
{
	edit_free(u->note);
	u->note = edit_new(text);
	u->note_ann = ann;
	u->mode = UI_MODE_NOTE;
	u->note_alt = false;
}

static void ui_note_close(struct ui *u)
{
	edit_free(u->note);
	u->note = NULL;
	u->mode = UI_MODE_READ;
}

static void ui_note_save(struct ui *u)
{
	if (store_ann_note(u->store, u->note_ann, edit_text(u->note)) < 0) {
		/* Keep the editor open: the words typed are not lost. */
		ui_message(u, true, "note not saved: %s (Esc drops it)", util_errmsg());
		return;
	}
	ui_note_close(u);
	ui_annot_reload(u);
	ui_message(u, false, "note saved");
}

void ui_note_key(struct ui *u, int key)
{
	struct edit *e = u->note;
	bool alt = u->note_alt;

	u->note_alt = false;
	if (key == UI_ESC) {
		/* Esc then Enter, quickly, is how terminals send Alt-Enter. */
		u->note_alt = true;
		int next = ui_peek_key(u, 30);
		if (next < 0 || next == UI_FN(KEY_RESIZE) || next == UI_FN(KEY_MOUSE)) {
			/* no key came with it: Esc alone, and a resize or a click
			 * in those 30 ms is still handled after the editor closes */
			u->note_alt = false;
			ui_note_close(u);
			ui_message(u, false, "note not changed");
		}
		return;
	}
	if (key == '\r' || key == UI_FN(KEY_ENTER)) {
		if (alt)
			edit_insert(e, '\n');
		else
			ui_note_save(u);
	} else if (key == '\n') {
		edit_insert(e, '\n');
	} else if (key == '\t') {
		/* A note is free text: Tab is a character here, not the next pane. */
		edit_insert(e, '\t');
	} else if (key == UI_FN(KEY_UP)) {
		edit_up(e);
	} else if (key == UI_FN(KEY_DOWN)) {
		edit_down(e);
	} else {
		ui_edit_key(e, key, SIZE_MAX);
	}
}

/*
 * A box in the middle when the screen has room for one; else the whole
 * screen but the status line (where a failed save says so), down to one row
 * that shows the text around the cursor.  At 1x1 the one cell is the
 * terminal's last, which curses cannot write there: the editor still takes
 * keys.
 */
static void ui_note_place(const struct ui *u, struct ui_note_box *b)
{
	int w = u->cols - 4 < 72 ? u->cols - 4 : 72, h = u->rows - 3 < 12 ? u->rows - 3 : 12;
	int margin;

	if (w >= 6 && h >= 3) {
		b->y = (u->rows - 1 - h) / 2;
		b->x = (u->cols - w) / 2;
		b->h = h;
		b->w = w;
		b->title = true;
		b->ty = b->y + 1;
		b->tx = b->x + 1;
		b->th = h - 2;
		b->tw = w - 2;
		return;
	}
	b->y = 0;
	b->x = 0;
	b->w = u->cols > 1 ? u->cols : 1;
	b->h = u->rows > 1 ? u->rows - 1 : 1;
	/* The text gets the rows first: a title only over two rows of text. */
	b->title = b->h >= 3;
	margin = b->w >= 10 ? 1 : 0;
	b->ty = b->y + (b->title ? 1 : 0);
	b->th = b->h - (b->title ? 1 : 0);
	b->tx = b->x + margin;
	b->tw = b->w - 2 * margin;
}

/* The glyphs of row r of l, at screen row y, from column x, in at most w cells. */
static void ui_note_row(const char *t, const struct layout *l, size_t r, int y, int x, int w)
{
	const struct layout_row *lr = &l->rows[r];
	char buf[64];

	for (size_t g = lr->glyph; g < lr->glyph + lr->nglyph; g++) {
		const struct layout_glyph *gl = &l->glyphs[g];
		const char *text;

		if (gl->width == 0 || gl->col + gl->width > w)
			continue;
		text = layout_glyph_text(t, l, gl, buf, sizeof buf);
		if (gl->kind == DOC_SHOW_TEXT)
			ui_draw_glyph(y, x + gl->col, text, ui_attr(UI_STATUS));
		else
			ui_put(y, x + gl->col, gl->width, text,
			       ui_attr(gl->kind == DOC_SHOW_TAB ? UI_STATUS : UI_CONTROL));
	}
}

void ui_note_draw(struct ui *u)
{
	const char *t = edit_text(u->note);
	size_t n = edit_len(u->note), cur = edit_cursor(u->note);
	/* A final line end starts a line that no unit holds: the cursor may be on it. */
	bool trail = n > 0 && t[n - 1] == '\n';
	struct layout **units = NULL;
	size_t nunit = 0, cap = 0, pos = 0, nrow = 0, cur_row = 0, top, row;
	int cur_col = 0;
	struct ui_note_box b;

	ui_note_place(u, &b);
	/* Lay the note out unit by unit, as the panes do; a note is small. */
	do {
		size_t s, e;
		struct layout *l;

		layout_unit(t, n, pos, &s, &e);
		l = layout_make(t, s, e, b.tw);
		if (cur >= s && (cur < e || (e == n && !trail))) {
			cur_row = nrow + layout_row_at(l, cur);
			cur_col = layout_col_at(l, cur);
		}
		if (nunit == cap) {
			cap = cap ? 2 * cap : 8;
			units = util_realloc(units, cap * sizeof *units);
		}
		units[nunit++] = l;
		nrow += l->nrow;
		pos = e;
	} while (pos < n);
	if (trail && cur == n) {
		cur_row = nrow;
		cur_col = 0;
	}
	/* Scrolled so that the cursor's row is the last one shown, when it is below. */
	top = cur_row >= (size_t)b.th ? cur_row - (size_t)b.th + 1 : 0;

	for (int y = 0; y < b.h; y++)
		ui_fill(b.y + y, b.x, b.w, ui_attr(UI_STATUS));
	if (b.title)
		ui_put(b.y, b.x + 1, b.w - 2, "note: Enter saves, Ctrl-J new line, Esc cancels",
		       ui_attr(UI_TITLE_FOCUS));
	row = 0;
	for (size_t k = 0; k < nunit; k++) {
		for (size_t r = 0; r < units[k]->nrow; r++, row++)
			if (row >= top && row < top + (size_t)b.th)
				ui_note_row(t, units[k], r, b.ty + (int)(row - top), b.tx, b.tw);
		layout_free(units[k]);
	}
	free(units);
	/* A full row's end is a cell past the edge: show the cursor on its last cell. */
	move(b.ty + (int)(cur_row - top), b.tx + (cur_col < b.tw ? cur_col : b.tw - 1));
}
