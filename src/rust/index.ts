/**
 * The Rust-for-Linux per-CPU API of the talk "Bringing Per-CPU Variables to
 * Rust for Linux" and the patch series after it, on the simulated machine.
 * Import it as `import { rust } from 'percpu-ts'` or from 'percpu-ts/rust'.
 *
 * @module percpu-ts/rust
 */
export { Arc, Weak, type ArcDrop } from './arc.js';
export { PerCpuAllocation, type AllocationOptions } from './allocation.js';
export { AliasingError, BorrowError, MovedValueError, type SourceLoc } from './diagnostics.js';
export { CpuGuard, type CpuGuardOptions } from './cpu-guard.js';
export { DynamicPerCpu, type DynamicPerCpuOptions } from './dynamic.js';
export { PerCpuHandle, RemotePtr } from './handle.js';
export { StructLayout, struct, type FieldLayout, type FieldTypes, type StructValue } from './layout.js';
export { PerCpuNumeric } from './numeric.js';
export { on_each_cpu } from './on-each-cpu.js';
export { PerCpu, type PerCpuOptions } from './per-cpu.js';
export { PerCpuRef, type UnsafeRefOptions } from './per-cpu-ref.js';
export { StaticPerCpu, StaticPerCpuSymbol, define_per_cpu, get_static_per_cpu, unsafe_get_per_cpu_ref } from './static.js';
export { CheckedPerCpuToken, PerCpuToken, type PerCpuMut, type PerCpuShared } from './token.js';
export { cpumask_iter, online_cpus, possible_cpus, present_cpus } from './cpumask.js';
export { INTEGER_NAMES, type IntegerName, type NumericValue, type PerCpuType, type RustScalar, type Value } from './types.js';
