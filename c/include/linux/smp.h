/* SPDX-License-Identifier: GPL-2.0 */
/* linux/smp.h for percpu-cc (src/kernel/smp.ts). */
#ifndef __LINUX_SMP_H
#define __LINUX_SMP_H

#include <linux/preempt.h>
#include <linux/cpumask.h>

int smp_processor_id(void);
int raw_smp_processor_id(void);
int get_cpu(void);
void put_cpu(void);

#endif /* __LINUX_SMP_H */
