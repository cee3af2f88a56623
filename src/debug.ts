/**
 * CONFIG_DEBUG_PREEMPT (lib/smp_processor_id.c): per-CPU accessors that assume
 * the caller cannot migrate check that it really cannot, and report a BUG in the
 * kernel's words when it can.
 */
import { KernelBugError } from './errors.js';
import type { Machine } from './machine.js';

/**
 * check_preemption_disabled(): silent when preemption or interrupts are off,
 * when the task is a per-CPU thread or has migration disabled (migrate_disable(),
 * as lib/smp_processor_id.c checks `current->migration_disabled` since v5.11),
 * or before the scheduler runs; otherwise a
 * BUG naming the accessor, `BUG: using __this_cpu_add() in preemptible [00000000] code: init/1`.
 */
export function check_preemption_disabled(m: Machine, what1: string, what2: string): number {
  const c = m.ctx;
  if (c.preemptCount !== 0 || c.irqsDisabled || c.pinned || c.migrationDisabled !== 0 || c.kind !== 'task' || m.systemState !== 'running') {
    return m.cpu;
  }
  const count = c.preemptCount.toString(16).padStart(8, '0');
  throw new KernelBugError(`BUG: using ${what1}${what2}() in preemptible [${count}] code: ${c.comm}/${c.pid}`);
}

/** The check every `__this_cpu_<op>()` makes first; `op` is the base op ("add" for inc). */
export function __this_cpu_preempt_check(m: Machine, op: string): void {
  check_preemption_disabled(m, '__this_cpu_', op);
}
