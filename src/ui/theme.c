/*
 * theme.c: the attribute of each role.  Colours where the terminal has them
 * and NO_COLOR is not set; bold, underline and reverse otherwise, so that
 * every role stays distinct on a monochrome terminal.
 */
#include <stdlib.h>
#include <string.h>

#include "gloss/store.h"
#include "internal.h"

static attr_t ui_roles[UI_NROLES];
static bool ui_colour;

const char *const ui_colours[] = {"red", "green", "yellow", "blue", "magenta", "cyan", "white", NULL};
static const short ui_colour_codes[] = {COLOR_RED, COLOR_GREEN, COLOR_YELLOW, COLOR_BLUE,
					COLOR_MAGENTA, COLOR_CYAN, COLOR_WHITE};
#define UI_TAG_PAIR 16

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
	/* reversed as less shows a match, underlined unlike a selection, and
	 * like no tag (underline, bold, or both) */
	ui_roles[UI_MATCH] = A_REVERSE | A_UNDERLINE;
	ui_roles[UI_SEP] = A_NORMAL;
	ui_roles[UI_ERROR] = A_BOLD | A_REVERSE;
	ui_roles[UI_HELP_KEY] = A_BOLD;
	ui_roles[UI_SELECTION] = A_REVERSE;
	ui_colour = colour;
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
	for (short i = 0; ui_colours[i]; i++)
		init_pair((short)(UI_TAG_PAIR + i), ui_colour_codes[i], -1);
}

attr_t ui_tag_attr(const struct store_tag *t, size_t depth)
{
	attr_t a;

	if (ui_colour) {
		short i = 0;
		while (ui_colours[i] && (!t || !t->colour || strcmp(ui_colours[i], t->colour)))
			i++;
		a = ui_colours[i] ? COLOR_PAIR(UI_TAG_PAIR + i) | A_BOLD : A_BOLD;
		/* Where annotations overlap, the text is underlined as well. */
		return depth > 1 ? a | A_UNDERLINE : a;
	}
	/* Without colour: claim underlined, source bold, others both. */
	if (t && strcmp(t->name, "claim") == 0)
		a = A_UNDERLINE;
	else if (t && strcmp(t->name, "source") == 0)
		a = A_BOLD;
	else
		a = A_BOLD | A_UNDERLINE;
	return depth > 1 ? a | A_BOLD | A_UNDERLINE : a;
}

attr_t ui_attr(enum ui_role role)
{
	return ui_roles[role];
}
