/**
 * Static per-CPU variables: `define_per_cpu!(PERCPU: u64 = 0)`.
 *
 * The macro places a `StaticPerCpuSymbol<T>` in `.data..percpu`. The symbol is
 * "fake": its address is an offset that only means something added to a CPU's
 * per-CPU base, so reading it as a value is wrong — the type gives no way to
 * read it (its `value` is private and there is no conversion), and a run-time
 * read throws. Access goes through the narrow unsafe door,
 * `unsafe_get_per_cpu_ref(m, sym, guard)` (RFC v1), or through the safe handle
 * `get_static_per_cpu(m, sym)` (v3+), whose references are `'static`.
 */
import type { DefineKind } from '../linker.js';
import { machineArg, type Machine } from '../machine.js';
import type { PerCpuPtr } from '../percpu-ptr.js';
import { MachineStateError } from '../errors.js';
import { describe } from '../types.js';
import { accessOf, type Access } from './access.js';
import { releaseRefused, type CpuGuard } from './cpu-guard.js';
import { callerLocation } from './diagnostics.js';
import { PerCpuHandle } from './handle.js';
import { StructLayout } from './layout.js';
import { PerCpuRef, variableBorrows, type Target } from './per-cpu-ref.js';
import type { PerCpuType, Value } from './types.js';

/** How define_per_cpu! places a variable: plain `.data..percpu`, like DEFINE_PER_CPU. */
const DEFINE_PER_CPU_RUST: DefineKind = { macro: 'define_per_cpu!', subsection: '', minAlign: 1 };

const READ_AS_VALUE = 'is a StaticPerCpuSymbol: reading it directly is undefined behaviour (its address is an offset, not a place); '
  + 'use get_static_per_cpu(m, sym) or unsafe_get_per_cpu_ref(m, sym, guard)';

interface SymbolData<T extends PerCpuType> {
  readonly m: Machine;
  readonly access: Access<T>;
  /** The linker's symbol (for a struct: its first field, placed at the struct's alignment). */
  readonly ptr: PerCpuPtr<unknown>;
  /** For a struct: every field's symbol, to check the linked layout once. */
  readonly fields: readonly PerCpuPtr<unknown>[];
  checked: boolean;
}

const DATA = new WeakMap<object, SymbolData<PerCpuType>>();

export class StaticPerCpuSymbol<T extends PerCpuType> {
  readonly name: string;
  /** Phantom: the variable's type. */
  declare readonly __type?: T;

  /** @internal Made by define_per_cpu. */
  constructor(name: string, data: SymbolData<T>) {
    this.name = name;
    DATA.set(this, data as unknown as SymbolData<PerCpuType>);
    Object.freeze(this);
  }

  /** There is no value to read: private to the type system, a throw at run time. */
  private get value(): never {
    throw new TypeError(`${this.name} ${READ_AS_VALUE}`);
  }

  valueOf(): never {
    throw new TypeError(`${this.name} ${READ_AS_VALUE}`);
  }

  [Symbol.toPrimitive](hint: string): string {
    if (hint === 'string') return this.toString();
    throw new TypeError(`${this.name} ${READ_AS_VALUE}`);
  }

  toString(): string {
    const d = DATA.get(this)!;
    return `define_per_cpu!(${this.name}: ${d.access.label})`;
  }

  toJSON(): string {
    return this.toString();
  }
}

function dataOf<T extends PerCpuType>(m: Machine, sym: StaticPerCpuSymbol<T>, what: string): SymbolData<T> {
  const d = sym instanceof StaticPerCpuSymbol ? DATA.get(sym) : undefined;
  if (d === undefined) throw new TypeError(`${what}: expected a StaticPerCpuSymbol from define_per_cpu(), got ${describe(sym)}`);
  if (d.m !== m) throw new TypeError(`${what}: ${sym.name} was defined on another Machine`);
  if (!m.booted) throw new MachineStateError(`${what}(${sym.name}): per-CPU memory is not set up yet: call m.boot() first`);
  if (!d.checked) {
    // A struct is linked as consecutive field symbols; check they landed where C would put them.
    const layout = d.access.layout;
    if (layout !== null) {
      const base = d.ptr.off;
      layout.fields.forEach((f, i) => {
        if (d.fields[i].off !== base + f.offset) {
          throw new Error(`${sym.name}: field ${f.name} was linked at +${d.fields[i].off - base}, not +${f.offset}; the struct layout was broken by the linker`);
        }
      });
    }
    d.checked = true;
  }
  return d as unknown as SymbolData<T>;
}

/**
 * define_per_cpu!(NAME: type = init): defines a static per-CPU variable in
 * `.data..percpu` (before m.boot(), when the section is linked). A struct
 * value is placed field by field at C offsets, the first at the struct's
 * alignment.
 */
export function define_per_cpu<T extends PerCpuType>(m: Machine, name: string, type: T, init?: Value<T>): StaticPerCpuSymbol<T> {
  machineArg(m, 'define_per_cpu!');
  const access = accessOf(type, `define_per_cpu!(${String(name)})`);
  const what = `define_per_cpu!(${String(name)}: ${access.label})`;
  if (init !== undefined) access.check(init, `${what} initialiser`);
  if (access.scalar !== null) {
    const def = m.linker.define(DEFINE_PER_CPU_RUST, access.scalar.name, name, init);
    return new StaticPerCpuSymbol(name, { m, access, ptr: def.ptr, fields: [def.ptr], checked: false });
  }
  const layout = access.layout as StructLayout;
  if (m.linker.isLinked) {
    throw new Error(`${what}: .data..percpu is already linked (the machine has booted); define static per-CPU variables before m.boot()`);
  }
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new TypeError(`define_per_cpu!: the name must be a Rust identifier, got ${describe(name)}`);
  }
  const initObj = (init ?? layout.zero()) as Record<string, number | bigint | boolean>;
  // One linker symbol per field, defined as a group: a collision on any of
  // them (or on the struct's own name) leaves no field symbol behind.
  const fields = m.linker.defineAll({ what, name }, layout.fields.map((f, i) => ({
    kind: { ...DEFINE_PER_CPU_RUST, minAlign: i === 0 ? layout.align : 1 } satisfies DefineKind,
    type: f.type.name, name: `${name}__${f.name}`, init: initObj[f.name],
  }))).map((d) => d.ptr);
  return new StaticPerCpuSymbol(name, { m, access, ptr: fields[0], fields, checked: false });
}

/**
 * `unsafe { unsafe_get_per_cpu_ref!(SYM, guard) }`: a `'static` PerCpuRef to the
 * running CPU's copy; the guard moves into it. Unsafe in Rust because nothing
 * stops a second reference to the same copy; here that aliasing is detected and
 * refused instead.
 */
export function unsafe_get_per_cpu_ref<T extends PerCpuType>(m: Machine, sym: StaticPerCpuSymbol<T>, guard: CpuGuard): PerCpuRef<T> {
  const call = sym instanceof StaticPerCpuSymbol ? `unsafe_get_per_cpu_ref!(${sym.name})` : 'unsafe_get_per_cpu_ref!';
  try {
    const d = dataOf(m, sym, 'unsafe_get_per_cpu_ref');
    const t: Target<T> = {
      m, ptr: d.ptr, type: typeOf(d), access: d.access, handle: null, lifetime: "'static",
      vars: variableBorrows(d.ptr, sym.name),
    };
    return PerCpuRef.make(t, guard, call, null, m.debugFree ? callerLocation() : null);
  } catch (e) {
    releaseRefused(guard, call);
    throw e;
  }
}

/** StaticPerCpu<T>: the safe handle to a static per-CPU variable (never dropped, never freed). */
export class StaticPerCpu<T extends PerCpuType> extends PerCpuHandle<T> {
  readonly symbol: StaticPerCpuSymbol<T>;

  /** @internal Use get_static_per_cpu(m, sym). */
  constructor(m: Machine, sym: StaticPerCpuSymbol<T>, d: SymbolData<T>) {
    super(m, typeOf(d), d.access, d.ptr, variableBorrows(d.ptr, sym.name), { name: sym.name, at: null }, "'static");
    this.symbol = sym;
  }

  get what(): string {
    return `StaticPerCpu<${this.target.access.label}>`;
  }

  protected usable(): void {}

  /** Another handle to the same variable (StaticPerCpu is Clone). */
  clone(): StaticPerCpu<T> {
    return new StaticPerCpu(this.m, this.symbol, dataOf(this.m, this.symbol, 'clone'));
  }
}

function typeOf<T extends PerCpuType>(d: SymbolData<T>): T {
  return (d.access.layout ?? d.access.scalar!.name) as T;
}

/** get_static_per_cpu!(SYM): the safe handle (v3+: no unsafe needed). */
export function get_static_per_cpu<T extends PerCpuType>(m: Machine, sym: StaticPerCpuSymbol<T>): StaticPerCpu<T> {
  return new StaticPerCpu(m, sym, dataOf(m, sym, 'get_static_per_cpu'));
}
