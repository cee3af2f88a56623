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
import { badOvalp } from './errors.js';
import type { Arch } from './arch.js';
import { installTypedLayer, type PerCpuPtr } from './percpu-ptr.js';
import { describe, scalarInfo, type ScalarInfo, type ScalarName } from './types.js';

/** Integer types (arithmetic ops are not offered on bool or u128). */
export type IntName = Exclude<ScalarName, 'bool' | 'u128'>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any;
export type OpTable = Record<string, AnyFn>;

/** The size-generic names, from the generic layer's table. */
export const TYPED_OPS: readonly string[] = Object.keys(GENERIC_OPS);

/** The generated module of each architecture; more arches register here. */
const MODULES: Partial<Record<Arch, Record<string, unknown>>> = { x86_64, arm64, generic };

export function registerArchOps(arch: Arch, mod: Record<string, unknown>): void {
  if (typeof arch !== 'string' || !/^[a-z][a-z0-9_]*$/.test(arch)) throw new TypeError(`registerArchOps: arch must be a name such as 'arm64', got ${describe(arch)}`);
  if (mod === null || typeof mod !== 'object') throw new TypeError(`registerArchOps: expected the generated module of ${arch} (import * as ops from 'generated/${arch}/percpu.js'), got ${describe(mod)}`);
  // Every sized function the tables bind must be there: checked now, not on the first definition of a type.
  for (const name of TYPED_OPS) {
    for (const size of [1, 2, 4, 8]) {
      if (typeof mod[`${name}_${size}`] !== 'function') throw new TypeError(`registerArchOps: the module given for ${arch} has no function ${name}_${size}`);
    }
  }
  MODULES[arch] = mod;
  tables.clear();
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
  return fast;
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
