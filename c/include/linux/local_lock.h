/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/local_lock.h for percpu-cc: local_lock_t and local_trylock_t in the
 * shape of include/linux/local_lock_internal.h (no lockdep), and the calls of
 * include/linux/local_lock.h (src/kernel/locking/local-lock.ts). Each call
 * takes the per-CPU lock (`&cpu_fbatches.lock`) and locks this CPU's
 * instance: without PREEMPT_RT by disabling preemption or interrupts, with it
 * by migrate_disable() and a per-CPU spinlock_t, which sleeps.
 */
#ifndef _LINUX_LOCAL_LOCK_H
#define _LINUX_LOCAL_LOCK_H

#include <linux/percpu.h>
#include <linux/spinlock.h>

#ifdef CONFIG_PREEMPT_RT
typedef spinlock_t local_lock_t;
typedef spinlock_t local_trylock_t;
#else
typedef struct {
} local_lock_t;
typedef struct {
	local_lock_t llock;
	u8 acquired;
} local_trylock_t;
#endif

#define INIT_LOCAL_LOCK(lockname) { }
#define INIT_LOCAL_TRYLOCK(lockname) { }

void local_lock_init(local_lock_t __percpu *lock);
void local_trylock_init(local_trylock_t __percpu *lock);
void local_lock(local_lock_t __percpu *lock);
void local_unlock(local_lock_t __percpu *lock);
void local_lock_irq(local_lock_t __percpu *lock);
void local_unlock_irq(local_lock_t __percpu *lock);
unsigned long _local_lock_irqsave(local_lock_t __percpu *lock);
void local_unlock_irqrestore(local_lock_t __percpu *lock, unsigned long flags);
int local_trylock(local_trylock_t __percpu *lock);
#define local_lock_irqsave(lock, flags) do { (flags) = _local_lock_irqsave(lock); } while (0)

#endif /* _LINUX_LOCAL_LOCK_H */
