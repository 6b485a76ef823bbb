/*
 * store.c: the SQLite backend of the store.  It contains, in this order:
 * the schema as a list of migrations; statement cache and error mapping;
 * opening (inspect read-only, then open read-write, then migrate); documents
 * and cursors; tags; annotations and links; counts; the undo journal;
 * code point walking; export, document counts, placing imported annotations
 * and import.
 *
 * Every public change is one BEGIN IMMEDIATE ... COMMIT, rolled back on any
 * error.  The undo journal lives in memory and names annotations by uuid and
 * tags by name, since row ids may change when a row is re-inserted.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "gloss/anchor.h"
#include "gloss/sha256.h"
#include "gloss/store.h"
#include "gloss/util.h"

/* How long a change waits for another process's lock before it fails. */
#define STORE_BUSY_MS 2000

/* ---- schema ---- */

/*
 * migrations[i] takes user_version i to i + 1.  Never edit one that has
 * shipped: add a new one at the end and raise STORE_SCHEMA.
 */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE documents ("
	"  id INTEGER PRIMARY KEY,"
	"  sha256 TEXT NOT NULL UNIQUE,"
	"  size INTEGER NOT NULL,"
	"  path TEXT NOT NULL,"
	"  text BLOB"                       /* NULL until the first annotation */
	");"
	/* AUTOINCREMENT: an id another process still holds never names a new row */
	"CREATE TABLE tags ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  name TEXT NOT NULL UNIQUE CHECK (name <> ''),"
	"  key TEXT UNIQUE CHECK (key IS NULL OR (length(key) = 1"
	"    AND unicode(key) BETWEEN 32 AND 126)),"
	"  colour TEXT NOT NULL CHECK (colour IN"
	"    ('red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'))"
	");"
	"INSERT INTO tags (name, key, colour) VALUES"
	"  ('claim', 'c', 'yellow'), ('source', 's', 'cyan');"
	"CREATE TABLE annotations ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  uuid TEXT NOT NULL UNIQUE,"
	"  document INTEGER NOT NULL REFERENCES documents (id),"
	"  tag INTEGER NOT NULL REFERENCES tags (id),"
	"  start INTEGER NOT NULL,"         /* byte offsets, end exclusive */
	"  \"end\" INTEGER NOT NULL CHECK (\"end\" >= start),"
	"  quote TEXT NOT NULL,"
	"  prefix TEXT NOT NULL DEFAULT '',"
	"  suffix TEXT NOT NULL DEFAULT '',"
	"  note TEXT NOT NULL DEFAULT '',"
	"  author TEXT NOT NULL DEFAULT '',"
	"  created TEXT NOT NULL,"          /* UTC, 2026-11-22T10:00:00Z */
	"  updated TEXT NOT NULL"
	");"
	/* store_anns' order; also finds a duplicate span */
	"CREATE INDEX annotations_by_document ON annotations (document, start, \"end\" DESC, tag);"
	"CREATE INDEX annotations_by_tag ON annotations (tag);"
	"CREATE TABLE links ("
	"  \"from\" INTEGER NOT NULL REFERENCES annotations (id) ON DELETE CASCADE,"
	"  \"to\" INTEGER NOT NULL REFERENCES annotations (id) ON DELETE CASCADE,"
	"  PRIMARY KEY (\"from\", \"to\")"
	") WITHOUT ROWID;"
	"CREATE INDEX links_by_to ON links (\"to\");"
	"CREATE TABLE cursors ("
	"  document INTEGER PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,"
	"  position INTEGER NOT NULL"
	");",

	/*
	 * 1 -> 2: an annotation may be unplaced (imported before its document's
	 * text was known): start and end NULL, its code point offsets kept in
	 * cp_start and cp_end until the text comes (NULL too for an orphan).
	 * SQLite cannot drop NOT NULL in place, so the table is rebuilt the
	 * documented way: make the new one, copy, drop the old, rename.  This
	 * runs with foreign keys off (see migrate()), so that dropping the old
	 * table cascades to no link, and links keep naming "annotations".  The
	 * AUTOINCREMENT counter moves over, so that no id is ever used twice.
	 */
	"CREATE TABLE annotations_v2 ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  uuid TEXT NOT NULL UNIQUE,"
	"  document INTEGER NOT NULL REFERENCES documents (id),"
	"  tag INTEGER NOT NULL REFERENCES tags (id),"
	"  start INTEGER,"                  /* byte offsets, end exclusive; NULL: unplaced */
	"  \"end\" INTEGER CHECK (\"end\" >= start),"
	"  cp_start INTEGER,"               /* code points, kept while unplaced */
	"  cp_end INTEGER CHECK (cp_end >= cp_start),"
	"  quote TEXT NOT NULL,"
	"  prefix TEXT NOT NULL DEFAULT '',"
	"  suffix TEXT NOT NULL DEFAULT '',"
	"  note TEXT NOT NULL DEFAULT '',"
	"  author TEXT NOT NULL DEFAULT '',"
	"  created TEXT NOT NULL,"
	"  updated TEXT NOT NULL,"
	"  CHECK ((start IS NULL) = (\"end\" IS NULL)),"
	"  CHECK ((cp_start IS NULL) = (cp_end IS NULL))"
	");"
	"INSERT INTO annotations_v2 (id, uuid, document, tag, start, \"end\", quote, prefix,"
	"  suffix, note, author, created, updated)"
	"  SELECT id, uuid, document, tag, start, \"end\", quote, prefix, suffix, note, author,"
	"  created, updated FROM annotations ORDER BY id;"
	"DELETE FROM sqlite_sequence WHERE name = 'annotations_v2';"
	"UPDATE sqlite_sequence SET name = 'annotations_v2' WHERE name = 'annotations';"
	"DROP TABLE annotations;"
	"ALTER TABLE annotations_v2 RENAME TO annotations;"
	/* NULL starts sort first: store_doc_place finds the unplaced ones at once;
	 * uuid last: export reads a document's annotations in its order, unsorted */
	"CREATE INDEX annotations_by_document ON annotations (document, start, \"end\" DESC, uuid);"
	"CREATE INDEX annotations_by_tag ON annotations (tag);"
	/* export's order, path then sum, without sorting the documents */
	"CREATE INDEX documents_by_path ON documents (path, sha256);",

	/*
	 * 2 -> 3: annotations follow their documents.  documents.file is the
	 * absolute path (links resolved) a version was last opened from, so
	 * that a new version at the same place finds the old ones, whatever
	 * directory gloss was started in; documents.seen orders the openings.  history keeps where an annotation
	 * was, and what it quoted, each time it moved to another version or was
	 * orphaned or re-attached; by uuid, so that it outlives an undone
	 * deletion.
	 */
	"ALTER TABLE documents ADD COLUMN file TEXT;"
	"ALTER TABLE documents ADD COLUMN seen INTEGER;"  /* larger: opened later */
	"CREATE INDEX documents_by_file ON documents (file, seen);"
	"CREATE TABLE history ("
	"  id INTEGER PRIMARY KEY,"
	"  uuid TEXT NOT NULL,"             /* the annotation's */
	"  sha256 TEXT NOT NULL,"           /* the version it was in */
	"  start INTEGER,"                  /* bytes in that version; NULL: it was an orphan */
	"  \"end\" INTEGER,"
	"  quote TEXT NOT NULL,"
	"  how TEXT NOT NULL CHECK (how IN ('exact', 'diff', 'fuzzy', 'orphaned', 'reattached')),"
	"  at TEXT NOT NULL"
	");"
	"CREATE INDEX history_by_uuid ON history (uuid);",

	/*
	 * 3 -> 4: export lists the annotations not placed yet (start NULL) by
	 * the code point offsets they came with, as a database holding their
	 * text lists them by position; the index gives that order unsorted.
	 */
	"DROP INDEX annotations_by_document;"
	"CREATE INDEX annotations_by_document ON annotations"
	"  (document, start, \"end\" DESC, cp_start, cp_end DESC, uuid);",

	/*
	 * 4 -> 5: a cursor keeps a few bytes of text around it (context, the
	 * cursor context_at bytes into it), so that the reader's place can
	 * be found in a new version of a document whose text is not kept.
	 */
	"ALTER TABLE cursors"
	"  ADD COLUMN context BLOB;"
	"ALTER TABLE cursors ADD COLUMN context_at INTEGER;",
};

_Static_assert(sizeof migrations / sizeof *migrations == STORE_SCHEMA,
	       "one migration per schema version");

static const char *const colours[] = {
	"red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

/* ---- the journal ---- */

enum op { OP_ADD, OP_DELETE, OP_NOTE, OP_LINK, OP_TAG, OP_MOVE };

/* Where an annotation is: its version, and its span there (or none). */
struct place {
	int64_t doc;
	bool placed;
	int64_t start, end;
	char *quote, *prefix, *suffix;
	size_t quote_len, prefix_len, suffix_len;
};

/* Everything needed to put an annotation back as it was. */
struct snap {
	char uuid[37];
	int64_t id, doc, tag;
	int64_t start, end;
	char *quote, *prefix, *suffix, *note, *author;
	size_t quote_len, prefix_len, suffix_len;
	char created[21], updated[21];
	char (*out)[37]; /* uuids this one links to */
	size_t nout;
	char (*in)[37];  /* uuids that link to this one */
	size_t nin;
};

struct entry {
	enum op op;
	char *what;           /* for the status line */
	struct snap ann;      /* OP_ADD, OP_DELETE */
	char uuid[37];        /* OP_NOTE */
	char *old_note, *new_note;
	char from[37], to[37]; /* OP_LINK */
	int64_t tag_id;       /* OP_TAG */
	char *tag_name, *tag_colour;
	int tag_key;
	struct place before, after; /* OP_MOVE (uuid as OP_NOTE) */
};

struct stack {
	struct entry **e;
	size_t n, cap;
};

struct store {
	sqlite3 *db;
	char *path;
	char *author;
	struct {
		const char *sql;  /* a string literal of this file */
		sqlite3_stmt *stmt;
	} *stmts;             /* every statement prepared so far, kept until close */
	size_t nstmts, capstmts;
	int64_t data_version;
	bool wal_dirty;       /* commits since the last checkpoint (store_idle) */
	bool wrote;           /* this connection committed since then */
	/* store_idle's checkpoint runs on a thread of its own, the idler, while
	 * the caller goes on; the connection is the idler's until settle(). */
	pthread_t idler;
	bool idling;          /* the idler was started and not yet joined */
	bool idle_restart;    /* for the idler: start the log again after it */
	bool idle_failed;     /* the idler's checkpoint failed */
	int64_t text_kept;    /* a document whose text the database is known to keep; -1 */
	bool hurry;           /* store_hurry: no wait for a lock */
	bool readonly;        /* opened to be read only: every change fails */
	struct stack undo, redo;
	char *what;
};

static int step_move(struct store *st, const char *uuid, const struct place *expect,
		     const struct place *p);
static int history_add(struct store *st, const char *uuid, const char *sha, const size_t *start,
		       const size_t *end, const char *quote, size_t quote_len, const char *how,
		       const char *now);
static int doc_sha(struct store *st, int64_t doc, char sha[65]);

/* ---- small helpers ---- */

static void snap_release(struct snap *s)
{
	free(s->quote);
	free(s->prefix);
	free(s->suffix);
	free(s->note);
	free(s->author);
	free(s->out);
	free(s->in);
	memset(s, 0, sizeof *s);
}

static void place_release(struct place *p)
{
	free(p->quote);
	free(p->prefix);
	free(p->suffix);
	memset(p, 0, sizeof *p);
}

static void entry_free(struct entry *e)
{
	if (!e)
		return;
	free(e->what);
	snap_release(&e->ann);
	free(e->old_note);
	free(e->new_note);
	free(e->tag_name);
	free(e->tag_colour);
	place_release(&e->before);
	place_release(&e->after);
	free(e);
}

static void stack_push(struct stack *s, struct entry *e)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->e = util_realloc(s->e, s->cap * sizeof *s->e);
	}
	s->e[s->n++] = e;
}

static void stack_clear(struct stack *s)
{
	while (s->n)
		entry_free(s->e[--s->n]);
}

static char *dup_or_empty(const char *s)
{
	return util_strdup(s ? s : "");
}

static char *col_text(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	return util_strdup(t ? (const char *)t : "");
}

/* A copy of a text column that may hold NUL bytes; *n its length. */
static char *col_text_n(sqlite3_stmt *q, int i, size_t *n)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	size_t len = t ? (size_t)sqlite3_column_bytes(q, i) : 0;
	char *r = util_malloc(len + 1);

	if (len)
		memcpy(r, t, len);
	r[len] = '\0';
	*n = len;
	return r;
}

/* Bind n bytes of text that may hold NUL bytes. */
static void bind_text_n(sqlite3_stmt *q, int i, const char *s, size_t n)
{
	sqlite3_bind_text64(q, i, s ? s : "", s ? n : 0, SQLITE_STATIC, SQLITE_UTF8);
}

static void col_copy(char *dst, size_t cap, sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

static void now_utc(char out[21])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	if (strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		out[0] = '\0';
}

/* A version 4 UUID, lowercase.  -1 when the system has no randomness. */
static int make_uuid(char out[37])
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof b) {
		ssize_t r = getrandom(b + got, sizeof b - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			util_error("cannot make an annotation id: %s", strerror(errno));
			return -1;
		}
		got += (size_t)r;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
		 b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

/* ---- statements and errors ---- */

/*
 * A cached statement for sql (a string literal), reset and unbound.  NULL
 * with util_error only if the SQL is wrong or the database is unreadable.
 */
static sqlite3_stmt *stmt(struct store *st, const char *sql);

/* Map a failed result code to the message the user sees. */
static void db_error(struct store *st, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		util_error("database is locked");
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		util_error("'%s' is not a database or is corrupt", st->path);
		break;
	case SQLITE_FULL:
		util_error("database '%s': the disk is full", st->path);
		break;
	case SQLITE_READONLY:
		util_error("database '%s' is read-only", st->path);
		break;
	case SQLITE_IOERR:
		/* "disk I/O error" says little: say which way it failed (a full
		 * disk or a file size limit ends a write short) */
		if (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_TRUNCATE ||
		    rc == SQLITE_IOERR_FSYNC || rc == SQLITE_IOERR_SHMSIZE) {
			util_error("database '%s': cannot write to the disk (full?)", st->path);
			break;
		}
		/* fall through */
	default:
		util_error("database '%s': %s", st->path,
			   st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		break;
	}
}

/* After the idler's work: a failed checkpoint is to be done again. */
static void idle_end(struct store *st)
{
	st->idling = false;
	if (st->idle_failed) {
		st->wal_dirty = true;
		st->wrote = st->wrote || st->idle_restart;
	}
}

/* The connection back from the idler, waiting for the end of its
 * checkpoint when it still runs.  Every use of st->db comes after this:
 * through stmt() for most, by a call of its own for the rest. */
static void settle(struct store *st)
{
	if (!st->idling)
		return;
	pthread_join(st->idler, NULL);
	idle_end(st);
}

static sqlite3_stmt *stmt(struct store *st, const char *sql)
{
	size_t i;
	sqlite3_stmt *q;
	int rc;

	settle(st);
	for (i = 0; i < st->nstmts; i++) {
		if (st->stmts[i].sql == sql || !strcmp(st->stmts[i].sql, sql)) {
			q = st->stmts[i].stmt;
			sqlite3_reset(q);
			sqlite3_clear_bindings(q);
			return q;
		}
	}
	rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &q, NULL);
	if (rc != SQLITE_OK) {
		db_error(st, rc);
		return NULL;
	}
	if (st->nstmts == st->capstmts) {
		st->capstmts = st->capstmts ? 2 * st->capstmts : 32;
		st->stmts = util_realloc(st->stmts, st->capstmts * sizeof *st->stmts);
	}
	st->stmts[st->nstmts].sql = sql;
	st->stmts[st->nstmts].stmt = q;
	st->nstmts++;
	return q;
}

/* Run a statement that returns no rows (or whose rows are not wanted). */
static int step_done(struct store *st, sqlite3_stmt *q)
{
	int rc;

	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		;
	/* the reason first: resetting may clear the system's error number */
	if (rc != SQLITE_DONE)
		db_error(st, rc);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Step once for a single row.  1 with the row (the caller resets q), 0 when
 * there is none, -1 on error.
 */
static int step_row(struct store *st, sqlite3_stmt *q)
{
	int rc = sqlite3_step(q);

	if (rc == SQLITE_ROW)
		return 1;
	sqlite3_reset(q);
	if (rc == SQLITE_DONE)
		return 0;
	db_error(st, rc);
	return -1;
}

static int exec(struct store *st, const char *sql)
{
	sqlite3_stmt *q = stmt(st, sql);
	return q ? step_done(st, q) : -1;
}

static int tx_begin(struct store *st)
{
	return exec(st, "BEGIN IMMEDIATE");
}

static void tx_rollback(struct store *st)
{
	settle(st);
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static int tx_commit(struct store *st)
{
	if (exec(st, "COMMIT") == 0) {
		st->wal_dirty = true;
		st->wrote = true;
		return 0;
	}
	tx_rollback(st);
	return -1;
}

/* A consistent snapshot for several reads. */
static int rd_begin(struct store *st)
{
	return exec(st, "BEGIN");
}

/* Through the statement kept for COMMIT: preparing one for each read cost
 * more than many a read. */
static void rd_end(struct store *st)
{
	sqlite3_stmt *q;

	settle(st);
	if (sqlite3_get_autocommit(st->db))
		return;
	q = stmt(st, "COMMIT");
	if (q) {
		sqlite3_step(q);
		sqlite3_reset(q);
	}
	/* whatever kept it open (the statement not prepared, or busy), the
	 * read ends here as it always did */
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
}

/* ---- opening ---- */

/* mkdir -p of the directories above path, each made with mode 0700. */
static int make_parents(const char *path)
{
	char *p = util_strdup(path);
	char *s;
	int ret = 0;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			ret = -1;
			break;
		}
		*s = '/';
	}
	free(p);
	return ret;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *d;

	if (!slash)
		return util_strdup(".");
	if (slash == path)
		return util_strdup("/");
	d = util_malloc((size_t)(slash - path) + 1);
	memcpy(d, path, (size_t)(slash - path));
	d[slash - path] = '\0';
	return d;
}

enum verdict { V_NEW, V_OURS, V_FOREIGN, V_NEWER, V_CORRUPT, V_ERROR };

/* Read one integer from a query on db; -1 with *rc set on failure. */
static int64_t query_int(sqlite3 *db, const char *sql, int *rc)
{
	sqlite3_stmt *q;
	int64_t v = -1;

	*rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
	if (*rc != SQLITE_OK)
		return -1;
	*rc = sqlite3_step(q);
	if (*rc == SQLITE_ROW) {
		v = sqlite3_column_int64(q, 0);
		*rc = SQLITE_OK;
	}
	sqlite3_finalize(q);
	return v;
}

static const char *const inspect_probes[][2] = {
	{ "documents", "SELECT count(*) FROM (SELECT 1 FROM documents LIMIT 1)" },
	{ "tags", "SELECT count(*) FROM (SELECT 1 FROM tags LIMIT 1)" },
	{ "annotations", "SELECT count(*) FROM (SELECT 1 FROM annotations LIMIT 1)" },
	{ "links", "SELECT count(*) FROM (SELECT 1 FROM links LIMIT 1)" },
	{ "cursors", "SELECT count(*) FROM (SELECT 1 FROM cursors LIMIT 1)" },
	{ "history", "SELECT count(*) FROM (SELECT 1 FROM history LIMIT 1)" },
	{ "sqlite_sequence", "SELECT count(*) FROM (SELECT 1 FROM sqlite_sequence LIMIT 1)" },
};

/*
 * What the database on db is.  Reads only.  For our own database, the root
 * page of every table is read, so that a truncated file is caught here.
 */
static enum verdict inspect_in(sqlite3 *db, int64_t *version, int *rc)
{
	int64_t app, ntables;
	sqlite3_stmt *q;

	app = query_int(db, "PRAGMA application_id", rc);
	if (*rc != SQLITE_OK)
		goto fail;
	*version = query_int(db, "PRAGMA user_version", rc);
	if (*rc != SQLITE_OK)
		goto fail;
	ntables = query_int(db, "SELECT count(*) FROM sqlite_master", rc);
	if (*rc != SQLITE_OK)
		goto fail;
	if (app == 0 && ntables == 0)
		return V_NEW;
	if (app != STORE_APP_ID)
		return V_FOREIGN;
	if (*version > STORE_SCHEMA)
		return V_NEWER;
	/* no gloss ever wrote one below 0: the header was damaged */
	if (*version < 0)
		return V_CORRUPT;

	/* Our tables by name, each probed by a statement of its own: a name
	 * read from the file never becomes SQL.  One a version lacks is skipped. */
	*rc = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
				 -1, &q, NULL);
	if (*rc != SQLITE_OK)
		goto fail;
	for (size_t i = 0; i < sizeof inspect_probes / sizeof *inspect_probes; i++) {
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, inspect_probes[i][0], -1, SQLITE_STATIC);
		*rc = sqlite3_step(q);
		if (*rc == SQLITE_DONE)
			continue;
		if (*rc != SQLITE_ROW)
			break;
		query_int(db, inspect_probes[i][1], rc);
		if (*rc != SQLITE_OK)
			break;
	}
	sqlite3_finalize(q);
	if (*rc != SQLITE_OK && *rc != SQLITE_DONE)
		goto fail;
	*rc = SQLITE_OK;
	return V_OURS;
fail:
	switch (*rc & 0xff) {
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return V_CORRUPT;
	default:
		return V_ERROR;
	}
}

/* inspect_in in one read transaction: a dozen statements take and give
 * back the file's locks once, not each.  Inside the migration's own
 * transaction it reads in that one. */
static enum verdict inspect(sqlite3 *db, int64_t *version, int *rc)
{
	bool tx = sqlite3_get_autocommit(db) && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
	enum verdict v = inspect_in(db, version, rc);

	if (tx && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return v;
}

/* Say why database path (db, when SQLite made one) could not be opened:
 * for a failure of the system, the system's reason (a file size limit or a
 * full disk ends the making of the -shm file), not "disk I/O error". */
static void open_error(const char *path, sqlite3 *db, int rc)
{
	int sys = db ? sqlite3_system_errno(db) : 0;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		util_error("cannot open database '%s': database is locked", path);
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		util_error("'%s' is not a database or is corrupt", path);
		break;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		if (sys) {
			util_error("cannot open database '%s': %s", path, strerror(sys));
			break;
		}
		/* fall through */
	default:
		util_error("cannot open database '%s': %s", path,
			   db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		break;
	}
}

/* Say why an inspection refused path; false when it did not. */
static bool refuse(enum verdict v, const char *path, int64_t version, int rc, sqlite3 *db)
{
	switch (v) {
	case V_NEW:
	case V_OURS:
		return false;
	case V_FOREIGN:
		util_error("'%s' is not a gloss database", path);
		break;
	case V_NEWER:
		util_error("'%s' has schema version %lld, newer than this gloss knows (%d)",
			   path, (long long)version, STORE_SCHEMA);
		break;
	case V_CORRUPT:
		util_error("'%s' is not a database or is corrupt", path);
		break;
	case V_ERROR:
		open_error(path, db, rc);
		break;
	}
	return true;
}

/* A big-endian number of the database header. */
static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* What check_file found of a database file. */
struct store_file {
	bool wal;     /* the header says WAL mode */
	bool ro;      /* to be opened read only */
	bool current; /* the header says WAL mode, our application id and this schema version */
	bool empty;   /* new, or no byte in it yet */
};

/*
 * Checks that need no SQLite: the path is a regular file we may read and
 * write, in a directory we may write (WAL makes -wal and -shm files there),
 * and its first bytes are SQLite's (or it is empty).  Creates a missing file.
 * What it found in *f.
 */
static int check_file(const char *path, struct store_file *f)
{

	static const char magic[16] = "SQLite format 3";
	struct stat sb;
	unsigned char head[100];
	char *dir;
	int fd, err;
	ssize_t got;

	if (!*path) {
		util_error("cannot open database '': No such file or directory");
		return -1;
	}
	if (stat(path, &sb) != 0) {
		if (errno != ENOENT)
			goto sys;
		if (make_parents(path) != 0)
			goto sys;
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			/* the umask may not take more than it should, but make sure */
			if (fchmod(fd, 0600) != 0) {
				err = errno;
				close(fd);
				errno = err;
				goto sys;
			}
			close(fd);
		} else if (errno != EEXIST) {
			goto sys;
		}
		if (stat(path, &sb) != 0)
			goto sys;
	}
	if (S_ISDIR(sb.st_mode)) {
		errno = EISDIR;
		goto sys;
	}
	if (!S_ISREG(sb.st_mode)) {
		util_error("cannot open database '%s': not a regular file", path);
		return -1;
	}
	/* A file that can be read but not written (or whose directory cannot
	 * take the -wal and -shm files) is opened to be read only. */
	f->ro = false;
	if (faccessat(AT_FDCWD, path, R_OK | W_OK, AT_EACCESS) != 0) {
		if ((errno != EACCES && errno != EROFS && errno != EPERM) ||
		    faccessat(AT_FDCWD, path, R_OK, AT_EACCESS) != 0 || sb.st_size == 0)
			goto sys;
		f->ro = true;
	}
	dir = dir_of(path);
	err = faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0 ? errno : 0;
	free(dir);
	if (err && sb.st_size > 0 && (err == EACCES || err == EROFS || err == EPERM)) {
		f->ro = true;
	} else if (err) {
		errno = err;
		goto sys;
	}
	f->wal = f->current = false;
	f->empty = sb.st_size == 0;
	if (f->empty)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto sys;
	got = read(fd, head, sizeof head);
	err = errno;
	close(fd);
	if (got < 0) {
		errno = err;
		goto sys;
	}
	if (got < 20 || memcmp(head, magic, sizeof magic) != 0) {
		util_error("'%s' is not a database or is corrupt", path);
		return -1;
	}
	f->wal = head[18] == 2 && head[19] == 2;
	f->current = f->wal && (size_t)got == sizeof head && be32(head + 68) == STORE_APP_ID &&
		   be32(head + 60) == STORE_SCHEMA;
	return 0;
sys:
	util_error("cannot open database '%s': %s", path, strerror(errno));
	return -1;
}

/*
 * A URI for path with immutable=1: no locks, no -shm file.  SQLite wants
 * '%', '?' and '#' (and, to be safe, anything not printable) escaped.
 */
static char *immutable_uri(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(path);
	char *uri = util_malloc(3 * n + 32), *o = uri;
	const unsigned char *p;

	o += sprintf(o, path[0] == '/' ? "file://" : "file:");
	for (p = (const unsigned char *)path; *p; p++) {
		if (*p <= ' ' || *p >= 0x7f || *p == '%' || *p == '?' || *p == '#') {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		} else {
			*o++ = (char)*p;
		}
	}
	strcpy(o, "?immutable=1");
	return uri;
}

/* path-wal exists; with frames, when it is longer than its 32-byte header. */
static bool wal_file_exists(const char *path, bool frames)
{
	size_t n = strlen(path);
	char *wal = util_malloc(n + 5);
	struct stat sb;
	bool there;

	memcpy(wal, path, n);
	memcpy(wal + n, "-wal", 5);
	there = stat(wal, &sb) == 0 && (!frames || sb.st_size > 32);
	free(wal);
	return there;
}

/*
 * Inspect path through a read-only connection, which cannot change the file.
 * A read-only connection to a WAL database would still make -wal and -shm
 * files beside it; when no -wal file exists the main file holds everything,
 * so it is read as immutable and nothing is made.
 */
static int check_readonly(const char *path, bool wal)
{
	sqlite3 *db = NULL;
	int64_t version = 0;
	int rc;
	enum verdict v;
	char *uri = NULL;

	if (wal && !wal_file_exists(path, false)) {
		uri = immutable_uri(path);
		rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	} else {
		rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	}
	if (rc != SQLITE_OK) {
		refuse((rc & 0xff) == SQLITE_NOTADB ? V_CORRUPT : V_ERROR, path, 0, rc, db);
		sqlite3_close(db);
		free(uri);
		return -1;
	}
	sqlite3_busy_timeout(db, STORE_BUSY_MS);
	v = inspect(db, &version, &rc);
	if (uri && v == V_CORRUPT && wal_file_exists(path, false)) {
		/* another process began writing while we read without locks: look again */
		sqlite3_close(db);
		free(uri);
		return check_readonly(path, false);
	}
	refuse(v, path, version, rc, db);
	sqlite3_close(db);
	free(uri);
	return v == V_NEW || v == V_OURS ? 0 : -1;
}

/* Any row of PRAGMA foreign_key_check is a broken reference: -1 with util_error. */
static int fk_check(struct store *st)
{
	sqlite3_stmt *q;
	int rc;

	rc = sqlite3_prepare_v2(st->db, "PRAGMA foreign_key_check", -1, &q, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW)
			util_error("cannot update database '%s': table %s refers to a missing row",
				   st->path, (const char *)sqlite3_column_text(q, 0));
		else if (rc != SQLITE_DONE)
			db_error(st, rc);
		sqlite3_finalize(q);
	} else {
		db_error(st, rc);
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The migrations from the database's version on, holding the write lock. */
static int migrate_locked(struct store *st)
{
	int64_t version = 0;
	int rc;
	enum verdict v;
	char sql[64];

	if (tx_begin(st) != 0) {
		if ((sqlite3_errcode(st->db) & 0xff) == SQLITE_BUSY)
			util_error("cannot open database '%s': database is locked", st->path);
		return -1;
	}
	/* again, now that we hold the write lock: another process may have been first */
	v = inspect(st->db, &version, &rc);
	if (refuse(v, st->path, version, rc, st->db))
		goto fail;
	if (v == V_NEW)
		version = 0; /* an empty file may say anything */
	for (; version < STORE_SCHEMA; version++) {
		rc = sqlite3_exec(st->db, migrations[version], NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			util_error("cannot update database '%s' to version %lld: %s", st->path,
				   (long long)version + 1, sqlite3_errmsg(st->db));
			goto fail;
		}
		snprintf(sql, sizeof sql, "PRAGMA user_version = %lld", (long long)version + 1);
		if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
			db_error(st, sqlite3_errcode(st->db));
			goto fail;
		}
	}
	if (v == V_NEW) {
		snprintf(sql, sizeof sql, "PRAGMA application_id = %d", STORE_APP_ID);
		if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
			db_error(st, sqlite3_errcode(st->db));
			goto fail;
		}
	}
	if (fk_check(st) != 0)
		goto fail;
	return tx_commit(st);
fail:
	tx_rollback(st);
	return -1;
}

/*
 * Bring the schema up to STORE_SCHEMA, in one transaction.  A migration may
 * rebuild a table, which SQLite documents as safe only with foreign keys
 * off; they can only be switched outside a transaction, so they are off for
 * the whole migration, the references are checked before it commits, and
 * they are on again afterwards whatever happened.
 */
static int migrate(struct store *st)
{
	int64_t version = 0;
	int rc, r;
	enum verdict v;

	/* the common case needs no write lock, which another process may hold */
	v = inspect(st->db, &version, &rc);
	if (v == V_OURS && version == STORE_SCHEMA)
		return 0;
	if (refuse(v, st->path, version, rc, st->db))
		return -1;
	if (st->readonly) {
		util_error("database '%s' is read-only and has schema version %lld: open it once"
			   " where it can be written, to update it to %d", st->path,
			   (long long)version, STORE_SCHEMA);
		return -1;
	}
	if (sqlite3_exec(st->db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL) != SQLITE_OK) {
		db_error(st, sqlite3_errcode(st->db));
		return -1;
	}
	r = migrate_locked(st);
	if (sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK &&
	    r == 0) {
		db_error(st, sqlite3_errcode(st->db));
		r = -1;
	}
	return r;
}

void store_hurry(struct store *st, bool hurry)
{
	settle(st);
	st->hurry = hurry;
	sqlite3_busy_timeout(st->db, hurry ? 0 : STORE_BUSY_MS);
}

/* Settings of the read-write connection; WAL only now, since it writes. */
static int configure(struct store *st)
{
	sqlite3_stmt *q;
	const char *mode;
	int rc;

	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	/* read only, the journal mode is what the file says: nothing to set */
	if (st->readonly)
		return sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) == SQLITE_OK
			? 0 : (db_error(st, sqlite3_errcode(st->db)), -1);
	rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &q, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW) {
			mode = (const char *)sqlite3_column_text(q, 0);
			rc = mode && !strcmp(mode, "wal") ? SQLITE_OK : SQLITE_CANTOPEN;
		}
		sqlite3_finalize(q);
	}
	/* No checkpoint inside a commit (a keystroke would wait on it):
	 * store_idle does them, and the last connection to close. */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
				  " PRAGMA wal_autocheckpoint = 0", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		open_error(st->path, st->db, rc);
		return -1;
	}
	return 0;
}

/* store_open once check_file has passed on path and said f. */
static struct store *open_checked(const char *path, const char *author, const struct store_file *f)
{
	struct store *st;
	sqlite3_stmt *q;
	char *uri = NULL;
	int rc;

	/* The read-only look first makes sure that a foreign or newer file is
	 * not changed by the settings below.  A file whose header already says
	 * ours, this schema and WAL, with no frames in a -wal file that could
	 * say otherwise, cannot be changed by them: the inspection in migrate()
	 * is enough, and the start is quicker by a second connection. */
	if (!(f->current && !wal_file_exists(path, true)) && check_readonly(path, f->wal) != 0)
		return NULL;

	st = util_calloc(1, sizeof *st);
	st->path = util_strdup(path);
	st->author = author ? util_strdup(author) : NULL;
	st->readonly = f->ro;
	st->text_kept = -1;
	/* One thread uses a store: SQLite's own locking of every call is cost only.
	 * Read only, with no -wal file, the main file holds everything: read it
	 * as immutable, since the -shm file may not be makeable. */
	if (f->ro && f->wal && !wal_file_exists(path, false))
		uri = immutable_uri(path);
	rc = sqlite3_open_v2(uri ? uri : path, &st->db,
			     (f->ro ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX |
				     (uri ? SQLITE_OPEN_URI : 0), NULL);
	free(uri);
	if (rc != SQLITE_OK) {
		open_error(path, st->db, rc);
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	if (configure(st) != 0 || migrate(st) != 0)
		goto fail;
	q = stmt(st, "PRAGMA data_version");
	if (!q || step_row(st, q) != 1)
		goto fail;
	st->data_version = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	/* The session's first commit would find the log empty or all copied,
	 * and wait for its header to reach the disk, and for the directory
	 * too when the log's file is new: store_idle takes that turn as after
	 * this connection's own commits. */
	st->wal_dirty = st->wrote = !st->readonly;
	return st;
fail:
	store_close(st);
	return NULL;
}

struct store *store_open(const char *path, const char *author)
{
	struct store_file f = { 0 };

	if (check_file(path, &f) != 0)
		return NULL;
	return open_checked(path, author, &f);
}

struct store_opening {
	pthread_t thread;
	bool threaded;
	char *path, *author;
	struct store_file file; /* what the caller's look at it found */
	bool looked;           /* and that look passed */
	bool started;          /* store_open_go was called, or nothing to open */
	struct store *st;
	char *msg;     /* what store_open said on failure */
	cpu_set_t cpus; /* where the caller may run */
	int done[2];    /* a pipe the thread writes a byte to as it ends;
			 * -1 where there is none */
};

static void *opening_run(void *arg)
{
	struct store_opening *op = arg;

	op->st = open_checked(op->path, op->author, &op->file);
	if (!op->st)
		op->msg = util_strdup(util_errmsg());
	if (op->done[1] >= 0) {
		ssize_t w;
		while ((w = write(op->done[1], "", 1)) < 0 && errno == EINTR)
			;
	}
	return NULL;
}

/* The opening on its own thread: work that can wait for a terminal that
 * wakes to show the first screen, on a machine whose other CPU is busy
 * starting curses. */
static void *opening_thread(void *arg)
{
	util_sched_patient(true);
	return opening_run(arg);
}

/* fn(arg) on a new thread, on cpus when not NULL, with every signal blocked:
 * signals are the caller's to take.  False when none could be started. */
static bool thread_start(pthread_t *t, void *(*fn)(void *), void *arg, const cpu_set_t *cpus)
{
	pthread_attr_t attr;
	sigset_t all, old;
	bool started;

	if (pthread_attr_init(&attr) != 0)
		return false;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	started = (!cpus || pthread_attr_setaffinity_np(&attr, sizeof *cpus, cpus) == 0) &&
		  pthread_create(t, &attr, fn, arg) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	return started;
}

/*
 * The opening runs on a CPU other than the caller's, or not on a thread at
 * all: a new thread left to the scheduler often waits on the caller's CPU
 * until the caller blocks, which gains nothing and costs the thread.
 */
static bool opening_start(struct store_opening *op)
{
	cpu_set_t cpus;
	int here = sched_getcpu();
	bool started;

	if (here < 0 || sched_getaffinity(0, sizeof cpus, &cpus) != 0 || !CPU_ISSET(here, &cpus))
		return false;
	op->cpus = cpus;
	CPU_CLR(here, &cpus);
	if (CPU_COUNT(&cpus) == 0)
		return false;
	if (pipe2(op->done, O_CLOEXEC) != 0)
		op->done[0] = op->done[1] = -1;
	started = thread_start(&op->thread, opening_thread, op, &cpus);
	if (!started && op->done[0] >= 0) {
		close(op->done[0]);
		close(op->done[1]);
		op->done[0] = op->done[1] = -1;
	}
	return started;
}

struct store_opening *store_open_look(const char *path, const char *author)
{
	struct store_opening *op = util_calloc(1, sizeof *op);

	op->path = util_strdup(path);
	op->author = author ? util_strdup(author) : NULL;
	op->done[0] = op->done[1] = -1;
	/* The file's own checks here: cheap, and what they refuse is known
	 * before the caller shows anything. */
	if (check_file(path, &op->file) != 0) {
		op->msg = util_strdup(util_errmsg());
		op->started = true; /* nothing to open */
		return op;
	}
	op->looked = true;
	return op;
}

void store_open_go(struct store_opening *op)
{
	if (op->started)
		return;
	op->started = true;
	op->threaded = opening_start(op);
	if (!op->threaded)
		opening_run(op);
}

struct store_opening *store_open_begin(const char *path, const char *author)
{
	struct store_opening *op = store_open_look(path, author);

	store_open_go(op);
	return op;
}

/* Now that the caller waits, its CPU will do too: the other may be busy
 * with another program. */
static void opening_anywhere(struct store_opening *op)
{
	pthread_setaffinity_np(op->thread, sizeof op->cpus, &op->cpus);
}

int store_open_wait_fd(struct store_opening *op)
{
	store_open_go(op);
	if (!op->threaded || op->done[0] < 0)
		return -1;
	opening_anywhere(op);
	return op->done[0];
}

bool store_opening_likely(const struct store_opening *op)
{
	return op->looked && (op->file.current || op->file.empty);
}

struct store *store_open_end(struct store_opening *op)
{
	struct store *st;

	store_open_go(op);
	if (op->threaded) {
		opening_anywhere(op);
		pthread_join(op->thread, NULL);
	}
	if (op->done[0] >= 0) {
		close(op->done[0]);
		close(op->done[1]);
	}
	st = op->st;
	if (!st)
		util_error("%s", op->msg);
	free(op->msg);
	free(op->path);
	free(op->author);
	free(op);
	return st;
}

/* ---- checking ---- */

/* The first row of sql's one column as text into out, "" when none: -1 on failure. */
static int check_first(struct store *st, const char *sql, char *out, size_t size)
{
	sqlite3_stmt *q = stmt(st, sql);
	int r;

	out[0] = '\0';
	if (!q)
		return -1;
	r = step_row(st, q);
	if (r < 0)
		return -1;
	if (r) {
		const char *t = (const char *)sqlite3_column_text(q, 0);
		snprintf(out, size, "%s", t ? t : "NULL");
		sqlite3_reset(q);
	}
	return 0;
}

int store_check(struct store *st)
{
	static const struct {
		const char *sql, *what; /* a row names what is wrong */
	} checks[] = {
		{ "PRAGMA quick_check", "SQLite's check says" },
		{ "SELECT \"table\" || coalesce(' row ' || rowid, '') || ' names no row of ' || parent"
		  " FROM pragma_foreign_key_check",
		  "a foreign key fails:" },
		{ "SELECT id FROM documents WHERE text IS NOT NULL AND length(CAST(text AS BLOB)) <> size",
		  "the text is not as long as the document, in document" },
		{ "SELECT a.uuid FROM annotations a JOIN documents d ON d.id = a.document"
		  " WHERE a.start IS NOT NULL AND (d.text IS NULL OR a.start < 0"
		  " OR a.\"end\" > length(CAST(d.text AS BLOB))"
		  " OR substr(CAST(d.text AS BLOB), a.start + 1, a.\"end\" - a.start) <> CAST(a.quote AS BLOB)"
		  " OR hex(substr(CAST(d.text AS BLOB), a.start + 1, 1)) BETWEEN '80' AND 'BF'"
		  " OR hex(substr(CAST(d.text AS BLOB), a.\"end\" + 1, 1)) BETWEEN '80' AND 'BF')",
		  "an annotation is not where it says, or its quote is not there:" },
		{ "SELECT a.uuid FROM annotations a JOIN documents d ON d.id = a.document"
		  " WHERE a.start IS NULL AND a.cp_start IS NOT NULL AND d.text IS NOT NULL",
		  "an annotation waits for a text its document has:" },
		{ "SELECT a.uuid FROM links l JOIN annotations a ON a.id = l.\"from\" WHERE l.\"from\" = l.\"to\"",
		  "an annotation links to itself:" },
	};
	char got[200];
	sqlite3_stmt *q;
	int rc;

	for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
		if (check_first(st, checks[i].sql, got, sizeof got) != 0)
			return -1;
		if (got[0] && (i > 0 || strcmp(got, "ok") != 0)) {
			util_error("database '%s': %s %s", st->path, checks[i].what, got);
			return -1;
		}
	}
	q = stmt(st, "SELECT id, sha256, text FROM documents WHERE text IS NOT NULL");
	if (!q)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		unsigned char sum[SHA256_LEN];
		char hex[SHA256_HEX_LEN + 1];
		const char *want = (const char *)sqlite3_column_text(q, 1);

		sha256_sum(sqlite3_column_blob(q, 2), (size_t)sqlite3_column_bytes(q, 2), sum);
		sha256_hex(sum, hex);
		if (!want || strcmp(want, hex) != 0) {
			util_error("database '%s': the text of document %lld has another SHA-256", st->path,
				   (long long)sqlite3_column_int64(q, 0));
			sqlite3_reset(q);
			return -1;
		}
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		db_error(st, rc);
		return -1;
	}
	return 0;
}

void store_close(struct store *st)
{
	size_t i;

	if (!st)
		return;
	settle(st);
	for (i = 0; i < st->nstmts; i++)
		sqlite3_finalize(st->stmts[i].stmt);
	free(st->stmts);
	sqlite3_close(st->db);
	stack_clear(&st->undo);
	stack_clear(&st->redo);
	free(st->undo.e);
	free(st->redo.e);
	free(st->what);
	free(st->path);
	free(st->author);
	free(st);
}

/* A text longer than SQLite keeps in one value (a billion bytes unless
 * built otherwise) cannot be kept, so nothing can be annotated in it. */
static bool text_too_large(struct store *st, size_t n)
{
	int limit;

	settle(st);
	limit = sqlite3_limit(st->db, SQLITE_LIMIT_LENGTH, -1);
	if (n <= (size_t)limit)
		return false;
	util_error("a document of %zu bytes cannot be annotated: '%s' keeps the text of what it"
		   " annotates, at most %d bytes", n, st->path, limit);
	return true;
}

/* ---- documents and cursors ---- */

int64_t store_doc(struct store *st, const char *sha256, size_t size, const char *path)
{
	sqlite3_stmt *q;
	int64_t id = 0;
	int r;

	/* The common case, a document seen before in the same place, writes
	 * nothing; nor does a database that cannot be written, which still
	 * knows the document by its sum under another path (or imported), so
	 * that its annotations show. */
	q = stmt(st, "SELECT id, path = ?3 FROM documents WHERE sha256 = ?1 AND size = ?2");
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (int64_t)size);
	sqlite3_bind_text(q, 3, path, -1, SQLITE_STATIC);
	r = step_row(st, q);
	if (r < 0)
		return -1;
	if (r && (sqlite3_column_int(q, 1) || st->readonly)) {
		id = sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
		return id;
	}
	if (r)
		sqlite3_reset(q);
	if (st->readonly) {
		db_error(st, SQLITE_READONLY);
		return -1;
	}

	if (tx_begin(st) != 0)
		return -1;
	q = stmt(st, "INSERT INTO documents (sha256, size, path) VALUES (?1, ?2, ?3)"
		 " ON CONFLICT (sha256) DO UPDATE SET size = excluded.size, path = excluded.path"
		 " RETURNING id");
	if (!q)
		goto fail;
	sqlite3_bind_text(q, 1, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (int64_t)size);
	sqlite3_bind_text(q, 3, path, -1, SQLITE_STATIC);
	r = step_row(st, q);
	if (r <= 0) {
		if (r == 0)
			util_error("database '%s': the document was not recorded", st->path);
		goto fail;
	}
	id = sqlite3_column_int64(q, 0);
	if (step_done(st, q) != 0 || tx_commit(st) != 0)
		goto fail;
	return id;
fail:
	tx_rollback(st);
	return -1;
}

int store_doc_known(struct store *st, const char *sha256, const char *file)
{
	sqlite3_stmt *q;
	int r;

	q = stmt(st, "SELECT EXISTS (SELECT 1 FROM documents WHERE sha256 = ?1)"
		     " OR EXISTS (SELECT 1 FROM documents WHERE file = ?2)");
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, sha256, -1, SQLITE_STATIC);
	if (file)
		sqlite3_bind_text(q, 2, file, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 2);
	r = step_row(st, q);
	if (r != 1)
		return r < 0 ? -1 : 0;
	r = sqlite3_column_int(q, 0) != 0;
	sqlite3_reset(q);
	return r;
}

int store_doc_text(struct store *st, int64_t doc, const char *bytes, size_t size)
{
	sqlite3_stmt *q;
	int64_t want;
	int r;

	/* a text kept stays kept: nothing sets it back to NULL */
	if (doc == st->text_kept)
		return 0;

	/* length(text), here and elsewhere: SQLite takes a blob's length from
	 * the row's header, where "text IS NULL" would read the whole text */
	q = stmt(st, "SELECT size, length(text) IS NOT NULL FROM documents WHERE id = ?1");
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, doc);
	r = step_row(st, q);
	if (r <= 0) {
		if (r == 0)
			util_error("no document %lld in '%s'", (long long)doc, st->path);
		return -1;
	}
	want = sqlite3_column_int64(q, 0);
	r = sqlite3_column_int(q, 1);
	sqlite3_reset(q);
	if (r) {
		st->text_kept = doc;
		return 0;
	}
	if ((uint64_t)want != (uint64_t)size) {
		util_error("the text given for document %lld has %zu bytes, not %lld",
			   (long long)doc, size, (long long)want);
		return -1;
	}
	if (text_too_large(st, size))
		return -1;

	if (tx_begin(st) != 0)
		return -1;
	q = stmt(st, "UPDATE documents SET text = ?2 WHERE id = ?1 AND length(text) IS NULL");
	if (!q)
		goto fail;
	sqlite3_bind_int64(q, 1, doc);
	/* no copy: the text may be large, and q is unbound before we return */
	sqlite3_bind_blob64(q, 2, bytes ? bytes : "", size, SQLITE_STATIC);
	r = step_done(st, q);
	sqlite3_clear_bindings(q);
	if (r != 0 || tx_commit(st) != 0)
		goto fail;
	st->text_kept = doc;
	return 0;
fail:
	tx_rollback(st);
	return -1;
}

bool store_cursor_get(struct store *st, int64_t doc, size_t *cursor)
{
	sqlite3_stmt *q = stmt(st, "SELECT position FROM cursors WHERE document = ?1");

	if (!q)
		return false;
	sqlite3_bind_int64(q, 1, doc);
	if (step_row(st, q) != 1)
		return false;
	*cursor = (size_t)sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return true;
}

/* The bytes around the cursor that a cursor row keeps: up to
 * CURSOR_CONTEXT each side, whole code points. */
#define CURSOR_CONTEXT 32

int store_cursor_set(struct store *st, int64_t doc, size_t cursor, const char *text, size_t size)
{
	sqlite3_stmt *q;
	size_t a = 0, b = 0;

	if (text && cursor <= size) {
		a = cursor > CURSOR_CONTEXT ? cursor - CURSOR_CONTEXT : 0;
		while (a < cursor && ((unsigned char)text[a] & 0xC0) == 0x80)
			a++;
		b = size - cursor > CURSOR_CONTEXT ? cursor + CURSOR_CONTEXT : size;
		if (b < size)
			b = util_utf8_back(text, b);
		if (b < cursor)
			b = cursor;
	}
	if (tx_begin(st) != 0)
		return -1;
	q = stmt(st, "INSERT INTO cursors (document, position, context, context_at)"
		 " VALUES (?1, ?2, ?3, ?4)"
		 " ON CONFLICT (document) DO UPDATE SET position = excluded.position,"
		 " context = excluded.context, context_at = excluded.context_at");
	if (!q)
		goto fail;
	sqlite3_bind_int64(q, 1, doc);
	sqlite3_bind_int64(q, 2, (int64_t)cursor);
	if (b > a) {
		sqlite3_bind_blob(q, 3, text + a, (int)(b - a), SQLITE_STATIC);
		sqlite3_bind_int64(q, 4, (int64_t)(cursor - a));
	}
	if (step_done(st, q) != 0 || tx_commit(st) != 0)
		goto fail;
	return 0;
fail:
	tx_rollback(st);
	return -1;
}

/* ---- tags ---- */

int store_tags(struct store *st, struct store_tag **out, size_t *n)
{
	sqlite3_stmt *q;
	struct store_tag *tags = NULL;
	size_t len = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	q = stmt(st, "SELECT id, name, key, colour FROM tags ORDER BY"
		 " CASE name WHEN 'claim' THEN 0 WHEN 'source' THEN 1 ELSE 2 END, name");
	if (!q)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const unsigned char *key = sqlite3_column_text(q, 2);
		if (len == cap) {
			cap = cap ? 2 * cap : 8;
			tags = util_realloc(tags, cap * sizeof *tags);
		}
		tags[len].id = sqlite3_column_int64(q, 0);
		tags[len].name = col_text(q, 1);
		tags[len].key = key && key[0] ? key[0] : 0;
		tags[len].colour = col_text(q, 3);
		len++;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		store_tags_free(tags, len);
		db_error(st, rc);
		return -1;
	}
	*out = tags;
	*n = len;
	return 0;
}

void store_tags_free(struct store_tag *tags, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(tags[i].name);
		free(tags[i].colour);
	}
	free(tags);
}

/* The name of a tag (the caller frees it): 1, 0 when none, -1 on error. */
static int tag_name(struct store *st, int64_t tag, char **name)
{
	sqlite3_stmt *q = stmt(st, "SELECT name FROM tags WHERE id = ?1");
	int r;

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, tag);
	r = step_row(st, q);
	if (r == 1) {
		*name = col_text(q, 0);
		sqlite3_reset(q);
	}
	return r;
}

/*
 * Refuse a tag that cannot be made now: -2 (util_error says why) when the
 * name exists or the key is taken, -1 on a database error, 0 when free.
 */
static int tag_free(struct store *st, const char *name, int key)
{
	sqlite3_stmt *q;
	char k[2] = { (char)key, '\0' };
	int r;

	q = stmt(st, "SELECT 1 FROM tags WHERE name = ?1");
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	r = step_row(st, q);
	if (r) {
		if (r > 0) {
			sqlite3_reset(q);
			util_error("tag '%s' exists", name);
			return -2;
		}
		return -1;
	}
	if (!key)
		return 0;
	q = stmt(st, "SELECT name FROM tags WHERE key = ?1");
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, k, 1, SQLITE_STATIC);
	r = step_row(st, q);
	if (r) {
		if (r > 0) {
			util_error("key '%c' is taken by tag '%s'", key,
				   (const char *)sqlite3_column_text(q, 0));
			sqlite3_reset(q);
			return -2;
		}
		return -1;
	}
	return 0;
}

/* Insert a tag, with the given id when it is free (0: any).  The new id or -1. */
static int64_t tag_insert(struct store *st, int64_t id, const char *name, int key,
			  const char *colour)
{
	sqlite3_stmt *q;
	char k[2] = { (char)key, '\0' };

	q = stmt(st, "INSERT INTO tags (id, name, key, colour) VALUES (?1, ?2, ?3, ?4)");
	if (!q)
		return -1;
	if (id > 0)
		sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
	if (key)
		sqlite3_bind_text(q, 3, k, 1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, colour, -1, SQLITE_STATIC);
	if (step_done(st, q) != 0)
		return -1;
	return sqlite3_last_insert_rowid(st->db);
}

static bool colour_known(const char *c)
{
	size_t i;

	for (i = 0; i < sizeof colours / sizeof *colours; i++)
		if (!strcmp(c, colours[i]))
			return true;
	return false;
}

static void journal_push(struct store *st, struct entry *e)
{
	stack_clear(&st->redo);
	stack_push(&st->undo, e);
}

int64_t store_tag_add(struct store *st, const char *name, int key, const char *colour)
{
	struct entry *e;
	int64_t id;

	if (!name || !*name) {
		util_error("a tag needs a name");
		return -1;
	}
	if (key && (key < 0x20 || key > 0x7e)) {
		util_error("the key of tag '%s' must be a printable ASCII character", name);
		return -1;
	}
	if (!colour || !colour_known(colour)) {
		util_error("unknown colour '%s' (red green yellow blue magenta cyan white)",
			   colour ? colour : "");
		return -1;
	}
	if (tx_begin(st) != 0)
		return -1;
	if (tag_free(st, name, key) != 0)
		goto fail;
	id = tag_insert(st, 0, name, key, colour);
	if (id < 0 || tx_commit(st) != 0)
		goto fail;

	e = util_calloc(1, sizeof *e);
	e->op = OP_TAG;
	e->what = util_strdup("new tag");
	e->tag_id = id;
	e->tag_name = util_strdup(name);
	e->tag_key = key;
	e->tag_colour = util_strdup(colour);
	journal_push(st, e);
	return id;
fail:
	tx_rollback(st);
	return -1;
}

/* ---- annotations ---- */

#define ANN_COLUMNS "id, uuid, document, tag, start, \"end\", quote, prefix, suffix, note," \
	" author, created, updated," \
	" (SELECT count(*) FROM links WHERE links.\"to\" = annotations.id)"

static void ann_from_row(sqlite3_stmt *q, struct store_ann *a)
{
	memset(a, 0, sizeof *a);
	a->id = sqlite3_column_int64(q, 0);
	col_copy(a->uuid, sizeof a->uuid, q, 1);
	a->doc = sqlite3_column_int64(q, 2);
	a->tag = sqlite3_column_int64(q, 3);
	a->start = (size_t)sqlite3_column_int64(q, 4);
	a->end = (size_t)sqlite3_column_int64(q, 5);
	a->quote = col_text_n(q, 6, &a->quote_len);
	a->prefix = col_text_n(q, 7, &a->prefix_len);
	a->suffix = col_text_n(q, 8, &a->suffix_len);
	a->note = col_text(q, 9);
	a->author = col_text(q, 10);
	col_copy(a->created, sizeof a->created, q, 11);
	col_copy(a->updated, sizeof a->updated, q, 12);
	a->nlinked = (size_t)sqlite3_column_int64(q, 13);
}

static int links_of(struct store *st, struct store_ann *a)
{
	sqlite3_stmt *q = stmt(st, "SELECT \"to\" FROM links WHERE \"from\" = ?1 ORDER BY \"to\"");
	size_t cap = 0;
	int rc;

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, a->id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (a->nlinks == cap) {
			cap = cap ? 2 * cap : 4;
			a->links = util_realloc(a->links, cap * sizeof *a->links);
		}
		a->links[a->nlinks++] = sqlite3_column_int64(q, 0);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		db_error(st, rc);
		return -1;
	}
	return 0;
}

struct ann_index {
	int64_t id;
	size_t i;
};

static int ann_index_cmp(const void *a, const void *b)
{
	const struct ann_index *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

/*
 * The links of anns[0..len) from lq, which gives ("from", "to") for all of
 * them (and maybe more) by "from" then "to": one query, not one per
 * annotation, for a document's hundreds.
 */
static int links_all(struct store *st, sqlite3_stmt *lq, int64_t doc, struct store_ann *anns,
		     size_t len)
{
	struct ann_index *ix, key, *hit = NULL;
	size_t i, cap = 0;
	int rc;

	if (!lq)
		return -1;
	ix = util_malloc((len ? len : 1) * sizeof *ix);
	for (i = 0; i < len; i++)
		ix[i] = (struct ann_index){ anns[i].id, i };
	qsort(ix, len, sizeof *ix, ann_index_cmp);
	sqlite3_bind_int64(lq, 1, doc);
	while ((rc = sqlite3_step(lq)) == SQLITE_ROW) {
		struct store_ann *a;
		key.id = sqlite3_column_int64(lq, 0);
		if (!hit || hit->id != key.id) {
			hit = bsearch(&key, ix, len, sizeof *ix, ann_index_cmp);
			cap = 0;
		}
		if (!hit)
			continue;
		a = &anns[hit->i];
		if (a->nlinks == cap) {
			cap = cap ? 2 * cap : 4;
			a->links = util_realloc(a->links, cap * sizeof *a->links);
		}
		a->links[a->nlinks++] = sqlite3_column_int64(lq, 1);
	}
	sqlite3_reset(lq);
	free(ix);
	if (rc != SQLITE_DONE) {
		db_error(st, rc);
		return -1;
	}
	return 0;
}

/* The annotations q (bound to doc as ?1) reads, with their links from the
 * statement sql (see links_all), prepared only when there are some. */
static int anns_read(struct store *st, sqlite3_stmt *q, const char *sql, int64_t doc,
		     struct store_ann **out, size_t *n)
{
	struct store_ann *anns = NULL;
	size_t len = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!q)
		return -1;
	if (rd_begin(st) != 0)
		return -1;
	sqlite3_bind_int64(q, 1, doc);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? 2 * cap : 16;
			anns = util_realloc(anns, cap * sizeof *anns);
		}
		ann_from_row(q, &anns[len++]);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		db_error(st, rc);
		goto fail;
	}
	/* no annotation, no link: the statement is not even prepared */
	if (len > 0 && links_all(st, stmt(st, sql), doc, anns, len) != 0)
		goto fail;
	rd_end(st);
	*out = anns;
	*n = len;
	return 0;
fail:
	rd_end(st);
	store_anns_free(anns, len);
	return -1;
}

/* Spans that are the same, by tag then id. */
int store_ann_order(const struct store_ann *a, const struct store_ann *b)
{
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->end != b->end)
		return a->end > b->end ? -1 : 1;
	if (a->tag != b->tag)
		return a->tag < b->tag ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int ann_tie_cmp(const void *a, const void *b)
{
	return store_ann_order(a, b);
}

int store_anns(struct store *st, int64_t doc, struct store_ann **out, size_t *n)
{
	size_t i, j;

	/* The index gives start, then longest first, with no sorter in SQLite
	 * (which would copy every row, a third of the time); ties are few. */
	if (anns_read(st, stmt(st, "SELECT " ANN_COLUMNS " FROM annotations WHERE document = ?1"
				  " AND start IS NOT NULL ORDER BY start, \"end\" DESC"),
		      "SELECT l.\"from\", l.\"to\" FROM annotations a"
		      " JOIN links l ON l.\"from\" = a.id WHERE a.document = ?1"
		      " AND a.start IS NOT NULL ORDER BY l.\"from\", l.\"to\"",
		      doc, out, n) != 0)
		return -1;
	for (i = 0; i < *n; i = j) {
		for (j = i + 1; j < *n && (*out)[j].start == (*out)[i].start &&
				(*out)[j].end == (*out)[i].end; j++)
			;
		if (j - i > 1)
			qsort(*out + i, j - i, sizeof **out, ann_tie_cmp);
	}
	return 0;
}

int store_orphans(struct store *st, int64_t doc, struct store_ann **out, size_t *n)
{
	return anns_read(st, stmt(st, "SELECT " ANN_COLUMNS " FROM annotations WHERE document IN"
				  " (SELECT ?1 UNION SELECT o.id FROM documents d JOIN documents o"
				  "  ON o.file = d.file WHERE d.id = ?1)"
				  " AND start IS NULL AND cp_start IS NULL ORDER BY id"),
			 "SELECT l.\"from\", l.\"to\" FROM annotations a"
			 " JOIN links l ON l.\"from\" = a.id WHERE a.document IN"
			 " (SELECT ?1 UNION SELECT o.id FROM documents d JOIN documents o"
			 "  ON o.file = d.file WHERE d.id = ?1)"
			 " AND a.start IS NULL AND a.cp_start IS NULL ORDER BY l.\"from\", l.\"to\"",
			 doc, out, n);
}

void store_ann_release(struct store_ann *a)
{
	if (!a)
		return;
	free(a->quote);
	free(a->prefix);
	free(a->suffix);
	free(a->note);
	free(a->author);
	free(a->links);
	memset(a, 0, sizeof *a);
}

void store_anns_free(struct store_ann *anns, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_ann_release(&anns[i]);
	free(anns);
}

/* The error for an annotation id that the caller read and that is no
 * longer there: the user never sees its row id. */
static void ann_gone(void)
{
	util_error("the annotation is gone: another gloss deleted it since this one read it");
}

/* One annotation by id into *a: 1, 0 when none, -1 on error. */
static int ann_read(struct store *st, int64_t id, struct store_ann *a)
{
	sqlite3_stmt *q = stmt(st, "SELECT " ANN_COLUMNS " FROM annotations WHERE id = ?1");
	int r;

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	r = step_row(st, q);
	if (r != 1)
		return r;
	ann_from_row(q, a);
	sqlite3_reset(q);
	if (links_of(st, a) != 0) {
		store_ann_release(a);
		return -1;
	}
	return 1;
}

bool store_ann_get(struct store *st, int64_t id, struct store_ann *out)
{
	int r;

	memset(out, 0, sizeof *out);
	if (rd_begin(st) != 0)
		return false;
	r = ann_read(st, id, out);
	rd_end(st);
	if (r == 0)
		ann_gone();
	return r == 1;
}

/* The row id of the annotation with this uuid: > 0, 0 when none, -1 on error. */
static int64_t ann_by_uuid(struct store *st, const char *uuid)
{
	sqlite3_stmt *q = stmt(st, "SELECT id FROM annotations WHERE uuid = ?1");
	int64_t id;
	int r;

	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
	r = step_row(st, q);
	if (r != 1)
		return r;
	id = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return id;
}

/*
 * Refuse a second annotation with the same span and tag: 0 when free, -2
 * with util_error("already tagged as NAME"), -1 on error.
 */
static int span_free(struct store *st, int64_t doc, int64_t tag, int64_t start, int64_t end)
{
	sqlite3_stmt *q;
	char *name = NULL;
	int r;

	q = stmt(st, "SELECT 1 FROM annotations WHERE document = ?1 AND start = ?2"
		 " AND \"end\" = ?3 AND tag = ?4");
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, doc);
	sqlite3_bind_int64(q, 2, start);
	sqlite3_bind_int64(q, 3, end);
	sqlite3_bind_int64(q, 4, tag);
	r = step_row(st, q);
	if (r <= 0)
		return r;
	sqlite3_reset(q);
	if (tag_name(st, tag, &name) != 1)
		return -1;
	util_error("already tagged as %s", name);
	free(name);
	return -2;
}

/* Insert an annotation from a snapshot; s->id is used when free and updated. */
static int ann_insert(struct store *st, struct snap *s)
{
	sqlite3_stmt *q;

	q = stmt(st, "INSERT INTO annotations (id, uuid, document, tag, start, \"end\", quote,"
		 " prefix, suffix, note, author, created, updated)"
		 " VALUES ((SELECT ?1 WHERE NOT EXISTS (SELECT 1 FROM annotations WHERE id = ?1)),"
		 " ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
	if (!q)
		return -1;
	if (s->id > 0)
		sqlite3_bind_int64(q, 1, s->id);
	sqlite3_bind_text(q, 2, s->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, s->doc);
	sqlite3_bind_int64(q, 4, s->tag);
	sqlite3_bind_int64(q, 5, s->start);
	sqlite3_bind_int64(q, 6, s->end);
	bind_text_n(q, 7, s->quote, s->quote_len);
	bind_text_n(q, 8, s->prefix, s->prefix_len);
	bind_text_n(q, 9, s->suffix, s->suffix_len);
	sqlite3_bind_text(q, 10, s->note, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 11, s->author, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 12, s->created, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 13, s->updated, -1, SQLITE_STATIC);
	if (step_done(st, q) != 0)
		return -1;
	s->id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

static int exists(struct store *st, const char *sql, int64_t id)
{
	sqlite3_stmt *q = stmt(st, sql);
	int r;

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	r = step_row(st, q);
	if (r == 1)
		sqlite3_reset(q);
	return r;
}

int64_t store_ann_add(struct store *st, int64_t doc, int64_t tag, size_t start, size_t end,
		      const struct anchor *an, const char *note)
{
	struct entry *e;
	struct snap s;
	char *name = NULL;
	int r;

	if (start > end || end > INT64_MAX) {
		util_error("bad span %zu..%zu", start, end);
		return -1;
	}
	memset(&s, 0, sizeof s);
	if (make_uuid(s.uuid) != 0)
		return -1;
	s.doc = doc;
	s.tag = tag;
	s.start = (int64_t)start;
	s.end = (int64_t)end;
	now_utc(s.created);
	memcpy(s.updated, s.created, sizeof s.updated);

	if (tx_begin(st) != 0)
		return -1;
	r = exists(st, "SELECT 1 FROM documents WHERE id = ?1", doc);
	if (r <= 0) {
		if (r == 0)
			util_error("no document %lld", (long long)doc);
		goto fail;
	}
	r = tag_name(st, tag, &name);
	if (r <= 0) {
		if (r == 0)
			util_error("no tag %lld", (long long)tag);
		goto fail;
	}
	r = span_free(st, doc, tag, s.start, s.end);
	if (r != 0) {
		tx_rollback(st);
		free(name);
		return r == -2 ? 0 : -1;
	}
	s.quote = util_memdup(an->quote, an->quote_len);
	s.quote_len = an->quote_len;
	s.prefix = util_memdup(an->prefix, an->prefix_len);
	s.prefix_len = an->prefix_len;
	s.suffix = util_memdup(an->suffix, an->suffix_len);
	s.suffix_len = an->suffix_len;
	s.note = dup_or_empty(note);
	if (!st->author)
		st->author = util_strdup(util_login_name());
	s.author = util_strdup(st->author);
	if (ann_insert(st, &s) != 0 || tx_commit(st) != 0)
		goto fail;

	e = util_calloc(1, sizeof *e);
	e->op = OP_ADD;
	e->what = util_malloc(strlen(name) + 8);
	snprintf(e->what, strlen(name) + 8, "tag as %s", name);
	e->ann = s;
	journal_push(st, e);
	free(name);
	return s.id;
fail:
	tx_rollback(st);
	snap_release(&s);
	free(name);
	return -1;
}

int store_ann_note(struct store *st, int64_t id, const char *note)
{
	sqlite3_stmt *q;
	struct entry *e;
	char uuid[37], now[21];
	char *old;
	int r;

	if (!note)
		note = "";
	if (tx_begin(st) != 0)
		return -1;
	q = stmt(st, "SELECT uuid, note FROM annotations WHERE id = ?1");
	if (!q)
		goto fail;
	sqlite3_bind_int64(q, 1, id);
	r = step_row(st, q);
	if (r <= 0) {
		if (r == 0)
			ann_gone();
		goto fail;
	}
	col_copy(uuid, sizeof uuid, q, 0);
	old = col_text(q, 1);
	sqlite3_reset(q);
	if (!strcmp(old, note)) {
		/* nothing changes, so nothing to undo */
		free(old);
		tx_rollback(st);
		return 0;
	}
	now_utc(now);
	q = stmt(st, "UPDATE annotations SET note = ?2, updated = ?3 WHERE id = ?1");
	if (!q) {
		free(old);
		goto fail;
	}
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, note, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, now, -1, SQLITE_STATIC);
	if (step_done(st, q) != 0 || tx_commit(st) != 0) {
		free(old);
		goto fail;
	}
	e = util_calloc(1, sizeof *e);
	e->op = OP_NOTE;
	e->what = util_strdup("note");
	memcpy(e->uuid, uuid, sizeof uuid);
	e->old_note = old;
	e->new_note = util_strdup(note);
	journal_push(st, e);
	return 0;
fail:
	tx_rollback(st);
	return -1;
}

/* The uuids at the other end of id's links, one direction. */
static int link_uuids(struct store *st, const char *sql, int64_t id, char (**out)[37],
		      size_t *n)
{
	sqlite3_stmt *q = stmt(st, sql);
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 4;
			*out = util_realloc(*out, cap * sizeof **out);
		}
		col_copy((*out)[(*n)++], 37, q, 0);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		db_error(st, rc);
		return -1;
	}
	return 0;
}

/* A full snapshot of annotation id, links both ways: 1, 0 when none, -1. */
static int snap_take(struct store *st, int64_t id, struct snap *s)
{
	struct store_ann a;
	int r;

	memset(s, 0, sizeof *s);
	r = ann_read(st, id, &a);
	if (r != 1)
		return r;
	memcpy(s->uuid, a.uuid, sizeof s->uuid);
	s->id = a.id;
	s->doc = a.doc;
	s->tag = a.tag;
	s->start = (int64_t)a.start;
	s->end = (int64_t)a.end;
	s->quote = a.quote;
	s->prefix = a.prefix;
	s->suffix = a.suffix;
	s->quote_len = a.quote_len;
	s->prefix_len = a.prefix_len;
	s->suffix_len = a.suffix_len;
	s->note = a.note;
	s->author = a.author;
	memcpy(s->created, a.created, sizeof s->created);
	memcpy(s->updated, a.updated, sizeof s->updated);
	free(a.links);
	if (link_uuids(st, "SELECT a.uuid FROM links l JOIN annotations a ON a.id = l.\"to\""
		       " WHERE l.\"from\" = ?1", id, &s->out, &s->nout) != 0 ||
	    link_uuids(st, "SELECT a.uuid FROM links l JOIN annotations a ON a.id = l.\"from\""
		       " WHERE l.\"to\" = ?1", id, &s->in, &s->nin) != 0) {
		snap_release(s);
		return -1;
	}
	return 1;
}

static int ann_remove_id(struct store *st, int64_t id)
{
	sqlite3_stmt *q = stmt(st, "DELETE FROM annotations WHERE id = ?1");

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	return step_done(st, q);
}

int store_ann_delete(struct store *st, int64_t id)
{
	struct entry *e;
	struct snap s;
	int r;

	if (tx_begin(st) != 0)
		return -1;
	r = snap_take(st, id, &s);
	if (r <= 0) {
		if (r == 0)
			ann_gone();
		goto fail;
	}
	if (ann_remove_id(st, id) != 0 || tx_commit(st) != 0) {
		snap_release(&s);
		goto fail;
	}
	e = util_calloc(1, sizeof *e);
	e->op = OP_DELETE;
	e->what = util_strdup("deletion");
	e->ann = s;
	journal_push(st, e);
	return 0;
fail:
	tx_rollback(st);
	return -1;
}

/* ---- links ---- */

/* 1 when the link exists, 0 when not, -1 on error. */
static int link_exists(struct store *st, int64_t from, int64_t to)
{
	sqlite3_stmt *q = stmt(st, "SELECT 1 FROM links WHERE \"from\" = ?1 AND \"to\" = ?2");
	int r;

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, from);
	sqlite3_bind_int64(q, 2, to);
	r = step_row(st, q);
	if (r == 1)
		sqlite3_reset(q);
	return r;
}

static int link_write(struct store *st, const char *sql, int64_t from, int64_t to)
{
	sqlite3_stmt *q = stmt(st, sql);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, from);
	sqlite3_bind_int64(q, 2, to);
	return step_done(st, q);
}

/* The tag name and uuid of annotation id: 1, 0 when none, -1. */
static int ann_kind(struct store *st, int64_t id, char **tag, char uuid[37])
{
	sqlite3_stmt *q = stmt(st, "SELECT t.name, a.uuid FROM annotations a"
			       " JOIN tags t ON t.id = a.tag WHERE a.id = ?1");
	int r;

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	r = step_row(st, q);
	if (r != 1)
		return r;
	*tag = col_text(q, 0);
	col_copy(uuid, 37, q, 1);
	sqlite3_reset(q);
	return 1;
}

int store_link(struct store *st, int64_t a, int64_t b)
{
	struct entry *e;
	char *ta = NULL, *tb = NULL;
	char ua[37], ub[37];
	int r, ret = -1;

	if (a == b) {
		util_error("an annotation cannot link to itself");
		return -1;
	}
	if (tx_begin(st) != 0)
		return -1;
	r = ann_kind(st, a, &ta, ua);
	if (r == 0)
		ann_gone();
	if (r <= 0)
		goto out;
	r = ann_kind(st, b, &tb, ub);
	if (r == 0)
		ann_gone();
	if (r <= 0)
		goto out;
	if (!strcmp(ta, "source") && !strcmp(tb, "claim")) {
		int64_t t = a;
		char tu[37];

		a = b;
		b = t;
		memcpy(tu, ua, sizeof tu);
		memcpy(ua, ub, sizeof ua);
		memcpy(ub, tu, sizeof ub);
	}
	r = link_exists(st, a, b);
	if (r < 0)
		goto out;
	if (r == 1) {
		util_error("the annotations are already linked");
		ret = 0;
		goto out;
	}
	if (link_write(st, "INSERT INTO links (\"from\", \"to\") VALUES (?1, ?2)", a, b) != 0 ||
	    tx_commit(st) != 0)
		goto out;
	e = util_calloc(1, sizeof *e);
	e->op = OP_LINK;
	e->what = util_strdup("link");
	memcpy(e->from, ua, sizeof ua);
	memcpy(e->to, ub, sizeof ub);
	journal_push(st, e);
	ret = 1;
out:
	tx_rollback(st);
	free(ta);
	free(tb);
	return ret;
}

/* ---- counts ---- */

int store_counts(struct store *st, int64_t doc, size_t *claims, size_t *sources,
		 size_t *unsourced)
{
	sqlite3_stmt *q;

	/* one pass over the document's annotations, each row read once */
	q = stmt(st,
		 "WITH t AS (SELECT (SELECT id FROM tags WHERE name = 'claim') AS c,"
		 "   (SELECT id FROM tags WHERE name = 'source') AS s)"
		 " SELECT count(*) FILTER (WHERE a.tag = t.c),"
		 " count(*) FILTER (WHERE a.tag = t.s),"
		 " count(*) FILTER (WHERE a.tag = t.c"
		 "   AND NOT EXISTS (SELECT 1 FROM links l JOIN annotations o ON o.id = l.\"to\""
		 "     WHERE l.\"from\" = a.id AND o.tag = t.s)"
		 "   AND NOT EXISTS (SELECT 1 FROM links l JOIN annotations o ON o.id = l.\"from\""
		 "     WHERE l.\"to\" = a.id AND o.tag = t.s))"
		 " FROM t, annotations a WHERE a.document = ?1"
		 " AND (a.start IS NOT NULL OR a.cp_start IS NOT NULL)");
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, doc);
	if (step_row(st, q) != 1)
		return -1;
	*claims = (size_t)sqlite3_column_int64(q, 0);
	*sources = (size_t)sqlite3_column_int64(q, 1);
	*unsourced = (size_t)sqlite3_column_int64(q, 2);
	sqlite3_reset(q);
	return 0;
}

/* ---- undo ---- */

/*
 * Each step below runs inside the undo or redo transaction.  It returns 0
 * when done, -1 on a database error (the entry stays where it is), or -2
 * when the object was changed elsewhere (util_error says how; the entry can
 * never apply again and is dropped).
 */

static int conflict(const char *why)
{
	util_error("%s", why);
	return -2;
}

/* Is every uuid of a[0..na) among b[0..nb)? */
static bool uuids_within(char (*a)[37], size_t na, char (*b)[37], size_t nb)
{
	for (size_t i = 0; i < na; i++) {
		size_t j = 0;
		while (j < nb && strcmp(a[i], b[j]) != 0)
			j++;
		if (j == nb)
			return false;
	}
	return true;
}

/* Remove the annotation of s, taking a fresh snapshot so that it can come back. */
static int step_remove(struct store *st, struct snap *s)
{
	struct snap now;
	int64_t id = ann_by_uuid(st, s->uuid);
	int r;

	if (id < 0)
		return -1;
	if (id == 0)
		return conflict("the annotation was deleted elsewhere");
	r = snap_take(st, id, &now);
	if (r <= 0)
		return -1;
	/* Whatever this store did to it since was undone first (the journal
	 * is a stack): a note or a link it has now is another process's work,
	 * not ours to throw away.  (updated is no guide: undoing a note moves it.) */
	if (strcmp(now.note, s->note) != 0 || now.tag != s->tag) {
		snap_release(&now);
		return conflict("the annotation was changed elsewhere");
	}
	if (!uuids_within(now.out, now.nout, s->out, s->nout) ||
	    !uuids_within(now.in, now.nin, s->in, s->nin)) {
		snap_release(&now);
		return conflict("the annotation was linked elsewhere");
	}
	if (ann_remove_id(st, id) != 0) {
		snap_release(&now);
		return -1;
	}
	snap_release(s);
	*s = now;
	return 0;
}

static int relink(struct store *st, int64_t id, const char (*other)[37], size_t n, bool out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int64_t o = ann_by_uuid(st, other[i]);
		if (o < 0)
			return -1;
		if (o == 0)
			continue; /* the other end is gone: so is the link */
		if (link_write(st, "INSERT OR IGNORE INTO links (\"from\", \"to\") VALUES (?1, ?2)",
			       out ? id : o, out ? o : id) != 0)
			return -1;
	}
	return 0;
}

/* Put the annotation of s back, with its uuid, times and surviving links. */
static int step_restore(struct store *st, struct snap *s)
{
	int64_t id = ann_by_uuid(st, s->uuid);
	int r;

	if (id < 0)
		return -1;
	if (id > 0)
		return conflict("the annotation exists already");
	r = exists(st, "SELECT 1 FROM documents WHERE id = ?1", s->doc);
	if (r <= 0)
		return r < 0 ? -1 : conflict("its document was removed elsewhere");
	r = exists(st, "SELECT 1 FROM tags WHERE id = ?1", s->tag);
	if (r <= 0)
		return r < 0 ? -1 : conflict("its tag was removed");
	r = span_free(st, s->doc, s->tag, s->start, s->end);
	if (r != 0)
		return r;
	if (ann_insert(st, s) != 0)
		return -1;
	if (relink(st, s->id, (const char (*)[37])s->out, s->nout, true) != 0 ||
	    relink(st, s->id, (const char (*)[37])s->in, s->nin, false) != 0)
		return -1;
	return 0;
}

static int step_note(struct store *st, const char *uuid, const char *expect, const char *note)
{
	sqlite3_stmt *q;
	char now[21];
	int64_t id = ann_by_uuid(st, uuid);
	int r;

	if (id < 0)
		return -1;
	if (id == 0)
		return conflict("the annotation was deleted elsewhere");
	q = stmt(st, "SELECT note = ?2 FROM annotations WHERE id = ?1");
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, expect, -1, SQLITE_STATIC);
	if (step_row(st, q) != 1)
		return -1;
	r = sqlite3_column_int(q, 0);
	sqlite3_reset(q);
	if (!r)
		return conflict("the note was changed elsewhere");
	now_utc(now);
	q = stmt(st, "UPDATE annotations SET note = ?2, updated = ?3 WHERE id = ?1");
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, note, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, now, -1, SQLITE_STATIC);
	return step_done(st, q);
}

static int step_link(struct store *st, const char *from, const char *to, bool make)
{
	int64_t a = ann_by_uuid(st, from), b;
	int r;

	if (a < 0 || (b = ann_by_uuid(st, to)) < 0)
		return -1;
	if (a == 0 || b == 0)
		return conflict("the annotation was deleted elsewhere");
	r = link_exists(st, a, b);
	if (r < 0)
		return -1;
	if (make && r)
		return conflict("the link was made elsewhere");
	if (!make && !r)
		return conflict("the link was removed elsewhere");
	return link_write(st, make ? "INSERT INTO links (\"from\", \"to\") VALUES (?1, ?2)"
			  : "DELETE FROM links WHERE \"from\" = ?1 AND \"to\" = ?2", a, b);
}

static int step_tag(struct store *st, struct entry *e, bool make)
{
	sqlite3_stmt *q;
	int64_t id;
	int r;

	if (make) {
		r = tag_free(st, e->tag_name, e->tag_key);
		if (r != 0)
			return r;
		id = tag_insert(st, e->tag_id, e->tag_name, e->tag_key, e->tag_colour);
		if (id < 0)
			return -1;
		e->tag_id = id;
		return 0;
	}
	q = stmt(st, "SELECT id, EXISTS (SELECT 1 FROM annotations a WHERE a.tag = tags.id)"
		 " FROM tags WHERE name = ?1");
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, e->tag_name, -1, SQLITE_STATIC);
	r = step_row(st, q);
	if (r < 0)
		return -1;
	if (r == 0)
		return conflict("the tag was removed elsewhere");
	id = sqlite3_column_int64(q, 0);
	r = sqlite3_column_int(q, 1);
	sqlite3_reset(q);
	if (r) {
		util_error("tag '%s' is in use", e->tag_name);
		return -2;
	}
	q = stmt(st, "DELETE FROM tags WHERE id = ?1");
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	return step_done(st, q);
}

static int apply(struct store *st, struct entry *e, bool forward)
{
	switch (e->op) {
	case OP_ADD:
		return forward ? step_restore(st, &e->ann) : step_remove(st, &e->ann);
	case OP_DELETE:
		return forward ? step_remove(st, &e->ann) : step_restore(st, &e->ann);
	case OP_NOTE:
		return forward ? step_note(st, e->uuid, e->old_note, e->new_note)
			: step_note(st, e->uuid, e->new_note, e->old_note);
	case OP_LINK:
		return step_link(st, e->from, e->to, forward);
	case OP_TAG:
		return step_tag(st, e, forward);
	case OP_MOVE:
		return forward ? step_move(st, e->uuid, &e->before, &e->after)
			: step_move(st, e->uuid, &e->after, &e->before);
	}
	return -1;
}

/* Where annotation id is now; 1, 0 when there is none, -1. */
static int place_read(struct store *st, int64_t id, struct place *p)
{
	sqlite3_stmt *q = stmt(st, "SELECT document, start, \"end\", quote, prefix, suffix"
			       " FROM annotations WHERE id = ?1");
	int r;

	memset(p, 0, sizeof *p);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	r = step_row(st, q);
	if (r != 1)
		return r;
	p->doc = sqlite3_column_int64(q, 0);
	p->placed = sqlite3_column_type(q, 1) != SQLITE_NULL;
	p->start = sqlite3_column_int64(q, 1);
	p->end = sqlite3_column_int64(q, 2);
	p->quote = col_text_n(q, 3, &p->quote_len);
	p->prefix = col_text_n(q, 4, &p->prefix_len);
	p->suffix = col_text_n(q, 5, &p->suffix_len);
	sqlite3_reset(q);
	return 1;
}

/* Put annotation id at p, noting in history where it was (was). */
static int place_write(struct store *st, int64_t id, const char *uuid, const struct place *was,
		       const struct place *p)
{
	sqlite3_stmt *q;
	char now[21], sha[65];
	size_t s0 = (size_t)was->start, e0 = (size_t)was->end;

	now_utc(now);
	if (doc_sha(st, was->doc, sha) != 0)
		return -1;
	if (history_add(st, uuid, sha, was->placed ? &s0 : NULL, &e0, was->quote, was->quote_len,
			"reattached", now) != 0)
		return -1;
	q = stmt(st, "UPDATE annotations SET document = ?2, start = ?3, \"end\" = ?4, quote = ?5,"
		 " prefix = ?6, suffix = ?7, cp_start = NULL, cp_end = NULL, updated = ?8"
		 " WHERE id = ?1");
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, p->doc);
	if (p->placed) {
		sqlite3_bind_int64(q, 3, p->start);
		sqlite3_bind_int64(q, 4, p->end);
	} else {
		sqlite3_bind_null(q, 3);
		sqlite3_bind_null(q, 4);
	}
	bind_text_n(q, 5, p->quote, p->quote_len);
	bind_text_n(q, 6, p->prefix, p->prefix_len);
	bind_text_n(q, 7, p->suffix, p->suffix_len);
	sqlite3_bind_text(q, 8, now, -1, SQLITE_STATIC);
	return step_done(st, q);
}

/* Move the annotation from where it should be (expect) to p. */
static int step_move(struct store *st, const char *uuid, const struct place *expect,
		     const struct place *p)
{
	struct place now;
	int64_t id = ann_by_uuid(st, uuid);
	int r;

	if (id < 0)
		return -1;
	if (id == 0)
		return conflict("the annotation was deleted elsewhere");
	if (place_read(st, id, &now) != 1)
		return -1;
	if (now.doc != expect->doc || now.placed != expect->placed ||
	    (now.placed && (now.start != expect->start || now.end != expect->end))) {
		place_release(&now);
		return conflict("the annotation was moved elsewhere");
	}
	r = place_write(st, id, uuid, &now, p);
	place_release(&now);
	return r;
}

int store_ann_reattach(struct store *st, int64_t id, int64_t doc, size_t start, size_t end,
		       const struct anchor *an)
{
	struct entry *e;
	struct place to;
	char uuid[37];
	int r;

	if (start > end || end > INT64_MAX) {
		util_error("bad span %zu..%zu", start, end);
		return -1;
	}
	if (tx_begin(st) != 0)
		return -1;
	e = util_calloc(1, sizeof *e);
	e->op = OP_MOVE;
	e->what = util_strdup("re-attaching");
	r = place_read(st, id, &e->before);
	if (r <= 0) {
		if (r == 0)
			ann_gone();
		goto fail;
	}
	r = exists(st, "SELECT 1 FROM documents WHERE id = ?1 AND length(text) IS NOT NULL", doc);
	if (r <= 0) {
		if (r == 0)
			util_error("the document's text is not kept: tag something in it first");
		goto fail;
	}
	memset(&to, 0, sizeof to);
	to.doc = doc;
	to.placed = true;
	to.start = (int64_t)start;
	to.end = (int64_t)end;
	to.quote = util_memdup(an->quote, an->quote_len);
	to.quote_len = an->quote_len;
	to.prefix = util_memdup(an->prefix, an->prefix_len);
	to.prefix_len = an->prefix_len;
	to.suffix = util_memdup(an->suffix, an->suffix_len);
	to.suffix_len = an->suffix_len;
	e->after = to;
	{
		sqlite3_stmt *q = stmt(st, "SELECT uuid FROM annotations WHERE id = ?1");
		if (!q)
			goto fail;
		sqlite3_bind_int64(q, 1, id);
		if (step_row(st, q) != 1)
			goto fail;
		col_copy(uuid, sizeof uuid, q, 0);
		sqlite3_reset(q);
	}
	memcpy(e->uuid, uuid, sizeof e->uuid);
	if (place_write(st, id, uuid, &e->before, &e->after) != 0 || tx_commit(st) != 0)
		goto fail;
	journal_push(st, e);
	return 0;
fail:
	tx_rollback(st);
	entry_free(e);
	return -1;
}

/* Undo (forward false) from st->undo to st->redo, or redo the other way. */
static bool journal_step(struct store *st, bool forward, const char **what)
{
	struct stack *from = forward ? &st->redo : &st->undo;
	struct stack *to = forward ? &st->undo : &st->redo;
	const char *verb = forward ? "redo" : "undo";
	struct entry *e;
	int r;

	if (!from->n) {
		util_error("nothing to %s", verb);
		return false;
	}
	e = from->e[from->n - 1];
	if (tx_begin(st) != 0)
		return false;
	r = apply(st, e, forward);
	if (r == 0 && tx_commit(st) == 0) {
		from->n--;
		stack_push(to, e);
		free(st->what);
		st->what = util_strdup(e->what);
		if (what)
			*what = st->what;
		return true;
	}
	tx_rollback(st);
	if (r == -2) {
		char why[512];

		snprintf(why, sizeof why, "%s", util_errmsg());
		util_error("cannot %s: %s", verb, why);
		from->n--;
		entry_free(e);
	}
	return false;
}

bool store_undo(struct store *st, const char **what)
{
	return journal_step(st, false, what);
}

bool store_redo(struct store *st, const char **what)
{
	return journal_step(st, true, what);
}

/* ---- code points ---- */

/*
 * A place in a text: a byte offset on a code point boundary and the number
 * of code points before it.  Walking goes forward only; code points are
 * counted as util_utf8_decode reads them, an ill-formed sequence (its
 * maximal subpart) being one.
 */
struct cpwalk {
	size_t pos, cp;
};

/* Advance w in s[0..n) until it reaches byte `bytes`, code point `cps`, or n. */
static void walk(struct cpwalk *w, const char *s, size_t n, size_t bytes, size_t cps)
{
	size_t pos = w->pos, cp = w->cp;
	uint32_t c;
	int valid;

	if (bytes > n)
		bytes = n;
	while (pos < bytes && cp < cps) {
		size_t room = bytes - pos, k;

		if (cps - cp < room)
			room = cps - cp;
		k = util_ascii_prefix(s + pos, room);
		pos += k;
		cp += k;
		if (k == room)
			break;
		pos += (size_t)util_utf8_decode(s + pos, n - pos, &c, &valid);
		cp++;
	}
	w->pos = pos;
	w->cp = cp;
}

/* w moved to byte offset b (restarting when it is past it); its code point. */
static size_t cp_at(struct cpwalk *w, const char *s, size_t n, size_t b)
{
	if (w->pos > b)
		w->pos = w->cp = 0;
	walk(w, s, n, b, SIZE_MAX);
	return w->cp;
}

/* w moved to code point c; false when the text ends before it. */
static bool byte_at(struct cpwalk *w, const char *s, size_t n, size_t c)
{
	if (w->cp > c)
		w->pos = w->cp = 0;
	walk(w, s, n, SIZE_MAX, c);
	return w->cp == c;
}

/*
 * Byte offsets of the code point span [cs, ce) in s[0..n), with w the walk
 * of starts (moving forward as spans come in order) and e that of ends.
 * -1 with util_error when the span is not inside the text or does not hold
 * quote (qn bytes).
 */
static int span_bytes(struct cpwalk *w, struct cpwalk *e, const char *s, size_t n, size_t cs,
		      size_t ce, const char *quote, size_t qn, int64_t *start, int64_t *end)
{
	if (ce < cs || !byte_at(w, s, n, cs)) {
		util_error("offsets outside the document");
		return -1;
	}
	if (e->cp > ce || e->cp < w->cp)
		*e = *w;
	if (!byte_at(e, s, n, ce)) {
		util_error("offsets outside the document");
		return -1;
	}
	if (!util_utf8_same(s + w->pos, e->pos - w->pos, quote, qn)) {
		util_error("quote does not match the text");
		return -1;
	}
	*start = (int64_t)w->pos;
	*end = (int64_t)e->pos;
	return 0;
}

/* ---- filters ---- */

/* YYYY-MM-DD, or with full is YYYY-MM-DDTHH:MM:SSZ as well. */
static bool date_ok(const char *s, bool full)
{
	static const char form[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t n = strlen(s), i;
	int mon, day, h, m, sec;

	if (n != 20 && (n != 10 || full))
		return false;
	for (i = 0; i < n; i++) {
		if (form[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != form[i])
			return false;
	}
#define TWO(i) ((s[i] - '0') * 10 + (s[(i) + 1] - '0'))
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int year = TWO(0) * 100 + TWO(2);
	bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
	mon = TWO(5);
	day = TWO(8);
	/* a day the month has: 2026-02-30 is no date */
	if (mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] || (mon == 2 && day == 29 && !leap))
		return false;
	if (n == 10)
		return true;
	h = TWO(11);
	m = TWO(14);
	sec = TWO(17);
#undef TWO
	return h < 24 && m < 60 && sec <= 60;
}

static bool is_hex(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s), i;

	if (n < min || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]))
			return false;
	return true;
}

/*
 * The WHERE clause of a filtered query over documents d, annotations a and
 * tags t, with its parameters bound by filter_bind.  A document is named by
 * the path it was recorded with, by the file it was opened from (the
 * argument's real path: "./a.txt" and "dir/../a.txt" name it too), or by a
 * prefix of its sum.
 */
#define FILTER_DOC "(d.path = ?2 OR d.file = ?7 OR substr(d.sha256, 1, length(?3)) = ?3)"
#define FILTER_WHERE \
	" WHERE (?1 IS NULL OR t.name = ?1)" \
	" AND (?2 IS NULL OR " FILTER_DOC ")" \
	" AND (?4 IS NULL OR a.author = ?4)" \
	" AND (?5 IS NULL OR a.updated >= ?5)" \
	" AND (?6 IS NULL OR (a.start IS NULL AND a.cp_start IS NULL))"

/* What filter_bind binds beside f's own strings; filter_release frees it. */
struct filter_vals {
	char prefix[65];     /* the lowercased sum prefix, or "" */
	char *real;          /* the real path of f->doc, or NULL */
};

static void filter_bind(sqlite3_stmt *q, const struct store_filter *f, const struct filter_vals *v)
{
	if (!f)
		return;
	if (f->tag)
		sqlite3_bind_text(q, 1, f->tag, -1, SQLITE_STATIC);
	if (f->doc) {
		sqlite3_bind_text(q, 2, f->doc, -1, SQLITE_STATIC);
		if (v->prefix[0])
			sqlite3_bind_text(q, 3, v->prefix, -1, SQLITE_STATIC);
		if (v->real)
			sqlite3_bind_text(q, 7, v->real, -1, SQLITE_STATIC);
	}
	if (f->author)
		sqlite3_bind_text(q, 4, f->author, -1, SQLITE_STATIC);
	if (f->since)
		sqlite3_bind_text(q, 5, f->since, -1, SQLITE_STATIC);
	if (f->orphans)
		sqlite3_bind_int(q, 6, 1);
}

static void filter_release(struct filter_vals *v)
{
	free(v->real);
	v->real = NULL;
}

/* Whether q (bound; NULL: it failed) finds a row; else the error "no
 * <kind> '<name>'<tail>", or the database's.  Resets q. */
static bool filter_known(struct store *st, sqlite3_stmt *q, const char *kind, const char *name,
			 const char *tail)
{
	int r = q ? step_row(st, q) : -1;

	if (r > 0)
		sqlite3_reset(q);
	if (r == 0)
		util_error("no %s '%s'%s", kind, name, tail);
	return r > 0;
}

/*
 * Ready f for filter_bind in v.  A date that is not one, a tag the
 * database does not have, or a document it does not know is an error
 * (a typo would otherwise read as "no annotations"): -1.
 */
static int filter_prepare(struct store *st, const struct store_filter *f, struct filter_vals *v)
{
	sqlite3_stmt *q;
	size_t i;

	memset(v, 0, sizeof *v);
	if (!f)
		return 0;
	if (f->since && !date_ok(f->since, false)) {
		util_error("bad date '%s': use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ", f->since);
		return -1;
	}
	if (f->doc) {
		if (is_hex(f->doc, 4, 64)) {
			for (i = 0; f->doc[i]; i++)
				v->prefix[i] = (char)(f->doc[i] | 0x20);
			v->prefix[i] = '\0';
		}
		v->real = realpath(f->doc, NULL);
	}
	if (f->tag) {
		q = stmt(st, "SELECT 1 FROM tags WHERE name = ?1");
		if (q)
			sqlite3_bind_text(q, 1, f->tag, -1, SQLITE_STATIC);
		if (!filter_known(st, q, "tag", f->tag, ""))
			goto fail;
	}
	if (f->doc) {
		q = stmt(st, "SELECT 1 FROM documents d WHERE " FILTER_DOC " LIMIT 1");
		if (q)
			filter_bind(q, &(struct store_filter){ .doc = f->doc }, v);
		if (!filter_known(st, q, "document", f->doc, " in the database"))
			goto fail;
	}
	return 0;
fail:
	filter_release(v);
	return -1;
}

int store_filter_check(struct store *st, const struct store_filter *f)
{
	struct filter_vals v;

	if (filter_prepare(st, f, &v) != 0)
		return -1;
	filter_release(&v);
	return 0;
}

/* ---- export ---- */

static const char *col_str(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	return t ? (const char *)t : "";
}

/* A growing buffer for one export's link lists: no allocation per row. */
struct linkbuf {
	char *s;
	size_t scap;
};

/* Every link of the database, by "from" then the linked uuid: one query for
 * the whole export instead of one per annotation. */
struct linkmap {
	int64_t *from;
	char (*to)[37];
	size_t n;
};

static int links_load(struct store *st, struct linkmap *m)
{
	sqlite3_stmt *q = stmt(st, "SELECT l.\"from\", o.uuid FROM links l"
			       " JOIN annotations o ON o.id = l.\"to\" ORDER BY l.\"from\", o.uuid");
	size_t cap = 0;
	int rc;

	if (!q)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (m->n == cap) {
			cap = cap ? 2 * cap : 64;
			m->from = util_realloc(m->from, cap * sizeof *m->from);
			m->to = util_realloc(m->to, cap * sizeof *m->to);
		}
		m->from[m->n] = sqlite3_column_int64(q, 0);
		col_copy(m->to[m->n], 37, q, 1);
		m->n++;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		db_error(st, rc);
		return -1;
	}
	return 0;
}

/* The uuids annotation id links to, ascending, one space between. */
static const char *links_text(const struct linkmap *m, int64_t id, struct linkbuf *b)
{
	size_t lo = 0, hi = m->n, len = 0, i;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->from[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < m->n && m->from[i] == id; i++)
		;
	if (b->scap < 37 * (i - lo) + 1) {
		b->scap = 37 * (i - lo) + 64;
		b->s = util_realloc(b->s, b->scap);
	}
	for (size_t k = lo; k < i; k++) {
		if (k > lo)
			b->s[len++] = ' ';
		memcpy(b->s + len, m->to[k], 36);
		len += 36;
	}
	b->s[len] = '\0';
	return b->s;
}

int store_export(struct store *st, const struct store_filter *f, size_t *count,
		 int (*fn)(void *arg, const struct store_row *row), void *arg)
{
	sqlite3_stmt *q, *tq = NULL;
	struct linkmap lm = { NULL, NULL, 0 };
	struct store_row row;
	struct cpwalk ws = { 0, 0 }, we = { 0, 0 };
	struct linkbuf lb = { NULL, 0 };
	const char *text = NULL;
	struct filter_vals fv = { "", NULL };
	size_t tn = 0;
	int64_t doc = 0;
	int rc, ret = -1;

	/*
	 * The rows are read in index order, which is seldom the table's: map
	 * the file rather than copy each page through the page cache (several
	 * times faster for a million rows).  Off again afterwards, since a
	 * mapped file that another process shrinks is a SIGBUS.
	 */
	settle(st);
	sqlite3_exec(st->db, "PRAGMA mmap_size = 4294967296", NULL, NULL, NULL);
	if (rd_begin(st) != 0)
		goto out;
	if (filter_prepare(st, f, &fv) != 0)
		goto out;
	if (count) {
		q = stmt(st, "SELECT count(*) FROM documents d JOIN annotations a ON a.document = d.id"
			 " JOIN tags t ON t.id = a.tag" FILTER_WHERE);
		if (!q)
			goto out;
		filter_bind(q, f, &fv);
		if (step_row(st, q) != 1)
			goto out;
		*count = (size_t)sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
	}
	if (links_load(st, &lm) != 0)
		goto out;
	q = stmt(st, "SELECT a.uuid, d.path, d.sha256, t.name, a.start, a.\"end\", a.quote,"
		 " a.prefix, a.suffix, a.note, a.author, a.created, a.updated, a.id, d.id,"
		 " a.cp_start, a.cp_end"
		 /* CROSS JOIN keeps this loop order: documents by path, each one's
		  * annotations through its index, already in order but for uuid */
		 " FROM documents d CROSS JOIN annotations a ON a.document = d.id"
		 " CROSS JOIN tags t ON t.id = a.tag" FILTER_WHERE
		 /* d.id changes nothing (sha256 is unique) but tells SQLite that
		  * the index gives the whole order: no sorter.  Annotations not
		  * placed yet (start NULL) keep their place through the code
		  * point offsets they came with, so that an export of a database
		  * without the text lists them as one with it does. */
		 " ORDER BY d.path, d.sha256, d.id, a.start, a.\"end\" DESC,"
		 " a.cp_start, a.cp_end DESC, a.uuid");
	if (!q)
		goto out;
	filter_bind(q, f, &fv);
	memset(&row, 0, sizeof row);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t d = sqlite3_column_int64(q, 14);

		if (d != doc) {
			/* a new document: its text, held by tq until the next one */
			if (!tq)
				tq = stmt(st, "SELECT text FROM documents WHERE id = ?1");
			if (!tq)
				goto out;
			sqlite3_reset(tq);
			sqlite3_bind_int64(tq, 1, d);
			if (step_row(st, tq) != 1)
				goto out;
			/* an empty text is a text, though SQLite gives its blob as NULL */
			text = NULL;
			tn = 0;
			if (sqlite3_column_type(tq, 0) != SQLITE_NULL) {
				text = sqlite3_column_blob(tq, 0);
				tn = (size_t)sqlite3_column_bytes(tq, 0);
				if (!text)
					text = "";
			}
			ws.pos = ws.cp = we.pos = we.cp = 0;
			doc = d;
		}
		row.uuid = col_str(q, 0);
		row.path = col_str(q, 1);
		row.sha256 = col_str(q, 2);
		row.tag = col_str(q, 3);
		/* without a text there are no code points to give */
		row.bytes = sqlite3_column_type(q, 4) != SQLITE_NULL && text;
		row.start = row.end = row.cp_start = row.cp_end = 0;
		if (row.bytes) {
			row.start = (size_t)sqlite3_column_int64(q, 4);
			row.end = (size_t)sqlite3_column_int64(q, 5);
			row.cp_start = cp_at(&ws, text, tn, row.start);
			if (we.pos > row.end || we.pos < ws.pos)
				we = ws;
			row.cp_end = cp_at(&we, text, tn, row.end);
		} else if (sqlite3_column_type(q, 15) != SQLITE_NULL) {
			/* imported before its text was seen: the offsets it came with */
			row.cp_start = (size_t)sqlite3_column_int64(q, 15);
			row.cp_end = (size_t)sqlite3_column_int64(q, 16);
		}
		row.placed = row.bytes || sqlite3_column_type(q, 15) != SQLITE_NULL;
		row.quote = col_str(q, 6);
		row.quote_len = (size_t)sqlite3_column_bytes(q, 6);
		row.prefix = col_str(q, 7);
		row.prefix_len = (size_t)sqlite3_column_bytes(q, 7);
		row.suffix = col_str(q, 8);
		row.suffix_len = (size_t)sqlite3_column_bytes(q, 8);
		row.note = col_str(q, 9);
		row.author = col_str(q, 10);
		row.created = col_str(q, 11);
		row.updated = col_str(q, 12);
		row.links = links_text(&lm, sqlite3_column_int64(q, 13), &lb);
		row.text = text;
		row.size = tn;
		ret = fn(arg, &row);
		if (ret) {
			sqlite3_reset(q);
			goto out;
		}
		ret = -1;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		db_error(st, rc);
		goto out;
	}
	ret = 0;
out:
	if (tq)
		sqlite3_reset(tq);
	rd_end(st);
	filter_release(&fv);
	sqlite3_exec(st->db, "PRAGMA mmap_size = 0", NULL, NULL, NULL);
	free(lb.s);
	free(lm.from);
	free(lm.to);
	return ret;
}

/* ---- documents with counts ---- */

int store_docs(struct store *st, const struct store_filter *f, struct store_docinfo **out,
	       size_t *n)
{
	sqlite3_stmt *q;
	struct store_docinfo *docs = NULL;
	int64_t *ids = NULL;
	size_t len = 0, cap = 0, i;
	struct filter_vals fv = { "", NULL };
	int rc;

	*out = NULL;
	*n = 0;
	if (rd_begin(st) != 0)
		return -1;
	if (filter_prepare(st, f, &fv) != 0)
		goto fail;
	q = stmt(st, "SELECT d.id, d.path, d.sha256, d.size, count(*)"
		 " FROM documents d JOIN annotations a ON a.document = d.id"
		 " JOIN tags t ON t.id = a.tag" FILTER_WHERE
		 " GROUP BY d.id ORDER BY d.path, d.sha256");
	if (!q)
		goto fail;
	filter_bind(q, f, &fv);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? 2 * cap : 16;
			docs = util_realloc(docs, cap * sizeof *docs);
			ids = util_realloc(ids, cap * sizeof *ids);
		}
		memset(&docs[len], 0, sizeof docs[len]);
		ids[len] = sqlite3_column_int64(q, 0);
		docs[len].path = col_text(q, 1);
		col_copy(docs[len].sha256, sizeof docs[len].sha256, q, 2);
		docs[len].size = (size_t)sqlite3_column_int64(q, 3);
		docs[len].annotations = (size_t)sqlite3_column_int64(q, 4);
		len++;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		db_error(st, rc);
		goto fail;
	}
	for (i = 0; i < len; i++)
		if (store_counts(st, ids[i], &docs[i].claims, &docs[i].sources,
				 &docs[i].unsourced) != 0)
			goto fail;
	rd_end(st);
	filter_release(&fv);
	free(ids);
	*out = docs;
	*n = len;
	return 0;
fail:
	rd_end(st);
	filter_release(&fv);
	free(ids);
	store_docs_free(docs, len);
	return -1;
}

void store_docs_free(struct store_docinfo *docs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(docs[i].path);
	free(docs);
}

/* ---- placing unplaced annotations ---- */

struct placing {
	int64_t id;
	size_t cs, ce;
};

static int placing_cmp(const void *a, const void *b)
{
	const struct placing *x = a, *y = b;

	if (x->cs != y->cs)
		return x->cs < y->cs ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/*
 * Inside a transaction: place doc's unplaced annotations that have code
 * point offsets in s[0..n); one whose quote is not at its offsets there
 * becomes an orphan.  The number placed, or -1.
 */
static long place(struct store *st, int64_t doc, const char *s, size_t n)
{
	sqlite3_stmt *q;
	struct placing *p = NULL;
	struct cpwalk w = { 0, 0 }, e = { 0, 0 };
	struct anchor an;
	size_t len = 0, cap = 0, i;
	long placed = 0;
	char sha[65] = "", now[21];
	int rc;

	/* read them all first: placing them moves them in the index being read */
	q = stmt(st, "SELECT id, cp_start, cp_end FROM annotations"
		 " WHERE document = ?1 AND start IS NULL AND cp_start IS NOT NULL");
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, doc);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? 2 * cap : 16;
			p = util_realloc(p, cap * sizeof *p);
		}
		p[len].id = sqlite3_column_int64(q, 0);
		p[len].cs = (size_t)sqlite3_column_int64(q, 1);
		p[len].ce = (size_t)sqlite3_column_int64(q, 2);
		len++;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		db_error(st, rc);
		free(p);
		return -1;
	}
	if (len > 1)
		qsort(p, len, sizeof *p, placing_cmp);
	for (i = 0; i < len; i++) {
		const char *quote;
		int64_t start, end;
		int r;

		q = stmt(st, "SELECT quote, uuid FROM annotations WHERE id = ?1");
		if (!q)
			goto fail;
		sqlite3_bind_int64(q, 1, p[i].id);
		if (step_row(st, q) != 1)
			goto fail;
		quote = (const char *)sqlite3_column_text(q, 0);
		r = span_bytes(&w, &e, s, n, p[i].cs, p[i].ce, quote ? quote : "",
			       (size_t)sqlite3_column_bytes(q, 0), &start, &end);
		if (r != 0) {
			/* The text came, and the quote is not at those offsets:
			 * an orphan now, listed and exported as one (in every
			 * database alike), never left waiting for a text it has;
			 * its history says so, as for one orphaned by a change. */
			char uuid[37];
			col_copy(uuid, sizeof uuid, q, 1);
			if (!sha[0]) {
				if (doc_sha(st, doc, sha) != 0) {
					sqlite3_reset(q);
					goto fail;
				}
				now_utc(now);
			}
			r = history_add(st, uuid, sha, NULL, NULL, quote ? quote : "",
					(size_t)sqlite3_column_bytes(q, 0), "orphaned", now);
			sqlite3_reset(q);
			if (r != 0)
				goto fail;
			q = stmt(st, "UPDATE annotations SET cp_start = NULL, cp_end = NULL WHERE id = ?1");
			if (!q)
				goto fail;
			sqlite3_bind_int64(q, 1, p[i].id);
			if (step_done(st, q) != 0)
				goto fail;
			continue;
		}
		sqlite3_reset(q);
		/* the text's own bytes, where the quote had U+FFFD; and context */
		anchor_make(s, n, (size_t)start, (size_t)end, &an);
		q = stmt(st, "UPDATE annotations SET start = ?2, \"end\" = ?3,"
			 " cp_start = NULL, cp_end = NULL, quote = ?4, prefix = ?5, suffix = ?6"
			 " WHERE id = ?1");
		if (!q) {
			anchor_release(&an);
			goto fail;
		}
		sqlite3_bind_int64(q, 1, p[i].id);
		sqlite3_bind_int64(q, 2, start);
		sqlite3_bind_int64(q, 3, end);
		bind_text_n(q, 4, an.quote, an.quote_len);
		bind_text_n(q, 5, an.prefix, an.prefix_len);
		bind_text_n(q, 6, an.suffix, an.suffix_len);
		r = step_done(st, q);
		anchor_release(&an);
		if (r != 0)
			goto fail;
		placed++;
	}
	free(p);
	return placed;
fail:
	free(p);
	return -1;
}

/* Inside a transaction: keep s as doc's text when it has none (no copy). */
static int keep_text(struct store *st, int64_t doc, const char *s, size_t n)
{
	sqlite3_stmt *q;
	int r;

	if (text_too_large(st, n))
		return -1;
	q = stmt(st, "UPDATE documents SET text = ?2, size = ?3 WHERE id = ?1 AND length(text) IS NULL");
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, doc);
	sqlite3_bind_blob64(q, 2, s ? s : "", n, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, (int64_t)n);
	r = step_done(st, q);
	sqlite3_clear_bindings(q);
	return r;
}

long store_doc_place(struct store *st, int64_t doc, const char *bytes, size_t size)
{
	long placed;
	int r;

	/* the common case: nothing waits (NULL starts come first in the index) */
	r = exists(st, "SELECT 1 FROM annotations WHERE document = ?1 AND start IS NULL"
		   " AND cp_start IS NOT NULL", doc);
	if (r <= 0)
		return r;
	if (tx_begin(st) != 0)
		return -1;
	if (keep_text(st, doc, bytes, size) != 0)
		goto fail;
	placed = place(st, doc, bytes ? bytes : "", size);
	if (placed < 0 || tx_commit(st) != 0)
		goto fail;
	return placed;
fail:
	tx_rollback(st);
	return -1;
}

int store_doc_find(struct store *st, const char *key, struct store_doctext *out)
{
	sqlite3_stmt *q;
	char prefix[65];
	size_t i, found = 0;
	int rc, ret = -1;

	memset(out, 0, sizeof *out);
	prefix[0] = '\0';
	if (is_hex(key, 4, 64)) {
		for (i = 0; key[i]; i++)
			prefix[i] = (char)(key[i] | 0x20);
		prefix[i] = '\0';
	}
	if (rd_begin(st) != 0)
		return -1;
	/* a path names its newest version; else a prefix must name one */
	q = stmt(st, "SELECT id, path, sha256, text FROM documents WHERE path = ?1"
		 " ORDER BY id DESC LIMIT 1");
	if (!q)
		goto out;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_DONE && prefix[0]) {
		sqlite3_reset(q);
		q = stmt(st, "SELECT id, path, sha256, text FROM documents"
			 " WHERE substr(sha256, 1, length(?1)) = ?1 LIMIT 2");
		if (!q)
			goto out;
		sqlite3_bind_text(q, 1, prefix, -1, SQLITE_STATIC);
		rc = sqlite3_step(q);
	}
	for (; rc == SQLITE_ROW; rc = sqlite3_step(q)) {
		if (found++)
			continue;
		out->id = sqlite3_column_int64(q, 0);
		out->path = col_text(q, 1);
		col_copy(out->sha256, sizeof out->sha256, q, 2);
		if (sqlite3_column_type(q, 3) != SQLITE_NULL) {
			out->size = (size_t)sqlite3_column_bytes(q, 3);
			out->text = util_memdup(sqlite3_column_blob(q, 3), out->size);
		}
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		db_error(st, rc);
	} else if (found == 0) {
		util_error("no document in '%s' is '%s' or has a SHA-256 starting so", st->path, key);
	} else if (found > 1) {
		util_error("'%s' names several documents: give more of the SHA-256 (gloss docs)", key);
	} else if (!out->text) {
		util_error("'%s' (%.12s) has no annotations, so its text is not kept", out->path,
			   out->sha256);
	} else {
		ret = 0;
	}
out:
	rd_end(st);
	if (ret != 0)
		store_doctext_release(out);
	return ret;
}

void store_doctext_release(struct store_doctext *d)
{
	free(d->path);
	free(d->text);
	memset(d, 0, sizeof *d);
}

/* ---- following a document to its new version ---- */

/* One annotation of an old version, as re-anchoring needs it. */
struct moving {
	int64_t id;
	char uuid[37];
	bool orphan;           /* no offsets now: its last ones come from history */
	size_t start, end;
	char *quote, *prefix, *suffix;
	size_t quote_len, prefix_len, suffix_len;
};

static void movings_free(struct moving *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].quote);
		free(m[i].prefix);
		free(m[i].suffix);
	}
	free(m);
}

/* The annotations of version old: placed ones (unless orphans_only), and
 * orphans with the place history last gave them in that version (orphans it
 * has none for stay). */
static int movings_of(struct store *st, int64_t old, bool orphans_only, struct moving **out,
		      size_t *n)
{
	sqlite3_stmt *q;
	struct moving *m = NULL;
	size_t len = 0, cap = 0;
	int rc;

	q = stmt(st, "SELECT a.id, a.uuid, a.start, a.\"end\", a.quote, a.prefix, a.suffix,"
		 " (SELECT h.start FROM history h WHERE h.uuid = a.uuid AND h.sha256 = d.sha256"
		 "   AND h.start IS NOT NULL ORDER BY h.id DESC LIMIT 1),"
		 " (SELECT h.\"end\" FROM history h WHERE h.uuid = a.uuid AND h.sha256 = d.sha256"
		 "   AND h.start IS NOT NULL ORDER BY h.id DESC LIMIT 1)"
		 " FROM annotations a JOIN documents d ON d.id = a.document"
		 " WHERE a.document = ?1 AND a.cp_start IS NULL ORDER BY a.id");
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, old);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct moving *x;
		bool orphan = sqlite3_column_type(q, 2) == SQLITE_NULL;

		if (orphan ? sqlite3_column_type(q, 7) == SQLITE_NULL : orphans_only)
			continue;
		if (len == cap) {
			cap = cap ? 2 * cap : 16;
			m = util_realloc(m, cap * sizeof *m);
		}
		x = &m[len++];
		memset(x, 0, sizeof *x);
		x->id = sqlite3_column_int64(q, 0);
		col_copy(x->uuid, sizeof x->uuid, q, 1);
		x->orphan = orphan;
		x->start = (size_t)sqlite3_column_int64(q, orphan ? 7 : 2);
		x->end = (size_t)sqlite3_column_int64(q, orphan ? 8 : 3);
		x->quote = col_text_n(q, 4, &x->quote_len);
		x->prefix = col_text_n(q, 5, &x->prefix_len);
		x->suffix = col_text_n(q, 6, &x->suffix_len);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		db_error(st, rc);
		movings_free(m, len);
		return -1;
	}
	*out = m;
	*n = len;
	return 0;
}

/* The sum of document doc into sha: 0, or -1 (none is an error here). */
static int doc_sha(struct store *st, int64_t doc, char sha[65])
{
	sqlite3_stmt *q = stmt(st, "SELECT sha256 FROM documents WHERE id = ?1");

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, doc);
	if (step_row(st, q) != 1)
		return -1;
	col_copy(sha, 65, q, 0);
	sqlite3_reset(q);
	return 0;
}

static int history_add(struct store *st, const char *uuid, const char *sha, const size_t *start,
		       const size_t *end, const char *quote, size_t quote_len, const char *how,
		       const char *now)
{
	sqlite3_stmt *q = stmt(st, "INSERT INTO history (uuid, sha256, start, \"end\", quote, how, at)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, sha, -1, SQLITE_STATIC);
	if (start) {
		sqlite3_bind_int64(q, 3, (int64_t)*start);
		sqlite3_bind_int64(q, 4, (int64_t)*end);
	} else {
		sqlite3_bind_null(q, 3);
		sqlite3_bind_null(q, 4);
	}
	bind_text_n(q, 5, quote, quote_len);
	sqlite3_bind_text(q, 6, how, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, now, -1, SQLITE_STATIC);
	return step_done(st, q);
}

/* How many words from the reader's place are tried, and the most of each
 * that is placed. */
#define CURSOR_WORDS 8
#define CURSOR_LINES 8  /* lines after it looked at when its own is gone */
#define CURSOR_QUOTE 64

static bool cursor_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The end of the word that starts at w in s0[0..n0): at a space, or at
 * most CURSOR_QUOTE bytes on (and the rest of a UTF-8 sequence). */
static size_t cursor_word_end(const char *s0, size_t n0, size_t w)
{
	size_t e = w;

	while (e < n0 && e - w < CURSOR_QUOTE && !cursor_space(s0[e]))
		e++;
	while (e < n0 && ((unsigned char)s0[e] & 0xC0) == 0x80)
		e++;
	return e;
}

/* Word [w, e) of the old text s0 placed through map: its start in the new
 * text, or SIZE_MAX; its end in *pe.  Its bytes there may differ. */
static size_t cursor_place(const struct anchor_map *map, const char *s0, size_t n0, size_t w,
			   size_t e, size_t *pe)
{
	struct anchor an;
	struct anchor_old ao;
	struct anchor_place p;

	anchor_make(s0, n0, w, e, &an);
	ao = (struct anchor_old){ w, e, an.quote, an.quote_len, an.prefix, an.prefix_len,
				  an.suffix, an.suffix_len };
	p = anchor_place(map, &ao);
	anchor_release(&an);
	*pe = p.end;
	return p.how == ANCHOR_ORPHAN ? SIZE_MAX : p.start;
}

/* The start of the word that ends at (or holds) end in s0, at most
 * CURSOR_QUOTE bytes back, at the start of a code point. */
static size_t cursor_word_start(const char *s0, size_t end)
{
	size_t w = end;

	while (w > 0 && !cursor_space(s0[w - 1]) && end - w < CURSOR_QUOTE)
		w--;
	while (w < end && ((unsigned char)s0[w] & 0xC0) == 0x80)
		w++;
	return w;
}

/* A place in text s of n > 0 bytes, pos at most n: inside it, at the start
 * of a code point, not between a CR and its LF. */
static size_t cursor_snap(const char *s, size_t n, size_t pos)
{
	pos = util_utf8_back(s, pos < n ? pos : n - 1);
	if (pos > 0 && s[pos] == '\n' && s[pos - 1] == '\r')
		pos--;
	return pos;
}

/*
 * Where the reader's place pos in the old text (s0, n0) is in the new text
 * (s, n) that map compares them with.  The word the place is in is placed
 * as an annotation would be, and the place keeps its distance into it when
 * the word is the same there.  When that word is gone (or the place is
 * between words), the next of the few words after it that is placed, and
 * the place as far before it only when the text between is the same; when
 * those are gone too (its line deleted), the first placed of the first few
 * words of each of the few lines after.  When none of those is left, the
 * last of the few words before it that is placed, and the place as far
 * after it when the text between is the same.  Else at the word found.  The answer starts a code point and
 * is not between a CR and its LF; SIZE_MAX when no word is placed.
 */
/* The first placed of the few words from *w on: its new start (its end in
 * *ge), with *w and *end its old bounds; SIZE_MAX with *w past the words
 * tried. */
static size_t cursor_words_after(const struct anchor_map *map, const char *s0, size_t n0, size_t *w,
				 size_t *end, size_t *ge)
{
	size_t got = SIZE_MAX;

	for (size_t k = 0; k < CURSOR_WORDS && got == SIZE_MAX; k++) {
		while (*w < n0 && cursor_space(s0[*w]))
			(*w)++;
		if (*w == n0)
			break;
		*end = cursor_word_end(s0, n0, *w);
		got = cursor_place(map, s0, n0, *w, *end, ge);
		if (got == SIZE_MAX)
			*w = *end;
	}
	return got;
}

static size_t follow_cursor(const struct anchor_map *map, const char *s0, size_t n0,
			    const char *s, size_t n, size_t pos)
{
	size_t w, got = SIZE_MAX, ge = 0, k, end = 0;

	if (pos >= n0 || n == 0)
		return SIZE_MAX;
	w = cursor_word_start(s0, pos);
	got = cursor_words_after(map, s0, n0, &w, &end, &ge);
	if (got != SIZE_MAX) {
		if (w <= pos) {
			/* in its own word: as far into it, if it is the same */
			if (ge - got == end - w && memcmp(s0 + w, s + got, end - w) == 0)
				got += pos - w;
		} else if (got >= w - pos && memcmp(s0 + pos, s + got - (w - pos), w - pos) == 0) {
			got -= w - pos;
		}
	}
	/* its line gone: the first word placed of the few lines after it */
	for (size_t l = 0, line = pos; got == SIZE_MAX && w < n0 && l < CURSOR_LINES; l++) {
		const char *nl = memchr(s0 + line, '\n', n0 - line);
		if (!nl)
			break;
		line = (size_t)(nl - s0) + 1;
		w = line;
		got = cursor_words_after(map, s0, n0, &w, &end, &ge);
	}
	if (got == SIZE_MAX) {
		/* nothing after it is left: the words before it */
		end = pos;
		for (k = 0; k < CURSOR_WORDS && got == SIZE_MAX; k++) {
			while (end > 0 && cursor_space(s0[end - 1]))
				end--;
			if (end == 0)
				break;
			w = cursor_word_start(s0, end);
			got = cursor_place(map, s0, n0, w, end, &ge);
			if (got == SIZE_MAX)
				end = w;
		}
		if (got != SIZE_MAX && ge + (pos - end) <= n &&
		    memcmp(s0 + end, s + ge, pos - end) == 0)
			got = ge + (pos - end);
	}
	return got == SIZE_MAX ? SIZE_MAX : cursor_snap(s, n, got);
}

/* Move the annotations of version old into doc (text s); when old is doc,
 * only its orphans, which may have come back with it.  *cursor, when not
 * SIZE_MAX, is the reader's place in old, and becomes theirs in s. */
static int follow_version(struct store *st, int64_t old, int64_t doc, const char *s, size_t n,
			  size_t *cursor, struct store_follow *out)
{
	static const char *const hows[] = { "orphaned", "exact", "diff", "fuzzy" };
	sqlite3_stmt *q;
	struct moving *m = NULL;
	struct anchor_map *map = NULL;
	char sha[65], now[21];
	char *otext = NULL;
	size_t len = 0, on = 0, i;
	int ret = -1;

	q = stmt(st, "SELECT sha256, text FROM documents WHERE id = ?1");
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, old);
	if (step_row(st, q) != 1)
		return -1;
	col_copy(sha, sizeof sha, q, 0);
	if (sqlite3_column_type(q, 1) != SQLITE_NULL) {
		const void *b = sqlite3_column_blob(q, 1);
		on = (size_t)sqlite3_column_bytes(q, 1);
		otext = util_memdup(b, on);
	}
	sqlite3_reset(q);
	if (movings_of(st, old, old == doc, &m, &len) != 0)
		goto out;
	now_utc(now);
	map = anchor_map_new(otext, on, s, n);
	if (*cursor != SIZE_MAX)
		*cursor = otext ? follow_cursor(map, otext, on, s, n, *cursor) : SIZE_MAX;
	for (i = 0; i < len; i++) {
		struct moving *x = &m[i];
		struct anchor_old ao = { x->start, x->end, x->quote, x->quote_len, x->prefix,
					 x->prefix_len, x->suffix, x->suffix_len };
		struct anchor_place p;
		struct anchor an;
		int r;

		/* without the old text an offset is only a guess: the quote must be found */
		if (!otext)
			ao.start = ao.end = SIZE_MAX;
		p = anchor_place(map, &ao);
		if (p.how == ANCHOR_ORPHAN) {
			if (x->orphan)
				continue; /* it was one already */
			if (history_add(st, x->uuid, sha, &x->start, &x->end, x->quote, x->quote_len,
					hows[p.how], now) != 0)
				goto out;
			q = stmt(st, "UPDATE annotations SET start = NULL, \"end\" = NULL, updated = ?2"
				 " WHERE id = ?1");
			if (!q)
				goto out;
			sqlite3_bind_int64(q, 1, x->id);
			sqlite3_bind_text(q, 2, now, -1, SQLITE_STATIC);
			if (step_done(st, q) != 0)
				goto out;
			out->orphaned++;
			continue;
		}
		if (history_add(st, x->uuid, sha, x->orphan ? NULL : &x->start, &x->end, x->quote,
				x->quote_len, hows[p.how], now) != 0)
			goto out;
		anchor_make(s, n, p.start, p.end, &an);
		q = stmt(st, "UPDATE annotations SET document = ?2, start = ?3, \"end\" = ?4,"
			 " quote = ?5, prefix = ?6, suffix = ?7, updated = ?8 WHERE id = ?1");
		if (!q) {
			anchor_release(&an);
			goto out;
		}
		sqlite3_bind_int64(q, 1, x->id);
		sqlite3_bind_int64(q, 2, doc);
		sqlite3_bind_int64(q, 3, (int64_t)p.start);
		sqlite3_bind_int64(q, 4, (int64_t)p.end);
		bind_text_n(q, 5, an.quote, an.quote_len);
		bind_text_n(q, 6, an.prefix, an.prefix_len);
		bind_text_n(q, 7, an.suffix, an.suffix_len);
		sqlite3_bind_text(q, 8, now, -1, SQLITE_STATIC);
		r = step_done(st, q);
		anchor_release(&an);
		if (r != 0)
			goto out;
		if (x->orphan)
			out->found++;
		else if (p.how == ANCHOR_EXACT)
			out->exact++;
		else if (p.how == ANCHOR_DIFF)
			out->diff++;
		else
			out->fuzzy++;
	}
	ret = 0;
out:
	if (map)
		anchor_map_free(map);
	movings_free(m, len);
	free(otext);
	return ret;
}

/* Whether v is one of a[0 .. n). */
static bool int64_in(const int64_t *a, size_t n, int64_t v)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] == v)
			return true;
	return false;
}

/* The start of the copy of needle (n bytes) in s[lo .. hi) whose point
 * off bytes into it is nearest to pos; SIZE_MAX when there is none. */
static size_t nearest_copy(const char *s, size_t lo, size_t hi, const char *needle, size_t n,
			   size_t off, size_t pos)
{
	size_t best = SIZE_MAX, bestd = SIZE_MAX;
	const char *p = s + lo, *end = s + hi;

	while (n > 0 && (size_t)(end - p) >= n && (p = memmem(p, (size_t)(end - p), needle, n))) {
		size_t at = (size_t)(p - s) + off;
		size_t d = at > pos ? at - pos : pos - at;
		if (d < bestd) {
			best = (size_t)(p - s);
			bestd = d;
		} else if (at > pos) {
			break; /* farther from here on */
		}
		p++;
	}
	return best;
}

/* How far from its old place the reader's place is looked for by its
 * context, each way. */
#define CURSOR_REACH ((size_t)1 << 20)
/* The fewest bytes of one side of the context that may place it alone. */
#define CURSOR_SIDE_MIN 8

/*
 * Where the place pos of a version whose text is not kept is in the new
 * text (s, n > 0): where the bytes that were around it (ctx, nctx bytes,
 * pos at bytes into them) are again, within CURSOR_REACH of pos, the copy
 * nearest to pos; else where the bytes after it are, else those before
 * (each when at least CURSOR_SIDE_MIN long).  SIZE_MAX when none is.
 */
static size_t cursor_by_context(const char *s, size_t n, size_t pos, const char *ctx,
				size_t nctx, size_t at)
{
	size_t lo = pos > CURSOR_REACH + nctx ? pos - CURSOR_REACH - nctx : 0;
	if (lo > n)
		lo = n;
	size_t hi = n - lo > 2 * (CURSOR_REACH + nctx) ? lo + 2 * (CURSOR_REACH + nctx) : n;
	size_t got;

	if ((got = nearest_copy(s, lo, hi, ctx, nctx, at, pos)) != SIZE_MAX)
		return cursor_snap(s, n, got + at);
	if (nctx - at >= CURSOR_SIDE_MIN &&
	    (got = nearest_copy(s, lo, hi, ctx + at, nctx - at, 0, pos)) != SIZE_MAX)
		return cursor_snap(s, n, got);
	if (at >= CURSOR_SIDE_MIN &&
	    (got = nearest_copy(s, lo, hi, ctx, at, at, pos)) != SIZE_MAX)
		return cursor_snap(s, n, got + at);
	return SIZE_MAX;
}

int store_doc_follow(struct store *st, int64_t doc, const char *file, const char *bytes,
		     size_t size, struct store_follow *out)
{
	sqlite3_stmt *q;
	int64_t *olds = NULL, cur_old;
	size_t nold = 0, cap = 0, i, cur = 0;
	int r, rc;
	bool moved;

	memset(out, 0, sizeof *out);
	out->cursor = SIZE_MAX;
	if (!file)
		return 0;
	/*
	 * Work waits when another version seen at this file still has
	 * annotations in place, or when this version is not the one last seen
	 * here (then orphans, its own too, get another chance).  Both cheap.
	 */
	/* +id: answered from the index on (file, seen) alone; the row itself
	 * holds the text before file and seen, which SQLite would read through */
	q = stmt(st, "SELECT 1 FROM documents WHERE file = ?2 AND +id = ?1 AND seen ="
		 " (SELECT max(seen) FROM documents WHERE file = ?2)");
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, doc);
	sqlite3_bind_text(q, 2, file, -1, SQLITE_TRANSIENT);
	r = step_row(st, q);
	if (r < 0)
		return -1;
	sqlite3_reset(q);
	moved = r == 0;
	q = stmt(st, "SELECT d.id FROM documents d WHERE (d.file = ?1 OR d.id = ?2)"
		 " AND EXISTS (SELECT 1 FROM annotations a WHERE a.document = d.id"
		 "   AND ((a.start IS NOT NULL AND d.id <> ?2) OR (?3 AND a.start IS NULL)))"
		 " ORDER BY d.id");
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, file, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, doc);
	sqlite3_bind_int(q, 3, moved);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (nold == cap) {
			cap = cap ? 2 * cap : 4;
			olds = util_realloc(olds, cap * sizeof *olds);
		}
		olds[nold++] = sqlite3_column_int64(q, 0);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		db_error(st, rc);
		free(olds);
		return -1;
	}
	if (!moved && nold == 0)
		return 0;
	/* A database that cannot be written records nothing of where a
	 * version was seen; annotations to move are refused below. */
	if (st->readonly && nold == 0) {
		free(olds);
		return 0;
	}

	if (tx_begin(st) != 0) {
		free(olds);
		return -1;
	}
	/* The reader's place in the version last read at this file goes with
	 * them to this one, unless this one has its own, when that version
	 * has annotations to move: the comparison of the two texts is made for
	 * them anyway. */
	cur_old = -1;
	q = stmt(st, "SELECT d.id, c.position, c.context, c.context_at"
		 " FROM documents d JOIN cursors c ON c.document = d.id"
		 " WHERE d.id = (SELECT id FROM documents WHERE file = ?1 AND id <> ?2"
		 "   ORDER BY seen DESC LIMIT 1)"
		 " AND NOT EXISTS (SELECT 1 FROM cursors WHERE document = ?2)");
	if (!q)
		goto fail;
	sqlite3_bind_text(q, 1, file, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, doc);
	if ((r = step_row(st, q)) < 0)
		goto fail;
	if (r == 1) {
		cur_old = sqlite3_column_int64(q, 0);
		cur = (size_t)sqlite3_column_int64(q, 1);
		/* a version whose text is not kept: by the text around the place */
		if (bytes && size > 0 && !int64_in(olds, nold, cur_old)) {
			const char *ctx = sqlite3_column_blob(q, 2);
			int nctx = sqlite3_column_bytes(q, 2);
			int64_t at = sqlite3_column_int64(q, 3);
			if (ctx && at >= 0 && at <= nctx)
				out->cursor = cursor_by_context(bytes, size, cur, ctx, (size_t)nctx,
								(size_t)at);
		}
		sqlite3_reset(q);
	}
	q = stmt(st, "UPDATE documents SET file = ?2,"
		 " seen = (SELECT coalesce(max(seen), 0) + 1 FROM documents) WHERE id = ?1");
	if (!q)
		goto fail;
	sqlite3_bind_int64(q, 1, doc);
	sqlite3_bind_text(q, 2, file, -1, SQLITE_TRANSIENT);
	if (step_done(st, q) != 0)
		goto fail;
	if (nold && keep_text(st, doc, bytes, size) != 0)
		goto fail;
	for (i = 0; i < nold; i++) {
		size_t c = olds[i] == cur_old ? cur : SIZE_MAX;
		if (follow_version(st, olds[i], doc, bytes ? bytes : "", size, &c, out) != 0)
			goto fail;
		if (olds[i] == cur_old)
			out->cursor = c;
	}
	if (out->cursor != SIZE_MAX) {
		q = stmt(st, "INSERT INTO cursors (document, position) VALUES (?1, ?2)");
		if (!q)
			goto fail;
		sqlite3_bind_int64(q, 1, doc);
		sqlite3_bind_int64(q, 2, (int64_t)out->cursor);
		if (step_done(st, q) != 0)
			goto fail;
	}
	if (tx_commit(st) != 0)
		goto fail;
	free(olds);
	return 0;
fail:
	tx_rollback(st);
	memset(out, 0, sizeof *out);
	out->cursor = SIZE_MAX;
	free(olds);
	return -1;
}

/* ---- import ---- */

/* The links of one imported row, made at commit. */
struct linkgroup {
	int64_t from;
	size_t seq;          /* its place among the groups, for the last one to win */
	size_t first, n;     /* its uuids: to[first .. first + n) */
};

struct store_import {
	struct store *st;
	sqlite3_stmt *upsert, *unlink;
	bool reindex;        /* annotations was empty: its indexes come back at commit */
	bool failed;         /* a row failed: commit refuses */
	bool replaced;       /* some row replaced another: link groups need sorting */
	int64_t top;         /* the highest annotation id: an insert goes above it */
	int64_t cache;       /* the cache_size to go back to */
	long changed;
	/* the document of the last row */
	char sha[65];
	int64_t doc;
	bool doc_text;       /* the database holds its text */
	char *dbtext;        /* that text, read when a row needed it */
	size_t dbsize;
	bool dbread;
	struct cpwalk ws, we;
	/* tags by name */
	struct { char *name; int64_t id; } *tags;
	size_t ntags, captags;
	struct linkgroup *groups;
	size_t ngroups, capgroups;
	char (*to)[37];
	size_t nto, capto;
	size_t dangling;     /* links to uuids found nowhere: left out */
	char dangling_to[37];/* the first of them */
};

/* The secondary indexes of annotations and links, as the migrations left them. */
static const char *const import_indexes[][2] = {
	{ "DROP INDEX annotations_by_document",
	  "CREATE INDEX annotations_by_document ON annotations"
	  " (document, start, \"end\" DESC, cp_start, cp_end DESC, uuid)" },
	{ "DROP INDEX annotations_by_tag",
	  "CREATE INDEX annotations_by_tag ON annotations (tag)" },
	{ "DROP INDEX links_by_to",
	  "CREATE INDEX links_by_to ON links (\"to\")" },
};

static void import_free(struct store_import *im)
{
	char sql[64];
	size_t i;

	snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", (long long)im->cache);
	sqlite3_exec(im->st->db, sql, NULL, NULL, NULL);
	for (i = 0; i < im->ntags; i++)
		free(im->tags[i].name);
	free(im->tags);
	free(im->groups);
	free(im->to);
	free(im->dbtext);
	free(im);
}

struct store_import *store_import_begin(struct store *st)
{
	struct store_import *im;
	sqlite3_stmt *q;
	int64_t cache;
	size_t i;
	int empty;

	/*
	 * New uuids land all over their unique index: with SQLite's default
	 * cache of a few MB its pages are written out and read back again and
	 * again.  A larger cache for the import only (back at commit or abort).
	 */
	q = stmt(st, "PRAGMA cache_size");
	if (!q || step_row(st, q) != 1)
		return NULL;
	cache = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	sqlite3_exec(st->db, "PRAGMA cache_size = -262144", NULL, NULL, NULL);
	im = util_calloc(1, sizeof *im);
	im->st = st;
	im->cache = cache;
	if (tx_begin(st) != 0) {
		import_free(im);
		return NULL;
	}
	q = stmt(st, "SELECT NOT EXISTS (SELECT 1 FROM annotations),"
		 " max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'annotations'), 0),"
		 "     coalesce((SELECT max(id) FROM annotations), 0))");
	if (!q || step_row(st, q) != 1)
		goto fail;
	empty = sqlite3_column_int(q, 0);
	im->top = sqlite3_column_int64(q, 1);
	sqlite3_reset(q);
	if (empty) {
		/* insert first, index after: a million rows go in several times faster */
		for (i = 0; i < sizeof import_indexes / sizeof *import_indexes; i++)
			if (exec(st, import_indexes[i][0]) != 0)
				goto fail;
		im->reindex = true;
	}
	/* prepared after the indexes went, so they never plan with them */
	im->upsert = stmt(st, "INSERT INTO annotations (uuid, document, tag, start, \"end\","
			  " cp_start, cp_end, quote, prefix, suffix, note, author, created, updated)"
			  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
			  " ON CONFLICT (uuid) DO UPDATE SET document = excluded.document,"
			  " tag = excluded.tag, start = excluded.start, \"end\" = excluded.\"end\","
			  " cp_start = excluded.cp_start, cp_end = excluded.cp_end,"
			  " quote = excluded.quote, prefix = excluded.prefix, suffix = excluded.suffix,"
			  " note = excluded.note, author = excluded.author, created = excluded.created,"
			  " updated = excluded.updated"
			  " WHERE excluded.updated > annotations.updated"
			  " RETURNING id");
	im->unlink = stmt(st, "DELETE FROM links WHERE \"from\" = ?1");
	if (!im->upsert || !im->unlink)
		goto fail;
	return im;
fail:
	tx_rollback(st);
	import_free(im);
	return NULL;
}

void store_import_abort(struct store_import *im)
{
	if (!im)
		return;
	tx_rollback(im->st);
	import_free(im);
}

/* The id of the tag called name, made (no key, the first free colour) if new. */
static int64_t import_tag(struct store_import *im, const char *name)
{
	struct store *st = im->st;
	sqlite3_stmt *q;
	int64_t id;
	size_t i;
	int r;

	for (i = 0; i < im->ntags; i++)
		if (!strcmp(im->tags[i].name, name))
			return im->tags[i].id;
	q = stmt(st, "SELECT id FROM tags WHERE name = ?1");
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	r = step_row(st, q);
	if (r < 0)
		return -1;
	if (r) {
		id = sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
	} else {
		const char *colour = colours[0];
		int64_t fewest = INT64_MAX;

		/* the first colour no tag has; when all are taken, the least used */
		for (i = 0; i < sizeof colours / sizeof *colours; i++) {
			int64_t uses;

			q = stmt(st, "SELECT count(*) FROM tags WHERE colour = ?1");
			if (!q)
				return -1;
			sqlite3_bind_text(q, 1, colours[i], -1, SQLITE_STATIC);
			if (step_row(st, q) != 1)
				return -1;
			uses = sqlite3_column_int64(q, 0);
			sqlite3_reset(q);
			if (uses < fewest) {
				fewest = uses;
				colour = colours[i];
			}
			if (!uses)
				break;
		}
		id = tag_insert(st, 0, name, 0, colour);
		if (id < 0)
			return -1;
	}
	if (im->ntags == im->captags) {
		im->captags = im->captags ? 2 * im->captags : 8;
		im->tags = util_realloc(im->tags, im->captags * sizeof *im->tags);
	}
	im->tags[im->ntags].name = util_strdup(name);
	im->tags[im->ntags].id = id;
	im->ntags++;
	return id;
}

/*
 * Make the row's document current: found or made by its sum, its text kept
 * when text is given and the database has none.  -1 on failure.
 */
static int import_doc(struct store_import *im, const struct store_row *row, const char *text,
		      size_t size)
{
	struct store *st = im->st;
	sqlite3_stmt *q;
	int r;

	if (im->doc && !strcmp(im->sha, row->sha256)) {
		if (!text || im->doc_text)
			return 0;
	} else {
		free(im->dbtext);
		im->dbtext = NULL;
		im->dbread = false;
		im->ws.pos = im->ws.cp = im->we.pos = im->we.cp = 0;
		q = stmt(st, "SELECT id, length(text) IS NOT NULL, size FROM documents WHERE sha256 = ?1");
		if (!q)
			return -1;
		sqlite3_bind_text(q, 1, row->sha256, -1, SQLITE_STATIC);
		r = step_row(st, q);
		if (r < 0)
			return -1;
		if (r) {
			im->doc = sqlite3_column_int64(q, 0);
			im->doc_text = sqlite3_column_int(q, 1);
			im->dbsize = (size_t)sqlite3_column_int64(q, 2);
			sqlite3_reset(q);
		} else {
			q = stmt(st, "INSERT INTO documents (sha256, size, path) VALUES (?1, ?2, ?3)");
			if (!q)
				return -1;
			sqlite3_bind_text(q, 1, row->sha256, -1, SQLITE_STATIC);
			sqlite3_bind_int64(q, 2, text ? (int64_t)size : 0);
			sqlite3_bind_text(q, 3, row->path ? row->path : "", -1, SQLITE_STATIC);
			if (step_done(st, q) != 0)
				return -1;
			im->doc = sqlite3_last_insert_rowid(st->db);
			im->doc_text = false;
		}
		memcpy(im->sha, row->sha256, sizeof im->sha);
		if (im->doc_text && text && size != im->dbsize) {
			util_error("the text given for '%s' has %zu bytes, not %zu", row->sha256, size,
				   im->dbsize);
			return -1;
		}
		if (!text || im->doc_text)
			return 0;
	}
	/* the database learns the text now: check it is the one the sum names */
	{
		unsigned char sum[SHA256_LEN];
		char hex[SHA256_HEX_LEN + 1];
		long placed;

		sha256_sum(text, size, sum);
		sha256_hex(sum, hex);
		if (strcmp(hex, row->sha256)) {
			util_error("the text given for '%s' has another SHA-256", row->sha256);
			return -1;
		}
		if (keep_text(st, im->doc, text, size) != 0)
			return -1;
		im->doc_text = true;
		im->dbsize = size;
		/* annotations an earlier import left unplaced find their place */
		placed = place(st, im->doc, text, size);
		if (placed < 0)
			return -1;
	}
	return 0;
}

/* The database's text of the current document (read once per document). */
static int import_dbtext(struct store_import *im)
{
	struct store *st = im->st;
	sqlite3_stmt *q;
	const void *b;

	if (im->dbread)
		return 0;
	q = stmt(st, "SELECT text FROM documents WHERE id = ?1");
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, im->doc);
	if (step_row(st, q) != 1)
		return -1;
	b = sqlite3_column_blob(q, 0);
	im->dbsize = (size_t)sqlite3_column_bytes(q, 0);
	im->dbtext = util_malloc(im->dbsize + 1);
	if (im->dbsize)
		memcpy(im->dbtext, b, im->dbsize);
	sqlite3_reset(q);
	im->dbread = true;
	return 0;
}

/* Check the row's fields that the database cannot. */
static int import_check(const struct store_row *row)
{
	size_t n;
	int i;
	const char *p;

	n = row->uuid ? strlen(row->uuid) : 0;
	if (!n || n > 36 || strspn(row->uuid, "0123456789abcdefABCDEF-") != n) {
		util_error("bad annotation id '%s'", row->uuid ? row->uuid : "");
		return -1;
	}
	if (!row->sha256 || strlen(row->sha256) != 64 ||
	    strspn(row->sha256, "0123456789abcdef") != 64) {
		util_error("bad sha256 '%s' in annotation '%s'", row->sha256 ? row->sha256 : "",
			   row->uuid);
		return -1;
	}
	if (!row->tag || !*row->tag) {
		util_error("no tag in annotation '%s'", row->uuid);
		return -1;
	}
	for (i = 0; i < 2; i++) {
		p = i ? row->updated : row->created;
		if (!p || !date_ok(p, true)) {
			util_error("bad time '%s' in annotation '%s': use YYYY-MM-DDTHH:MM:SSZ",
				   p ? p : "", row->uuid);
			return -1;
		}
	}
	if (row->placed && (row->cp_start > INT64_MAX || row->cp_end > INT64_MAX ||
			    row->cp_end < row->cp_start)) {
		util_error("offsets outside the document");
		return -1;
	}
	return 0;
}

/* Queue the row's links (from annotation id) for commit. */
static int import_links(struct store_import *im, const struct store_row *row, int64_t id,
			bool replaced)
{
	struct linkgroup *g;
	const char *p = row->links ? row->links : "";

	if (!*p && !replaced)
		return 0;
	if (im->ngroups == im->capgroups) {
		im->capgroups = im->capgroups ? 2 * im->capgroups : 64;
		im->groups = util_realloc(im->groups, im->capgroups * sizeof *im->groups);
	}
	g = &im->groups[im->ngroups];
	g->from = id;
	g->seq = im->ngroups++;
	g->first = im->nto;
	g->n = 0;
	while (*p) {
		size_t len;

		p += strspn(p, " ");
		len = strcspn(p, " ");
		if (!len)
			break;
		if (len > 36) {
			util_error("bad link '%.*s' in annotation '%s'", (int)len, p, row->uuid);
			return -1;
		}
		if (len == strlen(row->uuid) && !memcmp(p, row->uuid, len)) {
			util_error("annotation '%s' links to itself", row->uuid);
			return -1;
		}
		if (im->nto == im->capto) {
			im->capto = im->capto ? 2 * im->capto : 256;
			im->to = util_realloc(im->to, im->capto * sizeof *im->to);
		}
		memcpy(im->to[im->nto], p, len);
		im->to[im->nto][len] = '\0';
		im->nto++;
		g->n++;
		p += len;
	}
	return 0;
}

/* A kept row: 2 when it says otherwise than the database with the same
 * updated time (two edits in one second, or a hand-edited file), else 0. */
static int import_tie(struct store_import *im, const struct store_row *row, int64_t tag)
{
	sqlite3_stmt *q;
	int r;

	sqlite3_reset(im->upsert);
	q = stmt(im->st, "SELECT 1 FROM annotations WHERE uuid = ?1 AND updated = ?2 AND"
		 " (document IS NOT ?3 OR tag IS NOT ?4 OR note IS NOT ?5 OR author IS NOT ?6)");
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, row->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, row->updated, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, im->doc);
	sqlite3_bind_int64(q, 4, tag);
	sqlite3_bind_text(q, 5, row->note ? row->note : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, row->author ? row->author : "", -1, SQLITE_STATIC);
	r = step_row(im->st, q);
	if (r == 1) {
		sqlite3_reset(q);
		return 2;
	}
	return r;
}

static int import_row(struct store_import *im, const struct store_row *row, const char *text,
		      size_t size)
{
	struct store *st = im->st;
	sqlite3_stmt *q = im->upsert;
	int64_t tag, start = 0, end = 0, id;
	const char *quote = row->quote ? row->quote : "";
	struct anchor an = { NULL, NULL, NULL, 0, 0, 0 };
	bool placed = false, replaced;
	int r;

	if (import_check(row) != 0 || import_doc(im, row, text, size) != 0)
		return -1;
	tag = import_tag(im, row->tag);
	if (tag < 0)
		return -1;
	if (row->placed && (text || im->doc_text)) {
		if (!text) {
			if (import_dbtext(im) != 0)
				return -1;
			text = im->dbtext;
			size = im->dbsize;
		}
		if (span_bytes(&im->ws, &im->we, text, size, row->cp_start, row->cp_end, quote,
			       row->quote ? row->quote_len : 0, &start, &end) != 0)
			return -1;
		placed = true;
		anchor_make(text, size, (size_t)start, (size_t)end, &an);
	}

	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, row->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, im->doc);
	sqlite3_bind_int64(q, 3, tag);
	if (placed) {
		sqlite3_bind_int64(q, 4, start);
		sqlite3_bind_int64(q, 5, end);
		sqlite3_bind_null(q, 6);
		sqlite3_bind_null(q, 7);
	} else {
		sqlite3_bind_null(q, 4);
		sqlite3_bind_null(q, 5);
		if (row->placed) {
			sqlite3_bind_int64(q, 6, (int64_t)row->cp_start);
			sqlite3_bind_int64(q, 7, (int64_t)row->cp_end);
		} else {
			sqlite3_bind_null(q, 6);
			sqlite3_bind_null(q, 7);
		}
	}
	if (placed) {
		bind_text_n(q, 8, an.quote, an.quote_len);
		bind_text_n(q, 9, an.prefix, an.prefix_len);
		bind_text_n(q, 10, an.suffix, an.suffix_len);
	} else {
		bind_text_n(q, 8, row->quote, row->quote_len);
		bind_text_n(q, 9, row->prefix, row->prefix_len);
		bind_text_n(q, 10, row->suffix, row->suffix_len);
	}
	sqlite3_bind_text(q, 11, row->note ? row->note : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 12, row->author ? row->author : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 13, row->created, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 14, row->updated, -1, SQLITE_STATIC);
	r = step_row(st, q);
	anchor_release(&an);
	if (r == 0)
		return import_tie(im, row, tag); /* known, and not older: kept as it was */
	if (r < 0)
		return r;
	id = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	/* ids only grow: an id above every earlier one was inserted now */
	replaced = id <= im->top;
	if (!replaced) {
		im->top = id;
	} else {
		/* its links become exactly the incoming ones */
		im->replaced = true;
		sqlite3_bind_int64(im->unlink, 1, id);
		if (step_done(st, im->unlink) != 0)
			return -1;
	}
	if (import_links(im, row, id, replaced) != 0)
		return -1;
	im->changed++;
	return 1;
}

int store_import_row(struct store_import *im, const struct store_row *row, const char *text,
		     size_t size)
{
	int r;

	/* statements kept since store_import_begin may come first */
	settle(im->st);
	if (im->failed) {
		util_error("the import has failed already");
		return -1;
	}
	r = import_row(im, row, text, size);
	sqlite3_reset(im->upsert);
	sqlite3_clear_bindings(im->upsert);
	if (r < 0)
		im->failed = true;
	return r;
}

static int group_cmp(const void *a, const void *b)
{
	const struct linkgroup *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Make the queued links; the last group of an annotation is its links. */
static int import_make_links(struct store_import *im)
{
	struct store *st = im->st;
	sqlite3_stmt *find, *ins;
	size_t i, j;

	if (im->replaced && im->ngroups > 1)
		qsort(im->groups, im->ngroups, sizeof *im->groups, group_cmp);
	find = stmt(st, "SELECT id FROM annotations WHERE uuid = ?1");
	ins = stmt(st, "INSERT OR IGNORE INTO links (\"from\", \"to\") VALUES (?1, ?2)");
	if (!find || !ins)
		return -1;
	for (i = 0; i < im->ngroups; i++) {
		const struct linkgroup *g = &im->groups[i];

		if (i + 1 < im->ngroups && im->groups[i + 1].from == g->from)
			continue; /* a later row replaced this one */
		for (j = g->first; j < g->first + g->n; j++) {
			int64_t to;
			int r;

			sqlite3_bind_text(find, 1, im->to[j], -1, SQLITE_STATIC);
			r = step_row(st, find);
			if (r < 0)
				return -1;
			if (!r) {
				/* a filtered export's link to a row it left out */
				if (im->dangling++ == 0)
					memcpy(im->dangling_to, im->to[j], sizeof im->dangling_to);
				continue;
			}
			to = sqlite3_column_int64(find, 0);
			sqlite3_reset(find);
			sqlite3_bind_int64(ins, 1, g->from);
			sqlite3_bind_int64(ins, 2, to);
			if (step_done(st, ins) != 0)
				return -1;
		}
	}
	return 0;
}

long store_import_commit(struct store_import *im)
{
	return store_import_commit_report(im, NULL);
}

long store_import_commit_report(struct store_import *im, struct store_import_report *rep)
{
	struct store *st = im->st;
	long changed = im->changed;
	size_t i;

	if (rep)
		memset(rep, 0, sizeof *rep);

	if (im->failed) {
		util_error("the import has failed already");
		goto fail;
	}
	if (import_make_links(im) != 0)
		goto fail;
	if (im->reindex)
		for (i = 0; i < sizeof import_indexes / sizeof *import_indexes; i++)
			if (exec(st, import_indexes[i][1]) != 0)
				goto fail;
	if (tx_commit(st) != 0)
		goto fail;
	if (rep) {
		rep->dangling = im->dangling;
		memcpy(rep->dangling_to, im->dangling_to, sizeof rep->dangling_to);
	}
	import_free(im);
	return changed;
fail:
	tx_rollback(st);
	import_free(im);
	return -1;
}

/* ---- other processes ---- */

bool store_changed(struct store *st)
{
	sqlite3_stmt *q = stmt(st, "PRAGMA data_version");
	int64_t v;

	if (!q || step_row(st, q) != 1)
		return false;
	v = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	if (v == st->data_version)
		return false;
	st->data_version = v;
	st->wal_dirty = true;
	return true;
}

const char *store_path(const struct store *st)
{
	return st->path;
}

bool store_readonly(const struct store *st)
{
	return st->readonly;
}

/*
 * The log was all copied into the database: the next commit starts it again
 * from its start, and with synchronous=FULL it first writes the log's new
 * header and waits for that to reach the disk, a second fsync that the key
 * of that commit would wait for (and, the first time, for the directory of
 * a new log file).  A commit that changes nothing (the schema version set
 * to what it is) takes that turn now, while nobody waits.  Only after this
 * connection's own commits, and once when it opens: another process's
 * would make two idle readers answer each other for ever.  Never waits for
 * a lock.  On the idler: SQLite's own calls only (stmt() would wait for
 * the idler itself), and nothing said, since nobody asked.
 */
static void wal_restart_early(struct store *st)
{
	char sql[64];
	int rc = SQLITE_OK;

	sqlite3_busy_timeout(st->db, 0);
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK) {
		if (query_int(st->db, "PRAGMA user_version", &rc) == STORE_SCHEMA && rc == SQLITE_OK) {
			snprintf(sql, sizeof sql, "PRAGMA user_version = %d", STORE_SCHEMA);
			rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
		}
		if (rc != SQLITE_OK || sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			if (!sqlite3_get_autocommit(st->db))
				sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	}
	sqlite3_busy_timeout(st->db, st->hurry ? 0 : STORE_BUSY_MS);
}

/* The idler's work: the checkpoint, then perhaps the log's new start. */
static void *idle_run(void *arg)
{
	struct store *st = arg;
	int log = -1, copied = -1;

	/* PASSIVE: copies what no reader still needs, waits for nobody */
	if (sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) !=
	    SQLITE_OK)
		st->idle_failed = true;
	else if (st->idle_restart && copied == log)
		wal_restart_early(st);
	return NULL;
}

bool store_idle_running(struct store *st)
{
	if (!st->idling)
		return false;
	if (pthread_tryjoin_np(st->idler, NULL) != 0)
		return true;
	idle_end(st);
	return false;
}

/*
 * The checkpoint writes the database and waits for the disk twice (four
 * times when the log starts again), milliseconds that a key typed then
 * would wait for if it ran here.  It runs on the idler instead; the caller
 * waits for it only when it next uses the store.
 */
bool store_idle(struct store *st)
{
	settle(st);
	if (!st->wal_dirty || st->readonly)
		return false;
	st->wal_dirty = false;
	st->idle_failed = false;
	st->idle_restart = st->wrote;
	st->wrote = false;
	st->idling = thread_start(&st->idler, idle_run, st, NULL);
	if (!st->idling) {
		idle_run(st);
		idle_end(st);
	}
	return !st->wal_dirty;
}

/* ---- the static binary ---- */

void *__wrap_dlopen(const char *path, int mode)
{
	(void)path;
	(void)mode;
	return NULL;
}

char *__wrap_dlerror(void)
{
	static char msg[] = "gloss loads no extensions";

	return msg;
}

void *__wrap_dlsym(void *handle, const char *name)
{
	(void)handle;
	(void)name;
	return NULL;
}

int __wrap_dlclose(void *handle)
{
	(void)handle;
	return 0;
}
