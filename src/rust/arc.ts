/**
 * Arc<T>: shared ownership with a strong count, as `alloc::sync::Arc`. The
 * talk's `PerCpu<T>` holds an `Arc<PerCpuAllocation<T>>`, so every clone keeps
 * the allocation alive and the last one to go frees it — exactly once.
 */
import { describe } from '../types.js';
import { MovedValueError } from './diagnostics.js';

interface Inner<T> {
  readonly value: T;
  strong: number;
  readonly drop: ArcDrop<T> | null;
}

/** The inner value's Drop, split in two so a refused drop changes nothing. */
export interface ArcDrop<T> {
  /** Throws to refuse dropping the last reference (the count is then unchanged). */
  check?(value: T): void;
  /** Runs after the count reached zero; an error from it propagates, the Arc stays dropped. */
  drop(value: T): void;
}

const INTERNAL: unique symbol = Symbol('Arc');

/**
 * A strong reference to a shared value (`alloc::sync::Arc<T>`): Arc.new() makes the first, clone() another; the
 * value's drop runs once, when the last one is dropped or disposed.
 */
export class Arc<T> implements Disposable {
  readonly #inner: Inner<T>;
  #live = true;

  /** @internal Use Arc.new(value). */
  constructor(key: typeof INTERNAL, inner: Inner<T>) {
    if (key !== INTERNAL) throw new TypeError('Arc: use Arc.new(value)');
    this.#inner = inner;
  }

  /**
   * Arc::new(value). `drop` is the inner value's Drop; without one, a value
   * with [Symbol.dispose] is disposed when the last Arc goes.
   */
  static new<T>(value: T, drop?: ArcDrop<T>): Arc<T> {
    return new Arc(INTERNAL, { value, strong: 1, drop: drop ?? null });
  }

  /** `Arc::strong_count(&a)`: how many Arcs share the value. */
  static strong_count<T>(a: Arc<T>): number {
    Arc.#arg(a, 'Arc.strong_count').#check('count');
    return a.#inner.strong;
  }

  /** Arc::into_unique_or_drop: the value if this was the last Arc (not dropped), else null (this Arc is dropped). */
  static into_unique_or_drop<T>(a: Arc<T>): T | null {
    Arc.#arg(a, 'Arc.into_unique_or_drop').#check('consume');
    a.#live = false;
    if (a.#inner.strong === 1) {
      a.#inner.strong = 0;
      return a.#inner.value;
    }
    a.#inner.strong--;
    return null;
  }

  /** Whether this Arc was dropped (or consumed). */
  static is_dropped<T>(a: Arc<T>): boolean {
    return !Arc.#arg(a, 'Arc.is_dropped').#live;
  }

  /** Arc::downgrade: a Weak that can observe the strong count without keeping the value alive. */
  static downgrade<T>(a: Arc<T>): Weak<T> {
    Arc.#arg(a, 'Arc.downgrade').#check('downgrade');
    return new Weak(a.#inner);
  }

  /** The statics take an Arc: anything else is named, not a private-field error. */
  static #arg<T>(a: Arc<T>, what: string): Arc<T> {
    if (a === null || typeof a !== 'object' || !(#live in a)) throw new TypeError(`${what}: expected an Arc (Arc.new(value)), got ${describe(a)}`);
    return a;
  }

  #check(doing: string): void {
    if (!this.#live) throw new MovedValueError(`error[E0382]: use of moved value: cannot ${doing} an Arc that was already dropped`);
  }

  /** `&*arc`. */
  get(): T {
    this.#check('dereference');
    return this.#inner.value;
  }

  /** `Arc::clone`: one more owner of the same value. */
  clone(): Arc<T> {
    this.#check('clone');
    this.#inner.strong++;
    return new Arc(INTERNAL, this.#inner);
  }

  /** Drops this reference; the last one drops the value (unless its Drop refuses: then nothing changes). */
  drop(): void {
    this.#check('drop');
    const inner = this.#inner;
    if (inner.strong === 1) inner.drop?.check?.(inner.value);
    inner.strong--;
    this.#live = false;
    if (inner.strong > 0) return;
    const v = inner.value;
    if (inner.drop !== null) inner.drop.drop(v);
    else if (v !== null && typeof v === 'object' && typeof (v as Partial<Disposable>)[Symbol.dispose] === 'function') {
      (v as unknown as Disposable)[Symbol.dispose]();
    }
  }

  /** Drops this owner; the last one drops the value. */
  [Symbol.dispose](): void {
    this.drop();
  }
}

/** Weak<T>: observes an Arc's value without owning it. */
export class Weak<T> {
  readonly #inner: Inner<T>;

  /** @internal Use Arc.downgrade(arc). */
  constructor(inner: Inner<T>) {
    this.#inner = inner;
  }

  /** Weak::strong_count: 0 once the last Arc is gone. */
  strong_count(): number {
    return this.#inner.strong;
  }
}
