/*
 * csv: an RFC 4180 writer and reader, the ground of export and import.
 *
 * The format: fields separated by commas, records ended by CRLF.  A field is
 * quoted when it holds a comma, a double quote, CR or LF, and a quote inside
 * it is doubled.  The text is UTF-8 without a byte order mark; so that a file
 * cannot start with one, the writer also quotes a field that starts with
 * U+FEFF (which the reader would refuse at the start of a file).
 *
 * Writer: streams to a FILE * through stdio, one field at a time, so that an
 * export of a million rows holds no more than one field in memory.  Output is
 * a pure function of the calls made: byte-exact and deterministic.  Write
 * errors are left in the stream's error indicator, as stdio leaves them; the
 * caller, which knows the file's name, checks ferror()/fclose() once at the
 * end.  The writer passes bytes through as given: a caller that wants its
 * output readable by csv_read() gives valid UTF-8 without NUL bytes.
 *
 * Reader: walks a buffer in memory (mapped or read by the caller, not owned,
 * not necessarily NUL-terminated), one record per csv_read().  It is strict:
 * whatever is not RFC 4180 in UTF-8 is an error naming its place, so that an
 * import never guesses.
 */
#ifndef GLOSS_CSV_H
#define GLOSS_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* ---- writer ---- */

/*
 * CSV_SAFE: a field starting with '=', '+', '-', '@', TAB or CR gets a
 * leading apostrophe, so that a spreadsheet shows it as text instead of
 * running it as a formula; the quoting rules then apply to the result
 * ("=1,2" is written "'=1,2" in quotes).  Numbers written with
 * csv_field_int() never get one.  csv_unsafe() undoes it.
 */
#define CSV_SAFE 1

struct csv_writer {
	FILE *f;       /* not owned */
	size_t nfield; /* fields written to the current record */
	bool empty;    /* the only field so far is empty */
};

/* Start writing records to f.  Nothing to release. */
void csv_writer_init(struct csv_writer *w, FILE *f);

/*
 * Write the field s[0..n) (any bytes; s may be NULL when n is 0), preceded
 * by a comma unless it is the first of its record.  flags: 0 or CSV_SAFE.
 */
void csv_field(struct csv_writer *w, const char *s, size_t n, int flags);
/* The same for a NUL-terminated string. */
void csv_field_str(struct csv_writer *w, const char *s, int flags);
/* A decimal integer ("-12"); never quoted, never given an apostrophe. */
void csv_field_int(struct csv_writer *w, long long v);
/* An empty field (as for an orphan's start and end). */
void csv_field_empty(struct csv_writer *w);

/*
 * End the record with CRLF.  A record of one empty field (or of none, which
 * is taken as one empty field) is written as "" so that it is not an empty
 * line: every record the writer makes reads back as itself.
 */
void csv_end(struct csv_writer *w);

/* ---- reader ---- */

/* One field: n bytes at s, followed by a NUL that is not part of it. */
struct csv_span {
	const char *s;
	size_t n;
};

struct csv_record {
	/*
	 * nfield >= 1 fields, unescaped (a quoted field without its quotes and
	 * with doubled quotes made single).  Owned by the reader and valid until
	 * the next csv_read() or csv_reader_release(); the caller may move the
	 * spans (csv_unsafe() does) but not write the bytes.  A field holds valid
	 * UTF-8, which may include NUL (U+0000): a C string only when it has none.
	 */
	struct csv_span *field;
	size_t nfield;
	size_t line; /* the 1-based physical line the record starts on */
};

/* Private to csv.c; a struct only so that it can live on the stack. */
struct csv_reader {
	const char *buf;   /* not owned */
	size_t n, pos;
	size_t line;       /* the line of buf[pos] (lines end at LF) */
	size_t line_start; /* offset of the first byte of that line */
	char *text;        /* the fields of the current record, each NUL-terminated */
	size_t text_len, text_cap;
	struct csv_span *field;
	size_t *field_off; /* where each field starts in text, while text may move */
	size_t field_cap;
	bool failed;
};

/* Read records from buf[0..n), which must outlive the reader. */
void csv_reader_init(struct csv_reader *r, const char *buf, size_t n);

/*
 * Read the next record into rec: 1 for a record, 0 at the end, -1 on error
 * with util_error("line L, column C: what"), L the 1-based physical line
 * (lines end at LF) and C the 1-based column, in code points, of the
 * offending byte.  After an error every call returns -1 and sets no message.
 *
 * A record ends at CRLF, at LF, or at the end of the buffer: the last record
 * may lack its record end, and what follows the last record end is not a
 * record.  An empty line before that is a record of one empty field (RFC 4180
 * grammar).  A quoted field may hold commas, doubled quotes, CR and LF, kept
 * as they are (a CRLF in a field stays CRLF).  The errors:
 *   byte order mark at the start of the file (gloss never writes one)  [1, 1]
 *   quote inside an unquoted field                 [at the quote]
 *   text after the closing quote of a field        [at that text]
 *   quoted field is never closed                   [at its opening quote]
 *   CR without LF outside quotes                   [at the CR]
 *   invalid UTF-8                                  [at the ill-formed sequence]
 */
int csv_read(struct csv_reader *r, struct csv_record *rec);

/* Free what the reader holds (not the buffer).  The reader may be re-initialised. */
void csv_reader_release(struct csv_reader *r);

/*
 * Undo CSV_SAFE on a field read back: when *s starts with an apostrophe
 * followed by '=', '+', '-', '@', TAB or CR, drop the apostrophe (advance *s,
 * shorten *n) and return true.  Call it only on a file known to be written
 * with CSV_SAFE.  It cannot be exact: a field that really began with "'="
 * (or "'+", ...) was written unchanged, as CSV_SAFE adds no apostrophe to
 * it, and loses its apostrophe here all the same.
 */
bool csv_unsafe(const char **s, size_t *n);

#endif
