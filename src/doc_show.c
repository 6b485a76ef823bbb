/*
 * doc_show.c: how one code point of a document shows on a terminal.
 *
 * This is the one place that decides what may reach the terminal: every
 * byte a document holds is either shown as itself (printable text) or
 * replaced by a visible ASCII form, so an escape sequence, a bidi override
 * or a line separator in a document can neither drive the terminal nor
 * reorder what it shows.
 */
/* wcwidth() is X/Open. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif

#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "gloss/doc.h"
#include "gloss/util.h"

static void show_set(struct doc_show *out, enum doc_show_kind kind, int width,
		     const char *text)
{
	out->kind = kind;
	out->width = width;
	snprintf(out->text, sizeof out->text, "%s", text);
}

int doc_show_cp(const char *s, size_t n, struct doc_show *out)
{
	uint32_t cp;
	int valid, len, w;
	char buf[sizeof out->text];

	assert(n >= 1);
	len = util_utf8_decode(s, n, &cp, &valid);
	if (!valid) {
		show_set(out, DOC_SHOW_INVALID, 1, "\xEF\xBF\xBD");
		return len;
	}
	if (cp == '\t') {
		/* The layout gives a tab its real width; alone it is one blank. */
		show_set(out, DOC_SHOW_TAB, 1, " ");
		return len;
	}
	if (cp < 0x20 || cp == 0x7F) {
		buf[0] = '^';
		buf[1] = (char)(cp == 0x7F ? '?' : cp + 0x40);
		buf[2] = '\0';
		show_set(out, DOC_SHOW_CONTROL, 2, buf);
		return len;
	}
	if (cp >= 0x80 && cp <= 0x9F) {
		snprintf(buf, sizeof buf, "<%02X>", (unsigned)cp);
		show_set(out, DOC_SHOW_CONTROL, 4, buf);
		return len;
	}
	if (util_cp_disruptive(cp)) {
		snprintf(buf, sizeof buf, "<U+%04X>", (unsigned)(cp & 0xFFFF));
		show_set(out, DOC_SHOW_CONTROL, (int)strlen(buf), buf);
		return len;
	}
	w = wcwidth((wchar_t)cp);
	if (w < 0) {
		/*
		 * Well-formed but unknown to the terminal's tables (unassigned,
		 * a noncharacter, newer than the C library): its width is a
		 * guess either way, so show a one-cell stand-in.  The bytes are
		 * valid, hence CONTROL rather than INVALID.
		 */
		show_set(out, DOC_SHOW_CONTROL, 1, "\xEF\xBF\xBD");
		return len;
	}
	out->kind = DOC_SHOW_TEXT;
	out->width = w > 2 ? 2 : w;
	out->text[util_utf8_encode(cp, out->text)] = '\0';
	return len;
}
