/**
 * PerCpu<T>: the talk's dynamic per-CPU variable, `struct PerCpu<T> { alloc:
 * Arc<PerCpuAllocation<T>> }`. Every clone shares one allocation through the
 * Arc; the last one dropped frees it, once.
 *
 * Lifetimes are what the talk's "Problem!" slide is about: `get(guard)` returns
 * a PerCpuRef bound to this PerCpu, so dropping the PerCpu while the ref lives
 * is refused with rustc's E0505, and nothing is freed:
 *
 *   const num = PerCpu.new(m, 'u32', { name: 'num' })!;
 *   const r = num.get(new CpuGuard(m));
 *   num.drop();   // error[E0505]: cannot move out of `num` because it is borrowed
 *
 * A dropped handle's own pointer is poisoned (in every mode, not only debug),
 * so a PerCpuNumeric or RemotePtr taken from it fails with a use-after-free
 * error instead of writing silently.
 */
import type { Machine } from '../machine.js';
import { PerCpuPtr, poison } from '../percpu-ptr.js';
import { describe } from '../types.js';
import { PerCpuAllocation } from './allocation.js';
import { Arc, type ArcDrop } from './arc.js';
import type { Binding } from './borrow.js';
import { MovedValueError, callerLocation, formatLoc, type SourceLoc } from './diagnostics.js';
import { PerCpuHandle } from './handle.js';
import type { PerCpuType } from './types.js';

export interface PerCpuOptions {
  /** The binding's name in messages, as in `let num = …` (default `percpu`). */
  name?: string;
}

export const INTERNAL: unique symbol = Symbol('PerCpu');

export function bindingName(options: PerCpuOptions | undefined, fallback: string, what: string): string {
  if (options === null || (options !== undefined && typeof options !== 'object')) throw new TypeError(`${what}: options must be an object { name }, got ${describe(options)}`);
  const name = options?.name ?? fallback;
  if (typeof name !== 'string' || !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)) {
    throw new TypeError(`${what}: name must be an identifier (the binding's name), got ${describe(name)}`);
  }
  return name;
}

export class PerCpu<T extends PerCpuType> extends PerCpuHandle<T> implements Disposable {
  readonly #arc: Arc<PerCpuAllocation<T>>;
  #droppedAt: SourceLoc | null | undefined = undefined;

  /** @internal Use PerCpu.new(m, type) or clone(). */
  constructor(key: typeof INTERNAL, arc: Arc<PerCpuAllocation<T>>, binding: Binding) {
    if (key !== INTERNAL) throw new TypeError('PerCpu: use PerCpu.new(m, type) or clone()');
    const alloc = arc.get();
    // Each handle caches its own copy of the pointer (v4 "cache per-CPU
    // pointers"): no load through the Arc on the hot path, and it can be
    // poisoned when this handle is dropped without touching the other clones.
    const own = new PerCpuPtr<unknown>(alloc.ptr.machine, alloc.ptr.off, alloc.ptr.type, alloc.ptr.origin, alloc.ptr.ops);
    super(alloc.m, alloc.type, alloc.access, own, alloc.vars, binding, `'${binding.name}`);
    this.#arc = arc;
  }

  /**
   * PerCpu::new(): a zeroed allocation of T on every CPU, or null (Option::None)
   * when alloc_percpu fails.
   */
  static new<T extends PerCpuType>(m: Machine, type: T, options: PerCpuOptions = {}): PerCpu<T> | null {
    const name = bindingName(options, 'percpu', 'PerCpu.new');
    const alloc = PerCpuAllocation.new_zero(m, type, { name });
    if (alloc === null) return null;
    return new PerCpu(INTERNAL, adoptedArc(alloc, { check: () => alloc.assertUnborrowed(), drop: () => alloc.release() }), { name, at: m.debugFree ? callerLocation() : null });
  }

  get what(): string {
    return `PerCpu<${this.target.access.label}>`;
  }

  get dropped(): boolean {
    return this.#droppedAt !== undefined;
  }

  /** The allocation every clone shares. */
  get allocation(): PerCpuAllocation<T> {
    this.usable('use');
    return this.#arc.get();
  }

  /** Arc::strong_count: how many clones are alive. */
  get strongCount(): number {
    this.usable('count the clones of');
    return Arc.strong_count(this.#arc);
  }

  protected usable(doing: string): void {
    if (this.#droppedAt === undefined) return;
    throw new MovedValueError(
      `error[E0382]: use of moved value: \`${this.name}\`\n  = note: cannot ${doing} \`${this.name}\`: it was dropped` +
        `${this.#droppedAt ? ` at ${formatLoc(this.#droppedAt)}` : ''}\nhelp: keep a clone alive for as long as you need the variable`,
    );
  }

  /** Another handle to the same allocation (Arc::clone). `name` is the new binding's name. */
  clone(options: PerCpuOptions = {}): this {
    this.usable('clone');
    const name = bindingName(options, this.name, `${this.name}.clone`);
    const ctor = this.constructor as new (key: typeof INTERNAL, arc: Arc<PerCpuAllocation<T>>, binding: Binding) => this;
    const arc = this.#arc.clone();
    return new ctor(INTERNAL, arc, { name, at: this.m.debugFree ? callerLocation() : null });
  }

  /**
   * drop(num): refused with E0505 while a reference or token from this handle
   * lives (nothing changes then). The last clone frees the allocation.
   */
  drop(): void {
    this.usable('drop');
    const at = this.m.debugFree ? callerLocation() : null;
    this.borrows.checkMove(this.binding, `drop(${this.name})`, at);
    const last = Arc.strong_count(this.#arc) === 1;
    const label = this.#arc.get().ptr.origin.label;
    try {
      this.#arc.drop();
    } finally {
      // A refused drop leaves the Arc alive and this handle usable; a T::drop
      // that throws after the free still leaves the handle dropped.
      if (Arc.is_dropped(this.#arc)) {
        this.#droppedAt = at;
        // Poisoned whatever the debug setting: the handle's own pointer copy is
        // never on a live object's fast path, so this costs nothing, and the
        // safe API promises no silent write through a dropped handle.
        poison(
          this.target.ptr,
          `use-after-free: \`${this.name}\` (${this.what}) was dropped` +
            (last ? `, and with it the last reference to ${label}, which was freed` : '; a handle must not be used after drop'),
        );
      }
    }
  }

  [Symbol.dispose](): void {
    this.drop();
  }

  override toString(): string {
    return `${this.what}(\`${this.name}\`, ${this.dropped ? 'dropped' : `${Arc.strong_count(this.#arc)} clone(s)`})`;
  }
}

/**
 * Wraps an allocation in the Arc the clones share; while the Arc has strong
 * references, dropping the allocation directly is refused.
 */
export function adoptedArc<T extends PerCpuType>(alloc: PerCpuAllocation<T>, drop: ArcDrop<PerCpuAllocation<T>>): Arc<PerCpuAllocation<T>> {
  const arc = Arc.new(alloc, drop);
  const weak = Arc.downgrade(arc);
  alloc.adopt(() => weak.strong_count());
  return arc;
}
