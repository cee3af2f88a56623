/**
 * Softirqs and bottom-half control, after kernel/softirq.c (v6.x, !PREEMPT_RT):
 * each CPU has a pending mask (`irq_stat.__softirq_pending`); raise_softirq()
 * sets a bit on the running CPU; pending softirqs run
 *
 *   - in local_bh_enable() when it leaves the CPU outside any interrupt
 *     context (`!in_interrupt()`), as __local_bh_enable_ip() does,
 *   - when a hardirq handler returns to a context outside any interrupt
 *     context (irq_exit() -> invoke_softirq()),
 *   - or later, in ksoftirqd: the explorer's softirq transition.
 *
 * The handlers are the scenario's (World.softirqs); this module keeps the
 * pending masks and tells the scheduler when local_bh_enable() asks for a run.
 * Without a scheduler there are no handlers: raised bits stay pending.
 *
 * PREEMPT_RT turns local_bh_disable() into a per-CPU sleeping lock counted in
 * the task (softirq_disable_cnt); that is not modelled: bottom halves behave as
 * without PREEMPT_RT on both configurations.
 */
import { KernelBugError } from '../errors.js';
import { machineArg, type Machine } from '../machine.js';
import { PerMachine } from '../per-machine.js';
import { describe } from '../types.js';
import { HARDIRQ_MASK, NMI_MASK, SOFTIRQ_DISABLE_OFFSET, SOFTIRQ_MASK, in_hardirq, in_interrupt } from './preempt.js';

/** The softirq vectors of include/linux/interrupt.h, in priority order. */
export const HI_SOFTIRQ = 0;
/** TIMER_SOFTIRQ: timer wheel expiry. */
export const TIMER_SOFTIRQ = 1;
/** NET_TX_SOFTIRQ: network transmit completion. */
export const NET_TX_SOFTIRQ = 2;
/** NET_RX_SOFTIRQ: network receive (NAPI polling). */
export const NET_RX_SOFTIRQ = 3;
/** BLOCK_SOFTIRQ: block-layer request completion. */
export const BLOCK_SOFTIRQ = 4;
/** IRQ_POLL_SOFTIRQ: irq_poll completion polling. */
export const IRQ_POLL_SOFTIRQ = 5;
/** TASKLET_SOFTIRQ: ordinary tasklets. */
export const TASKLET_SOFTIRQ = 6;
/** SCHED_SOFTIRQ: scheduler load balancing. */
export const SCHED_SOFTIRQ = 7;
/** HRTIMER_SOFTIRQ: high-resolution timers that expire in softirq context. */
export const HRTIMER_SOFTIRQ = 8;
/** RCU_SOFTIRQ: RCU callback processing; the last vector. */
export const RCU_SOFTIRQ = 9;
/** NR_SOFTIRQS: the number of vectors; a vector number is below it. */
export const NR_SOFTIRQS = 10;

/** softirq_to_name[] of kernel/softirq.c: the names /proc/softirqs prints (and schedule tokens use). */
export const softirq_to_name: readonly string[] = ['HI', 'TIMER', 'NET_TX', 'NET_RX', 'BLOCK', 'IRQ_POLL', 'TASKLET', 'SCHED', 'HRTIMER', 'RCU'];

/** MAX_SOFTIRQ_RESTART: handle_softirqs() goes round this often before leaving the rest to ksoftirqd. */
export const MAX_SOFTIRQ_RESTART = 10;

interface SoftirqState {
  readonly pending: Uint32Array;
  /** CPUs whose local_bh_enable() found softirqs to run (the scheduler runs them). */
  readonly runRequested: Uint8Array;
}

const states = new PerMachine<SoftirqState>('softirq');

function state(m: Machine): SoftirqState {
  let s = states.get(m);
  if (s === undefined) {
    s = { pending: new Uint32Array(m.nrCpus), runRequested: new Uint8Array(m.nrCpus) };
    states.set(m, s);
  }
  return s;
}

export function checkSoftirqNr(nr: unknown, what: string): number {
  if (typeof nr !== 'number' || !Number.isInteger(nr) || nr < 0 || nr >= NR_SOFTIRQS) {
    throw new RangeError(`${what}: softirq number must be an integer from 0 to ${NR_SOFTIRQS - 1} (HI_SOFTIRQ … RCU_SOFTIRQ), got ${describe(nr)}`);
  }
  return nr;
}

/** local_softirq_pending(): the running CPU's pending mask. */
export function local_softirq_pending(m: Machine): number {
  return state(machineArg(m, 'local_softirq_pending')).pending[m.cpu]!;
}

/** The pending mask of `cpu` (for the scheduler and the state key). */
export function softirq_pending_of(m: Machine, cpu: number): number {
  return states.get(m)?.pending[cpu] ?? 0;
}

/** Clears and returns `cpu`'s pending mask (handle_softirqs(): set_softirq_pending(0)). */
export function take_softirq_pending(m: Machine, cpu: number): number {
  const s = state(m);
  const p = s.pending[cpu]!;
  s.pending[cpu] = 0;
  return p;
}

/** __raise_softirq_irqoff(): marks `nr` pending on the running CPU. */
export function __raise_softirq_irqoff(m: Machine, nr: number): void {
  checkSoftirqNr(nr, '__raise_softirq_irqoff');
  state(m).pending[m.cpu]! |= 1 << nr;
}

/**
 * raise_softirq_irqoff(): with interrupts disabled (lockdep_assert_irqs_disabled()),
 * marks `nr` pending. Outside interrupt context the kernel wakes ksoftirqd: here
 * the explorer may run the pending softirq at any later point where softirqs can run.
 */
export function raise_softirq_irqoff(m: Machine, nr: number): void {
  checkSoftirqNr(nr, 'raise_softirq_irqoff');
  if (!m.ctx.irqsDisabled) {
    throw new KernelBugError(`WARNING: CPU: ${m.cpu} PID: ${m.ctx.pid} at kernel/softirq.c raise_softirq_irqoff: lockdep_assert_irqs_disabled() (${m.ctx.comm} has interrupts enabled)`);
  }
  __raise_softirq_irqoff(m, nr);
}

/** raise_softirq(): local_irq_save(); raise_softirq_irqoff(nr); local_irq_restore() — from any context. */
export function raise_softirq(m: Machine, nr: number): void {
  checkSoftirqNr(nr, 'raise_softirq');
  __raise_softirq_irqoff(m, nr);
}

/** local_bh_disable(): preempt_count += SOFTIRQ_DISABLE_OFFSET (softirqs cannot run on this CPU). */
export function local_bh_disable(m: Machine): void {
  machineArg(m, 'local_bh_disable').ctx.preemptCount += SOFTIRQ_DISABLE_OFFSET;
}

/**
 * local_bh_enable(): __local_bh_enable_ip(). Not from hardirq context nor with
 * interrupts disabled (the kernel WARNs on both); when it leaves the CPU outside
 * any interrupt context with softirqs pending, they run now (the scheduler runs
 * them right after the current step, before the task's next instruction).
 */
export function local_bh_enable(m: Machine): void {
  const c = machineArg(m, 'local_bh_enable').ctx;
  if (in_hardirq(m) || c.irqsDisabled) {
    throw new KernelBugError(
      `WARNING: CPU: ${m.cpu} PID: ${c.pid} at kernel/softirq.c __local_bh_enable_ip: ${in_hardirq(m) ? 'in_hardirq()' : 'irqs_disabled()'} (${c.comm}, preempt_count ${hex8(c.preemptCount)})`,
    );
  }
  if ((c.preemptCount & SOFTIRQ_MASK) < SOFTIRQ_DISABLE_OFFSET) {
    throw new KernelBugError(
      `BUG: local_bh_enable() without a matching local_bh_disable() in ${c.comm}/${c.pid} (preempt_count ${hex8(c.preemptCount)})`,
    );
  }
  c.preemptCount -= SOFTIRQ_DISABLE_OFFSET;
  if (!in_interrupt(m) && local_softirq_pending(m) !== 0) state(m).runRequested[m.cpu] = 1;
}

/** Whether local_bh_enable() asked for a softirq run on `cpu`; clears the request. */
export function take_softirq_run_request(m: Machine, cpu: number): boolean {
  const s = states.get(m);
  if (s === undefined || s.runRequested[cpu] === 0) return false;
  s.runRequested[cpu] = 0;
  return true;
}

/** True when softirqs may run over a context with this preempt_count and irq state (not in_interrupt(), irqs on). */
export function softirqsMayRun(preemptCount: number, irqsDisabled: boolean): boolean {
  return !irqsDisabled && (preemptCount & (SOFTIRQ_MASK | HARDIRQ_MASK | NMI_MASK)) === 0;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}
