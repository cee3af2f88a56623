/**
 * The numeric ops of the ten integer types, mirrored on a native model
 * (BigInt wrapped to the type) as the sample module mirrors every op on a
 * native local: through PerCpuNumeric (this_cpu_*, no guard), through a
 * PerCpuRef (__this_cpu_*, guard held) and through a token's closure.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Machine } from '../src/machine.js';
import { SCALARS } from '../src/types.js';
import {
  CpuGuard, DynamicPerCpu, INTEGER_NAMES, define_per_cpu, get_static_per_cpu, type IntegerName, type NumericValue,
} from '../src/rust/index.js';

function wrap(t: IntegerName, x: bigint): bigint {
  const info = SCALARS[t];
  return info.signed ? BigInt.asIntN(info.size * 8, x) : BigInt.asUintN(info.size * 8, x);
}

function ts(t: IntegerName, x: bigint): NumericValue<IntegerName> {
  return (SCALARS[t].size === 8 ? x : Number(x)) as NumericValue<IntegerName>;
}

function valueArb(t: IntegerName): fc.Arbitrary<bigint> {
  const info = SCALARS[t];
  return fc.oneof(fc.bigInt({ min: info.min, max: info.max }), fc.constantFrom(info.min, info.max, 0n, 1n, -1n).map((v) => wrap(t, v)));
}

type Op =
  | { op: 'add' | 'sub' | 'and' | 'or' | 'write' | 'xchg'; v: bigint }
  | { op: 'inc' | 'dec' | 'read' }
  | { op: 'cmpxchg'; o: bigint; n: bigint; hit: boolean };

function opArb(t: IntegerName): fc.Arbitrary<Op> {
  const v = valueArb(t);
  return fc.oneof(
    fc.record({ op: fc.constantFrom('add', 'sub', 'and', 'or', 'write', 'xchg') as fc.Arbitrary<'add'>, v }),
    fc.record({ op: fc.constantFrom('inc', 'dec', 'read') as fc.Arbitrary<'inc'> }),
    fc.record({ op: fc.constant('cmpxchg' as const), o: v, n: v, hit: fc.boolean() }),
  );
}

/** The subset of ops every numeric surface has. */
interface NumericSurface {
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
function step(t: IntegerName, s: NumericSurface, model: bigint, op: Op): bigint {
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

describe('numeric add/sub for all 10 integer types (make_optimization_test!)', () => {
  for (const t of INTEGER_NAMES) {
    it(`${t}: set 10, add 1 → 11, add 10 → 21, sub 5 → 16, then wrapping past max and below zero`, () => {
      const m = new Machine({ cpus: 2 }).boot();
      const p = DynamicPerCpu.newZero(m, t, { name: 'p' })!;
      const v = (x: bigint) => ts(t, x);
      const check = (want: bigint) => {
        using tok = p.get_mut(new CpuGuard(m));
        tok.with((x) => expect(x.value).toBe(v(want)));
      };
      {
        using tok = p.get_mut(new CpuGuard(m));
        tok.with((x) => { x.value = v(10n); });
      }
      const num = p.num();
      num.add(v(1n)); check(11n);
      num.add(v(10n)); check(21n);
      num.sub(v(5n)); check(16n);
      const { min, max } = SCALARS[t];
      num.write(v(max)); num.add(v(1n)); check(min);
      num.sub(v(1n)); check(max);
      num.write(v(0n)); num.sub(v(1n)); check(wrap(t, -1n));
      num.dec(); check(wrap(t, -2n));
      expect(p.values()).toEqual([v(wrap(t, -2n)), v(0n)]); // only cpu0's copy changed
      p.drop();
    });
  }

  it('operands out of the type\'s range are refused and nothing is written', () => {
    const m = new Machine({ cpus: 1 }).boot();
    const u8 = DynamicPerCpu.newWith(m, 'u8', 7, { name: 'u8' })!.num();
    expect(() => u8.add(256)).toThrow('u8.num().add: 256 is out of range for u8 [0, 255]; nothing was written');
    expect(() => u8.sub(-1)).toThrow('u8.num().sub: -1 is out of range for u8 [0, 255]; nothing was written');
    expect(() => u8.add(1.5)).toThrow('u8.num().add: u8 takes an integer number, got 1.5; nothing was written');
    const i64 = DynamicPerCpu.newWith(m, 'i64', 7n, { name: 'i64' })!.num();
    expect(() => i64.add(1 as never)).toThrow('i64.num().add: i64 takes a bigint, got 1; nothing was written');
    expect(() => i64.add(1n << 63n)).toThrow('i64.num().add: 9223372036854775808n is out of range for i64 [-9223372036854775808, 9223372036854775807]; nothing was written');
    expect(() => i64.cmpxchg(7n, 1n << 64n)).toThrow(/out of range for i64/);
    expect(u8.read()).toBe(7);
    expect(i64.read()).toBe(7n);
  });
});

describe('every op mirrored on a native value', () => {
  for (const t of INTEGER_NAMES) {
    it(`${t}: PerCpuNumeric, PerCpuRef and token agree with the model`, () => {
      fc.assert(
        fc.property(fc.array(opArb(t), { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 3 }), (ops, cpu) => {
          const m = new Machine({ cpus: 4 }).boot();
          const p = DynamicPerCpu.newZero(m, t, { name: 'p' })!;
          m.migrate(cpu);
          let model = 0n;
          const num = p.num();
          for (const op of ops) model = step(t, num as unknown as NumericSurface, model, op);
          {
            using r = p.get(new CpuGuard(m));
            for (const op of ops) model = step(t, refSurface(r as unknown as RefLike), model, op);
            expect(r.value).toBe(ts(t, model));
          }
          {
            using tok = p.get_mut(new CpuGuard(m));
            tok.with((x) => {
              for (const op of ops) if (op.op === 'add') { x.update((y) => ts(t, wrap(t, BigInt(y) + op.v)) as never); model = wrap(t, model + op.v); }
              expect(x.value).toBe(ts(t, model));
            });
          }
          const expected = [0n, 0n, 0n, 0n].map((z, c) => ts(t, c === cpu ? model : z));
          expect(p.values()).toEqual(expected);
          p.drop();
        }),
        { numRuns: 60 },
      );
    });
  }
});

type RefLike = NumericSurface & { get(): unknown; set(v: unknown): void };

function refSurface(r: RefLike): NumericSurface {
  return {
    read: () => r.get(),
    write: (v) => r.set(v),
    add: (v) => r.add(v), sub: (v) => r.sub(v), inc: () => r.inc(), dec: () => r.dec(),
    and: (v) => r.and(v), or: (v) => r.or(v), xchg: (v) => r.xchg(v), cmpxchg: (o, n) => r.cmpxchg(o, n),
  };
}

describe('the sample module\'s static test (rust_percpu.rs)', () => {
  it('mirrors += -1, += 1 on an i64 and the u64 wrapping_add(-1 as u64) / wrapping_sub(1) on a native local', () => {
    const m = new Machine({ cpus: 4 });
    const PERCPU = define_per_cpu(m, 'PERCPU', 'i64', 0n);
    const UPERCPU = define_per_cpu(m, 'UPERCPU', 'u64', 0n);
    m.boot();
    let native = 0n;
    {
      using tok = get_static_per_cpu(m, PERCPU).get_mut(new CpuGuard(m));
      tok.with((v) => {
        native += -1n; v.value += -1n; expect(v.value).toBe(native);
        native += 1n; v.value += 1n; expect(v.value).toBe(native);
      });
    }
    let unative = 0n;
    {
      using tok = get_static_per_cpu(m, UPERCPU).get_mut(new CpuGuard(m));
      tok.with((v) => {
        unative = BigInt.asUintN(64, unative + BigInt.asUintN(64, -1n));
        v.update((x) => BigInt.asUintN(64, x + BigInt.asUintN(64, -1n)));
        expect(v.value).toBe(unative);
        expect(unative).toBe((1n << 64n) - 1n); // u64::MAX
        unative = BigInt.asUintN(64, unative + 1n);
        v.update((x) => BigInt.asUintN(64, x + 1n));
        expect(v.value).toBe(0n);
        unative = BigInt.asUintN(64, unative - 1n);
        v.update((x) => BigInt.asUintN(64, x - 1n));
        expect(v.value).toBe(unative);
      });
    }
    const u = get_static_per_cpu(m, UPERCPU).num();
    u.add(1n);
    expect(u.read()).toBe(0n); // wrapped past u64::MAX
    u.sub(1n);
    expect(u.read()).toBe((1n << 64n) - 1n); // and below zero
  });
});
