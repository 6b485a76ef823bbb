/*
 * fuzz_doc: the input is a file.  It is written to a temporary file and
 * opened with doc_open() (no hash cache): the bytes must come back as they
 * were; doc_is_binary() must say yes to a NUL and no to clean text; the
 * title must be safe to print and fit its limit; the SHA-256 taken in small
 * steps must equal the one-shot sum, and sha256_update() in pieces must
 * equal it too, as must the portable code's sum where the processor's SHA
 * instructions made the others; and every code point's doc_show_cp() text
 * must be safe.
 *
 * The last input byte chooses the step budget and the title's limit, so
 * that text seeds work.
 */
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "gloss/doc.h"
#include "gloss/sha256.h"

#define BINARY_HEAD ((size_t)8 * 1024) /* what doc_is_binary() looks at */

static char tmp_path[4096];
static const char *tmp_name;

static void remove_tmp(void)
{
	if (tmp_path[0])
		unlink(tmp_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	(void)argc;
	(void)argv;
	fuzz_locale();
	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(tmp_path, sizeof tmp_path, "%s/gloss-fuzz-doc-XXXXXX", dir);
	fd = mkstemp(tmp_path);
	CHECK(fd >= 0, "cannot create a temporary file in '%s'", dir);
	close(fd);
	tmp_name = strrchr(tmp_path, '/') + 1;
	atexit(remove_tmp);
	return 0;
}

static void write_tmp(const uint8_t *data, size_t size)
{
	FILE *f = fopen(tmp_path, "wb");

	CHECK(f, "cannot write '%s'", tmp_path);
	CHECK(fwrite(data, 1, size, f) == size, "short write to '%s'", tmp_path);
	CHECK(fclose(f) == 0, "cannot close '%s'", tmp_path);
}

/* No control of any kind, as doc.h lists them for the title. */
static void check_title(const char *t, size_t max)
{
	size_t n = strlen(t), i = 0, bad = fuzz_unsafe_at(t, n);
	uint32_t cp;

	CHECK(n <= max, "title of %zu bytes, limit %zu", n, max);
	/* Leading white space is dropped, and what becomes a space is white space. */
	CHECK(t[0] != ' ', "title \"%s\" starts with a space", t);
	CHECK(bad == (size_t)-1, "title \"%s\": unsafe byte 0x%02X at %zu", t, (unsigned char)t[bad], bad);
	while (i < n) {
		i += (size_t)fuzz_utf8_one((const unsigned char *)t + i, n - i, &cp);
		CHECK(!(cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
			(cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029),
		      "title holds U+%04X", (unsigned)cp);
	}
}

/* Clean: well-formed, and no control other than tab, LF, CR, FF. */
static bool clean_text(const uint8_t *s, size_t n)
{
	size_t i = 0;
	uint32_t cp;

	while (i < n) {
		int len = fuzz_utf8_one(s + i, n - i, &cp);
		if (!len)
			return false;
		if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r' && cp != '\f') ||
		    (cp >= 0x7F && cp <= 0x9F))
			return false;
		i += (size_t)len;
	}
	return true;
}

static void check_show(const uint8_t *data, size_t size)
{
	size_t i = 0;

	while (i < size) {
		struct doc_show sh;
		uint32_t cp;
		int valid, want = util_utf8_decode((const char *)data + i, size - i, &cp, &valid);
		int len = doc_show_cp((const char *)data + i, size - i, &sh);
		size_t tl = strnlen(sh.text, sizeof sh.text), bad;

		CHECK(len == want, "doc_show_cp at %zu took %d bytes, the decoder %d", i, len, want);
		CHECK(tl < sizeof sh.text, "doc_show_cp at %zu: text not terminated", i);
		bad = fuzz_unsafe_at(sh.text, tl);
		CHECK(bad == (size_t)-1, "doc_show_cp at %zu (U+%04X): unsafe text byte 0x%02X", i,
		      (unsigned)cp, (unsigned char)sh.text[bad]);
		CHECK(sh.width >= 0 && sh.width <= 8, "doc_show_cp at %zu: width %d", i, sh.width);
		CHECK(valid || sh.kind == DOC_SHOW_INVALID, "ill-formed at %zu shown as kind %d", i, sh.kind);
		i += (size_t)len;
	}
}

static void hex_of(const unsigned char sum[SHA256_LEN], char hex[SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < SHA256_LEN; i++) {
		hex[2 * i] = digits[sum[i] >> 4];
		hex[2 * i + 1] = digits[sum[i] & 15];
	}
	hex[SHA256_HEX_LEN] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rng rng = fuzz_rng_of(data, size);
	unsigned char sum[SHA256_LEN], sum2[SHA256_LEN];
	char hex[SHA256_HEX_LEN + 1], hex2[SHA256_HEX_LEN + 1];
	size_t budget = 1 + (size ? data[size - 1] : 0) * 16u, max, steps, off, head;
	struct sha256 ctx;
	struct doc *d;
	char *title;
	bool binary;

	write_tmp(data, size);
	d = doc_open(tmp_path, NULL);
	CHECK(d, "doc_open: %s", util_errmsg());
	CHECK(doc_size(d) == size, "doc_size %zu, file %zu", doc_size(d), size);
	CHECK(size == 0 || memcmp(doc_bytes(d), data, size) == 0, "doc_bytes differ from the file");
	CHECK(strcmp(doc_path(d), tmp_path) == 0, "doc_path is '%s'", doc_path(d));
	CHECK(strcmp(doc_name(d), tmp_name) == 0, "doc_name is '%s'", doc_name(d));

	head = size < BINARY_HEAD ? size : BINARY_HEAD;
	binary = doc_is_binary(d);
	if (memchr(data, '\0', head))
		CHECK(binary, "a NUL in the head, yet not binary");
	if (clean_text(data, size))
		CHECK(!binary, "clean text taken for binary");

	max = fuzz_upto(&rng, 3) ? fuzz_upto(&rng, 120) : (size_t)-1;
	title = doc_title(d, max);
	if (size == 0)
		CHECK(!title, "a title for an empty document");
	if (title)
		check_title(title, max);
	free(title);

	/* SHA-256: in steps, then one shot, then in uneven pieces. */
	CHECK(doc_sha256(d) == NULL || size == 0, "a sum before any step");
	for (steps = 0; !doc_hash_step(d, budget); steps++)
		CHECK(steps <= size / budget + 1, "doc_hash_step makes no progress (budget %zu)", budget);
	CHECK(doc_hash_step(d, budget), "doc_hash_step undone");
	CHECK(doc_sha256(d), "no sum after the last step");
	sha256_sum(data, size, sum);
	hex_of(sum, hex);
	CHECK(strcmp(doc_sha256(d), hex) == 0, "stepped sum %s, one shot %s", doc_sha256(d), hex);
	sha256_hex(sum, hex2);
	CHECK(strcmp(hex2, hex) == 0, "sha256_hex gives %s for %s", hex2, hex);
	sha256_init(&ctx);
	for (off = 0; off < size;) {
		size_t k = fuzz_upto(&rng, 130);
		if (k > size - off)
			k = size - off;
		sha256_update(&ctx, data + off, k);
		off += k;
	}
	sha256_update(&ctx, NULL, 0);
	sha256_final(&ctx, sum2);
	CHECK(memcmp(sum, sum2, SHA256_LEN) == 0, "sum in pieces differs from the one-shot sum");
	sha256_portable(true);
	sha256_sum(data, size, sum2);
	sha256_portable(false);
	CHECK(memcmp(sum, sum2, SHA256_LEN) == 0, "the portable code's sum differs");
	doc_free(d);

	check_show(data, size);
	return 0;
}
