/*
 * Unit tests for csv: the writer's exact bytes (worked out from RFC 4180 by
 * hand, not taken from the code), round trips, every reader error with its
 * line and column, record ends, and 100,000 rows written and read back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gloss/csv.h"
#include "gloss/util.h"
#include "t.h"

#define EMOJI "\xF0\x9F\x98\x80" /* U+1F600 */
#define CJK "\xE6\xBC\xA2\xE5\xAD\x97" /* U+6F22 U+5B57 */

/* A memory stream the writer tests write to. */
static FILE *mem;
static char *mem_buf;
static size_t mem_len;

static struct csv_writer mem_open(void)
{
	struct csv_writer w;

	mem = open_memstream(&mem_buf, &mem_len);
	csv_writer_init(&w, mem);
	return w;
}

/* Close the stream; the bytes stay in mem_buf until mem_free(). */
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

/* The bytes of one record holding the one field s. */
static char *one_field(const char *s, int flags)
{
	struct csv_writer w = mem_open();

	csv_field_str(&w, s, flags);
	csv_end(&w);
	mem_close();
	return mem_buf;
}

static void test_writer_plain(void)
{
	struct csv_writer w = mem_open();

	csv_field_str(&w, "id", 0);
	csv_field_str(&w, "b c", 0);
	csv_field_empty(&w);
	csv_field_int(&w, 0);
	csv_field_int(&w, -42);
	csv_field_int(&w, 9223372036854775807LL);
	csv_end(&w);
	csv_field(&w, "xyz", 2, 0); /* only n bytes */
	csv_end(&w);
	T_EQ_STR(mem_close(), "id,b c,,0,-42,9223372036854775807\r\nxy\r\n");
	T_EQ_INT(mem_len, 39);
	mem_free();
}

static void test_writer_quoting(void)
{
	/* Quoted only for comma, quote, CR, LF; quotes doubled inside. */
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"plain", "plain\r\n"},
		{"a,b", "\"a,b\"\r\n"},
		{"say \"hi\"", "\"say \"\"hi\"\"\"\r\n"},
		{"\"", "\"\"\"\"\r\n"},
		{"\"\"", "\"\"\"\"\"\"\r\n"},
		{"a\rb", "\"a\rb\"\r\n"},
		{"a\nb", "\"a\nb\"\r\n"},
		{"a\r\nb", "\"a\r\nb\"\r\n"},
		{"\n", "\"\n\"\r\n"},
		{"tab\there", "tab\there\r\n"},
		{" spaced ", " spaced \r\n"},
		{"it's", "it's\r\n"},
		{EMOJI " " CJK, EMOJI " " CJK "\r\n"},
		{CJK "," EMOJI, "\"" CJK "," EMOJI "\"\r\n"},
		{"=1+2", "=1+2\r\n"}, /* no CSV_SAFE: as it is */
		{"", "\"\"\r\n"},     /* a record of one empty field is not an empty line */
		/* U+FEFF first is quoted: a file must not start with a BOM. */
		{"\xEF\xBB\xBFx", "\"\xEF\xBB\xBFx\"\r\n"},
		{"x\xEF\xBB\xBF", "x\xEF\xBB\xBF\r\n"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = one_field(cases[i].in, 0);
		if (strcmp(got, cases[i].out)) {
			free(got);
			T_FAIL("case %zu: \"%s\" written wrong", i, cases[i].in);
		}
		free(got);
	}
}

/* Each of the four characters that need quotes, and bytes that differ from
 * them by one bit, at every place of fields longer and shorter than the
 * eight bytes the writer looks at together. */
static void test_writer_quoting_every_place(void)
{
	static const char needs[] = { ',', '"', '\r', '\n' };
	static const char near[] = { '+', '-', '!', '#', 0x0C, 0x0E, 0x0B, 0x09,
				     (char)0xAC, (char)0xA2, (char)0x8D, (char)0x8A };
	char s[24];

	for (size_t n = 1; n <= sizeof s; n++) {
		memset(s, 'a', n);
		for (size_t at = 0; at < n; at++) {
			for (size_t k = 0; k < sizeof needs + sizeof near; k++) {
				bool quoted = k < sizeof needs;
				struct csv_writer w = mem_open();
				s[at] = quoted ? needs[k] : near[k - sizeof needs];
				csv_field(&w, s, n, 0);
				mem_close();
				if ((mem_len > 0 && mem_buf[0] == '"') != quoted) {
					mem_free();
					T_FAIL("byte 0x%02x at %zu of %zu: %s", (unsigned char)s[at], at, n,
					       quoted ? "not quoted" : "quoted");
				}
				mem_free();
			}
			s[at] = 'a';
		}
	}
}

static void test_writer_safe(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"=1+2", "'=1+2\r\n"},
		{"=SUM(A1,A2)", "\"'=SUM(A1,A2)\"\r\n"},
		{"+33 1 23", "'+33 1 23\r\n"},
		{"-5", "'-5\r\n"},
		{"@cmd", "'@cmd\r\n"},
		{"\tindent", "'\tindent\r\n"},
		{"\rx", "\"'\rx\"\r\n"},
		{"=\"x\"", "\"'=\"\"x\"\"\"\r\n"},
		{"'=x", "'=x\r\n"}, /* the ambiguity: no apostrophe added */
		{"a=b", "a=b\r\n"},
		{" =x", " =x\r\n"},
		{"\n=x", "\"\n=x\"\r\n"},
		{"", "\"\"\r\n"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = one_field(cases[i].in, CSV_SAFE);
		if (strcmp(got, cases[i].out)) {
			free(got);
			T_FAIL("case %zu: \"%s\" written wrong", i, cases[i].in);
		}
		free(got);
	}
	/* Numbers stay numbers. */
	struct csv_writer w = mem_open();
	csv_field_int(&w, -5);
	csv_field_str(&w, "-5", CSV_SAFE);
	csv_end(&w);
	T_EQ_STR(mem_close(), "-5,'-5\r\n");
	mem_free();
}

static void test_writer_empty_records(void)
{
	struct csv_writer w = mem_open();

	csv_end(&w);            /* no field: one empty field */
	csv_field_empty(&w);    /* one empty field */
	csv_end(&w);
	csv_field_empty(&w);    /* two empty fields: the comma says it */
	csv_field_empty(&w);
	csv_end(&w);
	csv_field_str(&w, "a", 0);
	csv_field_empty(&w);
	csv_end(&w);
	csv_field_empty(&w);
	csv_field_str(&w, "a", 0);
	csv_end(&w);
	T_EQ_STR(mem_close(), "\"\"\r\n\"\"\r\n,\r\na,\r\n,a\r\n");
	mem_free();
}

/* ---------------------------------------------------------------- reader */

/* Read buf[0..n) to its end or first error; the error, or "end after N records". */
static const char *read_all(const char *buf, size_t n)
{
	static char why[256];
	struct csv_reader r;
	struct csv_record rec;
	int rc, k = 0;

	csv_reader_init(&r, buf, n);
	while ((rc = csv_read(&r, &rec)) == 1)
		k++;
	if (rc < 0) {
		snprintf(why, sizeof why, "%s", util_errmsg());
		/* The error sticks. */
		if (csv_read(&r, &rec) != -1)
			snprintf(why, sizeof why, "read after an error did not fail");
	} else {
		snprintf(why, sizeof why, "end after %d records", k);
	}
	csv_reader_release(&r);
	return why;
}

#define READ_ERR(lit) read_all(lit, sizeof lit - 1)

static void test_reader_errors(void)
{
	T_EQ_STR(READ_ERR("\xEF\xBB\xBF" "a,b\r\n"),
		 "line 1, column 1: byte order mark at the start of the file (gloss never writes one)");
	/* A BOM further on is just text. */
	T_EQ_STR(READ_ERR("a\r\n\xEF\xBB\xBF" "b\r\n"), "end after 2 records");

	T_EQ_STR(READ_ERR("ab\"c\r\n"), "line 1, column 3: quote inside an unquoted field");
	T_EQ_STR(READ_ERR("\xC3\xA9,x\"y"), "line 1, column 4: quote inside an unquoted field");
	T_EQ_STR(READ_ERR(CJK "\""), "line 1, column 3: quote inside an unquoted field");
	T_EQ_STR(READ_ERR("a, \"b\"\r\n"), "line 1, column 4: quote inside an unquoted field");

	T_EQ_STR(READ_ERR("\"ab\"c,d\r\n"), "line 1, column 5: text after the closing quote of a field");
	T_EQ_STR(READ_ERR("x\r\n\"a\"\"b\" z\r\n"),
		 "line 2, column 7: text after the closing quote of a field");
	T_EQ_STR(READ_ERR("\"a\"\"\"b"), "line 1, column 6: text after the closing quote of a field");
	T_EQ_STR(READ_ERR("\"" EMOJI "\"" EMOJI),
		 "line 1, column 4: text after the closing quote of a field");

	/* Reported at the opening quote, on the line where it stands. */
	T_EQ_STR(READ_ERR("a,b\r\nc,\"open\r\nmore\r\n"), "line 2, column 3: quoted field is never closed");
	T_EQ_STR(READ_ERR("\""), "line 1, column 1: quoted field is never closed");
	T_EQ_STR(READ_ERR("\"a\"\""), "line 1, column 1: quoted field is never closed");

	T_EQ_STR(READ_ERR("a\rb\r\n"), "line 1, column 2: CR without LF outside quotes");
	T_EQ_STR(READ_ERR("ok\r\n\"a\"\rb"), "line 2, column 4: CR without LF outside quotes");
	T_EQ_STR(READ_ERR("a\r"), "line 1, column 2: CR without LF outside quotes");
	T_EQ_STR(READ_ERR("a\r\r\n"), "line 1, column 2: CR without LF outside quotes");

	T_EQ_STR(READ_ERR("ok\r\nab\xFF" "c\r\n"), "line 2, column 3: invalid UTF-8");
	T_EQ_STR(READ_ERR("\"x\ny\xC3\x28\""), "line 2, column 2: invalid UTF-8");
	T_EQ_STR(READ_ERR("\xC0\xAF"), "line 1, column 1: invalid UTF-8");         /* overlong */
	T_EQ_STR(READ_ERR("s,\xED\xA0\x80"), "line 1, column 3: invalid UTF-8");   /* surrogate */
	T_EQ_STR(READ_ERR("\xF4\x90\x80\x80"), "line 1, column 1: invalid UTF-8"); /* > U+10FFFF */
	T_EQ_STR(READ_ERR(CJK "\xE2\x82"), "line 1, column 3: invalid UTF-8");     /* cut short */
	T_EQ_STR(READ_ERR("\"a\",\"\x80\""), "line 1, column 6: invalid UTF-8");


	/* Lines are physical: a quoted field that spans lines moves them on. */
	T_EQ_STR(READ_ERR("\"a\nb\",c\nd\"e"), "line 3, column 2: quote inside an unquoted field");
	T_EQ_STR(READ_ERR("\"a\r\nb\",c\r\nd\"e"), "line 3, column 2: quote inside an unquoted field");
}

/* The records of buf as "f1|f2;f1;..." with each record's line: "1:a|b;3:c". */
static const char *records(const char *buf, size_t n)
{
	static char out[1024];
	struct csv_reader r;
	struct csv_record rec;
	size_t len = 0;
	int rc;

	out[0] = '\0';
	csv_reader_init(&r, buf, n);
	while ((rc = csv_read(&r, &rec)) == 1) {
		len += (size_t)snprintf(out + len, sizeof out - len, "%s%zu:", len ? ";" : "", rec.line);
		for (size_t i = 0; i < rec.nfield; i++) {
			/* Fields are C strings too. */
			if (strlen(rec.field[i].s) != rec.field[i].n)
				snprintf(out, sizeof out, "field not NUL-terminated");
			len += (size_t)snprintf(out + len, sizeof out - len, "%s%s", i ? "|" : "",
						rec.field[i].s);
		}
	}
	if (rc < 0)
		snprintf(out, sizeof out, "error: %s", util_errmsg());
	csv_reader_release(&r);
	return out;
}

#define RECORDS(lit) records(lit, sizeof lit - 1)

static void test_reader_record_ends(void)
{
	T_EQ_STR(RECORDS("a,b\r\nc,d\r\n"), "1:a|b;2:c|d");
	T_EQ_STR(RECORDS("a,b\nc,d\n"), "1:a|b;2:c|d");
	T_EQ_STR(RECORDS("a,b\nc,d\r\ne\n"), "1:a|b;2:c|d;3:e");
	/* The last record may lack its end. */
	T_EQ_STR(RECORDS("a,b\r\nc,d"), "1:a|b;2:c|d");
	T_EQ_STR(RECORDS("a,b\nc,\"d\""), "1:a|b;2:c|d");
	T_EQ_STR(RECORDS("x"), "1:x");
	T_EQ_STR(RECORDS(""), "");
	/* What follows the last record end is not a record... */
	T_EQ_STR(RECORDS("a\r\n"), "1:a");
	/* ...but an empty line before it is one empty field. */
	T_EQ_STR(RECORDS("a\r\n\r\n"), "1:a;2:");
	T_EQ_STR(RECORDS("a\n\nb\n"), "1:a;2:;3:b");
	T_EQ_STR(RECORDS("\r\n"), "1:");
	T_EQ_STR(RECORDS("\"\"\r\n"), "1:");
	/* Empty fields at either end. */
	T_EQ_STR(RECORDS("a,"), "1:a|");
	T_EQ_STR(RECORDS("a,\r\n,b\r\n,\r\n"), "1:a|;2:|b;3:|");
	T_EQ_STR(RECORDS(",,"), "1:||");
	/* Quoted fields keep their CR and LF as they are; lines move on. */
	T_EQ_STR(RECORDS("\"x\r\ny\",z\r\nw\r\n"), "1:x\r\ny|z;3:w");
	T_EQ_STR(RECORDS("\"a\nb\nc\"\n\"d\rx\"\n"), "1:a\nb\nc;4:d\rx");
	T_EQ_STR(RECORDS("\"a,b\",\"\"\"\",\"\"\"q\"\"\"\r\n"), "1:a,b|\"|\"q\"");
	T_EQ_STR(RECORDS("\"\",\"\"\r\n"), "1:|");
}

static void test_reader_unicode(void)
{
	T_EQ_STR(RECORDS(EMOJI "," CJK "\r\n\"" CJK "," EMOJI "\"\r\n"),
		 "1:" EMOJI "|" CJK ";2:" CJK "," EMOJI);
	/* Tabs and spaces are text. */
	T_EQ_STR(RECORDS(" a ,\tb\t\r\n"), "1: a |\tb\t");
	/* NUL is U+0000: text, kept with its field's length, quoted or not. */
	{
		static const char in[] = "a\0b,\"\0\"\r\n";
		struct csv_reader r;
		struct csv_record rec;

		csv_reader_init(&r, in, sizeof in - 1);
		T_EQ_INT(csv_read(&r, &rec), 1);
		T_EQ_INT(rec.nfield, 2);
		T_EQ_INT(rec.field[0].n, 3);
		T_ASSERT(memcmp(rec.field[0].s, "a\0b", 4) == 0);
		T_EQ_INT(rec.field[1].n, 1);
		T_ASSERT(rec.field[1].s[0] == '\0' && rec.field[1].s[1] == '\0');
		T_EQ_INT(csv_read(&r, &rec), 0);
		csv_reader_release(&r);
	}
}

static void test_unsafe(void)
{
	static const struct {
		const char *in, *out;
		bool changed;
	} cases[] = {
		{"'=1+2", "=1+2", true},  {"'+x", "+x", true},   {"'-5", "-5", true},
		{"'@cmd", "@cmd", true},  {"'\tx", "\tx", true}, {"'\r", "\r", true},
		{"'a", "'a", false},      {"'", "'", false},     {"''=x", "''=x", false},
		{"=x", "=x", false},      {"", "", false},       {"a'=", "a'=", false},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *s = cases[i].in;
		size_t n = strlen(s);
		bool changed = csv_unsafe(&s, &n);
		T_EQ_INT(changed, cases[i].changed);
		T_EQ_INT(n, strlen(cases[i].out));
		T_ASSERT(memcmp(s, cases[i].out, n) == 0);
	}
}

/* ---------------------------------------------------------------- round trips */

static const char *const trip[] = {
	"plain", "a,b", ",", ",,", "say \"hi\"", "\"", "\"\"", "a\rb", "a\nb", "a\r\nb", "\r\n",
	"\n\n", "tab\there", "\t", EMOJI, CJK, EMOJI "," CJK "\"\n", "=1+2", "=SUM(A1,A2)",
	"+1", "-1", "@x", "\tx", "\rx", "", " ", "'", "''", "'a", "x'", ("\xEF\xBB\xBF" "bom"),
};
#define NTRIP (sizeof trip / sizeof trip[0])

/* Every case alone, and all of them in one record, each way. */
static void test_round_trip(void)
{
	for (int safe = 0; safe <= 1; safe++) {
		struct csv_writer w = mem_open();
		struct csv_reader r;
		struct csv_record rec;

		for (size_t i = 0; i < NTRIP; i++) {
			csv_field_str(&w, trip[i], safe ? CSV_SAFE : 0);
			csv_end(&w);
		}
		for (size_t i = 0; i < NTRIP; i++)
			csv_field_str(&w, trip[i], safe ? CSV_SAFE : 0);
		csv_end(&w);
		mem_close();

		csv_reader_init(&r, mem_buf, mem_len);
		for (size_t i = 0; i <= NTRIP; i++) {
			size_t k = i == NTRIP ? NTRIP : 1;
			if (csv_read(&r, &rec) != 1) {
				csv_reader_release(&r);
				mem_free();
				T_FAIL("record %zu: %s", i, util_errmsg());
			}
			T_EQ_INT(rec.nfield, k);
			for (size_t j = 0; j < k; j++) {
				const char *want = trip[i == NTRIP ? j : i], *s = rec.field[j].s;
				size_t n = rec.field[j].n;
				if (safe)
					csv_unsafe(&s, &n);
				if (n != strlen(want) || memcmp(s, want, n)) {
					csv_reader_release(&r);
					mem_free();
					T_FAIL("record %zu field %zu: \"%s\" came back wrong", i, j, want);
				}
			}
		}
		T_EQ_INT(csv_read(&r, &rec), 0);
		csv_reader_release(&r);
		mem_free();
	}
}

/* A file whose first field starts with U+FEFF still reads back. */
static void test_bom_first_field(void)
{
	struct csv_writer w = mem_open();
	struct csv_reader r;
	struct csv_record rec;

	csv_field_str(&w, "\xEF\xBB\xBF" "id", 0);
	csv_field_str(&w, "x", 0);
	csv_end(&w);
	T_EQ_STR(mem_close(), "\"\xEF\xBB\xBF" "id\",x\r\n");
	csv_reader_init(&r, mem_buf, mem_len);
	T_EQ_INT(csv_read(&r, &rec), 1);
	T_EQ_STR(rec.field[0].s, "\xEF\xBB\xBF" "id");
	csv_reader_release(&r);
	mem_free();
}

/* The export's shape: a header and rows with notes of every kind. */
#define ROWS 100000

static void row_note(size_t i, char *buf, size_t size)
{
	switch (i % 7) {
	case 0: snprintf(buf, size, "note %zu", i); break;
	case 1: snprintf(buf, size, "=HYPERLINK(\"x\",%zu)", i); break;
	case 2: snprintf(buf, size, "line one\r\nline %zu, \"quoted\"", i); break;
	case 3: snprintf(buf, size, "%s", ""); break;
	case 4: snprintf(buf, size, CJK " %zu " EMOJI, i); break;
	case 5: snprintf(buf, size, "-%zu\n", i); break;
	default: snprintf(buf, size, "\"%zu\"", i); break;
	}
}

static void test_many_rows(void)
{
	struct csv_writer w = mem_open();
	struct csv_reader r;
	struct csv_record rec;
	char note[128], id[32];
	size_t line = 1;

	csv_field_str(&w, "id", 0);
	csv_field_str(&w, "note", 0);
	csv_field_str(&w, "start", 0);
	csv_end(&w);
	for (size_t i = 0; i < ROWS; i++) {
		snprintf(id, sizeof id, "id-%zu", i);
		row_note(i, note, sizeof note);
		csv_field_str(&w, id, 0);
		csv_field_str(&w, note, CSV_SAFE);
		if (i % 3)
			csv_field_int(&w, (long long)i * 1000);
		else
			csv_field_empty(&w);
		csv_end(&w);
	}
	mem_close();

	csv_reader_init(&r, mem_buf, mem_len);
	T_EQ_INT(csv_read(&r, &rec), 1);
	T_EQ_INT(rec.nfield, 3);
	T_EQ_STR(rec.field[1].s, "note");
	line++;
	for (size_t i = 0; i < ROWS; i++) {
		char start[32] = "";
		const char *s;
		size_t n;
		int rc = csv_read(&r, &rec);

		if (rc != 1) {
			csv_reader_release(&r);
			mem_free();
			T_FAIL("row %zu: %d %s", i, rc, util_errmsg());
		}
		snprintf(id, sizeof id, "id-%zu", i);
		row_note(i, note, sizeof note);
		if (i % 3)
			snprintf(start, sizeof start, "%zu", i * 1000);
		s = rec.field[1].s;
		n = rec.field[1].n;
		csv_unsafe(&s, &n);
		if (rec.nfield != 3 || rec.line != line || strcmp(rec.field[0].s, id) ||
		    n != strlen(note) || memcmp(s, note, n) || strcmp(rec.field[2].s, start)) {
			csv_reader_release(&r);
			mem_free();
			T_FAIL("row %zu (line %zu) came back wrong", i, line);
		}
		line += 1 + (i % 7 == 2) + (i % 7 == 5);
	}
	T_EQ_INT(csv_read(&r, &rec), 0);
	T_EQ_INT(csv_read(&r, &rec), 0);
	csv_reader_release(&r);
	mem_free();
}

/* The reader does not read past n: no NUL terminator is needed. */
static void test_reader_bounds(void)
{
	char *buf = util_malloc(5);
	struct csv_reader r;
	struct csv_record rec;

	memcpy(buf, "a,\"b\"", 5);
	csv_reader_init(&r, buf, 5);
	T_EQ_INT(csv_read(&r, &rec), 1);
	T_EQ_INT(rec.nfield, 2);
	T_EQ_STR(rec.field[1].s, "b");
	T_EQ_INT(csv_read(&r, &rec), 0);
	csv_reader_release(&r);
	/* Released twice is harmless, and the reader can be used again. */
	csv_reader_release(&r);
	csv_reader_init(&r, buf, 3);
	T_EQ_INT(csv_read(&r, &rec), -1);
	T_EQ_STR(util_errmsg(), "line 1, column 3: quoted field is never closed");
	csv_reader_release(&r);
	free(buf);
}

int main(void)
{
	T_RUN(test_writer_plain);
	T_RUN(test_writer_quoting);
	T_RUN(test_writer_quoting_every_place);
	T_RUN(test_writer_safe);
	T_RUN(test_writer_empty_records);
	T_RUN(test_reader_errors);
	T_RUN(test_reader_record_ends);
	T_RUN(test_reader_unicode);
	T_RUN(test_unsafe);
	T_RUN(test_round_trip);
	T_RUN(test_bom_first_field);
	T_RUN(test_many_rows);
	T_RUN(test_reader_bounds);
	T_DONE();
}
