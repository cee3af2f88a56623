/* SPDX-License-Identifier: GPL-2.0 */
/* linux/preempt.h for percpu-cc: the running context's preempt_count (src/kernel/preempt.ts). */
#ifndef __LINUX_PREEMPT_H
#define __LINUX_PREEMPT_H

void preempt_disable(void);
void preempt_enable(void);
int preempt_count(void);
int preemptible(void);

#define preempt_disable_notrace() preempt_disable()
#define preempt_enable_notrace() preempt_enable()
#define preempt_enable_no_resched() preempt_enable()

#endif /* __LINUX_PREEMPT_H */
