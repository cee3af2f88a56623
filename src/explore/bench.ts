/**
 * Figures for the benchmark report: the number of schedules of each shipped
 * scenario in exhaustive mode, and the explorer's throughput.
 *
 *   import { measureExplorer } from '../src/explore/bench.js';
 *   const r = measureExplorer();            // every scenario, 3 timed runs each
 *   r.scenarios[0].schedules, r.schedulesPerSecond
 *
 * Counts are of the whole bounded space: the runs do not stop at a violation
 * (maxViolations = Infinity), so a buggy scenario's count is comparable with
 * its fixed twin's. Each is given with and without the sleep-set reduction.
 */
import { describe } from '../types.js';
import { exploreExhaustive } from './explorer.js';
import { SCENARIOS, getScenario } from './scenarios/index.js';

/** One scenario's explorer figures: schedules with and without the reduction, states, violations, time. */
export interface ScenarioFigures {
  readonly name: string;
  readonly expect: 'violation' | 'none';
  readonly bound: number;
  /** Schedules with sleep sets (one per equivalence class of interleavings). */
  readonly schedules: number;
  /** Paths the sleep sets cut short. */
  readonly sleepBlocked: number;
  /** Schedules without the reduction (every interleaving within the bound). */
  readonly naiveSchedules: number;
  readonly distinctStates: number;
  /** Schedules that violated the invariant (with the reduction). */
  readonly violations: number;
  /** Transitions performed per reduced exploration (prefix replays included). */
  readonly transitions: number;
  /** Fastest of the timed reduced runs. */
  readonly ms: number;
  readonly schedulesPerSecond: number;
}

/** The explorer figures of every shipped scenario (the bench report). */
export interface ExplorerFigures {
  readonly scenarios: readonly ScenarioFigures[];
  /** All reduced schedules divided by the sum of the fastest times. */
  readonly schedulesPerSecond: number;
  readonly transitionsPerSecond: number;
  readonly totalSchedules: number;
  readonly totalMs: number;
}

/**
 * Explores every shipped scenario (or the named ones) exhaustively: one
 * untimed warm-up (unless `warmup` is false), then `runs` timed runs with the
 * reduction (the fastest counts), plus one run without it for the naive count.
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
    const all = { maxViolations: Infinity } as const;
    if (options.warmup ?? true) exploreExhaustive(s, { ...all, countStates: false, traceViolations: false }); // warm-up (JIT)
    let best = Infinity;
    const r = exploreExhaustive(s, all);
    for (let i = 0; i < runs; i++) {
      const t = exploreExhaustive(s, { ...all, countStates: false, traceViolations: false });
      best = Math.min(best, t.elapsedMs);
    }
    const naive = exploreExhaustive(s, { ...all, reduction: false, countStates: false, traceViolations: false });
    out.push({
      name: s.name, expect: s.expect, bound: r.bound, schedules: r.schedules, sleepBlocked: r.sleepBlocked,
      naiveSchedules: naive.schedules, distinctStates: r.distinctStates, violations: r.violations.length,
      transitions: r.transitions, ms: best, schedulesPerSecond: best > 0 ? r.schedules / (best / 1000) : Infinity,
    });
  }
  const totalSchedules = out.reduce((a, f) => a + f.schedules, 0);
  const totalMs = out.reduce((a, f) => a + f.ms, 0);
  const totalTransitions = out.reduce((a, f) => a + f.transitions, 0);
  return {
    scenarios: out,
    schedulesPerSecond: totalMs > 0 ? totalSchedules / (totalMs / 1000) : Infinity,
    transitionsPerSecond: totalMs > 0 ? totalTransitions / (totalMs / 1000) : Infinity,
    totalSchedules,
    totalMs,
  };
}
