/**
 * percpu-ts: Linux per-CPU variables on a simulated gs-addressed machine.
 *
 *   import { Machine, DEFINE_PER_CPU, this_cpu_add_4, per_cpu } from 'percpu-ts';
 *
 * The sized ops (`this_cpu_add_4`, `raw_cpu_cmpxchg_8`, …) are generated from
 * the C tables in templates/; everything else is the hand-written runtime.
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
export * from './kernel/preempt.js';
export * from './debug.js';
export * from './kernel/smp.js';
export * from './typed.js';
export * from './mm/percpu-alloc.js';
export * from './accessors.js';
export * from './kernel/hotplug.js';
export * from './lib/percpu-counter.js';
export { type Insn, formatInsn } from './insn.js';
export * from './sched/index.js';
export {
  exploreExhaustive, exploreRandom, runSchedule, runSeed, formatTrace, formatViolation, prng, DEFAULT_BOUND, REDUCTIONS,
  type ExploreOptions, type ExploreResult, type Violation, type Progress, type Reduction, type StopReason,
} from './explore/explorer.js';
export { SCENARIOS, LARGE_SCENARIOS, getScenario } from './explore/scenarios/index.js';
export {
  measureExplorer, measureScale, type ExplorerFigures, type ScenarioFigures, type ModeFigures, type ScaleFigures,
} from './explore/bench.js';
export * as rust from './rust/index.js';
export * from './threads/index.js';
export * from '../generated/x86_64/percpu.js';
/** The same ops generated for arm64 and asm-generic (use with new Machine({ arch })). */
export * as arm64_ops from '../generated/arm64/percpu.js';
export * as generic_ops from '../generated/generic/percpu.js';
