/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/cpumask.h for percpu-cc, in the shape of include/linux/cpumask.h:
 * the machine's possible and online masks, walked with cpumask_next().
 */
#ifndef __LINUX_CPUMASK_H
#define __LINUX_CPUMASK_H

struct cpumask;

extern const struct cpumask *const cpu_possible_mask;
extern const struct cpumask *const cpu_online_mask;
extern unsigned int nr_cpu_ids;

unsigned int cpumask_next(int n, const struct cpumask *srcp);
unsigned int num_online_cpus(void);
unsigned int num_possible_cpus(void);
int cpu_online(unsigned int cpu);

#define for_each_cpu(cpu, mask)						\
	for ((cpu) = cpumask_next(-1, (mask)); (cpu) < nr_cpu_ids; (cpu) = cpumask_next((cpu), (mask)))
#define for_each_possible_cpu(cpu) for_each_cpu((cpu), cpu_possible_mask)
#define for_each_online_cpu(cpu) for_each_cpu((cpu), cpu_online_mask)
#define for_each_present_cpu(cpu) for_each_cpu((cpu), cpu_possible_mask)

#endif /* __LINUX_CPUMASK_H */
