/*
 * seg: grapheme, word, sentence and paragraph boundaries.
 *
 * Every function takes a whole document (s, n) and a byte position in it,
 * and looks only at a bounded neighbourhood of that position (a few KiB), so
 * that moving through a 1 GB document, or a 32 MB line, costs what one
 * screen costs.  Positions returned are byte offsets in [0, n] that fall on
 * code point boundaries.  s may hold invalid UTF-8 (each ill-formed byte
 * sequence counts as one U+FFFD) and NUL bytes.
 *
 * Lines end with LF, CRLF or a lone CR, as UAX #29 treats them (Sep).
 */
#ifndef GLOSS_SEG_H
#define GLOSS_SEG_H

#include <stddef.h>
#include <stdint.h>

/* Graphemes (extended grapheme clusters, through libunistring). */
size_t seg_grapheme_next(const char *s, size_t n, size_t pos); /* first boundary > pos, or n */
size_t seg_grapheme_prev(const char *s, size_t n, size_t pos); /* last boundary < pos, or 0 */

/*
 * Words, with the meaning vim gives w, b and e: a word is a run of letters,
 * digits and connectors, or a run of other non-blank characters (so "U.S."
 * is four words, "U", ".", "S", "."); line ends count as blank.  Inside a
 * run of letters and digits, libunistring's UAX #29 word breaks split it
 * further (each CJK ideograph is a word).
 */
size_t seg_word_next(const char *s, size_t n, size_t pos); /* start of the next word, or n */
size_t seg_word_prev(const char *s, size_t n, size_t pos); /* start of this word if pos is inside it, else of the previous one; or 0 */
size_t seg_word_end(const char *s, size_t n, size_t pos);  /* start of the last grapheme of the word ending after pos; or the last grapheme of s */

/*
 * Sentences: UAX #29 sentence breaks, then a second layer that drops the
 * breaks that follow an abbreviation ("U.S. Secretary", "Mr. Smith",
 * "Oct. 7", "Dr.", "Jan."), an initial ("J. R. Smith") or that fall inside a
 * number ("2.0").  Closing quotes and brackets after the full stop belong to
 * the sentence they close.  A sentence does not span a line end, except a
 * soft one: in text wrapped at a fixed width, a line end that only wrapped a
 * full line (seg.c says exactly when) is a space.
 */
size_t seg_sentence_next(const char *s, size_t n, size_t pos); /* start of the next sentence, or n */
size_t seg_sentence_prev(const char *s, size_t n, size_t pos); /* start of this sentence if pos is past it, else of the previous; or 0 */
/*
 * The sentence holding pos: [*start, *end), without trailing white space or
 * the line end.  White space after a sentence belongs to it, a line end to
 * the line it ends; on a blank line the span is empty, at pos.
 */
void seg_sentence_at(const char *s, size_t n, size_t pos, size_t *start, size_t *end);

/*
 * The first layer alone, for testing against SentenceBreakTest.txt: for code
 * points cp[0..len), brk[i] is set to 1 when UAX #29 allows a sentence break
 * before cp[i] (brk[0] is 0: the start of text is not counted), else 0.
 */
void seg_uax29_sentence_breaks(const uint32_t *cp, size_t len, char *brk);

/*
 * Paragraphs are lines (a news article puts one paragraph on a line); blank
 * lines (nothing but white space) separate nothing more and are skipped.
 */
size_t seg_para_next(const char *s, size_t n, size_t pos); /* start of the next non-blank line, or n */
size_t seg_para_prev(const char *s, size_t n, size_t pos); /* start of this line if pos is past it and it is not blank, else of the previous non-blank line; or 0 */

#endif
