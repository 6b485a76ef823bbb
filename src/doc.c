/*
 * doc.c: opening a document (a read-only mapping, or one buffer for a pipe),
 * what the first 64 KiB say about it (binary or not, a title), and its
 * SHA-256 computed in steps, with a small file of known sums so that an
 * unchanged file is not hashed again.  doc_show_cp() lives in doc_show.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gloss/doc.h"
#include "gloss/sha256.h"
#include "gloss/util.h"

/* Only this much of the start is looked at for the title, and for the
 * binary check the first 8 KiB of it (as git does): enough to tell, and
 * cheap enough for every start. */
#define DOC_HEAD ((size_t)64 * 1024)
#define DOC_BINARY_HEAD ((size_t)8 * 1024)

#define CACHE_MAGIC "gloss-hash-cache 2"
#define CACHE_MAX_ENTRIES 1000
/* A cache bigger than this is not ours to read (1000 entries of PATH_MAX paths fit). */
#define CACHE_MAX_BYTES ((size_t)8 << 20)
/*
 * A file changed again within one clock tick of the change we saw keeps its
 * mtime; a sum is only recorded for a file whose mtime was this much older
 * than the moment it was opened, so such a change cannot hide behind it.
 */
#define CACHE_RACY_NS 2000000000LL

/* What identifies one version of a file for the hash cache. */
struct doc_key {
	uintmax_t dev, ino, size;
	int64_t mtime_ns;
	int64_t ctime_ns; /* which no program sets back, as touch -r does mtime */
};

struct doc {
	char *path;        /* as given */
	char *name;        /* base name, or "stdin" */
	const char *bytes; /* NULL when size is 0 */
	size_t size;
	void *map;         /* the mapping bytes lie in, or NULL */
	size_t map_len;
	char *buf;         /* or the buffer read from a pipe */
	int fd;            /* the mapped file, kept open to see it written; -1: none */
	int slot;          /* its place in doc_maps, -1: none */
	off_t map_size;    /* its size and modification time when it was mapped */
	struct timespec map_mtime;

	/* Hash cache: keyed is true when the bytes are one regular file's. */
	char *cache;       /* the cache file, or NULL */
	char *abspath;     /* resolved path for the cache; NULL for stdin */
	bool keyed;
	bool racy;         /* too recently modified to be recorded */
	struct doc_key key;

	struct sha256 ctx;
	size_t hashed;     /* bytes fed to ctx */
	char *hash_buf;    /* a mapped file's next bytes to hash (read_for_hash) */
	size_t hash_cap;
	bool done;
	bool saved;        /* the sum is in the cache, or was looked for there */
	char hex[SHA256_HEX_LEN + 1];
};

/*
 * The error message quotes the path; a path may hold any byte, and an escape
 * in it must not reach the terminal, so control bytes show as '?'.
 */
static bool open_error(const char *path, const char *reason)
{
	size_t n = strlen(path), i, o = 0;
	char *safe = util_malloc(n + 1);

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)path[i];
		if (c < 0x20 || c == 0x7F) {
			safe[o++] = '?';
		} else if (c == 0xC2 && i + 1 < n && (unsigned char)path[i + 1] >= 0x80 &&
			   (unsigned char)path[i + 1] <= 0x9F) {
			safe[o++] = '?'; /* a C1 control in UTF-8 */
			i++;
		} else {
			safe[o++] = (char)c;
		}
	}
	safe[o] = '\0';
	util_error("cannot open '%s': %s", safe, reason);
	free(safe);
	return false;
}

static long page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);
	return p > 0 ? p : 4096;
}

/* Hint that bytes [off, off + len) of the document are wanted soon. */
static void advise_willneed(const struct doc *d, size_t off, size_t len)
{
	size_t start, end, page = (size_t)page_size();

	if (!d->map || off >= d->size || len == 0)
		return;
	start = (size_t)(d->bytes - (const char *)d->map) + off;
	end = len > d->map_len - start ? d->map_len : start + len;
	start -= start % page;
	posix_madvise((char *)d->map + start, end - start, POSIX_MADV_WILLNEED);
}

/* t in nanoseconds; false when it does not fit. */
static bool key_ns(const struct timespec *t, int64_t *ns)
{
	int64_t sec = (int64_t)t->tv_sec;

	if (sec > INT64_MAX / 1000000000 - 1 || sec < INT64_MIN / 1000000000 + 1)
		return false;
	*ns = sec * 1000000000 + t->tv_nsec;
	return true;
}

/* The cache key of a stat() result; false when a time does not fit in
 * nanoseconds. */
static bool key_of(const struct stat *st, struct doc_key *k)
{
	k->dev = (uintmax_t)st->st_dev;
	k->ino = (uintmax_t)st->st_ino;
	k->size = (uintmax_t)st->st_size;
	return key_ns(&st->st_mtim, &k->mtime_ns) && key_ns(&st->st_ctim, &k->ctime_ns);
}

static void set_key(struct doc *d, const struct stat *st)
{
	struct timespec now;

	d->keyed = key_of(st, &d->key);
	d->racy = true;
	if (d->keyed && clock_gettime(CLOCK_REALTIME, &now) == 0 &&
	    now.tv_sec < INT64_MAX / 1000000000 - 1)
		d->racy = d->key.mtime_ns >
			  (int64_t)now.tv_sec * 1000000000 + now.tv_nsec - CACHE_RACY_NS;
}

/*
 * The mappings of the open documents, for doc_fault, which a signal handler
 * calls: read there without a lock, each entry written whole before its
 * base is set and cleared by its base first.
 */
#define DOC_MAPS 64
static struct {
	char *volatile base;
	volatile size_t len;
	volatile sig_atomic_t cut;
} doc_maps[DOC_MAPS];
static volatile long doc_page;

static void maps_add(struct doc *d)
{
	doc_page = page_size();
	for (int i = 0; i < DOC_MAPS; i++) {
		if (!doc_maps[i].base) {
			doc_maps[i].len = d->map_len;
			doc_maps[i].cut = 0;
			doc_maps[i].base = d->map;
			d->slot = i;
			return;
		}
	}
}

bool doc_fault(const void *addr)
{
	uintptr_t a = (uintptr_t)addr;

	for (int i = 0; i < DOC_MAPS; i++) {
		uintptr_t base = (uintptr_t)doc_maps[i].base;
		size_t len = doc_maps[i].len;
		if (!base || a < base || a >= base + len)
			continue;
		/* zero pages from the one that faulted to the mapping's end: the
		 * file is shorter now, and those bytes are gone from it */
		uintptr_t page = a - a % (uintptr_t)doc_page;
		if (mmap((void *)page, base + len - page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			 -1, 0) == MAP_FAILED)
			return false;
		doc_maps[i].cut = 1;
		return true;
	}
	return false;
}

/* Map the regular file open on fd from byte off to its end. */
static bool map_fd(struct doc *d, int fd, const struct stat *st, off_t off)
{
	size_t page = (size_t)page_size();
	off_t base;
	void *p;

	if ((uintmax_t)st->st_size > SIZE_MAX)
		return open_error(d->path, strerror(EFBIG));
	if (off >= st->st_size)
		return true; /* empty: no mapping, bytes stay NULL */
	base = off - off % (off_t)page;
	d->map_len = (size_t)(st->st_size - base);
	p = mmap(NULL, d->map_len, PROT_READ, MAP_PRIVATE, fd, base);
	if (p == MAP_FAILED)
		return open_error(d->path, strerror(errno));
	d->map = p;
	maps_add(d);
	d->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	d->map_size = st->st_size;
	d->map_mtime = st->st_mtim;
	d->bytes = (const char *)p + (off - base);
	d->size = (size_t)(st->st_size - off);
	/* The first screen, the title and the binary check read the head at once. */
	advise_willneed(d, 0, DOC_HEAD);
	return true;
}

static bool read_all(struct doc *d, int fd);

static bool open_file(struct doc *d)
{
	struct stat st;
	char *abs;
	int fd;
	bool ok;

	/* Look before opening: opening a FIFO would block, a device may act. */
	if (stat(d->path, &st) < 0)
		return open_error(d->path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return open_error(d->path, strerror(EISDIR));
	if (S_ISFIFO(st.st_mode)) {
		/* A pipe by name (gloss <(zcat a.gz) <(zcat b.gz)): read like stdin. */
		fd = open(d->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return open_error(d->path, strerror(errno));
		ok = read_all(d, fd);
		close(fd);
		return ok;
	}
	if (!S_ISREG(st.st_mode))
		return open_error(d->path, "not a regular file");
	fd = open(d->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return open_error(d->path, strerror(errno));
	/* The name may have been replaced since stat(): judge what was opened. */
	if (fstat(fd, &st) < 0)
		ok = open_error(d->path, strerror(errno));
	else if (S_ISDIR(st.st_mode))
		ok = open_error(d->path, strerror(EISDIR));
	else if (!S_ISREG(st.st_mode))
		ok = open_error(d->path, "not a regular file");
	else
		ok = map_fd(d, fd, &st, 0);
	close(fd); /* the mapping stays valid */
	if (!ok)
		return false;

	set_key(d, &st);
	/* The cache file is line based: a path holding a line end cannot be in it. */
	abs = realpath(d->path, NULL);
	if (abs && !strpbrk(abs, "\n\r")) {
		d->abspath = util_strdup(abs);
	} else {
		d->keyed = false;
	}
	free(abs);
	return true;
}

/* Read all of fd (a pipe, a terminal, a socket) into one growing buffer. */
static bool read_all(struct doc *d, int fd)
{
	size_t cap = DOC_HEAD, len = 0;
	char *buf = util_malloc(cap);

	for (;;) {
		ssize_t n;
		if (len == cap) {
			if (cap > SIZE_MAX / 2) {
				free(buf);
				return open_error(d->path, strerror(EFBIG));
			}
			cap *= 2;
			buf = util_realloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len);
		if (n > 0) {
			len += (size_t)n;
		} else if (n == 0) {
			break;
		} else if (errno == EINTR) {
			continue;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			/* stdin may have been left non-blocking by whoever made it */
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			poll(&pfd, 1, -1);
		} else {
			int e = errno;
			free(buf);
			return open_error(d->path, strerror(e));
		}
	}
	if (len == 0) {
		free(buf);
		return true;
	}
	d->buf = util_realloc(buf, len);
	d->bytes = d->buf;
	d->size = len;
	return true;
}

static bool open_stdin(struct doc *d)
{
	struct stat st;
	off_t off;

	if (fstat(STDIN_FILENO, &st) < 0)
		return open_error(d->path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return open_error(d->path, strerror(EISDIR));
	if (!S_ISREG(st.st_mode))
		return read_all(d, STDIN_FILENO);

	/* A redirected file: map it from where the reading position stands. */
	off = lseek(STDIN_FILENO, 0, SEEK_CUR);
	if (off < 0)
		off = 0;
	if (!map_fd(d, STDIN_FILENO, &st, off))
		return false;
	/* Only the whole file has the identity the cache knows it by. */
	if (off == 0)
		set_key(d, &st);
	return true;
}

/* ---- the hash cache ---- */

struct cache_entry {
	struct doc_key key;
	char hex[SHA256_HEX_LEN + 1];
	const char *path;  /* into the line */
	const char *line;  /* the whole line, NUL-terminated */
};

/* The cache file as one NUL-terminated buffer, or NULL when there is none usable. */
static char *cache_read(const char *file)
{
	struct stat st;
	size_t len = 0;
	char *buf;
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uintmax_t)st.st_size > CACHE_MAX_BYTES) {
		close(fd);
		return NULL;
	}
	buf = util_malloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* Decimal digits up to a single space; no sign, no overflow. */
static bool parse_uint(const char **pp, uintmax_t *v)
{
	const char *p = *pp;
	uintmax_t x = 0;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned digit = (unsigned)(*p - '0');
		if (x > (UINTMAX_MAX - digit) / 10)
			return false;
		x = x * 10 + digit;
	}
	if (*p != ' ')
		return false;
	*pp = p + 1;
	*v = x;
	return true;
}

/* A signed number of nanoseconds and its space. */
static bool parse_ns(const char **pp, int64_t *v)
{
	bool neg = **pp == '-';
	uintmax_t x;

	if (neg)
		(*pp)++;
	if (!parse_uint(pp, &x) || x > INT64_MAX)
		return false;
	*v = neg ? -(int64_t)x : (int64_t)x;
	return true;
}

/* One entry: "DEV INODE SIZE MTIME_NS CTIME_NS SHA256 PATH"; anything else
 * is skipped. */
static bool cache_parse(const char *line, struct cache_entry *e)
{
	const char *p = line;
	int i;

	if (!parse_uint(&p, &e->key.dev) || !parse_uint(&p, &e->key.ino) ||
	    !parse_uint(&p, &e->key.size) || !parse_ns(&p, &e->key.mtime_ns) ||
	    !parse_ns(&p, &e->key.ctime_ns))
		return false;
	for (i = 0; i < SHA256_HEX_LEN; i++) {
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return false;
		e->hex[i] = p[i];
	}
	e->hex[SHA256_HEX_LEN] = '\0';
	p += SHA256_HEX_LEN;
	if (*p++ != ' ')
		return false;
	if (*p != '/' && strcmp(p, "-") != 0)
		return false;
	e->path = p;
	e->line = line;
	return true;
}

/*
 * Split buf into its entries, in file order.  Lines are cut in place.  A file
 * without the magic first line (another format, a newer version) has none.
 */
static struct cache_entry *cache_entries(char *buf, size_t *count)
{
	struct cache_entry *v = NULL;
	size_t n = 0, cap = 0;
	char *p = buf, *nl;

	*count = 0;
	nl = strchr(p, '\n');
	if (!nl)
		return NULL;
	*nl = '\0';
	if (strcmp(p, CACHE_MAGIC) != 0)
		return NULL;
	for (p = nl + 1; *p; p = nl + 1) {
		struct cache_entry e;
		nl = strchr(p, '\n');
		if (!nl)
			break; /* a last line without its end was cut short: skip it */
		*nl = '\0';
		if (!cache_parse(p, &e))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = util_realloc(v, cap * sizeof *v);
		}
		v[n++] = e;
	}
	*count = n;
	return v;
}

static bool key_equal(const struct doc_key *a, const struct doc_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

/* Standard input has no path of its own: any entry for the same file will do. */
static void cache_lookup(struct doc *d)
{
	char *buf = cache_read(d->cache);
	struct cache_entry *v;
	size_t n, i;

	if (!buf)
		return;
	v = cache_entries(buf, &n);
	for (i = n; i-- > 0;) {
		if (key_equal(&v[i].key, &d->key) && (!d->abspath || !strcmp(v[i].path, d->abspath))) {
			memcpy(d->hex, v[i].hex, sizeof d->hex);
			d->hashed = d->size;
			d->done = true;
			d->saved = true;
			break;
		}
	}
	free(v);
	free(buf);
}

/* mkdir -p for the directory part of file, new directories private. */
static void make_parent(const char *file)
{
	char *dir = util_strdup(file), *slash = strrchr(dir, '/'), *p;
	struct stat st;

	if (!slash || slash == dir) {
		free(dir);
		return;
	}
	*slash = '\0';
	if (stat(dir, &st) == 0) {
		free(dir);
		return;
	}
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(dir, 0700);
		*p = '/';
	}
	mkdir(dir, 0700);
	free(dir);
}

/*
 * Record d's sum: read the cache, drop the old entry for the same path, keep
 * the newest entries, and replace the file atomically.  Failure is silent: a
 * lost entry only costs hashing the file again.
 */
static void cache_record(const struct doc *d)
{
	const char *path = d->abspath ? d->abspath : "-";
	struct cache_entry *v = NULL;
	size_t n = 0, i, kept = 0, first = 0;
	char *buf, *tmp;
	FILE *f;
	int fd;
	bool ok;

	if (!d->cache || !d->keyed || d->racy)
		return;
	if (d->abspath) {
		/* A file changed while it was hashed has no sum to remember. */
		struct stat st;
		struct doc_key now;
		if (stat(d->abspath, &st) < 0 || !key_of(&st, &now) || !key_equal(&now, &d->key))
			return;
	}

	buf = cache_read(d->cache);
	if (buf)
		v = cache_entries(buf, &n);
	for (i = 0; i < n; i++)
		if (strcmp(v[i].path, path) != 0)
			v[kept++] = v[i];
	if (kept > CACHE_MAX_ENTRIES - 1)
		first = kept - (CACHE_MAX_ENTRIES - 1);

	make_parent(d->cache);
	tmp = util_malloc(strlen(d->cache) + sizeof ".tmp.XXXXXX");
	strcpy(tmp, d->cache);
	strcat(tmp, ".tmp.XXXXXX");
	fd = mkstemp(tmp);
	if (fd >= 0) {
		f = fdopen(fd, "w");
		if (!f) {
			close(fd);
			ok = false;
		} else {
			fprintf(f, "%s\n", CACHE_MAGIC);
			for (i = first; i < kept; i++)
				fprintf(f, "%s\n", v[i].line);
			fprintf(f, "%ju %ju %ju %jd %jd %s %s\n", d->key.dev, d->key.ino, d->key.size,
				(intmax_t)d->key.mtime_ns, (intmax_t)d->key.ctime_ns, d->hex, path);
			/* The new name must never point at a file whose content is not on disk. */
			ok = fflush(f) == 0 && !ferror(f) && fsync(fileno(f)) == 0;
			ok = fclose(f) == 0 && ok;
		}
		if (!ok || rename(tmp, d->cache) < 0)
			unlink(tmp);
	}
	free(tmp);
	free(v);
	free(buf);
}

/* ---- the interface ---- */

struct doc *doc_open(const char *path, const char *hash_cache)
{
	struct doc *d = util_calloc(1, sizeof *d);
	bool is_stdin = strcmp(path, "-") == 0;
	const char *slash;

	d->path = util_strdup(path);
	d->fd = -1;
	d->slot = -1;
	if (!(is_stdin ? open_stdin(d) : open_file(d))) {
		doc_free(d);
		return NULL;
	}
	slash = strrchr(path, '/');
	d->name = util_strdup(is_stdin ? "stdin" : slash ? slash + 1 : path);
	sha256_init(&d->ctx);
	if (hash_cache && *hash_cache && d->keyed) {
		d->cache = util_strdup(hash_cache);
		cache_lookup(d);
	}
	return d;
}

struct doc *doc_from_bytes(const char *path, char *bytes, size_t size)
{
	struct doc *d = util_calloc(1, sizeof *d);
	const char *slash = strrchr(path, '/');

	d->path = util_strdup(path);
	d->fd = -1;
	d->slot = -1;
	d->name = util_strdup(slash && slash[1] ? slash + 1 : path);
	d->buf = bytes;
	d->bytes = size ? bytes : NULL;
	d->size = size;
	sha256_init(&d->ctx);
	return d;
}

void doc_free(struct doc *d)
{
	if (!d)
		return;
	if (d->slot >= 0)
		doc_maps[d->slot].base = NULL;
	if (d->map)
		munmap(d->map, d->map_len);
	if (d->fd >= 0)
		close(d->fd);
	free(d->buf);
	free(d->hash_buf);
	free(d->path);
	free(d->name);
	free(d->cache);
	free(d->abspath);
	free(d);
}

const char *doc_bytes(const struct doc *d)
{
	return d->bytes;
}

size_t doc_size(const struct doc *d)
{
	return d->size;
}

const char *doc_path(const struct doc *d)
{
	return d->path;
}

const char *doc_name(const struct doc *d)
{
	return d->name;
}

/* The first max bytes at most, ending on a code point boundary. */
static size_t head_len(const struct doc *d, size_t max)
{
	if (d->size <= max)
		return d->size;
	return util_utf8_back(d->bytes, max);
}

bool doc_changed(const struct doc *d)
{
	struct stat st;

	if (d->slot >= 0 && doc_maps[d->slot].cut)
		return true;
	if (d->fd < 0 || fstat(d->fd, &st) != 0)
		return false;
	return st.st_size != d->map_size || st.st_mtim.tv_sec != d->map_mtime.tv_sec ||
	       st.st_mtim.tv_nsec != d->map_mtime.tv_nsec;
}

bool doc_is_binary(const struct doc *d)
{
	const char *s = d->bytes;
	size_t n = head_len(d, DOC_BINARY_HEAD), i = 0, controls = 0, invalid = 0;

	if (n == 0)
		return false;
	if (memchr(s, '\0', n))
		return true;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp;
		int valid, len;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7F)
				controls++;
			i++;
			continue;
		}
		len = util_utf8_decode(s + i, n - i, &cp, &valid);
		if (!valid)
			invalid += (size_t)len;
		else if (cp <= 0x9F)
			controls++; /* C1 */
		i += (size_t)len;
	}
	return controls * 10 > n || invalid * 2 > n;
}

/* White space that does not make a line non-empty and is trimmed from a title. */
static bool title_blank(uint32_t cp)
{
	switch (cp) {
	case ' ': case '\t': case '\v': case '\f':
	case 0x00A0: case 0x1680: case 0x200B: case 0x2028: case 0x2029:
	case 0x202F: case 0x205F: case 0x3000: case 0xFEFF:
		return true;
	}
	return cp >= 0x2000 && cp <= 0x200A;
}

/* s[0..n) made safe to print, at most max bytes, trailing blanks dropped again after a cut. */
static char *title_clean(const char *s, size_t n, size_t max)
{
	/* a byte grows to 4 at most: a C1 control's "<9B>" */
	size_t cap = n * 4 < max ? n * 4 : max;
	char *out = util_malloc(cap + 1);
	size_t i = 0, o = 0, keep = 0;

	while (i < n) {
		char enc[4];
		const char *put = enc;
		uint32_t cp;
		int valid, len = util_utf8_decode(s + i, n - i, &cp, &valid);
		size_t elen;
		struct doc_show show;

		if (cp == '\t' || cp == '\v' || cp == '\f' || cp == 0x2028 || cp == 0x2029) {
			cp = ' ';
			elen = 1;
			enc[0] = ' ';
		} else if (!valid || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || util_cp_disruptive(cp)) {
			/* as the text shows it: ^X, <9B>, <U+202E>, U+FFFD */
			doc_show_cp(s + i, n - i, &show);
			put = show.text;
			elen = strlen(show.text);
		} else {
			elen = (size_t)util_utf8_encode(cp, enc);
		}
		if (o + elen > cap)
			break;
		memcpy(out + o, put, elen);
		o += elen;
		if (put != enc || !title_blank(cp))
			keep = o;
		i += (size_t)len;
	}
	out[keep] = '\0';
	return out;
}

char *doc_title(const struct doc *d, size_t max_bytes)
{
	const char *s = d->bytes;
	size_t lim = head_len(d, DOC_HEAD), pos = 0;

	/* title_clean writes at least a byte for every three it reads (U+2028
	 * becomes a space): past this much of a line, what follows cannot be in
	 * the title, and a line of megabytes is not read to its end. */
	size_t enough = 3 * max_bytes + 8;

	while (pos < lim) {
		size_t end = pos, first = 0, last = 0;
		bool found = false;

		while (end < lim && s[end] != '\n' && s[end] != '\r') {
			uint32_t cp;
			int valid, len = util_utf8_decode(s + end, lim - end, &cp, &valid);
			if (!valid || !title_blank(cp)) {
				if (!found)
					first = end;
				found = true;
				last = end + (size_t)len;
			}
			end += (size_t)len;
			if (found && end - first >= enough)
				break;
		}
		if (found)
			return title_clean(s + first, last - first, max_bytes);
		pos = end + 1;
		if (end < lim && s[end] == '\r' && pos < lim && s[pos] == '\n')
			pos++;
	}
	return NULL;
}

/* The most read_for_hash reads at once: the buffer it needs. */
#define DOC_HASH_CHUNK (256u << 10)

/*
 * Bytes [off, off + n) of a mapped file read with pread into buf, for the
 * hash: a copy from the page cache costs less than faulting the pages into
 * the mapping and dropping them again (madvise of a file just written can
 * take a millisecond, which a key would wait for), and hashing a 1 GB file
 * leaves gloss's resident memory as it was.  False when the file is not
 * mapped, its mapping was cut (what follows the cut reads as zeros there,
 * even if the file grew again), or it gave fewer bytes: the mapping then
 * serves, as the screen sees it.
 */
static bool read_for_hash(const struct doc *d, size_t off, size_t n, char *buf)
{
	off_t at;
	size_t got = 0;

	/* a mapping without a slot (past DOC_MAPS) cannot be cut: no handler
	 * knows it, and pread is what keeps its pages out of memory */
	if (!d->map || d->fd < 0 || (d->slot >= 0 && doc_maps[d->slot].cut))
		return false;
	/* the mapping starts at file offset map_size - map_len */
	at = (off_t)(d->map_size - (off_t)d->map_len) + (off_t)(d->bytes - (const char *)d->map) + (off_t)off;
	while (got < n) {
		ssize_t r = pread(d->fd, buf + got, n - got, at + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

bool doc_hash_step(struct doc *d, size_t budget)
{
	unsigned char sum[SHA256_LEN];
	size_t n = d->size - d->hashed;

	if (d->done)
		return true;
	if (n > budget)
		n = budget;
	while (n) {
		size_t k = n < DOC_HASH_CHUNK ? n : DOC_HASH_CHUNK;

		if (d->map && k > d->hash_cap) {
			free(d->hash_buf);
			d->hash_buf = util_malloc(k);
			d->hash_cap = k;
		}
		if (read_for_hash(d, d->hashed, k, d->hash_buf))
			sha256_update(&d->ctx, d->hash_buf, k);
		else
			sha256_update(&d->ctx, d->bytes + d->hashed, k);
		d->hashed += k;
		n -= k;
	}
	if (d->hashed < d->size)
		return false;
	sha256_final(&d->ctx, sum);
	sha256_hex(sum, d->hex);
	d->done = true;
	free(d->hash_buf);
	d->hash_buf = NULL;
	d->hash_cap = 0;
	return true;
}

bool doc_hash_save(struct doc *d)
{
	if (!d->done || d->saved)
		return false;
	d->saved = true;
	cache_record(d);
	return true;
}

const char *doc_sha256(const struct doc *d)
{
	return d->done ? d->hex : NULL;
}
