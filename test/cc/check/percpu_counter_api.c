/*
 * Fixture for percpu-sim check: the runtime's percpu_counter through
 * <linux/percpu_counter.h>, used as fs/file_table.c uses nr_files (v6.16:
 * percpu_counter_inc() in alloc_empty_file(), percpu_counter_dec() in
 * file_free(), percpu_counter_sum_positive() in proc_nr_files()). Two tasks
 * add on two CPUs, one of them past the batch (percpu_counter_batch is 32 on
 * two CPUs), while an interrupt sums the counter: every step inside the
 * counter — the delta's this_cpu ops, the lock, the s64 count — is a point
 * where the explorer can switch CPUs or take the interrupt.
 *
 * The interrupt's sum is exact at the moment it holds the lock: 0, 1, 40 or
 * 41, never a value in between; after both tasks the sum is exact and the approximate
 * read is off by less than batch × online CPUs. -DBROKEN checks the read
 * where the sum is needed: the delta cpu1 has not folded is missing.
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/percpu_counter.h>
#include <percpu-sim.h>

static struct percpu_counter nr_files;
static s64 irq_sum = -1;

static void init(void)
{
	percpu_counter_init(&nr_files, 0, GFP_KERNEL);
}

static void opener(void)
{
	percpu_counter_add(&nr_files, 40);
}

static void closer(void)
{
	percpu_counter_inc(&nr_files);
}

static void proc_nr_files(void)
{
	irq_sum = percpu_counter_sum_positive(&nr_files);
}

static bool counted(void)
{
	s64 read = percpu_counter_read(&nr_files);

	if (irq_sum != -1 && irq_sum != 0 && irq_sum != 1 && irq_sum != 40 && irq_sum != 41)
		return false;
#ifdef BROKEN
	return read == 41;
#else
	return percpu_counter_sum(&nr_files) == 41 && abs(read - 41) < percpu_counter_batch * num_online_cpus() &&
	       percpu_counter_compare(&nr_files, 41) == 0 && percpu_counter_compare(&nr_files, 42) < 0;
#endif
}

PERCPU_CPUS(2);
PERCPU_BOUND(1);
PERCPU_INIT(init);
PERCPU_TASK(T1, 0, opener);
PERCPU_TASK(T2, 1, closer);
PERCPU_IRQ(tick, proc_nr_files, 1);
PERCPU_CHECK(counted);
