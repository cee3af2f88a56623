/**
 * CONFIG_DEBUG_PREEMPT (lib/smp_processor_id.c): per-CPU accessors that assume
 * the caller cannot migrate check that it really cannot, and report a BUG in the
 * kernel's words when it can.
 */
import { KernelBugError } from './errors.js';
import type { Machine } from './machine.js';
import { describe } from './types.js';

/**
 * check_preemption_disabled(): silent when preemption or interrupts are off,
 * when the task is a per-CPU thread or has migration disabled (migrate_disable(),
 * as lib/smp_processor_id.c checks `current->migration_disabled` since v5.11),
 * or before the scheduler runs; otherwise a
 * BUG naming the accessor, `BUG: using __this_cpu_add() in preemptible [00000000] code: init/1`.
 */
export function check_preemption_disabled(m: Machine, what1: string, what2: string): number {
  const c = (m as Partial<Machine> | null | undefined)?.ctx;
  if (c === undefined || c === null) throw new TypeError(`check_preemption_disabled: expected a Machine (new Machine({ cpus })), got ${describe(m)}`);
  if (c.preemptCount !== 0 || c.irqsDisabled || c.pinned || c.migrationDisabled !== 0 || c.kind !== 'task' || m.systemState !== 'running') {
    return m.cpu;
  }
  // Checked only on the way to the BUG, so the silent path stays as cheap as the kernel's.
  if (typeof what1 !== 'string' || typeof what2 !== 'string') {
    throw new TypeError(`check_preemption_disabled: what1 and what2 name the accessor (\"__this_cpu_\", \"add\"), got ${describe(what1)} and ${describe(what2)}`);
  }
  const count = c.preemptCount.toString(16).padStart(8, '0');
  throw new KernelBugError(`BUG: using ${what1}${what2}() in preemptible [${count}] code: ${c.comm}/${c.pid}`);
}

/** The check every `__this_cpu_<op>()` makes first; `op` is the base op ("add" for inc). */
export function __this_cpu_preempt_check(m: Machine, op: string): void {
  if ((m as Partial<Machine> | null | undefined)?.ctx === undefined) {
    throw new TypeError(`__this_cpu_preempt_check: expected a Machine (new Machine({ cpus })), got ${describe(m)}`);
  }
  check_preemption_disabled(m, '__this_cpu_', op);
}
