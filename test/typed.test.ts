/**
 * The size-generic typed layer: bound to the specialized generated function when
 * the symbol is defined (no per-call switch), signed types read back signed,
 * bool reads back a boolean, and misuse is a clear error.
 */
import { describe, expect, it } from 'vitest';
import * as ops from '../generated/x86_64/percpu.js';
import {
  DEFINE_PER_CPU, Machine, PerCpuPtr, TYPED_OPS, opsFor, per_cpu, preempt_disable, preempt_enable,
  __this_cpu_add_return, raw_cpu_xchg, this_cpu_add, this_cpu_cmpxchg, this_cpu_dec_return, this_cpu_inc, this_cpu_read,
  this_cpu_sub, this_cpu_try_cmpxchg, this_cpu_write, this_cpu_xchg,
} from '../src/index.js';

function machine() {
  const m = new Machine({ cpus: 2 });
  const vars = {
    u8: DEFINE_PER_CPU(m, 'u8', 'u8v'),
    i8: DEFINE_PER_CPU(m, 'i8', 'i8v', -1),
    i16: DEFINE_PER_CPU(m, 'i16', 'i16v', -300),
    i32: DEFINE_PER_CPU(m, 'i32', 'i32v', -7),
    u32: DEFINE_PER_CPU(m, 'u32', 'u32v'),
    i64: DEFINE_PER_CPU(m, 'i64', 'i64v', -2n),
    long: DEFINE_PER_CPU(m, 'long', 'longv'),
    b: DEFINE_PER_CPU(m, 'bool', 'bv', true),
    q: DEFINE_PER_CPU(m, 'u128', 'qv'),
  };
  m.boot();
  return { m, ...vars };
}

describe('typed layer', () => {
  it('binds each symbol to the generated functions of its width, once', () => {
    const { m, u32, i32 } = machine();
    const table = u32.ops as Record<string, unknown>;
    expect(table).toBe(opsFor('x86_64', 'u32'));
    expect(table.this_cpu_add).toBe(ops.this_cpu_add_4);
    expect(table.raw_cpu_cmpxchg).toBe(ops.raw_cpu_cmpxchg_4);
    // signed types share the void ops and wrap only the value-returning ones
    expect((i32.ops as Record<string, unknown>).this_cpu_add).toBe(ops.this_cpu_add_4);
    expect((i32.ops as Record<string, unknown>).this_cpu_read).not.toBe(ops.this_cpu_read_4);
    this_cpu_add(m, u32, 5);
    this_cpu_sub(m, u32, 7);
    expect(this_cpu_read(m, u32)).toBe(0xfffffffe);
  });

  it('reads signed types back signed, through every value-returning op', () => {
    const { m, i8, i16, i32, i64 } = machine();
    expect([this_cpu_read(m, i8), this_cpu_read(m, i16), this_cpu_read(m, i32), this_cpu_read(m, i64)]).toEqual([-1, -300, -7, -2n]);
    expect(this_cpu_dec_return(m, i8)).toBe(-2);
    this_cpu_write(m, i8, 127);
    this_cpu_inc(m, i8);
    expect(this_cpu_read(m, i8)).toBe(-128);
    expect(this_cpu_xchg(m, i16, 5)).toBe(-300);
    expect(this_cpu_cmpxchg(m, i32, -7, -8)).toBe(-7);
    expect(this_cpu_read(m, i32)).toBe(-8);
    preempt_disable(m);
    // -2 + (1 - 2^63) = -2^63 - 1 wraps past the minimum to the maximum
    expect(__this_cpu_add_return(m, i64, -(1n << 63n) + 1n)).toBe((1n << 63n) - 1n);
    preempt_enable(m);
    const box = { value: 0 };
    expect(this_cpu_try_cmpxchg(m, i32, box, 1)).toBe(false);
    expect(box.value).toBe(-8);
    expect(this_cpu_try_cmpxchg(m, i32, box, 1)).toBe(true);
    expect(per_cpu(m, i32, 0)).toBe(1);
  });

  it('treats bool as true/false and refuses arithmetic on it', () => {
    const { m, b } = machine();
    expect(this_cpu_read(m, b)).toBe(true);
    expect(raw_cpu_xchg(m, b, false)).toBe(true);
    expect(this_cpu_read(m, b)).toBe(false);
    expect(() => this_cpu_write(m, b, 1 as never)).toThrow('bool per-CPU variable takes true or false, got 1');
    expect(() => this_cpu_add(m, b as never, 1 as never)).toThrow('this_cpu_add(): not available for bool per-CPU variables');
  });

  it('points an untyped pointer at the sized ops', () => {
    const { m } = machine();
    const p = new PerCpuPtr<'u32'>(m, 0x40, null, { label: '__alloc_percpu #1', kind: 'dynamic' });
    expect(() => this_cpu_add(m, p, 1)).toThrow(
      'this_cpu_add(): this per-CPU pointer has no type; allocate with alloc_percpu(m, type) or call a sized op such as this_cpu_add_4',
    );
  });

  it('leaves u128 to this_cpu_cmpxchg128', () => {
    const { m, q } = machine();
    expect(() => this_cpu_read(m, q as never)).toThrow('this_cpu_read(): not available for u128 per-CPU variables');
    expect(ops.this_cpu_cmpxchg128(m, q, 0n, (1n << 127n) | 5n)).toBe(0n);
    expect(per_cpu(m, q, 0)).toBe((1n << 127n) | 5n);
  });
});

describe('generated typed layer', () => {
  it('has one function per unsized name of the generic layer, and each table has an entry for each', async () => {
    const typed: Record<string, unknown> = await import('../generated/percpu-defs.js');
    const names = Object.keys(typed).filter((k) => typeof typed[k] === 'function').sort();
    expect(names).toEqual([...TYPED_OPS].sort());
    expect(names.length).toBe(45);
    // Every variant of the kernel's size-generic ops is there.
    for (const v of ['raw_cpu', '__this_cpu', 'this_cpu']) {
      for (const op of ['read', 'write', 'add', 'sub', 'inc', 'dec', 'and', 'or', 'add_return', 'sub_return', 'inc_return', 'dec_return', 'xchg', 'cmpxchg', 'try_cmpxchg']) {
        expect(names).toContain(`${v}_${op}`);
      }
    }
    const table = opsFor('x86_64', 'u16') as Record<string, unknown>;
    for (const n of names) expect(typeof table[n], n).toBe('function');
  });
});
