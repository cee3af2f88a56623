/**
 * Scenario 1: two tasks and an interrupt handler all `this_cpu_inc` one
 * counter. `incl %gs:counter` is one instruction: no preemption, migration or
 * interrupt can fall inside it, so no schedule loses an increment.
 */
import { this_cpu_inc_4 } from '../../../generated/x86_64/percpu-stepped.js';
import type { Machine } from '../../machine.js';
import type { PerCpuPtr } from '../../percpu-ptr.js';
import type { StepGen } from '../../sched/step.js';
import { splitScenario } from '../../sched/task.js';
import { counterMachine, lostUpdate } from './common.js';

/**
 * One schedule's world: the counter and the increments done so far. The
 * bodies are methods, bound into the world, not closures made in start():
 * the explorer starts a world for every schedule it restarts, and generator
 * closures made afresh each time run 2-3x slower (docs/explorer.md).
 */
class IncWorld {
  /** Increments performed (tasks and handler), counted right after each instruction. */
  done = 0;
  constructor(readonly m: Machine, readonly counter: PerCpuPtr<'u32'>) {}
  *body(): StepGen<void> {
    for (let i = 0; i < 2; i++) {
      yield* this_cpu_inc_4(this.m, this.counter);
      this.done++;
    }
  }
  *tick(): StepGen<void> {
    yield* this_cpu_inc_4(this.m, this.counter);
    this.done++;
  }
  final(): string | null {
    return lostUpdate(this.m, this.counter, this.done);
  }
}

export const incIrq = splitScenario({
  name: 'inc-irq',
  title: 'this_cpu_inc from two tasks and an interrupt handler',
  description:
    'T1 and T2 start on cpu0 (T2 waiting) and each do this_cpu_inc(counter) twice; the handler `tick` (may fire once, on either CPU) '
    + 'does this_cpu_inc(counter) too. Invariant: after all tasks, the sum across CPUs equals the number of increments done.',
  expect: 'none',
  cpus: 2,
  setup: () => counterMachine(),
  start({ m, counter }) {
    const w = new IncWorld(m, counter);
    const body = w.body.bind(w);
    return {
      m: w.m,
      tasks: [{ name: 'T1', cpu: 0, run: body }, { name: 'T2', cpu: 0, run: body }],
      irqs: [{ name: 'tick', budget: 1, run: w.tick.bind(w) }],
      watch: [w.counter],
      final: w.final.bind(w),
    };
  },
});
