/**
 * Atomics and marked accesses on ordinary memory (KPtr): READ_ONCE,
 * WRITE_ONCE, smp_load_acquire, smp_store_release, xchg, cmpxchg,
 * try_cmpxchg and the barriers here; the atomic_t / atomic64_t /
 * atomic_long_t families of include/linux/atomic/atomic-instrumented.h
 * (v6.16) are generated from templates/atomic/atomics.tbl into
 * generated/atomic.ts and generated/atomic-stepped.ts, and call the checks and
 * the instruction text below.
 *
 * Every op exists twice with the same name: as a plain function, and as a
 * generator for the scheduler (exported by src/stepped.ts) that yields one
 * step before it runs — one instruction, one step, whose footprint is the
 * bytes it touches, read or written.
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
import {
  load_i16, load_i32, load_i64, load_i8, load_long, load_ptr, load_u16, load_u32, load_u64, load_u8, load_ulong,
  store_i16, store_i32, store_i64, store_i8, store_long, store_u16, store_u32, store_u64, store_u8, store_ulong,
} from '../mm/access.js';
import { checkKPtr, checkKPtrOn, foreignKPtr, kptrRef, type KPtr } from '../kptr.js';
import { MachineStateError } from '../errors.js';
import { Machine, machineArg } from '../machine.js';
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
  /** `i`: the operand of the immediate forms (`lock addl $5, nr`). */
  readonly x86: (s: number, sym: string, i: string) => string;
  readonly arm64: (s: number, sym: string) => string;
}

const LOAD: Insns = { x86: (s, sym) => `mov${X86_SUFFIX[s]} ${sym}, ${X86_REG[s]}`, arm64: (s, sym) => `ldr${ARM_LDST[s]} ${armReg(s, 0)}, [${sym}]` };
const LOAD_ACQ: Insns = { x86: LOAD.x86, arm64: (s, sym) => `ldar${ARM_LDST[s]} ${armReg(s, 0)}, [${sym}]` };
const STORE: Insns = { x86: (s, sym) => `mov${X86_SUFFIX[s]} ${X86_REG[s]}, ${sym}`, arm64: (s, sym) => `str${ARM_LDST[s]} ${armReg(s, 1)}, [${sym}]` };
const STORE_REL: Insns = { x86: STORE.x86, arm64: (s, sym) => `stlr${ARM_LDST[s]} ${armReg(s, 1)}, [${sym}]` };
const XCHG: Insns = { x86: (s, sym) => `xchg${X86_SUFFIX[s]} ${X86_REG[s]}, ${sym}`, arm64: (s, sym) => `swpal${ARM_LDST[s]} ${armReg(s, 1)}, ${armReg(s, 0)}, [${sym}]` };
const CMPXCHG: Insns = { x86: (s, sym) => `lock cmpxchg${X86_SUFFIX[s]} ${X86_REG2[s]}, ${sym}`, arm64: (s, sym) => `casal${ARM_LDST[s]} ${armReg(s, 0)}, ${armReg(s, 1)}, [${sym}]` };
const XADD: Insns = { x86: (s, sym) => `lock xadd${X86_SUFFIX[s]} ${X86_REG[s]}, ${sym}`, arm64: (s, sym) => `ldaddal ${armReg(s, 1)}, ${armReg(s, 0)}, [${sym}]` };

const INC: Insns = { x86: (s, sym) => `lock inc${X86_SUFFIX[s]} ${sym}`, arm64: (s, sym) => `stadd ${armReg(s, 1)}, [${sym}]` };
const DEC: Insns = { x86: (s, sym) => `lock dec${X86_SUFFIX[s]} ${sym}`, arm64: (s, sym) => `stadd ${armReg(s, 1)}, [${sym}]` };

function insnText(m: Machine, insns: Insns, size: number, sym: string, call: string, i = ''): string {
  const f = m.arch as Flavour;
  return f === 'x86_64' ? insns.x86(size, sym, i) : f === 'arm64' ? insns.arm64(size, sym) : call;
}

// ------------------------------------------------------------ stepped plumbing

/** A step of a memory op: the instruction, the bytes it touches, and (after it ran) what it moved. */
export interface MemStep {
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
  return `${name}(${[kptrRef(p), ...args.map((a) => (typeof a === 'object' && a !== null ? '&old' : describe(a)))].join(', ')})`;
}

function scalarFast(name: string): (m: Machine, p: KPtr<unknown>, a?: unknown, b?: unknown) => unknown {
  const op = SCALAR_OPS[name];
  return (m, p, a, b) => {
    const ptr = checkKPtrOn(machineArg(m, name), p, name);
    const t = scalarOf(ptr, name);
    return op.run(m, ptr, t, a, b, `${name}(${ptr.sym})`)().result;
  };
}

function scalarStepped(name: string): (m: Machine, p: KPtr<unknown>, a?: unknown, b?: unknown) => StepGen<unknown> {
  const op = SCALAR_OPS[name];
  return function* (m, p, a, b) {
    const ptr = checkKPtrOn(machineArg(m, name), p, name);
    const t = scalarOf(ptr, name);
    const run = op.run(m, ptr, t, a, b, `${name}(${ptr.sym})`);
    const step: MemStep = { asm: insnText(m, op.insns, t.size, ptr.sym, scalarCall(name, ptr, name === 'READ_ONCE' || name === 'smp_load_acquire' ? [] : [a, b].filter((x) => x !== undefined))), addr: ptr.addr, size: t.size, access: op.access };
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
    const ptr = checkKPtrOn(machineArg(m, name), p, name);
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
    const ptr = checkKPtrOn(machineArg(m, name), p, name);
    const t = scalarOf(ptr, name);
    if (typeof cond !== 'function') throw new TypeError(`${name}(${ptr.sym}): the condition must be a function of the value read (VAL), got ${describe(cond)}`);
    const step: MemStep & { enabled: () => boolean } = {
      asm: insnText(m, insns, t.size, ptr.sym, `${name}(${kptrRef(ptr)}, …)`),
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

/**
 * The stepped marked accesses, for src/stepped.ts, which exports each under
 * its kernel name with its own doc comment.
 *
 * @internal
 */
export const steppedMarked = {
  READ_ONCE: scalarStepped('READ_ONCE') as <T>(m: Machine, p: KPtr<T>) => StepGen<ScalarValue<T>>,
  WRITE_ONCE: scalarStepped('WRITE_ONCE') as <T>(m: Machine, p: KPtr<T>, val: ScalarValue<T>) => StepGen<void>,
  smp_load_acquire: scalarStepped('smp_load_acquire') as <T>(m: Machine, p: KPtr<T>) => StepGen<ScalarValue<T>>,
  smp_store_release: scalarStepped('smp_store_release') as <T>(m: Machine, p: KPtr<T>, val: ScalarValue<T>) => StepGen<void>,
  xchg: scalarStepped('xchg') as <T>(m: Machine, p: KPtr<T>, nval: ScalarValue<T>) => StepGen<ScalarValue<T>>,
  cmpxchg: scalarStepped('cmpxchg') as <T>(m: Machine, p: KPtr<T>, oval: ScalarValue<T>, nval: ScalarValue<T>) => StepGen<ScalarValue<T>>,
  try_cmpxchg: scalarStepped('try_cmpxchg') as <T>(m: Machine, p: KPtr<T>, oldp: { value: ScalarValue<T> }, nval: ScalarValue<T>) => StepGen<boolean>,
  smp_cond_load_relaxed: condLoadStepped('smp_cond_load_relaxed', LOAD),
  smp_cond_load_acquire: condLoadStepped('smp_cond_load_acquire', LOAD_ACQ),
};

/** The value a pointer's pointee reads as. */
export type ScalarValue<T> = T extends ScalarName ? ValueOf<T> : number | bigint | boolean;

// ------------------------------------------------------------ what the generated atomics call

/** atomic_t (include/linux/types.h: `typedef struct { int counter; } atomic_t`): what an atomic_*() op's `v` must point to. */
export const ATOMIC_T: CType = kernelType('atomic_t');
/** atomic64_t, which atomic_long_t is on a 64-bit kernel: what an atomic64_*() or atomic_long_*() op's `v` must point to. */
export const ATOMIC64_T: CType = kernelType('atomic64_t');

/** The refusal of an atomic op's `m`: not a Machine, or one that has not booted (its memory is not laid out). Off the hot path. */
export function badAtomicMachine(name: string, m: unknown): Error {
  if (m instanceof Machine) return new MachineStateError(`${name}: the machine has not booted: ordinary memory exists once m.boot() has run`);
  return new TypeError(`${name}: expected a Machine (new Machine({ cpus })), got ${describe(m)}`);
}

/**
 * The refusal of an atomic op whose pointer check failed, off the hot path:
 * a bad machine first (the machine is the first argument; the generated ops
 * test it only through the pointer, see generator/atomics.ts), then `v` not a
 * live pointer (checkKPtr's error), not to the op's atomic type, or into
 * another machine's memory.
 */
export function badAtomicPtr(name: string, m: unknown, v: unknown, want: CType): Error {
  if (!(m instanceof Machine) || !m.booted) return badAtomicMachine(name, m);
  const p = checkKPtr(v, name);
  if (p.ctype !== want) return new TypeError(`${name}: v must point to an ${want === ATOMIC_T ? 'atomic_t' : 'atomic64_t / atomic_long_t'}, got ${p.sym} (${p.ctype.name})`);
  return foreignKPtr(m, p, name);
}

/** The refusal of an `int` operand of an atomic_t op (`what` names the op and the parameter). */
export function badAtomicInt(what: string, x: unknown): TypeError {
  return new TypeError(`${what}: int takes an integer number, got ${describe(x)}`);
}

/** The refusal of an `s64`/`long` operand of an atomic64_t or atomic_long_t op. */
export function badAtomicS64(what: string, x: unknown): TypeError {
  return new TypeError(`${what}: s64 takes a bigint, got ${describe(x)}`);
}

/** The refusal of try_cmpxchg's `old`, which must be an object `{ value }` (C's `int *old`). */
export function badAtomicOld(name: string, x: unknown): TypeError {
  return new TypeError(`${name}: old must be an object { value }, got ${describe(x)}`);
}

/** Read-modify-write with an immediate operand (x86 `lock addl $5, nr`; arm64 LSE store form). */
function rmwImm(x86op: string, armop: string, imm: (i: string) => string = (i) => i): Insns {
  return { x86: (s, sym, i) => `lock ${x86op}${X86_SUFFIX[s]} $${imm(i)}, ${sym}`, arm64: (s, sym) => `${armop} ${armReg(s, 1)}, [${sym}]` };
}
/** A fetch-and-op: x86 has none but a cmpxchg loop; arm64 LSE has ld<op>al. */
function rmwFetch(armop: string): Insns {
  return { x86: CMPXCHG.x86, arm64: (s, sym) => `${armop} ${armReg(s, 1)}, ${armReg(s, 0)}, [${sym}]` };
}

/**
 * The instruction each atomic op is shown as in a stepped trace, by op name
 * without the ordering suffix (an acquire load and a release store have their
 * own): x86-64 as arch/x86/include/asm/atomic.h emits it, arm64 with LSE atomics.
 */
const ATOMIC_INSNS: Readonly<Record<string, Insns>> = {
  read: LOAD, read_acquire: LOAD_ACQ, set: STORE, set_release: STORE_REL,
  add: rmwImm('add', 'stadd'), sub: rmwImm('sub', 'stadd'), and: rmwImm('and', 'stclr'), or: rmwImm('or', 'stset'),
  xor: rmwImm('xor', 'steor'), andnot: rmwImm('and', 'stclr', (i) => `~${i}`),
  add_return: XADD, sub_return: XADD, fetch_add: XADD, fetch_sub: XADD,
  fetch_and: rmwFetch('ldclral'), fetch_or: rmwFetch('ldsetal'), fetch_xor: rmwFetch('ldeoral'), fetch_andnot: rmwFetch('ldclral'),
  inc: INC, dec: DEC, inc_return: XADD, dec_return: XADD, fetch_inc: XADD, fetch_dec: XADD,
  xchg: XCHG, cmpxchg: CMPXCHG, try_cmpxchg: CMPXCHG,
  sub_and_test: rmwImm('sub', 'ldaddal'), dec_and_test: DEC, inc_and_test: INC, add_negative: rmwImm('add', 'ldaddal'),
  add_unless: CMPXCHG, fetch_add_unless: CMPXCHG, inc_not_zero: CMPXCHG, inc_unless_negative: CMPXCHG,
  dec_unless_positive: CMPXCHG, dec_if_positive: CMPXCHG,
};

/**
 * The step a stepped atomic op yields: its instruction on the machine's
 * architecture (asm-generic: the C call), the atomic's bytes, read or written.
 * The op fills in `moved` once it ran.
 */
export function atomicStep(m: Machine, op: string, size: 4 | 8, access: 'r' | 'w', v: KPtr<unknown>, call: string, i?: number | bigint): MemStep {
  return { asm: atomicInsn(m, op, size, v.sym, call, i), addr: v.addr, size, access };
}

/** The instruction of atomic op `op` on the object C names `sym` (see atomicStep; the local ops name `l->a`). */
export function atomicInsn(m: Machine, op: string, size: 4 | 8, sym: string, call: string, i?: number | bigint): string {
  return insnText(m, ATOMIC_INSNS[op], size, sym, call, String(i));
}

// ------------------------------------------------------------ sized forms on an address, for translated C

/**
 * The type-generic xchg(), cmpxchg() and try_cmpxchg() of
 * include/linux/atomic/atomic-instrumented.h (v6.16) on an object of ordinary
 * memory, as translated C calls them: the C type of `*ptr` picks the width at
 * translation time (arch/x86/include/asm/cmpxchg.h __raw_cmpxchg switches on
 * sizeof(*(ptr)) at compile time), so each width has its own function and
 * nothing is looked up per call. A pointer object (`struct node *head`) is the
 * `_ptr` form: an address as the number translated C keeps it, 8 bytes in memory.
 * try_cmpxchg() is cmpxchg() plus the write-back of the value found, which the
 * translator emits as atomic-arch-fallback.h's raw_try_cmpxchg() does.
 *
 * A bad address (NULL, unmapped, misaligned) is refused by the load, before
 * anything is stored (src/mm/access.ts).
 */
type Load<V> = (m: Machine, a: number) => V;
type Store<V> = (m: Machine, a: number, v: V) => void;

/** A refused access (the load's or the store's error), named after the op that made it. */
function refused(op: string, e: unknown): never {
  if (e instanceof Error) e.message = `${op}: ${e.message}; nothing was stored`;
  throw e;
}

/** xchg()'s access, shared by the fast form of each width and the stepped one; a refusal is named `op`. */
function exchange<V>(ld: Load<V>, st: Store<V>, m: Machine, a: number, v: V, op: string): V {
  try {
    const cur = ld(m, a);
    st(m, a, v);
    return cur;
  } catch (e) {
    return refused(op, e);
  }
}

/** cmpxchg()'s access (see exchange): the store only on a match; what was found is returned. */
function compareExchange<V>(ld: Load<V>, st: Store<V>, m: Machine, a: number, o: V, n: V, op: string): V {
  try {
    const cur = ld(m, a);
    if (cur === o) st(m, a, n);
    return cur;
  } catch (e) {
    return refused(op, e);
  }
}

function xchgOf<V>(ld: Load<V>, st: Store<V>): (m: Machine, a: number, v: V) => V {
  return (m, a, v) => exchange(ld, st, m, a, v, 'xchg');
}

function cmpxchgOf<V>(ld: Load<V>, st: Store<V>): (m: Machine, a: number, o: V, n: V) => V {
  return (m, a, o, n) => compareExchange(ld, st, m, a, o, n, 'cmpxchg');
}

const store_ptr: Store<number> = (m, a, v) => store_ulong(m, a, BigInt(v));

export const xchg_u8 = xchgOf(load_u8, store_u8);
export const xchg_i8 = xchgOf(load_i8, store_i8);
export const xchg_u16 = xchgOf(load_u16, store_u16);
export const xchg_i16 = xchgOf(load_i16, store_i16);
export const xchg_u32 = xchgOf(load_u32, store_u32);
export const xchg_i32 = xchgOf(load_i32, store_i32);
export const xchg_u64 = xchgOf(load_u64, store_u64);
export const xchg_i64 = xchgOf(load_i64, store_i64);
export const xchg_ulong = xchgOf(load_ulong, store_ulong);
export const xchg_long = xchgOf(load_long, store_long);
export const xchg_ptr = xchgOf(load_ptr, store_ptr);
export const cmpxchg_u8 = cmpxchgOf(load_u8, store_u8);
export const cmpxchg_i8 = cmpxchgOf(load_i8, store_i8);
export const cmpxchg_u16 = cmpxchgOf(load_u16, store_u16);
export const cmpxchg_i16 = cmpxchgOf(load_i16, store_i16);
export const cmpxchg_u32 = cmpxchgOf(load_u32, store_u32);
export const cmpxchg_i32 = cmpxchgOf(load_i32, store_i32);
export const cmpxchg_u64 = cmpxchgOf(load_u64, store_u64);
export const cmpxchg_i64 = cmpxchgOf(load_i64, store_i64);
export const cmpxchg_ulong = cmpxchgOf(load_ulong, store_ulong);
export const cmpxchg_long = cmpxchgOf(load_long, store_long);
export const cmpxchg_ptr = cmpxchgOf(load_ptr, store_ptr);

/** The widths translated C passes to the stepped forms: a scalar's name, or `ptr` for a pointer object. */
export type XchgType = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'u64' | 'i64' | 'ulong' | 'long' | 'ptr';

const SIZED: Readonly<Record<XchgType, { size: number; ld: Load<number | bigint>; st: Store<never> }>> = {
  u8: { size: 1, ld: load_u8, st: store_u8 }, i8: { size: 1, ld: load_i8, st: store_i8 },
  u16: { size: 2, ld: load_u16, st: store_u16 }, i16: { size: 2, ld: load_i16, st: store_i16 },
  u32: { size: 4, ld: load_u32, st: store_u32 }, i32: { size: 4, ld: load_i32, st: store_i32 },
  u64: { size: 8, ld: load_u64, st: store_u64 }, i64: { size: 8, ld: load_i64, st: store_i64 },
  ulong: { size: 8, ld: load_ulong, st: store_ulong }, long: { size: 8, ld: load_long, st: store_long },
  ptr: { size: 8, ld: load_ptr, st: store_ptr },
};

function sized(type: XchgType): (typeof SIZED)[XchgType] {
  const s = SIZED[type];
  if (s === undefined) throw new TypeError(`xchg/cmpxchg: no ${describe(type)} form; the widths are ${Object.keys(SIZED).join(', ')}`);
  return s;
}

function shownAs(type: XchgType, v: number | bigint): string {
  return type === 'ptr' && v !== 0 ? `0x${v.toString(16)}` : String(v);
}

/**
 * xchg(ptr, v), stepped: one step (`xchgl %eax, sym` on x86-64, `swpal` on
 * arm64, the C call on asm-generic) whose footprint is the object's bytes,
 * written. `op` is the C spelling (`xchg_relaxed`), `sym` the object as C
 * spells it (`*ptr`, `s->head`).
 */
export function* xchg_at<V extends number | bigint>(m: Machine, op: string, a: number, type: XchgType, v: V, sym: string): StepGen<V> {
  const s = sized(type);
  const step: MemStep = { asm: insnText(m, XCHG, s.size, sym, `${op}(&${sym}, ${shownAs(type, v)})`), addr: a, size: s.size, access: 'w' };
  yield step;
  const cur = exchange(s.ld as Load<V>, s.st as Store<V>, m, a, v, op);
  step.moved = `${shownAs(type, cur)} -> ${shownAs(type, s.ld(m, a))}`;
  return cur;
}

/**
 * cmpxchg(ptr, old, new), stepped: one step (`lock cmpxchgl %ecx, sym`,
 * arm64 `casal`, the C call on asm-generic), written whether or not it
 * matched (x86's locked cmpxchg writes either way). Returns what it found.
 */
export function* cmpxchg_at<V extends number | bigint>(m: Machine, op: string, a: number, type: XchgType, o: V, n: V, sym: string): StepGen<V> {
  const s = sized(type);
  const step: MemStep = { asm: insnText(m, CMPXCHG, s.size, sym, `${op}(&${sym}, ${shownAs(type, o)}, ${shownAs(type, n)})`), addr: a, size: s.size, access: 'w' };
  yield step;
  const cur = compareExchange(s.ld as Load<V>, s.st as Store<V>, m, a, o, n, op);
  step.moved = `${shownAs(type, cur)} -> ${shownAs(type, s.ld(m, a))}`;
  return cur;
}
