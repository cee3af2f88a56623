/**
 * How one CPU's copy of a value of type T is read and written at a plain
 * address (what `*this_cpu_ptr(p)` does in C): one small object per type,
 * chosen when a handle is created, so no access switches on the type.
 */
import { fromBits, scalarInfo, type ScalarInfo } from '../types.js';
import { FITS, LOAD, STORE, checkScalar } from './scalar.js';
import { StructLayout } from './layout.js';
import type { PerCpuType, RustScalar, Value } from './types.js';

export interface Access<T extends PerCpuType> {
  /** `u32`, `struct stats`: the Rust-side name of T for messages. */
  readonly label: string;
  readonly size: number;
  readonly align: number;
  /** The scalar type, or null for a struct. */
  readonly scalar: ScalarInfo | null;
  readonly layout: StructLayout | null;
  /** Throws TypeError/RangeError unless `v` is a value of T (in range, no wrapping). */
  check(v: unknown, what: string): void;
  load(view: DataView, addr: number): Value<T>;
  /** Stores a value that check() accepted. */
  store(view: DataView, addr: number, v: Value<T>): void;
  zero(): Value<T>;
}

function scalarAccess(t: ScalarInfo): Access<never> {
  const name = t.name as RustScalar;
  const fits = FITS[name];
  const load = LOAD[name];
  const store = STORE[name];
  return Object.freeze({
    label: t.name,
    size: t.size,
    align: t.align,
    scalar: t,
    layout: null,
    check(v: unknown, what: string): void {
      if (!fits(v)) checkScalar(t, v, what);
    },
    load: load as (view: DataView, addr: number) => never,
    store: store as (view: DataView, addr: number, v: never) => void,
    zero: () => fromBits(t, 0n) as never,
  });
}

const scalarCache = new Map<string, Access<never>>();

/** The access object of T (a scalar name or a struct layout); throws for anything else. */
export function accessOf<T extends PerCpuType>(type: T, what: string): Access<T> {
  if (type instanceof StructLayout) {
    const layout = type as StructLayout;
    return {
      label: `struct ${layout.name}`,
      size: layout.size,
      align: layout.align,
      scalar: null,
      layout,
      check: (v, w) => layout.check(v, w),
      load: (view, addr) => layout.load(view, addr) as Value<T>,
      store: (view, addr, v) => layout.store(view, addr, v as never),
      zero: () => layout.zero() as Value<T>,
    };
  }
  if ((type as unknown) === 'u128') {
    throw new TypeError(`${what}: u128 is not a Rust per-CPU value type here (there is no 16-byte per-CPU op but cmpxchg128); use u64 or a struct`);
  }
  let a = scalarCache.get(type as string);
  if (a === undefined) {
    let t: ScalarInfo;
    try {
      t = scalarInfo(type, what);
    } catch (e) {
      throw new TypeError(`${(e as Error).message.replace(/: unknown per-CPU type/, ': unknown type')}, or a struct(...) layout`, { cause: e });
    }
    a = scalarAccess(t);
    scalarCache.set(t.name, a);
  }
  return a as unknown as Access<T>;
}
