/**
 * Figures for the benchmark report: for each shipped scenario, the schedules
 * each reduction runs to cover the bounded space and how fast; the totals over
 * the set; and the scale scenario.
 *
 *   import { measureExplorer, measureScale } from '../src/explore/bench.js';
 *   const r = measureExplorer();     // every scenario, optimal and sleep sets, fastest of 3 timed runs
 *   r.totals.optimal.schedules / r.totals.sleep.schedules
 *   const x = await measureScale({ bound: 1, jobs: 2 }); // counter-scale, two threads
 *
 * Counts are of the whole bounded space: the runs do not stop at a violation
 * (maxViolations = Infinity), so a buggy scenario's count is comparable with
 * its fixed twin's. Timed runs count no states and record no traces.
 */
import { describe } from '../types.js';
import { exploreExhaustive, type ExploreResult, type Reduction } from './explorer.js';
import { exploreParallel } from './parallel.js';
import { SCENARIOS, counterScale, getScenario } from './scenarios/index.js';

/** One scenario explored with one reduction: the schedule and transition counts and the fastest run's time. */
export interface ModeFigures {
  /** Complete schedules. */
  readonly schedules: number;
  /** Paths cut short (every transition asleep, or a wakeup sequence that could not run). */
  readonly cut: number;
  /** Transitions performed, prefix replays included. */
  readonly transitions: number;
  /** Fastest timed run. */
  readonly ms: number;
}

/** One scenario's explorer figures: schedules with and without the reduction, states, violations, time. */
export interface ScenarioFigures {
  readonly name: string;
  readonly expect: 'violation' | 'none';
  readonly bound: number;
  readonly optimal: ModeFigures;
  readonly sleep: ModeFigures;
  /** Schedules without a reduction (every interleaving within the bound). */
  readonly naiveSchedules: number;
  /** Distinct states (optimal). */
  readonly distinctStates: number;
  /** Schedules that violated the invariant (optimal). */
  readonly violations: number;
}

/** The explorer figures of every shipped scenario (the bench report). */
export interface ExplorerFigures {
  readonly scenarios: readonly ScenarioFigures[];
  readonly totals: { readonly optimal: ModeFigures; readonly sleep: ModeFigures };
  /** Sleep-set schedules over the set ÷ the sum of the fastest times (the figure the report has always had). */
  readonly schedulesPerSecond: number;
  readonly optimalSchedulesPerSecond: number;
}

function timed(s: ReturnType<typeof getScenario>, reduction: Reduction, runs: number, warmup: boolean): ModeFigures {
  const all = { maxViolations: Infinity, countStates: false, traceViolations: false, reduction } as const;
  if (warmup) exploreExhaustive(s, all); // warm-up (JIT)
  let best = Infinity;
  let r: ExploreResult | null = null;
  for (let i = 0; i < runs; i++) {
    r = exploreExhaustive(s, all);
    best = Math.min(best, r.elapsedMs);
  }
  return { schedules: r!.schedules, cut: r!.sleepBlocked, transitions: r!.transitions, ms: best };
}

function sum(list: readonly ModeFigures[]): ModeFigures {
  return list.reduce((a, f) => ({
    schedules: a.schedules + f.schedules, cut: a.cut + f.cut, transitions: a.transitions + f.transitions, ms: a.ms + f.ms,
  }), { schedules: 0, cut: 0, transitions: 0, ms: 0 });
}

/**
 * Every shipped scenario (or the named ones), optimal and sleep sets (an
 * untimed warm-up unless `warmup` is false, then `runs` timed runs; the fastest
 * counts), plus one naive run for its count.
 */
export function measureExplorer(options: { scenarios?: readonly string[]; runs?: number; warmup?: boolean } = {}): ExplorerFigures {
  if (options === null || typeof options !== 'object' || (options.scenarios !== undefined && !Array.isArray(options.scenarios))) {
    throw new TypeError(`measureExplorer: options must be an object { scenarios?: string[], runs?, warmup? }, got ${describe(options)}`);
  }
  const runs = options.runs ?? 3;
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`measureExplorer: runs must be a positive integer, got ${String(runs)}`);
  const list = options.scenarios === undefined ? SCENARIOS : options.scenarios.map((n) => getScenario(n));
  const out: ScenarioFigures[] = [];
  for (const s of list) {
    const counted = exploreExhaustive(s, { maxViolations: Infinity, traceViolations: false });
    const naive = exploreExhaustive(s, { maxViolations: Infinity, reduction: 'none', countStates: false, traceViolations: false });
    out.push({
      name: s.name, expect: s.expect, bound: counted.bound,
      optimal: timed(s, 'optimal', runs, options.warmup ?? true), sleep: timed(s, 'sleep', runs, options.warmup ?? true),
      naiveSchedules: naive.schedules, distinctStates: counted.distinctStates, violations: counted.violations.length,
    });
  }
  const optimal = sum(out.map((f) => f.optimal));
  const sleep = sum(out.map((f) => f.sleep));
  const rate = (f: ModeFigures) => (f.ms > 0 ? f.schedules / (f.ms / 1000) : Infinity);
  return { scenarios: out, totals: { optimal, sleep }, schedulesPerSecond: rate(sleep), optimalSchedulesPerSecond: rate(optimal) };
}

/** The scale scenario's run at one bound: counts, whether the bounded space was covered, violations found, wall time. */
export interface ScaleFigures {
  readonly bound: number;
  readonly reduction: Reduction;
  readonly jobs: number;
  readonly schedules: number;
  readonly cut: number;
  readonly complete: boolean;
  readonly violations: number;
  /** Wall time, the split of the tree included. */
  readonly ms: number;
}

/** The scale scenario (counter-scale) explored exhaustively with `jobs` threads (default 1), given up after `timeLimitMs`. */
export async function measureScale(options: { bound?: number; reduction?: Reduction; jobs?: number; timeLimitMs?: number } = {}): Promise<ScaleFigures> {
  const bound = options.bound ?? 2;
  const reduction = options.reduction ?? 'optimal';
  const jobs = options.jobs ?? 1;
  const r = await exploreParallel(counterScale, {
    bound, reduction, jobs, maxViolations: Infinity, countStates: false, traceViolations: false, timeLimitMs: options.timeLimitMs ?? 120_000,
  });
  return { bound, reduction, jobs, schedules: r.schedules, cut: r.sleepBlocked, complete: r.complete, violations: r.violations.length, ms: r.elapsedMs };
}
