/**
 * Preemption and interrupt control of the running context, named as in
 * include/linux/preempt.h, irqflags.h and smp.h. Each acts on `m.ctx`, the
 * context running on the executing CPU.
 */
import { KernelBugError, MachineStateError } from '../errors.js';
import { X86_EFLAGS_IF, type Machine } from '../machine.js';
import { describe } from '../types.js';

export function preempt_disable(m: Machine): void {
  m.ctx.preemptCount++;
}

export function preempt_enable(m: Machine): void {
  if (m.ctx.preemptCount <= 0) {
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
