/**
 * The sleep-set reduction: fewer schedules than the naive search, the same
 * equivalence classes of interleavings (Mazurkiewicz traces), the same
 * distinct states, and the same bugs found.
 */
import { describe, expect, it } from 'vitest';
import { exploreExhaustive } from '../src/explore/explorer.js';
import { SCENARIOS, incIrq, localLockIrqsaveRT, percpuCounter, rmwPtr, srcuSnapshotBroken, xchgIrqRaw, xchgIrqThis } from '../src/explore/scenarios/index.js';
import { conflicts, type Touch } from '../src/sched/step.js';
import { Scheduler } from '../src/sched/scheduler.js';
import type { Scenario } from '../src/sched/task.js';

/**
 * The canonical representative of a schedule's trace: the lexicographically
 * least ordering of its transitions that keeps every pair of dependent
 * transitions in order. Two schedules have the same canonical form exactly
 * when they differ only by swapping adjacent independent transitions.
 */
function canonical(s: Scenario, schedule: string, bound: number): string {
  const sch = new Scheduler(s.build(), bound, false);
  const events: { token: string; touches: readonly Touch[] }[] = [];
  for (const tok of schedule.split(',')) {
    const t = sch.enabled().find((x) => x.token === tok);
    if (t === undefined) throw new Error(`${tok} not enabled replaying ${schedule}`);
    events.push({ token: tok, touches: t.touches });
    sch.apply(t.choice);
  }
  const n = events.length;
  const preds: number[][] = events.map(() => []);
  for (let j = 0; j < n; j++) for (let i = 0; i < j; i++) if (conflicts(events[i]!.touches, events[j]!.touches)) preds[j]!.push(i);
  const done = new Array<boolean>(n).fill(false);
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    let best = -1;
    for (let j = 0; j < n; j++) {
      if (done[j] || !preds[j]!.every((i) => done[i])) continue;
      if (best === -1 || events[j]!.token < events[best]!.token) best = j;
    }
    done[best] = true;
    out.push(events[best]!.token);
  }
  return out.join(',');
}

function classes(s: Scenario, reduction: boolean): { schedules: string[]; classes: Set<string> } {
  const schedules: string[] = [];
  const r = exploreExhaustive(s, { reduction, maxViolations: Infinity, onSchedule: (x) => schedules.push(x) });
  return { schedules, classes: new Set(schedules.map((x) => canonical(s, x, r.bound))) };
}

describe('sleep-set reduction', () => {
  it.each([incIrq, rmwPtr, xchgIrqRaw, xchgIrqThis, percpuCounter, srcuSnapshotBroken, localLockIrqsaveRT].map((s) => [s.name, s] as const))(
    '%s: exactly one schedule per trace class, and every class of the naive search', (_name, s) => {
      const naive = classes(s, false);
      const reduced = classes(s, true);
      expect(reduced.schedules.length).toBeLessThan(naive.schedules.length);
      expect(reduced.classes.size).toBe(reduced.schedules.length); // no two equivalent schedules
      expect([...reduced.classes].sort()).toEqual([...naive.classes].sort());
    },
  );

  it('every scenario: reduced count ≤ naive count, same distinct states, same verdict', () => {
    const rows = SCENARIOS.map((s) => {
      const a = exploreExhaustive(s, { maxViolations: Infinity });
      const b = exploreExhaustive(s, { maxViolations: Infinity, reduction: false });
      return [s.name, a.schedules, b.schedules, a.distinctStates === b.distinctStates, a.violations.length > 0, b.violations.length > 0];
    });
    // Counts since a task's pre-yield code runs in its first step (a step that conflicts with all memory).
    expect(rows).toEqual([
      ['inc-irq', 945, 1309, true, false, false],
      ['rmw-ptr', 232, 432, true, true, true],
      ['rmw-ptr-get-cpu', 51, 135, true, false, false],
      ['xchg-irq-raw', 236, 354, true, true, true],
      ['xchg-irq-this', 292, 452, true, false, false],
      ['this-cpu-add-preemptible', 15, 15, true, true, true],
      ['this-cpu-add-preempt-off', 40, 50, true, false, false],
      ['rust-ref', 51, 135, true, false, false],
      ['rust-ref-noguard', 232, 448, true, true, true],
      ['percpu-counter', 206, 642, true, false, false],
      ['raw-add-x86-64', 22, 22, true, false, false],
      ['raw-add-arm64', 1393, 5962, true, true, true],
      ['raw-add-generic', 1393, 5962, true, true, true],
      ['this-add-arm64', 61, 135, true, false, false],
      ['this-add-generic', 112, 1470, true, false, false],
      ['srcu-snapshot', 8, 126, true, false, false],
      ['srcu-snapshot-broken', 7, 39, true, true, true],
      ['local-lock-irqsave', 4, 4, true, false, false],
      ['local-lock-irqsave-rt', 37, 478, true, false, false],
      ['local-lock-irq-unsafe', 8, 8, true, true, true],
    ]);
  });

  it('both searches find the same set of distinct violation messages', () => {
    for (const s of [rmwPtr, xchgIrqRaw, srcuSnapshotBroken]) {
      const msgs = (reduction: boolean) => new Set(exploreExhaustive(s, { reduction, maxViolations: Infinity }).violations.map((v) => v.message));
      expect([...msgs(true)].sort()).toEqual([...msgs(false)].sort());
    }
  });

  it('a violation visible only in ghost state: every trace class has the same verdict in both searches', () => {
    const verdicts = (reduction: boolean): Map<string, string | null> => {
      const out = new Map<string, string | null>();
      exploreExhaustive(srcuSnapshotBroken, {
        reduction, maxViolations: Infinity, onSchedule: (x, v) => out.set(canonical(srcuSnapshotBroken, x, 1), v),
      });
      return out;
    };
    const naive = verdicts(false);
    const reduced = verdicts(true);
    expect([...reduced.entries()].sort()).toEqual([...naive.entries()].sort());
    expect([...naive.values()].filter((v) => v !== null)).toEqual([
      'the check concluded "no readers" while R, inside when the check started, was still inside',
    ]);
  });

  it('the preemption bound: 0 allows no preemption or migration, larger bounds explore more', () => {
    const counts = [0, 1, 2, 3].map((bound) => exploreExhaustive(incIrq, { bound }).schedules);
    expect(counts[0]).toBeLessThan(counts[1]!);
    expect(counts[1]).toBeLessThan(counts[2]!);
    expect(counts[2]).toBeLessThan(counts[3]!);
    const at0: string[] = [];
    exploreExhaustive(rmwPtr, { bound: 0, onSchedule: (x) => at0.push(x) });
    expect(at0).toEqual(['0,0,0,0,0,0']);
  });
});
