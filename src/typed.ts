/**
 * The size-generic typed layer: `this_cpu_add(m, x, v)`, `this_cpu_read(m, x)`,
 * … for typed per-CPU pointers, as the kernel's size-generic macros are for C
 * variables. The functions are generated (generated/percpu-defs.ts, one per
 * unsized name of the generic layer); this module builds the op tables they call. The kernel picks `this_cpu_add_4` with `__pcpu_size_call` at
 * compile time; here the choice is made once, when the symbol is defined or
 * allocated: each pointer carries the op table of its type (`x.ops`), so a call
 * is one property load and one direct call, never a switch on size.
 *
 * Signed types read back signed and bool reads back a boolean: their tables wrap
 * the value-returning ops; for unsigned types the table holds the generated
 * functions themselves.
 */
import * as x86_64 from '../generated/x86_64/percpu.js';
import { GENERIC_OPS } from '../generated/percpu-defs.js';
import * as arm64 from '../generated/arm64/percpu.js';
import * as generic from '../generated/generic/percpu.js';
import * as x86_64_stepped from '../generated/x86_64/percpu-stepped.js';
import * as arm64_stepped from '../generated/arm64/percpu-stepped.js';
import * as generic_stepped from '../generated/generic/percpu-stepped.js';
import { badOvalp } from './errors.js';
import type { Arch } from './arch.js';
import { installTypedLayer, type PerCpuPtr } from './percpu-ptr.js';
import { describe, scalarInfo, type ScalarInfo, type ScalarName } from './types.js';

/** Integer types (arithmetic ops are not offered on bool or u128). */
export type IntName = Exclude<ScalarName, 'bool' | 'u128'>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any;
/** A type's size-generic op table: each unsized name (`this_cpu_add`) bound to the sized op of the type's width. */
export type OpTable = Record<string, AnyFn>;

/** A pointer's op table also holds the stepped table of the same type and architecture (src/stepped.ts). */
export interface SteppedOps {
  readonly stepped: OpTable;
}

/** The generated stepped module of each architecture. */
const STEPPED_MODULES: Partial<Record<Arch, Record<string, unknown>>> = { x86_64: x86_64_stepped, arm64: arm64_stepped, generic: generic_stepped };

/** The size-generic names, from the generic layer's table. */
export const TYPED_OPS: readonly string[] = Object.keys(GENERIC_OPS);

/** The generated module of each architecture; more arches register here. */
const MODULES: Partial<Record<Arch, Record<string, unknown>>> = { x86_64, arm64, generic };

/**
 * Replaces an architecture's generated op modules (the typed layer's tables
 * are rebuilt from them on next use): the fast module, and the stepped one
 * (`generated/<arch>/percpu-stepped.js`) for `stepped.this_cpu_add()` and
 * the explorer. An architecture that never had a stepped module refuses its
 * stepped typed ops by name; its fast ones work.
 */
export function registerArchOps(arch: Arch, mod: Record<string, unknown>, steppedMod?: Record<string, unknown>): void {
  if (typeof arch !== 'string' || !/^[a-z][a-z0-9_]*$/.test(arch)) throw new TypeError(`registerArchOps: arch must be a name such as 'arm64', got ${describe(arch)}`);
  checkModule(arch, mod, 'percpu', '');
  if (steppedMod !== undefined) checkModule(arch, steppedMod, 'percpu-stepped', 'steppedMod: ');
  MODULES[arch] = mod;
  if (steppedMod !== undefined) STEPPED_MODULES[arch] = steppedMod;
  tables.clear();
}

/** Every sized function the tables bind must be there: checked at registration, not on the first definition of a type. */
function checkModule(arch: string, mod: unknown, file: string, param: '' | 'steppedMod: '): void {
  if (mod === null || typeof mod !== 'object') {
    throw new TypeError(`registerArchOps: ${param}expected the generated module of ${arch} (import * as ops from 'generated/${arch}/${file}.js'), got ${describe(mod)}`);
  }
  for (const name of TYPED_OPS) {
    for (const size of [1, 2, 4, 8]) {
      if (typeof (mod as Record<string, unknown>)[`${name}_${size}`] !== 'function') {
        throw new TypeError(`registerArchOps: ${param}the module given for ${arch} has no function ${name}_${size}`);
      }
    }
  }
}

const tables = new Map<string, OpTable>();

function sized(mod: Record<string, unknown>, name: string, size: number): AnyFn {
  const fn = mod[`${name}_${size}`];
  if (typeof fn !== 'function') throw new Error(`typed layer: the generated module has no ${name}_${size}`);
  return fn as AnyFn;
}

function buildTable(arch: Arch, t: ScalarInfo): OpTable {
  const mod = MODULES[arch];
  if (!mod) throw new Error(`typed layer: no generated ops registered for arch ${arch}`);
  // Collected first, then defined as read-only properties of an object whose
  // class is its own: the table stays in V8's fast mode (45 computed-key stores
  // would turn it into a dictionary) and every entry is a constant V8 can
  // inline through `x.ops.this_cpu_add` (both measured: 4-5x slower otherwise).
  const table: OpTable = {};
  const bits = t.size * 8;
  const toTs: ((v: number | bigint) => unknown) | null =
    t.name === 'bool' ? (v) => v !== 0
    : !t.signed ? null
    : t.size === 8 ? (v) => BigInt.asIntN(64, v as bigint)
    : t.size === 4 ? (v) => (v as number) | 0
    : (v) => ((v as number) << (32 - bits)) >> (32 - bits);
  const boolIn = (name: string) => (v: unknown): unknown => {
    if (typeof v !== 'boolean') throw new TypeError(`${name}: a bool per-CPU variable takes true or false, got ${describe(v)}; nothing was written`);
    return v ? 1 : 0;
  };
  for (const [name, { base: op, returns, arith }] of Object.entries(GENERIC_OPS)) {
    const fromTs: ((v: unknown) => unknown) | null = t.name === 'bool' ? boolIn(name) : null;
    if (t.name === 'u128' || (t.name === 'bool' && arith)) {
      table[name] = () => {
        throw new TypeError(`${name}(): not available for ${t.name} per-CPU variables (bool takes read, write, xchg, cmpxchg; u128 takes this_cpu_cmpxchg128)`);
      };
      continue;
    }
    const g = sized(mod, name, t.size);
    if (returns === 'bool') {
      table[name] = toTs === null && fromTs === null ? g : (m: unknown, x: PerCpuPtr<unknown>, ovalp: { value: unknown }, nval: unknown) => {
        if (typeof ovalp !== 'object' || ovalp === null) throw badOvalp(name, ovalp, t.size === 8);
        const box = { value: fromTs ? fromTs(ovalp.value) : ovalp.value };
        const ok = g(m, x, box, fromTs ? fromTs(nval) : nval) as boolean;
        if (!ok) ovalp.value = toTs ? toTs(box.value as number | bigint) : box.value;
        return ok;
      };
    } else if (fromTs === null && (toTs === null || returns === 'void')) {
      table[name] = g;
    } else if (returns === 'value') {
      const conv = toTs ?? ((x: number | bigint) => x);
      table[name] = op === 'cmpxchg'
        ? (m: unknown, x: PerCpuPtr<unknown>, o: unknown, n: unknown) => conv(g(m, x, fromTs ? fromTs(o) : o, fromTs ? fromTs(n) : n))
        : op === 'xchg'
          ? (m: unknown, x: PerCpuPtr<unknown>, n: unknown) => conv(g(m, x, fromTs ? fromTs(n) : n))
          // Fixed arities: a rest parameter would build an array on every call.
          : op === 'add_return' || op === 'sub_return'
            ? (m: unknown, x: PerCpuPtr<unknown>, val: unknown) => conv(g(m, x, val))
            : (m: unknown, x: PerCpuPtr<unknown>) => conv(g(m, x));
    } else {
      table[name] = op === 'write' ? (m: unknown, x: PerCpuPtr<unknown>, val: unknown) => g(m, x, fromTs!(val)) : g;
    }
  }
  const fast = new (class OpTableOfType {})() as OpTable;
  for (const [name, fn] of Object.entries(table)) Object.defineProperty(fast, name, { value: fn, enumerable: true });
  Object.defineProperty(fast, 'stepped', { value: buildSteppedTable(arch, t, toTs, boolIn) });
  return fast;
}

/**
 * The stepped twin of buildTable(): the generated stepped op of the type's
 * width, wrapped (as generators) where the type reads back signed or as a
 * bool, so `yield* stepped.this_cpu_read(m, p)` of an s8 is -1, not 255.
 */
function buildSteppedTable(
  arch: Arch, t: ScalarInfo, toTs: ((v: number | bigint) => unknown) | null, boolIn: (name: string) => (v: unknown) => unknown,
): OpTable {
  const mod = STEPPED_MODULES[arch];
  const table: OpTable = {};
  if (!mod) {
    for (const name of Object.keys(GENERIC_OPS)) {
      table[name] = () => {
        throw new TypeError(`${name}(): no stepped ops are registered for arch ${arch}: pass generated/${arch}/percpu-stepped.js to registerArchOps(arch, ops, steppedOps)`);
      };
    }
    return table;
  }
  for (const [name, { base: op, returns, arith }] of Object.entries(GENERIC_OPS)) {
    const fromTs: ((v: unknown) => unknown) | null = t.name === 'bool' ? boolIn(name) : null;
    if (t.name === 'u128' || (t.name === 'bool' && arith)) {
      table[name] = () => {
        throw new TypeError(`${name}(): not available for ${t.name} per-CPU variables (bool takes read, write, xchg, cmpxchg; u128 takes this_cpu_cmpxchg128)`);
      };
      continue;
    }
    const g = sized(mod, name, t.size);
    if (returns === 'bool') {
      table[name] = toTs === null && fromTs === null ? g : function* (m: unknown, x: PerCpuPtr<unknown>, ovalp: { value: unknown }, nval: unknown) {
        if (typeof ovalp !== 'object' || ovalp === null) throw badOvalp(name, ovalp, t.size === 8);
        const box = { value: fromTs ? fromTs(ovalp.value) : ovalp.value };
        const ok = (yield* g(m, x, box, fromTs ? fromTs(nval) : nval)) as boolean;
        if (!ok) ovalp.value = toTs ? toTs(box.value as number | bigint) : box.value;
        return ok;
      };
    } else if (fromTs === null && (toTs === null || returns === 'void')) {
      table[name] = g;
    } else if (returns === 'value') {
      const conv = toTs ?? ((x: number | bigint) => x);
      table[name] = op === 'cmpxchg'
        ? function* (m: unknown, x: PerCpuPtr<unknown>, o: unknown, n: unknown) { return conv(yield* g(m, x, fromTs ? fromTs(o) : o, fromTs ? fromTs(n) : n)); }
        : op === 'xchg'
          ? function* (m: unknown, x: PerCpuPtr<unknown>, n: unknown) { return conv(yield* g(m, x, fromTs ? fromTs(n) : n)); }
          : op === 'add_return' || op === 'sub_return'
            ? function* (m: unknown, x: PerCpuPtr<unknown>, val: unknown) { return conv(yield* g(m, x, val)); }
            : function* (m: unknown, x: PerCpuPtr<unknown>) { return conv(yield* g(m, x)); };
    } else {
      table[name] = op === 'write' ? function* (m: unknown, x: PerCpuPtr<unknown>, val: unknown) { yield* g(m, x, fromTs!(val)); } : g;
    }
  }
  const stepped = new (class SteppedOpTableOfType {})() as OpTable;
  for (const [name, fn] of Object.entries(table)) Object.defineProperty(stepped, name, { value: fn, enumerable: true });
  return stepped;
}

/** The op table for pointers of type `t` on `arch` (built once, shared by every such pointer). */
export function opsFor(arch: Arch, t: ScalarInfo | ScalarName): OpTable {
  if (typeof arch !== 'string' || !Object.prototype.hasOwnProperty.call(MODULES, arch)) {
    throw new TypeError(`opsFor: unknown arch ${describe(arch)}: expected one of ${Object.keys(MODULES).join(', ')}`);
  }
  const info = scalarInfo(t !== null && typeof t === 'object' ? t.name : t, 'opsFor');
  const key = `${arch}:${info.name}`;
  let table = tables.get(key);
  if (!table) {
    table = buildTable(arch, info);
    tables.set(key, table);
  }
  return table;
}

/** The typed functions themselves are generated from templates/linux/percpu-defs.h. */
export * from '../generated/percpu-defs.js';

installTypedLayer((arch, t) => opsFor(arch as Arch, t));
