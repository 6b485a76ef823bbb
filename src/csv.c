/*
 * csv.c: the RFC 4180 writer (fields streamed through stdio) and the strict
 * reader over a buffer (fields unescaped into one buffer per record).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gloss/csv.h"
#include "gloss/util.h"

/* What a spreadsheet may take for the start of a formula. */
static const char csv_formula_start[] = "=+-@\t\r";

static bool csv_is_formula_start(char c)
{
	/* memchr, not strchr: strchr would find a NUL as the terminator. */
	return memchr(csv_formula_start, c, sizeof csv_formula_start - 1) != NULL;
}

/* ---------------------------------------------------------------- writer */

void csv_writer_init(struct csv_writer *w, FILE *f)
{
	w->f = f;
	w->nfield = 0;
	w->empty = false;
}

static bool csv_needs_quotes(const char *s, size_t n)
{
	/* U+FEFF first would pass for a byte order mark at the start of a file. */
	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		return true;
	size_t i = 0;
	/* eight bytes at a time: a byte of x is zero where s has that character */
	const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
	for (; n - i >= 8; i += 8) {
		uint64_t v, hit = 0;
		memcpy(&v, s + i, 8);
		for (const char *c = ",\"\r\n"; *c; c++) {
			uint64_t x = v ^ (ones * (unsigned char)*c);
			hit |= (x - ones) & ~x & highs;
		}
		if (hit)
			return true;
	}
	for (; i < n; i++) {
		char c = s[i];
		if (c == ',' || c == '"' || c == '\r' || c == '\n')
			return true;
	}
	return false;
}

/* An export is one thread writing millions of fields: stdio's locks are pure cost. */
#define putc putc_unlocked
#define fwrite fwrite_unlocked
#define fputs fputs_unlocked

void csv_field(struct csv_writer *w, const char *s, size_t n, int flags)
{
	bool safe = (flags & CSV_SAFE) && n > 0 && csv_is_formula_start(s[0]);
	bool quote = n > 0 && csv_needs_quotes(s, n);

	if (w->nfield++)
		putc(',', w->f);
	w->empty = n == 0;
	if (quote)
		putc('"', w->f);
	if (safe)
		putc('\'', w->f);
	if (!quote) {
		if (n)
			fwrite(s, 1, n, w->f);
	} else {
		/* Each quote goes out twice: once with its chunk, once alone. */
		const char *p = s, *end = s + n, *q;
		while ((q = memchr(p, '"', (size_t)(end - p)))) {
			fwrite(p, 1, (size_t)(q - p) + 1, w->f);
			putc('"', w->f);
			p = q + 1;
		}
		if (p < end)
			fwrite(p, 1, (size_t)(end - p), w->f);
		putc('"', w->f);
	}
}

void csv_field_str(struct csv_writer *w, const char *s, int flags)
{
	csv_field(w, s, strlen(s), flags);
}

void csv_field_int(struct csv_writer *w, long long v)
{
	char buf[32], *p = buf + sizeof buf;
	unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	csv_field(w, p, (size_t)(buf + sizeof buf - p), 0);
}

void csv_field_empty(struct csv_writer *w)
{
	csv_field(w, NULL, 0, 0);
}

void csv_end(struct csv_writer *w)
{
	/* An empty line would be ambiguous; "" is one empty field for sure. */
	if (w->nfield == 0 || (w->nfield == 1 && w->empty))
		fputs("\"\"", w->f);
	fputs("\r\n", w->f);
	w->nfield = 0;
	w->empty = false;
}

/* ---------------------------------------------------------------- reader */

void csv_reader_init(struct csv_reader *r, const char *buf, size_t n)
{
	memset(r, 0, sizeof *r);
	r->buf = buf;
	r->n = n;
	r->line = 1;
}

void csv_reader_release(struct csv_reader *r)
{
	free(r->text);
	free(r->field);
	free(r->field_off);
	r->text = NULL;
	r->field = NULL;
	r->field_off = NULL;
	r->text_cap = r->text_len = r->field_cap = 0;
}

/* Fail at buf[pos], which lies on line `line` starting at line_start. */
static int csv_fail(struct csv_reader *r, size_t line, size_t line_start, size_t pos,
		    const char *what)
{
	size_t col = 1, p = line_start;
	uint32_t cp;
	int valid;

	/* Everything before pos was checked, so pos starts a code point. */
	while (p < pos) {
		p += (size_t)util_utf8_decode(r->buf + p, r->n - p, &cp, &valid);
		col++;
	}
	util_error("line %zu, column %zu: %s", line, col, what);
	r->failed = true;
	return -1;
}

static int csv_fail_here(struct csv_reader *r, const char *what)
{
	return csv_fail(r, r->line, r->line_start, r->pos, what);
}

static void csv_append(struct csv_reader *r, const char *s, size_t n)
{
	if (r->text_cap - r->text_len < n + 1) {
		size_t cap = r->text_cap ? r->text_cap : 256;
		while (cap - r->text_len < n + 1)
			cap *= 2;
		r->text = util_realloc(r->text, cap);
		r->text_cap = cap;
	}
	if (n)
		memcpy(r->text + r->text_len, s, n);
	r->text_len += n;
}

/*
 * Advance over field text up to the next quote, or, outside quotes, the next
 * comma, CR or LF; check UTF-8 on the way (NUL is U+0000, text like any).  Only quoted text can hold
 * LF, and it counts the lines.
 */
static int csv_scan(struct csv_reader *r, bool quoted)
{
	const unsigned char *s = (const unsigned char *)r->buf;

	while (r->pos < r->n) {
		unsigned char c = s[r->pos];
		if (c >= 0x80) {
			uint32_t cp;
			int valid, len = util_utf8_decode(r->buf + r->pos, r->n - r->pos, &cp, &valid);
			if (!valid)
				return csv_fail_here(r, "invalid UTF-8");
			r->pos += (size_t)len;
			continue;
		}
		if (c == '"')
			return 0;
		if (!quoted && (c == ',' || c == '\r' || c == '\n'))
			return 0;
		r->pos++;
		if (c == '\n') {
			r->line++;
			r->line_start = r->pos;
		}
	}
	return 0;
}

/* A quoted field from its opening quote to just past its closing quote. */
static int csv_quoted(struct csv_reader *r)
{
	size_t qline = r->line, qstart = r->line_start, qpos = r->pos;

	r->pos++;
	for (;;) {
		size_t start = r->pos;
		if (csv_scan(r, true) < 0)
			return -1;
		if (r->pos == r->n)
			return csv_fail(r, qline, qstart, qpos, "quoted field is never closed");
		if (r->pos + 1 < r->n && r->buf[r->pos + 1] == '"') {
			csv_append(r, r->buf + start, r->pos - start + 1);
			r->pos += 2;
			continue;
		}
		csv_append(r, r->buf + start, r->pos - start);
		r->pos++;
		break;
	}
	if (r->pos < r->n && r->buf[r->pos] != ',' && r->buf[r->pos] != '\r' &&
	    r->buf[r->pos] != '\n')
		return csv_fail_here(r, "text after the closing quote of a field");
	return 0;
}

static void csv_push_field(struct csv_reader *r, size_t nfield, size_t off)
{
	if (nfield == r->field_cap) {
		r->field_cap = r->field_cap ? r->field_cap * 2 : 16;
		r->field = util_realloc(r->field, r->field_cap * sizeof *r->field);
		r->field_off = util_realloc(r->field_off, r->field_cap * sizeof *r->field_off);
	}
	r->field_off[nfield] = off;
	r->field[nfield].n = r->text_len - off;
	csv_append(r, "", 1); /* the NUL after the field */
}

int csv_read(struct csv_reader *r, struct csv_record *rec)
{
	size_t nfield = 0;

	if (r->failed)
		return -1;
	if (r->pos == 0 && r->n >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
		return csv_fail_here(r, "byte order mark at the start of the file (gloss never writes one)");
	if (r->pos >= r->n)
		return 0;
	rec->line = r->line;
	r->text_len = 0;
	for (;;) {
		size_t off = r->text_len;
		if (r->buf[r->pos] == '"') {
			if (csv_quoted(r) < 0)
				return -1;
		} else {
			size_t start = r->pos;
			if (csv_scan(r, false) < 0)
				return -1;
			if (r->pos < r->n && r->buf[r->pos] == '"')
				return csv_fail_here(r, "quote inside an unquoted field");
			csv_append(r, r->buf + start, r->pos - start);
		}
		csv_push_field(r, nfield++, off);
		if (r->pos == r->n)
			break; /* the last record, without a record end */
		if (r->buf[r->pos] == ',') {
			r->pos++;
			if (r->pos == r->n) {
				/* "a," at the very end: the empty last field. */
				csv_push_field(r, nfield++, r->text_len);
				break;
			}
			continue;
		}
		if (r->buf[r->pos] == '\r') {
			if (r->pos + 1 == r->n || r->buf[r->pos + 1] != '\n')
				return csv_fail_here(r, "CR without LF outside quotes");
			r->pos++;
		}
		r->pos++; /* the LF */
		r->line++;
		r->line_start = r->pos;
		break;
	}
	for (size_t i = 0; i < nfield; i++)
		r->field[i].s = r->text + r->field_off[i];
	rec->field = r->field;
	rec->nfield = nfield;
	return 1;
}

bool csv_unsafe(const char **s, size_t *n)
{
	if (*n >= 2 && (*s)[0] == '\'' && csv_is_formula_start((*s)[1])) {
		(*s)++;
		(*n)--;
		return true;
	}
	return false;
}
