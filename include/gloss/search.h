/*
 * search: finding a pattern in a document, as vim's smartcase does it.
 *
 * A pattern with an uppercase letter matches case exactly; one without
 * matches under Unicode full case folding (so "strasse" finds "Straße" and
 * "müller" finds "MÜLLER").  Either way each code point is compared as its
 * canonical decomposition, so "é" (U+00E9) and "e" + U+0301 find each other;
 * combining marks are not reordered.  Matches start and end on code point
 * boundaries of the document, and never inside one code point's
 * decomposition.  Ill-formed bytes in the document never match.  A run of
 * blanks or tabs in the pattern matches all the white space there is
 * (blank, tab, CR, LF, U+00A0), at least one, up to hi; a match that opens
 * with one starts where the white space does (or at lo).
 */
#ifndef GLOSS_SEARCH_H
#define GLOSS_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

struct search;

/*
 * Compile pattern (UTF-8, NUL-terminated).  NULL with util_error() when it is
 * empty or not valid UTF-8.  The caller owns the result (search_free).
 */
struct search *search_new(const char *pattern);
void search_free(struct search *q);
/* The pattern as given; owned by q. */
const char *search_pattern(const struct search *q);
/* True when the pattern matches case exactly (it holds an uppercase letter). */
bool search_exact(const struct search *q);

/*
 * The first match that starts at or after from (forward) or the last that
 * starts before from (backward) within s[lo..hi); its span in *mstart,
 * *mend.  Returns false when there is none.  cancel, when not NULL, is called
 * now and then (every few MiB looked at) and stops the search, returning
 * false, when it returns true.
 */
bool search_find(const struct search *q, const char *s, size_t lo, size_t hi,
		 size_t from, bool backward, size_t *mstart, size_t *mend,
		 bool (*cancel)(void *), void *arg);
/*
 * search_find forward, with the match's start also before until: the first
 * match that starts in [from, until) and ends by hi.  White space may take
 * a match far past where it starts; this looks for starts no further.
 */
bool search_find_starting(const struct search *q, const char *s, size_t lo, size_t hi,
			  size_t from, size_t until, size_t *mstart, size_t *mend,
			  bool (*cancel)(void *), void *arg);

#endif
