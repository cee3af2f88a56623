/**
 * Scenario 1: two tasks and an interrupt handler all `this_cpu_inc` one
 * counter. `incl %gs:counter` is one instruction: no preemption, migration or
 * interrupt can fall inside it, so no schedule loses an increment.
 */
import { this_cpu_inc_4 } from '../../../generated/x86_64/percpu-stepped.js';
import type { Scenario } from '../../sched/task.js';
import { counterMachine, lostUpdate } from './common.js';

export const incIrq: Scenario = {
  name: 'inc-irq',
  title: 'this_cpu_inc from two tasks and an interrupt handler',
  description:
    'T1 and T2 start on cpu0 (T2 waiting) and each do this_cpu_inc(counter) twice; the handler `tick` (may fire once, on either CPU) '
    + 'does this_cpu_inc(counter) too. Invariant: after all tasks, the sum across CPUs equals the number of increments done.',
  expect: 'none',
  cpus: 2,
  build() {
    const { m, counter } = counterMachine();
    let done = 0; // increments performed (tasks and handler), counted right after each instruction
    function* body() {
      for (let i = 0; i < 2; i++) {
        yield* this_cpu_inc_4(m, counter);
        done++;
      }
    }
    return {
      m,
      tasks: [{ name: 'T1', cpu: 0, run: body }, { name: 'T2', cpu: 0, run: body }],
      irqs: [{
        name: 'tick', budget: 1,
        *run() {
          yield* this_cpu_inc_4(m, counter);
          done++;
        },
      }],
      watch: [counter],
      final: () => lostUpdate(m, counter, done),
    };
  },
};
