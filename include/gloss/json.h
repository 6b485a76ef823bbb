/*
 * json: a small JSON (RFC 8259) writer and reader, for JSON Lines (one
 * object per line) and the W3C Web Annotation document.
 *
 * Writer: streams to a FILE * through stdio.  Keys come out in the order
 * written, numbers in a form that does not depend on the locale, and no
 * white space unless JSON_PRETTY asks for it: the output is a pure function
 * of the calls made.  Strings are always valid UTF-8 and valid JSON, whatever
 * bytes they are given.  Write errors are left in the stream's error
 * indicator; the caller checks ferror()/fclose() once at the end.  Misuse
 * (a value where a key is due, an end that does not match, nesting past
 * JSON_DEPTH_MAX) is a bug in the caller and fails an assert().
 *
 * Reader: parses one JSON text from a buffer into a tree that the caller owns
 * and frees with json_free().  It is strict and says where input is wrong.
 */
#ifndef GLOSS_JSON_H
#define GLOSS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The deepest nesting of arrays and objects that is read, and written. */
#define JSON_DEPTH_MAX 64

/* ---- writer ---- */

/*
 * Write s[0..n) as a JSON string with its quotes.  '"' and '\' are escaped;
 * so are the control characters: \n \r \t \b \f, and the others (C0, DEL,
 * and the C1 range U+0080..U+009F, which a terminal would act on) as \u00xx
 * in lowercase hex.  Other UTF-8 is written as it is; each ill-formed
 * sequence (its maximal subpart, as util_utf8_decode() takes it) becomes
 * U+FFFD.
 */
void json_string(FILE *f, const char *s, size_t n);

/*
 * JSON_PRETTY: each member and item on its own line, indented by two spaces
 * a level, and a space after each colon; an empty object or array stays {}
 * or [].  No newline after the last closing bracket: the caller writes it.
 */
#define JSON_PRETTY 1

struct json_writer {
	FILE *f; /* not owned */
	int flags;
	int depth;                             /* open arrays and objects */
	bool want_value;                       /* a key was written; its value is due */
	char kind[JSON_DEPTH_MAX];             /* '{' or '[' for each open level */
	bool nonempty[JSON_DEPTH_MAX];         /* the level has a member or item */
};

/* Start writing to f with flags 0 or JSON_PRETTY.  Nothing to release.
 * At depth 0 any number of values may follow each other (JSON Lines: the
 * caller writes the '\n' after each). */
void json_writer_init(struct json_writer *w, FILE *f, int flags);

void json_begin_object(struct json_writer *w);
void json_end_object(struct json_writer *w);
void json_begin_array(struct json_writer *w);
void json_end_array(struct json_writer *w);

/* The key of the next member of the current object (a NUL-terminated string,
 * or n bytes). */
void json_key(struct json_writer *w, const char *key);
void json_key_len(struct json_writer *w, const char *key, size_t n);

/* Values: an array item, a member's value after its key, or a whole text. */
void json_put_string(struct json_writer *w, const char *s, size_t n);
/* A NUL-terminated string, or null when s is NULL. */
void json_put_str(struct json_writer *w, const char *s);
void json_put_int(struct json_writer *w, int64_t v);
/* The shortest decimal that reads back as v, always with a '.' or an
 * exponent so that it reads back as a real ("2.0", "1e+300"); null for a NaN
 * or an infinity, which JSON cannot hold. */
void json_put_double(struct json_writer *w, double v);
void json_put_bool(struct json_writer *w, bool v);
void json_put_null(struct json_writer *w);

struct json;
/* A parsed tree (or subtree), members in their order. */
void json_put_value(struct json_writer *w, const struct json *v);

/* ---- reader ---- */

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_INT,    /* an integer that fits int64_t */
	JSON_REAL,   /* any other number, as a double */
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

/*
 * Parse s[0..n) (not necessarily NUL-terminated) as one JSON text, white
 * space allowed around it.  line is the number of the input's first line
 * (JSON Lines passes the line in its file; a whole document passes 1).
 * Returns the tree, owned by the caller and freed with json_free(), or NULL
 * with util_error("line L, column C: what"), L counting LFs from line and C
 * the 1-based column in code points of the offending place.  The errors:
 *   unexpected end of input; unexpected 'x' (or U+XXXX, or byte 0xXX);
 *   unexpected 'x' after the value; invalid literal (not true/false/null);
 *   expected ':' after the key; expected ',' or '}'; expected ',' or ']';
 *   expected a key (a string); leading zero in a number; expected a digit;
 *   number out of range (a real too large for a double: 1e999);
 *   string is never closed [at its opening quote];
 *   control character U+XXXX in a string (raw; it must be escaped);
 *   invalid escape; invalid \u escape; lone surrogate \uXXXX;
 *   invalid UTF-8; byte order mark at the start (gloss never writes one);
 *   nesting deeper than 64 levels [at the bracket that goes past];
 *   duplicate key 'k' [at the later one].
 * A duplicate key is an error, not "the last wins": two readers of the same
 * file must not see two different annotations.  An integer too big for
 * int64_t is read as a JSON_REAL (json_as_int() refuses it).  Numbers do
 * not depend on the locale.
 */
struct json *json_parse(const char *s, size_t n, size_t line);

/* Free a tree from json_parse() (NULL is fine); every pointer into it dies. */
void json_free(struct json *v);

/* The accessors take any node of a tree, or NULL (a missing member). */
enum json_type json_type(const struct json *v); /* JSON_NULL for NULL */

/* The member key of an object, or NULL when v is not an object or has no
 * such key.  Sets no error: absence is often fine. */
const struct json *json_get(const struct json *v, const char *key);

/*
 * A string's bytes (valid UTF-8, NUL-terminated, owned by the tree) and its
 * length in *len (may be NULL).  A string may hold NUL bytes from "\u0000":
 * when it must be a C string, check strlen(s) == len.  NULL with
 * util_error("not a string") for any other node, "missing" for NULL.
 */
const char *json_as_string(const struct json *v, size_t *len);

/* false with util_error() unless v is a JSON_INT: "integer out of range" for
 * an integer literal beyond int64_t, "not an integer" otherwise ("2.0" too),
 * "missing" for NULL. */
bool json_as_int(const struct json *v, int64_t *out);
/* Any number. */
bool json_as_double(const struct json *v, double *out);
bool json_as_bool(const struct json *v, bool *out);

/* Items of an array or members of an object; 0 for anything else. */
size_t json_length(const struct json *v);
/* The i-th item of an array, or the i-th member's value of an object; NULL
 * past the end. */
const struct json *json_at(const struct json *v, size_t i);
/* The i-th member's key of an object (NUL-terminated, owned by the tree; may
 * hold NUL bytes, see json_as_string), its length in *len (may be NULL). */
const char *json_key_at(const struct json *v, size_t i, size_t *len);

#endif
