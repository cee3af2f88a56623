/**
 * Scenario 5: the Rust-style API. A PerCpuRef owns the CpuGuard it was made
 * with, so preemption stays disabled while it lives: held across a preemption
 * point (the yield between get and set) it keeps the task on its CPU — the
 * scheduler is never allowed to preempt or migrate it, and each access checks
 * that the CPU is still the one the guard pinned. The same read-modify-write
 * without the guard (a raw pointer) is caught: the explorer finds the lost
 * update a preemption or migration between get and set causes.
 */
import { raw_cpu_ptr } from '../../accessors.js';
import { CpuGuard } from '../../rust/cpu-guard.js';
import { PerCpuRef } from '../../rust/per-cpu-ref.js';
import type { Machine } from '../../machine.js';
import type { PerCpuPtr } from '../../percpu-ptr.js';
import { atomic, load, reg, store, type StepGen } from '../../sched/step.js';
import { splitScenario } from '../../sched/task.js';
import { counterMachine, lostUpdate } from './common.js';

/** A world's machine and counter: what the bodies below are bound to. */
interface Counter {
  readonly m: Machine;
  readonly counter: PerCpuPtr<'u32'>;
}

/*
 * The bodies are module-level generators bound into each world rather than
 * closures made per schedule, which V8 runs far slower (docs/explorer.md).
 */

/** r = PerCpuRef::new(&counter, CpuGuard::new()); v = *r; v += 1; *r = v; drop(r). */
function* guardedRmw(this: Counter): StepGen<void> {
  const { m, counter } = this;
  const r = PerCpuRef.unsafe_new(m, counter, 'u32', new CpuGuard(m), { name: 'counter' });
  const addr = m.addressOf(counter, r.cpu);
  const v = yield* atomic({ asm: 'movl (%rdi), %eax    ; *r (PerCpuRef::get)', addr, size: 4, access: 'r' }, () => r.get());
  yield* reg('addl $1, %eax');
  yield* atomic({ asm: 'movl %eax, (%rdi)    ; *r = v (PerCpuRef::set)', addr, size: 4, access: 'w' }, () => r.set((v + 1) >>> 0));
  r.drop();
}

/** The same through raw_cpu_ptr(), without a guard. */
function* rawRmw(this: Counter): StepGen<void> {
  const { m, counter } = this;
  const p = raw_cpu_ptr(m, counter);
  const v = (yield* load(m, p, 'u32')) as number;
  yield* reg('addl $1, %eax');
  yield* store(m, p, 'u32', (v + 1) >>> 0);
}

export const rustRef = splitScenario({
  name: 'rust-ref',
  title: 'a PerCpuRef held across a preemption point',
  description:
    'T1 and T2 start on cpu0 (T2 waiting); each takes r = PerCpuRef::new(&counter, CpuGuard::new()), then v = *r; v += 1; *r = v '
    + '(three steps, preemption points between them), then drops r. Invariant: the sum across CPUs is 2 after all tasks, '
    + 'and every access through r happens on the CPU its guard pinned (PerCpuRef checks).',
  expect: 'none',
  cpus: 2,
  setup: () => counterMachine(),
  start({ m, counter }) {
    const body = guardedRmw.bind({ m, counter });
    return {
      m,
      tasks: [{ name: 'T1', cpu: 0, run: body }, { name: 'T2', cpu: 0, run: body }],
      watch: [counter],
      final: () => lostUpdate(m, counter, 2),
    };
  },
});

export const rustRefNoGuard = splitScenario({
  name: 'rust-ref-noguard',
  title: 'the same code without the guard',
  description:
    'As rust-ref, but through raw_cpu_ptr(&counter) with no CpuGuard: nothing keeps the task on its CPU between the load and the store. '
    + 'Invariant: the sum across CPUs is 2 after all tasks.',
  expect: 'violation',
  cpus: 2,
  setup: () => counterMachine(),
  start({ m, counter }) {
    const body = rawRmw.bind({ m, counter });
    return {
      m,
      tasks: [{ name: 'T1', cpu: 0, run: body }, { name: 'T2', cpu: 0, run: body }],
      watch: [counter],
      final: () => lostUpdate(m, counter, 2),
    };
  },
});
