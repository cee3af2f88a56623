/**
 * Width 8 against width 4. An 8-byte per-CPU value is a bigint in
 * TypeScript; an op that only writes it can stay an int64 add inside V8,
 * while an op that returns it hands a bigint back to the caller.
 */
import type { BenchGroup, GroupContext, GroupOutput } from '../lib/group.js';
import { compare } from '../lib/harness.js';
import * as L from '../lib/loops.js';
import { ratioRow, type Row } from '../lib/report.js';
import { benchMachine } from '../lib/setup.js';

const OPS = [
  { op: 'add', w4: L.w4Add, w8: L.w8Add, target: 1.5 },
  { op: 'add_return', w4: L.w4AddReturn, w8: L.w8AddReturn, target: 2.5 },
  { op: 'cmpxchg', w4: L.w4Cmpxchg, w8: L.w8Cmpxchg, target: 2.5 },
] as const;

const group: BenchGroup = {
  run(ctx: GroupContext): GroupOutput {
    const { m, p4, p8 } = benchMachine();
    const n = ctx.size(5_000_000, 20_000);
    const rows: Row[] = [];
    for (const o of OPS) {
      const r = compare([
        { name: `this_cpu_${o.op}_8`, run: (k) => o.w8(m, p8, k), expect: L.EXPECT.last8 },
        { name: `this_cpu_${o.op}_4`, run: (k) => o.w4(m, p4, k), expect: L.EXPECT.last },
      ], { n, rounds: ctx.rounds, warmup: ctx.warmup });
      const [w8, w4] = Object.values(r);
      rows.push(ratioRow({
        id: `width.${o.op}`, group: 'width', title: `this_cpu_${o.op}_8 vs this_cpu_${o.op}_4`,
        num: w8, den: w4, target: { op: '<=', value: o.target },
      }));
    }
    return { rows };
  },
};
export default group;
