/**
 * percpu_counter, stepped: the kernel's lib/percpu_counter.c (v6.11+)
 * instruction by instruction, as the machine's architecture builds it (the
 * CONFIG_HAVE_CMPXCHG_LOCAL this_cpu_try_cmpxchg loop on x86-64 and arm64,
 * the local_irq_save build on asm-generic), on the same runtime counter as
 * the plain functions of src/lib/percpu-counter.ts, so a scenario or
 * translated C can interleave other CPUs, preemption and interrupts inside a
 * counter call. Each access is one step:
 *
 * - the CPU's s32 delta through the machine's own stepped per-CPU ops
 *   (this_cpu_read, this_cpu_try_cmpxchg, __this_cpu_read, __this_cpu_sub:
 *   the architecture's table decides how many instructions each is);
 * - the raw spinlock: a blocking step while another CPU holds it;
 * - the s64 count: one 64-bit load or read-modify-write (it is never torn on
 *   a 64-bit kernel);
 * - another CPU's delta in __percpu_counter_sum(): one plain load.
 *
 * The lock and the count are not machine memory (src/lib/percpu-counter.ts
 * keeps them in the counter's own buffer), so their steps name them as
 * resources, `percpu_counter@<deltas' offset>.lock` and `.count`, which is
 * all the explorer's reduction needs to see conflicts. Traces name the
 * counter as the C object it was initialised for (`nr_files.count`).
 */
import { per_cpu_ptr } from '../accessors.js';
import { cpu_dying_mask } from '../kernel/hotplug.js';
import { local_irq_restore, local_irq_save, preempt_disable, preempt_enable } from '../kernel/preempt.js';
import type { Arch } from '../arch.js';
import type { Machine } from '../machine.js';
import type { PerCpuPtr } from '../percpu-ptr.js';
import { load, store, type Step, type StepGen } from '../sched/step.js';
import type { SteppedOps } from '../typed.js';
import { MachineStateError } from '../errors.js';
import { notACounter, percpu_counter_name } from './percpu-counter-at.js';
import { isPercpuCounter, percpu_counter_batch, type PercpuCounter, type S64 } from './percpu-counter.js';
import { abs64, checkBatch, checkS64, errorBound, PERCPU_COUNTER_LOCAL_BATCH } from './s64.js';

/** A live counter's deltas, or the refusal naming the call (before any step). */
function deltas(fbc: unknown, what: string): PerCpuPtr<'i32'> {
  if (!isPercpuCounter(fbc)) throw notACounter(what, fbc);
  if (fbc.destroyed || fbc.counters === null) {
    throw new MachineStateError(`${what}: the percpu_counter was destroyed by percpu_counter_destroy(); initialise a new one with percpu_counter_init()`);
  }
  return fbc.counters;
}

/** The machine's own stepped per-CPU ops, bound to the deltas when they were allocated. */
function ops(pcp: PerCpuPtr<'i32'>): SteppedOps['stepped'] {
  return (pcp.ops as SteppedOps).stepped;
}

function res(fbc: PercpuCounter): { lock: string; count: string; name: string } {
  const id = `percpu_counter@${fbc.off}`;
  return { lock: `${id}.lock`, count: `${id}.count`, name: percpu_counter_name(fbc) };
}

/**
 * How each architecture spells the steps on the lock and the count, which
 * are ordinary kernel memory: x86-64's instructions; arm64's with LSE atomics
 * (qspinlock's acquire compare-and-swap, the release store of its unlock);
 * asm-generic in C, as its per-CPU ops are.
 */
const SPELLING: Readonly<Record<Arch, Readonly<Record<'lock' | 'unlock' | 'load' | 'add' | 'store', (n: string) => string>>>> = {
  x86_64: {
    lock: (n) => `lock cmpxchgl %edx, ${n}.lock`,
    unlock: (n) => `movb $0, ${n}.lock`,
    load: (n) => `movq ${n}.count, %rax`,
    add: (n) => `addq %rax, ${n}.count`,
    store: (n) => `movq %rax, ${n}.count`,
  },
  arm64: {
    lock: (n) => `casa w1, w2, [${n}.lock]`,
    unlock: (n) => `stlrb wzr, [${n}.lock]`,
    load: (n) => `ldr x0, [${n}.count]`,
    add: (n) => `ldr x1, [${n}.count]; add x1, x1, x0; str x1, [${n}.count]`,
    store: (n) => `str x0, [${n}.count]`,
  },
  generic: {
    lock: (n) => `arch_spin_lock(&${n}.lock)`,
    unlock: (n) => `arch_spin_unlock(&${n}.lock)`,
    load: (n) => `r = ${n}.count`,
    add: (n) => `${n}.count += r`,
    store: (n) => `${n}.count = r`,
  },
};

/** raw_spin_lock(&fbc->lock): preemption off, then the acquisition, a step that waits while the lock is held. */
function* rawLock(m: Machine, fbc: PercpuCounter): StepGen<void> {
  preempt_disable(m);
  const r = res(fbc);
  yield { asm: `${SPELLING[m.arch].lock(r.name)}    ; raw_spin_lock`, writes: [r.lock], enabled: () => !fbc.locked };
  fbc.locked = true;
}

/** raw_spin_unlock(&fbc->lock). */
function* rawUnlock(m: Machine, fbc: PercpuCounter): StepGen<void> {
  const r = res(fbc);
  yield { asm: `${SPELLING[m.arch].unlock(r.name)}    ; raw_spin_unlock`, writes: [r.lock] };
  fbc.locked = false;
  preempt_enable(m);
}

/** raw_spin_lock_irqsave(&fbc->lock, flags): interrupts off, then raw_spin_lock. */
function* lock(m: Machine, fbc: PercpuCounter): StepGen<number> {
  const flags = local_irq_save(m);
  yield* rawLock(m, fbc);
  return flags;
}

/** raw_spin_unlock_irqrestore(&fbc->lock, flags). */
function* unlock(m: Machine, fbc: PercpuCounter, flags: number): StepGen<void> {
  yield* rawUnlock(m, fbc);
  local_irq_restore(m, flags);
}

/** One step on the shared s64 count: `fn` runs when the scheduler resumes the task. */
function* onCount<R>(fbc: PercpuCounter, kind: 'load' | 'add' | 'store', fn: () => R): StepGen<R> {
  const r = res(fbc);
  const asm = SPELLING[fbc.m.arch][kind](r.name);
  const write = kind !== 'load';
  const step: { -readonly [K in keyof Step]: Step[K] } = write ? { asm, writes: [r.count] } : { asm, reads: [r.count] };
  const before = fbc.count64[0];
  yield step;
  const v = fn();
  step.moved = write ? `${before} -> ${fbc.count64[0]}` : String(fbc.count64[0]);
  return v;
}

/**
 * percpu_counter_add_batch(fbc, amount, batch), stepped:
 *
 *   count = this_cpu_read(*fbc->counters);
 *   do {
 *     if (unlikely(abs(count + amount) >= batch)) {
 *       raw_spin_lock_irqsave(&fbc->lock, flags);
 *       count = __this_cpu_read(*fbc->counters);
 *       fbc->count += count + amount;
 *       __this_cpu_sub(*fbc->counters, count);
 *       raw_spin_unlock_irqrestore(&fbc->lock, flags);
 *       return;
 *     }
 *   } while (!this_cpu_try_cmpxchg(*fbc->counters, &count, count + amount));
 *
 * `count` is an s64 and the exchange is 4 bytes: on a miss x86-64 writes back
 * only its low half (percpu_try_cmpxchg_op casts ovalp to s32 *), arm64 and
 * asm-generic the value found, sign-extended (raw_cpu_generic_try_cmpxchg), as
 * the translator does for the same C (examples/kernel/percpu_counter.c).
 */
export function* percpu_counter_add_batch(fbc: PercpuCounter, amount: S64, batch: number): StepGen<void> {
  const what = 'percpu_counter_add_batch';
  const pcp = deltas(fbc, what);
  const a = BigInt(checkS64(what, 'amount', amount));
  const b = BigInt(checkBatch(what, batch));
  const m = fbc.m;
  if (m.arch === 'generic') return yield* addBatchIrq(fbc, pcp, a, b);
  let count = BigInt(yield* ops(pcp).this_cpu_read(m, pcp));
  for (;;) {
    if (abs64(count + a) >= b) {
      const flags = yield* lock(m, fbc);
      const c = BigInt(yield* ops(pcp).__this_cpu_read(m, pcp));
      yield* onCount(fbc, 'add', () => {
        fbc.count64[0] = BigInt.asIntN(64, fbc.count64[0] + BigInt.asIntN(64, c + a));
      });
      yield* ops(pcp).__this_cpu_sub(m, pcp, Number(c));
      yield* unlock(m, fbc, flags);
      return;
    }
    const box = { value: Number(BigInt.asIntN(32, count)) };
    if (yield* ops(pcp).this_cpu_try_cmpxchg(m, pcp, box, Number(BigInt.asIntN(32, count + a)))) return;
    count = m.arch === 'x86_64' ? (count & ~0xffffffffn) | BigInt(box.value >>> 0) : BigInt(box.value);
  }
}

/**
 * percpu_counter_add_batch() without CONFIG_HAVE_CMPXCHG_LOCAL (asm-generic,
 * lib/percpu_counter.c v6.11+ `#else`): with interrupts off,
 *
 *   count = __this_cpu_read(*fbc->counters) + amount;
 *   if (abs(count) >= batch) {
 *     raw_spin_lock(&fbc->lock);
 *     fbc->count += count;
 *     __this_cpu_sub(*fbc->counters, count - amount);
 *     raw_spin_unlock(&fbc->lock);
 *   } else {
 *     this_cpu_add(*fbc->counters, amount);
 *   }
 */
function* addBatchIrq(fbc: PercpuCounter, pcp: PerCpuPtr<'i32'>, a: bigint, b: bigint): StepGen<void> {
  const m = fbc.m;
  const flags = local_irq_save(m);
  const count = BigInt.asIntN(64, BigInt(yield* ops(pcp).__this_cpu_read(m, pcp)) + a);
  if (abs64(count) >= b) {
    yield* rawLock(m, fbc);
    yield* onCount(fbc, 'add', () => {
      fbc.count64[0] = BigInt.asIntN(64, fbc.count64[0] + count);
    });
    yield* ops(pcp).__this_cpu_sub(m, pcp, Number(BigInt.asIntN(32, count - a)));
    yield* rawUnlock(m, fbc);
  } else {
    yield* ops(pcp).this_cpu_add(m, pcp, Number(BigInt.asIntN(32, a)));
  }
  local_irq_restore(m, flags);
}

/** percpu_counter_add(fbc, amount), stepped: add_batch with percpu_counter_batch. */
export function percpu_counter_add(fbc: PercpuCounter, amount: S64): StepGen<void> {
  deltas(fbc, 'percpu_counter_add');
  return percpu_counter_add_batch(fbc, amount, percpu_counter_batch(fbc.m));
}

/** percpu_counter_add_local(fbc, amount), stepped: add_batch with PERCPU_COUNTER_LOCAL_BATCH (it almost never folds). */
export function percpu_counter_add_local(fbc: PercpuCounter, amount: S64): StepGen<void> {
  return percpu_counter_add_batch(fbc, amount, PERCPU_COUNTER_LOCAL_BATCH);
}

/** The kernel's negation of an s64 amount (-S64_MIN wraps to itself). */
function neg(what: string, amount: S64): bigint {
  return BigInt.asIntN(64, -BigInt(checkS64(what, 'amount', amount)));
}

/** percpu_counter_sub(fbc, amount), stepped: percpu_counter_add() of -amount. */
export function percpu_counter_sub(fbc: PercpuCounter, amount: S64): StepGen<void> {
  return percpu_counter_add(fbc, neg('percpu_counter_sub', amount));
}

/** percpu_counter_sub_local(fbc, amount), stepped: percpu_counter_add_local() of -amount. */
export function percpu_counter_sub_local(fbc: PercpuCounter, amount: S64): StepGen<void> {
  return percpu_counter_add_local(fbc, neg('percpu_counter_sub_local', amount));
}

/** percpu_counter_inc(fbc), stepped: adds 1. */
export function percpu_counter_inc(fbc: PercpuCounter): StepGen<void> {
  return percpu_counter_add(fbc, 1);
}

/** percpu_counter_dec(fbc), stepped: adds -1. */
export function percpu_counter_dec(fbc: PercpuCounter): StepGen<void> {
  return percpu_counter_add(fbc, -1);
}

/** percpu_counter_read(fbc), stepped: `return fbc->count;`, one 64-bit load, no lock. */
export function* percpu_counter_read(fbc: PercpuCounter): StepGen<bigint> {
  deltas(fbc, 'percpu_counter_read');
  return yield* onCount(fbc, 'load', () => fbc.count64[0]);
}

/** percpu_counter_read_positive(fbc), stepped: READ_ONCE(fbc->count), or 0 when it is negative. */
export function* percpu_counter_read_positive(fbc: PercpuCounter): StepGen<bigint> {
  deltas(fbc, 'percpu_counter_read_positive');
  const v = yield* onCount(fbc, 'load', () => fbc.count64[0]);
  return v >= 0n ? v : 0n;
}

/**
 * __percpu_counter_sum(fbc), stepped: under the lock with interrupts off,
 * the count, then each online or dying CPU's delta, one load each
 * (for_each_cpu_or(cpu, cpu_online_mask, cpu_dying_mask)).
 */
export function* percpu_counter_sum(fbc: PercpuCounter): StepGen<bigint> {
  const pcp = deltas(fbc, 'percpu_counter_sum');
  const m = fbc.m;
  const flags = yield* lock(m, fbc);
  let ret = yield* onCount(fbc, 'load', () => fbc.count64[0]);
  const dying = cpu_dying_mask(m);
  for (let cpu = 0; cpu < m.nrCpus; cpu++) {
    if (!m.online.test(cpu) && !dying.test(cpu)) continue;
    ret = BigInt.asIntN(64, ret + BigInt((yield* load(m, per_cpu_ptr(m, pcp, cpu), 'i32')) as number));
  }
  yield* unlock(m, fbc, flags);
  return ret;
}

/** percpu_counter_sum_positive(fbc), stepped: the sum, or 0 when it is negative. */
export function* percpu_counter_sum_positive(fbc: PercpuCounter): StepGen<bigint> {
  const v = yield* percpu_counter_sum(fbc);
  return v < 0n ? 0n : v;
}

/** percpu_counter_set(fbc, amount), stepped: under the lock, every possible CPU's delta zeroed (a store each), then the count set. */
export function* percpu_counter_set(fbc: PercpuCounter, amount: S64): StepGen<void> {
  const what = 'percpu_counter_set';
  const pcp = deltas(fbc, what);
  const a = BigInt(checkS64(what, 'amount', amount));
  const m = fbc.m;
  const flags = yield* lock(m, fbc);
  for (const cpu of m.possible) yield* store(m, per_cpu_ptr(m, pcp, cpu), 'i32', 0);
  yield* onCount(fbc, 'store', () => {
    fbc.count64[0] = a;
  });
  yield* unlock(m, fbc, flags);
}

/** percpu_counter_sync(fbc), stepped: under the lock, this CPU's delta folded into the count. */
export function* percpu_counter_sync(fbc: PercpuCounter): StepGen<void> {
  const pcp = deltas(fbc, 'percpu_counter_sync');
  const m = fbc.m;
  const flags = yield* lock(m, fbc);
  const c = BigInt(yield* ops(pcp).__this_cpu_read(m, pcp));
  yield* onCount(fbc, 'add', () => {
    fbc.count64[0] = BigInt.asIntN(64, fbc.count64[0] + c);
  });
  yield* ops(pcp).__this_cpu_sub(m, pcp, Number(c));
  yield* unlock(m, fbc, flags);
}

/**
 * __percpu_counter_limited_add(fbc, limit, amount, batch), stepped (Linux
 * 6.7+): with interrupts off, the delta is read; when it stays within the
 * batch and the shared count ± batch × online CPUs proves the limit holds,
 * the amount goes into the delta without the lock. Otherwise, under the lock,
 * the count (and, when the approximation cannot decide, every online or
 * dying CPU's delta) decides; an add that keeps within the limit folds this
 * CPU's delta with it. Returns whether it added.
 */
export function* __percpu_counter_limited_add(fbc: PercpuCounter, limit: S64, amount: S64, batch: number): StepGen<boolean> {
  const what = '__percpu_counter_limited_add';
  const pcp = deltas(fbc, what);
  const lim = BigInt(checkS64(what, 'limit', limit));
  const a = BigInt(checkS64(what, 'amount', amount));
  const b = checkBatch(what, batch);
  if (a === 0n) return true;
  const m = fbc.m;
  const flags = local_irq_save(m);
  const unknown = errorBound(m, b);
  let count = BigInt(yield* ops(pcp).__this_cpu_read(m, pcp));
  if (abs64(count + a) <= BigInt(b)) {
    const approx = yield* onCount(fbc, 'load', () => fbc.count64[0]);
    if ((a > 0n && BigInt.asIntN(64, approx + unknown) <= lim) || (a < 0n && BigInt.asIntN(64, approx - unknown) >= lim)) {
      yield* ops(pcp).this_cpu_add(m, pcp, Number(BigInt.asIntN(32, a)));
      local_irq_restore(m, flags);
      return true;
    }
  }
  yield* rawLock(m, fbc);
  count = BigInt.asIntN(64, (yield* onCount(fbc, 'load', () => fbc.count64[0])) + a);
  let good: boolean | null = null;
  if (a > 0n) {
    if (BigInt.asIntN(64, count - unknown) > lim) good = false;
    else if (BigInt.asIntN(64, count + unknown) <= lim) good = true;
  } else if (BigInt.asIntN(64, count + unknown) < lim) good = false;
  else if (BigInt.asIntN(64, count - unknown) >= lim) good = true;
  if (good === null) {
    const dying = cpu_dying_mask(m);
    for (let cpu = 0; cpu < m.nrCpus; cpu++) {
      if (!m.online.test(cpu) && !dying.test(cpu)) continue;
      count = BigInt.asIntN(64, count + BigInt((yield* load(m, per_cpu_ptr(m, pcp, cpu), 'i32')) as number));
    }
    good = a > 0n ? count <= lim : count >= lim;
  }
  if (good) {
    const c = BigInt(yield* ops(pcp).__this_cpu_read(m, pcp));
    yield* onCount(fbc, 'add', () => {
      fbc.count64[0] = BigInt.asIntN(64, fbc.count64[0] + BigInt.asIntN(64, c + a));
    });
    yield* ops(pcp).__this_cpu_sub(m, pcp, Number(c));
  }
  yield* rawUnlock(m, fbc);
  local_irq_restore(m, flags);
  return good;
}

/** percpu_counter_limited_add(fbc, limit, amount), stepped: __percpu_counter_limited_add() with percpu_counter_batch. */
export function percpu_counter_limited_add(fbc: PercpuCounter, limit: S64, amount: S64): StepGen<boolean> {
  deltas(fbc, 'percpu_counter_limited_add');
  return __percpu_counter_limited_add(fbc, limit, amount, percpu_counter_batch(fbc.m));
}

/**
 * __percpu_counter_compare(fbc, rhs, batch), stepped: the count alone
 * decides when it is more than batch × online CPUs (an unsigned int product,
 * wrapping as the kernel's) away from rhs; otherwise the exact sum.
 */
export function* __percpu_counter_compare(fbc: PercpuCounter, rhs: S64, batch: number): StepGen<-1 | 0 | 1> {
  const what = '__percpu_counter_compare';
  deltas(fbc, what);
  const r = BigInt(checkS64(what, 'rhs', rhs));
  const bound = errorBound(fbc.m, checkBatch(what, batch));
  let count = yield* percpu_counter_read(fbc);
  if (abs64(count - r) > bound) return count > r ? 1 : -1;
  count = yield* percpu_counter_sum(fbc);
  return count > r ? 1 : count < r ? -1 : 0;
}

/** percpu_counter_compare(fbc, rhs), stepped: __percpu_counter_compare() with percpu_counter_batch. */
export function percpu_counter_compare(fbc: PercpuCounter, rhs: S64): StepGen<-1 | 0 | 1> {
  deltas(fbc, 'percpu_counter_compare');
  return __percpu_counter_compare(fbc, rhs, percpu_counter_batch(fbc.m));
}
