/**
 * The explorer of an earlier revision against today's, side by side in one
 * process:
 *
 *   tsx bench/explore-ab.ts --base <git revision> [--rounds 7] [--scale 4000]
 *
 * It takes src/, generated/, c/ and templates/ of the base revision out of git into
 * .ab-base/explore/ (deleted afterwards) and imports that explorer, with its own
 * runtime and scenarios, next to the working tree's. Each row runs the same
 * search with both, old and new interleaved round by round with the order
 * alternating, and checks that both report the same schedules, cut paths and
 * violations (the counts must not move). Time is CPU time of the process
 * (process.cpuUsage): on a loaded machine the time a process waits for a core
 * is most of the noise. A row prints the median schedules per CPU-second of
 * both and the median of the per-round ratios new/old with its range.
 *
 * Rows: inc-irq exhaustively (sleep sets, the `explore.exhaustive` row, and
 * optimal DPOR); every shipped scenario exhaustively (sleep sets, the whole
 * bounded space); and the first `--scale` schedules of counter-scale at bound 0
 * (optimal DPOR), whose long schedules are mostly prefix replay.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as NE from '../src/explore/explorer.js';
import * as NS from '../src/explore/scenarios/index.js';
import { abArgs, checkoutBase, cpuTime, interleaved, removeBase, spread } from './lib/ab.js';
import { median } from './lib/report.js';

type Explorer = typeof NE;
type Scenarios = typeof NS;
interface Side { readonly e: Explorer; readonly s: Scenarios }
interface Count { readonly schedules: number; readonly cut: number; readonly violations: number }

function args(): { base: string; rounds: number; scale: number } {
  return abArgs('bench/explore-ab.ts', { rounds: { value: 7, min: 3 }, scale: { value: 4000, min: 100 } });
}

async function baseSide(rev: string): Promise<Side> {
  const dir = checkoutBase(rev, 'explore', ['src', 'generated', 'c', 'templates']);
  const e = (await import(pathToFileURL(join(dir, 'src/explore/explorer.ts')).href)) as Explorer;
  const s = (await import(pathToFileURL(join(dir, 'src/explore/scenarios/index.ts')).href)) as Scenarios;
  return { e, s };
}

/** One search with one side; what it counted. */
type Run = (x: Side) => Count;

function count(r: NE.ExploreResult): Count {
  return { schedules: r.schedules, cut: r.sleepBlocked, violations: r.violations.length };
}

function sum(a: Count, b: Count): Count {
  return { schedules: a.schedules + b.schedules, cut: a.cut + b.cut, violations: a.violations + b.violations };
}

function rows(scale: number): [string, Run][] {
  const all = { maxViolations: Infinity, countStates: false, traceViolations: false } as const;
  return [
    ['inc-irq, sleep sets', (x) => count(x.e.exploreExhaustive(x.s.getScenario('inc-irq'), { countStates: false, reduction: 'sleep' }))],
    ['inc-irq, optimal', (x) => count(x.e.exploreExhaustive(x.s.getScenario('inc-irq'), { countStates: false, reduction: 'optimal' }))],
    ['shipped set, sleep sets', (x) => x.s.SCENARIOS.reduce((c, sc) => sum(c, count(x.e.exploreExhaustive(sc, { ...all, reduction: 'sleep' }))), { schedules: 0, cut: 0, violations: 0 })],
    ['shipped set, optimal', (x) => x.s.SCENARIOS.reduce((c, sc) => sum(c, count(x.e.exploreExhaustive(sc, { ...all, reduction: 'optimal' }))), { schedules: 0, cut: 0, violations: 0 })],
    [`counter-scale b0, ${scale}`, (x) => count(x.e.exploreExhaustive(x.s.getScenario('counter-scale'), { ...all, bound: 0, maxSchedules: scale }))],
  ];
}

const same = (a: Count, b: Count): boolean => a.schedules === b.schedules && a.cut === b.cut && a.violations === b.violations;

async function main(): Promise<void> {
  const o = args();
  try {
    const old = await baseSide(o.base);
    const now: Side = { e: NE, s: NS };
    console.log(`explorer of ${o.base} (old) against the working tree (new): CPU time, ${o.rounds} rounds, interleaved; load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    for (const [name, run] of rows(o.scale)) {
      const c0 = run(old);
      const c1 = run(now);
      if (!same(c0, c1)) throw new Error(`${name}: old counts ${JSON.stringify(c0)}, new ${JSON.stringify(c1)}: the change moved a count`);
      const [to, tn] = interleaved(o.rounds, (side) => cpuTime(() => run(side === 0 ? old : now)).ns / 1e6);
      const ro = to.map((ms) => c0.schedules / (ms / 1000));
      const rn = tn.map((ms) => c0.schedules / (ms / 1000));
      const ratio = to.map((ms, i) => ms / tn[i]);
      console.log(`${name.padEnd(28)} ${String(c0.schedules).padStart(6)} schedules  old ${Math.round(median(ro))}/s  new ${Math.round(median(rn))}/s  speed-up ${spread(ratio)}×`);
    }
  } finally {
    removeBase();
  }
}

await main();
