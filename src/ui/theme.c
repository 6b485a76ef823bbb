/*
 * theme.c: the attribute of each role.  Colours where the terminal has them
 * and NO_COLOR is not set; bold, underline and reverse otherwise, so that
 * every role stays distinct on a monochrome terminal.
 */
#include <stdlib.h>

#include "internal.h"

static attr_t ui_roles[UI_NROLES];

static attr_t ui_pair(short n, short fg, short bg, attr_t extra)
{
	init_pair(n, fg, bg);
	return COLOR_PAIR(n) | extra;
}

void ui_theme_init(void)
{
	const char *nc = getenv("NO_COLOR");
	bool colour = has_colors() && !(nc && *nc);

	/* Monochrome first; colour overrides below. */
	ui_roles[UI_TEXT] = A_NORMAL;
	ui_roles[UI_TITLE] = A_UNDERLINE;
	ui_roles[UI_TITLE_FOCUS] = A_REVERSE | A_BOLD;
	ui_roles[UI_STATUS] = A_REVERSE;
	ui_roles[UI_CONTROL] = A_BOLD;
	ui_roles[UI_MATCH] = A_UNDERLINE | A_BOLD;
	ui_roles[UI_SEP] = A_NORMAL;
	ui_roles[UI_ERROR] = A_BOLD | A_REVERSE;
	ui_roles[UI_HELP_KEY] = A_BOLD;
	if (!colour)
		return;
	start_color();
	use_default_colors();
	ui_roles[UI_TITLE] = ui_pair(1, COLOR_WHITE, COLOR_BLUE, A_NORMAL);
	ui_roles[UI_TITLE_FOCUS] = ui_pair(2, COLOR_BLACK, COLOR_CYAN, A_BOLD);
	ui_roles[UI_STATUS] = ui_pair(3, COLOR_BLACK, COLOR_WHITE, A_NORMAL);
	ui_roles[UI_CONTROL] = ui_pair(4, COLOR_MAGENTA, -1, A_BOLD);
	ui_roles[UI_MATCH] = ui_pair(5, COLOR_BLACK, COLOR_YELLOW, A_NORMAL);
	ui_roles[UI_SEP] = ui_pair(6, COLOR_BLUE, -1, A_NORMAL);
	ui_roles[UI_ERROR] = ui_pair(7, COLOR_WHITE, COLOR_RED, A_BOLD);
	ui_roles[UI_HELP_KEY] = ui_pair(8, COLOR_CYAN, -1, A_BOLD);
}

attr_t ui_attr(enum ui_role role)
{
	return ui_roles[role];
}
