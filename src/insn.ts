/**
 * One instruction of a stepped op: what the explorer's trace shows, with the
 * per-CPU operand named as C names it (`incl %gs:hits`,
 * `movb %gs:pcp->vm_stat_diff[2], %al`) and every template placeholder
 * expanded: an immediate operand as `$5`, a register operand as the register
 * of the instruction's width. The raw offset stays on the pointer (and the
 * address in the trace entry), out of the reader's way.
 */
import type { PerCpuPtr } from './percpu-ptr.js';
import { describe } from './types.js';

/** One instruction a stepped op yields: the template's text and the operands that fill it. */
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

/** x86-64 registers by operand width (b, w, l, q) for each placeholder the templates use. */
const X86_REGS: Record<string, readonly string[]> = {
  ret: ['%al', '%ax', '%eax', '%rax'],
  tmp: ['%al', '%ax', '%eax', '%rax'],
  oval: ['%al', '%ax', '%eax', '%rax'],
  val: ['%dl', '%dx', '%edx', '%rdx'],
  nval: ['%cl', '%cx', '%ecx', '%rcx'],
};
const WIDTH: Record<string, number> = { b: 0, w: 1, l: 2, q: 3 };

/** The lvalue a pointer designates (`hits`, `pcp->count`, `*cnt`) and, for address operands, its address. */
function names(pcp: PerCpuPtr<unknown>): { lvalue: string; address: string } {
  let lvalue: string;
  try {
    lvalue = pcp.sym;
    void pcp.off; // a freed pointer names itself so
  } catch {
    return { lvalue: '[freed]', address: '[freed]' };
  }
  // A variable's or a pointer's name is the address itself, as an assembler symbol is (`*p`'s is `p`,
  // `*nr_files.counters`'s is `nr_files.counters`); a member's address is taken.
  const address = lvalue.startsWith('*') ? lvalue.slice(1) : /^[A-Za-z_][A-Za-z0-9_#]*$/.test(lvalue) ? lvalue : `&${lvalue}`;
  return { lvalue, address };
}

/**
 * The instruction as a kernel developer reads it: `addl $5, %gs:hits`,
 * `movl %gs:pcp->count, %eax`, `add x1, x1, #hits`,
 * `ptr = hits + __per_cpu_offset[cpu]` (a member's address as `&zs.vm_stat_diff[2]`).
 */
export function formatInsn(i: Insn): string {
  if (i === null || typeof i !== 'object' || typeof i.asm !== 'string') {
    throw new TypeError(`formatInsn: expected an instruction { asm, pcp, … } from a stepped op, got ${describe(i)}`);
  }
  const { lvalue, address } = names(i.pcp);
  const op = i.asm.trimStart().split(/\s/, 1)[0] ?? '';
  const w = WIDTH[op.charAt(op.length - 1)] ?? 3;
  return i.asm
    .replace(/%gs:(%a)?\[var\]/g, `%gs:${lvalue}`)
    .replace(/\[var\]/g, address)
    .replace(/%\[(\w+)\]/g, (whole, name: string) => {
      const v = name === 'val' ? i.val : undefined;
      if (v !== undefined) return `$${v}`;
      return X86_REGS[name]?.[w] ?? whole;
    });
}
