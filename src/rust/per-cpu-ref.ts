/**
 * PerCpuRef<T>: "behaves like a &T or a &mut T" to the running CPU's copy of a
 * per-CPU variable (RFC v1). It owns the CpuGuard it was given, so preemption
 * stays disabled — and the CPU stays the same — for as long as it lives;
 * disposing it drops the guard. Its lifetime is `'static` for a static variable
 * (never expires) or bound to the PerCpu it came from (that PerCpu cannot be
 * dropped while the ref lives: E0505).
 *
 * Each access computes `this_cpu_ptr(p)` = p.off + __per_cpu_offset[cpu] and
 * touches memory there; the numeric ops are the generated `__this_cpu_*` ops
 * (the guard is held, and DEBUG_PREEMPT checks it).
 */
import { machineArg, type Machine } from '../machine.js';
import { PerMachine } from '../per-machine.js';
import { PerCpuPtr } from '../percpu-ptr.js';
import { MachineStateError } from '../errors.js';
import { describe } from '../types.js';
import type { Access } from './access.js';
import { accessOf } from './access.js';
import { VariableBorrows, type Borrow, type HandleBorrows } from './borrow.js';
import { CpuGuard, moveGuard, releaseRefused } from './cpu-guard.js';
import { MovedValueError, callerLocation, type SourceLoc } from './diagnostics.js';
import { badNumeric, numericOps, type NumericOps } from './numeric.js';
import { isIntegerName, type IntegerName, type NumericValue, type PerCpuType, type Value } from './types.js';

/** Per machine, the borrow sets by pointer: machine state, which a snapshot of the machine restores. */
const registry = new PerMachine<Map<PerCpuPtr<unknown>, VariableBorrows>>('rust borrows');

/**
 * The borrow set of the variable a pointer designates, keyed by the pointer
 * object the linker or allocator made (clones of a PerCpu share it).
 */
export function variableBorrows(key: PerCpuPtr<unknown>, what: string): VariableBorrows {
  const m = key.machine as Machine;
  let all = registry.get(m);
  if (all === undefined) registry.set(m, (all = new Map()));
  let b = all.get(key);
  if (b === undefined) {
    b = new VariableBorrows(what);
    all.set(key, b);
  }
  return b;
}

/** What a guarded access points at; made by the handles, never by users. */
export interface Target<T extends PerCpuType> {
  readonly m: Machine;
  /** The pointer the accesses read `off` from (a freed one throws use-after-free). */
  readonly ptr: PerCpuPtr<unknown>;
  readonly type: T;
  readonly access: Access<T>;
  readonly vars: VariableBorrows;
  /** The handle's borrow slot, or null for a `'static` unsafe ref. */
  readonly handle: HandleBorrows | null;
  /** `'static` or `'num`. */
  readonly lifetime: string;
  /** The `__this_cpu_*` ops of an integer T, looked up by the first ref and kept. */
  guardedOps?: NumericOps<never> | null;
}

/**
 * Shared by PerCpuRef and the tokens: owns a moved guard and one registered
 * borrow, checks liveness and the CPU on each access, releases both on drop.
 */
export abstract class GuardedAccess<T extends PerCpuType> implements Disposable {
  protected readonly t: Target<T>;
  readonly #guard: CpuGuard;
  readonly #borrow: Borrow;
  readonly #cpu: number;
  #live = true;

  protected constructor(t: Target<T>, guard: CpuGuard, borrow: Borrow) {
    this.t = t;
    this.#guard = guard;
    this.#borrow = borrow;
    this.#cpu = guard.cpu;
  }

  /** `PerCpuRef<u32>` etc. */
  abstract get what(): string;

  get lifetime(): string {
    return this.t.lifetime;
  }

  /** The CPU whose copy this refers to (the one its guard pins). */
  get cpu(): number {
    this.live('read the CPU of');
    return this.#cpu;
  }

  /** Whether the access is still usable (not dropped, its allocation not freed). */
  get alive(): boolean {
    return this.#live;
  }

  protected live(doing: string): void {
    if (!this.#live) {
      throw new MovedValueError(
        `error[E0382]: use of moved value: cannot ${doing} a ${this.what} that was already dropped (its CpuGuard was dropped with it; take a new one with a new CpuGuard)`,
      );
    }
  }

  /** this_cpu_ptr(p): the running CPU's copy, checked against the CPU the guard pins. */
  protected address(doing: string): number {
    this.live(doing);
    const m = this.t.m;
    if (m.cpu !== this.#cpu) {
      throw new MachineStateError(
        `${this.what}: cannot ${doing} on cpu ${m.cpu}: the reference belongs to cpu ${this.#cpu}, whose guard is still held (the context was moved off its CPU behind the guard's back)`,
      );
    }
    return this.t.ptr.off + m.perCpuOffset[this.#cpu];
  }

  protected load(doing: string): Value<T> {
    const addr = this.address(doing);
    return this.t.access.load(this.t.m.view, addr);
  }

  protected store(v: Value<T>, doing: string): void {
    this.live(doing);
    this.t.access.check(v, `${this.what}.${doing}`);
    const addr = this.address(doing);
    this.t.access.store(this.t.m.view, addr, v);
  }

  /** Releases the borrow and drops the guard (preemption back on if it was the last). */
  drop(): void {
    this.live('drop');
    this.#live = false;
    this.t.vars.release(this.#borrow);
    this.t.handle?.clear(this.#borrow);
    this.#guard.drop();
  }

  /** Drops the access and the guard it owns (`using`). */
  [Symbol.dispose](): void {
    this.drop();
  }

  toString(): string {
    return `${this.what} (${this.t.lifetime}, cpu ${this.#cpu}, ${this.#live ? 'live' : 'dropped'})`;
  }
}

/** Registers a borrow of `t` on the guard's CPU, moving the guard; rolls back if refused. */
export function borrow<T extends PerCpuType>(
  t: Target<T>, guard: unknown, kind: Borrow['kind'], what: string, call: string, through: string | null, at: SourceLoc | null,
): { guard: CpuGuard; borrow: Borrow } {
  if (!(guard instanceof CpuGuard)) throw new TypeError(`${call}: expected a CpuGuard (new CpuGuard(m)), got ${describe(guard)}`);
  guard.assertLive(`move into ${what}`);
  const b: Borrow = { kind, cpu: guard.cpu, what, through, call, at };
  t.vars.acquire(b);
  t.handle?.set(b);
  let moved: CpuGuard;
  try {
    moved = moveGuard(t.m, guard, `${what} (${call})`, at);
  } catch (e) {
    t.vars.release(b);
    t.handle?.clear(b);
    throw e;
  }
  return { guard: moved, borrow: b };
}

/** Options of unsafe_get_per_cpu_ref(). */
export interface UnsafeRefOptions {
  /** The variable's name in messages (default: the pointer's label). */
  name?: string;
}

const INTERNAL: unique symbol = Symbol('PerCpuRef');

/** The Rust `PerCpuRef<T>`: this CPU's value, borrowed while the guard it owns keeps preemption off. */
export class PerCpuRef<T extends PerCpuType> extends GuardedAccess<T> {
  /** @internal Use PerCpu.get(guard) or unsafe_get_per_cpu_ref(m, sym, guard). */
  constructor(key: typeof INTERNAL, t: Target<T>, guard: CpuGuard, b: Borrow) {
    if (key !== INTERNAL) throw new TypeError('PerCpuRef: use PerCpu.get(guard), unsafe_get_per_cpu_ref(m, sym, guard) or PerCpuRef.unsafe_new(...)');
    super(t, guard, b);
  }

  /** @internal */
  static make<T extends PerCpuType>(t: Target<T>, guard: unknown, call: string, through: string | null, at: SourceLoc | null): PerCpuRef<T> {
    const what = `PerCpuRef<${t.access.label}>`;
    const { guard: g, borrow: b } = borrow(t, guard, 'mut', what, call, through, at);
    return new PerCpuRef(INTERNAL, t, g, b);
  }

  /**
   * `unsafe { PerCpuRef::new(offset, guard) }`: a reference to any per-CPU
   * pointer. Unsafe because nothing ties the pointer's lifetime to the ref: if
   * the memory is freed while the ref lives, the next access is a use-after-free
   * error (debug mode), not a silent write. Prefer PerCpu.get().
   */
  static unsafe_new<T extends PerCpuType>(
    m: Machine, ptr: PerCpuPtr<unknown>, type: T, guard: CpuGuard, options: UnsafeRefOptions = {},
  ): PerCpuRef<T> {
    const call = 'PerCpuRef.unsafe_new';
    try {
      machineArg(m, call);
      const access = accessOf(type, call);
      if (!(ptr instanceof PerCpuPtr)) {
        throw new TypeError(`${call}: expected a per-CPU pointer (a DEFINE_PER_CPU symbol or what alloc_percpu() returned), got ${describe(ptr)}`);
      }
      const name = options?.name ?? ptr.origin.label;
      if (typeof name !== 'string' || name === '') throw new TypeError(`${call}: options.name must be a non-empty string, got ${describe(name)}`);
      const t: Target<T> = {
        m, ptr, type, access, handle: null, lifetime: "'unbounded",
        vars: variableBorrows(ptr, name),
      };
      return PerCpuRef.make(t, guard, `${call}(${name})`, null, m.debugFree ? callerLocation() : null);
    } catch (e) {
      releaseRefused(guard, call);
      throw e;
    }
  }

  get what(): string {
    return `PerCpuRef<${this.t.access.label}>`;
  }

  /** `*r`: the running CPU's copy (a plain object for a struct). */
  get(): Value<T> {
    return this.load('get');
  }

  /** `*r = v`: v must be a value of T (in range); a refused write changes nothing. */
  set(v: Value<T>): void {
    this.store(v, 'set');
  }

  get value(): Value<T> {
    return this.load('get');
  }

  set value(v: Value<T>) {
    this.store(v, 'set');
  }

  /** `*r = f(*r)`; returns the new value. */
  update(f: (v: Value<T>) => Value<T>): Value<T> {
    if (typeof f !== 'function') throw new TypeError(`${this.what}.update: expected a function, got ${describe(f)}`);
    const next = f(this.load('update'));
    this.store(next, 'update');
    return next;
  }

  #ops(op: string): NumericOps<NumericValue<T>> {
    this.live(op);
    const t = this.t;
    if (t.guardedOps === undefined) t.guardedOps = isIntegerName(t.type) ? numericOps(t.m, '__this_cpu', t.type) : null;
    if (t.guardedOps === null) {
      throw new TypeError(`${this.what}.${op}: numeric ops exist for the integer types i8…i64, u8…u64, isize, usize only`);
    }
    return t.guardedOps as NumericOps<NumericValue<T>>;
  }

  #operand(op: string, v: unknown): NumericOps<NumericValue<T>> {
    const ops = this.#ops(op);
    if (!ops.fits(v)) throw badNumeric(`${this.what}.${op}`, this.t.type as IntegerName, v);
    this.address(op);
    return ops;
  }

  /** `*r = r.wrapping_add(v)` as one `__this_cpu_add`. */
  add(v: NumericValue<T>): void {
    this.#operand('add', v).add(this.t.m, this.t.ptr as never, v);
  }

  /** Subtracts `v` (wrapping as the type does). */
  sub(v: NumericValue<T>): void {
    this.#operand('sub', v).sub(this.t.m, this.t.ptr as never, v);
  }

  /** Adds 1. */
  inc(): void {
    const ops = this.#ops('inc');
    this.address('inc');
    ops.inc(this.t.m, this.t.ptr as never);
  }

  /** Subtracts 1. */
  dec(): void {
    const ops = this.#ops('dec');
    this.address('dec');
    ops.dec(this.t.m, this.t.ptr as never);
  }

  /** Bitwise-ands `v` in. */
  and(v: NumericValue<T>): void {
    this.#operand('and', v).and(this.t.m, this.t.ptr as never, v);
  }

  /** Bitwise-ors `v` in. */
  or(v: NumericValue<T>): void {
    this.#operand('or', v).or(this.t.m, this.t.ptr as never, v);
  }

  /** Stores `v`; returns the old value. */
  xchg(v: NumericValue<T>): NumericValue<T> {
    return this.#operand('xchg', v).xchg(this.t.m, this.t.ptr as never, v);
  }

  /** Stores `next` if the value is `old`; returns the value found. */
  cmpxchg(old: NumericValue<T>, next: NumericValue<T>): NumericValue<T> {
    this.#operand('cmpxchg', old);
    return this.#operand('cmpxchg', next).cmpxchg(this.t.m, this.t.ptr as never, old, next);
  }
}
