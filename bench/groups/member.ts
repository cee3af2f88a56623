/**
 * What translated C pays for an element of a per-CPU array at a variable
 * index (`this_cpu_inc(x.counts[i])`): the element's pointer from
 * pcpu_ptr_at(), made once per element and reused (what percpu-cc emits), and
 * from pcpu_ptr_add() on every access (what it emitted before), each against
 * the same op on a pointer made once (a constant index). And the sized
 * cmpxchg translated C calls on ordinary memory (cmpxchg_i32) against the
 * generated atomic_cmpxchg on a typed pointer. Each loop returns the exact
 * total, which the harness checks.
 */
import { this_cpu_inc_4, this_cpu_read_4 } from '../../generated/x86_64/percpu.js';
import { atomic_cmpxchg } from '../../generated/atomic.js';
import { DEFINE_PER_CPU } from '../../src/define.js';
import { cmpxchg_i32 } from '../../src/kernel/atomic.js';
import { Machine } from '../../src/machine.js';
import { pcpu_ptr_add, pcpu_ptr_at } from '../../src/member.js';
import { global_var } from '../../src/mm/memory.js';
import type { PerCpuPtr } from '../../src/percpu-ptr.js';
import type { BenchGroup, GroupContext, GroupOutput } from '../lib/group.js';
import { compare } from '../lib/harness.js';
import { ratioRow } from '../lib/report.js';

type P = PerCpuPtr<'u32'>;

function total(m: Machine, x: PerCpuPtr<unknown>): number {
  let s = 0;
  for (let i = 0; i < 8; i++) s += this_cpu_read_4(m, pcpu_ptr_at(m, x, i * 4, 'u32') as P);
  return s;
}
function reset(m: Machine): void {
  m.u32.fill(0, (m.gs >>> 2), (m.gs >>> 2) + 64);
}

const group: BenchGroup = {
  run(ctx: GroupContext): GroupOutput {
    const m = new Machine({ cpus: 2 });
    const x = DEFINE_PER_CPU(m, m.ctypes.parse('unsigned int[8]'), 'counts') as PerCpuPtr<unknown>;
    const g = global_var(m, 'int', 'word');
    const a = global_var(m, 'atomic_t', 'aword');
    m.boot();
    m.loadCpu(0);
    const fixed = pcpu_ptr_add(m, x, 12, 'u32') as P;
    const n = ctx.size(200_000, 20_000);
    const opts = { n, rounds: ctx.rounds, warmup: ctx.warmup };
    const same = (k: number): number => k;
    const r = Object.values(compare([
      { name: 'pcpu_ptr_at + this_cpu_inc_4', run: (k) => { reset(m); for (let i = 0; i < k; i++) this_cpu_inc_4(m, pcpu_ptr_at(m, x, (i & 7) * 4, 'u32') as P); return total(m, x); }, expect: same },
      { name: 'pcpu_ptr_add + this_cpu_inc_4', run: (k) => { reset(m); for (let i = 0; i < k; i++) this_cpu_inc_4(m, pcpu_ptr_add(m, x, (i & 7) * 4, 'u32') as P); return total(m, x); }, expect: same },
      { name: 'this_cpu_inc_4 (pointer made once)', run: (k) => { reset(m); for (let i = 0; i < k; i++) this_cpu_inc_4(m, fixed); return total(m, x); }, expect: same },
      { name: 'cmpxchg_i32 (address)', run: (k) => { m.u32[g.addr >>> 2] = 0; for (let i = 0; i < k; i++) cmpxchg_i32(m, g.addr, i, i + 1); return m.u32[g.addr >>> 2]; }, expect: same },
      { name: 'atomic_cmpxchg (typed pointer)', run: (k) => { m.u32[a.addr >>> 2] = 0; for (let i = 0; i < k; i++) atomic_cmpxchg(m, a, i, i + 1); return m.u32[a.addr >>> 2]; }, expect: same },
    ], opts));
    return {
      rows: [
        ratioRow({ id: 'member.index_at', group: 'member', title: 'variable index: pcpu_ptr_at (made once per element) vs the pointer made once', num: r[0], den: r[2], target: null }),
        ratioRow({ id: 'member.index_add', group: 'member', title: 'variable index: pcpu_ptr_add per access vs the pointer made once', num: r[1], den: r[2], target: null }),
        ratioRow({ id: 'member.cmpxchg', group: 'member', title: 'cmpxchg_i32 on an address (translated C) vs atomic_cmpxchg on a typed pointer', num: r[3], den: r[4], target: null }),
      ],
    };
  },
};

export default group;
