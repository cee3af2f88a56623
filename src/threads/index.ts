/**
 * The real-threads machine: worker_threads as CPUs of one shared-memory Machine.
 *
 * @module percpu-ts/threads
 */
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
export { ATOMIC_COUNT, COUNTERS, COUNTERS_BYTES, MUTEX_COUNT, MUTEX_WORD, createCounterBuffer } from './counters.js';
export type { WhoAmI } from './probe.js';

import { MODULE_EXT } from './bootstrap.js';

/** The counting jobs (percpu_inc, atomic_inc, mutex_inc, percpu_reset), for startCpuThreads({ jobs }). */
export const COUNTER_JOBS = new URL(`./counters${MODULE_EXT}`, import.meta.url);
/** The probe jobs (whoami, mark, try_migrate, fail). */
export const PROBE_JOBS = new URL(`./probe${MODULE_EXT}`, import.meta.url);
export { raw_spin_is_locked, raw_spin_lock, raw_spin_trylock, raw_spin_unlock, SPIN_CONTENDED, SPIN_LOCKED, SPIN_UNLOCKED } from './spinlock.js';
export { PERCPU_COUNTER_JOBS, attachPercpuCounter, describePercpuCounter, type PercpuCounterDescriptor } from './percpu-counter.js';
export type { CounterAddArgs, CounterAddResult } from './counter-jobs.js';
