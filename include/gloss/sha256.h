/*
 * sha256: the SHA-256 hash of FIPS 180-4, fed in any number of pieces.
 *
 * A struct sha256 lives where the caller puts it (no allocation):
 * sha256_init(), then sha256_update() any number of times with pieces of any
 * length, then sha256_final() once.  After sha256_final() the state is spent;
 * call sha256_init() again to hash something else.
 */
#ifndef GLOSS_SHA256_H
#define GLOSS_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32     /* bytes in a sum */
#define SHA256_HEX_LEN 64 /* hex digits in a sum, without the NUL */

struct sha256 {
	uint32_t h[8];            /* the chaining value */
	uint64_t len;             /* bytes fed so far */
	unsigned char buf[64];    /* a partial block ... */
	size_t fill;              /* ... of this many bytes (always < 64) */
};

void sha256_init(struct sha256 *c);
/* Feed n bytes at data (data may be NULL when n is 0). */
void sha256_update(struct sha256 *c, const void *data, size_t n);
/* Write the 32-byte sum to out. */
void sha256_final(struct sha256 *c, unsigned char out[SHA256_LEN]);

/* One call: the sum of data[0..n). */
void sha256_sum(const void *data, size_t n, unsigned char out[SHA256_LEN]);

/*
 * The sums use the processor's SHA instructions where it has them (x86-64),
 * else portable C; both give the same sums.  sha256_portable(true) makes
 * later sums use the portable code, false the best there is (for tests,
 * which compare the two).  True when the processor has the instructions.
 */
bool sha256_portable(bool on);

/* Write sum as 64 lowercase hex digits and a NUL to hex (65 bytes). */
void sha256_hex(const unsigned char sum[SHA256_LEN], char hex[SHA256_HEX_LEN + 1]);

#endif
