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
struct store_opening;

struct ui;

/*
 * Take the terminal and lay the documents out, showing nothing yet: nothing
 * is sent to the terminal until ui_run, and ui_abandon gives it back with
 * its modes as they were, so that an error found meanwhile (the
 * database's) is said on the terminal as the user left it.  opening (NULL
 * when the database is open already) is the caller's, looked at and maybe
 * not yet started (store_open_look): ui_open starts it (store_open_go),
 * after the first screen when it paints one.  It paints one when the
 * database is expected to open (store_opening_likely) and nothing it
 * holds can change the first screen (no document's place can be looked up
 * in it yet): that screen is sent at once, and ui_abandon then leaves it
 * for the screen the user left, as quitting does.  From here on
 * SIGINT, SIGTERM and SIGHUP are noted, not fatal; one noted before ui_run
 * makes it return at once.  docs[0..ndocs) stay owned by the caller and
 * must outlive the ui.  from_db[i] (from_db may be NULL) marks a document
 * shown from the database's copy of its text (gloss --doc), which has no
 * file whose changes to follow.  Keys are read from the terminal even when
 * standard input is a document.  NULL with util_error when standard output
 * is not a terminal or the terminal cannot be used.
 */
struct ui *ui_open(struct doc **docs, const bool *from_db, size_t ndocs, struct store_opening *opening);
/*
 * After ui_open painted a first screen: until opening (ui_open's) has
 * ended, keys that only move the cursor are answered by painting the
 * screen again, as keys typed ahead of the painting were; the first other
 * key, and the ones after it, wait for ui_run.  Returns at once where
 * nothing was painted.  The caller then ends the opening (store_open_end).
 */
void ui_await(struct ui *u, struct store_opening *op);
/* Give the terminal back untouched and free u.  Returns 128 + a signal
 * noted since ui_open (see ui_run), else 0. */
int ui_abandon(struct ui *u);
/*
 * Run until the user quits, with the store st (the caller's; it must
 * outlive the call), then give the terminal back and free u.  Returns the
 * exit status: 128 + the signal when SIGTERM or SIGHUP ended it, or when
 * one of them or SIGINT came before the first screen, with the terminal
 * restored; the caller should close the store and then let the signal take
 * the process, as a shell expects.
 */
int ui_run(struct ui *u, struct store *st);

#endif
