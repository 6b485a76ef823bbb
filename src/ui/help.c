/*
 * help.c: the help screen, made from the key table the dispatcher uses.
 * j, k, Space and the page keys scroll it; q, Esc or ? close it.
 */
#include "internal.h"

#define UI_HELP_KEYS_W 20

static int ui_help_lines(void)
{
	return (int)ui_nkeys + 2;
}

void ui_help_open(struct ui *u)
{
	u->mode = UI_MODE_HELP;
	u->help_top = 0;
}

void ui_help_key(struct ui *u, int key)
{
	int page = u->rows > 3 ? u->rows - 3 : 1;
	int max = ui_help_lines() - (u->rows - 1);

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
	if (u->help_top > max)
		u->help_top = max;
	if (u->help_top < 0)
		u->help_top = 0;
}

void ui_help_draw(struct ui *u)
{
	int y, line;

	for (y = 0; y < u->rows - 1; y++) {
		line = u->help_top + y;
		if (line == 0) {
			ui_put(y, 0, u->cols, "gloss keys (q closes this help)", ui_attr(UI_TITLE_FOCUS));
		} else if (line >= 2 && line - 2 < (int)ui_nkeys) {
			const struct ui_key *k = &ui_keys[line - 2];
			ui_put(y, 1, UI_HELP_KEYS_W - 1, k->names, ui_attr(UI_HELP_KEY));
			ui_put(y, UI_HELP_KEYS_W + 1, u->cols - UI_HELP_KEYS_W - 1, k->help, A_NORMAL);
		}
	}
}
