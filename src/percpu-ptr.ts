/**
 * A per-CPU pointer: what `&x` is for `DEFINE_PER_CPU(int, x)` and what
 * alloc_percpu() returns. It holds an offset from `__per_cpu_start`; the address
 * of one CPU's copy is `off + __per_cpu_offset[cpu]`, and on x86-64 the running
 * CPU's copy is `%gs:off`.
 *
 * It is "fake" in the talk's sense: not a value and not an address. Only the
 * per-CPU accessors may use it; turning it into a number throws.
 */
import { UseAfterFreeError } from './errors.js';
import type { ScalarInfo } from './types.js';

/** Where a pointer came from, for messages (a static symbol or an allocation). */
export interface PtrOrigin {
  /** `DEFINE_PER_CPU(u64, hits)` or `alloc_percpu #3 (size 8, align 8)`. */
  readonly label: string;
  readonly kind: 'static' | 'dynamic';
}

/**
 * The op table of a pointer with no type (`__alloc_percpu(m, size, align)`):
 * every size-generic op says how to proceed instead of guessing a width.
 */
const UNTYPED: unknown = new Proxy(Object.create(null) as object, {
  get(_t, name) {
    return (): never => {
      throw new TypeError(
        `${String(name)}(): this per-CPU pointer has no type; allocate with alloc_percpu(m, type) or call a sized op such as ${String(name)}_4`,
      );
    };
  },
});

const READ_AS_VALUE =
  'is a per-CPU symbol, not a value: read it with this_cpu_read()/per_cpu(), or take a CPU\'s copy with per_cpu_ptr()';

export class PerCpuPtr<T = unknown> {
  /** Offset from __per_cpu_start (the C pointer's value). Set by the linker for statics. */
  readonly off: number;
  /** The scalar type of the pointee when known (typed symbols and alloc_percpu(type)). */
  readonly type: ScalarInfo | null;
  readonly origin: PtrOrigin;
  /**
   * The size-generic op table bound when the symbol was defined (the typed
   * layer): `this_cpu_add(m, x, v)` calls `x.ops.this_cpu_add` with no switch.
   * Set once, in the constructor: a field that is never reassigned stays a
   * constant field for V8, which keeps the typed layer's call cheap.
   */
  readonly ops: unknown;
  /** Phantom: the C type this points to. Never present at run time. */
  declare readonly __pointee?: T;

  constructor(off: number, type: ScalarInfo | null, origin: PtrOrigin, ops: unknown = null) {
    this.off = off;
    this.type = type;
    this.origin = origin;
    this.ops = ops ?? UNTYPED;
  }

  valueOf(): never {
    throw new TypeError(`${this.origin.label} ${READ_AS_VALUE}`);
  }

  [Symbol.toPrimitive](hint: string): string {
    if (hint === 'string') return this.toString();
    throw new TypeError(`${this.origin.label} ${READ_AS_VALUE}`);
  }

  toString(): string {
    return `${this.origin.label} @ percpu 0x${Number.isFinite(this.off) ? this.off.toString(16) : '?'}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Sets a static symbol's offset when the linker lays out `.data..percpu`. */
export function setOffset(p: PerCpuPtr<unknown>, off: number): void {
  (p as { off: number }).off = off;
}

/**
 * Marks a pointer freed (debug mode): from now on any read of its offset, by
 * any op or accessor, throws a use-after-free error naming the allocation.
 * Live pointers keep their plain data property, so the ops' fast path is not
 * touched; only a freed pointer takes the slow path, and throws there.
 */
export function poison(p: PerCpuPtr<unknown>, message: string): void {
  Object.defineProperty(p, 'off', {
    get(): never {
      throw new UseAfterFreeError(message);
    },
    configurable: true,
  });
}

export function isPoisoned(p: PerCpuPtr<unknown>): boolean {
  const d = Object.getOwnPropertyDescriptor(p, 'off');
  return d !== undefined && typeof d.get === 'function';
}
