/**
 * Scenario 2: read / add / write back through the address this_cpu_ptr()
 * returned, three instructions. Without preempt_disable the task can be
 * preempted between the load and the store (another task's increment is then
 * overwritten: a lost update), or migrated, and then the store from the new
 * CPU lands in the old CPU's copy. With get_cpu_ptr()/put_cpu_ptr() the
 * sequence runs with preemption off, so neither can happen.
 *
 * The buggy variant runs on a kernel without CONFIG_DEBUG_PREEMPT: with it,
 * this_cpu_ptr() in preemptible code is itself the "BUG: using
 * smp_processor_id() in preemptible" splat (see scenario 4).
 */
import { get_cpu_ptr, put_cpu_ptr, this_cpu_ptr } from '../../accessors.js';
import type { Machine } from '../../machine.js';
import type { PerCpuPtr } from '../../percpu-ptr.js';
import { load, reg, store, type StepGen } from '../../sched/step.js';
import { splitScenario, type StepInfo } from '../../sched/task.js';
import { counterMachine, lostUpdate } from './common.js';

/** The per-CPU discipline: a task's plain store into a CPU's copy happens on that CPU. */
function ownCopyOnly(label: string) {
  return (s: StepInfo): string | null => {
    if (!s.write || s.irq || s.owner === null || s.owner === s.cpu || s.step.addr === undefined) return null;
    return `${s.who} on cpu${s.cpu} stores into cpu${s.owner}'s copy of ${label} (0x${s.addr!.toString(16)}): `
      + `it migrated after this_cpu_ptr() took the address on cpu${s.owner}, so it corrupts another CPU's copy`;
  };
}

/** A world's machine and counter: what the bodies below are bound to. */
interface Counter {
  readonly m: Machine;
  readonly counter: PerCpuPtr<'u32'>;
}

/*
 * The bodies are module-level generators bound into each world rather than
 * closures made in build(), which V8 runs far slower when build() makes them
 * afresh for every schedule (docs/explorer.md).
 */

/** p = this_cpu_ptr(&counter); v = *p; v += 1; *p = v. */
function* rmwThisCpuPtr(this: Counter): StepGen<void> {
  const { m, counter } = this;
  const p = this_cpu_ptr(m, counter);
  const v = (yield* load(m, p, 'u32')) as number;
  yield* reg('addl $1, %eax');
  yield* store(m, p, 'u32', (v + 1) >>> 0);
}

/** The same between get_cpu_ptr() and put_cpu_ptr(). */
function* rmwGetCpuPtr(this: Counter): StepGen<void> {
  const { m, counter } = this;
  const p = get_cpu_ptr(m, counter);
  const v = (yield* load(m, p, 'u32')) as number;
  yield* reg('addl $1, %eax');
  yield* store(m, p, 'u32', (v + 1) >>> 0);
  put_cpu_ptr(m, counter);
}

export const rmwPtr = splitScenario({
  name: 'rmw-ptr',
  title: 'read/add/writeback through this_cpu_ptr() without preempt_disable',
  description:
    'T1 and T2 start on cpu0 (T2 waiting); each does p = this_cpu_ptr(&counter); v = *p; v += 1; *p = v (three steps) in preemptible code. '
    + 'Invariants: after all tasks the sum across CPUs is 2; a task stores only into the copy of the CPU it runs on. '
    + 'Built without CONFIG_DEBUG_PREEMPT.',
  expect: 'violation',
  cpus: 2,
  setup() {
    const w = counterMachine();
    w.m.debugPreempt = false;
    return w;
  },
  start({ m, counter }) {
    const body = rmwThisCpuPtr.bind({ m, counter });
    return {
      m,
      tasks: [{ name: 'T1', cpu: 0, run: body }, { name: 'T2', cpu: 0, run: body }],
      watch: [counter],
      checkStep: ownCopyOnly('DEFINE_PER_CPU(u32, counter)'),
      final: () => lostUpdate(m, counter, 2),
    };
  },
});

export const rmwPtrGetCpu = splitScenario({
  name: 'rmw-ptr-get-cpu',
  title: 'the same read/add/writeback between get_cpu_ptr() and put_cpu_ptr()',
  description:
    'As rmw-ptr, but p = get_cpu_ptr(&counter) … put_cpu_ptr(&counter): preemption is off across the three steps. '
    + 'Same invariants; DEBUG_PREEMPT on.',
  expect: 'none',
  cpus: 2,
  setup: () => counterMachine(),
  start({ m, counter }) {
    const body = rmwGetCpuPtr.bind({ m, counter });
    return {
      m,
      tasks: [{ name: 'T1', cpu: 0, run: body }, { name: 'T2', cpu: 0, run: body }],
      watch: [counter],
      checkStep: ownCopyOnly('DEFINE_PER_CPU(u32, counter)'),
      final: () => lostUpdate(m, counter, 2),
    };
  },
});
