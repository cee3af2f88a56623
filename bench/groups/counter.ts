/**
 * percpu_counter on one thread against the per-CPU op it is built on. In the
 * kernel percpu_counter_add is one this_cpu_try_cmpxchg loop on the fast path
 * and takes the lock once per batch, so an increment costs a small factor of
 * this_cpu_inc. Each loop does the counter's real work — folds included (the
 * default batch on 4 CPUs is 32, so every 32nd increment takes the lock) —
 * and returns the exact percpu_counter_sum (or the per-CPU value), which the
 * harness checks.
 */
import { this_cpu_inc_8, this_cpu_read_8 } from '../../generated/x86_64/percpu.js';
import {
  percpu_counter_add_local, percpu_counter_inc, percpu_counter_init, percpu_counter_read, percpu_counter_set, percpu_counter_sum,
  type PercpuCounter,
} from '../../src/lib/percpu-counter.js';
import type { Machine } from '../../src/machine.js';
import type { BenchGroup, GroupContext, GroupOutput } from '../lib/group.js';
import { compare } from '../lib/harness.js';
import type { P8 } from '../lib/loops.js';
import { ratioRow, type Row } from '../lib/report.js';
import { benchMachine } from '../lib/setup.js';

function percpuInc(m: Machine, p: P8, n: number): number {
  m.u64[(m.gs + p.off) >>> 3] = 0n;
  for (let i = 0; i < n; i++) this_cpu_inc_8(m, p);
  return Number(this_cpu_read_8(m, p));
}
function percpuRead(m: Machine, p: P8, n: number): number {
  m.u64[(m.gs + p.off) >>> 3] = 3n;
  let s = 0;
  for (let i = 0; i < n; i++) s += Number(this_cpu_read_8(m, p));
  return s;
}
function counterInc(fbc: PercpuCounter, n: number): number {
  percpu_counter_set(fbc, 0);
  for (let i = 0; i < n; i++) percpu_counter_inc(fbc);
  return percpu_counter_sum(fbc);
}
function counterAddLocal(fbc: PercpuCounter, n: number): number {
  percpu_counter_set(fbc, 0);
  for (let i = 0; i < n; i++) percpu_counter_add_local(fbc, 1);
  return percpu_counter_sum(fbc);
}
function counterRead(fbc: PercpuCounter, n: number): number {
  percpu_counter_set(fbc, 3);
  let s = 0;
  for (let i = 0; i < n; i++) s += percpu_counter_read(fbc);
  return s;
}

const group: BenchGroup = {
  run(ctx: GroupContext): GroupOutput {
    const { m, p8 } = benchMachine();
    const fbc = percpu_counter_init(m);
    const n = ctx.size(5_000_000, 20_000);
    const opts = { n, rounds: ctx.rounds, warmup: ctx.warmup };
    const same = (k: number): number => k;
    const inc = Object.values(compare([
      { name: 'percpu_counter_inc', run: (k) => counterInc(fbc, k), expect: same },
      { name: 'percpu_counter_add_local(1)', run: (k) => counterAddLocal(fbc, k), expect: same },
      { name: 'this_cpu_inc_8', run: (k) => percpuInc(m, p8, k), expect: same },
    ], opts));
    const read = Object.values(compare([
      { name: 'percpu_counter_read', run: (k) => counterRead(fbc, k), expect: (k) => 3 * k },
      { name: 'Number(this_cpu_read_8)', run: (k) => percpuRead(m, p8, k), expect: (k) => 3 * k },
    ], opts));
    const rows: Row[] = [
      ratioRow({
        id: 'counter.inc', group: 'counter', title: 'percpu_counter_inc vs this_cpu_inc_8 (one thread; folds every 32nd increment)',
        num: inc[0], den: inc[2], target: { op: '<=', value: 3 },
      }),
      ratioRow({
        id: 'counter.add_local', group: 'counter', title: 'percpu_counter_add_local(fbc, 1) vs this_cpu_inc_8 (batch INT_MAX: never folds here)',
        num: inc[1], den: inc[2], target: null,
      }),
      ratioRow({
        id: 'counter.read', group: 'counter', title: 'percpu_counter_read vs Number(this_cpu_read_8) (a 64-bit load made a number)',
        num: read[0], den: read[1], target: null,
      }),
    ];
    return { rows };
  },
};
export default group;
