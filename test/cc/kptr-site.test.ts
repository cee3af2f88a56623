/**
 * kptr_site(): the pointer a translated atomic_*() call makes at its call
 * site is kept while the address is the same and mapped; another address, or
 * the same one once nothing is mapped, goes through kptr_at() and its checks
 * and messages. A translated function calling atomics makes its pointers once.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../cc/compile.js';
import { kptr_at, kptr_site } from '../../src/kptr.js';
import { Machine } from '../../src/machine.js';
import { global_var } from '../../src/mm/memory.js';
import { atomic_inc, atomic_read } from '../../generated/atomic.js';
import { drain, translateAndLoad } from './support.js';

describe('kptr_site', () => {
  it('returns the same pointer for the same address, and a checked new one for another', () => {
    const m = new Machine({ cpus: 1 });
    const a = global_var(m, 'atomic_t', 'a');
    const b = global_var(m, 'atomic_t', 'b');
    m.boot();
    const site = kptr_site();
    const p = site(m, a.addr, 'atomic_t', 'a');
    expect(site(m, a.addr, 'atomic_t', 'a')).toBe(p);
    expect(p).toEqual(kptr_at(m, a.addr, 'atomic_t', 'a'));
    const q = site(m, b.addr, 'atomic_t', 'a');
    expect(q).not.toBe(p);
    expect(q.addr).toBe(b.addr);
    atomic_inc(m, q);
    expect(atomic_read(m, b)).toBe(1);
    expect(atomic_read(m, a)).toBe(0);
    expect(() => site(m, 8, 'atomic_t', 'p->refs')).toThrow(new RangeError('p->refs: address 8 is not in mapped memory (a NULL or stray pointer)'));
  });

  it('refuses a kept address once the machine has nothing mapped, with kptr_at()\'s message', () => {
    const m = new Machine({ cpus: 1 });
    const a = global_var(m, 'atomic_t', 'a');
    m.boot();
    const site = kptr_site();
    const addr = a.addr;
    site(m, addr, 'atomic_t', 'a');
    m.retire();
    expect(() => site(m, addr, 'atomic_t', 'a')).toThrow(new RangeError(`a: address ${addr} is not in mapped memory (a NULL or stray pointer)`));
  });

  it('one translated call site reached with two objects in turn updates each, in both flavours', async () => {
    const { fast, stepped } = await translateAndLoad(path.join(ROOT, 'test/cc/calls/atomic_sites.c'));
    for (const flavour of ['fast', 'stepped'] as const) {
      const m = new Machine({ cpus: 1 });
      const f = (flavour === 'fast' ? fast : stepped).instantiate(m) as Record<string, (...a: number[]) => unknown>;
      m.boot();
      m.loadCpu(0);
      const run = (r: unknown): unknown => (flavour === 'fast' ? r : drain(r as Generator<unknown, unknown, undefined>));
      run(f.setup());
      for (const which of [0, 1, 1, 0, 1]) run(f.get(which));
      expect([run(f.refs(0)), run(f.refs(1)), run(f.total())], flavour).toEqual([2, 3, 5]);
    }
  });
});
