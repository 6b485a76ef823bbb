/*
 * Unit tests for json: escapes both ways (worked out from RFC 8259 by hand),
 * surrogate pairs, ill-formed UTF-8 in, every reader error with its line and
 * column, nesting, numbers at the edges of int64, the pretty form, and
 * 10,000 objects written as JSON Lines and read back.
 */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gloss/json.h"
#include "gloss/util.h"
#include "t.h"

#define EMOJI "\xF0\x9F\x98\x80" /* U+1F600 */
#define CJK "\xE6\xBC\xA2\xE5\xAD\x97" /* U+6F22 U+5B57 */
#define FFFD "\xEF\xBF\xBD"

static FILE *mem;
static char *mem_buf;
static size_t mem_len;

static FILE *mem_open(void)
{
	mem = open_memstream(&mem_buf, &mem_len);
	return mem;
}

static const char *mem_close(void)
{
	fclose(mem);
	return mem_buf;
}

static void mem_free(void)
{
	free(mem_buf);
	mem_buf = NULL;
}

/* ---------------------------------------------------------------- writer */

static void test_string_escapes(void)
{
	static const struct {
		const char *in;
		size_t n;
		const char *out;
	} cases[] = {
		{"plain", 5, "\"plain\""},
		{"", 0, "\"\""},
		{"a\"b\\c", 5, "\"a\\\"b\\\\c\""},
		{"\n\r\t\b\f", 5, "\"\\n\\r\\t\\b\\f\""},
		{"\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\""},
		{"\x1b[31m", 5, "\"\\u001b[31m\""},
		{"a\0b", 3, "\"a\\u0000b\""},
		{"/ '", 3, "\"/ '\""},
		{EMOJI CJK "\xC3\xA9", 12, "\"" EMOJI CJK "\xC3\xA9\""},
		{"\xC2\x85|\xC2\x9F|\xC2\xA0", 8, "\"\\u0085|\\u009f|\xC2\xA0\""}, /* C1 escaped; NBSP not */
		{"\xE2\x80\xA8", 3, "\"\xE2\x80\xA8\""},
		/* Ill-formed: each maximal subpart becomes one U+FFFD. */
		{"a\xFF" "b", 3, "\"a" FFFD "b\""},
		{"\xC3(", 2, "\"" FFFD "(\""},
		{"x\xE2\x82", 3, "\"x" FFFD "\""},
		{"\xF0\x9F\x98", 3, "\"" FFFD "\""},
		{"\xC0\xAF", 2, "\"" FFFD FFFD "\""},
		{"\xED\xA0\x80", 3, "\"" FFFD FFFD FFFD "\""},
		{"\xF4\x90\x80\x80", 4, "\"" FFFD FFFD FFFD FFFD "\""},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_string(mem_open(), cases[i].in, cases[i].n);
		if (strcmp(mem_close(), cases[i].out)) {
			char got[128];
			snprintf(got, sizeof got, "%s", mem_buf);
			mem_free();
			T_FAIL("case %zu written as %s", i, got);
		}
		mem_free();
	}
}

static void test_writer_compact(void)
{
	struct json_writer w;

	json_writer_init(&w, mem_open(), 0);
	json_begin_object(&w);
	json_key(&w, "id");
	json_put_str(&w, "x");
	json_key(&w, "n");
	json_put_int(&w, -3);
	json_key(&w, "ok");
	json_put_bool(&w, true);
	json_key(&w, "no");
	json_put_bool(&w, false);
	json_key(&w, "none");
	json_put_null(&w);
	json_key(&w, "absent");
	json_put_str(&w, NULL);
	json_key(&w, "list");
	json_begin_array(&w);
	json_put_int(&w, 1);
	json_put_string(&w, "a\"b", 3);
	json_begin_array(&w);
	json_end_array(&w);
	json_end_array(&w);
	json_key(&w, "o");
	json_begin_object(&w);
	json_end_object(&w);
	json_key_len(&w, "d\n", 2);
	json_put_double(&w, 0.5);
	json_key(&w, "max");
	json_put_int(&w, INT64_MIN);
	json_end_object(&w);
	/* At depth 0 values follow each other: JSON Lines. */
	putc('\n', w.f);
	json_put_int(&w, 7);
	T_EQ_STR(mem_close(), "{\"id\":\"x\",\"n\":-3,\"ok\":true,\"no\":false,\"none\":null,"
			      "\"absent\":null,\"list\":[1,\"a\\\"b\",[]],\"o\":{},\"d\\n\":0.5,"
			      "\"max\":-9223372036854775808}\n7");
	mem_free();
}

static void test_writer_pretty(void)
{
	struct json_writer w;

	json_writer_init(&w, mem_open(), JSON_PRETTY);
	json_begin_object(&w);
	json_key(&w, "a");
	json_put_int(&w, 1);
	json_key(&w, "b");
	json_begin_array(&w);
	json_put_str(&w, "x");
	json_begin_object(&w);
	json_end_object(&w);
	json_end_array(&w);
	json_key(&w, "c");
	json_begin_object(&w);
	json_key(&w, "d");
	json_put_null(&w);
	json_end_object(&w);
	json_key(&w, "e");
	json_begin_array(&w);
	json_end_array(&w);
	json_end_object(&w);
	T_EQ_STR(mem_close(), "{\n"
			      "  \"a\": 1,\n"
			      "  \"b\": [\n"
			      "    \"x\",\n"
			      "    {}\n"
			      "  ],\n"
			      "  \"c\": {\n"
			      "    \"d\": null\n"
			      "  },\n"
			      "  \"e\": []\n"
			      "}");
	mem_free();
}

static const char *put_double(double d)
{
	static char out[64];
	struct json_writer w;

	json_writer_init(&w, mem_open(), 0);
	json_put_double(&w, d);
	snprintf(out, sizeof out, "%s", mem_close());
	mem_free();
	return out;
}

static void test_writer_doubles(void)
{
	T_EQ_STR(put_double(0.5), "0.5");
	T_EQ_STR(put_double(2.0), "2.0");
	T_EQ_STR(put_double(0.1), "0.1");
	T_EQ_STR(put_double(-0.0), "-0.0");
	T_EQ_STR(put_double(1.0 / 3), "0.3333333333333333");
	T_EQ_STR(put_double(123456789.0), "123456789.0");
	T_EQ_STR(put_double(1e300), "1e+300");
	T_EQ_STR(put_double(1.5e-7), "1.5e-07");
	T_EQ_STR(put_double(9007199254740993.0), "9007199254740992.0");
	T_EQ_STR(put_double(NAN), "null");
	T_EQ_STR(put_double(-INFINITY), "null");
}

/* A locale with a decimal comma changes nothing (where one is installed). */
static void test_locale(void)
{
	const char *names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "ru_RU.UTF-8"};
	struct json *v;
	double d = 0;

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!setlocale(LC_NUMERIC, names[i]))
			continue;
		T_EQ_STR(put_double(2.5), "2.5");
		v = json_parse("[2.5]", 5, 1);
		T_ASSERT(v && json_as_double(json_at(v, 0), &d));
		json_free(v);
		setlocale(LC_NUMERIC, "C");
		T_ASSERT(d == 2.5);
		break;
	}
	setlocale(LC_NUMERIC, "C");
}

/* ---------------------------------------------------------------- reader */

static struct json *parse(const char *s)
{
	return json_parse(s, strlen(s), 1);
}

static void test_parse_values(void)
{
	struct json *v = parse(" {\"a\": [1, -2, 3.5, true, false, null, \"s\"],\r\n\t\"b\": {}, \"\": 0} \n");
	const struct json *a;
	int64_t i = 0;
	double d = 0;
	bool b = false;
	size_t len = 99;

	T_ASSERT(v);
	T_EQ_INT(json_type(v), JSON_OBJECT);
	T_EQ_INT(json_length(v), 3);
	T_EQ_STR(json_key_at(v, 0, &len), "a");
	T_EQ_INT(len, 1);
	T_EQ_STR(json_key_at(v, 2, &len), "");
	T_EQ_INT(len, 0);
	T_ASSERT(json_key_at(v, 3, NULL) == NULL);
	a = json_get(v, "a");
	T_EQ_INT(json_type(a), JSON_ARRAY);
	T_EQ_INT(json_length(a), 7);
	T_ASSERT(json_as_int(json_at(a, 0), &i) && i == 1);
	T_ASSERT(json_as_int(json_at(a, 1), &i) && i == -2);
	T_EQ_INT(json_type(json_at(a, 2)), JSON_REAL);
	T_ASSERT(json_as_double(json_at(a, 2), &d) && d == 3.5);
	T_ASSERT(!json_as_int(json_at(a, 2), &i));
	T_EQ_STR(util_errmsg(), "not an integer");
	T_ASSERT(json_as_double(json_at(a, 1), &d) && d == -2);
	T_ASSERT(json_as_bool(json_at(a, 3), &b) && b);
	T_ASSERT(json_as_bool(json_at(a, 4), &b) && !b);
	T_EQ_INT(json_type(json_at(a, 5)), JSON_NULL);
	T_ASSERT(json_at(a, 5) != NULL);
	T_EQ_STR(json_as_string(json_at(a, 6), &len), "s");
	T_EQ_INT(len, 1);
	T_ASSERT(json_at(a, 7) == NULL);
	T_ASSERT(json_key_at(a, 0, NULL) == NULL);
	T_EQ_INT(json_type(json_get(v, "b")), JSON_OBJECT);
	T_EQ_INT(json_length(json_get(v, "b")), 0);
	T_ASSERT(json_as_int(json_get(v, ""), &i) && i == 0);
	/* Missing members, and asking the wrong type. */
	T_ASSERT(json_get(v, "c") == NULL);
	T_ASSERT(json_get(a, "a") == NULL);
	T_ASSERT(json_get(NULL, "a") == NULL);
	T_ASSERT(json_as_string(json_get(v, "c"), NULL) == NULL);
	T_EQ_STR(util_errmsg(), "missing");
	T_ASSERT(json_as_string(a, NULL) == NULL);
	T_EQ_STR(util_errmsg(), "not a string");
	T_ASSERT(!json_as_int(json_at(a, 6), &i));
	T_ASSERT(!json_as_bool(json_at(a, 0), &b));
	T_ASSERT(!json_as_double(json_at(a, 6), &d));
	T_EQ_INT(json_length(json_at(a, 0)), 0);
	json_free(v);
	json_free(NULL);

	/* Scalars are texts too. */
	v = parse("\"x\"");
	T_EQ_STR(json_as_string(v, NULL), "x");
	json_free(v);
	v = parse(" null ");
	T_ASSERT(v && json_type(v) == JSON_NULL);
	json_free(v);
}

static void test_numbers(void)
{
	static const struct {
		const char *text;
		enum json_type type;
		int64_t i;
		double d;
	} cases[] = {
		{"0", JSON_INT, 0, 0},
		{"-0", JSON_INT, 0, 0},
		{"42", JSON_INT, 42, 0},
		{"9223372036854775807", JSON_INT, INT64_MAX, 0},
		{"-9223372036854775808", JSON_INT, INT64_MIN, 0},
		{"9223372036854775808", JSON_REAL, 0, 9223372036854775808.0},
		{"-9223372036854775809", JSON_REAL, 0, -9223372036854775808.0},
		{"123456789012345678901234567890", JSON_REAL, 0, 1.2345678901234568e29},
		{"1.0", JSON_REAL, 0, 1.0},
		{"1e2", JSON_REAL, 0, 100.0},
		{"1E+2", JSON_REAL, 0, 100.0},
		{"-2.5e-3", JSON_REAL, 0, -0.0025},
		{"0.1", JSON_REAL, 0, 0.1},
		{"1e-999", JSON_REAL, 0, 0.0},
		{"1.7976931348623157e308", JSON_REAL, 0, 1.7976931348623157e308},
	};

	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct json *v = parse(cases[k].text);
		int64_t i = 0;
		double d = 0;

		if (!v)
			T_FAIL("\"%s\": %s", cases[k].text, util_errmsg());
		if (json_type(v) != cases[k].type) {
			json_free(v);
			T_FAIL("\"%s\" has the wrong type", cases[k].text);
		}
		if (cases[k].type == JSON_INT) {
			T_ASSERT(json_as_int(v, &i));
			T_EQ_INT(i, cases[k].i);
		} else {
			T_ASSERT(json_as_double(v, &d));
			if (d != cases[k].d) {
				json_free(v);
				T_FAIL("\"%s\" read as %.17g", cases[k].text, d);
			}
		}
		json_free(v);
	}

	/* An integer beyond int64 is refused by the integer accessor only. */
	struct json *v = parse("[18446744073709551616, -9223372036854775809, 2.0]");
	int64_t i;
	T_ASSERT(!json_as_int(json_at(v, 0), &i));
	T_EQ_STR(util_errmsg(), "integer out of range");
	T_ASSERT(!json_as_int(json_at(v, 1), &i));
	T_EQ_STR(util_errmsg(), "integer out of range");
	T_ASSERT(!json_as_int(json_at(v, 2), &i));
	T_EQ_STR(util_errmsg(), "not an integer");
	json_free(v);
}

static void test_string_decoding(void)
{
	struct json *v = parse("\"\\u00e9\\u6F22\\uD83D\\uDE00\\n\\\"\\\\\\/\\b\\f\\r\\t"
			       "\\u0001\\u007F\\u0085 " CJK EMOJI "\\uDBFF\\uDFFF\"");
	size_t len = 0;
	const char *s = json_as_string(v, &len);
	const char want[] = "\xC3\xA9\xE6\xBC\xA2" EMOJI "\n\"\\/\b\f\r\t\x01\x7F\xC2\x85 " CJK EMOJI
			    "\xF4\x8F\xBF\xBF";

	T_ASSERT(s);
	T_EQ_INT(len, sizeof want - 1);
	T_ASSERT(memcmp(s, want, len) == 0);
	json_free(v);

	/* "\u0000" is a NUL inside the string. */
	v = parse("{\"k\\u0000\":\"a\\u0000b\"}");
	s = json_key_at(v, 0, &len);
	T_EQ_INT(len, 2);
	T_ASSERT(memcmp(s, "k\0", 3) == 0);
	s = json_as_string(json_at(v, 0), &len);
	T_EQ_INT(len, 3);
	T_ASSERT(memcmp(s, "a\0b", 4) == 0);
	T_ASSERT(json_get(v, "k") == NULL);
	json_free(v);

	/* DEL and non-ASCII may be raw. */
	v = parse("\"\x7F\xC2\x85\"");
	T_EQ_STR(json_as_string(v, NULL), "\x7F\xC2\x85");
	json_free(v);
}

/* The message for text, or "parsed" when it parses. */
static const char *error_of(const char *text, size_t n, size_t line)
{
	static char why[256];
	struct json *v = json_parse(text, n, line);

	if (v) {
		json_free(v);
		return "parsed";
	}
	snprintf(why, sizeof why, "%s", util_errmsg());
	return why;
}

#define ERR(lit) error_of(lit, sizeof lit - 1, 1)
#define ERR_AT(lit, line) error_of(lit, sizeof lit - 1, line)

static void test_errors(void)
{
	T_EQ_STR(ERR(""), "line 1, column 1: unexpected end of input");
	T_EQ_STR(ERR("   "), "line 1, column 4: unexpected end of input");
	T_EQ_STR(ERR("{"), "line 1, column 2: unexpected end of input");
	T_EQ_STR(ERR("{\"a\""), "line 1, column 5: unexpected end of input");
	T_EQ_STR(ERR("{\"a\":1"), "line 1, column 7: unexpected end of input");
	T_EQ_STR(ERR("[1"), "line 1, column 3: unexpected end of input");
	T_EQ_STR(ERR("[1,]"), "line 1, column 4: unexpected ']'");
	T_EQ_STR(ERR("[1 2]"), "line 1, column 4: expected ',' or ']'");
	T_EQ_STR(ERR("{\"a\" 1}"), "line 1, column 6: expected ':' after the key");
	T_EQ_STR(ERR("{\"a\":1 \"b\":2}"), "line 1, column 8: expected ',' or '}'");
	T_EQ_STR(ERR("{\"a\":1,}"), "line 1, column 8: expected a key (a string)");
	T_EQ_STR(ERR("{a:1}"), "line 1, column 2: expected a key (a string)");
	T_EQ_STR(ERR("{\"a\":}"), "line 1, column 6: unexpected '}'");
	T_EQ_STR(ERR("tru"), "line 1, column 1: invalid literal (not true, false or null)");
	T_EQ_STR(ERR("[nul]"), "line 1, column 2: invalid literal (not true, false or null)");
	T_EQ_STR(ERR("True"), "line 1, column 1: unexpected 'T'");
	T_EQ_STR(ERR("truex"), "line 1, column 5: unexpected 'x' after the value");
	T_EQ_STR(ERR("1 2"), "line 1, column 3: unexpected '2' after the value");
	T_EQ_STR(ERR("{}}"), "line 1, column 3: unexpected '}' after the value");

	T_EQ_STR(ERR("01"), "line 1, column 2: leading zero in a number");
	T_EQ_STR(ERR("-00"), "line 1, column 3: leading zero in a number");
	T_EQ_STR(ERR("-"), "line 1, column 2: expected a digit");
	T_EQ_STR(ERR("-a"), "line 1, column 2: expected a digit");
	T_EQ_STR(ERR("1."), "line 1, column 3: expected a digit");
	T_EQ_STR(ERR("1.e5"), "line 1, column 3: expected a digit");
	T_EQ_STR(ERR("1e"), "line 1, column 3: expected a digit");
	T_EQ_STR(ERR("[1e+]"), "line 1, column 5: expected a digit");
	T_EQ_STR(ERR(".5"), "line 1, column 1: unexpected '.'");
	T_EQ_STR(ERR("+1"), "line 1, column 1: unexpected '+'");
	T_EQ_STR(ERR("[0x1F]"), "line 1, column 3: expected ',' or ']'");
	T_EQ_STR(ERR("[1, 1e999]"), "line 1, column 5: number out of range");
	T_EQ_STR(ERR("-1e400"), "line 1, column 1: number out of range");

	T_EQ_STR(ERR("\"abc"), "line 1, column 1: string is never closed");
	T_EQ_STR(ERR("[\"a\", \"b"), "line 1, column 7: string is never closed");
	T_EQ_STR(ERR("\"ab\\"), "line 1, column 1: string is never closed");
	T_EQ_STR(ERR("\"a\nb\""), "line 1, column 3: control character U+000A in a string");
	T_EQ_STR(ERR("\"\t\""), "line 1, column 2: control character U+0009 in a string");
	T_EQ_STR(ERR("\"\0\""), "line 1, column 2: control character U+0000 in a string");
	T_EQ_STR(ERR("\"\\x\""), "line 1, column 2: invalid escape '\\x'");
	T_EQ_STR(ERR("\"\\U0041\""), "line 1, column 2: invalid escape '\\U'");
	T_EQ_STR(ERR("\"\\\x01\""), "line 1, column 2: invalid escape");
	T_EQ_STR(ERR("\"\\u12G4\""), "line 1, column 2: invalid \\u escape");
	T_EQ_STR(ERR("\"\\u12\""), "line 1, column 2: invalid \\u escape");
	T_EQ_STR(ERR("\"\\u12"), "line 1, column 2: invalid \\u escape");
	T_EQ_STR(ERR("\"\\uD800\""), "line 1, column 2: lone surrogate \\uD800");
	T_EQ_STR(ERR("\"x\\udc00\""), "line 1, column 3: lone surrogate \\uDC00");
	T_EQ_STR(ERR("\"\\uD800\\u0041\""), "line 1, column 2: lone surrogate \\uD800");
	T_EQ_STR(ERR("\"\\uD800\\n\""), "line 1, column 2: lone surrogate \\uD800");
	T_EQ_STR(ERR("\"\\uD83D\\uD83D\""), "line 1, column 2: lone surrogate \\uD83D");
	T_EQ_STR(ERR("\"ab\\uD83D\\uZZZZ\""), "line 1, column 10: invalid \\u escape");
	T_EQ_STR(ERR("\"\\uD83D"), "line 1, column 2: lone surrogate \\uD83D");

	T_EQ_STR(ERR("\"\xFF\""), "line 1, column 2: invalid UTF-8");
	T_EQ_STR(ERR("\"\xC3\xA9\xC3\""), "line 1, column 3: invalid UTF-8");
	T_EQ_STR(ERR("\"\xED\xA0\x80\""), "line 1, column 2: invalid UTF-8");
	T_EQ_STR(ERR("\"" CJK "\xF0\x9F\x98\""), "line 1, column 4: invalid UTF-8");
	T_EQ_STR(ERR("\xEF\xBB\xBF{}"),
		 "line 1, column 1: byte order mark at the start (gloss never writes one)");
	T_EQ_STR(ERR("\xC3\xA9"), "line 1, column 1: unexpected U+00E9");
	T_EQ_STR(ERR("\xFF"), "line 1, column 1: unexpected byte 0xFF");
	T_EQ_STR(ERR("[\x01]"), "line 1, column 2: unexpected U+0001");
	T_EQ_STR(ERR("[1]\0"), "line 1, column 4: unexpected U+0000 after the value");
	T_EQ_STR(ERR("{} \xE2\x80\x8B"), "line 1, column 4: unexpected U+200B after the value");

	/* Duplicate keys, compared after unescaping, reported at the later one. */
	T_EQ_STR(ERR("{\"a\":1,\"b\":2,\"a\":3}"), "line 1, column 14: duplicate key 'a'");
	T_EQ_STR(ERR("{\"a\":1,\"\\u0061\":2}"), "line 1, column 8: duplicate key 'a'");
	T_EQ_STR(ERR("{\"x\":{\"b\":1,\"a\":1,\"b\":2}}"), "line 1, column 19: duplicate key 'b'");
	T_EQ_STR(ERR("{\"\\n\":1,\"\\n\":2}"), "line 1, column 9: duplicate key '?'");
	T_EQ_STR(ERR("{\"a\":1,\"A\":2,\"a \":3,\"\":4}"), "parsed");

	/* Lines count LFs from the given first line; columns count code points. */
	T_EQ_STR(ERR_AT("{\n  \"a\": 1,\n  \"b\" 2\n}", 10),
		 "line 12, column 7: expected ':' after the key");
	T_EQ_STR(ERR("[1,\r\n2,\r\nx]"), "line 3, column 1: unexpected 'x'");
	T_EQ_STR(ERR("[\"" CJK "\", x]"), "line 1, column 8: unexpected 'x'");
	T_EQ_STR(ERR("[\"" EMOJI "\",\n \"" EMOJI "\" x]"), "line 2, column 6: expected ',' or ']'");
	T_EQ_STR(ERR_AT("\n\n{\"a\":1,\"a\":2}", 7), "line 9, column 8: duplicate key 'a'");
	T_EQ_STR(ERR_AT("\"a\nb\"", 4), "line 4, column 3: control character U+000A in a string");
}

/* Many keys, one of them twice: found without comparing every pair. */
static void test_many_keys(void)
{
	FILE *f = mem_open();
	struct json *v;

	putc('{', f);
	for (int i = 0; i < 20000; i++)
		fprintf(f, "\"k%d\":%d,", i, i);
	fputs("\"k500\":0,\"k10\":1}", f);
	mem_close();
	v = json_parse(mem_buf, mem_len, 1);
	T_ASSERT(!v);
	T_ASSERT(strstr(util_errmsg(), ": duplicate key 'k500'"));
	/* Without them it parses, and json_get finds the last key. */
	mem_buf[mem_len - 18] = '}';
	v = json_parse(mem_buf, mem_len - 17, 1);
	mem_free();
	T_ASSERT(v);
	T_EQ_INT(json_length(v), 20000);
	int64_t i = 0;
	T_ASSERT(json_as_int(json_get(v, "k19999"), &i) && i == 19999);
	json_free(v);
}

/* n nested arrays, or objects when obj: "[[[...]]]" / {"a":{"a":...1}}. */
static struct json *nested(int n, bool obj)
{
	FILE *f = mem_open();
	struct json *v;

	for (int i = 0; i < n; i++)
		fputs(obj ? "{\"a\":" : "[", f);
	fputs("1", f);
	for (int i = 0; i < n; i++)
		putc(obj ? '}' : ']', f);
	mem_close();
	v = json_parse(mem_buf, mem_len, 1);
	mem_free();
	return v;
}

static void test_depth(void)
{
	struct json *v = nested(JSON_DEPTH_MAX, false);
	const struct json *p = v;
	int64_t one = 0;

	T_ASSERT(v);
	for (int i = 0; i < JSON_DEPTH_MAX; i++)
		p = json_at(p, 0);
	T_ASSERT(json_as_int(p, &one) && one == 1);

	/* The deepest tree read can be written back, pretty too. */
	for (int pretty = 0; pretty <= 1; pretty++) {
		struct json_writer w;
		struct json *again;
		json_writer_init(&w, mem_open(), pretty ? JSON_PRETTY : 0);
		json_put_value(&w, v);
		mem_close();
		again = json_parse(mem_buf, mem_len, 1);
		mem_free();
		T_ASSERT(again);
		json_free(again);
	}
	json_free(v);

	T_ASSERT(!nested(JSON_DEPTH_MAX + 1, false));
	T_EQ_STR(util_errmsg(), "line 1, column 65: nesting deeper than 64 levels");
	v = nested(JSON_DEPTH_MAX, true);
	T_ASSERT(v);
	json_free(v);
	T_ASSERT(!nested(JSON_DEPTH_MAX + 1, true));
	T_EQ_STR(util_errmsg(), "line 1, column 321: nesting deeper than 64 levels");
	/* Far deeper input fails the same way, without deep recursion. */
	T_ASSERT(!nested(100000, false));
	T_EQ_STR(util_errmsg(), "line 1, column 65: nesting deeper than 64 levels");
}

/* A tree written back comes out in its canonical form. */
static void test_put_value(void)
{
	const char *in = " { \"b\" : [ 1 , 2.50 , -0 , 1E2, -1e-2, 18446744073709551616 ] ,\n"
			 " \"a\" : \"\\u00e9\\/\\u001B\\uD83D\\uDE00\" , \"c\": {\"d\": [true, false, null]} } ";
	struct json *v = parse(in);
	struct json_writer w;

	T_ASSERT(v);
	json_writer_init(&w, mem_open(), 0);
	json_put_value(&w, v);
	T_EQ_STR(mem_close(), "{\"b\":[1,2.5,0,100.0,-0.01,1.8446744073709552e+19],"
			      "\"a\":\"\xC3\xA9/\\u001b" EMOJI "\",\"c\":{\"d\":[true,false,null]}}");
	mem_free();
	json_free(v);
}

/* ---------------------------------------------------------------- round trip */

#define OBJECTS 10000

static void note_of(int i, char *buf, size_t size)
{
	switch (i % 6) {
	case 0: snprintf(buf, size, "note %d", i); break;
	case 1: snprintf(buf, size, "\"quoted\" \\ back\tslash\r\nnew line %d", i); break;
	case 2: snprintf(buf, size, CJK " %d " EMOJI, i); break;
	case 3: snprintf(buf, size, "ctl \x01\x1f\x7f\xC2\x85 %d", i); break;
	case 4: snprintf(buf, size, "%s", ""); break;
	default: snprintf(buf, size, "</script> \xE2\x80\xA8 %d", i); break;
	}
}

static void test_round_trip(void)
{
	FILE *f = mem_open();
	struct json_writer w;
	char note[128], *line, *end;
	size_t lineno = 1;

	json_writer_init(&w, f, 0);
	for (int i = 0; i < OBJECTS; i++) {
		note_of(i, note, sizeof note);
		json_begin_object(&w);
		json_key(&w, "id");
		json_put_int(&w, (int64_t)i * 1000003 - 5000000000LL);
		json_key(&w, "note");
		json_put_str(&w, note);
		json_key(&w, "start");
		if (i % 5)
			json_put_int(&w, i);
		else
			json_put_null(&w);
		json_key(&w, "score");
		json_put_double(&w, i / 7.0);
		json_key(&w, "links");
		json_begin_array(&w);
		for (int k = 0; k < i % 4; k++)
			json_put_int(&w, k);
		json_end_array(&w);
		json_end_object(&w);
		putc('\n', f);
	}
	mem_close();

	for (line = mem_buf; *line; line = end + 1, lineno++) {
		int i = (int)lineno - 1;
		struct json *v;
		const struct json *links;
		int64_t id = 0, start = -1;
		double score = -1;
		size_t len = 0;
		const char *s;

		end = strchr(line, '\n');
		T_ASSERT(end);
		v = json_parse(line, (size_t)(end - line), lineno);
		if (!v) {
			mem_free();
			T_FAIL("line %zu: %s", lineno, util_errmsg());
		}
		note_of(i, note, sizeof note);
		s = json_as_string(json_get(v, "note"), &len);
		links = json_get(v, "links");
		if (!json_as_int(json_get(v, "id"), &id) || id != (int64_t)i * 1000003 - 5000000000LL ||
		    !s || len != strlen(note) || memcmp(s, note, len) ||
		    (i % 5 ? !json_as_int(json_get(v, "start"), &start) || start != i
			   : json_type(json_get(v, "start")) != JSON_NULL) ||
		    !json_as_double(json_get(v, "score"), &score) || score != i / 7.0 ||
		    json_length(links) != (size_t)(i % 4)) {
			json_free(v);
			mem_free();
			T_FAIL("object %d came back wrong", i);
		}
		json_free(v);
	}
	mem_free();
	T_EQ_INT(lineno - 1, OBJECTS);
}

/* Whatever bytes a string is given, the output parses back, as U+FFFD where ill-formed. */
static void test_ill_formed_round_trip(void)
{
	const char in[] = "a\xFF\xC3(\xE2\x82\x00z\xED\xA0\x80" EMOJI;
	const char want[] = "a" FFFD FFFD "(" FFFD "\x00z" FFFD FFFD FFFD EMOJI;
	struct json *v;
	size_t len = 0;
	const char *s;

	json_string(mem_open(), in, sizeof in - 1);
	mem_close();
	v = json_parse(mem_buf, mem_len, 1);
	mem_free();
	T_ASSERT(v);
	s = json_as_string(v, &len);
	T_EQ_INT(len, sizeof want - 1);
	T_ASSERT(memcmp(s, want, len) == 0);
	json_free(v);
}

/* The parser does not read past n. */
static void test_bounds(void)
{
	char *buf = util_malloc(8);
	struct json *v;

	memcpy(buf, "[true]", 6);
	v = json_parse(buf, 6, 1);
	T_ASSERT(v);
	json_free(v);
	T_ASSERT(!json_parse(buf, 3, 1));
	T_EQ_STR(util_errmsg(), "line 1, column 2: invalid literal (not true, false or null)");
	memcpy(buf, "\"\\uD83D\"", 8);
	T_ASSERT(!json_parse(buf, 7, 1));
	T_EQ_STR(util_errmsg(), "line 1, column 2: lone surrogate \\uD83D");
	memcpy(buf, "12345678", 8);
	v = json_parse(buf, 3, 1);
	int64_t i = 0;
	T_ASSERT(json_as_int(v, &i) && i == 123);
	json_free(v);
	free(buf);
}

int main(void)
{
	T_RUN(test_string_escapes);
	T_RUN(test_writer_compact);
	T_RUN(test_writer_pretty);
	T_RUN(test_writer_doubles);
	T_RUN(test_locale);
	T_RUN(test_parse_values);
	T_RUN(test_numbers);
	T_RUN(test_string_decoding);
	T_RUN(test_errors);
	T_RUN(test_many_keys);
	T_RUN(test_depth);
	T_RUN(test_put_value);
	T_RUN(test_round_trip);
	T_RUN(test_ill_formed_round_trip);
	T_RUN(test_bounds);
	T_DONE();
}
