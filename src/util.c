/*
 * util.c: allocation that aborts on failure, the heap made ready ahead, the
 * error message slot, and UTF-8 decoding with U+FFFD for ill-formed input.
 */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <pwd.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gloss/util.h"

/* each thread its own: a store may be opened on another thread (store_open_begin) */
static _Thread_local char util_msg[1024];

static void util_oom(size_t n)
{
	fprintf(stderr, "gloss: out of memory (%zu bytes)\n", n);
	abort();
}

void *util_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		util_oom(n);
	return p;
}

void *util_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		util_oom(count * size);
	return p;
}

void *util_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		util_oom(n);
	return q;
}

char *util_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(util_malloc(n), s, n);
}

char *util_memdup(const char *s, size_t n)
{
	char *r = util_malloc(n + 1);

	if (n)
		memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

/* Blocks for growing the heap: under the size that malloc would map apart. */
#define UTIL_HEAP_STEP (64 * 1024)

bool util_heap_ready(size_t bytes)
{
#if defined(__GLIBC__) && defined(MADV_POPULATE_WRITE) && !defined(__SANITIZE_ADDRESS__)
	const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	void *blocks[256];
	size_t n = 0;
	char *start, *end;
	uintptr_t from, to;

	if (bytes > INT_MAX || bytes / UTIL_HEAP_STEP >= sizeof blocks / sizeof *blocks)
		return false;
	/* Each growth of the heap takes bytes more than asked, and a free
	 * keeps that much on top: so the heap grows once, by bytes, here. */
	if (mallopt(M_TOP_PAD, (int)bytes) != 1)
		return false;
	start = sbrk(0);
	while (n < sizeof blocks / sizeof *blocks && (size_t)((char *)sbrk(0) - start) < bytes)
		blocks[n++] = util_malloc(UTIL_HEAP_STEP);
	while (n > 0)
		free(blocks[--n]);
	/* what the frees left on top, at least bytes, ends at the break */
	end = sbrk(0);
	if (end == (char *)-1 || end == start)
		return false;
	from = ((uintptr_t)end - bytes + page - 1) & ~(page - 1);
	to = (uintptr_t)end & ~(page - 1);
	return madvise((void *)from, to - from, MADV_POPULATE_WRITE) == 0;
#else
	(void)bytes;
	return false;
#endif
}

/* The kernel's struct sched_attr (its first version, 56 bytes), which the C
 * library declares only from 2.41 on. */
struct util_sched_attr {
	uint32_t size;
	uint32_t policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime; /* for the normal policy: the slice, in ns; 0 the default */
	uint64_t deadline;
	uint64_t period;
	uint32_t util_min;
	uint32_t util_max;
};

/* Some ten times the kernel's default slice, which grows with the number
 * of CPUs to about 3 ms at most (1.4 ms with two); it takes 0.1 to 100 ms. */
#define UTIL_SLICE_PATIENT 30000000ULL

void util_sched_patient(bool on)
{
#if defined(__linux__) && defined(SYS_sched_getattr) && defined(SYS_sched_setattr)
	static _Thread_local bool patient;
	struct util_sched_attr a;
	int saved = errno;

	if (on == patient)
		return;
	memset(&a, 0, sizeof a);
	/* the nice value and the policy as they are: only the slice changes */
	if (syscall(SYS_sched_getattr, 0, &a, sizeof a, 0) == 0 && a.policy == SCHED_OTHER) {
		a.size = sizeof a;
		/* off: 0, the kernel's default (it reports the slice in use,
		 * which set again would stay fixed) */
		a.runtime = on ? UTIL_SLICE_PATIENT : 0;
		if (syscall(SYS_sched_setattr, 0, &a, 0) == 0)
			patient = on;
	}
	errno = saved;
#else
	(void)on;
#endif
}

const char *util_login_name(void)
{
	static const char *const vars[] = { "LOGNAME", "USER" };
	static char name[256];
	const struct passwd *pw;
	const char *v;
	uid_t uid = geteuid();
	FILE *f;

	for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
		if ((v = getenv(vars[i])) && *v)
			return v;
	/* The password file itself: the C library's name service would load
	 * shared libraries, which a static binary cannot count on. */
	if (!name[0] && (f = fopen("/etc/passwd", "re"))) {
		while ((pw = fgetpwent(f)))
			if (pw->pw_uid == uid && pw->pw_name && *pw->pw_name) {
				snprintf(name, sizeof name, "%s", pw->pw_name);
				break;
			}
		fclose(f);
	}
	return name[0] ? name : "unknown";
}

void util_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(util_msg, sizeof util_msg, fmt, ap);
	va_end(ap);
}

const char *util_errmsg(void)
{
	return util_msg;
}

int util_utf8_decode(const char *str, size_t n, uint32_t *cp, int *valid)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c = s[0];
	uint32_t v;
	int len, i;
	unsigned char lo = 0x80, hi = 0xBF;

	*valid = 1;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F; /* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		goto bad1;
	}
	/* The maximal subpart: stop at the first byte that cannot continue. */
	for (i = 1; i < len; i++) {
		if ((size_t)i >= n || s[i] < lo || s[i] > hi) {
			*cp = 0xFFFD;
			*valid = 0;
			return i;
		}
		v = (v << 6) | (s[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = v;
	return len;
bad1:
	*cp = 0xFFFD;
	*valid = 0;
	return 1;
}

int util_utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t util_utf8_back(const char *s, size_t pos)
{
	size_t p = pos;
	uint32_t cp;
	int valid;

	while (p > 0 && pos - p < 3 && ((unsigned char)s[p] & 0xC0) == 0x80)
		p--;
	/* Only a lead byte whose sequence really reaches pos owns it. */
	if (p < pos && p + (size_t)util_utf8_decode(s + p, pos - p + 1, &cp, &valid) <= pos)
		return pos;
	return p;
}

size_t util_ascii_prefix(const char *s, size_t n)
{
	size_t i = 0;
	uint64_t v;

	/* most text is ASCII: eight bytes at a time */
	while (n - i >= 8) {
		memcpy(&v, s + i, 8);
		if (v & UINT64_C(0x8080808080808080))
			break;
		i += 8;
	}
	while (i < n && (unsigned char)s[i] < 0x80)
		i++;
	return i;
}

/* Bytes of s[0..n) before its first ill-formed sequence. */
static size_t util_utf8_valid_prefix(const char *s, size_t n)
{
	size_t i = 0;
	uint32_t cp;
	int valid;

	while (i < n) {
		if ((unsigned char)s[i] < 0x80) {
			i += util_ascii_prefix(s + i, n - i);
			continue;
		}
		int k = util_utf8_decode(s + i, n - i, &cp, &valid);
		if (!valid)
			break;
		i += (size_t)k;
	}
	return i;
}

size_t util_utf8_repair(const char *s, size_t n, char **buf, size_t *cap, const char **out)
{
	size_t i = util_utf8_valid_prefix(s, n), o;

	*out = s;
	if (i == n)
		return n;
	/* At most 3 bytes of U+FFFD per ill-formed byte. */
	if (*cap < 3 * n + 1) {
		*cap = 3 * n + 1;
		*buf = util_realloc(*buf, *cap);
	}
	memcpy(*buf, s, i);
	o = i;
	while (i < n) {
		uint32_t cp;
		int valid, k = util_utf8_decode(s + i, n - i, &cp, &valid);
		if (valid) {
			memcpy(*buf + o, s + i, (size_t)k);
			o += (size_t)k;
		} else {
			o += (size_t)util_utf8_encode(0xFFFD, *buf + o);
		}
		i += (size_t)k;
	}
	(*buf)[o] = '\0';
	*out = *buf;
	return o;
}

bool util_utf8_same(const char *text, size_t tn, const char *q, size_t qn)
{
	size_t i = 0, j = 0;

	if (tn == qn && memcmp(text, q, tn) == 0)
		return true;
	while (i < tn) {
		uint32_t cp;
		int valid, k = util_utf8_decode(text + i, tn - i, &cp, &valid);
		if (valid) {
			if (qn - j < (size_t)k || memcmp(text + i, q + j, (size_t)k) != 0)
				return false;
			j += (size_t)k;
		} else {
			if (qn - j < 3 || memcmp(q + j, "\xef\xbf\xbd", 3) != 0)
				return false;
			j += 3;
		}
		i += (size_t)k;
	}
	return j == qn;
}

bool util_cp_disruptive(uint32_t cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x200E || cp == 0x200F || cp == 0x061C || cp == 0x2028 || cp == 0x2029;
}
