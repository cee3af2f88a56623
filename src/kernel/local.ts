/**
 * local_t and local64_t (include/asm-generic/local.h, arch/x86/include/asm/local.h,
 * include/asm-generic/local64.h; Linux v6.16): a long that only its own CPU
 * updates, atomically against that CPU's interrupts but not against other
 * CPUs. `local_t` is `{ atomic_long_t a; }`; local64_t is `{ local_t a; }`
 * on 64-bit.
 *
 * asm-generic (arm64) defines every op as the atomic_long_t op on `&l->a`;
 * x86 writes them without the lock prefix (`incq`, `xaddq`, `cmpxchgq`): on
 * one CPU an instruction cannot be split by an interrupt, and no lock is
 * needed when no other CPU writes. Both are one instruction, one step here,
 * whose footprint is the counter's 8 bytes; on x86 the trace shows the
 * unlocked instruction. Sequential consistency makes the two the same op.
 *
 * The pointer is a local_t * (a KPtr): usually one CPU's copy of a per-CPU
 * variable, `local_inc(this_cpu_ptr(&events))` →
 * `local_inc(m, this_cpu_kptr(m, events))`. Values are bigints (a long).
 */
import { checkKPtr, kptr_member, type KPtr } from '../kptr.js';
import type { Machine } from '../machine.js';
import type { Step, StepGen } from '../sched/step.js';
import * as atomic from '../../generated/atomic.js';
import * as steppedAtomics from '../../generated/atomic-stepped.js';

/** The `atomic_long_t` inside a local_t / local64_t, made once per pointer. */
const INNER = new WeakMap<KPtr<unknown>, KPtr<unknown>>();

function inner(m: Machine, l: unknown, type: 'local_t' | 'local64_t', name: string): KPtr<unknown> {
  if (l !== null && typeof l === 'object' && typeof (l as { off?: unknown }).off === 'number') {
    throw new TypeError(`${name}: ${(l as { sym?: string }).sym ?? 'the argument'} is a __percpu pointer; pass one CPU's ${type}: this_cpu_kptr() of it (sparse: incorrect type in argument, different address spaces)`);
  }
  const p = checkKPtr(l, name);
  if (p.ctype.name !== type) throw new TypeError(`${name}: l must point to a ${type}; ${p.sym} is a ${p.ctype.name}`);
  let a = INNER.get(p);
  if (a === undefined) {
    a = kptr_member(m, p, type === 'local_t' ? 'a' : 'a.a');
    INNER.set(p, a);
  }
  return a;
}

/** The atomic_long op's refusal, in the local op's name. */
function renamed(e: unknown, name: string): unknown {
  if (e instanceof TypeError || e instanceof RangeError) {
    const E = e.constructor as new (msg: string) => Error;
    return new E(e.message.replace(/^atomic_long_\w+/, name));
  }
  return e;
}

type Family = 'local' | 'local64';

/** How each op calls its atomic_long_t op: the arguments in the kernel's order, `l` replaced by `&l->a`. */
const OPS: Record<string, { readonly atomic: string; readonly at: number }> = {
  read: { atomic: 'read', at: 0 },
  set: { atomic: 'set', at: 0 },
  inc: { atomic: 'inc', at: 0 },
  dec: { atomic: 'dec', at: 0 },
  add: { atomic: 'add', at: 1 },
  sub: { atomic: 'sub', at: 1 },
  sub_and_test: { atomic: 'sub_and_test', at: 1 },
  dec_and_test: { atomic: 'dec_and_test', at: 0 },
  inc_and_test: { atomic: 'inc_and_test', at: 0 },
  add_negative: { atomic: 'add_negative', at: 1 },
  add_return: { atomic: 'add_return', at: 1 },
  sub_return: { atomic: 'sub_return', at: 1 },
  inc_return: { atomic: 'inc_return', at: 0 },
  dec_return: { atomic: 'dec_return', at: 0 },
  cmpxchg: { atomic: 'cmpxchg', at: 0 },
  try_cmpxchg: { atomic: 'try_cmpxchg', at: 0 },
  xchg: { atomic: 'xchg', at: 0 },
  add_unless: { atomic: 'add_unless', at: 0 },
  inc_not_zero: { atomic: 'inc_not_zero', at: 0 },
};

/** local64_t has the arithmetic, exchange and read/set ops (include/asm-generic/local64.h). */
const LOCAL64 = ['read', 'set', 'inc', 'dec', 'add', 'sub', 'add_return', 'sub_return', 'inc_return', 'dec_return', 'cmpxchg', 'try_cmpxchg', 'xchg', 'add_unless', 'inc_not_zero'];

function fastOp(family: Family, op: string): (m: Machine, ...args: unknown[]) => unknown {
  const { atomic: a, at } = OPS[op]!;
  const name = `${family}_${op}`;
  const fn = (atomic as unknown as Record<string, (m: Machine, ...x: unknown[]) => unknown>)[`atomic_long_${a}`]!;
  return (m, ...args) => {
    const argv = [...args];
    argv[at] = inner(m, args[at], family === 'local' ? 'local_t' : 'local64_t', name);
    try {
      return fn(m, ...argv);
    } catch (e) {
      throw renamed(e, name);
    }
  };
}

function steppedOp(family: Family, op: string): (m: Machine, ...args: unknown[]) => StepGen<unknown> {
  const { atomic: a, at } = OPS[op]!;
  const name = `${family}_${op}`;
  const fn = (steppedAtomics as unknown as Record<string, (m: Machine, ...x: unknown[]) => StepGen<unknown>>)[`atomic_long_${a}`]!;
  return function* (m, ...args) {
    const argv = [...args];
    argv[at] = inner(m, args[at], family === 'local' ? 'local_t' : 'local64_t', name);
    const gen = fn(m, ...argv);
    let r: IteratorResult<Step, unknown>;
    try {
      r = gen.next();
    } catch (e) {
      throw renamed(e, name);
    }
    while (r.done !== true) {
      // x86's local ops are the same instructions without the lock prefix.
      if (m.arch === 'x86_64') (r.value as { asm: string }).asm = r.value.asm.replace(/^lock /, '');
      yield r.value;
      r = gen.next();
    }
    return r.value;
  };
}

function table(family: Family, make: typeof fastOp | typeof steppedOp, ops: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const op of ops) out[`${family}_${op}`] = make(family, op);
  return out;
}

const fast = { ...table('local', fastOp, Object.keys(OPS)), ...table('local64', fastOp, LOCAL64) } as Record<string, (m: Machine, ...a: unknown[]) => unknown>;
const step = { ...table('local', steppedOp, Object.keys(OPS)), ...table('local64', steppedOp, LOCAL64) } as Record<string, (m: Machine, ...a: unknown[]) => StepGen<unknown>>;

type L = KPtr<unknown>;
type Old = { value: bigint };

/** local_read(l): the value (atomic_long_read(&l->a)). */
export const local_read = fast.local_read as (m: Machine, l: L) => bigint;
/** local_set(l, i). */
export const local_set = fast.local_set as (m: Machine, l: L, i: bigint) => void;
/** local_inc(l): `incq` on x86. */
export const local_inc = fast.local_inc as (m: Machine, l: L) => void;
/** local_dec(l). */
export const local_dec = fast.local_dec as (m: Machine, l: L) => void;
/** local_add(i, l). */
export const local_add = fast.local_add as (m: Machine, i: bigint, l: L) => void;
/** local_sub(i, l). */
export const local_sub = fast.local_sub as (m: Machine, i: bigint, l: L) => void;
/** local_sub_and_test(i, l): true when the result is 0. */
export const local_sub_and_test = fast.local_sub_and_test as (m: Machine, i: bigint, l: L) => boolean;
/** local_dec_and_test(l). */
export const local_dec_and_test = fast.local_dec_and_test as (m: Machine, l: L) => boolean;
/** local_inc_and_test(l). */
export const local_inc_and_test = fast.local_inc_and_test as (m: Machine, l: L) => boolean;
/** local_add_negative(i, l): true when the result is negative. */
export const local_add_negative = fast.local_add_negative as (m: Machine, i: bigint, l: L) => boolean;
/** local_add_return(i, l): the new value (`xaddq` on x86). */
export const local_add_return = fast.local_add_return as (m: Machine, i: bigint, l: L) => bigint;
/** local_sub_return(i, l). */
export const local_sub_return = fast.local_sub_return as (m: Machine, i: bigint, l: L) => bigint;
/** local_inc_return(l). */
export const local_inc_return = fast.local_inc_return as (m: Machine, l: L) => bigint;
/** local_dec_return(l). */
export const local_dec_return = fast.local_dec_return as (m: Machine, l: L) => bigint;
/** local_cmpxchg(l, old, new): what `*l` was (`cmpxchgq` without lock on x86). */
export const local_cmpxchg = fast.local_cmpxchg as (m: Machine, l: L, old: bigint, nval: bigint) => bigint;
/** local_try_cmpxchg(l, &old, new): true if it stored; else old.value becomes what `*l` was. */
export const local_try_cmpxchg = fast.local_try_cmpxchg as (m: Machine, l: L, oldp: Old, nval: bigint) => boolean;
/** local_xchg(l, new): the old value. */
export const local_xchg = fast.local_xchg as (m: Machine, l: L, nval: bigint) => bigint;
/** local_add_unless(l, a, u): adds a unless the value is u; true if it added. */
export const local_add_unless = fast.local_add_unless as (m: Machine, l: L, a: bigint, u: bigint) => boolean;
/** local_inc_not_zero(l). */
export const local_inc_not_zero = fast.local_inc_not_zero as (m: Machine, l: L) => boolean;

/** local64_read(l): local_read(&l->a). */
export const local64_read = fast.local64_read as (m: Machine, l: L) => bigint;
/** local64_set: local_set on `&l->a`. */
export const local64_set = fast.local64_set as (m: Machine, l: L, i: bigint) => void;
/** local64_inc: local_inc on `&l->a`. */
export const local64_inc = fast.local64_inc as (m: Machine, l: L) => void;
/** local64_dec: local_dec on `&l->a`. */
export const local64_dec = fast.local64_dec as (m: Machine, l: L) => void;
/** local64_add: local_add on `&l->a`. */
export const local64_add = fast.local64_add as (m: Machine, i: bigint, l: L) => void;
/** local64_sub: local_sub on `&l->a`. */
export const local64_sub = fast.local64_sub as (m: Machine, i: bigint, l: L) => void;
/** local64_add_return: local_add_return on `&l->a`. */
export const local64_add_return = fast.local64_add_return as (m: Machine, i: bigint, l: L) => bigint;
/** local64_sub_return: local_sub_return on `&l->a`. */
export const local64_sub_return = fast.local64_sub_return as (m: Machine, i: bigint, l: L) => bigint;
/** local64_inc_return: local_inc_return on `&l->a`. */
export const local64_inc_return = fast.local64_inc_return as (m: Machine, l: L) => bigint;
/** local64_dec_return: local_dec_return on `&l->a`. */
export const local64_dec_return = fast.local64_dec_return as (m: Machine, l: L) => bigint;
/** local64_cmpxchg: local_cmpxchg on `&l->a`. */
export const local64_cmpxchg = fast.local64_cmpxchg as (m: Machine, l: L, old: bigint, nval: bigint) => bigint;
/** local64_try_cmpxchg: local_try_cmpxchg on `&l->a`. */
export const local64_try_cmpxchg = fast.local64_try_cmpxchg as (m: Machine, l: L, oldp: Old, nval: bigint) => boolean;
/** local64_xchg: local_xchg on `&l->a`. */
export const local64_xchg = fast.local64_xchg as (m: Machine, l: L, nval: bigint) => bigint;
/** local64_add_unless: local_add_unless on `&l->a`. */
export const local64_add_unless = fast.local64_add_unless as (m: Machine, l: L, a: bigint, u: bigint) => boolean;
/** local64_inc_not_zero: local_inc_not_zero on `&l->a`. */
export const local64_inc_not_zero = fast.local64_inc_not_zero as (m: Machine, l: L) => boolean;

/** The stepped forms, for src/stepped.ts: the same names, one step each. */
export const steppedLocal = step as {
  local_read(m: Machine, l: L): StepGen<bigint>;
  local_set(m: Machine, l: L, i: bigint): StepGen<void>;
  local_inc(m: Machine, l: L): StepGen<void>;
  local_dec(m: Machine, l: L): StepGen<void>;
  local_add(m: Machine, i: bigint, l: L): StepGen<void>;
  local_sub(m: Machine, i: bigint, l: L): StepGen<void>;
  local_sub_and_test(m: Machine, i: bigint, l: L): StepGen<boolean>;
  local_dec_and_test(m: Machine, l: L): StepGen<boolean>;
  local_inc_and_test(m: Machine, l: L): StepGen<boolean>;
  local_add_negative(m: Machine, i: bigint, l: L): StepGen<boolean>;
  local_add_return(m: Machine, i: bigint, l: L): StepGen<bigint>;
  local_sub_return(m: Machine, i: bigint, l: L): StepGen<bigint>;
  local_inc_return(m: Machine, l: L): StepGen<bigint>;
  local_dec_return(m: Machine, l: L): StepGen<bigint>;
  local_cmpxchg(m: Machine, l: L, old: bigint, nval: bigint): StepGen<bigint>;
  local_try_cmpxchg(m: Machine, l: L, oldp: Old, nval: bigint): StepGen<boolean>;
  local_xchg(m: Machine, l: L, nval: bigint): StepGen<bigint>;
  local_add_unless(m: Machine, l: L, a: bigint, u: bigint): StepGen<boolean>;
  local_inc_not_zero(m: Machine, l: L): StepGen<boolean>;
  local64_read(m: Machine, l: L): StepGen<bigint>;
  local64_set(m: Machine, l: L, i: bigint): StepGen<void>;
  local64_inc(m: Machine, l: L): StepGen<void>;
  local64_dec(m: Machine, l: L): StepGen<void>;
  local64_add(m: Machine, i: bigint, l: L): StepGen<void>;
  local64_sub(m: Machine, i: bigint, l: L): StepGen<void>;
  local64_add_return(m: Machine, i: bigint, l: L): StepGen<bigint>;
  local64_sub_return(m: Machine, i: bigint, l: L): StepGen<bigint>;
  local64_inc_return(m: Machine, l: L): StepGen<bigint>;
  local64_dec_return(m: Machine, l: L): StepGen<bigint>;
  local64_cmpxchg(m: Machine, l: L, old: bigint, nval: bigint): StepGen<bigint>;
  local64_try_cmpxchg(m: Machine, l: L, oldp: Old, nval: bigint): StepGen<boolean>;
  local64_xchg(m: Machine, l: L, nval: bigint): StepGen<bigint>;
  local64_add_unless(m: Machine, l: L, a: bigint, u: bigint): StepGen<boolean>;
  local64_inc_not_zero(m: Machine, l: L): StepGen<boolean>;
};

