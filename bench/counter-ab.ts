/**
 * percpu_counter of an earlier revision against today's, side by side in one
 * process:
 *
 *   tsx bench/counter-ab.ts --base <git revision> [--n 2000000] [--rounds 7] [--threads]
 *
 * It takes src/, generated/ and c/ of the base revision out of git into
 * .ab-base/counter/ (deleted afterwards) and imports that runtime next to the
 * working tree's; each side builds its own shared-memory machine and counter.
 * Old and new run interleaved round by round with the order alternating, and
 * every loop's exact sum is checked.
 *
 * One thread (CPU time of the process, process.cpuUsage: on a loaded machine
 * the time a process waits for a core is most of the noise): percpu_counter_inc
 * (a fold every 32nd call), percpu_counter_add_batch(fbc, 1, 1) (a fold every
 * call) and this_cpu_inc_8. With --threads, also the threads group's three jobs
 * on each side's worker threads at 1 and 2 workers (wall time per worker, as
 * `make bench` measures them), and its two ratios per side:
 * counter_vs_atomic.w2 and scaling.counter.w2.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as NOps from '../generated/x86_64/percpu.js';
import * as NDefine from '../src/define.js';
import * as NLib from '../src/lib/percpu-counter.js';
import * as NThreads from '../src/threads/index.js';
import type { Machine } from '../src/machine.js';
import type { PerCpuPtr } from '../src/percpu-ptr.js';
import { abArgs, checkoutBase, cpuTime, interleaved, removeBase, sideOrder, spread } from './lib/ab.js';
import { coreShare, MIN_CORE_SHARE, roundsWithCores } from './lib/cores.js';
import { median } from './lib/report.js';

interface Modules {
  readonly ops: typeof NOps;
  readonly define: typeof NDefine;
  readonly lib: typeof NLib;
  readonly threads: typeof NThreads;
}

interface Side {
  readonly x: Modules;
  readonly m: Machine;
  readonly hits: PerCpuPtr<'u64'>;
  readonly fbc: NLib.PercpuCounter;
  readonly pool: NThreads.CpuThreads | null;
  readonly counter: NThreads.PercpuCounterDescriptor;
  readonly loops: Loops;
}

/** One loop literal per op and side (oldLoops, newLoops: the same text on purpose), so V8 keeps separate type feedback for each revision's functions. */
interface Loops {
  inc(s: Side, n: number): number;
  fold(s: Side, n: number): number;
  percpu(s: Side, n: number): number;
}

/** Increments per worker in a threads run, as the threads group does them. */
const THREAD_N = 5_000_000;
const JOBS = { counter: 'percpu_counter_incs', atomic: 'atomic_inc', percpu: 'percpu_inc' } as const;

async function baseModules(rev: string): Promise<Modules> {
  const dir = checkoutBase(rev, 'counter', ['src', 'generated', 'c']);
  const at = (f: string): string => pathToFileURL(join(dir, f)).href;
  return {
    ops: (await import(at('generated/x86_64/percpu.ts'))) as typeof NOps,
    define: (await import(at('src/define.ts'))) as typeof NDefine,
    lib: (await import(at('src/lib/percpu-counter.ts'))) as typeof NLib,
    threads: (await import(at('src/threads/index.ts'))) as typeof NThreads,
  };
}

const oldLoops: Loops = {
  inc(s, n) {
    const lib = s.x.lib;
    const fbc = s.fbc;
    lib.percpu_counter_set(fbc, 0);
    for (let i = 0; i < n; i++) lib.percpu_counter_inc(fbc);
    return lib.percpu_counter_sum(fbc);
  },
  fold(s, n) {
    const lib = s.x.lib;
    const fbc = s.fbc;
    lib.percpu_counter_set(fbc, 0);
    for (let i = 0; i < n; i++) lib.percpu_counter_add_batch(fbc, 1, 1);
    return lib.percpu_counter_sum(fbc);
  },
  percpu(s, n) {
    const ops = s.x.ops;
    const m = s.m;
    const hits = s.hits;
    ops.this_cpu_write_8(m, hits, 0n);
    for (let i = 0; i < n; i++) ops.this_cpu_inc_8(m, hits);
    return Number(ops.this_cpu_read_8(m, hits));
  },
};

const newLoops: Loops = {
  inc(s, n) {
    const lib = s.x.lib;
    const fbc = s.fbc;
    lib.percpu_counter_set(fbc, 0);
    for (let i = 0; i < n; i++) lib.percpu_counter_inc(fbc);
    return lib.percpu_counter_sum(fbc);
  },
  fold(s, n) {
    const lib = s.x.lib;
    const fbc = s.fbc;
    lib.percpu_counter_set(fbc, 0);
    for (let i = 0; i < n; i++) lib.percpu_counter_add_batch(fbc, 1, 1);
    return lib.percpu_counter_sum(fbc);
  },
  percpu(s, n) {
    const ops = s.x.ops;
    const m = s.m;
    const hits = s.hits;
    ops.this_cpu_write_8(m, hits, 0n);
    for (let i = 0; i < n; i++) ops.this_cpu_inc_8(m, hits);
    return Number(ops.this_cpu_read_8(m, hits));
  },
};

async function side(x: Modules, loops: Loops, threads: boolean): Promise<Side> {
  const m = x.threads.createSharedMachine({ cpus: 2 });
  const hits = x.define.DEFINE_PER_CPU(m, 'u64', 'hits');
  m.boot();
  m.loadCpu(0);
  const fbc = x.lib.percpu_counter_init(m);
  const pool = threads
    ? await x.threads.startCpuThreads(m, { jobs: [x.threads.PERCPU_COUNTER_JOBS, x.threads.COUNTER_JOBS], shared: { [x.threads.COUNTERS]: x.threads.createCounterBuffer() } })
    : null;
  return { x, m, hits, fbc, pool, counter: x.threads.describePercpuCounter(fbc), loops };
}

function cpuNs(f: () => number, expect: number): number {
  const t = cpuTime(f);
  if (t.value !== expect) throw new Error(`a loop summed ${t.value}, expected ${expect}`);
  return t.ns;
}

/**
 * One threads-group job on `workers` workers of one side: mean ns per
 * increment per worker, the slowest worker's ns ÷ (W·n), and the share of
 * the W cores the process had meanwhile (coreShare).
 */
async function threadRun(s: Side, job: keyof typeof JOBS, workers: number): Promise<{ perWorker: number; aggregate: number; share: number }> {
  s.x.lib.percpu_counter_set(s.fbc, 0);
  await s.pool!.run('percpu_reset', { ptr: 'hits' });
  const { value: res, share } = await coreShare(workers, () => s.pool!.run<number | bigint>(JOBS[job], { n: THREAD_N, ptr: 'hits', counter: s.counter }, { cpus: workers === 1 ? [0] : [0, 1] }));
  if (job === 'counter' && s.x.lib.percpu_counter_sum(s.fbc) !== workers * THREAD_N) throw new Error('percpu_counter_incs: the sum is not exact');
  if (job === 'percpu' && res.some((r) => r.value !== BigInt(THREAD_N))) throw new Error('percpu_inc: a CPU\'s copy is not exact');
  const ns = res.map((r) => r.ns);
  return { perWorker: ns.reduce((a, b) => a + b, 0) / workers / THREAD_N, aggregate: Math.max(...ns) / (workers * THREAD_N), share };
}

function line(name: string, old: readonly number[], now: readonly number[], unit: string): void {
  const ratio = now.map((v, i) => v / old[i]);
  console.log(`${name.padEnd(44)} old ${median(old).toFixed(2).padStart(6)} ${unit}  new ${median(now).toFixed(2).padStart(6)} ${unit}  new/old ${spread(ratio)}`);
}

async function main(): Promise<void> {
  const o = abArgs('bench/counter-ab.ts', { n: { value: 2_000_000, min: 1000 }, rounds: { value: 7, min: 3 } }, ['--threads']);
  const threads = o.flags.has('--threads');
  const sides: Side[] = [];
  try {
    const base = await baseModules(o.base);
    sides.push(await side(base, oldLoops, threads), await side({ ops: NOps, define: NDefine, lib: NLib, threads: NThreads }, newLoops, threads));
    console.log(`percpu_counter of ${o.base} (old) against the working tree (new), ${o.rounds} rounds interleaved, load average ${(await import('node:os')).loadavg()[0].toFixed(1)}`);
    // Short calls first, so every loop is optimised with feedback for its fold too.
    for (let i = 0; i < 300; i++) for (const s of sides) for (const k of ['inc', 'fold', 'percpu'] as const) s.loops[k](s, 200);
    const single = {} as Record<keyof Loops, [number[], number[]]>;
    for (const k of ['inc', 'fold', 'percpu'] as const) single[k] = interleaved(o.rounds, (j) => cpuNs(() => sides[j].loops[k](sides[j], o.n), o.n) / o.n);
    console.log(`one thread, CPU time, ${o.n} calls a round:`);
    line('percpu_counter_inc', single.inc[0], single.inc[1], 'ns');
    line('percpu_counter_add_batch(fbc, 1, 1)', single.fold[0], single.fold[1], 'ns');
    line('this_cpu_inc_8', single.percpu[0], single.percpu[1], 'ns');
    line('counter.inc (inc ÷ this_cpu_inc_8)', single.inc[0].map((v, i) => v / single.percpu[0][i]), single.inc[1].map((v, i) => v / single.percpu[1][i]), 'x ');
    if (!threads) return;
    type Run = { perWorker: number; aggregate: number; share: number };
    const cells = new Map<string, [Run[], Run[]]>();
    // A round of every job on each side first, unrecorded: the jobs' first runs include their optimisation.
    for (const s of sides) for (const w of [1, 2]) for (const job of Object.keys(JOBS) as (keyof typeof JOBS)[]) await threadRun(s, job, w);
    // Round by round, every job in each round, so the ratios divide runs made moments apart.
    for (const w of [1, 2]) for (const job of Object.keys(JOBS) as (keyof typeof JOBS)[]) cells.set(`${job}.w${w}`, [[], []]);
    for (let r = 0; r < o.rounds; r++) {
      for (const w of [1, 2]) for (const job of Object.keys(JOBS) as (keyof typeof JOBS)[]) {
        for (const j of sideOrder(r)) cells.get(`${job}.w${w}`)![j].push(await threadRun(sides[j], job, w));
      }
    }
    console.log(`threads, wall time per worker, ${THREAD_N} increments per worker:`);
    for (const [key, [co, cn]] of cells) line(`threads.${key} (ns per worker)`, co.map((r) => r.perWorker), cn.map((r) => r.perWorker), 'ns');
    // A ratio counts in the rounds where all four runs behind it (both sides) had their cores.
    const ratio = (name: string, num: string, den: string, field: 'perWorker' | 'aggregate'): void => {
      // Witnessed by the runs that never sleep (per-CPU, Atomics.add) at each W involved, on both sides: a lock that sleeps must not hide its own cost.
      const ws = [...new Set([num, den].map((k) => k.slice(k.indexOf('.w'))))];
      const rounds = roundsWithCores(ws.flatMap((w) => ['percpu', 'atomic'].flatMap((k) => cells.get(`${k}${w}`)!.map((side) => side.map((r) => r.share)))));
      const of = (j: 0 | 1): number[] => rounds.map((i) => cells.get(num)![j][i][field] / cells.get(den)![j][i][field]);
      if (rounds.length === 0) console.log(`${name.padEnd(34)} no round had both cores free (core share ≥ ${MIN_CORE_SHARE})`);
      else line(`${name} (${rounds.length}/${o.rounds} rounds)`, of(0), of(1), 'x ');
    };
    console.log(`core share of the runs (CPU time ÷ wall × workers), median (min–max) old / new: ${[...cells].map(([k, [a, b]]) => `${k} ${spread(a.map((r) => r.share))} / ${spread(b.map((r) => r.share))}`).join('; ')}`);
    ratio('threads.counter_vs_atomic.w2', 'atomic.w2', 'counter.w2', 'perWorker');
    ratio('threads.scaling.counter.w2', 'counter.w1', 'counter.w2', 'aggregate');
    ratio('threads.scaling.percpu.w2 (the ceiling)', 'percpu.w1', 'percpu.w2', 'aggregate');
  } finally {
    for (const s of sides) await s.pool?.close();
    removeBase();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
