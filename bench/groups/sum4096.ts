/**
 * Aggregation cost: per_cpu_sum() of a u64 over 4096 CPUs — the "only lock
 * when we aggregate" side of per-CPU counters, whose read cost grows with the
 * number of CPUs. Shown beside a hand-written strided loop over the raw
 * BigUint64Array for scale (information, no target).
 */
import { DEFINE_PER_CPU } from '../../src/define.js';
import { Machine } from '../../src/machine.js';
import type { PerCpuPtr } from '../../src/percpu-ptr.js';
import { per_cpu_sum, per_cpu_write } from '../../src/kernel/smp.js';
import type { BenchGroup, GroupContext, GroupOutput } from '../lib/group.js';
import { compare } from '../lib/harness.js';
import { ratioRow, valueRow } from '../lib/report.js';

const CPUS = 4096;

/** Every CPU's copy as the raw memory holds it, summed with no checks. */
function rawSum(m: Machine, p: PerCpuPtr<'u64'>): bigint {
  const u = m.u64;
  const offs = m.perCpuOffset;
  let s = 0n;
  for (let cpu = 0; cpu < offs.length; cpu++) s += u[(offs[cpu] + p.off) / 8];
  return s;
}

const group: BenchGroup = {
  run(ctx: GroupContext): GroupOutput {
    const m = new Machine({ cpus: CPUS });
    const p = DEFINE_PER_CPU(m, 'u64', 'nr_events');
    m.boot();
    for (let cpu = 0; cpu < CPUS; cpu++) per_cpu_write(m, p, cpu, BigInt(cpu) * 1_000_003n);
    const expected = (BigInt(CPUS) * BigInt(CPUS - 1) / 2n) * 1_000_003n;
    const n = ctx.size(200, 3);
    const r = compare([
      { name: 'per_cpu_sum (4096 CPUs)', run: (k) => { let s = 0n; for (let i = 0; i < k; i++) s = per_cpu_sum(m, p); return s; }, expect: () => expected },
      { name: 'raw strided BigUint64Array sum (4096 CPUs)', run: (k) => { let s = 0n; for (let i = 0; i < k; i++) s = rawSum(m, p); return s; }, expect: () => expected },
    ], { n, rounds: ctx.rounds, warmup: ctx.warmup });
    const [lib, raw] = Object.values(r);
    return {
      rows: [
        valueRow({
          id: 'sum4096.per_cpu_sum', group: 'sum4096', title: 'per_cpu_sum of a u64 across 4096 CPUs',
          formula: 'microseconds per full sum', unit: 'us', samples: lib.samples.map((ns) => ns / 1000), target: null,
          note: `${(lib.median / CPUS).toFixed(1)} ns per CPU`, measurements: [lib],
        }),
        ratioRow({
          id: 'sum4096.vs_raw', group: 'sum4096', title: 'per_cpu_sum vs raw strided loop (4096 CPUs)',
          num: lib, den: raw, target: null, note: 'information: per_cpu_sum checks every CPU and converts through the type',
        }),
      ],
    };
  },
};
export default group;
