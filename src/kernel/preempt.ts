/**
 * Preemption and interrupt control of the running context, named as in
 * include/linux/preempt.h, irqflags.h and smp.h. Each acts on `m.ctx`, the
 * context running on the executing CPU.
 *
 * preempt_count is laid out as include/linux/preempt.h does it (v6.x):
 *
 *         PREEMPT_MASK: 0x000000ff   preempt_disable() nesting
 *         SOFTIRQ_MASK: 0x0000ff00   SOFTIRQ_OFFSET while serving a softirq,
 *                                    SOFTIRQ_DISABLE_OFFSET per local_bh_disable()
 *         HARDIRQ_MASK: 0x000f0000   HARDIRQ_OFFSET in a hardirq handler
 *             NMI_MASK: 0x00f00000   NMI_OFFSET in an NMI handler
 *
 * and the context tests (in_task(), in_hardirq(), …) read those bits, as the
 * kernel's macros do.
 */
import { KernelBugError, MachineStateError } from '../errors.js';
import { X86_EFLAGS_IF, type Machine } from '../machine.js';
import { describe } from '../types.js';

export const PREEMPT_BITS = 8;
export const SOFTIRQ_BITS = 8;
export const HARDIRQ_BITS = 4;
export const NMI_BITS = 4;
export const PREEMPT_SHIFT = 0;
export const SOFTIRQ_SHIFT = PREEMPT_SHIFT + PREEMPT_BITS;
export const HARDIRQ_SHIFT = SOFTIRQ_SHIFT + SOFTIRQ_BITS;
export const NMI_SHIFT = HARDIRQ_SHIFT + HARDIRQ_BITS;
export const PREEMPT_MASK = ((1 << PREEMPT_BITS) - 1) << PREEMPT_SHIFT;
export const SOFTIRQ_MASK = ((1 << SOFTIRQ_BITS) - 1) << SOFTIRQ_SHIFT;
export const HARDIRQ_MASK = ((1 << HARDIRQ_BITS) - 1) << HARDIRQ_SHIFT;
export const NMI_MASK = ((1 << NMI_BITS) - 1) << NMI_SHIFT;
export const PREEMPT_OFFSET = 1 << PREEMPT_SHIFT;
export const SOFTIRQ_OFFSET = 1 << SOFTIRQ_SHIFT;
export const HARDIRQ_OFFSET = 1 << HARDIRQ_SHIFT;
export const NMI_OFFSET = 1 << NMI_SHIFT;
/** local_bh_disable() adds twice SOFTIRQ_OFFSET, so "serving" (bit 8) and "disabled" stay apart. */
export const SOFTIRQ_DISABLE_OFFSET = 2 * SOFTIRQ_OFFSET;

export function nmi_count(m: Machine): number {
  return m.ctx.preemptCount & NMI_MASK;
}

export function hardirq_count(m: Machine): number {
  return m.ctx.preemptCount & HARDIRQ_MASK;
}

export function softirq_count(m: Machine): number {
  return m.ctx.preemptCount & SOFTIRQ_MASK;
}

/** irq_count(): NMI, hardirq and softirq (serving or bh-disabled) bits. */
export function irq_count(m: Machine): number {
  return m.ctx.preemptCount & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_MASK);
}

export function in_nmi(m: Machine): boolean {
  return nmi_count(m) !== 0;
}

export function in_hardirq(m: Machine): boolean {
  return hardirq_count(m) !== 0;
}

/** in_serving_softirq(): a softirq handler runs (not merely bh disabled). */
export function in_serving_softirq(m: Machine): boolean {
  return (softirq_count(m) & SOFTIRQ_OFFSET) !== 0;
}

/** in_softirq(): serving a softirq or bottom halves disabled. */
export function in_softirq(m: Machine): boolean {
  return softirq_count(m) !== 0;
}

/** in_interrupt(): NMI, hardirq, softirq, or bottom halves disabled. */
export function in_interrupt(m: Machine): boolean {
  return irq_count(m) !== 0;
}

/** in_task(): not in NMI, hardirq or a serving softirq (bh disabled is still task context). */
export function in_task(m: Machine): boolean {
  return (m.ctx.preemptCount & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_OFFSET)) === 0;
}

/** in_atomic(): preempt_count() != 0. */
export function in_atomic(m: Machine): boolean {
  return m.ctx.preemptCount !== 0;
}

export function preempt_disable(m: Machine): void {
  m.ctx.preemptCount++;
}

export function preempt_enable(m: Machine): void {
  // preempt_count_sub() under DEBUG_PREEMPT: the preemption bits must not underflow.
  if ((m.ctx.preemptCount & PREEMPT_MASK) === 0) {
    throw new KernelBugError(
      `BUG: preempt_enable() with preempt_count 0 in ${m.ctx.comm}/${m.ctx.pid}: preempt count underflow (an enable without a matching preempt_disable)`,
    );
  }
  m.ctx.preemptCount--;
}

export function preempt_count(m: Machine): number {
  return m.ctx.preemptCount;
}

export function preemptible(m: Machine): boolean {
  return m.ctx.preemptCount === 0 && !m.ctx.irqsDisabled;
}

export function irqs_disabled(m: Machine): boolean {
  return m.ctx.irqsDisabled;
}

export function local_irq_disable(m: Machine): void {
  m.ctx.irqsDisabled = true;
}

export function local_irq_enable(m: Machine): void {
  m.ctx.irqsDisabled = false;
}

/** Disables interrupts and returns the previous flags (EFLAGS with IF = 0x200 when they were on). */
export function local_irq_save(m: Machine): number {
  const flags = m.ctx.irqsDisabled ? 0 : X86_EFLAGS_IF;
  m.ctx.irqsDisabled = true;
  return flags;
}

/** Restores the interrupt state saved by local_irq_save(). */
export function local_irq_restore(m: Machine, flags: number): void {
  if (flags !== 0 && flags !== X86_EFLAGS_IF) {
    throw new TypeError(`local_irq_restore: flags must be a value returned by local_irq_save() (0 or 0x200), got ${describe(flags)}`);
  }
  if (!m.ctx.irqsDisabled) {
    throw new MachineStateError('local_irq_restore: interrupts are already enabled: a restore without a matching local_irq_save');
  }
  m.ctx.irqsDisabled = flags === 0;
}
