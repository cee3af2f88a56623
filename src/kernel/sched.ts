/**
 * migrate_disable()/migrate_enable(), after kernel/sched/core.c (v6.x): the
 * task stays preemptible but the scheduler never moves it to another CPU until
 * the matching migrate_enable(). Nesting is counted in the task
 * (`current->migration_disabled`). With CONFIG_DEBUG_PREEMPT,
 * check_preemption_disabled() accepts a migration-disabled task (its CPU number
 * cannot change), and an unbalanced migrate_enable() WARNs.
 */
import { KernelBugError } from '../errors.js';
import { machineArg, type Machine } from '../machine.js';

/** migrate_disable(): pins the running task to its CPU (nests). */
export function migrate_disable(m: Machine): void {
  machineArg(m, 'migrate_disable').ctx.migrationDisabled++;
}

/** migrate_enable(): undoes one migrate_disable(); a WARN when there is none to undo. */
export function migrate_enable(m: Machine): void {
  const c = machineArg(m, 'migrate_enable').ctx;
  if (c.migrationDisabled <= 0) {
    throw new KernelBugError(
      `WARNING: CPU: ${m.cpu} PID: ${c.pid} at kernel/sched/core.c migrate_enable: migration_disabled <= 0 (${c.comm}: a migrate_enable() without a matching migrate_disable())`,
    );
  }
  c.migrationDisabled--;
}

/** is_migration_disabled(current). */
export function is_migration_disabled(m: Machine): boolean {
  return machineArg(m, 'is_migration_disabled').ctx.migrationDisabled > 0;
}
