/**
 * "Types first": each rule TypeScript can express is a compile error, proved
 * by a `@ts-expect-error` line (tsc --noEmit fails on an unused one), and the
 * same misuse forced past the type system is refused at run time.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../src/machine.js';
import {
  CpuGuard, DynamicPerCpu, PerCpu, define_per_cpu, get_static_per_cpu, struct, unsafe_get_per_cpu_ref,
} from '../src/rust/index.js';

function setup() {
  const m = new Machine({ cpus: 2 });
  const U64 = define_per_cpu(m, 'U64', 'u64', 0n);
  const FLAG = define_per_cpu(m, 'FLAG', 'bool', false);
  m.boot();
  return { m, U64, FLAG };
}

describe('StaticPerCpuSymbol has no readable value', () => {
  it('is a compile error and a run-time throw to read it', () => {
    const { U64 } = setup();
    // @ts-expect-error: value is private — the symbol is "fake"
    expect(() => U64.value).toThrow(/U64 is a StaticPerCpuSymbol: reading it directly is undefined behaviour/);
    // @ts-expect-error: a symbol is not a bigint
    expect(() => { const v: bigint = U64; return v + 1n; }).toThrow(/StaticPerCpuSymbol/);
    // @ts-expect-error: no arithmetic on the symbol
    expect(() => U64 + 1n).toThrow(/reading it directly is undefined behaviour/);
    expect(() => Number(U64)).toThrow(/reading it directly/);
    expect(String(U64)).toBe('define_per_cpu!(U64: u64)');
  });

  it('the initialiser must have the variable\'s type', () => {
    const m = new Machine({ cpus: 1 });
    // @ts-expect-error: u64 takes a bigint
    expect(() => define_per_cpu(m, 'A', 'u64', 0)).toThrow('define_per_cpu!(A: u64) initialiser: u64 takes a bigint, got 0');
    // @ts-expect-error: u8 takes a number
    expect(() => define_per_cpu(m, 'B', 'u8', 1n)).toThrow('define_per_cpu!(B: u8) initialiser: u8 takes an integer number, got 1n');
    expect(() => define_per_cpu(m, 'C', 'u8', 256)).toThrow('define_per_cpu!(C: u8) initialiser: 256 is out of range for u8 [0, 255]');
  });
});

describe('PerCpuRef<T> accepts only values of T', () => {
  it('PerCpuRef<u32> takes numbers only', () => {
    const { m } = setup();
    const num = PerCpu.new(m, 'u32', { name: 'num' })!;
    using r = num.get(new CpuGuard(m));
    // @ts-expect-error: a u32 ref takes a number, not a bigint
    expect(() => r.set(1n)).toThrow('PerCpuRef<u32>.set: u32 takes an integer number, got 1n');
    // @ts-expect-error: nor a string
    expect(() => { r.value = '1'; }).toThrow('PerCpuRef<u32>.set: u32 takes an integer number, got "1"');
    // @ts-expect-error: numeric ops take the type's value too
    expect(() => r.add(1n)).toThrow('PerCpuRef<u32>.add: u32 takes an integer number, got 1n; nothing was written');
    const n: number = r.get();
    expect(n).toBe(0);
  });

  it('a 64-bit ref takes bigints only', () => {
    const { m, U64 } = setup();
    using r = unsafe_get_per_cpu_ref(m, U64, new CpuGuard(m));
    // @ts-expect-error: a u64 ref takes a bigint
    expect(() => r.set(1)).toThrow('PerCpuRef<u64>.set: u64 takes a bigint, got 1');
    // @ts-expect-error: add too
    expect(() => r.add(1)).toThrow('PerCpuRef<u64>.add: u64 takes a bigint, got 1; nothing was written');
    const v: bigint = r.value;
    expect(v).toBe(0n);
  });

  it('a bool has no numeric ops', () => {
    const { m, FLAG } = setup();
    const flag = get_static_per_cpu(m, FLAG);
    // @ts-expect-error: num() exists only for the ten integer types
    expect(() => flag.num()).toThrow('FLAG.num(): PerCpuNumeric exists for i8…i64, u8…u64, isize and usize, not bool');
    using r = flag.get(new CpuGuard(m));
    // @ts-expect-error: the operand type of add on a bool ref is never
    expect(() => r.add(true)).toThrow('PerCpuRef<bool>.add: numeric ops exist for the integer types i8…i64, u8…u64, isize, usize only');
    r.value = true;
    expect(r.value).toBe(true);
  });

  it('a struct ref takes the whole struct, with field types', () => {
    const { m } = setup();
    const S = struct('pair', { a: 'u8', b: 'u64' });
    const p = DynamicPerCpu.newZero(m, S, { name: 'p' })!;
    using r = p.get(new CpuGuard(m));
    // @ts-expect-error: field b is missing
    expect(() => r.set({ a: 1 })).toThrow('PerCpuRef<struct pair>.set: field b of struct pair is missing (a write sets every field)');
    // @ts-expect-error: b is a u64 field: a bigint
    expect(() => r.set({ a: 1, b: 2 })).toThrow('PerCpuRef<struct pair>.set: field pair.b: u64 takes a bigint, got 2');
    r.set({ a: 1, b: 2n });
    const v: { a: number; b: bigint } = r.get();
    expect(v).toEqual({ a: 1, b: 2n });
  });
});

describe('Option and read-only access', () => {
  it('PerCpu.new may be null, like Option', () => {
    const { m } = setup();
    const maybe = PerCpu.new(m, 'u32');
    // @ts-expect-error: possibly null — unwrap first
    expect(() => maybe.strongCount).not.toThrow();
    expect(maybe!.strongCount).toBe(1);
  });

  it('a checked token gives &T: no writes', () => {
    const { m, U64 } = setup();
    const h = get_static_per_cpu(m, U64);
    using t = h.get_checked(new CpuGuard(m));
    t.with((v) => {
      // @ts-expect-error: value is read-only
      expect(() => { v.value = 1n; }).toThrow('CheckedPerCpuToken<u64>: the view is &T (shared, read-only); writing needs get_mut(guard) → PerCpuToken');
      // @ts-expect-error: there is no set
      expect(v.set).toBeUndefined();
      expect(v.value).toBe(0n);
    });
  });
});
