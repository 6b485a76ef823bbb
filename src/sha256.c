/*
 * sha256.c: SHA-256 as FIPS 180-4 defines it (sections 4.1.2, 4.2.2, 5.1.1,
 * 5.3.3 and 6.2), for byte-oriented messages.  Whole blocks are compressed
 * straight from the caller's memory; only a partial block is copied.  The
 * compression is portable C, or on x86-64 processors that have them the SHA
 * instructions, several times faster (chosen once, at the first sum).
 */
#include <stdatomic.h>
#include <string.h>

#include "gloss/sha256.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SHA256_X86 1
#include <cpuid.h>
#include <immintrin.h>
#endif

/* The first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t rotr(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

/* Compress one 64-byte block into the chaining value, in portable C. */
static void sha256_block_c(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64];
	uint32_t a, b, c, d, e, f, g, hh;
	int t;

	/* The message schedule; the block is big-endian whatever the host is. */
	for (t = 0; t < 16; t++)
		w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
		       (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
	for (t = 16; t < 64; t++) {
		uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
		uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}

	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (t = 0; t < 64; t++) {
		uint32_t S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
		uint32_t ch = (e & f) ^ (~e & g);
		uint32_t t1 = hh + S1 + ch + sha256_k[t] + w[t];
		uint32_t S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
		uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
		uint32_t t2 = S0 + maj;
		hh = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

#ifdef SHA256_X86
/*
 * n blocks with the SHA extensions.  SHA256RNDS2 does two rounds on the
 * state held as two registers, (A,B,E,F) and (C,D,G,H), A and C in the top
 * lanes; it takes W[t]+K[t] for the two rounds in the low lanes of its
 * third operand and returns the new (A,B,E,F), the old one being the new
 * (C,D,G,H).  SHA256MSG1 and SHA256MSG2 compute the schedule's sigma terms
 * four words at a time.
 */
__attribute__((target("sha,sse4.1,ssse3"))) static void sha256_blocks_x86(uint32_t h[8],
									 const unsigned char *p,
									 size_t n)
{
	/* each 32-bit word's bytes reversed: the block is big-endian */
	const __m128i swap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
	__m128i abcd = _mm_loadu_si128((const __m128i *)&h[0]);
	__m128i efgh = _mm_loadu_si128((const __m128i *)&h[4]);
	__m128i badc = _mm_shuffle_epi32(abcd, 0xB1);
	__m128i hgfe = _mm_shuffle_epi32(efgh, 0x1B);
	__m128i abef = _mm_alignr_epi8(badc, hgfe, 8);
	__m128i cdgh = _mm_blend_epi16(hgfe, badc, 0xF0);

	for (; n > 0; n--, p += 64) {
		__m128i w[4], k, abef0 = abef, cdgh0 = cdgh;

		for (int i = 0; i < 4; i++)
			w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), swap);
		for (int g = 0; g < 16; g++) {
			/* rounds 4g .. 4g+3, their words in w[g % 4] */
			if (g >= 4) {
				__m128i t = _mm_sha256msg1_epu32(w[g % 4], w[(g + 1) % 4]);
				t = _mm_add_epi32(t, _mm_alignr_epi8(w[(g + 3) % 4], w[(g + 2) % 4], 4));
				w[g % 4] = _mm_sha256msg2_epu32(t, w[(g + 3) % 4]);
			}
			k = _mm_add_epi32(w[g % 4], _mm_loadu_si128((const __m128i *)&sha256_k[4 * g]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, k);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(k, 0x0E));
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}

	__m128i feba = _mm_shuffle_epi32(abef, 0x1B);
	__m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(feba, dchg, 0xF0));
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(dchg, feba, 8));
}

static bool sha256_x86_usable(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1))
		return false;
	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
}
#endif

/* 0 not chosen yet, 1 portable C, 2 the SHA instructions */
static atomic_int sha256_impl;

static int sha256_choose(void)
{
	int impl = atomic_load_explicit(&sha256_impl, memory_order_relaxed);

	if (impl == 0) {
		impl = 1;
#ifdef SHA256_X86
		if (sha256_x86_usable())
			impl = 2;
#endif
		atomic_store_explicit(&sha256_impl, impl, memory_order_relaxed);
	}
	return impl;
}

static void sha256_blocks(uint32_t h[8], const unsigned char *p, size_t n)
{
#ifdef SHA256_X86
	if (sha256_choose() == 2) {
		sha256_blocks_x86(h, p, n);
		return;
	}
#endif
	for (; n > 0; n--, p += 64)
		sha256_block_c(h, p);
}

bool sha256_portable(bool on)
{
	bool hw;

	atomic_store_explicit(&sha256_impl, 0, memory_order_relaxed);
	hw = sha256_choose() == 2;
	if (on)
		atomic_store_explicit(&sha256_impl, 1, memory_order_relaxed);
	return hw;
}

void sha256_init(struct sha256 *c)
{
	/* The first 32 bits of the fractional parts of the square roots of the first 8 primes. */
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	memcpy(c->h, iv, sizeof iv);
	c->len = 0;
	c->fill = 0;
}

void sha256_update(struct sha256 *c, const void *data, size_t n)
{
	const unsigned char *p = data;

	if (n == 0)
		return;
	c->len += n;
	if (c->fill) {
		size_t take = 64 - c->fill;
		if (take > n)
			take = n;
		memcpy(c->buf + c->fill, p, take);
		c->fill += take;
		p += take;
		n -= take;
		if (c->fill < 64)
			return;
		sha256_blocks(c->h, c->buf, 1);
		c->fill = 0;
	}
	sha256_blocks(c->h, p, n / 64);
	p += n / 64 * 64;
	n %= 64;
	if (n) {
		memcpy(c->buf, p, n);
		c->fill = n;
	}
}

void sha256_final(struct sha256 *c, unsigned char out[SHA256_LEN])
{
	uint64_t bits = c->len * 8; /* the length is taken modulo 2^64 bits */
	int i;

	/* Padding: a 1 bit, zeros up to 56 mod 64, then the length in bits. */
	c->buf[c->fill++] = 0x80;
	if (c->fill > 56) {
		memset(c->buf + c->fill, 0, 64 - c->fill);
		sha256_blocks(c->h, c->buf, 1);
		c->fill = 0;
	}
	memset(c->buf + c->fill, 0, 56 - c->fill);
	for (i = 0; i < 8; i++)
		c->buf[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	sha256_blocks(c->h, c->buf, 1);
	c->fill = 0;

	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(c->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->h[i];
	}
}

void sha256_sum(const void *data, size_t n, unsigned char out[SHA256_LEN])
{
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, data, n);
	sha256_final(&c, out);
}

void sha256_hex(const unsigned char sum[SHA256_LEN], char hex[SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < SHA256_LEN; i++) {
		hex[2 * i] = digits[sum[i] >> 4];
		hex[2 * i + 1] = digits[sum[i] & 15];
	}
	hex[SHA256_HEX_LEN] = '\0';
}
