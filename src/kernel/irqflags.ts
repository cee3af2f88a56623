/**
 * The interrupt flags as C code holds them: `unsigned long flags`, a u64,
 * which translated C represents as a bigint. The runtime's flags are the
 * number local_irq_save() (and the *_irqsave() locks) return: 0 or
 * X86_EFLAGS_IF.
 *
 * Converting with BigInt() and Number() on every save and restore allocated a
 * bigint per call, and made a translated function that saves and restores the
 * flags on its fast path twice as slow as the same function written by hand.
 * The two values are constants here; a value that is neither is passed on as
 * it is, for the restoring call to refuse.
 */
import { X86_EFLAGS_IF, type Machine } from '../machine.js';
import { local_irq_restore, local_irq_save } from './preempt.js';

const IF_U64 = BigInt(X86_EFLAGS_IF);

/** The runtime's flags (0 or X86_EFLAGS_IF) as `unsigned long`. */
export function irqflags_to_u64(flags: number): bigint {
  return flags === 0 ? 0n : flags === X86_EFLAGS_IF ? IF_U64 : BigInt(flags);
}

/** `unsigned long` flags back to the runtime's number. */
export function irqflags_from_u64(flags: bigint): number {
  return flags === 0n ? 0 : flags === IF_U64 ? X86_EFLAGS_IF : Number(flags);
}

/**
 * arch_local_irq_save() (arch/x86/include/asm/irqflags.h), which
 * <linux/irqflags.h>'s local_irq_save(flags) expands to: disables interrupts
 * on this CPU and returns the previous state.
 */
export function arch_local_irq_save(m: Machine): bigint {
  return irqflags_to_u64(local_irq_save(m));
}

/** arch_local_irq_restore(), behind local_irq_restore(flags). */
export function arch_local_irq_restore(m: Machine, flags: bigint): void {
  local_irq_restore(m, irqflags_from_u64(flags));
}
