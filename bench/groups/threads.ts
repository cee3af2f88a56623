/**
 * The talk's opening claim, on real threads: W worker threads, each one CPU of
 * a shared-memory machine, each perform n increments of
 *   percpu  its own per-CPU u64 through the generated this_cpu_inc_8,
 *   atomic  one shared counter with Atomics.add,
 *   mutex   one shared counter under a futex mutex (Atomics.wait/notify),
 * starting together at a barrier. Reported: ns per increment per worker,
 * aggregate throughput and its scaling with W, and every counter's exact final
 * sum (the per-CPU total is per_cpu_sum() over every CPU's copy, read by the
 * main thread).
 */
import { availableParallelism } from 'node:os';
import { DEFINE_KINDS } from '../../src/linker.js';
import type { PerCpuPtr } from '../../src/percpu-ptr.js';
import { per_cpu_sum } from '../../src/smp.js';
import { MODULE_EXT } from '../../src/threads/bootstrap.js';
import { ATOMIC_COUNT, COUNTERS, MUTEX_COUNT, createCounterBuffer } from '../../src/threads/counters.js';
import { createSharedMachine, startCpuThreads } from '../../src/threads/index.js';
import type { BenchGroup, GroupContext, GroupOutput } from '../lib/group.js';
import { measurement, ratioRow, spreadOf, valueRow, type Row, type ThreadsPoint } from '../lib/report.js';

type Kind = ThreadsPoint['kind'];
const KINDS: readonly Kind[] = ['percpu', 'atomic', 'mutex'];
const JOB: Record<Kind, string> = { percpu: 'percpu_inc', atomic: 'atomic_inc', mutex: 'mutex_inc' };
const LABEL: Record<Kind, string> = {
  percpu: 'per-CPU this_cpu_inc_8',
  atomic: 'shared Atomics.add',
  mutex: 'shared counter under Atomics.wait/notify mutex',
};
const COUNTER = 'bench_hits';

interface Cell {
  readonly kind: Kind;
  readonly workers: number;
  readonly n: number;
  /** Per round: mean over workers of (worker ns ÷ n). */
  readonly perWorker: number[];
  /** Per round: slowest worker's ns ÷ (W·n) — the inverse of aggregate throughput. */
  readonly aggregate: number[];
  sum: bigint;
  exact: boolean;
}

export function workerCounts(cores: number): number[] {
  return [...new Set([1, 2, Math.max(1, cores)])].sort((a, b) => a - b);
}

const group: BenchGroup = {
  async run(ctx: GroupContext): Promise<GroupOutput> {
    const cores = availableParallelism();
    const counts = workerCounts(cores);
    const maxW = counts[counts.length - 1];
    // Two workers each do `base` increments; beyond two the per-worker count shrinks so a contended mutex run stays short.
    const base = ctx.size(5_000_000, 20_000);
    const nFor = (w: number): number => (w <= 2 ? base : Math.max(1, Math.floor((2 * base) / w)));

    const m = createSharedMachine({ cpus: maxW });
    const hits = m.linker.define(DEFINE_KINDS.DEFINE_PER_CPU, 'u64', COUNTER, undefined).ptr as PerCpuPtr<'u64'>;
    m.boot();
    const counters = createCounterBuffer();
    const words = new Int32Array(counters);
    const threads = await startCpuThreads(m, {
      jobs: new URL(`../../src/threads/counters${MODULE_EXT}`, import.meta.url),
      shared: { [COUNTERS]: counters },
    });
    const cells = new Map<string, Cell>();
    for (const w of counts) for (const kind of KINDS) {
      cells.set(`${kind}@${w}`, { kind, workers: w, n: nFor(w), perWorker: [], aggregate: [], sum: 0n, exact: true });
    }
    try {
      for (let round = -ctx.warmup; round < ctx.rounds; round++) {
        for (const w of counts) {
          const cpus = Array.from({ length: w }, (_, i) => i);
          for (const kind of KINDS) {
            const cell = cells.get(`${kind}@${w}`)!;
            const n = cell.n;
            await threads.run('percpu_reset', { ptr: COUNTER });
            Atomics.store(words, ATOMIC_COUNT, 0);
            Atomics.store(words, MUTEX_COUNT, 0);
            const res = await threads.run<number | bigint>(JOB[kind], { n, ptr: COUNTER }, { cpus });
            const sum = kind === 'percpu' ? per_cpu_sum(m, hits)
              : BigInt(Atomics.load(words, kind === 'atomic' ? ATOMIC_COUNT : MUTEX_COUNT));
            cell.sum = sum;
            if (sum !== BigInt(w) * BigInt(n)) cell.exact = false;
            if (kind === 'percpu' && res.some((r) => r.value !== BigInt(n))) cell.exact = false;
            if (round < 0) continue;
            const ns = res.map((r) => r.ns);
            cell.perWorker.push(ns.reduce((a, b) => a + b, 0) / w / n);
            cell.aggregate.push(Math.max(...ns) / (w * n));
          }
        }
      }
    } finally {
      await threads.close();
    }

    const rows: Row[] = [];
    const points: ThreadsPoint[] = [];
    const get = (kind: Kind, w: number): Cell | undefined => cells.get(`${kind}@${w}`);
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
      const mp = measurement(`per-CPU this_cpu_inc_8 (${w} workers)`, p.perWorker);
      rows.push(ratioRow({
        id: `threads.percpu_vs_atomic.w${w}`, group: 'threads', title: `per-CPU vs contended Atomics.add at ${w} workers (times faster)`,
        num: measurement(`Atomics.add (${w} workers)`, a.perWorker), den: mp, target: w === 2 ? { op: '>=', value: 20 } : null,
      }));
      rows.push(ratioRow({
        id: `threads.percpu_vs_mutex.w${w}`, group: 'threads', title: `per-CPU vs mutex-protected counter at ${w} workers (times faster)`,
        num: measurement(`mutex (${w} workers)`, x.perWorker), den: mp, target: null,
      }));
    }
    for (const kind of KINDS) for (const w of counts.filter((x) => x >= 2)) {
      const one = get(kind, 1)!;
      const many = get(kind, w)!;
      rows.push(ratioRow({
        id: `threads.scaling.${kind}.w${w}`, group: 'threads',
        title: `${LABEL[kind]}: aggregate throughput, ${w} workers ÷ 1 worker`,
        num: measurement(`${kind} 1 worker aggregate`, one.aggregate), den: measurement(`${kind} ${w} workers aggregate`, many.aggregate),
        target: kind === 'percpu' && w === 2 ? { op: '>=', value: 1.7 } : null,
        note: w > cores ? `only ${cores} core(s): ${w} workers share them` : undefined,
      }));
    }
    return { rows, threads: points, note: `${cores} cores; worker counts ${counts.join(', ')}` };
  },
};
export default group;
