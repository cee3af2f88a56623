/**
 * Typed pointers into ordinary (non-per-CPU) memory: what `&nr_free` is for
 * a global and what kzalloc() returns. Unlike a per-CPU pointer this is a
 * real address, the same on every CPU, and every CPU sees the same object.
 *
 * A KPtr knows its C type, the object it points into (for bounds and for
 * kfree's poison) and its symbolic name for traces (`nr_free`,
 * `obj->refs.counter`). Scalars are checked for alignment once, when the
 * pointer is made, so the ops through it need not check again.
 */
import { memberRef } from '../c/layout.js';
import { isScalar, type CType } from '../c/types.js';
import { resolveType, type Resolved, type TypeArg, type ScalarOf } from './ctype-spec.js';
import { MachineStateError, UseAfterFreeError } from './errors.js';
import { PCPU_BASE, type Machine } from './machine.js';
import { PerMachine } from './per-machine.js';
import { SCALARS, describe, type ScalarInfo, type ScalarName } from './types.js';
import { pushWeak } from './weak-list.js';
import type { ArrayType, RecordType } from '../c/types.js';

/** Where a plain pointer's object came from, for messages. */
export interface KOrigin {
  /** `global nr_free (atomic_t)`, `kzalloc #3 (struct foo, 24 bytes)`, `this_cpu_ptr(&bh_lrus) (DEFINE_PER_CPU(…))`. */
  readonly label: string;
  /** `percpu`: one CPU's copy of a per-CPU variable or allocation (this_cpu_kptr()/per_cpu_kptr()). */
  readonly kind: 'global' | 'heap' | 'cast' | 'percpu';
}

/** The object a pointer points into: [base, base + size). */
interface Extent {
  readonly base: number;
  readonly size: number;
  /** The machine whose memory holds the object: an op of another machine refuses the pointer. */
  readonly machine: Machine;
}

const READ_AS_VALUE = 'is a pointer to machine memory, not a value: read it with READ_ONCE()/atomic_read(), or load through kptr_addr()';

/**
 * A typed pointer into ordinary machine memory (`&nr_free`, `obj->refs.counter`): made by
 * global_var(), kmalloc()/kzalloc() and kptr_member(), taken by READ_ONCE(), the atomic_*()
 * ops and the locks. `T` is the pointee as TypeScript sees it.
 */
export class KPtr<T = unknown> {
  /** The byte address in machine memory. */
  readonly addr: number;
  /** The runtime scalar for a scalar pointee; null for a struct, union or array. */
  readonly type: ScalarInfo | null;
  /** The pointee's C type. */
  readonly ctype: CType;
  readonly origin: KOrigin;
  /** The lvalue it designates, as C spells it: `nr_free`, `obj->refs.counter`, `*obj`. */
  readonly sym: string;
  /** The object it points into (shared by every pointer derived from the same one). */
  readonly extent: Extent;
  /** Phantom: the pointee. Never present at run time. */
  declare readonly __pointee?: T;

  constructor(addr: number, ctype: CType, origin: KOrigin, sym: string, extent: Extent) {
    this.addr = addr;
    this.ctype = ctype;
    this.type = isScalar(ctype) ? SCALARS[ctype.scalar] : null;
    this.origin = origin;
    this.sym = sym;
    this.extent = extent;
  }

  /** Throws: a pointer is not a number; read through it (READ_ONCE(), atomic_read()) instead. */
  valueOf(): never {
    throw new TypeError(`${this.sym} ${READ_AS_VALUE}`);
  }

  /** The pointer in a template string (`${p}`) is its description; in arithmetic or comparison, an error. */
  [Symbol.toPrimitive](hint: string): string {
    if (hint === 'string') return this.toString();
    throw new TypeError(`${this.sym} ${READ_AS_VALUE}`);
  }

  /** `&nr_free (atomic_t *) @ 0x1040`: the lvalue, its C type and its address. */
  toString(): string {
    return `&${this.sym} (${this.ctype.name} *) @ 0x${Number.isFinite(this.addr) ? this.addr.toString(16) : '?'}`;
  }

  /** The same text as toString(), so a pointer in JSON output reads as one. */
  toJSON(): string {
    return this.toString();
  }
}

/** A pointer typed by its C type, as the TypeScript side sees it. */
export type KPtrTo<S> = S extends RecordType | ArrayType ? KPtr<S> : S extends CType ? KPtr<any> : KPtr<ScalarOf<S>>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Pointers made from one object (members, casts), so freeing the object poisons them all. */
const FAMILY = new WeakMap<Extent, WeakRef<KPtr<unknown>>[]>();

function remember(p: KPtr<unknown>): void {
  let list = FAMILY.get(p.extent);
  if (list === undefined) {
    list = [];
    FAMILY.set(p.extent, list);
  }
  pushWeak(list, p);
}

/** Makes a pointer, checking that a scalar is aligned and that the pointee lies inside the object. */
export function makeKPtr(addr: number, t: Resolved, origin: KOrigin, sym: string, extent: Extent, what: string): KPtr<unknown> {
  if (addr < extent.base || addr + t.ctype.size > extent.base + extent.size) {
    throw new RangeError(`${what}: a ${t.ctype.name} at byte ${addr - extent.base} of ${origin.label} lies outside the object (${extent.size} bytes); nothing was made`);
  }
  if (addr % t.ctype.align !== 0) {
    throw new RangeError(`${what}: address 0x${addr.toString(16)} is not ${t.ctype.align}-byte aligned for ${t.ctype.name}; nothing was made`);
  }
  const p = new KPtr<unknown>(addr, t.ctype, origin, sym, extent);
  remember(p);
  return p;
}

/** Poisons every pointer into the object (kfree in debug mode). */
export function poisonObject(p: KPtr<unknown>, message: string): void {
  for (const r of FAMILY.get(p.extent) ?? []) {
    const d = r.deref();
    if (d === undefined) continue;
    Object.defineProperty(d, 'addr', {
      get(): never {
        throw new UseAfterFreeError(message);
      },
      configurable: true,
    });
  }
}

export function checkKPtr(p: unknown, what: string): KPtr<unknown> {
  if (!(p instanceof KPtr)) {
    throw new TypeError(`${what}: expected a pointer to machine memory (global_var(), kzalloc(), or a member of one), got ${describe(p)}`);
  }
  void p.addr; // a freed object's pointer throws its use-after-free error here
  return p;
}

/** checkKPtr(), and the pointer must point into `m`'s memory (the address means nothing in another machine's). */
export function checkKPtrOn(m: Machine, p: unknown, what: string): KPtr<unknown> {
  const ptr = checkKPtr(p, what);
  if (ptr.extent.machine !== m) throw foreignKPtr(m, ptr, what);
  return ptr;
}

/** The refusal of a pointer into another machine's memory. */
export function foreignKPtr(m: Machine, p: KPtr<unknown>, what: string): TypeError {
  return new TypeError(`${what}: ${p.sym} points into machine #${p.extent.machine.id}'s memory, not into that of machine #${m.id}, which runs this call; nothing was changed`);
}

/** `&nr_free`, `&obj->refs.counter`: the pointer as a stepped op's call text shows it (`*p` is shown `&p`). */
export function kptrRef(p: KPtr<unknown>): string {
  return `&${p.sym.startsWith('*') ? p.sym.slice(1) : p.sym}`;
}

/** How C names member `path` of the object named `parentSym`: `x.a`, `p->a`, `(*per_cpu_ptr(p, 1)).a`. */
export function memberSym(parentSym: string, path: string): string {
  // `*p` and `*per_cpu_ptr(p, 1)` are dereferenced with `->`, as C writes them.
  const deref = /^\*([A-Za-z_][A-Za-z0-9_#]*(?:\([^()]*\))?)$/.exec(parentSym);
  if (deref !== null) return path.startsWith('[') ? `(*${deref[1]})${path}` : `${deref[1]}->${path}`;
  if (parentSym.startsWith('*')) return path.startsWith('[') ? `(${parentSym})${path}` : `(${parentSym.slice(1)})->${path}`;
  return path.startsWith('[') ? `${parentSym}${path}` : `${parentSym}.${path}`;
}

/** `&p->path`: a pointer to a member of the object `p` points to; with `type`, the member must have it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function kptr_member<const S extends TypeArg = any>(m: Machine, p: KPtr<unknown>, path: string, type?: S): KPtrTo<S> {
  const ptr = checkKPtr(p, 'kptr_member');
  const what = `kptr_member(${ptr.sym}, ${describe(path)})`;
  if (Number.isNaN(ptr.addr)) throw new MachineStateError(`${what}: ${ptr.origin.label} is placed in .data when the machine boots; make member pointers after m.boot()`);
  let ref;
  try {
    ref = memberRef(ptr.ctype, path);
  } catch (e) {
    throw new TypeError(`${what}: ${(e as Error).message}`);
  }
  if (type !== undefined) {
    const want = resolveType(m.ctypes, type, what, 'C').ctype;
    const same = want === ref.type || (isScalar(want) && isScalar(ref.type) && want.kind === ref.type.kind && want.scalar === ref.type.scalar);
    if (!same) throw new TypeError(`${what}: the member is ${ref.type.name}, not ${want.name}`);
  }
  const t: Resolved = { ctype: ref.type, scalar: isScalar(ref.type) ? SCALARS[ref.type.scalar] : null, label: ref.type.name };
  return makeKPtr(ptr.addr + ref.offset, t, ptr.origin, memberSym(ptr.sym, ref.path), ptr.extent, what) as KPtrTo<S>;
}

/** `(T *)((char *)p + bytes)`: pointer arithmetic inside the object, typed `type`. */
export function kptr_add<const S extends TypeArg>(m: Machine, p: KPtr<unknown>, bytes: number, type: S): KPtrTo<S> {
  const ptr = checkKPtr(p, 'kptr_add');
  const what = `kptr_add(${ptr.sym}, ${describe(bytes)})`;
  if (Number.isNaN(ptr.addr)) throw new MachineStateError(`${what}: ${ptr.origin.label} is placed in .data when the machine boots; do pointer arithmetic after m.boot()`);
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes)) throw new TypeError(`${what}: the offset must be an integer number of bytes, got ${describe(bytes)}`);
  const t = resolveType(m.ctypes, type, what, 'C');
  const at = ptr.addr + bytes;
  const sym = `*(${t.ctype.name} *)((char *)&${ptr.sym.startsWith('*') ? ptr.sym.slice(1) : ptr.sym} + ${bytes})`;
  return makeKPtr(at, t, ptr.origin, sym, ptr.extent, what) as KPtrTo<S>;
}

/** The runtime scalar name of a scalar pointer's pointee, or a clear error. */
export function scalarTarget(p: KPtr<unknown>, what: string): ScalarInfo {
  if (p.type === null) throw new TypeError(`${what}: ${p.sym} is a ${p.ctype.name}, not a scalar; take a member first: kptr_member(m, p, 'member')`);
  return p.type;
}

export type { ScalarName };

const AT_TYPES = new PerMachine<Map<string, Resolved>>('kptr_at types');

/**
 * `(T *)addr`: a pointer at a plain address in mapped memory, named `sym` in
 * traces (what translated C passes to atomic_add(i, &fbc->count): it knows
 * the address and the C spelling, not the object). The object is the pointee
 * itself; nothing here can be freed with kfree().
 */
export function kptr_at(m: Machine, addr: number, type: string, sym: string, fn = 'kptr_at', write = false): KPtr<unknown> {
  let cache = AT_TYPES.get(m);
  if (cache === undefined) AT_TYPES.set(m, (cache = new Map()));
  let t = cache.get(type);
  if (t === undefined) cache.set(type, (t = resolveType(m.ctypes, type, `kptr_at(${sym})`, 'C')));
  // The null page below PCPU_BASE is unmapped, as m.load() and src/mm/access.ts treat it: `&p->refs`
  // of a NULL `p` is a small nonzero address there, refused as the kernel would oops on it.
  if (typeof addr !== 'number' || !Number.isSafeInteger(addr) || addr < PCPU_BASE || addr + t.ctype.size > m.mappedBytes) {
    throw new RangeError(`${sym}: address ${describe(addr)} is not in mapped memory (a NULL or stray pointer)`);
  }
  if (addr % t.ctype.align !== 0) throw new RangeError(`${sym}: address 0x${addr.toString(16)} is not ${t.ctype.align}-byte aligned for ${t.ctype.name}`);
  if (addr + t.ctype.size > m.quarantineLow) {
    // Translated C's atomic_inc(&p->refs) after kfree(p): KASAN reports the access `fn` makes (src/mm/memory.ts).
    const e = m.kasan?.(addr, t.ctype.size, write, fn);
    if (e) throw e;
  }
  return new KPtr<unknown>(addr, t.ctype, { label: `${t.ctype.name} at 0x${addr.toString(16)}`, kind: 'cast' }, sym, { base: addr, size: t.ctype.size, machine: m });
}

/**
 * kptr_at() for one call site of translated C, whose type and `sym` never
 * change: the pointer made last is returned again while the address is the
 * same and still mapped, so `atomic_inc(&hits)` on a global makes one KPtr,
 * not one per call (a new KPtr, its origin's label and its extent cost 70 ns
 * of an 18 ns atomic_inc() in translated code). A pointer made again would be
 * the same in every field. Past the low bound of KASAN's quarantine the kept
 * pointer is returned only when the object it points to is not in the
 * quarantine itself (KASAN's check of those bytes finds nothing), so a
 * kfree() of another object costs a search of the quarantine, not a new
 * pointer per call (bench/cc-kptr-site.ts). A different address, or one
 * inside a freed object, is checked and made (or refused with KASAN's report)
 * as kptr_at() does.
 */
export function kptr_site(): (m: Machine, addr: number, type: string, sym: string, fn: string, write: boolean) => KPtr<unknown> {
  let last: KPtr<unknown> | null = null;
  return (m, addr, type, sym, fn, write) => {
    if (last !== null && last.addr === addr && last.extent.machine === m) {
      const size = last.extent.size;
      if (addr + size <= m.mappedBytes && (addr + size <= m.quarantineLow || (m.kasan !== null && m.kasan(addr, size, write, fn) === null))) return last;
    }
    return (last = kptr_at(m, addr, type, sym, fn, write));
  };
}
