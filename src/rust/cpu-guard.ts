/**
 * CpuGuard: an RAII preemption guard. Constructing one calls preempt_disable(),
 * disposing it calls preempt_enable(); while it lives the running context cannot
 * migrate (Machine.migrate refuses), so "this CPU" stays the same CPU.
 *
 *   using guard = new CpuGuard(m);       // preemption off until the scope ends
 *   const r = pcpu.get(new CpuGuard(m)); // the guard is moved into r
 *
 * Rust moves a guard into the PerCpuRef or token that needs it; the old binding
 * is then statically dead. Here the old object is marked moved, and any later
 * use of it (drop(), another move, reading its CPU) is an E0382 error that says
 * where it went. The end of a `using` scope is not such a use: Rust does not
 * drop a moved-from binding (its drop flag is clear), so
 *
 *   using guard = new CpuGuard(m);
 *   const r = pcpu.get(guard);           // r owns the guard now
 *
 * leaves preemption to r, and the scope's implicit dispose of `guard` does nothing.
 */
import type { Machine } from '../machine.js';
import { MachineStateError } from '../errors.js';
import { preempt_disable, preempt_enable } from '../kernel/preempt.js';
import { describe } from '../types.js';
import { MovedValueError, formatLoc, type SourceLoc } from './diagnostics.js';

export interface CpuGuardOptions {
  /** The binding's name in messages (default `guard`). */
  name?: string;
}

type GuardState = 'live' | 'moved' | 'dropped';

/** Where a guard went: a new owner that keeps it, or a refused call that dropped it. */
type MoveKind = 'owner' | 'refused';

/** Passed by moveGuard() so a moved guard's new object does not disable preemption twice. */
const ADOPT: unique symbol = Symbol('adopt');
const REFUSED: unique symbol = Symbol('refused');

export class CpuGuard implements Disposable {
  readonly m: Machine;
  readonly name: string;
  #state: GuardState = 'live';
  #cpu: number;
  #ctx: Machine['ctx'];
  #movedInto = '';
  #movedAt: SourceLoc | null = null;
  #moveKind: MoveKind = 'owner';

  constructor(m: Machine, options: CpuGuardOptions = {}, adopt?: typeof ADOPT) {
    if (m === null || typeof m !== 'object' || typeof (m as Partial<Machine>).migrate !== 'function') {
      throw new TypeError(`CpuGuard: expected a Machine, got ${describe(m)}`);
    }
    if (options === null || typeof options !== 'object') throw new TypeError(`CpuGuard: options must be an object { name }, got ${describe(options)}`);
    const name = options.name ?? 'guard';
    if (typeof name !== 'string' || name === '') throw new TypeError(`CpuGuard: name must be a non-empty string, got ${describe(name)}`);
    this.m = m;
    this.name = name;
    this.#cpu = m.cpu;
    this.#ctx = m.ctx;
    if (adopt !== ADOPT) preempt_disable(m);
  }

  get state(): GuardState {
    return this.#state;
  }

  /** The CPU this guard keeps the context on. */
  get cpu(): number {
    this.assertLive('read the CPU of');
    return this.#cpu;
  }

  /** Throws E0382 if the guard was moved or dropped. */
  assertLive(doing: string): void {
    if (this.#state === 'live') return;
    if (this.#state === 'dropped' && this.#moveKind === 'refused') {
      throw new MovedValueError(
        `error[E0382]: use of moved value: \`${this.name}\`\n` +
          `  = note: cannot ${doing} \`${this.name}\`: it was moved into ${this.#movedInto}, which was refused and dropped it ` +
          `(preemption was re-enabled then, as Rust drops a value moved into a call that does not keep it)\n` +
          `help: use a new CpuGuard`,
      );
    }
    if (this.#state === 'moved') {
      throw new MovedValueError(
        `error[E0382]: use of moved value: \`${this.name}\`\n` +
          `  = note: cannot ${doing} \`${this.name}\`: it was moved into ${this.#movedInto}` +
          `${this.#movedAt ? ` at ${formatLoc(this.#movedAt)}` : ''}, which now owns it and re-enables preemption when it is dropped\n` +
          `help: use a new CpuGuard, or drop what it was moved into`,
      );
    }
    throw new MovedValueError(
      `error[E0382]: use of moved value: \`${this.name}\`\n  = note: cannot ${doing} \`${this.name}\`: it was already dropped (preemption was re-enabled then)`,
    );
  }

  /** drop(guard): re-enables preemption. */
  drop(): void {
    this.assertLive('drop');
    if (this.m.ctx !== this.#ctx) {
      throw new MachineStateError(
        `CpuGuard \`${this.name}\` dropped by ${this.m.ctx.comm}/${this.m.ctx.pid}, but it disabled preemption for ${this.#ctx.comm}/${this.#ctx.pid}: a guard belongs to the context that made it`,
      );
    }
    preempt_enable(this.m);
    this.#state = 'dropped';
  }

  /** The implicit drop at the end of a `using` scope: skipped once the guard was moved or dropped. */
  [Symbol.dispose](): void {
    if (this.#state !== 'live') return;
    this.drop();
  }

  toString(): string {
    return `CpuGuard(${this.name}, cpu ${this.#cpu}, ${this.#state})`;
  }

  /**
   * Used by releaseRefused only: the call `into` consumed the guard and failed,
   * so the guard is dropped as Rust drops an argument moved into a call.
   * A guard of another context is left alone: dropping it here would
   * re-enable preemption for a context that is not running.
   */
  static [REFUSED](g: CpuGuard, into: string): void {
    if (g.#state !== 'live' || g.m.ctx !== g.#ctx || g.m.ctx.preemptCount <= 0) return;
    preempt_enable(g.m);
    g.#state = 'dropped';
    g.#moveKind = 'refused';
    g.#movedInto = into;
  }

  /** Used by moveGuard only: ends this object's ownership. */
  static [ADOPT](g: CpuGuard, into: string, at: SourceLoc | null): CpuGuard {
    const moved = new CpuGuard(g.m, { name: g.name }, ADOPT);
    g.#state = 'moved';
    g.#movedInto = into;
    g.#movedAt = at;
    moved.#cpu = g.#cpu;
    moved.#ctx = g.#ctx;
    return moved;
  }
}

/**
 * Moves `guard` into a new owner (a PerCpuRef or a token): checks it is a live
 * guard of this machine that pins the running CPU, marks the caller's object
 * moved (remembering where, for the E0382 message), and returns the object the
 * new owner keeps and later drops.
 */
export function moveGuard(m: Machine, guard: unknown, into: string, at: SourceLoc | null): CpuGuard {
  if (!(guard instanceof CpuGuard)) {
    throw new TypeError(`${into}: expected a CpuGuard (new CpuGuard(m)), got ${describe(guard)}`);
  }
  guard.assertLive(`move into ${into}`);
  if (guard.m !== m) throw new TypeError(`${into}: the CpuGuard belongs to another Machine`);
  if (guard.cpu !== m.cpu) {
    throw new MachineStateError(`${into}: the CpuGuard pins cpu ${guard.cpu} but the context runs on cpu ${m.cpu}`);
  }
  return CpuGuard[ADOPT](guard, into, at);
}

/**
 * The error path of every call that takes a guard by value (get, get_mut,
 * get_checked, unsafe_get_per_cpu_ref, PerCpuRef.unsafe_new): the guard passed
 * in is dropped, so preemption is back where it was before the guard was made
 * — `num.get(new CpuGuard(m))` that fails leaves preempt_count as it found it.
 * Anything that is not a live CpuGuard is left alone (nothing was consumed).
 */
export function releaseRefused(guard: unknown, call: string): void {
  if (guard instanceof CpuGuard) CpuGuard[REFUSED](guard, call);
}

