/*
 * fuzz_seg: the input is a document.  At every position (a sample of them
 * when the document is big) every seg_* function must answer within [0, n],
 * on a code point boundary, in the direction it promises; walking each kind
 * of boundary from one end to the other must end.  The first layer of the
 * sentence rules gets the input's code points, and the input read as raw
 * code points, and must keep the two UAX #29 rules that no tailoring undoes
 * (no break inside CR LF; a break after a paragraph separator).
 */
#include <string.h>

#include "fuzz.h"
#include "gloss/seg.h"

/*
 * Each query decodes a few KiB around its position, so a big input is
 * sampled: every position up to ALL_POSITIONS bytes, else SAMPLE of them,
 * and walks of at most WALK_STEPS steps from either end.
 */
#define ALL_POSITIONS 64
#define SAMPLE 8
#define WALK_STEPS 8

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_locale();
	return 0;
}

static void check_pos(const char *s, size_t n, const char *what, size_t pos, size_t r)
{
	CHECK(r <= n, "%s(%zu) = %zu past n %zu", what, pos, r, n);
	CHECK(fuzz_boundary(s, n, r), "%s(%zu) = %zu inside a code point", what, pos, r);
}

static void check_forward(const char *s, size_t n, const char *what, size_t pos, size_t r)
{
	check_pos(s, n, what, pos, r);
	CHECK(r > pos || (pos == n && r == n), "%s(%zu) = %zu does not move forward", what, pos, r);
}

static void check_backward(const char *s, size_t n, const char *what, size_t pos, size_t r)
{
	check_pos(s, n, what, pos, r);
	CHECK(r < pos || (pos == 0 && r == 0), "%s(%zu) = %zu does not move back", what, pos, r);
}

static void check_at(const char *s, size_t n, size_t pos, size_t last_grapheme)
{
	size_t r, st, en;

	check_forward(s, n, "seg_grapheme_next", pos, seg_grapheme_next(s, n, pos));
	check_backward(s, n, "seg_grapheme_prev", pos, seg_grapheme_prev(s, n, pos));
	check_forward(s, n, "seg_word_next", pos, seg_word_next(s, n, pos));
	check_backward(s, n, "seg_word_prev", pos, seg_word_prev(s, n, pos));
	r = seg_word_end(s, n, pos);
	check_pos(s, n, "seg_word_end", pos, r);
	/* Ahead of pos, unless no word ends after it: then the last grapheme. */
	CHECK(r > pos || r == last_grapheme, "seg_word_end(%zu) = %zu, last grapheme at %zu", pos, r,
	      last_grapheme);
	check_forward(s, n, "seg_sentence_next", pos, seg_sentence_next(s, n, pos));
	check_backward(s, n, "seg_sentence_prev", pos, seg_sentence_prev(s, n, pos));
	st = en = (size_t)-1;
	seg_sentence_at(s, n, pos, &st, &en);
	check_pos(s, n, "seg_sentence_at start", pos, st);
	check_pos(s, n, "seg_sentence_at end", pos, en);
	CHECK(st <= en, "seg_sentence_at(%zu) = [%zu, %zu)", pos, st, en);
	check_forward(s, n, "seg_para_next", pos, seg_para_next(s, n, pos));
	check_backward(s, n, "seg_para_prev", pos, seg_para_prev(s, n, pos));
}

/* Each kind of step moves from either end (all the way on a small input). */
static void walk(const char *s, size_t n, const char *what,
		 size_t (*step)(const char *, size_t, size_t), bool forward)
{
	size_t pos = forward ? 0 : n, i, r;

	for (i = 0; (n <= ALL_POSITIONS || i < WALK_STEPS) && pos != (forward ? n : 0); i++) {
		r = step(s, n, pos);
		if (forward)
			check_forward(s, n, what, pos, r);
		else
			check_backward(s, n, what, pos, r);
		pos = r;
	}
}

static bool is_parasep(uint32_t cp)
{
	return cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

static void check_uax29(const uint32_t *cp, size_t len)
{
	char *brk = malloc(len + 1);
	size_t i;

	CHECK(brk, "out of memory");
	memset(brk, 7, len + 1);
	seg_uax29_sentence_breaks(cp, len, brk);
	CHECK(brk[len] == 7, "seg_uax29_sentence_breaks wrote past len %zu", len);
	for (i = 0; i < len; i++) {
		CHECK(brk[i] == 0 || brk[i] == 1, "brk[%zu] = %d", i, brk[i]);
		if (i == 0) {
			CHECK(brk[0] == 0, "a break before the first code point");
		} else if (cp[i - 1] == '\r' && cp[i] == '\n') {
			CHECK(brk[i] == 0, "a break inside CR LF at %zu", i); /* SB3 */
		} else if (is_parasep(cp[i - 1])) {
			CHECK(brk[i] == 1, "no break after U+%04X at %zu", (unsigned)cp[i - 1], i); /* SB4 */
		}
	}
	free(brk);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rng rng = fuzz_rng_of(data, size);
	char *s = fuzz_copy(data, size);
	size_t n = size, i, last, ncp = 0;
	uint32_t *cp = malloc((size + 1) * sizeof *cp);

	CHECK(cp, "out of memory");
	last = n ? seg_grapheme_prev(s, n, n) : 0;
	if (n <= ALL_POSITIONS) {
		for (i = 0; i <= n; i++)
			check_at(s, n, i, last);
	} else {
		check_at(s, n, 0, last);
		check_at(s, n, n, last);
		for (i = 0; i < SAMPLE; i++)
			check_at(s, n, fuzz_upto(&rng, n), last);
	}
	walk(s, n, "seg_grapheme_next", seg_grapheme_next, true);
	walk(s, n, "seg_grapheme_prev", seg_grapheme_prev, false);
	walk(s, n, "seg_word_next", seg_word_next, true);
	walk(s, n, "seg_word_prev", seg_word_prev, false);
	walk(s, n, "seg_sentence_next", seg_sentence_next, true);
	walk(s, n, "seg_sentence_prev", seg_sentence_prev, false);
	walk(s, n, "seg_para_next", seg_para_next, true);
	walk(s, n, "seg_para_prev", seg_para_prev, false);

	/* The first sentence layer: the decoded text, then raw code points. */
	for (i = 0; i < n;) {
		int valid;
		i += (size_t)util_utf8_decode(s + i, n - i, &cp[ncp++], &valid);
	}
	check_uax29(cp, ncp);
	for (ncp = 0, i = 0; i + 3 <= n; i += 3)
		cp[ncp++] = ((uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2]) % 0x110000;
	check_uax29(cp, ncp);

	free(cp);
	free(s);
	return 0;
}
