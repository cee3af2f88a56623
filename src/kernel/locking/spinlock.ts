/**
 * spinlock_t and raw_spinlock_t in machine memory, in both kernel
 * configurations (include/linux/spinlock.h, spinlock_api_smp.h,
 * spinlock_rt.h; kernel/locking/spinlock.c and spinlock_rt.c, v6.x).
 *
 * A lock lives at its object's address, laid out as c/kernel-types.ts lays the
 * type out for the machine's configuration:
 *
 *   - without PREEMPT_RT, spinlock_t wraps raw_spinlock_t, a 4-byte queued
 *     spinlock: `val` is 0 when free and _Q_LOCKED_VAL (1) when held. Taking it
 *     disables preemption first (and interrupts or bottom halves for the _irq,
 *     _irqsave and _bh forms); a contended acquisition spins.
 *   - with PREEMPT_RT, spinlock_t is a `struct rt_mutex_base` (32 bytes): a
 *     sleeping lock. `owner` holds the owner's pid in place of its task_struct
 *     pointer; a contended acquisition sleeps (the task leaves its CPU); taking
 *     it disables migration, not preemption, and the _irq/_irqsave forms leave
 *     interrupts on. raw_spinlock_t stays a spinning lock.
 *
 * Who holds a lock (lockdep's held locks, CONFIG_DEBUG_SPINLOCK's owner) is
 * kept beside it, keyed by its address, so a step that covers the lock's
 * bytes covers it too. The checks, with the kernel's wording, are in
 * lockdep.ts.
 *
 * Here are the fast forms: a call is one unit, and a lock another context
 * holds cannot be waited for (nothing else runs until the call returns), so
 * it is refused. The stepped forms (./stepped.ts) wait, spin or sleep.
 */
import { kernelType, memberRef } from '../../../c/index.js';
import { MachineStateError } from '../../errors.js';
import { X86_EFLAGS_IF, machineArg, type ExecContext, type Machine } from '../../machine.js';
import { PerMachine } from '../../per-machine.js';
import { KPtr, checkKPtr } from '../../kptr.js';
import { describe } from '../../types.js';
import { local_irq_disable, local_irq_enable, local_irq_restore, local_irq_save, preempt_disable, preempt_enable } from '../preempt.js';
import { migrate_disable, migrate_enable } from '../sched.js';
import { local_bh_disable, local_bh_enable } from '../softirq.js';
import {
  lockHolder, lockdepAcquireCheck, lockdepAcquired, lockdepReleaseCheck, lockdepReleased, might_sleep, type LockInstance,
} from './lockdep.js';

/** What kind of lock lives at an address. */
export type LockKind = 'spinlock_t' | 'raw_spinlock_t';

export interface Lock extends LockInstance {
  readonly kind: LockKind;
  /** A sleeping lock (spinlock_t with PREEMPT_RT). */
  readonly sleeping: boolean;
  /** Bytes of the lock object (the footprint of its operations). */
  readonly size: number;
  /** Offset of the word that says "held": `val` (raw) or `lock.owner` (rt_mutex_base). */
  readonly word: number;
}

const registries = new PerMachine<Map<number, Lock>>('spinlocks');

function registry(m: Machine): Map<number, Lock> {
  let r = registries.get(m);
  if (r === undefined) {
    r = new Map();
    registries.set(m, r);
  }
  return r;
}

const RT_OWNER = memberRef(kernelType('spinlock_t', { preemptRT: true }), 'lock.owner').offset;

function makeLock(m: Machine, addr: number, kind: LockKind, name: string, cls: string): Lock {
  const sleeping = kind === 'spinlock_t' && m.preemptRT;
  const size = kernelType(kind, { preemptRT: m.preemptRT }).size;
  return { addr, name, cls, kind, sleeping, size, word: sleeping ? RT_OWNER : 0 };
}

/**
 * A lock argument: a typed pointer to it (`&pool->lock`: kptr_member(), a
 * global, this_cpu_kptr()), whose C type must be the lock's, or its address
 * in machine memory. A per-CPU pointer is not a lock (sparse: the kernel
 * takes this_cpu_ptr() or per_cpu_ptr() first).
 */
export type LockArg = number | KPtr<unknown>;

function lockAddr(m: Machine, lock: unknown, kind: LockKind, what: string): { addr: number; sym: string | null } {
  if (lock instanceof KPtr) {
    checkKPtr(lock, what);
    const name = lock.ctype.name;
    if (name !== kind) throw new TypeError(`${what}: ${lock.sym} is a ${name}, not a ${kind}`);
    return { addr: checkAddr(m, lock.addr, what), sym: lock.sym.startsWith('*') ? lock.sym.slice(1) : `&${lock.sym}` };
  }
  if (lock !== null && typeof lock === 'object' && typeof (lock as { off?: unknown }).off === 'number') {
    throw new TypeError(`${what}: ${(lock as { sym?: string }).sym ?? 'the argument'} is a __percpu pointer; pass one CPU's lock: this_cpu_kptr() or per_cpu_kptr() of it (sparse: incorrect type in argument, different address spaces)`);
  }
  return { addr: checkAddr(m, lock, what), sym: null };
}

function checkAddr(m: Machine, addr: unknown, what: string): number {
  if (typeof addr !== 'number' || !Number.isInteger(addr)) throw new TypeError(`${what}: the lock must be a pointer to it (a KPtr: kptr_member(), global_var(), this_cpu_kptr()) or its address in machine memory, got ${describe(addr)}`);
  if (!machineArg(m, what).booted) throw new MachineStateError(`${what}: the machine has not booted`);
  if (addr <= 0 || addr + 4 > m.mappedBytes || addr % 4 !== 0) {
    throw new RangeError(`${what}: 0x${addr.toString(16)} is not a 4-byte aligned address in mapped memory`);
  }
  return addr;
}

/**
 * The lock `lock` points to, registered on first use. An unregistered lock
 * is a lock defined statically (DEFINE_SPINLOCK): its own class, named by the
 * pointer it was reached through (`&dev->lock`) or by its address.
 */
export function lockAt(m: Machine, lock: LockArg, kind: LockKind, what: string): Lock {
  const { addr, sym } = lockAddr(m, lock, kind, what);
  const r = registry(m);
  const l = r.get(addr);
  if (l !== undefined) {
    if (l.kind !== kind) throw new TypeError(`${what}: the lock at 0x${addr.toString(16)} (${l.name}) is a ${l.kind}, not a ${kind}`);
    return l;
  }
  const nl = makeLock(m, addr, kind, sym ?? `lock@0x${addr.toString(16)}`, sym ?? `0x${addr.toString(16)}`);
  r.set(addr, nl);
  return nl;
}

/**
 * spin_lock_init()/raw_spin_lock_init(): an unlocked lock at `addr` named
 * `name` (lockdep's name, `&pcp->lock`); locks initialised with the same name
 * share a lock class, as the instances one spin_lock_init() call site makes do.
 */
export function lockInit(m: Machine, lock: LockArg, kind: LockKind, name: string | undefined, what: string, cls?: string): Lock {
  const { addr, sym } = lockAddr(m, lock, kind, what);
  if (name === undefined && sym !== null) name = sym;
  if (name !== undefined && (typeof name !== 'string' || name === '')) throw new TypeError(`${what}: name must be a non-empty string, got ${describe(name)}`);
  const r = registry(m);
  const old = r.get(addr);
  if (old !== undefined && lockHolder(m, old) !== null) {
    throw new MachineStateError(`${what}: the lock at 0x${addr.toString(16)} (${old.name}) is held by ${lockHolder(m, old)!.comm}; it cannot be initialised again`);
  }
  const l = makeLock(m, addr, kind, name ?? `lock@0x${addr.toString(16)}`, cls ?? name ?? `0x${addr.toString(16)}`);
  if (addr + l.size > m.mappedBytes) throw new RangeError(`${what}: ${kind} at 0x${addr.toString(16)} (${l.size} bytes) runs past mapped memory`);
  m.u8.fill(0, addr, addr + l.size);
  r.set(addr, l);
  return l;
}

/** spin_lock_init(): makes the spinlock_t at `addr` an unlocked lock (its bytes zeroed); `name` labels it in lockdep reports and traces. */
export function spin_lock_init(m: Machine, addr: LockArg, name?: string): void {
  lockInit(m, addr, 'spinlock_t', name, 'spin_lock_init');
}

/** raw_spin_lock_init(): makes the raw_spinlock_t at `addr` an unlocked lock; a raw spinlock spins on PREEMPT_RT too. */
export function raw_spin_lock_init(m: Machine, addr: LockArg, name?: string): void {
  lockInit(m, addr, 'raw_spinlock_t', name, 'raw_spin_lock_init');
}

/** True when the lock's memory says it is held. */
export function lockHeld(m: Machine, l: Lock): boolean {
  return l.sleeping ? m.view.getBigUint64(l.addr + l.word, true) !== 0n : m.view.getUint32(l.addr, true) !== 0;
}

/** Takes the lock for the running context (its memory, then lockdep's record). */
export function takeLock(m: Machine, l: Lock, how: string, trylock = false): void {
  if (l.sleeping) m.view.setBigUint64(l.addr + l.word, BigInt(Math.max(m.ctx.pid, 1)), true);
  else m.view.setUint32(l.addr, 1, true);
  lockdepAcquired(m, l, how, trylock);
}

export function dropLock(m: Machine, l: Lock): void {
  if (l.sleeping) m.view.setBigUint64(l.addr + l.word, 0n, true);
  else m.view.setUint32(l.addr, 0, true);
  lockdepReleased(m, l);
}

/** Where a sleeping acquisition's might_sleep() is (rtlock_might_resched() in rt_spin_lock()). */
export const RT_LOCK_SITE = 'kernel/locking/spinlock_rt.c (rt_spin_lock)';

/**
 * The fast acquisition: lockdep's checks, then the lock if it is free. A lock
 * held by another context is refused: without steps nothing can release it.
 */
function acquireNow(m: Machine, l: Lock, how: string): void {
  lockdepAcquireCheck(m, l, how);
  if (lockHeld(m, l)) {
    const h = lockHolder(m, l);
    throw new MachineStateError(
      `${how}: ${l.name} is held${h !== null ? ` by ${h.comm}/${h.pid}` : ''}; a fast (unstepped) call cannot wait for it — nothing else runs until it returns. Use the stepped ${how} in a scenario`,
    );
  }
}

/** Runs `enter` (preempt/irq/bh/migrate state), then the acquisition; on a refusal, `leave` undoes `enter`. */
function lockWith(m: Machine, l: Lock, how: string, enter: () => void, leave: () => void): void {
  if (l.sleeping) might_sleep(m, RT_LOCK_SITE);
  enter();
  try {
    acquireNow(m, l, how);
  } catch (e) {
    leave();
    throw e;
  }
  takeLock(m, l, how);
}

function unlockWith(m: Machine, l: Lock, how: string, leave: () => void): void {
  lockdepReleaseCheck(m, l, how);
  dropLock(m, l);
  leave();
}

/** The context the lock's configuration enters: preemption off (spinning lock) or migration off (sleeping lock). */
function enterLock(m: Machine, l: Lock): () => void {
  return l.sleeping ? () => {} : () => preempt_disable(m);
}

function leaveLock(m: Machine, l: Lock): () => void {
  return l.sleeping ? () => {} : () => preempt_enable(m);
}

/** spin_lock(): preempt_disable(), then the lock (PREEMPT_RT: the rtmutex, then migrate_disable()). */
export function spin_lock(m: Machine, addr: LockArg): void {
  const l = lockAt(m, addr, 'spinlock_t', 'spin_lock');
  lockWith(m, l, 'spin_lock', enterLock(m, l), leaveLock(m, l));
  if (l.sleeping) migrate_disable(m);
}

/** spin_unlock(): releases the lock, then preempt_enable() (PREEMPT_RT: the rtmutex, then migrate_enable()). */
export function spin_unlock(m: Machine, addr: LockArg): void {
  const l = lockAt(m, addr, 'spinlock_t', 'spin_unlock');
  unlockWith(m, l, 'spin_unlock', leaveLock(m, l));
  if (l.sleeping) migrate_enable(m);
}

/** spin_lock_irq(): interrupts off, then the lock (PREEMPT_RT: spin_lock(), interrupts stay on). */
export function spin_lock_irq(m: Machine, addr: LockArg): void {
  const l = lockAt(m, addr, 'spinlock_t', 'spin_lock_irq');
  if (l.sleeping) return spin_lock(m, addr);
  lockWith(m, l, 'spin_lock_irq', () => { local_irq_disable(m); preempt_disable(m); }, () => { preempt_enable(m); local_irq_enable(m); });
}

/** spin_unlock_irq(): releases the lock, then interrupts back on unconditionally (PREEMPT_RT: spin_unlock()). */
export function spin_unlock_irq(m: Machine, addr: LockArg): void {
  const l = lockAt(m, addr, 'spinlock_t', 'spin_unlock_irq');
  if (l.sleeping) return spin_unlock(m, addr);
  unlockWith(m, l, 'spin_unlock_irq', () => { local_irq_enable(m); preempt_enable(m); });
}

/** spin_lock_irqsave(): returns the saved flags (PREEMPT_RT: 0, interrupts stay on). */
export function spin_lock_irqsave(m: Machine, addr: LockArg): number {
  const l = lockAt(m, addr, 'spinlock_t', 'spin_lock_irqsave');
  if (l.sleeping) {
    spin_lock(m, addr);
    return 0;
  }
  let flags = 0;
  lockWith(m, l, 'spin_lock_irqsave', () => { flags = local_irq_save(m); preempt_disable(m); }, () => { preempt_enable(m); local_irq_restore(m, flags); });
  return flags;
}

/** spin_unlock_irqrestore(): releases the lock, then restores the interrupt state `flags` from spin_lock_irqsave() (PREEMPT_RT: spin_unlock()). */
export function spin_unlock_irqrestore(m: Machine, addr: LockArg, flags: number): void {
  const l = lockAt(m, addr, 'spinlock_t', 'spin_unlock_irqrestore');
  if (l.sleeping) return spin_unlock(m, addr);
  checkFlags(flags, 'spin_unlock_irqrestore');
  unlockWith(m, l, 'spin_unlock_irqrestore', () => { local_irq_restore(m, flags); preempt_enable(m); });
}

/** spin_lock_bh(): bottom halves (and, without PREEMPT_RT, preemption) off, then the lock. */
export function spin_lock_bh(m: Machine, addr: LockArg): void {
  const l = lockAt(m, addr, 'spinlock_t', 'spin_lock_bh');
  lockWith(m, l, 'spin_lock_bh', () => { local_bh_disable(m); enterLock(m, l)(); }, () => { leaveLock(m, l)(); local_bh_enable(m); });
  if (l.sleeping) migrate_disable(m);
}

/** spin_unlock_bh(): the lock, then bottom halves back on (pending softirqs run). */
export function spin_unlock_bh(m: Machine, addr: LockArg): void {
  const l = lockAt(m, addr, 'spinlock_t', 'spin_unlock_bh');
  unlockWith(m, l, 'spin_unlock_bh', () => { leaveLock(m, l)(); local_bh_enable(m); });
  if (l.sleeping) migrate_enable(m);
}

/** spin_trylock(): the lock if it is free (true), else nothing changes (false). */
export function spin_trylock(m: Machine, addr: LockArg): boolean {
  const l = lockAt(m, addr, 'spinlock_t', 'spin_trylock');
  return trylock(m, l, 'spin_trylock');
}

export function trylock(m: Machine, l: Lock, how: string): boolean {
  if (l.sleeping) might_sleep(m, RT_LOCK_SITE);
  lockdepAcquireCheck(m, l, how, true);
  if (lockHeld(m, l)) return false;
  if (l.sleeping) migrate_disable(m);
  else preempt_disable(m);
  takeLock(m, l, how, true);
  return true;
}

/** raw_spin_lock(): preempt_disable(), then the lock; spins on every configuration. */
export function raw_spin_lock(m: Machine, addr: LockArg): void {
  const l = lockAt(m, addr, 'raw_spinlock_t', 'raw_spin_lock');
  lockWith(m, l, 'raw_spin_lock', () => preempt_disable(m), () => preempt_enable(m));
}

/** raw_spin_unlock(): releases the lock, then preempt_enable(). */
export function raw_spin_unlock(m: Machine, addr: LockArg): void {
  const l = lockAt(m, addr, 'raw_spinlock_t', 'raw_spin_unlock');
  unlockWith(m, l, 'raw_spin_unlock', () => preempt_enable(m));
}

/** raw_spin_lock_irq(): interrupts off, preempt_disable(), then the lock. */
export function raw_spin_lock_irq(m: Machine, addr: LockArg): void {
  const l = lockAt(m, addr, 'raw_spinlock_t', 'raw_spin_lock_irq');
  lockWith(m, l, 'raw_spin_lock_irq', () => { local_irq_disable(m); preempt_disable(m); }, () => { preempt_enable(m); local_irq_enable(m); });
}

/** raw_spin_unlock_irq(): releases the lock, then interrupts on and preempt_enable(). */
export function raw_spin_unlock_irq(m: Machine, addr: LockArg): void {
  const l = lockAt(m, addr, 'raw_spinlock_t', 'raw_spin_unlock_irq');
  unlockWith(m, l, 'raw_spin_unlock_irq', () => { local_irq_enable(m); preempt_enable(m); });
}

/** raw_spin_lock_irqsave(): saves and disables interrupts, preempt_disable(), then the lock; returns the saved flags. */
export function raw_spin_lock_irqsave(m: Machine, addr: LockArg): number {
  const l = lockAt(m, addr, 'raw_spinlock_t', 'raw_spin_lock_irqsave');
  let flags = 0;
  lockWith(m, l, 'raw_spin_lock_irqsave', () => { flags = local_irq_save(m); preempt_disable(m); }, () => { preempt_enable(m); local_irq_restore(m, flags); });
  return flags;
}

/** raw_spin_unlock_irqrestore(): releases the lock, then restores the interrupts to `flags` and preempt_enable(). */
export function raw_spin_unlock_irqrestore(m: Machine, addr: LockArg, flags: number): void {
  const l = lockAt(m, addr, 'raw_spinlock_t', 'raw_spin_unlock_irqrestore');
  checkFlags(flags, 'raw_spin_unlock_irqrestore');
  unlockWith(m, l, 'raw_spin_unlock_irqrestore', () => { local_irq_restore(m, flags); preempt_enable(m); });
}

/** raw_spin_trylock(): the lock if it is free (true, preemption disabled), else nothing changes (false). */
export function raw_spin_trylock(m: Machine, addr: LockArg): boolean {
  return trylock(m, lockAt(m, addr, 'raw_spinlock_t', 'raw_spin_trylock'), 'raw_spin_trylock');
}

/** spin_is_locked(). */
export function spin_is_locked(m: Machine, addr: LockArg): boolean {
  return lockHeld(m, lockAt(m, addr, 'spinlock_t', 'spin_is_locked'));
}

export function checkFlags(flags: unknown, what: string): void {
  if (flags !== 0 && flags !== X86_EFLAGS_IF) {
    throw new TypeError(`${what}: flags must be a value the matching _irqsave returned (0 or 0x200), got ${describe(flags)}`);
  }
}

/** The context that holds the spinlock at `addr`, or null. */
export function spin_lock_owner(m: Machine, addr: LockArg): ExecContext | null {
  return lockHolder(m, lockAt(m, addr, 'spinlock_t', 'spin_lock_owner'));
}
