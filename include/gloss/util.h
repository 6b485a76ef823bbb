/*
 * util: allocation that never returns NULL, the error message slot, and
 * UTF-8 decoding shared by every layer.
 *
 * Error convention: a function that fails calls util_error() with a one-line,
 * lowercase message that quotes the object ("cannot open 'x': No such file or
 * directory") and returns -1, NULL or false.  The caller that reports it to the
 * user prefixes "gloss: ".  Only allocation failure aborts.
 */
#ifndef GLOSS_UTIL_H
#define GLOSS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Each returns memory the caller owns and frees with free(); never NULL. */
void *util_malloc(size_t n);
void *util_calloc(size_t count, size_t size);
void *util_realloc(void *p, size_t n);
char *util_strdup(const char *s);
/* The n bytes at s (NULL when n is 0), with a NUL after them. */
char *util_memdup(const char *s, size_t n);

/*
 * Grow the heap now by bytes (at most 16 MiB), its pages made in one call
 * rather than by a page fault each when first used (a fault costs tens of
 * microseconds on some virtual machines, where a start was mostly faults);
 * later growths also take bytes at a time.  True when done; false, with
 * nothing worse than a bigger heap, where the C library or the kernel
 * (before 5.14) cannot, and always under AddressSanitizer.
 */
bool util_heap_ready(size_t bytes);

/*
 * util_sched_patient(true) tells the kernel that the calling thread's work
 * can wait: a thread that wakes meanwhile (the terminal, about to show what
 * gloss wrote) runs before it rather than after its time slice; its share
 * of the CPU stays the same (a long slice, Linux 6.12 and later).
 * util_sched_patient(false) puts the thread back on the kernel's default
 * slice.  A thread started in between inherits the long slice.  Where the
 * kernel cannot, or the thread runs under another policy than the normal
 * one, nothing changes.  errno is kept.
 */
void util_sched_patient(bool on);

/* The login name: $LOGNAME, else $USER, else the effective user's entry in
 * /etc/passwd, else "unknown".  Static or environment storage, not to be
 * freed; good until the environment changes. */
const char *util_login_name(void);

/* Set the message of the last failure (printf format). */
void util_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The message of the last failure; a static buffer, valid until the next call. */
const char *util_errmsg(void);

/*
 * Decode one code point from s[0..n), n >= 1.  Returns the number of bytes
 * consumed (1..4).  An ill-formed sequence (overlong, surrogate, above
 * U+10FFFF, truncated) yields *cp = 0xFFFD, *valid = 0, and consumes its
 * maximal subpart (at least one byte), as the Unicode standard recommends.
 */
int util_utf8_decode(const char *s, size_t n, uint32_t *cp, int *valid);
/* Bytes of s[0..n) before the first that is not ASCII: each one code point. */
size_t util_ascii_prefix(const char *s, size_t n);

/* Encode cp into out (at least 4 bytes); returns its length. */
int util_utf8_encode(uint32_t cp, char *out);

/*
 * Text leaving gloss (CSV, JSON) is valid UTF-8: each ill-formed sequence
 * of s[0..n) becomes U+FFFD, one per code point as util_utf8_decode counts
 * them, so code point offsets stay true.  util_utf8_repair writes that form
 * into *buf (grown as needed, *cap its size; the caller frees it), NUL
 * terminated, and returns its length; when s is valid it copies nothing and
 * returns n with *buf untouched: *out tells which bytes to use.
 * util_utf8_same says whether text[0..tn) in that form is q[0..qn).
 */
size_t util_utf8_repair(const char *s, size_t n, char **buf, size_t *cap, const char **out);
bool util_utf8_same(const char *text, size_t tn, const char *q, size_t qn);

/* Printable to wcwidth(), yet disruptive on a terminal: bidi embeddings,
 * overrides, isolates and marks reorder the text around them, and the line
 * and paragraph separators end a line behind the layout's back. */
bool util_cp_disruptive(uint32_t cp);

/* Start of the code point containing byte pos (steps back over at most 3 continuation bytes). */
size_t util_utf8_back(const char *s, size_t pos);

#endif
