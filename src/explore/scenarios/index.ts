/** The scenarios shipped with the explorer (issue 5, section 4), by name. */
import { describe } from '../../types.js';
import type { Scenario } from '../../sched/task.js';
import { incIrq } from './inc-irq.js';
import { percpuCounter } from './percpu-counter.js';
import { thisCpuAddPreemptOff, thisCpuAddPreemptible } from './preempt-check.js';
import { rmwPtr, rmwPtrGetCpu } from './rmw-ptr.js';
import { rustRef, rustRefNoGuard } from './rust-ref.js';
import { xchgIrqRaw, xchgIrqThis } from './xchg-irq.js';
import { rawAddArm64, rawAddGeneric, rawAddX86, thisAddArm64, thisAddGeneric } from './arch-add.js';
import { srcuSnapshot, srcuSnapshotBroken } from './srcu-snapshot.js';
import { counterScale } from './counter-scale.js';
import { localLockIrqUnsafe, localLockIrqsave, localLockIrqsaveRT } from './local-lock.js';

export {
  counterScale, incIrq, localLockIrqUnsafe, localLockIrqsave, localLockIrqsaveRT, percpuCounter, rmwPtr, rmwPtrGetCpu, rustRef, rustRefNoGuard,
  srcuSnapshot, srcuSnapshotBroken, thisCpuAddPreemptOff, thisCpuAddPreemptible, xchgIrqRaw, xchgIrqThis,
};

/** The shipped scenarios, in the order `percpu-sim explore list` shows them. */
export const SCENARIOS: readonly Scenario[] = [
  incIrq,
  rmwPtr, rmwPtrGetCpu,
  xchgIrqRaw, xchgIrqThis,
  thisCpuAddPreemptible, thisCpuAddPreemptOff,
  rustRef, rustRefNoGuard,
  percpuCounter,
  // Issue 7: the same raw_cpu_add on three architectures, and this_cpu_add on the two that need protection.
  rawAddX86, rawAddArm64, rawAddGeneric, thisAddArm64, thisAddGeneric,
  // Issue 11: a check's snapshot taken when it is first scheduled, and ghost state.
  srcuSnapshot, srcuSnapshotBroken,
  // Issue 11: local_lock_irqsave with and without PREEMPT_RT, and a lock used in hardirq and with irqs on.
  localLockIrqsave, localLockIrqsaveRT, localLockIrqUnsafe,
];

/**
 * Scenarios at the size of real kernel fragments: shipped and benchmarked, but
 * too large for the test suite's exhaustive runs over every scenario.
 */
export const LARGE_SCENARIOS: readonly Scenario[] = [counterScale];

/** The scenario of that name, or an error listing the names there are. */
export function getScenario(name: string): Scenario {
  if (typeof name !== 'string') throw new TypeError(`getScenario: expected a scenario name (a string), got ${describe(name)}`);
  const s = SCENARIOS.find((x) => x.name === name) ?? LARGE_SCENARIOS.find((x) => x.name === name);
  if (s === undefined) {
    throw new RangeError(`unknown scenario '${name}'; the scenarios are: ${[...SCENARIOS, ...LARGE_SCENARIOS].map((x) => x.name).join(', ')}`);
  }
  return s;
}
