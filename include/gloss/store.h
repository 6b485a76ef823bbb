/*
 * store: the SQLite database that keeps documents, tags, annotations and
 * links.  The only module that includes sqlite3.h; its interface speaks of
 * gloss's objects, not of SQL, so that another backend could stand beside it.
 *
 * The database: WAL journal, synchronous=FULL, foreign keys on, its own
 * application_id, user_version as the schema version, forward migrations in
 * one transaction.  A file of another application, a newer schema or a
 * corrupt file is refused with an error and left untouched (opening never
 * writes to a file it is going to refuse).
 *
 * Every change is its own transaction, committed before the function
 * returns; when the database is locked by another process for longer than
 * the busy timeout the change is not made and the function fails with
 * "database is locked".  Each change also goes on this store's undo journal
 * (kept for the life of the struct store: "since gloss started"); undoing and
 * redoing are changes like any other, each one transaction.  Imports (one
 * transaction from store_import_begin to its commit) and placing imported
 * annotations (store_doc_place) are not on the journal.
 *
 * Strings given to the store are copied.  Strings and arrays the store
 * returns belong to the caller and are released with the matching _free.
 */
#ifndef GLOSS_STORE_H
#define GLOSS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* Schema version this gloss writes (PRAGMA user_version). */
#define STORE_SCHEMA 5
/* PRAGMA application_id: "glos". */
#define STORE_APP_ID 0x676c6f73

/*
 * Open or create the database at path.  A missing directory is made (mode
 * 0700, parents too); a new file is created with mode 0600.  author is the
 * name written into new annotations (copied); NULL means the login name
 * (util_login_name), looked up when the first annotation is made.  NULL with util_error() on
 * failure, one line naming the file:
 *   cannot open database '/x/y.db': Permission denied
 *   '/x/y.db' is not a gloss database
 *   '/x/y.db' has schema version 7, newer than this gloss knows (2)
 *   '/x/y.db' is not a database or is corrupt
 * A directory given as path, or a file that cannot be read, is refused
 * with "cannot open database 'PATH': REASON" (see store_readonly for one
 * that cannot be written).  An empty
 * file, or a SQLite file with no application_id and no tables, is taken as
 * new.  Opening an up-to-date database takes no write lock.
 */
struct store *store_open(const char *path, const char *author);
/*
 * store_open on another thread, while the caller sets up the terminal.
 * store_open_begin copies path and author and never fails: where no thread
 * can be made, it opens at once.  store_open_end waits for the opening and
 * gives what store_open gave: the store (the caller's to close) or NULL
 * with its message set by util_error on the calling thread.  It frees op.
 * Between the two calls the caller must not use SQLite on this database.
 * The file's own checks (a directory, a file that is not SQLite's, one that
 * cannot be read) are made by store_open_begin on the caller's thread.
 */
struct store_opening;
struct store_opening *store_open_begin(const char *path, const char *author);
struct store *store_open_end(struct store_opening *op);
/*
 * store_open_begin in two steps: store_open_look makes the file's checks
 * (and copies path and author), store_open_go starts the opening.  Between
 * them the caller can do what the opening's thread would slow down (on a
 * machine of two CPUs, a first screen drawn beside it came a millisecond
 * later).  store_open_go does nothing the second time; store_open_end
 * starts an opening not yet started (on the calling thread).
 */
struct store_opening *store_open_look(const char *path, const char *author);
void store_open_go(struct store_opening *op);
/*
 * For a caller that waits for an opening while it watches other
 * descriptors: one that becomes readable when the opening has ended
 * (store_open_end then waits no more), or -1 when it has ended already or
 * there is none to watch.  The descriptor is op's, closed by
 * store_open_end.  Starts an opening not yet started.
 */
int store_open_wait_fd(struct store_opening *op);
/*
 * Whether the opening is likely to succeed, from what store_open_look saw:
 * the file passed its checks and is new, empty, or its header says it is a
 * gloss database of this schema.  A guess (a damaged page or another
 * process's lock is found only by the opening), never a wait.
 */
bool store_opening_likely(const struct store_opening *op);
/* A file that can be read but not written (or in a directory that cannot
 * take the -wal and -shm files) is opened to be read only, when it needs
 * no update of its schema ("... is read-only and has schema version 2: open
 * it once where it can be written"); then every change fails with
 * "database 'x' is read-only" and changes nothing.  This says which. */
bool store_readonly(const struct store *st);
/* The database file's path as it was opened; owned by st. */
const char *store_path(const struct store *st);
/* With hurry, a change that finds the database locked by another process
 * fails at once with "database is locked", instead of waiting for the lock
 * as long as the busy timeout: for a write nobody waits for, which can be
 * tried again later.  Off (waiting) when opened. */
void store_hurry(struct store *st, bool hurry);
void store_close(struct store *st);

/* ---- documents: identified by SHA-256; the path is where it was last seen ---- */

/* The id of the document with this sum, made if new; its path and size
 * recorded.  In a read-only store, the id of a known one, its path as it
 * was (a new one fails: read-only).  -1 on failure. */
int64_t store_doc(struct store *st, const char *sha256, size_t size, const char *path);
/* Whether the database knows a document with this sum, or a version last
 * opened from file (an absolute path, or NULL to ask only the sum): 1 or
 * 0, -1 on failure.  Reads only.  A document unknown both ways has nothing
 * to show, so a reader can record it once its screen is drawn. */
int store_doc_known(struct store *st, const char *sha256, const char *file);
/* Keep the document's text in the database (once; later calls do nothing).
 * Called before its first annotation is added.  The bytes are not copied on
 * the way in.  -1 on failure, also when size is not the size store_doc
 * recorded, or is above SQLite's limit for one value (1,000,000,000 bytes
 * in Debian's build). */
int store_doc_text(struct store *st, int64_t doc, const char *bytes, size_t size);

/*
 * Place the document's unplaced annotations (imported before its text was
 * known) in its text: their code point offsets become byte offsets, and the
 * text is kept (and its size recorded) if it was not.  An annotation whose
 * offsets fall outside the text or do not give its quote stays unplaced, as
 * does one imported with no offsets at all.  bytes must be the text whose
 * SHA-256 the document has (not checked: the caller has just hashed it).
 * Returns how many were placed, or -1.  Cheap when there are none: one
 * index lookup, nothing written.  Not undoable.
 */
long store_doc_place(struct store *st, int64_t doc, const char *bytes, size_t size);

/*
 * Annotations follow their document.  file is where doc was just opened
 * from: an absolute path with symbolic links resolved (NULL for standard
 * input: nothing to do).  Every other version of the document last seen at
 * that file gives its annotations to doc, whose text this is (bytes, size):
 * each is placed by anchor_place (same offsets, else through a diff of the
 * stored old text, else by searching its quote and context) and gets its new
 * offsets, quote, prefix, suffix and updated time, or is orphaned: it stays
 * with its old version, with no offsets (exports show it so).  Orphans of
 * the other versions are tried again when doc is new at that file (each
 * from the place history last gave it), and come back if their text did.
 * history keeps, for each move, the version left, the old offsets and
 * quote, and how it was placed.  Nothing is deleted.  One transaction; not
 * undoable.  Costs one or two index lookups and no write when there is
 * nothing to do (the same version opened again).  out counts what happened.
 * The cursor saved for the version last seen at that file, when doc has
 * no cursor of its own, is placed in doc's text and saved for doc, at the
 * start of a code point; out->cursor says where, or SIZE_MAX.  When that
 * version has annotations to move, the same way as they are (by the word
 * it is in, or else one of the next few, or else, when none is left after
 * it, one of the few before; it keeps its distance from that word when the
 * text between is the same); else, its text not being kept, by the bytes
 * saved around it, found again within a megabyte of the old place (the
 * copy nearest to it), or else those after it, or else those before.
 */
struct store_follow {
	size_t exact, diff, fuzzy; /* placed: at the same offsets, through the diff, by search */
	size_t found;              /* orphans placed again */
	size_t orphaned;           /* newly orphaned */
	size_t cursor;             /* the reader's place carried over, else SIZE_MAX */
};
int store_doc_follow(struct store *st, int64_t doc, const char *file, const char *bytes,
		     size_t size, struct store_follow *out);

/*
 * A document the database keeps, found by its recorded path or by a prefix
 * of 4 to 64 hex digits of its SHA-256 (the newest when a path names several
 * versions).  The text is a copy the caller owns (store_doctext_release; or
 * take out->text and set it NULL).  -1 with util_error when none matches,
 * when a prefix matches several ("give more of the SHA-256"), or when the
 * text is not kept (a document without annotations).
 */
struct store_doctext {
	int64_t id;
	char *path;
	char sha256[65];
	char *text;   /* malloc'd; NULL when size is 0 */
	size_t size;
};
int store_doc_find(struct store *st, const char *key, struct store_doctext *out);
void store_doctext_release(struct store_doctext *d);

/* The cursor (byte offset) last saved for the document; false when none. */
bool store_cursor_get(struct store *st, int64_t doc, size_t *cursor);
/* Save the cursor (not an undoable change), and with it a few bytes of the
 * document's text around it (text, size: the document's bytes, borrowed;
 * NULL keeps none) by which store_doc_follow finds the place in another
 * version.  -1 on failure. */
int store_cursor_set(struct store *st, int64_t doc, size_t cursor, const char *text, size_t size);

/* ---- tags ---- */

struct store_tag {
	int64_t id;
	char *name;   /* "claim", "source", or a custom name */
	int key;      /* the key bound to it (a printable ASCII character), 0 for none */
	char *colour; /* one of: red green yellow blue magenta cyan white */
};

/* Every tag, "claim" (key c) and "source" (key s) first, then by name.
 * *out is an array of *n tags; store_tags_free releases it. */
int store_tags(struct store *st, struct store_tag **out, size_t *n);
void store_tags_free(struct store_tag *tags, size_t n);
/*
 * Define a tag.  Refused (-1, util_error) when the name exists ("tag 'x'
 * exists"), the key is taken ("key 'c' is taken by tag 'claim'"), the key is
 * not a printable ASCII character, or the colour is not known.  Returns the
 * new tag's id.  Undoable.
 */
int64_t store_tag_add(struct store *st, const char *name, int key, const char *colour);

/* ---- annotations ---- */

struct store_ann {
	int64_t id;         /* row id in this database */
	char uuid[37];      /* stable id, unique across databases (UUID v4) */
	int64_t doc;        /* document id */
	int64_t tag;        /* tag id */
	size_t start, end;  /* byte offsets in the document, end exclusive */
	char *quote;        /* the exact bytes [start, end) */
	char *prefix;       /* up to 32 code points before start */
	char *suffix;       /* up to 32 code points after end */
	size_t quote_len, prefix_len, suffix_len; /* they may hold NUL bytes */
	char *note;         /* "" when none */
	char *author;
	char created[21];   /* UTC, 2026-11-22T10:00:00Z */
	char updated[21];
	int64_t *links;     /* ids of the annotations this one links to */
	size_t nlinks;
	size_t nlinked;     /* how many link to this one (a source: its claims) */
};

/* Every placed annotation of a document, by start, then longest first, then
 * by tag and id.  Release with store_anns_free. */
int store_anns(struct store *st, int64_t doc, struct store_ann **out, size_t *n);
void store_anns_free(struct store_ann *anns, size_t n);
/* That order: negative when a comes before b, positive after, 0 for one
 * annotation. */
int store_ann_order(const struct store_ann *a, const struct store_ann *b);
/* The orphans (annotations whose text was not found again: no offsets) of
 * doc and of the other versions last seen at the same file, oldest first;
 * their doc is the version they were last found in. */
int store_orphans(struct store *st, int64_t doc, struct store_ann **out, size_t *n);
/* One annotation by id; false when there is none (not an error).  An
 * unplaced one (see store_doc_place) has start and end 0. */
bool store_ann_get(struct store *st, int64_t id, struct store_ann *out);
void store_ann_release(struct store_ann *a);

struct anchor;
/*
 * Add an annotation of doc with the given span, tag and anchor texts (as
 * anchor_make gives them for the span; note may be NULL).  The store gives it a uuid, the author, created and updated.
 * Refused when the same span already has that tag: returns 0 and sets
 * util_error("already tagged as claim").  Returns the new id, 0 when
 * refused as a duplicate, -1 on failure.  Undoable.
 */
int64_t store_ann_add(struct store *st, int64_t doc, int64_t tag, size_t start, size_t end,
		      const struct anchor *an, const char *note);
/* Replace the note (and the updated time).  Undoable.  The same note
 * again is no change: nothing is written or journaled. */
int store_ann_note(struct store *st, int64_t id, const char *note);
/* Put annotation id (an orphan, typically) on the span [start, end) of
 * doc, whose text the store must keep, with the anchor texts of that span;
 * history notes where it was.  Undoable ("re-attaching"). */
int store_ann_reattach(struct store *st, int64_t id, int64_t doc, size_t start, size_t end,
		       const struct anchor *an);
/* Delete an annotation and its links, both ways.  Undoable (it comes back
 * with its uuid, times and links). */
int store_ann_delete(struct store *st, int64_t id);

/*
 * Link two annotations.  A link between a claim and a source goes from the
 * claim to the source whichever is given first; others go from a to b.
 * Returns 1 when made, 0 when the link was already there (util_error says
 * so), -1 on failure (a == b: "an annotation cannot link to itself").
 * Undoable.
 */
int store_link(struct store *st, int64_t a, int64_t b);

/* Claims, sources and claims with no link to a source, of one document:
 * those placed in its text and those imported before its text was seen
 * (still to be placed), not its orphans. */
int store_counts(struct store *st, int64_t doc, size_t *claims, size_t *sources,
		 size_t *unsourced);

/* ---- undo ---- */

/* Undo the last change made through st (redo: the last undone one).  false
 * with util_error ("nothing to undo", or why it failed) when nothing was
 * done.  On success, *what says what was undone ("tag as claim", "note",
 * "deletion", "link", "new tag") for the status line; it belongs to st and
 * lasts until the next undo or redo.  Any new change empties the redo list.
 *
 * Annotations are known by uuid and tags by name, so an undone deletion
 * comes back with its uuid, times and the links whose other end still
 * exists.  When the object was changed meanwhile by another connection the
 * step fails ("cannot undo: the annotation was deleted elsewhere", "cannot
 * undo: the note was changed elsewhere", "cannot undo: tag 'x' is in use")
 * and is dropped from the journal, since it can never apply; the next call
 * goes on with the step before it.  When the database is locked ("database
 * is locked") the step stays where it is. */
bool store_undo(struct store *st, const char **what);
bool store_redo(struct store *st, const char **what);

/* ---- export and import ---- */

/* Which annotations an export, a list or an import's report covers; NULL
 * members match everything. */
struct store_filter {
	const char *tag;     /* a tag's name */
	const char *doc;     /* a document's recorded path, any path to the file a
			      * version was opened from, or a prefix of its SHA-256
			      * (4+ hex digits) */
	const char *author;
	const char *since;   /* updated at or after: "2026-11-22" or "2026-11-22T10:00:00Z" */
	bool orphans;        /* only orphans: annotations whose text was not found again */
};
/* 0 when f can select: its date is one, and the database knows its tag and
 * its document (else -1: "no tag 'x'", "no document 'x' in the database";
 * store_export and store_docs fail the same way). */
int store_filter_check(struct store *st, const struct store_filter *f);

/*
 * One annotation as export writes it and import reads it.  Offsets are
 * given both ways: bytes, and code points of the document decoded as UTF-8
 * (an ill-formed sequence counts as one code point, as util_utf8_decode
 * reads it).  An annotation not placed in its text (imported before its
 * document was seen) has placed true and its code point offsets, but no
 * byte offsets (bytes false) until its document is opened.  An orphan has
 * placed false and no offsets.  Import reads the code point offsets only.
 * NULL strings read as "".  Strings are as stored: a quote, prefix or
 * suffix taken from a document that is not valid UTF-8 holds its bytes,
 * and may hold NUL bytes (hence their lengths); export writes ill-formed
 * sequences as U+FFFD and import accepts that form of the text's bytes.
 */
struct store_row {
	const char *uuid;
	const char *path;     /* the document's recorded path */
	const char *sha256;
	const char *tag;      /* the tag's name */
	bool placed;
	bool bytes;               /* export only: start and end are known */
	size_t start, end;        /* bytes */
	size_t cp_start, cp_end;  /* code points */
	const char *quote, *prefix, *suffix, *note, *author, *created, *updated;
	size_t quote_len, prefix_len, suffix_len; /* in bytes; import sets them too */
	const char *links;    /* uuids this one links to, ascending, one space between */
	/* export only: the document's stored text (NULL, 0 when not kept), valid
	 * during the call like the strings; import reads its text separately */
	const char *text;
	size_t size;
};

/*
 * Call fn for every annotation that passes f (NULL: all), ordered by the
 * document's path, its SHA-256, then start and longest first, then uuid; a
 * document's unplaced annotations come before its placed ones.  The row's
 * strings are valid during the call only.  fn returns non-zero to stop
 * early (store_export then returns that value).  Code point offsets are
 * counted in the stored text of the document, walking it once per
 * document.  One read transaction: fn sees one state of the database.
 * Returns 0, or -1 on failure (a bad since: "bad date 'x': use YYYY-MM-DD
 * or YYYY-MM-DDTHH:MM:SSZ").  *count, when not NULL, is set first to how
 * many rows will come (for a progress bar).
 *
 * The filter: tag by name; doc by exact recorded path, or by a prefix of 4
 * to 64 hex digits (either case) of the SHA-256, which may match several
 * documents; author exactly; since compares "updated" as text (the format
 * sorts by time), a date alone meaning its midnight UTC.
 */
int store_export(struct store *st, const struct store_filter *f, size_t *count,
		 int (*fn)(void *arg, const struct store_row *row), void *arg);

/* A document with its counts, for "gloss docs". */
struct store_docinfo {
	char *path;
	char sha256[65];
	size_t size;
	size_t annotations, claims, sources, unsourced;
};
/* Documents with at least one annotation passing f, by path (then
 * SHA-256).  annotations counts those passing f, placed or not; claims,
 * sources and unsourced are the document's own, as store_counts gives them
 * (orphans aside, whatever f says).  -1 on failure, as
 * store_export. */
int store_docs(struct store *st, const struct store_filter *f, struct store_docinfo **out, size_t *n);
void store_docs_free(struct store_docinfo *docs, size_t n);

/*
 * An import is one transaction (BEGIN IMMEDIATE: other writers wait until
 * it ends): begin, add rows, then commit (or abort: a malformed file
 * imports nothing).  It is not on the undo journal.  Rows merge by uuid: a
 * new uuid is added with its uuid, times, author and note; a known one is
 * replaced, keeping its row id, only when the incoming updated is later
 * (equal or older: kept as it was).  The links of an added or replaced
 * annotation are exactly its row's; links other annotations make to it
 * stay.  Two uuids may hold the same span and tag (two annotators' work).
 * Documents are found by SHA-256, or made with the row's path and the
 * text's size (0 until store_doc records it, when there is no text).  Tags
 * unknown to the database are created (no key, the first colour no tag
 * has, else the least used).  Links may name annotations that come later
 * in the file, or that the database holds already; they are made at
 * commit, and a link to a uuid found nowhere (a filtered export's link to
 * a row it left out) is left out then, and counted.  Rows grouped by document, by start, as
 * export writes them, are the fastest to import.  Into an empty database
 * the indexes are built once at commit.
 *
 * text, when not NULL, is the document's full text: the row's code point
 * offsets are turned into bytes in it, and must lie inside it and give the
 * row's quote, where U+FFFD in the quote may stand for an ill-formed
 * sequence of the text (else -1, "offsets outside the document" or "quote
 * does not match the text").  A placed annotation's quote, prefix and suffix
 * are then taken from the text itself (a CSV row has no prefix and suffix).  When the database lacks the text it checks the
 * SHA-256 against row->sha256 and keeps it (placing that document's
 * annotations an earlier import left unplaced); otherwise the sizes must
 * agree.  Without text the database's text serves, and when it has none
 * the annotation is kept unplaced with its quote and code point offsets,
 * and placed when the document is opened (store_doc_place).
 * store_import_row returns 1 when added or replaced, 0 when kept as it was,
 * 2 when kept although it differs (document, tag, note or author) with the
 * same updated time, which only two changes within a second or a
 * hand-edited file make (the caller should say so), -1 on failure (bad uuid, sha256, times or links too); after a failure
 * the import can only be aborted (commit fails).
 */
struct store_import;
struct store_import *store_import_begin(struct store *st);
int store_import_row(struct store_import *im, const struct store_row *row, const char *text,
		     size_t size);
/* Commit; returns the number of annotations added or replaced, or -1 (then
 * nothing was imported).  Frees im either way. */
long store_import_commit(struct store_import *im);
/* What a commit left out. */
struct store_import_report {
	size_t dangling;        /* links to a uuid found nowhere */
	char dangling_to[37];   /* the first such uuid, when dangling */
};
/* store_import_commit, saying in *rep (when not NULL) what it left out. */
long store_import_commit_report(struct store_import *im, struct store_import_report *rep);
void store_import_abort(struct store_import *im);

/* ---- other processes ---- */

/*
 * Checkpoint the write-ahead log into the database, passively (never
 * waiting for other connections), when anything was committed since the
 * last one; after st's own commits, and once after store_open, with the
 * log all copied, start it again by a commit that changes nothing, so that
 * the next change waits for one sync, not three.  A commit never
 * checkpoints by itself, so that no change the user makes waits on one;
 * the reader calls this when idle.  The checkpoint runs on a thread of its
 * own and this returns at once: true when one was started (or, where no
 * thread can be started, done here).  The thread has st's connection until
 * the next call of any store function on st, which first waits for it to
 * end; st is still one thread's to use.
 */
bool store_idle(struct store *st);

/* Whether the checkpoint store_idle started still runs: then any call of
 * a store function on st would wait for it.  Never waits itself. */
bool store_idle_running(struct store *st);

/* True when another connection has committed a change since the last call
 * (PRAGMA data_version); cheap enough to call every second.  The first call
 * compares with the state at store_open: false unless another connection
 * committed since.  Changes made through st itself never count. */
bool store_changed(struct store *st);

/* ---- checking ---- */

/*
 * Whether the database holds together: SQLite's own check and foreign keys;
 * every kept text as long as its document and with its SHA-256; every
 * placed annotation inside its document's text, on code point boundaries,
 * quoting exactly the bytes there; no annotation waiting for a text its
 * document has; no link from an annotation to itself.  0 when it does, -1
 * with util_error naming the first thing that does not (for tests and fuzz
 * targets: it reads every text).
 */
int store_check(struct store *st);

/* ---- the static binary ---- */

/*
 * What a statically linked gloss has in the place of dlopen, dlerror, dlsym
 * and dlclose (the Makefile links them under those names).  SQLite's
 * loading of extensions, which gloss never turns on, is their only user;
 * the C library's own would need shared libraries of its exact version at
 * run time.  Nothing is loaded: __wrap_dlopen and __wrap_dlsym give NULL,
 * __wrap_dlerror a static message, __wrap_dlclose 0.
 */
void *__wrap_dlopen(const char *path, int mode);
char *__wrap_dlerror(void);
void *__wrap_dlsym(void *handle, const char *name);
int __wrap_dlclose(void *handle);

#endif
