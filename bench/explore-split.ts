/**
 * How the parallel search's work splits, and what --jobs 2 gives:
 *
 *   tsx bench/explore-split.ts [scenario] [--bound K] [--rounds 2]
 *
 * It splits the search as every run does (partition()), explores each task on
 * its own and prints the largest task's share of the CPU time, with what it
 * bounds: two threads taking tasks finish at most half the largest task
 * after an even half of the whole (Graham's bound for list scheduling), and
 * when two threads taking them in the order the parallel search does
 * (takeOrder()) would finish, from the measured task times.
 * Then it runs the whole search with --jobs 1 and --jobs 2, alternating, and
 * prints each run's wall and CPU time (process CPU: all threads) and the
 * wall-time speed-up. A speed-up needs two idle cores: the load average is
 * printed first. Last, what a worker costs before it takes its first task:
 * started from the TypeScript sources through tsx's loader, against started
 * from the bundle of its entry the parallel search uses (workerSource()).
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { exploreTask, partition, searchLimits } from '../src/explore/explorer.js';
import { exploreParallel, takeOrder, workerSource, type SearchMessage } from '../src/explore/parallel.js';
import { workerBootstrapSource } from '../src/threads/bootstrap.js';
import { getScenario } from '../src/explore/scenarios/index.js';

function args(): { name: string; bound: number; rounds: number } {
  const { values: v, positionals } = parseArgs({ options: { bound: { type: 'string' }, rounds: { type: 'string' } }, allowPositionals: true });
  return { name: positionals[0] ?? 'percpu-counter', bound: Number(v.bound ?? 4), rounds: Number(v.rounds ?? 2) };
}

function cpuMs(t0: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

async function main(): Promise<void> {
  const o = args();
  const s = getScenario(o.name);
  const opts = { bound: o.bound, countStates: false, traceViolations: false } as const;
  console.log(`${s.name} at bound ${o.bound}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} CPUs`);
  const lim = searchLimits(s, opts);
  const { tasks } = partition(s, lim, null);
  const times: number[] = [];
  let schedules = 0;
  for (const task of tasks) {
    const t0 = process.cpuUsage();
    schedules += exploreTask(s, task, lim, null).schedules;
    times.push(cpuMs(t0));
  }
  const total = times.reduce((a, b) => a + b, 0);
  const max = Math.max(...times);
  console.log(`split: ${tasks.length} tasks, ${schedules} schedules, ${total.toFixed(0)} ms CPU; the largest task ${max.toFixed(0)} ms = ${(100 * max / total).toFixed(1)} %`);
  console.log(`  two threads, any order: done by ${(50 + 50 * max / total).toFixed(1)} % of the one-thread time at worst (an even half: 50 %)`);
  // The threads take tasks in takeOrder(): each goes to the thread free first.
  const free = [0, 0];
  for (const i of takeOrder(tasks)) {
    const t = free[0]! <= free[1]! ? 0 : 1;
    free[t]! += times[i]!;
  }
  const end = Math.max(...free);
  console.log(`  two threads in the order they take tasks: done at ${(100 * end / total).toFixed(1)} % (at most ${(total / end).toFixed(2)}× faster, before the second thread's start-up)`);
  for (let r = 0; r < o.rounds; r++) {
    const line: string[] = [];
    let wall1 = 0;
    for (const jobs of [1, 2]) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const res = await exploreParallel(s, { ...opts, jobs });
      const wall = performance.now() - t0;
      if (jobs === 1) wall1 = wall;
      line.push(`--jobs ${jobs}: ${res.schedules} schedules in ${(wall / 1000).toFixed(2)} s wall, ${(cpuMs(c0) / 1000).toFixed(2)} s CPU`);
      if (jobs === 2) line.push(`speed-up ${(wall1 / wall).toFixed(2)}×`);
    }
    console.log(`  ${line.join('; ')}`);
  }
  // A worker given no task loads its modules, reports done and exits: its start-up alone.
  const startUp = async (source: string): Promise<number> => {
    const t0 = performance.now();
    const w = new Worker(source, { eval: true });
    const message: SearchMessage = { scenario: s.name, tasks: [], order: [], lim, wantSchedules: false, wantCoverage: false, control: new SharedArrayBuffer(8) };
    w.postMessage(message);
    await new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
    });
    const ms = performance.now() - t0;
    await w.terminate();
    return ms;
  };
  for (let r = 0; r < 3; r++) {
    const tsx = await startUp(workerBootstrapSource(new URL('../src/explore/worker.ts', import.meta.url)));
    const t0 = performance.now();
    const bundled = await workerSource();
    const made = performance.now() - t0;
    console.log(`  a worker's start-up: through tsx ${tsx.toFixed(0)} ms; from the bundle ${(await startUp(bundled)).toFixed(0)} ms (+ ${made.toFixed(0)} ms to find it fresh or make it)`);
  }
}

await main();
