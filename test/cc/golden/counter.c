/*
 * Golden fixture: a per-CPU counter bumped from a task and an interrupt
 * handler, with the harness. Its translation (counter.ts, counter-stepped.ts)
 * is committed; `make check` fails if a fresh translation differs.
 */
#include <linux/percpu.h>
#include <linux/kernel.h>
#include <percpu-sim.h>

static DEFINE_PER_CPU(unsigned long, events);
static DEFINE_PER_CPU(int, depth);
static int handled;

static void count_event(unsigned long n)
{
	if (this_cpu_inc_return(depth) > 1)
		goto out;
	this_cpu_add(events, n);
out:
	this_cpu_dec(depth);
}

/*
 * An unlikely() branch that returns: the fast flavour moves it out of line
 * (count_many$cold), the stepped one keeps it in place.
 */
static void count_many(unsigned long n)
{
	if (unlikely(n > 1000)) {
		this_cpu_add(events, 1000);
		handled += n - 1000;
		return;
	}
	count_event(n);
}

static void task(void)
{
	count_event(2);
	count_event(3);
}

static void tick(void)
{
	count_event(1);
	handled++;
}

static bool all_counted(void)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(events, cpu);
	return sum == 5 + handled;
}

PERCPU_CPUS(2);
PERCPU_TASK(T1, 0, task);
PERCPU_IRQ(tick, tick, 1);
PERCPU_CHECK(all_counted);
