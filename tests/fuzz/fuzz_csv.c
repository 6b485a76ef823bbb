/*
 * fuzz_csv: the input is a CSV file.  It is read to its end or its first
 * error.  Every record must hold at least one field, each valid UTF-8 with
 * followed by a NUL (a NUL inside is text, U+0000), and start on a later
 * line than the one before.
 * Each record is written back (with CSV_SAFE or not, as the input's hash
 * decides) and read again: the same fields must come back (through
 * csv_unsafe() for CSV_SAFE, whose one ambiguity is allowed for), and
 * writing those gives the same bytes again.  An input read to its end
 * must be valid UTF-8 without a leading BOM; an error must say
 * "line L, column C: " with L and C inside the input.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "gloss/csv.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_locale();
	return 0;
}

/* The bytes csv_field()..csv_end() make of the record; the caller frees them. */
static char *write_record(const struct csv_record *rec, int flags, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	struct csv_writer w;

	CHECK(f, "open_memstream failed");
	csv_writer_init(&w, f);
	for (size_t i = 0; i < rec->nfield; i++)
		csv_field(&w, rec->field[i].s, rec->field[i].n, flags);
	csv_end(&w);
	CHECK(!ferror(f), "write error");
	fclose(f);
	return buf;
}

static bool formula_start(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* What a field becomes after CSV_SAFE and csv_unsafe(): itself, unless it
 * already looked like a protected field. */
static void expected(const struct csv_span *f, bool safe, const char **s, size_t *n)
{
	*s = f->s;
	*n = f->n;
	if (safe && f->n >= 2 && f->s[0] == '\'' && formula_start(f->s[1])) {
		(*s)++;
		(*n)--;
	}
}

static void check_record(const struct csv_record *rec, size_t *last_line, size_t lines)
{
	CHECK(rec->nfield >= 1, "a record of no fields at line %zu", rec->line);
	CHECK(rec->line > *last_line, "record at line %zu after one at line %zu", rec->line, *last_line);
	CHECK(*last_line || rec->line == 1, "the first record at line %zu", rec->line);
	CHECK(rec->line <= lines, "record at line %zu, input has %zu", rec->line, lines);
	*last_line = rec->line;
	for (size_t i = 0; i < rec->nfield; i++) {
		const struct csv_span *f = &rec->field[i];
		CHECK(f->s[f->n] == '\0', "field %zu not NUL-terminated", i);
		CHECK(fuzz_utf8_valid(f->s, f->n), "field %zu is not valid UTF-8", i);
	}
}

static void check_rewrite(const struct csv_record *rec, bool safe)
{
	struct csv_reader r;
	struct csv_record back;
	size_t len, len2;
	char *bytes = write_record(rec, safe ? CSV_SAFE : 0, &len), *bytes2;
	int rc;

	csv_reader_init(&r, bytes, len);
	rc = csv_read(&r, &back);
	CHECK(rc == 1, "written record does not read back: %s", rc < 0 ? util_errmsg() : "end");
	CHECK(back.line == 1, "written record read at line %zu", back.line);
	CHECK(back.nfield == rec->nfield, "%zu fields written, %zu read", rec->nfield, back.nfield);
	for (size_t i = 0; i < rec->nfield; i++) {
		const char *want, *got = back.field[i].s;
		size_t wn, gn = back.field[i].n;
		expected(&rec->field[i], safe, &want, &wn);
		if (safe)
			csv_unsafe(&got, &gn);
		CHECK(gn == wn && memcmp(got, want, wn) == 0, "field %zu differs after a round trip", i);
	}
	CHECK(csv_read(&r, &back) == 0, "more than one record written");

	/* Canonical: the record read back writes as the same bytes. */
	if (!safe) {
		csv_reader_release(&r);
		csv_reader_init(&r, bytes, len);
		CHECK(csv_read(&r, &back) == 1, "second read failed");
		bytes2 = write_record(&back, 0, &len2);
		CHECK(len2 == len && memcmp(bytes, bytes2, len) == 0, "rewriting is not stable");
		free(bytes2);
	}
	csv_reader_release(&r);
	free(bytes);
}

/* "line L, column C: what" with L and C in range. */
static void check_error(const char *msg, size_t lines, size_t size)
{
	unsigned long long line = 0, col = 0;
	int used = 0;

	CHECK(sscanf(msg, "line %llu, column %llu: %n", &line, &col, &used) == 2 && used > 0,
	      "malformed error '%s'", msg);
	CHECK(line >= 1 && line <= lines, "error at line %llu of %zu: '%s'", line, lines, msg);
	CHECK(col >= 1 && col <= size + 1, "error at column %llu of %zu bytes: '%s'", col, size, msg);
	CHECK(msg[used] != '\0', "error without a reason: '%s'", msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rng rng = fuzz_rng_of(data, size);
	bool safe = fuzz_upto(&rng, 1);
	char *buf = fuzz_copy(data, size);
	struct csv_reader r;
	struct csv_record rec;
	size_t last_line = 0, lines = 1;
	int rc;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	csv_reader_init(&r, buf, size);
	while ((rc = csv_read(&r, &rec)) == 1) {
		check_record(&rec, &last_line, lines);
		check_rewrite(&rec, safe);
	}
	if (rc < 0) {
		check_error(util_errmsg(), lines, size);
		CHECK(csv_read(&r, &rec) == -1, "a read after an error did not fail");
	} else {
		CHECK(fuzz_utf8_valid(buf, size), "invalid UTF-8 read without an error");
		CHECK(size < 3 || memcmp(buf, "\xEF\xBB\xBF", 3), "a BOM read without an error");
		CHECK(csv_read(&r, &rec) == 0, "a read after the end did not end");
	}
	csv_reader_release(&r);
	free(buf);
	return 0;
}
