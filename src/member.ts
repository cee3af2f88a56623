/**
 * Typed pointers into per-CPU objects: `&p->vm_stat_diff[2]` and the casts
 * the kernel does on `__percpu` pointers. A member pointer is a PerCpuPtr like
 * any other — every generated op, the typed layer, the accessors and the
 * stepped ops take it — with its C type and, for a scalar, its op table bound
 * once when it is made (no lookup per call), so make it once and keep it.
 *
 *   pcpu_member(m, pcp, 'vm_stat_diff[2]')       &pcp->vm_stat_diff[2]
 *   pcpu_member(m, pcp, 'count', 'int')           … asserting the member's type
 *   pcpu_cast(m, p, 'struct mnt_pcp')             (struct mnt_pcp __percpu *)p
 *   pcpu_ptr_add(m, p, 8, 'u32')                  (u32 __percpu *)((void __percpu *)p + 8)
 *
 * Sparse allows arithmetic on `__percpu` pointers within the object; so does
 * this module, and it refuses a pointer outside the object it came from (the
 * static variable, or the allocation) because an op through it would touch
 * another object's copy.
 */
import { memberRef } from '../c/layout.js';
import { isScalar, type CType } from '../c/types.js';
import { resolveType, type Resolved, type TypeArg } from './ctype-spec.js';
import type { PtrTo } from './define.js';
import type { Machine } from './machine.js';
import { PerCpuPtr, checkPointer, derivePtr, lineage, rootOf } from './percpu-ptr.js';
import { onRestore } from './snapshot.js';
import { opsFor } from './typed.js';
import { describe } from './types.js';

function checkPtr(m: Machine, p: unknown, what: string): PerCpuPtr<unknown> {
  if (!(p instanceof PerCpuPtr)) {
    throw new TypeError(`${what}: expected a per-CPU pointer (a DEFINE_PER_CPU symbol, what alloc_percpu() returned, or a member pointer), got ${describe(p)}`);
  }
  checkPointer(m, p, what); // another machine's pointer; a freed one throws its use-after-free error
  return p;
}

/** C's notion of the same type for a pointer check: the same object, or scalars that read and write alike. */
function compatible(a: CType, b: CType): boolean {
  if (a === b) return true;
  if (isScalar(a) && isScalar(b)) return a.kind === b.kind && a.scalar === b.scalar && (a.kind !== 'pointer' || b.kind !== 'pointer' || a.percpu === b.percpu);
  return false;
}

/** The lvalue a pointer designates, turned into the operand of a member access. */
function memberSym(parentSym: string, path: string): string {
  const deref = /^\*([A-Za-z_][A-Za-z0-9_#]*)$/.exec(parentSym);
  if (deref !== null) return path.startsWith('[') ? `(*${deref[1]})${path}` : `${deref[1]}->${path}`;
  if (parentSym.startsWith('*')) return path.startsWith('[') ? `(${parentSym})${path}` : `(${parentSym.slice(1)})->${path}`;
  return path.startsWith('[') ? `${parentSym}${path}` : `${parentSym}.${path}`;
}

function make<T>(m: Machine, parent: PerCpuPtr<unknown>, delta: number, t: Resolved, sym: string): PerCpuPtr<T> {
  const ops = t.scalar === null ? null : opsFor(m.arch, t.scalar);
  return derivePtr<T>(parent, delta, t.scalar, ops, { ctype: t.ctype, sym });
}

/**
 * `&p->path`: a per-CPU pointer to a member of the object `p` points to
 * (`count`, `vm_stat_diff[2]`, `lists[1].next`, through anonymous members).
 * With `type`, the member must have that type (as a C assignment to a typed
 * pointer would check), and the pointer is typed accordingly for TypeScript.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function pcpu_member<const S extends TypeArg = any>(m: Machine, p: PerCpuPtr<unknown>, path: string, type?: S): PtrTo<S> {
  const ptr = checkPtr(m, p, 'pcpu_member');
  const what = `pcpu_member(${ptr.sym}, ${describe(path)})`;
  if (ptr.ctype === null) {
    throw new TypeError(`${what}: ${ptr.origin.label} has no C type (void __percpu *); give it one first: pcpu_cast(m, p, 'struct …')`);
  }
  let ref;
  try {
    ref = memberRef(ptr.ctype, path);
  } catch (e) {
    throw new TypeError(`${what}: ${(e as Error).message}`);
  }
  const t: Resolved = { ctype: ref.type, scalar: resolveType(m.ctypes, ref.type, what).scalar, label: ref.type.name };
  if (type !== undefined) {
    const want = resolveType(m.ctypes, type, what);
    if (!compatible(want.ctype, ref.type)) throw new TypeError(`${what}: the member is ${ref.type.name}, not ${want.ctype.name}`);
  }
  return make(m, ptr, ref.offset, t, memberSym(ptr.sym, ref.path)) as PtrTo<S>;
}

/** The member path of `want` at byte `off` inside `t`, if one is there: how a cast pointer is named in traces. */
function pathAt(t: CType, off: number, want: CType): string | null {
  if (off === 0 && compatible(t, want)) return '';
  if (t.kind === 'array' && t.of.size > 0) {
    const i = Math.floor(off / t.of.size);
    if (t.length !== null && i >= t.length) return null;
    const rest = pathAt(t.of, off - i * t.of.size, want);
    return rest === null ? null : `[${i}]${rest === '' || rest.startsWith('[') ? rest : `.${rest}`}`;
  }
  if (t.kind === 'struct' || t.kind === 'union') {
    for (const mb of t.members ?? []) {
      if (off < mb.offset || off >= mb.offset + Math.max(mb.type.size, 1)) continue;
      const rest = pathAt(mb.type, off - mb.offset, want);
      if (rest === null) continue;
      if (mb.name === null) return rest;
      return rest === '' ? mb.name : rest.startsWith('[') ? `${mb.name}${rest}` : `${mb.name}.${rest}`;
    }
  }
  return null;
}

/**
 * `(T __percpu *)((void __percpu *)p + bytes)`: a pointer `bytes` from `p`,
 * typed `type` (none: `void __percpu *`, usable only with sized ops and
 * further casts). It must stay inside the object `p` points into.
 */
export function pcpu_ptr_add<const S extends TypeArg>(m: Machine, p: PerCpuPtr<unknown>, bytes: number, type?: S): PtrTo<S> {
  const ptr = checkPtr(m, p, 'pcpu_ptr_add');
  return ptrAdd(m, ptr, bytes, type, `pcpu_ptr_add(${ptr.sym}, ${describe(bytes)})`);
}

/** The pointers pcpu_ptr_at() made, by the pointer they came from, their type and their offset. */
let AT = new WeakMap<PerCpuPtr<unknown>, Map<TypeArg, Map<number, PerCpuPtr<unknown>>>>();
const atLast: { p: PerCpuPtr<unknown> | null; type: TypeArg | null; byOff: Map<number, PerCpuPtr<unknown>> } = { p: null, type: null, byOff: new Map() };
// A snapshot restore un-frees a freed object but cannot see the pointers cached here (poisoned with
// it): they are made again, checked, on their next use.
onRestore(() => {
  AT = new WeakMap();
  atLast.p = null;
  atLast.type = null;
  atLast.byOff = new Map();
});

/**
 * pcpu_ptr_add(m, p, bytes, type), made once per (p, type, bytes) and then
 * reused: what translated C uses for an element at a variable index
 * (`this_cpu_inc(s->counts[i])`, `&x.m[i]`), which it would otherwise make on
 * every access. The first call checks and names the pointer as
 * pcpu_ptr_add() does; a pointer freed with its object stays poisoned, so a
 * reused one refuses a use after free as a new one would.
 */
export function pcpu_ptr_at<const S extends TypeArg>(m: Machine, p: PerCpuPtr<unknown>, bytes: number, type: S): PtrTo<S> {
  let byOff: Map<number, PerCpuPtr<unknown>>;
  // A loop indexes one array: the last object and type's offsets are kept at hand.
  if (p === atLast.p && type === atLast.type) byOff = atLast.byOff;
  else {
    let byType = AT.get(p);
    if (byType === undefined) AT.set(p, (byType = new Map()));
    let found = byType.get(type);
    if (found === undefined) byType.set(type, (found = new Map()));
    byOff = found;
    atLast.p = p;
    atLast.type = type;
    atLast.byOff = byOff;
  }
  let q = byOff.get(bytes);
  if (q === undefined) {
    q = pcpu_ptr_add(m, p, bytes, type) as PerCpuPtr<unknown>;
    byOff.set(bytes, q);
  }
  return q as PtrTo<S>;
}

/** pcpu_ptr_add() and pcpu_cast() after their argument checks; `what` names the call in errors. */
function ptrAdd<const S extends TypeArg>(m: Machine, ptr: PerCpuPtr<unknown>, bytes: number, type: S | undefined, what: string): PtrTo<S> {
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes)) throw new TypeError(`${what}: the offset must be an integer number of bytes, got ${describe(bytes)}`);
  const t: Resolved | null = type === undefined ? null : resolveType(m.ctypes, type, what);
  const { root, delta, size } = rootOf(ptr);
  const at = delta + bytes;
  const width = t?.ctype.size ?? 0;
  if (size !== null && (at < 0 || at + width > size)) {
    throw new RangeError(`${what}: ${t === null ? 'the pointer' : `a ${t.ctype.name}`} at byte ${at} of ${root.origin.label} lies outside the object (${size} bytes); nothing was made`);
  }
  // Named after the outermost typed pointer it came from (the object as the code knows it).
  const typed = lineage(ptr).reverse().find((x) => x.ptr.ctype !== null && at >= x.delta);
  let named: string | null = null;
  let base = root;
  if (t !== null && typed !== undefined) {
    named = pathAt(typed.ptr.ctype!, at - typed.delta, t.ctype);
    base = typed.ptr;
  } else if (t !== null && at === 0) {
    named = '';
  }
  const rootName = root.sym.startsWith('*') ? root.sym.slice(1) : `&${root.sym}`;
  const sym = named !== null
    ? (named === '' ? (base === root && root.ctype === null ? root.sym : base.sym) : memberSym(base.sym, named))
    : `*(${t === null ? 'void' : t.ctype.name} __percpu *)((void __percpu *)${rootName} + ${at})`;
  if (t === null) return derivePtr(ptr, bytes, null, null, { ctype: null, sym }) as PtrTo<S>;
  return make(m, ptr, bytes, t, sym) as PtrTo<S>;
}

/** `(T __percpu *)p`: the same per-CPU address seen as another type (e.g. __alloc_percpu's `void __percpu *`). */
export function pcpu_cast<const S extends TypeArg>(m: Machine, p: PerCpuPtr<unknown>, type: S): PtrTo<S> {
  const ptr = checkPtr(m, p, 'pcpu_cast');
  if (type === undefined) throw new TypeError(`pcpu_cast(${ptr.sym}): a type is required`);
  return ptrAdd(m, ptr, 0, type, `pcpu_cast(${ptr.sym})`);
}
