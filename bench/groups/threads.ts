/**
 * The talk's opening claim, on real threads: W worker threads, each one CPU of
 * a shared-memory machine, each perform n increments of
 *   percpu  its own per-CPU u64 through the generated this_cpu_inc_8,
 *   counter one percpu_counter through percpu_counter_inc (per-CPU s32 deltas
 *           folded into the shared count under its lock every batch increments),
 *   atomic  one shared counter with Atomics.add,
 *   mutex   one shared counter under a futex mutex (Atomics.wait/notify),
 * starting together at a barrier. Reported: ns per increment per worker,
 * aggregate throughput and its scaling with W, and every counter's exact final
 * sum (the per-CPU total is per_cpu_sum() over every CPU's copy, read by the
 * main thread).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { DEFINE_PER_CPU } from '../../src/define.js';
import { percpu_counter_destroy, percpu_counter_init, percpu_counter_set, percpu_counter_sum } from '../../src/lib/percpu-counter.js';
import { per_cpu_sum } from '../../src/kernel/smp.js';
import {
  ATOMIC_COUNT, COUNTER_JOBS, COUNTERS, MUTEX_COUNT, PERCPU_COUNTER_JOBS, createCounterBuffer, createSharedMachine,
  describePercpuCounter, startCpuThreads,
} from '../../src/threads/index.js';
import type { BenchGroup, GroupContext, GroupOutput } from '../lib/group.js';
import { coreShare, MIN_CORE_SHARE, roundsWithCores } from '../lib/cores.js';
import { measurement, ratioRow, spreadOf, valueRow, type Measurement, type Row, type ThreadsPoint } from '../lib/report.js';

type Kind = ThreadsPoint['kind'];
const KINDS: readonly Kind[] = ['percpu', 'counter', 'atomic', 'mutex'];
const JOB: Record<Kind, string> = { percpu: 'percpu_inc', counter: 'percpu_counter_incs', atomic: 'atomic_inc', mutex: 'mutex_inc' };
const LABEL: Record<Kind, string> = {
  percpu: 'per-CPU this_cpu_inc_8',
  counter: 'percpu_counter_inc (batched per-CPU deltas)',
  atomic: 'shared Atomics.add',
  mutex: 'shared counter under Atomics.wait/notify mutex',
};
const COUNTER = 'bench_hits';
/** Short warm-up runs per counter kind (each one a barrier round trip, so fewer than the harness's calls). */
const WARM_RUNS = 200;
const WARM_RUN_N = 1000;

interface Cell {
  readonly kind: Kind;
  readonly workers: number;
  readonly n: number;
  /** Per round: mean over workers of (worker ns ÷ n). */
  readonly perWorker: number[];
  /** Per round: slowest worker's ns ÷ (W·n) — the inverse of aggregate throughput. */
  readonly aggregate: number[];
  /** Per round: the share of its W cores the process had during the run (coreShare). */
  readonly share: number[];
  sum: bigint;
  exact: boolean;
}

/** Idle and total jiffies of all CPUs from /proc/stat, or null where there is none. */
function cpuTimes(): { idle: number; total: number } | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3] + (f[4] || 0), total: f.reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

/**
 * How many cores sat idle over a short window: the threads benchmark needs W
 * idle cores, or its workers share cores with other work (time-sliced workers
 * look like slow per-CPU increments and cheap, uncontended atomics).
 */
function idleCores(cores: number, ms = 300): number | null {
  const a = cpuTimes();
  if (a === null) return null;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const b = cpuTimes();
  if (b === null || b.total === a.total) return null;
  return ((b.idle - a.idle) / (b.total - a.total)) * cores;
}

export function workerCounts(cores: number): number[] {
  return [...new Set([1, 2, Math.max(1, cores)])].sort((a, b) => a - b);
}

const group: BenchGroup = {
  async run(ctx: GroupContext): Promise<GroupOutput> {
    const cores = availableParallelism();
    const idleBefore = idleCores(cores);
    const counts = workerCounts(cores);
    const maxW = counts[counts.length - 1];
    // Two workers each do `base` increments; beyond two the per-worker count shrinks so a contended mutex run stays short.
    const base = ctx.size(5_000_000, 20_000);
    const nFor = (w: number): number => (w <= 2 ? base : Math.max(1, Math.floor((2 * base) / w)));

    const m = createSharedMachine({ cpus: maxW });
    const hits = DEFINE_PER_CPU(m, 'u64', COUNTER);
    m.boot();
    const counters = createCounterBuffer();
    const words = new Int32Array(counters);
    const fbc = percpu_counter_init(m, 0);
    const counter = describePercpuCounter(fbc);
    const threads = await startCpuThreads(m, {
      jobs: [COUNTER_JOBS, PERCPU_COUNTER_JOBS],
      shared: { [COUNTERS]: counters },
    });
    const cells = new Map<string, Cell>();
    for (const w of counts) for (const kind of KINDS) {
      cells.set(`${kind}@${w}`, { kind, workers: w, n: nFor(w), perWorker: [], aggregate: [], share: [], sum: 0n, exact: true });
    }
    try {
      // Many short runs first, so each job is optimised with full type feedback (see bench/lib/harness.ts).
      if (ctx.warmup > 0) {
        for (let c = 0; c < WARM_RUNS; c++) {
          for (const kind of KINDS) await threads.run(JOB[kind], { n: WARM_RUN_N, ptr: COUNTER, counter });
        }
      }
      for (let round = -ctx.warmup; round < ctx.rounds; round++) {
        for (const w of counts) {
          const cpus = Array.from({ length: w }, (_, i) => i);
          for (const kind of KINDS) {
            const cell = cells.get(`${kind}@${w}`)!;
            const n = cell.n;
            await threads.run('percpu_reset', { ptr: COUNTER });
            Atomics.store(words, ATOMIC_COUNT, 0);
            Atomics.store(words, MUTEX_COUNT, 0);
            percpu_counter_set(fbc, 0);
            const { value: res, share } = await coreShare(w, () => threads.run<number | bigint>(JOB[kind], { n, ptr: COUNTER, counter }, { cpus }));
            const sum = kind === 'percpu' ? per_cpu_sum(m, hits)
              : kind === 'counter' ? BigInt(percpu_counter_sum(fbc))
                : BigInt(Atomics.load(words, kind === 'atomic' ? ATOMIC_COUNT : MUTEX_COUNT));
            cell.sum = sum;
            if (sum !== BigInt(w) * BigInt(n)) cell.exact = false;
            if (kind === 'percpu' && res.some((r) => r.value !== BigInt(n))) cell.exact = false;
            if (round < 0) continue;
            const ns = res.map((r) => r.ns);
            cell.perWorker.push(ns.reduce((a, b) => a + b, 0) / w / n);
            cell.aggregate.push(Math.max(...ns) / (w * n));
            cell.share.push(share);
          }
        }
      }
    } finally {
      await threads.close();
      percpu_counter_destroy(fbc);
    }

    const rows: Row[] = [];
    const points: ThreadsPoint[] = [];
    const get = (kind: Kind, w: number): Cell | undefined => cells.get(`${kind}@${w}`);
    /**
     * Whether the workers had cores of their own in round i at W workers, as
     * witnessed by the two kinds that never sleep (the per-CPU and the
     * Atomics.add runs of that round: coreShare ≥ MIN_CORE_SHARE). The
     * counter's and the mutex's own shares are not used: a lock that sleeps
     * would then hide its own cost. Not checked when W exceeds the cores.
     */
    const freeAt = new Map([...new Set([...cells.values()].map((c) => c.workers))].map((w) => [w, new Set(roundsWithCores([get('percpu', w)!.share, get('atomic', w)!.share]))]));
    const free = (w: number, i: number): boolean => w > cores || freeAt.get(w)!.has(i);
    /** A ratio of two cells over the rounds free at both cells' W; over every round when fewer than half were (the note says which). */
    const paired = (num: Cell, den: Cell, field: 'perWorker' | 'aggregate', name: [string, string]): { num: Measurement; den: Measurement; note: string } => {
      const all = num[field].map((_, i) => i);
      const kept = all.filter((i) => free(num.workers, i) && free(den.workers, i));
      const use = kept.length * 2 >= all.length ? kept : all;
      const note = use === all && kept.length < all.length
        ? `loaded: only ${kept.length} of ${all.length} rounds had the workers on cores of their own; all rounds used`
        : `${use.length} of ${all.length} rounds: those where the workers had cores of their own (per-CPU and Atomics.add runs of the round: CPU time ≥ ${MIN_CORE_SHARE} × wall × workers)`;
      return { num: measurement(name[0], use.map((i) => num[field][i])), den: measurement(name[1], use.map((i) => den[field][i])), note };
    };
    for (const c of cells.values()) {
      const expected = BigInt(c.workers) * BigInt(c.n);
      points.push({
        kind: c.kind, workers: c.workers, n: c.n,
        nsPerIncPerWorker: spreadOf(c.perWorker),
        throughput: spreadOf(c.aggregate.map((x) => 1e9 / x)),
        finalSum: c.sum.toString(), expectedSum: expected.toString(), exact: c.exact && c.sum === expected,
      });
      rows.push(valueRow({
        id: `threads.${c.kind}.w${c.workers}`, group: 'threads',
        title: `${LABEL[c.kind]}, ${c.workers} worker${c.workers > 1 ? 's' : ''}: ns per increment per worker`,
        formula: 'mean over workers of (worker time ÷ n)', unit: 'ns', samples: c.perWorker, target: null,
        note: `n = ${c.n} per worker; aggregate ${(1e3 / spreadOf(c.aggregate).median).toFixed(1)} M increments/s`,
        measurements: [measurement(`${c.kind} per worker`, c.perWorker), measurement(`${c.kind} aggregate`, c.aggregate)],
      }));
      rows.push(valueRow({
        id: `threads.${c.kind}.w${c.workers}.sum`, group: 'threads',
        title: `${LABEL[c.kind]}, ${c.workers} worker${c.workers > 1 ? 's' : ''}: final sum (every round exact)`,
        formula: 'final counter total', unit: 'increments', samples: [Number(c.sum)],
        target: { op: '==', value: Number(expected) },
        note: c.exact ? `exactly ${expected} in every round` : `NOT EXACT: last round ${c.sum}, expected ${expected}`,
      }));
    }
    for (const w of counts.filter((x) => x >= 2)) {
      const p = get('percpu', w)!;
      const a = get('atomic', w)!;
      const x = get('mutex', w)!;
      const pa = paired(a, p, 'perWorker', [`Atomics.add (${w} workers)`, `per-CPU this_cpu_inc_8 (${w} workers)`]);
      rows.push(ratioRow({
        id: `threads.percpu_vs_atomic.w${w}`, group: 'threads', title: `per-CPU vs contended Atomics.add at ${w} workers (times faster)`,
        num: pa.num, den: pa.den, target: w === 2 ? { op: '>=', value: 20 } : null, note: pa.note,
      }));
      const px = paired(x, p, 'perWorker', [`mutex (${w} workers)`, `per-CPU this_cpu_inc_8 (${w} workers)`]);
      rows.push(ratioRow({
        id: `threads.percpu_vs_mutex.w${w}`, group: 'threads', title: `per-CPU vs mutex-protected counter at ${w} workers (times faster)`,
        num: px.num, den: px.den, target: null, note: px.note,
      }));
      const pc = paired(a, get('counter', w)!, 'perWorker', [`Atomics.add (${w} workers)`, `percpu_counter_inc (${w} workers)`]);
      rows.push(ratioRow({
        id: `threads.counter_vs_atomic.w${w}`, group: 'threads', title: `percpu_counter_inc vs contended Atomics.add at ${w} workers (times faster)`,
        num: pc.num, den: pc.den, target: w === 2 ? { op: '>=', value: 4 } : null,
        note: `percpu_counter_inc: the try_cmpxchg turn on this CPU's delta, the shared lock and count once per batch; ${pc.note}`,
      }));
    }
    for (const kind of KINDS) for (const w of counts.filter((x) => x >= 2)) {
      const sc = paired(get(kind, 1)!, get(kind, w)!, 'aggregate', [`${kind} 1 worker aggregate`, `${kind} ${w} workers aggregate`]);
      rows.push(ratioRow({
        id: `threads.scaling.${kind}.w${w}`, group: 'threads',
        title: `${LABEL[kind]}: aggregate throughput, ${w} workers ÷ 1 worker`,
        num: sc.num, den: sc.den,
        target: w !== 2 ? null : kind === 'percpu' ? { op: '>=', value: 1.7 } : kind === 'counter' ? { op: '>=', value: 1.8 } : null,
        note: w > cores ? `only ${cores} core(s): ${w} workers share them` : sc.note,
      }));
    }
    const idleAfter = idleCores(cores);
    const idle = idleBefore === null || idleAfter === null ? 'idle cores unknown (no /proc/stat)'
      : `idle cores before/after the group: ${idleBefore.toFixed(1)}/${idleAfter.toFixed(1)} of ${cores}`;
    return { rows, threads: points, note: `${cores} cores; ${idle}; worker counts ${counts.join(', ')}` };
  },
};
export default group;
