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
 * Each architecture gets the build its kernel compiles (lib/percpu_counter.c,
 * Linux 6.11+), chosen once, when the counter is made (see ARCH_OPS): x86-64
 * and arm64 select HAVE_CMPXCHG_LOCAL (arch/x86/Kconfig, arch/arm64/Kconfig),
 * so percpu_counter_add_batch is a this_cpu_try_cmpxchg loop whose fold takes
 * the lock with interrupts off (raw_spin_lock_irqsave); asm-generic has no
 * local cmpxchg, so the whole add runs under local_irq_save. The x86-64 fast
 * path below is that loop's first turn written out; the other two are made of
 * their architecture's generated ops.
 *
 * **count is an exact s64.** It is held as a 64-bit integer, so it is exact at
 * and past 2^53, and it wraps at ±2^63 as the kernel's does: the kernel is
 * built with -fno-strict-overflow (GCC: -fwrapv), so `fbc->count += …`
 * overflows two's-complement. Amounts are safe-integer numbers or bigints in
 * the s64 range. The functions that return a number (read, sum, …) refuse
 * with a RangeError rather than round a count outside ±(2^53 − 1); their
 * `_s64` forms return the exact bigint.
 *
 * **The fast path is as lean as the kernel's.** A counter is checked once,
 * when it is made (percpu_counter_init) or handed to another thread
 * (attachPercpuCounter): its deltas are 4-byte aligned and every CPU's copy
 * lies inside the machine's memory. Each call then checks only what the
 * contract needs: that `fbc` is a counter (its brand: one load and compare)
 * and that the amount is a small integer; the destroyed check comes with the
 * batch word percpu_counter_add reads anyway (see GATE). Anything unusual — a fold, a big or bigint amount, a bad argument, a
 * destroyed counter — leaves the fast path for the slow one, which checks
 * everything and names the call in its errors. Nothing is allocated per call.
 *
 * The deltas live in per-CPU memory (alloc_percpu), so on a shared-memory
 * machine every worker thread reaches them already. The rest of struct
 * percpu_counter — the raw spinlock and the s64 count — is ordinary kernel
 * memory, not per-CPU memory, so it is not in the machine's per-CPU areas:
 * each counter has its own small SharedArrayBuffer holding them, and another
 * thread rebuilds a view of the counter from (deltas pointer, that buffer) —
 * see src/threads/percpu-counter.ts. One thread or many, every PercpuCounter
 * works the same way.
 */
import { threadId } from 'node:worker_threads';
import type { Arch } from '../arch.js';
import * as arm64 from '../../generated/arm64/percpu.js';
import * as generic from '../../generated/generic/percpu.js';
import * as x86_64 from '../../generated/x86_64/percpu.js';
import { MachineStateError } from '../errors.js';
import { cpu_dying_mask, cpuhp_setup_state, cpuhp_setup_state_nocalls } from '../kernel/hotplug.js';
import { machineArg, type Machine } from '../machine.js';
import { PerMachine } from '../per-machine.js';
import { checkAllocName } from '../mm/alloc-name.js';
import { alloc_percpu, free_percpu } from '../mm/percpu-alloc.js';
import { PerCpuPtr } from '../percpu-ptr.js';
import { local_irq_restore, local_irq_save } from '../kernel/preempt.js';
import { arch_spin_lock_contended, arch_spin_unlock, SPIN_LOCKED, SPIN_UNLOCKED } from '../threads/spinlock.js';
import { describe } from '../types.js';
import { abs64, checkBatch, checkS64, errorBound, PERCPU_COUNTER_LOCAL_BATCH, s64 } from './s64.js';

export { PERCPU_COUNTER_LOCAL_BATCH, S64_MAX, S64_MIN } from './s64.js';

/** An s64 amount: a safe-integer number, or a bigint from S64_MIN to S64_MAX. */
export type S64 = number | bigint;

/**
 * Layout of a counter's shared state (512 bytes):
 *
 *   written once per batch (the fold), as the head of struct percpu_counter:
 *     Int32 words LOCK (the raw spinlock, see threads/spinlock.ts) and OWNER
 *     (the thread holding it, for the deadlock check) at bytes 128 and 132,
 *     the s64 count at byte 136 — 16 bytes that one cacheline always holds
 *     whole (the buffer is at least 16-byte aligned), so a fold moves one
 *     line, as the kernel's struct keeps lock and count side by side;
 *   read-mostly: GATE at byte 384, the counter's copy of percpu_counter_batch
 *     while it lives, 0 once destroyed.
 *
 * Whatever the buffer's alignment, each of the two lies in a 128-byte-aligned
 * block of its own inside the buffer: a cacheline to itself, as
 * ____cacheline_aligned_in_smp gives a kernel struct, and no neighbour in
 * the pair of lines x86's spatial prefetcher fetches together either. So the
 * fold's line is not shared with memory the allocator put next to the
 * buffer, and GATE, which every add reads, stays in every core's cache while
 * other CPUs fold. (In the kernel the `counters` pointer every add reads
 * usually shares the lock's line.) For percpu_counter_add GATE is the batch;
 * a destroyed counter's 0 makes every add leave the fast path, where the
 * destroyed check runs. Only an x86-64 counter opens GATE (the inline fast
 * path is its `%gs:` access): on arm64 and generic GATE stays 0 and every
 * add goes to the architecture's own build. BATCH, next to GATE, is the
 * batch on every architecture, 0 once destroyed.
 */
const LOCK = 32;
const OWNER = 33;
/** Byte offset of the s64 count. */
const COUNT_AT = 136;
const GATE = 96;
const BATCH = 97;
/** Bytes of a counter's shared state: the fold's and GATE's 128-byte blocks, with room for any 16-byte alignment. */
export const PERCPU_COUNTER_STATE_BYTES = 512;

/** Who holds a counter's lock: this JavaScript thread (Node's threadId is 0 on the main thread). */
const THREAD = threadId + 1;

/**
 * Scratch for reading an s64 as two 32-bit halves: the count is loaded with
 * one 64-bit access (never torn, as fbc->count is not on x86-64), and its
 * halves give the number without allocating a bigint.
 */
const scratch64 = new BigInt64Array(1);
const scratch32 = new Int32Array(scratch64.buffer);
/** High word of ±(2^53 − 1), the safe-integer limits. */
const SAFE_HI = 0x1fffff;

/**
 * A bigint that is an s32, as a number; NaN for any other. C's s64 amounts
 * arrive as bigints (translated C): the adds' slow path tests one this way
 * (so a number caller never pays for it) and runs the call again on the
 * number. The 64-bit store and two 32-bit loads convert without
 * allocating (Number() of a bigint is a runtime call); the loose comparison
 * rules out a bigint past ±2^63 that the store wrapped to a small value.
 */
function s32Of64(v: bigint): number {
  scratch64[0] = v;
  const lo = scratch32[0];
  return scratch32[1] === lo >> 31 && (v as unknown as number) == lo ? lo : NaN; // eslint-disable-line eqeqeq
}

/**
 * What every PercpuCounter carries, and nothing else can (it is not
 * exported). The fast paths test `fbc?.brand === BRAND` rather than
 * `instanceof`: one load and compare, where instanceof costs about 30 ns
 * once a class has been renamed with Object.defineProperty(C, 'name'),
 * which tsx and esbuild's keepNames do to every class.
 */
const BRAND: unique symbol = Symbol('percpu_counter');

/** `struct percpu_counter` (lib/percpu_counter.c): an s64 count, a per-CPU s32 delta and the lock that folds them; made by percpu_counter_init(). */
export class PercpuCounter {
  // Every field is `declare`d and set once in the constructor, in this order,
  // never first to undefined by a class-field initialiser: V8 then records the
  // type of what each field holds (a Machine, an Int32Array, a Smi offset), and
  // the fast path reads fbc.m.u32 and fbc.words[GATE] without re-checking the
  // objects' shapes (measured: 4.6 ns per add with initialisers, 2.2 without).
  /** @internal */
  declare readonly brand: typeof BRAND;
  declare readonly m: Machine;
  /** @internal the deltas' per-CPU offset, checked once by checkDeltas(): the fast path addresses %gs:off with it. */
  declare readonly off: number;
  /** @internal Int32 words of the shared state (LOCK, OWNER, GATE). */
  declare readonly words: Int32Array;
  /** @internal the s64 count. */
  declare readonly count64: BigInt64Array;
  /** The s32 per-CPU deltas; null after percpu_counter_destroy(). */
  declare counters: PerCpuPtr<'i32'> | null;
  /** The lock and the s64 count, shared by every thread's view of this counter. */
  declare readonly state: SharedArrayBuffer;
  /** True for a view rebuilt in another thread (attachPercpuCounter): not on the hotplug list, not destroyable there. */
  declare readonly attached: boolean;
  /** @internal the machine's architecture's build of the counter (ARCH_OPS), chosen when it is made. */
  declare readonly ops: CounterOps;

  /** @internal use percpu_counter_init() or attachPercpuCounter() */
  constructor(m: Machine, counters: PerCpuPtr<'i32'>, state: SharedArrayBuffer, attached: boolean) {
    this.brand = BRAND;
    this.m = m;
    this.off = counters.off;
    this.words = new Int32Array(state, 0, PERCPU_COUNTER_STATE_BYTES >>> 2);
    this.count64 = new BigInt64Array(state, COUNT_AT, 1);
    this.counters = counters;
    this.state = state;
    this.attached = attached;
    this.ops = ARCH_OPS[m.arch];
  }

  /**
   * The shared s64 count as a number (what percpu_counter_read() returns);
   * a RangeError if it is outside the safe integer range.
   */
  get count(): number {
    return s64ToNumber(this.count64[0], 'percpu_counter: count', 'fbc.countS64');
  }

  /** Written under the lock by this module; also by the explorer's step-by-step model of the slow path. */
  set count(v: number) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new TypeError(`percpu_counter: count must be a safe integer number, got ${describe(v)}`);
    this.count64[0] = BigInt(v);
  }

  /** The shared s64 count, exact. */
  get countS64(): bigint {
    return this.count64[0];
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

  /**
   * @internal raw_spin_lock(&fbc->lock) without the irq part; refuses recursion
   * (AA deadlock) with the lock unchanged. See take().
   */
  acquire(what: string): void {
    if (!take(this.words)) throw deadlock(what);
  }

  /** @internal */
  release(): void {
    const w = this.words;
    w[OWNER] = 0;
    arch_spin_unlock(w, LOCK);
  }

  /** @internal whether percpu_counter_destroy() ran in any thread. */
  get destroyed(): boolean {
    return this.counters === null || Atomics.load(this.words, BATCH) === 0;
  }

  /** @internal percpu_counter_batch changed (hotplug): every add reads it from here. */
  setBatch(batch: number): void {
    Atomics.store(this.words, BATCH, batch);
    Atomics.store(this.words, GATE, this.ops === X86_64_OPS ? batch : 0);
  }

  /** @internal closes the gate: every view's next add leaves the fast path and is refused. */
  markDestroyed(): void {
    Atomics.store(this.words, GATE, 0);
    Atomics.store(this.words, BATCH, 0);
  }
}

/**
 * The one-time check behind the lean fast path: the deltas are 4-byte aligned
 * and every CPU's copy lies inside the machine's memory (which never shrinks),
 * so the fast path's `%gs:off` access needs no check of its own.
 */
function checkDeltas(m: Machine, counters: PerCpuPtr<'i32'>, what: string): void {
  const off = counters.off;
  if ((off & 3) !== 0) throw new RangeError(`${what}: the counter's per-CPU deltas at 0x${off.toString(16)} are not 4-byte aligned`);
  let top = 0;
  for (let cpu = 0; cpu < m.nrCpus; cpu++) top = Math.max(top, m.perCpuOffset[cpu]);
  if (!(top + off + 4 <= m.u32.length * 4)) {
    throw new RangeError(`${what}: the counter's per-CPU deltas at 0x${off.toString(16)} lie outside this machine's per-CPU memory`);
  }
}

/** Worker threads share x86-64 machines only (src/threads/). */
function checkThreadsArch(m: Machine, what: string): void {
  if (m.arch !== 'x86_64') {
    throw new MachineStateError(`${what}: a counter is shared with worker threads on an x86-64 machine only; the machine is ${m.arch}`);
  }
}

/** Index in m.u32 of `cpu`'s delta: per_cpu_ptr(fbc->counters, cpu), on deltas checkDeltas() passed. */
function deltaIndex(fbc: PercpuCounter, cpu: number): number {
  return (fbc.m.perCpuOffset[cpu] + fbc.off) >>> 2;
}

/**
 * @internal Another thread's view of a counter (attachPercpuCounter), made
 * after the same one-time checks as percpu_counter_init's, so its adds take
 * the same fast path.
 */
export function percpuCounterView(m: Machine, counters: PerCpuPtr<'i32'>, state: SharedArrayBuffer, what: string): PercpuCounter {
  if (typeof what !== 'string') throw new TypeError(`percpuCounterView: what must name the calling API (a string), got ${describe(what)}`);
  checkThreadsArch(machineArg(m, what), what);
  if (!(counters instanceof PerCpuPtr)) throw new TypeError(`${what}: counters must be the counter's per-CPU pointer (i32 deltas), got ${describe(counters)}`);
  if (!(state instanceof SharedArrayBuffer) || state.byteLength !== PERCPU_COUNTER_STATE_BYTES) {
    throw new TypeError(`${what}: state must be the counter's ${PERCPU_COUNTER_STATE_BYTES}-byte SharedArrayBuffer (PercpuCounter.state), got ${state instanceof SharedArrayBuffer ? `one of ${state.byteLength} bytes` : describe(state)}`);
  }
  checkDeltas(m, counters, what);
  return new PercpuCounter(m, counters, state, true);
}

interface CounterModule {
  /** percpu_counter_batch: max(32, 2 × online CPUs), recomputed on hotplug. */
  batch: number;
  /** The counters the hotplug callback folds (the kernel's percpu_counters list). */
  readonly live: Set<PercpuCounter>;
}

const modules = new PerMachine<CounterModule>('percpu_counter');

/** compute_batch_value(): run at init and at each CPU online/dead; every live counter gets the new batch. */
function computeBatch(m: Machine, mod: CounterModule): void {
  mod.batch = Math.max(32, 2 * m.online.weight());
  for (const fbc of mod.live) fbc.setBatch(mod.batch);
}

/** percpu_counter_cpu_dead(): folds the dead CPU's delta of every counter into its count. */
function cpuDead(m: Machine, mod: CounterModule, cpu: number): void {
  computeBatch(m, mod);
  for (const fbc of mod.live) {
    const flags = lock(fbc, 'percpu_counter_cpu_dead');
    const i = deltaIndex(fbc, cpu);
    fbc.count64[0] += BigInt(m.u32[i] | 0);
    m.u32[i] = 0;
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
  return counterModule(machineArg(m, 'percpu_counter_batch')).batch;
}

/** Whether `x` is a PercpuCounter (see BRAND). */
export function isPercpuCounter(x: unknown): x is PercpuCounter {
  return (x as { brand?: unknown } | null | undefined)?.brand === BRAND;
}

function live(fbc: unknown, what: string): PercpuCounter {
  if (!isPercpuCounter(fbc)) throw new TypeError(`${what}: expected a percpu_counter from percpu_counter_init(), got ${describe(fbc)}`);
  if (fbc.destroyed) {
    throw new MachineStateError(`${what}: the percpu_counter was destroyed by percpu_counter_destroy(); initialise a new one with percpu_counter_init()`);
  }
  return fbc;
}

/** An s64 as a number; a RangeError naming the exact form (`exact`) instead of rounding. */
function s64ToNumber(v: bigint, what: string, exact: string): number {
  scratch64[0] = v;
  const lo = scratch32[0] >>> 0;
  const hi = scratch32[1];
  if (hi > SAFE_HI || hi < -SAFE_HI - 1 || (hi === -SAFE_HI - 1 && lo === 0)) {
    throw new RangeError(`${what}: ${v} is not a safe integer (|v| ≤ 2^53 - 1), so a number would round it; ${exact} returns it exactly`);
  }
  return hi * 0x100000000 + lo;
}

function deadlock(what: string): MachineStateError {
  return new MachineStateError(`${what}: deadlock: the percpu_counter's lock is already held on this CPU`);
}

/**
 * raw_spin_lock_irqsave(&fbc->lock). The lock is held by a thread: held by
 * another thread it is waited for; held by this one it can only mean
 * recursion (AA deadlock), refused with interrupts restored and the lock
 * unchanged. Nothing in the fold can throw once the lock is held, so it needs
 * no try/catch.
 */
function lock(fbc: PercpuCounter, what: string): number {
  const m = fbc.m;
  const flags = local_irq_save(m);
  if (!take(fbc.words)) {
    local_irq_restore(m, flags);
    throw deadlock(what);
  }
  return flags;
}

/**
 * Takes a counter's lock as this thread; false, with nothing changed, when
 * this thread holds it already. The compare-exchange comes first, before any
 * read of the lock's cacheline, as the kernel's queued_spin_lock() does
 * (include/asm-generic/qspinlock.h, Linux 6.11: atomic_try_cmpxchg_acquire,
 * then the slow path): a plain read first would fetch the line shared from
 * the CPU that folded last and then need a second transfer to own it — two
 * cross-core trips per fold instead of one. Only a lock found held is looked
 * at: OWNER is written and read with plain accesses, since only the thread
 * that wrote its own id can ever read that id back, and a thread always sees
 * its own last write. The lock word was checked when the counter was made, so
 * the wait (arch_spin_lock_contended: read, then try) needs no check of its own.
 */
function take(w: Int32Array): boolean {
  if (Atomics.compareExchange(w, LOCK, SPIN_UNLOCKED, SPIN_LOCKED) !== SPIN_UNLOCKED) {
    if (w[OWNER] === THREAD) return false;
    arch_spin_lock_contended(w, LOCK);
  }
  w[OWNER] = THREAD;
  return true;
}

function unlock(fbc: PercpuCounter, flags: number): void {
  fbc.release();
  local_irq_restore(fbc.m, flags);
}

/**
 * percpu_counter_init(fbc, amount, GFP_KERNEL): allocates the s32 deltas
 * (zeroed) and registers for hotplug. `name` is what traces call the deltas,
 * the C lvalue of `fbc->counters` (`nr_files.counters`), as alloc_percpu's.
 */
export function percpu_counter_init(m: Machine, amount: S64 = 0, name?: string): PercpuCounter {
  const what = 'percpu_counter_init';
  if (!machineArg(m, what).booted) throw new MachineStateError('percpu_counter_init: per-CPU memory is not set up yet: call m.boot() (setup_per_cpu_areas) first');
  const a = checkS64(what, 'amount', amount);
  checkAllocName(what, name);
  const c = m.ctx;
  if (c.kind === 'irq' || c.preemptCount > 0 || c.irqsDisabled) {
    throw new MachineStateError(
      `percpu_counter_init: BUG: sleeping function called from invalid context: ${m.pinnedReason()}; a GFP_KERNEL per-CPU allocation may sleep, initialise the counter from preemptible context`,
    );
  }
  const mod = counterModule(m);
  const counters = alloc_percpu(m, 'i32', name);
  if (counters === null) throw new MachineStateError('percpu_counter_init: -ENOMEM: alloc_percpu(s32) failed (see pcpu_warnings())');
  checkDeltas(m, counters, what);
  const fbc = new PercpuCounter(m, counters, new SharedArrayBuffer(PERCPU_COUNTER_STATE_BYTES), false);
  fbc.count64[0] = BigInt(a);
  fbc.setBatch(mod.batch);
  mod.live.add(fbc);
  return fbc;
}

/**
 * percpu_counter_destroy(): frees the deltas; a second call does nothing.
 * Other threads' views of the counter refuse any later use.
 */
export function percpu_counter_destroy(fbc: PercpuCounter): void {
  if (!isPercpuCounter(fbc)) throw new TypeError(`percpu_counter_destroy: expected a percpu_counter, got ${describe(fbc)}`);
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
 * percpu_counter_add_batch() (lib/percpu_counter.c, the CONFIG_HAVE_CMPXCHG_LOCAL
 * version of Linux 6.11+):
 *
 *   count = this_cpu_read(*fbc->counters);
 *   do {
 *     if (unlikely(abs(count + amount) >= batch)) { lock; fold; unlock; return; }
 *   } while (!this_cpu_try_cmpxchg(*fbc->counters, &count, count + amount));
 *
 * The fast path below is that loop's first turn, written as the two generated
 * ops it is made of do it (this_cpu_read_4: movl %gs:off; this_cpu_try_cmpxchg_4:
 * cmpxchgl %gs:off), minus the per-call checks the counter passed once at init.
 * Between the read and the exchange nothing else runs on this CPU (a JavaScript
 * call is not interrupted, and another thread never writes this CPU's delta),
 * so the exchange finds what was read and succeeds: a plain store.
 */
export function percpu_counter_add_batch(fbc: PercpuCounter, amount: S64, batch: number): void {
  if (fbc?.brand === BRAND && typeof amount === 'number' && (amount | 0) === amount
      && typeof batch === 'number' && (batch | 0) === batch && batch > 0 && fbc.words[GATE] !== 0) {
    const m = fbc.m;
    const u32 = m.u32;
    const i = (m.gs + fbc.off) >>> 2;
    const next = (u32[i] | 0) + amount;
    if (next < batch && next > -batch) {
      u32[i] = next;
      return;
    }
    fold(fbc, amount, 'percpu_counter_add_batch');
    return;
  }
  addSlow(fbc, amount, batch, 'percpu_counter_add_batch');
}

/**
 * percpu_counter_add()'s fast path, on a counter whose brand the caller tested
 * and an s32 amount: the try_cmpxchg turn, or the fold once the batch (kept
 * in GATE) is reached. False, with nothing changed, when the counter was
 * destroyed (its GATE is 0): the caller's slow path reports it.
 */
function addChecked(fbc: PercpuCounter, amount: number): boolean {
  const m = fbc.m;
  const u32 = m.u32;
  const i = (m.gs + fbc.off) >>> 2;
  const next = (u32[i] | 0) + amount;
  const batch = fbc.words[GATE];
  if (next < batch && next > -batch) {
    u32[i] = next;
    return true;
  }
  if (batch === 0) return false;
  fold(fbc, amount, 'percpu_counter_add');
  return true;
}

/** percpu_counter_add(): add_batch with percpu_counter_batch, which the counter keeps in GATE. */
export function percpu_counter_add(fbc: PercpuCounter, amount: S64): void {
  if (fbc?.brand === BRAND && typeof amount === 'number' && (amount | 0) === amount && addChecked(fbc, amount)) return;
  addSlow(fbc, amount, COUNTER_BATCH, 'percpu_counter_add');
}

/** percpu_counter_add_local(): batch INT_MAX, for write-mostly counters read with percpu_counter_sum(). */
export function percpu_counter_add_local(fbc: PercpuCounter, amount: S64): void {
  if (fbc?.brand === BRAND && typeof amount === 'number' && (amount | 0) === amount && fbc.words[GATE] !== 0) {
    const m = fbc.m;
    const u32 = m.u32;
    const i = (m.gs + fbc.off) >>> 2;
    const next = (u32[i] | 0) + amount;
    if (next < PERCPU_COUNTER_LOCAL_BATCH && next > -PERCPU_COUNTER_LOCAL_BATCH) {
      u32[i] = next;
      return;
    }
    fold(fbc, amount, 'percpu_counter_add_local');
    return;
  }
  addSlow(fbc, amount, PERCPU_COUNTER_LOCAL_BATCH, 'percpu_counter_add_local');
}

/**
 * addSlow()'s `batch` for percpu_counter_add(): the counter's percpu_counter_batch.
 * A value no caller can pass (a null batch from a caller is refused like any other).
 */
const COUNTER_BATCH = Symbol('percpu_counter_batch');

/**
 * Everything the fast path did not finish: checks every argument (naming
 * `what`), then runs percpu_counter_add_batch() in full. `batch` COUNTER_BATCH
 * means percpu_counter_batch.
 */
function addSlow(fbc: unknown, amount: unknown, batch: unknown, what: string): void {
  if (typeof amount === 'bigint') {
    // C's s64 amounts are bigints: one that is an s32 runs the call again on the number, fast path and all.
    const n = s32Of64(amount);
    if (n === n) {
      if (batch === COUNTER_BATCH) percpu_counter_add(fbc as PercpuCounter, n);
      else if (what === 'percpu_counter_add_local') percpu_counter_add_local(fbc as PercpuCounter, n);
      else percpu_counter_add_batch(fbc as PercpuCounter, n, batch as number);
      return;
    }
  }
  const c = live(fbc, what);
  const a = checkS64(what, 'amount', amount);
  const b = batch === COUNTER_BATCH ? c.words[BATCH] : checkBatch(what, batch);
  c.ops.addBatch(c, a, b, what);
}

/** percpu_counter_add_batch() for a safe-integer amount: the decision is exact in a double. */
function addBatch(fbc: PercpuCounter, amount: number, batch: number, what: string): void {
  const m = fbc.m;
  const u32 = m.u32;
  const i = (m.gs + fbc.off) >>> 2;
  const count = u32[i] | 0;
  if (Math.abs(count + amount) < batch) {
    u32[i] = count + amount;
    return;
  }
  fold(fbc, amount, what);
}

/**
 * percpu_counter_add_batch() for an amount beyond ±2^53, in the kernel's s64
 * arithmetic: `count + amount` and abs() wrap, and a sum that wraps to
 * exactly S64_MIN passes the batch test (abs(S64_MIN) is S64_MIN, negative)
 * and is stored truncated to the s32 delta, as the kernel does.
 */
function addBatchS64(fbc: PercpuCounter, amount: bigint, batch: number, what: string): void {
  const m = fbc.m;
  const u32 = m.u32;
  const i = (m.gs + fbc.off) >>> 2;
  const sum = s64(BigInt(u32[i] | 0) + amount);
  if (abs64(sum) < BigInt(batch)) {
    u32[i] = Number(BigInt.asIntN(32, sum));
    return;
  }
  fold(fbc, amount, what);
}

/**
 * The slow path: under the lock with interrupts off, read the delta again (by
 * now the task may run elsewhere or the delta may have changed), add
 * delta + amount to count, subtract the delta. The delta is read and
 * subtracted as __this_cpu_read_4 and __this_cpu_sub_4 do it, without their
 * DEBUG_PREEMPT check, which cannot fire with interrupts off; nothing between
 * lock and unlock can throw.
 */
function fold(fbc: PercpuCounter, amount: S64, what: string): void {
  const m = fbc.m;
  const flags = lock(fbc, what);
  const u32 = m.u32;
  const i = (m.gs + fbc.off) >>> 2;
  const delta = u32[i] | 0;
  if (typeof amount === 'number') {
    // An int32 sum (every fold of a small amount) is added in registers: V8 lowers BigInt(int32)
    // into a BigInt64Array to 64-bit machine arithmetic, with no bigint allocated. Else exactly.
    const d = delta + amount;
    if ((d | 0) === d) fbc.count64[0] += BigInt(d | 0);
    else fbc.count64[0] += BigInt(delta) + BigInt(amount);
  } else {
    fbc.count64[0] += BigInt(delta) + amount;
  }
  u32[i] = (u32[i] | 0) - delta;
  unlock(fbc, flags);
}

/**
 * One architecture's build of the counter: the generated ops its calls are
 * made of (the machine's own: arm64's `cas` on TPIDR_EL1, asm-generic's
 * irq-off sequences) and percpu_counter_add_batch() and the fold as that
 * architecture's kernel compiles lib/percpu_counter.c.
 */
export interface CounterOps {
  /** The architecture's this_cpu_read_4: the add's first read of the delta. */
  readonly this_cpu_read_4: typeof x86_64.this_cpu_read_4;
  /** The architecture's this_cpu_try_cmpxchg_4: the add's store of the new delta. */
  readonly this_cpu_try_cmpxchg_4: typeof x86_64.this_cpu_try_cmpxchg_4;
  /** The architecture's this_cpu_add_4 (asm-generic's add, __percpu_counter_limited_add's lock-free add). */
  readonly this_cpu_add_4: typeof x86_64.this_cpu_add_4;
  /** The architecture's __this_cpu_read_4: the delta read again under the lock. */
  readonly __this_cpu_read_4: typeof x86_64.__this_cpu_read_4;
  /** The architecture's __this_cpu_sub_4: the folded delta taken back out. */
  readonly __this_cpu_sub_4: typeof x86_64.__this_cpu_sub_4;
  /** percpu_counter_add_batch() on arguments already checked. */
  readonly addBatch: (fbc: PercpuCounter, amount: S64, batch: number, what: string) => void;
  /** Under the lock with interrupts off: this CPU's delta plus `amount` into count, the delta taken back out. */
  readonly fold: (fbc: PercpuCounter, amount: S64, what: string) => void;
}

/** Whether abs(count + amount) < batch in the kernel's s64 arithmetic (abs(S64_MIN) wraps negative, so it passes). */
function within(count: number, amount: S64, batch: number): boolean {
  if (typeof amount === 'number') return Math.abs(count + amount) < batch;
  return abs64(s64(BigInt(count) + amount)) < BigInt(batch);
}

/** `amount` as this_cpu_add of an s32 takes it: truncated to 32 bits. */
function s32Of(amount: S64): number {
  return typeof amount === 'number' ? amount | 0 : Number(BigInt.asIntN(32, amount));
}

/** The expected-value box of this_cpu_try_cmpxchg: one for the module, since a fast-flavour call is never interrupted. */
const ovalp = { value: 0 };

/**
 * percpu_counter_add_batch(), CONFIG_HAVE_CMPXCHG_LOCAL (lib/percpu_counter.c,
 * Linux 6.11+), on the architecture's generated ops: this_cpu_read, then
 * this_cpu_try_cmpxchg until it takes (a miss hands back the value found) or
 * the batch is reached and the fold runs. In a fast-flavour call nothing else
 * runs on this CPU, so the first exchange takes.
 */
function addBatchCmpxchgLocal(fbc: PercpuCounter, amount: S64, batch: number, what: string): void {
  const m = fbc.m;
  const pcp = fbc.counters!;
  const ops = fbc.ops;
  let count = ops.this_cpu_read_4(m, pcp) | 0;
  for (;;) {
    if (!within(count, amount, batch)) {
      ops.fold(fbc, amount, what);
      return;
    }
    ovalp.value = count;
    if (ops.this_cpu_try_cmpxchg_4(m, pcp, ovalp, (count + s32Of(amount)) | 0)) return;
    count = ovalp.value | 0;
  }
}

/**
 * The fold of the CONFIG_HAVE_CMPXCHG_LOCAL build and percpu_counter_sync(),
 * on the architecture's generated ops: raw_spin_lock_irqsave, count +=
 * __this_cpu_read() + amount, __this_cpu_sub() of what was read.
 */
function foldOps(fbc: PercpuCounter, amount: S64, what: string): void {
  const m = fbc.m;
  const pcp = fbc.counters!;
  const ops = fbc.ops;
  const flags = lock(fbc, what);
  const count = ops.__this_cpu_read_4(m, pcp) | 0;
  fbc.count64[0] += BigInt(count) + BigInt(amount);
  ops.__this_cpu_sub_4(m, pcp, count);
  unlock(fbc, flags);
}

/**
 * percpu_counter_add_batch() without CONFIG_HAVE_CMPXCHG_LOCAL (the
 * asm-generic build of lib/percpu_counter.c): the decision and the update
 * under local_irq_save, the fold under the bare raw_spin_lock. A recursive
 * lock is refused with interrupts restored, before anything changed.
 */
function addBatchIrq(fbc: PercpuCounter, amount: S64, batch: number, what: string): void {
  const m = fbc.m;
  const pcp = fbc.counters!;
  const ops = fbc.ops;
  const flags = local_irq_save(m);
  const count = ops.__this_cpu_read_4(m, pcp) | 0;
  if (within(count, amount, batch)) {
    ops.this_cpu_add_4(m, pcp, s32Of(amount));
  } else {
    if (!take(fbc.words)) {
      local_irq_restore(m, flags);
      throw deadlock(what);
    }
    fbc.count64[0] += BigInt(count) + BigInt(amount);
    ops.__this_cpu_sub_4(m, pcp, count);
    fbc.release();
  }
  local_irq_restore(m, flags);
}

/** x86-64: the inline fast path above, and this slow path; its ops serve __percpu_counter_limited_add. */
const X86_64_OPS: CounterOps = {
  this_cpu_read_4: x86_64.this_cpu_read_4,
  this_cpu_try_cmpxchg_4: x86_64.this_cpu_try_cmpxchg_4,
  this_cpu_add_4: x86_64.this_cpu_add_4,
  __this_cpu_read_4: x86_64.__this_cpu_read_4,
  __this_cpu_sub_4: x86_64.__this_cpu_sub_4,
  addBatch: (fbc, amount, batch, what) => (typeof amount === 'number' ? addBatch(fbc, amount, batch, what) : addBatchS64(fbc, amount, batch, what)),
  fold,
};

/** The build of each architecture, as its kernel selects it (HAVE_CMPXCHG_LOCAL: arch/x86/Kconfig, arch/arm64/Kconfig; asm-generic has none). */
const ARCH_OPS: Readonly<Record<Arch, CounterOps>> = {
  x86_64: X86_64_OPS,
  arm64: {
    this_cpu_read_4: arm64.this_cpu_read_4,
    this_cpu_try_cmpxchg_4: arm64.this_cpu_try_cmpxchg_4,
    this_cpu_add_4: arm64.this_cpu_add_4,
    __this_cpu_read_4: arm64.__this_cpu_read_4,
    __this_cpu_sub_4: arm64.__this_cpu_sub_4,
    addBatch: addBatchCmpxchgLocal,
    fold: foldOps,
  },
  generic: {
    this_cpu_read_4: generic.this_cpu_read_4,
    this_cpu_try_cmpxchg_4: generic.this_cpu_try_cmpxchg_4,
    this_cpu_add_4: generic.this_cpu_add_4,
    __this_cpu_read_4: generic.__this_cpu_read_4,
    __this_cpu_sub_4: generic.__this_cpu_sub_4,
    addBatch: addBatchIrq,
    fold: foldOps,
  },
};

/** The kernel negates an s64 amount: -S64_MIN wraps to S64_MIN. */
function negate(what: string, amount: unknown): S64 {
  const a = checkS64(what, 'amount', amount);
  return typeof a === 'number' ? -a : s64(-a);
}

/** `percpu_counter_sub_local(fbc, amount)`: percpu_counter_add_local() of the negation. */
export function percpu_counter_sub_local(fbc: PercpuCounter, amount: S64): void {
  live(fbc, 'percpu_counter_sub_local');
  percpu_counter_add_local(fbc, negate('percpu_counter_sub_local', amount));
}

/** `percpu_counter_sub(fbc, amount)`: percpu_counter_add() of the negation. */
export function percpu_counter_sub(fbc: PercpuCounter, amount: S64): void {
  live(fbc, 'percpu_counter_sub');
  percpu_counter_add(fbc, negate('percpu_counter_sub', amount));
}

/**
 * `percpu_counter_inc(fbc)`: percpu_counter_add(fbc, 1), as the kernel's
 * static inline is; the brand is tested once and the amount needs no test.
 */
export function percpu_counter_inc(fbc: PercpuCounter): void {
  if (fbc?.brand !== BRAND) addSlow(fbc, 1, COUNTER_BATCH, 'percpu_counter_inc');
  else if (!addChecked(fbc, 1)) addSlow(fbc, 1, COUNTER_BATCH, 'percpu_counter_add');
}

/** `percpu_counter_dec(fbc)`: percpu_counter_add(fbc, -1). */
export function percpu_counter_dec(fbc: PercpuCounter): void {
  if (fbc?.brand !== BRAND) addSlow(fbc, -1, COUNTER_BATCH, 'percpu_counter_dec');
  else if (!addChecked(fbc, -1)) addSlow(fbc, -1, COUNTER_BATCH, 'percpu_counter_add');
}

/**
 * percpu_counter_read(): `count` only, lock-free (one 64-bit load, as in the
 * kernel); off from the sum by less than batch × online CPUs. A RangeError
 * when the count is not a safe integer: see percpu_counter_read_s64().
 */
export function percpu_counter_read(fbc: PercpuCounter): number {
  if (fbc?.brand === BRAND && fbc.words[GATE] !== 0) {
    return s64ToNumber(fbc.count64[0], 'percpu_counter_read', 'percpu_counter_read_s64()');
  }
  return s64ToNumber(live(fbc, 'percpu_counter_read').count64[0], 'percpu_counter_read', 'percpu_counter_read_s64()');
}

/** percpu_counter_read() as the exact s64. */
export function percpu_counter_read_s64(fbc: PercpuCounter): bigint {
  return live(fbc, 'percpu_counter_read_s64').count64[0];
}

/** percpu_counter_read_positive(): read(), with a negative approximation reported as 0. */
export function percpu_counter_read_positive(fbc: PercpuCounter): number {
  const v = live(fbc, 'percpu_counter_read_positive').count64[0];
  return v >= 0n ? s64ToNumber(v, 'percpu_counter_read_positive', 'percpu_counter_read_s64()') : 0;
}

/**
 * __percpu_counter_sum(): count plus every online or dying CPU's delta, under
 * the lock, in s64 arithmetic (it wraps as the kernel's does).
 */
export function percpu_counter_sum_s64(fbc: PercpuCounter): bigint {
  return sum(live(fbc, 'percpu_counter_sum_s64'), 'percpu_counter_sum_s64');
}

/** percpu_counter_sum() as a number; a RangeError when the sum is not a safe integer (see percpu_counter_sum_s64()). */
export function percpu_counter_sum(fbc: PercpuCounter): number {
  return s64ToNumber(sum(live(fbc, 'percpu_counter_sum'), 'percpu_counter_sum'), 'percpu_counter_sum', 'percpu_counter_sum_s64()');
}

function sum(fbc: PercpuCounter, what: string): bigint {
  const m = fbc.m;
  const flags = lock(fbc, what);
  try {
    let deltas = 0;
    const dying = cpu_dying_mask(m);
    for (let cpu = 0; cpu < m.nrCpus; cpu++) {
      if (m.online.test(cpu) || dying.test(cpu)) deltas += m.u32[deltaIndex(fbc, cpu)] | 0;
    }
    // At most 8192 CPUs × 2^31: the deltas' total is exact in a double.
    return s64(fbc.count64[0] + BigInt(deltas));
  } finally {
    unlock(fbc, flags);
  }
}

/** percpu_counter_sum_positive(): sum(), with a negative total reported as 0. */
export function percpu_counter_sum_positive(fbc: PercpuCounter): number {
  const what = 'percpu_counter_sum_positive';
  const v = sum(live(fbc, what), what);
  return v < 0n ? 0 : s64ToNumber(v, what, 'percpu_counter_sum_s64()');
}

/** percpu_counter_set(): zeroes every possible CPU's delta and sets count, under the lock. */
export function percpu_counter_set(fbc: PercpuCounter, amount: S64): void {
  const what = 'percpu_counter_set';
  live(fbc, what);
  const a = checkS64(what, 'amount', amount);
  const m = fbc.m;
  const flags = lock(fbc, what);
  try {
    for (const cpu of m.possible) m.u32[deltaIndex(fbc, cpu)] = 0;
    fbc.count64[0] = BigInt(a);
  } finally {
    unlock(fbc, flags);
  }
}

/** percpu_counter_sync(): folds this CPU's delta into count. */
export function percpu_counter_sync(fbc: PercpuCounter): void {
  live(fbc, 'percpu_counter_sync').ops.fold(fbc, 0, 'percpu_counter_sync');
}

/**
 * __percpu_counter_compare(): -1, 0 or 1 as the counter is below, at or above
 * `rhs`. When the approximate count is more than batch × online CPUs away the
 * answer cannot change, so the deltas are not summed (the fast path).
 */
export function __percpu_counter_compare(fbc: PercpuCounter, rhs: S64, batch: number): -1 | 0 | 1 {
  const what = '__percpu_counter_compare';
  live(fbc, what);
  const r = BigInt(checkS64(what, 'rhs', rhs));
  const b = checkBatch(what, batch);
  let count = fbc.count64[0];
  if (abs64(count - r) > errorBound(fbc.m, b)) return count > r ? 1 : -1;
  count = sum(fbc, what);
  return count > r ? 1 : count < r ? -1 : 0;
}

/** `percpu_counter_compare(fbc, rhs)`: -1, 0 or 1 as the count compares with `rhs`; the exact sum is taken only when the approximate count is within the error bound. */
export function percpu_counter_compare(fbc: PercpuCounter, rhs: S64): -1 | 0 | 1 {
  return __percpu_counter_compare(fbc, rhs, live(fbc, 'percpu_counter_compare').words[BATCH]);
}

/**
 * __percpu_counter_limited_add() (Linux 6.7+): adds `amount` only if the total
 * stays at or below `limit` (amount > 0) or at or above it (amount < 0);
 * returns whether it did. Lock-free when count ± batch × online proves the
 * answer, precise sum only when it cannot. In s64 arithmetic, as the kernel's.
 */
export function __percpu_counter_limited_add(fbc: PercpuCounter, limit: S64, amount: S64, batch: number): boolean {
  const what = '__percpu_counter_limited_add';
  live(fbc, what);
  const lim = BigInt(checkS64(what, 'limit', limit));
  const a = BigInt(checkS64(what, 'amount', amount));
  const b = checkBatch(what, batch);
  if (a === 0n) return true;
  const m = fbc.m;
  const pcp = fbc.counters!;
  const ops = fbc.ops;
  const flags = local_irq_save(m);
  try {
    const unknown = errorBound(fbc.m, b);
    let count = BigInt(ops.__this_cpu_read_4(m, pcp) | 0);
    // Skip the lock when the approximate count proves the limit holds.
    const approx = fbc.count64[0];
    if (abs64(count + a) <= BigInt(b) &&
        ((a > 0n && s64(approx + unknown) <= lim) || (a < 0n && s64(approx - unknown) >= lim))) {
      ops.this_cpu_add_4(m, pcp, Number(BigInt.asIntN(32, a)));
      return true;
    }
    fbc.acquire(what);
    try {
      count = s64(fbc.count64[0] + a);
      let good = false;
      // Skip percpu_counter_sum() when the approximation decides.
      if (a > 0n) {
        if (s64(count - unknown) > lim) return false;
        if (s64(count + unknown) <= lim) good = true;
      } else {
        if (s64(count + unknown) < lim) return false;
        if (s64(count - unknown) >= lim) good = true;
      }
      if (!good) {
        const dying = cpu_dying_mask(m);
        for (let cpu = 0; cpu < m.nrCpus; cpu++) {
          if (m.online.test(cpu) || dying.test(cpu)) count = s64(count + BigInt(m.u32[deltaIndex(fbc, cpu)] | 0));
        }
        if (a > 0n ? count > lim : count < lim) return false;
      }
      const delta = ops.__this_cpu_read_4(m, pcp) | 0;
      fbc.count64[0] += BigInt(delta) + a;
      ops.__this_cpu_sub_4(m, pcp, delta);
      return true;
    } finally {
      fbc.release();
    }
  } finally {
    local_irq_restore(m, flags);
  }
}

/** `percpu_counter_limited_add(fbc, limit, amount)`: adds `amount` unless the count would pass `limit`; returns whether it added. */
export function percpu_counter_limited_add(fbc: PercpuCounter, limit: S64, amount: S64): boolean {
  return __percpu_counter_limited_add(fbc, limit, amount, live(fbc, 'percpu_counter_limited_add').words[BATCH]);
}
