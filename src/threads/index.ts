/** The real-threads machine: worker_threads as CPUs of one shared-memory Machine. */
export { adoptMemory, type AdoptedMemory } from './adopt.js';
export {
  attachMachine, bindCpu, describePtr, describeSharedMachine, revivePtr,
  type PtrDescriptor, type SharedMachineInit, type StaticDescriptor,
} from './attach.js';
export { barrier_wait, BARRIER_BYTES } from './barrier.js';
export { MUTEX_CONTENDED, MUTEX_LOCKED, MUTEX_UNLOCKED, mutex_lock, mutex_unlock } from './mutex.js';
export { CpuThreadError, CpuThreads, startCpuThreads, type CpuRunResult, type RunOptions, type StartCpuThreadsOptions } from './pool.js';
export type { CpuEnv, CpuJob } from './protocol.js';
export {
  assertUnitsCachelineSeparated, cachelineOf, cachelinesOfCopies, createSharedMachine, type SharedMachineOptions,
} from './shared-machine.js';
