/*
 * fuzz.h: what the fuzz targets share: a check that stops the run with a
 * message (libFuzzer then keeps the input), UTF-8 and boundary predicates
 * written independently of the model, and a small generator of numbers
 * drawn from the input so that a crash replays exactly.
 *
 * Every function is static inline: each target is one translation unit.
 */
#ifndef GLOSS_FUZZ_H
#define GLOSS_FUZZ_H

#include <locale.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "gloss/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A broken invariant: say which, and abort so that the input is kept. */
#define CHECK(cond, ...)                                                      \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, \
				__LINE__, #cond);                             \
			fprintf(stderr, __VA_ARGS__);                         \
			fputc('\n', stderr);                                  \
			abort();                                              \
		}                                                             \
	} while (0)

/* Widths follow the terminal's tables: the tests run in C.UTF-8 too. */
static inline void fuzz_locale(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "");
}

/* splitmix64: any seed gives a usable stream. */
struct fuzz_rng {
	uint64_t x;
};

static inline uint64_t fuzz_next(struct fuzz_rng *r)
{
	uint64_t z = (r->x += 0x9E3779B97F4A7C15u);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

/* A number in [0, bound] (inclusive). */
static inline size_t fuzz_upto(struct fuzz_rng *r, size_t bound)
{
	return (size_t)(fuzz_next(r) % ((uint64_t)bound + 1));
}

/* FNV-1a over the input: the seed of the positions a target samples. */
static inline struct fuzz_rng fuzz_rng_of(const uint8_t *data, size_t size)
{
	struct fuzz_rng r = {0xCBF29CE484222325u};
	size_t i;

	for (i = 0; i < size; i++)
		r.x = (r.x ^ data[i]) * 0x100000001B3u;
	return r;
}

/*
 * Length of the well-formed UTF-8 sequence at s[0..n), or 0 when it is not
 * one (Unicode Table 3-7), with its code point in *cp.
 */
static inline int fuzz_utf8_one(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	int len, i;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2, v = c & 0x1Fu, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3, v = c & 0x0Fu, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4, v = c & 0x07u, min = 0x10000;
	} else {
		return 0;
	}
	if ((size_t)len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3Fu);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

/* True when s[0..n) is well-formed UTF-8. */
static inline bool fuzz_utf8_valid(const char *s, size_t n)
{
	size_t i = 0;
	uint32_t cp;

	while (i < n) {
		int len = fuzz_utf8_one((const unsigned char *)s + i, n - i, &cp);
		if (!len)
			return false;
		i += (size_t)len;
	}
	return true;
}

/*
 * A string that is safe to send to a terminal: well-formed UTF-8 with no C0
 * control, DEL or C1 control.  Returns the offset of the first offence, or
 * (size_t)-1 when there is none.
 */
static inline size_t fuzz_unsafe_at(const char *s, size_t n)
{
	size_t i = 0;
	uint32_t cp;

	while (i < n) {
		int len = fuzz_utf8_one((const unsigned char *)s + i, n - i, &cp);
		if (!len || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
			return i;
		i += (size_t)len;
	}
	return (size_t)-1;
}

/* A code point boundary of the document s[0..n), as util.h defines it. */
static inline bool fuzz_boundary(const char *s, size_t n, size_t p)
{
	return p == 0 || p == n || (p < n && util_utf8_back(s, p) == p);
}

/* A copy of the input that ASan fences exactly (the model must not read past n). */
static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1);

	if (!s)
		abort();
	for (size_t i = 0; i < size; i++)
		s[i] = (char)data[i];
	return s;
}

#endif
