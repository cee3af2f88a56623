/**
 * Separate budgets (--preemptions, --migrations, --irqs, --softirqs, --nmis):
 * each limits its kind of transition exactly, the reduced searches cover
 * exactly the naive search's trace classes with the same verdict under every
 * budget, refused budgets name themselves and change nothing, and the budgets
 * reach the summary and the replay line.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exploreExhaustive, exploreRandom, formatViolation, runSchedule, type Reduction, type RunBudgets } from '../src/explore/explorer.js';
import { incIrq, rmwPtr, xchgIrqRaw } from '../src/explore/scenarios/index.js';
import { budgetFlags, formatBudgets, resolveBudgets } from '../src/sched/budget.js';
import { Scheduler } from '../src/sched/scheduler.js';
import type { Scenario } from '../src/sched/task.js';
import { mix, type MixKind } from './support/budget-mix.js';
import { classes } from './support/trace-classes.js';
import { programArb, programScenario } from './support/random-scenario.js';

/** Counts of each kind of scheduler choice in a schedule string, and the most any one handler fired. */
function kinds(schedule: string): { p: number; m: number; i: number; s: number; n: number; most: number } {
  const out = { p: 0, m: 0, i: 0, s: 0, n: 0, most: 0 };
  const per = new Map<string, number>();
  for (const t of schedule.split(',')) {
    const k = /^p/.test(t) ? 'p' : /^m/.test(t) ? 'm' : /^i/.test(t) ? 'i' : /^s\d+:/.test(t) ? 's' : /^n/.test(t) ? 'n' : null;
    if (k === null) continue;
    out[k]++;
    if (k === 'i' || k === 's' || k === 'n') {
      const h = t.slice(t.indexOf(':') + 1);
      per.set(h, (per.get(h) ?? 0) + 1);
      out.most = Math.max(out.most, per.get(h)!);
    }
  }
  return out;
}

function naiveSchedules(s: Scenario, b: RunBudgets): string[] {
  const out: string[] = [];
  exploreExhaustive(s, { ...b, reduction: 'none', maxViolations: Infinity, traceViolations: false, countStates: false, onSchedule: (x) => out.push(x) });
  return out;
}

/** Each budget on the scenario with two handlers of the kind it limits (bound 0 where preemptions and migrations are not the point). */
const BUDGETS: readonly [MixKind, RunBudgets][] = [
  ['irqs', { preemptions: 1, migrations: 0 }],
  ['irqs', { preemptions: 0, migrations: 1 }],
  ['irqs', { bound: 2, migrations: 1, irqs: 0 }],
  ['irqs', { bound: 0, irqs: 0 }],
  ['irqs', { bound: 0, irqs: 1 }],
  ['irqs', { bound: 0, irqs: 2 }],
  ['softirqs', { bound: 0, softirqs: 1 }],
  ['softirqs', { bound: 0, softirqs: 2 }],
  ['nmis', { bound: 0, nmis: 1 }],
  ['nmis', { bound: 0, nmis: 2 }],
];
const cases = BUDGETS.map(([k, b]) => [`${k} ${JSON.stringify(b)}`, k, b] as const);

describe('each budget limits its kind exactly', () => {
  it.each(cases)('%s: no schedule exceeds it, and every schedule within it is explored', (_n, kind, b) => {
    const s = mix(kind);
    const r = resolveBudgets(b, s.bound!);
    const total = r[kind];
    const within = naiveSchedules(s, b);
    expect(within.length).toBeGreaterThan(0);
    for (const x of within) {
      const k = kinds(x);
      expect(k.p + k.m, x).toBeLessThanOrEqual(r.bound);
      if (r.preemptions !== null) expect(k.p, x).toBeLessThanOrEqual(r.preemptions);
      if (r.migrations !== null) expect(k.m, x).toBeLessThanOrEqual(r.migrations);
      const injected = { irqs: k.i, softirqs: k.s, nmis: k.n }[kind];
      if (total !== null) expect(injected, x).toBeLessThanOrEqual(total);
      else expect(k.most, x).toBeLessThanOrEqual(1);
    }
    // Completeness: from a search with room to spare (the same bound, each handler up to
    // twice), every schedule that fits these budgets is among those explored under them.
    const wide = naiveSchedules(s, { bound: r.bound, [kind]: Math.max(total ?? 0, 2) });
    const set = new Set(within);
    let fitting = 0;
    for (const x of wide) {
      const k = kinds(x);
      const injected = { irqs: k.i, softirqs: k.s, nmis: k.n }[kind];
      const fits = (r.preemptions === null || k.p <= r.preemptions) && (r.migrations === null || k.m <= r.migrations)
        && (total === null ? k.most <= 1 : injected <= total);
      if (!fits) continue;
      fitting++;
      expect(set.has(x), x).toBe(true);
    }
    expect(fitting).toBeGreaterThan(0);
  });

  it('the counts (naive, whole space: schedules, violating) per budget', () => {
    const n = (k: MixKind, b: RunBudgets) => {
      const r = exploreExhaustive(mix(k), { ...b, reduction: 'none', maxViolations: Infinity, countStates: false, traceViolations: false });
      return [r.schedules, r.violations.length];
    };
    expect(BUDGETS.map(([k, b]) => n(k, b))).toEqual([
      [210, 124], [843, 446], [26, 5], [4, 0], [42, 12], [314, 164], [42, 12], [314, 164], [42, 12], [314, 164],
    ]);
  });
});

describe('the reductions stay exact under every budget', () => {
  it.each(cases)('%s: the same classes as the naive search, each once, with the same verdicts', (_n, kind, b) => {
    const naive = classes(mix(kind), 'none', b);
    for (const reduction of ['optimal', 'sleep'] as const) {
      const r = classes(mix(kind), reduction, b);
      expect(r.classes.length, reduction).toBe(r.schedules.length);
      expect(r.classes, reduction).toEqual(naive.classes);
      expect([...r.verdicts.entries()].sort(), reduction).toEqual([...naive.verdicts.entries()].sort());
    }
  });

  it('shipped scenarios under separate budgets: the same classes and verdicts', () => {
    for (const [s, b] of [[rmwPtr, { preemptions: 1, migrations: 1 }], [rmwPtr, { preemptions: 0, migrations: 2 }], [incIrq, { bound: 1, irqs: 2, preemptions: 1 }], [xchgIrqRaw, { irqs: 0 }]] as const) {
      const naive = classes(s, 'none', b);
      for (const reduction of ['optimal', 'sleep'] as const) {
        const r = classes(s, reduction, b);
        expect(r.classes.length, `${s.name} ${reduction}`).toBe(r.schedules.length);
        expect([...r.verdicts.entries()].sort(), `${s.name} ${reduction}`).toEqual([...naive.verdicts.entries()].sort());
      }
    }
  });

  it('random programs under random budgets: the same classes and verdicts', () => {
    const budgetArb = fc.record({
      preemptions: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
      migrations: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
      irqs: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
    });
    fc.assert(fc.property(programArb, budgetArb, (p, b0) => {
      const s = programScenario(p);
      const b: RunBudgets = {
        preemptions: b0.preemptions === undefined ? undefined : Math.min(b0.preemptions, p.bound),
        migrations: b0.migrations === undefined ? undefined : Math.min(b0.migrations, p.bound),
        irqs: p.irq === null ? undefined : b0.irqs,
        bound: p.bound,
      };
      const naive = classes(s, 'none', b);
      for (const reduction of ['optimal', 'sleep'] as const) {
        const r = classes(s, reduction, b);
        if (r.classes.length !== r.schedules.length) return false;
        if (JSON.stringify([...r.verdicts.entries()].sort()) !== JSON.stringify([...naive.verdicts.entries()].sort())) return false;
      }
      return true;
    }), { numRuns: 15, seed: 21 });
  });
});

describe('checked budgets', () => {
  const refused: [RunBudgets, string][] = [
    [{ preemptions: -1 }, 'explore: preemptions must be an integer from 0 to 64, got -1'],
    [{ migrations: 1.5 }, 'explore: migrations must be an integer from 0 to 64, got 1.5'],
    [{ irqs: 65 }, 'explore: irqs must be an integer from 0 to 64, got 65'],
    [{ softirqs: '1' as unknown as number }, 'explore: softirqs must be an integer from 0 to 64, got "1"'],
    [{ nmis: NaN }, 'explore: nmis must be an integer from 0 to 64, got NaN'],
    [{ bound: -1 }, 'explore: bound must be an integer from 0 to 64, got -1'],
    [{ preemptions: 3 }, 'explore: preemptions 3 exceeds the bound 2 on preemptions + migrations together, so it could never be used; raise the bound'],
    [{ bound: 1, migrations: 2 }, 'explore: migrations 2 exceeds the bound 1 on preemptions + migrations together, so it could never be used; raise the bound'],
  ];
  it.each(refused.map(([b, msg]) => [msg, b] as const))('%s', (msg, b) => {
    expect(() => exploreExhaustive(incIrq, b)).toThrow(msg);
    expect(() => exploreRandom(incIrq, 3, 1, b)).toThrow(msg);
    expect(() => runSchedule(incIrq, '0', b)).toThrow(msg);
  });

  it('a total for a kind of injection the world does not have is refused', () => {
    expect(() => exploreExhaustive(rmwPtr, { irqs: 1 })).toThrow('scheduler: a budget of 1 irqs was given, but the world has no interrupt handler (World.irqs)');
    expect(() => exploreExhaustive(incIrq, { softirqs: 0 })).toThrow('scheduler: a budget of 0 softirqs was given, but the world has no softirq handler (World.softirqs)');
    expect(() => exploreExhaustive(incIrq, { nmis: 2 })).toThrow('scheduler: a budget of 2 nmis was given, but the world has no NMI handler (World.nmis)');
  });

  it('the bound defaults to preemptions + migrations when both are given, else to the scenario\'s', () => {
    expect(resolveBudgets({ preemptions: 3, migrations: 1 }, 2)).toEqual({ bound: 4, preemptions: 3, migrations: 1, irqs: null, softirqs: null, nmis: null });
    expect(resolveBudgets({ migrations: 1 }, 2)).toEqual({ bound: 2, preemptions: null, migrations: 1, irqs: null, softirqs: null, nmis: null });
    expect(exploreExhaustive(incIrq, { preemptions: 2, migrations: 1 }).bound).toBe(3);
  });
});

describe('a used-up budget in replays, traces and reports', () => {
  it('a replay refuses a choice past its budget and says which', () => {
    expect(() => runSchedule(mix('irqs'), 'i0:a,0,0,0,i0:a', { irqs: 1 })).toThrow("schedule: choice 5 'i0:a' is not enabled at that point: the interrupt budget 1 is used up");
    expect(() => runSchedule(mix('nmis'), 'n0:p,0,0,n0:p', { nmis: 1 })).toThrow("schedule: choice 4 'n0:p' is not enabled at that point: the NMI budget 1 is used up");
    expect(() => runSchedule(mix('softirqs'), 's0:NET_RX,0,0,s1:TIMER', { softirqs: 1 })).toThrow("schedule: choice 4 's1:TIMER' is not enabled at that point: the softirq budget 1 is used up");
    expect(() => runSchedule(rmwPtr, '0,p0:T2,0,p0:T1', { bound: 2, preemptions: 1 })).toThrow("schedule: choice 4 'p0:T1' is not enabled at that point: the preemption budget 1 is used up");
    expect(() => runSchedule(rmwPtr, '0,mT1:1,mT2:1', { bound: 2, migrations: 1 })).toThrow("schedule: choice 3 'mT2:1' is not enabled at that point: the migration budget 1 is used up");
  });

  it('a total replaces each handler\'s own budget: with irqs 2, one handler may fire twice', () => {
    const sch = runSchedule(mix('irqs'), 'i0:a,0,0,0,i0:a', { irqs: 2 });
    expect(sch.interrupts).toBe(2);
    expect(() => runSchedule(mix('irqs'), 'i0:a,0,0,0,i0:a')).toThrow("schedule: choice 5 'i0:a' is not enabled at that point: a has used its budget");
  });

  it('a refused choice leaves the scheduler as it was', () => {
    const sch = new Scheduler(mix('irqs').build(), resolveBudgets({ irqs: 1 }, 1), false);
    sch.apply({ kind: 'irq', cpu: 0, handler: 'a' });
    const before = { key: sch.stateKey(), n: sch.n, interrupts: sch.interrupts, budget: [...sch.budget], ctx: { ...sch.m.ctx } };
    expect(sch.refusal({ kind: 'irq', cpu: 1, handler: 'b' })).toBe('the interrupt budget 1 is used up');
    expect({ key: sch.stateKey(), n: sch.n, interrupts: sch.interrupts, budget: [...sch.budget], ctx: { ...sch.m.ctx } }).toEqual(before);
    sch.m.retire();
  });

  it('the summary line and the replay flags', () => {
    const b = resolveBudgets({ preemptions: 1, migrations: 0, irqs: 2 }, 2);
    expect(formatBudgets(b)).toBe('preemptions + migrations ≤ 1 (preemptions ≤ 1, migrations ≤ 0); interrupts ≤ 2; injected softirqs, NMIs: each handler\'s own budget per schedule');
    expect(budgetFlags(b, 2)).toBe(' --preemptions 1 --migrations 0 --irqs 2');
    expect(budgetFlags(resolveBudgets({ bound: 3, preemptions: 1, migrations: 0 }, 2), 2)).toBe(' --bound 3 --preemptions 1 --migrations 0');
    expect(budgetFlags(resolveBudgets({}, 2), 2)).toBe('');
    const r = exploreExhaustive(rmwPtr, { preemptions: 1, migrations: 0 });
    const text = formatViolation(rmwPtr, r.violations[0]!, r.budgets);
    expect(text).toContain('replay: percpu-sim explore rmw-ptr --schedule 0,0,p0:T2,0,0,0,0 --preemptions 1 --migrations 0');
    const again = runSchedule(rmwPtr, r.violations[0]!.schedule, r.budgets);
    expect(again.violation).toBe(r.violations[0]!.message);
  });

  it('reductions agree on the verdict of every shipped buggy scenario when only preemptions are allowed', () => {
    for (const reduction of ['optimal', 'sleep', 'none'] as Reduction[]) {
      const r = exploreExhaustive(rmwPtr, { reduction, preemptions: 2, migrations: 0, maxViolations: Infinity, traceViolations: false, countStates: false });
      expect(new Set(r.violations.map((v) => v.message)), reduction).toEqual(new Set(['lost update: the counter sums to 1 (cpu0=1 cpu1=0), but 2 increments were done']));
    }
  });
});
