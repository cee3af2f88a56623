/**
 * The dynamic allocator's speed: alloc_percpu()+free_percpu() pairs per
 * second, back to back and in a random workload (mixed sizes and alignments
 * with up to LIVE allocations outstanding). Every run ends with everything
 * freed and the allocator's own consistency check clean.
 */
import { __alloc_percpu, alloc_percpu, free_percpu, pcpu_check_consistency } from '../../src/mm/percpu-alloc.js';
import { Machine } from '../../src/machine.js';
import type { PerCpuPtr } from '../../src/percpu-ptr.js';
import { BenchCheckError } from '../lib/harness.js';
import type { BenchGroup, GroupContext, GroupOutput } from '../lib/group.js';
import { compare } from '../lib/harness.js';
import { valueRow } from '../lib/report.js';

const LIVE = 256;

/** xorshift32: a fixed seed makes every round allocate the same sequence. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

function pairs(m: Machine, n: number): number {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const p = alloc_percpu(m, 'u64');
    if (p === null) throw new BenchCheckError('alloc_percpu(u64) failed');
    free_percpu(m, p);
    ok++;
  }
  return ok;
}

/** n allocations and n frees in random order; returns the pairs completed. */
function workload(m: Machine, n: number): number {
  const next = rng(0x9e3779b9);
  const live: PerCpuPtr<unknown>[] = [];
  let allocs = 0;
  let frees = 0;
  while (frees < n) {
    const r = next();
    if (allocs < n && (live.length === 0 || (live.length < LIVE && (r & 1) === 0))) {
      const size = 4 << ((r >>> 1) % 7); // 4 … 256 bytes
      const align = 4 << ((r >>> 4) % 4); // 4 … 32
      const p = __alloc_percpu(m, size, align);
      if (p === null) throw new BenchCheckError(`__alloc_percpu(${size}, ${align}) failed`);
      live.push(p);
      allocs++;
    } else {
      const i = (r >>> 8) % live.length;
      const p = live[i];
      live[i] = live[live.length - 1];
      live.pop();
      free_percpu(m, p);
      frees++;
    }
  }
  const problems = pcpu_check_consistency(m);
  if (problems.length > 0) throw new BenchCheckError(`allocator inconsistent after the workload: ${problems[0]}`);
  return frees;
}

const group: BenchGroup = {
  run(ctx: GroupContext): GroupOutput {
    const m = new Machine({ cpus: 4 });
    m.boot();
    const n = ctx.size(20_000, 200);
    const r = compare([
      { name: 'alloc_percpu(u64)+free_percpu', run: (k) => pairs(m, k), expect: (k) => k },
      { name: 'random workload pair', run: (k) => workload(m, k), expect: (k) => k },
    ], { n, rounds: ctx.rounds, warmup: ctx.warmup });
    const [pair, mixed] = Object.values(r);
    return {
      rows: [
        valueRow({
          id: 'alloc.pairs', group: 'alloc', title: 'alloc_percpu(u64)+free_percpu pairs per second',
          formula: '1e9 ÷ ns per pair', unit: 'pairs/s', samples: pair.samples.map((ns) => 1e9 / ns), target: null, measurements: [pair],
        }),
        valueRow({
          id: 'alloc.random', group: 'alloc', title: `random workload (4–256 B, align 4–32, ≤${LIVE} live): pairs per second`,
          formula: '1e9 ÷ mean ns per alloc+free pair', unit: 'pairs/s', samples: mixed.samples.map((ns) => 1e9 / ns), target: null,
          note: `mean ${mixed.median.toFixed(0)} ns per pair`, measurements: [mixed],
        }),
      ],
    };
  },
};
export default group;
