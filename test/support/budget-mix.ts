/**
 * Small scenarios for the budget tests: T1 (cpu0) does an unprotected
 * read/add/writeback of the per-CPU `hits`, T2 (cpu1) a this_cpu_inc of it,
 * and two handlers of one kind, one per CPU, each a this_cpu_inc of `hits`:
 * hardirqs `a` and `b`, softirqs NET_RX and TIMER, or NMIs `p` and `q`. The
 * final check: hits sums to the increments done — an injection between T1's
 * load and store loses one.
 */
import { this_cpu_inc_4 } from '../../generated/x86_64/percpu-stepped.js';
import { this_cpu_ptr } from '../../src/accessors.js';
import { DEFINE_PER_CPU } from '../../src/define.js';
import { sumU32 } from '../../src/explore/scenarios/common.js';
import { NET_RX_SOFTIRQ, TIMER_SOFTIRQ } from '../../src/kernel/softirq.js';
import { Machine } from '../../src/machine.js';
import { load, reg, store, type StepGen } from '../../src/sched/step.js';
import type { Scenario } from '../../src/sched/task.js';

export type MixKind = 'irqs' | 'softirqs' | 'nmis';

export function mix(kind: MixKind): Scenario {
  return {
    name: `budget-mix-${kind}`, title: `two ${kind} handlers`, description: 'see test/support/budget-mix.ts', expect: 'violation', cpus: 2, bound: 1,
    build() {
      const m = new Machine({ cpus: 2 });
      const hits = DEFINE_PER_CPU(m, 'u32', 'hits');
      m.boot();
      m.debugPreempt = false;
      let incs = 0;
      function* rmw(): StepGen<void> {
        incs++;
        const p = this_cpu_ptr(m, hits);
        const v = (yield* load(m, p, 'u32')) as number;
        yield* reg('addl $1, %eax');
        yield* store(m, p, 'u32', (v + 1) >>> 0);
      }
      function* inc(): StepGen<void> {
        incs++;
        yield* this_cpu_inc_4(m, hits);
      }
      return {
        m,
        tasks: [{ name: 'T1', cpu: 0, run: rmw }, { name: 'T2', cpu: 1, run: inc }],
        irqs: kind === 'irqs' ? [{ name: 'a', cpus: [0], run: inc }, { name: 'b', cpus: [1], run: inc }] : [],
        softirqs: kind === 'softirqs' ? [{ nr: NET_RX_SOFTIRQ, budget: 1, cpus: [0], run: inc }, { nr: TIMER_SOFTIRQ, budget: 1, cpus: [1], run: inc }] : [],
        nmis: kind === 'nmis' ? [{ name: 'p', cpus: [0], run: inc }, { name: 'q', cpus: [1], run: inc }] : [],
        watch: [hits],
        final: () => {
          const sum = sumU32(m, hits);
          return sum === incs ? null : `lost update: hits sums to ${sum}, ${incs} increments were done`;
        },
      };
    },
  };
}
