/**
 * PCT (--pct D --random N): seeded and reproducible run by run, the budgets
 * respected, the buggy scenarios found at least as often as the paper's bound
 * promises for their depth, exact counts for fixed seeds, and checked
 * arguments.
 */
import { describe, expect, it } from 'vitest';
import { parseExploreArgs } from '../src/cli/explore.js';
import { formatViolation, runSchedule } from '../src/explore/explorer.js';
import { explorePct, pctBound, pctSteps, runPctSeed } from '../src/explore/pct.js';
import { incIrq, rmwPtr, srcuSnapshotBroken, xchgIrqRaw } from '../src/explore/scenarios/index.js';
import { resolveBudgets } from '../src/sched/budget.js';

function runs(s: Parameters<typeof explorePct>[0], n: number, seed: number, depth: number, o: Parameters<typeof explorePct>[4] = {}) {
  const out: [string, string | null][] = [];
  const r = explorePct(s, n, seed, depth, { maxViolations: Infinity, traceViolations: false, ...o, onSchedule: (x, v) => out.push([x, v]) });
  return { r, out };
}

describe('PCT', () => {
  it('k, the agents and the guarantee', () => {
    expect(pctSteps(rmwPtr, resolveBudgets({}, 2), 10_000)).toBe(6);
    const { r } = runs(xchgIrqRaw, 3, 1, 2);
    expect(r.mode).toBe('pct');
    expect(r.pct).toEqual({ depth: 2, steps: 4, agents: 3 });
    expect(pctBound(3, 4, 2)).toBe(1 / 12);
    expect(pctBound(2, 6, 3)).toBe(1 / 72);
  });

  it('every run is a function of its seed: run i replays alone from seed + i, with the same schedule and verdict', () => {
    const a = runs(rmwPtr, 40, 5, 3).out;
    expect(runs(rmwPtr, 40, 5, 3).out).toEqual(a);
    for (const i of [0, 7, 39]) {
      const sch = runPctSeed(rmwPtr, 5 + i, 3);
      expect([sch.schedule.join(','), sch.violation]).toEqual(a[i]);
      expect(runSchedule(rmwPtr, a[i]![0]).violation).toBe(a[i]![1]);
    }
  });

  it('depth 1 has no change point: the highest-priority agent runs first, so only a few orders occur and the depth-2 lost update never', () => {
    const { r, out } = runs(rmwPtr, 100, 1, 1);
    expect(r.violations.length).toBe(0);
    expect([...new Set(out.map(([x]) => x))].sort()).toEqual(['0,0,0,0,0,0', 'mT2:1,1,1,1,0,0,0', 'p0:T2,0,0,0,0,0,0']);
  });

  it('buggy scenarios: found at least as often as 1/(n·k^(d−1)) for depth 2, exact counts for seeds 1 to 400', () => {
    const found: Record<string, number> = {};
    for (const s of [rmwPtr, xchgIrqRaw, srcuSnapshotBroken]) {
      const { r } = runs(s, 400, 1, 2);
      found[s.name] = r.violations.length;
      expect(r.violations.length / 400, s.name).toBeGreaterThanOrEqual(pctBound(r.pct!.agents, r.pct!.steps, 2));
    }
    expect(found).toEqual({ 'rmw-ptr': 47, 'xchg-irq-raw': 100, 'srcu-snapshot-broken': 59 });
    expect(runs(incIrq, 200, 1, 3).r.violations.length).toBe(0);
  });

  it('the budgets hold: with no preemptions or migrations allowed, no run has one', () => {
    const { out } = runs(rmwPtr, 100, 1, 3, { preemptions: 0, migrations: 0 });
    expect(out.every(([x]) => !/(^|,)[pm]/.test(x))).toBe(true);
    expect(out.every(([, v]) => v === null)).toBe(true);
    const irqs = runs(xchgIrqRaw, 100, 1, 3, { irqs: 0 }).out;
    expect(irqs.every(([x]) => !x.includes('i'))).toBe(true);
  });

  it('a violation names the PCT replay', () => {
    const r = explorePct(rmwPtr, 50, 1, 2);
    const v = r.violations[0]!;
    expect(v.pct).toBe(2);
    expect(formatViolation(rmwPtr, v, r.budgets).split('\n').slice(-2)).toEqual([
      'replay: percpu-sim explore rmw-ptr --schedule p0:T2,0,p0:T1,0,0,0,0,0',
      '    or: percpu-sim explore rmw-ptr --pct 2 --random 1 --seed 4',
    ]);
    expect(v.seed).toBe(4);
    expect(runPctSeed(rmwPtr, v.seed!, 2).violation).toBe(v.message);
  });

  it('checked arguments', () => {
    for (const [d, got] of [[0, '0'], [17, '17'], [1.5, '1.5']] as const) {
      expect(() => explorePct(rmwPtr, 1, 1, d)).toThrow(`explore: PCT depth must be an integer from 1 to 16, got ${got}`);
      expect(() => runPctSeed(rmwPtr, 1, d)).toThrow(`explore: PCT depth must be an integer from 1 to 16, got ${got}`);
    }
    expect(() => explorePct(rmwPtr, 0, 1, 2)).toThrow('explore: the number of PCT runs must be a positive integer, got 0');
    expect(() => explorePct(rmwPtr, 1, -1, 2)).toThrow('explore: seed must be an integer from 0 to 4294967295, got -1');
    expect(() => explorePct(rmwPtr, 1, 1, 2, { preemptions: 5 })).toThrow('explore: preemptions 5 exceeds the bound 2');
    expect(parseExploreArgs(['rmw-ptr', '--pct', '3', '--random', '10'])).toMatchObject({ mode: 'random', n: 10, pct: 3 });
    expect(() => parseExploreArgs(['rmw-ptr', '--pct', '3'])).toThrow('--pct D needs --random N (the number of PCT runs)');
    expect(() => parseExploreArgs(['rmw-ptr', '--pct', '3', '--schedule', '0'])).toThrow('--pct D needs --random N (the number of PCT runs), not --schedule');
    expect(() => parseExploreArgs(['rmw-ptr', '--pct', '0', '--random', '3'])).toThrow("--pct: expected an integer from 1 to 16, got '0'");
  });
});
