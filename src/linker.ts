/**
 * The `.data..percpu` linker: collects static per-CPU definitions and lays them
 * out as the kernel's linker script (PERCPU_INPUT, v6.15+) does, from
 * `__per_cpu_start` (offset 0 here: the zero-based model of x86-64) to
 * `__per_cpu_end`:
 *
 *   ALIGN(PAGE)  ..page_aligned
 *   ALIGN(64)    ..hot.*        (sorted by alignment, must fit one cacheline on x86)
 *   ALIGN(64)    ..read_mostly
 *   ALIGN(64)    .data..percpu, then ..shared_aligned
 *
 * Inside a subsection variables keep definition order, each at its alignment.
 */
import { intType, type CType } from '../c/types.js';
import { checkValue, writeValue, type CValue } from './cvalue.js';
import { C_OF_SCALAR, type Resolved } from './ctype-spec.js';
import { PerCpuPtr, setExtent, setOffset, type PtrMachine } from './percpu-ptr.js';
import { checkInRange, describe, scalarInfo, type ScalarInfo } from './types.js';

/** Bytes in a page. */
export const PAGE_SIZE = 4096;
/** Bytes in a cacheline (x86-64). */
export const L1_CACHE_BYTES = 64;

/** Output subsections in link order. */
export type Subsection = '..page_aligned' | '..hot' | '..read_mostly' | '' | '..shared_aligned';
/** The order of `.data..percpu`'s subsections in the output, as PERCPU_INPUT() lists them. */
export const LINK_ORDER: readonly Subsection[] = ['..page_aligned', '..hot', '..read_mostly', '', '..shared_aligned'];

/** The x86 linker script's `ASSERT(__per_cpu_hot_end - __per_cpu_hot_start <= 64)`. */
export const HOT_LIMIT = L1_CACHE_BYTES;

export interface StaticDef {
  readonly name: string;
  readonly macro: string;
  /** Full section name as the kernel would emit it (`.data..percpu..read_mostly`, …). */
  readonly section: string;
  readonly subsection: Subsection;
  /** The runtime scalar of a scalar variable; null for a struct, union or array. */
  readonly type: ScalarInfo | null;
  /** The variable's C type. */
  readonly ctype: CType;
  readonly size: number;
  readonly align: number;
  /** Initial value bits of a scalar (already range-checked); 0n for an aggregate. */
  readonly init: bigint;
  /** Initial bytes of an aggregate (already checked), or null (zero). */
  readonly initBytes: Uint8Array | null;
  readonly ptr: PerCpuPtr<unknown>;
}

/** One static per-CPU variable as the linker placed it. */
export interface LayoutEntry {
  readonly name: string;
  readonly section: string;
  readonly offset: number;
  readonly size: number;
  readonly align: number;
  readonly type: string;
}

/** The linked `.data..percpu` section: its entries and size. */
export interface StaticLayout {
  readonly entries: readonly LayoutEntry[];
  /** `__per_cpu_end - __per_cpu_start`, before the 4-byte rounding of the first chunk. */
  readonly size: number;
}

/** How each DEFINE_PER_CPU_* macro places its variable. */
export interface DefineKind {
  readonly macro: string;
  readonly subsection: Subsection;
  /** Minimum alignment the macro adds (`____cacheline_aligned`, `__aligned(PAGE_SIZE)`). */
  readonly minAlign: number;
}

export const DEFINE_KINDS = {
  DEFINE_PER_CPU: { macro: 'DEFINE_PER_CPU', subsection: '', minAlign: 1 },
  DEFINE_PER_CPU_ALIGNED: { macro: 'DEFINE_PER_CPU_ALIGNED', subsection: '..shared_aligned', minAlign: L1_CACHE_BYTES },
  DEFINE_PER_CPU_SHARED_ALIGNED: { macro: 'DEFINE_PER_CPU_SHARED_ALIGNED', subsection: '..shared_aligned', minAlign: L1_CACHE_BYTES },
  DEFINE_PER_CPU_PAGE_ALIGNED: { macro: 'DEFINE_PER_CPU_PAGE_ALIGNED', subsection: '..page_aligned', minAlign: PAGE_SIZE },
  DEFINE_PER_CPU_READ_MOSTLY: { macro: 'DEFINE_PER_CPU_READ_MOSTLY', subsection: '..read_mostly', minAlign: 1 },
  DEFINE_PER_CPU_CACHE_HOT: { macro: 'DEFINE_PER_CPU_CACHE_HOT', subsection: '..hot', minAlign: 1 },
} as const satisfies Record<string, DefineKind>;

/** One definition of a group given to defineAll(). */
export interface DefineItem {
  readonly kind: DefineKind;
  /** A runtime scalar name, or a C type already resolved in the machine's scope (src/ctype-spec.ts). */
  readonly type: unknown;
  readonly name: unknown;
  readonly init: unknown;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isResolved(t: unknown): t is Resolved {
  return t !== null && typeof t === 'object' && 'ctype' in t && 'label' in t;
}

/** A runtime scalar name as a definition's type. */
function resolveScalar(typeName: unknown, kind: DefineKind, name: string): Resolved {
  const scalar = scalarInfo(typeName, `${kind.macro}(${name})`);
  return { ctype: intType(C_OF_SCALAR[scalar.name])!, scalar, label: scalar.name };
}

function alignUp(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

export class PercpuLinker {
  private readonly defs: StaticDef[] = [];
  /**
   * @param machine the Machine whose `.data..percpu` this is: every symbol's pointer belongs to it.
   * @param bindOps binds a new symbol's size-generic op table (the typed layer of the machine's arch).
   */
  constructor(private readonly machine: PtrMachine, private readonly bindOps: (t: ScalarInfo) => unknown = () => null) {}

  private readonly byName = new Map<string, StaticDef>();
  /** Names of groups (Rust structs) → the macro that defined them; reserved like variable names. */
  private readonly groups = new Map<string, string>();
  private linked: StaticLayout | null = null;

  /** Adds a definition; the symbol's offset is assigned by link(). */
  define(kind: DefineKind, typeName: unknown, name: unknown, init: unknown): StaticDef {
    return this.defineAll(null, [{ kind, type: typeName, name, init }])[0];
  }

  /**
   * Adds several definitions as one, all or none: every one is checked (name,
   * type, initialiser, no collision with an existing symbol or with another of
   * the group) before any is added. `group` names what they make up together
   * (a Rust struct laid out field by field): that name is reserved too, so it
   * cannot be defined twice either.
   */
  defineAll(group: { readonly what: string; readonly name: string } | null, items: readonly DefineItem[]): StaticDef[] {
    const defs: StaticDef[] = [];
    const names = new Set<string>();
    if (group !== null) {
      const first = this.taken(group.name, names);
      if (first !== null) throw new Error(`${group.what}: redefinition of '${group.name}' (first defined by ${first})`);
    }
    for (const { kind, type: typeName, name, init } of items) {
      if (this.linked) {
        throw new Error(
          `${group?.what ?? `${kind.macro}(${isResolved(typeName) ? typeName.label : String(typeName)}, ${String(name)})`}: .data..percpu is already linked (the machine has booted); define static per-CPU variables before m.boot()`,
        );
      }
      if (typeof name !== 'string' || !IDENT.test(name)) {
        throw new TypeError(`${kind.macro}: the name must be a C identifier, got ${describe(name)}`);
      }
      const type: Resolved = isResolved(typeName) ? typeName : resolveScalar(typeName, kind, name);
      const first = this.taken(name, names);
      if (first !== null) {
        throw new Error(`${group?.what ?? `${kind.macro}(${type.label}, ${name})`}: redefinition of '${name}' (first defined by ${first})`);
      }
      const label = `${kind.macro}(${type.label}, ${name})`;
      const t = type.scalar;
      let initBits = 0n;
      let initBytes: Uint8Array | null = null;
      if (t !== null) {
        initBits = init === undefined ? 0n : BigInt.asUintN(t.size * 8, checkInRange(t, init, `${label} initialiser`));
      } else if (init !== undefined) {
        checkValue(type.ctype, init, `${label} initialiser`);
        initBytes = new Uint8Array(type.ctype.size);
        writeValue(new DataView(initBytes.buffer), 0, type.ctype, init as CValue);
      }
      const section = kind.subsection === '..hot' ? `.data..percpu..hot..${name}` : `.data..percpu${kind.subsection}`;
      const ptr = new PerCpuPtr<unknown>(this.machine, NaN, t, { label, kind: 'static' }, t === null ? null : this.bindOps(t), { ctype: type.ctype, sym: name });
      setExtent(ptr, type.ctype.size);
      defs.push(Object.freeze({
        name, macro: kind.macro, section, subsection: kind.subsection, type: t, ctype: type.ctype,
        size: type.ctype.size, align: Math.max(type.ctype.align, kind.minAlign), init: initBits, initBytes, ptr,
      }));
      names.add(name);
    }
    for (const def of defs) {
      this.defs.push(def);
      this.byName.set(def.name, def);
    }
    if (defs.length > 0) this.planned = null;
    if (group !== null) this.groups.set(group.name, items[0]?.kind.macro ?? group.what);
    return defs;
  }

  /** Who defined `name` already (a symbol's macro, a group, or an earlier item of this group `names`), or null. */
  private taken(name: string, names: ReadonlySet<string>): string | null {
    const prev = this.byName.get(name);
    if (prev !== undefined) return prev.macro;
    const g = this.groups.get(name);
    if (g !== undefined) return g;
    return names.has(name) ? 'this definition' : null;
  }

  lookup(name: string): StaticDef | undefined {
    return this.byName.get(name);
  }

  /** The definitions in order: a copy, so a caller cannot add or drop one behind the linker's back. */
  definitions(): readonly StaticDef[] {
    return this.defs.slice();
  }

  get isLinked(): boolean {
    return this.linked !== null;
  }

  /**
   * Lays out every definition as link() will, without fixing anything: the
   * offsets and `__per_cpu_end`, or the error link() would raise.
   */
  layout(): StaticLayout {
    return this.linked ?? this.plan().layout;
  }

  /** The last plan(), until a definition is added (the constructor and boot() ask for the same layout). */
  private planned: { layout: StaticLayout; offsets: Map<StaticDef, number> } | null = null;

  /** Lays out every definition and fixes each symbol's offset. Runs once, at boot; all or nothing. */
  link(): StaticLayout {
    if (this.linked) return this.linked;
    const { layout, offsets } = this.plan();
    offsets.forEach((off, d) => setOffset(d.ptr, off));
    this.linked = layout;
    return layout;
  }

  private plan(): { layout: StaticLayout; offsets: Map<StaticDef, number> } {
    return this.planned ??= this.planAll();
  }

  private planAll(): { layout: StaticLayout; offsets: Map<StaticDef, number> } {
    const entries: LayoutEntry[] = [];
    const offsets = new Map<StaticDef, number>();
    let at = 0;
    for (const sub of LINK_ORDER) {
      let members = this.defs.filter((d) => d.subsection === sub);
      if (sub === '..hot') {
        // SORT_BY_ALIGNMENT: larger alignment first; stable for equal alignment.
        members = members.slice().sort((a, b) => b.align - a.align);
      }
      if (sub === '..page_aligned') at = alignUp(at, PAGE_SIZE);
      if (sub === '..hot' || sub === '..read_mostly' || sub === '') at = alignUp(at, L1_CACHE_BYTES);
      const start = at;
      for (const d of members) {
        at = alignUp(at, d.align);
        offsets.set(d, at);
        entries.push({ name: d.name, section: d.section, offset: at, size: d.size, align: d.align, type: d.type?.name ?? d.ctype.name });
        at += d.size;
      }
      if (sub === '..hot' && at - start > HOT_LIMIT) {
        throw new Error(`percpu cache hot data too large: ${at - start} bytes in .data..percpu..hot.* (limit ${HOT_LIMIT})`);
      }
    }
    return { layout: { entries, size: at }, offsets };
  }
}

export { alignUp };
