/*
 * export: taking annotations out of the store and bringing them back in.
 *
 * Formats: CSV with the columns of the contract (RFC 4180, CRLF, UTF-8
 * without BOM), JSON Lines (one object per annotation: the same fields plus
 * byte offsets, prefix and suffix), and a W3C Web Annotation collection.
 * Also the two listings of the command line: one line per annotation, and
 * one per document with its counts.
 */
#ifndef GLOSS_EXPORT_H
#define GLOSS_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "gloss/store.h"

enum export_format {
	EXPORT_CSV,
	EXPORT_JSONL,
	EXPORT_W3C,
};

struct export_opts {
	enum export_format format;
	struct store_filter filter; /* strings borrowed */
	bool safe;                  /* CSV: an apostrophe before = + - @ TAB CR at a field's start */
	bool progress;              /* a progress bar on stderr once it takes over a second */
	bool force;                 /* write through a symbolic link at the output path */
	const char *const *keep;    /* files an export must not replace (the documents
				     * open in the reader), borrowed; the database is
				     * never replaced in any case */
	size_t nkeep;
	bool on_signal;             /* a SIGINT, SIGTERM or SIGHUP while a file is
				     * written removes its temporary file, then ends
				     * the process as the signal would (the command
				     * line; the reader takes its signals itself) */
};

/* "csv", "jsonl" or "w3c"; false for anything else. */
bool export_format_parse(const char *name, enum export_format *out);

/*
 * Read the words of a command line after "export" (all == true: --format F,
 * --safe, -o FILE and the filters) or after "list" or "docs" (the filters:
 * --tag, --doc, --author, --since), as "--opt VALUE" or "--opt=VALUE".  With
 * bare (the reader's ":export FILE"), a word that is none of them is the
 * output file when -o was not given; without, it is refused, so that
 * "gloss export a.txt" never writes over a.txt.  Strings point into argv.
 * 0, or -1 with util_error() naming the word that is wrong.
 */
int export_args(int argc, char **argv, bool all, bool bare, struct export_opts *o, const char **out);

/*
 * Write the annotations that pass o->filter to path, atomically: a
 * temporary file beside it, fsync, then rename, and fsync of the directory,
 * so that a failure leaves nothing at path (and an older file there
 * untouched).  A symbolic link at path is refused ("'x' is a symbolic link:
 * not replaced (--force writes to the file it points to)"), unless o->force:
 * then the file it points to is replaced, the same way.  The database
 * (with its -wal and -shm files) and the files o->keep names are refused
 * ("'x' is the database: an export never replaces it").  path NULL or "-"
 * streams to standard output.  Returns how many annotations were written, or
 * -1 with util_error().
 */
long export_to(struct store *st, const struct export_opts *o, const char *path);
/* The same to an open stream (nothing atomic about it). */
long export_write(struct store *st, const struct export_opts *o, FILE *f);

/*
 * Read path, CSV or JSON Lines as export writes them (told apart by the
 * first byte: '{' is JSON), and merge it into the store in one transaction
 * (see store_import_begin).  A malformed file imports nothing and fails with
 * util_error("import 'PATH': line L, column C: what"); a file that cannot be
 * read, with doc_open's message.  A document whose file is found at
 * its path with the right SHA-256 gets its text kept and its annotations
 * placed; others wait for that document to be opened.  Rows kept although
 * they differ from the database's with the same updated time are named in
 * one line on warn (when not NULL) after the commit.  Returns how many
 * annotations were added or replaced, or -1.
 */
long export_import(struct store *st, const char *path, FILE *warn);

/* gloss list: "document:line:column: tag: "quote" note", one per line. */
long export_list(struct store *st, const struct store_filter *f, FILE *out);
/* gloss docs: each document with its counts. */
long export_docs(struct store *st, const struct store_filter *f, FILE *out);

#endif
