/**
 * Ghost state: scenario bookkeeping that is not kernel memory ("which readers
 * are inside", "how many adds have linearised") but that the invariants read.
 *
 * The explorer's reduction knows a transition only by its footprint, so state
 * it cannot see could let it treat two orders as equivalent that differ in a
 * ghost value — and merge a violating order away. A ghost therefore is a named
 * resource (`ghost:<name>`): task code reads or writes it only in a step that
 * declares it (`yield* g.get()`, `yield* g.set(v)`, `yield* g.update(fn)`, or
 * `writes: [g.resource]` on a step of its own), and the scheduler refuses, as
 * a violation, any access from task code that its step did not declare. The
 * ghost values are part of the explorer's state key. Invariants (`check`,
 * `final`) read `g.value` freely.
 *
 * Values are primitives, so that no write can happen behind the accessor.
 */
import { MachineStateError } from '../errors.js';
import type { Machine } from '../machine.js';
import { PerMachine } from '../per-machine.js';
import { describe } from '../types.js';
import type { Step, StepGen } from './step.js';

/** What a ghost may hold: primitives only, so every write goes through a declared step. */
export type GhostValue = number | bigint | boolean | string;

/** A ghost value in a trace line: strings quoted, so an empty one shows. */
function shown(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** What the frame running now may touch: every ghost (its start), the declared names, or anything (outside task code). */
export type GhostGate = 'any' | { readonly reads: ReadonlySet<string>; readonly writes: ReadonlySet<string>; readonly who: string } | null;

interface GhostTable {
  readonly ghosts: Map<string, Ghost<GhostValue>>;
  gate: GhostGate;
}

const tables = new PerMachine<GhostTable>('ghosts');

function table(m: Machine): GhostTable {
  let t = tables.get(m);
  if (t === undefined) {
    t = { ghosts: new Map(), gate: null };
    tables.set(m, t);
  }
  return t;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/** A named piece of ghost state: read and written by task code only in steps that declare it, read freely by invariants. */
export class Ghost<T extends GhostValue> {
  readonly name: string;
  /** The named resource steps declare: `ghost:<name>`. */
  readonly resource: string;
  private v: T;
  private readonly t: GhostTable;

  /** @internal use ghost() */
  constructor(t: GhostTable, name: string, init: T) {
    this.t = t;
    this.name = name;
    this.resource = `ghost:${name}`;
    this.v = init;
  }

  private allow(write: boolean): void {
    const g = this.t.gate;
    if (g === null || g === 'any') return;
    if (write ? g.writes.has(this.resource) : g.reads.has(this.resource) || g.writes.has(this.resource)) return;
    const how = write ? `yield* ${this.name}.set(v) or yield* ${this.name}.update(fn)` : `yield* ${this.name}.get()`;
    throw new MachineStateError(
      `ghost ${this.name} ${write ? 'written' : 'read'} by ${g.who} outside a step that declares it: use ${how}, `
      + `or name '${this.resource}' in the step's ${write ? 'writes' : 'reads'}, so the explorer sees the access`,
    );
  }

  /** The value (invariants read it freely; task code only inside a step that declares the ghost). */
  get value(): T {
    this.allow(false);
    return this.v;
  }

  set value(v: T) {
    this.allow(true);
    if (typeof v !== typeof this.v) {
      throw new TypeError(`ghost ${this.name}: holds a ${typeof this.v}, got ${describe(v)}`);
    }
    this.v = v;
  }

  /** One step that reads the ghost. */
  *get(): StepGen<T> {
    const step: Step = { asm: `ghost read ${this.name}`, reads: [this.resource] };
    yield step;
    step.moved = shown(this.value);
    return this.value;
  }

  /** One step that writes the ghost. */
  *set(v: T): StepGen<void> {
    yield { asm: `ghost ${this.name} = ${String(v)}`, writes: [this.resource] };
    this.value = v;
  }

  /** One step that reads and writes the ghost: `yield* inside.update((n) => n + 1)`. */
  *update(fn: (v: T) => T): StepGen<T> {
    const step: Step = { asm: `ghost update ${this.name}`, writes: [this.resource] };
    yield step;
    const old = this.value;
    const nv = fn(old);
    this.value = nv;
    step.moved = `${shown(old)} -> ${shown(nv)}`;
    return nv;
  }
}

/**
 * Declares a ghost variable of the scenario on machine `m` (one per name per
 * machine; a scenario builds a fresh machine per schedule).
 */
export function ghost(m: Machine, name: string, init: number): Ghost<number>;
export function ghost(m: Machine, name: string, init: bigint): Ghost<bigint>;
export function ghost(m: Machine, name: string, init: boolean): Ghost<boolean>;
export function ghost(m: Machine, name: string, init: string): Ghost<string>;
export function ghost<T extends GhostValue>(m: Machine, name: string, init: T): Ghost<T> {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new TypeError(`ghost: name must be letters, digits, '_' and '.', got ${describe(name)}`);
  }
  if (!['number', 'bigint', 'boolean', 'string'].includes(typeof init)) {
    throw new TypeError(`ghost ${name}: the initial value must be a number, bigint, boolean or string, got ${describe(init)}`);
  }
  const t = table(m);
  if (t.ghosts.has(name)) throw new TypeError(`ghost: ${name} is already declared on this machine`);
  const g = new Ghost<T>(t, name, init);
  t.ghosts.set(name, g as unknown as Ghost<GhostValue>);
  return g;
}

/** Sets what running frame code may touch (the scheduler, around each piece of task code). */
export function setGhostGate(m: Machine, gate: GhostGate): void {
  const t = tables.get(m);
  if (t !== undefined) t.gate = gate;
}

/** True when `m` has ghosts (the scheduler skips the gate otherwise). */
export function hasGhosts(m: Machine): boolean {
  return (tables.get(m)?.ghosts.size ?? 0) > 0;
}

/** `name=value` of every ghost, for the state key. */
export function ghostKey(m: Machine): string {
  const t = tables.get(m);
  if (t === undefined) return '';
  const gate = t.gate;
  t.gate = null;
  try {
    return [...t.ghosts.values()].map((g) => `${g.name}=${String(g.value)}`).join(',');
  } finally {
    t.gate = gate;
  }
}
