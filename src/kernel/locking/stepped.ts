/**
 * The stepped forms of the locks: the same names and arguments as the fast
 * forms (./spinlock.ts, ./local-lock.ts), written `yield* spin_lock(m, lock)`
 * in a task or handler. Each acquisition and each release is one step whose
 * footprint is the lock object's bytes; the acquisition of a held lock waits:
 * it spins (the step is not enabled, preemption stays as the lock left it) or,
 * for a PREEMPT_RT sleeping lock, the task blocks and leaves its CPU until the
 * release. The preemption, interrupt and migration changes around the
 * instruction happen where the kernel makes them: spin_lock() disables
 * preemption before it spins, rt_spin_lock() disables migration once it holds
 * the lock.
 *
 * An acquisition also names the lock's lockdep class in its footprint — as a
 * write when it would add a usage bit to the class, else as a read — so the
 * explorer keeps apart orders in which lockdep would report differently.
 */
import type { ExecContext, Machine } from '../../machine.js';
import type { PerCpuPtr } from '../../percpu-ptr.js';
import type { Step, StepGen } from '../../sched/step.js';
import { local_irq_disable, local_irq_enable, local_irq_restore, local_irq_save, preempt_disable, preempt_enable } from '../preempt.js';
import { migrate_disable, migrate_enable } from '../sched.js';
import { local_bh_disable, local_bh_enable } from '../softirq.js';
import {
  isRtInstance, localAcquire, localInstance, localLockDef, localRelease, type LocalInstance,
} from './local-lock.js';
import {
  lockHolder, lockdepAcquireCheck, lockdepReleaseCheck, lockdepResource, lockdepWouldReport, might_sleep, wouldMarkUsage, type LockInstance,
} from './lockdep.js';
import { RT_LOCK_SITE, checkFlags, dropLock, lockAt, lockHeld, takeLock, type Lock, type LockArg } from './spinlock.js';

/** The footprint of a lock operation: its bytes, and its lockdep class (written when the usage bits would grow). */
function lockStep(m: Machine, l: LockInstance, size: number, asm: string, me: ExecContext, acquire: boolean, trylock: boolean): Step {
  const res = lockdepResource(l);
  const marks = (): boolean => acquire && wouldMarkUsage(m, l, me, trylock);
  const step: { -readonly [K in keyof Step]: Step[K] } = size > 0 ? { asm, addr: l.addr, size, access: 'w' } : { asm };
  Object.defineProperties(step, {
    reads: { get: () => (acquire && !marks() ? [res] : []), enumerable: true },
    writes: { get: () => (marks() ? [res] : []), enumerable: true },
  });
  return step;
}

/** One acquisition step of a spinlock_t/raw_spinlock_t (blocking while another context holds it). */
function* acquire(m: Machine, l: Lock, how: string): StepGen<void> {
  const me = m.ctx;
  const step = lockStep(m, l, l.size, `call ${how}(${l.name})`, me, true, false);
  // Lockdep checks before the lock is waited for: a recursion or an inversion is reported, not spun on.
  (step as { enabled?: () => boolean }).enabled = () => !lockHeld(m, l) || lockHolder(m, l) === me || lockdepWouldReport(m, l, me);
  (step as { sleeps?: boolean }).sleeps = l.sleeping;
  yield step;
  lockdepAcquireCheck(m, l, how);
  takeLock(m, l, how);
}

function* tryAcquire(m: Machine, l: Lock, how: string): StepGen<boolean> {
  yield lockStep(m, l, l.size, `call ${how}(${l.name})`, m.ctx, true, true);
  if (lockHeld(m, l)) return false;
  lockdepAcquireCheck(m, l, how, true);
  takeLock(m, l, how, true);
  return true;
}

function* release(m: Machine, l: Lock, how: string): StepGen<void> {
  yield lockStep(m, l, l.size, `call ${how}(${l.name})`, m.ctx, false, false);
  lockdepReleaseCheck(m, l, how);
  dropLock(m, l);
}

function spinlock(m: Machine, addr: LockArg, how: string): Lock {
  return lockAt(m, addr, 'spinlock_t', how);
}

/** spin_lock(), stepped: preempt_disable(), then one acquisition step that waits while another context holds the lock (PREEMPT_RT: the task sleeps, then migrate_disable()). */
export function* spin_lock(m: Machine, addr: LockArg): StepGen<void> {
  const l = spinlock(m, addr, 'spin_lock');
  if (l.sleeping) {
    might_sleep(m, RT_LOCK_SITE);
    yield* acquire(m, l, 'spin_lock');
    migrate_disable(m);
    return;
  }
  preempt_disable(m);
  yield* acquire(m, l, 'spin_lock');
}

/** spin_unlock(), stepped: one release step, then preempt_enable() (PREEMPT_RT: migrate_enable()). */
export function* spin_unlock(m: Machine, addr: LockArg): StepGen<void> {
  const l = spinlock(m, addr, 'spin_unlock');
  yield* release(m, l, 'spin_unlock');
  if (l.sleeping) migrate_enable(m);
  else preempt_enable(m);
}

/** spin_lock_irq(), stepped: interrupts off and preempt_disable(), then the acquisition step (PREEMPT_RT: spin_lock()). */
export function* spin_lock_irq(m: Machine, addr: LockArg): StepGen<void> {
  const l = spinlock(m, addr, 'spin_lock_irq');
  if (l.sleeping) return yield* spin_lock(m, addr);
  local_irq_disable(m);
  preempt_disable(m);
  yield* acquire(m, l, 'spin_lock_irq');
}

/** spin_unlock_irq(), stepped: the release step, then interrupts on and preempt_enable() (PREEMPT_RT: spin_unlock()). */
export function* spin_unlock_irq(m: Machine, addr: LockArg): StepGen<void> {
  const l = spinlock(m, addr, 'spin_unlock_irq');
  if (l.sleeping) return yield* spin_unlock(m, addr);
  yield* release(m, l, 'spin_unlock_irq');
  local_irq_enable(m);
  preempt_enable(m);
}

/** spin_lock_irqsave(), stepped: interrupts saved and off, preempt_disable(), then the acquisition step; returns the flags (PREEMPT_RT: 0). */
export function* spin_lock_irqsave(m: Machine, addr: LockArg): StepGen<number> {
  const l = spinlock(m, addr, 'spin_lock_irqsave');
  if (l.sleeping) {
    yield* spin_lock(m, addr);
    return 0;
  }
  const flags = local_irq_save(m);
  preempt_disable(m);
  yield* acquire(m, l, 'spin_lock_irqsave');
  return flags;
}

/** spin_unlock_irqrestore(), stepped: the release step, then the interrupt state `flags` restored and preempt_enable(). */
export function* spin_unlock_irqrestore(m: Machine, addr: LockArg, flags: number): StepGen<void> {
  const l = spinlock(m, addr, 'spin_unlock_irqrestore');
  if (l.sleeping) return yield* spin_unlock(m, addr);
  checkFlags(flags, 'spin_unlock_irqrestore');
  yield* release(m, l, 'spin_unlock_irqrestore');
  local_irq_restore(m, flags);
  preempt_enable(m);
}

/** spin_lock_bh(), stepped: bottom halves (and, without PREEMPT_RT, preemption) off, then the acquisition step. */
export function* spin_lock_bh(m: Machine, addr: LockArg): StepGen<void> {
  const l = spinlock(m, addr, 'spin_lock_bh');
  local_bh_disable(m);
  if (l.sleeping) {
    might_sleep(m, RT_LOCK_SITE);
    yield* acquire(m, l, 'spin_lock_bh');
    migrate_disable(m);
    return;
  }
  preempt_disable(m);
  yield* acquire(m, l, 'spin_lock_bh');
}

/** spin_unlock_bh(), stepped: the release step, then bottom halves back on (pending softirqs may run). */
export function* spin_unlock_bh(m: Machine, addr: LockArg): StepGen<void> {
  const l = spinlock(m, addr, 'spin_unlock_bh');
  yield* release(m, l, 'spin_unlock_bh');
  if (l.sleeping) migrate_enable(m);
  else preempt_enable(m);
  local_bh_enable(m);
}

/** spin_trylock(), stepped: one step that takes the lock if it is free (true); else nothing changes (false). */
export function* spin_trylock(m: Machine, addr: LockArg): StepGen<boolean> {
  const l = spinlock(m, addr, 'spin_trylock');
  if (l.sleeping) {
    might_sleep(m, RT_LOCK_SITE);
    const ok = yield* tryAcquire(m, l, 'spin_trylock');
    if (ok) migrate_disable(m);
    return ok;
  }
  preempt_disable(m);
  const ok = yield* tryAcquire(m, l, 'spin_trylock');
  if (!ok) preempt_enable(m);
  return ok;
}

function rawlock(m: Machine, addr: LockArg, how: string): Lock {
  return lockAt(m, addr, 'raw_spinlock_t', how);
}

/** raw_spin_lock(), stepped: preempt_disable(), then one acquisition step that spins while another context holds the lock. */
export function* raw_spin_lock(m: Machine, addr: LockArg): StepGen<void> {
  const l = rawlock(m, addr, 'raw_spin_lock');
  preempt_disable(m);
  yield* acquire(m, l, 'raw_spin_lock');
}

/** raw_spin_unlock(), stepped: one release step, then preempt_enable(). */
export function* raw_spin_unlock(m: Machine, addr: LockArg): StepGen<void> {
  yield* release(m, rawlock(m, addr, 'raw_spin_unlock'), 'raw_spin_unlock');
  preempt_enable(m);
}

/** raw_spin_lock_irq(), stepped: interrupts off, preempt_disable(), then the acquisition step. */
export function* raw_spin_lock_irq(m: Machine, addr: LockArg): StepGen<void> {
  const l = rawlock(m, addr, 'raw_spin_lock_irq');
  local_irq_disable(m);
  preempt_disable(m);
  yield* acquire(m, l, 'raw_spin_lock_irq');
}

/** raw_spin_unlock_irq(), stepped: the release step, then interrupts on and preempt_enable(). */
export function* raw_spin_unlock_irq(m: Machine, addr: LockArg): StepGen<void> {
  yield* release(m, rawlock(m, addr, 'raw_spin_unlock_irq'), 'raw_spin_unlock_irq');
  local_irq_enable(m);
  preempt_enable(m);
}

/** raw_spin_lock_irqsave(), stepped: interrupts saved and off, preempt_disable(), then the acquisition step; returns the flags. */
export function* raw_spin_lock_irqsave(m: Machine, addr: LockArg): StepGen<number> {
  const l = rawlock(m, addr, 'raw_spin_lock_irqsave');
  const flags = local_irq_save(m);
  preempt_disable(m);
  yield* acquire(m, l, 'raw_spin_lock_irqsave');
  return flags;
}

/** raw_spin_unlock_irqrestore(), stepped: the release step, then `flags` restored and preempt_enable(). */
export function* raw_spin_unlock_irqrestore(m: Machine, addr: LockArg, flags: number): StepGen<void> {
  checkFlags(flags, 'raw_spin_unlock_irqrestore');
  yield* release(m, rawlock(m, addr, 'raw_spin_unlock_irqrestore'), 'raw_spin_unlock_irqrestore');
  local_irq_restore(m, flags);
  preempt_enable(m);
}

/** raw_spin_trylock(), stepped: one step that takes the lock if it is free (true); else nothing changes (false). */
export function* raw_spin_trylock(m: Machine, addr: LockArg): StepGen<boolean> {
  const l = rawlock(m, addr, 'raw_spin_trylock');
  preempt_disable(m);
  const ok = yield* tryAcquire(m, l, 'raw_spin_trylock');
  if (!ok) preempt_enable(m);
  return ok;
}

/** One step of a non-RT local lock: lockdep's record (and `acquired`), no memory of its own. */
function* localStep(m: Machine, l: LocalInstance, how: string, acquire: boolean): StepGen<void> {
  yield lockStep(m, l, l.acquired >= 0 ? 1 : 0, `call ${how}(${l.name})`, m.ctx, acquire, false);
  if (acquire) localAcquire(m, l, how);
  else localRelease(m, l, how);
}

/** migrate_disable(), then this CPU's sleeping lock (PREEMPT_RT's __local_lock()). */
function* rtLocalLock(m: Machine, lock: PerCpuPtr<unknown>, how: string): StepGen<void> {
  const d = localLockDef(m, lock, how);
  might_sleep(m, RT_LOCK_SITE);
  migrate_disable(m);
  yield* acquire(m, localInstance(m, lock, d) as Lock, how);
}

function* rtLocalUnlock(m: Machine, lock: PerCpuPtr<unknown>, how: string): StepGen<void> {
  const d = localLockDef(m, lock, how);
  yield* release(m, localInstance(m, lock, d) as Lock, how);
  migrate_enable(m);
}

function* localLockWith(m: Machine, lock: PerCpuPtr<unknown>, how: string, enter: () => void): StepGen<void> {
  if (m.preemptRT) return yield* rtLocalLock(m, lock, how);
  const d = localLockDef(m, lock, how);
  enter();
  const l = localInstance(m, lock, d);
  if (isRtInstance(l)) throw new TypeError(`${how}: ${d.name} was initialised for PREEMPT_RT`);
  yield* localStep(m, l, how, true);
}

function* localUnlockWith(m: Machine, lock: PerCpuPtr<unknown>, how: string, leave: () => void): StepGen<void> {
  if (m.preemptRT) return yield* rtLocalUnlock(m, lock, how);
  const d = localLockDef(m, lock, how);
  yield* localStep(m, localInstance(m, lock, d) as LocalInstance, how, false);
  leave();
}

/** local_lock(), stepped: preempt_disable(), then one step recording this CPU's instance as held (PREEMPT_RT: migrate_disable(), then a waiting acquisition step). */
export function* local_lock(m: Machine, lock: PerCpuPtr<unknown>): StepGen<void> {
  yield* localLockWith(m, lock, 'local_lock', () => preempt_disable(m));
}

/** local_unlock(), stepped: one release step, then preempt_enable() (PREEMPT_RT: then migrate_enable()). */
export function* local_unlock(m: Machine, lock: PerCpuPtr<unknown>): StepGen<void> {
  yield* localUnlockWith(m, lock, 'local_unlock', () => preempt_enable(m));
}

/** local_lock_irq(), stepped: interrupts off, then the acquisition step (PREEMPT_RT: as local_lock()). */
export function* local_lock_irq(m: Machine, lock: PerCpuPtr<unknown>): StepGen<void> {
  yield* localLockWith(m, lock, 'local_lock_irq', () => local_irq_disable(m));
}

/** local_unlock_irq(), stepped: the release step, then interrupts on (PREEMPT_RT: as local_unlock()). */
export function* local_unlock_irq(m: Machine, lock: PerCpuPtr<unknown>): StepGen<void> {
  yield* localUnlockWith(m, lock, 'local_unlock_irq', () => local_irq_enable(m));
}

/** local_lock_irqsave(), stepped: interrupts saved and off, then the acquisition step; returns the flags (PREEMPT_RT: 0). */
export function* local_lock_irqsave(m: Machine, lock: PerCpuPtr<unknown>): StepGen<number> {
  let flags = 0;
  yield* localLockWith(m, lock, 'local_lock_irqsave', () => { flags = local_irq_save(m); });
  return flags;
}

/** local_unlock_irqrestore(), stepped: the release step, then the interrupt state `flags` restored. */
export function* local_unlock_irqrestore(m: Machine, lock: PerCpuPtr<unknown>, flags: number): StepGen<void> {
  checkFlags(flags, 'local_unlock_irqrestore');
  yield* localUnlockWith(m, lock, 'local_unlock_irqrestore', () => local_irq_restore(m, flags));
}

/** local_trylock() on a local_trylock_t: one step reading (and, when free, setting) this CPU's instance. */
export function* local_trylock(m: Machine, lock: PerCpuPtr<unknown>): StepGen<boolean> {
  const d = localLockDef(m, lock, 'local_trylock');
  if (d.kind !== 'local_trylock_t') throw new TypeError(`local_trylock: ${d.name} is a local_lock_t; local_trylock() takes a local_trylock_t (local_trylock_init)`);
  if (m.preemptRT) {
    migrate_disable(m);
    const ok = yield* tryAcquire(m, localInstance(m, lock, d) as Lock, 'local_trylock');
    if (!ok) migrate_enable(m);
    return ok;
  }
  preempt_disable(m);
  const l = localInstance(m, lock, d) as LocalInstance;
  yield lockStep(m, l, 1, `call local_trylock(${l.name})`, m.ctx, true, true);
  if (m.u8[l.acquired] !== 0) {
    preempt_enable(m);
    return false;
  }
  localAcquire(m, l, 'local_trylock', true);
  return true;
}
