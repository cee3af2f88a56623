/**
 * The numeric "pin-hole" ops (rust/kernel/percpu/numeric.rs): on a per-CPU
 * integer, `add`/`sub` — and here also inc, dec, and, or, read, write, xchg and
 * cmpxchg — are ONE instruction with a gs-relative memory operand
 * (`addl %eax, %gs:off`). One instruction cannot be split by a migration or an
 * interrupt on this CPU, so no guard is needed and nothing is read, added and
 * written back: the optimisation the talk lists as remaining work.
 *
 * Each op is the generated `this_cpu_<op>_<N>` function for the type's width,
 * picked once when the handle is made (from the typed layer's table for the
 * type), so a call is an operand check and one generated op — no switch on the
 * width.
 */
import type { Machine } from '../machine.js';
import type { PerCpuPtr } from '../percpu-ptr.js';
import { SCALARS, describe } from '../types.js';
import { opsFor } from '../typed.js';
import { FITS } from './scalar.js';
import type { IntegerName, NumericValue } from './types.js';

type Ptr = PerCpuPtr<never>;

/** The ops of one integer type, as generated functions (with sign conversion for signed reads). */
export interface NumericOps<V> {
  read(m: Machine, p: Ptr): V;
  write(m: Machine, p: Ptr, v: V): void;
  add(m: Machine, p: Ptr, v: V): void;
  sub(m: Machine, p: Ptr, v: V): void;
  inc(m: Machine, p: Ptr): void;
  dec(m: Machine, p: Ptr): void;
  and(m: Machine, p: Ptr, v: V): void;
  or(m: Machine, p: Ptr, v: V): void;
  xchg(m: Machine, p: Ptr, v: V): V;
  cmpxchg(m: Machine, p: Ptr, o: V, n: V): V;
  /** True when `v` is a value of the type (right kind, in range). */
  fits(v: unknown): boolean;
}

type Prefix = 'this_cpu' | '__this_cpu';

const tables = new Map<string, NumericOps<never>>();

/**
 * The ops of integer type `t` on the machine's architecture, with prefix
 * `this_cpu` (preempt/IRQ-safe, for PerCpuNumeric) or `__this_cpu` (the caller
 * holds a guard: PerCpuRef). Taken from the typed layer's table for the type:
 * the generated `<prefix>_<op>_<N>` functions themselves, wrapped only where a
 * signed type's value must read back signed.
 */
export function numericOps(m: Machine, prefix: Prefix, t: IntegerName): NumericOps<never> {
  const key = `${m.arch}:${prefix}:${t}`;
  let table = tables.get(key);
  if (table === undefined) {
    const typed = opsFor(m.arch, t);
    const pick = (op: string): never => typed[`${prefix}_${op}`] as never;
    table = Object.freeze({
      read: pick('read'), write: pick('write'), add: pick('add'), sub: pick('sub'), inc: pick('inc'), dec: pick('dec'),
      and: pick('and'), or: pick('or'), xchg: pick('xchg'), cmpxchg: pick('cmpxchg'), fits: FITS[t],
    });
    tables.set(key, table);
  }
  return table;
}

export function badNumeric(what: string, t: IntegerName, v: unknown): Error {
  const info = SCALARS[t];
  const kind = info.size === 8 ? 'a bigint' : 'an integer number';
  if (info.size === 8 ? typeof v !== 'bigint' : typeof v !== 'number' || !Number.isInteger(v)) {
    return new TypeError(`${what}: ${t} takes ${kind}, got ${describe(v)}; nothing was written`);
  }
  return new RangeError(`${what}: ${describe(v)} is out of range for ${t} [${info.min}, ${info.max}]; nothing was written`);
}

/**
 * PerCpuNumeric<'_, N>: the handle `num()` returns. Every op acts on the copy of
 * the CPU the caller runs on at that instant; results wrap as Rust's
 * wrapping_add/wrapping_sub do (and as the instructions do).
 */
export class PerCpuNumeric<T extends IntegerName> {
  readonly #m: Machine;
  readonly #p: Ptr;
  readonly #ops: NumericOps<NumericValue<T>>;
  readonly #type: T;
  readonly #label: string;

  /** @internal Made by StaticPerCpu.num() / PerCpu.num(). */
  constructor(m: Machine, p: PerCpuPtr<unknown>, type: T, label: string) {
    this.#m = m;
    this.#p = p as Ptr;
    this.#ops = numericOps(m, 'this_cpu', type) as NumericOps<NumericValue<T>>;
    this.#type = type;
    this.#label = label;
  }

  get type(): T {
    return this.#type;
  }

  #bad(op: string, v: unknown): Error {
    return badNumeric(`${this.#label}.num().${op}`, this.#type, v);
  }

  /** this_cpu_read: the running CPU's copy. */
  read(): NumericValue<T> {
    return this.#ops.read(this.#m, this.#p);
  }

  /** this_cpu_write. */
  write(v: NumericValue<T>): void {
    if (!this.#ops.fits(v)) throw this.#bad('write', v);
    this.#ops.write(this.#m, this.#p, v);
  }

  /** this_cpu_add: `add %reg, %gs:off`, wrapping. */
  add(v: NumericValue<T>): void {
    if (!this.#ops.fits(v)) throw this.#bad('add', v);
    this.#ops.add(this.#m, this.#p, v);
  }

  /** this_cpu_sub (an add of the negated operand), wrapping. */
  sub(v: NumericValue<T>): void {
    if (!this.#ops.fits(v)) throw this.#bad('sub', v);
    this.#ops.sub(this.#m, this.#p, v);
  }

  /** Adds 1 to this CPU's value: one this_cpu_inc_N. */
  inc(): void {
    this.#ops.inc(this.#m, this.#p);
  }

  /** Subtracts 1 from this CPU's value: one this_cpu_dec_N. */
  dec(): void {
    this.#ops.dec(this.#m, this.#p);
  }

  /** Bitwise-ands `v` into this CPU's value: one this_cpu_and_N. */
  and(v: NumericValue<T>): void {
    if (!this.#ops.fits(v)) throw this.#bad('and', v);
    this.#ops.and(this.#m, this.#p, v);
  }

  /** Bitwise-ors `v` into this CPU's value: one this_cpu_or_N. */
  or(v: NumericValue<T>): void {
    if (!this.#ops.fits(v)) throw this.#bad('or', v);
    this.#ops.or(this.#m, this.#p, v);
  }

  /** this_cpu_xchg: stores v, returns the old value. */
  xchg(v: NumericValue<T>): NumericValue<T> {
    if (!this.#ops.fits(v)) throw this.#bad('xchg', v);
    return this.#ops.xchg(this.#m, this.#p, v);
  }

  /** this_cpu_cmpxchg: stores `next` if the copy equals `old`; returns the value found. */
  cmpxchg(old: NumericValue<T>, next: NumericValue<T>): NumericValue<T> {
    if (!this.#ops.fits(old)) throw this.#bad('cmpxchg', old);
    if (!this.#ops.fits(next)) throw this.#bad('cmpxchg', next);
    return this.#ops.cmpxchg(this.#m, this.#p, old, next);
  }
}
