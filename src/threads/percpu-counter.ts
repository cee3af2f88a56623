/**
 * A percpu_counter shared by CPU threads. Its s32 deltas are per-CPU memory
 * (alloc_percpu on the shared-memory machine), which every thread reaches
 * through its own GS base; its lock and s64 count are one small
 * SharedArrayBuffer (PercpuCounter.state). So a counter crosses threads as
 * data — the deltas pointer and that buffer — and a thread rebuilds its own
 * PercpuCounter view of it, which takes the same lock and adds to the same
 * count as every other view.
 *
 * The counter is initialised and destroyed by the thread that booted the
 * machine (the per-CPU allocator's state lives there), which also runs
 * hotplug; views in other threads add, read, sum, set and sync.
 */
import { MachineStateError } from '../errors.js';
import type { Machine } from '../machine.js';
import { PERCPU_COUNTER_STATE_BYTES, isPercpuCounter, percpuCounterView, type PercpuCounter } from '../lib/percpu-counter.js';
import type { PerCpuPtr } from '../percpu-ptr.js';
import { describe } from '../types.js';
import { describePtr, revivePtr, type PtrDescriptor } from './attach.js';
import { MODULE_EXT } from './bootstrap.js';

/** The percpu_counter jobs (percpu_counter_adds, percpu_counter_incs, percpu_counter_look), for startCpuThreads({ jobs }). */
export const PERCPU_COUNTER_JOBS = new URL(`./counter-jobs${MODULE_EXT}`, import.meta.url);

/** A percpu_counter as data: structured-clonable, sent as job arguments or workerData. */
export interface PercpuCounterDescriptor {
  /** The s32 per-CPU deltas. */
  readonly counters: PtrDescriptor;
  /** The lock and the count (shared, never copied by postMessage). */
  readonly state: SharedArrayBuffer;
}

/** Describes a counter of a shared-memory machine so that CPU threads can use it. */
export function describePercpuCounter(fbc: PercpuCounter): PercpuCounterDescriptor {
  const what = 'describePercpuCounter';
  if (!isPercpuCounter(fbc)) throw new TypeError(`${what}: expected a percpu_counter from percpu_counter_init(), got ${describe(fbc)}`);
  if (fbc.destroyed) throw new MachineStateError(`${what}: the percpu_counter was destroyed by percpu_counter_destroy(); initialise a new one with percpu_counter_init()`);
  if (!(fbc.m.buffer instanceof SharedArrayBuffer)) {
    throw new MachineStateError(
      `${what}: the counter's machine has private memory, so other threads cannot reach its per-CPU deltas; create the machine with createSharedMachine()`,
    );
  }
  return { counters: describePtr(fbc.counters!), state: fbc.state };
}

/**
 * This thread's view of the counter described by `d`, on `m` — a machine
 * attached to the same shared memory (attachMachine). Refused when the
 * description is malformed or the counter has been destroyed. This is where
 * a view is checked, once: its adds then take the same lean fast path as the
 * initialising thread's.
 */
export function attachPercpuCounter(m: Machine, d: PercpuCounterDescriptor): PercpuCounter {
  const what = 'attachPercpuCounter';
  if (typeof d !== 'object' || d === null) throw new TypeError(`${what}: expected a descriptor from describePercpuCounter(), got ${describe(d)}`);
  if (!(d.state instanceof SharedArrayBuffer) || d.state.byteLength !== PERCPU_COUNTER_STATE_BYTES) {
    throw new TypeError(`${what}: state must be the counter's ${PERCPU_COUNTER_STATE_BYTES}-byte SharedArrayBuffer (PercpuCounter.state), got ${d.state instanceof SharedArrayBuffer ? `one of ${d.state.byteLength} bytes` : describe(d.state)}`);
  }
  if (typeof d.counters !== 'object' || d.counters === null || d.counters.type !== 'i32') {
    throw new TypeError(`${what}: counters must describe the counter's s32 per-CPU deltas (type i32), got ${describe(d.counters?.type)}`);
  }
  if (!(m.buffer instanceof SharedArrayBuffer)) {
    throw new MachineStateError(`${what}: this machine has private memory; attach it to the counter's shared memory first (attachMachine)`);
  }
  const fbc = percpuCounterView(m, revivePtr<'i32'>(m, d.counters) as PerCpuPtr<'i32'>, d.state, what);
  if (fbc.destroyed) throw new MachineStateError(`${what}: the percpu_counter was destroyed by percpu_counter_destroy(); initialise a new one with percpu_counter_init()`);
  return fbc;
}
