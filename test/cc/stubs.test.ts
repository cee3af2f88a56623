/**
 * Functions the C declares but does not define, provided by a TypeScript
 * module (--stubs): called as `name(m, …)` with the C argument values, in both
 * flavours; without the module, the call is refused with where to put one.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, compileFile } from '../../cc/compile.js';
import { Machine } from '../../src/machine.js';
import { drain, translateAndLoad } from './support.js';

const C = path.join(ROOT, 'test/cc/stubs/sensor.c');

describe('--stubs', () => {
  it('binds read_sensor() to the module, fast and stepped', async () => {
    const { fast, stepped } = await translateAndLoad(C, {}, path.join(ROOT, 'test/cc/stubs/sensor-stubs.ts'));
    for (const flavour of ['fast', 'stepped'] as const) {
      const m = new Machine({ cpus: 4 });
      const inst = (flavour === 'fast' ? fast : stepped).instantiate(m) as { sample(): unknown };
      m.boot();
      m.loadCpu(2);
      const r = flavour === 'fast' ? inst.sample() : drain(inst.sample() as Generator<unknown, unknown, undefined>);
      expect(r).toBe(2n * (300n + 4n));
      expect(m.ctx.preemptCount).toBe(0);
    }
  });

  it('without a stub module the call is an error naming the fix', () => {
    expect(() => compileFile(C, { outDir: path.join(ROOT, '.percpu-cc'), display: 'test/cc/stubs/sensor.c', validate: false }))
      .toThrow("test/cc/stubs/sensor.c:14:11: error: 'read_sensor' is declared but not defined in this file (percpu-cc translates one file: define it here, a stub in C is enough, or export read_sensor(m, …) from a TypeScript module given with --stubs)");
  });
});
