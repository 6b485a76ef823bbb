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

#include <stddef.h>
#include <stdint.h>

/* Each returns memory the caller owns and frees with free(); never NULL. */
void *util_malloc(size_t n);
void *util_calloc(size_t count, size_t size);
void *util_realloc(void *p, size_t n);
char *util_strdup(const char *s);

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

/* Encode cp into out (at least 4 bytes); returns its length. */
int util_utf8_encode(uint32_t cp, char *out);

/* Start of the code point containing byte pos (steps back over at most 3 continuation bytes). */
size_t util_utf8_back(const char *s, size_t pos);

#endif
