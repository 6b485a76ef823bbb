/* Unit tests for util: the heap made ready ahead, the thread's time slice. */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
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

/* The kernel's struct sched_attr, as far as these tests read it. */
struct attr {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
};

static int get_attr(struct attr *a)
{
	memset(a, 0, sizeof *a);
	return (int)syscall(SYS_sched_getattr, 0, a, sizeof *a, 0);
}

/* Linux 6.12 and later take a slice of the thread's own. */
static int kernel_has_slices(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return 0;
	return major > 6 || (major == 6 && minor >= 12);
}

/* Skips where the kernel gives no scheduling attributes (a sandbox's
 * filter), or where the test is not started as gloss is: with the normal
 * policy and room to be niced by 3. */
static bool sched_testable(struct attr *a)
{
	if (get_attr(a) != 0)
		return false;
	return a->policy == SCHED_OTHER && a->nice <= 16;
}

static void test_sched_patient(void)
{
	struct attr before, now;

	if (!sched_testable(&before))
		T_SKIP("no scheduling attributes, another policy, or niced past 16");
	/* a nice value of the user's own stays as it was */
	T_ASSERT(setpriority(PRIO_PROCESS, 0, before.nice + 3) == 0);
	T_EQ_INT(get_attr(&before), 0);
	errno = EDOM;
	util_sched_patient(true);
	T_EQ_INT(errno, EDOM);
	T_EQ_INT(get_attr(&now), 0);
	T_EQ_INT(now.policy, SCHED_OTHER);
	T_EQ_INT(now.nice, before.nice);
	/* before 6.12 the kernel keeps no slice of a thread's own */
	if (kernel_has_slices())
		T_EQ_INT(now.runtime, 30000000);
	/* twice is once; off is the kernel's default slice again */
	util_sched_patient(true);
	util_sched_patient(false);
	T_EQ_INT(get_attr(&now), 0);
	T_EQ_INT(now.runtime, before.runtime);
	T_EQ_INT(now.nice, before.nice);
	util_sched_patient(false);
	T_EQ_INT(get_attr(&now), 0);
	T_EQ_INT(now.runtime, before.runtime);
}

/* Under another policy than the normal one (chrt -b), nothing changes. */
static void test_sched_patient_other_policy(void)
{
	struct sched_param sp = { 0 };
	struct attr before, now;

	if (!sched_testable(&before))
		T_SKIP("no scheduling attributes, another policy, or niced past 16");
	T_ASSERT(sched_setscheduler(0, SCHED_BATCH, &sp) == 0);
	T_EQ_INT(get_attr(&before), 0);
	util_sched_patient(true);
	T_EQ_INT(get_attr(&now), 0);
	T_EQ_INT(now.policy, SCHED_BATCH);
	T_EQ_INT(now.runtime, before.runtime);
	util_sched_patient(false);
}

int main(void)
{
	T_RUN(test_heap_ready);
	T_RUN(test_sched_patient);
	T_RUN(test_sched_patient_other_policy);
	T_DONE();
}
