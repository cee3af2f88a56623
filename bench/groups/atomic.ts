/**
 * The generated atomics (generated/atomic.ts, from templates/atomic/atomics.tbl)
 * against the per-CPU op of the same width: atomic_inc on an atomic_t in
 * ordinary memory vs this_cpu_inc_4, atomic64_inc vs this_cpu_inc_8. Both are
 * one instruction in the kernel (`lock incl` vs `incl %gs:`); here the rows
 * show what each costs the simulation. Each loop returns the exact final
 * value, which the harness checks.
 */
import { this_cpu_inc_4, this_cpu_inc_8, this_cpu_read_4, this_cpu_read_8 } from '../../generated/x86_64/percpu.js';
import { atomic64_inc, atomic64_read, atomic64_set, atomic_inc, atomic_read, atomic_set } from '../../generated/atomic.js';
import type { KPtr } from '../../src/kptr.js';
import type { Machine } from '../../src/machine.js';
import { global_var } from '../../src/mm/memory.js';
import type { BenchGroup, GroupContext, GroupOutput } from '../lib/group.js';
import { compare } from '../lib/harness.js';
import type { P4, P8 } from '../lib/loops.js';
import { ratioRow } from '../lib/report.js';
import { benchMachine } from '../lib/setup.js';

function atomicInc(m: Machine, v: KPtr<unknown>, n: number): number {
  atomic_set(m, v, 0);
  for (let i = 0; i < n; i++) atomic_inc(m, v);
  return atomic_read(m, v);
}
function atomic64Inc(m: Machine, v: KPtr<unknown>, n: number): number {
  atomic64_set(m, v, 0n);
  for (let i = 0; i < n; i++) atomic64_inc(m, v);
  return Number(atomic64_read(m, v));
}
function percpuInc4(m: Machine, p: P4, n: number): number {
  m.u32[(m.gs + p.off) >>> 2] = 0;
  for (let i = 0; i < n; i++) this_cpu_inc_4(m, p);
  return this_cpu_read_4(m, p);
}
function percpuInc8(m: Machine, p: P8, n: number): number {
  m.u64[(m.gs + p.off) >>> 3] = 0n;
  for (let i = 0; i < n; i++) this_cpu_inc_8(m, p);
  return Number(this_cpu_read_8(m, p));
}

const group: BenchGroup = {
  run(ctx: GroupContext): GroupOutput {
    const { m, p4, p8 } = benchMachine();
    const v = global_var(m, 'atomic_t', 'bench_atomic');
    const v64 = global_var(m, 'atomic64_t', 'bench_atomic64');
    const n = ctx.size(5_000_000, 20_000);
    const opts = { n, rounds: ctx.rounds, warmup: ctx.warmup };
    const same = (k: number): number => k;
    const r = Object.values(compare([
      { name: 'atomic_inc', run: (k) => atomicInc(m, v, k), expect: same },
      { name: 'this_cpu_inc_4', run: (k) => percpuInc4(m, p4, k), expect: same },
      { name: 'atomic64_inc', run: (k) => atomic64Inc(m, v64, k), expect: same },
      { name: 'this_cpu_inc_8', run: (k) => percpuInc8(m, p8, k), expect: same },
    ], opts));
    return {
      rows: [
        ratioRow({ id: 'atomic.inc', group: 'atomic', title: 'atomic_inc (atomic_t in ordinary memory) vs this_cpu_inc_4', num: r[0], den: r[1], target: null }),
        ratioRow({ id: 'atomic.inc64', group: 'atomic', title: 'atomic64_inc vs this_cpu_inc_8', num: r[2], den: r[3], target: null }),
      ],
    };
  },
};

export default group;
