// SPDX-License-Identifier: GPL-2.0
/*
 * percpu_counter_add_batch() from lib/percpu_counter.c (Linux v6.11, commit
 * "percpu_counter: add a cmpxchg-based _add_batch variant"), the
 * CONFIG_HAVE_CMPXCHG_LOCAL version: the fast path is a this_cpu_try_cmpxchg()
 * loop on the CPU's s32 counter, the slow path folds it into fbc->count under
 * the irq-safe raw spinlock. With __percpu_counter_sum() of the same file, and
 * a harness for `percpu-sim check`.
 *
 * Trimmed: the !CONFIG_HAVE_CMPXCHG_LOCAL variant, and from struct
 * percpu_counter the CONFIG_HOTPLUG_CPU list member (no CPU goes offline
 * here); __percpu_counter_sum() sums the possible CPUs' counters instead of
 * the online ones (the same set on this machine). Everything else is the
 * kernel's text.
 *
 * The broken variant (-DBROKEN) is the patch as first posted (May 2024):
 * `unlikely(abs(count + amount)) >= batch` — the parenthesis closes
 * unlikely() too early, so the test is `!!abs(…) >= batch`, never true for a
 * batch above 1: counters are never folded and grow past the batch (and
 * would eventually overflow their s32). Review caught it before merge.
 *
 *   npx percpu-sim check examples/kernel/percpu_counter.c --arch all      no violation
 *   npx percpu-sim check examples/kernel/percpu_counter.c -DBROKEN        a counter reaches the batch
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <percpu-sim.h>

struct percpu_counter {
	raw_spinlock_t lock;
	s64 count;
	s32 __percpu *counters;
};

/* ---- lib/percpu_counter.c ---- */

/*
 * Safety against interrupts is achieved in 2 ways:
 * 1. the fast path uses local cmpxchg (note: no lock prefix)
 * 2. the slow path operates with interrupts disabled
 */
void percpu_counter_add_batch(struct percpu_counter *fbc, s64 amount, s32 batch)
{
	s64 count;
	unsigned long flags;

	count = this_cpu_read(*fbc->counters);
	do {
#ifndef BROKEN
		if (unlikely(abs(count + amount) >= batch)) {
#else
		if (unlikely(abs(count + amount)) >= batch) {
#endif
			raw_spin_lock_irqsave(&fbc->lock, flags);
			/*
			 * Note: by now we might have migrated to another CPU
			 * or the value might have changed.
			 */
			count = __this_cpu_read(*fbc->counters);
			fbc->count += count + amount;
			__this_cpu_sub(*fbc->counters, count);
			raw_spin_unlock_irqrestore(&fbc->lock, flags);
			return;
		}
	} while (!this_cpu_try_cmpxchg(*fbc->counters, &count, count + amount));
}

/*
 * Add up all the per-cpu counts, return the result.  This is a more accurate
 * but much slower version of percpu_counter_read_positive()
 */
s64 __percpu_counter_sum(struct percpu_counter *fbc)
{
	s64 ret;
	int cpu;
	unsigned long flags;

	raw_spin_lock_irqsave(&fbc->lock, flags);
	ret = fbc->count;
	for_each_possible_cpu(cpu) {
		s32 *pcount = per_cpu_ptr(fbc->counters, cpu);
		ret += *pcount;
	}
	raw_spin_unlock_irqrestore(&fbc->lock, flags);
	return ret;
}

/* ---- harness ---- */

#define BATCH 4

static struct percpu_counter fbc;
/* What the callers added: the sum must come back exactly. */
static atomic_long_t added;

static void counter_init(void)
{
	raw_spin_lock_init(&fbc.lock);
	fbc.counters = alloc_percpu(s32);
}

static void add(s64 amount)
{
	percpu_counter_add_batch(&fbc, amount, BATCH);
	atomic_long_add(amount, &added);
}

/* 3 stays in the CPU's counter; 2 more reaches the batch and folds 5 into fbc->count. */
static void task(void)
{
	add(3);
	add(2);
}

static void tick(void)
{
	add(-1);
}

/* The batching contract: no CPU's counter ever holds a batch or more. */
static bool within_batch(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		s32 c = *per_cpu_ptr(fbc.counters, cpu);

		if (abs(c) >= BATCH)
			return false;
	}
	return true;
}

static bool sum_exact(void)
{
	return __percpu_counter_sum(&fbc) == atomic_long_read(&added);
}

PERCPU_CPUS(2);
PERCPU_INIT(counter_init);
PERCPU_TASK(T1, 0, task);
PERCPU_IRQ(timer, tick, 1);
PERCPU_ALWAYS(within_batch);
PERCPU_CHECK(sum_exact);
