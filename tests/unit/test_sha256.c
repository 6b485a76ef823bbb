/*
 * test_sha256.c: the FIPS 180-4 example vectors, a million 'a', lengths
 * around the padding boundaries, and every way of splitting short messages,
 * each with the processor's SHA instructions (where it has them) and with
 * the portable code; and the two against each other on many messages.
 */
#include <stdlib.h>

#include "gloss/sha256.h"
#include "t.h"

static char hex[SHA256_HEX_LEN + 1];

static const char *sum_hex(const void *data, size_t n)
{
	unsigned char sum[SHA256_LEN];
	sha256_sum(data, n, sum);
	sha256_hex(sum, hex);
	return hex;
}

static const char *repeat_hex(char ch, size_t n)
{
	char *p = malloc(n ? n : 1);
	memset(p, ch, n);
	sum_hex(p, n);
	free(p);
	return hex;
}

static void test_empty(void)
{
	T_EQ_STR(sum_hex("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	T_EQ_STR(sum_hex(NULL, 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_abc(void)
{
	T_EQ_STR(sum_hex("abc", 3), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_448_bits(void)
{
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	T_EQ_INT(strlen(m) * 8, 448);
	T_EQ_STR(sum_hex(m, strlen(m)), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_896_bits(void)
{
	const char *m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
			"hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	T_EQ_INT(strlen(m) * 8, 896);
	T_EQ_STR(sum_hex(m, strlen(m)), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a(void)
{
	struct sha256 c;
	unsigned char sum[SHA256_LEN];
	char piece[1000];
	int i;

	T_EQ_STR(repeat_hex('a', 1000000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* The same in 1000-byte pieces, which are not a multiple of the block. */
	memset(piece, 'a', sizeof piece);
	sha256_init(&c);
	for (i = 0; i < 1000; i++)
		sha256_update(&c, piece, sizeof piece);
	sha256_final(&c, sum);
	sha256_hex(sum, hex);
	T_EQ_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Sums computed once with the sha256sum program. */
static void test_padding_boundaries(void)
{
	T_EQ_STR(repeat_hex('a', 55), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	T_EQ_STR(repeat_hex('a', 56), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
	T_EQ_STR(repeat_hex('a', 63), "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34");
	T_EQ_STR(repeat_hex('a', 64), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
	T_EQ_STR(repeat_hex('a', 119), "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb");
	T_EQ_STR(repeat_hex('a', 120), "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c");
}

/* Every length 0..130: one call equals byte-by-byte and every two-piece split. */
static void test_pieces(void)
{
	unsigned char msg[130];
	unsigned char one[SHA256_LEN], many[SHA256_LEN];
	struct sha256 c;
	size_t n, i, k;

	for (i = 0; i < sizeof msg; i++)
		msg[i] = (unsigned char)(i * 7 + 3);
	for (n = 0; n <= sizeof msg; n++) {
		sha256_sum(msg, n, one);

		sha256_init(&c);
		for (i = 0; i < n; i++)
			sha256_update(&c, msg + i, 1);
		sha256_final(&c, many);
		if (memcmp(one, many, SHA256_LEN))
			T_FAIL("length %zu: byte by byte differs", n);

		for (k = 0; k <= n; k++) {
			sha256_init(&c);
			sha256_update(&c, msg, k);
			sha256_update(&c, NULL, 0);
			sha256_update(&c, msg + k, n - k);
			sha256_final(&c, many);
			if (memcmp(one, many, SHA256_LEN))
				T_FAIL("length %zu split at %zu differs", n, k);
		}
	}
}

static void test_reinit(void)
{
	struct sha256 c;
	unsigned char sum[SHA256_LEN];

	sha256_init(&c);
	sha256_update(&c, "something else", 14);
	sha256_final(&c, sum);
	sha256_init(&c);
	sha256_update(&c, "ab", 2);
	sha256_update(&c, "c", 1);
	sha256_final(&c, sum);
	sha256_hex(sum, hex);
	T_EQ_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* Every length up to 1100 bytes and a few large ones, at every alignment
 * mod 8, in one piece and in pieces of 100: the same sum both ways. */
static void test_instructions_match_portable(void)
{
	size_t big = (1u << 20) + 77, n, off;
	unsigned char *buf = malloc(big + 8), hw[SHA256_LEN], c[SHA256_LEN];
	uint32_t x = 2463534242u;

	for (size_t i = 0; i < big + 8; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5; /* xorshift: any bytes will do */
		buf[i] = (unsigned char)x;
	}
	for (n = 0; n <= big; n = n < 1100 ? n + 1 : n * 3 + 1001) {
		for (off = 0; off < 8; off += n < 1100 ? 3 : 1) {
			struct sha256 ctx;
			size_t k;

			sha256_portable(false);
			sha256_init(&ctx);
			for (k = 0; k < n; k += 100)
				sha256_update(&ctx, buf + off + k, n - k < 100 ? n - k : 100);
			sha256_final(&ctx, hw);
			sha256_portable(true);
			sha256_sum(buf + off, n, c);
			if (memcmp(hw, c, SHA256_LEN)) {
				free(buf);
				sha256_portable(false);
				T_FAIL("length %zu at offset %zu: the two differ", n, off);
			}
		}
	}
	free(buf);
	sha256_portable(false);
}

static void run_vectors(void)
{
	T_RUN(test_empty);
	T_RUN(test_abc);
	T_RUN(test_448_bits);
	T_RUN(test_896_bits);
	T_RUN(test_million_a);
	T_RUN(test_padding_boundaries);
	T_RUN(test_pieces);
	T_RUN(test_reinit);
}

int main(void)
{
	if (!sha256_portable(false))
		printf("# this processor has no SHA instructions: the portable code runs twice\n");
	run_vectors();
	sha256_portable(true);
	run_vectors();
	sha256_portable(false);
	T_RUN(test_instructions_match_portable);
	T_DONE();
}
