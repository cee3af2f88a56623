/**
 * How much of percpu_counter's two-worker cost is the fold, shown by moving
 * the batch in this experiment only (the product keeps the kernel's
 * percpu_counter_batch, max(32, 2 × online CPUs)):
 *
 *   tsx bench/counter-batch.ts [--rounds 7] [--n 5000000] [--batches 32,256,4096,1048576]
 *
 * On worker threads of one shared-memory machine, as the threads group runs
 * them (wall time per worker, rounds interleaved, every sum checked exact):
 * the group's percpu_counter_inc loop; the same with the odd CPU started half
 * a batch ahead (`staggered`: its folds fall between the other CPU's, where
 * the group's runs, both CPUs starting at delta 0 from one barrier, fold in
 * step and meet at the lock); percpu_counter_add_batch(fbc, 1, B) for each
 * batch B; this_cpu_inc_8 (the per-CPU ceiling: nothing shared) and the
 * contended Atomics.add; at 1 and 2 workers. Printed per kind: ns per
 * increment per worker, the aggregate scaling 2 workers ÷ 1
 * (threads.scaling.counter.w2's formula) and the ratio to Atomics.add
 * (threads.counter_vs_atomic.w2's), each over the rounds where the workers
 * had cores of their own, as the round's per-CPU and Atomics.add runs (which
 * never sleep) witness (bench/lib/cores.ts coreShare). A fold every B
 * increments moves the lock's and count's cacheline between the cores; as B
 * grows the folds vanish and the counter's scaling meets the per-CPU ceiling.
 */
import { loadavg } from 'node:os';
import { DEFINE_PER_CPU } from '../src/define.js';
import { percpu_counter_batch, percpu_counter_init, percpu_counter_set, percpu_counter_sum } from '../src/lib/percpu-counter.js';
import {
  ATOMIC_COUNT, COUNTER_JOBS, COUNTERS, PERCPU_COUNTER_JOBS, createCounterBuffer, createSharedMachine, describePercpuCounter, startCpuThreads,
} from '../src/threads/index.js';
import { spread } from './lib/ab.js';
import { coreShare, roundsWithCores } from './lib/cores.js';
import { median } from './lib/report.js';

function args(): { rounds: number; n: number; batches: number[] } {
  const a = process.argv.slice(2);
  const o = { rounds: 7, n: 5_000_000, batches: [32, 256, 4096, 1 << 20] };
  for (let i = 0; i < a.length; i += 2) {
    const v = a[i + 1];
    if (v === undefined) throw new Error(`${a[i]} needs a value`);
    if (a[i] === '--rounds') o.rounds = Number(v);
    else if (a[i] === '--n') o.n = Number(v);
    else if (a[i] === '--batches') o.batches = v.split(',').map(Number);
    else throw new Error(`unknown option ${a[i]} (options: --rounds R, --n N, --batches B,B,...)`);
  }
  if (!Number.isInteger(o.rounds) || o.rounds < 3 || !Number.isInteger(o.n) || o.n < 1000) throw new Error('--rounds takes an integer ≥ 3, --n ≥ 1000');
  for (const b of o.batches) if (!Number.isInteger(b) || b < 1 || b > 0x7fffffff) throw new Error(`--batches: ${b} is not a batch (1 to 2^31 - 1)`);
  return o;
}

async function main(): Promise<void> {
  const o = args();
  const m = createSharedMachine({ cpus: 2 });
  DEFINE_PER_CPU(m, 'u64', 'hits');
  m.boot();
  const fbc = percpu_counter_init(m, 0);
  const counter = describePercpuCounter(fbc);
  const words = createCounterBuffer();
  const threads = await startCpuThreads(m, {
    jobs: [COUNTER_JOBS, PERCPU_COUNTER_JOBS, new URL('./counter-batch-jobs.ts', import.meta.url)],
    shared: { [COUNTERS]: words },
  });
  const atomic = new Int32Array(words);
  type Kind = `batch ${number}` | 'staggered' | 'inc' | 'percpu' | 'atomic';
  const kinds: Kind[] = ['inc', 'staggered', ...o.batches.map((b) => `batch ${b}` as Kind), 'percpu', 'atomic'];
  const cells = new Map<string, { perWorker: number[]; aggregate: number[]; share: number[] }>();
  const run = async (kind: Kind, w: number): Promise<{ perWorker: number; aggregate: number; share: number }> => {
    percpu_counter_set(fbc, 0);
    Atomics.store(atomic, ATOMIC_COUNT, 0);
    await threads.run('percpu_reset', { ptr: 'hits' });
    const cpus = w === 1 ? [0] : [0, 1];
    const job = { percpu: 'percpu_inc', atomic: 'atomic_inc', inc: 'percpu_counter_incs', staggered: 'percpu_counter_incs_staggered' }[kind as string] ?? 'percpu_counter_batch_incs';
    const batch = kind.startsWith('batch') ? Number(kind.slice(6)) : percpu_counter_batch(m);
    const { value: res, share } = await coreShare(w, () => threads.run<number | bigint>(job, { n: o.n, ptr: 'hits', counter, batch }, { cpus }));
    const want = w * o.n;
    const got = kind === 'atomic' ? Atomics.load(atomic, ATOMIC_COUNT) : kind === 'percpu' ? res.reduce((s, r) => s + Number(r.value), 0) : percpu_counter_sum(fbc);
    if (got !== want) throw new Error(`${kind}, ${w} worker(s): the sum is ${got}, expected ${want}`);
    const ns = res.map((r) => r.ns);
    return { perWorker: ns.reduce((a, b) => a + b, 0) / w / o.n, aggregate: Math.max(...ns) / (w * o.n), share };
  };
  try {
    console.log(`percpu_counter_add_batch(fbc, 1, B) on 2 worker threads, ${o.n} increments per worker, ${o.rounds} rounds; load average ${loadavg()[0].toFixed(1)}`);
    for (const kind of kinds) for (const w of [1, 2]) await run(kind, w); // each job optimised before the rounds
    for (let r = 0; r < o.rounds; r++) {
      for (const kind of r % 2 === 0 ? kinds : [...kinds].reverse()) for (const w of [1, 2]) {
        const t = await run(kind, w);
        const key = `${kind}@${w}`;
        if (!cells.has(key)) cells.set(key, { perWorker: [], aggregate: [], share: [] });
        cells.get(key)!.perWorker.push(t.perWorker);
        cells.get(key)!.aggregate.push(t.aggregate);
        cells.get(key)!.share.push(t.share);
      }
    }
    // A ratio counts only in the rounds where both runs behind it had their cores (coreShare ≥ MIN_CORE_SHARE).
    const atomic2 = cells.get('atomic@2')!;
    // Witnessed by the runs that never sleep (per-CPU, Atomics.add) at 1 and 2 workers: a lock that sleeps must not hide its own cost.
    const rounds = roundsWithCores(['percpu@1', 'percpu@2', 'atomic@1', 'atomic@2'].map((k) => cells.get(k)!.share));
    const show = (x: number[], n: number): string => (x.length === 0 ? 'no round with both cores free' : `${spread(x)} [${x.length}/${n}]`);
    for (const kind of kinds) {
      const one = cells.get(`${kind}@1`)!;
      const two = cells.get(`${kind}@2`)!;
      const scaling = rounds.map((i) => one.aggregate[i] / two.aggregate[i]);
      const vsAtomic = rounds.map((i) => atomic2.perWorker[i] / two.perWorker[i]);
      console.log(`${kind.padEnd(14)} w1 ${median(one.perWorker).toFixed(2).padStart(6)} ns  w2 ${median(two.perWorker).toFixed(2).padStart(6)} ns  core share w2 ${spread(two.share)}  scaling w2 ${show(scaling, o.rounds)}  vs Atomics.add w2 ${show(vsAtomic, o.rounds)}`);
    }
    console.log(`load average afterwards ${loadavg()[0].toFixed(1)}`);
  } finally {
    await threads.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
