/** The scenarios shipped with the explorer (issue 5, section 4), by name. */
import type { Scenario } from '../../sched/task.js';
import { incIrq } from './inc-irq.js';
import { percpuCounter } from './percpu-counter.js';
import { thisCpuAddPreemptOff, thisCpuAddPreemptible } from './preempt-check.js';
import { rmwPtr, rmwPtrGetCpu } from './rmw-ptr.js';
import { rustRef, rustRefNoGuard } from './rust-ref.js';
import { xchgIrqRaw, xchgIrqThis } from './xchg-irq.js';

export {
  incIrq, percpuCounter, rmwPtr, rmwPtrGetCpu, rustRef, rustRefNoGuard, thisCpuAddPreemptOff, thisCpuAddPreemptible, xchgIrqRaw, xchgIrqThis,
};

export const SCENARIOS: readonly Scenario[] = [
  incIrq,
  rmwPtr, rmwPtrGetCpu,
  xchgIrqRaw, xchgIrqThis,
  thisCpuAddPreemptible, thisCpuAddPreemptOff,
  rustRef, rustRefNoGuard,
  percpuCounter,
];

/** The scenario of that name, or an error listing the names there are. */
export function getScenario(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (s === undefined) {
    throw new RangeError(`unknown scenario '${name}'; the scenarios are: ${SCENARIOS.map((x) => x.name).join(', ')}`);
  }
  return s;
}
