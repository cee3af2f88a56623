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
 *
 * These run inside every arm64 and asm-generic op, so the only argument check
 * is the one that costs nothing: the context has to be loaded anyway, and a
 * missing one means `m` is not a Machine.
 */
import { KernelBugError, MachineStateError } from '../errors.js';
import { X86_EFLAGS_IF, type ExecContext, type Machine } from '../machine.js';
import { describe } from '../types.js';

/** The running context of `m`, or a TypeError naming the call when `m` is not a Machine. */
function ctxOf(m: Machine, what: string): ExecContext {
  const c = (m as Partial<Machine> | null | undefined)?.ctx;
  if (c === undefined || c === null) throw new TypeError(`${what}: expected a Machine (new Machine({ cpus })), got ${describe(m)}`);
  return c;
}

/** Width of the preempt field of preempt_count (include/linux/preempt.h). */
export const PREEMPT_BITS = 8;
/** Width of the softirq field of preempt_count (include/linux/preempt.h). */
export const SOFTIRQ_BITS = 8;
/** Width of the hardirq field of preempt_count (include/linux/preempt.h). */
export const HARDIRQ_BITS = 4;
/** Width of the nmi field of preempt_count (include/linux/preempt.h). */
export const NMI_BITS = 4;
/** Bit position of the preempt field of preempt_count (include/linux/preempt.h). */
export const PREEMPT_SHIFT = 0;
/** Bit position of the softirq field of preempt_count (include/linux/preempt.h). */
export const SOFTIRQ_SHIFT = PREEMPT_SHIFT + PREEMPT_BITS;
/** Bit position of the hardirq field of preempt_count (include/linux/preempt.h). */
export const HARDIRQ_SHIFT = SOFTIRQ_SHIFT + SOFTIRQ_BITS;
/** Bit position of the nmi field of preempt_count (include/linux/preempt.h). */
export const NMI_SHIFT = HARDIRQ_SHIFT + HARDIRQ_BITS;
/** The preempt field of preempt_count (include/linux/preempt.h). */
export const PREEMPT_MASK = ((1 << PREEMPT_BITS) - 1) << PREEMPT_SHIFT;
/** The softirq field of preempt_count (include/linux/preempt.h). */
export const SOFTIRQ_MASK = ((1 << SOFTIRQ_BITS) - 1) << SOFTIRQ_SHIFT;
/** The hardirq field of preempt_count (include/linux/preempt.h). */
export const HARDIRQ_MASK = ((1 << HARDIRQ_BITS) - 1) << HARDIRQ_SHIFT;
/** The nmi field of preempt_count (include/linux/preempt.h). */
export const NMI_MASK = ((1 << NMI_BITS) - 1) << NMI_SHIFT;
/** One unit of the preempt field of preempt_count (include/linux/preempt.h). */
export const PREEMPT_OFFSET = 1 << PREEMPT_SHIFT;
/** One unit of the softirq field of preempt_count (include/linux/preempt.h). */
export const SOFTIRQ_OFFSET = 1 << SOFTIRQ_SHIFT;
/** One unit of the hardirq field of preempt_count (include/linux/preempt.h). */
export const HARDIRQ_OFFSET = 1 << HARDIRQ_SHIFT;
/** One unit of the nmi field of preempt_count (include/linux/preempt.h). */
export const NMI_OFFSET = 1 << NMI_SHIFT;
/** local_bh_disable() adds twice SOFTIRQ_OFFSET, so "serving" (bit 8) and "disabled" stay apart. */
export const SOFTIRQ_DISABLE_OFFSET = 2 * SOFTIRQ_OFFSET;

/** `nmi_count()`: the NMI bits of preempt_count (include/linux/preempt.h). */
export function nmi_count(m: Machine): number {
  return ctxOf(m, 'nmi_count').preemptCount & NMI_MASK;
}

/** `hardirq_count()`: the hardirq bits of preempt_count (include/linux/preempt.h). */
export function hardirq_count(m: Machine): number {
  return ctxOf(m, 'hardirq_count').preemptCount & HARDIRQ_MASK;
}

/** `softirq_count()`: the softirq bits of preempt_count (include/linux/preempt.h). */
export function softirq_count(m: Machine): number {
  return ctxOf(m, 'softirq_count').preemptCount & SOFTIRQ_MASK;
}

/** irq_count(): NMI, hardirq and softirq (serving or bh-disabled) bits. */
export function irq_count(m: Machine): number {
  return ctxOf(m, 'irq_count').preemptCount & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_MASK);
}

/** `in_nmi()`: running in NMI context. */
export function in_nmi(m: Machine): boolean {
  return (ctxOf(m, 'in_nmi').preemptCount & NMI_MASK) !== 0;
}

/** `in_hardirq()`: running in hardirq context. */
export function in_hardirq(m: Machine): boolean {
  return (ctxOf(m, 'in_hardirq').preemptCount & HARDIRQ_MASK) !== 0;
}

/** in_serving_softirq(): a softirq handler runs (not merely bh disabled). */
export function in_serving_softirq(m: Machine): boolean {
  return (ctxOf(m, 'in_serving_softirq').preemptCount & SOFTIRQ_OFFSET) !== 0;
}

/** in_softirq(): serving a softirq or bottom halves disabled. */
export function in_softirq(m: Machine): boolean {
  return (ctxOf(m, 'in_softirq').preemptCount & SOFTIRQ_MASK) !== 0;
}

/** in_interrupt(): NMI, hardirq, softirq, or bottom halves disabled. */
export function in_interrupt(m: Machine): boolean {
  return (ctxOf(m, 'in_interrupt').preemptCount & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_MASK)) !== 0;
}

/** in_task(): not in NMI, hardirq or a serving softirq (bh disabled is still task context). */
export function in_task(m: Machine): boolean {
  return (ctxOf(m, 'in_task').preemptCount & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_OFFSET)) === 0;
}

/** in_atomic(): preempt_count() != 0. */
export function in_atomic(m: Machine): boolean {
  return ctxOf(m, 'in_atomic').preemptCount !== 0;
}

/** preempt_disable(): raises this context's preempt count by one; the scheduler will not switch tasks on this CPU until it is back to 0. */
export function preempt_disable(m: Machine): void {
  ctxOf(m, 'preempt_disable').preemptCount++;
}

/** preempt_enable(); `what` names the API call that does it (put_cpu, put_cpu_ptr, …) in the underflow BUG. */
export function preempt_enable(m: Machine, what = 'preempt_enable'): void {
  const c = ctxOf(m, what);
  // preempt_count_sub() under DEBUG_PREEMPT: the preemption bits must not underflow.
  if ((c.preemptCount & PREEMPT_MASK) === 0) {
    throw new KernelBugError(
      `BUG: ${what}() with preempt_count 0 in ${c.comm}/${c.pid}: preempt count underflow (an enable without a matching preempt_disable)`,
    );
  }
  c.preemptCount--;
}

/** preempt_count(): this context's preempt count, with the kernel's softirq, hardirq and NMI bit fields. */
export function preempt_count(m: Machine): number {
  return ctxOf(m, 'preempt_count').preemptCount;
}

/** preemptible(): preempt count 0 and interrupts on, so the scheduler may switch tasks here. */
export function preemptible(m: Machine): boolean {
  const c = ctxOf(m, 'preemptible');
  return c.preemptCount === 0 && !c.irqsDisabled;
}

/** irqs_disabled(): interrupts are off on this CPU. */
export function irqs_disabled(m: Machine): boolean {
  return ctxOf(m, 'irqs_disabled').irqsDisabled;
}

/** local_irq_disable(): turns interrupts off on this CPU (cli), whatever they were; pair with local_irq_enable(). */
export function local_irq_disable(m: Machine): void {
  ctxOf(m, 'local_irq_disable').irqsDisabled = true;
}

/** local_irq_enable(): turns interrupts on on this CPU (sti). */
export function local_irq_enable(m: Machine): void {
  ctxOf(m, 'local_irq_enable').irqsDisabled = false;
}

/** Disables interrupts and returns the previous flags (EFLAGS with IF = 0x200 when they were on). */
export function local_irq_save(m: Machine): number {
  const c = ctxOf(m, 'local_irq_save');
  const flags = c.irqsDisabled ? 0 : X86_EFLAGS_IF;
  c.irqsDisabled = true;
  return flags;
}

/** Restores the interrupt state saved by local_irq_save(). */
export function local_irq_restore(m: Machine, flags: number): void {
  const c = ctxOf(m, 'local_irq_restore');
  if (flags !== 0 && flags !== X86_EFLAGS_IF) {
    throw new TypeError(`local_irq_restore: flags must be a value returned by local_irq_save() (0 or 0x200), got ${describe(flags)}`);
  }
  if (!c.irqsDisabled) {
    throw new MachineStateError('local_irq_restore: interrupts are already enabled: a restore without a matching local_irq_save');
  }
  c.irqsDisabled = flags === 0;
}
