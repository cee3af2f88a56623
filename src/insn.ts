/**
 * One instruction of a stepped op: what the explorer's trace shows
 * (`cpu1 T2: movl %gs:[var], %eax` with the variable's offset filled in).
 */
import type { PerCpuPtr } from './percpu-ptr.js';
import { describe } from './types.js';

export interface Insn {
  /** The instruction as the family template spells it, operands symbolic. */
  readonly asm: string;
  /** The per-CPU variable the instruction addresses. */
  readonly pcp: PerCpuPtr<unknown>;
  /** The values of the operands the instruction names (`%[val]` …), as the instruction uses them. */
  readonly val?: number | bigint;
  readonly oval?: number | bigint;
  readonly nval?: number | bigint;
  /**
   * On arm64 and asm-generic, where raw_cpu_ptr() computed the address once:
   * the byte address really touched (after a migration, the previous CPU's
   * copy), how many bytes, and how; `size: 0` for a register-only instruction.
   */
  readonly addr?: number;
  readonly size?: number;
  readonly access?: 'r' | 'w';
}

/** The instruction with its operands filled in: `addl $5, %gs:0x40`. */
export function formatInsn(i: Insn): string {
  if (i === null || typeof i !== 'object' || typeof i.asm !== 'string') {
    throw new TypeError(`formatInsn: expected an instruction { asm, pcp, … } from a stepped op, got ${describe(i)}`);
  }
  let off: string;
  try {
    off = Number.isFinite(i.pcp.off) ? `0x${i.pcp.off.toString(16)}` : '[var]';
  } catch {
    off = '[freed]';
  }
  return i.asm
    .replace(/%a\[var\]|\[var\]/g, off)
    .replace(/%\[(val|oval|nval)\]/g, (whole, name: 'val' | 'oval' | 'nval') => (i[name] === undefined ? whole : `$${i[name]}`));
}
