/**
 * What generated op modules import: the checks and error constructors they
 * call, the preempt/IRQ primitives of the architectures that wrap an op in
 * them, and the types of their signatures. Inside this repository generated/
 * imports these from their own files by relative path; output generated
 * outside it (`percpu-gen --out ./gen` from an installed package) imports
 * them all from `percpu-ts/runtime`, which is this module.
 *
 * @module percpu-ts/runtime
 */
export { __this_cpu_preempt_check } from './debug.js';
export { badOperand, badOvalp } from './errors.js';
export { badPointer, typedPointerError } from './percpu-ptr.js';
export { preempt_disable, preempt_enable, local_irq_save, local_irq_restore } from './kernel/preempt.js';
export { ATOMIC_T, ATOMIC64_T, badAtomicMachine, badAtomicPtr, badAtomicInt, badAtomicS64, badAtomicOld, atomicStep, type MemStep } from './kernel/atomic.js';
export { LOCAL_T, LOCAL64_T, badLocalPtr, localMember, localStep } from './kernel/local.js';
export { KPtr, kptrRef } from './kptr.js';
export type { StepGen } from './sched/step.js';
export { Machine } from './machine.js';
export type { PerCpuPtr } from './percpu-ptr.js';
export type { Insn } from './insn.js';
export type { IntName, OpTable } from './typed.js';
export type { ScalarName, ValueOf, Width1Type, Width2Type, Width4Type, Width8Type, Width16Type } from './types.js';
