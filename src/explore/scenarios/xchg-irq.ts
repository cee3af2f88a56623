/**
 * Scenario 3: xchg racing an interrupt handler on the same CPU. raw_cpu_xchg
 * is two instructions (load, then store): an interrupt between them that
 * exchanges the same slot loses its value. this_cpu_xchg is a load and a
 * cmpxchg loop: the cmpxchg sees that the slot changed and retries, so no
 * value is lost — also when the task migrates between the load and the cmpxchg.
 *
 * Invariant (conservation): every value put in a slot comes out exactly once.
 * The multiset {initial slots} + {values written} must equal
 * {values returned by the xchgs} + {final slots}.
 */
import { raw_cpu_xchg_4, this_cpu_xchg_4 } from '../../../generated/x86_64/percpu-stepped.js';
import type { Machine } from '../../machine.js';
import type { PerCpuPtr } from '../../percpu-ptr.js';
import type { StepGen } from '../../sched/step.js';
import { splitScenario, type Scenario } from '../../sched/task.js';
import { per_cpu } from '../../kernel/smp.js';
import { counterMachine } from './common.js';

type Xchg = (m: Machine, pcp: PerCpuPtr<'u32'>, nval: number) => StepGen<number>;

/** What one xchg of a world does: who, with which op, which value, on which slot, and where the values go. */
interface XchgBody {
  readonly who: string;
  readonly xchg: Xchg;
  readonly v: number;
  readonly m: Machine;
  readonly slot: PerCpuPtr<'u32'>;
  readonly written: Map<string, number>;
  readonly got: Map<string, number>;
}

/**
 * A task's or the handler's body, bound into each world rather than a
 * generator closure made in build(), which V8 runs far slower when build()
 * makes it afresh for every schedule (docs/explorer.md).
 */
function* xchgOnce(this: XchgBody): StepGen<void> {
  this.written.set(this.who, this.v);
  this.got.set(this.who, yield* this.xchg(this.m, this.slot, this.v));
}

function xchgScenario(name: string, op: 'raw_cpu_xchg' | 'this_cpu_xchg', xchg: Xchg, expect: 'violation' | 'none'): Scenario {
  return splitScenario({
    name,
    title: `${op} in tasks racing an interrupt handler's raw_cpu_xchg`,
    description:
      `T1 (cpu0) does ${op}(slot, 1), T2 (cpu1) ${op}(slot, 2); the handler \`ipi\` (once, either CPU) does raw_cpu_xchg(slot, 3) `
      + '(an interrupt handler runs with interrupts off, so raw is right there). Invariant: every value put in a slot comes out '
      + 'exactly once (initial slots + values written = values returned + final slots).',
    expect,
    cpus: 2,
    bound: 1,
    setup: () => counterMachine(2, 'slot'),
    start({ m, counter: slot }) {
      // Keyed by who did the xchg, so the state does not depend on the order independent xchgs ran in.
      const written = new Map<string, number>();
      const got = new Map<string, number>();
      const body = (who: string, op: Xchg, v: number) => xchgOnce.bind({ who, xchg: op, v, m, slot, written, got });
      return {
        m,
        tasks: [{ name: 'T1', cpu: 0, run: body('T1', xchg, 1) }, { name: 'T2', cpu: 1, run: body('T2', xchg, 2) }],
        irqs: [{ name: 'ipi', budget: 1, run: body('ipi', raw_cpu_xchg_4, 3) }],
        watch: [slot],
        stateKey: () => ['T1', 'T2', 'ipi'].map((w) => got.get(w) ?? '-').join(','),
        final() {
          const returned = ['T1', 'T2', 'ipi'].filter((w) => got.has(w)).map((w) => got.get(w)!);
          const slots = [...m.possible].map((c) => per_cpu(m, slot, c));
          const ins = [0, 0, ...written.values()].sort();
          const outs = [...returned, ...slots].sort();
          if (ins.join() === outs.join()) return null;
          const lost = ins.filter((v) => outs.filter((o) => o === v).length < ins.filter((i) => i === v).length);
          const dup = outs.filter((v) => outs.filter((o) => o === v).length > ins.filter((i) => i === v).length);
          return `lost update: value ${[...new Set(lost)].join(', ')} was written and never came out`
            + `${dup.length ? `, value ${[...new Set(dup)].join(', ')} came out twice` : ''} `
            + `(xchg returned ${returned.join(', ')}; slots end as ${slots.map((v, c) => `cpu${c}=${v}`).join(' ')})`;
        },
      };
    },
  });
}

export const xchgIrqRaw = xchgScenario('xchg-irq-raw', 'raw_cpu_xchg', raw_cpu_xchg_4, 'violation');
export const xchgIrqThis = xchgScenario('xchg-irq-this', 'this_cpu_xchg', this_cpu_xchg_4, 'none');
