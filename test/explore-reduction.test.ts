/**
 * The reductions against the naive search: optimal DPOR and sleep sets each
 * run exactly one schedule per Mazurkiewicz trace of the naive search (the same
 * set of classes, no class twice), on every shipped scenario and on random
 * programs; optimal never runs more schedules than sleep sets; and
 * every scenario's counts per mode are golden (test/fixtures/explore-counts.json):
 * a changed count fails here, so a reduction bug cannot hide.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exploreExhaustive, runSchedule, type Reduction } from '../src/explore/explorer.js';
import { SCENARIOS, incIrq, rmwPtr, srcuSnapshotBroken, xchgIrqRaw } from '../src/explore/scenarios/index.js';
import type { Scenario } from '../src/sched/task.js';
import { canonical, classes, type Verdicts } from './support/trace-classes.js';
import { programArb, programScenario, waitingArb } from './support/random-scenario.js';

interface Golden { schedules: number; cut: number; violating: number }

/** The final states (state keys) and verdicts of the schedules a search ran. */
function outcomes(s: Scenario, c: Verdicts): { finals: string[]; verdicts: string[] } {
  const finals = new Set<string>();
  for (const x of c.schedules) {
    const sch = runSchedule(s, x);
    finals.add(sch.stateKey());
    sch.m.retire();
  }
  return { finals: [...finals].sort(), verdicts: [...new Set([...c.verdicts.values()].map((v) => v ?? 'ok'))].sort() };
}
/**
 * Each reduction runs every trace class of the naive search exactly once; with `finals`, its
 * schedules also end in the naive search's final states with its verdicts (not by the relation
 * under test: as the scheduler reaches them).
 */
function sameAsNaive(s: Scenario, reductions: readonly Reduction[], finals: boolean): boolean {
  const naive = classes(s, 'none');
  return reductions.every((reduction) => {
    const r = classes(s, reduction);
    return r.classes.length === r.schedules.length
      && JSON.stringify(r.classes) === JSON.stringify(naive.classes)
      && (!finals || JSON.stringify(outcomes(s, r)) === JSON.stringify(outcomes(s, naive)));
  });
}
const GOLDEN = JSON.parse(readFileSync(new URL('./fixtures/explore-counts.json', import.meta.url), 'utf8')) as Record<string, Record<Reduction, Golden>>;

describe('golden counts per scenario and reduction (whole bounded space, every violation)', () => {
  it('the fixture lists exactly the shipped scenarios', () => {
    expect(Object.keys(GOLDEN)).toEqual(SCENARIOS.map((s) => s.name));
  });
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', (name, s) => {
    const got: Record<string, Golden> = {};
    for (const reduction of ['optimal', 'sleep', 'none'] as const) {
      const r = exploreExhaustive(s, { reduction, maxViolations: Infinity, traceViolations: false, countStates: false });
      expect(r.complete).toBe(true);
      got[reduction] = { schedules: r.schedules, cut: r.sleepBlocked, violating: r.violations.length };
    }
    expect(got).toEqual(GOLDEN[name]);
    expect(got.optimal!.schedules).toBeLessThanOrEqual(got.sleep!.schedules);
    expect(got.none!.cut).toBe(0);
  });
});

describe('each reduction covers exactly the naive search\'s trace classes, each once', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const naive = classes(s, 'none');
    for (const reduction of ['optimal', 'sleep'] as const) {
      const r = classes(s, reduction);
      expect(r.classes.length, reduction).toBe(r.schedules.length); // no class twice
      expect(r.classes, reduction).toEqual(naive.classes);
      expect(r.violations > 0, reduction).toBe(naive.violations > 0);
    }
  });

  it('random programs (tasks, interrupts, preempt_disable, a spinlock, a sleeping lock, early stops): the same classes', () => {
    fc.assert(fc.property(programArb, (p) => sameAsNaive(programScenario(p), ['optimal', 'sleep'], false)), { numRuns: 40, seed: 13 });
  });

  it('random programs with a task waiting on a busy CPU, moved before it runs: the same classes, and the naive search\'s final states and verdicts', () => {
    fc.assert(fc.property(waitingArb, (p) => sameAsNaive(programScenario(p), ['optimal', 'sleep'], true)), { numRuns: 20, seed: 17 });
  });

  it('random programs with an interrupt handler', () => {
    fc.assert(fc.property(programArb.filter((p) => p.irq !== null), (p) => sameAsNaive(programScenario(p), ['optimal'], false)), { numRuns: 25, seed: 7 });
  });
});

describe('verdicts and bounds', () => {
  it('all three modes find the same set of distinct violation messages', () => {
    for (const s of [rmwPtr, xchgIrqRaw, srcuSnapshotBroken]) {
      const msgs = (reduction: Reduction) => [...new Set(exploreExhaustive(s, { reduction, maxViolations: Infinity }).violations.map((v) => v.message))].sort();
      expect(msgs('optimal')).toEqual(msgs('none'));
      expect(msgs('sleep')).toEqual(msgs('none'));
    }
  });

  it('a violation visible only in ghost state: every trace class has the same verdict in every mode', () => {
    const verdicts = (reduction: Reduction): Map<string, string | null> => {
      const out = new Map<string, string | null>();
      exploreExhaustive(srcuSnapshotBroken, {
        reduction, maxViolations: Infinity, onSchedule: (x, v) => out.set(canonical(srcuSnapshotBroken, x, 1), v),
      });
      return out;
    };
    const naive = verdicts('none');
    expect([...verdicts('sleep').entries()].sort()).toEqual([...naive.entries()].sort());
    expect([...verdicts('optimal').entries()].sort()).toEqual([...naive.entries()].sort());
    expect([...naive.values()].filter((v) => v !== null)).toEqual([
      'the check concluded "no readers" while R, inside when the check started, was still inside',
    ]);
  });

  it('the preemption bound: 0 allows no preemption or migration, larger bounds explore more', () => {
    const counts = [0, 1, 2, 3].map((bound) => exploreExhaustive(incIrq, { bound }).schedules);
    expect(counts).toEqual([5, 113, 619, 2927]);
    const at0: string[] = [];
    exploreExhaustive(rmwPtr, { bound: 0, onSchedule: (x) => at0.push(x) });
    expect(at0).toEqual(['0,0,0,0,0,0']);
  });

  it('an unknown reduction is refused', () => {
    expect(() => exploreExhaustive(incIrq, { reduction: 'fast' as Reduction })).toThrow(
      new RangeError('explore: reduction must be one of optimal, sleep, none, got fast'),
    );
  });
});
