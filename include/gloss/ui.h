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

/*
 * Take the terminal and run until the user quits.  docs[0..ndocs) and st
 * stay owned by the caller and must outlive the call.  from_db[i] (from_db
 * may be NULL) marks a document shown from the database's copy of its text
 * (gloss --doc), which has no file whose changes to follow.  Keys are read
 * from the terminal even when standard input is a document.  Returns the
 * exit status: 128 + the signal when SIGTERM or SIGHUP ended it, with the
 * terminal restored; the caller should close the store and then let the
 * signal take the process, as a shell expects.
 */
int ui_run(struct doc **docs, const bool *from_db, size_t ndocs, struct store *st);

#endif
