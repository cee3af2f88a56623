/**
 * One instruction of a stepped op: what the explorer's trace shows
 * (`cpu1 T2: movl %gs:[var], %eax` with the variable's offset filled in).
 */
import type { PerCpuPtr } from './percpu-ptr.js';

export interface Insn {
  /** The instruction as the family template spells it, operands symbolic. */
  readonly asm: string;
  /** The per-CPU variable the instruction addresses. */
  readonly pcp: PerCpuPtr<unknown>;
}

/** The instruction with `[var]` replaced by the variable's offset: `addl %[val], %gs:0x40`. */
export function formatInsn(i: Insn): string {
  let off: string;
  try {
    off = `0x${i.pcp.off.toString(16)}`;
  } catch {
    off = '[freed]';
  }
  return i.asm.replace(/%a\[var\]|\[var\]/g, off);
}
