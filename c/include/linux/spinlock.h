/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/spinlock.h for percpu-cc: spinlock_t and raw_spinlock_t in the shape of
 * include/linux/spinlock_types.h and spinlock_types_raw.h (no lockdep, no
 * CONFIG_DEBUG_SPINLOCK), and the lock calls of include/linux/spinlock.h
 * (src/kernel/locking/spinlock.ts). Without PREEMPT_RT a spinlock disables
 * preemption (and interrupts or bottom halves for the _irq, _irqsave and _bh
 * forms); with it, spinlock_t is a sleeping rt_mutex and the task migrates
 * no more while it holds one (kernel/locking/spinlock_rt.c).
 */
#ifndef __LINUX_SPINLOCK_H
#define __LINUX_SPINLOCK_H

#include <linux/types.h>
#include <linux/atomic.h>

typedef struct qspinlock {
	atomic_t val;
} arch_spinlock_t;

typedef struct raw_spinlock {
	arch_spinlock_t raw_lock;
} raw_spinlock_t;

#ifdef CONFIG_PREEMPT_RT
struct rt_mutex_base;
typedef struct spinlock {
	struct rt_mutex_base lock;
} spinlock_t;
#else
typedef struct spinlock {
	union {
		struct raw_spinlock rlock;
	};
} spinlock_t;
#endif

#define __SPIN_LOCK_UNLOCKED(lockname) { }
#define __RAW_SPIN_LOCK_UNLOCKED(lockname) { }
#define DEFINE_SPINLOCK(x) spinlock_t x = __SPIN_LOCK_UNLOCKED(x)
#define DEFINE_RAW_SPINLOCK(x) raw_spinlock_t x = __RAW_SPIN_LOCK_UNLOCKED(x)

void spin_lock_init(spinlock_t *lock);
void spin_lock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);
void spin_lock_irq(spinlock_t *lock);
void spin_unlock_irq(spinlock_t *lock);
void spin_lock_bh(spinlock_t *lock);
void spin_unlock_bh(spinlock_t *lock);
int spin_trylock(spinlock_t *lock);
unsigned long _spin_lock_irqsave(spinlock_t *lock);
void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags);
#define spin_lock_irqsave(lock, flags) do { (flags) = _spin_lock_irqsave(lock); } while (0)

void raw_spin_lock_init(raw_spinlock_t *lock);
void raw_spin_lock(raw_spinlock_t *lock);
void raw_spin_unlock(raw_spinlock_t *lock);
void raw_spin_lock_irq(raw_spinlock_t *lock);
void raw_spin_unlock_irq(raw_spinlock_t *lock);
int raw_spin_trylock(raw_spinlock_t *lock);
unsigned long _raw_spin_lock_irqsave(raw_spinlock_t *lock);
void raw_spin_unlock_irqrestore(raw_spinlock_t *lock, unsigned long flags);
#define raw_spin_lock_irqsave(lock, flags) do { (flags) = _raw_spin_lock_irqsave(lock); } while (0)

#endif /* __LINUX_SPINLOCK_H */
