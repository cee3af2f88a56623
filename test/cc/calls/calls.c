/*
 * Kernel calls from translated C (test/cc/calls.test.ts): atomics with an
 * out parameter, spinlocks with saved flags, local_t, and
 * this_cpu_try_cmpxchg() with an old value wider than the variable.
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/atomic.h>
#include <linux/spinlock.h>
#include <linux/irqflags.h>
#include <asm/local.h>
#include <linux/slab.h>

static atomic_t a = ATOMIC_INIT(5);
static atomic_long_t al;
static atomic_t an;
static atomic64_t an64;
static atomic_long_t anl;
static local_t l;
static local64_t l64;
static DEFINE_SPINLOCK(lock);
static DEFINE_PER_CPU(s32, small);

int try_swap(int old, int new)
{
	int o = old;

	if (atomic_try_cmpxchg(&a, &o, new))
		return 1000 + o;
	return o;
}

long long_ops(long v)
{
	atomic_long_add(v, &al);
	atomic_long_inc(&al);
	return atomic_long_fetch_sub(3, &al) * 100 + atomic_long_read(&al);
}

long local_ops(long v)
{
	local_add(v, &l);
	local_inc(&l);
	return local_read(&l);
}

/* The four test ops of asm-generic/local64.h: one decimal digit each. */
int local64_tests(long v)
{
	int r;

	local64_set(&l64, v);
	r = local64_add_negative(-1, &l64);
	r = r * 10 + local64_inc_and_test(&l64);
	r = r * 10 + local64_dec_and_test(&l64);
	return r * 10 + local64_sub_and_test(v - 1, &l64);
}

/* add_negative in the three orderings of <linux/atomic.h>: one decimal digit each. */
int negative_orders(int v)
{
	int r = atomic_add_negative_relaxed(v, &an);

	r = r * 10 + atomic64_add_negative_acquire(v, &an64);
	return r * 10 + atomic_long_add_negative_release(v, &anl);
}

int locked(void)
{
	unsigned long flags;
	int off;

	spin_lock_irqsave(&lock, flags);
	off = irqs_disabled();
	spin_unlock_irqrestore(&lock, flags);
	off = off * 10 + irqs_disabled();
	if (spin_trylock(&lock)) {
		off += 100;
		spin_unlock(&lock);
	}
	return off;
}

/* The s32 holds 7; old is a wide s64 that misses: what comes back in old is the architecture's. */
s64 wide_miss(s64 old)
{
	this_cpu_write(small, -7);
	if (this_cpu_try_cmpxchg(small, &old, 1))
		return 0;
	return old;
}

/* xchg() through an address the caller passes: a bad one is refused before anything is stored. */
static int target = 11;

unsigned long target_addr(void)
{
	return (unsigned long)&target;
}

int swap_at(unsigned long addr, int v)
{
	return xchg((int *)addr, v);
}

int read_target(void)
{
	return target;
}

/* kmalloc()/kfree() by address: a double free, or a pointer into an object, is refused. */
unsigned long heap_alloc(unsigned long size)
{
	return (unsigned long)kmalloc(size, GFP_KERNEL);
}

void heap_free(unsigned long addr)
{
	kfree((void *)addr);
}
