/*
 * test_store.c: the SQLite store.  Creating, reopening and migrating a
 * database; refusing foreign, newer, corrupt and unwritable files without
 * changing a byte of them; tags, annotations, links and counts; undo and redo
 * of every kind of change, also when another connection got there first; two
 * stores on one file; a lock held by another process.  The database is
 * checked with the sqlite3 program, not through the store itself.
 * Everything happens in a private temporary directory removed at the end.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

/* store_open(path) must fail with msg and leave the file as it was. */
static void refused(const char *path, const char *msg)
{
	struct shot s;
	struct store *st;

	T_ASSERT(shot_take(path, &s) == 0);
	st = store_open(path, "tester");
	if (st) {
		store_close(st);
		free(s.bytes);
		T_FAIL("'%s' was opened", path);
	}
	if (strcmp(util_errmsg(), msg)) {
		free(s.bytes);
		T_EQ_STR(util_errmsg(), msg);
	}
	T_ASSERT(shot_same(path, &s));
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

static int64_t add(struct store *st, int64_t doc, int64_t tag, size_t start, size_t end)
{
	return store_ann_add(st, doc, tag, start, end, "q", "p", "s", NULL);
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
		 "1735159667\n1\nwal\n");
	T_EQ_STR(sqlite(path, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;"),
		 "annotations\ncursors\ndocuments\nlinks\nsqlite_sequence\ntags\n");
	T_EQ_STR(sqlite(path, "SELECT name, key, colour FROM tags ORDER BY id;"),
		 "claim|c|yellow\nsource|s|cyan\n");
	/* opening again changes nothing */
	st = store_open(path, "tester");
	T_ASSERT(st);
	store_close(st);
	T_EQ_STR(sqlite(path, "PRAGMA user_version; SELECT count(*) FROM tags;"), "1\n2\n");
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
	c = store_ann_add(st, doc, CLAIM, 0, 9, "Officials", "", " said", "check this");
	s = add(st, doc, SOURCE, 45, 50);
	T_ASSERT(c > 0 && s > 0);
	T_ASSERT(add(st, doc, tag, 36, 49) > 0);
	T_EQ_INT(store_link(st, c, s), 1);
	T_EQ_INT(store_cursor_set(st, doc, 42), 0);
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
			" SELECT count(*) FROM tags;"), "1735159667\n1\nwal\n2\n");
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
	T_EQ_STR(sqlite(empty, "PRAGMA application_id; PRAGMA user_version;"), "1735159667\n1\n");

	/* a SQLite file with nothing in it, whatever user_version says */
	T_EQ_STR(sqlite(blank, "PRAGMA user_version = 5; VACUUM; PRAGMA application_id;"), "0\n");
	st = store_open(blank, "tester");
	T_ASSERT(st);
	store_close(st);
	T_EQ_STR(sqlite(blank, "PRAGMA application_id; PRAGMA user_version; SELECT count(*) FROM tags;"),
		 "1735159667\n1\n2\n");
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
	CHECK(refused(path, msgf("'%s' has schema version 99, newer than this gloss knows (1)", path)));
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
		struct store *st;
		const char *m;

		close(fd[0]);
		if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0) {
			m = "(cannot become nobody)";
		} else {
			st = store_open(path, "nobody");
			m = st ? "opened" : util_errmsg();
			store_close(st);
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

static void test_refuse_unwritable(void)
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

	T_ASSERT(shot_take(rofile, &s) == 0);
	if (root_user) {
		T_EQ_STR(open_as_nobody(rofile),
			 msgf("cannot open database '%s': Permission denied", rofile));
	} else {
		st = store_open(rofile, "tester");
		T_ASSERT(!st);
		T_EQ_STR(util_errmsg(), msgf("cannot open database '%s': Permission denied", rofile));
	}
	T_ASSERT(shot_same(rofile, &s));

	T_ASSERT(shot_take(rodir, &s) == 0);
	if (root_user) {
		T_EQ_STR(open_as_nobody(rodir),
			 msgf("cannot open database '%s': Permission denied", rodir));
	} else {
		st = store_open(rodir, "tester");
		T_ASSERT(!st);
		T_EQ_STR(util_errmsg(), msgf("cannot open database '%s': Permission denied", rodir));
	}
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
	T_EQ_INT(store_cursor_set(st, a, 12), 0);
	T_EQ_INT(store_cursor_set(st, a, 13), 0);
	T_ASSERT(store_cursor_get(st, a, &cur));
	T_EQ_INT(cur, 13);
	T_EQ_STR(sqlite(path, "SELECT path, size, typeof(text), quote(text) FROM documents ORDER BY id;"),
		 "moved/one.txt|3|blob|X'616263'\nempty.txt|0|blob|X''\n");
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
	c1 = store_ann_add(st, doc, CLAIM, 18, 33, "vote was close", "Officials said the ",
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

	/* by start, then longest first */
	T_ASSERT(store_anns(st, doc, &anns, &n) == 0);
	T_ASSERT(n == 4 && anns[0].id == s1 && anns[1].id == c2 && anns[2].id == c1 &&
		 anns[3].id == s2);
	store_anns_free(anns, n);

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
	c = store_ann_add(st, doc, CLAIM, 0, 9, "Officials", "", " said", "a note");
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
	int64_t doc, a, b, c;

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
	/* undoing the annotation keeps what it had become, for redo */
	T_ASSERT(store_undo(st, &what));
	T_EQ_STR(what, "tag as source");
	T_ASSERT(store_redo(st, &what));
	T_ASSERT(store_ann_get(st, c, &x));
	T_EQ_STR(x.note, "theirs");
	store_ann_release(&x);

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
	T_RUN(test_migrate_v0);
	T_RUN(test_empty_files_are_new);
	T_RUN(test_refuse_foreign);
	T_RUN(test_refuse_newer);
	T_RUN(test_refuse_corrupt);
	T_RUN(test_refuse_unwritable);
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
	T_RUN(test_two_stores);
	T_RUN(test_locked);

	remove_tree(root);
	keep_free();
	T_DONE();
}
