/**
 * What a world costs per schedule, built or restored, and what restoring
 * gives the search.
 *
 *   tsx bench/explore-snapshot.ts [--rounds 5] [--worlds 5000] [--scale 30000] [--full-scale]
 *
 * Part 1, for each split scenario (the shipped set and counter-scale): CPU
 * microseconds per world, medians of the rounds, each part timed on its own
 * in a loop of `--worlds`:
 *   - machine: `new Machine(options)` + boot() + retire(), the options of the
 *     scenario's machine, nothing defined;
 *   - setup: the scenario's setup() + retire() (the machine, its per-CPU
 *     variables, allocations, locks, ghosts);
 *   - start: start() on a set-up machine (tasks, handlers, closure state);
 *   - build: build() + retire(), what every schedule paid before (≈ setup + start);
 *   - restore: the snapshot's restore() after a schedule ran (the memory copy
 *     and the objects written back), and of it the memory alone two ways: one
 *     copy of the saved bytes (what restore() does), or a compare of every
 *     32-bit word writing back the ones that differ (what a dirty log without
 *     a write barrier in the ops could do at best).
 * Part 2: exhaustive searches with snapshots off and on, interleaved, CPU
 * time: the shipped set (sleep sets and optimal, every schedule of the bounded
 * space), and counter-scale at bound 1 (the first `--scale` schedules, or the
 * whole space with --full-scale). Same counts are checked on both sides.
 */
import { parseArgs } from 'node:util';
import { exploreExhaustive, type ExploreOptions } from '../src/explore/explorer.js';
import { SCENARIOS, counterScale } from '../src/explore/scenarios/index.js';
import { buildWorld, restoredSetup, retireWorld } from '../src/explore/worlds.js';
import { Machine } from '../src/machine.js';
import { Scheduler } from '../src/sched/scheduler.js';
import type { Scenario, WorldSetup } from '../src/sched/task.js';
import { median } from './lib/report.js';

function cpuUs(f: () => void): number {
  const t = process.cpuUsage();
  f();
  const d = process.cpuUsage(t);
  return d.user + d.system;
}

/** Runs one schedule of the world (always the first enabled transition): dirties its machine as a search would. */
function runOnce(s: Scenario): void {
  const w = buildWorld(s, true);
  const sch = new Scheduler(w, s.bound ?? 2, false);
  while (!sch.finished && sch.violation === null) {
    const en = sch.enabled();
    if (en.length === 0) break;
    sch.apply(en[0]!.choice);
  }
  retireWorld(s, w);
}

/** Microseconds of `n` restores, each after a schedule ran, each timed on its own (wall clock, a few µs each). */
function timedRestores(s: Scenario, restore: () => void, n: number): number {
  let ns = 0n;
  for (let i = 0; i < n; i++) {
    runOnce(s);
    const t = process.hrtime.bigint();
    restore();
    ns += process.hrtime.bigint() - t;
  }
  return Number(ns) / 1000;
}

function perWorld(s: Scenario & { setup(): WorldSetup; start(x: WorldSetup): unknown }, n: number, rounds: number): Record<string, number> {
  const probe = s.setup();
  const options = { cpus: probe.m.nrCpus, arch: probe.m.arch, preemptRT: probe.m.preemptRT };
  probe.m.retire();
  runOnce(s); // sets up the explorer's restored machine
  const { setup, snapshot } = restoredSetup(s)!;
  const words = new Int32Array(setup.m.buffer as ArrayBuffer);
  const saved = words.slice();
  const parts: Record<string, () => void> = {
    machine: () => new Machine(options).boot().retire(),
    setup: () => s.setup().m.retire(),
    start: () => void s.start(setup),
    build: () => s.build().m.retire(),
    restore: () => snapshot.restore(),
    'memory copy': () => words.set(saved),
    'memory compare': () => {
      for (let j = 0; j < words.length; j++) if (words[j] !== saved[j]) words[j] = saved[j]!;
    },
  };
  const out: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [k, f] of Object.entries(parts)) {
      // restore() after a schedule has run, as the search restores (each call timed alone); the rest in a loop.
      const us = k === 'restore' ? timedRestores(s, f, n) : cpuUs(() => {
        for (let i = 0; i < n; i++) f();
      });
      (out[k] ??= []).push(us / n);
    }
  }
  snapshot.restore();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, median(v)]));
}

function searchPair(label: string, list: readonly Scenario[], o: ExploreOptions, rounds: number): void {
  const ms: Record<'off' | 'on', number[]> = { off: [], on: [] };
  let counts: Record<'off' | 'on', string> = { off: '', on: '' };
  let schedules = 0;
  for (let r = 0; r < rounds; r++) {
    const order: ('off' | 'on')[] = r % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
    for (const side of order) {
      let key = '';
      let n = 0;
      ms[side].push(cpuUs(() => {
        for (const s of list) {
          const x = exploreExhaustive(s, { ...o, snapshots: side === 'on' });
          key += `${x.schedules}/${x.sleepBlocked}/${x.violations.length};`;
          n += x.schedules;
        }
      }) / 1000);
      counts = { ...counts, [side]: key };
      schedules = n;
    }
  }
  if (counts.off !== counts.on) throw new Error(`${label}: counts differ with and without snapshots: ${counts.off} against ${counts.on}`);
  const [off, on] = [median(ms.off), median(ms.on)];
  console.log(
    `  ${label}: ${schedules} schedules; rebuilt ${off.toFixed(0)} ms (${Math.round(schedules / off * 1000)}/s), `
    + `restored ${on.toFixed(0)} ms (${Math.round(schedules / on * 1000)}/s): ${(off / on).toFixed(2)}× (medians of ${rounds}, CPU time, ranges ${range(ms.off)} / ${range(ms.on)})`,
  );
}

function range(xs: readonly number[]): string {
  return `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
}

function main(): void {
  const { values: v } = parseArgs({ options: { rounds: { type: 'string' }, worlds: { type: 'string' }, scale: { type: 'string' }, 'full-scale': { type: 'boolean' } } });
  const rounds = Number(v.rounds ?? 5);
  const n = Number(v.worlds ?? 5000);
  const split = [...SCENARIOS, counterScale].filter((s) => s.setup !== undefined && s.start !== undefined);
  console.log(`CPU µs per world, medians of ${rounds} rounds of ${n}:`);
  const cols = ['machine', 'setup', 'start', 'build', 'restore', 'memory copy', 'memory compare'];
  console.log(`  ${'scenario'.padEnd(26)}${cols.map((c) => c.padStart(15)).join('')}`);
  for (const s of split) {
    const r = perWorld(s as Scenario & { setup(): WorldSetup; start(x: WorldSetup): unknown }, n, rounds);
    console.log(`  ${s.name.padEnd(26)}${cols.map((c) => r[c]!.toFixed(2).padStart(15)).join('')}`);
  }
  console.log('Exhaustive searches, snapshots off and on, interleaved:');
  const all = { maxViolations: Infinity, countStates: false, traceViolations: false } as const;
  searchPair('shipped set, sleep sets', SCENARIOS, { ...all, reduction: 'sleep' }, rounds);
  searchPair('shipped set, optimal', SCENARIOS, { ...all, reduction: 'optimal' }, rounds);
  const scale = v['full-scale'] ? {} : { maxSchedules: Number(v.scale ?? 30_000) };
  searchPair(`counter-scale, bound 1${v['full-scale'] ? '' : `, first ${scale.maxSchedules}`}`, [counterScale], { ...all, bound: 1, ...scale }, rounds);
}

main();
