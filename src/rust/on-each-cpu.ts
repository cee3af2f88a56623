/**
 * on_each_cpu(func, info, wait): run `fn` on every online CPU. The kernel sends
 * an IPI to the others and runs the handler with interrupts (hence preemption)
 * off; here each call runs through m.runOn(cpu) with preemption disabled for
 * its duration, so code in `fn` sees a pinned CPU exactly as a handler would,
 * and a handler that leaves a guard or token undropped is reported by runOn.
 * Calls are synchronous and in CPU order (`wait` = true).
 */
import { MachineStateError } from '../errors.js';
import { machineArg, type Machine } from '../machine.js';
import { preempt_disable, preempt_enable } from '../kernel/preempt.js';
import { describe } from '../types.js';

export function on_each_cpu(m: Machine, fn: (cpu: number) => void): void {
  machineArg(m, 'on_each_cpu');
  if (typeof fn !== 'function') throw new TypeError(`on_each_cpu: expected a function (cpu) => void, got ${describe(fn)}`);
  const why = m.pinnedReason();
  if (why !== null && m.online.weight() > 1) {
    throw new MachineStateError(
      `on_each_cpu refused: ${why}; the simulator reaches the other CPUs by running the calling context there, which cannot leave its CPU now — drop your CpuGuard (or token) first`,
    );
  }
  for (const cpu of m.online) {
    m.runOn(cpu, () => {
      preempt_disable(m);
      try {
        const r: unknown = fn(cpu);
        if (r !== undefined && r !== null && typeof (r as { then?: unknown }).then === 'function') {
          throw new TypeError('on_each_cpu: fn returned a promise; an IPI handler runs to completion, pass a synchronous function');
        }
      } finally {
        preempt_enable(m);
      }
    });
  }
}
