/*
 * prompt.c: the one-line editor on the status line, for a search pattern
 * or a ':' command.
 * It edits as the note editor does (the edit module: whole graphemes, a
 * cursor that Left, Right, Home and End move); Enter runs, Esc cancels,
 * Backspace on an empty line cancels as in less, Ctrl-U deletes what is
 * before the cursor.
 */
#include <stdlib.h>
#include <string.h>

#include "gloss/edit.h"
#include "gloss/search.h"
#include "gloss/util.h"
#include "internal.h"

bool ui_is_text_key(int key)
{
	return key >= 0x20 && key != 127 && key < 0x110000 && !(key >= 0x80 && key < 0xA0);
}

bool ui_line_key(char *buf, size_t *len, size_t size, int key)
{
	char enc[4];
	int k;

	if (key == UI_FN(KEY_BACKSPACE) || key == 127 || key == UI_CTRL('h')) {
		if (*len == 0)
			return false;
		*len = util_utf8_back(buf, *len - 1);
	} else if (key == UI_CTRL('u')) {
		*len = 0;
	} else if (ui_is_text_key(key)) {
		k = util_utf8_encode((uint32_t)key, enc);
		if (*len + (size_t)k + 1 >= size)
			return false;
		memcpy(buf + *len, enc, (size_t)k);
		*len += (size_t)k;
	} else {
		return false;
	}
	buf[*len] = '\0';
	return true;
}

bool ui_edit_key(struct edit *e, int key, size_t max)
{
	if (key == UI_FN(KEY_BACKSPACE) || key == 127 || key == UI_CTRL('h'))
		edit_backspace(e);
	else if (key == UI_FN(KEY_DC) || key == UI_CTRL('d'))
		edit_delete(e);
	else if (key == UI_FN(KEY_LEFT))
		edit_left(e);
	else if (key == UI_FN(KEY_RIGHT))
		edit_right(e);
	else if (key == UI_FN(KEY_HOME) || key == UI_CTRL('a'))
		edit_home(e);
	else if (key == UI_FN(KEY_END) || key == UI_CTRL('e'))
		edit_end(e);
	else if (!ui_is_text_key(key))
		return false;
	else if (edit_len(e) + 4 < max)
		edit_insert(e, (uint32_t)key);
	return true;
}

void ui_prompt_open(struct ui *u, int kind)
{
	u->mode = UI_MODE_PROMPT;
	u->prompt_kind = kind;
	edit_free(u->prompt);
	u->prompt = edit_new(NULL);
	u->msg[0] = '\0';
}

static void ui_prompt_done(struct ui *u)
{
	struct search *q;

	u->mode = UI_MODE_READ;
	if (u->prompt_kind == ':') {
		ui_command(u, edit_text(u->prompt));
		return;
	}
	if (edit_len(u->prompt) == 0) {
		/* An empty pattern repeats the last one, as in vim (or says
		 * there is none). */
		ui_search_run(u, false);
		return;
	}
	q = search_new(edit_text(u->prompt));
	if (!q) {
		ui_message(u, true, "%s", util_errmsg());
		return;
	}
	search_free(u->search);
	u->search = q;
	u->gen++;
	/* a new pattern searches from the cursor */
	for (size_t i = 0; i < u->npane; i++)
		u->panes[i].match_at = SIZE_MAX;
	ui_search_run(u, false);
}

void ui_prompt_key(struct ui *u, int key)
{
	if (key == '\r' || key == '\n' || key == UI_FN(KEY_ENTER)) {
		ui_prompt_done(u);
	} else if (key == UI_ESC || key == UI_CTRL('c') || key == UI_CTRL('g')) {
		u->mode = UI_MODE_READ;
	} else if (edit_len(u->prompt) == 0 &&
		   (key == UI_FN(KEY_BACKSPACE) || key == 127 || key == UI_CTRL('h'))) {
		u->mode = UI_MODE_READ;
	} else if (key == UI_CTRL('u')) {
		while (edit_backspace(u->prompt))
			;
	} else {
		ui_edit_key(u->prompt, key, UI_PROMPT_MAX);
	}
}

void ui_prompt_draw(struct ui *u, int y)
{
	char lead[2] = {(char)u->prompt_kind, '\0'}, before[UI_PROMPT_MAX];
	const char *t = edit_text(u->prompt);
	size_t at = edit_cursor(u->prompt), from;
	int w = u->cols, x;

	/* Keep the cursor in view: when what is before it does not fit, the
	 * line shows from where the rest of it does. */
	memcpy(before, t, at);
	before[at] = '\0';
	from = (size_t)(ui_text_tail(before, w - 2) - before);
	x = ui_put(y, 0, w, lead, A_NORMAL);
	ui_put(y, x, w - x, t + from, A_NORMAL);
	x += ui_text_width(before + from);
	move(y, x < w ? x : w - 1);
}
