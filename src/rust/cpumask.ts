/**
 * Cpumask getters and iteration of v4 (patches 1–2): `Cpumask::possible_cpus()`
 * and friends return the machine's masks; a mask iterates its CPUs in
 * ascending order (cpumask_next until >= nr_cpu_ids). DynamicPerCpu uses the
 * possible mask to initialise and drop every CPU's copy.
 */
import type { Cpumask } from '../lib/cpumask.js';
import type { Machine } from '../machine.js';

/** The CPUs that may ever exist: every per-CPU allocation has a copy for each. */
export function possible_cpus(m: Machine): Cpumask {
  return m.possible;
}

/** The CPUs present in the machine. */
export function present_cpus(m: Machine): Cpumask {
  return m.present;
}

/** The CPUs running now (what on_each_cpu reaches). */
export function online_cpus(m: Machine): Cpumask {
  return m.online;
}

/** CpumaskIter: the CPU ids of `mask`, ascending. */
export function cpumask_iter(mask: Cpumask): IterableIterator<number> {
  return mask[Symbol.iterator]();
}
