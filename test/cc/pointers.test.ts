/** __percpu pointers stored in ordinary memory and loaded back, in both flavours. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../cc/compile.js';
import { Machine } from '../../src/machine.js';
import { drain, translateAndLoad } from './support.js';

describe('a __percpu pointer held in memory', () => {
  it('loads as the pointer last stored, or NULL before any store, however the stores alternate', async () => {
    const { fast, stepped } = await translateAndLoad(path.join(ROOT, 'test/cc/pointers/held.c'));
    for (const flavour of ['fast', 'stepped'] as const) {
      const m = new Machine({ cpus: 2 });
      const inst = (flavour === 'fast' ? fast : stepped).instantiate(m) as { read_through(which: number): unknown };
      m.boot();
      m.loadCpu(1);
      const read = (w: number): unknown => (flavour === 'fast' ? inst.read_through(w) : drain(inst.read_through(w) as Generator<unknown, unknown, undefined>));
      expect(read(0)).toBe(-1);
      expect([1, 2, 2, 1, 0, 1, 2, 0].map(read)).toEqual([10, 20, 20, 10, 10, 10, 20, 20]);
    }
  });
});
