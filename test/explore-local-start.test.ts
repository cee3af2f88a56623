/**
 * Frames that declare a local start (TaskSpec.localStart, IrqSpec.localStart):
 * their first step has the footprint of their first instruction, found by a
 * throwaway run of the code up to its first yield, instead of conflicting with
 * everything. Checked: the footprint itself and that the probe leaves no trace;
 * on random programs (whose starts are local) that the optimal search with the
 * declaration reaches exactly the final states and verdicts of the naive search
 * without it; that a start which reads a ghost keeps conflicting with
 * everything; and the scale scenario's golden count.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exploreExhaustive, runSchedule, type Reduction } from '../src/explore/explorer.js';
import { counterScale, srcuSnapshotBroken } from '../src/explore/scenarios/index.js';
import { Scheduler } from '../src/sched/scheduler.js';
import { ANY_TOUCH, type Touch } from '../src/sched/step.js';
import type { Scenario } from '../src/sched/task.js';
import { programArb, programScenario } from './support/random-scenario.js';

const cpuTouch = (cpu: number): Touch => ({ lo: -1, hi: -1, name: `sched:cpu:${cpu}`, write: true });

/** The final states (state keys) and verdicts of every schedule a search runs. */
function outcomes(s: Scenario, reduction: Reduction): { finals: string[]; verdicts: string[] } {
  const runs: [string, string | null][] = [];
  const r = exploreExhaustive(s, { reduction, maxViolations: Infinity, traceViolations: false, countStates: false, onSchedule: (x, v) => runs.push([x, v]) });
  expect(r.complete).toBe(true);
  const finals = new Set<string>();
  const verdicts = new Set<string>();
  for (const [x, v] of runs) {
    const sch = runSchedule(s, x);
    finals.add(sch.stateKey());
    sch.m.retire();
    verdicts.add(v ?? 'ok');
  }
  return { finals: [...finals].sort(), verdicts: [...verdicts].sort() };
}

describe('a declared local start', () => {
  it('gives the first step its first instruction\'s footprint, and the probe leaves nothing behind', () => {
    const world = counterScale.build();
    const sch = new Scheduler(world, 2, false);
    const { m } = sch;
    const ctx = m.ctx;
    const pcp = world.watch![0]!;
    const slot = (cpu: number) => pcp.off + m.perCpuOffset[cpu]!;
    const en = sch.enabled();
    // T1 on cpu0 and T2 on cpu1 start with this_cpu_read of their own CPU's delta.
    expect(en.find((t) => t.token === '0')!.touches).toEqual([{ lo: slot(0), hi: slot(0) + 4, name: '', write: false }, cpuTouch(0)]);
    expect(en.find((t) => t.token === '1')!.touches).toEqual([{ lo: slot(1), hi: slot(1) + 4, name: '', write: false }, cpuTouch(1)]);
    expect(sch.tasks.map((t) => [t.name, t.started, t.gen])).toEqual([['T1', false, null], ['T2', false, null], ['T3', false, null]]);
    expect(m.ctx).toBe(ctx);
    expect(m.cpu).toBe(0);
    // The handler starts with local_irq_save() and the spinlock: its first step is the lock's.
    sch.apply({ kind: 'irq', cpu: 1, handler: 'sum' });
    const h = sch.cpus[1]!.nested[0]!;
    expect(sch.enabled().find((t) => t.token === '1')!.touches).toEqual([{ lo: -1, hi: -1, name: 'fbc.lock', write: true }, cpuTouch(1)]);
    expect([h.started, h.ctx.irqsDisabled, h.ctx.preemptCount]).toEqual([false, true, 0x10000]);
    // The real start runs at the first step, as without the declaration.
    sch.apply({ kind: 'step', cpu: 1 });
    expect([h.started, h.pending?.asm]).toEqual([true, 'movq (fbc->count), %rax']);
    m.retire();
  });

  it('random programs: with local starts the optimal search reaches exactly the final states and verdicts of the naive search without', () => {
    fc.assert(fc.property(programArb, (p) => {
      const declared = outcomes(programScenario({ ...p, localStart: true }), 'optimal');
      const naive = outcomes(programScenario({ ...p, localStart: false }), 'none');
      return JSON.stringify(declared) === JSON.stringify(naive);
    }), { numRuns: 12, seed: 21 });
  });

  it('a start that reads a ghost keeps conflicting with everything (the probe\'s access is refused), and the violation is still found', () => {
    const declared: Scenario = {
      ...srcuSnapshotBroken,
      build() {
        const w = srcuSnapshotBroken.build();
        return { ...w, tasks: w.tasks.map((t) => ({ ...t, localStart: true })) };
      },
    };
    const sch = new Scheduler(declared.build(), 1, false);
    const en = sch.enabled();
    // R (cpu0) starts with this_cpu_inc of its lock count; U (cpu1) reads the ghost reader_inside first.
    const [inc, cpu0] = en.find((t) => t.token === '0')!.touches;
    expect([inc!.hi - inc!.lo, inc!.name, inc!.write, cpu0]).toEqual([4, '', true, cpuTouch(0)]);
    expect(en.find((t) => t.token === '1')!.touches).toEqual([ANY_TOUCH, cpuTouch(1)]);
    sch.m.retire();
    const r = exploreExhaustive(declared, { maxViolations: Infinity, traceViolations: false });
    expect(r.violations.map((v) => v.message)).toEqual(['the check concluded "no readers" while R, inside when the check started, was still inside']);
  });

  it('counter-scale at bound 0: golden counts', () => {
    const r = exploreExhaustive(counterScale, { bound: 0, maxViolations: Infinity, traceViolations: false, countStates: false });
    expect([r.complete, r.schedules, r.sleepBlocked, r.violations.length]).toEqual([true, 1365, 1300, 0]);
  });
});
