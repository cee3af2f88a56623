/**
 * cpumask_next() (include/linux/cpumask.h, lib/find_bit.c): the next CPU set
 * in a mask after `n`, or a value >= nr_cpu_ids when there is none, which is
 * how for_each_cpu() ends.
 */
import type { Cpumask } from './cpumask.js';

export function cpumask_next(n: number, mask: Cpumask): number {
  for (let cpu = n + 1; cpu < mask.nrCpuIds; cpu++) if (mask.test(cpu)) return cpu;
  return mask.nrCpuIds;
}
