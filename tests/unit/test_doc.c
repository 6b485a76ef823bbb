/*
 * test_doc.c: opening documents (files, empty, missing, directories,
 * unreadable, FIFOs, standard input as a pipe and as a file), the binary
 * check, titles, SHA-256 in steps, the hash cache, and the UTF-8 helpers that
 * read eight bytes at a time.  Everything happens in a private temporary
 * directory that is removed at the end.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gloss/doc.h"
#include "gloss/sha256.h"
#include "gloss/util.h"
#include "t.h"

static char root[4096];

/* root/name, in one of a few rotating buffers. */
static const char *in_root(const char *name)
{
	static char bufs[4][4096 + 256];
	static int next;
	char *b = bufs[next++ % 4];
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

/* Set a file's access and modification times; the past ones used here are not "racy". */
static int set_mtime(const char *path, time_t sec, long nsec)
{
	struct timespec t[2];
	t[0].tv_sec = sec;
	t[0].tv_nsec = nsec;
	t[1] = t[0];
	return utimensat(AT_FDCWD, path, t, 0);
}

#define PAST 1700000000 /* November 2023 */

/* A whole file as a NUL-terminated string, or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static int is_valid_utf8(const char *s)
{
	size_t n = strlen(s), i = 0;
	while (i < n) {
		uint32_t cp;
		int valid, len = util_utf8_decode(s + i, n - i, &cp, &valid);
		if (!valid)
			return 0;
		i += (size_t)len;
	}
	return 1;
}

/* No byte below 0x20, no DEL, no C1 control in UTF-8. */
static int is_printable(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7F || (c == 0xC2 && (unsigned char)s[1] >= 0x80 &&
					      (unsigned char)s[1] <= 0x9F))
			return 0;
	}
	return 1;
}

static struct doc *open_text(const char *name, const char *text)
{
	const char *p = in_root(name);
	if (write_file(p, text, strlen(text)) < 0)
		return NULL;
	return doc_open(p, NULL);
}

static char *title_of(const char *text, size_t max)
{
	struct doc *d = open_text("title.txt", text);
	char *t;
	if (!d)
		return NULL;
	t = doc_title(d, max);
	doc_free(d);
	return t;
}

/* The expected message, in a buffer reused by the next call. */
static const char *cannot_open(const char *path, const char *why)
{
	static char *msg;
	size_t n = strlen(path) + strlen(why) + 32;

	free(msg);
	msg = malloc(n);
	snprintf(msg, n, "cannot open '%s': %s", path, why);
	return msg;
}

/* ---- opening ---- */

static void test_open_regular(void)
{
	const char *p = in_root("hello.txt");
	struct doc *d;

	T_ASSERT(write_file(p, "Hello\nworld\n", 12) == 0);
	d = doc_open(p, NULL);
	T_ASSERT(d);
	T_EQ_INT(doc_size(d), 12);
	T_ASSERT(memcmp(doc_bytes(d), "Hello\nworld\n", 12) == 0);
	T_EQ_STR(doc_path(d), p);
	T_EQ_STR(doc_name(d), "hello.txt");
	T_ASSERT(!doc_is_binary(d));
	T_ASSERT(doc_sha256(d) == NULL);
	doc_free(d);
	doc_free(NULL);
}

/* A file written in place after it was opened is changed; one replaced
 * under its name, or renamed, still holds what the document shows. */
static void test_changed(void)
{
	const char *p = in_root("changing.txt"), *q = in_root("changing.new");
	struct doc *d, *e;
	char *b = util_strdup("bytes");

	T_ASSERT(write_file(p, "first version\n", 14) == 0);
	T_ASSERT(set_mtime(p, PAST, 0) == 0);
	d = doc_open(p, NULL);
	T_ASSERT(d);
	T_ASSERT(!doc_changed(d));
	T_ASSERT(rename(p, q) == 0);
	T_ASSERT(!doc_changed(d)); /* moved, not written */
	T_ASSERT(write_file(p, "another file\n", 13) == 0);
	T_ASSERT(!doc_changed(d)); /* a new file under the old name */
	T_ASSERT(write_file(q, "first VERSION\n", 14) == 0);
	T_ASSERT(doc_changed(d)); /* the same size, a new time */
	doc_free(d);
	e = doc_from_bytes("kept", b, 5);
	T_ASSERT(!doc_changed(e));
	doc_free(e);
}

/* A file cut short under its mapping: doc_fault makes what is past the
 * new end read as zeros, instead of SIGBUS, and the document changed. */
static void test_fault_past_a_cut(void)
{
	const char *p = in_root("cut.txt");
	static char big[3 * 65536];
	struct doc *d;
	int local = 0;

	memset(big, 'x', sizeof big);
	T_ASSERT(write_file(p, big, sizeof big) == 0);
	T_ASSERT(set_mtime(p, PAST, 0) == 0);
	d = doc_open(p, NULL);
	T_ASSERT(d);
	T_ASSERT(!doc_fault(&local)); /* not a document's */
	T_ASSERT(truncate(p, 100) == 0);
	T_ASSERT(doc_fault(doc_bytes(d) + 2 * 65536 + 5));
	T_EQ_INT(doc_bytes(d)[2 * 65536 + 5], 0);
	T_EQ_INT(doc_bytes(d)[sizeof big - 1], 0);
	T_EQ_INT(doc_bytes(d)[50], 'x'); /* what the file still has */
	T_ASSERT(doc_changed(d));
	doc_free(d);
	T_ASSERT(!doc_fault(big + 10));
}

static void test_open_relative_name(void)
{
	char cwd[4096];
	struct doc *d;

	T_ASSERT(getcwd(cwd, sizeof cwd));
	T_ASSERT(chdir(root) == 0);
	T_ASSERT(write_file("plain", "x", 1) == 0);
	d = doc_open("plain", NULL);
	T_ASSERT(chdir(cwd) == 0);
	T_ASSERT(d);
	T_EQ_STR(doc_name(d), "plain");
	T_EQ_STR(doc_path(d), "plain");
	doc_free(d);
}

static void test_open_empty(void)
{
	const char *p = in_root("empty.txt");
	struct doc *d;

	T_ASSERT(write_file(p, "", 0) == 0);
	d = doc_open(p, NULL);
	T_ASSERT(d);
	T_EQ_INT(doc_size(d), 0);
	T_ASSERT(doc_bytes(d) == NULL);
	T_ASSERT(!doc_is_binary(d));
	T_ASSERT(doc_title(d, 80) == NULL);
	T_ASSERT(doc_hash_step(d, 0));
	T_EQ_STR(doc_sha256(d), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	doc_free(d);
}

static void test_open_missing(void)
{
	const char *p = in_root("missing.txt");

	T_ASSERT(doc_open(p, NULL) == NULL);
	T_EQ_STR(util_errmsg(), cannot_open(p, "No such file or directory"));
	p = in_root("missing-dir/x.txt");
	T_ASSERT(doc_open(p, NULL) == NULL);
	T_EQ_STR(util_errmsg(), cannot_open(p, "No such file or directory"));
}

static void test_open_directory(void)
{
	T_ASSERT(doc_open(root, NULL) == NULL);
	T_EQ_STR(util_errmsg(), cannot_open(root, "Is a directory"));
}

static void test_open_unreadable(void)
{
	const char *p = in_root("secret.txt");

	T_ASSERT(write_file(p, "secret\n", 7) == 0);
	T_ASSERT(chmod(p, 0) == 0);
	T_ASSERT(doc_open(p, NULL) == NULL);
	T_EQ_STR(util_errmsg(), cannot_open(p, "Permission denied"));
}

static void test_open_fifo_and_device(void)
{
	const char *p = in_root("fifo");
	struct doc *d;
	pid_t pid;
	int status;

	/* A named pipe (as a shell's <(...) gives) is read like standard input. */
	T_ASSERT(mkfifo(p, 0600) == 0);
	pid = fork();
	T_ASSERT(pid >= 0);
	if (pid == 0) {
		int fd = open(p, O_WRONLY);
		_exit(fd >= 0 && write(fd, "piped text\n", 11) == 11 ? 0 : 1);
	}
	d = doc_open(p, NULL);
	T_ASSERT(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	T_ASSERT(d != NULL);
	T_EQ_INT(doc_size(d), 11);
	T_ASSERT(memcmp(doc_bytes(d), "piped text\n", 11) == 0);
	doc_free(d);
	/* Nor is anything else that is not a regular file: a socket here, made
	 * in the test's own directory (a sandbox may lack real devices). */
	{
		const char *sp = in_root("sock");
		struct sockaddr_un sa;
		const char *msg;
		int s = socket(AF_UNIX, SOCK_STREAM, 0);

		T_ASSERT(s >= 0);
		memset(&sa, 0, sizeof sa);
		sa.sun_family = AF_UNIX;
		T_ASSERT(strlen(sp) < sizeof sa.sun_path);
		memcpy(sa.sun_path, sp, strlen(sp) + 1);
		T_ASSERT(bind(s, (struct sockaddr *)&sa, sizeof sa) == 0);
		T_ASSERT(doc_open(sp, NULL) == NULL);
		msg = util_errmsg();
		T_ASSERT(strncmp(msg, "cannot open '", 13) == 0);
		T_ASSERT(strstr(msg, "/sock': not a regular file") != NULL);
		close(s);
		unlink(sp);
	}
}

static void test_error_hides_controls(void)
{
	const char *p = in_root("a\x1b[2Jb\xc2\x9b" "c");
	const char *msg;

	T_ASSERT(doc_open(p, NULL) == NULL);
	msg = util_errmsg();
	T_ASSERT(is_printable(msg));
	T_ASSERT(strstr(msg, "/a?[2Jb?c': No such file or directory"));
}

/* ---- binary ---- */

static int binary_of(const void *data, size_t n)
{
	const char *p = in_root("bin");
	struct doc *d;
	int r;

	if (write_file(p, data, n) < 0)
		return -1;
	d = doc_open(p, NULL);
	if (!d)
		return -1;
	r = doc_is_binary(d);
	doc_free(d);
	return r;
}

static int binary_of_str(const char *s)
{
	return binary_of(s, strlen(s));
}

static void test_binary(void)
{
	char buf[1000];
	char *big;
	size_t i;

	T_EQ_INT(binary_of_str("plain text\r\n\twith tabs\f\n"), 0);
	T_EQ_INT(binary_of_str("caf\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d \xf0\x9f\x98\x80\n"), 0);
	T_EQ_INT(binary_of("text\0more", 9), 1);
	T_EQ_INT(binary_of_str("\x1b[1mbold\x1b[0m and more ordinary words here\n"), 0);

	/* Latin-1 prose: a few invalid bytes, still text. */
	T_EQ_INT(binary_of_str("Der B\xe4r a\xdf gr\xfcne \xc4pfel in M\xfcnchen.\n"), 0);

	/* Mostly ill-formed UTF-8. */
	for (i = 0; i < sizeof buf; i++)
		buf[i] = (char)(0x80 + i % 0x7F + (i % 3 == 0 ? 1 : 0));
	T_EQ_INT(binary_of(buf, sizeof buf), 1);

	/* One control byte in five. */
	for (i = 0; i < sizeof buf; i++)
		buf[i] = i % 5 ? 'x' : '\x01';
	T_EQ_INT(binary_of(buf, sizeof buf), 1);
	/* One in twenty. */
	for (i = 0; i < sizeof buf; i++)
		buf[i] = i % 20 ? 'x' : '\x01';
	T_EQ_INT(binary_of(buf, sizeof buf), 0);

	/* A NUL after the first 8 KiB is not looked at. */
	big = malloc(70000);
	memset(big, 'a', 70000);
	big[69000] = '\0';
	T_EQ_INT(binary_of(big, 70000), 0);
	big[69000] = 'a';
	big[8192] = '\0';
	T_EQ_INT(binary_of(big, 70000), 0);
	big[8191] = '\0';
	T_EQ_INT(binary_of(big, 70000), 1);
	big[8191] = 'a';
	big[100] = '\0';
	T_EQ_INT(binary_of(big, 70000), 1);
	free(big);
}

/* ---- titles ---- */

static void test_title_plain(void)
{
	char *t;

	t = title_of("\n   \n\t \n  The Title Line  \nbody\n", 80);
	T_EQ_STR(t, "The Title Line");
	free(t);
	t = title_of("Only line without end", 80);
	T_EQ_STR(t, "Only line without end");
	free(t);
	t = title_of("\xef\xbb\xbf\xc2\xa0" "Bom and nbsp\xe3\x80\x80\n", 80);
	T_EQ_STR(t, "Bom and nbsp");
	free(t);
	t = title_of("a\tb\vc\n", 80);
	T_EQ_STR(t, "a b c");
	free(t);
}

static void test_title_line_ends(void)
{
	char *t;

	t = title_of("\r\n\r\n  Windows title\r\nbody\r\n", 80);
	T_EQ_STR(t, "Windows title");
	free(t);
	t = title_of("\r\r  Old Mac title\rbody\r", 80);
	T_EQ_STR(t, "Old Mac title");
	free(t);
	t = title_of("first\rsecond\n", 80);
	T_EQ_STR(t, "first");
	free(t);
}

static void test_title_unsafe(void)
{
	char *t;

	t = title_of("Bad \xff\xfe title \xe2\x82\n", 80);
	T_EQ_STR(t, "Bad \xef\xbf\xbd\xef\xbf\xbd title \xef\xbf\xbd");
	free(t);

	t = title_of("\x1b[31mRed\x1b[0m \x1b]0;owned\x07 done\n", 80);
	T_ASSERT(t);
	T_ASSERT(!strchr(t, '\x1b'));
	T_ASSERT(is_printable(t));
	/* as the text shows them */
	T_EQ_STR(t, "^[[31mRed^[[0m ^[]0;owned^G done");
	free(t);

	/* C1 CSI, DEL, a right-to-left override. */
	t = title_of("a\xc2\x9b" "1mb\x7f" "c\xe2\x80\xae" "d\n", 80);
	T_EQ_STR(t, "a<9B>1mb^?c<U+202E>d");
	T_ASSERT(is_printable(t));
	free(t);

	/* A line of nothing but controls is not empty. */
	t = title_of("\x01\x02\n", 80);
	T_EQ_STR(t, "^A^B");
	free(t);
	/* nor is a cut made inside what shows for one */
	t = title_of("ab\x1b" "cd\n", 3);
	T_EQ_STR(t, "ab");
	free(t);
}

static void test_title_cut(void)
{
	char *line = malloc(100001), *t;
	size_t i;

	/* "é" is two bytes: a cut must never split it. */
	for (i = 0; i < 100000; i += 2)
		memcpy(line + i, "\xc3\xa9", 2);
	line[100000] = '\0';
	t = title_of(line, 11);
	T_ASSERT(t);
	T_EQ_INT(strlen(t), 10);
	T_ASSERT(is_valid_utf8(t));
	free(t);
	t = title_of(line, 2);
	T_EQ_STR(t, "\xc3\xa9");
	free(t);
	t = title_of(line, 1);
	T_EQ_STR(t, "");
	free(t);
	/* A line longer than 64 KiB is still a title. */
	t = title_of(line, 200000);
	T_ASSERT(t);
	T_EQ_INT(strlen(t), 64 * 1024);
	T_ASSERT(is_valid_utf8(t));
	free(t);
	free(line);

	t = title_of("Hello world\n", 6);
	T_EQ_STR(t, "Hello");
	free(t);
	/* U+FFFD for one bad byte takes three. */
	t = title_of("ab\xff" "cd\n", 4);
	T_EQ_STR(t, "ab");
	free(t);
}

/* Only the start of a long first line is read for a title: the title of
 * a line of megabytes is the title of its first few thousand bytes, for
 * text that shrinks when cleaned (U+2028 becomes a space) or grows. */
static void test_title_of_a_long_line(void)
{
	static const char *const units[] = {
		"word ", "\xe2\x80\xa8", "x\xe2\x80\xa8\xe2\x80\xa8", "\x01\xc2\x9b", "\xff\xfe ",
		"\xe2\x80\xae" "ab", "\xc3\xa9\xcc\x81 ",
	};
	const size_t maxes[] = { 1, 7, 80, 400 };
	size_t size = 3u << 20;
	char *line = malloc(size + 1), *cut = malloc(8192);

	T_ASSERT(line && cut);
	for (size_t u = 0; u < sizeof units / sizeof *units; u++) {
		size_t k = strlen(units[u]), n = 0;
		/* a blank start, a letter, then the unit over and over */
		memcpy(line, "  A", 3);
		for (n = 3; n + k <= size; n += k)
			memcpy(line + n, units[u], k);
		line[n] = '\0';
		memcpy(cut, line, 4000);
		strcpy(cut + 4000, "\nrest\n");
		for (size_t m = 0; m < sizeof maxes / sizeof *maxes; m++) {
			char *a = title_of(line, maxes[m]), *b = title_of(cut, maxes[m]);
			if (!a || !b || strcmp(a, b) != 0)
				T_FAIL("unit %zu, at most %zu bytes: '%s' against '%s'", u, maxes[m],
				       a ? a : "(none)", b ? b : "(none)");
			free(a);
			free(b);
		}
	}
	free(line);
	free(cut);
}

static void test_title_none(void)
{
	char *blank = malloc(70001), *t;

	T_ASSERT(title_of("", 80) == NULL);
	T_ASSERT(title_of("  \n\t\r\n \r\n\n", 80) == NULL);
	/* The first line with text starts after the first 64 KiB. */
	memset(blank, '\n', 70000);
	memcpy(blank + 69990, "late", 4);
	blank[70000] = '\0';
	t = title_of(blank, 80);
	T_ASSERT(t == NULL);
	free(blank);
}

/* ---- hashing ---- */

#define FIXED_LINE "Officials said the vote was \xe2\x80\x9c" "close\xe2\x80\x9d.\n"
/* sha256sum of FIXED_LINE repeated 300 times (12300 bytes). */
#define FIXED_SUM "071fc2a7f2cf2ab04f0a43340fe27e6fb218c4f497f520e9e965efb831faed00"

static char *fixed_content(size_t *n)
{
	size_t len = strlen(FIXED_LINE), i;
	char *s = malloc(len * 300);
	for (i = 0; i < 300; i++)
		memcpy(s + i * len, FIXED_LINE, len);
	*n = len * 300;
	return s;
}

static void test_hash_steps(void)
{
	static const size_t budgets[] = { 1, 7, 63, 64, 65, 1000, 12300, (size_t)-1 };
	const char *p = in_root("fixed.txt");
	unsigned char sum[SHA256_LEN];
	char hex[SHA256_HEX_LEN + 1];
	size_t n, b, steps;
	char *content = fixed_content(&n);

	T_EQ_INT(n, 12300);
	T_ASSERT(write_file(p, content, n) == 0);
	sha256_sum(content, n, sum);
	sha256_hex(sum, hex);
	free(content);
	T_EQ_STR(hex, FIXED_SUM);

	for (b = 0; b < sizeof budgets / sizeof budgets[0]; b++) {
		struct doc *d = doc_open(p, NULL);
		T_ASSERT(d);
		T_ASSERT(!doc_hash_step(d, 0));
		for (steps = 1; !doc_hash_step(d, budgets[b]); steps++)
			T_ASSERT(doc_sha256(d) == NULL);
		T_EQ_INT(steps, budgets[b] >= n ? 1 : (n + budgets[b] - 1) / budgets[b]);
		T_EQ_STR(doc_sha256(d), FIXED_SUM);
		T_ASSERT(doc_hash_step(d, 5));
		T_EQ_STR(doc_sha256(d), FIXED_SUM);
		doc_free(d);
	}
}

/* Bytes that repeat nowhere, so that a sum of the wrong ones shows. */
static char *varied_content(size_t n)
{
	char *s = malloc(n);
	uint32_t x = 2463534242u;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		s[i] = (char)('a' + x % 26);
	}
	return s;
}

/* The sum of a file larger than the hash reads at once, by path and from
 * standard input placed past a page's start, whatever the steps. */
static void test_hash_in_pieces(void)
{
	static const size_t budgets[] = { (size_t)-1, 100000, 300001, 4096 };
	const char *p = in_root("varied.txt");
	size_t n = 700001, skip = 5000;
	char *content = varied_content(n);
	unsigned char sum[SHA256_LEN];
	char whole[SHA256_HEX_LEN + 1], tail[SHA256_HEX_LEN + 1];
	int saved, fd;

	T_ASSERT(write_file(p, content, n) == 0);
	sha256_sum(content, n, sum);
	sha256_hex(sum, whole);
	sha256_sum(content + skip, n - skip, sum);
	sha256_hex(sum, tail);
	for (size_t b = 0; b < sizeof budgets / sizeof budgets[0]; b++) {
		struct doc *d = doc_open(p, NULL);
		T_ASSERT(d);
		while (!doc_hash_step(d, budgets[b]))
			;
		T_EQ_STR(doc_sha256(d), whole);
		doc_free(d);
	}

	saved = dup(STDIN_FILENO);
	fd = open(p, O_RDONLY);
	T_ASSERT(saved >= 0 && fd >= 0);
	T_ASSERT(lseek(fd, (off_t)skip, SEEK_SET) == (off_t)skip);
	T_ASSERT(dup2(fd, STDIN_FILENO) == STDIN_FILENO);
	close(fd);
	struct doc *d = doc_open("-", NULL);
	T_ASSERT(dup2(saved, STDIN_FILENO) == STDIN_FILENO);
	close(saved);
	T_ASSERT(d && doc_size(d) == n - skip);
	while (!doc_hash_step(d, 65536))
		;
	T_EQ_STR(doc_sha256(d), tail);
	doc_free(d);
	free(content);
}

static void on_bus(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	if (!doc_fault(si->si_addr)) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
}

/* A file cut short while it is hashed: the rest is hashed as the screen
 * reads it, zeros past the new end, and nothing crashes. */
static void test_hash_past_a_cut(void)
{
	const char *p = in_root("cut-hash.txt");
	static char big[3 * 65536], seen[3 * 65536];
	unsigned char sum[SHA256_LEN];
	char hex[SHA256_HEX_LEN + 1];
	struct sigaction sa, was;
	struct doc *d;

	memset(big, 'x', sizeof big);
	T_ASSERT(write_file(p, big, sizeof big) == 0);
	d = doc_open(p, NULL);
	T_ASSERT(d);
	T_ASSERT(!doc_hash_step(d, 65536));
	T_ASSERT(truncate(p, 100) == 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_bus;
	sa.sa_flags = SA_SIGINFO;
	T_ASSERT(sigaction(SIGBUS, &sa, &was) == 0);
	T_ASSERT(!doc_hash_step(d, 65536)); /* the cut is met */
	/* the file grows again: what follows the cut still reads as zeros,
	 * as on the screen, not as the file's new bytes */
	memset(big, 'y', sizeof big);
	T_ASSERT(write_file(p, big, sizeof big) == 0);
	T_ASSERT(doc_hash_step(d, (size_t)-1));
	sigaction(SIGBUS, &was, NULL);
	memset(seen, 'x', 65536);
	sha256_sum(seen, sizeof seen, sum);
	sha256_hex(sum, hex);
	T_EQ_STR(doc_sha256(d), hex);
	doc_free(d);
}

/* Resident kilobytes of the mapping that holds p, from /proc/self/smaps;
 * -1 when not found. */
static long mapping_rss_kb(const void *p)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false;
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
			continue;
		}
		if (in && sscanf(line, "Rss: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/* Hashing a mapped file leaves its pages out of gloss's memory (they are
 * read with pread, not through the mapping), also for a document past the
 * mappings a SIGBUS handler can know. */
static void test_hash_stays_out_of_memory(void)
{
	const char *p = in_root("resident.txt");
	const char *small = in_root("small.txt");
	size_t n = 8u << 20;
	char *content = varied_content(n);
	struct doc *fill[64];
	size_t nfill = 0;

	T_ASSERT(write_file(p, content, n) == 0);
	T_ASSERT(write_file(small, "a few words\n", 12) == 0);
	free(content);
	for (int round = 0; round < 2; round++) {
		struct doc *d = doc_open(p, NULL);
		T_ASSERT(d);
		while (!doc_hash_step(d, 1u << 20))
			;
		long kb = mapping_rss_kb(doc_bytes(d));
		T_ASSERT(kb >= 0);
		if (kb > 1024)
			T_FAIL("round %d: %ld kB of an 8 MB file resident after hashing", round, kb);
		doc_free(d);
		/* the second round: every slot taken by other documents first */
		while (round == 0 && nfill < sizeof fill / sizeof *fill) {
			fill[nfill] = doc_open(small, NULL);
			T_ASSERT(fill[nfill]);
			nfill++;
		}
	}
	while (nfill > 0)
		doc_free(fill[--nfill]);
}

/* ---- the hash cache ---- */

static void test_cache_hit_and_miss(void)
{
	const char *p = in_root("cached.txt");
	const char *cache = in_root("state/gloss/hashes");
	struct stat st;
	struct doc *d;
	size_t n;
	char *content = fixed_content(&n);

	T_ASSERT(write_file(p, content, n) == 0);
	T_ASSERT(set_mtime(p, PAST, 123456789) == 0);

	d = doc_open(p, cache);
	T_ASSERT(d);
	T_ASSERT(doc_sha256(d) == NULL);
	while (!doc_hash_step(d, 4096))
		;
	T_EQ_STR(doc_sha256(d), FIXED_SUM);
	/* Written only when asked: a reader shows the document first. */
	T_ASSERT(stat(cache, &st) < 0);
	doc_hash_save(d);
	doc_free(d);

	/* The directory was made, private. */
	T_ASSERT(stat(in_root("state/gloss"), &st) == 0);
	T_EQ_INT(st.st_mode & 0777, 0700);
	T_ASSERT(stat(cache, &st) == 0 && S_ISREG(st.st_mode));

	/* Known at once. */
	d = doc_open(p, cache);
	T_ASSERT(d);
	T_EQ_STR(doc_sha256(d), FIXED_SUM);
	T_ASSERT(doc_hash_step(d, 0));
	doc_hash_save(d);
	doc_free(d);

	/* Without the cache it is not known. */
	d = doc_open(p, NULL);
	T_ASSERT(d && doc_sha256(d) == NULL);
	doc_free(d);

	/* Same size, other bytes, other mtime: not known. */
	content[0] = 'o';
	T_ASSERT(write_file(p, content, n) == 0);
	T_ASSERT(set_mtime(p, PAST, 987654321) == 0);
	d = doc_open(p, cache);
	T_ASSERT(d && doc_sha256(d) == NULL);
	doc_free(d);

	/* Other size, mtime put back: not known. */
	T_ASSERT(write_file(p, content, n - 1) == 0);
	T_ASSERT(set_mtime(p, PAST, 123456789) == 0);
	d = doc_open(p, cache);
	T_ASSERT(d && doc_sha256(d) == NULL);
	doc_free(d);
	free(content);
}

/* A file written in place with its old size and modification time put
 * back (touch -r, cp -p) is not taken for the version hashed before: its
 * change time, which no program sets back, differs. */
static void test_cache_sees_a_restored_mtime(void)
{
	const char *p = in_root("restored.txt"), *cache = in_root("restored-hashes");
	struct doc *d;

	T_ASSERT(write_file(p, "abc", 3) == 0);
	T_ASSERT(set_mtime(p, PAST + 3, 7) == 0);
	d = doc_open(p, cache);
	T_ASSERT(d && doc_hash_step(d, (size_t)-1));
	doc_hash_save(d);
	doc_free(d);
	d = doc_open(p, cache);
	T_ASSERT(d && doc_sha256(d)); /* remembered */
	doc_free(d);
	/* rewritten until its change time differs: the clock behind it moves
	 * in ticks of a few milliseconds */
	struct stat before, now;
	T_ASSERT(stat(p, &before) == 0);
	for (int tries = 0; tries < 100000; tries++) {
		T_ASSERT(write_file(p, "xyz", 3) == 0);
		T_ASSERT(set_mtime(p, PAST + 3, 7) == 0);
		T_ASSERT(stat(p, &now) == 0);
		if (now.st_ctim.tv_sec != before.st_ctim.tv_sec || now.st_ctim.tv_nsec != before.st_ctim.tv_nsec)
			break;
	}
	d = doc_open(p, cache);
	T_ASSERT(d && doc_sha256(d) == NULL); /* hashed again */
	T_ASSERT(doc_hash_step(d, (size_t)-1));
	T_EQ_STR(doc_sha256(d), "3608bca1e44ea6c4d268eb6db02260269892c0b42b86bbf1e77a6fa16c3c9282");
	doc_free(d);
}

static void test_cache_file_format(void)
{
	const char *p = in_root("format.txt");
	const char *cache = in_root("fmt/hashes");
	char *abs, *text, *line;
	struct stat st;
	struct doc *d;
	int round;
	DIR *dir;
	struct dirent *e;
	int files = 0;

	T_ASSERT(write_file(p, "abc", 3) == 0);
	T_ASSERT(set_mtime(p, PAST + 1, 5) == 0);
	T_ASSERT(stat(p, &st) == 0);
	abs = realpath(p, NULL);
	T_ASSERT(abs);

	/* Hashing the same path twice leaves one entry. */
	for (round = 0; round < 2; round++) {
		d = doc_open(p, cache);
		T_ASSERT(d);
		T_ASSERT(doc_hash_step(d, (size_t)-1));
		doc_hash_save(d);
		doc_free(d);
	}
	line = malloc(strlen(abs) + 256);
	snprintf(line, strlen(abs) + 256,
		 "gloss-hash-cache 2\n%ju %ju 3 %jd %jd "
		 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad %s\n",
		 (uintmax_t)st.st_dev, (uintmax_t)st.st_ino,
		 (intmax_t)st.st_mtim.tv_sec * 1000000000 + 5,
		 (intmax_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec, abs);
	free(abs);
	text = slurp(cache);
	T_ASSERT(text);
	if (strcmp(text, line)) {
		free(text);
		free(line);
		T_FAIL("the cache file differs from what was expected");
	}
	free(text);
	free(line);
	T_ASSERT(stat(cache, &st) == 0);
	T_EQ_INT(st.st_mode & 0077, 0);

	/* No temporary file is left beside it. */
	dir = opendir(in_root("fmt"));
	T_ASSERT(dir);
	while ((e = readdir(dir)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			files++;
	closedir(dir);
	T_EQ_INT(files, 1);
}

static void test_cache_bounded(void)
{
	const char *p = in_root("bounded.txt");
	const char *cache = in_root("bounded-hashes");
	FILE *f = fopen(cache, "w");
	char *text, *last;
	struct doc *d;
	int i;

	T_ASSERT(f);
	fprintf(f, "gloss-hash-cache 2\n");
	for (i = 0; i < 1500; i++) {
		fprintf(f, "1 %d 10 20 30 %064d /nowhere/%d\n", i, i, i);
		if (i % 100 == 0)
			fprintf(f, "garbage line %d\n", i);
	}
	fprintf(f, "1 2 3");  /* cut short */
	T_ASSERT(fclose(f) == 0);

	T_ASSERT(write_file(p, "abc", 3) == 0);
	T_ASSERT(set_mtime(p, PAST + 2, 0) == 0);
	d = doc_open(p, cache);
	T_ASSERT(d && doc_sha256(d) == NULL);
	T_ASSERT(doc_hash_step(d, 100));
	doc_hash_save(d);
	doc_free(d);

	text = slurp(cache);
	T_ASSERT(text);
	T_EQ_INT(count_lines(text), 1001);
	T_ASSERT(!strstr(text, "garbage"));
	T_ASSERT(!strstr(text, "/nowhere/500\n"));
	T_ASSERT(strstr(text, "\n1 501 10 20 "));
	T_ASSERT(strstr(text, "/nowhere/1499\n"));
	last = strrchr(text, ' ');
	T_ASSERT(last && strstr(last, "/bounded.txt\n"));
	T_ASSERT(strstr(text, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad /"));
	free(text);

	d = doc_open(p, cache);
	T_ASSERT(d);
	T_EQ_STR(doc_sha256(d), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	doc_free(d);
}

static void test_cache_recent_file_not_recorded(void)
{
	const char *p = in_root("fresh.txt");
	const char *cache = in_root("fresh-hashes");
	struct doc *d;

	/* Written just now: a change in the same clock tick could follow. */
	T_ASSERT(write_file(p, "abc", 3) == 0);
	d = doc_open(p, cache);
	T_ASSERT(d);
	T_ASSERT(doc_hash_step(d, 10));
	doc_hash_save(d);
	doc_free(d);
	d = doc_open(p, cache);
	T_ASSERT(d && doc_sha256(d) == NULL);
	doc_free(d);
}

static void test_cache_failures_are_silent(void)
{
	const char *p = in_root("silent.txt");
	const char *notdir = in_root("plainfile");
	const char *foreign = in_root("foreign-hashes");
	const char *text;
	char *back;
	struct doc *d;

	T_ASSERT(write_file(p, "abc", 3) == 0);
	T_ASSERT(set_mtime(p, PAST + 2, 0) == 0);
	T_ASSERT(write_file(notdir, "x", 1) == 0);
	util_error("untouched");
	d = doc_open(p, in_root("plainfile/sub/hashes"));
	T_ASSERT(d);
	T_ASSERT(doc_hash_step(d, 10));
	T_EQ_STR(doc_sha256(d), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	doc_hash_save(d);
	doc_free(d);
	T_EQ_STR(util_errmsg(), "untouched");

	/* A file in another format is not trusted, and is replaced. */
	text = "something else\n1 1 3 0 "
	       "0000000000000000000000000000000000000000000000000000000000000000 -\n";
	T_ASSERT(write_file(foreign, text, strlen(text)) == 0);
	d = doc_open(p, foreign);
	T_ASSERT(d && doc_sha256(d) == NULL);
	T_ASSERT(doc_hash_step(d, 10));
	doc_hash_save(d);
	doc_free(d);
	back = slurp(foreign);
	T_ASSERT(back && !strncmp(back, "gloss-hash-cache 2\n", 19) && count_lines(back) == 2);
	free(back);
}

/* ---- standard input ---- */

/* Run doc_open("-") with fd as standard input. */
static struct doc *open_stdin_from(int fd, const char *cache)
{
	int saved = dup(STDIN_FILENO);
	struct doc *d;

	dup2(fd, STDIN_FILENO);
	d = doc_open("-", cache);
	dup2(saved, STDIN_FILENO);
	close(saved);
	return d;
}

static void test_stdin_pipe(void)
{
	const size_t n = 300000;
	const char *cache = in_root("pipe-hashes");
	unsigned char sum[SHA256_LEN];
	char hex[SHA256_HEX_LEN + 1], *data = malloc(n);
	struct stat st;
	struct doc *d;
	int fds[2], status;
	pid_t pid;
	size_t i;

	for (i = 0; i < n; i++)
		data[i] = (char)('a' + i % 26);
	T_ASSERT(pipe(fds) == 0);
	pid = fork();
	T_ASSERT(pid >= 0);
	if (pid == 0) {
		/* More than a pipe holds, in pieces: the reader must keep reading. */
		close(fds[0]);
		for (i = 0; i < n; i += 1000)
			if (write(fds[1], data + i, 1000) != 1000)
				_exit(1);
		_exit(0);
	}
	close(fds[1]);
	d = open_stdin_from(fds[0], cache);
	close(fds[0]);
	T_ASSERT(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	T_ASSERT(d);
	T_EQ_STR(doc_path(d), "-");
	T_EQ_STR(doc_name(d), "stdin");
	T_EQ_INT(doc_size(d), n);
	T_ASSERT(memcmp(doc_bytes(d), data, n) == 0);
	while (!doc_hash_step(d, 10000))
		;
	sha256_sum(data, n, sum);
	sha256_hex(sum, hex);
	T_EQ_STR(doc_sha256(d), hex);
	doc_free(d);
	free(data);
	/* A pipe has no identity to remember. */
	T_ASSERT(stat(cache, &st) < 0 && errno == ENOENT);

	/* An empty pipe. */
	T_ASSERT(pipe(fds) == 0);
	close(fds[1]);
	d = open_stdin_from(fds[0], NULL);
	close(fds[0]);
	T_ASSERT(d);
	T_EQ_INT(doc_size(d), 0);
	T_ASSERT(doc_bytes(d) == NULL);
	doc_free(d);
}

static void test_stdin_file(void)
{
	const char *p = in_root("stdin.txt");
	const char *cache = in_root("stdin-hashes");
	struct doc *d;
	int fd;

	T_ASSERT(write_file(p, "skip: the rest\n", 15) == 0);
	T_ASSERT(set_mtime(p, PAST + 2, 0) == 0);
	fd = open(p, O_RDONLY);
	T_ASSERT(fd >= 0);

	/* Mapped from where the reading position stands. */
	T_ASSERT(lseek(fd, 6, SEEK_SET) == 6);
	d = open_stdin_from(fd, cache);
	T_ASSERT(d);
	T_EQ_INT(doc_size(d), 9);
	T_ASSERT(memcmp(doc_bytes(d), "the rest\n", 9) == 0);
	T_ASSERT(doc_hash_step(d, 100));
	doc_hash_save(d);
	doc_free(d);
	T_ASSERT(access(cache, F_OK) < 0);

	/* The whole file is cached, and found again by its numbers. */
	T_ASSERT(lseek(fd, 0, SEEK_SET) == 0);
	d = open_stdin_from(fd, cache);
	T_ASSERT(d && doc_sha256(d) == NULL);
	T_EQ_INT(doc_size(d), 15);
	T_ASSERT(doc_hash_step(d, 100));
	doc_hash_save(d);
	doc_free(d);
	T_ASSERT(lseek(fd, 0, SEEK_SET) == 0);
	d = open_stdin_from(fd, cache);
	T_ASSERT(d && doc_sha256(d) != NULL);
	doc_free(d);
	close(fd);

	/* A file hashed by its path is known on standard input too. */
	p = in_root("fixed.txt");
	T_ASSERT(set_mtime(p, PAST + 2, 0) == 0);
	d = doc_open(p, cache);
	T_ASSERT(d);
	T_ASSERT(doc_hash_step(d, (size_t)-1));
	doc_hash_save(d);
	doc_free(d);
	fd = open(p, O_RDONLY);
	T_ASSERT(fd >= 0);
	d = open_stdin_from(fd, cache);
	close(fd);
	T_ASSERT(d);
	T_EQ_STR(doc_sha256(d), FIXED_SUM);
	doc_free(d);
}

static void test_stdin_directory(void)
{
	int fd = open(root, O_RDONLY);
	T_ASSERT(fd >= 0);
	T_ASSERT(open_stdin_from(fd, NULL) == NULL);
	close(fd);
	T_EQ_STR(util_errmsg(), "cannot open '-': Is a directory");
}

/* rm -r path: the temporary directory holds only what the tests made. */
static void remove_tree(const char *path)
{
	struct stat st;
	DIR *dir;
	struct dirent *e;

	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && (dir = opendir(path))) {
		while ((e = readdir(dir))) {
			char sub[8192];
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
			remove_tree(sub);
		}
		closedir(dir);
	}
	remove(path);
}

/* Where the first byte that is not ASCII is, at every place of runs longer
 * and shorter than the eight bytes read at once. */
static void test_ascii_prefix(void)
{
	char s[40] = { 0 };

	for (size_t n = 0; n <= sizeof s; n++) {
		for (size_t i = 0; i < n; i++)
			s[i] = (char)(i % 2 ? 0x7F : 'a' + (int)i % 26);
		T_EQ_INT(util_ascii_prefix(s, n), n);
		for (size_t at = 0; at < n; at++) {
			char keep = s[at];
			s[at] = (char)0x80;
			T_EQ_INT(util_ascii_prefix(s, n), at);
			s[at] = (char)0xFF;
			T_EQ_INT(util_ascii_prefix(s, n), at);
			s[at] = keep;
		}
	}
}

/* One ill-formed byte at every place of a long field becomes U+FFFD there;
 * a valid field comes back as it is, not copied. */
static void test_utf8_repair_every_place(void)
{
	char s[32], want[40], *buf = NULL;
	const char *out;
	size_t cap = 0, m;

	memset(s, 'x', sizeof s);
	memcpy(s + 20, "\xC3\xA9", 2); /* e acute, valid */
	m = util_utf8_repair(s, sizeof s, &buf, &cap, &out);
	T_ASSERT(out == s && m == sizeof s);
	for (size_t at = 0; at < sizeof s; at++) {
		if (at == 20 || at == 21)
			continue;
		s[at] = (char)0xFE;
		memcpy(want, s, at);
		memcpy(want + at, "\xEF\xBF\xBD", 3);
		memcpy(want + at + 3, s + at + 1, sizeof s - at - 1);
		m = util_utf8_repair(s, sizeof s, &buf, &cap, &out);
		T_EQ_INT(m, sizeof s + 2);
		T_ASSERT(out == buf && memcmp(out, want, m) == 0);
		s[at] = 'x';
	}
	free(buf);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(root, sizeof root, "%s/gloss-test-doc-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		printf("not ok - test_doc: cannot make a temporary directory\n");
		return 1;
	}

	T_RUN(test_open_regular);
	T_RUN(test_changed);
	T_RUN(test_fault_past_a_cut);
	T_RUN(test_open_relative_name);
	T_RUN(test_open_empty);
	T_RUN(test_open_missing);
	T_RUN(test_open_directory);
	/* root reads anything: this check would prove nothing, so it is not run */
	if (geteuid() != 0)
		T_RUN(test_open_unreadable);
	T_RUN(test_open_fifo_and_device);
	T_RUN(test_error_hides_controls);
	T_RUN(test_binary);
	T_RUN(test_title_plain);
	T_RUN(test_title_line_ends);
	T_RUN(test_title_unsafe);
	T_RUN(test_title_cut);
	T_RUN(test_title_of_a_long_line);
	T_RUN(test_title_none);
	T_RUN(test_hash_steps);
	T_RUN(test_hash_in_pieces);
	T_RUN(test_hash_past_a_cut);
	T_RUN(test_hash_stays_out_of_memory);
	T_RUN(test_cache_hit_and_miss);
	T_RUN(test_cache_sees_a_restored_mtime);
	T_RUN(test_cache_file_format);
	T_RUN(test_cache_bounded);
	T_RUN(test_cache_recent_file_not_recorded);
	T_RUN(test_cache_failures_are_silent);
	T_RUN(test_stdin_pipe);
	T_RUN(test_stdin_file);
	T_RUN(test_stdin_directory);
	T_RUN(test_ascii_prefix);
	T_RUN(test_utf8_repair_every_place);

	remove_tree(root);
	T_DONE();
}
