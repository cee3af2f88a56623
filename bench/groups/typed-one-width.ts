/**
 * The typed layer when its call site has seen one width only: the u64 row of
 * the typed group, in a process of its own where this_cpu_add never served
 * another type. Against the typed group's u64 row, it shows what V8's inlining
 * of a single call target is worth.
 */
import { DEFINE_PER_CPU } from '../../src/define.js';
import { Machine } from '../../src/machine.js';
import type { BenchGroup, GroupContext, GroupOutput } from '../lib/group.js';
import { compare } from '../lib/harness.js';
import { ratioRow } from '../lib/report.js';
import { specAdd8, typedAdd8 } from './typed.js';

const group: BenchGroup = {
  run(ctx: GroupContext): GroupOutput {
    const m = new Machine({ cpus: 4 });
    const b = DEFINE_PER_CPU(m, 'u64', 'typed_u64');
    m.boot();
    m.loadCpu(1);
    const r = compare([
      { name: 'this_cpu_add(m, x: u64, v)', run: (k) => typedAdd8(m, b, k), expect: (k) => BigInt(k) },
      { name: 'this_cpu_add_8', run: (k) => specAdd8(m, b, k), expect: (k) => BigInt(k) },
    ], { n: ctx.size(5_000_000, 20_000), rounds: ctx.rounds, warmup: ctx.warmup });
    const [t, s] = Object.values(r);
    return {
      rows: [ratioRow({
        id: 'typed.add_u64_one_width', group: 'typed-one-width', title: 'this_cpu_add(m, x, v) vs this_cpu_add_8 (u64, the only width its call site sees)',
        num: t, den: s, target: { op: '<=', value: 1.3 },
      })],
    };
  },
};
export default group;
