/**
 * What snapshots could save: the share of an exhaustive search spent getting
 * back to the point where each schedule branches off.
 *
 *   tsx bench/explore-replay.ts [scenario] [--bound K] [--reduction R] [--max-schedules N] [--rounds 3]
 *
 * The search runs (CPU time, no states counted, no traces), and every schedule
 * it completes is recorded. A depth-first search starts schedule i where it
 * leaves schedule i − 1: at the end of their common prefix. So the same
 * schedules are then restarted on their own, each as the search restarts it:
 * build the world, make its scheduler, replay the common prefix (checks off, as
 * the search replays), retire the machine. That time is what a perfect
 * snapshot (restoring the branch point for free) would save; the time to build
 * the worlds alone is printed beside it. Paths the reduction cuts short restart
 * too and are not counted here, so the figure is a lower bound of the restart
 * share (the cut paths are printed). The search's speed-up with free
 * snapshots is at most 1 / (1 − share).
 */
import { parseArgs } from 'node:util';
import { exploreExhaustive, type Reduction } from '../src/explore/explorer.js';
import { getScenario } from '../src/explore/scenarios/index.js';
import { Scheduler, parseToken, type Choice } from '../src/sched/scheduler.js';
import type { Scenario } from '../src/sched/task.js';
import { median } from './lib/report.js';

function args(): { name: string; bound: number | undefined; reduction: Reduction; max: number; rounds: number } {
  const { values: v, positionals } = parseArgs({
    options: { bound: { type: 'string' }, reduction: { type: 'string' }, 'max-schedules': { type: 'string' }, rounds: { type: 'string' } },
    allowPositionals: true,
  });
  return {
    name: positionals[0] ?? 'counter-scale',
    bound: v.bound === undefined ? undefined : Number(v.bound),
    reduction: (v.reduction ?? 'optimal') as Reduction,
    max: Number(v['max-schedules'] ?? 20_000),
    rounds: Number(v.rounds ?? 3),
  };
}

function cpuMs(f: () => void): number {
  const t = process.cpuUsage();
  f();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}


/** Builds the world and replays `prefix` as the search does when it restarts a schedule there. */
function restart(s: Scenario, limits: Scheduler['budgets'], prefix: readonly Choice[], tokens: readonly string[]): number {
  const sch = new Scheduler(s.build(), limits, false);
  sch.hashing = false;
  sch.checking = false;
  for (let k = 0; k < prefix.length; k++) sch.apply(prefix[k]!, tokens[k]);
  sch.m.retire();
  return prefix.length;
}

function main(): void {
  const o = args();
  const s = getScenario(o.name);
  const opts = { reduction: o.reduction, maxSchedules: o.max, maxViolations: Infinity, countStates: false, traceViolations: false, ...(o.bound === undefined ? {} : { bound: o.bound }) };
  const schedules: string[][] = [];
  const first = exploreExhaustive(s, { ...opts, onSchedule: (x) => schedules.push(x.split(',')) });
  // Where each schedule branches off the one before it: the prefix a restart replays.
  const prefixes: { choices: Choice[]; tokens: string[] }[] = [];
  let replayed = 0;
  let total = 0;
  for (let i = 0; i < schedules.length; i++) {
    const cur = schedules[i]!;
    const prev = i === 0 ? [] : schedules[i - 1]!;
    let l = 0;
    while (l < cur.length && l < prev.length && cur[l] === prev[l]) l++;
    const tokens = cur.slice(0, l);
    prefixes.push({ choices: tokens.map((t) => parseToken(t)), tokens });
    replayed += l;
    total += cur.length;
  }
  const search: number[] = [];
  const restarts: number[] = [];
  const builds: number[] = [];
  for (let r = 0; r < o.rounds; r++) {
    search.push(cpuMs(() => exploreExhaustive(s, opts)));
    restarts.push(cpuMs(() => {
      for (const p of prefixes) restart(s, first.budgets, p.choices, p.tokens);
    }));
    builds.push(cpuMs(() => {
      for (let i = 0; i < prefixes.length; i++) restart(s, first.budgets, [], []);
    }));
  }
  const [ts, tr, tb] = [median(search), median(restarts), median(builds)];
  const share = tr / ts;
  console.log(`${s.name}, ${o.reduction}, bound ${first.bound}: ${first.schedules} schedules${first.complete ? ' (complete)' : ` (the first ${first.schedules})`}, ${first.sleepBlocked} cut paths not counted; CPU time, median of ${o.rounds}`);
  console.log(`  transitions of the complete schedules: ${total}, of which replayed prefixes ${replayed} (${(100 * replayed / total).toFixed(0)} %)`);
  console.log(`  search ${ts.toFixed(0)} ms; restarts (build + replay to the branch point) ${tr.toFixed(0)} ms = ${(100 * share).toFixed(0)} %, of which building the worlds ${tb.toFixed(0)} ms = ${(100 * tb / ts).toFixed(0)} %`);
  console.log(`  free snapshots would make the search at most ${(1 / (1 - share)).toFixed(2)}× faster`);
}

main();
