/**
 * Ordinary memory: globals laid out at boot or placed after, kmalloc-class
 * objects with kfree's checks and poison, typed member pointers, and the
 * marked accesses and atomic families on them, in their fast and stepped
 * forms (one step each, with a footprint and the value it moved).
 */
import { describe, expect, it } from 'vitest';
import {
  Machine, READ_ONCE, WRITE_ONCE, atomic64_add_return, atomic_add, atomic_add_unless, atomic_cmpxchg, atomic_dec_and_test,
  atomic_dec_if_positive, atomic_fetch_andnot, atomic_inc, atomic_inc_not_zero, atomic_long_fetch_add_release, atomic_read, atomic_set,
  atomic_sub_return, atomic_try_cmpxchg, cmpxchg, global_var, kcalloc, kfree, kmalloc, kptr_add, kptr_member, kzalloc, smp_load_acquire,
  smp_mb, smp_store_release, stepped, try_cmpxchg, xchg, atomic_inc_unless_negative, atomic_dec_unless_positive, atomic_add_negative,
  atomic_xchg_relaxed, atomic_fetch_add_unless,
} from '../src/index.js';
import * as atomic from '../src/kernel/atomic.js';
import { xchg_i32 } from '../src/kernel/atomic.js';
import { load_i32, store_i32, store_u64, store_u8 } from '../src/mm/access.js';
import { kfree_addr, kmalloc_size, kzalloc_size } from '../src/mm/memory.js';
import { UseAfterFreeError } from '../src/errors.js';
import type { XchgType } from '../src/kernel/atomic.js';
import { kptr_at } from '../src/kptr.js';
import { footprint } from '../src/sched/step.js';

describe('globals and heap objects', () => {
  it('globals defined before boot are laid out in .data with their initialisers; after boot they are placed at once', () => {
    const m = new Machine({ cpus: 2 });
    const nr = global_var(m, 'atomic_t', 'nr_free', { counter: 5 });
    const flag = global_var(m, 'u8', 'flag', 1);
    const big = global_var(m, 'u64', 'big', 7n);
    expect(Number.isNaN(nr.addr)).toBe(true);
    expect(() => kptr_member(m, nr, 'counter')).toThrow('kptr_member(nr_free, "counter"): global nr_free (atomic_t) is placed in .data when the machine boots; make member pointers after m.boot()');
    m.boot();
    expect([nr.addr % 4, flag.addr - nr.addr, big.addr - nr.addr]).toEqual([0, 4, 8]);
    expect(atomic_read(m, nr)).toBe(5);
    expect(READ_ONCE(m, flag)).toBe(1);
    expect(READ_ONCE(m, big)).toBe(7n);
    const late = global_var(m, 's16', 'late', -2);
    expect(READ_ONCE(m, late)).toBe(-2);
    expect(() => global_var(m, 'int', 'late')).toThrow("global_var(late): redefinition of 'late'");
    expect(() => global_var(m, 'u8', 'x', 300)).toThrow('global_var(x) initialiser: 300 is out of range for u8 [0, 255]');
  });

  it('kzalloc/kmalloc size classes, alignment, members, kfree checks and poison', () => {
    const m = new Machine({ cpus: 1 }).boot();
    m.ctypes.struct('mnt', { mnt_count: 'atomic_t', mnt_flags: 'int', mnt_list: 'struct list_head' });
    const a = kzalloc(m, 'struct mnt', 'mnt')!;
    const b = kzalloc(m, 'struct mnt')!;
    expect(a.addr % 32).toBe(0);
    expect(b.addr - a.addr).toBe(32); // kmalloc-32: the next object of the same slab page
    const cnt = kptr_member(m, a, 'mnt_count', 'atomic_t');
    const prev = kptr_member(m, a, 'mnt_list.prev');
    expect([cnt.sym, prev.sym, prev.addr - a.addr]).toEqual(['mnt->mnt_count', 'mnt->mnt_list.prev', 16]);
    atomic_inc(m, cnt);
    expect(atomic_read(m, cnt)).toBe(1);
    expect(() => kfree(m, prev)).toThrow('kfree: mnt->mnt_list.prev points into kzalloc #1 (struct mnt, 24 bytes) at byte 16, not at its start; pass what kmalloc() returned; nothing was changed');
    expect(atomic_read(m, cnt)).toBe(1);
    const aAddr = a.addr;
    kfree(m, a);
    expect(() => atomic_read(m, cnt)).toThrow('use-after-free: kzalloc #1 (struct mnt, 24 bytes) was freed by kfree()');
    expect(() => kfree(m, a)).toThrow('double free: kfree() of kzalloc #1 (struct mnt, 24 bytes), which was already freed; nothing was changed');
    kfree(m, null);
    const c = kmalloc(m, 'struct mnt')!;
    expect(c.addr).toBe(b.addr + 32); // the freed slot waits in KASAN's quarantine (see below)
    expect(aAddr).toBe(b.addr - 32);
    const arr = kcalloc(m, 10, 'u64', 'stats')!;
    expect([arr.ctype.name, arr.ctype.size, arr.addr % 32]).toEqual(['u64[10]', 80, 0]);
    expect(kptr_member(m, arr, '[9]').sym).toBe('(*stats)[9]');
    const g = global_var(m, 'int', 'gv');
    expect(() => kfree(m, g)).toThrow('kfree: gv is global gv (int), not memory from kmalloc(); nothing was changed');
    expect(() => kptr_add(m, arr, 80, 'u64')).toThrow('kptr_add(*stats, 80): a u64 at byte 80 of kcalloc #4 (u64[10], 80 bytes) lies outside the object (80 bytes); nothing was made');
    expect(() => kptr_add(m, arr, 4, 'u64')).toThrow('kptr_add(*stats, 4): address 0x');
  });
});

describe('marked accesses and atomics (fast)', () => {
  it('kptr_at refuses NULL and a member of a NULL pointer (the null page), and writes nothing there', () => {
    const m = new Machine({ cpus: 1 }).boot();
    const g = global_var(m, 'atomic_t', 'g');
    atomic_set(m, g, 7);
    const p = kptr_at(m, g.addr, 'atomic_t', 's->refs');
    atomic_inc(m, p);
    expect(atomic_read(m, g)).toBe(8);
    const before = m.u8.slice(0, 4096);
    expect(() => kptr_at(m, 0, 'atomic_t', 'p->refs')).toThrow(new RangeError('p->refs: address 0 is not in mapped memory (a NULL or stray pointer)'));
    expect(() => kptr_at(m, 8, 'atomic_t', 'p->refs')).toThrow(new RangeError('p->refs: address 8 is not in mapped memory (a NULL or stray pointer)'));
    expect(() => kptr_at(m, 4092, 'atomic_t', 'p->refs')).toThrow(new RangeError('p->refs: address 4092 is not in mapped memory (a NULL or stray pointer)'));
    expect(() => kptr_at(m, m.mappedBytes - 2, 'atomic_t', 'p->refs')).toThrow(RangeError);
    expect(m.u8.slice(0, 4096)).toEqual(before);
    expect(atomic_read(m, g)).toBe(8);
  });

  it('READ_ONCE/WRITE_ONCE/acquire/release/xchg/cmpxchg/try_cmpxchg on scalars, signed values signed', () => {
    const m = new Machine({ cpus: 1 }).boot();
    const s = global_var(m, 's8', 's');
    WRITE_ONCE(m, s, -3);
    expect(READ_ONCE(m, s)).toBe(-3);
    smp_store_release(m, s, 100);
    expect(smp_load_acquire(m, s)).toBe(100);
    expect(xchg(m, s, -128)).toBe(100);
    expect(cmpxchg(m, s, -1, 5)).toBe(-128);
    expect(cmpxchg(m, s, -128, 5)).toBe(-128);
    expect(READ_ONCE(m, s)).toBe(5);
    const old = { value: 0 };
    expect(try_cmpxchg(m, s, old, 9)).toBe(false);
    expect(old.value).toBe(5);
    expect(try_cmpxchg(m, s, old, 9)).toBe(true);
    expect(READ_ONCE(m, s)).toBe(9);
    expect(() => WRITE_ONCE(m, s, 1.5)).toThrow('WRITE_ONCE(s): val: i8 takes an integer number, got 1.5');
    expect(() => READ_ONCE(m, 3 as never)).toThrow('READ_ONCE: expected a pointer to machine memory (global_var(), kzalloc(), or a member of one), got 3');
    smp_mb();
    expect(READ_ONCE(m, s)).toBe(9);
  });

  it('the atomic_t, atomic64_t and atomic_long_t families, arguments in the kernel\'s order', () => {
    const m = new Machine({ cpus: 1 }).boot();
    const v = global_var(m, 'atomic_t', 'v');
    atomic_set(m, v, 2147483647);
    atomic_add(m, 1, v);
    expect(atomic_read(m, v)).toBe(-2147483648); // wraps as an int
    atomic_set(m, v, 3);
    expect(atomic_sub_return(m, 1, v)).toBe(2);
    expect(atomic_fetch_andnot(m, 2, v)).toBe(2);
    expect(atomic_read(m, v)).toBe(0);
    expect(atomic_inc_not_zero(m, v)).toBe(false);
    expect(atomic_add_unless(m, v, 5, 1)).toBe(true);
    expect(atomic_fetch_add_unless(m, v, 5, 5)).toBe(5);
    expect(atomic_cmpxchg(m, v, 5, 1)).toBe(5);
    expect(atomic_dec_and_test(m, v)).toBe(true);
    expect(atomic_dec_if_positive(m, v)).toBe(-1);
    expect(atomic_read(m, v)).toBe(0);
    expect(atomic_dec_unless_positive(m, v)).toBe(true);
    expect(atomic_inc_unless_negative(m, v)).toBe(false);
    expect(atomic_add_negative(m, 0, v)).toBe(true);
    expect(atomic_xchg_relaxed(m, v, 7)).toBe(-1);
    const old = { value: 6 };
    expect(atomic_try_cmpxchg(m, v, old, 8)).toBe(false);
    expect(old.value).toBe(7);
    const l = kzalloc(m, 'atomic_long_t', 'l')!;
    expect(atomic64_add_return(m, 5n, l)).toBe(5n);
    expect(atomic_long_fetch_add_release(m, -10n, l)).toBe(5n);
    expect(atomic64_add_return(m, 0n, l)).toBe(-5n);
    expect(() => atomic_inc(m, l as never)).toThrow('atomic_inc: v must point to an atomic_t, got *l (atomic64_t)');
    expect(() => atomic_add(m, 1n as never, v)).toThrow('atomic_add: i: int takes an integer number, got 1n');
    expect(atomic_read(m, v)).toBe(7);
  });
});

describe('stepped forms', () => {
  it('one step each, announced before it runs, with its footprint, the operand by name and the value it moved', () => {
    const m = new Machine({ cpus: 2 }).boot();
    const v = global_var(m, 'atomic_t', 'nr', { counter: 3 });
    const g = stepped.atomic_inc(m, v);
    const first = g.next();
    expect(first.done).toBe(false);
    const step = first.value as { asm: string; moved?: string };
    expect(step.asm).toBe('lock incl nr');
    expect(atomic_read(m, v)).toBe(3); // not yet run
    expect(footprint(m, step as never, 0)).toEqual([{ lo: v.addr, hi: v.addr + 4, name: '', write: true }]);
    expect(g.next()).toEqual({ done: true, value: undefined });
    expect(step.moved).toBe('3 -> 4');
    const r = stepped.READ_ONCE(m, kptr_member(m, v, 'counter'));
    const s = r.next().value as { asm: string; moved?: string };
    expect(s.asm).toBe('movl nr.counter, %eax');
    expect(footprint(m, s as never, 1)).toEqual([{ lo: v.addr, hi: v.addr + 4, name: '', write: false }]);
    expect(r.next()).toEqual({ done: true, value: 4 });
    expect(s.moved).toBe('4');
    const add = stepped.atomic_add(m, 5, v);
    expect((add.next().value as { asm: string }).asm).toBe('lock addl $5, nr');
    add.next();
    expect(atomic_read(m, v)).toBe(9);
    // barriers are no steps at all
    expect(stepped.smp_mb().next()).toEqual({ done: true, value: undefined });
  });

  it('arm64 and asm-generic name their own instructions', () => {
    const arm = new Machine({ cpus: 1, arch: 'arm64' }).boot();
    const v = global_var(arm, 'atomic_t', 'nr');
    expect((stepped.atomic_fetch_add(arm, 2, v).next().value as { asm: string }).asm).toBe('ldaddal w1, w0, [nr]');
    const gen = new Machine({ cpus: 1, arch: 'generic' }).boot();
    const w = global_var(gen, 'atomic_t', 'nr');
    expect((stepped.atomic_cmpxchg(gen, w, 0, 1).next().value as { asm: string }).asm).toBe('atomic_cmpxchg(&nr, 0, 1)');
  });
});

describe('the sized xchg and cmpxchg of translated C', () => {
  it('the fast form of each width and the stepped form do the same access, and a refusal names the spelling used, storing nothing', () => {
    const m = new Machine({ cpus: 1 }).boot();
    const a = kzalloc(m, 'u64', 'x')!.addr;
    const cases: [XchgType, number | bigint, number | bigint, number | bigint][] = [
      ['u8', 7, 255, 9], ['i8', -3, -128, 4], ['u16', 1, 65535, 2], ['i16', -1, 32767, 3], ['u32', 5, 0xffffffff, 6], ['i32', -5, 2 ** 31 - 1, 6],
      ['u64', 5n, 2n ** 64n - 1n, 6n], ['i64', -5n, -(2n ** 63n), 6n], ['ulong', 1n, 2n ** 63n, 2n], ['long', -1n, 2n ** 62n, 2n], ['ptr', 0x1000, 0x2000, 0x3000],
    ];
    for (const [type, first, second, third] of cases) {
      const fast = atomic as unknown as Record<string, (...x: unknown[]) => unknown>;
      const run = (g: Generator<unknown, unknown>): unknown => {
        let r = g.next();
        while (!r.done) r = g.next();
        return r.value;
      };
      const zero = typeof first === 'bigint' ? 0n : 0;
      fast[`xchg_${type}`](m, a, zero);
      expect(fast[`xchg_${type}`](m, a, first), type).toBe(zero);
      expect(run(atomic.xchg_at(m, 'xchg_relaxed', a, type, second, 'x'))).toBe(first);
      expect(fast[`cmpxchg_${type}`](m, a, first, third)).toBe(second); // a miss stores nothing
      expect(run(atomic.cmpxchg_at(m, 'cmpxchg', a, type, first, third, 'x'))).toBe(second);
      expect(fast[`cmpxchg_${type}`](m, a, second, third)).toBe(second); // a match stores
      expect(run(atomic.cmpxchg_at(m, 'cmpxchg_acquire', a, type, third, first, 'x'))).toBe(third);
      expect(fast[`xchg_${type}`](m, a, zero)).toBe(first);
    }
    const before = m.u8.slice(0, 64);
    const outside = (at: number): string => `load: address 0x${at.toString(16)} is outside mapped per-CPU memory [0x1000, 0x${m.mappedBytes.toString(16)}); nothing was stored`;
    expect(() => atomic.xchg_u32(m, 0, 1)).toThrow(`xchg: ${outside(0)}`);
    expect(() => atomic.cmpxchg_i64(m, 8, 0n, 1n)).toThrow(`cmpxchg: ${outside(8)}`);
    const x = atomic.xchg_at(m, 'xchg_release', 0, 'u32', 1, 'p');
    expect((x.next().value as { asm: string }).asm).toBe('xchgl %eax, p');
    expect(() => x.next()).toThrow(`xchg_release: ${outside(0)}`);
    const g = atomic.cmpxchg_at(m, 'try_cmpxchg64', 16, 'u64', 0n, 1n, '*p');
    expect((g.next().value as { asm: string }).asm).toBe('lock cmpxchgq %rcx, *p');
    expect(() => g.next()).toThrow(`try_cmpxchg64: ${outside(16)}`);
    expect(m.u8.slice(0, 64)).toEqual(before);
  });
});

describe('KASAN: a freed kmalloc() object reached through a plain address', () => {
  const hex = (a: number): string => `0x${a.toString(16)}`;

  it('a load or store through the address C kept is refused in KASAN\'s words, memory unchanged; other objects stay reachable', () => {
    const m = new Machine({ cpus: 1 }).boot();
    const a = kzalloc_size(m, 40);
    const b = kzalloc_size(m, 40);
    store_i32(m, a + 8, 7);
    store_i32(m, b, 9);
    kfree_addr(m, a);
    const before = m.u8.slice();
    const report = (what: string, rw: string, size: number, at: number): string =>
      `BUG: KASAN: slab-use-after-free in ${what}: ${rw} of size ${size} at addr ${hex(at)}; the buggy address is located ${at - a} bytes inside of freed 40-byte region [${hex(a)}, ${hex(a + 40)}) (kzalloc #1 (u8[40], 40 bytes), cache kmalloc-64), freed by kfree()`;
    expect(() => load_i32(m, a + 8)).toThrow(new UseAfterFreeError(report('load', 'Read', 4, a + 8)));
    expect(() => store_u64(m, a + 32, 1n)).toThrow(new UseAfterFreeError(report('store', 'Write', 8, a + 32)));
    expect(() => m.load(a, 'u8')).toThrow(report('load', 'Read', 1, a));
    expect(() => xchg_i32(m, a + 4, 3)).toThrow(`xchg: ${report('load', 'Read', 4, a + 4)}; nothing was stored`);
    expect(m.u8.slice()).toEqual(before);
    // The object after it (past the quarantine's lowest address, so checked) and one allocated later are untouched by it.
    expect(load_i32(m, b)).toBe(9);
    const c = kmalloc_size(m, 40);
    expect([c === a, c === b + 64]).toEqual([false, true]);
    store_i32(m, c, 5);
    expect(load_i32(m, c)).toBe(5);
    expect(() => kfree_addr(m, a)).toThrow(`kfree: ${hex(a)} is not the start of a live kmalloc() object (a double free, a global, or a pointer into an object); nothing was changed`);
  });

  it('the quarantine hands the oldest freed slot back after 256 more frees, and without debug a freed slot is reused at once', () => {
    const m = new Machine({ cpus: 1 }).boot();
    const first = kmalloc_size(m, 16);
    kfree_addr(m, first);
    const more = Array.from({ length: 256 }, () => kmalloc_size(m, 16));
    expect(more).not.toContain(first);
    for (const x of more) kfree_addr(m, x);
    // 257 frees: the first object left the quarantine for its cache's free list, and it is reachable again.
    const again = kmalloc_size(m, 16);
    expect(again).toBe(first);
    store_i32(m, again, 1);
    expect(load_i32(m, again)).toBe(1);
    expect(() => load_i32(m, more[0])).toThrow(`BUG: KASAN: slab-use-after-free in load: Read of size 4 at addr ${hex(more[0])}`);

    const quiet = new Machine({ cpus: 1, debug: false }).boot();
    const x = kmalloc_size(quiet, 16);
    store_i32(quiet, x, 42);
    kfree_addr(quiet, x);
    expect(load_i32(quiet, x)).toBe(42); // unchecked, as a kernel without KASAN
    const y = kmalloc_size(quiet, 16);
    expect([y, load_i32(quiet, y)]).toEqual([x, 42]); // kmalloc does not clear
  });

  it('a freed large (page) object is reported as a use-after-free of its pages', () => {
    const m = new Machine({ cpus: 1 }).boot();
    const big = kmalloc_size(m, 10000);
    kfree_addr(m, big);
    expect(() => store_u8(m, big + 9999, 1)).toThrow(`BUG: KASAN: use-after-free in store: Write of size 1 at addr ${hex(big + 9999)}; the buggy address is located 9999 bytes inside of freed 10000-byte region [${hex(big)}, ${hex(big + 10000)}) (kmalloc #1 (u8[10000], 10000 bytes)), freed by kfree()`);
  });
});
