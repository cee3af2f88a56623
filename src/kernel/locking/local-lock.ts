/**
 * local_lock_t and local_trylock_t (include/linux/local_lock.h,
 * local_lock_internal.h, v6.x): a per-CPU lock named by its per-CPU pointer;
 * each operation takes this CPU's instance (`this_cpu_ptr(lock)`).
 *
 *   - without PREEMPT_RT local_lock_t is empty: local_lock() is
 *     preempt_disable(), local_lock_irq() local_irq_disable(),
 *     local_lock_irqsave() local_irq_save(), plus lockdep's record of the
 *     owner (CONFIG_DEBUG_LOCK_ALLOC: recursion and irq-safety are checked).
 *     local_trylock_t adds a byte `acquired`, set while held, which
 *     local_trylock() tests.
 *   - with PREEMPT_RT both are a spinlock_t per CPU: migrate_disable(), then
 *     the sleeping lock of this CPU; the _irq and _irqsave forms leave
 *     interrupts on (flags are 0).
 *
 * Every CPU's instance is one lockdep class (the per-CPU variable's).
 * Fast forms here; the stepped forms are in ./stepped.ts.
 */
import { kernelType } from '../../../c/index.js';
import { this_cpu_ptr } from '../../accessors.js';
import { MachineStateError } from '../../errors.js';
import { machineArg, type Machine } from '../../machine.js';
import { PerMachine } from '../../per-machine.js';
import { checkPointer, rootOf, type PerCpuPtr } from '../../percpu-ptr.js';
import { describe } from '../../types.js';
import { local_irq_disable, local_irq_enable, local_irq_restore, local_irq_save, preempt_disable, preempt_enable } from '../preempt.js';
import { migrate_disable, migrate_enable } from '../sched.js';
import { lockdepAcquireCheck, lockdepAcquired, lockdepReleaseCheck, lockdepReleased, might_sleep, type LockInstance } from './lockdep.js';
import { RT_LOCK_SITE, checkFlags, lockInit, type Lock } from './spinlock.js';

/** The two local lock types of include/linux/local_lock_internal.h: local_lock_t, and local_trylock_t, which also records whether it is held so local_trylock() can fail. */
export type LocalLockKind = 'local_lock_t' | 'local_trylock_t';

interface LocalLockDef {
  readonly kind: LocalLockKind;
  readonly name: string;
  /** Each CPU's instance. */
  readonly instances: (LocalInstance | Lock)[];
}

/** A local lock's instance without PREEMPT_RT. */
export interface LocalInstance extends LockInstance {
  /** local_trylock_t: the address of `acquired` (else -1). */
  readonly acquired: number;
}

const defs = new PerMachine<Map<number, LocalLockDef>>('local_lock');

function table(m: Machine): Map<number, LocalLockDef> {
  let t = defs.get(m);
  if (t === undefined) {
    t = new Map();
    defs.set(m, t);
  }
  return t;
}

function checkPtr(m: Machine, lock: unknown, what: string): PerCpuPtr<unknown> {
  if (lock === null || typeof lock !== 'object' || typeof (lock as PerCpuPtr).off !== 'number') {
    throw new TypeError(`${what}: the lock must be a per-CPU pointer to a local_lock_t (DEFINE_PER_CPU or a member of a per-CPU struct), got ${describe(lock)}`);
  }
  if (!machineArg(m, what).booted) throw new MachineStateError(`${what}: the machine has not booted`);
  // Another machine's pointer is refused here, in the lock call's name, not later by this_cpu_ptr.
  return checkPointer(m, lock, what);
}

function define(m: Machine, lock: PerCpuPtr<unknown>, kind: LocalLockKind, name: string, what: string): LocalLockDef {
  const cls = `local:${name}`;
  const instances: (LocalInstance | Lock)[] = [];
  for (let cpu = 0; cpu < m.nrCpus; cpu++) {
    const addr = lock.off + m.perCpuOffset[cpu]!;
    if (m.preemptRT) {
      instances.push(lockInit(m, addr, 'spinlock_t', name, what, cls));
    } else {
      if (kind === 'local_trylock_t') m.u8[addr] = 0;
      instances.push({ addr, name, cls, acquired: kind === 'local_trylock_t' ? addr + kernelType('local_lock_t', { preemptRT: false }).size : -1 });
    }
  }
  const d: LocalLockDef = { kind, name, instances };
  table(m).set(lock.off, d);
  return d;
}

/**
 * local_lock_init()/local_trylock_init() on every CPU's instance; `name` is
 * lockdep's (default: the per-CPU variable's label).
 */
export function local_lock_init(m: Machine, lock: PerCpuPtr<unknown>, name?: string): void {
  const p = checkPtr(m, lock, 'local_lock_init');
  define(m, p, 'local_lock_t', name ?? p.origin.label, 'local_lock_init');
}

/** local_trylock_init(): like local_lock_init(), for a local_trylock_t, the kind local_trylock() takes. */
export function local_trylock_init(m: Machine, lock: PerCpuPtr<unknown>, name?: string): void {
  const p = checkPtr(m, lock, 'local_trylock_init');
  define(m, p, 'local_trylock_t', name ?? p.origin.label, 'local_trylock_init');
}

/** The definition of a local lock (a statically initialised local_lock_t on first use: INIT_LOCAL_LOCK). */
export function localLockDef(m: Machine, lock: PerCpuPtr<unknown>, what: string): LocalLockDef {
  const p = checkPtr(m, lock, what);
  // A lock inside a per-CPU struct is its own lock class, named by its member path (INIT_LOCAL_LOCK(lock) per member).
  const member = rootOf(p).root !== p;
  return table(m).get(p.off) ?? define(m, p, 'local_lock_t', member ? p.sym : p.origin.label, what);
}

/** This CPU's instance: this_cpu_ptr(lock), with DEBUG_PREEMPT's check (the caller has pinned the CPU). */
export function localInstance(m: Machine, lock: PerCpuPtr<unknown>, d: LocalLockDef): LocalInstance | Lock {
  this_cpu_ptr(m, lock);
  return d.instances[m.cpu]!;
}

export function isRtInstance(l: LocalInstance | Lock): l is Lock {
  return (l as Lock).sleeping !== undefined;
}

/** local_lock_acquire(): lockdep's checks and record; a local_trylock_t also sets `acquired`. */
export function localAcquire(m: Machine, l: LocalInstance, how: string, trylock = false): void {
  lockdepAcquireCheck(m, l, how, trylock);
  if (l.acquired >= 0) m.u8[l.acquired] = 1;
  lockdepAcquired(m, l, how, trylock);
}

export function localRelease(m: Machine, l: LocalInstance, how: string): void {
  lockdepReleaseCheck(m, l, how);
  if (l.acquired >= 0) m.u8[l.acquired] = 0;
  lockdepReleased(m, l);
}

function rtLock(m: Machine, lock: PerCpuPtr<unknown>, d: LocalLockDef, how: string): void {
  might_sleep(m, RT_LOCK_SITE);
  migrate_disable(m);
  try {
    const l = localInstance(m, lock, d) as Lock;
    lockdepAcquireCheck(m, l, how);
    if (m.view.getBigUint64(l.addr + l.word, true) !== 0n) {
      throw new MachineStateError(`${how}: this CPU's ${d.name} is held; a fast (unstepped) call cannot wait for it. Use the stepped ${how} in a scenario`);
    }
    m.view.setBigUint64(l.addr + l.word, BigInt(Math.max(m.ctx.pid, 1)), true);
    lockdepAcquired(m, l, how);
  } catch (e) {
    migrate_enable(m);
    throw e;
  }
}

function rtUnlock(m: Machine, lock: PerCpuPtr<unknown>, d: LocalLockDef, how: string): void {
  const l = localInstance(m, lock, d) as Lock;
  lockdepReleaseCheck(m, l, how);
  m.view.setBigUint64(l.addr + l.word, 0n, true);
  lockdepReleased(m, l);
  migrate_enable(m);
}

/** Runs `enter`, then the acquisition of this CPU's instance; a refusal undoes `enter`. */
function lockWith(m: Machine, lock: PerCpuPtr<unknown>, how: string, enter: () => void, leave: () => void): void {
  const d = localLockDef(m, lock, how);
  if (m.preemptRT) return rtLock(m, lock, d, how);
  enter();
  try {
    localAcquire(m, localInstance(m, lock, d) as LocalInstance, how);
  } catch (e) {
    leave();
    throw e;
  }
}

function unlockWith(m: Machine, lock: PerCpuPtr<unknown>, how: string, leave: () => void): void {
  const d = localLockDef(m, lock, how);
  if (m.preemptRT) return rtUnlock(m, lock, d, how);
  localRelease(m, localInstance(m, lock, d) as LocalInstance, how);
  leave();
}

/** local_lock(): preempt_disable(), then this CPU's instance (PREEMPT_RT: migrate_disable(), then this CPU's sleeping lock). */
export function local_lock(m: Machine, lock: PerCpuPtr<unknown>): void {
  lockWith(m, lock, 'local_lock', () => preempt_disable(m), () => preempt_enable(m));
}

/** local_unlock(): this CPU's instance released, then preempt_enable() (PREEMPT_RT: the lock, then migrate_enable()). */
export function local_unlock(m: Machine, lock: PerCpuPtr<unknown>): void {
  unlockWith(m, lock, 'local_unlock', () => preempt_enable(m));
}

/** local_lock_irq(): interrupts off, then this CPU's instance (PREEMPT_RT: as local_lock(), interrupts stay on). */
export function local_lock_irq(m: Machine, lock: PerCpuPtr<unknown>): void {
  lockWith(m, lock, 'local_lock_irq', () => local_irq_disable(m), () => local_irq_enable(m));
}

/** local_unlock_irq(): this CPU's instance released, then interrupts on (PREEMPT_RT: as local_unlock()). */
export function local_unlock_irq(m: Machine, lock: PerCpuPtr<unknown>): void {
  unlockWith(m, lock, 'local_unlock_irq', () => local_irq_enable(m));
}

/** local_lock_irqsave(): returns the flags (0 with PREEMPT_RT, where interrupts stay on). */
export function local_lock_irqsave(m: Machine, lock: PerCpuPtr<unknown>): number {
  let flags = 0;
  lockWith(m, lock, 'local_lock_irqsave', () => { flags = local_irq_save(m); }, () => local_irq_restore(m, flags));
  return flags;
}

/** local_unlock_irqrestore(): this CPU's instance released, then the interrupt state `flags` from local_lock_irqsave() restored. */
export function local_unlock_irqrestore(m: Machine, lock: PerCpuPtr<unknown>, flags: number): void {
  checkFlags(flags, 'local_unlock_irqrestore');
  unlockWith(m, lock, 'local_unlock_irqrestore', () => local_irq_restore(m, flags));
}

/**
 * local_trylock() on a local_trylock_t: this CPU's instance if it is free
 * (true); else nothing changes (false). Without PREEMPT_RT it tests `acquired`
 * with preemption off, so it also works from an interrupt over the holder.
 */
export function local_trylock(m: Machine, lock: PerCpuPtr<unknown>): boolean {
  const d = localLockDef(m, lock, 'local_trylock');
  if (d.kind !== 'local_trylock_t') throw new TypeError(`local_trylock: ${d.name} is a local_lock_t; local_trylock() takes a local_trylock_t (local_trylock_init)`);
  if (m.preemptRT) {
    migrate_disable(m);
    const l = localInstance(m, lock, d) as Lock;
    if (m.view.getBigUint64(l.addr + l.word, true) !== 0n) {
      migrate_enable(m);
      return false;
    }
    lockdepAcquireCheck(m, l, 'local_trylock', true);
    m.view.setBigUint64(l.addr + l.word, BigInt(Math.max(m.ctx.pid, 1)), true);
    lockdepAcquired(m, l, 'local_trylock', true);
    return true;
  }
  preempt_disable(m);
  const l = localInstance(m, lock, d) as LocalInstance;
  if (m.u8[l.acquired] !== 0) {
    preempt_enable(m);
    return false;
  }
  localAcquire(m, l, 'local_trylock', true);
  return true;
}
