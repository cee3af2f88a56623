/**
 * The lockdep-style checks the locks make, with the kernel's wording
 * (kernel/locking/lockdep.c, v6.x): recursive locking, release of a lock not
 * held, and the irq-safety inversion (a lock class taken in hardirq context
 * and also with hardirqs enabled; the same for softirqs).
 *
 * Lock classes are what lockdep calls them: a class per static lock, shared
 * by every instance a lock's definition makes — so every CPU's copy of a
 * per-CPU local_lock_t is one class. Usage bits of a class only grow; a lock
 * operation that would set a new bit names the class in its step's writes
 * (`lockdep:<class>`), one that sets none only reads it, so the explorer's
 * reduction keeps orders that change what lockdep reports apart.
 */
import { KernelBugError } from '../../errors.js';
import { machineArg, type ExecContext, type Machine } from '../../machine.js';
import { PerMachine } from '../../per-machine.js';
import { HARDIRQ_MASK, HARDIRQ_SHIFT, NMI_MASK, SOFTIRQ_MASK, SOFTIRQ_OFFSET, SOFTIRQ_SHIFT } from '../preempt.js';

/** enum lock_usage_bit (the write-lock ones): the order of usage_str[]. */
export const LOCK_USED_IN_HARDIRQ = 0;
export const LOCK_ENABLED_HARDIRQ = 1;
export const LOCK_USED_IN_SOFTIRQ = 2;
export const LOCK_ENABLED_SOFTIRQ = 3;
const USAGE_STR = ['IN-HARDIRQ-W', 'HARDIRQ-ON-W', 'IN-SOFTIRQ-W', 'SOFTIRQ-ON-W'];
/** Each usage bit and the bit it must never meet in one class. */
const EXCLUSIVE = [LOCK_ENABLED_HARDIRQ, LOCK_USED_IN_HARDIRQ, LOCK_ENABLED_SOFTIRQ, LOCK_USED_IN_SOFTIRQ];

/** A lock as lockdep knows it. */
export interface LockInstance {
  /** Where it lives (its address; unique per instance). */
  readonly addr: number;
  /** The name lockdep prints: `(&pcp->lock)`. */
  readonly name: string;
  /** Its class key (shared by all instances of one definition). */
  readonly cls: string;
}

interface Holder {
  readonly ctx: ExecContext;
  /** The function that took it (for the reports). */
  readonly how: string;
}

interface LockdepState {
  readonly usage: Map<string, number>;
  /** By instance: `<class>@<address>` (an empty local_lock_t may share its address with the next member). */
  readonly holders: Map<string, Holder>;
}

function key(l: LockInstance): string {
  return `${l.cls}@${l.addr}`;
}

const states = new PerMachine<LockdepState>('lockdep');

function state(m: Machine): LockdepState {
  let s = states.get(m);
  if (s === undefined) {
    s = { usage: new Map(), holders: new Map() };
    states.set(m, s);
  }
  return s;
}

/** The resource a class's usage bits are in the explorer's footprints. */
export function lockdepResource(l: LockInstance): string {
  return `lockdep:${l.cls}`;
}

/** Who holds the lock (lockdep's held_locks, CONFIG_DEBUG_SPINLOCK's owner), or null. */
export function lockHolder(m: Machine, l: LockInstance): ExecContext | null {
  return states.get(m)?.holders.get(key(l))?.ctx ?? null;
}

/** The usage bits an acquisition in the running context sets (mark_usage()); a trylock sets no ENABLED bit. */
function usageBits(c: ExecContext, trylock: boolean): number[] {
  const out: number[] = [];
  const inHardirq = (c.preemptCount & (HARDIRQ_MASK | NMI_MASK)) !== 0;
  if (inHardirq) out.push(LOCK_USED_IN_HARDIRQ);
  if ((c.preemptCount & SOFTIRQ_OFFSET) !== 0) out.push(LOCK_USED_IN_SOFTIRQ);
  if (!trylock) {
    if (!c.irqsDisabled) out.push(LOCK_ENABLED_HARDIRQ);
    if (!inHardirq && (c.preemptCount & SOFTIRQ_MASK) === 0) out.push(LOCK_ENABLED_SOFTIRQ);
  }
  return out;
}

/** True when an acquisition by the running context now would set a usage bit its class lacks (the step then writes the class). */
export function wouldMarkUsage(m: Machine, l: LockInstance, c: ExecContext, trylock = false): boolean {
  const have = states.get(m)?.usage.get(l.cls) ?? 0;
  return usageBits(c, trylock).some((b) => (have & (1 << b)) === 0);
}

/** True when lockdep would report an acquisition by `c` now (an inversion): it reports before the lock is waited for. */
export function lockdepWouldReport(m: Machine, l: LockInstance, c: ExecContext): boolean {
  const have = states.get(m)?.usage.get(l.cls) ?? 0;
  return usageBits(c, false).some((b) => (have & (1 << EXCLUSIVE[b]!)) !== 0);
}

function lockLine(l: LockInstance, how: string): string {
  return ` (${l.name}), at: ${how}`;
}

function who(c: ExecContext): string {
  return `${c.comm}/${c.pid}`;
}

/**
 * lock_acquire()'s checks before the lock is taken: the irq-safety inversion
 * (print_usage_bug()) and recursion (the running context already holds it:
 * print_deadlock_bug()). Throws the report; changes nothing when it throws.
 */
export function lockdepAcquireCheck(m: Machine, l: LockInstance, how: string, trylock = false): void {
  const s = state(m);
  // __lock_acquire(): mark_usage() comes before validate_chain()'s deadlock check.
  const have = s.usage.get(l.cls) ?? 0;
  for (const b of usageBits(m.ctx, trylock)) {
    const bad = EXCLUSIVE[b]!;
    if ((have & (1 << bad)) === 0) continue;
    const c = m.ctx;
    const hc = (c.preemptCount & HARDIRQ_MASK) !== 0 ? 1 : 0;
    const sc = (c.preemptCount & SOFTIRQ_OFFSET) !== 0 ? 1 : 0;
    throw new KernelBugError([
      'WARNING: inconsistent lock state',
      `inconsistent {${USAGE_STR[bad]}} -> {${USAGE_STR[b]}} usage.`,
      `${who(c)} [HC${hc}[${(c.preemptCount & HARDIRQ_MASK) >>> HARDIRQ_SHIFT}]:SC${sc}[${(c.preemptCount & SOFTIRQ_MASK) >>> SOFTIRQ_SHIFT}]`
        + `:HE${c.irqsDisabled ? 0 : 1}:SE${(c.preemptCount & SOFTIRQ_MASK) === 0 ? 1 : 0}] takes:`,
      lockLine(l, how),
    ].join('\n'));
  }
  const h = s.holders.get(key(l));
  if (h !== undefined && h.ctx === m.ctx && !trylock) {
    throw new KernelBugError([
      'WARNING: possible recursive locking detected',
      `${who(m.ctx)} is trying to acquire lock:`,
      lockLine(l, how),
      'but task is already holding lock:',
      lockLine(l, h.how),
    ].join('\n'));
  }
}

/** Records the acquisition: the running context holds the lock, its class gains the usage bits. */
export function lockdepAcquired(m: Machine, l: LockInstance, how: string, trylock = false): void {
  const s = state(m);
  s.holders.set(key(l), { ctx: m.ctx, how });
  let u = s.usage.get(l.cls) ?? 0;
  for (const b of usageBits(m.ctx, trylock)) u |= 1 << b;
  s.usage.set(l.cls, u);
}

/** lock_release(): the running context must hold the lock (print_unlock_imbalance_bug()). Throws, changing nothing, when it does not. */
export function lockdepReleaseCheck(m: Machine, l: LockInstance, how: string): void {
  const h = states.get(m)?.holders.get(key(l));
  if (h === undefined || h.ctx !== m.ctx) {
    throw new KernelBugError([
      'WARNING: bad unlock balance detected!',
      `${who(m.ctx)} is trying to release lock (${l.name}) at:`,
      how,
      h === undefined ? 'but there are no more locks to release!' : `but the lock is held by ${who(h.ctx)}!`,
    ].join('\n'));
  }
}

export function lockdepReleased(m: Machine, l: LockInstance): void {
  states.get(m)?.holders.delete(key(l));
}

/**
 * __might_resched() (kernel/sched/core.c): a function that may sleep, called
 * where sleeping is not allowed. With PREEMPT_RT a softirq runs in task
 * context, so its bits do not make the context atomic there.
 */
export function might_sleep(m: Machine, where: string): void {
  const c = machineArg(m, 'might_sleep').ctx;
  const count = m.preemptRT ? c.preemptCount & ~SOFTIRQ_MASK : c.preemptCount;
  if (count === 0 && !c.irqsDisabled && c.kind === 'task') return;
  throw new KernelBugError([
    `BUG: sleeping function called from invalid context at ${where}`,
    `in_atomic(): ${count !== 0 ? 1 : 0}, irqs_disabled(): ${c.irqsDisabled ? 1 : 0}, non_block: 0, pid: ${c.pid}, name: ${c.comm}`,
    `preempt_count: ${count.toString(16)}, expected: 0`,
  ].join('\n'));
}
