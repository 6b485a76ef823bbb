/*
 * test_store.c: the SQLite store.  Creating, reopening and migrating a
 * database; refusing foreign, newer, corrupt and unwritable files without
 * changing a byte of them; tags, annotations, links and counts; undo and redo
 * of every kind of change, also when another connection got there first; two
 * stores on one file; a lock held by another process; the idle checkpoint
 * on a thread of its own, and the log made ready at opening.  The database is
 * checked with the sqlite3 program, not through the store itself.
 * Everything happens in a private temporary directory removed at the end.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gloss/anchor.h"
#include "gloss/sha256.h"
#include "gloss/store.h"
#include "gloss/util.h"
#include "t.h"

static char root[4096];

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define TEXT_A "Officials said the vote was close. \"It was fair,\" Smith said."
#define CLAIM 1 /* the ids of the default tags in a new database */
#define SOURCE 2
#define PAST 1700000000 /* November 2023 */

/* root/name, in one of a few rotating buffers. */
static const char *in_root(const char *name)
{
	static char bufs[8][4096 + 256];
	static int next;
	char *b = bufs[next++ % 8];
	snprintf(b, sizeof bufs[0], "%s/%s", root, name);
	return b;
}

static int write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	if (n && fwrite(data, 1, n, f) != n) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

/* A whole file; *n its size.  NULL when unreadable. */
static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (!f)
		return NULL;
	do {
		if (cap - len < 4096) {
			cap = cap ? 2 * cap : 8192;
			buf = util_realloc(buf, cap + 1);
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got);
	fclose(f);
	buf[len] = '\0';
	*n = len;
	return buf;
}

static int mode_of(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (int)(sb.st_mode & 07777) : -1;
}

/*
 * Run sql on the database with the sqlite3 program; its output (stdout and
 * stderr) in a static buffer.
 */
static const char *sqlite(const char *db, const char *sql)
{
	static char out[8192];
	char cmd[8192];
	const char *script = in_root("query.sql");
	FILE *p;
	size_t n;

	out[0] = '\0';
	if (write_file(script, sql, strlen(sql)) != 0)
		return "(cannot write the script)";
	snprintf(cmd, sizeof cmd, "sqlite3 -batch '%s' < '%s' 2>&1", db, script);
	p = popen(cmd, "r");
	if (!p)
		return "(cannot run sqlite3)";
	n = fread(out, 1, sizeof out - 1, p);
	out[n] = '\0';
	pclose(p);
	return out;
}

/* What a refused file must still be afterwards: its bytes and mtime. */
struct shot {
	char *bytes;
	size_t n;
	struct timespec mtime;
};

static int shot_take(const char *path, struct shot *s)
{
	struct stat sb;
	struct timespec t[2] = { { PAST, 0 }, { PAST, 0 } };

	/* an mtime in the past, so that any write would show */
	if (utimensat(AT_FDCWD, path, t, 0) != 0 || stat(path, &sb) != 0)
		return -1;
	s->mtime = sb.st_mtim;
	s->bytes = slurp(path, &s->n);
	return s->bytes ? 0 : -1;
}

/* 1 when path still has the bytes and mtime of s; frees s. */
static int shot_same(const char *path, struct shot *s)
{
	struct stat sb;
	size_t n = 0;
	char *now = slurp(path, &n);
	int same = now && stat(path, &sb) == 0 && n == s->n && !memcmp(now, s->bytes, n) &&
		   sb.st_mtim.tv_sec == s->mtime.tv_sec && sb.st_mtim.tv_nsec == s->mtime.tv_nsec;

	free(now);
	free(s->bytes);
	s->bytes = NULL;
	return same;
}

/* Stop the calling test when a helper it called has failed. */
#define CHECK(call) do { call; if (t_failed_now) return; } while (0)

/* store_open(path), and the same on another thread, must fail with msg
 * and leave the file as it was. */
static void refused(const char *path, const char *msg)
{
	struct shot s;
	struct store *st;

	for (int threaded = 0; threaded < 2; threaded++) {
		T_ASSERT(shot_take(path, &s) == 0);
		util_error("not the message");
		if (threaded)
			st = store_open_end(store_open_begin(path, "tester"));
		else
			st = store_open(path, "tester");
		if (st) {
			store_close(st);
			free(s.bytes);
			T_FAIL("'%s' was opened%s", path, threaded ? " on a thread" : "");
		}
		if (strcmp(util_errmsg(), msg)) {
			free(s.bytes);
			T_EQ_STR(util_errmsg(), msg);
		}
		T_ASSERT(shot_same(path, &s));
	}
}

/*
 * Strings made for one check live on the heap, a few at a time, so that the
 * compiler does not see a bound that would set off -Wformat-truncation in t.h.
 */
static const char *keep(char *s)
{
	static char *slots[4];
	static int next;
	int i = next++ % 4;

	free(slots[i]);
	slots[i] = s;
	return s;
}

static void keep_free(void)
{
	int i;
	for (i = 0; i < 4; i++)
		keep(NULL);
}

static const char *msgf(const char *fmt, const char *path)
{
	size_t n = strlen(fmt) + strlen(path) + 1;
	char *buf = util_malloc(n);

	snprintf(buf, n, fmt, path);
	return keep(buf);
}

/* fmt with the schema version for its one %d. */
static const char *schemaf(const char *fmt)
{
	size_t n = strlen(fmt) + 24;
	char *buf = util_malloc(n);

	snprintf(buf, n, fmt, STORE_SCHEMA);
	return keep(buf);
}

/* A new database at root/name with one document; its id in *doc. */
static struct store *fresh(const char *name, int64_t *doc)
{
	const char *path = in_root(name);
	struct store *st;

	unlink(path);
	st = store_open(path, "tester");
	if (st && doc) {
		*doc = store_doc(st, SHA_A, strlen(TEXT_A), "a.txt");
		if (*doc <= 0 || store_doc_text(st, *doc, TEXT_A, strlen(TEXT_A)) != 0) {
			store_close(st);
			return NULL;
		}
	}
	return st;
}

/* store_ann_add with its anchor texts given as C strings. */
static int64_t ann_add(struct store *st, int64_t doc, int64_t tag, size_t start, size_t end,
		       const char *quote, const char *prefix, const char *suffix, const char *note)
{
	struct anchor an = { (char *)quote, (char *)prefix, (char *)suffix,
			     strlen(quote), strlen(prefix), strlen(suffix) };
	return store_ann_add(st, doc, tag, start, end, &an, note);
}

static int64_t add(struct store *st, int64_t doc, int64_t tag, size_t start, size_t end)
{
	return ann_add(st, doc, tag, start, end, "q", "p", "s", NULL);
}

/* The annotation with this uuid among doc's, copied into *out (caller releases). */
static bool find_uuid(struct store *st, int64_t doc, const char *uuid, struct store_ann *out)
{
	struct store_ann *anns;
	size_t n, i;
	bool found = false;

	if (store_anns(st, doc, &anns, &n) != 0)
		return false;
	for (i = 0; i < n; i++) {
		if (!strcmp(anns[i].uuid, uuid)) {
			*out = anns[i];
			memset(&anns[i], 0, sizeof anns[i]);
			found = true;
		}
	}
	store_anns_free(anns, n);
	return found;
}

static size_t count_anns(struct store *st, int64_t doc)
{
	struct store_ann *anns;
	size_t n;

	if (store_anns(st, doc, &anns, &n) != 0)
		return (size_t)-1;
	store_anns_free(anns, n);
	return n;
}

static bool is_uuid4(const char *u)
{
	size_t i;

	if (strlen(u) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (u[i] != '-')
				return false;
		} else if (!strchr("0123456789abcdef", u[i])) {
			return false;
		}
	}
	return u[14] == '4' && strchr("89ab", u[19]);
}

static bool is_utc(const char *t)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof tm);
	end = strptime(t, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return end && !*end && strlen(t) == 20 && tm.tm_year >= 120;
}

/* ---- opening ---- */

static void test_create(void)
{
	const char *path = in_root("new/sub/gloss.db");
	struct store *st = store_open(path, "tester");

	T_ASSERT(st);
	T_EQ_INT(mode_of(path), 0600);
	T_EQ_INT(mode_of(in_root("new")), 0700);
	T_EQ_INT(mode_of(in_root("new/sub")), 0700);
	/* WAL's files take the database's mode */
	T_EQ_INT(mode_of(in_root("new/sub/gloss.db-wal")), 0600);
	T_ASSERT(!store_changed(st));
	store_close(st);
	T_EQ_STR(sqlite(path, "PRAGMA application_id; PRAGMA user_version; PRAGMA journal_mode;"),
		 schemaf("1735159667\n%d\nwal\n"));
	T_EQ_STR(sqlite(path, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;"),
		 "annotations\ncursors\ndocuments\nhistory\nlinks\nsqlite_sequence\ntags\n");
	T_EQ_STR(sqlite(path, "SELECT name, key, colour FROM tags ORDER BY id;"),
		 "claim|c|yellow\nsource|s|cyan\n");
	/* opening again changes nothing */
	st = store_open(path, "tester");
	T_ASSERT(st);
	store_close(st);
	T_EQ_STR(sqlite(path, "PRAGMA user_version; SELECT count(*) FROM tags;"), schemaf("%d\n2\n"));
}

static void test_create_relative(void)
{
	char cwd[4096];
	struct store *st;

	T_ASSERT(getcwd(cwd, sizeof cwd));
	T_ASSERT(chdir(root) == 0);
	st = store_open("plain.db", NULL);
	T_ASSERT(chdir(cwd) == 0);
	T_ASSERT(st);
	store_close(st);
	T_EQ_INT(mode_of(in_root("plain.db")), 0600);
}

static void test_odd_name(void)
{
	const char *path = in_root("odd ?#%name.db");
	struct store *st;
	int64_t doc;

	st = store_open(path, "tester");
	T_ASSERT(st);
	doc = store_doc(st, SHA_A, 1, "x");
	store_close(st);
	T_ASSERT(doc > 0);
	st = store_open(path, "tester");
	T_ASSERT(st);
	T_EQ_INT(store_doc(st, SHA_A, 1, "x"), doc);
	store_close(st);
	T_EQ_INT(access(in_root("odd ?#%name"), F_OK), -1);
}

static void test_reopen(void)
{
	const char *path = in_root("reopen.db");
	struct store *st;
	struct store_tag *tags;
	struct store_ann *anns;
	size_t n, cur = 0;
	int64_t doc, c, s, tag;
	char uuid[37];

	st = fresh("reopen.db", &doc);
	T_ASSERT(st);
	tag = store_tag_add(st, "quote", 'q', "green");
	T_ASSERT(tag > 0);
	c = ann_add(st, doc, CLAIM, 0, 9, "Officials", "", " said", "check this");
	s = add(st, doc, SOURCE, 45, 50);
	T_ASSERT(c > 0 && s > 0);
	T_ASSERT(add(st, doc, tag, 36, 49) > 0);
	T_EQ_INT(store_link(st, c, s), 1);
	T_EQ_INT(store_cursor_set(st, doc, 42, NULL, 0), 0);
	{
		struct store_ann a;
		T_ASSERT(store_ann_get(st, c, &a));
		memcpy(uuid, a.uuid, sizeof uuid);
		store_ann_release(&a);
	}
	store_close(st);

	st = store_open(path, "someone else");
	T_ASSERT(st);
	T_EQ_INT(store_doc(st, SHA_A, strlen(TEXT_A), "a.txt"), doc);
	T_ASSERT(store_cursor_get(st, doc, &cur));
	T_EQ_INT(cur, 42);
	T_ASSERT(store_tags(st, &tags, &n) == 0);
	T_EQ_INT(n, 3);
	T_EQ_STR(tags[2].name, "quote");
	T_EQ_INT(tags[2].key, 'q');
	store_tags_free(tags, n);
	T_ASSERT(store_anns(st, doc, &anns, &n) == 0);
	if (n != 3 || strcmp(anns[0].uuid, uuid) || strcmp(anns[0].note, "check this") ||
	    strcmp(anns[0].author, "tester") || anns[0].nlinks != 1 || anns[0].links[0] != s) {
		store_anns_free(anns, n);
		store_close(st);
		T_FAIL("annotations did not survive");
	}
	store_anns_free(anns, n);
	store_close(st);
	T_EQ_STR(sqlite(path, "SELECT text FROM documents;"), TEXT_A "\n");
}

/* Opened on another thread while the caller goes on: the store is the
 * caller's, with the author given, and the caller's message is its own. */
static void test_open_on_thread(void)
{
	const char *path = in_root("thread.db");
	struct store_opening *op;
	struct store *st;
	struct store_ann a;
	int64_t doc, id;

	unlink(path);
	op = store_open_begin(path, "threaded");
	util_error("the caller's own message");
	st = store_open_end(op);
	T_ASSERT(st);
	T_EQ_STR(util_errmsg(), "the caller's own message");
	doc = store_doc(st, SHA_A, strlen(TEXT_A), "a.txt");
	id = doc > 0 ? add(st, doc, CLAIM, 0, 9) : -1;
	T_ASSERT(id > 0 && store_ann_get(st, id, &a));
	T_EQ_STR(a.author, "threaded");
	store_ann_release(&a);
	store_close(st);
	T_EQ_STR(sqlite(path, "SELECT author FROM annotations;"), "threaded\n");
}

/* The opening in two steps: the file looked at first, the opening started
 * later (or by store_open_end, on the calling thread); a new database is
 * an empty file until the opening starts. */
static void test_open_look_then_go(void)
{
	const char *path = in_root("look.db");
	struct store_opening *op;
	struct store *st;
	struct stat sb;

	unlink(path);
	op = store_open_look(path, "looked");
	T_ASSERT(store_opening_likely(op)); /* new */
	T_ASSERT(stat(path, &sb) == 0 && sb.st_size == 0);
	store_open_go(op);
	store_open_go(op); /* once only */
	st = store_open_end(op);
	T_ASSERT(st);
	store_close(st);
	T_ASSERT(stat(path, &sb) == 0 && sb.st_size > 0);

	/* an up-to-date database, never started: store_open_end opens it */
	op = store_open_look(path, "looked");
	T_ASSERT(store_opening_likely(op));
	st = store_open_end(op);
	T_ASSERT(st);
	store_close(st);

	/* refused by the look: going does nothing, the end says why */
	op = store_open_look(root, "looked");
	T_ASSERT(!store_opening_likely(op));
	store_open_go(op);
	T_ASSERT(store_open_end(op) == NULL);
	T_ASSERT(strstr(util_errmsg(), "cannot open database") != NULL);
}

/* A caller that waits for the opening beside other descriptors: the one
 * store_open_wait_fd gives becomes readable when the opening has ended,
 * and store_open_end closes it; with no thread (one CPU), or nothing to
 * open, there is none to wait for. */
static void test_open_wait_fd(void)
{
	const char *path = in_root("wait.db");
	struct store_opening *op;
	struct store *st;
	int fd;

	unlink(path);
	op = store_open_look(path, "waiting");
	fd = store_open_wait_fd(op); /* starts it */
	if (fd >= 0) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		T_ASSERT(poll(&pf, 1, 10000) == 1 && (pf.revents & POLLIN));
	}
	st = store_open_end(op);
	T_ASSERT(st);
	T_ASSERT(fd < 0 || (fcntl(fd, F_GETFD) < 0 && errno == EBADF));
	store_close(st);

	op = store_open_look(root, "waiting");
	T_ASSERT(store_open_wait_fd(op) < 0);
	T_ASSERT(store_open_end(op) == NULL);
}

/* The author of an annotation made with no author given: the name in
 * $LOGNAME, else in $USER, else the effective user's in /etc/passwd. */
static const char *default_author(const char *logname, const char *user)
{
	static char got[256];
	const char *path = in_root("author.db");
	struct store *st;
	struct store_ann a;
	int64_t doc, id;

	unlink(path);
	if (logname)
		setenv("LOGNAME", logname, 1);
	else
		unsetenv("LOGNAME");
	if (user)
		setenv("USER", user, 1);
	else
		unsetenv("USER");
	st = store_open(path, NULL);
	if (!st)
		return "(no store)";
	doc = store_doc(st, SHA_A, strlen(TEXT_A), "a.txt");
	id = doc > 0 ? add(st, doc, CLAIM, 0, 9) : -1;
	got[0] = '\0';
	if (id > 0 && store_ann_get(st, id, &a)) {
		snprintf(got, sizeof got, "%s", a.author);
		store_ann_release(&a);
	}
	store_close(st);
	return got;
}

static void test_default_author(void)
{
	const char *logname = getenv("LOGNAME"), *user = getenv("USER");
	char *keep_logname = logname ? util_strdup(logname) : NULL;
	char *keep_user = user ? util_strdup(user) : NULL;
	const struct passwd *pw = getpwuid(geteuid());

	T_EQ_STR(default_author("ana", "bob"), "ana");
	T_EQ_STR(default_author(NULL, "bob"), "bob");
	T_EQ_STR(default_author("", "bob"), "bob");
	T_ASSERT(pw && pw->pw_name);
	if (pw && pw->pw_name)
		T_EQ_STR(default_author(NULL, NULL), pw->pw_name);
	default_author(keep_logname, keep_user);
	free(keep_logname);
	free(keep_user);
}

static void test_migrate_v0(void)
{
	const char *path = in_root("v0.db");
	struct store *st;

	/* what a version 0 gloss database is: our id, nothing else */
	T_EQ_STR(sqlite(path, "PRAGMA application_id = 1735159667; PRAGMA user_version;"), "0\n");
	st = store_open(path, "tester");
	T_ASSERT(st);
	store_close(st);
	T_EQ_STR(sqlite(path, "PRAGMA application_id; PRAGMA user_version; PRAGMA journal_mode;"
			" SELECT count(*) FROM tags;"), schemaf("1735159667\n%d\nwal\n2\n"));
}

static void test_empty_files_are_new(void)
{
	const char *empty = in_root("empty.db"), *blank = in_root("blank.db");
	struct store *st;

	/* an empty file */
	T_ASSERT(write_file(empty, "", 0) == 0);
	st = store_open(empty, "tester");
	T_ASSERT(st);
	store_close(st);
	T_EQ_STR(sqlite(empty, "PRAGMA application_id; PRAGMA user_version;"), schemaf("1735159667\n%d\n"));

	/* a SQLite file with nothing in it, whatever user_version says */
	T_EQ_STR(sqlite(blank, "PRAGMA user_version = 5; VACUUM; PRAGMA application_id;"), "0\n");
	st = store_open(blank, "tester");
	T_ASSERT(st);
	store_close(st);
	T_EQ_STR(sqlite(blank, "PRAGMA application_id; PRAGMA user_version; SELECT count(*) FROM tags;"),
		 schemaf("1735159667\n%d\n2\n"));
}

static void test_refuse_foreign(void)
{
	const char *path = in_root("foreign.db"), *other = in_root("other-app.db");
	const char *wal = in_root("foreign-wal.db");

	T_EQ_STR(sqlite(path, "CREATE TABLE t(x); INSERT INTO t VALUES (1);"), "");
	CHECK(refused(path, msgf("'%s' is not a gloss database", path)));
	T_EQ_INT(access(in_root("foreign.db-wal"), F_OK), -1);
	/* a WAL database gets no -wal or -shm files from being looked at */
	T_EQ_STR(sqlite(wal, "PRAGMA journal_mode = WAL; CREATE TABLE t(x);"), "wal\n");
	CHECK(refused(wal, msgf("'%s' is not a gloss database", wal)));
	T_EQ_INT(access(in_root("foreign-wal.db-wal"), F_OK), -1);
	T_EQ_INT(access(in_root("foreign-wal.db-shm"), F_OK), -1);
	/* another application's id, even with no tables */
	T_EQ_STR(sqlite(other, "PRAGMA application_id = 42; PRAGMA application_id;"), "42\n");
	CHECK(refused(other, msgf("'%s' is not a gloss database", other)));
}

static void test_refuse_newer(void)
{
	const char *path = in_root("newer.db");

	T_EQ_STR(sqlite(path, "PRAGMA application_id = 1735159667; PRAGMA user_version = 99;"
			" CREATE TABLE future(x);"), "");
	CHECK(refused(path, msgf(schemaf("'%%s' has schema version 99, newer than this gloss knows (%d)"), path)));
}

/* A negative user_version (a damaged header) indexed the migrations before
 * their start: a crash, or another literal run as SQL. */
static void test_refuse_negative_version(void)
{
	const char *versions[] = {"-1", "-2", "-16777211"};
	char path[64], sql[128];

	for (size_t i = 0; i < sizeof versions / sizeof *versions; i++) {
		struct store *st;
		int64_t doc;
		snprintf(path, sizeof path, "negative%zu.db", i);
		st = fresh(path, &doc);
		T_ASSERT(st);
		store_close(st);
		snprintf(sql, sizeof sql, "PRAGMA user_version = %s;", versions[i]);
		T_EQ_STR(sqlite(in_root(path), sql), "");
		CHECK(refused(in_root(path), msgf("'%s' is not a database or is corrupt", in_root(path))));
	}
}

static void test_refuse_corrupt(void)
{
	const char *noise = in_root("noise.db"), *fake = in_root("fake.db");
	const char *cut = in_root("cut.db"), *cut1 = in_root("cut1.db"), *tiny = in_root("tiny.db");
	char buf[8192];
	char *real;
	size_t i, n;
	uint32_t x = 12345;
	struct store *st;
	int64_t doc;

	for (i = 0; i < sizeof buf; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (char)(x >> 16);
	}
	T_ASSERT(write_file(noise, buf, sizeof buf) == 0);
	CHECK(refused(noise, msgf("'%s' is not a database or is corrupt", noise)));

	memcpy(buf, "SQLite format 3", 16);
	T_ASSERT(write_file(fake, buf, sizeof buf) == 0);
	CHECK(refused(fake, msgf("'%s' is not a database or is corrupt", fake)));

	T_ASSERT(write_file(tiny, "SQLite", 6) == 0);
	CHECK(refused(tiny, msgf("'%s' is not a database or is corrupt", tiny)));

	/* a real database with a few pages, cut short */
	st = fresh("whole.db", &doc);
	T_ASSERT(st);
	for (i = 0; i < 40; i++)
		T_ASSERT(add(st, doc, CLAIM, i, i + 5) > 0);
	store_close(st);
	real = slurp(in_root("whole.db"), &n);
	T_ASSERT(real && n >= 5 * 4096);
	i = write_file(cut, real, n / 2) == 0 && write_file(cut1, real, 4096) == 0;
	free(real);
	T_ASSERT(i);
	CHECK(refused(cut, msgf("'%s' is not a database or is corrupt", cut)));
	CHECK(refused(cut1, msgf("'%s' is not a database or is corrupt", cut1)));
}

/*
 * Run store_open(path) as the user nobody and return its message (or
 * "opened").  Root may write anything, so this is how root tests refusal.
 */
/* What opening path gives: its error, "opened", or "read-only: " and the
 * error of an attempted change. */
static const char *open_report(const char *path, const char *author)
{
	static char buf[4200];
	struct store *st = store_open(path, author);

	if (!st)
		return util_errmsg();
	if (!store_readonly(st)) {
		store_close(st);
		return "opened";
	}
	if (store_tag_add(st, "doubt", 'd', "red") >= 0)
		snprintf(buf, sizeof buf, "read-only, but a change was made");
	else
		snprintf(buf, sizeof buf, "read-only: %s", util_errmsg());
	store_close(st);
	return buf;
}

static const char *open_as_nobody(const char *path)
{
	char msg[4096];
	int fd[2];
	pid_t pid;
	ssize_t got;
	size_t len = 0;

	if (pipe(fd) != 0)
		return "(pipe)";
	pid = fork();
	if (pid < 0)
		return "(fork)";
	if (pid == 0) {
		const char *m;

		close(fd[0]);
		if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0) {
			m = "(cannot become nobody)";
		} else {
			m = open_report(path, "nobody");
		}
		if (write(fd[1], m, strlen(m)) < 0)
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	while ((got = read(fd[0], msg + len, sizeof msg - 1 - len)) > 0)
		len += (size_t)got;
	msg[len] = '\0';
	close(fd[0]);
	waitpid(pid, NULL, 0);
	return keep(util_strdup(msg));
}

static void test_readonly(void)
{
	const char *rofile = in_root("ro/file.db"), *rodir = in_root("rodir/in.db");
	const char *dirpath = in_root("ro");
	bool root_user = geteuid() == 0;
	struct store *st;
	struct shot s;

	/* a directory given as the database */
	T_ASSERT(mkdir(dirpath, 0755) == 0);
	T_ASSERT(mkdir(in_root("rodir"), 0755) == 0);
	st = store_open(dirpath, "tester");
	T_ASSERT(!st);
	T_EQ_STR(util_errmsg(), msgf("cannot open database '%s': Is a directory", dirpath));

	st = store_open(rofile, "tester");
	T_ASSERT(st);
	store_close(st);
	st = store_open(rodir, "tester");
	T_ASSERT(st);
	store_close(st);
	T_ASSERT(chmod(rofile, 0444) == 0);
	T_ASSERT(chmod(in_root("rodir"), 0555) == 0);
	if (root_user) {
		/* nobody may reach both, and own them, but write neither */
		T_ASSERT(chmod(root, 0711) == 0);
		T_ASSERT(chown(dirpath, 65534, 65534) == 0 && chown(rofile, 65534, 65534) == 0);
		T_ASSERT(chown(in_root("rodir"), 65534, 65534) == 0 && chown(rodir, 65534, 65534) == 0);
	}

	/* read, but not written: every change refused, the file untouched */
	T_ASSERT(shot_take(rofile, &s) == 0);
	T_EQ_STR(root_user ? open_as_nobody(rofile) : open_report(rofile, "tester"),
		 msgf("read-only: database '%s' is read-only", rofile));
	T_ASSERT(shot_same(rofile, &s));

	T_ASSERT(shot_take(rodir, &s) == 0);
	T_EQ_STR(root_user ? open_as_nobody(rodir) : open_report(rodir, "tester"),
		 msgf("read-only: database '%s' is read-only", rodir));
	T_ASSERT(shot_same(rodir, &s));
	T_EQ_INT(access(in_root("rodir/in.db-wal"), F_OK), -1);

	/* a missing database in a directory that cannot be written */
	if (root_user) {
		T_EQ_STR(open_as_nobody(in_root("rodir/new.db")),
			 msgf("cannot open database '%s': Permission denied", in_root("rodir/new.db")));
	} else {
		T_ASSERT(!store_open(in_root("rodir/new.db"), "tester"));
	}
	T_EQ_INT(access(in_root("rodir/new.db"), F_OK), -1);

	T_ASSERT(chmod(in_root("rodir"), 0755) == 0);
	T_ASSERT(chmod(root, 0700) == 0);
}

/* ---- documents and cursors ---- */

static void test_documents(void)
{
	const char *path = in_root("docs.db");
	struct store *st;
	int64_t a, b;
	size_t cur = 7;

	st = fresh("docs.db", NULL);
	T_ASSERT(st);
	a = store_doc(st, SHA_A, 3, "one.txt");
	b = store_doc(st, SHA_B, 0, "empty.txt");
	T_ASSERT(a > 0 && b > 0 && a != b);
	T_EQ_INT(store_doc(st, SHA_A, 3, "moved/one.txt"), a);
	T_ASSERT(!store_cursor_get(st, a, &cur));
	T_EQ_INT(cur, 7);
	T_EQ_INT(store_doc_text(st, a, "abc", 3), 0);
	T_EQ_INT(store_doc_text(st, a, "xyz", 3), 0); /* kept once */
	T_EQ_INT(store_doc_text(st, b, "", 0), 0);
	T_EQ_INT(store_doc_text(st, a + b + 10, "abc", 3), -1);
	/* too big to keep: said by its size and the database, not by row id
	 * (the bytes are not read before the size is judged) */
	int64_t huge = store_doc(st, "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
				 (size_t)2000000000, "huge.txt");
	T_ASSERT(huge > 0);
	T_EQ_INT(store_doc_text(st, huge, "abc", (size_t)2000000000), -1);
	T_EQ_STR(util_errmsg(), msgf("a document of 2000000000 bytes cannot be annotated: '%s' keeps the"
				     " text of what it annotates, at most 1000000000 bytes", path));
	T_EQ_INT(store_cursor_set(st, a, 12, NULL, 0), 0);
	T_EQ_INT(store_cursor_set(st, a, 13, NULL, 0), 0);
	T_ASSERT(store_cursor_get(st, a, &cur));
	T_EQ_INT(cur, 13);
	T_EQ_STR(sqlite(path, "SELECT path, size, typeof(text), quote(text) FROM documents ORDER BY id;"),
		 "moved/one.txt|3|blob|X'616263'\nempty.txt|0|blob|X''\nhuge.txt|2000000000|null|NULL\n");
	store_close(st);
}

/* ---- tags ---- */

static void test_tags(void)
{
	struct store *st = fresh("tags.db", NULL);
	struct store_tag *tags;
	size_t n;
	int64_t q;

	T_ASSERT(st);
	T_ASSERT(store_tags(st, &tags, &n) == 0);
	T_EQ_INT(n, 2);
	T_EQ_STR(tags[0].name, "claim");
	T_EQ_INT(tags[0].key, 'c');
	T_EQ_STR(tags[0].colour, "yellow");
	T_EQ_STR(tags[1].name, "source");
	T_EQ_INT(tags[1].key, 's');
	T_EQ_STR(tags[1].colour, "cyan");
	store_tags_free(tags, n);

	q = store_tag_add(st, "quote", 'q', "green");
	T_ASSERT(q > 0);
	T_ASSERT(store_tag_add(st, "attribution", 0, "magenta") > 0);
	T_ASSERT(store_tag_add(st, "aside", 0, "white") > 0); /* two tags with no key */
	T_EQ_INT(store_tag_add(st, "quote", 'x', "red"), -1);
	T_EQ_STR(util_errmsg(), "tag 'quote' exists");
	T_EQ_INT(store_tag_add(st, "figure", 'c', "red"), -1);
	T_EQ_STR(util_errmsg(), "key 'c' is taken by tag 'claim'");
	T_EQ_INT(store_tag_add(st, "figure", 'f', "pink"), -1);
	T_EQ_STR(util_errmsg(), "unknown colour 'pink' (red green yellow blue magenta cyan white)");
	T_EQ_INT(store_tag_add(st, "figure", 7, "red"), -1);
	T_EQ_STR(util_errmsg(), "the key of tag 'figure' must be a printable ASCII character");
	T_EQ_INT(store_tag_add(st, "", 'f', "red"), -1);

	T_ASSERT(store_tags(st, &tags, &n) == 0);
	T_EQ_INT(n, 5);
	T_ASSERT(!strcmp(tags[0].name, "claim") && !strcmp(tags[1].name, "source") &&
		 !strcmp(tags[2].name, "aside") && !strcmp(tags[3].name, "attribution") &&
		 !strcmp(tags[4].name, "quote") && tags[4].id == q && tags[2].key == 0);
	store_tags_free(tags, n);
	store_close(st);
}

/* ---- annotations ---- */

static void test_annotations(void)
{
	const char *path = in_root("anns.db");
	struct store *st;
	struct store_ann *anns, a;
	size_t n;
	int64_t doc, c1, s1, c2, s2, c3;
	char first[21];

	st = fresh("anns.db", &doc);
	T_ASSERT(st);
	c1 = ann_add(st, doc, CLAIM, 18, 33, "vote was close", "Officials said the ",
			   ". \"It was fair", NULL);
	s1 = add(st, doc, SOURCE, 0, 9);
	c2 = add(st, doc, CLAIM, 18, 60);
	s2 = add(st, doc, SOURCE, 18, 33);
	T_ASSERT(c1 > 0 && s1 > 0 && c2 > 0 && s2 > 0);
	T_EQ_INT(add(st, doc, CLAIM, 18, 33), 0);
	T_EQ_STR(util_errmsg(), "already tagged as claim");
	T_EQ_INT(add(st, doc, 99, 1, 2), -1);
	T_EQ_INT(add(st, doc + 50, CLAIM, 1, 2), -1);
	T_EQ_INT(add(st, doc, CLAIM, 5, 2), -1);

	/* by start, then longest first, then by tag */
	T_ASSERT(store_anns(st, doc, &anns, &n) == 0);
	T_ASSERT(n == 4 && anns[0].id == s1 && anns[1].id == c2 && anns[2].id == c1 &&
		 anns[3].id == s2);
	store_anns_free(anns, n);

	/* one span under six tags, tagged last tag first: still by tag, not by
	 * the order the rows happen to have in the index */
	{
		const char *const names[] = { "t1", "t2", "t3", "t4" };
		int64_t tags[6] = { CLAIM, SOURCE }, ids[6];
		for (int k = 0; k < 4; k++)
			T_ASSERT((tags[k + 2] = store_tag_add(st, names[k], '1' + k, "red")) > 0);
		for (int k = 5; k >= 0; k--)
			T_ASSERT((ids[k] = add(st, doc, tags[k], 70, 80)) > 0);
		T_ASSERT(store_anns(st, doc, &anns, &n) == 0);
		T_EQ_INT(n, 10);
		for (int k = 0; k < 6; k++)
			T_EQ_INT(anns[4 + k].id, ids[k]);
		store_anns_free(anns, n);
		for (int k = 0; k < 6; k++)
			T_EQ_INT(store_ann_delete(st, ids[k]), 0);
	}

	T_ASSERT(store_ann_get(st, c1, &a));
	T_ASSERT(is_uuid4(a.uuid));
	T_EQ_INT(a.doc, doc);
	T_EQ_INT(a.tag, CLAIM);
	T_EQ_INT(a.start, 18);
	T_EQ_INT(a.end, 33);
	T_EQ_STR(a.quote, "vote was close");
	T_EQ_STR(a.prefix, "Officials said the ");
	T_EQ_STR(a.suffix, ". \"It was fair");
	T_EQ_STR(a.note, "");
	T_EQ_STR(a.author, "tester");
	T_ASSERT(is_utc(a.created));
	T_EQ_STR(a.updated, a.created);
	T_EQ_INT(a.nlinks, 0);
	memcpy(first, a.created, sizeof first);
	store_ann_release(&a);
	T_ASSERT(!store_ann_get(st, c1 + 100, &a));

	T_EQ_INT(store_ann_note(st, c1, "line one\nline two, \"quoted\""), 0);
	T_ASSERT(store_ann_get(st, c1, &a));
	T_EQ_STR(a.note, "line one\nline two, \"quoted\"");
	T_EQ_STR(a.created, first);
	T_ASSERT(is_utc(a.updated) && strcmp(a.updated, a.created) >= 0);
	store_ann_release(&a);
	T_EQ_INT(store_ann_note(st, c1 + 100, "x"), -1);

	/* deleting takes its links both ways along */
	c3 = add(st, doc, CLAIM, 40, 50);
	T_EQ_INT(store_link(st, c1, s1), 1);
	T_EQ_INT(store_link(st, c3, c1), 1);
	T_EQ_STR(sqlite(path, "SELECT count(*) FROM links;"), "2\n");
	T_EQ_INT(store_ann_delete(st, c1), 0);
	T_ASSERT(!store_ann_get(st, c1, &a));
	T_ASSERT(store_ann_get(st, c3, &a));
	T_EQ_INT(a.nlinks, 0);
	store_ann_release(&a);
	T_EQ_STR(sqlite(path, "SELECT count(*) FROM links; SELECT count(*) FROM annotations;"),
		 "0\n4\n");
	T_EQ_INT(store_ann_delete(st, c1), -1);
	store_close(st);
}

static void test_links(void)
{
	struct store *st;
	struct store_ann a;
	int64_t doc, c1, s1, c2, s2, x, y;

	st = fresh("links.db", &doc);
	T_ASSERT(st);
	c1 = add(st, doc, CLAIM, 0, 5);
	s1 = add(st, doc, SOURCE, 6, 9);
	c2 = add(st, doc, CLAIM, 10, 15);
	s2 = add(st, doc, SOURCE, 16, 19);
	x = add(st, doc, CLAIM, 20, 25);
	y = add(st, doc, CLAIM, 26, 30);

	/* claim and source: claim -> source, whichever comes first */
	T_EQ_INT(store_link(st, s1, c1), 1);
	T_EQ_INT(store_link(st, c2, s2), 1);
	T_ASSERT(store_ann_get(st, c1, &a));
	T_ASSERT(a.nlinks == 1 && a.links[0] == s1);
	store_ann_release(&a);
	T_ASSERT(store_ann_get(st, s1, &a));
	T_EQ_INT(a.nlinks, 0);
	T_EQ_INT(a.nlinked, 1);
	store_ann_release(&a);
	T_ASSERT(store_ann_get(st, c1, &a));
	T_EQ_INT(a.nlinked, 0);
	store_ann_release(&a);
	T_ASSERT(store_ann_get(st, c2, &a));
	T_ASSERT(a.nlinks == 1 && a.links[0] == s2);
	store_ann_release(&a);
	T_EQ_INT(store_link(st, c1, s1), 0);
	T_EQ_STR(util_errmsg(), "the annotations are already linked");
	T_EQ_INT(store_link(st, s1, c1), 0);

	/* others: first to second */
	T_EQ_INT(store_link(st, y, x), 1);
	T_ASSERT(store_ann_get(st, y, &a));
	T_ASSERT(a.nlinks == 1 && a.links[0] == x);
	store_ann_release(&a);
	T_EQ_INT(store_link(st, x, y), 1);
	/* a document's annotations say how many link to each, from anywhere */
	{
		struct store_ann *all;
		size_t n, want[] = { 0, 1, 0, 1, 1, 1 };
		int64_t other = store_doc(st, SHA_B, 10, "b.txt");
		T_ASSERT(other > 0);
		T_ASSERT(store_link(st, add(st, other, CLAIM, 0, 4), s1) == 1);
		want[1] = 2;
		T_ASSERT(store_anns(st, doc, &all, &n) == 0);
		T_EQ_INT(n, 6);
		for (size_t i = 0; i < n && i < 6; i++)
			T_EQ_INT(all[i].nlinked, want[i]);
		store_anns_free(all, n);
	}

	T_EQ_INT(store_link(st, x, x), -1);
	T_EQ_STR(util_errmsg(), "an annotation cannot link to itself");
	T_EQ_INT(store_link(st, x, y + 100), -1);
	store_close(st);
}

static void test_counts(void)
{
	const char *path = in_root("counts.db");
	struct store *st;
	size_t claims = 9, sources = 9, unsourced = 9;
	int64_t doc, other, c1, c2, c3, c4, s1, s2;
	char sql[256];

	st = fresh("counts.db", &doc);
	T_ASSERT(st);
	other = store_doc(st, SHA_B, 10, "b.txt");
	T_ASSERT(other > 0);
	T_EQ_INT(store_counts(st, doc, &claims, &sources, &unsourced), 0);
	T_ASSERT(claims == 0 && sources == 0 && unsourced == 0);
	c1 = add(st, doc, CLAIM, 0, 5);
	c2 = add(st, doc, CLAIM, 6, 9);
	c3 = add(st, doc, CLAIM, 10, 15);
	c4 = add(st, doc, CLAIM, 16, 20);
	s1 = add(st, doc, SOURCE, 21, 25);
	s2 = add(st, other, SOURCE, 0, 3);
	T_EQ_INT(store_link(st, c1, s1), 1);
	T_EQ_INT(store_link(st, s2, c2), 1);  /* a source in another document */
	T_EQ_INT(store_link(st, c3, c1), 1);  /* a claim is not a source */
	T_EQ_INT(store_counts(st, doc, &claims, &sources, &unsourced), 0);
	T_EQ_INT(claims, 4);
	T_EQ_INT(sources, 1);
	T_EQ_INT(unsourced, 2);
	T_EQ_INT(store_counts(st, other, &claims, &sources, &unsourced), 0);
	T_ASSERT(claims == 0 && sources == 1 && unsourced == 0);
	/* a link stored the other way round (by another tool) counts too */
	snprintf(sql, sizeof sql, "INSERT INTO links VALUES (%lld, %lld);", (long long)s1,
		 (long long)c4);
	T_EQ_STR(sqlite(path, sql), "");
	T_EQ_INT(store_counts(st, doc, &claims, &sources, &unsourced), 0);
	T_EQ_INT(unsourced, 1);
	store_close(st);
}

/* ---- undo ---- */

static void test_undo_nothing(void)
{
	struct store *st = fresh("nothing.db", NULL);
	const char *what = "unset";

	T_ASSERT(st);
	T_ASSERT(!store_undo(st, &what));
	T_EQ_STR(util_errmsg(), "nothing to undo");
	T_ASSERT(!store_redo(st, &what));
	T_EQ_STR(util_errmsg(), "nothing to redo");
	T_EQ_STR(what, "unset");
	store_close(st);
}

static void test_undo_add(void)
{
	struct store *st;
	struct store_ann a, b;
	const char *what = NULL;
	int64_t doc, c, tag;

	st = fresh("undo-add.db", &doc);
	T_ASSERT(st);
	tag = store_tag_add(st, "quote", 'q', "blue");
	T_ASSERT(tag > 0);
	T_ASSERT(add(st, doc, tag, 1, 4) > 0);
	c = add(st, doc, CLAIM, 0, 9);
	T_ASSERT(store_ann_get(st, c, &a));
	T_ASSERT(store_undo(st, &what));
	T_EQ_STR(what, "tag as claim");
	T_ASSERT(!store_ann_get(st, c, &b));
	T_EQ_INT(count_anns(st, doc), 1);
	T_ASSERT(store_redo(st, &what));
	T_EQ_STR(what, "tag as claim");
	T_ASSERT(find_uuid(st, doc, a.uuid, &b));
	T_EQ_STR(b.created, a.created);
	T_EQ_INT(b.start, 0);
	T_EQ_INT(b.end, 9);
	T_EQ_INT(b.tag, CLAIM);
	store_ann_release(&b);
	T_ASSERT(store_undo(st, &what));
	T_ASSERT(store_undo(st, &what));
	T_EQ_STR(what, "tag as quote");
	T_EQ_INT(count_anns(st, doc), 0);
	store_ann_release(&a);
	store_close(st);
}

static void test_undo_delete(void)
{
	const char *path = in_root("undo-del.db");
	struct store *st;
	struct store_ann a, b, o;
	const char *what = NULL;
	int64_t doc, c, s, x;
	bool ok;

	st = fresh("undo-del.db", &doc);
	T_ASSERT(st);
	c = ann_add(st, doc, CLAIM, 0, 9, "Officials", "", " said", "a note");
	s = add(st, doc, SOURCE, 52, 57);
	x = add(st, doc, CLAIM, 10, 14);
	T_EQ_INT(store_link(st, c, s), 1);
	T_EQ_INT(store_link(st, x, c), 1);
	T_ASSERT(store_ann_get(st, c, &a));
	T_EQ_INT(store_ann_delete(st, c), 0);
	T_EQ_STR(sqlite(path, "SELECT count(*) FROM links;"), "0\n");
	T_ASSERT(store_undo(st, &what));
	T_EQ_STR(what, "deletion");
	ok = find_uuid(st, doc, a.uuid, &b);
	if (!ok)
		store_ann_release(&a);
	T_ASSERT(ok);
	ok = !strcmp(b.created, a.created) && !strcmp(b.updated, a.updated) &&
	     !strcmp(b.note, "a note") && !strcmp(b.author, "tester") && !strcmp(b.quote, "Officials") &&
	     b.nlinks == 1 && b.links[0] == s;
	store_ann_release(&b);
	if (ok && store_ann_get(st, x, &o)) {
		/* the link that came in is back too; it names the annotation's id now */
		ok = o.nlinks == 1 && find_uuid(st, doc, a.uuid, &b) && o.links[0] == b.id;
		store_ann_release(&o);
		store_ann_release(&b);
	}
	T_EQ_STR(sqlite(path, "SELECT count(*) FROM links;"), "2\n");
	if (!ok)
		store_ann_release(&a);
	T_ASSERT(ok);

	/* redo deletes it again, undo brings it back again */
	T_ASSERT(store_redo(st, &what));
	T_EQ_STR(what, "deletion");
	T_ASSERT(!find_uuid(st, doc, a.uuid, &b));
	T_ASSERT(store_undo(st, &what));
	T_ASSERT(find_uuid(st, doc, a.uuid, &b));
	T_EQ_INT(b.nlinks, 1);
	store_ann_release(&b);
	store_ann_release(&a);
	store_close(st);
}

static void test_undo_delete_lost_link(void)
{
	const char *path = in_root("undo-lost.db");
	struct store *st, *st2;
	struct store_ann a;
	const char *what;
	int64_t doc, c, s, x;

	st = fresh("undo-lost.db", &doc);
	T_ASSERT(st);
	st2 = store_open(path, "other");
	T_ASSERT(st2);
	c = add(st, doc, CLAIM, 0, 9);
	s = add(st, doc, SOURCE, 52, 57);
	x = add(st, doc, SOURCE, 40, 45);
	T_EQ_INT(store_link(st, c, s), 1);
	T_EQ_INT(store_link(st, c, x), 1);
	T_EQ_INT(store_ann_delete(st, c), 0);
	T_EQ_INT(store_ann_delete(st2, s), 0);
	store_close(st2);
	/* the claim comes back with the link whose other end is still there */
	T_ASSERT(store_undo(st, &what));
	T_EQ_INT(count_anns(st, doc), 2);
	T_ASSERT(store_ann_get(st, c, &a)); /* its id was free, so it has it again */
	T_ASSERT(a.nlinks == 1 && a.links[0] == x);
	store_ann_release(&a);
	store_close(st);
}

static void test_undo_note(void)
{
	struct store *st;
	struct store_ann a;
	const char *what;
	int64_t doc, c;

	st = fresh("undo-note.db", &doc);
	T_ASSERT(st);
	c = add(st, doc, CLAIM, 0, 9);
	T_EQ_INT(store_ann_note(st, c, "one"), 0);
	T_EQ_INT(store_ann_note(st, c, "two"), 0);
	T_ASSERT(store_undo(st, &what));
	T_EQ_STR(what, "note");
	T_ASSERT(store_ann_get(st, c, &a));
	T_EQ_STR(a.note, "one");
	store_ann_release(&a);
	T_ASSERT(store_undo(st, &what));
	T_ASSERT(store_ann_get(st, c, &a));
	T_EQ_STR(a.note, "");
	store_ann_release(&a);
	T_ASSERT(store_redo(st, &what));
	T_EQ_STR(what, "note");
	T_ASSERT(store_ann_get(st, c, &a));
	T_EQ_STR(a.note, "one");
	store_ann_release(&a);
	store_close(st);
}

static void test_undo_link(void)
{
	struct store *st;
	struct store_ann a;
	const char *what;
	int64_t doc, c, s;

	st = fresh("undo-link.db", &doc);
	T_ASSERT(st);
	c = add(st, doc, CLAIM, 0, 9);
	s = add(st, doc, SOURCE, 52, 57);
	T_EQ_INT(store_link(st, s, c), 1);
	T_ASSERT(store_undo(st, &what));
	T_EQ_STR(what, "link");
	T_ASSERT(store_ann_get(st, c, &a));
	T_EQ_INT(a.nlinks, 0);
	store_ann_release(&a);
	T_ASSERT(store_redo(st, &what));
	T_EQ_STR(what, "link");
	T_ASSERT(store_ann_get(st, c, &a));
	T_ASSERT(a.nlinks == 1 && a.links[0] == s);
	store_ann_release(&a);
	store_close(st);
}

static void test_undo_tag(void)
{
	const char *path = in_root("undo-tag.db");
	struct store *st, *st2;
	struct store_tag *tags;
	size_t n;
	const char *what;
	int64_t doc, t, c;

	st = fresh("undo-tag.db", &doc);
	T_ASSERT(st);
	t = store_tag_add(st, "quote", 'q', "blue");
	T_ASSERT(t > 0);
	T_ASSERT(store_undo(st, &what));
	T_EQ_STR(what, "new tag");
	T_ASSERT(store_tags(st, &tags, &n) == 0);
	store_tags_free(tags, n);
	T_EQ_INT(n, 2);
	T_ASSERT(store_redo(st, &what));
	T_EQ_STR(what, "new tag");
	T_ASSERT(store_tags(st, &tags, &n) == 0);
	T_ASSERT(n == 3 && tags[2].id == t && tags[2].key == 'q' && !strcmp(tags[2].colour, "blue"));
	store_tags_free(tags, n);

	/* a tag in use (here by another connection) stays */
	st2 = store_open(path, "other");
	T_ASSERT(st2);
	c = add(st2, doc, t, 0, 9);
	store_close(st2);
	T_ASSERT(c > 0);
	T_ASSERT(!store_undo(st, &what));
	T_EQ_STR(util_errmsg(), "cannot undo: tag 'quote' is in use");
	T_EQ_STR(sqlite(path, "SELECT count(*) FROM tags WHERE name = 'quote';"), "1\n");
	/* and the journal goes on */
	T_ASSERT(!store_undo(st, &what));
	T_EQ_STR(util_errmsg(), "nothing to undo");
	T_EQ_INT(store_ann_delete(st, c), 0);
	T_ASSERT(store_undo(st, &what));
	T_EQ_STR(what, "deletion");
	store_close(st);
}

static void test_new_change_clears_redo(void)
{
	struct store *st;
	const char *what;
	int64_t doc;

	st = fresh("clear-redo.db", &doc);
	T_ASSERT(st);
	T_ASSERT(add(st, doc, CLAIM, 0, 9) > 0);
	T_ASSERT(store_undo(st, &what));
	T_ASSERT(add(st, doc, SOURCE, 10, 19) > 0);
	T_ASSERT(!store_redo(st, &what));
	T_EQ_STR(util_errmsg(), "nothing to redo");
	/* a refused duplicate is no change: redo survives it */
	T_ASSERT(store_undo(st, &what));
	T_ASSERT(add(st, doc, CLAIM, 20, 29) > 0);
	T_ASSERT(add(st, doc, SOURCE, 30, 39) > 0);
	T_ASSERT(store_undo(st, &what));
	T_EQ_INT(add(st, doc, CLAIM, 20, 29), 0);
	T_ASSERT(store_redo(st, &what));
	T_EQ_STR(what, "tag as source");
	T_EQ_INT(count_anns(st, doc), 2);
	store_close(st);
}

static void test_undo_conflicts(void)
{
	const char *path = in_root("conflict.db");
	struct store *st, *st2;
	struct store_ann x;
	const char *what;
	int64_t doc, a, b, c, d, e, b2;

	st = fresh("conflict.db", &doc);
	T_ASSERT(st);
	st2 = store_open(path, "other");
	T_ASSERT(st2);
	a = add(st, doc, CLAIM, 0, 9);
	b = add(st, doc, CLAIM, 10, 19);
	T_EQ_INT(store_ann_delete(st2, b), 0);
	T_ASSERT(!store_undo(st, &what));
	T_EQ_STR(util_errmsg(), "cannot undo: the annotation was deleted elsewhere");
	/* still usable: the next undo takes back the one before */
	T_ASSERT(store_undo(st, &what));
	T_EQ_STR(what, "tag as claim");
	T_EQ_INT(count_anns(st, doc), 0);
	T_ASSERT(store_redo(st, &what));
	T_EQ_INT(count_anns(st, doc), 1);

	/* a note changed elsewhere is not overwritten */
	c = add(st, doc, SOURCE, 20, 29);
	T_EQ_INT(store_ann_note(st, c, "mine"), 0);
	T_EQ_INT(store_ann_note(st2, c, "theirs"), 0);
	T_ASSERT(!store_undo(st, &what));
	T_EQ_STR(util_errmsg(), "cannot undo: the note was changed elsewhere");
	/* nor is the annotation that carries their note taken away */
	T_ASSERT(!store_undo(st, &what));
	T_EQ_STR(util_errmsg(), "cannot undo: the annotation was changed elsewhere");
	T_ASSERT(store_ann_get(st, c, &x));
	T_EQ_STR(x.note, "theirs");
	store_ann_release(&x);
	/* nor one that another process linked */
	d = add(st, doc, SOURCE, 30, 35);
	T_EQ_INT(store_link(st2, b2 = add(st2, doc, CLAIM, 36, 40), d), 1);
	T_ASSERT(!store_undo(st, &what));
	T_EQ_STR(util_errmsg(), "cannot undo: the annotation was linked elsewhere");
	T_ASSERT(store_ann_get(st, d, &x));
	T_EQ_INT(x.nlinks, 0);
	store_ann_release(&x);
	T_ASSERT(store_ann_get(st, b2, &x));
	T_ASSERT(x.nlinks == 1 && x.links[0] == d);
	store_ann_release(&x);
	/* while its own later changes, undone first, are no obstacle */
	e = add(st, doc, CLAIM, 41, 45);
	T_EQ_INT(store_ann_note(st, e, "own"), 0);
	T_EQ_INT(store_link(st, e, d), 1);
	T_ASSERT(store_undo(st, &what) && store_undo(st, &what) && store_undo(st, &what));
	T_EQ_STR(what, "tag as claim");
	T_ASSERT(!store_ann_get(st, e, &x));
	T_EQ_INT(store_ann_delete(st2, b2), 0);

	/* redo of a note changed meanwhile */
	T_EQ_INT(store_ann_note(st, a, "x"), 0);
	T_ASSERT(store_undo(st, &what));
	T_EQ_INT(store_ann_note(st2, a, "y"), 0);
	T_ASSERT(!store_redo(st, &what));
	T_EQ_STR(util_errmsg(), "cannot redo: the note was changed elsewhere");
	T_ASSERT(!store_redo(st, &what));
	T_EQ_STR(util_errmsg(), "nothing to redo");

	/* a link whose annotation went elsewhere */
	T_EQ_INT(store_link(st, c, a), 1);
	T_EQ_INT(store_ann_delete(st2, c), 0);
	T_ASSERT(!store_undo(st, &what));
	T_EQ_STR(util_errmsg(), "cannot undo: the annotation was deleted elsewhere");
	store_close(st2);
	store_close(st);
}

static void test_two_stores(void)
{
	const char *path = in_root("two.db");
	struct store *st, *st2;
	int64_t doc, a;

	st = fresh("two.db", &doc);
	T_ASSERT(st);
	st2 = store_open(path, "other");
	T_ASSERT(st2);
	T_ASSERT(!store_changed(st2));
	T_ASSERT(!store_changed(st));
	a = add(st, doc, CLAIM, 0, 9);
	T_ASSERT(a > 0);
	T_ASSERT(!store_changed(st)); /* its own change */
	T_ASSERT(store_changed(st2));
	T_ASSERT(!store_changed(st2));
	T_EQ_INT(count_anns(st2, doc), 1);
	T_EQ_INT(store_ann_note(st2, a, "seen"), 0);
	T_ASSERT(store_changed(st));
	/* one deletes what the other still shows: the other's changes to it
	 * fail with words, not the row's id */
	int64_t b = add(st, doc, SOURCE, 10, 12);
	T_ASSERT(b > 0);
	T_EQ_INT(store_ann_delete(st2, a), 0);
	T_EQ_INT(store_ann_note(st, a, "late"), -1);
	T_EQ_STR(util_errmsg(), "the annotation is gone: another gloss deleted it since this one read it");
	T_EQ_INT(store_ann_delete(st, a), -1);
	T_EQ_STR(util_errmsg(), "the annotation is gone: another gloss deleted it since this one read it");
	T_EQ_INT(store_link(st, b, a), -1);
	T_EQ_STR(util_errmsg(), "the annotation is gone: another gloss deleted it since this one read it");
	store_close(st2);
	store_close(st);
}

/* The sqlite3 program holding the write lock of a database. */
struct holder {
	pid_t pid;
	int in, out;
};

static int hold_lock(const char *db, struct holder *h)
{
	int to[2], from[2];
	char buf[256];
	size_t len = 0;
	ssize_t got;
	const char *cmd = "BEGIN EXCLUSIVE;\nSELECT 'locked';\n";

	if (pipe(to) != 0 || pipe(from) != 0)
		return -1;
	h->pid = fork();
	if (h->pid < 0)
		return -1;
	if (h->pid == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		dup2(from[1], 2);
		close(to[0]);
		close(to[1]);
		close(from[0]);
		close(from[1]);
		execlp("sqlite3", "sqlite3", "-batch", db, (char *)NULL);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	h->in = to[1];
	h->out = from[0];
	if (write(h->in, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		return -1;
	while (len < sizeof buf - 1 && (got = read(h->out, buf + len, sizeof buf - 1 - len)) > 0) {
		len += (size_t)got;
		buf[len] = '\0';
		if (strstr(buf, "locked\n"))
			return 0;
	}
	return -1;
}

static void release_lock(struct holder *h)
{
	const char *cmd = "COMMIT;\n.quit\n";

	if (h->pid <= 0)
		return;
	if (h->in < 0 || write(h->in, cmd, strlen(cmd)) < 0)
		kill(h->pid, SIGTERM);
	if (h->in >= 0)
		close(h->in);
	if (h->out >= 0)
		close(h->out);
	waitpid(h->pid, NULL, 0);
}

static double seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void test_locked(void)
{
	const char *path = in_root("locked.db");
	struct store *st;
	struct holder h = { -1, -1, -1 };
	const char *what;
	double t0, dt;
	int64_t doc, a, r;
	char msg[256], msg2[256];
	bool locked, u, opened;
	struct store *st2;
	size_t n;

	st = fresh("locked.db", &doc);
	T_ASSERT(st);
	a = add(st, doc, CLAIM, 0, 9);
	T_ASSERT(a > 0);
	T_EQ_INT(store_ann_note(st, a, "kept"), 0);
	T_ASSERT(store_undo(st, &what)); /* the note goes to redo */

	locked = hold_lock(path, &h) == 0;
	t0 = seconds();
	r = locked ? add(st, doc, SOURCE, 10, 19) : 0;
	dt = seconds() - t0;
	snprintf(msg, sizeof msg, "%s", util_errmsg());
	u = locked && store_undo(st, &what);
	snprintf(msg2, sizeof msg2, "%s", util_errmsg());
	/* opening needs no write lock; reading goes on */
	st2 = locked ? store_open(path, "other") : NULL;
	n = st2 ? count_anns(st2, doc) : 0;
	opened = st2 != NULL;
	store_close(st2);
	release_lock(&h);
	T_ASSERT(locked);
	T_EQ_INT(r, -1);
	T_EQ_STR(msg, "database is locked");
	T_ASSERT(dt > 1.0 && dt < 5.0);
	T_ASSERT(!u);
	T_EQ_STR(msg2, "database is locked");
	T_ASSERT(opened);
	T_EQ_INT(n, 1);

	/* nothing was half done, and the journal is as it was */
	T_EQ_INT(count_anns(st, doc), 1);
	T_ASSERT(store_redo(st, &what));
	T_EQ_STR(what, "note");
	T_ASSERT(store_undo(st, &what));
	T_ASSERT(store_undo(st, &what));
	T_EQ_STR(what, "tag as claim");
	T_EQ_INT(count_anns(st, doc), 0);
	store_close(st);
}

/* rm -r path: the temporary directory holds only what the tests made. */
static void remove_tree(const char *path)
{
	struct stat sb;
	DIR *dir;
	struct dirent *e;

	if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		chmod(path, 0700);
		if ((dir = opendir(path))) {
			while ((e = readdir(dir))) {
				char sub[8192];
				if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
					continue;
				snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
				remove_tree(sub);
			}
			closedir(dir);
		}
	}
	remove(path);
}

/* ---- migration 1 -> 2 ---- */

/* The schema of version 1, as gloss 1 made it. */
static const char v1_schema[] =
	"CREATE TABLE documents ("
	"  id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, size INTEGER NOT NULL,"
	"  path TEXT NOT NULL, text BLOB);"
	"CREATE TABLE tags ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE CHECK (name <> ''),"
	"  key TEXT UNIQUE CHECK (key IS NULL OR (length(key) = 1"
	"    AND unicode(key) BETWEEN 32 AND 126)),"
	"  colour TEXT NOT NULL CHECK (colour IN"
	"    ('red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white')));"
	"INSERT INTO tags (name, key, colour) VALUES"
	"  ('claim', 'c', 'yellow'), ('source', 's', 'cyan');"
	"CREATE TABLE annotations ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE,"
	"  document INTEGER NOT NULL REFERENCES documents (id),"
	"  tag INTEGER NOT NULL REFERENCES tags (id),"
	"  start INTEGER NOT NULL, \"end\" INTEGER NOT NULL CHECK (\"end\" >= start),"
	"  quote TEXT NOT NULL, prefix TEXT NOT NULL DEFAULT '', suffix TEXT NOT NULL DEFAULT '',"
	"  note TEXT NOT NULL DEFAULT '', author TEXT NOT NULL DEFAULT '',"
	"  created TEXT NOT NULL, updated TEXT NOT NULL);"
	"CREATE INDEX annotations_by_document ON annotations (document, start, \"end\" DESC, tag);"
	"CREATE INDEX annotations_by_tag ON annotations (tag);"
	"CREATE TABLE links ("
	"  \"from\" INTEGER NOT NULL REFERENCES annotations (id) ON DELETE CASCADE,"
	"  \"to\" INTEGER NOT NULL REFERENCES annotations (id) ON DELETE CASCADE,"
	"  PRIMARY KEY (\"from\", \"to\")) WITHOUT ROWID;"
	"CREATE INDEX links_by_to ON links (\"to\");"
	"CREATE TABLE cursors ("
	"  document INTEGER PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,"
	"  position INTEGER NOT NULL);";

static void test_migrate_v1(void)
{
	char path[4200];
	const char *rows = "SELECT id, uuid, document, tag, start, \"end\", quote, prefix, suffix,"
			   " note, author, created, updated FROM annotations ORDER BY id;"
			   " SELECT * FROM links ORDER BY 1, 2; SELECT document, position FROM cursors;"
			   " SELECT id, sha256, size, path, hex(text) FROM documents ORDER BY id;"
			   " SELECT * FROM tags ORDER BY id;";
	const char *before;
	struct store *st;
	int64_t id;
	char *sql;
	size_t n;

	snprintf(path, sizeof path, "%s", in_root("v1.db"));
	n = sizeof v1_schema + 2048;
	sql = util_malloc(n);
	snprintf(sql, n, "PRAGMA journal_mode = WAL; PRAGMA application_id = 1735159667;"
		 " PRAGMA user_version = 1; %s"
		 "INSERT INTO documents VALUES (1, '%s', 4, 'a.txt', X'61626364'), (2, '%s', 3, 'b', NULL);"
		 "INSERT INTO tags (name, key, colour) VALUES ('quote', 'q', 'green');"
		 "INSERT INTO annotations VALUES"
		 " (1, 'u1', 1, 1, 0, 2, 'ab', '', 'cd', 'a note', 'ann', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'),"
		 " (2, 'u2', 1, 2, 2, 4, 'cd', 'ab', '', '', 'ann', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),"
		 " (3, 'u3', 2, 3, 0, 3, 'xyz', '', '', '', 'bob', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),"
		 " (7, 'u7', 1, 1, 1, 3, 'bc', 'a', 'd', '', 'bob', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');"
		 "UPDATE sqlite_sequence SET seq = 9 WHERE name = 'annotations';"
		 "INSERT INTO links VALUES (1, 2), (7, 2), (3, 1);"
		 "INSERT INTO cursors VALUES (1, 3);", v1_schema, SHA_A, SHA_B);
	T_EQ_STR(sqlite(path, sql), "wal\n");
	free(sql);
	T_EQ_STR(sqlite(path, "PRAGMA user_version; SELECT seq FROM sqlite_sequence"
			" WHERE name = 'annotations';"), "1\n9\n");
	before = keep(util_strdup(sqlite(path, rows)));

	st = store_open(path, "tester");
	T_ASSERT(st);
	store_close(st);
	T_EQ_STR(sqlite(path, "PRAGMA user_version;"), schemaf("%d\n"));
	/* every row as it was, ids and all */
	T_EQ_STR(sqlite(path, rows), before);
	T_EQ_STR(sqlite(path, "SELECT count(*) FROM annotations WHERE cp_start IS NOT NULL"
			" OR cp_end IS NOT NULL;"), "0\n");
	T_EQ_STR(sqlite(path, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;"),
		 "annotations\ncursors\ndocuments\nhistory\nlinks\nsqlite_sequence\ntags\n");
	T_EQ_STR(sqlite(path, "SELECT name FROM sqlite_master WHERE type = 'index'"
			" AND sql IS NOT NULL ORDER BY name;"),
		 "annotations_by_document\nannotations_by_tag\ndocuments_by_file\ndocuments_by_path\n"
		 "history_by_uuid\nlinks_by_to\n");
	T_EQ_STR(sqlite(path, "SELECT \"table\", \"from\", \"to\", on_delete FROM"
			" pragma_foreign_key_list('links') ORDER BY \"from\";"),
		 "annotations|from|id|CASCADE\nannotations|to|id|CASCADE\n");
	T_EQ_STR(sqlite(path, "SELECT \"table\" FROM pragma_foreign_key_list('annotations')"
			" ORDER BY 1; PRAGMA foreign_key_check; PRAGMA integrity_check;"),
		 "documents\ntags\nok\n");
	T_EQ_STR(sqlite(path, "SELECT seq FROM sqlite_sequence WHERE name = 'annotations';"), "9\n");

	/* the rebuilt table works with the store: ids go on, deletions cascade */
	st = store_open(path, "tester");
	T_ASSERT(st);
	T_EQ_INT(count_anns(st, 1), 3);
	id = add(st, 1, SOURCE, 0, 4);
	T_EQ_INT(id, 10);
	T_EQ_INT(store_ann_delete(st, 1), 0);
	store_close(st);
	T_EQ_STR(sqlite(path, "SELECT * FROM links ORDER BY 1, 2;"), "7|2\n");
}

/* ---- export ---- */

/*
 * "Zoë said “no” 😀 at 東" then an ill-formed byte, " end. ", a truncated
 * three-byte sequence (one code point) and "!": 40 bytes, 29 code points.
 */
#define TEXT_U "Zo\xc3\xab said \xe2\x80\x9cno\xe2\x80\x9d \xf0\x9f\x98\x80 at \xe6\x9d\xb1" \
	"\xff end. \xe6\x9d!"

static void sha_of(const char *text, char hex[65])
{
	unsigned char sum[SHA256_LEN];

	sha256_sum(text, strlen(text), sum);
	sha256_hex(sum, hex);
}

/* Export rows as lines of '|'-separated fields, collected in a memstream. */
struct grab {
	char *buf;
	size_t n;
	FILE *f;
	int stop_after;  /* stop after this many rows (0: never) */
	int rows;
};

static int grab_row(void *arg, const struct store_row *r)
{
	struct grab *g = arg;

	fprintf(g->f, "%s|%s|%.8s|%s|", r->uuid, r->path, r->sha256, r->tag);
	if (r->bytes)
		fprintf(g->f, "%zu-%zu|", r->start, r->end);
	else
		fprintf(g->f, "-|");
	if (r->placed)
		fprintf(g->f, "%zu-%zu|", r->cp_start, r->cp_end);
	else
		fprintf(g->f, "-|");
	fprintf(g->f, "%s|%s|%s|%s|%s|%s|%s|%s\n", r->quote, r->prefix, r->suffix, r->note,
		r->author, r->created, r->updated, r->links);
	g->rows++;
	return g->stop_after && g->rows == g->stop_after ? 7 : 0;
}

/* Everything store_export gives for f (NULL on failure), kept for the test. */
static const char *export_all(struct store *st, const struct store_filter *f, size_t *count)
{
	struct grab g;
	int r;

	memset(&g, 0, sizeof g);
	g.f = open_memstream(&g.buf, &g.n);
	if (!g.f)
		return NULL;
	r = store_export(st, f, count, grab_row, &g);
	fclose(g.f);
	if (r != 0) {
		free(g.buf);
		return NULL;
	}
	return keep(g.buf);
}

static void uuid_of(struct store *st, int64_t id, char uuid[37])
{
	struct store_ann a;

	uuid[0] = '\0';
	if (store_ann_get(st, id, &a)) {
		memcpy(uuid, a.uuid, 37);
		store_ann_release(&a);
	}
}

/* Set an annotation's author and times with the sqlite3 program. */
static const char *set_ann(const char *db, int64_t id, const char *author, const char *updated)
{
	char sql[512];

	snprintf(sql, sizeof sql, "UPDATE annotations SET author = '%s', created = '%s',"
		 " updated = '%s' WHERE id = %lld;", author, "2026-01-01T00:00:00Z", updated,
		 (long long)id);
	return sqlite(db, sql);
}

static void test_export_rows(void)
{
	char path[4200];
	struct store *st;
	char sha_u[65], sha_b[65], u[8][37], *want, *w;
	int64_t du, db, id[8];
	size_t count = 0, n, i;
	const char *got;
	struct grab g;

	snprintf(path, sizeof path, "%s", in_root("export.db"));
	sha_of(TEXT_U, sha_u);
	sha_of(TEXT_A, sha_b);
	st = fresh("export.db", NULL);
	T_ASSERT(st);
	/* "z/u.txt" sorts after "a.txt": documents come by path */
	du = store_doc(st, sha_u, strlen(TEXT_U), "z/u.txt");
	db = store_doc(st, sha_b, strlen(TEXT_A), "a.txt");
	T_ASSERT(du > 0 && db > 0);
	T_EQ_INT(store_doc_text(st, du, TEXT_U, strlen(TEXT_U)), 0);
	T_EQ_INT(store_doc_text(st, db, TEXT_A, strlen(TEXT_A)), 0);
	T_EQ_STR(export_all(st, NULL, &count), "");
	T_EQ_INT(count, 0);

	id[0] = ann_add(st, du, CLAIM, 5, 9, "said", "Zo\xc3\xab ", " \xe2\x80\x9cno", "two\nlines, \"quoted\"");
	id[1] = ann_add(st, du, SOURCE, 10, 18, "\xe2\x80\x9cno\xe2\x80\x9d", "", "", NULL);
	id[2] = ann_add(st, du, CLAIM, 10, 15, "\xe2\x80\x9cno", "", "", NULL);
	id[3] = ann_add(st, du, SOURCE, 19, 23, "\xf0\x9f\x98\x80", "", "", NULL);
	id[4] = ann_add(st, du, CLAIM, 27, 35, "\xe6\x9d\xb1\xff end", "", "", NULL);
	id[5] = ann_add(st, du, CLAIM, 39, 40, "!", "", "", NULL);
	id[6] = ann_add(st, du, CLAIM, 0, 9, "Zo\xc3\xab said", "", "", NULL);
	id[7] = ann_add(st, db, SOURCE, 35, 42, "\"It was", "", "", NULL);
	for (i = 0; i < 8; i++) {
		T_ASSERT(id[i] > 0);
		uuid_of(st, id[i], u[i]);
		T_ASSERT(set_ann(path, id[i], i == 7 ? "bob" : "ann",
				 i < 4 ? "2026-03-01T10:00:00Z" : "2026-03-02T00:00:00Z")[0] == '\0');
	}
	T_EQ_INT(store_link(st, id[0], id[1]), 1);
	T_EQ_INT(store_link(st, id[0], id[3]), 1);
	T_EQ_INT(store_link(st, id[2], id[7]), 1);

	n = 8192;
	want = util_malloc(n);
	w = want;
#define LINE(k, tag, off, quote, rest) \
	w += snprintf(w, n - (size_t)(w - want), "%s|%s|%.8s|" tag "|" off "|" quote "|%s\n", \
		      u[k], k == 7 ? "a.txt" : "z/u.txt", k == 7 ? sha_b : sha_u, rest)
	{
		char links0[80], rest[256];

		/* linked uuids come ascending */
		snprintf(links0, sizeof links0, "%s %s", strcmp(u[1], u[3]) < 0 ? u[1] : u[3],
			 strcmp(u[1], u[3]) < 0 ? u[3] : u[1]);
		LINE(7, "source", "35-42|35-42", "\"It was", "|||bob|2026-01-01T00:00:00Z|2026-03-02T00:00:00Z|");
		LINE(6, "claim", "0-9|0-8", "Zo\xc3\xab said", "|||ann|2026-01-01T00:00:00Z|2026-03-02T00:00:00Z|");
		snprintf(rest, sizeof rest, "Zo\xc3\xab | \xe2\x80\x9cno|two\nlines, \"quoted\"|ann|"
			 "2026-01-01T00:00:00Z|2026-03-01T10:00:00Z|%s", links0);
		LINE(0, "claim", "5-9|4-8", "said", rest);
		LINE(1, "source", "10-18|9-13", "\xe2\x80\x9cno\xe2\x80\x9d", "|||ann|2026-01-01T00:00:00Z|2026-03-01T10:00:00Z|");
		snprintf(rest, sizeof rest, "|||ann|2026-01-01T00:00:00Z|2026-03-01T10:00:00Z|%s", u[7]);
		LINE(2, "claim", "10-15|9-12", "\xe2\x80\x9cno", rest);
		LINE(3, "source", "19-23|14-15", "\xf0\x9f\x98\x80", "|||ann|2026-01-01T00:00:00Z|2026-03-01T10:00:00Z|");
		LINE(4, "claim", "27-35|19-25", "\xe6\x9d\xb1\xff end", "|||ann|2026-01-01T00:00:00Z|2026-03-02T00:00:00Z|");
		LINE(5, "claim", "39-40|28-29", "!", "|||ann|2026-01-01T00:00:00Z|2026-03-02T00:00:00Z|");
	}
#undef LINE
	got = export_all(st, NULL, &count);
	T_EQ_INT(count, 8);
	if (!got || strcmp(got, want)) {
		free(want);
		T_EQ_STR(got, "(what was wanted)");
	}
	free(want);

	/* the same span with two tags: by uuid */
	id[0] = ann_add(st, db, CLAIM, 35, 42, "\"It was", "", "", NULL);
	T_ASSERT(id[0] > 0);
	uuid_of(st, id[0], u[0]);
	got = export_all(st, NULL, NULL);
	T_ASSERT(got && (strncmp(got, u[0], 36) == 0) == (strcmp(u[0], u[7]) < 0));

	/* fn stops the export, and its value comes back */
	memset(&g, 0, sizeof g);
	g.f = open_memstream(&g.buf, &g.n);
	T_ASSERT(g.f);
	g.stop_after = 2;
	T_EQ_INT(store_export(st, NULL, NULL, grab_row, &g), 7);
	fclose(g.f);
	free(g.buf);
	T_EQ_INT(g.rows, 2);
	store_close(st);
}

/* One line per row: uuid, tag and author only. */
static int brief_row(void *arg, const struct store_row *r)
{
	fprintf(arg, "%s:%s:%s ", r->uuid, r->tag, r->author);
	return 0;
}

static const char *brief(struct store *st, const char *tag, const char *doc, const char *author,
			 const char *since)
{
	struct store_filter f = { tag, doc, author, since, false };
	char *buf = NULL;
	size_t n = 0, count = 99;
	FILE *m = open_memstream(&buf, &n);
	int r;

	if (!m)
		return NULL;
	r = store_export(st, &f, &count, brief_row, m);
	fclose(m);
	if (r != 0) {
		free(buf);
		return NULL;
	}
	return keep(buf);
}

/* A database for filters: uuids set by hand, so that the order is known. */
static struct store *filter_db(const char *name, int64_t *da, int64_t *db)
{
	const char *path = in_root(name);
	struct store *st = fresh(name, da);
	int64_t t, ids[5];
	int i;

	if (!st)
		return NULL;
	*db = store_doc(st, SHA_B, 3, "b.txt");
	t = store_tag_add(st, "quote", 'q', "green");
	ids[0] = add(st, *da, CLAIM, 0, 9);
	ids[1] = add(st, *da, SOURCE, 10, 20);
	ids[2] = add(st, *da, t, 21, 30);
	ids[3] = add(st, *db, CLAIM, 0, 1);
	ids[4] = add(st, *db, SOURCE, 1, 2);
	for (i = 0; i < 5; i++) {
		char sql[256];

		snprintf(sql, sizeof sql, "UPDATE annotations SET uuid = 'u%d', author = '%s',"
			 " updated = '%s' WHERE id = %lld;", i, i % 2 ? "bob" : "ann",
			 i < 2 ? "2026-03-01T23:59:59Z" : i < 4 ? "2026-03-02T00:00:00Z"
			 : "2026-03-02T10:00:00Z", (long long)ids[i]);
		if (ids[i] <= 0 || sqlite(path, sql)[0]) {
			store_close(st);
			return NULL;
		}
	}
	return st;
}

static void test_export_filters(void)
{
	struct store *st;
	int64_t da, db;
	struct store_filter f = { NULL, NULL, NULL, "2026-3-01", false };
	size_t count = 5;

	st = filter_db("filters.db", &da, &db);
	T_ASSERT(st);
	T_EQ_STR(brief(st, NULL, NULL, NULL, NULL),
		 "u0:claim:ann u1:source:bob u2:quote:ann u3:claim:bob u4:source:ann ");
	T_EQ_STR(brief(st, "claim", NULL, NULL, NULL), "u0:claim:ann u3:claim:bob ");
	T_EQ_STR(brief(st, "quote", NULL, NULL, NULL), "u2:quote:ann ");
	/* a tag or a document the database does not know is an error, not
	 * an empty answer that a typo would give */
	T_ASSERT(brief(st, "nothing", NULL, NULL, NULL) == NULL);
	T_EQ_STR(util_errmsg(), "no tag 'nothing'");
	/* a document by its path, or by a prefix of its sum (any case) */
	T_EQ_STR(brief(st, NULL, "b.txt", NULL, NULL), "u3:claim:bob u4:source:ann ");
	T_EQ_STR(brief(st, NULL, "aaaa", NULL, NULL), "u0:claim:ann u1:source:bob u2:quote:ann ");
	T_EQ_STR(brief(st, NULL, "BBBBBB", NULL, NULL), "u3:claim:bob u4:source:ann ");
	T_EQ_STR(brief(st, NULL, SHA_B, NULL, NULL), "u3:claim:bob u4:source:ann ");
	T_ASSERT(brief(st, NULL, "aaa", NULL, NULL) == NULL);  /* too short for a prefix */
	T_EQ_STR(util_errmsg(), "no document 'aaa' in the database");
	T_ASSERT(brief(st, NULL, "aaaz", NULL, NULL) == NULL);
	T_ASSERT(brief(st, NULL, "a.tx", NULL, NULL) == NULL); /* paths match whole */
	/* the file a version was opened from, by any path to it */
	{
		char real[PATH_MAX];
		struct store_follow fl;

		T_EQ_INT(write_file(in_root("opened.txt"), TEXT_A, strlen(TEXT_A)), 0);
		T_ASSERT(realpath(in_root("opened.txt"), real));
		T_EQ_INT(store_doc_follow(st, da, real, TEXT_A, strlen(TEXT_A), &fl), 0);
		T_EQ_STR(brief(st, NULL, in_root("./opened.txt"), NULL, NULL),
			 "u0:claim:ann u1:source:bob u2:quote:ann ");
	}
	T_EQ_STR(brief(st, NULL, NULL, "bob", NULL), "u1:source:bob u3:claim:bob ");
	T_EQ_STR(brief(st, NULL, NULL, "bo", NULL), "");
	/* since: a date means its midnight, UTC */
	T_EQ_STR(brief(st, NULL, NULL, NULL, "2026-03-02"), "u2:quote:ann u3:claim:bob u4:source:ann ");
	T_EQ_STR(brief(st, NULL, NULL, NULL, "2026-03-01"),
		 "u0:claim:ann u1:source:bob u2:quote:ann u3:claim:bob u4:source:ann ");
	T_EQ_STR(brief(st, NULL, NULL, NULL, "2026-03-02T10:00:00Z"), "u4:source:ann ");
	T_EQ_STR(brief(st, NULL, NULL, NULL, "2026-03-02T10:00:01Z"), "");
	/* combined */
	T_EQ_STR(brief(st, "claim", "aaaa", NULL, NULL), "u0:claim:ann ");
	T_EQ_STR(brief(st, "source", NULL, "ann", "2026-03-02"), "u4:source:ann ");
	T_EQ_STR(brief(st, "source", "a.txt", "ann", "2026-03-02"), "");  /* known, no match */
	T_EQ_STR(brief(st, "claim", "b.txt", "bob", "2026-03-01T12:00:00Z"), "u3:claim:bob ");
	/* bad dates */
	T_EQ_INT(store_export(st, &f, &count, brief_row, stdout), -1);
	T_EQ_STR(util_errmsg(), "bad date '2026-3-01': use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
	T_EQ_INT(count, 5);
	f.since = "2026-03-01T10:00:00";
	T_EQ_INT(store_export(st, &f, NULL, brief_row, stdout), -1);
	f.since = "2026-13-01";
	T_EQ_INT(store_export(st, &f, NULL, brief_row, stdout), -1);
	/* days the month lacks; February 29 of a leap year is a day */
	const char *no_day[] = {"2026-02-30", "2026-02-29", "2026-04-31", "1900-02-29"};
	for (size_t i = 0; i < sizeof no_day / sizeof *no_day; i++) {
		f.since = no_day[i];
		T_EQ_INT(store_export(st, &f, NULL, brief_row, stdout), -1);
	}
	f.since = "2028-02-29";
	T_EQ_INT(store_export(st, &f, NULL, brief_row, stdout), 0);
	f.since = "2096-02-29T23:59:59Z";
	T_EQ_INT(store_export(st, &f, NULL, brief_row, stdout), 0);
	f.since = "2026-03-01 10:00:00Z";
	T_EQ_INT(store_export(st, &f, NULL, brief_row, stdout), -1);
	T_EQ_STR(util_errmsg(), "bad date '2026-03-01 10:00:00Z': use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
	store_close(st);
}

static void test_docs(void)
{
	struct store *st;
	struct store_docinfo *d;
	struct store_filter f = { NULL, NULL, NULL, NULL, false };
	int64_t da, db, c;
	size_t n;

	st = filter_db("docs2.db", &da, &db);
	T_ASSERT(st);
	T_ASSERT(store_doc(st, "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", 1,
			   "c.txt") > 0); /* no annotations: not listed */
	c = add(st, da, CLAIM, 31, 33);
	T_ASSERT(c > 0);
	T_EQ_INT(store_link(st, c, ann_add(st, db, SOURCE, 0, 3, "q", "", "", NULL)), 1);
	T_EQ_INT(store_docs(st, NULL, &d, &n), 0);
	T_EQ_INT(n, 2);
	T_EQ_STR(d[0].path, "a.txt");
	T_EQ_STR(d[0].sha256, SHA_A);
	T_EQ_INT(d[0].size, strlen(TEXT_A));
	T_ASSERT(d[0].annotations == 4 && d[0].claims == 2 && d[0].sources == 1 &&
		 d[0].unsourced == 1);
	T_EQ_STR(d[1].path, "b.txt");
	T_ASSERT(d[1].size == 3 && d[1].annotations == 3 && d[1].claims == 1 &&
		 d[1].sources == 2 && d[1].unsourced == 1);
	store_docs_free(d, n);
	/* the filter picks documents and what "annotations" counts */
	f.author = "bob";
	T_EQ_INT(store_docs(st, &f, &d, &n), 0);
	T_EQ_INT(n, 2);
	T_ASSERT(d[0].annotations == 1 && d[1].annotations == 1 && d[0].claims == 2);
	store_docs_free(d, n);
	f.author = NULL;
	f.tag = "quote";
	T_EQ_INT(store_docs(st, &f, &d, &n), 0);
	T_EQ_INT(n, 1);
	T_ASSERT(!strcmp(d[0].path, "a.txt") && d[0].annotations == 1);
	store_docs_free(d, n);
	f.tag = NULL;
	f.since = "yesterday";
	T_EQ_INT(store_docs(st, &f, &d, &n), -1);
	T_ASSERT(d == NULL && n == 0);
	store_close(st);
}

/* ---- import ---- */

#define T0 "2026-01-01T00:00:00Z"
#define T1 "2026-02-01T00:00:00Z"
#define T2 "2026-03-01T00:00:00Z"
#define UA "00000000-0000-4000-8000-00000000000a"
#define UB "00000000-0000-4000-8000-00000000000b"
#define UC "00000000-0000-4000-8000-00000000000c"
#define UD "00000000-0000-4000-8000-00000000000d"

static struct store_row mkrow(const char *uuid, const char *sha, const char *tag, size_t cs,
			      size_t ce, const char *quote, const char *links, const char *updated)
{
	struct store_row r;

	memset(&r, 0, sizeof r);
	r.uuid = uuid;
	r.path = "in/u.txt";
	r.sha256 = sha;
	r.tag = tag;
	r.placed = true;
	r.cp_start = cs;
	r.cp_end = ce;
	r.quote = quote;
	r.quote_len = strlen(quote);
	r.prefix = "pre";
	r.prefix_len = 3;
	r.suffix = "suf";
	r.suffix_len = 3;
	r.note = "a note";
	r.author = "alice";
	r.created = T0;
	r.updated = updated;
	r.links = links;
	return r;
}

static void test_import_new(void)
{
	char path[4200];
	struct store *st;
	struct store_import *im;
	struct store_row r[3];
	struct store_tag *tags;
	char sha[65], want[1024];
	size_t n, c, s, u;
	int64_t doc;

	snprintf(path, sizeof path, "%s", in_root("imp.db"));
	sha_of(TEXT_U, sha);
	st = fresh("imp.db", NULL);
	T_ASSERT(st);
	r[0] = mkrow(UA, sha, "claim", 4, 8, "said", "", T1);
	r[1] = mkrow(UB, sha, "source", 9, 13, "\xe2\x80\x9cno\xe2\x80\x9d", "", T1);
	r[2] = mkrow(UC, sha, "rumour", 19, 25, "\xe6\x9d\xb1\xff end", "", T1);
	im = store_import_begin(st);
	T_ASSERT(im);
	T_EQ_INT(store_import_row(im, &r[0], TEXT_U, strlen(TEXT_U)), 1);
	T_EQ_INT(store_import_row(im, &r[1], TEXT_U, strlen(TEXT_U)), 1);
	T_EQ_INT(store_import_row(im, &r[2], NULL, 0), 1); /* the text is known by now */
	T_EQ_INT(store_import_commit(im), 3);
	/* prefix and suffix come from the text (under 32 code points: all of it) */
	snprintf(want, sizeof want,
		 UA "|1|5|9|NULL|said|%.5s|%s|a note|alice|" T0 "|" T1 "\n"
		 UB "|1|10|18|NULL|\xe2\x80\x9cno\xe2\x80\x9d|%.10s|%s|a note|alice|" T0 "|" T1 "\n"
		 UC "|1|27|35|NULL|\xe6\x9d\xb1\xff end|%.27s|%s|a note|alice|" T0 "|" T1 "\n",
		 TEXT_U, TEXT_U + 9, TEXT_U, TEXT_U + 18, TEXT_U, TEXT_U + 35);
	T_EQ_STR(sqlite(path, "SELECT uuid, document, start, \"end\", quote(cp_start), quote,"
			" prefix, suffix, note, author, created, updated FROM annotations ORDER BY uuid;"),
		 keep(util_strdup(want)));
	T_EQ_STR(sqlite(path, "SELECT path, size, length(text) FROM documents;"), "in/u.txt|40|40\n");
	/* a new tag: no key, the first colour no tag has */
	T_EQ_INT(store_tags(st, &tags, &n), 0);
	T_EQ_INT(n, 3);
	T_ASSERT(!strcmp(tags[2].name, "rumour") && tags[2].key == 0 &&
		 !strcmp(tags[2].colour, "red"));
	store_tags_free(tags, n);
	doc = store_doc(st, sha, strlen(TEXT_U), "in/u.txt");
	T_EQ_INT(doc, 1);
	T_EQ_INT(count_anns(st, doc), 3);
	T_EQ_INT(store_counts(st, doc, &c, &s, &u), 0);
	T_ASSERT(c == 1 && s == 1 && u == 1);
	/* imports are not on the undo journal */
	T_ASSERT(!store_undo(st, NULL));
	T_EQ_STR(util_errmsg(), "nothing to undo");
	/* an aborted import leaves nothing */
	r[0].uuid = UD;
	im = store_import_begin(st);
	T_ASSERT(im);
	T_EQ_INT(store_import_row(im, &r[0], NULL, 0), 1);
	store_import_abort(im);
	T_EQ_INT(count_anns(st, doc), 3);
	store_close(st);
	/* the indexes dropped for a first import are back */
	T_EQ_STR(sqlite(path, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
			" AND sql IS NOT NULL; PRAGMA integrity_check;"), "6\nok\n");
}

static void test_import_merge(void)
{
	char path[4200];
	struct store *st;
	struct store_import *im;
	struct store_row r;
	char sha[65];

	snprintf(path, sizeof path, "%s", in_root("merge.db"));
	sha_of(TEXT_U, sha);
	st = fresh("merge.db", NULL);
	T_ASSERT(st);
	r = mkrow(UA, sha, "claim", 4, 8, "said", "", T1);
	im = store_import_begin(st);
	T_ASSERT(im);
	T_EQ_INT(store_import_row(im, &r, TEXT_U, strlen(TEXT_U)), 1);
	r.uuid = UB;
	T_EQ_INT(store_import_row(im, &r, TEXT_U, strlen(TEXT_U)), 1);
	T_EQ_INT(store_import_commit(im), 2);

	im = store_import_begin(st);
	T_ASSERT(im);
	/* equal updated: kept, and said to differ (2) when it does */
	r = mkrow(UA, sha, "source", 0, 3, "Zo\xc3\xab", "", T1);
	r.note = "equal";
	T_EQ_INT(store_import_row(im, &r, TEXT_U, strlen(TEXT_U)), 2);
	r = mkrow(UA, sha, "claim", 4, 8, "said", "", T1);
	T_EQ_INT(store_import_row(im, &r, TEXT_U, strlen(TEXT_U)), 0);
	r = mkrow(UA, sha, "source", 0, 3, "Zo\xc3\xab", "", T1);
	r.note = "equal";
	/* older: kept */
	r.updated = T0;
	T_EQ_INT(store_import_row(im, &r, NULL, 0), 0);
	/* newer: replaced, every field, the id kept */
	r.uuid = UB;
	r.updated = T2;
	r.note = "newer";
	r.author = "carol";
	r.created = "2025-12-31T23:59:59Z";
	T_EQ_INT(store_import_row(im, &r, NULL, 0), 1);
	T_EQ_INT(store_import_commit(im), 1);
	T_EQ_STR(sqlite(path, "SELECT id, uuid, tag, start, \"end\", quote, note, author, created,"
			" updated FROM annotations ORDER BY id;"),
		 "1|" UA "|1|5|9|said|a note|alice|" T0 "|" T1 "\n"
		 "2|" UB "|2|0|4|Zo\xc3\xab|newer|carol|2025-12-31T23:59:59Z|" T2 "\n");
	store_close(st);
}

static void test_import_links(void)
{
	char path[4200];
	struct store *st;
	struct store_import *im;
	struct store_row r[4];
	char sha[65], uold[37], sql[512];
	int64_t doc, old;

	snprintf(path, sizeof path, "%s", in_root("implinks.db"));
	sha_of(TEXT_U, sha);
	st = fresh("implinks.db", NULL);
	T_ASSERT(st);
	doc = store_doc(st, sha, strlen(TEXT_U), "u.txt");
	T_EQ_INT(store_doc_text(st, doc, TEXT_U, strlen(TEXT_U)), 0);
	old = ann_add(st, doc, SOURCE, 19, 23, "\xf0\x9f\x98\x80", "", "", NULL);
	T_ASSERT(old > 0);
	uuid_of(st, old, uold);

	/* forward (A -> C, later in the file), backward (C -> B), to the database (A -> old) */
	snprintf(sql, sizeof sql, UC " %s", uold);
	r[0] = mkrow(UA, sha, "claim", 4, 8, "said", sql, T1);
	r[1] = mkrow(UB, sha, "source", 9, 13, "\xe2\x80\x9cno\xe2\x80\x9d", "", T1);
	r[2] = mkrow(UC, sha, "claim", 0, 3, "Zo\xc3\xab", UB, T1);
	im = store_import_begin(st);
	T_ASSERT(im);
	T_EQ_INT(store_import_row(im, &r[0], NULL, 0), 1);
	T_EQ_INT(store_import_row(im, &r[1], NULL, 0), 1);
	T_EQ_INT(store_import_row(im, &r[2], NULL, 0), 1);
	T_EQ_INT(store_import_commit(im), 3);
	snprintf(sql, sizeof sql, "SELECT f.uuid, replace(t.uuid, '%s', 'old') FROM links"
		 " JOIN annotations f ON f.id = \"from\" JOIN annotations t ON t.id = \"to\""
		 " ORDER BY 1, 2;", uold);
	T_EQ_STR(sqlite(path, sql), UA "|" UC "\n" UA "|old\n" UC "|" UB "\n");

	/* a replaced annotation's links become the incoming ones; a kept one's stay */
	r[0] = mkrow(UA, sha, "claim", 4, 8, "said", UB, T2);
	r[2].links = "";
	im = store_import_begin(st);
	T_ASSERT(im);
	T_EQ_INT(store_import_row(im, &r[0], NULL, 0), 1);
	T_EQ_INT(store_import_row(im, &r[2], NULL, 0), 0);
	T_EQ_INT(store_import_commit(im), 1);
	T_EQ_STR(sqlite(path, sql), UA "|" UB "\n" UC "|" UB "\n");

	/* replaced twice in one file: the last row's links */
	r[2].updated = T2;
	r[2].links = UA;
	r[3] = r[2];
	r[3].updated = "2026-04-01T00:00:00Z";
	r[3].links = "";
	im = store_import_begin(st);
	T_ASSERT(im);
	T_EQ_INT(store_import_row(im, &r[2], NULL, 0), 1);
	T_EQ_INT(store_import_row(im, &r[3], NULL, 0), 1);
	T_EQ_INT(store_import_commit(im), 2);
	T_EQ_STR(sqlite(path, sql), UA "|" UB "\n");

	/* a link to nothing (a filtered export's link to a row it left out)
	 * is left out, and counted; the rest is imported */
	{
		struct store_import_report rep;
		struct store_row r0 = mkrow(UD, sha, "claim", 4, 8, "said",
					    UB " " "00000000-0000-4000-8000-0000000000ff", T1);
		r[1].updated = T2;
		r[1].note = "changed";
		im = store_import_begin(st);
		T_ASSERT(im);
		T_EQ_INT(store_import_row(im, &r[1], NULL, 0), 1);
		T_EQ_INT(store_import_row(im, &r0, NULL, 0), 1);
		T_EQ_INT(store_import_commit_report(im, &rep), 2);
		T_EQ_INT(rep.dangling, 1);
		T_EQ_STR(rep.dangling_to, "00000000-0000-4000-8000-0000000000ff");
		T_EQ_STR(sqlite(path, "SELECT count(*), sum(note = 'changed') FROM annotations;"), "5|1\n");
		T_EQ_STR(sqlite(path, sql), UA "|" UB "\n" UD "|" UB "\n");
		/* as it was before, for what follows */
		T_EQ_STR(sqlite(path, "DELETE FROM links WHERE \"from\" IN"
				" (SELECT id FROM annotations WHERE uuid = '" UD "');"
				" DELETE FROM annotations WHERE uuid = '" UD "';"
				" UPDATE annotations SET note = '' WHERE note = 'changed';"
				" SELECT count(*) FROM annotations;"), "4\n");
	}
	r[0] = mkrow(UD, sha, "claim", 4, 8, "said", UB, T1);
	/* links to oneself, and malformed ones */
	r[0].links = UD;
	im = store_import_begin(st);
	T_ASSERT(im);
	T_EQ_INT(store_import_row(im, &r[0], NULL, 0), -1);
	T_EQ_STR(util_errmsg(), "annotation '" UD "' links to itself");
	/* after a failed row the import cannot commit */
	r[0].links = "";
	T_EQ_INT(store_import_row(im, &r[0], NULL, 0), -1);
	T_EQ_INT(store_import_commit(im), -1);
	T_EQ_STR(sqlite(path, "SELECT count(*) FROM annotations;"), "4\n");
	store_close(st);
}

static void test_import_refused(void)
{
	struct store *st;
	struct store_import *im;
	struct store_row r;
	char sha[65];

	sha_of(TEXT_U, sha);
	st = fresh("refused.db", NULL);
	T_ASSERT(st);
	im = store_import_begin(st);
	T_ASSERT(im);
	r = mkrow(UA, sha, "claim", 27, 30, "!", "", T1);
	T_EQ_INT(store_import_row(im, &r, TEXT_U, strlen(TEXT_U)), -1);
	T_EQ_STR(util_errmsg(), "offsets outside the document");
	store_import_abort(im);
	im = store_import_begin(st);
	T_ASSERT(im);
	r = mkrow(UA, sha, "claim", 28, 29, "?", "", T1);
	T_EQ_INT(store_import_row(im, &r, TEXT_U, strlen(TEXT_U)), -1);
	T_EQ_STR(util_errmsg(), "quote does not match the text");
	store_import_abort(im);
	im = store_import_begin(st);
	T_ASSERT(im);
	r = mkrow(UA, sha, "claim", 28, 29, "!", "", T1);
	r.updated = "2026-02-01";
	T_EQ_INT(store_import_row(im, &r, TEXT_U, strlen(TEXT_U)), -1);
	T_EQ_STR(util_errmsg(), "bad time '2026-02-01' in annotation '" UA "': use YYYY-MM-DDTHH:MM:SSZ");
	store_import_abort(im);
	im = store_import_begin(st);
	T_ASSERT(im);
	r = mkrow(UA, SHA_A, "claim", 28, 29, "!", "", T1);
	T_EQ_INT(store_import_row(im, &r, TEXT_U, strlen(TEXT_U)), -1);
	T_EQ_STR(util_errmsg(), "the text given for '" SHA_A "' has another SHA-256");
	store_import_abort(im);
	/* the last code point, and the empty span at the very end, are inside */
	im = store_import_begin(st);
	T_ASSERT(im);
	r = mkrow(UA, sha, "claim", 28, 29, "!", "", T1);
	T_EQ_INT(store_import_row(im, &r, TEXT_U, strlen(TEXT_U)), 1);
	r = mkrow(UB, sha, "claim", 29, 29, "", "", T1);
	T_EQ_INT(store_import_row(im, &r, TEXT_U, strlen(TEXT_U)), 1);
	T_EQ_INT(store_import_commit(im), 2);
	T_EQ_STR(sqlite(in_root("refused.db"), "SELECT start, \"end\" FROM annotations ORDER BY uuid;"),
		 "39|40\n40|40\n");
	store_close(st);
}

static void test_import_unplaced(void)
{
	char path[4200];
	struct store *st;
	struct store_import *im;
	struct store_row r;
	struct store_ann *anns;
	char sha[65];
	size_t n, c, s, u;
	int64_t doc;
	const char *got;

	snprintf(path, sizeof path, "%s", in_root("unplaced.db"));
	sha_of(TEXT_U, sha);
	st = fresh("unplaced.db", NULL);
	T_ASSERT(st);
	im = store_import_begin(st);
	T_ASSERT(im);
	r = mkrow(UA, sha, "claim", 4, 8, "said", UB, T1);
	T_EQ_INT(store_import_row(im, &r, NULL, 0), 1);
	r = mkrow(UB, sha, "source", 9, 13, "\xe2\x80\x9cno\xe2\x80\x9d", "", T1);
	T_EQ_INT(store_import_row(im, &r, NULL, 0), 1);
	r = mkrow(UC, sha, "claim", 14, 15, "not the emoji", "", T1);  /* will not fit */
	T_EQ_INT(store_import_row(im, &r, NULL, 0), 1);
	r = mkrow(UD, sha, "claim", 0, 0, "an orphan", "", T1);        /* no offsets at all */
	r.placed = false;
	T_EQ_INT(store_import_row(im, &r, NULL, 0), 1);
	T_EQ_INT(store_import_commit(im), 4);
	T_EQ_STR(sqlite(path, "SELECT uuid, quote(start), quote(\"end\"), quote(cp_start),"
			" quote(cp_end) FROM annotations ORDER BY uuid; SELECT size, quote(text)"
			" FROM documents;"),
		 UA "|NULL|NULL|4|8\n" UB "|NULL|NULL|9|13\n" UC "|NULL|NULL|14|15\n"
		 UD "|NULL|NULL|NULL|NULL\n0|NULL\n");

	/* the reader sees none of them yet, the counts take those waiting
	 * (not the orphan); the export shows them unplaced */
	doc = store_doc(st, sha, strlen(TEXT_U), "here/u.txt");
	T_EQ_INT(doc, 1);
	T_EQ_INT(count_anns(st, doc), 0);
	T_EQ_INT(store_counts(st, doc, &c, &s, &u), 0);
	T_ASSERT(c == 2 && s == 1 && u == 1);
	got = export_all(st, NULL, NULL);
	T_ASSERT(got && strstr(got, UA "|here/u.txt|") && strstr(got, "|claim|-|4-8|said|") &&
		 strstr(got, UD "|here/u.txt|") && strstr(got, "|claim|-|-|an orphan|"));

	/* its text comes: two are placed, one does not fit and is an orphan
	 * now (not left waiting for a text it has), the orphan stays */
	T_EQ_INT(store_doc_place(st, doc, TEXT_U, strlen(TEXT_U)), 2);
	T_EQ_STR(sqlite(path, "SELECT uuid, quote(start), quote(\"end\"), quote(cp_start)"
			" FROM annotations ORDER BY uuid; SELECT size, length(text) FROM documents;"),
		 UA "|5|9|NULL\n" UB "|10|18|NULL\n" UC "|NULL|NULL|NULL\n" UD "|NULL|NULL|NULL\n40|40\n");
	/* the one orphaned here has a history row, as one orphaned by a change */
	{
		char want[300];
		snprintf(want, sizeof want, "%s|%s|NULL|NULL|not the emoji|orphaned|1\n", UC, sha);
		T_EQ_STR(sqlite(path, "SELECT uuid, sha256, quote(start), quote(\"end\"), quote, how,"
				" length(at) = 20 FROM history ORDER BY id;"), want);
	}
	T_EQ_INT(store_anns(st, doc, &anns, &n), 0);
	T_ASSERT(n == 2 && !strcmp(anns[0].uuid, UA) && anns[0].nlinks == 1 &&
		 anns[0].links[0] == anns[1].id);
	store_anns_free(anns, n);
	T_EQ_INT(store_counts(st, doc, &c, &s, &u), 0);
	T_ASSERT(c == 1 && s == 1 && u == 0);
	/* again: nothing more to place, nothing written */
	T_EQ_INT(store_doc_place(st, doc, TEXT_U, strlen(TEXT_U)), 0);
	T_EQ_INT(store_doc_place(st, doc + 5, TEXT_U, strlen(TEXT_U)), 0);
	store_close(st);
}

/* The export of one database imported into an empty one exports the same. */
struct copy {
	struct store_import *im;
	struct store *from;
	int rows;
};

static int copy_row(void *arg, const struct store_row *r)
{
	struct copy *c = arg;

	c->rows++;
	return store_import_row(c->im, r, r->text, r->size) < 0 ? -2 : 0;
}

/* An annotation of TEXT_U as the reader makes it: its anchor from the text. */
static int64_t ann_add_u(struct store *st, int64_t doc, int64_t tag, size_t start, size_t end,
			 const char *note)
{
	struct anchor an;
	int64_t id;

	anchor_make(TEXT_U, strlen(TEXT_U), start, end, &an);
	id = store_ann_add(st, doc, tag, start, end, &an, note);
	anchor_release(&an);
	return id;
}

/* store_check: a sound database passes; each kind of damage, made behind
 * the store's back with the sqlite3 program, is named. */
static void test_check(void)
{
	char path[4200], wal[4210], shm[4210];
	static const struct {
		const char *damage, *said;
	} cases[] = {
		{ "UPDATE annotations SET quote = 'Zo' WHERE start = 5;", "its quote is not there: " },
		{ "UPDATE annotations SET start = 11 WHERE start = 10;", "its quote is not there: " },
		{ "UPDATE annotations SET \"end\" = 999 WHERE start = 5;", "is not where it says" },
		{ "UPDATE annotations SET start = 1, \"end\" = 3, quote = CAST(substr(CAST("
		  "(SELECT text FROM documents) AS BLOB), 2, 2) AS TEXT) WHERE start = 5;",
		  "is not where it says" },
		{ "UPDATE documents SET size = size + 1;", "not as long as the document" },
		{ "UPDATE documents SET text = substr(CAST(text AS BLOB), 1, size - 1) || CAST('?' AS BLOB);",
		  "another SHA-256" },
		{ "UPDATE annotations SET start = NULL, \"end\" = NULL, cp_start = 0, cp_end = 2"
		  " WHERE start = 5;", "waits for a text its document has" },
		{ "INSERT INTO links SELECT id, id FROM annotations WHERE start = 5;", "links to itself" },
		{ "PRAGMA foreign_keys = OFF; INSERT INTO links VALUES ((SELECT id FROM annotations"
		  " WHERE start = 5), 999);", "a foreign key fails: links names no row of annotations" },
	};
	char sha[65];
	struct store *st;
	int64_t doc, c, s;

	snprintf(path, sizeof path, "%s", in_root("check.db"));
	snprintf(wal, sizeof wal, "%s-wal", path);
	snprintf(shm, sizeof shm, "%s-shm", path);
	for (size_t k = 0; k <= sizeof cases / sizeof cases[0]; k++) {
		unlink(path);
		unlink(wal);
		unlink(shm);
		st = store_open(path, "tester");
		T_ASSERT(st);
		sha_of(TEXT_U, sha);
		doc = store_doc(st, sha, strlen(TEXT_U), "u.txt");
		T_ASSERT(doc > 0 && store_doc_text(st, doc, TEXT_U, strlen(TEXT_U)) == 0);
		c = ann_add(st, doc, CLAIM, 5, 9, "said", "", "", NULL);
		s = ann_add(st, doc, SOURCE, 10, 18, "\xe2\x80\x9cno\xe2\x80\x9d", "", "", NULL);
		T_ASSERT(c > 0 && s > 0 && store_link(st, c, s) == 1);
		if (store_check(st) != 0) {
			store_close(st);
			T_FAIL("a sound database: %s", util_errmsg());
		}
		if (k == sizeof cases / sizeof cases[0]) {
			store_close(st);
			break;
		}
		T_EQ_STR(sqlite(path, cases[k].damage), "");
		if (store_check(st) == 0) {
			store_close(st);
			T_FAIL("not seen: %s", cases[k].damage);
		}
		if (!strstr(util_errmsg(), cases[k].said)) {
			store_close(st);
			T_FAIL("'%s' for %s", util_errmsg(), cases[k].damage);
		}
		store_close(st);
	}
}

static void test_roundtrip(void)
{
	struct store *a, *b;
	struct copy c;
	char sha_u[65], *first;
	int64_t du, x, y, z;

	sha_of(TEXT_U, sha_u);
	a = fresh("rt-a.db", NULL);
	b = fresh("rt-b.db", NULL);
	T_ASSERT(a && b);
	du = store_doc(a, sha_u, strlen(TEXT_U), "z/u.txt");
	T_EQ_INT(store_doc_text(a, du, TEXT_U, strlen(TEXT_U)), 0);
	x = ann_add_u(a, du, CLAIM, 5, 9, "n,o\"te\r\n");
	y = ann_add_u(a, du, SOURCE, 27, 35, NULL);
	z = ann_add_u(a, du, store_tag_add(a, "odd", 'o', "blue"), 39, 40, NULL);
	T_ASSERT(x > 0 && y > 0 && z > 0);
	T_EQ_INT(store_link(a, y, x), 1);
	T_EQ_INT(store_link(a, z, x), 1);
	T_EQ_INT(store_link(a, z, y), 1);
	first = util_strdup(export_all(a, NULL, NULL));
	keep(first);

	c.from = a;
	c.rows = 0;
	c.im = store_import_begin(b);
	T_ASSERT(c.im);
	if (store_export(a, NULL, NULL, copy_row, &c) != 0) {
		store_import_abort(c.im);
		T_FAIL("%s", util_errmsg());
	}
	T_EQ_INT(store_import_commit(c.im), 3);
	T_EQ_STR(export_all(b, NULL, NULL), first);
	/* and again: all kept, nothing changes */
	c.im = store_import_begin(b);
	T_ASSERT(c.im);
	T_EQ_INT(store_export(a, NULL, NULL, copy_row, &c), 0);
	T_EQ_INT(store_import_commit(c.im), 0);
	T_EQ_STR(export_all(b, NULL, NULL), first);
	store_close(a);
	store_close(b);
}

/* A document may hold NUL bytes: the quote and its context keep them. */
static void test_nul_in_quote(void)
{
	static const char text[] = "one\0two three\0four";
	struct store *st;
	struct store_ann x;
	struct anchor an;
	char sha[65];
	int64_t doc, id;
	unsigned char sum[SHA256_LEN];

	st = fresh("nul.db", NULL);
	T_ASSERT(st);
	sha256_sum(text, sizeof text - 1, sum);
	sha256_hex(sum, sha);
	doc = store_doc(st, sha, sizeof text - 1, "n.txt");
	T_EQ_INT(store_doc_text(st, doc, text, sizeof text - 1), 0);
	anchor_make(text, sizeof text - 1, 2, 9, &an);
	id = store_ann_add(st, doc, CLAIM, 2, 9, &an, NULL);
	anchor_release(&an);
	T_ASSERT(id > 0);
	T_ASSERT(store_ann_get(st, id, &x));
	T_EQ_INT(x.quote_len, 7);
	T_ASSERT(memcmp(x.quote, "e\0two t", 7) == 0);
	T_EQ_INT(x.prefix_len, 2);
	T_EQ_INT(x.suffix_len, 9);
	T_ASSERT(memcmp(x.suffix, "hree\0four", 9) == 0);
	store_ann_release(&x);
	store_close(st);
}

/* A version of a document: its id, its text kept. */
static int64_t version(struct store *st, const char *text, const char *path)
{
	char sha[65];
	int64_t d;

	sha_of(text, sha);
	d = store_doc(st, sha, strlen(text), path);
	if (d > 0 && store_doc_text(st, d, text, strlen(text)) != 0)
		return -1;
	return d;
}

/* Where annotation id is: "start-end quote", or "orphan". */
static const char *where(struct store *st, int64_t id)
{
	static char buf[256];
	struct store_ann x;

	if (!store_ann_get(st, id, &x))
		return "gone";
	if (x.start == 0 && x.end == 0 && x.quote_len > 0)
		snprintf(buf, sizeof buf, "orphan");
	else
		snprintf(buf, sizeof buf, "%zu-%zu %s", x.start, x.end, x.quote);
	store_ann_release(&x);
	return buf;
}

/* Annotations follow their file from version to version, and come back. */
static void test_follow(void)
{
	static const char v1[] = "Alpha one. Beta two. Gamma three.\n";
	static const char v2[] = "Intro here. Alpha one. Beta two. Gamma three.\n";
	static const char v3[] = "Intro here. Alpha one. Gamma three, changed.\n";
	const char *path = in_root("follow.db");
	struct store *st;
	struct store_follow f;
	struct store_ann *o;
	size_t n;
	int64_t d1, d2, d3, a, b;

	st = fresh("follow.db", NULL);
	T_ASSERT(st);
	/* nothing known yet: by sum or by file */
	T_EQ_INT(store_doc_known(st, SHA_A, "/x/a.txt"), 0);
	T_EQ_INT(store_doc_known(st, SHA_A, NULL), 0);
	d1 = version(st, v1, "a.txt");
	T_ASSERT(d1 > 0);
	/* recorded, but not yet at a file */
	T_EQ_INT(store_doc_known(st, SHA_A, "/x/a.txt"), 0);
	T_EQ_INT(store_doc_follow(st, d1, "/x/a.txt", v1, strlen(v1), &f), 0);
	/* another version at that file is known by the file; the recorded
	 * one by its sum, wherever it is opened from */
	T_EQ_INT(store_doc_known(st, SHA_A, "/x/a.txt"), 1);
	T_EQ_INT(store_doc_known(st, SHA_A, "/y/a.txt"), 0);
	{
		char sha[65];
		sha_of(v1, sha);
		T_EQ_INT(store_doc_known(st, sha, "/y/a.txt"), 1);
		T_EQ_INT(store_doc_known(st, sha, NULL), 1);
	}
	T_EQ_INT(f.exact + f.diff + f.fuzzy + f.found + f.orphaned, 0);
	a = ann_add(st, d1, CLAIM, 11, 20, "Beta two.", "", "", NULL);
	b = ann_add(st, d1, SOURCE, 0, 10, "Alpha one.", "", "", NULL);
	T_ASSERT(a > 0 && b > 0);
	/* the same version again: nothing to do, nothing written */
	T_EQ_INT(store_doc_follow(st, d1, "/x/a.txt", v1, strlen(v1), &f), 0);
	T_EQ_STR(sqlite(path, "SELECT count(*) FROM history;"), "0\n");

	/* a paragraph added at the top: both follow through the diff */
	d2 = version(st, v2, "a.txt");
	T_EQ_INT(store_doc_follow(st, d2, "/x/a.txt", v2, strlen(v2), &f), 0);
	T_EQ_INT(f.diff, 2);
	T_EQ_INT(f.exact + f.fuzzy + f.orphaned, 0);
	T_EQ_STR(where(st, a), "23-32 Beta two.");
	T_EQ_STR(where(st, b), "12-22 Alpha one.");
	T_EQ_INT(count_anns(st, d2), 2);
	T_EQ_INT(count_anns(st, d1), 0);
	T_EQ_STR(sqlite(path, "SELECT start, \"end\", quote, how FROM history ORDER BY id;"),
		 "11|20|Beta two.|diff\n0|10|Alpha one.|diff\n");

	/* its sentence gone: orphaned, kept with the version it was found in */
	d3 = version(st, v3, "a.txt");
	T_EQ_INT(store_doc_follow(st, d3, "/x/a.txt", v3, strlen(v3), &f), 0);
	T_EQ_INT(f.orphaned, 1);
	T_EQ_STR(where(st, a), "orphan");
	T_EQ_STR(where(st, b), "12-22 Alpha one.");
	T_EQ_STR(sqlite(path, "SELECT quote(start), document, quote FROM annotations ORDER BY id;"),
		 "NULL|2|Beta two.\n12|3|Alpha one.\n");
	T_EQ_INT(store_orphans(st, d3, &o, &n), 0);
	T_ASSERT(n == 1 && o[0].id == a);
	store_anns_free(o, n);
	/* exports show it with empty offsets and the version it was last in */
	T_ASSERT(strstr(export_all(st, NULL, NULL), "|claim|-|-|Beta two.|"));

	/* the old version comes back: the orphan is found again, where it was */
	T_EQ_INT(store_doc_follow(st, d2, "/x/a.txt", v2, strlen(v2), &f), 0);
	T_EQ_INT(f.found, 1);
	T_EQ_STR(where(st, a), "23-32 Beta two.");
	T_EQ_STR(where(st, b), "12-22 Alpha one.");
	T_EQ_INT(count_anns(st, d2), 2);
	T_EQ_INT(store_orphans(st, d2, &o, &n), 0);
	T_EQ_INT(n, 0);
	store_anns_free(o, n);

	/* re-attaching by hand, and undoing it */
	T_EQ_INT(store_doc_follow(st, d3, "/x/a.txt", v3, strlen(v3), &f), 0);
	T_EQ_STR(where(st, a), "orphan");
	{
		struct anchor an;
		const char *what;

		anchor_make(v3, strlen(v3), 23, 43, &an);
		T_EQ_INT(store_ann_reattach(st, a, d3, 23, 43, &an), 0);
		anchor_release(&an);
		T_EQ_STR(where(st, a), "23-43 Gamma three, changed");
		T_ASSERT(store_undo(st, &what));
		T_EQ_STR(what, "re-attaching");
		T_EQ_STR(where(st, a), "orphan");
		T_ASSERT(store_redo(st, &what));
		T_EQ_STR(where(st, a), "23-43 Gamma three, changed");
	}
	T_EQ_STR(sqlite(path, "SELECT count(*), sum(how = 'reattached') FROM history;"), "11|3\n");
	T_EQ_STR(sqlite(path, "PRAGMA integrity_check; PRAGMA foreign_key_check;"), "ok\n");
	store_close(st);
}

/* The reader's place goes with the annotations to the file's next version. */
/* The reader's line deleted: the cursor comes to the next line still
 * there; with every line after it gone too, to the last word before it. */
static void test_follow_cursor_line_gone(void)
{
	static const char v1[] =
		"First line stays here.\n"
		"This long line holds many words that all go away when it is deleted.\n"
		"The next line is kept as it was.\n"
		"Last one.\n";
	static const char v2[] =
		"First line stays here.\n"
		"The next line is kept as it was.\n"
		"Last one.\n";
	static const char v3[] = "First line stays here.\n";
	struct store *st;
	struct store_follow f;
	int64_t d1, d2, d3;

	st = fresh("cursor3.db", NULL);
	T_ASSERT(st);
	d1 = version(st, v1, "b.txt");
	T_EQ_INT(store_doc_follow(st, d1, "/x/b.txt", v1, strlen(v1), &f), 0);
	T_ASSERT(ann_add(st, d1, CLAIM, 0, 22, "First line stays here.", "", "", NULL) > 0);
	T_EQ_INT(store_cursor_set(st, d1, 28, v1, strlen(v1)), 0); /* in "long" */
	d2 = version(st, v2, "b.txt");
	T_EQ_INT(store_doc_follow(st, d2, "/x/b.txt", v2, strlen(v2), &f), 0);
	T_ASSERT(f.cursor != SIZE_MAX && strncmp(v2 + f.cursor, "The next line", 13) == 0);
	store_close(st);

	st = fresh("cursor4.db", NULL);
	T_ASSERT(st);
	d1 = version(st, v1, "c.txt");
	T_EQ_INT(store_doc_follow(st, d1, "/x/c.txt", v1, strlen(v1), &f), 0);
	T_ASSERT(ann_add(st, d1, CLAIM, 0, 22, "First line stays here.", "", "", NULL) > 0);
	T_EQ_INT(store_cursor_set(st, d1, 28, v1, strlen(v1)), 0);
	d3 = version(st, v3, "c.txt");
	T_EQ_INT(store_doc_follow(st, d3, "/x/c.txt", v3, strlen(v3), &f), 0);
	T_ASSERT(f.cursor != SIZE_MAX && strncmp(v3 + f.cursor, "here.", 5) == 0);
	store_close(st);
}

static void test_follow_cursor(void)
{
	static const char v1[] = "Alpha one. Beta two.\nGamma three.\nDelta four.\n";
	static const char v2[] = "Intro here.\nAlpha one. Beta two.\nGamma three.\nDelta four.\n";
	static const char v3[] = "Intro here.\nAlpha one. Beta two.\nDelta four, now longer.\n";
	static const char v4[] = "Intro here.\nAlpha one.\nDelta four, now longer.\n";
	struct store *st;
	struct store_follow f;
	char sha[65];
	size_t c;
	int64_t d1, d2, d3, d4, d5;

	st = fresh("cursor.db", NULL);
	T_ASSERT(st);
	d1 = version(st, v1, "a.txt");
	T_EQ_INT(store_doc_follow(st, d1, "/x/a.txt", v1, strlen(v1), &f), 0);
	T_ASSERT(f.cursor == SIZE_MAX);
	T_ASSERT(ann_add(st, d1, CLAIM, 0, 10, "Alpha one.", "", "", NULL) > 0);
	/* the reader stopped at "Delta" */
	T_EQ_INT(store_cursor_set(st, d1, 34, v1, strlen(v1)), 0);

	/* a line added above: the place moves with its text */
	d2 = version(st, v2, "a.txt");
	T_EQ_INT(store_doc_follow(st, d2, "/x/a.txt", v2, strlen(v2), &f), 0);
	T_EQ_INT(f.diff, 1);
	T_EQ_INT(f.cursor, 46);
	T_ASSERT(store_cursor_get(st, d2, &c) && c == 46);
	T_ASSERT(strncmp(v2 + c, "Delta", 5) == 0);
	/* the earlier version keeps its own */
	T_ASSERT(store_cursor_get(st, d1, &c) && c == 34);
	/* opened again: it has its own place now; nothing carried */
	T_EQ_INT(store_cursor_set(st, d2, 12, NULL, 0), 0);
	T_EQ_INT(store_doc_follow(st, d2, "/x/a.txt", v2, strlen(v2), &f), 0);
	T_ASSERT(f.cursor == SIZE_MAX);
	T_ASSERT(store_cursor_get(st, d2, &c) && c == 12);

	/* on a line that changed: still found by the word at the place */
	T_EQ_INT(store_cursor_set(st, d2, 46, v2, strlen(v2)), 0);
	d3 = version(st, v3, "a.txt");
	T_EQ_INT(store_doc_follow(st, d3, "/x/a.txt", v3, strlen(v3), &f), 0);
	T_EQ_INT(f.cursor, 33);
	T_ASSERT(strncmp(v3 + f.cursor, "Delta four, now", 15) == 0);

	/* its word and the next gone: at the next word found, never back in
	 * the text before */
	T_EQ_INT(store_cursor_set(st, d3, 23, v3, strlen(v3)), 0); /* "Beta two." */
	d4 = version(st, v4, "a.txt");
	T_EQ_INT(store_doc_follow(st, d4, "/x/a.txt", v4, strlen(v4), &f), 0);
	T_EQ_INT(f.cursor, 23);
	T_ASSERT(store_cursor_get(st, d4, &c) && c == 23);
	T_ASSERT(strncmp(v4 + c, "Delta", 5) == 0);

	/* on a space, a blank line, in a word, after the last word */
	{
		static const char w1[] = "Title\n\n\tIndented words here.\n\nLast line.  \n";
		static const char w2[] = "New top line.\nTitle\n\n\tIndented words here.\n\nLast line.  \n";
		const size_t at[] = { 5, 6, 7, 8, 17, 20, 34, 36, 41, 42 };
		int64_t e1;

		for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
			struct store *sw = fresh("cursor2.db", NULL);
			T_ASSERT(sw);
			e1 = version(sw, w1, "w.txt");
			T_EQ_INT(store_doc_follow(sw, e1, "/x/w.txt", w1, strlen(w1), &f), 0);
			T_ASSERT(ann_add(sw, e1, CLAIM, 0, 5, "Title", "", "", NULL) > 0);
			T_EQ_INT(store_cursor_set(sw, e1, at[k], w1, strlen(w1)), 0);
			e1 = version(sw, w2, "w.txt");
			T_EQ_INT(store_doc_follow(sw, e1, "/x/w.txt", w2, strlen(w2), &f), 0);
			T_EQ_INT(f.cursor, at[k] + 14);
			store_close(sw);
		}
	}

	/* lines between gone: at the next word, not in a character or
	 * between CR and LF; a word changed: as far before the next word when
	 * what lies between is the same; after the last word, with more than a
	 * word's length of spaces to the end */
	{
		struct { const char *a, *b; size_t at, want; } t[] = {
			{ "Un caf\xc3\xa9\n\n\nSuite ici.\n", "Un caf\xc3\xa9\nSuite ici.\n", 9, 9 },
			{ "The naive one.\n", "The na\xc3\xafve one.\n", 7, 8 },
			{ "hello there\n\n\n\n", "hello there \xc3\xa9", 13, 6 },
			{ "hello there\n\n\n\n", "hello there\r\n", 13, 6 },
			{ "Kept one. Deleted sentence with seven words here now. Kept two.\n",
			  "Kept one. Kept two.\n", 10, 10 },
			/* a word that changed length: not as far into it, but at it */
			{ "See https://example.com/docs/install.html for details on it.\n",
			  "See https://example.com/install.html for details on it.\n", 39, 4 },
			{ "Call it (foo/bar/baz) from there on.\n", "Call it (foo/baz) from there on.\n",
			  19, 8 },
			/* the end gone: the last words before it */
			{ "First paragraph stays as it was.\n\nLast words, removed later.\n",
			  "First paragraph stays as it was.\n", 33, 32 },
			{ "First paragraph stays as it was.\n\nLast words, removed later.\n",
			  "First paragraph stays as it was.\n", 60, 28 },
			/* nothing of it left: no place rather than a wrong one */
			{ "Alpha one.\nAll else new.\n", "Zulu.\n", 15, SIZE_MAX },
			{ "Some text here.\nend.\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
			  "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
			  "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n",
			  "Top.\nSome text here.\nend.\n", 90, 21 },
		};
		for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
			struct store *sw = fresh("cursor3.db", NULL);
			int64_t e;
			T_ASSERT(sw);
			e = version(sw, t[k].a, "u.txt");
			T_EQ_INT(store_doc_follow(sw, e, "/x/u.txt", t[k].a, strlen(t[k].a), &f), 0);
			T_ASSERT(ann_add(sw, e, CLAIM, 0, 2, "xx", "", "", NULL) > 0);
			T_EQ_INT(store_cursor_set(sw, e, t[k].at, t[k].a, strlen(t[k].a)), 0);
			e = version(sw, t[k].b, "u.txt");
			T_EQ_INT(store_doc_follow(sw, e, "/x/u.txt", t[k].b, strlen(t[k].b), &f), 0);
			T_EQ_INT(f.cursor, t[k].want);
			store_close(sw);
		}
	}

	/* nothing after it left: at the last word before it that is */
	T_EQ_INT(store_doc_follow(st, d5 = version(st, "Alpha one.\nAll else new.\n", "a.txt"),
				  "/x/a.txt", "Alpha one.\nAll else new.\n", 26, &f), 0);
	T_EQ_INT(store_cursor_set(st, d5, 15, NULL, 0), 0); /* "else" */
	d5 = version(st, "Zulu.\nAlpha one.\n", "a.txt");
	T_EQ_INT(store_doc_follow(st, d5, "/x/a.txt", "Zulu.\nAlpha one.\n", 17, &f), 0);
	T_EQ_INT(f.cursor, 12);
	T_ASSERT(store_cursor_get(st, d5, &c) && c == 12);

	/* the version last read has no annotations left: its place goes by
	 * the text saved around it, and an older version's does not come
	 * instead; with no text saved, it is not carried */
	{
		static const char z[] = "Zulu.\nAlpha one.\n", z2[] = "Top.\nZulu.\nAlpha one.\n";
		struct store_ann *anns;
		size_t n;
		int64_t d6;

		T_EQ_INT(store_anns(st, d5, &anns, &n), 0);
		T_ASSERT(n == 1 && store_ann_delete(st, anns[0].id) == 0);
		store_anns_free(anns, n);
		T_EQ_INT(store_cursor_set(st, d5, 6, z, strlen(z)), 0);
		d6 = version(st, z2, "a.txt");
		T_EQ_INT(store_doc_follow(st, d6, "/x/a.txt", z2, strlen(z2), &f), 0);
		T_EQ_INT(f.cursor, 11);
		T_ASSERT(store_cursor_get(st, d6, &c) && c == 11);
		T_EQ_INT(store_cursor_set(st, d6, 11, NULL, 0), 0);
		d6 = version(st, "Top.\nZulu.\nAlpha one, or two.\n", "a.txt");
		T_EQ_INT(store_doc_follow(st, d6, "/x/a.txt", "Top.\nZulu.\nAlpha one, or two.\n", 31,
					  &f), 0);
		T_ASSERT(f.cursor == SIZE_MAX);
		T_ASSERT(!store_cursor_get(st, d6, &c));
	}
	store_close(st);

	/* a version with no annotations keeps no text: its place goes by the
	 * bytes around it, both sides, else those after, else those before,
	 * the copy nearest the old place, within a megabyte of it */
	{
		static const char one[] = "Alpha beta gamma delta epsilon.\nZeta eta theta iota kappa.\n";
		static const char rep[] = "Same line here.\nSame line here.\nSame line here.\n";
		struct { const char *a, *b; size_t at, want; } t[] = {
			{ "Other text.\n", "New. Other text.\n", 6, 11 },
			/* the line before changed: by the bytes after */
			{ one, "Alpha BETA gamma delta epsilon.\nZeta eta theta iota kappa.\n", 32, 32 },
			/* the line after changed: by the bytes before */
			{ one, "Intro.\nAlpha beta gamma delta epsilon.\nZETA eta.\n", 32, 39 },
			/* both changed: not carried */
			{ one, "Alpha BETA gamma delta epsilon.\nZETA eta theta iota kappa.\n", 32, SIZE_MAX },
			/* the third of three equal lines stays the third */
			{ rep, "Top.\nSame line here.\nSame line here.\nSame line here.\n", 37, 42 },
			{ rep, "Top.\nSame line here.\nSame line here.\nSame line here.\n", 5, 10 },
			/* the line's start changed: by the bytes after, past
			 * non-ASCII letters; at the end: before the CR of the last
			 * line end */
			{ "Un caf\xc3\xa9 noir, un th\xc3\xa9 vert.\n", "Plus: un caf\xc3\xa9 noir, un th\xc3\xa9 vert.\n",
			  9, 15 },
			{ "tail\r\n", "new tail\r\n", 6, 8 },
			/* too little text for a side alone */
			{ "ab\ncd\n", "ab\nXd\n", 3, SIZE_MAX },
		};
		for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
			struct store *sw = fresh("cursor4.db", NULL);
			int64_t e;
			T_ASSERT(sw);
			sha_of(t[k].a, sha);
			e = store_doc(sw, sha, strlen(t[k].a), "u.txt");
			T_EQ_INT(store_doc_follow(sw, e, "/x/u.txt", t[k].a, strlen(t[k].a), &f), 0);
			T_EQ_INT(store_cursor_set(sw, e, t[k].at, t[k].a, strlen(t[k].a)), 0);
			e = version(sw, t[k].b, "u.txt");
			T_EQ_INT(store_doc_follow(sw, e, "/x/u.txt", t[k].b, strlen(t[k].b), &f), 0);
			T_EQ_INT(f.cursor, t[k].want);
			T_EQ_INT(store_cursor_get(sw, e, &c), t[k].want != SIZE_MAX);
			store_close(sw);
		}
	}

	/* the same text more than a megabyte away is not taken for it; within
	 * reach, it is */
	{
		static const char words[] = "The words at the place, near the end.\n";
		size_t big = 3u << 20, w = sizeof words - 1;
		const size_t put[] = { 10, big - w - 100 }, want[] = { SIZE_MAX, big - w - 100 + 4 };
		char *a = util_calloc(1, big + 1), *b = util_calloc(1, big + 1);

		memset(a, 'x', big);
		memcpy(a + big - w, words, w);
		for (size_t k = 0; k < 2; k++) {
			struct store *sw = fresh("cursor5.db", NULL);
			int64_t e;

			T_ASSERT(sw);
			sha_of(a, sha);
			e = store_doc(sw, sha, big, "v.txt");
			T_EQ_INT(store_doc_follow(sw, e, "/x/v.txt", a, big, &f), 0);
			T_EQ_INT(store_cursor_set(sw, e, big - w + 4, a, big), 0);
			memset(b, 'x', big);
			memcpy(b + put[k], words, w);
			sha_of(b, sha);
			e = store_doc(sw, sha, big, "v.txt");
			T_EQ_INT(store_doc_follow(sw, e, "/x/v.txt", b, big, &f), 0);
			T_EQ_INT(f.cursor, want[k]);
			store_close(sw);
		}
		free(a);
		free(b);
	}
}

/* Frames in the log of the database at path, as the sqlite3 program finds
 * them when it checkpoints; -1 unless it could copy all of them. */
static long log_frames(const char *path)
{
	long log = 0, done = 0;

	if (sscanf(sqlite(path, "PRAGMA wal_checkpoint(PASSIVE);"), "0|%ld|%ld", &log, &done) != 2 ||
	    done != log)
		return -1;
	return log;
}

/* Commits leave the log to grow; store_idle moves it into the database,
 * then starts the log again with a commit that changes nothing. */
static void test_idle_checkpoint(void)
{
	const char *path = in_root("idle.db");
	char wal[4200];
	struct stat sb;
	struct store *st;
	int64_t doc;

	snprintf(wal, sizeof wal, "%s-wal", path);
	st = fresh("idle.db", &doc);
	T_ASSERT(st);
	T_ASSERT(store_idle(st)); /* the new database's own writes */
	T_ASSERT(!store_idle(st));
	/* 80 commits of some 12 pages each: a long note fills overflow pages */
	char *note = util_malloc(48001);
	memset(note, 'n', 48000);
	note[48000] = '\0';
	for (size_t i = 0; i < 80; i++)
		if (ann_add(st, doc, i % 2 ? CLAIM : SOURCE, i, i + 1, "q", "", "", note) <= 0) {
			free(note);
			T_FAIL("add %zu: %s", i, util_errmsg());
		}
	free(note);
	/* no commit checkpointed on its own: the log holds well over SQLite's
	 * automatic threshold of 1000 pages */
	T_ASSERT(stat(wal, &sb) == 0 && sb.st_size > 1000 * 4096);
	T_ASSERT(store_idle(st));
	T_ASSERT(!store_idle(st));
	/* all of it is in the database, and the log was started again by one
	 * frame, the schema version set to what it was: the next commit waits
	 * for one fsync, not also for the new log's header */
	T_EQ_INT(log_frames(path), 1);
	T_EQ_INT(strtol(sqlite(path, "PRAGMA user_version;"), NULL, 10), STORE_SCHEMA);
	T_EQ_INT(count_anns(st, doc), 80);
	T_ASSERT(!store_changed(st));
	store_close(st);
}

/*
 * The checkpoint store_idle starts must not hold up the caller (a key typed
 * meanwhile would wait for it).  This test's build routes SQLite's
 * checkpoint call through the wrapper below, which can hold it until
 * released: held, store_idle must still return, and the checkpoint must run
 * on another thread.  Where store_idle ran it itself, the hold ends after 5
 * seconds and the test fails.
 */
struct sqlite3;
int __real_sqlite3_wal_checkpoint_v2(struct sqlite3 *db, const char *name, int mode, int *log,
				     int *copied);
int __wrap_sqlite3_wal_checkpoint_v2(struct sqlite3 *db, const char *name, int mode, int *log,
				     int *copied);

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t caller;
	bool hold;      /* the next checkpoint waits until this is false */
	bool entered;   /* a held checkpoint began */
	bool elsewhere; /* on a thread other than caller */
	bool timed_out; /* held 5 seconds and let go */
} ckpt = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

/* Until *flag is want, or 5 seconds have passed; with ckpt.lock held. */
static bool ckpt_wait(bool *flag, bool want)
{
	struct timespec end;

	clock_gettime(CLOCK_REALTIME, &end);
	end.tv_sec += 5;
	while (*flag != want)
		if (pthread_cond_timedwait(&ckpt.cond, &ckpt.lock, &end) == ETIMEDOUT)
			return false;
	return true;
}

int __wrap_sqlite3_wal_checkpoint_v2(struct sqlite3 *db, const char *name, int mode, int *log,
				     int *copied)
{
	pthread_mutex_lock(&ckpt.lock);
	if (ckpt.hold) {
		ckpt.entered = true;
		ckpt.elsewhere = !pthread_equal(pthread_self(), ckpt.caller);
		pthread_cond_broadcast(&ckpt.cond);
		if (!ckpt_wait(&ckpt.hold, false)) {
			ckpt.timed_out = true;
			ckpt.hold = false;
		}
	}
	pthread_mutex_unlock(&ckpt.lock);
	return __real_sqlite3_wal_checkpoint_v2(db, name, mode, log, copied);
}

static void test_idle_checkpoint_elsewhere(void)
{
	const char *path = in_root("idle3.db");
	struct store *st;
	int64_t doc;
	bool returned_held, entered, elsewhere, running;

	st = fresh("idle3.db", &doc);
	T_ASSERT(st);
	T_ASSERT(store_idle(st));
	T_ASSERT(!store_idle(st));
	T_ASSERT(add(st, doc, CLAIM, 0, 9) > 0);
	pthread_mutex_lock(&ckpt.lock);
	ckpt.caller = pthread_self();
	ckpt.hold = true;
	ckpt.entered = ckpt.elsewhere = ckpt.timed_out = false;
	pthread_mutex_unlock(&ckpt.lock);

	T_ASSERT(store_idle(st));

	pthread_mutex_lock(&ckpt.lock);
	returned_held = ckpt.hold && !ckpt.timed_out;
	entered = ckpt_wait(&ckpt.entered, true);
	elsewhere = ckpt.elsewhere;
	pthread_mutex_unlock(&ckpt.lock);
	/* held, it is seen running, and looking does not wait for it */
	running = store_idle_running(st);
	pthread_mutex_lock(&ckpt.lock);
	ckpt.hold = false;
	pthread_cond_broadcast(&ckpt.cond);
	pthread_mutex_unlock(&ckpt.lock);
	T_ASSERT(returned_held);
	T_ASSERT(entered);
	T_ASSERT(elsewhere);
	T_ASSERT(running);
	/* let go, it ends */
	for (time_t end = time(NULL) + 5; store_idle_running(st) && time(NULL) < end;)
		sched_yield();
	T_ASSERT(!store_idle_running(st));
	/* the next use of the store waits for the checkpoint and the log's new
	 * start: all of it is in the database, the log one frame long */
	T_ASSERT(!store_changed(st));
	T_EQ_INT(log_frames(path), 1);
	T_EQ_INT(count_anns(st, doc), 1);
	T_ASSERT(!store_idle(st));
	store_close(st);
}

/* The log is started again only after the store's own commits, and once
 * after it opens: two idle readers of one database would otherwise answer
 * each other's for ever.  Each store_changed below also waits for the
 * store's checkpoint to end. */
static void test_idle_restart_own_commits_only(void)
{
	const char *path = in_root("idle2.db");
	struct store *st, *st2;
	int64_t doc;

	st = fresh("idle2.db", &doc);
	T_ASSERT(st);
	st2 = store_open(path, "other");
	T_ASSERT(st2);
	/* each opened: one commit that changes nothing, which the other sees */
	T_ASSERT(store_idle(st));
	T_ASSERT(!store_changed(st));
	T_ASSERT(store_changed(st2));
	T_ASSERT(store_idle(st2));
	T_ASSERT(!store_changed(st2));
	T_ASSERT(store_changed(st));
	/* and no more: a checkpoint of the other's commit is not answered */
	T_ASSERT(store_idle(st));
	T_ASSERT(!store_changed(st));
	T_ASSERT(!store_changed(st2));
	T_ASSERT(!store_idle(st2));
	/* a change of st's own: st starts the log again, st2 only copies */
	T_ASSERT(add(st, doc, CLAIM, 0, 9) > 0);
	T_ASSERT(store_idle(st));
	T_ASSERT(!store_changed(st));
	T_ASSERT(store_changed(st2));
	T_ASSERT(store_idle(st2));
	T_ASSERT(!store_changed(st2));
	T_ASSERT(!store_changed(st));
	T_ASSERT(!store_idle(st));
	T_EQ_INT(count_anns(st2, doc), 1);
	store_close(st2);
	store_close(st);
}

/* Opened, a store readies the log at its first store_idle: the session's
 * first change then waits for one sync, not also for the log's header and
 * its directory. */
static void test_idle_readies_the_log(void)
{
	const char *path = in_root("idle4.db");
	struct store *st;
	int64_t doc;

	st = fresh("idle4.db", &doc);
	T_ASSERT(st);
	store_close(st);
	st = store_open(path, "tester");
	T_ASSERT(st);
	T_ASSERT(store_idle(st));
	T_ASSERT(!store_changed(st));
	T_EQ_INT(log_frames(path), 1);
	T_ASSERT(!store_idle(st));
	T_EQ_INT(strtol(sqlite(path, "PRAGMA user_version;"), NULL, 10), STORE_SCHEMA);
	store_close(st);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	umask(022);
	snprintf(root, sizeof root, "%s/gloss-test-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		printf("not ok - test_store: cannot make a temporary directory\n");
		return 1;
	}
	if (system("sqlite3 -version >/dev/null 2>&1") != 0) {
		printf("not ok - test_store: the sqlite3 program is needed\n");
		remove_tree(root);
		return 1;
	}

	T_RUN(test_create);
	T_RUN(test_create_relative);
	T_RUN(test_odd_name);
	T_RUN(test_reopen);
	T_RUN(test_open_on_thread);
	T_RUN(test_open_look_then_go);
	T_RUN(test_open_wait_fd);
	T_RUN(test_default_author);
	T_RUN(test_migrate_v0);
	T_RUN(test_empty_files_are_new);
	T_RUN(test_refuse_foreign);
	T_RUN(test_refuse_newer);
	T_RUN(test_refuse_negative_version);
	T_RUN(test_refuse_corrupt);
	T_RUN(test_readonly);
	T_RUN(test_documents);
	T_RUN(test_tags);
	T_RUN(test_annotations);
	T_RUN(test_links);
	T_RUN(test_counts);
	T_RUN(test_undo_nothing);
	T_RUN(test_undo_add);
	T_RUN(test_undo_delete);
	T_RUN(test_undo_delete_lost_link);
	T_RUN(test_undo_note);
	T_RUN(test_undo_link);
	T_RUN(test_undo_tag);
	T_RUN(test_new_change_clears_redo);
	T_RUN(test_undo_conflicts);
	T_RUN(test_nul_in_quote);
	T_RUN(test_follow);
	T_RUN(test_follow_cursor);
	T_RUN(test_follow_cursor_line_gone);
	T_RUN(test_idle_checkpoint);
	T_RUN(test_idle_restart_own_commits_only);
	T_RUN(test_idle_checkpoint_elsewhere);
	T_RUN(test_idle_readies_the_log);
	T_RUN(test_two_stores);
	T_RUN(test_locked);
	T_RUN(test_migrate_v1);
	T_RUN(test_export_rows);
	T_RUN(test_export_filters);
	T_RUN(test_docs);
	T_RUN(test_import_new);
	T_RUN(test_import_merge);
	T_RUN(test_import_links);
	T_RUN(test_import_refused);
	T_RUN(test_import_unplaced);
	T_RUN(test_check);
	T_RUN(test_roundtrip);

	remove_tree(root);
	keep_free();
	T_DONE();
}
