/*
 * help.c: the help screen, made from the key table the dispatcher uses,
 * then the tags and their keys, then the mouse.  j, k, Space and the page
 * keys scroll it; q, Esc or ? close it.
 */
#include <stdio.h>

#include "gloss/store.h"
#include "internal.h"

#define UI_HELP_KEYS_W 20

/* Lines: a heading, a blank, the keys, a blank, "tags", the tags, a blank, the mouse. */
static int ui_help_lines(const struct ui *u)
{
	return 2 + (int)ui_nkeys + 2 + (int)u->ntags + 2;
}

void ui_help_open(struct ui *u)
{
	u->mode = UI_MODE_HELP;
	u->help_top = 0;
}

void ui_help_key(struct ui *u, int key)
{
	int page = u->rows > 3 ? u->rows - 3 : 1;
	int max = ui_help_lines(u) - (u->rows - 1);

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

static void ui_help_row(struct ui *u, int y, const char *keys, const char *what)
{
	ui_put(y, 1, UI_HELP_KEYS_W - 1, keys, ui_attr(UI_HELP_KEY));
	ui_put(y, UI_HELP_KEYS_W + 1, u->cols - UI_HELP_KEYS_W - 1, what, A_NORMAL);
}

void ui_help_draw(struct ui *u)
{
	int keys0 = 2, tags0 = keys0 + (int)ui_nkeys + 2, mouse = tags0 + (int)u->ntags + 1;
	char k[8], what[160];

	for (int y = 0; y < u->rows - 1; y++) {
		int line = u->help_top + y;
		if (line == 0) {
			ui_put(y, 0, u->cols, "gloss keys (q closes this help)", ui_attr(UI_TITLE_FOCUS));
		} else if (line >= keys0 && line < keys0 + (int)ui_nkeys) {
			const struct ui_key *key = &ui_keys[line - keys0];
			ui_help_row(u, y, key->names, key->help);
		} else if (line == tags0 - 1) {
			ui_put(y, 1, u->cols - 1, "tags (t chooses from them; each key tags directly)",
			       ui_attr(UI_HELP_KEY));
		} else if (line >= tags0 && line < tags0 + (int)u->ntags) {
			const struct store_tag *t = &u->tags[line - tags0];
			snprintf(k, sizeof k, "%c", t->key ? t->key : ' ');
			snprintf(what, sizeof what, "%s (%s)", t->name, t->colour);
			ui_put(y, 1, UI_HELP_KEYS_W - 1, k, ui_attr(UI_HELP_KEY));
			ui_put(y, UI_HELP_KEYS_W + 1, u->cols - UI_HELP_KEYS_W - 1, what, ui_tag_attr(t, 1));
		} else if (line == mouse) {
			ui_help_row(u, y, "mouse", "wheel scrolls the pane under it, this help and the list; click focuses and places the cursor; drag selects");
		}
	}
}
