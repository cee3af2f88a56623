/**
 * Generated per-width ops against one generic helper that switches on width
 * and op name at every call (bench/lib/dispatch.ts): the talk's reason for
 * specialising the ops. The helper is first exercised at every width, as a
 * shared helper would be in a real program.
 *
 * The rows carry no target. The talk's "function call overhead" is about C,
 * where the helper is a real call with a switch behind it. V8 inlines the
 * helper and, where the width and op are constants at the call site, folds
 * the switch away, so here the rows show what a JIT leaves of that overhead.
 */
import type { BenchGroup, GroupContext, GroupOutput } from '../lib/group.js';
import { warmDispatch } from '../lib/dispatch.js';
import { compare } from '../lib/harness.js';
import * as L from '../lib/loops.js';
import { ratioRow, type Row } from '../lib/report.js';
import { benchMachine } from '../lib/setup.js';

const OPS = [
  { op: 'add', gen: L.genAdd4, disp: L.dispAdd4 },
  { op: 'read', gen: L.genRead4, disp: L.dispRead4 },
  { op: 'write', gen: L.genWrite4, disp: L.dispWrite4 },
  { op: 'add_return', gen: L.genAddReturn4, disp: L.dispAddReturn4 },
  { op: 'cmpxchg', gen: L.genCmpxchg4, disp: L.dispCmpxchg4 },
] as const;

const group: BenchGroup = {
  run(ctx: GroupContext): GroupOutput {
    const { m, p1, p2, p4, p8 } = benchMachine();
    warmDispatch(m, { 1: p1, 2: p2, 4: p4, 8: p8 }, ctx.size(20_000, 200));
    const n = ctx.size(5_000_000, 20_000);
    const rows: Row[] = [];
    for (const o of OPS) {
      const expect = L.EXPECT[o.op];
      const fn = `this_cpu_${o.op}_4`;
      const r = compare([
        { name: fn, run: (k) => o.gen(m, p4, k), expect },
        { name: `percpu_op(m, 4, '${o.op}', …)`, run: (k) => o.disp(m, p4, k), expect },
      ], { n, rounds: ctx.rounds, warmup: ctx.warmup });
      const [gen, disp] = Object.values(r);
      rows.push(ratioRow({
        id: `dispatch.${o.op}_4`, group: 'dispatch', title: `dispatch helper with constant width and op vs ${fn} (times faster)`,
        num: disp, den: gen, target: null,
        note: 'information: the width and op are constants at the call site, so V8 inlines the helper and folds its switch away',
      }));
    }
    const ps = { p1, p2, p4, p8 };
    const mixed = compare([
      { name: 'this_cpu_add_1/2/4/8, one specialized call site each', run: (k) => L.genMixed(m, ps, k), expect: L.EXPECT.add },
      { name: "percpu_op(m, width, 'add', …), width varying per call", run: (k) => L.dispMixed(m, ps, k), expect: L.EXPECT.add },
    ], { n: ctx.size(2_000_000, 10_000), rounds: ctx.rounds, warmup: ctx.warmup });
    const [gen, disp] = Object.values(mixed);
    rows.push(ratioRow({
      id: 'dispatch.mixed_add', group: 'dispatch', title: 'dispatch helper with the width varying per call vs the four generated adds (times faster)',
      num: disp, den: gen, target: null,
      note: 'information: one call site sees every width, so the switch stays; still inlined',
    }));
    return { rows };
  },
};
export default group;
