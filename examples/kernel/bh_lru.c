// SPDX-License-Identifier: GPL-2.0
/*
 * bh_lru_install() and invalidate_bh_lru() from fs/buffer.c (Linux v6.16),
 * with struct bh_lru, bh_lrus and bh_lru_lock(), and get_bh()/put_bh()/
 * brelse() from include/linux/buffer_head.h; a harness for `percpu-sim check`.
 *
 * Each CPU keeps a small LRU of recently used buffer heads, each holding a
 * reference. invalidate_bh_lru() runs on every CPU by IPI (on_each_cpu_cond)
 * and drops the references. On SMP bh_lru_lock() disables interrupts, so the
 * IPI cannot land in the middle of an install.
 *
 * Trimmed: struct buffer_head down to b_count; __brelse()'s WARN on a zero
 * count (variadic) and the page and migration details; cpu_is_isolated() is
 * false; lru_cache_disabled() reads the count as mm/swap.c does.
 *
 * The broken variant (-DBROKEN) uses the !CONFIG_SMP bh_lru_lock(),
 * preempt_disable(), on SMP: the IPI lands between the install's swap into
 * b->bhs[0] and its get_bh(), and drops a reference the LRU has not taken yet:
 * b_count reaches 0 while the caller still holds its reference.
 *
 *   npx percpu-sim check examples/kernel/bh_lru.c --arch all        no violation
 *   npx percpu-sim check examples/kernel/bh_lru.c -DBROKEN          b_count 0 under a held reference
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/irqflags.h>
#include <percpu-sim.h>

/* include/linux/buffer_head.h */
struct buffer_head {
	atomic_t b_count;		/* users using this buffer_head */
};

static inline void get_bh(struct buffer_head *bh)
{
	atomic_inc(&bh->b_count);
}

static inline void put_bh(struct buffer_head *bh)
{
	atomic_dec(&bh->b_count);
}

static inline void brelse(struct buffer_head *bh)
{
	if (bh)
		put_bh(bh);
}

static atomic_t lru_disable_count;

static inline bool lru_cache_disabled(void)
{
	return atomic_read(&lru_disable_count);
}

static inline bool cpu_is_isolated(int cpu)
{
	return false;
}

/* ---- fs/buffer.c ---- */

#define BH_LRU_SIZE	16

struct bh_lru {
	struct buffer_head *bhs[BH_LRU_SIZE];
};

static DEFINE_PER_CPU(struct bh_lru, bh_lrus) = {{ NULL }};

#ifndef BROKEN
#define bh_lru_lock()	local_irq_disable()
#define bh_lru_unlock()	local_irq_enable()
#else
#define bh_lru_lock()	preempt_disable()
#define bh_lru_unlock()	preempt_enable()
#endif

static inline void check_irqs_on(void)
{
	BUG_ON(irqs_disabled());
}

/*
 * Install a buffer_head into this cpu's LRU.  If not already in the LRU, it is
 * inserted at the front, and the buffer_head at the back if any is evicted.
 * Or, if already in the LRU it is moved to the front.
 */
static void bh_lru_install(struct buffer_head *bh)
{
	struct buffer_head *evictee = bh;
	struct bh_lru *b;
	int i;

	check_irqs_on();
	bh_lru_lock();

	/*
	 * the refcount of buffer_head in bh_lru prevents dropping the
	 * attached page(i.e., try_to_free_buffers) so it could cause
	 * failing page migration.
	 * Skip putting upcoming bh into bh_lru until migration is done.
	 */
	if (lru_cache_disabled() || cpu_is_isolated(smp_processor_id())) {
		bh_lru_unlock();
		return;
	}

	b = this_cpu_ptr(&bh_lrus);
	for (i = 0; i < BH_LRU_SIZE; i++) {
		swap(evictee, b->bhs[i]);
		if (evictee == bh) {
			bh_lru_unlock();
			return;
		}
	}

	get_bh(bh);
	bh_lru_unlock();
	brelse(evictee);
}

static void invalidate_bh_lru(void *arg)
{
	struct bh_lru *b = &get_cpu_var(bh_lrus);
	int i;

	for (i = 0; i < BH_LRU_SIZE; i++) {
		brelse(b->bhs[i]);
		b->bhs[i] = NULL;
	}
	put_cpu_var(bh_lrus);
}

/* ---- harness ---- */

static struct buffer_head bh_X;

/* The caller's reference (__find_get_block() found it), held across the install. */
static void bh_init(void)
{
	get_bh(&bh_X);
}

static void task(void)
{
	bh_lru_install(&bh_X);
}

/* invalidate_bh_lrus(): the IPI of on_each_cpu_cond() on this CPU. */
static void ipi(void)
{
	invalidate_bh_lru(NULL);
}

/* The caller holds its reference all along: the count never drops below it. */
static bool caller_ref_held(void)
{
	return atomic_read(&bh_X.b_count) >= 1;
}

PERCPU_CPUS(2);
PERCPU_INIT(bh_init);
PERCPU_PINNED_TASK(T1, 0, task);
PERCPU_IRQ(ipi, ipi, 1);
PERCPU_ALWAYS(caller_ref_held);
