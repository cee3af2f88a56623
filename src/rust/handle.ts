/**
 * What every per-CPU handle offers (the `PerCpu<T>` trait of v4, implemented by
 * StaticPerCpu and by PerCpu/DynamicPerCpu): references and tokens that own a
 * CpuGuard, the guard-free numeric ops, and raw pointers to other CPUs' copies.
 * Every getter takes `&mut self` in Rust, so a handle hands out one borrow at a
 * time (E0499); a second user clones the handle.
 */
import type { Machine } from '../machine.js';
import type { PerCpuPtr } from '../percpu-ptr.js';
import { MachineStateError } from '../errors.js';
import type { Access } from './access.js';
import { HandleBorrows, type Binding, type VariableBorrows } from './borrow.js';
import { releaseRefused, type CpuGuard } from './cpu-guard.js';
import { callerLocation, type SourceLoc } from './diagnostics.js';
import { PerCpuNumeric } from './numeric.js';
import { PerCpuRef, type Target } from './per-cpu-ref.js';
import { CheckedPerCpuToken, PerCpuToken } from './token.js';
import { isIntegerName, type IntegerName, type PerCpuType, type Value } from './types.js';

/**
 * `get_remote_ptr(cpu)`: a raw pointer to another CPU's copy. Safe to make,
 * racy to use (no guard: that CPU may be writing it); valid while the handle it
 * came from is alive — afterwards every access is a use-after-free error.
 */
export class RemotePtr<T extends PerCpuType> {
  readonly cpu: number;
  readonly #m: Machine;
  readonly #ptr: PerCpuPtr<unknown>;
  readonly #access: Access<T>;

  /** @internal Made by getRemotePtr(cpu). */
  constructor(m: Machine, ptr: PerCpuPtr<unknown>, access: Access<T>, cpu: number) {
    this.#m = m;
    this.#ptr = ptr;
    this.#access = access;
    this.cpu = cpu;
  }

  /** per_cpu_ptr(p, cpu): the copy's address. */
  get address(): number {
    return this.#ptr.off + this.#m.perCpuOffset[this.cpu];
  }

  /** Reads the remote CPU's value. */
  read(): Value<T> {
    return this.#access.load(this.#m.view, this.address);
  }

  /** Writes the copy; v must be a value of T (a refused write changes nothing). */
  write(v: Value<T>): void {
    this.#access.check(v, `RemotePtr(cpu ${this.cpu}).write`);
    this.#access.store(this.#m.view, this.address, v);
  }
}

/** What PerCpu and DynamicPerCpu share: borrowing this CPU's value through a CpuGuard. */
export abstract class PerCpuHandle<T extends PerCpuType> {
  readonly m: Machine;
  readonly type: T;
  readonly binding: Binding;
  protected readonly borrows = new HandleBorrows();
  protected readonly target: Target<T>;

  protected constructor(m: Machine, type: T, access: Access<T>, ptr: PerCpuPtr<unknown>, vars: VariableBorrows, binding: Binding, lifetime: string) {
    this.m = m;
    this.type = type;
    this.binding = binding;
    this.target = { m, ptr, type, access, vars, handle: this.borrows, lifetime };
  }

  /** The binding's name: `num`. */
  get name(): string {
    return this.binding.name;
  }

  /** `PerCpu<u32>` etc., for messages. */
  abstract get what(): string;

  /** Throws if this handle was dropped (moved). */
  protected abstract usable(doing: string): void;

  #borrowCheck(call: string): SourceLoc | null {
    this.usable(`call ${call} on`);
    const at = this.m.debugFree ? callerLocation() : null;
    this.borrows.checkFree(this.binding, call, at);
    return at;
  }

  /**
   * The talk's `get(&'a mut self, guard) -> PerCpuRef<'a, T>`: a reference to
   * the running CPU's copy; the guard moves into it, and this handle cannot be
   * dropped while it lives.
   */
  get(guard: CpuGuard): PerCpuRef<T> {
    const call = `${this.name}.get()`;
    try {
      const at = this.#borrowCheck(call);
      return PerCpuRef.make(this.target, guard, call, this.name, at);
    } catch (e) {
      releaseRefused(guard, call);
      throw e;
    }
  }

  /** `get_mut(&mut self, guard) -> PerCpuToken`: closure access through token.with(v => …). */
  get_mut(guard: CpuGuard): PerCpuToken<T> {
    const call = `${this.name}.get_mut()`;
    try {
      const at = this.#borrowCheck(call);
      return PerCpuToken.make(this.target, guard, call, this.name, at);
    } catch (e) {
      releaseRefused(guard, call);
      throw e;
    }
  }

  /** CheckedPerCpu::get: a token giving shared, read-only access (safe). */
  get_checked(guard: CpuGuard): CheckedPerCpuToken<T> {
    const call = `${this.name}.get_checked()`;
    try {
      const at = this.#borrowCheck(call);
      return CheckedPerCpuToken.make(this.target, guard, call, this.name, at);
    } catch (e) {
      releaseRefused(guard, call);
      throw e;
    }
  }

  /**
   * `num(&mut self) -> PerCpuNumeric`: the single-instruction integer ops, no
   * guard needed. Only for the ten integer types (a compile error otherwise).
   */
  num<U extends T & IntegerName>(this: PerCpuHandle<U>): PerCpuNumeric<U> {
    const call = `${this.name}.num()`;
    this.#borrowCheck(call);
    if (!isIntegerName(this.type)) {
      throw new TypeError(`${call}: PerCpuNumeric exists for i8…i64, u8…u64, isize and usize, not ${this.target.access.label}`);
    }
    return new PerCpuNumeric(this.m, this.target.ptr, this.type, this.name);
  }

  /** get_remote_ptr(cpu): `cpu` must be a possible CPU. */
  getRemotePtr(cpu: number): RemotePtr<T> {
    this.usable('call getRemotePtr() on');
    this.m.checkCpu(cpu, `${this.name}.getRemotePtr`);
    if (!this.m.possible.test(cpu)) throw new MachineStateError(`${this.name}.getRemotePtr: cpu ${cpu} is not a possible CPU`);
    return new RemotePtr(this.m, this.target.ptr, this.target.access, cpu);
  }

  /** Every possible CPU's copy, in CPU order (a debugging aid: reads without a guard). */
  values(): Value<T>[] {
    this.usable('read');
    const out: Value<T>[] = [];
    for (const cpu of this.m.possible) out.push(this.target.access.load(this.m.view, this.target.ptr.off + this.m.perCpuOffset[cpu]));
    return out;
  }
}
