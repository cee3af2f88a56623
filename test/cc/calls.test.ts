/**
 * Kernel calls of translated C, with exact results in both flavours:
 * atomic_try_cmpxchg() writing the found value back through its out
 * parameter, atomic_long_* and local_t ops, spin_lock_irqsave() with the
 * flags it saved, and this_cpu_try_cmpxchg() with an old value wider than the
 * per-CPU variable, whose miss writes back what each architecture's
 * implementation writes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../cc/compile.js';
import { FUNCTIONS } from '../../cc/runtime.js';
import { Machine, type Arch } from '../../src/machine.js';
import { drain, translateAndLoad, type Loaded } from './support.js';

type Fns = Record<string, (...a: (number | bigint)[]) => unknown>;

describe('percpu-cc kernel calls', () => {
  let mod: Loaded;
  beforeAll(async () => {
    mod = await translateAndLoad(path.join(ROOT, 'test/cc/calls/calls.c'));
  });

  const machines = (arch: Arch): { fast: Fns; stepped: Fns; m: Machine[] } => {
    const a = new Machine({ cpus: 2, arch });
    const b = new Machine({ cpus: 2, arch });
    a.debugPreempt = false;
    b.debugPreempt = false;
    const fast = mod.fast.instantiate(a) as Fns;
    const stepped = mod.stepped.instantiate(b) as Fns;
    a.boot();
    b.boot();
    return { fast, stepped, m: [a, b] };
  };
  const both = (f: { fast: Fns; stepped: Fns }, name: string, ...args: (number | bigint)[]): unknown[] => [
    f.fast[name](...args),
    drain(f.stepped[name](...args) as Generator<unknown, unknown, undefined>),
  ];

  it('atomic_try_cmpxchg() stores on a match and writes the found value to old on a miss', () => {
    const f = machines('x86_64');
    expect(both(f, 'try_swap', 4, 9)).toEqual([5, 5]);
    expect(both(f, 'try_swap', 5, 9)).toEqual([1005, 1005]);
    expect(both(f, 'try_swap', 5, 1)).toEqual([9, 9]);
  });

  it('atomic_long_*, local_t and local64_t ops are 64-bit exact', () => {
    const f = machines('arm64');
    // al: 0 + 10 + 1 = 11; fetch_sub returns 11, leaves 8.
    expect(both(f, 'long_ops', 10n)).toEqual([1108n, 1108n]);
    expect(both(f, 'local_ops', -(1n << 40n))).toEqual([-(1n << 40n) + 1n, -(1n << 40n) + 1n]);
    // v = 0: the values are -1 (negative), 0, -1, 0, so 1101; v = 1: 0, 1, 0, 0, so 0011.
    expect(both(f, 'local64_tests', 0n)).toEqual([1101, 1101]);
    expect(both(f, 'local64_tests', 1n)).toEqual([11, 11]);
  });

  it('spin_lock_irqsave() disables interrupts until spin_unlock_irqrestore(); the lock is free after', () => {
    const f = machines('x86_64');
    expect(both(f, 'locked')).toEqual([110, 110]);
    expect(f.m.map((m) => m.ctx.preemptCount)).toEqual([0, 0]);
    expect(both(f, 'locked')).toEqual([110, 110]);
  });

  it('this_cpu_try_cmpxchg() with a wider old: x86-64 replaces only the low bytes, asm-generic sign-extends the value', () => {
    const old = (1n << 40n) + 3n;
    expect(both(machines('x86_64'), 'wide_miss', old)).toEqual([(1n << 40n) | 0xfffffff9n, (1n << 40n) | 0xfffffff9n]);
    expect(both(machines('generic'), 'wide_miss', old)).toEqual([-7n, -7n]);
    expect(both(machines('arm64'), 'wide_miss', old)).toEqual([-7n, -7n]);
  });

  it('each instance writes back by its own machine\'s architecture, whatever was instantiated after it', () => {
    // Instantiated in turn, then called in turn: the write-back is chosen per instance, not per module.
    // old = 3 has its upper 32 bits clear, so the two rules differ in sign: x86-64 keeps them clear under
    // the found low bytes (0xfffffff9, positive), asm-generic's assignment sign-extends -7.
    const x86 = machines('x86_64');
    const generic = machines('generic');
    const arm64 = machines('arm64');
    for (let round = 0; round < 2; round++) {
      expect(both(x86, 'wide_miss', 3n)).toEqual([0xfffffff9n, 0xfffffff9n]);
      expect(both(generic, 'wide_miss', 3n)).toEqual([-7n, -7n]);
      expect(both(arm64, 'wide_miss', 3n)).toEqual([-7n, -7n]);
    }
    // Upper bits already set: both rules give -7.
    expect(both(x86, 'wide_miss', -1n)).toEqual([-7n, -7n]);
    expect(both(generic, 'wide_miss', -1n)).toEqual([-7n, -7n]);
  });

  it('atomic*_add_negative_{relaxed,acquire,release}() add and say whether the result is negative', () => {
    const f = machines('x86_64');
    expect(both(f, 'negative_orders', -1)).toEqual([111, 111]);
    expect(both(f, 'negative_orders', 1)).toEqual([0, 0]);
    expect(both(f, 'negative_orders', -2)).toEqual([111, 111]);
  });

  it('every function <linux/atomic.h> declares is bound to the generated function of its name, in both flavours', () => {
    // The header and generated/atomic.ts are both generated from templates/atomic/atomics.tbl (make check
    // keeps them in step); the translator's bindings are written by hand, so each declared name must reach the runtime.
    const header = readFileSync(path.join(ROOT, 'c/include/linux/atomic.h'), 'utf8').split('\n')
      .map((l) => /^\S+ (atomic(?:64|_long)?_\w+)\(.*\);$/.exec(l)?.[1]).filter((l) => l !== undefined);
    expect(header).toHaveLength(255);
    const unbound = header.filter((fn) => {
      const b = FUNCTIONS[fn];
      return b === undefined || !b.imports.some(([mod, name]) => mod === 'generated/atomic' && name === fn)
        || !b.stepped?.imports.some(([mod, name]) => mod === 'src/stepped' && name === fn);
    });
    expect(unbound).toEqual([]);
  });
});
