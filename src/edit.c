/*
 * edit.c: the note editor's buffer.  One flat byte array with the cursor as
 * an offset: notes are small, and a splice of a 100 KB note is a memmove.
 *
 * Grapheme steps ask seg, which looks at a window around the cursor.  Column
 * work walks a whole line, so it does not ask seg once per grapheme (each
 * call decodes a 2 KiB window): it decodes the line in chunks the way seg
 * decodes (util_utf8_decode, so ill-formed bytes split the same way) and asks
 * libunistring for the breaks of each chunk.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memrchr */
#endif
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <unigbrk.h>

#include "gloss/doc.h"
#include "gloss/edit.h"
#include "gloss/seg.h"
#include "gloss/util.h"

#define EDIT_WANT_NONE (-1)
#define EDIT_WANT_END INT_MAX /* after edit_end(): the end of every line */
#define EDIT_CHUNK 1024       /* code points a column walk decodes at a time */
#define EDIT_GIANT 512        /* a grapheme this long is abuse; seg cuts it too */

struct edit {
	char *buf;   /* len bytes and a NUL */
	size_t len, cap;
	size_t cur;
	int want;    /* the column up and down aim at, or EDIT_WANT_NONE */
};

struct edit *edit_new(const char *text)
{
	struct edit *e = util_calloc(1, sizeof *e);

	if (!text)
		text = "";
	e->len = strlen(text);
	e->cap = e->len + 16;
	e->buf = util_malloc(e->cap);
	memcpy(e->buf, text, e->len + 1);
	e->cur = e->len;
	e->want = EDIT_WANT_NONE;
	return e;
}

void edit_free(struct edit *e)
{
	if (!e)
		return;
	free(e->buf);
	free(e);
}

const char *edit_text(const struct edit *e)
{
	return e->buf;
}

size_t edit_len(const struct edit *e)
{
	return e->len;
}

size_t edit_cursor(const struct edit *e)
{
	return e->cur;
}

/* ---- graphemes and lines ---- */

static size_t edit_next(const struct edit *e, size_t pos)
{
	return seg_grapheme_next(e->buf, e->len, pos);
}

static size_t edit_prev(const struct edit *e, size_t pos)
{
	return seg_grapheme_prev(e->buf, e->len, pos);
}

/* The start of the grapheme holding pos (pos itself when it is a boundary). */
static size_t edit_cluster_start(const struct edit *e, size_t pos, size_t *end)
{
	size_t nx, st;

	if (pos == 0 || pos >= e->len) {
		*end = pos;
		return pos;
	}
	nx = edit_next(e, pos);
	st = edit_prev(e, nx);
	/* Past a few hundred bytes seg's windows cut clusters: any code point boundary will do. */
	if (st > pos || nx - st > EDIT_GIANT) {
		*end = util_utf8_back(e->buf, pos);
		return *end;
	}
	*end = nx;
	return st;
}

/* After a change around the cursor: out of a grapheme the change made, to its end or start. */
static void edit_settle(struct edit *e, int to_end)
{
	size_t end, st = edit_cluster_start(e, e->cur, &end);

	if (st != e->cur)
		e->cur = to_end ? end : st;
}

static size_t edit_line_start(const struct edit *e, size_t pos)
{
	const char *nl = pos ? memrchr(e->buf, '\n', pos) : NULL;

	return nl ? (size_t)(nl - e->buf) + 1 : 0;
}

/* The end of the line holding pos: its LF, or the CR of its CRLF, or the text's end. */
static size_t edit_line_end(const struct edit *e, size_t pos)
{
	const char *nl = memchr(e->buf + pos, '\n', e->len - pos);
	size_t end = nl ? (size_t)(nl - e->buf) : e->len;

	if (nl && end > pos && e->buf[end - 1] == '\r')
		end--;
	return end;
}

/*
 * Walk the graphemes of the line part [ls, le) from its start ls, adding up
 * cells, and stop at the first grapheme that starts at or after stop, or
 * that would end past column want.  Returns where it stopped (le at the
 * end); *col gets the column there.
 */
static size_t edit_walk(const struct edit *e, size_t ls, size_t le, size_t stop, int want, int *col)
{
	uint32_t cp[EDIT_CHUNK];
	size_t off[EDIT_CHUNK + 1];
	char brk[EDIT_CHUNK];
	size_t pos = ls, i, j, m, g, h, done;
	int c = 0, valid, w;
	struct doc_show sh;

	while (pos < le) {
		for (m = 0, i = pos; i < le && m < EDIT_CHUNK; m++) {
			off[m] = i;
			i += (size_t)util_utf8_decode(e->buf + i, le - i, &cp[m], &valid);
		}
		off[m] = i;
		u32_grapheme_breaks(cp, m, brk);
		brk[0] = 1;
		/* The last grapheme may go on in the next chunk, unless it fills this one. */
		done = m;
		if (i < le) {
			for (j = m - 1; j > 0 && !brk[j]; j--)
				;
			if (j > 0)
				done = j;
		}
		for (g = 0; g < done; g = h) {
			for (h = g + 1; h < done && !brk[h]; h++)
				;
			if (off[g] < stop) {
				doc_show_cp(e->buf + off[g], off[g + 1] - off[g], &sh);
				w = sh.kind == DOC_SHOW_TAB ? 8 - c % 8 : sh.width > 0 ? sh.width : 1;
				if (w <= want - c) {
					c += w;
					continue;
				}
			}
			*col = c;
			return off[g];
		}
		pos = off[done];
	}
	*col = c;
	return le;
}

int edit_column(const struct edit *e, size_t pos)
{
	size_t ls, le;
	int col;

	if (pos > e->len)
		pos = e->len;
	ls = edit_line_start(e, pos);
	le = edit_line_end(e, ls);
	edit_walk(e, ls, le, pos, INT_MAX, &col);
	return col;
}

/* The line [ls, ...) at column want. */
static size_t edit_at_column(const struct edit *e, size_t ls, int want)
{
	int col;

	return edit_walk(e, ls, edit_line_end(e, ls), SIZE_MAX, want < 0 ? 0 : want, &col);
}

/* ---- changes ---- */

/* Replace del bytes at at with ins[0..n). */
static void edit_splice(struct edit *e, size_t at, size_t del, const char *ins, size_t n)
{
	if (e->len - del + n + 1 > e->cap) {
		e->cap = (e->len - del + n + 1) * 2;
		e->buf = util_realloc(e->buf, e->cap);
	}
	memmove(e->buf + at + n, e->buf + at + del, e->len - at - del + 1);
	memcpy(e->buf + at, ins, n);
	e->len = e->len - del + n;
}

static int edit_allowed(uint32_t cp)
{
	if (cp == '\n' || cp == '\t')
		return 1;
	if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
		return 0;
	return cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
}

bool edit_insert(struct edit *e, uint32_t cp)
{
	char u[4];
	int n;

	if (!edit_allowed(cp))
		return false;
	n = util_utf8_encode(cp, u);
	edit_splice(e, e->cur, 0, u, (size_t)n);
	e->cur += (size_t)n;
	e->want = EDIT_WANT_NONE;
	edit_settle(e, 1);
	return true;
}

bool edit_insert_str(struct edit *e, const char *s)
{
	size_t n = strlen(s), i = 0, o = 0;
	char *tmp = util_malloc(3 * n + 1); /* U+FFFD for a lone byte is the worst */
	bool clean = true;
	uint32_t cp;
	int valid, len;

	while (i < n) {
		if (s[i] == '\r') {
			tmp[o++] = '\n';
			i += s[i + 1] == '\n' ? 2 : 1;
			continue;
		}
		len = util_utf8_decode(s + i, n - i, &cp, &valid);
		i += (size_t)len;
		if (!valid) {
			cp = 0xFFFD;
			clean = false;
		} else if (!edit_allowed(cp)) {
			clean = false;
			continue;
		}
		o += (size_t)util_utf8_encode(cp, tmp + o);
	}
	edit_splice(e, e->cur, 0, tmp, o);
	free(tmp);
	e->cur += o;
	e->want = EDIT_WANT_NONE;
	edit_settle(e, 1);
	return clean;
}

bool edit_backspace(struct edit *e)
{
	size_t p;

	e->want = EDIT_WANT_NONE;
	if (e->cur == 0)
		return false;
	p = edit_prev(e, e->cur);
	edit_splice(e, p, e->cur - p, "", 0);
	e->cur = p;
	edit_settle(e, 1);
	return true;
}

bool edit_delete(struct edit *e)
{
	size_t q;

	e->want = EDIT_WANT_NONE;
	if (e->cur >= e->len)
		return false;
	q = edit_next(e, e->cur);
	edit_splice(e, e->cur, q - e->cur, "", 0);
	edit_settle(e, 0);
	return true;
}

/* ---- motions ---- */

static bool edit_move(struct edit *e, size_t to, int want)
{
	bool moved = to != e->cur;

	e->cur = to;
	e->want = want;
	return moved;
}

void edit_set_cursor(struct edit *e, size_t pos)
{
	size_t end;

	if (pos > e->len)
		pos = e->len;
	edit_move(e, edit_cluster_start(e, pos, &end), EDIT_WANT_NONE);
}

bool edit_left(struct edit *e)
{
	return edit_move(e, e->cur ? edit_prev(e, e->cur) : 0, EDIT_WANT_NONE);
}

bool edit_right(struct edit *e)
{
	return edit_move(e, edit_next(e, e->cur), EDIT_WANT_NONE);
}

bool edit_home(struct edit *e)
{
	return edit_move(e, edit_line_start(e, e->cur), EDIT_WANT_NONE);
}

bool edit_end(struct edit *e)
{
	return edit_move(e, edit_line_end(e, e->cur), EDIT_WANT_END);
}

bool edit_up(struct edit *e)
{
	size_t ls = edit_line_start(e, e->cur);
	int want = e->want;

	if (ls == 0)
		return false;
	if (want == EDIT_WANT_NONE)
		want = edit_column(e, e->cur);
	edit_move(e, edit_at_column(e, edit_line_start(e, ls - 1), want), want);
	return true; /* another line is another place */
}

bool edit_down(struct edit *e)
{
	const char *nl = memchr(e->buf + e->cur, '\n', e->len - e->cur);
	int want = e->want;

	if (!nl)
		return false;
	if (want == EDIT_WANT_NONE)
		want = edit_column(e, e->cur);
	edit_move(e, edit_at_column(e, (size_t)(nl - e->buf) + 1, want), want);
	return true; /* another line is another place */
}

bool edit_goto(struct edit *e, size_t line, int col)
{
	size_t ls, le;

	if (!edit_line(e, line, &ls, &le))
		return false;
	edit_move(e, edit_at_column(e, ls, col), EDIT_WANT_NONE);
	return true;
}

/* ---- drawing ---- */

static size_t edit_count_lf(const struct edit *e, size_t to)
{
	const char *p = e->buf, *end = e->buf + to;
	size_t n = 0;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

size_t edit_line_count(const struct edit *e)
{
	return edit_count_lf(e, e->len) + 1;
}

bool edit_line(const struct edit *e, size_t line, size_t *start, size_t *end)
{
	size_t ls = 0;
	const char *nl;

	for (; line > 0; line--) {
		nl = memchr(e->buf + ls, '\n', e->len - ls);
		if (!nl)
			return false;
		ls = (size_t)(nl - e->buf) + 1;
	}
	*start = ls;
	*end = edit_line_end(e, ls);
	return true;
}

size_t edit_cursor_line(const struct edit *e, int *col)
{
	if (col)
		*col = edit_column(e, e->cur);
	return edit_count_lf(e, e->cur);
}
