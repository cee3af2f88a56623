/**
 * One exhaustive run, timed in CPU as well as wall time: for back-to-back
 * comparisons on a loaded machine (run it on each side of a change).
 *
 *   tsx bench/explore-scale.ts [scenario] [--bound K] [--max-schedules N] [--reduction R] [--preemptions K --migrations K] [--jobs N]
 *
 * Defaults: counter-scale, the scenario's bound, every schedule, optimal DPOR,
 * one thread (with --jobs N the CPU time is the process's: every thread).
 * No states counted, no traces, every violation counted (the bench's settings).
 */
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { type ExploreOptions, type Reduction } from '../src/explore/explorer.js';
import { exploreParallel } from '../src/explore/parallel.js';
import { getScenario } from '../src/explore/scenarios/index.js';

const { values: v, positionals } = parseArgs({
  options: {
    bound: { type: 'string' }, 'max-schedules': { type: 'string' }, reduction: { type: 'string' },
    preemptions: { type: 'string' }, migrations: { type: 'string' }, jobs: { type: 'string' },
  },
  allowPositionals: true,
});
const s = getScenario(positionals[0] ?? 'counter-scale');
const num = (x: string | undefined): number | undefined => (x === undefined ? undefined : Number(x));
const o: ExploreOptions = {
  bound: num(v.bound), maxSchedules: num(v['max-schedules']), reduction: v.reduction as Reduction | undefined,
  preemptions: num(v.preemptions), migrations: num(v.migrations),
  maxViolations: Infinity, countStates: false, traceViolations: false,
};
const c0 = process.cpuUsage();
const jobs = num(v.jobs) ?? 1;
const load = loadavg()[0]!.toFixed(1);
const r = await exploreParallel(s, { ...o, jobs });
const c = process.cpuUsage(c0);
const cpu = (c.user + c.system) / 1e6;
console.log(
  `${s.name} at bound ${r.bound} (${r.reduction}, --jobs ${jobs}, load ${load} at the start): ${r.schedules} schedules, ${r.sleepBlocked} cut, ${r.transitions} transitions, `
  + `${r.complete ? 'complete' : 'NOT complete'}, ${r.violations.length} violating; ${(r.elapsedMs / 1000).toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU, `
  + `${Math.round(r.schedules / cpu)} schedules per CPU-second`,
);
