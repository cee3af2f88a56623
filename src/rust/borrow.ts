/**
 * Borrow tracking, the run-time stand-in for lifetimes. Each per-CPU variable
 * (an allocation or a static symbol) knows the references to it that are alive,
 * per CPU; each handle (a PerCpu clone, a StaticPerCpu) knows the borrows it
 * handed out. That is enough to refuse what rustc refuses — moving (dropping)
 * a handle that is borrowed (E0505), borrowing it mutably twice (E0499) — and
 * what `get_mut`'s safety contract forbids but the compiler cannot see: two
 * live references to the same CPU's copy through different clones.
 */
import { AliasingError, BorrowError, formatLoc, identifier, renderDiagnostic, type Label, type SourceLoc } from './diagnostics.js';

export type BorrowKind = 'mut' | 'shared';

/** One live reference: a PerCpuRef, a PerCpuToken or a CheckedPerCpuToken. */
export interface Borrow {
  readonly kind: BorrowKind;
  readonly cpu: number;
  /** `PerCpuRef<u32>`, `PerCpuToken<u64>`. */
  readonly what: string;
  /** The handle's binding name it was taken through (null for unsafe_get_per_cpu_ref). */
  readonly through: string | null;
  /** `num.get()`. */
  readonly call: string;
  readonly at: SourceLoc | null;
}

/**
 * The live references to one per-CPU variable, by CPU. Kept per machine
 * (src/rust/per-cpu-ref.ts) in a plain field, not a `#` one: a machine's
 * snapshot restores it (src/snapshot.ts).
 */
export class VariableBorrows {
  private readonly borrows = new Set<Borrow>();

  /** `what` names the variable for messages: `num`, `PERCPU`. */
  constructor(readonly what: string) {}

  get count(): number {
    return this.borrows.size;
  }

  live(): readonly Borrow[] {
    return [...this.borrows];
  }

  /** Registers b, refusing it if it would alias a live reference on the same CPU. */
  acquire(b: Borrow): void {
    for (const o of this.borrows) {
      if (o.cpu !== b.cpu || (o.kind === 'shared' && b.kind === 'shared')) continue;
      const mine = b.kind === 'mut' ? 'a mutable reference' : 'a shared reference';
      const theirs = o.kind === 'mut' ? 'mutable' : 'shared';
      throw new AliasingError(
        `aliasing violation: ${b.call} would create ${mine} to cpu ${b.cpu}'s copy of \`${this.what}\` ` +
          `while a ${theirs} ${o.what} to it is alive (taken by ${o.call}${o.at ? ` at ${formatLoc(o.at)}` : ''}). ` +
          `A &mut T may not alias any other reference; in Rust this breaks the safety contract of get_mut / unsafe_get_per_cpu_ref ` +
          `(undefined behaviour the compiler cannot see). Drop the other reference first; nothing was borrowed`,
      );
    }
    this.borrows.add(b);
  }

  release(b: Borrow): void {
    this.borrows.delete(b);
  }
}

/** Where a handle's binding was declared, for the E0505 message. */
export interface Binding {
  readonly name: string;
  readonly at: SourceLoc | null;
}

/** The borrows one handle has handed out (at most one at a time: every getter takes `&mut self`). */
export class HandleBorrows {
  #live: Borrow | null = null;

  get current(): Borrow | null {
    return this.#live;
  }

  /** E0499 when the handle is already borrowed. */
  checkFree(binding: Binding, call: string, at: SourceLoc | null): void {
    const o = this.#live;
    if (o === null) return;
    throw new BorrowError(
      renderDiagnostic(
        'E0499',
        `cannot borrow \`${binding.name}\` as mutable more than once at a time`,
        [
          { loc: o.at, mark: identifier(binding.name), primary: false, text: `first mutable borrow occurs here (${o.call} returned a ${o.what} that is still alive)` },
          { loc: at, mark: identifier(binding.name), primary: true, text: `second mutable borrow occurs here (${call})` },
        ],
        [`${o.call} and ${call} both take \`&mut ${binding.name}\``],
        `drop the ${o.what} first (end its \`using\` block, or call its [Symbol.dispose]()), or clone \`${binding.name}\` for a second user; nothing was borrowed`,
      ),
    );
  }

  set(b: Borrow): void {
    this.#live = b;
  }

  clear(b: Borrow): void {
    if (this.#live === b) this.#live = null;
  }

  /**
   * E0505: `drop(num)` while `num` is borrowed. The message follows rustc's,
   * with the binding, the borrow and the move pointed at in the source.
   */
  checkMove(binding: Binding, moveCall: string, moveAt: SourceLoc | null): void {
    const o = this.#live;
    if (o === null) return;
    const labels: Label[] = [
      { loc: binding.at, mark: identifier(binding.name), primary: false, text: `binding \`${binding.name}\` declared here` },
      { loc: o.at, mark: identifier(binding.name), primary: false, text: `borrow of \`${binding.name}\` occurs here` },
      { loc: moveAt, mark: identifier(binding.name), primary: true, text: `move out of \`${binding.name}\` occurs here` },
    ];
    throw new BorrowError(
      renderDiagnostic(
        'E0505',
        `cannot move out of \`${binding.name}\` because it is borrowed`,
        labels,
        [`the borrow is a ${o.what} returned by ${o.call}; it is still alive, so a later use of it would be a use after free`],
        `drop the ${o.what} before ${moveCall} (end its \`using\` block or call its [Symbol.dispose]()); \`${binding.name}\` was not dropped`,
      ),
    );
  }
}
