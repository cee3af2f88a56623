// SPDX-License-Identifier: GPL-2.0
/*
 * The per-CPU folio batches of mm/swap.c (Linux v6.16): struct cpu_fbatches
 * with its two local locks, __folio_batch_add_and_move() and the
 * folio_batch_add_and_move() macro, which picks the irq-safe lock from the
 * batch's position in the struct (offsetof); folio_batch_add() and
 * folio_batch_space() from include/linux/pagevec.h. A harness for
 * `percpu-sim check`, with and without PREEMPT_RT (--rt).
 *
 * Trimmed: the move_fn_t function pointer (function pointers are outside
 * percpu-cc's subset) — folio_batch_move_lru() here always does what
 * lru_add() and lru_move_tail() share, taking every folio off the batch and
 * counting it as moved, with the lruvec's lru_lock and the folio reference
 * dropping left out; struct folio down to a flag word and its refcount;
 * folio_get(), folio_test_large() and lru_cache_disabled() are one line each,
 * as in the kernel without the debug checks; the batches other than lru_add
 * and lru_move_tail are kept in the struct, unused.
 *
 * The broken variant (-DBROKEN) declares lru_move_tail above lock_irq. The
 * macro's offsetof() comparison then picks local_lock(&cpu_fbatches.lock)
 * for it: an interrupt that rotates a folio (folio_rotate_reclaimable() on
 * writeback completion) takes a lock that tasks hold with interrupts on.
 * Lockdep reports the inconsistent lock state; without PREEMPT_RT the
 * interrupt would corrupt a batch a task is in the middle of filling.
 *
 *   npx percpu-sim check examples/kernel/swap_fbatches.c --arch all        no violation
 *   npx percpu-sim check examples/kernel/swap_fbatches.c --rt              no violation, no deadlock
 *   npx percpu-sim check examples/kernel/swap_fbatches.c -DBROKEN          WARNING: inconsistent lock state
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/stddef.h>
#include <linux/local_lock.h>
#include <percpu-sim.h>

#define PG_head 6

struct folio {
	unsigned long flags;
	atomic_t _refcount;
};

static inline void folio_get(struct folio *folio)
{
	atomic_inc(&folio->_refcount);
}

static inline bool folio_test_large(struct folio *folio)
{
	return (folio->flags >> PG_head) & 1;
}

static atomic_t lru_disable_count;

static inline bool lru_cache_disabled(void)
{
	return atomic_read(&lru_disable_count);
}

/* ---- include/linux/pagevec.h ---- */

/* 31 pointers + header align the folio_batch structure to a power of two */
#define PAGEVEC_SIZE	31

struct folio_batch {
	unsigned char nr;
	unsigned char i;
	bool percpu_pvec_drained;
	struct folio *folios[PAGEVEC_SIZE];
};

static inline unsigned int folio_batch_space(struct folio_batch *fbatch)
{
	return PAGEVEC_SIZE - fbatch->nr;
}

static inline unsigned folio_batch_add(struct folio_batch *fbatch,
		struct folio *folio)
{
	fbatch->folios[fbatch->nr++] = folio;
	return folio_batch_space(fbatch);
}

/* ---- mm/swap.c ---- */

struct cpu_fbatches {
	/*
	 * The following folio batches are grouped together because they are protected
	 * by disabling preemption (and interrupts remain enabled).
	 */
	local_lock_t lock;
	struct folio_batch lru_add;
	struct folio_batch lru_deactivate_file;
	struct folio_batch lru_deactivate;
	struct folio_batch lru_lazyfree;
	struct folio_batch lru_activate;
#ifdef BROKEN
	struct folio_batch lru_move_tail;
#endif
	/* Protecting the following batches which require disabling interrupts */
	local_lock_t lock_irq;
#ifndef BROKEN
	struct folio_batch lru_move_tail;
#endif
};

static DEFINE_PER_CPU(struct cpu_fbatches, cpu_fbatches) = {
	.lock = INIT_LOCAL_LOCK(lock),
	.lock_irq = INIT_LOCAL_LOCK(lock_irq),
};

/* What the batches handed to the LRU lists (the trimmed move_fn). */
static atomic_t moved;

static void folio_batch_move_lru(struct folio_batch *fbatch)
{
	int i;

	for (i = 0; i < fbatch->nr; i++)
		atomic_inc(&moved);
	fbatch->nr = 0;
}

static void __folio_batch_add_and_move(struct folio_batch __percpu *fbatch,
		struct folio *folio, bool disable_irq)
{
	unsigned long flags;

	folio_get(folio);

	if (disable_irq)
		local_lock_irqsave(&cpu_fbatches.lock_irq, flags);
	else
		local_lock(&cpu_fbatches.lock);

	if (!folio_batch_add(this_cpu_ptr(fbatch), folio) || folio_test_large(folio) ||
	    lru_cache_disabled())
		folio_batch_move_lru(this_cpu_ptr(fbatch));

	if (disable_irq)
		local_unlock_irqrestore(&cpu_fbatches.lock_irq, flags);
	else
		local_unlock(&cpu_fbatches.lock);
}

#define folio_batch_add_and_move(folio, op)		\
	__folio_batch_add_and_move(			\
		&cpu_fbatches.op,			\
		folio,					\
		offsetof(struct cpu_fbatches, op) >=	\
		offsetof(struct cpu_fbatches, lock_irq)	\
	)

/* ---- harness ---- */

static struct folio folios[3];

/*
 * folio_add_lru() of a new page, then folio_rotate_reclaimable() of another
 * from task context (reclaim deactivating a page).
 */
static void task(void)
{
	folio_batch_add_and_move(&folios[0], lru_add);
	folio_batch_add_and_move(&folios[1], lru_move_tail);
}

/* folio_rotate_reclaimable() from folio_end_writeback(), in the block I/O completion interrupt. */
static void end_writeback(void)
{
	folio_batch_add_and_move(&folios[2], lru_move_tail);
}

/* Every folio handed over is in a batch or on an LRU list, once. */
static bool none_lost(void)
{
	int cpu, queued = 0;

	for_each_possible_cpu(cpu) {
		struct cpu_fbatches *fbatches = per_cpu_ptr(&cpu_fbatches, cpu);

		queued += fbatches->lru_add.nr + fbatches->lru_move_tail.nr;
	}
	return queued + atomic_read(&moved) ==
		atomic_read(&folios[0]._refcount) + atomic_read(&folios[1]._refcount) +
		atomic_read(&folios[2]._refcount);
}

PERCPU_CPUS(2);
PERCPU_TASK(T1, 0, task);
PERCPU_IRQ(blk_done, end_writeback, 1);
PERCPU_CHECK(none_lost);
