/*
 * fuzz_json: the input is a JSON text.  When it parses, it must have been
 * valid UTF-8; the tree is written back (compact and pretty), both outputs
 * are valid UTF-8 and parse again to an equal tree (compared here through
 * the accessors), and the compact form written again is the same bytes.
 * When it does not parse, the error must say "line L, column C: " with L
 * and C inside the input.  Then the raw input, as any bytes, goes through
 * json_string(): the output is valid UTF-8, parses as one string, and that
 * string is the input with each ill-formed sequence turned into U+FFFD.
 *
 * The input's hash chooses the first line number passed to json_parse().
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "gloss/json.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_locale();
	return 0;
}

static bool same(const struct json *a, const struct json *b)
{
	enum json_type t = json_type(a);
	size_t na, nb;
	const char *sa, *sb;
	int64_t ia, ib;
	double da, db;
	bool ba, bb;

	if (t != json_type(b))
		return false;
	switch (t) {
	case JSON_NULL:
		return true;
	case JSON_BOOL:
		return json_as_bool(a, &ba) && json_as_bool(b, &bb) && ba == bb;
	case JSON_INT:
		return json_as_int(a, &ia) && json_as_int(b, &ib) && ia == ib;
	case JSON_REAL:
		/* 0.0 and -0.0 are equal but written differently. */
		return json_as_double(a, &da) && json_as_double(b, &db) && da == db &&
		       !signbit(da) == !signbit(db);
	case JSON_STRING:
		sa = json_as_string(a, &na);
		sb = json_as_string(b, &nb);
		return sa && sb && na == nb && memcmp(sa, sb, na) == 0;
	case JSON_ARRAY:
	case JSON_OBJECT:
		if (json_length(a) != json_length(b))
			return false;
		for (size_t i = 0; i < json_length(a); i++) {
			if (t == JSON_OBJECT) {
				sa = json_key_at(a, i, &na);
				sb = json_key_at(b, i, &nb);
				if (!sa || !sb || na != nb || memcmp(sa, sb, na))
					return false;
			}
			if (!same(json_at(a, i), json_at(b, i)))
				return false;
		}
		return true;
	}
	return false;
}

/* The tree written with flags; the caller frees the bytes. */
static char *write_tree(const struct json *v, int flags, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	struct json_writer w;

	CHECK(f, "open_memstream failed");
	json_writer_init(&w, f, flags);
	json_put_value(&w, v);
	CHECK(w.depth == 0, "writer left at depth %d", w.depth);
	CHECK(!ferror(f), "write error");
	fclose(f);
	return buf;
}

static void check_rewrite(const struct json *v, int flags)
{
	size_t len, len2;
	char *out = write_tree(v, flags, &len), *out2;
	struct json *again;

	CHECK(fuzz_utf8_valid(out, len), "output is not valid UTF-8");
	if (!(flags & JSON_PRETTY)) {
		for (size_t i = 0; i < len; i++)
			CHECK((unsigned char)out[i] >= 0x20 && out[i] != 0x7F,
			      "compact output holds byte 0x%02X", (unsigned char)out[i]);
	}
	again = json_parse(out, len, 1);
	CHECK(again, "output does not parse: %s", util_errmsg());
	CHECK(same(v, again), "output parses to a different tree");
	if (!(flags & JSON_PRETTY)) {
		out2 = write_tree(again, 0, &len2);
		CHECK(len2 == len && memcmp(out, out2, len) == 0, "writing is not stable");
		free(out2);
	}
	json_free(again);
	free(out);
}

static void check_error(const char *msg, size_t first, size_t lines, size_t size)
{
	unsigned long long line = 0, col = 0;
	int used = 0;

	CHECK(sscanf(msg, "line %llu, column %llu: %n", &line, &col, &used) == 2 && used > 0,
	      "malformed error '%s'", msg);
	CHECK(line >= first && line < first + lines, "error at line %llu, input lines %zu..%zu: '%s'",
	      line, first, first + lines - 1, msg);
	CHECK(col >= 1 && col <= size + 1, "error at column %llu of %zu bytes: '%s'", col, size, msg);
	CHECK(msg[used] != '\0', "error without a reason: '%s'", msg);
}

/* Any bytes through json_string(): U+FFFD for each ill-formed maximal subpart. */
static void check_string(const char *s, size_t n)
{
	char *out = NULL, *want = malloc(3 * n + 1);
	size_t len, wn = 0, i = 0, got_n;
	FILE *f = open_memstream(&out, &len);
	struct json *v;
	const char *got;

	CHECK(f && want, "out of memory");
	json_string(f, s, n);
	fclose(f);
	CHECK(fuzz_utf8_valid(out, len), "json_string output is not valid UTF-8");
	v = json_parse(out, len, 1);
	CHECK(v, "json_string output does not parse: %s", util_errmsg());
	while (i < n) {
		uint32_t cp;
		int ok = fuzz_utf8_one((const unsigned char *)s + i, n - i, &cp), valid;
		int step = util_utf8_decode(s + i, n - i, &cp, &valid);
		CHECK(!ok == !valid, "decoders disagree at %zu", i);
		if (valid) {
			memcpy(want + wn, s + i, (size_t)step);
			wn += (size_t)step;
		} else {
			memcpy(want + wn, "\xEF\xBF\xBD", 3);
			wn += 3;
		}
		i += (size_t)step;
	}
	got = json_as_string(v, &got_n);
	CHECK(got, "json_string output is not a string");
	CHECK(got_n == wn && memcmp(got, want, wn) == 0, "json_string does not read back");
	json_free(v);
	free(want);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rng rng = fuzz_rng_of(data, size);
	size_t first = fuzz_upto(&rng, 3) ? 1 : 1 + fuzz_upto(&rng, 1000000), lines = 1;
	char *buf = fuzz_copy(data, size);
	struct json *v;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	v = json_parse(size ? buf : "", size, first); /* "": gcc takes an unwritten malloc for unread data */
	if (v) {
		CHECK(fuzz_utf8_valid(buf, size), "invalid UTF-8 parsed without an error");
		check_rewrite(v, 0);
		check_rewrite(v, JSON_PRETTY);
		json_free(v);
	} else {
		check_error(util_errmsg(), first, lines, size);
	}
	check_string(buf, size);
	free(buf);
	return 0;
}
