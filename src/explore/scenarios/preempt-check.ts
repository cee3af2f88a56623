/**
 * Scenario 4: __this_cpu_add in preemptible code. __this_cpu_* promise the
 * caller disabled preemption; with CONFIG_DEBUG_PREEMPT the op checks first
 * and reports the kernel's BUG message, naming the op and the task.
 */
import { __this_cpu_add_4, this_cpu_inc_4 } from '../../../generated/x86_64/percpu-stepped.js';
import { DEFINE_PER_CPU } from '../../define.js';
import { Machine } from '../../machine.js';
import { preempt_disable, preempt_enable } from '../../kernel/preempt.js';
import type { PerCpuPtr } from '../../percpu-ptr.js';
import type { StepGen } from '../../sched/step.js';
import { splitScenario, type World } from '../../sched/task.js';
import { lostUpdate } from './common.js';

/** The machine both variants start from: the two per-CPU counters defined, booted. */
interface Counters {
  readonly m: Machine;
  readonly events: PerCpuPtr<'u32'>;
  readonly counter: PerCpuPtr<'u32'>;
}

function setup(): Counters {
  const m = new Machine({ cpus: 2 });
  const events = DEFINE_PER_CPU(m, 'u32', 'events');
  const counter = DEFINE_PER_CPU(m, 'u32', 'counter');
  m.boot();
  return { m, events, counter };
}

/**
 * A task's body, bound into each world rather than a generator closure made
 * per schedule, which V8 runs far slower (docs/explorer.md).
 */
function* addFive(this: Counters & { readonly guarded: boolean }): StepGen<void> {
  const { m, events, counter, guarded } = this;
  yield* this_cpu_inc_4(m, events);
  if (guarded) preempt_disable(m);
  yield* __this_cpu_add_4(m, counter, 5);
  if (guarded) preempt_enable(m);
}

function start(c: Counters, guarded: boolean): World {
  const body = addFive.bind({ ...c, guarded });
  return {
    m: c.m,
    tasks: [{ name: 'T1', cpu: 0, run: body }, { name: 'T2', cpu: 0, run: body }],
    watch: [c.events, c.counter],
    final: () => lostUpdate(c.m, c.counter, 10),
  };
}

export const thisCpuAddPreemptible = splitScenario({
  name: 'this-cpu-add-preemptible',
  title: '__this_cpu_add in preemptible code (DEBUG_PREEMPT)',
  description:
    'T1 and T2 (cpu0) do this_cpu_inc(events) then __this_cpu_add(counter, 5) without disabling preemption. '
    + 'DEBUG_PREEMPT reports "BUG: using __this_cpu_add() in preemptible [00000000] code: T1/101".',
  expect: 'violation',
  cpus: 2,
  setup,
  start: (c) => start(c, false),
});

export const thisCpuAddPreemptOff = splitScenario({
  name: 'this-cpu-add-preempt-off',
  title: '__this_cpu_add between preempt_disable() and preempt_enable()',
  description: 'As this-cpu-add-preemptible, with preempt_disable()/preempt_enable() around the __this_cpu_add: no BUG, no lost update.',
  expect: 'none',
  cpus: 2,
  setup,
  start: (c) => start(c, true),
});
