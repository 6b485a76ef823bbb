/*
 * json.c: the JSON writer (strings escaped so that output is always valid
 * UTF-8, numbers in the C locale, commas and indentation from a small stack)
 * and a recursive-descent reader that builds a tree and names the line and
 * column of the first thing wrong.
 */
#include <assert.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gloss/json.h"
#include "gloss/util.h"

struct json_member {
	char *key; /* NULL for an array item */
	size_t keylen;
	size_t at; /* where the key starts in the input, for a duplicate's error */
	struct json *value;
};

struct json {
	enum json_type type;
	bool big; /* a JSON_REAL that was written as an integer literal */
	union {
		bool b;
		int64_t i;
		double d;
		struct {
			char *s;
			size_t n;
		} str;
		struct {
			struct json_member *m;
			size_t n, cap;
		} list;
	} u;
};

/*
 * The UI may run under a locale whose decimal point is a comma; JSON's is
 * always '.'.  Numbers are formatted and parsed with this thread switched to
 * the C locale for the moment.
 */
static locale_t json_c_locale(void)
{
	static locale_t c;

	if (!c)
		c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	return c;
}

/* ---------------------------------------------------------------- writer */

void json_string(FILE *f, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, run = 0;

	putc('"', f);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp = c;
		int len = 1, valid = 1;

		if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (c >= 0x80) {
			len = util_utf8_decode(s + i, n - i, &cp, &valid);
			if (valid && cp > 0x9F) {
				i += (size_t)len;
				continue;
			}
		}
		/* Something to write differently: first the plain run before it. */
		if (i > run)
			fwrite(s + run, 1, i - run, f);
		if (!valid) {
			fputs("\xEF\xBF\xBD", f);
		} else if (c == '"' || c == '\\') {
			putc('\\', f);
			putc(c, f);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else if (c == '\r') {
			fputs("\\r", f);
		} else if (c == '\t') {
			fputs("\\t", f);
		} else if (c == '\b') {
			fputs("\\b", f);
		} else if (c == '\f') {
			fputs("\\f", f);
		} else {
			/* The other C0 controls, DEL, and C1. */
			fputs("\\u00", f);
			putc(hex[cp >> 4], f);
			putc(hex[cp & 15], f);
		}
		i += (size_t)len;
		run = i;
	}
	if (n > run)
		fwrite(s + run, 1, n - run, f);
	putc('"', f);
}

void json_writer_init(struct json_writer *w, FILE *f, int flags)
{
	memset(w, 0, sizeof *w);
	w->f = f;
	w->flags = flags;
}

static void json_newline(struct json_writer *w)
{
	putc('\n', w->f);
	for (int d = 0; d < w->depth; d++)
		fputs("  ", w->f);
}

/* Before a member or an item of the innermost open level. */
static void json_separate(struct json_writer *w)
{
	int d = w->depth - 1;

	if (w->nonempty[d])
		putc(',', w->f);
	w->nonempty[d] = true;
	if (w->flags & JSON_PRETTY)
		json_newline(w);
}

/* Before any value: in an object its key has done the separating. */
static void json_before_value(struct json_writer *w)
{
	if (w->depth == 0)
		return;
	if (w->kind[w->depth - 1] == '{') {
		assert(w->want_value && "a value in an object needs its key first");
		w->want_value = false;
		return;
	}
	json_separate(w);
}

static void json_begin(struct json_writer *w, char kind)
{
	json_before_value(w);
	assert(w->depth < JSON_DEPTH_MAX);
	putc(kind, w->f);
	w->kind[w->depth] = kind;
	w->nonempty[w->depth] = false;
	w->depth++;
}

static void json_end(struct json_writer *w, char kind)
{
	assert(w->depth > 0 && w->kind[w->depth - 1] == kind && !w->want_value);
	w->depth--;
	if (w->nonempty[w->depth] && (w->flags & JSON_PRETTY))
		json_newline(w);
	putc(kind == '{' ? '}' : ']', w->f);
}

void json_begin_object(struct json_writer *w)
{
	json_begin(w, '{');
}

void json_end_object(struct json_writer *w)
{
	json_end(w, '{');
}

void json_begin_array(struct json_writer *w)
{
	json_begin(w, '[');
}

void json_end_array(struct json_writer *w)
{
	json_end(w, '[');
}

void json_key_len(struct json_writer *w, const char *key, size_t n)
{
	assert(w->depth > 0 && w->kind[w->depth - 1] == '{' && !w->want_value);
	json_separate(w);
	json_string(w->f, key, n);
	putc(':', w->f);
	if (w->flags & JSON_PRETTY)
		putc(' ', w->f);
	w->want_value = true;
}

void json_key(struct json_writer *w, const char *key)
{
	json_key_len(w, key, strlen(key));
}

void json_put_string(struct json_writer *w, const char *s, size_t n)
{
	json_before_value(w);
	json_string(w->f, s, n);
}

void json_put_str(struct json_writer *w, const char *s)
{
	if (s)
		json_put_string(w, s, strlen(s));
	else
		json_put_null(w);
}

void json_put_int(struct json_writer *w, int64_t v)
{
	json_before_value(w);
	fprintf(w->f, "%" PRId64, v);
}

void json_put_double(struct json_writer *w, double v)
{
	char buf[40];
	locale_t c = json_c_locale(), old = (locale_t)0;

	if (!isfinite(v)) {
		json_put_null(w);
		return;
	}
	json_before_value(w);
	if (c)
		old = uselocale(c);
	/* The shortest of 15..17 significant digits that reads back exactly. */
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (c)
		uselocale(old);
	/* "2" would read back as an integer. */
	if (!strpbrk(buf, ".e"))
		strcat(buf, ".0");
	fputs(buf, w->f);
}

void json_put_bool(struct json_writer *w, bool v)
{
	json_before_value(w);
	fputs(v ? "true" : "false", w->f);
}

void json_put_null(struct json_writer *w)
{
	json_before_value(w);
	fputs("null", w->f);
}

void json_put_value(struct json_writer *w, const struct json *v)
{
	size_t i;

	switch (json_type(v)) {
	case JSON_NULL:
		json_put_null(w);
		break;
	case JSON_BOOL:
		json_put_bool(w, v->u.b);
		break;
	case JSON_INT:
		json_put_int(w, v->u.i);
		break;
	case JSON_REAL:
		json_put_double(w, v->u.d);
		break;
	case JSON_STRING:
		json_put_string(w, v->u.str.s, v->u.str.n);
		break;
	case JSON_ARRAY:
		json_begin_array(w);
		for (i = 0; i < v->u.list.n; i++)
			json_put_value(w, v->u.list.m[i].value);
		json_end_array(w);
		break;
	case JSON_OBJECT:
		json_begin_object(w);
		for (i = 0; i < v->u.list.n; i++) {
			json_key_len(w, v->u.list.m[i].key, v->u.list.m[i].keylen);
			json_put_value(w, v->u.list.m[i].value);
		}
		json_end_object(w);
		break;
	}
}

/* ---------------------------------------------------------------- reader */

struct json_parser {
	const char *s;
	size_t n, pos;
	size_t line;    /* the number of the input's first line */
	char *buf;      /* scratch: a string being unescaped, a number for strtod */
	size_t len, cap;
	int depth;
};

/* Fail at s[at]: the line and the column in code points are counted now. */
static void json_fail(const struct json_parser *p, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void json_fail(const struct json_parser *p, size_t at, const char *fmt, ...)
{
	char what[256];
	size_t line = p->line, start = 0, col = 1, i;
	uint32_t cp;
	int valid;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	for (i = 0; i < at; i++) {
		if (p->s[i] == '\n') {
			line++;
			start = i + 1;
		}
	}
	for (i = start; i < at; col++)
		i += (size_t)util_utf8_decode(p->s + i, p->n - i, &cp, &valid);
	util_error("line %zu, column %zu: %s", line, col, what);
}

/* What stands at s[at], for a message: 'x', U+XXXX, byte 0xXX, end of input. */
static const char *json_describe(const struct json_parser *p, size_t at, char *out, size_t size)
{
	unsigned char c;
	uint32_t cp;
	int valid;

	if (at >= p->n) {
		snprintf(out, size, "end of input");
		return out;
	}
	c = (unsigned char)p->s[at];
	if (c > 0x20 && c < 0x7F) {
		snprintf(out, size, "'%c'", c);
		return out;
	}
	util_utf8_decode(p->s + at, p->n - at, &cp, &valid);
	if (valid)
		snprintf(out, size, "U+%04" PRIX32, cp);
	else
		snprintf(out, size, "byte 0x%02X", c);
	return out;
}

static void json_unexpected(const struct json_parser *p, size_t at, const char *after)
{
	char what[32];

	json_fail(p, at, "unexpected %s%s", json_describe(p, at, what, sizeof what), after);
}

static void json_ws(struct json_parser *p)
{
	while (p->pos < p->n) {
		char c = p->s[p->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static void json_scratch(struct json_parser *p, const char *s, size_t n)
{
	if (p->cap - p->len < n + 1) {
		size_t cap = p->cap ? p->cap : 256;
		while (cap - p->len < n + 1)
			cap *= 2;
		p->buf = util_realloc(p->buf, cap);
		p->cap = cap;
	}
	memcpy(p->buf + p->len, s, n);
	p->len += n;
	p->buf[p->len] = '\0';
}

static struct json *json_new(enum json_type type)
{
	struct json *v = util_calloc(1, sizeof *v);

	v->type = type;
	return v;
}

/* Four hex digits at s[at..at+4), or -1. */
static long json_hex4(const struct json_parser *p, size_t at)
{
	long v = 0;

	if (at > p->n || p->n - at < 4)
		return -1;
	for (size_t i = at; i < at + 4; i++) {
		char c = p->s[i];
		int d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* The escape at s[pos] (a backslash), appended to the scratch. */
static int json_escape(struct json_parser *p, size_t open)
{
	size_t at = p->pos;
	char out[4];
	long cp, lo;
	char e;

	if (at + 1 >= p->n) {
		json_fail(p, open, "string is never closed");
		return -1;
	}
	e = p->s[at + 1];
	switch (e) {
	case '"': case '\\': case '/':
		out[0] = e;
		break;
	case 'b': out[0] = '\b'; break;
	case 'f': out[0] = '\f'; break;
	case 'n': out[0] = '\n'; break;
	case 'r': out[0] = '\r'; break;
	case 't': out[0] = '\t'; break;
	case 'u':
		cp = json_hex4(p, at + 2);
		if (cp < 0) {
			json_fail(p, at, "invalid \\u escape");
			return -1;
		}
		p->pos = at + 6;
		if (cp >= 0xDC00 && cp <= 0xDFFF) {
			json_fail(p, at, "lone surrogate \\u%04lX", cp);
			return -1;
		}
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			/* A high surrogate must be followed by its low half. */
			if (p->n - p->pos < 2 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u') {
				json_fail(p, at, "lone surrogate \\u%04lX", cp);
				return -1;
			}
			lo = json_hex4(p, p->pos + 2);
			if (lo < 0) {
				json_fail(p, p->pos, "invalid \\u escape");
				return -1;
			}
			if (lo < 0xDC00 || lo > 0xDFFF) {
				json_fail(p, at, "lone surrogate \\u%04lX", cp);
				return -1;
			}
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			p->pos += 6;
		}
		json_scratch(p, out, (size_t)util_utf8_encode((uint32_t)cp, out));
		return 0;
	default:
		if (e > 0x20 && e < 0x7F)
			json_fail(p, at, "invalid escape '\\%c'", e);
		else
			json_fail(p, at, "invalid escape");
		return -1;
	}
	json_scratch(p, out, 1);
	p->pos = at + 2;
	return 0;
}

/* The string at s[pos] (its opening quote), unescaped into a new buffer. */
static int json_str(struct json_parser *p, char **out, size_t *outlen)
{
	size_t open = p->pos++;
	const unsigned char *s = (const unsigned char *)p->s;

	p->len = 0;
	for (;;) {
		size_t start = p->pos;
		unsigned char c = 0;
		while (p->pos < p->n) {
			c = s[p->pos];
			if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
				break;
			p->pos++;
		}
		if (p->pos > start)
			json_scratch(p, p->s + start, p->pos - start);
		if (p->pos == p->n) {
			json_fail(p, open, "string is never closed");
			return -1;
		}
		if (c == '"') {
			p->pos++;
			break;
		}
		if (c < 0x20) {
			json_fail(p, p->pos, "control character U+%04X in a string", c);
			return -1;
		}
		if (c >= 0x80) {
			uint32_t cp;
			int valid, len = util_utf8_decode(p->s + p->pos, p->n - p->pos, &cp, &valid);
			if (!valid) {
				json_fail(p, p->pos, "invalid UTF-8");
				return -1;
			}
			json_scratch(p, p->s + p->pos, (size_t)len);
			p->pos += (size_t)len;
			continue;
		}
		if (json_escape(p, open) < 0)
			return -1;
	}
	*out = util_malloc(p->len + 1);
	memcpy(*out, p->buf ? p->buf : "", p->len);
	(*out)[p->len] = '\0';
	*outlen = p->len;
	return 0;
}

static bool json_digit(const struct json_parser *p)
{
	return p->pos < p->n && p->s[p->pos] >= '0' && p->s[p->pos] <= '9';
}

static struct json *json_number(struct json_parser *p)
{
	size_t start = p->pos;
	bool neg = false, integral = true;
	struct json *v;

	if (p->s[p->pos] == '-') {
		neg = true;
		p->pos++;
	}
	if (p->pos < p->n && p->s[p->pos] == '0') {
		p->pos++;
		if (json_digit(p)) {
			json_fail(p, p->pos, "leading zero in a number");
			return NULL;
		}
	} else if (json_digit(p)) {
		while (json_digit(p))
			p->pos++;
	} else {
		json_fail(p, p->pos, "expected a digit");
		return NULL;
	}
	if (p->pos < p->n && p->s[p->pos] == '.') {
		p->pos++;
		integral = false;
		if (!json_digit(p)) {
			json_fail(p, p->pos, "expected a digit");
			return NULL;
		}
		while (json_digit(p))
			p->pos++;
	}
	if (p->pos < p->n && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		integral = false;
		if (p->pos < p->n && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (!json_digit(p)) {
			json_fail(p, p->pos, "expected a digit");
			return NULL;
		}
		while (json_digit(p))
			p->pos++;
	}
	if (integral) {
		/* Exact, by hand: strtod would round past 2^53. */
		uint64_t mag = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
		bool fits = true;
		for (size_t i = start + neg; i < p->pos && fits; i++) {
			uint64_t d = (uint64_t)(p->s[i] - '0');
			if (mag > (limit - d) / 10)
				fits = false;
			else
				mag = mag * 10 + d;
		}
		if (fits) {
			v = json_new(JSON_INT);
			if (!neg)
				v->u.i = (int64_t)mag;
			else
				v->u.i = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
			return v;
		}
	}
	p->len = 0;
	json_scratch(p, p->s + start, p->pos - start);
	locale_t c = json_c_locale(), old = (locale_t)0;
	if (c)
		old = uselocale(c);
	double d = strtod(p->buf, NULL);
	if (c)
		uselocale(old);
	if (isinf(d)) {
		json_fail(p, start, "number out of range");
		return NULL;
	}
	v = json_new(JSON_REAL);
	v->u.d = d;
	v->big = integral;
	return v;
}

static void json_push(struct json *v, char *key, size_t keylen, size_t at, struct json *item)
{
	if (v->u.list.n == v->u.list.cap) {
		v->u.list.cap = v->u.list.cap ? v->u.list.cap * 2 : 4;
		v->u.list.m = util_realloc(v->u.list.m, v->u.list.cap * sizeof *v->u.list.m);
	}
	v->u.list.m[v->u.list.n++] = (struct json_member){key, keylen, at, item};
}

static struct json *json_value(struct json_parser *p);

static struct json *json_array(struct json_parser *p)
{
	struct json *v = json_new(JSON_ARRAY), *item;

	p->pos++;
	json_ws(p);
	if (p->pos < p->n && p->s[p->pos] == ']') {
		p->pos++;
		return v;
	}
	for (;;) {
		if (!(item = json_value(p)))
			goto fail;
		json_push(v, NULL, 0, 0, item);
		json_ws(p);
		if (p->pos < p->n && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->n && p->s[p->pos] == ']') {
			p->pos++;
			return v;
		}
		if (p->pos == p->n)
			json_unexpected(p, p->pos, "");
		else
			json_fail(p, p->pos, "expected ',' or ']'");
		goto fail;
	}
fail:
	json_free(v);
	return NULL;
}

static int json_member_cmp(const void *a, const void *b)
{
	const struct json_member *x = *(const struct json_member *const *)a;
	const struct json_member *y = *(const struct json_member *const *)b;
	size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	if (x->keylen != y->keylen)
		return x->keylen < y->keylen ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* A key made safe to quote in a message: controls become '?', long ones are cut. */
static void json_key_for_message(const char *key, size_t n, char *out, size_t size)
{
	size_t i = 0, o = 0;
	uint32_t cp;
	int valid;

	while (i < n) {
		int len = util_utf8_decode(key + i, n - i, &cp, &valid);
		if (o + (size_t)len + 4 >= size) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
			out[o++] = '?';
		} else {
			memcpy(out + o, key + i, (size_t)len);
			o += (size_t)len;
		}
		i += (size_t)len;
	}
	out[o] = '\0';
}

/* Sorting finds duplicates in n log n: a hostile object may have many keys. */
static int json_check_duplicates(const struct json_parser *p, const struct json *v)
{
	size_t n = v->u.list.n, i;
	const struct json_member **m, *dup = NULL;
	char key[64];

	if (n < 2)
		return 0;
	m = util_malloc(n * sizeof *m);
	for (i = 0; i < n; i++)
		m[i] = &v->u.list.m[i];
	qsort(m, n, sizeof *m, json_member_cmp);
	for (i = 1; i < n; i++) {
		if (m[i]->keylen == m[i - 1]->keylen && !memcmp(m[i]->key, m[i - 1]->key, m[i]->keylen) &&
		    (!dup || m[i]->at < dup->at))
			dup = m[i];
	}
	free(m);
	if (!dup)
		return 0;
	json_key_for_message(dup->key, dup->keylen, key, sizeof key);
	json_fail(p, dup->at, "duplicate key '%s'", key);
	return -1;
}

static struct json *json_object(struct json_parser *p)
{
	struct json *v = json_new(JSON_OBJECT), *item;
	char *key;
	size_t keylen, at;

	p->pos++;
	json_ws(p);
	if (p->pos < p->n && p->s[p->pos] == '}') {
		p->pos++;
		return v;
	}
	for (;;) {
		json_ws(p);
		if (p->pos == p->n) {
			json_unexpected(p, p->pos, "");
			goto fail;
		}
		if (p->s[p->pos] != '"') {
			json_fail(p, p->pos, "expected a key (a string)");
			goto fail;
		}
		at = p->pos;
		if (json_str(p, &key, &keylen) < 0)
			goto fail;
		json_ws(p);
		if (p->pos == p->n || p->s[p->pos] != ':') {
			if (p->pos == p->n)
				json_unexpected(p, p->pos, "");
			else
				json_fail(p, p->pos, "expected ':' after the key");
			free(key);
			goto fail;
		}
		p->pos++;
		if (!(item = json_value(p))) {
			free(key);
			goto fail;
		}
		json_push(v, key, keylen, at, item);
		json_ws(p);
		if (p->pos < p->n && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->n && p->s[p->pos] == '}') {
			p->pos++;
			break;
		}
		if (p->pos == p->n)
			json_unexpected(p, p->pos, "");
		else
			json_fail(p, p->pos, "expected ',' or '}'");
		goto fail;
	}
	if (json_check_duplicates(p, v) < 0)
		goto fail;
	return v;
fail:
	json_free(v);
	return NULL;
}

static struct json *json_literal(struct json_parser *p, const char *word, struct json *v)
{
	size_t len = strlen(word);

	if (p->n - p->pos < len || memcmp(p->s + p->pos, word, len)) {
		json_fail(p, p->pos, "invalid literal (not true, false or null)");
		json_free(v);
		return NULL;
	}
	p->pos += len;
	return v;
}

static struct json *json_value(struct json_parser *p)
{
	struct json *v;

	json_ws(p);
	if (p->pos == p->n) {
		json_unexpected(p, p->pos, "");
		return NULL;
	}
	switch (p->s[p->pos]) {
	case '{':
	case '[':
		/* Recursion is bounded here, so the stack is too. */
		if (p->depth == JSON_DEPTH_MAX) {
			json_fail(p, p->pos, "nesting deeper than %d levels", JSON_DEPTH_MAX);
			return NULL;
		}
		p->depth++;
		v = p->s[p->pos] == '{' ? json_object(p) : json_array(p);
		p->depth--;
		return v;
	case '"':
		v = json_new(JSON_STRING);
		if (json_str(p, &v->u.str.s, &v->u.str.n) < 0) {
			free(v);
			return NULL;
		}
		return v;
	case 't':
		v = json_new(JSON_BOOL);
		v->u.b = true;
		return json_literal(p, "true", v);
	case 'f':
		return json_literal(p, "false", json_new(JSON_BOOL));
	case 'n':
		return json_literal(p, "null", json_new(JSON_NULL));
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return json_number(p);
	default:
		json_unexpected(p, p->pos, "");
		return NULL;
	}
}

struct json *json_parse(const char *s, size_t n, size_t line)
{
	struct json_parser p = {s, n, 0, line, NULL, 0, 0, 0};
	struct json *v = NULL;

	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		json_fail(&p, 0, "byte order mark at the start (gloss never writes one)");
		return NULL;
	}
	v = json_value(&p);
	if (v) {
		json_ws(&p);
		if (p.pos < n) {
			json_unexpected(&p, p.pos, " after the value");
			json_free(v);
			v = NULL;
		}
	}
	free(p.buf);
	return v;
}

void json_free(struct json *v)
{
	if (!v)
		return;
	if (v->type == JSON_STRING) {
		free(v->u.str.s);
	} else if (v->type == JSON_ARRAY || v->type == JSON_OBJECT) {
		for (size_t i = 0; i < v->u.list.n; i++) {
			free(v->u.list.m[i].key);
			json_free(v->u.list.m[i].value);
		}
		free(v->u.list.m);
	}
	free(v);
}

/* ---------------------------------------------------------------- accessors */

enum json_type json_type(const struct json *v)
{
	return v ? v->type : JSON_NULL;
}

const struct json *json_get(const struct json *v, const char *key)
{
	size_t n;

	if (!v || v->type != JSON_OBJECT)
		return NULL;
	n = strlen(key);
	for (size_t i = 0; i < v->u.list.n; i++) {
		const struct json_member *m = &v->u.list.m[i];
		if (m->keylen == n && memcmp(m->key, key, n) == 0)
			return m->value;
	}
	return NULL;
}

const char *json_as_string(const struct json *v, size_t *len)
{
	if (!v || v->type != JSON_STRING) {
		util_error(v ? "not a string" : "missing");
		return NULL;
	}
	if (len)
		*len = v->u.str.n;
	return v->u.str.s;
}

bool json_as_int(const struct json *v, int64_t *out)
{
	if (v && v->type == JSON_INT) {
		*out = v->u.i;
		return true;
	}
	if (!v)
		util_error("missing");
	else if (v->type == JSON_REAL && v->big)
		util_error("integer out of range");
	else
		util_error("not an integer");
	return false;
}

bool json_as_double(const struct json *v, double *out)
{
	if (v && v->type == JSON_INT) {
		*out = (double)v->u.i;
		return true;
	}
	if (v && v->type == JSON_REAL) {
		*out = v->u.d;
		return true;
	}
	util_error(v ? "not a number" : "missing");
	return false;
}

bool json_as_bool(const struct json *v, bool *out)
{
	if (v && v->type == JSON_BOOL) {
		*out = v->u.b;
		return true;
	}
	util_error(v ? "not true or false" : "missing");
	return false;
}

size_t json_length(const struct json *v)
{
	if (v && (v->type == JSON_ARRAY || v->type == JSON_OBJECT))
		return v->u.list.n;
	return 0;
}

const struct json *json_at(const struct json *v, size_t i)
{
	if (i >= json_length(v))
		return NULL;
	return v->u.list.m[i].value;
}

const char *json_key_at(const struct json *v, size_t i, size_t *len)
{
	if (json_type(v) != JSON_OBJECT || i >= v->u.list.n)
		return NULL;
	if (len)
		*len = v->u.list.m[i].keylen;
	return v->u.list.m[i].key;
}
