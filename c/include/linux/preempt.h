/* SPDX-License-Identifier: GPL-2.0 */
/* linux/preempt.h for percpu-cc: the running context's preempt_count (src/kernel/preempt.ts). */
#ifndef __LINUX_PREEMPT_H
#define __LINUX_PREEMPT_H

void preempt_disable(void);
void preempt_enable(void);
int preempt_count(void);
int preemptible(void);

/* The running context (preempt_count's NMI, HARDIRQ and SOFTIRQ bits). */
int in_nmi(void);
int in_hardirq(void);
int in_serving_softirq(void);
int in_softirq(void);
int in_interrupt(void);
int in_task(void);
int in_atomic(void);

/* Pins the running task to its CPU; preemption stays possible (kernel/sched/core.c). */
void migrate_disable(void);
void migrate_enable(void);

#define preempt_disable_notrace() preempt_disable()
#define preempt_enable_notrace() preempt_enable()
#define preempt_enable_no_resched() preempt_enable()

#endif /* __LINUX_PREEMPT_H */
