/**
 * Three ways for CPU threads to count events, as jobs for startCpuThreads():
 *
 *   percpu_inc  each CPU increments its own copy of a per-CPU u64 with the
 *               generated this_cpu_inc_8 — no atomics, no shared cacheline;
 *               the total exists only when someone sums the copies.
 *   atomic_inc  every CPU does Atomics.add on one shared word: always exact,
 *               but the cacheline bounces between cores on every increment.
 *   mutex_inc   every CPU takes a futex mutex (Atomics.wait/notify), then
 *               increments one shared word with a plain add.
 *
 * The talk's opening claim ("locking and atomics are expensive … only lock
 * when we want to aggregate") is what the threads benchmark measures with these.
 */
import { this_cpu_inc_8, this_cpu_read_8, this_cpu_write_8 } from '../../generated/x86_64/percpu.js';
import type { Machine } from '../machine.js';
import type { PerCpuPtr } from '../percpu-ptr.js';
import { mutex_lock, mutex_unlock } from './mutex.js';
import type { CpuEnv } from './protocol.js';

/**
 * Int32 word index of the shared atomic counter. Each group sits more than a
 * cacheline from the other and from both ends of the buffer, whatever the
 * buffer's alignment (at least 16 bytes), so its line holds nothing else —
 * not the mutex group's, not memory the allocator put next to the buffer:
 * the Atomics.add baseline pays for its own line bouncing and nothing more.
 */
export const ATOMIC_COUNT = 32;
/** Int32 index of the mutex counter's lock word (byte 256). */
export const MUTEX_WORD = 64;
/** Next to its lock, as a `struct { spinlock_t lock; int count; }` would be. */
export const MUTEX_COUNT = 65;
/** Bytes of the shared counter buffer. */
export const COUNTERS_BYTES = 384;

/** Name of the shared counter buffer in CpuEnv.shared. */
export const COUNTERS = 'counters';

export interface CountArgs {
  /** Increments this CPU performs. */
  readonly n: number;
}

export interface PercpuCountArgs extends CountArgs {
  /** Name of the u64 per-CPU counter in CpuEnv.ptrs. */
  readonly ptr: string;
}

function counterPtr(env: CpuEnv, name: string): PerCpuPtr<'u64'> {
  const p = env.ptrs[name];
  if (p === undefined) throw new RangeError(`no per-CPU variable named ${JSON.stringify(name)}: define it before booting, or pass it in ptrs`);
  if (p.type === null || p.type.size !== 8) throw new TypeError(`${p.origin.label} is not an 8-byte per-CPU variable`);
  return p as PerCpuPtr<'u64'>;
}

function counterWords(env: CpuEnv): Int32Array {
  const sab = env.shared[COUNTERS];
  if (sab === undefined) throw new RangeError(`no shared buffer named ${JSON.stringify(COUNTERS)}: pass { shared: { ${COUNTERS}: createCounterBuffer() } }`);
  return new Int32Array(sab);
}

/** The shared words the atomic and mutex counters use (zeroed). */
export function createCounterBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(COUNTERS_BYTES);
}

/** `n` × this_cpu_inc_8 on this CPU's copy; returns the copy's value (so the work is consumed). */
export function percpu_inc(m: Machine, env: CpuEnv, args: PercpuCountArgs): bigint {
  const p = counterPtr(env, args.ptr);
  const n = args.n;
  for (let i = 0; i < n; i++) this_cpu_inc_8(m, p);
  return this_cpu_read_8(m, p);
}

/** `n` × Atomics.add on the one shared counter; returns the last value this CPU saw. */
export function atomic_inc(_m: Machine, env: CpuEnv, args: CountArgs): number {
  const w = counterWords(env);
  const n = args.n;
  let last = 0;
  for (let i = 0; i < n; i++) last = Atomics.add(w, ATOMIC_COUNT, 1);
  return last + 1;
}

/** `n` × (lock; count++; unlock) on the one shared counter; returns the last value this CPU wrote. */
export function mutex_inc(_m: Machine, env: CpuEnv, args: CountArgs): number {
  const w = counterWords(env);
  const n = args.n;
  let last = 0;
  for (let i = 0; i < n; i++) {
    mutex_lock(w, MUTEX_WORD);
    last = w[MUTEX_COUNT] + 1;
    w[MUTEX_COUNT] = last;
    mutex_unlock(w, MUTEX_WORD);
  }
  return last;
}

/** Zeroes this CPU's copy of a per-CPU u64 (each CPU resets its own, as the kernel would). */
export function percpu_reset(m: Machine, env: CpuEnv, args: { readonly ptr: string }): bigint {
  const p = counterPtr(env, args.ptr);
  this_cpu_write_8(m, p, 0n);
  return this_cpu_read_8(m, p);
}
