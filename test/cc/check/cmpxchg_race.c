/*
 * Fixture for percpu-sim check: a shared counter in ordinary memory bumped
 * from two CPUs. A plain read-modify-write (-DBROKEN) loses
 * an update; a cmpxchg() loop, or a try_cmpxchg() loop (-DTRY), does not.
 */
#include <linux/kernel.h>
#include <linux/atomic.h>
#include <percpu-sim.h>

static unsigned long events;

static void account(void)
{
#if defined(BROKEN)
	events = events + 1;
#elif defined(TRY)
	unsigned long old = READ_ONCE(events);

	while (!try_cmpxchg(&events, &old, old + 1))
		;
#else
	unsigned long old, seen = READ_ONCE(events);

	do {
		old = seen;
		seen = cmpxchg(&events, old, old + 1);
	} while (seen != old);
#endif
}

static bool all_counted(void)
{
	return READ_ONCE(events) == 2;
}

PERCPU_CPUS(2);
PERCPU_TASK(T1, 0, account);
PERCPU_TASK(T2, 1, account);
PERCPU_CHECK(all_counted);
