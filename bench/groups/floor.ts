/**
 * Generated ops against the JavaScript floor: the same memory effect done
 * directly on the machine's Uint32Array in the same loop, with the same
 * %gs-relative addressing. The gap is what the generated code costs over
 * hand-written array access (its operand and alignment checks, the call).
 */
import type { BenchGroup, GroupContext, GroupOutput } from '../lib/group.js';
import { compare } from '../lib/harness.js';
import * as L from '../lib/loops.js';
import { ratioRow, type Row } from '../lib/report.js';
import { benchMachine } from '../lib/setup.js';

const OPS = [
  { op: 'add', gen: L.genAdd4, checked: L.checkedAdd4, raw: L.rawAdd4, floor: L.floorAdd4 },
  { op: 'read', gen: L.genRead4, checked: L.checkedRead4, raw: L.rawRead4, floor: L.floorRead4 },
  { op: 'write', gen: L.genWrite4, checked: L.checkedWrite4, raw: L.rawWrite4, floor: L.floorWrite4 },
  { op: 'add_return', gen: L.genAddReturn4, checked: L.checkedAddReturn4, raw: L.rawAddReturn4, floor: L.floorAddReturn4 },
  { op: 'cmpxchg', gen: L.genCmpxchg4, checked: L.checkedCmpxchg4, raw: L.rawCmpxchg4, floor: L.floorCmpxchg4 },
] as const;

const group: BenchGroup = {
  run(ctx: GroupContext): GroupOutput {
    const { m, p4 } = benchMachine();
    const n = ctx.size(5_000_000, 20_000);
    const rows: Row[] = [];
    for (const o of OPS) {
      const expect = L.EXPECT[o.op];
      const fn = `this_cpu_${o.op}_4`;
      const r = compare([
        { name: fn, run: (k) => o.gen(m, p4, k), expect },
        { name: `raw Uint32Array ${o.op}, same checks`, run: (k) => o.checked(m, p4, k), expect },
        { name: `raw Uint32Array ${o.op}`, run: (k) => o.raw(m, p4, k), expect },
        { name: `raw Uint32Array ${o.op}, index hoisted`, run: (k) => o.floor(m, p4, k), expect },
      ], { n, rounds: ctx.rounds, warmup: ctx.warmup });
      const [gen, checked, raw, floor] = Object.values(r);
      rows.push(ratioRow({
        id: `floor.${o.op}_4`, group: 'floor', title: `${fn} vs raw Uint32Array doing the same work (addressing and the op's checks)`,
        num: gen, den: checked, target: { op: '<=', value: 1.2 },
      }));
      rows.push(ratioRow({
        id: `floor.${o.op}_4_unchecked`, group: 'floor', title: `${fn} vs raw Uint32Array without the operand/alignment checks`,
        num: gen, den: raw, target: null,
        note: 'information: what the contract\'s checks (TypeError on a non-integer operand, RangeError on a misaligned pointer) cost in a tight loop',
      }));
      rows.push(ratioRow({
        id: `floor.${o.op}_4_hoisted`, group: 'floor', title: `${fn} vs raw Uint32Array (index hoisted)`,
        num: gen, den: floor, target: null,
        note: 'information: the loop-invariant index lets V8 drop the address computation an op has to do each call',
      }));
    }
    return { rows };
  },
};
export default group;
