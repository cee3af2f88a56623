/**
 * percpu_counter (include/linux/percpu_counter.h, lib/percpu_counter.c): a
 * counter that is cheap to update from every CPU and approximate to read.
 *
 *   true value = count + Σ counters[cpu]
 *
 * Each CPU adds into its own s32 delta with this_cpu ops; once
 * |delta + amount| reaches the batch, the delta is folded into the shared s64
 * `count` under the counter's lock. percpu_counter_read() returns `count` alone,
 * so it is off by less than batch on each CPU: |read − sum| < batch × online
 * CPUs (each delta stays strictly inside ±batch, and offline CPUs' deltas are
 * folded when they die). percpu_counter_sum() adds the deltas up under the lock.
 *
 * This is the x86-64 build (CONFIG_HAVE_CMPXCHG_LOCAL): the fast path is a
 * this_cpu_try_cmpxchg loop, the slow path takes the lock with interrupts off
 * (raw_spin_lock_irqsave). Counts are TypeScript numbers and must stay safe
 * integers (|v| ≤ 2^53 − 1); the simulation checks that instead of wrapping an s64.
 *
 * The deltas live in per-CPU memory (alloc_percpu), so on a shared-memory
 * machine every worker thread reaches them already. The rest of struct
 * percpu_counter — the raw spinlock and the s64 count — is ordinary kernel
 * memory, not per-CPU memory, so it is not in the machine's per-CPU areas:
 * each counter has its own small SharedArrayBuffer holding them, used only
 * through Atomics, and another thread rebuilds a view of the counter from
 * (deltas pointer, that buffer) — see src/threads/percpu-counter.ts. One
 * thread or many, every PercpuCounter works the same way.
 */
import { threadId } from 'node:worker_threads';
import {
  __this_cpu_read_4, __this_cpu_sub_4, this_cpu_add_4, this_cpu_read_4, this_cpu_try_cmpxchg_4,
} from '../../generated/x86_64/percpu.js';
import { per_cpu_ptr } from '../accessors.js';
import { MachineStateError } from '../errors.js';
import { cpu_dying_mask, cpuhp_setup_state, cpuhp_setup_state_nocalls } from '../kernel/hotplug.js';
import { Machine } from '../machine.js';
import { alloc_percpu, free_percpu } from '../mm/percpu-alloc.js';
import type { PerCpuPtr } from '../percpu-ptr.js';
import { local_irq_restore, local_irq_save } from '../kernel/preempt.js';
import { raw_spin_lock, raw_spin_unlock, SPIN_LOCKED, SPIN_UNLOCKED } from '../threads/spinlock.js';
import { describe } from '../types.js';

/** PERCPU_COUNTER_LOCAL_BATCH: percpu_counter_add_local() almost never folds. */
export const PERCPU_COUNTER_LOCAL_BATCH = 0x7fffffff;

/**
 * Layout of a counter's shared state (one 64-byte cacheline, like the head of
 * struct percpu_counter): Int32 words LOCK (the raw spinlock, see
 * threads/spinlock.ts), OWNER (the thread holding it, for the deadlock check)
 * and DEAD (set by percpu_counter_destroy, so other threads' views refuse
 * use), and the s64 count at byte 16.
 */
const LOCK = 0;
const OWNER = 1;
const DEAD = 2;
/** Byte offset of the s64 count. */
const COUNT_AT = 16;
export const PERCPU_COUNTER_STATE_BYTES = 64;

/** Who holds a counter's lock: this JavaScript thread (Node's threadId is 0 on the main thread). */
const THREAD = threadId + 1;

export class PercpuCounter {
  /** The s32 per-CPU deltas; null after percpu_counter_destroy(). */
  counters: PerCpuPtr<'i32'> | null;
  readonly m: Machine;
  /** The lock and the s64 count, shared by every thread's view of this counter. */
  readonly state: SharedArrayBuffer;
  /** True for a view rebuilt in another thread (attachPercpuCounter): not on the hotplug list, not destroyable there. */
  readonly attached: boolean;
  private readonly words: Int32Array;
  private readonly count64: BigInt64Array;

  /** @internal use percpu_counter_init() or attachPercpuCounter() */
  constructor(m: Machine, counters: PerCpuPtr<'i32'>, state: SharedArrayBuffer, attached: boolean) {
    this.m = m;
    this.counters = counters;
    this.state = state;
    this.attached = attached;
    this.words = new Int32Array(state, 0, 3);
    this.count64 = new BigInt64Array(state, COUNT_AT, 1);
  }

  /** The shared s64 count (what percpu_counter_read() returns): one atomic 64-bit load, never torn. */
  get count(): number {
    return Number(Atomics.load(this.count64, 0));
  }

  /** Written under the lock by this module; also by the explorer's step-by-step model of the slow path. */
  set count(v: number) {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`percpu_counter: count must be an integer number, got ${describe(v)}`);
    Atomics.store(this.count64, 0, BigInt(v));
  }

  /** raw_spin_is_locked(&fbc->lock), in any thread. */
  get locked(): boolean {
    return Atomics.load(this.words, LOCK) !== SPIN_UNLOCKED;
  }

  /**
   * Takes or drops the lock as this thread without waiting — the explorer's
   * step-by-step model of raw_spin_lock/unlock does it this way (it only steps
   * a lock while it is free). The library itself uses lock()/unlock() below.
   */
  set locked(v: boolean) {
    if (v) {
      Atomics.store(this.words, LOCK, SPIN_LOCKED);
      Atomics.store(this.words, OWNER, THREAD);
    } else {
      Atomics.store(this.words, OWNER, 0);
      if (Atomics.exchange(this.words, LOCK, SPIN_UNLOCKED) !== SPIN_LOCKED) Atomics.notify(this.words, LOCK);
    }
  }

  /** @internal raw_spin_lock(&fbc->lock) without the irq part; refuses recursion (AA deadlock). */
  acquire(what: string): void {
    const w = this.words;
    if (Atomics.load(w, OWNER) === THREAD) throw new MachineStateError(`${what}: deadlock: the percpu_counter's lock is already held on this CPU`);
    raw_spin_lock(w, LOCK);
    Atomics.store(w, OWNER, THREAD);
  }

  /** @internal */
  release(): void {
    Atomics.store(this.words, OWNER, 0);
    raw_spin_unlock(this.words, LOCK);
  }

  /** @internal whether percpu_counter_destroy() ran in any thread. */
  get destroyed(): boolean {
    return this.counters === null || this.words[DEAD] !== 0;
  }

  /** @internal */
  markDestroyed(): void {
    Atomics.store(this.words, DEAD, 1);
  }
}

interface CounterModule {
  /** percpu_counter_batch: max(32, 2 × online CPUs), recomputed on hotplug. */
  batch: number;
  /** The counters the hotplug callback folds (the kernel's percpu_counters list). */
  readonly live: Set<PercpuCounter>;
}

const modules = new WeakMap<Machine, CounterModule>();

/** compute_batch_value(): run at init and at each CPU online/dead. */
function computeBatch(m: Machine, mod: CounterModule): void {
  mod.batch = Math.max(32, 2 * m.online.weight());
}

/** percpu_counter_cpu_dead(): folds the dead CPU's delta of every counter into its count. */
function cpuDead(m: Machine, mod: CounterModule, cpu: number): void {
  computeBatch(m, mod);
  for (const fbc of mod.live) {
    const flags = lock(fbc, 'percpu_counter_cpu_dead');
    const addr = per_cpu_ptr(m, fbc.counters!, cpu);
    fbc.count += m.load(addr, 'i32') as number;
    m.store(addr, 'i32', 0);
    unlock(fbc, flags);
  }
}

/**
 * percpu_counter_startup(): the two hotplug states the kernel installs at boot,
 * installed here on the machine's first counter.
 */
function counterModule(m: Machine): CounterModule {
  let mod = modules.get(m);
  if (mod === undefined) {
    const created: CounterModule = { batch: 32, live: new Set() };
    computeBatch(m, created);
    cpuhp_setup_state(m, 'lib/percpu_counter:online', (mm) => computeBatch(mm, created), null);
    cpuhp_setup_state_nocalls(m, 'lib/percpu_cnt:dead', null, (mm, cpu) => cpuDead(mm, created, cpu), { state: 'CPUHP_BP_PREPARE_DYN' });
    modules.set(m, created);
    mod = created;
  }
  return mod;
}

/** The current percpu_counter_batch of a machine. */
export function percpu_counter_batch(m: Machine): number {
  return counterModule(m).batch;
}

function live(fbc: unknown, what: string): PercpuCounter {
  if (!(fbc instanceof PercpuCounter)) throw new TypeError(`${what}: expected a percpu_counter from percpu_counter_init(), got ${describe(fbc)}`);
  if (fbc.destroyed) {
    throw new MachineStateError(`${what}: the percpu_counter was destroyed by percpu_counter_destroy(); initialise a new one with percpu_counter_init()`);
  }
  return fbc;
}

function checkAmount(what: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw new TypeError(`${what}: ${name} must be a safe integer number (s64 within ±2^53), got ${describe(v)}; the counter is unchanged`);
  }
  return v;
}

function checkBatch(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > PERCPU_COUNTER_LOCAL_BATCH) {
    throw new TypeError(`${what}: batch must be an integer from 1 to ${PERCPU_COUNTER_LOCAL_BATCH} (s32), got ${describe(v)}`);
  }
  return v;
}

/**
 * raw_spin_lock_irqsave(&fbc->lock). The lock is held by a thread: held by
 * another thread it is waited for; held by this one it can only mean
 * recursion (AA deadlock), refused with interrupts left as they were.
 */
function lock(fbc: PercpuCounter, what: string): number {
  const flags = local_irq_save(fbc.m);
  try {
    fbc.acquire(what);
  } catch (e) {
    local_irq_restore(fbc.m, flags);
    throw e;
  }
  return flags;
}

function unlock(fbc: PercpuCounter, flags: number): void {
  fbc.release();
  local_irq_restore(fbc.m, flags);
}

function addToCount(fbc: PercpuCounter, what: string, v: number): void {
  const next = fbc.count + v;
  if (!Number.isSafeInteger(next)) throw new RangeError(`${what}: the count would leave the safe integer range (${fbc.count} + ${v}); the simulation does not wrap s64`);
  fbc.count = next;
}

/** percpu_counter_init(fbc, amount, GFP_KERNEL): allocates the s32 deltas (zeroed) and registers for hotplug. */
export function percpu_counter_init(m: Machine, amount = 0): PercpuCounter {
  if (!(m instanceof Machine)) throw new TypeError(`percpu_counter_init: expected a Machine, got ${describe(m)}`);
  if (!m.booted) throw new MachineStateError('percpu_counter_init: per-CPU memory is not set up yet: call m.boot() (setup_per_cpu_areas) first');
  checkAmount('percpu_counter_init', 'amount', amount);
  const c = m.ctx;
  if (c.kind === 'irq' || c.preemptCount > 0 || c.irqsDisabled) {
    throw new MachineStateError(
      `percpu_counter_init: BUG: sleeping function called from invalid context: ${m.pinnedReason()}; a GFP_KERNEL per-CPU allocation may sleep, initialise the counter from preemptible context`,
    );
  }
  const mod = counterModule(m);
  const counters = alloc_percpu(m, 'i32');
  if (counters === null) throw new MachineStateError('percpu_counter_init: -ENOMEM: alloc_percpu(s32) failed (see pcpu_warnings())');
  const fbc = new PercpuCounter(m, counters, new SharedArrayBuffer(PERCPU_COUNTER_STATE_BYTES), false);
  fbc.count = amount;
  mod.live.add(fbc);
  return fbc;
}

/**
 * percpu_counter_destroy(): frees the deltas; a second call does nothing.
 * Other threads' views of the counter refuse any later use.
 */
export function percpu_counter_destroy(fbc: PercpuCounter): void {
  if (!(fbc instanceof PercpuCounter)) throw new TypeError(`percpu_counter_destroy: expected a percpu_counter, got ${describe(fbc)}`);
  if (fbc.counters === null) return;
  if (fbc.attached) {
    throw new MachineStateError(
      'percpu_counter_destroy: this is another thread\'s view of the counter (attachPercpuCounter); destroy it in the thread that initialised it, once every thread is done with it',
    );
  }
  fbc.markDestroyed();
  modules.get(fbc.m)?.live.delete(fbc);
  free_percpu(fbc.m, fbc.counters);
  fbc.counters = null;
}

/**
 * percpu_counter_add_batch(): adds into this CPU's delta while it stays inside
 * ±batch; otherwise folds delta + amount into count under the lock.
 */
export function percpu_counter_add_batch(fbc: PercpuCounter, amount: number, batch: number): void {
  const what = 'percpu_counter_add_batch';
  live(fbc, what);
  checkAmount(what, 'amount', amount);
  checkBatch(what, batch);
  addBatch(fbc, amount, batch, what);
}

/** The body of percpu_counter_add_batch, for callers that have checked their arguments. */
function addBatch(fbc: PercpuCounter, amount: number, batch: number, what: string): void {
  const m = fbc.m;
  const pcp = fbc.counters!;
  const box = { value: this_cpu_read_4(m, pcp) };
  for (;;) {
    const count = box.value | 0;
    if (Math.abs(count + amount) >= batch) {
      const flags = lock(fbc, what);
      try {
        // By now the task may run elsewhere or the delta may have changed: read it again.
        const delta = __this_cpu_read_4(m, pcp) | 0;
        addToCount(fbc, what, delta + amount);
        __this_cpu_sub_4(m, pcp, delta);
      } finally {
        unlock(fbc, flags);
      }
      return;
    }
    if (this_cpu_try_cmpxchg_4(m, pcp, box, count + amount)) return;
  }
}

/** percpu_counter_add(): add_batch with percpu_counter_batch. */
export function percpu_counter_add(fbc: PercpuCounter, amount: number): void {
  const what = 'percpu_counter_add';
  live(fbc, what);
  checkAmount(what, 'amount', amount);
  addBatch(fbc, amount, counterModule(fbc.m).batch, what);
}

/** percpu_counter_add_local(): batch INT_MAX, for write-mostly counters read with percpu_counter_sum(). */
export function percpu_counter_add_local(fbc: PercpuCounter, amount: number): void {
  percpu_counter_add_batch(fbc, amount, PERCPU_COUNTER_LOCAL_BATCH);
}

export function percpu_counter_sub_local(fbc: PercpuCounter, amount: number): void {
  percpu_counter_add_local(fbc, -checkAmount('percpu_counter_sub_local', 'amount', amount));
}

export function percpu_counter_sub(fbc: PercpuCounter, amount: number): void {
  percpu_counter_add(fbc, -checkAmount('percpu_counter_sub', 'amount', amount));
}

export function percpu_counter_inc(fbc: PercpuCounter): void {
  percpu_counter_add(fbc, 1);
}

export function percpu_counter_dec(fbc: PercpuCounter): void {
  percpu_counter_add(fbc, -1);
}

/** percpu_counter_read(): `count` only, lock-free; off from the sum by less than batch × online CPUs. */
export function percpu_counter_read(fbc: PercpuCounter): number {
  return live(fbc, 'percpu_counter_read').count;
}

/** percpu_counter_read_positive(): read(), with a negative approximation reported as 0. */
export function percpu_counter_read_positive(fbc: PercpuCounter): number {
  const v = live(fbc, 'percpu_counter_read_positive').count;
  return v >= 0 ? v : 0;
}

/** __percpu_counter_sum(): count plus every online or dying CPU's delta, under the lock. */
export function percpu_counter_sum(fbc: PercpuCounter): number {
  live(fbc, 'percpu_counter_sum');
  const m = fbc.m;
  const flags = lock(fbc, 'percpu_counter_sum');
  try {
    let ret = fbc.count;
    const dying = cpu_dying_mask(m);
    for (let cpu = 0; cpu < m.nrCpus; cpu++) {
      if (m.online.test(cpu) || dying.test(cpu)) ret += m.load(per_cpu_ptr(m, fbc.counters!, cpu), 'i32') as number;
    }
    return ret;
  } finally {
    unlock(fbc, flags);
  }
}

/** percpu_counter_sum_positive(): sum(), with a negative total reported as 0. */
export function percpu_counter_sum_positive(fbc: PercpuCounter): number {
  const v = percpu_counter_sum(fbc);
  return v < 0 ? 0 : v;
}

/** percpu_counter_set(): zeroes every possible CPU's delta and sets count, under the lock. */
export function percpu_counter_set(fbc: PercpuCounter, amount: number): void {
  live(fbc, 'percpu_counter_set');
  checkAmount('percpu_counter_set', 'amount', amount);
  const m = fbc.m;
  const flags = lock(fbc, 'percpu_counter_set');
  try {
    for (const cpu of m.possible) m.store(per_cpu_ptr(m, fbc.counters!, cpu), 'i32', 0);
    fbc.count = amount;
  } finally {
    unlock(fbc, flags);
  }
}

/** percpu_counter_sync(): folds this CPU's delta into count. */
export function percpu_counter_sync(fbc: PercpuCounter): void {
  live(fbc, 'percpu_counter_sync');
  const m = fbc.m;
  const pcp = fbc.counters!;
  const flags = lock(fbc, 'percpu_counter_sync');
  try {
    const delta = __this_cpu_read_4(m, pcp) | 0;
    addToCount(fbc, 'percpu_counter_sync', delta);
    __this_cpu_sub_4(m, pcp, delta);
  } finally {
    unlock(fbc, flags);
  }
}

/**
 * __percpu_counter_compare(): -1, 0 or 1 as the counter is below, at or above
 * `rhs`. When the approximate count is more than batch × online CPUs away the
 * answer cannot change, so the deltas are not summed (the fast path).
 */
export function __percpu_counter_compare(fbc: PercpuCounter, rhs: number, batch: number): -1 | 0 | 1 {
  const what = '__percpu_counter_compare';
  live(fbc, what);
  checkAmount(what, 'rhs', rhs);
  checkBatch(what, batch);
  let count = fbc.count;
  if (Math.abs(count - rhs) > batch * fbc.m.online.weight()) return count > rhs ? 1 : -1;
  count = percpu_counter_sum(fbc);
  return count > rhs ? 1 : count < rhs ? -1 : 0;
}

export function percpu_counter_compare(fbc: PercpuCounter, rhs: number): -1 | 0 | 1 {
  return __percpu_counter_compare(fbc, rhs, counterModule(live(fbc, 'percpu_counter_compare').m).batch);
}

/**
 * __percpu_counter_limited_add(): adds `amount` only if the total stays at or
 * below `limit` (amount > 0) or at or above it (amount < 0); returns whether it
 * did. Lock-free when count ± batch × online proves the answer, precise sum
 * only when it cannot.
 */
export function __percpu_counter_limited_add(fbc: PercpuCounter, limit: number, amount: number, batch: number): boolean {
  const what = '__percpu_counter_limited_add';
  live(fbc, what);
  checkAmount(what, 'limit', limit);
  checkAmount(what, 'amount', amount);
  checkBatch(what, batch);
  if (amount === 0) return true;
  const m = fbc.m;
  const pcp = fbc.counters!;
  const flags = local_irq_save(m);
  try {
    const unknown = batch * m.online.weight();
    let count = __this_cpu_read_4(m, pcp) | 0;
    // Skip the lock when the approximate count proves the limit holds.
    if (Math.abs(count + amount) <= batch &&
        ((amount > 0 && fbc.count + unknown <= limit) || (amount < 0 && fbc.count - unknown >= limit))) {
      this_cpu_add_4(m, pcp, amount);
      return true;
    }
    fbc.acquire(what);
    try {
      count = fbc.count + amount;
      let good = false;
      // Skip percpu_counter_sum() when the approximation decides.
      if (amount > 0) {
        if (count - unknown > limit) return false;
        if (count + unknown <= limit) good = true;
      } else {
        if (count + unknown < limit) return false;
        if (count - unknown >= limit) good = true;
      }
      if (!good) {
        const dying = cpu_dying_mask(m);
        for (let cpu = 0; cpu < m.nrCpus; cpu++) {
          if (m.online.test(cpu) || dying.test(cpu)) count += m.load(per_cpu_ptr(m, pcp, cpu), 'i32') as number;
        }
        if (amount > 0 ? count > limit : count < limit) return false;
      }
      const delta = __this_cpu_read_4(m, pcp) | 0;
      addToCount(fbc, what, delta + amount);
      __this_cpu_sub_4(m, pcp, delta);
      return true;
    } finally {
      fbc.release();
    }
  } finally {
    local_irq_restore(m, flags);
  }
}

export function percpu_counter_limited_add(fbc: PercpuCounter, limit: number, amount: number): boolean {
  return __percpu_counter_limited_add(fbc, limit, amount, counterModule(live(fbc, 'percpu_counter_limited_add').m).batch);
}
