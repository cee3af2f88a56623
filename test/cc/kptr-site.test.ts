/**
 * kptr_site(): the pointer a translated atomic_*() call makes at its call
 * site is kept while the address is the same and mapped; another address, or
 * the same one once nothing is mapped, goes through kptr_at() and its checks
 * and messages, as does an address inside an object kfree() has freed (KASAN's
 * report). A kfree() of another object, below the kept one, does not make the
 * site drop its pointer. A translated function calling atomics makes its
 * pointers once.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../cc/compile.js';
import { kptr_at, kptr_site } from '../../src/kptr.js';
import { Machine } from '../../src/machine.js';
import { global_var, kfree_addr, kzalloc_size } from '../../src/mm/memory.js';
import { atomic_inc, atomic_read } from '../../generated/atomic.js';
import { drain, translateAndLoad } from './support.js';

/**
 * test/cc/calls/atomic_sites.c translated and set up in each flavour on a machine of its own:
 * `run` gives a call's result (a stepped call run to its end).
 */
async function sitesInBothFlavours(): Promise<{ flavour: 'fast' | 'stepped'; m: Machine; f: Record<string, (...a: number[]) => unknown>; run: (r: unknown) => unknown }[]> {
  const { fast, stepped } = await translateAndLoad(path.join(ROOT, 'test/cc/calls/atomic_sites.c'));
  return (['fast', 'stepped'] as const).map((flavour) => {
    const m = new Machine({ cpus: 1 });
    const f = (flavour === 'fast' ? fast : stepped).instantiate(m) as Record<string, (...a: number[]) => unknown>;
    m.boot();
    m.loadCpu(0);
    const run = (r: unknown): unknown => (flavour === 'fast' ? r : drain(r as Generator<unknown, unknown, undefined>));
    run(f.setup());
    return { flavour, m, f, run };
  });
}

describe('kptr_site', () => {
  it('returns the same pointer for the same address, and a checked new one for another', () => {
    const m = new Machine({ cpus: 1 });
    const a = global_var(m, 'atomic_t', 'a');
    const b = global_var(m, 'atomic_t', 'b');
    m.boot();
    const site = kptr_site();
    const p = site(m, a.addr, 'atomic_t', 'a', 'atomic_inc', true);
    expect(site(m, a.addr, 'atomic_t', 'a', 'atomic_inc', true)).toBe(p);
    expect(p).toEqual(kptr_at(m, a.addr, 'atomic_t', 'a'));
    const q = site(m, b.addr, 'atomic_t', 'a', 'atomic_inc', true);
    expect(q).not.toBe(p);
    expect(q.addr).toBe(b.addr);
    atomic_inc(m, q);
    expect(atomic_read(m, b)).toBe(1);
    expect(atomic_read(m, a)).toBe(0);
    expect(() => site(m, 8, 'atomic_t', 'p->refs', 'atomic_inc', true)).toThrow(new RangeError('p->refs: address 8 is not in mapped memory (a NULL or stray pointer)'));
  });

  it('refuses a kept address once the machine has nothing mapped, with kptr_at()\'s message', () => {
    const m = new Machine({ cpus: 1 });
    const a = global_var(m, 'atomic_t', 'a');
    m.boot();
    const site = kptr_site();
    const addr = a.addr;
    site(m, addr, 'atomic_t', 'a', 'atomic_inc', true);
    m.retire();
    expect(() => site(m, addr, 'atomic_t', 'a', 'atomic_inc', true)).toThrow(new RangeError(`a: address ${addr} is not in mapped memory (a NULL or stray pointer)`));
  });

  it('keeps its pointer to a live object past the quarantine\'s low bound, and refuses the freed one below it', () => {
    const m = new Machine({ cpus: 1 });
    m.boot();
    const a = kzalloc_size(m, 16);
    const b = kzalloc_size(m, 16);
    expect(b).toBeGreaterThan(a);
    const site = kptr_site();
    const p = site(m, b + 8, 'atomic_t', 'b->refs', 'atomic_inc', true);
    kfree_addr(m, a);
    expect(m.quarantineLow).toBe(a);
    // b is past the low bound but not in the quarantine: the same pointer, however often.
    expect(site(m, b + 8, 'atomic_t', 'b->refs', 'atomic_inc', true)).toBe(p);
    expect(site(m, b + 8, 'atomic_t', 'b->refs', 'atomic_inc', true)).toBe(p);
    atomic_inc(m, p);
    expect(atomic_read(m, p)).toBe(1);
    // The same site sent to the freed object reports it; the refusal changes nothing, the site keeps b's pointer.
    const before = m.u8.slice();
    expect(() => site(m, a + 8, 'atomic_t', 'b->refs', 'atomic_inc', true)).toThrow(
      `BUG: KASAN: slab-use-after-free in atomic_inc: Write of size 4 at addr 0x${(a + 8).toString(16)}; the buggy address is located 8 bytes inside of freed 16-byte region [0x${a.toString(16)}, 0x${(a + 16).toString(16)})`,
    );
    expect(m.u8.slice()).toEqual(before);
    expect(site(m, b + 8, 'atomic_t', 'b->refs', 'atomic_inc', true)).toBe(p);
    // Once b is freed too, the kept pointer is refused.
    kfree_addr(m, b);
    expect(() => site(m, b + 8, 'atomic_t', 'b->refs', 'atomic_read', false)).toThrow(
      `BUG: KASAN: slab-use-after-free in atomic_read: Read of size 4 at addr 0x${(b + 8).toString(16)}; the buggy address is located 8 bytes inside of freed 16-byte region [0x${b.toString(16)}, 0x${(b + 16).toString(16)})`,
    );
  });

  it('one translated call site reached with two objects in turn updates each, in both flavours', async () => {
    for (const { flavour, m, f, run } of await sitesInBothFlavours()) {
      for (const which of [0, 1, 1, 0, 1]) run(f.get(which));
      expect([run(f.refs(0)), run(f.refs(1)), run(f.total())], flavour).toEqual([2, 3, 5]);
    }
  });

  it('a kept call site refuses an object once kfree() has freed it, in KASAN\'s words, memory unchanged', async () => {
    for (const { flavour, m, f, run } of await sitesInBothFlavours()) {
      run(f.get(0));
      run(f.get(0));
      run(f.put(0));
      const before = m.u8.slice();
      expect(() => run(f.get(0)), flavour).toThrow(/^BUG: KASAN: slab-use-after-free in atomic_inc: Write of size 4 at addr 0x[0-9a-f]+; the buggy address is located 8 bytes inside of freed 16-byte region /);
      expect(() => run(f.refs(0)), flavour).toThrow(/^BUG: KASAN: slab-use-after-free in atomic_read: Read of size 4 at addr /);
      expect(m.u8.slice()).toEqual(before);
      // The other object, allocated after it, is still reached through the same call sites.
      run(f.get(1));
      expect([run(f.refs(1)), run(f.total())], flavour).toEqual([1, 3]);
    }
  });
});
