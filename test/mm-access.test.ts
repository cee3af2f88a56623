/**
 * src/mm/access.ts: the sized loads and stores translated C uses do exactly
 * what m.load()/m.store() do with the same type — the same values, the same
 * bytes written, the same refusals with memory unchanged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as access from '../src/mm/access.js';
import { global_var } from '../src/mm/memory.js';
import { Machine } from '../src/machine.js';
import type { ScalarName } from '../src/types.js';

const TYPES = ['u8', 'i8', 'bool', 'u16', 'i16', 'u32', 'i32', 'u64', 'i64', 'ulong', 'long'] as const satisfies readonly ScalarName[];
type T = (typeof TYPES)[number];
const loads = access as unknown as Record<`load_${T}`, (m: Machine, a: number) => number | bigint | boolean>;
const stores = access as unknown as Record<`store_${T}`, (m: Machine, a: number, v: unknown) => void>;

/** A booted machine with 32 bytes of ordinary memory at `base`. */
function machine(): { m: Machine; base: number } {
  const m = new Machine({ cpus: 2 });
  const area = global_var(m, 'u64[4]', 'area');
  m.boot();
  return { m, base: area.addr };
}

function bytes(m: Machine, base: number): number[] {
  return [...m.u8.subarray(base, base + 32)];
}

describe('sized loads', () => {
  it('read what m.load() reads, for every type and offset the type allows', () => {
    const { m, base } = machine();
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (data) => {
      m.u8.set(data, base);
      for (const t of TYPES) {
        const size = t === 'bool' || t.endsWith('8') ? 1 : t.endsWith('16') ? 2 : t.endsWith('32') ? 4 : 8;
        for (let off = 0; off + size <= 32; off += size) expect(loads[`load_${t}`](m, base + off)).toBe(m.load(base + off, t));
      }
      for (let off = 0; off < 32; off += 8) expect(access.load_ptr(m, base + off)).toBe(Number(m.load(base + off, 'ulong')));
    }), { numRuns: 50 });
  });

  it('load_ptr() rounds a value past 2^53 as Number() does', () => {
    const { m, base } = machine();
    for (const v of [0n, 0x1000n, (1n << 53n) + 1n, (1n << 64n) - 1n, 0x8000_0000_0000_0401n]) {
      m.u64[base / 8] = v;
      expect(access.load_ptr(m, base)).toBe(Number(v));
    }
  });

  it('refuse what m.load() refuses, with its message', () => {
    const { m, base } = machine();
    for (const [t, addr] of [['i32', base + 2], ['u64', base + 4], ['i16', base + 0.5], ['u8', 0], ['long', 2 ** 33]] as const) {
      const mine = (): unknown => loads[`load_${t}`](m, addr);
      expect(mine).toThrow();
      let theirs = '';
      try {
        m.load(addr, t);
      } catch (e) {
        theirs = (e as Error).message;
      }
      expect(mine).toThrow(theirs);
    }
    expect(() => access.load_ptr(m, base + 4)).toThrow(`load: address 0x${(base + 4).toString(16)} is not 8-byte aligned for ulong`);
    expect(() => access.load_i32(new Machine({ cpus: 1 }), 4096)).toThrow('per-CPU memory is not set up yet');
  });

  it('name themselves when given no machine', () => {
    expect(() => access.load_i32(null as never, 4096)).toThrow(new TypeError('load_i32: expected a Machine (new Machine({ cpus })), got null'));
    expect(() => access.load_ptr(5 as never, 4096)).toThrow(new TypeError('load_ptr: expected a Machine (new Machine({ cpus })), got 5'));
    expect(() => access.store_ulong({} as never, 4096, 1n)).toThrow(new TypeError('store_ulong: expected a Machine (new Machine({ cpus })), got an object ([object Object])'));
    expect(() => access.store_bool(undefined as never, 4096, true)).toThrow(new TypeError('store_bool: expected a Machine (new Machine({ cpus })), got undefined'));
  });
});

describe('sized stores', () => {
  it('write the bytes m.store() writes, wrapping as a C conversion does', () => {
    const a = machine();
    const b = machine();
    const number = fc.oneof(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: -300, max: 300 }));
    fc.assert(fc.property(fc.constantFrom(...TYPES), fc.nat(3), number, fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }), fc.boolean(), (t, slot, n, big, flag) => {
      const v = t === 'bool' ? flag : /64|long/.test(t) ? big : n;
      stores[`store_${t}`](a.m, a.base + slot * 8, v);
      b.m.store(b.base + slot * 8, t, v as never);
      expect(bytes(a.m, a.base)).toEqual(bytes(b.m, b.base));
    }), { numRuns: 300 });
  });

  it('refuse what m.store() refuses, with its message, and write nothing', () => {
    const { m, base } = machine();
    m.u8.fill(0xa5, base, base + 32);
    const before = bytes(m, base);
    const cases: [T, number, unknown][] = [['u32', base + 1, 1], ['i32', base, 1.5], ['u64', base, 1], ['long', base, 8], ['bool', base, 1], ['u8', 0, 1]];
    for (const [t, addr, v] of cases) {
      let theirs = '';
      try {
        m.store(addr, t, v as never);
      } catch (e) {
        theirs = (e as Error).message;
      }
      expect(theirs).not.toBe('');
      expect(() => stores[`store_${t}`](m, addr, v)).toThrow(theirs);
      expect(bytes(m, base)).toEqual(before);
    }
  });
});
