/*
 * note.c: the small editor for an annotation's note (i), in a box over the
 * panes.  The text and its editing by grapheme live in the edit module; this
 * file draws it, wrapped at the box's width, and maps keys to it.  Enter
 * saves, Ctrl-J (or Alt-Enter) starts a new line, Esc cancels.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "gloss/edit.h"
#include "gloss/store.h"
#include "gloss/util.h"
#include "internal.h"

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
		timeout(30);
		int next = getch();
		if (next == ERR) {
			u->note_alt = false;
			ui_note_close(u);
			ui_message(u, false, "note not changed");
			return;
		}
		ungetch(next);
		return;
	}
	if (key == '\r' || key == UI_FN(KEY_ENTER)) {
		if (alt)
			edit_insert(e, '\n');
		else
			ui_note_save(u);
	} else if (key == '\n') {
		edit_insert(e, '\n');
	} else if (key == UI_FN(KEY_BACKSPACE) || key == 127 || key == UI_CTRL('h')) {
		edit_backspace(e);
	} else if (key == UI_FN(KEY_DC) || key == UI_CTRL('d')) {
		edit_delete(e);
	} else if (key == UI_FN(KEY_LEFT)) {
		edit_left(e);
	} else if (key == UI_FN(KEY_RIGHT)) {
		edit_right(e);
	} else if (key == UI_FN(KEY_UP)) {
		edit_up(e);
	} else if (key == UI_FN(KEY_DOWN)) {
		edit_down(e);
	} else if (key == UI_FN(KEY_HOME) || key == UI_CTRL('a')) {
		edit_home(e);
	} else if (key == UI_FN(KEY_END) || key == UI_CTRL('e')) {
		edit_end(e);
	} else if (ui_is_text_key(key)) {
		edit_insert(e, (uint32_t)key);
	}
}

void ui_note_draw(struct ui *u)
{
	const char *t = edit_text(u->note);
	size_t n = strlen(t), cur = edit_cursor(u->note), i = 0;
	int w = u->cols - 4 < 72 ? u->cols - 4 : 72, h = u->rows - 3 < 12 ? u->rows - 3 : 12;
	int y0, x0, tw, th, row = 0, col = 0, cur_row = 0, cur_col = 0, top;
	uint32_t cp;
	int valid;

	if (w < 6 || h < 3) {
		/* No room for a box: the status line says what is being edited. */
		move(u->rows - 1, 0);
		return;
	}
	y0 = (u->rows - 1 - h) / 2;
	x0 = (u->cols - w) / 2;
	tw = w - 2;
	th = h - 2;
	/* First pass: where the cursor falls, to scroll it into view. */
	while (i <= n) {
		if (i == cur) {
			cur_row = row;
			cur_col = col;
		}
		if (i == n)
			break;
		int k = util_utf8_decode(t + i, n - i, &cp, &valid);
		int cw = cp == '\n' ? 0 : (valid && wcwidth((wchar_t)cp) >= 0 ? wcwidth((wchar_t)cp) : 1);
		if (cp == '\n' || col + cw > tw) {
			row++;
			col = 0;
		}
		if (cp != '\n')
			col += cw;
		i += (size_t)k;
	}
	top = cur_row >= th ? cur_row - th + 1 : 0;
	for (int y = 0; y < h; y++) {
		move(y0 + y, x0);
		for (int x = 0; x < w; x++)
			addch(' ' | ui_attr(UI_STATUS));
	}
	ui_put(y0, x0 + 1, w - 2, "note: Enter saves, Ctrl-J new line, Esc cancels", ui_attr(UI_TITLE_FOCUS));
	/* Second pass: draw the rows on screen. */
	row = col = 0;
	i = 0;
	while (i < n) {
		char one[8];
		int k = util_utf8_decode(t + i, n - i, &cp, &valid);
		int cw = cp == '\n' ? 0 : (valid && wcwidth((wchar_t)cp) >= 0 ? wcwidth((wchar_t)cp) : 1);
		if (cp == '\n' || col + cw > tw) {
			row++;
			col = 0;
		}
		if (cp != '\n' && row >= top && row < top + th) {
			if (!valid || cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || wcwidth((wchar_t)cp) < 0)
				cp = 0xFFFD;
			one[util_utf8_encode(cp, one)] = '\0';
			ui_put(y0 + 1 + row - top, x0 + 1 + col, cw ? cw : 1, one, ui_attr(UI_STATUS));
		}
		if (cp != '\n')
			col += cw;
		i += (size_t)k;
	}
	move(y0 + 1 + cur_row - top, x0 + 1 + (cur_col < tw ? cur_col : tw - 1));
}
