/**
 * The size-generic typed layer (generated/percpu-defs.ts) against the
 * specialized op it ends up calling: `this_cpu_add(m, x, v)` is one load of the
 * pointer's op table plus a call, where the kernel resolves the width at
 * compile time. The u32 row runs first, while the typed function's inner call
 * has seen one target; the u64 row then measures it serving two widths, which
 * is what a program using several types gets.
 */
import { this_cpu_add_4, this_cpu_add_8, this_cpu_read_4 } from '../../generated/x86_64/percpu.js';
import { DEFINE_PER_CPU } from '../../src/define.js';
import { Machine } from '../../src/machine.js';
import type { PerCpuPtr } from '../../src/percpu-ptr.js';
import { this_cpu_add, this_cpu_read } from '../../src/typed.js';
import type { BenchGroup, GroupContext, GroupOutput } from '../lib/group.js';
import { compare } from '../lib/harness.js';
import { ratioRow } from '../lib/report.js';

function typedAdd4(m: Machine, x: PerCpuPtr<'u32'>, n: number): number {
  m.u32[(m.gs + x.off) >>> 2] = 0;
  for (let i = 0; i < n; i++) this_cpu_add(m, x, 1);
  return this_cpu_read(m, x);
}
function specAdd4(m: Machine, x: PerCpuPtr<'u32'>, n: number): number {
  m.u32[(m.gs + x.off) >>> 2] = 0;
  for (let i = 0; i < n; i++) this_cpu_add_4(m, x, 1);
  return this_cpu_read_4(m, x);
}
export function typedAdd8(m: Machine, x: PerCpuPtr<'u64'>, n: number): bigint {
  m.u64[(m.gs + x.off) >>> 3] = 0n;
  for (let i = 0; i < n; i++) this_cpu_add(m, x, 1n);
  return this_cpu_read(m, x);
}
export function specAdd8(m: Machine, x: PerCpuPtr<'u64'>, n: number): bigint {
  m.u64[(m.gs + x.off) >>> 3] = 0n;
  for (let i = 0; i < n; i++) this_cpu_add_8(m, x, 1n);
  return m.u64[(m.gs + x.off) >>> 3];
}
/** A signed type reads back through a wrapper that sign-extends. */
function typedReadI32(m: Machine, x: PerCpuPtr<'i32'>, n: number): number {
  m.u32[(m.gs + x.off) >>> 2] = 0xfffffffd;
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + this_cpu_read(m, x)) | 0;
  return s;
}
function specReadI32(m: Machine, x: PerCpuPtr<'i32'>, n: number): number {
  m.u32[(m.gs + x.off) >>> 2] = 0xfffffffd;
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + (this_cpu_read_4(m, x) | 0)) | 0;
  return s;
}

const group: BenchGroup = {
  run(ctx: GroupContext): GroupOutput {
    const m = new Machine({ cpus: 4 });
    const a = DEFINE_PER_CPU(m, 'u32', 'typed_u32');
    const b = DEFINE_PER_CPU(m, 'u64', 'typed_u64');
    const c = DEFINE_PER_CPU(m, 'i32', 'typed_i32');
    m.boot();
    m.loadCpu(1);
    const n = ctx.size(5_000_000, 20_000);
    const o = { n, rounds: ctx.rounds, warmup: ctx.warmup };
    const r4 = compare([
      { name: 'this_cpu_add(m, x: u32, v)', run: (k) => typedAdd4(m, a, k), expect: (k) => k >>> 0 },
      { name: 'this_cpu_add_4', run: (k) => specAdd4(m, a, k), expect: (k) => k >>> 0 },
    ], o);
    const r8 = compare([
      { name: 'this_cpu_add(m, x: u64, v)', run: (k) => typedAdd8(m, b, k), expect: (k) => BigInt(k) },
      { name: 'this_cpu_add_8', run: (k) => specAdd8(m, b, k), expect: (k) => BigInt(k) },
    ], o);
    const rs = compare([
      { name: 'this_cpu_read(m, x: i32)', run: (k) => typedReadI32(m, c, k), expect: (k) => Math.imul(-3, k) | 0 },
      { name: 'this_cpu_read_4 | 0', run: (k) => specReadI32(m, c, k), expect: (k) => Math.imul(-3, k) | 0 },
    ], o);
    const [t4, s4] = Object.values(r4);
    const [t8, s8] = Object.values(r8);
    const [ts, ss] = Object.values(rs);
    return {
      rows: [
        ratioRow({
          id: 'typed.add_u32', group: 'typed', title: 'this_cpu_add(m, x, v) vs this_cpu_add_4 (u32, the first width its call site sees)',
          num: t4, den: s4, target: { op: '<=', value: 1.3 },
        }),
        ratioRow({
          id: 'typed.add_u64', group: 'typed', title: 'this_cpu_add(m, x, v) vs this_cpu_add_8 (u64, after the same call site served u32)',
          num: t8, den: s8, target: { op: '<=', value: 1.3 },
          note: 'one this_cpu_add serves every type in a program; once its inner call has seen two targets V8 stops inlining it (about 1.2x when u64 is the only width)',
        }),
        ratioRow({
          id: 'typed.read_i32', group: 'typed', title: 'this_cpu_read(m, x) vs this_cpu_read_4 | 0 (i32, sign-extending wrapper)', num: ts, den: ss, target: null,
          note: 'information: signed types go through a small wrapper in the op table',
        }),
      ],
    };
  },
};
export default group;
