/**
 * Every generated atomic_t / atomic64_t / atomic_long_t function (fast and
 * stepped) against a reference model written here from the kernel's kerneldoc
 * (include/linux/atomic/atomic-instrumented.h, v6.16), on edge values: 0, ±1,
 * the type's extremes (which wrap). The fast and stepped forms must agree with
 * the model on the result, the memory after, and try_cmpxchg's `old`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as fast from '../generated/atomic.js';
import * as stepped from '../generated/atomic-stepped.js';
import { ATOMICS_TABLE, expandRow, parseAtomicsTable, type AtomicVariant } from '../generator/atomics.js';
import { Machine, READ_ONCE, global_var, kptr_member, type KPtr } from '../src/index.js';
import { ROOT } from './generator/support.js';

type Fn = (...args: unknown[]) => unknown;
const ROWS = parseAtomicsTable(readFileSync(path.join(ROOT, 'templates', ATOMICS_TABLE), 'utf8'), 'atomics.tbl');
const VARIANTS = ROWS.flatMap(expandRow);

/** The kernel's semantics of one op (ordering suffix dropped) on `bits`-bit two's complement values. */
function model(op: string, bits: number, old: bigint, a: Record<string, bigint>): { next: bigint; ret: bigint | boolean | undefined; oldOut?: bigint } {
  const w = (x: bigint): bigint => BigInt.asIntN(bits, x);
  const arith: Record<string, (x: bigint) => bigint> = {
    add: (x) => w(x + a.i), sub: (x) => w(x - a.i), inc: (x) => w(x + 1n), dec: (x) => w(x - 1n),
    and: (x) => x & a.i, andnot: (x) => x & ~a.i, or: (x) => x | a.i, xor: (x) => x ^ a.i,
  };
  const base = op.replace(/_(acquire|release|relaxed)$/, '');
  if (base in arith) return { next: arith[base](old), ret: undefined };
  const ret = /^(\w+)_return$/.exec(base);
  if (ret) return { next: arith[ret[1]](old), ret: arith[ret[1]](old) };
  const fetch = /^fetch_(\w+)$/.exec(base);
  if (fetch && fetch[1] in arith) return { next: arith[fetch[1]](old), ret: old };
  switch (base) {
    case 'read': return { next: old, ret: old };
    case 'set': return { next: a.i, ret: undefined };
    case 'xchg': return { next: a.new, ret: old };
    case 'cmpxchg': return { next: old === a.old ? a.new : old, ret: old };
    case 'try_cmpxchg': return old === a.old ? { next: a.new, ret: true, oldOut: a.old } : { next: old, ret: false, oldOut: old };
    case 'sub_and_test': return { next: w(old - a.i), ret: w(old - a.i) === 0n };
    case 'dec_and_test': return { next: w(old - 1n), ret: w(old - 1n) === 0n };
    case 'inc_and_test': return { next: w(old + 1n), ret: w(old + 1n) === 0n };
    case 'add_negative': return { next: w(old + a.i), ret: w(old + a.i) < 0n };
    case 'add_unless': return old !== a.u ? { next: w(old + a.a), ret: true } : { next: old, ret: false };
    case 'fetch_add_unless': return { next: old !== a.u ? w(old + a.a) : old, ret: old };
    case 'inc_not_zero': return old !== 0n ? { next: w(old + 1n), ret: true } : { next: old, ret: false };
    case 'inc_unless_negative': return old >= 0n ? { next: w(old + 1n), ret: true } : { next: old, ret: false };
    case 'dec_unless_positive': return old <= 0n ? { next: w(old - 1n), ret: true } : { next: old, ret: false };
    case 'dec_if_positive': return { next: w(old - 1n) >= 0n ? w(old - 1n) : old, ret: w(old - 1n) };
  }
  throw new Error(`no model for ${op}`);
}

const TYPES = [
  { prefix: 'atomic', ctype: 'atomic_t', bits: 32 },
  { prefix: 'atomic64', ctype: 'atomic64_t', bits: 64 },
  { prefix: 'atomic_long', ctype: 'atomic_long_t', bits: 64 },
] as const;

function edges(bits: number): bigint[] {
  const max = (1n << BigInt(bits - 1)) - 1n;
  return [0n, 1n, -1n, 5n, max, -max - 1n];
}

function* argSets(v: AtomicVariant, bits: number): Generator<Record<string, bigint>> {
  const names = v.row.args.filter((a) => a.type === 'i' || a.type === 'p').map((a) => a.name);
  const vals = edges(bits);
  if (names.length === 0) yield {};
  else if (names.length === 1) for (const x of vals) yield { [names[0]]: x };
  else for (const x of vals) for (const y of [x, 0n, 1n, vals[4]]) yield { [names[0]]: x, [names[1]]: y };
}

describe('generated atomics against the reference model', () => {
  for (const t of TYPES) {
    it(`${t.prefix}_*: fast and stepped agree with the model on edge values`, () => {
      const m = new Machine({ cpus: 1 }).boot();
      const s = new Machine({ cpus: 1 }).boot();
      const pf = global_var(m, t.ctype, 'v') as KPtr<unknown>;
      const ps = global_var(s, t.ctype, 'v') as KPtr<unknown>;
      const big = t.bits === 64;
      const num = (x: bigint): number | bigint => (big ? x : Number(x));
      const set = (mm: Machine, p: KPtr<unknown>, x: bigint): void => (big ? mm.view.setBigInt64(p.addr, x, true) : mm.view.setInt32(p.addr, Number(x), true));
      const get = (mm: Machine, p: KPtr<unknown>): bigint => (big ? mm.view.getBigInt64(p.addr, true) : BigInt(mm.view.getInt32(p.addr, true)));
      let checked = 0;
      for (const v of VARIANTS) {
        const name = `${t.prefix}_${v.op}`;
        const f = (fast as unknown as Record<string, Fn>)[name];
        const g = (stepped as unknown as Record<string, Fn>)[name];
        expect(typeof f, name).toBe('function');
        expect(typeof g, name).toBe('function');
        for (const old of edges(t.bits)) {
          for (const a of argSets(v, t.bits)) {
            const want = model(v.op, t.bits, old, a);
            const boxF = { value: num(a.old ?? 0n) };
            const boxS = { value: num(a.old ?? 0n) };
            const args = (p: KPtr<unknown>, box: { value: unknown }): unknown[] => v.row.args.map((x) => (x.type === 'v' || x.type === 'cv' ? p : x.type === 'p' ? box : num(a[x.name])));
            set(m, pf, old);
            set(s, ps, old);
            const r = f(m, ...args(pf, boxF));
            const gen = g(s, ...args(ps, boxS)) as Generator<{ moved?: string }, unknown>;
            const step = gen.next();
            expect(step.done, name).toBe(false);
            const end = gen.next();
            expect(end.done, name).toBe(true);
            const label = `${name}(old ${old}, ${JSON.stringify(a, (_k, x) => (typeof x === 'bigint' ? String(x) : x))})`;
            const wantRet = typeof want.ret === 'bigint' ? num(want.ret) : want.ret;
            expect(r, label).toBe(wantRet);
            expect(end.value, label).toBe(wantRet);
            expect(get(m, pf), label).toBe(want.next);
            expect(get(s, ps), label).toBe(want.next);
            expect((step.value as { moved?: string }).moved, label).toBe(v.row.args.some((x) => x.type === 'cv') ? `${old}` : `${old} -> ${want.next}`);
            if (want.oldOut !== undefined) {
              expect(boxF.value, label).toBe(num(want.oldOut));
              expect(boxS.value, label).toBe(num(want.oldOut));
            }
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(2000);
    });
  }

  it('a refused call names the function the caller used and changes nothing', () => {
    const m = new Machine({ cpus: 1 }).boot();
    const v = global_var(m, 'atomic_t', 'nr', { counter: 3 });
    const l = global_var(m, 'atomic_long_t', 'l');
    expect(() => fast.atomic_add_return_acquire(m, 1.5, v)).toThrow('atomic_add_return_acquire: i: int takes an integer number, got 1.5');
    expect(() => fast.atomic_long_cmpxchg_relaxed(m, l, 1 as never, 2n)).toThrow('atomic_long_cmpxchg_relaxed: old: s64 takes a bigint, got 1');
    expect(() => fast.atomic_try_cmpxchg(m, v, null as never, 1)).toThrow('atomic_try_cmpxchg: old must be an object { value }, got null');
    expect(() => fast.atomic64_read(m, v)).toThrow('atomic64_read: v must point to an atomic64_t / atomic_long_t, got nr (atomic_t)');
    expect(() => fast.atomic_inc(m, {} as never)).toThrow('atomic_inc: expected a pointer to machine memory (global_var(), kzalloc(), or a member of one), got an object ([object Object])');
    expect(() => stepped.atomic_fetch_or_release(m, 'x' as never, v).next()).toThrow('atomic_fetch_or_release: i: int takes an integer number, got "x"');
    expect(fast.atomic_read(m, v)).toBe(3);
    expect(m.ctx.preemptCount).toBe(0);
  });

  it('the machine is checked first, and a pointer into another machine\'s memory is refused, changing neither', () => {
    const m = new Machine({ cpus: 1 }).boot();
    const other = new Machine({ cpus: 1 }).boot();
    const v = global_var(m, 'atomic_t', 'nr', { counter: 3 });
    const before = other.u8.slice();
    const foreign = `nr points into machine #${m.id}'s memory, not into that of machine #${other.id}, which runs this call; nothing was changed`;
    expect(() => fast.atomic_inc(other, v)).toThrow(`atomic_inc: ${foreign}`);
    expect(() => stepped.atomic_add(other, 1, v).next()).toThrow(`atomic_add: ${foreign}`);
    expect(() => READ_ONCE(other, kptr_member(m, v, 'counter'))).toThrow(`READ_ONCE: nr.counter points into machine #${m.id}'s memory, not into that of machine #${other.id}, which runs this call; nothing was changed`);
    expect(() => fast.atomic_add(5 as never, 1.5, v)).toThrow('atomic_add: expected a Machine (new Machine({ cpus })), got 5');
    expect(() => fast.atomic_read(new Machine({ cpus: 1 }), v)).toThrow('atomic_read: the machine has not booted: ordinary memory exists once m.boot() has run');
    expect(other.u8.slice()).toEqual(before);
    expect(fast.atomic_read(m, v)).toBe(3);
  });
  it('every op refuses a bad machine first, though only its pointer check tests it (the pointer\'s machine proves m), and a bad pointer before a bad operand', () => {
    const m = new Machine({ cpus: 1 }).boot();
    const v = global_var(m, 'atomic_t', 'nr', { counter: 3 });
    const v64 = global_var(m, 'atomic64_t', 'nr64', { counter: 3n });
    const early = new Machine({ cpus: 1 });
    const e = global_var(early, 'atomic_t', 'pre', { counter: 1 });
    const e64 = global_var(early, 'atomic64_t', 'pre64', { counter: 1n });
    // A machine-shaped object is not a machine: it reaches no memory.
    const lookalike = { booted: true, view: m.view, id: m.id };
    const before = m.u8.slice();
    let n = 0;
    for (const [name, f] of Object.entries(fast) as [string, (...a: unknown[]) => unknown][]) {
      if (!/^atomic(64|_long)?_/.test(name)) continue;
      const p = name.startsWith('atomic_') && !name.startsWith('atomic_long_') ? v : v64;
      const pre = p === v ? e : e64;
      const g = (stepped as unknown as Record<string, (...a: unknown[]) => Generator>)[name];
      for (const bad of [5, null, lookalike]) {
        expect(() => f(bad, p, p, p), name).toThrow(`${name}: expected a Machine (new Machine({ cpus })), got ${bad === null ? 'null' : bad === 5 ? '5' : 'an object'}`);
        expect(() => g(bad, p, p, p).next(), name).toThrow(`${name}: expected a Machine (new Machine({ cpus })), got ${bad === null ? 'null' : bad === 5 ? '5' : 'an object'}`);
      }
      expect(() => f(early, pre, pre, pre), name).toThrow(`${name}: the machine has not booted: ordinary memory exists once m.boot() has run`);
      expect(() => f(m, 1.5, 1.5, 1.5), name).toThrow(`${name}: expected a pointer`);
      n++;
    }
    expect(n).toBe(255);
    expect(m.u8.slice()).toEqual(before);
  });
});
