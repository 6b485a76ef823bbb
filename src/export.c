/*
 * export.c: CSV, JSON Lines and W3C Web Annotation out of the store, CSV and
 * JSON Lines back in, and the listings of "gloss list" and "gloss docs".
 * Rows stream from the store to the output: nothing holds a whole export.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gloss/csv.h"
#include "gloss/doc.h"
#include "gloss/export.h"
#include "gloss/json.h"
#include "gloss/util.h"

#define EXPORT_CONTEXT "http://www.w3.org/ns/anno.jsonld"

static const char *const export_columns[] = {
	"id", "document", "sha256", "tag", "start", "end", "quote", "note", "links", "author",
	"created", "updated",
};
#define EXPORT_NCOL (sizeof export_columns / sizeof *export_columns)

bool export_format_parse(const char *name, enum export_format *out)
{
	if (strcmp(name, "csv") == 0)
		*out = EXPORT_CSV;
	else if (strcmp(name, "jsonl") == 0)
		*out = EXPORT_JSONL;
	else if (strcmp(name, "w3c") == 0)
		*out = EXPORT_W3C;
	else
		return false;
	return true;
}

/* The value of option name at argv[*a], as "--name V" or "--name=V"; NULL
 * when argv[*a] is another word; "" (an error) when the value is missing. */
static const char *export_opt(int argc, char **argv, int *a, const char *name)
{
	const char *arg = argv[*a];
	size_t n = strlen(name);

	if (strncmp(arg, name, n) != 0 || (arg[n] != '\0' && arg[n] != '='))
		return NULL;
	if (arg[n] == '=')
		return arg + n + 1;
	if (*a + 1 < argc)
		return argv[++*a];
	return "";
}

int export_args(int argc, char **argv, bool all, bool bare, struct export_opts *o, const char **out)
{
	static const char *const names[] = {"--tag", "--doc", "--author", "--since", "--format", "-o"};
	const char *v = NULL;

	*out = NULL;
	for (int a = 0; a < argc; a++) {
		size_t k;
		for (k = 0; k < sizeof names / sizeof *names; k++)
			if ((k < 4 || all) && (v = export_opt(argc, argv, &a, names[k])))
				break;
		if (k < sizeof names / sizeof *names) {
			if (!*v) {
				util_error("option '%s' needs a value", names[k]);
				return -1;
			}
			if (k == 0)
				o->filter.tag = v;
			else if (k == 1)
				o->filter.doc = v;
			else if (k == 2)
				o->filter.author = v;
			else if (k == 3)
				o->filter.since = v;
			else if (k == 4 && !export_format_parse(v, &o->format)) {
				util_error("unknown format '%s': use csv, jsonl or w3c", v);
				return -1;
			} else if (k == 5)
				*out = v;
		} else if (strcmp(argv[a], "--orphans") == 0) {
			o->filter.orphans = true;
		} else if (all && strcmp(argv[a], "--safe") == 0) {
			o->safe = true;
		} else if (all && strcmp(argv[a], "--force") == 0) {
			o->force = true;
		} else if (all && bare && !*out && (argv[a][0] != '-' || strcmp(argv[a], "-") == 0)) {
			*out = argv[a];
		} else if (all && argv[a][0] != '-') {
			util_error("unexpected '%s': the output file is given with -o", argv[a]);
			return -1;
		} else {
			util_error("unexpected '%s'", argv[a]);
			return -1;
		}
	}
	if (o->safe && o->format != EXPORT_CSV) {
		util_error("--safe is for CSV");
		return -1;
	}
	return 0;
}

/* ---- progress ---- */

struct export_progress {
	bool on;
	size_t total, done;
	double start, last;
	int width; /* of the last line shown, to wipe it */
};

static double export_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A bar on stderr, only on a terminal and only once a second has gone by. */
static void export_tick(struct export_progress *p)
{
	double t;

	p->done++;
	if (!p->on || (p->done & 1023))
		return;
	t = export_now();
	if (t - p->start < 1.0 || t - p->last < 0.2)
		return;
	p->last = t;
	int pct = p->total ? (int)(100.0 * (double)p->done / (double)p->total) : 100;
	char bar[41];
	if (pct > 100)
		pct = 100;
	memset(bar, '#', (size_t)(pct * 40 / 100));
	memset(bar + pct * 40 / 100, '.', (size_t)(40 - pct * 40 / 100));
	bar[40] = '\0';
	p->width = fprintf(stderr, "\rexporting [%s] %3d%% %zu/%zu", bar, pct, p->done, p->total);
}

static void export_tick_done(struct export_progress *p)
{
	if (p->width)
		fprintf(stderr, "\r%-*s\rexported %zu annotations\n", p->width, "", p->done);
}

/* ---- the three formats ---- */

struct export_ctx {
	const struct export_opts *o;
	FILE *f;
	struct csv_writer cw;
	struct json_writer jw;
	struct export_progress prog;
	long rows;
	bool links_pass;  /* w3c: the second pass writes the links */
	long link_items;  /* w3c: the links written, each an annotation of the collection */
	char *fix;        /* a field made valid UTF-8 (util_utf8_repair) */
	size_t fixcap;
};

/* A text field, valid UTF-8 whatever the document held: ill-formed
 * sequences become U+FFFD, as JSON writes them and import reads them. */
static void export_csv_text(struct export_ctx *x, const char *s, size_t n, int fl)
{
	const char *out;
	size_t m = util_utf8_repair(s, n, &x->fix, &x->fixcap, &out);

	csv_field(&x->cw, out, m, fl);
}

static void export_csv_header(struct export_ctx *x)
{
	for (size_t i = 0; i < EXPORT_NCOL; i++)
		csv_field_str(&x->cw, export_columns[i], 0);
	csv_end(&x->cw);
}

static int export_csv_row(void *arg, const struct store_row *r)
{
	struct export_ctx *x = arg;
	int fl = x->o->safe ? CSV_SAFE : 0;

	csv_field_str(&x->cw, r->uuid, fl);
	export_csv_text(x, r->path, strlen(r->path), fl);
	csv_field_str(&x->cw, r->sha256, fl);
	export_csv_text(x, r->tag, strlen(r->tag), fl);
	if (r->placed) {
		csv_field_int(&x->cw, (long long)r->cp_start);
		csv_field_int(&x->cw, (long long)r->cp_end);
	} else {
		csv_field_empty(&x->cw);
		csv_field_empty(&x->cw);
	}
	export_csv_text(x, r->quote, r->quote_len, fl);
	export_csv_text(x, r->note, strlen(r->note), fl);
	csv_field_str(&x->cw, r->links, fl);
	export_csv_text(x, r->author, strlen(r->author), fl);
	csv_field_str(&x->cw, r->created, fl);
	csv_field_str(&x->cw, r->updated, fl);
	csv_end(&x->cw);
	x->rows++;
	export_tick(&x->prog);
	return ferror(x->f) ? -1 : 0;
}

static void export_kv(struct json_writer *w, const char *key, const char *value)
{
	json_key(w, key);
	json_put_str(w, value);
}

/* The quote (under the name given) then prefix and suffix, NUL bytes and all. */
static void export_anchor(struct json_writer *w, const char *quote_key, const struct store_row *r)
{
	json_key(w, quote_key);
	json_put_string(w, r->quote, r->quote_len);
	json_key(w, "prefix");
	json_put_string(w, r->prefix, r->prefix_len);
	json_key(w, "suffix");
	json_put_string(w, r->suffix, r->suffix_len);
}

/* The links field as a JSON array of ids. */
static void export_json_links(struct json_writer *w, const char *links)
{
	json_begin_array(w);
	while (*links) {
		size_t k = strcspn(links, " ");
		if (k)
			json_put_string(w, links, k);
		links += k;
		links += strspn(links, " ");
	}
	json_end_array(w);
}

static int export_jsonl_row(void *arg, const struct store_row *r)
{
	struct export_ctx *x = arg;
	struct json_writer *w = &x->jw;

	json_writer_init(w, x->f, 0);
	json_begin_object(w);
	export_kv(w, "id", r->uuid);
	export_kv(w, "document", r->path);
	export_kv(w, "sha256", r->sha256);
	export_kv(w, "tag", r->tag);
	json_key(w, "start");
	r->placed ? json_put_int(w, (int64_t)r->cp_start) : json_put_null(w);
	json_key(w, "end");
	r->placed ? json_put_int(w, (int64_t)r->cp_end) : json_put_null(w);
	json_key(w, "byte_start");
	r->bytes ? json_put_int(w, (int64_t)r->start) : json_put_null(w);
	json_key(w, "byte_end");
	r->bytes ? json_put_int(w, (int64_t)r->end) : json_put_null(w);
	export_anchor(w, "quote", r);
	export_kv(w, "note", r->note);
	json_key(w, "links");
	export_json_links(w, r->links);
	export_kv(w, "author", r->author);
	export_kv(w, "created", r->created);
	export_kv(w, "updated", r->updated);
	json_end_object(w);
	fputc('\n', x->f);
	x->rows++;
	export_tick(&x->prog);
	return ferror(x->f) ? -1 : 0;
}

/* RFC 6920 names a document by its digest: ni:///sha-256;<base64url>. */
static void export_ni(const char *hex, char out[64])
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char d[32];
	size_t i, o = 0;
	unsigned v = 0;
	int bits = 0;

	for (i = 0; i < 32; i++) {
		unsigned hi = (unsigned)(hex[2 * i] <= '9' ? hex[2 * i] - '0' : hex[2 * i] - 'a' + 10);
		unsigned lo = (unsigned)(hex[2 * i + 1] <= '9' ? hex[2 * i + 1] - '0' : hex[2 * i + 1] - 'a' + 10);
		d[i] = (unsigned char)(hi << 4 | lo);
	}
	o = (size_t)snprintf(out, 64, "ni:///sha-256;");
	for (i = 0; i < 32; i++) {
		v = v << 8 | d[i];
		bits += 8;
		while (bits >= 6) {
			out[o++] = b64[(v >> (bits - 6)) & 63];
			bits -= 6;
		}
	}
	if (bits)
		out[o++] = b64[(v << (6 - bits)) & 63];
	out[o] = '\0';
}

static void export_urn(struct json_writer *w, const char *uuid)
{
	char id[64];
	snprintf(id, sizeof id, "urn:uuid:%s", uuid);
	json_put_str(w, id);
}

static void export_text_body(struct json_writer *w, const char *purpose, const char *value)
{
	json_begin_object(w);
	export_kv(w, "type", "TextualBody");
	export_kv(w, "purpose", purpose);
	export_kv(w, "value", value);
	json_end_object(w);
}

static int export_w3c_row(void *arg, const struct store_row *r)
{
	struct export_ctx *x = arg;
	struct json_writer *w = &x->jw;
	char ni[64], id[128];

	if (x->links_pass) {
		/* A link is an annotation of its own, with the motivation linking. */
		const char *l = r->links;
		while (*l) {
			size_t k = strcspn(l, " ");
			if (k) {
				snprintf(id, sizeof id, "urn:uuid:%s#link-%.*s", r->uuid, (int)k, l);
				json_begin_object(w);
				export_kv(w, "id", id);
				export_kv(w, "type", "Annotation");
				export_kv(w, "motivation", "linking");
				json_key(w, "body");
				snprintf(id, sizeof id, "urn:uuid:%.*s", (int)k, l);
				json_put_str(w, id);
				json_key(w, "target");
				export_urn(w, r->uuid);
				json_end_object(w);
				x->link_items++;
			}
			l += k;
			l += strspn(l, " ");
		}
		return ferror(x->f) ? -1 : 0;
	}
	json_begin_object(w);
	json_key(w, "id");
	export_urn(w, r->uuid);
	export_kv(w, "type", "Annotation");
	export_kv(w, "created", r->created);
	export_kv(w, "modified", r->updated);
	json_key(w, "creator");
	json_begin_object(w);
	export_kv(w, "type", "Person");
	export_kv(w, "name", r->author);
	json_end_object(w);
	json_key(w, "body");
	json_begin_array(w);
	export_text_body(w, "tagging", r->tag);
	if (r->note[0])
		export_text_body(w, "commenting", r->note);
	json_end_array(w);
	json_key(w, "target");
	json_begin_object(w);
	json_key(w, "source");
	export_ni(r->sha256, ni);
	json_put_str(w, ni);
	export_kv(w, "gloss:document", r->path);
	json_key(w, "selector");
	json_begin_array(w);
	json_begin_object(w);
	export_kv(w, "type", "TextQuoteSelector");
	export_anchor(w, "exact", r);
	json_end_object(w);
	if (r->placed) {
		json_begin_object(w);
		export_kv(w, "type", "TextPositionSelector");
		json_key(w, "start");
		json_put_int(w, (int64_t)r->cp_start);
		json_key(w, "end");
		json_put_int(w, (int64_t)r->cp_end);
		json_end_object(w);
	}
	json_end_array(w);
	json_end_object(w);
	json_end_object(w);
	x->rows++;
	export_tick(&x->prog);
	return ferror(x->f) ? -1 : 0;
}

long export_write(struct store *st, const struct export_opts *o, FILE *f)
{
	struct export_ctx x;
	size_t *total;
	int r;

	/* a filter that cannot select says so before anything is written */
	if (store_filter_check(st, &o->filter) != 0)
		return -1;
	memset(&x, 0, sizeof x);
	x.o = o;
	x.f = f;
	x.prog.on = o->progress && isatty(STDERR_FILENO);
	x.prog.start = x.prog.last = export_now();
	/* counting the rows first costs a pass: only for a bar that shows */
	total = x.prog.on ? &x.prog.total : NULL;
	switch (o->format) {
	case EXPORT_CSV:
		csv_writer_init(&x.cw, f);
		export_csv_header(&x);
		r = store_export(st, &o->filter, total, export_csv_row, &x);
		break;
	case EXPORT_JSONL:
		r = store_export(st, &o->filter, total, export_jsonl_row, &x);
		break;
	default:
		json_writer_init(&x.jw, f, JSON_PRETTY);
		json_begin_object(&x.jw);
		export_kv(&x.jw, "@context", EXPORT_CONTEXT);
		export_kv(&x.jw, "type", "AnnotationCollection");
		json_key(&x.jw, "first");
		json_begin_object(&x.jw);
		export_kv(&x.jw, "type", "AnnotationPage");
		json_key(&x.jw, "items");
		json_begin_array(&x.jw);
		r = store_export(st, &o->filter, total, export_w3c_row, &x);
		x.links_pass = true;
		if (r == 0)
			r = store_export(st, &o->filter, NULL, export_w3c_row, &x);
		json_end_array(&x.jw);
		json_end_object(&x.jw);
		/* every item of the collection, its links too */
		json_key(&x.jw, "total");
		json_put_int(&x.jw, x.rows + x.link_items);
		json_end_object(&x.jw);
		fputc('\n', f);
		break;
	}
	export_tick_done(&x.prog);
	free(x.fix);
	if (r != 0) {
		if (r > 0 || ferror(f))
			util_error("cannot write: %s", strerror(errno ? errno : EIO));
		return -1;
	}
	if (fflush(f) != 0 || ferror(f)) {
		util_error("cannot write: %s", strerror(errno ? errno : EIO));
		return -1;
	}
	return x.rows;
}

/* Make a rename in path's directory durable. */
static void export_sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? util_memdup(path, slash == path ? 1 : (size_t)(slash - path))
			  : util_strdup(".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

/* Big writes for a file export_to opened, or stdout: an export of a million
 * rows is mostly output.  glibc ignores the size unless it is given the
 * buffer; a static one outlives any stream, stdout included, and exports
 * come one after another.  Not for a memory stream, which keeps its own. */
static void export_buffer(FILE *f)
{
	static char buf[1u << 20];

	setvbuf(f, buf, _IOFBF, sizeof buf);
}

/* Write the export into f (export_buffer's buffer), which goes to path,
 * then close f; with sync, fsync it first.  The rows, or -1 with the
 * error naming path. */
static long export_stream(struct store *st, const struct export_opts *o, FILE *f, const char *path,
			  bool sync)
{
	long rows;

	export_buffer(f);
	rows = export_write(st, o, f);
	if (rows < 0 && strncmp(util_errmsg(), "cannot write: ", 14) == 0) {
		/* name the file the output was going to */
		char why[300];
		snprintf(why, sizeof why, "%s", util_errmsg() + 14);
		util_error("cannot write '%s': %s", path, why);
	}
	if (rows >= 0 && (fflush(f) != 0 || (sync && fsync(fileno(f)) != 0))) {
		util_error("cannot write '%s': %s", path, strerror(errno));
		rows = -1;
	}
	if (fclose(f) != 0 && rows >= 0) {
		util_error("cannot write '%s': %s", path, strerror(errno));
		rows = -1;
	}
	return rows;
}

/* path is the database, one of its -wal and -shm files, or a file o->keep
 * names (the same file, by device and inode): true, with util_error(). */
static bool export_refused(struct store *st, const struct export_opts *o, const char *path)
{
	static const char *const db_files[] = {"", "-wal", "-shm", "-journal"};
	struct stat t, k;
	/* SQLite keeps -wal and -shm beside the file a link names */
	char *real = realpath(store_path(st), NULL);
	const char *db = real ? real : store_path(st);
	size_t n = strlen(db) + 16;
	char *name;
	bool refused = false;

	if (stat(path, &t) != 0) {
		free(real);
		return false;
	}
	name = util_malloc(n);
	for (size_t i = 0; i < sizeof db_files / sizeof *db_files && !refused; i++) {
		snprintf(name, n, "%s%s", db, db_files[i]);
		refused = stat(name, &k) == 0 && k.st_dev == t.st_dev && k.st_ino == t.st_ino;
	}
	free(name);
	free(real);
	if (refused) {
		util_error("'%s' is the database: an export never replaces it", path);
		return true;
	}
	for (size_t i = 0; i < o->nkeep; i++) {
		if (stat(o->keep[i], &k) == 0 && k.st_dev == t.st_dev && k.st_ino == t.st_ino) {
			util_error("'%s' is a document open here: an export does not replace it", path);
			return true;
		}
	}
	return false;
}

/* The temporary file being written, for the handler below. */
static char *volatile export_tmp;
static const int export_signals[] = {SIGINT, SIGTERM, SIGHUP};

static void export_on_signal(int sig)
{
	if (export_tmp)
		unlink(export_tmp);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* tmp becomes what a signal removes, with the handlers set (the ones
 * before kept in old); NULL puts those back.  A signal ignored (nohup, a
 * background job's Ctrl-C) stays ignored. */
static void export_guard(char *tmp, struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = export_on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof export_signals / sizeof *export_signals; i++)
		sigaddset(&sa.sa_mask, export_signals[i]);
	if (tmp)
		export_tmp = tmp;
	for (size_t i = 0; i < sizeof export_signals / sizeof *export_signals; i++) {
		if (tmp) {
			if (sigaction(export_signals[i], NULL, &old[i]) != 0)
				old[i].sa_handler = SIG_IGN; /* not known: left as it is */
			else if (old[i].sa_handler != SIG_IGN)
				sigaction(export_signals[i], &sa, NULL);
		} else if (old[i].sa_handler != SIG_IGN) {
			sigaction(export_signals[i], &old[i], NULL);
		}
	}
	if (!tmp)
		export_tmp = NULL;
}

long export_to(struct store *st, const struct export_opts *o, const char *path)
{
	char *tmp, *target = NULL;
	struct stat sb;
	size_t n;
	int fd;
	FILE *f;
	long rows;

	if (!path || strcmp(path, "-") == 0) {
		export_buffer(stdout);
		return export_write(st, o, stdout);
	}
	if (export_refused(st, o, path))
		return -1;
	/* A device or a pipe (/dev/null, /dev/stdout, a FIFO) is written
	 * into, as the shell's > does: replacing it with a file would break
	 * it, and it holds no older export to keep. */
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode)) {
		fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		f = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (!f) {
			util_error("cannot write '%s': %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		return export_stream(st, o, f, path, false);
	}
	/* rename() would replace a link with a file; writing through it could
	 * reach a file the user never named: neither without being asked. */
	if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
		if (!o->force) {
			util_error("'%s' is a symbolic link: not replaced (--force writes to the file it"
				   " points to)", path);
			return -1;
		}
		target = realpath(path, NULL);
		if (!target) {
			util_error("cannot write '%s': %s", path, strerror(errno));
			return -1;
		}
		path = target;
	}
	n = strlen(path) + 32;
	tmp = util_malloc(n);
	snprintf(tmp, n, "%s.tmp-XXXXXX", path);
	/* from before it exists, so that no signal leaves it behind (one that
	 * comes sooner finds no file of the template's name) */
	struct sigaction old[sizeof export_signals / sizeof *export_signals];
	if (o->on_signal)
		export_guard(tmp, old);
	fd = mkstemp(tmp);
	if (fd < 0) {
		util_error("cannot write '%s': %s", path, strerror(errno));
		if (o->on_signal)
			export_guard(NULL, old);
		free(tmp);
		free(target);
		return -1;
	}
	/* the mode a file written in place would have: a replaced file's own,
	 * else what the umask leaves of 0666 (mkstemp made it 0600) */
	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
		fchmod(fd, sb.st_mode & 07777);
	} else {
		mode_t mask = umask(0);
		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	f = fdopen(fd, "w");
	if (!f) {
		util_error("cannot write '%s': %s", path, strerror(errno));
		close(fd);
		rows = -1;
	} else {
		rows = export_stream(st, o, f, path, true);
		if (rows >= 0 && rename(tmp, path) != 0) {
			util_error("cannot write '%s': %s", path, strerror(errno));
			rows = -1;
		}
	}
	if (rows < 0)
		unlink(tmp);
	/* renamed or removed: a signal now has nothing to remove */
	if (o->on_signal)
		export_guard(NULL, old);
	if (rows >= 0)
		export_sync_dir(path);
	free(tmp);
	free(target);
	return rows;
}

/* ---- listings ---- */

struct export_list_ctx {
	FILE *out;
	long rows;
	const char *sha;   /* the document being walked (its row's string copied) */
	char sha_buf[65];
	size_t pos, line, col;
};

/* A line of the listing never breaks: line ends and controls show as spaces. */
static void export_flat(FILE *out, const char *s, size_t n)
{
	size_t i = 0;
	uint32_t cp;
	int valid;

	while (i < n) {
		int k = util_utf8_decode(s + i, n - i, &cp, &valid);
		if (!valid || cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || util_cp_disruptive(cp))
			fputc(' ', out);
		else
			fwrite(s + i, 1, (size_t)k, out);
		i += (size_t)k;
	}
}

static int export_list_row(void *arg, const struct store_row *r)
{
	struct export_list_ctx *x = arg;
	uint32_t cp;
	int valid;

	if (strcmp(x->sha_buf, r->sha256) != 0) {
		snprintf(x->sha_buf, sizeof x->sha_buf, "%s", r->sha256);
		x->pos = 0;
		x->line = x->col = 1;
	}
	export_flat(x->out, r->path, strlen(r->path));
	if (r->bytes && r->text) {
		/* Rows come by start: walk the text once per document. */
		while (x->pos < r->start && x->pos < r->size) {
			int k = util_utf8_decode(r->text + x->pos, r->size - x->pos, &cp, &valid);
			if (cp == '\n') {
				x->line++;
				x->col = 1;
			} else {
				x->col++;
			}
			x->pos += (size_t)k;
		}
		fprintf(x->out, ":%zu:%zu: ", x->line, x->col);
	} else {
		fputs(": ", x->out);
	}
	fprintf(x->out, "%s: \"", r->tag);
	export_flat(x->out, r->quote, r->quote_len);
	fputc('"', x->out);
	if (r->note[0]) {
		fputc(' ', x->out);
		export_flat(x->out, r->note, strlen(r->note));
	}
	if (!r->bytes)
		fputs(r->placed ? " (not placed yet)" : " (orphaned)", x->out);
	fputc('\n', x->out);
	x->rows++;
	return ferror(x->out) ? -1 : 0;
}

long export_list(struct store *st, const struct store_filter *f, FILE *out)
{
	struct export_list_ctx x;

	memset(&x, 0, sizeof x);
	x.out = out;
	if (store_export(st, f, NULL, export_list_row, &x) != 0 || fflush(out) != 0) {
		if (ferror(out))
			util_error("cannot write: %s", strerror(errno ? errno : EIO));
		return -1;
	}
	return x.rows;
}

long export_docs(struct store *st, const struct store_filter *f, FILE *out)
{
	struct store_docinfo *d;
	size_t n, i;

	if (store_docs(st, f, &d, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		export_flat(out, d[i].path, strlen(d[i].path));
		fprintf(out, "  %.12s  %zu claim%s  %zu source%s  %zu unsourced  (%zu annotation%s)\n",
			d[i].sha256, d[i].claims, d[i].claims == 1 ? "" : "s", d[i].sources,
			d[i].sources == 1 ? "" : "s", d[i].unsourced, d[i].annotations,
			d[i].annotations == 1 ? "" : "s");
	}
	store_docs_free(d, n);
	if (fflush(out) != 0 || ferror(out)) {
		util_error("cannot write: %s", strerror(errno ? errno : EIO));
		return -1;
	}
	return (long)n;
}

/* ---- import ---- */

/* The documents an import names, each opened and checked once. */
struct import_doc {
	char *path;
	char sha[65];
	struct doc *doc; /* NULL when not at its path with that SHA-256 */
	size_t alt;      /* else the entry of another path that has it (ndocs: none;
			  * SIZE_MAX: not looked for yet) */
};

struct import {
	struct store *st;
	struct store_import *im;
	struct import_doc *docs;
	size_t ndocs;
	size_t last;       /* the docs entry the last row found: rows come grouped */
	bool scan;         /* the first pass: only find the texts */
	long line;
	size_t ties;       /* rows kept though they differ, with the same updated */
	char tie_lines[80]; /* the first of their lines, for the warning */
	struct import_id *ids; /* every row's id, from the first pass */
	size_t nids, capids;
};

/* A row's id as 16 bytes, and its line. */
struct import_id {
	unsigned char id[16];
	long line;
};

/*
 * The text of the version sha, from the file at path when it holds that
 * version, else from any other row's path that did (the first pass opens
 * every path, so that whether a row finds its text does not depend on the
 * order of the rows).  NULL when none did.  Only a regular file is read:
 * "-" (a document read from standard input) or a FIFO would read, or wait
 * on, something else.
 */
static const char *import_text(struct import *x, const char *path, const char *sha, size_t *size)
{
	struct import_doc *d = NULL, *t;
	struct stat sb;
	size_t i;

	if (x->last < x->ndocs && strcmp(x->docs[x->last].sha, sha) == 0 &&
	    strcmp(x->docs[x->last].path, path) == 0)
		d = &x->docs[x->last];
	for (i = 0; !d && i < x->ndocs; i++)
		if (strcmp(x->docs[i].sha, sha) == 0 && strcmp(x->docs[i].path, path) == 0)
			d = &x->docs[x->last = i];
	if (!d) {
		x->docs = util_realloc(x->docs, (x->ndocs + 1) * sizeof *x->docs);
		x->last = x->ndocs;
		d = &x->docs[x->ndocs++];
		d->path = util_strdup(path);
		snprintf(d->sha, sizeof d->sha, "%s", sha);
		d->doc = NULL;
		d->alt = SIZE_MAX;
		if (strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
			d->doc = doc_open(path, NULL);
		if (d->doc) {
			while (!doc_hash_step(d->doc, 64u << 20))
				;
			if (strcmp(doc_sha256(d->doc), sha) != 0) {
				doc_free(d->doc);
				d->doc = NULL;
			}
		}
	}
	if (x->scan)
		return NULL;
	if (!d->doc && d->alt == SIZE_MAX) {
		/* once, after the first pass has opened every path */
		d->alt = x->ndocs;
		for (i = 0; i < x->ndocs; i++)
			if (x->docs[i].doc && strcmp(x->docs[i].sha, sha) == 0) {
				d->alt = i;
				break;
			}
	}
	t = d->doc ? d : d->alt < x->ndocs ? &x->docs[d->alt] : NULL;
	if (!t)
		return NULL;
	*size = doc_size(t->doc);
	return doc_bytes(t->doc) ? doc_bytes(t->doc) : "";
}

static bool import_is_uuid(const char *s)
{
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return s[36] == '\0';
}

static bool import_is_sha(const char *s)
{
	size_t i;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[64] == '\0';
}

static bool import_is_time(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	for (size_t i = 0; i < sizeof shape - 1; i++)
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return false;
	return s[sizeof shape - 1] == '\0';
}

/* Ids with spaces between them, as many as a hand may leave (before, between
 * and after), as the store reads them. */
static bool import_is_links(const char *s)
{
	for (s += strspn(s, " "); *s; s += strspn(s, " ")) {
		size_t k = strcspn(s, " ");
		char id[40];
		if (k != 36)
			return false;
		memcpy(id, s, 36);
		id[36] = '\0';
		if (!import_is_uuid(id))
			return false;
		s += k;
	}
	return true;
}

static bool import_number(const char *s, size_t *out)
{
	size_t v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (SIZE_MAX - 9) / 10)
			return false;
		v = v * 10 + (size_t)(*s - '0');
	}
	*out = v;
	return true;
}

/* Check a row's fields; col names where a bad one is ("column 5 (start)"). */
static bool import_check(struct import *x, struct store_row *r, const char *start, const char *end,
			 const char *(*where)(void *, int), void *arg)
{
	const char *what = NULL;
	int col = 0;

	if (!import_is_uuid(r->uuid))
		col = 0, what = "not an id (a UUID)";
	else if (!*r->path)
		col = 1, what = "no document";
	else if (!import_is_sha(r->sha256))
		col = 2, what = "not a SHA-256 (64 lowercase hex digits)";
	else if (!*r->tag)
		col = 3, what = "no tag";
	else if ((*start == '\0') != (*end == '\0'))
		col = *start ? 5 : 4, what = "start and end must both be given or both empty";
	else if (*start && !import_number(start, &r->cp_start))
		col = 4, what = "not a whole number";
	else if (*end && !import_number(end, &r->cp_end))
		col = 5, what = "not a whole number";
	else if (*start && r->cp_end < r->cp_start)
		col = 5, what = "end before start";
	else if (!import_is_links(r->links))
		col = 8, what = "not ids separated by spaces";
	else if (!import_is_time(r->created))
		col = 10, what = "not a time like 2026-11-22T10:00:00Z";
	else if (!import_is_time(r->updated))
		col = 11, what = "not a time like 2026-11-22T10:00:00Z";
	if (what) {
		util_error("line %ld, %s: %s", x->line, where(arg, col), what);
		return false;
	}
	r->placed = *start != '\0';
	return true;
}

static int import_row(struct import *x, struct store_row *r,
		      const char *(*where)(void *, int), void *arg)
{
	size_t size = 0;
	const char *text = import_text(x, r->path, r->sha256, &size);
	char msg[600];
	int k;

	if (x->scan) {
		struct import_id *e;
		if (x->nids == x->capids) {
			x->capids = x->capids ? 2 * x->capids : 256;
			x->ids = util_realloc(x->ids, x->capids * sizeof *x->ids);
		}
		e = &x->ids[x->nids++];
		for (int i = 0, j = 0; i < 36; i++)
			if (r->uuid[i] != '-') {
				int v = r->uuid[i] <= '9' ? r->uuid[i] - '0' : r->uuid[i] - 'a' + 10;
				e->id[j / 2] = (unsigned char)(j % 2 ? e->id[j / 2] | v : v << 4);
				j++;
			}
		e->line = x->line;
		return 0;
	}
	k = store_import_row(x->im, r, text, size);

	if (k == 2) {
		size_t used = strlen(x->tie_lines);
		if (x->ties++ < 5 && used + 24 < sizeof x->tie_lines)
			snprintf(x->tie_lines + used, sizeof x->tie_lines - used, "%s%ld",
				 used ? ", " : "", x->line);
	}
	if (k < 0) {
		snprintf(msg, sizeof msg, "%s", util_errmsg());
		/* Name the field the store found wrong, where it says which. */
		if (strstr(msg, "offsets"))
			util_error("line %ld, %s: %s", x->line, where(arg, 4), msg);
		else if (strstr(msg, "quote"))
			util_error("line %ld, %s: %s", x->line, where(arg, 6), msg);
		else
			util_error("line %ld: %s", x->line, msg);
		return -1;
	}
	return 0;
}

static int import_id_cmp(const void *a, const void *b)
{
	const struct import_id *x = a, *y = b;
	int c = memcmp(x->id, y->id, sizeof x->id);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* 0 when no id is on two rows of the file, else -1 naming the first row,
 * by line, that repeats an id.  Export never writes one twice; a file that
 * does would lose one of them in the merge without a word. */
static int import_ids_once(struct import *x)
{
	const struct import_id *again = NULL, *first = NULL;

	if (x->nids > 1)
		qsort(x->ids, x->nids, sizeof *x->ids, import_id_cmp);
	for (size_t i = 1; i < x->nids; i++)
		if (memcmp(x->ids[i].id, x->ids[i - 1].id, sizeof x->ids[i].id) == 0 &&
		    (!again || x->ids[i].line < again->line)) {
			again = &x->ids[i];
			first = &x->ids[i - 1];
			while (first > x->ids && memcmp(first[-1].id, again->id, sizeof again->id) == 0)
				first--;
		}
	if (!again)
		return 0;
	util_error("line %ld: the same id as line %ld", again->line, first->line);
	return -1;
}

static const char *import_csv_where(void *arg, int col)
{
	static char buf[64];
	(void)arg;
	snprintf(buf, sizeof buf, "column %d (%s)", col + 1, export_columns[col]);
	return buf;
}

static int import_csv(struct import *x, const char *buf, size_t n)
{
	struct csv_reader rd;
	struct csv_record rec;
	struct store_row row;
	const char *f[EXPORT_NCOL];
	size_t flen[EXPORT_NCOL];
	int r;
	size_t i;

	csv_reader_init(&rd, buf, n);
	r = csv_read(&rd, &rec);
	if (r <= 0) {
		if (r == 0)
			util_error("line 1, column 1: empty file");
		csv_reader_release(&rd);
		return -1;
	}
	/* The header must be the export's, word for word: name the first difference. */
	for (i = 0; i < EXPORT_NCOL && i < rec.nfield; i++)
		if (rec.field[i].n != strlen(export_columns[i]) ||
		    memcmp(rec.field[i].s, export_columns[i], rec.field[i].n) != 0)
			break;
	if (i < EXPORT_NCOL || rec.nfield != EXPORT_NCOL) {
		util_error("line 1, column %zu: not the header of a gloss export (id,document,sha256,...)",
			   i + 1);
		csv_reader_release(&rd);
		return -1;
	}
	while ((r = csv_read(&rd, &rec)) > 0) {
		x->line = (long)rec.line;
		/* A blank line (a hand-edited file's last line, say) holds no row. */
		if (rec.nfield == 1 && rec.field[0].n == 0)
			continue;
		if (rec.nfield != EXPORT_NCOL) {
			util_error("line %ld, column %zu: %zu fields, a row has %zu", x->line,
				   (rec.nfield < EXPORT_NCOL ? rec.nfield : EXPORT_NCOL) + 1, rec.nfield,
				   EXPORT_NCOL);
			r = -1;
			break;
		}
		for (i = 0; i < EXPORT_NCOL; i++) {
			const char *s = rec.field[i].s;
			size_t len = rec.field[i].n;
			/* An export made with --safe reads back as it was. */
			csv_unsafe(&s, &len);
			f[i] = s;
			flen[i] = len;
			/* Only a quote, taken from a document, may hold U+0000. */
			if (i != 6 && memchr(s, '\0', len)) {
				util_error("line %ld, %s: NUL byte", x->line, import_csv_where(NULL, (int)i));
				r = -1;
				break;
			}
		}
		if (r < 0)
			break;
		memset(&row, 0, sizeof row);
		row.uuid = f[0];
		row.path = f[1];
		row.sha256 = f[2];
		row.tag = f[3];
		row.quote = f[6];
		row.quote_len = flen[6];
		row.prefix = "";
		row.suffix = "";
		row.note = f[7];
		row.links = f[8];
		row.author = f[9];
		row.created = f[10];
		row.updated = f[11];
		if (!import_check(x, &row, f[4], f[5], import_csv_where, NULL) ||
		    import_row(x, &row, import_csv_where, NULL) < 0) {
			r = -1;
			break;
		}
	}
	csv_reader_release(&rd);
	return r < 0 ? -1 : 0;
}

static const char *import_json_where(void *arg, int col)
{
	static char buf[64];
	(void)arg;
	snprintf(buf, sizeof buf, "key \"%s\"", export_columns[col]);
	return buf;
}

/* A string member, or NULL with an error naming it; *len its length when
 * len is given (the text may hold U+0000), else it must hold no NUL. */
static const char *import_json_text(struct import *x, const struct json *o, const char *key,
				    size_t *len)
{
	size_t n;
	const char *s = json_as_string(json_get(o, key), &n);

	if (!s)
		util_error("line %ld, key \"%s\": missing or not a string", x->line, key);
	else if (!len && memchr(s, '\0', n))
		util_error("line %ld, key \"%s\": NUL byte", x->line, key), s = NULL;
	else if (len)
		*len = n;
	return s;
}

static const char *import_json_str(struct import *x, const struct json *o, const char *key)
{
	return import_json_text(x, o, key, NULL);
}

static int import_jsonl(struct import *x, const char *buf, size_t n)
{
	size_t at = 0, line = 0;
	int rc = 0;

	while (at < n && rc == 0) {
		const char *nl = memchr(buf + at, '\n', n - at);
		size_t len = nl ? (size_t)(nl - (buf + at)) : n - at;
		struct json *o;
		struct store_row row;
		char start[24] = "", end[24] = "";
		char *links = NULL;
		const struct json *v;
		int64_t num;

		line++;
		x->line = (long)line;
		/* a blank line, spaces and tabs alone among them, holds no row */
		size_t blank = 0;
		while (blank < len && (buf[at + blank] == ' ' || buf[at + blank] == '\t' ||
				       buf[at + blank] == '\r'))
			blank++;
		if (blank == len) {
			at += len + 1;
			continue;
		}
		o = json_parse(buf + at, len, line);
		at += len + 1;
		if (!o)
			return -1;
		memset(&row, 0, sizeof row);
		if (json_type(o) != JSON_OBJECT) {
			util_error("line %ld, column 1: not a JSON object", x->line);
			rc = -1;
		} else if (!(row.uuid = import_json_str(x, o, "id")) ||
			   !(row.path = import_json_str(x, o, "document")) ||
			   !(row.sha256 = import_json_str(x, o, "sha256")) ||
			   !(row.tag = import_json_str(x, o, "tag")) ||
			   !(row.quote = import_json_text(x, o, "quote", &row.quote_len)) ||
			   !(row.prefix = import_json_text(x, o, "prefix", &row.prefix_len)) ||
			   !(row.suffix = import_json_text(x, o, "suffix", &row.suffix_len)) ||
			   !(row.note = import_json_str(x, o, "note")) ||
			   !(row.author = import_json_str(x, o, "author")) ||
			   !(row.created = import_json_str(x, o, "created")) ||
			   !(row.updated = import_json_str(x, o, "updated"))) {
			rc = -1;
		}
		/* Offsets: whole numbers, or both null for an annotation not placed. */
		for (int k = 0; rc == 0 && k < 2; k++) {
			v = json_get(o, k ? "end" : "start");
			if (json_type(v) == JSON_NULL)
				continue;
			if (!json_as_int(v, &num) || num < 0) {
				util_error("line %ld, key \"%s\": not a whole number", x->line, k ? "end" : "start");
				rc = -1;
			} else {
				snprintf(k ? end : start, 24, "%lld", (long long)num);
			}
		}
		v = json_get(o, "links");
		if (rc == 0 && json_type(v) != JSON_ARRAY) {
			util_error("line %ld, key \"links\": missing or not an array", x->line);
			rc = -1;
		}
		if (rc == 0) {
			size_t nl2 = json_length(v), used = 0;
			links = util_malloc(nl2 * 37 + 1);
			links[0] = '\0';
			for (size_t k = 0; k < nl2 && rc == 0; k++) {
				size_t l;
				const char *id = json_as_string(json_at(v, k), &l);
				if (!id || l != 36) {
					util_error("line %ld, key \"links\": not an id", x->line);
					rc = -1;
					break;
				}
				used += (size_t)sprintf(links + used, "%s%s", used ? " " : "", id);
			}
			row.links = links;
		}
		if (rc == 0 && (!import_check(x, &row, start, end, import_json_where, NULL) ||
				import_row(x, &row, import_json_where, NULL) < 0))
			rc = -1;
		free(links);
		json_free(o);
	}
	return rc;
}

long export_import(struct store *st, const char *path, FILE *warn)
{
	struct import x;
	struct doc *in = doc_open(path, NULL);
	const char *buf;
	size_t n, i;
	long done = -1;
	int rc;
	char msg[700];

	if (!in)
		return -1;
	memset(&x, 0, sizeof x);
	x.st = st;
	buf = doc_bytes(in);
	n = doc_size(in);
	i = 0;
	while (i < n && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	x.im = store_import_begin(st);
	if (!x.im) {
		doc_free(in);
		return -1;
	}
	/* First the texts of every version the rows name, then the rows; the
	 * first pass stops quietly where the second will say what is wrong. */
	for (int pass = 0; pass < 2; pass++) {
		x.scan = pass == 0;
		/* nothing but blank lines is JSON Lines of no row: what an export
		 * of nothing in that format writes */
		rc = (i == n || buf[i] == '{') ? import_jsonl(&x, buf, n)
					       : import_csv(&x, buf ? buf : "", n);
		if (x.scan && (rc = import_ids_once(&x)) != 0)
			break;
	}
	free(x.ids);
	if (rc < 0) {
		snprintf(msg, sizeof msg, "%s", util_errmsg());
		store_import_abort(x.im);
		util_error("import '%s': %s", path, msg);
	} else {
		struct store_import_report rep;

		done = store_import_commit_report(x.im, &rep);
		if (done < 0) {
			snprintf(msg, sizeof msg, "%s", util_errmsg());
			util_error("import '%s': %s", path, msg);
		} else if (warn) {
			if (x.ties)
				fprintf(warn, "gloss: import '%s': %zu annotation%s differ%s from the"
					" database's with the same updated time; kept the database's"
					" (line%s %s%s)\n",
					path, x.ties, x.ties == 1 ? "" : "s", x.ties == 1 ? "s" : "",
					x.ties == 1 ? "" : "s", x.tie_lines, x.ties > 5 ? ", ..." : "");
			if (rep.dangling)
				fprintf(warn, "gloss: import '%s': %zu link%s to annotations in neither the"
					" file nor the database left out ('%s'%s)\n",
					path, rep.dangling, rep.dangling == 1 ? "" : "s", rep.dangling_to,
					rep.dangling > 1 ? ", ..." : "");
		}
	}
	for (i = 0; i < x.ndocs; i++) {
		free(x.docs[i].path);
		doc_free(x.docs[i].doc);
	}
	free(x.docs);
	doc_free(in);
	return done;
}
