/**
 * Static per-CPU variables: DEFINE_PER_CPU and its section variants. Each
 * returns the variable's per-CPU pointer (the "fake" symbol: usable only by
 * per-CPU accessors), typed, with its size-generic op table bound.
 */
import { DEFINE_KINDS, type DefineKind } from './linker.js';
import { machineArg, type Machine } from './machine.js';
import type { PerCpuPtr } from './percpu-ptr.js';
import type { ScalarName, ValueOf } from './types.js';
// Installs the typed layer, from which the machine's linker binds each new symbol's op table.
import './typed.js';

function define<T extends ScalarName>(kind: DefineKind, m: Machine, type: T, name: string, init?: ValueOf<T>): PerCpuPtr<T> {
  return machineArg(m, kind.macro).linker.define(kind, type, name, init).ptr as PerCpuPtr<T>;
}

/** DEFINE_PER_CPU(type, name) = init: a variable in `.data..percpu`. */
export function DEFINE_PER_CPU<T extends ScalarName>(m: Machine, type: T, name: string, init?: ValueOf<T>): PerCpuPtr<T> {
  return define(DEFINE_KINDS.DEFINE_PER_CPU, m, type, name, init);
}

/** DEFINE_PER_CPU_ALIGNED: cacheline aligned, in `..shared_aligned`. */
export function DEFINE_PER_CPU_ALIGNED<T extends ScalarName>(m: Machine, type: T, name: string, init?: ValueOf<T>): PerCpuPtr<T> {
  return define(DEFINE_KINDS.DEFINE_PER_CPU_ALIGNED, m, type, name, init);
}

/** DEFINE_PER_CPU_SHARED_ALIGNED: cacheline aligned on SMP, in `..shared_aligned`. */
export function DEFINE_PER_CPU_SHARED_ALIGNED<T extends ScalarName>(m: Machine, type: T, name: string, init?: ValueOf<T>): PerCpuPtr<T> {
  return define(DEFINE_KINDS.DEFINE_PER_CPU_SHARED_ALIGNED, m, type, name, init);
}

/** DEFINE_PER_CPU_PAGE_ALIGNED: page aligned, first in the section. */
export function DEFINE_PER_CPU_PAGE_ALIGNED<T extends ScalarName>(m: Machine, type: T, name: string, init?: ValueOf<T>): PerCpuPtr<T> {
  return define(DEFINE_KINDS.DEFINE_PER_CPU_PAGE_ALIGNED, m, type, name, init);
}

/** DEFINE_PER_CPU_READ_MOSTLY: in `..read_mostly`, away from written data. */
export function DEFINE_PER_CPU_READ_MOSTLY<T extends ScalarName>(m: Machine, type: T, name: string, init?: ValueOf<T>): PerCpuPtr<T> {
  return define(DEFINE_KINDS.DEFINE_PER_CPU_READ_MOSTLY, m, type, name, init);
}

/** DEFINE_PER_CPU_CACHE_HOT (v6.15+): in the hot cacheline, sorted by alignment. */
export function DEFINE_PER_CPU_CACHE_HOT<T extends ScalarName>(m: Machine, type: T, name: string, init?: ValueOf<T>): PerCpuPtr<T> {
  return define(DEFINE_KINDS.DEFINE_PER_CPU_CACHE_HOT, m, type, name, init);
}
