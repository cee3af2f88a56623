/**
 * Ordinary kernel memory on the machine: global variables (a `.data` area
 * laid out at boot, like `.data..percpu` but with one copy shared by every
 * CPU) and kmalloc()/kzalloc()/kfree() objects (mm/slab_common.c's kmalloc
 * size classes, each object aligned as those caches align it). Both give
 * KPtr pointers (src/kptr.ts) that READ_ONCE, cmpxchg and the atomic_*
 * families take, in their fast and stepped forms.
 */
import { memberAt } from '../../c/layout.js';
import { array } from '../../c/types.js';
import { KernelBugError, MachineStateError, UseAfterFreeError } from '../errors.js';
import { resolveType, type TypeArg } from '../ctype-spec.js';
import { checkValue, writeValue, type CValue } from '../cvalue.js';
import { KPtr, makeKPtr, poisonObject, type KPtrTo } from '../kptr.js';
import { PAGE_SIZE, alignUp } from '../linker.js';
import { machineArg, type Machine } from '../machine.js';
import { PerMachine } from '../per-machine.js';
import { describe } from '../types.js';

/**
 * The kmalloc caches of mm/slab_common.c (kmalloc_info[]: 8 … 8k, with the
 * 96 and 192 byte caches); larger requests get whole pages (kmalloc_large).
 */
export const KMALLOC_SIZES: readonly number[] = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192];

interface Global {
  readonly ptr: KPtr<unknown>;
  readonly init: CValue | undefined;
}

interface Slab {
  /** Free object addresses of this size class. */
  readonly free: number[];
}

/** A freed object KASAN watches: its bytes, its size class (0: whole pages) and the label kmalloc() gave it. */
interface Freed {
  readonly base: number;
  readonly size: number;
  readonly cls: number;
  readonly label: string;
}

interface MemState {
  readonly globals: Global[];
  readonly names: Set<string>;
  readonly slabs: Map<number, Slab>;
  /** Live heap objects by address: their size class (0 for a page allocation) and label. */
  readonly live: Map<number, { readonly cls: number; readonly label: string; readonly ptr: KPtr<unknown> }>;
  /** Freed objects in KASAN's quarantine, oldest first (debugFree only; see quarantine()). */
  readonly quarantine: Freed[];
  nextId: number;
}

/**
 * Freed slab objects held back from reuse, as KASAN's quarantine
 * (mm/kasan/quarantine.c) holds them, so that an access through a stale
 * address finds freed memory rather than the next object of the same size.
 * Past this many the oldest goes back to its cache's free list. Freed pages
 * are never reused here (each large kmalloc() maps new ones), so they stay.
 */
const QUARANTINE_OBJECTS = 256;

const STATE = new PerMachine<MemState>('kmalloc');

function stateOf(m: Machine): MemState {
  let st = STATE.get(m);
  if (st === undefined) {
    st = { globals: [], names: new Set(), slabs: new Map(), live: new Map(), quarantine: [], nextId: 1 };
    STATE.set(m, st);
    const s = st;
    m.onBoot(() => placeGlobals(m, s.globals));
  }
  return st;
}

/** Lays globals out in definition order, each at its alignment, in freshly mapped (zeroed) pages, and writes initialisers. */
function placeGlobals(m: Machine, list: readonly Global[]): void {
  if (list.length === 0) return;
  let size = 0;
  for (const g of list) size = alignUp(size, g.ptr.ctype.align) + g.ptr.ctype.size;
  const base = m.mapArea(Math.max(size, 1));
  if (base === null) throw new MachineStateError(`global variables: no memory left for ${size} bytes of .data`);
  let at = base;
  for (const g of list) {
    at = alignUp(at, g.ptr.ctype.align);
    (g.ptr as { addr: number }).addr = at;
    (g.ptr.extent as { base: number }).base = at;
    if (g.init !== undefined) writeValue(m.view, at, g.ptr.ctype, g.init);
    at += g.ptr.ctype.size;
  }
}

/**
 * A global variable `type name = init;`: laid out in `.data` when the machine
 * boots (defined before boot) or placed at once (after boot). Returns `&name`.
 */
export function global_var<const S extends TypeArg>(m: Machine, type: S, name: string, init?: CValue): KPtrTo<S> {
  machineArg(m, 'global_var');
  const what = `global_var(${String(name)})`;
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TypeError(`global_var: the name must be a C identifier, got ${describe(name)}`);
  const t = resolveType(m.ctypes, type, what, 'C');
  if (init !== undefined) checkValue(t.ctype, init, `${what} initialiser`);
  const st = stateOf(m);
  if (st.names.has(name)) throw new Error(`${what}: redefinition of '${name}'`);
  const origin = { label: `global ${name} (${t.ctype.name})`, kind: 'global' as const };
  const extent = { base: NaN, size: t.ctype.size, machine: m };
  // Before boot the address is unknown until the .data area is laid out.
  const ptr = new KPtr<unknown>(NaN, t.ctype, origin, name, extent);
  st.names.add(name);
  // Defined after boot: placed at once, and listed (for kptr_cast) after those laid out at boot.
  if (m.booted) placeGlobals(m, [{ ptr, init }]);
  st.globals.push({ ptr, init });
  return ptr as KPtrTo<S>;
}

function sizeClass(size: number): number {
  for (const s of KMALLOC_SIZES) if (size <= s) return s;
  return 0;
}

function allocate(m: Machine, fn: string, type: unknown, zero: boolean, name: string | undefined): KPtr<unknown> | null {
  machineArg(m, fn);
  if (!m.booted) throw new MachineStateError(`${fn}: the machine has not booted; kmalloc() works once memory is set up (m.boot())`);
  const t = resolveType(m.ctypes, type, fn, 'C');
  if (name !== undefined && (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))) throw new TypeError(`${fn}: the name must be a C identifier, got ${describe(name)}`);
  const st = stateOf(m);
  const size = t.ctype.size;
  if (size === 0) return null; // ZERO_SIZE_PTR in the kernel: nothing to touch
  const cls = sizeClass(size);
  let addr: number;
  if (cls === 0) {
    const base = m.mapArea(alignUp(size, PAGE_SIZE));
    if (base === null) return null;
    addr = base;
  } else {
    let slab = st.slabs.get(cls);
    if (slab === undefined) {
      slab = { free: [] };
      st.slabs.set(cls, slab);
    }
    if (slab.free.length === 0) {
      const bytes = Math.max(PAGE_SIZE, cls);
      const base = m.mapArea(bytes);
      if (base === null) return null;
      for (let a = base + Math.floor(bytes / cls) * cls - cls; a >= base; a -= cls) slab.free.push(a);
    }
    addr = slab.free.pop()!;
    if (addr % t.ctype.align !== 0) throw new KernelBugError(`${fn}: kmalloc-${cls} cannot align a ${t.ctype.name} to ${t.ctype.align}`);
  }
  if (zero) m.u8.fill(0, addr, addr + size);
  const id = st.nextId++;
  const label = `${fn} #${id} (${t.ctype.name}, ${size} bytes)`;
  const sym = `*${name ?? `${fn}#${id}`}`;
  const ptr = makeKPtr(addr, t, { label, kind: 'heap' }, sym, { base: addr, size, machine: m }, fn);
  st.live.set(addr, { cls, label, ptr });
  return ptr;
}

/** kmalloc(sizeof(type), GFP_KERNEL): an object whose memory is not cleared (what was there stays). */
export function kmalloc<const S extends TypeArg>(m: Machine, type: S, name?: string): KPtrTo<S> | null {
  return allocate(m, 'kmalloc', type, false, name) as KPtrTo<S> | null;
}

/** kzalloc(sizeof(type), GFP_KERNEL): a zeroed object. `name` is what traces call the pointer. */
export function kzalloc<const S extends TypeArg>(m: Machine, type: S, name?: string): KPtrTo<S> | null {
  return allocate(m, 'kzalloc', type, true, name) as KPtrTo<S> | null;
}

/** kcalloc(n, sizeof(type), GFP_KERNEL): a zeroed array of n objects. */
export function kcalloc(m: Machine, n: number, type: TypeArg, name?: string): KPtr<unknown> | null {
  machineArg(m, 'kcalloc');
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new TypeError(`kcalloc: n must be a non-negative integer, got ${describe(n)}`);
  const elem = resolveType(m.ctypes, type, 'kcalloc', 'C').ctype;
  return allocate(m, 'kcalloc', array(elem, n), true, name);
}

/** ZERO_SIZE_PTR (include/linux/slab.h): what kmalloc(0) returns, a pointer that faults when used. */
export const ZERO_SIZE_PTR = 16;

/**
 * kmalloc(size, flags) as translated C calls it: `size` bytes (an unsigned
 * char array, so the object's bounds are its size) from the size class that
 * fits, returned as the address C keeps pointers in; 0 (NULL) when memory is
 * exhausted, ZERO_SIZE_PTR for 0 bytes. kzalloc_size() zeroes them.
 */
export function kmalloc_size(m: Machine, size: number): number {
  return bytes(m, 'kmalloc', size, false);
}

/** kzalloc(size, flags) for translated C: kmalloc_size() of zeroed bytes. */
export function kzalloc_size(m: Machine, size: number): number {
  return bytes(m, 'kzalloc', size, true);
}

function bytes(m: Machine, fn: string, size: number, zero: boolean): number {
  machineArg(m, fn);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new TypeError(`${fn}: the size must be a non-negative integer, got ${describe(size)}`);
  if (size === 0) return ZERO_SIZE_PTR;
  const p = allocate(m, fn, array(resolveType(m.ctypes, 'u8', fn, 'C').ctype, size), zero, undefined);
  return p === null ? 0 : p.addr;
}

/**
 * kfree(p) for translated C, which holds the address kmalloc() returned:
 * NULL and ZERO_SIZE_PTR are no-ops (ZERO_OR_NULL_PTR), anything but the
 * start of a live object is refused (a double free, a global, a pointer into
 * an object) and nothing changes.
 */
export function kfree_addr(m: Machine, addr: number): void {
  machineArg(m, 'kfree');
  if (addr === 0 || addr === ZERO_SIZE_PTR) return;
  const rec = stateOf(m).live.get(addr);
  if (rec === undefined) {
    throw new KernelBugError(`kfree: 0x${Number(addr).toString(16)} is not the start of a live kmalloc() object (a double free, a global, or a pointer into an object); nothing was changed`);
  }
  kfree(m, rec.ptr);
}

/**
 * kfree(p): null is a no-op. `p` must be exactly what kmalloc/kzalloc
 * returned; a double free, a global or a pointer into the middle of an object
 * throws and changes nothing. In debug mode every pointer into the object is
 * poisoned, and the object goes into KASAN's quarantine: a later access,
 * through a pointer or through a plain address, reports the use after free.
 */
export function kfree(m: Machine, p: KPtr<unknown> | null): void {
  machineArg(m, 'kfree');
  if (p === null) return;
  if (!(p instanceof KPtr)) throw new TypeError(`kfree: expected a pointer kmalloc()/kzalloc() returned, or null; got ${describe(p)}`);
  const d = Object.getOwnPropertyDescriptor(p, 'addr');
  if (d !== undefined && typeof d.get === 'function') throw new UseAfterFreeError(`double free: kfree() of ${p.origin.label}, which was already freed; nothing was changed`);
  const st = stateOf(m);
  if (p.origin.kind !== 'heap') throw new KernelBugError(`kfree: ${p.sym} is ${p.origin.label}, not memory from kmalloc(); nothing was changed`);
  const rec = st.live.get(p.addr);
  if (rec === undefined || p.addr !== p.extent.base) {
    throw new KernelBugError(`kfree: ${p.sym} points into ${p.origin.label} at byte ${p.addr - p.extent.base}, not at its start; pass what kmalloc() returned; nothing was changed`);
  }
  st.live.delete(p.addr);
  if (m.debugFree) {
    quarantine(m, st, { base: p.addr, size: p.extent.size, cls: rec.cls, label: rec.label });
    poisonObject(p, `use-after-free: ${rec.label} was freed by kfree()`);
  } else if (rec.cls !== 0) {
    st.slabs.get(rec.cls)!.free.push(p.addr);
  }
}

/**
 * KASAN for plain addresses (translated C keeps pointers as integers, which
 * poisonObject() cannot reach): the freed object joins the quarantine, and
 * the machine sends every plain access at or past the lowest quarantined
 * address through kasanCheck() (Machine.accessEnd, quarantineLow).
 */
function quarantine(m: Machine, st: MemState, f: Freed): void {
  const q = st.quarantine;
  q.push(f);
  if (q.reduce((n, x) => n + (x.cls !== 0 ? 1 : 0), 0) > QUARANTINE_OBJECTS) {
    const oldest = q.findIndex((x) => x.cls !== 0);
    st.slabs.get(q[oldest].cls)!.free.push(q[oldest].base);
    q.splice(oldest, 1);
  }
  m.kasan ??= (addr, size, write, what) => kasanCheck(st, addr, size, write, what);
  m.setQuarantineLow(q.reduce((low, x) => Math.min(low, x.base), Infinity));
}

/**
 * The report of an access that touches a quarantined object, in KASAN's words
 * (mm/kasan/report.c, Linux 6.11: "BUG: KASAN: slab-use-after-free in …",
 * "Read of size 4 at addr …", "The buggy address is located 8 bytes inside of
 * freed 64-byte region [start, end)"); null when it touches none.
 */
function kasanCheck(st: MemState, addr: number, size: number, write: boolean, what: string): Error | null {
  for (const f of st.quarantine) {
    if (addr >= f.base + f.size || addr + size <= f.base) continue;
    const hex = (a: number): string => `0x${a.toString(16)}`;
    return new UseAfterFreeError(
      `BUG: KASAN: ${f.cls === 0 ? 'use-after-free' : 'slab-use-after-free'} in ${what}: ${write ? 'Write' : 'Read'} of size ${size} at addr ${hex(addr)}; ` +
        `the buggy address is located ${addr - f.base} bytes inside of freed ${f.size}-byte region [${hex(f.base)}, ${hex(f.base + f.size)}) ` +
        `(${f.label}${f.cls === 0 ? '' : `, cache kmalloc-${f.cls}`}), freed by kfree()`,
    );
  }
  return null;
}

/**
 * `(T *)addr`: a typed pointer from an address read out of memory (a
 * `struct buffer_head *` loaded from a per-CPU array), into a global or a live
 * kmalloc() object. The object's own pointer names it in traces when `addr`
 * is its start and the types agree (`*bh_X`). An address inside no live object
 * (NULL, a freed object, per-CPU memory) is refused.
 */
export function kptr_cast<const S extends TypeArg>(m: Machine, addr: number | bigint, type: S): KPtrTo<S> {
  const what = `kptr_cast(${describe(addr)})`;
  if ((typeof addr !== 'number' || !Number.isSafeInteger(addr)) && typeof addr !== 'bigint') throw new TypeError(`${what}: the address must be an integer (a number or a bigint), got ${describe(addr)}`);
  const a = Number(addr);
  const t = resolveType(m.ctypes, type, what, 'C');
  const st = stateOf(m);
  let owner: KPtr<unknown> | undefined;
  for (const rec of st.live.values()) if (a >= rec.ptr.extent.base && a < rec.ptr.extent.base + rec.ptr.extent.size) owner = rec.ptr;
  if (owner === undefined) for (const g of st.globals) if (a >= g.ptr.addr && a < g.ptr.addr + g.ptr.extent.size) owner = g.ptr;
  if (owner === undefined) throw new RangeError(`${what}: 0x${a.toString(16)} is not inside a global or a live kmalloc() object; nothing was made`);
  const same = a === owner.addr && owner.ctype === t.ctype;
  const sym = same ? owner.sym : `*(${t.ctype.name} *)0x${a.toString(16)}`;
  return makeKPtr(a, t, owner.origin, sym, owner.extent, what) as KPtrTo<S>;
}

/**
 * The C expression for `size` bytes at `addr` inside a global or a live
 * kmalloc() object (`nr_free`, `obj->refs.counter`), or null: how traces name
 * a plain address that is not per-CPU memory.
 */
export function objectSymbolAt(m: Machine, addr: number, size: number): string | null {
  if (m === null || typeof m !== 'object' || typeof addr !== 'number' || typeof size !== 'number') return null;
  const st = STATE.get(m);
  if (st === undefined) return null;
  let owner: KPtr<unknown> | undefined;
  for (const g of st.globals) if (addr >= g.ptr.addr && addr < g.ptr.addr + g.ptr.extent.size) owner = g.ptr;
  if (owner === undefined) for (const rec of st.live.values()) if (addr >= rec.ptr.extent.base && addr < rec.ptr.extent.base + rec.ptr.extent.size) owner = rec.ptr;
  if (owner === undefined) return null;
  const path = memberAt(owner.ctype, addr - owner.addr, size);
  if (path === null) return null;
  if (path === '') return owner.sym;
  const deref = /^\*([A-Za-z_][A-Za-z0-9_#]*)$/.exec(owner.sym);
  if (deref !== null) return path.startsWith('[') ? `(*${deref[1]})${path}` : `${deref[1]}->${path}`;
  return path.startsWith('[') ? `${owner.sym}${path}` : `${owner.sym}.${path}`;
}
