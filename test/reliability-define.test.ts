/**
 * Issue 10 item 12: a static definition is all or nothing. Every define path —
 * the six DEFINE_PER_CPU_* macros and define_per_cpu! of a scalar or of a
 * struct (laid out as one linker symbol per field) — either adds everything it
 * stands for or, refused, leaves the linker's definitions exactly as they were,
 * so the machine still boots with the same layout.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFINE_PER_CPU, DEFINE_PER_CPU_ALIGNED, DEFINE_PER_CPU_CACHE_HOT, DEFINE_PER_CPU_PAGE_ALIGNED, DEFINE_PER_CPU_READ_MOSTLY,
  DEFINE_PER_CPU_SHARED_ALIGNED,
} from '../src/define.js';
import { Machine } from '../src/machine.js';
import { define_per_cpu, struct } from '../src/rust/index.js';

const MACROS = {
  DEFINE_PER_CPU, DEFINE_PER_CPU_ALIGNED, DEFINE_PER_CPU_CACHE_HOT, DEFINE_PER_CPU_PAGE_ALIGNED, DEFINE_PER_CPU_READ_MOSTLY,
  DEFINE_PER_CPU_SHARED_ALIGNED,
} as const;

const pair = struct('pair', { a: 'u16', b: 'u64', c: 'i8' });

function names(m: Machine): string[] {
  return m.linker.definitions().map((d) => d.name);
}

/** Expects `f` to throw `message` and the set of definitions to be what it was. */
function refusedUnchanged(m: Machine, f: () => unknown, message: string | RegExp): void {
  const before = names(m);
  expect(f).toThrow(message);
  expect(names(m)).toEqual(before);
}

describe('definitions are all or nothing', () => {
  it('a struct whose second field collides leaves no orphan field symbol (the issue\'s repro)', () => {
    const m = new Machine({ cpus: 2 });
    define_per_cpu(m, 'X__b', 'u64');
    refusedUnchanged(m, () => define_per_cpu(m, 'X', pair), "define_per_cpu!(X: struct pair): redefinition of 'X__b' (first defined by define_per_cpu!)");
    expect(names(m)).toEqual(['this_cpu_off', 'cpu_number', 'X__b']);
    m.boot();
    expect(m.layout!.static.entries.map((e) => e.name)).toEqual(['this_cpu_off', 'cpu_number', 'X__b']);
  });

  it('a struct, a scalar and a C symbol cannot share a name, in either order', () => {
    const m = new Machine({ cpus: 2 });
    define_per_cpu(m, 'S', pair);
    refusedUnchanged(m, () => define_per_cpu(m, 'S', pair), "define_per_cpu!(S: struct pair): redefinition of 'S' (first defined by define_per_cpu!)");
    refusedUnchanged(m, () => define_per_cpu(m, 'S', 'u32'), "define_per_cpu!(u32, S): redefinition of 'S' (first defined by define_per_cpu!)");
    refusedUnchanged(m, () => DEFINE_PER_CPU(m, 'u32', 'S'), "DEFINE_PER_CPU(u32, S): redefinition of 'S' (first defined by define_per_cpu!)");
    refusedUnchanged(m, () => DEFINE_PER_CPU(m, 'u16', 'S__a'), "DEFINE_PER_CPU(u16, S__a): redefinition of 'S__a' (first defined by define_per_cpu!)");
    DEFINE_PER_CPU(m, 'u32', 'T');
    refusedUnchanged(m, () => define_per_cpu(m, 'T', pair), "define_per_cpu!(T: struct pair): redefinition of 'T' (first defined by DEFINE_PER_CPU)");
    refusedUnchanged(m, () => define_per_cpu(m, 'cpu_number', 'i32'), "define_per_cpu!(i32, cpu_number): redefinition of 'cpu_number' (first defined by DEFINE_PER_CPU_CACHE_HOT)");
    expect(names(m)).toEqual(['this_cpu_off', 'cpu_number', 'S__a', 'S__b', 'S__c', 'T']);
  });

  it('a struct refused for its initialiser, its name or after boot defines nothing', () => {
    const m = new Machine({ cpus: 2 });
    refusedUnchanged(m, () => define_per_cpu(m, 'X', pair, { a: 1, b: 2n, c: 300 }), 'define_per_cpu!(X: struct pair) initialiser: field pair.c: 300 is out of range for i8 [-128, 127]');
    refusedUnchanged(m, () => define_per_cpu(m, 'X', pair, { a: 1, b: 2 } as never), 'define_per_cpu!(X: struct pair) initialiser: field pair.b: u64 takes a bigint, got 2');
    refusedUnchanged(m, () => define_per_cpu(m, '1X', pair), 'define_per_cpu!: the name must be a Rust identifier, got "1X"');
    m.boot();
    refusedUnchanged(m, () => define_per_cpu(m, 'X', pair), 'define_per_cpu!(X: struct pair): .data..percpu is already linked (the machine has booted); define static per-CPU variables before m.boot()');
  });

  it('every DEFINE_PER_CPU_* macro: a refused definition adds nothing', () => {
    for (const [macro, define] of Object.entries(MACROS)) {
      const m = new Machine({ cpus: 2 });
      define(m, 'u32', 'v');
      refusedUnchanged(m, () => define(m, 'u32', 'v'), `${macro}(u32, v): redefinition of 'v' (first defined by ${macro})`);
      refusedUnchanged(m, () => define(m, 'u8', 'w', 256), `${macro}(u8, w) initialiser: 256 is out of range for u8 [0, 255]`);
      refusedUnchanged(m, () => define(m, 'u64', 'w', 1 as never), `${macro}(u64, w) initialiser: u64 takes a bigint, got 1`);
      refusedUnchanged(m, () => define(m, 'f32' as never, 'w'), `${macro}(w): unknown per-CPU type "f32": expected one of u8, i8, bool, u16, i16, u32, i32, u64, i64, ulong, long, usize, isize, u128`);
      refusedUnchanged(m, () => define(m, 'u32', 'a-b'), `${macro}: the name must be a C identifier, got "a-b"`);
      m.boot();
      refusedUnchanged(m, () => define(m, 'u32', 'late'), `${macro}(u32, late): .data..percpu is already linked (the machine has booted); define static per-CPU variables before m.boot()`);
    }
  });
});
