/**
 * Cpumask getters and iteration of v4 (patches 1–2): `Cpumask::possible_cpus()`
 * and friends return `&'static Cpumask`, a shared reference: here a read-only
 * view of the machine's mask (it follows hotplug, and a write through it is
 * refused). A mask iterates its CPUs in
 * ascending order (cpumask_next until >= nr_cpu_ids). DynamicPerCpu uses the
 * possible mask to initialise and drop every CPU's copy.
 */
import type { ReadonlyCpumask } from '../lib/cpumask.js';
import { machineArg, type Machine } from '../machine.js';
import { describe } from '../types.js';

/** The CPUs that may ever exist: every per-CPU allocation has a copy for each. */
export function possible_cpus(m: Machine): ReadonlyCpumask {
  return machineArg(m, 'possible_cpus').possible.readonly('possible_cpus()');
}

/** The CPUs present in the machine. */
export function present_cpus(m: Machine): ReadonlyCpumask {
  return machineArg(m, 'present_cpus').present.readonly('present_cpus()');
}

/** The CPUs running now (what on_each_cpu reaches). */
export function online_cpus(m: Machine): ReadonlyCpumask {
  return machineArg(m, 'online_cpus').online.readonly('online_cpus()');
}

/** CpumaskIter: the CPU ids of `mask`, ascending. */
export function cpumask_iter(mask: ReadonlyCpumask): IterableIterator<number> {
  if (mask === null || typeof mask !== 'object' || typeof mask[Symbol.iterator] !== 'function' || typeof mask.test !== 'function') {
    throw new TypeError(`cpumask_iter: expected a Cpumask (possible_cpus(m), online_cpus(m), …), got ${describe(mask)}`);
  }
  return mask[Symbol.iterator]();
}
