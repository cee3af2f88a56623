/**
 * The sleep-set reduction: fewer schedules than the naive search, the same
 * equivalence classes of interleavings (Mazurkiewicz traces), the same
 * distinct states, and the same bugs found.
 */
import { describe, expect, it } from 'vitest';
import { exploreExhaustive } from '../src/explore/explorer.js';
import { SCENARIOS, incIrq, percpuCounter, rmwPtr, xchgIrqRaw, xchgIrqThis } from '../src/explore/scenarios/index.js';
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
  it.each([incIrq, rmwPtr, xchgIrqRaw, xchgIrqThis, percpuCounter].map((s) => [s.name, s] as const))(
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
    expect(rows).toEqual([
      ['inc-irq', 522, 1309, true, false, false],
      ['rmw-ptr', 199, 417, true, true, true],
      ['rmw-ptr-get-cpu', 4, 35, true, false, false],
      ['xchg-irq-raw', 101, 354, true, true, true],
      ['xchg-irq-this', 117, 452, true, false, false],
      ['this-cpu-add-preemptible', 15, 15, true, true, true],
      ['this-cpu-add-preempt-off', 26, 50, true, false, false],
      ['rust-ref', 4, 35, true, false, false],
      ['rust-ref-noguard', 199, 448, true, true, true],
      ['percpu-counter', 47, 625, true, false, false],
      ['raw-add-x86-64', 18, 22, true, false, false],
      ['raw-add-arm64', 652, 5962, true, true, true],
      ['raw-add-generic', 652, 5962, true, true, true],
      ['this-add-arm64', 4, 35, true, false, false],
      ['this-add-generic', 6, 462, true, false, false],
    ]);
  });

  it('both searches find the same set of distinct violation messages', () => {
    for (const s of [rmwPtr, xchgIrqRaw]) {
      const msgs = (reduction: boolean) => new Set(exploreExhaustive(s, { reduction, maxViolations: Infinity }).violations.map((v) => v.message));
      expect([...msgs(true)].sort()).toEqual([...msgs(false)].sort());
    }
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
