/**
 * Every generated x86-64 op × width × variant against the BigInt reference
 * model: edge values, then fast-check random values. Each op must change only
 * the running CPU's copy, return what the model returns, and (for
 * try_cmpxchg) report the value found through ovalp.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as ops from '../generated/x86_64/percpu.js';
import { DEFINE_PER_CPU, Machine, per_cpu, per_cpu_write, preempt_disable, preempt_enable, type PerCpuPtr } from '../src/index.js';
import { edgeValues, operandsOf, parseOpName, refOp, type RefArgs } from './support/reference-model.js';

const TYPES = { 1: 'u8', 2: 'u16', 4: 'u32', 8: 'u64', 16: 'u128' } as const;
type AnyOp = (...args: unknown[]) => unknown;

function setup(): { m: Machine; vars: Record<number, PerCpuPtr<never>> } {
  const m = new Machine({ cpus: 3 });
  const vars: Record<number, PerCpuPtr<never>> = {};
  for (const w of [1, 2, 4, 8, 16] as const) vars[w] = DEFINE_PER_CPU(m, TYPES[w], `v${w}`) as PerCpuPtr<never>;
  m.boot();
  return { m, vars };
}

const asValue = (width: number, bits: bigint): number | bigint => (width >= 8 ? bits : Number(bits));

const names = Object.keys(ops).filter((k) => typeof (ops as Record<string, unknown>)[k] === 'function').sort();

describe('x86_64 generated ops', () => {
  it('covers every op × width × variant the kernel has', () => {
    const bases = ['read', 'write', 'add', 'sub', 'inc', 'dec', 'and', 'or', 'add_return', 'sub_return', 'inc_return', 'dec_return', 'xchg', 'cmpxchg', 'try_cmpxchg'];
    for (const v of ['raw_cpu', '__this_cpu', 'this_cpu']) for (const b of bases) for (const w of [1, 2, 4, 8]) expect(names).toContain(`${v}_${b}_${w}`);
    for (const n of ['this_cpu_read_stable_4', 'raw_cpu_cmpxchg64', 'this_cpu_try_cmpxchg64', 'raw_cpu_cmpxchg128', 'this_cpu_try_cmpxchg128']) expect(names).toContain(n);
    expect(names.length).toBe(192);
  });

  const { m, vars } = setup();

  /** Runs one op on cpu 1 from `cur` with `args`, checks it against the model and the other CPUs. */
  function check(name: string, cur: bigint, args: RefArgs): void {
    const op = parseOpName(name)!;
    const fn = (ops as unknown as Record<string, AnyOp>)[name];
    const v = vars[op.width];
    const others = [0, 2].map((c) => per_cpu(m, v, c));
    per_cpu_write(m, v, 1, asValue(op.width, cur) as never);
    const want = refOp(op.base, op.width, cur, args);
    const box = { value: args.ovalp };
    const call = operandsOf(op.base).map((k) => (k === 'ovalp' ? box : args[k]));
    const got = m.runOn(1, () => {
      if (op.variant === '__this_cpu') preempt_disable(m);
      try {
        return fn(m, v, ...call);
      } finally {
        if (op.variant === '__this_cpu') preempt_enable(m);
      }
    });
    const label = `${name}(${cur}, ${JSON.stringify(args, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x))})`;
    expect(BigInt(per_cpu(m, v, 1) as number | bigint), label).toBe(want.next);
    if (want.ret === undefined) expect(got, label).toBeUndefined();
    else if (typeof want.ret === 'boolean') expect(got, label).toBe(want.ret);
    else expect(got, label).toBe(asValue(op.width, want.ret));
    if (want.ovalp !== undefined) expect(BigInt(box.value as number | bigint), label).toBe(want.ovalp);
    expect([0, 2].map((c) => per_cpu(m, v, c)), `${label}: other CPUs`).toEqual(others);
  }

  for (const name of names) {
    const op = parseOpName(name);
    if (!op) continue;
    const operands = operandsOf(op.base);
    it(`${name}: edge values`, () => {
      const edges = edgeValues(op.width);
      const bits = BigInt(op.width * 8);
      const curs = [...new Set(edges.map((e) => BigInt.asUintN(Number(bits), BigInt(e))))];
      for (const cur of curs) {
        if (operands.length === 0) check(name, cur, {});
        for (const a of edges) {
          if (operands.length === 1) check(name, cur, { [operands[0]]: a });
          // cmpxchg: once with the current value (success), once with an edge (usually failure)
          if (operands.length === 2) {
            check(name, cur, { [operands[0]]: a, [operands[1]]: edges[3] });
            check(name, cur, { [operands[0]]: op.width >= 8 ? cur : Number(cur), [operands[1]]: a });
          }
        }
      }
    });
    it(`${name}: random values`, () => {
      const value = op.width >= 8 ? fc.bigInt({ min: -(1n << 130n), max: 1n << 130n }) : fc.integer({ min: -(2 ** 40), max: 2 ** 40 });
      const curArb = fc.bigInt({ min: 0n, max: (1n << BigInt(op.width * 8)) - 1n });
      fc.assert(fc.property(curArb, value, value, fc.boolean(), (cur, a, b, hit) => {
        const args: RefArgs = {};
        if (operands[0]) args[operands[0]] = hit && operands.length === 2 ? (op.width >= 8 ? cur : Number(cur)) : a;
        if (operands[1]) args[operands[1]] = b;
        check(name, cur, args);
      }), { numRuns: 60, seed: 0x5eed });
    });
  }
});
