/**
 * The native model of the Rust numeric types for the numeric-op tests: a
 * BigInt wrapped to the type, random op sequences, and one step that applies
 * an op to any numeric surface (PerCpuNumeric, PerCpuRef) and to the model,
 * checking what the surface returns.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { IntegerName, NumericValue } from '../../src/rust/index.js';
import { SCALARS } from '../../src/types.js';

/** x as a value of type t (two's complement wrap, as Rust's wrapping ops do). */
export function wrap(t: IntegerName, x: bigint): bigint {
  const info = SCALARS[t];
  return info.signed ? BigInt.asIntN(info.size * 8, x) : BigInt.asUintN(info.size * 8, x);
}

/** x as the TypeScript value the API takes for t: bigint for 8 bytes, number otherwise. */
export function ts(t: IntegerName, x: bigint): NumericValue<IntegerName> {
  return (SCALARS[t].size === 8 ? x : Number(x)) as NumericValue<IntegerName>;
}

/** Values of t, with its edges (min, max, 0, 1, -1 wrapped) drawn often. */
export function valueArb(t: IntegerName): fc.Arbitrary<bigint> {
  const info = SCALARS[t];
  return fc.oneof(fc.bigInt({ min: info.min, max: info.max }), fc.constantFrom(info.min, info.max, 0n, 1n, -1n).map((v) => wrap(t, v)));
}

export type Op =
  | { op: 'add' | 'sub' | 'and' | 'or' | 'write' | 'xchg'; v: bigint }
  | { op: 'inc' | 'dec' | 'read' }
  | { op: 'cmpxchg'; o: bigint; n: bigint; hit: boolean };

export function opArb(t: IntegerName): fc.Arbitrary<Op> {
  const v = valueArb(t);
  return fc.oneof(
    fc.record({ op: fc.constantFrom('add', 'sub', 'and', 'or', 'write', 'xchg') as fc.Arbitrary<'add'>, v }),
    fc.record({ op: fc.constantFrom('inc', 'dec', 'read') as fc.Arbitrary<'inc'> }),
    fc.record({ op: fc.constant('cmpxchg' as const), o: v, n: v, hit: fc.boolean() }),
  );
}

/** The ops every numeric surface has. */
export interface NumericSurface {
  read(): unknown;
  write(v: unknown): void;
  add(v: unknown): void;
  sub(v: unknown): void;
  inc(): void;
  dec(): void;
  and(v: unknown): void;
  or(v: unknown): void;
  xchg(v: unknown): unknown;
  cmpxchg(o: unknown, n: unknown): unknown;
}

/** Applies `op` to the surface and to the model; returns the new model value after comparing results. */
export function step(t: IntegerName, s: NumericSurface, model: bigint, op: Op): bigint {
  switch (op.op) {
    case 'add': s.add(ts(t, op.v)); return wrap(t, model + op.v);
    case 'sub': s.sub(ts(t, op.v)); return wrap(t, model - op.v);
    case 'and': s.and(ts(t, op.v)); return wrap(t, model & op.v);
    case 'or': s.or(ts(t, op.v)); return wrap(t, model | op.v);
    case 'write': s.write(ts(t, op.v)); return op.v;
    case 'xchg': expect(s.xchg(ts(t, op.v))).toBe(ts(t, model)); return op.v;
    case 'inc': s.inc(); return wrap(t, model + 1n);
    case 'dec': s.dec(); return wrap(t, model - 1n);
    case 'read': expect(s.read()).toBe(ts(t, model)); return model;
    case 'cmpxchg': {
      const old = op.hit ? model : op.o;
      expect(s.cmpxchg(ts(t, old), ts(t, op.n))).toBe(ts(t, model));
      return old === model ? op.n : model;
    }
  }
}
