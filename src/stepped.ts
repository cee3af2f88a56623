/**
 * The stepped flavour of every primitive, public, under the same names as
 * the fast ones (`import { stepped } from 'percpu-ts'`). A stepped op is a
 * generator a scheduler task runs with `yield*`: it yields one step before
 * each instruction (src/sched/step.ts: the step names what it touches before
 * it runs), so the explorer can preempt, migrate or interrupt between any two
 * instructions and never inside one.
 *
 *   yield* stepped.this_cpu_add(m, p, 5)        size-generic: width, sign and the machine's
 *                                                architecture from p's op table, bound when p was made
 *   yield* stepped.this_cpu_add_4(m, p, 5)      the generated x86-64 op (arm64_ops./generic_ops. for the others)
 *   yield* stepped.atomic_inc(m, v)             ordinary memory: one locked instruction, one step
 *   yield* stepped.READ_ONCE(m, p)              one load; stepped.load/store(m, addr, type) for a plain address
 *
 * Steps carry the operand by name (`incl %gs:hits`, `lock incl nr`) and,
 * once run, the value they moved (`moved: '3 -> 4'`) for traces.
 */
import type { Machine } from './machine.js';
import type { PerCpuPtr } from './percpu-ptr.js';
import type { StepGen } from './sched/step.js';
import type { IntName, SteppedOps } from './typed.js';
import type { ScalarName, ValueOf } from './types.js';
import { steppedAtomics } from './kernel/atomic.js';

/** The generated x86-64 stepped ops (`this_cpu_add_4` …), as the fast ones are at the top level. */
export * from '../generated/x86_64/percpu-stepped.js';
/** The same ops generated for arm64 and asm-generic. */
export * as arm64_ops from '../generated/arm64/percpu-stepped.js';
export * as generic_ops from '../generated/generic/percpu-stepped.js';
/** Plain loads and stores through an address, a register-only instruction, and a one-step call. */
export { load, store, reg, atomic } from './sched/step.js';
/** Locks and u64_stats (src/kernel/locking/, src/lib/). */
export * from './kernel/locking/stepped.js';
export * from './lib/u64-stats-sync-stepped.js';

// ---------------------------------------------------------------- the size-generic typed layer


/** raw_cpu_read, stepped: raw_cpu_read_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function raw_cpu_read<T extends ScalarName>(m: Machine, pcp: PerCpuPtr<T>): StepGen<ValueOf<T>> {
  return (pcp.ops as SteppedOps).stepped.raw_cpu_read(m, pcp);
}

/** raw_cpu_write, stepped: raw_cpu_write_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function raw_cpu_write<T extends ScalarName>(m: Machine, pcp: PerCpuPtr<T>, val: ValueOf<T>): StepGen<void> {
  return (pcp.ops as SteppedOps).stepped.raw_cpu_write(m, pcp, val);
}

/** raw_cpu_add, stepped: raw_cpu_add_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function raw_cpu_add<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>, val: ValueOf<T>): StepGen<void> {
  return (pcp.ops as SteppedOps).stepped.raw_cpu_add(m, pcp, val);
}

/** raw_cpu_and, stepped: raw_cpu_and_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function raw_cpu_and<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>, val: ValueOf<T>): StepGen<void> {
  return (pcp.ops as SteppedOps).stepped.raw_cpu_and(m, pcp, val);
}

/** raw_cpu_or, stepped: raw_cpu_or_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function raw_cpu_or<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>, val: ValueOf<T>): StepGen<void> {
  return (pcp.ops as SteppedOps).stepped.raw_cpu_or(m, pcp, val);
}

/** raw_cpu_add_return, stepped: raw_cpu_add_return_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function raw_cpu_add_return<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>, val: ValueOf<T>): StepGen<ValueOf<T>> {
  return (pcp.ops as SteppedOps).stepped.raw_cpu_add_return(m, pcp, val);
}

/** raw_cpu_xchg, stepped: raw_cpu_xchg_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function raw_cpu_xchg<T extends ScalarName>(m: Machine, pcp: PerCpuPtr<T>, nval: ValueOf<T>): StepGen<ValueOf<T>> {
  return (pcp.ops as SteppedOps).stepped.raw_cpu_xchg(m, pcp, nval);
}

/** raw_cpu_cmpxchg, stepped: raw_cpu_cmpxchg_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function raw_cpu_cmpxchg<T extends ScalarName>(m: Machine, pcp: PerCpuPtr<T>, oval: ValueOf<T>, nval: ValueOf<T>): StepGen<ValueOf<T>> {
  return (pcp.ops as SteppedOps).stepped.raw_cpu_cmpxchg(m, pcp, oval, nval);
}

/** raw_cpu_try_cmpxchg, stepped: raw_cpu_try_cmpxchg_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function raw_cpu_try_cmpxchg<T extends ScalarName>(m: Machine, pcp: PerCpuPtr<T>, ovalp: { value: ValueOf<T> }, nval: ValueOf<T>): StepGen<boolean> {
  return (pcp.ops as SteppedOps).stepped.raw_cpu_try_cmpxchg(m, pcp, ovalp, nval);
}

/** this_cpu_read, stepped: this_cpu_read_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function this_cpu_read<T extends ScalarName>(m: Machine, pcp: PerCpuPtr<T>): StepGen<ValueOf<T>> {
  return (pcp.ops as SteppedOps).stepped.this_cpu_read(m, pcp);
}

/** this_cpu_write, stepped: this_cpu_write_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function this_cpu_write<T extends ScalarName>(m: Machine, pcp: PerCpuPtr<T>, val: ValueOf<T>): StepGen<void> {
  return (pcp.ops as SteppedOps).stepped.this_cpu_write(m, pcp, val);
}

/** this_cpu_add, stepped: this_cpu_add_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function this_cpu_add<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>, val: ValueOf<T>): StepGen<void> {
  return (pcp.ops as SteppedOps).stepped.this_cpu_add(m, pcp, val);
}

/** this_cpu_and, stepped: this_cpu_and_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function this_cpu_and<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>, val: ValueOf<T>): StepGen<void> {
  return (pcp.ops as SteppedOps).stepped.this_cpu_and(m, pcp, val);
}

/** this_cpu_or, stepped: this_cpu_or_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function this_cpu_or<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>, val: ValueOf<T>): StepGen<void> {
  return (pcp.ops as SteppedOps).stepped.this_cpu_or(m, pcp, val);
}

/** this_cpu_add_return, stepped: this_cpu_add_return_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function this_cpu_add_return<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>, val: ValueOf<T>): StepGen<ValueOf<T>> {
  return (pcp.ops as SteppedOps).stepped.this_cpu_add_return(m, pcp, val);
}

/** this_cpu_xchg, stepped: this_cpu_xchg_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function this_cpu_xchg<T extends ScalarName>(m: Machine, pcp: PerCpuPtr<T>, nval: ValueOf<T>): StepGen<ValueOf<T>> {
  return (pcp.ops as SteppedOps).stepped.this_cpu_xchg(m, pcp, nval);
}

/** this_cpu_cmpxchg, stepped: this_cpu_cmpxchg_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function this_cpu_cmpxchg<T extends ScalarName>(m: Machine, pcp: PerCpuPtr<T>, oval: ValueOf<T>, nval: ValueOf<T>): StepGen<ValueOf<T>> {
  return (pcp.ops as SteppedOps).stepped.this_cpu_cmpxchg(m, pcp, oval, nval);
}

/** this_cpu_try_cmpxchg, stepped: this_cpu_try_cmpxchg_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function this_cpu_try_cmpxchg<T extends ScalarName>(m: Machine, pcp: PerCpuPtr<T>, ovalp: { value: ValueOf<T> }, nval: ValueOf<T>): StepGen<boolean> {
  return (pcp.ops as SteppedOps).stepped.this_cpu_try_cmpxchg(m, pcp, ovalp, nval);
}

/** raw_cpu_sub, stepped: raw_cpu_sub_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function raw_cpu_sub<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>, val: ValueOf<T>): StepGen<void> {
  return (pcp.ops as SteppedOps).stepped.raw_cpu_sub(m, pcp, val);
}

/** raw_cpu_inc, stepped: raw_cpu_inc_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function raw_cpu_inc<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>): StepGen<void> {
  return (pcp.ops as SteppedOps).stepped.raw_cpu_inc(m, pcp);
}

/** raw_cpu_dec, stepped: raw_cpu_dec_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function raw_cpu_dec<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>): StepGen<void> {
  return (pcp.ops as SteppedOps).stepped.raw_cpu_dec(m, pcp);
}

/** raw_cpu_sub_return, stepped: raw_cpu_sub_return_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function raw_cpu_sub_return<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>, val: ValueOf<T>): StepGen<ValueOf<T>> {
  return (pcp.ops as SteppedOps).stepped.raw_cpu_sub_return(m, pcp, val);
}

/** raw_cpu_inc_return, stepped: raw_cpu_inc_return_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function raw_cpu_inc_return<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>): StepGen<ValueOf<T>> {
  return (pcp.ops as SteppedOps).stepped.raw_cpu_inc_return(m, pcp);
}

/** raw_cpu_dec_return, stepped: raw_cpu_dec_return_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function raw_cpu_dec_return<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>): StepGen<ValueOf<T>> {
  return (pcp.ops as SteppedOps).stepped.raw_cpu_dec_return(m, pcp);
}

/** __this_cpu_read, stepped: __this_cpu_read_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function __this_cpu_read<T extends ScalarName>(m: Machine, pcp: PerCpuPtr<T>): StepGen<ValueOf<T>> {
  return (pcp.ops as SteppedOps).stepped.__this_cpu_read(m, pcp);
}

/** __this_cpu_write, stepped: __this_cpu_write_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function __this_cpu_write<T extends ScalarName>(m: Machine, pcp: PerCpuPtr<T>, val: ValueOf<T>): StepGen<void> {
  return (pcp.ops as SteppedOps).stepped.__this_cpu_write(m, pcp, val);
}

/** __this_cpu_add, stepped: __this_cpu_add_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function __this_cpu_add<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>, val: ValueOf<T>): StepGen<void> {
  return (pcp.ops as SteppedOps).stepped.__this_cpu_add(m, pcp, val);
}

/** __this_cpu_and, stepped: __this_cpu_and_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function __this_cpu_and<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>, val: ValueOf<T>): StepGen<void> {
  return (pcp.ops as SteppedOps).stepped.__this_cpu_and(m, pcp, val);
}

/** __this_cpu_or, stepped: __this_cpu_or_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function __this_cpu_or<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>, val: ValueOf<T>): StepGen<void> {
  return (pcp.ops as SteppedOps).stepped.__this_cpu_or(m, pcp, val);
}

/** __this_cpu_add_return, stepped: __this_cpu_add_return_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function __this_cpu_add_return<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>, val: ValueOf<T>): StepGen<ValueOf<T>> {
  return (pcp.ops as SteppedOps).stepped.__this_cpu_add_return(m, pcp, val);
}

/** __this_cpu_xchg, stepped: __this_cpu_xchg_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function __this_cpu_xchg<T extends ScalarName>(m: Machine, pcp: PerCpuPtr<T>, nval: ValueOf<T>): StepGen<ValueOf<T>> {
  return (pcp.ops as SteppedOps).stepped.__this_cpu_xchg(m, pcp, nval);
}

/** __this_cpu_cmpxchg, stepped: __this_cpu_cmpxchg_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function __this_cpu_cmpxchg<T extends ScalarName>(m: Machine, pcp: PerCpuPtr<T>, oval: ValueOf<T>, nval: ValueOf<T>): StepGen<ValueOf<T>> {
  return (pcp.ops as SteppedOps).stepped.__this_cpu_cmpxchg(m, pcp, oval, nval);
}

/** __this_cpu_try_cmpxchg, stepped: __this_cpu_try_cmpxchg_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function __this_cpu_try_cmpxchg<T extends ScalarName>(m: Machine, pcp: PerCpuPtr<T>, ovalp: { value: ValueOf<T> }, nval: ValueOf<T>): StepGen<boolean> {
  return (pcp.ops as SteppedOps).stepped.__this_cpu_try_cmpxchg(m, pcp, ovalp, nval);
}

/** __this_cpu_sub, stepped: __this_cpu_sub_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function __this_cpu_sub<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>, val: ValueOf<T>): StepGen<void> {
  return (pcp.ops as SteppedOps).stepped.__this_cpu_sub(m, pcp, val);
}

/** __this_cpu_inc, stepped: __this_cpu_inc_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function __this_cpu_inc<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>): StepGen<void> {
  return (pcp.ops as SteppedOps).stepped.__this_cpu_inc(m, pcp);
}

/** __this_cpu_dec, stepped: __this_cpu_dec_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function __this_cpu_dec<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>): StepGen<void> {
  return (pcp.ops as SteppedOps).stepped.__this_cpu_dec(m, pcp);
}

/** __this_cpu_sub_return, stepped: __this_cpu_sub_return_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function __this_cpu_sub_return<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>, val: ValueOf<T>): StepGen<ValueOf<T>> {
  return (pcp.ops as SteppedOps).stepped.__this_cpu_sub_return(m, pcp, val);
}

/** __this_cpu_inc_return, stepped: __this_cpu_inc_return_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function __this_cpu_inc_return<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>): StepGen<ValueOf<T>> {
  return (pcp.ops as SteppedOps).stepped.__this_cpu_inc_return(m, pcp);
}

/** __this_cpu_dec_return, stepped: __this_cpu_dec_return_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function __this_cpu_dec_return<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>): StepGen<ValueOf<T>> {
  return (pcp.ops as SteppedOps).stepped.__this_cpu_dec_return(m, pcp);
}

/** this_cpu_sub, stepped: this_cpu_sub_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function this_cpu_sub<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>, val: ValueOf<T>): StepGen<void> {
  return (pcp.ops as SteppedOps).stepped.this_cpu_sub(m, pcp, val);
}

/** this_cpu_inc, stepped: this_cpu_inc_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function this_cpu_inc<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>): StepGen<void> {
  return (pcp.ops as SteppedOps).stepped.this_cpu_inc(m, pcp);
}

/** this_cpu_dec, stepped: this_cpu_dec_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function this_cpu_dec<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>): StepGen<void> {
  return (pcp.ops as SteppedOps).stepped.this_cpu_dec(m, pcp);
}

/** this_cpu_sub_return, stepped: this_cpu_sub_return_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function this_cpu_sub_return<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>, val: ValueOf<T>): StepGen<ValueOf<T>> {
  return (pcp.ops as SteppedOps).stepped.this_cpu_sub_return(m, pcp, val);
}

/** this_cpu_inc_return, stepped: this_cpu_inc_return_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function this_cpu_inc_return<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>): StepGen<ValueOf<T>> {
  return (pcp.ops as SteppedOps).stepped.this_cpu_inc_return(m, pcp);
}

/** this_cpu_dec_return, stepped: this_cpu_dec_return_1/_2/_4/_8 of pcp's width and the machine's architecture, bound when pcp was made. */
export function this_cpu_dec_return<T extends IntName>(m: Machine, pcp: PerCpuPtr<T>): StepGen<ValueOf<T>> {
  return (pcp.ops as SteppedOps).stepped.this_cpu_dec_return(m, pcp);
}


// ---------------------------------------------------------------- ordinary memory: marked accesses, barriers, atomics

export const {
  READ_ONCE, WRITE_ONCE, smp_load_acquire, smp_store_release, xchg, cmpxchg, try_cmpxchg, smp_cond_load_relaxed, smp_cond_load_acquire,
  smp_mb, smp_rmb, smp_wmb, barrier, smp_mb__before_atomic, smp_mb__after_atomic,
} = steppedAtomics;

export const {
  atomic_read, atomic_read_acquire, atomic_set, atomic_set_release, atomic_add, atomic_sub, atomic_and, atomic_or,
  atomic_xor, atomic_andnot, atomic_add_return, atomic_sub_return, atomic_fetch_add, atomic_fetch_sub,
  atomic_fetch_and, atomic_fetch_or, atomic_fetch_xor, atomic_fetch_andnot, atomic_inc, atomic_dec,
  atomic_inc_return, atomic_dec_return, atomic_fetch_inc, atomic_fetch_dec, atomic_xchg, atomic_cmpxchg,
  atomic_try_cmpxchg, atomic_sub_and_test, atomic_dec_and_test, atomic_inc_and_test, atomic_add_negative,
  atomic_add_unless, atomic_fetch_add_unless, atomic_inc_not_zero, atomic_inc_unless_negative,
  atomic_dec_unless_positive, atomic_dec_if_positive, atomic_add_return_acquire, atomic_add_return_release,
  atomic_add_return_relaxed, atomic_sub_return_acquire, atomic_sub_return_release, atomic_sub_return_relaxed,
  atomic_inc_return_acquire, atomic_inc_return_release, atomic_inc_return_relaxed, atomic_dec_return_acquire,
  atomic_dec_return_release, atomic_dec_return_relaxed, atomic_fetch_add_acquire, atomic_fetch_add_release,
  atomic_fetch_add_relaxed, atomic_fetch_sub_acquire, atomic_fetch_sub_release, atomic_fetch_sub_relaxed,
  atomic_fetch_inc_acquire, atomic_fetch_inc_release, atomic_fetch_inc_relaxed, atomic_fetch_dec_acquire,
  atomic_fetch_dec_release, atomic_fetch_dec_relaxed, atomic_fetch_and_acquire, atomic_fetch_and_release,
  atomic_fetch_and_relaxed, atomic_fetch_or_acquire, atomic_fetch_or_release, atomic_fetch_or_relaxed,
  atomic_fetch_xor_acquire, atomic_fetch_xor_release, atomic_fetch_xor_relaxed, atomic_fetch_andnot_acquire,
  atomic_fetch_andnot_release, atomic_fetch_andnot_relaxed, atomic_xchg_acquire, atomic_xchg_release,
  atomic_xchg_relaxed, atomic_cmpxchg_acquire, atomic_cmpxchg_release, atomic_cmpxchg_relaxed,
  atomic_try_cmpxchg_acquire, atomic_try_cmpxchg_release, atomic_try_cmpxchg_relaxed, atomic64_read,
  atomic64_read_acquire, atomic64_set, atomic64_set_release, atomic64_add, atomic64_sub, atomic64_and, atomic64_or,
  atomic64_xor, atomic64_andnot, atomic64_add_return, atomic64_sub_return, atomic64_fetch_add, atomic64_fetch_sub,
  atomic64_fetch_and, atomic64_fetch_or, atomic64_fetch_xor, atomic64_fetch_andnot, atomic64_inc, atomic64_dec,
  atomic64_inc_return, atomic64_dec_return, atomic64_fetch_inc, atomic64_fetch_dec, atomic64_xchg, atomic64_cmpxchg,
  atomic64_try_cmpxchg, atomic64_sub_and_test, atomic64_dec_and_test, atomic64_inc_and_test, atomic64_add_negative,
  atomic64_add_unless, atomic64_fetch_add_unless, atomic64_inc_not_zero, atomic64_inc_unless_negative,
  atomic64_dec_unless_positive, atomic64_dec_if_positive, atomic64_add_return_acquire, atomic64_add_return_release,
  atomic64_add_return_relaxed, atomic64_sub_return_acquire, atomic64_sub_return_release, atomic64_sub_return_relaxed,
  atomic64_inc_return_acquire, atomic64_inc_return_release, atomic64_inc_return_relaxed, atomic64_dec_return_acquire,
  atomic64_dec_return_release, atomic64_dec_return_relaxed, atomic64_fetch_add_acquire, atomic64_fetch_add_release,
  atomic64_fetch_add_relaxed, atomic64_fetch_sub_acquire, atomic64_fetch_sub_release, atomic64_fetch_sub_relaxed,
  atomic64_fetch_inc_acquire, atomic64_fetch_inc_release, atomic64_fetch_inc_relaxed, atomic64_fetch_dec_acquire,
  atomic64_fetch_dec_release, atomic64_fetch_dec_relaxed, atomic64_fetch_and_acquire, atomic64_fetch_and_release,
  atomic64_fetch_and_relaxed, atomic64_fetch_or_acquire, atomic64_fetch_or_release, atomic64_fetch_or_relaxed,
  atomic64_fetch_xor_acquire, atomic64_fetch_xor_release, atomic64_fetch_xor_relaxed, atomic64_fetch_andnot_acquire,
  atomic64_fetch_andnot_release, atomic64_fetch_andnot_relaxed, atomic64_xchg_acquire, atomic64_xchg_release,
  atomic64_xchg_relaxed, atomic64_cmpxchg_acquire, atomic64_cmpxchg_release, atomic64_cmpxchg_relaxed,
  atomic64_try_cmpxchg_acquire, atomic64_try_cmpxchg_release, atomic64_try_cmpxchg_relaxed, atomic_long_read,
  atomic_long_read_acquire, atomic_long_set, atomic_long_set_release, atomic_long_add, atomic_long_sub,
  atomic_long_and, atomic_long_or, atomic_long_xor, atomic_long_andnot, atomic_long_add_return,
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
} = steppedAtomics;
