/**
 * Scenario 4: __this_cpu_add in preemptible code. __this_cpu_* promise the
 * caller disabled preemption; with CONFIG_DEBUG_PREEMPT the op checks first
 * and reports the kernel's BUG message, naming the op and the task.
 */
import { __this_cpu_add_4, this_cpu_inc_4 } from '../../../generated/x86_64/percpu-stepped.js';
import { DEFINE_PER_CPU } from '../../define.js';
import { Machine } from '../../machine.js';
import { preempt_disable, preempt_enable } from '../../kernel/preempt.js';
import type { Scenario } from '../../sched/task.js';
import { lostUpdate } from './common.js';

function build(guarded: boolean) {
  const m = new Machine({ cpus: 2 });
  const events = DEFINE_PER_CPU(m, 'u32', 'events');
  const counter = DEFINE_PER_CPU(m, 'u32', 'counter');
  m.boot();
  function* body() {
    yield* this_cpu_inc_4(m, events);
    if (guarded) preempt_disable(m);
    yield* __this_cpu_add_4(m, counter, 5);
    if (guarded) preempt_enable(m);
  }
  return {
    m,
    tasks: [{ name: 'T1', cpu: 0, run: body }, { name: 'T2', cpu: 0, run: body }],
    watch: [events, counter],
    final: () => lostUpdate(m, counter, 10),
  };
}

export const thisCpuAddPreemptible: Scenario = {
  name: 'this-cpu-add-preemptible',
  title: '__this_cpu_add in preemptible code (DEBUG_PREEMPT)',
  description:
    'T1 and T2 (cpu0) do this_cpu_inc(events) then __this_cpu_add(counter, 5) without disabling preemption. '
    + 'DEBUG_PREEMPT reports "BUG: using __this_cpu_add() in preemptible [00000000] code: T1/101".',
  expect: 'violation',
  cpus: 2,
  build: () => build(false),
};

export const thisCpuAddPreemptOff: Scenario = {
  name: 'this-cpu-add-preempt-off',
  title: '__this_cpu_add between preempt_disable() and preempt_enable()',
  description: 'As this-cpu-add-preemptible, with preempt_disable()/preempt_enable() around the __this_cpu_add: no BUG, no lost update.',
  expect: 'none',
  cpus: 2,
  build: () => build(true),
};
