/**
 * Atomics and marked accesses on ordinary memory (KPtr): READ_ONCE,
 * WRITE_ONCE, smp_load_acquire, smp_store_release, xchg, cmpxchg,
 * try_cmpxchg, and the atomic_t / atomic64_t / atomic_long_t families of
 * include/linux/atomic/atomic-instrumented.h (v6.16), arguments in the
 * kernel's order (`atomic_add(i, v)`, `atomic_cmpxchg(v, old, new)`).
 *
 * Every op exists twice with the same name: here as a plain function, and
 * as a generator for the scheduler (`steppedMemoryOps`, exported by
 * src/stepped.ts) that yields one step before it runs — one instruction, one
 * step, whose footprint is the bytes it touches, read or written.
 *
 * Memory is sequentially consistent: every access is seen by every CPU in
 * one global order. The _acquire, _release and _relaxed orderings are
 * therefore the same op, and smp_mb(), smp_rmb(), smp_wmb(), barrier(),
 * smp_mb__before_atomic() and smp_mb__after_atomic() do nothing. A bug that
 * only a weaker memory model shows (a missing barrier) is out of scope.
 */
import { kernelType } from '../../c/kernel-types.js';
import type { CType } from '../../c/types.js';
import { readBits, writeBits } from '../scalar-bits.js';
import { checkKPtr, type KPtr } from '../kptr.js';
import { MachineStateError } from '../errors.js';
import type { Machine } from '../machine.js';
import type { StepGen } from '../sched/step.js';
import { describe, fromBits, toBits, type ScalarInfo, type ScalarName, type ValueOf } from '../types.js';

// ------------------------------------------------------------ the SC barriers

/** smp_mb(): a full barrier. Memory here is sequentially consistent: nothing to order. */
export function smp_mb(): void {}
/** smp_rmb(): no-op under sequential consistency. */
export function smp_rmb(): void {}
/** smp_wmb(): no-op under sequential consistency. */
export function smp_wmb(): void {}
/** barrier(): a compiler barrier; the simulation does not reorder. */
export function barrier(): void {}
/** smp_mb__before_atomic(): no-op under sequential consistency. */
export function smp_mb__before_atomic(): void {}
/** smp_mb__after_atomic(): no-op under sequential consistency. */
export function smp_mb__after_atomic(): void {}

// ------------------------------------------------------------ instruction text

type Flavour = 'x86_64' | 'arm64' | 'generic';

const X86_SUFFIX: Record<number, string> = { 1: 'b', 2: 'w', 4: 'l', 8: 'q' };
const X86_REG: Record<number, string> = { 1: '%al', 2: '%ax', 4: '%eax', 8: '%rax' };
const X86_REG2: Record<number, string> = { 1: '%cl', 2: '%cx', 4: '%ecx', 8: '%rcx' };
const ARM_LDST: Record<number, string> = { 1: 'b', 2: 'h', 4: '', 8: '' };

function armReg(size: number, n: number): string {
  return `${size === 8 ? 'x' : 'w'}${n}`;
}

/** The instruction an op stands for on the machine's architecture, with the operand named as C names it. */
interface Insns {
  readonly x86: (s: number, sym: string) => string;
  readonly arm64: (s: number, sym: string) => string;
}

const LOAD: Insns = { x86: (s, sym) => `mov${X86_SUFFIX[s]} ${sym}, ${X86_REG[s]}`, arm64: (s, sym) => `ldr${ARM_LDST[s]} ${armReg(s, 0)}, [${sym}]` };
const LOAD_ACQ: Insns = { x86: LOAD.x86, arm64: (s, sym) => `ldar${ARM_LDST[s]} ${armReg(s, 0)}, [${sym}]` };
const STORE: Insns = { x86: (s, sym) => `mov${X86_SUFFIX[s]} ${X86_REG[s]}, ${sym}`, arm64: (s, sym) => `str${ARM_LDST[s]} ${armReg(s, 1)}, [${sym}]` };
const STORE_REL: Insns = { x86: STORE.x86, arm64: (s, sym) => `stlr${ARM_LDST[s]} ${armReg(s, 1)}, [${sym}]` };
const XCHG: Insns = { x86: (s, sym) => `xchg${X86_SUFFIX[s]} ${X86_REG[s]}, ${sym}`, arm64: (s, sym) => `swpal${ARM_LDST[s]} ${armReg(s, 1)}, ${armReg(s, 0)}, [${sym}]` };
const CMPXCHG: Insns = { x86: (s, sym) => `lock cmpxchg${X86_SUFFIX[s]} ${X86_REG2[s]}, ${sym}`, arm64: (s, sym) => `casal${ARM_LDST[s]} ${armReg(s, 0)}, ${armReg(s, 1)}, [${sym}]` };
const XADD: Insns = { x86: (s, sym) => `lock xadd${X86_SUFFIX[s]} ${X86_REG[s]}, ${sym}`, arm64: (s, sym) => `ldaddal ${armReg(s, 1)}, ${armReg(s, 0)}, [${sym}]` };

function rmwImm(x86op: string, armop: string): Insns {
  return { x86: (s, sym) => `lock ${x86op}${X86_SUFFIX[s]} $i, ${sym}`, arm64: (s, sym) => `${armop} ${armReg(s, 1)}, [${sym}]` };
}
function rmwFetch(armop: string): Insns {
  return { x86: CMPXCHG.x86, arm64: (s, sym) => `${armop} ${armReg(s, 1)}, ${armReg(s, 0)}, [${sym}]` };
}
const INC: Insns = { x86: (s, sym) => `lock inc${X86_SUFFIX[s]} ${sym}`, arm64: (s, sym) => `stadd ${armReg(s, 1)}, [${sym}]` };
const DEC: Insns = { x86: (s, sym) => `lock dec${X86_SUFFIX[s]} ${sym}`, arm64: (s, sym) => `stadd ${armReg(s, 1)}, [${sym}]` };

function insnText(m: Machine, insns: Insns, size: number, sym: string, call: string, imm: string | null): string {
  const f = m.arch as Flavour;
  if (f === 'generic') return call;
  const text = f === 'x86_64' ? insns.x86(size, sym) : insns.arm64(size, sym);
  return imm === null ? text : text.replace('$i', `$${imm}`);
}

// ------------------------------------------------------------ stepped plumbing

/** A step of a memory op: the instruction, the bytes it touches, and (after it ran) what it moved. */
interface MemStep {
  readonly asm: string;
  readonly addr: number;
  readonly size: number;
  readonly access: 'r' | 'w';
  /** Filled in once the step has run: `3` for a load, `3 -> 4` for a store or read-modify-write. */
  moved?: string;
}

function fmt(v: number | bigint | boolean): string {
  return String(v);
}

// ------------------------------------------------------------ scalar marked accesses

function scalarOf(p: KPtr<unknown>, what: string): ScalarInfo {
  if (p.type === null) throw new TypeError(`${what}: ${p.sym} is a ${p.ctype.name}, not a scalar; take a member first: kptr_member(m, p, 'member')`);
  return p.type;
}

function checkArg(t: ScalarInfo, v: unknown, what: string): number | bigint | boolean {
  if (t.name === 'bool') {
    if (typeof v !== 'boolean') throw new TypeError(`${what}: bool takes true or false, got ${describe(v)}`);
  } else if (t.size >= 8) {
    if (typeof v !== 'bigint') throw new TypeError(`${what}: ${t.name} takes a bigint, got ${describe(v)}`);
  } else if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`${what}: ${t.name} takes an integer number, got ${describe(v)}`);
  }
  return v as number | bigint | boolean;
}

function load(m: Machine, p: KPtr<unknown>, t: ScalarInfo): number | bigint | boolean {
  return fromBits(t, readBits(m.view, p.addr, t));
}

function store(m: Machine, p: KPtr<unknown>, t: ScalarInfo, v: number | bigint | boolean): void {
  writeBits(m.view, p.addr, t, toBits(t, v));
}

function same(t: ScalarInfo, a: number | bigint | boolean, b: number | bigint | boolean): boolean {
  return toBits(t, a) === toBits(t, b);
}

/** The scalar ops: (kernel name, instruction, how it runs). */
interface ScalarOp {
  readonly insns: Insns;
  readonly access: 'r' | 'w';
  /** Checks the arguments, then returns how to run: the value to store (or undefined) and the result. */
  readonly run: (m: Machine, p: KPtr<unknown>, t: ScalarInfo, a: unknown, b: unknown, what: string) => () => { result: unknown; moved: string };
}

const SCALAR_OPS: Record<string, ScalarOp> = {
  READ_ONCE: { insns: LOAD, access: 'r', run: (m, p, t) => () => { const v = load(m, p, t); return { result: v, moved: fmt(v) }; } },
  smp_load_acquire: { insns: LOAD_ACQ, access: 'r', run: (m, p, t) => () => { const v = load(m, p, t); return { result: v, moved: fmt(v) }; } },
  WRITE_ONCE: {
    insns: STORE, access: 'w',
    run: (m, p, t, a, _b, what) => {
      const v = checkArg(t, a, `${what}: val`);
      return () => { const old = load(m, p, t); store(m, p, t, v); return { result: undefined, moved: `${fmt(old)} -> ${fmt(load(m, p, t))}` }; };
    },
  },
  smp_store_release: {
    insns: STORE_REL, access: 'w',
    run: (m, p, t, a, _b, what) => {
      const v = checkArg(t, a, `${what}: val`);
      return () => { const old = load(m, p, t); store(m, p, t, v); return { result: undefined, moved: `${fmt(old)} -> ${fmt(load(m, p, t))}` }; };
    },
  },
  xchg: {
    insns: XCHG, access: 'w',
    run: (m, p, t, a, _b, what) => {
      const v = checkArg(t, a, `${what}: new`);
      return () => { const old = load(m, p, t); store(m, p, t, v); return { result: old, moved: `${fmt(old)} -> ${fmt(load(m, p, t))}` }; };
    },
  },
  cmpxchg: {
    insns: CMPXCHG, access: 'w',
    run: (m, p, t, a, b, what) => {
      const o = checkArg(t, a, `${what}: old`);
      const n = checkArg(t, b, `${what}: new`);
      return () => {
        const cur = load(m, p, t);
        if (same(t, cur, o)) store(m, p, t, n);
        return { result: cur, moved: `${fmt(cur)} -> ${fmt(load(m, p, t))}` };
      };
    },
  },
  try_cmpxchg: {
    insns: CMPXCHG, access: 'w',
    run: (m, p, t, a, b, what) => {
      if (a === null || typeof a !== 'object' || !('value' in a)) throw new TypeError(`${what}: oldp must be an object { value }, got ${describe(a)}`);
      const box = a as { value: unknown };
      const o = checkArg(t, box.value, `${what}: oldp.value`);
      const n = checkArg(t, b, `${what}: new`);
      return () => {
        const cur = load(m, p, t);
        const ok = same(t, cur, o);
        if (ok) store(m, p, t, n);
        else box.value = cur;
        return { result: ok, moved: `${fmt(cur)} -> ${fmt(load(m, p, t))}` };
      };
    },
  },
};

function scalarCall(name: string, p: KPtr<unknown>, args: readonly unknown[]): string {
  return `${name}(${['&' + (p.sym.startsWith('*') ? p.sym.slice(1) : p.sym), ...args.map((a) => (typeof a === 'object' && a !== null ? '&old' : describe(a)))].join(', ')})`;
}

function scalarFast(name: string): (m: Machine, p: KPtr<unknown>, a?: unknown, b?: unknown) => unknown {
  const op = SCALAR_OPS[name];
  return (m, p, a, b) => {
    const ptr = checkKPtr(p, name);
    const t = scalarOf(ptr, name);
    return op.run(m, ptr, t, a, b, `${name}(${ptr.sym})`)().result;
  };
}

function scalarStepped(name: string): (m: Machine, p: KPtr<unknown>, a?: unknown, b?: unknown) => StepGen<unknown> {
  const op = SCALAR_OPS[name];
  return function* (m, p, a, b) {
    const ptr = checkKPtr(p, name);
    const t = scalarOf(ptr, name);
    const run = op.run(m, ptr, t, a, b, `${name}(${ptr.sym})`);
    const step: MemStep = { asm: insnText(m, op.insns, t.size, ptr.sym, scalarCall(name, ptr, name === 'READ_ONCE' || name === 'smp_load_acquire' ? [] : [a, b].filter((x) => x !== undefined)), null), addr: ptr.addr, size: t.size, access: op.access };
    yield step;
    const r = run();
    step.moved = r.moved;
    return r.result;
  };
}

/** READ_ONCE(*p): one load the compiler may not tear, merge or repeat. */
export const READ_ONCE = scalarFast('READ_ONCE') as <T>(m: Machine, p: KPtr<T>) => ScalarValue<T>;
/** WRITE_ONCE(*p, val): one store. */
export const WRITE_ONCE = scalarFast('WRITE_ONCE') as <T>(m: Machine, p: KPtr<T>, val: ScalarValue<T>) => void;
/** smp_load_acquire(p): READ_ONCE under sequential consistency. */
export const smp_load_acquire = scalarFast('smp_load_acquire') as <T>(m: Machine, p: KPtr<T>) => ScalarValue<T>;
/** smp_store_release(p, val): WRITE_ONCE under sequential consistency. */
export const smp_store_release = scalarFast('smp_store_release') as <T>(m: Machine, p: KPtr<T>, val: ScalarValue<T>) => void;
/** xchg(p, new): stores `new`, returns the old value, atomically. */
export const xchg = scalarFast('xchg') as <T>(m: Machine, p: KPtr<T>, nval: ScalarValue<T>) => ScalarValue<T>;
/** cmpxchg(p, old, new): stores `new` if `*p == old`; returns what `*p` was, atomically. */
export const cmpxchg = scalarFast('cmpxchg') as <T>(m: Machine, p: KPtr<T>, oval: ScalarValue<T>, nval: ScalarValue<T>) => ScalarValue<T>;
/** try_cmpxchg(p, &old, new): true if it stored; else `old.value` becomes what `*p` was. */
export const try_cmpxchg = scalarFast('try_cmpxchg') as <T>(m: Machine, p: KPtr<T>, oldp: { value: ScalarValue<T> }, nval: ScalarValue<T>) => boolean;

/**
 * smp_cond_load_relaxed(ptr, cond_expr) (include/asm-generic/barrier.h): spin
 * reading `*ptr` until `cond(VAL)` holds; returns that value. The fast form
 * cannot wait (nothing else runs until it returns), so a condition that does
 * not hold yet is refused, changing nothing.
 */
function condLoadFast(name: string): <T>(m: Machine, p: KPtr<T>, cond: (val: ScalarValue<T>) => boolean) => ScalarValue<T> {
  return (m, p, cond) => {
    const ptr = checkKPtr(p, name);
    const t = scalarOf(ptr, name);
    if (typeof cond !== 'function') throw new TypeError(`${name}(${ptr.sym}): the condition must be a function of the value read (VAL), got ${describe(cond)}`);
    const v = load(m, ptr, t) as ScalarValue<never>;
    if (!cond(v)) throw new MachineStateError(`${name}(${ptr.sym}): the condition is false (${ptr.sym} is ${fmt(v)}); a fast (unstepped) call cannot wait for another CPU to change it. Use the stepped ${name} in a scenario`);
    return v;
  };
}

/**
 * The stepped form: one load that the scheduler runs only once the condition
 * holds. The iterations of the kernel's loop that read a value failing the
 * condition change nothing and are not steps (a spin that waits, as a
 * contended spinlock waits); the load that ends the loop is.
 */
function condLoadStepped(name: string, insns: Insns): <T>(m: Machine, p: KPtr<T>, cond: (val: ScalarValue<T>) => boolean) => StepGen<ScalarValue<T>> {
  return function* (m, p, cond) {
    const ptr = checkKPtr(p, name);
    const t = scalarOf(ptr, name);
    if (typeof cond !== 'function') throw new TypeError(`${name}(${ptr.sym}): the condition must be a function of the value read (VAL), got ${describe(cond)}`);
    const step: MemStep & { enabled: () => boolean } = {
      asm: insnText(m, insns, t.size, ptr.sym, `${name}(&${ptr.sym.startsWith('*') ? ptr.sym.slice(1) : ptr.sym}, …)`, null),
      addr: ptr.addr, size: t.size, access: 'r',
      enabled: () => cond(load(m, ptr, t) as ScalarValue<never>),
    };
    yield step;
    const v = load(m, ptr, t);
    step.moved = fmt(v);
    return v as ScalarValue<never>;
  };
}

/** smp_cond_load_relaxed(ptr, cond): spins until cond(*ptr); returns the value. */
export const smp_cond_load_relaxed = condLoadFast('smp_cond_load_relaxed');
/** smp_cond_load_acquire(ptr, cond): the same with acquire ordering (sequential consistency here). */
export const smp_cond_load_acquire = condLoadFast('smp_cond_load_acquire');

/** The value a pointer's pointee reads as. */
export type ScalarValue<T> = T extends ScalarName ? ValueOf<T> : number | bigint | boolean;

// ------------------------------------------------------------ the atomic families

/** One family's value arithmetic: atomic_t is a 32-bit int (number), atomic64_t and atomic_long_t 64-bit (bigint). */
interface Arith<V> {
  readonly size: 4 | 8;
  readonly ctype: CType;
  readonly check: (v: unknown, what: string) => V;
  readonly get: (m: Machine, addr: number) => V;
  readonly put: (m: Machine, addr: number, v: V) => void;
  readonly add: (a: V, b: V) => V;
  readonly sub: (a: V, b: V) => V;
  readonly and: (a: V, b: V) => V;
  readonly or: (a: V, b: V) => V;
  readonly xor: (a: V, b: V) => V;
  readonly andnot: (a: V, b: V) => V;
  readonly zero: V;
  readonly one: V;
  readonly neg: (v: V) => boolean;
}

const INT: Arith<number> = {
  size: 4,
  ctype: kernelType('atomic_t'),
  check: (v, what) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${what}: int takes an integer number, got ${describe(v)}`);
    return v | 0;
  },
  get: (m, addr) => m.view.getInt32(addr, true),
  put: (m, addr, v) => m.view.setInt32(addr, v, true),
  add: (a, b) => (a + b) | 0,
  sub: (a, b) => (a - b) | 0,
  and: (a, b) => a & b,
  or: (a, b) => a | b,
  xor: (a, b) => a ^ b,
  andnot: (a, b) => a & ~b,
  zero: 0,
  one: 1,
  neg: (v) => v < 0,
};

const LONG: Arith<bigint> = {
  size: 8,
  ctype: kernelType('atomic64_t'),
  check: (v, what) => {
    if (typeof v !== 'bigint') throw new TypeError(`${what}: s64 takes a bigint, got ${describe(v)}`);
    return BigInt.asIntN(64, v);
  },
  get: (m, addr) => m.view.getBigInt64(addr, true),
  put: (m, addr, v) => m.view.setBigInt64(addr, v, true),
  add: (a, b) => BigInt.asIntN(64, a + b),
  sub: (a, b) => BigInt.asIntN(64, a - b),
  and: (a, b) => a & b,
  or: (a, b) => a | b,
  xor: (a, b) => a ^ b,
  andnot: (a, b) => a & ~b,
  zero: 0n,
  one: 1n,
  neg: (v) => v < 0n,
};

/**
 * An atomic op's shape: which arguments it takes (in the kernel's order; `v`
 * is the atomic), and what it does to the old value. `next` undefined means
 * no store (a read, or a conditional op that declined).
 */
interface AtomicOp {
  readonly params: readonly ('v' | 'i' | 'new' | 'old' | 'oldp' | 'a' | 'u')[];
  readonly insns: Insns;
  readonly access: 'r' | 'w';
  /** The immediate shown in the instruction, from the arguments. */
  readonly imm?: (args: Record<string, unknown>) => unknown;
  readonly run: <V>(f: Arith<V>, old: V, args: Record<string, unknown>) => { next?: V; ret: unknown };
}

function rmw(insns: Insns, op: keyof Pick<Arith<number>, 'add' | 'sub' | 'and' | 'or' | 'xor' | 'andnot'>, ret: 'void' | 'new' | 'old'): AtomicOp {
  return {
    params: ['i', 'v'], insns, access: 'w', imm: (a) => a.i,
    run: (f, old, a) => {
      const next = (f[op] as (x: unknown, y: unknown) => unknown)(old, a.i) as typeof old;
      return { next, ret: ret === 'void' ? undefined : ret === 'new' ? next : old };
    },
  };
}

function unary(insns: Insns, op: 'add' | 'sub', ret: 'void' | 'new' | 'old'): AtomicOp {
  return {
    params: ['v'], insns, access: 'w',
    run: (f, old) => {
      const next = (f[op] as (x: unknown, y: unknown) => unknown)(old, f.one) as typeof old;
      return { next, ret: ret === 'void' ? undefined : ret === 'new' ? next : old };
    },
  };
}

/** The ops of every family (include/linux/atomic/atomic-instrumented.h), orderings added below. */
const ATOMIC_OPS: Record<string, AtomicOp> = {
  read: { params: ['v'], insns: LOAD, access: 'r', run: (_f, old) => ({ ret: old }) },
  read_acquire: { params: ['v'], insns: LOAD_ACQ, access: 'r', run: (_f, old) => ({ ret: old }) },
  set: { params: ['v', 'i'], insns: STORE, access: 'w', run: (_f, _old, a) => ({ next: a.i as never, ret: undefined }) },
  set_release: { params: ['v', 'i'], insns: STORE_REL, access: 'w', run: (_f, _old, a) => ({ next: a.i as never, ret: undefined }) },
  add: rmw(rmwImm('add', 'stadd'), 'add', 'void'),
  sub: rmw(rmwImm('sub', 'stadd'), 'sub', 'void'),
  and: rmw(rmwImm('and', 'stclr'), 'and', 'void'),
  or: rmw(rmwImm('or', 'stset'), 'or', 'void'),
  xor: rmw(rmwImm('xor', 'steor'), 'xor', 'void'),
  andnot: { ...rmw(rmwImm('and', 'stclr'), 'andnot', 'void'), imm: (a) => `~${String(a.i)}` },
  add_return: rmw(XADD, 'add', 'new'),
  sub_return: rmw(XADD, 'sub', 'new'),
  fetch_add: rmw(XADD, 'add', 'old'),
  fetch_sub: rmw(XADD, 'sub', 'old'),
  fetch_and: rmw(rmwFetch('ldclral'), 'and', 'old'),
  fetch_or: rmw(rmwFetch('ldsetal'), 'or', 'old'),
  fetch_xor: rmw(rmwFetch('ldeoral'), 'xor', 'old'),
  fetch_andnot: rmw(rmwFetch('ldclral'), 'andnot', 'old'),
  inc: unary(INC, 'add', 'void'),
  dec: unary(DEC, 'sub', 'void'),
  inc_return: unary(XADD, 'add', 'new'),
  dec_return: unary(XADD, 'sub', 'new'),
  fetch_inc: unary(XADD, 'add', 'old'),
  fetch_dec: unary(XADD, 'sub', 'old'),
  xchg: { params: ['v', 'new'], insns: XCHG, access: 'w', run: (_f, old, a) => ({ next: a.new as never, ret: old }) },
  cmpxchg: {
    params: ['v', 'old', 'new'], insns: CMPXCHG, access: 'w',
    run: (_f, cur, a) => (cur === a.old ? { next: a.new as never, ret: cur } : { ret: cur }),
  },
  try_cmpxchg: {
    params: ['v', 'oldp', 'new'], insns: CMPXCHG, access: 'w',
    run: (_f, cur, a) => {
      const box = a.oldp as { value: unknown };
      if (cur === a.old) return { next: a.new as never, ret: true };
      box.value = cur;
      return { ret: false };
    },
  },
  sub_and_test: { params: ['i', 'v'], insns: rmwImm('sub', 'ldaddal'), access: 'w', imm: (a) => a.i, run: (f, old, a) => { const next = f.sub(old, a.i as typeof old); return { next, ret: next === f.zero }; } },
  dec_and_test: { params: ['v'], insns: DEC, access: 'w', run: (f, old) => { const next = f.sub(old, f.one); return { next, ret: next === f.zero }; } },
  inc_and_test: { params: ['v'], insns: INC, access: 'w', run: (f, old) => { const next = f.add(old, f.one); return { next, ret: next === f.zero }; } },
  add_negative: { params: ['i', 'v'], insns: rmwImm('add', 'ldaddal'), access: 'w', imm: (a) => a.i, run: (f, old, a) => { const next = f.add(old, a.i as typeof old); return { next, ret: f.neg(next) }; } },
  add_unless: { params: ['v', 'a', 'u'], insns: CMPXCHG, access: 'w', run: (f, old, a) => (old === a.u ? { ret: false } : { next: f.add(old, a.a as typeof old), ret: true }) },
  fetch_add_unless: { params: ['v', 'a', 'u'], insns: CMPXCHG, access: 'w', run: (f, old, a) => (old === a.u ? { ret: old } : { next: f.add(old, a.a as typeof old), ret: old }) },
  inc_not_zero: { params: ['v'], insns: CMPXCHG, access: 'w', run: (f, old) => (old === f.zero ? { ret: false } : { next: f.add(old, f.one), ret: true }) },
  inc_unless_negative: { params: ['v'], insns: CMPXCHG, access: 'w', run: (f, old) => (f.neg(old) ? { ret: false } : { next: f.add(old, f.one), ret: true }) },
  dec_unless_positive: { params: ['v'], insns: CMPXCHG, access: 'w', run: (f, old) => (!f.neg(old) && old !== f.zero ? { ret: false } : { next: f.sub(old, f.one), ret: true }) },
  dec_if_positive: { params: ['v'], insns: CMPXCHG, access: 'w', run: (f, old) => { const dec = f.sub(old, f.one); return f.neg(dec) ? { ret: dec } : { next: dec, ret: dec }; } },
};

/** Ops that come in _acquire, _release and _relaxed forms too (the same op under sequential consistency). */
const ORDERED = [
  'add_return', 'sub_return', 'inc_return', 'dec_return', 'fetch_add', 'fetch_sub', 'fetch_inc', 'fetch_dec',
  'fetch_and', 'fetch_or', 'fetch_xor', 'fetch_andnot', 'xchg', 'cmpxchg', 'try_cmpxchg',
];

function pointerOf(name: string, f: Arith<unknown>, v: unknown): KPtr<unknown> {
  const p = checkKPtr(v, name);
  if (p.ctype !== f.ctype) throw new TypeError(`${name}: v must point to an ${f.ctype === INT.ctype ? 'atomic_t' : 'atomic64_t / atomic_long_t'}, got ${p.sym} (${p.ctype.name})`);
  return p;
}

function prepare(name: string, f: Arith<unknown>, op: AtomicOp, argv: readonly unknown[]): { p: KPtr<unknown>; args: Record<string, unknown> } {
  const args: Record<string, unknown> = {};
  let p: KPtr<unknown> | null = null;
  op.params.forEach((param, k) => {
    const x = argv[k];
    if (param === 'v') p = pointerOf(name, f, x);
    else if (param === 'oldp') {
      if (x === null || typeof x !== 'object' || !('value' in x)) throw new TypeError(`${name}: old must be an object { value }, got ${describe(x)}`);
      args.oldp = x;
      args.old = f.check((x as { value: unknown }).value, `${name}: old.value`);
    } else args[param] = f.check(x, `${name}: ${param}`);
  });
  return { p: p!, args };
}

function familyFast(prefix: string, f: Arith<unknown>, opName: string): (...argv: unknown[]) => unknown {
  const op = ATOMIC_OPS[opName];
  const name = `${prefix}_${opName}`;
  return (m: unknown, ...argv: unknown[]) => {
    const machine = m as Machine;
    const { p, args } = prepare(name, f, op, argv);
    const old = f.get(machine, p.addr);
    const r = op.run(f, old, args);
    if (r.next !== undefined) f.put(machine, p.addr, r.next);
    return r.ret;
  };
}

function familyStepped(prefix: string, f: Arith<unknown>, opName: string): (...argv: unknown[]) => StepGen<unknown> {
  const op = ATOMIC_OPS[opName];
  const name = `${prefix}_${opName}`;
  return function* (m: unknown, ...argv: unknown[]) {
    const machine = m as Machine;
    const { p, args } = prepare(name, f, op, argv);
    const call = `${name}(${op.params.map((param) => (param === 'v' ? `&${p.sym.startsWith('*') ? p.sym.slice(1) : p.sym}` : param === 'oldp' ? '&old' : String(args[param]))).join(', ')})`;
    const imm = op.imm === undefined ? null : String(op.imm(args));
    const step: MemStep = { asm: insnText(machine, op.insns, f.size, p.sym, call, imm), addr: p.addr, size: f.size, access: op.access };
    yield step;
    const old = f.get(machine, p.addr);
    const r = op.run(f, old, args);
    if (r.next !== undefined) f.put(machine, p.addr, r.next);
    step.moved = op.access === 'r' ? String(old) : `${String(old)} -> ${String(f.get(machine, p.addr))}`;
    return r.ret;
  };
}

/** Every name of a family: the base ops and the ordering variants of those that have them. */
function opNames(): string[] {
  const names = Object.keys(ATOMIC_OPS);
  for (const o of ORDERED) for (const s of ['_acquire', '_release', '_relaxed']) names.push(`${o}${s}`);
  return names;
}

function build(prefix: string, f: Arith<unknown>, stepped: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of opNames()) {
    const base = n.replace(/_(acquire|release|relaxed)$/, (s) => (ORDERED.includes(n.slice(0, -s.length)) ? '' : s));
    out[`${prefix}_${n}`] = stepped ? familyStepped(prefix, f, base) : familyFast(prefix, f, base);
  }
  return out;
}

/** The signature of every op of a family whose value type is V (`R` wraps the result: itself, or a StepGen). */
/* eslint-disable @typescript-eslint/no-explicit-any */
export interface AtomicOps<V> {
  read(m: Machine, v: KPtr<any>): V;
  read_acquire(m: Machine, v: KPtr<any>): V;
  set(m: Machine, v: KPtr<any>, i: V): void;
  set_release(m: Machine, v: KPtr<any>, i: V): void;
  add(m: Machine, i: V, v: KPtr<any>): void;
  sub(m: Machine, i: V, v: KPtr<any>): void;
  and(m: Machine, i: V, v: KPtr<any>): void;
  or(m: Machine, i: V, v: KPtr<any>): void;
  xor(m: Machine, i: V, v: KPtr<any>): void;
  andnot(m: Machine, i: V, v: KPtr<any>): void;
  add_return(m: Machine, i: V, v: KPtr<any>): V;
  sub_return(m: Machine, i: V, v: KPtr<any>): V;
  fetch_add(m: Machine, i: V, v: KPtr<any>): V;
  fetch_sub(m: Machine, i: V, v: KPtr<any>): V;
  fetch_and(m: Machine, i: V, v: KPtr<any>): V;
  fetch_or(m: Machine, i: V, v: KPtr<any>): V;
  fetch_xor(m: Machine, i: V, v: KPtr<any>): V;
  fetch_andnot(m: Machine, i: V, v: KPtr<any>): V;
  inc(m: Machine, v: KPtr<any>): void;
  dec(m: Machine, v: KPtr<any>): void;
  inc_return(m: Machine, v: KPtr<any>): V;
  dec_return(m: Machine, v: KPtr<any>): V;
  fetch_inc(m: Machine, v: KPtr<any>): V;
  fetch_dec(m: Machine, v: KPtr<any>): V;
  xchg(m: Machine, v: KPtr<any>, nval: V): V;
  cmpxchg(m: Machine, v: KPtr<any>, oval: V, nval: V): V;
  try_cmpxchg(m: Machine, v: KPtr<any>, oldp: { value: V }, nval: V): boolean;
  sub_and_test(m: Machine, i: V, v: KPtr<any>): boolean;
  dec_and_test(m: Machine, v: KPtr<any>): boolean;
  inc_and_test(m: Machine, v: KPtr<any>): boolean;
  add_negative(m: Machine, i: V, v: KPtr<any>): boolean;
  add_unless(m: Machine, v: KPtr<any>, a: V, u: V): boolean;
  fetch_add_unless(m: Machine, v: KPtr<any>, a: V, u: V): V;
  inc_not_zero(m: Machine, v: KPtr<any>): boolean;
  inc_unless_negative(m: Machine, v: KPtr<any>): boolean;
  dec_unless_positive(m: Machine, v: KPtr<any>): boolean;
  dec_if_positive(m: Machine, v: KPtr<any>): V;
  add_return_acquire(m: Machine, i: V, v: KPtr<any>): V;
  add_return_release(m: Machine, i: V, v: KPtr<any>): V;
  add_return_relaxed(m: Machine, i: V, v: KPtr<any>): V;
  sub_return_acquire(m: Machine, i: V, v: KPtr<any>): V;
  sub_return_release(m: Machine, i: V, v: KPtr<any>): V;
  sub_return_relaxed(m: Machine, i: V, v: KPtr<any>): V;
  inc_return_acquire(m: Machine, v: KPtr<any>): V;
  inc_return_release(m: Machine, v: KPtr<any>): V;
  inc_return_relaxed(m: Machine, v: KPtr<any>): V;
  dec_return_acquire(m: Machine, v: KPtr<any>): V;
  dec_return_release(m: Machine, v: KPtr<any>): V;
  dec_return_relaxed(m: Machine, v: KPtr<any>): V;
  fetch_add_acquire(m: Machine, i: V, v: KPtr<any>): V;
  fetch_add_release(m: Machine, i: V, v: KPtr<any>): V;
  fetch_add_relaxed(m: Machine, i: V, v: KPtr<any>): V;
  fetch_sub_acquire(m: Machine, i: V, v: KPtr<any>): V;
  fetch_sub_release(m: Machine, i: V, v: KPtr<any>): V;
  fetch_sub_relaxed(m: Machine, i: V, v: KPtr<any>): V;
  fetch_inc_acquire(m: Machine, v: KPtr<any>): V;
  fetch_inc_release(m: Machine, v: KPtr<any>): V;
  fetch_inc_relaxed(m: Machine, v: KPtr<any>): V;
  fetch_dec_acquire(m: Machine, v: KPtr<any>): V;
  fetch_dec_release(m: Machine, v: KPtr<any>): V;
  fetch_dec_relaxed(m: Machine, v: KPtr<any>): V;
  fetch_and_acquire(m: Machine, i: V, v: KPtr<any>): V;
  fetch_and_release(m: Machine, i: V, v: KPtr<any>): V;
  fetch_and_relaxed(m: Machine, i: V, v: KPtr<any>): V;
  fetch_or_acquire(m: Machine, i: V, v: KPtr<any>): V;
  fetch_or_release(m: Machine, i: V, v: KPtr<any>): V;
  fetch_or_relaxed(m: Machine, i: V, v: KPtr<any>): V;
  fetch_xor_acquire(m: Machine, i: V, v: KPtr<any>): V;
  fetch_xor_release(m: Machine, i: V, v: KPtr<any>): V;
  fetch_xor_relaxed(m: Machine, i: V, v: KPtr<any>): V;
  fetch_andnot_acquire(m: Machine, i: V, v: KPtr<any>): V;
  fetch_andnot_release(m: Machine, i: V, v: KPtr<any>): V;
  fetch_andnot_relaxed(m: Machine, i: V, v: KPtr<any>): V;
  xchg_acquire(m: Machine, v: KPtr<any>, nval: V): V;
  xchg_release(m: Machine, v: KPtr<any>, nval: V): V;
  xchg_relaxed(m: Machine, v: KPtr<any>, nval: V): V;
  cmpxchg_acquire(m: Machine, v: KPtr<any>, oval: V, nval: V): V;
  cmpxchg_release(m: Machine, v: KPtr<any>, oval: V, nval: V): V;
  cmpxchg_relaxed(m: Machine, v: KPtr<any>, oval: V, nval: V): V;
  try_cmpxchg_acquire(m: Machine, v: KPtr<any>, oldp: { value: V }, nval: V): boolean;
  try_cmpxchg_release(m: Machine, v: KPtr<any>, oldp: { value: V }, nval: V): boolean;
  try_cmpxchg_relaxed(m: Machine, v: KPtr<any>, oldp: { value: V }, nval: V): boolean;
}
export interface SteppedAtomicOps<V> {
  read(m: Machine, v: KPtr<any>): StepGen<V>;
  read_acquire(m: Machine, v: KPtr<any>): StepGen<V>;
  set(m: Machine, v: KPtr<any>, i: V): StepGen<void>;
  set_release(m: Machine, v: KPtr<any>, i: V): StepGen<void>;
  add(m: Machine, i: V, v: KPtr<any>): StepGen<void>;
  sub(m: Machine, i: V, v: KPtr<any>): StepGen<void>;
  and(m: Machine, i: V, v: KPtr<any>): StepGen<void>;
  or(m: Machine, i: V, v: KPtr<any>): StepGen<void>;
  xor(m: Machine, i: V, v: KPtr<any>): StepGen<void>;
  andnot(m: Machine, i: V, v: KPtr<any>): StepGen<void>;
  add_return(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  sub_return(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_add(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_sub(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_and(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_or(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_xor(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_andnot(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  inc(m: Machine, v: KPtr<any>): StepGen<void>;
  dec(m: Machine, v: KPtr<any>): StepGen<void>;
  inc_return(m: Machine, v: KPtr<any>): StepGen<V>;
  dec_return(m: Machine, v: KPtr<any>): StepGen<V>;
  fetch_inc(m: Machine, v: KPtr<any>): StepGen<V>;
  fetch_dec(m: Machine, v: KPtr<any>): StepGen<V>;
  xchg(m: Machine, v: KPtr<any>, nval: V): StepGen<V>;
  cmpxchg(m: Machine, v: KPtr<any>, oval: V, nval: V): StepGen<V>;
  try_cmpxchg(m: Machine, v: KPtr<any>, oldp: { value: V }, nval: V): StepGen<boolean>;
  sub_and_test(m: Machine, i: V, v: KPtr<any>): StepGen<boolean>;
  dec_and_test(m: Machine, v: KPtr<any>): StepGen<boolean>;
  inc_and_test(m: Machine, v: KPtr<any>): StepGen<boolean>;
  add_negative(m: Machine, i: V, v: KPtr<any>): StepGen<boolean>;
  add_unless(m: Machine, v: KPtr<any>, a: V, u: V): StepGen<boolean>;
  fetch_add_unless(m: Machine, v: KPtr<any>, a: V, u: V): StepGen<V>;
  inc_not_zero(m: Machine, v: KPtr<any>): StepGen<boolean>;
  inc_unless_negative(m: Machine, v: KPtr<any>): StepGen<boolean>;
  dec_unless_positive(m: Machine, v: KPtr<any>): StepGen<boolean>;
  dec_if_positive(m: Machine, v: KPtr<any>): StepGen<V>;
  add_return_acquire(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  add_return_release(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  add_return_relaxed(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  sub_return_acquire(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  sub_return_release(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  sub_return_relaxed(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  inc_return_acquire(m: Machine, v: KPtr<any>): StepGen<V>;
  inc_return_release(m: Machine, v: KPtr<any>): StepGen<V>;
  inc_return_relaxed(m: Machine, v: KPtr<any>): StepGen<V>;
  dec_return_acquire(m: Machine, v: KPtr<any>): StepGen<V>;
  dec_return_release(m: Machine, v: KPtr<any>): StepGen<V>;
  dec_return_relaxed(m: Machine, v: KPtr<any>): StepGen<V>;
  fetch_add_acquire(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_add_release(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_add_relaxed(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_sub_acquire(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_sub_release(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_sub_relaxed(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_inc_acquire(m: Machine, v: KPtr<any>): StepGen<V>;
  fetch_inc_release(m: Machine, v: KPtr<any>): StepGen<V>;
  fetch_inc_relaxed(m: Machine, v: KPtr<any>): StepGen<V>;
  fetch_dec_acquire(m: Machine, v: KPtr<any>): StepGen<V>;
  fetch_dec_release(m: Machine, v: KPtr<any>): StepGen<V>;
  fetch_dec_relaxed(m: Machine, v: KPtr<any>): StepGen<V>;
  fetch_and_acquire(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_and_release(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_and_relaxed(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_or_acquire(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_or_release(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_or_relaxed(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_xor_acquire(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_xor_release(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_xor_relaxed(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_andnot_acquire(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_andnot_release(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  fetch_andnot_relaxed(m: Machine, i: V, v: KPtr<any>): StepGen<V>;
  xchg_acquire(m: Machine, v: KPtr<any>, nval: V): StepGen<V>;
  xchg_release(m: Machine, v: KPtr<any>, nval: V): StepGen<V>;
  xchg_relaxed(m: Machine, v: KPtr<any>, nval: V): StepGen<V>;
  cmpxchg_acquire(m: Machine, v: KPtr<any>, oval: V, nval: V): StepGen<V>;
  cmpxchg_release(m: Machine, v: KPtr<any>, oval: V, nval: V): StepGen<V>;
  cmpxchg_relaxed(m: Machine, v: KPtr<any>, oval: V, nval: V): StepGen<V>;
  try_cmpxchg_acquire(m: Machine, v: KPtr<any>, oldp: { value: V }, nval: V): StepGen<boolean>;
  try_cmpxchg_release(m: Machine, v: KPtr<any>, oldp: { value: V }, nval: V): StepGen<boolean>;
  try_cmpxchg_relaxed(m: Machine, v: KPtr<any>, oldp: { value: V }, nval: V): StepGen<boolean>;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

type Prefixed<P extends string, T> = { [K in keyof T as `${P}_${K & string}`]: T[K] };

const atomicFast = build('atomic', INT as Arith<unknown>, false) as Prefixed<'atomic', AtomicOps<number>>;
const atomic64Fast = build('atomic64', LONG as Arith<unknown>, false) as Prefixed<'atomic64', AtomicOps<bigint>>;
const atomicLongFast = build('atomic_long', LONG as Arith<unknown>, false) as Prefixed<'atomic_long', AtomicOps<bigint>>;

/** The stepped forms, for src/stepped.ts: the same names, one step each. */
export const steppedAtomics = {
  ...(build('atomic', INT as Arith<unknown>, true) as Prefixed<'atomic', SteppedAtomicOps<number>>),
  ...(build('atomic64', LONG as Arith<unknown>, true) as Prefixed<'atomic64', SteppedAtomicOps<bigint>>),
  ...(build('atomic_long', LONG as Arith<unknown>, true) as Prefixed<'atomic_long', SteppedAtomicOps<bigint>>),
  READ_ONCE: scalarStepped('READ_ONCE') as <T>(m: Machine, p: KPtr<T>) => StepGen<ScalarValue<T>>,
  WRITE_ONCE: scalarStepped('WRITE_ONCE') as <T>(m: Machine, p: KPtr<T>, val: ScalarValue<T>) => StepGen<void>,
  smp_load_acquire: scalarStepped('smp_load_acquire') as <T>(m: Machine, p: KPtr<T>) => StepGen<ScalarValue<T>>,
  smp_store_release: scalarStepped('smp_store_release') as <T>(m: Machine, p: KPtr<T>, val: ScalarValue<T>) => StepGen<void>,
  xchg: scalarStepped('xchg') as <T>(m: Machine, p: KPtr<T>, nval: ScalarValue<T>) => StepGen<ScalarValue<T>>,
  cmpxchg: scalarStepped('cmpxchg') as <T>(m: Machine, p: KPtr<T>, oval: ScalarValue<T>, nval: ScalarValue<T>) => StepGen<ScalarValue<T>>,
  try_cmpxchg: scalarStepped('try_cmpxchg') as <T>(m: Machine, p: KPtr<T>, oldp: { value: ScalarValue<T> }, nval: ScalarValue<T>) => StepGen<boolean>,
  smp_cond_load_relaxed: condLoadStepped('smp_cond_load_relaxed', LOAD),
  smp_cond_load_acquire: condLoadStepped('smp_cond_load_acquire', LOAD_ACQ),
  // eslint-disable-next-line require-yield
  smp_mb: function* (): StepGen<void> {},
  // eslint-disable-next-line require-yield
  smp_rmb: function* (): StepGen<void> {},
  // eslint-disable-next-line require-yield
  smp_wmb: function* (): StepGen<void> {},
  // eslint-disable-next-line require-yield
  barrier: function* (): StepGen<void> {},
  // eslint-disable-next-line require-yield
  smp_mb__before_atomic: function* (): StepGen<void> {},
  // eslint-disable-next-line require-yield
  smp_mb__after_atomic: function* (): StepGen<void> {},
};

export const {
  atomic_read, atomic_read_acquire, atomic_set, atomic_set_release, atomic_add, atomic_sub, atomic_and, atomic_or,
  atomic_xor, atomic_andnot, atomic_add_return, atomic_sub_return, atomic_fetch_add, atomic_fetch_sub,
  atomic_fetch_and, atomic_fetch_or, atomic_fetch_xor, atomic_fetch_andnot, atomic_inc, atomic_dec, atomic_inc_return,
  atomic_dec_return, atomic_fetch_inc, atomic_fetch_dec, atomic_xchg, atomic_cmpxchg, atomic_try_cmpxchg,
  atomic_sub_and_test, atomic_dec_and_test, atomic_inc_and_test, atomic_add_negative, atomic_add_unless,
  atomic_fetch_add_unless, atomic_inc_not_zero, atomic_inc_unless_negative, atomic_dec_unless_positive,
  atomic_dec_if_positive, atomic_add_return_acquire, atomic_add_return_release, atomic_add_return_relaxed,
  atomic_sub_return_acquire, atomic_sub_return_release, atomic_sub_return_relaxed, atomic_inc_return_acquire,
  atomic_inc_return_release, atomic_inc_return_relaxed, atomic_dec_return_acquire, atomic_dec_return_release,
  atomic_dec_return_relaxed, atomic_fetch_add_acquire, atomic_fetch_add_release, atomic_fetch_add_relaxed,
  atomic_fetch_sub_acquire, atomic_fetch_sub_release, atomic_fetch_sub_relaxed, atomic_fetch_inc_acquire,
  atomic_fetch_inc_release, atomic_fetch_inc_relaxed, atomic_fetch_dec_acquire, atomic_fetch_dec_release,
  atomic_fetch_dec_relaxed, atomic_fetch_and_acquire, atomic_fetch_and_release, atomic_fetch_and_relaxed,
  atomic_fetch_or_acquire, atomic_fetch_or_release, atomic_fetch_or_relaxed, atomic_fetch_xor_acquire,
  atomic_fetch_xor_release, atomic_fetch_xor_relaxed, atomic_fetch_andnot_acquire, atomic_fetch_andnot_release,
  atomic_fetch_andnot_relaxed, atomic_xchg_acquire, atomic_xchg_release, atomic_xchg_relaxed, atomic_cmpxchg_acquire,
  atomic_cmpxchg_release, atomic_cmpxchg_relaxed, atomic_try_cmpxchg_acquire, atomic_try_cmpxchg_release,
  atomic_try_cmpxchg_relaxed,
} = atomicFast;
export const {
  atomic64_read, atomic64_read_acquire, atomic64_set, atomic64_set_release, atomic64_add, atomic64_sub, atomic64_and,
  atomic64_or, atomic64_xor, atomic64_andnot, atomic64_add_return, atomic64_sub_return, atomic64_fetch_add,
  atomic64_fetch_sub, atomic64_fetch_and, atomic64_fetch_or, atomic64_fetch_xor, atomic64_fetch_andnot, atomic64_inc,
  atomic64_dec, atomic64_inc_return, atomic64_dec_return, atomic64_fetch_inc, atomic64_fetch_dec, atomic64_xchg,
  atomic64_cmpxchg, atomic64_try_cmpxchg, atomic64_sub_and_test, atomic64_dec_and_test, atomic64_inc_and_test,
  atomic64_add_negative, atomic64_add_unless, atomic64_fetch_add_unless, atomic64_inc_not_zero,
  atomic64_inc_unless_negative, atomic64_dec_unless_positive, atomic64_dec_if_positive, atomic64_add_return_acquire,
  atomic64_add_return_release, atomic64_add_return_relaxed, atomic64_sub_return_acquire, atomic64_sub_return_release,
  atomic64_sub_return_relaxed, atomic64_inc_return_acquire, atomic64_inc_return_release, atomic64_inc_return_relaxed,
  atomic64_dec_return_acquire, atomic64_dec_return_release, atomic64_dec_return_relaxed, atomic64_fetch_add_acquire,
  atomic64_fetch_add_release, atomic64_fetch_add_relaxed, atomic64_fetch_sub_acquire, atomic64_fetch_sub_release,
  atomic64_fetch_sub_relaxed, atomic64_fetch_inc_acquire, atomic64_fetch_inc_release, atomic64_fetch_inc_relaxed,
  atomic64_fetch_dec_acquire, atomic64_fetch_dec_release, atomic64_fetch_dec_relaxed, atomic64_fetch_and_acquire,
  atomic64_fetch_and_release, atomic64_fetch_and_relaxed, atomic64_fetch_or_acquire, atomic64_fetch_or_release,
  atomic64_fetch_or_relaxed, atomic64_fetch_xor_acquire, atomic64_fetch_xor_release, atomic64_fetch_xor_relaxed,
  atomic64_fetch_andnot_acquire, atomic64_fetch_andnot_release, atomic64_fetch_andnot_relaxed, atomic64_xchg_acquire,
  atomic64_xchg_release, atomic64_xchg_relaxed, atomic64_cmpxchg_acquire, atomic64_cmpxchg_release,
  atomic64_cmpxchg_relaxed, atomic64_try_cmpxchg_acquire, atomic64_try_cmpxchg_release, atomic64_try_cmpxchg_relaxed,
} = atomic64Fast;
export const {
  atomic_long_read, atomic_long_read_acquire, atomic_long_set, atomic_long_set_release, atomic_long_add,
  atomic_long_sub, atomic_long_and, atomic_long_or, atomic_long_xor, atomic_long_andnot, atomic_long_add_return,
  atomic_long_sub_return, atomic_long_fetch_add, atomic_long_fetch_sub, atomic_long_fetch_and, atomic_long_fetch_or,
  atomic_long_fetch_xor, atomic_long_fetch_andnot, atomic_long_inc, atomic_long_dec, atomic_long_inc_return,
  atomic_long_dec_return, atomic_long_fetch_inc, atomic_long_fetch_dec, atomic_long_xchg, atomic_long_cmpxchg,
  atomic_long_try_cmpxchg, atomic_long_sub_and_test, atomic_long_dec_and_test, atomic_long_inc_and_test,
  atomic_long_add_negative, atomic_long_add_unless, atomic_long_fetch_add_unless, atomic_long_inc_not_zero,
  atomic_long_inc_unless_negative, atomic_long_dec_unless_positive, atomic_long_dec_if_positive,
  atomic_long_add_return_acquire, atomic_long_add_return_release, atomic_long_add_return_relaxed,
  atomic_long_sub_return_acquire, atomic_long_sub_return_release, atomic_long_sub_return_relaxed,
  atomic_long_inc_return_acquire, atomic_long_inc_return_release, atomic_long_inc_return_relaxed,
  atomic_long_dec_return_acquire, atomic_long_dec_return_release, atomic_long_dec_return_relaxed,
  atomic_long_fetch_add_acquire, atomic_long_fetch_add_release, atomic_long_fetch_add_relaxed,
  atomic_long_fetch_sub_acquire, atomic_long_fetch_sub_release, atomic_long_fetch_sub_relaxed,
  atomic_long_fetch_inc_acquire, atomic_long_fetch_inc_release, atomic_long_fetch_inc_relaxed,
  atomic_long_fetch_dec_acquire, atomic_long_fetch_dec_release, atomic_long_fetch_dec_relaxed,
  atomic_long_fetch_and_acquire, atomic_long_fetch_and_release, atomic_long_fetch_and_relaxed,
  atomic_long_fetch_or_acquire, atomic_long_fetch_or_release, atomic_long_fetch_or_relaxed,
  atomic_long_fetch_xor_acquire, atomic_long_fetch_xor_release, atomic_long_fetch_xor_relaxed,
  atomic_long_fetch_andnot_acquire, atomic_long_fetch_andnot_release, atomic_long_fetch_andnot_relaxed,
  atomic_long_xchg_acquire, atomic_long_xchg_release, atomic_long_xchg_relaxed, atomic_long_cmpxchg_acquire,
  atomic_long_cmpxchg_release, atomic_long_cmpxchg_relaxed, atomic_long_try_cmpxchg_acquire,
  atomic_long_try_cmpxchg_release, atomic_long_try_cmpxchg_relaxed,
} = atomicLongFast;
