/* Unit tests for util: the heap made ready ahead. */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gloss/util.h"
#include "t.h"

/* How many of the n pages from p are in memory. */
static size_t resident(uintptr_t p, size_t n)
{
	unsigned char vec[1024];
	size_t in = 0;

	if (n > sizeof vec || mincore((void *)p, n * (size_t)sysconf(_SC_PAGESIZE), vec) != 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		in += vec[i] & 1;
	return in;
}

static void test_heap_ready(void)
{
	const size_t bytes = 1 << 20, page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t end, from;
	char *p;

#ifdef __SANITIZE_ADDRESS__
	/* AddressSanitizer's allocator does not grow the heap */
	T_ASSERT(!util_heap_ready(bytes));
	return;
#endif
	T_ASSERT(util_heap_ready(bytes));
	end = (uintptr_t)sbrk(0) & ~(uintptr_t)(page - 1);
	from = end - bytes + page;
	/* every page of the top megabyte is there before any use */
	T_EQ_INT(resident(from, (end - from) / page), (end - from) / page);
	/* and a block malloc gives next comes from the heap, below the break */
	p = util_malloc(64 * 1024);
	T_ASSERT((uintptr_t)p + 64 * 1024 <= (uintptr_t)sbrk(0));
	free(p);
	/* too much is refused, not attempted */
	T_ASSERT(!util_heap_ready((size_t)1 << 40));
}

int main(void)
{
	T_RUN(test_heap_ready);
	T_DONE();
}
