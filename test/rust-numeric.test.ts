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
import { CpuGuard, DynamicPerCpu, INTEGER_NAMES, define_per_cpu, get_static_per_cpu } from '../src/rust/index.js';
import { opArb, step, ts, wrap, type NumericSurface } from './support/numeric-model.js';

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
