/**
 * percpu-ts: Linux per-CPU variables on a simulated gs-addressed machine.
 *
 *   import { Machine, DEFINE_PER_CPU, this_cpu_add_4, per_cpu } from 'percpu-ts';
 *
 * The sized ops (`this_cpu_add_4`, `raw_cpu_cmpxchg_8`, …) are generated from
 * the C tables in templates/; everything else is the hand-written runtime.
 *
 * @module percpu-ts
 */
export * from './types.js';
export {
  ctypes, kernelScope, kernelType, TypeScope, memberRef, offsetof, sizeof, alignof, formatLayout, cDefinition, declarator,
  intType, pointer, array, enumType, functionType, isScalar, isRecord, layoutStruct, layoutUnion,
  type CType, type IntType, type BoolType, type EnumType, type PointerType, type ArrayType, type RecordType, type Member,
  type ScalarType, type MemberRef, type KernelConfig, type Members, type MemberSpec, type TypeSpec, type RecordOptions,
} from '../c/index.js';
export * from './errors.js';
export { PerCpuPtr, type PtrOrigin } from './percpu-ptr.js';
export { Cpumask } from './lib/cpumask.js';
export {
  Machine, ARCHES, NR_CPUS_MAX, MAX_MEMORY_BYTES, PCPU_MIN_UNIT_SIZE, PERCPU_MODULE_RESERVE, PERCPU_DYNAMIC_RESERVE, PCPU_BASE, X86_EFLAGS_IF,
  type Arch, type MachineOptions, type ExecContext, type FirstChunkLayout,
} from './machine.js';
export { PAGE_SIZE, L1_CACHE_BYTES, LINK_ORDER, type LayoutEntry, type StaticLayout } from './linker.js';
export * from './define.js';
export { pcpu_member, pcpu_cast, pcpu_ptr_add } from './member.js';
export { KPtr, kptr_member, kptr_add, type KPtrTo, type KOrigin } from './kptr.js';
export { global_var, kmalloc, kzalloc, kcalloc, kfree, kptr_cast, KMALLOC_SIZES } from './mm/memory.js';
export {
  READ_ONCE, WRITE_ONCE, smp_load_acquire, smp_store_release, xchg, cmpxchg, try_cmpxchg, smp_cond_load_relaxed, smp_cond_load_acquire,
  smp_mb, smp_rmb, smp_wmb, barrier, smp_mb__before_atomic, smp_mb__after_atomic, type ScalarValue,
} from './kernel/atomic.js';
/** atomic_t, atomic64_t and atomic_long_t, then local_t and local64_t: generated from templates/atomic/atomics.tbl and local.tbl. */
export * from '../generated/atomic.js';
export type { CValue } from './cvalue.js';
export type { TypeArg, ScalarOf, Resolved, Aggregate } from './ctype-spec.js';
export * from './kernel/preempt.js';
export * from './debug.js';
export * from './kernel/smp.js';
export * from './typed.js';
export * from './mm/percpu-alloc.js';
export * from './accessors.js';
export * from './kernel/hotplug.js';
export * from './lib/percpu-counter.js';
export {
  HI_SOFTIRQ, TIMER_SOFTIRQ, NET_TX_SOFTIRQ, NET_RX_SOFTIRQ, BLOCK_SOFTIRQ, IRQ_POLL_SOFTIRQ, TASKLET_SOFTIRQ, SCHED_SOFTIRQ,
  HRTIMER_SOFTIRQ, RCU_SOFTIRQ, NR_SOFTIRQS, MAX_SOFTIRQ_RESTART, softirq_to_name,
  raise_softirq, raise_softirq_irqoff, __raise_softirq_irqoff, local_softirq_pending, local_bh_disable, local_bh_enable,
} from './kernel/softirq.js';
export { migrate_disable, migrate_enable, is_migration_disabled } from './kernel/sched.js';
export {
  spin_lock_init, raw_spin_lock_init, spin_lock, spin_unlock, spin_lock_irq, spin_unlock_irq, spin_lock_irqsave, spin_unlock_irqrestore,
  spin_lock_bh, spin_unlock_bh, spin_trylock, spin_is_locked, spin_lock_owner, raw_spin_lock, raw_spin_unlock, raw_spin_lock_irq,
  raw_spin_unlock_irq, raw_spin_lock_irqsave, raw_spin_unlock_irqrestore, raw_spin_trylock, type LockKind,
} from './kernel/locking/spinlock.js';
export {
  local_lock_init, local_trylock_init, local_lock, local_unlock, local_lock_irq, local_unlock_irq, local_lock_irqsave,
  local_unlock_irqrestore, local_trylock, type LocalLockKind,
} from './kernel/locking/local-lock.js';
export { might_sleep } from './kernel/locking/lockdep.js';
export * from './lib/u64-stats-sync.js';
/** The stepped forms (`yield* spin_lock(m, lock)` in a task), under their kernel names. */
export * as stepped from './stepped.js';
export { type Insn, formatInsn } from './insn.js';
export * from './sched/index.js';
export {
  exploreExhaustive, exploreRandom, runSchedule, runSeed, formatTrace, formatViolation, prng, DEFAULT_BOUND, REDUCTIONS,
  type ExploreOptions, type ExploreResult, type Violation, type Progress, type Reduction, type StopReason, type RunBudgets,
} from './explore/explorer.js';
export { explorePct, runPctSeed, pctBound, MAX_PCT_DEPTH } from './explore/pct.js';
export { estimateSchedules, type Estimate } from './explore/estimate.js';
export { SCENARIOS, LARGE_SCENARIOS, getScenario } from './explore/scenarios/index.js';
export * as rust from './rust/index.js';
export * from './threads/index.js';
export * from '../generated/x86_64/percpu.js';
/** The same ops generated for arm64 and asm-generic (use with new Machine({ arch })). */
export * as arm64_ops from '../generated/arm64/percpu.js';
export * as generic_ops from '../generated/generic/percpu.js';
