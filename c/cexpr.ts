/**
 * Operand expressions of the C tables, translated to TypeScript: parameters,
 * integer constants, unary minus and complement, and casts such as
 * `-(typeof(pcp))(val)`. Constants are folded in the operand's width, so that
 * `this_cpu_sub(pcp, 1)` reaches percpu_add_op with the constant all-ones and
 * the add family picks dec, as the kernel's __builtin_constant_p test does.
 */
import type { Tok } from './ctokens.js';

export interface Operand {
  /** The TypeScript expression (the width's reduction is left to the template). */
  readonly ts: string;
  /** The folded value, reduced modulo 2^(8·width), when the operand is constant. */
  readonly value: bigint | null;
}

const C_TYPES: Record<string, number> = {
  u8: 1, s8: 1, char: 1, u16: 2, s16: 2, short: 2, u32: 4, s32: 4, int: 4, u64: 8, s64: 8, long: 8,
};

export class OperandError extends Error {}

export function translateOperand(toks: readonly Tok[], width: number, params: ReadonlySet<string>, pointer: string): Operand {
  const bits = BigInt(width * 8);
  const big = width >= 8;
  let i = 0;
  const peek = (k = 0): Tok | undefined => toks[i + k];
  const expect = (text: string): void => {
    if (peek()?.text !== text) throw new OperandError(`expected '${text}' in operand '${toks.map((t) => t.text).join('')}'`);
    i++;
  };

  /** A cast at toks[i] ('(' type ')'), returning its width, or 0 if none. */
  const castAhead = (): number => {
    if (peek()?.text !== '(') return 0;
    const t = peek(1);
    if (t?.text === 'typeof' && peek(2)?.text === '(' && peek(4)?.text === ')' && peek(5)?.text === ')') {
      if (peek(3)?.text !== pointer) throw new OperandError(`typeof(${peek(3)?.text}) must name the per-CPU variable '${pointer}'`);
      return -width;
    }
    if (t && t.kind === 'id' && C_TYPES[t.text] !== undefined && peek(2)?.text === ')') return C_TYPES[t.text];
    return 0;
  };

  const unary = (): Operand => {
    const t = peek();
    if (!t) throw new OperandError('operand ends too early');
    if (t.text === '-' || t.text === '~' || t.text === '+') {
      i++;
      const x = unary();
      if (x.value !== null) {
        const v = t.text === '-' ? -x.value : t.text === '~' ? ~x.value : x.value;
        return { ts: '', value: BigInt.asUintN(Number(bits), v) };
      }
      return { ts: t.text === '+' ? x.ts : `${t.text}${x.ts.startsWith('-') || x.ts.startsWith('~') ? `(${x.ts})` : x.ts}`, value: null };
    }
    const cw = castAhead();
    if (cw !== 0) {
      i += cw < 0 ? 6 : 3;
      const x = unary();
      const w = BigInt(Math.abs(cw) * 8);
      return x.value !== null ? { ts: '', value: BigInt.asUintN(Number(bits), BigInt.asUintN(Number(w), x.value)) } : x;
    }
    return primary();
  };

  const primary = (): Operand => {
    const t = peek();
    if (!t) throw new OperandError('operand ends too early');
    if (t.text === '(') {
      i++;
      const x = unary();
      expect(')');
      return x;
    }
    if (t.kind === 'num') {
      i++;
      const m = /^(0x[0-9a-f]+|[0-9]+)[ul]*$/i.exec(t.text);
      if (!m) throw new OperandError(`bad integer constant '${t.text}'`);
      return { ts: '', value: BigInt.asUintN(Number(bits), BigInt(m[1])) };
    }
    if (t.kind === 'id') {
      if (!params.has(t.text)) throw new OperandError(`'${t.text}' is not an operand of this op (operands: ${[...params].join(', ') || 'none'})`);
      i++;
      return { ts: t.text, value: null };
    }
    throw new OperandError(`unsupported token '${t.text}' in an operand`);
  };

  if (toks.length === 0) throw new OperandError('empty operand');
  const r = unary();
  if (i !== toks.length) throw new OperandError(`unsupported operand expression '${toks.map((t) => t.text).join(' ')}': only parameters, constants, unary - and ~, and casts are understood`);
  if (r.value !== null) return { ts: literal(r.value, big), value: r.value };
  return r;
}

/** A constant as a TypeScript literal of the width's kind. */
export function literal(v: bigint, big: boolean): string {
  const s = v < 10n ? v.toString() : `0x${v.toString(16)}`;
  return big ? `${s}n` : s;
}
