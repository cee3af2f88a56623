/* SPDX-License-Identifier: GPL-2.0 */
/*
 * percpu-sim.h: a C file describes its own scenario for `percpu-sim check`.
 *
 *   PERCPU_CPUS(n)              the machine has n CPUs (default 2)
 *   PERCPU_TASK(name, cpu, fn)  a task `name` starting on `cpu` runs void fn(void)
 *   PERCPU_PINNED_TASK(...)     the same, a per-CPU kthread: preempted, never migrated
 *   PERCPU_IRQ(name, fn, n)     an interrupt handler void fn(void) that may fire n times, on any CPU
 *   PERCPU_NMI(name, fn, n)     an NMI handler: delivered even with interrupts disabled
 *   PERCPU_SOFTIRQ(nr, fn, n)   the softirq handler of vector nr (NET_RX_SOFTIRQ …): the explorer
 *                               may raise it from an interrupt n times; it runs on that interrupt's exit
 *   PERCPU_CHECK(fn)            bool fn(void) must hold when every task has finished
 *   PERCPU_ALWAYS(fn)           bool fn(void) must hold after every step
 *   PERCPU_BOUND(k)             preemptions + migrations per schedule (default 2)
 *   PERCPU_INIT(fn)             void fn(void) runs once the machine has booted, before any task
 *                               (allocations, lock initialisation: what the kernel does at boot)
 *
 * The machine's CONFIG_DEBUG_PREEMPT follows the macro of that name, which
 * percpu-cc predefines with the kernel's other debug options
 * (CONFIG_DEBUG_ATOMIC_SLEEP, CONFIG_DEBUG_VM): -UCONFIG_DEBUG_PREEMPT runs
 * the file on a kernel built without it.
 * Each expands to the translator's file-scope form __percpu_sim__(kind, ...).
 * A WARN_ON() that fires, or a BUG_ON(), is a violation too.
 */
#ifndef _PERCPU_SIM_H
#define _PERCPU_SIM_H

#include <linux/percpu.h>
#include <linux/bug.h>

#define PERCPU_CPUS(n) __percpu_sim__(cpus, n)
#define PERCPU_TASK(name, cpu, fn) __percpu_sim__(task, name, cpu, fn)
#define PERCPU_PINNED_TASK(name, cpu, fn) __percpu_sim__(pinned_task, name, cpu, fn)
#define PERCPU_IRQ(name, fn, budget) __percpu_sim__(irq, name, fn, budget)
#define PERCPU_NMI(name, fn, budget) __percpu_sim__(nmi, name, fn, budget)
#define PERCPU_SOFTIRQ(nr, fn, budget) __percpu_sim__(softirq, nr, fn, budget)

/* include/linux/interrupt.h: the softirq vectors. */
enum {
	HI_SOFTIRQ = 0,
	TIMER_SOFTIRQ,
	NET_TX_SOFTIRQ,
	NET_RX_SOFTIRQ,
	BLOCK_SOFTIRQ,
	IRQ_POLL_SOFTIRQ,
	TASKLET_SOFTIRQ,
	SCHED_SOFTIRQ,
	HRTIMER_SOFTIRQ,
	RCU_SOFTIRQ,
	NR_SOFTIRQS
};
#define PERCPU_CHECK(fn) __percpu_sim__(check, fn)
#define PERCPU_ALWAYS(fn) __percpu_sim__(always, fn)
#define PERCPU_BOUND(k) __percpu_sim__(bound, k)
#define PERCPU_INIT(fn) __percpu_sim__(init, fn)

#ifdef CONFIG_DEBUG_PREEMPT
__percpu_sim__(debug_preempt, 1);
#else
__percpu_sim__(debug_preempt, 0);
#endif

#endif /* _PERCPU_SIM_H */
