/*
 * internal.h: what the screens of the ui share: the state of the session,
 * the key table, colours and the drawing helpers.  Private to src/ui.
 */
#ifndef GLOSS_UI_INTERNAL_H
#define GLOSS_UI_INTERNAL_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

struct doc;
struct view;
struct search;

/* Function keys are kept apart from characters: curses codes shifted past Unicode. */
#define UI_FN(k) ((k) + 0x200000)
#define UI_CTRL(c) ((c) & 0x1f)
#define UI_ESC 27

enum ui_role {
	UI_TEXT,
	UI_TITLE,
	UI_TITLE_FOCUS,
	UI_STATUS,
	UI_CONTROL,
	UI_MATCH,
	UI_SEP,
	UI_ERROR,
	UI_HELP_KEY,
	UI_NROLES
};

enum ui_mode {
	UI_MODE_READ,
	UI_MODE_PROMPT,
	UI_MODE_HELP,
};

struct ui_pane {
	struct doc *doc;     /* borrowed */
	struct view *view;   /* owned */
	char *title;         /* owned, safe to print */
	int x, w;            /* columns, when shown */
};

struct ui {
	struct ui_pane *panes; /* owned array */
	size_t npane;
	size_t focus;
	size_t first, nshown;  /* the panes on screen */
	int rows, cols;
	bool sync;
	enum ui_mode mode;
	struct search *search; /* owned; the last pattern */
	char prompt[1024];     /* the line being typed, UTF-8 */
	size_t prompt_len;
	int prompt_kind;       /* '/' */
	int help_top;          /* first line of help shown */
	char msg[512];
	bool msg_error;
	bool quit;
};

/* One key binding; the dispatcher and the help screen read the same table. */
struct ui_key {
	int codes[10];       /* 0-terminated */
	const char *names;   /* as the help shows them */
	const char *help;
	void (*fn)(struct ui *u, int key);
};

extern const struct ui_key ui_keys[];
extern const size_t ui_nkeys;

/* theme.c */
void ui_theme_init(void);
attr_t ui_attr(enum ui_role role);

/* ui.c */
void ui_message(struct ui *u, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void ui_place_panes(struct ui *u);
void ui_focus(struct ui *u, size_t i);
/* Draw UTF-8 text at (y, x) in at most w cells; returns the cells used. */
int ui_put(int y, int x, int w, const char *s, attr_t a);
int ui_text_width(const char *s);
/* Ctrl-C was typed since the last ui_interrupted_clear(). */
bool ui_interrupted(void);
bool ui_interrupted_clear(void);

/* pane.c */
void ui_pane_draw(struct ui *u, size_t i, int top, int height);
bool ui_pane_cursor(struct ui *u, size_t i, int top, int *y, int *x);

/* keys.c: search from the cursor of the focused pane, with a message */
void ui_search_run(struct ui *u, bool backward);

/* prompt.c */
void ui_prompt_open(struct ui *u, int kind);
void ui_prompt_key(struct ui *u, int key);
void ui_prompt_draw(struct ui *u, int y);

/* help.c */
void ui_help_open(struct ui *u);
void ui_help_key(struct ui *u, int key);
void ui_help_draw(struct ui *u);

#endif
