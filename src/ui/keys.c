/*
 * keys.c: the key table and the commands it names.  The dispatcher in ui.c
 * and the help screen both read ui_keys[], so help is never out of date.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "gloss/doc.h"
#include "gloss/search.h"
#include "gloss/seg.h"
#include "gloss/util.h"
#include "gloss/view.h"
#include "internal.h"

static struct ui_pane *ui_cur(struct ui *u)
{
	return &u->panes[u->focus];
}

static void ui_k_next_pane(struct ui *u, int key)
{
	(void)key;
	ui_focus(u, (u->focus + 1) % u->npane);
}

static void ui_k_prev_pane(struct ui *u, int key)
{
	(void)key;
	ui_focus(u, (u->focus + u->npane - 1) % u->npane);
}

static void ui_k_nth_pane(struct ui *u, int key)
{
	size_t i = (size_t)(key - '1');
	if (i < u->npane)
		ui_focus(u, i);
	else
		ui_message(u, true, "there is no pane %zu", i + 1);
}

static void ui_k_down(struct ui *u, int key)
{
	(void)key;
	view_rows(ui_cur(u)->view, 1);
}

static void ui_k_up(struct ui *u, int key)
{
	(void)key;
	view_rows(ui_cur(u)->view, -1);
}

static void ui_k_left(struct ui *u, int key)
{
	(void)key;
	view_step(ui_cur(u)->view, -1);
}

static void ui_k_right(struct ui *u, int key)
{
	(void)key;
	view_step(ui_cur(u)->view, 1);
}

/* Cursor to where a seg function says, from the cursor. */
static void ui_seg_move(struct ui *u, size_t (*fn)(const char *, size_t, size_t))
{
	struct ui_pane *p = ui_cur(u);
	size_t pos = fn(doc_bytes(p->doc), doc_size(p->doc), view_cursor(p->view));
	view_goto(p->view, pos, false);
}

static void ui_k_word_next(struct ui *u, int key)
{
	(void)key;
	ui_seg_move(u, seg_word_next);
}

static void ui_k_word_prev(struct ui *u, int key)
{
	(void)key;
	ui_seg_move(u, seg_word_prev);
}

static void ui_k_word_end(struct ui *u, int key)
{
	(void)key;
	ui_seg_move(u, seg_word_end);
}

static void ui_k_sent_next(struct ui *u, int key)
{
	(void)key;
	ui_seg_move(u, seg_sentence_next);
}

static void ui_k_sent_prev(struct ui *u, int key)
{
	(void)key;
	ui_seg_move(u, seg_sentence_prev);
}

static void ui_k_para_next(struct ui *u, int key)
{
	(void)key;
	ui_seg_move(u, seg_para_next);
}

static void ui_k_para_prev(struct ui *u, int key)
{
	(void)key;
	ui_seg_move(u, seg_para_prev);
}

static long ui_page_rows(struct ui *u)
{
	long h = view_height(ui_cur(u)->view);
	return h > 2 ? h - 2 : 1;
}

static void ui_k_page_down(struct ui *u, int key)
{
	(void)key;
	view_page(ui_cur(u)->view, ui_page_rows(u));
}

static void ui_k_page_up(struct ui *u, int key)
{
	(void)key;
	view_page(ui_cur(u)->view, -ui_page_rows(u));
}

static void ui_k_half_down(struct ui *u, int key)
{
	long h = view_height(ui_cur(u)->view) / 2;
	(void)key;
	view_page(ui_cur(u)->view, h > 0 ? h : 1);
}

static void ui_k_half_up(struct ui *u, int key)
{
	long h = view_height(ui_cur(u)->view) / 2;
	(void)key;
	view_page(ui_cur(u)->view, h > 0 ? -h : -1);
}

static void ui_k_home(struct ui *u, int key)
{
	(void)key;
	view_home(ui_cur(u)->view);
}

static void ui_k_end(struct ui *u, int key)
{
	(void)key;
	view_end(ui_cur(u)->view);
}

static void ui_k_search(struct ui *u, int key)
{
	(void)key;
	ui_prompt_open(u, '/');
}

static bool ui_search_cancel(void *arg)
{
	(void)arg;
	return ui_interrupted() || ui_stopping();
}

void ui_search_run(struct ui *u, bool backward)
{
	struct ui_pane *p = ui_cur(u);
	const char *s = doc_bytes(p->doc);
	size_t n = doc_size(p->doc), c = view_cursor(p->view), ms, me;
	bool found;

	/* From the match the cursor was put at, not from the cursor: the two
	 * differ for a match that starts at a line end. */
	if (c == p->match_at)
		c = p->match;

	ui_interrupted_clear();
	if (!u->search) {
		ui_message(u, true, "no previous search");
		return;
	}
	/* Wrapping around looks only at what the first pass did not: the
	 * matches that start before where it started. */
	if (!backward) {
		size_t from = c < n ? c + 1 : n;
		found = search_find(u->search, s, 0, n, from, false, &ms, &me, ui_search_cancel, NULL);
		if (!found && !ui_interrupted() &&
		    (found = search_find_starting(u->search, s, 0, n, 0, from, &ms, &me,
						  ui_search_cancel, NULL)))
			ui_message(u, false, "search hit BOTTOM, continuing at TOP");
	} else {
		found = search_find(u->search, s, 0, n, c, true, &ms, &me, ui_search_cancel, NULL);
		if (!found && !ui_interrupted() &&
		    (found = search_find(u->search, s, c, n, n, true, &ms, &me, ui_search_cancel, NULL)))
			ui_message(u, false, "search hit TOP, continuing at BOTTOM");
	}
	if (!found) {
		if (ui_interrupted_clear())
			ui_message(u, true, "search interrupted");
		else
			ui_message(u, true, "pattern not found: %s", search_pattern(u->search));
		return;
	}
	/* a match that starts at a line end (a blank matched it) shows the
	 * cursor on the next line, where its text is */
	size_t at = ms;
	while (at + 1 < me && (s[at] == '\r' || s[at] == '\n'))
		at++;
	view_goto(p->view, at, true);
	p->match = ms;
	p->match_at = view_cursor(p->view);
}

static void ui_k_search_next(struct ui *u, int key)
{
	(void)key;
	ui_search_run(u, false);
}

static void ui_k_search_prev(struct ui *u, int key)
{
	(void)key;
	ui_search_run(u, true);
}

static void ui_k_sync(struct ui *u, int key)
{
	(void)key;
	u->sync = !u->sync;
	ui_message(u, false, "synchronized scrolling %s", u->sync ? "on" : "off");
}

static void ui_k_help(struct ui *u, int key)
{
	(void)key;
	ui_help_open(u);
}

/* Everything drawn again from the documents, and sent whole. */
static void ui_k_redraw(struct ui *u, int key)
{
	(void)key;
	u->drawn_rows = 0;
	clearok(curscr, TRUE);
}

/* Ctrl-S, which a terminal's flow control would take to stop its output
 * (gloss turns that off): the key a "save" habit reaches for. */
static void ui_k_saved(struct ui *u, int key)
{
	(void)key;
	ui_message(u, false, "everything is saved already: each change is, as it is made");
}

static void ui_k_quit(struct ui *u, int key)
{
	(void)key;
	u->quit = true;
}

const struct ui_key ui_keys[] = {
	{{'\t'}, "Tab", "next pane", ui_k_next_pane, false},
	{{UI_FN(KEY_BTAB)}, "Shift-Tab", "previous pane", ui_k_prev_pane, false},
	{{'1', '2', '3', '4', '5', '6', '7', '8', '9'}, "1..9", "n-th pane", ui_k_nth_pane, false},
	{{'j', UI_FN(KEY_DOWN)}, "j Down", "cursor down one display line", ui_k_down, true},
	{{'k', UI_FN(KEY_UP)}, "k Up", "cursor up one display line", ui_k_up, true},
	{{'h', UI_FN(KEY_LEFT)}, "h Left", "cursor left one character", ui_k_left, true},
	{{'l', UI_FN(KEY_RIGHT)}, "l Right", "cursor right one character", ui_k_right, true},
	{{'w'}, "w", "next word start", ui_k_word_next, true},
	{{'b'}, "b", "previous word start", ui_k_word_prev, true},
	{{'e'}, "e", "word end", ui_k_word_end, true},
	{{'('}, "(", "previous sentence", ui_k_sent_prev, true},
	{{')'}, ")", "next sentence", ui_k_sent_next, true},
	{{'{'}, "{", "previous paragraph", ui_k_para_prev, true},
	{{'}'}, "}", "next paragraph", ui_k_para_next, true},
	{{' ', UI_FN(KEY_NPAGE), UI_CTRL('f')}, "Space PgDn Ctrl-f", "page down", ui_k_page_down, true},
	{{UI_FN(KEY_PPAGE), UI_CTRL('b')}, "PgUp Ctrl-b", "page up", ui_k_page_up, true},
	{{UI_CTRL('d')}, "Ctrl-d", "half page down", ui_k_half_down, true},
	{{UI_CTRL('u')}, "Ctrl-u", "half page up", ui_k_half_up, true},
	{{'g', UI_FN(KEY_HOME)}, "g Home", "start of document", ui_k_home, true},
	{{'G', UI_FN(KEY_END)}, "G End", "end of document", ui_k_end, true},
	{{'/'}, "/", "search (smartcase, case folding, \xc3\xa9 = e+U+0301, a blank = any white space)", ui_k_search, false},
	{{'n'}, "n", "next match", ui_k_search_next, false},
	{{'N'}, "N", "previous match", ui_k_search_prev, false},
	{{'='}, "=", "synchronized scrolling on/off", ui_k_sync, false},
	{{'v'}, "v", "start or end a selection at the cursor", ui_k_select, false},
	{{UI_ESC}, "Esc", "drop the selection, cancel a link", ui_k_escape, false},
	{{'c'}, "c", "tag the selection (or the sentence) as a claim", ui_k_claim, false},
	{{'s'}, "s", "tag the selection (or the sentence) as a source", ui_k_source, false},
	{{'t'}, "t", "tag with a tag chosen from a menu", ui_k_menu, false},
	{{']'}, "]", "next annotation in this pane (i, a and x then act on it)", ui_k_next_ann, false},
	{{'['}, "[", "previous annotation in this pane", ui_k_next_ann, false},
	{{'a'}, "a", "link from the annotation under the cursor", ui_k_link, false},
	{{'\r', '\n', UI_FN(KEY_ENTER)}, "Enter", "link to the annotation under the cursor", ui_k_enter, false},
	{{'i'}, "i", "write or edit the note of the annotation", ui_k_note, false},
	{{'x'}, "x", "delete the annotation under the cursor", ui_k_delete, false},
	{{'u'}, "u", "undo", ui_k_undo, false},
	{{UI_CTRL('r')}, "Ctrl-r", "redo", ui_k_undo, false},
	{{'L'}, "L", "list of annotations, orphans last (type to filter, Enter jumps, r re-attaches an orphan to the selection)", ui_k_list, false},
	{{':'}, ":", "command: :tag NAME KEY [COLOUR], :export FILE [options]", ui_k_command, false},
	{{'?'}, "?", "this help", ui_k_help, false},
	{{UI_CTRL('l')}, "Ctrl-l", "redraw the screen", ui_k_redraw, false},
	{{UI_CTRL('s')}, "Ctrl-s", "nothing to do: every change is saved as it is made", ui_k_saved, false},
	{{'q'}, "q", "quit", ui_k_quit, false},
};

const size_t ui_nkeys = sizeof ui_keys / sizeof ui_keys[0];

const struct ui_key *ui_key_bound(int key)
{
	for (size_t i = 0; i < ui_nkeys; i++)
		for (int c = 0; c < 10 && ui_keys[i].codes[c]; c++)
			if (ui_keys[i].codes[c] == key)
				return &ui_keys[i];
	return NULL;
}
