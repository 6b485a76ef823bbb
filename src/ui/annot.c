/*
 * annot.c: the annotations of the open documents and the commands on them:
 * selecting, tagging, the tag menu, linking, deleting, undo and redo, and
 * the ':' commands.  Every change goes to the store first and is shown only
 * once the store has committed it; the panes are then reloaded from it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gloss/anchor.h"
#include "gloss/doc.h"
#include "gloss/export.h"
#include "gloss/seg.h"
#include "gloss/spans.h"
#include "gloss/store.h"
#include "gloss/util.h"
#include "gloss/view.h"
#include "internal.h"

/* Documents up to this size are hashed before the first screen, so that
 * their annotations show on it even when the hash cache has not seen the
 * file (moved, copied, the cache cleared).  A news article is far smaller,
 * and 256 KiB hash in about 0.2 ms; a bigger document is hashed between
 * keys, and its annotations come a moment after the first screen. */
#define UI_HASH_AT_ONCE (256u << 10)

static struct ui_pane *ui_cur(struct ui *u)
{
	return &u->panes[u->focus];
}

const struct store_tag *ui_tag_of(struct ui *u, int64_t id)
{
	for (size_t i = 0; i < u->ntags; i++)
		if (u->tags[i].id == id)
			return &u->tags[i];
	return NULL;
}

static const struct store_tag *ui_tag_named(struct ui *u, const char *name)
{
	for (size_t i = 0; i < u->ntags; i++)
		if (strcmp(u->tags[i].name, name) == 0)
			return &u->tags[i];
	return NULL;
}

/* The spans index of p's annotation whose store id is id, or -1. */
static long ui_span_of(const struct ui_pane *p, int64_t id)
{
	for (size_t k = 0; p->spans && k < spans_count(p->spans); k++)
		if (p->anns[spans_at(p->spans, k)->id].id == id)
			return (long)k;
	return -1;
}

/* Pane p's spans index, made anew from its annotations. */
static void ui_pane_index(struct ui_pane *p)
{
	struct spans_item *items = util_calloc(p->nann ? p->nann : 1, sizeof *items);

	for (size_t k = 0; k < p->nann; k++) {
		items[k].start = p->anns[k].start;
		items[k].end = p->anns[k].end;
		items[k].id = (int64_t)k;
		items[k].tag = 0;
	}
	spans_free(p->spans);
	p->spans = spans_new(items, p->nann);
	free(items);
}

/* The annotation chosen before, by its id: its index may have moved. */
static void ui_pane_rechoose(struct ui_pane *p)
{
	p->cur = p->cur_id ? ui_span_of(p, p->cur_id) : -1;
	if (p->cur < 0)
		p->cur_id = 0;
}

/* Pane i's annotations with the one just made, id, read alone and put in
 * its place: what loading them all again would give (changes of another
 * gloss come with the next look for them), without reading every other
 * one again, which was most of a tagging's time with hundreds in the
 * document.  False, with the pane as it was, when it cannot be read. */
static bool ui_pane_add(struct ui *u, size_t i, int64_t id)
{
	struct ui_pane *p = &u->panes[i];
	struct store_ann a;
	size_t k;

	if (p->docid < 0 || !p->spans || !store_ann_get(u->store, id, &a))
		return false;
	if (a.doc != p->docid) {
		store_ann_release(&a);
		return false;
	}
	for (k = p->nann; k > 0 && store_ann_order(&a, &p->anns[k - 1]) < 0; k--)
		;
	/* room for more at once: one at a time, each tagging copied them all */
	if (p->nann == p->ann_room) {
		p->ann_room = p->nann < 16 ? 32 : 2 * p->nann;
		p->anns = util_realloc(p->anns, p->ann_room * sizeof *p->anns);
	}
	memmove(&p->anns[k + 1], &p->anns[k], (p->nann - k) * sizeof *p->anns);
	p->anns[k] = a;
	p->nann++;
	ui_pane_index(p);
	ui_pane_rechoose(p);
	p->gen++;
	ui_list_refresh(u);
	return true;
}

/* Pane i's annotations from the store, and its counts unless told not to. */
static void ui_pane_load_as(struct ui *u, size_t i, bool counts)
{
	struct ui_pane *p = &u->panes[i];
	bool had = p->nann > 0;

	store_anns_free(p->anns, p->nann);
	spans_free(p->spans);
	p->anns = NULL;
	p->nann = p->ann_room = 0;
	p->spans = NULL;
	p->cur = -1;
	if (p->docid >= 0) {
		if (store_anns(u->store, p->docid, &p->anns, &p->nann) < 0) {
			ui_message(u, true, "%s", util_errmsg());
			p->anns = NULL;
			p->nann = 0;
		}
		p->ann_room = p->nann;
		ui_pane_index(p);
	}
	ui_pane_rechoose(p);
	/* The pane's cells change with its annotations: with none before and
	 * none now they stay, and the first screen is sent as composed. */
	if (had || p->nann > 0)
		p->gen++;
	/* an open list points into the annotations just replaced */
	ui_list_refresh(u);
	if (p->docid < 0 || !counts)
		return;
	/* the counts are of the same annotations: none, none to count */
	if (p->nann == 0)
		p->claims = p->sources = p->unsourced = 0;
	else if (store_counts(u->store, p->docid, &p->claims, &p->sources, &p->unsourced) < 0)
		p->claims = p->sources = p->unsourced = 0;
}

static void ui_pane_load(struct ui *u, size_t i)
{
	ui_pane_load_as(u, i, true);
}

void ui_annot_reload(struct ui *u)
{
	struct store_tag *tags;
	size_t n;

	if (store_tags(u->store, &tags, &n) == 0) {
		store_tags_free(u->tags, u->ntags);
		u->tags = tags;
		u->ntags = n;
	}
	for (size_t i = 0; i < u->npane; i++)
		ui_pane_load(u, i);
}

/* After a new annotation id tagged name, with no links yet, in doc: only its
 * panes change, and their counts by what a new claim or source adds (a
 * claim with no link is unsourced); the tags and other documents stay. */
static void ui_annot_reload_doc(struct ui *u, int64_t doc, int64_t id, const char *name)
{
	for (size_t i = 0; i < u->npane; i++) {
		struct ui_pane *p = &u->panes[i];
		if (p->docid != doc)
			continue;
		if (!ui_pane_add(u, i, id))
			ui_pane_load_as(u, i, false);
		if (strcmp(name, "claim") == 0) {
			p->claims++;
			p->unsourced++;
		} else if (strcmp(name, "source") == 0) {
			p->sources++;
		}
	}
}

/* printf at buf + at, within size; returns where the text now ends. */
static size_t ui_appendf(char *buf, size_t size, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static size_t ui_appendf(char *buf, size_t size, size_t at, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (at + 1 >= size)
		return at;
	va_start(ap, fmt);
	k = vsnprintf(buf + at, size - at, fmt, ap);
	va_end(ap);
	if (k < 0)
		return at;
	return at + (size_t)k < size ? at + (size_t)k : size - 1;
}

/* The file pane p's document was opened from, links resolved (the caller
 * frees it); NULL for standard input, the database's copy, or a file gone. */
static char *ui_annot_file(const struct ui_pane *p)
{
	if (p->from_db || strcmp(doc_path(p->doc), "-") == 0)
		return NULL;
	return realpath(doc_path(p->doc), NULL);
}

/* A file that was annotated in another version brings its annotations
 * along; file as ui_annot_file gives it. */
static void ui_annot_follow(struct ui *u, struct ui_pane *p, const char *file)
{
	struct store_follow f;
	char msg[400], name[100];
	size_t placed, n;

	if (!file)
		return;
	if (store_doc_follow(u->store, p->docid, file, doc_bytes(p->doc), doc_size(p->doc), &f) < 0) {
		ui_message(u, true, "annotations of the earlier version not moved: %s", util_errmsg());
		return;
	}
	/* where the reader was in the earlier version, unless they have moved */
	if (f.cursor != SIZE_MAX && view_cursor(p->view) == 0 && f.cursor < doc_size(p->doc))
		view_goto(p->view, f.cursor, true);
	if (f.exact + f.diff + f.fuzzy + f.found + f.orphaned == 0)
		return;
	/* At start-up, one message says what every file that changed did. */
	ui_flat(doc_name(p->doc), 40, name, sizeof name);
	if (u->msg_keep) {
		u->followed.exact += f.exact;
		u->followed.diff += f.diff;
		u->followed.fuzzy += f.fuzzy;
		u->followed.found += f.found;
		u->followed.orphaned += f.orphaned;
		if (++u->followed_files > 1) {
			f = u->followed;
			snprintf(name, sizeof name, "%zu files", u->followed_files);
		}
	}
	placed = f.exact + f.diff + f.fuzzy;
	/* how they were placed, the parts there are: "(1 in place, 2 shifted)" */
	n = ui_appendf(msg, sizeof msg, 0, "%s changed: %zu annotation%s followed", name, placed,
		       placed == 1 ? "" : "s");
	if (placed) {
		const size_t part[3] = { f.exact, f.diff, f.fuzzy };
		const char *const how[3] = { "in place", "shifted", "found by text" };
		const char *sep = " (";
		for (int k = 0; k < 3; k++) {
			if (!part[k])
				continue;
			n = ui_appendf(msg, sizeof msg, n, "%s%zu %s", sep, part[k], how[k]);
			sep = ", ";
		}
		n = ui_appendf(msg, sizeof msg, n, ")");
	}
	if (f.found)
		n = ui_appendf(msg, sizeof msg, n, "; %zu orphan%s found again", f.found,
			       f.found == 1 ? "" : "s");
	if (f.orphaned)
		ui_appendf(msg, sizeof msg, n, "; %zu orphaned (L lists them)", f.orphaned);
	ui_message(u, f.orphaned > 0, "%s", msg);
}

static void ui_hash_whole(struct doc *d)
{
	while (!doc_hash_step(d, 64u << 20))
		;
}

/* Pane i's document as the store knows it, brought up to date: annotations
 * imported before it was seen placed, and those of an earlier version at
 * its file followed. */
static void ui_annot_update(struct ui *u, size_t i)
{
	struct ui_pane *p = &u->panes[i];
	char *file = ui_annot_file(p);

	p->unsettled = false;
	if (store_doc_place(u->store, p->docid, doc_bytes(p->doc), doc_size(p->doc)) < 0)
		ui_message(u, true, "%s", util_errmsg());
	ui_annot_follow(u, p, file);
	free(file);
}

void ui_annot_settle(struct ui *u)
{
	for (size_t i = 0; i < u->npane; i++)
		if (u->panes[i].unsettled)
			ui_annot_update(u, i);
	ui_annot_reload(u);
}

bool ui_annot_stale(struct ui *u, size_t i)
{
	struct ui_pane *p = &u->panes[i];

	if (!p->stale && !doc_changed(p->doc))
		return false;
	util_error("'%s' changed on disk after gloss opened it: quit and open it again to annotate it",
		   doc_path(p->doc));
	if (!p->stale)
		ui_message(u, true, "%s", util_errmsg());
	p->stale = true;
	p->pending = false;
	return true;
}

bool ui_annot_identify(struct ui *u, size_t i, unsigned how)
{
	bool now = how & UI_ID_NOW;
	struct ui_pane *p = &u->panes[i];
	size_t c;
	int64_t id;

	if (p->docid >= 0)
		return true;
	/* its sum may be of bytes of two versions: no record under it */
	if (ui_annot_stale(u, i))
		return false;
	if (!doc_sha256(p->doc)) {
		if (!now && doc_size(p->doc) > UI_HASH_AT_ONCE)
			return true;
		ui_hash_whole(p->doc);
	}
	/* Unknown by its sum and by its file: nothing to show, so recording
	 * it (a commit with its fsync) waits for the screen. */
	if (!now && !p->from_db) {
		char *file = ui_annot_file(p);
		int known = store_doc_known(u->store, doc_sha256(p->doc), file);
		free(file);
		if (known == 0) {
			p->pending = true;
			return true;
		}
	}
	if (how & UI_ID_HURRY)
		store_hurry(u->store, true);
	id = store_doc(u->store, doc_sha256(p->doc), doc_size(p->doc), doc_path(p->doc));
	if (how & UI_ID_HURRY)
		store_hurry(u->store, false);
	/* tried again once nobody types (another process may hold the lock),
	 * unless no write can ever succeed */
	p->pending = id < 0 && !store_readonly(u->store);
	if (id < 0)
		return false;
	p->docid = id;
	/* Back where the reader left it, unless they have moved meanwhile. */
	if (!p->restored) {
		p->restored = true;
		if (view_cursor(p->view) == 0 && store_cursor_get(u->store, id, &c) &&
		    c < doc_size(p->doc))
			view_goto(p->view, c, true);
	}
	p->unsettled = true;
	if (how & UI_ID_FIRST)
		return true;
	ui_annot_update(u, i);
	ui_pane_load(u, i);
	return true;
}

bool ui_annot_first_waits(const struct doc *d, bool from_db)
{
	/* A sum known, or made before the first screen, may find where the
	 * reader left the document (ui_annot_identify). */
	return from_db || doc_sha256(d) || doc_size(d) <= UI_HASH_AT_ONCE;
}

void ui_annot_hash_small(struct ui *u, size_t i)
{
	struct doc *d = u->panes[i].doc;

	if (!doc_sha256(d) && doc_size(d) <= UI_HASH_AT_ONCE)
		ui_hash_whole(d);
}

bool ui_annot_record(struct ui *u)
{
	bool failed = false;

	/* Nobody asked for these: no waiting for another process's lock, nor
	 * saying so; one that fails is tried again at the next pause. */
	for (size_t i = 0; i < u->npane; i++) {
		if (!u->panes[i].pending || u->panes[i].docid >= 0)
			continue;
		if (ui_annot_identify(u, i, UI_ID_NOW | UI_ID_HURRY))
			return true;
		failed = true;
	}
	for (size_t i = 0; i < u->npane; i++)
		if (doc_hash_save(u->panes[i].doc))
			return true;
	if (failed)
		u->resting = false;
	return false;
}

void ui_annot_leave(struct ui *u)
{
	bool hurry = false;

	/* Each write waits for another process's lock, until one has failed:
	 * then the rest do not wait (nine panes must not take 18 s to quit). */
	for (size_t i = 0; i < u->npane; i++) {
		struct ui_pane *p = &u->panes[i];
		if (p->pending && p->docid < 0 &&
		    !ui_annot_identify(u, i, UI_ID_NOW | (hurry ? UI_ID_HURRY : 0)))
			hurry = true;
	}
	for (size_t i = 0; i < u->npane; i++)
		doc_hash_save(u->panes[i].doc);
	for (size_t i = 0; i < u->npane; i++) {
		if (u->panes[i].docid < 0)
			continue;
		store_hurry(u->store, hurry);
		if (store_cursor_set(u->store, u->panes[i].docid, view_cursor(u->panes[i].view),
				     doc_bytes(u->panes[i].doc), doc_size(u->panes[i].doc)) != 0)
			hurry = true;
	}
	store_hurry(u->store, false);
}

/* The index in p's spans of the annotation chosen (] [, a tagging, a jump
 * from L) while no key has moved the cursor since; -1 when none. */
static long ui_chosen(const struct ui_pane *p)
{
	return p->cur >= 0 && p->cur_at == view_cursor(p->view) && p->cur_moves == view_moves(p->view)
		       ? p->cur
		       : -1;
}

bool ui_annot_choose(struct ui *u, size_t i, int64_t id)
{
	struct ui_pane *p = &u->panes[i];
	long k = ui_span_of(p, id);

	if (k < 0)
		return false;
	p->cur = k;
	p->cur_id = id;
	p->cur_at = view_cursor(p->view);
	p->cur_moves = view_moves(p->view);
	return true;
}

long ui_annot_under(struct ui *u, size_t i)
{
	struct ui_pane *p = &u->panes[i];
	size_t c = view_cursor(p->view);
	long k;

	if (!p->spans)
		return -1;
	if ((k = ui_chosen(p)) >= 0)
		return (long)spans_at(p->spans, (size_t)k)->id;
	k = spans_innermost(p->spans, c);
	return k < 0 ? -1 : (long)spans_at(p->spans, (size_t)k)->id;
}

bool ui_selection(struct ui *u, size_t i, size_t *a, size_t *b)
{
	struct ui_pane *p = &u->panes[i];
	size_t c = p->sel_ended ? p->sel_to : view_cursor(p->view), lo, hi;

	if (!p->selecting)
		return false;
	lo = c < p->sel_from ? c : p->sel_from;
	hi = c < p->sel_from ? p->sel_from : c;
	*a = lo;
	/* Inclusive of the character under the cursor, as in vim. */
	*b = hi < doc_size(p->doc) ? seg_grapheme_next(doc_bytes(p->doc), doc_size(p->doc), hi) : hi;
	return true;
}

/* The focused pane's document recorded, with its text, for a change to its
 * annotations; false, with the change refused ("not saved: why"), when it
 * cannot be. */
static bool ui_annot_doc_for_change(struct ui *u, const char *refused)
{
	struct ui_pane *p = ui_cur(u);

	/* with UI_ID_NOW, true means recorded: p->docid is set; a file written
	 * since it was opened shows what may not be either version */
	if (!ui_annot_stale(u, u->focus) && ui_annot_identify(u, u->focus, UI_ID_NOW) &&
	    store_doc_text(u->store, p->docid, doc_bytes(p->doc), doc_size(p->doc)) == 0)
		return true;
	ui_message(u, true, "%s: %s", refused, util_errmsg());
	return false;
}

void ui_tag_with(struct ui *u, size_t t)
{
	struct ui_pane *p = ui_cur(u);
	const char *s = doc_bytes(p->doc);
	size_t n = doc_size(p->doc), a, b;
	struct anchor an;
	int64_t r;
	char ex[160], name[64];

	if (t >= u->ntags)
		return;
	/* A reload replaces the tags: keep the name. */
	snprintf(name, sizeof name, "%s", u->tags[t].name);
	if (!ui_selection(u, u->focus, &a, &b))
		seg_sentence_at(s, n, view_cursor(p->view), &a, &b);
	if (a >= b) {
		ui_message(u, true, "nothing to tag here");
		return;
	}
	if (!ui_annot_doc_for_change(u, "not saved"))
		return;
	anchor_make(s, n, a, b, &an);
	r = store_ann_add(u->store, p->docid, u->tags[t].id, a, b, &an, NULL);
	ui_flat(an.quote, 40, ex, sizeof ex);
	anchor_release(&an);
	if (r < 0) {
		ui_message(u, true, "not saved: %s", util_errmsg());
		return;
	}
	if (r == 0) {
		ui_message(u, false, "%s", util_errmsg());
		return;
	}
	p->selecting = false;
	ui_annot_reload_doc(u, p->docid, r, name);
	/* i, a or x next act on what was just tagged, even inside another */
	ui_annot_choose(u, u->focus, r);
	ui_message(u, false, "tagged as %s: \"%s\"", name, ex);
}

void ui_reattach(struct ui *u, int64_t id)
{
	struct ui_pane *p = ui_cur(u);
	struct anchor an;
	size_t a, b, o;
	char ex[160];
	int r;

	if (!ui_selection(u, u->focus, &a, &b))
		return;
	/* Recording the document may follow its earlier version, and the list
	 * is then made again: the orphan is looked for by its id after it. */
	if (!ui_annot_doc_for_change(u, "not re-attached"))
		return;
	for (o = 0; o < u->norphans && u->orphans[o].id != id; o++)
		;
	if (o == u->norphans) {
		ui_message(u, true, "not re-attached: that orphan was placed or deleted meanwhile");
		return;
	}
	anchor_make(doc_bytes(p->doc), doc_size(p->doc), a, b, &an);
	r = store_ann_reattach(u->store, id, p->docid, a, b, &an);
	ui_flat(an.quote, 40, ex, sizeof ex);
	anchor_release(&an);
	if (r < 0) {
		ui_message(u, true, "not re-attached: %s", util_errmsg());
		return;
	}
	p->selecting = false;
	u->mode = UI_MODE_READ;
	ui_annot_reload(u);
	view_goto(p->view, a, true);
	ui_message(u, false, "re-attached to \"%s\"", ex);
}

void ui_links_text(const struct store_ann *a, char *buf, size_t size)
{
	int k = snprintf(buf, size, "%zu link%s", a->nlinks, a->nlinks == 1 ? "" : "s");

	if (a->nlinked && k >= 0 && (size_t)k < size)
		snprintf(buf + k, size - (size_t)k, ", linked from %zu", a->nlinked);
}

void ui_annot_describe(struct ui *u, char *buf, size_t size)
{
	struct ui_pane *p = ui_cur(u);
	long k = ui_annot_under(u, u->focus);
	const struct store_ann *a;
	const struct store_tag *t;
	char note[120], links[64];

	buf[0] = '\0';
	if (k < 0)
		return;
	a = &p->anns[k];
	t = ui_tag_of(u, a->tag);
	ui_flat(a->note, 40, note, sizeof note);
	ui_links_text(a, links, sizeof links);
	snprintf(buf, size, " %s%s%s  %s  by %s", t ? t->name : "?", note[0] ? ": " : "", note, links,
		 a->author);
}

/* ---- the commands (key functions of the key table) ---- */

void ui_k_select(struct ui *u, int key)
{
	struct ui_pane *p = ui_cur(u);
	(void)key;
	/* The second v ends the selection where the cursor is; then the cursor
	 * moves without changing it, and another v starts a new one. */
	if (p->selecting && !p->sel_ended) {
		p->sel_ended = true;
		p->sel_to = view_cursor(p->view);
		ui_message(u, false, "selection ended: c, s or t tags it; Esc drops it; v starts another");
		return;
	}
	p->selecting = true;
	p->sel_ended = false;
	p->sel_from = view_cursor(p->view);
	ui_message(u, false, "selecting: movements extend it; v ends it; c, s or t tags it; Esc drops it");
}

void ui_k_escape(struct ui *u, int key)
{
	struct ui_pane *p = ui_cur(u);
	(void)key;
	if (u->link_from) {
		u->link_from = 0;
		ui_message(u, false, "link cancelled");
	} else if (p->selecting) {
		p->selecting = false;
	}
}

static void ui_tag_by_name(struct ui *u, const char *name)
{
	const struct store_tag *t = ui_tag_named(u, name);
	if (!t) {
		ui_message(u, true, "there is no tag '%s'", name);
		return;
	}
	ui_tag_with(u, (size_t)(t - u->tags));
}

void ui_k_claim(struct ui *u, int key)
{
	(void)key;
	ui_tag_by_name(u, "claim");
}

void ui_k_source(struct ui *u, int key)
{
	(void)key;
	ui_tag_by_name(u, "source");
}

/* A custom tag's key: true when key belongs to one (and it was applied). */
bool ui_annot_key(struct ui *u, int key)
{
	for (size_t i = 0; i < u->ntags; i++)
		if (u->tags[i].key == key) {
			ui_tag_with(u, i);
			return true;
		}
	return false;
}

void ui_k_menu(struct ui *u, int key)
{
	(void)key;
	if (u->ntags == 0) {
		ui_message(u, true, "no tags");
		return;
	}
	u->menu_at = 0;
	u->mode = UI_MODE_MENU;
}

void ui_menu_key(struct ui *u, int key)
{
	if (key == UI_ESC || key == 'q') {
		u->mode = UI_MODE_READ;
	} else if (key == 'j' || key == UI_FN(KEY_DOWN)) {
		if (u->menu_at + 1 < u->ntags)
			u->menu_at++;
	} else if (key == 'k' || key == UI_FN(KEY_UP)) {
		if (u->menu_at > 0)
			u->menu_at--;
	} else if (key == '\r' || key == '\n' || key == UI_FN(KEY_ENTER)) {
		u->mode = UI_MODE_READ;
		ui_tag_with(u, u->menu_at);
	} else {
		for (size_t i = 0; i < u->ntags; i++)
			if (u->tags[i].key == key) {
				u->mode = UI_MODE_READ;
				ui_tag_with(u, i);
				return;
			}
	}
}

void ui_menu_draw(struct ui *u)
{
	int w = 34, h = (int)u->ntags + 2, y0, x0;
	char line[128];

	if (h > u->rows - 1)
		h = u->rows - 1;
	if (w > u->cols)
		w = u->cols;
	y0 = (u->rows - 1 - h) / 2;
	x0 = (u->cols - w) / 2;
	if (h < 3 || w < 8)
		return;
	for (int y = 0; y < h; y++)
		ui_fill(y0 + y, x0, w, ui_attr(UI_STATUS));
	ui_put(y0, x0 + 1, w - 2, "tag with (Enter, or the key)", ui_attr(UI_TITLE_FOCUS));
	for (size_t i = 0; i < u->ntags && (int)i + 1 < h; i++) {
		const struct store_tag *t = &u->tags[i];
		snprintf(line, sizeof line, " %c  %s", t->key ? t->key : ' ', t->name);
		attr_t a = i == u->menu_at ? ui_attr(UI_SELECTION) : ui_tag_attr(t, 1);
		ui_put(y0 + 1 + (int)i, x0 + 1, w - 2, line, a);
	}
}

void ui_k_next_ann(struct ui *u, int key)
{
	struct ui_pane *p = ui_cur(u);
	size_t c = view_cursor(p->view);
	long cur = ui_chosen(p), k;

	if (!p->spans || spans_count(p->spans) == 0) {
		ui_message(u, true, "no annotations in this document");
		return;
	}
	/* At the start of the annotation under the cursor, the walk goes on
	 * from it: others that start there too (the same span with another
	 * tag) come next, not only those that start later. */
	if (cur < 0 && (k = spans_innermost(p->spans, c)) >= 0 && spans_at(p->spans, (size_t)k)->start == c)
		cur = k;
	k = key == ']' ? spans_next(p->spans, c, cur) : spans_prev(p->spans, c, cur);
	if (k < 0) {
		ui_message(u, true, key == ']' ? "no annotation after this one" : "no annotation before this one");
		return;
	}
	view_goto(p->view, spans_at(p->spans, (size_t)k)->start, true);
	ui_annot_choose(u, u->focus, p->anns[spans_at(p->spans, (size_t)k)->id].id);
}

void ui_k_link(struct ui *u, int key)
{
	long k = ui_annot_under(u, u->focus);
	(void)key;
	if (k < 0) {
		ui_message(u, true, "no annotation under the cursor to link from");
		return;
	}
	u->link_from = ui_cur(u)->anns[k].id;
	ui_message(u, false, "linking: go to another annotation (any pane), Enter links, Esc cancels");
}

void ui_k_enter(struct ui *u, int key)
{
	long k = ui_annot_under(u, u->focus);
	int r;
	(void)key;
	if (!u->link_from)
		return;
	if (k < 0) {
		ui_message(u, true, "no annotation under the cursor to link to; Esc cancels");
		return;
	}
	r = store_link(u->store, u->link_from, ui_cur(u)->anns[k].id);
	if (r < 0) {
		ui_message(u, true, "not linked: %s", util_errmsg());
		if (ui_cur(u)->anns[k].id != u->link_from)
			return;
	} else if (r == 0) {
		ui_message(u, false, "%s", util_errmsg());
	} else {
		ui_message(u, false, "linked");
	}
	u->link_from = 0;
	ui_annot_reload(u);
}

void ui_k_note(struct ui *u, int key)
{
	long k = ui_annot_under(u, u->focus);
	(void)key;
	if (k < 0) {
		ui_message(u, true, "no annotation under the cursor");
		return;
	}
	ui_note_open(u, ui_cur(u)->anns[k].id, ui_cur(u)->anns[k].note);
}

void ui_k_delete(struct ui *u, int key)
{
	long k = ui_annot_under(u, u->focus);
	const struct store_tag *t;
	char name[64];
	(void)key;
	if (k < 0) {
		ui_message(u, true, "no annotation under the cursor");
		return;
	}
	/* The reload below replaces the tags: keep the name. */
	t = ui_tag_of(u, ui_cur(u)->anns[k].tag);
	snprintf(name, sizeof name, "%s", t ? t->name : "annotation");
	if (store_ann_delete(u->store, ui_cur(u)->anns[k].id) < 0) {
		ui_message(u, true, "not deleted: %s", util_errmsg());
		return;
	}
	ui_annot_reload(u);
	ui_message(u, false, "deleted the %s (u undoes)", name);
}

void ui_k_undo(struct ui *u, int key)
{
	const char *what = NULL;
	bool redo = key == UI_CTRL('r');

	if (!(redo ? store_redo(u->store, &what) : store_undo(u->store, &what))) {
		ui_message(u, true, "%s", util_errmsg());
		return;
	}
	ui_annot_reload(u);
	ui_message(u, false, "%s: %s", redo ? "redone" : "undone", what ? what : "change");
}

void ui_k_command(struct ui *u, int key)
{
	(void)key;
	ui_prompt_open(u, ':');
}

/* :tag NAME KEY [COLOUR] */
static void ui_cmd_tag(struct ui *u, int argc, char **argv)
{
	const char *name, *key, *colour;
	const struct ui_key *k;
	size_t used[8] = {0};
	const char *pick = NULL;

	if (argc < 2 || argc > 3) {
		ui_message(u, true, "usage: :tag NAME KEY [COLOUR]");
		return;
	}
	name = argv[0];
	key = argv[1];
	colour = argc > 2 ? argv[2] : NULL;
	if (strlen(key) != 1 || key[0] <= ' ' || key[0] > '~') {
		ui_message(u, true, "a tag's key is one printable character: '%s' is not", key);
		return;
	}
	if ((k = ui_key_bound(key[0]))) {
		ui_message(u, true, "key '%c' is taken: %s", key[0], k->help);
		return;
	}
	if (!colour) {
		/* The first colour no tag has yet. */
		for (size_t i = 0; i < u->ntags; i++)
			for (size_t c = 0; ui_colours[c]; c++)
				if (strcmp(u->tags[i].colour, ui_colours[c]) == 0)
					used[c] = 1;
		for (size_t c = 0; ui_colours[c] && !pick; c++)
			if (!used[c])
				pick = ui_colours[c];
		colour = pick ? pick : "magenta";
	}
	if (store_tag_add(u->store, name, key[0], colour) < 0) {
		ui_message(u, true, "%s", util_errmsg());
		return;
	}
	ui_annot_reload(u);
	ui_message(u, false, "tag '%s' on key %c, in %s", name, key[0], colour);
}

/* :export FILE [--format F] [--safe] [--tag T] [--doc D] [--author A] [--since S] */
static void ui_cmd_export(struct ui *u, int argc, char **argv)
{
	struct export_opts o;
	const char *out;
	long rows;

	memset(&o, 0, sizeof o);
	if (export_args(argc, argv, true, true, &o, &out) < 0) {
		ui_message(u, true, ":export: %s", util_errmsg());
		return;
	}
	if (!out || strcmp(out, "-") == 0) {
		ui_message(u, true, "usage: :export FILE [--format csv|jsonl|w3c] [--safe] [filters]");
		return;
	}
	/* never over a document shown here (its text may not be kept) */
	const char **keep = util_calloc(u->npane + 1, sizeof *keep);
	for (size_t i = 0; i < u->npane; i++)
		if (!u->panes[i].from_db)
			keep[o.nkeep++] = doc_path(u->panes[i].doc);
	o.keep = keep;
	rows = export_to(u->store, &o, out);
	free(keep);
	if (rows < 0)
		ui_message(u, true, "not exported: %s", util_errmsg());
	else
		ui_message(u, false, "exported %ld annotation%s to '%s'", rows, rows == 1 ? "" : "s", out);
}

/*
 * Split a command line into words in place, the way a shell does, so that a
 * file name may hold blanks: blanks separate words; '...' keeps everything
 * in it as it is; "..." keeps everything but a backslash before " or \;
 * elsewhere a backslash keeps the next character as it is.  Quoted and bare
 * parts next to each other make one word, and "" is an empty word.  Returns
 * the number of words, or -1 with util_error() when a quote is not closed,
 * the line ends in a backslash, or there are more than max words.  The
 * words point into line; unquoting only shortens, so they fit.
 */
static int ui_split_words(char *line, char **words, int max)
{
	char *r = line, *w = line;
	int n = 0;

	for (;;) {
		r += strspn(r, " \t");
		if (!*r)
			return n;
		if (n == max) {
			util_error("more than %d words", max);
			return -1;
		}
		words[n++] = w;
		while (*r && *r != ' ' && *r != '\t') {
			if (*r == '\'') {
				char *end = strchr(r + 1, '\'');
				if (!end) {
					util_error("the ' quote is not closed");
					return -1;
				}
				memmove(w, r + 1, (size_t)(end - r - 1));
				w += end - r - 1;
				r = end + 1;
			} else if (*r == '"') {
				for (r++; *r && *r != '"'; *w++ = *r++)
					if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
						r++;
				if (!*r) {
					util_error("the \" quote is not closed");
					return -1;
				}
				r++;
			} else if (*r == '\\') {
				if (!r[1]) {
					util_error("a backslash at the end of the line escapes nothing");
					return -1;
				}
				r++;
				*w++ = *r++;
			} else {
				*w++ = *r++;
			}
		}
		/* Look before writing: the word's end may be the blank r stands on. */
		bool more = *r != '\0';
		*w++ = '\0';
		if (more)
			r++;
	}
}

void ui_command(struct ui *u, const char *line)
{
	char buf[UI_PROMPT_MAX], *words[32];
	int n;

	snprintf(buf, sizeof buf, "%s", line);
	n = ui_split_words(buf, words, (int)(sizeof words / sizeof *words));
	if (n < 0) {
		ui_message(u, true, "%s: nothing done", util_errmsg());
		return;
	}
	if (n == 0)
		return;
	if (strcmp(words[0], "tag") == 0)
		ui_cmd_tag(u, n - 1, words + 1);
	else if (strcmp(words[0], "export") == 0)
		ui_cmd_export(u, n - 1, words + 1);
	else
		ui_message(u, true, "unknown command: %s", words[0]);
}
