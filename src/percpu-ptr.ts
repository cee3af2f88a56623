/**
 * A per-CPU pointer: what `&x` is for `DEFINE_PER_CPU(int, x)` and what
 * alloc_percpu() returns. It holds an offset from `__per_cpu_start`; the address
 * of one CPU's copy is `off + __per_cpu_offset[cpu]`, and on x86-64 the running
 * CPU's copy is `%gs:off`.
 *
 * It is "fake" in the talk's sense: not a value and not an address. Only the
 * per-CPU accessors may use it; turning it into a number throws.
 */
import type { CType } from '../c/types.js';
import { MachineStateError, UseAfterFreeError, misaligned } from './errors.js';
import { describe, type ScalarInfo } from './types.js';
import { pushWeak } from './weak-list.js';

/** Where a pointer came from, for messages (a static symbol or an allocation). */
export interface PtrOrigin {
  /** `DEFINE_PER_CPU(u64, hits)` or `alloc_percpu #3 (size 8, align 8)`. */
  readonly label: string;
  readonly kind: 'static' | 'dynamic';
}

/** What a per-CPU pointer points at when it knows: its C type, and how traces name it. */
export interface PtrTarget {
  /** The pointee's C type (`struct per_cpu_pages`, `s8`); null for an untyped __alloc_percpu. */
  readonly ctype: CType | null;
  /** The operand as C spells it: `hits`, `pcp->vm_stat_diff[2]`, `stats.rx_bytes`. */
  readonly sym: string;
}

/**
 * The op table of a pointer with no type (`__alloc_percpu(m, size, align)`):
 * every size-generic op says how to proceed instead of guessing a width.
 */
const UNTYPED: unknown = new Proxy(Object.create(null) as object, {
  get(_t, name) {
    // The stepped table (p.ops.stepped) refuses in the same words.
    if (name === 'stepped') return UNTYPED;
    return (): never => {
      throw new TypeError(
        `${String(name)}(): this per-CPU pointer has no type; allocate with alloc_percpu(m, type) or call a sized op such as ${String(name)}_4`,
      );
    };
  },
});

/**
 * The typed layer's op-table lookup (opsFor in src/typed.ts), installed there
 * when it loads: the typed layer sits above the machine, which must not
 * import it, yet the machine's linker binds each new symbol's table
 * (typedOps()). Every module that defines or allocates pointers for users
 * (define.ts, the allocator, the Rust API, index.ts) imports the typed layer,
 * so it is installed before any of them runs.
 */
let typedLayer: ((arch: string, t: ScalarInfo) => unknown) | null = null;

export function installTypedLayer(opsFor: (arch: string, t: ScalarInfo) => unknown): void {
  typedLayer = opsFor;
}

/** The op table for pointers of type `t` on `arch`, or null (UNTYPED) before the typed layer is loaded. */
export function typedOps(arch: string, t: ScalarInfo): unknown {
  return typedLayer === null ? null : typedLayer(arch, t);
}

const AGGREGATE: unknown = new Proxy(Object.create(null) as object, {
  get(_t, name) {
    if (name === 'stepped') return AGGREGATE;
    return (): never => {
      throw new TypeError(
        `${String(name)}(): this per-CPU pointer points to a struct, union or array, not a scalar; take a member pointer first: pcpu_member(m, p, 'member')`,
      );
    };
  },
});

const READ_AS_VALUE =
  'is a per-CPU symbol, not a value: read it with this_cpu_read()/per_cpu(), or take a CPU\'s copy with per_cpu_ptr()';

/** A per-CPU pointer, the kernel's `T __percpu *`: an offset into the per-CPU area, usable only through per-CPU accessors and ops (turning it into a number throws). */
export class PerCpuPtr<T = unknown> {
  /**
   * The Machine that defined or allocated it: a pointer is an offset into that
   * machine's per-CPU areas and means nothing on another. Every generated op
   * compares it with the machine it runs on (typed `object` so that this module
   * stays below machine.ts).
   */
  readonly machine: PtrMachine;
  /**
   * `machine.id × 16 + (off & 15)`: the owning machine and the offset's low
   * bits in one small integer, so a generated op checks both with the one
   * compare it makes anyway, `(pcp.tag & -13) !== m.tag_x86_64` for width 4:
   * the mask keeps the bits an aligned offset has clear, and `m.tag_<arch>`
   * is `id × 16` only on the machine's own architecture after boot, 0
   * otherwise (src/machine.ts). An integer compare is one instruction; two
   * object references would cost V8 a receiver check of each.
   */
  readonly tag: number;
  /** Offset from __per_cpu_start (the C pointer's value). Set by the linker for statics. */
  readonly off: number;
  /** The scalar type of the pointee when known (typed symbols and alloc_percpu(type)). */
  readonly type: ScalarInfo | null;
  readonly origin: PtrOrigin;
  /**
   * The size-generic op table bound when the symbol was defined (the typed
   * layer): `this_cpu_add(m, x, v)` calls `x.ops.this_cpu_add` with no switch.
   * Set once, in the constructor: a field that is never reassigned stays a
   * constant field for V8, which keeps the typed layer's call cheap.
   */
  readonly ops: unknown;
  /** The pointee's C type and symbolic name (see PtrTarget). */
  readonly ctype: CType | null;
  readonly sym: string;
  /**
   * @internal free_percpu() freed it (src/mm/percpu-alloc.ts): catches a second
   * free when debugFree is off and nothing is poisoned. A field of the pointer,
   * not a WeakSet of the allocator, so that a machine's snapshot restores it.
   */
  freed = false;
  /** Phantom: the C type this points to. Never present at run time. */
  declare readonly __pointee?: T;

  constructor(machine: PtrMachine, off: number, type: ScalarInfo | null, origin: PtrOrigin, ops: unknown = null, target?: PtrTarget) {
    this.machine = machine;
    this.tag = tagOf(machine, off);
    this.off = off;
    this.type = type;
    this.origin = origin;
    this.ctype = target?.ctype ?? null;
    this.sym = target?.sym ?? origin.label;
    this.ops = ops ?? (this.ctype !== null && type === null ? AGGREGATE : UNTYPED);
  }

  /** Throws: a per-CPU pointer is not a number. */
  valueOf(): never {
    throw new TypeError(`${this.origin.label} ${READ_AS_VALUE}`);
  }

  /** A string in string contexts; anything else throws, as valueOf() does. */
  [Symbol.toPrimitive](hint: string): string {
    if (hint === 'string') return this.toString();
    throw new TypeError(`${this.origin.label} ${READ_AS_VALUE}`);
  }

  /** The symbol or allocation name and its per-CPU offset. */
  toString(): string {
    return `${this.origin.label} @ percpu 0x${Number.isFinite(this.off) ? this.off.toString(16) : '?'}`;
  }

  /** As toString(). */
  toJSON(): string {
    return this.toString();
  }
}

function tagOf(machine: PtrMachine, off: number): number {
  return machine.id * 16 + (off & 15);
}

/** Sets a static symbol's offset when the linker lays out `.data..percpu`. */
export function setOffset(p: PerCpuPtr<unknown>, off: number): void {
  (p as { off: number }).off = off;
  (p as { tag: number }).tag = tagOf(p.machine, off);
  for (const d of children(p)) setOffset(d, off + LINK.get(d)!.delta);
}

/**
 * Marks a pointer freed (debug mode): from now on any read of its offset or of
 * its machine, by any op or accessor, throws a use-after-free error naming the
 * allocation. A generated op reads `pcp.machine` in its first check, before it
 * disables preemption or interrupts, so a freed pointer is refused with the
 * context untouched. Live pointers keep their plain data properties, so the
 * ops' fast path is not touched; only a freed pointer takes the slow path.
 */
export function poison(p: PerCpuPtr<unknown>, message: string): void {
  const get = (): never => {
    throw new UseAfterFreeError(message);
  };
  for (const key of ['off', 'machine', 'tag']) Object.defineProperty(p, key, { get, configurable: true });
  for (const d of children(p)) if (!isPoisoned(d)) poison(d, message);
}

export function isPoisoned(p: PerCpuPtr<unknown>): boolean {
  const d = Object.getOwnPropertyDescriptor(p, 'off');
  return d !== undefined && typeof d.get === 'function';
}

/** What a pointer and its errors need to know of a Machine (this module sits below machine.ts). */
export interface PtrMachine {
  readonly arch: string;
  readonly booted: boolean;
  readonly nrCpus: number;
  readonly id: number;
}

/** Where each architecture's ops of each flavour are exported. */
function opsHome(arch: string, flavour: 'fast' | 'stepped', fn: string): string {
  if (flavour === 'stepped') return `${fn} of generated/${arch}/percpu-stepped.ts`;
  return arch === 'x86_64' ? `the top-level ${fn}` : `${arch}_ops.${fn}`;
}

function machineName(m: PtrMachine): string {
  return `machine #${m.id} (${m.arch}, ${m.nrCpus} CPU${m.nrCpus === 1 ? '' : 's'})`;
}

/**
 * Whether `m` can be a Machine: this module sits below machine.ts and cannot
 * test `instanceof Machine`; every Machine has a numeric id, nothing a caller
 * passes by mistake (null, a pointer, a number, a plain object) does.
 */
function isMachineLike(m: unknown): m is PtrMachine {
  return typeof m === 'object' && m !== null && typeof (m as { id?: unknown }).id === 'number' && typeof (m as { arch?: unknown }).arch === 'string';
}

function notMachine(what: string, m: unknown, outcome = ''): TypeError {
  return new TypeError(`${what}: expected a Machine (new Machine({ cpus })), got ${describe(m)}${outcome}`);
}

function foreign(what: string, m: PtrMachine, p: PerCpuPtr<unknown>, role: string, outcome: string): TypeError {
  return new TypeError(
    `${what}: ${p.origin.label} belongs to ${machineName(p.machine)}, not to ${machineName(m)} ${role}: a per-CPU pointer is an offset into the per-CPU areas of the machine that defined or allocated it; ${outcome}`,
  );
}

/**
 * The pointer check of everything but the generated ops (accessors, the
 * allocator, the Rust API): `p` must be a per-CPU pointer of machine `m`.
 * Reading `p.machine` of a freed pointer throws its use-after-free error.
 */
export function checkPointer(m: PtrMachine, p: unknown, what: string): PerCpuPtr<unknown> {
  if (!isMachineLike(m)) throw notMachine(what, m);
  if (!(p instanceof PerCpuPtr)) {
    throw new TypeError(`${what}: expected a per-CPU pointer (a DEFINE_PER_CPU symbol or what alloc_percpu() returned), got ${describe(p)}`);
  }
  if (p.machine !== m) throw foreign(what, m, p, 'it was passed with', 'nothing was changed');
  return p;
}

/**
 * The error of a generated op whose one pointer check failed: every op begins
 * by reading `pcp.tag` (NaN if that throws: null, undefined, a freed pointer)
 * and then `if ((tag & mask) !== m.tag_<arch>) throw badPointer(...)` (see
 * PerCpuPtr.tag). That single compare refuses, before anything is touched,
 * whatever this cold function then tells apart, in this order: not a per-CPU
 * pointer at all, a pointer of another machine, an op of another
 * architecture, a machine that has not booted, a misaligned pointer. A freed
 * pointer's tag throws its use-after-free error on the spot.
 */
export function badPointer(fn: string, arch: string, flavour: 'fast' | 'stepped', width: number, m: PtrMachine, pcp: unknown): Error {
  if (!isMachineLike(m)) return notMachine(fn, m, '; nothing was written');
  if (!(pcp instanceof PerCpuPtr)) {
    return new TypeError(
      `${fn}: pcp must be a per-CPU pointer (a DEFINE_PER_CPU symbol or what alloc_percpu() returned), got ${describe(pcp)}; nothing was written`,
    );
  }
  if (pcp.machine !== m) return foreign(`${fn}`, m, pcp, 'that runs this op', 'nothing was written');
  if (m.arch !== arch) {
    // this_cpu_read_stable() exists on x86 only (arch/x86/include/asm/percpu.h); elsewhere it is this_cpu_read().
    const theirs = m.arch === 'x86_64' ? fn : fn.replace('this_cpu_read_stable_', 'this_cpu_read_');
    const typed = /_[1248]$/.test(theirs) ? ` (or the typed layer's ${theirs.replace(/_[1248]$/, '')}, which follows the machine's architecture)` : '';
    return new TypeError(
      `${fn}: the ${arch} op cannot run on ${machineName(m)}: use ${opsHome(m.arch, flavour, theirs)}${typed}; nothing was written`,
    );
  }
  if (!m.booted) {
    return new MachineStateError(`${fn}: per-CPU memory is not set up yet: call m.boot() (setup_per_cpu_areas) first`);
  }
  return misaligned(fn, pcp.off, width);
}
/**
 * What a size-generic typed op (`this_cpu_add(m, pcp, v)`, generated/percpu-defs.ts)
 * throws when its call of the bound sized op threw `e`: a named TypeError when
 * `pcp` is not a per-CPU pointer (its op table could not even be read), else
 * `e` itself — the sized op's own refusal, which already names the op.
 */
export function typedPointerError(fn: string, pcp: unknown, e: unknown): unknown {
  if (pcp instanceof PerCpuPtr) return e;
  return new TypeError(
    `${fn}: pcp must be a per-CPU pointer (a DEFINE_PER_CPU symbol or what alloc_percpu() returned), got ${describe(pcp)}; nothing was written`,
  );
}

/**
 * Pointers made from another one (member pointers, casts with an offset):
 * each knows its parent and its distance from it, so the linker's offset and
 * free_percpu()'s poison reach them. The parent holds them weakly: a member
 * pointer a scenario dropped is not kept alive for this.
 */
interface Link {
  readonly parent: PerCpuPtr<unknown>;
  readonly delta: number;
}
const LINK = new WeakMap<PerCpuPtr<unknown>, Link>();
const CHILDREN = new WeakMap<PerCpuPtr<unknown>, WeakRef<PerCpuPtr<unknown>>[]>();
/** Bytes of the object a root pointer points to (a static variable, an allocation). */
const EXTENT = new WeakMap<PerCpuPtr<unknown>, number>();

function children(p: PerCpuPtr<unknown>): PerCpuPtr<unknown>[] {
  const out: PerCpuPtr<unknown>[] = [];
  for (const r of CHILDREN.get(p) ?? []) {
    const d = r.deref();
    if (d !== undefined) out.push(d);
  }
  return out;
}

/** Records the size of the object a root pointer (static symbol or allocation) points to. */
export function setExtent(p: PerCpuPtr<unknown>, size: number): void {
  EXTENT.set(p, size);
}

/** The root pointer `p` was made from, `p`'s distance from it, and the root object's size (null if unknown). */
export function rootOf(p: PerCpuPtr<unknown>): { root: PerCpuPtr<unknown>; delta: number; size: number | null } {
  let root = p;
  let delta = 0;
  for (let l = LINK.get(root); l !== undefined; l = LINK.get(root)) {
    delta += l.delta;
    root = l.parent;
  }
  return { root, delta, size: EXTENT.get(root) ?? null };
}

/** `p`, its parent, …, its root, each with its distance from the root. */
export function lineage(p: PerCpuPtr<unknown>): { ptr: PerCpuPtr<unknown>; delta: number }[] {
  const chain: PerCpuPtr<unknown>[] = [p];
  const steps: number[] = [];
  for (let l = LINK.get(p); l !== undefined; l = LINK.get(l.parent)) {
    chain.push(l.parent);
    steps.push(l.delta);
  }
  let d = 0;
  const out = chain.map(() => ({ ptr: p, delta: 0 }));
  for (let i = chain.length - 1; i >= 0; i--) {
    out[i] = { ptr: chain[i], delta: d };
    if (i > 0) d += steps[i - 1];
  }
  return out;
}

/**
 * A pointer `delta` bytes from `parent` in the same object. Its offset follows
 * the parent's (a static's is fixed at link time) and freeing the parent's
 * allocation poisons it.
 */
export function derivePtr<T>(parent: PerCpuPtr<unknown>, delta: number, type: ScalarInfo | null, ops: unknown, target: PtrTarget): PerCpuPtr<T> {
  const child = new PerCpuPtr<T>(parent.machine, parent.off + delta, type, parent.origin, ops, target);
  LINK.set(child, { parent, delta });
  let list = CHILDREN.get(parent);
  if (list === undefined) {
    list = [];
    CHILDREN.set(parent, list);
  }
  pushWeak(list, child);
  return child;
}
