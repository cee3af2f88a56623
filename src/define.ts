/**
 * Static per-CPU variables: DEFINE_PER_CPU and its section variants. Each
 * returns the variable's per-CPU pointer (the "fake" symbol: usable only by
 * per-CPU accessors), typed with its C type. The type is a runtime scalar
 * name (`'u32'`), a C type spelled in the machine's scope (`'s8'`,
 * `'struct per_cpu_pages'`, `'local_lock_t'`) or a CType (`m.ctypes.struct(…)`).
 * A scalar's pointer has its size-generic op table bound; a struct's, union's
 * or array's pointer leads to its members with pcpu_member().
 */
import type { ArrayType, CType, RecordType } from '../c/types.js';
import type { CValue } from './cvalue.js';
import { resolveType, type ScalarOf, type TypeArg } from './ctype-spec.js';
import { DEFINE_KINDS, type DefineKind } from './linker.js';
import { machineArg, type Machine } from './machine.js';
import type { PerCpuPtr } from './percpu-ptr.js';
import type { ScalarName, ValueOf } from './types.js';
// Installs the typed layer, from which the machine's linker binds each new symbol's op table.
import './typed.js';

/** The pointer a type argument gives: scalar pointers by runtime name, aggregates by their C type. */
export type PtrTo<S> = S extends RecordType | ArrayType ? PerCpuPtr<S> : S extends CType ? PerCpuPtr<any> : // eslint-disable-line @typescript-eslint/no-explicit-any
   PerCpuPtr<ScalarOf<S>>;

/** The initial value a type argument takes. */
export type InitOf<S> = S extends RecordType | ArrayType ? CValue : ScalarOf<S> extends ScalarName ? ValueOf<ScalarOf<S>> : CValue;

function define<S extends TypeArg>(kind: DefineKind, m: Machine, type: S, name: string, init?: InitOf<S>): PtrTo<S> {
  const machine = machineArg(m, kind.macro);
  const resolved = resolveType(machine.ctypes, type, `${kind.macro}(${String(name)})`);
  return machine.linker.define(kind, resolved, name, init).ptr as PtrTo<S>;
}

/** DEFINE_PER_CPU(type, name) = init: a variable in `.data..percpu`. */
export function DEFINE_PER_CPU<const S extends TypeArg>(m: Machine, type: S, name: string, init?: InitOf<S>): PtrTo<S> {
  return define(DEFINE_KINDS.DEFINE_PER_CPU, m, type, name, init);
}

/** DEFINE_PER_CPU_ALIGNED: cacheline aligned, in `..shared_aligned`. */
export function DEFINE_PER_CPU_ALIGNED<const S extends TypeArg>(m: Machine, type: S, name: string, init?: InitOf<S>): PtrTo<S> {
  return define(DEFINE_KINDS.DEFINE_PER_CPU_ALIGNED, m, type, name, init);
}

/** DEFINE_PER_CPU_SHARED_ALIGNED: cacheline aligned on SMP, in `..shared_aligned`. */
export function DEFINE_PER_CPU_SHARED_ALIGNED<const S extends TypeArg>(m: Machine, type: S, name: string, init?: InitOf<S>): PtrTo<S> {
  return define(DEFINE_KINDS.DEFINE_PER_CPU_SHARED_ALIGNED, m, type, name, init);
}

/** DEFINE_PER_CPU_PAGE_ALIGNED: page aligned, first in the section. */
export function DEFINE_PER_CPU_PAGE_ALIGNED<const S extends TypeArg>(m: Machine, type: S, name: string, init?: InitOf<S>): PtrTo<S> {
  return define(DEFINE_KINDS.DEFINE_PER_CPU_PAGE_ALIGNED, m, type, name, init);
}

/** DEFINE_PER_CPU_READ_MOSTLY: in `..read_mostly`, away from written data. */
export function DEFINE_PER_CPU_READ_MOSTLY<const S extends TypeArg>(m: Machine, type: S, name: string, init?: InitOf<S>): PtrTo<S> {
  return define(DEFINE_KINDS.DEFINE_PER_CPU_READ_MOSTLY, m, type, name, init);
}

/** DEFINE_PER_CPU_CACHE_HOT (v6.15+): in the hot cacheline, sorted by alignment. */
export function DEFINE_PER_CPU_CACHE_HOT<const S extends TypeArg>(m: Machine, type: S, name: string, init?: InitOf<S>): PtrTo<S> {
  return define(DEFINE_KINDS.DEFINE_PER_CPU_CACHE_HOT, m, type, name, init);
}
