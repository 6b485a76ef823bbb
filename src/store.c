/*
 * store.c: the SQLite backend of the store.  It contains, in this order:
 * the schema as a list of migrations; statement cache and error mapping;
 * opening (inspect read-only, then open read-write, then migrate); documents
 * and cursors; tags; annotations and links; counts; the undo journal.
 *
 * Every public change is one BEGIN IMMEDIATE ... COMMIT, rolled back on any
 * error.  The undo journal lives in memory and names annotations by uuid and
 * tags by name, since row ids may change when a row is re-inserted.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "gloss/store.h"
#include "gloss/util.h"

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
};

_Static_assert(sizeof migrations / sizeof *migrations == STORE_SCHEMA,
	       "one migration per schema version");

static const char *const colours[] = {
	"red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

/* ---- the journal ---- */

enum op { OP_ADD, OP_DELETE, OP_NOTE, OP_LINK, OP_TAG };

/* Everything needed to put an annotation back as it was. */
struct snap {
	char uuid[37];
	int64_t id, doc, tag;
	int64_t start, end;
	char *quote, *prefix, *suffix, *note, *author;
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
	struct stack undo, redo;
	char *what;
};

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
	default:
		util_error("database '%s': %s", st->path,
			   st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		break;
	}
}

static sqlite3_stmt *stmt(struct store *st, const char *sql)
{
	size_t i;
	sqlite3_stmt *q;
	int rc;

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
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		db_error(st, rc);
		return -1;
	}
	return 0;
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
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static int tx_commit(struct store *st)
{
	if (exec(st, "COMMIT") == 0)
		return 0;
	tx_rollback(st);
	return -1;
}

/* A consistent snapshot for several reads. */
static int rd_begin(struct store *st)
{
	return exec(st, "BEGIN");
}

static void rd_end(struct store *st)
{
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

/*
 * What the database on db is.  Reads only.  For our own database, the root
 * page of every table is read, so that a truncated file is caught here.
 */
static enum verdict inspect(sqlite3 *db, int64_t *version, int *rc)
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

	*rc = sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'",
				 -1, &q, NULL);
	if (*rc != SQLITE_OK)
		goto fail;
	while ((*rc = sqlite3_step(q)) == SQLITE_ROW) {
		char sql[256];
		const char *name = (const char *)sqlite3_column_text(q, 0);
		int rc2;

		if (!name || strchr(name, '"'))
			continue;
		snprintf(sql, sizeof sql, "SELECT count(*) FROM (SELECT 1 FROM \"%s\" LIMIT 1)", name);
		query_int(db, sql, &rc2);
		if (rc2 != SQLITE_OK) {
			*rc = rc2;
			break;
		}
	}
	sqlite3_finalize(q);
	if (*rc != SQLITE_DONE)
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
		if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
			util_error("cannot open database '%s': database is locked", path);
		else if (db && sqlite3_system_errno(db))
			util_error("cannot open database '%s': %s", path,
				   strerror(sqlite3_system_errno(db)));
		else
			util_error("cannot open database '%s': %s", path, sqlite3_errstr(rc));
		break;
	}
	return true;
}

/*
 * Checks that need no SQLite: the path is a regular file we may read and
 * write, in a directory we may write (WAL makes -wal and -shm files there),
 * and its first bytes are SQLite's (or it is empty).  Creates a missing file.
 * *wal: the header says WAL mode.
 */
static int check_file(const char *path, bool *wal)
{
	static const char magic[16] = "SQLite format 3";
	struct stat sb;
	unsigned char head[20];
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
	if (faccessat(AT_FDCWD, path, R_OK | W_OK, AT_EACCESS) != 0)
		goto sys;
	dir = dir_of(path);
	err = faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0 ? errno : 0;
	free(dir);
	if (err) {
		errno = err;
		goto sys;
	}
	*wal = false;
	if (sb.st_size == 0)
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
	if ((size_t)got < sizeof head || memcmp(head, magic, sizeof magic) != 0) {
		util_error("'%s' is not a database or is corrupt", path);
		return -1;
	}
	*wal = head[18] == 2 && head[19] == 2;
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

static bool wal_file_exists(const char *path)
{
	size_t n = strlen(path);
	char *wal = util_malloc(n + 5);
	bool there;

	memcpy(wal, path, n);
	memcpy(wal + n, "-wal", 5);
	there = access(wal, F_OK) == 0;
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

	if (wal && !wal_file_exists(path)) {
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
	sqlite3_busy_timeout(db, 2000);
	v = inspect(db, &version, &rc);
	if (uri && v == V_CORRUPT && wal_file_exists(path)) {
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

/* Bring the schema up to STORE_SCHEMA, in one transaction. */
static int migrate(struct store *st)
{
	int64_t version = 0;
	int rc;
	enum verdict v;
	char sql[64];

	/* the common case needs no write lock, which another process may hold */
	v = inspect(st->db, &version, &rc);
	if (v == V_OURS && version == STORE_SCHEMA)
		return 0;
	if (refuse(v, st->path, version, rc, st->db))
		return -1;
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
	return tx_commit(st);
fail:
	tx_rollback(st);
	return -1;
}

/* Settings of the read-write connection; WAL only now, since it writes. */
static int configure(struct store *st)
{
	sqlite3_stmt *q;
	const char *mode;
	int rc;

	sqlite3_busy_timeout(st->db, 2000);
	rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &q, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW) {
			mode = (const char *)sqlite3_column_text(q, 0);
			rc = mode && !strcmp(mode, "wal") ? SQLITE_OK : SQLITE_CANTOPEN;
		}
		sqlite3_finalize(q);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON",
				  NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_BUSY)
			util_error("cannot open database '%s': database is locked", st->path);
		else if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
			util_error("'%s' is not a database or is corrupt", st->path);
		else
			util_error("cannot open database '%s': %s", st->path,
				   sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

struct store *store_open(const char *path, const char *author)
{
	struct store *st;
	sqlite3_stmt *q;
	bool wal = false;
	int rc;

	if (check_file(path, &wal) != 0 || check_readonly(path, wal) != 0)
		return NULL;

	st = util_calloc(1, sizeof *st);
	st->path = util_strdup(path);
	st->author = dup_or_empty(author);
	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		util_error("cannot open database '%s': %s", path,
			   st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
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
	return st;
fail:
	store_close(st);
	return NULL;
}

void store_close(struct store *st)
{
	size_t i;

	if (!st)
		return;
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

/* ---- documents and cursors ---- */

int64_t store_doc(struct store *st, const char *sha256, size_t size, const char *path)
{
	sqlite3_stmt *q;
	int64_t id = 0;
	int r;

	/* the common case, a document seen before in the same place, writes nothing */
	q = stmt(st, "SELECT id FROM documents WHERE sha256 = ?1 AND size = ?2 AND path = ?3");
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (int64_t)size);
	sqlite3_bind_text(q, 3, path, -1, SQLITE_STATIC);
	r = step_row(st, q);
	if (r < 0)
		return -1;
	if (r) {
		id = sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
		return id;
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

int store_doc_text(struct store *st, int64_t doc, const char *bytes, size_t size)
{
	sqlite3_stmt *q;
	int64_t want;
	int r;

	q = stmt(st, "SELECT size, text IS NOT NULL FROM documents WHERE id = ?1");
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
	if (r)
		return 0;
	if ((uint64_t)want != (uint64_t)size) {
		util_error("the text given for document %lld has %zu bytes, not %lld",
			   (long long)doc, size, (long long)want);
		return -1;
	}
	if (size > (size_t)sqlite3_limit(st->db, SQLITE_LIMIT_LENGTH, -1)) {
		util_error("cannot keep the text of document %lld in '%s': %zu bytes is too large",
			   (long long)doc, st->path, size);
		return -1;
	}

	if (tx_begin(st) != 0)
		return -1;
	q = stmt(st, "UPDATE documents SET text = ?2 WHERE id = ?1 AND text IS NULL");
	if (!q)
		goto fail;
	sqlite3_bind_int64(q, 1, doc);
	/* no copy: the text may be large, and q is unbound before we return */
	sqlite3_bind_blob64(q, 2, bytes ? bytes : "", size, SQLITE_STATIC);
	r = step_done(st, q);
	sqlite3_clear_bindings(q);
	if (r != 0 || tx_commit(st) != 0)
		goto fail;
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

int store_cursor_set(struct store *st, int64_t doc, size_t cursor)
{
	sqlite3_stmt *q;

	if (tx_begin(st) != 0)
		return -1;
	q = stmt(st, "INSERT INTO cursors (document, position) VALUES (?1, ?2)"
		 " ON CONFLICT (document) DO UPDATE SET position = excluded.position");
	if (!q)
		goto fail;
	sqlite3_bind_int64(q, 1, doc);
	sqlite3_bind_int64(q, 2, (int64_t)cursor);
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
	" author, created, updated"

static void ann_from_row(sqlite3_stmt *q, struct store_ann *a)
{
	memset(a, 0, sizeof *a);
	a->id = sqlite3_column_int64(q, 0);
	col_copy(a->uuid, sizeof a->uuid, q, 1);
	a->doc = sqlite3_column_int64(q, 2);
	a->tag = sqlite3_column_int64(q, 3);
	a->start = (size_t)sqlite3_column_int64(q, 4);
	a->end = (size_t)sqlite3_column_int64(q, 5);
	a->quote = col_text(q, 6);
	a->prefix = col_text(q, 7);
	a->suffix = col_text(q, 8);
	a->note = col_text(q, 9);
	a->author = col_text(q, 10);
	col_copy(a->created, sizeof a->created, q, 11);
	col_copy(a->updated, sizeof a->updated, q, 12);
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

int store_anns(struct store *st, int64_t doc, struct store_ann **out, size_t *n)
{
	sqlite3_stmt *q;
	struct store_ann *anns = NULL;
	size_t len = 0, cap = 0, i;
	int rc;

	*out = NULL;
	*n = 0;
	if (rd_begin(st) != 0)
		return -1;
	q = stmt(st, "SELECT " ANN_COLUMNS " FROM annotations WHERE document = ?1"
		 " ORDER BY start, \"end\" DESC, tag, id");
	if (!q)
		goto fail;
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
	for (i = 0; i < len; i++)
		if (links_of(st, &anns[i]) != 0)
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
		util_error("no annotation %lld", (long long)id);
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
	sqlite3_bind_text(q, 7, s->quote, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 8, s->prefix, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 9, s->suffix, -1, SQLITE_STATIC);
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
		      const char *quote, const char *prefix, const char *suffix, const char *note)
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
	s.quote = dup_or_empty(quote);
	s.prefix = dup_or_empty(prefix);
	s.suffix = dup_or_empty(suffix);
	s.note = dup_or_empty(note);
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
			util_error("no annotation %lld", (long long)id);
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
			util_error("no annotation %lld", (long long)id);
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
		util_error("no annotation %lld", (long long)a);
	if (r <= 0)
		goto out;
	r = ann_kind(st, b, &tb, ub);
	if (r == 0)
		util_error("no annotation %lld", (long long)b);
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

	q = stmt(st,
		 "WITH c AS (SELECT id FROM tags WHERE name = 'claim'),"
		 " s AS (SELECT id FROM tags WHERE name = 'source')"
		 " SELECT"
		 " (SELECT count(*) FROM annotations WHERE document = ?1 AND tag IN c),"
		 " (SELECT count(*) FROM annotations WHERE document = ?1 AND tag IN s),"
		 " (SELECT count(*) FROM annotations a WHERE a.document = ?1 AND a.tag IN c"
		 "   AND NOT EXISTS (SELECT 1 FROM links l JOIN annotations o ON o.id = l.\"to\""
		 "     WHERE l.\"from\" = a.id AND o.tag IN s)"
		 "   AND NOT EXISTS (SELECT 1 FROM links l JOIN annotations o ON o.id = l.\"from\""
		 "     WHERE l.\"to\" = a.id AND o.tag IN s))");
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
	}
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
	return true;
}
