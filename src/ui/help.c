/*
 * help.c: the help screen, made from the key table the dispatcher uses,
 * then the tags and their keys, then the keys of the lines one types (the
 * search, the command line and the note), then the mouse.  j, k, Space and the page
 * keys scroll it; q, Esc or ? close it.
 */
#include <stdio.h>
#include <string.h>

#include "gloss/store.h"
#include "internal.h"

#define UI_HELP_KEYS_W 20

/*
 * One entry of the help from row n on: its keys, then what they do, wrapped
 * at blanks into as many rows as the width needs, each under the last.
 * Drawn when draw (the rows of it that are on the screen); returns its rows.
 */
static int ui_help_entry(struct ui *u, int n, bool draw, const char *keys, attr_t ka,
			 const char *what, attr_t wa)
{
	int w = u->cols - UI_HELP_KEYS_W - 1, rows = 0;
	char piece[256];

	do {
		size_t k = w > 0 ? ui_text_fit(what, w) : strlen(what);
		int y = n + rows - u->help_top;
		if (draw && y >= 0 && y < u->rows - 1) {
			snprintf(piece, sizeof piece, "%.*s", (int)k, what);
			if (rows == 0)
				ui_put(y, 1, UI_HELP_KEYS_W - 1, keys, ka);
			ui_put(y, UI_HELP_KEYS_W + 1, w, piece, wa);
		}
		rows++;
		what += k;
		while (*what == ' ')
			what++;
	} while (*what && w > 0);
	return rows;
}

/*
 * The help's rows: a heading, a blank, the keys, a blank, "tags", the tags,
 * a blank, the mouse.  Drawn when draw; returns how many there are.
 */
static int ui_help_walk(struct ui *u, bool draw)
{
	char k[8], what[160];
	int n = 0;

	if (draw && u->help_top == 0)
		ui_put(0, 0, u->cols, "gloss keys (q closes this help)", ui_attr(UI_TITLE_FOCUS));
	n += 2;
	for (size_t i = 0; i < ui_nkeys; i++)
		n += ui_help_entry(u, n, draw, ui_keys[i].names, ui_attr(UI_HELP_KEY), ui_keys[i].help,
				   A_NORMAL);
	n++;
	if (draw && n - u->help_top >= 0 && n - u->help_top < u->rows - 1)
		ui_put(n - u->help_top, 1, u->cols - 1,
		       "tags (t chooses from them; each key tags directly)", ui_attr(UI_HELP_KEY));
	n++;
	for (size_t i = 0; i < u->ntags; i++) {
		const struct store_tag *t = &u->tags[i];
		snprintf(k, sizeof k, "%c", t->key ? t->key : ' ');
		snprintf(what, sizeof what, "%s (%s)", t->name, t->colour);
		n += ui_help_entry(u, n, draw, k, ui_attr(UI_HELP_KEY), what, ui_tag_attr(t, 1));
	}
	n++;
	n += ui_help_entry(u, n, draw, "/ : and i lines", ui_attr(UI_HELP_KEY),
			   "Left Right Home (Ctrl-A) End (Ctrl-E) move; Backspace, Delete delete; "
			   "Ctrl-U deletes before the cursor (/ and :); Enter runs or saves; Esc cancels",
			   A_NORMAL);
	n += ui_help_entry(u, n, draw, "mouse", ui_attr(UI_HELP_KEY),
			   "wheel scrolls the pane under it, this help and the list; "
			   "click focuses and places the cursor; drag selects",
			   A_NORMAL);
	return n;
}

/* The furthest the help scrolls: a wider screen has fewer rows to show. */
static int ui_help_max(struct ui *u)
{
	return ui_help_walk(u, false) - (u->rows - 1);
}

void ui_help_open(struct ui *u)
{
	u->mode = UI_MODE_HELP;
	u->help_top = 0;
}

void ui_help_key(struct ui *u, int key)
{
	int page = u->rows > 3 ? u->rows - 3 : 1;
	int max = ui_help_max(u);

	if (key == 'q' || key == UI_ESC || key == '?') {
		u->mode = UI_MODE_READ;
		return;
	}
	if (key == 'j' || key == UI_FN(KEY_DOWN))
		u->help_top++;
	else if (key == 'k' || key == UI_FN(KEY_UP))
		u->help_top--;
	else if (key == ' ' || key == UI_FN(KEY_NPAGE) || key == UI_CTRL('f'))
		u->help_top += page;
	else if (key == UI_FN(KEY_PPAGE) || key == UI_CTRL('b'))
		u->help_top -= page;
	else if (key == 'g' || key == UI_FN(KEY_HOME))
		u->help_top = 0;
	else if (key == 'G' || key == UI_FN(KEY_END))
		u->help_top = max;
	else if (key == UI_FN(KEY_MOUSE))
		u->help_top += ui_wheel(u);
	if (u->help_top > max)
		u->help_top = max;
	if (u->help_top < 0)
		u->help_top = 0;
}

void ui_help_draw(struct ui *u)
{
	int max = ui_help_max(u);

	/* after a resize */
	if (u->help_top > max)
		u->help_top = max > 0 ? max : 0;
	ui_help_walk(u, true);
}
