/*
 * fuzz_import: the input is a file for "gloss import" (CSV or JSON Lines,
 * told apart by content), written to a temporary file and read by
 * export_import() into a real SQLite database, as the command does.
 *
 * The database is a fresh copy, each run, of one of two made once at the
 * start: an empty one, or (as the input's hash decides, three times in
 * four) one that holds a few annotations (the "base": texts kept, one with
 * ill-formed UTF-8 and a NUL byte, links, an orphan, annotations waiting
 * for a text, one that an input can bring) for the input to merge with,
 * replace, or link to.  A copy,
 * because the store has no way to empty a database (tags and documents
 * stay), and reusing one would let one input's leftovers hide another's
 * bug.  Files live in a directory made at the start under $TMPDIR (or
 * /tmp) and removed at exit; a crashed run's is removed by the next start.
 *
 * A failed import must leave the database as it was (the CSV and JSON Lines
 * exports, the document listing and the tags are compared with the
 * database's before) and no transaction open (an import of nothing then
 * succeeds); its message must be one line without control characters,
 * "import 'PATH': ...", with any "line L" inside the input.  A successful
 * import reports at least as many annotations as appeared; it is exported
 * as CSV and imported into an empty database, which must take every row,
 * and exported again: the same bytes (the round trip of DESIGN.md).  The
 * JSON Lines export must give the same database the same way, the W3C
 * export must parse as JSON, and importing the input a second time must
 * succeed and change nothing.  After each import, failed or not, the
 * database must hold together (store_check: texts and their sums, every
 * placed annotation quoting its text, no row waiting for a text it has).
 *
 * Documents named by the input are opened at their paths, relative to the
 * directory the fuzzer runs in (tests/fuzz/run: the top of the checkout):
 * the seeds name the texts in tests/fuzz/import-docs/ with their SHA-256, so
 * that rows are checked against a text too.  Standard input is /dev/null,
 * so that nothing can wait on it.
 */
/* fuzz-link: src/export.c src/store.c src/csv.c src/json.c src/doc.c src/sha256.c src/anchor.c -lsqlite3 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "gloss/csv.h"
#include "gloss/export.h"
#include "gloss/json.h"
#include "gloss/sha256.h"
#include "gloss/store.h"

#define DIR_PREFIX "gloss-fuzz-import-"
#define HEADER "id,document,sha256,tag,start,end,quote,note,links,author,created,updated\r\n"

static char *dir;                     /* this process's temporary directory */
static char *in_path;                 /* the input, as a file */
static char *header_path;             /* a file of the header alone: an import of nothing */
static char *out_path;                /* an export, as a file */
static char *db_paths[2];             /* the database imported into, the second one */
static char *base_db, *empty_db;      /* the two databases' files */
static size_t base_db_len, empty_db_len;
static char *base_state, *empty_state; /* their snapshot() */
static long base_rows;                /* annotations in the base */

/* ---- files ---- */

static char *path_in(const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	CHECK(p, "out of memory");
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static void write_file(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	const char *p = data;

	CHECK(fd >= 0, "cannot create '%s': %s", path, strerror(errno));
	while (size) {
		ssize_t k = write(fd, p, size);
		CHECK(k > 0, "cannot write '%s': %s", path, strerror(errno));
		p += k;
		size -= (size_t)k;
	}
	close(fd);
}

static char *read_file(const char *path, size_t *len)
{
	char *buf = NULL;
	FILE *f = fopen(path, "rb"), *m = open_memstream(&buf, len);
	char chunk[8192];
	size_t k;

	CHECK(f && m, "cannot read '%s': %s", path, strerror(errno));
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
		fwrite(chunk, 1, k, m);
	fclose(f);
	fclose(m);
	return buf;
}

/* The database file and what SQLite keeps beside it. */
static void remove_db(const char *path)
{
	static const char *const ext[] = {"", "-wal", "-shm", "-journal"};
	char buf[4096];

	for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
		snprintf(buf, sizeof buf, "%s%s", path, ext[i]);
		unlink(buf);
	}
}

static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char buf[4096];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(buf, sizeof buf, "%s/%s", path, e->d_name);
		unlink(buf);
	}
	closedir(d);
	rmdir(path);
}

static void cleanup(void)
{
	if (dir)
		remove_tree(dir);
}

/* The directories of runs that crashed (no atexit then) whose process is gone. */
static void sweep(const char *tmp)
{
	DIR *d = opendir(tmp);
	struct dirent *e;
	char buf[4096];

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *end;
		long pid;

		if (strncmp(e->d_name, DIR_PREFIX, strlen(DIR_PREFIX)) != 0)
			continue;
		pid = strtol(e->d_name + strlen(DIR_PREFIX), &end, 10);
		if (pid <= 0 || *end != '-' || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(buf, sizeof buf, "%s/%s", tmp, e->d_name);
		remove_tree(buf);
	}
	closedir(d);
}

/* A store on a fresh copy of the database file image[0..len). */
/* The database holds together (store_check) after what was just done. */
static void check_sound(struct store *st, const char *after)
{
	CHECK(store_check(st) == 0, "after %s: %s", after, util_errmsg());
}

static struct store *fresh(const char *path, const char *image, size_t len)
{
	struct store *st;

	remove_db(path);
	write_file(path, image, len);
	st = store_open(path, "fuzz");
	CHECK(st, "cannot open the copy: %s", util_errmsg());
	check_sound(st, "opening the copy");
	return st;
}

/* ---- exports ---- */

static char *export_as(struct store *st, enum export_format format, size_t *len, long *rows)
{
	struct export_opts o;
	char *buf = NULL;
	size_t n;
	FILE *f = open_memstream(&buf, &n);
	long r;

	CHECK(f, "open_memstream failed");
	memset(&o, 0, sizeof o);
	o.format = format;
	r = export_write(st, &o, f);
	CHECK(r >= 0, "export failed: %s", util_errmsg());
	fclose(f);
	if (len)
		*len = n;
	if (rows)
		*rows = r;
	return buf;
}

/* Everything an import can change, as text: CSV, JSON Lines (byte offsets,
 * prefix and suffix), the documents with their counts, and the tags. */
static char *snapshot(struct store *st)
{
	char *buf = NULL, *part;
	size_t n;
	FILE *f = open_memstream(&buf, &n);
	struct store_tag *tags;
	size_t ntags;

	CHECK(f, "open_memstream failed");
	part = export_as(st, EXPORT_CSV, NULL, NULL);
	fprintf(f, "%s\n", part);
	free(part);
	part = export_as(st, EXPORT_JSONL, NULL, NULL);
	fprintf(f, "%s\n", part);
	free(part);
	CHECK(export_docs(st, NULL, f) >= 0, "docs failed: %s", util_errmsg());
	CHECK(store_tags(st, &tags, &ntags) == 0, "tags failed: %s", util_errmsg());
	for (size_t i = 0; i < ntags; i++)
		fprintf(f, "tag %lld %s %d %s\n", (long long)tags[i].id, tags[i].name, tags[i].key,
			tags[i].colour);
	store_tags_free(tags, ntags);
	fclose(f);
	return buf;
}

/* ---- the base ---- */

/* The base's texts: ASCII with typographic quotes; ill-formed UTF-8, a
 * combining mark, CJK, a NUL byte and CRLF; and one whose text it lacks. */
static const char text_one[] =
	"Officials said on Tuesday that the bridge would reopen \xE2\x80\x9Cwithin weeks\xE2\x80\x9D,"
	" according to the ministry. Critics disputed it.\n";
static const char text_two[] =
	"Zo\xC3\xAB \xC3\x87" "elik: \xFF bad byte, e\xCC\x81 and \xE6\x9D\xB1\xE4\xBA\xAC"
	" \x00 nul.\r\nEnd";

struct base_ann {
	const char *uuid, *path;
	int text; /* 1, 2: text_one, text_two; 0, 3: none, of "gone" and of REPORT_SHA */
	const char *tag;
	long cs, ce; /* code points; -1 for none */
	const char *quote, *note, *links, *created, *updated;
};

/*
 * Within a document, uuids ascend with the position: a database that lacks
 * the text lists unplaced annotations by uuid.  The quote of
 * b4 has U+FFFD where the text has the byte FF.
 */
static const struct base_ann base_anns[] = {
	{"b0000001-0000-4000-8000-000000000001", "base/one.txt", 1, "claim", 31, 69,
	 "the bridge would reopen \xE2\x80\x9Cwithin weeks\xE2\x80\x9D", "check the date",
	 "b0000002-0000-4000-8000-000000000002", "2026-01-02T10:00:00Z", "2026-01-02T10:05:00Z"},
	{"b0000002-0000-4000-8000-000000000002", "base/one.txt", 1, "source", 84, 96,
	 "the ministry", "", "", "2026-01-02T10:01:00Z", "2026-01-02T10:01:00Z"},
	{"b0000003-0000-4000-8000-000000000003", "base/two.txt", 2, "person", 0, 9,
	 "Zo\xC3\xAB \xC3\x87" "elik", "a name,\r\nwith \"quotes\"", "", "2026-01-03T09:00:00Z",
	 "2026-01-03T09:00:00Z"},
	{"b0000004-0000-4000-8000-000000000004", "base/two.txt", 2, "claim", 11, 21,
	 "\xEF\xBF\xBD bad byte", "", "b0000003-0000-4000-8000-000000000003",
	 "2026-01-03T09:01:00Z", "2026-01-03T09:02:00Z"},
	{"b0000005-0000-4000-8000-000000000005", "base/gone.txt", 0, "claim", 3, 8, "lorem",
	 "waits for its text", "", "2026-01-04T08:00:00Z", "2026-01-04T08:00:00Z"},
	{"b0000006-0000-4000-8000-000000000006", "base/gone.txt", 0, "source", -1, -1, "ipsum",
	 "an orphan", "b0000005-0000-4000-8000-000000000005", "2026-01-04T08:01:00Z",
	 "2026-01-04T08:01:00Z"},
	/* waiting for the text of tests/fuzz/import-docs/report.txt, which a row
	 * naming that file brings: b7 is placed then, b8 (not its quote) not */
	{"b0000007-0000-4000-8000-000000000007", "base/report.txt", 3, "claim", 0, 14,
	 "Harbour report", "", "b0000008-0000-4000-8000-000000000008", "2026-01-05T07:00:00Z",
	 "2026-01-05T07:00:00Z"},
	{"b0000008-0000-4000-8000-000000000008", "base/report.txt", 3, "source", 0, 6, "Harbor", "",
	 "", "2026-01-05T07:01:00Z", "2026-01-05T07:01:00Z"},
};

/* The SHA-256 of tests/fuzz/import-docs/report.txt. */
#define REPORT_SHA "636f1a22fcff080fa5b9ae3ffd34bd2f557bcb79e349b4840c240dd0782c75bb"

static void sha_of(const char *s, size_t n, char hex[SHA256_HEX_LEN + 1])
{
	unsigned char sum[SHA256_LEN];

	sha256_sum(s, n, sum);
	sha256_hex(sum, hex);
}

static void make_base(struct store *st)
{
	struct store_import *im = store_import_begin(st);
	char sha[4][SHA256_HEX_LEN + 1];

	CHECK(im, "import_begin failed: %s", util_errmsg());
	sha_of("gone", 4, sha[0]);
	snprintf(sha[3], sizeof sha[3], "%s", REPORT_SHA);
	sha_of(text_one, sizeof text_one - 1, sha[1]);
	sha_of(text_two, sizeof text_two - 1, sha[2]);
	for (size_t i = 0; i < sizeof base_anns / sizeof *base_anns; i++) {
		const struct base_ann *b = &base_anns[i];
		struct store_row r;
		const char *text = b->text == 1 ? text_one : b->text == 2 ? text_two : NULL;
		size_t size = b->text == 1 ? sizeof text_one - 1 : b->text == 2 ? sizeof text_two - 1 : 0;

		memset(&r, 0, sizeof r);
		r.uuid = b->uuid;
		r.path = b->path;
		r.sha256 = sha[b->text];
		r.tag = b->tag;
		r.placed = b->cs >= 0;
		r.cp_start = b->cs >= 0 ? (size_t)b->cs : 0;
		r.cp_end = b->ce >= 0 ? (size_t)b->ce : 0;
		r.quote = b->quote;
		r.quote_len = strlen(b->quote);
		r.prefix = r.suffix = "";
		r.note = b->note;
		r.author = "base";
		r.links = b->links;
		r.created = b->created;
		r.updated = b->updated;
		CHECK(store_import_row(im, &r, text, size) == 1, "base row %zu: %s", i, util_errmsg());
	}
	base_rows = (long)(sizeof base_anns / sizeof *base_anns);
	CHECK(store_import_commit(im) == base_rows, "base commit: %s", util_errmsg());
}

/* A database made here, closed, and read back as a file image. */
static char *make_db(bool base, size_t *len, char **state)
{
	char *path = path_in("template.db"), *image;
	struct store *st;

	remove_db(path);
	st = store_open(path, "fuzz");
	CHECK(st, "cannot make a database: %s", util_errmsg());
	if (base)
		make_base(st);
	*state = snapshot(st);
	store_close(st);
	image = read_file(path, len);
	remove_db(path);
	free(path);
	return image;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	char *tmpl;
	size_t n;
	int fd;

	(void)argc;
	(void)argv;
	fuzz_locale();
	if (!tmp || !*tmp)
		tmp = "/tmp";
	fd = open("/dev/null", O_RDONLY);
	CHECK(fd >= 0 && dup2(fd, STDIN_FILENO) == STDIN_FILENO, "cannot open /dev/null");
	if (fd != STDIN_FILENO)
		close(fd);
	sweep(tmp);
	n = strlen(tmp) + sizeof DIR_PREFIX + 32;
	tmpl = malloc(n);
	CHECK(tmpl, "out of memory");
	snprintf(tmpl, n, "%s/" DIR_PREFIX "%ld-XXXXXX", tmp, (long)getpid());
	CHECK(mkdtemp(tmpl), "cannot make a directory in '%s': %s", tmp, strerror(errno));
	dir = tmpl;
	atexit(cleanup);
	in_path = path_in("input");
	header_path = path_in("header.csv");
	write_file(header_path, HEADER, strlen(HEADER));
	out_path = path_in("export");
	db_paths[0] = path_in("one.db");
	db_paths[1] = path_in("two.db");
	empty_db = make_db(false, &empty_db_len, &empty_state);
	base_db = make_db(true, &base_db_len, &base_state);
	return 0;
}

/* ---- the checks ---- */

/* "import 'PATH': ..." on one line, safe for a terminal, any line number in the input. */
static void check_error(const char *msg, size_t lines)
{
	size_t n = strlen(in_path);
	unsigned long long line;

	CHECK(!strncmp(msg, "import '", 8) && !strncmp(msg + 8, in_path, n) &&
	      !strncmp(msg + 8 + n, "': ", 3) && msg[n + 11] != '\0',
	      "malformed error '%s'", msg);
	for (const char *p = msg; *p; p++)
		CHECK((unsigned char)*p >= 0x20 && *p != 0x7F, "error holds byte 0x%02X: '%s'",
		      (unsigned char)*p, msg);
	if (sscanf(msg + n + 11, "line %llu", &line) == 1)
		CHECK(line >= 1 && line <= lines, "error at line %llu of %zu: '%s'", line, lines, msg);
}

/* The warnings (ties, links left out): nothing, or at most two lines, each
 * "gloss: import '...". */
static void check_warning(const char *w, size_t n)
{
	const char *end = w + n, *nl;
	int lines = 0;

	CHECK(n == 0 || w[n - 1] == '\n', "warning without a line end '%.*s'", (int)n, w);
	for (; w < end; w = nl + 1, lines++) {
		nl = memchr(w, '\n', (size_t)(end - w));
		CHECK(!strncmp(w, "gloss: import '", 15) && nl, "malformed warning '%.*s'",
		      (int)(end - w), w);
	}
	CHECK(lines <= 2, "%d warning lines", lines);
}

/* The same bytes. */
static bool same_export(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && memcmp(a, b, an) == 0;
}

/* e[0..elen), the export in format of a database of rows annotations whose
 * CSV export is csv1, imported into an empty database: every row is added,
 * and the CSV export is csv1 again. */
static void check_round_trip(const char *csv1, size_t len1, long rows, enum export_format format,
			     const char *e, size_t elen)
{
	struct store *st;
	char *csv2;
	size_t len2, at = 0;
	long got;
	bool same;

	write_file(out_path, e, elen);
	st = fresh(db_paths[1], empty_db, empty_db_len);
	got = export_import(st, out_path, NULL);
	CHECK(got >= 0, "the %s export does not import: %s", format == EXPORT_CSV ? "CSV" : "JSONL",
	      util_errmsg());
	CHECK(got == rows, "%ld rows exported as %s, %ld imported", rows,
	      format == EXPORT_CSV ? "CSV" : "JSONL", got);
	check_sound(st, "importing the export into an empty database");
	csv2 = export_as(st, EXPORT_CSV, &len2, NULL);
	same = same_export(csv1, len1, csv2, len2);
	/* shown from the line where they part */
	while (!same && at < len1 && at < len2 && csv1[at] == csv2[at])
		at++;
	while (at && csv1[at - 1] != '\n')
		at--;
	CHECK(same,
	      "%s export, import into an empty database, export: not the same bytes, from byte %zu\n"
	      "--- first export\n%.*s\n--- second export\n%.*s",
	      format == EXPORT_CSV ? "CSV" : "JSONL", at, (int)(len1 - at < 600 ? len1 - at : 600),
	      csv1 + at, (int)(len2 - at < 600 ? len2 - at : 600), csv2 + at);
	free(csv2);
	store_close(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rng rng = fuzz_rng_of(data, size);
	bool base = fuzz_upto(&rng, 3) != 0;
	struct store *st;
	char *warn = NULL, *after, *csv1, *e;
	size_t warn_len, lines = 1, len1, elen;
	long got, rows;
	FILE *wf;
	struct json *v;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	write_file(in_path, data, size);
	st = fresh(db_paths[0], base ? base_db : empty_db, base ? base_db_len : empty_db_len);
	wf = open_memstream(&warn, &warn_len);
	CHECK(wf, "open_memstream failed");
	got = export_import(st, in_path, wf);
	fclose(wf);

	if (got < 0) {
		char msg[1024];

		snprintf(msg, sizeof msg, "%s", util_errmsg());
		check_error(msg, lines);
		CHECK(warn_len == 0, "a failed import warned '%s'", warn);
		after = snapshot(st);
		CHECK(strcmp(after, base ? base_state : empty_state) == 0,
		      "a failed import (%s) changed the database", msg);
		free(after);
		check_sound(st, "a failed import");
		/* and left no transaction open */
		got = export_import(st, header_path, NULL);
		CHECK(got == 0, "an import after a failed one (%s): %s", msg,
		      got < 0 ? util_errmsg() : "changed something");
		free(warn);
		store_close(st);
		return 0;
	}
	check_warning(warn, warn_len);
	free(warn);
	check_sound(st, "the import");
	CHECK((size_t)got <= lines, "%ld annotations from %zu lines", got, lines);

	csv1 = export_as(st, EXPORT_CSV, &len1, &rows);
	CHECK(rows - (base ? base_rows : 0) <= got, "%ld annotations added or replaced, %ld more exported",
	      got, rows - (base ? base_rows : 0));
	check_round_trip(csv1, len1, rows, EXPORT_CSV, csv1, len1);
	/* No rows make an empty JSON Lines file, which import refuses as an
	 * empty CSV one ("line 1, column 1: empty file"). */
	if (rows) {
		e = export_as(st, EXPORT_JSONL, &elen, NULL);
		check_round_trip(csv1, len1, rows, EXPORT_JSONL, e, elen);
		free(e);
	}
	e = export_as(st, EXPORT_W3C, &elen, NULL);
	v = json_parse(e, elen, 1);
	CHECK(v, "the W3C export does not parse: %s", util_errmsg());
	json_free(v);
	free(e);

	/* The same file again: every row is known, none later than itself. */
	got = export_import(st, in_path, NULL);
	CHECK(got == 0, "a second import of the same file: %s",
	      got < 0 ? util_errmsg() : "added or replaced annotations");
	check_sound(st, "the second import");
	e = export_as(st, EXPORT_CSV, &elen, NULL);
	CHECK(elen == len1 && memcmp(e, csv1, len1) == 0,
	      "a second import of the same file changed the export");
	free(e);
	free(csv1);
	store_close(st);
	return 0;
}
