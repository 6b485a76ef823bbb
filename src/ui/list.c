/*
 * list.c: the list of annotations of every open document (L), then their
 * orphans (annotations whose text was not found again after their document
 * changed).  Typing filters it (smartcase, as search does); the arrows move;
 * Enter jumps to the one chosen, focusing its pane; on an orphan, with text
 * selected in the focused pane, r re-attaches it there; Esc closes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gloss/doc.h"
#include "gloss/search.h"
#include "gloss/spans.h"
#include "gloss/store.h"
#include "gloss/util.h"
#include "gloss/view.h"
#include "internal.h"

void ui_flat(const char *s, size_t max_cp, char *out, size_t size)
{
	size_t n = 0, i = 0, len = strlen(s);
	uint32_t cp;
	int valid;

	while (i < len && n + 8 < size && max_cp > 0) {
		int k = util_utf8_decode(s + i, len - i, &cp, &valid);
		/* an ill-formed byte is U+FFFD, as the pane and its title show it */
		if (!valid)
			n += (size_t)util_utf8_encode(0xfffd, out + n);
		else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || util_cp_disruptive(cp))
			out[n++] = ' ';
		else
			n += (size_t)util_utf8_encode(cp, out + n);
		i += (size_t)k;
		max_cp--;
	}
	if (i < len && n + 4 < size)
		n += (size_t)util_utf8_encode(0x2026, out + n);
	out[n] = '\0';
}

void ui_list_close(struct ui *u)
{
	for (size_t i = 0; i < u->nitems; i++) {
		free(u->items[i].line);
		free(u->items[i].find);
	}
	free(u->items);
	free(u->shown);
	store_anns_free(u->orphans, u->norphans);
	u->items = NULL;
	u->shown = NULL;
	u->orphans = NULL;
	u->nitems = u->nshown_items = u->norphans = 0;
}

/* The list's tag and document columns: at most this many characters. */
enum { UI_LIST_TAG_CP = 16, UI_LIST_NAME_CP = 24 };

/* The cells of s flattened to at most max_cp characters (24 at most). */
static int ui_list_width(const char *s, size_t max_cp)
{
	char flat[160];

	ui_flat(s, max_cp, flat, sizeof flat);
	return ui_text_width(flat);
}

/* s flattened to at most max_cp characters, then spaces up to w cells. */
static void ui_list_cell(const char *s, size_t max_cp, int w, char *out, size_t size)
{
	size_t n;

	ui_flat(s, max_cp, out, size);
	n = strlen(out);
	for (int pad = w - ui_text_width(out); pad > 0 && n + 1 < size; pad--)
		out[n++] = ' ';
	out[n] = '\0';
}

/* Item k of the list: pane p's annotation an (at index ann of its array),
 * with the line L shows for it (tag and document name padded to u->list_tag_w
 * and u->list_name_w cells), and what the filter searches: its tag, its
 * document's name, its whole quote and its whole note. */
static void ui_list_item(struct ui *u, size_t k, size_t p, size_t ann, const struct store_ann *an,
			 bool orphan)
{
	char quote[200], note[200], name[160], tagcol[120], links[64], line[800];
	const struct store_tag *t = ui_tag_of(u, an->tag);
	const char *docname = doc_name(u->panes[p].doc), *tag = t ? t->name : "?";
	struct ui_item *it = &u->items[k];
	size_t nf;

	ui_flat(an->quote, 60, quote, sizeof quote);
	ui_flat(an->note, 40, note, sizeof note);
	ui_list_cell(tag, UI_LIST_TAG_CP, u->list_tag_w, tagcol, sizeof tagcol);
	ui_list_cell(docname, UI_LIST_NAME_CP, u->list_name_w, name, sizeof name);
	ui_links_text(an, links, sizeof links);
	snprintf(line, sizeof line, "%s%s %s  \xe2\x80\x9c%s\xe2\x80\x9d%s%s  %s",
		 orphan ? "orphaned " : "", tagcol, name, quote,
		 note[0] ? "  \xe2\x80\x94 " : "", note, links);
	it->pane = p;
	it->ann = ann;
	it->id = an->id;
	it->orphan = orphan;
	it->line = util_strdup(line);
	nf = strlen(tag) + strlen(docname) + strlen(an->quote) + strlen(an->note) + 4;
	it->find = util_malloc(nf);
	snprintf(it->find, nf, "%s\n%s\n%s\n%s", tag, docname, an->quote, an->note);
}

/* The orphans of every open document, each once, after the placed ones. */
static void ui_list_orphans(struct ui *u, size_t *k)
{
	for (size_t p = 0; p < u->npane; p++) {
		struct store_ann *o;
		size_t n;

		if (u->panes[p].docid < 0 || store_orphans(u->store, u->panes[p].docid, &o, &n) < 0)
			continue;
		u->orphans = util_realloc(u->orphans, (u->norphans + n + 1) * sizeof *u->orphans);
		u->items = util_realloc(u->items, (*k + n + 1) * sizeof *u->items);
		u->shown = util_realloc(u->shown, (*k + n + 1) * sizeof *u->shown);
		for (size_t i = 0; i < n; i++) {
			size_t j = 0;
			while (j < u->norphans && u->orphans[j].id != o[i].id)
				j++;
			if (j < u->norphans) {
				store_ann_release(&o[i]);
				continue;
			}
			u->orphans[u->norphans] = o[i];
			ui_list_item(u, *k, p, u->norphans, &o[i], true);
			u->norphans++;
			(*k)++;
		}
		free(o);
	}
}

static void ui_list_filter(struct ui *u)
{
	struct search *q = u->filter_len ? search_new(u->filter) : NULL;
	size_t ms, me;

	u->nshown_items = 0;
	for (size_t i = 0; i < u->nitems; i++) {
		const char *l = u->items[i].find;
		if (!q || search_find(q, l, 0, strlen(l), 0, false, &ms, &me, NULL, NULL))
			u->shown[u->nshown_items++] = i;
	}
	search_free(q);
	if (u->list_at >= u->nshown_items)
		u->list_at = u->nshown_items ? u->nshown_items - 1 : 0;
}

/* The items of every open document's annotations, then the orphans. */
static void ui_list_build(struct ui *u)
{
	size_t n = 0, k = 0;

	ui_list_close(u);
	/* columns as wide as the widest tag and document name they hold */
	u->list_tag_w = u->list_name_w = 0;
	for (size_t i = 0; i < u->ntags; i++) {
		int w = ui_list_width(u->tags[i].name, UI_LIST_TAG_CP);
		u->list_tag_w = w > u->list_tag_w ? w : u->list_tag_w;
	}
	for (size_t p = 0; p < u->npane; p++) {
		int w = ui_list_width(doc_name(u->panes[p].doc), UI_LIST_NAME_CP);
		u->list_name_w = w > u->list_name_w ? w : u->list_name_w;
		n += u->panes[p].nann;
	}
	u->items = util_calloc(n ? n : 1, sizeof *u->items);
	u->shown = util_calloc(n ? n : 1, sizeof *u->shown);
	for (size_t p = 0; p < u->npane; p++) {
		const struct ui_pane *pp = &u->panes[p];
		for (size_t a = 0; a < pp->nann; a++)
			ui_list_item(u, k++, p, a, &pp->anns[a], false);
	}
	ui_list_orphans(u, &k);
	u->nitems = k;
}

void ui_list_refresh(struct ui *u)
{
	int64_t at = -1;

	if (u->mode != UI_MODE_LIST)
		return;
	/* the items' own ids: the panes' annotations may be new already */
	if (u->nshown_items)
		at = u->items[u->shown[u->list_at]].id;
	ui_list_build(u);
	ui_list_filter(u);
	for (size_t i = 0; i < u->nshown_items; i++)
		if (u->items[u->shown[i]].id == at)
			u->list_at = i;
}

void ui_k_list(struct ui *u, int key)
{
	(void)key;
	ui_list_build(u);
	u->filter_len = 0;
	u->filter[0] = '\0';
	u->list_at = u->list_top = 0;
	ui_list_filter(u);
	u->mode = UI_MODE_LIST;
}

static void ui_list_jump(struct ui *u)
{
	const struct ui_item *it;
	struct ui_pane *p;

	if (u->nshown_items == 0)
		return;
	it = &u->items[u->shown[u->list_at]];
	if (it->orphan) {
		ui_message(u, false, "an orphan has no place: select its text in a pane, then r on it here");
		return;
	}
	p = &u->panes[it->pane];
	u->mode = UI_MODE_READ;
	ui_focus(u, it->pane);
	view_goto(p->view, p->anns[it->ann].start, true);
	/* Make this one "the annotation under the cursor", even where others nest. */
	ui_annot_choose(u, it->pane, p->anns[it->ann].id);
}

/* r re-attaches (rather than filters) on an orphan while text is selected. */
static bool ui_list_can_reattach(struct ui *u)
{
	size_t a, b;

	return u->nshown_items && u->items[u->shown[u->list_at]].orphan &&
	       ui_selection(u, u->focus, &a, &b);
}

void ui_list_key(struct ui *u, int key)
{
	size_t page = u->rows > 3 ? (size_t)u->rows - 3 : 1;

	if (key == UI_ESC) {
		u->mode = UI_MODE_READ;
	} else if (key == '\r' || key == '\n' || key == UI_FN(KEY_ENTER)) {
		ui_list_jump(u);
	} else if (key == 'r' && ui_list_can_reattach(u)) {
		ui_reattach(u, u->items[u->shown[u->list_at]].id);
	} else if (key == UI_FN(KEY_DOWN) || key == UI_CTRL('n')) {
		if (u->list_at + 1 < u->nshown_items)
			u->list_at++;
	} else if (key == UI_FN(KEY_UP) || key == UI_CTRL('p')) {
		if (u->list_at > 0)
			u->list_at--;
	} else if (key == UI_FN(KEY_NPAGE)) {
		u->list_at = u->list_at + page < u->nshown_items ? u->list_at + page
				 : (u->nshown_items ? u->nshown_items - 1 : 0);
	} else if (key == UI_FN(KEY_PPAGE)) {
		u->list_at = u->list_at > page ? u->list_at - page : 0;
	} else if (key == UI_FN(KEY_MOUSE)) {
		int w = ui_wheel(u);
		if (w < 0)
			u->list_at = u->list_at > (size_t)-w ? u->list_at - (size_t)-w : 0;
		else if (w > 0 && u->nshown_items)
			u->list_at = u->list_at + (size_t)w < u->nshown_items ? u->list_at + (size_t)w
									  : u->nshown_items - 1;
	} else if (ui_line_key(u->filter, &u->filter_len, sizeof u->filter, key)) {
		ui_list_filter(u);
	}
}

void ui_list_draw(struct ui *u)
{
	char head[400];
	int rows = u->rows - 2;

	snprintf(head, sizeof head, " annotations: %zu of %zu   filter: %s   (type to filter, %s, Esc closes)",
		 u->nshown_items, u->nitems, u->filter,
		 ui_list_can_reattach(u) ? "r re-attaches to the selection" : "Enter jumps");
	move(0, 0);
	for (int x = 0; x < u->cols; x++)
		addch(' ' | ui_attr(UI_TITLE_FOCUS));
	ui_put(0, 0, u->cols, head, ui_attr(UI_TITLE_FOCUS));
	if (rows < 1)
		return;
	if (u->list_at < u->list_top)
		u->list_top = u->list_at;
	if (u->list_at >= u->list_top + (size_t)rows)
		u->list_top = u->list_at + 1 - (size_t)rows;
	if (u->nshown_items == 0)
		ui_put(1, 1, u->cols - 1, u->nitems ? "nothing matches the filter" : "no annotations in the open documents", A_NORMAL);
	for (int r = 0; r < rows && u->list_top + (size_t)r < u->nshown_items; r++) {
		size_t idx = u->list_top + (size_t)r;
		const struct ui_item *it = &u->items[u->shown[idx]];
		const struct store_ann *an = it->orphan ? &u->orphans[it->ann]
							 : &u->panes[it->pane].anns[it->ann];
		attr_t a = idx == u->list_at ? ui_attr(UI_SELECTION) : ui_tag_attr(ui_tag_of(u, an->tag), 1);
		if (idx == u->list_at) {
			move(1 + r, 0);
			for (int x = 0; x < u->cols; x++)
				addch(' ' | a);
		}
		ui_put(1 + r, 1, u->cols - 1, it->line, a);
	}
}
