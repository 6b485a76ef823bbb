/*
 * doc: one document's bytes, mapped read-only, and what is known of them:
 * its name, a title, whether it looks binary, its SHA-256 identity, and how
 * each code point shows on a terminal.
 *
 * A document is never copied: a regular file is mmap()ed; standard input
 * that is not a regular file is read into one buffer.  All positions are byte
 * offsets into doc_bytes().  Nothing here scans the whole document except the
 * SHA-256, which is computed in steps (doc_hash_step) while the reader is idle.
 */
#ifndef GLOSS_DOC_H
#define GLOSS_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct doc;

/*
 * Open path ("-" for standard input).  hash_cache is the path of the file
 * that remembers SHA-256 sums by path, size, inode, modification and change
 * time, or NULL for none; a known, unchanged file gets its sum at once.
 * Returns NULL with util_error() on failure:
 *   cannot open 'x': No such file or directory
 *   cannot open 'x': Permission denied
 *   cannot open 'x': Is a directory
 *   cannot open 'x': not a regular file       (a FIFO, a device, a socket)
 * (control bytes in the quoted path show as '?').  Standard input may be
 * anything readable: a regular file is mapped from its current offset, the
 * rest is read to its end.  Opening costs the same for 1 KB and for 1 GB.
 * The caller owns the result and releases it with doc_free().
 *
 * The hash cache is a text file, replaced atomically (a temporary file in the
 * same directory, then rename()); its directory is created, mode 0700, when
 * missing.  The first line is "gloss-hash-cache 1"; a file starting with
 * anything else is treated as empty.  Then one line per file, oldest first:
 *   DEV INODE SIZE MTIME_NS SHA256 PATH
 * four decimal numbers (st_dev, st_ino, st_size, and st_mtim in nanoseconds
 * since the epoch, which may be negative), 64 lowercase hex digits, and the
 * absolute path with symbolic links resolved, running to the end of the line
 * ("-" for a file given on standard input, which matches by the numbers
 * alone).  Fields are separated by one space.  A path holds no line end
 * (such files are not cached).  Lines that do not parse are dropped.  Only
 * the last 1000 entries are kept, one per path.  A sum is recorded only when
 * the file's mtime was at least 2 s older than the moment it was opened, so
 * that a change within the same clock tick cannot hide behind a stale sum.
 * Standard input that is not a regular file is hashed but never cached.  A
 * cache that cannot be read or written is ignored without an error.
 */
struct doc *doc_open(const char *path, const char *hash_cache);
/* A document of bytes already in memory (the database's copy of a text),
 * known by path; takes ownership of bytes (malloc'd, may be NULL when size
 * is 0).  Never cached, never NULL. */
struct doc *doc_from_bytes(const char *path, char *bytes, size_t size);
void doc_free(struct doc *d);

/* The bytes; valid until doc_free().  May be NULL when doc_size() is 0. */
const char *doc_bytes(const struct doc *d);
size_t doc_size(const struct doc *d);

/* The path as given ("-" for standard input); owned by d. */
const char *doc_path(const struct doc *d);
/* The file's base name, or "stdin"; owned by d. */
const char *doc_name(const struct doc *d);

/*
 * True when the first 8 KiB hold a NUL byte, or more than 10% control
 * characters (C0 other than tab, LF, CR, FF; DEL; C1), or more than half of
 * their bytes in ill-formed UTF-8.  Costs at most one pass over 8 KiB.
 */
bool doc_is_binary(const struct doc *d);

/*
 * True when the file d maps has been written since it was opened (its size
 * or modification time differ): its bytes, and a sum of them, may then be
 * neither the old version nor the new one.  A file renamed or replaced by
 * another under its name keeps the bytes d shows, and is not changed.
 * False for a document read from a pipe or given as bytes.  One fstat().
 */
bool doc_changed(const struct doc *d);

/*
 * For a SIGBUS handler: addr lies in an open document's mapping, past the
 * end its file was cut to since (another program truncated it).  The
 * mapping from that page on is replaced with zero pages, so that the read
 * that faulted reads zeros when the handler returns, and the document is
 * changed from then on (doc_changed).  False, with nothing done, for any
 * other address.  Only async-signal-safe calls (and mmap).
 */
bool doc_fault(const void *addr);

/*
 * The first non-empty line, looked for in the first 64 KiB only, with
 * leading and trailing white space dropped and made safe to print, at most
 * max_bytes long (cut at a code point boundary; empty if the first character
 * does not fit).  Lines end at LF, CRLF or a lone CR.  Safe to print: tab,
 * VT, FF, U+2028 and U+2029 become a space; every other control (C0, DEL,
 * C1, and the bidi controls U+061C, U+200E, U+200F, U+202A..U+202E,
 * U+2066..U+2069) and every ill-formed sequence shows as doc_show_cp shows
 * it in the text ("^[", "<9B>", "<U+202E>", U+FFFD).  The result is valid
 * UTF-8.  NULL when there is no such line.  The caller frees it.
 */
char *doc_title(const struct doc *d, size_t max_bytes);

/*
 * SHA-256 in steps: hash at most budget more bytes.  Returns true when the
 * sum is complete; at once when the cache knew it.  An empty document
 * completes with any budget.
 */
bool doc_hash_step(struct doc *d, size_t budget);
/*
 * Write a complete sum to the hash cache (rewritten with an fsync), once;
 * nothing while it is not complete, when it came from the cache, or with no
 * cache.  Apart from doc_hash_step so that a reader can show the document
 * first and write when nobody waits.  True when it tried to write now.
 */
bool doc_hash_save(struct doc *d);
/* 64 lowercase hex digits, or NULL while not yet complete; owned by d. */
const char *doc_sha256(const struct doc *d);

/* How a code point shows. */
enum doc_show_kind {
	DOC_SHOW_TEXT,    /* printable: shown as itself */
	DOC_SHOW_CONTROL, /* C0, DEL, C1, or a format/bidi control: "^X" or "<U+202E>" */
	DOC_SHOW_INVALID, /* an ill-formed byte sequence: U+FFFD */
	DOC_SHOW_TAB,     /* a tab: expanded by the layout */
};

struct doc_show {
	enum doc_show_kind kind;
	int width;      /* terminal cells: 0 for combining marks, 2 for wide */
	char text[12];  /* NUL-terminated UTF-8 to draw; never a control byte */
};

/*
 * Decode the code point at s[0..n) (n >= 1) and say how it shows.  Returns the
 * bytes consumed, as util_utf8_decode().  text never holds a byte below 0x20,
 * DEL or a C1 control, so nothing from a document can reach the terminal as a
 * control sequence.  Width follows wcwidth() in the current locale.
 */
int doc_show_cp(const char *s, size_t n, struct doc_show *out);

#endif
