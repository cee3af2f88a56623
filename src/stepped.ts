/**
 * The stepped flavour of every primitive, public, under the same names as
 * the fast ones (`import { stepped } from 'percpu-ts'`, or the subpath
 * `import * as stepped from 'percpu-ts/stepped'`). A stepped op is a
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
 *
 * @module percpu-ts/stepped
 */
import type { Machine } from './machine.js';
import type { PerCpuPtr } from './percpu-ptr.js';
import type { StepGen } from './sched/step.js';
import type { IntName, SteppedOps } from './typed.js';
import type { ScalarName, ValueOf } from './types.js';
import { steppedMarked, type ScalarValue } from './kernel/atomic.js';
import type { KPtr } from './kptr.js';

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
/** percpu_counter (lib/percpu_counter.c), step by step, on the counters of percpu_counter_init(). */
export * from './lib/percpu-counter-stepped.js';

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

/** The atomic_t, atomic64_t and atomic_long_t ops, then local_t and local64_t, stepped (generated from templates/atomic/atomics.tbl and local.tbl). */
export * from '../generated/atomic-stepped.js';

/** READ_ONCE(*p), stepped: one step, the load. */
export function READ_ONCE<T>(m: Machine, p: KPtr<T>): StepGen<ScalarValue<T>> {
  return steppedMarked.READ_ONCE(m, p);
}

/** WRITE_ONCE(*p, val), stepped: one step, the store. */
export function WRITE_ONCE<T>(m: Machine, p: KPtr<T>, val: ScalarValue<T>): StepGen<void> {
  return steppedMarked.WRITE_ONCE(m, p, val);
}

/** smp_load_acquire(p), stepped: one step, the load (an acquire load on arm64: `ldar`). */
export function smp_load_acquire<T>(m: Machine, p: KPtr<T>): StepGen<ScalarValue<T>> {
  return steppedMarked.smp_load_acquire(m, p);
}

/** smp_store_release(p, val), stepped: one step, the store (a release store on arm64: `stlr`). */
export function smp_store_release<T>(m: Machine, p: KPtr<T>, val: ScalarValue<T>): StepGen<void> {
  return steppedMarked.smp_store_release(m, p, val);
}

/** xchg(p, new), stepped: one step that stores `nval` and returns the old value. */
export function xchg<T>(m: Machine, p: KPtr<T>, nval: ScalarValue<T>): StepGen<ScalarValue<T>> {
  return steppedMarked.xchg(m, p, nval);
}

/** cmpxchg(p, old, new), stepped: one step that stores `nval` if `*p == oval`; returns what `*p` was. */
export function cmpxchg<T>(m: Machine, p: KPtr<T>, oval: ScalarValue<T>, nval: ScalarValue<T>): StepGen<ScalarValue<T>> {
  return steppedMarked.cmpxchg(m, p, oval, nval);
}

/** try_cmpxchg(p, &old, new), stepped: one step; true if it stored, else `oldp.value` becomes what `*p` was. */
export function try_cmpxchg<T>(m: Machine, p: KPtr<T>, oldp: { value: ScalarValue<T> }, nval: ScalarValue<T>): StepGen<boolean> {
  return steppedMarked.try_cmpxchg(m, p, oldp, nval);
}

/**
 * smp_cond_load_relaxed(ptr, cond), stepped: one load step that the scheduler runs only once
 * `cond(*p)` holds (the reads that fail the condition change nothing and are not steps); returns the value.
 */
export function smp_cond_load_relaxed<T>(m: Machine, p: KPtr<T>, cond: (val: ScalarValue<T>) => boolean): StepGen<ScalarValue<T>> {
  return steppedMarked.smp_cond_load_relaxed(m, p, cond);
}

/** smp_cond_load_acquire(ptr, cond), stepped: as smp_cond_load_relaxed(), the load an acquire load (`ldar` on arm64). */
export function smp_cond_load_acquire<T>(m: Machine, p: KPtr<T>, cond: (val: ScalarValue<T>) => boolean): StepGen<ScalarValue<T>> {
  return steppedMarked.smp_cond_load_acquire(m, p, cond);
}

// The barriers are no instruction under sequential consistency, so their stepped forms yield no step.

/** smp_mb(), stepped: no step; memory here is sequentially consistent. */
export function* smp_mb(): StepGen<void> {}

/** smp_rmb(), stepped: no step. */
export function* smp_rmb(): StepGen<void> {}

/** smp_wmb(), stepped: no step. */
export function* smp_wmb(): StepGen<void> {}

/** barrier(), stepped: no step; the simulation does not reorder. */
export function* barrier(): StepGen<void> {}

/** smp_mb__before_atomic(), stepped: no step. */
export function* smp_mb__before_atomic(): StepGen<void> {}

/** smp_mb__after_atomic(), stepped: no step. */
export function* smp_mb__after_atomic(): StepGen<void> {}
