/*
 * ui: the screen.  Panes side by side, one per document, a title line each,
 * a status line, the key table and the loop that dispatches keys to it.  The
 * only part of gloss that knows curses.
 */
#ifndef GLOSS_UI_H
#define GLOSS_UI_H

#include <stdbool.h>
#include <stddef.h>

struct doc;
struct store;

struct ui;

/*
 * Take the terminal and lay the documents out, showing nothing yet: the
 * terminal's modes and screen stay as they were until ui_run, so that an
 * error found meanwhile (the database's) can still be said on a clean
 * terminal after ui_abandon.  docs[0..ndocs) stay owned by the caller and
 * must outlive the ui.  from_db[i] (from_db may be NULL) marks a document
 * shown from the database's copy of its text (gloss --doc), which has no
 * file whose changes to follow.  Keys are read from the terminal even when
 * standard input is a document.  NULL with util_error when standard output
 * is not a terminal or the terminal cannot be used.
 */
struct ui *ui_open(struct doc **docs, const bool *from_db, size_t ndocs);
/* Give the terminal back untouched and free u. */
void ui_abandon(struct ui *u);
/*
 * Run until the user quits, with the store st (the caller's; it must
 * outlive the call), then give the terminal back and free u.  Returns the
 * exit status: 128 + the signal when SIGTERM or SIGHUP ended it, with the
 * terminal restored; the caller should close the store and then let the
 * signal take the process, as a shell expects.
 */
int ui_run(struct ui *u, struct store *st);

#endif
