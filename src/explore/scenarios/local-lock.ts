/**
 * local_lock_irqsave() protecting a per-CPU counter that a task and an
 * interrupt handler both update (the pattern of mm/swap.c's cpu_fbatches and
 * of per-CPU statistics), in both kernel configurations — the case issue 11
 * found reported wrongly as a deadlock.
 *
 *   - without PREEMPT_RT, local_lock_irqsave() is local_irq_save(): the
 *     handler cannot run inside the task's critical section.
 *   - with PREEMPT_RT it is migrate_disable() and this CPU's sleeping
 *     spinlock; the handler runs in its thread irq/nic, preempts the task
 *     inside the section, blocks on the lock, and the task runs on and
 *     releases it: no deadlock, no lost update.
 *
 * The broken variant takes the lock with local_lock() (preemption off only)
 * in the task while the handler takes it too: lockdep reports the lock used
 * both in hardirq context and with hardirqs enabled.
 */
import { this_cpu_ptr } from '../../accessors.js';
import { DEFINE_PER_CPU } from '../../define.js';
import { kernelType } from '../../../c/index.js';
import { Machine } from '../../machine.js';
import { __alloc_percpu } from '../../mm/percpu-alloc.js';
import { local_lock_init } from '../../kernel/locking/local-lock.js';
import { local_lock, local_lock_irqsave, local_unlock, local_unlock_irqrestore } from '../../kernel/locking/stepped.js';
import type { PerCpuPtr } from '../../percpu-ptr.js';
import { ghost, type Ghost } from '../../sched/ghost.js';
import { load, reg, store, type StepGen } from '../../sched/step.js';
import { splitScenario, type Scenario } from '../../sched/task.js';
import { lostUpdate } from './common.js';

/** The machine every schedule starts from: the counter, the initialised lock and the ghost. */
interface Stats {
  readonly m: Machine;
  readonly count: PerCpuPtr<'u32'>;
  readonly lock: PerCpuPtr<unknown>;
  readonly nicRan: Ghost<boolean>;
}

function setup(rt: boolean): Stats {
  const m = new Machine({ cpus: 2, preemptRT: rt });
  const count = DEFINE_PER_CPU(m, 'u32', 'count');
  m.boot();
  const lock = __alloc_percpu(m, Math.max(kernelType('local_lock_t', { preemptRT: rt }).size, 8), 8)!;
  local_lock_init(m, lock, 'stats.lock');
  return { m, count, lock, nicRan: ghost(m, 'nic_ran', false) };
}

/*
 * The bodies are module-level generators bound into each world rather than
 * closures made per schedule, which V8 runs far slower (docs/explorer.md).
 */

/** Lock, v = *this_cpu_ptr(&count), v++, store, unlock. */
function* update(this: Stats & { readonly irqsafe: boolean }): StepGen<void> {
  const { m, lock, count, irqsafe } = this;
  const flags = irqsafe ? yield* local_lock_irqsave(m, lock) : (yield* local_lock(m, lock), 0);
  const p = this_cpu_ptr(m, count);
  const v = (yield* load(m, p, 'u32')) as number;
  yield* reg('addl $1, %eax');
  yield* store(m, p, 'u32', (v + 1) >>> 0);
  if (irqsafe) yield* local_unlock_irqrestore(m, lock, flags);
  else yield* local_unlock(m, lock);
}

/** The handler: records that it ran, then updates. */
function* nic(this: Stats & { readonly irqsafe: boolean }): StepGen<void> {
  this.nicRan.value = true;
  yield* update.call(this);
}

function localLockScenario(name: string, rt: boolean, irqsafe: boolean): Scenario {
  return splitScenario({
    name,
    title: `${irqsafe ? 'local_lock_irqsave' : 'local_lock (not irq-safe)'} around a per-CPU counter a handler also updates${rt ? ', PREEMPT_RT' : ''}`,
    description:
      `T (cpu0) and the interrupt handler nic each do ${irqsafe ? 'local_lock_irqsave' : 'local_lock'}(&stats.lock); v = *this_cpu_ptr(&stats.count); `
      + `v++; store; unlock${rt ? ' on PREEMPT_RT (a per-CPU sleeping lock with migrate_disable; the handler runs threaded)' : ''}. `
      + 'Invariants: the counter sums to the updates done (1, or 2 when nic ran), no deadlock, no lockdep report.',
    expect: irqsafe ? 'none' : 'violation',
    cpus: 2,
    bound: 1,
    setup: () => setup(rt),
    start(st) {
      const { m, count, nicRan } = st;
      const w = { ...st, irqsafe };
      return {
        m,
        tasks: [{ name: 'T', cpu: 0, run: update.bind(w) }],
        irqs: [{ name: 'nic', cpus: [0], run: nic.bind(w) }],
        watch: [count],
        final: () => lostUpdate(m, count, nicRan.value ? 2 : 1),
      };
    },
  });
}

export const localLockIrqsave = localLockScenario('local-lock-irqsave', false, true);
export const localLockIrqsaveRT = localLockScenario('local-lock-irqsave-rt', true, true);
export const localLockIrqUnsafe = localLockScenario('local-lock-irq-unsafe', false, false);
