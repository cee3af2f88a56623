/**
 * State a module keeps for each machine — what a WeakMap<Machine, T> would
 * hold — stored in the machine's own `attached` map instead, so it lives and
 * dies with the machine and everything a machine is can be reached from the
 * machine object (a snapshot restores it: src/snapshot.ts).
 */
import type { Machine } from './machine.js';

/** One module's slot in every machine's `attached` map. */
export class PerMachine<T> {
  /** `name`: the subsystem, for a reader of `m.attached`. */
  constructor(readonly name: string) {}

  get(m: Machine): T | undefined {
    return m.attached.get(this) as T | undefined;
  }

  has(m: Machine): boolean {
    return m.attached.has(this);
  }

  set(m: Machine, value: T): this {
    m.attached.set(this, value);
    return this;
  }
}
