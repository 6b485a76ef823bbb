/*
 * internal.h: what the screens of the ui share: the state of the session,
 * the key table, colours and the drawing helpers.  Private to src/ui.
 */
#ifndef GLOSS_UI_INTERNAL_H
#define GLOSS_UI_INTERNAL_H

#include <curses.h>
#include <termios.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gloss/store.h"

struct doc;
struct view;
struct search;
struct store;
struct store_ann;
struct store_tag;
struct spans;
struct edit;

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
	UI_SELECTION,
	UI_NROLES
};

enum ui_mode {
	UI_MODE_READ,
	UI_MODE_PROMPT,   /* '/' search or ':' command, on the status line */
	UI_MODE_HELP,
	UI_MODE_MENU,     /* choosing a tag (t) */
	UI_MODE_LIST,     /* the list of annotations (L) */
	UI_MODE_NOTE,     /* editing a note (i) */
};

/*
 * Everything a pane's drawing depends on besides the document: when it is
 * the same as at the last drawing, the pane's cells are as they were and a
 * key that moved another pane does not draw this one.  Filled whole (with
 * memset first), so that it compares with memcmp.
 */
struct ui_pane_drawn {
	size_t top;          /* view_top */
	int x, w, height, percent;
	bool focus, sel;
	size_t sa, sb;       /* the selection, when sel */
	size_t claims, sources, unsourced;
	unsigned gen;        /* struct ui's gen */
	unsigned pane_gen;   /* struct ui_pane's gen */
};

/* The status line's content: one drawn like the last is not drawn again.
 * Filled whole (with memset first), so that it compares with memcmp. */
struct ui_status {
	bool known;          /* false: the screen may show something else */
	char left[600];      /* at column 0, in attribute la */
	char right[128];     /* rw columns at the right end (rw 0: none) */
	attr_t a, la;
	int cols, rw;
};

struct ui_pane {
	struct doc *doc;     /* borrowed */
	struct view *view;   /* owned */
	char *title;         /* owned, safe to print */
	int x, w;            /* columns, when shown */
	int64_t docid;       /* the store's document; -1 until its sum is known, and while pending */
	bool restored;       /* the saved cursor was looked for */
	bool pending;        /* new to the database: to be recorded when nobody waits */
	bool from_db;        /* the database's copy of its text (--doc): no file to follow */
	bool unsettled;      /* found for the first screen: earlier versions not yet
			      * followed nor imported annotations placed (ui_annot_settle) */
	struct store_ann *anns; /* owned: the document's annotations */
	size_t nann;
	size_t ann_room;     /* anns has room for this many (ui_pane_add) */
	struct spans *spans; /* owned: anns indexed by span; an item's id is its anns index */
	size_t claims, sources, unsourced;
	bool stale;          /* its file was written after it was opened: nothing
			      * more of it is recorded (doc_changed) */
	long cur;            /* spans index of the annotation chosen (with ] or [,
			      * from L, or just tagged), -1 for none */
	int64_t cur_id;      /* its store id, which finds it again after a reload */
	size_t cur_at;       /* the cursor when cur was chosen, and its view_moves: */
	unsigned long cur_moves; /* a key that moves it, even onto itself, forgets it */
	size_t match;        /* where the match that n or N went to starts (a line
			      * end, where the cursor cannot be, for one that
			      * starts with a blank), */
	size_t match_at;     /* while the cursor is still at match_at; SIZE_MAX: none */
	bool selecting;      /* v: a selection runs from sel_from to the cursor, */
	bool sel_ended;      /* or, v again, to sel_to, where it stays */
	size_t sel_from, sel_to;
	struct ui_pane_drawn drawn; /* what the screen shows of it, to skip a redraw */
	uint64_t *sums;      /* owned: per row under the title, a sum of what it
			      * shows, 0 unknown (ui_pane_draw skips a row whose
			      * sum it drew last) */
	size_t nsum;
	WINDOW *rows_win;    /* owned: its rows' window while a drawing that
			      * copies rows is made (ui_pane_draw), else NULL */
	unsigned gen;        /* bumped when its annotations are loaded again */
};

/* One entry of the list of annotations (L). */
struct ui_item {
	size_t pane;
	size_t ann;          /* index into that pane's anns, or into u->orphans */
	int64_t id;          /* the annotation's */
	bool orphan;
	char *line;          /* what the list shows, safe to print; owned */
	char *find;          /* what the filter searches: tag, document name, the
			      * whole quote and note, a line end between; owned */
};

struct ui {
	SCREEN *screen;        /* owned */
	FILE *out;             /* curses' copy of standard output; owned */
	int frame;             /* a file in memory that takes one drawing, -1
				* when there is none (ui_update); owned */
	int term;              /* the terminal, to point out's descriptor back at; owned */
	char *frame_buf;       /* a drawing read back from frame; owned */
	size_t frame_cap;
	bool painted;          /* the first screen was painted (paint.c), and
				* curses has sent nothing yet */
	bool held;             /* curses' writes are held (ui_hold) */
	bool wrapped;          /* they are held in memory, not in frame
				* (__wrap_write, the static binary) */
	FILE *tty;             /* /dev/tty when standard input is a document; owned */
	struct termios shell;  /* the terminal's modes before curses */
	struct ui_pane *panes; /* owned array */
	size_t npane;
	size_t focus;
	size_t first, nshown;  /* the panes on screen */
	int rows, cols;
	bool sync;
	enum ui_mode mode;
	struct search *search; /* owned; the last pattern */
	unsigned gen;          /* bumped when the search changes: what every
				* pane shows may have changed */
	/* the last drawing: its mode, panes and size (see ui_pane_drawn) */
	enum ui_mode drawn_mode;
	size_t drawn_first, drawn_nshown;
	int drawn_rows, drawn_cols;
	size_t drawn_ntags;      /* the tags the menu showed */
	struct ui_status status; /* what the status line shows (see ui_draw_status) */
	struct edit *prompt;   /* the line being typed, and its cursor; owned */
	int prompt_kind;       /* '/' or ':' */
	int help_top;          /* first line of help shown */
	char msg[512];
	bool msg_error;
	struct store_follow followed; /* until the first key: what following
				 * every changed file did, for one message */
	size_t followed_files;
	bool msg_keep;         /* until the first key: an error is not replaced
				* by a message that is not one */
	bool quit;
	bool resting;          /* no key since a whole idle timeout: writes may run */
	bool primed;           /* store_idle was called once the first work was done */
	bool sgr_mouse;        /* xterm's SGR mouse reports asked for (ui_run) */
	MEVENT mouse;          /* the report behind the last UI_FN(KEY_MOUSE) */
	bool peeked;           /* ui_peek_key's key, read next */
	int peek;
	unsigned char unread[16]; /* a key read before curses could read it,
				   * to give back to it in ui_run (one byte,
				   * or an escape sequence) */
	size_t nunread;
	bool ungot;            /* a key given back to curses waits */
	struct store *store;      /* borrowed */
	struct store_tag *tags;   /* owned */
	size_t ntags;
	int64_t link_from;        /* a: the annotation a link starts from, 0 for none */
	size_t menu_at;           /* t: the tag chosen in the menu */
	struct edit *note;        /* i: the note being edited, owned */
	int64_t note_ann;
	bool note_alt;            /* i: Esc came just before: an Enter is Alt-Enter */
	struct ui_item *items;    /* L: every annotation, owned */
	size_t nitems;
	int list_tag_w, list_name_w; /* L: cells of its tag and document columns */
	struct store_ann *orphans; /* L: the orphans of the open documents, owned */
	size_t norphans;
	size_t *shown;            /* L: indexes into items that pass the filter, owned */
	size_t nshown_items;
	size_t list_at, list_top;
	char filter[256];
	size_t filter_len;
};

/* One key binding; the dispatcher and the help screen read the same table. */
struct ui_key {
	int codes[10];       /* 0-terminated */
	const char *names;   /* as the help shows them */
	const char *help;
	void (*fn)(struct ui *u, int key);
	bool moves;          /* it only moves the focused pane's cursor (and
			      * view): answered before curses has started too */
};

extern const struct ui_key ui_keys[];
extern const size_t ui_nkeys;
/* The key of the key table bound to key, or NULL. */
const struct ui_key *ui_key_bound(int key);

/* theme.c */
/* The roles' attributes, in colour when colour is true and NO_COLOR is
 * not set; whether in colour.  No curses call: ui_theme_init makes the
 * pairs for curses. */
bool ui_theme_choose(bool colour);
/* ui_theme_choose(has_colors()), and the pairs made in curses. */
void ui_theme_init(void);
/* The colours of pair n (-1: the terminal's default); false for no such pair. */
bool ui_theme_pair(short n, short *fg, short *bg);
attr_t ui_attr(enum ui_role role);
/* How an annotation of this tag shows; depth is how many annotations cover the text. */
attr_t ui_tag_attr(const struct store_tag *t, size_t depth);
/* The colour names a tag may take; NULL-terminated. */
extern const char *const ui_colours[];

/* paint.c: the first screen without curses (see there).  While
 * ui_painting() is true, the drawing functions send what they draw to the
 * ui_paint_ functions below instead of curses. */
/* Read the terminal's description from fd, as curses would (TERM), and
 * start a painting of the screen: false, with nothing sent, where the
 * terminal or the environment is one curses had better draw for (no
 * alternate screen to leave, LINES or COLUMNS set, not UTF-8); else its
 * size in *rows and *cols, and the roles' attributes chosen for it. */
bool ui_paint_begin(int fd, int *rows, int *cols);
bool ui_painting(void);
/* One glyph: a character and the combining ones after it, 0-terminated. */
void ui_paint_cell(int y, int x, const wchar_t *wc, attr_t a);
void ui_paint_wstr(int y, int x, const wchar_t *s, size_t n, attr_t a);
void ui_paint_fill(int y, int x, int n, attr_t a);
/* Another painting over a sent one, on a clear screen: false, with nothing
 * done, where the screen is now too small.  Until ui_paint_close, with the
 * description ui_paint_begin read; after it, with curses' (newterm). */
bool ui_paint_again(int fd, int *rows, int *cols);
/* The painting to fd in one write, the cursor at y, x when cursor is true;
 * when it was sent, ui_give_way.  Whether it was sent. */
bool ui_paint_end(int fd, bool cursor, int y, int x);
/* The description ui_paint_begin read let go: before newterm, which
 * reads its own. */
void ui_paint_close(void);
/* Back from a sent painting's alternate screen, for a way out before
 * curses has taken the terminal. */
void ui_unpaint(int fd);

/* ui.c */
/* Just after a first screen is sent, on a machine of two CPUs or fewer, a
 * pause of 0.1 ms, for the terminal to run and show it (see there). */
void ui_give_way(void);
void ui_message(struct ui *u, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void ui_place_panes(struct ui *u);
void ui_focus(struct ui *u, size_t i);
/* Only the panes, and the status line, are on the screen in mode m: no
 * box over them, no screen of its own. */
bool ui_panes_only(enum ui_mode m);
/* Draw UTF-8 text at (y, x) in at most w cells; returns the cells used. */
int ui_put(int y, int x, int w, const char *s, attr_t a);
/* n blank cells from (y, x) in attribute a. */
void ui_fill(int y, int x, int n, attr_t a);
/* All of p[0..n) to the terminal fd, waiting for it when it is slow to
 * take it; false when it is gone. */
bool ui_send(int fd, const char *p, size_t n);
/* The static binary's write() (the link's --wrap=write): what curses
 * writes while held is copied into a buffer of ui.c's; all else is passed
 * to the kernel.  Given (-1, NULL, 0) it returns 0, where write() fails:
 * so ui.c knows that the wrap is in place. */
ssize_t __wrap_write(int fd, const void *p, size_t n);
int ui_text_width(const char *s);
/* The longest tail of s, whole characters, that fits in w cells; points into s. */
const char *ui_text_tail(const char *s, int w);
/* Bytes of s that fit in w cells, ending before a blank where one fits (a
 * line of wrapped text); at least one character, unless s is empty. */
size_t ui_text_fit(const char *s, int w);
/* Ctrl-C was typed since the last ui_interrupted_clear(). */
bool ui_interrupted(void);
/* SIGTERM or SIGHUP came: long work stops, the loop ends. */
bool ui_stopping(void);
bool ui_interrupted_clear(void);
/* The next key as the key loop would read it (a mouse report included),
 * waiting at most ms; it stays to be read again.  -1 when none came. */
int ui_peek_key(struct ui *u, int ms);
/* Lines the last mouse report's wheel moves by: 3 down, -3 up, else 0. */
int ui_wheel(const struct ui *u);

/* pane.c */
/* Pane i's title at row top and its text in the height - 1 rows under it;
 * erased: the screen was cleared (else each row drawn is cleared first). */
void ui_pane_draw(struct ui *u, size_t i, int top, int height, bool erased);
/* After wnoutrefresh(stdscr) of a drawing: the windows ui_pane_draw made
 * to copy rows let go, before curses reads keys (and may resize stdscr). */
void ui_pane_rows_done(struct ui *u);
bool ui_pane_cursor(struct ui *u, size_t i, int top, int *y, int *x);
/* Draw the text of a layout glyph of kind DOC_SHOW_TEXT (a grapheme) in one cell or two. */
void ui_draw_glyph(int y, int x, const char *text, attr_t a);

/* keys.c: search from the cursor of the focused pane, with a message */
void ui_search_run(struct ui *u, bool backward);

/* prompt.c */
/* A key that types text: printable, not a control. */
bool ui_is_text_key(int key);
/* Edit a one-line UTF-8 buffer (Backspace, Ctrl-U, typing); true when it changed. */
bool ui_line_key(char *buf, size_t *len, size_t size, int key);
/* The keys every editor shares, on e: Backspace, Delete and Ctrl-D, Left,
 * Right, Home and Ctrl-A, End and Ctrl-E, and typing (while e is shorter
 * than max bytes); false for any other key. */
bool ui_edit_key(struct edit *e, int key, size_t max);
/* The longest line the prompt takes, in bytes. */
#define UI_PROMPT_MAX 1024
void ui_prompt_open(struct ui *u, int kind);
void ui_prompt_key(struct ui *u, int key);
void ui_prompt_draw(struct ui *u, int y);

/* annot.c: annotations of the panes and the commands on them */
/* How ui_annot_identify goes about it: */
enum {
	UI_ID_NOW = 1,   /* record the document now, though nothing may show */
	UI_ID_FIRST = 2, /* for the first screen: annotations left for ui_annot_settle */
	UI_ID_HURRY = 4, /* nobody waits for it: the record does not wait for
			  * another process's lock (store_hurry) */
};
/* Pane i's document found in the store, or recorded there, once its sum is
 * known: at once with UI_ID_NOW, else only where it may have something to
 * show (others are left pending for ui_annot_record).  Its cursor goes back
 * where the reader left it; its annotations are loaded, unless UI_ID_FIRST:
 * then they wait for ui_annot_settle, so that the first screen shows the
 * text without waiting for them.  False when the store failed to record it
 * (util_errmsg says why, nothing shown; unless the database is read-only
 * it stays pending, to be tried again). */
bool ui_annot_identify(struct ui *u, size_t i, unsigned how);
/* What ui_annot_identify left for after the first screen: the annotations
 * of earlier versions followed, imported ones placed; then the tags and
 * every pane's annotations loaded (ui_annot_reload). */
void ui_annot_settle(struct ui *u);
/* Hash pane i's document now when it is small enough for its annotations
 * to be looked for before the first screen (a big one is hashed while idle). */
void ui_annot_hash_small(struct ui *u, size_t i);
/* Whether the first screen of d waits for the database: it may be put back
 * where the reader left it (its sum is or will be known by then, or its
 * text comes from the database, from_db). */
bool ui_annot_first_waits(const struct doc *d, bool from_db);
/* Record one pending document, or one sum in the hash cache: true when
 * one was written (each write has its fsync: one at a time, once nobody
 * types).  A document the database is locked against is not waited for:
 * it is tried again after the next pause (u->resting goes false). */
bool ui_annot_record(struct ui *u);
/* On the way out: every pending document and sum recorded, every cursor
 * saved, each tried once; after one write has failed (another process's
 * lock) the others do not wait for the lock. */
void ui_annot_leave(struct ui *u);
void ui_annot_reload(struct ui *u);
/* The annotation under the cursor of pane i: index into its anns, or -1. */
long ui_annot_under(struct ui *u, size_t i);
/* Pane i's annotation whose store id is id becomes the one under the cursor
 * while the cursor stays where it is now; false when the pane shows none. */
bool ui_annot_choose(struct ui *u, size_t i, int64_t id);
/* True, with the error set, when pane i's file has been written since gloss
 * opened it (what the pane shows and its sum may be of neither version):
 * nothing of it may be recorded.  Said once on the status line. */
bool ui_annot_stale(struct ui *u, size_t i);
/* The selection of pane i as [*a, *b); false when none. */
bool ui_selection(struct ui *u, size_t i, size_t *a, size_t *b);
bool ui_annot_key(struct ui *u, int key);
const struct store_tag *ui_tag_of(struct ui *u, int64_t id);
/* "2 links", and ", linked from 3" when others link to a: into buf. */
void ui_links_text(const struct store_ann *a, char *buf, size_t size);
void ui_k_select(struct ui *u, int key);
void ui_k_escape(struct ui *u, int key);
void ui_k_claim(struct ui *u, int key);
void ui_k_source(struct ui *u, int key);
void ui_k_menu(struct ui *u, int key);
void ui_k_next_ann(struct ui *u, int key);
void ui_k_link(struct ui *u, int key);
void ui_k_enter(struct ui *u, int key);
void ui_k_note(struct ui *u, int key);
void ui_k_delete(struct ui *u, int key);
void ui_k_undo(struct ui *u, int key);
void ui_k_command(struct ui *u, int key);
void ui_k_list(struct ui *u, int key);
void ui_annot_describe(struct ui *u, char *buf, size_t size);
void ui_tag_with(struct ui *u, size_t tag);
/* Put the orphan with this id (one of u->orphans) on the focused pane's selection. */
void ui_reattach(struct ui *u, int64_t id);
void ui_command(struct ui *u, const char *line);
void ui_menu_key(struct ui *u, int key);
void ui_menu_draw(struct ui *u);

/* list.c */
/* s made printable on one line in out: at most max_cp code points, controls
 * and line ends as spaces, ill-formed bytes as U+FFFD, an ellipsis when cut. */
void ui_flat(const char *s, size_t max_cp, char *out, size_t size);
void ui_list_open(struct ui *u);
void ui_list_key(struct ui *u, int key);
void ui_list_draw(struct ui *u);
void ui_list_close(struct ui *u);
/* The list made again from the panes' annotations (after they were loaded
 * again), keeping the filter and the chosen annotation; only while open. */
void ui_list_refresh(struct ui *u);

/* note.c */
void ui_note_open(struct ui *u, int64_t ann, const char *text);
void ui_note_key(struct ui *u, int key);
void ui_note_draw(struct ui *u);

/* help.c */
void ui_help_open(struct ui *u);
void ui_help_key(struct ui *u, int key);
void ui_help_draw(struct ui *u);

#endif
