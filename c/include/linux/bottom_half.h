/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/bottom_half.h for percpu-cc: local_bh_disable() adds
 * SOFTIRQ_DISABLE_OFFSET to preempt_count; local_bh_enable() runs pending
 * softirqs (src/kernel/softirq.ts).
 */
#ifndef _LINUX_BH_H
#define _LINUX_BH_H

void local_bh_disable(void);
void local_bh_enable(void);

#endif /* _LINUX_BH_H */
