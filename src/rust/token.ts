/**
 * The token/closure API of RFC v2 onwards (suggested by Boqun Feng): instead of
 * a reference that derefs to T, `get_mut(guard)` returns a PerCpuToken that owns
 * the guard, and `token.with(v => …)` runs a closure on the running CPU's copy.
 * The checked variant (v3, Benno Lossin) is safe because it only hands out
 * shared access: CheckedPerCpuToken.with gives a read-only view.
 *
 * The view passed to the closure is valid only during the call — keeping it and
 * using it afterwards is refused the way rustc refuses borrowed data escaping a
 * closure (E0521).
 */
import { describe } from '../types.js';
import type { Borrow } from './borrow.js';
import type { CpuGuard } from './cpu-guard.js';
import { MovedValueError, type SourceLoc } from './diagnostics.js';
import { GuardedAccess, borrow, type Target } from './per-cpu-ref.js';
import type { PerCpuType, Value } from './types.js';

/** `&mut T` inside PerCpuToken.with: read, write, update the running CPU's copy. */
export interface PerCpuMut<T extends PerCpuType> {
  value: Value<T>;
  /** This CPU's value. */
  get(): Value<T>;
  /** Sets this CPU's value. */
  set(v: Value<T>): void;
  /** Replaces this CPU's value with `f(value)`; returns the new value. */
  update(f: (v: Value<T>) => Value<T>): Value<T>;
}

/** `&T` inside CheckedPerCpuToken.with: read only. */
export interface PerCpuShared<T extends PerCpuType> {
  readonly value: Value<T>;
  /** This CPU's value. */
  get(): Value<T>;
}

function escaped(what: string): MovedValueError {
  return new MovedValueError(
    `error[E0521]: borrowed data escapes outside of closure: the ${what} view passed to with() is only valid while the closure runs; ` +
      'do the work inside the closure, or return a value from it',
  );
}

function notPromise(result: unknown, what: string): void {
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    throw new TypeError(`${what}.with: the closure returned a promise; per-CPU access cannot be held across an await (the guard pins one CPU), pass a synchronous function`);
  }
}

const INTERNAL: unique symbol = Symbol('PerCpuToken');
const VIEW_LOAD: unique symbol = Symbol('load');
const VIEW_STORE: unique symbol = Symbol('store');

interface ViewPort<T extends PerCpuType> {
  [VIEW_LOAD](): Value<T>;
  [VIEW_STORE]?(v: Value<T>): void;
}

/** The `&mut T` a closure gets: a small object, valid until with() returns. */
class MutView<T extends PerCpuType> implements PerCpuMut<T> {
  #port: ViewPort<T> | null;

  constructor(port: ViewPort<T>) {
    this.#port = port;
  }

  end(): void {
    this.#port = null;
  }

  #live(): ViewPort<T> {
    if (this.#port === null) throw escaped('&mut');
    return this.#port;
  }

  get value(): Value<T> {
    return this.#live()[VIEW_LOAD]();
  }

  set value(v: Value<T>) {
    this.#live()[VIEW_STORE]!(v);
  }

  get(): Value<T> {
    return this.#live()[VIEW_LOAD]();
  }

  set(v: Value<T>): void {
    this.#live()[VIEW_STORE]!(v);
  }

  update(g: (v: Value<T>) => Value<T>): Value<T> {
    if (typeof g !== 'function') throw new TypeError(`update: expected a function, got ${describe(g)}`);
    const next = g(this.get());
    this.set(next);
    return next;
  }
}

/** The `&T` a checked closure gets: read only. */
class SharedView<T extends PerCpuType> implements PerCpuShared<T> {
  #port: ViewPort<T> | null;
  readonly #what: string;

  constructor(port: ViewPort<T>, what: string) {
    this.#port = port;
    this.#what = what;
  }

  end(): void {
    this.#port = null;
  }

  get value(): Value<T> {
    return this.get();
  }

  set value(_v: Value<T>) {
    throw new TypeError(`${this.#what}: the view is &T (shared, read-only); writing needs get_mut(guard) → PerCpuToken`);
  }

  get(): Value<T> {
    if (this.#port === null) throw escaped('&');
    return this.#port[VIEW_LOAD]();
  }
}

/** The series' `get_mut(guard)` token: reads and writes this CPU's value while the guard it owns lives. */
export class PerCpuToken<T extends PerCpuType> extends GuardedAccess<T> {
  #inWith = false;

  /** @internal Use get_mut(guard). */
  constructor(key: typeof INTERNAL, t: Target<T>, guard: CpuGuard, b: Borrow) {
    if (key !== INTERNAL) throw new TypeError('PerCpuToken: use get_mut(guard) on a PerCpu, DynamicPerCpu or StaticPerCpu');
    super(t, guard, b);
  }

  /** @internal */
  static make<T extends PerCpuType>(t: Target<T>, guard: unknown, call: string, through: string | null, at: SourceLoc | null): PerCpuToken<T> {
    const what = `PerCpuToken<${t.access.label}>`;
    const { guard: g, borrow: b } = borrow(t, guard, 'mut', what, call, through, at);
    return new PerCpuToken(INTERNAL, t, g, b);
  }

  get what(): string {
    return `PerCpuToken<${this.t.access.label}>`;
  }

  /** Runs `f` on `&mut` the running CPU's copy and returns what `f` returns. */
  with<R>(f: (v: PerCpuMut<T>) => R): R {
    this.live('use');
    if (typeof f !== 'function') throw new TypeError(`${this.what}.with: expected a function, got ${describe(f)}`);
    if (this.#inWith) throw new TypeError(`${this.what}.with: already inside this token's with(); a second &mut to the same copy would alias the first`);
    const view = new MutView<T>(this);
    this.#inWith = true;
    try {
      const r = f(view);
      notPromise(r, this.what);
      return r;
    } finally {
      view.end();
      this.#inWith = false;
    }
  }

  /** @internal The view's access to the running CPU's copy. */
  [VIEW_LOAD](): Value<T> {
    return this.load('get');
  }

  /** @internal */
  [VIEW_STORE](v: Value<T>): void {
    this.store(v, 'set');
  }
}

/** The series' `get_checked(guard)` token, the read-only checked variant of PerCpuToken. */
export class CheckedPerCpuToken<T extends PerCpuType> extends GuardedAccess<T> {
  /** @internal Use get_checked(guard). */
  constructor(key: typeof INTERNAL, t: Target<T>, guard: CpuGuard, b: Borrow) {
    if (key !== INTERNAL) throw new TypeError('CheckedPerCpuToken: use get_checked(guard)');
    super(t, guard, b);
  }

  /** @internal */
  static make<T extends PerCpuType>(t: Target<T>, guard: unknown, call: string, through: string | null, at: SourceLoc | null): CheckedPerCpuToken<T> {
    const what = `CheckedPerCpuToken<${t.access.label}>`;
    const { guard: g, borrow: b } = borrow(t, guard, 'shared', what, call, through, at);
    return new CheckedPerCpuToken(INTERNAL, t, g, b);
  }

  get what(): string {
    return `CheckedPerCpuToken<${this.t.access.label}>`;
  }

  /** Runs `f` on `&` the running CPU's copy. */
  with<R>(f: (v: PerCpuShared<T>) => R): R {
    this.live('use');
    if (typeof f !== 'function') throw new TypeError(`${this.what}.with: expected a function, got ${describe(f)}`);
    const view = new SharedView<T>(this, this.what);
    try {
      const r = f(view);
      notPromise(r, this.what);
      return r;
    } finally {
      view.end();
    }
  }

  /** @internal */
  [VIEW_LOAD](): Value<T> {
    return this.load('get');
  }
}
