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

/* The colour pairs of the roles (pair n is ui_pairs[n - 1]); a tag's is
 * UI_TAG_PAIR + its colour's index, on the default background. */
static const struct {
	enum ui_role role;
	short fg, bg;
	attr_t extra;
} ui_pairs[] = {
	{ UI_TITLE, COLOR_WHITE, COLOR_BLUE, A_NORMAL },
	{ UI_TITLE_FOCUS, COLOR_BLACK, COLOR_CYAN, A_BOLD },
	{ UI_STATUS, COLOR_BLACK, COLOR_WHITE, A_NORMAL },
	{ UI_CONTROL, COLOR_MAGENTA, -1, A_BOLD },
	{ UI_MATCH, COLOR_BLACK, COLOR_YELLOW, A_NORMAL },
	{ UI_SEP, COLOR_BLUE, -1, A_NORMAL },
	{ UI_ERROR, COLOR_WHITE, COLOR_RED, A_BOLD },
	{ UI_HELP_KEY, COLOR_CYAN, -1, A_BOLD },
};
#define UI_NPAIRS (sizeof ui_pairs / sizeof *ui_pairs)

bool ui_theme_choose(bool colour)
{
	const char *nc = getenv("NO_COLOR");

	colour = colour && !(nc && *nc);
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
	if (colour)
		for (size_t i = 0; i < UI_NPAIRS; i++)
			ui_roles[ui_pairs[i].role] = COLOR_PAIR((short)(i + 1)) | ui_pairs[i].extra;
	return colour;
}

void ui_theme_init(void)
{
	if (!ui_theme_choose(has_colors()))
		return;
	start_color();
	use_default_colors();
	for (short n = 1; n <= (short)UI_NPAIRS; n++) {
		short fg, bg;
		ui_theme_pair(n, &fg, &bg);
		init_pair(n, fg, bg);
	}
	for (short i = 0; ui_colours[i]; i++)
		init_pair((short)(UI_TAG_PAIR + i), ui_colour_codes[i], -1);
}

bool ui_theme_pair(short n, short *fg, short *bg)
{
	if (n >= 1 && (size_t)n <= UI_NPAIRS) {
		*fg = ui_pairs[n - 1].fg;
		*bg = ui_pairs[n - 1].bg;
		return true;
	}
	if (n >= UI_TAG_PAIR && (size_t)(n - UI_TAG_PAIR) < sizeof ui_colour_codes / sizeof *ui_colour_codes) {
		*fg = ui_colour_codes[n - UI_TAG_PAIR];
		*bg = -1;
		return true;
	}
	return false;
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
