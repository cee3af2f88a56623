/**
 * PerCpuAllocation<T>: owns one alloc_percpu() allocation sized and aligned for
 * T, and frees it with free_percpu() exactly once. It never frees while
 * something still holds it: not while the Arc of PerCpu clones that owns it has
 * a strong reference, and not while a reference into it is alive. Like the
 * kernel's (v4), it does not drop the values inside — DynamicPerCpu does that.
 */
import type { Machine } from '../machine.js';
import type { PerCpuPtr } from '../percpu-ptr.js';
import { __alloc_percpu, alloc_percpu, free_percpu } from '../mm/percpu-alloc.js';
import { UseAfterFreeError } from '../errors.js';
import { describe } from '../types.js';
import { accessOf, type Access } from './access.js';
import type { VariableBorrows } from './borrow.js';
import { BorrowError, formatLoc } from './diagnostics.js';
import { variableBorrows } from './per-cpu-ref.js';
import type { PerCpuType } from './types.js';

export interface AllocationOptions {
  /** The variable's name in messages (default `percpu`). */
  name?: string;
}

const INTERNAL: unique symbol = Symbol('PerCpuAllocation');

export class PerCpuAllocation<T extends PerCpuType> implements Disposable {
  readonly m: Machine;
  readonly type: T;
  readonly access: Access<T>;
  /** The pointer alloc_percpu() returned: the key every clone's borrows are tracked under. */
  readonly ptr: PerCpuPtr<unknown>;
  readonly name: string;
  readonly vars: VariableBorrows;
  #freed = false;
  /** How many owners (Arc strong references) still hold it; 0 when owned directly. */
  #holders: () => number = () => 0;

  /** @internal Use PerCpuAllocation.new_zero(m, type). */
  constructor(key: typeof INTERNAL, m: Machine, type: T, access: Access<T>, ptr: PerCpuPtr<unknown>, name: string) {
    if (key !== INTERNAL) throw new TypeError('PerCpuAllocation: use PerCpuAllocation.new_zero(m, type)');
    this.m = m;
    this.type = type;
    this.access = access;
    this.ptr = ptr;
    this.name = name;
    this.vars = variableBorrows(ptr, name);
  }

  /**
   * PerCpuAllocation::new_zero(): alloc_percpu for T, every CPU's copy zeroed.
   * Returns null when the allocator does (Option::None): no room, or T too
   * large for a unit.
   */
  static new_zero<T extends PerCpuType>(m: Machine, type: T, options: AllocationOptions = {}): PerCpuAllocation<T> | null {
    const access = accessOf(type, 'PerCpuAllocation.new_zero');
    if (options === null || typeof options !== 'object') throw new TypeError(`PerCpuAllocation.new_zero: options must be an object { name }, got ${describe(options)}`);
    const name = options.name ?? 'percpu';
    if (typeof name !== 'string' || name === '') throw new TypeError(`PerCpuAllocation.new_zero: name must be a non-empty string, got ${describe(name)}`);
    const ptr = access.scalar !== null ? alloc_percpu(m, access.scalar.name) : __alloc_percpu(m, access.size, access.align);
    if (ptr === null) return null;
    return new PerCpuAllocation(INTERNAL, m, type, access, ptr, name);
  }

  get freed(): boolean {
    return this.#freed;
  }

  /** @internal Called by PerCpu: the allocation is now owned by an Arc with this count. */
  adopt(holders: () => number): void {
    this.#holders = holders;
  }

  /** Drop: free_percpu(), once; refused while holders or references are alive (nothing is freed then). */
  drop(): void {
    if (this.#freed) {
      throw new UseAfterFreeError(`double free: PerCpuAllocation \`${this.name}\` (${this.ptr.origin.label}) was already freed; nothing was changed`);
    }
    const holders = this.#holders();
    if (holders > 0) {
      throw new BorrowError(
        `error[E0505]: cannot move out of \`${this.name}\`'s allocation because it is borrowed\n` +
          `  = note: ${holders} PerCpu clone${holders === 1 ? '' : 's'} still hold${holders === 1 ? 's' : ''} it through an Arc; it is freed when the last one is dropped\n` +
          `help: drop the PerCpu handles instead of the allocation; nothing was freed`,
      );
    }
    this.#free();
  }

  /** @internal The Arc's last drop: free unless a reference is still alive. */
  release(): void {
    this.#free();
  }

  /** @internal Throws (E0505) while a reference points into the allocation. */
  assertUnborrowed(): void {
    const live = this.vars.live();
    if (live.length > 0) {
      const b = live[0];
      throw new BorrowError(
        `error[E0505]: cannot free \`${this.name}\`'s allocation because it is borrowed\n` +
          `  = note: a ${b.what} on cpu ${b.cpu} (taken by ${b.call}${b.at ? ` at ${formatLoc(b.at)}` : ''}) still points into it; freeing now would leave it dangling\n` +
          `help: drop the reference first; nothing was freed`,
      );
    }
  }

  #free(): void {
    this.assertUnborrowed();
    free_percpu(this.m, this.ptr);
    this.#freed = true;
  }

  [Symbol.dispose](): void {
    this.drop();
  }

  toString(): string {
    return `PerCpuAllocation<${this.access.label}>(\`${this.name}\`, ${this.#freed ? 'freed' : this.ptr.toString()})`;
  }
}
