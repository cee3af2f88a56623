/**
 * The C types the translator reasons with (LP64, as the kernel builds for
 * x86-64 and arm64), and C's integer rules on them: integer promotions and the
 * usual arithmetic conversions (C11 6.3.1), and how a value of each type is
 * held in TypeScript — a number for types of up to 32 bits, a bigint for the
 * 64-bit ones, so every value is exact.
 */
import {
  VOID as L_VOID, array as lArray, functionType, intType, pointer as lPointer,
  type CType as LType, type RecordType,
} from '../c/types.js';
import type { ScalarName } from '../src/types.js';

export interface IntType {
  readonly k: 'int';
  readonly size: 1 | 2 | 4 | 8;
  readonly signed: boolean;
  /** The spelling for messages: `unsigned int`, `u64`, `long`. */
  readonly name: string;
  /** _Bool: converting to it tests against zero. */
  readonly bool: boolean;
  /** long and long long have the same size but different ranks; char ranks below short. */
  readonly rank: number;
}

export type CType =
  | { readonly k: 'void' }
  | IntType
  | { readonly k: 'ptr'; readonly to: CType; readonly percpu: boolean; readonly constTo: boolean }
  | { readonly k: 'func'; readonly ret: CType; readonly params: readonly CType[]; readonly variadic: boolean; readonly proto: boolean }
  /** `lt` is the record as c/layout.ts laid it out (absent only for the runtime's opaque struct cpumask). */
  | { readonly k: 'struct'; readonly tag: string; readonly union: boolean; readonly lt?: RecordType }
  | { readonly k: 'array'; readonly of: CType; readonly len: number | null };

function int(name: string, size: 1 | 2 | 4 | 8, signed: boolean, rank: number, bool = false): IntType {
  return { k: 'int', size, signed, name, bool, rank };
}

export const VOID: CType = { k: 'void' };
export const BOOL = int('_Bool', 1, false, 0, true);
/** Plain char is unsigned: the kernel builds with -funsigned-char on every architecture since v6.2. */
export const CHAR = int('char', 1, false, 1);
export const SCHAR = int('signed char', 1, true, 1);
export const UCHAR = int('unsigned char', 1, false, 1);
export const SHORT = int('short', 2, true, 2);
export const USHORT = int('unsigned short', 2, false, 2);
export const INT = int('int', 4, true, 3);
export const UINT = int('unsigned int', 4, false, 3);
export const LONG = int('long', 8, true, 4);
export const ULONG = int('unsigned long', 8, false, 4);
export const LLONG = int('long long', 8, true, 5);
export const ULLONG = int('unsigned long long', 8, false, 5);

/** The type a combination of base type words names (C11 6.7.2), or null. */
export function baseType(words: readonly string[]): CType | null {
  const count = (w: string): number => words.filter((x) => x === w).length;
  const signed = count('signed') + count('__signed__');
  const unsigned = count('unsigned');
  if (signed + unsigned > 1) return null;
  const longs = count('long');
  const rest = words.filter((w) => !['signed', '__signed__', 'unsigned', 'long', 'int'].includes(w));
  if (count('int') > 1 || longs > 2) return null;
  if (rest.length > 1) return null;
  const r = rest[0];
  if (r === 'void') return words.length === 1 ? VOID : null;
  if (r === '_Bool') return words.length === 1 ? BOOL : null;
  if (r === 'char') {
    if (longs || count('int')) return null;
    return unsigned ? UCHAR : signed ? SCHAR : CHAR;
  }
  if (r === 'short') {
    if (longs) return null;
    return unsigned ? USHORT : SHORT;
  }
  if (r !== undefined) return null;
  if (longs === 2) return unsigned ? ULLONG : LLONG;
  if (longs === 1) return unsigned ? ULONG : LONG;
  return unsigned ? UINT : INT;
}

export function isInt(t: CType): t is IntType {
  return t.k === 'int';
}

export function isScalar(t: CType): boolean {
  return t.k === 'int' || t.k === 'ptr';
}

/** A typedef name for messages: `u32` keeps its own name but is unsigned int. */
export function named(t: IntType, name: string): IntType {
  return { ...t, name };
}

export function typeName(t: CType): string {
  switch (t.k) {
    case 'void': return 'void';
    case 'int': return t.name;
    case 'ptr': return `${t.constTo ? 'const ' : ''}${typeName(t.to)} ${t.percpu ? '__percpu ' : ''}*`;
    case 'func': return `${typeName(t.ret)} (${t.params.map(typeName).join(', ')}${t.variadic ? ', ...' : ''})`;
    case 'struct': return t.lt?.name ?? `${t.union ? 'union' : 'struct'} ${t.tag}`;
    case 'array': return `${typeName(t.of)} [${t.len ?? ''}]`;
  }
}

/** C11 6.3.1.1: types narrower than int become int. */
export function promote(t: IntType): IntType {
  return t.size < 4 ? INT : t;
}

/** C11 6.3.1.8: the common type of two promoted integer operands. */
export function usualArithmetic(a: IntType, b: IntType): IntType {
  const x = promote(a);
  const y = promote(b);
  if (x.size === y.size && x.signed === y.signed) return x.rank >= y.rank ? canonical(x) : canonical(y);
  if (x.signed === y.signed) return canonical(x.size > y.size || (x.size === y.size && x.rank >= y.rank) ? x : y);
  const [u, s] = x.signed ? [y, x] : [x, y];
  if (u.size >= s.size) return canonical(u.rank >= s.rank ? u : unsignedOf(s));
  return canonical(s);
}

/** Arithmetic results name the standard type, not the typedef. */
function canonical(t: IntType): IntType {
  for (const c of [INT, UINT, LONG, ULONG, LLONG, ULLONG]) if (c.size === t.size && c.signed === t.signed && c.rank === t.rank) return c;
  return t;
}

function unsignedOf(t: IntType): IntType {
  return t.size === 8 ? (t.rank === 5 ? ULLONG : ULONG) : UINT;
}

/** Does every value of `from` fit in `to`? */
export function fits(from: IntType, to: IntType): boolean {
  if (to.bool) return from.bool;
  if (from.signed === to.signed) return to.size >= from.size;
  if (!from.signed) return to.size > from.size;
  return false;
}

/** 8-byte values are bigints in TypeScript. */
export function isBig(t: CType): boolean {
  return t.k === 'int' && t.size === 8;
}

/** The runtime's scalar name for DEFINE_PER_CPU of an integer type. */
export function scalarName(t: IntType): ScalarName {
  if (t.bool) return 'bool';
  if (t.size === 8) return t.rank === 4 ? (t.signed ? 'long' : 'ulong') : t.signed ? 'i64' : 'u64';
  return `${t.signed ? 'i' : 'u'}${t.size * 8}` as ScalarName;
}

export function minOf(t: IntType): bigint {
  return t.signed ? -(1n << BigInt(t.size * 8 - 1)) : 0n;
}

export function maxOf(t: IntType): bigint {
  return t.bool ? 1n : t.signed ? (1n << BigInt(t.size * 8 - 1)) - 1n : (1n << BigInt(t.size * 8)) - 1n;
}

/** A constant converted to `t` (C11 6.3.1.3; to a signed type modulo 2^N, as gcc defines it). */
export function wrap(v: bigint, t: IntType): bigint {
  if (t.bool) return v === 0n ? 0n : 1n;
  return t.signed ? BigInt.asIntN(t.size * 8, v) : BigInt.asUintN(t.size * 8, v);
}

/** A constant as a TypeScript literal of the type's representation. */
export function literal(v: bigint, t: IntType): string {
  const s = v < 0n ? `-${(-v).toString()}` : v.toString();
  const txt = t.size === 8 ? `${s}n` : s;
  return v < 0n ? `(${txt})` : txt;
}

export function sameType(a: CType, b: CType): boolean {
  if (a.k !== b.k) return false;
  switch (a.k) {
    case 'int': { const y = b as IntType; return a.size === y.size && a.signed === y.signed && a.bool === y.bool; }
    case 'ptr': { const y = b as typeof a; return a.percpu === y.percpu && (a.to.k === 'void' || y.to.k === 'void' || sameType(a.to, y.to)); }
    case 'struct': { const y = b as typeof a; return a.lt !== undefined || y.lt !== undefined ? a.lt === y.lt : a.tag === y.tag; }
    case 'array': { const y = b as typeof a; return a.len === y.len && sameType(a.of, y.of); }
    default: return true;
  }
}

/** The layout engine's type (c/types.ts) of a translator type: what c/layout.ts and the runtime lay out. */
export function layoutOf(t: CType): LType {
  switch (t.k) {
    case 'void': return L_VOID;
    case 'int': {
      if (t.bool) return intType('_Bool')!;
      const base = t.size === 1 ? 'char' : t.size === 2 ? 'short' : t.size === 4 ? 'int' : t.rank === 5 ? 'long long' : 'long';
      return intType(t.size === 1 ? (t.signed ? 'signed char' : 'unsigned char') : `${t.signed ? '' : 'unsigned '}${base}`)!;
    }
    case 'ptr': return lPointer(layoutOf(t.to), { percpu: t.percpu });
    case 'array': return lArray(layoutOf(t.of), t.len);
    case 'func': return functionType(layoutOf(t.ret), t.params.map(layoutOf));
    case 'struct':
      if (t.lt === undefined) throw new TypeError(`struct ${t.tag} has no layout`);
      return t.lt;
  }
}

/** The translator type of a layout-engine type (a kernel type from c/kernel-types.ts, a member's type). */
export function fromLayout(t: LType): CType {
  switch (t.kind) {
    case 'void': return VOID;
    case 'bool': return BOOL;
    case 'enum': return t.signed ? INT : UINT;
    case 'int': {
      const rank = t.size === 1 ? 1 : t.size === 2 ? 2 : t.size === 4 ? 3 : t.scalar === 'long' || t.scalar === 'ulong' ? 4 : 5;
      if (t.size === 16) throw new TypeError(`${t.name}: 128-bit integers are not translated`);
      return { k: 'int', size: t.size as 1 | 2 | 4 | 8, signed: t.signed, name: t.name, bool: false, rank };
    }
    case 'pointer': return { k: 'ptr', to: fromLayout(t.to), percpu: t.percpu, constTo: false };
    case 'array': return { k: 'array', of: fromLayout(t.of), len: t.length };
    case 'function': return { k: 'func', ret: fromLayout(t.returns), params: t.params.map(fromLayout), variadic: false, proto: true };
    case 'struct': case 'union': return { k: 'struct', tag: t.tag ?? '', union: t.kind === 'union', lt: t };
  }
}

/** sizeof, from the layout engine. */
export function sizeOf(t: CType): number {
  return t.k === 'int' ? t.size : layoutOf(t).size;
}
